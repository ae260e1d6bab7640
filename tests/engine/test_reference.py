"""Importing pilots from CSV and Excel: a preview before anything is written, every bad row named,
all or nothing, only administrators, and hostile files refused with a reason."""
from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

import engine
from engine import reference
from engine import tables
from engine.models import AuditEvent
from engine.models import Pilot
from tests.helpers import World


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pilots(db: sessionmaker[Session]) -> int:
    with db() as session:
        return session.scalar(select(func.count()).select_from(Pilot)) or 0


def test_a_preview_sorts_rows_into_new_existing_and_bad_and_writes_nothing(world: World) -> None:
    before = pilots(world.db)
    content = xlsx([["省份", "名称", "级别", "批次"], ["浙江省", "宁波市", "city", None],
                    ["浙江省", "舟山市", "市", 2013], ["新疆维吾尔自治区", "克拉玛依市", "city", 2013.0],
                    ["浙江省", "", "planet", None], ["浙江省", "舟山市", "city", None]])
    preview = reference.preview_pilots(world.db, "list.xlsx", content, user_id=world.uid("admin"))
    assert preview.kind == "xlsx" and not preview.ok
    status = {r.line: r.status for r in preview.rows}
    assert status == {2: "exists", 3: "new", 4: "new", 5: "bad", 6: "bad"}
    bad = {r.line: [p.code for p in r.problems] for r in preview.rows if r.problems}
    assert bad == {5: ["name_empty", "level_unknown"], 6: ["duplicate"]}
    assert preview.rows[5 - 2].problems[1].value == "planet" and preview.rows[6 - 2].problems[0].value == "3"
    assert preview.rows[1].batch_year == 2013 and preview.new_provinces == ["新疆维吾尔自治区"]
    assert pilots(world.db) == before


def test_an_excel_import_with_a_bad_row_writes_nothing_and_names_the_row(world: World) -> None:
    before = pilots(world.db)
    content = xlsx([["province", "name", "level"], ["浙江省", "舟山市", "city"], ["浙江省", "嘉兴市", "metropolis"]])
    with pytest.raises(engine.InvalidData) as refused:
        reference.import_pilots(world.db, content, filename="list.xlsx", user_id=world.uid("admin"))
    assert refused.value.reason == "import_bad_rows"
    assert refused.value.details == [{"line": 3, "message": "level 'metropolis' is not one of city, district, "
                                                           "county, town"}]
    assert pilots(world.db) == before


def test_a_good_file_is_written_in_one_transaction_and_audited(world: World) -> None:
    content = xlsx([["province", "name", "level"], ["浙江省", "舟山市", "city"], ["甘肃省", "金昌市", "city"]])
    assert reference.import_pilots(world.db, content, filename="l.xlsx", user_id=world.uid("admin"),
                                   batch_year=2013) == (2, 0)
    assert reference.import_pilots(world.db, content, filename="l.xlsx", user_id=world.uid("admin")) == (0, 2)
    rows = reference.pilot_register(world.db, user_id=world.uid("admin"), search="金昌")
    assert [(r.province, r.name, r.level, r.batch_year, r.instances) for r in rows] == [
        ("甘肃省", "金昌市", "city", 2013, 0)]
    with world.db() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "pilots_imported")).first()
        assert event is not None and event.actor_id == world.uid("admin")
        assert event.data_after["provinces_created"] == ["甘肃省"]


def test_the_register_counts_each_pilots_instances(world: World) -> None:
    engine.start(world.db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])
    rows = {r.id: r.instances for r in reference.pilot_register(world.db, user_id=engine.SYSTEM)}
    assert rows[world.pilots["A1"]] == 1 and rows[world.pilots["A2"]] == 0


@pytest.mark.parametrize("who", ["city_a1", "prov_a", "ministry"])
def test_only_administrators_preview_import_and_list(world: World, who: str) -> None:
    content = "province,name,level\n浙江省,舟山市,city\n"
    for call in (lambda: reference.preview_pilots(world.db, "p.csv", content, user_id=world.uid(who)),
                 lambda: reference.import_pilots(world.db, content, user_id=world.uid(who)),
                 lambda: reference.pilot_register(world.db, user_id=world.uid(who))):
        with pytest.raises(engine.Forbidden):
            call()


def test_a_csv_from_chinese_excel_is_read_as_gb18030(world: World) -> None:
    content = "省份,名称,级别\r\n浙江省,舟山市,市\r\n".encode("gb18030")
    preview = reference.preview_pilots(world.db, "p.csv", content, user_id=engine.SYSTEM)
    assert [(r.province, r.name, r.level) for r in preview.rows] == [("浙江省", "舟山市", "city")]


def test_a_missing_column_is_named(world: World) -> None:
    with pytest.raises(engine.InvalidData) as refused:
        reference.preview_pilots(world.db, "p.xlsx", xlsx([["省份", "名称"], ["浙江省", "舟山市"]]),
                                 user_id=engine.SYSTEM)
    assert refused.value.reason == "import_columns" and refused.value.params == {"missing": "level"}


def test_formulas_are_read_as_stored_values_never_run(world: World) -> None:
    content = xlsx([["province", "name", "level"], ["浙江省", '=HYPERLINK("http://x.test","舟山市")', "city"],
                    ["浙江省", "+舟山", "city"]])
    preview = reference.preview_pilots(world.db, "f.xlsx", content, user_id=engine.SYSTEM)
    # openpyxl writes no cached value: the formula cell reads as empty; text that looks like a
    # formula is refused, so no export can turn it into one.
    assert [[p.code for p in r.problems] for r in preview.rows] == [["name_empty"], ["formula"]]


def bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (tables.MAX_UNPACKED + 1) + b"/>")
    return out.getvalue()


def entities() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(xlsx([["province", "name", "level"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + data
            archive.writestr(item, data)
    return out.getvalue()


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("empty.csv", b"", "import_empty"),
    ("big.csv", b"province,name,level\n" + b"x" * tables.MAX_BYTES, "import_too_large"),
    ("bomb.xlsx", bomb(), "import_too_large"),
    ("entities.xlsx", entities(), "import_unreadable"),
    ("broken.xlsx", b"PK\x03\x04 not really a zip", "import_unreadable"),
    ("renamed.xlsx", b"province,name,level\n", "import_unreadable"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "import_old_excel"),
    ("binary.csv", bytes(range(256)) * 4, "import_not_text"),
    ("rows.csv", ("province,name,level\n" + "浙江省,x,city\n" * (tables.MAX_ROWS + 5)).encode(),
     "import_too_many_rows"),
])
def test_hostile_and_broken_files_are_refused_with_a_reason(world: World, name: str, content: bytes,
                                                            reason: str) -> None:
    with pytest.raises(engine.InvalidData) as refused:
        reference.preview_pilots(world.db, name, content, user_id=engine.SYSTEM)
    assert refused.value.reason == reason


def test_an_oversized_sheet_stops_at_the_row_cap() -> None:
    rows = [["浙江省", f"试点{n}", "city"] for n in range(tables.MAX_ROWS + 3)]
    content = xlsx([["province", "name", "level"], *rows])
    with pytest.raises(engine.InvalidData) as refused:
        tables.read_table("many.xlsx", content)
    assert refused.value.reason == "import_too_many_rows"
