"""The user's manual against the tool: README.md and docs/ describe what defplan does.

- every command and each of its options is documented in docs/commands.md;
- every key of the portfolio schema appears in docs/file-format.md;
- no user-facing page points outside the repository (the contract, issue numbers);
- the examples are real: each `$ ` command in a ```console block runs (in a scratch
  folder holding a copy of portfolios/ and schema/) and exits 0, and the output shown
  under it is what it prints. Shown lines must appear in the real output in the same
  order (stdout and stderr each in order); a line starting with `...` marks where
  the page leaves lines out. ```sh blocks are run as whole scripts that must exit 0,
  unless the line before the fence says `<!-- not run: REASON -->`; a fenced block
  after `<!-- file: NAME -->` is written to NAME first, as a reader would save it.
  Exit codes other than 0 are shown with `; echo "exit $?"`, so they are checked too.
  Output that varies between runs (timings, a time limit's gap) goes in ```text blocks.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
import typer

from defplan.cli import app

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
USER_PAGES = [ROOT / "README.md", ROOT / "SECURITY.md", *sorted(DOCS.glob("*.md"))]
SCHEMA = ROOT / "schema" / "portfolio-1.schema.json"


def markdown_text(path: Path) -> str:
    """A page's text without HTML comments (placeholders do not document anything)."""
    return re.sub(r"<!--.*?-->", "", path.read_text(encoding="utf-8"), flags=re.S)


# -- every command and option is documented ------------------------------------------------


def cli_commands() -> dict[str, Any]:
    """The subcommands `defplan --help` lists, by name (click commands, as typer builds them)."""
    return dict(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def option_names(command: Any) -> list[str]:
    """Every spelling of every option of a command (`--budget`, `-v`), --help aside."""
    return [
        name
        for param in command.params
        if param.param_type_name == "option"
        for name in param.opts
        if name != "--help"
    ]


def sections(text: str) -> dict[str, str]:
    """A page's `## NAME ...` sections by their first word."""
    found: dict[str, str] = {}
    for part in re.split(r"^## ", text, flags=re.M)[1:]:
        found[part.split(None, 1)[0].strip("`:")] = part
    return found


def test_every_command_has_a_section_in_commands_md() -> None:
    documented = sections(markdown_text(DOCS / "commands.md"))
    missing = sorted(set(cli_commands()) - set(documented))
    assert not missing, f"docs/commands.md has no '## NAME' section for: {missing}"


@pytest.mark.parametrize("name", sorted(cli_commands()))
def test_every_option_is_documented_in_its_section(name: str) -> None:
    section = sections(markdown_text(DOCS / "commands.md")).get(name, "")
    missing = [o for o in option_names(cli_commands()[name]) if f"`{o}" not in section]
    assert not missing, f"docs/commands.md, section '{name}', does not describe {missing}"


def test_global_options_are_documented() -> None:
    section = sections(markdown_text(DOCS / "commands.md")).get("Global", "")
    group = typer.main.get_command(app)
    missing = [o for o in option_names(group) if f"`{o}" not in section]
    assert not missing, f"docs/commands.md, '## Global options', does not describe {missing}"


def test_every_exit_code_is_documented() -> None:
    from defplan.errors import ExitCode

    text = markdown_text(DOCS / "commands.md")
    missing = [c for c in ExitCode if not re.search(rf"^\| {int(c)} \|", text, flags=re.M)]
    assert not missing, f"the exit code table in docs/commands.md lacks {missing}"


# -- every key of the file format is documented --------------------------------------------


def schema_keys(node: object, defs: dict[str, object]) -> set[str]:
    """Every property name in a JSON Schema, following $ref, recursively."""
    keys: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            target = defs.pop(name, None)  # each definition once
            return schema_keys(target, defs)
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                keys |= set(value)
            keys |= schema_keys(value, defs)
    elif isinstance(node, list):
        for value in node:
            keys |= schema_keys(value, defs)
    return keys


def test_every_schema_key_is_in_file_format_md() -> None:
    import json

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    keys = schema_keys(schema, dict(schema.get("$defs", {})))
    assert {"objectives", "candidates", "per_year", "min_share", "at_most"} <= keys
    text = markdown_text(DOCS / "file-format.md")
    missing = sorted(k for k in keys if f"`{k}" not in text)
    assert not missing, f"docs/file-format.md does not describe the keys {missing}"


# -- user-facing text stays inside the repository ------------------------------------------

OUTSIDE = re.compile(r"\.\./shared|\bSPEC\b|§|\bissues? \d+", re.I)


@pytest.mark.parametrize("page", USER_PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_user_pages_point_at_nothing_outside_the_repository(page: Path) -> None:
    hits = [
        f"{page.name}:{n}: {line.strip()}"
        for n, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert not hits, "\n".join(hits)


def test_help_texts_point_at_nothing_outside_the_repository() -> None:
    group = typer.main.get_command(app)
    texts = [group.help or ""]
    for command in [group, *cli_commands().values()]:
        texts.append(command.help or "")
        texts.extend(getattr(p, "help", None) or "" for p in command.params)
    hits = [t for t in texts if OUTSIDE.search(t)]
    assert not hits, hits


def test_docs_index_links_every_page() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    pages = [p.name for p in DOCS.glob("*.md") if p.name != "README.md"]
    missing = sorted(p for p in pages if f"({p})" not in index)
    assert not missing, f"docs/README.md does not link {missing}"


def test_relative_links_resolve() -> None:
    broken = []
    for page in USER_PAGES:
        for target in re.findall(r"\]\(([^)#:\s]+)(?:#[^)]*)?\)", page.read_text("utf-8")):
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert not broken, broken


# -- the examples are real ---------------------------------------------------------------


@dataclass
class Command:
    """One `$ ` line of a console block and the output shown under it."""

    line: int
    text: str
    shown: list[str] = field(default_factory=list)


@dataclass
class Step:
    """What a reader does at one point of a page: save a file, run commands or a script."""

    line: int
    kind: str  # "file", "console" or "script"
    body: str = ""
    name: str = ""
    commands: list[Command] = field(default_factory=list)


FENCE = re.compile(r"^```(\w*)\s*$")
MARKER = re.compile(r"^<!--\s*(file|not run):\s*(.*?)\s*-->\s*$")


def steps(page: Path) -> list[Step]:
    """The runnable steps of a page, in reading order."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Step] = []
    i = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence or not fence.group(1):
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        body = lines[i + 1 : end]
        marker = MARKER.match(lines[i - 1]) if i else None
        start = i + 1
        if marker and marker.group(1) == "file":
            found.append(Step(start, "file", "\n".join(body) + "\n", name=marker.group(2)))
        elif fence.group(1) == "console":
            found.append(Step(start, "console", commands=console_commands(body, start)))
        elif fence.group(1) == "sh" and not (marker and marker.group(1) == "not run"):
            found.append(Step(start, "script", "\n".join(body) + "\n"))
        i = end + 1
    return found


def console_commands(body: list[str], start: int) -> list[Command]:
    """`$ ` lines (a trailing backslash continues one) with the output shown under each."""
    commands: list[Command] = []
    continued = False
    for n, text in enumerate(body, start + 1):
        if continued:
            commands[-1].text += "\n" + text
        elif text.startswith("$ "):
            commands.append(Command(n, text[2:]))
        elif commands:
            commands[-1].shown.append(text)
        continued = text.endswith("\\")
    return commands


def shell_env(tmp: Path) -> dict[str, str]:
    """A reader's shell: `defplan` on PATH (the console script of this interpreter's
    installation), 80 columns, no colour."""
    bin_dir = tmp / ".bin"
    bin_dir.mkdir()
    shim = bin_dir / "defplan"
    (entry,) = entry_points(group="console_scripts", name="defplan")  # as pip installs it
    script = f"#!{sys.executable}\nfrom {entry.module} import {entry.attr}\n\n{entry.attr}()\n"
    shim.write_text(script, encoding="utf-8")  # named defplan, so usage lines say so
    shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "FORCE_COLOR")}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", COLUMNS="80", NO_COLOR="1")
    return env


def run(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


VARYING = re.compile(r'("seconds": |"version": )("[^"]*"|[0-9.e-]+)')


def comparable(line: str) -> str:
    """A line as compared: trailing blanks dropped, timings and solver versions masked."""
    return VARYING.sub(r"\1N", line.rstrip())


def unshown(shown: list[str], stdout: str, stderr: str) -> list[str]:
    """The shown lines not found, in order, in stdout or stderr ('...' lines skip)."""
    streams = [[comparable(x) for x in s.splitlines()] for s in (stdout, stderr)]
    where = [0, 0]
    missing = []
    for line in shown:
        want = comparable(line)
        if not want or want.startswith("..."):
            continue
        for k, stream in enumerate(streams):
            if want in stream[where[k] :]:
                where[k] += stream[where[k] :].index(want) + 1
                break
        else:
            missing.append(line)
    return missing


RUN_PAGES = [p for p in USER_PAGES if any(s.kind != "file" for s in steps(p))]


@pytest.mark.parametrize("page", RUN_PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_examples_run_as_shown(page: Path, tmp_path: Path) -> None:
    for folder in ("portfolios", "schema"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    env = shell_env(tmp_path)
    where = page.relative_to(ROOT)
    for step in steps(page):
        if step.kind == "file":
            (tmp_path / step.name).write_text(step.body, encoding="utf-8")
        elif step.kind == "script":
            done = run(step.body, tmp_path, env)
            assert done.returncode == 0, f"{where}:{step.line}: script failed\n{done.stderr}"
        for command in step.commands:
            done = run(command.text, tmp_path, env)
            said = f"{where}:{command.line}: $ {command.text}"
            assert "Traceback" not in done.stderr, f"{said}\n{done.stderr}"
            assert done.returncode == 0, f"{said}\nexit {done.returncode}\n{done.stderr}"
            missing = unshown(command.shown, done.stdout, done.stderr)
            assert not missing, (
                f"{said}\nshown but not printed:\n"
                + "\n".join(missing)
                + f"\n--- it printed ---\n{done.stdout}{done.stderr}"
            )
