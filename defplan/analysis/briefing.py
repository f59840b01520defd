"""What `defplan report` puts before a decision maker, gathered once from a result, its
portfolio and the optional sweep and robustness runs: the headline, every candidate
(selected, or left below the line with a reason), spending per year against the caps,
the schedule, the commitments and the value-for-money frontier. The page (render/page.py)
and the workbook (render/workbook.py) both render this one object.

Nothing here solves: each reason for a candidate left out is a check that is cheap and
true (a conflict, a missing need, a full rule, too little room), and when no such check
says why, the reason says so plainly rather than guess.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from defplan.frame import CORE
from defplan.model import Candidate, Portfolio
from defplan.render.figures import amount, per_1000, unit_label  # reasons are sentences
from defplan.result import CandidateOutcome, Forced, Result, Status, Timing, clean

if TYPE_CHECKING:
    from defplan.analysis.robust import Robustness
    from defplan.analysis.sweep import SweepPoint

NO_GROUP = "(no group)"
FALLBACK = "did not fit beside the selection"
"""The reason given when no cheap check says why a candidate was left out."""


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One candidate: its figures in the run, and why it was left out (None: selected)."""

    outcome: CandidateOutcome
    contributions: dict[str, float]
    reason: str | None
    on_frontier: bool

    @property
    def id(self) -> str:
        return self.outcome.id

    @property
    def group(self) -> str:
        return self.outcome.group or NO_GROUP


@dataclass(frozen=True, kw_only=True)
class Stack:
    """One chart of spending per year: parts stacked bottom first, each by year, and
    the most that may be spent each year (the cap, with what was carried in)."""

    key: str
    title: str
    unit: str
    years: tuple[int, ...]
    parts: tuple[tuple[str, dict[int, float]], ...]
    caps: dict[int, float]
    cap_label: str = "cap"

    def total(self, year: int) -> float:
        """The stacked parts' sum in a year."""
        return clean(math.fsum(part.get(year, 0.0) for _, part in self.parts))


@dataclass(frozen=True, kw_only=True)
class CommitmentLine:
    """A commitment: its target, what the selection achieves by its deadline, met or short."""

    key: str
    label: str
    framework: str | None
    hard: bool
    target: float
    achieved: float
    shortfall: float
    met: bool
    by: int | None


@dataclass(frozen=True, kw_only=True)
class Briefing:
    """Everything the report shows, in the order it shows it."""

    result: Result
    title: str
    unit: str
    entries: tuple[Entry, ...]
    spending: tuple[Stack, ...]
    commitments: tuple[CommitmentLine, ...]
    objectives: dict[str, str]
    sweep: tuple[SweepPoint, ...] | None = None
    robust: Robustness | None = None

    @property
    def has_portfolio(self) -> bool:
        return self.result.status.has_portfolio

    @property
    def budget_used(self) -> float | None:
        """The selection's cost as a share of the total budget (None without one)."""
        total = self.result.budget_total
        if not self.has_portfolio or not total:
            return None
        return self.result.cost_total / total

    @property
    def selected(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.reason is None)

    @property
    def left_out(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.reason is not None)

    @property
    def scheduled(self) -> tuple[Entry, ...]:
        """The selected candidates with a start year (a plan in time)."""
        return tuple(e for e in self.selected if e.outcome.start is not None)

    @property
    def robust_classes(self) -> dict[str, str]:
        """Each sampled candidate's class: core, borderline or exterior."""
        r = self.robust
        if r is None:
            return {}
        kind = dict.fromkeys(r.core, "core") | dict.fromkeys(r.borderline, "borderline")
        return kind | dict.fromkeys(r.exterior, "exterior")

    @property
    def years(self) -> tuple[int, int] | None:
        timing = self.result.timing
        return timing.years if timing is not None and timing.phased else None


def briefing(
    result: Result,
    portfolio: Portfolio,
    *,
    sweep: Sequence[SweepPoint] | None = None,
    robust: Robustness | None = None,
) -> Briefing:
    """The report's content: `result` is the run of `portfolio`."""
    frontier = set(efficient(result.candidates))
    reasons = _Reasons(result, portfolio)
    given = {c.id: c for c in portfolio.candidates}
    entries = tuple(
        Entry(
            outcome=c,
            contributions=dict(given[c.id].commitments),
            reason=None if c.selected and result.status.has_portfolio else reasons.of(c),
            on_frontier=c.id in frontier,
        )
        for c in result.candidates
    )
    return Briefing(
        result=result,
        title=result.name or result.file or "portfolio",
        unit=unit_label(result),
        entries=entries,
        spending=spending(result, portfolio) if result.status.has_portfolio else (),
        commitments=_commitments(result, portfolio),
        objectives=dict(result.objective_labels),
        sweep=None if sweep is None else tuple(sweep),
        robust=robust,
    )


def efficient(candidates: Sequence[CandidateOutcome]) -> list[str]:
    """The ids of the candidates no other dominates: none costs no more and is worth no
    less, one of the two strictly. Sorted by cost, then value."""
    ordered = sorted(candidates, key=lambda c: (c.cost, -c.value))
    found, best = [], -math.inf
    for c in ordered:
        # every candidate before c costs no more; c is dominated when one of them is
        # worth more, or worth as much at a strictly lower cost
        if c.value > best or (c.value == best and found and _same(found[-1], c)):
            found.append(c)
            best = max(best, c.value)
    return [c.id for c in found]


def _same(a: CandidateOutcome, b: CandidateOutcome) -> bool:
    return a.cost == b.cost and a.value == b.value


def spending(result: Result, portfolio: Portfolio) -> tuple[Stack, ...]:
    """Spending per year against the caps: a chart per line of a plan in time (the
    selection by group when one money line holds all the money), then the committed
    baseline and the selection against each GDP pledge; a single chart of the cost per
    year otherwise."""
    timing = result.timing
    if timing is None or not timing.phased:
        if not (result.cost_per_year or result.budget_per_year):
            return ()
        years = tuple(sorted(set(result.cost_per_year) | set(result.budget_per_year)))
        return (
            Stack(
                key="budget",
                title="Cost per year",
                unit=unit_label(result),
                years=years,
                parts=_by_group(result),
                caps=dict(result.budget_per_year),
            ),
        )
    return (*_line_stacks(result, timing), *_share_stacks(result, timing))


def _by_group(result: Result) -> tuple[tuple[str, dict[int, float]], ...]:
    """The selection's money by year, a part per group (groups in name order)."""
    parts: dict[str, dict[int, list[float]]] = {}
    for c in sorted(result.selected, key=lambda c: (c.group is None, c.group or "")):
        for year, money in c.profile.items():
            parts.setdefault(c.group or NO_GROUP, {}).setdefault(year, []).append(money)
    return tuple(
        (name, {y: clean(math.fsum(v)) for y, v in sorted(years.items())})
        for name, years in parts.items()
    )


def _line_stacks(result: Result, timing: Timing) -> list[Stack]:
    first_year, last_year = timing.years
    years = tuple(range(first_year, last_year + 1))
    money = [name for name, line in timing.lines.items() if line.money]
    stacks = []
    for k, (name, line) in enumerate(timing.lines.items()):
        parts: tuple[tuple[str, dict[int, float]], ...] = (("selection", dict(line.spend)),)
        if money == [name]:
            grouped = _by_group(result)
            sums = {y: math.fsum(p.get(y, 0.0) for _, p in grouped) for y in line.spend}
            if all(_close(sums[y], s) for y, s in line.spend.items()):
                parts = grouped
        carried = timing.carried is not None and k == 0
        caps = {
            y: clean(cap + (timing.carried_into(y) if carried else 0.0))
            for y, cap in line.caps.items()
        }
        unit = line.unit + (" nominal" if line.money and timing.price_index else "")
        stacks.append(
            Stack(
                key=name,
                title=line.label,
                unit=unit.strip(),
                years=years,
                parts=parts,
                caps=caps,
                cap_label="cap with what was carried in" if carried else "cap",
            )
        )
    return stacks


def _share_stacks(result: Result, timing: Timing) -> list[Stack]:
    """The committed baseline and the selection against each GDP pledge, in money."""
    stacks = []
    for name, years in timing.shares.items():
        what = "Core defence spending" if name == CORE else f"{timing.lines[name].label}"
        stacks.append(
            Stack(
                key=f"gdp-{name}",
                title=f"{what} against the GDP pledge",
                unit=f"{unit_label(result)} nominal",
                years=tuple(years),
                parts=(
                    ("committed", {y: s.baseline for y, s in years.items()}),
                    ("new", {y: s.spend for y, s in years.items()}),
                ),
                caps={y: clean(s.pledge * s.gdp) for y, s in years.items() if s.pledge is not None},
                cap_label="pledge (share of GDP)",
            )
        )
    return stacks


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def _commitments(result: Result, portfolio: Portfolio) -> tuple[CommitmentLine, ...]:
    if not result.status.has_portfolio:
        return ()
    return tuple(
        CommitmentLine(
            key=key,
            label=c.label,
            framework=c.framework,
            hard=c.hard,
            target=c.target,
            achieved=c.achieved,
            shortfall=c.shortfall,
            met=c.met,
            by=portfolio.commitments[key].by if key in portfolio.commitments else None,
        )
        for key, c in result.commitments.items()
    )


class _Reasons:
    """Why a candidate was left out, in a short phrase: the first cheap check that
    holds, in the order a reader would look (see the module's docstring)."""

    def __init__(self, result: Result, portfolio: Portfolio) -> None:
        self.result = result
        self.portfolio = portfolio
        self.chosen = set(result.selected_ids)
        self.given = {c.id: c for c in portfolio.candidates}
        self.unit = unit_label(result)
        selected = result.selected
        self.cost = math.fsum(c.cost for c in selected)
        self.value = math.fsum(c.value for c in selected)
        timing = result.timing
        # a year's room is only plain when money has no start to move and none carries over
        self.yearly = (timing is None or not timing.phased) and not (
            timing is not None and timing.carried
        )

    def of(self, c: CandidateOutcome) -> str:
        if c.forced is Forced.EXCLUDE:
            return "kept out by --exclude"
        if not self.result.status.has_portfolio:
            found = "is infeasible" if self.result.status is Status.INFEASIBLE else "found none"
            return f"no portfolio: the run {found}"
        candidate = self.given[c.id]
        for check in (self._conflict, self._need, self._rule, self._room):
            found = check(candidate, c)
            if found is not None:
                return found
        return self._worth(c)

    def _conflict(self, candidate: Candidate, _: CandidateOutcome) -> str | None:
        for other in candidate.excludes:
            if other in self.chosen:
                return f"excludes {other}, which is selected"
        for other in sorted(self.chosen):
            if candidate.id in self.given[other].excludes:
                return f"excluded by {other}, which is selected"
        return None

    def _need(self, candidate: Candidate, _: CandidateOutcome) -> str | None:
        for other in (*candidate.requires, *candidate.after):
            if other not in self.chosen:
                return f"needs {other}, which is not selected"
        return None

    def _rule(self, candidate: Candidate, _: CandidateOutcome) -> str | None:
        for rule in self.portfolio.rules:
            most = rule.bounds[1]
            if candidate.id in rule.of and most is not None:
                taken = sum(1 for i in rule.of if i in self.chosen)
                if taken >= most:
                    return f"a rule allows {most} of {len(rule.of)} ({_few(rule.of)}): full"
        return None

    def _room(self, _: Candidate, c: CandidateOutcome) -> str | None:
        total = self.result.budget_total
        if total is not None and c.cost > 0:
            room = clean(total - self.cost)
            if c.cost > room + 1e-9 * max(1.0, total):
                return f"costs {amount(c.cost)}, more than the {amount(room)} left in the budget"
        if self.yearly:
            spent = self.result.cost_per_year
            for year, money in c.profile.items():
                cap = self.result.budget_per_year.get(year)
                if cap is None or money <= 0:
                    continue
                room = clean(cap - spent.get(year, 0.0))
                if money > room + 1e-9 * max(1.0, cap):
                    return (
                        f"needs {amount(money)} in {year}, more than the {amount(room)} "
                        "left under that year's cap"
                    )
        return None

    def _worth(self, c: CandidateOutcome) -> str:
        if c.value <= 0:
            return "adds no value" if c.value == 0 else "lowers the value"
        if c.cost > 0 and self.cost > 0 and c.value / c.cost < self.value / self.cost:
            return (
                f"less value for its money than the selection ({per_1000(c.value / c.cost)} "
                f"against {per_1000(self.value / self.cost)} per 1,000 {self.unit})"
            )
        return FALLBACK


def _few(ids: Sequence[str], shown: int = 3) -> str:
    if len(ids) <= shown:
        return ", ".join(ids)
    return f"{', '.join(ids[:shown])} and {len(ids) - shown} more"
