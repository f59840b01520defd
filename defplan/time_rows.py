"""The constraint blocks only a plan in time has: caps by line (by year and in total),
`after` (a start only once another candidate is delivered) and --start ID=YEAR. The
other blocks, and the rows' meaning, are in formulation.py."""

from __future__ import annotations

import math
from collections.abc import Sequence

from defplan.errors import UsageError
from defplan.formulation import Block, Row, SolveOptions, nonzero
from defplan.model import Portfolio, did_you_mean
from defplan.timeline import Option, delivered_by, line_names, line_title, line_unit


def start_blocks(
    portfolio: Portfolio,
    options: SolveOptions,
    index: dict[str, int],
    columns: Sequence[Option],
    columns_of: Sequence[Sequence[int]],
) -> list[Block]:
    """--start ID=YEAR: the candidate in, at that start year."""
    blocks = []
    for cid, year in options.starts.items():
        if cid not in index:
            raise UsageError(f"--start: unknown candidate '{cid}'{did_you_mean(cid, list(index))}")
        if cid in options.exclude:
            raise UsageError(f"both --start and --exclude name: {cid}")
        at = [k for k in columns_of[index[cid]] if columns[k].start == year]
        if not at:
            years = [columns[k].start for k in columns_of[index[cid]]]
            can = (
                "it has no start years (a plain cost)"
                if years == [None]
                else "its start years are " + ", ".join(str(y) for y in years)
            )
            raise UsageError(f"--start {cid}={year}: '{cid}' cannot start in {year}; {can}")
        row = Row({at[0]: 1.0}, lower=1.0)
        blocks.append(Block(f"start.{cid}", f"--start {cid}={year}", (row,)))
    return blocks


def line_blocks(portfolio: Portfolio, columns: Sequence[Option]) -> list[Block]:
    """The caps of budget.lines: by year and in total on each line, in the lines' order."""
    blocks = []
    for name in line_names(portfolio):
        caps = portfolio.budget.lines.get(name)
        if caps is None:
            continue
        unit, title = line_unit(portfolio, name), line_title(portfolio, name)
        for year, cap in sorted(caps.per_year.items()):
            row = Row(
                nonzero((j, o.spend.get(name, {}).get(year, 0.0)) for j, o in enumerate(columns)),
                upper=cap,
            )
            label = f"{title} cap for {year}: {cap:,.12g} {unit}".rstrip()
            blocks.append(Block(f"budget.line.{name}.{year}", label, (row,), unit, "raise"))
        if caps.total is not None:
            row = Row(
                nonzero(
                    (j, math.fsum(o.spend.get(name, {}).values())) for j, o in enumerate(columns)
                ),
                upper=caps.total,
            )
            label = f"{title} total: {caps.total:,.12g} {unit}".rstrip()
            blocks.append(Block(f"budget.line.{name}.total", label, (row,), unit, "raise"))
    return blocks


def after_blocks(
    portfolio: Portfolio,
    index: dict[str, int],
    columns: Sequence[Option],
    columns_of: Sequence[Sequence[int]],
) -> list[Block]:
    """`after`: each option of i needs an option of j delivered before it starts (so i
    requires j)."""
    blocks = []
    for i, c in enumerate(portfolio.candidates):
        for other in dict.fromkeys(c.after):
            j = index[other]
            rows = []
            for k in columns_of[i]:
                start = columns[k].start
                ready = [
                    m
                    for m in columns_of[j]
                    if start is not None and delivered_by(columns[m], portfolio) < start
                ]
                rows.append(Row({k: 1.0} | dict.fromkeys(ready, -1.0), upper=0.0))
            label = f"'{c.id}' starts after '{other}' is delivered"
            blocks.append(Block(f"after.{c.id}.{other}", label, tuple(rows)))
    return blocks
