"""Any BPMN 2.0 file is deployed or refused with a readable list of problems: files after Camunda
Modeler (7 and 8/Zeebe), Signavio and the BPMN MIWG reference models, collaborations of several
pools, non-executable models, models without DI, broken references, odd encodings, huge ids and
files that are not BPMN at all (tests/data/bpmn_corpus/)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

import engine
from tests.conftest import DATA

CORPUS = DATA / "bpmn_corpus"
# What each file comes to: the keys deployed, or words of its first problem.
EXPECTED: dict[str, list[str] | str] = {
    "broken_references.bpmn": "attachedToRef names 'missing_task'",
    "call_activity_elsewhere.bpmn": "called process 'annual_report_elsewhere' is not in this deployment",
    "camunda_collaboration.bpmn": "Camunda (JUEL) expression",
    "camunda_timer_cycle.bpmn": "Camunda (JUEL) expression",
    "collaboration_only.bpmn": "there is no process to run",
    "dangling_flow.bpmn": "targetRef names 'nowhere'",
    "dmn_named_bpmn.bpmn": "a DMN decision file: name it .dmn",
    "duplicate_ids.bpmn": "the id is used twice",
    "empty.bpmn": "the file is empty",
    "empty_timer_and_links.bpmn": "the timer has no time",
    "event_subprocess_boundary.bpmn": ["corpus_b2"],
    "executable_pools_with_lanes.bpmn": ["corpus_city", "corpus_province"],
    "huge_ids.bpmn": "id is longer than 200 characters",
    "loops_and_multi_instance.bpmn": "Camunda (JUEL) expression",
    "message_correlation.bpmn": "messageRef names 'undefined_message'",
    "miwg_a_1_0.bpmn": 'marked not executable (isExecutable="false")',
    "miwg_no_executable_attribute.bpmn": ["report_to_ministry"],
    "not_bpmn.bpmn": "this is not a BPMN 2.0 file",
    "old_namespace.bpmn": "another BPMN namespace",
    "participant_to_missing_process.bpmn": "processRef names 'not_here'",
    "schema_invalid.bpmn": "Element 'bpmn:approvalTask': This element is not expected",
    "signavio_non_executable.bpmn": 'the process (年度自评价) is marked not executable',
    "truncated.bpmn": "not well-formed XML",
    "utf16_bom.bpmn": ["corpus_utf16_city", "corpus_utf16_province"],
    "utf8_bom.bpmn": ["corpus_bom_city", "corpus_bom_province"],
    "whitespace.bpmn": "the file is empty",
    "zeebe_service_task.bpmn": "the service task names no operator",
}
# What a developer would read but an admin would not: Python's words, tracebacks, namespaces in braces.
UNREADABLE = re.compile(r"Traceback|\b\w+(Error|Exception)\b|NoneType|has no attribute|object is not|\{http")


def assert_readable(problems: list[dict[str, object]], name: str) -> None:
    assert problems, "a refusal lists its problems"
    for problem in problems:
        message = str(problem["message"])
        assert problem["file"] == name, problem
        assert message and not UNREADABLE.search(message), problem
        assert len(message) <= 500 and len(str(problem["element"] or "")) <= 61, problem


def test_the_corpus_is_what_the_table_says() -> None:
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_file_is_deployed_or_refused_readably(db: sessionmaker[Session], name: str) -> None:
    content = (CORPUS / name).read_bytes()
    expected = EXPECTED[name]
    try:
        deployed = engine.deploy(db, [(name, content)], user_id=engine.SYSTEM)
    except engine.DeployError as exc:
        assert_readable(exc.details, name)
        assert isinstance(expected, str), f"{name} was refused: {exc.message}"
        assert expected in exc.problems[0].message, exc.message
        return
    assert [d.key for d in deployed] == expected


def test_a_refusal_reports_every_file_of_a_bundle(db: sessionmaker[Session]) -> None:
    files = [(n, (CORPUS / n).read_bytes()) for n in ("dangling_flow.bpmn", "not_bpmn.bpmn", "empty.bpmn")]
    with pytest.raises(engine.DeployError) as refused:
        engine.deploy(db, files, user_id=engine.SYSTEM)
    assert {p.file for p in refused.value.problems} == {"dangling_flow.bpmn", "not_bpmn.bpmn", "empty.bpmn"}
