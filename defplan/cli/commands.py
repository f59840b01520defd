"""The commands: each parses its own options, calls the library and shows the answer.

`optimise` (the best portfolio, with what limits it and the next-best ones on
request); `sweep`, `explain`, `frontier` and `robust`, which look around the optimum;
`risk`, what cost overruns do to it;
`import` and `export`, candidate lists to and from Excel workbooks and CSV files;
`diff`, which puts two results side by side; `report`, a page or a workbook of one run;
`validate` and `schema`, about the file format itself. They register on import, in the
order --help lists them.
"""

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from defplan.boundary import say
from defplan.cli.app import command, named
from defplan.cli.options import (
    BomOpt,
    FileArg,
    FormatOpt,
    OutputFormat,
    OutputOpt,
    SchedulerOpt,
    TableOrJson,
    TableOrJsonOpt,
    WorkersOpt,
    check_bom,
    number,
    positive_amount,
    run_options,
    whole_number,
)
from defplan.cli.steps import finish, load, no_solution, warn_off_scale, warn_plain_costs
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
        from defplan.render.show import show

        show(
            output_format,
            json=lambda: json_of(result),
            csv=lambda: _csv(result, portfolio),
            tables=lambda console: _tables(result, console),
            bom=bom,
        )


def _csv(result: "Result", portfolio: "Portfolio") -> str:
    from defplan.render.report import result_csv  # here: JSON and tables need none of it

    return result_csv(result, portfolio)


def _tables(result: "Result", console: "Console") -> "list[RenderableType]":
    """The report, then the alternatives and the limits when they were asked for.
    Conflicts go to stderr alone when both streams are the terminal."""
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


SweepBudgetOpt = Annotated[
    str | None,
    typer.Option(
        metavar="START:STOP:STEP|B1,B2,...",
        help="Budgets to solve at: a range (STOP included when reached) or a list.",
    ),
]
GdpShareOpt = Annotated[
    str | None,
    typer.Option(
        "--gdp-share",
        metavar="YEAR=START:STOP:STEP|YEAR=S1,S2,...",
        help="Instead of budgets: shares of GDP one year of the file's core share path "
        "takes (the path interpolated again), e.g. 2035=0.02:0.04:0.0025.",
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
    options: "SolveOptions",
    budget: SweepBudgetOpt = None,
    gdp_share: GdpShareOpt = None,
    workers: WorkersOpt = 1,
    scheduler: SchedulerOpt = None,
    plot: PlotOpt = None,
    output_format: FormatOpt = OutputFormat.table,
    bom: BomOpt = False,
) -> None:
    """Solve the portfolio at a series of budgets (or GDP shares): the value-for-money
    frontier."""
    from defplan.analysis.sweep import check_share_sweep, parse_budgets, parse_shares
    from defplan.analysis.sweep import sweep as run
    from defplan.cluster import scheduler_address
    from defplan.render.console import progress
    from defplan.render.documents import json_of
    from defplan.render.show import show
    from defplan.render.sweep import sweep_csv, sweep_renderables
    from defplan.result import Status

    if (budget is None) == (gdp_share is None):
        raise UsageError("sweep needs one of --budget and --gdp-share")
    year = None
    if gdp_share is not None:
        year, points_at = parse_shares(gdp_share)
    else:
        points_at = parse_budgets(budget or "")
    check_bom(bom, output_format)
    if plot is not None:
        from defplan.plot import check_plot_target

        check_plot_target(plot, source=file)
    portfolio, data, name = load(file)
    if year is not None:
        check_share_sweep(portfolio, year)
        warn_plain_costs(portfolio, options)
    else:
        warn_plain_costs(portfolio, replace(options, budget=points_at[0]))
    with progress(
        len(points_at), "solving budgets" if year is None else "solving shares"
    ) as advance:
        points = run(
            portfolio,
            budgets=points_at,
            options=options,
            file=name,
            data=data,
            workers=workers,
            on_point=advance,
            share_year=year,
            scheduler=scheduler_address(scheduler),
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
    from defplan.render.figures import unit_label

    labels = {k: o.label or k for k, o in portfolio.objectives.items()}
    unit = unit_label(portfolio)
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


SamplesOpt = Annotated[
    int, typer.Option(metavar="N", parser=whole_number(), help="How many samples.")
]
SeedOpt = Annotated[
    int, typer.Option(metavar="S", parser=whole_number(), help="Seed of the samples (0).")
]


@command
@run_options()
def scenarios(
    file: FileArg,
    options: "SolveOptions",
    output_format: TableOrJsonOpt = TableOrJson.table,
) -> None:
    """What to commit now when the budget may change: one plan over budget scenarios."""
    from defplan.analysis.scenarios import plan_scenarios
    from defplan.errors import ExitCode
    from defplan.render.scenarios import scenarios_json, scenarios_renderables
    from defplan.render.show import show
    from defplan.result import Status

    portfolio, data, name = load(file)
    if not portfolio.scenarios:
        raise UsageError(f"{name}: no 'scenarios' in the file; `defplan optimise` plans one budget")
    plan = plan_scenarios(portfolio, options=options, file=name, data=data)
    show(
        output_format,
        json=lambda: scenarios_json(plan),
        tables=lambda console: scenarios_renderables(plan, width=console.width),
    )
    for note in plan.notes:
        say(f"defplan: note: {note}")
    if plan.status is Status.INFEASIBLE:
        lines = ["defplan: infeasible: no plan satisfies every scenario."]
        for scenario in plan.conflicts:
            if scenario in plan.results:
                lines.append(f"scenario '{scenario}' has no portfolio of its own; conflicting:")
                lines.extend(f"  - {c}" for c in plan.results[scenario].conflict_lines)
            else:
                lines.append(
                    f"every scenario has a portfolio alone, but none chooses alike what "
                    f"starts by {plan.commit_by} (commit_by)"
                )
        say("\n".join(lines))
        raise typer.Exit(ExitCode.INFEASIBLE)
    if plan.status is Status.UNKNOWN:
        no_solution(
            "defplan: the time limit ran out before any plan was found; try a longer --time-limit"
        )
    if plan.status is Status.FEASIBLE:
        say("defplan: time limit reached: best plan found, not proven optimal")


@command
@run_options()
def robust(
    file: FileArg,
    options: "SolveOptions",
    samples: SamplesOpt = 200,
    seed: SeedOpt = 0,
    weight_spread: Annotated[
        str, typer.Option(metavar="F", help="Each weight times a factor in [1-F, 1+F] (0.2).")
    ] = "0.2",
    workers: WorkersOpt = 1,
    scheduler: SchedulerOpt = None,
    output_format: FormatOpt = OutputFormat.table,
    bom: BomOpt = False,
) -> None:
    """Does the choice survive disagreement on weights and values? Shares over samples."""
    from defplan.analysis.robust import robust as run
    from defplan.cluster import scheduler_address
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
            scheduler=scheduler_address(scheduler),
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


@command
@run_options()
def risk(
    file: FileArg,
    options: "SolveOptions",
    result: Annotated[
        str | None,
        typer.Option(
            metavar="PATH", help="The plan of a saved result (--output) instead of solving."
        ),
    ] = None,
    samples: SamplesOpt = 2000,
    seed: SeedOpt = 0,
    scheduler: SchedulerOpt = None,
    plot: Annotated[
        Path | None,
        typer.Option(
            metavar="PATH", help="Also draw the S-curve of total money to PATH (.svg, .png)."
        ),
    ] = None,
    output_format: TableOrJsonOpt = TableOrJson.table,
) -> None:
    """How likely the plan stays within its caps when costs run over (cost_risk)."""
    from defplan.analysis.risk import risk as run
    from defplan.cluster import scheduler_address
    from defplan.render.risk import risk_json, risk_renderables
    from defplan.render.show import show

    if plot is not None:
        from defplan.plot import check_plot_target

        check_plot_target(plot, source=file)
    portfolio, data, name = load(file)
    saved = None
    if result is not None:
        saved, options = _saved_plan(result, options, data)
    warn_plain_costs(portfolio, options)
    found = run(
        portfolio,
        options=options,
        samples=samples,
        seed=seed,
        saved=saved,
        file=name,
        data=data,
        scheduler=scheduler_address(scheduler),
    )
    if plot is not None and found.samples:
        from defplan.plot import write_risk_plot

        write_risk_plot(found, plot)
    show(
        output_format,
        json=lambda: risk_json(found),
        tables=lambda console: (
            risk_renderables(found, width=console.width) if found.samples else []
        ),
    )
    finish(found.base)


def _saved_plan(path: str, options: "SolveOptions", data: bytes) -> "tuple[Result, SolveOptions]":
    """A saved result and the run options it was solved with (run options given on the
    command line are refused: the saved run fixed them). A note when it was saved from
    another version of the file."""
    import hashlib

    from defplan.formulation import SolveOptions
    from defplan.loading import read_source
    from defplan.result import read_saved_result

    if options != SolveOptions():
        raise UsageError("--result takes its run options from the saved result; give none")
    saved_data, saved_name = read_source(path)
    saved = read_saved_result(saved_data, filename=saved_name)
    if saved is None:
        raise UsageError(f"--result {saved_name}: not a saved result (optimise --output)")
    if saved.sha256 and saved.sha256 != hashlib.sha256(data).hexdigest():
        say(f"defplan: note: {saved_name} was saved from another version of this file")
    return saved, saved.run or SolveOptions()


DiffBudgetOpt = Annotated[
    list[str] | None,
    typer.Option(
        metavar="B",
        help="Budget for portfolio files: once for both, or twice (left, then right).",
    ),
]


@command
@run_options(budget=False)
def diff(
    left: Annotated[
        str, typer.Argument(metavar="LEFT", help="A saved result (--output) or a portfolio file.")
    ],
    right: Annotated[
        str | None,
        typer.Argument(metavar="RIGHT", help="A saved result or a portfolio file."),
    ] = None,
    budget: DiffBudgetOpt = None,
    *,
    options: "SolveOptions",
    output_format: TableOrJsonOpt = TableOrJson.table,
) -> None:
    """Compare two results: two saved runs, two files, or one file at two budgets."""
    from defplan.analysis.diff import Diff
    from defplan.analysis.sides import Sides
    from defplan.render.diff import diff_renderables
    from defplan.render.documents import json_of
    from defplan.render.show import show
    from defplan.result import Status

    budgets = [number("--budget", b, "a number such as 6000") for b in budget or ()]
    if len(budgets) > 2:
        raise UsageError("diff takes --budget at most twice (left, then right)")
    if right is None and len(budgets) != 2:
        raise UsageError(
            "diff needs two results: LEFT RIGHT, or one portfolio FILE with --budget twice"
        )
    sides = Sides(options, on_portfolio=warn_plain_costs)
    right = right or left
    comparison = Diff(
        sides.result(left, budgets[0] if budgets else None),
        sides.result(right, budgets[-1] if budgets else None),
        left_file=sides.name(left),
        right_file=sides.name(right),
    )
    show(
        output_format,
        json=lambda: json_of(comparison),
        tables=lambda console: diff_renderables(comparison, width=console.width),
    )
    if Status.UNKNOWN in (comparison.left.status, comparison.right.status):
        no_solution("defplan: a side found no portfolio before the time limit")


ReportOutputOpt = Annotated[
    Path,
    typer.Option(
        metavar="PATH",
        help="Write the report to PATH: .html (one self-contained page) or .xlsx (a workbook).",
    ),
]
ReportSweepOpt = Annotated[
    str | None,
    typer.Option(
        "--sweep",
        metavar="B1:B2:STEP",
        help="Also show the budget frontier: the best value at these budgets.",
    ),
]
ReportSamplesOpt = Annotated[
    int | None,
    typer.Option(
        metavar="N",
        parser=whole_number(1),
        help="Also show the robustness table over N samples (as `defplan robust`).",
    ),
]


@command
@run_options()
def report(
    file: FileArg,
    options: "SolveOptions",
    output: ReportOutputOpt,
    sweep_budgets: ReportSweepOpt = None,
    samples: ReportSamplesOpt = None,
    seed: SeedOpt = 0,
    workers: WorkersOpt = 1,
) -> None:
    """Write one run as a page or a workbook for decision makers (docs/report.md)."""
    from defplan.analysis.sweep import parse_budgets
    from defplan.cli.report_file import check_report_target, gather, write_report
    from defplan.solving import optimise as run

    budgets = None if sweep_budgets is None else parse_budgets(sweep_budgets, flag="--sweep ")
    if seed and samples is None:
        raise UsageError("--seed needs --samples")
    check_report_target(output, source=file)
    portfolio, data, name = load(file)
    warn_off_scale(portfolio)
    warn_plain_costs(portfolio, options)
    result = run(portfolio, options=options, file=name, data=data)
    found = gather(
        portfolio,
        result,
        options,
        budgets=budgets,
        samples=samples,
        seed=seed,
        workers=workers,
        file=name,
        data=data,
    )
    write_report(output, found)
    finish(result)


@command
def validate(file: FileArg) -> None:
    """Check a portfolio file and summarise it, or list every problem."""
    from defplan.render.show import show
    from defplan.render.validation import validation_renderables

    portfolio, _, name = load(file)
    warn_off_scale(portfolio)
    warn_plain_costs(portfolio)
    show(
        "table",
        tables=lambda console: validation_renderables(portfolio, name, width=console.width),
    )


BookArg = Annotated[
    str, typer.Argument(metavar="BOOK", help="Excel workbook (.xlsx) or CSV file of candidates.")
]
YamlOutputOpt = Annotated[
    Path | None,
    typer.Option(metavar="PATH", help="Write the portfolio YAML to PATH (default: print it)."),
]
BaseOpt = Annotated[
    str | None,
    typer.Option(
        metavar="FILE",
        help="Take every key but the candidates from this portfolio file (for a CSV "
        "file, or a workbook without a 'file' sheet).",
    ),
]
BookOutputOpt = Annotated[
    Path,
    typer.Option(
        metavar="PATH", help="The workbook (.xlsx) or CSV file (candidates only) to write."
    ),
]


@named("import")
def import_(book: BookArg, output: YamlOutputOpt = None, base: BaseOpt = None) -> None:
    """Make a portfolio file from candidates in a workbook or CSV file."""
    from defplan.output import check_target, write_output
    from defplan.sheets import Base, import_portfolio

    if output is not None:
        check_target(output, source=book)
    found = Base(*load(base)) if base is not None else None
    text, count = import_portfolio(book, base=found, output=output)
    if output is None:
        sys.stdout.write(text)
        return
    write_output(output, text)
    say(f"defplan: {book}: {count} candidate{'s' if count != 1 else ''} written to {output}")


@command
def export(file: FileArg, output: BookOutputOpt) -> None:
    """Write a portfolio's candidates (and its other keys) to a workbook or CSV file."""
    from defplan.output import check_target, write_output_bytes
    from defplan.sheets import export_portfolio
    from defplan.sheets.books import kind_of

    if kind_of(output, "--output") == ".xlsx":
        from defplan.sheets.books import need_openpyxl

        need_openpyxl()
    check_target(output, source=file)
    portfolio = load(file)[0]
    write_output_bytes(output, export_portfolio(portfolio, output))
    if output.suffix.lower() == ".csv":
        say(f"defplan: {output} holds the candidates alone: import it with --base {file}")


@command
def schema() -> None:
    """Print the JSON Schema of the portfolio format."""
    import json

    from defplan.schema import portfolio_schema

    sys.stdout.write(json.dumps(portfolio_schema(), indent=2) + "\n")
