"""Synthetic time-phased portfolios: the family the time benchmark solves.

`portfolio(n, seed, years)`: n candidates over a horizon of `years` years (default 15,
2026-2040) with three lines (invest, the first; operate, money; staff, FTE and not
money), prices rising 2.5% a year from 2025, a total budget, caps by year on the
first line with carry-over, caps by year and in total on operate and caps by year on
staff. Candidates have investment profiles of 1-5 years (some with staff during the
build too), start windows of 1-4 years (a quarter have none, and a window may run past
the last start that fits), delay penalties on some, running costs on operate and staff
on most, a few `after` links, requires and excludes links, at-most rules, a hard NATO
target by a deadline, a soft EU target and an equipment share. Caps are fractions of
what every candidate would spend at its earliest start, so they bind. The same
(n, seed, years) always gives the same file; the seeds make the family.
Run as a script to write one: `python bench/time_generate.py 1000 [SEED] > t1000.yaml`.
"""

from __future__ import annotations

import random
import sys

import yaml

FIRST, BASE, RATE = 2026, 2025, 0.025
GROUPS = ("equipment", "personnel", "infrastructure", "research")
LINES = {
    "invest": {"label": "Investment"},
    "operate": {"label": "Operating budget"},
    "staff": {"label": "Military personnel", "unit": "FTE", "money": False},
}


def _candidate(rng: random.Random, i: int, last: int) -> dict:
    """Candidate i: a profile written for its window's first year, and what goes with it."""
    span = rng.randint(1, 5)
    begin = rng.randint(FIRST, last - span + 1)  # its earliest start always fits
    invest = {begin + k: round(rng.uniform(5, 120), 1) for k in range(span)}
    cost: dict = invest
    if rng.random() < 0.1:  # crews trained while it is built
        cost = {"invest": invest, "staff": {y: float(rng.randint(10, 80)) for y in invest}}
    value: dict[str, object] = {}
    for objective in ("national", "flow", "human"):
        v = round(rng.uniform(0, 10), 2)
        value[objective] = [v, round(v + rng.uniform(0, 3), 2)] if rng.random() < 0.1 else v
    candidate: dict[str, object] = {
        "id": f"c{i}",
        "group": rng.choice(GROUPS),
        "cost": cost,
        "value": value,
    }
    if rng.random() < 0.75:  # later starts of a window may fall off the horizon's end
        candidate["start"] = [begin, begin + rng.randint(0, 3)]
        if rng.random() < 0.5:
            candidate["delay_penalty"] = round(rng.uniform(0.1, 1.5), 2)
    if rng.random() < 0.85:
        running: dict[str, float] = {"operate": round(rng.uniform(0.5, 12), 1)}
        if rng.random() < 0.8:
            running["staff"] = float(rng.randint(5, 300))
        candidate["running"] = running
    commitments = {}
    if rng.random() < 0.3:
        commitments["nato"] = rng.randint(1, 3)
    if rng.random() < 0.2:
        commitments["eu"] = rng.randint(1, 2)
    if commitments:
        candidate["commitments"] = commitments
    if i > 10 and rng.random() < 0.05:
        candidate["requires"] = [f"c{rng.randrange(i)}"]
    if i > 10 and rng.random() < 0.05:
        candidate["excludes"] = [f"c{rng.randrange(i)}"]
    if i > 10 and rng.random() < 0.02:  # only on earlier candidates: no cycles
        candidate["after"] = [f"c{rng.randrange(i)}"]
    return candidate


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


def portfolio(n: int, seed: int = 1, years: int = 15) -> dict:
    """A valid time-phased portfolio document of n candidates over `years` years."""
    rng = random.Random(f"defplan-time-bench/{n}/{seed}/{years}")
    last = FIRST + years - 1
    candidates = [_candidate(rng, i, last) for i in range(n)]
    demand = _demand(candidates, range(FIRST, last + 1))
    money = sum(sum(demand[line].values()) for line in ("invest", "operate"))
    invest_caps = _caps(demand["invest"], 0.35)
    rules = [
        {"at_most": 2, "of": [f"c{j}" for j in rng.sample(range(n), min(5, n))]}
        for _ in range(max(1, n // 100))
    ]
    return {
        "defplan": 1,
        "name": f"time-phased {n} candidates x {years} years (seed {seed})",
        "currency": "EUR",
        "unit": "M",
        "years": [FIRST, last],
        "lines": LINES,
        "prices": {"base": BASE, "rate": RATE},
        "objectives": {
            "national": {"weight": 0.4},
            "flow": {"weight": 0.35},
            "human": {"weight": 0.25},
        },
        "commitments": {
            "nato": {"target": max(1, round(0.04 * n)), "framework": "NATO", "by": last - 5},
            "eu": {"target": max(1, round(0.05 * n)), "hard": False, "penalty": 2},
        },
        "budget": {
            "total": round(0.3 * money, 1),
            "per_year": invest_caps,
            "carry_over": round(0.15 * sum(invest_caps.values()) / len(invest_caps), 1),
            "lines": {
                "operate": {
                    "per_year": _caps(demand["operate"], 0.4),
                    "total": round(0.35 * sum(demand["operate"].values()), 1),
                },
                "staff": {"per_year": _caps(demand["staff"], 0.4)},
            },
        },
        "groups": {"equipment": {"min_share": 0.2}},
        "rules": rules,
        "candidates": candidates,
    }


def portfolio_yaml(n: int, seed: int = 1, years: int = 15) -> str:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    document = portfolio(n, seed, years)
    return yaml.dump(document, Dumper=dumper, sort_keys=False, width=1000)


if __name__ == "__main__":
    size = int(sys.argv[1])
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    sys.stdout.write(portfolio_yaml(size, seed))
