"""The batch path answers exactly as the journeys do, on generated cohorts and policies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cptm_rules.batch import (
    ANSWER_COLUMNS,
    _hundredths,
    batch_answers,
    batch_answers_by_side,
    journey_answers,
    journey_table,
)
from cptm_rules.cohort import Candidate, synthetic_cohort
from cptm_rules.cohort.formats import cohort_table
from cptm_rules.events import Activity, Session
from cptm_rules.exceptions import CptmRulesError, InvalidInputError
from cptm_rules.money import Money, UnknownAmount
from cptm_rules.policy import Policy, load_policy
from cptm_rules.pricing import PriceSchedule, load_prices
from cptm_rules.vocabulary import ActivityCategory, Attendance, OrganisationType

BOARD_2027 = Path(__file__).parent.parent / "scenarios" / "policies" / "board-2027.toml"
ZONES = (ZoneInfo("America/New_York"), ZoneInfo("UTC"), ZoneInfo("Asia/Tokyo"))


def _policies() -> tuple[Policy, ...]:
    current = load_policy()
    return (
        current,
        load_policy("legacy"),
        load_policy(BOARD_2027),  # in force from 2027-07-01, the current version before
        current.with_overrides({"practicum.free_changes": 1}),
        current.with_overrides({"practicum.free_changes": "unlimited"}),
        current.with_overrides(
            {"practicum.free_change_day_count": "calendar", "practicum.free_change_days": 10}
        ),
        current.with_overrides({"exam.max_exam_attempts": 1, "exam.exam_window_months": 1}),
        current.with_overrides({"exam.max_exam_attempts": 2}),
        current.with_overrides({"prework.modules_required_for_exam": True}),
        current.with_overrides(
            {"registration.access_due_unit": "business_days", "registration.access_due_amount": 1}
        ),
        current.with_overrides({"calendar.time_zone": "Asia/Tokyo"}),
        current.with_overrides({"practicum.max_session_days": 3}),
        # R28 and R15's retake fee in force (charged with the fee-setting prices below).
        current.with_overrides({"registration.late_registration_within_days": 30}),
        current.with_overrides({"exam.attempts_included": 1, "exam.max_exam_attempts": 3}),
        current.with_overrides({"exam.attempts_included": 2}),
        current.with_overrides({"pricing.discount_stacking": True}),
    )


POLICIES = _policies()
SHIPPED_PRICES = load_prices()
UNKNOWN_FEE = attrs.evolve(SHIPPED_PRICES, class_change_fee=UnknownAmount(item="class_change_fee"))
FEES_SET = attrs.evolve(
    SHIPPED_PRICES, late_registration_fee=Money.of("75"), retake_fee=Money.of("150")
)
FEES_UNKNOWN = attrs.evolve(
    SHIPPED_PRICES,
    late_registration_fee=UnknownAmount(item="late_registration_fee"),
    retake_fee=UnknownAmount(item="retake_fee"),
)
# Every figure of a quote known (the shipped schedule has no program price, R22).
PRICED = load_prices(
    Path(__file__).parent.parent / "scenarios" / "prices" / "example-user-prices.toml"
)
PRICES = (SHIPPED_PRICES, UNKNOWN_FEE, FEES_SET, FEES_UNKNOWN, PRICED)


@st.composite
def sessions(draw: st.DrawFn, after: dt.date) -> Session:
    first = after + dt.timedelta(days=draw(st.integers(-3, 100)))
    length = draw(st.sampled_from((1, 2, 4, 4, 4, 5)))
    return Session(first_day=first, last_day=first + dt.timedelta(days=length - 1))


@st.composite
def candidates(draw: st.DrawFn, number: int) -> Candidate:
    day = dt.date(2026, 1, 1) + dt.timedelta(days=draw(st.integers(0, 3 * 365)))
    at = dt.datetime.combine(
        day,
        dt.time(draw(st.integers(0, 23)), draw(st.sampled_from((0, 30, 59)))),
        tzinfo=draw(st.sampled_from(ZONES)),
    )
    practicum = draw(sessions(day + dt.timedelta(days=draw(st.sampled_from((0, 3, 10, 10))))))
    held = practicum
    changes = []
    for _ in range(draw(st.integers(0, 4))):
        on = held.first_day - dt.timedelta(days=draw(st.integers(-3, 70)))
        shape = draw(st.integers(0, 9))
        if shape == 0:  # the session already held (R11 refuses it)
            to = held
        elif shape == 1:  # the same first day, another length (neither earlier nor later)
            last = held.first_day + dt.timedelta(days=draw(st.integers(0, 4)))
            to = Session(first_day=held.first_day, last_day=last)
        else:
            to = draw(sessions(on))
        changes.append((on, to))
        held = to
    attempts = []
    on = held.last_day + dt.timedelta(days=draw(st.integers(-3, 30)))
    for _ in range(draw(st.integers(0, 4))):
        attempts.append((on, draw(st.booleans())))
        on += dt.timedelta(days=draw(st.integers(-5, 90)))
    return Candidate(
        id=f"g{number}",
        registered_at=at,
        practicum=practicum,
        access_after_minutes=draw(st.sampled_from((0, 5, 119, 120, 121, 1500, 10_000))),
        changes=tuple(changes),
        attendance=draw(st.sampled_from(tuple(Attendance))),
        attempts=tuple(attempts),
        organisation=draw(st.sampled_from(tuple(OrganisationType))),
        group_size=draw(st.integers(1, 3)),
    )


@st.composite
def cohorts(draw: st.DrawFn) -> tuple[Candidate, ...]:
    size = draw(st.integers(1, 12))
    return tuple(draw(candidates(n)) for n in range(size))


def _without_replayed(table: pa.Table) -> pa.Table:
    return table.drop_columns(["replayed"])


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    cohort=cohorts(),
    policy=st.sampled_from(POLICIES),
    prices=st.sampled_from(PRICES),
)
def test_the_batch_path_gives_every_answer_the_journeys_give(
    cohort: tuple[Candidate, ...], policy: Policy, prices: PriceSchedule
) -> None:
    agrees_with_the_journeys(cohort, policy, prices)


def agrees_with_the_journeys(
    cohort: tuple[Candidate, ...], policy: Policy, prices: PriceSchedule
) -> None:
    """Assert the batch path gives ``cohort`` every answer its journeys give.

    A journey that cannot answer (a date outside the calendar) fails the batch too,
    with the same kind of error.
    """
    try:
        expected = journey_table(cohort, policy=policy, prices=prices)
    except CptmRulesError as exc:
        with pytest.raises(type(exc)):
            batch_answers(cohort_table(cohort), policy=policy, prices=prices)
        return
    got = batch_answers(cohort_table(cohort), policy=policy, prices=prices)
    assert got.column_names == list(ANSWER_COLUMNS)
    assert _without_replayed(got).equals(_without_replayed(expected)), _first_difference(
        got, expected
    )


def _first_difference(got: pa.Table, expected: pa.Table) -> str:
    for name in ANSWER_COLUMNS[:-1]:
        a, b = got.column(name).to_pylist(), expected.column(name).to_pylist()
        for row, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return f"row {row} {name}: batch {x!r}, journey {y!r}"
    return "no difference"


def _granted_on(candidate: Candidate) -> dt.date:
    return (candidate.registered_at + dt.timedelta(minutes=candidate.access_after_minutes)).date()


def test_the_batch_path_agrees_with_the_journeys_on_a_synthetic_cohort_under_both_policies() -> (
    None
):
    cohort = synthetic_cohort(1000, seed=5)
    table = cohort_table(cohort)
    for name in ("current", "legacy"):
        policy = load_policy(name)
        got = batch_answers(table, policy=policy, prices=SHIPPED_PRICES)
        expected = journey_table(cohort, policy=policy, prices=SHIPPED_PRICES)
        assert _without_replayed(got).equals(_without_replayed(expected))
        replayed = {
            c.id
            for c, again in zip(cohort, got.column("replayed").to_pylist(), strict=True)
            if again
        }
        # Only the rows whose events move the batch's answers go to their journeys.
        lived_more = {
            c.id
            for c in cohort
            if c.cancelled_on is not None
            or c.re_enrolment is not None
            or c.practicum.first_day <= c.registered_at.date()  # refused (R2)
            # a change, before a late grant, to a session that starts by the grant day
            or any(on < _granted_on(c) and to.first_day <= _granted_on(c) for on, to in c.changes)
        }
        assert replayed <= lived_more
        assert len(replayed) < 0.12 * len(cohort)


def test_a_late_change_to_a_later_session_pays_the_class_change_fee_in_the_batch_R10() -> None:
    candidate = Candidate(
        id="ana",
        registered_at=dt.datetime(2026, 11, 2, 9, 30, tzinfo=ZONES[0]),
        practicum=Session(first_day=dt.date(2027, 1, 11), last_day=dt.date(2027, 1, 14)),
        changes=(
            (
                dt.date(2026, 12, 1),
                Session(first_day=dt.date(2027, 2, 8), last_day=dt.date(2027, 2, 11)),
            ),
        ),
        attempts=((dt.date(2027, 2, 20), True),),
    )
    row = batch_answers(cohort_table([candidate]), policy=load_policy(), prices=SHIPPED_PRICES)
    answers = row.to_pylist()[0]
    assert answers["change_verdicts"] == ["fee"]
    assert answers["change_rules"] == ["R10"]
    assert answers["change_fees"] == [Decimal("400.0000")]
    # The key dates follow the session now held: 30 North Carolina business days before
    # 2027-02-08 (three holidays in late December) ...
    assert answers["free_change_deadline"] == dt.date(2026, 12, 21)
    assert answers["exam_closes"] == dt.date(2027, 8, 11)  # ... and six months after 02-11
    assert answers["certified_on"] == dt.date(2027, 2, 20)
    assert answers["period_end"] == dt.date(2029, 2, 20)
    assert answers["access"] == "on_time"
    assert answers["replayed"] is False


def test_a_registration_the_rules_refuse_is_answered_in_columns_as_its_journey_R2() -> None:
    started = Candidate(
        id="late",
        registered_at=dt.datetime(2027, 1, 12, 9, 0, tzinfo=ZONES[0]),
        practicum=Session(first_day=dt.date(2027, 1, 11), last_day=dt.date(2027, 1, 14)),
        changes=(
            (
                dt.date(2027, 1, 13),
                Session(first_day=dt.date(2027, 2, 8), last_day=dt.date(2027, 2, 11)),
            ),
        ),
    )
    table = batch_answers(cohort_table([started]), policy=load_policy(), prices=SHIPPED_PRICES)
    row = table.to_pylist()[0]
    assert row["replayed"] is False
    assert (row["registration_verdict"], row["registration_rule"]) == ("refused", "R2")
    # The journey stays new: every later event is refused for that state, naming no rule.
    assert (row["access"], row["access_refused_while"]) == ("refused", "new")
    assert row["change_verdicts"] == ["refused"]
    assert row["change_rules"] == [None]
    assert row["change_refused_while"] == ["new"]
    assert row["exam_closes"] is None
    assert row["practicum_first_day"] is None
    assert row["quote_total"] is None
    assert row["final_state"] == "new"
    assert {**row, "replayed": True} == journey_answers(started, load_policy(), SHIPPED_PRICES)


def test_every_event_after_a_refused_registration_is_refused_while_new_in_columns_R2() -> None:
    held = Session(first_day=dt.date(2027, 1, 11), last_day=dt.date(2027, 1, 14))
    later = Session(first_day=dt.date(2027, 3, 8), last_day=dt.date(2027, 3, 11))
    started = Candidate(
        id="late",
        registered_at=dt.datetime(2027, 1, 12, 9, 0, tzinfo=ZONES[0]),
        practicum=held,
        changes=((dt.date(2027, 1, 13), later),),
        attempts=((dt.date(2027, 2, 1), True),),
        elearning_opened=dt.date(2027, 1, 12),
        modules=((dt.date(2027, 1, 13), True), (dt.date(2027, 1, 13), None)),
        substitution=dt.date(2027, 1, 13),
        cancelled_on=dt.date(2027, 1, 13),
        re_enrolment=(dt.date(2027, 1, 20), later),
        activities=(Activity(id="a", on=dt.date(2027, 3, 1), hours=Decimal(8), category="course"),),
        renewal_payments=(dt.date(2028, 1, 3),),
    )
    row = batch_answers(
        cohort_table([started]), policy=load_policy(), prices=SHIPPED_PRICES
    ).to_pylist()[0]
    assert row["replayed"] is False
    for column in (
        "change_refused_while",
        "attempt_refused_while",
        "module_refused_while",
        "activity_refused_while",
        "renewal_refused_while",
    ):
        assert set(row[column]) == {"new"}, column
    # Only the module completed with an assessment records one (numbered after the other).
    assert row["assessment_refused_while"] == [None, "new"]
    for column in (
        "elearning_refused_while",
        "cancellation_refused_while",
        "substitution_refused_while",
        "re_enrolment_refused_while",
    ):
        assert row[column] == "new", column
    assert row["attendance_verdicts"] == []
    assert row["late_fee_verdict"] is None
    assert row["state_a_year_after"] == row["final_state"] == "new"
    assert {**row, "replayed": True} == journey_answers(started, load_policy(), SHIPPED_PRICES)


def test_the_answers_by_side_are_each_sides_answers_unreplayed() -> None:
    table = cohort_table(synthetic_cohort(300, seed=4))
    sides = ((load_policy("legacy"), SHIPPED_PRICES), (load_policy(), SHIPPED_PRICES))
    both = batch_answers_by_side(table, sides=sides)
    assert len(both) == 2
    for (policy, prices), answers in zip(sides, both, strict=True):
        alone = batch_answers(table, policy=policy, prices=prices, replay=False)
        assert answers.equals(alone)
    coded = batch_answers_by_side(table, sides=sides, dictionary=True)
    for (policy, prices), answers in zip(sides, coded, strict=True):
        alone = batch_answers(table, policy=policy, prices=prices, replay=False, dictionary=True)
        assert answers.equals(alone)
        assert pa.types.is_dictionary(answers.schema.field("access").type)


def test_the_batch_path_takes_a_pandas_data_frame() -> None:
    cohort = synthetic_cohort(50, seed=2)
    frame = cohort_table(cohort).to_pandas()
    from_frame = batch_answers(frame, policy=load_policy(), prices=SHIPPED_PRICES)
    from_table = batch_answers(cohort_table(cohort), policy=load_policy(), prices=SHIPPED_PRICES)
    assert from_frame.equals(from_table)


def test_a_cohort_table_with_a_wrongly_typed_column_is_refused_by_name() -> None:
    table = cohort_table(synthetic_cohort(3, seed=2))
    as_text = table.set_column(
        table.schema.get_field_index("group_size"),
        "group_size",
        pa.array(["1", "2", "3"]),
    )
    with pytest.raises(InvalidInputError, match="column group_size") as caught:
        batch_answers(as_text, policy=load_policy(), prices=SHIPPED_PRICES)
    assert "int64" in str(caught.value)


def _ana(**changes: object) -> Candidate:
    fields: dict[str, object] = {
        "id": "ana",
        "registered_at": dt.datetime(2026, 11, 2, 9, 30, tzinfo=ZONES[0]),
        "practicum": Session(first_day=dt.date(2027, 1, 11), last_day=dt.date(2027, 1, 14)),
    }
    fields.update(changes)
    return Candidate(**fields)  # type: ignore[arg-type]


def _batch_row(candidate: Candidate, policy: Policy) -> dict[str, object]:
    row: dict[str, object] = batch_answers(
        cohort_table([candidate]), policy=policy, prices=SHIPPED_PRICES
    ).to_pylist()[0]
    reference = journey_answers(candidate, policy, SHIPPED_PRICES)
    assert {**row, "replayed": True} == reference
    return row


def test_a_cancellation_before_the_grant_leaves_the_access_refused_while_cancelled_R24() -> None:
    later = Session(first_day=dt.date(2027, 3, 8), last_day=dt.date(2027, 3, 11))
    early = _ana(
        access_after_minutes=10 * 24 * 60,  # granted on 2026-11-12
        elearning_opened=dt.date(2026, 11, 3),
        cancelled_on=dt.date(2026, 11, 10),  # past the early days: a tuition credit
        re_enrolment=(dt.date(2026, 12, 1), later),
        modules=((dt.date(2026, 12, 2), True),),
    )
    row = _batch_row(early, load_policy())
    assert row["replayed"] is False
    assert (row["access"], row["access_refused_while"]) == ("refused", "cancelled")
    # Never granted, the re-enrolment returns to registered: the module is refused there.
    assert row["module_refused_while"] == ["registered"]
    assert row["practicum_first_day"] == later.first_day


def test_a_module_completed_before_the_grant_does_not_open_the_elearning_R24() -> None:
    before_the_grant = _ana(
        access_after_minutes=3 * 24 * 60,  # granted on 2026-11-05
        modules=((dt.date(2026, 11, 3), None),),  # refused while registered
        cancelled_on=dt.date(2026, 11, 6),  # within the early days, eLearning unopened
    )
    row = _batch_row(before_the_grant, load_policy())
    assert row["replayed"] is False
    assert row["module_refused_while"] == ["registered"]
    assert row["cancellation_verdicts"] == ["refund"]


def test_a_module_beyond_the_prework_does_not_open_the_elearning_after_the_grant_R5_R24() -> None:
    # Ten modules before the grant (refused while registered), an eleventh after it:
    # beyond the ten the prework has, refused (R5), so nothing opens the eLearning.
    day = dt.date(2026, 11, 3)
    beyond = _ana(
        access_after_minutes=3 * 24 * 60,  # granted on 2026-11-05
        modules=(*((day, True),) * 10, (dt.date(2026, 11, 5), True)),
        cancelled_on=dt.date(2026, 11, 6),
    )
    row = _batch_row(beyond, load_policy())
    assert row["replayed"] is False
    assert row["module_rules"] == [*(None,) * 10, "R5"]  # refused while registered, then R5
    assert row["cancellation_verdicts"] == ["refund"]


def test_a_change_after_a_grant_the_cancellation_refused_is_refused_while_cancelled() -> None:
    early = _ana(
        access_after_minutes=10 * 24 * 60,  # the grant asked on 2026-11-12
        cancelled_on=dt.date(2026, 11, 10),
        changes=(
            (
                dt.date(2026, 11, 20),
                Session(first_day=dt.date(2027, 3, 8), last_day=dt.date(2027, 3, 11)),
            ),
        ),
    )
    row = _batch_row(early, load_policy())
    assert row["replayed"] is False
    assert row["access_refused_while"] == "cancelled"
    assert row["change_refused_while"] == ["cancelled"]


def test_a_change_dated_before_a_late_grant_is_answered_in_columns_R9() -> None:
    later = Session(first_day=dt.date(2027, 3, 8), last_day=dt.date(2027, 3, 11))
    changed_first = _ana(
        access_after_minutes=10 * 24 * 60,  # granted on 2026-11-12
        changes=((dt.date(2026, 11, 5), later),),  # asked while still registered
    )
    row = _batch_row(changed_first, load_policy())
    assert row["replayed"] is False
    assert row["change_refused_while"] == [None]
    assert row["practicum_first_day"] == later.first_day


def test_a_change_to_a_session_starting_by_a_late_grant_is_left_to_its_journey() -> None:
    # The new session ends before the grant: the journey records its attendance while
    # registered, and the grant comes after it.
    sooner = Session(first_day=dt.date(2026, 12, 28), last_day=dt.date(2026, 12, 31))
    attended_first = _ana(
        access_after_minutes=60 * 24 * 60,  # granted on 2027-01-01
        changes=((dt.date(2026, 11, 5), sooner),),
    )
    row = _batch_row(attended_first, load_policy())
    assert row["replayed"] is True
    assert row["change_refused_while"] == [None]
    assert row["practicum_first_day"] == sooner.first_day


def test_a_rows_earliest_module_opens_the_elearning_whatever_rows_follow_it_R24() -> None:
    # The earliest module written last, before a row with none at the end of the table.
    day = dt.date(2026, 11, 3)
    opened = _ana(
        modules=((day + dt.timedelta(days=2), None), (day, None)),
        cancelled_on=day + dt.timedelta(days=1),  # within the early days, but opened
    )
    rows = batch_answers(
        cohort_table([opened, _ana(id="none")]), policy=load_policy(), prices=SHIPPED_PRICES
    ).to_pylist()
    assert rows[0]["replayed"] is False
    assert rows[0]["cancellation_verdicts"] == ["not_covered", "credit"]
    assert {**rows[0], "replayed": True} == journey_answers(opened, load_policy(), SHIPPED_PRICES)


def test_an_opening_before_the_grant_does_not_open_the_elearning_for_the_refund_R24() -> None:
    opened_early = _ana(
        access_after_minutes=3 * 24 * 60,  # granted on 2026-11-05
        elearning_opened=dt.date(2026, 11, 3),  # refused while registered
        modules=((dt.date(2026, 11, 20), True),),  # the first opening
        cancelled_on=dt.date(2026, 11, 10),
    )
    row = _batch_row(opened_early, load_policy())
    assert row["replayed"] is False
    assert row["elearning_refused_while"] == "registered"
    assert (
        row["cancellation_verdicts"]
        == _batch_row(attrs.evolve(opened_early, elearning_opened=None), load_policy())[
            "cancellation_verdicts"
        ]
    )


def test_a_change_dated_in_the_session_after_a_cancellation_is_refused_while_cancelled() -> None:
    cancelled = _ana(
        cancelled_on=dt.date(2026, 12, 1),
        changes=(
            (
                dt.date(2027, 1, 12),
                Session(first_day=dt.date(2027, 3, 8), last_day=dt.date(2027, 3, 11)),
            ),
        ),
    )
    row = _batch_row(cancelled, load_policy())
    assert row["replayed"] is False
    assert row["change_refused_while"] == ["cancelled"]


def test_an_absence_with_notice_after_a_re_enrolment_is_answered_in_columns_R25() -> None:
    later = Session(first_day=dt.date(2027, 3, 8), last_day=dt.date(2027, 3, 11))
    re_enrolled = _ana(
        cancelled_on=dt.date(2026, 12, 1),
        re_enrolment=(dt.date(2026, 12, 15), later),
        attendance=Attendance.ABSENT_WITH_NOTICE,
    )
    row = _batch_row(re_enrolled, load_policy())
    assert row["replayed"] is False
    assert row["practicum_last_day"] == later.last_day
    assert row["tuition_credit_expires"] is not None  # the absence leaves a credit


def test_a_re_enrolment_the_absences_credit_pays_is_left_to_its_journey_R25() -> None:
    later = Session(first_day=dt.date(2027, 3, 8), last_day=dt.date(2027, 3, 11))
    absent_first = _ana(
        attendance=Attendance.ABSENT_WITH_NOTICE,  # on 2027-01-14: cancelled, a credit
        re_enrolment=(dt.date(2027, 1, 20), later),
    )
    row = _batch_row(absent_first, load_policy())
    assert row["replayed"] is True
    assert row["re_enrolment_verdict"] != "refused"


def test_an_attempt_beyond_the_cap_does_not_certify_in_the_batch_R15() -> None:
    capped = load_policy().with_overrides({"exam.max_exam_attempts": 2})
    three = _ana(
        attempts=(
            (dt.date(2027, 1, 20), False),
            (dt.date(2027, 2, 20), False),
            (dt.date(2027, 3, 20), True),
        )
    )
    assert _batch_row(three, capped)["certified_on"] is None
    assert _batch_row(three, load_policy())["certified_on"] == dt.date(2027, 3, 20)


def test_a_registration_on_the_effective_date_is_judged_by_the_new_version_R9() -> None:
    board = load_policy(BOARD_2027)  # 20 business days from 2027-07-01; 30 before
    on_the_day = _ana(
        registered_at=dt.datetime(2027, 7, 1, 9, 0, tzinfo=ZONES[0]),
        practicum=Session(first_day=dt.date(2027, 10, 4), last_day=dt.date(2027, 10, 7)),
    )
    day_before = attrs.evolve(
        on_the_day, registered_at=dt.datetime(2027, 6, 30, 23, 0, tzinfo=ZONES[0])
    )
    new_deadline = _batch_row(on_the_day, board)["free_change_deadline"]
    old_deadline = _batch_row(day_before, board)["free_change_deadline"]
    assert new_deadline == load_policy().calendar.sub_business_days(dt.date(2027, 10, 4), 20)
    assert old_deadline == load_policy().calendar.sub_business_days(dt.date(2027, 10, 4), 30)


def test_a_practicum_starting_on_the_registration_day_is_refused_in_the_batch_too_R2() -> None:
    same_day = _ana(
        registered_at=dt.datetime(2027, 1, 11, 8, 0, tzinfo=ZONES[0]),
    )
    row = _batch_row(same_day, load_policy())
    assert row["replayed"] is False
    assert row["registration_verdict"] == "refused"
    assert row["access"] == "refused"


def test_a_sliced_or_chunked_table_gives_the_answers_of_its_rows() -> None:
    cohort = synthetic_cohort(300, seed=3)
    table = cohort_table(cohort)
    policy = load_policy()
    sliced = batch_answers(table.slice(37, 120), policy=policy, prices=SHIPPED_PRICES)
    fresh = batch_answers(cohort_table(cohort[37:157]), policy=policy, prices=SHIPPED_PRICES)
    assert sliced.equals(fresh)
    chunked = pa.concat_tables([table.slice(0, 100), table.slice(100)])
    whole = batch_answers(table, policy=policy, prices=SHIPPED_PRICES)
    assert batch_answers(chunked, policy=policy, prices=SHIPPED_PRICES).equals(whole)


def test_the_batch_module_names_no_rule_and_reads_no_figure() -> None:
    # One definition per rule: the batch path is plumbing, every condition, date and
    # rule id comes from the families' formulas and tables.
    from cptm_rules import batch  # noqa: PLC0415

    _names_no_rule_and_reads_no_figure(Path(batch.__file__))


def test_the_diffs_batch_engine_names_no_rule_and_reads_no_figure_either() -> None:
    # The diff's side of the batch path codes, compares and tallies answer columns: the
    # same plumbing, held to the same test.
    from cptm_rules.cohort import batched  # noqa: PLC0415

    _names_no_rule_and_reads_no_figure(Path(batched.__file__))


def _names_no_rule_and_reads_no_figure(path: Path) -> None:
    import ast  # noqa: PLC0415
    import re  # noqa: PLC0415

    from cptm_rules.policy import figure_fields  # noqa: PLC0415

    tree = ast.parse(path.read_text(encoding="utf-8"))
    strings = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    code = [s for s in strings if not s.startswith(("\n", " ")) and "\n" not in s]
    assert [s for s in code if re.fullmatch(r"R\d+a?", s)] == []
    # The calendar's years and zone and a version's dates are how a policy is laid out,
    # which the plumbing reads; every rule's own figure is read by its family alone.
    figures = {
        field.name
        for field in figure_fields()
        if field.metadata["section"] not in {"policy", "calendar"}
    }
    read = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    assert read & figures == set()
    # Every price (a schedule's dates and names are its layout, which the plumbing reads).
    shipped = load_prices()
    prices = {
        field.name
        for field in attrs.fields(PriceSchedule)
        if isinstance(getattr(shipped, field.name), Money | UnknownAmount)
    } | {"discounts"}
    assert "retake_fee" in prices
    assert read & prices == set()


@st.composite
def candidates_who_may_cancel(draw: st.DrawFn, number: int) -> Candidate:
    # A candidate as above who may also open the eLearning, complete modules, cancel
    # (early or late, before or after opening) and re-enrol (inside the credit or not).
    base = draw(candidates(number))
    reg_day = base.registered_at.date()
    practicum = base.practicum

    def near(day: dt.date, low: int, high: int) -> dt.date:
        return day + dt.timedelta(days=draw(st.integers(low, high)))

    opened = draw(st.none() | st.just(near(reg_day, -1, 40)))
    # Modules before access, in prework, after the practicum (attended, absent or
    # certified), some on the day of another event, beyond a small prework's count.
    module_days = st.sampled_from((reg_day, practicum.last_day)).flatmap(
        lambda day: st.integers(-2, 120).map(lambda n: day + dt.timedelta(days=n))
    )
    modules = tuple(
        (draw(module_days), draw(st.none() | st.booleans())) for _ in range(draw(st.integers(0, 4)))
    )
    cancelled = draw(st.none() | st.just(near(reg_day, -1, 80)))
    re_enrolment = None
    if draw(st.booleans()):
        after = cancelled or practicum.first_day
        on = near(after, -3, 500)
        re_enrolment = (on, draw(sessions(on)))
    return attrs.evolve(
        base,
        elearning_opened=opened,
        modules=modules,
        cancelled_on=cancelled,
        re_enrolment=re_enrolment,
    )


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    cohort=st.lists(candidates_who_may_cancel(0), min_size=1, max_size=12).map(
        lambda drawn: tuple(attrs.evolve(c, id=f"g{i}") for i, c in enumerate(drawn))
    ),
    policy=st.sampled_from(
        (
            *POLICIES,
            load_policy().with_overrides({"cancellation.re_enrollments": 0}),
            load_policy().with_overrides({"cancellation.early_cancellation_days": 0}),
            load_policy().with_overrides({"prework.module_count": 2}),
        )
    ),
    prices=st.sampled_from(PRICES),
)
def test_the_batch_path_answers_cancellations_and_re_enrolments_as_the_journeys_do_R24_R25_R26(
    cohort: tuple[Candidate, ...], policy: Policy, prices: PriceSchedule
) -> None:
    agrees_with_the_journeys(cohort, policy, prices)


def test_a_dated_price_schedule_and_a_layered_policy_give_the_journeys_answers_R9_R10() -> None:
    # Registrations before a dated schedule's date are charged by the version it
    # extends: the vectors leave those rows to their journeys, whose answers they equal.
    scenarios = Path(__file__).parent.parent / "scenarios"
    dated = load_prices(scenarios / "prices" / "from-2027-07.toml")
    layered = load_policy(scenarios / "policies" / "board-2028.toml")
    cohort = synthetic_cohort(300, seed=3)
    table = cohort_table(cohort)
    for policy, prices in ((load_policy(), dated), (layered, SHIPPED_PRICES)):
        got = batch_answers(table, policy=policy, prices=prices)
        expected = journey_table(cohort, policy=policy, prices=prices)
        assert _without_replayed(got).equals(_without_replayed(expected))
    replayed = batch_answers(table, policy=load_policy(), prices=dated).column("replayed")
    early = [c.registered_at.date() < dt.date(2027, 7, 1) for c in cohort]
    assert all(r for r, before in zip(replayed.to_pylist(), early, strict=True) if before)
    assert any(early)
    assert not all(early)


def test_the_late_registration_and_retake_fees_agree_with_the_journeys_R28_R15() -> None:
    scenarios = Path(__file__).parent.parent / "scenarios"
    cohort = synthetic_cohort(400, seed=11)
    table = cohort_table(cohort)
    # The synthetic practicums start three weeks or more after registering: R28 is
    # given 30 days to reach some of them.
    sides = (
        ("late-registration-fee", "late-registration-fee", "late_fee_verdict"),
        ("two-attempts", "retake-fee", "retake_verdicts"),
    )
    for policy_name, prices_name, column in sides:
        policy = load_policy(scenarios / "policies" / f"{policy_name}.toml")
        if policy.late_registration_within_days:
            policy = policy.with_overrides({"registration.late_registration_within_days": 30})
        prices = load_prices(scenarios / "prices" / f"{prices_name}.toml")
        got = batch_answers(table, policy=policy, prices=prices)
        expected = journey_table(cohort, policy=policy, prices=prices)
        assert _without_replayed(got).equals(_without_replayed(expected)), _first_difference(
            got, expected
        )
        charged = got.column(column).to_pylist()
        # Some candidates pay, most do not: the column is no constant.
        flat = [v for v in charged if not isinstance(v, list)] or [
            v for row in charged for v in row
        ]
        assert "fee" in flat
        assert None in flat


def test_an_attempt_answers_its_refusal_outcome_and_retake_fee_in_the_batch_R13_R16() -> None:
    policy = load_policy().with_overrides(
        {"exam.attempts_included": 1, "exam.max_exam_attempts": 2}
    )
    prices = attrs.evolve(SHIPPED_PRICES, retake_fee=Money.of("120"))
    candidate = Candidate(
        id="ben",
        registered_at=dt.datetime(2026, 11, 2, 9, 30, tzinfo=ZONES[0]),
        practicum=Session(first_day=dt.date(2027, 1, 11), last_day=dt.date(2027, 1, 14)),
        attempts=(
            (dt.date(2027, 1, 12), True),  # before the attendance: refused for the state
            (dt.date(2027, 2, 1), False),
            (dt.date(2027, 3, 1), True),
            (dt.date(2027, 4, 1), True),  # after certifying: refused for the state
        ),
    )
    row = batch_answers(cohort_table([candidate]), policy=policy, prices=prices).to_pylist()[0]
    assert not row["replayed"]
    assert row["attempt_verdicts"] == ["refused", "failed", "certified", "refused"]
    assert row["attempt_rules"] == [None, "R15", "R16", None]
    assert row["retake_verdicts"] == [None, None, "fee", None]
    assert row["retake_fees"] == [None, None, Decimal("120.0000"), None]
    assert row["certified_on"] == dt.date(2027, 3, 1)


def test_each_module_and_assessment_is_answered_where_the_journey_stands_R5_R7() -> None:
    policy = load_policy().with_overrides({"prework.module_count": 3})
    candidate = Candidate(
        id="cleo",
        # Access is granted the next day: a module on the registration day comes first.
        registered_at=dt.datetime(2026, 11, 2, 23, 30, tzinfo=ZONES[0]),
        access_after_minutes=60,
        practicum=Session(first_day=dt.date(2027, 1, 11), last_day=dt.date(2027, 1, 14)),
        modules=(
            (dt.date(2027, 3, 1), True),  # after certifying: refused for the state
            (dt.date(2026, 11, 2), None),  # before access: refused for the state
            (dt.date(2026, 11, 10), False),
            (dt.date(2026, 11, 10), True),  # the same day, numbered after the failed one
            (dt.date(2027, 2, 20), True),  # module 4, before the attempt that day (R5)
        ),
        attempts=((dt.date(2027, 2, 20), True),),
    )
    row = _batch_row(candidate, policy)
    assert not row["replayed"]
    assert row["module_verdicts"] == [
        "refused",
        "module_complete",
        "module_complete",
        "refused",
        "refused",
    ]
    assert row["module_rules"] == [None, "R5", "R5", "R5", None]
    assert row["assessment_verdicts"] == [
        None,
        "assessment_failed",
        "assessment_passed",
        "refused",
        "refused",
    ]
    assert row["assessment_rules"] == [None, "R7", "R7", "R5", None]


def test_the_registration_quote_is_the_pricing_familys_in_the_batch_R21_R22() -> None:
    stacking = load_policy().with_overrides({"pricing.discount_stacking": True})
    group = _ana(organisation=OrganisationType.NON_PROFIT, group_size=4)
    single = _ana(id="solo")
    rows = batch_answers(cohort_table([group, single]), policy=stacking, prices=PRICED)
    expected = journey_table([group, single], policy=stacking, prices=PRICED)
    assert _without_replayed(rows).equals(_without_replayed(expected))
    got = {name: rows.column(name).to_pylist() for name in rows.column_names}
    assert got["quote_discounts"] == [["non-profit", "group"], []]
    assert got["quote_stacked"] == [True, None]
    assert got["quote_missing"] == [[], []]
    assert got["quote_total"][1] == Decimal("2495.0000")
    assert got["quote_total"][0] < 4 * Decimal(2495)
    shipped = batch_answers(cohort_table([single]), policy=stacking, prices=SHIPPED_PRICES)
    assert shipped.column("quote_total").to_pylist() == [None]
    assert shipped.column("quote_missing").to_pylist() == [["program_price"]]


def _ce_policies() -> tuple[Policy, ...]:
    current = load_policy()
    return (
        current,
        load_policy("legacy"),
        current.with_overrides({"certification.ce_hours_required": 0}),
        current.with_overrides(
            {
                "certification.ce_hours_required": Decimal("2.05"),
                "certification.certification_period": {"amount": 3, "unit": "months"},
            }
        ),
        current.with_overrides(
            {
                "certification.certification_period": {"amount": 1, "unit": "months"},
                "certification.qualifying_categories": ["course", "webinar"],
                "certification.free_categories": ["webinar"],
                "certification.ce_hours_required": 3,
            }
        ),
        # A grace period: short, and long beside short periods (late renewals in a row).
        current.with_overrides({"certification.renewal_grace_days": 30}),
        current.with_overrides(
            {
                "certification.renewal_grace_days": 75,
                "certification.certification_period": {"amount": 3, "unit": "months"},
                "certification.ce_hours_required": 4,
                "certification.category_limits": [{"categories": ["course"], "max_hours": 3}],
            }
        ),
        # Category limits: a cap; a minimum and a cap on one group, a minimum on another.
        current.with_overrides(
            {"certification.category_limits": [{"categories": ["course"], "max_hours": 10}]}
        ),
        current.with_overrides(
            {
                "certification.ce_hours_required": 20,
                "certification.category_limits": [
                    {"categories": ["webinar", "conference"], "min_hours": 5, "max_hours": 12},
                    {"categories": ["course"], "min_hours": "2.5"},
                ],
            }
        ),
    )


CE_POLICIES = _ce_policies()
# The shipped renewal fee is unknown (R22): a fee without a number.
RENEWAL_SET = attrs.evolve(
    SHIPPED_PRICES, renewal_fee=Money.of("120"), late_renewal_fee=Money.of("40")
)
_CATEGORIES = ("course", "webinar", "conference", "not-industry-relevant")


@st.composite
def candidates_who_renew(draw: st.DrawFn, number: int) -> Candidate:
    """A candidate who may certify, with activities and renewal payments around its periods."""
    base = draw(candidates(number))
    if draw(st.integers(0, 3)):  # most certify: no change, access on time, a pass
        base = attrs.evolve(base, changes=(), access_after_minutes=0)
    passed_on = base.practicum.last_day + dt.timedelta(days=draw(st.integers(0, 20)))
    attendance = draw(st.sampled_from((Attendance.FULL, Attendance.FULL, *Attendance)))
    passed = draw(st.sampled_from((True, True, False)))
    attempts = ((passed_on, passed),) if draw(st.integers(0, 5)) else ()
    horizon = st.integers(-40, 4 * 365)
    activities = []
    for n in range(draw(st.integers(0, 8))):
        on = passed_on + dt.timedelta(days=draw(horizon))
        ident = draw(st.sampled_from(("a", "b", f"n{n}", f"n{n}")))
        hours = Decimal(draw(st.integers(0, 3000))) / 100
        category = ActivityCategory(draw(st.sampled_from(_CATEGORIES)))
        activities.append(Activity(id=ident, on=on, hours=hours, category=category))
        if draw(st.integers(0, 6)) == 0:  # recorded twice: the same, or on another day
            later = dt.timedelta(days=draw(st.sampled_from((0, 0, 1, 400))))
            activities.append(attrs.evolve(activities[-1], on=on + later))
    payments = tuple(
        passed_on + dt.timedelta(days=draw(horizon)) for _ in range(draw(st.integers(0, 4)))
    )
    return attrs.evolve(
        base,
        attendance=attendance,
        attempts=attempts,
        activities=tuple(draw(st.permutations(activities))),
        renewal_payments=payments,
    )


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    cohort=st.integers(1, 10).flatmap(
        lambda size: st.tuples(*(candidates_who_renew(n) for n in range(size)))
    ),
    policy=st.sampled_from(CE_POLICIES),
    prices=st.sampled_from((SHIPPED_PRICES, RENEWAL_SET)),
)
def test_activities_renewal_fees_and_every_period_agree_with_the_journeys_R17_R20(
    cohort: tuple[Candidate, ...], policy: Policy, prices: PriceSchedule
) -> None:
    agrees_with_the_journeys(cohort, policy, prices)


def _renewer(
    activities: tuple[Activity, ...] = (), payments: tuple[dt.date, ...] = ()
) -> Candidate:
    ana = _ana(attendance=Attendance.FULL, attempts=((dt.date(2027, 2, 1), True),))
    return attrs.evolve(ana, activities=activities, renewal_payments=payments)


def test_a_period_renewed_early_ends_two_years_on_and_later_activities_still_count_R18_R20() -> (
    None
):
    # Certified 2027-02-01: the first period ends 2029-02-01 (R17).
    renewer = _renewer(
        activities=(
            Activity(id="x", on=dt.date(2027, 6, 1), hours=Decimal(24), category="course"),
            Activity(id="x", on=dt.date(2027, 7, 1), hours=Decimal(24), category="course"),
            Activity(id="y", on=dt.date(2030, 3, 1), hours=Decimal(1), category="course"),
            Activity(id="z", on=dt.date(2031, 2, 1), hours=Decimal(1), category="course"),
        ),
        payments=(dt.date(2026, 12, 1), dt.date(2027, 8, 1), dt.date(2031, 3, 1)),
    )
    row = _batch_row(renewer, load_policy())
    assert row["replayed"] is False
    # Paid with 24 hours inside the period: renewed, the next period 2029-02-01..2031-02-01.
    assert row["period_ends"] == [dt.date(2029, 2, 1), dt.date(2031, 2, 1)]
    assert row["activity_verdicts"] == ["recorded", "recorded", "recorded", "not_counted"]
    assert row["activity_rules"] == ["R19", "R19", "R19", "R20"]
    # Before certification the fee is refused for the state; after the lapse by R20.
    assert row["renewal_verdicts"] == ["refused", "fee_paid", "refused"]
    assert row["renewal_rules"] == [None, "R18", "R20"]
    assert row["renewal_fees"] == [None, None, None]  # the shipped fee is unknown (R22)
    priced = batch_answers(cohort_table([renewer]), policy=load_policy(), prices=RENEWAL_SET)
    assert priced.column("renewal_fees").to_pylist() == [[None, Decimal(120), None]]


def test_a_capped_group_counts_up_to_its_cap_and_a_minimum_must_be_met_in_columns_R18() -> None:
    # 40 hours a period, webinars counted up to 25, at least 5 from courses.
    limited = load_policy().with_overrides(
        {
            "certification.ce_hours_required": 40,
            "certification.category_limits": [
                {"categories": ["webinar"], "max_hours": 25},
                {"categories": ["course"], "min_hours": 5},
            ],
        }
    )

    def activity(ident: str, on: dt.date, hours: int, category: str) -> Activity:
        return Activity(id=ident, on=on, hours=Decimal(hours), category=category)

    capped = _renewer(
        activities=(
            activity("w", dt.date(2027, 3, 1), 36, "webinar"),  # 25 of them count
            activity("c", dt.date(2027, 4, 1), 14, "course"),  # 39 in all: short of 40
            activity("d", dt.date(2027, 5, 1), 1, "course"),  # 40: renews here
        ),
        payments=(dt.date(2027, 2, 15),),
    )
    row = _batch_row(capped, limited)
    assert row["replayed"] is False
    assert row["period_ends"] == [dt.date(2029, 2, 1), dt.date(2031, 2, 1)]
    assert row["activity_renewal_rules"] == [None, None, "R20"]
    # 44 hours counted (25 of the webinars), but 4 from courses: short of their minimum.
    short = _renewer(
        activities=(
            activity("w", dt.date(2027, 3, 1), 45, "webinar"),
            activity("f", dt.date(2027, 3, 2), 15, "conference"),
            activity("c", dt.date(2027, 4, 1), 4, "course"),
        ),
        payments=(dt.date(2027, 2, 15),),
    )
    row = _batch_row(short, limited)
    assert row["replayed"] is False
    assert row["period_ends"] == [dt.date(2029, 2, 1)]


def test_a_fee_paid_in_the_grace_period_renews_late_and_counts_for_one_period_R18_R20() -> None:
    graced = load_policy().with_overrides({"certification.renewal_grace_days": 60})

    def course(ident: str, on: dt.date, hours: int) -> Activity:
        return Activity(id=ident, on=on, hours=Decimal(hours), category="course")

    # Certified 2027-02-01: the first period ends 2029-02-01, its grace on 2029-04-02.
    late = _renewer(
        activities=(
            course("a", dt.date(2027, 6, 1), 24),  # R18's hours inside the first period
            course("g", dt.date(2029, 2, 10), 24),  # in the grace period: counted in none
            course("h", dt.date(2029, 6, 1), 1),  # in the second period, 25 hours by then
        ),
        payments=(dt.date(2029, 3, 1),),  # late: renews the first period, and only it
    )
    row = _batch_row(late, graced)
    assert row["replayed"] is False
    assert row["renewal_verdicts"] == ["paid_in_grace"]
    assert row["payment_renewal_rules"] == ["R20"]
    assert row["period_ends"] == [dt.date(2029, 2, 1), dt.date(2031, 2, 1)]
    assert row["activity_verdicts"] == ["recorded", "not_counted", "recorded"]
    assert row["activity_rules"] == ["R19", "R20", "R19"]
    # A fee of its own for the second period: the grace period's hours count there.
    again = attrs.evolve(late, renewal_payments=(dt.date(2029, 3, 1), dt.date(2030, 1, 1)))
    row = _batch_row(again, graced)
    assert row["replayed"] is False
    assert row["period_ends"] == [dt.date(2029, 2, 1), dt.date(2031, 2, 1), dt.date(2033, 2, 1)]
    assert row["payment_renewal_rules"] == ["R20", "R20"]


def test_renewals_late_in_a_row_count_each_period_from_the_event_after_the_last_R18_R20() -> None:
    # Periods of three months, each with a 75-day grace period, 4 hours each.
    short = load_policy().with_overrides(
        {
            "certification.renewal_grace_days": 75,
            "certification.certification_period": {"amount": 3, "unit": "months"},
            "certification.ce_hours_required": 4,
        }
    )

    def course(ident: str, on: dt.date, hours: int) -> Activity:
        return Activity(id=ident, on=on, hours=Decimal(hours), category="course")

    # Certified 2027-02-01: periods end 05-01, 08-01, 11-01; graces 75 days after each.
    twice_late = _renewer(
        activities=(
            course("a", dt.date(2027, 3, 1), 4),  # the first period's hours
            course("b", dt.date(2027, 6, 1), 4),  # the second's; its fee is not the first's
            course("g", dt.date(2027, 8, 10), 4),  # the second's grace: the third's hours
            course("h", dt.date(2027, 9, 1), 1),  # asks R18 of the third: met, renews
        ),
        # Each late, in the grace period before: the second renews the second period,
        # and (not the first period's fee) counts for the third, already met by then.
        payments=(dt.date(2027, 5, 10), dt.date(2027, 8, 20)),
    )
    row = _batch_row(twice_late, short)
    assert row["replayed"] is False
    assert row["renewal_verdicts"] == ["paid_in_grace", "paid_in_grace"]
    assert row["period_ends"] == [
        dt.date(2027, 5, 1),
        dt.date(2027, 8, 1),
        dt.date(2027, 11, 1),
        dt.date(2028, 2, 1),
    ]
    # One renewal for each event at most: the third period renews at the activity after.
    assert row["payment_renewal_rules"] == ["R20", "R20"]
    assert row["activity_renewal_rules"] == [None, None, None, "R20"]


def test_a_day_between_a_periods_end_and_its_late_renewal_is_in_the_grace_period_R20() -> None:
    # Certified 2027-02-01, periods of 11 months: the first ends 2028-01-01, and the day
    # the answers read a year on (400 days after the practicum: 2028-02-18) falls in its
    # grace period, before the late fee.
    graced = load_policy().with_overrides(
        {
            "certification.renewal_grace_days": 60,
            "certification.certification_period": {"amount": 11, "unit": "months"},
        }
    )
    late = _renewer(
        activities=(
            Activity(id="a", on=dt.date(2027, 6, 1), hours=Decimal(24), category="course"),
        ),
        payments=(dt.date(2028, 2, 25),),
    )
    row = _batch_row(late, graced)
    assert row["replayed"] is False
    assert (row["state_a_year_after"], row["state_a_year_after_rule"]) == ("in_grace", "R20")
    assert row["state_a_year_after_since"] == dt.date(2028, 1, 1)
    assert row["period_ends"] == [dt.date(2028, 1, 1), dt.date(2028, 12, 1)]


def test_same_day_copies_of_one_activity_that_differ_are_left_to_the_journey_R19() -> None:
    twice = (
        Activity(id="x", on=dt.date(2027, 6, 1), hours=Decimal(24), category="course"),
        Activity(id="x", on=dt.date(2027, 6, 1), hours=Decimal(2), category="course"),
    )
    row = _batch_row(_renewer(activities=twice), load_policy())
    assert row["replayed"] is True
    assert row["activity_verdicts"] == ["recorded", "recorded"]
    same = _batch_row(_renewer(activities=(twice[0], twice[0])), load_policy())
    assert same["replayed"] is False


def test_a_checked_cohort_is_answered_as_its_table_and_rows_left_unreplayed_are_marked() -> None:
    from cptm_rules.cohort.formats import checked_cohort  # noqa: PLC0415  # the checked form

    policy = load_policy()
    # Changes not written in date order are left to the journey: one row is replayed.
    unordered = _ana(
        id="unordered",
        changes=(
            (
                dt.date(2026, 12, 1),
                Session(first_day=dt.date(2027, 3, 8), last_day=dt.date(2027, 3, 11)),
            ),
            (
                dt.date(2026, 11, 20),
                Session(first_day=dt.date(2027, 4, 5), last_day=dt.date(2027, 4, 8)),
            ),
        ),
    )
    table = cohort_table([*synthetic_cohort(1500, seed=21), unordered])
    answered = batch_answers(table, policy=policy, prices=SHIPPED_PRICES)
    checked = checked_cohort(table)
    assert checked_cohort(checked) is checked  # checked once
    assert batch_answers(checked, policy=policy, prices=SHIPPED_PRICES).equals(answered)
    # Without the replay, the rows the vectors do not answer are the same rows, marked;
    # every other row's answers are the same.
    unreplayed = batch_answers(checked, policy=policy, prices=SHIPPED_PRICES, replay=False)
    marked = unreplayed.column("replayed").to_pylist()
    assert marked == answered.column("replayed").to_pylist()
    assert any(marked)
    kept = pa.array([not m for m in marked])
    assert unreplayed.filter(kept).equals(answered.filter(kept))


def test_the_words_as_dictionaries_are_the_same_answers_and_need_the_rows_unreplayed() -> None:
    from cptm_rules.batch import answer_schema  # noqa: PLC0415
    from cptm_rules.cohort.synthetic import synthetic_table  # noqa: PLC0415

    cohort, policy, prices = synthetic_table(400, seed=2), load_policy("current"), load_prices()
    text = batch_answers(cohort, policy=policy, prices=prices, replay=False)
    coded = batch_answers(cohort, policy=policy, prices=prices, replay=False, dictionary=True)
    assert any(pa.types.is_dictionary(field.type) for field in coded.schema)
    assert coded.cast(answer_schema(policy)).equals(text)
    with pytest.raises(InvalidInputError, match="dictionary=True is not valid"):
        batch_answers(cohort, policy=policy, prices=prices, dictionary=True)


def test_hours_are_read_as_hundredths_in_place_or_by_arithmetic_alike_R18() -> None:
    hours = [Decimal("1.25"), Decimal(0), Decimal("9999.99"), Decimal("3.5")]
    stored = pa.array(hours, type=pa.decimal128(6, 2))  # the cohort's type: read in place
    wide = pa.array(hours, type=pa.decimal128(20, 2))  # beyond 64 bits: by arithmetic
    expected = [125, 0, 999999, 350]
    assert _hundredths(stored).tolist() == _hundredths(wide).tolist() == expected
    assert _hundredths(stored.slice(1, 2)).tolist() == expected[1:3]
    assert _hundredths(stored.slice(4)).tolist() == []
    chunked = pa.chunked_array([stored.slice(0, 1), stored.slice(1)])
    assert _hundredths(chunked).tolist() == expected
