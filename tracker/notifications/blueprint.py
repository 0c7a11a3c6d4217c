"""The notifications blueprint, in a module of its own: the view modules import bp from here and the
package's routes.py imports the view modules, so no import runs in a circle."""

from flask import Blueprint

bp = Blueprint("notifications", "tracker.notifications")
