"""The saved result format (`defplan-result/1`, an --output file) and reading it back.

The pydantic models below are the one description of what `Result.to_dict` writes (a
test checks that every result it writes validates). Reading is as strict as reading a
portfolio: every fixed field is checked (types, finite numbers, no booleans for numbers,
years as keys, statuses, ids that agree between `selected` and `candidates`), while
fields this version does not know are ignored, so results of later versions still read,
and fields added since the format began (`run`, `rules`, `forced`) may be missing.
Every problem is reported with its JSON path, and its line and column in the text.

Imported only when a saved result is read: pydantic costs start-up time.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import Iterable, Iterator
from json.decoder import scanstring
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from defplan.errors import LoadError, Problem
from defplan.formulation import SolveOptions
from defplan.model import CONTROL_CHARACTERS, ID_PATTERN
from defplan.result import (
    RESULT_FORMAT,
    Alternative,
    CandidateOutcome,
    CommitmentOutcome,
    Forced,
    Result,
    SolverInfo,
    Status,
    clean,
)

Loc = tuple[str | int, ...]
KEY = "[key]"
"""Last element of a location that is about a key of an object (pydantic's own mark)."""


YEAR_PATTERN = r"^[1-9][0-9]{0,3}$"
"""A year as a key: JSON keys are text, so a year is its ASCII digits (a pattern, checked
in pydantic's core: a Python validator per key took three times as long to read)."""

Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
NonNegative = Annotated[Number, Field(ge=0)]
Positive = Annotated[Number, Field(gt=0)]
Id = Annotated[str, Field(strict=True, pattern=ID_PATTERN)]
Year = Annotated[str, Field(strict=True, pattern=YEAR_PATTERN)]


class _Record(BaseModel):
    """Base of every part: immutable, strict, and unknown fields ignored (later versions)."""

    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)


class PortfolioRecord(_Record):
    name: str
    file: str
    sha256: str


class BudgetRecord(_Record):
    total: NonNegative | None
    per_year: dict[Year, NonNegative]


class CostRecord(_Record):
    total: Number
    per_year: dict[Year, Number]
    unphased: Number


class SelectedRecord(_Record):
    id: Id
    name: str
    group: str | None = None
    cost: NonNegative
    value: Number


class CommitmentRecord(_Record):
    label: str
    framework: str | None
    hard: bool
    target: Positive
    achieved: Number
    met: bool
    shortfall: NonNegative


class GroupRecord(_Record):
    spend: Number
    rule: str = ""


class SolverRecord(_Record):
    name: str
    version: str
    gap: NonNegative | None
    seconds: NonNegative


class CandidateRecord(_Record):
    id: Id
    name: str
    group: str | None
    selected: bool
    cost: NonNegative
    value: Number
    objectives: dict[Id, Number]
    profile: dict[Year, NonNegative]
    forced: Annotated[Forced, Field(strict=False)] | None = None


class AlternativeRecord(_Record):
    value: Number
    cost: NonNegative
    selected: list[Id]
    added: list[Id]
    dropped: list[Id]


class RulesRecord(_Record):
    """The file's constraints in words, whatever the status (a diff compares them)."""

    commitments: dict[Id, str]
    groups: dict[str, str]
    cardinality: list[str]


class RunRecord(_Record):
    """The run's options as given on the command line (null where not given)."""

    budget: NonNegative | None
    budget_per_year: dict[Year, NonNegative]
    weights: dict[Id, NonNegative]
    include: list[Id]
    exclude: list[Id]
    solver: str
    time_limit: Positive | None


class SavedResult(_Record):
    """A whole saved result, `defplan-result/1` (SPEC §5 and defplan's own fields)."""

    format: Literal[RESULT_FORMAT]
    portfolio: PortfolioRecord
    status: Annotated[Status, Field(strict=False)]
    budget: BudgetRecord
    weights: dict[Id, NonNegative]
    objective_labels: dict[Id, str] = {}
    currency: str = "EUR"
    unit: str = "M"
    value: Number | None
    objectives: dict[Id, Number]
    cost: CostRecord
    selected: list[SelectedRecord]
    commitments: dict[Id, CommitmentRecord]
    groups: dict[str, GroupRecord] = {}
    solver: SolverRecord
    rules: RulesRecord | None = None
    run: RunRecord | None = None
    conflicts: list[str] = []
    conflict_details: list[str] = []
    notes: list[str] = []
    candidates: list[CandidateRecord]
    alternatives: list[AlternativeRecord] | None = None


def result_from_document(
    document: Any,
    *,
    filename: str,
    text: str | None = None,
    duplicates: set[tuple[int, str]] | None = None,
) -> Result:
    """The Result a parsed saved result describes; LoadError listing every problem.

    `text` is the JSON text document was parsed from: problems then carry line and column.
    `duplicates` are the keys the text gives twice in one object, as (id of the parsed
    object, key): JSON readers disagree on which one counts, so none does.
    """
    problems: list[tuple[Loc, str]] = []
    if text is None or "NaN" in text or "Infinity" in text:  # cheap test before a walk
        problems += [(loc, f"{_shown(x)} is not a JSON number") for loc, x in _nonfinite(document)]
    if duplicates:
        problems += [
            (loc, "a key given twice in one object") for loc in _twice(document, duplicates)
        ]
    problems += [(loc, message) for loc, message in _control_texts(document)]
    try:
        saved = SavedResult.model_validate(document)
    except ValidationError as exc:
        said = {loc for loc, _ in problems}  # a NaN is reported once, as itself
        errors = exc.errors(include_url=False)
        problems += [_problem(err) for err in errors if tuple(err["loc"]) not in said]
        raise _load_error(problems, filename, text) from None
    problems += cross_problems(saved)
    if problems:
        raise _load_error(problems, filename, text)
    return to_result(saved)


def to_result(saved: SavedResult) -> Result:
    """The Result a valid saved result records."""
    chosen = {s.id for s in saved.selected}
    rules = saved.rules
    return Result(
        status=saved.status,
        name=saved.portfolio.name,
        file=saved.portfolio.file,
        sha256=saved.portfolio.sha256,
        currency=saved.currency,
        unit=saved.unit,
        budget_total=saved.budget.total,
        budget_per_year=_by_year(saved.budget.per_year),
        weights=dict(saved.weights),
        objective_labels=dict(saved.objective_labels),
        candidates=tuple(
            CandidateOutcome(
                id=c.id,
                name=c.name,
                group=c.group,
                selected=c.id in chosen,
                cost=c.cost,
                value=c.value,
                objectives=dict(c.objectives),
                profile=_by_year(c.profile),
                forced=c.forced,
            )
            for c in saved.candidates
        ),
        commitments={
            k: CommitmentOutcome(
                label=c.label,
                framework=c.framework,
                hard=c.hard,
                target=c.target,
                achieved=c.achieved,
            )
            for k, c in saved.commitments.items()
        },
        groups={k: g.spend for k, g in saved.groups.items()},
        group_rules=dict(rules.groups)
        if rules is not None
        else {k: g.rule for k, g in saved.groups.items()},
        commitment_rules={} if rules is None else dict(rules.commitments),
        rules=() if rules is None else tuple(rules.cardinality),
        value=saved.value,
        solver=SolverInfo(
            name=saved.solver.name,
            version=saved.solver.version,
            gap=saved.solver.gap,
            seconds=saved.solver.seconds,
        ),
        conflicts=tuple(saved.conflicts),
        conflict_details=tuple(saved.conflict_details),
        notes=tuple(saved.notes),
        alternatives=None
        if saved.alternatives is None
        else tuple(
            Alternative(
                value=a.value,
                cost=a.cost,
                selected=tuple(a.selected),
                added=tuple(a.added),
                dropped=tuple(a.dropped),
            )
            for a in saved.alternatives
        ),
        run=None if saved.run is None else _run(saved.run),
    )


def _by_year(amounts: dict[str, float]) -> dict[int, float]:
    return {int(year): amount for year, amount in amounts.items()}


def _run(run: RunRecord) -> SolveOptions:
    return SolveOptions(
        budget=run.budget,
        budget_per_year=_by_year(run.budget_per_year),
        weights=dict(run.weights),
        include=tuple(run.include),
        exclude=tuple(run.exclude),
        solver=run.solver,
        time_limit=run.time_limit,
    )


# -- what only the whole document shows ----------------------------------------------------


def cross_problems(saved: SavedResult) -> Iterator[tuple[Loc, str]]:
    """Every problem between fields of a well-typed saved result, as (location, message)."""
    at: dict[str, int] = {}
    for i, c in enumerate(saved.candidates):
        if c.id in at:
            yield (
                ("candidates", i, "id"),
                f"duplicate id {_shown(c.id)} (also {_path(('candidates', at[c.id]))})",
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
        names = ", ".join(_shown(k) for k in missing)
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
            yield where, f"{_shown(entry.id)} is listed twice (also $.selected[{listed[entry.id]}])"
            continue
        listed[entry.id] = j
        if entry.id not in at:
            yield where, f"{_shown(entry.id)} is not among $.candidates"
            continue
        i = at[entry.id]
        candidate = saved.candidates[i]
        if not candidate.selected:
            yield where, f"{_shown(entry.id)} is listed, but $.candidates[{i}].selected is false"
        for name in ("cost", "value"):
            mine, theirs = getattr(entry, name), getattr(candidate, name)
            if mine != theirs:
                yield (
                    ("selected", j, name),
                    f"{_shown(mine)} differs from $.candidates[{i}].{name}, {_shown(theirs)}",
                )
    for i, c in enumerate(saved.candidates):
        if c.selected and c.id not in listed:
            yield ("candidates", i, "selected"), f"true, but {_shown(c.id)} is not in $.selected"


def _cost_agrees(saved: SavedResult) -> Iterator[tuple[Loc, str]]:
    """cost.total is what the selected candidates cost (each as the result reports it)."""
    total = math.fsum(s.cost for s in saved.selected)
    reported = saved.cost.total
    if abs(reported - total) > 1e-9 * max(1.0, abs(total)):
        yield (
            ("cost", "total"),
            f"{_shown(reported)} differs from the selection's cost, {_shown(clean(total))}",
        )


def _status_agrees(saved: SavedResult) -> Iterator[tuple[Loc, str]]:
    """A portfolio has a value; without one (infeasible, unknown) nothing is selected."""
    status = _shown(saved.status.value)
    if saved.status.has_portfolio and saved.value is None:
        yield ("value",), f"a result with status {status} has a value, not null"
    if not saved.status.has_portfolio:
        if saved.value is not None:
            yield (
                ("value",),
                f"a result with status {status} has no value (null), not {_shown(saved.value)}",
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
                yield (*loc, j), f"{_shown(cid)} is not among $.candidates"


# -- messages -------------------------------------------------------------------------------

_REQUIRED = {
    "float_type": "a number",
    "finite_number": "a finite number",
    "int_type": "a whole number",
    "bool_type": "true or false",
    "string_type": "text (a JSON string)",
    "dict_type": "an object",
    "model_type": "an object",
    "list_type": "a list",
    "string_pattern_mismatch": "an id (letters, digits, '-' and '_', not starting with - or _)",
    "greater_than_equal": "a number >= {ge:g}",
    "greater_than": "a number > {gt:g}",
}


def _problem(err: Any) -> tuple[Loc, str]:
    """A pydantic error as (location, message): 'a number is required, not true'."""
    loc: Loc = tuple(err["loc"])
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "missing":
        return loc[:-1], f"missing required key {_shown(loc[-1])}"
    if ctx.get("pattern") == YEAR_PATTERN:
        wanted = "a year (a whole number from 1 to 9999)"
    elif kind in _REQUIRED:
        wanted = _REQUIRED[kind].format(**ctx)
    elif kind in ("enum", "literal_error"):
        wanted = f"one of {ctx['expected']}"
    else:
        return loc, err["msg"][:1].lower() + err["msg"][1:]
    where = " as the key" if loc and loc[-1] == KEY else ""
    return loc, f"{wanted} is required{where}, not {_shown(err['input'])}"


def _shown(value: Any) -> str:
    """A JSON value as a message quotes it: true, null, "text", 12.5, NaN, a list, an object."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if value != value else "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        value = int(value)
    shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= 40 else shown[:39] + "…"


def _path(loc: Loc) -> str:
    """A location as a JSON path: $.selected[2].cost, $.budget.per_year["2026"]."""
    parts = ["$"]
    for part in loc:
        if part == KEY:
            continue
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            parts.append(f".{part}")
        else:
            parts.append(f"[{json.dumps(part, ensure_ascii=False)}]")
    return "".join(parts)


def _nonfinite(document: Any) -> Iterator[tuple[Loc, float]]:
    """Every NaN or Infinity in the parsed document (Python's json reads those literals)."""
    stack: list[tuple[Loc, Any]] = [((), document)]
    while stack:
        loc, value = stack.pop()
        if isinstance(value, dict):
            stack.extend(((*loc, k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*loc, i), v) for i, v in enumerate(value))
        elif isinstance(value, float) and not math.isfinite(value):
            yield loc, value


def _twice(document: Any, duplicates: set[tuple[int, str]]) -> Iterator[Loc]:
    """The location of each key given twice, from (id of the object, key) pairs."""
    stack: list[tuple[Loc, Any]] = [((), document)]
    while stack:
        loc, value = stack.pop()
        if isinstance(value, dict):
            yield from ((*loc, key, KEY) for key in value if (id(value), key) in duplicates)
            stack.extend(((*loc, k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*loc, i), v) for i, v in enumerate(value))


def _control_texts(document: Any) -> Iterator[tuple[Loc, str]]:
    """Every key or text holding a control character or a line separator: tables and
    messages print them, and a terminal would take them as commands (as in a portfolio)."""
    stack: list[tuple[Loc, Any]] = [((), document)]
    while stack:
        loc, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if CONTROL_CHARACTERS.search(key):
                    yield (*loc, key, KEY), _control_message(key)
                stack.append(((*loc, key), item))
        elif isinstance(value, list):
            stack.extend(((*loc, i), v) for i, v in enumerate(value))
        elif isinstance(value, str) and CONTROL_CHARACTERS.search(value):
            yield loc, _control_message(value)


def _control_message(text: str) -> str:
    found = CONTROL_CHARACTERS.search(text)
    assert found is not None
    return f"text may not hold the control character U+{ord(found.group()):04X}"


def _load_error(problems: list[tuple[Loc, str]], filename: str, text: str | None) -> LoadError:
    """One LoadError: the problems in the order of the text, each at its line and column."""
    offsets = _offsets(text, [loc for loc, _ in problems]) if text is not None else {}
    listed = []
    for loc, message in problems:
        offset = offsets.get(loc)
        line, column = (None, None) if offset is None else _line_column(text or "", offset)
        listed.append(
            (
                offset if offset is not None else -1,
                Problem(filename, f"{_path(loc)}: {message}", line, column),
            )
        )
    listed.sort(key=lambda item: item[0])
    return LoadError([problem for _, problem in listed])


# -- where a location is in the JSON text --------------------------------------------------

_SPACE = re.compile(r"[ \t\n\r]*")
_SKIP = json.JSONDecoder()


def _offsets(text: str, locs: Iterable[Loc]) -> dict[Loc, int]:
    """Where in text each location starts (a key location: its key). Only the paths to the
    locations are walked; everything beside them is skipped by the C parser."""
    wanted = {loc[:k] for loc in locs for k in range(len(loc) + 1)}
    found: dict[Loc, int] = {}
    with contextlib.suppress(RecursionError, IndexError, ValueError):
        _walk(text, 0, (), wanted, found)  # positions help; the paths alone still say where
    return found


def _walk(text: str, at: int, loc: Loc, wanted: set[Loc], found: dict[Loc, int]) -> int:
    """Record where the value at `at` (with location loc) starts; return where it ends."""
    at = _SPACE.match(text, at).end()
    found[loc] = at
    if loc not in wanted or text[at] not in "{[":
        return _SKIP.raw_decode(text, at)[1]
    closing = "}" if text[at] == "{" else "]"
    at = _SPACE.match(text, at + 1).end()
    index = 0
    while text[at] != closing:
        if closing == "}":
            key, after = scanstring(text, at + 1)
            found[(*loc, key, KEY)] = at
            at = _walk(text, _SPACE.match(text, after).end() + 1, (*loc, key), wanted, found)
        else:
            at = _walk(text, at, (*loc, index), wanted, found)
            index += 1
        at = _SPACE.match(text, at).end()
        if text[at] == ",":
            at = _SPACE.match(text, at + 1).end()
    return at + 1


def _line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - start + 1
