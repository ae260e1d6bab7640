"""The admin's pilots and indicators pages: a pilot list previewed before it is imported (a file
with a bad row writes nothing and names the row), the nationwide list with its search, and the
indicator system edited with a reason and its history, without touching a submitted task book."""
from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

import engine
from engine import indicators
from engine import reference
from engine.models import HumanTask
from tests.engine.test_reference import pilots
from tests.engine.test_reference import xlsx
from tests.helpers import World
from tests.processes.test_pilot_lifecycle import act
from tests.processes.test_pilot_lifecycle import through_scheme
from tests.webui.conftest import Browser


@pytest.fixture
def admin(app: Flask, tmp_path: Path, browser: Callable[[str], Browser]) -> Browser:
    app.config["IMPORT_DIR"] = tmp_path / "imports"
    return browser("admin")


def upload(admin: Browser, content: bytes, name: str, **fields: str) -> tuple[int, str]:
    r = admin.post("/admin/pilots/preview", {"file": (io.BytesIO(content), name), **fields},
                   csrf_from="/admin/pilots", content_type="multipart/form-data")
    return r.status_code, r.get_data(as_text=True)


def confirm_fields(html: str) -> dict[str, str]:
    form = html[html.index("data-confirm-import"):]
    return {n: v for n, v in re.findall(r'name="(digest|filename|batch_year)" type="hidden" value="([^"]*)"', form)}


def test_an_excel_file_with_a_bad_row_is_previewed_and_nothing_is_written(world: World, admin: Browser) -> None:
    before = pilots(world.db)
    status, html = upload(admin, xlsx([["省份", "名称", "级别"], ["浙江省", "舟山市", "市"],
                                       ["浙江省", "嘉兴市", "特大城市"]]), "浙江省试点.xlsx")
    assert status == 200
    assert 'data-line="2" data-status="new"' in html and 'data-line="3" data-status="bad"' in html
    assert "级别“特大城市”不是" in html and "请修改文件中的以下行后重新上传：3" in html
    assert "data-confirm-import" not in html  # no way to import a file with a bad row
    assert pilots(world.db) == before


def test_a_good_file_is_previewed_then_imported_on_confirmation(world: World, admin: Browser, app: Flask) -> None:
    before = pilots(world.db)
    status, html = upload(admin, xlsx([["province", "name", "level"], ["浙江省", "宁波市", "city"],
                                       ["甘肃省", "金昌市", "city"]]), "list.xlsx", batch_year="2013")
    assert status == 200 and "将新建以下省份：甘肃省" in html
    assert 'data-line="2" data-status="exists"' in html and pilots(world.db) == before
    fields = confirm_fields(html)
    assert fields["filename"] == "list.xlsx" and fields["batch_year"] == "2013"
    r = admin.post("/admin/pilots/import", fields, csrf_from="/admin/pilots")
    assert r.status_code == 302 and pilots(world.db) == before + 1
    page = admin.get("/admin/pilots?q=金昌").get_data(as_text=True)
    assert "已导入 1 个试点；1 个已存在。" in page and "金昌市" in page and "宁波市" not in page
    assert not list((Path(app.config["IMPORT_DIR"])).glob("*.upload"))  # the stash is gone once imported
    again = admin.post("/admin/pilots/import", fields, csrf_from="/admin/pilots")
    assert again.status_code == 400 and "请重新上传" in again.get_data(as_text=True)


@pytest.mark.parametrize(("content", "name", "words"), [
    (b"", "empty.csv", "文件是空的"),
    (b"\xd0\xcf\x11\xe0" + b"\0" * 64, "old.xls", "另存为 .xlsx"),
    ("名称,级别\n舟山市,市\n".encode(), "p.csv", "缺少以下列：province"),
    (b"PK\x03\x04broken", "b.xlsx", "不是可读取的 Excel"),
])
def test_an_unreadable_file_is_refused_in_words(world: World, admin: Browser, content: bytes, name: str,
                                                words: str) -> None:
    status, html = upload(admin, content, name)
    assert status == 400 and words in html and "data-preview" not in html


def test_a_forged_confirmation_imports_nothing(world: World, admin: Browser) -> None:
    before = pilots(world.db)
    r = admin.post("/admin/pilots/import", {"digest": "0" * 64, "filename": "x.csv"}, csrf_from="/admin/pilots")
    assert r.status_code == 400 and pilots(world.db) == before
    r = admin.post("/admin/pilots/import", {"digest": "../../etc/passwd", "filename": "x"}, csrf_from="/admin/pilots")
    assert r.status_code == 400


def test_the_list_shows_every_pilot_with_its_instances(world: World, admin: Browser) -> None:
    engine.start(world.db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])
    html = admin.get("/admin/pilots").get_data(as_text=True)
    row = html[html.index(f'data-pilot-id="{world.pilots["A1"]}"'):]
    assert "宁波市" in row[:400] and '<td class="text-end">1</td>' in row[:600]
    assert "南平市" in html and 'data-total="3"' in html


def test_an_indicator_is_changed_with_a_reason_and_its_history_shown(world: World, admin: Browser) -> None:
    html = admin.get("/admin/indicators").get_data(as_text=True)
    assert html.count("<tr data-code=") == 72 and "4 个一级指标、11 个二级指标、57 个三级指标" in html
    fields = {"name_zh": "组织机构与协调机制", "name_en": "Organizational structure", "description": "", "reason": ""}
    refused = admin.post("/admin/indicators/1.1.2", fields, csrf_from="/admin/indicators/1.1.2")
    assert refused.status_code == 400 and "请填写修改原因" in refused.get_data(as_text=True)
    r = admin.post("/admin/indicators/1.1.2", fields | {"reason": "按省厅意见调整"},
                   csrf_from="/admin/indicators/1.1.2")
    assert r.status_code == 302
    page = admin.get("/admin/indicators/1.1.2").get_data(as_text=True)
    assert "<del>组织机构</del> → <ins>组织机构与协调机制</ins>" in page and "按省厅意见调整" in page
    assert 'data-revision="edited"' in page and "措辞修改" in page


def test_a_third_level_indicator_is_added_and_retired_after_a_confirmation(world: World, admin: Browser) -> None:
    r = admin.post("/admin/indicators/4.1/children", {"new-name_zh": "数字经济", "new-name_en": "Digital economy",
                                                      "new-reason": "新增"}, csrf_from="/admin/indicators/4.1")
    assert r.status_code == 302 and r.headers["Location"].endswith("/admin/indicators/4.1.3")
    page = admin.get("/admin/indicators/4.1.3").get_data(as_text=True)
    assert 'data-confirm="确定停用指标 4.1.3' in page
    r = admin.post("/admin/indicators/4.1.3/retire", {"retire-reason": "试行期结束"},
                   csrf_from="/admin/indicators/4.1.3")
    assert r.status_code == 302
    assert "已停用" in admin.get("/admin/indicators/4.1.3").get_data(as_text=True)


def test_renaming_an_indicator_leaves_a_submitted_task_book_as_it_was(world: World, admin: Browser,
                                                                     browser: Callable[[str], Browser]) -> None:
    iid = engine.start(world.db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])
    through_scheme(world, iid)
    target = {"indicator_code": "1.3.1", "target_value": "建成四大基础数据库", "milestone_date": "2027-06-30",
              "responsible_unit": "宁波市大数据局"}
    act(world, "city_a1", iid, "submit_task_book", targets=[target])
    with world.db() as session:
        submitted = session.scalars(select(HumanTask).where(HumanTask.instance_id == iid,
                                                            HumanTask.bpmn_id == "submit_task_book")).one()
    indicators.edit(world.db, "1.3.1", user_id=world.uid("admin"), name_zh="城市大数据中心", name_en="City data centre",
                    description=None, reason="2016 年改称")
    after = engine.get_task(world.db, submitted.id, user_id=world.uid("admin"))
    assert after.task.data is not None and after.task.data["targets"] == [target]  # the data is what was submitted
    pilot_page = browser("prov_a").get(f"/pilots/{world.pilots['A1']}").get_data(as_text=True)
    assert "1.3.1 城市公共基础数据库" in pilot_page and "城市大数据中心" not in pilot_page
    task_page = browser("city_a1").get(f"/tasks/{submitted.id}").get_data(as_text=True)
    assert "1.3.1 城市公共基础数据库" in task_page and "城市大数据中心" not in task_page
    assert reference.shipped_indicators()[12]["code"] == "1.3.1"
