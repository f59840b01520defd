"""A portfolio document as readable YAML, in the format's key order; and, for a text
so written, which document path each node starts at (to put a problem back on the
cell it came from).

Top-level sections are written one entry a line, candidates one key a line, and
everything deeper in flow style (`{2027: 300, 2028: 600}`), as the shipped examples
are. A text is written plain only when the YAML 1.2 reader gives it back as the same
text; otherwise it is double-quoted.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import yaml

from defplan.loading.yaml12 import compose_yaml, scalar_value
from defplan.model import KEY, Candidate, Loc, Portfolio

_PLAIN = re.compile(r"[A-Za-z0-9_(][A-Za-z0-9 _.()/&+'%-]*")
"""Texts that may stand plain in flow style (no ',', ':', '#', brackets or quotes)."""
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_SECTIONS = {"candidates", "rules"}
"""Top-level lists written one item a line."""


def ordered(data: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """data's keys in the order of fields, then any others (unknown keys) as given."""
    known = {k: data[k] for k in fields if k in data}
    return known | {k: v for k, v in data.items() if k not in known}


def portfolio_yaml(doc: dict[str, Any], header: list[str]) -> str:
    """The document as YAML, after the comment lines of header."""
    lines = [f"# {line}" if line else "#" for line in header]
    for key, value in ordered(doc, list(Portfolio.model_fields)).items():
        lines.extend(_top_level(key, value))
    return "\n".join(lines) + "\n"


def _top_level(key: Any, value: Any) -> list[str]:
    head = f"{scalar(key)}:"
    if key in _SECTIONS and isinstance(value, list) and value:
        return [head, *(line for item in value for line in _item(key, item))]
    if isinstance(value, dict) and value:
        return [head, *(f"  {scalar(k)}: {flow(v)}" for k, v in value.items())]
    return [f"{head} {block_scalar(value) if isinstance(value, str) else flow(value)}"]


def _item(section: str, item: Any) -> list[str]:
    if section != "candidates" or not isinstance(item, dict) or not item:
        return [f"  - {flow(item)}"]
    entries = ordered(item, list(Candidate.model_fields)).items()
    lines = [f"    {scalar(k)}: {flow(v)}" for k, v in entries]
    return ["  - " + lines[0][4:], *lines[1:]]


def flow(value: Any) -> str:
    """A value in YAML flow style."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)


def scalar(value: Any) -> str:
    """One scalar as YAML 1.2 reads it back: null, true, 300, 0.25, text."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_text(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and not text.endswith(" ") and _reads_as_text(text):
        return text
    return quoted(text)


def block_scalar(text: str) -> str:
    """Text where a whole line holds it (a top-level value, a cell): plain when the YAML
    reader gives it back as itself, commas and brackets included; else quoted."""
    from defplan.sheets.cells import BadCell, yaml_value

    if "\n" in text or text != text.strip() or not text:
        return scalar(text)
    try:
        same = yaml_value("text", text) == text
    except BadCell:
        same = False
    return text if same else scalar(text)


def number_text(value: float) -> str:
    """A number as the shortest text that reads back as the same value: 300, not 300.0."""
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return "-.inf" if value < 0 else ".inf"
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def quoted(text: str) -> str:
    """text double-quoted, with the characters YAML cannot hold raw escaped."""
    body = json.dumps(text, ensure_ascii=False)
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", body)


def _reads_as_text(text: str) -> bool:
    """Whether text, written plain, reads back as itself (not a number, a year, null)."""
    return scalar_value(yaml.ScalarNode(None, text)) == text


def node_paths(text: str) -> dict[tuple[int, int], Loc]:
    """Each node's (line, column), 1-based, to its document path (a key's path ends in
    KEY); where several nodes start at one place, the outermost."""
    found: dict[tuple[int, int], Loc] = {}
    _walk(compose_yaml(text, filename="<import>"), (), found)
    return found


def _walk(node: yaml.Node, loc: Loc, found: dict[tuple[int, int], Loc]) -> None:
    found.setdefault((node.start_mark.line + 1, node.start_mark.column + 1), loc)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = scalar_value(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if isinstance(key, str | int):
                _walk(key_node, (*loc, key, KEY), found)
                _walk(value_node, (*loc, key), found)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*loc, i), found)
