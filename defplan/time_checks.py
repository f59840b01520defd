"""Checks of the planning horizon and of the keys that plan in time (docs/file-format.md,
"Planning in time"): lines, prices, carry-over, line caps, `by`, start windows,
delay penalties, running costs, `after` and costs by line.

Every key of time-phased planning needs `years`; without it each use is one problem,
and the checks that need the horizon's years are left out.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from defplan.model import KEY

if TYPE_CHECKING:
    from defplan.model import Candidate, Loc, Names, Portfolio, Suggester

Found = Iterator[tuple["Loc", str]]

CANDIDATE_KEYS = ("start", "delay_penalty", "running", "after")
"""A candidate's keys of time-phased planning, which a plain cost does not take."""


def time_keys(p: Portfolio) -> list[tuple[Loc, str]]:
    """Where the file uses a key of time-phased planning, as (location, key name)."""
    used: list[tuple[Loc, str]] = []
    for key in ("lines", "prices"):
        if _given(getattr(p, key)):
            used.append(((key, KEY), key))
    for key in ("carry_over", "lines"):
        if _given(getattr(p.budget, key)):
            used.append((("budget", key, KEY), f"budget.{key}"))
    for name, c in p.commitments.items():
        if c.by is not None:
            used.append((("commitments", name, "by", KEY), "by"))
    for i, cand in enumerate(p.candidates):
        if cand.cost_by_line:
            used.append((("candidates", i, "cost"), "cost by line"))
        used += [(("candidates", i, k, KEY), k) for k in _candidate_keys(cand)]
    return used


def _given(value: object) -> bool:
    """Whether a key holds something: null and an empty list or mapping mean nothing."""
    return value is not None and value != [] and value != {}


def _candidate_keys(c: Candidate) -> list[str]:
    """The keys of time-phased planning a candidate gives."""
    return [key for key in CANDIDATE_KEYS if _given(getattr(c, key))]


def time_problems(p: Portfolio, names: Names, suggest: Suggester) -> Found:
    """Every problem of the horizon and the keys of time-phased planning."""
    if p.years is None:
        for loc, key in time_keys(p):
            yield loc, f"'{key}' needs 'years' (the planning horizon) in the file"
    elif p.years[0] > p.years[1]:
        first, last = p.years
        yield ("years",), f"years must be [first, last] with first <= last, not [{first}, {last}]"
    else:
        yield from _outside_horizon(p)
    yield from _lines(p)
    yield from _prices(p)
    yield from _budget(p, names, suggest)
    for i, c in enumerate(p.candidates):
        yield from _candidate(p, i, c, names, suggest)
    yield from _after_cycles(p)


def _horizon(p: Portfolio) -> tuple[int, int] | None:
    """(first, last) of a well-formed horizon, else None."""
    if p.years is None or p.years[0] > p.years[1]:
        return None
    return p.years[0], p.years[1]


def _outside_horizon(p: Portfolio) -> Found:
    first, last = p.years or (0, 0)
    span = f"outside the planning horizon {first}-{last}"
    for year in p.budget.per_year:
        if not first <= year <= last:
            yield ("budget", "per_year", year, KEY), f"year {year} is {span}"
    for name, caps in p.budget.lines.items():
        for year in caps.per_year:
            if not first <= year <= last:
                yield ("budget", "lines", name, "per_year", year, KEY), f"year {year} is {span}"
    for name, com in p.commitments.items():
        if com.by is not None and not first <= com.by <= last:
            yield ("commitments", name, "by"), f"by {com.by} is {span}"
    for i, c in enumerate(p.candidates):
        if c.start is not None:  # a start window shifts the years: _window checks it
            continue
        for line, profile in c.line_profiles("").items():
            at: Loc = ("candidates", i, "cost", line) if line else ("candidates", i, "cost")
            for year in profile:
                if not first <= year <= last:
                    yield (*at, year, KEY), f"year {year} is {span}"


def _lines(p: Portfolio) -> Found:
    if p.lines and not next(iter(p.lines.values())).money:
        first = p.first_line
        yield (
            ("lines", first, "money"),
            f"the first line '{first}' pays year-keyed costs and budget.per_year, so it must "
            "be money; put a money line first",
        )


def _unknown_line(name: str, names: Names, suggest: Suggester) -> str:
    if not names.lines:
        return f"unknown line '{name}': declare the file's lines under 'lines'"
    return f"unknown line '{name}'{suggest(name, sorted(names.lines))}"


def _prices(p: Portfolio) -> Found:
    prices = p.prices
    if prices is None:
        return
    if (prices.rate is None) == (prices.index is None):
        given = "both" if prices.rate is not None else "neither"
        yield ("prices",), f"prices needs one of 'rate' and 'index', not {given}"
    horizon = _horizon(p)
    if prices.rate is not None and horizon is not None:
        yield from _rate_in_range(prices.base, prices.rate, horizon)
    if prices.index is not None:
        for year, factor in prices.index.items():
            if factor < 1 / MAX_FACTOR:
                yield (
                    ("prices", "index", year),
                    f"a price index entry is at least {1 / MAX_FACTOR:g}, not {factor:g}",
                )
    if prices.index is not None and horizon is not None:
        missing = [y for y in range(horizon[0], horizon[1] + 1) if y not in prices.index]
        if missing:
            yield (
                ("prices", "index"),
                f"the price index has no entry for {_years_text(missing)}; it needs one for "
                f"every year of the horizon {horizon[0]}-{horizon[1]}",
            )


MAX_FACTOR = 1e12
"""The most a price factor may multiply (or divide) a constant price by: as large as
any number of the file may be."""


def _rate_in_range(base: int, rate: float, horizon: tuple[int, int]) -> Found:
    """A rate whose factor, (1 + rate)^(year - base), stays within MAX_FACTOR of 1 in
    every horizon year (checked in logarithms: the factor itself may overflow)."""
    limit = math.log(MAX_FACTOR)
    for year in horizon:  # the factor is monotone in the year: its ends decide
        if abs((year - base) * math.log1p(rate)) > limit:
            yield (
                ("prices", "rate"),
                f"a rate of {rate:g} from {base} makes {year}'s prices more than a "
                f"million million times {'as high' if (year - base) * rate > 0 else 'as low'} "
                f"as {base}'s; use a rate or a base year nearer the horizon",
            )
            return


def _years_text(years: list[int]) -> str:
    shown = ", ".join(map(str, years[:10]))
    return shown + (f" and {len(years) - 10} more years" if len(years) > 10 else "")


def _budget(p: Portfolio, names: Names, suggest: Suggester) -> Found:
    b = p.budget
    if b.carry_over is not None and not b.per_year:
        yield (
            ("budget", "carry_over", KEY),
            "carry_over needs caps by year in budget.per_year: it carries the first line's "
            "unspent cap to a later capped year",
        )
    for name, caps in b.lines.items():
        if name not in names.lines:
            yield ("budget", "lines", name, KEY), _unknown_line(name, names, suggest)
        elif name == p.first_line and caps.per_year:
            yield (
                ("budget", "lines", name, "per_year", KEY),
                f"the first line '{name}' takes only a 'total' here; its caps by year are "
                "budget.per_year",
            )


def _candidate(p: Portfolio, i: int, c: Candidate, names: Names, suggest: Suggester) -> Found:
    here: Loc = ("candidates", i)
    if c.cost_years is None:
        for key in _candidate_keys(c):
            yield (
                (*here, key, KEY),
                f"'{key}' needs a cost profile by year; candidate '{c.id}' has a plain cost",
            )
    else:
        if c.delay_penalty is not None and c.start is None:
            yield (
                (*here, "delay_penalty", KEY),
                "'delay_penalty' needs a 'start' window: it is value lost per year of delay",
            )
        if c.start is not None:
            yield from _window(p, here, c)
    if c.cost_by_line:
        for line in c.line_profiles(""):
            if line not in names.lines:
                yield (*here, "cost", line, KEY), _unknown_line(line, names, suggest)
    if isinstance(c.running, dict):
        for line in c.running:
            if line not in names.lines:
                yield (*here, "running", line, KEY), _unknown_line(line, names, suggest)
    for j, ref in enumerate(c.after):
        if ref == c.id:
            yield (*here, "after", j), f"candidate '{c.id}' cannot come after itself"
        elif ref not in names.candidates:
            yield (
                (*here, "after", j),
                f"unknown candidate '{ref}'{suggest(ref, sorted(names.candidates))}",
            )


def _window(p: Portfolio, here: Loc, c: Candidate) -> Found:
    """start [a, b] with a <= b, and with a start year whose shifted profiles fit the horizon."""
    a, b = c.start or (0, 0)
    if a > b:
        yield (*here, "start"), f"start must be [first, last] with first <= last, not [{a}, {b}]"
        return
    horizon = _horizon(p)
    if horizon is None:
        return
    first, last = horizon
    f, end = c.cost_years or (0, 0)
    latest = last - (end - f)  # a start in s spends in years s .. end + s - f
    if max(a, first) > min(b, latest):
        span = f"its cost profile spans {end - f + 1} years ({f}-{end})"
        fits = (
            f"so it must start in {first}-{latest}"
            if first <= latest
            else f"more than the horizon's {last - first + 1}"
        )
        yield (
            (*here, "start"),
            f"no start year in {a}-{b} fits the planning horizon {first}-{last}: {span}, {fits}",
        )


def _after_cycles(p: Portfolio) -> Found:
    """One problem per cycle of `after` (a strongly connected group), at its first link."""
    index = {}
    for i, c in enumerate(p.candidates):
        index.setdefault(c.id, i)
    follows = {
        i: [index[r] for r in dict.fromkeys(c.after) if r in index and r != c.id]
        for i, c in enumerate(p.candidates)
    }
    for group in _strongly_connected(follows):
        if len(group) < 2:
            continue
        start = min(group)
        cycle = _path_back(start, follows, set(group))
        ids = [p.candidates[k].id for k in cycle]
        link = p.candidates[start].after.index(ids[1])
        yield (
            ("candidates", start, "after", link),
            f"'after' forms a cycle: {' -> '.join([*ids, ids[0]])}",
        )


def _path_back(start: int, follows: dict[int, list[int]], group: set[int]) -> list[int]:
    """The shortest path from start through group back to start (without the return)."""
    came: dict[int, int] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for node in frontier:
            for to in follows[node]:
                if to not in group or to in came:
                    continue
                came[to] = node
                if to == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came[path[-1]])
                    return path[::-1]
                nxt.append(to)
        frontier = nxt
    return [start]


def _strongly_connected(follows: dict[int, list[int]]) -> list[list[int]]:
    """Tarjan's strongly connected components, iteratively (deep chains must not recurse)."""
    order: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    groups: list[list[int]] = []
    for root in follows:
        if root in order:
            continue
        work = [(root, 0)]
        while work:
            node, k = work.pop()
            if k == 0:
                order[node] = low[node] = len(order)
                stack.append(node)
                on_stack.add(node)
            if k < len(follows[node]):
                work.append((node, k + 1))
                to = follows[node][k]
                if to not in order:
                    work.append((to, 0))
                elif to in on_stack:
                    low[node] = min(low[node], order[to])
                continue
            if low[node] == order[node]:
                group = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    group.append(top)
                    if top == node:
                        break
                groups.append(group)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return groups
