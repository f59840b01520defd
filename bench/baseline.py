"""The script an analyst would write instead of defplan (the scale benchmark's baseline).

Reads the portfolio with `yaml.safe_load`, builds the model of docs/model.md with `lpSum` and
solves it with `pulp.HiGHS(msg=False)` at its default settings (a 0.01% gap, no tie
rules). Prints the objective and the number selected. `python bench/baseline.py FILE`.
"""

from __future__ import annotations

import sys

import pulp
import yaml


def midpoint(v: object) -> float:
    return (v[0] + v[1]) / 2 if isinstance(v, list) else float(v)  # type: ignore[index]


def main(path: str) -> None:
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
    prob.solve(pulp.HiGHS(msg=False))
    chosen = sum(1 for v in x.values() if (v.varValue or 0) > 0.5)
    print(pulp.LpStatus[prob.status], pulp.value(prob.objective), chosen)


if __name__ == "__main__":
    main(sys.argv[1])
