"""Runs of one or more backends on one problem, the first proof kept.

Neither solver wins everywhere: CBC proves small, tightly packed knapsacks faster,
HiGHS big portfolios. A race costs a second core and returns as soon as either has a
proof, and the loser is told to stop. Every problem here is a minimisation, so a cutoff
means the same to every backend, and all run with the same tolerances, so any of them
gives the same answers. No claim a cheap check refutes ends a race.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from defplan.backends.base import Backend, Limits, Outcome, Run, relative_gap
from defplan.errors import DefplanError, SolverFailure
from defplan.result import Status

Broken = Callable[[list[int]], str]
"""Names a constraint a selection breaks ("" for none)."""
Disproof = Callable[[list[list[int]]], str]
"""Names a selection (among those given, or a witness of its own) that meets every row."""

_interrupted = False


def interrupt() -> None:
    """Stop the solve under way, and every later one, at its next check (within 0.05 s)
    with KeyboardInterrupt: for a signal handler, which raising itself could cut a
    clean-up short (a stopped sweep or robust worker)."""
    global _interrupted
    _interrupted = True


def run(
    backends: Sequence[Backend],
    problem: Any,
    variables: Sequence[Any],
    limits: Limits,
    broken: Broken,
    disproof: Disproof,
) -> Outcome:
    """Start a run of each backend on problem and race them (see `race`); every run is
    closed afterwards, however the race ended."""
    runs: list[Run] = []
    try:
        with stdout_silenced():  # highspy prints a banner when a model is made
            for backend in backends:
                runs.append(backend.start(problem, variables, limits))
            return race(runs, broken, disproof)
    finally:
        for started in runs:
            started.close()


def race(runs: Sequence[Run], broken: Broken, disproof: Disproof = lambda found: "") -> Outcome:
    """Start every run; keep the first proof (else the best answer); stop the others.

    An answer that `broken` faults, or an INFEASIBLE that `disproof` refutes (with the
    portfolios the other runs returned so far, or a witness of its own), is refused and
    proves nothing: the race goes on. The calls run in threads so that Ctrl-C reaches
    this (main) thread at once.
    """
    done: queue.Queue[tuple[int, Outcome | BaseException]] = queue.Queue()

    def work(k: int, run: Run) -> None:
        try:
            done.put((k, run()))
        except (DefplanError, KeyboardInterrupt) as exc:  # handed to the main thread
            done.put((k, exc))
        except BaseException as exc:  # a bug or a solver library's own error
            failure = SolverFailure(f"{run.label} failed: {type(exc).__name__}: {exc}")
            failure.__cause__ = exc  # for a library caller's traceback
            done.put((k, failure))

    threads = [
        threading.Thread(target=work, args=(k, run), name=f"defplan-{run.name}", daemon=True)
        for k, run in enumerate(runs)
    ]
    for thread in threads:
        thread.start()
    results: dict[int, Outcome | BaseException] = {}
    try:
        while len(results) < len(runs):
            if _interrupted:
                raise KeyboardInterrupt
            try:
                k, outcome = done.get(timeout=0.05)
            except queue.Empty:
                continue
            if isinstance(outcome, Outcome):
                outcome = _checked(outcome, runs[k].label, broken, disproof, results)
            results[k] = outcome
            if isinstance(outcome, Outcome) and outcome.proven:
                break
    except BaseException:  # Ctrl-C: stop the solvers and leave without waiting
        for run in runs:
            run.cancel()
        raise
    for run in runs:
        run.cancel()
    for run, thread in zip(runs, threads, strict=True):
        if run.wait_when_cancelled:  # a killed CBC returns at once
            thread.join()
    return pick(results)


def _checked(
    outcome: Outcome,
    label: str,
    broken: Broken,
    disproof: Disproof,
    results: dict[int, Outcome | BaseException],
) -> Outcome:
    """outcome, or an UNKNOWN that says why it was refused (see race)."""
    if outcome.x is not None:
        why = broken(outcome.x)
        if why:
            said = f"{label}'s answer breaks {why} by a rounding error"
            return Outcome(Status.UNKNOWN, None, None, rejected=said, refused=outcome.x)
    if outcome.status is Status.INFEASIBLE:
        found = [r.x for r in results.values() if isinstance(r, Outcome) and r.x is not None]
        witness = disproof(found)
        if witness:
            said = f"{label} found no portfolio, though {witness} meets every constraint"
            return Outcome(Status.UNKNOWN, None, None, rejected=said)
    return outcome


def pick(results: dict[int, Outcome | BaseException]) -> Outcome:
    """Of the runs' results (by run, in race order): a proof if there is one; else the
    best portfolio in hand (a time limit); else an answer refused for a rounding error
    (the engine rules it out and solves again)."""
    outcomes = [r for _, r in sorted(results.items()) if isinstance(r, Outcome)]
    for outcome in outcomes:
        if outcome.proven:
            return outcome
    found = [o for o in outcomes if o.x is not None and o.objective is not None]
    if found:
        best = min(found, key=lambda o: o.objective or 0.0)  # the first of equals: HiGHS
        return _with_gap(best, [o.bound for o in outcomes if o.bound is not None])
    refused = [o for o in outcomes if o.refused is not None]
    if refused or outcomes:
        return (refused or outcomes)[0]  # a refused selection can be ruled out and solved again
    failure = next(iter(results.values()))
    assert isinstance(failure, BaseException)
    if isinstance(failure, DefplanError | KeyboardInterrupt):
        raise failure
    raise SolverFailure(f"the solver failed: {failure}") from failure


def _with_gap(outcome: Outcome, bounds: list[float]) -> Outcome:
    """outcome with its gap measured against the best of the bounds any solver proved.

    In a race the portfolio kept may be CBC's while HiGHS proved the tighter bound: any
    solver's bound holds for every answer, so the kept one is measured against the best.
    """
    if not bounds or outcome.objective is None:
        return outcome
    gap = relative_gap(outcome.objective, max(bounds))
    if gap is None or (outcome.gap is not None and outcome.gap <= gap):
        return outcome
    return replace(outcome, gap=gap, bound=max(bounds))


@contextlib.contextmanager
def stdout_silenced() -> Iterator[None]:
    """Send file descriptor 1 to /dev/null: HiGHS prints from C, past sys.stdout."""
    fd = 1  # whatever sys.stdout is (a test runner may swap it), C writes to this
    with contextlib.suppress(AttributeError, OSError, ValueError):
        sys.stdout.flush()
    try:
        saved = os.dup(fd)
    except OSError:  # no file descriptor 1 at all
        yield
        return
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
