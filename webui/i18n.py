"""Languages: Flask-Babel with Simplified Chinese by default and English, chosen per session.

Task forms carry their own labels (JSON Schema ``title``/``description`` in Chinese, with
``x-title-en``/``x-description-en`` alternates); ``localized()`` picks the one to show.
"""
from __future__ import annotations

from typing import Any

from flask import Flask
from flask import session
from flask_babel import Babel
from flask_babel import get_locale

LANGUAGES = {"zh_Hans_CN": "简体中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_Hans_CN"

babel = Babel()


def select_locale() -> str:
    lang = session.get("lang")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def is_english() -> bool:
    return str(get_locale()).startswith("en")


def localized(node: Any, key: str = "title", default: str = "") -> str:
    """A schema node's label in the current language (falls back to the other one)."""
    if not isinstance(node, dict):
        return default
    english = node.get(f"x-{key}-en")
    if is_english() and isinstance(english, str):
        return english
    value = node.get(key)
    return value if isinstance(value, str) else (english if isinstance(english, str) else default)


def html_lang() -> str:
    return "en" if is_english() else "zh-CN"


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, localized=localized, html_lang=html_lang,
                                 current_language=select_locale)
