"""`defplan robust`: how often each candidate is in the optimum when weights and values move.

Sample k (0-based) draws from `random.Random(f"defplan-robust/{seed}/{k}")` alone, in
this order: one weight factor per objective, uniform in [1 - spread, 1 + spread], in
file order; then, for each candidate in file order and each objective in file order,
one value uniform in [low, high] for every value given as a range (numbers draw
nothing). The sampled weights are the run's normalised weights times their factors,
normalised again. Each sample is then solved to its canonical optimum (docs/model.md), so the
answer depends only on (seed, k) and is the same with any number of workers.

Weights and values only move the objective, never the constraints, so every sample is
feasible exactly when the unperturbed problem is. That one is solved first; when it has
no portfolio (infeasible, or the time limit ran out first) no sample is drawn. The
weight factors are drawn even with spread 0, so the values drawn for sample k do not
depend on the spread.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, replace

from defplan.errors import UsageError
from defplan.formulation import SolveOptions, normalised_weights
from defplan.model import Portfolio
from defplan.result import Result, Status, clean
from defplan.solving import optimise
from defplan.workers import WorkerPool

MAX_SAMPLES = 1_000_000


@dataclass(frozen=True)
class Robustness:
    """Per candidate (file order), how many sampled optima include it (`defplan robust`)."""

    base: Result
    """The unperturbed optimum (range midpoints, the run's weights); its status decides
    the exit code, and when it has no portfolio nothing was sampled."""
    samples: int
    """Samples solved: as asked, or 0 when the base has no portfolio."""
    seed: int
    spread: float
    ids: tuple[str, ...]
    """Candidate ids in file order (empty when nothing was sampled)."""
    counts: tuple[int, ...]
    """For each id, the number of sampled optima that include it."""
    unproven: int = 0
    """Samples whose optimum was not proven (only under a time limit); a sample that
    found no portfolio at all includes no candidate."""

    @property
    def shares(self) -> dict[str, float]:
        """Share of the sampled optima that include each candidate, in file order."""
        return {i: clean(n / self.samples) for i, n in zip(self.ids, self.counts, strict=True)}

    @property
    def core(self) -> tuple[str, ...]:
        """Candidates in every sampled optimum."""
        return self._ids_where(lambda n: n == self.samples)

    @property
    def borderline(self) -> tuple[str, ...]:
        """Candidates in some sampled optima but not all."""
        return self._ids_where(lambda n: 0 < n < self.samples)

    @property
    def exterior(self) -> tuple[str, ...]:
        """Candidates in no sampled optimum."""
        return self._ids_where(lambda n: n == 0)

    def _ids_where(self, keep: Callable[[int], bool]) -> tuple[str, ...]:
        return tuple(i for i, n in zip(self.ids, self.counts, strict=True) if keep(n))


CLUSTER_CHUNK = 10
"""Samples per task on a Dask cluster: enough that a task outweighs its sending."""


def robust(
    portfolio: Portfolio,
    *,
    options: SolveOptions,
    samples: int = 200,
    seed: int = 0,
    spread: float = 0.2,
    workers: int = 1,
    file: str = "",
    data: bytes = b"",
    on_sample: Callable[[], None] | None = None,
    scheduler: str | None = None,
) -> Robustness:
    """Solve `samples` perturbed copies of the problem; `on_sample` runs in this process
    once per finished sample. `file` and `data` label the base result. `scheduler`: the
    address of a Dask scheduler to send the samples to, in chunks (cluster.py)."""
    _check_arguments(samples=samples, spread=spread, workers=workers)
    base = optimise(portfolio, options=options, file=file, data=data)
    if not base.status.has_portfolio:
        return Robustness(base, 0, seed, spread, (), ())
    job = _Job(portfolio, options, seed, spread)
    found: list[tuple[bool, tuple[bool, ...]]] = []
    if scheduler is not None:
        from defplan.cluster import chunked, run_chunks

        chunks = chunked(range(samples), CLUSTER_CHUNK)
        found = run_chunks(scheduler, job.solve_all, chunks, on_sample)
    elif workers == 1:
        for k in range(samples):
            found.append(job.solve(k))
            if on_sample is not None:
                on_sample()
    else:
        chunk = max(1, samples // (workers * 8))  # contiguous runs, small enough for progress
        with WorkerPool(max_workers=min(workers, samples)) as pool:
            for outcome in pool.map(job.solve, range(samples), chunksize=chunk):
                found.append(outcome)
                if on_sample is not None:
                    on_sample()
    counts = tuple(sum(column) for column in zip(*(x for _, x in found), strict=True))
    return Robustness(
        base=base,
        samples=samples,
        seed=seed,
        spread=spread,
        ids=tuple(c.id for c in portfolio.candidates),
        counts=counts,
        unproven=sum(1 for proven, _ in found if not proven),
    )


def _check_arguments(*, samples: int, spread: float, workers: int) -> None:
    if not 1 <= samples <= MAX_SAMPLES:
        raise UsageError(f"--samples {samples}: a number of samples from 1 to {MAX_SAMPLES:,}")
    if not (math.isfinite(spread) and 0 <= spread < 1):
        raise UsageError(f"--weight-spread {spread:g}: a fraction F with 0 <= F < 1")
    if workers < 1:
        raise UsageError(f"--workers {workers}: at least 1")


def sample_problem(
    portfolio: Portfolio, options: SolveOptions, *, seed: int, k: int, spread: float
) -> tuple[Portfolio, SolveOptions]:
    """Sample k's portfolio (every range replaced by a drawn number) and options (its
    weights); with spread 0 the run's weights are kept as they are."""
    rng = random.Random(f"defplan-robust/{seed}/{k}")
    weights = normalised_weights(portfolio, options.weights)
    factors = {name: rng.uniform(1 - spread, 1 + spread) for name in portfolio.objectives}
    if spread > 0:
        options = replace(options, weights={n: w * factors[n] for n, w in weights.items()})
    candidates = []
    for c in portfolio.candidates:
        drawn = {}
        for name in portfolio.objectives:
            entry = c.value.get(name)
            if isinstance(entry, list):
                low, high = entry
                drawn[name] = min(high, max(low, rng.uniform(low, high)))
        candidates.append(c.model_copy(update={"value": {**c.value, **drawn}}) if drawn else c)
    return portfolio.model_copy(update={"candidates": candidates}), options


@dataclass(frozen=True)
class _Job:
    """What every worker needs: picklable, so processes get the validated portfolio."""

    portfolio: Portfolio
    options: SolveOptions
    seed: int
    spread: float

    def solve_all(self, ks: list[int]) -> list[tuple[bool, tuple[bool, ...]]]:
        """solve for each sample of a chunk, in order."""
        return [self.solve(k) for k in ks]

    def solve(self, k: int) -> tuple[bool, tuple[bool, ...]]:
        """(proven optimal, selected per candidate) for sample k."""
        sampled, options = sample_problem(
            self.portfolio, self.options, seed=self.seed, k=k, spread=self.spread
        )
        result = optimise(sampled, options=options)
        chosen = set(result.selected_ids)
        return result.status is Status.OPTIMAL, tuple(c.id in chosen for c in sampled.candidates)
