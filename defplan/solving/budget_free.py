"""Whether a budget sweep's answer holds at every larger total budget.

Leave the total budget out: when no portfolio is then worth more than y, a proven answer
at total budget B0 costing less than B0 by more than the tie tolerance, the best value at
any total B >= B0 ties with y's (y is still there and nothing rises above it), and
y is the answer at B as at B0 (the `below` shortcut of canonical.py: every portfolio of
y's value costing at most B0 was ranked there, below y, and the others cost more than y
beyond the tie tolerance). One search, expected to find nothing, then stands for every
larger point of the sweep.
"""

from __future__ import annotations

from collections.abc import Mapping

from defplan.formulation import SolveOptions, formulate
from defplan.model import Portfolio
from defplan.result import Status
from defplan.solving.canonical import leaves_room, objective_value
from defplan.solving.engine import VALUE, Bound, Engine
from defplan.solving.optimum import selection_columns

Selection = Mapping[str, int | None]
"""A portfolio by candidate id and the start year taken (None without years)."""

TOTAL = "budget.total"


def rise(engine: Engine, value: float) -> float:
    """How far above `value` a portfolio must be worth for `value` not to tie with the
    best: half the least tie tolerance of any value from `value` to one tolerance above
    it (so every best value closer than this ties with `value`)."""
    span = engine.value_tie(value)
    nearest = 0.0 if value <= 0 <= value + span else min(abs(value), abs(value + span))
    return engine.value_tie(nearest) / 2


def holds_above(
    portfolio: Portfolio,
    options: SolveOptions,
    budget: float,
    selection: Selection,
    rival: Selection | None,
) -> tuple[bool, Selection | None]:
    """Whether `selection`, the proven answer at total `budget` (options' budget), is the
    answer at every larger total; and a portfolio, the total budget left out, worth more
    than it (`rival` when that one already is, without a search), or None.

    False without a search when the selection leaves no room under the budget, the run
    has a time limit (the search would take from the points' time) or the file has no
    total budget row to leave out.
    """
    form = formulate(portfolio, options)
    engine = Engine(form, options)
    y = selection_columns(portfolio, form, selection)
    names = [form.blocks[k].name for k in engine.active]
    if engine.time_limited or TOTAL not in names or not leaves_room(engine, budget, y):
        return False, rival
    value = objective_value(form, y)

    def value_of(other: Selection) -> float:
        return objective_value(form, selection_columns(portfolio, form, other))

    above = value + rise(engine, value)
    if rival is not None and value_of(rival) >= above:
        return False, rival
    blocks = [k for k, name in zip(engine.active, names, strict=True) if name != TOTAL]
    better = engine.maximise(
        VALUE,
        rows=[Bound("above", VALUE, lower=above)],
        floor=value,
        blocks=blocks,
        heuristics=False,  # the usual answer is "none": heuristics only look for one
    )
    if better.status is Status.INFEASIBLE:
        return True, rival
    if better.x is not None and objective_value(form, better.x) >= above:
        chosen = form.chosen_options(better.x)
        cands = portfolio.candidates
        return False, {cands[i].id: o.start for i, o in chosen.items()}
    return False, rival
