"""The report's charts as static SVG text: stacked bars per year against caps, a Gantt
chart, a scatter of cost against value with the efficient frontier, and a step line.

Written here rather than with a plotting library: the page must open anywhere with
nothing fetched and nothing run (no JavaScript), and these four charts need axes, bars,
lines and text only. The palette is Okabe and Ito's, which readers with the common
colour-vision deficiencies tell apart; every series also differs in shape or pattern,
so the charts read in black-and-white print too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
"""Okabe and Ito's colour-blind-safe colours (black aside), in the order series take them."""
INK = "#222222"
MUTED = "#767676"
GRID = "#DDDDDD"
WARN = "#D55E00"

WIDTH = 760
FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif"


def ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]: steps of 1, 2 or 5 times a power of ten."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        high = low + 1.0
    raw = (high - low) / max(1, count)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step + 1e-9) * step
    out = []
    k = 0
    while True:
        value = first + k * step
        out.append(round(value, 12) + 0.0)
        if value >= high - 1e-9 * step:
            return out
        k += 1


def tick_label(x: float) -> str:
    """A tick's value: thousands separated, decimals only where the step needs them."""
    if float(x).is_integer():
        return f"{x:,.0f}"
    return f"{x:,.6g}" if abs(x) >= 1 else f"{x:.3g}"


@dataclass
class Plot:
    """An SVG chart in the making: a title, a plot area with margins, scales, elements."""

    title: str
    height: int = 320
    width: int = WIDTH
    left: int = 80
    right: int = 20
    top: int = 44
    bottom: int = 56
    parts: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.x_range = (0.0, 1.0)
        self.y_range = (0.0, 1.0)

    @property
    def inner(self) -> tuple[float, float, float, float]:
        """The plot area: left, top, right, bottom in pixels."""
        return self.left, self.top, self.width - self.right, self.height - self.bottom

    def x(self, value: float) -> float:
        lo, hi = self.x_range
        x0, _, x1, _ = self.inner
        return x0 + (value - lo) / (hi - lo or 1.0) * (x1 - x0)

    def y(self, value: float) -> float:
        lo, hi = self.y_range
        _, y0, _, y1 = self.inner
        return y1 - (value - lo) / (hi - lo or 1.0) * (y1 - y0)

    def add(self, element: str) -> None:
        self.parts.append(element)

    def text(self, x: float, y: float, words: str, **style: str | float) -> None:
        attrs = " ".join(f'{k.replace("_", "-")}="{v}"' for k, v in style.items())
        self.add(f'<text x="{x:.1f}" y="{y:.1f}" {attrs}>{escape(words)}</text>')

    def rect(self, x: float, y: float, w: float, h: float, **style: str | float) -> None:
        attrs = " ".join(f'{k.replace("_", "-")}="{v}"' for k, v in style.items())
        self.add(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(0.0, w):.1f}" '
            f'height="{max(0.0, h):.1f}" {attrs}/>'
        )

    def line(self, points: Sequence[tuple[float, float]], **style: str | float) -> None:
        attrs = " ".join(f'{k.replace("_", "-")}="{v}"' for k, v in style.items())
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        self.add(f'<polyline points="{path}" fill="none" {attrs}/>')

    def y_axis(self, label: str, values: Sequence[float]) -> None:
        """Scale y to cover values (and 0), with gridlines, tick labels and the label."""
        marks = ticks(min(0.0, *values), max(0.0, *values))
        self.y_range = (marks[0], marks[-1])
        x0, _, x1, _ = self.inner
        for mark in marks:
            y = self.y(mark)
            self.line([(x0, y), (x1, y)], stroke=GRID if mark else MUTED, stroke_width=1)
            self.text(x0 - 6, y + 4, tick_label(mark), text_anchor="end", font_size=11, fill=INK)
        middle = (self.inner[1] + self.inner[3]) / 2
        self.add(
            f'<text transform="translate(16,{middle:.1f}) rotate(-90)" text-anchor="middle" '
            f'font-size="12" fill="{INK}">{escape(label)}</text>'
        )

    def x_axis(self, label: str, values: Sequence[float]) -> None:
        """Scale x to cover values (and 0), with ticks, their labels and the label."""
        marks = ticks(min(0.0, *values), max(values))
        self.x_range = (marks[0], marks[-1])
        _, _, _, y1 = self.inner
        for mark in marks:
            x = self.x(mark)
            self.line([(x, self.inner[1]), (x, y1)], stroke=GRID, stroke_width=1)
            self.text(x, y1 + 16, tick_label(mark), text_anchor="middle", font_size=11, fill=INK)
        self.x_label(label)

    def x_label(self, label: str) -> None:
        centre = (self.inner[0] + self.inner[2]) / 2
        self.text(centre, self.height - 12, label, text_anchor="middle", font_size=12, fill=INK)

    def legend(self, items: Sequence[tuple[str, str]]) -> None:
        """Swatches (an SVG fragment each, drawn at 0,0 in a 14x10 box) and their words,
        in a row under the title."""
        x = float(self.left)
        for swatch, words in items:
            self.add(f'<g transform="translate({x:.1f},{self.top - 20})">{swatch}</g>')
            self.text(x + 18, self.top - 11, words, font_size=11, fill=INK)
            x += 30 + 6.5 * len(words)

    def svg(self) -> str:
        title = escape(self.title)
        return (
            f'<svg viewBox="0 0 {self.width} {self.height}" '
            f'width="{self.width}" height="{self.height}" role="img" '
            f'style="{FONT};max-width:100%;height:auto">'
            f"<title>{title}</title>"
            f'<text x="{self.left}" y="18" font-size="14" font-weight="bold" '
            f'fill="{INK}">{title}</text>' + "".join(self.parts) + "</svg>"
        )


def _box(colour: str, pattern: str | None = None) -> str:
    fill = f"url(#{pattern})" if pattern else colour
    return f'<rect width="14" height="10" fill="{fill}" stroke="{colour}"/>'


def _patterns(colours: Sequence[str]) -> str:
    """A hatch per colour after the first, so stacked parts differ in print too."""
    out = ["<defs>"]
    for k, colour in enumerate(colours):
        lines = (
            ""
            if k == 0
            else (f'<path d="M0,6 L6,0" stroke="white" stroke-width="{1 + k % 3}" opacity="0.7"/>')
        )
        out.append(
            f'<pattern id="p{k}-{colour[1:]}" width="6" height="6" '
            f'patternUnits="userSpaceOnUse" patternTransform="rotate({45 * (k % 4)})">'
            f'<rect width="6" height="6" fill="{colour}"/>{lines}</pattern>'
        )
    out.append("</defs>")
    return "".join(out)


def stacked_bars(
    title: str,
    unit: str,
    years: Sequence[int],
    parts: Sequence[tuple[str, dict[int, float]]],
    caps: dict[int, float],
    cap_label: str,
) -> str:
    """A bar per year, its parts stacked bottom first, the cap as a dark tick across the
    year's slot; a bar over its cap has a warning outline."""
    plot = Plot(title, width=620)
    colours = [PALETTE[k % len(PALETTE)] for k in range(len(parts))]
    plot.add(_patterns(colours))
    names = [f"p{k}-{c[1:]}" for k, c in enumerate(colours)]
    totals = {y: math.fsum(max(0.0, p.get(y, 0.0)) for _, p in parts) for y in years}
    plot.y_axis(unit, [*totals.values(), *caps.values(), 0.0])
    x0, _, x1, _ = plot.inner
    slot = (x1 - x0) / max(1, len(years))
    for k, year in enumerate(years):
        left = x0 + k * slot + slot * 0.15
        base = 0.0
        for (_, part), pattern, colour in zip(parts, names, colours, strict=True):
            money = max(0.0, part.get(year, 0.0))
            if money:
                plot.rect(
                    left,
                    plot.y(base + money),
                    slot * 0.7,
                    plot.y(base) - plot.y(base + money),
                    fill=f"url(#{pattern})",
                    stroke=colour,
                )
            base += money
        cap = caps.get(year)
        if cap is not None:
            over = totals[year] > cap * (1 + 1e-9) + 1e-9
            if over:
                plot.rect(
                    left,
                    plot.y(base),
                    slot * 0.7,
                    plot.y(0) - plot.y(base),
                    fill="none",
                    stroke=WARN,
                    stroke_width=2,
                )
            y = plot.y(cap)
            plot.line(
                [(left - slot * 0.1, y), (left + slot * 0.8, y)], stroke=INK, stroke_width=2.5
            )
        if len(years) <= 16 or k % 2 == 0:
            plot.text(
                left + slot * 0.35,
                plot.inner[3] + 16,
                str(year),
                text_anchor="middle",
                font_size=11,
                fill=INK,
            )
    plot.x_label("Year")
    legend = [(_box(c, n), label) for (label, _), c, n in zip(parts, colours, names, strict=True)]
    if caps:
        legend.append((f'<path d="M0,5 L14,5" stroke="{INK}" stroke-width="2.5"/>', cap_label))
    plot.legend(legend)
    return plot.svg()


@dataclass(frozen=True)
class Task:
    """A Gantt row: the years it invests (start to delivery), whether it runs on after,
    and the earliest start its window allowed."""

    label: str
    start: int
    delivered: int
    runs: bool
    earliest: int | None = None


def gantt(title: str, tasks: Sequence[Task], years: tuple[int, int]) -> str:
    """A row per task across the horizon: solid while it invests, hatched while it runs
    after delivery, a thin line from its earliest start to the start taken (the slip)."""
    first, last = years
    row = 18
    label_width = min(260, 20 + 6.6 * max((len(t.label) for t in tasks), default=4))
    plot = Plot(title, height=70 + row * len(tasks) + 30, left=int(label_width))
    plot.x_range = (first, last + 1)
    x0, y0, x1, y1 = plot.inner
    plot.add(
        '<defs><pattern id="running" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="white"/>'
        f'<path d="M0,0 L0,6" stroke="{PALETTE[1]}" stroke-width="3"/></pattern></defs>'
    )
    for year in range(first, last + 2):
        x = plot.x(year)
        plot.line([(x, y0), (x, y1)], stroke=GRID, stroke_width=1)
        if year <= last:
            plot.text(
                x + (x1 - x0) / (last + 1 - first) / 2,
                y1 + 16,
                str(year),
                text_anchor="middle",
                font_size=10,
                fill=INK,
            )
    for k, t in enumerate(tasks):
        top = y0 + 4 + k * row
        plot.text(x0 - 6, top + 11, t.label, text_anchor="end", font_size=11, fill=INK)
        if t.earliest is not None and t.earliest < t.start:
            plot.line(
                [(plot.x(t.earliest), top + 7), (plot.x(t.start), top + 7)],
                stroke=MUTED,
                stroke_width=2,
                stroke_dasharray="3,2",
            )
        plot.rect(
            plot.x(t.start), top, plot.x(t.delivered + 1) - plot.x(t.start), 14, fill=PALETTE[0]
        )
        if t.runs and t.delivered < last:
            plot.rect(
                plot.x(t.delivered + 1),
                top + 2,
                plot.x(last + 1) - plot.x(t.delivered + 1),
                10,
                fill="url(#running)",
                stroke=PALETTE[1],
            )
    plot.x_label("Year")
    plot.legend(
        [
            (_box(PALETTE[0]), "investment (start to delivery)"),
            (
                f'<rect width="14" height="10" fill="url(#running)" stroke="{PALETTE[1]}"/>',
                "running after delivery",
            ),
            (
                f'<path d="M0,5 L14,5" stroke="{MUTED}" stroke-width="2" stroke-dasharray="3,2"/>',
                "slip from the earliest start",
            ),
        ]
    )
    return plot.svg()


@dataclass(frozen=True)
class Dot:
    """A candidate on the value-for-money chart."""

    label: str
    cost: float
    value: float
    selected: bool
    on_frontier: bool


def value_for_money(title: str, unit: str, dots: Sequence[Dot]) -> str:
    """Cost against value for every candidate: selected ones filled squares, the others
    open circles, the efficient frontier a step line through its candidates (labelled)."""
    plot = Plot(title, height=400)
    plot.x_axis(f"Cost ({unit})", [d.cost for d in dots])
    plot.y_axis("Value (points)", [d.value for d in dots])
    frontier = sorted((d for d in dots if d.on_frontier), key=lambda d: (d.cost, d.value))
    steps: list[tuple[float, float]] = []
    for k, d in enumerate(frontier):
        if k:
            steps.append((plot.x(d.cost), plot.y(frontier[k - 1].value)))
        steps.append((plot.x(d.cost), plot.y(d.value)))
    if steps:
        plot.line(steps, stroke=PALETTE[2], stroke_width=2, stroke_dasharray="6,3")
    for d in sorted(dots, key=lambda d: d.selected):
        x, y = plot.x(d.cost), plot.y(d.value)
        if d.selected:
            plot.rect(x - 4.5, y - 4.5, 9, 9, fill=PALETTE[0], stroke="white")
        else:
            plot.add(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="white" '
                f'stroke="{PALETTE[5]}" stroke-width="1.5"/>'
            )
    for d in frontier:
        x = plot.x(d.cost)
        if x + 7 + 6.0 * len(d.label) > plot.width:  # it would be cut: the label goes left
            plot.text(
                x - 7, plot.y(d.value) - 6, d.label, text_anchor="end", font_size=10, fill=INK
            )
        else:
            plot.text(x + 7, plot.y(d.value) - 6, d.label, font_size=10, fill=INK)
    plot.legend(
        [
            (f'<rect x="2" width="10" height="10" fill="{PALETTE[0]}"/>', "selected"),
            (
                f'<circle cx="7" cy="5" r="4.5" fill="white" stroke="{PALETTE[5]}" '
                'stroke-width="1.5"/>',
                "not selected",
            ),
            (
                f'<path d="M0,5 L14,5" stroke="{PALETTE[2]}" stroke-width="2" '
                'stroke-dasharray="6,3"/>',
                "efficient frontier",
            ),
        ]
    )
    return plot.svg()


def step_line(
    title: str, x_label: str, points: Sequence[tuple[float, float | None]], y_label: str
) -> str:
    """y against x as a step line with a dot per point; a point without a y is a cross
    on the x axis (no portfolio there)."""
    plot = Plot(title)
    known = [(x, y) for x, y in points if y is not None]
    plot.x_axis(x_label, [x for x, _ in points])
    plot.y_axis(y_label, [y for _, y in known] or [0.0])
    steps: list[tuple[float, float]] = []
    for k, (x, y) in enumerate(known):
        if k:
            steps.append((plot.x(x), plot.y(known[k - 1][1])))
        steps.append((plot.x(x), plot.y(y)))
    if steps:
        plot.line(steps, stroke=PALETTE[0], stroke_width=2)
    for x, y in known:
        plot.add(f'<circle cx="{plot.x(x):.1f}" cy="{plot.y(y):.1f}" r="3.5" fill="{PALETTE[0]}"/>')
    for x, y in points:
        if y is None:
            cx, cy = plot.x(x), plot.y(0.0)
            plot.line([(cx - 4, cy - 4), (cx + 4, cy + 4)], stroke=WARN, stroke_width=2)
            plot.line([(cx - 4, cy + 4), (cx + 4, cy - 4)], stroke=WARN, stroke_width=2)
    plot.legend(
        [
            (f'<circle cx="7" cy="5" r="3.5" fill="{PALETTE[0]}"/>', "best portfolio"),
            (f'<path d="M3,1 L11,9 M3,9 L11,1" stroke="{WARN}" stroke-width="2"/>', "no portfolio"),
        ]
    )
    return plot.svg()
