"""`defplan validate`, and the warnings every command gives about a file: plain costs
beside annual caps, and scores off the declared scale."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from samples import (
    NO_BUDGET,
    SMALL,
    SMALL_WARNING,
    invoke,
)

from defplan.errors import ExitCode

# Two objectives (for frontier), a total, and no annual cap: lump and later have a plain
# cost, which an annual cap would not count; free costs nothing.
PLAIN = """\
name: Plain costs
years: [2026, 2027]
objectives:
  a: {weight: 1}
  b: {weight: 1}
budget:
  total: 100
candidates:
  - {id: phased, cost: {2026: 20}, value: {a: 1}}
  - {id: lump, cost: 30, value: {a: 1, b: 1}}
  - {id: free, cost: 0, value: {b: 1}}
  - {id: later, cost: 10, value: {a: 2}}
"""


PLAIN_CAPPED = PLAIN.replace("  total: 100\n", "  total: 100\n  per_year: {2026: 50}\n")


PLAIN_WARNING = (
    "defplan: warning: 2 candidates have a plain cost, which no annual cap counts: lump, later\n"
)


def test_plain_costs_are_named_when_the_run_has_annual_caps(
    write_portfolio: Callable[..., Path],
) -> None:
    path = write_portfolio(PLAIN)
    quiet = invoke("optimise", path, "--format", "json")
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stderr == ""  # no annual cap: nothing escapes one
    capped = invoke("optimise", path, "--format", "json", "--budget-year", "2027=40")
    assert capped.exit_code == 0, capped.output
    assert capped.stderr == PLAIN_WARNING
    answer = json.loads(quiet.stdout)
    assert json.loads(capped.stdout) == answer | {
        "budget": {"total": 100, "per_year": {"2027": 40}},
        "solver": json.loads(capped.stdout)["solver"],
        "run": answer["run"] | {"budget_per_year": {"2027": 40}},
    }  # a warning only: the answer is the same
    one = invoke("optimise", path, "--budget-year", "2027=40", "--exclude", "later")
    assert one.stderr == (
        "defplan: warning: 1 candidate has a plain cost, which no annual cap counts: lump\n"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["optimise", "--format", "json"],
        ["sweep", "--budget", "50,100", "--format", "json"],
        ["explain", "lump", "--format", "json"],
        ["frontier", "--x", "a", "--y", "b", "--format", "json"],
        ["robust", "--samples", "3", "--format", "json"],
        ["diff", "--budget", "50", "--budget", "100", "--format", "json"],
    ],
    ids=lambda args: args[0],
)
def test_every_command_names_plain_costs_beside_the_files_annual_caps(
    write_portfolio: Callable[..., Path], args: list[str]
) -> None:
    path = write_portfolio(PLAIN_CAPPED)
    result = invoke(args[0], path, *args[1:])
    assert result.exit_code == 0, result.output
    assert result.stderr == PLAIN_WARNING
    unwarned = invoke(args[0], write_portfolio(PLAIN, "uncapped.yaml"), *args[1:])
    assert unwarned.exit_code == 0, unwarned.output
    assert unwarned.stderr == ""


def test_a_run_refused_for_plain_costs_says_so_once(write_portfolio: Callable[..., Path]) -> None:
    # caps and no total: optimise refuses, naming them; a warning beside it would repeat it
    path = write_portfolio(PLAIN_CAPPED.replace("  total: 100\n", ""))
    result = invoke("optimise", path)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stderr.splitlines() == [
        "defplan: error: only annual caps are set, so candidates with a plain (not per-year) "
        "cost would be free: lump, later; give a total budget or per-year profiles"
    ]
    assert invoke("validate", path).stderr == PLAIN_WARNING  # validate still says it


def test_validate_summarises_a_valid_file(small_file: Path) -> None:
    result = invoke("validate", small_file)
    assert result.exit_code == 0, result.output
    assert "valid" in result.stdout
    assert "5 candidates" in result.stdout
    assert "Small test portfolio" in result.stdout
    assert result.stderr == SMALL_WARNING


def test_validate_needs_no_budget(write_portfolio: Callable[..., Path]) -> None:
    result = invoke("validate", write_portfolio(NO_BUDGET))
    assert result.exit_code == 0, result.output


def test_validate_lists_every_problem(write_portfolio: Callable[..., Path]) -> None:
    text = SMALL.replace("  nato:\n", "  nato:\n    tagret: 3\n").replace(
        "    group: ops\n    cost: 20\n", "    group: ops\n    cost: yes\n"
    )
    path = write_portfolio(text)
    result = invoke("validate", path)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stdout == ""
    errors = result.stderr.splitlines()
    assert len(errors) >= 2, errors
    assert any("tagret" in e and "target" in e for e in errors), errors  # did you mean
    assert all(re.match(rf"{re.escape(str(path))}:\d+:\d+: error: ", e) for e in errors), errors


def test_validate_reads_stdin(small_file: Path) -> None:
    result = invoke("validate", "-", input=small_file.read_bytes())
    assert result.exit_code == 0, result.output
    assert "5 candidates" in result.stdout


SCALED = SMALL.replace(
    "{label: Air defence, weight: 3}", "{label: Air defence, weight: 3, scale: [0, 6]}"
)
"""SMALL with a 0-6 scale on 'a': alpha's 8 lies outside; delta's 6 is inside, and so is
echo's missing score (0)."""


@pytest.mark.parametrize("command", ["validate", "optimise"])
def test_scores_off_the_declared_scale_are_warned_about(
    command: str, write_portfolio: Callable[..., Path]
) -> None:
    text = SCALED.replace("value: {b: 2}", "value: {a: [-1, 3], b: 2}")
    result = invoke(command, write_portfolio(text))
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "defplan: warning: objective 'a' declares scale [0, 6], but 2 candidates score "
        "outside it: alpha (8), echo ([-1, 3])",
        *SMALL_WARNING.splitlines(),  # SMALL's plain costs beside its annual cap
    ]


def test_no_scale_no_warning(small_file: Path, write_portfolio: Callable[..., Path]) -> None:
    huge = SMALL.replace("value: {a: 8, b: 4}", "value: {a: 800, b: -40}")
    for path in (small_file, write_portfolio(huge)):
        result = invoke("optimise", path)
        assert result.exit_code == 0, result.output
        assert result.stderr == SMALL_WARNING  # the plain-cost warning alone


def test_scores_on_the_scale_are_not_warned_about(write_portfolio: Callable[..., Path]) -> None:
    result = invoke("validate", write_portfolio(SCALED.replace("a: 8, b: 4", "a: 6, b: 4")))
    assert result.exit_code == 0, result.output
    assert result.stderr == SMALL_WARNING


def test_a_long_plain_cost_warning_names_ten_and_counts_the_rest(
    write_portfolio: Callable[..., Path],
) -> None:
    lines = [
        "years: [2026, 2027]",
        "objectives: {a: {weight: 1}}",
        "budget: {total: 100, per_year: {2026: 50}}",
        "candidates:",
    ]
    lines += [f"  - {{id: c{i:02d}, cost: 1, value: {{a: 1}}}}" for i in range(12)]
    result = invoke("validate", write_portfolio("\n".join(lines) + "\n"))
    assert result.exit_code == 0, result.output
    named = ", ".join(f"c{i:02d}" for i in range(10))
    assert result.stderr == (
        "defplan: warning: 12 candidates have a plain cost, which no annual cap counts: "
        f"{named} and 2 more\n"
    )
