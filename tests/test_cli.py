"""The command line against SPEC §3-§5: CliRunner for behaviour, subprocesses for the process.

SMALL (conftest.py) is worked out by hand: at its file budget the best portfolio is
alpha + bravo + charlie, cost 100, value 14 - 0.5 (one unit short of the soft EU pledge).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import pty
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from samples import (
    ANNUAL,
    SMALL,
    SMALL_WARNING,
    TRACEBACK,
    clean_env,
    hard_portfolio,
    invoke,
    knapsack_cbc_wins,
    optimise_timed,
    run_many,
    timings_zeroed,
)

import defplan
from defplan.cli import app
from defplan.errors import ExitCode

ANSI = re.compile(r"\x1b\[")
NO_BUDGET = SMALL.replace("budget:\n  total: 100\n  per_year: {2027: 40}\n", "")
assert NO_BUDGET != SMALL

# Two candidates that tie exactly on value and cost: the canonical rule (SPEC §2)
# prefers the one earlier in the file, whichever solver runs.
TIES = """\
name: Ties
objectives:
  a: {weight: 1}
budget: {total: 10}
candidates:
  - {id: first, cost: 10, value: {a: 5}}
  - {id: second, cost: 10, value: {a: 5}}
  - {id: third, cost: 5, value: {a: 2}}
  - {id: fourth, cost: 5, value: {a: 3}}
"""


def optimise_json(*args: str | Path, code: int = ExitCode.OK) -> dict[str, Any]:
    """`optimise ... --format json`, the exit code checked, stdout parsed."""
    result = invoke("optimise", *args, "--format", "json")
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


def ids(data: dict[str, Any]) -> list[str]:
    return [s["id"] for s in data["selected"]]


# -- optimise: the JSON result (SPEC §5) --------------------------------------------------


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
    assert ids(data) == ["one", "three"]  # one + two would spend 60 in 2026
    assert data["cost"] == {"total": 70, "per_year": {"2026": 40, "2027": 30}, "unphased": 0}


def test_budget_option_overrides_file(small_file: Path) -> None:
    data = optimise_json(small_file, "--budget", "90")
    assert data["budget"]["total"] == 90
    assert ids(data) == ["bravo", "charlie", "delta", "echo"]
    assert data["value"] == pytest.approx(11.5)
    assert data["cost"] == {"total": 85, "per_year": {"2027": 25}, "unphased": 60}


def test_budget_year_adds_a_cap(small_file: Path) -> None:
    data = optimise_json(small_file, "--budget-year", "2026=10")
    assert data["budget"] == {"total": 100, "per_year": {"2026": 10, "2027": 40}}
    assert "alpha" not in ids(data)  # it spends 20 in 2026
    assert ids(data) == ["bravo", "charlie", "delta", "echo"]


def test_budget_year_replaces_the_files_cap(small_file: Path) -> None:
    data = optimise_json(small_file, "--budget-year", "2027=60", "--budget", "200")
    assert data["budget"] == {"total": 200, "per_year": {"2027": 60}}
    assert ids(data) == ["alpha", "bravo", "charlie", "delta", "echo"]


def test_annual_caps_alone_are_a_budget(write_portfolio: Callable[..., Path]) -> None:
    text = ANNUAL.replace("budget:\n  per_year: {2026: 50, 2027: 50}\n", "")
    data = optimise_json(write_portfolio(text), "--budget-year", "2026=60")
    assert data["budget"] == {"total": None, "per_year": {"2026": 60}}
    assert ids(data) == ["one", "two", "three"]


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
    assert ids(data) == ["alpha", "bravo", "charlie"]
    assert data["value"] == pytest.approx(13.5)


def test_include_forces_a_candidate_in(small_file: Path) -> None:
    data = optimise_json(small_file, "--include", "echo")
    assert ids(data) == ["bravo", "charlie", "delta", "echo"]
    assert data["value"] == pytest.approx(11.5)


def test_exclude_keeps_a_candidate_out(small_file: Path) -> None:
    data = optimise_json(small_file, "--exclude", "bravo")
    assert ids(data) == ["alpha", "charlie", "echo"]
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
    assert ids(cbc) == ids(highs)
    assert cbc["value"] == pytest.approx(highs["value"])
    assert cbc["cost"] == highs["cost"]
    if name == "ties":
        assert ids(highs) == ["first"]  # the earlier of two equal portfolios


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
    assert ids(data) == ["alpha", "bravo", "charlie"]


def test_stdin_errors_name_stdin() -> None:
    result = invoke("validate", "-", input="objectives: [\n")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stderr.startswith("<stdin>:")


# -- optimise: table and csv ---------------------------------------------------------------


def test_table_is_the_default(small_file: Path) -> None:
    result = invoke("optimise", small_file)
    assert result.exit_code == 0, result.output
    out = result.stdout
    for text in ("Small test portfolio", "optimal", "13.5", "Alpha radar", "Charlie training"):
        assert text in out
    assert not ANSI.search(out)
    assert result.stderr == SMALL_WARNING


CSV_COMMANDS = {
    "optimise": ([], "id,name,group,selected,cost,value,a,b,cost_2026"),
    "sweep": (["--budget", "60,100"], "budget,status,value,cost,marginal_per_1000,selected"),
    "frontier": (["--x", "a", "--y", "b"], "point,total_a,total_b,cost,candidates,selected"),
    "robust": (["--samples", "3"], "id,name,group,share,samples_in,class,selected"),
}


@pytest.mark.parametrize("command", list(CSV_COMMANDS))
def test_csv_takes_a_byte_order_mark_on_request(command: str, small_file: Path) -> None:
    arguments, header = CSV_COMMANDS[command]
    plain = invoke(command, small_file, *arguments, "--format", "csv")
    marked = invoke(command, small_file, *arguments, "--format", "csv", "--bom")
    for result in (plain, marked):
        assert result.exit_code == 0, result.output
    assert plain.stdout_bytes.startswith(header.encode())
    assert marked.stdout_bytes == b"\xef\xbb\xbf" + plain.stdout_bytes
    rows = list(csv.reader(io.StringIO(marked.stdout_bytes.decode("utf-8-sig"))))
    assert ",".join(rows[0]).startswith(header) and len(rows) > 1


@pytest.mark.parametrize("command", list(CSV_COMMANDS))
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_a_byte_order_mark_goes_with_csv_only(command: str, fmt: str, small_file: Path) -> None:
    arguments, _ = CSV_COMMANDS[command]
    result = invoke(command, small_file, *arguments, "--format", fmt, "--bom")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "--bom goes with --format csv only" in result.stderr
    assert result.stdout == ""


def test_a_byte_order_mark_makes_the_csv_utf8_whatever_the_locale(
    write_portfolio: Callable[..., Path],
) -> None:
    path = write_portfolio(SMALL.replace("Alpha radar", "Radar Ålesund \u2013 Zürich"))
    proc = subprocess.run(
        [sys.executable, "-m", "defplan", "optimise", str(path), "--format", "csv", "--bom"],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "latin-1"},
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(b"\xef\xbb\xbf")
    assert "Radar Ålesund \u2013 Zürich" in proc.stdout.decode("utf-8-sig")


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


# -- usage errors: exit 2 --------------------------------------------------------------------

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


def test_plain_cost_of_zero_is_fine_with_annual_caps(write_portfolio: Callable[..., Path]) -> None:
    text = ANNUAL + "  - id: free\n    cost: 0\n    value: {a: 1}\n"
    data = optimise_json(write_portfolio(text))
    assert "free" in ids(data)


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


# -- infeasible: exit 3 -------------------------------------------------------------------------


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


# -- --output ---------------------------------------------------------------------------------


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
    assert ids(data) == ["alpha", "bravo", "charlie"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.json", "small.yaml"]


# -- time limit: exit 4 --------------------------------------------------------------------------


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


# -- validate, schema, version, help ----------------------------------------------------


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


def test_schema_prints_json_schema() -> None:
    result = invoke("schema")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert "$schema" in schema
    assert schema["type"] == "object"
    assert {"objectives", "candidates"} <= set(schema["required"])
    assert set(schema["properties"]) >= {
        "defplan", "name", "years", "objectives", "commitments", "budget", "groups", "rules",
        "candidates",
    }  # fmt: skip
    assert schema["additionalProperties"] is False  # unknown keys are errors (SPEC §1)
    assert result.stderr == ""


def test_internal_error_is_short_without_debug(
    small_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something the code did not expect")

    monkeypatch.setattr("defplan.solver.optimise", broken)
    earlier = small_file.parent / "out.json"
    earlier.write_text("old")
    result = invoke("optimise", small_file, "--format", "json", "--output", earlier)
    assert result.exit_code == ExitCode.INTERNAL, result.output
    assert earlier.read_text() == "old"  # exit 1 leaves it untouched (SPEC §3)
    assert "internal error" in result.stderr
    assert "--debug" in result.stderr
    assert TRACEBACK not in result.output
    assert result.stdout == ""

    debug = invoke("--debug", "optimise", small_file)
    assert isinstance(debug.exception, RuntimeError)  # left for Python to show


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"defplan {defplan.__version__}"


def test_help_lists_every_command() -> None:
    result = invoke("--help")
    assert result.exit_code == 0, result.output
    for name in command_names():
        assert name in result.stdout
    assert {"optimise", "validate", "schema"} <= set(command_names())


def command_names() -> list[str]:
    return [c.name or c.callback.__name__ for c in app.registered_commands]  # type: ignore[union-attr]


@pytest.mark.parametrize("name", command_names())
def test_every_command_has_help(name: str) -> None:
    command = next(c for c in app.registered_commands if (c.name or c.callback.__name__) == name)  # type: ignore[union-attr]
    assert command.help or (command.callback and command.callback.__doc__), name
    result = invoke(name, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout


@pytest.mark.parametrize("args", [[], *([name] for name in command_names())])
def test_help_shows_no_types_and_plain_usage(args: list[str]) -> None:
    """A flag takes no value and an argument's name says what it is: no `<bool>`,
    `<str>` beside them, and the usage line names arguments as click does."""
    result = invoke(*args, "--help")
    assert result.exit_code == 0, result.output
    for noise in ("<bool>", "<str>", "{", "[["):
        assert noise not in result.stdout, (args, noise, result.stdout)


@pytest.mark.parametrize(
    ("name", "usage"),
    [
        ("diff", "Usage: defplan diff [OPTIONS] LEFT [RIGHT]"),
        ("explain", "Usage: defplan explain [OPTIONS] FILE ID"),
        ("optimise", "Usage: defplan optimise [OPTIONS] FILE"),
    ],
)
def test_usage_lines_name_the_arguments_plainly(name: str, usage: str) -> None:
    shown = invoke(name, "--help").stdout
    assert usage in shown, shown
    assert usage in invoke(name).output  # a usage error prints the same line


def test_no_arguments_shows_help() -> None:
    result = invoke()
    assert "optimise" in result.output
    assert TRACEBACK not in result.output


# -- the real process: streams, colour, pipes, determinism ---------------------------------------
# Start-up dominates a subprocess test, so most cases run together, in parallel, once per
# module (see `processes`), and each test reads its own run.


BAD_INPUTS = [
    # (id, file text, or None for a missing file, or "{dir}" for a folder; args;
    #  True to run it as a process too, where start-up, decoding or recursion differ)
    ("missing-file", None, ["optimise", "{file}", "--budget", "5"], True),
    ("folder", "{dir}", ["optimise", "{dir}", "--budget", "5"], False),
    ("empty", "", ["optimise", "{file}", "--budget", "5"], False),
    ("malformed", "objectives: [\n  a\n", ["optimise", "{file}", "--budget", "5"], False),
    ("not-utf8", "\udcff\udcfe", ["optimise", "{file}", "--budget", "5"], True),
    ("a-list", "- 1\n- 2\n", ["validate", "{file}"], False),
    ("alias", "objectives: &o {a: {weight: 1}}\nx: *o\n", ["validate", "{file}"], True),
    ("deep", "x: " + "[" * 5000 + "]" * 5000 + "\n", ["validate", "{file}"], True),
    ("wrong-types", "objectives: 5\ncandidates: {a: 1}\n", ["validate", "{file}"], False),
    ("huge-number", SMALL.replace("cost: 30", "cost: 1e400"), ["optimise", "{file}"], True),
    ("bad-budget", SMALL, ["optimise", "{file}", "--budget", "lots"], True),
    ("unknown-option", SMALL, ["optimise", "{file}", "--frobnicate"], True),
    ("no-file-argument", SMALL, ["optimise"], True),
    ("bad-weight", SMALL, ["optimise", "{file}", "--weight", "a==1"], False),
]


def bad_input_args(folder: Path, text: str | None, args: list[str]) -> list[str]:
    """Write the case's file into folder; its arguments, with --format json for optimise."""
    path = folder / "bad.yaml"
    if text is not None and text != "{dir}":
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
    args = [a.replace("{file}", str(path)).replace("{dir}", str(folder)) for a in args]
    return [*args, "--format", "json"] if args[0] == "optimise" else args


@pytest.mark.parametrize(
    ("text", "args"), [c[1:3] for c in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_input_in_process(tmp_path: Path, text: str | None, args: list[str]) -> None:
    result = invoke(*bad_input_args(tmp_path, text, args))
    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.strip()
    if args[0] == "optimise":
        assert result.stdout == ""


GOOD_RUNS = {
    # name: (args after FILE, extra environment)
    "json-highs": (["--format", "json"], {}),
    "json-cbc": (["--format", "json", "--solver", "cbc"], {}),
    "json-infeasible": (["--format", "json", "--budget", "10"], {}),
    "csv": (["--format", "csv"], {}),
    "table-pipe": ([], {}),
    "table-pipe-force-color": ([], {"FORCE_COLOR": "1"}),
    "validate-pipe": ([], {}),
    "table-seed-1": (["--output", "{out}/1.json"], {"PYTHONHASHSEED": "1"}),
    "table-seed-2": (["--output", "{out}/2.json"], {"PYTHONHASHSEED": "2"}),
}

Runs = dict[str, tuple[list[str], subprocess.CompletedProcess[bytes]]]


@pytest.fixture(scope="module")
def processes(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    """The BAD_INPUTS marked for it and every GOOD_RUNS case, at once, in parallel."""
    jobs: list[tuple[str, list[str], dict[str, str]]] = []
    for name, text, args, as_process in BAD_INPUTS:
        if as_process:
            jobs.append((name, bad_input_args(tmp_path_factory.mktemp(name), text, args), {}))
    folder = tmp_path_factory.mktemp("good")
    small = folder / "small.yaml"
    small.write_text(SMALL)
    for name, (args, env) in GOOD_RUNS.items():
        command = "validate" if name.startswith("validate") else "optimise"
        rest = [a.replace("{out}", str(folder)) for a in args]
        jobs.append((name, [command, str(small), *rest], env))
    runs = run_many([args for _, args, _ in jobs], [env for _, _, env in jobs])
    return {name: (args, run) for (name, args, _), run in zip(jobs, runs, strict=True)}


@pytest.mark.parametrize("name", [c[0] for c in BAD_INPUTS if c[3]])
def test_bad_input_never_shows_a_traceback(processes: Runs, name: str) -> None:
    args, proc = processes[name]
    err = proc.stderr.decode()
    assert proc.returncode == ExitCode.USAGE, err
    assert "Traceback" not in err
    assert "internal error" not in err
    assert err.strip()  # says what is wrong
    if args[0] == "optimise":
        assert proc.stdout == b""


@pytest.mark.parametrize("name", ["json-highs", "json-cbc"])
def test_json_stdout_is_only_json(processes: Runs, name: str) -> None:
    _, proc = processes[name]
    assert proc.returncode == 0, proc.stderr.decode()
    data = json.loads(proc.stdout)  # no solver banner or log around it
    assert ids(data) == ["alpha", "bravo", "charlie"]
    assert proc.stderr == SMALL_WARNING.encode()


def test_json_stdout_is_only_json_when_infeasible(processes: Runs) -> None:
    _, proc = processes["json-infeasible"]
    assert proc.returncode == ExitCode.INFEASIBLE, proc.stderr.decode()
    assert json.loads(proc.stdout)["status"] == "infeasible"
    assert b"nato" in proc.stderr


def test_csv_stdout_is_only_csv(processes: Runs) -> None:
    _, proc = processes["csv"]
    assert proc.returncode == 0, proc.stderr.decode()
    lines = proc.stdout.decode().splitlines()
    assert lines[0].startswith("id,name,group,selected,cost,value")
    assert len(lines) == 6
    assert proc.stderr == SMALL_WARNING.encode()


@pytest.mark.parametrize(
    "name",
    [
        "table-pipe",
        "table-pipe-force-color",
        "validate-pipe",
    ],
)
def test_no_escape_codes_on_a_pipe(processes: Runs, name: str) -> None:
    _, proc = processes[name]
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.strip()
    assert not ANSI.search(proc.stdout.decode())
    assert not ANSI.search(proc.stderr.decode())


def test_two_runs_give_identical_bytes(processes: Runs) -> None:
    """Same input, same bytes (apart from solver.seconds), whatever the hash seed."""
    (args1, one), (args2, two) = processes["table-seed-1"], processes["table-seed-2"]
    assert one.returncode == two.returncode == 0, (one.stderr, two.stderr)
    assert one.stdout == two.stdout
    json1, json2 = (Path(args[-1]).read_bytes() for args in (args1, args2))
    assert timings_zeroed(json1) == timings_zeroed(json2)


SHIPPED = sorted((Path(__file__).resolve().parent.parent / "portfolios").glob("*.yaml"))
HASH_SEEDS_AND_SOLVERS = [("highs", "1"), ("highs", "2"), ("cbc", "3")]


def test_shipped_portfolios_give_one_answer_whatever_the_run_or_solver() -> None:
    """Each shipped example: byte-identical JSON from two HiGHS processes (other hash
    seeds), and the same selection, value and figures from CBC."""
    jobs = [(p, solver, seed) for p in SHIPPED for solver, seed in HASH_SEEDS_AND_SOLVERS]
    args = [["optimise", str(p), "--solver", solver, "--format", "json"] for p, solver, _ in jobs]
    runs = run_many(args, [{"PYTHONHASHSEED": seed} for *_, seed in jobs])
    for k, path in enumerate(SHIPPED):
        one, two, cbc_run = runs[3 * k : 3 * k + 3]
        for run in (one, two, cbc_run):
            assert run.returncode == 0, (path.name, run.stderr)
        assert timings_zeroed(one.stdout) == timings_zeroed(two.stdout), path.name
        highs, cbc = json.loads(one.stdout), json.loads(cbc_run.stdout)
        assert ids(highs) == ids(cbc) and highs["value"] == cbc["value"], path.name
        assert (highs["run"]["solver"], cbc["run"]["solver"]) == ("highs", "cbc")
        unsolved = {"solver": None, "run": None}
        assert {**highs, **unsolved} == {**cbc, **unsolved}, path.name


def test_two_runs_in_process_give_identical_output(small_file: Path) -> None:
    for fmt in ("csv", "table"):
        one, two = (invoke("optimise", small_file, "--format", fmt) for _ in range(2))
        assert one.exit_code == two.exit_code == 0, one.output
        assert one.stdout == two.stdout


def run_on_terminal(*args: str | Path, env: dict[str, str]) -> tuple[int, str]:
    """Run with stdout on a pseudo-terminal; return the exit code and what it showed."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "defplan", *map(str, args)],
        stdout=slave,
        stderr=subprocess.DEVNULL,
        env=clean_env(env),
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO once the child has closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return proc.wait(timeout=60), b"".join(chunks).decode()


def test_no_escape_codes_on_a_terminal_with_no_color(small_file: Path) -> None:
    code, shown = run_on_terminal("optimise", small_file, env={"NO_COLOR": "1"})
    assert code == 0
    assert "Alpha radar" in shown
    assert not ANSI.search(shown)


def test_terminal_without_no_color_is_styled(small_file: Path) -> None:
    """The control for the test above: the pty does show styling when allowed."""
    code, shown = run_on_terminal("optimise", small_file, env={})
    assert code == 0
    assert ANSI.search(shown)


def big_portfolio(n: int) -> str:
    lines = ["name: Big", "objectives:", "  a: {weight: 1}", "budget: {total: 1e9}", "candidates:"]
    lines += [
        f"  - {{id: cand-{i:05d}, name: Candidate {i} with a long descriptive name, "
        f"cost: {1000 + i}, value: {{a: {1 + i % 97 + i / 10000}}}}}"
        for i in range(n)
    ]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_closed_pipe_ends_quietly(write_portfolio: Callable[..., Path], fmt: str) -> None:
    """`defplan optimise big.yaml | head -1`: more output than a pipe holds, reader gone."""
    path = write_portfolio(big_portfolio(700), "big.yaml")
    proc = subprocess.Popen(
        [sys.executable, "-m", "defplan", "optimise", str(path), "--format", fmt],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    code = proc.wait(timeout=60)
    assert first.strip()
    assert err == ""
    assert code == 0


def test_closed_pipe_in_a_shell(write_portfolio: Callable[..., Path]) -> None:
    path = write_portfolio(big_portfolio(300), "big.yaml")
    script = (
        f'set -o pipefail; "{sys.executable}" -m defplan optimise "{path}" --format csv | head -1'
    )
    proc = subprocess.run(["bash", "-c", script], capture_output=True, timeout=60, check=False)
    assert proc.stdout.decode() == "id,name,group,selected,cost,value,a\n"
    assert proc.stderr == b""
    assert proc.returncode == 0


def wait_for_cpu_seconds(pid: int, seconds: float, timeout: float = 30) -> None:
    """Wait until process pid has used this much CPU time (robust on a busy machine)."""
    tick = os.sysconf("SC_CLK_TCK")
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        if (int(fields[11]) + int(fields[12])) / tick >= seconds:  # utime + stime
            return
        time.sleep(0.05)
    pytest.fail(f"process {pid} used less than {seconds} s of CPU in {timeout} s")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_ctrl_c_ends_a_long_solve_with_130(write_portfolio: Callable[..., Path]) -> None:
    """SPEC §3: Ctrl-C ends a run with exit 130, also in the middle of a long solve."""
    path = write_portfolio(hard_portfolio())
    proc = subprocess.Popen(
        [sys.executable, "-m", "defplan", "optimise", str(path), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    wait_for_cpu_seconds(proc.pid, 1.0)  # past start-up (about 0.3 s) and into the solve
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=3)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("still solving 3 s after Ctrl-C")
    assert proc.returncode == ExitCode.INTERRUPTED, err.decode()
    assert b"Traceback" not in err


def test_a_race_exits_cleanly_while_the_loser_winds_down(
    write_portfolio: Callable[..., Path],
) -> None:
    # HiGHS is still stopping when CBC's proof ends the run: the process must wait for
    # it rather than exit mid-solve (which C++ punishes with SIGABRT)
    path = write_portfolio(knapsack_cbc_wins())
    command = [sys.executable, "-m", "defplan", "optimise", str(path), "--format", "json"]
    for _ in range(3):
        proc = subprocess.run(command, capture_output=True, timeout=120)
        assert proc.returncode == 0, proc.stderr.decode()
        assert json.loads(proc.stdout)["status"] == "optimal"


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


def test_frontier_json_is_sorted_and_non_dominated(small_file: Path) -> None:
    result = invoke("frontier", small_file, "--x", "a", "--y", "b", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["format"] == "defplan-frontier/1" and data["cut"] is False
    points = data["points"]
    assert points, data
    xs = [p["objectives"]["a"] for p in points]
    ys = [p["objectives"]["b"] for p in points]
    assert xs == sorted(xs, reverse=True) and ys == sorted(ys)  # each gives up x for y
    assert len(set(xs)) == len(xs) and len(set(ys)) == len(ys)
    for p in points:
        assert set(p) == {"objectives", "cost", "selected"}
    cut = invoke("frontier", small_file, "--x", "a", "--y", "b", "--max-points", "1")
    assert cut.exit_code == 0, cut.output
    if len(points) > 1:
        assert "stopped at --max-points 1" in cut.stderr


def test_frontier_refuses_unknown_objectives_and_exits_3_when_infeasible(
    small_file: Path,
) -> None:
    unknown = invoke("frontier", small_file, "--x", "a", "--y", "bb")
    assert unknown.exit_code == ExitCode.USAGE
    assert "--y: unknown objective 'bb' (did you mean 'b'?)" in unknown.output
    same = invoke("frontier", small_file, "--x", "a", "--y", "a")
    assert same.exit_code == ExitCode.USAGE
    infeasible = invoke("frontier", small_file, "--x", "a", "--y", "b", "--budget", "1")
    assert infeasible.exit_code == ExitCode.INFEASIBLE
    assert "commitment.nato" in infeasible.stderr


def test_robust_json_is_reproducible_with_any_workers(small_file: Path) -> None:
    args = ("robust", small_file, "--samples", "12", "--seed", "7", "--format", "json")
    one = invoke(*args)
    assert one.exit_code == 0, one.output
    data = json.loads(one.stdout)
    assert data["format"] == "defplan-robust/1" and data["samples"] == 12
    ids = [c["id"] for c in data["candidates"]]
    assert ids == ["alpha", "bravo", "charlie", "delta", "echo"]
    assert sorted(data["core"] + data["borderline"] + data["exterior"]) == sorted(ids)
    for c in data["candidates"]:
        where = "core" if c["share"] == 1 else "exterior" if c["share"] == 0 else "borderline"
        assert c["id"] in data[where]
    again = invoke(*args, "--workers", "2")
    assert again.exit_code == 0, again.output
    assert again.stdout == one.stdout


def test_robust_checks_its_options_and_exits_3_when_infeasible(small_file: Path) -> None:
    for spread in ("1", "-0.1", "x"):
        bad = invoke("robust", small_file, "--weight-spread", spread)
        assert bad.exit_code == ExitCode.USAGE, (spread, bad.output)
        assert "--weight-spread" in bad.output
    infeasible = invoke("robust", small_file, "--budget", "1", "--format", "json")
    assert infeasible.exit_code == ExitCode.INFEASIBLE
    assert json.loads(infeasible.stdout)["conflicts"] == ["budget.total", "commitment.nato"]


def test_profile_prints_the_phases_on_stderr(small_file: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "defplan",
            "--profile",
            "optimise",
            str(small_file),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["status"] == "optimal"  # stdout stays clean data
    assert proc.stderr.startswith(SMALL_WARNING)
    lines = proc.stderr[len(SMALL_WARNING) :].splitlines()
    assert lines[0] == "defplan: profile (seconds):"
    seconds = {}
    for line in lines[1:]:
        words = line.split()
        if words[0] in ("load", "validate", "build", "solve", "render", "other", "total"):
            seconds[words[0]] = float(words[1])
    assert set(seconds) == {"load", "validate", "build", "solve", "render", "other", "total"}
    assert seconds["solve"] > 0 and seconds["build"] > 0 and seconds["render"] > 0
    parts = sum(v for k, v in seconds.items() if k != "total")
    assert abs(parts - seconds["total"]) < 0.01
    assert re.search(r"peak memory [\d,]+ MB", proc.stderr)
    short = subprocess.run(
        [sys.executable, "-m", "defplan", "-v", "optimise", str(small_file), "--budget", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert short.returncode == ExitCode.INFEASIBLE  # the exit code is kept
    assert "profile (seconds)" in short.stderr


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
