"""Writing result files: atomically, so a reader never sees half a file."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from defplan.errors import UsageError


def check_writable(path: Path, flag: str = "--output") -> None:
    """UsageError (naming flag) unless path's folder exists and a file could be written."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        is_dir, folder_exists = path.is_dir(), folder.is_dir()
    except OSError as exc:  # e.g. a name too long
        raise UsageError(f"{flag} {path}: cannot write: {exc.strerror}") from None
    if is_dir:
        raise UsageError(f"{flag} {path}: is a directory")
    if not folder_exists:
        raise UsageError(f"{flag} {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"{flag} {path}: folder {folder} is not writable")


def write_atomic(path: Path, text: str) -> None:
    """Write text to path via a temporary file in the same folder and os.replace."""
    write_atomic_bytes(path, text.encode("utf-8"))


def write_atomic_bytes(path: Path, data: bytes, flag: str = "--output") -> None:
    """Write data to path via a temporary file in the same folder and os.replace."""
    check_writable(path, flag)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:  # e.g. a folder that takes no new files (/proc)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:200]}.", suffix=".tmp", dir=folder)
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
