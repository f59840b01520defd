"""`defplan optimise`: the best portfolio for a budget, with what limits it and the
next-best ones on request."""

from typing import TYPE_CHECKING, Annotated

import typer

from defplan.cli.app import command
from defplan.cli.options import (
    BomOpt,
    FileArg,
    FormatOpt,
    OutputFormat,
    OutputOpt,
    check_bom,
    positive_amount,
    run_options,
    whole_number,
)
from defplan.cli.steps import finish, load, warn_off_scale, warn_plain_costs
from defplan.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from defplan.formulation import SolveOptions
    from defplan.model import Portfolio
    from defplan.result import Result

AlternativesOpt = Annotated[
    int,
    typer.Option(
        metavar="K",
        parser=whole_number(0),
        help="Also find the K next-best portfolios (distinct selections).",
    ),
]
LimitsOpt = Annotated[
    bool,
    typer.Option(
        "--limits",
        help="Also say what limits the plan: which caps, targets and rules bind and "
        "what the next step of money buys in each cap (one more solve per constraint).",
    ),
]
LimitsStepOpt = Annotated[
    str | None,
    typer.Option(
        metavar="AMOUNT",
        help="What --limits raises each budget cap by (default: 100 million in the "
        "file's unit: 100 for M).",
    ),
]


@command
@run_options()
def optimise(
    file: FileArg,
    options: "SolveOptions",
    output_format: FormatOpt = OutputFormat.table,
    bom: BomOpt = False,
    output: OutputOpt = None,
    alternatives: AlternativesOpt = 0,
    limits: LimitsOpt = False,
    limits_step: LimitsStepOpt = None,
) -> None:
    """Pick the best portfolio for a budget."""
    from defplan.output import check_target, is_standard_output, write_output
    from defplan.render.documents import json_of
    from defplan.solving import optimise as run

    check_bom(bom, output_format)
    step = positive_amount("--limits-step", limits_step, "an amount", "an amount such as 100")
    if limits_step is not None and not limits:
        raise UsageError("--limits-step needs --limits")
    if output is not None:
        check_target(output, source=file)
    portfolio, data, name = load(file)
    warn_off_scale(portfolio)
    warn_plain_costs(portfolio, options)
    result = run(portfolio, options=options, file=name, data=data)
    if limits:
        result = _with_limits(portfolio, result, options, step)
    if alternatives:
        from defplan.analysis.alternatives import with_alternatives

        result = with_alternatives(portfolio, result, options=options, count=alternatives)
    if output is not None and not (output_format == "json" and is_standard_output(output)):
        write_output(output, json_of(result))  # (else the JSON printed is the file)
    _show(result, output_format, portfolio=portfolio, bom=bom)
    finish(result)


def _with_limits(
    portfolio: "Portfolio", result: "Result", options: "SolveOptions", step: float | None
) -> "Result":
    """The result with what limits it (one solve per constraint, with a progress bar)."""
    from defplan.analysis.limits import relaxable, with_limits
    from defplan.formulation import formulate
    from defplan.render.console import progress

    count = len(relaxable(formulate(portfolio, options))) if result.status.has_portfolio else 0
    with progress(count, "what limits this plan") as advance:
        return with_limits(portfolio, result, options=options, step=step, on_solve=advance)


def _show(result: "Result", output_format: str, *, portfolio: "Portfolio", bom: bool) -> None:
    from defplan.timing import phase

    with phase("render"):  # the renderers' imports are part of it
        from defplan.render.documents import json_of
        from defplan.render.report import result_csv
        from defplan.render.show import show

        show(
            output_format,
            json=lambda: json_of(result),
            csv=lambda: result_csv(result, portfolio),
            tables=lambda console: _tables(result, console),
            bom=bom,
        )


def _tables(result: "Result", console: "Console") -> "list[RenderableType]":
    """The report, then the alternatives and the limits when they were asked for.
    Conflicts go to stderr alone when both streams are the terminal."""
    import sys

    from defplan.render.report import result_renderables

    on_screen = console.is_terminal and sys.stderr.isatty()
    parts = result_renderables(result, width=console.width, show_conflicts=not on_screen)
    if result.alternatives is not None and result.status.has_portfolio:
        from defplan.render.alternatives import alternatives_table

        parts.append(alternatives_table(result, width=console.width))
    if result.limits is not None:
        from defplan.render.limits import limits_renderables

        parts.extend(limits_renderables(result, width=console.width))
    return parts
