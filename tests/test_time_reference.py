"""Plans in time worked out by hand: carry-over, a price index and a price rate.

Each file under tests/data/time/ shows its arithmetic in a comment; the numbers below
are copied from there. The brute-force reference (tests/bruteforce_time.py) must agree
with the hand, and so must `defplan optimise --format json`.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from bruteforce_time import oracle
from test_time_bruteforce import close, solve_file

from defplan.loading import load_portfolio

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
        "running_after": {"invest": F(0), "operate": F(10), "staff": F(20)},
        "carried": None,
    },
    "price-rate": {
        "selected": [("a", 2027, 2028, F(176), F(5)), ("b", 2027, 2027, F("72.05"), F(3))],
        "value": F("6.5"),
        "cost": F("248.05"),
        "spend": {"budget": {2026: F(0), 2027: F(121), 2028: F("127.05")}},
        "running_after": {"budget": F(5)},
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
