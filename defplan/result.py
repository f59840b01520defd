"""The outcome of one optimisation and its JSON form (SPEC §5)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from defplan.jsontext import json_text
from defplan.tolerance import shortfall

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
    magnitude: float = 0.0  # the selection's summed |contributions|: their rounding

    @property
    def shortfall(self) -> float:
        """How many units short of the target (0 when met)."""
        return clean(shortfall(self.target, self.achieved, self.magnitude))

    @property
    def met(self) -> bool:
        """True when the target is reached (within a relative 1e-9, tolerance.py)."""
        return shortfall(self.target, self.achieved, self.magnitude) == 0


@dataclass(frozen=True, kw_only=True)
class SolverInfo:
    """Which solver ran, its gap and how long the whole solve took."""

    name: str
    version: str
    gap: float | None
    seconds: float


@dataclass(frozen=True)
class Alternative:
    """A portfolio other than the optimum, and how it differs from it."""

    value: float
    cost: float
    selected: tuple[str, ...]
    added: tuple[str, ...]  # in this one, not in the optimum
    dropped: tuple[str, ...]  # in the optimum, not in this one

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "cost": self.cost,
            "selected": list(self.selected),
            "added": list(self.added),
            "dropped": list(self.dropped),
        }


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
    conflict_details: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())
    group_rules: dict[str, str] = field(default_factory=dict)
    alternatives: tuple[Alternative, ...] | None = None  # None: not asked for

    @property
    def conflict_lines(self) -> tuple[str, ...]:
        """An infeasible run's conflicting constraints, one sentence each (names at least)."""
        if len(self.conflict_details) == len(self.conflicts):
            return self.conflict_details
        return self.conflicts

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
        """The SPEC §5 JSON object (with "alternatives" when they were asked for)."""
        has = self.status.has_portfolio
        document = {
            "format": RESULT_FORMAT,
            "portfolio": {"name": self.name, "file": self.file, "sha256": self.sha256},
            "status": self.status.value,
            "budget": {
                "total": self.budget_total,
                "per_year": {str(y): v for y, v in sorted(self.budget_per_year.items())},
            },
            "weights": dict(self.weights),
            "objective_labels": dict(self.objective_labels),
            "currency": self.currency,
            "unit": self.unit,
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
                "gap": None if self.solver.gap is None else clean(self.solver.gap),
                "seconds": round(self.solver.seconds, 3),
            },
            "conflicts": list(self.conflicts),
            "conflict_details": list(self.conflict_lines),
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
        if self.alternatives is not None:
            document["alternatives"] = [a.to_dict() for a in self.alternatives]
        return document

    def to_json(self) -> str:
        """The JSON text of to_dict(), with a final newline; whole numbers print as 900."""
        return json_text(self.to_dict())


REPORTED_DIGITS = 12
"""Significant digits of reported numbers: sums like 13.799999999999999 print as 13.8."""


def clean(x: float) -> float:
    """A reported number: rounded to REPORTED_DIGITS significant digits, never -0.0."""
    x = float(f"{x:.{REPORTED_DIGITS}g}")
    return 0.0 if x == 0 else x


def result_from_dict(d: dict[str, Any]) -> Result:
    """Rebuild a Result from its to_dict() form (a saved `--output` file).

    Raises KeyError, TypeError or ValueError when d is not such a form.
    """
    if d.get("format") != RESULT_FORMAT:
        raise ValueError(f"not a {RESULT_FORMAT} document")
    status = Status(d["status"])
    chosen = {s["id"] for s in d["selected"]}
    for c in d["candidates"]:
        missing = set(d["weights"]) - set(c["objectives"])
        if missing:
            raise ValueError(f"candidate {c['id']!r} lacks objectives {sorted(missing)}")
    candidates = tuple(
        CandidateOutcome(
            id=str(c["id"]),
            name=str(c["name"]),
            group=c["group"],
            selected=c["id"] in chosen,
            cost=float(c["cost"]),
            value=float(c["value"]),
            objectives={k: float(v) for k, v in c["objectives"].items()},
            profile={int(y): float(v) for y, v in c["profile"].items()},
        )
        for c in d["candidates"]
    )
    commitments = {
        k: CommitmentOutcome(
            label=str(c["label"]),
            framework=c["framework"],
            hard=bool(c["hard"]),
            target=float(c["target"]),
            achieved=float(c["achieved"]),
        )
        for k, c in d["commitments"].items()
    }
    solver = d["solver"]
    total = d["budget"]["total"]
    return Result(
        status=status,
        name=str(d["portfolio"]["name"]),
        file=str(d["portfolio"]["file"]),
        sha256=str(d["portfolio"]["sha256"]),
        currency=str(d.get("currency", "EUR")),
        unit=str(d.get("unit", "M")),
        budget_total=None if total is None else float(total),
        budget_per_year={int(y): float(v) for y, v in d["budget"]["per_year"].items()},
        weights={k: float(v) for k, v in d["weights"].items()},
        objective_labels={k: str(v) for k, v in d.get("objective_labels", {}).items()},
        candidates=candidates,
        commitments=commitments,
        groups={k: float(g["spend"]) for k, g in d.get("groups", {}).items()},
        group_rules={k: str(g.get("rule", "")) for k, g in d.get("groups", {}).items()},
        value=None if d["value"] is None else float(d["value"]),
        solver=SolverInfo(
            name=str(solver["name"]),
            version=str(solver["version"]),
            gap=None if solver["gap"] is None else float(solver["gap"]),
            seconds=float(solver["seconds"]),
        ),
        conflicts=tuple(str(c) for c in d.get("conflicts", ())),
        conflict_details=tuple(str(c) for c in d.get("conflict_details", ())),
        alternatives=None
        if "alternatives" not in d
        else tuple(
            Alternative(
                value=float(a["value"]),
                cost=float(a["cost"]),
                selected=tuple(str(c) for c in a["selected"]),
                added=tuple(str(c) for c in a["added"]),
                dropped=tuple(str(c) for c in a["dropped"]),
            )
            for a in d["alternatives"]
        ),
        notes=tuple(str(n) for n in d.get("notes", ())),
    )


def read_saved_result(data: bytes, *, filename: str) -> Result | None:
    """The Result saved in data, or None when data is not a saved result (a portfolio).

    Raises LoadError for a JSON document that claims a defplan format but is not a
    readable result.
    """
    from defplan.errors import LoadError, Problem

    document = _defplan_document(data)
    if document is None:
        return None
    kind = document["format"]
    if kind != RESULT_FORMAT:
        raise LoadError([Problem(filename, f"a '{kind}' document, not a saved result")])
    try:
        return result_from_dict(document)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise LoadError([Problem(filename, f"not a readable defplan result: {exc!r}")]) from None


def _defplan_document(data: bytes) -> dict[str, Any] | None:
    """data as a JSON object with a 'format' key (defplan output), else None."""
    if data.lstrip()[:1] != b"{":
        return None
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        return None  # not JSON: the portfolio loader says what is wrong
    if isinstance(document, dict) and "format" in document:
        return document
    return None


def output_format_of(data: bytes) -> str | None:
    """The 'format' of defplan output (a saved result, sweep, diff), None for anything else."""
    document = _defplan_document(data)
    return None if document is None else str(document["format"])
