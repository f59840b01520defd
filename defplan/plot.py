"""`sweep --plot` (value against budget) and `risk --plot` (the S-curve of total money)
as an SVG or PNG (matplotlib, an optional extra)."""

from __future__ import annotations

from collections.abc import Sequence
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
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    first = points[0].result
    unit = f"{first.unit} {first.currency}".strip()
    solved = [(p.at, p.result.value) for p in points if p.result.value is not None]
    failed = [p.at for p in points if p.result.value is None]
    year = points[0].share_year
    moved = "budget" if year is None else f"{year} share of GDP"
    figure, axes = plt.subplots(figsize=(8, 4.5), dpi=120)
    try:
        if solved:
            xs, ys = zip(*solved, strict=True)
            axes.plot(xs, ys, marker="o", drawstyle="steps-post", label="best portfolio")
        if failed:
            floor = min((y for _, y in solved), default=0.0)  # marked along the lowest value
            axes.scatter(failed, [floor] * len(failed), marker="x", color="red", label="infeasible")
        axes.set_xlabel(f"Budget ({unit})" if year is None else f"Share of GDP in {year} (%)")
        axes.set_ylabel("Value")
        axes.set_title(f"{first.name or first.file}: value against {moved}")
        axes.grid(True, alpha=0.3)
        axes.legend(loc="lower right")
        _save(figure, path)
    finally:
        plt.close(figure)


def _save(figure: Any, path: Path) -> None:
    """Write the figure to path in the format its suffix names (an SVG without a date,
    so the same figure gives the same bytes)."""
    import io

    from defplan.output import write_output_bytes

    buffer = io.BytesIO()
    kind = FORMATS[path.suffix.lower()]
    metadata = {"Date": None} if kind == "svg" else {}
    figure.savefig(buffer, format=kind, metadata=metadata, bbox_inches="tight")
    write_output_bytes(path, buffer.getvalue(), "--plot")


def write_risk_plot(risk: Risk, path: Path) -> None:
    """Draw `defplan risk`'s S-curve (the share of samples at or below each total, from
    the percentiles), the budget total marked, and write it to path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    unit = f"{risk.base.unit} {risk.base.currency}".strip()
    figure, axes = plt.subplots(figsize=(8, 4.5), dpi=120)
    try:
        money = [m for _, m in risk.percentiles]
        axes.plot(money, [p / 100 for p, _ in risk.percentiles], marker=".", label="samples")
        total = risk.base.budget_total
        if total is not None:
            axes.axvline(total, color="red", linestyle="--", label="budget.total")
        axes.set_xlabel(f"Total money ({unit})")
        axes.set_ylabel("Share of samples at or below")
        axes.set_title(f"{risk.base.name or risk.base.file}: cost risk ({risk.samples:,} samples)")
        axes.grid(True, alpha=0.3)
        axes.legend(loc="lower right")
        _save(figure, path)
    finally:
        plt.close(figure)
