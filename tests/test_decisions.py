"""Decision support (conflicts, explain, limits, alternatives, frontier) against brute-force
enumeration of small random portfolios.

Every answer is checked against `enumerate_selections` (tests/bruteforce.py), which
knows, for each selection, the named constraints it breaks, in exact arithmetic.
"""

from __future__ import annotations

import re
from dataclasses import replace as swap
from fractions import Fraction
from typing import Any

import pytest
from bruteforce import (
    TIE,
    YEARS,
    Case,
    Expected,
    Selection,
    _close,
    _num,
    brute_force,
    canonical_of,
    cases,
    enumerate_selections,
    money_cases,
    run,
    to_yaml,
)
from hypothesis import event, given, note, settings
from hypothesis import strategies as st

from defplan import SolveOptions, Status, optimise, parse_portfolio
from defplan.formulation import formulate
from defplan.render.documents import document_of

SUGGESTION = re.compile(r"; (raising|lowering) it alone to (-?[\d,.e+-]+)")


def _near(printed: str, exact: Fraction) -> bool:
    """A number printed with 12 significant digits against the exact one."""
    return abs(Fraction(printed.replace(",", "")) - exact) <= Fraction(1, 10**11) * max(
        1, abs(exact)
    )


@settings(max_examples=250, derandomize=True, deadline=None)
@given(cases())
def test_conflicts_are_irreducible_and_suggestions_exact(case: Case) -> None:
    check_conflicts(case)


@settings(max_examples=80, derandomize=True, deadline=None)
@given(money_cases())
def test_conflicts_in_euros_are_irreducible_and_suggestions_exact(case: Case) -> None:
    check_conflicts(case)


def check_conflicts(case: Case) -> None:
    """An infeasible case's conflicts against the enumeration: see the tests above."""
    result = run(case)
    event(result.status.value)
    if result.status.value != "infeasible":
        return
    note(case.describe())
    selections = enumerate_selections(case)
    conflict = frozenset(result.conflicts)
    assert len(conflict) == len(result.conflicts) > 0
    # those constraints alone admit no portfolio ...
    assert not any(s.violated.isdisjoint(conflict) for s in selections), result.conflicts
    # ... and without any one of them, they do
    for name in conflict:
        rest = conflict - {name}
        assert any(s.violated.isdisjoint(rest) for s in selections), (name, result.conflicts)
    # ... and they are the deletion filter's, blocks tried in the formulation's order
    portfolio = parse_portfolio(to_yaml(case.doc), filename="random.yaml")
    order = [b.name for b in formulate(portfolio, case.options()).blocks]
    keep = list(order)
    for name in order:
        rest = set(keep) - {name}
        if not any(s.violated.isdisjoint(rest) for s in selections):
            keep.remove(name)
    assert result.conflicts == tuple(keep)
    # a suggested number restores feasibility alone, and is the least change that does
    for name, detail in zip(result.conflicts, result.conflict_details, strict=True):
        assert detail.startswith(f"{name}: ")
        found = SUGGESTION.search(detail)
        if found is None:
            continue
        alone = [s.spend[name] for s in selections if s.violated <= {name}]
        event(f"suggestion for {name.split('.')[0]}")
        assert alone, detail
        best = min(alone) if found.group(1) == "raising" else max(alone)
        assert _near(found.group(2), best), (detail, best)


def _tied(value: Fraction, best: Fraction) -> bool:
    return value >= best - Fraction(TIE) * max(1, abs(best))


@settings(max_examples=120, derandomize=True, deadline=None)
@given(cases(), st.integers(0, 8))
def test_explain_matches_brute_force(case: Case, pick: int) -> None:
    from defplan.analysis.explain import explain
    from defplan.formulation import formulate

    portfolio = parse_portfolio(to_yaml(case.doc), filename="random.yaml")
    ids = [c.id for c in portfolio.candidates]
    cid = ids[pick % len(ids)]
    e = explain(portfolio, cid, options=case.options())
    expected = brute_force(case)
    event(f"{expected.status}")
    assert e.result.status.value == expected.status
    if expected.status != "optimal":
        return
    note(f"{case.describe()}\nexplaining {cid}")
    i = ids.index(cid)
    selections = enumerate_selections(case)
    feasible = [s for s in selections if s.feasible()]
    assert e.selected == (cid in expected.selected)
    assert _close(e.optimum, expected.value)
    # regret: the best with cid forced the other way (None when nothing is left)
    other = [s for s in feasible if s.x[i] != e.selected]
    forced_free = cid not in case.include and cid not in case.exclude
    if not other or not forced_free:
        assert e.forced_value is None and e.regret is None
        assert e.added is e.dropped is e.entry_value is e.in_at_entry_value is None
    else:
        forced = canonical_of(other)
        assert _close(e.forced_value, forced.value)
        assert _close(e.regret, expected.value - forced.value)
        event("regret")
        # what that portfolio adds and drops against the optimum
        assert e.added == tuple(c for c in forced.selected if c not in expected.selected)
        assert e.dropped == tuple(c for c in expected.selected if c not in forced.selected)
        _check_entry_value(e, case, feasible, i)
    # entry budget: the least total at which some optimal portfolio contains cid
    unbounded = [s for s in enumerate_selections(case, total=None) if s.feasible()]
    entry = None
    for budget in sorted({s.cost for s in unbounded if s.x[i]}):
        within = [s for s in unbounded if s.cost <= budget]
        best = max(s.value for s in within)
        if any(s.x[i] and _tied(s.value, best) for s in within):
            entry = budget
            break
    if entry is None:
        assert e.entry_budget is None
    else:
        event("entry budget")
        assert e.entry_budget is not None and _close(e.entry_budget, entry)
    # binding: the constraints whose removal alone flips whether cid is selected
    names = [b.name for b in formulate(portfolio, case.options()).blocks]
    flips = [
        n
        for n in names
        if (cid in canonical_of([s for s in selections if s.feasible(frozenset({n}))]).selected)
        != e.selected
    ]
    assert list(e.binding) == flips
    if flips:
        event("binding")


def _own_value(case: Case, i: int) -> Fraction:
    """Candidate i's weighted value v_i, exactly."""
    weights = {o: _num(spec["weight"]) for o, spec in case.doc["objectives"].items()}
    weights.update({o: _num(w) for o, w in case.weights.items()})
    total = sum(weights.values())
    scores = case.doc["candidates"][i].get("value", {})
    return sum((weights[o] / total * _num(x) for o, x in scores.items()), Fraction(0))


def _check_entry_value(e: Any, case: Case, feasible: list[Selection], i: int) -> None:
    """entry_value is the least value of candidate i's own at which some optimal
    portfolio contains it; at exactly that value the tie rule decides as reported."""
    with_i = max(s.value for s in feasible if s.x[i])
    without_i = max(s.value for s in feasible if not s.x[i])
    shift = without_i - with_i  # what v_i must change by for the two bests to tie
    assert _close(e.entry_value, _own_value(case, i) + shift)

    def optimum_with(change: Fraction) -> Expected:
        return canonical_of([swap(s, value=s.value + change * s.x[i]) for s in feasible])

    cid = e.id
    at_edge = optimum_with(shift)
    assert (cid in at_edge.selected) == e.in_at_entry_value
    event(f"at the entry value the tie is settled by {at_edge.decided_by}")
    assert cid in optimum_with(shift + Fraction(1, 10**6)).selected
    assert cid not in optimum_with(shift - Fraction(1, 10**6)).selected
    event(f"in at entry value: {e.in_at_entry_value}")


MONEY = Fraction("38.9")
"""Every amount of money of a `money_cases` portfolio is a multiple of this: a cost of 2
in `cases()` becomes 77.8, so sums of decimals meet the caps exactly on paper."""


def _in_money(amount: Any) -> float:
    return float(_num(amount) * MONEY)


@st.composite
def money_cases(draw: Any) -> Case:
    """A `cases()` portfolio whose candidates are all worth buying, with its costs,
    caps, budgets and group amounts in decimals, and its caps set to a share of what all
    candidates together would spend (so that they bind)."""
    case = draw(cases())
    doc = case.doc
    weights = {o: spec["weight"] for o, spec in doc["objectives"].items()} | case.weights
    worth = next(o for o, w in weights.items() if w)
    costs = [c["cost"] for c in doc["candidates"]]
    everything = sum(sum(map(_num, c.values())) if isinstance(c, dict) else _num(c) for c in costs)
    spent = {y: sum(_num(c.get(y, 0)) for c in costs if isinstance(c, dict)) for y in YEARS}

    def cap(upto: Fraction) -> float:  # a whole number of MONEY units, a share of upto
        share = draw(st.sampled_from([Fraction(1, 2), Fraction(1, 3), Fraction(2, 3), 1]))
        return float(round(upto * share) * MONEY)

    for c in doc["candidates"]:
        c["value"][worth] = draw(st.integers(1, 6))
        cost = c["cost"]
        if isinstance(cost, dict):
            c["cost"] = {y: _in_money(a) for y, a in cost.items()}
        else:
            c["cost"] = _in_money(cost)
    budget = doc.get("budget", {})
    if "total" in budget:
        budget["total"] = cap(everything)
    for year in budget.get("per_year", {}):
        budget["per_year"][year] = cap(spent[year])
    for g in doc.get("groups", {}).values():
        for key in ("min", "max"):
            if key in g:
                g[key] = _in_money(g[key])
    return swap(
        case,
        budget=None if case.budget is None else cap(everything),
        budget_per_year={y: cap(spent[y]) for y in case.budget_per_year},
    )


def _relaxed_alone(case: Case, name: str, step: float, selections: list[Selection]) -> Expected:
    """The canonical best with one constraint relaxed: a budget cap raised by step (in
    exact decimals), any other constraint left out."""
    budget = case.doc.get("budget", {})
    if name == "budget.total":
        total = case.budget if case.budget is not None else budget["total"]
        return brute_force(case, total=_num(total) + _num(step))
    if name.startswith("budget.per_year."):
        year = int(name.rsplit(".", 1)[1])
        cap = case.budget_per_year.get(year, budget.get("per_year", {}).get(year))
        caps = {**case.budget_per_year, year: _num(cap) + _num(step)}
        return brute_force(swap(case, budget_per_year=caps))
    return canonical_of([s for s in selections if s.feasible(frozenset({name}))])


@settings(max_examples=120, derandomize=True, deadline=None)
@given(money_cases(), st.sampled_from([77.8, 38.9, 100.0, 19.45]))
def test_limits_match_brute_force(case: Case, step: float) -> None:
    from defplan.analysis.limits import limits
    from defplan.formulation import formulate

    portfolio = parse_portfolio(to_yaml(case.doc), filename="random.yaml")
    plan = optimise(portfolio, options=case.options())
    found, proven = limits(portfolio, plan, options=case.options(), step=step)
    expected = brute_force(case)
    assert plan.status.value == expected.status
    if expected.status != "optimal":
        assert found == ()
        return
    note(f"{case.describe()}\nstep {step}")
    assert proven
    selections = enumerate_selections(case)
    chosen = next(s for s in selections if s.ids == expected.selected)
    names = [b.name for b in formulate(portfolio, case.options()).blocks]
    # every constraint but the links between candidates, in the formulation's order
    assert [x.constraint for x in found] == [
        n for n in names if not n.startswith(("requires.", "excludes."))
    ]
    for limit in found:
        relaxed = _relaxed_alone(case, limit.constraint, step, selections)
        gain = relaxed.value - expected.value
        binds = gain > Fraction(TIE) * max(1, abs(expected.value))
        assert limit.binding == binds, limit
        assert _close(limit.value_gain, gain if binds else Fraction(0)), limit
        assert limit.enters == tuple(c for c in relaxed.selected if c not in expected.selected)
        assert limit.leaves == tuple(c for c in expected.selected if c not in relaxed.selected)
        assert limit.step == (step if limit.kind == "cap" else None)
        slack = _room_left(case, limit.constraint, chosen)
        if slack is not None:
            assert _close(limit.slack, slack), limit
        event(f"{limit.kind} {'binds' if binds else 'does not bind'}")


def _room_left(case: Case, name: str, chosen: Selection) -> Fraction | None:
    """What the selection leaves of a budget cap, or above a hard target (None for the
    other constraints)."""
    budget = case.doc.get("budget", {})
    if name == "budget.total":
        total = case.budget if case.budget is not None else budget["total"]
        return _num(total) - chosen.spend[name]
    if name.startswith("budget.per_year."):
        year = int(name.rsplit(".", 1)[1])
        cap = case.budget_per_year.get(year, budget.get("per_year", {}).get(year))
        return _num(cap) - chosen.spend[name]
    if name.startswith("commitment."):
        target = case.doc["commitments"][name.split(".", 1)[1]]["target"]
        return chosen.spend[name] - _num(target)
    return None


@settings(max_examples=120, derandomize=True, deadline=None)
@given(cases(), st.integers(1, 4))
def test_alternatives_match_brute_force(case: Case, count: int) -> None:
    from defplan.analysis.alternatives import alternatives

    portfolio = parse_portfolio(to_yaml(case.doc), filename="random.yaml")
    optimum = run(case)
    found, complete = alternatives(portfolio, optimum, options=case.options(), count=count)
    assert complete
    remaining = [s for s in enumerate_selections(case) if s.feasible()]
    if optimum.status.value != "optimal":
        assert found == ()
        return
    note(case.describe())
    # the reference: the canonical best, taken out, again and again
    expected = []
    best = canonical_of(remaining)
    remaining = [s for s in remaining if s.ids != best.selected]
    while remaining and len(expected) < count:
        nxt = canonical_of(remaining)
        expected.append(nxt)
        remaining = [s for s in remaining if s.ids != nxt.selected]
    assert [a.selected for a in found] == [e.selected for e in expected]
    for alt, ref in zip(found, expected, strict=True):
        assert _close(alt.value, ref.value) and _close(alt.cost, ref.cost)
        assert set(alt.added) == set(alt.selected) - set(optimum.selected_ids)
        assert set(alt.dropped) == set(optimum.selected_ids) - set(alt.selected)
    event(f"{len(found)} of {count} found")


def _equal_band(total: Fraction) -> Fraction:
    return Fraction(1, 10**6)  # docs/model.md: totals within 1e-6 are equal


@settings(max_examples=100, derandomize=True, deadline=None)
@given(cases(), st.integers(0, 5))
def test_frontier_matches_brute_force(case: Case, pair: int) -> None:
    from defplan.analysis.frontier import frontier

    objectives = list(case.doc["objectives"])
    if len(objectives) < 2:
        return
    x, y = [(a, b) for a in objectives for b in objectives if a != b][pair % 2]
    portfolio = parse_portfolio(to_yaml(case.doc), filename="random.yaml")
    found = frontier(portfolio, x=x, y=y, options=case.options(), max_points=100)
    feasible = [s for s in enumerate_selections(case) if s.feasible()]
    if not feasible:
        assert found.points == () and found.result is not None
        return
    note(case.describe())
    expected, y_floor = [], None
    while True:
        pool = [s for s in feasible if y_floor is None or s.totals[y] >= y_floor]
        if not pool:
            break
        best_x = max(s.totals[x] for s in pool)
        best_y = max(s.totals[y] for s in pool if s.totals[x] >= best_x - _equal_band(best_x))
        reach = [
            s
            for s in feasible
            if s.totals[x] >= best_x - _equal_band(best_x)
            and s.totals[y] >= best_y - _equal_band(best_y)
        ]
        cheapest = canonical_of([swap(s, value=-s.cost) for s in reach])
        expected.append((best_x, best_y, cheapest.selected, -cheapest.value))
        y_floor = best_y + _equal_band(best_y)
    assert len(found.points) == len(expected)
    for point, (ex, ey, ids, cost) in zip(found.points, expected, strict=True):
        assert point.selected == ids
        assert _close(point.objectives[x], ex) and _close(point.objectives[y], ey)
        assert _close(point.cost, cost)
    event(f"{len(expected)} points")


NEAR_TIE = """\
objectives:
  a: {weight: 1}
budget: {total: 100}
rules:
  - {at_most: 1, of: [i, x]}
candidates:
  - {id: i, cost: 5, value: {a: 1}}
  - {id: x, cost: 5, value: {a: 1.00000005}}
"""


@pytest.mark.parametrize("solver", ["highs", "cbc", "auto"])
def test_entry_budget_tells_values_5e8_apart(solver: str) -> None:
    # x is worth 5e-8 more than i at the same cost, so i is never in an optimum. CBC
    # accepted {i} against the floor row within its tolerance, and the walk looped.
    from defplan.analysis.explain import explain

    portfolio = parse_portfolio(NEAR_TIE)
    e = explain(portfolio, "i", options=SolveOptions(solver=solver))
    assert not e.selected and e.entry_budget is None and e.complete
    assert explain(portfolio, "x", options=SolveOptions(solver=solver)).entry_budget == 5


def test_frontier_status_says_what_a_time_limit_left() -> None:
    from defplan.analysis.frontier import Frontier, FrontierPoint

    point = FrontierPoint({"a": 1.0, "b": 2.0}, 3.0, ("c",))
    assert Frontier("a", "b", (point,), cut=False).status is Status.OPTIMAL
    assert Frontier("a", "b", (point,), cut=False, complete=False).status is Status.FEASIBLE
    assert Frontier("a", "b", (), cut=False, complete=False).status is Status.UNKNOWN
    assert document_of(Frontier("a", "b", (), cut=False, complete=False))["status"] == "unknown"


def test_conflict_narrowing_cut_by_the_time_limit_says_so() -> None:
    text = """\
objectives:
  a: {weight: 1}
commitments:
  t: {target: 10}
budget: {total: 100}
rules:
  - {at_most: 3, of: [c1, c2, c3, c4]}
  - {at_least: 0, of: [c1]}
candidates:
  - {id: c1, cost: 3, value: {a: 3}, commitments: {t: 1}, excludes: [c2]}
  - {id: c2, cost: 2, value: {a: 2}, commitments: {t: 1}, requires: [c3]}
  - {id: c3, cost: 1, value: {a: 1}, commitments: {t: 1}, excludes: [c4]}
  - {id: c4, cost: 4, value: {a: 4}, commitments: {t: 1}}
"""
    p = parse_portfolio(text)
    full = optimise(p)
    assert full.conflicts == ("commitment.t",) and full.notes == ()
    assert full.conflict_details == (
        "commitment.t: commitment 't' (hard): reach 10; "
        "lowering it alone to 2 (by 8) would admit a portfolio",
    )
    cut = optimise(p, options=SolveOptions(time_limit=0.001))
    if cut.status.value == "infeasible" and len(cut.conflicts) > 1:  # not irreducible
        assert any("time limit" in note for note in cut.notes)
