"""`optimise --limits`: what limits a plan, on a portfolio worked out by hand.

(tests/test_decisions.py checks the same answers against brute force on random ones.)

LIMITS: the 2027 cap of 100 takes a (5, needed for the hard NATO target) or b (4), not
both; the rule takes c (3) or d (2). The plan is a + c, value 8, cost 150 of 1,000.
Raising the total by 100 or the 2028 cap buys nothing; raising the 2027 cap by 100 lets
b in (+4); leaving the rule out lets d in (+2); leaving the NATO target out changes
nothing (a is the better buy anyway).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from samples import invoke

from defplan import SolveOptions, Status, optimise, parse_portfolio
from defplan.errors import ExitCode

LIMITS = """\
name: Limits
currency: EUR
unit: M
years: [2026, 2028]
objectives:
  a: {weight: 1}
commitments:
  nato: {target: 1}
budget:
  total: 1000
  per_year: {2027: 100, 2028: 500}
rules:
  - {at_most: 1, of: [c, d]}
candidates:
  - {id: a, cost: {2027: 100}, value: {a: 5}, commitments: {nato: 1}}
  - {id: b, cost: {2027: 60}, value: {a: 4}}
  - {id: c, cost: {2028: 50}, value: {a: 3}}
  - {id: d, cost: {2028: 50}, value: {a: 2}}
"""


def limits_json(path: Path, *args: str) -> dict[str, Any]:
    result = invoke("optimise", path, "--format", "json", "--limits", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_limits_in_json_name_what_binds_and_what_relaxing_it_buys(
    write_portfolio: Callable[..., Path],
) -> None:
    data = limits_json(write_portfolio(LIMITS))
    assert [s["id"] for s in data["selected"]] == ["a", "c"]
    found = {limit["constraint"]: limit for limit in data["limits"]}
    assert list(found) == [
        "budget.total",
        "budget.per_year.2027",
        "budget.per_year.2028",
        "commitment.nato",
        "rule.0",
    ]
    assert found["budget.per_year.2027"] == {
        "constraint": "budget.per_year.2027",
        "label": "budget cap for 2027: 100 M EUR",
        "kind": "cap",
        "binding": True,
        "slack": 0,
        "relaxation": "raised",
        "step": 100,
        "value_gain": 4,
        "enters": ["b"],
        "leaves": [],
    }
    assert found["rule.0"] == {
        "constraint": "rule.0",
        "label": "at most 1 of c, d",
        "kind": "rule",
        "binding": True,
        "slack": 0,
        "relaxation": "dropped",
        "step": None,
        "value_gain": 2,
        "enters": ["d"],
        "leaves": [],
    }
    total = found["budget.total"]
    assert (total["binding"], total["slack"], total["value_gain"]) == (False, 850, 0)
    assert (found["budget.per_year.2028"]["binding"], found["budget.per_year.2028"]["slack"]) == (
        False,
        450,
    )
    assert found["commitment.nato"]["kind"] == "target"
    assert not found["commitment.nato"]["binding"] and found["commitment.nato"]["slack"] == 0


def test_limits_only_when_asked_for(write_portfolio: Callable[..., Path]) -> None:
    path = write_portfolio(LIMITS)
    plain = invoke("optimise", path, "--format", "json")
    assert plain.exit_code == 0, plain.output
    assert "limits" not in json.loads(plain.stdout)
    table = invoke("optimise", path)
    assert "What limits this plan" not in table.stdout
    saved = path.parent / "r.json"
    asked = invoke("optimise", path, "--limits", "--output", saved)
    assert asked.exit_code == 0, asked.output
    assert "What limits this plan" in asked.stdout
    assert len(json.loads(saved.read_text())["limits"]) == 5  # --output keeps them too


def test_the_step_is_100_million_in_the_files_unit_or_as_given(
    write_portfolio: Callable[..., Path],
) -> None:
    from defplan.analysis.limits import default_step

    assert default_step("M") == default_step("mln") == 100
    assert default_step("k") == 100_000 and default_step("") == 1e8
    assert default_step("bn") == 0.1 and default_step("FTE") == 100
    path = write_portfolio(LIMITS)
    at_60 = {x["constraint"]: x for x in limits_json(path, "--limits-step", "60")["limits"]}
    assert at_60["budget.per_year.2027"]["step"] == 60
    assert at_60["budget.per_year.2027"]["value_gain"] == 4  # b costs 60: it fits
    at_59 = {x["constraint"]: x for x in limits_json(path, "--limits-step", "59.5")["limits"]}
    assert not at_59["budget.per_year.2027"]["binding"]  # ... and 59.5 is not enough
    in_k = limits_json(write_portfolio(LIMITS.replace("unit: M", "unit: k"), "k.yaml"))
    assert {x["step"] for x in in_k["limits"] if x["kind"] == "cap"} == {100_000}


@pytest.mark.parametrize("step", ["0", "-5", "lots", "inf", "2e12"])
def test_a_bad_step_is_a_usage_error(write_portfolio: Callable[..., Path], step: str) -> None:
    result = invoke("optimise", write_portfolio(LIMITS), "--limits", "--limits-step", step)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "--limits-step" in result.stderr and result.stdout == ""


def test_a_step_without_limits_is_a_usage_error(write_portfolio: Callable[..., Path]) -> None:
    result = invoke("optimise", write_portfolio(LIMITS), "--limits-step", "50")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "--limits-step needs --limits" in result.stderr


def test_the_table_says_the_annual_caps_decide(write_portfolio: Callable[..., Path]) -> None:
    result = invoke("optimise", write_portfolio(LIMITS), "--limits", env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    text = result.stdout[result.stdout.index("What limits this plan") :]
    flat = " ".join(text.split())
    assert (
        "The total budget does not bind (850 M EUR of it unused): the annual caps decide (2027)."
        in flat
    )
    row = next(line for line in text.splitlines() if "budget.per_year.2027" in line)
    assert re.search(r"│ +0 M EUR │ \+100 M EUR │ +\+4 │ \+ b +│$", row), row
    rule = next(line for line in text.splitlines() if "rule.0" in line)
    assert re.search(r"│ +0 candidates │ +left out │ +\+2 │ \+ d +│$", rule), rule
    assert (
        "Not binding (relaxing any one alone gains nothing): budget.total, "
        "budget.per_year.2028, commitment.nato" in flat
    )


@pytest.mark.parametrize("columns", [120, 100, 80, 50, 30])
def test_the_section_never_cuts_an_id_or_a_figure(
    write_portfolio: Callable[..., Path], columns: int
) -> None:
    long_id = "integrated-air-and-missile-defence-battery"
    text = LIMITS.replace("id: b,", f"id: {long_id},")
    result = invoke("optimise", write_portfolio(text), "--limits", env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    section = result.stdout[result.stdout.index("What limits this plan") :]
    assert all(len(line) <= columns for line in section.splitlines())
    assert "…" not in section  # Rich's mark of a cut cell
    whole = ["+4", "+2", "+100", "850", "rule.0"]  # figures: at every width
    whole += [long_id, "budget.per_year.2027"] if columns >= 60 else []  # ids: where they fit
    for token in whole:
        assert re.search(rf"(?<![\w.+-]){re.escape(token)}(?![\w-])", section), (token, section)


def test_nothing_binds_when_every_good_candidate_is_in(
    write_portfolio: Callable[..., Path],
) -> None:
    text = LIMITS.replace("total: 1000", "total: 5000").replace("2027: 100,", "2027: 500,")
    text = text.replace("  - {at_most: 1, of: [c, d]}", "  - {at_most: 2, of: [c, d]}")
    result = invoke("optimise", write_portfolio(text), "--limits")
    assert result.exit_code == 0, result.output
    assert "Nothing binds: relaxing any one constraint alone gains no value." in result.stdout


def test_no_limits_without_a_proven_plan(write_portfolio: Callable[..., Path]) -> None:
    from defplan.analysis.limits import with_limits

    portfolio = parse_portfolio(LIMITS)
    plan = optimise(portfolio, options=SolveOptions())
    cut = with_limits(portfolio, replace(plan, status=Status.FEASIBLE), options=SolveOptions())
    assert cut.limits is None
    assert cut.notes[-1] == (
        "the time limit cut the solve short, so what limits this plan was not analysed"
    )
    infeasible = invoke(
        "optimise", write_portfolio(LIMITS), "--limits", "--budget", "10", "--format", "json"
    )
    assert infeasible.exit_code == ExitCode.INFEASIBLE, infeasible.output
    assert "limits" not in json.loads(infeasible.stdout)


def test_gains_are_exact_differences_of_the_reported_values(
    write_portfolio: Callable[..., Path],
) -> None:
    # the plan is worth 2903.01625, without the rule 2903.04475: floats subtract these
    # to 0.0284999999999
    text = LIMITS.replace("value: {a: 5}", "value: {a: 2900}")
    text = text.replace("value: {a: 3}", "value: {a: 3.01625}")
    text = text.replace("value: {a: 2}", "value: {a: 0.0285}")
    data = limits_json(write_portfolio(text))
    assert data["value"] == 2903.01625
    rule = next(x for x in data["limits"] if x["constraint"] == "rule.0")
    assert rule["value_gain"] == 0.0285
