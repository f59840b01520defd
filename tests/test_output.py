"""Result files: defplan.output.write_output and check_target."""

from __future__ import annotations

import json
import os
import socket
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from samples import run_defplan
from typer.testing import CliRunner

from defplan import output
from defplan.cli import app
from defplan.errors import ExitCode, UsageError


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_writes_a_new_file(tmp_path: Path) -> None:
    target = tmp_path / "result.json"
    output.write_output(target, '{"value": 1}\n')
    assert target.read_text() == '{"value": 1}\n'
    assert os.listdir(tmp_path) == ["result.json"]


def test_new_file_mode_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        output.write_output(tmp_path / "a.json", "{}")
    finally:
        os.umask(old)
    assert mode(tmp_path / "a.json") == 0o640  # like open(): 0o666 less the umask


def test_replaces_content(tmp_path: Path) -> None:
    target = tmp_path / "result.json"
    target.write_text("a much longer earlier result that must not leave a tail behind\n")
    output.write_output(target, "short\n")
    assert target.read_text() == "short\n"
    assert os.listdir(tmp_path) == ["result.json"]


@pytest.mark.parametrize("perms", [0o600, 0o640, 0o664, 0o444])
def test_keeps_the_existing_mode(tmp_path: Path, perms: int) -> None:
    target = tmp_path / "result.json"
    target.write_text("old")
    target.chmod(perms)
    output.write_output(target, "new")
    assert target.read_text() == "new"
    assert mode(target) == perms


def test_writes_utf8(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    output.write_output(target, '{"name": "Ærø - 防衛"}\n')
    assert target.read_bytes() == '{"name": "Ærø - 防衛"}\n'.encode()


def test_relative_path_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    output.write_output(Path("here.json"), "x")
    assert (tmp_path / "here.json").read_text() == "x"
    assert os.listdir(tmp_path) == ["here.json"]


def test_writes_through_a_symlinked_folder(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    output.write_output(tmp_path / "link" / "r.json", "x")
    assert (real / "r.json").read_text() == "x"
    assert os.listdir(real) == ["r.json"]


def test_failed_replace_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "result.json"
    target.write_text("old")

    def broken(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(UsageError, match=r"result\.json"):
        output.write_output(target, "new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["result.json"]  # the temporary file is gone


def test_failed_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "result.json"
    target.write_text("old")

    def broken(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(UsageError):
        output.write_output(target, "new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["result.json"]


def test_interrupted_write_cleans_up_and_reraises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "result.json"
    target.write_text("old")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        output.write_output(target, "new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["result.json"]


def test_unencodable_text_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "result.json"
    target.write_text("old")
    with pytest.raises((UsageError, UnicodeError)):
        output.write_output(target, "bad \udcff surrogate")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["result.json"]


def test_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "result.json"
    with pytest.raises(UsageError, match="missing"):
        output.write_output(target, "x")
    assert not (tmp_path / "missing").exists()


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    with pytest.raises(UsageError, match="directory"):
        output.write_output(tmp_path / "out", "x")
    assert (tmp_path / "out").is_dir()


def test_check_target_accepts_a_new_file(tmp_path: Path) -> None:
    output.check_target(tmp_path / "new.json")
    assert os.listdir(tmp_path) == []  # checking writes nothing


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_read_only_folder_is_a_usage_error(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "result.json").write_text("old")
    folder.chmod(0o555)
    try:
        with pytest.raises(UsageError):
            output.write_output(folder / "result.json", "new")
        assert (folder / "result.json").read_text() == "old"
    finally:
        folder.chmod(0o755)


# -- targets that are not files: written as streams, never replaced -------------------------


def test_a_link_to_a_device_is_written_through_not_replaced(tmp_path: Path) -> None:
    # as root, `--output /dev/null` replaced the system's /dev/null with a file; a link
    # shows the same without risking it (the link was replaced)
    link = tmp_path / "r.json"
    link.symlink_to(os.devnull)
    output.write_output(link, "x")
    assert link.is_symlink() and os.readlink(link) == os.devnull
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert os.listdir(tmp_path) == ["r.json"]  # no temporary file


def test_a_device_node_stays_a_device(tmp_path: Path) -> None:
    node = tmp_path / "null"
    try:  # /dev/null's numbers: a device of its own, as only root may make one
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root")
    output.check_target(node)
    output.write_output(node, "x")
    assert stat.S_ISCHR(node.stat().st_mode) and os.listdir(tmp_path) == ["null"]


def test_a_fifo_with_a_reader_gets_the_result(tmp_path: Path) -> None:
    fifo = tmp_path / "r.json"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    output.check_target(fifo)
    output.write_output(fifo, '{"value": 1}\n')
    reader.join(10)
    assert got == [b'{"value": 1}\n']
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and os.listdir(tmp_path) == ["r.json"]


def test_a_full_device_is_a_usage_error(tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full")
    link = tmp_path / "r.json"
    link.symlink_to("/dev/full")
    with pytest.raises(UsageError, match="cannot write: No space left on device"):
        output.write_output(link, "x")
    assert link.is_symlink()


def test_a_socket_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # a relative name: a long tmp_path would pass the 108-byte cap
    server = socket.socket(socket.AF_UNIX)
    server.bind("r.json")
    server.close()
    with pytest.raises(UsageError, match=r"--output r\.json: is a socket, not a file or a stream"):
        output.check_target(Path("r.json"))


def test_a_symlink_loop_is_a_usage_error(tmp_path: Path) -> None:
    loop = tmp_path / "loop.json"
    loop.symlink_to("loop.json")
    with pytest.raises(UsageError, match="cannot write: Too many levels of symbolic links"):
        output.check_target(loop)
    with pytest.raises(UsageError, match="cannot write: Too many levels of symbolic links"):
        output.write_output(loop, "x")
    assert loop.is_symlink()


def test_the_portfolio_file_is_never_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text("portfolio")
    (tmp_path / "link.yaml").symlink_to("p.yaml")
    os.link(tmp_path / "p.yaml", tmp_path / "hard.yaml")
    for target, source in [
        ("p.yaml", "p.yaml"),
        ("./p.yaml", "p.yaml"),
        (str(tmp_path / "p.yaml"), "p.yaml"),
        ("link.yaml", "p.yaml"),  # the link's file
        ("p.yaml", "link.yaml"),
        ("hard.yaml", "p.yaml"),  # another name of the same file
    ]:
        with pytest.raises(UsageError, match=f"is the portfolio file {source}; write"):
            output.check_target(Path(target), source=source)
    output.check_target(Path("other.json"), source="p.yaml")
    assert (tmp_path / "p.yaml").read_text() == "portfolio"


def test_optimise_refuses_to_write_over_its_portfolio(small_file: Path) -> None:
    before = small_file.read_bytes()
    for target in (small_file, small_file.parent / "." / small_file.name):
        result = CliRunner().invoke(app, ["optimise", str(small_file), "--output", str(target)])
        assert result.exit_code == ExitCode.USAGE, result.output
        assert result.stderr == (
            f"defplan: error: --output {target}: is the portfolio file {small_file}; "
            "write the result to another file\n"
        )
        assert result.stdout == "" and small_file.read_bytes() == before


def test_optimise_refuses_to_write_over_its_standard_input(small_file: Path) -> None:
    before = small_file.read_bytes()
    with small_file.open("rb") as stdin:
        done = run_defplan("optimise", "-", "--output", small_file, stdin=stdin)
    assert done.returncode == ExitCode.USAGE
    assert done.stderr.decode() == (
        f"defplan: error: --output {small_file}: is standard input; write the result to "
        "another file\n"
    )
    assert small_file.read_bytes() == before


def test_sweep_refuses_to_draw_over_its_portfolio(write_portfolio: Callable[..., Path]) -> None:
    path = write_portfolio(name="p.svg")  # a portfolio file may have any name
    before = path.read_bytes()
    result = CliRunner().invoke(app, ["sweep", str(path), "--budget", "50", "--plot", str(path)])
    assert result.exit_code == ExitCode.USAGE, result.output
    assert f"--plot {path}: is the portfolio file {path}" in result.stderr
    assert path.read_bytes() == before


def _printed_with_output_to_stdout(small_file: Path, output_format: str) -> tuple[str, Path]:
    """What `optimise --format FORMAT --output LINK` prints into a file as its stdout, LINK
    being /proc/self/fd/1 (a link of our own, which the earlier code replaced, as it would
    have /dev/stdout); and LINK."""
    link = small_file.parent / "stdout.json"
    link.symlink_to("/proc/self/fd/1")
    printed = small_file.parent / "printed.txt"
    with printed.open("wb") as stdout:
        done = run_defplan(
            "optimise", small_file, "--format", output_format, "--output", link, stdout=stdout
        )
    assert done.returncode == 0, done.stderr.decode()
    return printed.read_text(), link


def test_output_to_standard_output_goes_after_what_it_holds(small_file: Path) -> None:
    text, link = _printed_with_output_to_stdout(small_file, "csv")
    json_part, csv_part = text.split("\n}\n")  # the JSON's last line, then the CSV
    assert json.loads(json_part + "}")["status"] == "optimal"
    assert csv_part.startswith("id,")
    assert link.is_symlink()


def test_json_asked_for_on_standard_output_and_as_output_there_is_printed_once(
    small_file: Path,
) -> None:
    """`--format json --output /dev/stdout`: one JSON document, which a reader can parse."""
    text, _ = _printed_with_output_to_stdout(small_file, "json")
    assert json.loads(text)["status"] == "optimal"
