"""A budget sweep's shortcut past the point where the total budget stops binding
(solving/budget_free.py): once no portfolio, the total left out, beats an answer that
leaves room under its budget, every larger point takes that answer without a search.
Each point must still be the brute-force answer at its budget (tests/bruteforce.py)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from bruteforce import Case, brute_force, cases, near_a_boundary, tie_cases, to_yaml
from hypothesis import assume, event, given, note, settings
from hypothesis import strategies as st
from samples import without_timings

from defplan.analysis.sweep import sweep
from defplan.formulation import SolveOptions, formulate
from defplan.loading import parse_portfolio
from defplan.render.documents import document_of
from defplan.solving import budget_free, optimise
from defplan.solving.engine import Engine


@contextmanager
def settled_count() -> Iterator[list[bool]]:
    """A list that gets, for each budget-free search a sweep makes, whether it settled
    the points above."""
    found: list[bool] = []
    original = budget_free.holds_above

    def counted(*args: Any, **kwargs: Any) -> Any:
        settled, rival = original(*args, **kwargs)
        found.append(settled)
        return settled, rival

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(budget_free, "holds_above", counted)
        yield found


def at(case: Case, budget: float) -> Case:
    """The case with its run's total budget at `budget`."""
    return Case(case.doc, budget, case.budget_per_year, case.weights, case.include, case.exclude)


def assert_brute_force(case: Case, budgets: list[float]) -> list[bool]:
    """Sweep the case over budgets; every point is the brute-force answer at its budget.
    Returns what each budget-free search said."""
    portfolio = parse_portfolio(to_yaml(case.doc), filename="random.yaml")
    with settled_count() as found:
        points = sweep(portfolio, budgets=budgets, options=at(case, budgets[0]).options())
    for budget, point in zip(budgets, points, strict=True):
        expected = brute_force(at(case, budget))
        context = f"{at(case, budget).describe()}\n--- expected\n{expected}"
        assert point.result.status.value == expected.status, context
        assert tuple(point.result.selected_ids) == expected.selected, context
    return found


@settings(max_examples=60, derandomize=True, deadline=None)
@given(cases(), st.lists(st.integers(0, 120), min_size=2, max_size=6))
def test_points_past_the_binding_budget_match_brute_force(case: Case, halves: list[int]) -> None:
    # budgets in halves (decimals) climbing past every portfolio's cost, so that the
    # total stops binding and annual caps, rules and targets decide
    budgets = [k / 2 for k in sorted(set(halves))] + [75.5]
    note(case.describe())
    found = assert_brute_force(case, budgets)
    event("settled" if any(found) else "searched, not settled" if found else "no search")


@settings(max_examples=40, derandomize=True, deadline=None)
@given(tie_cases(), st.sampled_from([1e-10, -1e-10, 5e-10, 2e-9]))
def test_points_a_hair_apart_match_brute_force(case: Case, hair: float) -> None:
    # values and costs a relative 1e-10..1e-8 apart, and budgets a hair above the one a
    # selection meets: the shortcut's "room under the budget" and "nothing worth more"
    # both sit at the tie rule's tolerance here
    total = case.doc["budget"]["total"]
    budgets = [total, float(f"{total * (1 + hair):.14g}"), total * 2, total * 10]
    for budget in budgets:
        moved = copy.deepcopy(case.doc)
        moved["budget"]["total"] = budget
        assume(not near_a_boundary(Case(moved)))
    found = assert_brute_force(case, budgets)
    event("settled" if any(found) else "searched, not settled" if found else "no search")


TWO_CAPS = """
name: the annual caps bind before the total does
years: [2027, 2028]
objectives: {v: {weight: 1}}
budget: {total: 10, per_year: {2027: 4.5, 2028: 3}}
candidates:
  - {id: a, cost: {2027: 4}, value: {v: 5}}
  - {id: b, cost: {2027: 1.5, 2028: 1}, value: {v: 3}}
  - {id: c, cost: {2028: 2.5}, value: {v: 2.5}}
  - {id: d, cost: {2027: 0.5, 2028: 2}, value: {v: 4}}
"""
# The caps allow {a, d}: 2027 spends 4.5, 2028 2, value 9, cost 6.5; no other pair or
# triple fits both caps worth as much ({b, c}: 5.5; {a, b}: 2027 spends 5.5 > 4.5;
# {b, d}: 2027 2, 2028 3, value 7; {c, d}: 2028 4.5 > 3). At totals 4 and 6 the total
# binds ({a}: 5, {b, d}: 7 at cost 5); from 6.5 on, {a, d} at every total.
BEST = {
    4.0: ("a",),
    6.0: ("b", "d"),
    7.0: ("a", "d"),
    8.0: ("a", "d"),
    9.0: ("a", "d"),
    20.0: ("a", "d"),
}


def test_points_past_the_caps_take_the_settled_answer_without_a_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    portfolio = parse_portfolio(TWO_CAPS)
    solves: list[float | None] = []
    original = Engine.solve

    def counted(self: Engine, objective: Any, **how: Any) -> Any:
        solves.append(self.options.budget)
        return original(self, objective, **how)

    monkeypatch.setattr(Engine, "solve", counted)
    budgets = list(BEST)
    points = sweep(portfolio, budgets=budgets, options=SolveOptions())
    asked = set(solves)
    assert [p.result.selected_ids for p in points] == list(BEST.values())
    for p in points:
        alone = optimise(portfolio, options=SolveOptions(budget=p.budget))
        # the whole result, not only the selection: a settled point is built as a solved one
        assert without_timings(document_of(p.result)) == without_timings(document_of(alone))
    # the answer at 7 kept at 8 leads to the search without the total, which settles
    # every point above 8: no search there
    assert 8.0 in asked
    assert 9.0 not in asked and 20.0 not in asked


def test_no_budget_free_search_with_a_time_limit() -> None:
    # the search would take from the points' own time: none is made
    portfolio = parse_portfolio(TWO_CAPS)
    answer = optimise(portfolio, options=SolveOptions(budget=8.0))
    selection = {c.id: c.start for c in answer.selected}
    unlimited = budget_free.holds_above(portfolio, SolveOptions(budget=8.0), 8.0, selection, None)
    assert unlimited == (True, None)
    options = SolveOptions(budget=8.0, time_limit=60)
    limited = budget_free.holds_above(portfolio, options, 8.0, selection, None)
    assert limited == (False, None)


@pytest.mark.parametrize(
    ("value", "tolerance_at"),
    [
        (100.0, 100.0),  # positive: the least tolerance is at the value itself
        (-100.0, -100.0 + 1e-7),  # negative: nearer zero one tolerance above it
        (0.0, 0.0),
    ],
)
def test_rise_is_half_the_least_tolerance_near_the_value(value: float, tolerance_at: float) -> None:
    form = formulate(parse_portfolio(TWO_CAPS), SolveOptions())
    engine = Engine(form, SolveOptions())
    # the tolerance is 1e-9 of the amount plus 1e-15 of the summed |values| (14.5)
    # (tolerance.py); -100's tolerance is 1e-7 plus that rounding part
    expected = (1e-9 * abs(tolerance_at) + 1e-15 * 14.5) / 2
    assert budget_free.rise(engine, value) == pytest.approx(expected, rel=1e-12)


def a_hair_better(value: str) -> str:
    """a (cost 1, worth 1) or b (cost 2, worth `value`), not both."""
    return f"""
name: one of two
objectives: {{v: {{weight: 1}}}}
budget: {{total: 3}}
rules: [{{at_most: 1, of: [a, b]}}]
candidates:
  - {{id: a, cost: 1, value: {{v: 1}}}}
  - {{id: b, cost: 2, value: {{v: {value}}}}}
"""


@pytest.mark.parametrize(
    ("value", "best_at_3"),
    [
        # 1e-8 above a's 1: beyond the tie rule's relative 1e-9, b wins once affordable
        ("1.00000001", ("b",)),
        # 5e-10 above: within it, a ties on value and is cheaper
        ("1.0000000005", ("a",)),
    ],
)
def test_a_hair_better_portfolio_past_the_room_left_is_found(
    value: str, best_at_3: tuple[str, ...]
) -> None:
    # a at 1.5 and 1.6 (kept: the search without the total runs), then b affordable
    portfolio = parse_portfolio(a_hair_better(value))
    points = sweep(portfolio, budgets=[1.5, 1.6, 3.0], options=SolveOptions())
    assert [p.result.selected_ids for p in points] == [("a",), ("a",), best_at_3]
