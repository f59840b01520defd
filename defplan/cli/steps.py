"""The steps the commands share: load a portfolio, warn about it, and end a run with the
exit code its status calls for."""

from typing import TYPE_CHECKING

import typer

from defplan.boundary import say, settled
from defplan.errors import ExitCode, LoadError, Problem

if TYPE_CHECKING:
    from defplan.formulation import SolveOptions
    from defplan.model import Portfolio
    from defplan.result import Result


def load(file: str) -> tuple["Portfolio", bytes, str]:
    """A portfolio file (or stdin) read and validated; LoadError for defplan's own output."""
    from defplan.loading import parse_portfolio, read_source
    from defplan.result import output_format_of
    from defplan.timing import phase

    with phase("load"):
        data, name = read_source(file)
    kind = output_format_of(data, filename=name)
    if kind is not None:
        hint = "; compare saved results with `defplan diff`" if kind.startswith("defplan-") else ""
        raise LoadError([Problem(name, f"a '{kind}' document, not a portfolio file{hint}")])
    portfolio = parse_portfolio(data, filename=name)
    settled()  # the collector scanned the portfolio and the modules again and again
    return portfolio, data, name


def warn_plain_costs(portfolio: "Portfolio", options: "SolveOptions | None" = None) -> None:
    """One line on stderr when annual caps are set (by the file, or by the run's
    --budget-year) and some candidates have a plain cost, which no cap counts.

    Silent for a run without a total budget: formulate refuses it, naming them."""
    from defplan.formulation import escapes_annual_caps
    from defplan.scales import named_few

    if options is not None and options.budget is None and portfolio.budget.total is None:
        return
    ids = escapes_annual_caps(portfolio, options)
    if ids:
        have = "candidate has" if len(ids) == 1 else "candidates have"
        say(
            f"defplan: warning: {len(ids)} {have} a plain cost, which no annual cap "
            f"counts: {named_few(ids)}"
        )


def warn_off_scale(portfolio: "Portfolio") -> None:
    """A line on stderr for each score outside its objective's declared scale."""
    from defplan.scales import scale_warnings

    for line in scale_warnings(portfolio):
        say(line)


def finish(result: "Result") -> None:
    """The run's notes on stderr, then the exit its status calls for: 3 infeasible (with
    the conflict), 4 no portfolio in time, 0 otherwise (saying when unproven)."""
    from defplan.result import CONFLICT_HEADING, Status

    for note in result.notes:
        say(f"defplan: note: {note}")
    if result.status is Status.INFEASIBLE:
        lines = ["defplan: infeasible: no portfolio satisfies every constraint."]
        if result.conflicts:
            lines.append(CONFLICT_HEADING)
            lines.extend(f"  - {c}" for c in result.conflict_lines)
        say("\n".join(lines))
        raise typer.Exit(ExitCode.INFEASIBLE)
    if result.status is Status.UNKNOWN:
        say(
            "defplan: the time limit ran out before any portfolio was found; "
            "try a longer --time-limit"
        )
        raise typer.Exit(ExitCode.NO_SOLUTION)
    if result.status is Status.FEASIBLE:
        gap = "unknown" if result.solver.gap is None else f"{100 * result.solver.gap:.3g}%"
        say(f"defplan: time limit reached: best portfolio found, not proven optimal (gap {gap})")


def no_solution(message: str) -> None:
    """Exit 4 with a message: the time limit left part of the answer without a portfolio."""
    say(message)
    raise typer.Exit(ExitCode.NO_SOLUTION)
