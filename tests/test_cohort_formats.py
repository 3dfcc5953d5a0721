"""Cohorts as Parquet, CSV and Arrow tables: exact types, streamed, written whole."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cptm_rules.cohort import AnswerRow, synthetic_cohort
from cptm_rules.cohort_formats import (
    ANSWER_ROW_SCHEMA,
    COHORT_SCHEMA,
    answer_writer,
    candidates_from_table,
    checked_table,
    cohort_table,
    iter_cohort_file,
    read_cohort_table,
    write_cohort,
)
from cptm_rules.exceptions import InputFileError, InvalidInputError

if TYPE_CHECKING:
    from pathlib import Path

COHORT = synthetic_cohort(40, seed=9)
HEADER = ",".join(COHORT_SCHEMA.names)


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet", ".csv"])
def test_a_cohort_round_trips_through_every_file_format(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"cohort{suffix}"
    assert write_cohort(path, COHORT) == len(COHORT)
    assert tuple(iter_cohort_file(path)) == COHORT
    table = read_cohort_table(path)
    assert table.schema == COHORT_SCHEMA
    assert tuple(candidates_from_table(table)) == COHORT


def test_a_parquet_cohort_is_read_a_batch_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "cohort.parquet"
    pq.write_table(cohort_table(COHORT), path, row_group_size=7)
    assert pq.ParquetFile(path).num_row_groups == 6
    assert tuple(iter_cohort_file(path)) == COHORT


def test_a_table_in_pieces_or_sliced_is_read_like_a_whole_one() -> None:
    table = cohort_table(COHORT)
    pieces = pa.concat_tables([table.slice(0, 13), table.slice(13)])
    assert pieces.column("changes").num_chunks == 2
    assert tuple(candidates_from_table(pieces)) == COHORT
    assert tuple(candidates_from_table(table.slice(5, 10))) == COHORT[5:15]


def test_lossless_spellings_of_a_type_are_accepted_and_nothing_else() -> None:
    table = cohort_table(COHORT)
    narrow = table.set_column(3, "access_after_minutes", table.column(3).cast(pa.int16()))
    in_tokyo = table.set_column(
        1, "registered_at", table.column(1).cast(pa.timestamp("ms", tz="Asia/Tokyo"))
    )
    assert checked_table(narrow).equals(table)
    assert checked_table(in_tokyo).equals(table)
    naive = table.set_column(1, "registered_at", table.column(1).cast(pa.timestamp("us")))
    with pytest.raises(InvalidInputError, match=r"column registered_at.*timestamp\[us, tz=UTC\]"):
        checked_table(naive)
    as_float = table.set_column(8, "group_size", table.column(8).cast(pa.float64()))
    with pytest.raises(InvalidInputError, match="column group_size"):
        checked_table(as_float)


def test_a_table_with_a_missing_or_an_unknown_column_is_refused_by_name() -> None:
    table = cohort_table(COHORT)
    with pytest.raises(InvalidInputError, match=r"column attempts.*every column"):
        checked_table(table.drop_columns(["attempts"]))
    with pytest.raises(InvalidInputError, match=r"column email.*only the columns"):
        checked_table(table.append_column("email", pa.array(["x"] * len(COHORT))))


def test_a_null_or_out_of_range_value_is_refused_with_its_row_and_column() -> None:
    table = cohort_table(COHORT)
    seats = pa.array([1] * 39 + [5000], type=pa.int64())
    with pytest.raises(InvalidInputError, match=r"row 40: group_size=5000.*1 to 1,000"):
        checked_table(table.set_column(8, "group_size", seats))
    words = pa.array(["full"] * 3 + ["asleep"] + ["full"] * 36)
    with pytest.raises(InvalidInputError, match=r"row 4: attendance='asleep'"):
        checked_table(table.set_column(5, "attendance", words))
    ids = pa.array(["a"] * 39 + [None], type=pa.string())
    with pytest.raises(InvalidInputError, match=r"column id=<null>"):
        checked_table(table.set_column(0, "id", ids))


def test_a_change_to_a_session_that_ends_before_it_starts_names_the_candidate_row() -> None:
    rows = cohort_table(COHORT).to_pylist()
    with_changes = [n for n, r in enumerate(rows) if r["changes"]]
    bad = with_changes[1]
    first = rows[bad]["changes"][0]["to"]["first_day"]
    rows[bad]["changes"][0]["to"]["last_day"] = first - dt.timedelta(days=1)
    table = pa.Table.from_pylist(rows, schema=COHORT_SCHEMA)
    with pytest.raises(InvalidInputError, match=rf"row {bad + 1}: changes\[\]\.to\.last_day"):
        checked_table(table)


def test_a_csv_cohort_reads_numbers_only_as_digits_and_lists_only_as_json(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cohort.csv"
    good = 'c1,2026-11-02T09:30:00-05:00,2027-01-11..2027-01-14,45,[],full,"[]",other,1'
    path.write_text(f"{HEADER}\n{good}\n{good.replace(',45,', ',4.5,')}\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"cohort\.csv:3: access_after_minutes='4\.5'"):
        tuple(iter_cohort_file(path))
    path.write_text(f"{HEADER}\n{good.replace(',[],', ',[oops],')}\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"cohort\.csv:2: changes='\[oops\]'"):
        tuple(iter_cohort_file(path))


def test_a_csv_cohort_takes_defaults_for_empty_optional_cells_and_refuses_a_bad_header(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cohort.csv"
    path.write_text(
        "id,registered_at,practicum,group_size\nc1,2026-11-02T09:30:00-05:00,"
        "2027-01-11..2027-01-14,\n",
        encoding="utf-8",
    )
    (candidate,) = iter_cohort_file(path)
    assert (candidate.group_size, candidate.access_after_minutes, candidate.changes) == (1, 30, ())
    path.write_text("id,registered_at,practicum,email\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"header.*'email'"):
        tuple(iter_cohort_file(path))
    path.write_text("id,registered_at\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="a column practicum"):
        tuple(iter_cohort_file(path))


def test_files_that_are_not_cohorts_are_one_line_errors_that_never_echo_them(
    tmp_path: Path,
) -> None:
    fake = tmp_path / "cohort.parquet"
    fake.write_bytes(b"SECRET-TOKEN" * 10)
    with pytest.raises(InputFileError, match="not a readable Parquet file") as caught:
        tuple(iter_cohort_file(fake))
    assert "SECRET" not in str(caught.value)
    latin = tmp_path / "cohort.csv"
    latin.write_bytes(HEADER.encode() + b"\nJos\xe9,")
    with pytest.raises(InputFileError, match="not UTF-8"):
        tuple(iter_cohort_file(latin))
    with pytest.raises(InputFileError, match=r"ends in \.jsonl, \.parquet, \.csv"):
        tuple(iter_cohort_file(tmp_path / "cohort.xlsx"))
    (tmp_path / "folder.parquet").mkdir()
    with pytest.raises(InputFileError, match="a folder"):
        tuple(iter_cohort_file(tmp_path / "folder.parquet"))
    empty = tmp_path / "empty.parquet"
    pq.write_table(cohort_table(()), empty)
    with pytest.raises(InvalidInputError, match="at least one candidate"):
        tuple(iter_cohort_file(empty))


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet", ".csv"])
def test_answer_rows_are_written_whole_in_every_format(tmp_path: Path, suffix: str) -> None:
    rows = [
        AnswerRow(
            "c1", "change 1", "free (R9)", "fee 400.00 USD (R10)", changed=True, rules="R9, R10"
        ),
        AnswerRow("c1", "access", "on_time (R4)", "on_time (R4)", changed=False, rules="R4"),
    ]
    path = tmp_path / f"answers{suffix}"
    with answer_writer(path) as write:
        write(rows[:1])
        write(rows[1:])
        assert not path.exists()  # nothing shows until the block ends
    if suffix == ".parquet":
        read = [AnswerRow(**r) for r in pq.read_table(path).to_pylist()]
        assert pq.read_schema(path) == ANSWER_ROW_SCHEMA
    elif suffix == ".csv":
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0] == "candidate,answer,base,candidate_policy,changed,rules"
        assert lines[1] == 'c1,change 1,free (R9),fee 400.00 USD (R10),true,"R9, R10"'
        read = rows
    else:
        read = [AnswerRow(**json.loads(line)) for line in path.read_text().splitlines()]
    assert read == rows


def test_an_answer_file_is_not_left_half_written_when_the_diff_fails(tmp_path: Path) -> None:
    path = tmp_path / "answers.parquet"
    path.write_bytes(b"the previous answers")

    def fail_midway() -> None:
        with answer_writer(path) as write:
            write([AnswerRow("c1", "access", "a", "b", changed=True, rules="R4")])
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fail_midway()
    assert path.read_bytes() == b"the previous answers"
    assert [p.name for p in tmp_path.iterdir()] == ["answers.parquet"]


def test_other_spellings_of_the_nested_columns_are_read_as_the_same_cohort() -> None:
    table = cohort_table(COHORT)
    reordered = pa.struct([("last_day", pa.date32()), ("first_day", pa.date32())])
    practicum = table.column("practicum").combine_chunks()
    swapped = pa.StructArray.from_arrays(
        [practicum.field("last_day"), practicum.field("first_day")], fields=list(reordered)
    )
    changes = table.column("changes").combine_chunks()
    large = pa.LargeListArray.from_arrays(changes.offsets.cast(pa.int64()), changes.flatten())
    words = table.column("attendance").combine_chunks().dictionary_encode()
    respelled = (
        table.set_column(2, "practicum", swapped)
        .set_column(4, "changes", large)
        .set_column(5, "attendance", words)
    )
    assert checked_table(respelled).equals(table)
    assert tuple(candidates_from_table(respelled)) == COHORT


def test_a_nested_column_with_other_fields_or_a_null_inside_is_refused_by_its_path() -> None:
    table = cohort_table(COHORT)
    practicum = table.column("practicum").combine_chunks()
    renamed = pa.StructArray.from_arrays(
        [practicum.field("first_day"), practicum.field("last_day")], names=["start", "end"]
    )
    with pytest.raises(InvalidInputError, match="column practicum"):
        checked_table(table.set_column(2, "practicum", renamed))
    rows = table.to_pylist()
    rows[0]["attempts"] = [{"on": None, "passed": True}]
    with pytest.raises(InvalidInputError, match=r"column attempts\[\]\.on=<null>"):
        checked_table(pa.Table.from_pylist(rows, schema=COHORT_SCHEMA))


def test_whole_numbers_beyond_64_bits_are_refused() -> None:
    table = cohort_table(COHORT[:1])
    huge = pa.array([2**64 - 1], type=pa.uint64())
    with pytest.raises(InvalidInputError, match="fit 64 bits"):
        checked_table(table.set_column(8, "group_size", huge))
