"""`defplan diff` as docs/commands.md and docs/json.md give it, and reading saved results
back (result.py).

DIFF is built so each answer can be worked out by hand. Weights 1:1 -> 0.5 / 0.5, so the
weighted values are papa 5, kilo 4, echo 3, yankee 2. The soft NATO target (3, penalty 1
per unit short) is met by papa alone. The ids' file order differs from their sorted
order, so "in file order" is tested for real.
    budget 30   kilo                  value 4 - 3 (NATO 3 short)   = 1    cost 30
    budget 60   papa, yankee          value 5 + 2                  = 7    cost 60
    budget 100  papa, kilo, echo      value 5 + 4 + 3              = 12   cost 100
DIFF_V2, a later version of the file, makes echo cost 50 (was 30) and yankee worth a: 8
(was 4, weighted 4 instead of 2):
    budget 100  papa, kilo, yankee    value 5 + 4 + 4              = 13   cost 90
"""

from __future__ import annotations

import copy
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.console import Console
from samples import (
    ANNUAL,
    RESULT_KEYS,
    SMALL,
    TRACEBACK,
    WARM_START_TRAP,
    cells,
    hard_portfolio,
    invoke,
    line_with,
    without_timings,
)

from defplan.analysis.diff import Diff
from defplan.errors import ExitCode, LoadError
from defplan.formulation import SolveOptions
from defplan.loading import parse_portfolio
from defplan.render.diff import diff_renderables
from defplan.render.documents import document_of, json_of
from defplan.result import Result, read_saved_result, result_from_dict
from defplan.solving import optimise

DIFF = """\
name: Diff test portfolio
years: [2026, 2027]
objectives:
  a: {label: Air, weight: 1}
  b: {label: Border, weight: 1}
commitments:
  nato: {label: NATO target, framework: NATO, target: 3, hard: false, penalty: 1}
budget: {total: 100}
candidates:
  - {id: papa, name: Papa radar, cost: 40, value: {a: 10}, commitments: {nato: 3}}
  - {id: kilo, name: Kilo boats, cost: 30, value: {a: 2, b: 6}}
  - {id: echo, name: Echo drones, cost: 30, value: {b: 6}}
  - {id: yankee, name: Yankee stores, cost: {2026: 10, 2027: 10}, value: {a: 4}}
"""

DIFF_V2 = DIFF.replace(
    "{id: echo, name: Echo drones, cost: 30,", "{id: echo, name: Echo drones, cost: 50,"
).replace(
    "cost: {2026: 10, 2027: 10}, value: {a: 4}}", "cost: {2026: 10, 2027: 10}, value: {a: 8}}"
)
assert DIFF_V2.count("cost: 50") == 1 and "value: {a: 8}" in DIFF_V2


def diff_json(*args: str | Path, code: int = ExitCode.OK, input: str | None = None) -> Any:
    """`diff ... --format json`, the exit code checked, stdout parsed."""
    result = invoke("diff", *args, "--format", "json", input=input)
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


def changes(document: dict[str, Any]) -> dict[str, Any]:
    """What the diff says changed: everything but the two results and their files."""
    return {k: v for k, v in document.items() if k not in ("left", "right", "files")}


def solve(text: str, budget: float | None = None, file: str = "p.yaml") -> Result:
    portfolio = parse_portfolio(text, filename=file)
    return optimise(portfolio, options=SolveOptions(budget=budget), file=file, data=text.encode())


@pytest.fixture
def diff_file(write_portfolio: Callable[..., Path]) -> Path:
    return write_portfolio(DIFF, "diff.yaml")


# -- constructed cases, through the library -----------------------------------------------


def test_the_hand_worked_answers() -> None:
    """The premises of every case below."""
    thirty, sixty, hundred = (solve(DIFF, b) for b in (30, 60, 100))
    assert (thirty.selected_ids, thirty.value, thirty.cost_total) == (("kilo",), 1, 30)
    assert (sixty.selected_ids, sixty.value, sixty.cost_total) == (("papa", "yankee"), 7, 60)
    assert hundred.selected_ids == ("papa", "kilo", "echo")
    assert (hundred.value, hundred.cost_total) == (12, 100)
    later = solve(DIFF_V2, 100)
    assert (later.selected_ids, later.value, later.cost_total) == (
        ("papa", "kilo", "yankee"),
        13,
        90,
    )


def test_added_dropped_deltas_by_hand() -> None:
    d = Diff(solve(DIFF, 60), solve(DIFF, 100))
    assert d.added == ("kilo", "echo")  # the right's file order, not sorted
    assert d.dropped == ("yankee",)
    assert d.value_delta == 5
    assert d.cost_delta == 40
    assert d.objective_deltas == {"a": -2, "b": 12}  # a: 14 -> 12, b: 0 -> 12
    assert d.per_year_deltas == {2026: -10, 2027: -10}  # yankee's profile leaves
    assert d.commitments_changed == {}  # NATO met on both sides


def test_dropped_in_the_lefts_file_order() -> None:
    d = Diff(solve(DIFF, 100), solve(DIFF, 30))
    assert d.added == ()
    assert d.dropped == ("papa", "echo")  # not sorted (echo, papa)
    assert d.value_delta == -11
    assert d.cost_delta == -70
    assert d.objective_deltas == {"a": -10, "b": -6}  # a: 12 -> 2, b: 12 -> 6
    assert d.per_year_deltas == {}
    assert d.commitments_changed == {"nato": (True, False)}  # met -> 3 short


def test_commitment_from_short_to_met() -> None:
    d = Diff(solve(DIFF, 30), solve(DIFF, 60))
    assert d.added == ("papa", "yankee")
    assert d.dropped == ("kilo",)
    assert d.value_delta == 6
    assert d.cost_delta == 30
    assert d.objective_deltas == {"a": 12, "b": -6}  # a: 2 -> 14, b: 6 -> 0
    assert d.per_year_deltas == {2026: 10, 2027: 10}
    assert d.commitments_changed == {"nato": (False, True)}


def test_same_result_on_both_sides() -> None:
    r = solve(DIFF, 60)
    d = Diff(r, r)
    assert (d.added, d.dropped, d.value_delta, d.cost_delta) == ((), (), 0, 0)
    assert d.objective_deltas == {"a": 0, "b": 0}
    assert d.commitments_changed == {}
    assert d.changed_candidates == ()


def test_two_versions_of_a_file() -> None:
    d = Diff(solve(DIFF, 100), solve(DIFF_V2, 100))
    assert d.added == ("yankee",)
    assert d.dropped == ("echo",)
    assert d.value_delta == 1
    assert d.cost_delta == -10
    assert d.objective_deltas == {"a": 8, "b": -6}  # a: 12 -> 20, b: 12 -> 6
    assert d.per_year_deltas == {2026: 10, 2027: 10}
    changed = {c.id: c for c in d.changed_candidates}
    assert list(changed) == ["echo", "yankee"]  # papa and kilo are as they were
    assert (changed["echo"].left.cost, changed["echo"].right.cost) == (30, 50)
    assert (changed["echo"].left.value, changed["echo"].right.value) == (3, 3)
    assert (changed["yankee"].left.cost, changed["yankee"].right.cost) == (20, 20)
    assert (changed["yankee"].left.value, changed["yankee"].right.value) == (2, 4)


def test_one_file_at_two_budgets_has_no_changed_candidates() -> None:
    assert Diff(solve(DIFF, 30), solve(DIFF, 100)).changed_candidates == ()


def test_an_infeasible_side_still_compares() -> None:
    # SMALL at 20 cannot reach its hard NATO target; at 100 it picks alpha, bravo, charlie
    d = Diff(solve(SMALL, 20), solve(SMALL, 100))
    assert d.left.status.value == "infeasible"
    assert d.value_delta is None
    assert d.added == ("alpha", "bravo", "charlie")
    assert d.dropped == ()
    reverse = Diff(solve(SMALL, 100), solve(SMALL, 20))
    assert reverse.value_delta is None
    assert reverse.dropped == ("alpha", "bravo", "charlie")


# -- the command line ---------------------------------------------------------------------


def test_cli_json_is_the_documented_diff_object(diff_file: Path) -> None:
    data = diff_json(diff_file, "--budget", "60", "--budget", "100")
    assert data["format"] == "defplan-diff/1"
    for side, budget in (("left", 60), ("right", 100)):
        assert data[side].keys() >= RESULT_KEYS
        assert data[side]["format"] == "defplan-result/1"
        assert data[side]["budget"]["total"] == budget
    assert data["left"]["value"] == 7
    assert data["right"]["value"] == 12
    assert data["added"] == ["kilo", "echo"]
    assert data["dropped"] == ["yankee"]
    assert data["delta"]["value"] == 5
    assert data["delta"]["cost"] == 40
    assert data["delta"]["objectives"] == {"a": -2, "b": 12}
    assert data["delta"]["per_year"] == {"2026": -10, "2027": -10}


def test_cli_commitments_between_met_and_short(diff_file: Path) -> None:
    data = diff_json(diff_file, "--budget", "30", "--budget", "60")
    assert data["added"] == ["papa", "yankee"]
    assert data["dropped"] == ["kilo"]
    assert data["delta"]["value"] == 6
    assert data["commitments_changed"] == {"nato": {"left_met": False, "right_met": True}}
    table = invoke("diff", diff_file, "--budget", "30", "--budget", "60")
    assert table.exit_code == ExitCode.OK, table.output
    assert "Commitments that change" in table.stdout
    assert "NATO target" in table.stdout
    assert "short by 3" in table.stdout


def test_cli_two_versions_of_a_file(write_portfolio: Callable[..., Path]) -> None:
    old, new = write_portfolio(DIFF, "old.yaml"), write_portfolio(DIFF_V2, "new.yaml")
    data = diff_json(old, new, "--budget", "100")
    assert data["left"]["budget"]["total"] == data["right"]["budget"]["total"] == 100
    assert data["added"] == ["yankee"]
    assert data["dropped"] == ["echo"]
    assert data["delta"]["value"] == 1
    assert data["delta"]["cost"] == -10
    assert data["delta"]["objectives"] == {"a": 8, "b": -6}
    assert [c["id"] for c in data["candidates_changed"]] == ["echo", "yankee"]
    echo, yankee = data["candidates_changed"]
    assert (echo["left"]["cost"], echo["right"]["cost"]) == (30, 50)
    assert (yankee["left"]["value"], yankee["right"]["value"]) == (2, 4)
    table = invoke("diff", old, new, "--budget", "100")
    assert table.exit_code == ExitCode.OK, table.output
    assert "Candidates whose figures changed" in table.stdout
    assert "yankee" in table.stdout


def test_cli_two_files_without_budget_use_their_own(write_portfolio: Callable[..., Path]) -> None:
    old, new = write_portfolio(DIFF, "old.yaml"), write_portfolio(DIFF_V2, "new.yaml")
    assert changes(diff_json(old, new)) == changes(diff_json(old, new, "--budget", "100"))


def test_cli_saved_results_diff_like_the_file(diff_file: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    for budget, path in (("60", a), ("100", b)):
        run = invoke("optimise", diff_file, "--budget", budget, "--output", path)
        assert run.exit_code == ExitCode.OK, run.output
    saved = diff_json(a, b)
    direct = diff_json(diff_file, "--budget", "60", "--budget", "100")
    for key in ("added", "dropped", "delta", "scenario"):
        assert saved[key] == direct[key], key
    assert saved.pop("files") == {"left": str(a), "right": str(b)}
    assert direct.pop("files") == {"left": str(diff_file), "right": str(diff_file)}
    assert without_timings(saved) == without_timings(direct)


def test_cli_saved_results_with_an_infeasible_side(small_file: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    failed = invoke("optimise", small_file, "--budget", "20", "--output", a)
    assert failed.exit_code == ExitCode.INFEASIBLE, failed.output  # still writes the result
    solved = invoke("optimise", small_file, "--budget", "100", "--output", b)
    assert solved.exit_code == ExitCode.OK, solved.output
    saved = diff_json(a, b)
    direct = diff_json(small_file, "--budget", "20", "--budget", "100")
    assert saved["delta"]["value"] is None
    for key in ("added", "dropped", "delta"):
        assert saved[key] == direct[key], key


def test_cli_saved_and_direct_agree_on_commitments_with_an_infeasible_side(
    small_file: Path, tmp_path: Path
) -> None:
    """The same two runs give one diff, whether read back from --output files or solved now."""
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    invoke("optimise", small_file, "--budget", "20", "--output", a)
    invoke("optimise", small_file, "--budget", "100", "--output", b)
    saved = diff_json(a, b)
    direct = diff_json(small_file, "--budget", "20", "--budget", "100")
    assert saved.get("commitments_changed") == direct.get("commitments_changed")


def test_cli_infeasible_side_exits_0(small_file: Path) -> None:
    data = diff_json(small_file, "--budget", "20", "--budget", "100")
    assert data["left"]["status"] == "infeasible"
    assert data["left"]["value"] is None
    assert data["right"]["status"] == "optimal"
    assert data["delta"]["value"] is None
    assert data["added"] == ["alpha", "bravo", "charlie"]
    table = invoke("diff", small_file, "--budget", "20", "--budget", "100")
    assert table.exit_code == ExitCode.OK, table.output
    assert "infeasible" in table.stdout
    both = diff_json(small_file, "--budget", "0", "--budget", "20")
    assert (both["added"], both["dropped"], both["delta"]["value"]) == ([], [], None)


def test_cli_reads_stdin_for_one_file_at_two_budgets(diff_file: Path) -> None:
    piped = diff_json("-", "--budget", "60", "--budget", "100", input=DIFF)
    direct = diff_json(diff_file, "--budget", "60", "--budget", "100")
    assert changes(piped) == changes(direct)
    assert piped["files"] == {"left": "<stdin>", "right": "<stdin>"}
    assert piped["left"]["value"] == 7 and piped["right"]["value"] == 12


def test_cli_table(diff_file: Path) -> None:
    result = invoke("diff", diff_file, "--budget", "60", "--budget", "100")
    assert result.exit_code == ExitCode.OK, result.output
    out = result.stdout
    assert "Added" in out and "Dropped" in out
    assert out.index("kilo") < out.index("echo")  # file order
    assert "Kilo boats" in out
    assert "\x1b[" not in out


@pytest.mark.parametrize(
    "args",
    [
        ("--budget", "60"),  # one file, one budget
        (),  # one file, no budget
        ("--budget", "60", "--budget", "100", "--budget", "120"),
        ("--budget", "x", "--budget", "100"),
    ],
)
def test_cli_usage_errors(diff_file: Path, args: tuple[str, ...]) -> None:
    result = invoke("diff", diff_file, *args)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert TRACEBACK not in result.output
    assert result.stdout == ""


def test_cli_saved_result_with_budget_is_a_usage_error(diff_file: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    for budget, path in (("60", a), ("100", b)):
        assert invoke("optimise", diff_file, "--budget", budget, "--output", path).exit_code == 0
    for args in ((a, b, "--budget", "60"), (a, "--budget", "60", "--budget", "100")):
        result = invoke("diff", *args)
        assert result.exit_code == ExitCode.USAGE, result.output
        assert "saved result" in result.stderr
        assert result.stdout == ""


def test_cli_a_sweep_document_is_not_a_result(small_file: Path, tmp_path: Path) -> None:
    swept = invoke("sweep", small_file, "--budget", "60,100", "--format", "json")
    assert swept.exit_code == ExitCode.OK, swept.output
    path = tmp_path / "sweep.json"
    path.write_text(swept.stdout, encoding="utf-8")
    result = invoke("diff", path, path)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "defplan-sweep/1" in result.stderr
    assert TRACEBACK not in result.output


def test_cli_a_broken_result_is_a_usage_error(diff_file: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    assert invoke("optimise", diff_file, "--output", good).exit_code == 0
    broken = tmp_path / "broken.json"
    document = json.loads(good.read_text(encoding="utf-8"))
    del document["candidates"]
    broken.write_text(json.dumps(document), encoding="utf-8")
    result = invoke("diff", good, broken)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "broken.json" in result.stderr
    assert TRACEBACK not in result.output


# -- saved results: result_from_dict, read_saved_result -----------------------------------


@pytest.mark.parametrize(
    ("text", "budget"),
    [
        (SMALL, None),  # optimal: commitments met and short, groups, profiles, a range value
        (SMALL, 20),  # infeasible, with conflicts
        (ANNUAL, None),  # no total budget
        (DIFF, 30),  # a soft commitment short
        (DIFF_V2, 100),
    ],
)
def test_result_round_trips(text: str, budget: float | None) -> None:
    r = solve(text, budget)
    again = result_from_dict(json.loads(json_of(r)))
    assert json_of(again) == json_of(r)
    assert again.selected_ids == r.selected_ids
    assert again.status is r.status


def test_read_saved_result() -> None:
    r = solve(DIFF, 60)
    back = read_saved_result(json_of(r).encode(), filename="a.json")
    assert back is not None
    assert json_of(back) == json_of(r)


def test_read_saved_result_none_for_yaml_portfolios() -> None:
    assert read_saved_result(SMALL.encode(), filename="small.yaml") is None
    assert read_saved_result(DIFF.encode(), filename="diff.yaml") is None
    flow = "{name: flow, objectives: {a: {weight: 1}}, candidates: [{id: x, cost: 1}]}"
    assert read_saved_result(flow.encode(), filename="flow.yaml") is None  # YAML, not JSON


def test_read_saved_result_none_for_json_portfolios() -> None:
    document = yaml.safe_load(DIFF)
    for text in (json.dumps(document), "\n  " + json.dumps(document, indent=2)):
        assert read_saved_result(text.encode(), filename="p.json") is None


def test_read_saved_result_rejects_a_sweep_document() -> None:
    portfolio = parse_portfolio(DIFF, filename="p.yaml")
    from defplan.analysis.sweep import sweep
    from defplan.render.documents import json_of

    points = sweep(portfolio, budgets=[60, 100], options=SolveOptions())
    with pytest.raises(LoadError) as caught:
        read_saved_result(json_of(points).encode(), filename="sweep.json")
    assert "defplan-sweep/1" in str(caught.value)
    assert "sweep.json" in str(caught.value)


def _broken(mutate: Callable[[dict[str, Any]], None]) -> bytes:
    document = json.loads(json_of(solve(DIFF, 60)))
    document = copy.deepcopy(document)
    mutate(document)
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.pop("selected"),
        lambda d: d.pop("candidates"),
        lambda d: d.update(status="splendid"),
        lambda d: d.update(weights=[1, 2]),
        lambda d: d.update(candidates=None),
        lambda d: d["solver"].update(seconds="soon"),
        lambda d: d.update(budget={}),
        lambda d: d.clear() or d.update(format="defplan-result/1"),
    ],
    ids=["selected", "candidates", "status", "weights", "null", "seconds", "budget", "empty"],
)
def test_read_saved_result_rejects_a_broken_result(
    mutate: Callable[[dict[str, Any]], None],
) -> None:
    with pytest.raises(LoadError):
        read_saved_result(_broken(mutate), filename="broken.json")


def test_read_saved_result_rejects_an_unknown_format() -> None:
    with pytest.raises(LoadError):
        read_saved_result(b'{"format": "defplan-result/99"}', filename="future.json")


# -- what changed in the scenario ----------------------------------------------------------

SCENARIO_V2 = (
    DIFF.replace("b: {label: Border, weight: 1}", "b: {label: Border, weight: 3}")
    .replace("target: 3, hard: false, penalty: 1}", "target: 4, hard: false, penalty: 2}")
    .replace("budget: {total: 100}", "budget: {total: 90, per_year: {2026: 10}}")
    .replace("{id: papa, name: Papa radar,", "{id: papa, name: Papa radar, group: kit,")
    .replace("value: {b: 6}}", "value: {b: 6}, mandatory: true}")
    .replace(
        "candidates:\n",
        "groups:\n  kit: {max_share: 0.9}\nrules:\n  - {at_most: 1, of: [kilo, echo]}\n"
        "candidates:\n",
    )
)
assert SCENARIO_V2.count("mandatory") == 1 and "group: kit" in SCENARIO_V2

SCENARIO_CHANGES = {
    "budget.total": {"left": 100, "right": 90},
    "budget.per_year.2026": {"left": None, "right": 10},
    "weights.a": {"left": 0.5, "right": 0.25},
    "weights.b": {"left": 0.5, "right": 0.75},
    "commitment.nato": {
        "left": "reach 3 (soft: penalty 1 per unit short)",
        "right": "reach 4 (soft: penalty 2 per unit short)",
    },
    "group.kit": {"left": None, "right": "at most 90% of cost"},
    "rules": {"left": [], "right": ["at most 1 of kilo, echo"]},
    "forced.echo": {"left": None, "right": "mandatory"},
}


def render_diff(comparison: Diff) -> str:
    """The diff as the CLI prints it, on a plain 100-column console."""
    console = Console(width=100, file=io.StringIO(), color_system=None)
    for part in diff_renderables(comparison, width=100):
        console.print(part)
        console.print()
    return console.file.getvalue()  # type: ignore[attr-defined]


def test_the_scenario_changes_between_two_versions() -> None:
    d = Diff(solve(DIFF), solve(SCENARIO_V2, file="v2.yaml"))
    found = {c.key: {"left": c.left, "right": c.right} for c in d.scenario_changes}
    assert found == SCENARIO_CHANGES
    assert document_of(d)["scenario"] == SCENARIO_CHANGES


def test_nothing_changed_in_the_scenario_of_one_file_at_one_budget() -> None:
    d = Diff(solve(DIFF, 60), solve(DIFF_V2, 60))  # candidates' figures change, not the rules
    assert d.scenario_changes == ()
    assert document_of(d)["scenario"] == {}
    assert "What changed in the scenario" not in render_diff(d)


def test_the_scenario_table(golden: Callable[[str, str], None]) -> None:
    text = render_diff(Diff(solve(DIFF), solve(SCENARIO_V2, file="v2.yaml")))
    golden("diff_scenario.txt", text)
    table = text[text.index("What changed in the scenario") : text.index("Side by side")]
    rows = [cells(line) for line in table.splitlines() if line.startswith("│")]
    assert rows == [
        ["Budget total", "100", "90"],
        ["Cap 2026", "none", "10"],
        ["Weight of Air", "0.5", "0.25"],
        ["Weight of Border", "0.5", "0.75"],
        [
            "Commitment nato",
            "reach 3 (soft: penalty 1 per unit",
            "reach 4 (soft: penalty 2 per unit",
        ],
        ["short)", "short)"],  # wrapped at 100 columns
        ["Group kit", "-", "at most 90% of cost"],
        ["Rule", "-", "at most 1 of kilo, echo"],
        ["Forced: echo", "no", "mandatory"],
    ]
    assert text.startswith("left   p.yaml: optimal\n       Diff test portfolio (budget 100)\n")
    assert "right  v2.yaml: optimal\n       Diff test portfolio (budget 90)\n" in text


def test_the_run_options_that_changed(diff_file: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    options = ("--exclude", "kilo", "--solver", "highs", "--time-limit", "60")
    assert invoke("optimise", diff_file, *options, "--output", a).exit_code == ExitCode.OK
    assert invoke("optimise", diff_file, "--include", "kilo", "--output", b).exit_code == 0
    data = diff_json(a, b)
    assert data["files"] == {"left": str(a), "right": str(b)}
    assert data["scenario"] == {
        "forced.kilo": {"left": "exclude", "right": "include"},
        "run.solver": {"left": "highs", "right": "auto"},
        "run.time_limit": {"left": 60, "right": None},
    }
    table = invoke("diff", a, b)
    assert table.exit_code == ExitCode.OK, table.output
    assert cells(line_with(table.stdout, "Forced: kilo")) == [
        "Forced: kilo",
        "--exclude",
        "--include",
    ]
    assert cells(line_with(table.stdout, "Solver")) == ["Solver", "highs", "auto"]
    assert cells(line_with(table.stdout, "Time limit")) == ["Time limit (s)", "60", "-"]
    # kilo enters on the right because it is included there: the Added table says so
    added = table.stdout[table.stdout.index("Added") :]
    assert cells(line_with(added, "kilo"))[-1] == "left --exclude; right --include"
    out = " ".join(table.stdout.split())  # the long temporary paths wrap at 80 columns
    assert f"left {a}: optimal Diff test portfolio (budget 100) saved from {diff_file}" in out
    assert f"right {b}: optimal Diff test portfolio (budget 100) saved from {diff_file}" in out


def test_an_older_saved_result_compares_on_budgets_and_weights(
    diff_file: Path, tmp_path: Path
) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    assert invoke("optimise", diff_file, "--budget", "60", "--output", old).exit_code == 0
    assert invoke("optimise", diff_file, "--include", "echo", "--output", new).exit_code == 0
    document = json.loads(old.read_text(encoding="utf-8"))
    del document["run"], document["rules"]
    for c in document["candidates"]:
        del c["forced"]
    old.write_text(json.dumps(document), encoding="utf-8")
    data = diff_json(old, new)
    assert data["scenario"] == {"budget.total": {"left": 60, "right": 100}}  # no forced.echo
    table = invoke("diff", old, new)
    assert table.exit_code == ExitCode.OK, table.output
    assert "The left result was saved without its rules and run options" in table.stdout
    assert cells(line_with(table.stdout, "Budget total")) == ["Budget total", "60", "100"]


def test_an_objective_only_one_side_has_is_null_in_json_as_in_the_table(
    write_portfolio: Callable[..., Path],
) -> None:
    """The JSON once counted a missing objective as 0 while the table showed -."""
    old = write_portfolio(DIFF, "old.yaml")
    new = write_portfolio(
        DIFF.replace("  b: {label: Border, weight: 1}\n", "  c: {label: Cyber, weight: 1}\n")
        .replace("value: {a: 2, b: 6}", "value: {a: 2, c: 6}")
        .replace("value: {b: 6}", "value: {c: 1}"),
        "new.yaml",
    )
    data = diff_json(old, new, "--budget", "100")
    assert data["left"]["objectives"] == {"a": 12, "b": 12}
    assert data["right"]["objectives"] == {"a": 16, "c": 6}  # papa, kilo, yankee
    assert data["delta"]["objectives"] == {"a": 4, "b": None, "c": None}
    table = invoke("diff", old, new, "--budget", "100")
    assert cells(line_with(table.stdout, "Border (unweighted)")) == [
        "Border (unweighted)",
        "12",
        "-",
        "-",
    ]
    assert cells(line_with(table.stdout, "Cyber (unweighted)")) == [
        "Cyber (unweighted)",
        "-",
        "6",
        "-",
    ]


def test_new_weights_alone_do_not_change_every_candidate(
    write_portfolio: Callable[..., Path],
) -> None:
    """Weights change every weighted value: the scenario says so once, not per candidate."""
    old = write_portfolio(DIFF, "old.yaml")
    new = write_portfolio(
        DIFF.replace("b: {label: Border, weight: 1}", "b: {label: Border, weight: 3}"), "new.yaml"
    )
    data = diff_json(old, new)
    assert data["candidates_changed"] == []
    assert set(data["scenario"]) == {"weights.a", "weights.b"}
    assert [
        c["id"] for c in diff_json(old, write_portfolio(DIFF_V2, "v2.yaml"))["candidates_changed"]
    ] == ["echo", "yankee"]


def test_weights_are_reported_numbers_in_results_and_the_scenario(
    write_portfolio: Callable[..., Path], tmp_path: Path
) -> None:
    """Weights 0.2 and 0.6 divided by their sum give 0.7499999999999999 in floats; JSON
    gives every number to 12 significant digits, so the result and the diff say 0.75."""
    three = write_portfolio(
        DIFF.replace("weight: 1}", "weight: 0.2}", 1).replace("weight: 1}", "weight: 0.6}"),
        "3.yaml",
    )
    saved = tmp_path / "saved.json"
    assert invoke("optimise", three, "--output", saved).exit_code == ExitCode.OK
    text = saved.read_text(encoding="utf-8")
    assert json.loads(text)["weights"] == {"a": 0.25, "b": 0.75}
    assert "0.7499999999999999" not in text
    data = diff_json(write_portfolio(DIFF, "1.yaml"), three)
    assert data["scenario"]["weights.b"] == {"left": 0.5, "right": 0.75}


def test_weights_saved_unrounded_by_an_earlier_defplan_compare_equal(
    write_portfolio: Callable[..., Path], tmp_path: Path
) -> None:
    three = write_portfolio(
        DIFF.replace("weight: 1}", "weight: 0.2}", 1).replace("weight: 1}", "weight: 0.6}"),
        "3.yaml",
    )
    saved = tmp_path / "saved.json"
    assert invoke("optimise", three, "--output", saved).exit_code == ExitCode.OK
    document = json.loads(saved.read_text(encoding="utf-8"))
    document["weights"]["b"] = 0.7499999999999999  # as defplan wrote it before
    saved.write_text(json.dumps(document, indent=2), encoding="utf-8")
    data = diff_json(saved, three)
    assert data["scenario"] == {}
    assert data["candidates_changed"] == []


# -- saved results read strictly, and with a byte order mark --------------------------------


def test_cli_a_loose_saved_result_is_exit_2_with_its_json_path(
    diff_file: Path, tmp_path: Path
) -> None:
    good, loose = tmp_path / "good.json", tmp_path / "loose.json"
    assert invoke("optimise", diff_file, "--output", good).exit_code == ExitCode.OK
    document = json.loads(good.read_text(encoding="utf-8"))
    document["value"] = float("nan")
    document["selected"][1]["cost"] = True
    loose.write_text(json.dumps(document, indent=2), encoding="utf-8")
    result = invoke("diff", good, loose, "--format", "json")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stdout == ""
    assert TRACEBACK not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert re.fullmatch(
        rf"{re.escape(str(loose))}:\d+:\d+: error: \$\.value: NaN is not a JSON number", lines[0]
    )
    cost = r"\$\.selected\[1\]\.cost: a number is required, not true"
    assert re.fullmatch(rf"{re.escape(str(loose))}:\d+:\d+: error: {cost}", lines[1])


def test_cli_files_with_a_byte_order_mark(diff_file: Path, tmp_path: Path) -> None:
    bom = b"\xef\xbb\xbf"
    a, b = tmp_path / "a.json", tmp_path / "b.yaml"
    assert invoke("optimise", diff_file, "--budget", "60", "--output", a).exit_code == 0
    a.write_bytes(bom + a.read_bytes())
    b.write_bytes(bom + DIFF.encode())
    data = diff_json(a, b)  # a saved result, then a portfolio solved at its own budget
    assert data["left"]["budget"]["total"] == 60 and data["right"]["budget"]["total"] == 100
    assert data["added"] == ["kilo", "echo"] and data["dropped"] == ["yankee"]
    refused = invoke("optimise", a)
    assert refused.exit_code == ExitCode.USAGE, refused.output
    assert "a 'defplan-result/1' document, not a portfolio file" in refused.stderr


def test_a_dropped_candidate_shows_its_figures_from_the_left(small_file: Path) -> None:
    """With other weights on the right, a candidate the right drops is shown as it was
    on the left, where it was selected (its weighted value differs on the right)."""
    left, right = small_file.parent / "left.json", small_file.parent / "right.json"
    assert invoke("optimise", small_file, "--output", left).exit_code == 0
    assert (
        invoke(
            "optimise", small_file, "--weight", "b=9", "--budget", "60", "--output", right
        ).exit_code
        == 0
    )
    was = {s["id"]: s["value"] for s in json.loads(left.read_text())["selected"]}
    now = {c["id"]: c["value"] for c in json.loads(right.read_text())["candidates"]}
    kept = {s["id"] for s in json.loads(right.read_text())["selected"]}
    dropped = [cid for cid in was if cid not in kept]
    assert any(was[cid] != now[cid] for cid in dropped)  # charlie: 3 on the left, 5 on the right
    shown = invoke("diff", left, right)
    assert shown.exit_code == 0, shown.output
    table = shown.stdout.split("Dropped (left to right)")[1].split("\n\n")[0]
    for cid in dropped:
        assert cells(line_with(table, f" {cid} "))[-1] == f"{was[cid]:g}"


def test_diff_with_a_side_out_of_time_exits_4(write_portfolio: Callable[..., Path]) -> None:
    path = write_portfolio(hard_portfolio())
    result = invoke("diff", path, path, "--time-limit", "0.05", "--format", "json")
    assert result.exit_code == ExitCode.NO_SOLUTION, result.output
    data = json.loads(result.stdout)
    assert data["left"]["status"] == "unknown"


def test_saved_result_missing_an_objective_is_an_input_error(tmp_path: Path) -> None:
    p = parse_portfolio(WARM_START_TRAP)
    saved = json.loads(json_of(optimise(p, options=SolveOptions(budget=6))))
    del saved["candidates"][0]["objectives"]["a"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(saved))
    good = tmp_path / "good.json"
    good.write_text(json_of(optimise(p, options=SolveOptions(budget=3))))
    result = invoke("diff", bad, good)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert '$.candidates[0].objectives: no value for "a"' in result.stderr
