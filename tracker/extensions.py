"""Extension instances, bound to the app in create_app()."""

from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api as SmorestApi
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from tracker.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
bootstrap = Bootstrap5()
babel = Babel()
# Page views are never limited; only sign-in attempts and API calls carry limits.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


class Api(SmorestApi):
    """flask-smorest without its app-wide JSON error handler: tracker.errors keeps the pages
    HTML, and the API blueprint answers its own errors as problem documents."""

    def _register_error_handlers(self) -> None:
        pass


# The OpenAPI document of /api/v1 and the blueprints it describes.
api = Api()
