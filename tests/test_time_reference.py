"""Plans in time worked out by hand: carry-over, a price index and a price rate.

Each file under tests/data/time/ shows its arithmetic in a comment; the numbers below
are copied from there. The brute-force reference (tests/bruteforce_time.py) must agree
with the hand, and so must `defplan optimise --format json`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pulp
import pytest
from bruteforce_time import Frame, Option, Run, evaluate, exact, options_of, oracle
from test_time_bruteforce import close, solve_file

from defplan.loading import load_portfolio
from defplan.model import Portfolio

DATA = Path(__file__).parent / "data" / "time"
F = Fraction

HAND: dict[str, dict[str, Any]] = {
    "carry-over": {
        "selected": [("a", 2026, 2027, F(130), F(5)), ("c", 2029, 2029, F(90), F(3))],
        "value": F(8),
        "cost": F(220),
        "spend": {"budget": {2026: F(60), 2027: F(70), 2028: F(0), 2029: F(90)}},
        "running_after": {"budget": F(0)},
        "carried": {2026: F(30), 2027: F(10), 2029: F(0)},
    },
    "price-index": {
        "selected": [
            ("radar", 2026, 2027, F("165.5"), F(4)),
            ("drones", 2027, 2027, F(105), F("2.5")),
        ],
        "value": F("6.5"),
        "cost": F("270.5"),
        "spend": {
            "invest": {2026: F(102), 2027: F("157.5"), 2028: F(0)},
            "operate": {2026: F(0), 2027: F(0), 2028: F(11)},
            "staff": {2026: F(0), 2027: F(0), 2028: F(20)},
        },
        "running_after": {"invest": F(0), "operate": F(11), "staff": F(20)},
        "carried": None,
    },
    "price-rate": {
        "selected": [("a", 2027, 2028, F(176), F(5)), ("b", 2027, 2027, F("72.05"), F(3))],
        "value": F("6.5"),
        "cost": F("248.05"),
        "spend": {"budget": {2026: F(0), 2027: F(121), 2028: F("127.05")}},
        "running_after": {"budget": F("6.05")},
        "carried": None,
    },
}


@pytest.mark.parametrize("name", list(HAND))
def test_reference_agrees_with_the_hand(name: str) -> None:
    want = HAND[name]
    got = oracle(load_portfolio(DATA / f"{name}.yaml"))
    assert got.plan is not None
    plan = got.plan
    assert [(cid, o.start, o.delivered, o.money, o.value) for cid, o in plan.chosen] == want[
        "selected"
    ]
    assert (plan.value, plan.money) == (want["value"], want["cost"])
    assert plan.spend == want["spend"]
    assert plan.running_after == want["running_after"]
    assert plan.carried == want["carried"]


@pytest.mark.parametrize("name", list(HAND))
def test_cli_agrees_with_the_hand(name: str) -> None:
    want = HAND[name]
    code, data = solve_file(DATA / f"{name}.yaml")
    assert (code, data["status"]) == (0, "optimal"), data
    assert [(s["id"], s["start"], s["delivered"]) for s in data["selected"]] == [
        entry[:3] for entry in want["selected"]
    ]
    for entry, (_, _, _, cost, value) in zip(data["selected"], want["selected"], strict=True):
        assert close(entry["cost"], cost) and close(entry["value"], value), entry
    assert close(data["value"], want["value"]) and close(data["cost"]["total"], want["cost"])
    assert {line: set(years) for line, years in data["spend"].items()} == {
        line: {str(y) for y in years} for line, years in want["spend"].items()
    }
    for line, years in want["spend"].items():
        for year, amount in years.items():
            assert close(data["spend"][line][str(year)], amount), (line, year)
    for line, amount in want["running_after"].items():
        assert close(data["running_after"].get(line, 0), amount), line
    if want["carried"] is None:
        assert "carried" not in data
    else:
        assert data["carried"].keys() == {str(y) for y in want["carried"]}
        for year, amount in want["carried"].items():
            assert close(data["carried"][str(year)], amount), year


# ------------------------------------------------------------------------- LOGOS
# Two of LOGOS's capital-budgeting cases (Idaho National Laboratory, Apache-2.0; see
# tests/data/logos/README.md) converted into portfolio files, with LOGOS's own optimal
# NPV as the gold value. The XML is read here to check the conversion option by option.

LOGOS = Path(__file__).parent / "data" / "logos"
LOGOS_XML = Path(__file__).parent / "data" / "reference" / "logos"  # LOGOS's own files
FIRST_YEAR = 2019  # LOGOS's year1..year5 are the fiscal years 2019..2023


@dataclass(frozen=True)
class LogosOption:
    """One option of a LOGOS investment: its NPV and cost by resource and year."""

    investment: str
    name: str
    npv: Fraction
    costs: dict[str, dict[int, Fraction]]  # resource -> year -> amount (zeros left out)


def logos_case(name: str) -> tuple[list[LogosOption], dict[str, dict[int, Fraction]], set[str]]:
    """The options (DoNothing left out), the capital by resource and year, and the
    mandated investments of a LOGOS MCKP case."""
    root = ElementTree.parse(LOGOS_XML / f"{name}.xml").getroot()

    def words(path: str) -> list[str]:
        return (root.findtext(path) or "").split()

    investments = words("Sets/investments")
    resources = words("Sets/resources")
    periods = words("Sets/time_periods")
    per_investment = [o.split() for o in (root.findtext("Sets/options") or "").split(";")]
    npvs = iter(Fraction(w) for w in words("Parameters/net_present_values"))
    costs = iter(Fraction(w) for w in words("Parameters/costs"))
    options = []
    for investment, names in zip(investments, per_investment, strict=True):
        for option in names:
            npv = next(npvs)
            by_resource = {
                r: {FIRST_YEAR + t: a for t in range(len(periods)) if (a := next(costs))}
                for r in resources
            }
            if option != "DoNothing":
                options.append(LogosOption(investment, option, npv, by_resource))
    capital = iter(Fraction(w) for w in words("Parameters/available_capitals"))
    caps = {r: {FIRST_YEAR + t: next(capital) for t in range(len(periods))} for r in resources}
    return options, caps, set(words("Settings/mandatory"))


def gold(name: str) -> tuple[set[tuple[str, str]], float]:
    """LOGOS's optimal options (investment, option) and its MaxNPV."""
    header, row = (LOGOS_XML / f"{name}.gold.csv").read_text().splitlines()[:2]
    chosen = {
        tuple(col.split("__"))
        for col, x in zip(header.split(","), row.split(","), strict=True)
        if col != "MaxNPV" and float(x) == 1 and not col.endswith("__DoNothing")
    }
    return chosen, float(row.split(",")[-1])  # type: ignore[return-value]


CASES = {"use_case_1b_fy19": {"CapitalFunds": "budget"}}
CASES["use_case_1c_fy19"] = {"CapitalFunds": "capital", "OandMFunds": "om"}


def _investment(candidate_id: str) -> str:
    return candidate_id.split("-")[0]


def _converted(name: str) -> tuple[Portfolio, Frame, dict[str, list[Option]]]:
    portfolio = load_portfolio(LOGOS / f"{name}.yaml")
    frame = Frame.of(portfolio, Run())
    return portfolio, frame, {c.id: options_of(c, frame) for c in portfolio.candidates}


def _as_logos(option: Option, lines: dict[str, str]) -> tuple[Fraction, tuple[Any, ...]]:
    resource = {line: r for r, line in lines.items()}
    spend = sorted((resource[line], y, a) for (line, y), a in option.spend.items() if a)
    return option.value, tuple(spend)


@pytest.mark.parametrize("name", list(CASES))
def test_logos_conversion_keeps_every_option_and_rule(name: str) -> None:
    # Each LOGOS option is exactly one option of the converted file (a start of a window
    # or a candidate of its own), with the same NPV and costs; an investment's options
    # exclude each other, and a mandated one must take one; the caps are LOGOS's capital.
    options, caps, mandated = logos_case(name)
    portfolio, _, converted = _converted(name)
    lines = CASES[name]
    want = sorted(
        (
            o.investment,
            o.npv,
            tuple(sorted((r, y, a) for r, p in o.costs.items() for y, a in p.items())),
        )
        for o in options
    )
    got = sorted(
        (_investment(cid), *_as_logos(o, lines)) for cid, opts in converted.items() for o in opts
    )
    assert got == want
    rules = {frozenset(r.of): r.bounds for r in portfolio.rules}
    for investment in dict.fromkeys(o.investment for o in options):
        members = [c for c in portfolio.candidates if _investment(c.id) == investment]
        if len(members) == 1:  # its options are starts of one candidate: at most one
            assert members[0].mandatory == (investment in mandated)
        else:
            assert not any(c.mandatory for c in members)
            low = 1 if investment in mandated else None
            assert rules.pop(frozenset(c.id for c in members)) == (low, 1), investment
    assert not rules
    assert not portfolio.budget.total and not portfolio.prices
    year_caps = {lines["CapitalFunds"]: {y: exact(c) for y, c in portfolio.budget.per_year.items()}}
    for line, entry in portfolio.budget.lines.items():
        assert entry.total is None
        year_caps[line] = {y: exact(c) for y, c in entry.per_year.items()}
    assert year_caps == {lines[r]: c for r, c in caps.items()}


def _gold_choice(name: str) -> tuple[tuple[Option | None, ...], float]:
    """The gold selection as a choice of options of the converted file."""
    options, _, _ = logos_case(name)
    chosen, npv = gold(name)
    portfolio, _, converted = _converted(name)
    lines = CASES[name]
    wanted = {
        (
            o.investment,
            o.npv,
            tuple(sorted((r, y, a) for r, p in o.costs.items() for y, a in p.items())),
        )
        for o in options
        if (o.investment, o.name) in chosen
    }
    choice = []
    for c in portfolio.candidates:
        hits = [o for o in converted[c.id] if (_investment(c.id), *_as_logos(o, lines)) in wanted]
        assert len(hits) <= 1
        choice.append(hits[0] if hits else None)
    assert sum(o is not None for o in choice) == len(chosen)
    return tuple(choice), npv


@pytest.mark.parametrize("name", list(CASES))
def test_logos_gold_is_feasible_and_optimal_in_the_converted_file(name: str) -> None:
    # 2**29-odd selections are too many to enumerate, so the reference checks the gold
    # selection (feasible, worth the gold NPV), and a small PuLP model over the
    # reference's options of the converted file finds nothing better.
    portfolio, frame, converted = _converted(name)
    choice, npv = _gold_choice(name)
    plan = evaluate(portfolio, Run(), frame, choice)
    assert plan.violated == frozenset()
    assert float(plan.value) == pytest.approx(npv, rel=1e-12)

    model = pulp.LpProblem("logos", pulp.LpMaximize)
    y = {
        (cid, k): model.add_variable(f"y_{n}_{k}", cat="Binary")
        for n, (cid, opts) in enumerate(converted.items())
        for k in range(len(opts))
    }
    x = {cid: pulp.lpSum(y[cid, k] for k in range(len(opts))) for cid, opts in converted.items()}
    model += pulp.lpSum(
        float(o.value) * y[cid, k] for cid, opts in converted.items() for k, o in enumerate(opts)
    )
    for cid in converted:
        model += x[cid] <= 1
    for c in portfolio.candidates:
        if c.mandatory:
            model += x[c.id] == 1
    for rule in portfolio.rules:
        low, high = rule.bounds
        model += pulp.lpSum(x[j] for j in rule.of) <= high
        if low is not None:
            model += pulp.lpSum(x[j] for j in rule.of) >= low
    caps = {(portfolio.first_line, yr): cap for yr, cap in portfolio.budget.per_year.items()}
    caps.update(
        {
            (line, yr): cap
            for line, e in portfolio.budget.lines.items()
            for yr, cap in e.per_year.items()
        }
    )
    for key, cap in caps.items():
        model += (
            pulp.lpSum(
                float(o.spend.get(key, 0)) * y[cid, k]
                for cid, opts in converted.items()
                for k, o in enumerate(opts)
            )
            <= cap + 1e-9
        )
    # one thread, as defplan's HiGHS runs: HiGHS fails a later solve in the same process
    # whose thread count differs from the first one's (the warm start tests met it)
    model.solve(pulp.HiGHS(msg=False, threads=1))
    assert pulp.LpStatus[model.status] == "Optimal"
    assert pulp.value(model.objective) == pytest.approx(npv, abs=1e-6)


@pytest.mark.parametrize("name", list(CASES))
def test_cli_reaches_the_logos_gold_value(name: str) -> None:
    chosen, npv = _gold_choice(name)
    code, data = solve_file(LOGOS / f"{name}.yaml")
    assert (code, data["status"]) == (0, "optimal"), data
    assert data["value"] == pytest.approx(npv, rel=1e-9)  # 263.17 (1b), 253.53 (1c)
    portfolio, _, _ = _converted(name)
    want = [(c.id, o.start) for c, o in zip(portfolio.candidates, chosen, strict=True) if o]
    assert [(s["id"], s["start"]) for s in data["selected"]] == want
