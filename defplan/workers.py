"""The process pool of `sweep` and `robust --workers N`, stopped cleanly on any stop signal.

Ctrl-C (SIGINT), Ctrl-\\ (SIGQUIT) and a closed terminal (SIGHUP) reach the whole
foreground process group, workers included. Workers ignore them: stopping is the
parent's job. When the parent is stopped (by one of these or by SIGTERM, which the CLI
all turns into the same KeyboardInterrupt), it sends each worker SIGTERM and waits for
it to end. An idle worker ends at once; a busy one stops its solve at the solver race's
next check (backends.interrupt: a handler that raised could land in the middle of a
clean-up), so CBC is killed and its `defplan-cbc-*` folder removed, and then ends
before the pool can hand it more work. The parent then re-raises.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing.process import BaseProcess
from types import FrameType, TracebackType
from typing import Any, ParamSpec, TypeVar

from defplan.backends import interrupt
from defplan.errors import ExitCode
from defplan.signals import STOPS

STOP_SECONDS = 10.0
"""How long stopped workers get for their clean-up before they are killed."""

P = ParamSpec("P")
R = TypeVar("R")


def cores() -> int:
    """How many processors this process may run on (its CPU affinity, where known)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class WorkerPool(ProcessPoolExecutor):
    """A ProcessPoolExecutor whose workers leave Ctrl-C to the parent, and which stops
    them through their clean-up when its `with` block ends with an exception."""

    def __init__(self, max_workers: int) -> None:
        super().__init__(max_workers=max_workers, initializer=_in_worker)

    def submit(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> Future[R]:
        return super().submit(_guarded, fn, *args, **kwargs)  # map() comes here too

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        if exc is None:
            return super().__exit__(kind, exc, tb)
        # Ctrl-C, SIGTERM or an error: no waiting for the work. _processes: what Python
        # 3.14's public terminate_workers() stops; shutdown() forgets them.
        processes = list((self._processes or {}).values())
        # first, so that the pool's thread drops the work not started (map() cancelled
        # it) before it sees workers end: Python 3.11 fails on a cancelled future then
        self.shutdown(wait=False, cancel_futures=True)
        _stop(processes)
        return None


def _stop(processes: list[BaseProcess]) -> None:
    """SIGTERM to each worker; wait for their clean-up, then kill any still there."""
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join()


def _in_worker() -> None:
    """Pool initializer, in each worker."""
    for signum in STOPS:
        signal.signal(signum, _stopped if signum == signal.SIGTERM else signal.SIG_IGN)


_busy = False  # in _guarded: working on an item


def _stopped(signum: int, frame: FrameType | None) -> None:
    """SIGTERM in a worker: an idle one ends at once (multiprocessing prints nothing for
    SystemExit); a busy one stops its solve at the next check, through its clean-up."""
    if not _busy:
        raise SystemExit(128 + signum)
    interrupt()


def _guarded(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """fn(*args, **kwargs) in a worker, which ends once a stopped fn has cleaned up
    (os._exit: a HiGHS thread still in C++ would abort a normal exit)."""
    global _busy
    _busy = True
    try:
        return fn(*args, **kwargs)
    except KeyboardInterrupt:  # from interrupt(): the other stop signals are ignored here
        os._exit(ExitCode.TERMINATED)
    finally:
        _busy = False
