"""The auth blueprint with all its routes: importing a view module adds its routes to bp.

The package's __init__ stays empty, so importing one of its service modules does not load
every page (and what they import) first."""

# Each view module adds its routes to bp as it is imported.
from tracker.auth import (  # noqa: F401
    sessions,
    sso_views,
    token_views,
    two_factor,
    views,
    webhook_views,
)
from tracker.auth.blueprint import bp

__all__ = ["bp"]
