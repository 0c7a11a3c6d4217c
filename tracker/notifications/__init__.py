"""In-app notifications: list and mark as read."""
