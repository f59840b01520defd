"""defplan's JSON text: indented by two spaces, UTF-8 as is, whole numbers without .0.

`json_text(doc)` writes what `json.dumps(doc, indent=2, ensure_ascii=False) + "\\n"`
writes, but with integral floats below 2**53 outside tuples as integers (900, not
900.0), and faster: the standard library indents in pure Python, one generator per
container (the measurement is in bench/results.md, under "render").
"""

from __future__ import annotations

import math
from json.encoder import encode_basestring as _string  # the C one where available
from typing import Any

_WHOLE = 2.0**53
"""Integral floats below this print as integers (900, not 900.0); beyond it a float may
stand for a range of integers, so it keeps its float form."""


def json_text(document: Any) -> str:
    """The JSON text of document (dicts, lists, tuples, str, int, float, bool, None)."""
    out: list[str] = []
    _write(document, "\n", out, True)
    out.append("\n")
    return "".join(out)


def _write(value: Any, newline: str, out: list[str], whole: bool) -> None:
    """Append value's text; `newline` ends a line at value's depth. `whole`: write
    integral floats as integers (not inside tuples, where they always kept their .0).
    """
    if isinstance(value, float):  # the leaves first: most of a result
        out.append(_float(value, whole))
    elif isinstance(value, str):
        out.append(_string(value))
    elif value is None or value is True or value is False:
        out.append("null" if value is None else "true" if value else "false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, dict | list | tuple):
        _write_container(value, newline, out, whole)
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _write_container(value: Any, newline: str, out: list[str], whole: bool) -> None:
    is_dict = isinstance(value, dict)
    if not value:
        out.append("{}" if is_dict else "[]")
        return
    inner = newline + "  "
    separator = ("{" if is_dict else "[") + inner
    following = "," + inner
    if is_dict:
        for key, item in value.items():
            name = _string(key if type(key) is str else _key(key))
            leaf = _leaf(item, whole)  # most items: one string for the whole line
            if leaf is None:
                out.append(f"{separator}{name}: ")
                _write(item, inner, out, whole)
            else:
                out.append(f"{separator}{name}: {leaf}")
            separator = following
    else:
        whole = whole and isinstance(value, list)
        for item in value:
            leaf = _leaf(item, whole)
            if leaf is None:
                out.append(separator)
                _write(item, inner, out, whole)
            else:
                out.append(separator + leaf)
            separator = following
    out.append(newline + ("}" if is_dict else "]"))


def _leaf(value: Any, whole: bool) -> str | None:
    """The text of a float, str or int of exactly that type; None for anything else
    (subclasses, containers, None and the booleans go through _write)."""
    kind = type(value)
    if kind is float:
        return _float(value, whole)
    if kind is str:
        return _string(value)
    if kind is int:
        return int.__repr__(value)
    return None


def _float(value: float, whole: bool) -> str:
    if whole and value.is_integer() and abs(value) < _WHOLE:
        return int.__repr__(int(value))
    if math.isfinite(value):
        return float.__repr__(value)
    if value != value:
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def _key(key: Any) -> str:
    """A dict key as JSON writes it: always a string."""
    if isinstance(key, str):
        return key
    if key is None:
        return "null"
    if key is True:
        return "true"
    if key is False:
        return "false"
    if isinstance(key, int):
        return int.__repr__(key)
    if isinstance(key, float):
        return _float(key, False)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
