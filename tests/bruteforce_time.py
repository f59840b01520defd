"""A brute-force reference for planning in time (docs/file-format.md, "Planning in time"),
and random small portfolios that use it.

`oracle` enumerates, for every candidate, "not selected" or "selected with start s" for
each start s of its window whose shifted profiles fit the horizon, in exact rational
arithmetic, and keeps the feasible plans: prices turn constant-price amounts into
nominal money, running costs follow delivery to the horizon's end, the first line's caps
by year carry unspent money forward (at most `carry_over`), other lines have their own
caps, `by` counts only what is delivered in time, `after` orders starts. The winner
follows the tie rule: best value, then least money, then the file-order rule on the
selection, then earlier starts in file order.

Readings where the format leaves a choice: a running cost goes on after the horizon at the
horizon's last prices (`running_after`: the run rate of the last year; no index exists
beyond it); a plain-cost candidate counts as delivered in the horizon's first year, for
`by` and for a candidate that comes `after` it; carrying as much as allowed is never
worse than carrying less (a balance only loosens the next capped year), so the greedy
balances decide feasibility and are the ones reported; caps are exact and commitments
are met within a relative 1e-9, as without time.

Nothing here imports defplan's model or solving code: the reference reads the
Portfolio (defplan.model's pydantic classes) that defplan.loading parses from a file.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from bruteforce import TIE, _subset
from hypothesis import strategies as st

from defplan.model import Candidate, Portfolio

ZERO = Fraction(0)


def exact(x: float | int) -> Fraction:
    """A number of the file as written: 77.8 is 389/5, not the double nearest it."""
    return Fraction(repr(x)) if isinstance(x, float) else Fraction(x)


# --------------------------------------------------------------------- the reference


@dataclass(frozen=True)
class Run:
    """What the command line may override: --budget, --budget-year, --weight,
    --include, --exclude."""

    total: float | str | None = "file"  # "file": the file's budget.total
    per_year: dict[int, float] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    factors: dict[str, Fraction] = field(default_factory=dict)
    """Each candidate's cost factor (--cost-level), on every amount of its money."""


@dataclass(frozen=True)
class Option:
    """One way to select a candidate: its start, what it spends and what it is worth."""

    start: int | None  # None for a plain cost
    delivered: int | None  # the last year of its shifted profiles; None for a plain cost
    value: Fraction  # v_i - delay_penalty * (s - a)
    money: Fraction  # its own nominal money inside the horizon plus its plain cost
    spend: dict[tuple[str, int], Fraction]  # (line, year) -> nominal money or units
    running: dict[str, Fraction]  # per line, each year after the horizon (see running_after)


@dataclass(frozen=True)
class Plan:
    """One combination of options (None: not selected), with what it breaks."""

    x: tuple[int, ...]
    starts: tuple[int, ...]  # 0 where not selected or plain
    chosen: tuple[tuple[str, Option], ...]  # (id, option) of the selected, in file order
    value: Fraction
    money: Fraction
    spend: dict[str, dict[int, Fraction]]
    running_after: dict[str, Fraction]
    carried: dict[int, Fraction] | None
    violated: frozenset[str]


@dataclass
class TimeExpected:
    """The canonical answer, as the JSON result reports it."""

    status: str
    plan: Plan | None = None
    decided_by: str = ""

    @property
    def selected(self) -> tuple[tuple[str, int | None, int | None], ...]:
        """(id, start, delivered) of each selected candidate, in file order."""
        assert self.plan is not None
        return tuple((cid, o.start, o.delivered) for cid, o in self.plan.chosen)


@dataclass(frozen=True)
class Frame:
    """What every option of a portfolio is measured against."""

    horizon: tuple[int, int] | None
    first_line: str
    money_lines: frozenset[str]
    index: dict[int, Fraction]  # horizon year -> price factor (1 without prices)
    weights: dict[str, Fraction]
    factors: dict[str, Fraction] = field(default_factory=dict)

    @classmethod
    def of(cls, p: Portfolio, run: Run) -> Frame:
        horizon = (p.years[0], p.years[1]) if p.years else None
        money = frozenset(name for name, line in p.lines.items() if line.money) or frozenset(
            [p.first_line]
        )
        years = range(horizon[0], horizon[1] + 1) if horizon else range(0)
        index = {y: price_index(p, y) for y in years}
        weights = {o: exact(spec.weight) for o, spec in p.objectives.items()}
        weights.update({o: exact(w) for o, w in run.weights.items()})
        return cls(horizon, p.first_line, money, index, weights, run.factors)

    def years(self) -> range:
        return range(self.horizon[0], self.horizon[1] + 1) if self.horizon else range(0)

    def nominal(
        self, line: str, year: int, amount: Fraction, factor: Fraction = Fraction(1)
    ) -> Fraction:
        if line not in self.money_lines:
            return amount
        return amount * factor * self.index.get(year, Fraction(1))


def price_index(p: Portfolio, year: int) -> Fraction:
    """index_y = (1 + rate)^(y - base), or the index entry; 1 without prices."""
    if p.prices is None:
        return Fraction(1)
    if p.prices.index is not None:
        return exact(p.prices.index[year])
    return (1 + exact(p.prices.rate or 0)) ** (year - p.prices.base)


def worth(c: Candidate, weights: dict[str, Fraction]) -> Fraction:
    """v_i: the normalised weighted sum of its values (midpoints of ranges)."""
    wsum = sum(weights.values())
    total = ZERO
    for objective, entry in c.value.items():
        score = (exact(entry[0]) + exact(entry[1])) / 2 if isinstance(entry, list) else exact(entry)
        total += weights[objective] / wsum * score
    return total


def options_of(c: Candidate, frame: Frame) -> list[Option]:
    """Every option of a candidate: one per start whose shifted profiles fit the horizon."""
    v = worth(c, frame.weights)
    factor = frame.factors.get(c.id, Fraction(1))
    if not isinstance(c.cost, dict):
        return [Option(None, None, v, exact(c.cost) * factor, {}, {})]
    profiles = c.line_profiles(frame.first_line)
    f, last = c.cost_years  # type: ignore[misc]
    a, b = c.start if c.start else (f, f)
    running = c.running if isinstance(c.running, dict) else {}
    if c.running is not None and not isinstance(c.running, dict):
        running = {frame.first_line: c.running}
    options = []
    for s in range(a, b + 1):
        shift = s - f
        d = last + shift
        if frame.horizon and not (frame.horizon[0] <= s and d <= frame.horizon[1]):
            continue
        spend: dict[tuple[str, int], Fraction] = {}
        for line, profile in profiles.items():
            for year, amount in profile.items():
                key = (line, year + shift)
                spend[key] = spend.get(key, ZERO) + exact(amount)
        for line, amount in running.items():
            for year in range(d + 1, frame.horizon[1] + 1) if frame.horizon else ():
                spend[(line, year)] = spend.get((line, year), ZERO) + exact(amount)
        spend = {(line, y): frame.nominal(line, y, amt, factor) for (line, y), amt in spend.items()}
        money = sum((amt for (line, _), amt in spend.items() if line in frame.money_lines), ZERO)
        value = v - exact(c.delay_penalty or 0) * (s - a)
        # After the horizon a running cost goes on at the horizon's last prices: the run
        # rate the last year of `spend` shows (there is no index beyond the horizon).
        after = {
            line: frame.nominal(line, frame.horizon[1], exact(amount), factor)  # type: ignore[index]
            for line, amount in running.items()
        }
        options.append(Option(s, d, value, money, spend, after))
    return options


def carried_balances(
    caps: dict[int, Fraction], spend: dict[int, Fraction], carry_over: Fraction
) -> tuple[dict[int, Fraction], list[int]]:
    """Greedy carry-over over the capped years in order (carrying as much as allowed is
    never worse), and the capped years whose spend passes cap plus balance."""
    carried: dict[int, Fraction] = {}
    broken = []
    balance = ZERO
    for year in sorted(caps):
        room = caps[year] + balance - spend.get(year, ZERO)
        if room < 0:
            broken.append(year)
        balance = max(ZERO, min(carry_over, room))
        carried[year] = min(carry_over, room)
    return carried, broken


def _lines(p: Portfolio) -> list[str]:
    return list(p.lines) or [p.first_line]


def evaluate(p: Portfolio, run: Run, frame: Frame, choice: tuple[Option | None, ...]) -> Plan:
    """One combination's value, money, spending and broken constraints."""
    cands = p.candidates
    ids = [c.id for c in cands]
    pos = {cid: i for i, cid in enumerate(ids)}
    x = tuple(int(o is not None) for o in choice)
    broken: set[str] = set()
    chosen = [(ids[i], o) for i, o in enumerate(choice) if o is not None]

    # the selection's spending by line and year, inside the horizon
    lines = _lines(p)
    spend = {line: dict.fromkeys(frame.years(), ZERO) for line in lines}
    per_year_any: dict[int, Fraction] = {}  # first line, every year named (no horizon)
    for _, o in chosen:
        for (line, year), amount in o.spend.items():
            if line in spend and year in spend[line]:
                spend[line][year] += amount
            if line == frame.first_line:
                per_year_any[year] = per_year_any.get(year, ZERO) + amount
    running_after = {
        line: sum((o.running.get(line, ZERO) for _, o in chosen), ZERO) for line in lines
    }
    money = sum((o.money for _, o in chosen), ZERO)

    # budget.total and the first line's caps by year, with carry-over
    budget = p.budget
    total = budget.total if run.total == "file" else run.total
    if total is not None and money > exact(total):
        broken.add("budget.total")
    caps = {y: exact(b) for y, b in budget.per_year.items()}
    caps.update({y: exact(b) for y, b in run.per_year.items()})
    carry = exact(budget.carry_over or 0)
    carried, over = carried_balances(caps, per_year_any, carry)
    broken.update(f"budget.per_year.{y}" for y in over)
    # caps by line (the first line may have a total here)
    for line, caps_of_line in budget.lines.items():
        for year, cap in caps_of_line.per_year.items():
            if spend[line][year] > exact(cap):
                broken.add(f"budget.lines.{line}.per_year.{year}")
        if caps_of_line.total is not None and sum(spend[line].values()) > exact(caps_of_line.total):
            broken.add(f"budget.lines.{line}.total")

    # the constraints on the selection (as without time), and `after`
    for i, c in enumerate(cands):
        forced = c.mandatory or c.id in run.include
        if forced and not x[i]:
            broken.add(f"mandatory.{c.id}")
        if c.id in run.exclude and x[i]:
            broken.add(f"exclude.{c.id}")
        if not x[i]:
            continue
        for j in c.requires:
            if not x[pos[j]]:
                broken.add(f"requires.{c.id}.{j}")
        for j in c.excludes:
            if x[pos[j]]:
                broken.add(f"excludes.{c.id}.{j}")
        for j in c.after:
            before = choice[pos[j]]
            if before is None:
                broken.add(f"after.{c.id}.{j}")
                continue
            delivered = before.delivered if before.delivered is not None else frame.horizon[0]
            if choice[i].start <= delivered:  # type: ignore[union-attr,operator]
                broken.add(f"after.{c.id}.{j}")
    for k, rule in enumerate(p.rules):
        count = sum(x[pos[j]] for j in dict.fromkeys(rule.of))
        low, high = rule.bounds
        if (low is not None and count < low) or (high is not None and count > high):
            broken.add(f"rule.{k}")
    for tag, group in p.groups.items():
        spent = sum((o.money for i, o in enumerate(choice) if o and cands[i].group == tag), ZERO)
        if group.min is not None and spent < exact(group.min):
            broken.add(f"group.{tag}.min")
        if group.max is not None and spent > exact(group.max):
            broken.add(f"group.{tag}.max")
        if group.min_share is not None and spent < exact(group.min_share) * money:
            broken.add(f"group.{tag}.min_share")
        if group.max_share is not None and spent > exact(group.max_share) * money:
            broken.add(f"group.{tag}.max_share")

    # value: options' values less soft shortfalls; `by` counts only timely deliveries
    value = sum((o.value for _, o in chosen), ZERO)
    for name, com in p.commitments.items():
        achieved = ZERO
        for i, o in enumerate(choice):
            if o is None:
                continue
            delivered = o.delivered if o.delivered is not None else (frame.horizon or (0,))[0]
            if com.by is None or delivered <= com.by:
                achieved += exact(cands[i].commitments.get(name, 0))
        target = exact(com.target)
        short = target - achieved
        if short <= Fraction(TIE) * abs(target):  # met within a relative 1e-9
            short = ZERO
        if com.hard:
            if short > 0:
                broken.add(f"commitment.{name}")
        else:
            value -= exact(com.penalty or 0) * short

    return Plan(
        x=x,
        starts=tuple((o.start or 0) if o else 0 for o in choice),
        chosen=tuple(chosen),
        value=value,
        money=money,
        spend=spend,
        running_after=running_after,
        carried=carried if budget.carry_over is not None else None,
        violated=frozenset(broken),
    )


def plans(p: Portfolio, run: Run = Run()) -> Iterable[Plan]:
    """Every combination of options, each once."""
    frame = Frame.of(p, run)
    per_candidate = [[None, *options_of(c, frame)] for c in p.candidates]
    for choice in itertools.product(*per_candidate):
        yield evaluate(p, run, frame, choice)


def oracle(p: Portfolio, run: Run = Run()) -> TimeExpected:
    """The canonical plan by enumeration, in exact arithmetic."""
    feasible = [plan for plan in plans(p, run) if not plan.violated]
    return canonical(feasible)


def _ties(amount: Fraction, best: Fraction) -> bool:
    """Equal within a relative 1e-9 of the best (the tie rule's tolerance)."""
    return abs(amount - best) <= Fraction(TIE) * abs(best)


def canonical(feasible: list[Plan]) -> TimeExpected:
    """Best value, then least money, then file order on the selection (the greatest 0/1
    vector), then earlier starts in file order; decided_by names the step that settled it."""
    if not feasible:
        return TimeExpected("infeasible")
    steps = (
        ("value", lambda plans: [p for p in plans if _ties(p.value, max(q.value for q in plans))]),
        ("money", lambda plans: [p for p in plans if _ties(p.money, min(q.money for q in plans))]),
        ("order", lambda plans: [p for p in plans if p.x == max(q.x for q in plans)]),
    )
    left, decided_by = feasible, "starts"
    for step, keep in steps:
        left = keep(left)
        if len(left) == 1:
            decided_by = step
            break
    earliest = min(left, key=lambda plan: plan.starts)
    return TimeExpected("optimal", earliest, decided_by)


# ------------------------------------------------------------------ the generators

HORIZON_START = 2026
LINES = ("invest", "operate", "staff")  # staff is counted in FTE, not money
OBJECTIVES = ("national", "flow")
FEATURES = (
    "windows",
    "running",
    "lines",
    "prices",
    "carry_over",
    "line_caps",
    "by",
    "after",
    "selection_rules",
)
AMOUNTS = (77.8, 12.5, 40, 0, 3.3, 25, 60.2, 9)
"""Amounts as files write them: decimals, round numbers and zeros."""


def _amount(draw: Any) -> float | int:
    return draw(st.sampled_from(AMOUNTS))


def _profile(draw: Any, first: int, length: int) -> dict[int, float | int]:
    return {first + k: _amount(draw) for k in range(length)}


def _binding(draw: Any, demand: Fraction) -> float:
    """A cap that binds: what some plan needs, give or take a few percent, as a decimal,
    so that loosening it by 5% changes which plans fit."""
    share = draw(st.sampled_from([Fraction(1), Fraction(1), Fraction(97, 100), Fraction(11, 10)]))
    return round(float(demand * share), 1)


@st.composite
def time_docs(draw: Any, features: tuple[str, ...] = FEATURES) -> dict[str, Any]:
    """A small valid portfolio document that uses the features asked for (each in about
    two examples of three when several are asked for, always when one is)."""
    on = {
        k: (k in features and (len(features) == 1 or draw(st.integers(0, 2)) > 0)) for k in FEATURES
    }
    span = draw(st.integers(3, 6))
    first = HORIZON_START
    last = first + span - 1
    n = draw(st.integers(3, 5 if on["windows"] else 6))
    lines = list(LINES[: draw(st.integers(2, 3))]) if on["lines"] else []
    first_line = lines[0] if lines else "budget"
    doc: dict[str, Any] = {"name": "random plan in time", "years": [first, last]}
    if lines:
        doc["lines"] = {
            name: (
                {"label": "Military personnel", "unit": "FTE", "money": False}
                if name == "staff"
                else {"label": name.title()}
            )
            for name in lines
        }
    if on["prices"]:
        base = draw(st.sampled_from([first - 1, first, first + 1]))
        if draw(st.booleans()):
            doc["prices"] = {"base": base, "rate": draw(st.sampled_from([0.03, 0.021, -0.01, 0.1]))}
        else:
            doc["prices"] = {
                "base": base,
                "index": {
                    y: draw(st.sampled_from([1, 1.031, 1.062, 0.98, 1.25]))
                    for y in range(first, last + 1)
                },
            }
    doc["objectives"] = {
        o: {"label": o.title(), "weight": w} for o, w in zip(OBJECTIVES, (0.6, 0.4), strict=True)
    }

    cands: list[dict[str, Any]] = []
    for i in range(n):
        cand: dict[str, Any] = {"id": f"c{i}"}
        if on["selection_rules"] and draw(st.integers(0, 4)) == 0:
            cand["cost"] = draw(st.sampled_from([0, 30, 12.5, 77.8]))
        else:
            length = draw(st.integers(1, min(3, span)))
            f = (
                draw(st.integers(first - 1, last - length + 1))
                if on["windows"]
                else draw(st.integers(first, last - length + 1))
            )
            money_profile = _profile(draw, f, length)
            if lines and draw(st.booleans()):
                other = draw(st.sampled_from(lines))
                cand["cost"] = {first_line: money_profile, other: _profile(draw, f, length)}
                if other == first_line:
                    cand["cost"] = {first_line: money_profile}
            else:
                cand["cost"] = money_profile
            if on["windows"] and draw(st.integers(0, 3)) > 0:
                a = f + draw(st.integers(-1, 1))
                b = a + draw(st.integers(0, 2))
                # a window may lie partly outside the horizon, but one start must fit
                if any(first <= s and s + length - 1 <= last for s in range(a, b + 1)):
                    cand["start"] = [a, b]
                    if draw(st.booleans()):
                        cand["delay_penalty"] = draw(st.sampled_from([0.5, 1.3, 0, 4]))
            if "start" not in cand and not (first <= f and f + length - 1 <= last):
                shift = first - f if f < first else last - (f + length - 1)
                cand["cost"] = _shifted(cand["cost"], shift)
            if on["running"] and draw(st.integers(0, 2)) > 0:
                if lines and draw(st.booleans()):
                    cand["running"] = {
                        line: draw(st.sampled_from([4.5, 10, 1.2, 30]))
                        for line in _subset(draw, lines, 1, 2)
                    }
                else:
                    cand["running"] = draw(st.sampled_from([4.5, 10, 1.2, 7.7]))
        cand["value"] = {
            o: draw(st.sampled_from([1, 2.5, 4, 6, 0, -1, 3.1]))
            for o in _subset(draw, OBJECTIVES, 1)
        }
        cands.append(cand)

    phased = [c for c in cands if isinstance(c["cost"], dict)]
    if on["after"] and len(phased) >= 2:
        for _ in range(draw(st.integers(1, 2))):
            later, earlier = draw(st.permutations(phased))[:2]
            forward = cands.index(earlier) < cands.index(later) or draw(st.booleans())
            if forward and not _reaches(cands, earlier["id"], later["id"]):
                later.setdefault("after", [])
                if earlier["id"] not in later["after"]:
                    later["after"].append(earlier["id"])

    if on["by"]:
        doc["commitments"] = {}
        for name in ("nato", "eu")[: draw(st.integers(1, 2))]:
            contributors = _subset(draw, range(n), 1, 3)
            for i in contributors:
                cands[i].setdefault("commitments", {})[name] = draw(st.sampled_from([1, 2, 2.5]))
            reach = sum(cands[i]["commitments"][name] for i in contributors)
            com: dict[str, Any] = {
                "label": name,
                "target": min(reach, draw(st.sampled_from([1, 2, 3]))),
            }
            com["by"] = draw(st.integers(first, last))
            if draw(st.integers(0, 2)) > 0:  # mostly soft: a hard deadline often rules all out
                com["hard"] = False
                com["penalty"] = draw(st.sampled_from([0.5, 2, 10]))
            doc["commitments"][name] = com

    if on["selection_rules"]:
        ids = [c["id"] for c in cands]
        if draw(st.booleans()):
            of = _subset(draw, ids, 2, 3)
            doc["rules"] = [
                {draw(st.sampled_from(["at_most", "exactly", "at_least"])): 1, "of": of}
            ]
        i, j = draw(st.permutations(range(n)))[:2]
        if draw(st.booleans()) and not _reaches(cands, ids[i], ids[j]):
            cands[i]["requires"] = [ids[j]]
        elif draw(st.booleans()):
            cands[i]["excludes"] = [ids[j]]
        if draw(st.integers(0, 5)) == 0:  # rarely: it often rules every plan out
            cands[draw(st.integers(0, n - 1))]["mandatory"] = True
        if draw(st.booleans()):
            for c in cands:
                c["group"] = draw(st.sampled_from(["equipment", "personnel"]))
            tag = draw(st.sampled_from(sorted({c["group"] for c in cands})))
            doc["groups"] = {tag: {draw(st.sampled_from(["min_share", "max_share"])): 0.5}}

    doc["candidates"] = cands
    _set_budget(draw, doc, on, first_line, lines)
    return doc


def _shifted(cost: dict[Any, Any], shift: int) -> dict[Any, Any]:
    if all(isinstance(v, dict) for v in cost.values()):
        return {line: _shifted(profile, shift) for line, profile in cost.items()}
    return {year + shift: amount for year, amount in cost.items()}


def _reaches(cands: list[dict[str, Any]], start: str, goal: str) -> bool:
    """Whether `start` already depends on `goal` through after/requires (no cycles)."""
    by_id = {c["id"]: c for c in cands}
    todo, seen = [start], set()
    while todo:
        cid = todo.pop()
        if cid == goal:
            return True
        if cid in seen:
            continue
        seen.add(cid)
        todo.extend(by_id[cid].get("after", []) + by_id[cid].get("requires", []))
    return False


def _demand(
    members: list[dict[str, Any]], line: str | None, year: int | None, first_line: str
) -> Fraction:
    """What these candidates would spend at their written start, in constant prices (on
    every money line when line is None, in every year when year is None)."""
    total = ZERO
    for c in members:
        cost = c["cost"]
        if not isinstance(cost, dict):
            total += exact(cost) if line is None else ZERO
            continue
        profiles = cost if all(isinstance(v, dict) for v in cost.values()) else {first_line: cost}
        for name, profile in profiles.items():
            if line is not None and name != line:
                continue
            if line is None and name == "staff":
                continue
            total += sum((exact(a) for y, a in profile.items() if year is None or y == year), ZERO)
        running = c.get("running")
        if running is not None:
            runs = running if isinstance(running, dict) else {first_line: running}
            for name, amount in runs.items():
                if (line is None and name != "staff") or name == line:
                    total += exact(amount) * (1 if year is not None else 2)
    return total


def _set_budget(
    draw: Any, doc: dict[str, Any], on: dict[str, bool], first_line: str, lines: list[str]
) -> None:
    first, last = doc["years"]
    budget: dict[str, Any] = {}
    # caps are cut to what a few candidates together need, so that they bind
    cands = doc["candidates"]

    def need(line: str | None, year: int | None, floor: int = 5) -> Fraction:
        members = [cands[i] for i in _subset(draw, range(len(cands)), 1, 3)]
        return max(_demand(members, line, year, first_line), Fraction(floor))

    plain = any(not isinstance(c["cost"], dict) and c["cost"] for c in doc["candidates"])
    if plain or draw(st.booleans()):
        budget["total"] = _binding(draw, need(None, None))
    if on["carry_over"] or draw(st.integers(0, 2)) == 0:
        years = _subset(draw, range(first, last + 1), 1 if not on["carry_over"] else 2)
        budget["per_year"] = {y: _binding(draw, need(first_line, y)) for y in years}
        if on["carry_over"]:
            budget["carry_over"] = draw(st.sampled_from([5, 12.5, 40, 1000]))
    if on["line_caps"] and lines:
        caps: dict[str, Any] = {}
        for line in _subset(draw, lines[1:], 1):
            entry: dict[str, Any] = {}
            if draw(st.booleans()):
                entry["total"] = _binding(draw, need(line, None))
            years = _subset(draw, range(first, last + 1), 0 if "total" in entry else 1, 2)
            if years:
                entry["per_year"] = {y: _binding(draw, need(line, y)) for y in years}
            caps[line] = entry
        if draw(st.integers(0, 2)) == 0:
            caps[first_line] = {"total": _binding(draw, need(first_line, None))}
        budget["lines"] = caps
    if "total" not in budget and "per_year" not in budget and not budget.get("lines"):
        budget["total"] = _binding(draw, need(None, None))
    doc["budget"] = budget


def scaled(doc: dict[str, Any], factor: float) -> dict[str, Any]:
    """doc with every cap loosened by factor (for checking that caps bind)."""
    doc = copy.deepcopy(doc)
    budget = doc["budget"]
    for key in ("total", "carry_over"):
        if key in budget:
            budget[key] = budget[key] * factor
    budget["per_year"] = {y: c * factor for y, c in budget.get("per_year", {}).items()}
    if not budget["per_year"]:
        del budget["per_year"]
    for entry in budget.get("lines", {}).values():
        if "total" in entry:
            entry["total"] *= factor
        if "per_year" in entry:
            entry["per_year"] = {y: c * factor for y, c in entry["per_year"].items()}
    return doc
