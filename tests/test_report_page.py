"""`defplan report --output PAGE.html`: the briefing's content checked against the
optimise JSON and against independent computations (brute force over the candidates,
the file's own relations), the page's tables read back and summed as printed, and the
command's usage errors, exit codes and atomic writing.

The examples: the tutorial (plain costs and one cap), the Dutch example (planning in
time, lines, an economy) and the frame example (GDP shares)."""

from __future__ import annotations

import itertools
import json
import math
import re
import sys
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from samples import TRACEBACK, invoke

from defplan import SolveOptions, optimise, parse_portfolio
from defplan.analysis.briefing import FALLBACK, Briefing, briefing
from defplan.errors import ExitCode
from defplan.render.page import adding_up

ROOT = Path(__file__).parent.parent
EXAMPLES = ["tutorial.yaml", "netherlands-2026.yaml", "frame-example.yaml"]


class Tables(HTMLParser):
    """Each <table>'s rows of cell texts and row classes, by the id of the <h2> before it;
    the headline figures by their id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[tuple[str, list[str]]]] = {}
        self.headline: dict[str, str] = {}
        self.section = ""
        self.row: list[str] | None = None
        self.row_class = ""
        self.cell: list[str] | None = None
        self.box: str | None = None
        self.bold: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "h2":
            self.section = a.get("id") or ""
        elif tag == "tr":
            self.row, self.row_class = [], a.get("class") or ""
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "div" and (a.get("id") or "").startswith("headline-"):
            self.box = a["id"]
        elif tag == "b" and self.box:
            self.bold = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables.setdefault(self.section, []).append((self.row_class, self.row))
            self.row = None
        elif tag == "b" and self.box and self.bold is not None:
            self.headline[self.box] = "".join(self.bold)
            self.bold, self.box = None, None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
        if self.bold is not None:
            self.bold.append(data)


def tables_of(html: str) -> Tables:
    parser = Tables()
    parser.feed(html)
    return parser


def figure(text: str) -> Decimal:
    """A printed figure as the reader sees it."""
    return Decimal(text.replace(",", ""))


def report(tmp_path: Path, name: str, *args: str, suffix: str = ".html") -> tuple[Any, Path]:
    target = tmp_path / f"{Path(name).stem}{suffix}"
    result = invoke("report", ROOT / "portfolios" / name, "--output", target, *args)
    return result, target


def optimise_json(name: str, *args: str) -> dict[str, Any]:
    result = invoke("optimise", ROOT / "portfolios" / name, "--format", "json", *args)
    return json.loads(result.stdout)


def briefing_of(name: str, **changes: Any) -> tuple[Briefing, Any]:
    path = ROOT / "portfolios" / name
    data = path.read_bytes()
    portfolio = parse_portfolio(data, filename=str(path))
    result = optimise(portfolio, options=SolveOptions(**changes), file=str(path), data=data)
    return briefing(result, portfolio), portfolio


@pytest.fixture(scope="module", params=EXAMPLES)
def example(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """An example's page (written by the command), its tables and its optimise JSON."""
    name = request.param
    result, target = report(tmp_path_factory.mktemp("page"), name)
    assert result.exit_code == ExitCode.OK, result.output
    html = target.read_text(encoding="utf-8")
    return name, html, tables_of(html), optimise_json(name)


def test_headline_numbers_are_the_optimise_json(example: Any) -> None:
    _, _, page, found = example
    shown = list(page.headline.values())
    assert shown[0] == found["status"]
    assert figure(shown[1]) == round(Decimal(repr(found["value"])), 2)
    assert figure(shown[2]) == round(Decimal(repr(found["cost"]["total"])), 2)
    if found["budget"]["total"]:
        used = 100 * found["cost"]["total"] / found["budget"]["total"]
        assert shown[3] == f"{used:.1f}%"
    count = f"{len(found['selected'])} of {len(found['candidates'])}"
    assert count in shown


def test_every_candidate_appears_once_selected_or_left_with_a_reason(example: Any) -> None:
    _, _, page, found = example
    selected = [row[0] for cls, row in page.tables["selection"][1:] if cls == ""]
    below = [row for _, row in page.tables.get("below", [])[1:]]
    assert sorted(selected) == sorted(c["id"] for c in found["selected"])
    assert sorted(selected + [row[0] for row in below]) == sorted(
        c["id"] for c in found["candidates"]
    )
    assert all(row[-1] for row in below)  # a reason for each


def test_rounded_rows_add_up_to_the_printed_totals(example: Any) -> None:
    """The selection: candidates to their group, groups to the total (costs and values);
    the spending tables: each column's years to its total row."""
    _, _, page, _ = example
    rows = page.tables["selection"][1:]
    for column in (3, 4):
        groups, members, total = [], [], None
        for cls, row in rows:
            if cls == "group":
                groups.append((figure(row[column]), []))
            elif cls == "total":
                total = figure(row[column])
            else:
                groups[-1][1].append(figure(row[column]))
        for subtotal, parts in groups:
            assert sum(parts, Decimal(0)) == subtotal
        members.extend(s for s, _ in groups)
        assert sum(members, Decimal(0)) == total
    spending = page.tables.get("spending", [])
    tables, current = [], []
    for cls, row in spending:
        if row[0] == "Year":
            current = []
            tables.append(current)
        else:
            current.append((cls, row))
    for table in tables:
        *years, (cls, last) = table
        assert cls == "total"
        for k, cell in enumerate(last[1:], start=1):
            if cell:
                assert sum((figure(r[k]) for _, r in years), Decimal(0)) == figure(cell)


def test_spending_per_year_is_the_results(example: Any) -> None:
    """Each line's chart stacks to the JSON's spending on that line in every year."""
    name, _, _, found = example
    b, _ = briefing_of(name)
    lines = {s.key: s for s in b.spending}
    for line, years in found.get("spend", {}).items():
        for year, money in years.items():
            assert math.isclose(lines[line].total(int(year)), money, abs_tol=1e-6)
    if "spend" not in found:  # no plan in time: the cost per year
        for year, money in found["cost"]["per_year"].items():
            assert math.isclose(lines["budget"].total(int(year)), money, abs_tol=1e-6)


def test_the_gdp_charts_stack_the_files_baseline_under_the_selection() -> None:
    """The Dutch example: committed spending is the file's economy.baseline, and the
    pledge each year is the share path (interpolated between its years) times GDP."""
    import yaml

    b, _ = briefing_of("netherlands-2026.yaml")
    raw = yaml.safe_load((ROOT / "portfolios" / "netherlands-2026.yaml").read_text("utf-8"))
    economy, path = raw["economy"], raw["budget"]["gdp_share"]
    core = next(s for s in b.spending if s.key == "gdp-core")
    assert dict(core.parts)["committed"] == {y: economy["baseline"][y] for y in core.years}
    given = sorted(path.items())
    for year, cap in core.caps.items():
        (a, sa), (z, sz) = next(
            (p, q) for p, q in itertools.pairwise(given) if p[0] <= year <= q[0]
        )
        share = sa + (sz - sa) * (year - a) / (z - a)
        assert math.isclose(cap, share * economy["gdp"][year], rel_tol=1e-9)


def test_seed_without_samples_is_a_usage_error(small_file: Path, tmp_path: Path) -> None:
    result = invoke("report", small_file, "--output", tmp_path / "r.html", "--seed", "4")
    assert result.exit_code == ExitCode.USAGE and "--samples" in result.stderr


def test_the_frontier_is_exactly_the_non_dominated_candidates(example: Any) -> None:
    name, _, _, found = example
    b, _ = briefing_of(name)
    everyone = found["candidates"]

    def dominated(c: dict[str, Any]) -> bool:
        return any(
            d["cost"] <= c["cost"]
            and d["value"] >= c["value"]
            and (d["cost"] < c["cost"] or d["value"] > c["value"])
            for d in everyone
        )

    assert {e.id for e in b.entries if e.on_frontier} == {
        c["id"] for c in everyone if not dominated(c)
    }


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_reason_is_true_of_the_file(name: str) -> None:
    """Re-derive each reason from the file and the selection."""
    b, portfolio = briefing_of(name)
    given_ = {c.id: c for c in portfolio.candidates}
    chosen = {e.id for e in b.selected}
    spent = math.fsum(e.outcome.cost for e in b.selected)
    value = math.fsum(e.outcome.value for e in b.selected)
    for e in b.left_out:
        c, reason = given_[e.id], e.reason or ""
        if m := re.fullmatch(r"excludes (\S+), which is selected", reason):
            assert m[1] in chosen and m[1] in c.excludes
        elif m := re.fullmatch(r"excluded by (\S+), which is selected", reason):
            assert m[1] in chosen and e.id in given_[m[1]].excludes
        elif m := re.fullmatch(r"needs (\S+), which is not selected", reason):
            assert m[1] not in chosen and m[1] in c.requires + c.after
        elif reason.startswith("a rule allows"):
            rule = next(r for r in portfolio.rules if e.id in r.of)
            most = rule.exactly if rule.exactly is not None else rule.at_most
            assert sum(i in chosen for i in rule.of) == most
        elif reason.startswith("costs "):
            assert b.result.budget_total is not None
            assert e.outcome.cost > b.result.budget_total - spent
        elif reason.startswith("less value for its money"):
            assert e.outcome.value / e.outcome.cost < value / spent
        else:
            assert reason == FALLBACK, reason


def test_a_rule_already_full_and_a_need_not_selected_are_named(write_portfolio: Any) -> None:
    path = write_portfolio(
        """\
objectives: {a: {weight: 1}}
budget: {total: 100}
rules: [{at_most: 1, of: [x, y]}]
candidates:
  - {id: x, cost: 10, value: {a: 5}}
  - {id: y, cost: 10, value: {a: 4}}
  - {id: z, cost: 10, value: {a: 0.5}, requires: [y]}
  - {id: w, cost: 95, value: {a: 2}}
  - {id: v, cost: 5, value: {a: 0}}
"""
    )
    data = path.read_bytes()
    portfolio = parse_portfolio(data)
    b = briefing(optimise(portfolio), portfolio)
    reasons = {e.id: e.reason for e in b.left_out}
    # x alone (5) beats y and z (4.5) and w (2); w costs 95 where 100 - 10 = 90 is left
    assert reasons["y"] == "a rule allows 1 of 2 (x, y): full"
    assert reasons["z"] == "needs y, which is not selected"
    assert reasons["w"] == "costs 95, more than the 90 left in the budget"
    assert reasons["v"] == "adds no value"


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=30))
def test_largest_remainder_parts_add_up_to_the_rounded_total(values: list[float]) -> None:
    parts, total = adding_up(values)
    assert sum(parts, Decimal(0)) == total
    exact = sum((Decimal(repr(v)) for v in values), Decimal(0))
    assert abs(total - exact) <= Decimal("0.005")
    for part, v in zip(parts, values, strict=True):
        assert abs(part - Decimal(repr(v))) < Decimal("0.01")


def test_the_page_fetches_nothing(example: Any) -> None:
    _, html, _, _ = example
    assert "<script" not in html and "<link" not in html
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)""", html)
    refs += re.findall(r"url\(\s*['\"]?([^)'\"]*)", html)
    assert all(r.startswith("#") for r in refs), refs
    assert "http:" not in html and "https:" not in html


def test_sweep_and_samples_appear_only_when_asked(tmp_path: Path) -> None:
    result, target = report(tmp_path, "tutorial.yaml")
    plain = target.read_text(encoding="utf-8")
    assert 'id="sweep"' not in plain and 'id="robust"' not in plain
    result, target = report(tmp_path, "tutorial.yaml", "--sweep", "600:900:100", "--samples", "5")
    assert result.exit_code == ExitCode.OK, result.output
    page = tables_of(target.read_text(encoding="utf-8"))
    budgets = [row[0] for _, row in page.tables["sweep"][1:]]
    assert budgets == ["600", "700", "800", "900"]
    robust = page.tables["robust"][1:]
    assert len(robust) == 8  # every candidate of the tutorial
    assert {row[3] for _, row in robust} <= {"core", "borderline", "exterior"}


INFEASIBLE = """\
objectives: {a: {weight: 1}}
budget: {total: 10}
candidates:
  - {id: big, cost: 50, value: {a: 1}, mandatory: true}
  - {id: small, cost: 5, value: {a: 1}}
"""


def test_an_infeasible_run_exits_3_and_still_writes_the_report(
    write_portfolio: Any, tmp_path: Path
) -> None:
    path = write_portfolio(INFEASIBLE)
    target = tmp_path / "r.html"
    result = invoke("report", path, "--output", target)
    assert result.exit_code == ExitCode.INFEASIBLE, result.output
    html = target.read_text(encoding="utf-8")
    page = tables_of(html)
    assert list(page.headline.values()) == ["infeasible"]
    assert 'id="infeasible"' in html and "big" in html
    assert "infeasible" in result.stderr


def test_a_suffix_other_than_html_or_xlsx_is_a_usage_error(
    small_file: Path, tmp_path: Path
) -> None:
    target = tmp_path / "r.pdf"
    result = invoke("report", small_file, "--output", target)
    assert result.exit_code == ExitCode.USAGE
    assert ".html" in result.stderr and ".xlsx" in result.stderr
    assert TRACEBACK not in result.output and not target.exists()


def test_xlsx_without_openpyxl_says_what_to_install(
    small_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # `import openpyxl` now fails
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"before")
    result = invoke("report", small_file, "--output", target)
    assert result.exit_code == ExitCode.USAGE
    assert "defplan[excel]" in result.stderr
    assert target.read_bytes() == b"before"  # untouched


def test_the_page_needs_no_openpyxl(
    small_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    result = invoke("report", small_file, "--output", tmp_path / "r.html")
    assert result.exit_code == ExitCode.OK, result.output


@pytest.mark.parametrize(
    "args",
    [["--sweep", "nine"], ["--samples", "0"], ["--budget", "x"]],
)
def test_an_existing_report_is_untouched_on_a_usage_error(
    small_file: Path, tmp_path: Path, args: list[str]
) -> None:
    target = tmp_path / "r.html"
    target.write_text("before", encoding="utf-8")
    result = invoke("report", small_file, "--output", target, *args)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert target.read_text(encoding="utf-8") == "before"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "small.yaml"]  # no temp file


def test_a_bad_file_leaves_the_report_untouched(write_portfolio: Any, tmp_path: Path) -> None:
    path = write_portfolio("objectives: {a: {}}\ncandidates: []\n")
    target = tmp_path / "r.html"
    target.write_text("before", encoding="utf-8")
    result = invoke("report", path, "--output", target)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert target.read_text(encoding="utf-8") == "before"


def test_text_from_the_file_is_escaped(write_portfolio: Any, tmp_path: Path) -> None:
    """Names, groups and labels are the file's text: shown, never markup."""
    path = write_portfolio(
        """\
name: "<script>alert(1)</script>"
objectives: {a: {weight: 1, label: "<img src=x>"}}
commitments: {c: {target: 1, label: "<a href='https://x'>c</a>"}}
budget: {total: 10}
candidates:
  - {id: one, name: "<b onload=x>", group: "<link rel=x>", cost: 5, value: {a: 1},
     commitments: {c: 1}}
  - {id: two, name: "</table>", cost: 50, value: {a: 1}}
"""
    )
    target = tmp_path / "r.html"
    result = invoke("report", path, "--output", target)
    assert result.exit_code == ExitCode.OK, result.output
    html = target.read_text(encoding="utf-8")
    for markup in ("<script", "<img", "<a href", "<b onload", "<link", "</table>\n"):
        assert markup not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;a href=&#x27;https://x&#x27;&gt;c&lt;/a&gt;" in html  # text, not a link


def test_start_up_imports_no_report_module() -> None:
    import subprocess

    code = (
        "import sys, defplan.cli, defplan; defplan.__version__; "
        "print(','.join(m for m in ('openpyxl', 'defplan.render.page', 'defplan.render.svg', "
        "'defplan.analysis.briefing') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_a_frontier_label_at_the_right_edge_is_written_leftwards() -> None:
    # the dearest candidate sits at the right end of the axis: its label, written to
    # the right as the others are, would run off the picture
    from defplan.render.svg import WIDTH, Dot, value_for_money

    dots = [Dot("cheap", 10, 1, True, True), Dot("the-dearest-candidate", 400, 9, False, True)]
    picture = value_for_money("Value for money", "M EUR", dots)
    found = re.findall(r'<text x="([0-9.]+)"[^>]*>(cheap|the-dearest-candidate)<', picture)
    placed = {name: float(x) for x, name in found}
    assert set(placed) == {"cheap", "the-dearest-candidate"}
    assert 'text-anchor="end" font-size="10" fill="#222222">the-dearest-candidate' in picture
    assert placed["the-dearest-candidate"] <= WIDTH
    assert 'text-anchor="end" font-size="10" fill="#222222">cheap' not in picture
