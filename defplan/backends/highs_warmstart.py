"""A starting portfolio for HiGHS on a big model, from the model's LP relaxation.

HiGHS finds a big portfolio's best late: after its rounds of cuts at the root, by a
small MIP over the columns the LP's reduced costs leave open. `start_from_lp` does that
first: solve the LP relaxation, fix every binary but the KEEP_SHARE (at least
KEEP_AT_LEAST) with the smallest reduced costs at the bound the LP put them, solve that
MIP, and return its answer when it is within WITHIN_OF_LP of the LP bound. Given it as
a start, HiGHS has its incumbent before the cuts. A start only lets HiGHS prune sooner:
the answer, and its proof, come from the whole model. (The measurements behind these
constants are in bench/results.md, under "backends".)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

KEEP_SHARE = 0.15
KEEP_AT_LEAST = 200
"""Binaries left open in the small MIP. Every share tried (0.05 to 0.2) was fast on most
of the benchmark portfolios and slow on a few, each on different ones; 0.15 is the one
measured most widely."""

WITHIN_OF_LP = 2e-5
"""A start is handed to HiGHS only when its value is this close (relative) to the LP
bound. A worse one steered HiGHS into long searches for a slightly better portfolio,
slower than HiGHS alone."""

TIME_AT_LEAST = 1.0
"""Seconds a time-limited search must have left to try a start: with less, HiGHS alone
more often hands back a portfolio (a start takes up to half the time left, and HiGHS
then solves the LP again)."""

SMALL_MIP_NODES = 50
SMALL_MIP_GAP = 1e-5
"""Limits of the small MIP, in nodes and relative gap: it seeks a good start, not a
proof. Most need one node; without a limit, a few took many nodes to find a start no
better than 50 nodes gave."""


def worth_trying(binaries: int) -> bool:
    """True when fixing all but the kept binaries leaves at most half the model."""
    return binaries >= 2 * _kept(binaries)


def start_from_lp(
    model: Any,
    settings: dict[str, Any],
    deadline: float | None,
    running: Callable[[Any], bool],
) -> tuple[Any | None, float]:
    """A feasible solution of the highspy model (a HighsSolution, or None) and the LP
    relaxation's objective, a bound on the model's (nan when not solved).

    `settings`: the HiGHS options the model was given; `deadline`: a time.monotonic()
    to stop by, of which the start takes at most half what is left. `running(h)` is
    told of each highspy object before it runs, so that a caller can cancel it, and says
    whether to go on. The model itself is not changed.
    """
    import highspy
    import numpy as np

    lp = model.getLp()  # a MIP: worth_trying counted its integer columns
    integer = highspy.HighsVarType.kInteger
    binary = np.array([kind == integer for kind in lp.integrality_], dtype=bool)
    if deadline is not None:  # half the time left, at most, for the start
        deadline = time.monotonic() + (deadline - time.monotonic()) / 2
    relaxed = _copy(lp, settings, deadline)
    relaxed.setOptionValue("solve_relaxation", True)
    if not running(relaxed):
        return None, math.nan
    relaxed.run()
    if relaxed.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None, math.nan  # infeasible, or stopped: the full solve will say
    bound = float(relaxed.getInfo().objective_function_value)
    solution = relaxed.getSolution()
    value = np.array(solution.col_value)
    reduced = np.abs(np.array(solution.col_dual))
    at_bound = binary & ((value < 1e-9) | (value > 1 - 1e-9))
    candidates = np.flatnonzero(at_bound)
    order = candidates[np.argsort(-reduced[candidates], kind="stable")]
    fixed = order[: max(0, len(order) - _kept(int(binary.sum())))]
    if len(fixed) == 0:
        return None, bound
    small = _copy(lp, settings, deadline)
    small.setOptionValue("mip_max_nodes", SMALL_MIP_NODES)
    small.setOptionValue("mip_rel_gap", max(SMALL_MIP_GAP, settings["mip_rel_gap"]))
    levels = np.round(value[fixed])
    small.changeColsBounds(len(fixed), fixed.astype(np.int32), levels, levels)
    if not running(small):
        return None, bound
    small.run()
    if small.getInfo().primal_solution_status != 2:  # 2: a feasible solution
        return None, bound
    found = float(small.getInfo().objective_function_value)  # minimised: found >= bound
    if found - bound > WITHIN_OF_LP * abs(found):
        return None, bound
    start = highspy.HighsSolution()
    start.col_value = list(small.getSolution().col_value)
    start.value_valid = True
    return start, bound


def _kept(binaries: int) -> int:
    return max(KEEP_AT_LEAST, int(KEEP_SHARE * binaries))


def _copy(lp: Any, settings: dict[str, Any], deadline: float | None) -> Any:
    """A new highspy object with the LP and settings, cancellable, out of time at deadline."""
    import highspy

    copy = highspy.Highs()
    for option, value in settings.items():
        copy.setOptionValue(option, value)
    if deadline is not None:
        copy.setOptionValue("time_limit", max(0.0, deadline - time.monotonic()))
    copy.passModel(lp)
    copy.HandleUserInterrupt = True
    return copy
