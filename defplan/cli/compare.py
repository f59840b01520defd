"""`defplan diff`: two results side by side: two saved runs, two files, or one file at
two budgets."""

from typing import TYPE_CHECKING, Annotated

import typer

from defplan.cli.app import command
from defplan.cli.options import TableOrJson, TableOrJsonOpt, number, run_options
from defplan.cli.steps import no_solution, warn_plain_costs
from defplan.errors import UsageError

if TYPE_CHECKING:
    from defplan.formulation import SolveOptions

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
