"""The outcome of one optimisation and its JSON form (docs/json.md)."""

from __future__ import annotations

import codecs
import json
import math
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from defplan.formats import RESULT_FORMAT
from defplan.tolerance import shortfall

if TYPE_CHECKING:
    from defplan.analysis.limits import Limit
    from defplan.formulation import SolveOptions

CONFLICT_HEADING = "These constraints cannot all hold together (drop or relax one of them):"
"""What an infeasible run's list of conflicting constraints is headed with, in the
table and on stderr alike."""


class Status(StrEnum):
    """How a solve ended (its exit code and JSON `status`)."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"

    @property
    def has_portfolio(self) -> bool:
        """True when a portfolio was found."""
        return self in (Status.OPTIMAL, Status.FEASIBLE)


class Forced(StrEnum):
    """Why a candidate's choice was fixed before solving: the file, or the command line."""

    MANDATORY = "mandatory"  # `mandatory: true` in the file
    INCLUDE = "include"  # --include
    EXCLUDE = "exclude"  # --exclude


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
    forced: Forced | None = None  # None: the solver chose freely
    start: int | None = None  # the start year taken (selected, in a file with years)
    delivered: int | None = None  # the last year of its shifted profiles
    window: tuple[int, int] | None = None  # the start years it may take, as written
    runs: bool = False  # it has running costs after delivery


@dataclass(frozen=True, kw_only=True)
class LineSpend:
    """One funding line (or counted resource) over the horizon: what the selection
    spends on it each year (nominal for money), its caps, and its running cost per
    year after the horizon."""

    label: str
    unit: str
    money: bool
    spend: dict[int, float]
    caps: dict[int, float] = field(default_factory=dict)
    total_cap: float | None = None
    running_after: float = 0.0


@dataclass(frozen=True, kw_only=True)
class Timing:
    """A plan in time: the horizon, each line's spending, the first line's carried
    balances (with carry-over) and the price index (with prices)."""

    years: tuple[int, int]
    lines: dict[str, LineSpend]
    declared_lines: bool = False  # the file names its lines (else one line, 'budget')
    phased: bool = False  # the file plans in time (start windows, running costs, lines...)
    carried: dict[int, float] | None = None
    carry_over: float | None = None
    price_index: dict[int, float] | None = None
    price_base: int | None = None
    gdp_share: dict[str, dict[int, float]] = field(default_factory=dict)
    """'core' and each line with a share of its own: (baseline + selection) / GDP by year."""
    shares: dict[str, dict[int, ShareYear]] = field(default_factory=dict)
    """The same in full (this run's only: a saved result keeps the shares alone)."""
    defence_shares: dict[str, dict[int, DefenceShareYear]] = field(default_factory=dict)
    """Each group with a share-of-defence rule, by year (this run's only)."""

    def carried_into(self, year: int) -> float:
        """The first line's balance carried into a capped year from the capped years
        before it (0 without carry-over, or for the first capped year)."""
        before = [y for y in self.carried or {} if y < year]
        return self.carried[before[-1]] if self.carried and before else 0.0


@dataclass(frozen=True)
class ShareYear:
    """One year of defence spending against GDP (national frame): the committed
    baseline, the selection's money, and the pledge, the share path's share that year
    (None in a year the path does not cover)."""

    gdp: float
    baseline: float
    spend: float
    pledge: float | None = None

    @property
    def share(self) -> float:
        """Baseline plus selection, as a share of GDP."""
        return (self.baseline + self.spend) / self.gdp

    @property
    def room(self) -> float | None:
        """What the pledge still leaves for new options (None off the path)."""
        if self.pledge is None:
            return None
        return clean(max(0.0, self.pledge * self.gdp - self.baseline) - self.spend)


@dataclass(frozen=True)
class DefenceShareYear:
    """One year of a group's share of core defence spending: the group's committed
    spending and the selection's members' core money, against the whole (the committed
    baseline plus the selection's core money)."""

    committed: float
    new: float
    whole: float
    least: float | None = None  # min_share_of_defence
    most: float | None = None  # max_share_of_defence

    @property
    def share(self) -> float:
        """The group's share of the whole (0 when the whole is 0)."""
        return (self.committed + self.new) / self.whole if self.whole else 0.0


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
    commitment_rules: dict[str, str] = field(default_factory=dict)  # each target in words
    rules: tuple[str, ...] = ()  # the cardinality rules in words, in file order
    run: SolveOptions | None = None  # None: saved by a defplan that did not record it
    limits: tuple[Limit, ...] | None = None  # None: not analysed (analysis/limits.py)
    timing: Timing | None = None  # None: the file has no planning horizon

    @property
    def records_scenario(self) -> bool:
        """True when the result records its run options and rules (older saved ones do not)."""
        return self.run is not None

    @property
    def forced(self) -> dict[str, Forced]:
        """The candidates whose choice was fixed before solving, by id, in file order."""
        return {c.id: c.forced for c in self.candidates if c.forced is not None}

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


def noted(result: Result, note: str | None, **changes: Any) -> Result:
    """The result with `changes` made and `note` (when there is one) added to its notes."""
    from dataclasses import replace

    return replace(result, notes=result.notes + ((note,) if note else ()), **changes)


REPORTED_DIGITS = 12
"""Significant digits of reported numbers: sums like 13.799999999999999 print as 13.8."""


def clean(x: float) -> float:
    """A reported number: rounded to REPORTED_DIGITS significant digits, never -0.0."""
    x = float(f"{x:.{REPORTED_DIGITS}g}")
    return 0.0 if x == 0 else x


def reported_sum(*terms: float) -> float:
    """The sum of reported numbers (each as its shortest decimal), as a reported number:
    2903.04475 - 2903.01625 is 0.0285, where floats give 0.0284999999999."""
    from decimal import Decimal

    return clean(float(sum((Decimal(repr(t)) for t in terms), Decimal(0))))


def result_from_dict(d: dict[str, Any]) -> Result:
    """Rebuild a Result from its JSON document (render.documents) (a saved `--output` file, parsed).

    Raises LoadError listing every problem, each with its JSON path, when d is not such
    a form (defplan.loading.saved_model holds the format's one description).
    """
    from defplan.loading.saved import result_from_document

    return result_from_document(d, filename="<result>")


def read_saved_result(data: bytes, *, filename: str) -> Result | None:
    """The Result saved in data, or None when data is not a saved result (a portfolio).

    Raises LoadError for a JSON document that claims a defplan format but is not a
    readable result: each problem with its JSON path, and its line and column.
    """
    from defplan.errors import LoadError, Problem

    found = _defplan_document(data, filename=filename)
    if found is None:
        return None
    document, text, duplicates = found
    kind = document["format"]
    if kind != RESULT_FORMAT:
        raise LoadError([Problem(filename, f"a '{kind}' document, not a saved result")])
    from defplan.loading.saved import result_from_document

    return result_from_document(document, filename=filename, text=text, duplicates=duplicates)


_DEFPLAN_OUTPUT = re.compile(rb'^\s*\{\s*"format"\s*:\s*"defplan-')
"""How every JSON document defplan writes begins: a broken one is reported as JSON."""


def _defplan_document(
    data: bytes, *, filename: str = ""
) -> tuple[dict[str, Any], str, set[tuple[int, str]]] | None:
    """data as a JSON object with a 'format' key (defplan output), its text, and its
    duplicate keys as (id of the object, key); None for anything else (a portfolio).

    A UTF-8 byte order mark is skipped. NaN and Infinity are parsed (as floats) so that
    the reader can refuse them with their place. Text that begins as defplan's output
    does but is not JSON (a file cut short) is a LoadError at the place JSON breaks.
    """
    from defplan.errors import LoadError, Problem

    data = data.removeprefix(codecs.BOM_UTF8)
    if data.lstrip()[:1] != b"{":
        return None
    duplicates: set[tuple[int, str]] = set()

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        made: dict[str, Any] = {}
        for key, value in items:
            if key in made:
                duplicates.add((id(made), key))
            made[key] = value
        return made

    try:
        text = data.decode("utf-8")
        document = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        if _DEFPLAN_OUTPUT.match(data):
            message = f"not valid JSON: {exc.msg}"
            raise LoadError([Problem(filename, message, exc.lineno, exc.colno)]) from None
        return None  # not JSON: the portfolio loader says what is wrong
    except (ValueError, RecursionError):
        return None
    if isinstance(document, dict) and "format" in document:
        return document, text, duplicates
    return None


def output_format_of(data: bytes, *, filename: str = "") -> str | None:
    """The 'format' of defplan output (a saved result, sweep, diff), None for anything else;
    LoadError (naming filename) for defplan output that is not valid JSON."""
    found = _defplan_document(data, filename=filename)
    return None if found is None else str(found[0]["format"])
