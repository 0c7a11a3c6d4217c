"""The api blueprint, in a module of its own: the view modules import bp from here and the
package's routes.py imports the view modules, so no import runs in a circle."""

from flask_smorest import Blueprint

from tracker.api.ids import IdConverter, id_param_schema
from tracker.extensions import api

# Before the views declare `<id:...>` paths, so the document describes them.
api.register_converter(IdConverter, id_param_schema)

bp = Blueprint(
    "api",
    "tracker.api",
    url_prefix="/api/v1",
    description="JSON API of the Innovation Tracker; every call needs a bearer token.",
)
