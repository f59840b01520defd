"""What limits a plan (`optimise --limits`): the constraints whose relaxation alone would
raise its value, and what one more step of money buys in each budget cap.

Every answer comes from the solver: the plan's model is solved again once per
constraint, with that budget cap alone raised by the step, or with that other
constraint (target, group rule, rule, forced choice) left out (`optimise(without=...)`).
A constraint binds when its relaxation raises the best value. Links between candidates
(requires, excludes) are facts of the options, not choices a planner can relax, so they
are not tried.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from defplan.formulation import Block, Formulation, SolveOptions, formulate
from defplan.model import MAX_MAGNITUDE, Portfolio
from defplan.result import Result, Status, clean, noted, reported_sum
from defplan.solving import optimise
from defplan.tolerance import tie_tolerance

KINDS = {
    "budget": "cap",
    "carry_over": "cap",
    "commitment": "target",
    "group": "group",
    "rule": "rule",
    "mandatory": "forced",
    "include": "forced",
    "exclude": "forced",
}
"""The kind of each constraint tried, by the first part of its name."""

STEPS = {
    "": 1e8,
    "m": 100.0,
    "mn": 100.0,
    "mln": 100.0,
    "million": 100.0,
    "millions": 100.0,
    "k": 1e5,
    "thousand": 1e5,
    "thousands": 1e5,
    "b": 0.1,
    "bn": 0.1,
    "billion": 0.1,
    "billions": 0.1,
}
"""100 million in the file's unit, by unit (case ignored)."""


def default_step(unit: str) -> float:
    """The money step the caps are raised by: 100 million in the file's unit (100 when
    costs are in millions, 'M'), or 100 of a unit defplan does not know."""
    return STEPS.get(unit.strip().lower(), 100.0)


@dataclass(frozen=True)
class Limit:
    """One constraint of the plan, relaxed alone: a budget cap raised by `step`, any
    other constraint left out; and the best portfolio then, against the plan."""

    constraint: str  # its name, as in conflicts: budget.per_year.2027, rule.0, ...
    label: str  # in words
    kind: str  # cap, target, group, rule or forced
    slack: float  # room the plan leaves in it: cap - spend, achieved - target, ...
    unit: str  # what the slack counts ("M EUR", "candidates", "")
    step: float | None  # a cap: the raise tried; None: the constraint was left out
    value_gain: float  # 0 when the value does not rise beyond the tie tolerance
    enters: tuple[str, ...]  # in the relaxed optimum, not in the plan (file order)
    leaves: tuple[str, ...]  # in the plan, not in the relaxed optimum

    @property
    def binding(self) -> bool:
        """True when the relaxation alone raises the best value."""
        return self.value_gain > 0


def limits(
    portfolio: Portfolio,
    plan: Result,
    *,
    options: SolveOptions,
    step: float | None = None,
    on_solve: Callable[[], None] = lambda: None,
) -> tuple[tuple[Limit, ...], bool]:
    """Every constraint the plan could relax, tried alone, in the formulation's order;
    and False when a time limit cut one of the solves short (gains then unproven).

    `plan` is the proven optimum of the same portfolio and options. Budget caps are
    raised by `step` (default: `default_step` of the file's unit), other constraints
    left out: one solve each. `on_solve` is called after each (for a progress bar).
    """
    if plan.status is not Status.OPTIMAL:
        return (), False
    step = default_step(portfolio.unit) if step is None else step
    form = formulate(portfolio, options)
    x = form.columns_taking({i: c.start for i, c in enumerate(plan.candidates) if c.selected})
    found = []
    proven = True
    for block in relaxable(form):
        raised = _raised(form, block.name, options, step)
        if raised is not None:
            other = optimise(portfolio, options=raised)
        else:
            other = optimise(portfolio, options=options, without=(block.name,))
        on_solve()
        proven &= other.status is Status.OPTIMAL and not other.notes
        found.append(
            _limit(
                block,
                plan,
                other,
                slack=_carry_room(plan)
                if block.name == "carry_over"
                else _slack(block, x, _carried_in(plan, block.name)),
                step=step if raised else None,
            )
        )
    return tuple(found), proven


def relaxable(form: Formulation) -> list[Block]:
    """The constraints tried: all but the links between candidates."""
    return [b for b in form.blocks if b.name.split(".")[0] in KINDS]


def with_limits(portfolio: Portfolio, plan: Result, *, options: SolveOptions, **how: Any) -> Result:
    """The plan with its limits attached, or with a note saying why there are none;
    `how` is passed on to `limits` (its `step` and `on_solve`)."""
    if plan.status is Status.FEASIBLE or (plan.status is Status.OPTIMAL and plan.notes):
        note = "the time limit cut the solve short, so what limits this plan was not analysed"
        return noted(plan, note)
    if plan.status is not Status.OPTIMAL:
        return plan  # no plan to limit: the conflicts say why
    found, proven = limits(portfolio, plan, options=options, **how)
    unproven = (
        "the time limit cut some solves of 'what limits this plan' short: "
        "its gains are not all proven"
    )
    return noted(plan, None if proven else unproven, limits=found)


def _limit(block: Block, plan: Result, other: Result, *, slack: float, step: float | None) -> Limit:
    """The relaxed optimum `other` against the plan, as one Limit (no gain and no change
    when a time limit left `other` without a portfolio)."""
    gain = 0.0
    enters: tuple[str, ...] = ()
    leaves: tuple[str, ...] = ()
    if other.status.has_portfolio and other.value is not None and plan.value is not None:
        if other.value - plan.value > tie_tolerance(plan.value):
            gain = reported_sum(other.value, -plan.value)
        enters = tuple(c for c in other.selected_ids if c not in plan.selected_ids)
        leaves = tuple(c for c in plan.selected_ids if c not in other.selected_ids)
    return Limit(
        constraint=block.name,
        label=block.label,
        kind=KINDS[block.name.split(".")[0]],
        slack=slack,
        unit=block.unit,
        step=step,
        value_gain=gain,
        enters=enters,
        leaves=leaves,
    )


def _raised(
    form: Formulation, name: str, options: SolveOptions, step: float
) -> SolveOptions | None:
    """The run's options with budget cap `name` raised by step (None: not a budget cap,
    or one that cannot rise that far)."""
    if name == "budget.total" and form.budget_total is not None:
        if form.budget_total + step > MAX_MAGNITUDE:
            return None
        return replace(options, budget=form.budget_total + step)
    prefix = "budget.per_year."
    if name.startswith(prefix):
        year = int(name[len(prefix) :])
        cap = form.budget_per_year[year] + step
        if cap > MAX_MAGNITUDE:
            return None
        return replace(options, budget_per_year={**options.budget_per_year, year: cap})
    return None


def _carried_in(plan: Result, name: str) -> float:
    """With carry-over, the balance the plan carries into the capped year `name` caps
    (budget.per_year.YEAR); 0 otherwise."""
    timing = plan.timing
    prefix = "budget.per_year."
    if timing is None or not name.startswith(prefix):
        return 0.0
    return timing.carried_into(int(name[len(prefix) :]))


def _carry_room(plan: Result) -> float:
    """How far the carried balances stay below the carry-over limit (the least)."""
    timing = plan.timing
    if timing is None or timing.carried is None or timing.carry_over is None:
        return 0.0
    return clean(min((timing.carry_over - v for v in timing.carried.values()), default=0.0))


def _slack(block: Block, x: list[int], carried_in: float = 0.0) -> float:
    """How far selection x stays inside the block's rows (the least over its bounds);
    a capped year's row with carry-over also has what was carried into it."""
    room = math.inf
    for row in block.rows:
        used = math.fsum([*(c for i, c in row.coefs.items() if x[i]), -carried_in])
        if row.upper is not None:
            room = min(room, row.upper - used)
        if row.lower is not None:
            room = min(room, used - row.lower)
    return clean(room) if math.isfinite(room) else 0.0
