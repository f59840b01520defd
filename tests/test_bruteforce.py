"""Cross-check the MILP in ``defplan.optimise`` against brute-force enumeration.

Hypothesis generates small portfolios (3 to 9 candidates) in the portfolio file format,
together with the run options (``--budget``, ``--budget-year``, ``--weight``,
``--include``, ``--exclude``).  An independent reference implementation of the model
(tests/bruteforce.py, after docs/model.md) enumerates all 2**n selections in exact
rational arithmetic, keeps the feasible ones and picks the winner with defplan's tie rule
(docs/model.md, "Ties"):

1. V* = best objective; tied = feasible portfolios with value >= V* - 1e-9 * |V*|;
2. among those, C* = least cost; keep those with cost <= C* + 1e-9 * |C*|;
3. among those, the lexicographically greatest selection vector in file order (at the
   first candidate where two portfolios differ, the one selecting it wins).

The numbers are small integers and halves, and some candidates are exact twins of earlier
ones, so ties between portfolios are common and every step of the tie rule is exercised.
Nothing here imports defplan's model code: the reference reads the generated document.

Also here: hand-written examples for each tie-break step and for corner cases of the
model, and the refusal of plain costs when a run has annual caps but no total.
Infeasible portfolios make up roughly 40% of the generated examples.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from bruteforce import (
    Case,
    Expected,
    _close,
    _doc,
    brute_force,
    cases,
    money_cases,
    near_a_boundary,
    run,
    tie_cases,
    tiny_target_cases,
    to_yaml,
)
from hypothesis import assume, event, example, given, note, settings
from hypothesis import strategies as st

from defplan import optimise, parse_portfolio
from defplan.errors import DefplanError


def check(case: Case) -> Expected:
    expected = brute_force(case)
    result = run(case)
    actual = (result.status.value, tuple(result.selected_ids), result.value, result.cost_total)
    context = (
        f"{case.describe()}\n--- expected (brute force)\n{expected}"
        f"\n--- actual (status, selected, value, cost)\n{actual}"
    )
    assert result.status.value == expected.status, context
    if expected.status == "infeasible":
        assert tuple(result.selected_ids) == (), context
        assert result.value is None, context
        return expected
    assert tuple(result.selected_ids) == expected.selected, context
    assert result.value is not None, context
    assert _close(result.value, expected.value), context
    assert _close(result.cost_total, expected.cost), context
    return expected


# Hand-written cases, one or more per tie-break step.
# Step 1: values within a relative 1e-9 are equal, so the cheaper one wins even though it
# is worth (negligibly) less.
TIE_VALUE_WITHIN_TOLERANCE = Case(
    _doc(
        [("a", 5, 1.000000000001, {"excludes": ["b"]}), ("b", 3, 1, {})],
    )
)
# Step 1: values that differ by more than the tolerance (1e-5 relative) are NOT equal: the
# better one wins although it costs more.  (Catches a MIP gap left at a solver default.)
TIE_VALUE_BEYOND_TOLERANCE = Case(
    _doc(
        [("a", 5, 1.00001, {"excludes": ["b"]}), ("b", 3, 1, {})],
    )
)
# Values 5e-8 apart are not equal (ties are within 1e-9): the second, though later in
# the file, wins. (HiGHS's presolve merged them until the objective was scaled up.)
TIE_VALUE_JUST_BEYOND_TOLERANCE = Case(
    _doc(
        [("i", 5, 1, {}), ("x", 5, 1.00000005, {})],
        total=5,
        rules=[{"at_most": 1, "of": ["i", "x"]}],
    )
)
# Step 1 with rounding noise: 0.1 + 0.2 and 0.3 are equal values; {c} is cheaper.
TIE_VALUE_FLOAT_NOISE = Case(
    _doc(
        [("a", 2, 0.1, {}), ("b", 2, 0.2, {}), ("c", 3, 0.3, {})],
        rules=[{"at_most": 1, "of": ["a", "c"]}, {"at_most": 1, "of": ["b", "c"]}],
    )
)
# Step 2: equal values; the cheaper portfolio wins though it is later in the file.
TIE_COST = Case(
    _doc(
        [("a", 4, 2, {}), ("b", 3, 2, {})],
        rules=[{"exactly": 1, "of": ["a", "b"]}],
    )
)
# Step 2: costs within a relative 1e-9 are equal, so step 3 decides: the earlier one.
TIE_COST_WITHIN_TOLERANCE = Case(
    _doc(
        [("a", 1000000.0001, 2, {}), ("b", 1000000, 2, {})],
        total=3000000,
        rules=[{"exactly": 1, "of": ["a", "b"]}],
    )
)
# Step 3: {a, d} and {b, c} have equal value and cost (b-d is ruled out); a comes first, so
# {a, d} wins (a "fewest items" or "least index sum" rule would not decide this).
TIE_LEX_PAIRS = Case(
    _doc(
        [
            ("a", 1, 1, {"excludes": ["b"]}),
            ("b", 1, 2, {"excludes": ["d"]}),
            ("c", 1, 1, {"excludes": ["d"]}),
            ("d", 1, 2, {}),
        ],
        total=2,
    )
)
# Step 3: {b, c} versus {a}: equal value and cost, a wins with fewer candidates.
TIE_LEX_FEWER = Case(
    _doc(
        [("a", 2, 2, {}), ("b", 1, 1, {}), ("c", 1, 1, {})],
        total=2,
    )
)
# Step 3: a free candidate worth nothing is still selected (lexicographically greater).
TIE_LEX_FREE_ZERO = Case(
    _doc(
        [("z", 0, 0, {}), ("a", 1, 1, {}), ("n", 0, -1, {})],
    )
)
# Step 3 with a soft commitment: reaching the target through b or c costs the same.
TIE_LEX_SOFT = Case(
    _doc(
        [
            ("a", 1, 0, {}),
            ("b", 1, 0, {"commitments": {"k": 2}}),
            ("c", 1, 0, {"commitments": {"k": 2}}),
        ],
        total=1,
        commitments={"k": {"label": "K", "target": 2, "hard": False, "penalty": 1}},
    )
)
# Near ties that the solvers' tolerances once decided wrongly. {c2, c5, c8} is worth 60000
# and {c8, c9} 60000.000015: a tie (5e-10 apart), and {c8, c9} is cheaper, 5.000000006
# against 5.000000012 (more than 1e-9 apart). HiGHS's presolve called the search for the
# cheaper one infeasible.
NEAR_TIE_CHEAPER = Case(
    _doc(
        [
            ("c2", 2.000000006, 10000, {}),
            ("c5", 1, 20000, {}),
            ("c8", 2.000000006, 30000, {}),
            ("c9", 3, 30000.000015, {}),
        ],
        total=6,
    )
)
# c8 costs and is worth nothing: the file-order rule keeps it. CBC's pre-processing said
# that the search for a tie, given a cutoff, had no portfolio.
FREE_AND_WORTHLESS_IN_EUROS = Case(
    _doc(
        [
            ("c1", 200000000, 3, {}),
            ("c2", 300000000, 3, {}),
            ("c4", 200000000, 2, {}),
            ("c8", 0, 0, {}),
            ("c9", 100000000, 1.999999994, {}),
        ],
        total=500000000,
    )
)
# {c7, c8} and {c8, c9} tie on value and cost, and c7 comes first. CBC's search for the
# file-order first returned {c2, c5, c8}, over the cost cap by 1e-9, and then claimed
# that nothing else ties.
NEAR_TIE_FILE_ORDER = Case(
    _doc(
        [
            ("c2", 2.000000006, 10000, {}),
            ("c5", 1, 20000, {}),
            ("c7", 3, 30000.000015, {}),
            ("c8", 2.000000006, 30000, {}),
            ("c9", 3, 30000.000015, {}),
        ],
        total=6,
    )
)
# {c4, c5, c8} (60000.000005) ties with {c7, c8} and {c8, c9} (60000.000015), at the
# same cost, and c4 comes first: every solver answered {c8, c9} or {c7, c8}.
NEAR_TIE_FILE_ORDER_OF_THREE = Case(
    _doc(
        [
            ("c0", 3, -10000, {}),
            ("c1", 2.000000006, -9999.999969999999, {}),
            ("c2", 2.000000006, 10000, {}),
            ("c3", 2, -10000, {}),
            ("c4", 2, 10000.000005, {}),
            ("c5", 1, 20000, {}),
            ("c6", 3.0000000015, 30000, {}),
            ("c7", 3, 30000.000015, {}),
            ("c8", 2.000000006, 30000, {}),
            ("c9", 3, 30000.000015, {}),
        ],
        total=6,
    )
)
# {c0, c1, c5} and {c1, c2, c3} tie on value with {c0, c1, c2} (11000000001.5, 11000000006
# and 11000000007.5), and on cost with each other (6.9999999979 and 7.000000004, 8.7e-10
# apart), but {c0, c1, c2} costs 7.000000006, more than 1e-9 above the cheapest. CBC's
# search for the cheapest stops at 7.000000004, and the cost cap, measured from it, let
# {c0, c1, c2} in; the tie search now checks that its answer ties with the cheapest.
CHEAPEST_EXACTLY = Case(
    _doc(
        [
            ("c0", 4, 3000000001.5, {}),
            ("c1", 0, 5000000000, {}),
            ("c2", 3.000000006, 3000000006, {}),
            ("c3", 3.999999998, 3000000000, {}),
            ("c4", 3.9999999972, 1000000002, {}),
            ("c5", 2.9999999979, 3000000000, {"requires": ["c0"]}),
        ],
        total=7.0000000075,
    )
)
# Ties are relative however small the values: 5e-10 does not tie with 1e-10 or 0.
TINY_VALUES = Case(_doc([("a", 1, 5e-10, {}), ("b", 0.5, 1e-10, {})], total=1))
# HiGHS stopped with a solve error ("untransformed violations") on a search here.
HIGHS_SOLVE_ERROR = Case(
    _doc(
        [
            ("c1", 3, 2, {}),
            ("c2", 1.000000003, 2, {}),
            ("c4", 3, 1.0000000005, {}),
            ("c5", 3, -1.000000003, {}),
            ("c6", 3, 3, {}),
        ],
        total=7,
    )
)
HAND_CASES = {
    "value-within-tolerance": (TIE_VALUE_WITHIN_TOLERANCE, ("b",)),
    "value-beyond-tolerance": (TIE_VALUE_BEYOND_TOLERANCE, ("a",)),
    "value-just-beyond-tolerance": (TIE_VALUE_JUST_BEYOND_TOLERANCE, ("x",)),
    "value-float-noise": (TIE_VALUE_FLOAT_NOISE, ("c",)),
    "cost": (TIE_COST, ("b",)),
    "cost-within-tolerance": (TIE_COST_WITHIN_TOLERANCE, ("a",)),
    "lex-pairs": (TIE_LEX_PAIRS, ("a", "d")),
    "lex-fewer": (TIE_LEX_FEWER, ("a",)),
    "lex-free-zero": (TIE_LEX_FREE_ZERO, ("z", "a")),
    "lex-soft": (TIE_LEX_SOFT, ("b",)),
    "near-tie-cheaper": (NEAR_TIE_CHEAPER, ("c8", "c9")),
    "free-and-worthless-in-euros": (FREE_AND_WORTHLESS_IN_EUROS, ("c1", "c4", "c8", "c9")),
    "near-tie-file-order": (NEAR_TIE_FILE_ORDER, ("c7", "c8")),
    "near-tie-file-order-of-three": (NEAR_TIE_FILE_ORDER_OF_THREE, ("c4", "c5", "c8")),
    "cheapest-exactly": (CHEAPEST_EXACTLY, ("c0", "c1", "c5")),
    "tiny-values": (TINY_VALUES, ("a",)),
    "highs-solve-error": (HIGHS_SOLVE_ERROR, ("c2", "c6")),
}


# Hand-written corner cases of the model itself (docs/model.md), not ties.
# An empty portfolio satisfies every share: {p} alone breaks equipment's min_share.
EMPTY_SATISFIES_SHARE = Case(
    _doc(
        [("p", 2, 1, {"group": "personnel"}), ("e", 2, -5, {"group": "equipment"})],
        groups={"equipment": {"min_share": 0.5}},
    )
)
# Shares are of the whole portfolio's cost, not year by year: e (2026) and p (2027) are
# each 100% in their year, but equipment is 50% of the total, which max_share allows.
SHARE_OF_TOTAL = Case(
    _doc(
        [
            ("e", {2026: 2}, 1, {"group": "equipment"}),
            ("p", {2027: 2}, 1, {"group": "personnel"}),
        ],
        groups={"equipment": {"max_share": 0.5}},
    )
)
# A plain cost falls in no year: with a total, p's plain cost is not held against the
# 2026 cap, while q's profile breaks it.
PLAIN_COST_IN_NO_YEAR = Case(
    _doc(
        [("p", 5, 1, {}), ("q", {2026: 3}, 1, {})],
        budget={"total": 10, "per_year": {2026: 2}},
    )
)
# Over-achieving a soft target earns nothing: the shortfall is max(0, target - achieved).
SOFT_NO_BONUS = Case(
    _doc(
        [("a", 1, 0, {"commitments": {"k": 5}}), ("b", 1, 0.5, {})],
        total=1,
        commitments={"k": {"label": "K", "target": 2, "hard": False, "penalty": 1}},
    )
)
# Weights are normalised and ranges count at their midpoint: b is worth
# (1 * 4 + 3 * 1) / 4 = 1.75 against a's (1 * 0 + 3 * 2) / 4 = 1.5 after --weight y=3.
WEIGHTS_AND_RANGES = Case(
    {
        "name": "weights",
        "objectives": {"x": {"label": "X", "weight": 1}, "y": {"label": "Y", "weight": 1}},
        "budget": {"total": 1},
        "candidates": [
            {"id": "a", "cost": 1, "value": {"y": [1, 3]}},
            {"id": "b", "cost": 1, "value": {"x": 4, "y": [0, 2]}},
        ],
    },
    weights={"y": 3},
)
MODEL_CORNER_CASES = {
    "empty-satisfies-share": (EMPTY_SATISFIES_SHARE, ()),
    "share-of-total": (SHARE_OF_TOTAL, ("e", "p")),
    "plain-cost-in-no-year": (PLAIN_COST_IN_NO_YEAR, ("p",)),
    "soft-no-bonus": (SOFT_NO_BONUS, ("a",)),
    "weights-and-ranges": (WEIGHTS_AND_RANGES, ("b",)),
}


@pytest.mark.parametrize("name", list(HAND_CASES))
def test_tie_break_examples(name: str) -> None:
    case, want = HAND_CASES[name]
    assert brute_force(case).selected == want  # the reference agrees with the hand answer
    check(case)


@pytest.mark.parametrize("name", list(MODEL_CORNER_CASES))
def test_model_corner_examples(name: str) -> None:
    case, want = MODEL_CORNER_CASES[name]
    assert brute_force(case).selected == want
    check(case)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(cases())
@example(TIE_LEX_PAIRS)
@example(TIE_LEX_FREE_ZERO)
def test_milp_matches_brute_force(case: Case) -> None:
    expected = check(case)
    event(f"{expected.status}, decided by {expected.decided_by or '-'}")


@pytest.mark.parametrize("solver", ["highs", "cbc"])
@settings(max_examples=100, derandomize=True, deadline=None)
@given(cases())
@example(TIE_LEX_PAIRS)
@example(TIE_LEX_FREE_ZERO)
def test_each_solver_alone_matches_brute_force(solver: str, case: Case) -> None:
    # The default races both solvers and keeps whichever proves first, so each must
    # give the canonical answer alone too, cutoffs and all.
    check(replace(case, solver=solver))


@pytest.mark.parametrize("solver", ["highs", "cbc"])
@settings(max_examples=60, derandomize=True, deadline=None)
@given(cases())
@example(TIE_LEX_PAIRS)
def test_a_rough_first_answer_is_still_proven_and_canonical(solver: str, case: Case) -> None:
    # In a race, HiGHS may end optimise's first search within FIRST_GAP of the best
    # value, and prove closes the gap. Here the first search hands back the
    # least valuable feasible portfolio as such an answer instead: the proof (and the
    # tie-breaking after it) must still end at the canonical portfolio.
    from dataclasses import replace as swap

    from defplan.backends import GAP
    from defplan.result import Status
    from defplan.solving import Engine
    from defplan.solving.canonical import FIRST_GAP

    maximise = Engine.maximise

    def worst_first(self: Engine, objective: Any, *, race_gap: float = GAP, **how: Any) -> Any:
        if race_gap == GAP:
            return maximise(self, objective, **how)
        # the least valuable selection (shortfalls aside, which would be unbounded)
        worst = self.solve(self.expr(dict(enumerate(self.form.values))))
        if worst.status is not Status.OPTIMAL:
            return worst
        return swap(worst, within=FIRST_GAP)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Engine, "maximise", worst_first)
        check(replace(case, solver=solver))


@pytest.mark.parametrize("solver", ["highs", "cbc"])
@pytest.mark.parametrize("name", list(HAND_CASES))
def test_tie_break_examples_with_each_solver(solver: str, name: str) -> None:
    case, want = HAND_CASES[name]
    assert check(replace(case, solver=solver)).selected == want


@settings(max_examples=150, derandomize=True, deadline=None)
@given(money_cases())
def test_milp_matches_brute_force_in_euros(case: Case) -> None:
    expected = check(case)
    event(f"{expected.status}, decided by {expected.decided_by or '-'}")


@pytest.mark.parametrize("solver", ["highs", "cbc"])
@settings(max_examples=60, derandomize=True, deadline=None)
@given(money_cases())
def test_each_solver_alone_matches_brute_force_in_euros(solver: str, case: Case) -> None:
    check(replace(case, solver=solver))


@pytest.mark.parametrize("solver", ["auto", "highs", "cbc"])
@settings(max_examples=60, derandomize=True, deadline=None)
@given(tiny_target_cases())
def test_each_solver_matches_brute_force_with_tiny_or_large_targets(
    solver: str, case: Case
) -> None:
    expected = check(replace(case, solver=solver))
    event(f"{expected.status}, decided by {expected.decided_by or '-'}")


@pytest.mark.parametrize("solver", ["auto", "highs", "cbc"])
@settings(max_examples=100, derandomize=True, deadline=None)
@given(tie_cases())
@example(NEAR_TIE_CHEAPER)
@example(FREE_AND_WORTHLESS_IN_EUROS)
@example(NEAR_TIE_FILE_ORDER)
@example(NEAR_TIE_FILE_ORDER_OF_THREE)
@example(TINY_VALUES)
def test_each_solver_settles_near_ties_as_brute_force_does(solver: str, case: Case) -> None:
    # values and costs a hair inside or outside the tie rule's 1e-9, at every size: the
    # solvers' own tolerances are absolute and far coarser, so only defplan's exact
    # checks of their answers (and its doubts about their claims) settle these
    assume(not near_a_boundary(case))
    expected = check(replace(case, solver=solver))
    event(f"{expected.status}, decided by {expected.decided_by or '-'}")


@settings(max_examples=30, derandomize=True, deadline=None)
@given(cases(refusal=True))
def test_plain_costs_refused_with_annual_caps_only(case: Case) -> None:
    """Annual caps and no total make a plain cost free, so optimise refuses (docs/model.md)."""
    note(case.describe())
    offenders = [
        str(c["id"])
        for c in case.doc["candidates"]
        if not isinstance(c["cost"], dict) and c["cost"] != 0
    ]
    assert offenders
    portfolio = parse_portfolio(to_yaml(case.doc), filename="random.yaml")
    with pytest.raises(DefplanError) as info:
        optimise(portfolio, options=case.options())
    message = str(info.value)
    for cid in offenders:
        assert cid in message, (cid, message)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(cases(), st.lists(st.integers(0, 40), min_size=2, max_size=5))
def test_sweep_points_match_brute_force(case: Case, raw_budgets: list[int]) -> None:
    # A sweep reuses each point's answer to shorten the next (warm start, and the
    # bound that portfolios within the last budget were already ranked): every point
    # must still be the brute-force answer at its budget. Ascending and mixed orders.
    from defplan.analysis.sweep import sweep

    budgets = sorted(raw_budgets) + raw_budgets
    portfolio = parse_portfolio(to_yaml(case.doc), filename="random.yaml")
    points = sweep(portfolio, budgets=[float(b) for b in budgets], options=case.options())
    for budget, point in zip(budgets, points, strict=True):
        at_budget = Case(
            case.doc, budget, case.budget_per_year, case.weights, case.include, case.exclude
        )
        expected = brute_force(at_budget)
        context = f"{at_budget.describe()}\n--- expected\n{expected}"
        assert point.result.status.value == expected.status, context
        assert tuple(point.result.selected_ids) == expected.selected, context
