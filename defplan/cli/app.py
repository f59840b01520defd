"""The typer application: its global options, the error hook every command shares, and
the entry point that `defplan.boundary.main` calls."""

import functools
from collections.abc import Callable
from typing import Annotated, ParamSpec, TypeVar

import typer

from defplan import boundary
from defplan.cli.help import Command, Commands

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    cls=Commands,
    name="defplan",
    help="Defence budget and capability portfolio optimiser.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_state: dict[str, bool] = {"debug": False, "profile": False}


def _version(value: bool) -> None:
    if value:
        from defplan import __version__

        typer.echo(f"defplan {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of internal errors.")
    ] = False,
    profile: Annotated[
        bool,
        typer.Option(
            "--profile", "-v", help="Print where the time went (phases, peak memory) on stderr."
        ),
    ] = False,
) -> None:
    """Defence budget and capability portfolio optimiser."""
    _state["debug"] = debug
    _state["profile"] = profile


def command(func: Callable[P, None]) -> Callable[P, None]:
    """Register a defplan command whose errors become messages and exit codes: defplan's
    own errors (docs/commands.md), Ctrl-C, a closed pipe and the machine's limits go
    through `defplan.boundary`; anything else is a bug (exit 1)."""

    @functools.wraps(func)
    def handled(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            func(*args, **kwargs)
        except (typer.Exit, SystemExit):
            raise
        except KeyboardInterrupt:
            boundary.stopped()
        except BrokenPipeError:
            boundary.quiet_broken_pipe()
        except BaseException as exc:
            code = boundary.reported(exc, debug=debugging())
            if code is None:
                raise
            raise typer.Exit(int(code)) from None

    app.command(cls=Command)(handled)
    return handled


def debugging() -> bool:
    """True when --debug asked for the tracebacks of internal errors."""
    return _state["debug"]


def run() -> None:
    """Run the command line (defplan.boundary.main, the console script, calls this once it
    has taken the signals and made the standard streams safe)."""
    try:
        app()
    except SystemExit:
        if _state["profile"]:
            _print_profile()
        raise


def _print_profile() -> None:
    import time

    from defplan import STARTED
    from defplan.timing import report

    boundary.say(report(time.perf_counter() - STARTED))
