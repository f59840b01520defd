"""`sweep --plot` (value against budget) and `risk --plot` (the S-curve of total money)
as an SVG or PNG (matplotlib, an optional extra)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from defplan.errors import UsageError
from defplan.output import check_target

if TYPE_CHECKING:
    from defplan.analysis.risk import Risk
    from defplan.analysis.sweep import SweepPoint

FORMATS = {".svg": "svg", ".png": "png"}
MISSING = "--plot needs matplotlib: pip install 'defplan[plot]'"


def check_plot_target(path: Path, *, source: str | None = None) -> None:
    """UsageError before any solving when the plot could not be written (or would
    overwrite `source`, the portfolio file)."""
    if path.suffix.lower() not in FORMATS:
        raise UsageError(f"--plot {path}: the file name must end in .svg or .png")
    check_target(path, "--plot", source=source)
    try:
        import matplotlib  # noqa: F401  (only checking that it is there)
    except ImportError:
        raise UsageError(MISSING) from None


def write_frontier_plot(points: Sequence[SweepPoint], path: Path) -> None:
    """Draw value against budget, infeasible budgets marked, and write it to path."""
    first = points[0].result
    unit = f"{first.unit} {first.currency}".strip()
    solved = [(p.at, p.result.value) for p in points if p.result.value is not None]
    failed = [p.at for p in points if p.result.value is None]
    year = points[0].share_year
    moved = "budget" if year is None else f"{year} share of GDP"
    xlabel = f"Budget ({unit})" if year is None else f"Share of GDP in {year} (%)"
    title = f"{first.name or first.file}: value against {moved}"
    with _drawn(path, xlabel, "Value", title) as axes:
        if solved:
            xs, ys = zip(*solved, strict=True)
            axes.plot(xs, ys, marker="o", drawstyle="steps-post", label="best portfolio")
        if failed:
            floor = min((y for _, y in solved), default=0.0)  # marked along the lowest value
            axes.scatter(failed, [floor] * len(failed), marker="x", color="red", label="infeasible")


def write_risk_plot(risk: Risk, path: Path) -> None:
    """Draw `defplan risk`'s S-curve (the share of samples at or below each total, from
    the percentiles), the budget total marked, and write it to path."""
    unit = f"{risk.base.unit} {risk.base.currency}".strip()
    title = f"{risk.base.name or risk.base.file}: cost risk ({risk.samples:,} samples)"
    with _drawn(path, f"Total money ({unit})", "Share of samples at or below", title) as axes:
        money = [m for _, m in risk.percentiles]
        axes.plot(money, [p / 100 for p, _ in risk.percentiles], marker=".", label="samples")
        total = risk.base.budget_total
        if total is not None:
            axes.axvline(total, color="red", linestyle="--", label="budget.total")


@contextmanager
def _drawn(path: Path, xlabel: str, ylabel: str, title: str) -> Iterator[Any]:
    """Axes to draw on; then labelled, gridded, with a legend, written to path in the
    format its suffix names (an SVG without a date, so the same figure gives the same
    bytes)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from defplan.output import write_output_bytes

    figure, axes = plt.subplots(figsize=(8, 4.5), dpi=120)
    try:
        yield axes
        axes.set_xlabel(xlabel)
        axes.set_ylabel(ylabel)
        axes.set_title(title)
        axes.grid(True, alpha=0.3)
        axes.legend(loc="lower right")
        buffer = io.BytesIO()
        kind = FORMATS[path.suffix.lower()]
        metadata = {"Date": None} if kind == "svg" else {}
        figure.savefig(buffer, format=kind, metadata=metadata, bbox_inches="tight")
    finally:
        plt.close(figure)
    write_output_bytes(path, buffer.getvalue(), "--plot")
