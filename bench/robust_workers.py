"""`defplan robust`: samples per second with one worker and with two, on a family.

The family: the Dutch example (its cost_risk draws costs too), two static portfolios
from bench/generate.py (300 candidates, seeds 1 and 2) and three time-phased ones from
bench/time_generate.py (40 candidates, seeds 1-3); on some HiGHS is the faster solver,
on others CBC. Each runs `defplan robust FILE --samples N --format json` as a whole
process with `--workers 1` and then `--workers 2` (the default solver), one run each;
samples per second count the whole command (the unperturbed solve and start-up too),
so short runs understate the gain. The two outputs must be the same (solver seconds
aside): a difference is printed loudly and the script exits 1. The target (in the
performance work) is 2 workers at least 1.6x the samples per second of one on a
2-core machine. `--record` appends the table to bench/results.md.

    .venv/bin/python bench/robust_workers.py [--samples 40] [--record]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

from generate import portfolio_yaml as static_yaml  # bench/ is the script's folder
from time_generate import portfolio_yaml as time_yaml
from timing import record, timed

ROOT = Path(__file__).resolve().parent.parent
DUTCH = ROOT / "portfolios" / "netherlands-2026.yaml"


def family(folder: Path) -> list[tuple[str, Path]]:
    """(label, file) of each member, written into folder."""
    members = [("netherlands-2026", DUTCH)]
    for seed in (1, 2):
        path = folder / f"static-300-{seed}.yaml"
        path.write_text(static_yaml(300, seed), encoding="utf-8")
        members.append((f"static 300, seed {seed}", path))
    for seed in (1, 2, 3):
        path = folder / f"time-40-{seed}.yaml"
        path.write_text(time_yaml(40, seed), encoding="utf-8")
        members.append((f"time 40, seed {seed}", path))
    return members


def robust_run(path: Path, samples: int, workers: int) -> tuple[float, dict]:
    """Wall seconds and the JSON of one robust run (bench/timing.py's whole process)."""
    command = [sys.executable, "-m", "defplan", "robust", str(path), "--format", "json"]
    run = timed([*command, "--samples", str(samples), "--workers", str(workers)])
    if run.code != 0:
        sys.exit(f"{' '.join(command)} failed:\n{run.err}")
    return run.seconds, json.loads(run.out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--record", action="store_true", help="append to bench/results.md")
    args = parser.parse_args()
    rows, ratios, same = [], [], True
    with tempfile.TemporaryDirectory() as folder:
        for label, path in family(Path(folder)):
            one, first = robust_run(path, args.samples, 1)
            two, second = robust_run(path, args.samples, 2)
            if first != second:
                same = False
                print(f"DIFFERENT OUTPUT with 2 workers: {label}", file=sys.stderr)
            ratio = one / two
            ratios.append(ratio)
            rows.append(
                f"| {label} | {one:.2f} | {two:.2f} | {args.samples / one:.2f} | "
                f"{args.samples / two:.2f} | {ratio:.2f}x |"
            )
            print(rows[-1], flush=True)
    lines = [
        f"`defplan robust FILE --samples {args.samples} --format json`, whole processes, "
        "one run each:",
        "",
        "| portfolio | 1 worker s | 2 workers s | samples/s, 1 | samples/s, 2 | 2 / 1 |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        f"Median 2 workers / 1: {statistics.median(ratios):.2f}x, worst {min(ratios):.2f}x; "
        f"outputs the same: {'yes' if same else 'NO'}.",
    ]
    print("\n".join(lines[-1:]))
    if args.record:
        record("robust: workers on a family", lines)
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
