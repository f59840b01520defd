"""`defplan scenarios`: the two-stage plan's document and table on files worked by
hand, the checks of `scenarios` and `commit_by`, and the infeasible cases.

The plans themselves are checked against enumeration in test_scenarios_bruteforce.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from samples import invoke, optimise_json

from defplan.model import Budget, LineBudget
from defplan.scenarios import merged_budget

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "portfolios" / "scenarios-example.yaml"


def scenarios_json(*args: str | Path, code: int = 0) -> dict[str, Any]:
    result = invoke("scenarios", *args, "--format", "json")
    assert result.exit_code == code, (result.exit_code, result.stderr)
    return json.loads(result.stdout)


def test_the_example_by_hand() -> None:
    # radar 100 (2026 only: decided now), battery 60 + 60 (2026 or 2027), drones 80
    # (2027 or 2028); values 5, 8, 4; the frigate (450) fits no budget. Total budget:
    # cut 150 (p 0.4), base 300 (p 0.6).
    # Alone: cut takes the battery (8; the radar, 5, and drones, 4, fit only one at a
    # time), base all three (17). Committing now to the radar leaves cut the radar (5)
    # and base all three, the battery starting in 2027 (17): 0.4*5 + 0.6*17 = 12.2.
    # Not committing it: cut 8 and base battery + drones 12: 0.4*8 + 0.6*12 = 10.4,
    # which is also what committing to cut's own early choice (the battery in 2026)
    # gives. Base's own early choices (radar and battery in 2026, 220) break cut's 150.
    data = scenarios_json(EXAMPLE)
    assert data["format"] == "defplan-scenarios/1"
    assert data["status"] == "optimal" and data["commit_by"] == 2026
    assert data["expected_value"] == pytest.approx(12.2)
    assert data["expected_money"] == pytest.approx(0.4 * 100 + 0.6 * 300)
    assert data["expected_value_knowing"] == pytest.approx(0.4 * 8 + 0.6 * 17)
    assert data["commit"] == [{"id": "radar", "start": 2026}]
    assert data["conflicts"] == []
    assert data["probabilities"] == {"cut": 0.4, "base": 0.6}
    cut, base = data["scenarios"]["cut"], data["scenarios"]["base"]
    assert cut["format"] == base["format"] == "defplan-result/1"
    assert [(s["id"], s["start"]) for s in cut["selected"]] == [("radar", 2026)]
    assert [(s["id"], s["start"]) for s in base["selected"]] == [
        ("radar", 2026),
        ("battery", 2027),
        ("drones", 2027),  # 2027 and 2028 tie: the earlier start
    ]
    assert cut["budget"]["total"] == 150 and base["budget"]["total"] == 300
    assert (cut["value"], base["value"]) == (5, 17)
    assert (data["alone"]["cut"]["value"], data["alone"]["cut"]["money"]) == (8, 60 + 60)
    assert (data["alone"]["base"]["value"], data["alone"]["base"]["money"]) == (17, 300)
    assert data["alone"]["cut"]["expected_value_committing"] == pytest.approx(10.4)
    assert data["alone"]["base"]["expected_value_committing"] is None


def test_the_table_says_what_to_commit_and_what_planning_alone_gives() -> None:
    result = invoke("scenarios", EXAMPLE)
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "expected value 12.2" in out
    assert "Commit now (starts by 2026)" in out
    assert "battery 2027, drones 2027" in out  # what base adds later
    # knowing the budget first: 0.4*8 + 0.6*17 = 13.4
    assert "knowing the budget before committing: 13.4" in out


def test_budget_options_apply_to_every_scenario() -> None:
    # --budget 400 replaces every scenario's total: all three (300) fit in each.
    data = scenarios_json(EXAMPLE, "--budget", "400")
    assert data["expected_value"] == 17
    assert {r["budget"]["total"] for r in data["scenarios"].values()} == {400}


def test_other_commands_plan_the_files_own_budget() -> None:
    # optimise ignores the scenarios: 300 buys all three, 5 + 8 + 4.
    data = optimise_json(EXAMPLE)
    assert data["value"] == 17 and data["budget"]["total"] == 300


def test_a_file_without_scenarios_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text("objectives: {a: {}}\nbudget: {total: 1}\ncandidates: [{id: x, cost: 1}]\n")
    result = invoke("scenarios", path)
    assert result.exit_code == 2
    assert "no 'scenarios'" in result.stderr


def test_merging_a_scenarios_budget() -> None:
    base = Budget(
        total=100,
        per_year={2026: 10, 2027: 20},
        lines={"operate": LineBudget(per_year={2026: 1, 2027: 2}, total=5)},
    )
    over = Budget(per_year={2027: 25}, lines={"operate": LineBudget(per_year={2027: 3})})
    merged = merged_budget(base, over)
    assert merged.total == 100  # not given: kept
    assert merged.per_year == {2026: 10, 2027: 25}  # year by year
    assert merged.lines["operate"].per_year == {2026: 1, 2027: 3}
    assert merged.lines["operate"].total == 5
    assert merged_budget(base, Budget(total=50)).total == 50  # given: replaced


BAD = """\
years: [2026, 2030]
objectives: {a: {}}
lines: {invest: {}, operate: {}}
budget: {total: 100}
scenarios:
  cut: {probability: 0.3, budget: {lines: {operat: {total: 5}}, per_year: {2031: 4}}}
  base: {probability: 0.6}
commit_by: 2032
candidates:
  - {id: x, cost: {2026: 5}, value: {a: 1}}
"""


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        (
            BAD,
            [
                "5:1: error: the scenarios' probabilities add up to 0.9, not 1",
                "6:44: error: scenario 'cut': unknown line 'operat' (did you mean 'operate'?)",
                "6:76: error: scenario 'cut': year 2031 is outside the planning horizon 2026-2030",
                "8:12: error: commit_by 2032 is outside the planning horizon 2026-2030",
            ],
        ),
        (
            BAD.replace("0.3,", "0,").replace("commit_by: 2032\n", ""),
            [
                "5:1: error: scenarios need 'commit_by': the last year whose starts are "
                "decided now",
                "6:22: error: probability: must be > 0",
            ],
        ),
        (
            BAD.replace("years: [2026, 2030]\n", "").replace("lines: {inv", "#"),
            ["7:1: error: 'commit_by' needs 'years' (the planning horizon) in the file"],
        ),
        (
            BAD.replace("{probability: 0.6}", "{probabilty: 0.6}"),
            [
                "7:9: error: missing required key 'probability'",
                "7:10: error: unknown key 'probabilty' (did you mean 'probability'?)",
            ],
        ),
    ],
)
def test_errors_point_at_the_node(text: str, errors: list[str], tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    result = invoke("validate", path)
    assert result.exit_code == 2
    for error in errors:
        assert f"{path}:{error}" in result.stderr, result.stderr


# Each scenario has a plan alone, but none they share: the target needs the radar
# (2026, decided now) or the drones (2027); cut has nothing for 2027, rise nothing for
# 2026, so cut must commit to the radar and rise must not.
SPLIT = """\
years: [2026, 2028]
objectives: {a: {}}
commitments: {t: {target: 1}}
budget: {total: 100}
scenarios:
  cut: {probability: 0.5, budget: {per_year: {2027: 0}}}
  rise: {probability: 0.5, budget: {per_year: {2026: 0}}}
commit_by: 2026
candidates:
  - {id: radar, cost: {2026: 10}, value: {a: 1}, commitments: {t: 1}}
  - {id: drones, cost: {2027: 10}, value: {a: 1}, commitments: {t: 1}}
"""


def test_only_the_shared_commitment_conflicts(tmp_path: Path) -> None:
    path = tmp_path / "split.yaml"
    path.write_text(SPLIT, encoding="utf-8")
    data = scenarios_json(path, code=3)
    assert data["status"] == "infeasible" and data["expected_value"] is None
    assert data["commit"] == [] and data["conflicts"] == ["commit_by"]
    assert data["alone"]["cut"]["value"] == 1 and data["alone"]["rise"]["value"] == 1
    result = invoke("scenarios", path)
    assert result.exit_code == 3
    assert "commit_by" in result.stderr


def test_a_scenario_infeasible_alone_is_named(tmp_path: Path) -> None:
    # "none" has no money in 2026 or 2027, so nothing reaches the target.
    text = SPLIT.replace(
        "  rise:", "  none: {probability: 0.2, budget: {per_year: {2026: 0, 2027: 0}}}\n  rise:"
    ).replace("rise: {probability: 0.5", "rise: {probability: 0.3")
    path = tmp_path / "none.yaml"
    path.write_text(text, encoding="utf-8")
    data = scenarios_json(path, code=3)
    assert data["conflicts"] == ["none"]
    assert data["scenarios"]["none"]["conflicts"]  # its own conflict, as optimise gives it
    result = invoke("scenarios", path)
    assert result.exit_code == 3
    assert "scenario 'none' has no portfolio of its own" in result.stderr
    assert "commitment" in result.stderr


def test_validate_names_the_scenarios() -> None:
    result = invoke("validate", EXAMPLE)
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "2 budget scenarios (cut 0.4, base 0.6); what starts by 2026 is decided now" in out


def test_a_cost_level_plans_every_scenario_at_those_costs(tmp_path: Path) -> None:
    # drones' factor is uniform on [1, 2]: its median is 1.5, so at --cost-level 0.5 the
    # plan must be the plan of the same file with the drones' cost written as 120
    text = EXAMPLE.read_text(encoding="utf-8")
    risky = tmp_path / "risky.yaml"
    risky.write_text(
        text.replace("    cost: {2027: 80}\n", "    cost: {2027: 80}\n    cost_risk: [1, 2]\n"),
        encoding="utf-8",
    )
    scaled = tmp_path / "scaled.yaml"
    scaled.write_text(text.replace("    cost: {2027: 80}\n", "    cost: {2027: 120}\n"), "utf-8")
    at_level = scenarios_json(risky, "--cost-level", "0.5")
    written = scenarios_json(scaled)
    assert at_level["expected_value"] == written["expected_value"]
    assert at_level["commit"] == written["commit"]
    for name, plan in written["scenarios"].items():
        got = at_level["scenarios"][name]
        assert [s["id"] for s in got["selected"]] == [s["id"] for s in plan["selected"]]
        assert got["cost"] == plan["cost"]
    plain = scenarios_json(risky)  # at factor 1: the file as written
    assert plain["scenarios"] != at_level["scenarios"] or plain["commit"] != at_level["commit"]
