"""Why a candidate is in or out: its regret, the budget at which it enters, and the
constraints that decide it (`defplan explain`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from defplan.errors import UsageError
from defplan.formulation import SolveOptions, formulate
from defplan.model import MAX_MAGNITUDE, Portfolio, did_you_mean
from defplan.result import Result, Status, clean, reported_sum
from defplan.solving import (
    COST,
    VALUE,
    Bound,
    Engine,
    differs_from,
    objective_value,
    optimise,
    selection_cost,
)
from defplan.tolerance import tie_tolerance


@dataclass(frozen=True)
class StartYear:
    """The best portfolio with the candidate in, starting in `year`: its value (None:
    no portfolio starts it then) and how much less that is than the optimum."""

    year: int
    value: float | None
    below_optimum: float | None


@dataclass(frozen=True)
class Explanation:
    """The answers of `defplan explain` for one candidate (JSON: defplan-explain/1)."""

    id: str
    name: str
    result: Result  # the optimum, as `optimise` gives it
    forced: Result | None  # the best with the candidate forced the other way
    entry_budget: float | None
    binding: tuple[str, ...]
    binding_details: tuple[str, ...]
    forced_by_run: str = ""  # "--include" or "--exclude" when the run itself forces ID
    complete: bool = True  # False when a time limit cut a solve short: answers unproven
    starts: tuple[StartYear, ...] = ()  # with a start window: the best at each start year

    @property
    def start(self) -> int | None:
        """Its start year in the optimum (None when out, or without years)."""
        return next((c.start for c in self.result.selected if c.id == self.id), None)

    @property
    def selected(self) -> bool:
        return self.id in self.result.selected_ids

    @property
    def optimum(self) -> float | None:
        return self.result.value

    @property
    def forced_value(self) -> float | None:
        if self.forced is None or not self.forced.status.has_portfolio:
            return None
        return self.forced.value

    @property
    def regret(self) -> float | None:
        if self.forced_value is None or self.optimum is None:
            return None
        return reported_sum(self.optimum, -self.forced_value)

    @property
    def value(self) -> float:
        """The candidate's own weighted value v_i."""
        return next(c.value for c in self.result.candidates if c.id == self.id)

    @property
    def added(self) -> tuple[str, ...] | None:
        """In the best portfolio forced the other way, not in the optimum (file order)."""
        if self.forced_value is None or self.forced is None:
            return None
        return tuple(c for c in self.forced.selected_ids if c not in self.result.selected_ids)

    @property
    def dropped(self) -> tuple[str, ...] | None:
        """In the optimum, not in the best portfolio forced the other way (file order)."""
        if self.forced_value is None or self.forced is None:
            return None
        return tuple(c for c in self.result.selected_ids if c not in self.forced.selected_ids)

    @property
    def entry_value(self) -> float | None:
        """The least value of the candidate's own at which an optimal portfolio at this
        budget contains it: its value plus the regret when it is out, less the regret
        when it is in. None when no portfolio with it exists, or the run forces it."""
        if self.regret is None:
            return None
        return reported_sum(self.value, -self.regret if self.selected else self.regret)

    @property
    def in_at_entry_value(self) -> bool | None:
        """Whether, at exactly `entry_value`, the optimum defplan picks contains it.

        There the best portfolio with it and the best without it tie on value, so the
        tie rule decides between those two: the cheaper (costs within a relative 1e-9
        are equal), then the one that selects the earlier candidate where they differ.
        """
        if self.entry_value is None or self.forced is None:
            return None
        with_it, without = (
            (self.result, self.forced) if self.selected else (self.forced, self.result)
        )
        low = min(with_it.cost_total, without.cost_total)
        band = low + tie_tolerance(low)
        cheap_with, cheap_without = with_it.cost_total <= band, without.cost_total <= band
        if cheap_with != cheap_without:
            return cheap_with
        return _order(with_it) > _order(without)


def explain(
    portfolio: Portfolio,
    cid: str,
    *,
    options: SolveOptions,
    file: str = "",
    data: bytes = b"",
) -> Explanation:
    """Explain candidate `cid`. Without a proven optimum (infeasible, or a time limit)
    there is nothing to explain: the answers stay empty and `complete` says so."""
    index = portfolio.candidate_index()
    if cid not in index:
        raise UsageError(f"unknown candidate '{cid}'{did_you_mean(cid, list(index))}")
    candidate = portfolio.candidates[index[cid]]
    base = optimise(portfolio, options=options, file=file, data=data)
    if base.status is not Status.OPTIMAL:
        done = base.status is Status.INFEASIBLE
        return Explanation(cid, candidate.title, base, None, None, (), (), complete=done)
    selected = cid in base.selected_ids
    by_run = (
        "--include" if cid in options.include else "--exclude" if cid in options.exclude else ""
    )
    forced = None if by_run else _forced_other_way(portfolio, cid, options, selected)
    proven = [forced is None or _proven(forced)]
    binding = []
    for block in formulate(portfolio, options).blocks:
        without = optimise(portfolio, options=options, without=(block.name,))
        proven.append(_proven(without))
        if (cid in without.selected_ids) != selected:
            binding.append((block.name, f"{block.name}: {block.label}"))
    entry, entry_proven = entry_budget(portfolio, index[cid], options)
    starts, starts_proven = _start_years(portfolio, cid, options, base)
    proven.append(starts_proven)
    return Explanation(
        id=cid,
        name=candidate.title,
        result=base,
        forced=forced,
        entry_budget=entry,
        binding=tuple(name for name, _ in binding),
        binding_details=tuple(text for _, text in binding),
        forced_by_run=by_run,
        complete=all(proven) and entry_proven and not base.notes,
        starts=starts,
    )


def _start_years(
    portfolio: Portfolio, cid: str, options: SolveOptions, base: Result
) -> tuple[tuple[StartYear, ...], bool]:
    """The best portfolio with cid in at each of its start years (a candidate with a
    start window only), and whether every one is proven."""
    from defplan.timeline import options_of

    i = portfolio.candidate_index()[cid]
    if portfolio.candidates[i].start is None or cid in options.exclude or cid in options.starts:
        return (), True
    years = [o.start for o in options_of(portfolio) if o.candidate == i and o.start is not None]
    found, proven = [], True
    for year in years:
        at = optimise(portfolio, options=replace(options, starts={**options.starts, cid: year}))
        proven &= _proven(at)
        value = at.value if at.status.has_portfolio else None
        below = None
        if value is not None and base.value is not None:
            below = max(0.0, reported_sum(base.value, -value))
        found.append(StartYear(year, value, below))
    return tuple(found), proven


def _order(result: Result) -> tuple[bool, ...]:
    """The selection in file order: the greater one wins the tie rule's last step."""
    return tuple(c.selected for c in result.candidates)


def _proven(result: Result) -> bool:
    """True when no time limit cut the result's solves short."""
    return result.status in (Status.OPTIMAL, Status.INFEASIBLE) and not result.notes


def _forced_other_way(
    portfolio: Portfolio, cid: str, options: SolveOptions, selected: bool
) -> Result:
    """The best portfolio with cid out (if in) or in (if out)."""
    if selected:
        return optimise(portfolio, options=replace(options, exclude=(*options.exclude, cid)))
    return optimise(portfolio, options=replace(options, include=(*options.include, cid)))


def entry_budget(portfolio: Portfolio, i: int, options: SolveOptions) -> tuple[float | None, bool]:
    """The least total budget at which some optimal portfolio contains candidate i, and
    whether that answer is proven (False only when a time limit cut a solve short).

    Selections are not monotone in the budget, so no bisection. With f(B) the best value
    at total budget B and g(B) the best with i selected, g <= f and f never falls. At a
    budget B where g(B) < f(B), no budget below B' (the cheapest portfolio with i worth
    f(B)) can do better, so B' is the next budget worth looking at. The walk starts
    from the cheapest portfolio with i, raises f at every step, and ends with None when
    no total up to the sum of all costs lets i in.
    """
    from defplan.timeline import money_lines, money_of, options_of

    # every cost at once (each candidate at its dearest start), but no more than a
    # budget may be (1e12): the answer is a budget
    money = money_lines(portfolio)
    dearest: dict[int, float] = {}
    for o in options_of(portfolio, options.cost_level):
        spent = money_of(o, portfolio.candidates[o.candidate], money)
        dearest[o.candidate] = max(dearest.get(o.candidate, 0.0), spent)
    ceiling = min(math.fsum(dearest.values()), MAX_MAGNITUDE)
    form = formulate(portfolio, replace(options, budget=ceiling))
    engine = Engine(form, options)
    with_i = Bound("with_i", dict.fromkeys(form.columns_of[i], 1), lower=1)
    cheapest = engine.minimise(COST, rows=[with_i])
    last_best = -math.inf
    while cheapest.status is Status.OPTIMAL and cheapest.x is not None:
        budget = selection_cost(form, cheapest.x)
        capped = Bound("budget", COST, upper=budget)
        value_with_i = _best_value(engine, [with_i, capped])
        best = _best_value(engine, [capped])
        if value_with_i is None or best is None:
            return None, False  # only with a time limit: no proof either way
        floor = best - engine.value_tie(best)
        if value_with_i >= floor:
            return clean(budget), True
        if not best > last_best:
            return None, False  # f must rise at every step; a solver slipped
        last_best = best
        cheapest = _cheapest_reaching(engine, floor, [with_i, Bound("floor", VALUE, lower=floor)])
    return None, cheapest.status is Status.INFEASIBLE


def _cheapest_reaching(engine: Engine, floor: float, rows: list[Bound]) -> Any:
    """The cheapest portfolio meeting `rows` whose value is at least floor, checked in
    exact sums: a solver may accept the floor's row within its tolerance."""
    rows = list(rows)
    while True:
        found = engine.minimise(COST, rows=rows)
        if found.status is not Status.OPTIMAL or found.x is None:
            return found
        if objective_value(engine.form, found.x) >= floor:
            return found
        rows.append(differs_from(found.x, name=f"not_{len(rows)}"))


def _best_value(engine: Engine, rows: list[Bound]) -> float | None:
    """The best value among portfolios meeting `rows`; None without a proven one."""
    found = engine.maximise(VALUE, rows=rows)
    if found.status is not Status.OPTIMAL or found.x is None:
        return None
    return objective_value(engine.form, found.x)
