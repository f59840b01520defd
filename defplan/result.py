"""The outcome of one optimisation and its JSON form (SPEC §5)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

RESULT_FORMAT = "defplan-result/1"


class Status(StrEnum):
    """How a solve ended (SPEC §4, §5)."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"

    @property
    def has_portfolio(self) -> bool:
        """True when a portfolio was found."""
        return self in (Status.OPTIMAL, Status.FEASIBLE)


@dataclass(frozen=True, kw_only=True)
class CandidateOutcome:
    """One candidate as the result sees it: its figures and whether it was chosen."""

    id: str
    name: str
    group: str | None
    selected: bool
    cost: float
    value: float
    objectives: dict[str, float]
    profile: dict[int, float]


@dataclass(frozen=True, kw_only=True)
class CommitmentOutcome:
    """How far the selection meets one commitment."""

    label: str
    framework: str | None
    hard: bool
    target: float
    achieved: float

    @property
    def shortfall(self) -> float:
        """How many units short of the target (0 when met)."""
        return clean(max(0.0, self.target - self.achieved))

    @property
    def met(self) -> bool:
        """True when the target is reached (within a relative 1e-9)."""
        return self.achieved >= self.target - 1e-9 * max(1.0, abs(self.target))


@dataclass(frozen=True, kw_only=True)
class SolverInfo:
    """Which solver ran, its gap and how long the whole solve took."""

    name: str
    version: str
    gap: float | None
    seconds: float


@dataclass(frozen=True, kw_only=True)
class Result:
    """Everything a report, a diff or a script needs to know about one run."""

    status: Status
    name: str
    file: str
    sha256: str
    currency: str
    unit: str
    budget_total: float | None
    budget_per_year: dict[int, float]
    weights: dict[str, float]
    objective_labels: dict[str, str]
    candidates: tuple[CandidateOutcome, ...]
    commitments: dict[str, CommitmentOutcome]
    groups: dict[str, float]
    value: float | None
    solver: SolverInfo
    conflicts: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())
    group_rules: dict[str, str] = field(default_factory=dict)

    @property
    def selected(self) -> tuple[CandidateOutcome, ...]:
        """The chosen candidates in file order (none without a portfolio)."""
        if not self.status.has_portfolio:
            return ()
        return tuple(c for c in self.candidates if c.selected)

    @property
    def selected_ids(self) -> tuple[str, ...]:
        """Ids of the chosen candidates in file order."""
        return tuple(c.id for c in self.selected)

    @property
    def objectives(self) -> dict[str, float]:
        """Unweighted sums of the selected candidates' values per objective."""
        return {k: clean(math.fsum(c.objectives[k] for c in self.selected)) for k in self.weights}

    @property
    def cost_total(self) -> float:
        """Summed cost of the selection."""
        return clean(math.fsum(c.cost for c in self.selected))

    @property
    def cost_per_year(self) -> dict[int, float]:
        """Summed per-year profiles of the selection, by year."""
        years: dict[int, list[float]] = {}
        for c in self.selected:
            for year, amount in c.profile.items():
                years.setdefault(year, []).append(amount)
        return {y: clean(math.fsum(v)) for y, v in sorted(years.items())}

    @property
    def cost_unphased(self) -> float:
        """Summed plain (not per-year) costs of the selection."""
        return clean(math.fsum(c.cost for c in self.selected if not c.profile))

    def to_dict(self) -> dict[str, Any]:
        """The SPEC §5 JSON object."""
        has = self.status.has_portfolio
        return {
            "format": RESULT_FORMAT,
            "portfolio": {"name": self.name, "file": self.file, "sha256": self.sha256},
            "status": self.status.value,
            "budget": {
                "total": self.budget_total,
                "per_year": {str(y): v for y, v in sorted(self.budget_per_year.items())},
            },
            "weights": dict(self.weights),
            "value": self.value if has else None,
            "objectives": self.objectives,
            "cost": {
                "total": self.cost_total,
                "per_year": {str(y): v for y, v in self.cost_per_year.items()},
                "unphased": self.cost_unphased,
            },
            "selected": [
                {"id": c.id, "name": c.name, "group": c.group, "cost": c.cost, "value": c.value}
                for c in self.selected
            ],
            "commitments": {
                k: {
                    "label": c.label,
                    "framework": c.framework,
                    "hard": c.hard,
                    "target": c.target,
                    "achieved": clean(c.achieved),
                    "met": c.met,
                    "shortfall": c.shortfall,
                }
                for k, c in self.commitments.items()
            }
            if has
            else {},
            "groups": {
                k: {"spend": v, "rule": self.group_rules.get(k, "")} for k, v in self.groups.items()
            }
            if has
            else {},
            "solver": {
                "name": self.solver.name,
                "version": self.solver.version,
                "gap": self.solver.gap,
                "seconds": round(self.solver.seconds, 3),
            },
            "conflicts": list(self.conflicts),
            "notes": list(self.notes),
            "candidates": [
                {
                    "id": c.id,
                    "name": c.name,
                    "group": c.group,
                    "selected": c.selected and has,
                    "cost": c.cost,
                    "value": c.value,
                    "objectives": c.objectives,
                    "profile": {str(y): v for y, v in c.profile.items()},
                }
                for c in self.candidates
            ],
        }

    def to_json(self) -> str:
        """The JSON text of to_dict(), with a final newline; whole numbers print as 900."""
        return json.dumps(_whole(self.to_dict()), indent=2, ensure_ascii=False) + "\n"


def _whole(data: Any) -> Any:
    """data with integral floats as ints, so JSON shows 900 rather than 900.0."""
    if isinstance(data, float) and data.is_integer() and abs(data) < 2**53:
        return int(data)
    if isinstance(data, dict):
        return {k: _whole(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_whole(v) for v in data]
    return data


REPORTED_DIGITS = 12
"""Significant digits of reported numbers: sums like 13.799999999999999 print as 13.8."""


def clean(x: float) -> float:
    """A reported number: rounded to REPORTED_DIGITS significant digits, never -0.0."""
    x = float(f"{x:.{REPORTED_DIGITS}g}")
    return 0.0 if x == 0 else x
