"""Cross-check `defplan optimise --format json` on plans in time against enumeration.

Hypothesis writes small portfolios that use start windows and delay penalties, running
costs, funding lines (money and FTE), prices (a rate or an index), carry-over, caps by
line, deadlines (`by`) on hard and soft commitments and `after`, each alone and mixed
with the rest of the format, with decimal amounts and caps that bind. The reference
(tests/bruteforce_time.py) enumerates every start of every candidate in exact
arithmetic; the CLI's status, value, money, selection with starts and deliveries, and
its spending, running costs after the horizon and carried balances must match it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from bruteforce import Case, brute_force, cases, to_yaml
from bruteforce_time import (
    FEATURES,
    Run,
    TimeExpected,
    exact,
    oracle,
    plans,
    scaled,
    time_docs,
)
from hypothesis import HealthCheck, Phase, event, given, note, settings
from hypothesis import strategies as st
from samples import invoke

from defplan.loading import parse_portfolio

REL = Fraction(1, 10**9)  # reported numbers against exact ones: a relative 1e-9


def close(actual: Any, expected: Fraction) -> bool:
    if actual is None:
        return False
    return abs(exact(actual) - expected) <= REL * max(1, abs(expected))


def solve_file(path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    """`defplan optimise PATH --format json ARGS`: the exit code and the parsed JSON."""
    result = invoke("optimise", path, "--format", "json", *args)
    assert result.exit_code in (0, 3), (result.exit_code, result.stderr)
    return result.exit_code, json.loads(result.stdout)


def check_result(data: dict[str, Any], expected: TimeExpected, context: str) -> None:
    """Assert that a JSON result is the reference's answer, number by number."""
    if expected.status == "infeasible":
        assert data["status"] == "infeasible", context
        assert data["selected"] == [] and data["value"] is None, context
        return
    plan = expected.plan
    assert plan is not None
    assert data["status"] == "optimal", context
    got = tuple((s["id"], s.get("start"), s.get("delivered")) for s in data["selected"])
    assert got == expected.selected, context
    assert close(data["value"], plan.value), context
    assert close(data["cost"]["total"], plan.money), context
    for entry, (_, option) in zip(data["selected"], plan.chosen, strict=True):
        assert close(entry["cost"], option.money), (entry, context)
        assert close(entry["value"], option.value), (entry, context)
    assert set(data["spend"]) == set(plan.spend), context
    for line, by_year in plan.spend.items():
        assert set(data["spend"][line]) == {str(y) for y in by_year}, (line, context)
        for year, amount in by_year.items():
            assert close(data["spend"][line][str(year)], amount), (line, year, context)
    for line, amount in plan.running_after.items():
        assert close(data["running_after"].get(line, 0), amount), (line, context)
    if plan.carried is not None and plan.carried:
        assert set(data["carried"]) == {str(y) for y in plan.carried}, context
        for year, amount in plan.carried.items():
            assert close(data["carried"][str(year)], amount), (year, context)


def check_doc(
    doc: dict[str, Any], tmp_path: Path, *args: str, run: Run | None = None
) -> TimeExpected:
    """Write doc, solve it through the CLI (with ARGS, which `run` describes) and compare
    with the reference."""
    text = to_yaml(doc)
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    expected = oracle(parse_portfolio(text, filename="plan.yaml"), run or Run())
    _, data = solve_file(path, *args)
    context = f"--- portfolio\n{text}--- expected\n{_describe(expected)}\n--- actual\n{data}"
    note(context)
    check_result(data, expected, context)
    return expected


def _describe(expected: TimeExpected) -> str:
    if expected.plan is None:
        return expected.status
    plan = expected.plan
    return (
        f"{expected.status} {expected.selected} value={float(plan.value)} "
        f"money={float(plan.money)} decided by {expected.decided_by}\n"
        f"spend={ {k: {y: float(a) for y, a in v.items()} for k, v in plan.spend.items()} }\n"
        f"carried={plan.carried and {y: float(a) for y, a in plan.carried.items()}}"
    )


# Each new construct alone (caps by line need lines), then mixed with others and all.
SINGLE = [(f,) for f in FEATURES if f not in ("selection_rules", "lines", "line_caps")]
FEATURE_SETS = [
    *SINGLE,
    ("lines", "running"),
    ("lines", "line_caps"),
    ("windows", "after", "by"),
    ("prices", "carry_over", "windows"),
    FEATURES,
]
FAST = settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    # no shrinking: the portfolios are small already, and a failure (every one, while
    # the CLI cannot solve such files) is reported in seconds, not minutes
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("features", FEATURE_SETS, ids="+".join)
def test_cli_matches_the_reference(features: tuple[str, ...], tmp_path: Path) -> None:
    @FAST
    @given(time_docs(features))
    def each(doc: dict[str, Any]) -> None:
        expected = check_doc(doc, tmp_path)
        event(f"{expected.status}, decided by {expected.decided_by or '-'}")

    each()


@settings(max_examples=25, derandomize=True, deadline=None)
@given(time_docs(FEATURES))
def test_every_mix_is_a_valid_file(doc: dict[str, Any]) -> None:
    # the generator writes files that load, whatever it mixes
    parse_portfolio(to_yaml(doc), filename="plan.yaml")


def _answers(doc: dict[str, Any]) -> tuple[Any, ...]:
    expected = oracle(parse_portfolio(to_yaml(doc), filename="plan.yaml"))
    if expected.plan is None:
        return (expected.status,)
    return (expected.selected, expected.plan.value)


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_each_solver_alone_matches_the_reference(solver: str, tmp_path: Path) -> None:
    # the default races both solvers: each must give the canonical plan alone too
    @FAST
    @given(time_docs(FEATURES))
    def each(doc: dict[str, Any]) -> None:
        check_doc(doc, tmp_path, "--solver", solver)

    each()


@FAST
@given(
    doc=time_docs(FEATURES),
    share=st.sampled_from([Fraction(1, 2), Fraction(9, 10), Fraction(6, 5)]),
)
def test_budget_option_overrides_the_file(
    doc: dict[str, Any], share: Fraction, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # --budget replaces budget.total: cut it to a share of what the file's answer spends
    first = oracle(parse_portfolio(to_yaml(doc), filename="plan.yaml"))
    spent = first.plan.money if first.plan else Fraction(100)
    budget = round(float(spent * share), 1)
    check_doc(
        doc, tmp_path_factory.mktemp("budget"), "--budget", str(budget), run=Run(total=budget)
    )


def _better_but_over_a_cap(doc: dict[str, Any]) -> bool:
    """Whether a plan worth more than the answer breaks only caps."""
    portfolio = parse_portfolio(to_yaml(doc), filename="plan.yaml")
    best = oracle(portfolio)
    floor = best.plan.value if best.plan else None
    return any(
        plan.violated
        and all(v.startswith("budget.") for v in plan.violated)
        and (floor is None or plan.value > floor)
        for plan in plans(portfolio)
    )


def _sample(features: tuple[str, ...], measure: Callable[[dict[str, Any]], bool]) -> list[bool]:
    """measure over the first 40 generated portfolios (no shrinking: a census)."""
    seen: list[bool] = []

    @settings(max_examples=40, derandomize=True, deadline=None, phases=[Phase.generate])
    @given(time_docs(features))
    def each(doc: dict[str, Any]) -> None:
        seen.append(measure(doc))

    each()
    return seen


@pytest.mark.parametrize("features", [*SINGLE, ("lines", "line_caps"), FEATURES], ids="+".join)
def test_generated_caps_bind(features: tuple[str, ...]) -> None:
    # Caps that never bind would test little: in at least a quarter of the portfolios a
    # better plan is kept out by caps alone.
    seen = _sample(features, _better_but_over_a_cap)
    assert sum(seen) * 4 >= len(seen), seen


@pytest.mark.parametrize("features", [("carry_over",), ("prices",), ("windows",)], ids="+".join)
def test_loosening_caps_by_five_percent_changes_answers(features: tuple[str, ...]) -> None:
    # Caps sit at what some plan needs, so 5% more room changes some answers.
    seen = _sample(features, lambda doc: _answers(doc) != _answers(scaled(doc, 1.05)))
    assert any(seen), seen


@settings(max_examples=80, derandomize=True, deadline=None)
@given(cases())
def test_reference_reproduces_the_brute_force_without_time(case: Case) -> None:
    # Without time keys, the reference is tests/bruteforce.py's enumeration.
    want = brute_force(case)
    portfolio = parse_portfolio(to_yaml(case.doc), filename="random.yaml")
    run = Run(
        total="file" if case.budget is None else case.budget,
        per_year=case.budget_per_year,
        weights=case.weights,
        include=case.include,
        exclude=case.exclude,
    )
    got = oracle(portfolio, run)
    assert got.status == want.status
    if want.status == "optimal":
        assert got.plan is not None
        assert tuple(cid for cid, _ in got.plan.chosen) == want.selected
        assert got.plan.value == want.value
        assert got.plan.money == want.cost
