"""A selection's spending in time: each line's spending by year against its caps, the
first line's carried balances, and what keeps running after the horizon."""

from __future__ import annotations

import math

from defplan.formulation import Formulation
from defplan.frame import defence_shares_of, shares_of
from defplan.model import Portfolio
from defplan.result import LineSpend, Timing, clean
from defplan.time_checks import time_keys
from defplan.timeline import (
    Option,
    PriceIndex,
    line_names,
    line_title,
    line_unit,
    money_lines,
    running_of,
)


def timing_of(portfolio: Portfolio, form: Formulation, taken: dict[int, Option]) -> Timing:
    """The Timing of the options taken (candidate -> option) in a file with years."""
    assert portfolio.years is not None
    first_year, last_year = portfolio.years
    horizon = range(first_year, last_year + 1)
    money = money_lines(portfolio)
    prices = PriceIndex(portfolio)
    first = portfolio.first_line
    lines: dict[str, LineSpend] = {}
    raw: dict[str, dict[int, float]] = {}
    for name in line_names(portfolio):
        caps = portfolio.budget.lines.get(name)
        raw[name] = {
            y: math.fsum(o.spend.get(name, {}).get(y, 0.0) for o in taken.values()) for y in horizon
        }
        after = math.fsum(
            prices.nominal(
                name, last_year, running_of(portfolio, portfolio.candidates[i]).get(name, 0.0)
            )
            * (o.factor if name in money else 1.0)
            for i, o in taken.items()
        )
        lines[name] = LineSpend(
            label=line_title(portfolio, name),
            unit=line_unit(portfolio, name),
            money=name in money,
            spend={y: clean(v) for y, v in raw[name].items()},
            caps=dict(sorted(form.budget_per_year.items()))
            if name == first
            else dict(sorted(caps.per_year.items()) if caps else {}),
            total_cap=caps.total if caps else None,
            running_after=clean(after),
        )
    carried = None
    if form.carried_years:
        carried = {}
        balance = 0.0
        limit = form.carry_over or 0.0
        for year in form.carried_years:
            cap = form.budget_per_year[year]
            balance = max(0.0, min(limit, math.fsum([cap, balance, -raw[first][year]])))
            carried[year] = clean(balance)
    shares = shares_of(portfolio, raw)
    index = None
    if portfolio.prices is not None:
        index = {y: clean(prices.index(y)) for y in horizon}
    return Timing(
        years=(first_year, last_year),
        lines=lines,
        declared_lines=bool(portfolio.lines),
        phased=bool(time_keys(portfolio)),
        carried=carried,
        carry_over=form.carry_over,
        price_index=index,
        price_base=portfolio.prices.base if portfolio.prices is not None else None,
        gdp_share={n: {y: clean(s.share) for y, s in years.items()} for n, years in shares.items()},
        shares=shares,
        defence_shares=defence_shares_of(portfolio, raw, taken),
    )
