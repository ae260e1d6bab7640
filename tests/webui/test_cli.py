"""The `schemeflow` command as an operator uses it: clear messages, non-zero exit on failure."""
from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from click.testing import Result
from sqlalchemy import func
from sqlalchemy import select

import engine
from config import Config
from engine.models import HumanTask
from engine.models import Instance
from engine.models import Pilot
from engine.models import User
from tests.conftest import DATA
from webui.cli import main

PASSWORD = "Sturdy-Passw0rd"


def run(cli: CliRunner, *args: str, stdin: str | None = None) -> Result:
    return cli.invoke(main, list(args), input=stdin)


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "pilots.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_commands_refuse_an_uninitialised_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Config, "DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    result = CliRunner().invoke(main, ["user", "token", "x"])
    assert result.exit_code != 0 and "init-db" in result.output


def test_import_pilots_reads_rows_and_is_idempotent(cli: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "province,name,level\n浙江省,测试市,city\n福建省,样例区,区\n")
    assert "Imported 2 pilot(s)" in run(cli, "import-pilots", path).output
    assert "Imported 0 pilot(s); 2 already present" in run(cli, "import-pilots", path).output


def test_import_pilots_reports_every_bad_row_and_writes_nothing(cli: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "province,name,level\n浙江省,好市,city\n浙江省,,planet\n,某县,county\n")
    result = run(cli, "import-pilots", path)
    assert result.exit_code == 1
    assert "line: 3" in result.output and "line: 4" in result.output and "planet" in result.output
    ok = write(tmp_path, "province,name,level\n浙江省,好市,city\n")
    assert "Imported 1 pilot(s)" in run(cli, "import-pilots", ok).output  # the good row was not kept before


def test_import_pilots_needs_the_columns(cli: CliRunner, tmp_path: Path) -> None:
    result = run(cli, "import-pilots", write(tmp_path, "prov,city\nx,y\n"))
    assert result.exit_code == 1 and "province, name, level" in result.output


def test_import_pilots_reads_excel_and_a_dry_run_writes_nothing(cli: CliRunner, tmp_path: Path) -> None:
    from tests.engine.test_reference import xlsx

    path = tmp_path / "pilots.xlsx"
    path.write_bytes(xlsx([["省份", "名称", "级别"], ["浙江省", "舟山市", "市"], ["甘肃省", "金昌市", "city"]]))
    assert "Would import 2 pilot(s)" in run(cli, "import-pilots", "--dry-run", str(path)).output
    assert "Imported 2 pilot(s)" in run(cli, "import-pilots", "--batch-year", "2013", str(path)).output
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([["province", "name", "level"], ["浙江省", "嘉兴市", "planet"]]))
    result = run(cli, "import-pilots", str(bad))
    assert result.exit_code == 1 and "line: 2" in result.output and "planet" in result.output


def test_user_add_reads_the_password_twice(cli: CliRunner) -> None:
    ok = run(cli, "user", "add", "root", "--role", "admin", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert ok.exit_code == 0, ok.output
    differ = run(cli, "user", "add", "root2", "--role", "admin", stdin=f"{PASSWORD}\nother-password\n")
    assert differ.exit_code == 1 and "differ" in differ.output
    again = run(cli, "user", "add", "root", "--role", "admin", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert again.exit_code == 1 and "already exists" in again.output
    short = run(cli, "user", "add", "root3", "--role", "admin", stdin="short\nshort\n")
    assert short.exit_code == 1 and "at least" in short.output


def test_a_city_user_needs_a_pilot_and_a_reviewer_a_province(cli: CliRunner) -> None:
    city = run(cli, "user", "add", "c", "--role", "city", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert city.exit_code == 1 and "pilot" in city.output
    prov = run(cli, "user", "add", "p", "--role", "province", "--province", "火星省", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert prov.exit_code == 1 and "province" in prov.output


def test_user_token_prints_a_new_token_each_time(cli: CliRunner) -> None:
    run(cli, "user", "add", "root", "--role", "admin", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    first, second = (run(cli, "user", "token", "root").output.strip() for _ in range(2))
    assert len(first) >= 32 and first != second
    assert run(cli, "user", "token", "ghost").exit_code == 1


def test_deploy_reports_problems_and_exits_1(cli: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.bpmn"
    bad.write_bytes(b"<definitions")
    result = run(cli, "deploy", str(bad))
    assert result.exit_code == 1 and "bad.bpmn" in result.output and "well-formed" in result.output
    files = [str(DATA / n) for n in ("two_step.bpmn", "submit-schema.json", "review-schema.json")]
    assert "two_step version 1: deployed" in run(cli, "deploy", *files).output
    assert "unchanged" in run(cli, "deploy", *files).output


def test_worker_once_fires_due_timers_and_exits(cli: CliRunner) -> None:
    result = run(cli, "worker", "--once")
    assert result.exit_code == 0 and "Fired timers on 0 instance(s)" in result.output


def test_demo_loads_a_first_look_says_what_to_try_and_can_run_again(cli: CliRunner,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        first = run(cli, "demo")
    assert first.exit_code == 0, first.output
    # not drowned in library logs: SpiffWorkflow logs every task state change at INFO
    assert [r.name for r in caplog.records if r.name.lower().startswith("spiff")] == []
    check_try_first(first.output)
    logins = [line.split() for line in first.output.splitlines() if "open tasks" in line and line.startswith("  ")]
    roles = {parts[1] for parts in logins}
    assert roles == {"admin", "ministry", "province", "city"}
    # Someone of each working role has something to do on signing in.
    assert any(p[1] == "province" and int(p[2]) > 0 for p in logins)
    assert any(p[1] == "city" and int(p[2]) > 0 for p in logins)
    assert any(p[1] == "ministry" and int(p[2]) > 0 for p in logins)
    assert "Instances: " in first.output and "Instances: 0 " not in first.output
    before = counts()
    again = run(cli, "demo")
    assert again.exit_code == 0, again.output
    assert "Instances: 0 pilot lifecycles" in again.output  # nothing doubled
    assert counts() == before


def check_try_first(output: str) -> None:
    """After the login table, a login per role to try first: the ones with most to show."""
    assert "Try first:" in output
    logins, hints = output.split("Try first:")
    open_tasks = {p[0]: int(p[2]) for p in (line.split() for line in logins.splitlines())
                  if len(p) > 3 and p[3] == "open"}
    tried: dict[str, str] = {}  # role -> the first login named for it
    for p in (line.split() for line in hints.splitlines()):
        if len(p) > 1:
            tried.setdefault(p[0], p[1])
    assert {"city", "province", "ministry", "admin"} <= tried.keys()
    assert all(open_tasks[tried[role]] > 0 for role in ("city", "province", "ministry"))
    provincial = [n for n in open_tasks if n.startswith("province")]
    assert open_tasks[tried["province"]] == max(open_tasks[n] for n in provincial)  # the most to review
    assert re.search(r"city\S*\s+\S+: 提交实施方案, round [3-5] ", hints)  # a revision after two 退回修改
    assert "转办" in hints


def counts() -> dict[str, int]:
    """Rows per table in the CLI test's database."""
    db = engine.make_sessionmaker(Config.DATABASE_URL)
    with db() as s:
        found = {model.__tablename__: s.scalar(select(func.count()).select_from(model)) or 0
                 for model in (Instance, HumanTask, User, Pilot)}
    db.kw["bind"].dispose()
    return found


@pytest.mark.parametrize("pilot", ["999999999999999999999999", str(2**63), str(2**31), "0"])
def test_user_add_with_an_impossible_pilot_id_is_a_clear_error(cli: CliRunner, pilot: str) -> None:
    result = run(cli, "user", "add", "c", "--role", "city", "--pilot", pilot, stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 1 and "existing pilot" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_user_add_with_a_display_name_too_long_to_store_is_a_clear_error(cli: CliRunner) -> None:
    result = run(cli, "user", "add", "d", "--role", "admin", "--display-name", "名" * 201,
                 stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 1 and "at most 200 characters" in result.output


def test_user_add_refuses_a_common_password_or_one_with_the_username(cli: CliRunner) -> None:
    common = run(cli, "user", "add", "root4", "--role", "admin", stdin="password12\npassword12\n")
    assert common.exit_code == 1 and "common" in common.output
    named = run(cli, "user", "add", "root5", "--role", "admin", stdin="root5-2026-x\nroot5-2026-x\n")
    assert named.exit_code == 1 and "username" in named.output
