"""`defplan import`: a book -> portfolio YAML that validates, every problem at its cell;
`defplan export`: a portfolio -> a book in the same layout.

An imported document is written as YAML and validated by the portfolio loader itself,
so a book is held to exactly the rules and messages of a YAML file; each problem's
place in that text is traced back to its document path, and the path to its cell.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from defplan.errors import LoadError, Problem
from defplan.loading import compose_yaml, node_at, parse_portfolio
from defplan.loading.yaml12 import problem_at
from defplan.model import Loc, Portfolio
from defplan.sheets.books import csv_bytes, kind_of, read_sheets, workbook_bytes
from defplan.sheets.reading import Read, read_document
from defplan.sheets.writing import candidate_rows, document_of, file_rows
from defplan.sheets.yamltext import node_paths, portfolio_yaml

SCHEMA = "portfolio-1.schema.json"
TEXT_COLUMNS = {"id", "name", "group", "requires", "excludes", "after"}
"""Columns formatted as text in a workbook, so that an id such as 007 stays as typed."""


@dataclass(frozen=True)
class Base:
    """A `--base` portfolio file: validated, its bytes, and its name in messages."""

    portfolio: Portfolio
    data: bytes
    name: str


def import_portfolio(
    path: str, *, base: Base | None = None, output: Path | None = None
) -> tuple[str, int]:
    """The portfolio YAML a book (.xlsx or .csv) holds, and its number of candidates;
    LoadError listing every problem, each at its cell (or, for a key --base gave, at
    its line in that file)."""
    kind = kind_of(path, "FILE")
    sheets = read_sheets(path)
    keys = None if base is None else document_of(base.portfolio)
    read = read_document(sheets, path, csv=kind == ".csv", base=keys)
    text = portfolio_yaml(read.doc, _header(path, output))
    problems = list(read.problems)
    try:
        parse_portfolio(text, filename=path)
    except LoadError as exc:
        problems += _at_cells(exc.problems, text, read, path, base)
    if problems:
        raise LoadError(sorted(dict.fromkeys(problems), key=_in_sheet_order))
    return text, len(read.doc["candidates"])


def export_portfolio(portfolio: Portfolio, output: Path) -> bytes:
    """The book (.xlsx, or the candidates alone as .csv) that imports as portfolio."""
    doc = document_of(portfolio)
    candidates = candidate_rows(doc)
    if kind_of(output, "--output") == ".csv":
        return csv_bytes(candidates)
    text = {c for c, header in enumerate(candidates[0]) if header.split()[0] in TEXT_COLUMNS}
    return workbook_bytes(
        {"candidates": candidates, "file": file_rows(doc)}, {"candidates": text, "file": {0}}
    )


_CELL = re.compile(r"(?:!|:)([A-Z]+)([0-9]+)$")


def _in_sheet_order(problem: Problem) -> tuple[str, int, int]:
    """Problems without a cell first, then sheet by sheet, row by row, left to right."""
    found = _CELL.search(problem.file)
    if found is None:
        return ("", 0, 0)
    letters, row = found.groups()
    column = sum(26**k * (ord(ch) - 64) for k, ch in enumerate(reversed(letters)))
    return (problem.file[: found.start()], int(row), column)


def _at_cells(
    problems: list[Problem], text: str, read: Read, path: str, base: Base | None
) -> list[Problem]:
    """The loader's problems (at lines of the YAML text) at the cells they came from; a
    problem in a key from --base at its place in that file."""
    paths = node_paths(text)
    base_root = None
    found = []
    for problem in problems:
        loc = paths.get((problem.line or 0, problem.column or 0))
        cell = _cell(loc, read)
        if cell is None and loc and base is not None and loc[0] != "candidates":
            base_root = base_root or compose_yaml(base.data, filename=base.name)
            found.append(problem_at(base.name, node_at(base_root, loc), problem.message))
        else:
            found.append(Problem(cell or path, problem.message))
    return found


def _cell(loc: Loc | None, read: Read) -> str | None:
    """The cell a document path came from: its own, or its nearest enclosing part's."""
    if loc is None:
        return None
    for k in range(len(loc), 0, -1):
        if loc[:k] in read.where:
            return read.where[loc[:k]]
    return None


def _header(path: str, output: Path | None) -> list[str]:
    """The YAML's opening comments: the schema, for editors, and where it came from."""
    schema = _schema_path(output)
    lines = [f"yaml-language-server: $schema={schema or SCHEMA}"]
    if schema is None:
        lines.append(f"(write the schema beside it with: defplan schema > {SCHEMA})")
    return [*lines, f"Imported from {Path(path).name} by defplan import."]


def _schema_path(output: Path | None) -> str | None:
    """The shipped schema relative to the output's folder, when a folder above it has
    schema/portfolio-1.schema.json (as the repository has); else None."""
    folder = (output.parent if output is not None else Path(".")).resolve()
    for above in (folder, *folder.parents):
        candidate = above / "schema" / SCHEMA
        if candidate.is_file():
            return os.path.relpath(candidate, folder)
    return None
