"""`defplan import` and `defplan export` from the outside: a workbook typed by hand in
the documented layout (docs/spreadsheets.md), every bad cell at its cell in one run,
CSV files, the missing extra, and an --output left alone on errors."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from samples import invoke

from defplan.loading import parse_portfolio

ROOT = Path(__file__).resolve().parent.parent


def book(path: Path, candidates: list[list[Any]], file: list[list[Any]] | None = None) -> Path:
    """A workbook with a `candidates` sheet (and a `file` sheet) of these rows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "candidates"
    for row in candidates:
        sheet.append(row)
    if file is not None:
        other = workbook.create_sheet("file")
        for row in file:
            other.append(row)
    workbook.save(path)
    return path


FILE_SHEET = [
    ["key", "value"],
    ["name", "Air defence"],
    ["years", "[2027, 2030]"],
    ["objectives", "{defence: {weight: 3}, relief: {weight: 1}}"],
    ["commitments", "{nato-air: {target: 4}}"],
    ["budget", "{total: 1000, per_year: {2027: 300}}"],
]


def table(header: str, *rows: dict[str, Any]) -> list[list[Any]]:
    """A header row (column names separated by commas), then each row's cells by name."""
    names = header.split(",")
    return [names, *([row.get(name) for name in names] for row in rows)]


def test_a_hand_made_workbook_imports_as_typed(tmp_path: Path) -> None:
    header = (
        "id,name,cost,cost 2027,cost 2028,value defence,value relief,commitment nato-air,"
        "requires,mandatory,start first,start last,cost_risk low,cost_risk high"
    )
    radar = {"id": "radar", "name": "Long-range radar", "cost 2027": 100, "cost 2028": 150}
    radar |= {"value defence": 7, "value relief": "[0, 2]", "commitment nato-air": 3}
    radar |= {"start first": 2027, "start last": 2029, "cost_risk low": 0.9}
    radar |= {"cost_risk high": 1.4}
    launchers = {"id": "launchers", "cost": 200, "value defence": 6, "commitment nato-air": 2}
    launchers |= {"requires": "radar"}
    blank: dict[str, Any] = {}  # a blank row is skipped
    depot = {"id": 7, "name": "Depot", "cost": 90, "value relief": 2, "mandatory": True}
    path = book(tmp_path / "book.xlsx", table(header, radar, launchers, blank, depot), FILE_SHEET)
    out = tmp_path / "out.yaml"
    result = invoke("import", path, "--output", out)
    assert result.exit_code == 0, result.output
    assert "3 candidates written to" in result.stderr
    p = parse_portfolio(out.read_bytes(), filename="out.yaml")
    assert p.name == "Air defence" and p.years == [2027, 2030]
    radar, launchers, depot = p.candidates
    assert radar.cost == {2027: 100, 2028: 150} and radar.start == [2027, 2029]
    assert radar.value == {"defence": 7, "relief": [0, 2]} and radar.commitments == {"nato-air": 3}
    assert radar.cost_risk == [0.9, 1.4] and radar.name == "Long-range radar"
    assert launchers.cost == 200 and launchers.requires == ["radar"]
    assert depot.id == "7" and depot.mandatory and depot.value == {"relief": 2}


def test_every_bad_cell_is_reported_at_its_cell_in_one_run(tmp_path: Path) -> None:
    header = "id,name,cost,cost 20x7,colour,value defence,requires,start first,start last"
    path = book(
        tmp_path / "bad.xlsx",
        [
            header.split(","),
            ["radar", "Radar", "about 300", None, "red", 5, None, None, None],
            ["radar", "Second radar", 100, None, None, 4, None, None, None],
            [None, "Ghost", 5, None, None, None, None, None, None],
            ["launchers", None, 50, None, None, 6, "radar, rader", "20x7", 2030],
        ],
        [["key", "value"], ["objectives", "{defence: {}}"], ["budget", "{total: [1}"]],
    )
    out = tmp_path / "out.yaml"
    out.write_text("kept\n")
    result = invoke("import", path, "--output", out)
    assert result.exit_code == 2
    at = str(path)
    assert result.stderr.splitlines() == [
        f"{at}:candidates!D1: error: column 'cost 20x7': '20x7' is not a year (1 to 9999)",
        f"{at}:candidates!E1: error: unknown column 'colour'",
        f"{at}:candidates!C2: error: cost: expected a number, not 'about 300'",
        f"{at}:candidates!A3: error: duplicate id 'radar' (also candidate 1)",
        f"{at}:candidates!A4: error: id: empty; every candidate needs an id",
        f"{at}:candidates!G5: error: unknown candidate 'rader' (did you mean 'radar'?)",
        f"{at}:candidates!H5: error: start: expected a year (a whole number), not '20x7'",
        f"{at}:file!B3: error: budget: "
        + result.stderr.split("file!B3: error: budget: ")[1].splitlines()[0],
    ]
    assert "Traceback" not in result.output
    assert out.read_text() == "kept\n"


def test_validation_problems_point_at_the_cell_of_the_value(tmp_path: Path) -> None:
    path = book(
        tmp_path / "book.xlsx",
        [
            ["id", "cost 2027", "value defense", "commitment eu", "start first", "start last"],
            ["a", -5, 1, 2, 2031, 2030],
        ],
        [
            ["key", "value"],
            ["years", "[2027, 2030]"],
            ["objectives", "{defence: {}}"],
            ["colour", "red"],
        ],
    )
    result = invoke("import", path)
    assert result.exit_code == 2
    at = str(path)
    lines = result.stderr.splitlines()
    assert f"{at}:candidates!B2: error: cost: must be >= 0" in lines
    assert (
        f"{at}:candidates!C1: error: unknown objective 'defense' (did you mean 'defence'?)" in lines
    )
    assert f"{at}:candidates!D1: error: unknown commitment 'eu'" in lines
    assert f"{at}:file!A4: error: unknown key 'colour'" in lines
    assert all(
        line.startswith(f"{at}:candidates!") or line.startswith(f"{at}:file!") for line in lines
    )


def test_a_csv_file_imports_with_defaults_or_a_base(tmp_path: Path) -> None:
    csv = tmp_path / "list.csv"
    csv.write_text(
        "id,name,cost 2027,value national,value flow,requires\n"
        'radar,"Radar, long range",100,7,"[1, 3]",\n'
        "depot,Depot,50,2,1,radar\n",
        encoding="utf-8",
    )
    result = invoke("import", csv)
    assert result.exit_code == 0, result.output
    p = parse_portfolio(result.stdout, filename="list.yaml")
    assert p.name == "list" and list(p.objectives) == ["national", "flow"]
    assert all(o.weight == 1 for o in p.objectives.values())
    assert p.candidates[0].name == "Radar, long range" and p.candidates[0].value["flow"] == [1, 3]
    base = tmp_path / "base.yaml"
    base.write_text(
        "name: Based\nobjectives: {national: {weight: 2}, flow: {}}\nbudget: {total: 120}\n"
        "candidates: [{id: old, cost: 1}]\n"
    )
    result = invoke("import", csv, "--base", base)
    assert result.exit_code == 0, result.output
    p = parse_portfolio(result.stdout, filename="list.yaml")
    assert (
        p.name == "Based"
        and p.budget.total == 120
        and [c.id for c in p.candidates] == ["radar", "depot"]
    )


def test_a_bad_csv_cell_is_reported_in_a1_style(tmp_path: Path) -> None:
    csv = tmp_path / "list.csv"
    csv.write_text("id,cost,value a\nradar,1 000,1\n", encoding="utf-8")
    result = invoke("import", csv)
    assert result.exit_code == 2
    assert result.stderr == f"{csv}:B2: error: cost: expected a number, not '1 000'\n"


@pytest.mark.parametrize("command", ["import", "export"])
def test_without_openpyxl_a_workbook_asks_for_the_extra(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "book.xlsx"
    source.write_bytes(b"")
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # `import openpyxl` now fails
    args = (
        ["import", source] if command == "import" else ["export", ROOT / "portfolios/tutorial.yaml"]
    )
    result = invoke(
        *args, "--output", tmp_path / ("out.yaml" if command == "import" else "out.xlsx")
    )
    assert result.exit_code == 2
    assert "pip install 'defplan[excel]'" in result.stderr
    assert not (tmp_path / "out.yaml").exists() and not (tmp_path / "out.xlsx").exists()


def test_not_a_workbook_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_text("id,cost\n")
    damaged = tmp_path / "damaged.xlsx"
    with (
        zipfile.ZipFile(ROOT / "portfolios/template.xlsx") as source,
        zipfile.ZipFile(damaged, "w") as target,
    ):
        for member in source.namelist():  # every part, the sheets' XML cut in half
            data = source.read(member)
            target.writestr(member, data[: len(data) // 2] if "worksheets" in member else data)
    for book_path in (path, damaged):
        result = invoke("import", book_path)
        assert result.exit_code == 2
        assert result.stderr.startswith(
            f"{book_path}: error: not a readable Excel workbook (.xlsx)"
        )


def test_other_file_names_are_refused(tmp_path: Path) -> None:
    result = invoke("import", tmp_path / "book.ods")
    assert result.exit_code == 2
    assert "must end in .xlsx or .csv" in result.stderr


def test_the_export_reads_back_as_numbers_with_a_frozen_header(tmp_path: Path) -> None:
    out = tmp_path / "tutorial.xlsx"
    result = invoke("export", ROOT / "portfolios/tutorial.yaml", "--output", out)
    assert result.exit_code == 0, result.output
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == ["candidates", "file"]
    sheet = workbook["candidates"]
    header = [c.value for c in sheet[1]]
    rows = {
        row[0]: dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert rows["patrol-ship"]["cost 2027"] == 250  # tutorial.yaml: cost: {2026: 150, 2027: 250}
    assert rows["spare-parts"]["mandatory"] is True
    assert rows["drones"]["value defence"] == "[2, 6]"
    assert sheet.freeze_panes == "B2"
    assert sheet["A2"].number_format == "@"
    assert all(sheet.column_dimensions[c].width >= len(str(sheet[f"{c}1"].value)) for c in "ABCDEF")
    file = {row[0]: row[1] for row in workbook["file"].iter_rows(min_row=2, values_only=True)}
    assert (
        file["years"] == "[2026, 2030]" and file["budget"] == "{total: 900, per_year: {2026: 200}}"
    )


def test_the_shipped_template_is_what_export_makes(tmp_path: Path) -> None:
    out = tmp_path / "template.xlsx"
    result = invoke("export", ROOT / "portfolios/template.yaml", "--output", out)
    assert result.exit_code == 0, result.output
    shipped = ROOT / "portfolios/template.xlsx"
    assert out.read_bytes() == shipped.read_bytes(), (
        "run: defplan export portfolios/template.yaml --output portfolios/template.xlsx"
    )


def test_start_up_does_not_import_the_spreadsheet_code() -> None:
    code = (
        "import sys, defplan.cli; "
        "print(','.join(m for m in ('openpyxl', 'defplan.sheets', 'csv') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_a_csv_file_with_semicolons_and_a_name_typed_as_a_number(tmp_path: Path) -> None:
    csv = tmp_path / "list.csv"
    csv.write_text("id;name;cost;value a\nradar;2026;1,5;1\n", encoding="utf-8")
    result = invoke("import", csv)
    assert result.exit_code == 2  # a decimal comma is not a number, as in a portfolio file
    assert result.stderr == f"{csv}:C2: error: cost: expected a number, not '1,5'\n"
    path = book(
        tmp_path / "book.xlsx",
        [["id", "name", "cost", "value a"], ["radar", 2026, 1.5, 1]],
        [["key", "value"], ["name", 2027], ["objectives", "{a: {}}"]],
    )
    result = invoke("import", path)
    assert result.exit_code == 0, result.output
    p = parse_portfolio(result.stdout, filename="out.yaml")
    assert p.name == "2027" and p.candidates[0].name == "2026"


def test_a_workbook_takes_its_keys_from_one_place(tmp_path: Path) -> None:
    rows = [["id", "cost", "value a"], ["radar", 5, 1]]
    alone = book(tmp_path / "alone.xlsx", rows)
    result = invoke("import", alone)
    assert result.exit_code == 0, result.output
    p = parse_portfolio(result.stdout, filename="out.yaml")
    assert p.name == "alone" and list(p.objectives) == ["a"]
    both = book(tmp_path / "both.xlsx", rows, FILE_SHEET)
    result = invoke("import", both, "--base", ROOT / "portfolios/tutorial.yaml")
    assert result.exit_code == 2
    assert "the workbook has a 'file' sheet, and --base gives the same keys" in result.stderr


def test_a_problem_in_a_key_from_base_is_shown_at_its_line_there(tmp_path: Path) -> None:
    base = tmp_path / "base.yaml"
    base.write_text(
        "objectives: {a: {}}\n"
        "rules:\n"
        "  - {at_most: 1, of: [old, radar]}\n"
        "candidates: [{id: old, cost: 1}, {id: radar, cost: 1}]\n"
    )
    csv = tmp_path / "list.csv"
    csv.write_text("id,cost,value a\nradar,5,1\n", encoding="utf-8")
    result = invoke("import", csv, "--base", base)
    assert result.exit_code == 2
    # line 3, column 23: `  - {at_most: 1, of: [` is 22 characters, then `old`
    assert result.stderr == f"{base}:3:23: error: unknown candidate 'old'\n"


def test_a_workbook_that_would_unpack_too_far_is_refused_before_it_is_read(
    tmp_path: Path,
) -> None:
    # the template with one more part of 300 MiB of zeros: a few hundred KiB packed,
    # more than the 256 MiB a workbook may unpack to
    bomb = tmp_path / "bomb.xlsx"
    with (
        zipfile.ZipFile(ROOT / "portfolios/template.xlsx") as source,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.namelist():
            target.writestr(member, source.read(member))
        with target.open("xl/padding.bin", "w", force_zip64=True) as padding:
            for _ in range(300):
                padding.write(bytes(1024 * 1024))
    assert bomb.stat().st_size < 2 * 1024 * 1024
    result = invoke("import", bomb, "--output", tmp_path / "out.yaml")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{bomb}: error: the workbook unpacks to 300 MiB, more than")
    assert not (tmp_path / "out.yaml").exists()
