"""Network settings under /admin: sites, themes and stage exit criteria."""
