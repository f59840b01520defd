"""The typer application: how its commands parse and print --help, its global options,
the error hook every command shares, and the entry point `defplan.boundary.main` calls."""

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer
from typer.core import TyperCommand, TyperGroup

from defplan import boundary

if TYPE_CHECKING:
    from typer._click.core import Command as ClickCommand
    from typer._click.formatting import HelpFormatter


class _PlainHelp:
    """--help without a type after a parameter: typer 0.29 adds `<bool>` after every flag
    (which takes no value) and `<str>` after every argument (whose metavar says what it
    is), and only an option's metavar replaces it."""

    def format_help(self, ctx: typer.Context, formatter: "HelpFormatter") -> None:
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            if param.param_type_name == "argument" or getattr(param, "is_flag", False):
                param.display_type_rich = _no_type  # this parameter's, not the class's
        super().format_help(ctx, formatter)  # type: ignore[misc]


def _no_type(ctx: typer.Context) -> None:
    return None


class Command(_PlainHelp, TyperCommand):
    """A command whose usage line reads `defplan diff [OPTIONS] LEFT [RIGHT]`, as
    click writes it (typer 0.29 writes a required argument `{LEFT}`)."""

    def collect_usage_pieces(self, ctx: typer.Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = param.metavar or param.human_readable_name
                pieces.append(name if param.required else f"[{name}]")
        return pieces


class Commands(_PlainHelp, TyperGroup):
    """defplan's commands, which also refuse a single-valued option given twice: click
    keeps the last one silently, so `--budget 5000 --budget 6000` solved at 6000."""

    def resolve_command(
        self, ctx: typer.Context, args: list[str]
    ) -> "tuple[str | None, ClickCommand | None, list[str]]":
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None and not ctx.resilient_parsing:
            _refuse_repeated_options(command, name, rest, ctx)
        return name, command, rest


def _refuse_repeated_options(
    command: "ClickCommand", name: str | None, args: list[str], parent: typer.Context
) -> None:
    """BadParameter (exit 2) naming the first single-valued option that args give more
    than once. Options meant to repeat (`--weight`, `diff --budget`) are lists."""
    context = command.context_class(command, info_name=name, parent=parent, resilient_parsing=True)
    _, _, order = command.make_parser(context).parse_args(args=list(args))
    options = [p for p in order if p.param_type_name == "option"]
    for param in dict.fromkeys(options):
        times = options.count(param)
        if times > 1 and not (param.multiple or param.is_flag or param.count):  # type: ignore[attr-defined]
            shown = "twice" if times == 2 else f"{times} times"
            raise typer.BadParameter(f"given {shown}; give it once", ctx=context, param=param)


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


def named(name: str) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """`command` under a name Python does not allow for a function (`import`)."""
    return functools.partial(command, name=name)


def command(func: Callable[P, None], name: str | None = None) -> Callable[P, None]:
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

    app.command(name, cls=Command)(handled)
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
