"""JSON API under /api/v1: bearer tokens, problem documents, cursor pages, an OpenAPI document."""
