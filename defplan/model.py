"""The portfolio file format (docs/file-format.md) as frozen pydantic models, plus checks.

Field types catch what one value can get wrong; `cross_check` catches what only the
whole file shows (unknown references, duplicate ids, inconsistent bounds). Both report
locations as paths into the document so the loader can point at the YAML node.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
)

MAX_MAGNITUDE = 1e12
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"
_ID = re.compile(ID_PATTERN)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
"""Characters text may not hold: the C0 and C1 control characters but tab and line
feed (ESC, CR, NEL, CSI...), which act as commands in a terminal, and Unicode's line
and paragraph separators, which start a new line wherever lines are split by Unicode's
rules (Python's str.splitlines, editors, log viewers): a name with one could forge a
line of output. In a portfolio, only double-quoted YAML escapes ("\\e", "\\N", "\\L") put
them in text: written as they are, YAML reads them as line breaks."""

Loc = tuple[str | int, ...]
KEY = "<key>"
"""Last element of a location that points at a mapping key rather than its value."""


def _check_finite(value: float) -> float:
    if -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE:  # most numbers: one test (NaN fails it)
        return float(value)
    if not math.isfinite(value):
        raise ValueError("numbers must be finite")
    if abs(value) > MAX_MAGNITUDE:
        raise ValueError(f"numbers are at most {MAX_MAGNITUDE:g} in size")
    return float(value)


def _int_as_text(value: Any) -> Any:
    """An id written as a plain integer is taken as its decimal text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _check_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(
            f"invalid name {value!r}: use letters, digits, '-' and '_', "
            "starting with a letter or digit"
        )
    return value


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("the format version is a number: 'defplan: 1'")
    return value


def _year_from_text(value: Any) -> Any:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value


Number = Annotated[float, Field(strict=True), AfterValidator(_check_finite)]
NonNegative = Annotated[Number, Field(ge=0)]
Share = Annotated[Number, Field(ge=0, le=1)]
Id = Annotated[str, BeforeValidator(_int_as_text), Field(strict=True), AfterValidator(_check_id)]
Year = Annotated[int, BeforeValidator(_year_from_text), Field(strict=True, ge=1, le=9999)]
Count = Annotated[int, Field(strict=True, ge=0)]
Profile = dict[Year, NonNegative]
Range = Annotated[list[Number], Field(min_length=2, max_length=2)]
Years = Annotated[list[Year], Field(min_length=2, max_length=2)]


def _ordered_factors(factors: list[float]) -> list[float]:
    if factors != sorted(factors):
        what = "low <= high" if len(factors) == 2 else "low <= most likely <= high"
        written = ", ".join(f"{f:g}" for f in factors)
        raise ValueError(f"[{written}] needs {what}")
    return factors


CostRisk = Annotated[
    list[Annotated[Number, Field(gt=0)]],
    Field(min_length=2, max_length=3),
    AfterValidator(_ordered_factors),
]
"""[low, high] (uniform) or [low, most likely, high] (triangular): the factor on all a
candidate's money (defplan/cost_risk.py)."""


def _cost_kind(value: Any) -> str:
    if not isinstance(value, dict):
        return "amount"
    for v in value.values():  # a loop, not any(): called for every candidate, often
        if isinstance(v, dict):
            return "by_line"
    return "profile"


def _running_kind(value: Any) -> str:
    return "by_line" if isinstance(value, dict) else "amount"


def _value_kind(value: Any) -> str:
    return "range" if isinstance(value, list) else "number"


Cost = Annotated[
    Annotated[NonNegative, Tag("amount")]
    | Annotated[Profile, Tag("profile")]
    | Annotated[dict[Id, Profile], Tag("by_line")],
    Discriminator(_cost_kind),
]
Running = Annotated[
    Annotated[NonNegative, Tag("amount")] | Annotated[dict[Id, NonNegative], Tag("by_line")],
    Discriminator(_running_kind),
]
ValueEntry = Annotated[
    Annotated[Number, Tag("number")] | Annotated[Range, Tag("range")],
    Discriminator(_value_kind),
]


def _empty(kind: type[list[Any]] | type[dict[Any, Any]]) -> Any:
    """A field defaulting to an empty list or dict made afresh for each model: a default
    written `= []` is deep-copied for each of thousands of candidates (a fifth of their
    validation); the schema still shows the default."""
    return Field(default_factory=kind, json_schema_extra={"default": kind()})


class Strict(BaseModel):
    """Base of every model: immutable, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Objective(Strict):
    """A value dimension such as national, flow or human security."""

    label: str | None = None
    weight: NonNegative = 1.0
    scale: Range | None = None
    """[low, high]: the range the file's scores are meant to lie in; scores outside
    it are warned about, not refused (a score may be off the scale on purpose)."""


class Commitment(Strict):
    """A NATO, EU or national target on summed contributions."""

    label: str | None = None
    framework: str | None = None
    target: Annotated[Number, Field(gt=0)]
    hard: bool = True
    penalty: NonNegative | None = None
    by: Year | None = None
    """Only candidates delivered by the end of this year count."""


class Line(Strict):
    """A funding line or other annual resource (personnel FTE when not money)."""

    label: str | None = None
    unit: str | None = None
    money: bool = True


class Prices(Strict):
    """Costs are in constant prices of `base`; `rate` or `index` makes them nominal."""

    base: Year
    rate: Annotated[Number, Field(gt=-1)] | None = None
    index: dict[Year, Annotated[Number, Field(gt=0)]] | None = None


SharePath = Annotated[dict[Year, Share], Field(min_length=1)]
"""Shares of GDP by year, interpolated linearly between the years given (frame.py)."""


class LineBudget(Strict):
    """Caps on one line (the first line's caps by year are budget.per_year)."""

    per_year: Profile = {}
    total: NonNegative | None = None
    gdp_share: SharePath | None = None
    """This line's own GDP share path: its money is then not core money."""


class Budget(Strict):
    """Default budget caps; the command line overrides them."""

    total: NonNegative | None = None
    per_year: Profile = {}
    carry_over: NonNegative | None = None
    """At most this much of the first line's unspent cap is carried; absent means 0."""
    lines: dict[Id, LineBudget] = {}
    gdp_share: SharePath | None = None
    """Core defence spending (baseline plus the selection) as a share of GDP, by year."""


class Group(Strict):
    """Spending rules for the candidates carrying one group tag."""

    min_share: Share | None = None
    max_share: Share | None = None
    min: NonNegative | None = None
    max: NonNegative | None = None
    min_share_of_defence: Share | None = None
    max_share_of_defence: Share | None = None
    """Of core defence spending each year, baseline included (needs economy.baseline)."""


class Economy(Strict):
    """The national frame: nominal GDP and the spending already committed, by year."""

    gdp: dict[Year, Annotated[Number, Field(gt=0)]] = {}
    baseline: Profile = {}
    """Core defence spending already committed (every money line without a share)."""
    baseline_lines: dict[Id, Profile] = {}
    """The same for each line with a gdp_share of its own."""
    baseline_groups: dict[str, Profile] = {}
    """Of the core baseline, what falls in each group."""


class Rule(Strict):
    """A cardinality rule over listed candidates: exactly one of the three counts."""

    at_most: Count | None = None
    at_least: Count | None = None
    exactly: Count | None = None
    of: Annotated[list[Id], Field(min_length=1)]

    @property
    def bounds(self) -> tuple[int | None, int | None]:
        """(lower, upper) bounds on the number of listed candidates selected."""
        if self.exactly is not None:
            return self.exactly, self.exactly
        return self.at_least, self.at_most


class Candidate(Strict):
    """One capability investment that may be selected."""

    id: Id
    name: str | None = None
    group: str | None = None
    cost: Cost
    value: dict[Id, ValueEntry] = _empty(dict)
    commitments: dict[Id, Number] = _empty(dict)
    requires: list[Id] = _empty(list)
    excludes: list[Id] = _empty(list)
    mandatory: bool = False
    start: Years | None = None
    """[a, b]: the years it may start in; the cost as written is for its first year."""
    delay_penalty: NonNegative | None = None
    running: Running | None = None
    after: list[Id] = _empty(list)
    cost_risk: CostRisk | None = None

    @property
    def title(self) -> str:
        """The display name: `name`, or the id."""
        return self.name if self.name is not None else self.id

    @property
    def total_cost(self) -> float:
        """The plain cost, or the sum of its profiles as written (every line alike)."""
        if isinstance(self.cost, dict):
            return math.fsum(
                v for profile in self.line_profiles("").values() for v in profile.values()
            )
        return self.cost

    @property
    def profile(self) -> dict[int, float]:
        """Cost per year of a year-keyed cost; empty for a plain cost or one by line."""
        if isinstance(self.cost, dict) and _cost_kind(self.cost) == "profile":
            return self.cost  # type: ignore[return-value]
        return {}

    @property
    def cost_by_line(self) -> bool:
        """Whether its cost is given line by line, `{LINE: {YEAR: AMOUNT}}`."""
        return _cost_kind(self.cost) == "by_line"

    def line_profiles(self, first_line: str) -> dict[str, dict[int, float]]:
        """The cost per year on each line (a year-keyed cost is on first_line)."""
        if not isinstance(self.cost, dict):
            return {}
        if self.cost_by_line:
            return self.cost  # type: ignore[return-value]
        return {first_line: self.cost}  # type: ignore[dict-item]

    @property
    def cost_years(self) -> tuple[int, int] | None:
        """(f, l): the first and last year in any of its profiles; None when it has none."""
        years = [y for profile in self.line_profiles("").values() for y in profile]
        return (min(years), max(years)) if years else None

    def value_of(self, objective: str) -> float:
        """The candidate's value on one objective, the midpoint of a range."""
        entry = self.value.get(objective, 0.0)
        if isinstance(entry, list):
            return (entry[0] + entry[1]) / 2
        return entry


class Scenario(Strict):
    """A budget the plan may have to live with, and how likely it is: its budget merges
    into the file's (per_year year by year, each line's per_year year by year, other
    keys replaced)."""

    probability: Annotated[Number, Field(gt=0)]
    budget: Budget = Budget()


class Portfolio(Strict):
    """A whole portfolio file (format 1)."""

    defplan: Annotated[Literal[1], BeforeValidator(_not_bool)] = 1
    name: str = ""
    currency: str = "EUR"
    unit: str = "M"
    years: Years | None = None
    lines: Annotated[dict[Id, Line], Field(min_length=1)] = {}
    prices: Prices | None = None
    economy: Economy | None = None
    objectives: Annotated[dict[Id, Objective], Field(min_length=1)]
    commitments: dict[Id, Commitment] = {}
    budget: Budget = Budget()
    groups: dict[str, Group] = {}
    rules: list[Rule] = []
    candidates: Annotated[list[Candidate], Field(min_length=1)]
    scenarios: dict[Id, Scenario] = {}
    commit_by: Year | None = None
    """What starts in or before this year is decided now, alike in every scenario."""

    @property
    def money_unit(self) -> str:
        """The unit money is counted in: 'M EUR', or what the file declares."""
        return f"{self.unit} {self.currency}".strip()

    @property
    def first_line(self) -> str:
        """The line year-keyed costs and budget.per_year are on ('budget' when undeclared)."""
        return next(iter(self.lines), "budget")

    def candidate_index(self) -> dict[str, int]:
        """Map each candidate id to its position in the file."""
        return {c.id: i for i, c in enumerate(self.candidates)}


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """A ' (did you mean 'x'?)' suffix when a choice is close to word, else ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


SUGGESTION_BUDGET = 100_000
"""Name comparisons one cross_check spends on "did you mean" suggestions, so that a file
full of misspelt names is reported in about a second, not minutes."""


class Suggester:
    """did_you_mean within a budget of comparisons, after which messages go without:
    thousands of unknown names among thousands of ids took hours (~10 us a comparison)."""

    def __init__(self) -> None:
        self.left = SUGGESTION_BUDGET

    def __call__(self, word: str, choices: Sequence[str]) -> str:
        if len(choices) > self.left:
            return ""
        self.left -= len(choices)
        return did_you_mean(word, choices)


@dataclass(frozen=True)
class Names:
    """Names the file defines, even in parts that failed their own checks."""

    candidates: frozenset[str]
    objectives: frozenset[str]
    commitments: frozenset[str]
    group_tags: frozenset[str]
    lines: frozenset[str] = frozenset()

    @classmethod
    def of(cls, p: Portfolio) -> Names:
        """The names a valid portfolio defines."""
        return cls(
            frozenset(c.id for c in p.candidates),
            frozenset(p.objectives),
            frozenset(p.commitments),
            frozenset(c.group for c in p.candidates if c.group is not None),
            frozenset(p.lines),
        )


def cross_check(p: Portfolio, names: Names | None = None) -> list[tuple[Loc, str]]:
    """Every cross-field problem of a well-typed portfolio, as (location, message).

    `names` widens what counts as defined, for checking the valid part of a file
    whose other parts failed (their names are still known, so nothing is reported twice).
    """
    return list(_cross_problems(p, names or Names.of(p), Suggester()))


def _cross_problems(p: Portfolio, names: Names, suggest: Suggester) -> Iterator[tuple[Loc, str]]:
    if p.objectives and all(o.weight == 0 for o in p.objectives.values()):
        yield ("objectives",), "objective weights are all 0; give at least one a weight > 0"
    for name, c in p.commitments.items():
        if c.hard and c.penalty is not None:
            yield (
                ("commitments", name, "penalty"),
                (
                    f"commitment '{name}' is hard, so a penalty means nothing; "
                    "set 'hard: false' or remove the penalty"
                ),
            )
        if not c.hard and c.penalty is None:
            yield (
                ("commitments", name),
                (f"soft commitment '{name}' needs a 'penalty' (value points per unit short)"),
            )
    for name, o in p.objectives.items():
        if o.scale is not None and not o.scale[0] < o.scale[1]:
            yield (
                ("objectives", name, "scale"),
                f"scale [{o.scale[0]:g}, {o.scale[1]:g}] needs low < high",
            )
    from defplan.time_checks import time_problems  # the horizon's checks, in their module

    yield from time_problems(p, names, suggest)
    from defplan.frame_checks import frame_problems

    yield from frame_problems(p, names, suggest)
    from defplan.scenario_checks import scenario_problems

    yield from scenario_problems(p, names, suggest)
    yield from _check_candidates(p, names, suggest)
    yield from _check_groups(p, names, suggest)
    yield from _check_rules(p, names, suggest)


def _check_candidates(p: Portfolio, names: Names, suggest: Suggester) -> Iterator[tuple[Loc, str]]:
    ids = sorted(names.candidates)
    objectives = sorted(names.objectives)
    commitments = sorted(names.commitments)
    first_at: dict[str, int] = {}
    for i, c in enumerate(p.candidates):
        if c.id in first_at:
            yield (
                ("candidates", i, "id"),
                (f"duplicate id '{c.id}' (also candidate {first_at[c.id] + 1})"),
            )
        else:
            first_at[c.id] = i
    for i, c in enumerate(p.candidates):
        for key in ("requires", "excludes"):
            for j, ref in enumerate(getattr(c, key)):
                if ref == c.id:
                    yield ("candidates", i, key, j), f"candidate '{c.id}' cannot {key[:-1]} itself"
                elif ref not in names.candidates:
                    yield (
                        ("candidates", i, key, j),
                        (f"unknown candidate '{ref}'{suggest(ref, ids)}"),
                    )
        for name, entry in c.value.items():
            if name not in names.objectives:
                yield (
                    ("candidates", i, "value", name, KEY),
                    (f"unknown objective '{name}'{suggest(name, objectives)}"),
                )
            if isinstance(entry, list) and entry[0] > entry[1]:
                yield (
                    ("candidates", i, "value", name),
                    (f"range [{entry[0]:g}, {entry[1]:g}] needs low <= high"),
                )
        for name in c.commitments:
            if name not in names.commitments:
                yield (
                    ("candidates", i, "commitments", name, KEY),
                    (f"unknown commitment '{name}'{suggest(name, commitments)}"),
                )


def _check_groups(p: Portfolio, names: Names, suggest: Suggester) -> Iterator[tuple[Loc, str]]:
    tags = sorted(names.group_tags)
    for name, g in p.groups.items():
        if name not in names.group_tags:
            yield (
                ("groups", name, KEY),
                (f"no candidate has group '{name}'{suggest(name, tags)}"),
            )
        if g.min is not None and g.max is not None and g.min > g.max:
            yield ("groups", name), f"group '{name}': min {g.min:g} exceeds max {g.max:g}"
        if g.min_share is not None and g.max_share is not None and g.min_share > g.max_share:
            yield (
                ("groups", name),
                (f"group '{name}': min_share {g.min_share:g} exceeds max_share {g.max_share:g}"),
            )
    total = math.fsum(g.min_share or 0 for g in p.groups.values())
    if total > 1 + 1e-12:
        yield ("groups",), f"the min_shares add up to {total:g}, more than 1"


def _check_rules(p: Portfolio, names: Names, suggest: Suggester) -> Iterator[tuple[Loc, str]]:
    known = names.candidates
    ids = sorted(known)
    for i, rule in enumerate(p.rules):
        given = [k for k in ("at_most", "at_least", "exactly") if getattr(rule, k) is not None]
        if len(given) != 1:
            yield (
                ("rules", i),
                (
                    "a rule needs exactly one of at_most, at_least, exactly"
                    + (f" (it has {', '.join(given)})" if given else "")
                ),
            )
        for j, ref in enumerate(rule.of):
            if ref not in known:
                yield ("rules", i, "of", j), f"unknown candidate '{ref}'{suggest(ref, ids)}"
