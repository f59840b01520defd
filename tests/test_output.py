"""Atomic result files: defplan.output.write_atomic and check_writable."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from defplan import output
from defplan.errors import UsageError


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_writes_a_new_file(tmp_path: Path) -> None:
    target = tmp_path / "result.json"
    output.write_atomic(target, '{"value": 1}\n')
    assert target.read_text() == '{"value": 1}\n'
    assert os.listdir(tmp_path) == ["result.json"]


def test_new_file_mode_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        output.write_atomic(tmp_path / "a.json", "{}")
    finally:
        os.umask(old)
    assert mode(tmp_path / "a.json") == 0o640  # like open(): 0o666 less the umask


def test_replaces_content(tmp_path: Path) -> None:
    target = tmp_path / "result.json"
    target.write_text("a much longer earlier result that must not leave a tail behind\n")
    output.write_atomic(target, "short\n")
    assert target.read_text() == "short\n"
    assert os.listdir(tmp_path) == ["result.json"]


@pytest.mark.parametrize("perms", [0o600, 0o640, 0o664, 0o444])
def test_keeps_the_existing_mode(tmp_path: Path, perms: int) -> None:
    target = tmp_path / "result.json"
    target.write_text("old")
    target.chmod(perms)
    output.write_atomic(target, "new")
    assert target.read_text() == "new"
    assert mode(target) == perms


def test_writes_utf8(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    output.write_atomic(target, '{"name": "Ærø - 防衛"}\n')
    assert target.read_bytes() == '{"name": "Ærø - 防衛"}\n'.encode()


def test_relative_path_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    output.write_atomic(Path("here.json"), "x")
    assert (tmp_path / "here.json").read_text() == "x"
    assert os.listdir(tmp_path) == ["here.json"]


def test_writes_through_a_symlinked_folder(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    output.write_atomic(tmp_path / "link" / "r.json", "x")
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
        output.write_atomic(target, "new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["result.json"]  # the temporary file is gone


def test_failed_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "result.json"
    target.write_text("old")

    def broken(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(UsageError):
        output.write_atomic(target, "new")
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
        output.write_atomic(target, "new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["result.json"]


def test_unencodable_text_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "result.json"
    target.write_text("old")
    with pytest.raises((UsageError, UnicodeError)):
        output.write_atomic(target, "bad \udcff surrogate")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["result.json"]


def test_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "result.json"
    with pytest.raises(UsageError, match="missing"):
        output.write_atomic(target, "x")
    assert not (tmp_path / "missing").exists()


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    with pytest.raises(UsageError, match="directory"):
        output.write_atomic(tmp_path / "out", "x")
    assert (tmp_path / "out").is_dir()


def test_check_writable_accepts_a_new_file(tmp_path: Path) -> None:
    output.check_writable(tmp_path / "new.json")
    assert os.listdir(tmp_path) == []  # checking writes nothing


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_read_only_folder_is_a_usage_error(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "result.json").write_text("old")
    folder.chmod(0o555)
    try:
        with pytest.raises(UsageError):
            output.write_atomic(folder / "result.json", "new")
        assert (folder / "result.json").read_text() == "old"
    finally:
        folder.chmod(0o755)
