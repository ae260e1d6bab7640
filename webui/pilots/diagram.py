"""The process diagram as its reader reads it: BPMN XML whose labels are in the interface language.

Element names written "中文 / English" keep the half of the user's language (``webui.i18n.pick``),
and a lane named after an engine role (City, Province, Ministry, Admin) is labelled with who works
in it. The XML is parsed with the engine's hardened parser (no entities, no DTD, no network);
nothing but labels changes.
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from lxml import etree

from engine import BPMN_NS
from engine import LANE_ROLES
from engine import SAFE_XML
from engine import Role
from webui.i18n import pick
from webui.layout import role_label

# Who works in each lane, in the programme's words (a role label names one person instead).
# Short enough for the narrowest lane (220 units high) in either language.
LANE_LABELS = {Role.CITY: _l("Pilot city"), Role.PROVINCE: _l("Provincial department"),
               Role.MINISTRY: _l("Ministry (MOHURD)")}

_BPMN = f"{{{BPMN_NS}}}"


def lane_label(name: str) -> str:
    """A lane's label: who works in it when the lane is named after a role, else its name picked."""
    role = LANE_ROLES.get(name.strip())
    if role is None:
        return pick(name)
    return str(LANE_LABELS.get(role) or role_label(role))


def localized_diagram(xml: bytes) -> bytes:
    """The diagram's XML with every label (names, text annotations, group categories) localized."""
    root = etree.fromstring(xml, SAFE_XML)
    for el in root.iter(f"{_BPMN}*"):
        _relabel(el)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _relabel(el: Any) -> None:
    local = etree.QName(el).localname
    name = el.get("name")
    if name is not None:
        el.set("name", lane_label(name) if local == "lane" else pick(name))
    if local == "categoryValue" and el.get("value") is not None:
        el.set("value", pick(el.get("value")))
    if local == "text" and el.text:  # a text annotation's body
        el.text = pick(el.text)
