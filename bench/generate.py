"""Synthetic portfolios in the portfolio format for the scale benchmark.

`portfolio(n, seed)`: n candidates over a 10-year horizon (2027-2036) with per-year
cost profiles, annual caps and a total budget, three objectives (some values ranges),
a hard NATO and a soft EU commitment, an equipment share, requires and excludes
links, and at-most rules. The same (n, seed) always gives the same file. Keyword
arguments change its shape (the budget's and the caps' tightness, commitments, ties);
`FAMILY` names the members the family benchmark (bench/family.py) solves.
Run as a script to write one: `python bench/generate.py 5000 > p5000.yaml`.
"""

from __future__ import annotations

import random
import sys
from typing import NamedTuple

import yaml

FIRST, YEARS = 2027, 10
GROUPS = ("equipment", "personnel", "infrastructure", "research")
ROUND_COSTS = (10, 20, 25, 50, 100)
ROUND_SCORES = (0, 2.5, 5, 7.5, 10)


class Member(NamedTuple):
    """One portfolio of the benchmark family: a name, its size and seed, and its shape."""

    name: str
    n: int
    seed: int
    shape: dict  # keyword arguments of `portfolio`
    # (a NamedTuple: the tests load this file by path, without the module entry a dataclass needs)

    def yaml(self, n: int | None = None) -> str:
        """The member's file (with n candidates instead of its own, for smoke runs)."""
        return portfolio_yaml(n or self.n, self.seed, **self.shape)


FAMILY = [
    Member("base", 5000, 1, {}),
    Member("base-seed2", 5000, 2, {}),
    Member("base-seed3", 5000, 3, {}),
    Member("budget-10", 5000, 4, {"budget": 0.1}),
    Member("budget-20-caps-loose", 5000, 5, {"budget": 0.2, "caps": 0.6}),
    Member("budget-60-caps-loose", 5000, 6, {"budget": 0.6, "caps": 0.7}),
    Member("caps-tight", 5000, 7, {"budget": 0.3, "caps": 0.2}),
    Member("caps-none", 5000, 8, {"caps": None}),
    Member("commitments-many", 5000, 9, {"commitments": 2.5, "targets": 0.15}),
    Member("commitments-few", 5000, 10, {"commitments": 0.2, "targets": 0.01}),
    Member("ties", 5000, 11, {"ties": True}),
    Member("ties-tight", 5000, 12, {"ties": True, "budget": 0.1, "caps": 0.15}),
]
"""The family: each member varies today's instance (`base`) along one or two axes of
tightness. Names say how: the total budget's share of all costs, the annual caps' share
of each year's costs (none, tight 0.15-0.2, loose 0.6-0.7), the contributions to
commitments and their targets, and ties (scores and costs from a few round numbers)."""


def _cost(rng: random.Random, ties: bool) -> float:
    return rng.choice(ROUND_COSTS) if ties else round(rng.uniform(5, 120), 1)


def _score(rng: random.Random, ties: bool) -> object:
    if ties:
        return rng.choice(ROUND_SCORES)
    v = round(rng.uniform(0, 10), 2)
    return [v, round(v + rng.uniform(0, 3), 2)] if rng.random() < 0.1 else v


def portfolio(
    n: int,
    seed: int = 1,
    *,
    years: int = YEARS,
    budget: float = 0.3,
    caps: float | None = 0.35,
    commitments: float = 1.0,
    targets: float = 0.05,
    ties: bool = False,
) -> dict:
    """A valid portfolio document of n candidates over `years` years.

    budget: the total as a share of all costs; caps: each year's cap as a share of that
    year's costs (None: no annual caps); commitments: how often candidates contribute to
    NATO (0.3 of them by default) and the EU (0.2), scaled; targets: each target as a
    share of n; ties: scores from ROUND_SCORES and costs from ROUND_COSTS, so that many
    portfolios tie. The defaults give the file this generator has always given.
    """
    rng = random.Random(f"defplan-bench/{n}/{seed}")
    candidates = []
    for i in range(n):
        start = rng.randrange(years)
        span = rng.randint(1, min(5, years - start))
        cost = {FIRST + start + k: _cost(rng, ties) for k in range(span)}
        value = {objective: _score(rng, ties) for objective in ("national", "flow", "human")}
        candidate: dict[str, object] = {
            "id": f"c{i}",
            "group": rng.choice(GROUPS),
            "cost": cost,
            "value": value,
        }
        contributions = {}
        if rng.random() < 0.3 * commitments:
            contributions["nato"] = rng.randint(1, 3)
        if rng.random() < 0.2 * commitments:
            contributions["eu"] = rng.randint(1, 2)
        if contributions:
            candidate["commitments"] = contributions
        if i > 10 and rng.random() < 0.05:
            candidate["requires"] = [f"c{rng.randrange(i)}"]
        if i > 10 and rng.random() < 0.05:
            candidate["excludes"] = [f"c{rng.randrange(i)}"]
        candidates.append(candidate)
    per_year = [0.0] * years
    for c in candidates:
        for year, amount in c["cost"].items():  # type: ignore[union-attr]
            per_year[year - FIRST] += amount
    rules = [
        {"at_most": 2, "of": [f"c{j}" for j in rng.sample(range(n), 5)]}
        for _ in range(max(1, n // 100))
    ]
    limits: dict[str, object] = {"total": round(budget * sum(per_year))}
    if caps is not None:
        limits["per_year"] = {FIRST + y: round(caps * t) for y, t in enumerate(per_year)}
    return {
        "defplan": 1,
        "name": f"synthetic {n} candidates x {years} years",
        "currency": "EUR",
        "unit": "M",
        "years": [FIRST, FIRST + years - 1],
        "objectives": {
            "national": {"weight": 0.4},
            "flow": {"weight": 0.35},
            "human": {"weight": 0.25},
        },
        "commitments": {
            "nato": {"target": round(targets * n), "framework": "NATO"},
            "eu": {"target": round(targets * n), "hard": False, "penalty": 2, "framework": "EU"},
        },
        "budget": limits,
        "groups": {"equipment": {"min_share": 0.2}},
        "rules": rules,
        "candidates": candidates,
    }


def portfolio_yaml(n: int, seed: int = 1, **shape: object) -> str:
    """The file of `portfolio(n, seed, **shape)`."""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(portfolio(n, seed, **shape), Dumper=dumper, sort_keys=False, width=1000)


if __name__ == "__main__":
    sys.stdout.write(portfolio_yaml(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1))
