"""Synthetic portfolios in the portfolio format for the scale benchmark.

`portfolio(n, seed)`: n candidates over a 10-year horizon (2027-2036) with per-year
cost profiles, annual caps and a total budget, three objectives (some values ranges),
a hard NATO and a soft EU commitment, an equipment share, requires and excludes
links, and at-most rules. The same (n, seed) always gives the same file.
Run as a script to write one: `python bench/generate.py 5000 > p5000.yaml`.
"""

from __future__ import annotations

import random
import sys

import yaml

FIRST, YEARS = 2027, 10
GROUPS = ("equipment", "personnel", "infrastructure", "research")


def portfolio(n: int, seed: int = 1) -> dict:
    """A valid portfolio document of n candidates."""
    rng = random.Random(f"defplan-bench/{n}/{seed}")
    candidates = []
    for i in range(n):
        start = rng.randrange(YEARS)
        span = rng.randint(1, min(5, YEARS - start))
        cost = {FIRST + start + k: round(rng.uniform(5, 120), 1) for k in range(span)}
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
        candidates.append(candidate)
    per_year = [0.0] * YEARS
    for c in candidates:
        for year, amount in c["cost"].items():  # type: ignore[union-attr]
            per_year[year - FIRST] += amount
    rules = [
        {"at_most": 2, "of": [f"c{j}" for j in rng.sample(range(n), 5)]}
        for _ in range(max(1, n // 100))
    ]
    return {
        "defplan": 1,
        "name": f"synthetic {n} candidates x {YEARS} years",
        "currency": "EUR",
        "unit": "M",
        "years": [FIRST, FIRST + YEARS - 1],
        "objectives": {
            "national": {"weight": 0.4},
            "flow": {"weight": 0.35},
            "human": {"weight": 0.25},
        },
        "commitments": {
            "nato": {"target": round(0.05 * n), "framework": "NATO"},
            "eu": {"target": round(0.05 * n), "hard": False, "penalty": 2, "framework": "EU"},
        },
        "budget": {
            "total": round(0.3 * sum(per_year)),
            "per_year": {FIRST + y: round(0.35 * t) for y, t in enumerate(per_year)},
        },
        "groups": {"equipment": {"min_share": 0.2}},
        "rules": rules,
        "candidates": candidates,
    }


def portfolio_yaml(n: int, seed: int = 1) -> str:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(portfolio(n, seed), Dumper=dumper, sort_keys=False, width=1000)


if __name__ == "__main__":
    sys.stdout.write(portfolio_yaml(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1))
