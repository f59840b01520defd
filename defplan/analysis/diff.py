"""`defplan diff`: what changes between two results (two budgets, two files, two runs)."""

from __future__ import annotations

from dataclasses import dataclass

from defplan.result import CandidateOutcome, Result, clean

DIFF_FORMAT = "defplan-diff/1"


@dataclass(frozen=True)
class CandidateChange:
    """A candidate in both results whose figures differ (two versions of a file)."""

    id: str
    left: CandidateOutcome
    right: CandidateOutcome


@dataclass(frozen=True)
class Diff:
    """Two results and what changed from left to right."""

    left: Result
    right: Result

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
    def objective_deltas(self) -> dict[str, float]:
        """Per objective, right total minus left total; empty unless both have a portfolio."""
        if not self.both:
            return {}
        left, right = self.left.objectives, self.right.objectives
        return {k: clean(right.get(k, 0.0) - left.get(k, 0.0)) for k in {**left, **right}}

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
        """Candidates in both results whose cost, value or cost profile differ."""
        right = {c.id: c for c in self.right.candidates}
        return tuple(
            CandidateChange(c.id, c, right[c.id])
            for c in self.left.candidates
            if c.id in right and _figures(c) != _figures(right[c.id])
        )

    def candidate(self, cid: str) -> CandidateOutcome:
        """A candidate's figures, from the right where it is there, else the left."""
        for result in (self.right, self.left):
            for c in result.candidates:
                if c.id == cid:
                    return c
        raise KeyError(cid)

    def to_dict(self) -> dict[str, object]:
        """The SPEC §5 diff object, with the per-year, commitment and candidate changes."""
        return {
            "format": DIFF_FORMAT,
            "left": self.left.to_dict(),
            "right": self.right.to_dict(),
            "added": list(self.added),
            "dropped": list(self.dropped),
            "delta": {
                "value": self.value_delta,
                "cost": self.cost_delta,
                "objectives": self.objective_deltas,
                "per_year": {str(y): v for y, v in self.per_year_deltas.items()},
            },
            "commitments_changed": {
                k: {"left_met": a, "right_met": b} for k, (a, b) in self.commitments_changed.items()
            },
            "candidates_changed": [
                {
                    "id": ch.id,
                    "left": {"cost": ch.left.cost, "value": ch.left.value},
                    "right": {"cost": ch.right.cost, "value": ch.right.value},
                }
                for ch in self.changed_candidates
            ],
        }


def _figures(c: CandidateOutcome) -> tuple[object, ...]:
    rounded = {k: round(v, 9) for k, v in c.objectives.items()}
    return (c.cost, c.value, c.profile, rounded, c.group)
