"""Definition parsing: hardened XML, SpiffWorkflow's parser, and our checks on a bundle.

A bundle is the set of files deployed together (BPMN, DMN, JSON Schema forms). Everything that
can be wrong with it is collected into one DeployError naming file, element and line; nothing
here touches the database.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import PurePath
from typing import Any

from jsonschema import SchemaError
from jsonschema.validators import validator_for
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.parser.process import VALIDATOR
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine import bpmn_checks
from engine import expressions
from engine.access import LANE_ROLES
from engine.bpmn_parser import LOOP_TOO_LONG
from engine.bpmn_parser import ChainBpmnParser
from engine.bpmn_parser import too_deep
from engine.errors import DeployError
from engine.errors import Problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
# Ids, process names and file names are stored in columns of this width (PostgreSQL enforces it).
MAX_NAME_CHARS = 200
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
log = logging.getLogger(__name__)
FORM_PROPERTY = "formJsonSchemaFilename"
UI_PROPERTY = "formUiSchemaFilename"

# No entities, no DTD, no network, no giant trees: uploads are hostile until proven otherwise.
SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)

# Elements whose text SpiffWorkflow evaluates as an expression ("eval") or runs as a script.
_EVAL_TAGS = {"conditionExpression", "timeDuration", "timeDate", "timeCycle", "loopCardinality",
              "completionCondition", "loopCondition", "condition", "messagePayload"}


@dataclass
class ParsedProcess:
    key: str
    name: str
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    needs_pilot: bool


@dataclass
class Bundle:
    """A validated set of definition files and the top-level processes they define."""

    files: dict[str, tuple[str, bytes]]  # name -> (kind, content)
    processes: list[ParsedProcess] = field(default_factory=list)


def file_kind(name: str) -> str | None:
    suffix = PurePath(name).suffix.lower()
    return {".bpmn": "bpmn", ".xml": "bpmn", ".dmn": "dmn", ".json": "form"}.get(suffix)


def parse_bundle(files: Iterable[tuple[str, bytes]], *, max_bytes: int, allow_scripts: bool,
                 services: Iterable[str] = ()) -> Bundle:
    """Parse and check a bundle; raise DeployError listing every problem."""
    problems: list[Problem] = []
    bundle, trees = _read_files(files, max_bytes, problems)
    if not any(kind == "bpmn" for kind, _ in bundle.files.values()):
        problems.append(Problem("", None, None, "no BPMN file given"))
    forms = {n: c for n, (k, c) in bundle.files.items() if k == "form"}
    for name, tree in trees.items():
        problems += _check_tree(name, tree, forms, allow_scripts=allow_scripts, services=set(services))
    if problems:
        raise DeployError(problems)
    parser = ChainBpmnParser(validator=VALIDATOR)
    _add_to_parser(parser, trees, bundle.files, problems)
    if not problems:
        problems += _check_references(parser, trees)
    if not problems:
        bundle.processes = _build_processes(parser, trees, problems)
    if problems:
        raise DeployError(problems)
    return bundle


def _read_files(files: Iterable[tuple[str, bytes]], max_bytes: int,
                problems: list[Problem]) -> tuple[Bundle, dict[str, Any]]:
    """Sort the files by kind and parse the XML ones safely (forms stay bytes)."""
    bundle = Bundle(files={})
    trees: dict[str, Any] = {}
    for path, content in files:
        name = PurePath(path).name
        kind = file_kind(name)
        if kind is None:
            problems.append(Problem(name, None, None, "unsupported file type (use .bpmn, .dmn or .json)"))
        elif name in bundle.files:
            problems.append(Problem(name, None, None, "the same file name was given twice"))
        elif len(name) > MAX_NAME_CHARS:
            problems.append(Problem(name[:MAX_NAME_CHARS] + "…", None, None,
                                    f"file name is longer than {MAX_NAME_CHARS} characters"))
        elif len(content) > max_bytes:
            problems.append(Problem(name, None, None, f"file is larger than {max_bytes} bytes"))
        else:
            bundle.files[name] = (kind, content)
            tree = _parse_xml(name, kind, content, problems) if kind != "form" else None
            if tree is not None:
                trees[name] = tree
    return bundle, trees


def _parse_xml(name: str, kind: str, content: bytes, problems: list[Problem]) -> Any:
    if not content.strip():
        problems.append(Problem(name, None, None, "the file is empty"))
        return None
    try:
        root = etree.fromstring(content, SAFE_XML)
    except etree.XMLSyntaxError as exc:
        problems.append(Problem(name, None, exc.lineno, f"not well-formed XML: {exc.msg}"))
        return None
    if root.getroottree().docinfo.doctype:
        problems.append(Problem(name, None, 1, "DOCTYPE declarations are not allowed"))
        return None
    found = bpmn_checks.root_problems(name, root, kind)
    problems += found
    return None if found else root


def _add_to_parser(parser: SpiffBpmnParser, trees: dict[str, Any], files: dict[str, tuple[str, bytes]],
                   problems: list[Problem]) -> None:
    # DMN first: business rule tasks look their decision up while the BPMN is parsed.
    for name in sorted(trees, key=lambda n: files[n][0] != "dmn"):
        try:
            if files[name][0] == "dmn":
                parser.add_dmn_xml(trees[name], filename=name)
            else:
                parser.add_bpmn_xml(trees[name], filename=name)
        except ValidationException as exc:
            problems.append(_from_validation(exc, name))
        except Exception:  # noqa: BLE001 - parser crashes on odd input become clean errors
            log.warning("SpiffWorkflow could not parse %s", name, exc_info=True)
            problems.append(Problem(name, None, None, "the parser could not read this file; check that it opens "
                                                      "in a BPMN modeler and that every element is connected"))


def _from_validation(exc: ValidationException, default_file: str) -> Problem:
    line = exc.line_number if isinstance(exc.line_number, int) else None
    message = LOOP_TOO_LONG if too_deep(exc) else bpmn_checks.readable(str(exc.args[0] if exc.args else exc).strip())
    return Problem(exc.file_name or default_file, bpmn_checks.short(exc.id or None), line, message)


def _elements(root: Any, ns: str, tags: set[str] | None = None) -> Iterator[Any]:
    for el in root.iter(f"{{{ns}}}*"):
        if tags is None or etree.QName(el).localname in tags:
            yield el


def _owner_id(el: Any) -> str | None:
    while el is not None:
        if el.get("id"):
            return str(el.get("id"))
        el = el.getparent()
    return None


def _check_tree(name: str, root: Any, forms: dict[str, bytes], *, allow_scripts: bool,
                services: set[str]) -> list[Problem]:
    problems: list[Problem] = []

    def report(el: Any, message: str) -> None:
        problems.append(Problem(name, _owner_id(el), el.sourceline, message))

    def check_source(el: Any, source: str | None, mode: str) -> None:
        hint = bpmn_checks.expression_hint(el, source)
        for msg in [hint] if hint else expressions.check(source or "", mode=mode):
            report(el, msg)

    for el in _elements(root, BPMN_NS, _EVAL_TAGS):
        if etree.QName(el.getparent()).localname != "correlationPropertyRetrievalExpression":
            check_source(el, el.text, "eval")
    _check_scripts(root, report, check_source, allow_scripts)
    for el in _elements(root, SPIFF_NS, {"parameter"}):
        check_source(el, el.get("value"), "eval")
    for el in _elements(root, SPIFF_NS, {"serviceTaskOperator"}):
        if el.get("id") not in services:
            known = ", ".join(sorted(services)) or "none"
            report(el.getparent().getparent(), f"unknown service operator {el.get('id')!r} (known: {known})")
    for el in _elements(root, BPMN_NS, {"userTask", "manualTask"}):
        problems += _check_forms(name, el, forms)
    problems += _check_lengths(name, root)
    problems += _check_structure(name, root, services)
    problems += _check_dmn(name, root)
    return problems


def _check_structure(name: str, root: Any, services: set[str]) -> list[Problem]:
    if etree.QName(root).namespace != BPMN_NS:
        return []
    return bpmn_checks.structure_problems(name, root) + bpmn_checks.service_problems(name, root, SPIFF_NS, services)


def _check_lengths(name: str, root: Any) -> list[Problem]:
    problems = [Problem(name, bpmn_checks.short(el.get("id")), el.sourceline,
                        f"id is longer than {MAX_NAME_CHARS} characters")
                for el in _elements(root, BPMN_NS) if len(el.get("id") or "") > MAX_NAME_CHARS]
    problems += [Problem(name, bpmn_checks.short(el.get("id")), el.sourceline,
                         f"process name is longer than {MAX_NAME_CHARS} characters")
                 for el in _elements(root, BPMN_NS, {"process"}) if len(el.get("name") or "") > MAX_NAME_CHARS]
    return problems


def _check_scripts(root: Any, report: Any, check_source: Any, allow_scripts: bool) -> None:
    if not allow_scripts:
        for el in _elements(root, BPMN_NS, {"scriptTask"}):
            report(el, "script tasks are disabled on this server (SCHEMEFLOW_ALLOW_SCRIPT_TASKS)")
        for el in _elements(root, SPIFF_NS, {"preScript", "postScript"}):
            report(el, "pre/post scripts are disabled on this server (SCHEMEFLOW_ALLOW_SCRIPT_TASKS)")
        return
    for el in _elements(root, BPMN_NS, {"script"}):
        check_source(el, el.text, "exec")
    for el in _elements(root, SPIFF_NS, {"preScript", "postScript"}):
        check_source(el, el.text, "exec")


def _check_forms(name: str, task: Any, forms: dict[str, bytes]) -> list[Problem]:
    problems = []
    for prop in task.iter(f"{{{SPIFF_NS}}}property"):
        key, value = prop.get("name"), prop.get("value")
        if key not in (FORM_PROPERTY, UI_PROPERTY):
            continue
        where = (name, task.get("id"), prop.sourceline)
        if value not in forms:
            problems.append(Problem(*where, f"form file {value!r} is missing from the deployment"))
            continue
        try:
            schema = json.loads(forms[value])
        except ValueError as exc:
            problems.append(Problem(value, task.get("id"), None, f"not valid JSON: {exc}"))
            continue
        if key == FORM_PROPERTY:
            problems += [Problem(value, task.get("id"), None, m) for m in form_schema_problems(schema)]
    return problems


def form_schema_problems(schema: Any) -> list[str]:
    """Why a JSON Schema cannot serve as a task form (empty when it can)."""
    if not isinstance(schema, dict):
        return ["a form must be a JSON object"]
    try:
        validator_for(schema).check_schema(schema)
    except SchemaError as exc:
        return [f"invalid JSON Schema at {'/'.join(map(str, exc.path)) or 'root'}: {exc.message}"]
    if schema.get("type", "object") != "object":
        return ['a form schema must have "type": "object"']
    return []


def _check_dmn(name: str, root: Any) -> list[Problem]:
    problems: list[Problem] = []
    ns = root.nsmap.get(None) or root.nsmap.get("dmn")
    if not ns or "DMN" not in ns.upper():
        return problems
    for el in root.iter(f"{{{ns}}}text"):
        parent = etree.QName(el.getparent()).localname
        text = (el.text or "").strip()
        if not text or text == "-":
            continue
        if parent == "inputEntry":
            msgs = _unary_test_problems(text)
        else:
            msgs = expressions.check(text, mode="eval")
        problems += [Problem(name, _owner_id(el), el.sourceline, m) for m in msgs]
    return problems


def _unary_test_problems(text: str) -> list[str]:
    # SpiffWorkflow's DMN engine turns "?" into the input value, or prefixes the input
    # ("< 60" -> "score < 60") when the entry alone is not an expression.
    if "?" in text:
        return expressions.check(text.replace("?", "dmninputexpr"), mode="eval")
    alone = expressions.check(text, mode="eval")
    if not alone or not expressions.check(f"dmninputexpr {text}", mode="eval"):
        return []
    return alone


def _check_references(parser: SpiffBpmnParser, trees: dict[str, Any]) -> list[Problem]:
    problems = []
    decisions = set(parser.dmn_parsers)
    for name, root in trees.items():
        for el in _elements(root, BPMN_NS, {"callActivity"}):
            if el.get("calledElement") not in parser.process_parsers:
                problems.append(Problem(name, el.get("id"), el.sourceline,
                                        f"called process {el.get('calledElement')!r} is not in this deployment"))
        for el in _elements(root, SPIFF_NS, {"calledDecisionId"}):
            if (el.text or "").strip() not in decisions:
                problems.append(Problem(name, _owner_id(el), el.sourceline,
                                        f"decision {el.text!r} is not in this deployment"))
    return problems


def _build_processes(parser: SpiffBpmnParser, trees: dict[str, Any], problems: list[Problem]) -> list[ParsedProcess]:
    called = {el.get("calledElement") for root in trees.values()
              for el in _elements(root, BPMN_NS, {"callActivity"})}
    lines = {el.get("id"): (name, el.sourceline) for name, root in trees.items()
             for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    result = []
    for key in parser.get_process_ids():
        if key in called:
            continue
        try:
            spec = parser.get_spec(key)
            subprocess_specs = parser.get_subprocess_specs(key)
        except ValidationException as exc:
            problems.append(_from_validation(exc, ""))
            continue
        except Exception as exc:  # noqa: BLE001
            log.warning("SpiffWorkflow could not build %s", key, exc_info=True)
            file, line = lines.get(key, ("", None))
            problems.append(Problem(file, key, line, LOOP_TOO_LONG if too_deep(exc) else
                                    "the process could not be built; check that every element is connected and "
                                    "every reference resolves"))
            continue
        lanes = set()
        for task_spec in _all_task_specs(spec, subprocess_specs):
            if not getattr(task_spec, "manual", False):
                continue
            lanes.add(task_spec.lane)
            if task_spec.lane not in LANE_ROLES:
                file, line = lines.get(task_spec.bpmn_id, ("", None))
                where = f"in lane {task_spec.lane!r}" if task_spec.lane else "outside any lane"
                problems.append(Problem(file, task_spec.bpmn_id, line,
                                        f"user task {where}; lanes must be one of {', '.join(LANE_ROLES)}"))
        result.append(ParsedProcess(key, spec.description or key, spec, subprocess_specs, "City" in lanes))
    if not result and not problems:
        problems += bpmn_checks.not_executable(trees)
    return result


def _all_task_specs(spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]) -> Iterator[Any]:
    for s in (spec, *subprocess_specs.values()):
        yield from s.task_specs.values()


def task_form(task_spec: Any) -> tuple[str | None, str | None]:
    """The form and UI-schema file names a user task names (SpiffArena's convention)."""
    props = (getattr(task_spec, "extensions", None) or {}).get("properties", {})
    return props.get(FORM_PROPERTY), props.get(UI_PROPERTY)
