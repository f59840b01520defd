"""The national frame (docs/national-frame.md): shares of GDP by year, the spending
already committed, and the room they leave the selection each year.

A share path given for years Y1 < ... < Yn holds in every year from Y1 to Yn,
interpolated linearly between the given years; only the horizon's years are capped.
Core money is the nominal money of every money line without a share of its own.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass

from defplan.model import Portfolio
from defplan.result import DefenceShareYear, ShareYear, clean
from defplan.timeline import Option, money_lines

CORE = "core"
"""The name core defence spending goes by in results and messages (no line may take it)."""


def share_path(path: Mapping[int, float]) -> dict[int, float]:
    """The share of every year from the first given to the last, interpolated linearly
    between neighbouring given years."""
    given = sorted(path.items())
    shares: dict[int, float] = {}
    for (a, share_a), (b, share_b) in itertools.pairwise(given):
        for year in range(a, b):
            shares[year] = share_a + (share_b - share_a) * (year - a) / (b - a)
    last, share = given[-1]
    shares[last] = share
    return shares


def core_lines(portfolio: Portfolio) -> set[str]:
    """The money lines whose spending is core defence spending: those without a
    gdp_share of their own."""
    own = {n for n, caps in portfolio.budget.lines.items() if caps.gdp_share is not None}
    return money_lines(portfolio) - own


def paths(portfolio: Portfolio) -> dict[str, Mapping[int, float]]:
    """The share paths the file gives: 'core' first, then each line's own."""
    found: dict[str, Mapping[int, float]] = {}
    if portfolio.budget.gdp_share is not None:
        found[CORE] = portfolio.budget.gdp_share
    for name, caps in portfolio.budget.lines.items():
        if caps.gdp_share is not None:
            found[name] = caps.gdp_share
    return found


def baseline_of(portfolio: Portfolio, name: str) -> Mapping[int, float]:
    """The committed spending of core ('core') or of a line with its own share."""
    economy = portfolio.economy
    if economy is None:
        return {}
    return economy.baseline if name == CORE else economy.baseline_lines.get(name, {})


@dataclass(frozen=True)
class ShareCap:
    """One year's cap from a share path: the selection's money on the path's lines may
    be at most share * gdp - baseline (never below 0)."""

    name: str  # 'core' or a line
    year: int
    share: float
    gdp: float
    baseline: float

    @property
    def room(self) -> float:
        """What the share leaves the selection after the baseline."""
        return max(0.0, self.share * self.gdp - self.baseline)


def share_caps(portfolio: Portfolio) -> list[ShareCap]:
    """Every horizon year's cap from every share path, core first, by year (the file
    is valid: each such year has its GDP and baseline)."""
    if portfolio.years is None or portfolio.economy is None:
        return []
    first, last = portfolio.years
    gdp = portfolio.economy.gdp
    caps = []
    for name, path in paths(portfolio).items():
        baseline = baseline_of(portfolio, name)
        for year, share in sorted(share_path(path).items()):
            if first <= year <= last:
                caps.append(ShareCap(name, year, share, gdp[year], baseline[year]))
    return caps


def lines_of(portfolio: Portfolio, name: str) -> set[str]:
    """The lines a path caps: the core lines for 'core', else the line itself."""
    return core_lines(portfolio) if name == CORE else {name}


def shares_of(
    portfolio: Portfolio, spend: Mapping[str, Mapping[int, float]]
) -> dict[str, dict[int, ShareYear]]:
    """Core spending and each line's with a share of its own, against GDP, in every
    horizon year with GDP and the baseline; `spend` is the selection's money by line
    and year."""
    economy = portfolio.economy
    if economy is None or portfolio.years is None:
        return {}
    first, last = portfolio.years
    given = paths(portfolio)
    names = [CORE, *(n for n in given if n != CORE)]
    found: dict[str, dict[int, ShareYear]] = {}
    for name in names:
        baseline = baseline_of(portfolio, name)
        pledge = share_path(given[name]) if name in given else {}
        lines = lines_of(portfolio, name)
        years = [y for y in range(first, last + 1) if y in economy.gdp and y in baseline]
        found[name] = {
            y: ShareYear(
                economy.gdp[y],
                baseline[y],
                clean(math.fsum(spend.get(line, {}).get(y, 0.0) for line in lines)),
                pledge.get(y),
            )
            for y in years
        }
    return {name: years for name, years in found.items() if years}


def defence_shares_of(
    portfolio: Portfolio, spend: Mapping[str, Mapping[int, float]], taken: Mapping[int, Option]
) -> dict[str, dict[int, DefenceShareYear]]:
    """Each group with a share-of-defence rule, in every horizon year with a baseline:
    `spend` is the selection's money by line and year, `taken` its options (candidate
    -> option)."""
    economy = portfolio.economy
    if economy is None or portfolio.years is None:
        return {}
    first, last = portfolio.years
    core = core_lines(portfolio)
    cands = portfolio.candidates
    years = [y for y in sorted(economy.baseline) if first <= y <= last]
    found = {}
    for name, g in portfolio.groups.items():
        if g.min_share_of_defence is None and g.max_share_of_defence is None:
            continue
        mine = [o for i, o in taken.items() if cands[i].group == name]
        committed = economy.baseline_groups.get(name, {})
        found[name] = {
            y: DefenceShareYear(
                committed.get(y, 0.0),
                clean(math.fsum(o.spend.get(line, {}).get(y, 0.0) for o in mine for line in core)),
                clean(
                    math.fsum([economy.baseline[y], *(spend.get(n, {}).get(y, 0.0) for n in core)])
                ),
                g.min_share_of_defence,
                g.max_share_of_defence,
            )
            for y in years
        }
    return found
