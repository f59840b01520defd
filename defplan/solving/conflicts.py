"""Which constraints conflict: an irreducible set of blocks, as a deletion filter finds
it, with far fewer solves; and, for each, the one number that alone would admit a
portfolio.

The deletion filter tries the blocks in the formulation's fixed order and drops each one
without which the rest still admits no portfolio; what is left admits none, and without
any one of its blocks it does. One input always gives one set. Dropping blocks one by
one takes a solve per block, each over all the rest: quadratic in the number of blocks
(bench/conflicts.py). Two shortcuts find the same set:

- Runs. Consecutive blocks (in the fixed order) are dropped together while the rest
  without them still admits no portfolio: then the rest without any one of them admits
  none either, and the one-by-one filter would drop each in turn. A run halves after a
  failure, down to one block, which is then kept; it grows twice as long after
  `patience` successes in a row. Patience starts at 1 (O(k log(m/k)) solves for k
  needed blocks among m, when they come in clusters) and grows by one after each run
  of several blocks that fails: where needed and unneeded blocks alternate, doubling
  would waste a solve on every other block (1.5 solves a block), and the filter's
  one solve a block is the best there is.
- Witnesses. A portfolio that breaks exactly one kept block shows that block needed
  (without it, that portfolio is admitted), here and in every smaller set the filter
  goes on to, so the filter would keep it: it is kept without a solve. Every portfolio a
  solve returns is such a candidate, and so is each one a single candidate away from a
  witness (a requires-chain is walked that way, link by link). Witnesses are checked in
  exact sums, as solver answers are (Engine.broken).

Both only skip solves whose answers are already known, so the set is the filter's.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from fractions import Fraction

from defplan.formulation import Block
from defplan.result import Status, clean
from defplan.solving.engine import Engine
from defplan.tolerance import total_and_magnitude

WALK_WORK = 50
"""A witness walk may evaluate this many times the rows' nonzeros of terms, and as many
again for each needed block it finds: one that finds none ends soon."""
LONG = 32
"""Rows over more candidates than this are summed incrementally along a walk."""

Sums = dict[tuple[int, int], tuple[Fraction, Fraction]]
"""(block, row) -> a long row's exact total and magnitude at one witness."""


def conflicting_blocks(engine: Engine) -> list[Block]:
    """An irreducible set of constraint blocks that cannot all hold: the deletion
    filter's, in the formulation's fixed order, so one input always gives one set:
    those blocks alone admit no portfolio, and without any one of them they do."""
    return [engine.form.blocks[b] for b in irreducible_blocks(engine)]


def describe_conflict(engine: Engine, block: Block) -> str:
    """'NAME: the constraint in words', and the one number that alone would restore
    feasibility (a budget or cap to raise, a target to lower) when there is one.
    """
    text = f"{block.name}: {block.label}"
    if not block.adjust or engine.out_of_time():
        return text
    (row,) = block.rows
    others = [k for k in engine.active if engine.form.blocks[k] is not block]
    raise_it = block.adjust == "raise"
    # a cap: the least it must allow; a target: the most the others let it reach
    if raise_it:
        found = engine.minimise(row.coefs, blocks=others)
    else:
        found = engine.maximise(row.coefs, blocks=others)
    if found.status is not Status.OPTIMAL or found.x is None:
        return text  # the other constraints conflict among themselves too
    x = found.x
    reach = clean(math.fsum(c * x[i] for i, c in row.coefs.items()))
    unit = f" {block.unit}" if block.unit else ""
    if raise_it and row.upper is not None and reach > row.upper and block.share is not None:
        gdp, baseline = block.share
        share = clean((reach + baseline) / gdp)
        change = f"a share of {100 * share:.4g}% of GDP ({reach:,.12g}{unit} for new options)"
        return f"{text}; {change} would admit a portfolio"
    if raise_it and row.upper is not None and reach > row.upper:
        change = f"raising it alone to {reach:,.12g}{unit} (by {clean(reach - row.upper):,.12g})"
    elif not raise_it and row.lower is not None and reach < row.lower:
        if reach <= 0 and block.adjust == "lower above 0":
            return f"{text}; the other constraints allow it no contribution at all"
        change = f"lowering it alone to {reach:,.12g}{unit} (by {clean(row.lower - reach):,.12g})"
    else:
        return text
    return f"{text}; {change} would admit a portfolio"


def irreducible_blocks(engine: Engine) -> list[int]:
    """The positions of an irreducible set of conflicting blocks among the engine's
    active ones (the deletion filter's answer; see the module's docstring)."""
    keep = list(engine.active)
    needed: set[int] = set()
    walk = _Walk(engine)
    run = 1
    patience = 1  # successes in a row before a run grows
    streak = 0
    position = 0
    while position < len(keep) and not engine.out_of_time():
        if keep[position] in needed:
            position += 1
            continue
        dropped = [b for b in keep[position:] if b not in needed][:run]
        gone = set(dropped)
        rest = [b for b in keep if b not in gone]
        found = engine.minimise({}, blocks=rest)
        if found.status is Status.INFEASIBLE:
            keep, streak = rest, streak + 1
            if streak >= patience:
                run, streak = run * 2, 0
            continue
        streak = 0
        if run > 1:  # a run too long: grow more slowly from now on
            patience += 1
        # a carried balance ties a year's row to the others: witnesses are not local
        if found.x is not None and not engine.form.carried_years:
            needed |= walk.needed_blocks(found.x, keep, needed)
        if run == 1:  # admitted without this block alone: it is needed (or time is up)
            needed.add(keep[position])
            position += 1
        run = max(1, run // 2)
    return keep


class _Walk:
    """Witnesses: portfolios that break exactly one of the kept blocks, checked in
    exact sums. Along a walk a long row's total is carried from one witness to the next
    as an exact fraction (one candidate changes it by one term), whose rounding is the
    correctly rounded sum Engine.broken compares: the same verdicts, in O(1) a row."""

    def __init__(self, engine: Engine) -> None:
        self.blocks = engine.form.blocks
        self.blocks_of: dict[int, list[int]] = {}  # candidate -> blocks with a row over it
        self.support: list[list[int]] = []  # block -> its candidates
        for k, block in enumerate(self.blocks):
            support = sorted({i for row in block.rows for i in row.coefs})
            self.support.append(support)
            for i in support:
                self.blocks_of.setdefault(i, []).append(k)
        self.nonzeros = sum(len(row.coefs) for b in self.blocks for row in b.rows)
        self.spent = 0  # terms evaluated
        self.earned = 0  # needed blocks found

    def tired(self) -> bool:
        return self.spent > WALK_WORK * self.nonzeros * (1 + self.earned)

    def breaks(self, x: Sequence[int], k: int, sums: Sums) -> bool:
        """True when x breaks block k, in exact sums (as Engine.broken decides)."""
        for r, row in enumerate(self.blocks[k].rows):
            if (k, r) in sums:
                total, magnitude = (float(t) for t in sums[k, r])
                self.spent += 1
            else:  # fsum: correctly rounded, as the long rows' fractions are
                total, magnitude = total_and_magnitude(c for i, c in row.coefs.items() if x[i])
                self.spent += len(row.coefs)
            if row.violated_by(total, magnitude):
                return True
        return False

    def long_sums(self, x: Sequence[int], keep: Sequence[int]) -> Sums:
        """The exact sums of the kept blocks' long rows at x."""
        return {
            (k, r): _exact_sums(row.coefs, x)
            for k in keep
            for r, row in enumerate(self.blocks[k].rows)
            if len(row.coefs) > LONG
        }

    def flipped(self, sums: Sums, i: int, on: bool) -> Sums:
        """sums after candidate i is selected (on) or dropped."""
        moved = dict(sums)
        for k in self.blocks_of[i]:
            for r, row in enumerate(self.blocks[k].rows):
                c = row.coefs.get(i)
                if (k, r) in moved and c:
                    total, magnitude = moved[k, r]
                    sign = 1 if on else -1
                    moved[k, r] = (total + sign * Fraction(c), magnitude + sign * Fraction(abs(c)))
        return moved

    def needed_blocks(self, x: list[int], keep: list[int], needed: set[int]) -> set[int]:
        """The kept blocks that x, or portfolios reached from it one candidate at a time
        through witnesses, show needed (blocks in `needed` are known already)."""
        kept = set(keep)
        sums = self.long_sums(x, keep)
        self.spent += self.nonzeros
        broken = [k for k in keep if self.breaks(x, k, sums)]
        if len(broken) != 1:
            return set()
        found = set(broken) - needed
        queue = deque([(x, broken[0], sums)])
        while queue and not self.tired():
            y, only, at_y = queue.popleft()
            for i in self.support[only]:
                z = list(y)
                z[i] = 1 - z[i]
                at_z = self.flipped(at_y, i, bool(z[i]))
                touched = [k for k in self.blocks_of[i] if k in kept]
                now = ({only} - set(touched)) | {k for k in touched if self.breaks(z, k, at_z)}
                if len(now) == 1 and not now <= found | needed:
                    found |= now
                    self.earned += 1
                    queue.append((z, next(iter(now)), at_z))
                if self.tired():
                    break
        return found


def _exact_sums(coefs: dict[int, float], x: Sequence[int]) -> tuple[Fraction, Fraction]:
    """The exact total and magnitude of a row's selected terms."""
    terms = [Fraction(c) for i, c in coefs.items() if x[i]]
    return sum(terms, Fraction(0)), sum((abs(t) for t in terms), Fraction(0))
