"""Home pages per role, navigation and the health check."""
