"""The directory blueprint with all its routes: importing a view module adds its routes to bp.

The package's __init__ stays empty, so importing one of its service modules does not load
every page (and what they import) first."""

# Each view module adds its routes to bp as it is imported.
from tracker.directory import (  # noqa: F401
    export,
    imports,
    search_views,
    views,
)
from tracker.directory.blueprint import bp

__all__ = ["bp"]
