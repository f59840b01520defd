"""The command line's options: their types and help, and the parsers that read their
values with a portfolio file's number grammar (defplan.numbers), at the edge."""

import functools
import inspect
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from defplan import boundary
from defplan.errors import UsageError

if TYPE_CHECKING:
    from defplan.formulation import SolveOptions


class OutputFormat(StrEnum):
    """How a command prints its answer: a table, JSON or CSV."""

    table = "table"
    json = "json"
    csv = "csv"


class TableOrJson(StrEnum):
    """How a decision-support command prints its answer."""

    table = "table"
    json = "json"


def number(flag: str, text: str | None, example: str) -> float | None:
    """A numeric option's value, read as a portfolio file's numbers are; UsageError
    naming the flag when it is not a number."""
    from defplan.numbers import read_float

    if text is None:
        return None
    value = read_float(text)
    if value is None:
        raise UsageError(f"{flag} takes {example}, not '{text}'")
    return value


def positive_amount(flag: str, text: str | None, what: str, example: str) -> float | None:
    """An option that must be > 0 and at most the largest number a file may hold."""
    from defplan.model import MAX_MAGNITUDE

    value = number(flag, text, example)
    if value is not None and not 0 < value <= MAX_MAGNITUDE:
        raise UsageError(f"{flag} must be {what} > 0 and at most {MAX_MAGNITUDE:g}")
    return value


def whole_number(minimum: int | None = None) -> Callable[[str | int], int]:
    """The parser of a whole-number option: the grammar of a portfolio file's numbers,
    where typer's would take `1_000`, ` 5` and `5.0`."""

    def parse(text: str | int) -> int:
        from defplan.numbers import read_number

        value = text if isinstance(text, int) else read_number(text)  # a default is an int
        if type(value) is not int:
            raise typer.BadParameter(f"expected a whole number, not '{text}'")
        if minimum is not None and value < minimum:
            raise typer.BadParameter(f"{value} is below the least allowed, {minimum}")
        return value

    return parse


def _at_most_the_cores(workers: int) -> int:
    """--workers capped at this machine's cores (more only cost memory), saying so."""
    from defplan.workers import cores

    available = cores()
    if workers <= available:
        return workers
    boundary.say(
        f"defplan: note: --workers {workers} capped at {available}, the cores of this machine"
    )
    return available


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
StartOpt = Annotated[
    list[str] | None,
    typer.Option(metavar="ID=YEAR", help="Force a candidate in, starting in YEAR; repeatable."),
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
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        metavar="ADDRESS",
        help="Send the work to this Dask scheduler (tcp://HOST:PORT; default: "
        "$DEFPLAN_SCHEDULER, else this machine). Needs defplan[dask].",
    ),
]
WorkersOpt = Annotated[
    int,
    typer.Option(
        metavar="N",
        parser=whole_number(1),
        callback=_at_most_the_cores,
        help="Solve in N processes (at most one per core of this machine).",
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        metavar="PATH",
        help="Also write the JSON result to PATH: a file (replaced atomically), a device "
        "or a pipe.",
    ),
]
CostLevelOpt = Annotated[
    str | None,
    typer.Option(
        metavar="Q",
        help="Plan each candidate's money at the Q-quantile of its cost_risk factor "
        "(0 < Q < 1; 0.8 for P80).",
    ),
]


def _run_parameters(*, budget: bool, weights: bool) -> list[inspect.Parameter]:
    """The options every solving command shares, in the order --help lists them."""
    shared: list[tuple[str, Any, Any]] = [
        ("budget", BudgetOpt, None),
        ("budget_year", BudgetYearOpt, None),
        ("weight", WeightOpt, None),
        ("include", IncludeOpt, None),
        ("exclude", ExcludeOpt, None),
        ("start", StartOpt, None),
        ("solver", SolverOpt, "auto"),
        ("time_limit", TimeLimitOpt, None),
        ("cost_level", CostLevelOpt, None),
    ]
    chosen = [s for s in shared if (budget or s[0] != "budget") and (weights or s[0] != "weight")]
    keyword = inspect.Parameter.KEYWORD_ONLY
    return [inspect.Parameter(n, keyword, annotation=a, default=d) for n, a, d in chosen]


def run_options(
    *, budget: bool = True, weights: bool = True
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command the shared solving options in place of its `options` parameter,
    which it then receives as one checked SolveOptions (`budget=False`: the command
    reads its own --budget; `weights=False`: it takes no --weight).

    typer builds a command's options from its signature, so the wrapper shows typer a
    signature with the shared options where `options` stood, and turns their values
    into the SolveOptions before calling the command."""

    def decorate(func: Callable[..., None]) -> Callable[..., None]:
        own = inspect.signature(func)
        injected = _run_parameters(budget=budget, weights=weights)
        names = [p.name for p in injected]
        parameters: list[inspect.Parameter] = []
        for param in own.parameters.values():
            if param.name == "options":
                parameters.extend(injected)
            else:
                parameters.append(param.replace(kind=inspect.Parameter.KEYWORD_ONLY))

        @functools.wraps(func)
        def with_options(**kwargs: Any) -> None:
            given = {name: kwargs.pop(name) for name in names}
            return func(**kwargs, options=solve_options(**given))

        with_options.__signature__ = own.replace(parameters=parameters)  # type: ignore[attr-defined]
        with_options.__annotations__ = {p.name: p.annotation for p in parameters}
        return with_options

    return decorate


def solve_options(
    *,
    budget: str | None = None,
    budget_year: list[str] | None = None,
    weight: list[str] | None = None,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    start: list[str] | None = None,
    solver: str = "auto",
    time_limit: str | None = None,
    cost_level: str | None = None,
) -> "SolveOptions":
    """The run options shared by the commands that solve, checked."""
    from defplan.cost_risk import check_level
    from defplan.formulation import SolveOptions

    seconds = positive_amount(
        "--time-limit", time_limit, "a number of seconds", "a number of seconds such as 30"
    )
    level = number("--cost-level", cost_level, "a probability such as 0.8")
    check_level(level)
    return SolveOptions(
        budget=number("--budget", budget, "a number such as 6000"),
        budget_per_year={
            int(k): v for k, v in _pairs(budget_year, "--budget-year", "YEAR").items()
        },
        weights=_pairs(weight, "--weight", "OBJ"),
        include=tuple(include or ()),
        exclude=tuple(exclude or ()),
        starts=_starts(start),
        solver=solver.lower(),
        time_limit=seconds,
        cost_level=level,
    )


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


def _starts(items: list[str] | None) -> dict[str, int]:
    """--start ID=YEAR options by ID."""
    from defplan.numbers import read_number

    starts: dict[str, int] = {}
    for item in items or ():
        key, sep, raw = item.partition("=")
        key, year = key.strip(), read_number(raw)
        if not sep or not key or type(year) is not int:
            raise UsageError(f"--start takes ID=YEAR with a whole year, not '{item}'")
        if key in starts:
            raise UsageError(f"--start names {key} twice")
        starts[key] = year
    return starts


def check_bom(bom: bool, output_format: OutputFormat) -> None:
    """--bom goes with CSV only."""
    if bom and output_format is not OutputFormat.csv:
        raise UsageError("--bom goes with --format csv only")
