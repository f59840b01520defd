"""What a saved result's model alone cannot check: NaN and Infinity (which Python's
json reads), keys given twice, control characters, and the agreement between fields
(ids between `selected` and `candidates`, the cost, the status). Each problem is a
(location, message) pair; saved.py places them in the text."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from defplan.loading.locate import KEY, json_path
from defplan.loading.saved_model import CandidateRecord, SavedResult
from defplan.model import CONTROL_CHARACTERS, Loc
from defplan.result import clean


def document_problems(
    document: Any, *, text: str | None, duplicates: set[tuple[int, str]] | None
) -> list[tuple[Loc, str]]:
    """Every NaN or Infinity, key given twice and control character in a parsed document."""
    problems: list[tuple[Loc, str]] = []
    if text is None or "NaN" in text or "Infinity" in text:  # cheap test before a walk
        problems += [(loc, f"{shown(x)} is not a JSON number") for loc, x in _nonfinite(document)]
    if duplicates:
        problems += [
            (loc, "a key given twice in one object") for loc in _twice(document, duplicates)
        ]
    problems += [(loc, message) for loc, message in _control_texts(document)]
    return problems


def cross_problems(saved: SavedResult) -> Iterator[tuple[Loc, str]]:
    """Every problem between fields of a well-typed saved result, as (location, message)."""
    at: dict[str, int] = {}
    for i, c in enumerate(saved.candidates):
        if c.id in at:
            yield (
                ("candidates", i, "id"),
                f"duplicate id {shown(c.id)} (also {json_path(('candidates', at[c.id]))})",
            )
        else:
            at[c.id] = i
        yield from _objectives_agree(saved, i, c)
    yield from _selection_agrees(saved, at)
    yield from _cost_agrees(saved)
    yield from _status_agrees(saved)
    yield from _ids_known(saved, at)


def _objectives_agree(saved: SavedResult, i: int, c: CandidateRecord) -> Iterator[tuple[Loc, str]]:
    missing = [k for k in saved.weights if k not in c.objectives]
    if missing:
        names = ", ".join(shown(k) for k in missing)
        yield ("candidates", i, "objectives"), f"no value for {names}, an objective of $.weights"
    for k in c.objectives:
        if k not in saved.weights:
            yield ("candidates", i, "objectives", k, KEY), "not an objective of $.weights"


def _selection_agrees(saved: SavedResult, at: dict[str, int]) -> Iterator[tuple[Loc, str]]:
    """`selected` lists exactly the candidates marked selected, with their figures."""
    listed: dict[str, int] = {}
    for j, entry in enumerate(saved.selected):
        where: Loc = ("selected", j, "id")
        if entry.id in listed:
            yield where, f"{shown(entry.id)} is listed twice (also $.selected[{listed[entry.id]}])"
            continue
        listed[entry.id] = j
        if entry.id not in at:
            yield where, f"{shown(entry.id)} is not among $.candidates"
            continue
        i = at[entry.id]
        candidate = saved.candidates[i]
        if not candidate.selected:
            yield where, f"{shown(entry.id)} is listed, but $.candidates[{i}].selected is false"
        for name in ("cost", "value"):
            mine, theirs = getattr(entry, name), getattr(candidate, name)
            if mine != theirs:
                yield (
                    ("selected", j, name),
                    f"{shown(mine)} differs from $.candidates[{i}].{name}, {shown(theirs)}",
                )
    for i, c in enumerate(saved.candidates):
        if c.selected and c.id not in listed:
            yield ("candidates", i, "selected"), f"true, but {shown(c.id)} is not in $.selected"


def _cost_agrees(saved: SavedResult) -> Iterator[tuple[Loc, str]]:
    """cost.total is what the selected candidates cost (each as the result reports it)."""
    total = math.fsum(s.cost for s in saved.selected)
    reported = saved.cost.total
    if abs(reported - total) > 1e-9 * max(1.0, abs(total)):
        yield (
            ("cost", "total"),
            f"{shown(reported)} differs from the selection's cost, {shown(clean(total))}",
        )


def _status_agrees(saved: SavedResult) -> Iterator[tuple[Loc, str]]:
    """A portfolio has a value; without one (infeasible, unknown) nothing is selected."""
    status = shown(saved.status.value)
    if saved.status.has_portfolio and saved.value is None:
        yield ("value",), f"a result with status {status} has a value, not null"
    if not saved.status.has_portfolio:
        if saved.value is not None:
            yield (
                ("value",),
                f"a result with status {status} has no value (null), not {shown(saved.value)}",
            )
        if saved.selected:
            yield ("selected",), f"a result with status {status} selects nothing"


def _ids_known(saved: SavedResult, at: dict[str, int]) -> Iterator[tuple[Loc, str]]:
    """Ids named by the run options and the alternatives are candidates."""
    lists: list[tuple[Loc, list[str]]] = []
    if saved.run is not None:
        lists += [(("run", "include"), saved.run.include), (("run", "exclude"), saved.run.exclude)]
    for n, a in enumerate(saved.alternatives or ()):
        lists += [
            (("alternatives", n, key), getattr(a, key)) for key in ("selected", "added", "dropped")
        ]
    for loc, ids in lists:
        for j, cid in enumerate(ids):
            if cid not in at:
                yield (*loc, j), f"{shown(cid)} is not among $.candidates"


def shown(value: Any) -> str:
    """A JSON value as a message quotes it: true, null, "text", 12.5, NaN, a list, an object."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if value != value else "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        value = int(value)
    written = json.dumps(value, ensure_ascii=False)
    return written if len(written) <= 40 else written[:39] + "…"


def _nodes(document: Any) -> Iterator[tuple[Loc, Any]]:
    """Every value in the parsed document, objects and lists included, with its location."""
    stack: list[tuple[Loc, Any]] = [((), document)]
    while stack:
        loc, value = stack.pop()
        yield loc, value
        if isinstance(value, dict):
            stack.extend(((*loc, k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*loc, i), v) for i, v in enumerate(value))


def _nonfinite(document: Any) -> Iterator[tuple[Loc, float]]:
    """Every NaN or Infinity in the parsed document (Python's json reads those literals)."""
    for loc, value in _nodes(document):
        if isinstance(value, float) and not math.isfinite(value):
            yield loc, value


def _twice(document: Any, duplicates: set[tuple[int, str]]) -> Iterator[Loc]:
    """The location of each key given twice, from (id of the object, key) pairs."""
    for loc, value in _nodes(document):
        if isinstance(value, dict):
            yield from ((*loc, key, KEY) for key in value if (id(value), key) in duplicates)


def _control_texts(document: Any) -> Iterator[tuple[Loc, str]]:
    """Every key or text holding a control character or a line separator: tables and
    messages print them, and a terminal would take them as commands (as in a portfolio)."""
    for loc, value in _nodes(document):
        if isinstance(value, dict):
            for key in value:
                if CONTROL_CHARACTERS.search(key):
                    yield (*loc, key, KEY), _control_message(key)
        elif isinstance(value, str) and CONTROL_CHARACTERS.search(value):
            yield loc, _control_message(value)


def _control_message(text: str) -> str:
    found = CONTROL_CHARACTERS.search(text)
    assert found is not None
    return f"text may not hold the control character U+{ord(found.group()):04X}"


__all__ = ["cross_problems", "document_problems", "shown"]
