"""The admin blueprint with all its routes: importing a view module adds its routes to bp.

The package's __init__ stays empty, so importing one of its service modules does not load
every page (and what they import) first."""

# Each view module adds its routes to bp as it is imported.
from tracker.admin import approval_views, import_views, security, tokens, views  # noqa: F401
from tracker.admin.blueprint import bp

__all__ = ["bp"]
