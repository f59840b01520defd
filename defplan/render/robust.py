"""How often each candidate is chosen under disagreement: JSON, CSV and the table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from defplan.render.figures import (
    FORCED_WORDS,
    VALUE_LEGEND,
    csv_text,
    num,
)

if TYPE_CHECKING:
    from rich.console import RenderableType

    from defplan.analysis.robust import Robustness


def robust_csv(r: Robustness) -> str:
    """One row per candidate (file order): id,name,group,share,samples_in,class,selected,
    cost,value; class is core, borderline or exterior, selected is the unperturbed optimum;
    then forced (mandatory, include or exclude) when the file or the run fixes a choice."""
    chosen = set(r.base.selected_ids)
    outcomes = {c.id: c for c in r.base.candidates}
    rows = [
        [
            cid,
            outcomes[cid].name,
            outcomes[cid].group or "",
            num(r.shares[cid]),
            str(count),
            _robust_class(r, count),
            "true" if cid in chosen else "false",
            num(outcomes[cid].cost),
            num(outcomes[cid].value),
            *([outcomes[cid].forced or ""] if r.base.forced else []),
        ]
        for cid, count in zip(r.ids, r.counts, strict=True)
    ]
    header = ["id", "name", "group", "share", "samples_in", "class", "selected", "cost"]
    return csv_text([*header, "value", *(["forced"] if r.base.forced else [])], rows)


def _robust_class(r: Robustness, count: int) -> str:
    if r.feasible > 0 and count == r.feasible:
        return "core"
    return "exterior" if count == 0 else "borderline"


def robust_renderables(r: Robustness, *, width: int = 100) -> list[RenderableType]:
    """Core, borderline and exterior candidates, with each one's share as a bar."""
    from rich.text import Text

    from defplan.render.layout import Col, Kind, fitted

    head = Text(
        f"{r.samples} samples: weights each times a factor in "
        f"[{1 - r.spread:g}, {1 + r.spread:g}], ranges drawn uniformly"
        f"{', costs drawn from their cost_risk' if r.costs_drawn else ''} (seed {r.seed})\n",
        style="bold",
    )
    if r.infeasible:
        head.append(
            f"{r.infeasible} of them had no feasible portfolio at their drawn costs; "
            f"shares are of the other {r.feasible}\n",
            style="",
        )
    head.append(
        f"core {len(r.core)} (in every sampled optimum), borderline {len(r.borderline)}, "
        f"exterior {len(r.exterior)} (in none)",
        style="",
    )
    head.append(f"\nan optimum has the most value ({VALUE_LEGEND})", style="dim")
    shares = r.shares
    bar = 20
    chosen = set(r.base.selected_ids)
    borderline = sorted(r.borderline, key=lambda cid: -shares[cid])  # stable: file order
    forced = r.base.forced
    rows = []
    for cid in (*r.core, *borderline, *r.exterior):
        share = shares[cid]
        shown = min(max(round(100 * share), 1), 99) if 0 < share < 1 else round(100 * share)
        how = [FORCED_WORDS.get(forced.get(cid, ""), "")] if forced else []
        rows.append(
            [cid, f"{shown}%", "█" * round(share * bar), "yes" if cid in chosen else "", *how]
        )
    columns = [
        Col("candidate", Kind.KEY),
        Col("share", Kind.FIGURE),
        Col(BAR_HEADER, Kind.FIGURE, justify="left", drop=1, listed=False),  # never cut
        Col("in the optimum"),
        *([Col("forced", Kind.KEY)] if forced else []),
    ]
    title = "Share of sampled optima that include each candidate"
    return [head, fitted(title, columns, rows, width=width)]


BAR_HEADER = "share, 0 to 100%"
"""The header of robust's bars: what they show, and that a full bar is every sample."""
