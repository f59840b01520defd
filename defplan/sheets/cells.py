"""One cell's value read as what its column holds, or a BadCell saying why not.

A workbook's cells come as numbers, booleans, text or dates (openpyxl's types); a CSV
file's as text. Text that is a number is read by a portfolio file's number grammar
(defplan.numbers), so `1,000` and `about 300` are refused as they are in YAML.
"""

from __future__ import annotations

import datetime
from typing import Any

from defplan.loading.yaml12 import abbreviated
from defplan.numbers import read_number


class BadCell(ValueError):
    """A cell that cannot be read as its column's kind; the message says why."""


def is_empty(value: Any) -> bool:
    """An empty cell: nothing, or only blanks."""
    return value is None or (isinstance(value, str) and not value.strip())


def shown(value: Any) -> str:
    """A cell's value as a message quotes it."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.date | datetime.time):
        return f"the date {value}"
    return f"'{abbreviated(str(value))}'"


def text(field: str, value: Any) -> str:
    """Free text (a name, a group); a number cell is taken as its digits."""
    from defplan.sheets.yamltext import number_text

    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number_text(value)  # a name typed as 2026 is the text 2026
    raise BadCell(f"{field}: expected text, not {shown(value)}")


def identifier(field: str, value: Any) -> str:
    """An id: text without the blanks around it."""
    return text(field, value).strip()


def number(field: str, value: Any) -> float | int:
    """A number: a number cell, or text that reads as one."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        found = read_number(value.strip())
        if found is not None:
            return found
    raise BadCell(f"{field}: expected a number, not {shown(value)}")


def year(field: str, value: Any) -> int:
    """A whole number (a year)."""
    try:
        found = number(field, value)
    except BadCell:
        found = None
    if isinstance(found, float) and found.is_integer():
        return int(found)
    if isinstance(found, int):
        return found
    raise BadCell(f"{field}: expected a year (a whole number), not {shown(value)}")


def boolean(field: str, value: Any) -> bool:
    """true or false: a TRUE/FALSE cell, or the text true or false in any case."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise BadCell(f"{field}: expected true or false, not {shown(value)}")


def score(field: str, value: Any) -> float | int | list[float | int]:
    """A value score: a number, or a range written `[low, high]`."""
    if isinstance(value, str) and value.strip().startswith("["):
        inner = value.strip()
        parts = inner[1:-1].split(",") if inner.endswith("]") else []
        found = [read_number(p.strip()) for p in parts]
        if len(found) == 2 and all(f is not None for f in found):
            return found  # type: ignore[return-value]
        raise BadCell(f"{field}: expected a range [low, high] of two numbers, not {shown(value)}")
    try:
        return number(field, value)
    except BadCell:
        raise BadCell(
            f"{field}: expected a number or a range [low, high], not {shown(value)}"
        ) from None


def identifiers(field: str, value: Any) -> list[str]:
    """Ids separated by commas: `radar-a, radar-b`."""
    return [part.strip() for part in text(field, value).split(",") if part.strip()]


def score_text(entry: Any) -> Any:
    """A score as its cell holds it: a number, or a range as the text `[low, high]`."""
    from defplan.sheets.yamltext import number_text

    if isinstance(entry, list):
        return "[" + ", ".join(number_text(v) for v in entry) + "]"
    return entry


def yaml_value(field: str, value: Any) -> Any:
    """A cell read as YAML (flow style: `{2026: 150, 2027: 300}`); a number or boolean
    cell is its own value."""
    from defplan.errors import LoadError
    from defplan.loading.yaml12 import ALIASED, Builder, compose_yaml

    if isinstance(value, int | float | bool):
        return value
    if not isinstance(value, str):
        raise BadCell(f"{field}: expected YAML text, not {shown(value)}")
    try:
        root = compose_yaml(value, filename=field)
    except LoadError as exc:
        raise BadCell(f"{field}: {exc.problems[0].message}") from None
    builder = Builder(field, value)
    data = builder.build(root)
    if builder.problems:
        raise BadCell(f"{field}: {builder.problems[0].message}")
    if data is ALIASED:
        raise BadCell(f"{field}: not a YAML value")
    return data
