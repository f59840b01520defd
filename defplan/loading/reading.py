"""Read a file, or standard input, as bytes within a size cap, and decode them as UTF-8.

The cap is checked here alone, so that a test can lower it in one place.
"""

from __future__ import annotations

import os
import sys

from defplan.errors import LoadError, Problem
from defplan.loading.locate import line_column

MAX_BYTES = 16 * 1024 * 1024
"""Largest portfolio file read; far above any real portfolio (5,000 candidates is ~2 MB)."""

STDIN = "-"


def read_source(source: str | os.PathLike[str]) -> tuple[bytes, str]:
    """The bytes of a file (or stdin for '-') and the name to show in messages."""
    if str(source) == STDIN:
        filename = "<stdin>"
        if sys.stdin is None:  # `<&-`: the interpreter found descriptor 0 closed
            raise LoadError([Problem(filename, "standard input is closed; give a FILE")])
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        filename = str(source)
        try:
            with open(source, "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except FileNotFoundError:
            raise LoadError([Problem(filename, "no such file")]) from None
        except IsADirectoryError:
            raise LoadError([Problem(filename, "is a directory, not a file")]) from None
        except OSError as exc:
            raise LoadError([Problem(filename, f"cannot read: {exc.strerror}")]) from None
    if len(data) > MAX_BYTES:
        raise LoadError([Problem(filename, _too_large())])
    return data, filename


def decoded(text: str | bytes, *, filename: str) -> str:
    """text as a str: bytes decoded as UTF-8 (a BOM allowed), within MAX_BYTES either way."""
    if isinstance(text, bytes):
        text = _decode(text, filename)
    if len(text) * 4 > MAX_BYTES and len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise LoadError([Problem(filename, _too_large())])
    return text


def _decode(data: bytes, filename: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8-sig", errors="replace")
        line, column = line_column(before, len(before))
        raise LoadError([Problem(filename, "not UTF-8 text", line, column)]) from None


def _too_large() -> str:
    return f"file too large to be a portfolio (the limit is {MAX_BYTES:,} bytes)"


__all__ = ["MAX_BYTES", "STDIN", "decoded", "read_source"]
