"""Scale benchmark: defplan against a plain PuLP script, phase by phase.

For synthetic portfolios of 1,000, 5,000 and 20,000 candidates (bench/generate.py,
fixed seed) it runs `defplan --profile optimise` as a whole process and reads the phase
timings (load, validate, build, solve, render) and peak memory it prints; at 1,000 and
5,000 it also runs bench/baseline.py (yaml.safe_load, lpSum, HiGHS defaults) on the
same file, the two interleaved, three times each (medians). At 20,000 defplan runs
with `--time-limit 60`. Then the first ten OR-Library mknapcb1 instances (shipped
in tests/data/reference/orlib) through defplan with each solver (a 60 s limit
per run for a single solver). Prints everything and, with --record, appends it to
bench/README.md with the machine and versions. `--seeds 1,2,3` also runs portfolios
of other seeds (the targets are on seed 1); `--no-orlib` skips OR-Library.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import portfolio_yaml  # noqa: E402
from run import ORLIB, mknap_portfolio, read_mknap  # noqa: E402
from timing import PHASES, phases, timed  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--record", action="store_true", help="append to bench/README.md")
    parser.add_argument("--sizes", default="1000,5000,20000")
    parser.add_argument("--seeds", default="1", help="generator seeds, e.g. 1,2,3 (the targets: 1)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-orlib", action="store_true", help="skip the mknapcb1 cases")
    args = parser.parse_args()
    lines: list[str] = []

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    defplan = [sys.executable, "-m", "defplan", "--profile", "optimise"]
    baseline = [sys.executable, str(HERE / "baseline.py")]
    say(
        "| candidates | run | wall s | load | validate | build | solve | render | peak MB | value |"
    )
    say("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as folder:
        seeds = [int(seed) for seed in args.seeds.split(",")]
        for n, seed in [(int(n), seed) for seed in seeds for n in args.sizes.split(",")]:
            size = f"{n:,}" if seed == 1 else f"{n:,} (seed {seed})"
            path = Path(folder) / f"p{n}-{seed}.yaml"
            path.write_text(portfolio_yaml(n, seed), encoding="utf-8")
            ours, theirs = [], []
            limit = ["--time-limit", "60"] if n > 5000 else []
            for _ in range(args.repeat if n <= 5000 else 1):
                ours.append(timed([*defplan, str(path), "--format", "json", *limit]))
                if n <= 5000:
                    theirs.append(timed([*baseline, str(path)]))
            wall = statistics.median(r[0] for r in ours)
            run = min(ours, key=lambda r: abs(r[0] - wall))
            spent = phases(run[3])
            result = json.loads(run[2])
            gap = result["solver"]["gap"]
            status = result["status"] + (f" gap {100 * gap:.2g}%" if gap else "")
            say(
                f"| {size} | defplan ({status}) | {wall:.2f} | "
                + " | ".join(f"{spent.get(p, 0):.2f}" for p in PHASES[:5])
                + f" | {run[1]:,} | {result['value']:.6g} |"
            )
            if theirs:
                base_wall = statistics.median(r[0] for r in theirs)
                base = min(theirs, key=lambda r: abs(r[0] - base_wall))
                words = base[2].strip().splitlines()[-1].split()  # after HiGHS's banner
                say(
                    f"| {size} | baseline ({words[0]}) | {base_wall:.2f} | | | | | | {base[1]:,} | "
                    f"{float(words[1]):.6g} |"
                )
                say(f"| {size} | defplan / baseline | {wall / base_wall:.2f}x | | | | | | | |")
    cb = ORLIB / "mknapcb1.txt"
    best_known = []
    results = ORLIB / "mkcbres.txt"
    if results.exists():
        best_known = [float(t) for t in results.read_text().split() if t.isdigit()][:10]
    if cb.exists() and not args.no_orlib:
        from defplan import SolveOptions, optimise, parse_portfolio

        say("")
        say("| mknapcb1 | best known | solver | value | gap to best | status | seconds |")
        say("| --- | --- | --- | --- | --- | --- | --- |")
        for k, problem in enumerate(read_mknap(cb)[:10]):
            p = parse_portfolio(json.dumps(mknap_portfolio(problem)), filename="mknap")
            best = best_known[k] if k < len(best_known) else problem["optimum"]
            for solver in ("auto", "highs", "cbc"):
                limit = None if solver == "auto" else 60.0
                started = time.perf_counter()
                r = optimise(p, options=SolveOptions(solver=solver, time_limit=limit))
                seconds = time.perf_counter() - started
                value = r.value or 0.0
                say(
                    f"| {k + 1} | {best:,.0f} | {solver} | {value:,.0f} | "
                    f"{100 * (best - value) / best:.3g}% | {r.status.value} | {seconds:.2f} |"
                )
    if args.record:
        try:  # the code measured, when this is a git checkout
            where = ["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"]
            commit = subprocess.run(where, capture_output=True, text=True).stdout.strip()
        except OSError:
            commit = ""
        head = (
            f"### {dt.date.today()} scale: {platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, PuLP {version('pulp')}, "
            f"highspy {version('highspy')}" + (f", commit {commit}" if commit else "")
        )
        with (HERE / "README.md").open("a", encoding="utf-8") as handle:
            handle.write("\n".join([head, "", *lines]) + "\n\n")


if __name__ == "__main__":
    main()
