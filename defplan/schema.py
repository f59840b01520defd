"""The JSON Schema of the portfolio format, for editors (`defplan schema`)."""

from __future__ import annotations

from typing import Any

SCHEMA_ID = "https://defplan.invalid/schema/portfolio-1.json"

# pydantic leaves bounds it applies after a custom validator under their Python names.
_KEYWORDS = {"ge": "minimum", "gt": "exclusiveMinimum", "le": "maximum", "lt": "exclusiveMaximum"}


def portfolio_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a format-1 portfolio file."""
    from defplan.model import Portfolio

    schema = _standard(Portfolio.model_json_schema(mode="validation"))
    schema["title"] = "defplan portfolio (format 1)"
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def _standard(node: Any) -> Any:
    if isinstance(node, dict):
        return {_KEYWORDS.get(k, k): _standard(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_standard(v) for v in node]
    return node
