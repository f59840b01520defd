"""Rendering a Result: Rich tables compared with golden files, plus the csv text.

The golden files under tests/golden/ are rewritten by `pytest --update-golden`; the
assertions next to each comparison pin down what the report must show, so a wrong
golden file cannot slip in unnoticed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import pytest
from rich.console import Console
from samples import ANNUAL, SMALL, cells, line_with

from defplan import SolveOptions, optimise, parse_portfolio
from defplan.render.console import make_console, progress
from defplan.render.diff import diff_renderables
from defplan.render.figures import ROUNDING_NOTE, VALUE_LEGEND, adds_up, amount, bar_chart
from defplan.render.report import result_csv, result_renderables
from defplan.render.sweep import sweep_csv, sweep_renderables
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
    for part in result_renderables(result):
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
    text = result_csv(small, parse_portfolio(SMALL, filename="small.yaml"))
    golden("small.csv", text)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:6] == ["id", "name", "group", "selected", "cost", "value"]
    assert rows[0][6:] == [
        *("a", "b"),  # the objectives (docs/commands.md, "CSV for spreadsheets")
        *("cost_2026", "cost_2027", "cost_unphased"),
        *("commitment_nato", "commitment_eu"),
    ]
    assert [r[0] for r in rows[1:]] == ["alpha", "bravo", "charlie", "delta", "echo"]
    by_id = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert {k for k, r in by_id.items() if r["selected"] == "true"} == {"alpha", "bravo", "charlie"}
    assert float(by_id["alpha"]["cost"]) == 50  # the sum of its profile
    assert float(by_id["alpha"]["value"]) == 7
    assert float(by_id["bravo"]["b"]) == 4  # midpoint of [0, 8]
    assert by_id["echo"]["group"] == ""
    assert (by_id["alpha"]["cost_2026"], by_id["alpha"]["cost_2027"]) == ("20", "30")
    assert (by_id["bravo"]["cost_2026"], by_id["bravo"]["cost_unphased"]) == ("", "30")
    assert (by_id["bravo"]["commitment_nato"], by_id["bravo"]["commitment_eu"]) == ("1", "1")
    assert "-0" not in text


def test_csv_columns_add_up_to_the_result(small: Result) -> None:
    """Per row, the year columns and cost_unphased make the cost; over the selected
    rows, each column makes the result's total for it."""
    text = result_csv(small, parse_portfolio(SMALL, filename="small.yaml"))
    rows = list(csv.DictReader(io.StringIO(text)))
    money = ["cost_2026", "cost_2027", "cost_unphased"]
    for row in rows:
        assert sum(float(row[k] or 0) for k in money) == float(row["cost"]), row
    chosen = [r for r in rows if r["selected"] == "true"]
    assert sum(float(r["cost"]) for r in chosen) == small.cost_total
    assert {y: sum(float(r[f"cost_{y}"] or 0) for r in chosen) for y in (2026, 2027)} == (
        small.cost_per_year
    )
    for key, outcome in small.commitments.items():
        assert sum(float(r[f"commitment_{key}"]) for r in chosen) == outcome.achieved
    for key, total in small.objectives.items():
        assert sum(float(r[key]) for r in chosen) == total


def test_csv_without_years_or_commitments_has_only_the_base_columns() -> None:
    result = solve(RATIOS, name="ratios.yaml")
    header = next(csv.reader(io.StringIO(result_csv(result, parse_portfolio(RATIOS)))))
    assert header == ["id", "name", "group", "selected", "cost", "value", "a"]


def test_csv_quotes_awkward_names() -> None:
    text = SMALL.replace("name: Bravo boats", 'name: "Boats, fast \\"B\\" class"')
    rows = list(csv.reader(io.StringIO(result_csv(solve(text), parse_portfolio(text)))))
    assert rows[2][:2] == ["bravo", 'Boats, fast "B" class']


def test_csv_of_an_infeasible_run_selects_nothing() -> None:
    result = solve(SMALL, budget=10)
    rows = list(csv.DictReader(io.StringIO(result_csv(result))))
    assert len(rows) == 5
    assert {r["selected"] for r in rows} == {"false"}


@pytest.mark.parametrize(
    ("x", "shown"),
    [(None, "-"), (0, "0"), (-0.0, "0"), (1234, "1,234"), (1234.5, "1,234.5"), (0.125, "0.13")],
)  # halves round up, as on paper (Python's own format rounds 0.125 to even, 0.12)
def test_amount(x: float | None, shown: str) -> None:
    assert amount(x) == shown


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_console_is_plain_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    stream = io.StringIO()
    console = make_console(file=stream)
    console.print("[bold red]styled[/bold red]", markup=True)
    assert stream.getvalue() == "styled\n"


def test_console_is_plain_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    stream = _Terminal()
    console = make_console(file=stream)
    console.print("[bold red]styled[/bold red]", markup=True)
    assert stream.getvalue() == "styled\n"


def test_console_styles_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    stream = _Terminal()
    console = make_console(file=stream)
    console.print("[bold red]styled[/bold red]", markup=True)
    assert "\x1b[" in stream.getvalue()


def test_progress_bar_shows_its_label_not_markup(monkeypatch: pytest.MonkeyPatch) -> None:
    """The label was once printed literally as '[progress.description]solving ...'."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    with progress(3, "solving samples") as advance:
        for _ in range(3):
            advance()
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", terminal.getvalue())
    assert "solving samples" in shown
    assert "3/3" in shown
    assert "[progress" not in shown


# -- rounding, bars, sweeps, frontiers, robustness, legends ---------------------------------

THIRDS = """\
objectives:
  a: {weight: 1}
budget: {total: 10}
candidates:
  - {id: x, cost: 0.333, value: {a: 1.111}}
  - {id: y, cost: 0.333, value: {a: 1.111}}
  - {id: z, cost: 0.333, value: {a: 1.111}}
"""


def test_a_total_that_the_rounded_rows_do_not_make_says_so() -> None:
    text = render(solve(THIRDS, name="thirds.yaml"))
    assert cells(line_with(text, "  x"))[1:] == ["0.33", "1.11"]
    assert cells(line_with(text, "│ Total")) == ["Total", "1", "3.33"]  # 0.999 and 3.333
    assert ROUNDING_NOTE.split(";")[0] in text


def test_rows_that_make_their_total_need_no_note(small: Result) -> None:
    assert "rounded" not in render(small)


@pytest.mark.parametrize(
    ("figures", "expected"),
    [
        ([0.333] * 3, False),  # 0.33 * 3 is 0.99, the total 0.999 shows as 1
        ([1.004, 2.004], False),  # 1 + 2, the total 3.008 shows as 3.01
        ([0.1, 0.2], True),
        ([1.25, 2.5], True),
        ([1.001, 1.001], True),
    ],
)
def test_adds_up(figures: list[float], expected: bool) -> None:
    assert adds_up(figures) is expected


def bar_lengths(text: str) -> list[int]:
    return [
        line.count("█") + line.count("░")
        for line in text.splitlines()
        if "█" in line or "░" in line
    ]


def test_bars_start_at_zero_even_for_large_close_values() -> None:
    chart = bar_chart("t", ["a", "b", "c"], [1000, 1001, 2002], ["", "", ""], width=60)
    lengths = bar_lengths(plain(chart, 60))
    assert lengths[2] == 60 - 1 - 5 - 2  # the widest fills the room beside the label
    assert lengths[0] == lengths[1] == round(1000 / 2002 * lengths[2])


def test_a_negative_value_gets_a_shaded_bar_measured_from_zero() -> None:
    text = plain(bar_chart("t", ["a", "b"], [-5, 10], ["", ""], width=40), 40)
    a, b = bar_lengths(text)
    assert a == round(5 / 10 * b) and "░" * a in text


def test_a_missing_value_shows_its_status() -> None:
    text = plain(bar_chart("t", ["a", "b"], [None, 10], ["infeasible", ""], width=40), 40)
    assert "a infeasible" in text


def plain(renderable: object, width: int) -> str:
    console = Console(width=width, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def points() -> list:
    from defplan.analysis.sweep import sweep

    portfolio = parse_portfolio(SMALL, filename="small.yaml")
    return sweep(portfolio, budgets=[60, 20, 100], options=SolveOptions(), file="small.yaml")


def test_sweep_shows_the_first_selection_and_one_marginal_unit(points: list) -> None:
    text = "".join(plain(part, 120) for part in sweep_renderables(points, width=120))
    assert "see optimise" not in text
    assert cells(line_with(text, "│     60 │"))[-1] == "+ bravo"  # the first portfolio ...
    assert "+ delta" in text.split("│     20 │")[0]  # ... enters whole: bravo and delta
    assert "Marginal per" in text and "1,000" in text
    marginal = cells(line_with(text, "│    100 │"))[4]
    rows = list(csv.DictReader(io.StringIO(sweep_csv(points))))
    assert float(marginal) == float(rows[2]["marginal_per_1000"]) == 162.5
    assert VALUE_LEGEND in " ".join(text.split())


def test_frontier_uses_labels_and_lists_adds_and_drops() -> None:
    from defplan.analysis.frontier import Frontier, FrontierPoint
    from defplan.render.frontier import frontier_csv, frontier_renderables

    found = Frontier(
        "a",
        "b",
        (
            FrontierPoint({"a": 1001.5, "b": 1000}, 100, ("alpha", "bravo", "charlie")),
            FrontierPoint({"a": 1000, "b": 1002}, 60, ("bravo", "charlie", "echo")),
        ),
        cut=False,
    )
    labels = {"a": "Air defence", "b": "Border security"}
    table, chart = frontier_renderables(found, unit="M EUR", labels=labels, width=120)
    text = plain(table, 120)
    assert "Air defence" in line_with(text, "#", "Border security")
    assert [c for c in cells(line_with(text, "1,001.5"))][-1] == "+ alpha"
    second = text.split("│ 2 │")[1]
    assert "+ echo" in second and "- alpha" in second
    lengths = bar_lengths(plain(chart, 120))
    assert lengths[0] == round(1000 / 1002 * lengths[1])  # from zero: nearly equal
    rows = list(csv.DictReader(io.StringIO(frontier_csv(found))))
    assert list(rows[0]) == [
        *("point", "total_a", "total_b", "cost", "candidates"),
        *("selected", "added", "dropped"),
    ]
    assert [(r["added"], r["dropped"]) for r in rows] == [
        ("alpha bravo charlie", ""),
        ("echo", "alpha"),
    ]
    assert rows[1]["total_a"] == "1000" and rows[0]["total_a"] == "1001.5"


def test_robust_csv_has_a_row_per_candidate() -> None:
    from defplan.analysis.robust import robust
    from defplan.render.robust import robust_csv, robust_renderables

    found = robust(parse_portfolio(SMALL), options=SolveOptions(), samples=6, spread=0.9)
    rows = list(csv.DictReader(io.StringIO(robust_csv(found))))
    assert list(rows[0]) == [
        *("id", "name", "group", "share", "samples_in", "class", "selected", "cost", "value")
    ]
    assert [r["id"] for r in rows] == list(found.ids)
    for row in rows:
        assert float(row["share"]) == found.shares[row["id"]]
        assert int(row["samples_in"]) == round(found.shares[row["id"]] * 6)
        kind = {"core": found.core, "borderline": found.borderline, "exterior": found.exterior}
        assert row["id"] in kind[row["class"]]
        assert (row["selected"] == "true") == (row["id"] in found.base.selected_ids)
    text = "".join(plain(p, 100) for p in robust_renderables(found, width=100))
    assert VALUE_LEGEND in " ".join(text.split())


def test_every_robust_column_has_a_header() -> None:
    """The bars' column says what they show (it was headed by nothing)."""
    from defplan.analysis.robust import robust
    from defplan.render.robust import robust_renderables

    found = robust(parse_portfolio(SMALL), options=SolveOptions(), samples=6, spread=0.9)
    text = "".join(plain(p, 100) for p in robust_renderables(found, width=100))
    header = next(line for line in text.splitlines() if "candidate" in line and "┃" in line)
    cells = [cell.strip() for cell in header.strip("┃ ").split("┃")]
    assert cells[:4] == ["candidate", "share", "share, 0 to 100%", "in the optimum"]


def test_value_is_explained_where_it_is_printed(small: Result) -> None:
    from dataclasses import replace

    from defplan.analysis.diff import Diff
    from defplan.render.alternatives import alternatives_table

    legend = VALUE_LEGEND
    assert legend in render(small).split("\n\n")[0]  # the headline
    both = Diff(solve(SMALL, budget=60), small)
    assert legend in " ".join(plain_all(diff_renderables(both, width=100)).split())
    with_alternatives = replace(small, alternatives=())
    assert legend in " ".join(plain(alternatives_table(with_alternatives), 100).split())


def plain_all(parts: list) -> str:
    return "".join(plain(part, 100) for part in parts)


def test_a_change_or_headroom_that_the_rounded_figures_do_not_make_says_so() -> None:
    from defplan.analysis.diff import Diff

    text = """\
years: [2026, 2026]
objectives:
  a: {weight: 1}
budget: {per_year: {2026: 40.004}}
candidates:
  - {id: p, cost: {2026: 1.004}, value: {a: 1}}
  - {id: q, cost: {2026: 29.002}, value: {a: 1}}
"""
    both = solve(text, name="odd.yaml")
    assert cells(line_with(render(both), "2026")) == ["2026", "30.01", "40", "10"]  # 40 - 30.01?
    assert ROUNDING_NOTE.split(";")[0] in render(both)
    one = solve(text, name="odd.yaml", exclude=("q",))
    shown = plain_all(diff_renderables(Diff(one, both), width=100))
    assert cells(line_with(shown, "Cost 2026"))[1:] == ["1", "30.01", "+29"]  # 30.01 - 1?
    assert ROUNDING_NOTE.split(";")[0] in shown
    exact = plain_all(diff_renderables(Diff(one, one), width=100))
    assert "rounded" not in exact and "rounded" not in render(one)


@pytest.mark.parametrize(
    ("x", "shown"),
    [
        (1.005, "1.01"),
        (3.015, "3.02"),
        (2.675, "2.68"),
        (-0.001, "0"),
        (13.799999999999999, "13.8"),
        (1234567.125, "1,234,567.13"),
        (-2.5, "-2.5"),
    ],
)
def test_amounts_are_rounded_as_written_not_as_binary_floats(x: float, shown: str) -> None:
    """1.005 is stored as 1.00499999999999989...: rounding the float would show 1."""
    assert amount(x) == shown
