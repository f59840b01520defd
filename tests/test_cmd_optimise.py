"""`defplan optimise` on the command line: the JSON result (docs/json.md), table and csv,
usage errors (exit 2), no portfolio (exit 3), --output and the time limit (exit 4), as
docs/commands.md gives them.

SMALL (samples.py) is worked out by hand: at its file budget the best portfolio is
alpha + bravo + charlie, cost 100, value 14 - 0.5 (one unit short of the soft EU pledge).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from samples import (
    ANNUAL,
    ANSI,
    NO_BUDGET,
    SMALL,
    SMALL_WARNING,
    TIES,
    TRACEBACK,
    hard_portfolio,
    invoke,
    optimise_json,
    optimise_timed,
    selected_ids,
)

from defplan.errors import ExitCode

# -- the JSON result (docs/json.md) --------------------------------------------------------


def test_json_result_fields(small_file: Path) -> None:
    data = optimise_json(small_file)
    assert data["format"] == "defplan-result/1"
    assert data["portfolio"] == {
        "name": "Small test portfolio",
        "file": str(small_file),
        "sha256": hashlib.sha256(small_file.read_bytes()).hexdigest(),
    }
    assert data["status"] == "optimal"
    assert data["budget"] == {"total": 100, "per_year": {"2027": 40}}
    assert data["weights"] == {"a": 0.75, "b": 0.25}
    assert data["value"] == pytest.approx(13.5)
    assert data["objectives"] == {"a": 14, "b": 14}
    assert data["cost"] == {"total": 100, "per_year": {"2026": 20, "2027": 30}, "unphased": 50}
    assert [(s["id"], s["name"], s["cost"], s["value"]) for s in data["selected"]] == [
        ("alpha", "Alpha radar", 50, 7),
        ("bravo", "Bravo boats", 30, 4),  # value range [0, 8] counts as its midpoint
        ("charlie", "Charlie training", 20, 3),
    ]
    nato, eu = data["commitments"]["nato"], data["commitments"]["eu"]
    assert (nato["target"], nato["achieved"], nato["met"], nato["shortfall"]) == (2, 3, True, 0)
    assert (eu["target"], eu["achieved"], eu["met"], eu["shortfall"]) == (4, 3, False, 1)
    assert data["solver"]["name"] == "HiGHS+CBC"  # the default races both
    assert data["solver"]["gap"] == 0
    assert isinstance(data["solver"]["seconds"], int | float)


def test_json_numbers_are_consistent(small_file: Path) -> None:
    """cost.total = per_year + unphased; value = sum of v_i - penalties; v_i = sum w_k value_ik."""
    data = optimise_json(small_file, "--budget", "90")
    cost = data["cost"]
    assert cost["total"] == pytest.approx(sum(cost["per_year"].values()) + cost["unphased"])
    assert cost["total"] == pytest.approx(sum(s["cost"] for s in data["selected"]))
    penalty = 0.5 * data["commitments"]["eu"]["shortfall"]
    assert data["value"] == pytest.approx(sum(s["value"] for s in data["selected"]) - penalty)
    w = data["weights"]
    assert data["value"] + penalty == pytest.approx(
        sum(w[k] * total for k, total in data["objectives"].items())
    )


def test_budget_total_is_null_when_unset(write_portfolio: Callable[..., Path]) -> None:
    data = optimise_json(write_portfolio(ANNUAL))
    assert data["budget"] == {"total": None, "per_year": {"2026": 50, "2027": 50}}
    assert selected_ids(data) == ["one", "three"]  # one + two would spend 60 in 2026
    assert data["cost"] == {"total": 70, "per_year": {"2026": 40, "2027": 30}, "unphased": 0}


def test_budget_option_overrides_file(small_file: Path) -> None:
    data = optimise_json(small_file, "--budget", "90")
    assert data["budget"]["total"] == 90
    assert selected_ids(data) == ["bravo", "charlie", "delta", "echo"]
    assert data["value"] == pytest.approx(11.5)
    assert data["cost"] == {"total": 85, "per_year": {"2027": 25}, "unphased": 60}


def test_budget_year_adds_a_cap(small_file: Path) -> None:
    data = optimise_json(small_file, "--budget-year", "2026=10")
    assert data["budget"] == {"total": 100, "per_year": {"2026": 10, "2027": 40}}
    assert "alpha" not in selected_ids(data)  # it spends 20 in 2026
    assert selected_ids(data) == ["bravo", "charlie", "delta", "echo"]


def test_budget_year_replaces_the_files_cap(small_file: Path) -> None:
    data = optimise_json(small_file, "--budget-year", "2027=60", "--budget", "200")
    assert data["budget"] == {"total": 200, "per_year": {"2027": 60}}
    assert selected_ids(data) == ["alpha", "bravo", "charlie", "delta", "echo"]


def test_annual_caps_alone_are_a_budget(write_portfolio: Callable[..., Path]) -> None:
    text = ANNUAL.replace("budget:\n  per_year: {2026: 50, 2027: 50}\n", "")
    data = optimise_json(write_portfolio(text), "--budget-year", "2026=60")
    assert data["budget"] == {"total": None, "per_year": {"2026": 60}}
    assert selected_ids(data) == ["one", "two", "three"]


def test_weights_are_normalised(small_file: Path) -> None:
    data = optimise_json(small_file, "--weight", "b=3")  # a keeps its 3 from the file
    assert data["weights"] == {"a": 0.5, "b": 0.5}
    for s, expect in zip(data["selected"], [6, 4, 4], strict=True):  # alpha, bravo, charlie
        assert s["value"] == pytest.approx(expect)


def test_weight_override_changes_the_choice(small_file: Path) -> None:
    data = optimise_json(small_file, "--weight", "a=0", "--weight", "b=2")
    assert data["weights"] == {"a": 0, "b": 1}
    # b only: alpha 4, bravo 4, charlie 6, delta 0, echo 2; nato still needs alpha (or
    # bravo + delta); alpha + bravo + charlie = 14 - 0.5 beats everything else.
    assert selected_ids(data) == ["alpha", "bravo", "charlie"]
    assert data["value"] == pytest.approx(13.5)


def test_include_forces_a_candidate_in(small_file: Path) -> None:
    data = optimise_json(small_file, "--include", "echo")
    assert selected_ids(data) == ["bravo", "charlie", "delta", "echo"]
    assert data["value"] == pytest.approx(11.5)


def test_exclude_keeps_a_candidate_out(small_file: Path) -> None:
    data = optimise_json(small_file, "--exclude", "bravo")
    assert selected_ids(data) == ["alpha", "charlie", "echo"]
    assert data["value"] == pytest.approx(9.5)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("small", ()),
        ("small", ("--budget", "90")),
        ("small", ("--exclude", "bravo", "--weight", "b=5")),
        ("ties", ()),
    ],
)
def test_cbc_gives_the_same_selection_as_highs(
    write_portfolio: Callable[..., Path], name: str, args: tuple[str, ...]
) -> None:
    path = write_portfolio(SMALL if name == "small" else TIES)
    highs = optimise_json(path, *args)
    cbc = optimise_json(path, *args, "--solver", "cbc")
    assert cbc["solver"]["name"] == "CBC"
    assert selected_ids(cbc) == selected_ids(highs)
    assert cbc["value"] == pytest.approx(highs["value"])
    assert cbc["cost"] == highs["cost"]
    if name == "ties":
        assert selected_ids(highs) == ["first"]  # the earlier of two equal portfolios


def test_solver_name_is_case_insensitive(small_file: Path) -> None:
    data = optimise_json(small_file, "--solver", "HiGHS")
    assert data["solver"]["name"] == "HiGHS"


def test_stdin_dash(small_file: Path) -> None:
    raw = small_file.read_bytes()
    result = invoke("optimise", "-", "--format", "json", input=raw)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["portfolio"]["sha256"] == hashlib.sha256(raw).hexdigest()
    assert data["portfolio"]["file"] == "<stdin>"
    assert selected_ids(data) == ["alpha", "bravo", "charlie"]


def test_stdin_errors_name_stdin() -> None:
    result = invoke("validate", "-", input="objectives: [\n")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stderr.startswith("<stdin>:")


# -- table and csv -------------------------------------------------------------------------


def test_table_is_the_default(small_file: Path) -> None:
    result = invoke("optimise", small_file)
    assert result.exit_code == 0, result.output
    out = result.stdout
    for text in ("Small test portfolio", "optimal", "13.5", "Alpha radar", "Charlie training"):
        assert text in out
    assert not ANSI.search(out)
    assert result.stderr == SMALL_WARNING


def test_csv_has_one_row_per_candidate(small_file: Path) -> None:
    result = invoke("optimise", small_file, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    header = result.stdout.splitlines()[0].split(",")
    assert header[:6] == ["id", "name", "group", "selected", "cost", "value"]
    assert {"a", "b"} <= set(header)
    assert [r["id"] for r in rows] == ["alpha", "bravo", "charlie", "delta", "echo"]
    chosen = {r["id"] for r in rows if r["selected"].lower() in ("true", "1", "yes")}
    assert chosen == {"alpha", "bravo", "charlie"}
    by_id = {r["id"]: r for r in rows}
    assert float(by_id["bravo"]["cost"]) == 30
    assert float(by_id["bravo"]["value"]) == pytest.approx(4)
    assert float(by_id["bravo"]["b"]) == pytest.approx(4)  # midpoint of [0, 8]
    assert by_id["delta"]["name"] == "delta"  # name defaults to the id
    assert by_id["echo"]["group"] == ""
    assert result.stderr == SMALL_WARNING


# -- usage errors: exit 2 ------------------------------------------------------------------


USAGE_CASES = [
    # (id, file text, extra args, words the message must contain)
    ("no-budget", NO_BUDGET, [], ["budget"]),
    ("weight-no-equals", SMALL, ["--weight", "a"], ["--weight"]),
    ("weight-not-a-number", SMALL, ["--weight", "a=lots"], ["--weight"]),
    ("weight-empty-name", SMALL, ["--weight", "=1"], ["--weight"]),
    ("weight-negative", SMALL, ["--weight", "a=-1"], ["a"]),
    ("weights-all-zero", SMALL, ["--weight", "a=0", "--weight", "b=0"], ["weight"]),
    ("weight-unknown-objective", SMALL, ["--weight", "zulu=1"], ["zulu"]),
    ("include-unknown", SMALL, ["--include", "zulu"], ["zulu"]),
    ("exclude-unknown", SMALL, ["--exclude", "alfa"], ["alfa", "alpha"]),
    ("include-and-exclude", SMALL, ["--include", "echo", "--exclude", "echo"], ["echo"]),
    ("budget-negative", SMALL, ["--budget=-5"], ["budget"]),
    ("budget-not-finite", SMALL, ["--budget", ".inf"], ["budget"]),
    ("budget-year-syntax", SMALL, ["--budget-year", "2027"], ["--budget-year"]),
    ("budget-year-not-a-year", SMALL, ["--budget-year", "soon=5"], ["--budget-year"]),
    ("budget-year-outside-horizon", SMALL, ["--budget-year", "2031=5"], ["2031"]),
    ("unknown-solver", SMALL, ["--solver", "gurobi"], ["gurobi"]),
    ("time-limit-zero", SMALL, ["--time-limit", "0"], ["--time-limit"]),
    ("time-limit-negative", SMALL, ["--time-limit=-1"], ["--time-limit"]),
    ("time-limit-infinite", SMALL, ["--time-limit", ".inf"], ["--time-limit"]),
    ("time-limit-too-long", SMALL, ["--time-limit", "1e400"], ["--time-limit"]),
    ("unknown-format", SMALL, ["--format", "xml"], ["xml"]),
]


@pytest.mark.parametrize(
    ("text", "args", "words"), [c[1:] for c in USAGE_CASES], ids=[c[0] for c in USAGE_CASES]
)
def test_usage_errors_exit_2(
    write_portfolio: Callable[..., Path], text: str, args: list[str], words: list[str]
) -> None:
    path = write_portfolio(text)
    json = [] if "--format" in args else ["--format", "json"]  # an option given once
    result = invoke("optimise", path, *json, *args)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stdout == ""  # no JSON for exit 2, nothing half-written
    for word in words:
        assert word in result.stderr
    assert TRACEBACK not in result.output


def test_annual_caps_with_a_plain_cost_name_the_candidates(
    write_portfolio: Callable[..., Path],
) -> None:
    result = invoke("optimise", write_portfolio(NO_BUDGET), "--budget-year", "2027=40")
    assert result.exit_code == ExitCode.USAGE, result.output
    named = set(re.findall(r"\b(alpha|bravo|charlie|delta|echo)\b", result.stderr))
    assert named == {"bravo", "charlie", "echo"}  # the plain costs, not the profiled ones


def test_plain_cost_of_zero_is_fine_with_annual_caps(write_portfolio: Callable[..., Path]) -> None:
    text = ANNUAL + "  - id: free\n    cost: 0\n    value: {a: 1}\n"
    data = optimise_json(write_portfolio(text))
    assert "free" in selected_ids(data)


def test_invalid_file_points_at_line_and_column(write_portfolio: Callable[..., Path]) -> None:
    text = SMALL.replace("    cost: 20\n", "    cots: 20\n").replace(
        "    cost: 10\n", "    cost: -10\n"
    )
    path = write_portfolio(text)
    lines = text.splitlines()
    cots = next(i for i, line in enumerate(lines, 1) if "cots:" in line)
    minus = next(i for i, line in enumerate(lines, 1) if "cost: -10" in line)
    result = invoke("optimise", path, "--format", "json")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stdout == ""
    errors = result.stderr.splitlines()
    assert any(e.startswith(f"{path}:{cots}:5: error:") and "cots" in e for e in errors), errors
    assert any(e.startswith(f"{path}:{minus}:") for e in errors), errors  # every problem
    assert all(re.match(rf"{re.escape(str(path))}(:\d+:\d+)?: error: ", e) for e in errors)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    result = invoke("optimise", path, "--budget", "10")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stderr.startswith(f"{path}: error: ")


def test_output_into_a_missing_folder(small_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "out.json"
    result = invoke("optimise", small_file, "--output", target)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "no-such-folder" in result.stderr
    assert not target.parent.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--weight", "a"],
        ["--include", "zulu"],
        ["--solver", "gurobi"],
        ["--output", "{tmp}"],  # a folder, not a file
    ],
    ids=["bad-weight", "unknown-include", "unknown-solver", "output-is-a-folder"],
)
def test_exit_2_leaves_an_earlier_output_untouched(
    small_file: Path, tmp_path: Path, args: list[str]
) -> None:
    earlier = tmp_path / "out.json"
    earlier.write_text('{"earlier": true}\n')
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = invoke("optimise", small_file, "--output", earlier, *args)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert earlier.read_text() == '{"earlier": true}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "small.yaml"]


def test_invalid_file_leaves_an_earlier_output_untouched(
    write_portfolio: Callable[..., Path], tmp_path: Path
) -> None:
    earlier = tmp_path / "out.json"
    earlier.write_text("old")
    path = write_portfolio("objectives: {a: {weight: 1}}\ncandidates: []\nbogus: 1\n")
    result = invoke("optimise", path, "--budget", "5", "--output", earlier)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert earlier.read_text() == "old"


# -- no portfolio: exit 3 ------------------------------------------------------------------


def test_infeasible_exit_3_with_json_and_conflicts(small_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    out.write_text("old")
    result = invoke(
        "optimise", small_file, "--exclude", "alpha", "--exclude", "delta",
        "--format", "json", "--output", out,
    )  # fmt: skip
    assert result.exit_code == ExitCode.INFEASIBLE, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "infeasible"
    assert data["value"] is None
    assert data["selected"] == []
    assert data["format"] == "defplan-result/1"
    # nato needs alpha, or bravo + delta: the three constraints that conflict
    err = result.stderr
    assert "nato" in err
    assert "alpha" in err
    assert "delta" in err
    assert "budget" not in err  # not part of the conflict
    assert out.read_text() == result.stdout


def test_infeasible_budget_names_budget_and_commitment(small_file: Path) -> None:
    result = invoke("optimise", small_file, "--budget", "10")
    assert result.exit_code == ExitCode.INFEASIBLE, result.output
    assert "infeasible" in result.stdout
    assert "budget" in result.stderr
    assert "nato" in result.stderr
    assert "2027" not in result.stderr  # the annual cap plays no part


def test_infeasible_table_and_stderr_head_the_conflicts_alike(small_file: Path) -> None:
    """A saved report (stdout not a terminal) lists the conflict as stderr does, under
    the same heading: a reader who meets both sees one message, not two."""
    result = invoke("optimise", small_file, "--budget", "10")
    assert result.exit_code == ExitCode.INFEASIBLE, result.output
    heading = "These constraints cannot all hold together (drop or relax one of them):"
    assert heading in result.stdout.splitlines()
    assert heading in result.stderr.splitlines()
    assert result.stdout.count("cannot all hold together") == 1


def test_infeasible_includes_are_named(small_file: Path) -> None:
    result = invoke("optimise", small_file, "--include", "alpha", "--include", "delta")
    assert result.exit_code == ExitCode.INFEASIBLE, result.output
    err = result.stderr
    assert "2027" in err  # together they spend 55 against the 40 cap
    assert re.search(r"include\b.*\balpha\b", err)
    assert re.search(r"include\b.*\bdelta\b", err)
    assert "nato" not in err


# -- --output ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "table", "csv"])
def test_output_file_holds_the_json_result(small_file: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "result.json"
    out.write_text("an earlier result")
    result = invoke("optimise", small_file, "--format", fmt, "--output", out)
    assert result.exit_code == 0, result.output
    written = out.read_text()
    if fmt == "json":
        assert written == result.stdout
    data = json.loads(written)
    assert selected_ids(data) == ["alpha", "bravo", "charlie"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.json", "small.yaml"]


# -- time limit: exit 4 --------------------------------------------------------------------


@pytest.mark.parametrize("solver", ["auto", "highs", "cbc"])
def test_time_limit_without_a_portfolio_exits_4(
    write_portfolio: Callable[..., Path], tmp_path: Path, solver: str
) -> None:
    path = write_portfolio(hard_portfolio())
    result, data = optimise_timed(
        path, tmp_path / "result.json", seconds="0.05", solver=solver, code=ExitCode.NO_SOLUTION
    )
    assert data["status"] == "unknown"
    assert data["value"] is None
    assert data["selected"] == []
    assert "time limit" in result.stderr
    assert "before any portfolio was found" in result.stderr and "--time-limit" in result.stderr


# -- --alternatives ------------------------------------------------------------------------


def test_alternatives_in_json_and_table(small_file: Path) -> None:
    data = optimise_json(small_file, "--alternatives", "2")
    found = data["alternatives"]
    assert len(found) == 2
    best = {s["id"] for s in data["selected"]}
    for alt in found:
        assert {"value", "cost", "selected", "added", "dropped"} == set(alt)
        assert set(alt["added"]) == set(alt["selected"]) - best
        assert set(alt["dropped"]) == best - set(alt["selected"])
        assert alt["value"] <= data["value"]
    assert (found[0]["value"], -found[0]["cost"]) >= (found[1]["value"], -found[1]["cost"])
    assert "alternatives" not in optimise_json(small_file)  # only when asked for
    table = invoke("optimise", small_file, "--alternatives", "1")
    assert table.exit_code == 0, table.output
    assert "Next-best portfolios (1)" in table.stdout
