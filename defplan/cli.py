"""The `defplan` command line: parse arguments, call the library, render, exit.

This is the only module that turns errors into exit codes (docs/commands.md).

No `from __future__ import annotations` here: typer would then evaluate every
parameter's annotation from a string on every start, which made `defplan --version`
6 ms slower. Names only imported for type checking are quoted instead.
"""

import sys
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Annotated, Literal, NoReturn

import typer
from typer.core import TyperCommand, TyperGroup

from defplan import boundary
from defplan.errors import ExitCode, LoadError, Problem, UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

    from typer._click.core import Command
    from typer._click.formatting import HelpFormatter

    from defplan.formulation import SolveOptions
    from defplan.model import Portfolio
    from defplan.result import Result


class _PlainHelp:
    """--help without a type after a parameter: typer 0.29 adds `<bool>` after every flag
    (which takes no value) and `<str>` after every argument (whose metavar says what it
    is), and only an option's metavar replaces it."""

    def format_help(self, ctx: typer.Context, formatter: "HelpFormatter") -> None:
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            if param.param_type_name == "argument" or getattr(param, "is_flag", False):
                param.display_type_rich = _no_type  # this parameter's, not the class's
        super().format_help(ctx, formatter)  # type: ignore[misc]


def _no_type(ctx: typer.Context) -> None:
    return None


class _Command(_PlainHelp, TyperCommand):
    """A command whose usage line reads `defplan diff [OPTIONS] LEFT [RIGHT]`, as
    click writes it (typer 0.29 writes a required argument `{LEFT}`)."""

    def collect_usage_pieces(self, ctx: typer.Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = param.metavar or param.human_readable_name
                pieces.append(name if param.required else f"[{name}]")
        return pieces


class _Commands(_PlainHelp, TyperGroup):
    """defplan's commands, which also refuse a single-valued option given twice: click
    keeps the last one silently, so `--budget 5000 --budget 6000` solved at 6000."""

    def resolve_command(
        self, ctx: typer.Context, args: list[str]
    ) -> "tuple[str | None, Command | None, list[str]]":
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None and not ctx.resilient_parsing:
            _refuse_repeated_options(command, name, rest, ctx)
        return name, command, rest


def _refuse_repeated_options(
    command: "Command", name: str | None, args: list[str], parent: typer.Context
) -> None:
    """BadParameter (exit 2) naming the first single-valued option that args give more
    than once. Options meant to repeat (`--weight`, `diff --budget`) are lists."""
    context = command.context_class(command, info_name=name, parent=parent, resilient_parsing=True)
    _, _, order = command.make_parser(context).parse_args(args=list(args))
    options = [p for p in order if p.param_type_name == "option"]
    for param in dict.fromkeys(options):
        times = options.count(param)
        if times > 1 and not (param.multiple or param.is_flag or param.count):  # type: ignore[attr-defined]
            shown = "twice" if times == 2 else f"{times} times"
            raise typer.BadParameter(f"given {shown}; give it once", ctx=context, param=param)


app = typer.Typer(
    cls=_Commands,
    name="defplan",
    help="Defence budget and capability portfolio optimiser.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_state: dict[str, int] = {"debug": False}


class OutputFormat(StrEnum):
    """How a command prints its answer: a table, JSON or CSV."""

    table = "table"
    json = "json"
    csv = "csv"


class TableOrJson(StrEnum):
    """How a decision-support command prints its answer."""

    table = "table"
    json = "json"


def _version(value: bool) -> None:
    if value:
        from defplan import __version__

        typer.echo(f"defplan {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of internal errors.")
    ] = False,
    profile: Annotated[
        bool,
        typer.Option(
            "--profile", "-v", help="Print where the time went (phases, peak memory) on stderr."
        ),
    ] = False,
) -> None:
    """Defence budget and capability portfolio optimiser."""
    _state["debug"] = debug
    _state["profile"] = profile


FileArg = Annotated[
    str, typer.Argument(metavar="FILE", help="Portfolio YAML file, or - for standard input.")
]


BudgetOpt = Annotated[
    str | None, typer.Option(metavar="B", help="Cap on the total cost (overrides budget.total).")
]
TableOrJsonOpt = Annotated[
    TableOrJson, typer.Option("--format", metavar="FORMAT", help="table (default) or json.")
]
FormatOpt = Annotated[
    OutputFormat,
    typer.Option("--format", metavar="FORMAT", help="table (default), json or csv."),
]
BomOpt = Annotated[
    bool,
    typer.Option(
        "--bom",
        help="With --format csv: UTF-8 with a byte order mark, so Excel opens it right.",
    ),
]
BudgetYearOpt = Annotated[
    list[str] | None,
    typer.Option("--budget-year", metavar="YEAR=B", help="Annual cap YEAR=B; repeatable."),
]
WeightOpt = Annotated[
    list[str] | None,
    typer.Option("--weight", metavar="OBJ=W", help="Objective weight OBJ=W; repeatable."),
]
IncludeOpt = Annotated[
    list[str] | None, typer.Option(metavar="ID", help="Force a candidate in; repeatable.")
]
ExcludeOpt = Annotated[
    list[str] | None, typer.Option(metavar="ID", help="Keep a candidate out; repeatable.")
]
SolverOpt = Annotated[
    str,
    typer.Option(metavar="NAME", help="Solver: auto (default: HiGHS and CBC race), highs or cbc."),
]
TimeLimitOpt = Annotated[
    str | None,
    typer.Option(
        metavar="SECONDS", help="Stop each solve after this many seconds with the best found."
    ),
]


def _at_most_the_cores(workers: int) -> int:
    """--workers capped at this machine's cores (more only cost memory), saying so."""
    from defplan.workers import cores

    available = cores()
    if workers <= available:
        return workers
    _stderr(f"defplan: note: --workers {workers} capped at {available}, the cores of this machine")
    return available


def _whole_number(minimum: int | None = None) -> "Callable[[str | int], int]":
    """The parser of a whole-number option: the grammar of a portfolio file's numbers
    (defplan.numbers), where typer's would take `1_000`, ` 5` and `5.0`."""

    def parse(text: str | int) -> int:
        from defplan.numbers import read_number

        value = text if isinstance(text, int) else read_number(text)  # a default is an int
        if type(value) is not int:
            raise typer.BadParameter(f"expected a whole number, not '{text}'")
        if minimum is not None and value < minimum:
            raise typer.BadParameter(f"{value} is below the least allowed, {minimum}")
        return value

    return parse


WorkersOpt = Annotated[
    int,
    typer.Option(
        metavar="N",
        parser=_whole_number(1),
        callback=_at_most_the_cores,
        help="Solve in N processes (at most one per core of this machine).",
    ),
]


def _solve_options(
    *,
    budget: str | None,
    budget_year: list[str] | None,
    weight: list[str] | None,
    include: list[str] | None,
    exclude: list[str] | None,
    solver: str,
    time_limit: str | None,
) -> "SolveOptions":
    """The run options shared by the commands that solve, checked."""
    from defplan.formulation import SolveOptions
    from defplan.model import MAX_MAGNITUDE

    seconds = _number("--time-limit", time_limit, "a number of seconds such as 30")
    if seconds is not None and not 0 < seconds <= MAX_MAGNITUDE:
        raise UsageError(
            f"--time-limit must be a number of seconds > 0 and at most {MAX_MAGNITUDE:g}"
        )
    return SolveOptions(
        budget=_number("--budget", budget, "a number such as 6000"),
        budget_per_year={
            int(k): v for k, v in _pairs(budget_year, "--budget-year", "YEAR").items()
        },
        weights=_pairs(weight, "--weight", "OBJ"),
        include=tuple(include or ()),
        exclude=tuple(exclude or ()),
        solver=solver.lower(),
        time_limit=seconds,
    )


@app.command(cls=_Command)
def optimise(
    file: FileArg,
    budget: BudgetOpt = None,
    budget_year: BudgetYearOpt = None,
    weight: WeightOpt = None,
    include: IncludeOpt = None,
    exclude: ExcludeOpt = None,
    solver: SolverOpt = "auto",
    time_limit: TimeLimitOpt = None,
    output_format: FormatOpt = OutputFormat.table,
    bom: BomOpt = False,
    output: Annotated[
        Path | None,
        typer.Option(
            metavar="PATH",
            help="Also write the JSON result to PATH: a file (replaced atomically), a device "
            "or a pipe.",
        ),
    ] = None,
    alternatives: Annotated[
        int,
        typer.Option(
            metavar="K",
            parser=_whole_number(0),
            help="Also find the K next-best portfolios (distinct selections).",
        ),
    ] = 0,
    limits: Annotated[
        bool,
        typer.Option(
            "--limits",
            help="Also say what limits the plan: which caps, targets and rules bind and "
            "what the next step of money buys in each cap (one more solve per constraint).",
        ),
    ] = False,
    limits_step: Annotated[
        str | None,
        typer.Option(
            metavar="AMOUNT",
            help="What --limits raises each budget cap by (default: 100 million in the "
            "file's unit: 100 for M).",
        ),
    ] = None,
) -> None:
    """Pick the best portfolio for a budget."""
    with _errors_handled():
        from defplan.output import check_target, is_standard_output, write_output
        from defplan.solver import optimise as run

        options = _solve_options(
            budget=budget,
            budget_year=budget_year,
            weight=weight,
            include=include,
            exclude=exclude,
            solver=solver,
            time_limit=time_limit,
        )
        _check_bom(bom, output_format)
        step = _limits_step(limits_step)
        if limits_step is not None and not limits:
            raise UsageError("--limits-step needs --limits")
        if output is not None:
            check_target(output, source=file)
        portfolio, data, name = _load(file)
        _warn_off_scale(portfolio)
        _warn_plain_costs(portfolio, options)
        result = run(portfolio, options=options, file=name, data=data)
        if limits:
            result = _with_limits(portfolio, result, options, step)
        if alternatives:
            from dataclasses import replace

            from defplan.analysis.alternatives import alternatives as next_best

            found, complete = next_best(portfolio, result, options=options, count=alternatives)
            notes = result.notes
            if not complete:
                notes += (
                    "the time limit cut the search for alternatives short: some may be "
                    "missing or out of order",
                )
            result = replace(result, alternatives=found, notes=notes)
        json_on_stdout = output_format is OutputFormat.json
        if output is not None and not (json_on_stdout and is_standard_output(output)):
            write_output(output, result.to_json())  # (else the JSON printed is the file)
        _emit(result, output_format, portfolio=portfolio, bom=bom)
        _finish(result)


@app.command(cls=_Command)
def sweep(
    file: FileArg,
    budget: Annotated[
        str,
        typer.Option(
            metavar="START:STOP:STEP|B1,B2,...",
            help="Budgets to solve at: a range (STOP included when reached) or a list.",
        ),
    ],
    budget_year: BudgetYearOpt = None,
    weight: WeightOpt = None,
    include: IncludeOpt = None,
    exclude: ExcludeOpt = None,
    solver: SolverOpt = "auto",
    time_limit: TimeLimitOpt = None,
    workers: WorkersOpt = 1,
    plot: Annotated[
        Path | None,
        typer.Option(metavar="PATH", help="Also draw value against budget to PATH (.svg, .png)."),
    ] = None,
    output_format: FormatOpt = OutputFormat.table,
    bom: BomOpt = False,
) -> None:
    """Solve the portfolio at a series of budgets: the value-for-money frontier."""
    with _errors_handled():
        from dataclasses import replace

        from defplan import report
        from defplan.analysis.sweep import parse_budgets
        from defplan.analysis.sweep import sweep as run
        from defplan.result import Status
        from defplan.timing import phase

        budgets = parse_budgets(budget)
        _check_bom(bom, output_format)
        options = _solve_options(
            budget=None,
            budget_year=budget_year,
            weight=weight,
            include=include,
            exclude=exclude,
            solver=solver,
            time_limit=time_limit,
        )
        if plot is not None:
            from defplan.plot import check_plot_target

            check_plot_target(plot, source=file)
        portfolio, data, name = _load(file)
        _warn_plain_costs(portfolio, replace(options, budget=budgets[0]))
        with report.progress(len(budgets), "solving budgets") as advance:
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
        with phase("render"):
            if output_format is OutputFormat.json:
                sys.stdout.write(report.sweep_json(points))
            elif output_format is OutputFormat.csv:
                _write_csv(report.sweep_csv(points), bom=bom)
            else:
                console = report.make_console()
                for part in report.sweep_renderables(points, width=console.width):
                    console.print(part)
                    console.print()
        if any(p.result.status is Status.UNKNOWN for p in points):
            _stderr("defplan: at some budgets no portfolio was found before the time limit")
            raise typer.Exit(ExitCode.NO_SOLUTION)


@app.command(cls=_Command)
def explain(
    file: FileArg,
    candidate: Annotated[str, typer.Argument(metavar="ID", help="The candidate to explain.")],
    budget: BudgetOpt = None,
    budget_year: BudgetYearOpt = None,
    weight: WeightOpt = None,
    include: IncludeOpt = None,
    exclude: ExcludeOpt = None,
    solver: SolverOpt = "auto",
    time_limit: TimeLimitOpt = None,
    output_format: TableOrJsonOpt = TableOrJson.table,
) -> None:
    """Why a candidate is in or out: its regret, entry budget and deciding constraints."""
    with _errors_handled():
        from defplan import decision_report, report
        from defplan.analysis.explain import explain as run
        from defplan.result import Status

        options = _solve_options(
            budget=budget,
            budget_year=budget_year,
            weight=weight,
            include=include,
            exclude=exclude,
            solver=solver,
            time_limit=time_limit,
        )
        portfolio, data, name = _load(file)
        _warn_plain_costs(portfolio, options)
        explanation = run(portfolio, candidate, options=options, file=name, data=data)
        if output_format is TableOrJson.json:
            sys.stdout.write(decision_report.explain_json(explanation))
        elif explanation.result.status is Status.OPTIMAL:
            console = report.make_console()
            for part in decision_report.explain_renderables(explanation):
                console.print(part)
        if explanation.result.status is Status.FEASIBLE:
            _stderr(
                "defplan: the time limit ran out before the optimum was proven: there is "
                "nothing to explain yet; try a longer --time-limit"
            )
        elif not explanation.complete:
            _stderr("defplan: note: the time limit cut some solves short; answers unproven")
        _finish(explanation.result)


@app.command(cls=_Command)
def frontier(
    file: FileArg,
    x: Annotated[str, typer.Option("--x", metavar="OBJ", help="Objective along the x axis.")],
    y: Annotated[str, typer.Option("--y", metavar="OBJ", help="Objective along the y axis.")],
    budget: BudgetOpt = None,
    max_points: Annotated[
        int,
        typer.Option(
            metavar="N", parser=_whole_number(1), help="Stop after N points (default 100)."
        ),
    ] = 100,
    budget_year: BudgetYearOpt = None,
    include: IncludeOpt = None,
    exclude: ExcludeOpt = None,
    solver: SolverOpt = "auto",
    time_limit: TimeLimitOpt = None,
    output_format: FormatOpt = OutputFormat.table,
    bom: BomOpt = False,
) -> None:
    """How two objectives trade: every non-dominated pair of totals, with its cheapest portfolio."""
    with _errors_handled():
        from defplan import decision_report, report
        from defplan.analysis.frontier import frontier as run
        from defplan.solver import forced_choices

        _check_bom(bom, output_format)
        options = _solve_options(
            budget=budget,
            budget_year=budget_year,
            weight=None,
            include=include,
            exclude=exclude,
            solver=solver,
            time_limit=time_limit,
        )
        portfolio, _, _ = _load(file)
        _warn_plain_costs(portfolio, options)
        found = run(portfolio, x=x, y=y, options=options, max_points=max_points)
        if output_format is OutputFormat.json:
            sys.stdout.write(decision_report.frontier_json(found))
        elif output_format is OutputFormat.csv:
            _write_csv(decision_report.frontier_csv(found), bom=bom)
        elif found.points:
            console = report.make_console()
            for part in decision_report.frontier_renderables(
                found,
                unit=f"{portfolio.unit} {portfolio.currency}".strip(),
                labels={k: o.label or k for k, o in portfolio.objectives.items()},
                forced=forced_choices(portfolio, options),
                width=console.width,
            ):
                console.print(part)
        if found.cut:
            _stderr(f"defplan: note: stopped at --max-points {max_points}; more points exist")
        if not found.complete:
            _stderr(
                "defplan: note: the time limit stopped the walk; points are unproven and "
                "more may exist"
            )
            if not found.points:
                raise typer.Exit(ExitCode.NO_SOLUTION)
        if found.result is not None:
            _finish(found.result)


@app.command(cls=_Command)
def robust(
    file: FileArg,
    budget: BudgetOpt = None,
    samples: Annotated[
        int, typer.Option(metavar="N", parser=_whole_number(), help="How many samples (200).")
    ] = 200,
    seed: Annotated[
        int, typer.Option(metavar="S", parser=_whole_number(), help="Seed of the samples (0).")
    ] = 0,
    weight_spread: Annotated[
        str, typer.Option(metavar="F", help="Each weight times a factor in [1-F, 1+F] (0.2).")
    ] = "0.2",
    workers: WorkersOpt = 1,
    budget_year: BudgetYearOpt = None,
    weight: WeightOpt = None,
    include: IncludeOpt = None,
    exclude: ExcludeOpt = None,
    solver: SolverOpt = "auto",
    time_limit: TimeLimitOpt = None,
    output_format: FormatOpt = OutputFormat.table,
    bom: BomOpt = False,
) -> None:
    """Does the choice survive disagreement on weights and values? Shares over samples."""
    with _errors_handled():
        from defplan import decision_report, report
        from defplan.analysis.robust import robust as run

        spread = _number("--weight-spread", weight_spread, "a number from 0 to below 1")
        _check_bom(bom, output_format)
        options = _solve_options(
            budget=budget,
            budget_year=budget_year,
            weight=weight,
            include=include,
            exclude=exclude,
            solver=solver,
            time_limit=time_limit,
        )
        portfolio, data, name = _load(file)
        _warn_plain_costs(portfolio, options)
        with report.progress(samples, "solving samples") as advance:
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
        if output_format is OutputFormat.json:
            sys.stdout.write(decision_report.robust_json(found))
        elif output_format is OutputFormat.csv:
            _write_csv(decision_report.robust_csv(found), bom=bom)
        elif found.samples:
            console = report.make_console()
            for part in decision_report.robust_renderables(found, width=console.width):
                console.print(part)
        if found.unproven:
            _stderr(
                f"defplan: note: {found.unproven} samples were cut short by the time limit; "
                "their optima are not proven"
            )
        _finish(found.base)


@app.command(cls=_Command)
def diff(
    left: Annotated[
        str, typer.Argument(metavar="LEFT", help="A saved result (--output) or a portfolio file.")
    ],
    right: Annotated[
        str | None,
        typer.Argument(metavar="RIGHT", help="A saved result or a portfolio file."),
    ] = None,
    budget: Annotated[
        list[str] | None,
        typer.Option(
            metavar="B",
            help="Budget for portfolio files: once for both, or twice (left, then right).",
        ),
    ] = None,
    budget_year: BudgetYearOpt = None,
    weight: WeightOpt = None,
    include: IncludeOpt = None,
    exclude: ExcludeOpt = None,
    solver: SolverOpt = "auto",
    time_limit: TimeLimitOpt = None,
    output_format: TableOrJsonOpt = TableOrJson.table,
) -> None:
    """Compare two results: two saved runs, two files, or one file at two budgets."""
    with _errors_handled():
        from defplan import report
        from defplan.analysis.diff import Diff
        from defplan.result import Status

        budgets = [_number("--budget", b, "a number such as 6000") for b in budget or ()]
        if len(budgets) > 2:
            raise UsageError("diff takes --budget at most twice (left, then right)")
        if right is None and len(budgets) != 2:
            raise UsageError(
                "diff needs two results: LEFT RIGHT, or one portfolio FILE with --budget twice"
            )
        options = _solve_options(
            budget=None,
            budget_year=budget_year,
            weight=weight,
            include=include,
            exclude=exclude,
            solver=solver,
            time_limit=time_limit,
        )
        left_budget = budgets[0] if budgets else None
        right_budget = budgets[-1] if budgets else None
        sides = _Sides(options)
        right = right or left
        comparison = Diff(
            sides.result(left, left_budget),
            sides.result(right, right_budget),
            left_file=sides.name(left),
            right_file=sides.name(right),
        )
        if output_format is TableOrJson.json:
            sys.stdout.write(report.diff_json(comparison))
        else:
            console = report.make_console()
            for part in report.diff_renderables(comparison, width=console.width):
                console.print(part)
                console.print()
        if Status.UNKNOWN in (comparison.left.status, comparison.right.status):
            _stderr("defplan: a side found no portfolio before the time limit")
            raise typer.Exit(ExitCode.NO_SOLUTION)


class _Sides:
    """Each side of a diff: a saved result as it is, or a portfolio solved now."""

    def __init__(self, options: "SolveOptions"):
        self.options = options
        self.read: dict[str, tuple[Result | Portfolio, bytes, str]] = {}

    def name(self, source: str) -> str:
        """A side's file as messages name it ("<stdin>" for -), once it has been read."""
        return self.read[source][2]

    def result(self, source: str, budget: float | None) -> "Result":
        from dataclasses import replace

        from defplan.result import Result
        from defplan.solver import optimise as run

        options = replace(self.options, budget=budget)
        if source not in self.read:  # one file (or stdin) read and checked once for both
            self.read[source] = _read_side(source)
            if not isinstance(self.read[source][0], Result):
                _warn_plain_costs(self.read[source][0], options)
        loaded, data, name = self.read[source]
        if isinstance(loaded, Result):
            if budget is not None:
                raise UsageError(f"{name} is a saved result: its budget is fixed; drop --budget")
            return loaded
        return run(loaded, options=options, file=name, data=data)


def _read_side(source: str) -> "tuple[Result | Portfolio, bytes, str]":
    """A diff side: the saved result in source, or the portfolio it holds."""
    from defplan.loading import parse_portfolio, read_source
    from defplan.result import read_saved_result

    data, name = read_source(source)
    saved = read_saved_result(data, filename=name)
    return (saved if saved is not None else parse_portfolio(data, filename=name)), data, name


def _warn_plain_costs(portfolio: "Portfolio", options: "SolveOptions | None" = None) -> None:
    """One line on stderr when annual caps are set (by the file, or by the run's
    --budget-year) and some candidates have a plain cost, which no cap counts.

    Silent for a run without a total budget: formulate refuses it, naming them."""
    from defplan.formulation import escapes_annual_caps
    from defplan.model import named_few

    if options is not None and options.budget is None and portfolio.budget.total is None:
        return
    ids = escapes_annual_caps(portfolio, options)
    if ids:
        have = "candidate has" if len(ids) == 1 else "candidates have"
        _stderr(
            f"defplan: warning: {len(ids)} {have} a plain cost, which no annual cap "
            f"counts: {named_few(ids)}"
        )


def _load(file: str) -> tuple["Portfolio", bytes, str]:
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
    return parse_portfolio(data, filename=name), data, name


def _warn_off_scale(portfolio: "Portfolio") -> None:
    from defplan.model import scale_warnings

    for line in scale_warnings(portfolio):
        _stderr(line)


def _number(flag: str, text: str | None, example: str) -> float | None:
    """A numeric option's value, read as a portfolio file's numbers are (defplan.numbers);
    UsageError naming the flag when it is not a number."""
    from defplan.numbers import read_float

    if text is None:
        return None
    value = read_float(text)
    if value is None:
        raise UsageError(f"{flag} takes {example}, not '{text}'")
    return value


def _with_limits(
    portfolio: "Portfolio", result: "Result", options: "SolveOptions", step: float | None
) -> "Result":
    """The result with what limits it (one solve per constraint, with a progress bar)."""
    from defplan import report
    from defplan.analysis.limits import relaxable, with_limits
    from defplan.formulation import formulate

    count = len(relaxable(formulate(portfolio, options))) if result.status.has_portfolio else 0
    with report.progress(count, "what limits this plan") as advance:
        return with_limits(portfolio, result, options=options, step=step, on_solve=advance)


def _limits_step(text: str | None) -> float | None:
    """--limits-step: an amount of money > 0, or None for the default."""
    from defplan.model import MAX_MAGNITUDE

    step = _number("--limits-step", text, "an amount such as 100")
    if step is not None and not 0 < step <= MAX_MAGNITUDE:
        raise UsageError(f"--limits-step must be an amount > 0 and at most {MAX_MAGNITUDE:g}")
    return step


def _pairs(items: list[str] | None, flag: str, what: str) -> dict[str, float]:
    """KEY=NUMBER options by KEY; a --budget-year's KEY is a whole year, in decimals."""
    from defplan.numbers import read_float, read_number

    pairs: dict[str, float] = {}
    for item in items or ():
        key, sep, raw = item.partition("=")
        key, value = key.strip(), read_float(raw)
        if not sep or not key or value is None:
            raise UsageError(f"{flag} takes {what}=NUMBER, not '{item}'")
        if flag == "--budget-year":
            year = read_number(key)
            if type(year) is not int:
                raise UsageError(f"{flag} takes YEAR=NUMBER with a whole year, not '{item}'")
            key = str(year)
        if key in pairs:
            raise UsageError(f"{flag} names {key} twice")
        pairs[key] = value
    return pairs


def _emit(
    result: "Result", output_format: OutputFormat, *, portfolio: "Portfolio", bom: bool
) -> None:
    from defplan.timing import phase

    with phase("render"):
        _emit_now(result, output_format, portfolio=portfolio, bom=bom)


def _emit_now(
    result: "Result", output_format: OutputFormat, *, portfolio: "Portfolio", bom: bool
) -> None:
    from defplan import report

    if output_format is OutputFormat.json:
        sys.stdout.write(result.to_json())
    elif output_format is OutputFormat.csv:
        _write_csv(report.result_csv(result, portfolio), bom=bom)
    else:
        console = report.make_console()
        on_screen = console.is_terminal and sys.stderr.isatty()  # stderr lists conflicts
        for part in report.result_renderables(
            result, width=console.width, show_conflicts=not on_screen
        ):
            console.print(part)
            console.print()
        if result.alternatives is not None and result.status.has_portfolio:
            from defplan import decision_report

            console.print(decision_report.alternatives_table(result, width=console.width))
            console.print()
        if result.limits is not None:
            from defplan import decision_report

            for part in decision_report.limits_renderables(result, width=console.width):
                console.print(part)
                console.print()


def _check_bom(bom: bool, output_format: OutputFormat) -> None:
    if bom and output_format is not OutputFormat.csv:
        raise UsageError("--bom goes with --format csv only")


def _write_csv(text: str, *, bom: bool) -> None:
    """CSV on stdout; with --bom, UTF-8 after its byte order mark whatever the locale
    (the mark says UTF-8, so the text must be UTF-8)."""
    if not bom:
        sys.stdout.write(text)
        return
    import codecs

    sys.stdout.flush()
    sys.stdout.buffer.write(codecs.BOM_UTF8 + text.encode("utf-8"))
    sys.stdout.buffer.flush()


def _finish(result: "Result") -> None:
    from defplan.result import CONFLICT_HEADING, Status

    for note in result.notes:
        _stderr(f"defplan: note: {note}")
    if result.status is Status.INFEASIBLE:
        lines = ["defplan: infeasible: no portfolio satisfies every constraint."]
        if result.conflicts:
            lines.append(CONFLICT_HEADING)
            lines.extend(f"  - {c}" for c in result.conflict_lines)
        _stderr("\n".join(lines))
        raise typer.Exit(ExitCode.INFEASIBLE)
    if result.status is Status.UNKNOWN:
        _stderr(
            "defplan: the time limit ran out before any portfolio was found; "
            "try a longer --time-limit"
        )
        raise typer.Exit(ExitCode.NO_SOLUTION)
    if result.status is Status.FEASIBLE:
        gap = "unknown" if result.solver.gap is None else f"{100 * result.solver.gap:.3g}%"
        _stderr(
            f"defplan: time limit reached: best portfolio found, not proven optimal (gap {gap})"
        )


@app.command(cls=_Command)
def validate(file: FileArg) -> None:
    """Check a portfolio file and summarise it, or list every problem."""
    with _errors_handled():
        from defplan import report

        portfolio, _, name = _load(file)
        _warn_off_scale(portfolio)
        _warn_plain_costs(portfolio)
        console = report.make_console()
        for part in report.validation_renderables(portfolio, name, width=console.width):
            console.print(part)
            console.print()


@app.command(cls=_Command)
def schema() -> None:
    """Print the JSON Schema of the portfolio format."""
    with _errors_handled():
        import json

        from defplan.schema import portfolio_schema

        sys.stdout.write(json.dumps(portfolio_schema(), indent=2) + "\n")


class _errors_handled:
    """Turn defplan's errors into messages on stderr and SPEC §4 exit codes."""

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> Literal[False]:
        if exc is None or isinstance(exc, typer.Exit | SystemExit):
            return False
        if isinstance(exc, KeyboardInterrupt):
            boundary.stopped()
        if isinstance(exc, BrokenPipeError):
            boundary.quiet_broken_pipe()
        code = boundary.reported(exc, debug=debugging())
        if code is not None:
            _exit(code)
        return False


def _print_profile() -> None:
    import time

    from defplan import STARTED
    from defplan.timing import report

    _stderr(report(time.perf_counter() - STARTED))


_stderr = boundary.say


def _exit(code: int) -> NoReturn:
    raise typer.Exit(int(code))


def debugging() -> bool:
    """True when --debug asked for the tracebacks of internal errors."""
    return bool(_state["debug"])


def run() -> None:
    """Run the command line (defplan.boundary.main, the console script, calls this once it
    has taken the signals and made the standard streams safe)."""
    try:
        app()
    except SystemExit:
        if _state.get("profile"):
            _print_profile()
        raise
