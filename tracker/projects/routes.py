"""The projects blueprint with all its routes: importing a view module adds its routes to bp.

The package's __init__ stays empty, so importing one of its service modules does not load
every page (and what they import) first."""

# Each view module adds its routes to bp as it is imported.
from tracker.projects import actions, export, mend_views, views  # noqa: F401
from tracker.projects.blueprint import bp

__all__ = ["bp"]
