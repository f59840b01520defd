"""Workbooks and CSV files as sheets of rows, and back; and the address of a cell as
messages show it: `book.xlsx:candidates!C4`, or `list.csv:C4` for a CSV file.

openpyxl (the `excel` extra) is imported here only, when a workbook is read or
written; CSV needs the standard library alone.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from pathlib import Path
from typing import Any

from defplan.errors import LoadError, Problem, UsageError
from defplan.loading.reading import read_source

MISSING = "Excel workbooks need openpyxl: pip install 'defplan[excel]'"
KINDS = (".xlsx", ".csv")
MAX_ROWS = 100_000
MAX_COLUMNS = 2_000
"""Far beyond a real candidate list (5,000 candidates, a few hundred columns); a
workbook is compressed, so its size alone does not bound what it unpacks to."""
MAX_UNPACKED = 256 * 1024 * 1024
"""The most a workbook's parts may unpack to, as its zip directory declares them (the
zip reader stops at the declared size, so this bounds what a "zip bomb" can take)."""
FIXED_TIME = datetime.datetime(2000, 1, 1)
"""The time written into a workbook, so that the same portfolio gives the same bytes."""

Sheets = dict[str, list[list[Any]]]


def kind_of(path: str | Path, flag: str) -> str:
    """'.xlsx' or '.csv' from a file name; UsageError naming flag otherwise."""
    suffix = Path(path).suffix.lower()
    if suffix not in KINDS:
        raise UsageError(f"{flag} {path}: the file name must end in .xlsx or .csv")
    return suffix


def need_openpyxl() -> None:
    """UsageError saying what to install when openpyxl is missing."""
    try:
        import openpyxl  # noqa: F401  (only checking that it is there)
    except ImportError:
        raise UsageError(MISSING) from None


def column_letters(index: int) -> str:
    """A 0-based column index in letters: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def address(file: str, sheet: str | None, row: int, column: int) -> str:
    """Where a cell is (0-based row and column): FILE:SHEET!C4, or FILE:C4 (CSV)."""
    cell = f"{column_letters(column)}{row + 1}"
    return f"{file}:{cell}" if sheet is None else f"{file}:{sheet}!{cell}"


def read_sheets(path: str) -> Sheets:
    """The sheets of a workbook, or a CSV file as its one sheet (named `candidates`)."""
    data, name = read_source(path)
    if kind_of(path, "FILE") == ".csv":
        return {"candidates": _csv_rows(data, name)}
    need_openpyxl()
    return _workbook_rows(data, name)


def _csv_rows(data: bytes, name: str) -> list[list[Any]]:
    from defplan.loading.reading import decoded

    text = decoded(data, filename=name)
    header = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header.count)  # the header's most common; a tie: ','
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise LoadError([Problem(name, f"not a CSV file: {exc}")]) from None


def _workbook_rows(data: bytes, name: str) -> Sheets:
    import openpyxl

    _check_unpacked(data, name)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            return _sheets_of(book, name)
        finally:
            book.close()
    except (LoadError, MemoryError):
        raise
    except Exception as exc:  # whatever a damaged or hostile file makes the parser raise
        reason = "not a readable Excel workbook (.xlsx)"
        raise LoadError([Problem(name, f"{reason}: {exc}" if str(exc) else reason)]) from None


def _check_unpacked(data: bytes, name: str) -> None:
    """LoadError when the workbook would unpack to more than MAX_UNPACKED."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        return  # openpyxl's own message says it is no workbook
    if unpacked > MAX_UNPACKED:
        raise LoadError(
            [
                Problem(
                    name,
                    f"the workbook unpacks to {unpacked / 2**20:,.0f} MiB, more than "
                    f"{MAX_UNPACKED / 2**20:,.0f} MiB: far beyond a candidate list",
                )
            ]
        )


def _sheets_of(book: Any, name: str) -> Sheets:
    """Each worksheet's rows of values, within MAX_ROWS and MAX_COLUMNS."""
    sheets: Sheets = {}
    for sheet in book.worksheets:
        rows: list[list[Any]] = []
        for row in sheet.iter_rows(values_only=True):
            if len(rows) == MAX_ROWS or len(row) > MAX_COLUMNS:
                limit = f"{MAX_ROWS:,} rows and {MAX_COLUMNS:,} columns"
                raise LoadError([Problem(name, f"sheet '{sheet.title}' is larger than {limit}")])
            rows.append(list(row))
        sheets[sheet.title] = rows
    return sheets


def csv_bytes(rows: list[list[Any]]) -> bytes:
    """Rows as CSV text (numbers as the text that reads back as the same number)."""
    from defplan.sheets.yamltext import number_text

    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return number_text(value) if isinstance(value, int | float) else str(value)

    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([[cell(v) for v in row] for row in rows])
    return out.getvalue().encode("utf-8")


def workbook_bytes(sheets: Sheets, text_columns: dict[str, set[int]]) -> bytes:
    """Sheets as an .xlsx workbook: a bold, frozen header row, columns as wide as their
    text (up to a limit), the given columns formatted as text; the same bytes for the
    same sheets."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    book.remove(book.active)
    book.properties.created = book.properties.modified = FIXED_TIME
    book.properties.creator = "defplan"
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = sheet.cell(row=r, column=c, value=value)
                if cell.data_type == "f":  # text starting with '=' stays text
                    cell.data_type = "s"
                if c - 1 in text_columns.get(title, set()):
                    cell.number_format = "@"
                if r == 1:
                    cell.font = Font(bold=True)
        sheet.freeze_panes = "B2"
        for c, width in enumerate(_widths(rows), start=1):
            sheet.column_dimensions[column_letters(c - 1)].width = width
    out = io.BytesIO()
    book.save(out)
    return _fixed_times(out.getvalue())


def _widths(rows: list[list[Any]]) -> list[float]:
    from defplan.sheets.yamltext import number_text

    def length(value: Any) -> int:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return len(number_text(value))
        return max((len(line) for line in str(value).splitlines()), default=0)

    count = max((len(row) for row in rows), default=0)
    return [
        min(60, 2 + max(length(row[c]) for row in rows if c < len(row) and row[c] is not None))
        for c in range(count)
    ]


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _fixed_times(data: bytes) -> bytes:
    """The zip archive again with every member, and the workbook's modification time,
    dated FIXED_TIME (zip stores each member's time of writing)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(member.filename)
            if member.filename == "docProps/core.xml":  # openpyxl dates it on saving
                content = _MODIFIED.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", content)
            target.writestr(info, content)
    return out.getvalue()


__all__ = ["MISSING", "address", "csv_bytes", "kind_of", "read_sheets", "workbook_bytes"]
