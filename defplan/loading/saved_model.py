"""The saved result format, `defplan-result/1` (an --output file), as pydantic models.

These models are the one description of what `render.documents.result_document`
writes (a test checks that every result it writes validates). They are as strict as
the portfolio's: types, finite numbers, no booleans for numbers, years as keys,
statuses; fields this version does not know are ignored, so results of later
versions still read, and fields added since the format began (`run`, `rules`,
`forced`) may be missing.

Imported only when a saved result is read: pydantic costs start-up time.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from defplan.formats import RESULT_FORMAT
from defplan.model import ID_PATTERN
from defplan.result import Forced, Status

YEAR_PATTERN = r"^[1-9][0-9]{0,3}$"
"""A year as a key: JSON keys are text, so a year is its ASCII digits (a pattern, checked
in pydantic's core: a Python validator per key is much slower, bench/results.md)."""

Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
NonNegative = Annotated[Number, Field(ge=0)]
Positive = Annotated[Number, Field(gt=0)]
Id = Annotated[str, Field(strict=True, pattern=ID_PATTERN)]
Year = Annotated[str, Field(strict=True, pattern=YEAR_PATTERN)]


class _Record(BaseModel):
    """Base of every part: immutable, strict, and unknown fields ignored (later versions)."""

    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)


class PortfolioRecord(_Record):
    name: str
    file: str
    sha256: str


class BudgetRecord(_Record):
    total: NonNegative | None
    per_year: dict[Year, NonNegative]


class CostRecord(_Record):
    total: Number
    per_year: dict[Year, Number]
    unphased: Number


class SelectedRecord(_Record):
    id: Id
    name: str
    group: str | None = None
    cost: NonNegative
    value: Number


class CommitmentRecord(_Record):
    label: str
    framework: str | None
    hard: bool
    target: Positive
    achieved: Number
    met: bool
    shortfall: NonNegative


class GroupRecord(_Record):
    spend: Number
    rule: str = ""


class SolverRecord(_Record):
    name: str
    version: str
    gap: NonNegative | None
    seconds: NonNegative


class CandidateRecord(_Record):
    id: Id
    name: str
    group: str | None
    selected: bool
    cost: NonNegative
    value: Number
    objectives: dict[Id, Number]
    profile: dict[Year, NonNegative]
    forced: Annotated[Forced, Field(strict=False)] | None = None
    start: int | None = None
    delivered: int | None = None
    window: Annotated[list[int], Field(min_length=2, max_length=2)] | None = None


class AlternativeRecord(_Record):
    value: Number
    cost: NonNegative
    selected: list[Id]
    added: list[Id]
    dropped: list[Id]


class RulesRecord(_Record):
    """The file's constraints in words, whatever the status (a diff compares them)."""

    commitments: dict[Id, str]
    groups: dict[str, str]
    cardinality: list[str]


class RunRecord(_Record):
    """The run's options as given on the command line (null where not given)."""

    budget: NonNegative | None
    budget_per_year: dict[Year, NonNegative]
    weights: dict[Id, NonNegative]
    include: list[Id]
    exclude: list[Id]
    solver: str
    time_limit: Positive | None
    starts: dict[Id, int] = {}
    cost_level: Annotated[Number, Field(gt=0, lt=1)] | None = None


class LineRecord(_Record):
    """A declared line of a plan in time: its name in words, unit and caps."""

    label: str
    unit: str
    money: bool
    caps: dict[Year, NonNegative] = {}
    total_cap: NonNegative | None = None


class PricesRecord(_Record):
    base: int
    index: dict[Year, Positive]


class SavedResult(_Record):
    """A whole saved result, `defplan-result/1`."""

    format: Literal[RESULT_FORMAT]
    portfolio: PortfolioRecord
    status: Annotated[Status, Field(strict=False)]
    budget: BudgetRecord
    weights: dict[Id, NonNegative]
    objective_labels: dict[Id, str] = {}
    currency: str = "EUR"
    unit: str = "M"
    value: Number | None
    objectives: dict[Id, Number]
    cost: CostRecord
    selected: list[SelectedRecord]
    commitments: dict[Id, CommitmentRecord]
    groups: dict[str, GroupRecord] = {}
    solver: SolverRecord
    rules: RulesRecord | None = None
    run: RunRecord | None = None
    conflicts: list[str] = []
    conflict_details: list[str] = []
    notes: list[str] = []
    candidates: list[CandidateRecord]
    alternatives: list[AlternativeRecord] | None = None
    spend: dict[Id, dict[Year, NonNegative]] | None = None  # a plan in time
    running_after: dict[Id, NonNegative] = {}
    lines: dict[Id, LineRecord] | None = None
    carried: dict[Year, NonNegative] | None = None
    carry_over: NonNegative | None = None
    prices: PricesRecord | None = None
    gdp_share: dict[str, dict[Year, NonNegative]] = {}


__all__ = [
    "YEAR_PATTERN",
    "CandidateRecord",
    "RunRecord",
    "SavedResult",
]
