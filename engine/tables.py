"""Reading an uploaded table (CSV or Excel .xlsx) into rows of text, guarded against hostile files.

An upload is hostile until proven otherwise: its size is capped before anything is read; an
Excel file is a zip, so its members are counted and their unpacked size capped (a zip bomb stops
here) and any DTD or entity declaration in its XML refuses it; openpyxl reads it in read-only
mode, formulas as the values Excel stored (never evaluated), at most ``MAX_ROWS`` rows of
``MAX_COLUMNS`` cells. Nothing here touches the database.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any

from engine.errors import InvalidData

MAX_BYTES = 2 * 1024 * 1024  # the upload itself
MAX_UNPACKED = 40 * 1024 * 1024  # an .xlsx's members, unpacked
MAX_MEMBERS = 500
MAX_ROWS = 5000  # data rows after the header
MAX_COLUMNS = 30
MAX_CELL = 1000  # characters kept of one cell (a longer one is refused by the row checks)
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and other OLE documents)


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line or spreadsheet row number, cells)
    kind: str  # "csv" | "xlsx"


def refuse(reason: str, message: str, **params: object) -> InvalidData:
    return InvalidData(message, [{"line": None, "message": message}], reason=reason, **params)


def read_table(filename: str, content: bytes, *, max_bytes: int = MAX_BYTES) -> Table:
    """The header and the non-empty rows of the file's first sheet; InvalidData when it cannot be read."""
    if not content:
        raise refuse("import_empty", "the file is empty")
    if len(content) > max_bytes:
        raise refuse("import_too_large", f"the file is larger than {max_bytes} bytes", n=max_bytes)
    if content.startswith(OLE_MAGIC):
        raise refuse("import_old_excel", "old .xls workbooks are not read: save the file as .xlsx or CSV")
    if content.startswith(XLSX_MAGIC):
        cells = _xlsx_rows(content)
        kind = "xlsx"
    elif filename.lower().endswith((".xlsx", ".xlsm")):
        raise refuse("import_unreadable", "the file is not a readable Excel workbook")
    else:
        cells = _csv_rows(_decode(content))
        kind = "csv"
    numbered = [(n, row) for n, row in cells if any(row)]
    if not numbered:
        raise refuse("import_empty", "the file has no rows")
    (_, header), body = numbered[0], numbered[1:]
    if len(body) > MAX_ROWS:
        raise refuse("import_too_many_rows", f"the file has more than {MAX_ROWS} rows", n=MAX_ROWS)
    return Table([h.strip().lstrip("\ufeff").lower() for h in header], body, kind)


def _decode(content: bytes) -> str:
    """UTF-8 (with or without Excel's BOM), UTF-16 with a BOM, else GB18030 (what Excel writes on
    Chinese Windows); refused when it is none of them."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise refuse("import_not_text", "the file is neither an Excel workbook nor CSV text (save it as CSV UTF-8)")


def _csv_rows(text: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            if len(rows) > MAX_ROWS + 1:
                break
            rows.append((reader.line_num, [c[:MAX_CELL] for c in row[:MAX_COLUMNS]]))
    except csv.Error as exc:
        raise refuse("import_unreadable", f"the CSV cannot be read at line {reader.line_num}: {exc}",
                     line=reader.line_num) from None
    return rows


def _check_zip(content: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise refuse("import_unreadable", "the file is not a readable Excel workbook") from None
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED:
        raise refuse("import_too_large", "the workbook unpacks to more than the import limit", n=MAX_UNPACKED)
    for member in members:
        if member.filename.endswith((".xml", ".rels")):
            with archive.open(member) as part:
                head = part.read(4096)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise refuse("import_unreadable", "the workbook declares a DTD or entities, which are refused")


def _xlsx_rows(content: bytes) -> list[tuple[int, list[str]]]:
    _check_zip(content)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
    except Exception:  # noqa: BLE001 - openpyxl raises anything on a damaged workbook
        raise refuse("import_unreadable", "the file is not a readable Excel workbook") from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise refuse("import_empty", "the workbook has no sheet")
        rows: list[tuple[int, list[str]]] = []
        for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            if len(rows) > MAX_ROWS + 1:
                break
            rows.append((number, [_cell_text(v) for v in values]))
        return rows
    except InvalidData:
        raise
    except Exception:  # noqa: BLE001
        raise refuse("import_unreadable", "the file is not a readable Excel workbook") from None
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    """A cell as text: whole numbers without ".0" (Excel stores 2013 as 2013.0), dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value)[:MAX_CELL].strip()
