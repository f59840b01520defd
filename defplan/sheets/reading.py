"""Sheets of rows -> a portfolio document, the address of the cell each part of it
came from (by document path), and the problems of single cells.

The candidates come from the `candidates` sheet; every other key from the `file`
sheet, or from a base portfolio file (`--base`), or, with neither, from defaults: the
book's name, and an objective of weight 1 for each `value` column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from defplan.errors import LoadError, Problem
from defplan.model import KEY, Loc
from defplan.sheets import cells
from defplan.sheets.books import Sheets, address
from defplan.sheets.cells import BadCell
from defplan.sheets.layout import Column, parse_header, read_row
from defplan.sheets.yamltext import number_text


@dataclass
class Read:
    """A document read from a book: where each path came from, and what was wrong."""

    doc: dict[str, Any] = field(default_factory=dict)
    where: dict[Loc, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def note(self, at: str, message: str) -> None:
        self.problems.append(Problem(at, message))


def read_document(sheets: Sheets, file: str, *, csv: bool, base: dict[str, Any] | None) -> Read:
    """The document the sheets hold (base: the keys of a `--base` portfolio file)."""
    if "candidates" not in sheets:
        names = ", ".join(f"'{name}'" for name in sheets) or "none"
        raise LoadError([Problem(file, f"no sheet named 'candidates' (its sheets: {names})")])
    read = Read()
    if "file" in sheets and base is not None:
        read.note(file, "the workbook has a 'file' sheet, and --base gives the same keys: drop one")
    sheet = None if csv else "candidates"
    read.where[("candidates",)] = address(file, sheet, 0, 0)
    columns = _candidates(read, sheets["candidates"], file, sheet)
    if "file" in sheets:
        _file_sheet(read, sheets["file"], file)
    elif base is not None:
        read.doc.update({k: v for k, v in base.items() if k != "candidates"})
    else:
        _defaults(read, file, sheet, columns)
    return read


def _candidates(
    read: Read, rows: list[list[Any]], file: str, sheet: str | None
) -> dict[Column, str]:
    """Read the candidates sheet into read.doc['candidates']; its columns' header cells."""
    if not rows:
        read.note(
            address(file, sheet, 0, 0), "the sheet is empty: it needs a header row of column names"
        )
        return {}
    columns: dict[int, Column] = {}
    headers: dict[Column, str] = {}
    unnamed: set[int] = set()
    for c, header in enumerate(rows[0]):
        at = address(file, sheet, 0, c)
        if cells.is_empty(header):
            unnamed.add(c)
            continue
        try:
            column = parse_header(header.strip() if isinstance(header, str) else header)
        except BadCell as exc:
            read.note(at, str(exc))
            continue
        if column in headers:
            read.note(
                at,
                f"duplicate column '{column.header}' (first at {_cell(headers[column])})",
            )
            continue
        columns[c], headers[column] = column, at
    id_column = next((c for c, column in columns.items() if column.key == "id"), None)
    if id_column is None:
        read.note(address(file, sheet, 0, 0), "no 'id' column: every candidate needs an id")
    candidates = []
    for r, row in enumerate(rows[1:], start=1):
        if all(cells.is_empty(v) for v in row):
            continue
        for c in sorted(unnamed):
            if c < len(row) and not cells.is_empty(row[c]):
                read.note(address(file, sheet, r, c), "a value in a column without a name in row 1")
                unnamed.discard(c)  # said once a column
        found = read_row(
            [
                (columns[c], v, address(file, sheet, r, c))
                for c, v in enumerate(row)
                if c in columns
            ],
            headers,
        )
        i = len(candidates)
        id_at = address(file, sheet, r, 0 if id_column is None else id_column)
        for at, message in found.problems:
            read.note(at, message)
        if "id" not in found.candidate and "id" not in found.bad and id_column is not None:
            read.note(id_at, "id: empty; every candidate needs an id")
        _stand_ins(found.candidate, found.bad, r)
        read.where[("candidates", i)] = id_at
        read.where.update({("candidates", i, *loc): at for loc, at in found.where.items()})
        candidates.append(found.candidate)
    read.doc["candidates"] = candidates
    return headers


def _cell(at: str) -> str:
    """The cell of an address alone: C4."""
    return at.rsplit("!", 1)[-1].rsplit(":", 1)[-1]


def _stand_ins(candidate: dict[str, Any], bad: set[str], r: int) -> None:
    """Stand-ins for required keys that were bad or empty, so that the rest of the row
    is still checked (its problems are reported already; nothing is written)."""
    candidate.setdefault("id", f"row-{r + 1}")
    if "cost" in bad:
        candidate.setdefault("cost", 0)
    candidate.update({k: candidate.pop(k) for k in list(candidate) if k != "id"})  # id first


_TEXT_KEYS = {"name", "currency", "unit"}
"""Keys whose number cell is text: a name typed as 2026 is the text 2026."""


def _file_sheet(read: Read, rows: list[list[Any]], file: str) -> None:
    """Read the `file` sheet: a `key`, `value` header, then a key and its YAML a row."""
    first = [v.strip() if isinstance(v, str) else v for v in (rows[0] if rows else [])]
    if first[:2] != ["key", "value"]:
        read.note(address(file, "file", 0, 0), "the sheet's first row is the header 'key', 'value'")
        return
    seen: dict[str, str] = {}
    for r, row in enumerate(rows[1:], start=1):
        key, value = [*row, None, None][:2]
        key_at, value_at = address(file, "file", r, 0), address(file, "file", r, 1)
        if cells.is_empty(key):
            if not cells.is_empty(value):
                read.note(key_at, "a value without a key")
            continue
        if not isinstance(key, str) or key.strip() == "candidates":
            read.note(
                key_at,
                f"unknown key {cells.shown(key)}"
                + (": the candidates are on the 'candidates' sheet" if key == "candidates" else ""),
            )
            continue
        key = key.strip()
        if key in seen:
            read.note(key_at, f"duplicate key '{key}' (first at {_cell(seen[key])})")
            continue
        seen[key] = key_at
        if cells.is_empty(value):
            continue
        as_text = key in _TEXT_KEYS and type(value) in (int, float)  # not a boolean
        try:
            read.doc[key] = number_text(value) if as_text else cells.yaml_value(key, value)
        except BadCell as exc:
            read.note(value_at, str(exc))
            continue
        read.where.update({(key,): value_at, (key, KEY): key_at})


def _defaults(read: Read, file: str, sheet: str | None, headers: dict[Column, str]) -> None:
    """Without a `file` sheet or --base: the book's name, and the value columns'
    objectives with weight 1."""
    read.doc["name"] = Path(file).stem
    objectives = [column.part[0] for column in headers if column.key == "value"]
    read.doc["objectives"] = {name: {"weight": 1} for name in objectives}
    if not objectives:
        read.note(
            address(file, sheet, 0, 0),
            "no 'value OBJECTIVE' column: without a 'file' sheet or --base, "
            "the value columns name the objectives",
        )
        read.doc["objectives"] = {"value": {}}  # a stand-in: the problem is said
    for column, at in headers.items():
        if column.key == "value":
            read.where[("objectives", column.part[0])] = at
