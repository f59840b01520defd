"""Reduced-cost fixing (defplan/solving/fixing.py) against enumeration: every selection
of a small random portfolio whose exact value reaches the floor and whose exact cost
stays under the cap must agree with every column the fixing settles, for the tie rule's
own band and for wider ones. The selections come from the brute-force references
(tests/bruteforce.py, tests/bruteforce_time.py), in exact arithmetic."""

from __future__ import annotations

import math
from fractions import Fraction

from bruteforce import Case, cases, enumerate_selections, money_cases, tie_cases, to_yaml
from bruteforce_time import plans, time_docs
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from defplan import SolveOptions, parse_portfolio
from defplan.formulation import formulate
from defplan.solving.engine import Engine
from defplan.solving.fixing import Fixed, tie_fixed

TIE = Fraction(1, 10**9)
WIDER = st.sampled_from([0, 0, 1e-6, 0.01, 0.1, 0.5])
"""How far below the best value the floor lies, as a share of the best's magnitude (0:
the tie rule's own band)."""
FAST = settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)


def band(points: list[tuple[tuple[int, ...], Fraction, Fraction]], wider: float, capped: bool):
    """The floor and cap of a band around the best of these (columns, value, cost)
    points: the tie rule's (wider = 0) or one reaching further down, capped at the least
    cost among the values in it (or not at all)."""
    best = max(v for _, v, _ in points)
    floor = best - TIE * abs(best) - Fraction(wider) * max(abs(best), 1)
    inside = [c for _, v, c in points if v >= floor]
    least = min(inside)
    cap = least + TIE * abs(least) if capped else None
    return floor, cap


def check_fixing(engine: Engine, points, wider: float, capped: bool) -> Fixed:
    """Fix for the band and check every point inside it agrees with the fixing."""
    floor, cap = band(points, wider, capped)
    fixed = tie_fixed(
        engine.form, engine.active, float(floor), math.inf if cap is None else float(cap)
    )
    note(f"floor {floor} cap {cap} ones {sorted(fixed.ones)} zeros {sorted(fixed.zeros)}")
    for x, value, cost in points:
        if value >= floor and (cap is None or cost <= cap):
            assert all(x[j] == 1 for j in fixed.ones), (x, value, cost)
            assert not any(x[j] for j in fixed.zeros), (x, value, cost)
    return fixed


def static_points(case: Case):
    portfolio = parse_portfolio(to_yaml(case.doc), filename="random.yaml")
    options = case.options()
    engine = Engine(formulate(portfolio, options), options)
    feasible = [s for s in enumerate_selections(case) if s.feasible()]
    return engine, [(s.x, s.value, s.cost) for s in feasible]


@FAST
@given(st.one_of(cases(), money_cases(), tie_cases()), WIDER, st.booleans())
def test_fixing_agrees_with_every_selection_in_the_band(case: Case, wider, capped) -> None:
    note(case.describe())
    engine, points = static_points(case)
    if points:
        check_fixing(engine, points, wider, capped)


@settings(FAST, max_examples=60)
@given(time_docs(), WIDER, st.booleans())
def test_fixing_agrees_with_every_plan_in_the_band(doc, wider, capped) -> None:
    """Plans in time: one column per start, candidates with several."""
    portfolio = parse_portfolio(to_yaml(doc), filename="plan.yaml")
    options = SolveOptions()
    form = formulate(portfolio, options)
    engine = Engine(form, options)
    column = {(o.candidate, o.start or 0): k for k, o in enumerate(form.options)}
    points = []
    for plan in plans(portfolio):
        if plan.violated:
            continue
        x = [0] * len(form.options)
        for i, on in enumerate(plan.x):
            if on:
                x[column[(i, plan.starts[i])]] = 1
        points.append((tuple(x), plan.value, plan.money))
    if points:
        check_fixing(engine, points, wider, capped)


def test_a_clear_knapsack_is_settled() -> None:
    """Budget 10: a (cost 4, value 10), b (4, 8), c (4, 4), d (9, 1). The LP takes a, b
    and half of c (20; its budget dual is c's ratio, 1); the best portfolio is a and b
    (18). Reduced profits: a 10 - 4 = 6, b 4, c 0, d 1 - 9 = -8; the band's room is
    20 - 18 = 2, so a and b are in every tied portfolio, d in none, and c stays open."""
    text = """\
defplan: 1
name: clear
budget: {total: 10}
objectives: {national: {weight: 1}}
candidates:
  - {id: a, cost: 4, value: {national: 10}}
  - {id: b, cost: 4, value: {national: 8}}
  - {id: c, cost: 4, value: {national: 4}}
  - {id: d, cost: 9, value: {national: 1}}
"""
    portfolio = parse_portfolio(text, filename="clear.yaml")
    engine = Engine(formulate(portfolio, SolveOptions()), SolveOptions())
    fixed = tie_fixed(engine.form, engine.active, 18 - 18e-9, math.inf)
    assert fixed == Fixed(frozenset({0, 1}), frozenset({3}))
