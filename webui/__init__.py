"""The Flask application: create_app() binds extensions and registers one blueprint per area."""
from __future__ import annotations

from typing import Any

from flask import Flask

from config import Config


def create_app(config_class: type[Config] | Any = Config) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(config_class)
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config["MAX_CONTENT_LENGTH"] = max(app.config["MAX_ATTACHMENT_BYTES"],
                                           app.config["MAX_DEFINITION_BYTES"] * 8) + 1024 * 1024

    from webui import extensions

    extensions.init_app(app)

    from webui.api.routes import bp as api_bp
    from webui.auth.routes import bp as auth_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    return app
