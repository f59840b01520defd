"""The time benchmark's baseline: a time-phased portfolio as an analyst would model it
by hand in PuLP, straight from the format's documentation, without defplan.

Reads the file with `yaml.safe_load`; one binary per start year that fits the horizon
(x_i = sum of them <= 1); costs shifted with the start, running costs each year after
delivery, both made nominal with the price rate or index; carry-over as continuous
balances; caps by line; `by` and `after` per option. Solved with `pulp.HiGHS` asked for
a zero gap (proven optimal). Prints one JSON line: status, value (recomputed from the
selection), how many are selected, HiGHS's final gap and the seconds in `prob.solve`
(PuLP handing the model to HiGHS, and HiGHS).
`python bench/time_pulp.py FILE [SECONDS]` (a time limit; none by default).
"""

from __future__ import annotations

import json
import sys
import time

import pulp
import yaml


def midpoint(v: object) -> float:
    return (v[0] + v[1]) / 2 if isinstance(v, list) else float(v)  # type: ignore[index]


class Option:
    """One start year of one candidate: its value, delivery and nominal spending."""

    def __init__(self, start: int | None, delivered: int, value: float) -> None:
        self.start, self.delivered, self.value = start, delivered, value
        self.spend: dict[str, dict[int, float]] = {}  # line -> year -> amount (nominal)
        self.plain = 0.0  # a plain cost: no year, taken as written

    def add(self, line: str, year: int, amount: float) -> None:
        by_year = self.spend.setdefault(line, {})
        by_year[year] = by_year.get(year, 0.0) + amount


class Portfolio:
    """What the model needs from the file, option by option."""

    def __init__(self, doc: dict) -> None:
        self.doc = doc
        self.first, self.last = doc["years"]
        declared = doc.get("lines") or {"budget": {}}  # no lines: one, the budget
        self.lines = list(declared)
        self.money = {k for k, v in declared.items() if v.get("money", True)}
        weights = {k: o.get("weight", 1) for k, o in doc["objectives"].items()}
        total = sum(weights.values())
        self.weights = {k: w / total for k, w in weights.items()}
        self.index = self._price_index(doc.get("prices"))
        self.options = {c["id"]: self._options(c) for c in doc["candidates"]}

    def _price_index(self, prices: dict | None) -> dict[int, float]:
        years = range(self.first, self.last + 1)
        if not prices:
            return dict.fromkeys(years, 1.0)
        if "index" in prices:
            return {y: prices["index"][y] for y in years}
        return {y: (1 + prices["rate"]) ** (y - prices["base"]) for y in years}

    def _options(self, c: dict) -> list[Option]:
        value = sum(self.weights[k] * midpoint(v) for k, v in c.get("value", {}).items())
        cost = c["cost"]
        if not isinstance(cost, dict):
            option = Option(None, self.first, value)  # counts as delivered in the first year
            option.plain = float(cost)
            return [option]
        by_line = any(isinstance(v, dict) for v in cost.values())
        profiles = cost if by_line else {self.lines[0]: cost}
        years = [y for profile in profiles.values() for y in profile]
        f, last = min(years), max(years)
        a, b = c.get("start", [f, f])
        running = c.get("running", {})
        if not isinstance(running, dict):
            running = {self.lines[0]: running}
        options = []
        for s in range(a, b + 1):
            delivered = last + s - f
            if s < self.first or delivered > self.last:
                continue  # does not fit the horizon
            option = Option(s, delivered, value - c.get("delay_penalty", 0) * (s - a))
            for line, profile in profiles.items():
                for year, amount in profile.items():
                    option.add(line, year + s - f, amount * self._factor(line, year + s - f))
            for line, amount in running.items():
                for year in range(delivered + 1, self.last + 1):
                    option.add(line, year, amount * self._factor(line, year))
            options.append(option)
        return options

    def _factor(self, line: str, year: int) -> float:
        return self.index[year] if line in self.money else 1.0

    def money_of(self, option: Option) -> float:
        """Plain cost plus nominal money on every money line."""
        return option.plain + sum(
            sum(by_year.values()) for line, by_year in option.spend.items() if line in self.money
        )


def build(p: Portfolio) -> tuple[pulp.LpProblem, dict, list]:
    """The model, its option variables by (id, option index), and the soft shortfalls."""
    doc = p.doc
    prob = pulp.LpProblem("time_baseline", pulp.LpMaximize)
    y = {
        (cid, k): pulp.LpVariable(f"y_{cid}_{k}", cat="Binary")
        for cid, options in p.options.items()
        for k in range(len(options))
    }
    x = {
        cid: pulp.lpSum(y[cid, k] for k in range(len(options)))
        for cid, options in p.options.items()
    }
    for cid, options in p.options.items():
        if len(options) > 1:
            prob += x[cid] <= 1, f"one_start_{cid}"
    money = {key: p.money_of(p.options[key[0]][key[1]]) for key in y}

    def spend(line: str, year: int) -> pulp.LpAffineExpression:
        return pulp.lpSum(
            p.options[cid][k].spend.get(line, {}).get(year, 0.0) * var
            for (cid, k), var in y.items()
            if year in p.options[cid][k].spend.get(line, {})
        )

    def line_total(line: str) -> pulp.LpAffineExpression:
        return pulp.lpSum(
            sum(p.options[cid][k].spend.get(line, {}).values()) * var for (cid, k), var in y.items()
        )

    value = pulp.lpSum(p.options[cid][k].value * var for (cid, k), var in y.items())
    shortfalls = []
    for name, com in doc.get("commitments", {}).items():
        by = com.get("by", p.last)
        achieved = pulp.lpSum(
            c.get("commitments", {}).get(name, 0) * y[c["id"], k]
            for c in doc["candidates"]
            for k, option in enumerate(p.options[c["id"]])
            if option.delivered <= by
        )
        if com.get("hard", True):
            prob += achieved >= com["target"], f"commitment_{name}"
        else:
            short = pulp.LpVariable(f"short_{name}", lowBound=0)
            prob += achieved + short >= com["target"], f"commitment_{name}"
            shortfalls.append((com["penalty"], short, name))
    prob += value - pulp.lpSum(penalty * short for penalty, short, _ in shortfalls)

    budget = doc.get("budget", {})
    total_money = pulp.lpSum(money[key] * var for key, var in y.items())
    if "total" in budget:
        prob += total_money <= budget["total"], "budget_total"
    carried = 0  # balance carried into the next capped year of the first line
    limit = budget.get("carry_over", 0)
    for year in sorted(budget.get("per_year", {})):
        cap = budget["per_year"][year]
        if limit:
            balance = pulp.LpVariable(f"carried_{year}", lowBound=0, upBound=limit)
            prob += spend(p.lines[0], year) + balance <= cap + carried, f"cap_{year}"
            carried = balance
        else:
            prob += spend(p.lines[0], year) <= cap, f"cap_{year}"
    for line, caps in budget.get("lines", {}).items():
        for year, cap in caps.get("per_year", {}).items():
            prob += spend(line, year) <= cap, f"cap_{line}_{year}"
        if "total" in caps:
            prob += line_total(line) <= caps["total"], f"total_{line}"

    for name, rule in doc.get("groups", {}).items():
        in_group = pulp.lpSum(
            money[c["id"], k] * y[c["id"], k]
            for c in doc["candidates"]
            if c.get("group") == name
            for k in range(len(p.options[c["id"]]))
        )
        if "min" in rule:
            prob += in_group >= rule["min"], f"group_min_{name}"
        if "max" in rule:
            prob += in_group <= rule["max"], f"group_max_{name}"
        if "min_share" in rule:
            prob += in_group >= rule["min_share"] * total_money, f"group_min_share_{name}"
        if "max_share" in rule:
            prob += in_group <= rule["max_share"] * total_money, f"group_max_share_{name}"
    for r, rule in enumerate(doc.get("rules", [])):
        count = pulp.lpSum(x[i] for i in set(rule["of"]))
        if "at_most" in rule:
            prob += count <= rule["at_most"], f"rule_{r}"
        if "at_least" in rule:
            prob += count >= rule["at_least"], f"rule_{r}"
        if "exactly" in rule:
            prob += count == rule["exactly"], f"rule_{r}"
    for c in doc["candidates"]:
        i = c["id"]
        for j in c.get("requires", []):
            prob += x[i] <= x[j], f"requires_{i}_{j}"
        for j in c.get("excludes", []):
            prob += x[i] + x[j] <= 1, f"excludes_{i}_{j}"
        if c.get("mandatory"):
            prob += x[i] == 1, f"mandatory_{i}"
        for j in c.get("after", []):
            for k, option in enumerate(p.options[i]):
                earlier = [
                    y[j, t]
                    for t, other in enumerate(p.options[j])
                    if other.delivered + 1 <= option.start
                ]
                prob += y[i, k] <= pulp.lpSum(earlier), f"after_{i}_{k}_{j}"
    return prob, y, shortfalls


def main(path: str, time_limit: float | None = None) -> None:
    with open(path, encoding="utf-8") as handle:
        doc = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    p = Portfolio(doc)
    prob, y, shortfalls = build(p)
    solver = pulp.HiGHS(msg=False, gapRel=0, timeLimit=time_limit)
    started = time.perf_counter()
    prob.solve(solver)
    seconds = time.perf_counter() - started
    chosen = [key for key, var in y.items() if (var.varValue or 0) > 0.5]
    value = sum(p.options[cid][k].value for cid, k in chosen)
    contributions = {c["id"]: c.get("commitments", {}) for c in doc["candidates"]}
    for penalty, _, name in shortfalls:  # the shortfall of the selection, not the solver's
        com = doc["commitments"][name]
        achieved = sum(
            contributions[cid].get(name, 0)
            for cid, k in chosen
            if p.options[cid][k].delivered <= com.get("by", p.last)
        )
        value -= penalty * max(0.0, com["target"] - achieved)
    highs = prob.solverModel
    info = highs.getInfo()
    print(
        json.dumps(
            {
                # HiGHS's own word: PuLP calls a solve stopped by the time limit Optimal
                "status": highs.modelStatusToString(highs.getModelStatus()),
                "value": value,
                "selected": len(chosen),
                "gap": info.mip_gap,
                "solve_seconds": round(seconds, 3),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else None)
