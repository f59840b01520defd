"""Cross-check `defplan scenarios --format json` against enumeration.

Hypothesis writes small portfolios planned in time (start windows, running costs,
deadlines, plain costs and selection rules), with decimal caps that bind, and gives
them 1-3 budget scenarios that cut or raise those caps and a commit_by year. The
reference (tests/bruteforce_scenarios.py) enumerates every plan of every scenario in
exact arithmetic and every combination that decides alike what starts by commit_by.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from bruteforce import to_yaml
from bruteforce_scenarios import TwoStage, loosened, time_expected, two_stage, with_scenarios
from bruteforce_time import exact, time_docs
from hypothesis import Phase, event, given, note, settings
from hypothesis import strategies as st
from samples import invoke
from test_time_bruteforce import FAST, check_result

REL = Fraction(1, 10**9)


def close(actual: Any, expected: Fraction | None) -> bool:
    if actual is None or expected is None:
        return actual is None and expected is None
    return abs(exact(actual) - expected) <= REL * max(1, abs(expected))


def solve(doc: dict[str, Any], tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    path = tmp_path / "scenarios.yaml"
    path.write_text(to_yaml(doc), encoding="utf-8")
    result = invoke("scenarios", path, "--format", "json", *args)
    assert result.exit_code in (0, 3), (result.exit_code, result.stderr)
    return result.exit_code, json.loads(result.stdout)


def check(doc: dict[str, Any], tmp_path: Path, total: float | None = None) -> TwoStage:
    """Solve doc through the CLI (with --budget `total` when given) and compare with
    the reference."""
    want = two_stage(doc, total)
    code, data = solve(doc, tmp_path, *(["--budget", repr(total)] if total is not None else []))
    context = f"--- portfolio\n{to_yaml(doc)}--- expected\n{want}\n--- actual\n{data}"
    note(context)
    assert data["format"] == "defplan-scenarios/1"
    assert list(data["scenarios"]) == list(doc["scenarios"]), context
    for name, value in (want.alone or {}).items():
        assert close(data["alone"][name]["value"], value), (name, context)
    for name, money in (want.alone_money or {}).items():
        assert close(data["alone"][name]["money"], money), (name, context)
    chances = {n: exact(s["probability"]) for n, s in doc["scenarios"].items()}
    alone = want.alone or {}
    knowing = (
        None
        if any(v is None for v in alone.values())
        else sum((chances[n] * (v or 0) for n, v in alone.items()), Fraction(0))
    )
    assert close(data["expected_value_knowing"], knowing), context
    if want.status == "infeasible":
        assert code == 3 and data["status"] == "infeasible", context
        assert data["expected_value"] is None and data["commit"] == [], context
        assert tuple(data["conflicts"]) == want.conflicts, context
        return want
    assert code == 0 and data["status"] == "optimal", context
    assert close(data["expected_value"], want.expected_value), context
    assert close(data["expected_money"], want.expected_money), context
    assert [(c["id"], c["start"]) for c in data["commit"]] == list(want.commit), context
    assert want.plans is not None and want.followed is not None
    for name, plan in want.plans.items():
        check_result(data["scenarios"][name], time_expected(plan), f"{name}\n{context}")
    for name, value in want.followed.items():
        assert close(data["alone"][name]["expected_value_committing"], value), (name, context)
    return want


FEATURE_SETS = [
    ("windows",),
    ("windows", "by", "running"),
    ("selection_rules",),
    ("carry_over", "windows", "prices"),
    ("windows", "after", "selection_rules", "lines", "line_caps"),
]


@pytest.mark.parametrize("features", FEATURE_SETS, ids="+".join)
def test_cli_matches_the_reference(features: tuple[str, ...], tmp_path: Path) -> None:
    @FAST
    @given(with_scenarios(time_docs(features)))
    def each(doc: dict[str, Any]) -> None:
        want = check(doc, tmp_path)
        event(want.status)

    each()


@FAST
@given(
    doc=with_scenarios(time_docs(("windows", "selection_rules"))),
    share=st.sampled_from([0.5, 0.9, 1.2]),
)
def test_the_budget_option_applies_to_every_scenario(
    doc: dict[str, Any], share: float, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # --budget replaces every scenario's total, after its own budget is merged in
    total = round(float(doc["budget"].get("total", 100)) * share, 1)
    check(doc, tmp_path_factory.mktemp("budget"), total)


def _answer(doc: dict[str, Any]) -> tuple[Any, ...]:
    want = two_stage(doc)
    return (want.status, want.commit, want.expected_value)


def test_generated_scenarios_matter() -> None:
    # The scenarios must bind: loosening every cap (the file's and the scenarios') by 5%
    # changes some answers, and in some files knowing the budget before committing
    # would be worth more than the two-stage plan (the plan hedges).
    changed, hedged = [], []

    @settings(max_examples=30, derandomize=True, deadline=None, phases=[Phase.generate])
    @given(with_scenarios(time_docs(("windows",))))
    def each(doc: dict[str, Any]) -> None:
        loose = loosened(doc, 1.05)
        changed.append(_answer(doc) != _answer(loose))
        want = two_stage(doc)
        if want.status == "optimal" and want.alone and want.expected_value is not None:
            perfect = sum(
                exact(s["probability"]) * (want.alone[n] or 0) for n, s in doc["scenarios"].items()
            )
            hedged.append(perfect > want.expected_value)

    each()
    assert any(changed), changed
    assert any(hedged), hedged
