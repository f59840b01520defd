"""A portfolio document as sheets of rows: `candidates`, one row per candidate, and
`file`, every other top-level key with its value as YAML.

Every key is written so that reading the row gives it back: one that its columns
would change (an empty name, an empty cost profile) goes to `other (YAML)` instead.
"""

from __future__ import annotations

from typing import Any

from defplan.model import Candidate, Portfolio
from defplan.sheets.layout import OTHER, Column, read_row, row_cells
from defplan.sheets.yamltext import block_scalar, flow

Rows = list[list[Any]]

_EMPTY_IS_ABSENT = {"value", "commitments", "requires", "excludes", "after"}
"""Candidate keys whose empty value means what their absence means."""


def candidate_rows(doc: dict[str, Any]) -> Rows:
    """The `candidates` sheet: a header row, then a row per candidate."""
    written = [_fitting(c) for c in doc.get("candidates", [])]
    columns = _columns(doc, [cells for cells, _ in written])
    if any(other for _, other in written):
        columns.append(Column(OTHER))
    rows: Rows = [[column.header for column in columns]]
    for cells, other in written:
        everything = cells | ({Column(OTHER): flow(other)} if other else {})
        rows.append([everything.get(column) for column in columns])
    return rows


def file_rows(doc: dict[str, Any]) -> Rows:
    """The `file` sheet: `key`, `value` (YAML; a whole number as a number)."""
    rows: Rows = [["key", "value"]]
    for key, value in doc.items():
        if key == "candidates":
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            rows.append([key, value])
        else:
            rows.append([key, block_scalar(value) if isinstance(value, str) else flow(value)])
    return rows


def _fitting(candidate: dict[str, Any]) -> tuple[dict[Column, Any], dict[str, Any]]:
    """The candidate's cells, with every key its columns would not give back moved to
    `other`."""
    cells, other = row_cells(candidate)
    headers = {column: "" for column in cells}
    back = read_row([(column, value, "") for column, value in cells.items()], headers)
    for key, value in candidate.items():
        if key in other:
            continue
        same = back.candidate.get(key) == value or (
            key in _EMPTY_IS_ABSENT and not value and key not in back.candidate
        )
        if not same or key in back.bad:
            other[key] = value
            cells = {c: v for c, v in cells.items() if c.key != key}
    return cells, other


def _columns(doc: dict[str, Any], rows: list[dict[Column, Any]]) -> list[Column]:
    """The columns the rows use, in the format's key order; every objective and
    commitment of the file gets its column, used or not (a template to fill in)."""
    used = dict.fromkeys(c for row in rows for c in row)
    for key, section in (("value", "objectives"), ("commitments", "commitments")):
        for name in doc.get(section) or {}:
            used.setdefault(Column(key, (name,)))
    for key in ("id", "name", "group"):
        used.setdefault(Column(key))
    keys = list(Candidate.model_fields)
    lines = list(doc.get("lines") or {})
    names = {
        "value": list(doc.get("objectives") or {}),
        "commitments": list(doc.get("commitments") or {}),
    }
    slots = {"first": 0, "last": 1, "low": 0, "likely": 1, "high": 2}

    def order(column: Column) -> tuple[Any, ...]:
        part = column.part
        if column.key in names and part[0] in names[column.key]:
            within: tuple[Any, ...] = (0, names[column.key].index(part[0]))
        elif len(part) == 1 and part[0] in slots:
            within = (0, slots[part[0]])
        else:
            rank = [
                lines.index(p) if p in lines else len(lines) for p in part if isinstance(p, str)
            ]
            within = (
                len(part),
                *rank,
                *(str(p) for p in part if isinstance(p, str)),
                *(p for p in part if isinstance(p, int)),
            )
        return (keys.index(column.key), *within)

    return sorted(used, key=order)


def document_of(portfolio: Portfolio) -> dict[str, Any]:
    """A validated portfolio as the keys its file gave (defaults left out)."""
    return portfolio.model_dump(exclude_unset=True)
