"""The `defplan` command line: each command parses its options, calls the library and
shows the answer; errors become messages and exit codes in one place (`app.command`).

`app` holds the typer application and the entry point; `options` the shared options and
their parsers; `steps` what every command does around its own work; one module per
group of commands registers them on import.

No `from __future__ import annotations` in this package: typer would then evaluate every
parameter's annotation from a string on every start, which slows `defplan --version`.
Names only imported for type checking are quoted instead.
"""

# Importing a command module registers its commands, in the order --help lists them.
from defplan.cli import optimise  # noqa: I001, F401
from defplan.cli import analyses, compare, files  # noqa: F401
from defplan.cli.app import app, debugging, run

__all__ = ["app", "debugging", "run"]
