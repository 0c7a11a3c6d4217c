"""The directory: organizations and sites."""
