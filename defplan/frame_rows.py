"""The constraint blocks of the national frame: each year's cap from a GDP share path
(gdp_share.YEAR for core spending, gdp_share.LINE.YEAR for a line with its own share)
and the groups' shares of core defence spending (group.ID.min_share_of_defence.YEAR).
The rows' meaning is in docs/model.md; the frame's numbers in frame.py."""

from __future__ import annotations

import math
from collections.abc import Sequence

from defplan.formulation import Block, Row, nonzero
from defplan.frame import CORE, core_lines, lines_of, share_caps
from defplan.model import Portfolio
from defplan.timeline import Option, line_title
from defplan.tolerance import ROUNDING


def frame_blocks(portfolio: Portfolio, columns: Sequence[Option]) -> list[Block]:
    """The share caps, then the groups' shares of defence, in the file's order."""
    return _share_blocks(portfolio, columns) + _defence_share_blocks(portfolio, columns)


def money_in(columns: Sequence[Option], lines: set[str], year: int) -> list[float]:
    """Each column's money on `lines` in `year`."""
    return [math.fsum(o.spend.get(line, {}).get(year, 0.0) for line in lines) for o in columns]


def _share_blocks(portfolio: Portfolio, columns: Sequence[Option]) -> list[Block]:
    unit = portfolio.money_unit
    blocks = []
    for cap in share_caps(portfolio):
        spend = money_in(columns, lines_of(portfolio, cap.name), cap.year)
        tolerance = _rounding(cap.room, cap.share * cap.gdp, cap.baseline)
        row = Row(nonzero(enumerate(spend)), upper=cap.room, tolerance=tolerance)
        what = "core defence spending" if cap.name == CORE else line_title(portfolio, cap.name)
        label = (
            f"{what} in {cap.year}: at most {100 * cap.share:.4g}% of a GDP of "
            f"{cap.gdp:,.12g} {unit}, less the committed {cap.baseline:,.12g}: "
            f"{cap.room:,.12g} {unit} for new options"
        )
        name = f"gdp_share.{cap.year}" if cap.name == CORE else f"gdp_share.{cap.name}.{cap.year}"
        blocks.append(Block(name, label, (row,), unit, "raise", share=(cap.gdp, cap.baseline)))
    return blocks


def _defence_share_blocks(portfolio: Portfolio, columns: Sequence[Option]) -> list[Block]:
    """baseline_groups + the members' core money >= share * (baseline + core money),
    each horizon year with a baseline: sum_j (member_j - share) * core_j * x_j >=
    share * baseline - baseline_group (<= for the max)."""
    economy = portfolio.economy
    if economy is None or portfolio.years is None:
        return []
    first, last = portfolio.years
    core = core_lines(portfolio)
    cands = portfolio.candidates
    years = [y for y in sorted(economy.baseline) if first <= y <= last]
    core_money = {year: money_in(columns, core, year) for year in years}  # once, for all groups
    blocks = []
    for name, g in portfolio.groups.items():
        member = [cands[o.candidate].group == name for o in columns]
        given = economy.baseline_groups.get(name, {})
        for key, share, sense in (
            ("min_share_of_defence", g.min_share_of_defence, "at least"),
            ("max_share_of_defence", g.max_share_of_defence, "at most"),
        ):
            if share is None:
                continue
            for year in years:
                coefs = nonzero(
                    (j, ((1.0 if member[j] else 0.0) - share) * c)
                    for j, c in enumerate(core_money[year])
                )
                whole, mine = share * economy.baseline[year], given.get(year, 0.0)
                bound = whole - mine
                tolerance = _rounding(bound, whole, mine)
                row = (
                    Row(coefs, lower=bound, tolerance=tolerance)
                    if sense == "at least"
                    else Row(coefs, upper=bound, tolerance=tolerance)
                )
                label = (
                    f"group '{name}': {sense} {100 * share:.4g}% of core defence spending "
                    f"in {year}, the committed baseline included"
                )
                blocks.append(Block(f"group.{name}.{key}.{year}", label, (row,)))
    return blocks


def _rounding(bound: float, *parts: float) -> float:
    """A row's relative tolerance when its bound is a difference of larger `parts`
    (share * GDP - baseline): the rounding they carry, allowed for relative to them
    and not only to the (smaller) bound (tolerance.py)."""
    if not bound:
        return ROUNDING
    return max(ROUNDING, ROUNDING * 4 * sum(abs(p) for p in parts) / abs(bound))
