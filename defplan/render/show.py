"""Print an answer on standard output in the format asked for: the one place that
chooses between tables, JSON and CSV."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console, RenderableType


def show(
    output_format: str,
    *,
    tables: Callable[[Console], Iterable[RenderableType]],
    json: Callable[[], str] | None = None,
    csv: Callable[[], str] | None = None,
    bom: bool = False,
    spaced: bool = True,
) -> None:
    """JSON text, CSV text (after a UTF-8 byte order mark with `bom`), or the tables
    fitted to the console, each followed by a blank line when `spaced`. A format the
    answer has no text for (the command's options do not offer it) shows the tables."""
    from defplan.timing import phase

    with phase("render"):
        if output_format == "json" and json is not None:
            sys.stdout.write(json())
        elif output_format == "csv" and csv is not None:
            write_csv(csv(), bom=bom)
        else:
            from defplan.render.console import make_console

            console = make_console()
            for part in tables(console):
                console.print(part)
                if spaced:
                    console.print()


def write_csv(text: str, *, bom: bool) -> None:
    """CSV on stdout; with `bom`, UTF-8 after its byte order mark whatever the locale
    (the mark says UTF-8, so the text must be UTF-8)."""
    if not bom:
        sys.stdout.write(text)
        return
    import codecs

    sys.stdout.flush()
    sys.stdout.buffer.write(codecs.BOM_UTF8 + text.encode("utf-8"))
    sys.stdout.buffer.flush()
