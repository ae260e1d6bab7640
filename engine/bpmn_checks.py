"""Checks of a BPMN file's structure before SpiffWorkflow reads it, and readable words for what
the schema validator and the parser say: what other modelers (Camunda, Signavio, Zeebe, the MIWG
reference models) write that we cannot run is named as such, with what to do instead.

Pure functions over lxml trees; each returns Problems naming file, element and line.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from engine.errors import Problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DMN_NAMESPACES = ("https://www.omg.org/spec/DMN/20191111/MODEL/", "http://www.omg.org/spec/DMN/20180521/MODEL/",
                  "https://www.omg.org/spec/DMN/20230324/MODEL/", "http://www.omg.org/spec/DMN/20151101/dmn.xsd")
MAX_ID_SHOWN = 60
MAX_MESSAGE = 400
# Attributes that name another element of the same file by its id.
_REFERENCES = {"sequenceFlow": ("sourceRef", "targetRef"), "messageFlow": ("sourceRef", "targetRef"),
               "boundaryEvent": ("attachedToRef",), "exclusiveGateway": ("default",),
               "inclusiveGateway": ("default",), "complexGateway": ("default",),
               "messageEventDefinition": ("messageRef",), "errorEventDefinition": ("errorRef",),
               "signalEventDefinition": ("signalRef",), "escalationEventDefinition": ("escalationRef",),
               "participant": ("processRef",)}
_ISO_TIME = re.compile(r"^(R\d*/)?(P[\dYMWDTHS.,]+|\d{4}-\d\d-\d\d[T\d:.+\-Z]*)(/P[\dYMWDTHS.,]+)?$")
_JUEL = re.compile(r"^\s*[$#]\{")


def short(text: str | None, limit: int = MAX_ID_SHOWN) -> str | None:
    return text if text is None or len(text) <= limit else text[:limit] + "…"


def _bpmn(root: Any, tag: str | None = None) -> Iterator[Any]:
    yield from root.iter(f"{{{BPMN_NS}}}{tag or '*'}")


def root_problems(name: str, root: Any, kind: str) -> list[Problem]:
    """A .bpmn file must be BPMN 2.0 (bpmn:definitions); a .dmn file DMN."""
    qname = etree.QName(root)
    if kind == "dmn":
        if qname.namespace in DMN_NAMESPACES and qname.localname == "definitions":
            return []
        return [Problem(name, None, root.sourceline, "this is not a DMN 1.x decision file (its root element is "
                                                     f"{qname.localname!r})")]
    if qname.namespace == BPMN_NS and qname.localname == "definitions":
        return []
    if qname.namespace in DMN_NAMESPACES:
        what = "a DMN decision file: name it .dmn"
    elif qname.localname == "definitions" and "bpmn" in (qname.namespace or "").lower():
        what = f"written in another BPMN namespace ({qname.namespace}); BPMN 2.0 uses {BPMN_NS}"
    else:
        what = f"its root element is {qname.localname!r}, not BPMN 2.0 definitions"
    return [Problem(name, None, root.sourceline, f"this is not a BPMN 2.0 file: {what}")]


def structure_problems(name: str, root: Any) -> list[Problem]:
    """Ids given twice, references to ids the file does not have, timers without a time."""
    problems: list[Problem] = []
    first: dict[str, int | None] = {}
    for el in root.iter():
        el_id = el.get("id") if isinstance(el.tag, str) else None
        if el_id and el_id in first:
            problems.append(Problem(name, short(el_id), el.sourceline,
                                    f"the id is used twice (first on line {first[el_id]}); every id must be unique"))
        elif el_id:
            first[el_id] = el.sourceline
    return problems + _dangling(name, root, set(first)) + _timers(name, root)


def _dangling(name: str, root: Any, ids: set[str]) -> list[Problem]:
    problems = []
    for tag, attributes in _REFERENCES.items():
        for el in _bpmn(root, tag):
            for target in (el.get(a) for a in attributes):
                if target and target not in ids:
                    attribute = next(a for a in attributes if el.get(a) == target)
                    problems.append(Problem(name, short(el.get("id")), el.sourceline,
                                            f"{attribute} names {short(target)!r}, which is not in this file"))
    for ref in _bpmn(root, "flowNodeRef"):
        if (ref.text or "").strip() not in ids:
            problems.append(Problem(name, short(ref.getparent().get("id")), ref.sourceline,
                                    f"the lane lists {short((ref.text or '').strip())!r}, which is not in this file"))
    return problems


def _timers(name: str, root: Any) -> list[Problem]:
    return [Problem(name, short(timer.getparent().get("id")), timer.sourceline,
                    "the timer has no time: give it a duration, a date or a cycle")
            for timer in _bpmn(root, "timerEventDefinition")
            if not any(isinstance(c.tag, str) and etree.QName(c).localname in ("timeDuration", "timeDate", "timeCycle")
                       for c in timer)]


def service_problems(name: str, root: Any, spiff_ns: str, services: set[str]) -> list[Problem]:
    """A service task runs one of our registered operators; another engine's job type does not run here."""
    known = ", ".join(sorted(services)) or "none"
    return [Problem(name, short(task.get("id")), task.sourceline,
                    "the service task names no operator (spiffworkflow:serviceTaskOperator); another engine's "
                    f"task type is not run here; known operators: {known}")
            for task in _bpmn(root, "serviceTask") if next(task.iter(f"{{{spiff_ns}}}serviceTaskOperator"), None)
            is None]


def expression_hint(el: Any, source: str | None) -> str | None:
    """What to write instead of another engine's expression, or None when it is ours to check."""
    text = (source or "").strip()
    language = el.get("language")
    if language and language.lower() not in ("python", "spiff"):
        return f"expressions in {language!r} are not run here; write a Python-like expression (e.g. approved == True)"
    if _JUEL.match(text):
        return ("this is a Camunda (JUEL) expression ${…}; schemeflow runs Python-like expressions: "
                "write e.g. approved == True")
    if etree.QName(el).localname in ("timeDuration", "timeDate", "timeCycle") and _ISO_TIME.match(text):
        return f'a time is an expression here: put it in quotes, "{short(text)}"'
    return None


def not_executable(trees: dict[str, Any]) -> list[Problem]:
    """Why a bundle has no process to run: every process is marked non-executable, or there is none."""
    problems = []
    for name, root in trees.items():
        for process in _bpmn(root, "process"):
            if process.get("isExecutable") == "false":
                label = f" ({short(process.get('name'))})" if process.get("name") else ""
                problems.append(Problem(name, short(process.get("id")), process.sourceline,
                                        f'the process{label} is marked not executable (isExecutable="false"): '
                                        "open it in the process editor and make it executable"))
    if problems:
        return problems
    files = [n for n, root in trees.items() if etree.QName(root).namespace == BPMN_NS] or list(trees) or [""]
    return [Problem(files[0], None, None, "there is no process to run: the file has only pools without a "
                                          "process, or nothing at all")]


def readable(message: str) -> str:
    """A schema validator's or parser's message with namespaces as prefixes and long lists cut."""
    text = message.replace(f"{{{BPMN_NS}}}", "bpmn:")
    text = re.sub(r"\{https?://[^}]*\}", "", text)
    text = text.replace("is not a valid value of the atomic type 'xs:ID'", "is not a valid id (or is used twice)")
    text = re.sub(r"Expected is one of \(([^)]*)\)", lambda m: _first_few(m.group(1)), text)
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + "…"


def _first_few(listing: str) -> str:
    names = [n.strip() for n in listing.split(",") if n.strip()]
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    return "Expected one of " + ", ".join(names[:5]) + more
