"""Cohorts as tables: Parquet and CSV files, Arrow tables and pandas DataFrames.

A cohort has the same keys in every form (``docs/cohorts.md``). In JSON Lines
(:func:`~cptm_rules.cohort.iter_cohort`) values are JSON strings and numbers; in
a table they have Arrow's own types, :data:`COHORT_SCHEMA`: an instant is a
time-zone-aware timestamp, a day is a ``date32``, a session is a struct of its
``first_day`` and ``last_day``, changes and attempts are lists of structs. CSV
has no nested values, so its ``changes`` and ``attempts`` cells hold the same
JSON arrays as a JSON Lines line, and its other cells the JSON Lines texts.

Every reader checks each column's type exactly (an integer column must hold
integers, a date column dates: nothing is converted from text) and every value's
range, and names the file, the row and the column of the first bad value
without echoing more than a short piece of it. Writers replace the target file
whole or not at all.

Needs the ``notebook`` or ``columnar`` extra (pyarrow); ``import cptm_rules``
does not load this module.
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cptm_rules.cohort import (
    MAX_ACCESS_MINUTES,
    MAX_GROUP_SIZE,
    MAX_ID_LENGTH,
    AnswerRow,
    Candidate,
    _Bad,
    _candidate,
    _chunks,
    _Shown,
    candidate_row,
    iter_cohort,
)
from cptm_rules.events import Session
from cptm_rules.exceptions import InputFileError, InvalidInputError
from cptm_rules.files import atomic_file, check_readable, parse_json
from cptm_rules.vocabulary import Attendance, OrganisationType

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable, Iterator, Sequence

    import pandas as pd

__all__ = [
    "ANSWER_ROW_SCHEMA",
    "COHORT_FORMATS",
    "COHORT_SCHEMA",
    "ROWS_PER_BATCH",
    "answer_writer",
    "candidates_from_table",
    "checked_table",
    "cohort_table",
    "iter_cohort_file",
    "open_parquet",
    "read_cohort_table",
    "write_cohort",
]

_SESSION: Final = pa.struct([("first_day", pa.date32()), ("last_day", pa.date32())])

COHORT_SCHEMA: Final = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("registered_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("practicum", _SESSION, nullable=False),
        pa.field("access_after_minutes", pa.int64(), nullable=False),
        pa.field(
            "changes",
            pa.list_(pa.struct([("on", pa.date32()), ("to", _SESSION)])),
            nullable=False,
        ),
        pa.field("attendance", pa.string(), nullable=False),
        pa.field(
            "attempts",
            pa.list_(pa.struct([("on", pa.date32()), ("passed", pa.bool_())])),
            nullable=False,
        ),
        pa.field("organisation", pa.string(), nullable=False),
        pa.field("group_size", pa.int64(), nullable=False),
    ]
)
"""The columns of a cohort table, with the types a checked table has.

Readers also take any integer width for the whole numbers, any time zone and
unit for ``registered_at`` (stored in UTC: only the instant matters), ``date64``
for days and large or dictionary-encoded strings; nothing else.
"""

COHORT_FORMATS: Final = {".jsonl": "JSON Lines", ".parquet": "Parquet", ".csv": "CSV"}
"""Cohort file suffixes and their formats."""

ROWS_PER_BATCH: Final = 10_000
"""Rows a streaming reader takes at a time from a Parquet or CSV file."""


def cohort_table(candidates: Iterable[Candidate]) -> pa.Table:
    """The candidates as an Arrow table with :data:`COHORT_SCHEMA`."""
    rows = [
        {
            "id": c.id,
            "registered_at": c.registered_at,
            "practicum": {"first_day": c.practicum.first_day, "last_day": c.practicum.last_day},
            "access_after_minutes": c.access_after_minutes,
            "changes": [
                {"on": on, "to": {"first_day": to.first_day, "last_day": to.last_day}}
                for on, to in c.changes
            ],
            "attendance": str(c.attendance),
            "attempts": [{"on": on, "passed": passed} for on, passed in c.attempts],
            "organisation": str(c.organisation),
            "group_size": c.group_size,
        }
        for c in candidates
    ]
    return pa.Table.from_pylist(rows, schema=COHORT_SCHEMA)


def candidates_from_table(
    table: pa.Table | pd.DataFrame, *, source: str = "cohort", first_row: int = 1
) -> Iterator[Candidate]:
    """The candidates of a cohort table, checked as :func:`checked_table` checks it."""
    for row in checked_table(table, source=source, first_row=first_row).to_pylist():
        yield Candidate(
            id=row["id"],
            registered_at=row["registered_at"],
            practicum=_session(row["practicum"]),
            access_after_minutes=row["access_after_minutes"],
            changes=tuple((c["on"], _session(c["to"])) for c in row["changes"]),
            attendance=Attendance(row["attendance"]),
            attempts=tuple((a["on"], a["passed"]) for a in row["attempts"]),
            organisation=OrganisationType(row["organisation"]),
            group_size=row["group_size"],
        )


def _session(value: dict[str, dt.date]) -> Session:
    return Session(first_day=value["first_day"], last_day=value["last_day"])


# -- checking a table --------------------------------------------------------------------


def checked_table(
    table: pa.Table | pd.DataFrame, *, source: str = "cohort", first_row: int = 1
) -> pa.Table:
    """``table`` with :data:`COHORT_SCHEMA`'s exact types, every value in range.

    Accepts an Arrow table or a pandas DataFrame with the cohort's columns.
    Raises :class:`~cptm_rules.exceptions.InvalidInputError` naming ``source``,
    the column (and the row, counted from ``first_row``, for a bad value) and
    what would be valid: a
    missing, extra or wrongly typed column, a null, a session that ends before
    it starts, a word outside its list, a number out of range.
    """
    if not isinstance(table, pa.Table):
        table = _from_pandas(table, source)
    names = table.column_names
    expected = COHORT_SCHEMA.names
    unknown = [n for n in names if n not in expected]
    if unknown:
        raise InvalidInputError(
            f"{source}: column {unknown[0]}",
            _Shown(None, label="<column>"),
            f"only the columns {', '.join(expected)}",
        )
    missing = [n for n in expected if n not in names]
    if missing:
        raise InvalidInputError(
            f"{source}: column {missing[0]}",
            _Shown(None, label="<missing>"),
            f"every column of a cohort: {', '.join(expected)}",
        )
    columns = [
        _typed(table.column(field.name), field.type, f"{source}: column {field.name}")
        for field in COHORT_SCHEMA
    ]
    checked = pa.Table.from_arrays(columns, schema=COHORT_SCHEMA)
    _check_values(checked, source, first_row)
    return checked


def _from_pandas(frame: object, source: str) -> pa.Table:
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (TypeError, ValueError, pa.ArrowException) as exc:
        raise InvalidInputError(
            source,
            _Shown(None, label="<table>"),
            "an Arrow table or a pandas DataFrame with the cohort's columns "
            f"({type(exc).__name__})",
        ) from None


def _type_name(kind: pa.DataType) -> str:
    return str(kind).replace("\n", " ")


def _typed(column: pa.ChunkedArray, kind: pa.DataType, where: str) -> pa.ChunkedArray:
    """``column`` as ``kind`` when its type is ``kind`` or a lossless spelling of it."""
    found = column.type
    if column.null_count:
        raise InvalidInputError(
            where, _Shown(None, label="<null>"), f"a value on every row ({_type_name(kind)})"
        )
    # Nested values are checked even when the type is exact: a null may hide inside.
    if pa.types.is_struct(kind) and pa.types.is_struct(found):
        return _typed_struct(column, kind, where)
    if pa.types.is_list(kind) and (pa.types.is_list(found) or pa.types.is_large_list(found)):
        return _typed_list(column, kind, where)
    if found == kind:
        return column
    if not _lossless(found, kind):
        raise InvalidInputError(
            where, _Shown(None, label=_type_name(found)), f"a column of type {_type_name(kind)}"
        )
    try:
        return column.cast(kind)  # safe casts only: a uint64 beyond int64 is refused
    except pa.ArrowInvalid:
        raise InvalidInputError(
            where, _Shown(None, label="<too large>"), "whole numbers that fit 64 bits"
        ) from None


def _lossless(found: pa.DataType, kind: pa.DataType) -> bool:
    if pa.types.is_string(kind):
        return bool(pa.types.is_large_string(found)) or bool(
            pa.types.is_dictionary(found) and pa.types.is_string(found.value_type)
        )
    if pa.types.is_int64(kind):
        return bool(pa.types.is_integer(found))
    if pa.types.is_timestamp(kind):
        return bool(pa.types.is_timestamp(found)) and found.tz is not None
    if pa.types.is_date32(kind):
        return bool(pa.types.is_date64(found))
    return False


def _typed_struct(column: pa.ChunkedArray, kind: pa.StructType, where: str) -> pa.ChunkedArray:
    found = column.type
    names = sorted(found.field(i).name for i in range(found.num_fields))
    if names != sorted(kind.field(i).name for i in range(kind.num_fields)):
        raise InvalidInputError(
            where,
            _Shown(None, label=_type_name(found)),
            f"a column of type {_type_name(kind)}",
        )
    whole = column.combine_chunks()
    parts = [
        _typed(
            pa.chunked_array([whole.field(f.name)]), f.type, f"{where}.{f.name}"
        ).combine_chunks()
        for f in kind
    ]
    return pa.chunked_array([pa.StructArray.from_arrays(parts, fields=list(kind))])


def _typed_list(column: pa.ChunkedArray, kind: pa.ListType, where: str) -> pa.ChunkedArray:
    whole = column.combine_chunks()
    values = _typed(pa.chunked_array([whole.flatten()]), kind.value_type, f"{where}[]")
    offsets = pc.subtract(whole.offsets, whole.offsets[0]).cast(pa.int32())
    return pa.chunked_array([pa.ListArray.from_arrays(offsets, values.combine_chunks(), type=kind)])


Row = Callable[[int], int]


def _check_values(table: pa.Table, source: str, first_row: int) -> None:
    def refuse(
        where: str, values: pa.Array, bad: pa.Array, expected: str, row_of: Row = int
    ) -> None:
        if pc.any(bad).as_py():
            index = pc.index(bad, value=True).as_py()
            row = row_of(index)
            raise InvalidInputError(
                f"{source}: row {first_row + row}: {where}", values[index].as_py(), expected
            )

    ids = table.column("id").combine_chunks()
    lengths = pc.utf8_length(ids)
    refuse(
        "id",
        ids,
        pc.or_(pc.less(lengths, 1), pc.greater(lengths, MAX_ID_LENGTH)),
        f"a string of 1 to {MAX_ID_LENGTH} characters",
    )
    for name, lowest, highest in (
        ("access_after_minutes", 0, MAX_ACCESS_MINUTES),
        ("group_size", 1, MAX_GROUP_SIZE),
    ):
        numbers = table.column(name).combine_chunks()
        refuse(
            name,
            numbers,
            pc.or_(pc.less(numbers, lowest), pc.greater(numbers, highest)),
            f"a whole number from {lowest} to {highest:,}",
        )
    for name, words in (("attendance", Attendance), ("organisation", OrganisationType)):
        column = table.column(name).combine_chunks()
        allowed = pa.array([w.value for w in words])
        refuse(
            name,
            column,
            pc.invert(pc.is_in(column, value_set=allowed)),
            f"one of {', '.join(w.value for w in words)}",
        )
    practicum = table.column("practicum").combine_chunks()
    first, last = practicum.field("first_day"), practicum.field("last_day")
    refuse("practicum.last_day", last, pc.less(last, first), "a date on or after first_day (R2)")
    changes = table.column("changes").combine_chunks()
    offsets = changes.offsets.to_numpy()
    to = changes.flatten().field("to")

    def row_of_change(index: int) -> int:  # a change's place in the flat list -> its row
        return bisect.bisect_right(offsets, offsets[0] + index) - 1

    first, last = to.field("first_day"), to.field("last_day")
    refuse(
        "changes[].to.last_day",
        last,
        pc.less(last, first),
        "a date on or after first_day (R2)",
        row_of_change,
    )


# -- files ----------------------------------------------------------------------------------


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in COHORT_FORMATS:
        raise InputFileError(
            path=str(path),
            problem=f"a cohort file ends in {', '.join(COHORT_FORMATS)}; this one ends in "
            f"{suffix or 'nothing'}",
        )
    return suffix


def iter_cohort_file(path: str | Path) -> Iterator[Candidate]:
    """Candidates from a JSON Lines, Parquet or CSV file, streamed, checked as they come.

    Parquet files are read a row group at a time and CSV files
    :data:`ROWS_PER_BATCH` rows at a time, so any size streams in flat memory.
    """
    path = Path(path)
    suffix = _format(path)
    if suffix == ".jsonl":
        yield from iter_cohort(path)
    elif suffix == ".parquet":
        parquet = open_parquet(path)
        row = 0
        for batch in parquet.iter_batches(batch_size=ROWS_PER_BATCH):
            table = pa.Table.from_batches([batch])
            yield from candidates_from_table(table)  # checked per batch
            row += table.num_rows
        if not row:
            raise InvalidInputError(
                str(path), _Shown(None, label="<empty>"), "a cohort of at least one candidate"
            )
    else:
        yield from _iter_csv(path)


def read_cohort_table(path: str | Path) -> pa.Table:
    """A whole cohort file as one checked Arrow table (:data:`COHORT_SCHEMA`)."""
    path = Path(path)
    if _format(path) == ".parquet":
        parquet = open_parquet(path)
        try:
            table = parquet.read()
        except (OSError, pa.ArrowException) as exc:
            raise InputFileError(
                path=str(path), problem=f"not a readable Parquet file ({type(exc).__name__})"
            ) from None
        if not table.num_rows:
            raise InvalidInputError(
                str(path), _Shown(None, label="<empty>"), "a cohort of at least one candidate"
            )
        return checked_table(table, source=str(path))
    return cohort_table(iter_cohort_file(path))


def open_parquet(path: Path) -> pq.ParquetFile:
    """``path`` opened as a Parquet file (its footer read), or a one-line error naming it."""
    check_readable(path)
    try:
        return pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as exc:
        raise InputFileError(
            path=str(path), problem=f"not a readable Parquet file ({type(exc).__name__})"
        ) from None


_CSV_WHOLE: Final = re.compile(r"[0-9]{1,7}")
_CSV_LISTS: Final = ("changes", "attempts")
_CSV_NUMBERS: Final = ("access_after_minutes", "group_size")


def _iter_csv(path: Path) -> Iterator[Candidate]:
    check_readable(path)
    count = 0
    try:
        with path.open(encoding="utf-8-sig", errors="strict", newline="") as stream:
            reader = csv.reader(stream, strict=True)
            header = next(reader, None)
            if header is None:
                raise InvalidInputError(
                    str(path),
                    _Shown(None, label="<empty>"),
                    "a header row and at least one candidate",
                )
            _check_header(path, header)
            for number, cells in enumerate(reader, start=2):
                if not any(cells):
                    continue
                count += 1
                yield _csv_candidate(path, number, header, cells)
    except UnicodeDecodeError as exc:
        raise InputFileError(
            path=str(path), problem=f"not UTF-8 text ({exc.reason}); save it as UTF-8"
        ) from None
    except csv.Error as exc:
        raise InputFileError(path=str(path), problem=f"not valid CSV ({exc})") from None
    except OSError as exc:
        raise InputFileError(path=str(path), problem=exc.strerror or str(exc)) from None
    if not count:
        raise InvalidInputError(
            str(path), _Shown(None, label="<empty>"), "a cohort of at least one candidate"
        )


def _check_header(path: Path, header: list[str]) -> None:
    expected = COHORT_SCHEMA.names
    for name in header:
        if name not in expected:
            raise InvalidInputError(
                f"{path}: header", name, f"column names among {', '.join(expected)}"
            )
    if len(set(header)) != len(header):
        twice = next(n for n in header if header.count(n) > 1)
        raise InvalidInputError(f"{path}: header", twice, "each column once")
    for name in ("id", "registered_at", "practicum"):
        if name not in header:
            raise InvalidInputError(
                f"{path}: header", _Shown(None, label="<missing>"), f"a column {name} (required)"
            )


def _csv_candidate(path: Path, number: int, header: list[str], cells: list[str]) -> Candidate:
    where = f"{path}:{number}"
    if len(cells) != len(header):
        raise InvalidInputError(
            where, _Shown(None, label="<row>"), f"{len(header)} cells, as the header has"
        )
    row: dict[str, object] = {}
    try:
        for name, cell in zip(header, cells, strict=True):
            if cell == "" and name not in ("id", "registered_at", "practicum"):
                continue  # an empty optional cell takes the default, as a missing key does
            row[name] = _csv_value(name, cell)
        return _candidate(row)
    except _Bad as bad:
        value = bad.value if isinstance(bad.value, _Shown) else _Shown(bad.value)
        raise InvalidInputError(f"{where}: {bad.key}", value, bad.expected) from None


def _csv_value(name: str, cell: str) -> object:
    if name in _CSV_NUMBERS:
        if not _CSV_WHOLE.fullmatch(cell):
            raise _Bad(name, cell, "a whole number written in digits")
        return int(cell)
    if name in _CSV_LISTS:
        try:
            return parse_json(cell)
        except ValueError as exc:
            raise _Bad(name, cell, f"a JSON array as in a JSON Lines cohort ({exc})") from None
    return cell


def write_cohort(path: str | Path, candidates: Iterable[Candidate]) -> int:
    """Write ``candidates`` to ``path`` in the format its suffix names; the count written.

    The file is replaced whole or not at all. Parquet and CSV are written
    :data:`ROWS_PER_BATCH` candidates at a time.
    """
    path = Path(path)
    suffix = _format(path)
    count = 0
    with atomic_file(path) as stream:
        if suffix == ".parquet":
            with pq.ParquetWriter(stream, COHORT_SCHEMA) as writer:
                for batch in _chunks(candidates, ROWS_PER_BATCH):
                    writer.write_table(cohort_table(batch))
                    count += len(batch)
        elif suffix == ".csv":
            with _csv_rows(stream, COHORT_SCHEMA.names) as out:
                for candidate in candidates:
                    row = candidate_row(candidate)
                    out.writerow([_csv_cell(row[name]) for name in COHORT_SCHEMA.names])
                    count += 1
        else:
            for candidate in candidates:
                stream.write(_json_line(candidate_row(candidate)))
                count += 1
    return count


ANSWER_ROW_SCHEMA: Final = pa.schema(
    [
        pa.field("candidate", pa.string(), nullable=False),
        pa.field("answer", pa.string(), nullable=False),
        pa.field("base", pa.string(), nullable=False),
        pa.field("candidate_policy", pa.string(), nullable=False),
        pa.field("changed", pa.bool_(), nullable=False),
        pa.field("rules", pa.string(), nullable=False),
    ]
)
"""The columns ``cptm-rules diff --output`` writes: one row per candidate and answer."""


@contextlib.contextmanager
def answer_writer(path: str | Path) -> Iterator[Callable[[Sequence[AnswerRow]], None]]:
    """A sink for a diff's answer rows (``on_rows``), written to ``path`` as they come.

    The format follows the suffix (``.parquet``, ``.csv``, ``.jsonl``); the file
    appears whole when the block ends, and not at all if it raises.
    """
    path = Path(path)
    suffix = _format(path)
    names = ANSWER_ROW_SCHEMA.names
    with atomic_file(path) as stream:
        if suffix == ".parquet":
            with pq.ParquetWriter(stream, ANSWER_ROW_SCHEMA) as writer:

                def parquet_rows(rows: Sequence[AnswerRow]) -> None:
                    columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
                    writer.write_table(
                        pa.Table.from_arrays(
                            [
                                pa.array(c, type=f.type)
                                for c, f in zip(columns, ANSWER_ROW_SCHEMA, strict=True)
                            ],
                            schema=ANSWER_ROW_SCHEMA,
                        )
                    )

                yield parquet_rows
        elif suffix == ".csv":
            with _csv_rows(stream, names) as out:

                def csv_rows(rows: Sequence[AnswerRow]) -> None:
                    out.writerows((*r[:4], "true" if r.changed else "false", r.rules) for r in rows)

                yield csv_rows
        else:

            def json_rows(rows: Sequence[AnswerRow]) -> None:
                stream.write(b"".join(_json_line(r._asdict()) for r in rows))

            yield json_rows


@contextlib.contextmanager
def _csv_rows(stream: BinaryIO, header: Sequence[str]) -> Iterator[Any]:
    # A CSV writer over the binary stream, header written; the stream stays open.
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
    out = csv.writer(text, lineterminator="\n")
    out.writerow(header)
    yield out
    text.flush()
    text.detach()


def _csv_cell(value: object) -> str:
    if isinstance(value, list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _json_line(row: dict[str, object]) -> bytes:
    return (json.dumps(row, separators=(", ", ": ")) + "\n").encode()
