"""A brute-force reference for the national frame (docs/file-format.md, "The national
frame"), on top of the reference for planning in time (bruteforce_time.py), and random
small portfolios with an economy.

Every plan the time reference enumerates is checked, in exact rational arithmetic,
against each horizon year's cap from a GDP share path (interpolated linearly between
the years given: core money, the money lines without a share of their own, at most
share * GDP - baseline, never below 0; a line with its own share likewise) and the
groups' shares of core defence spending. Nothing here imports defplan's solving code.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from bruteforce_time import (
    ZERO,
    Plan,
    Run,
    TimeExpected,
    canonical,
    exact,
    plans,
    time_docs,
)
from hypothesis import strategies as st

from defplan.model import Portfolio


def interpolated(path: Mapping[int, float]) -> dict[int, Fraction]:
    """The path's share in every year from its first given year to its last."""
    given = sorted((y, exact(s)) for y, s in path.items())
    out = {given[-1][0]: given[-1][1]}
    for (a, sa), (b, sb) in itertools.pairwise(given):
        for y in range(a, b):
            out[y] = sa + (sb - sa) * (y - a) / (b - a)
    return out


def own_share_lines(p: Portfolio) -> set[str]:
    return {n for n, caps in p.budget.lines.items() if caps.gdp_share is not None}


def core_money(p: Portfolio, plan: Plan, year: int) -> Fraction:
    """The plan's money in a year on the money lines without a share of their own."""
    money = {n for n, line in p.lines.items() if line.money} or {p.first_line}
    lines = money - own_share_lines(p)
    return sum((plan.spend.get(line, {}).get(year, ZERO) for line in lines), ZERO)


def frame_broken(p: Portfolio, plan: Plan) -> set[str]:
    """The frame's constraints the plan breaks, by block name."""
    economy = p.economy
    assert economy is not None and p.years is not None
    first, last = p.years
    broken = set()
    paths: dict[str, Mapping[int, float]] = {}
    if p.budget.gdp_share is not None:
        paths["core"] = p.budget.gdp_share
    for name in own_share_lines(p):
        paths[name] = p.budget.lines[name].gdp_share  # type: ignore[assignment]
    for name, path in paths.items():
        baseline = economy.baseline if name == "core" else economy.baseline_lines[name]
        for year, share in interpolated(path).items():
            if not first <= year <= last:
                continue
            room = max(ZERO, share * exact(economy.gdp[year]) - exact(baseline[year]))
            spent = core_money(p, plan, year) if name == "core" else plan.spend[name][year]
            if spent > room:
                broken.add(f"gdp_share.{year}" if name == "core" else f"gdp_share.{name}.{year}")
    members = {cid for cid, _ in plan.chosen}
    for tag, group in p.groups.items():
        for key, share in (
            ("min_share_of_defence", group.min_share_of_defence),
            ("max_share_of_defence", group.max_share_of_defence),
        ):
            if share is None:
                continue
            for year, base in economy.baseline.items():
                if not first <= year <= last:
                    continue
                mine = _members_core(p, plan, tag, year, members)
                ours = exact(economy.baseline_groups.get(tag, {}).get(year, 0)) + mine
                whole = exact(share) * (exact(base) + core_money(p, plan, year))
                if (key.startswith("min") and ours < whole) or (
                    key.startswith("max") and ours > whole
                ):
                    broken.add(f"group.{tag}.{key}.{year}")
    return broken


def _members_core(p: Portfolio, plan: Plan, tag: str, year: int, members: set[str]) -> Fraction:
    money = {n for n, line in p.lines.items() if line.money} or {p.first_line}
    lines = money - own_share_lines(p)
    total = ZERO
    for cid, option in plan.chosen:
        cand = next(c for c in p.candidates if c.id == cid)
        if cid in members and cand.group == tag:
            total += sum((option.spend.get((line, year), ZERO) for line in lines), ZERO)
    return total


def frame_oracle(p: Portfolio, run: Run | None = None) -> TimeExpected:
    """The canonical plan among those that break nothing, the frame included."""
    feasible = [q for q in plans(p, run or Run()) if not q.violated and not frame_broken(p, q)]
    return canonical(feasible)


GDP = (1210.5, 980, 1044.4, 1500)
"""GDP figures as files write them (in the file's unit)."""


@st.composite
def frame_docs(draw: Any, features: tuple[str, ...] = ("windows", "running", "lines")) -> Any:
    """A small plan in time with an economy whose share caps bind: each year's room is
    a fraction of what every candidate together could spend that year."""
    doc = draw(time_docs(features))
    first, last = doc["years"]
    years = range(first, last + 1)
    doc.setdefault("budget", {})
    lines = doc.get("lines", {})
    money = [n for n, spec in lines.items() if spec.get("money", True)] or ["budget"]
    own = money[1] if len(money) > 1 and draw(st.booleans()) else None
    core = [n for n in money if n != own]
    first_line = money[0]

    def demand(names: list[str], year: int) -> float:
        """What every candidate at its costliest start could spend in `year` (an
        upper bound, in constant prices: enough to make a cap bind)."""
        total = 0.0
        for c in doc["candidates"]:
            cost = c["cost"]
            if not isinstance(cost, dict):
                continue
            profiles = (
                cost if any(isinstance(v, dict) for v in cost.values()) else {first_line: cost}
            )
            total += sum(float(profiles.get(n, {}).get(year, 0)) for n in names)
            running = c.get("running")
            if isinstance(running, dict):
                total += sum(float(running.get(n, 0)) for n in names)
            elif running is not None and first_line in names:
                total += float(running)
        return total

    gdp = {y: draw(st.sampled_from(GDP)) for y in years}
    baseline = {y: round(0.018 * gdp[y], 1) for y in years}
    fraction = draw(st.sampled_from([0.3, 0.5, 0.75]))
    share = {y: round((baseline[y] + fraction * demand(core, y) + 0.5) / gdp[y], 6) for y in years}
    given = sorted({first, last, draw(st.sampled_from(list(years)))})
    doc["economy"] = {"gdp": gdp, "baseline": baseline}
    doc["budget"]["gdp_share"] = {y: share[y] for y in given}
    if own is not None:
        base_own = {y: round(0.004 * gdp[y], 1) for y in years}
        doc["economy"]["baseline_lines"] = {own: base_own}
        own_share = {
            y: round((base_own[y] + fraction * demand([own], y) + 0.5) / gdp[y], 6) for y in years
        }
        doc["budget"].setdefault("lines", {}).setdefault(own, {})["gdp_share"] = {
            y: own_share[y] for y in (first, last)
        }
    if "groups" not in doc and draw(st.booleans()):
        for k, c in enumerate(doc["candidates"]):
            if k % 2 == 0:
                c["group"] = "equipment"
        doc.setdefault("groups", {})["equipment"] = {"min_share_of_defence": 0.2}
        # the committed equipment: some years just below 20% of the baseline (new
        # equipment must make up the rest), others above by what 20% of new spending takes
        over = {y: draw(st.sampled_from([-0.2, 1, 3, 6])) for y in years}
        doc["economy"]["baseline_groups"] = {
            "equipment": {y: max(0.0, round(0.2 * baseline[y] + over[y], 1)) for y in years}
        }
    return doc
