"""`defplan explain` on the command line: why a candidate is in or out, in JSON and in words."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from samples import (
    TIES,
    invoke,
    optimise_json,
)

from defplan.errors import ExitCode


def test_explain_in_json_agrees_with_optimise(small_file: Path) -> None:
    result = invoke("explain", small_file, "delta", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["format"] == "defplan-explain/1"
    assert {
        "id",
        "selected",
        "optimum",
        "forced_value",
        "regret",
        "entry_budget",
        "binding",
    } <= set(data)
    assert data["id"] == "delta" and data["selected"] is False
    assert data["optimum"] == optimise_json(small_file)["value"]
    forced = optimise_json(small_file, "--include", "delta")["value"]
    assert data["forced_value"] == forced
    assert data["regret"] == pytest.approx(data["optimum"] - forced)
    # the 2027 cap keeps delta out: without it, delta comes in
    assert data["binding"] == ["budget.per_year.2027"]
    without_cap = optimise_json(small_file, "--budget-year", "2027=1000")
    assert "delta" in [s["id"] for s in without_cap["selected"]]


def test_explain_in_words(small_file: Path) -> None:
    result = invoke("explain", small_file, "alpha")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert (
        "'alpha' (Alpha radar) is in the optimal portfolio at a total budget of 100 M EUR" in text
    )
    assert "Leaving it out, the best portfolio is worth" in text
    assert "total budget of" in text


def test_explain_says_what_forcing_it_changes_and_at_which_value_it_enters(
    small_file: Path,
) -> None:
    # delta (4.5) is out: forced in, the best is bravo + charlie + delta + echo, worth 2
    # less and 15 cheaper than the optimum; at 6.5 the two tie and the cheaper takes it in
    data = json.loads(invoke("explain", small_file, "delta", "--format", "json").stdout)
    assert data["value"] == 4.5 and data["regret"] == 2
    assert data["forced"] == {"added": ["delta", "echo"], "dropped": ["alpha"]}
    assert (data["entry_value"], data["in_at_entry_value"]) == (6.5, True)
    text = " ".join(invoke("explain", small_file, "delta").stdout.split())
    assert "That portfolio adds delta and echo, and drops alpha." in text
    assert (
        "At this budget it would enter if its value rose to 6.5 (4.5 plus the regret, 2): "
        "there it ties with the optimum and the tie rule (the cheaper portfolio first, then "
        "file order) takes it in." in text
    )
    # alpha (7) is in: without it the same cheaper portfolio; at 5 that one wins the tie
    data = json.loads(invoke("explain", small_file, "alpha", "--format", "json").stdout)
    assert data["forced"] == {"added": ["delta", "echo"], "dropped": ["alpha"]}
    assert (data["entry_value"], data["in_at_entry_value"]) == (5, False)
    text = " ".join(invoke("explain", small_file, "alpha").stdout.split())
    assert "it stays in while its value is above 5 (7 less the regret, 2); at exactly 5" in text


def test_explain_at_a_tie_of_value_and_cost_goes_by_file_order(
    write_portfolio: Callable[..., Path],
) -> None:
    # first and second tie on value and cost (and with third + fourth): first is in
    path = write_portfolio(TIES)
    second = json.loads(invoke("explain", path, "second", "--format", "json").stdout)
    assert (second["regret"], second["entry_value"], second["in_at_entry_value"]) == (0, 5, False)
    assert second["forced"] == {"added": ["second"], "dropped": ["first"]}
    assert "it would enter if its value rose above 5" in " ".join(
        invoke("explain", path, "second").stdout.split()
    )
    first = json.loads(invoke("explain", path, "first", "--format", "json").stdout)
    assert (first["entry_value"], first["in_at_entry_value"]) == (5, True)
    assert "it stays in while its value is at least 5" in " ".join(
        invoke("explain", path, "first").stdout.split()
    )


def test_explain_without_another_way_has_no_entry_value(small_file: Path) -> None:
    data = json.loads(
        invoke("explain", small_file, "delta", "--include", "delta", "--format", "json").stdout
    )
    assert data["forced"] is data["entry_value"] is data["in_at_entry_value"] is None


def test_explain_refuses_an_unknown_id_and_exits_3_when_infeasible(small_file: Path) -> None:
    unknown = invoke("explain", small_file, "delt")
    assert unknown.exit_code == ExitCode.USAGE
    assert "unknown candidate 'delt' (did you mean 'delta'?)" in unknown.output
    infeasible = invoke("explain", small_file, "delta", "--budget", "1", "--format", "json")
    assert infeasible.exit_code == ExitCode.INFEASIBLE
    data = json.loads(infeasible.stdout)
    assert data["status"] == "infeasible" and data["conflicts"] == [
        "budget.total",
        "commitment.nato",
    ]
