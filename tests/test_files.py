"""Writing the user's files: atomically, with sane modes, and no temporary file left over."""

# ruff: noqa: SLF001  # the naming and probing helpers are checked directly

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cptm_rules import files
from cptm_rules.exceptions import InputFileError, OutputFileError, shown
from cptm_rules.files import atomic_file, check_writable, clear_stale_temporaries, write_atomically

if TYPE_CHECKING:
    from collections.abc import Callable


def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def _ended_pid() -> int:
    child = subprocess.run([sys.executable, "-c", "pass"], check=True)
    del child
    process = subprocess.Popen([sys.executable, "-c", "pass"])  # our interpreter
    process.wait()
    return process.pid


def _stale(folder: Path, target: str, pid: int, *, host: str = files._HOST) -> Path:
    path = folder / f".{target}.{pid}.{host}.0123abcd.tmp"
    path.write_bytes(b"half")
    os.utime(path, (files.STARTED - 60, files.STARTED - 60))
    return path


def test_a_new_file_gets_the_umask_mode_and_a_replaced_file_keeps_its_own(
    tmp_path: Path,
) -> None:
    target = tmp_path / "report.xml"
    previous = os.umask(0o077)
    try:
        write_atomically(target, b"one")
        assert target.stat().st_mode & 0o777 == 0o600
        os.umask(0o002)
        write_atomically(tmp_path / "other.xml", b"two")
        assert (tmp_path / "other.xml").stat().st_mode & 0o777 == 0o664
        target.chmod(0o640)
        write_atomically(target, b"three")
        assert (target.read_bytes(), target.stat().st_mode & 0o777) == (b"three", 0o640)
    finally:
        os.umask(previous)
    assert _temporaries(tmp_path) == []


def test_the_temporary_file_is_hidden_beside_the_target_and_names_its_process(
    tmp_path: Path,
) -> None:
    target = tmp_path / "answers.csv"
    with atomic_file(target) as stream:
        stream.write(b"x")
        (name,) = _temporaries(tmp_path)
        assert name.startswith(f".answers.csv.{os.getpid()}.{files._HOST}.")
    assert target.read_bytes() == b"x"
    assert _temporaries(tmp_path) == []


@pytest.mark.parametrize("stop", [KeyboardInterrupt, ValueError])
def test_an_interrupt_or_an_error_while_writing_removes_the_temporary_file(
    tmp_path: Path, stop: type[BaseException]
) -> None:
    target = tmp_path / "answers.csv"
    target.write_bytes(b"before")

    def write_then_stop() -> None:
        with atomic_file(target) as stream:
            stream.write(b"half")
            raise stop

    with pytest.raises(stop):
        write_then_stop()
    assert target.read_bytes() == b"before"
    assert _temporaries(tmp_path) == []


def test_a_read_only_file_is_named_once_in_the_error(tmp_path: Path) -> None:
    target = tmp_path / "answers.csv"
    target.write_bytes(b"kept")
    target.chmod(0o444)
    with pytest.raises(OutputFileError) as caught:
        write_atomically(target, b"new")
    assert str(caught.value) == f"cannot write {target}: the file is read-only"


def test_a_killed_runs_temporary_file_is_cleared_by_the_next_write(tmp_path: Path) -> None:
    dead = _ended_pid()
    stale = _stale(tmp_path, "answers.csv", dead)
    write_atomically(tmp_path / "answers.csv", b"new")
    assert not stale.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.csv"]


def test_only_ended_runs_older_temporary_files_of_this_target_and_machine_are_cleared(
    tmp_path: Path,
) -> None:
    dead = _ended_pid()
    stale = _stale(tmp_path, "a.csv", dead)
    running = _stale(tmp_path, "a.csv", os.getpid())
    other_machine = _stale(tmp_path, "a.csv", dead, host="ffffffff")
    other_target = _stale(tmp_path, "b.csv", dead)
    recent = _stale(tmp_path, "a.csv", dead + 1 if dead + 1 != os.getpid() else dead + 2)
    os.utime(recent, None)  # written after this process started: not ours to judge
    not_a_file = tmp_path / f".a.csv.{dead}.{files._HOST}.00000000.tmp"
    not_a_file.mkdir()
    link = tmp_path / f".a.csv.{dead}.{files._HOST}.11111111.tmp"
    link.symlink_to(other_target)
    unrelated = tmp_path / ".a.csv.notes"
    unrelated.write_bytes(b"mine")
    assert clear_stale_temporaries(tmp_path / "a.csv") == (stale,)
    for kept in (running, other_machine, other_target, recent, not_a_file, link, unrelated):
        assert kept.exists() or kept.is_symlink()


def test_clearing_beside_a_missing_folder_finds_nothing() -> None:
    assert clear_stale_temporaries(Path("/nonexistent/folder/a.csv")) == ()


def test_a_process_that_cannot_be_probed_counts_as_running(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert files._running(99_999_999_999) is True  # beyond any process id
    assert files._running(os.getpid()) is True

    def refused(*_: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr("cptm_rules.files.os.kill", refused)
    assert files._running(12345) is True  # another user's process


def test_a_long_name_gets_a_temporary_name_that_fits(tmp_path: Path) -> None:
    target = tmp_path / ("\u00e9" * 120 + ".csv")  # 244 bytes: the file itself fits
    write_atomically(target, b"x")
    assert target.read_bytes() == b"x"
    assert len(os.fsencode(files._stem(target))) <= files._STEM_BYTES + 2


def test_a_temporary_name_already_taken_is_drawn_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draws = iter(["aaaaaaaa", "aaaaaaaa", "bbbbbbbb"])
    monkeypatch.setattr("cptm_rules.files.secrets.token_hex", lambda _: next(draws))
    target = tmp_path / "a.csv"
    taken = tmp_path / f".a.csv.{os.getpid()}.{files._HOST}.aaaaaaaa.tmp"
    taken.write_bytes(b"someone's")
    write_atomically(target, b"x")
    assert (target.read_bytes(), taken.read_bytes()) == (b"x", b"someone's")
    monkeypatch.setattr("cptm_rules.files.secrets.token_hex", lambda _: "aaaaaaaa")
    with pytest.raises(OutputFileError) as caught:
        write_atomically(target, b"y")
    assert str(caught.value) == f"cannot write {target}: no free temporary name beside it"


def test_a_temporary_file_that_cannot_be_made_is_one_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*_: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("cptm_rules.files.os.open", refused)
    with pytest.raises(OutputFileError) as caught:
        write_atomically(tmp_path / "a.csv", b"x")
    assert str(caught.value) == f"cannot write {tmp_path / 'a.csv'}: Permission denied"


@pytest.mark.parametrize(
    ("name", "shown_as", "problem"),
    [
        ("a\x00b.csv", shown, "the name holds a NUL character, which no file name may"),
        ("a\ud800.csv", shown, "the name cannot be encoded for this file system"),
        ("x" * 300 + ".csv", str, "File name too long"),
    ],
)
def test_a_name_no_file_system_takes_is_refused_before_any_work(
    tmp_path: Path, name: str, shown_as: Callable[[str], str], problem: str
) -> None:
    with pytest.raises(OutputFileError) as caught:
        check_writable(tmp_path / name)
    assert str(caught.value) == f"cannot write {shown_as(str(tmp_path / name))}: {problem}"


def test_a_target_that_cannot_be_looked_at_is_one_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "gone.csv"
    monkeypatch.setattr(Path, "exists", lambda _: True)  # it vanishes between two looks
    with pytest.raises(OutputFileError) as caught:
        write_atomically(target, b"x")
    assert str(caught.value) == f"cannot write {target}: No such file or directory"


# -- confined: files named by other files ------------------------------------------------


def test_a_confined_name_is_read_relative_to_its_folder_inside_the_tree(tmp_path: Path) -> None:
    below = tmp_path / "2026"
    below.mkdir()
    (tmp_path / "base.toml").write_text("", encoding="utf-8")
    (below / "board.toml").write_text("", encoding="utf-8")
    assert files.confined(tmp_path, "./2026/board.toml") == (below / "board.toml").resolve()
    # From the subfolder, the parent's file is still inside the tree.
    assert (
        files.confined(below, "../base.toml", within=tmp_path) == (tmp_path / "base.toml").resolve()
    )
    with pytest.raises(InputFileError, match=r"outside the folder .*2026; name a file inside"):
        files.confined(below, "../base.toml")  # the tree is the folder itself by default


def test_a_confined_name_may_not_climb_out_be_absolute_or_link_out(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tmp_path / "secret.toml").write_text("", encoding="utf-8")
    (tree / "link.toml").symlink_to(tmp_path / "secret.toml")
    with pytest.raises(InputFileError) as climbed:
        files.confined(tree, "../secret.toml")
    assert str(climbed.value) == (
        f"cannot read '../secret.toml': outside the folder {tree}; name a file inside it"
    )
    with pytest.raises(InputFileError, match=r"an absolute path; name a file inside"):
        files.confined(tree, str(tmp_path / "secret.toml"))
    with pytest.raises(InputFileError, match=r"'link.toml': outside the folder"):
        files.confined(tree, "link.toml")
