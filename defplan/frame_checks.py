"""Checks of the national frame's keys (docs/file-format.md, "The national frame"):
`economy`, the GDP share paths of `budget` and its lines, and the groups' shares of
defence spending.

Every year of the horizon a share path covers needs its GDP and its baseline: a
missing one is an error, never taken as 0.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from defplan.frame import CORE, paths, share_path
from defplan.model import KEY
from defplan.timeline import money_lines

if TYPE_CHECKING:
    from defplan.model import Loc, Names, Portfolio, Suggester

Found = Iterator[tuple["Loc", str]]
SHARE_KEYS = ("min_share_of_defence", "max_share_of_defence")


def frame_problems(p: Portfolio, names: Names, suggest: Suggester) -> Found:
    """Every problem of the national frame's keys."""
    used = _frame_keys(p)
    if p.years is None:
        for loc, key in used:
            yield loc, f"'{key}' needs 'years' (the planning horizon) in the file"
    if CORE in p.lines:
        yield ("lines", CORE, KEY), f"'{CORE}' is not a line name: it means core defence spending"
    yield from _line_paths(p)
    yield from _economy_names(p, names, suggest)
    yield from _groups(p)
    if p.years is not None and p.years[0] <= p.years[1]:
        for name, path in paths(p).items():
            yield from _covered(p, name, path)


def _frame_keys(p: Portfolio) -> list[tuple[Loc, str]]:
    used: list[tuple[Loc, str]] = []
    if p.economy is not None:
        used.append((("economy", KEY), "economy"))
    if p.budget.gdp_share is not None:
        used.append((("budget", "gdp_share", KEY), "budget.gdp_share"))
    for name, caps in p.budget.lines.items():
        if caps.gdp_share is not None:
            used.append((("budget", "lines", name, "gdp_share", KEY), "gdp_share"))
    for name, g in p.groups.items():
        used += [(("groups", name, k, KEY), k) for k in SHARE_KEYS if getattr(g, k) is not None]
    return used


def _line_paths(p: Portfolio) -> Found:
    money = money_lines(p)
    for name, caps in p.budget.lines.items():
        if caps.gdp_share is not None and name in p.lines and name not in money:
            yield (
                ("budget", "lines", name, "gdp_share", KEY),
                f"line '{name}' is not money ('money: false'), so it has no share of GDP",
            )


def _economy_names(p: Portfolio, names: Names, suggest: Suggester) -> Found:
    economy = p.economy
    if economy is None:
        return
    for name in economy.baseline_lines:
        caps = p.budget.lines.get(name)
        if name not in names.lines:
            known = sorted(names.lines)
            yield (
                ("economy", "baseline_lines", name, KEY),
                (f"unknown line '{name}'{suggest(name, known)}"),
            )
        elif caps is None or caps.gdp_share is None:
            yield (
                ("economy", "baseline_lines", name, KEY),
                (
                    f"line '{name}' has no gdp_share of its own, so its committed spending is "
                    "part of economy.baseline"
                ),
            )
    tags = sorted(names.group_tags)
    for name in economy.baseline_groups:
        if name not in names.group_tags:
            yield (
                ("economy", "baseline_groups", name, KEY),
                (f"no candidate has group '{name}'{suggest(name, tags)}"),
            )


def _groups(p: Portfolio) -> Found:
    has_baseline = p.economy is not None and bool(p.economy.baseline)
    for name, g in p.groups.items():
        for key in SHARE_KEYS:
            if getattr(g, key) is not None and not has_baseline:
                yield (
                    ("groups", name, key, KEY),
                    (
                        f"'{key}' needs economy.baseline: it is a share of the whole core "
                        "defence budget, the committed baseline included"
                    ),
                )
        low, high = g.min_share_of_defence, g.max_share_of_defence
        if low is not None and high is not None and low > high:
            yield (
                ("groups", name),
                (
                    f"group '{name}': min_share_of_defence {low:g} exceeds "
                    f"max_share_of_defence {high:g}"
                ),
            )


def _covered(p: Portfolio, name: str, path: Mapping[int, float]) -> Found:
    """Each horizon year the path covers needs economy.gdp and the path's baseline."""
    first, last = p.years or (0, 0)
    at: Loc = ("budget", "gdp_share") if name == CORE else ("budget", "lines", name, "gdp_share")
    economy = p.economy
    gdp = economy.gdp if economy is not None else {}
    if name == CORE:
        baseline, where = (economy.baseline if economy else {}), "economy.baseline"
    else:
        baseline = economy.baseline_lines.get(name, {}) if economy else {}
        where = f"economy.baseline_lines.{name}"
    years = [y for y in share_path(path) if first <= y <= last]
    for table, label in ((gdp, "economy.gdp"), (baseline, where)):
        missing = [y for y in years if y not in table]
        for year in (y for y in missing if y in path):
            yield (*at, year, KEY), f"{year} has a share of GDP but no entry in {label}"
        between = [y for y in missing if y not in path]
        if between:
            yield (
                at,
                (
                    f"the share path covers {_years_text(between)} (interpolated) but {label} "
                    "has no entry there; every horizon year with a share needs one"
                ),
            )


def _years_text(years: list[int]) -> str:
    shown = ", ".join(map(str, years[:10]))
    return shown + (f" and {len(years) - 10} more years" if len(years) > 10 else "")
