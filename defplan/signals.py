"""The signals that stop a run, and holding them off while a module that would swallow
them is imported.

Its start is light on purpose (no typing, no contextlib): the console script
(defplan.boundary) reads STOPS here to take these signals as early as it can.
"""

from __future__ import annotations

import signal
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType, ModuleType, TracebackType
    from typing import Any

    Handler = Callable[[int, FrameType | None], Any]

STOPS: dict[int, str] = {
    getattr(signal, name): word
    for name, word in (
        ("SIGINT", "interrupted"),  # Ctrl-C
        ("SIGTERM", "terminated"),  # kill PID, timeout, a scheduler
        ("SIGHUP", "hung up"),  # the terminal closed
        ("SIGQUIT", "quit"),  # Ctrl-\
    )
    if hasattr(signal, name)
}
"""Each signal that stops a run, and the word `defplan: WORD` says for it."""


class held:
    """Hold off the stop signals' Python handlers inside a `with` block; on leaving it,
    hand the first signal that came to its handler (which raises KeyboardInterrupt).

    For imports that catch every exception with a bare `except:`: PuLP imports highspy
    (and other solvers) so, and a KeyboardInterrupt raised inside was swallowed: the
    signal was lost and HiGHS counted as missing. Handlers only run in the main thread,
    so elsewhere there is nothing to hold.
    """

    def __init__(self) -> None:
        self.handlers: dict[int, Handler] = {}
        self.caught: list[tuple[int, FrameType | None]] = []

    def __enter__(self) -> None:
        import threading

        if threading.current_thread() is not threading.main_thread():
            return
        for signum in STOPS:
            handler = signal.getsignal(signum)
            if callable(handler):  # not SIG_DFL or SIG_IGN, which raise nothing
                self.handlers[signum] = handler
                signal.signal(signum, self._record)

    def _record(self, signum: int, frame: FrameType | None) -> None:
        self.caught.append((signum, frame))

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._restore()
        if self.caught:
            signum, frame = self.caught[0]
            self.handlers[signum](signum, frame)

    def _restore(self) -> None:
        """Put the handlers back, all of them even if one raises as soon as it is back."""
        raised: BaseException | None = None
        while True:
            try:
                for signum, handler in self.handlers.items():
                    signal.signal(signum, handler)
                break
            except BaseException as exc:  # a restored handler's KeyboardInterrupt
                raised = raised or exc
        if raised is not None:
            raise raised


LEAST_ADDRESS_SPACE = 256 * 2**20
"""Bytes of address space below which defplan refuses to load the solver stack. Under a
smaller `ulimit -v` some allocation inside the C libraries fails, and there OpenBLAS, the
dynamic linker or HiGHS may end the process without a word: with one malloc arena (see
`_one_malloc_arena`) every command ran on the shipped portfolios from about 176 MiB and
crashed now and then at 160 MiB; the margin is for bigger portfolios and other machines."""


def import_pulp() -> ModuleType:
    """PuLP, imported with the stop signals held (see `held`); SolverError when the
    process's address-space limit is too small for it to load."""
    if "pulp" not in sys.modules:
        _check_address_space()
    with held():
        import pulp
    return pulp


def _check_address_space() -> None:
    try:
        import resource
    except ImportError:  # not a POSIX system: no such limit
        return

    from defplan.errors import SolverError

    limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    if limit == resource.RLIM_INFINITY:
        return
    if limit < LEAST_ADDRESS_SPACE:
        raise SolverError(
            f"the address-space limit ({limit // 2**20} MiB, `ulimit -v`) is too small to "
            f"load the solvers; allow at least {LEAST_ADDRESS_SPACE // 2**20} MiB"
        )
    _one_malloc_arena()


def _one_malloc_arena() -> None:
    """Under an address-space limit, let glibc's malloc keep one arena: each thread of
    the race would otherwise reserve an arena of its own (64 MiB of address space), and
    a malloc that fails inside the C libraries can end the process without a word."""
    import ctypes

    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(_M_ARENA_MAX, 1)
    except (AttributeError, OSError):  # not glibc: its own malloc, its own rules
        pass


_M_ARENA_MAX = -8
"""glibc's `mallopt` parameter for the most arenas malloc may create."""
