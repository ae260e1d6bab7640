"""Task forms for any JSON Schema object: schema + ui schema + values + errors -> field view-models
the template renders (for editing, or read-only as a document); errors beside their fields and in
a summary. Reading a posted form back is ``form_parse``.

Widgets: text, textarea, number, integer, date, select/radio (``oneOf`` consts or ``enum``),
yes/no (boolean), nested objects as groups, arrays of objects as editable tables. Anything else
(arrays of scalars, ``anyOf``, type lists...) is edited as JSON in a textarea, so an unknown BPMN
form is always usable. Unparseable input keeps the typed text and gets an error beside the field.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any

from flask import g
from flask_babel import format_decimal
from flask_babel import gettext as _

import engine
from webui.i18n import format_date
from webui.i18n import localized

SCALAR = {"text", "textarea", "number", "integer", "date", "select", "radio", "boolean", "checkbox"}
MAX_ROWS = 1000
_SAFE = re.compile(r"^[A-Za-z0-9_]+$")


@dataclass
class Field:
    key: str
    path: str  # the engine's error path: "projects/0/name"
    name: str  # the HTML name: "f-projects-0-name"
    label: str
    help: str
    required: bool
    widget: str
    node: dict[str, Any]
    value: Any = ""  # text for inputs; the row list for tables
    display: str = ""  # read-only rendering
    error: str | None = None
    choices: list[tuple[str, str]] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)
    columns: list[Field] = field(default_factory=list)
    rows: list[list[Field]] = field(default_factory=list)
    children: list[Field] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.name

    def add_error(self, message: str) -> None:
        self.error = f"{self.error} {message}" if self.error else message


# --- schema helpers -----------------------------------------------------------------------------

def _segment(key: str) -> str:
    return key if _SAFE.match(key) else "x" + key.encode().hex()


def html_name(path: str) -> str:
    return "f-" + "-".join(_segment(p) for p in path.split("/"))


def ordered_keys(schema: Mapping[str, Any] | None, ui: Mapping[str, Any] | None,
                 round_: int | None = None) -> list[str]:
    """The fields of a form in order; in a given round, without a top-level field whose UI schema
    says ``"ui:fromRound": 2`` (a reply to the last review makes no sense in the first round)."""
    return [k for k in engine.forms.field_order(schema, ui) if _shown_in(sub_ui(ui, k), round_)]


def _shown_in(ui: Mapping[str, Any], round_: int | None) -> bool:
    first = ui.get("ui:fromRound")
    return round_ is None or not isinstance(first, int) or isinstance(first, bool) or round_ >= first


def prop(schema: Mapping[str, Any] | None, key: str) -> dict[str, Any]:
    """The schema node of one property (an empty node when unknown)."""
    node = ((schema or {}).get("properties") or {}).get(key)
    return node if isinstance(node, dict) else {}


def sub_ui(ui: Mapping[str, Any] | None, key: str) -> dict[str, Any]:
    node = (ui or {}).get(key)
    return node if isinstance(node, dict) else {}


def has_choices(node: Mapping[str, Any]) -> bool:
    one_of = node.get("oneOf") or node.get("anyOf")
    if isinstance(one_of, list) and one_of and all(isinstance(o, dict) and "const" in o for o in one_of):
        return True
    enum = node.get("enum")
    return isinstance(enum, list) and bool(enum)


def choices(node: Mapping[str, Any]) -> list[tuple[Any, str]]:
    """A choice field's (value, label) pairs; worked out once per request for each schema node (a
    page of documents asks for the same field's 57 options in every table row)."""
    cache: dict[int, tuple[Mapping[str, Any], list[tuple[Any, str]]]] = g.setdefault("_choices", {})
    key = id(node)
    if key not in cache:  # the node is kept with its pairs, so its id names no other node meanwhile
        cache[key] = (node, _choices(node))
    return cache[key][1]


def _choices(node: Mapping[str, Any]) -> list[tuple[Any, str]]:
    one_of = node.get("oneOf") or node.get("anyOf")
    if isinstance(one_of, list) and one_of and all(isinstance(o, dict) and "const" in o for o in one_of):
        return [(o["const"], localized(o, "title", str(o["const"]))) for o in one_of]
    enum = node.get("enum")
    if isinstance(enum, list) and enum:
        names = node.get("x-enum-titles") if isinstance(node.get("x-enum-titles"), list) else None
        return [(v, names[i] if names and i < len(names) else str(v)) for i, v in enumerate(enum)]
    return []


def widget_for(node: Mapping[str, Any], ui: Mapping[str, Any]) -> str:
    kind, wanted = node.get("type"), ui.get("ui:widget")
    plain = not node.get("oneOf") and not node.get("anyOf")
    widget = "json"
    if has_choices(node) and kind in (None, "string", "integer", "number"):
        widget = "radio" if wanted == "radio" else "select"
    elif kind == "boolean":
        widget = "checkbox" if wanted == "checkbox" else "boolean"
    elif kind == "string" and plain:
        long_text = wanted == "textarea" or (node.get("maxLength") or 0) > 2000
        widget = "date" if node.get("format") == "date" else "textarea" if long_text else "text"
    elif kind in ("number", "integer") and plain:
        widget = str(kind)
    elif kind == "object" and isinstance(node.get("properties"), dict) and plain:
        widget = "group"
    elif kind == "array" and table_items(node, ui) is not None:
        widget = "table"
    return widget


def table_items(node: Mapping[str, Any], ui: Mapping[str, Any]) -> dict[str, Any] | None:
    items = node.get("items")
    if not isinstance(items, dict) or items.get("type") != "object" or not isinstance(items.get("properties"), dict):
        return None
    item_ui = sub_ui(ui, "items")
    if not items["properties"]:
        return None
    if all(widget_for(prop(items, k), sub_ui(item_ui, k)) in SCALAR for k in items["properties"]):
        return items
    return None


# --- display ------------------------------------------------------------------------------------

def display(node: Mapping[str, Any] | None, value: Any) -> str:
    """A value as a reader sees it: choice titles, yes/no, numbers and dates in the reader's
    language, and for anything else (an unknown shape) its JSON."""
    if value is None or value == "":
        return "—"
    titles = [title for const, title in choices(node or {}) if const == value]
    if titles:
        return titles[0]
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, (int, float)):
        return _number_text(node or {}, value)
    if isinstance(value, str) and (node or {}).get("format") == "date":
        return _date_text(value)
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=1)


def _number_text(node: Mapping[str, Any], value: float) -> str:
    # A year (an integer field bounded within four digits) is not an amount: 2012, not 2,012.
    low, high = node.get("minimum"), node.get("maximum")
    if isinstance(value, int) and isinstance(low, int) and isinstance(high, int) and 1000 <= low and high <= 9999:
        return str(value)
    try:
        return str(format_decimal(value))
    except (ValueError, TypeError, ArithmeticError):  # e.g. 1e308: past what a decimal formats
        return str(value)


def _date_text(value: str) -> str:
    try:
        return str(format_date(date.fromisoformat(value), "long"))
    except ValueError:
        return value


def as_text(widget: str, value: Any) -> str:
    if value is None:
        return ""
    if widget in ("boolean", "checkbox"):
        return "true" if value is True else "false" if value is False else ""
    if widget == "json":
        return json.dumps(value, ensure_ascii=False, indent=2)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- building the view-models -------------------------------------------------------------------

def build(schema: Mapping[str, Any] | None, ui: Mapping[str, Any] | None, values: Mapping[str, Any] | None,
          raw: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None, *,
          editable: bool = True, round_: int | None = None) -> tuple[list[Field], list[str]]:
    """The fields of an object form (of ``round_``, when given), and the error messages no field
    owns (shown above the form).

    An editable form offers one empty row in an empty table that needs at least one."""
    values = dict(values or {})
    if editable:
        for key in ordered_keys(schema, ui):
            node = prop(schema, key)
            if widget_for(node, sub_ui(ui, key)) == "table" and not values.get(key) and node.get("minItems"):
                values[key] = [{}]
    fields = _object_fields(schema or {}, ui or {}, values, raw or {}, "", round_)
    general = apply_errors(fields, errors or {})
    return fields, general


def _object_fields(schema: Mapping[str, Any], ui: Mapping[str, Any], values: Mapping[str, Any],  # noqa: PLR0917
                   raw: Mapping[str, str], prefix: str, round_: int | None = None) -> list[Field]:
    required = set(schema.get("required") or [])
    return [_field(prop(schema, key), sub_ui(ui, key), key, f"{prefix}{key}", key in required,
                   values.get(key) if isinstance(values, Mapping) else None, raw)
            for key in ordered_keys(schema, ui, round_)]


def _field(node: dict[str, Any], ui: dict[str, Any], key: str, path: str, required: bool, value: Any,  # noqa: PLR0917
           raw: Mapping[str, str]) -> Field:
    widget = widget_for(node, ui)
    f = Field(key, path, html_name(path), localized(node, "title", key), localized(node, "description"),
              required, widget, node, display=display(node, value))
    opts: dict[str, Any] = ui["ui:options"] if isinstance(ui.get("ui:options"), dict) else {}
    if widget in ("select", "radio"):
        f.choices = [(as_text(widget, c), t) for c, t in choices(node)]
    if widget in ("number", "integer"):
        f.attrs = {"min": node.get("minimum"), "max": node.get("maximum"),
                   "step": "1" if widget == "integer" else "any"}
    if widget in ("text", "textarea"):
        f.attrs = {"maxlength": node.get("maxLength")}
    if widget in ("textarea", "json"):
        f.attrs["rows"] = opts.get("rows", 4 if widget == "textarea" else 6)
    if ui.get("ui:placeholder"):
        f.attrs["placeholder"] = ui["ui:placeholder"]
    if widget == "group":
        f.children = _object_fields(node, ui, value if isinstance(value, dict) else {}, raw, path + "/")
    elif widget == "table":
        items: dict[str, Any] = table_items(node, ui) or {}
        item_ui = sub_ui(ui, "items")
        rows = value if isinstance(value, list) else []
        f.value = rows
        f.columns = _object_fields(items, item_ui, {}, {}, path + "/#/")
        f.rows = [_object_fields(items, item_ui, r if isinstance(r, dict) else {}, raw, f"{path}/{i}/")
                  for i, r in enumerate(rows)]
    else:
        f.value = raw[path] if path in raw else as_text(widget, value)
    return f


def walk(fields: list[Field]) -> list[Field]:
    out = []
    for f in fields:
        out.append(f)
        out += walk(f.children)
        for row in f.rows:
            out += walk(row)
    return out


# --- errors -------------------------------------------------------------------------------------

_MESSAGES: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"is a required property|^'' is too short|^\[\] is too short|does not match '\\\\S'|"
                r"should be non-empty"), lambda m: _("Required.")),
    (re.compile(r"is too short"), lambda m: _("Too short.")),
    (re.compile(r"is less than the minimum of (\S+)"), lambda m: _("Must be at least %(n)s.", n=m.group(1))),
    (re.compile(r"is greater than the maximum of (\S+)"), lambda m: _("Must be at most %(n)s.", n=m.group(1))),
    (re.compile(r"is too long"), lambda m: _("Too long.")),
    (re.compile(r"is not a '?date'?"), lambda m: _("Enter a date as YYYY-MM-DD.")),
    (re.compile(r"is not one of|is not valid under any of the given schemas"),
     lambda m: _("Choose one of the options.")),
    (re.compile(r"is not of type 'integer'"), lambda m: _("Enter a whole number.")),
    (re.compile(r"is not of type 'number'"), lambda m: _("Enter a number.")),
    (re.compile(r"unknown field"), lambda m: _("This field is not part of the form.")),
    (re.compile(r"does not match|is not a '"), lambda m: _("This value does not have the expected form.")),
]


def humanize(message: str) -> str:
    """The engine's (jsonschema's) English message as a short sentence in the user's language;
    one it does not know becomes a plain "not valid" rather than English on the page."""
    for pattern, make in _MESSAGES:
        match = pattern.search(message)
        if match:
            return str(make(match))
    return str(_("This value is not valid."))


def error_map(details: list[dict[str, object]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for d in details:
        path, message = str(d.get("field") or ""), humanize(str(d.get("message") or ""))
        out[path] = f"{out[path]} {message}" if path in out and message not in out[path] else message
    return out


def apply_errors(fields: list[Field], errors: Mapping[str, str]) -> list[str]:
    """Put each message beside the deepest field its path reaches; return the ones nobody owns."""
    index = {f.path: f for f in walk(fields)}
    general = []
    for path, message in errors.items():
        p, rest = path, ""
        while p and p not in index:
            p, _sep, tail = p.rpartition("/")
            rest = f"{tail}/{rest}" if rest else tail
        if p in index:
            row = rest.split("/")[0]
            shown = message
            if index[p].widget == "table" and row.isascii() and row.isdigit():
                shown = _("Row %(n)s: %(message)s", n=int(row) + 1, message=message)
            index[p].add_error(shown)
        else:
            general.append(message)
    return general


@dataclass
class Problem:
    """One entry of the error summary above a form: which field, what is wrong, where it is."""

    label: str
    message: str
    anchor: str | None  # the id of the input to jump to


def summary(fields: list[Field], general: list[str]) -> list[Problem]:
    """Every problem of a form, in the order of its fields, then those no field owns; a table
    cell is named by its table, row and column."""
    every = walk(fields)
    index = {f.path: f for f in every}
    out = []
    for f in every:
        if not f.error:
            continue
        label = f.label
        table, _sep, _column = f.path.rpartition("/")
        table, _sep, row = table.rpartition("/")
        if row.isascii() and row.isdigit() and table in index:
            label = _("%(table)s, row %(n)s: %(column)s", table=index[table].label, n=int(row) + 1, column=f.label)
        anchor = f.id if f.widget not in ("table", "group") else (f.rows[0][0].id if f.rows and f.rows[0] else None)
        out.append(Problem(str(label), f.error, anchor))
    return out + [Problem("", message, None) for message in general]
