"""The process boundary of the `defplan` command: signals, the standard streams, and
the exit codes of everything that is not the command's own answer (docs/commands.md).

`main` is the console script. Its first act is to take the signals that stop a run, so
that from then on each one ends the run the same way: the clean-up of whatever is
under way (CBC, worker processes, a temporary file), one line on stderr, exit 128 + the
signal's number. Before that, during the interpreter's own start-up, a signal has its
default effect; nothing has been started then. So this module starts light (modules the
interpreter has loaded already, and defplan.signals); the rest is imported later.
"""

from __future__ import annotations

import codecs
import errno
import gc
import io
import os
import signal
import sys

from defplan.signals import STOPS

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from types import FrameType
    from typing import NoReturn

_JSON_ESCAPE = "defplan-json-escape"
"""An error handler that writes a character an encoding lacks as JSON's \\uXXXX."""

_state: dict[str, object] = {
    "pid": None,
    "signal": None,
    "finishing": False,
    "collector_paused": False,
}


def main() -> NoReturn:
    """Console-script entry point."""
    take_signals()
    # defplan does no linear algebra in numpy: OpenBLAS's threads would only cost memory,
    # and where none can start (`ulimit -v`) OpenBLAS complains on stderr
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # start-up (the imports, the command line) makes objects that live to the end: the
    # cycle collector, which scanned them again and again, waits for `settled`
    gc.disable()
    _state["collector_paused"] = True
    try:
        _prepare_streams()
        from defplan.cli import run

        run()
        code = 0
    except SystemExit as done:
        code = _exit_code(done)
    except KeyboardInterrupt:
        stopped()
    except BrokenPipeError:
        quiet_broken_pipe()
    except BaseException as exc:
        reported_code = reported(exc, debug=_debugging())
        if reported_code is None:
            raise
        code = reported_code
    _leave(code)


def settled() -> None:
    """The objects alive now (the modules, a loaded portfolio) live to the end of the run:
    keep them out of the cycle collector's scans, and let it run from now on (a solve
    makes garbage cycles). A command calls this once its input is loaded; only in the
    process `main` runs (a program that calls the commands keeps its collector as it is)."""
    if _state["collector_paused"]:
        _state["collector_paused"] = False
        gc.freeze()
        gc.enable()


def take_signals() -> None:
    """Handle every stop signal in this (the main) process from now on, except those the
    caller set to be ignored (`nohup` ignores SIGHUP, a shell's background job SIGINT):
    the caller wants the run to go on through them."""
    _state["pid"] = os.getpid()
    for signum in STOPS:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _on_stop)


def _on_stop(signum: int, frame: FrameType | None) -> None:
    """The first stop signal raises KeyboardInterrupt, which the clean-up code handles;
    later ones let that clean-up finish. The signal is remembered, so that the exit code
    and message follow it even where a library swallowed the KeyboardInterrupt.

    A sweep or robust worker replaces this as it starts (defplan.workers); until then it
    inherits it and ends at once, having nothing to clean up."""
    if os.getpid() != _state["pid"]:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    if _state["finishing"]:  # the answer is out; only the interpreter's exit is left
        stopped(signum)
    if _state["signal"] is not None:
        return
    _state["signal"] = signum
    # a solve that swallowed the KeyboardInterrupt stops too (a module still being
    # imported may not have the function yet)
    interrupt = getattr(sys.modules.get("defplan.backends"), "interrupt", None)
    if interrupt is not None:
        interrupt()
    raise KeyboardInterrupt


def stopped(signum: int | None = None) -> NoReturn:
    """Say why the run stopped and leave at once with 128 + the signal's number (os._exit:
    a solver thread may still be busy in C code, which would abort a normal exit)."""
    if signum is None:
        received = _state["signal"]
        signum = received if isinstance(received, int) else signal.SIGINT
    say(f"defplan: {STOPS.get(signum, 'stopped')}")
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except Exception:  # what it could not print is lost either way
        pass
    os._exit(128 + signum)


def quiet_broken_pipe() -> NoReturn:
    """A reader closed the pipe (`| head`): stop quietly, with no error at interpreter exit."""
    import contextlib

    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(0)


def reported(exc: BaseException, *, debug: bool) -> int | None:
    """Say on stderr what exc means to a user and return the exit code; None for an
    internal error under --debug, whose traceback the caller lets through."""
    from defplan.errors import DefplanError, ExitCode, LoadError

    if isinstance(exc, LoadError):
        for problem in exc.problems:
            say(str(problem))
        return exc.exit_code
    if isinstance(exc, DefplanError):
        say(f"defplan: error: {exc}")
        return exc.exit_code
    problem = environment_problem(exc)
    if problem is not None:
        say(f"defplan: error: {problem}")
        return ExitCode.USAGE
    if isinstance(exc, Exception) and not debug:
        say(
            f"defplan: internal error: {type(exc).__name__}: {exc} "
            "(a bug; run with --debug for the traceback)"
        )
        return ExitCode.INTERNAL
    return None


def environment_problem(exc: BaseException) -> str | None:
    """What exc says about the machine rather than about defplan (no memory, a limit
    on threads), or None."""
    if isinstance(exc, MemoryError):
        return "out of memory (is a memory limit such as `ulimit -v` set too low?)"
    if isinstance(exc, RuntimeError) and "can't start new thread" in str(exc):
        return (
            "cannot start a thread: out of memory or over a process limit "
            "(is `ulimit -v` or `ulimit -u` set too low?)"
        )
    if isinstance(exc, OSError) and exc.errno == errno.ENOMEM:
        return f"out of memory: {exc.strerror} (is `ulimit -v` set too low?)"
    return None


def say(text: str) -> None:
    """A line on stderr; nothing when stderr cannot take it (closed, full, hung up)."""
    stream = sys.stderr
    if stream is None:
        return
    try:
        stream.write(text + "\n")
        stream.flush()
    except (OSError, ValueError):
        pass


def _prepare_streams() -> None:
    """Make the standard streams safe to use; StreamError when standard output is closed."""
    from defplan.errors import StreamError

    closed = _fill_closed_descriptors()
    if 2 in closed:  # messages go nowhere, but code that writes them must not fail
        sys.stderr = open(2, "w", closefd=False, errors="backslashreplace")  # noqa: SIM115
    if 1 in closed or sys.stdout is None:
        raise StreamError("standard output is closed: there is nowhere to print the answer")
    codecs.register_error(_JSON_ESCAPE, _json_escape)
    sys.stdout = _guarded(sys.stdout)
    if not codecs.lookup(sys.stdout.encoding).name.startswith("utf"):
        sys.stdout = _Deferred(sys.stdout)


def _fill_closed_descriptors() -> list[int]:
    """Open /dev/null on each closed standard descriptor (0, 1, 2) and list them: else the
    next file opened takes the number, and what is written to the stream (or HiGHS's
    banner, which goes to descriptor 1) lands in that file."""
    closed = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            closed.append(fd)
            null = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    return closed


def _guarded(stream: io.TextIOWrapper) -> io.TextIOWrapper:
    """stream rebuilt over a _StreamFile."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # not a file: leave it as it is
        return stream
    stream.flush()
    return io.TextIOWrapper(
        io.BufferedWriter(_StreamFile(fd, "standard output")),
        encoding=stream.encoding,
        errors="strict",
        line_buffering=stream.line_buffering,
    )


class _StreamFile(io.FileIO):
    """A standard stream's descriptor whose failed writes are StreamError (exit 2, one
    line), not an internal error. After a failure it takes writes and drops them, so
    that the interpreter's last flush finds nothing to complain about."""

    def __init__(self, fd: int, label: str) -> None:
        super().__init__(fd, "w", closefd=False)
        self.label = label
        self.failed = False

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if self.failed:
            return memoryview(data).nbytes
        try:
            return super().write(data)
        except OSError as exc:
            self.failed = True
            if isinstance(exc, BrokenPipeError):
                raise  # a reader that stopped (`| head`): a quiet end, not an error
            from defplan.errors import StreamError

            raise StreamError(f"cannot write to {self.label}: {exc.strerror}") from None


class _Deferred(io.StringIO):
    """Standard output in an encoding that may lack characters of the answer (say
    PYTHONIOENCODING=ascii): the answer is kept whole and written at the end, so that
    it is written entirely or not at all (release)."""

    def __init__(self, stream: io.TextIOWrapper) -> None:
        super().__init__()
        self.stream = stream
        self.buffer = stream.buffer  # for output that is bytes of its own (CSV with --bom)

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.stream.encoding  # Rich draws its tables in what this can show

    def fileno(self) -> int:
        return self.stream.fileno()

    def release(self) -> None:
        """Write the answer: as it is when the encoding has every character; JSON with
        \\u escapes for the others (the same data); anything else not at all (StreamError:
        '?' in place of a letter would change names and ids)."""
        from defplan.errors import StreamError

        text = self.getvalue()
        self.seek(0)
        self.truncate()
        encoding = self.stream.encoding
        try:
            text.encode(encoding)
        except UnicodeEncodeError as exc:
            if not _is_json(text):
                lacking = exc.object[exc.start]
                raise StreamError(  # the character itself might not print on stderr
                    f"standard output's encoding ({encoding}) cannot show the character "
                    f"U+{ord(lacking):04X} of the answer; set PYTHONIOENCODING=utf-8, or "
                    "use --format json"
                ) from None
            text = text.encode(encoding, _JSON_ESCAPE).decode(encoding)
        self.stream.write(text)
        self.stream.flush()


def _is_json(text: str) -> bool:
    """True when text is a JSON document (defplan's JSON answers are objects)."""
    import json

    if not text.lstrip().startswith("{"):
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _json_escape(error: UnicodeError) -> tuple[str, int]:
    """JSON's \\uXXXX (a surrogate pair beyond U+FFFF) for a character an encoding lacks;
    in JSON text such characters stand only inside strings, where the escape is valid."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    escaped = []
    for char in error.object[error.start : error.end]:
        code = ord(char)
        if code > 0xFFFF:
            code -= 0x10000
            escaped.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            escaped.append(f"\\u{code:04x}")
    return "".join(escaped), error.end


def _exit_code(done: SystemExit) -> int:
    if done.code is None:
        return 0
    if isinstance(done.code, int):
        return done.code
    say(str(done.code))
    return 1


def _debugging() -> bool:
    cli = sys.modules.get("defplan.cli")
    return cli is not None and cli.debugging()


def _leave(code: int) -> NoReturn:
    """Exit with code once standard output is flushed (its failure is exit 2); a signal
    that came meanwhile decides the exit instead."""
    from defplan.errors import StreamError

    if _state["signal"] is not None:
        stopped()
    try:
        if isinstance(sys.stdout, _Deferred):
            sys.stdout.release()
        if sys.stdout is not None:
            sys.stdout.flush()
    except StreamError as exc:
        code = reported(exc, debug=False) or exc.exit_code
    except BrokenPipeError:
        quiet_broken_pipe()
    _state["finishing"] = True
    if _state["signal"] is not None:
        stopped()
    # the interpreter's exit would otherwise scan every object left for cycles and free
    # them one by one (a fifth of a second after a big run); the streams are flushed above
    # and the atexit handlers still run, so nothing the run wrote is lost
    gc.freeze()
    sys.exit(code)
