"""Whole numbers from addresses and forms, bounded by what a database integer column holds."""
from __future__ import annotations

from flask import Request
from flask import flash
from flask import request
from flask_babel import gettext as _

from engine import MAX_ID

__all__ = ["MAX_ID", "MAX_PAGE", "MAX_PER_PAGE", "has_nul", "id_filter", "parse_id"]

MAX_PAGE = 100_000  # a page number past this asks the database for an offset it cannot hold
MAX_PER_PAGE = 200


def parse_id(raw: str | None) -> int | None:
    """``raw`` as a non-negative id, or None when it is empty, not digits or out of range."""
    raw = (raw or "").strip()
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10 or int(raw) > MAX_ID:
        return None
    return int(raw)


def id_filter(name: str) -> int | None:
    """The id a list is filtered by (query parameter ``name``); a value that is no id (not digits,
    out of the id columns' range) is ignored, and the page says so rather than failing."""
    raw = request.args.get(name, "").strip()
    value = parse_id(raw)
    if raw and value is None:
        flash(_("A filter in the address was ignored: %(value)s is not a valid number.", value=raw[:30]), "warning")
    return value


def has_nul(request: Request) -> bool:
    """Whether the address, query, form fields or JSON body carry a NUL character.

    No text a person types has one, and PostgreSQL refuses it in text columns (with an error the
    request would die on), so such a request is refused as a whole. Uploaded files are not looked at.
    """
    if "\x00" in request.path:
        return True
    for values in (request.args, request.form if request.mimetype != "application/json" else None):
        # (a multipart part whose name werkzeug cannot read is keyed None)
        if values and any("\x00" in (k or "") or any("\x00" in v for v in values.getlist(k)) for k in values):
            return True
    if request.is_json:
        raw = request.get_data(cache=True)
        return b"\x00" in raw or b"\\u0000" in raw.lower()
    return False
