"""Benchmarks: start-up time and solve time on OR-Library instances and big portfolios.

Measures, never asserts. Run `make bench` (or `.venv/bin/python bench/run.py [--quick]`);
results are printed and appended as a dated block to bench/results.md.
OR-Library files are read from tests/data/reference/orlib.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORLIB = HERE.parent / "tests" / "data" / "reference" / "orlib"


def read_mknap(path: Path) -> list[dict]:
    """Problems of an OR-Library mknap file: profits, weights (m x n), capacities, optimum."""
    tokens = path.read_text().split()
    pos = 0

    def take(k: int) -> list[float]:
        nonlocal pos
        out = [float(t) for t in tokens[pos : pos + k]]
        pos += k
        return out

    problems = []
    (count,) = take(1)
    for _ in range(int(count)):
        n, m, opt = take(3)
        n, m = int(n), int(m)
        profits = take(n)
        weights = [take(n) for _ in range(m)]
        caps = take(m)
        problems.append({"profits": profits, "weights": weights, "caps": caps, "optimum": opt})
    return problems


def mknap_portfolio(problem: dict) -> dict:
    """A portfolio whose year 2001+i cap is knapsack constraint i."""
    m = len(problem["caps"])
    return {
        "name": "mknap",
        "years": [2001, 2000 + m],
        "objectives": {"profit": {"weight": 1}},
        "budget": {"per_year": {2001 + i: c for i, c in enumerate(problem["caps"])}},
        "candidates": [
            {
                "id": f"item-{j}",
                "cost": {2001 + i: problem["weights"][i][j] for i in range(m)},
                "value": {"profit": p},
            }
            for j, p in enumerate(problem["profits"])
        ],
    }


def random_portfolio(n: int, years: int, seed: int) -> dict:
    """A big synthetic portfolio: profiles over `years` years, commitments, groups, links."""
    rng = random.Random(seed)
    first = 2026
    cands = []
    for i in range(n):
        start = rng.randrange(years)
        length = rng.randint(1, min(5, years - start))
        cost = {first + start + k: rng.randint(10, 400) for k in range(length)}
        cand = {
            "id": f"c{i}",
            "group": rng.choice(["equipment", "personnel", "infrastructure", "research"]),
            "cost": cost,
            "value": {k: rng.randint(0, 10) for k in ("national", "flow", "human")},
            "commitments": {"nato": rng.randint(0, 3)} if rng.random() < 0.3 else {},
        }
        if i and rng.random() < 0.05:
            cand["requires"] = [f"c{rng.randrange(i)}"]
        if i and rng.random() < 0.05:
            cand["excludes"] = [f"c{rng.randrange(i)}"]
        cands.append(cand)
    total = sum(sum(c["cost"].values()) for c in cands)
    return {
        "name": f"synthetic {n}",
        "years": [first, first + years - 1],
        "objectives": {
            "national": {"weight": 0.4},
            "flow": {"weight": 0.35},
            "human": {"weight": 0.25},
        },
        "commitments": {"nato": {"target": n // 20 + 1, "hard": True}},
        "budget": {
            "total": total * 0.3,
            "per_year": {first + y: total * 0.3 / years * 1.2 for y in range(years)},
        },
        "groups": {"equipment": {"min_share": 0.2}},
        "candidates": cands,
    }


def tied_portfolio(n: int, seed: int) -> dict:
    """Small integer costs and values: thousands of equal-value portfolios to tell apart."""
    rng = random.Random(seed)
    cands = [
        {
            "id": f"c{i}",
            "group": rng.choice(["eq", "ops"]),
            "cost": {2026 + rng.randrange(5): rng.randint(1, 5)},
            "value": {"a": rng.randint(0, 3)},
        }
        for i in range(n)
    ]
    rules = [
        {"at_most": 2, "of": [f"c{j}" for j in rng.sample(range(n), 5)]} for _ in range(n // 15)
    ]
    return {
        "objectives": {"a": {}},
        "years": [2026, 2030],
        "budget": {"total": n, "per_year": {2026 + y: n / 6 for y in range(5)}},
        "groups": {"eq": {"min_share": 0.3}},
        "rules": rules,
        "candidates": cands,
    }


def solve(portfolio: dict, time_limit: float | None = None) -> tuple[float, float | None, str]:
    from defplan import SolveOptions, optimise, parse_portfolio

    p = parse_portfolio(json.dumps(portfolio), filename="bench")
    started = time.perf_counter()
    result = optimise(p, options=SolveOptions(time_limit=time_limit))
    return time.perf_counter() - started, result.value, result.status.value


def startup(args: list[str], repeat: int) -> float:
    exe = [sys.executable, "-m", "defplan", *args]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(exe, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer and smaller cases")
    args = parser.parse_args()
    lines = [f"## {dt.date.today()} ({platform.python_version()}, {platform.machine()})", ""]

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    say(f"- start-up `defplan --version`: {startup(['--version'], 5) * 1000:.0f} ms (median of 5)")
    # the Dutch example as it was before it became a programme, so timings stay comparable
    example = HERE.parent / "tests" / "data" / "netherlands-static.yaml"
    if example.exists():
        t = startup(["validate", str(example)], 5)
        say(f"- `defplan validate netherlands-2026.yaml`: {t * 1000:.0f} ms")
        t = startup(["optimise", str(example), "--budget", "6000", "--format", "json"], 3)
        say(f"- `defplan optimise netherlands-2026.yaml --budget 6000`: {t * 1000:.0f} ms")
    cb = ORLIB / "mknapcb1.txt"
    if cb.exists():
        count = 3 if args.quick else 10
        for problem in read_mknap(cb)[:count]:
            seconds, value, status = solve(mknap_portfolio(problem))
            say(f"- mknapcb1 (100 items x 5 years): {status} value {value:g} in {seconds:.2f} s")
    for n in (200, 1000) if args.quick else (200, 1000, 5000):
        seconds, value, status = solve(random_portfolio(n, 15, seed=n))
        say(f"- synthetic {n} candidates x 15 years: {status} value {value:.4g} in {seconds:.2f} s")
    for n, limit in ((1000, None), (3000, 5.0)) if not args.quick else ((1000, None),):
        seconds, value, status = solve(tied_portfolio(n, seed=5), time_limit=limit)
        say(f"- tied {n} candidates, time limit {limit}: {status} in {seconds:.2f} s")
    with (HERE / "results.md").open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n\n")


if __name__ == "__main__":
    main()
