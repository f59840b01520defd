"""The script an analyst would write instead of defplan (the scale benchmark's baseline).

Reads the portfolio with `yaml.safe_load`, builds the model of docs/model.md with `lpSum` and
solves it with `pulp.HiGHS(msg=False)` at its default settings (a 0.01% gap, no tie
rules). Prints the status, the objective, the number selected, the seconds in
`prob.solve`, the solver's own seconds (HiGHS's run time, CBC's wall clock from its log)
and `finished` or `stopped` (by the time limit).
`python bench/baseline.py FILE [--gap 0] [--solver cbc] [--time-limit S]`:
`--gap` asks the solver for that relative gap (0: prove optimality), `--solver cbc`
solves with PuLP's CBC instead (for the family benchmark's proof times).
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path

import pulp
import yaml


def midpoint(v: object) -> float:
    return (v[0] + v[1]) / 2 if isinstance(v, list) else float(v)  # type: ignore[index]


def solve(prob: pulp.LpProblem, name: str, gap: float | None, limit: float | None) -> tuple:
    """Solve with HiGHS or CBC (at its default gap unless one is given): the seconds in
    `prob.solve`, the solver's own seconds, and whether it finished (not stopped by the limit)."""
    options = {"msg": False, "timeLimit": limit}
    if gap is not None:
        options["gapRel"] = gap
    started = time.perf_counter()
    if name == "highs":
        prob.solve(pulp.HiGHS(**options))
        seconds = time.perf_counter() - started
        highs = prob.solverModel
        finished = highs.getModelStatus() != highs.getModelStatus().kTimeLimit
        return seconds, highs.getRunTime(), finished
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "cbc.log"
        prob.solve(pulp.PULP_CBC_CMD(**options, logPath=str(log)))
        seconds = time.perf_counter() - started
        text = log.read_text()
    own = re.search(r"^Time \(Wallclock seconds\):\s*([\d.]+)", text, re.M)
    return seconds, float(own.group(1)) if own else seconds, "Stopped on time" not in text


def main(
    path: str, gap: float | None = None, solver: str = "highs", limit: float | None = None
) -> None:
    with open(path, encoding="utf-8") as handle:
        doc = yaml.safe_load(handle)
    cands = doc["candidates"]
    weights = {k: o.get("weight", 1) for k, o in doc["objectives"].items()}
    total_weight = sum(weights.values())
    prob = pulp.LpProblem("baseline", pulp.LpMaximize)
    x = {c["id"]: pulp.LpVariable(f"x_{c['id']}", cat="Binary") for c in cands}

    def cost(c: dict) -> float:
        return sum(c["cost"].values()) if isinstance(c["cost"], dict) else c["cost"]

    value = pulp.lpSum(
        weights[k] / total_weight * midpoint(v) * x[c["id"]]
        for c in cands
        for k, v in c.get("value", {}).items()
    )
    penalties = []
    for name, com in doc.get("commitments", {}).items():
        achieved = pulp.lpSum(c.get("commitments", {}).get(name, 0) * x[c["id"]] for c in cands)
        if com.get("hard", True):
            prob += achieved >= com["target"]
        else:
            short = pulp.LpVariable(f"short_{name}", lowBound=0)
            prob += achieved + short >= com["target"]
            penalties.append(com["penalty"] * short)
    prob += value - pulp.lpSum(penalties)
    budget = doc.get("budget", {})
    spend = pulp.lpSum(cost(c) * x[c["id"]] for c in cands)
    if "total" in budget:
        prob += spend <= budget["total"]
    for year, cap in budget.get("per_year", {}).items():
        prob += (
            pulp.lpSum(
                c["cost"].get(year, 0) * x[c["id"]] for c in cands if isinstance(c["cost"], dict)
            )
            <= cap
        )
    for name, rule in doc.get("groups", {}).items():
        in_group = pulp.lpSum(cost(c) * x[c["id"]] for c in cands if c.get("group") == name)
        if "min_share" in rule:
            prob += in_group >= rule["min_share"] * spend
        if "max_share" in rule:
            prob += in_group <= rule["max_share"] * spend
    for rule in doc.get("rules", []):
        count = pulp.lpSum(x[i] for i in set(rule["of"]))
        if "at_most" in rule:
            prob += count <= rule["at_most"]
        if "at_least" in rule:
            prob += count >= rule["at_least"]
        if "exactly" in rule:
            prob += count == rule["exactly"]
    for c in cands:
        for other in c.get("requires", []):
            prob += x[c["id"]] <= x[other]
        for other in c.get("excludes", []):
            prob += x[c["id"]] + x[other] <= 1
        if c.get("mandatory"):
            prob += x[c["id"]] == 1
    seconds, own, finished = solve(prob, solver, gap, limit)
    chosen = sum(1 for v in x.values() if (v.varValue or 0) > 0.5)
    ending = "finished" if finished else "stopped"
    status = pulp.LpStatus[prob.status]
    print(status, pulp.value(prob.objective), chosen, f"{seconds:.3f}", f"{own:.3f}", ending)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file")
    parser.add_argument("--gap", type=float, help="relative gap (default: the solver's own)")
    parser.add_argument("--solver", choices=("highs", "cbc"), default="highs")
    parser.add_argument("--time-limit", type=float, help="seconds for the solver (default: none)")
    args = parser.parse_args()
    main(args.file, args.gap, args.solver, args.time_limit)
