"""Languages: Flask-Babel with Simplified Chinese by default and English, chosen per session.

Task forms carry their own labels (JSON Schema ``title``/``description`` in Chinese, with
``x-title-en``/``x-description-en`` alternates); ``localized()`` picks the one to show.
"""
from __future__ import annotations

import functools
import re
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any
from typing import Literal

from babel import Locale
from babel import dates
from flask import Flask
from flask import g
from flask import session
from flask_babel import Babel
from flask_babel import get_locale
from flask_babel import get_timezone
from flask_babel import get_translations

LANGUAGES = {"zh_Hans_CN": "简体中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_Hans_CN"

babel = Babel()


def select_locale() -> str:
    lang = session.get("lang")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def is_english() -> bool:
    # Asked for every label of every document on a page: worked out once per request.
    english = g.get("_is_english")
    if english is None:
        english = g._is_english = str(get_locale()).startswith("en")
    return bool(english)


def localized(node: Any, key: str = "title", default: str = "") -> str:
    """A schema node's label in the current language (falls back to the other one)."""
    if not isinstance(node, dict):
        return default
    english = node.get(f"x-{key}-en")
    if isinstance(english, str) and is_english():
        return english
    value = node.get(key)
    return value if isinstance(value, str) else (english if isinstance(english, str) else default)


# CJK ideographs (and compatibility ideographs, CJK punctuation, full-width forms).
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_LATIN = re.compile(r"[A-Za-z]")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def split_bilingual(text: str) -> tuple[str, str | None]:
    """("中文", "English") of a label written "中文 / English" (any BPMN may name its elements so);
    (text, None) when it is not such a pair.

    The separator is the first "/" after the last Chinese character, and the part after it must be
    Latin text with no Chinese: "提交 / Submit" splits, "Submit / Revise" and "A/B 方案" do not.
    """
    last = max((m.end() for m in _CJK.finditer(text)), default=-1)
    if last < 0:
        return text, None
    slash = text.find("/", last)
    if slash < 0:
        return text, None
    zh, en = text[:slash].strip(), text[slash + 1:].strip()
    if not zh or not _LATIN.search(en) or has_cjk(en):
        return text, None
    return zh, en


def pick(text: str | None) -> str:
    """A bilingual label's half in the interface language (other labels unchanged)."""
    if not text:
        return ""
    zh, en = split_bilingual(text)
    if en is None:
        return text
    return en if is_english() else zh


def text_language(text: str) -> str:
    """"zh" or "en": the language a block of text is written in (Chinese characters carry about
    three times the letters' content, so a Chinese sentence quoting an English term stays Chinese)."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    return "zh" if cjk and cjk * 3 >= latin else "en"


def blocks_for_language(text: str) -> list[tuple[str | None, str]]:
    """The paragraphs of a text written in both languages (BPMN documentation often repeats each
    instruction in English) that the reader needs: those in the interface language; when there
    are none, all of them, each foreign one with its ``lang`` (for screen readers)."""
    blocks = [b for b in re.split(r"\n\s*\n", text.strip("\n")) if b.strip()]
    mine = "en" if is_english() else "zh"
    kept = [b for b in blocks if text_language(b) == mine]
    if kept:
        return [(None, b) for b in kept]
    return [(None if text_language(b) == mine else _HTML_LANG[text_language(b)], b) for b in blocks]


_HTML_LANG = {"zh": "zh-CN", "en": "en"}


def html_lang() -> str:
    return "en" if is_english() else "zh-CN"


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, localized=localized, html_lang=html_lang,
                                 current_language=select_locale)
    # A task list says "Claim", "Unclaim", "Due soon" … on every row: the template's _() finds this
    # request's catalog once (Flask-Babel's own callables look it up again on every call).
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda text: _catalog().ugettext(text),
        lambda singular, plural, n: _catalog().ungettext(singular, plural, n), newstyle=True)


def _catalog() -> Any:
    found = g.get("_catalog")
    if found is None:
        found = g._catalog = get_translations()
    return found


# --- dates: a task list shows dozens; babel's format_datetime re-resolves the locale and re-parses
# its patterns on every call. The same output from one compiled pattern per (locale, format).

Width = Literal["full", "long", "medium", "short"]
WIDTHS: tuple[Width, ...] = ("full", "long", "medium", "short")


@functools.lru_cache(maxsize=64)
def _pattern(locale: str, width: str, kind: str) -> dates.DateTimePattern:
    loc = Locale.parse(locale)
    format = next((w for w in WIDTHS if w == width), None)
    if format is None:
        return dates.parse_pattern(width)
    if kind == "date":
        return dates.get_date_format(format, locale=loc)
    combined = dates.get_datetime_format(format, locale=loc)
    return dates.parse_pattern(str(combined).replace("{1}", dates.get_date_format(format, locale=loc).pattern)
                               .replace("{0}", dates.get_time_format(format, locale=loc).pattern))


def _locale_and_zone() -> tuple[str, Any]:
    found = g.get("_locale_and_zone")
    if found is None:
        found = g._locale_and_zone = (str(get_locale()), get_timezone())
    return found  # type: ignore[no-any-return]


def format_datetime(value: datetime, format: str = "medium") -> str:
    """Flask-Babel's ``format_datetime`` (the user's time zone and language), computed faster."""
    locale, zone = _locale_and_zone()
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return str(_pattern(locale, format, "datetime").apply(aware.astimezone(zone), Locale.parse(locale)))


def format_date(value: date | datetime, format: str = "medium") -> str:
    """Flask-Babel's ``format_date``: a datetime is first moved to the user's time zone."""
    locale, zone = _locale_and_zone()
    if isinstance(value, datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(zone).date()
    return str(_pattern(locale, format, "date").apply(value, Locale.parse(locale)))
