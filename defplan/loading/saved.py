"""Read a saved result (`defplan-result/1`, an --output file) back into a Result.

Reading is as strict as reading a portfolio: the document must validate against the
model in saved_model.py and pass the checks in saved_checks.py (ids that agree between
`selected` and `candidates`, ...). Every problem is reported with its JSON path, and
its line and column in the text.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pydantic import ValidationError

from defplan.errors import LoadError, Problem
from defplan.formulation import SolveOptions
from defplan.loading.locate import KEY, json_offsets, json_path, line_column
from defplan.loading.saved_checks import cross_problems, document_problems, shown
from defplan.loading.saved_model import YEAR_PATTERN, RunRecord, SavedResult
from defplan.model import Loc
from defplan.result import (
    Alternative,
    CandidateOutcome,
    CommitmentOutcome,
    LineSpend,
    Result,
    SolverInfo,
    Timing,
)


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
    problems = document_problems(document, text=text, duplicates=duplicates)
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
                start=c.start,
                delivered=c.delivered,
                window=None if c.window is None else (c.window[0], c.window[1]),
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
        timing=_timing(saved),
    )


def _timing(saved: SavedResult) -> Timing | None:
    """A saved plan in time's Timing; None for a result without years."""
    if saved.spend is None or not saved.spend:
        return None
    years = sorted({int(y) for by_year in saved.spend.values() for y in by_year})
    declared = saved.lines or {}
    first = next(iter(saved.spend))
    unit = f"{saved.unit} {saved.currency}".strip()
    lines = {}
    for name, by_year in saved.spend.items():
        line = declared.get(name)
        lines[name] = LineSpend(
            label=line.label if line else name,
            unit=line.unit if line else unit,
            money=line.money if line else True,
            spend=_by_year(by_year),
            caps=_by_year(line.caps) if line else _by_year(saved.budget.per_year),
            total_cap=line.total_cap if line else None,
            running_after=saved.running_after.get(name, 0.0),
        )
    if not declared and first in lines:
        lines[first] = replace(lines[first], caps=_by_year(saved.budget.per_year))
    prices = saved.prices
    return Timing(
        years=(years[0], years[-1]) if years else (0, 0),
        lines=lines,
        declared_lines=bool(declared),
        phased=bool(declared)
        or saved.carried is not None
        or prices is not None
        or any(c.window is not None for c in saved.candidates)
        or any(saved.running_after.values()),
        carried=None if saved.carried is None else _by_year(saved.carried),
        carry_over=saved.carry_over,
        price_index=None if prices is None else _by_year(prices.index),
        price_base=None if prices is None else prices.base,
        gdp_share={name: _by_year(years) for name, years in saved.gdp_share.items()},
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
        starts=dict(run.starts),
        solver=run.solver,
        time_limit=run.time_limit,
        cost_level=run.cost_level,
    )


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
        return loc[:-1], f"missing required key {shown(loc[-1])}"
    if ctx.get("pattern") == YEAR_PATTERN:
        wanted = "a year (a whole number from 1 to 9999)"
    elif kind in _REQUIRED:
        wanted = _REQUIRED[kind].format(**ctx)
    elif kind in ("enum", "literal_error"):
        wanted = f"one of {ctx['expected']}"
    else:
        return loc, err["msg"][:1].lower() + err["msg"][1:]
    where = " as the key" if loc and loc[-1] == KEY else ""
    return loc, f"{wanted} is required{where}, not {shown(err['input'])}"


def _load_error(problems: list[tuple[Loc, str]], filename: str, text: str | None) -> LoadError:
    """One LoadError: the problems in the order of the text, each at its line and column."""
    offsets = json_offsets(text, [loc for loc, _ in problems]) if text is not None else {}
    listed = []
    for loc, message in problems:
        offset = offsets.get(loc)
        line, column = (None, None) if offset is None else line_column(text or "", offset)
        listed.append(
            (
                offset if offset is not None else -1,
                Problem(filename, f"{json_path(loc)}: {message}", line, column),
            )
        )
    listed.sort(key=lambda item: item[0])
    return LoadError([problem for _, problem in listed])


__all__ = ["result_from_document", "to_result"]
