"""How two objectives trade against each other: every non-dominated pair of totals
(`defplan frontier`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from defplan.errors import UsageError
from defplan.formulation import Formulation, SolveOptions, formulate
from defplan.model import Portfolio, did_you_mean
from defplan.result import Result, Status, clean
from defplan.solving import VALUE, Bound, Engine, canonical, optimise, selection_cost

EQUAL = 1e-6
"""Totals within 1e-6 of each other count as equal."""


@dataclass(frozen=True)
class FrontierPoint:
    """A non-dominated pair of totals and the cheapest portfolio that reaches it."""

    objectives: dict[str, float]
    cost: float
    selected: tuple[str, ...]


@dataclass(frozen=True)
class Frontier:
    """The points by the x total, descending; `cut` when --max-points stopped the walk."""

    x: str
    y: str
    points: tuple[FrontierPoint, ...]
    cut: bool
    result: Result | None = None  # the run's optimum when the constraints admit nothing
    complete: bool = True  # False when a time limit stopped a solve: points unproven

    @property
    def status(self) -> Status:
        if self.result is not None:
            return self.result.status
        if self.complete:
            return Status.OPTIMAL
        return Status.FEASIBLE if self.points else Status.UNKNOWN


def frontier(
    portfolio: Portfolio,
    *,
    x: str,
    y: str,
    options: SolveOptions,
    max_points: int = 100,
) -> Frontier:
    """Every non-dominated (x total, y total) among portfolios meeting the hard
    constraints (soft penalties ignored), supported or not, by x descending.

    An epsilon-constraint walk: the largest x; the largest y at that x; the cheapest
    portfolio reaching both (then file order); then ask for a strictly larger y and
    repeat. Each step is a proven optimum, so no point is skipped; a time limit that
    stops a solve ends the walk with `complete` False.
    """
    names = list(portfolio.objectives)
    for flag, name in (("--x", x), ("--y", y)):
        if name not in portfolio.objectives:
            raise UsageError(
                f"{flag}: unknown objective '{name}'{did_you_mean(name, names)}; "
                f"objectives are {', '.join(names)}"
            )
    if x == y:
        raise UsageError("--x and --y name the same objective; choose two")
    if max_points < 1:
        raise UsageError("--max-points must be at least 1")
    form = formulate(portfolio, options)
    xs = _totals(portfolio, form, x)
    ys = _totals(portfolio, form, y)
    along_x = _engine(form, xs, options)
    along_y = _engine(form, ys, options)
    cheapest = _engine(form, {i: -c for i, c in enumerate(form.costs) if c}, options)
    points: list[FrontierPoint] = []
    y_floor: float | None = None
    while len(points) < max_points:
        beyond_y = [] if y_floor is None else [Bound("y", ys, lower=y_floor)]
        top_x = along_x.maximise(VALUE, rows=beyond_y)
        if top_x.status is Status.INFEASIBLE:
            break  # no larger y: the end of the frontier
        if top_x.status is not Status.OPTIMAL or top_x.x is None:
            return _unfinished(x, y, points)
        best_x = _total(xs, top_x.x)
        top_y = along_y.maximise(VALUE, rows=[_reaches("x", xs, best_x), *beyond_y])
        if top_y.status is not Status.OPTIMAL or top_y.x is None:
            return _unfinished(x, y, points)
        best_y = _total(ys, top_y.x)
        both = [_reaches("x", xs, best_x), _reaches("y", ys, best_y)]
        first = cheapest.maximise(VALUE, rows=both)
        if first.status is not Status.OPTIMAL or first.x is None:
            return _unfinished(x, y, points)
        chosen = canonical(cheapest, first.x, both)
        points.append(
            FrontierPoint(
                objectives={x: clean(_total(xs, chosen)), y: clean(_total(ys, chosen))},
                cost=clean(selection_cost(form, chosen)),
                selected=tuple(
                    c.id
                    for c, on in zip(portfolio.candidates, form.selected(chosen), strict=True)
                    if on
                ),
            )
        )
        if cheapest.cut_short:
            return _unfinished(x, y, points)
        y_floor = best_y + EQUAL
    else:
        more = along_x.maximise(VALUE, rows=[Bound("y", ys, lower=y_floor)])
        if more.status not in (Status.OPTIMAL, Status.INFEASIBLE):
            return _unfinished(x, y, points)
        return Frontier(x, y, tuple(points), cut=more.status is Status.OPTIMAL)
    if not points:
        result = optimise(portfolio, options=options)
        if result.status is Status.INFEASIBLE:
            return Frontier(x, y, (), cut=False, result=result)
    return Frontier(x, y, tuple(points), cut=False)


def _totals(portfolio: Portfolio, form: Formulation, objective: str) -> dict[int, float]:
    """Each column's unweighted value on one objective: its candidate's (a range at its
    midpoint), whatever its start year."""
    cands = portfolio.candidates
    return {
        k: v
        for k, o in enumerate(form.options)
        if (v := cands[o.candidate].value_of(objective)) != 0
    }


def _engine(form: Formulation, values: dict[int, float], options: SolveOptions) -> Engine:
    """An engine whose value is the given sum: the hard constraints, no penalties."""
    plain = tuple(values.get(i, 0.0) for i in range(len(form.values)))
    return Engine(replace(form, values=plain, soft=()), options)


def _total(values: dict[int, float], x: list[int]) -> float:
    return math.fsum(v for i, v in values.items() if x[i])


def _unfinished(x: str, y: str, points: list[FrontierPoint]) -> Frontier:
    """The points found before a time limit stopped a solve."""
    return Frontier(x, y, tuple(points), cut=False, complete=False)


def _reaches(name: str, values: dict[int, float], reach: float) -> Bound:
    """The row 'this total reaches `reach`, within the band of equal totals'."""
    return Bound(name, values, lower=reach - EQUAL)
