"""Posted task forms -> typed JSON for the engine: every ``f-…`` field of the form as shown,
numbers as Chinese officials type them, table rows added and removed; text that cannot be read
is kept, with its error, so the page shows it again."""
from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask_babel import gettext as _

from webui.tasks.form_render import MAX_ROWS
from webui.tasks.form_render import as_text
from webui.tasks.form_render import choices
from webui.tasks.form_render import html_name
from webui.tasks.form_render import ordered_keys
from webui.tasks.form_render import prop
from webui.tasks.form_render import sub_ui
from webui.tasks.form_render import table_items
from webui.tasks.form_render import widget_for


@dataclass
class Parsed:
    data: dict[str, Any]
    raw: dict[str, str] = field(default_factory=dict)  # path -> typed text that did not parse
    errors: dict[str, str] = field(default_factory=dict)  # path -> message


def parse(schema: Mapping[str, Any] | None, ui: Mapping[str, Any] | None, form: Mapping[str, str],
          round_: int | None = None) -> Parsed:
    """Posted ``f-…`` fields (of the form as shown in ``round_``) -> typed JSON; unparseable text
    is kept in ``raw`` with an error."""
    out = Parsed({})
    out.data = _parse_object(schema or {}, ui or {}, form, "", out, round_)
    return out


def _parse_object(schema: Mapping[str, Any], ui: Mapping[str, Any], form: Mapping[str, str], prefix: str,  # noqa: PLR0917
                  out: Parsed, round_: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in ordered_keys(schema, ui, round_):
        node, node_ui, path = prop(schema, key), sub_ui(ui, key), f"{prefix}{key}"
        value = _parse_value(node, node_ui, form, path, out)
        if value is not None:
            data[key] = value
    return data


def _parse_value(node: dict[str, Any], ui: dict[str, Any], form: Mapping[str, str], path: str,
                 out: Parsed) -> Any:
    widget, name = widget_for(node, ui), html_name(path)
    if widget == "group":
        value = _parse_object(node, ui, form, path + "/", out)
        return value or None
    if widget == "table":
        items, item_ui = table_items(node, ui) or {}, sub_ui(ui, "items")
        try:
            count = max(0, min(int(form.get(name + "-rows", "0") or 0), MAX_ROWS))
        except ValueError:
            count = 0
        return [_parse_object(items, item_ui, form, f"{path}/{i}/", out) for i in range(count)]
    if widget == "checkbox":
        return form.get(name) in ("true", "on", "1")
    text = (form.get(name) or "").replace("\r\n", "\n")
    if not text.strip():
        return None
    try:
        return _convert(widget, node, text)
    except ValueError as exc:
        out.raw[path], out.errors[path] = text, str(exc)
        return None


def _convert(widget: str, node: Mapping[str, Any], text: str) -> Any:
    if widget in ("number", "integer"):
        return _number(widget, text)
    if widget in ("select", "radio"):
        for const, _title in choices(node):
            if as_text(widget, const) == text:
                return const
        raise ValueError(_("Choose one of the options."))
    if widget == "boolean":
        if text in ("true", "false"):
            return text == "true"
        raise ValueError(_("Choose yes or no."))
    if widget == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise ValueError(_("Enter valid JSON (or ask the process designer for a simpler field).")) from None
    return text


def _number(widget: str, text: str) -> int | float:
    # Full-width digits and thousands separators are common when pasting from Chinese documents.
    clean = text.strip().translate({0xFF0C: None, ord(","): None, ord(" "): None, 0x3000: None, 0xFF0E: ord("."),
                                    0xFF0D: ord("-"), **{0xFF10 + i: ord("0") + i for i in range(10)}})
    if widget == "integer":
        if re.fullmatch(r"[-+]?\d{1,18}", clean):
            return int(clean)
        raise ValueError(_("Enter a whole number."))
    if re.fullmatch(r"[-+]?(\d{1,18}(\.\d*)?|\.\d+)([eE][-+]?\d{1,3})?", clean):
        number = float(clean)
        if math.isfinite(number):
            return int(number) if number.is_integer() and abs(number) < 2**53 and "." not in clean \
                and "e" not in clean.lower() else number
    raise ValueError(_("Enter a number."))


def row_action(form: Mapping[str, str], data: dict[str, Any], *keyed: dict[str, str]) -> bool:
    """Apply an "add row" / "remove row" button (``action`` = ``add:<path>`` / ``remove:<path>:<i>``)
    to the parsed data (and re-index the path-keyed dicts: unparsed text, errors); True when one
    was pressed."""
    verb, _sep, rest = (form.get("action") or "").partition(":")
    if verb not in ("add", "remove"):
        return False
    path, _sep, index = rest.rpartition(":") if verb == "remove" else (rest, "", "")
    container: Any = data
    parts = path.split("/")
    for part in parts:
        container = container.get(part) if isinstance(container, dict) else None
    if not isinstance(container, list):
        container = []
        _set(data, parts, container)
    if verb == "add":
        if len(container) < MAX_ROWS:
            container.append({})
    elif index.isascii() and index.isdigit() and int(index) < len(container):
        container.pop(int(index))
        for mapping in keyed:
            _shift(mapping, path, int(index))
    return True


def _shift(mapping: dict[str, str], path: str, removed: int) -> None:
    shifted: dict[str, str] = {}
    for key, text in mapping.items():
        target = key
        if key.startswith(path + "/"):
            row, _s, tail = key[len(path) + 1:].partition("/")
            if row.isascii() and row.isdigit() and int(row) == removed:
                continue
            if row.isascii() and row.isdigit() and int(row) > removed:
                target = f"{path}/{int(row) - 1}" + (f"/{tail}" if tail else "")
        shifted[target] = text
    mapping.clear()
    mapping.update(shifted)


def _set(data: dict[str, Any], parts: list[str], value: Any) -> None:
    for part in parts[:-1]:
        data = data.setdefault(part, {})
    data[parts[-1]] = value
