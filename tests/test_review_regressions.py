"""Regressions for bugs a review found: each test failed before its fix."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from samples import hard_portfolio
from typer.testing import CliRunner

from defplan import ExitCode, SolveOptions, optimise, parse_portfolio
from defplan.analysis.sweep import parse_budgets, sweep
from defplan.cli import app
from defplan.formulation import formulate

WARM = """\
objectives:
  a: {weight: 2}
  b: {weight: 1}
commitments:
  t: {target: 1, hard: false, penalty: 2}
candidates:
- {id: c0, cost: 4, value: {a: 2, b: 1}}
- {id: c1, cost: 2, value: {a: 1.5, b: 1}, excludes: [c0]}
- {id: c2, cost: 1, value: {a: 1, b: 2}, commitments: {t: 2}, requires: [c1]}
- {id: c3, cost: 0, value: {a: 0, b: 1}}
- {id: c4, cost: 2, value: {a: 3, b: 0}, commitments: {t: 1}}
- {id: c5, cost: 2.5, value: {a: 1, b: 0}, commitments: {t: 1}}
"""


def test_sweep_point_equals_a_fresh_solve_after_a_smaller_budget() -> None:
    # a MIP start handed over from the previous point came back as the "optimum"
    p = parse_portfolio(WARM)
    points = sweep(p, budgets=[3, 6], options=SolveOptions())
    fresh = optimise(p, options=SolveOptions(budget=6))
    assert points[1].result.selected_ids == fresh.selected_ids == ("c1", "c2", "c3", "c4")
    assert points[1].result.value == fresh.value == 5


def test_rounding_noise_in_contributions_is_no_shortfall() -> None:
    text = """\
objectives:
  a: {weight: 1}
commitments:
  t: {target: 0.8, hard: false, penalty: 1000000000}
budget: {total: 2}
candidates:
  - {id: c1, cost: 1, value: {a: 1}, commitments: {t: 0.7}}
  - {id: c2, cost: 1, value: {a: 1}, commitments: {t: 0.1}}
  - {id: c3, cost: 1, value: {a: 1}, commitments: {t: 0.8}}
"""
    p = parse_portfolio(text)
    result = optimise(p)
    assert result.selected_ids == ("c1", "c2")  # 0.7 + 0.1 meets 0.8: a tie, file order
    assert result.value == 2
    alone = optimise(p, options=SolveOptions(exclude=("c3",)))
    assert alone.value == 2
    assert alone.commitments["t"].met and alone.commitments["t"].shortfall == 0


def test_range_budgets_keep_their_digits_and_never_pass_stop() -> None:
    assert parse_budgets("100000.0000001:100000.0000001:1") == [100000.0000001]
    assert parse_budgets("0:999999999:1000000000") == [0]
    assert parse_budgets("0:1:0.1")[-1] == 1


def test_negative_zero_budget_reads_as_zero() -> None:
    p = parse_portfolio(WARM)
    form = formulate(p, SolveOptions(budget=-0.0, budget_per_year={2026: -0.0}))
    labels = [b.label for b in form.blocks]
    assert labels[0].startswith("total budget 0 ")
    assert labels[1].startswith("budget cap for 2026: 0 ")


def test_diff_with_a_side_out_of_time_exits_4(write_portfolio: Callable[..., Path]) -> None:
    path = write_portfolio(hard_portfolio())
    result = CliRunner().invoke(
        app, ["diff", str(path), str(path), "--time-limit", "0.05", "--format", "json"]
    )
    assert result.exit_code == ExitCode.NO_SOLUTION, result.output
    data = json.loads(result.stdout)
    assert data["left"]["status"] == "unknown"


def test_saved_result_missing_an_objective_is_an_input_error(tmp_path: Path) -> None:
    p = parse_portfolio(WARM)
    saved = json.loads(optimise(p, options=SolveOptions(budget=6)).to_json())
    del saved["candidates"][0]["objectives"]["a"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(saved))
    good = tmp_path / "good.json"
    good.write_text(optimise(p, options=SolveOptions(budget=3)).to_json())
    result = CliRunner().invoke(app, ["diff", str(bad), str(good)])
    assert result.exit_code == ExitCode.USAGE, result.output
    assert '$.candidates[0].objectives: no value for "a"' in result.stderr


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
