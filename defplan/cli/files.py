"""The commands about the file format itself: `validate` and `schema`."""

import sys

from defplan.cli.app import command
from defplan.cli.options import FileArg
from defplan.cli.steps import load, warn_off_scale, warn_plain_costs


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
        json=lambda: "",
        tables=lambda console: validation_renderables(portfolio, name, width=console.width),
    )


@command
def schema() -> None:
    """Print the JSON Schema of the portfolio format."""
    import json

    from defplan.schema import portfolio_schema

    sys.stdout.write(json.dumps(portfolio_schema(), indent=2) + "\n")
