"""The column-wise synthetic cohort: Arrow tables drawn with numpy, checked against the
sequential generator's distributions and answered by both engines."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cptm_rules.cohort import diff_policies, iter_synthetic_cohort
from cptm_rules.cohort.answers import answered
from cptm_rules.cohort.candidates import NEW_YORK
from cptm_rules.cohort.formats import (
    COHORT_SCHEMA,
    CheckedCohort,
    candidates_from_table,
    checked_table,
    cohort_table,
)
from cptm_rules.cohort.synthetic import (
    MAX_SYNTHETIC,
    iter_synthetic_cohorts,
    iter_synthetic_tables,
    synthetic_chunk,
    synthetic_table,
)
from cptm_rules.exceptions import InvalidInputError
from cptm_rules.policy import load_policy
from cptm_rules.pricing import load_prices

SAMPLE = 50_000


@pytest.fixture(scope="module")
def columnar() -> pa.Table:
    return synthetic_table(SAMPLE, seed=11)


@pytest.fixture(scope="module")
def sequential() -> pa.Table:
    return cohort_table(iter_synthetic_cohort(SAMPLE, seed=11))


def _lengths(table: pa.Table, name: str) -> np.ndarray:
    return np.asarray(pc.list_value_length(table.column(name)).to_numpy(zero_copy_only=False))


def _days(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(column.cast(pa.int32()).to_numpy(zero_copy_only=False), dtype=np.int64)


def _bools(values: pa.Array) -> np.ndarray:
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=bool)


class Estimate(NamedTuple):
    """A share or a mean, with its standard error."""

    value: float
    error: float


def _share(mask: np.ndarray) -> Estimate:
    p = float(np.mean(mask))
    return Estimate(p, (p * (1 - p) / mask.size) ** 0.5)


def _mean(values: np.ndarray) -> Estimate:
    return Estimate(float(values.mean()), float(values.std()) / values.size**0.5)


def _repeated(ids: np.ndarray) -> np.ndarray:
    # Whether each activity's id is the one before it: recorded twice, the repeat next.
    return np.concatenate([[False], ids[1:] == ids[:-1]])


def statistics(table: pa.Table) -> dict[str, Estimate]:  # noqa: PLR0915  # one line a figure
    """Shares and means of a cohort table, each a behaviour the generators draw."""
    stats: dict[str, Estimate] = {}
    registered = table.column("registered_at").cast(pa.timestamp("us", tz="America/New_York"))
    local_day = _days(pc.cast(pc.local_timestamp(registered), pa.date32()))
    hour = pc.hour(registered).to_numpy(zero_copy_only=False)
    weekday = (local_day + 3) % 7
    first = _days(pc.struct_field(table.column("practicum"), "first_day"))
    stats["registered on a Friday"] = _share(weekday == 4)
    stats["registered at 8-12h"] = _share(hour < 12)
    stats["practicum already under way"] = _share(first < local_day)
    lead = (first - local_day)[first > local_day]
    stats["lead time in days"] = _mean(lead)
    access = table.column("access_after_minutes").to_numpy()
    for minutes in (5, 30, 60, 150, 3000):
        stats[f"access after {minutes} minutes"] = _share(access == minutes)
    changes = _lengths(table, "changes")
    for count in range(4):
        stats[f"{count} changes"] = _share(changes == count)
    flat = table.column("changes").combine_chunks().flatten()
    to_first = _days(pc.struct_field(flat.field("to"), "first_day"))
    asked = _days(flat.field("on"))
    stats["change asked within 25 days of the new first day"] = _share(to_first - asked < 25)
    first_change = np.cumsum(changes) - changes
    asked_once = changes > 0
    same = to_first[first_change[asked_once]] == first[asked_once]
    stats["first change to the same session"] = _share(same)
    attendance = table.column("attendance").to_numpy(zero_copy_only=False)
    for kind in ("full", "partial", "absent_with_notice", "absent_without_notice"):
        stats[f"attendance {kind}"] = _share(attendance == kind)
    organisation = table.column("organisation").to_numpy(zero_copy_only=False)
    for kind in ("other", "non-profit", "government"):
        stats[f"organisation {kind}"] = _share(organisation == kind)
    group = table.column("group_size").to_numpy()
    for size in (1, 2, 3, 5):
        stats[f"group of {size}"] = _share(group == size)
    opened = table.column("elearning_opened").is_valid().to_numpy(zero_copy_only=False)
    stats["eLearning opened"] = _share(opened)
    modules = _lengths(table, "modules")
    stats["no module"] = _share(modules == 0)
    stats["3-9 modules"] = _share((modules >= 3) & (modules <= 9))
    stats["10 modules"] = _share(modules == 10)
    stats["11 modules"] = _share(modules == 11)
    passed = table.column("modules").combine_chunks().flatten().field("passed")
    stats["module assessment passed"] = _share(_bools(pc.fill_null(passed, fill_value=False)))
    stats["module assessment not taken"] = _share(_bools(passed.is_null()))
    substitution = table.column("substitution").is_valid().to_numpy(zero_copy_only=False)
    stats["substitution"] = _share(substitution)
    cancelled = table.column("cancelled_on").is_valid().to_numpy(zero_copy_only=False)
    stats["cancellation"] = _share(cancelled)
    cancelled_on = _days(pc.fill_null(table.column("cancelled_on"), dt.date(2000, 1, 1)))
    early = (cancelled_on - local_day < 6) & cancelled
    stats["cancellation within five days"] = _share(early)
    re_enrolment = table.column("re_enrolment").is_valid().to_numpy(zero_copy_only=False)
    stats["re-enrolment of those who cancel"] = _share(re_enrolment[cancelled])
    re_on = _days(pc.fill_null(pc.struct_field(table.column("re_enrolment"), "on"), dt.date.min))
    late = (re_on - cancelled_on > 365) & re_enrolment
    stats["re-enrolment after a year, of those who cancel"] = _share(late[cancelled])
    attempts = _lengths(table, "attempts")
    for count in (0, 1, 2, 3, 5):
        stats[f"{count} exam attempts"] = _share(attempts == count)
    passes = _bools(table.column("attempts").combine_chunks().flatten().field("passed"))
    stats["attempts passed"] = _share(passes)
    activities = _lengths(table, "activities")
    stats["with activities"] = _share(activities > 0)
    stats["activities per candidate"] = _mean(activities)
    items = table.column("activities").combine_chunks().flatten()
    ids = items.field("id").to_numpy(zero_copy_only=False)
    early_ids = _bools(pc.ends_with(items.field("id"), "early"))
    stats["activities before their period"] = _share(early_ids)
    stats["activities recorded twice"] = _share(_repeated(ids))
    category = items.field("category").to_numpy(zero_copy_only=False)
    stats["webinars"] = _share(category == "webinar")
    stats["not industry-relevant"] = _share(category == "not-industry-relevant")
    hours = np.asarray(items.field("hours").cast(pa.float64()).to_numpy())
    stats["hours per activity"] = _mean(hours)
    stats["activities of 1.5 hours"] = _share(hours == 1.5)
    payments = _lengths(table, "renewal_payments")
    for count in range(4):
        stats[f"{count} renewal payments"] = _share(payments == count)
    # Certified on the first attempt passed: the first period starts there.
    paying = payments > 0
    paid = _days(table.column("renewal_payments").combine_chunks().flatten())
    first_paid = paid[(np.cumsum(payments) - payments)[paying]]
    attempt_on = _days(table.column("attempts").combine_chunks().flatten().field("on"))
    passing = np.flatnonzero(passes)
    owner = np.repeat(np.arange(table.num_rows), attempts)[passing]
    certified = np.full(table.num_rows, -1)
    certified[owner[::-1]] = attempt_on[passing][::-1]  # the first pass of each row wins
    early_paid = first_paid - certified[paying] < 90
    stats["first renewal fee paid within 90 days"] = _share(early_paid)
    # A row's modules share their span, so this is a share of rows, not of modules.
    module_on = _days(table.column("modules").combine_chunks().flatten().field("on"))
    last_module = module_on[np.cumsum(modules)[modules > 0] - 1]
    stats["last module before the practicum"] = _share(last_module < first[modules > 0])
    return stats


def test_the_tables_have_the_cohort_schema_and_pass_the_cohort_checks_unchanged() -> None:
    tables = list(iter_synthetic_tables(5_000, seed=3, rows=2_000))
    assert [t.num_rows for t in tables] == [2_000, 2_000, 1_000]
    for table in tables:
        assert table.schema == COHORT_SCHEMA
        assert checked_table(table).equals(table)
    assert synthetic_table(0, seed=1).schema == COHORT_SCHEMA
    assert synthetic_table(0, seed=1).num_rows == 0


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(min_value=-(2**40), max_value=2**40), size=st.integers(0, 700))
def test_every_table_drawn_passes_the_cohort_checks_unchanged(seed: int, size: int) -> None:
    for table in iter_synthetic_tables(size, seed=seed, rows=300):
        assert checked_table(table).equals(table)


def test_the_checked_cohorts_are_the_tables_a_diff_reads_without_checking_again() -> None:
    cohorts = list(iter_synthetic_cohorts(2_500, seed=5, rows=1_000))
    tables = list(iter_synthetic_tables(2_500, seed=5, rows=1_000))
    assert all(type(c) is CheckedCohort for c in cohorts)
    assert [c.table for c in cohorts] == tables
    checked = diff_policies(iter(cohorts), base="legacy", candidate="current", workers=1)
    assert checked == diff_policies(iter(tables), base="legacy", candidate="current", workers=1)
    with pytest.raises(InvalidInputError, match="size"):
        iter_synthetic_cohorts(-1, seed=1)  # refused when asked, before any table is drawn
    with pytest.raises(InvalidInputError, match=r"cohort\[1\].*a checked cohort"):
        diff_policies(iter([tables[0], "rows"]), base="legacy", candidate="current", workers=1)


def test_ids_count_from_c000000_over_the_whole_cohort() -> None:
    table = synthetic_table(2_500, seed=2, rows=1_000)
    ids = table.column("id").to_pylist()
    assert ids == [f"c{n:06d}" for n in range(2_500)]
    for ident, activities in zip(ids, table.column("activities").to_pylist(), strict=True):
        numbers = [a["id"].removeprefix(ident).split("-")[1:] for a in activities]
        assert all(period in {"p1", "p2", "p3"} for period, _ in numbers)
        # Numbered by place in the list, from 1; a repeat right after its record.
        for place, (_, number) in enumerate(numbers, start=1):
            assert number == "early" or int(number) in {place, place - 1}


def test_registrations_fall_in_working_hours_and_practicums_on_mondays_weeks_later(
    columnar: pa.Table,
) -> None:
    for candidate in candidates_from_table(columnar.slice(0, 3_000)):
        registered = candidate.registered_at.astimezone(NEW_YORK)
        assert registered.weekday() < 5
        assert 8 <= registered.hour < 18
        # Three years of 365 days from Monday 5 January 2026, as the sequential draws.
        assert dt.date(2026, 1, 5) <= registered.date() < dt.date(2029, 1, 4)
        first = candidate.practicum.first_day
        assert candidate.practicum.last_day == first + dt.timedelta(days=3)
        if first < registered.date():  # already under way: the day before (R2)
            assert first == registered.date() - dt.timedelta(days=1)
            continue
        assert first.weekday() == 0
        assert 21 <= (first - registered.date()).days <= 118
        for on, to in candidate.changes:
            assert to.last_day == to.first_day + dt.timedelta(days=3)
            assert registered.date() < on < to.first_day
        assert [on for on, _ in candidate.modules] == sorted(on for on, _ in candidate.modules)


def test_the_same_seed_draws_the_same_tables_and_another_seed_others() -> None:
    one = synthetic_table(3_000, seed=5)
    assert synthetic_table(3_000, seed=5).equals(one)
    other = synthetic_table(3_000, seed=6)
    assert not other.equals(one)
    assert other.column("id").equals(one.column("id"))
    assert not other.column("registered_at").equals(one.column("registered_at"))


def test_the_chunks_concatenate_to_the_whole_table_and_each_can_be_made_alone() -> None:
    tables = list(iter_synthetic_tables(4_500, seed=8, rows=1_000))
    whole = synthetic_table(4_500, seed=8, rows=1_000)
    assert pa.concat_tables(tables).equals(whole)
    assert whole.num_rows == 4_500
    for chunk in (0, 3, 4):
        assert synthetic_chunk(4_500, seed=8, chunk=chunk, rows=1_000).equals(tables[chunk])
    # A full chunk does not depend on the cohort's size; the boundaries, on rows.
    assert synthetic_chunk(9_999, seed=8, chunk=2, rows=1_000).equals(tables[2])
    assert not synthetic_table(4_500, seed=8, rows=1_500).equals(whole)


def test_the_arguments_are_checked() -> None:
    for bad in (
        {"size": -1, "seed": 1},
        {"size": MAX_SYNTHETIC + 1, "seed": 1},
        {"size": True, "seed": 1},
        {"size": 10, "seed": True},
        {"size": 10, "seed": 1.5},
        {"size": 10, "seed": 1, "rows": 0},
    ):
        with pytest.raises(InvalidInputError):
            synthetic_table(**bad)
    with pytest.raises(InvalidInputError, match="chunk"):
        synthetic_chunk(2_000, seed=1, chunk=2, rows=1_000)


def test_a_negative_seed_draws_a_cohort_of_its_own() -> None:
    # --seed takes any whole number, as the candidate-by-candidate draw does.
    negative, positive = synthetic_table(300, seed=-1), synthetic_table(300, seed=1)
    assert negative.num_rows == 300
    assert negative.equals(synthetic_table(300, seed=-1))
    assert not negative.equals(positive)
    assert checked_table(negative).equals(negative)


def test_the_columns_draw_the_sequential_generators_proportions(
    columnar: pa.Table, sequential: pa.Table
) -> None:
    drawn, expected = statistics(columnar), statistics(sequential)
    assert drawn.keys() == expected.keys()
    # Five standard errors of the difference: with some sixty figures, two samples of
    # one distribution stay inside (a figure beyond 4.5 errors turned up for some pairs
    # of seeds), and a weight or a range copied wrong does not.
    far = {
        name: (round(drawn[name].value, 4), round(expected[name].value, 4))
        for name in drawn
        if abs(drawn[name].value - expected[name].value)
        > 5 * (drawn[name].error ** 2 + expected[name].error ** 2) ** 0.5
    }
    assert not far


def test_every_row_reads_back_as_a_candidate_and_replays_without_error(
    columnar: pa.Table,
) -> None:
    policy, prices = load_policy(), load_prices()
    candidates = list(candidates_from_table(columnar.slice(0, 300)))
    assert [c.id for c in candidates] == [f"c{n:06d}" for n in range(300)]
    kinds: set[str] = set()
    for candidate in candidates:
        answers, _ = answered(candidate, policy, prices)
        assert answers
        kinds.update(answers)
    assert {"registration", "cancellation", "substitution", "renewal fee 1"} <= kinds


def test_two_thousand_rows_exercise_the_rules_and_verdicts_the_sequential_ones_do() -> None:
    policy, prices = load_policy(), load_prices()
    seen: dict[str, set[tuple[str, str]]] = {"columns": set(), "sequential": set()}
    cohorts = {
        "columns": candidates_from_table(synthetic_table(2_000, seed=1)),
        "sequential": iter_synthetic_cohort(2_000, seed=1),
    }
    for name, cohort in cohorts.items():
        for candidate in cohort:
            seen[name].update(answered(candidate, policy, prices)[1])
    assert seen["columns"] == seen["sequential"]


def test_a_diff_of_a_synthetic_table_is_the_same_answered_by_journeys_or_the_batch() -> None:
    table = synthetic_table(2_000, seed=4)
    journeys = diff_policies(
        table, base="legacy", candidate="current", workers=1, answered_by="journeys"
    )
    batch = diff_policies(table, base="legacy", candidate="current", workers=1, answered_by="batch")
    assert journeys.cohort_size == 2_000
    assert journeys.candidates_changed > 0
    assert batch == journeys
    assert batch.report() == journeys.report()
    assert batch.as_json() == journeys.as_json()
