"""`defplan report`'s file: the format its suffix names (checked before any solving),
the briefing gathered with the sweep and the samples asked for, and the file written
atomically (defplan/output.py)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from defplan.errors import UsageError
from defplan.output import check_target

if TYPE_CHECKING:
    from defplan.analysis.briefing import Briefing
    from defplan.formulation import SolveOptions
    from defplan.model import Portfolio
    from defplan.result import Result

FORMATS = (".html", ".xlsx")
MISSING = "--output .xlsx needs openpyxl: pip install 'defplan[excel]'"


def check_report_target(path: Path, *, source: str | None = None) -> None:
    """UsageError before any solving when the report could not be written: a suffix
    other than .html or .xlsx, a target that takes no file, or .xlsx without openpyxl."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(
            f"--output {path}: the file name must end in .html (a page) or .xlsx (a workbook)"
        )
    check_target(path, source=source)
    if suffix == ".xlsx":
        try:
            import openpyxl  # noqa: F401  (only checking that it is there)
        except ImportError:
            raise UsageError(MISSING) from None


def gather(
    portfolio: Portfolio,
    result: Result,
    options: SolveOptions,
    *,
    budgets: Sequence[float] | None,
    samples: int | None,
    seed: int,
    workers: int,
    file: str,
    data: bytes,
) -> Briefing:
    """The briefing of `result`, with the budget frontier at `budgets` and the
    robustness over `samples` when asked for (and the run has a portfolio)."""
    from defplan.analysis.briefing import briefing
    from defplan.render.console import progress

    points = found = None
    if budgets is not None and result.status.has_portfolio:
        from defplan.analysis.sweep import sweep

        with progress(len(budgets), "solving budgets") as advance:
            points = sweep(
                portfolio,
                budgets=budgets,
                options=options,
                file=file,
                data=data,
                workers=workers,
                on_point=advance,
            )
    if samples is not None and result.status.has_portfolio:
        from defplan.analysis.robust import robust

        with progress(samples, "solving samples") as advance:
            found = robust(
                portfolio,
                options=options,
                samples=samples,
                seed=seed,
                workers=workers,
                file=file,
                data=data,
                on_sample=advance,
            )
    return briefing(result, portfolio, sweep=points, robust=found)


def write_report(path: Path, b: Briefing) -> None:
    """The page or the workbook, as the suffix says, written atomically."""
    from defplan import __version__
    from defplan.output import write_output, write_output_bytes

    if path.suffix.lower() == ".xlsx":
        from defplan.render.workbook import workbook_bytes

        write_output_bytes(path, workbook_bytes(b))
    else:
        from defplan.render.page import page_html

        write_output(path, page_html(b, version=__version__))
