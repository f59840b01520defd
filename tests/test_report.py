"""Rendering a Result: Rich tables compared with golden files, plus the csv text.

The golden files under tests/golden/ are rewritten by `pytest --update-golden`; the
assertions next to each comparison pin down what the report must show, so a wrong
golden file cannot slip in unnoticed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from rich.console import Console
from samples import ANNUAL, SMALL, cells, line_with

from defplan import SolveOptions, optimise, parse_portfolio, report
from defplan.result import Result

Golden = Callable[[str, str], None]

RATIOS = """\
name: Ratios
objectives:
  a: {weight: 1}
budget: {total: 0}
candidates:
  - {id: pricey, cost: 10, value: {a: 1}}
  - {id: bulky, cost: 100, value: {a: 5}}
  - {id: nothing, cost: 5}
  - {id: bargain, cost: 1, value: {a: 0.5}}
  - {id: harmful, cost: 10, value: {a: -1}}
  - {id: free-harm, cost: 0, value: {a: -1}}
"""


def solve(text: str, name: str = "small.yaml", **options: object) -> Result:
    portfolio = parse_portfolio(text, filename=name)
    return optimise(
        portfolio,
        options=SolveOptions(**options),
        file=name,
        data=text.encode(),  # type: ignore[arg-type]
    )


def render(result: Result) -> str:
    """The report as the CLI prints it, on a plain 100-column console."""
    console = Console(width=100, file=io.StringIO(), color_system=None)
    for part in report.result_renderables(result):
        console.print(part)
        console.print()
    return console.file.getvalue()  # type: ignore[attr-defined]


def order(text: str, *words: str) -> list[int]:
    return [text.index(w) for w in words]


@pytest.fixture(scope="module")
def small() -> Result:
    return solve(SMALL)


def test_small_report(small: Result, golden: Golden) -> None:
    text = render(small)
    golden("report_small.txt", text)
    assert "\x1b" not in text
    head = text.split("\n\n")[0]
    assert "Small test portfolio" in head
    assert "optimal" in head
    assert "13.5" in head
    assert "100" in head

    # Selected, grouped by group (groups in name order), members in file order
    assert order(text, "kit", "Alpha radar", "Bravo boats", "ops", "Charlie training") == sorted(
        order(text, "kit", "Alpha radar", "Bravo boats", "ops", "Charlie training")
    )
    assert cells(line_with(text, "Alpha radar")) == ["alpha", "Alpha radar", "50", "7"]
    assert cells(line_with(text, "Charlie training"))[2:] == ["20", "3"]
    assert "delta" not in text.split("Below the line")[0]  # not selected

    # cost per year against the caps
    assert cells(line_with(text, "2026"))[:2] == ["2026", "20"]
    assert cells(line_with(text, "2027")) == ["2027", "30", "40", "10"]
    assert cells(line_with(text, "unphased"))[:2] == ["unphased", "50"]

    # objectives with their normalised weights and unweighted totals
    assert cells(line_with(text, "Air defence")) == ["Air defence", "0.75", "14"]
    assert cells(line_with(text, "Border security")) == ["Border security", "0.25", "14"]

    # commitments met and short
    nato = line_with(text, "NATO target")
    assert "met" in nato
    assert "short" not in nato
    eu = line_with(text, "EU pledge")
    assert "short by 1" in eu
    assert "soft" in eu

    # group rules: spend and share
    assert cells(line_with(text, "kit", "%")) == ["kit", "80", "80.0%", "at least 20% of cost"]

    # below the line: delta (4.5 per 25) before echo (0.5 per 10)
    below = text.split("Below the line")[1]
    assert order(below, "delta", "Echo stores") == sorted(order(below, "delta", "Echo stores"))


def test_report_with_an_ungrouped_candidate(golden: Golden) -> None:
    result = solve(SMALL, include=("echo",))
    text = render(result)
    golden("report_small_include_echo.txt", text)
    selected = text.split("Below the line")[0]
    assert order(selected, "kit", "ops", "(no group)", "Echo stores") == sorted(
        order(selected, "kit", "ops", "(no group)", "Echo stores")
    )
    below = text.split("Below the line")[1]
    assert "Alpha radar" in below
    assert "Echo stores" not in below


def test_report_without_a_total_budget(golden: Golden) -> None:
    result = solve(ANNUAL, name="annual.yaml")
    assert result.budget_total is None
    text = render(result)
    golden("report_annual.txt", text)
    head = text.split("\n\n")[0]
    assert "% of the budget" not in head
    assert cells(line_with(text, "2026")) == ["2026", "40", "50", "10"]
    assert cells(line_with(text, "2027")) == ["2027", "30", "50", "20"]
    assert "unphased" not in text  # no plain costs


def test_report_of_an_infeasible_run(golden: Golden) -> None:
    result = solve(SMALL, exclude=("alpha", "delta"))
    text = render(result)
    golden("report_infeasible.txt", text)
    assert "infeasible" in text
    assert "nato" in text
    assert "'alpha'" in text
    assert "'delta'" in text
    assert "Selected" not in text
    assert "Below the line" not in text


def test_below_the_line_sorted_by_value_per_cost(golden: Golden) -> None:
    result = solve(RATIOS, name="ratios.yaml")
    assert result.selected_ids == ()
    text = render(result)
    golden("report_ratios.txt", text)
    below = text.split("Below the line")[1]
    ranked = ["bargain", "pricey", "bulky", "nothing", "harmful", "free-harm"]
    assert order(below, *ranked) == sorted(order(below, *ranked))


def test_long_names_wrap_without_losing_columns() -> None:
    text = SMALL.replace("name: Alpha radar", "name: " + "Very long programme name " * 6)
    rendered = render(solve(text))
    assert all(len(line) <= 100 for line in rendered.splitlines())


def test_csv(small: Result, golden: Golden) -> None:
    text = report.result_csv(small)
    golden("small.csv", text)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:6] == ["id", "name", "group", "selected", "cost", "value"]
    assert rows[0][6:] == ["a", "b"]
    assert [r[0] for r in rows[1:]] == ["alpha", "bravo", "charlie", "delta", "echo"]
    by_id = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert {k for k, r in by_id.items() if r["selected"] == "true"} == {"alpha", "bravo", "charlie"}
    assert float(by_id["alpha"]["cost"]) == 50  # the sum of its profile
    assert float(by_id["alpha"]["value"]) == 7
    assert float(by_id["bravo"]["b"]) == 4  # midpoint of [0, 8]
    assert by_id["echo"]["group"] == ""
    assert "-0" not in text


def test_csv_quotes_awkward_names() -> None:
    text = SMALL.replace("name: Bravo boats", 'name: "Boats, fast \\"B\\" class"')
    rows = list(csv.reader(io.StringIO(report.result_csv(solve(text)))))
    assert rows[2][:2] == ["bravo", 'Boats, fast "B" class']


def test_csv_of_an_infeasible_run_selects_nothing() -> None:
    result = solve(SMALL, budget=10)
    rows = list(csv.DictReader(io.StringIO(report.result_csv(result))))
    assert len(rows) == 5
    assert {r["selected"] for r in rows} == {"false"}


@pytest.mark.parametrize(
    ("x", "shown"),
    [(None, "-"), (0, "0"), (-0.0, "0"), (1234, "1,234"), (1234.5, "1,234.5"), (0.125, "0.12")],
)
def test_amount(x: float | None, shown: str) -> None:
    assert report.amount(x) == shown


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_console_is_plain_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    stream = io.StringIO()
    console = report.make_console(file=stream)
    console.print("[bold red]styled[/bold red]", markup=True)
    assert stream.getvalue() == "styled\n"


def test_console_is_plain_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    stream = _Terminal()
    console = report.make_console(file=stream)
    console.print("[bold red]styled[/bold red]", markup=True)
    assert stream.getvalue() == "styled\n"


def test_console_styles_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    stream = _Terminal()
    console = report.make_console(file=stream)
    console.print("[bold red]styled[/bold red]", markup=True)
    assert "\x1b[" in stream.getvalue()
