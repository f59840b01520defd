"""`defplan sweep` as docs/commands.md and docs/json.md give it: budget series, marginal
value, workers, outputs, --plot.

SMALL (samples.py) is worked out by hand there; its best portfolios at the budgets used
here (the file's 2027 cap of 40 always applies):
    20   infeasible (the hard NATO target needs alpha, or bravo + delta: at least 50)
    50   alpha                     value 7 - 2 (EU 4 short x 0.5)           = 5
    60   bravo, delta              value 8.5 - 1.5 (EU 3 short)             = 7
    80   bravo, charlie, delta     value 11.5 - 0.5 (EU 1 short)            = 11
    100  alpha, bravo, charlie     value 14 - 0.5                           = 13.5
"""

from __future__ import annotations

import csv
import io
import json
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from samples import (
    RESULT_KEYS,
    SMALL,
    TRACEBACK,
    WARM_START_TRAP,
    generated,
    invoke,
    pool_sizes,
    timings_zeroed,
    without_timings,
)

from defplan.analysis.sweep import MAX_POINTS, SweepPoint, parse_budgets, sweep
from defplan.errors import ExitCode, UsageError
from defplan.formulation import SolveOptions
from defplan.loading import parse_portfolio
from defplan.render.documents import document_of
from defplan.result import Result, Status
from defplan.solving import optimise

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_ROOT = "{http://www.w3.org/2000/svg}svg"


def sweep_json(*args: str | Path, code: int = ExitCode.OK) -> dict[str, Any]:
    """`sweep ... --format json`, the exit code checked, stdout parsed."""
    result = invoke("sweep", *args, "--format", "json")
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


GENERATED = generated()
# Asked for out of order, with infeasible budgets (0, 50 and 100 cannot reach the NATO
# target) in the middle of the series, so warm starts cross infeasible points and run
# downhill as well as up.
GENERATED_BUDGETS = [900, 50, 400, 1200, 0, 100, 3000, 600]


def independent(
    text: str, budgets: Sequence[float], *, file: str = "p.yaml"
) -> tuple[list[SweepPoint], list[Result]]:
    """The sweep of text at budgets, and one fresh optimise run per budget."""
    portfolio = parse_portfolio(text, filename=file)
    data = text.encode()
    points = sweep(portfolio, budgets=budgets, options=SolveOptions(), file=file, data=data)
    alone = [
        optimise(portfolio, options=SolveOptions(budget=b), file=file, data=data) for b in budgets
    ]
    return points, alone


def assert_points_match(
    points: list[SweepPoint], alone: list[Result], budgets: Sequence[float]
) -> None:
    assert [p.budget for p in points] == list(budgets)  # the order asked for
    for p, r in zip(points, alone, strict=True):
        at = f"budget {p.budget}"
        assert p.result.status is r.status, at
        assert p.result.selected_ids == r.selected_ids, at
        assert p.result.value == r.value, at
        assert p.result.budget_total == p.budget, at
        assert without_timings(document_of(p.result)) == without_timings(document_of(r)), at


# -- parse_budgets ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0:10:5", [0, 5, 10]),  # STOP reached: included
        ("0:10:3", [0, 3, 6, 9]),  # STOP not reached: not included
        ("5:5:1", [5]),
        ("100:400:100", [100, 200, 300, 400]),
        ("0.1:0.3:0.1", [0.1, 0.2, 0.3]),  # (0.3 - 0.1) / 0.1 is 1.9999999999999998
        ("1e3:3e3:1e3", [1000, 2000, 3000]),
        ("900,400,1200", [900, 400, 1200]),  # a list keeps its order
        ("100", [100]),
        (" 60 , 100 ", [60, 100]),
    ],
)
def test_parse_budgets(text: str, expected: list[float]) -> None:
    assert parse_budgets(text) == expected


def test_parse_budgets_float_step_gives_tidy_values() -> None:
    budgets = parse_budgets("0:1:0.1")
    assert len(budgets) == 11
    assert budgets == [
        0,
        0.1,
        0.2,
        0.3,
        0.4,
        0.5,
        0.6,
        0.7,
        0.8,
        0.9,
        1.0,
    ]  # not 0.30000000000000004
    assert [repr(b) for b in budgets][3] == "0.3"


def test_parse_budgets_allows_max_points() -> None:
    assert len(parse_budgets(f"1:{MAX_POINTS}:1")) == MAX_POINTS


BAD_BUDGETS = [
    "0:10:0",  # step 0
    "0:10:-1",  # negative step
    "10:0:1",  # stop < start
    "a:b:c",
    "1:2",  # not three parts
    "1:2:3:4",
    "a,b",
    "100,x",
    "abc",
    "",
    ",",
    "-1,5",  # negative budget
    "-10:10:5",  # a range starting below 0
    "nan,1",
    "inf",
    "1e309,5",
    "nan:10:1",
    f"0:{MAX_POINTS}:1",  # MAX_POINTS + 1 points
    "0:1e12:1",  # far too many points
    "0:inf:1",  # an endless range
    "0:1e300:1e-300",  # more points than a float can count
]


@pytest.mark.parametrize("text", BAD_BUDGETS)
def test_parse_budgets_rejects(text: str) -> None:
    with pytest.raises(UsageError):
        parse_budgets(text)


@pytest.mark.parametrize("text", ["0:10:0", "10:0:1", "a,b", "-1,5", "0:100000:1", "0:inf:1"])
def test_cli_bad_budgets_are_usage_errors(small_file: Path, text: str) -> None:
    result = invoke("sweep", small_file, f"--budget={text}")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "--budget" in result.stderr
    assert TRACEBACK not in result.output
    assert result.stdout == ""


def test_cli_sweep_needs_a_budget(small_file: Path) -> None:
    result = invoke("sweep", small_file)
    assert result.exit_code == ExitCode.USAGE, result.output


def test_cli_workers_must_be_positive(small_file: Path) -> None:
    result = invoke("sweep", small_file, "--budget", "60,100", "--workers", "0")
    assert result.exit_code == ExitCode.USAGE, result.output


# -- points equal independent optimise runs -----------------------------------------------


def test_small_points_equal_independent_runs() -> None:
    budgets = [100, 20, 50, 60, 80, 0, 120]
    points, alone = independent(SMALL, budgets)
    assert_points_match(points, alone, budgets)
    assert [p.result.status for p in points] == [
        Status.OPTIMAL,
        Status.INFEASIBLE,  # a row, and the sweep goes on
        Status.OPTIMAL,
        Status.OPTIMAL,
        Status.OPTIMAL,
        Status.INFEASIBLE,
        Status.OPTIMAL,
    ]
    assert [p.result.value for p in points] == [13.5, None, 5, 7, 11, None, 14]
    assert points[0].result.selected_ids == ("alpha", "bravo", "charlie")


def test_generated_points_equal_independent_runs() -> None:
    points, alone = independent(GENERATED, GENERATED_BUDGETS)
    assert_points_match(points, alone, GENERATED_BUDGETS)
    status = {p.budget: p.result.status for p in points}
    assert status[0] is status[50] is status[100] is Status.INFEASIBLE  # NATO target out of reach
    assert all(status[b] is Status.OPTIMAL for b in (400, 600, 900, 1200, 3000))
    values = {p.budget: p.result.value for p in points if p.result.value is not None}
    ordered = [values[b] for b in sorted(values)]
    assert ordered == sorted(ordered)  # more money never buys less
    assert all(p.result.cost_per_year for p in points if p.result.status.has_portfolio)
    for p in points:
        if p.result.status.has_portfolio:
            assert p.result.commitments["nato"].met
            assert p.result.cost_total <= p.budget
            assert all(v <= 400 for v in p.result.cost_per_year.values())


def test_sweep_order_is_the_order_asked_for() -> None:
    points, alone = independent(SMALL, [900, 40, 100, 60])
    assert [p.budget for p in points] == [900, 40, 100, 60]
    assert [p.result.budget_total for p in points] == [900, 40, 100, 60]
    assert [p.result.selected_ids for p in points] == [r.selected_ids for r in alone]


# -- marginal value, entered, left --------------------------------------------------------


def test_marginal_entered_left_by_hand() -> None:
    portfolio = parse_portfolio(SMALL, filename="small.yaml")
    points = sweep(portfolio, budgets=[60, 20, 100, 80, 80], options=SolveOptions())
    first, failed, hundred, eighty, again = points

    assert first.result.selected_ids == ("bravo", "delta")
    assert first.marginal is None  # no earlier point with a portfolio
    assert (first.entered, first.left) == ((), ())

    assert failed.result.status is Status.INFEASIBLE
    assert failed.marginal is None
    assert (failed.entered, failed.left) == ((), ())

    # against 60 (the previous point with a portfolio), not the infeasible 20
    assert hundred.result.selected_ids == ("alpha", "bravo", "charlie")
    assert hundred.marginal == pytest.approx((13.5 - 7) / (100 - 60))  # 0.1625
    assert hundred.entered == ("alpha", "charlie")  # file order
    assert hundred.left == ("delta",)

    # downhill: value falls by 2.5 as the budget falls by 20
    assert eighty.result.selected_ids == ("bravo", "charlie", "delta")
    assert eighty.marginal == pytest.approx((11 - 13.5) / (80 - 100))  # 0.125
    assert eighty.entered == ("delta",)
    assert eighty.left == ("alpha",)

    # the same budget twice: nothing changes and no marginal (no budget between them)
    assert again.marginal is None
    assert (again.entered, again.left) == ((), ())


def test_a_point_is_a_result_with_a_sweep_object() -> None:
    portfolio = parse_portfolio(SMALL, filename="small.yaml")
    point = sweep(portfolio, budgets=[60, 100], options=SolveOptions())[1]
    data = document_of(point)
    assert data["format"] == "defplan-result/1"
    assert data["sweep"] == {
        "budget": 100,
        "marginal": pytest.approx(0.1625),
        "entered": ["alpha", "charlie"],
        "left": ["delta"],
    }


# -- workers ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("generated") / "generated.yaml"
    path.write_text(GENERATED, encoding="utf-8")
    return path


def sweep_text(path: Path, workers: str) -> str:
    """`sweep PATH --budget GENERATED_BUDGETS --workers N --format json`: its stdout."""
    budgets = ",".join(str(b) for b in GENERATED_BUDGETS)
    result = invoke("sweep", path, "--budget", budgets, "--workers", workers, "--format", "json")
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def one_worker(generated_file: Path) -> str:
    return sweep_text(generated_file, "1")


@pytest.mark.parametrize("workers", [1, 2, 3])  # 1: the same run again
def test_workers_give_the_same_json(generated_file: Path, one_worker: str, workers: int) -> None:
    many = sweep_text(generated_file, str(workers))
    assert timings_zeroed(many) == timings_zeroed(one_worker)  # byte for byte
    points = json.loads(many)["points"]
    assert [p["sweep"]["budget"] for p in points] == GENERATED_BUDGETS


def test_more_workers_than_points(small_file: Path) -> None:
    one = sweep_json(small_file, "--budget", "60,20,100")
    many = sweep_json(small_file, "--budget", "60,20,100", "--workers", "5")
    assert without_timings(many) == without_timings(one)


# -- the command line ---------------------------------------------------------------------


def test_cli_json(small_file: Path) -> None:
    data = sweep_json(small_file, "--budget", "60,20,100")
    assert data["format"] == "defplan-sweep/1"
    points = data["points"]
    assert [p["sweep"]["budget"] for p in points] == [60, 20, 100]
    for p in points:
        assert p.keys() >= RESULT_KEYS
        assert p["format"] == "defplan-result/1"
        assert p["budget"]["total"] == p["sweep"]["budget"]
        assert p["budget"]["per_year"] == {"2027": 40}  # the file's cap still applies
        assert set(p["sweep"]) >= {"budget", "marginal", "entered", "left"}
    sixty, failed, hundred = points
    assert (sixty["status"], sixty["value"]) == ("optimal", 7)
    assert [s["id"] for s in sixty["selected"]] == ["bravo", "delta"]
    assert sixty["sweep"]["marginal"] is None
    assert (failed["status"], failed["value"], failed["selected"]) == ("infeasible", None, [])
    assert hundred["status"] == "optimal"
    assert hundred["value"] == pytest.approx(13.5)
    assert hundred["cost"]["total"] == 100
    assert hundred["sweep"]["marginal"] == pytest.approx(0.1625)
    assert (hundred["sweep"]["entered"], hundred["sweep"]["left"]) == (
        ["alpha", "charlie"],
        ["delta"],
    )


def test_cli_json_range(small_file: Path) -> None:
    data = sweep_json(small_file, "--budget", "0:100:50")
    assert [p["sweep"]["budget"] for p in data["points"]] == [0, 50, 100]
    assert [p["status"] for p in data["points"]] == ["infeasible", "optimal", "optimal"]
    assert [p["value"] for p in data["points"]] == [None, 5, 13.5]


def test_cli_reads_stdin(small_file: Path) -> None:
    from_file = sweep_json(small_file, "--budget", "60,100")
    result = invoke("sweep", "-", "--budget", "60,100", "--format", "json", input=SMALL)
    assert result.exit_code == ExitCode.OK, result.output
    from_stdin = json.loads(result.stdout)
    assert [p["selected"] for p in from_stdin["points"]] == [
        p["selected"] for p in from_file["points"]
    ]
    assert [p["value"] for p in from_stdin["points"]] == [7, 13.5]


def test_cli_csv(small_file: Path) -> None:
    result = invoke("sweep", small_file, "--budget", "60,20,100", "--format", "csv")
    assert result.exit_code == ExitCode.OK, result.output
    reader = csv.DictReader(io.StringIO(result.stdout))
    assert reader.fieldnames is not None
    assert reader.fieldnames == [
        "budget",
        "status",
        "value",
        "cost",
        "marginal_per_1000",
        "selected",
        "entered",
        "left",
    ]
    rows = list(reader)
    assert [r["budget"] for r in rows] == ["60", "20", "100"]
    assert [r["status"] for r in rows] == ["optimal", "infeasible", "optimal"]
    assert [r["value"] for r in rows] == ["7", "", "13.5"]
    assert [r["cost"] for r in rows] == ["55", "", "100"]
    assert rows[0]["marginal_per_1000"] == rows[1]["marginal_per_1000"] == ""
    assert float(rows[2]["marginal_per_1000"]) == pytest.approx(162.5)  # as the table shows
    assert [r["selected"].split() for r in rows] == [
        ["bravo", "delta"],
        [],
        ["alpha", "bravo", "charlie"],
    ]
    assert rows[2]["entered"].split() == ["alpha", "charlie"]
    assert rows[2]["left"].split() == ["delta"]


def test_cli_table(small_file: Path) -> None:
    result = invoke("sweep", small_file, "--budget", "0:100:20")
    assert result.exit_code == ExitCode.OK, result.output  # infeasible points still exit 0
    out = result.stdout
    assert "Value against budget" in out
    assert "infeasible" in out
    assert "13.5" in out
    assert "\x1b[" not in out  # no styling on a pipe
    for cid in ("alpha", "charlie", "delta"):
        assert cid in out  # who enters and leaves


def test_cli_all_infeasible_exits_0(small_file: Path) -> None:
    data = sweep_json(small_file, "--budget", "0,10,20")
    assert [p["status"] for p in data["points"]] == ["infeasible"] * 3
    table = invoke("sweep", small_file, "--budget", "0,10,20")
    assert table.exit_code == ExitCode.OK, table.output
    assert "Value against budget" in table.stdout


# -- --plot -------------------------------------------------------------------------------


def test_plot_svg(small_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "frontier.svg"
    data = sweep_json(small_file, "--budget", "20,60,80,100", "--plot", target)
    assert len(data["points"]) == 4  # stdout is still just the data
    root = ET.fromstring(target.read_bytes())
    assert root.tag == SVG_ROOT


def test_plot_png(small_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "frontier.png"
    result = invoke("sweep", small_file, "--budget", "20,60,100", "--plot", target)
    assert result.exit_code == ExitCode.OK, result.output
    assert target.read_bytes().startswith(PNG_SIGNATURE)


def test_plot_pdf_is_a_usage_error(small_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "frontier.pdf"
    result = invoke("sweep", small_file, "--budget", "60,100", "--plot", target)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert ".svg" in result.stderr
    assert not target.exists()
    assert result.stdout == ""


def test_plot_without_matplotlib(
    small_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now fails
    target = tmp_path / "frontier.svg"
    result = invoke("sweep", small_file, "--budget", "60,100", "--plot", target)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "defplan[plot]" in result.stderr
    assert TRACEBACK not in result.output
    assert not target.exists()


def test_plot_into_a_missing_folder_is_a_usage_error(small_file: Path, tmp_path: Path) -> None:
    result = invoke("sweep", small_file, "--budget", "60", "--plot", tmp_path / "no" / "f.svg")
    assert result.exit_code == ExitCode.USAGE, result.output


def test_plot_helper_is_never_imported_without_plot(
    small_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --plot, a missing matplotlib does not matter."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = invoke("sweep", small_file, "--budget", "60,100")
    assert result.exit_code == ExitCode.OK, result.output


def test_workers_really_spread_the_points(monkeypatch: pytest.MonkeyPatch) -> None:
    from defplan.analysis import sweep as module

    pools = pool_sizes(monkeypatch, module)
    portfolio = parse_portfolio(SMALL)
    module.sweep(portfolio, budgets=[60.0, 80.0, 100.0], options=SolveOptions(), workers=1)
    assert pools == []
    module.sweep(portfolio, budgets=[60.0, 80.0, 100.0], options=SolveOptions(), workers=2)
    assert pools == [2]


def test_sweep_point_equals_a_fresh_solve_after_a_smaller_budget() -> None:
    # a MIP start handed over from the previous point came back as the "optimum"
    p = parse_portfolio(WARM_START_TRAP)
    points = sweep(p, budgets=[3, 6], options=SolveOptions())
    fresh = optimise(p, options=SolveOptions(budget=6))
    assert points[1].result.selected_ids == fresh.selected_ids == ("c1", "c2", "c3", "c4")
    assert points[1].result.value == fresh.value == 5


def test_range_budgets_keep_their_digits_and_never_pass_stop() -> None:
    assert parse_budgets("100000.0000001:100000.0000001:1") == [100000.0000001]
    assert parse_budgets("0:999999999:1000000000") == [0]
    assert parse_budgets("0:1:0.1")[-1] == 1
