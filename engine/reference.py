"""Reference data: provinces and pilots, imported from `province,name,level` CSV files."""
from __future__ import annotations

import csv
import io
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from engine import audit
from engine.db import transaction
from engine.errors import InvalidData
from engine.models import Level
from engine.models import Pilot
from engine.models import Province

LEVEL_WORDS = {"市": Level.CITY, "区": Level.DISTRICT, "县": Level.COUNTY, "镇": Level.TOWN}
REQUIRED = ("province", "name", "level")


def parse_pilot_csv(text: str) -> list[tuple[str, str, Level]]:
    """Parse CSV rows; raise InvalidData listing every bad row (line number and reason)."""
    text = text.lstrip("\ufeff")  # Excel writes a BOM
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidData(f"the CSV needs the columns {', '.join(REQUIRED)} (missing: {', '.join(missing)})",
                          [{"line": 1, "message": f"missing column {c}"} for c in missing])
    rows, details, seen = [], [], set()
    for line, row in enumerate(reader, start=2):
        province, name = (row.get("province") or "").strip(), (row.get("name") or "").strip()
        raw_level = (row.get("level") or "").strip()
        level = LEVEL_WORDS.get(raw_level) or next((lv for lv in Level if lv.value == raw_level.lower()), None)
        problems = _row_problems(province, name, raw_level, level)
        if (province, name) in seen:
            problems.append("duplicate row")
        seen.add((province, name))
        if problems:
            details.append({"line": line, "message": "; ".join(problems)})
        elif level is not None:
            rows.append((province, name, level))
    if details:
        raise InvalidData(f"{len(details)} bad row(s); nothing was imported", details)
    return rows


def _row_problems(province: str, name: str, raw_level: str, level: Level | None) -> list[str]:
    problems = []
    if not province:
        problems.append("province is empty")
    if not name:
        problems.append("name is empty")
    if len(name) > 200 or len(province) > 100:
        problems.append("name or province is too long")
    if level is None:
        problems.append(f"level {raw_level!r} is not one of city, district, county, town")
    return problems


def import_pilots(db: sessionmaker[Session], text: str, *, batch_year: int | None = None,
                  actor_id: int | None = None) -> tuple[int, int]:
    """Import pilots (creating provinces as needed); return (created, already present)."""
    rows = parse_pilot_csv(text)
    created = existing = 0
    with transaction(db) as session:
        provinces = {p.name: p for p in session.scalars(select(Province))}
        for province_name, name, level in rows:
            province = provinces.get(province_name)
            if province is None:
                province = provinces[province_name] = Province(name=province_name)
                session.add(province)
                session.flush()
            found = session.scalar(select(Pilot).where(Pilot.province_id == province.id, Pilot.name == name))
            if found:
                existing += 1
                continue
            session.add(Pilot(name=name, province_id=province.id, level=level, batch_year=batch_year))
            created += 1
        audit.record(session, "pilots_imported", actor_id=actor_id,
                     after={"created": created, "existing": existing, "batch_year": batch_year})
    return created, existing


def shipped_pilot_lists() -> dict[int, str]:
    """The pilot lists shipped with the package, by batch year (partial, sourced lists)."""
    ref = resources.files("engine") / "reference"
    return {year: (ref / f"pilots_{year}.csv").read_text(encoding="utf-8") for year in (2012, 2013)}


def indicators() -> list[dict[str, str]]:
    """The trial indicator system (4 / 11 / 57 nodes), editable reference data."""
    text = (resources.files("engine") / "reference" / "indicators.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))
