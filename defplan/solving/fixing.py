"""Columns every tied portfolio agrees on, from the LP relaxation's duals (reduced-cost
fixing), so that the tie search walks only the columns still open.

Any multipliers on the rows give a bound (the Lagrangian) on the value of every
portfolio meeting them; the LP relaxation's duals give a tight one. A column whose
reduced profit is larger than that bound's margin over the tie band's floor takes its
LP side in every tied portfolio: taking the other side would cost more value than the
band allows. HiGHS only suggests the multipliers: the bound and each reduced profit are
computed here, in exact sums over the formulation's own rows (with the allowances the
exact checks grant), and any multipliers at all give a valid bound, so rounding in the
LP can make the fixing weaker, never wrong.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from defplan.formulation import Formulation, Row
from defplan.tolerance import TIE, allowance

MARGIN = 1e-9
"""Relative room (of the bound's terms) a reduced profit must clear before it fixes a
column: far above the rounding of the sums that make the bound."""


@dataclass(frozen=True)
class Fixed:
    """Columns at 1 (`ones`) and at 0 (`zeros`) in every portfolio of the tie band."""

    ones: frozenset[int] = frozenset()
    zeros: frozenset[int] = frozenset()

    def __contains__(self, column: int) -> bool:
        return column in self.ones or column in self.zeros


@dataclass(frozen=True)
class _Relaxed:
    """A row as the exact checks let it pass: each bound widened by its allowance."""

    coefs: dict[int, float]
    lower: float | None
    upper: float | None


def tie_fixed(
    form: Formulation, blocks: Sequence[int], value_floor: float, cost_cap: float
) -> Fixed:
    """The columns every portfolio meeting `blocks` (positions in form.blocks), the
    one-option rows and the soft targets' definitions, of value at least `value_floor`
    and cost at most `cost_cap`, agrees on. Empty when the LP gives nothing to go on
    (no HiGHS, no optimal LP, carry-over balances in the objective's way)."""
    rows, soft = _rows(form, blocks, cost_cap), _soft_targets(form)
    duals = _lp_duals(form, rows, soft)
    if duals is None:
        return Fixed()
    best = Fixed()
    for sign in (1.0, -1.0):  # whichever sign convention the duals follow
        found = _fixed_by(form, rows, soft, [sign * d for d in duals], value_floor)
        if len(found.ones) + len(found.zeros) > len(best.ones) + len(best.zeros):
            best = found
    return best


def _rows(form: Formulation, blocks: Sequence[int], cost_cap: float) -> list[_Relaxed]:
    """The rows every tied portfolio meets, widened as the exact checks widen them.
    Rows over carried balances are left out: leaving rows out only weakens the bound."""
    plain: list[Row] = [r for b in blocks for r in form.blocks[b].rows if not r.flows]
    plain += list(form.choices)
    out = [_widened(r) for r in plain]
    if math.isfinite(cost_cap):
        out.append(_Relaxed(dict(enumerate(form.costs)), None, cost_cap))  # the band's cap
    return out


def _widened(row: Row) -> _Relaxed:
    magnitude = math.fsum(abs(c) for c in row.coefs.values())
    low, high = row.lower, row.upper
    lower = None if low is None else low - allowance(low, magnitude, row.tolerance)
    upper = None if high is None else high + allowance(high, magnitude, row.tolerance)
    return _Relaxed(row.coefs, lower, upper)


Soft = list[tuple[dict[int, float], float, float, float]]
"""Each soft target as (coefs, target less its allowance, penalty, largest shortfall)."""


def _soft_targets(form: Formulation) -> Soft:
    """Each soft target as (coefs, target less its allowance, penalty, the largest
    shortfall any selection can have): a shortfall is at least target - allowance -
    achieved (tolerance.shortfall), so value <= selected values - penalty * that."""
    out = []
    for s in form.soft:
        magnitude = math.fsum(abs(c) for c in s.coefs.values())
        target = s.target - allowance(s.target, magnitude, TIE)
        lowest = math.fsum(c for c in s.coefs.values() if c < 0)
        out.append((s.coefs, target, s.penalty, max(0.0, target - lowest)))
    return out


def _lp_duals(form: Formulation, rows: list[_Relaxed], soft: Soft) -> list[float] | None:
    """Row duals of the LP relaxation (the rows, then the soft targets' rows) of
    "maximise value", from HiGHS; None when there is no optimal LP."""
    try:
        import highspy
        import numpy as np

        from defplan.backends import highs as highs_backend
        from defplan.backends.race import stdout_silenced
    except ImportError:
        return None
    inf = highspy.kHighsInf
    n = len(form.values)
    with stdout_silenced():  # highspy prints a banner when a model is made
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)  # as every HiGHS run here (backends/highs.py)
    lower = np.zeros(n + len(soft))
    upper = np.array([1.0] * n + [t[3] for t in soft])
    cost = np.array([-v for v in form.values] + [t[2] for t in soft])  # minimise -value
    starts, indices, values = [], [], []
    row_lower, row_upper = [], []
    for row in rows:
        starts.append(len(indices))
        indices += list(row.coefs)
        values += list(row.coefs.values())
        row_lower.append(-inf if row.lower is None else row.lower)
        row_upper.append(inf if row.upper is None else row.upper)
    for k, (coefs, target, _, _) in enumerate(soft):
        starts.append(len(indices))
        indices += [*coefs, n + k]
        values += [*coefs.values(), 1.0]
        row_lower.append(target)
        row_upper.append(inf)
    with highs_backend.TURN:
        h.addVars(n + len(soft), lower, upper)
        h.changeColsCost(n + len(soft), np.arange(n + len(soft), dtype=np.int32), cost)
        highs_backend.add_rows(h, row_lower, row_upper, starts, indices, values)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return list(h.getSolution().row_dual)


def _fixed_by(
    form: Formulation, rows: list[_Relaxed], soft: Soft, duals: list[float], value_floor: float
) -> Fixed:
    """The fixing the multipliers `duals` prove (see the module's docstring).

    value(y) <= sum(mu_r * bound_r) + sum(profit_j * y_j) + sum(q_k * shortfall_k) for
    every portfolio y meeting the rows, where a multiplier mu_r > 0 takes the row's
    upper bound and mu_r < 0 its lower one (a multiplier without its bound counts as 0):
    each term mu_r * (bound_r - row_r(y)) is then >= 0. profit_j = value_j - sum(mu_r *
    a_rj); the shortfalls lie in [0, their largest]."""
    n = len(form.values)
    terms: list[list[float]] = [[v] for v in form.values]
    constant: list[float] = []
    every = [*rows, *(_Relaxed(c, t, None) for c, t, _, _ in soft)]
    multipliers = []
    for row, mu in zip(every, duals, strict=True):
        bound = row.upper if mu > 0 else row.lower if mu < 0 else None
        if bound is None or not math.isfinite(bound):
            mu = 0.0
        multipliers.append(mu)
        if mu:
            constant.append(mu * bound)  # type: ignore[operator]
            for j, a in row.coefs.items():
                terms[j].append(-mu * a)
    profits = [math.fsum(t) for t in terms]
    upper = [*constant, *(p for p in profits if p > 0)]
    for k, (_, _, penalty, largest) in enumerate(soft):
        q = -penalty - multipliers[len(rows) + k]  # the shortfall's own row has it at 1
        if q > 0:
            upper.append(q * largest)
    bound = math.fsum(upper)
    room = bound - value_floor + MARGIN * (math.fsum(abs(t) for t in upper) + abs(value_floor))
    if not math.isfinite(room):
        return Fixed()
    ones = frozenset(j for j in range(n) if profits[j] > room)
    zeros = frozenset(j for j in range(n) if -profits[j] > room)
    return Fixed(ones, zeros)
