"""The tie rule (docs/model.md): among portfolios of the best value, the cheapest, then
the one that selects the earliest candidates in file order; as a search over solves.

Values within a relative 1e-9 of the best, and costs within 1e-9 of the least, tie.
1. `prove` settles whether a first answer has the best value and whether any other
portfolio comes within the tie tolerance of it; usually none does and that is the
answer. Otherwise 2. ask whether another comes within it at no greater cost,
3. minimise cost among the portfolios of that value, 4. ask again whether another ties
on both, and 5. only then walk the candidates in file order, keeping each one selected
whenever a tied portfolio allows it (the lexicographically greatest selection).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from defplan.backends import Outcome
from defplan.formulation import Formulation
from defplan.result import Status
from defplan.solving.engine import COST, VALUE, Bound, Engine, differs_from
from defplan.solving.fixing import Fixed, tie_fixed
from defplan.tolerance import shortfall, total_and_magnitude

CHUNK = 20
"""Candidates settled per solve when ties go to file order (2^20 stays exact in a MIP)."""
FIRST_GAP = 1e-5
"""Relative gap at which HiGHS, racing CBC, ends the first search for the best value;
`prove` then closes it, unless CBC proved the best first. Looser gaps gave answers
further from the best and so slower proofs, tighter ones slowed the search itself
(bench/results.md). CBC alone, or HiGHS alone, proves at once: on tight knapsacks a
search without a cost cap, as in the proof, is slower than the tie search that follows
a proven best."""


def objective_value(form: Formulation, x: Sequence[int]) -> float:
    """The objective of a selection: values minus soft-commitment penalties."""
    gained = math.fsum(v for v, on in zip(form.values, x, strict=True) if on)
    lost = math.fsum(
        s.penalty * shortfall(s.target, *total_and_magnitude(c for i, c in s.coefs.items() if x[i]))
        for s in form.soft
    )
    return gained - lost


def selection_cost(form: Formulation, x: Sequence[int]) -> float:
    """Summed cost of a selection."""
    return math.fsum(c for c, on in zip(form.costs, x, strict=True) if on)


def prove(
    engine: Engine, x: list[int], gap: float = FIRST_GAP
) -> tuple[Outcome, bool, list[int] | None]:
    """Settle whether x, found within `gap` of the best, has the best value, and whether
    alone.

    One search for the best portfolio other than x, with x's value (less the tie
    tolerance) as its cutoff: a bound to prune by from the start, where a search from
    scratch must first find such a portfolio and then close the gap. Returns the best
    portfolio (proven, or the better in hand at a time limit, then with `gap`) and True
    when no other comes within the tolerance of x, so that no tie is left to break.
    """
    value = objective_value(engine.form, x)
    floor = value - engine.value_tie(value)
    settled = tie_fixed(engine.form, engine.active, floor, math.inf)
    other = _best_other(engine, x, floor, settled_rows(settled))
    rival = other.x
    better = rival is not None and objective_value(engine.form, rival) > value
    best = rival if better and rival is not None else x
    if not other.proven:  # the time limit: the first search's gap still bounds it
        return Outcome(Status.FEASIBLE, best, gap), False, None
    unique = rival is None or objective_value(engine.form, rival) < floor
    tie = None if unique or better else rival
    return Outcome(Status.OPTIMAL, best, 0.0), unique, tie


def canonical(
    engine: Engine,
    x: list[int],
    rows: Sequence[Bound] = (),
    below: tuple[float, list[int]] | None = None,
    tie: list[int] | None = None,
) -> list[int]:
    """The cheapest, then file-order-first, portfolio of the best value among those
    meeting `rows` too, given x, one of the best value. Check engine.cut_short after:
    a time limit may leave a tie unsettled.

    With `below` = (B0, y), y the answer at a total budget B0 no larger than this
    run's: every portfolio costing at most B0 was already ranked there, below y. So
    y is still the answer when it ties on value and B0 leaves room beyond its cost;
    and when the best value beats y's, every rival costs more than B0.
    `tie`: a portfolio other than x known to tie with it on value (prove's), if any.
    """
    return _Ties(engine, rows).settle(x, below, tie)


class _Ties:
    """One tie search: the band of tied values and costs, narrowed as it goes, and the
    rows every solve in it has."""

    def __init__(self, engine: Engine, rows: Sequence[Bound]) -> None:
        self.engine = engine
        self.form = engine.form
        self.rows = list(rows)  # the caller's, then the tie band's
        self.fixed: list[Bound] = []  # choices the file-order walk has settled
        self.settled = Fixed()  # columns every tied portfolio agrees on (fixing.py)
        self.value_floor = -math.inf
        self.cost_floor = -math.inf  # every rival costs more than a smaller budget's answer
        self.cost_cap = math.inf
        self.tie_cost = Bound("tie_cost", COST, upper=self.cost_cap)

    def _cap(self, cost: float) -> None:
        """Narrow the band of tied costs to those tying with `cost`."""
        self.cost_cap = cost + self.engine.cost_tie(cost)
        self.tie_cost = Bound("tie_cost", COST, upper=self.cost_cap)

    def settle(
        self, x: list[int], below: tuple[float, list[int]] | None, tie: list[int] | None
    ) -> list[int]:
        engine, form = self.engine, self.form
        best = objective_value(form, x)
        self.value_floor = best - engine.value_tie(best)
        if below is not None:
            budget_below, y = below
            y_value = objective_value(form, y)
            if y_value >= self.value_floor and leaves_room(engine, budget_below, y):
                return y
            if self.value_floor > y_value + engine.value_tie(y_value):
                self.cost_floor = budget_below
                self.rows.append(Bound("above_below", COST, lower=budget_below))
        self._cap(selection_cost(form, x))
        self.rows.append(Bound("tie_value", VALUE, lower=self.value_floor))
        known = (
            tie is not None
            and self._ties(tie)
            and selection_cost(form, tie) >= self.cost_floor  # prove's tie is a witness here
        )
        self._settle_by_lp()  # an LP: far cheaper than the search it shortens
        if engine.out_of_time() or not (known or self._another_exists(x)):
            return x  # the usual case: x is the only best portfolio
        # the cheapest tie other than x: cheaper, the band narrows to it; else it is
        # another tie at x's cost, and the walk starts without searching for one
        ceiling = self.cost_cap + engine.cost_tie(self.cost_cap)
        rows = [*self.rows, differs_from(x)]
        cheaper = engine.minimise(COST, rows=rows, ceiling=ceiling)
        z = cheaper.x if cheaper.status is Status.OPTIMAL and self._ties(cheaper.x) else None
        another = z is not None
        if z is not None and selection_cost(form, z) < selection_cost(form, x):
            x, another = z, False
            self._cap(selection_cost(form, x))
        while True:
            if engine.out_of_time() or not (another or self._another_exists(x)):
                return x
            another = False
            first = self._file_order_first(x)
            dearer = selection_cost(form, first) > selection_cost(form, x)
            cheaper_still = self._cheaper_than(first) if dearer else None
            if cheaper_still is None:
                return first
            x = cheaper_still  # the least cost was not the least: measure the band again
            self._cap(selection_cost(form, x))
            self.fixed = []

    def _settle_by_lp(self) -> None:
        """Find the columns every tied portfolio agrees on and add them to the band's
        rows (two rows, however many): later solves need not search them, and the
        file-order walk skips them. The band only narrows after this, so they hold."""
        self.settled = tie_fixed(self.form, self.engine.active, self.value_floor, self.cost_cap)
        self.rows += settled_rows(self.settled)

    def _cheaper_than(self, y: list[int]) -> list[int] | None:
        """A portfolio of the best value costing less than y by more than the tie
        tolerance, or None: so that y, dearer than the cheapest found, ties with the
        cheapest there is and not only with the one a solver stopped at (solvers stop
        within their own tolerances of the least cost, which can be coarser than the
        tie rule's)."""
        engine, form = self.engine, self.form
        cost = selection_cost(form, y)
        under = cost - engine.cost_tie(cost)
        found = engine.minimise(COST, rows=[*self.rows, Bound("below_tie", COST, upper=under)])
        z = found.x if found.status is Status.OPTIMAL else None
        if z is None or objective_value(form, z) < self.value_floor:
            return None
        return z if selection_cost(form, z) < under else None

    def _band(self) -> list[Bound]:
        """Every row of a solve within the tie band: the caller's, the band's, fixes."""
        return [*self.rows, self.tie_cost, *self.fixed]

    def _another_exists(self, x: list[int], start: int = 0) -> bool:
        """True when another selection, differing from x from candidate `start` on, ties.

        A search for any portfolio in the tie band, run as "maximise value" with the
        band's floor as cutoff: with an objective to bound by, the solver prunes far
        more than with the band's row alone.
        """
        other = _best_other(self.engine, x, self.value_floor, self._band(), start)
        return other.status is Status.OPTIMAL and self._ties(other.x)

    def _ties(self, y: list[int] | None) -> bool:
        """True when y is within the tie tolerance of the best value and least cost."""
        return (
            y is not None
            and objective_value(self.form, y) >= self.value_floor
            and selection_cost(self.form, y) <= self.cost_cap
        )

    def _file_order_first(self, x: list[int]) -> list[int]:
        """The tied selection that selects the earliest candidates in file order, then
        starts them earliest in file order: a walk over the candidates (each with all
        its options), then, when some candidate has several options, over the options."""
        units = self.form.columns_of
        x = self._walk(x, units)
        if len(units) < len(x) and not self.engine.out_of_time():
            x = self._walk(x, [[k] for k in range(len(x))])
        return x

    def _walk(self, x: list[int], units: Sequence[Sequence[int]]) -> list[int]:
        """The lexicographically greatest tied selection over `units` (groups of columns,
        one of which at most is taken), CHUNK units per solve.

        Units whose columns every tied portfolio agrees on (`settled`) are skipped: x
        agrees too. Within a chunk of the others, weights 2^(k-1), ..., 2, 1 make taking
        an earlier unit worth more than taking all later ones together. One solve a
        chunk: the best-scoring tied selection other than x (differing from it from the
        chunk's first column on, the earlier ones being fixed) that scores at least x's.
        It is the chunk's lexicographic maximum when it scores more than x, else x is;
        and when there is none, no other tie is left and the walk ends. The chunk is then
        fixed (two rows: its taken units, its others) and the next one solved.
        """
        engine = self.engine
        units = [u for u in units if not all(k in self.settled for k in u)]
        n = len(units)
        for start in range(0, n, CHUNK):
            chunk = range(start, min(n, start + CHUNK))
            weights = {k: float(2 ** (chunk.stop - 1 - u)) for u in chunk for k in units[u]}

            def score(y: list[int], weights: dict[int, float] = weights) -> float:
                return sum(w for i, w in weights.items() if y[i])

            if engine.out_of_time():
                return x
            other = differs_from(x, units[start][0])
            trial = engine.maximise(weights, rows=[*self._band(), other], floor=score(x) - 0.5)
            found = trial.x if self._ties(trial.x) else None
            if found is not None and score(found) > score(x):
                x = found
            if trial.status is not Status.OPTIMAL or found is None:
                return x  # no other tie is left (or the time limit ran out)
            taken = [units[u] for u in chunk if any(x[k] for k in units[u])]
            others = [units[u] for u in chunk if not any(x[k] for k in units[u])]
            self.fixed += held(f"fix{units[start][0]}", taken, others)
        return x


def leaves_room(engine: Engine, budget: float, y: Sequence[int]) -> bool:
    """True when y costs less than `budget` by more than the tie tolerance."""
    cost = selection_cost(engine.form, y)
    return budget >= cost + engine.cost_tie(cost)


def settled_rows(settled: Fixed) -> list[Bound]:
    """Two rows (however many columns) holding the settled columns at their values."""
    ones, zeros = sorted(settled.ones), sorted(settled.zeros)
    return held("settled", [[j] for j in ones], [[j] for j in zeros])


def held(name: str, taken: Sequence[Sequence[int]], left: Sequence[Sequence[int]]) -> list[Bound]:
    """Two rows (however many units) holding each unit of `taken` (columns of which one
    at most is taken) at one of its columns and every column of `left` at 0."""
    rows = []
    if taken:
        cols = {k: 1.0 for unit in taken for k in unit}
        rows.append(Bound(f"{name}.taken", cols, lower=len(taken)))
    if left:
        rows.append(Bound(f"{name}.others", {k: 1.0 for unit in left for k in unit}, upper=0))
    return rows


def _best_other(
    engine: Engine, x: list[int], floor: float, rows: Sequence[Bound], start: int = 0
) -> Outcome:
    """The most valuable selection differing from x (from candidate `start` on) of value
    at least `floor`, among those meeting `rows`; INFEASIBLE when there is none.

    The floor is a row and, less a tolerance, a cutoff: the cutoff lets the solver prune
    from the start; the row keeps a search proven within its gap from stopping at a
    rival just below the floor while another above it goes unseen.
    """
    # heuristics off: the usual answer is "none", and they only look for one; the
    # search finds one anyway. On with a time limit, where the search may end before
    # its proof, as a search for better portfolios (they found better ones there)
    return engine.maximise(
        VALUE,
        rows=[*rows, differs_from(x, start), Bound("floor", VALUE, lower=floor)],
        floor=floor - engine.value_tie(floor),
        heuristics=engine.time_limited,
    )
