"""Exact checks of solver answers: a selection against the rows of a solve in exact
sums (tolerance.py), and the witnesses that refute a solver's claim of "no portfolio".

Solvers accept rows off by their absolute feasibility tolerance; these checks decide.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from defplan.formulation import Formulation, Row
from defplan.tolerance import allowance, total_and_magnitude

if TYPE_CHECKING:
    from defplan.solving.engine import Engine

Extra = tuple[str, Any]
"""One extra row of a solve as PuLP gets it: (its name, the PuLP constraint)."""


def breaks(row: Row, x: Sequence[int], carried: Sequence[float] = ()) -> bool:
    """True when selection x, with these carried balances, puts row's exact total beyond
    a bound (tolerance.py). A row over an unbounded balance holds."""
    flows = [f * carried[k] for k, f in row.flows.items()]
    if any(math.isinf(v) for v in flows):
        return False
    return row.violated_by(
        *total_and_magnitude([*(c for i, c in row.coefs.items() if x[i]), *flows])
    )


def evaluated(expr: Any, values: dict[str, float]) -> tuple[float, float]:
    """A PuLP expression's exact total (constant aside) and magnitude at these values."""
    return total_and_magnitude(c * values[v.name] for v, c in expr.items())


def meets(constraint: Any, values: dict[str, float]) -> bool:
    """True when a PuLP constraint holds at these values in exact sums (tolerance.py)."""
    total, magnitude = evaluated(constraint, values)
    bound = -constraint.constant
    slack = allowance(bound, magnitude)
    sense = constraint.sense  # PuLP's: -1 for <=, 0 for ==, 1 for >=
    return (sense >= 0 or total <= bound + slack) and (sense <= 0 or total >= bound - slack)


def broken_extra(
    engine: Engine, x: Sequence[int], extra: Sequence[Extra], values: dict[str, float] | None = None
) -> str:
    """The name of the first extra row selection x breaks in exact sums ("" if none):
    the tie band, the cost cap and the no-goods are decided here, not by a solver's
    tolerance."""
    values = engine.values(x) if values is None else values
    return next((name for name, c in extra if not meets(c, values)), "")


def holds(
    engine: Engine,
    x: Sequence[int],
    blocks: Sequence[int],
    objective: Any,
    cutoff: float | None,
    extra: Sequence[Extra],
) -> bool:
    """True when selection x meets, in exact sums, every row a solve over `blocks` has
    (blocks, extras; soft shortfalls at their least) and the cutoff, if any. The cutoff
    and the extras, which most witnesses fail, are checked first."""
    values = engine.values(x)
    if cutoff is not None and objective is not None:
        total, magnitude = evaluated(objective, values)
        if total > cutoff + allowance(cutoff, magnitude):
            return False
    if broken_extra(engine, x, extra, values):
        return False
    return engine.broken(x, blocks) == ""


def disproof(
    engine: Engine,
    found: Sequence[Sequence[int]],
    blocks: Sequence[int],
    objective: Any,
    cutoff: float | None,
    extra: Sequence[Extra],
) -> str:
    """Names a selection that shows a solver's "no portfolio meets these rows" wrong:
    one of `found` (the other racer's portfolios) or a cheap witness, the empty
    selection or the forced candidates alone, that meets every row of the solve in
    exact sums; "" when none does.

    Why these: a claim of infeasibility has no certificate to check, and solving again
    with the other solver would double the time of every search whose usual answer is
    "none" (the proof and tie searches, the conflict filter). These witnesses cost one
    pass over the rows and catch the claims seen to go wrong: a budget's solve, where
    the empty selection is feasible, and a race in which the other solver already holds
    a portfolio. CBC declared a 1e9 budget infeasible that way: it accepted a selection
    over the budget by 2 within its tolerance, cut off everything worth less, then
    refused that selection in its final check.
    """
    held = [("the other solver's portfolio", list(x)) for x in found]
    for label, x in held + witnesses(engine.form, blocks, len(engine.x)):
        if holds(engine, x, blocks, objective, cutoff, extra):
            return label
    return ""


def witnesses(form: Formulation, blocks: Sequence[int], n: int) -> list[tuple[str, list[int]]]:
    """The empty selection, and the candidates that single-candidate rows force in."""
    forced = {
        i
        for k in blocks
        for row in form.blocks[k].rows
        if len(row.coefs) == 1 and row.lower is not None and row.lower > 0
        for i in row.coefs
    }
    found = [("the empty selection", [0] * n)]
    if forced:
        alone = [int(i in forced) for i in range(n)]
        found.append(("the selection of the forced candidates alone", alone))
    return found
