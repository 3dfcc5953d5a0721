"""Reading the files people hand in, and writing the user's files whole or not at all.

Input files (policies, price schedules, scenarios, cohorts) are read as UTF-8
text, with an optional byte-order mark, up to a size limit;
:class:`~cptm_rules.exceptions.InputFileError` names the file and the problem
and never shows its contents.

A scenario file rewritten by ``cptm-rules check --update`` or a JUnit report is
written to a temporary file in the same folder, flushed to disk, and moved over
the target with :func:`os.replace`, which is atomic on one file system: a crash,
a kill or a full disk leaves either the old file or the new one, never half of
each. An existing file keeps its permission bits.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Final

from cptm_rules.exceptions import InputFileError, OutputFileError, shown

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "MAX_TEXT_FILE_BYTES",
    "atomic_file",
    "check_readable",
    "check_writable",
    "confined",
    "parse_json",
    "read_text",
    "write_atomically",
]

MAX_TEXT_FILE_BYTES = 16 * 1024 * 1024
"""The largest policy, price or scenario file read (16 MiB): far above any real one."""


def confined(folder: Path, name: str) -> Path:
    """The file ``name`` names inside ``folder``'s tree, refused if it would leave it.

    A file handed in by someone else (a scenario in a pull request) may name
    other files, relative to its own folder. An absolute path, a ``..`` that
    climbs out, or a symbolic link that points out (resolved before the check)
    raises :class:`~cptm_rules.exceptions.InputFileError` without the file
    being opened, so nothing outside the folder is ever read or echoed.
    """
    root = folder.resolve()
    if Path(name).is_absolute() or Path(name).drive:
        raise InputFileError(
            path=shown(name), problem=f"an absolute path; name a file inside {folder}"
        )
    target = (root / name).resolve()
    if not target.is_relative_to(root):
        raise InputFileError(
            path=shown(name), problem=f"outside the folder {folder}; name a file inside it"
        )
    return target


def check_readable(path: Path) -> None:
    """Refuse a ``path`` that is a folder or no file, with a one-line error naming it.

    For readers that stream a file themselves; :func:`read_text` checks the same.
    Raises :class:`~cptm_rules.exceptions.InputFileError`.
    """
    if path.is_dir():
        raise InputFileError(path=str(path), problem="a folder, not a file; name a file")
    if not path.is_file():
        raise InputFileError(path=str(path), problem="no such file")


def read_text(path: Path, *, limit: int | None = MAX_TEXT_FILE_BYTES) -> str:
    """The UTF-8 text of ``path`` (a leading byte-order mark dropped).

    Raises :class:`~cptm_rules.exceptions.InputFileError` when the file is
    missing, is not a regular file, is larger than ``limit`` bytes, or is not
    UTF-8.
    """
    try:
        check_readable(path)
        if limit is not None and path.stat().st_size > limit:
            raise InputFileError(
                path=str(path), problem=f"larger than {limit:,} bytes, the most this reader takes"
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise InputFileError(path=str(path), problem=exc.strerror or str(exc)) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            path=str(path),
            problem=f"not UTF-8 text (byte {raw[exc.start]:#04x} at offset {exc.start}); "
            "save it as UTF-8",
        ) from None


_MAX_INT_DIGITS: Final = 30


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    found: dict[str, object] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"the key {shown(key)} appears twice in one object")
        found[key] = value
    return found


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise ValueError(f"an integer of {len(text)} digits is beyond any figure here")
    return int(text)


def parse_json(text: str) -> object:
    """The JSON value in ``text``, read strictly.

    Refused, with a :class:`ValueError` saying why (never quoting more than a
    short piece of the text): invalid JSON, a key twice in one object, ``NaN``
    and ``Infinity``, integers of more than 30 digits, and nesting deeper than
    Python can follow.
    """
    try:
        return json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_constant=_no_constant,
            parse_int=_bounded_int,
        )
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except RecursionError:
        raise ValueError("not valid JSON here: nested too deeply") from None


def check_writable(path: Path) -> None:
    """Refuse, before any work starts, a ``path`` that cannot be written as a file.

    The folder must exist and be a folder, and ``path`` must not be a folder.
    Raises :class:`~cptm_rules.exceptions.OutputFileError`.
    """
    folder = path.parent
    if path.is_dir():
        raise OutputFileError(path=str(path), problem="it is a folder; give a file name")
    if not folder.is_dir():
        raise OutputFileError(path=str(path), problem=f"the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise OutputFileError(path=str(path), problem=f"the folder {folder} is not writable")


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``, whole or not at all (see the module docs).

    Raises :class:`~cptm_rules.exceptions.OutputFileError` naming the path and
    the reason when the file cannot be written; the original is then intact.
    """
    with atomic_file(path) as stream:
        stream.write(data)


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A binary stream whose bytes replace ``path`` when the block ends without error.

    For outputs written piece by piece (a diff's per-candidate answers): the
    bytes go to a temporary file beside ``path``, flushed to disk and moved over
    it at the end; an exception inside the block (or a full disk) removes the
    temporary file and leaves any earlier ``path`` intact. Raises
    :class:`~cptm_rules.exceptions.OutputFileError` as :func:`write_atomically`.
    """
    check_writable(path)
    try:
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else None
        # A file nobody may write was marked read-only on purpose: respect it even as root.
        if mode is not None and (mode & 0o222 == 0 or not os.access(path, os.W_OK)):
            raise OutputFileError(path=str(path), problem="the file is read-only")
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise OutputFileError(path=str(path), problem=exc.strerror or str(exc)) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            Path(temporary).chmod(mode)
        Path(temporary).replace(path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        if isinstance(exc, OSError) and not isinstance(exc, OutputFileError):
            raise OutputFileError(path=str(path), problem=exc.strerror or str(exc)) from None
        raise
