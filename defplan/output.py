"""Writing `--output` and `--plot` targets: a file atomically, so that a reader never
sees half of one; a device or a pipe (/dev/null, a FIFO, `>(jq ...)`) as the stream it is.

Replacing a device or a pipe with a file would be wrong twice over: the reader waiting
on the pipe never gets the data, and as root `--output /dev/null` would have replaced
the system's /dev/null.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from defplan.errors import UsageError

STDIN = "-"


def check_target(path: Path, flag: str = "--output", *, source: str | None = None) -> None:
    """UsageError (naming flag) unless path can take the output: a file, new or to be
    replaced, in a folder that takes files; or a character device or pipe open to
    writing. Never `source`, the portfolio file this run reads ('-': standard input)."""
    found = _stat(path, flag)
    if found is not None:
        if stat.S_ISDIR(found.st_mode):
            raise UsageError(f"{flag} {path}: is a directory")
        if _is_stream(found):
            if not os.access(path, os.W_OK):
                raise UsageError(f"{flag} {path}: not writable")
            return
        if not stat.S_ISREG(found.st_mode):
            raise UsageError(f"{flag} {path}: is {_kind(found)}, not a file or a stream")
        if source is not None and _same(found, _source_stat(source)):
            shown = "standard input" if source == STDIN else f"the portfolio file {source}"
            raise UsageError(f"{flag} {path}: is {shown}; write the result to another file")
    folder = _folder(path)
    if not folder.is_dir():
        raise UsageError(f"{flag} {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"{flag} {path}: folder {folder} is not writable")


def is_standard_output(path: Path) -> bool:
    """True when path is where this process's standard output goes (/dev/stdout, or the
    file stdout is redirected to): a JSON answer printed there need not be written twice."""
    found = _stat(path, "--output")
    return found is not None and sys.stdout is not None and _same(found, _fstat(sys.stdout))


def write_output(path: Path, text: str) -> None:
    """Write text (UTF-8) to the `--output` target path (see write_output_bytes)."""
    write_output_bytes(path, text.encode("utf-8"))


def write_output_bytes(path: Path, data: bytes, flag: str = "--output") -> None:
    """Write data to path: into this process's standard output or error when path is
    one of them (/dev/stdout, or the file it is redirected to); as a stream into a
    character device or a pipe; else atomically, via a temporary file in the same
    folder and os.replace."""
    found = _stat(path, flag)
    for stream in (sys.stdout, sys.stderr):
        if found is not None and stream is not None and _same(found, _fstat(stream)):
            _write_to_stream(stream, data)
            return
    if found is not None and _is_stream(found):
        _write_stream(path, data, flag)
    else:
        _write_atomic(path, data, flag)


def _write_atomic(path: Path, data: bytes, flag: str) -> None:
    check_target(path, flag)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:  # e.g. a folder that takes no new files (/proc)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:200]}.", suffix=".tmp", dir=_folder(path))
    except OSError as exc:
        raise UsageError(f"{flag} {path}: cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise UsageError(f"{flag} {path}: cannot write: {exc.strerror}") from None
        raise


def _write_stream(path: Path, data: bytes, flag: str) -> None:
    """data written to a device or pipe; a pipe's open waits for its reader, as a shell's
    `>` does (Ctrl-C still stops it)."""
    try:
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise UsageError(f"{flag} {path}: cannot write: {exc.strerror}") from None
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):  # a file now, made since the check
            _write_atomic(path, data, flag)
            return
        with os.fdopen(fd, "wb", closefd=False) as handle:
            handle.write(data)
    except OSError as exc:
        raise UsageError(f"{flag} {path}: cannot write: {exc.strerror}") from None
    finally:
        os.close(fd)


def _write_to_stream(stream: TextIO, data: bytes) -> None:
    """data into a standard stream, after what it holds already."""
    stream.flush()
    stream.buffer.write(data)
    stream.buffer.flush()


def _stat(path: Path, flag: str) -> os.stat_result | None:
    """What path names (links followed), None for nothing; UsageError when it cannot
    be told (a loop of links, a name too long, a folder that may not be searched)."""
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise UsageError(f"{flag} {path}: cannot write: {exc.strerror}") from None


def _source_stat(source: str) -> os.stat_result | None:
    try:
        return os.fstat(0) if source == STDIN else os.stat(source)
    except OSError:  # the loader reports it
        return None


def _fstat(stream: TextIO) -> os.stat_result | None:
    try:
        return os.fstat(stream.fileno())
    except (AttributeError, OSError, ValueError):  # closed, or not a file (a test runner)
        return None


def _same(a: os.stat_result, b: os.stat_result | None) -> bool:
    return b is not None and (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _is_stream(found: os.stat_result) -> bool:
    return stat.S_ISCHR(found.st_mode) or stat.S_ISFIFO(found.st_mode)


def _kind(found: os.stat_result) -> str:
    if stat.S_ISBLK(found.st_mode):
        return "a block device (a disk)"
    if stat.S_ISSOCK(found.st_mode):
        return "a socket"
    return "a special file"


def _folder(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")
