"""defplan: defence budget and capability portfolio optimiser.

The public API; the heavy solver stack is only imported when `optimise` runs.
"""

from defplan.errors import DefplanError, ExitCode, LoadError, Problem, UsageError
from defplan.formulation import SolveOptions
from defplan.loader import load_portfolio, parse_portfolio
from defplan.model import Portfolio
from defplan.result import Result, Status
from defplan.solver import optimise

__version__ = "0.1.0"

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
