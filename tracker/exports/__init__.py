"""CSV export and import: formula-safe cells, streamed files with a BOM, organization import."""
