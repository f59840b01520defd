"""`defplan risk` on the Dutch example: how long the sampling takes, apart from the solve.

The plan is solved once; then `analysis.risk.risk` runs on it as a saved result (no
solve), 20,000 samples by default, and the median of five runs is the sampling time
(drawing every factor from its own stream, checking every cap, the percentiles and the
S-curve; the target is at most 0.5 s). The whole command, as a process, is timed too.
`--record` appends the numbers to bench/results.md.

    .venv/bin/python bench/risk.py [--samples 20000] [--record]
"""

from __future__ import annotations

import argparse
import datetime
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from defplan import SolveOptions, parse_portfolio
from defplan.analysis.risk import risk
from defplan.solving import optimise

ROOT = Path(__file__).resolve().parent.parent
DUTCH = ROOT / "portfolios" / "netherlands-2026.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--record", action="store_true", help="append to bench/results.md")
    args = parser.parse_args()
    portfolio = parse_portfolio(DUTCH.read_text(encoding="utf-8"), filename=DUTCH.name)
    options = SolveOptions()
    base = optimise(portfolio, options=options)
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        found = risk(portfolio, options=options, samples=args.samples, saved=base)
        runs.append(time.perf_counter() - started)
    sampling = statistics.median(runs)
    started = time.perf_counter()
    command = [sys.executable, "-m", "defplan", "risk", str(DUTCH), "--samples", str(args.samples)]
    subprocess.run(command, check=True, capture_output=True)
    whole = time.perf_counter() - started
    lines = [
        f"- `defplan risk netherlands-2026.yaml --samples {args.samples}`: sampling "
        f"{sampling:.3f} s (median of 5; target 0.5 s), the whole command {whole:.2f} s; "
        f"{len(found.selected)} selected, {len(found.caps)} caps, within budget.total "
        f"{found.share(found.caps[0].within):.3f}",
    ]
    print("\n".join(lines))
    if args.record:
        day = datetime.date.today().isoformat()
        head = f"\n## {day} risk ({platform.python_version()}, {platform.machine()})\n\n"
        with (ROOT / "bench" / "results.md").open("a", encoding="utf-8") as out:
            out.write(head + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
