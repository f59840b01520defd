"""Synthetic time-phased portfolios: the family the time benchmark solves.

`portfolio(n, seed, years)` starts from bench/generate.py's portfolio of the same n and
seed (ids, groups, requires and excludes links, NATO and EU contributions, at-most rules,
the equipment share), scores its values as whole numbers (as planners score, and as the
Dutch example does), and plans it in time over `years` years (default 15, 2026-2040):
three lines (invest, the first; operate, money; staff, FTE and not money), prices rising
2.5% a year from 2025, investment profiles of 1-5 years (one in ten with crews on staff
during the build), start windows of 1-4 years on three in four candidates (a window may
run past the last start that fits), delay penalties on half of those, running costs on
operate and staff on most, a few `after` links, a hard NATO target by a deadline and a
soft EU target. The caps are fractions of what every candidate would spend at its
earliest start, so that they bind: the total, the first line by year with carry-over,
operate by year and in total, staff by year. The same (n, seed, years) always gives the
same file; the seeds make the family.
Run as a script to write one: `python bench/time_generate.py 1000 [SEED] > t1000.yaml`.
"""

from __future__ import annotations

import random
import sys

import yaml
from generate import portfolio as static_portfolio

FAMILY = [  # (name, n, seed, tightness)
    ("time-seed1", 1000, 1, 1.0),
    ("time-seed2", 1000, 2, 1.0),
    ("time-seed3", 1000, 3, 1.0),
    ("time-tight", 1000, 4, 0.85),
    ("time-loose", 1000, 5, 1.5),
]
"""The time-phased family (bench/family.py --time), each member one seed with its caps
scaled by tightness. 1,000 candidates, not 5,000: at 1,000 the hand model already took
1.7-7.9 s and defplan 1.9-13 s a seed (bench/results.md), and both grow faster than the
size (options per candidate, rows per year and line)."""

FIRST, BASE, RATE = 2026, 2025, 0.025
LINES = {
    "invest": {"label": "Investment"},
    "operate": {"label": "Operating budget"},
    "staff": {"label": "Military personnel", "unit": "FTE", "money": False},
}
SHARES = {
    "total": 0.3,
    "invest": 0.35,
    "carry_over": 0.15,  # of the mean first-line cap
    "operate": 0.6,
    "operate_total": 0.55,
    "staff": 0.6,
}
"""The caps as fractions of demand at the earliest starts. With operate and staff
capped at 40% by year and 35% in total, and scores with two decimals, HiGHS had not
proven some seeds optimal after two minutes."""


def _whole(score: object) -> object:
    return [round(score[0]), round(score[1])] if isinstance(score, list) else round(score)  # type: ignore[index]


def _plan(candidate: dict, rng: random.Random, i: int, last: int) -> None:
    """Give candidate i a profile written for its window's first year, and the rest."""
    span = rng.randint(1, 5)
    begin = rng.randint(FIRST, last - span + 1)  # its earliest start always fits
    invest = {begin + k: round(rng.uniform(5, 120), 1) for k in range(span)}
    candidate["cost"] = invest
    if rng.random() < 0.1:  # crews trained while it is built
        staff = {y: float(rng.randint(10, 80)) for y in invest}
        candidate["cost"] = {"invest": invest, "staff": staff}
    candidate["value"] = {k: _whole(v) for k, v in candidate["value"].items()}
    if rng.random() < 0.75:  # later starts of a window may fall off the horizon's end
        candidate["start"] = [begin, begin + rng.randint(0, 3)]
        if rng.random() < 0.5:
            candidate["delay_penalty"] = rng.choice([0.25, 0.5, 1.0])
    if rng.random() < 0.85:
        running: dict[str, float] = {"operate": round(rng.uniform(0.5, 12), 1)}
        if rng.random() < 0.8:
            running["staff"] = float(rng.randint(5, 300))
        candidate["running"] = running
    if i > 10 and rng.random() < 0.02:  # only on earlier candidates: no cycles
        candidate["after"] = [f"c{rng.randrange(i)}"]


def _profiles(candidate: dict) -> dict[str, dict[int, float]]:
    cost = candidate["cost"]
    return cost if "invest" in cost else {"invest": cost}


def _demand(candidates: list[dict], years: range) -> dict[str, dict[int, float]]:
    """What all candidates spend on each line by year (nominal), each at its earliest start."""
    demand = {line: dict.fromkeys(years, 0.0) for line in LINES}
    for c in candidates:
        profiles = _profiles(c)
        for line, profile in profiles.items():
            for year, amount in profile.items():
                demand[line][year] += amount
        delivered = max(y for profile in profiles.values() for y in profile)
        for line, amount in c.get("running", {}).items():
            for year in range(delivered + 1, years[-1] + 1):
                demand[line][year] += amount
    for line, spec in LINES.items():
        if spec.get("money", True):
            for year in years:
                demand[line][year] *= (1 + RATE) ** (year - BASE)
    return demand


def _caps(demand: dict[int, float], share: float) -> dict[int, float]:
    """share of each year's demand, for the years with any."""
    return {year: round(share * amount, 1) for year, amount in demand.items() if amount > 0}


def portfolio(n: int, seed: int = 1, years: int = 15, tightness: float = 1.0) -> dict:
    """A valid time-phased portfolio document of n (at least 5) candidates.

    tightness scales every cap's share of demand (SHARES but carry-over): below 1 the
    caps bind harder, above 1 they are looser.
    """
    doc = static_portfolio(n, seed)
    shares = {k: v if k == "carry_over" else v * tightness for k, v in SHARES.items()}
    rng = random.Random(f"defplan-time-bench/{n}/{seed}/{years}")
    last = FIRST + years - 1
    for i, candidate in enumerate(doc["candidates"]):
        _plan(candidate, rng, i, last)
    demand = _demand(doc["candidates"], range(FIRST, last + 1))
    money = sum(sum(demand[line].values()) for line in ("invest", "operate"))
    invest_caps = _caps(demand["invest"], shares["invest"])
    mean_cap = sum(invest_caps.values()) / len(invest_caps)
    doc["commitments"]["nato"]["target"] = max(1, round(0.04 * n))
    doc["commitments"]["eu"]["target"] = max(1, doc["commitments"]["eu"]["target"])
    doc["commitments"]["nato"]["by"] = last - 5
    return {
        "defplan": 1,
        "name": f"time-phased {n} candidates x {years} years (seed {seed})",
        "currency": "EUR",
        "unit": "M",
        "years": [FIRST, last],
        "lines": LINES,
        "prices": {"base": BASE, "rate": RATE},
        "objectives": doc["objectives"],
        "commitments": doc["commitments"],
        "budget": {
            "total": round(shares["total"] * money, 1),
            "per_year": invest_caps,
            "carry_over": round(shares["carry_over"] * mean_cap, 1),
            "lines": {
                "operate": {
                    "per_year": _caps(demand["operate"], shares["operate"]),
                    "total": round(shares["operate_total"] * sum(demand["operate"].values()), 1),
                },
                "staff": {"per_year": _caps(demand["staff"], shares["staff"])},
            },
        },
        "groups": doc["groups"],
        "rules": doc["rules"],
        "candidates": doc["candidates"],
    }


def portfolio_yaml(n: int, seed: int = 1, years: int = 15, tightness: float = 1.0) -> str:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    document = portfolio(n, seed, years, tightness)
    return yaml.dump(document, Dumper=dumper, sort_keys=False, width=1000)


if __name__ == "__main__":
    size = int(sys.argv[1])
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    sys.stdout.write(portfolio_yaml(size, seed))
