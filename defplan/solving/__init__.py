"""Solving: the formulation's rows -> the canonical best portfolio, or the conflict.

`optimise` is the front door. The analyses run their own searches through `Engine`,
passing what they optimise (VALUE, COST or coefficients) and their extra rows (`Bound`)
as arguments, and settle ties with `canonical`; none of them needs PuLP.
"""

from defplan.solving.answer import build_result, forced_choices
from defplan.solving.canonical import canonical, objective_value, selection_cost
from defplan.solving.engine import COST, VALUE, Bound, Engine, differs_from, selects_otherwise
from defplan.solving.optimum import optimise

__all__ = [
    "COST",
    "VALUE",
    "Bound",
    "Engine",
    "build_result",
    "canonical",
    "differs_from",
    "forced_choices",
    "objective_value",
    "optimise",
    "selection_cost",
    "selects_otherwise",
]
