"""defplan's one number grammar: YAML 1.2's core schema, for portfolio files and
command-line options alike.

Python's int() and float() take more than a portfolio file may hold: `1_000`,
Arabic-Indic and other Unicode digits, spaces around the number, `infinity`. A number
the file format refuses is refused on the command line too, and the other way round.
"""

from __future__ import annotations

import math
import re

_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)")


def read_number(text: str) -> int | float | None:
    """text read as a number of the YAML 1.2 core schema (an integer, 0o octal, 0x hex,
    a decimal or exponent float, .inf, .nan), or None when it is not one."""
    if _INT.fullmatch(text):
        return int(text) if len(text) <= 20 else float(text)
    if _OCT.fullmatch(text):
        return int(text[2:], 8)
    if _HEX.fullmatch(text):
        return int(text[2:], 16)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _INF.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.fullmatch(text):
        return math.nan
    return None


def read_float(text: str) -> float | None:
    """read_number as a float (an integer too big for one is infinite), or None."""
    number = read_number(text)
    if number is None:
        return None
    try:
        return float(number)
    except OverflowError:  # a hex integer of more than 308 digits
        return math.inf
