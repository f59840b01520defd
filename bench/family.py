"""Family benchmark: defplan against the plain script on families of portfolios, by target.

Static family (bench/generate.py FAMILY, 5,000 candidates each), per member, as whole
processes, interleaved, `--repeat` times (medians):
  defplan   `python -m defplan --profile optimise FILE --format json` (its solve phase
            from --profile)
  script    `python bench/baseline.py FILE` (HiGHS at its default gap)
  gap 0     `python bench/baseline.py FILE --gap 0` (HiGHS asked to prove optimality)
and once `python bench/baseline.py FILE --gap 0 --solver cbc` (CBC's own proof, stopped
1 s after HiGHS's proof time, when it can no longer be the faster). The faster solver's
own proof time is the least of HiGHS's run time at gap 0 and CBC's wall clock, of those
that finished. defplan's value must equal the gap-0 script's (1e-6
relative): a mismatch is printed loudly and the script exits 1.
Time-phased family (bench/time_generate.py FAMILY, 1,000 candidates): defplan against
bench/time_pulp.py (HiGHS at gap 0), the same way; no target of its own, shown by ratio.
Sweeps: a 21-point `defplan sweep` (50% to 150% of the file's total budget) against 21
`defplan optimise` calls on five 300-candidate, 6-year portfolios of the family's
shapes; and on each static member a sweep near its own budget (90% to 110% of the
file's total, five points) against one `optimise` of the file, one run each.
Every process is stopped after `--limit` seconds (the solvers in the scripts are given
the limit themselves); a run stopped so is shown as over the limit, fails its target and
is not repeated. Prints a table per part and whether each target holds;
`--quick` is a smoke run (500 and 200 candidates, 60-candidate sweeps, one repeat, 60 s
limit);
`--record` appends everything to bench/results.md.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import time_generate  # noqa: E402
from shell import DEFPLAN, sweep_against_calls, timed  # noqa: E402
from time_run import agree, defplan_answer, hand_answer  # noqa: E402
from timing import Run, median_run, phases, record  # noqa: E402
from timing import timed as run_timed  # noqa: E402

PYTHON = sys.executable
SWEEP_SHAPES = ("base", "budget-10", "caps-tight", "commitments-many", "ties")
NEAR = (0.9, 0.95, 1.0, 1.05, 1.1)
TARGETS = {
    "worst": 0.6,  # defplan / script (default gap), the worst member
    "median": 0.45,  # the same, the median member
    "proof": 1.1,  # defplan's solve phase / the faster solver's own proof, each member
    "sweep": 0.3,  # 21-point sweep / 21 optimise calls, each instance
    "near": 3.0,  # sweep near the budget / one optimise, each member
}


def ratio(ours: float, theirs: float) -> float:
    """ours / theirs; infinity when ours ran over the limit, nan when theirs did."""
    if math.isinf(ours):
        return math.inf
    return math.nan if math.isinf(theirs) or not theirs else ours / theirs


def shown(r: float) -> str:
    return "over the limit" if math.isinf(r) else "-" if math.isnan(r) else f"{r:.2f}x"


def seconds(s: float) -> str:
    return "over" if math.isinf(s) else f"{s:.2f}"


def verdict(label: str, value: float, target: float) -> str:
    """One line: the measured ratio against its target, and whether it holds."""
    holds = "holds" if value <= target else "FAILS"
    return f"- {label}: {shown(value)} (target <= {target:g}x): {holds}"


def worst(ratios: list[float]) -> float:
    """The greatest ratio (a member without a ratio, nan, counts as failing)."""
    return max((math.inf if math.isnan(r) else r) for r in ratios) if ratios else math.nan


def median(ratios: list[float]) -> float:
    return statistics.median(math.inf if math.isnan(r) else r for r in ratios)


def wall(runs: list[Run], scripts: bool = False) -> tuple[float, Run]:
    """The median wall time and its run, or infinity when any run was stopped (for
    bench/baseline.py, by its own time limit too)."""
    middle, run = median_run(runs)
    stopped = any(r.over or (scripts and not Script(r).finished) for r in runs)
    return (math.inf if stopped else middle), run


def check(name: str, ours: float | None, theirs: float | None) -> list[str]:
    """A loud mismatch when both sides proved an optimum and the two differ."""
    if ours is None or theirs is None or agree(ours, theirs):
        return []
    text = f"MISMATCH: {name}: defplan {ours!r}, the script proven optimal {theirs!r}"
    print(f"!!!!! {text} !!!!!", file=sys.stderr, flush=True)
    return [text]


class Script:
    """The last line of bench/baseline.py: status, value, selected, seconds, own, ending."""

    def __init__(self, run: Run) -> None:
        words = run.out.strip().splitlines()[-1].split() if run.out.strip() else []
        self.finished = len(words) == 6 and words[5] == "finished" and not run.over
        self.value = float(words[1]) if self.finished and words[1] != "None" else None
        self.own = float(words[4]) if self.finished else math.inf


def again(runs: list[Run], cmd: list[str], limit: float) -> None:
    """One more run of cmd, unless one already ran over the limit (it would again)."""
    if not any(r.over or r.seconds > limit for r in runs):
        runs.append(run_timed(cmd, limit + 10))


def cbc_command(path: Path, limit: float) -> list[str]:
    """CBC's proof, stopped once it could no longer be the faster solver."""
    script = [PYTHON, str(HERE / "baseline.py"), str(path), "--gap", "0", "--solver", "cbc"]
    return [*script, "--time-limit", f"{limit:.3f}"]


def static_member(path: Path, repeat: int, limit: float) -> dict:
    """Every side's times on one static member, and its values."""
    defplan = [*DEFPLAN, "--profile", "optimise", str(path), "--format", "json"]
    script = [PYTHON, str(HERE / "baseline.py"), str(path), "--time-limit", f"{limit:g}"]
    ours, plain, proof = [], [], []
    for _ in range(repeat):  # interleaved: drift on the machine hits every side
        again(ours, defplan, limit)
        again(plain, script, limit)
        again(proof, [*script, "--gap", "0"], limit)
    ours_wall, our_run = wall(ours)
    gap0_wall, gap0_run = wall(proof, scripts=True)
    highs = statistics.median(Script(r).own for r in proof)
    cbc = Script(run_timed(cbc_command(path, min(limit, highs + 1)), limit + 10))
    answer = defplan_answer(our_run) if not math.isinf(ours_wall) else None
    solve = phases(our_run.err).get("solve", math.inf) if answer else math.inf
    return {
        "defplan": ours_wall,
        "solve": solve,
        "script": wall(plain, scripts=True)[0],
        "gap0": gap0_wall,
        "highs": highs,
        "cbc": cbc.own,
        "answer": answer,
        "theirs": Script(gap0_run),
    }


def static_family(members: list, n: int | None, repeat: int, limit: float, say) -> list[str]:
    """The static family's table and verdicts; returns the mismatches found."""
    say(
        "| member | defplan s | solve phase s | script s | script gap 0 s | HiGHS proof s "
        "| CBC proof s | defplan / script | defplan / gap 0 | solve / faster proof | value |"
    )
    say("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    to_script, to_proof, mismatches = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        for member in members:
            path = Path(folder) / f"{member.name}.yaml"
            path.write_text(member.yaml(n), encoding="utf-8")
            m = static_member(path, repeat, limit)
            to_script.append(ratio(m["defplan"], m["script"]))
            to_proof.append(ratio(m["solve"], min(m["highs"], m["cbc"])))
            value = m["answer"].value if m["answer"] else None
            say(
                f"| {member.name} | {seconds(m['defplan'])} | {seconds(m['solve'])} "
                f"| {seconds(m['script'])} | {seconds(m['gap0'])} | {seconds(m['highs'])} "
                f"| {seconds(m['cbc'])} | {shown(to_script[-1])} "
                f"| {shown(ratio(m['defplan'], m['gap0']))} | {shown(to_proof[-1])} "
                f"| {'-' if value is None else f'{value:.6f}'} |"
            )
            proven = m["answer"] and m["answer"].proven
            mismatches += check(member.name, value if proven else None, m["theirs"].value)
    say("")
    say(verdict("median defplan / script", median(to_script), TARGETS["median"]))
    say(verdict("worst defplan / script", worst(to_script), TARGETS["worst"]))
    say(verdict("worst solve phase / faster proof", worst(to_proof), TARGETS["proof"]))
    return mismatches


def time_family(n: int | None, repeat: int, limit: float, say) -> list[str]:
    """The time-phased family's table against the hand model; returns the mismatches."""
    say(
        "| member | defplan s | solve phase s | hand s | hand proof s | defplan / hand "
        "| solve / hand proof | value |"
    )
    say("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    to_hand, mismatches = [], []
    with tempfile.TemporaryDirectory() as folder:
        for name, size, seed, tightness in time_generate.FAMILY:
            path = Path(folder) / f"{name}.yaml"
            text = time_generate.portfolio_yaml(n or size, seed, tightness=tightness)
            path.write_text(text, encoding="utf-8")
            defplan = [*DEFPLAN, "--profile", "optimise", str(path), "--format", "json"]
            hand = [PYTHON, str(HERE / "time_pulp.py"), str(path), f"{limit:g}"]
            ours, theirs = [], []
            for _ in range(repeat):
                again(ours, defplan, limit)
                again(theirs, hand, limit)
            ours_wall, our_run = wall(ours)
            hand_wall, hand_run = wall(theirs)
            answer = defplan_answer(our_run)
            hand_side, proof = hand_answer(hand_run) if hand_run.out.strip() else (None, 0.0)
            solve = phases(our_run.err).get("solve", math.inf)
            to_hand.append(ratio(ours_wall, hand_wall))
            say(
                f"| {name} | {seconds(ours_wall)} | {seconds(solve)} | {seconds(hand_wall)} "
                f"| {proof:.2f} | {shown(to_hand[-1])} | {shown(ratio(solve, proof))} "
                f"| {answer.shown()} |"
            )
            proven = hand_side.value if hand_side and hand_side.proven else None
            mismatches += check(name, answer.value if answer.proven else None, proven)
    say("")
    say(
        f"- defplan / hand: median {shown(median(to_hand))}, worst {shown(worst(to_hand))} "
        "(no target of its own)"
    )
    return mismatches


def sweep_rows(cases: list, measure, say) -> list[float]:
    """For each (name, document, budgets): write the file, measure (sweep s, reference s)
    with measure(path, budgets), print a row; returns the ratios."""
    ratios = []
    with tempfile.TemporaryDirectory() as folder:
        for name, doc, budgets in cases:
            path = Path(folder) / f"{name}.json"
            path.write_text(json.dumps(doc), encoding="utf-8")
            sweep, reference = measure(path, budgets)
            ratios.append(ratio(sweep, reference))
            say(
                f"| {name} | {budgets[0]:,} to {budgets[-1]:,} | {seconds(sweep)} "
                f"| {seconds(reference)} | {shown(ratios[-1])} |"
            )
    say("")
    return ratios


def sweeps(n: int, limit: float, say) -> None:
    """21-point sweeps against 21 optimise calls on small, 6-year members' shapes."""
    say(f"| shape ({n:,} candidates, 6 years) | budgets | sweep s | 21 optimise s | ratio |")
    say("| --- | --- | ---: | ---: | ---: |")
    by_name = {m.name: m for m in generate.FAMILY}
    cases = []
    for name in SWEEP_SHAPES:
        doc = generate.portfolio(n, by_name[name].seed, years=6, **by_name[name].shape)
        total = doc["budget"]["total"]
        cases.append((name, doc, [round(total * (0.5 + 0.05 * k)) for k in range(21)]))
    ratios = sweep_rows(cases, lambda path, b: sweep_against_calls(path, b, limit), say)
    say(verdict("worst sweep / 21 calls", worst(ratios), TARGETS["sweep"]))


def near_budget(members: list, n: int | None, limit: float, say) -> None:
    """On each static member: a sweep at 90-110% of its total against one optimise."""
    say("| member | budgets | sweep s | one optimise s | ratio |")
    say("| --- | --- | ---: | ---: | ---: |")
    cases = []
    for member in members:
        doc = generate.portfolio(n or member.n, member.seed, **member.shape)
        cases.append((member.name, doc, [round(doc["budget"]["total"] * k) for k in NEAR]))

    def measure(path: Path, budgets: list[int]) -> tuple[float, float]:
        spec = ",".join(str(b) for b in budgets)
        one = timed([*DEFPLAN, "optimise", str(path), "--format", "json"], limit)
        sweep = [*DEFPLAN, "sweep", str(path), "--budget", spec, "--format", "json"]
        # over the limit at the middle point alone: the sweep, which solves it too, would be
        return (math.inf if math.isinf(one) else timed(sweep, limit)), one

    ratios = sweep_rows(cases, measure, say)
    say(verdict("worst sweep near the budget / one optimise", worst(ratios), TARGETS["near"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run on small members")
    parser.add_argument("--repeat", type=int, help="runs of each side (default 3; quick 1)")
    parser.add_argument("--limit", type=float, help="seconds for each process (120; quick 60)")
    parser.add_argument("--parts", default="static,time,sweep,near", help="which parts to run")
    parser.add_argument("--members", help="static members by name (default: all)")
    parser.add_argument("--record", action="store_true", help="append to bench/results.md")
    args = parser.parse_args()
    repeat = args.repeat or (1 if args.quick else 3)
    limit = args.limit or (60 if args.quick else 120)
    parts = args.parts.split(",")
    chosen = args.members.split(",") if args.members else None
    members = [m for m in generate.FAMILY if chosen is None or m.name in chosen]
    lines: list[str] = []

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    n, time_n, sweep_n = (500, 200, 60) if args.quick else (None, None, 300)
    note = " (quick: smaller members than the targets are set on)" if args.quick else ""
    say(f"Medians of {repeat}; each process stopped after {limit:g} s{note}.")
    mismatches = []
    if "static" in parts:
        say("")
        mismatches += static_family(members, n, repeat, limit, say)
    if "time" in parts:
        say("")
        mismatches += time_family(time_n, repeat, limit, say)
    if "sweep" in parts:
        say("")
        sweeps(sweep_n, limit, say)
    if "near" in parts:
        say("")
        near_budget(members, n, limit, say)
    say("")
    say(
        "- robust: 2 workers at least 1.6x the samples per second of one, measured by "
        "bench/robust_workers.py (not run here)"
    )
    for mismatch in mismatches:
        say("")
        say(f"**{mismatch}**")
    if args.record:
        record("family", lines)
    if mismatches:
        sys.exit(1)


if __name__ == "__main__":
    main()
