"""Gate pages."""
