"""The `defplan` command line: each command parses its options, calls the library and
shows the answer; errors become messages and exit codes in one place (`app.command`).

`app` holds the typer application, its error hook and the entry point; `options` the
shared options and their parsers; `steps` what every command does around its own work;
`commands` the commands themselves. Few modules on purpose: each one loaded costs
start-up time, which every scripted run pays.

No `from __future__ import annotations` in this package: typer would then evaluate every
parameter's annotation from a string on every start, which slows `defplan --version`.
Names only imported for type checking are quoted instead.
"""

from defplan.cli import commands  # noqa: F401  (registers the commands on import)
from defplan.cli.app import app, debugging, run

__all__ = ["app", "debugging", "run"]
