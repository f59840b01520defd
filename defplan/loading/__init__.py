"""Reading defplan's input files: a portfolio (YAML) into a validated Portfolio, a saved
result (JSON) back into a Result; every problem located at its FILE:LINE:COLUMN.

  reading       a file's or stdin's bytes, within the size cap, decoded as UTF-8
  yaml12        the YAML 1.2 reader: text -> node tree -> plain data, problems at nodes
  portfolio     that data -> Portfolio (messages: pydantic errors in words)
  saved_model   the saved result format as pydantic models
  saved         a saved result document -> Result (saved_checks: what the model cannot see)
  locate        line and column of an offset; JSON paths and where they are in the text

Names are imported on first use: reading a saved result does not load the YAML reader,
nor a portfolio the saved result format.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "MAX_BYTES": "defplan.loading.reading",
    "STDIN": "defplan.loading.reading",
    "read_source": "defplan.loading.reading",
    "MAX_DEPTH": "defplan.loading.yaml12",
    "MAX_VALUES": "defplan.loading.yaml12",
    "compose_yaml": "defplan.loading.yaml12",
    "node_at": "defplan.loading.yaml12",
    "load_portfolio": "defplan.loading.portfolio",
    "parse_portfolio": "defplan.loading.portfolio",
    "result_from_document": "defplan.loading.saved",
}

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_VALUES",
    "STDIN",
    "compose_yaml",
    "load_portfolio",
    "node_at",
    "parse_portfolio",
    "read_source",
    "result_from_document",
]

if TYPE_CHECKING:
    from defplan.loading.portfolio import load_portfolio, parse_portfolio
    from defplan.loading.reading import MAX_BYTES, STDIN, read_source
    from defplan.loading.saved import result_from_document
    from defplan.loading.yaml12 import MAX_DEPTH, MAX_VALUES, compose_yaml, node_at


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'defplan.loading' has no attribute {name!r}")
