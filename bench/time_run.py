"""Time benchmark: defplan against a hand-written PuLP model on time-phased portfolios.

For each size (default 200, 500 and 1,000 candidates) and each seed of the family
(default 1-5) it writes a portfolio with bench/time_generate.py (15 years, start
windows of up to four years, running costs on two lines, carry-over) and times, as
whole processes, interleaved, `--repeat` times each (medians):
  defplan  `python -m defplan optimise FILE --format json` (start-up, loading, the
           proof and the tie rule)
  hand     `python bench/time_pulp.py FILE` (its imports, reading the YAML, building
           the model and HiGHS's proof at a zero gap)
Both must prove optimality, and defplan's `value` must equal the hand model's optimum
within 1e-6 relative when both proved theirs: a mismatch is printed loudly (and
recorded), and the script exits 1. `--time-limit` gives each run of either a limit (none
by default; a run stopped by it shows its gap); `--defplan-option` passes more to
defplan (`--solver=highs`, say). Prints a table per instance and a summary per size;
`--record` appends both to bench/results.md with the machine, versions and commit.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from time_generate import portfolio_yaml  # noqa: E402
from timing import median_run, timed  # noqa: E402
from timing import record as record_lines  # noqa: E402

TOLERANCE = 1e-6


def options(path: Path) -> int:
    """How many start options the instance has (the binaries of either model)."""
    import yaml
    from time_pulp import Portfolio

    with path.open(encoding="utf-8") as handle:
        doc = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return sum(len(o) for o in Portfolio(doc).options.values())


@dataclass
class Answer:
    """What one side found: its status as shown, its value, whether it proved it."""

    status: str
    value: float | None
    proven: bool

    def shown(self) -> str:
        return "-" if self.value is None else f"{self.value:.6f}"


def defplan_answer(run: tuple) -> Answer:
    """defplan's status (with its gap when not proven) and value, or why there is none."""
    try:
        result = json.loads(run[2])
    except json.JSONDecodeError:
        message = run[3].strip().splitlines()[-1:] or ["no output"]
        return Answer(f"no result: {message[0][:60]}", None, False)
    gap = (result.get("solver") or {}).get("gap")
    status = result["status"] + (f" gap {gap:.2g}" if gap else "")
    return Answer(status, result["value"], result["status"] == "optimal" and not gap)


def hand_answer(run: tuple) -> tuple[Answer, float]:
    """The hand model's answer (with HiGHS's gap when not zero) and its seconds in `prob.solve`."""
    lines = run[2].strip().splitlines()  # HiGHS's banner comes first
    answer = json.loads(lines[-1])
    gap = answer["gap"]
    status = answer["status"] + (f" gap {gap:.2g}" if gap else "")
    proven = answer["status"] == "Optimal" and not gap
    return Answer(status, answer["value"], proven), answer["solve_seconds"]


def agree(ours: float | None, theirs: float | None) -> bool:
    if ours is None or theirs is None:
        return ours is theirs
    return abs(ours - theirs) <= TOLERANCE * max(1.0, abs(theirs))


def summary(walls: dict[int, list[tuple[float, float]]], sizes: list[int], seeds: int) -> list[str]:
    """Per size: median seconds of each side, and the ratio's median and worst."""
    rows = [
        "| candidates | instances | defplan s (median) | hand s (median) | defplan / hand: "
        "median | worst | defplan faster |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n in sizes:
        if n not in walls:
            rows.append(f"| {n:,} | {seeds} | - | - | - | - | defplan solved none |")
            continue
        ratios = [ours / theirs for ours, theirs in walls[n]]
        rows.append(
            f"| {n:,} | {len(ratios)} | {statistics.median(w for w, _ in walls[n]):.2f} | "
            f"{statistics.median(h for _, h in walls[n]):.2f} | "
            f"{statistics.median(ratios):.2f}x | {max(ratios):.2f}x | "
            f"{sum(r < 1 for r in ratios)} of {len(ratios)} |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--record", action="store_true", help="append to bench/results.md")
    parser.add_argument("--sizes", default="200,500,1000")
    parser.add_argument("--seeds", default="1,2,3,4,5", help="the family: generator seeds")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--time-limit", type=float, help="seconds for each run (default: none)")
    parser.add_argument(
        "--defplan-option",
        action="append",
        default=[],
        metavar="OPTION",
        help="one more word for defplan optimise, e.g. --defplan-option=--solver=highs",
    )
    args = parser.parse_args()
    lines: list[str] = []

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    limit = [] if args.time_limit is None else [f"{args.time_limit:g}"]
    defplan = [sys.executable, "-m", "defplan", "optimise"]
    defplan += ["--time-limit", *limit] if limit else []
    defplan += args.defplan_option
    hand = [sys.executable, str(HERE / "time_pulp.py")]
    if args.defplan_option or limit:
        options_used = " ".join(defplan[4:])
        say(f"defplan optimise with {options_used}; hand model limit {' '.join(limit) or 'none'}")
        say("")
    say(
        "| candidates | seed | options | defplan s | defplan status | defplan value "
        "| hand s | hand solve s | hand status | hand value | defplan / hand |"
    )
    say("| ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- | ---: | ---: |")
    walls: dict[int, list[tuple[float, float]]] = {}
    mismatches = []
    sizes = [int(n) for n in args.sizes.split(",")]
    seeds = [int(seed) for seed in args.seeds.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        for n, seed in [(n, seed) for n in sizes for seed in seeds]:
            path = Path(folder) / f"t{n}-{seed}.yaml"
            path.write_text(portfolio_yaml(n, seed), encoding="utf-8")
            ours, theirs = [], []
            for _ in range(args.repeat):  # interleaved: drift on the machine hits both
                ours.append(timed([*defplan, str(path), "--format", "json"]))
                theirs.append(timed([*hand, str(path), *limit]))
            wall, run = median_run(ours)
            hand_wall, hand_run = median_run(theirs)
            answer = defplan_answer(run)
            hand_side, in_highs = hand_answer(hand_run)
            ratio = "-"
            if answer.value is not None:
                walls.setdefault(n, []).append((wall, hand_wall))
                ratio = f"{wall / hand_wall:.2f}x"
            say(
                f"| {n:,} | {seed} | {options(path):,} | {wall:.2f} | {answer.status} "
                f"| {answer.shown()} | {hand_wall:.2f} | {in_highs:.2f} | {hand_side.status} "
                f"| {hand_side.shown()} | {ratio} |"
            )
            both = answer.proven and hand_side.proven
            if both and not agree(answer.value, hand_side.value):
                mismatches.append(
                    f"MISMATCH: {n} candidates, seed {seed}: defplan {answer.value!r}, "
                    f"hand model {hand_side.value!r}"
                )
                print(f"!!!!! {mismatches[-1]} !!!!!", file=sys.stderr, flush=True)
    say("")
    for row in summary(walls, sizes, len(seeds)):
        say(row)
    for mismatch in mismatches:
        say("")
        say(f"**{mismatch}**")
    if args.record:
        record(lines)
    if mismatches:
        sys.exit(1)


def record(lines: list[str]) -> None:
    record_lines("time-phased", lines)


if __name__ == "__main__":
    main()
