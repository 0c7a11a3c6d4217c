"""Innovation Tracker: cooperation projects of an AI innovation network, develop to market."""

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker import config as app_settings


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, error handlers, CLI."""
    project_root = Path(__file__).resolve().parent.parent
    app = Flask(
        __name__,
        instance_path=os.environ.get("TRACKER_INSTANCE_PATH", str(project_root / "instance")),
        instance_relative_config=True,
        template_folder=str(project_root / "templates"),
        static_folder=str(project_root / "static"),
    )
    _configure(app, overrides or {})
    if app.config.get("TRACKER_PROXY_FIX"):
        hops = app.config["TRACKER_PROXY_FIX"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    _init_extensions(app)
    from tracker import bounds

    bounds.init_converters(app)  # before the blueprints: rules pick converters when added
    _register_blueprints(app)
    from tracker import assets, cli, errors, i18n, security, submit_tokens, templating
    from tracker.outbox import wiring

    wiring.init_app(app)

    i18n.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    submit_tokens.init_app(app)  # after csrf (in _init_extensions): checked tokens only
    cli.init_app(app)
    assets.init_app(app)  # last: WhiteNoise wraps the finished app's wsgi_app
    return app


def _configure(app: Flask, overrides: dict) -> None:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(app_settings.DEFAULTS)
    app.config.update(app_settings.from_environment(app.instance_path))
    app.config.update(overrides)
    app.config["SECRET_KEY"] = app_settings.ensure_secret_key(app.config, app.instance_path)
    from tracker.database import engine_options

    options = engine_options(app.config["SQLALCHEMY_DATABASE_URI"])
    options.update(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if "RATELIMIT_STORAGE_URI" not in app.config:
        # Counters every worker sees: Redis (across machines) or a file in instance/ (the
        # workers of one machine); never one process's memory, which multiplied the limit.
        from tracker.ratelimit_store import uri_for

        default = uri_for(Path(app.instance_path) / "ratelimits.sqlite")
        app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or default


def _init_extensions(app: Flask) -> None:
    from tracker import database, models  # noqa: F401  (models register their tables)
    from tracker.extensions import bootstrap, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    bootstrap.init_app(app)
    login_manager.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from tracker.admin.routes import bp as admin_bp
    from tracker.api import routes as json_api
    from tracker.auth.routes import bp as auth_bp
    from tracker.boards.routes import bp as boards_bp
    from tracker.dashboard.routes import bp as dashboard_bp
    from tracker.directory.routes import bp as directory_bp
    from tracker.main.routes import bp as main_bp
    from tracker.matchmaking.routes import bp as matchmaking_bp
    from tracker.notifications.routes import bp as notifications_bp
    from tracker.projects.routes import bp as projects_bp
    from tracker.reviews.routes import bp as reviews_bp
    from tracker.settings.routes import bp as settings_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(projects_bp)
    app.register_blueprint(boards_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(reviews_bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(matchmaking_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(settings_bp, url_prefix="/admin")
    json_api.init_app(app)  # the flask-smorest Api registers the api blueprint
