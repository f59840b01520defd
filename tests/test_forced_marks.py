"""Candidates whose choice the file or the run fixed are marked in every table and CSV
that lists them: 'mandatory', '--include' or '--exclude'."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from samples import SMALL, cells, line_with
from typer.testing import CliRunner

from defplan.cli import app

# SMALL with echo mandatory: the run adds --include charlie and --exclude delta.
MARKED = SMALL.replace("    value: {b: 2}\n", "    value: {b: 2}\n    mandatory: true\n")
FORCING = ("--include", "charlie", "--exclude", "delta")


@pytest.fixture
def marked_file(write_portfolio: Callable[..., Path]) -> Path:
    assert MARKED != SMALL
    return write_portfolio(MARKED, "marked.yaml")


def run(*args: str | Path) -> str:
    result = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    return result.stdout


def rows_of(text: str) -> dict[str, dict[str, str]]:
    return {row["id"]: row for row in csv.DictReader(io.StringIO(text))}


def test_optimise_tables_mark_each_forced_candidate(marked_file: Path) -> None:
    shown = run("optimise", marked_file, *FORCING)
    assert cells(line_with(shown, "Candidate", "Name", "Cost", "Value", "Forced", "Group"))[-1] == (
        "Forced"
    )
    assert cells(line_with(shown, " charlie "))[-1] == "--include"
    assert cells(line_with(shown, " echo "))[-1] == "mandatory"
    assert cells(line_with(shown, " delta "))[-1] == "--exclude"  # below the line
    assert cells(line_with(shown, " alpha "))[-1] != "--include"


def test_no_forced_column_when_nothing_is_forced(small_file: Path) -> None:
    assert "Forced" not in run("optimise", small_file)


def test_optimise_csv_has_a_forced_column(marked_file: Path) -> None:
    rows = rows_of(run("optimise", marked_file, *FORCING, "--format", "csv"))
    assert {cid: row["forced"] for cid, row in rows.items()} == {
        "alpha": "",
        "bravo": "",
        "charlie": "include",
        "delta": "exclude",
        "echo": "mandatory",
    }


def test_sweep_marks_forced_candidates_in_the_first_selection(marked_file: Path) -> None:
    shown = run("sweep", marked_file, "--budget", "60,100", *FORCING)
    assert "+ charlie (--include)" in shown
    assert "+ echo (mandatory)" in shown
    assert "+ alpha" in shown and "+ alpha (" not in shown


def test_frontier_marks_forced_candidates(marked_file: Path) -> None:
    shown = run("frontier", marked_file, "--x", "a", "--y", "b", *FORCING)
    assert "+ charlie (--include)" in shown
    assert "+ echo (mandatory)" in shown


def test_robust_table_and_csv_mark_forced_candidates(marked_file: Path) -> None:
    common = ("robust", marked_file, "--samples", "5", *FORCING)
    shown = run(*common)
    assert cells(line_with(shown, " charlie "))[-1] == "--include"
    assert cells(line_with(shown, " echo "))[-1] == "mandatory"
    rows: dict[str, Any] = rows_of(run(*common, "--format", "csv"))
    assert rows["delta"]["forced"] == "exclude"
    assert rows["alpha"]["forced"] == ""


def test_csv_has_no_forced_column_when_nothing_is_forced(small_file: Path) -> None:
    header = run("optimise", small_file, "--format", "csv").splitlines()[0]
    assert "forced" not in header.split(",")
    header = run("robust", small_file, "--samples", "3", "--format", "csv").splitlines()[0]
    assert "forced" not in header.split(",")


def test_the_mark_is_never_cut_beside_long_names() -> None:
    """At 80 columns the Dutch example's long names give way, not the mark."""
    dutch = Path(__file__).resolve().parent / "data" / "netherlands-static.yaml"
    result = CliRunner().invoke(
        app, ["optimise", str(dutch), "--include", "ammo-depots"], env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.output
    assert cells(line_with(result.stdout, " ammo-depots "))[-1] == "--include"
