"""Reading the files people hand in, and writing the user's files whole or not at all.

Input files (policies, price schedules, scenarios, cohorts) are read as UTF-8
text, with an optional byte-order mark, up to a size limit;
:class:`~cptm_rules.exceptions.InputFileError` names the file and the problem
and never shows its contents.

A scenario file rewritten by ``cptm-rules check --update`` or a JUnit report is
written to a temporary file in the same folder, flushed to disk, and moved over
the target with :func:`os.replace`, which is atomic on one file system: a crash,
a kill or a full disk leaves either the old file or the new one, never half of
each. An existing file keeps its permission bits; a new one gets the mode any new
file gets (``0o666`` less the umask).

The temporary file is named ``.<name>.<pid>.<host>.<random>.tmp`` (``<host>`` a
short hash of the machine's name). An error or an interrupt removes it; a run
killed outright (``kill -9``, a power cut) cannot, so the next write of the same
target removes the temporary files of that target left by runs of this machine
that have ended (their process is gone) before it started. It stays beside the
target rather than in the system's temporary folder because :func:`os.replace`
is only atomic within one file system.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import socket
import stat
import time
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Final

from cptm_rules.exceptions import InputFileError, OutputFileError, shown

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "MAX_TEXT_FILE_BYTES",
    "STARTED",
    "atomic_file",
    "check_readable",
    "check_writable",
    "clear_stale_temporaries",
    "confined",
    "parse_json",
    "read_text",
    "write_atomically",
]

MAX_TEXT_FILE_BYTES = 16 * 1024 * 1024
"""The largest policy, price or scenario file read (16 MiB): far above any real one."""


def confined(folder: Path, name: str, *, within: Path | None = None) -> Path:
    """The file ``name`` names, relative to ``folder``, refused if it would leave the tree.

    A file handed in by someone else (a scenario in a pull request, a policy
    that extends last year's) may name other files, relative to its own folder.
    The tree is ``within`` (default ``folder`` itself): a file in a subfolder may
    name one beside its parent, never one outside the tree. An absolute path, a
    ``..`` that climbs out, or a symbolic link that points out (resolved before
    the check) raises :class:`~cptm_rules.exceptions.InputFileError` without the
    file being opened, so nothing outside the tree is ever read or echoed.
    """
    tree = folder if within is None else within
    root = tree.resolve()
    if Path(name).is_absolute() or Path(name).drive:
        raise InputFileError(
            path=shown(name), problem=f"an absolute path; name a file inside {tree}"
        )
    target = (folder.resolve() / name).resolve()
    if not target.is_relative_to(root):
        raise InputFileError(
            path=shown(name), problem=f"outside the folder {tree}; name a file inside it"
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

    The name must be one a file system can hold (no NUL character, encodable),
    the folder must exist and be a folder, and ``path`` must not be a folder.
    Raises :class:`~cptm_rules.exceptions.OutputFileError`.
    """
    try:
        encoded = os.fsencode(path)
    except UnicodeError:
        raise OutputFileError(
            path=shown(str(path)), problem="the name cannot be encoded for this file system"
        ) from None
    if b"\0" in encoded:
        raise OutputFileError(
            path=shown(str(path)), problem="the name holds a NUL character, which no file name may"
        )
    folder = path.parent
    try:
        is_folder, folder_exists = path.is_dir(), folder.is_dir()
    except OSError as exc:  # a name too long, a folder we may not look into, ...
        raise OutputFileError(path=str(path), problem=exc.strerror or str(exc)) from None
    if is_folder:
        raise OutputFileError(path=str(path), problem="it is a folder; give a file name")
    if not folder_exists:
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
    it at the end; an exception inside the block (an interrupt, a full disk)
    removes the temporary file and leaves any earlier ``path`` intact. Temporary
    files of ``path`` left by killed runs are removed first (see the module
    docs). Raises :class:`~cptm_rules.exceptions.OutputFileError` as
    :func:`write_atomically`.
    """
    check_writable(path)
    try:
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else None
    except OSError as exc:
        raise OutputFileError(path=str(path), problem=exc.strerror or str(exc)) from None
    # A file nobody may write was marked read-only on purpose: respect it even as root.
    if mode is not None and (mode & 0o222 == 0 or not os.access(path, os.W_OK)):
        raise OutputFileError(path=str(path), problem="the file is read-only")
    clear_stale_temporaries(path)
    handle, temporary = _new_temporary(path)
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            temporary.chmod(mode)
        temporary.replace(path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        if isinstance(exc, OSError) and not isinstance(exc, OutputFileError):
            raise OutputFileError(path=str(path), problem=exc.strerror or str(exc)) from None
        raise


# -- temporary files -------------------------------------------------------------------

STARTED: Final = time.time()
"""When this process began writing files: a temporary file older than this, of an
ended process, is left over from a killed run."""

_HOST: Final = hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]
# A folder may be shared between machines; a process id means something on one only.

_STEM_BYTES: Final = 160
# Room for ".<pid>.<host>.<random>.tmp" in a 255-byte file name.


def _stem(path: Path) -> str:
    # The target's name as the temporary file's name begins, cut to fit a file name.
    stem = path.name[:_STEM_BYTES]
    while len(os.fsencode(stem)) > _STEM_BYTES:
        stem = stem[:-1]
    return f".{stem}."


def _new_temporary(path: Path) -> tuple[int, Path]:
    # Opened like any new file (0o666 less the umask), never over an existing one.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temporary = path.with_name(f"{_stem(path)}{os.getpid()}.{_HOST}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputFileError(path=str(path), problem=exc.strerror or str(exc)) from None
    raise OutputFileError(path=str(path), problem="no free temporary name beside it")


def clear_stale_temporaries(path: Path, *, before: float | None = None) -> tuple[Path, ...]:
    """Remove the temporary files of ``path`` that killed runs left; the ones removed.

    Only files named as :func:`atomic_file` names them, for this target and this
    machine, last written before ``before`` (default :data:`STARTED`) by a
    process that no longer runs, and only regular files. Any that cannot be
    removed are left as they are.
    """
    before = STARTED if before is None else before
    pattern = re.compile(re.escape(_stem(path)) + r"(\d{1,10})\." + _HOST + r"\.[0-9a-f]{8}\.tmp")
    removed = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return ()
    for entry in entries:
        found = pattern.fullmatch(entry.name)
        if found is None or _running(int(found.group(1))):
            continue
        with contextlib.suppress(OSError):
            status = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(status.st_mode) and status.st_mtime < before:
                Path(entry.path).unlink()
                removed.append(Path(entry.path))
    return tuple(removed)


def _running(pid: int) -> bool:
    """Whether process ``pid`` may still run; when unsure, yes (its file is then kept)."""
    if os.name != "posix":  # pragma: no cover  # os.kill(pid, 0) would signal it on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # another user's process, or no process id at all
        return True
    return True
