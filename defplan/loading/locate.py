"""Where a problem is in the text: the line and column of an offset, and for a JSON
document the path and the offset of a location.

A JSON location is a tuple of keys and indexes, as pydantic gives it; KEY as its last
part makes it about the key of an object rather than its value.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable
from json.decoder import scanstring
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from defplan.model import Loc

KEY = "[key]"
"""Last element of a location that is about a key of an object (pydantic's own mark)."""


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a character offset."""
    start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - start + 1


def json_path(loc: Loc) -> str:
    """A location as a JSON path: $.selected[2].cost, $.budget.per_year["2026"]."""
    parts = ["$"]
    for part in loc:
        if part == KEY:
            continue
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            parts.append(f".{part}")
        else:
            parts.append(f"[{json.dumps(part, ensure_ascii=False)}]")
    return "".join(parts)


_SPACE = re.compile(r"[ \t\n\r]*")
_SKIP = json.JSONDecoder()


def json_offsets(text: str, locs: Iterable[Loc]) -> dict[Loc, int]:
    """Where in the JSON text each location starts (a key location: its key). Only the
    paths to the locations are walked; everything beside them is skipped by the C parser."""
    wanted = {loc[:k] for loc in locs for k in range(len(loc) + 1)}
    found: dict[Loc, int] = {}
    with contextlib.suppress(RecursionError, IndexError, ValueError):
        _walk(text, 0, (), wanted, found)  # positions help; the paths alone still say where
    return found


def _walk(text: str, at: int, loc: Loc, wanted: set[Loc], found: dict[Loc, int]) -> int:
    """Record where the value at `at` (with location loc) starts; return where it ends."""
    at = _SPACE.match(text, at).end()
    found[loc] = at
    if loc not in wanted or text[at] not in "{[":
        return _SKIP.raw_decode(text, at)[1]
    closing = "}" if text[at] == "{" else "]"
    at = _SPACE.match(text, at + 1).end()
    index = 0
    while text[at] != closing:
        if closing == "}":
            key, after = scanstring(text, at + 1)
            found[(*loc, key, KEY)] = at
            at = _walk(text, _SPACE.match(text, after).end() + 1, (*loc, key), wanted, found)
        else:
            at = _walk(text, at, (*loc, index), wanted, found)
            index += 1
        at = _SPACE.match(text, at).end()
        if text[at] == ",":
            at = _SPACE.match(text, at + 1).end()
    return at + 1


__all__ = ["KEY", "json_offsets", "json_path", "line_column"]
