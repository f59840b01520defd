"""Tables that fit the console: figures are never cut, ids are cut last, and a console
too narrow for the table gets one line per row instead.

Rich shrinks every column alike when a table is too wide, figures included ("1…"); so
the widths are worked out here and handed to Rich fixed, or the table is not drawn.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    Cell = str | Text

DEFAULT_WIDTH = 80
"""The width of a console whose width is unknown (COLUMNS=0, or not a terminal)."""
MIN_WIDTH = 20
"""Narrower consoles are drawn 20 wide and the terminal wraps the lines."""
MAX_WIDTH = 1000
"""A wider COLUMNS is taken as this: nothing is drawn wider, and huge widths cost time."""
KEY_MIN = 12
"""An id cut shorter than this no longer tells candidates apart."""
TEXT_MIN = 8
FRAME = 3
"""Characters a column adds to a table's width: two of padding and one of border."""


class Kind(Enum):
    """What a column holds, which decides how it may give way."""

    FIGURE = "figure"  # numbers: never cut, never wrapped
    KEY = "key"  # ids: cut with an ellipsis, down to KEY_MIN
    TEXT = "text"  # names, labels, lists: cut or wrapped, down to TEXT_MIN


@dataclass(frozen=True)
class Col:
    """One column of a fitted table."""

    header: str
    kind: Kind = Kind.TEXT
    footer: str = ""
    drop: int | None = None
    """When set, the column may be left out to make room; lower numbers go first."""
    overflow: Literal["fold", "ellipsis"] = "ellipsis"
    """How a TEXT column gives way: 'fold' wraps its text (nothing is lost), 'ellipsis'
    keeps one line and cuts it."""
    label: str | None = None
    """The column's name in the list layout; None: the header in lower case."""
    figures_inside: bool = False
    """A TEXT column whose cells hold figures ('short by 1,250'): never narrower than
    its longest word holding a digit, so a figure is never split."""
    justify: Literal["left", "right"] | None = None
    """None: figures to the right, the rest to the left."""
    listed: bool = True
    """False: left out of the list layout (a bar says nothing there)."""


def console_width(environ: Mapping[str, str] = os.environ) -> int | None:
    """The width COLUMNS asks for, when Rich would misread it: 0 (Rich then draws
    nothing) means unknown, and a width beyond MAX_WIDTH is capped; None otherwise."""
    columns = environ.get("COLUMNS", "").strip()
    if not (columns.isascii() and columns.isdigit()):
        return None  # Rich ignores it too: the terminal's size, or 80
    if int(columns) == 0:
        return DEFAULT_WIDTH
    return min(int(columns), MAX_WIDTH)


def fitted(
    title: str,
    columns: Sequence[Col],
    rows: Sequence[Sequence[Cell]],
    *,
    width: int,
    caption: str | None = None,
    row_styles: Sequence[str] | None = None,
) -> RenderableType:
    """A table of rows at most `width` wide with every figure whole: columns shrink
    (names first, then ids), optional columns drop out, and when even that is too wide
    the rows come as lines 'first cell: column value, ...'."""
    visible = list(range(len(columns)))
    while True:
        widths = _widths([columns[i] for i in visible], [[r[i] for r in rows] for i in visible])
        room = width - FRAME * len(visible) - 1
        natural = sum(w for w, _ in widths)
        if natural <= room:
            chosen = [w for w, _ in widths]
            break
        if sum(m for _, m in widths) <= room:
            chosen = _shrunk(widths, [columns[i].kind for i in visible], room)
            break
        droppable = [i for i in visible if columns[i].drop is not None]
        if not droppable:
            return _listed(title, columns, rows, caption=caption, row_styles=row_styles)
        visible.remove(min(droppable, key=lambda i: (columns[i].drop, -i)))
    return _table(title, columns, rows, visible, chosen, caption=caption, row_styles=row_styles)


def _widths(columns: Sequence[Col], cells: Sequence[Sequence[Cell]]) -> list[tuple[int, int]]:
    """(natural, least) width of each column."""
    found = []
    for col, column_cells in zip(columns, cells, strict=True):
        widest = max((_width(c) for c in (*column_cells, col.footer)), default=0)
        header_word = max((_width(w) for w in col.header.split()), default=0)
        natural = max(widest, _width(col.header))
        if col.kind is Kind.FIGURE:
            least = max(widest, header_word)
        elif col.kind is Kind.KEY:
            least = max(min(natural, KEY_MIN), header_word)
        else:
            least = min(natural, max(TEXT_MIN, header_word))
            if col.figures_inside:
                least = max(least, _longest_figure(column_cells))
        found.append((natural, least))
    return found


def _longest_figure(cells: Sequence[Cell]) -> int:
    words = (w for c in cells for w in (c if isinstance(c, str) else c.plain).split())
    return max((_width(w) for w in words if any(ch.isdigit() for ch in w)), default=0)


def _width(cell: Cell) -> int:
    """The cell's widest line, in terminal cells."""
    from rich.cells import cell_len

    text = cell if isinstance(cell, str) else cell.plain
    return max((cell_len(line) for line in text.split("\n")), default=0)


def _shrunk(widths: list[tuple[int, int]], kinds: list[Kind], room: int) -> list[int]:
    """Each column at its least width, then the room left given back: to the ids first
    (an id cut short can no longer be typed into another command), then shared among
    names and labels in proportion to what each gave up, then to the figure columns
    (whose headers wrap)."""
    chosen = [least for _, least in widths]
    for kind in (Kind.KEY, Kind.TEXT, Kind.FIGURE):
        group = [k is kind for k in kinds]
        spare = room - sum(chosen)
        gave_up = [
            natural - c if g else 0
            for (natural, _), c, g in zip(widths, chosen, group, strict=True)
        ]
        total = sum(gave_up)
        if not total or spare <= 0:
            continue
        extra = [min(g, spare * g // total) for g in gave_up]
        chosen = [c + e for c, e in zip(chosen, extra, strict=True)]
        left = room - sum(chosen)
        for i, (natural, _) in enumerate(widths):  # rounding leftovers, first columns first
            give = min(left, natural - chosen[i]) if group[i] else 0
            chosen[i] += give
            left -= give
    return chosen


def _table(
    title: str,
    columns: Sequence[Col],
    rows: Sequence[Sequence[Cell]],
    visible: list[int],
    widths: list[int],
    *,
    caption: str | None,
    row_styles: Sequence[str] | None,
) -> RenderableType:
    from rich.table import Table
    from rich.text import Text

    footer = any(columns[i].footer for i in visible)
    table = Table(
        title=title or None,
        title_justify="left",
        caption=caption,
        caption_justify="left",
        show_footer=footer,
    )
    for i, w in zip(visible, widths, strict=True):
        col = columns[i]
        cut = col.kind is Kind.KEY or (col.kind is Kind.TEXT and col.overflow == "ellipsis")
        table.add_column(
            Text(col.header, no_wrap=False, overflow="fold") if cut else col.header,
            footer=col.footer,
            justify=col.justify or ("right" if col.kind is Kind.FIGURE else "left"),
            width=w,
            no_wrap=cut,
            overflow="ellipsis" if cut else "fold",
        )
    for k, row in enumerate(rows):
        table.add_row(*(row[i] for i in visible), style=row_styles[k] if row_styles else None)
    return table


def _listed(
    title: str,
    columns: Sequence[Col],
    rows: Sequence[Sequence[Cell]],
    *,
    caption: str | None,
    row_styles: Sequence[str] | None,
) -> RenderableType:
    """The rows as lines, for a console too narrow for the table."""
    from rich.text import Text

    text = Text(title, style="bold") if title else Text()
    listed = [(row, row_styles[k] if row_styles else "") for k, row in enumerate(rows)]
    if any(col.footer for col in columns):
        listed.append(([col.footer for col in columns], ""))
    for row, style in listed:
        line = Text(style=style)
        line.append_text(_flat(row[0]))
        parts = [
            (col, _flat(cell))
            for col, cell in zip(columns[1:], row[1:], strict=True)
            if col.listed and _flat(cell).plain.strip()
        ]
        for k, (col, cell) in enumerate(parts):
            line.append(": " if k == 0 else ", ")
            label = col.header.lower() if col.label is None else col.label
            if label:
                line.append(label + " ")
            line.append_text(cell)
        if text.plain:
            text.append("\n")
        text.append_text(line)
    if caption:
        text.append("\n" + caption)
    return text


def _flat(cell: Cell) -> Text:
    """A cell as one line of styled text."""
    from rich.text import Text

    text = Text(cell) if isinstance(cell, str) else cell.copy()
    return Text(" ").join(text.split("\n")) if "\n" in text.plain else text
