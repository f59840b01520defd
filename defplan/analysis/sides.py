"""The two sides of a diff: each a saved result as it is, or a portfolio solved now."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from defplan.errors import UsageError

if TYPE_CHECKING:
    from defplan.formulation import SolveOptions
    from defplan.model import Portfolio
    from defplan.result import Result


class Sides:
    """Reads each source once (so one file, or stdin, serves both sides) and gives its
    result at a budget. `on_portfolio` sees each portfolio read, with the run's options,
    before it is solved (the CLI warns there)."""

    def __init__(
        self,
        options: SolveOptions,
        on_portfolio: Callable[[Portfolio, SolveOptions], None] = lambda p, o: None,
    ):
        self.options = options
        self.on_portfolio = on_portfolio
        self.read: dict[str, tuple[Result | Portfolio, bytes, str]] = {}

    def name(self, source: str) -> str:
        """A side's file as messages name it ("<stdin>" for -), once it has been read."""
        return self.read[source][2]

    def result(self, source: str, budget: float | None) -> Result:
        """The saved result in source (refusing a budget), or its portfolio's optimum."""
        from defplan.result import Result
        from defplan.solving import optimise

        options = replace(self.options, budget=budget)
        if source not in self.read:
            self.read[source] = _read_side(source)
            loaded = self.read[source][0]
            if not isinstance(loaded, Result):
                self.on_portfolio(loaded, options)
        loaded, data, name = self.read[source]
        if isinstance(loaded, Result):
            if budget is not None:
                raise UsageError(f"{name} is a saved result: its budget is fixed; drop --budget")
            return loaded
        return optimise(loaded, options=options, file=name, data=data)


def _read_side(source: str) -> tuple[Result | Portfolio, bytes, str]:
    """A diff side: the saved result in source, or the portfolio it holds."""
    from defplan.loading import parse_portfolio, read_source
    from defplan.result import read_saved_result

    data, name = read_source(source)
    saved = read_saved_result(data, filename=name)
    return (saved if saved is not None else parse_portfolio(data, filename=name)), data, name
