"""Cohorts as Parquet, CSV and Arrow tables: exact types, streamed, written whole."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import tempfile
from decimal import Decimal
from pathlib import Path

import attrs
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cptm_rules.cohort import (
    MAX_LIST_LENGTH,
    AnswerRow,
    Candidate,
    has_control_characters,
    synthetic_cohort,
)
from cptm_rules.cohort import formats as cohort_formats
from cptm_rules.cohort.formats import (
    ANSWER_ROW_SCHEMA,
    COHORT_SCHEMA,
    MAX_PARQUET_COLUMNS,
    MAX_ROW_GROUP_BYTES,
    answer_writer,
    candidates_from_table,
    checked_table,
    cohort_table,
    iter_cohort_file,
    read_cohort_table,
    write_cohort,
)
from cptm_rules.events import Activity, Session
from cptm_rules.exceptions import CptmRulesError, InputFileError, InvalidInputError
from cptm_rules.vocabulary import ActivityCategory, Attendance, OrganisationType

COHORT = synthetic_cohort(40, seed=9)
HEADER = ",".join(COHORT_SCHEMA.names[:9])  # the columns before the journey fields


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


# -- the journey columns ---------------------------------------------------------------

DAYS = st.dates(dt.date(1990, 1, 1), dt.date(2090, 12, 31))
IDS = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\u202a\u202e\u2066"),
    min_size=1,
    max_size=12,
) | st.sampled_from(['=HYPERLINK("x")', "+1+1", "-1", "@x", "'=x", "''+", "'"])


@st.composite
def sessions(draw: st.DrawFn) -> Session:
    first = draw(DAYS)
    return Session(first_day=first, last_day=first + dt.timedelta(days=draw(st.integers(0, 9))))


ACTIVITIES = st.builds(
    Activity,
    id=IDS,
    on=DAYS,
    hours=st.integers(0, 999_999).map(lambda cents: Decimal(cents).scaleb(-2)),
    category=st.sampled_from(ActivityCategory),
)
CANDIDATES = st.builds(
    Candidate,
    id=IDS,
    registered_at=st.datetimes(
        dt.datetime(1990, 1, 1), dt.datetime(2090, 1, 1), timezones=st.just(dt.UTC)
    ),
    practicum=sessions(),
    access_after_minutes=st.integers(0, 525_600),
    changes=st.lists(st.tuples(DAYS, sessions()), max_size=2).map(tuple),
    attendance=st.sampled_from(Attendance),
    attempts=st.lists(st.tuples(DAYS, st.booleans()), max_size=2).map(tuple),
    organisation=st.sampled_from(OrganisationType),
    group_size=st.integers(1, 1000),
    elearning_opened=st.none() | DAYS,
    modules=st.lists(st.tuples(DAYS, st.none() | st.booleans()), max_size=3).map(tuple),
    substitution=st.none() | DAYS,
    cancelled_on=st.none() | DAYS,
    re_enrolment=st.none() | st.tuples(DAYS, sessions()),
    activities=st.lists(ACTIVITIES, max_size=3).map(tuple),
    renewal_payments=st.lists(DAYS, max_size=3).map(tuple),
)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cohort=st.lists(CANDIDATES, min_size=1, max_size=4).map(tuple))
@pytest.mark.parametrize("suffix", [".jsonl", ".parquet", ".csv"])
def test_every_field_of_a_candidate_round_trips_through_every_file_format(
    tmp_path: Path, suffix: str, cohort: tuple[Candidate, ...]
) -> None:
    path = tmp_path / f"cohort{suffix}"
    write_cohort(path, cohort)
    assert tuple(iter_cohort_file(path)) == cohort
    assert tuple(candidates_from_table(read_cohort_table(path))) == cohort


def test_a_table_without_the_journey_columns_reads_as_before_with_their_defaults(
    tmp_path: Path,
) -> None:
    before = tuple(
        Candidate(**{name: getattr(c, name) for name in COHORT_SCHEMA.names[:9]}) for c in COHORT
    )
    old = cohort_table(before).select(COHORT_SCHEMA.names[:9])
    assert checked_table(old).equals(cohort_table(before))
    path = tmp_path / "old.parquet"
    pq.write_table(old, path)
    assert tuple(iter_cohort_file(path)) == before
    (candidate,) = candidates_from_table(old.slice(0, 1))
    journey = (candidate.elearning_opened, candidate.modules, candidate.re_enrolment)
    assert journey == (None, (), None)
    assert (candidate.activities, candidate.renewal_payments) == ((), ())


def _journey_table(**fields: object) -> pa.Table:
    base = Candidate(
        id="c1",
        registered_at=dt.datetime(2026, 11, 2, 14, 30, tzinfo=dt.UTC),
        practicum=Session(first_day=dt.date(2027, 1, 11), last_day=dt.date(2027, 1, 14)),
        activities=(
            Activity(id="a1", on=dt.date(2028, 3, 1), hours=Decimal("1.5"), category="webinar"),
        ),
        re_enrolment=(
            dt.date(2027, 3, 1),
            Session(first_day=dt.date(2027, 4, 5), last_day=dt.date(2027, 4, 8)),
        ),
    )
    rows = cohort_table([base, base]).to_pylist()
    for key, value in fields.items():
        rows[1][key] = value
    return pa.Table.from_pylist(rows, schema=COHORT_SCHEMA)


def test_the_journey_columns_are_checked_like_the_json_lines_reader_checks_them() -> None:
    activity = {"id": "a1", "on": dt.date(2028, 3, 1), "hours": Decimal("1.5")}
    bad: list[tuple[dict[str, object], str]] = [
        (
            {"activities": [activity | {"category": "nap"}]},
            r"row 2: activities\[\]\.category='nap'.*one of conference",
        ),
        (
            {"activities": [activity | {"category": "webinar", "hours": Decimal(-1)}]},
            r"row 2: activities\[\]\.hours=Decimal\('-1\.00'\).*0 to 9999\.99",
        ),
        (
            {"activities": [activity | {"category": "webinar", "id": "x" * 201}]},
            r"row 2: activities\[\]\.id=.*1 to 200 characters",
        ),
        (
            {"activities": [activity | {"category": "webinar", "id": "a\u202eb"}]},
            r"row 2: activities\[\]\.id='a\\u202eb'.*without control characters",
        ),
        (
            {"id": "c\x00"},
            r"row 2: id='c\\x00'.*without control characters",
        ),
        (
            {
                "re_enrolment": {
                    "on": dt.date(2027, 3, 1),
                    "to": {"first_day": dt.date(2027, 4, 5), "last_day": dt.date(2027, 4, 1)},
                }
            },
            r"row 2: re_enrolment\.to\.last_day.*on or after first_day",
        ),
        (
            {"renewal_payments": [dt.date(2030, 1, 1), None]},
            r"column renewal_payments\[\]=<null>",
        ),
        (
            {"modules": [{"on": None, "passed": True}]},
            r"column modules\[\]\.on=<null>",
        ),
        (
            {"re_enrolment": {"on": None, "to": None}},
            r"column re_enrolment\.on=<null>",
        ),
    ]
    for fields, message in bad:
        with pytest.raises(InvalidInputError, match=message):
            checked_table(_journey_table(**fields))
    maybe = _journey_table(modules=[{"on": dt.date(2027, 1, 1), "passed": None}], re_enrolment=None)
    (_, candidate) = candidates_from_table(maybe)
    assert (candidate.modules, candidate.re_enrolment) == (((dt.date(2027, 1, 1), None),), None)


def test_a_list_longer_than_the_limit_is_refused_with_its_row() -> None:
    days = [dt.date(2030, 1, 1)] * (MAX_LIST_LENGTH + 1)
    with pytest.raises(InvalidInputError, match=r"row 2: renewal_payments='<10,001 items>'"):
        checked_table(_journey_table(renewal_payments=days))


def test_hours_take_any_decimal_with_two_decimals_at_most_and_nothing_else() -> None:
    table = _journey_table()
    activities = table.column("activities").combine_chunks()
    items = activities.flatten()
    one_decimal = pa.StructArray.from_arrays(
        [
            items.field("id"),
            items.field("on"),
            items.field("hours").cast(pa.decimal128(5, 1)),
            items.field("category"),
        ],
        names=["id", "on", "hours", "category"],
    )
    respelled = pa.ListArray.from_arrays(activities.offsets, one_decimal)
    assert checked_table(table.set_column(14, "activities", respelled)).equals(table)
    as_float = pa.StructArray.from_arrays(
        [
            items.field("id"),
            items.field("on"),
            items.field("hours").cast(pa.float64()),
            items.field("category"),
        ],
        names=["id", "on", "hours", "category"],
    )
    floats = pa.ListArray.from_arrays(activities.offsets, as_float)
    with pytest.raises(InvalidInputError, match=r"column activities\[\]\.hours=double"):
        checked_table(table.set_column(14, "activities", floats))
    wide = pa.StructArray.from_arrays(
        [
            items.field("id"),
            items.field("on"),
            pa.array([Decimal("123456.5")] * 2),
            items.field("category"),
        ],
        names=["id", "on", "hours", "category"],
    )
    with pytest.raises(InvalidInputError, match=r"activities\[\]\.hours=<too large>"):
        checked_table(
            table.set_column(14, "activities", pa.ListArray.from_arrays(activities.offsets, wide))
        )


def test_a_candidate_the_columns_cannot_hold_is_refused_when_written() -> None:
    (candidate,) = COHORT[:1]
    long = Activity(id="a", on=dt.date(2030, 1, 1), hours=Decimal("1.255"), category="webinar")
    with pytest.raises(InvalidInputError, match=r"candidates=<ArrowInvalid>.*two decimals"):
        cohort_table([attrs.evolve(candidate, activities=(long,))])


# -- damaged and hostile files ----------------------------------------------------------


def _parquet_with(path: Path, name: str, column: pa.Array) -> Path:
    table = cohort_table(COHORT[:3])
    pq.write_table(table.set_column(table.column_names.index(name), name, column), path)
    return path


@pytest.mark.parametrize(
    ("name", "column", "message"),
    [
        (
            "elearning_opened",
            pa.array([None, 3_000_000, None], type=pa.date32()),
            r"column elearning_opened=<out of range>.*0001-01-01 to 9999-12-31",
        ),
        (
            "renewal_payments",
            pa.array([[], [-719_163], []], type=pa.list_(pa.date32())),
            r"column renewal_payments\[\]=<out of range>",
        ),
        (
            "registered_at",
            pa.array([0, 0, 2**62], type=pa.timestamp("us", tz="UTC")),
            r"column registered_at=<out of range>.*an instant from 0001-01-01",
        ),
        (
            "registered_at",
            pa.array([0, 0, 2**62], type=pa.timestamp("ms", tz="UTC")),
            r"column registered_at=<too large>",
        ),
    ],
)
def test_days_and_instants_python_cannot_hold_are_one_line_naming_the_file(
    tmp_path: Path, name: str, column: pa.Array, message: str
) -> None:
    path = _parquet_with(tmp_path / "cohort.parquet", name, column)
    with pytest.raises(InvalidInputError, match=rf"cohort\.parquet: {message}"):
        tuple(iter_cohort_file(path))


def test_a_bad_value_names_the_file_and_its_row_in_the_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cohort_formats, "ROWS_PER_BATCH", 1000)  # as 10,000, ten times faster
    table = pa.concat_tables([cohort_table(COHORT)] * 55)  # 2,200 rows: three batches
    seats = [1] * table.num_rows
    seats[2_123] = 0
    path = tmp_path / "cohort.parquet"
    pq.write_table(table.set_column(8, "group_size", pa.array(seats, type=pa.int64())), path)
    with pytest.raises(InvalidInputError, match=r"cohort\.parquet: row 2124: group_size=0"):
        tuple(iter_cohort_file(path))


def test_repeated_or_fixed_size_list_columns_are_one_line_errors(tmp_path: Path) -> None:
    table = cohort_table(COHORT[:2])
    twice = tmp_path / "twice.parquet"
    pq.write_table(table.append_column("group_size", table.column("group_size")), twice)
    with pytest.raises(InvalidInputError, match=r"twice\.parquet: column group_size.*each column"):
        tuple(iter_cohort_file(twice))
    fixed = tmp_path / "fixed.parquet"
    days = pa.FixedSizeListArray.from_arrays(pa.array([0, 1], type=pa.date32()), 1)
    pq.write_table(table.set_column(15, "renewal_payments", days), fixed)
    with pytest.raises(
        InvalidInputError, match=r"fixed\.parquet: column renewal_payments=.*list<item: date32"
    ):
        tuple(iter_cohort_file(fixed))


def test_a_damaged_page_after_a_valid_footer_is_one_line_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "cohort.parquet"
    pq.write_table(cohort_table(COHORT), path, compression="zstd")
    data = bytearray(path.read_bytes())
    data[8:2000] = b"\xff" * 1992  # the first pages; the footer at the end stays whole
    path.write_bytes(bytes(data))
    with pytest.raises(InputFileError, match=r"cohort\.parquet: not a readable Parquet file"):
        tuple(iter_cohort_file(path))
    with pytest.raises(InputFileError, match=r"cohort\.parquet: not a readable Parquet file"):
        read_cohort_table(path)


def test_a_footer_with_too_many_columns_or_huge_row_groups_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_data(*_: object, **__: object) -> None:
        raise AssertionError  # pragma: no cover  # the footer alone must refuse

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", no_data)
    monkeypatch.setattr(pq.ParquetFile, "read", no_data)
    wide = tmp_path / "wide.parquet"
    pq.write_table(pa.table({f"c{n}": pa.array([1]) for n in range(MAX_PARQUET_COLUMNS + 1)}), wide)
    with pytest.raises(InvalidInputError, match=r"wide\.parquet: columns=<257 columns>.*at most"):
        tuple(iter_cohort_file(wide))
    extra = tmp_path / "extra.parquet"
    pq.write_table(cohort_table(COHORT).append_column("email", pa.array(["x"] * 40)), extra)
    with pytest.raises(InvalidInputError, match=r"extra\.parquet: column email"):
        read_cohort_table(extra)
    # 20,000 rows of one long id: a few KB of zstd that declare megabytes uncompressed
    bomb = tmp_path / "bomb.parquet"
    row = cohort_table(COHORT[:1]).to_pylist()[0] | {"id": "x" * 200}
    pq.write_table(
        pa.Table.from_pylist([row] * 20_000, schema=COHORT_SCHEMA),
        bomb,
        compression="zstd",
        use_dictionary=False,
    )
    assert bomb.stat().st_size < 100_000
    monkeypatch.setattr(cohort_formats, "MAX_ROW_GROUP_BYTES", 2**20)
    with pytest.raises(
        InvalidInputError, match=r"bomb\.parquet: row group 1=<[\d,]{9} bytes uncompressed>"
    ):
        tuple(iter_cohort_file(bomb))


def test_the_default_bounds_are_documented_figures() -> None:
    assert (MAX_ROW_GROUP_BYTES, MAX_PARQUET_COLUMNS) == (512 * 2**20, 256)


def test_an_all_empty_csv_row_is_refused_by_its_line_and_a_blank_line_skipped(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cohort.csv"
    good = "c1,2026-11-02T09:30:00-05:00,2027-01-11..2027-01-14"
    path.write_text(f"id,registered_at,practicum\n{good}\n\n{good}\n,,\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"cohort\.csv:5=<empty row>.*a candidate"):
        tuple(iter_cohort_file(path))
    path.write_text(f"id,registered_at,practicum\n{good}\n\n{good}\n", encoding="utf-8")
    assert len(tuple(iter_cohort_file(path))) == 2


def test_a_csv_error_names_the_physical_line_when_a_quoted_cell_spans_lines(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cohort.csv"
    rest = "2026-11-02T09:30:00-05:00,2027-01-11..2027-01-14"
    path.write_text(
        f'id,registered_at,practicum,changes,group_size\nc1,{rest},"[\n\n]",2\nc2,{rest},[],x\n',
        encoding="utf-8",
    )
    with pytest.raises(InvalidInputError, match=r"cohort\.csv:5: group_size='x'"):
        tuple(iter_cohort_file(path))
    path.write_text(f'id,registered_at,practicum\nc1,{rest}\n"c\n2"x,{rest}\n', encoding="utf-8")
    with pytest.raises(InputFileError, match=r"cohort\.csv:3: not valid CSV"):
        tuple(iter_cohort_file(path))


FORMULAS = ('=HYPERLINK("http://x")', "+1+1", "-1", "@SUM(A1)", "'=x", "''-", "'", "a=b")


def test_csv_cells_a_spreadsheet_would_run_get_an_apostrophe_and_read_back_whole(
    tmp_path: Path,
) -> None:
    cohort = tuple(attrs.evolve(COHORT[0], id=ident) for ident in FORMULAS)
    path = tmp_path / "cohort.csv"
    write_cohort(path, cohort)
    ids = [line.split(",")[0] for line in path.read_text(encoding="utf-8").splitlines()[1:]]
    assert ids == [
        '"\'=HYPERLINK(""http://x"")"',
        "'+1+1",
        "'-1",
        "'@SUM(A1)",
        "''=x",
        "'''-",
        "'",
        "a=b",
    ]
    assert tuple(iter_cohort_file(path)) == cohort
    answers = tmp_path / "answers.csv"
    with answer_writer(answers) as write:
        write([AnswerRow("-1", "access", "=1", "+2", changed=False, rules="@R4")])
    assert answers.read_text(encoding="utf-8").splitlines()[1] == "'-1,access,'=1,'+2,false,'@R4"


@pytest.mark.parametrize("ident", ["c\x00", "c\t1", "\r1", "c\x7f", "c\x85", "a\u202eb", "a\u2067"])
def test_ids_with_control_characters_are_refused_at_reading_in_every_table_format(
    tmp_path: Path, ident: str
) -> None:
    assert has_control_characters(ident)
    cohort = (attrs.evolve(COHORT[0], id=ident),)
    # a CR is no line end inside a Parquet cell; in CSV it ends the row (the cells then miss)
    for suffix in (".parquet", ".csv") if "\r" not in ident else (".parquet",):
        path = tmp_path / f"cohort{suffix}"
        write_cohort(path, cohort)
        with pytest.raises(InvalidInputError, match=r"cohort\.\w+(:2|: row 1): id=.*control"):
            tuple(iter_cohort_file(path))
    activity = Activity(id=ident, on=dt.date(2030, 1, 1), hours=Decimal(1), category="webinar")
    path = tmp_path / "cohort.csv"
    write_cohort(path, (attrs.evolve(COHORT[0], activities=(activity,)),))
    with pytest.raises(InvalidInputError, match=r"cohort\.csv:2: activities\[0\]\.id=.*control"):
        tuple(iter_cohort_file(path))


def test_printable_text_in_any_script_has_no_control_characters() -> None:
    assert not any(
        map(has_control_characters, ("Jos\u00e9", "\u05e9\u05dc\u05d5\u05dd", "a b", "\u200d"))
    )


# -- fuzzing: mutated files give one CptmRulesError or a cohort, nothing else ---------------

FUZZ_COHORT = tuple(
    attrs.evolve(
        c,
        activities=(
            Activity(id="a1", on=dt.date(2030, 1, 1), hours=Decimal("1.5"), category="webinar"),
        ),
        re_enrolment=(c.practicum.first_day, c.practicum),
    )
    for c in COHORT[:6]
)


def _read_or_refuse(path: Path) -> None:
    try:
        for _ in iter_cohort_file(path):
            pass
    except CptmRulesError:
        pass  # one line, no traceback: the only way a reader may fail


def _parquet_bytes_of(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return bytes(sink.getvalue())


def _valid_bytes(suffix: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"cohort{suffix}"
        write_cohort(path, FUZZ_COHORT)
        return path.read_bytes()


PARQUET = _valid_bytes(".parquet")
CSV_TEXT = _valid_bytes(".csv").decode()


@st.composite
def damaged(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with bytes overwritten, cut short, or padded."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(("overwrite", "truncate", "insert")))
        at = draw(st.integers(0, max(len(out) - 1, 0)))
        piece = draw(st.binary(min_size=1, max_size=16))
        if kind == "overwrite":
            out[at : at + len(piece)] = piece
        elif kind == "truncate":
            del out[at:]
        else:
            out[at:at] = piece
    return bytes(out)


ODD_ARRAYS = st.sampled_from(
    (
        pa.array([None] * 6, type=pa.string()),
        pa.array(["x"] * 6),
        pa.array([1.5] * 6),
        pa.array([-(2**62)] * 6, type=pa.int64()),
        pa.array([2**63] * 6, type=pa.uint64()),
        pa.array([2**31 - 1] * 6, type=pa.date32()),
        pa.array([[None]] * 6, type=pa.list_(pa.int32())),
        pa.array([{"first_day": 1, "last_day": None}] * 6),
        pa.array([True] * 6),
        pa.array([b"\xff"] * 6, type=pa.binary()),
        pa.array([[1]] * 6, type=pa.list_(pa.int64(), 1)),
    )
)


@st.composite
def respelled(draw: st.DrawFn) -> pa.Table:
    """The valid cohort with columns swapped for odd ones, dropped or repeated."""
    table = cohort_table(FUZZ_COHORT)
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(table.column_names))
        where = table.column_names.index(name)
        kind = draw(st.sampled_from(("odd", "drop", "repeat", "slice")))
        if kind == "odd":
            table = table.set_column(where, name, draw(ODD_ARRAYS).slice(0, table.num_rows))
        elif kind == "drop":
            table = table.remove_column(where)
        elif kind == "repeat":
            table = table.append_column(name, table.column(where))
        elif table.num_rows:
            table = table.slice(draw(st.integers(0, table.num_rows)))
    return table


@settings(max_examples=60, deadline=None)
@given(data=damaged(PARQUET) | respelled().map(_parquet_bytes_of))
def test_a_mutated_parquet_cohort_raises_only_a_cptm_rules_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cohort.parquet"
        path.write_bytes(data)
        _read_or_refuse(path)
        with contextlib.suppress(CptmRulesError):
            read_cohort_table(path)


CSV_CELLS = st.sampled_from(
    (
        "",
        '""',
        "'",
        "'=1",
        "-1",
        "1e3",
        "9" * 30,
        "[",
        "{}",
        "[null]",
        '[{"on": 1}]',
        "\x00",
        "2026-13-40",
        "..",
        '"',
        "\u202e",
        "\ufeff",
        ",",
        "\n",
        "\r",
    )
)


@st.composite
def damaged_csv(draw: st.DrawFn) -> bytes:
    """The valid CSV with cells, lines or bytes changed."""
    lines = CSV_TEXT.splitlines()
    kind = draw(st.sampled_from(("cell", "line", "bytes")))
    if kind == "bytes":
        return draw(damaged(CSV_TEXT.encode()))
    number = draw(st.integers(0, len(lines) - 1))
    if kind == "line":
        lines[number] = draw(st.sampled_from(("", ",,,", lines[0], lines[-1] * 2, '"')))
    else:
        cells = lines[number].split(",")
        cells[draw(st.integers(0, len(cells) - 1))] = draw(CSV_CELLS | st.text(max_size=8))
        lines[number] = ",".join(cells)
    return "\n".join(lines).encode("utf-8", errors="surrogatepass")


@settings(max_examples=60, deadline=None)
@given(data=damaged_csv())
def test_a_mutated_csv_cohort_raises_only_a_cptm_rules_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cohort.csv"
        path.write_bytes(data)
        _read_or_refuse(path)


def test_text_that_is_not_utf8_in_a_parquet_file_is_refused_by_its_column(tmp_path: Path) -> None:
    path = tmp_path / "cohort.parquet"
    pq.write_table(cohort_table(COHORT[:1]), path, compression="none", use_dictionary=False)
    data = path.read_bytes()
    path.write_bytes(data.replace(b"c000000", b"c\x80\x80\x80000"))  # same length
    with pytest.raises(InvalidInputError, match=r"cohort\.parquet: column id=<damaged>.*UTF-8"):
        tuple(iter_cohort_file(path))


def test_a_csv_with_only_a_header_or_a_column_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cohort.csv"
    path.write_text("id,registered_at,practicum\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="at least one candidate"):
        tuple(iter_cohort_file(path))
    path.write_text("id,registered_at,practicum,id\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"header='id'.*each column once"):
        tuple(iter_cohort_file(path))
