"""A portfolio's start options: for each candidate, the start years that fit the
horizon, and what each costs on each line in each year, in nominal money
(docs/planning-in-time.md).

An option is one column of the model. A candidate without a start window has one
option (its profile as written); a plain cost has one option with no years.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from defplan.cost_risk import level_factors
from defplan.errors import UsageError
from defplan.model import Candidate, Portfolio

Spend = dict[str, dict[int, float]]
"""Money (or counted units) by line, then by year."""


@dataclass(frozen=True)
class Option:
    """One way to carry out a candidate: its start and delivery years (None for a
    plain cost or a file without a horizon), its spending by line and year (nominal on
    money lines), and the value its delay loses."""

    candidate: int
    start: int | None
    delivered: int | None
    spend: Spend
    value_lost: float = 0.0
    factor: float = 1.0
    """The cost-risk factor its money is planned at (--cost-level; 1 otherwise)."""


class PriceIndex:
    """Turns constant prices of the file's base year into each year's nominal money."""

    def __init__(self, portfolio: Portfolio) -> None:
        self.prices = portfolio.prices
        self.money = money_lines(portfolio)

    def index(self, year: int) -> float:
        """The factor money spent in `year` is multiplied by (1 without `prices`)."""
        p = self.prices
        if p is None:
            return 1.0
        if p.index is not None:
            return p.index[year]
        return (1.0 + (p.rate or 0.0)) ** (year - p.base)

    def nominal(self, line: str, year: int, amount: float) -> float:
        """An amount spent on `line` in `year`, in that year's money (counted units of
        a line that is not money as they are)."""
        if line not in self.money or self.prices is None:
            return amount
        return amount * self.index(year)


def money_lines(portfolio: Portfolio) -> set[str]:
    """The lines that count as money: every line but those with `money: false`."""
    return {portfolio.first_line} | {n for n, line in portfolio.lines.items() if line.money}


def line_title(portfolio: Portfolio, name: str) -> str:
    """A line's label, or its name."""
    line = portfolio.lines.get(name)
    return line.label if line is not None and line.label else name


def line_unit(portfolio: Portfolio, name: str) -> str:
    """What a line counts in: its declared unit, else money's unit for a money line."""
    line = portfolio.lines.get(name)
    if line is not None and line.unit:
        return line.unit
    return portfolio.money_unit if name in money_lines(portfolio) else ""


def line_names(portfolio: Portfolio) -> list[str]:
    """The file's lines in order ('budget' alone when it declares none)."""
    return list(portfolio.lines) or [portfolio.first_line]


MAX_OPTION_YEARS = 5_000_000
"""The most amounts (one per option, line and year spent) a plan in time may make: a
file of a few thousand lines can ask for billions (every start of a wide window, each
running for centuries), which no machine holds; real programmes make thousands."""


def options_of(
    portfolio: Portfolio, cost_level: float | None = None, factors: Sequence[float] = ()
) -> list[Option]:
    """Every candidate's options, candidate by candidate in file order, each candidate's
    in order of start year, with all money at each candidate's factor: `factors` (file
    order) when given, else its factor at `cost_level` (cost_risk.py; 1 without a
    level): the one place costs are scaled, so that every row sees the same numbers.
    UsageError when they would make more than MAX_OPTION_YEARS amounts."""
    size = option_years(portfolio)
    if size > MAX_OPTION_YEARS:
        raise UsageError(
            f"this plan in time is too large: its start options would spend in "
            f"{size:,} option-years (each start year of each candidate, each year and line "
            f"it spends in); at most {MAX_OPTION_YEARS:,}. Shorten the horizon or the start "
            "windows"
        )
    prices = PriceIndex(portfolio)
    factors = list(factors) or level_factors(portfolio, cost_level)
    found: list[Option] = []
    for i, c in enumerate(portfolio.candidates):
        found += _candidate_options(portfolio, prices, i, c, factors[i])
    return found


def option_years(portfolio: Portfolio) -> int:
    """How many amounts the options would hold: for each candidate, its start years that
    fit, times the years and lines its profile and running costs spend in."""
    if portfolio.years is None:
        return 0
    first, last = portfolio.years
    total = 0
    for c in portfolio.candidates:
        span = c.cost_years
        if span is None:
            continue
        f, end = span
        window = c.start or (f, f)
        starts = max(0, min(window[1], last - (end - f)) - max(window[0], first) + 1)
        written = sum(len(p) for p in c.line_profiles("").values())
        running = len(running_of(portfolio, c)) * (last - first + 1)
        total += starts * (written + running)
    return total


def _candidate_options(
    portfolio: Portfolio, prices: PriceIndex, i: int, c: Candidate, factor: float
) -> list[Option]:
    span = c.cost_years
    profiles = c.line_profiles(portfolio.first_line)

    def scaled(line: str, amount: float) -> float:
        return amount * factor if factor != 1.0 and line in prices.money else amount

    if span is None:  # a plain cost: no years
        return [Option(i, None, None, {}, factor=factor)]
    if portfolio.years is None:  # no horizon: the profile as written, nothing moves
        written = {line: {y: scaled(line, v) for y, v in p.items()} for line, p in profiles.items()}
        return [Option(i, None, None, written, factor=factor)]
    first, last = portfolio.years
    f, end = span
    window = c.start or (f, f)
    options = []
    # the start years that fit: from the horizon's first year to the last one that
    # still delivers inside it (a window of thousands of years costs nothing more)
    for s in range(max(window[0], first), min(window[1], last - (end - f)) + 1):
        shift = s - f
        delivered = end + shift
        spend: Spend = {}
        for line, profile in profiles.items():
            by_year = spend.setdefault(line, {})
            for year, amount in profile.items():
                by_year[year + shift] = prices.nominal(line, year + shift, scaled(line, amount))
        for line, amount in running_of(portfolio, c).items():
            by_year = spend.setdefault(line, {})
            for year in range(delivered + 1, last + 1):
                running = prices.nominal(line, year, scaled(line, amount))
                by_year[year] = by_year.get(year, 0.0) + running
        lost = (c.delay_penalty or 0.0) * (s - window[0])
        options.append(Option(i, s, delivered, spend, lost, factor))
    return options


def running_of(portfolio: Portfolio, c: Candidate) -> dict[str, float]:
    """A candidate's running cost per year by line, as written (constant prices)."""
    if c.running is None:
        return {}
    if isinstance(c.running, Mapping):
        return dict(c.running)
    return {portfolio.first_line: c.running}


def money_of(option: Option, candidate: Candidate, money: set[str]) -> float:
    """All the money an option spends: a plain cost, or its money lines' sum."""
    if option.start is None and not option.spend:
        return candidate.total_cost * option.factor
    return math.fsum(
        v for line, years in option.spend.items() if line in money for v in years.values()
    )


def delivered_by(option: Option, portfolio: Portfolio) -> int:
    """The year an option is delivered; a plain cost counts as delivered in the
    horizon's first year."""
    if option.delivered is not None:
        return option.delivered
    return portfolio.years[0] if portfolio.years is not None else 0


def money_by_year(option: Option, money: set[str]) -> dict[int, float]:
    """An option's money on all money lines, by year (zero entries kept), in year order."""
    years: dict[int, list[float]] = {}
    for line, by_year in option.spend.items():
        if line in money:
            for year, amount in by_year.items():
                years.setdefault(year, []).append(amount)
    return {y: math.fsum(v) for y, v in sorted(years.items())}
