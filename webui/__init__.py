"""The Flask application: create_app() binds extensions and registers one blueprint per area."""
from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter
from werkzeug.routing import Map

from config import Config
from webui.params import MAX_ID


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route, bounded: /instances/99999999999999999999 is a 404, not an
    overflow inside the database driver."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def _trust_proxies(app: Flask, hops: int) -> None:
    """Behind nginx (or a load balancer) the client's address and scheme come from its
    X-Forwarded-For / X-Forwarded-Proto, trusted for exactly ``hops`` proxies (0: none)."""
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def create_app(config_class: type[Config] | Any = Config) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(config_class)
    app.url_map.converters["int"] = IdConverter
    app.config["MAX_CONTENT_LENGTH"] = max(app.config["MAX_ATTACHMENT_BYTES"],
                                           app.config["MAX_DEFINITION_BYTES"] * 8) + 1024 * 1024

    _trust_proxies(app, app.config.get("PROXY_HOPS", 0))

    from webui import errors
    from webui import extensions
    from webui import guards
    from webui import i18n
    from webui import layout
    from webui import logs

    logs.init_app(app)  # first: even a request refused by a guard gets its id and its log line
    guards.init_app(app)
    extensions.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    layout.init_app(app)

    _register_blueprints(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from webui.admin import bp as admin_bp
    from webui.api.routes import bp as api_bp
    from webui.auth.routes import bp as auth_bp
    from webui.dashboard.routes import bp as dashboard_bp
    from webui.health import bp as health_bp
    from webui.notifications import bp as notifications_bp
    from webui.pilots.routes import bp as pilots_bp
    from webui.tasks import bp as tasks_bp
    app.register_blueprint(health_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(tasks_bp, url_prefix="/tasks")
    app.register_blueprint(pilots_bp, url_prefix="/pilots")
    app.register_blueprint(dashboard_bp, url_prefix="/dashboard")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(notifications_bp, url_prefix="/notifications")
