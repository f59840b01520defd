"""Shell-use benchmark: start-up and a sweep against separate optimise calls.

Targets: `defplan --version` at most 1.3x `python -c "import typer"`; a 21-point sweep of
a 300-candidate, 6-year portfolio at most 0.3x the time of 21 `defplan optimise` calls.
Measures and prints; `--record` appends the numbers to bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import platform
import random
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import timing  # noqa: E402

DEFPLAN = [sys.executable, "-m", "defplan"]


def portfolio(n: int, years: int, seed: int) -> tuple[dict, float]:
    """A synthetic portfolio with decimal scores and costs, and its total cost."""
    rng = random.Random(seed)
    first = 2026
    cands = []
    for i in range(n):
        start = rng.randrange(years)
        length = rng.randint(1, min(4, years - start))
        groups = ["equipment", "personnel", "infrastructure", "research"]
        cands.append(
            {
                "id": f"c{i}",
                "group": rng.choice(groups),
                "cost": {first + start + k: round(rng.uniform(10, 400), 1) for k in range(length)},
                "value": {k: round(rng.uniform(0, 10), 2) for k in ("national", "flow", "human")},
                "commitments": {"nato": rng.randint(1, 3)} if rng.random() < 0.3 else {},
            }
        )
    total = sum(sum(c["cost"].values()) for c in cands)
    doc = {
        "name": f"synthetic {n} x {years}",
        "years": [first, first + years - 1],
        "objectives": {
            "national": {"weight": 0.4},
            "flow": {"weight": 0.35},
            "human": {"weight": 0.25},
        },
        "commitments": {"nato": {"target": 10}},
        "budget": {"per_year": {first + y: round(total / years * 0.5, 1) for y in range(years)}},
        "groups": {"equipment": {"min_share": 0.2}},
        "candidates": cands,
    }
    return doc, total


def timed(cmd: list[str], limit: float | None = None) -> float:
    """Wall seconds of a command that must succeed; infinity when the limit stopped it."""
    run = timing.timed(cmd, limit)
    if run.over:
        return math.inf
    if run.code:
        raise RuntimeError(f"{' '.join(cmd)} failed ({run.code}): {run.err[-500:]}")
    return run.seconds


def sweep_against_calls(path: Path, budgets: list[int], limit: float | None = None) -> tuple:
    """Seconds of one `defplan sweep` over the budgets, and of one `optimise` per budget
    (the sum): each process stopped after limit seconds (infinity then)."""
    spec = ",".join(str(b) for b in budgets)
    sweep = timed([*DEFPLAN, "sweep", str(path), "--budget", spec, "--format", "json"], limit)
    separate = 0.0
    for b in budgets:
        separate += timed(
            [*DEFPLAN, "optimise", str(path), "--budget", str(b), "--format", "json"], limit
        )
    return sweep, separate


def median_times(first: list[str], second: list[str], repeat: int) -> tuple[float, float]:
    """Median wall times of two commands run alternately, so drift hits both alike."""
    a, b = [], []
    for _ in range(repeat):
        a.append(timed(first))
        b.append(timed(second))
    return statistics.median(a), statistics.median(b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--record", action="store_true", help="append to bench/README.md")
    args = parser.parse_args()
    lines = []

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    typer_time, version_time = median_times(
        [sys.executable, "-c", "import typer"], [*DEFPLAN, "--version"], 31
    )
    say(
        f"- `defplan --version` {version_time * 1000:.0f} ms vs `import typer` "
        f"{typer_time * 1000:.0f} ms: {version_time / typer_time:.2f}x (target <= 1.3x)"
    )
    doc, total = portfolio(300, 6, seed=3)
    budgets = [round(total * (0.10 + 0.01 * k)) for k in range(21)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p300.yaml"
        path.write_text(json.dumps(doc), encoding="utf-8")
        sweep_time, separate = sweep_against_calls(path, budgets)
        spec = ",".join(str(b) for b in budgets)
        two = timed(
            [*DEFPLAN, "sweep", str(path), "--budget", spec, "--format", "json", "--workers", "2"]
        )
    say(
        f"- 21-point sweep, 300 candidates x 6 years (budgets {budgets[0]:,} to {budgets[-1]:,}, "
        f"10-30% of all options): {sweep_time:.2f} s; 21 `optimise` calls {separate:.2f} s: "
        f"{sweep_time / separate:.2f}x (target <= 0.3x); with --workers 2: {two:.2f} s"
    )
    if args.record:
        head = f"### {dt.date.today()} (Python {platform.python_version()}, {platform.machine()})"
        with (HERE / "README.md").open("a", encoding="utf-8") as handle:
            handle.write("\n".join([head, "", *lines]) + "\n\n")


if __name__ == "__main__":
    main()
