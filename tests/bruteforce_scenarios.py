"""A brute-force reference for budget scenarios and the two-stage plan
(docs/model.md, "Budget scenarios"), and random small portfolios with scenarios.

Each scenario's file is written out with the scenario's budget merged in by hand
(`per_year` year by year, each line's `per_year` year by year, other keys replaced),
and tests/bruteforce_time.py enumerates its feasible plans in exact arithmetic. A plan's
commitment is what it decides by `commit_by`: each selected candidate starting in or
before it, or with a plain cost, with its start. Plans of different scenarios go
together when their commitments are equal; the reference enumerates every such
combination and keeps the best by the tie rule: expected value, then expected money,
then the file-order rule on the selections of the scenarios one after another (the
greatest 0/1 vector over scenario 1's candidates, then scenario 2's, ...), then earlier
starts in the same order.

Given a commitment the scenarios are independent, so the combinations of one commitment
are ranked scenario by scenario; values and money in these files differ by far more
than the tie tolerance unless equal, so equal means equal here.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from bruteforce import to_yaml
from bruteforce_time import Plan, TimeExpected, exact, oracle, plans, scaled
from hypothesis import strategies as st

from defplan.loading import parse_portfolio
from defplan.model import Portfolio

Commitment = tuple[tuple[str, int | None], ...]


def merged(budget: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """A scenario's budget merged into the file's, as the format says."""
    out = copy.deepcopy(budget)
    for key, value in over.items():
        if key == "per_year":
            out["per_year"] = {**out.get("per_year", {}), **value}
        elif key == "lines":
            lines = out.setdefault("lines", {})
            for name, caps in value.items():
                mine = lines.setdefault(name, {})
                for k, v in caps.items():
                    mine[k] = {**mine.get(k, {}), **v} if k == "per_year" else v
        else:
            out[key] = value
    return out


def scenario_doc(doc: dict[str, Any], name: str, total: float | None = None) -> dict[str, Any]:
    """The file as scenario `name` sees it: no scenarios, its budget merged in, then
    the command line's --budget (`total`) on top."""
    out = {k: copy.deepcopy(v) for k, v in doc.items() if k not in ("scenarios", "commit_by")}
    out["budget"] = merged(doc.get("budget", {}), doc["scenarios"][name].get("budget", {}))
    if total is not None:
        out["budget"]["total"] = total
    return out


def scenario_portfolio(doc: dict[str, Any], name: str, total: float | None = None) -> Portfolio:
    text = to_yaml(scenario_doc(doc, name, total))
    return parse_portfolio(text, filename=f"{name}.yaml")


def commitment(plan: Plan, commit_by: int) -> Commitment:
    """What a plan decides now: (id, start) of each selected candidate starting by
    commit_by or with a plain cost (start None), in file order."""
    return tuple(
        (cid, o.start) for cid, o in plan.chosen if o.start is None or o.start <= commit_by
    )


@dataclass
class TwoStage:
    """The reference's answer."""

    status: str
    expected_value: Fraction | None = None
    expected_money: Fraction | None = None
    commit: Commitment = ()
    plans: dict[str, Plan] | None = None
    conflicts: tuple[str, ...] = ()
    alone: dict[str, Fraction | None] | None = None
    alone_money: dict[str, Fraction | None] | None = None
    followed: dict[str, Fraction | None] | None = None


def _best_of(candidates: list[Plan]) -> Plan:
    """One scenario's best plan for a commitment: value, money, order, starts."""
    top = max(p.value for p in candidates)
    left = [p for p in candidates if p.value == top]
    least = min(p.money for p in left)
    left = [p for p in left if p.money == least]
    x = max(p.x for p in left)
    return min((p for p in left if p.x == x), key=lambda p: p.starts)


def two_stage(doc: dict[str, Any], total: float | None = None) -> TwoStage:
    """The canonical two-stage plan by enumeration, in exact arithmetic (with
    `--budget total` when given)."""
    names = list(doc["scenarios"])
    chance = {n: exact(doc["scenarios"][n]["probability"]) for n in names}
    commit_by = doc["commit_by"]
    ports = {n: scenario_portfolio(doc, n, total) for n in names}
    by_commitment: dict[str, dict[Commitment, list[Plan]]] = {}
    for n in names:
        groups: dict[Commitment, list[Plan]] = {}
        for plan in plans(ports[n]):
            if not plan.violated:
                groups.setdefault(commitment(plan, commit_by), []).append(plan)
        by_commitment[n] = groups
    alone_plans = {n: oracle(ports[n]) for n in names}
    alone = {n: (e.plan.value if e.plan else None) for n, e in alone_plans.items()}
    money = {n: (e.plan.money if e.plan else None) for n, e in alone_plans.items()}
    shared = set.intersection(*(set(g) for g in by_commitment.values()))
    best = {c: {n: _best_of(by_commitment[n][c]) for n in names} for c in shared}

    def expected(c: Commitment, what: str) -> Fraction:
        return sum((chance[n] * getattr(best[c][n], what) for n in names), Fraction(0))

    followed = {}
    for n, e in alone_plans.items():
        c = commitment(e.plan, commit_by) if e.plan else None
        followed[n] = expected(c, "value") if c in best else None
    if not shared:
        lost = tuple(n for n in names if not by_commitment[n])
        return TwoStage(
            "infeasible", conflicts=lost or ("commit_by",), alone=alone, alone_money=money
        )

    def rank(c: Commitment) -> tuple[Any, ...]:
        x = tuple(v for n in names for v in best[c][n].x)
        starts = tuple(v for n in names for v in best[c][n].starts)
        return (-expected(c, "value"), expected(c, "money"), tuple(-v for v in x), starts)

    chosen = min(shared, key=rank)
    return TwoStage(
        "optimal",
        expected(chosen, "value"),
        expected(chosen, "money"),
        chosen,
        best[chosen],
        alone=alone,
        alone_money=money,
        followed=followed,
    )


def time_expected(plan: Plan) -> TimeExpected:
    """A scenario's plan as tests/test_time_bruteforce.py's check_result takes it."""
    return TimeExpected("optimal", plan)


# ------------------------------------------------------------------ the generator

FACTORS = (0.9, 0.97, 1.03, 1.1, 0.778)
"""What a scenario multiplies the file's caps by: cuts and rises, some by decimals."""
CHANCES = ([0.3, 0.5, 0.2], [0.25, 0.75], [0.1, 0.6, 0.3], [1])


@st.composite
def with_scenarios(draw: Any, docs: Any) -> dict[str, Any]:
    """A document of `docs` with 1-3 scenarios that cut or raise its caps, and a
    commit_by inside its horizon."""
    doc = draw(docs)
    first, last = doc["years"]
    budget = doc["budget"]
    chances = draw(st.sampled_from(CHANCES))
    scenarios: dict[str, Any] = {}
    for k, p in enumerate(chances):
        over: dict[str, Any] = {}
        factor = draw(st.sampled_from(FACTORS))
        if "total" in budget and draw(st.booleans()):
            over["total"] = round(budget["total"] * factor, 1)
        if budget.get("per_year") and draw(st.booleans()):
            years = sorted(budget["per_year"])
            year = draw(st.sampled_from(years))
            over["per_year"] = {year: round(budget["per_year"][year] * factor, 1)}
        elif draw(st.integers(0, 3)) == 0 and "total" in budget:
            year = draw(st.integers(first, last))
            over["per_year"] = {year: round(float(budget["total"]) * factor / 3, 1)}
        if "carry_over" in budget and draw(st.integers(0, 2)) == 0:
            over["carry_over"] = draw(st.sampled_from([0, 7.5, 100]))
        scenarios[f"s{k}"] = {"probability": p, **({"budget": over} if over else {})}
    doc["scenarios"] = scenarios
    doc["commit_by"] = draw(st.integers(first, last))
    return doc


def loosened(doc: dict[str, Any], factor: float) -> dict[str, Any]:
    """doc with every cap, the file's and each scenario's, loosened by factor."""
    out = scaled(doc, factor)
    for scenario in out["scenarios"].values():
        if "budget" in scenario:
            scenario["budget"] = scaled({"budget": scenario["budget"]}, factor)["budget"]
    return out
