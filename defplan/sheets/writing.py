"""A portfolio document as sheets of rows: `candidates`, one row per candidate, and
`file`, every other top-level key with its value as YAML.

Every key is written so that reading the row gives it back: one that its columns
would change (an empty name, an empty cost profile) goes to `other (YAML)` instead.
"""

from __future__ import annotations

from typing import Any

from defplan.model import Candidate, Portfolio
from defplan.sheets.layout import OTHER, SLOTS, Column, read_row, row_cells
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

    def order(column: Column) -> tuple[Any, ...]:
        """Key, then: objectives and commitments in file order; slots in theirs; amounts
        plain, by year, by line (lines in file order) and year."""
        key, part = column.key, column.part
        if key in names:
            return (keys.index(key), _rank(names[key], part[0]), part[0])
        if key in SLOTS:
            return (keys.index(key), SLOTS[key].index(part[0]))
        ranked = [x for p in part for x in ((_rank(lines, p), p) if isinstance(p, str) else (p,))]
        return (keys.index(key), len(part), *ranked)

    return sorted(used, key=order)


def _rank(names: list[str], name: str) -> int:
    """Where name is in names; after all of them when it is not there."""
    return names.index(name) if name in names else len(names)


def document_of(portfolio: Portfolio) -> dict[str, Any]:
    """A validated portfolio as the keys its file gave (defaults left out)."""
    return portfolio.model_dump(exclude_unset=True)
