"""Explaining infeasibility: time and solves to find the conflicting blocks.

Two families of requires-chains (tests/samples.py), each at 250, 500, 1,000 and 2,000
candidates:

- `needed`: c0 is the only contributor to a hard target, c_i requires c_(i+1), and all
  of them cost one more than the budget: the conflict is every block (budget, target
  and each link), so each link needs a witness;
- `idle`: the same chain, but the conflict is the last candidate, mandatory and over
  the budget by itself: the links play no part and are all dropped.

Runs `optimise` in this process (an infeasible run explains itself) and counts the
solver calls. Prints a table; `--record` appends it to bench/README.md with the
machine and versions. Run it from a checkout (`PYTHONPATH=other/checkout` measures
another version of defplan with the same script).
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from samples import requires_chain  # noqa: E402

SHAPES = ("needed", "idle")


def measure(n: int, shape: str, solver: str) -> tuple[float, int, int]:
    """Seconds, solver calls and conflicting blocks of one infeasible optimise."""
    from defplan import SolveOptions, backends, optimise, parse_portfolio

    portfolio = parse_portfolio(requires_chain(n, idle=shape == "idle"))
    calls = 0
    real = backends.solve

    def counting(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)  # type: ignore[arg-type]

    backends.solve = counting  # type: ignore[assignment]
    try:
        started = time.perf_counter()
        result = optimise(portfolio, options=SolveOptions(solver=solver))
        seconds = time.perf_counter() - started
    finally:
        backends.solve = real
    return seconds, calls, len(result.conflicts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="250,500,1000,2000")
    parser.add_argument("--solver", default="auto")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    import defplan

    rows = [
        "| shape | candidates | seconds | solves | conflicting blocks |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for shape in SHAPES:
        for n in (int(size) for size in args.sizes.split(",")):
            seconds, calls, blocks = measure(n, shape, args.solver)
            rows.append(f"| {shape} | {n:,} | {seconds:.2f} | {calls} | {blocks:,} |")
            print(rows[-1], flush=True)
    commit = subprocess.run(
        ["git", "-C", str(Path(defplan.__file__).parent), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    title = (
        f"### {dt.date.today()} (Python {platform.python_version()}, {platform.machine()}) "
        f"— conflicts, --solver {args.solver}, commit {commit or 'unknown'}"
    )
    if args.record:
        with (HERE / "README.md").open("a", encoding="utf-8") as readme:
            readme.write("\n" + "\n".join([title, "", *rows]) + "\n")
    print(title, file=sys.stderr)


if __name__ == "__main__":
    main()
