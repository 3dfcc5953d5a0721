"""The batch answer table carries the answers a policy diff compares, as the journeys give them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cptm_rules.batch import batch_answers
from cptm_rules.cohort import replay
from cptm_rules.cohort.formats import cohort_table
from cptm_rules.events import Session
from cptm_rules.lifecycle import status_question
from cptm_rules.policy import load_policy
from cptm_rules.rules.cancellation import CREDIT_STATUS
from cptm_rules.rules.certification import PERIOD_STATUS
from cptm_rules.rules.exam import EXAM_STATUS
from cptm_rules.vocabulary import Attendance
from test_batch import PRICED, SHIPPED_PRICES, _ana, _batch_row

CURRENT = load_policy()


def _states(row: dict[str, object]) -> tuple[object, ...]:
    return tuple(
        row[name]
        for name in (
            "state_a_year_after",
            "state_a_year_after_rule",
            "state_a_year_after_since",
            "final_state",
            "final_state_rule",
            "final_state_since",
        )
    )


def test_a_certified_candidate_is_certified_a_year_on_and_lapses_at_the_periods_end_R17_R20() -> (
    None
):
    row = _batch_row(_ana(attempts=((dt.date(2027, 2, 1), True),)), CURRENT)
    assert row["replayed"] is False
    assert _states(row) == ("certified", "R17", None, "lapsed", "R20", dt.date(2029, 2, 1))


def test_an_attended_candidate_who_never_passes_is_exam_expired_the_day_after_the_window_R14() -> (
    None
):
    row = _batch_row(_ana(attempts=((dt.date(2027, 2, 1), False),)), CURRENT)
    assert row["exam_closes"] == dt.date(2027, 7, 14)
    expired = ("exam_expired", "R14", dt.date(2027, 7, 15))
    assert _states(row) == (*expired, *expired)


def test_a_credited_cancellation_ends_credit_expired_and_a_refunded_one_cancelled_R25() -> None:
    late = _batch_row(_ana(cancelled_on=dt.date(2027, 1, 5)), CURRENT)
    expired = ("credit_expired", "R25", dt.date(2028, 1, 5))
    assert late["tuition_credit_expires"] == dt.date(2028, 1, 5)
    assert _states(late) == (*expired, *expired)
    early = _batch_row(_ana(cancelled_on=dt.date(2026, 11, 5)), CURRENT)
    assert early["tuition_credit_expires"] is None
    assert _states(early) == ("cancelled", None, None, "cancelled", None, None)


def test_an_absence_stands_forfeited_without_notice_and_as_a_cancellation_with_it_R25_R26() -> None:
    no_show = _batch_row(_ana(attendance=Attendance.ABSENT_WITHOUT_NOTICE), CURRENT)
    assert _states(no_show) == ("forfeited", None, None, "forfeited", None, None)
    noticed = _batch_row(_ana(attendance=Attendance.ABSENT_WITH_NOTICE), CURRENT)
    expired = ("credit_expired", "R25", dt.date(2028, 1, 14))
    assert _states(noticed) == (*expired, *expired)


def test_a_re_enrolment_after_the_year_leaves_the_credit_open_then_and_certifies_later_R25() -> (
    None
):
    # The practicum moves to March 2027 and is cancelled; the credit is used the day
    # after the year (2028-02-18, counted from the practicum booked), for a 2028 session.
    later = Session(first_day=dt.date(2027, 3, 1), last_day=dt.date(2027, 3, 4))
    again = Session(first_day=dt.date(2028, 3, 6), last_day=dt.date(2028, 3, 9))
    candidate = _ana(
        changes=((dt.date(2026, 11, 10), later),),
        cancelled_on=dt.date(2027, 2, 20),
        re_enrolment=(dt.date(2028, 2, 19), again),
        attempts=((dt.date(2028, 3, 20), True),),
    )
    row = _batch_row(candidate, CURRENT)
    assert row["replayed"] is False
    assert _states(row) == ("cancelled", "R25", None, "lapsed", "R20", dt.date(2030, 3, 20))


def test_the_journey_asks_the_status_table_of_the_family_its_state_belongs_to() -> None:
    # One definition: Journey.status_on asks the tables the batch path asks.
    passed = _ana(attempts=((dt.date(2027, 2, 1), True),))
    failed = _ana(attempts=((dt.date(2027, 2, 1), False),))
    cancelled = _ana(cancelled_on=dt.date(2027, 1, 5))
    day = dt.date(2027, 6, 1)
    tables = []
    for candidate in (passed, failed, cancelled):
        journey = replay(candidate, CURRENT, SHIPPED_PRICES).journey
        asked = status_question(journey, day)
        assert asked is not None
        tables.append(asked[0])
    assert tables == [PERIOD_STATUS, EXAM_STATUS, CREDIT_STATUS]
    refunded = replay(_ana(cancelled_on=dt.date(2026, 11, 5)), CURRENT, SHIPPED_PRICES).journey
    assert status_question(refunded, day) is None


def test_an_attendance_answers_its_decisions_and_advisories_in_the_journeys_order_R8_R12_R13() -> (
    None
):
    # Part of the session missed (R12), and three of the ten modules done by its last day
    # (R8; a module dated that day comes before the attendance, one after it does not).
    modules = tuple((dt.date(2027, 1, day), True) for day in (5, 14, 15))
    partly = _batch_row(
        _ana(attendance=Attendance.PARTIAL, modules=(*modules, (dt.date(2026, 12, 1), None))),
        CURRENT,
    )
    assert partly["replayed"] is False
    assert (partly["attendance_verdicts"], partly["attendance_rules"]) == (["attended"], ["R13"])
    assert partly["attendance_advisories"] == ["R12", "R8"]
    assert partly["attendance_advisory_severities"] == ["warning", "warning"]
    every = tuple((dt.date(2026, 12, day), True) for day in range(1, 11))
    done = _batch_row(_ana(modules=every), CURRENT)
    assert done["attendance_advisories"] == []


def test_an_absence_answers_the_forfeit_or_the_cancellation_and_its_credit_R24_R25_R26() -> None:
    no_show = _ana(attendance=Attendance.ABSENT_WITHOUT_NOTICE)
    row = _batch_row(no_show, CURRENT)
    assert (row["attendance_verdicts"], row["attendance_rules"]) == (["forfeited"], ["R26"])
    assert row["attendance_fees"] == [None]  # the shipped program price is unknown (R22)
    priced = batch_answers(cohort_table([no_show]), policy=CURRENT, prices=PRICED).to_pylist()
    assert priced[0]["attendance_fees"] == [Decimal("2495.0000")]
    noticed = _batch_row(_ana(attendance=Attendance.ABSENT_WITH_NOTICE), CURRENT)
    assert noticed["attendance_verdicts"] == ["not_covered", "credit"]
    assert noticed["attendance_rules"] == ["R24", "R25"]
    assert noticed["attendance_refunds"] == [None, None]
    assert noticed["attendance_advisories"] == []
