"""Consoles and progress bars: made here and nowhere else, so colour rules live in one place."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console


def make_console(
    *, stderr: bool = False, file: TextIO | None = None, width: int | None = None
) -> Console:
    """A console that styles only a terminal, and never when NO_COLOR is set.

    Markup is off: names and labels come from the portfolio file, and a '[/]' in one
    must print as written (with markup on, Rich raised MarkupError on it). Styles are
    given as Text objects instead. COLUMNS=0 means an unknown width (80; Rich would
    print nothing), and no console is narrower than layout.MIN_WIDTH.
    """
    from rich.console import Console

    from defplan.render.layout import MIN_WIDTH, console_width

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError  # Rich would exit 1; the CLI ends a closed pipe quietly

    stream = file or (sys.stderr if stderr else sys.stdout)
    plain = "NO_COLOR" in os.environ or not (hasattr(stream, "isatty") and stream.isatty())
    console = _Console(
        file=stream,
        width=width if width is not None else console_width(),
        color_system=None if plain else "auto",
        no_color=plain,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
    )
    if console.width < MIN_WIDTH:
        console.width = MIN_WIDTH
    return console


@contextlib.contextmanager
def progress(total: int, label: str) -> Iterator[Callable[[], None]]:
    """An advance() callback: a transient progress bar on stderr when it is a terminal."""
    if total < 2 or not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    bar = Progress(
        # a plain string column would go through the console, whose markup is off
        TextColumn("{task.description}", style="progress.description", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=make_console(stderr=True),
        transient=True,
    )
    with bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)
