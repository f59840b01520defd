"""Errors defplan raises, and the exit codes the CLI turns them into (docs/commands.md)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes, as docs/commands.md lists them."""

    OK = 0
    INTERNAL = 1
    USAGE = 2
    INFEASIBLE = 3
    NO_SOLUTION = 4
    # stopped by a signal: 128 + its number, as a shell reports a process the signal ended
    HUNG_UP = 129  # SIGHUP
    INTERRUPTED = 130  # SIGINT (Ctrl-C)
    QUIT = 131  # SIGQUIT (Ctrl-\)
    TERMINATED = 143  # SIGTERM


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, at a 1-based line and column when known."""

    file: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}:{self.column}"
        return f"{where}: error: {self.message}"


class DefplanError(Exception):
    """Base of every error defplan reports to a user (never a bug)."""

    exit_code: ExitCode = ExitCode.USAGE


class UsageError(DefplanError):
    """Bad arguments or options, or a run that cannot be set up."""


class LoadError(DefplanError):
    """A portfolio or result file that cannot be read, parsed or validated."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class StreamError(DefplanError):
    """A standard stream defplan needs is closed, or a write to it failed (a full disk)."""


class SolverError(DefplanError):
    """The chosen solver is unavailable or failed to run."""


class SolverFailure(DefplanError):
    """A solver crashed or answered nonsense: not the user's doing (exit 1)."""

    exit_code = ExitCode.INTERNAL
