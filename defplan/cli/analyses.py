"""The commands that look around the optimum: `sweep` (over budgets), `explain` (one
candidate), `frontier` (two objectives) and `robust` (disagreement on weights)."""

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from defplan.boundary import say
from defplan.cli.app import command
from defplan.cli.options import (
    BomOpt,
    FileArg,
    FormatOpt,
    OutputFormat,
    TableOrJson,
    TableOrJsonOpt,
    WorkersOpt,
    check_bom,
    number,
    run_options,
    whole_number,
)
from defplan.cli.steps import finish, load, no_solution, warn_plain_costs

if TYPE_CHECKING:
    from defplan.formulation import SolveOptions

SweepBudgetOpt = Annotated[
    str,
    typer.Option(
        metavar="START:STOP:STEP|B1,B2,...",
        help="Budgets to solve at: a range (STOP included when reached) or a list.",
    ),
]
PlotOpt = Annotated[
    Path | None,
    typer.Option(metavar="PATH", help="Also draw value against budget to PATH (.svg, .png)."),
]


@command
@run_options(budget=False)
def sweep(
    file: FileArg,
    budget: SweepBudgetOpt,
    options: "SolveOptions",
    workers: WorkersOpt = 1,
    plot: PlotOpt = None,
    output_format: FormatOpt = OutputFormat.table,
    bom: BomOpt = False,
) -> None:
    """Solve the portfolio at a series of budgets: the value-for-money frontier."""
    from defplan.analysis.sweep import parse_budgets
    from defplan.analysis.sweep import sweep as run
    from defplan.render.console import progress
    from defplan.render.documents import json_of
    from defplan.render.show import show
    from defplan.render.sweep import sweep_csv, sweep_renderables
    from defplan.result import Status

    budgets = parse_budgets(budget)
    check_bom(bom, output_format)
    if plot is not None:
        from defplan.plot import check_plot_target

        check_plot_target(plot, source=file)
    portfolio, data, name = load(file)
    warn_plain_costs(portfolio, replace(options, budget=budgets[0]))
    with progress(len(budgets), "solving budgets") as advance:
        points = run(
            portfolio,
            budgets=budgets,
            options=options,
            file=name,
            data=data,
            workers=workers,
            on_point=advance,
        )
    if plot is not None:
        from defplan.plot import write_frontier_plot

        write_frontier_plot(points, plot)
    show(
        output_format,
        json=lambda: json_of(points),
        csv=lambda: sweep_csv(points),
        tables=lambda console: sweep_renderables(points, width=console.width),
        bom=bom,
    )
    if any(p.result.status is Status.UNKNOWN for p in points):
        no_solution("defplan: at some budgets no portfolio was found before the time limit")


@command
@run_options()
def explain(
    file: FileArg,
    candidate: Annotated[str, typer.Argument(metavar="ID", help="The candidate to explain.")],
    options: "SolveOptions",
    output_format: TableOrJsonOpt = TableOrJson.table,
) -> None:
    """Why a candidate is in or out: its regret, entry budget and deciding constraints."""
    from defplan.analysis.explain import explain as run
    from defplan.render.documents import json_of
    from defplan.render.explain import explain_renderables
    from defplan.render.show import show
    from defplan.result import Status

    portfolio, data, name = load(file)
    warn_plain_costs(portfolio, options)
    found = run(portfolio, candidate, options=options, file=name, data=data)
    proven = found.result.status is Status.OPTIMAL
    show(
        output_format,
        json=lambda: json_of(found),
        tables=lambda console: explain_renderables(found) if proven else [],
        spaced=False,
    )
    if found.result.status is Status.FEASIBLE:
        say(
            "defplan: the time limit ran out before the optimum was proven: there is "
            "nothing to explain yet; try a longer --time-limit"
        )
    elif not found.complete:
        say("defplan: note: the time limit cut some solves short; answers unproven")
    finish(found.result)


@command
@run_options(weights=False)
def frontier(
    file: FileArg,
    x: Annotated[str, typer.Option("--x", metavar="OBJ", help="Objective along the x axis.")],
    y: Annotated[str, typer.Option("--y", metavar="OBJ", help="Objective along the y axis.")],
    options: "SolveOptions",
    max_points: Annotated[
        int,
        typer.Option(
            metavar="N", parser=whole_number(1), help="Stop after N points (default 100)."
        ),
    ] = 100,
    output_format: FormatOpt = OutputFormat.table,
    bom: BomOpt = False,
) -> None:
    """How two objectives trade: every non-dominated pair of totals, with its cheapest portfolio."""
    from defplan.analysis.frontier import frontier as run
    from defplan.render.documents import json_of
    from defplan.render.frontier import frontier_csv, frontier_renderables
    from defplan.render.show import show
    from defplan.solving import forced_choices

    check_bom(bom, output_format)
    portfolio, _, _ = load(file)
    warn_plain_costs(portfolio, options)
    found = run(portfolio, x=x, y=y, options=options, max_points=max_points)
    labels = {k: o.label or k for k, o in portfolio.objectives.items()}
    unit = f"{portfolio.unit} {portfolio.currency}".strip()
    show(
        output_format,
        json=lambda: json_of(found),
        csv=lambda: frontier_csv(found),
        tables=lambda console: (
            frontier_renderables(
                found,
                unit=unit,
                labels=labels,
                forced=forced_choices(portfolio, options),
                width=console.width,
            )
            if found.points
            else []
        ),
        bom=bom,
        spaced=False,
    )
    if found.cut:
        say(f"defplan: note: stopped at --max-points {max_points}; more points exist")
    if not found.complete:
        message = "the time limit stopped the walk; points are unproven and more may exist"
        if not found.points:
            no_solution(f"defplan: note: {message}")
        say(f"defplan: note: {message}")
    if found.result is not None:
        finish(found.result)


@command
@run_options()
def robust(
    file: FileArg,
    options: "SolveOptions",
    samples: Annotated[
        int, typer.Option(metavar="N", parser=whole_number(), help="How many samples (200).")
    ] = 200,
    seed: Annotated[
        int, typer.Option(metavar="S", parser=whole_number(), help="Seed of the samples (0).")
    ] = 0,
    weight_spread: Annotated[
        str, typer.Option(metavar="F", help="Each weight times a factor in [1-F, 1+F] (0.2).")
    ] = "0.2",
    workers: WorkersOpt = 1,
    output_format: FormatOpt = OutputFormat.table,
    bom: BomOpt = False,
) -> None:
    """Does the choice survive disagreement on weights and values? Shares over samples."""
    from defplan.analysis.robust import robust as run
    from defplan.render.console import progress
    from defplan.render.documents import json_of
    from defplan.render.robust import robust_csv, robust_renderables
    from defplan.render.show import show

    spread = number("--weight-spread", weight_spread, "a number from 0 to below 1")
    check_bom(bom, output_format)
    portfolio, data, name = load(file)
    warn_plain_costs(portfolio, options)
    with progress(samples, "solving samples") as advance:
        found = run(
            portfolio,
            options=options,
            samples=samples,
            seed=seed,
            spread=0.2 if spread is None else spread,
            workers=workers,
            file=name,
            data=data,
            on_sample=advance,
        )
    show(
        output_format,
        json=lambda: json_of(found),
        csv=lambda: robust_csv(found),
        tables=lambda console: (
            robust_renderables(found, width=console.width) if found.samples else []
        ),
        bom=bom,
        spaced=False,
    )
    if found.unproven:
        say(
            f"defplan: note: {found.unproven} samples were cut short by the time limit; "
            "their optima are not proven"
        )
    finish(found.base)
