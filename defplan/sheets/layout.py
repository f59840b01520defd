"""The `candidates` sheet: one column per candidate key, or per part of one (a year of
a cost profile, an objective of `value`), named as docs/spreadsheets.md lists; and how
a row's cells become a candidate, and a candidate its cells.

A column's header is the key, then its part: `cost 2027`, `cost operate 2029`,
`value national`, `commitment nato-iamd`, `start first`, `running operate`,
`cost_risk high`. `other (YAML)` holds what has no column, as a YAML mapping.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from defplan.model import ID_PATTERN, KEY, Loc, did_you_mean
from defplan.numbers import read_number
from defplan.sheets import cells
from defplan.sheets.cells import BadCell

OTHER = "other (YAML)"
SIMPLE: dict[str, Callable[[str, Any], Any]] = {
    "id": cells.identifier,
    "name": cells.text,
    "group": cells.text,
    "mandatory": cells.boolean,
    "delay_penalty": cells.number,
}
"""Keys of one column each, and how their cell is read."""
LISTS = ("requires", "excludes", "after")
NAMED = {"value": "value", "commitment": "commitments"}
"""Header words of one column per objective or commitment, and the key they fill."""
SLOTS = {"start": ("first", "last"), "cost_risk": ("low", "likely", "high")}
"""Keys whose list items have a column each."""
HEADER_WORDS = ["cost", "running", *SIMPLE, *LISTS, *NAMED, *SLOTS, OTHER]


@dataclass(frozen=True)
class Column:
    """What one column holds: a candidate key, and the part of its value (a year, a
    line and a year, an objective, a slot such as `first`)."""

    key: str
    part: tuple[Any, ...] = ()

    @property
    def header(self) -> str:
        word = {"commitments": "commitment"}.get(self.key, self.key)
        return " ".join([word, *map(str, self.part)])


def parse_header(header: Any) -> Column:
    """The column a header names; BadCell when it names none."""
    if not isinstance(header, str):
        raise BadCell(f"a column name is text, not {cells.shown(header)}")
    if header.strip() == OTHER:
        return Column(OTHER)
    word, *rest = header.split()
    if word in SIMPLE or word in LISTS:
        if not rest:
            return Column(word)
    elif word in ("cost", "running"):
        return _amount_column(header, word, rest)
    elif word in NAMED:
        if len(rest) == 1:
            return Column(NAMED[word], (_name(header, rest[0]),))
    elif word in SLOTS:
        if len(rest) == 1 and rest[0] in SLOTS[word]:
            return Column(word, (rest[0],))
        slots = ", ".join(f"'{word} {s}'" for s in SLOTS[word])
        raise BadCell(f"unknown column '{header}': the columns of {word} are {slots}")
    else:
        raise BadCell(f"unknown column '{header}'{did_you_mean(word, HEADER_WORDS)}")
    raise BadCell(f"unknown column '{header}'{_usage(word)}")


def _usage(word: str) -> str:
    if word in NAMED:
        return f" (one column per name: '{word} NAME')"
    return f" (the column is '{word}' alone)"


def _amount_column(header: str, word: str, rest: list[str]) -> Column:
    """cost, cost YEAR, cost LINE YEAR; running, running LINE."""
    if not rest:
        return Column(word)
    if word == "running" and len(rest) == 1:
        return Column(word, (_name(header, rest[0]),))
    if word == "cost" and len(rest) in (1, 2):
        return Column(word, (*(_name(header, r) for r in rest[:-1]), _year(header, rest[-1])))
    shape = (
        "'running' or 'running LINE'" if word == "running" else "'cost YEAR' or 'cost LINE YEAR'"
    )
    raise BadCell(f"unknown column '{header}': expected {shape}")


def _year(header: str, word: str) -> int:
    found = read_number(word)
    if type(found) is not int or not 1 <= found <= 9999:
        raise BadCell(f"column '{header}': '{word}' is not a year (1 to 9999)")
    return found


def _name(header: str, word: str) -> str:
    if not re.match(ID_PATTERN, word):
        raise BadCell(f"column '{header}': '{word}' is not a name (letters, digits, '-', '_')")
    return word


@dataclass
class Row:
    """One row read: the candidate, where each of its parts came from (paths inside
    the candidate to cell addresses), and the problems of its cells."""

    candidate: dict[str, Any] = field(default_factory=dict)
    where: dict[Loc, str] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)
    bad: set[str] = field(default_factory=set)
    """Keys with a bad cell, left out of the candidate."""
    parts: dict[str, dict[tuple[Any, ...], tuple[Any, str]]] = field(default_factory=dict)
    """The cells of keys made of several (cost, start, ...), until the row is read."""

    def note(self, at: str, message: str, key: str) -> None:
        self.problems.append((at, message))
        self.bad.add(key)


def read_row(row_cells: Iterable[tuple[Column, Any, str]], headers: dict[Column, str]) -> Row:
    """A candidate from its row's cells (column, value, address); empty cells are
    absent keys. headers: each column's header address."""
    row = Row()
    for column, value, at in row_cells:
        if cells.is_empty(value):
            continue
        try:
            _put(row, column, value, at, headers.get(column, at))
        except BadCell as exc:
            row.note(at, str(exc), column.key)
    _assemble(row)
    return row


def _put(row: Row, column: Column, value: Any, at: str, header: str) -> None:
    key, c = column.key, row.candidate
    if key in SIMPLE:
        c[key] = SIMPLE[key](key, value)
        row.where[(key,)] = at
    elif key in LISTS:
        c[key] = cells.identifiers(key, value)
        row.where.update({(key,): at, **{(key, j): at for j in range(len(c[key]))}})
    elif key in ("value", "commitments"):
        name = column.part[0]
        read = cells.score if key == "value" else cells.number
        c.setdefault(key, {})[name] = read(key, value)
        row.where.setdefault((key,), at)
        row.where.update({(key, name): at, (key, name, KEY): header})
    elif key == OTHER:
        found = cells.yaml_value(OTHER, value)
        if not isinstance(found, dict):
            raise BadCell(f"{OTHER}: expected a mapping of candidate keys, {{KEY: VALUE, ...}}")
        row.parts[OTHER] = {(): (found, at)}
    else:  # cost, running, start, cost_risk: assembled once the row is read
        read = cells.year if key == "start" else cells.number
        row.parts.setdefault(key, {})[column.part] = (read(key, value), at)


def _assemble(row: Row) -> None:
    for key, parts in row.parts.items():
        if key in row.bad:  # said already; the key is left out
            continue
        if key in SLOTS:
            _slots(row, key, parts)
        elif key != OTHER:
            _amounts(row, key, parts)
    if OTHER in row.parts:
        found, at = row.parts[OTHER][()]
        for key, value in found.items():
            if key in row.candidate or key in row.bad:
                row.note(at, f"{OTHER}: '{key}' is in its own column too; give it once", OTHER)
            else:
                row.candidate[key] = value
                row.where[(key,)] = at


def _amounts(row: Row, key: str, parts: dict[tuple[Any, ...], tuple[Any, str]]) -> None:
    """cost: plain, by year, or by line and year; running: plain, or by line."""
    shapes = dict.fromkeys(len(part) for part in parts)
    if len(shapes) > 1:
        at = next(a for part, (_, a) in parts.items() if len(part) == list(shapes)[1])
        kinds = (
            "'cost', 'cost YEAR' or 'cost LINE YEAR'"
            if key == "cost"
            else "'running' or 'running LINE'"
        )
        row.note(at, f"{key}: give one of {kinds} in a row, not two kinds", key)
        return
    row.where[(key,)] = next(iter(parts.values()))[1]
    if () in parts:
        row.candidate[key] = parts[()][0]
        return
    found: dict[Any, Any] = {}
    for part, (amount, at) in parts.items():
        if len(part) == 2:
            found.setdefault(part[0], {})[part[1]] = amount
        else:
            found[part[0]] = amount
        for k in range(1, len(part) + 1):
            row.where.setdefault((key, *part[:k]), at)
    row.candidate[key] = found


def _slots(row: Row, key: str, parts: dict[tuple[Any, ...], tuple[Any, str]]) -> None:
    """start: first and last; cost_risk: low, high and perhaps likely."""
    given = [slot for slot in SLOTS[key] if (slot,) in parts]
    needed = [SLOTS[key][0], SLOTS[key][-1]]
    at = parts[(given[0],)][1]
    if not set(needed) <= set(given):
        names = " and ".join(f"'{key} {s}'" for s in needed)
        row.note(at, f"{key}: give both {names}", key)
        return
    row.candidate[key] = [parts[(slot,)][0] for slot in given]
    row.where[(key,)] = at
    row.where.update({(key, j): parts[(slot,)][1] for j, slot in enumerate(given)})


def row_cells(candidate: dict[str, Any]) -> tuple[dict[Column, Any], dict[str, Any]]:
    """A candidate's cells by column, and the keys that have no column (for `other`)."""
    found: dict[Column, Any] = {}
    other: dict[str, Any] = {}
    for key, value in candidate.items():
        written = _cells_of(key, value)
        if written is None:
            other[key] = value
        else:
            found.update(written)
    return found, other


def _cells_of(key: str, value: Any) -> dict[Column, Any] | None:
    """The cells of one key, or None when it has no column (or this value does not fit)."""
    if key in SIMPLE:
        return {Column(key): value}
    if key in LISTS and all(isinstance(v, str) for v in value):
        return {Column(key): ", ".join(value)}
    if key in ("value", "commitments") and isinstance(value, dict):
        return {Column(key, (name,)): cells.score_text(v) for name, v in value.items()}
    if key in SLOTS and isinstance(value, list):
        slots = SLOTS[key] if len(value) == 3 else (SLOTS[key][0], SLOTS[key][-1])
        return {Column(key, (s,)): v for s, v in zip(slots, value, strict=False)}
    if key in ("cost", "running"):
        if not isinstance(value, dict):
            return {Column(key): value}
        if value and all(isinstance(v, dict) and v for v in value.values()):
            return {Column(key, (line, y)): a for line, p in value.items() for y, a in p.items()}
        if value and not any(isinstance(v, dict) for v in value.values()):
            return {Column(key, (part,)): a for part, a in value.items()}
    return None
