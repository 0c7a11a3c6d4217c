"""Cooperation projects: list, create, edit, detail, partners, updates, milestones, lessons."""
