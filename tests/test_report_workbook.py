"""`defplan report --output BOOK.xlsx`: the workbook read back with openpyxl: its sheets,
frozen headers, widths, and numbers (not text) equal to the optimise JSON's."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from samples import invoke

from defplan.errors import ExitCode

openpyxl = pytest.importorskip("openpyxl")

ROOT = Path(__file__).parent.parent
EXAMPLES = ["tutorial.yaml", "netherlands-2026.yaml", "frame-example.yaml"]


def shown(cell: Any) -> str:
    """A cell's text as Excel shows it: a number in its number format's 2 decimals."""
    if isinstance(cell.value, float) and "0.00" in cell.number_format:
        return f"{cell.value:,.2f}"
    if isinstance(cell.value, float) and "%" in cell.number_format:
        return f"{100 * cell.value:.1f}%"
    return str(cell.value)


def rows_of(sheet: Any) -> list[dict[str, Any]]:
    """A sheet's rows as dicts by header."""
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.fixture(scope="module", params=EXAMPLES)
def example(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    name = request.param
    path = ROOT / "portfolios" / name
    target = tmp_path_factory.mktemp("book") / "report.xlsx"
    result = invoke("report", path, "--output", target)
    assert result.exit_code == ExitCode.OK, result.output
    found = json.loads(invoke("optimise", path, "--format", "json").stdout)
    return openpyxl.load_workbook(target), found


def test_the_sheets_have_frozen_bold_headers_and_fitted_widths(example: Any) -> None:
    book, found = example
    expected = ["Summary", "Selection", "Candidates"]
    assert book.sheetnames[:3] == expected
    if found["commitments"]:
        assert "Commitments" in book.sheetnames
    for sheet in book:
        assert sheet.freeze_panes is not None and sheet.freeze_panes.endswith("2")
        assert all(cell.font.bold for cell in sheet[1])
        for column in range(1, sheet.max_column + 1):
            letter = openpyxl.utils.get_column_letter(column)
            width = sheet.column_dimensions[letter].width
            longest = max(len(shown(c)) for c in sheet[letter] if c.value is not None)
            assert width is not None and width >= min(60, longest), (sheet.title, letter)


def test_the_summary_holds_the_json_numbers(example: Any) -> None:
    book, found = example
    summary = {row["Item"]: row["Figure"] for row in rows_of(book["Summary"])}
    assert summary["Status"] == found["status"]
    assert summary["Value (points)"] == found["value"]
    unit = f"{found['unit']} {found['currency']}"
    assert summary[f"Cost ({unit})"] == found["cost"]["total"]
    if found["budget"]["total"]:
        used = found["cost"]["total"] / found["budget"]["total"]
        assert math.isclose(summary["Budget used"], used)


def test_every_candidate_with_numbers_equal_to_the_json(example: Any) -> None:
    book, found = example
    rows = {row["Candidate"]: row for row in rows_of(book["Candidates"])}
    assert list(rows) == [c["id"] for c in found["candidates"]]
    unit = f"{found['unit']} {found['currency']}"
    for c in found["candidates"]:
        row = rows[c["id"]]
        assert row["Selected"] is c["selected"]
        assert type(row[f"Cost ({unit})"]) in (int, float)
        assert row[f"Cost ({unit})"] == c["cost"]
        assert row["Value"] == c["value"]
        for year, money in c["profile"].items():
            assert row[f"Money {year}"] == money
        assert (row["Why not"] is None) == c["selected"]
    selection = rows_of(book["Selection"])
    assert sorted(r["Candidate"] for r in selection) == sorted(c["id"] for c in found["selected"])


def test_spending_per_year_equals_the_json(example: Any) -> None:
    book, found = example
    spending = rows_of(book["Spending"])
    by_line = {line: years for line, years in found.get("spend", {}).items()}
    titles = {r["Line"] for r in spending}
    assert titles  # every example spends in years
    for r in spending:
        assert isinstance(r["Year"], int)
        if r["Cap"] is not None:
            assert math.isclose(r["Headroom"], r["Cap"] - r["Total"], abs_tol=1e-9)
    totals = {}
    for r in spending:
        totals.setdefault(r["Line"], {})[r["Year"]] = r["Selection"]
    for years in by_line.values():
        matches = [
            t
            for t in totals.values()
            if all(math.isclose(t.get(int(y), 0), m, abs_tol=1e-6) for y, m in years.items())
        ]
        assert matches, years


def test_commitments_with_their_deadlines(example: Any) -> None:
    book, found = example
    if not found["commitments"]:
        return
    rows = {r["Commitment"]: r for r in rows_of(book["Commitments"])}
    for key, c in found["commitments"].items():
        assert rows[key]["Target"] == c["target"]
        assert rows[key]["Achieved"] == c["achieved"]
        assert rows[key]["Met"] is c["met"]


def test_frontier_and_robustness_sheets_only_when_asked(tmp_path: Path) -> None:
    path = ROOT / "portfolios" / "tutorial.yaml"
    target = tmp_path / "r.xlsx"
    invoke("report", path, "--output", target)
    assert {"Frontier", "Robustness"}.isdisjoint(openpyxl.load_workbook(target).sheetnames)
    result = invoke(
        "report", path, "--output", target, "--sweep", "700,900", "--samples", "4", "--seed", "3"
    )
    assert result.exit_code == ExitCode.OK, result.output
    book = openpyxl.load_workbook(target)
    frontier = rows_of(book["Frontier"])
    for row, budget in zip(frontier, (700, 900), strict=True):
        swept = json.loads(
            invoke("optimise", path, "--budget", str(budget), "--format", "json").stdout
        )
        assert row["Budget (M EUR)"] == budget and row["Value"] == swept["value"]
    robust = json.loads(
        invoke("robust", path, "--samples", "4", "--seed", "3", "--format", "json").stdout
    )
    shares = {r["Candidate"]: r["Share of samples"] for r in rows_of(book["Robustness"])}
    assert shares == {c["id"]: c["share"] for c in robust["candidates"]}


def test_an_infeasible_run_exits_3_with_a_workbook_that_lists_the_conflicts(
    write_portfolio: Any, tmp_path: Path
) -> None:
    path = write_portfolio(
        "objectives: {a: {weight: 1}}\nbudget: {total: 10}\ncandidates:\n"
        "  - {id: big, cost: 50, value: {a: 1}, mandatory: true}\n"
        "  - {id: small, cost: 5, value: {a: 1}}\n"
    )
    target = tmp_path / "r.xlsx"
    result = invoke("report", path, "--output", target, "--samples", "3")
    assert result.exit_code == ExitCode.INFEASIBLE, result.output
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Summary", "Candidates"]  # nothing sampled without a portfolio
    summary = rows_of(book["Summary"])
    assert {"Item": "Status", "Figure": "infeasible"} in summary
    conflicts = [r["Figure"] for r in summary if r["Item"] == "Conflict"]
    assert any("mandatory.big" in c for c in conflicts)
