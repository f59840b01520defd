"""Every table at every width: figures are never cut, lines never
run past the console, and a console too narrow for a table gets a list instead.

Each command's output is rendered from a portfolio with a 90-character id, long names
and labels and long figures (samples.WIDE) at 20, 40, 80 and 200 columns (and, with
hypothesis, at any width in between); the figures the answer holds must all appear
whole, as many times as the answer holds them.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Callable, Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console, RenderableType
from samples import LONG_ID, WIDE
from typer.testing import CliRunner

from defplan import SolveOptions, optimise, parse_portfolio
from defplan.analysis.alternatives import alternatives
from defplan.analysis.diff import Diff
from defplan.analysis.explain import explain
from defplan.analysis.frontier import frontier
from defplan.analysis.robust import robust
from defplan.analysis.sweep import sweep
from defplan.cli import app
from defplan.model import Portfolio
from defplan.render.alternatives import alternatives_table
from defplan.render.console import make_console
from defplan.render.diff import diff_renderables
from defplan.render.explain import explain_renderables
from defplan.render.figures import amount, per_1000
from defplan.render.frontier import frontier_renderables
from defplan.render.layout import Col, Kind, console_width, fitted
from defplan.render.report import result_renderables
from defplan.render.robust import robust_renderables
from defplan.render.sweep import sweep_renderables
from defplan.render.validation import validation_renderables
from defplan.result import Result

WIDTHS = (20, 40, 80, 200)
FIGURE = re.compile(r"(?<![\w.,])[-+]?(\d+(?:,\d{3})*(?:\.\d+)?)(?!\w|[.,]\d)")
"""A figure as printed, its sign left out: '1,234.5' in '(1,234.5 M EUR)'."""

Render = Callable[[int], list[RenderableType]]


def shown(parts: Iterable[RenderableType], width: int) -> str:
    """The parts as the CLI prints them on a plain console `width` columns wide."""
    console = Console(width=width, file=io.StringIO(), color_system=None)
    for part in parts:
        console.print(part)
    return console.file.getvalue()  # type: ignore[attr-defined]


def assert_figures_whole(text: str, figures: Iterable[str], width: int) -> None:
    """Every figure appears whole (as often as listed), no line passes `width`, and
    nothing that touches an ellipsis is a figure."""
    found = Counter(FIGURE.findall(text))
    wanted = Counter(f.lstrip("+-") for f in figures)
    missing = {f: n - found[f] for f, n in wanted.items() if found[f] < n}
    assert not missing, f"figures cut or missing at width {width}: {missing}\n{text}"
    long = [line for line in text.splitlines() if len(line) > width]
    assert not long, f"lines wider than {width}:\n" + "\n".join(long)
    assert not re.search(r"\d…|…\d", text), text


@pytest.fixture(scope="module")
def portfolio() -> Portfolio:
    return parse_portfolio(WIDE, filename="wide.yaml")


@pytest.fixture(scope="module")
def result(portfolio: Portfolio) -> Result:
    found = optimise(portfolio, options=SolveOptions(), file="wide.yaml", data=WIDE.encode())
    assert found.selected and len(found.selected) < len(found.candidates)
    assert LONG_ID in found.selected_ids
    return found


def result_figures(result: Result) -> list[str]:
    """The figures the optimise report holds: headline, selection, years, objectives,
    commitments, groups and the candidates below the line."""
    figures = [amount(result.value), amount(result.cost_total), amount(result.budget_total)]
    for c in result.candidates:
        figures += [amount(c.cost), amount(c.value)]
    figures += [amount(v) for v in result.cost_per_year.values()]
    figures += [amount(v) for v in result.budget_per_year.values()]
    figures += [amount(v) for v in result.objectives.values()]
    for commitment in result.commitments.values():
        figures += [amount(commitment.target), amount(commitment.achieved)]
    figures += [amount(v) for v in result.groups.values()]
    figures += [per_1000(c.value / c.cost) for c in result.candidates if not c.selected]
    return figures


@pytest.mark.parametrize("width", WIDTHS)
def test_optimise(result: Result, width: int) -> None:
    text = shown(result_renderables(result, width=width), width)
    assert_figures_whole(text, result_figures(result), width)
    if width >= 80:  # room for a table: the long id is cut, not the columns dropped
        assert re.search(r"┃\s+Cost ┃\s+Value ┃", text), text
        assert LONG_ID[:12] in text


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.integers(min_value=20, max_value=240))
def test_optimise_at_any_width(result: Result, width: int) -> None:
    text = shown(result_renderables(result, width=width), width)
    assert_figures_whole(text, result_figures(result), width)


@pytest.mark.parametrize("width", WIDTHS)
def test_validate(portfolio: Portfolio, width: int) -> None:
    text = shown(validation_renderables(portfolio, "wide.yaml", width=width), width)
    per_year: dict[int, float] = {}
    for c in portfolio.candidates:
        for year, cost in c.profile.items():
            per_year[year] = per_year.get(year, 0.0) + cost
    figures = [amount(v) for v in per_year.values()]
    figures += [amount(com.target) for com in portfolio.commitments.values()]
    figures += [amount(sum(c.total_cost for c in portfolio.candidates))]
    figures += [amount(sum(c.total_cost for c in portfolio.candidates if not c.profile))]
    assert_figures_whole(text, figures, width)


@pytest.fixture(scope="module")
def points(portfolio: Portfolio) -> list:
    budgets = [0, 2_222_222.25, 2_500_000, 3_500_000.5]
    return sweep(portfolio, budgets=budgets, options=SolveOptions(), file="wide.yaml")


@pytest.mark.parametrize("width", WIDTHS)
def test_sweep(points: list, width: int) -> None:
    text = shown(sweep_renderables(points, width=width), width)
    figures = []
    for p in points:
        figures.append(amount(p.budget))  # in the table
        if p.result.status.has_portfolio:
            figures += [amount(p.result.value)] * 2  # in the table and the chart
            figures.append(amount(p.result.cost_total))
        if p.marginal is not None:
            figures.append(per_1000(p.marginal))
    assert_figures_whole(text, figures, width)
    if width == 200:
        assert f"+ {LONG_ID}" in text  # the first portfolio lists its selection


@pytest.mark.parametrize("width", WIDTHS)
def test_diff(portfolio: Portfolio, width: int) -> None:
    sides = [
        optimise(portfolio, options=SolveOptions(budget=b), file="wide.yaml")
        for b in (2_500_000, 3_000_000)
    ]
    comparison = Diff(*sides)
    assert comparison.added and comparison.dropped
    text = shown(diff_renderables(comparison, width=width), width)
    figures = []
    for side in sides:
        figures += [amount(side.value), amount(side.cost_total)]
        figures += [amount(v) for v in side.objectives.values()]
    for cid in (*comparison.added, *comparison.dropped):
        c = comparison.candidate(cid)
        figures += [amount(c.cost), amount(c.value)]
    assert_figures_whole(text, figures, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_explain(portfolio: Portfolio, width: int) -> None:
    found = explain(portfolio, "seabed-sensor-network", options=SolveOptions())
    text = shown(explain_renderables(found), width)
    figures = [
        amount(x) for x in (found.optimum, found.forced_value, found.regret) if x is not None
    ]
    figures.append(amount(found.entry_budget))
    assert_figures_whole(text, figures, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_frontier(portfolio: Portfolio, width: int) -> None:
    found = frontier(portfolio, x="national", y="flow", options=SolveOptions(budget=4_900_000))
    assert len(found.points) > 1
    labels = {k: o.label or k for k, o in portfolio.objectives.items()}
    parts = frontier_renderables(found, unit="M EUR", labels=labels, width=width)
    text = shown(parts, width)
    figures = []
    for point in found.points:
        figures += [amount(point.objectives["national"])] * 2  # table and chart
        figures += [amount(point.objectives["flow"])] * 2
        figures.append(amount(point.cost))
    assert_figures_whole(text, figures, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_robust(portfolio: Portfolio, width: int) -> None:
    found = robust(portfolio, options=SolveOptions(), samples=12, spread=0.6)
    text = shown(robust_renderables(found, width=width), width)
    shares = [round(100 * s) for s in found.shares.values()]
    assert_figures_whole(
        text, [str(min(max(s, 1), 99)) if 0 < s < 100 else str(s) for s in shares], width
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_alternatives(portfolio: Portfolio, result: Result, width: int) -> None:
    from dataclasses import replace

    found, _ = alternatives(portfolio, result, options=SolveOptions(), count=3)
    assert found
    text = shown(
        [alternatives_table(replace(result, alternatives=found), width=width)],
        width,
    )
    figures = [amount(result.value), amount(result.cost_total)]
    for alt in found:
        figures += [amount(alt.value), amount(alt.cost)]
    assert_figures_whole(text, figures, width)


# -- the layout itself --------------------------------------------------------------------


def test_a_table_that_fits_is_drawn_as_it_is() -> None:
    columns = [Col("Candidate", Kind.KEY), Col("Cost", Kind.FIGURE)]
    text = shown([fitted("t", columns, [["alpha", "1,250"]], width=80)], 80)
    assert "│ alpha     │ 1,250 │" in text


def test_ids_are_cut_with_an_ellipsis_but_stay_useful() -> None:
    columns = [Col("Candidate", Kind.KEY), Col("Cost", Kind.FIGURE)]
    rows = [["a" * 90, "1,234,567.25"]]
    text = shown([fitted("t", columns, rows, width=40)], 40)
    cut = re.search(r"(a+)…", text)
    assert cut is not None and len(cut.group(1)) >= 11, text
    assert "1,234,567.25" in text


def test_names_give_way_before_ids_do() -> None:
    """An id cut short can no longer be typed into `explain`: names shrink first."""
    columns = [Col("Candidate", Kind.KEY), Col("Name"), Col("Cost", Kind.FIGURE)]
    rows = [["civil-military-resilience", "Regional civil-military resilience " * 3, "320"]]
    text = shown([fitted("t", columns, rows, width=60)], 60)
    assert "│ civil-military-resilience │" in text, text
    assert "Regional" in text and "…" in text  # the name, cut


def test_optional_columns_drop_out_before_the_list_layout() -> None:
    columns = [
        Col("Candidate", Kind.KEY),
        Col("Name", drop=1),
        Col("Cost", Kind.FIGURE),
    ]
    rows = [["alpha", "A very long name " * 5, "1,234,567.25"]]
    text = shown([fitted("t", columns, rows, width=35)], 35)
    assert "Name" not in text and "┃ Candidate" in text and "1,234,567.25" in text


def test_the_list_layout_names_each_figure() -> None:
    columns = [Col("Candidate", Kind.KEY), Col("Cost", Kind.FIGURE), Col("Value", Kind.FIGURE)]
    rows = [["alpha", "1,234,567.25", "3.5"]]
    text = shown([fitted("Title", columns, rows, width=20)], 20)
    assert text.splitlines()[0] == "Title"
    assert " ".join(text.split()) == "Title alpha: cost 1,234,567.25, value 3.5"


@pytest.mark.parametrize(
    ("columns", "width"),
    [("0", 80), ("00", 80), ("5", 5), ("120", 120), ("abc", None), ("-3", None), ("", None)],
)
def test_console_width_from_columns(columns: str, width: int | None) -> None:
    assert console_width({"COLUMNS": columns}) == width


def test_a_console_is_never_narrower_than_twenty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "5")
    assert make_console(file=io.StringIO()).width == 20
    monkeypatch.setenv("COLUMNS", "0")
    assert make_console(file=io.StringIO()).width == 80
    monkeypatch.setenv("COLUMNS", "99999999")
    assert make_console(file=io.StringIO()).width == 1000


@pytest.mark.parametrize("columns", ["0", "5", "nonsense"])
def test_the_cli_prints_its_tables_whatever_columns_says(columns: str, tmp_path) -> None:
    path = tmp_path / "wide.yaml"
    path.write_text(WIDE, encoding="utf-8")
    result = CliRunner().invoke(app, ["optimise", str(path)], env={"COLUMNS": columns})
    assert result.exit_code == 0, result.output
    assert "Selected, by group" in result.stdout
    assert "1,999,999.75" in result.stdout  # the long id's cost, whole
