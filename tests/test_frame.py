"""The national frame: GDP share paths, the committed baseline and the groups' shares of
defence spending; format checks, interpolation by hand, and the CLI against enumeration."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from bruteforce import to_yaml
from bruteforce_frame import core_money, frame_docs, frame_oracle, interpolated
from hypothesis import event, given, note
from samples import invoke
from test_time_bruteforce import FAST, check_result, close, solve_file

from defplan.frame import share_path
from defplan.loading import parse_portfolio

FRAME = """\
defplan: 1
years: [2026, 2028]
economy:
  gdp: {2026: 1000, 2027: 1050, 2028: 1100}
  baseline: {2026: 18, 2027: 19, 2028: 20}
  baseline_groups: {equipment: {2026: 3, 2027: 3, 2028: 3}}
budget:
  gdp_share: {2026: 0.02, 2028: 0.025}
groups:
  equipment: {min_share_of_defence: 0.2}
objectives: {v: {}}
candidates:
  - {id: a, group: equipment, cost: {2026: 1.5, 2027: 2}, value: {v: 5}}
  - {id: b, cost: {2027: 3.2}, value: {v: 4}}
  - {id: c, cost: {2028: 7.8}, value: {v: 6}}
  - {id: d, group: equipment, cost: {2028: 2.5}, value: {v: 2}}
"""


def validated(tmp_path: Path, text: str) -> Any:
    """`defplan validate` on the text, written to a file."""
    path = tmp_path / "frame.yaml"
    path.write_text(text, encoding="utf-8")
    return invoke("validate", path)


def test_a_share_path_is_interpolated_linearly_between_its_years() -> None:
    path = share_path({2026: 0.02, 2030: 0.03, 2035: 0.035})
    assert sorted(path) == list(range(2026, 2036))
    assert path[2026] == 0.02 and path[2030] == 0.03 and path[2035] == 0.035
    assert path[2028] == pytest.approx(0.025, abs=1e-15)
    assert path[2027] == pytest.approx(0.0225, abs=1e-15)
    assert path[2033] == pytest.approx(0.033, abs=1e-15)
    assert share_path({2030: 0.05}) == {2030: 0.05}  # one year: that year only
    # the reference agrees, in exact arithmetic
    assert interpolated({2026: 0.02, 2030: 0.03})[2029] == Fraction(11, 400)


def test_the_frame_example_worked_by_hand(tmp_path: Path) -> None:
    # caps: 2026 0.02*1000-18 = 2; 2027 0.0225*1050-19 = 4.625; 2028 0.025*1100-20 = 7.5.
    # c (7.8 in 2028) never fits; equipment's 20% of defence needs a in 2026 (3 + 1.5
    # >= 0.2 * 19.5, while 3 < 0.2 * 18) and d in 2028; b and a together pass 2027's cap
    path = tmp_path / "frame.yaml"
    path.write_text(FRAME, encoding="utf-8")
    code, data = solve_file(path)
    assert code == 0
    assert [s["id"] for s in data["selected"]] == ["a", "d"]
    assert data["groups"]["equipment"]["rule"] == "at least 20% of core defence spending each year"
    shares = data["gdp_share"]["core"]
    assert shares == {"2026": 0.0195, "2027": 0.02, "2028": pytest.approx(22.5 / 1100)}
    table = invoke("optimise", path)
    assert "Core defence spending as a share of GDP" in table.stdout
    assert "2.25%" in table.stdout  # 2027's pledge, interpolated
    assert "committed █, new ▒, pledge │" in table.stdout  # the chart
    # equipment's share of core spending: 2026 (3 + 1.5) / (18 + 1.5) = 23.08%,
    # 2028 (3 + 2.5) / (20 + 2.5) = 24.44%
    assert "Group equipment: its share of core defence spending" in table.stdout
    assert "23.08%" in table.stdout and "24.44%" in table.stdout


def test_validate_shows_the_room_each_year_of_the_pledge_leaves(tmp_path: Path) -> None:
    path = tmp_path / "frame.yaml"
    path.write_text(FRAME, encoding="utf-8")
    result = invoke("validate", path)
    assert result.exit_code == 0
    assert "The pledge for core defence spending: room for new" in result.stdout
    # 2027: 2.25% of 1,050 less the committed 19 leaves 4.625; a and b ask 2 + 3.2
    row = next(line for line in result.stdout.splitlines() if line.startswith("│ 2027"))
    assert [cell.strip() for cell in row.strip("│").split("│")] == [
        "2027",
        "1,050",
        "19",
        "2.25%",
        "4.63",
        "5.2",
    ]


def test_a_binding_share_is_named_with_the_share_that_would_do(tmp_path: Path) -> None:
    text = (
        FRAME.replace("cost: {2028: 7.8}", "cost: {2028: 7.8}, mandatory: true")
        .replace("groups:\n  equipment: {min_share_of_defence: 0.2}\n", "")
        .replace("  baseline_groups: {equipment: {2026: 3, 2027: 3, 2028: 3}}\n", "")
    )
    path = tmp_path / "frame.yaml"
    path.write_text(text, encoding="utf-8")
    result = invoke("optimise", path)
    assert result.exit_code == 3
    # c needs 7.8 in 2028, the cap is 7.5: (20 + 7.8) / 1100 = 2.527% would do
    assert "gdp_share.2028" in result.stderr and "mandatory.c" in result.stderr
    assert "a share of 2.527% of GDP (7.8 M EUR for new options) would admit" in result.stderr


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (
            "gdp: {2026: 1000, 2027: 1050, 2028: 1100}",
            "gdp: {2026: 1000, 2028: 1100}",
            "(interpolated) but economy.gdp",
        ),
        (
            "baseline: {2026: 18, 2027: 19, 2028: 20}",
            "baseline: {2026: 18, 2027: 19}",
            "2028 has a share of GDP but no entry in economy.baseline",
        ),
        (
            "gdp_share: {2026: 0.02, 2028: 0.025}",
            "gdp_share: {2026: 1.2, 2028: 0.025}",
            "must be <= 1",
        ),
        (
            "  equipment: {min_share_of_defence: 0.2}",
            "  equipment: {min_share_of_defence: 0.2, max_share_of_defence: 0.1}",
            "exceeds max_share_of_defence",
        ),
        (
            "  baseline_groups: {equipment:",
            "  baseline_groups: {equipmnt:",
            "no candidate has group 'equipmnt' (did you mean 'equipment'?)",
        ),
        ("years: [2026, 2028]\n", "", "'economy' needs 'years'"),
    ],
)
def test_frame_errors_point_at_their_place(
    change: str, where: str, message: str, tmp_path: Path
) -> None:
    assert change in FRAME
    path = tmp_path / "bad.yaml"
    path.write_text(FRAME.replace(change, where), encoding="utf-8")
    result = invoke("validate", path)
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr
    assert f"{path}:" in result.stderr and "Traceback" not in result.stderr


def test_validate_warns_that_a_plain_cost_is_in_no_year_of_the_pledge(tmp_path: Path) -> None:
    text = FRAME.replace("budget:\n", "budget:\n  total: 30\n") + (
        "  - {id: e, cost: 1.2, value: {v: 1}}\n"
    )
    result = validated(tmp_path, text)
    assert result.exit_code == 0
    assert "1 candidate has a plain cost, which no annual cap counts: e" in result.stderr


def test_group_shares_of_defence_need_a_baseline(tmp_path: Path) -> None:
    text = FRAME.replace("  baseline: {2026: 18, 2027: 19, 2028: 20}\n", "").replace(
        "  gdp_share: {2026: 0.02, 2028: 0.025}\n", "  total: 10\n"
    )
    result = validated(tmp_path, text)
    assert result.exit_code == 2
    assert "'min_share_of_defence' needs economy.baseline" in result.stderr


def test_core_is_no_line_name_and_a_share_needs_money(tmp_path: Path) -> None:
    text = FRAME.replace(
        "economy:\n",
        "lines: {invest: {}, core: {}, staff: {money: false, unit: FTE}}\neconomy:\n",
    ).replace("budget:\n", "budget:\n  lines: {staff: {gdp_share: {2026: 0.01}}}\n")
    result = validated(tmp_path, text)
    assert result.exit_code == 2
    assert "'core' is not a line name" in result.stderr
    assert "line 'staff' is not money" in result.stderr


@pytest.mark.parametrize(
    "features",
    [("windows", "running", "lines"), ("prices", "carry_over", "windows"), ("lines", "line_caps")],
    ids="+".join,
)
def test_cli_matches_the_reference_with_an_economy(
    features: tuple[str, ...], tmp_path: Path
) -> None:
    @FAST
    @given(frame_docs(features))
    def each(doc: dict[str, Any]) -> None:
        text = to_yaml(doc)
        path = tmp_path / "plan.yaml"
        path.write_text(text, encoding="utf-8")
        p = parse_portfolio(text, filename="plan.yaml")
        expected = frame_oracle(p)
        _, data = solve_file(path)
        chosen = expected.plan and expected.selected
        note(f"--- portfolio\n{text}--- expected {expected.status} {chosen}\n{data}")
        check_result(data, expected, text)
        event(f"{expected.status}, decided by {expected.decided_by or '-'}")
        if expected.plan is None:
            return
        economy = p.economy
        assert economy is not None
        for year, share in data["gdp_share"]["core"].items():
            y = int(year)
            core = core_money(p, expected.plan, y)
            want = (Fraction(repr(economy.baseline[y])) + core) / Fraction(repr(economy.gdp[y]))
            assert close(share, want), (year, text)

    each()


def _solved(path: Path, text: str) -> dict[str, Any]:
    path.write_text(text, encoding="utf-8")
    code, data = solve_file(path)
    assert code in (0, 3)
    return data


def test_a_sweep_over_the_pledge_is_each_share_solved_alone(tmp_path: Path) -> None:
    # each point must be what optimise gives on the file with that year's share
    # written in (the path interpolated again in between)
    text = FRAME.replace(
        "  - {id: b,", "  - {id: e, cost: {2026: 0.4, 2028: 1.1}, value: {v: 1}}\n  - {id: b,"
    )
    path = tmp_path / "frame.yaml"
    path.write_text(text, encoding="utf-8")
    result = invoke("sweep", path, "--gdp-share", "2028=0.02:0.03:0.0025", "--format", "json")
    assert result.exit_code == 0, result.stderr
    points = json.loads(result.stdout)["points"]
    shares = [0.02, 0.0225, 0.025, 0.0275, 0.03]
    assert [p["sweep"]["gdp_share"] for p in points] == [{"year": 2028, "share": s} for s in shares]
    for point, share in zip(points, shares, strict=True):
        alone = _solved(
            tmp_path / f"at-{share}.yaml",
            text.replace(
                "gdp_share: {2026: 0.02, 2028: 0.025}", f"gdp_share: {{2026: 0.02, 2028: {share}}}"
            ),
        )
        assert point["status"] == alone["status"]
        assert [s["id"] for s in point["selected"]] == [s["id"] for s in alone["selected"]]
        assert point["value"] == alone["value"]
    statuses = [p["status"] for p in points]
    assert statuses[0] == "infeasible" and statuses[-1] == "optimal"  # the share binds
    # marginal: value per percentage point of GDP since the previous point with one
    values = [p["value"] for p in points]
    for k in range(2, len(points)):
        assert points[k]["sweep"]["marginal"] == pytest.approx((values[k] - values[k - 1]) / 0.25)
    table = invoke("sweep", path, "--gdp-share", "2028=0.02,0.03")
    assert "Value against 2028 share of GDP" in table.stdout
    assert "3% " in table.stdout and "2.75%" not in table.stdout
    csv = invoke("sweep", path, "--gdp-share", "2028=0.02,0.03", "--format", "csv")
    assert csv.stdout.splitlines()[0].startswith("gdp_share,status,value,cost,marginal_per_point")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "sweep needs one of --budget and --gdp-share"),
        (
            ("--budget", "5,6", "--gdp-share", "2028=0.02"),
            "sweep needs one of --budget and --gdp-share",
        ),
        (("--gdp-share", "0.02:0.03:0.01"), "--gdp-share takes YEAR=START:STOP:STEP"),
        (("--gdp-share", "2028=0.02:1.5:0.5"), "shares of GDP are numbers from 0 to 1"),
        (("--gdp-share", "2028=0.03:0.02:0.01"), "needs START <= STOP"),
        (("--gdp-share", "2026=0.02"), "2026 has a share of GDP but no entry in economy.gdp"),
    ],
)
def test_a_sweep_over_the_pledge_refuses_what_it_cannot_do(
    args: tuple[str, ...], message: str, tmp_path: Path
) -> None:
    text = (
        FRAME.replace("gdp: {2026: 1000, 2027: 1050, 2028: 1100}", "gdp: {2027: 1050, 2028: 1100}")
        .replace("baseline: {2026: 18, 2027: 19, 2028: 20}", "baseline: {2027: 19, 2028: 20}")
        .replace("gdp_share: {2026: 0.02, 2028: 0.025}", "gdp_share: {2027: 0.0225, 2028: 0.025}")
        .replace("  baseline_groups: {equipment: {2026: 3, 2027: 3, 2028: 3}}\n", "")
        .replace("groups:\n  equipment: {min_share_of_defence: 0.2}\n", "")
    )
    path = tmp_path / "frame.yaml"
    path.write_text(text, encoding="utf-8")
    assert invoke("validate", path).exit_code == 0
    result = invoke("sweep", path, *args)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_a_sweep_over_the_pledge_needs_a_path(tmp_path: Path) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text(
        "defplan: 1\nbudget: {total: 5}\nobjectives: {v: {}}\n"
        "candidates:\n  - {id: a, cost: 3, value: {v: 1}}\n",
        encoding="utf-8",
    )
    result = invoke("sweep", path, "--gdp-share", "2030=0.02")
    assert result.exit_code == 2
    assert "the file has no budget.gdp_share" in result.stderr


def test_an_option_that_fills_the_pledge_exactly_fits(tmp_path: Path) -> None:
    # 2.15% of 1,200,000 is 25,800 on paper, 25,799.999999999996 in binary floating
    # point: the room of 200 left after the committed 25,600 is filled exactly by a
    # and must not be lost to the rounding of numbers a hundred times its size
    path = tmp_path / "exact.yaml"
    path.write_text(
        "defplan: 1\nyears: [2026, 2026]\n"
        "economy: {gdp: {2026: 1200000}, baseline: {2026: 25600}}\n"
        "budget: {gdp_share: {2026: 0.0215}}\nobjectives: {v: {}}\n"
        "candidates:\n  - {id: a, cost: {2026: 200}, value: {v: 2}}\n"
        "  - {id: b, cost: {2026: 150}, value: {v: 1}}\n",
        encoding="utf-8",
    )
    code, data = solve_file(path)
    assert code == 0
    assert [s["id"] for s in data["selected"]] == ["a"]
    assert data["gdp_share"]["core"] == {"2026": 0.0215}
