"""`defplan risk`: how likely a plan is to stay within its caps when costs run over.

The plan is the canonical optimum of the run (or a saved result's selection). Sample k
(0-based) draws from numpy's Philox generator with key S (the seed) and counter (0, 0, k,
0), a stream of its own: one uniform number u per candidate in file order, up to the
last selected candidate with `cost_risk` (whatever the candidate, so adding cost_risk to
one never moves another's draws), each turned into that candidate's factor by the
inverse of its distribution (cost_risk.factor_at). A sample depends on (S, k) alone, so
any split of the samples into chunks gives the same numbers.

Every amount of money of a selected candidate (factor 1: the file's costs) is multiplied
by its factor; lines with `money: false` are not. The caps are the model's own rows
(formulation.py), checked per sample with the same allowance for rounding: budget.total,
the first line's caps by year with the carried balances recomputed in each sample (as
much as allowed is carried; a year over its cap carries nothing), each line's caps and
each year's cap from a GDP share path.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from defplan.cost_risk import factor_at, mean, variance
from defplan.errors import UsageError
from defplan.formulation import Formulation, Row, SolveOptions, formulate
from defplan.model import Portfolio
from defplan.result import Result, clean
from defplan.timeline import money_lines
from defplan.tolerance import allowance

if TYPE_CHECKING:
    import numpy as np

MAX_SAMPLES = 1_000_000
MAX_SEED = 2**64 - 1
CLUSTER_SAMPLES = 10_000
"""Samples per task on a Dask cluster."""
CHUNK_DRAWS = 2_000_000
"""The most uniform numbers one chunk of samples holds (16 MB), whatever the file."""
PERCENTILES = tuple(range(0, 101, 5))
"""The percentiles of total money reported (numpy.percentile, linear)."""
S_CURVE_POINTS = 11
CAPPED = ("budget.total", "budget.per_year.", "budget.line.", "gdp_share.")
"""The blocks (by name or prefix) whose caps a sample is checked against."""


@dataclass(frozen=True)
class CapOdds:
    """One cap and how many samples stay within it."""

    name: str
    """The block's name: budget.total, budget.per_year.YEAR, budget.line.LINE.YEAR (or
    .total), gdp_share.YEAR, gdp_share.LINE.YEAR."""
    label: str
    within: int


@dataclass(frozen=True)
class Driver:
    """A selected candidate with cost risk and its part in the variance of total money."""

    id: str
    money: float
    """Its money at factor 1."""
    sd: float
    """The standard deviation of its money: money * sd of its factor."""
    share: float
    """Its variance (money^2 * variance of its factor) over the sum of them all."""


@dataclass(frozen=True)
class Risk:
    """What `defplan risk` found (JSON: defplan-risk/1)."""

    base: Result
    """The plan whose risk this is: the run's optimum, or the saved result."""
    samples: int
    """Samples drawn: as asked, or 0 when the base has no portfolio."""
    seed: int
    selected: tuple[tuple[str, int | None], ...] = ()
    """(id, start year or None) of each selected candidate, in file order."""
    caps: tuple[CapOdds, ...] = ()
    within_every_cap: int = 0
    money: float = 0.0
    """Total money at factor 1."""
    expected: float = 0.0
    """Expected total money (closed form)."""
    percentiles: tuple[tuple[int, float], ...] = ()
    """(percentile, total money) at PERCENTILES's percentiles (numpy.percentile, linear)."""
    drivers: tuple[Driver, ...] = ()
    s_curve: tuple[tuple[float, float], ...] = ()
    """(total money, share of samples at or below it) at 11 evenly spaced amounts from
    the least sampled total to the greatest."""

    def share(self, count: int) -> float:
        """A count of samples as a share of all."""
        return clean(count / self.samples)

    def percentile(self, p: int) -> float:
        """Total money at percentile p (one of PERCENTILES)."""
        return dict(self.percentiles)[p]


def risk(
    portfolio: Portfolio,
    *,
    options: SolveOptions,
    samples: int = 2000,
    seed: int = 0,
    saved: Result | None = None,
    file: str = "",
    data: bytes = b"",
    chunk: int | None = None,
    scheduler: str | None = None,
) -> Risk:
    """The risk of the run's optimum (or of `saved`'s selection): `samples` draws of
    every factor. `chunk` bounds the samples drawn at once (it changes no number);
    `scheduler`: the address of a Dask scheduler to send the chunks to (cluster.py)."""
    from defplan.solving import optimise

    _check_arguments(samples, seed)
    base = (
        saved if saved is not None else optimise(portfolio, options=options, file=file, data=data)
    )
    if not base.status.has_portfolio:
        return Risk(base, 0, seed)
    form = formulate(portfolio, replace(options, cost_level=None))
    taken = _taken_columns(portfolio, form, base)
    cands = portfolio.candidates
    owner = {j: form.options[j].candidate for j in taken}
    risky = [i for i in owner.values() if cands[i].cost_risk is not None]
    width = max(risky, default=-1) + 1
    per_chunk = chunk or max(1, (CHUNK_DRAWS // max(width, 1)))
    if scheduler is not None:
        per_chunk = min(per_chunk, CLUSTER_SAMPLES)
    spans = [[first, min(per_chunk, samples - first)] for first in range(0, samples, per_chunk)]
    draws = _Draws(portfolio, form, taken, seed, tuple(risky), width)
    if scheduler is not None:
        from defplan.cluster import run_chunks

        counts = run_chunks(scheduler, draws.count, spans)
    else:
        counts = [count for span in spans for count in draws.count(span)]
    counted = _Counter(portfolio, form, taken)
    for within, within_all, _ in counts:
        counted.within = [a + b for a, b in zip(counted.within, within, strict=True)]
        counted.within_all += within_all
    import numpy as np

    total = np.concatenate([totals for _, _, totals in counts])
    points = np.percentile(total, PERCENTILES)
    return Risk(
        base=base,
        samples=samples,
        seed=seed,
        selected=tuple((cands[i].id, form.options[j].start) for j, i in owner.items()),
        caps=counted.odds(),
        within_every_cap=counted.within_all,
        money=clean(math.fsum(form.costs[j] for j in taken)),
        expected=clean(
            math.fsum(form.costs[j] * _mean(cands[i].cost_risk) for j, i in owner.items())
        ),
        percentiles=tuple((p, clean(float(v))) for p, v in zip(PERCENTILES, points, strict=True)),
        drivers=_drivers(portfolio, form, owner),
        s_curve=tuple(
            (clean(float(level)), clean(float(np.mean(total <= level))))
            for level in np.linspace(total.min(), total.max(), S_CURVE_POINTS)
        ),
    )


def _check_arguments(samples: int, seed: int) -> None:
    if not 1 <= samples <= MAX_SAMPLES:
        raise UsageError(f"--samples {samples}: a number of samples from 1 to {MAX_SAMPLES:,}")
    if not 0 <= seed <= MAX_SEED:
        raise UsageError(f"--seed {seed}: a whole number from 0 to 2^64 - 1")


def _mean(risk: Sequence[float] | None) -> float:
    return 1.0 if risk is None else mean(risk)


def draw_uniforms(seed: int, first: int, count: int, width: int) -> np.ndarray:
    """Samples first .. first + count - 1, one row each: the first `width` uniform
    numbers of each sample's own stream (Philox, key seed, counter (0, 0, k, 0))."""
    import numpy as np

    out = np.empty((count, width))
    if width == 0:
        return out
    bits = np.random.Philox(key=seed)
    generator = np.random.Generator(bits)
    state = bits.state
    for row in range(count):
        state["state"]["counter"] = np.array([0, 0, first + row, 0], dtype=np.uint64)
        state["buffer_pos"] = 4  # an empty buffer: the next number comes from the counter
        state["has_uint32"] = 0
        bits.state = state
        out[row] = generator.random(width)
    return out


def _taken_columns(portfolio: Portfolio, form: Formulation, base: Result) -> list[int]:
    """The columns of the base's selection (each selected candidate at its start)."""
    index = portfolio.candidate_index()
    starts: dict[int, int | None] = {}
    for c in base.candidates:
        if not c.selected:
            continue
        if c.id not in index:
            raise UsageError(f"the saved result selects '{c.id}', which the file does not have")
        starts[index[c.id]] = c.start
    x = form.columns_taking(starts)
    taken = [j for j, chosen in enumerate(x) if chosen]
    missing = sorted(set(starts) - {form.options[j].candidate for j in taken})
    if missing:
        i = missing[0]
        raise UsageError(
            f"the saved result starts '{portfolio.candidates[i].id}' in {starts[i]}, "
            "which the file does not allow"
        )
    return taken


@dataclass(frozen=True)
class _Draws:
    """One chunk of samples drawn and counted: picklable, for a cluster's workers."""

    portfolio: Portfolio
    form: Formulation
    taken: list[int]
    seed: int
    risky: tuple[int, ...]
    width: int

    def count(self, span: list[int]) -> list[tuple[list[int], int, np.ndarray]]:
        """For the samples span = [first, count]: how many stay within each capped row,
        how many within all, and their total money (one entry, in a list: a task's
        result)."""
        first, count = span
        cands = self.portfolio.candidates
        uniforms = draw_uniforms(self.seed, first, count, self.width)
        factors = {i: factor_at(cands[i].cost_risk, uniforms[:, i]) for i in self.risky}
        counter = _Counter(self.portfolio, self.form, self.taken)
        totals = counter.add(factors, count)
        return [(counter.within, counter.within_all, totals)]


class _Counter:
    """Counts, chunk by chunk, the samples within each capped row of the model."""

    def __init__(self, portfolio: Portfolio, form: Formulation, taken: list[int]) -> None:
        money = money_lines(portfolio)
        self.form = form
        self.taken = taken
        self.owner = {j: form.options[j].candidate for j in taken}
        self.rows = [
            (block.name, block.label, block.rows[0], _scales(block.name, money))
            for block in form.blocks
            if block.name == CAPPED[0] or block.name.startswith(CAPPED[1:])
        ]
        self.within = [0] * len(self.rows)
        self.within_all = 0

    def add(self, factors: dict[int, Any], count: int) -> np.ndarray:
        """Count one chunk of samples (each risky candidate's factors); their totals."""
        import numpy as np

        every = np.ones(count, dtype=bool)
        balance = np.zeros(count)
        limit = self.form.carry_over
        for n, (name, _, row, scaled) in enumerate(self.rows):
            spend = self._sum(row, factors if scaled else {}, count)
            upper = row.upper if row.upper is not None else math.inf
            room = upper + balance if limit is not None and name.startswith(CAPPED[1]) else upper
            ok = spend <= room + allowance(upper, 0.0, row.tolerance) + allowance(0.0, spend)
            if limit is not None and name.startswith(CAPPED[1]):
                balance = np.where(ok, np.clip(room - spend, 0.0, limit), 0.0)
            self.within[n] += int(ok.sum())
            every &= ok
        self.within_all += int(every.sum())
        costs = Row({j: self.form.costs[j] for j in self.taken})
        return self._sum(costs, factors, count)

    def _sum(self, row: Row, factors: dict[int, Any], count: int) -> np.ndarray:
        """The row's total over the taken columns in column order, each term times its
        candidate's factor (elementwise: the same sums in any chunk)."""
        import numpy as np

        total = np.zeros(count)
        for j in self.taken:
            coef = row.coefs.get(j, 0.0)
            if coef:
                total = total + coef * factors.get(self.owner[j], 1.0)
        return total

    def odds(self) -> tuple[CapOdds, ...]:
        """Each capped row with the samples within it."""
        return tuple(
            CapOdds(name, label, n)
            for (name, label, _, _), n in zip(self.rows, self.within, strict=True)
        )


def _scales(name: str, money: set[str]) -> bool:
    """Whether a capped row counts money (a factor moves it): all but the caps of a
    line with `money: false`."""
    if not name.startswith(CAPPED[2]):
        return True
    return name.removeprefix(CAPPED[2]).rsplit(".", 1)[0] in money


def _drivers(portfolio: Portfolio, form: Formulation, owner: dict[int, int]) -> tuple[Driver, ...]:
    """The selected candidates with cost risk, largest share of the variance first."""
    found = []
    for j, i in owner.items():
        c = portfolio.candidates[i]
        if c.cost_risk is not None:
            found.append((c.id, form.costs[j], form.costs[j] ** 2 * variance(c.cost_risk)))
    whole = math.fsum(v for _, _, v in found)
    if whole <= 0:
        return ()
    ranked = sorted(found, key=lambda d: -d[2])  # stable: ties stay in file order
    return tuple(
        Driver(cid, clean(m), clean(math.sqrt(v)), clean(v / whole)) for cid, m, v in ranked
    )
