"""How typer's commands parse and print --help: usage lines as click writes them, no
type after a flag, and a single-valued option given twice refused."""

from typing import TYPE_CHECKING

import typer
from typer.core import TyperCommand, TyperGroup

if TYPE_CHECKING:
    from typer._click.core import Command
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
    ) -> "tuple[str | None, Command | None, list[str]]":
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None and not ctx.resilient_parsing:
            _refuse_repeated_options(command, name, rest, ctx)
        return name, command, rest


def _refuse_repeated_options(
    command: "Command", name: str | None, args: list[str], parent: typer.Context
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
