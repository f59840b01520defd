"""defplan: defence budget and capability portfolio optimiser.

The public API. Names are imported on first use (PEP 562), so `defplan --version` and
other light commands do not pay for pydantic, YAML or the solver stack.
"""

from __future__ import annotations

import importlib
import time

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing before the CLI
# has taken the signals (defplan.boundary)

STARTED = time.perf_counter()
"""When defplan was first imported: `--profile` counts from here."""

__version__ = "0.1.0"

_EXPORTS = {
    "DefplanError": "defplan.errors",
    "ExitCode": "defplan.errors",
    "LoadError": "defplan.errors",
    "Problem": "defplan.errors",
    "UsageError": "defplan.errors",
    "SolveOptions": "defplan.formulation",
    "load_portfolio": "defplan.loading",
    "parse_portfolio": "defplan.loading",
    "Portfolio": "defplan.model",
    "Result": "defplan.result",
    "Status": "defplan.result",
    "optimise": "defplan.solving",
}

__all__ = [
    "DefplanError",
    "ExitCode",
    "LoadError",
    "Portfolio",
    "Problem",
    "Result",
    "SolveOptions",
    "Status",
    "UsageError",
    "__version__",
    "load_portfolio",
    "optimise",
    "parse_portfolio",
]

if TYPE_CHECKING:
    from typing import Any

    from defplan.errors import DefplanError, ExitCode, LoadError, Problem, UsageError
    from defplan.formulation import SolveOptions
    from defplan.loading import load_portfolio, parse_portfolio
    from defplan.model import Portfolio
    from defplan.result import Result, Status
    from defplan.solving import optimise


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'defplan' has no attribute {name!r}")
