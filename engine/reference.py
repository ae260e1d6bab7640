"""Reference data: provinces and pilots, imported from a table (CSV or Excel) with columns
province, name, level (and optionally batch year), previewed before anything is written.

One parser serves both formats (engine/tables.py reads the cells): every row is new, already
present, or bad with every reason; an import with any bad row writes nothing.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from engine import audit
from engine import lookup
from engine import tables
from engine.db import transaction
from engine.errors import InvalidData
from engine.models import Instance
from engine.models import Level
from engine.models import Pilot
from engine.models import Province

LEVEL_WORDS = {"市": Level.CITY, "城市": Level.CITY, "区": Level.DISTRICT, "县": Level.COUNTY,
               "镇": Level.TOWN}
REQUIRED = ("province", "name", "level")
# A column's accepted headings: ours, and the Chinese ones a provincial department's sheet has.
HEADINGS = {"province": ("province", "省份", "省", "所在省份"), "name": ("name", "名称", "试点名称", "试点"),
            "level": ("level", "级别", "层级"), "batch_year": ("batch_year", "batch", "批次", "批次年份")}
FORMULA_START = ("=", "+", "-", "@")  # a cell that a spreadsheet would run as a formula
MESSAGES = {
    "province_empty": "province is empty", "name_empty": "name is empty",
    "too_long": "name or province is too long", "formula": "a cell begins with =, +, - or @",
    "level_unknown": "level {value!r} is not one of city, district, county, town",
    "batch_year_invalid": "batch year {value!r} is not a year between 2000 and 2100",
    "duplicate": "duplicate of line {value}",
}


@dataclass(frozen=True)
class RowProblem:
    code: str  # a key of MESSAGES; the web layer translates it
    value: str | None = None

    @property
    def message(self) -> str:
        return MESSAGES[self.code].format(value=self.value)


@dataclass(frozen=True)
class PreviewRow:
    line: int
    province: str
    name: str
    level: str | None  # a Level value, None when unknown
    batch_year: int | None
    status: str  # "new" | "exists" | "bad"
    problems: tuple[RowProblem, ...] = ()


@dataclass(frozen=True)
class Preview:
    """What an import of the file would do; ``ok`` when no row is bad (only then may it be written)."""

    kind: str  # "csv" | "xlsx"
    rows: list[PreviewRow]
    new_provinces: list[str]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def ok(self) -> bool:
        return self.count("bad") == 0

    def error(self) -> InvalidData:
        bad = [r for r in self.rows if r.status == "bad"]
        return InvalidData(f"{len(bad)} bad row(s); nothing was imported",
                           [{"line": r.line, "message": "; ".join(p.message for p in r.problems)} for r in bad],
                           reason="import_bad_rows", n=len(bad))


def _columns(header: list[str]) -> dict[str, int]:
    found = {}
    for column, names in HEADINGS.items():
        index = next((header.index(n) for n in names if n in header), None)
        if index is not None:
            found[column] = index
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise InvalidData(f"the file needs the columns {', '.join(REQUIRED)} (missing: {', '.join(missing)})",
                          [{"line": 1, "message": f"missing column {c}"} for c in missing],
                          reason="import_columns", missing=", ".join(missing))
    return found


def _level(raw: str) -> Level | None:
    return LEVEL_WORDS.get(raw) or next((lv for lv in Level if lv.value == raw.lower()), None)


def _year(raw: str, default: int | None) -> tuple[int | None, RowProblem | None]:
    if not raw:
        return default, None
    year = int(raw) if raw.isascii() and raw.isdigit() else 0
    return (year, None) if 2000 <= year <= 2100 else (None, RowProblem("batch_year_invalid", raw))


def _row_problems(province: str, name: str, raw_level: str, level: Level | None) -> list[RowProblem]:
    problems = [RowProblem(code) for code, bad in (("province_empty", not province), ("name_empty", not name),
                ("too_long", len(name) > 200 or len(province) > 100),
                ("formula", any(v.startswith(FORMULA_START) for v in (province, name)))) if bad]
    if level is None:
        problems.append(RowProblem("level_unknown", raw_level))
    return problems


def check_rows(table: tables.Table, existing: set[tuple[str, str]], known_provinces: set[str], *,
               batch_year: int | None = None) -> Preview:
    """Classify every row of the table against the pilots that exist (the one parser of both formats)."""
    columns = _columns(table.header)
    rows: list[PreviewRow] = []
    first_line: dict[tuple[str, str], int] = {}
    for line, cells in table.rows:
        def cell(column: str, cells: list[str] = cells) -> str:
            index = columns.get(column)
            return cells[index].strip() if index is not None and index < len(cells) else ""
        province, name, raw_level = cell("province"), cell("name"), cell("level")
        level = _level(raw_level)
        problems = _row_problems(province, name, raw_level, level)
        year, year_problem = _year(cell("batch_year"), batch_year)
        problems += [year_problem] if year_problem else []
        if name and (province, name) in first_line:
            problems.append(RowProblem("duplicate", str(first_line[province, name])))
        first_line.setdefault((province, name), line)
        status = "bad" if problems else ("exists" if (province, name) in existing else "new")
        rows.append(PreviewRow(line, province, name, level.value if level else None, year, status, tuple(problems)))
    fresh = sorted({r.province for r in rows if r.status == "new" and r.province not in known_provinces})
    return Preview(table.kind, rows, fresh)


def parse_pilot_csv(text: str) -> list[tuple[str, str, Level]]:
    """The rows of a CSV text; raise InvalidData listing every bad row (line number and reason)."""
    preview = check_rows(tables.read_table("pilots.csv", text.encode("utf-8")), set(), set())
    if not preview.ok:
        raise preview.error()
    return [(r.province, r.name, Level(r.level)) for r in preview.rows if r.level]


def _preview(session: Session, filename: str, content: bytes | str, batch_year: int | None,
             max_bytes: int) -> Preview:
    raw = content.encode("utf-8") if isinstance(content, str) else content
    table = tables.read_table(filename, raw, max_bytes=max_bytes)
    existing = {(prov, name) for prov, name in session.execute(
        select(Province.name, Pilot.name).join(Pilot, Pilot.province_id == Province.id))}
    return check_rows(table, existing, set(session.scalars(select(Province.name))), batch_year=batch_year)


def preview_pilots(db: sessionmaker[Session], filename: str, content: bytes | str, *, user_id: lookup.Actor,
                   batch_year: int | None = None, max_bytes: int = tables.MAX_BYTES) -> Preview:
    """What importing the file would create, find already present, and refuse; nothing is written."""
    with db() as session:
        lookup.admin_actor(session, user_id)
        return _preview(session, filename, content, batch_year, max_bytes)


def import_pilots(db: sessionmaker[Session], content: bytes | str, *, user_id: lookup.Actor,
                  filename: str = "pilots.csv", batch_year: int | None = None,
                  max_bytes: int = tables.MAX_BYTES) -> tuple[int, int]:
    """Import the file's pilots (creating provinces as needed) in one transaction; return (created,
    already present). Any bad row: InvalidData naming every bad row, and nothing is written."""
    with transaction(db) as session:
        actor_id = lookup.admin_actor(session, user_id)
        preview = _preview(session, filename, content, batch_year, max_bytes)
        if not preview.ok:
            raise preview.error()
        provinces = {p.name: p for p in session.scalars(select(Province))}
        for row in preview.rows:
            if row.status != "new" or row.level is None:
                continue
            province = provinces.get(row.province)
            if province is None:
                province = provinces[row.province] = Province(name=row.province)
                session.add(province)
                session.flush()
            session.add(Pilot(name=row.name, province_id=province.id, level=Level(row.level),
                              batch_year=row.batch_year))
        created, existing = preview.count("new"), preview.count("exists")
        audit.record(session, "pilots_imported", actor_id=actor_id,
                     after={"created": created, "existing": existing, "batch_year": batch_year,
                            "file": filename[:200], "provinces_created": preview.new_provinces})
    return created, existing


@dataclass(frozen=True)
class RegisterRow:
    id: int
    province: str
    name: str
    level: str
    batch_year: int | None
    instances: int


def pilot_register(db: sessionmaker[Session], *, user_id: lookup.Actor, search: str = "") -> list[RegisterRow]:
    """Every pilot nationwide with its number of process instances (the admin's list); a search
    matches the pilot's or the province's name."""
    counts = (select(Instance.pilot_id, func.count().label("n")).where(Instance.pilot_id.is_not(None))
              .group_by(Instance.pilot_id).subquery())
    stmt = (select(Pilot, Province.name, counts.c.n).join(Province, Province.id == Pilot.province_id)
            .outerjoin(counts, counts.c.pilot_id == Pilot.id).order_by(Province.name, Pilot.name))
    if search.strip():
        pattern = "%" + search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(Pilot.name.ilike(pattern, escape="\\"), Province.name.ilike(pattern, escape="\\")))
    with db() as session:
        lookup.admin_actor(session, user_id)
        return [RegisterRow(p.id, prov, p.name, p.level.value, p.batch_year, int(n or 0))
                for p, prov, n in session.execute(stmt)]


def shipped_pilot_lists() -> dict[int, str]:
    """The pilot lists shipped with the package, by batch year (partial, sourced lists)."""
    ref = resources.files("engine") / "reference"
    return {year: (ref / f"pilots_{year}.csv").read_text(encoding="utf-8") for year in (2012, 2013)}


def shipped_indicators() -> list[dict[str, str]]:
    """The trial indicator system (4 / 11 / 57 nodes) as shipped: the seed of the indicator table."""
    text = (resources.files("engine") / "reference" / "indicators.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))
