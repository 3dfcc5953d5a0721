"""Cohorts as tables: Parquet and CSV files, Arrow tables and pandas DataFrames.

A cohort has the same keys in every form (``docs/cohorts.md``). In JSON Lines
(:func:`~cptm_rules.cohort.candidates.iter_cohort`) values are JSON strings and numbers; in
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

Needs the ``notebook`` or ``columnar`` extra (pyarrow); neither ``import cptm_rules``
nor ``import cptm_rules.cohort`` loads this module (it was ``cptm_rules.cohort_formats``).
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Final

import attrs
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cptm_rules.cohort.candidates import (
    ID_TEXT,
    MAX_ACCESS_MINUTES,
    MAX_GROUP_SIZE,
    MAX_ID_LENGTH,
    MAX_LIST_LENGTH,
    Candidate,
    FieldError,
    Shown,
    candidate_from_row,
    candidate_row,
    chunks,
    has_control_characters,
    iter_cohort,
)
from cptm_rules.events import Activity, Session
from cptm_rules.exceptions import CptmRulesError, InputFileError, InvalidInputError
from cptm_rules.files import atomic_file, check_readable, parse_json
from cptm_rules.vocabulary import ActivityCategory, Attendance, OrganisationType

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    import pandas as pd

    from cptm_rules.cohort.counts import AnswerRow

__all__ = [
    "ANSWER_ROW_SCHEMA",
    "COHORT_FORMATS",
    "COHORT_SCHEMA",
    "MAX_HOURS",
    "MAX_PARQUET_COLUMNS",
    "MAX_ROW_GROUP_BYTES",
    "ROWS_PER_BATCH",
    "CheckedCohort",
    "answer_writer",
    "candidates_from_table",
    "checked_cohort",
    "checked_table",
    "cohort_table",
    "iter_cohort_file",
    "open_parquet",
    "read_cohort_table",
    "write_cohort",
]

_SESSION: Final = pa.struct([("first_day", pa.date32()), ("last_day", pa.date32())])
_HOURS_TYPE: Final = pa.decimal128(6, 2)

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
        pa.field("elearning_opened", pa.date32(), nullable=True),
        pa.field(
            "modules",
            pa.list_(pa.struct([("on", pa.date32()), ("passed", pa.bool_())])),
            nullable=False,
        ),
        pa.field("substitution", pa.date32(), nullable=True),
        pa.field("cancelled_on", pa.date32(), nullable=True),
        pa.field("re_enrolment", pa.struct([("on", pa.date32()), ("to", _SESSION)]), nullable=True),
        pa.field(
            "activities",
            pa.list_(
                pa.struct(
                    [
                        ("id", pa.string()),
                        ("on", pa.date32()),
                        ("hours", _HOURS_TYPE),
                        ("category", pa.string()),
                    ]
                )
            ),
            nullable=False,
        ),
        pa.field("renewal_payments", pa.list_(pa.date32()), nullable=False),
    ]
)
"""The columns of a cohort table, with the types a checked table has.

The first nine columns are required; the last seven (``elearning_opened`` to
``renewal_payments``) may be left out, and a table without them reads with their
defaults (no date, empty lists). A null is refused everywhere except in
``elearning_opened``, ``substitution``, ``cancelled_on``, ``re_enrolment`` (no
such event) and a module's ``passed`` (no assessment taken). Readers also take
any integer width for the whole numbers, any time zone and unit for
``registered_at`` (stored in UTC: only the instant matters), ``date64`` for days,
large or dictionary-encoded strings, large lists and any decimal with at most two
decimals for ``hours``; nothing else.
"""

_REQUIRED_COLUMNS: Final = COHORT_SCHEMA.names[:9]
_NULLABLE: Final = frozenset(
    {"elearning_opened", "substitution", "cancelled_on", "re_enrolment", "modules[].passed"}
)
# Where a null means "no such event"; everywhere else a null is refused.

COHORT_FORMATS: Final = {".jsonl": "JSON Lines", ".parquet": "Parquet", ".csv": "CSV"}
"""Cohort file suffixes and their formats."""

ROWS_PER_BATCH: Final = 10_000
"""Rows a streaming reader takes at a time from a Parquet or CSV file."""

MAX_ROW_GROUP_BYTES: Final = 512 * 1024 * 1024
"""The most one Parquet row group may declare it decompresses to (512 MiB).

Checked from the footer before any data is read, so a small, highly compressed
file cannot make a reader allocate gigabytes."""

MAX_PARQUET_COLUMNS: Final = 256
"""The most leaf columns a Parquet cohort's footer may declare (a cohort has 27)."""

MAX_HOURS: Final = Decimal("9999.99")
"""The most hours one continuing-education activity may record."""

_CONTROL_RE2: Final = r"[\x00-\x1f\x7f-\x9f\x{202a}-\x{202e}\x{2066}-\x{2069}]"
"""The characters of :func:`~cptm_rules.cohort.candidates.has_control_characters`, in RE2."""


def cohort_table(candidates: Iterable[Candidate]) -> pa.Table:
    """The candidates as an Arrow table with :data:`COHORT_SCHEMA`.

    Raises :class:`~cptm_rules.exceptions.InvalidInputError` for a candidate a
    column cannot hold (hours beyond 9999.99 or with more than two decimals).
    """
    rows = [
        {
            "id": c.id,
            "registered_at": c.registered_at,
            "practicum": _struct(c.practicum),
            "access_after_minutes": c.access_after_minutes,
            "changes": [{"on": on, "to": _struct(to)} for on, to in c.changes],
            "attendance": str(c.attendance),
            "attempts": [{"on": on, "passed": passed} for on, passed in c.attempts],
            "organisation": str(c.organisation),
            "group_size": c.group_size,
            "elearning_opened": c.elearning_opened,
            "modules": [{"on": on, "passed": passed} for on, passed in c.modules],
            "substitution": c.substitution,
            "cancelled_on": c.cancelled_on,
            "re_enrolment": None
            if c.re_enrolment is None
            else {"on": c.re_enrolment[0], "to": _struct(c.re_enrolment[1])},
            "activities": [
                {"id": a.id, "on": a.on, "hours": a.hours, "category": str(a.category)}
                for a in c.activities
            ],
            "renewal_payments": list(c.renewal_payments),
        }
        for c in candidates
    ]
    try:
        return pa.Table.from_pylist(rows, schema=COHORT_SCHEMA)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:
        raise InvalidInputError(
            "candidates",
            Shown(None, label=f"<{type(exc).__name__}>"),
            "candidates the cohort columns hold (activity hours from 0 to 9999.99, "
            "at most two decimals)",
        ) from None


def _struct(session: Session) -> dict[str, dt.date]:
    return {"first_day": session.first_day, "last_day": session.last_day}


def candidates_from_table(
    table: pa.Table | pd.DataFrame, *, source: str = "cohort", first_row: int = 1
) -> Iterator[Candidate]:
    """The candidates of a cohort table, checked as :func:`checked_table` checks it."""
    for row in checked_table(table, source=source, first_row=first_row).to_pylist():
        re_enrolment = row["re_enrolment"]
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
            elearning_opened=row["elearning_opened"],
            modules=tuple((m["on"], m["passed"]) for m in row["modules"]),
            substitution=row["substitution"],
            cancelled_on=row["cancelled_on"],
            re_enrolment=None
            if re_enrolment is None
            else (re_enrolment["on"], _session(re_enrolment["to"])),
            activities=tuple(
                Activity(
                    id=a["id"],
                    on=a["on"],
                    hours=a["hours"],
                    category=ActivityCategory(a["category"]),
                )
                for a in row["activities"]
            ),
            renewal_payments=tuple(row["renewal_payments"]),
        )


def _session(value: dict[str, dt.date]) -> Session:
    return Session(first_day=value["first_day"], last_day=value["last_day"])


# -- checking a table --------------------------------------------------------------------


@attrs.frozen
class CheckedCohort:
    """A cohort table :func:`checked_table` has checked (make one with :func:`checked_cohort`).

    :func:`~cptm_rules.batch.batch_answers` reads it without checking it again: the diff's
    batch engine answers one table under both sides, and checking costs as much as a
    third of answering.
    """

    table: pa.Table
    """The table, with :data:`COHORT_SCHEMA`'s exact types and every value in range."""


def checked_cohort(
    table: pa.Table | pd.DataFrame | CheckedCohort, *, source: str = "cohort", first_row: int = 1
) -> CheckedCohort:
    """``table`` checked once (:func:`checked_table`), for the batch path to read as it is."""
    if isinstance(table, CheckedCohort):
        return table
    return CheckedCohort(table=checked_table(table, source=source, first_row=first_row))


def checked_table(
    table: pa.Table | pd.DataFrame, *, source: str = "cohort", first_row: int = 1
) -> pa.Table:
    """``table`` with :data:`COHORT_SCHEMA`'s exact types, every value in range.

    Accepts an Arrow table or a pandas DataFrame with the cohort's columns (the
    optional ones may be left out: they take their defaults). Raises
    :class:`~cptm_rules.exceptions.InvalidInputError` naming ``source``, the
    column (and the row, counted from ``first_row``, for a bad value) and what
    would be valid: a missing, extra, repeated or wrongly typed column, a null, a
    session that ends before it starts, a word outside its list, a number or a
    date out of range, a list too long, an id with a control character.
    """
    if not isinstance(table, pa.Table):
        table = _from_pandas(table, source)
    _check_names(table.column_names, source)
    for name in table.column_names:
        _check_valid(table.column(name), f"{source}: column {name}")
    columns = [
        _typed(table.column(field.name), field.type, source, field.name)
        if field.name in table.column_names
        else _default(field, table.num_rows)
        for field in COHORT_SCHEMA
    ]
    checked = pa.Table.from_arrays(columns, schema=COHORT_SCHEMA)
    _check_values(checked, source, first_row)
    return checked


def _check_names(names: Sequence[str], source: str) -> None:
    expected = COHORT_SCHEMA.names
    unknown = [n for n in names if n not in expected]
    if unknown:
        raise InvalidInputError(
            f"{source}: column {unknown[0]}",
            Shown(None, label="<column>"),
            f"only the columns {', '.join(expected)}",
        )
    twice = [n for n in names if names.count(n) > 1]
    if twice:
        raise InvalidInputError(
            f"{source}: column {twice[0]}", Shown(None, label="<twice>"), "each column once"
        )
    missing = [n for n in _REQUIRED_COLUMNS if n not in names]
    if missing:
        raise InvalidInputError(
            f"{source}: column {missing[0]}",
            Shown(None, label="<missing>"),
            f"every column of a cohort: {', '.join(_REQUIRED_COLUMNS)}",
        )


def _check_valid(column: pa.ChunkedArray, where: str) -> None:
    # Arrow does not check what a Parquet file holds: text that is not UTF-8, offsets
    # past the end. Full validation refuses them before any value is read.
    try:
        column.validate(full=True)
    except pa.ArrowInvalid:
        raise InvalidInputError(
            where, Shown(None, label="<damaged>"), "valid values (text in UTF-8)"
        ) from None


def _default(field: pa.Field, rows: int) -> pa.Array:
    # An optional column left out: no such event (a null) or an empty list on every row.
    if field.nullable:
        return pa.nulls(rows, type=field.type)
    return pa.array([[]] * rows, type=field.type)


def _from_pandas(frame: object, source: str) -> pa.Table:
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (TypeError, ValueError, pa.ArrowException) as exc:
        raise InvalidInputError(
            source,
            Shown(None, label="<table>"),
            "an Arrow table or a pandas DataFrame with the cohort's columns "
            f"({type(exc).__name__})",
        ) from None


def _type_name(kind: pa.DataType) -> str:
    return str(kind).replace("\n", " ")


_FIRST_DAY: Final = dt.date.min
_LAST_DAY: Final = dt.date.max
_FIRST_INSTANT: Final = dt.datetime.min.replace(tzinfo=dt.UTC)
_LAST_INSTANT: Final = dt.datetime.max.replace(tzinfo=dt.UTC)


def _typed(
    column: pa.ChunkedArray,
    kind: pa.DataType,
    source: str,
    path: str,
    masked: pa.Array | None = None,
) -> pa.ChunkedArray:
    """``column`` as ``kind`` when its type is ``kind`` or a lossless spelling of it.

    ``masked`` marks the rows whose parent is null: nothing is checked there.
    """
    where = f"{source}: column {path}"
    found = column.type
    if path not in _NULLABLE and column.null_count:
        nulls = pc.is_null(column.combine_chunks())
        if masked is None or pc.any(pc.and_(nulls, pc.invert(masked))).as_py():
            raise InvalidInputError(
                where, Shown(None, label="<null>"), f"a value on every row ({_type_name(kind)})"
            )
    # Nested values are checked even when the type is exact: a null may hide inside.
    if pa.types.is_struct(kind) and pa.types.is_struct(found):
        return _typed_struct(column, kind, source, path, masked)
    if pa.types.is_list(kind) and (pa.types.is_list(found) or pa.types.is_large_list(found)):
        return _typed_list(column, kind, source, path)
    if found != kind:
        if not _lossless(found, kind):
            raise InvalidInputError(
                where, Shown(None, label=_type_name(found)), f"a column of type {_type_name(kind)}"
            )
        try:
            column = column.cast(kind)  # safe casts only: a uint64 beyond int64 is refused
        except pa.ArrowInvalid:
            fits = "whole numbers that fit 64 bits" if pa.types.is_integer(kind) else "values"
            raise InvalidInputError(
                where, Shown(None, label="<too large>"), f"{fits} of type {_type_name(kind)}"
            ) from None
    _check_range(column, kind, where, masked)
    return column


def _check_range(
    column: pa.ChunkedArray, kind: pa.DataType, where: str, masked: pa.Array | None
) -> None:
    # Days and instants Python's datetime cannot hold (year 0, past 9999) are refused here,
    # before a conversion would overflow.
    if pa.types.is_date32(kind):
        lowest, highest, expected = _FIRST_DAY, _LAST_DAY, "a date from 0001-01-01 to 9999-12-31"
    elif pa.types.is_timestamp(kind):
        lowest, highest = _FIRST_INSTANT, _LAST_INSTANT
        expected = "an instant from 0001-01-01 to 9999-12-31 (UTC)"
    else:
        return
    values = column.combine_chunks()
    bad = pc.or_(
        pc.less(values, pa.scalar(lowest, type=kind)),
        pc.greater(values, pa.scalar(highest, type=kind)),
    )
    if masked is not None:
        bad = pc.and_(bad, pc.invert(masked))
    if pc.any(bad).as_py():
        raise InvalidInputError(where, Shown(None, label="<out of range>"), expected)


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
    if pa.types.is_decimal(kind):
        return bool(pa.types.is_decimal(found)) and found.scale <= kind.scale
    return False


def _typed_struct(
    column: pa.ChunkedArray,
    kind: pa.StructType,
    source: str,
    path: str,
    masked: pa.Array | None,
) -> pa.ChunkedArray:
    found = column.type
    names = [found.field(i).name for i in range(found.num_fields)]
    if sorted(names) != sorted(kind.field(i).name for i in range(kind.num_fields)):
        raise InvalidInputError(
            f"{source}: column {path}",
            Shown(None, label=_type_name(found)),
            f"a column of type {_type_name(kind)}",
        )
    whole = column.combine_chunks()
    nulls = pc.is_null(whole)
    hidden = nulls if masked is None else pc.or_(nulls, masked)
    parts = [
        _typed(
            pa.chunked_array([whole.field(f.name)]), f.type, source, f"{path}.{f.name}", hidden
        ).combine_chunks()
        for f in kind
    ]
    mask = hidden if whole.null_count or masked is not None else None
    return pa.chunked_array([pa.StructArray.from_arrays(parts, fields=list(kind), mask=mask)])


def _typed_list(
    column: pa.ChunkedArray, kind: pa.ListType, source: str, path: str
) -> pa.ChunkedArray:
    whole = column.combine_chunks()
    values = _typed(pa.chunked_array([whole.flatten()]), kind.value_type, source, f"{path}[]")
    # A large list's offsets fit 32 bits: a batch holding 2**31 items could not pass
    # the row group bound (MAX_ROW_GROUP_BYTES) on the way in.
    offsets = pc.subtract(whole.offsets, whole.offsets[0])
    return pa.chunked_array(
        [pa.ListArray.from_arrays(offsets.cast(pa.int32()), values.combine_chunks(), type=kind)]
    )


Row = Callable[[int], int]


def _check_values(table: pa.Table, source: str, first_row: int) -> None:  # noqa: C901
    def refuse(
        where: str,
        values: pa.Array | Callable[[int], object],
        bad: pa.Array,
        expected: str,
        row_of: Row = int,
    ) -> None:
        # ``values``: the checked values, or what to show for the one at a place (built
        # only for the value refused, not for every row).
        if pc.any(bad).as_py():
            index = pc.index(bad, value=True).as_py()
            row = row_of(index)
            shown = values(index) if callable(values) else values[index].as_py()
            raise InvalidInputError(f"{source}: row {first_row + row}: {where}", shown, expected)

    def in_list(name: str) -> tuple[pa.Array, Row]:
        # A list column's items, and a function from an item's place to its row.
        column = table.column(name).combine_chunks()
        offsets = column.offsets.to_numpy()

        def row_of(index: int) -> int:
            return int(bisect.bisect_right(offsets, offsets[0] + index)) - 1

        lengths = pc.list_value_length(column)
        refuse(
            name,
            lambda row: f"<{lengths[row].as_py():,} items>",
            pc.greater(lengths, MAX_LIST_LENGTH),
            f"at most {MAX_LIST_LENGTH:,} items",
        )
        return column.flatten(), row_of

    def check_id(where: str, ids: pa.Array, row_of: Row = int) -> None:
        lengths = pc.utf8_length(ids)
        refuse(
            where,
            ids,
            pc.or_(pc.less(lengths, 1), pc.greater(lengths, MAX_ID_LENGTH)),
            f"a string of 1 to {MAX_ID_LENGTH} characters",
            row_of,
        )
        refuse(where, ids, pc.match_substring_regex(ids, _CONTROL_RE2), ID_TEXT, row_of)

    def check_words(where: str, column: pa.Array, words: Iterable[str], row_of: Row = int) -> None:
        allowed = list(words)
        refuse(
            where,
            column,
            pc.invert(pc.is_in(column, value_set=pa.array(allowed))),
            f"one of {', '.join(allowed)}",
            row_of,
        )

    def check_session(where: str, session: pa.Array, row_of: Row = int) -> None:
        first, last = session.flatten()  # the parent's nulls apply: a null compares as null
        refuse(where, last, pc.less(last, first), "a date on or after first_day (R2)", row_of)

    check_id("id", table.column("id").combine_chunks())
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
    for name, vocabulary in (("attendance", Attendance), ("organisation", OrganisationType)):
        check_words(name, table.column(name).combine_chunks(), (w.value for w in vocabulary))
    check_session("practicum.last_day", table.column("practicum").combine_chunks())
    changes, row_of_change = in_list("changes")
    check_session("changes[].to.last_day", changes.field("to"), row_of_change)
    for name in ("attempts", "modules", "renewal_payments"):
        in_list(name)
    re_enrolment = table.column("re_enrolment").combine_chunks()
    check_session("re_enrolment.to.last_day", re_enrolment.flatten()[1])
    activities, row_of_activity = in_list("activities")
    check_id("activities[].id", activities.field("id"), row_of_activity)
    hours = activities.field("hours")
    refuse(
        "activities[].hours",
        hours,
        pc.or_(
            pc.less(hours, pa.scalar(Decimal(0), type=_HOURS_TYPE)),
            pc.greater(hours, pa.scalar(MAX_HOURS, type=_HOURS_TYPE)),
        ),
        "hours from 0 to 9999.99",
        row_of_activity,
    )
    check_words(
        "activities[].category",
        activities.field("category"),
        (c.value for c in ActivityCategory),
        row_of_activity,
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
    :data:`ROWS_PER_BATCH` rows at a time, so any size streams in flat memory. A
    Parquet file's footer is checked before any data is read (its columns, their
    types, :data:`MAX_PARQUET_COLUMNS`, :data:`MAX_ROW_GROUP_BYTES`); a bad value
    names the file and its row in the whole file.
    """
    path = Path(path)
    suffix = _format(path)
    if suffix == ".jsonl":
        yield from iter_cohort(path)
    elif suffix == ".parquet":
        parquet = open_parquet(path)
        row = 0
        batches = parquet.iter_batches(batch_size=ROWS_PER_BATCH)
        while True:
            with _reading_parquet(path):
                batch = next(batches, None)
            if batch is None:
                break
            table = pa.Table.from_batches([batch])
            # checked per batch; rows count on from the batches before
            yield from candidates_from_table(table, source=str(path), first_row=row + 1)
            row += table.num_rows
        if not row:
            raise InvalidInputError(
                str(path), Shown(None, label="<empty>"), "a cohort of at least one candidate"
            )
    else:
        yield from _iter_csv(path)


@contextlib.contextmanager
def _reading_parquet(path: Path) -> Iterator[None]:
    # What a damaged file raises while its pages are read, as one line naming the file.
    try:
        yield
    except (OSError, pa.ArrowException, OverflowError, ValueError, KeyError, IndexError) as exc:
        if isinstance(exc, CptmRulesError):
            raise  # already one line naming the file
        raise InputFileError(
            path=str(path), problem=f"not a readable Parquet file ({type(exc).__name__})"
        ) from None


def read_cohort_table(path: str | Path) -> pa.Table:
    """A whole cohort file as one checked Arrow table (:data:`COHORT_SCHEMA`)."""
    path = Path(path)
    if _format(path) == ".parquet":
        parquet = open_parquet(path)
        with _reading_parquet(path):
            table = parquet.read()
        if not table.num_rows:
            raise InvalidInputError(
                str(path), Shown(None, label="<empty>"), "a cohort of at least one candidate"
            )
        return checked_table(table, source=str(path))
    return cohort_table(iter_cohort_file(path))


def open_parquet(path: Path) -> pq.ParquetFile:
    """``path`` opened as a Parquet file, its footer checked, or a one-line error naming it.

    Before any data is read: at most :data:`MAX_PARQUET_COLUMNS` columns, the
    cohort's column names and types (:func:`checked_table` on no rows), and no
    row group declaring more than :data:`MAX_ROW_GROUP_BYTES` uncompressed.
    """
    check_readable(path)
    with _reading_parquet(path):
        parquet = pq.ParquetFile(path)
        metadata = parquet.metadata
        if metadata.num_columns > MAX_PARQUET_COLUMNS:
            raise InvalidInputError(
                f"{path}: columns",
                Shown(None, label=f"<{metadata.num_columns:,} columns>"),
                f"at most {MAX_PARQUET_COLUMNS} columns (a cohort has {len(COHORT_SCHEMA)})",
            )
        schema = parquet.schema_arrow
        checked_table(schema.empty_table(), source=str(path))
        for group in range(metadata.num_row_groups):
            declared = metadata.row_group(group).total_byte_size
            columns = metadata.row_group(group)
            declared = max(
                declared,
                sum(columns.column(c).total_uncompressed_size for c in range(columns.num_columns)),
            )
            if declared > MAX_ROW_GROUP_BYTES:
                raise InvalidInputError(
                    f"{path}: row group {group + 1}",
                    Shown(None, label=f"<{declared:,} bytes uncompressed>"),
                    f"row groups of at most {MAX_ROW_GROUP_BYTES // 2**20} MiB uncompressed; "
                    "write the file with smaller row groups",
                )
    return parquet


_CSV_WHOLE: Final = re.compile(r"[0-9]{1,7}")
_CSV_JSON: Final = (
    "changes",
    "attempts",
    "modules",
    "re_enrolment",
    "activities",
    "renewal_payments",
)
_CSV_NUMBERS: Final = ("access_after_minutes", "group_size")
_FORMULA: Final = re.compile("'*[=+\\-@\t\r]")
# A cell a spreadsheet would run as a formula: written with one more leading apostrophe,
# read back with one less, so every text survives the round trip.


def _escaped(cell: str) -> str:
    return "'" + cell if _FORMULA.match(cell) else cell


def _unescaped(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and _FORMULA.match(cell, 1) else cell


def _iter_csv(path: Path) -> Iterator[Candidate]:
    check_readable(path)
    count = 0
    try:
        with path.open(encoding="utf-8-sig", errors="strict", newline="") as stream:
            reader = csv.reader(stream, strict=True)
            line = 1  # the physical line a record starts on: a quoted cell may span lines
            try:
                header = next(reader, None)
                if header is None:
                    raise InvalidInputError(
                        str(path),
                        Shown(None, label="<empty>"),
                        "a header row and at least one candidate",
                    )
                _check_header(path, header)
                while True:
                    line = reader.line_num + 1
                    cells = next(reader, None)
                    if cells is None:
                        break
                    if not cells:
                        continue  # a blank line, as in JSON Lines
                    if not any(cells):
                        raise InvalidInputError(
                            f"{path}:{line}",
                            Shown(None, label="<empty row>"),
                            "a candidate on every row (an id, registered_at and practicum)",
                        )
                    count += 1
                    yield _csv_candidate(path, line, header, cells)
            except csv.Error as exc:
                raise InputFileError(
                    path=f"{path}:{line}", problem=f"not valid CSV ({exc})"
                ) from None
    except UnicodeDecodeError as exc:
        raise InputFileError(
            path=str(path), problem=f"not UTF-8 text ({exc.reason}); save it as UTF-8"
        ) from None
    except OSError as exc:
        raise InputFileError(path=str(path), problem=exc.strerror or str(exc)) from None
    if not count:
        raise InvalidInputError(
            str(path), Shown(None, label="<empty>"), "a cohort of at least one candidate"
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
                f"{path}: header", Shown(None, label="<missing>"), f"a column {name} (required)"
            )


def _csv_candidate(path: Path, number: int, header: list[str], cells: list[str]) -> Candidate:
    where = f"{path}:{number}"
    if len(cells) != len(header):
        raise InvalidInputError(
            where, Shown(None, label="<row>"), f"{len(header)} cells, as the header has"
        )
    row: dict[str, object] = {}
    try:
        for name, cell in zip(header, cells, strict=True):
            if cell == "" and name not in ("id", "registered_at", "practicum"):
                continue  # an empty optional cell takes the default, as a missing key does
            row[name] = _csv_value(name, _unescaped(cell))
        candidate = candidate_from_row(row)
    except FieldError as bad:
        value = bad.value if isinstance(bad.value, Shown) else Shown(bad.value)
        raise InvalidInputError(f"{where}: {bad.key}", value, bad.expected) from None
    if has_control_characters(candidate.id):
        raise InvalidInputError(f"{where}: id", candidate.id, ID_TEXT)
    for n, activity in enumerate(candidate.activities):
        if has_control_characters(activity.id):
            raise InvalidInputError(f"{where}: activities[{n}].id", activity.id, ID_TEXT)
    return candidate


def _csv_value(name: str, cell: str) -> object:
    if name in _CSV_NUMBERS:
        if not _CSV_WHOLE.fullmatch(cell):
            raise FieldError(name, cell, "a whole number written in digits")
        return int(cell)
    if name in _CSV_JSON:
        try:
            return parse_json(cell)
        except ValueError as exc:
            raise FieldError(name, cell, f"JSON as in a JSON Lines cohort ({exc})") from None
    return cell


def write_cohort(path: str | Path, candidates: Iterable[Candidate]) -> int:
    """Write ``candidates`` to ``path`` in the format its suffix names; the count written.

    The file is replaced whole or not at all. Parquet and CSV are written
    :data:`ROWS_PER_BATCH` candidates at a time. A CSV cell a spreadsheet would
    run as a formula (starting ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return) gets a leading apostrophe, which the CSV reader takes off again.
    """
    path = Path(path)
    suffix = _format(path)
    count = 0
    with atomic_file(path) as stream:
        if suffix == ".parquet":
            with pq.ParquetWriter(stream, COHORT_SCHEMA) as writer:
                for batch in chunks(candidates, ROWS_PER_BATCH):
                    writer.write_table(cohort_table(batch))
                    count += len(batch)
        elif suffix == ".csv":
            with _csv_rows(stream, COHORT_SCHEMA.names) as out:
                for candidate in candidates:
                    row = candidate_row(candidate)
                    out.writerow([_csv_cell(row.get(name)) for name in COHORT_SCHEMA.names])
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
                    out.writerows(
                        (*map(_escaped, r[:4]), "true" if r.changed else "false", _escaped(r.rules))
                        for r in rows
                    )

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
    if value is None:
        return ""  # a key candidate_row leaves out: the default
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(",", ":"))
    return _escaped(str(value))


def _json_line(row: dict[str, object]) -> bytes:
    return (json.dumps(row, separators=(", ", ": ")) + "\n").encode()
