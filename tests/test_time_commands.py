"""Every command with a plan in time: what the report, diff, explain, validate, CSV,
conflicts and saved results show of start years, lines, carry-over and running costs.

The optimum's numbers are checked against brute force elsewhere; here each command's
view is checked against the optimum it shows, or against arithmetic done by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from samples import cells, invoke, line_with, optimise_json

# A small programme (no prices: money as written).
#   radar: 80 + 60 over two years from its start (2026-2028 allowed), then 10 a year on
#     operate and 100 staff from the year after delivery; 1 point lost per year of delay.
#   ships: 90 in its start year (2026 or 2027), then 250 staff a year.
#   depot: 40 in 2026; brigade: 50 in 2027, only after the depot is delivered (2026).
#   Caps on invest: 100 in each of 2026-2028, 50 may carry over; staff: 300 in 2029.
PROGRAMME = """\
defplan: 1
name: Programme
years: [2026, 2030]
lines:
  invest: {label: Investment}
  operate: {label: Operating}
  staff: {label: Personnel, unit: FTE, money: false}
objectives:
  n: {weight: 1}
budget:
  total: 1000
  per_year: {2026: 100, 2027: 100, 2028: 100}
  carry_over: 50
  lines:
    staff: {per_year: {2029: 300}}
candidates:
  - id: radar
    cost: {2026: 80, 2027: 60}
    start: [2026, 2028]
    delay_penalty: 1
    running: {operate: 10, staff: 100}
    value: {n: 10}
  - id: ships
    cost: {2026: 90}
    start: [2026, 2027]
    running: {staff: 250}
    value: {n: 6}
  - id: depot
    cost: {2026: 40}
    value: {n: 3}
  - id: brigade
    cost: {2027: 50}
    after: [depot]
    value: {n: 4}
"""


@pytest.fixture
def programme(tmp_path: Path) -> Path:
    path = tmp_path / "programme.yaml"
    path.write_text(PROGRAMME, encoding="utf-8")
    return path


def _starts(data: dict[str, object]) -> dict[str, int | None]:
    return {s["id"]: s["start"] for s in data["selected"]}  # type: ignore[index, attr-defined]


def test_the_report_draws_each_selected_candidate_across_the_years(programme: Path) -> None:
    data = optimise_json(programme)
    shown = invoke("optimise", programme, env={"COLUMNS": "120"})
    assert shown.exit_code == 0, shown.output
    text = shown.stdout
    assert "Schedule" in text
    for entry in data["selected"]:
        if entry["start"] is None:
            continue
        row = cells(line_with(text, f" {entry['id']} ", str(entry["start"]), "█"))
        bar = row[-1]
        # one character a year, 2026-2030: investment from start to delivery, then running
        expected = "".join(
            "█"
            if entry["start"] <= year <= entry["delivered"]
            else "░"
            if year > entry["delivered"] and entry["id"] in ("radar", "ships")
            else "·"
            for year in range(2026, 2031)
        )
        assert bar == expected
    # each line's own table, the carried balance on the first, what runs on after 2030
    assert "Investment (M EUR)" in text and "Carried" in text
    assert "Personnel (FTE)" in text
    assert "After 2030 the selection still costs, each year:" in text


def test_the_carried_balance_follows_the_caps_by_hand(programme: Path) -> None:
    data = optimise_json(programme)
    spend = data["spend"]["invest"]
    carried = 0.0
    for year in ("2026", "2027", "2028"):
        # what may be spent: the cap and what came in; what is carried: the rest, up to 50
        assert spend[year] <= 100 + carried + 1e-9
        carried = min(50.0, 100 + carried - spend[year])
        assert data["carried"][year] == pytest.approx(carried, abs=1e-9)
    assert set(data["carried"]) == {"2026", "2027", "2028"}


def test_running_after_the_horizon_is_each_selected_running_cost(programme: Path) -> None:
    data = optimise_json(programme)
    chosen = {s["id"] for s in data["selected"]}
    staff = (100 if "radar" in chosen else 0) + (250 if "ships" in chosen else 0)
    assert data["running_after"] == {
        "invest": 0,
        "operate": 10 if "radar" in chosen else 0,
        "staff": staff,
    }


def test_start_forces_a_start_year_and_says_what_it_cannot(programme: Path) -> None:
    data = optimise_json(programme, "--start", "radar=2028")
    assert _starts(data)["radar"] == 2028
    assert data["run"]["starts"] == {"radar": 2028}
    for args, message in (
        (
            ["--start", "radar=2029"],
            "'radar' cannot start in 2029; its start years are 2026, 2027, 2028",
        ),
        (["--start", "depot=2027"], "'depot' cannot start in 2027; its start years are 2026"),
        (["--start", "radr=2026"], "--start: unknown candidate 'radr' (did you mean 'radar'?)"),
        (["--start", "radar"], "--start takes ID=YEAR with a whole year, not 'radar'"),
        (["--start", "radar=2026", "--exclude", "radar"], "both --start and --exclude name: radar"),
    ):
        result = invoke("optimise", programme, *args)
        assert result.exit_code == 2, result.output
        assert message in result.stderr


def test_diff_shows_a_moved_start_as_a_change(programme: Path, tmp_path: Path) -> None:
    left, right = tmp_path / "left.json", tmp_path / "right.json"
    for path, year in ((left, "2027"), (right, "2028")):
        ran = invoke("optimise", programme, "--start", f"radar={year}", "--output", path)
        assert ran.exit_code == 0, ran.output
    shown = invoke("diff", left, right, "--format", "json")
    assert shown.exit_code == 0, shown.output
    doc = json.loads(shown.stdout)
    assert {"id": "radar", "left": 2027, "right": 2028} in doc["moved"]
    assert doc["scenario"]["start.radar"] == {"left": 2027, "right": 2028}
    # its money and value follow the start: not a change of the file's figures
    assert "radar" not in [c["id"] for c in doc["candidates_changed"]]
    table = invoke("diff", left, right, env={"COLUMNS": "120"})
    assert cells(line_with(table.stdout, " radar ", "+1 year")) == [
        "radar",
        "2027",
        "2028",
        "+1 year",
    ]


def test_a_saved_plan_in_time_reads_back_unchanged(programme: Path, tmp_path: Path) -> None:
    saved = tmp_path / "saved.json"
    assert invoke("optimise", programme, "--output", saved).exit_code == 0
    shown = invoke("diff", saved, saved, "--format", "json")
    assert shown.exit_code == 0, shown.output
    doc = json.loads(shown.stdout)
    assert doc["moved"] == [] and doc["scenario"] == {} and doc["candidates_changed"] == []
    assert doc["left"]["spend"] == json.loads(saved.read_text())["spend"]
    assert doc["left"]["carried"] == json.loads(saved.read_text())["carried"]


def test_explain_gives_the_best_portfolio_at_each_start_year(programme: Path) -> None:
    shown = invoke("explain", programme, "radar", "--format", "json")
    assert shown.exit_code == 0, shown.output
    doc = json.loads(shown.stdout)
    best = optimise_json(programme)
    assert doc["start"] == _starts(best).get("radar")
    assert [s["year"] for s in doc["starts"]] == [2026, 2027, 2028]
    for s in doc["starts"]:
        forced = invoke("optimise", programme, "--start", f"radar={s['year']}", "--format", "json")
        if s["value"] is None:
            assert forced.exit_code == 3
            continue
        value = json.loads(forced.stdout)["value"]
        assert s["value"] == value
        assert s["below_optimum"] == pytest.approx(best["value"] - value, abs=1e-9)
    text = invoke("explain", programme, "radar").stdout
    assert "The best portfolio with it, by start year:" in " ".join(text.split())


def test_validate_shows_each_lines_demand_against_its_caps(programme: Path) -> None:
    shown = invoke("validate", programme, env={"COLUMNS": "120"})
    assert shown.exit_code == 0, shown.output
    text = shown.stdout
    assert "lines: invest (Investment, M EUR), operate (Operating, M EUR), staff" in text
    assert "carry-over: at most 50 of the unspent caps" in text
    # each at its earliest start: radar 80 + ships 90 + depot 40 in 2026; 2029 staff:
    # radar (delivered 2027) 100 + ships (2026) 250
    assert cells(line_with(text, "│ 2026 "))[:3] == ["2026", "210", "100"]
    assert cells(line_with(text, "│ 2029 "))[-2:] == ["350", "300"]


def test_csv_gives_start_and_delivery_years(programme: Path) -> None:
    data = optimise_json(programme)
    shown = invoke("optimise", programme, "--format", "csv")
    rows = [line.split(",") for line in shown.stdout.splitlines()]
    header = rows[0]
    assert header[-2:] == ["start", "delivered"]
    for row in rows[1:]:
        entry = next((s for s in data["selected"] if s["id"] == row[0]), None)
        if entry is None:
            assert row[-2:] == ["", ""]
        else:
            assert row[-2:] == [str(entry["start"]), str(entry["delivered"])]


def test_conflicts_name_the_blocks_of_a_plan_in_time(tmp_path: Path) -> None:
    # the ships are delivered in 2026 or 2027 and need 250 staff a year after: 50 is short
    text = PROGRAMME.replace("staff: {per_year: {2029: 300}}", "staff: {per_year: {2029: 50}}")
    text = text.replace("  - id: ships\n", "  - id: ships\n    mandatory: true\n")
    path = tmp_path / "tight.yaml"
    path.write_text(text, encoding="utf-8")
    shown = invoke("optimise", path, "--format", "json")
    assert shown.exit_code == 3, shown.output
    doc = json.loads(shown.stdout)
    assert "budget.line.staff.2029" in doc["conflicts"]
    detail = next(d for d in doc["conflict_details"] if d.startswith("budget.line.staff.2029"))
    assert "raising it alone to 250 FTE (by 200) would admit a portfolio" in detail
    assert "mandatory.ships" in doc["conflicts"]


# Caps that bind by a hair, worked by hand: each keeps one candidate out by less than 5%
# of the cap (2.5%, 2.4%, 4%), so a model that loosens any of them by 5% fails here.
BINDING = """\
defplan: 1
years: [2026, 2028]
lines:
  invest: {}
  operate: {}
  staff: {unit: FTE, money: false}
objectives:
  n: {weight: 1}
budget:
  total: 1000
  per_year: {2026: 100, 2027: 100, 2028: 100}
  carry_over: 20
  lines:
    operate: {total: 100}
    staff: {per_year: {2028: 50}}
candidates:
  # 2026 spends nothing, so 20 of its 100 carry into 2027: 120 may be spent there
  - id: late-radar
    cost: {2027: 120.5}
    value: {n: 5}
  # 98.6 on operate in 2026 and 1.9 running in each of 2027 and 2028: 102.4 > 100
  - id: depot
    cost: {invest: {2026: 1}, operate: {2026: 98.6}}
    running: {operate: 1.9}
    value: {n: 4}
  # 52 staff a year from 2028, over the 50 of 2028
  - id: crews
    cost: {2026: 1, 2027: 1}
    running: {staff: 52}
    value: {n: 3}
  - id: spare
    cost: {2026: 1}
    value: {n: 1}
"""


@pytest.mark.parametrize(
    ("change", "admitted"),
    [
        ("", []),
        ("carry_over: 20\n", ["late-radar"]),  # a carry-over of 20.5: 120.5 fits in 2027
        ("operate: {total: 100}", ["depot"]),  # an operating total of 102.4
        ("staff: {per_year: {2028: 50}}", ["crews"]),  # 52 staff in 2028
    ],
)
def test_each_cap_binds_by_a_hair(tmp_path: Path, change: str, admitted: list[str]) -> None:
    loosened = {
        "carry_over: 20\n": "carry_over: 20.5\n",
        "operate: {total: 100}": "operate: {total: 102.4}",
        "staff: {per_year: {2028: 50}}": "staff: {per_year: {2028: 52}}",
    }
    text = BINDING.replace(change, loosened[change]) if change else BINDING
    path = tmp_path / "binding.yaml"
    path.write_text(text, encoding="utf-8")
    data = optimise_json(path)
    assert [s["id"] for s in data["selected"]] == [*admitted, "spare"]


def test_a_window_of_thousands_of_years_gives_the_starts_that_fit(tmp_path: Path) -> None:
    # only 2026-2030 fit a one-year profile in the horizon: the same options as [2026, 2030]
    text = PROGRAMME.replace("start: [2026, 2027]", "start: [1, 9999]")
    wide, narrow = tmp_path / "wide.yaml", tmp_path / "narrow.yaml"
    wide.write_text(text, encoding="utf-8")
    narrow.write_text(text.replace("start: [1, 9999]", "start: [2026, 2030]"), encoding="utf-8")
    from defplan.loading.portfolio import load_portfolio
    from defplan.timeline import options_of

    def starts(path: Path) -> list[tuple[int, int | None]]:
        return [(o.candidate, o.start) for o in options_of(load_portfolio(path))]

    assert starts(wide) == starts(narrow)
    assert [s for c, s in starts(wide) if c == 1] == [2026, 2027, 2028, 2029, 2030]


def test_a_plan_too_large_to_hold_is_refused_before_it_is_made(tmp_path: Path) -> None:
    # 300 candidates, 4 start years each, running for up to 9,999 years: 12 million
    # amounts (gigabytes), from a file of 300 lines
    lines = ["years: [1, 9999]", "objectives: {n: {}}", "budget: {total: 1e6}", "candidates:"]
    lines += [
        f"  - {{id: c{i}, cost: {{2: 1}}, start: [2, 5], running: 1, value: {{n: 1}}}}"
        for i in range(300)
    ]
    path = tmp_path / "long.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for command in ("validate", "optimise"):
        result = invoke(command, path)
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        assert (
            "this plan in time is too large: its start options would spend in 12,000,000 "
            "option-years" in result.stderr
        )
