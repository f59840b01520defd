"""The Dutch example's national frame checked by hand: its GDP, committed baseline and
equipment figures against the rules its comments state, the share paths and caps
against hand arithmetic, and the optimum's shares of GDP against its own spending."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_time_bruteforce import solve_file

from defplan import load_portfolio
from defplan.frame import share_caps, share_path

DUTCH = Path(__file__).resolve().parent.parent / "portfolios" / "netherlands-2026.yaml"
YEARS = range(2026, 2041)
RATE = 0.0165  # the file's prices: 1.65% a year from 2025
CORE = ("invest", "operate")  # the money lines without a share of GDP of their own


@cache
def raw() -> dict[str, Any]:
    """The file as plain YAML, without defplan's loader."""
    return yaml.safe_load(DUTCH.read_text(encoding="utf-8"))


@cache
def optimum() -> dict[str, Any]:
    """`defplan optimise` of the example, as JSON (solved once for the module)."""
    code, data = solve_file(DUTCH)
    assert code == 0 and data["status"] == "optimal", data["status"]
    return data


def test_gdp_grows_from_cbs_2023_by_the_stated_rule() -> None:
    # CBS: EUR 1,033bn in 2023; then (1 + real) * (1 + prices): 2024 0.9% and 2.9%,
    # 2025 1.9% and 2.8%, from 2026 1.5% and 2% a year; each year rounded to 0.1bn
    gdp = {2023: 1_033_000.0}
    growth = {2024: (0.009, 0.029), 2025: (0.019, 0.028)}
    for year in range(2024, 2041):
        real, prices = growth.get(year, (0.015, 0.02))
        gdp[year] = gdp[year - 1] * (1 + real) * (1 + prices)
    written = raw()["economy"]["gdp"]
    assert sorted(written) == list(YEARS)
    assert written == {y: round(gdp[y], -2) for y in YEARS}
    # the comment's own figures: 1,072.5bn in 2024 and 1,123.5bn in 2025
    assert round(gdp[2024], -2) == 1_072_500 and round(gdp[2025], -2) == 1_123_500
    # and the 2024 budget of EUR 21.4bn is 2.00% of it, beside NATO's 2.05%
    assert 21_400 / round(gdp[2024], -2) == pytest.approx(0.0200, abs=5e-5)


def test_the_baseline_is_the_budget_then_the_plan_in_real_terms_and_at_least_2_percent() -> None:
    economy = raw()["economy"]
    baseline, gdp = economy["baseline"], economy["gdp"]
    # public 2026 budget, then the coalition's additions on the 2026 level
    assert [baseline[y] for y in (2026, 2027, 2028, 2029)] == [
        26_800,
        26_800 + 1_400,
        26_800 + 1_700,
        26_800 + 2_400,
    ]
    for year in range(2030, 2041):
        real_terms = round(29_200 * (1 + RATE) ** (year - 2029))
        assert baseline[year] == max(real_terms, round(0.02 * gdp[year])), year
    # the 2% coupling takes over in 2036 and not before
    assert baseline[2035] > 0.02 * gdp[2035] and baseline[2036] == 0.02 * gdp[2036]


def test_equipment_and_resilience_baselines_follow_their_rules() -> None:
    economy = raw()["economy"]
    # Defence Materiel Fund 2026 outlays (EUR m): defence-wide, maritime, land, air
    equipment_2026 = 1_746.6 + 2_396.3 + 3_306.6 + 2_619.4
    assert equipment_2026 == pytest.approx(10_068.9, abs=1e-9)
    share = equipment_2026 / 26_800  # 37.6% of the 2026 budget
    assert share == pytest.approx(0.376, abs=5e-4)
    equipment = economy["baseline_groups"]["equipment"]
    assert equipment == {y: round(economy["baseline"][y] * share) for y in YEARS}
    # the placeholder for resilience already committed: 1.0% of GDP
    resilience = economy["baseline_lines"]["resilience"]
    assert resilience == {y: round(0.01 * economy["gdp"][y]) for y in YEARS}


def test_the_paths_are_interpolated_between_the_years_given() -> None:
    p = load_portfolio(DUTCH)
    assert p.budget.gdp_share is not None
    core = share_path(p.budget.gdp_share)
    # 2030 lies between 2026 (2.35%) and 2035 (3.5%): 2.35 + 4/9 * 1.15 = 2.8611%
    assert core[2030] == pytest.approx(0.0235 + 4 / 9 * 0.0115, abs=1e-15)
    assert core[2030] == pytest.approx(0.028611, abs=5e-7)
    # 2025 between NATO's 2.05% of 2024 and 2026's 2.35%: their midpoint
    assert core[2025] == pytest.approx(0.022, abs=1e-15)
    assert core[2040] == core[2035] == 0.035
    resilience = p.budget.lines["resilience"].gdp_share
    assert resilience is not None
    # 2031: 1.05 + 5/9 * (1.5 - 1.05) = 1.3%
    assert share_path(resilience)[2031] == pytest.approx(0.013, abs=1e-15)


def test_the_caps_by_hand() -> None:
    rooms = {(c.name, c.year): c.room for c in share_caps(load_portfolio(DUTCH))}
    assert {year for name, year in rooms if name == "core"} == set(YEARS)
    # 2026: 0.0235 * 1,163,200 - 26,800 = 27,335.2 - 26,800 = 535.2
    assert rooms["core", 2026] == pytest.approx(535.2, abs=1e-6)
    # 2035: 0.035 * 1,589,400 - 32,213 = 55,629 - 32,213 = 23,416
    assert rooms["core", 2035] == pytest.approx(23_416, abs=1e-6)
    # resilience 2026: 0.0105 * 1,163,200 - 11,632 = 12,213.6 - 11,632 = 581.6
    assert rooms["resilience", 2026] == pytest.approx(581.6, abs=1e-6)


def candidate_core_money(candidate: dict[str, Any], start: int, delivered: int) -> dict[int, float]:
    """A selected candidate's nominal money on the core lines by year, from the file's
    figures: its profiles shifted to `start`, then its running costs to 2040."""
    cost = candidate["cost"]
    profiles = cost if all(isinstance(k, str) for k in cost) else {"invest": cost}
    first = min(year for profile in profiles.values() for year in profile)
    last = max(year for profile in profiles.values() for year in profile)
    assert delivered == last + start - first, candidate["id"]
    money: dict[int, float] = dict.fromkeys(YEARS, 0.0)
    for line in CORE:
        for year, amount in profiles.get(line, {}).items():
            money[year + start - first] += amount
        for year in range(delivered + 1, YEARS[-1] + 1):
            money[year] += candidate.get("running", {}).get(line, 0)
    return {y: m * (1 + RATE) ** (y - 2025) for y, m in money.items()}


def core_money_by_candidate() -> dict[str, dict[int, float]]:
    """Each selected candidate with years (plain costs fall in no year)."""
    candidates = {c["id"]: c for c in raw()["candidates"]}
    return {
        s["id"]: candidate_core_money(candidates[s["id"]], s["start"], s["delivered"])
        for s in optimum()["selected"]
        if s["start"] is not None
    }


def test_the_optimum_proves_optimal_in_seconds_and_meets_the_hard_targets() -> None:
    data = optimum()
    assert data["solver"]["gap"] == 0 and data["solver"]["seconds"] < 10
    assert all(c["met"] for c in data["commitments"].values() if c["hard"])


def test_the_optimums_core_share_is_its_own_spending_over_gdp_and_within_each_cap() -> None:
    data, economy = optimum(), raw()["economy"]
    path = share_path(raw()["budget"]["gdp_share"])
    for year in YEARS:
        key = str(year)
        spend = math.fsum(data["spend"][line][key] for line in CORE)
        gdp, baseline = economy["gdp"][year], economy["baseline"][year]
        assert data["gdp_share"]["core"][key] == pytest.approx(
            (baseline + spend) / gdp, rel=1e-12
        ), year
        assert spend <= path[year] * gdp - baseline + 1e-6, year
        line = data["spend"]["resilience"][key]
        committed = economy["baseline_lines"]["resilience"][year]
        assert data["gdp_share"]["resilience"][key] == pytest.approx(
            (committed + line) / gdp, rel=1e-12
        ), year
    # 2026, by hand: the committed 26,800 alone is 2.304% of GDP, the options add to it
    assert data["gdp_share"]["core"]["2026"] > 26_800 / 1_163_200 > 0.023


def test_the_selection_spends_what_its_profiles_say_and_equipment_stays_above_20_percent() -> None:
    data, economy = optimum(), raw()["economy"]
    money = core_money_by_candidate()
    groups = {c["id"]: c.get("group") for c in raw()["candidates"]}
    for year in YEARS:
        key = str(year)
        core = math.fsum(m[year] for m in money.values())
        assert core == pytest.approx(
            math.fsum(data["spend"][line][key] for line in CORE), abs=1e-6
        ), year
        equipment = math.fsum(m[year] for i, m in money.items() if groups[i] == "equipment")
        committed = economy["baseline_groups"]["equipment"][year]
        assert committed + equipment >= 0.2 * (economy["baseline"][year] + core), year
