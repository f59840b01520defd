"""`defplan diff`: what changes between two results (two budgets, two files, two runs)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from defplan.result import CandidateOutcome, Result, clean


@dataclass(frozen=True)
class CandidateChange:
    """A candidate in both results whose figures differ (two versions of a file)."""

    id: str
    left: CandidateOutcome
    right: CandidateOutcome


@dataclass(frozen=True)
class StartChange:
    """A candidate selected on both sides but started in different years."""

    id: str
    left: int | None
    right: int | None


@dataclass(frozen=True)
class ScenarioChange:
    """A setting that differs between the sides: a cap, weight, target, rule or run option.

    `key` names it: budget.total, budget.per_year.YEAR, commitment.ID and group.NAME as
    conflicts name them, and weights.OBJ (normalised), rules (all of a side's cardinality
    rules, in words), forced.ID (mandatory, include or exclude), run.solver,
    run.time_limit and run.cost_level. None on a side: no such setting there (no cap,
    no such commitment, not forced, no time limit, no cost level).
    """

    key: str
    left: Any
    right: Any


@dataclass(frozen=True)
class Diff:
    """Two results and what changed from left to right.

    `left_file` and `right_file` are what was compared (a saved result or a portfolio
    file, as given); each defaults to the portfolio file its result names.
    """

    left: Result
    right: Result
    left_file: str = ""
    right_file: str = ""

    @property
    def files(self) -> tuple[str, str]:
        """The left and the right file compared."""
        return self.left_file or self.left.file, self.right_file or self.right.file

    @property
    def added(self) -> tuple[str, ...]:
        """Selected on the right but not on the left, in the right's file order."""
        before = set(self.left.selected_ids)
        return tuple(i for i in self.right.selected_ids if i not in before)

    @property
    def dropped(self) -> tuple[str, ...]:
        """Selected on the left but not on the right, in the left's file order."""
        after = set(self.right.selected_ids)
        return tuple(i for i in self.left.selected_ids if i not in after)

    @property
    def moved(self) -> tuple[StartChange, ...]:
        """Candidates selected on both sides whose start year changes, in the right's
        file order."""
        before = {c.id: c.start for c in self.left.selected}
        return tuple(
            StartChange(c.id, before[c.id], c.start)
            for c in self.right.selected
            if c.id in before and before[c.id] != c.start
        )

    @property
    def value_delta(self) -> float | None:
        """Right value minus left value; None when either side has no portfolio."""
        if self.left.value is None or self.right.value is None:
            return None
        return clean(self.right.value - self.left.value)

    @property
    def both(self) -> bool:
        """True when both sides have a portfolio, so their figures can be compared."""
        return self.left.status.has_portfolio and self.right.status.has_portfolio

    @property
    def cost_delta(self) -> float | None:
        """Right cost minus left cost; None when either side has no portfolio."""
        return clean(self.right.cost_total - self.left.cost_total) if self.both else None

    @property
    def objective_deltas(self) -> dict[str, float | None]:
        """Per objective, right total minus left total; None for an objective only one
        side has (two versions of a file), as the table shows it; empty unless both
        have a portfolio."""
        if not self.both:
            return {}
        left, right = self.left.objectives, self.right.objectives
        return {
            k: clean(right[k] - left[k]) if k in left and k in right else None
            for k in {**left, **right}
        }

    @property
    def per_year_deltas(self) -> dict[int, float]:
        """Per year, right spend minus left spend; empty unless both have a portfolio."""
        if not self.both:
            return {}
        left, right = self.left.cost_per_year, self.right.cost_per_year
        years = sorted(set(left) | set(right))
        return {y: clean(right.get(y, 0.0) - left.get(y, 0.0)) for y in years}

    @property
    def commitments_changed(self) -> dict[str, tuple[bool, bool]]:
        """Commitments met on one side and short on the other: name -> (left met, right met).

        Empty unless both sides have a portfolio (a saved infeasible run keeps none).
        """
        if not self.both:
            return {}
        changed = {}
        for name in self.left.commitments.keys() & self.right.commitments.keys():
            was = self.left.commitments[name].met and self.left.status.has_portfolio
            now = self.right.commitments[name].met and self.right.status.has_portfolio
            if was != now:
                changed[name] = (was, now)
        return dict(sorted(changed.items()))

    @property
    def changed_candidates(self) -> tuple[CandidateChange, ...]:
        """Candidates in both results whose file figures differ: cost, cost profile,
        scores, group, and weighted value unless new weights alone change every value
        (the scenario shows the weights)."""
        right = {c.id: c for c in self.right.candidates}
        weighted = _reported(self.left.weights) == _reported(self.right.weights)
        return tuple(
            CandidateChange(c.id, c, right[c.id])
            for c in self.left.candidates
            if c.id in right
            and _figures(c, weighted, right[c.id]) != _figures(right[c.id], weighted, c)
        )

    @property
    def scenario_changes(self) -> tuple[ScenarioChange, ...]:
        """What differs in caps, weights, targets, rules and run options, left to right.

        Targets, group and cardinality rules, forced choices and run options are compared
        only when both results record them (a result saved by an older defplan does not).
        """
        left, right = self.left, self.right
        pairs: list[tuple[str, Any, Any]] = [
            ("budget.total", left.budget_total, right.budget_total)
        ]
        pairs += _paired("budget.per_year", left.budget_per_year, right.budget_per_year)
        pairs += _line_caps(left, right)
        pairs += _paired("weights", _reported(left.weights), _reported(right.weights))
        if left.run is not None and right.run is not None:
            pairs += _paired("commitment", left.commitment_rules, right.commitment_rules)
            pairs += _paired("group", left.group_rules, right.group_rules)
            pairs.append(("rules", list(left.rules), list(right.rules)))
            pairs += _paired("forced", _words(left.forced), _words(right.forced))
            pairs += _paired("start", dict(left.run.starts), dict(right.run.starts))
            pairs.append(("run.solver", left.run.solver, right.run.solver))
            pairs.append(("run.time_limit", left.run.time_limit, right.run.time_limit))
            pairs.append(("run.cost_level", left.run.cost_level, right.run.cost_level))
        return tuple(ScenarioChange(key, a, b) for key, a, b in pairs if a != b)

    def candidate(self, cid: str, *, side: str = "right") -> CandidateOutcome:
        """A candidate's figures, from `side` ("left" or "right") where it is there, else
        from the other side."""
        sides = (self.right, self.left) if side == "right" else (self.left, self.right)
        for result in sides:
            for c in result.candidates:
                if c.id == cid:
                    return c
        raise KeyError(cid)


def _paired(
    prefix: str, left: Mapping[Any, Any], right: Mapping[Any, Any]
) -> list[tuple[str, Any, Any]]:
    """(prefix.KEY, left value or None, right value or None) for every key of either side."""
    keys = list(dict.fromkeys([*left, *right]))
    if all(isinstance(k, int) for k in keys):
        keys.sort()  # years
    return [(f"{prefix}.{k}", left.get(k), right.get(k)) for k in keys]


def _line_caps(left: Result, right: Result) -> list[tuple[str, Any, Any]]:
    """budget.line.LINE.YEAR and .total of the lines other than the first, side by side."""
    pairs: list[tuple[str, Any, Any]] = []
    sides = [r.timing.lines if r.timing is not None else {} for r in (left, right)]
    names = list(dict.fromkeys([*list(sides[0])[1:], *list(sides[1])[1:]]))
    for name in names:
        a, b = (side.get(name) for side in sides)
        pairs += _paired(f"budget.line.{name}", a.caps if a else {}, b.caps if b else {})
        pairs.append(
            (f"budget.line.{name}.total", a.total_cap if a else None, b.total_cap if b else None)
        )
    return pairs


def _reported(weights: Mapping[str, float]) -> dict[str, float]:
    """Weights as results report them (12 significant digits): a result saved before
    they were rounded holds 0.7499999999999999 where one solved now holds 0.75."""
    return {k: clean(w) for k, w in weights.items()}


def _words(marks: Mapping[str, str]) -> dict[str, str]:
    return {k: str(v) for k, v in marks.items()}


def _figures(c: CandidateOutcome, weighted: bool, other: CandidateOutcome) -> tuple[object, ...]:
    """What a file's change shows in a candidate. In a plan in time its money and value
    depend on the start year taken: they are compared only at the same start (a moved
    start is a change of its own, `Diff.moved`)."""
    rounded = {k: round(v, 9) for k, v in c.objectives.items()}
    timed = c.window is not None or other.window is not None
    if timed and (c.start, c.window) != (other.start, other.window):
        return (rounded, c.group)
    return (c.cost, c.value if weighted else None, c.profile, rounded, c.group)
