"""The risk of a plan's costs (`defplan risk`): JSON, the tables and the S-curve."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from defplan.formats import RISK_FORMAT
from defplan.render.figures import amount, unit_label

if TYPE_CHECKING:
    from rich.console import RenderableType

    from defplan.analysis.risk import CapOdds, Risk

BAR = 20


def cap_key(name: str) -> tuple[str, str | None, str]:
    """Where a cap's probability goes in the JSON: ("within", None, "total" or YEAR),
    ("within_lines", LINE, YEAR or "total"), ("within_gdp", None, YEAR or LINE.YEAR)."""
    if name == "budget.total":
        return "within", None, "total"
    if name.startswith("budget.per_year."):
        return "within", None, name.removeprefix("budget.per_year.")
    if name.startswith("budget.line."):
        line, key = name.removeprefix("budget.line.").rsplit(".", 1)
        return "within_lines", line, key
    return "within_gdp", None, name.removeprefix("gdp_share.")


def risk_document(r: Risk) -> dict[str, Any]:
    """defplan-risk/1; the fields after `selected` are extras."""
    out: dict[str, Any] = {"format": RISK_FORMAT, "samples": r.samples}
    places: dict[str, dict[str, Any]] = {"within": {}, "within_lines": {}, "within_gdp": {}}
    for cap in r.caps:
        where, line, key = cap_key(cap.name)
        place = places[where] if line is None else places[where].setdefault(line, {})
        place[key] = r.share(cap.within)
    out["within"] = places["within"]
    out.update({k: v for k, v in places.items() if v and k != "within"})  # where caps exist
    drawn = bool(r.samples)
    out["total"] = {f"p{p}": r.percentile(p) for p in (10, 50, 90)} if drawn else None
    out["selected"] = [{"id": cid, "start": start} for cid, start in r.selected]
    out.update(
        {
            "seed": r.seed,
            "cost_level": None if r.base.run is None else r.base.run.cost_level,
            "status": r.base.status.value,
            "within_every_cap": r.share(r.within_every_cap) if drawn else None,
            "money": r.money if drawn else None,
            "expected": r.expected if drawn else None,
            "percentiles": {str(p): v for p, v in r.percentiles},
            "s_curve": [{"money": m, "within": p} for m, p in r.s_curve],
            "drivers": [
                {"id": d.id, "money": d.money, "sd": d.sd, "share": d.share} for d in r.drivers
            ],
            "conflicts": list(r.base.conflicts),
        }
    )
    return out


def risk_json(r: Risk) -> str:
    """The document as JSON text."""
    from defplan.render.jsontext import json_text

    return json_text(risk_document(r))


def risk_renderables(r: Risk, *, width: int = 100) -> list[RenderableType]:
    """What the samples say: the totals, each cap's chance, the S-curve, the drivers."""
    from rich.text import Text

    unit = unit_label(r.base)
    head = Text(f"{r.samples:,} samples of the selection's cost factors (seed {r.seed})\n", "bold")
    level = r.base.run.cost_level if r.base.run is not None else None
    planned = f"planned at P{100 * level:g} costs; " if level is not None else ""
    head.append(
        f"{planned}{len(r.selected)} selected; money at the file's costs "
        f"{amount(r.money)} {unit}, expected {amount(r.expected)} {unit}\n"
        f"total money P10 {amount(r.percentile(10))}, P50 {amount(r.percentile(50))}, "
        f"P90 {amount(r.percentile(90))} {unit}",
        style="",
    )
    parts: list[RenderableType] = [head]
    if r.caps:
        parts.append(_caps_table(r, width))
    parts.append(_s_curve(r, unit, width))
    if r.drivers:
        parts.append(_drivers_table(r, unit, width))
    return parts


def _percent(share: float) -> str:
    """A share as a percentage that says 'not quite' at either end (0 < 1% < 99% < 1)."""
    shown = round(100 * share)
    if 0 < share < 1:
        shown = min(max(shown, 1), 99)
    return f"{shown}%"


def _caps_table(r: Risk, width: int) -> RenderableType:
    from defplan.render.layout import Col, Kind, fitted

    def row(cap: CapOdds) -> list[str]:
        share = r.share(cap.within)
        return [cap.label, _percent(share), "█" * round(share * BAR)]

    at_risk = [cap for cap in r.caps if cap.within < r.samples]
    rows = [row(cap) for cap in at_risk]
    safe = len(r.caps) - len(at_risk)
    if safe:
        rows.append([f"each of the other {safe} caps" if at_risk else "every cap", "100%", ""])
    if at_risk:
        rows.append(["every cap at once", _percent(r.share(r.within_every_cap)), ""])
    columns = [
        Col("cap", overflow="fold"),
        Col("within", Kind.FIGURE),
        Col("chance, 0 to 100%", Kind.FIGURE, justify="left", drop=1, listed=False),
    ]
    return fitted("Chance the plan stays within each cap", columns, rows, width=width)


def _s_curve(r: Risk, unit: str, width: int) -> RenderableType:
    """The S-curve on its side: a row per total money, the bar the share of samples
    that cost no more."""
    from rich.text import Text

    text = Text(f"S-curve: share of samples whose total money is at most ({unit})\n", "bold")
    labels = [amount(m) for m, _ in r.s_curve]
    label_width = max(len(s) for s in labels)
    bar = max(4, min(50, width - label_width - 7))
    for label, (_, share) in zip(labels, r.s_curve, strict=True):
        text.append(f"{label:>{label_width}} ")
        text.append("█" * round(share * bar), style="cyan")
        text.append(f" {_percent(share)}\n")
    return text


def _drivers_table(r: Risk, unit: str, width: int) -> RenderableType:
    from defplan.render.layout import Col, Kind, fitted

    rows = [
        [d.id, amount(d.money), amount(d.sd), _percent(d.share), "█" * round(d.share * BAR)]
        for d in r.drivers
    ]
    columns = [
        Col("candidate", Kind.KEY),
        Col(f"money ({unit})", Kind.FIGURE),
        Col("sd", Kind.FIGURE),
        Col("share of variance", Kind.FIGURE),
        Col("", Kind.FIGURE, justify="left", drop=1, listed=False),
    ]
    return fitted(
        "What drives the risk: each candidate's share of the variance", columns, rows, width=width
    )
