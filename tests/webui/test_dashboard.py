"""Dashboard: figures for a small scenario, jurisdiction, CSV export, city users refused."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import timedelta

import engine
from tests.helpers import Clock
from tests.helpers import World
from tests.webui.conftest import Browser

SCHEME = {"scheme_title": "宁波市智慧城市试点实施方案", "objectives": "目标", "top_level_design": "顶层设计",
          "tasks_and_timeline": "任务与进度", "responsibilities": "职责", "safeguards": "保障措施"}


def scenario(world: World, at: Clock) -> None:
    """Two pilots started (A1, B1); A1 submitted in 2 h, sent back in 4 h, round 2 open; A2 not
    started; 35 days later B1's submission is 5 days overdue and A1's round 2 is 4 days overdue."""
    t0 = at.current
    a1 = engine.start(world.db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])
    engine.start(world.db, "pilot_lifecycle", user_id=world.uid("prov_b"), pilot_id=world.pilots["B1"])
    at.advance(hours=2)
    world.do("city_a1", a1, "submit_scheme", SCHEME)
    at.advance(hours=4)
    world.do("prov_a", a1, "review_scheme", {"decision": "revise", "comment": "请补充顶层设计"})
    at.set(t0 + timedelta(days=35))


def table(html: str, table_id: str) -> list[list[str]]:
    body = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, f"no table {table_id}"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.S)]
            for r in rows]


def test_figures_for_the_ministry(world: World, at: Clock, browser: Callable[[str], Browser]) -> None:
    scenario(world, at)
    r = browser("ministry").get("/dashboard/")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert table(html, "table-stages")[0] == ["提交实施方案", "2"]
    stages = dict(re.findall(r'data-stage="(\w+)"><td>[^<]*</td><td class="text-end">(\d+)</td>', html))
    assert stages == {"submit_scheme": "2", "completed": "0", "not_started": "1"}
    overdue = table(html, "table-overdue")
    assert [(row[0], row[4]) for row in overdue] == [("南平市", "5"), ("宁波市", "4")]
    rounds = {(row[0], row[2]): row[4] for row in table(html, "table-rounds")}
    assert rounds == {("宁波市", "提交实施方案"): "1", ("南平市", "提交实施方案"): "0"}
    steps = {row[0]: row[1:] for row in table(html, "table-steps")}
    assert steps == {"审核实施方案": ["1", "4", "4"], "提交实施方案": ["1", "2", "2"]}
    assert 'id="chart-data"' in html and "js/charts.js" in html and 'data-chart="stages"' in html


def test_provincial_user_sees_only_its_province(world: World, at: Clock, browser: Callable[[str], Browser]) -> None:
    scenario(world, at)
    b = browser("prov_b")
    html = b.get(f"/dashboard/?province={world.provinces['A']}").get_data(as_text=True)
    assert [row[0] for row in table(html, "table-overdue")] == ["南平市"]
    assert [row[0] for row in table(html, "table-rounds")] == ["南平市"]
    assert "宁波市" not in html and 'data-empty="steps"' in html
    csv_text = b.get(f"/dashboard/export.csv?table=overdue&province={world.provinces['A']}").get_data(as_text=True)
    assert "南平市" in csv_text and "宁波市" not in csv_text


def test_province_filter_for_nationwide_users(world: World, at: Clock, browser: Callable[[str], Browser]) -> None:
    scenario(world, at)
    html = browser("admin").get(f"/dashboard/?province={world.provinces['A']}").get_data(as_text=True)
    assert [row[0] for row in table(html, "table-overdue")] == ["宁波市"]
    assert f'table=overdue&amp;province={world.provinces["A"]}' in html  # export keeps the filter


def test_city_users_get_403(world: World, browser: Callable[[str], Browser]) -> None:
    b = browser("city_a1")
    assert b.get("/dashboard/").status_code == 403
    assert b.get("/dashboard/export.csv?table=overdue").status_code == 403


def test_csv_export(world: World, at: Clock, browser: Callable[[str], Browser]) -> None:
    scenario(world, at)
    b = browser("ministry")
    r = b.get("/dashboard/export.csv?table=overdue")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/csv") and "utf-8" in r.headers["Content-Type"]
    assert r.headers["Content-Disposition"].startswith('attachment; filename="dashboard-overdue-')
    raw = r.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the file as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:2] == ["试点", "省份"] and len(rows[0]) == 8
    assert [(row[0], row[1], row[5]) for row in rows[1:]] == [("南平市", "福建省", "5"), ("宁波市", "浙江省", "4")]
    rounds = list(csv.reader(io.StringIO(b.get("/dashboard/export.csv?table=rounds").get_data().decode("utf-8-sig"))))
    assert sorted((row[0], row[3], row[4]) for row in rounds[1:]) == [("南平市", "1", "0"), ("宁波市", "2", "1")]
    steps = list(csv.reader(io.StringIO(b.get("/dashboard/export.csv?table=steps").get_data().decode("utf-8-sig"))))
    assert {row[1]: row[2:] for row in steps[1:]} == {"review_scheme": ["1", "4.0", "4.0"],
                                                      "submit_scheme": ["1", "2.0", "2.0"]}
    stages = list(csv.reader(io.StringIO(b.get("/dashboard/export.csv?table=stages").get_data().decode("utf-8-sig"))))
    assert {row[1]: row[2] for row in stages[1:]} == {"submit_scheme": "2", "completed": "0", "not_started": "1"}
    assert b.get("/dashboard/export.csv?table=nope").status_code == 400


def test_empty_dashboard(world: World, browser: Callable[[str], Browser]) -> None:
    html = browser("prov_a").get("/dashboard/").get_data(as_text=True)
    assert 'data-empty="overdue"' in html and 'data-empty="rounds"' in html and 'data-empty="steps"' in html
    assert [row[1] for row in table(html, "table-stages")] == ["0", "2"]  # completed 0, not started 2
