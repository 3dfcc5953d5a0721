from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cptm_rules.events import (
    EVENT_TYPES,
    Applicant,
    AttemptExam,
    Cancel,
    CompleteModule,
    Event,
    GrantAccess,
    OpenElearning,
    PayRenewalFee,
    RecordActivity,
    RecordAssessment,
    RecordAttendance,
    ReEnroll,
    Register,
    Registration,
    RequestChange,
    Session,
    Substitute,
)
from cptm_rules.exceptions import (
    CalendarRangeError,
    CptmRulesError,
    InvalidInputError,
    RuleViolationError,
    TimingError,
    TransitionError,
)
from cptm_rules.lifecycle import (
    CHANGE_FEE_PRECEDENCE,
    MOVES,
    STORED_STATES,
    TRANSITIONS,
    Journey,
    Status,
    access_due,
    event_day,
    free_change_deadline,
    judge_change,
    mermaid_diagram,
)
from cptm_rules.money import Money, UnknownAmount
from cptm_rules.outcomes import Decision, Effect
from cptm_rules.policy import load_policy
from cptm_rules.pricing import PriceSchedule, load_prices
from cptm_rules.rules.certification import qualifying_hours
from cptm_rules.types import Handled
from cptm_rules.vocabulary import (
    Attendance,
    EffectKind,
    KeyDateKind,
    OrganisationType,
    Severity,
    State,
)
from journeys import (
    DECEMBER,
    FEBRUARY,
    JANUARY,
    NY,
    REGISTERED_AT,
    activity,
    attended,
    cancelled,
    certified,
    day,
    forfeited,
    in_prework,
    registered,
    registration,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from cptm_rules.outcomes import Outcome

CURRENT = load_policy("current")
LEGACY = load_policy("legacy")
MARCH = Session(first_day=day("2027-03-08"), last_day=day("2027-03-11"))

# -- every state against every event ---------------------------------------------------

JOURNEY_IN: dict[State, Callable[[], Journey]] = {
    State.NEW: Journey.new,
    State.REGISTERED: registered,
    State.IN_PREWORK: in_prework,
    State.ATTENDED: attended,
    State.CERTIFIED: certified,
    State.CANCELLED: cancelled,
    State.FORFEITED: forfeited,
}

# One valid-looking event of each type, dated after every builder's last event
# where that matters for the states that allow it.
SAMPLE_EVENT: dict[type[Event], Event] = {
    Register: Register(registration=registration()),
    GrantAccess: GrantAccess(at=REGISTERED_AT + dt.timedelta(hours=1)),
    OpenElearning: OpenElearning(on=day("2027-01-25")),
    CompleteModule: CompleteModule(module=1, on=day("2027-01-25")),
    RecordAssessment: RecordAssessment(module=1, passed=False, on=day("2027-01-25")),
    RequestChange: RequestChange(on=day("2026-11-10"), to=FEBRUARY),
    Substitute: Substitute(on=day("2026-11-10"), email="ben@example.org"),
    Cancel: Cancel(on=day("2026-11-10")),
    ReEnroll: ReEnroll(on=day("2027-01-25"), session=MARCH),
    RecordAttendance: RecordAttendance(attendance="full", on=day("2027-01-14")),
    AttemptExam: AttemptExam(on=day("2027-01-25"), passed=True),
    PayRenewalFee: PayRenewalFee(on=day("2027-01-25")),
}
SAMPLE_EVENT[type(activity("2027-01-25", "2"))] = activity("2027-01-25", "2")

EXPECTED = {
    (State.NEW, Register): State.REGISTERED,
    (State.REGISTERED, GrantAccess): State.IN_PREWORK,
    (State.REGISTERED, RequestChange): State.REGISTERED,
    (State.REGISTERED, Substitute): State.REGISTERED,
    (State.REGISTERED, Cancel): State.CANCELLED,
    (State.REGISTERED, RecordAttendance): State.ATTENDED,
    (State.IN_PREWORK, OpenElearning): State.IN_PREWORK,
    (State.IN_PREWORK, CompleteModule): State.IN_PREWORK,
    (State.IN_PREWORK, RecordAssessment): State.IN_PREWORK,
    (State.IN_PREWORK, RequestChange): State.IN_PREWORK,
    (State.IN_PREWORK, Substitute): State.IN_PREWORK,
    (State.IN_PREWORK, Cancel): State.CANCELLED,
    (State.IN_PREWORK, RecordAttendance): State.ATTENDED,
    (State.ATTENDED, OpenElearning): State.ATTENDED,
    (State.ATTENDED, CompleteModule): State.ATTENDED,
    (State.ATTENDED, RecordAssessment): State.ATTENDED,
    (State.ATTENDED, AttemptExam): State.CERTIFIED,
    (State.CERTIFIED, type(activity("2027-01-25", "2"))): State.CERTIFIED,
    (State.CERTIFIED, PayRenewalFee): State.CERTIFIED,
    (State.CANCELLED, ReEnroll): State.IN_PREWORK,
    # Activities are recorded whatever the state; only a certification period counts them.
    (State.REGISTERED, type(activity("2027-01-25", "2"))): State.REGISTERED,
    (State.IN_PREWORK, type(activity("2027-01-25", "2"))): State.IN_PREWORK,
    (State.ATTENDED, type(activity("2027-01-25", "2"))): State.ATTENDED,
    (State.CANCELLED, type(activity("2027-01-25", "2"))): State.CANCELLED,
    (State.FORFEITED, type(activity("2027-01-25", "2"))): State.FORFEITED,
}


@pytest.mark.parametrize("state", STORED_STATES, ids=str)
@pytest.mark.parametrize("event_type", EVENT_TYPES, ids=lambda t: t.__name__)
def test_every_state_against_every_event(state: State, event_type: type[Event]) -> None:
    journey = JOURNEY_IN[state]()
    assert journey.state is state
    event = SAMPLE_EVENT[event_type]
    expected = EXPECTED.get((state, event_type))
    if expected is not None:
        assert journey.apply(event).journey.state is expected
        assert expected in TRANSITIONS[state][event_type]
        return
    allowed = ", ".join(t.__name__ for t in TRANSITIONS[state])
    with pytest.raises(RuleViolationError) as caught:
        journey.apply(event)
    message = str(caught.value)
    assert message.startswith(f"cannot apply {event_type.__name__}(")
    assert f"in state '{state}': {event_type.__name__} is not allowed in this state; " in message
    assert ("it needs state '" in message) or ("no event leads from state" in message)
    assert message.endswith(f"Events allowed now: {allowed}")
    assert caught.value.rule_id is not None
    assert caught.value.allowed == tuple(t.__name__ for t in TRANSITIONS[state])


def test_an_exam_before_attendance_names_the_rule_and_the_events_that_lead_there_R13() -> None:
    with pytest.raises(RuleViolationError) as caught:
        in_prework().apply(AttemptExam(on=day("2027-01-20"), passed=True))
    assert caught.value.rule_id == "R13-R16"
    assert "it needs state 'attended': apply RecordAttendance first" in str(caught.value)
    with pytest.raises(RuleViolationError, match="apply ReEnroll, then RecordAttendance first"):
        cancelled().apply(AttemptExam(on=day("2027-01-20"), passed=True))


def test_a_refusal_never_lists_the_refused_event_among_those_allowed_R11() -> None:
    with pytest.raises(RuleViolationError) as caught:
        registered().apply(RequestChange(on=day("2026-11-10"), to=JANUARY))
    assert "RequestChange" not in caught.value.allowed
    assert "GrantAccess" in caught.value.allowed
    assert "Events allowed now: GrantAccess, RecordActivity, Substitute" in str(caught.value)


def test_judge_change_speaks_of_no_state_to_a_caller_without_a_journey_R11() -> None:
    with pytest.raises(RuleViolationError) as caught:
        judge_change(
            policy=CURRENT,
            prices=load_prices(),
            held=JANUARY,
            to=JANUARY,
            requested=day("2026-11-10"),
        )
    assert "state" not in str(caught.value)
    assert "allowed now" not in str(caught.value)
    assert str(caught.value).endswith("is the one already held (R11)")


def test_the_expected_table_covers_every_allowed_move() -> None:
    allowed = {(s, e) for s, moves in TRANSITIONS.items() for e in moves}
    assert allowed == set(EXPECTED)


def test_an_object_that_is_not_an_event_is_refused_by_name() -> None:
    with pytest.raises(InvalidInputError, match=r"^event='register' .*one of the events Register"):
        Journey.new().apply("register")  # type: ignore[arg-type]


def test_the_state_diagram_in_the_docs_is_generated_from_the_table() -> None:
    diagram = mermaid_diagram()
    for state, moves in TRANSITIONS.items():
        for event, targets in moves.items():
            for target in targets:
                assert f"{state} --> {target}: {event.__name__}" in diagram


# -- purity, replay, errors that lose nothing ------------------------------------------


def test_applying_an_event_never_modifies_the_journey_passed_in() -> None:
    before = in_prework()
    snapshot = attrs.asdict(before, recurse=False)
    after = before.apply(RequestChange(on=day("2026-11-10"), to=FEBRUARY)).journey
    assert attrs.asdict(before, recurse=False) == snapshot
    assert before.session == JANUARY
    assert after.session == FEBRUARY


def test_replaying_the_history_gives_the_same_journey() -> None:
    journey = certified().then(activity("2027-02-01", "3"))
    assert Journey.replay(journey.history, policy=journey.policy) == journey


def test_a_refused_event_loses_nothing() -> None:
    journey = in_prework()
    with pytest.raises(TransitionError):
        journey.apply(AttemptExam(on=day("2027-01-25"), passed=True))
    assert journey == in_prework()


def test_events_must_arrive_in_date_order() -> None:
    journey = in_prework().then(CompleteModule(module=1, on=day("2026-11-20")))
    with pytest.raises(
        TimingError, match=r"2 days too early: events must arrive in date order"
    ) as caught:
        journey.apply(CompleteModule(module=2, on=day("2026-11-18")))
    assert caught.value.limit == day("2026-11-20")
    assert caught.value.side == "before"


# -- R1, R2: registration --------------------------------------------------------------


@given(
    name=st.text(max_size=30),
    years=st.one_of(st.none(), st.integers(min_value=0, max_value=60)),
    education=st.one_of(st.none(), st.text(max_size=20)),
    credentials=st.lists(st.text(max_size=10), max_size=3),
    organisation=st.sampled_from(OrganisationType),
    group=st.integers(min_value=1, max_value=40),
)
def test_no_applicant_profile_is_ever_refused_R1(  # noqa: PLR0917  # one argument per strategy
    name: str,
    years: int | None,
    education: str | None,
    credentials: list[str],
    organisation: OrganisationType,
    group: int,
) -> None:
    profile = Applicant(
        name=name,
        years_in_training_role=years,
        education=education,
        prior_credentials=tuple(credentials),
    )
    reg = Registration(
        email="x@example.org",
        registered_at=REGISTERED_AT,
        session=JANUARY,
        organisation=organisation,
        group_size=group,
        applicant=profile,
    )
    outcome = Journey.new().apply(Register(registration=reg))
    assert outcome.journey.state is State.REGISTERED
    assert outcome.decisions[0].rule_id == "R1"
    assert outcome.decisions[0].verdict == "accepted"


def test_a_practicum_that_has_started_on_the_registration_date_is_refused_R2() -> None:
    with pytest.raises(
        RuleViolationError, match=r"has already started on the registration date 2027-01-11 \(R2\)"
    ):
        registered(at=dt.datetime(2027, 1, 11, 8, 0, tzinfo=NY))
    late_evening_utc = dt.datetime(2027, 1, 11, 3, 0, tzinfo=dt.UTC)  # 2027-01-10 22:00 in NY
    assert registered(at=late_evening_utc).state is State.REGISTERED


def test_a_session_whose_last_day_precedes_its_first_is_refused_R2() -> None:
    with pytest.raises(
        InvalidInputError,
        match=r"^last_day=datetime.date\(2027, 1, 10\) .* on or after first_day=2027-01-11 \(R2\)",
    ):
        Session(first_day=day("2027-01-11"), last_day=day("2027-01-10"))


def test_a_registration_needs_an_email_an_instant_and_a_session_R2() -> None:
    with pytest.raises(InvalidInputError, match=r"^email='ana' "):
        Registration(email="ana", registered_at=REGISTERED_AT, session=JANUARY)
    with pytest.raises(InvalidInputError, match=r"^registered_at=.*an aware datetime"):
        Registration(email="a@b.org", registered_at=dt.datetime(2026, 11, 2, 9), session=JANUARY)
    with pytest.raises(InvalidInputError, match=r"^session=None .*a Session \(R2\)"):
        Registration(email="a@b.org", registered_at=REGISTERED_AT, session=None)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"^organisation='charity' .*'non-profit'"):
        Registration(
            email="a@b.org", registered_at=REGISTERED_AT, session=JANUARY, organisation="charity"
        )
    with pytest.raises(InvalidInputError, match=r"^group_size=0 "):
        Registration(email="a@b.org", registered_at=REGISTERED_AT, session=JANUARY, group_size=0)


# -- R3, R6: lead time -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("registered_on", "severity"),
    [
        ("2026-11-30", None),  # 42 days before 2027-01-11
        ("2026-12-01", Severity.WARNING),  # 41 days
        ("2026-12-14", Severity.WARNING),  # 28 days
        ("2026-12-15", Severity.STRONG_WARNING),  # 27 days
    ],
)
def test_lead_time_advisories_at_28_and_42_days_R3_R6(
    registered_on: str, severity: Severity | None
) -> None:
    at = dt.datetime.combine(day(registered_on), dt.time(9), tzinfo=NY)
    outcome = Journey.new().apply(Register(registration=registration(at=at)))
    if severity is None:
        assert outcome.advisories == ()
    else:
        (advisory,) = outcome.advisories
        assert advisory.rule_ids == ("R3", "R6")
        assert advisory.severity is severity
    assert outcome.journey.state is State.REGISTERED  # advisories never block


def test_the_legacy_policy_recommends_four_weeks_of_prework_R6() -> None:
    at = dt.datetime(2026, 12, 1, 9, tzinfo=NY)  # 41 days before the practicum
    outcome = Journey.new(policy=LEGACY).apply(Register(registration=registration(at=at)))
    assert outcome.advisories == ()
    prework = {k.kind: k for k in registered(policy=LEGACY).key_dates()}[KeyDateKind.PREWORK_START]
    assert prework.when == day("2026-12-14")
    assert prework.rule_id == "R6"


# -- R4: eLearning access --------------------------------------------------------------


def test_access_is_due_two_elapsed_hours_after_registering_R4() -> None:
    outcome = Journey.new().apply(Register(registration=registration()))
    (effect,) = outcome.effects
    assert effect.kind is EffectKind.SEND_ACCESS
    assert effect.rule_id == "R4"
    assert "ana@example.org" in effect.detail
    assert effect.due == dt.datetime(2026, 11, 2, 11, 30, tzinfo=NY)


def test_access_due_across_the_march_and_november_dst_changes_R4() -> None:
    march = dt.datetime(2027, 3, 14, 1, 30, tzinfo=NY)
    assert access_due(CURRENT, march).isoformat() == "2027-03-14T04:30:00-04:00"
    november = dt.datetime(2027, 11, 7, 1, 30, tzinfo=NY)  # the first 01:30, EDT
    assert access_due(CURRENT, november).isoformat() == "2027-11-07T02:30:00-05:00"


def test_the_two_policy_versions_give_different_access_due_times_R4() -> None:
    friday_evening = dt.datetime(2026, 11, 20, 17, 0, tzinfo=NY)
    assert access_due(CURRENT, friday_evening).isoformat() == "2026-11-20T19:00:00-05:00"
    # two business days after Friday 2026-11-20: Monday 23rd, Tuesday 24th
    assert access_due(LEGACY, friday_evening).isoformat() == "2026-11-24T23:59:59-05:00"


def test_late_access_is_recorded_as_a_breach_not_refused_R4() -> None:
    journey = registered()
    late = journey.apply(GrantAccess(at=dt.datetime(2026, 11, 2, 12, 0, tzinfo=NY)))
    (decision,) = late.decisions
    assert (decision.rule_id, decision.verdict) == ("R4", "breach")
    assert "0:30:00 after the due time 2026-11-02T11:30:00-05:00" in decision.reason
    assert late.journey.state is State.IN_PREWORK
    on_time = journey.apply(GrantAccess(at=dt.datetime(2026, 11, 2, 11, 30, tzinfo=NY)))
    assert on_time.decisions[0].verdict == "on_time"


def test_access_cannot_be_granted_before_registration_R4() -> None:
    with pytest.raises(
        RuleViolationError,
        match=r"would precede the registration at "
        r"2026-11-02T09:30:00-05:00 \(R4\)",
    ):
        registered().apply(GrantAccess(at=REGISTERED_AT - dt.timedelta(hours=1)))


# -- R5, R7, R8: prework ---------------------------------------------------------------


def test_ten_modules_exist_and_each_completes_once_R5() -> None:
    journey = in_prework()
    for module in range(1, 11):
        journey = journey.then(CompleteModule(module=module, on=day("2026-11-20")))
    assert journey.modules_completed == frozenset(range(1, 11))
    with pytest.raises(RuleViolationError, match=r"module 11 does not exist.*1 to 10 \(R5\)"):
        journey.apply(CompleteModule(module=11, on=day("2026-11-21")))
    with pytest.raises(RuleViolationError, match=r"module 3 is already complete \(R5\)"):
        journey.apply(CompleteModule(module=3, on=day("2026-11-21")))
    assert (CURRENT.total_hours_min, CURRENT.total_hours_max) == (Decimal(20), Decimal(50))


def test_failed_assessments_never_block_the_credential_R7() -> None:
    journey = in_prework()
    for module in range(1, 11):
        journey = journey.then(
            CompleteModule(module=module, on=day("2026-11-20")),
            RecordAssessment(module=module, passed=False, on=day("2026-11-20")),
        )
    outcome = journey.apply(RecordAssessment(module=1, passed=False, on=day("2026-11-21")))
    assert outcome.decisions[0].rule_id == "R7"
    done = outcome.journey.then(
        RecordAttendance(attendance="full", on=day("2027-01-14")),
        AttemptExam(on=day("2027-01-20"), passed=True),
    )
    assert done.state is State.CERTIFIED
    assert not any(a.passed for a in done.assessments)


def test_unfinished_modules_raise_an_advisory_not_an_error_by_default_R8() -> None:
    outcome = in_prework().apply(RecordAttendance(attendance="full", on=day("2027-01-14")))
    (advisory,) = outcome.advisories
    assert advisory.rule_ids == ("R8",)
    assert advisory.message.startswith("10 of 10 prework modules unfinished at the practicum")
    exam = outcome.journey.apply(AttemptExam(on=day("2027-01-20"), passed=True))
    assert exam.journey.state is State.CERTIFIED
    assert exam.advisories[0].rule_ids == ("R8",)


def test_a_policy_flag_makes_module_completion_a_gate_for_the_exam_R8() -> None:
    strict = CURRENT.with_overrides({"prework.modules_required_for_exam": True})
    journey = attended(policy=strict)
    with pytest.raises(RuleViolationError, match=r"10 prework modules are unfinished .* \(R8\)"):
        journey.apply(AttemptExam(on=day("2027-01-20"), passed=True))


# -- R9, R10, R11, R11a: practicum changes ---------------------------------------------


def change(on: str, to: Session = FEBRUARY) -> RequestChange:
    return RequestChange(on=day(on), to=to)


def test_a_change_on_2026_11_19_from_the_2027_01_11_practicum_is_free_R9() -> None:
    outcome = registered().apply(change("2026-11-19"))
    (decision,) = outcome.decisions
    assert (decision.rule_id, decision.verdict, decision.fee) == ("R9", "free", None)
    assert ("free-change deadline", day("2026-11-20")) in decision.dates
    assert (
        "the 30th business day before the practicum's first day 2027-01-11 "
        "on the workalendar.usa.NorthCarolina calendar" in decision.reason
    )
    assert ("practicum.free_change_days", "30") in decision.figures
    assert outcome.effects == ()


def test_a_change_requested_on_the_deadline_is_free_R9() -> None:
    assert registered().apply(change("2026-11-20")).decisions[0].verdict == "free"


def test_a_change_to_a_later_session_the_day_after_the_deadline_costs_the_fee_R10() -> None:
    outcome = registered().apply(change("2026-11-21"))
    (decision,) = outcome.decisions
    assert (decision.rule_id, decision.verdict) == ("R10", "fee")
    assert decision.fee == Money.of("400")
    assert "1 day after the free-change deadline 2026-11-20" in decision.reason
    (charge,) = outcome.effects
    assert (charge.kind, charge.amount) == (EffectKind.CHARGE, Money.of("400"))


def test_a_weekend_request_after_a_friday_deadline_costs_the_fee_R10() -> None:
    assert day("2026-11-20").weekday() == 4  # the deadline is a Friday
    for weekend_day in ("2026-11-21", "2026-11-22"):
        assert registered().apply(change(weekend_day)).decisions[0].verdict == "fee"


def test_moving_earlier_after_the_deadline_stays_free_but_later_pays_R10() -> None:
    journey = registered(session=FEBRUARY)  # deadline 2026-12-21
    assert free_change_deadline(CURRENT, FEBRUARY.first_day) == day("2026-12-21")
    earlier = journey.apply(change("2026-12-22", to=JANUARY)).decisions[0]
    later = journey.apply(change("2026-12-22", to=MARCH)).decisions[0]
    assert (earlier.rule_id, earlier.verdict, earlier.fee) == ("R10", "free", None)
    assert (later.rule_id, later.verdict, later.fee) == ("R10", "fee", Money.of("400"))


def test_a_calendar_day_policy_counts_thirty_calendar_days_R10() -> None:
    calendar_days = CURRENT.with_overrides({"practicum.free_change_day_count": "calendar"})
    assert free_change_deadline(calendar_days, day("2027-01-11")) == day("2026-12-12")
    journey = registered(policy=calendar_days)
    assert journey.apply(change("2026-12-12")).decisions[0].verdict == "free"
    assert journey.apply(change("2026-12-13")).decisions[0].verdict == "fee"


def test_a_change_must_name_a_different_later_session_before_the_current_starts_R11() -> None:
    journey = registered()
    with pytest.raises(RuleViolationError, match=r"is the one already held \(R11\)"):
        journey.apply(change("2026-11-10", to=JANUARY))
    with pytest.raises(
        RuleViolationError, match=r"does not start after the request date .*\(R11\)"
    ):
        journey.apply(change("2026-12-08", to=DECEMBER))
    with pytest.raises(TimingError, match=r"1 day too late: .*2027-01-10 \(R11\)") as caught:
        journey.apply(change("2027-01-11"))
    assert (caught.value.limit, caught.value.days) == (day("2027-01-10"), 1)


def test_each_change_is_judged_against_the_session_held_at_that_moment_R11() -> None:
    journey = registered().then(change("2026-11-10"))  # now holds February
    second = journey.apply(change("2026-12-01", to=MARCH)).decisions[0]
    # 2026-12-01 is past January's deadline but before February's (2026-12-21).
    assert (second.rule_id, second.verdict) == ("R9", "free")


def test_the_third_change_after_two_free_ones_pays_the_fee_R11a() -> None:
    april = Session(first_day=day("2027-04-12"), last_day=day("2027-04-15"))
    journey = registered().then(change("2026-11-05"), change("2026-11-06", to=MARCH))
    third = journey.apply(change("2026-11-09", to=april))
    (decision,) = third.decisions
    assert (decision.rule_id, decision.verdict, decision.fee) == ("R11a", "fee", Money.of("400"))
    assert "this is change 3; the 2 free changes were already used" in decision.reason
    assert third.journey.changes_made == 3
    assert third.journey.free_changes_used == 2


def test_a_change_that_paid_the_fee_uses_no_free_change_R11a() -> None:
    april = Session(first_day=day("2027-04-12"), last_day=day("2027-04-15"))
    may = Session(first_day=day("2027-05-10"), last_day=day("2027-05-13"))
    paid = registered().apply(change("2026-11-21"))  # after the 2026-11-20 deadline
    assert (paid.decisions[0].rule_id, paid.decisions[0].fee) == ("R10", Money.of("400"))
    assert "uses none of the 2 free changes (0 used so far)" in paid.decisions[0].alternatives[-1]
    assert paid.journey.free_changes_used == 0
    first_free = paid.journey.apply(change("2026-11-23", to=MARCH))
    assert first_free.decisions[0].alternatives[-1] == "R11a: change 1 of 2 free changes"
    second_free = first_free.journey.apply(change("2026-11-24", to=april))
    (decision,) = second_free.decisions
    assert (decision.rule_id, decision.verdict, decision.fee) == ("R9", "free", None)
    assert decision.alternatives[-1] == "R11a: change 2 of 2 free changes"
    assert second_free.effects == ()
    fourth = second_free.journey.apply(change("2026-11-25", to=may))
    assert (fourth.decisions[0].rule_id, fourth.decisions[0].fee) == ("R11a", Money.of("400"))
    assert fourth.journey.changes_made == 4
    assert fourth.journey.free_changes_used == 2


def test_a_substitution_uses_no_free_change_R11a() -> None:
    april = Session(first_day=day("2027-04-12"), last_day=day("2027-04-15"))
    journey = registered().then(
        Substitute(on=day("2026-11-04"), email="bo@example.org"),
        change("2026-11-05"),
        Substitute(on=day("2026-11-05"), email="cy@example.org"),
        change("2026-11-06", to=MARCH),
    )
    assert journey.free_changes_used == 2
    third = journey.apply(change("2026-11-09", to=april))
    assert third.decisions[0].rule_id == "R11a"


def test_without_a_limit_on_free_changes_the_third_early_change_is_free_R11a() -> None:
    unlimited = CURRENT.with_overrides({"practicum.free_changes": "unlimited"})
    april = Session(first_day=day("2027-04-12"), last_day=day("2027-04-15"))
    journey = registered(policy=unlimited).then(
        change("2026-11-05"), change("2026-11-06", to=MARCH)
    )
    third = journey.apply(change("2026-11-09", to=april)).decisions[0]
    assert third.verdict == "free"
    assert third.alternatives[1] == "R11a: change 3 of unlimited free changes"


def test_a_late_change_raises_the_lead_time_advisory_for_the_new_session_R6() -> None:
    outcome = registered().apply(change("2027-01-04", to=FEBRUARY))  # 35 days before Feb 8
    assert outcome.advisories[0].rule_ids == ("R3", "R6")


# -- R12, R26: attendance --------------------------------------------------------------


def test_partial_attendance_advises_and_does_not_block_the_exam_R12() -> None:
    outcome = in_prework().apply(RecordAttendance(attendance="partial", on=day("2027-01-14")))
    assert outcome.advisories[0].rule_ids == ("R12",)
    assert "tell the instructor beforehand, or reschedule" in outcome.advisories[0].message
    assert (
        outcome.journey.then(AttemptExam(on=day("2027-01-14"), passed=True)).state
        is State.CERTIFIED
    )


def test_attendance_cannot_be_recorded_before_the_practicum_starts_R12() -> None:
    with pytest.raises(TimingError, match=r"1 day too early: .* 2027-01-11 \(R12\)"):
        in_prework().apply(RecordAttendance(attendance="full", on=day("2027-01-10")))


def test_a_no_show_without_notice_forfeits_the_course_price_R26() -> None:
    outcome = in_prework().apply(
        RecordAttendance(attendance=Attendance.ABSENT_WITHOUT_NOTICE, on=day("2027-01-11"))
    )
    (decision,) = outcome.decisions
    assert (decision.rule_id, decision.verdict) == ("R26", "forfeited")
    assert decision.fee == UnknownAmount(item="program_price")
    assert outcome.journey.state is State.FORFEITED
    assert outcome.journey.allowed_events() == ("RecordActivity",)  # kept, counted nowhere


def test_absence_with_notice_is_a_cancellation_with_tuition_credit_R25() -> None:
    outcome = in_prework().apply(
        RecordAttendance(attendance="absent_with_notice", on=day("2027-01-11"))
    )
    assert [d.rule_id for d in outcome.decisions] == ["R24", "R25"]
    assert outcome.journey.state is State.CANCELLED
    assert outcome.journey.credit_until == day("2028-01-11")


# -- R13, R14, R15, R16: the exam ------------------------------------------------------


def test_the_exam_opens_on_the_practicums_last_day_R13() -> None:
    journey = in_prework().then(RecordAttendance(attendance="full", on=day("2027-01-11")))
    assert journey.exam_opens == day("2027-01-14")
    assert (
        journey.apply(AttemptExam(on=day("2027-01-14"), passed=True)).journey.state
        is State.CERTIFIED
    )
    with pytest.raises(
        TimingError, match=r"1 day too early: the exam opens on 2027-01-14 \(R13\)"
    ) as caught:
        journey.apply(AttemptExam(on=day("2027-01-13"), passed=True))
    assert (caught.value.limit, caught.value.days, caught.value.side) == (
        day("2027-01-14"),
        1,
        "before",
    )


def test_the_exam_window_closes_six_months_after_release_R14() -> None:
    journey = attended()
    assert journey.exam_closes == day("2027-07-14")
    last = journey.apply(AttemptExam(on=day("2027-07-14"), passed=True))
    assert last.decisions[0].verdict == "in_window"
    with pytest.raises(
        TimingError, match=r"3 days too late: the last day to take the exam was 2027-07-14 \(R14\)"
    ) as caught:
        journey.apply(AttemptExam(on=day("2027-07-17"), passed=True))
    assert (caught.value.days, caught.value.side) == (3, "after")


def test_an_august_31_release_closes_on_leap_day_R14() -> None:
    august = Session(first_day=day("2027-08-30"), last_day=day("2027-08-31"))
    journey = in_prework(session=august).then(
        RecordAttendance(attendance="full", on=day("2027-08-31"))
    )
    assert journey.exam_closes == day("2028-02-29")


def test_the_exam_window_closing_unused_is_reported_as_of_a_date_R14() -> None:
    journey = attended()
    assert journey.status_on(day("2027-07-14")).state is State.ATTENDED
    expired = journey.status_on(day("2027-07-15"))
    assert (expired.state, expired.since, expired.rule_id) == (
        State.EXAM_EXPIRED,
        day("2027-07-15"),
        "R14",
    )


def test_retakes_are_unlimited_by_default_and_a_policy_may_cap_them_R15() -> None:
    fail = AttemptExam(on=day("2027-01-20"), passed=False)
    journey = attended().then(*([fail] * 5))
    assert (
        journey.apply(AttemptExam(on=day("2027-01-21"), passed=True)).journey.state
        is State.CERTIFIED
    )
    capped = attended(policy=CURRENT.with_overrides({"exam.max_exam_attempts": 2})).then(fail, fail)
    with pytest.raises(RuleViolationError, match=r"all 2 allowed attempts have been used \(R15\)"):
        capped.apply(AttemptExam(on=day("2027-01-21"), passed=True))


def test_passing_certifies_on_the_attempt_date_with_packet_badge_and_alumni_R16() -> None:
    outcome = attended().apply(AttemptExam(on=day("2027-01-20"), passed=True))
    assert outcome.journey.certification_date == day("2027-01-20")
    assert [e.kind for e in outcome.effects] == [
        EffectKind.ISSUE_CERTIFICATE_PACKET,
        EffectKind.ISSUE_DIGITAL_BADGE,
        EffectKind.GRANT_ALUMNI_ACCESS,
    ]
    assert {e.rule_id for e in outcome.effects} == {"R16"}
    assert outcome.rule_ids == ("R14", "R16", "R17", "R8")  # R8: modules unfinished


# -- R17 to R20: periods and renewal ---------------------------------------------------


def test_the_first_period_is_two_years_half_open_from_certification_R17() -> None:
    journey = certified()
    (period,) = journey.periods
    assert (period.start, period.end) == (day("2027-01-20"), day("2029-01-20"))
    assert period.contains(day("2029-01-19"))
    assert not period.contains(day("2029-01-20"))


def test_a_leap_day_certification_period_ends_on_february_28_R17() -> None:
    leap = Session(first_day=day("2028-02-28"), last_day=day("2028-02-29"))
    journey = in_prework(session=leap).then(
        RecordAttendance(attendance="full", on=day("2028-02-29")),
        AttemptExam(on=day("2028-02-29"), passed=True),
    )
    assert journey.periods[0].end == day("2030-02-28")


def test_renewal_needs_24_qualifying_hours_and_the_fee_inside_the_period_R18() -> None:
    journey = certified().then(activity("2027-06-01", "23.75"), PayRenewalFee(on=day("2027-07-01")))
    assert len(journey.periods) == 1
    outcome = journey.apply(activity("2027-08-01", "0.25"))
    assert [d.rule_id for d in outcome.decisions] == ["R19", "R20"]
    assert len(outcome.journey.periods) == 2


def test_an_activity_that_renews_holds_its_event_once_and_moves_no_clock_R20() -> None:
    paid = certified().then(activity("2027-06-01", "23.75"), PayRenewalFee(on=day("2027-07-01")))
    last = activity("2027-03-01", "0.25")  # dated before the fee: activities come in any order
    renewed = paid.apply(last).journey
    assert len(renewed.periods) == 2
    assert renewed.history == (*paid.history, last)
    assert renewed.last_event_day == paid.last_event_day == day("2027-07-01")
    assert Journey.replay(renewed.history, policy=renewed.policy) == renewed


def test_an_activity_that_changes_nothing_else_holds_its_event_once_R19() -> None:
    before = certified()
    record = activity("2027-06-01", "3")
    outcome = before.apply(record)
    assert [d.rule_id for d in outcome.decisions] == ["R19"]
    assert outcome.journey.history == (*before.history, record)
    assert outcome.journey.activities == (record.activity,)
    assert outcome.journey.last_event_day == before.last_event_day
    assert before.activities == ()  # the journey applied to is never changed
    assert Journey.replay(outcome.journey.history, policy=before.policy) == outcome.journey


def test_non_qualifying_and_duplicate_activities_do_not_count_R19() -> None:
    journey = certified().then(
        activity("2027-06-01", "20", category="not-industry-relevant"),
        activity("2027-06-02", "12", id="conf-1"),
        activity("2027-06-02", "12", id="conf-1"),
        PayRenewalFee(on=day("2027-07-01")),
    )
    ledger = journey.ledger(as_of=day("2027-07-01"))
    assert ledger.hours == Decimal(12)
    assert not ledger.eligible
    assert len(journey.periods) == 1


def test_renewal_starts_the_next_period_on_the_previous_end_however_early_R20() -> None:
    journey = certified().then(activity("2027-02-01", "24"), PayRenewalFee(on=day("2027-02-02")))
    first, second = journey.periods
    assert second.start == first.end == day("2029-01-20")
    assert second.end == day("2031-01-20")
    assert journey.status_on(day("2030-06-01")).state is State.CERTIFIED


def test_a_period_that_ends_with_r18_unmet_lapses_on_its_end_date_R20() -> None:
    journey = certified().then(activity("2027-06-01", "30"))  # fee never paid
    assert journey.status_on(day("2029-01-19")).state is State.CERTIFIED
    lapsed = journey.status_on(day("2029-01-20"))
    assert (lapsed.state, lapsed.since, lapsed.rule_id) == (State.LAPSED, day("2029-01-20"), "R20")
    with pytest.raises(TimingError, match=r"the credential lapsed.*2029-01-19 \(R20\)"):
        journey.apply(PayRenewalFee(on=day("2029-01-20")))


# -- R24, R25, R27: cancellation, credit, substitution ---------------------------------


def test_cancelling_within_five_days_before_opening_the_elearning_refunds_less_100_R24() -> None:
    prices = attrs.evolve(_known_prices(), program_price=Money.of("2000"))
    outcome = in_prework(prices=prices).apply(Cancel(on=day("2026-11-07")))  # day 5
    (decision,) = outcome.decisions
    assert (decision.rule_id, decision.verdict) == ("R24", "refund")
    assert decision.refund == Money.of("1900")
    assert outcome.journey.credit_until is None
    assert outcome.effects[0].kind is EffectKind.REFUND


def test_cancelling_on_day_six_is_not_covered_and_opens_a_credit_R24_R25() -> None:
    outcome = in_prework().apply(Cancel(on=day("2026-11-08")))  # day 6
    not_covered, credit = outcome.decisions
    assert (not_covered.rule_id, not_covered.verdict, not_covered.refund) == (
        "R24",
        "not_covered",
        None,
    )
    assert "day 6 after registering is past the 5-day window" in not_covered.reason
    assert (credit.rule_id, credit.verdict) == ("R25", "credit")
    assert outcome.journey.credit_until == day("2027-11-08")


def test_cancelling_after_opening_the_elearning_is_not_covered_R24() -> None:
    journey = in_prework().then(OpenElearning(on=day("2026-11-03")))
    outcome = journey.apply(Cancel(on=day("2026-11-04")))
    assert outcome.decisions[0].verdict == "not_covered"
    assert "already opened on 2026-11-03" in outcome.decisions[0].reason


def test_an_early_refund_with_an_unknown_price_names_the_missing_figure_R24_R22() -> None:
    outcome = in_prework().apply(Cancel(on=day("2026-11-03")))
    assert outcome.decisions[0].refund == UnknownAmount(item="program_price")
    assert outcome.effects[0].amount is None


def test_the_tuition_credit_allows_one_re_enrollment_within_a_year_R25() -> None:
    journey = cancelled()  # cancelled 2026-11-20, credit until 2027-11-20
    back = journey.apply(
        ReEnroll(
            on=day("2027-11-19"),
            session=Session(first_day=day("2028-01-10"), last_day=day("2028-01-13")),
        )
    )
    assert back.journey.state is State.IN_PREWORK
    assert back.decisions[0].rule_id == "R25"
    with pytest.raises(
        TimingError, match=r"1 day too late: the tuition credit's last day was 2027-11-19 \(R25\)"
    ):
        journey.apply(
            ReEnroll(
                on=day("2027-11-20"),
                session=Session(first_day=day("2028-01-10"), last_day=day("2028-01-13")),
            )
        )
    assert journey.status_on(day("2027-11-20")).state is State.CREDIT_EXPIRED
    again = back.journey.then(Cancel(on=day("2027-12-01")))
    with pytest.raises(
        RuleViolationError, match=r"the 1 re-enrollment\(s\) allowed have been used \(R25\)"
    ):
        again.apply(
            ReEnroll(
                on=day("2027-12-02"),
                session=MARCH.__class__(first_day=day("2028-03-06"), last_day=day("2028-03-09")),
            )
        )


def test_a_credit_opened_on_leap_day_runs_to_february_28_R25() -> None:
    leap = Session(first_day=day("2028-04-10"), last_day=day("2028-04-13"))
    journey = registered(at=dt.datetime(2028, 2, 1, 9, tzinfo=NY), session=leap)
    assert journey.then(Cancel(on=day("2028-02-29"))).credit_until == day("2029-02-28")


def test_a_refunded_cancellation_leaves_no_credit_R25() -> None:
    journey = in_prework().then(Cancel(on=day("2026-11-03")))
    with pytest.raises(RuleViolationError, match=r"left no tuition credit \(R25\)"):
        journey.apply(ReEnroll(on=day("2026-11-10"), session=FEBRUARY))


def test_a_substitution_is_free_before_the_deadline_and_costs_the_fee_after_R27() -> None:
    free = registered().apply(Substitute(on=day("2026-11-20"), email="ben@example.org"))
    assert (free.decisions[0].rule_id, free.decisions[0].verdict) == ("R27", "free")
    assert free.journey.registration is not None
    assert free.journey.registration.email == "ben@example.org"
    paid = registered().apply(Substitute(on=day("2026-11-23"), email="ben@example.org"))
    assert (paid.decisions[0].verdict, paid.decisions[0].fee) == ("fee", Money.of("400"))
    with pytest.raises(TimingError, match=r"\(R27\)"):
        registered().apply(Substitute(on=day("2027-01-11"), email="ben@example.org"))


def test_cancelling_after_the_practicum_started_is_refused_R26() -> None:
    with pytest.raises(TimingError, match=r"record attendance instead.*\(R26\)"):
        in_prework().apply(Cancel(on=day("2027-01-11")))


# -- key dates and explanations --------------------------------------------------------


def test_key_dates_are_ordered_and_cite_their_rules() -> None:
    dates = certified().key_dates()
    assert [(k.kind, k.rule_id) for k in dates] == [
        (KeyDateKind.REGISTERED, "R2"),
        (KeyDateKind.ACCESS_DUE, "R4"),
        (KeyDateKind.FREE_CHANGE_DEADLINE, "R9"),
        (KeyDateKind.PREWORK_START, "R6"),
        (KeyDateKind.PRACTICUM_FIRST_DAY, "R2"),
        (KeyDateKind.PRACTICUM_LAST_DAY, "R2"),
        (KeyDateKind.EXAM_OPENS, "R13"),
        (KeyDateKind.CERTIFIED, "R16"),
        (KeyDateKind.EXAM_CLOSES, "R14"),
        (KeyDateKind.PERIOD_END, "R17"),
    ]
    whens = {k.kind: k.when for k in dates}
    assert whens[KeyDateKind.FREE_CHANGE_DEADLINE] == day("2026-11-20")
    assert whens[KeyDateKind.PREWORK_START] == day("2026-11-30")
    assert whens[KeyDateKind.EXAM_CLOSES] == day("2027-07-14")
    assert Journey.new().key_dates() == ()
    assert cancelled().key_dates()[-1].kind is KeyDateKind.CREDIT_EXPIRES


def test_every_outcome_explains_itself_with_rule_ids_policy_and_dates() -> None:
    text = registered().apply(change("2026-11-21")).explain()
    assert text.splitlines()[0] == "RequestChange -> registered"
    assert (
        "R10 fee: requested on 2026-11-21, 1 day after the free-change deadline 2026-11-20" in text
    )
    assert "  fee: 400.00 USD" in text
    assert "  free-change deadline: 2026-11-20" in text
    assert "  policy current: practicum.free_change_days = 30" in text
    assert "  not R9: the deadline was 2026-11-20" in text
    assert "charge (R10): charge the class change fee: 400.00 USD" in text
    advisory = (
        Journey.new()
        .apply(Register(registration=registration(at=dt.datetime(2026, 12, 20, 9, tzinfo=NY))))
        .explain()
    )
    assert "[R3, R6] strong_warning: only 22 days before the practicum" in advisory


def test_status_on_a_date_only_counts_events_dated_by_then() -> None:
    journey = certified()
    assert journey.status_on(day("2026-11-01")).state is State.NEW
    assert journey.status_on(day("2026-11-02")).state is State.IN_PREWORK
    assert journey.status_on(day("2027-01-14")).state is State.ATTENDED
    assert journey.status_on(day("2027-01-20")).state is State.CERTIFIED
    with pytest.raises(InvalidInputError, match=r"^day='2027-01-20'"):
        journey.status_on("2027-01-20")  # type: ignore[arg-type]


def test_errors_belong_to_one_hierarchy() -> None:
    assert issubclass(TimingError, TransitionError)
    assert issubclass(RuleViolationError, TransitionError)
    assert issubclass(TransitionError, CptmRulesError)
    assert issubclass(TransitionError, ValueError)


def test_the_ledger_needs_a_certified_journey() -> None:
    with pytest.raises(InvalidInputError, match=r"a certified journey"):
        in_prework().ledger(as_of=day("2027-01-01"))


def _known_prices() -> PriceSchedule:
    from cptm_rules.pricing import load_prices  # noqa: PLC0415

    return load_prices()


def test_sample_events_cover_every_event_type() -> None:
    assert set(SAMPLE_EVENT) == set(EVENT_TYPES)


# -- effective dates: the version in force on the registration date -----------------------


def test_a_registration_before_a_policy_takes_effect_is_judged_by_the_version_in_force_R9() -> None:
    board = CURRENT.with_overrides(
        {"effective_from": dt.date(2027, 7, 1), "practicum.free_change_days": 20}
    )
    board = attrs.evolve(board, name="board", extends="current")
    before = Journey.new(policy=board).apply(Register(registration=registration()))
    assert before.journey.policy == CURRENT
    (_, chosen) = before.decisions
    assert chosen.reason.endswith(
        "; judged by policy current: policy board is in force from 2027-07-01, "
        "after this registration"
    )
    assert before.journey.free_change_deadline == day("2026-11-20")  # 30 business days
    summer = Session(first_day=day("2027-09-13"), last_day=day("2027-09-16"))
    after = Journey.new(policy=board).apply(
        Register(
            registration=registration(at=dt.datetime(2027, 7, 1, 9, 0, tzinfo=NY), session=summer)
        )
    )
    assert after.journey.policy is board
    assert after.decisions[1].policy == "board, in force from 2027-07-01"
    assert "judged by" not in after.decisions[1].reason
    # 20 North Carolina business days before 2027-09-13, skipping Labor Day 2027-09-06
    assert after.journey.free_change_deadline == day("2027-08-13")


def test_a_practicum_session_longer_than_the_policy_allows_is_refused_R2_R11_R25() -> None:
    four_years = Session(first_day=day("2027-01-11"), last_day=day("2030-12-31"))
    with pytest.raises(
        RuleViolationError, match=r"runs 1451 days; a practicum runs at most 31"
    ) as e:
        Journey.new().apply(Register(registration=registration(session=four_years)))
    assert e.value.rule_id == "R2"
    with pytest.raises(RuleViolationError, match=r"practicum\.max_session_days") as e:
        registered().apply(RequestChange(on=day("2026-11-05"), to=four_years))
    assert e.value.rule_id == "R11"
    with pytest.raises(RuleViolationError, match=r"runs 1451 days") as e:
        cancelled().apply(ReEnroll(on=day("2026-11-25"), session=four_years))
    assert (e.value.rule_id, e.value.event) == ("R25", "ReEnroll(on=2026-11-25)")
    month = Session(first_day=day("2027-01-11"), last_day=day("2027-02-10"))  # 31 days
    assert Journey.new().apply(Register(registration=registration(session=month))).journey.session


# -- continuing education recorded in any order, on any date (R17, R19) ---------------------


def test_an_activity_dated_before_certification_is_recorded_and_shown_as_not_counted_R17() -> None:
    conference = activity("2027-01-15", "6", "conference", "conf-jan")
    before = attended().apply(conference)
    assert before.journey.state is State.ATTENDED
    assert before.decisions[0].verdict == "not_counted"
    assert "a certification period starts on the certification date (R17)" in (
        before.decisions[0].reason
    )
    journey = before.journey.then(AttemptExam(on=day("2027-01-20"), passed=True))
    ledger = journey.ledger(as_of=day("2027-06-01"))
    assert ledger.hours == 0
    assert [(a.id, why) for a, why in ledger.not_counted] == [
        ("conf-jan", "outside the period (R17)")
    ]
    # Recorded after certification with the earlier date: the same answer.
    late = certified().apply(conference).journey.ledger(as_of=day("2027-06-01"))
    assert late.not_counted == ledger.not_counted


def test_an_activity_after_the_credential_lapsed_is_recorded_not_counted_R20() -> None:
    outcome = certified().apply(activity("2029-02-01", "30", "conference", "too-late"))
    assert (outcome.decisions[0].rule_id, outcome.decisions[0].verdict) == ("R20", "not_counted")
    assert outcome.journey.periods == certified().periods
    with pytest.raises(TimingError, match="the credential lapsed"):
        certified().apply(PayRenewalFee(on=day("2029-02-01")))


def test_the_ledger_refuses_a_date_before_certification_and_a_date_of_the_wrong_type() -> None:
    journey = certified()
    with pytest.raises(InvalidInputError, match=r"as_of=datetime.date\(2027, 1, 19\) .*2027-01-20"):
        journey.ledger(as_of=day("2027-01-19"))
    with pytest.raises(InvalidInputError, match=r"as_of='2028-01-01' .*a datetime.date"):
        journey.ledger(as_of="2028-01-01")  # type: ignore[arg-type]
    assert journey.ledger(as_of=day("2027-01-20")).period.start == day("2027-01-20")


ACTIVITY_IDS = st.sampled_from(["a", "b", "c", "d"])
CATEGORIES = st.sampled_from(["webinar", "conference", "not-industry-relevant", "alumni-event"])


@given(
    records=st.lists(
        st.tuples(st.integers(-400, 900), st.integers(0, 40), ACTIVITY_IDS, CATEGORIES),
        max_size=30,
    ),
    branch_at=st.integers(0, 30),
)
def test_hours_kept_while_recording_equal_the_hours_recounted_from_scratch_R18_R19(
    records: list[tuple[int, int, str, str]], branch_at: int
) -> None:
    journey = certified()
    snapshots = [journey]
    for offset, quarters, ident, category in records:
        on = (day("2027-01-20") + dt.timedelta(days=offset)).isoformat()
        outcome = journey.apply(activity(on, str(Decimal(quarters) / 4), category, ident))
        journey = outcome.journey
        snapshots.append(journey)
    # A branch from an older snapshot must not see what later snapshots recorded.
    old = snapshots[min(branch_at, len(snapshots) - 1)]
    branched = old.apply(activity("2027-03-01", "5", "webinar", "branch")).journey
    for each in (*snapshots, branched):
        if not each.periods:
            continue
        period = each.periods[-1]
        recount = qualifying_hours(period, each.activities, each.policy)
        replayed = Journey.replay(each.history)
        assert replayed == each
        ledger = each.ledger(as_of=period.end - dt.timedelta(days=1))
        assert ledger.hours == recount


EVENT_KINDS = st.sampled_from(
    ["access", "open", "change", "attend", "exam", "cancel", "reenroll", "activity", "fee"]
)


def _generated_event(  # noqa: PLR0911  # one return per kind
    kind: str, today: dt.date, gap: int, *, flag: bool, offset: int
) -> Event:
    later = Session(first_day=today + dt.timedelta(days=30), last_day=today + dt.timedelta(days=33))
    if kind == "access":
        return GrantAccess(at=REGISTERED_AT + dt.timedelta(minutes=gap))
    if kind == "open":
        return OpenElearning(on=today)
    if kind == "change":
        return RequestChange(on=today, to=later)
    if kind == "attend":
        return RecordAttendance(attendance="full", on=today)
    if kind == "exam":
        return AttemptExam(on=today, passed=flag)
    if kind == "cancel":
        return Cancel(on=today)
    if kind == "reenroll":
        return ReEnroll(on=today, session=later)
    if kind == "activity":
        return activity((day("2026-11-02") + dt.timedelta(days=offset)).isoformat(), "4")
    return PayRenewalFee(on=today)


@given(
    steps=st.lists(
        st.tuples(EVENT_KINDS, st.integers(0, 120), st.booleans(), st.integers(-60, 900)),
        max_size=20,
    )
)
def test_status_on_answers_for_every_day_from_registration_whatever_was_recorded(
    steps: list[tuple[str, int, bool, int]],
) -> None:
    journey = registered()
    today = day("2026-11-02")
    for kind, gap, flag, activity_offset in steps:
        today += dt.timedelta(days=gap)
        event = _generated_event(kind, today, gap, flag=flag, offset=activity_offset)
        try:
            journey = journey.apply(event).journey
        except TransitionError:
            continue
    last = max(today, day("2026-11-02")) + dt.timedelta(days=1200)
    probe = day("2026-11-02")
    while probe <= last:
        status = journey.status_on(probe)
        assert status.as_of == probe
        probe += dt.timedelta(days=37)


def test_the_hot_path_builders_refuse_a_misspelt_or_missing_field() -> None:
    from cptm_rules.lifecycle import _replace  # noqa: PLC0415  # the private builder under test
    from cptm_rules.outcomes import prebuilt  # noqa: PLC0415

    build = prebuilt(Decision)
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'verdcit'"):
        build(rule_id="R9", verdcit="free", reason="x", policy="current")
    with pytest.raises(TypeError, match=r"missing 1 required keyword-only argument: 'verdict'"):
        build(rule_id="R9", reason="x", policy="current")
    built = build(rule_id="R9", verdict="free", reason="x", policy="current")
    assert built == Decision(rule_id="R9", verdict="free", reason="x", policy="current")
    with pytest.raises(TypeError, match=r"Journey has no field 'sesion'"):
        _replace(registered(), {"sesion": JANUARY})


def test_the_handlers_of_modules_and_activities_answer_handled_values_with_every_field() -> None:
    from cptm_rules import lifecycle  # noqa: PLC0415  # its private handler table

    journeys = (
        (in_prework(), CompleteModule(module=1, on=day("2026-11-03"))),
        (certified(), activity("2027-02-01", "6")),
        (in_prework(), activity("2026-11-03", "6")),
    )
    for journey, event in journeys:
        at = journey
        if isinstance(event, RecordActivity):
            at = lifecycle._holding_the_activity(journey, event)  # noqa: SLF001
        given = lifecycle._HANDLERS[type(event)](at, event, event.on)  # noqa: SLF001
        assert type(given) is Handled
        assert given._asdict().keys() == {"changes", "decisions", "advisories", "effects"}
        assert given == Handled(
            changes=given.changes, decisions=given.decisions, advisories=(), effects=()
        )
        assert len(given.decisions) == 1
        assert isinstance(given.decisions[0], Decision)


def test_a_handler_that_leaves_the_declared_table_is_caught_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cptm_rules import lifecycle  # noqa: PLC0415  # patching its private handler table

    cancel = lifecycle._HANDLERS[Cancel]  # noqa: SLF001

    def rogue(journey: Journey, event: Event, day: dt.date) -> Handled:
        changes, decisions, advisories, effects = cancel(journey, event, day)
        return Handled({**changes, "state": State.CERTIFIED}, decisions, advisories, effects)

    monkeypatch.setitem(lifecycle._HANDLERS, Cancel, rogue)  # noqa: SLF001
    with pytest.raises(AssertionError, match="Cancel led from registered to certified"):
        registered().apply(Cancel(on=day("2026-11-04")))


def test_the_diagram_shows_each_guard_with_its_rules() -> None:
    diagram = mermaid_diagram()
    assert "attended --> certified: AttemptExam [passed, inside the window] (R13, R14, R16)" in (
        diagram
    )
    assert "cancelled --> in_prework: ReEnroll [eLearning access already granted] (R25)" in diagram
    for state, table in MOVES.items():
        for event, moves in table.items():
            assert tuple(m.target for m in moves) == TRANSITIONS[state][event]


def _journey_and_event_for(
    state: State, event: type, target: State
) -> tuple[Journey, Event]:  # one case per declared move
    journeys: dict[State, Callable[[], Journey]] = {
        State.NEW: Journey.new,
        State.REGISTERED: registered,
        State.IN_PREWORK: in_prework,
        State.ATTENDED: attended,
        State.CERTIFIED: certified,
        State.FORFEITED: forfeited,
    }
    if state is State.CANCELLED:
        before = registered().then(Cancel(on=day("2026-11-20")))  # past the refund window
        journey = before if target is State.REGISTERED else cancelled()
        return journey, ReEnroll(on=day("2027-01-25"), session=MARCH) if event is ReEnroll else (
            activity("2027-01-25", "2")
        )
    journey = journeys[state]()
    if event is RecordAttendance:
        kind = {
            State.ATTENDED: "full",
            State.CANCELLED: "absent_with_notice",
            State.FORFEITED: "absent_without_notice",
        }[target]
        return journey, RecordAttendance(attendance=kind, on=day("2027-01-14"))
    if event is AttemptExam:
        return journey, AttemptExam(on=day("2027-01-25"), passed=target is State.CERTIFIED)
    return journey, SAMPLE_EVENT[event]


def test_every_declared_move_is_taken_by_an_event_that_leads_there() -> None:
    taken = set()
    for state, table in MOVES.items():
        for event, moves in table.items():
            for move in moves:
                journey, sample = _journey_and_event_for(state, event, move.target)
                assert journey.state is state
                assert journey.apply(sample).journey.state is move.target, (state, event, move)
                taken.add((state, event, move.target))
    declared = {(s, e, m.target) for s, t in MOVES.items() for e, ms in t.items() for m in ms}
    assert taken == declared


def test_the_precedence_of_the_change_fee_rules_is_declared_and_followed_R11a_R9_R10(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cptm_rules.rules import practicum_changes  # noqa: PLC0415  # reordering its precedence

    assert [rule_id for rule_id, _ in CHANGE_FEE_PRECEDENCE] == ["R11a", "R9", "R10"]
    april = Session(first_day=day("2027-04-12"), last_day=day("2027-04-15"))
    two_used = registered().then(change("2026-11-05"), change("2026-11-06", to=MARCH))
    assert two_used.apply(change("2026-11-09", to=april)).decisions[0].rule_id == "R11a"
    deadline_first = (CHANGE_FEE_PRECEDENCE[1], CHANGE_FEE_PRECEDENCE[0], CHANGE_FEE_PRECEDENCE[2])
    monkeypatch.setattr(practicum_changes, "CHANGE_FEE_PRECEDENCE", deadline_first)
    assert two_used.apply(change("2026-11-09", to=april)).decisions[0].rule_id == "R9"


# -- judge_change and substitution, answer by answer -------------------------------------


def _judge(**changes: object) -> Outcome:
    values: dict[str, object] = {
        "policy": CURRENT,
        "prices": load_prices(),
        "held": JANUARY,
        "to": FEBRUARY,
        "requested": day("2026-11-19"),
    }
    values.update(changes)
    return judge_change(**values)  # type: ignore[arg-type]


def test_judge_change_counts_no_free_change_used_by_default_R9_R11a() -> None:
    (decision,) = _judge().decisions
    assert (decision.rule_id, decision.verdict) == ("R9", "free")
    assert decision.alternatives[-1] == "R11a: change 1 of 2 free changes"
    assert decision.policy == "current"
    assert _judge(free_changes_used=2).decisions[0].rule_id == "R11a"
    assert _judge(free_changes_used=1000).decisions[0].rule_id == "R11a"


@pytest.mark.parametrize("used", [-1, 1001, True, "1", 1.0])
def test_judge_change_refuses_a_count_that_is_not_a_whole_number_in_range_R11a(
    used: object,
) -> None:
    with pytest.raises(
        InvalidInputError, match=r"^free_changes_used=.* expected a whole number from 0 to 1000$"
    ):
        _judge(free_changes_used=used)


def test_judge_change_checks_the_session_held_R11() -> None:
    with pytest.raises(InvalidInputError, match=r"^held='2027-01-11\.\.2027-01-14' .*a Session$"):
        _judge(held="2027-01-11..2027-01-14")
    old = Session(first_day=day("2019-01-07"), last_day=day("2019-01-10"))
    with pytest.raises(CalendarRangeError, match=r"^held\.first_day=2019-01-07 is outside"):
        _judge(held=old, requested=day("2020-01-02"))
    late = Session(first_day=day("2040-12-31"), last_day=day("2041-01-03"))
    with pytest.raises(CalendarRangeError, match=r"^held\.last_day=2041-01-03 is outside"):
        _judge(held=late, requested=day("2040-06-01"))


def test_judge_change_uses_the_policy_and_prices_it_is_given_R9_R10() -> None:
    dearer = PriceSchedule.from_toml('extends = "shipped"\nclass_change_fee = "450"\n')
    late = _judge(requested=day("2026-11-23"), prices=dearer)
    assert late.decisions[0].fee == Money.of("450")
    calendar = CURRENT.with_overrides({"practicum.free_change_day_count": "calendar"})
    assert _judge(requested=day("2026-11-23"), policy=calendar).decisions[0].verdict == "free"


def test_judge_change_keeps_the_timing_of_a_refusal_and_names_no_state_R11() -> None:
    with pytest.raises(TimingError) as caught:
        _judge(requested=day("2027-01-12"))
    error = caught.value
    assert (error.rule_id, error.limit, error.days, error.side) == (
        "R11",
        day("2027-01-10"),
        2,
        "after",
    )
    assert error.state == ""
    assert error.allowed == ()
    assert str(error) == (
        "cannot apply RequestChange(on=2027-01-12): 2 days too late: the practicum held "
        "has started; the last day to ask was 2027-01-10 (R11)"
    )


def test_a_substitution_sends_access_to_the_substitute_and_charges_inside_the_window_R27() -> None:
    bo = Applicant(name="Bo")
    free = registered().apply(
        Substitute(on=day("2026-11-20"), email="bo@example.org", applicant=bo)
    )
    (decision,) = free.decisions
    assert decision.fee is None
    assert dict(decision.dates) == {
        "requested": day("2026-11-20"),
        "free-change deadline": day("2026-11-20"),
    }
    assert [e.kind for e in free.effects] == [EffectKind.SEND_ACCESS]
    assert free.effects[0].detail == "send eLearning access to the substitute bo@example.org"
    assert free.effects[0].rule_id == "R27"
    assert free.journey.registration is not None
    assert free.journey.registration.applicant == bo
    assert free.journey.free_changes_used == 0  # a substitution is not a change (R11a)
    paid = registered().apply(Substitute(on=day("2026-11-23"), email="bo@example.org"))
    assert [e.kind for e in paid.effects] == [EffectKind.CHARGE, EffectKind.SEND_ACCESS]
    assert paid.effects[0].amount == Money.of("400")
    assert "inside the change-fee window that began after 2026-11-20 (R10)" in (
        paid.decisions[0].reason
    )
    with pytest.raises(TimingError) as caught:
        registered().apply(Substitute(on=day("2027-01-11"), email="bo@example.org"))
    assert (caught.value.limit, caught.value.days) == (day("2027-01-10"), 1)


# -- re-enrollment, assessments and the ledger, answer by answer ---------------------------

APRIL = Session(first_day=day("2027-04-12"), last_day=day("2027-04-15"))


def test_a_re_enrollment_uses_the_credit_once_and_keeps_access_R25() -> None:
    journey = cancelled()  # from prework, on 2026-11-20: credit until 2027-11-20
    assert journey.credit_until == day("2027-11-20")
    outcome = journey.apply(ReEnroll(on=day("2027-02-01"), session=APRIL))
    (decision,) = outcome.decisions
    assert (decision.rule_id, decision.verdict) == ("R25", "re_enrolled")
    assert dict(decision.dates) == {
        "re-enrolled": day("2027-02-01"),
        "credit valid until": day("2027-11-20"),
    }
    assert decision.reason == (
        "the tuition credit (valid until 2027-11-20) is used for the practicum "
        "2027-04-12..2027-04-15"
    )
    after = outcome.journey
    assert after.state is State.IN_PREWORK  # access was granted before the cancellation
    assert (after.session, after.credit_until, after.re_enrollments_used) == (APRIL, None, 1)
    assert after.attendance is None
    unregistered = registered().then(Cancel(on=day("2026-11-20")))
    assert unregistered.apply(ReEnroll(on=day("2027-02-01"), session=APRIL)).journey.state is (
        State.REGISTERED
    )


def test_a_re_enrollment_is_refused_after_the_credit_year_and_once_used_R25() -> None:
    journey = cancelled()
    with pytest.raises(TimingError) as caught:
        journey.apply(ReEnroll(on=day("2027-11-20"), session=APRIL))
    assert (caught.value.rule_id, caught.value.limit, caught.value.days) == (
        "R25",
        day("2027-11-19"),
        1,
    )
    assert (
        journey.apply(
            ReEnroll(
                on=day("2027-11-19"),
                session=Session(first_day=day("2027-12-06"), last_day=day("2027-12-09")),
            )
        ).journey.re_enrollments_used
        == 1
    )
    with pytest.raises(RuleViolationError, match=r"does not start after 2027-02-01 \(R2\)"):
        journey.apply(
            ReEnroll(
                on=day("2027-02-01"),
                session=Session(first_day=day("2027-02-01"), last_day=day("2027-02-04")),
            )
        )
    again = journey.then(
        ReEnroll(on=day("2027-02-01"), session=APRIL), Cancel(on=day("2027-03-01"))
    )
    with pytest.raises(
        RuleViolationError, match=r"the 1 re-enrollment\(s\) allowed have been used"
    ):
        again.apply(ReEnroll(on=day("2027-03-02"), session=JUNE))


JUNE = Session(first_day=day("2027-06-07"), last_day=day("2027-06-10"))


def test_an_assessment_is_recorded_with_its_result_and_never_blocks_R7() -> None:
    failed = in_prework().apply(RecordAssessment(module=3, passed=False, on=day("2026-12-01")))
    (decision,) = failed.decisions
    assert (decision.rule_id, decision.verdict) == ("R7", "assessment_failed")
    assert decision.reason == (
        "the assessment of module 3 was failed on 2026-12-01; assessments are recorded and "
        "never block a later step"
    )
    assert failed.journey.assessments[-1].module == 3
    assert failed.journey.assessments[-1].passed is False
    passed = failed.journey.apply(RecordAssessment(module=3, passed=True, on=day("2026-12-02")))
    assert passed.decisions[0].verdict == "assessment_passed"
    assert [a.passed for a in passed.journey.assessments] == [False, True]
    with pytest.raises(RuleViolationError, match=r"module 11 does not exist.*\(R5\)"):
        in_prework().apply(RecordAssessment(module=11, passed=True, on=day("2026-12-01")))


def test_the_ledger_picks_the_period_holding_the_day_and_counts_inside_it_R17_R18() -> None:
    journey = certified().then(activity("2027-02-01", "24"), PayRenewalFee(on=day("2027-03-01")))
    assert len(journey.periods) == 2  # renewed early: the next period starts on 2029-01-20
    first = journey.ledger(as_of=day("2029-01-19"))
    assert (first.period.start, first.hours, first.eligible) == (
        day("2027-01-20"),
        Decimal(24),
        True,
    )
    second = journey.ledger(as_of=day("2029-01-20"))
    assert (second.period.start, second.hours, second.eligible) == (
        day("2029-01-20"),
        Decimal(0),
        False,
    )
    chosen = journey.ledger(as_of=day("2030-01-01"), period=journey.periods[0])
    assert chosen.period == journey.periods[0]
    assert chosen.as_of == day("2030-01-01")
    beyond = journey.ledger(as_of=day("2035-01-01"))
    assert beyond.period == journey.periods[-1]
    with pytest.raises(InvalidInputError, match=r"^period='x' .*a Period of this journey"):
        journey.ledger(as_of=day("2028-01-01"), period="x")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"^journey='registered' .*a certified journey"):
        registered().ledger(as_of=day("2028-01-01"))


# -- where a journey stands, word for word --------------------------------------------


def refunded() -> Journey:
    return in_prework().then(Cancel(on=day("2026-11-04")))  # R24: within five days


STATUSES: list[tuple[Callable[[], Journey], str, Status]] = [
    (
        attended,
        "2027-07-14",
        Status(
            state=State.ATTENDED,
            as_of=day("2027-07-14"),
            rule_id="R14",
            reason="the exam can be taken until 2027-07-14",
        ),
    ),
    (
        attended,
        "2027-07-15",
        Status(
            state=State.EXAM_EXPIRED,
            as_of=day("2027-07-15"),
            rule_id="R14",
            since=day("2027-07-15"),
            reason="the exam window closed on 2027-07-14 without a pass",
        ),
    ),
    (
        certified,
        "2029-01-19",
        Status(
            state=State.CERTIFIED,
            as_of=day("2029-01-19"),
            rule_id="R17",
            reason="certified; current period ends 2029-01-20",
        ),
    ),
    (
        certified,
        "2029-01-20",
        Status(
            state=State.LAPSED,
            as_of=day("2029-01-20"),
            rule_id="R20",
            since=day("2029-01-20"),
            reason="the period 2027-01-20..2029-01-20 ended with R18 unmet; no grace period "
            "is stated",
        ),
    ),
    (
        cancelled,
        "2027-11-19",
        Status(
            state=State.CANCELLED,
            as_of=day("2027-11-19"),
            rule_id="R25",
            reason="a tuition credit is open until 2027-11-20",
        ),
    ),
    (
        cancelled,
        "2027-11-20",
        Status(
            state=State.CREDIT_EXPIRED,
            as_of=day("2027-11-20"),
            rule_id="R25",
            since=day("2027-11-20"),
            reason="the tuition credit expired on 2027-11-20",
        ),
    ),
    (
        refunded,
        "2030-01-01",
        Status(state=State.CANCELLED, as_of=day("2030-01-01"), reason="the journey is cancelled"),
    ),
    (
        forfeited,
        "2027-02-01",
        Status(state=State.FORFEITED, as_of=day("2027-02-01"), reason="the journey is forfeited"),
    ),
    (
        registered,
        "2026-12-01",
        Status(state=State.REGISTERED, as_of=day("2026-12-01"), reason="the journey is registered"),
    ),
]


@pytest.mark.parametrize(("journey", "on", "expected"), STATUSES)
def test_status_on_says_the_state_its_rule_since_when_and_why_R14_R17_R20_R25(
    journey: Callable[[], Journey], on: str, expected: Status
) -> None:
    assert journey().status_on(day(on)) == expected


def test_the_state_diagram_in_the_docs_is_the_transition_table() -> None:
    # The diagram draws every move with its guard and rules: a change to the table
    # shows here first (the generated-docs test reads the sources too).
    page = Path(__file__).resolve().parents[1] / "docs" / "state-machine.md"
    diagram = mermaid_diagram()
    assert diagram in page.read_text(encoding="utf-8")
    assert (
        "in_prework --> attended: RecordAttendance [attended in full or in part] (R12)" in diagram
    )


@pytest.mark.parametrize(
    ("kind", "state", "cancelled_on", "credit_until"),
    [
        ("absent_without_notice", State.FORFEITED, None, None),
        ("absent_with_notice", State.CANCELLED, day("2027-01-14"), day("2028-01-14")),
        ("full", State.ATTENDED, None, None),
        ("partial", State.ATTENDED, None, None),
    ],
)
def test_attendance_keeps_its_kind_its_day_and_any_cancellation_R12_R24_R25_R26(
    kind: str, state: State, cancelled_on: dt.date | None, credit_until: dt.date | None
) -> None:
    event = RecordAttendance(attendance=kind, on=day("2027-01-14"))
    outcome = in_prework().apply(event)
    journey = outcome.journey
    assert outcome.event is event
    assert (journey.state, str(journey.attendance)) == (state, kind)
    assert journey.last_event_day == day("2027-01-14")
    assert (journey.cancelled_on, journey.credit_until) == (cancelled_on, credit_until)


def test_events_are_judged_on_the_policy_calendar_years_inclusive() -> None:
    early = Session(first_day=day("2020-04-06"), last_day=day("2020-04-09"))
    first_year = Journey.new().then(
        Register(registration=registration(at=dt.datetime(2020, 3, 2, 9, tzinfo=NY), session=early))
    )
    assert first_year.state is State.REGISTERED
    last_day = in_prework().apply(OpenElearning(on=day("2040-12-31")))
    assert last_day.journey.elearning_opened_on == day("2040-12-31")
    with pytest.raises(CalendarRangeError) as caught:
        in_prework().apply(OpenElearning(on=day("2041-01-02")))
    assert caught.value.field == "event date"
    assert str(caught.value).startswith(
        "event date=2041-01-02 is outside the business calendar's range 2020-01-01..2040-12-31"
    )


def test_a_quote_needs_a_registration() -> None:
    with pytest.raises(InvalidInputError) as caught:
        Journey.new().quote()
    assert str(caught.value) == "journey='new' is not valid: expected a registered journey"


def test_an_early_cancellation_refunds_the_price_less_the_fee_and_keeps_its_day_R24() -> None:
    prices = attrs.evolve(load_prices(), program_price=Money.of(2000))
    outcome = in_prework(prices=prices).apply(Cancel(on=day("2026-11-04")))
    assert [(e.kind, e.amount) for e in outcome.effects] == [(EffectKind.REFUND, Money.of(1900))]
    assert outcome.journey.cancelled_on == day("2026-11-04")
    assert outcome.journey.last_event_day == day("2026-11-04")
    with pytest.raises(TimingError) as caught:
        in_prework(prices=prices).apply(Cancel(on=day("2027-01-11")))
    assert (caught.value.limit, caught.value.days, caught.value.rule_id) == (
        day("2027-01-10"),
        1,
        "R26",
    )


def test_a_copy_recorded_later_but_dated_earlier_replaces_the_one_that_counted_R19() -> None:
    counted = certified().then(activity("2027-03-01", "2", id="A"))
    earlier = counted.apply(activity("2027-02-01", "3", id="A"))
    assert earlier.decisions[0].reason.startswith("3 of 24 qualifying hours")
    assert earlier.journey.ledger(as_of=day("2027-04-01")).hours == Decimal(3)
    later = counted.apply(activity("2027-04-01", "5", id="A"))
    assert later.decisions[0].reason.startswith("2 of 24 qualifying hours")


def test_an_activity_before_certification_is_recorded_and_counts_toward_no_period_R17_R19() -> None:
    event = activity("2026-12-01", "2")
    outcome = in_prework().apply(event)
    (decision,) = outcome.decisions
    assert (decision.rule_id, decision.verdict, decision.policy) == (
        "R19",
        "not_counted",
        "current",
    )
    assert decision.reason.endswith(
        "counts toward no period, since a certification period starts on the certification "
        "date (R17)"
    )
    assert outcome.event is event
    assert outcome.journey.activities == (event.activity,)
    assert outcome.journey.last_event_day == in_prework().last_event_day


# -- boundaries and texts the mutation run found unasserted ----------------------------


def test_business_day_access_counts_from_the_program_date_of_an_instant_given_in_utc_R4() -> None:
    # 03:00 UTC on Friday is still Thursday evening in New York: two business days after
    # Thursday 2026-11-19 is Monday the 23rd (counting from Friday would give Tuesday).
    friday_utc = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)
    assert access_due(LEGACY, friday_utc).isoformat() == "2026-11-23T23:59:59-05:00"


def test_the_unfinished_modules_advisory_counts_the_modules_left_R8() -> None:
    done = in_prework().then(*(CompleteModule(module=m, on=day("2026-11-10")) for m in range(1, 8)))
    outcome = done.apply(RecordAttendance(attendance="full", on=day("2027-01-14")))
    (advisory,) = outcome.advisories
    assert advisory.message == (
        "3 of 10 prework modules unfinished at the practicum; the pass rate quoted by the "
        "program is for candidates who complete them"
    )


def test_registering_exactly_the_recommended_lead_time_ahead_starts_the_prework_that_day_R6() -> (
    None
):
    def prework_key_date(registered_on: int) -> tuple[dt.date | dt.datetime, str]:
        at = dt.datetime(2026, 11, 30, 9, 30, tzinfo=NY) + dt.timedelta(days=registered_on)
        journey = Journey.new().apply(Register(registration=registration(at=at))).journey
        (start,) = (k for k in journey.key_dates() if k.kind is KeyDateKind.PREWORK_START)
        return start.when, start.label

    # 2027-01-11 less 42 days is 2026-11-30.
    assert prework_key_date(0) == (
        day("2026-11-30"),
        "start the prework by this day (42 days before the practicum)",
    )
    assert prework_key_date(1) == (
        day("2026-12-01"),
        (
            "start the prework now: the recommended 42 days before the practicum (2026-11-30) "
            "had already passed at registration"
        ),
    )


def test_a_failed_attempt_says_how_long_retakes_remain_with_and_without_a_cap_R15() -> None:
    fail = AttemptExam(on=day("2027-01-20"), passed=False)
    unlimited = attended().apply(fail).decisions[-1]
    assert (unlimited.rule_id, unlimited.verdict, unlimited.reason) == (
        "R15",
        "failed",
        "attempt 1 failed; retakes are allowed until the window closes on 2027-07-14",
    )
    capped = attended(policy=CURRENT.with_overrides({"exam.max_exam_attempts": 3}))
    assert (
        capped.apply(fail).decisions[-1].reason
        == "attempt 1 failed; 2 attempt(s) remain until 2027-07-14"
    )


def test_an_activity_after_the_lapse_is_explained_in_full_R20() -> None:
    outcome = certified().apply(activity("2029-02-01", "30", "conference", "too-late"))
    assert outcome.decisions == (
        Decision(
            rule_id="R20",
            verdict="not_counted",
            policy="current",
            reason="activity 'too-late' of 2029-02-01 recorded after the credential lapsed on "
            "2029-01-20: it counts toward no period",
        ),
    )


def test_paying_the_renewal_fee_charges_its_amount_R18() -> None:
    prices = PriceSchedule.from_toml('extends = "shipped"\nrenewal_fee = "150"\n')
    outcome = certified(prices=prices).apply(PayRenewalFee(on=day("2027-03-01")))
    assert outcome.effects == (
        Effect(
            kind=EffectKind.CHARGE,
            rule_id="R18",
            amount=Money.of(150),
            detail="charge the renewal fee: 150.00 USD",
        ),
    )


def test_a_substitution_is_explained_in_full_free_and_paid_R27() -> None:
    free = registered().apply(Substitute(on=day("2026-11-20"), email="ben@example.org"))
    assert free.decisions == (
        Decision(
            rule_id="R27",
            verdict="free",
            policy="current",
            reason="substitution requested on 2026-11-20, on or before the free-change deadline "
            "2026-11-20, the 30th business day before the practicum's first day 2027-01-11 on "
            "the workalendar.usa.NorthCarolina calendar",
            dates=(
                ("requested", day("2026-11-20")),
                ("free-change deadline", day("2026-11-20")),
            ),
            alternatives=("R10 window: the fee applies only after the deadline",),
        ),
    )
    paid = registered().apply(Substitute(on=day("2026-11-23"), email="ben@example.org"))
    assert paid.decisions == (
        Decision(
            rule_id="R27",
            verdict="fee",
            policy="current",
            fee=Money.of("400"),
            reason="substitution requested on 2026-11-23, inside the change-fee window that "
            "began after 2026-11-20 (R10)",
            dates=(
                ("requested", day("2026-11-23")),
                ("free-change deadline", day("2026-11-20")),
            ),
        ),
    )


def test_cancelling_on_the_day_the_elearning_was_opened_is_not_covered_R24_R25() -> None:
    # Day 5 is inside the window, but the eLearning was opened that day: no refund.
    journey = in_prework().then(OpenElearning(on=day("2026-11-07")))
    outcome = journey.apply(Cancel(on=day("2026-11-07")))
    assert outcome.decisions == (
        Decision(
            rule_id="R24",
            verdict="not_covered",
            policy="current",
            figures=(("cancellation.early_cancellation_days", "5"),),
            dates=(
                ("registered", day("2026-11-02")),
                ("cancelled", day("2026-11-07")),
                ("eLearning first opened", day("2026-11-07")),
            ),
            reason="no refund rule applies: the eLearning was already opened on 2026-11-07; "
            "the terms settle refunds only for cancellations within 5 days of registering and "
            "before the eLearning is opened, so this refund is not covered",
        ),
        Decision(
            rule_id="R25",
            verdict="credit",
            policy="current",
            figures=(
                ("cancellation.tuition_credit_years", "1"),
                ("cancellation.re_enrollments", "1"),
            ),
            dates=(
                ("cancelled", day("2026-11-07")),
                ("credit valid until (exclusive)", day("2027-11-07")),
            ),
            reason="the tuition stays valid toward another practicum until 2027-11-07 "
            "(exclusive); 1 re-enrollment(s) remain",
        ),
    )


def test_a_cancellation_after_the_one_re_enrollment_says_none_remain_R25() -> None:
    back = cancelled().then(
        ReEnroll(
            on=day("2027-01-05"),
            session=Session(first_day=day("2028-01-10"), last_day=day("2028-01-13")),
        )
    )
    credit = back.apply(Cancel(on=day("2027-01-20"))).decisions[-1]
    assert credit.rule_id == "R25"
    assert credit.reason.endswith("(exclusive); 0 re-enrollment(s) remain")


def test_an_early_refund_with_an_unknown_administrative_fee_names_that_fee_R24_R22() -> None:
    prices = attrs.evolve(
        _known_prices(),
        program_price=Money.of("2000"),
        administrative_fee=UnknownAmount(item="administrative_fee"),
    )
    outcome = in_prework(prices=prices).apply(Cancel(on=day("2026-11-03")))
    assert outcome.decisions[0].refund == UnknownAmount(item="administrative_fee")
    assert outcome.effects[0].amount is None


def test_a_late_change_to_a_session_starting_the_same_day_is_not_a_later_date_R10() -> None:
    shorter = Session(first_day=day("2027-01-11"), last_day=day("2027-01-12"))
    outcome = registered().apply(change("2026-11-23", to=shorter))
    (decision,) = outcome.decisions
    assert (decision.rule_id, decision.verdict, decision.fee) == ("R10", "free", None)
    assert decision.reason == (
        "requested on 2026-11-23, 3 days after the free-change deadline 2026-11-20, but to a "
        "session starting the same day (2027-01-11): only later-date changes pay the fee"
    )
    assert outcome.journey.free_changes_used == 1
    later = registered().apply(change("2026-11-23", to=FEBRUARY)).decisions[0]
    assert later.alternatives[1] == (
        "R10 exception: only a later date pays, and the new session starts later "
        "(2027-02-08 after 2027-01-11)"
    )


def test_a_re_enrollment_clears_the_old_attendance_and_warns_about_a_near_session_R25_R3() -> None:
    absent = in_prework().then(
        RecordAttendance(attendance="absent_with_notice", on=day("2027-01-11"))
    )
    assert absent.attendance is Attendance.ABSENT_WITH_NOTICE
    soon = Session(first_day=day("2027-02-01"), last_day=day("2027-02-04"))
    back = absent.apply(ReEnroll(on=day("2027-01-20"), session=soon))
    assert back.journey.attendance is None
    assert back.journey.state is State.IN_PREWORK
    assert [a.rule_ids for a in back.advisories] == [("R3", "R6")]
    assert back.advisories[0].message.startswith("only 12 days before the practicum")


def test_an_activity_recorded_after_the_lapse_is_kept_in_the_journey_R20() -> None:
    late = activity("2029-02-01", "30", "conference", "too-late")
    outcome = certified().apply(late)
    assert outcome.event is late
    assert outcome.journey.activities == (late.activity,)
    assert outcome.journey.history[-1] is late
    with pytest.raises(TimingError) as caught:
        certified().apply(PayRenewalFee(on=day("2029-02-01")))
    assert caught.value.reason == (
        "13 days too late: the credential lapsed: the period's last day was 2029-01-19"
    )


def test_paying_the_renewal_fee_dates_the_journey_so_an_earlier_event_is_refused_R18() -> None:
    paid = certified().apply(PayRenewalFee(on=day("2027-06-01"))).journey
    assert paid.last_event_day == day("2027-06-01")
    with pytest.raises(TimingError, match="events must arrive in date order"):
        paid.apply(PayRenewalFee(on=day("2027-05-01")))


def test_the_exam_gate_refuses_even_one_unfinished_module_R8() -> None:
    strict = CURRENT.with_overrides({"prework.modules_required_for_exam": True})
    nine = in_prework(policy=strict).then(
        *(CompleteModule(module=m, on=day("2026-11-10")) for m in range(1, 10)),
        RecordAttendance(attendance="full", on=day("2027-01-14")),
    )
    with pytest.raises(RuleViolationError, match=r"attended.: 1 prework modules are unfinished"):
        nine.apply(AttemptExam(on=day("2027-01-20"), passed=True))
    done = nine.apply(CompleteModule(module=10, on=day("2027-01-15"))).journey
    assert done.apply(AttemptExam(on=day("2027-01-20"), passed=True)).journey.state is (
        State.CERTIFIED
    )


def test_access_granted_at_the_very_instant_of_registering_is_accepted_R4() -> None:
    outcome = registered().apply(GrantAccess(at=REGISTERED_AT))
    assert (outcome.decisions[0].verdict, outcome.journey.access_granted_at) == (
        "on_time",
        REGISTERED_AT,
    )


def test_completing_a_module_opens_the_elearning_once_and_keeps_the_first_day_R5_R24() -> None:
    first = in_prework().apply(CompleteModule(module=1, on=day("2026-11-04"))).journey
    assert first.elearning_opened_on == day("2026-11-04")
    second = first.apply(CompleteModule(module=2, on=day("2026-11-05"))).journey
    assert second.elearning_opened_on == day("2026-11-04")
    refused = first.apply(Cancel(on=day("2026-11-05"))).decisions[0]
    assert (refused.rule_id, refused.verdict) == ("R24", "not_covered")


def test_every_applied_event_dates_the_journey_and_is_its_outcomes_event() -> None:
    journey = registered()
    events: list[Event] = [
        Substitute(on=day("2026-11-03"), email="ben@example.org"),
        GrantAccess(at=dt.datetime(2026, 11, 4, 9, 0, tzinfo=NY)),
        OpenElearning(on=day("2026-11-05")),
        CompleteModule(module=1, on=day("2026-11-06")),
        RecordAssessment(module=1, passed=True, on=day("2026-11-07")),
        RecordAttendance(attendance="full", on=day("2027-01-14")),
        AttemptExam(on=day("2027-01-18"), passed=False),
        AttemptExam(on=day("2027-01-19"), passed=True),
        PayRenewalFee(on=day("2027-02-01")),
    ]
    for event in events:
        outcome = journey.apply(event)
        assert outcome.event is event
        journey = outcome.journey
        assert journey.last_event_day == event_day(event, NY), event
    assert journey.assessments[0].on == day("2026-11-07")
    assert [(a.on, a.passed) for a in journey.attempts] == [
        (day("2027-01-18"), False),
        (day("2027-01-19"), True),
    ]


def test_registering_on_the_free_change_deadline_keeps_the_plain_deadline_label_R9() -> None:
    at = dt.datetime(2026, 11, 20, 9, 0, tzinfo=NY)  # the deadline for 2027-01-11
    (deadline,) = (
        k for k in registered(at=at).key_dates() if k.kind is KeyDateKind.FREE_CHANGE_DEADLINE
    )
    assert (deadline.when, deadline.label) == (
        day("2026-11-20"),
        "last day to change the practicum for free",
    )


def test_timing_refusals_say_how_far_off_and_which_day_was_the_limit_R12_R27() -> None:
    with pytest.raises(TimingError) as early:
        in_prework().apply(RecordAttendance(attendance="full", on=day("2027-01-10")))
    assert early.value.reason == (
        "1 day too early: attendance is recorded from the practicum's first day, 2027-01-11"
    )
    with pytest.raises(TimingError) as late:
        registered().apply(Substitute(on=day("2027-01-11"), email="ben@example.org"))
    assert late.value.reason == (
        "1 day too late: a substitution must come before the practicum; the last day was 2027-01-10"
    )


def test_key_dates_use_the_program_date_of_a_late_evening_registration_R2_R9() -> None:
    # 22:30 in New York on the deadline day is already the next day in UTC.
    at = dt.datetime(2026, 11, 20, 22, 30, tzinfo=NY)
    dates = registered(at=at).key_dates()
    assert [(k.kind, k.label) for k in dates[:2]] == [
        (KeyDateKind.REGISTERED, "registered"),
        (KeyDateKind.FREE_CHANGE_DEADLINE, "last day to change the practicum for free"),
    ]


def test_history_and_activities_read_as_tuples_whether_read_before_or_after_extending() -> None:
    # More events than a history keeps as a growing tuple (it becomes a log).
    start = day("2027-02-01")
    records = [
        activity((start + dt.timedelta(days=n)).isoformat(), "2", "webinar", f"a{n}")
        for n in range(80)
    ]
    unread = certified().then(*records)
    read_each_time = certified()
    for record in records:
        assert type(read_each_time.history) is tuple
        assert type(read_each_time.activities) is tuple
        read_each_time = read_each_time.apply(record).journey
    assert unread == read_each_time
    assert pickle.dumps(unread) == pickle.dumps(read_each_time)
    assert type(unread.history) is tuple
    assert unread.history is unread.history  # built once, then read as it is
    assert unread.activities == tuple(r.activity for r in records)
    assert unread.history[-len(records) :] == tuple(records)
    # Built by hand (attrs), a journey holds plain tuples and extends the same way.
    by_hand = attrs.evolve(certified())
    assert by_hand.then(*records) == unread
    # On the class, the field names what it stands for.
    assert Journey.__dict__["history"].__get__(None, Journey).name == "history"


def test_extending_a_journey_changes_nothing_another_journey_holds() -> None:
    shared = certified().then(activity("2027-02-01", "10", "webinar", "x"))
    before = pickle.dumps(shared)
    seen = dict(vars(shared))
    branches = [
        shared.apply(activity("2027-01-25", str(n), "webinar", "x")).journey for n in (1, 2, 3)
    ]
    assert [b.ledger(as_of=day("2028-01-01")).hours for b in branches] == [1, 2, 3]
    assert shared.ledger(as_of=day("2028-01-01")).hours == 10
    assert pickle.dumps(shared) == before
    assert all(vars(shared)[key] is value for key, value in seen.items())


def test_judge_change_refusing_by_a_rule_keeps_the_event_and_names_no_state_R11() -> None:
    with pytest.raises(RuleViolationError) as caught:
        _judge(to=JANUARY)  # the session already held
    error = caught.value
    assert (error.state, error.allowed, error.rule_id) == ("", (), "R11")
    assert error.event == "RequestChange(on=2026-11-19)"  # as the message names it
    with pytest.raises(InvalidInputError) as bad:
        _judge(free_changes_used=1001)
    assert (bad.value.field, bad.value.value) == ("free_changes_used", 1001)


def test_an_event_too_early_counts_its_days_in_the_programs_time_zone() -> None:
    # 03:00 in London on 1 November 2026 is 23:00 on 31 October in New York: two days
    # before the registration's day there, not one.
    late_evening = dt.datetime(2026, 11, 1, 3, 0, tzinfo=dt.UTC)
    with pytest.raises(TimingError) as caught:
        registered().apply(GrantAccess(at=late_evening))
    assert (caught.value.days, caught.value.side) == (2, "before")
    assert "2 days too early" in str(caught.value)


def test_a_session_in_the_calendars_first_year_is_inside_it() -> None:
    first_year = Session(first_day=day("2020-06-01"), last_day=day("2020-06-04"))
    later = Session(first_day=day("2020-07-06"), last_day=day("2020-07-09"))
    (decision,) = _judge(held=first_year, to=later, requested=day("2020-03-02")).decisions
    assert decision.rule_id in {"R9", "R10"}


def test_a_handler_that_leaves_the_transition_table_is_refused_as_a_library_bug(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cptm_rules import lifecycle  # noqa: PLC0415

    def strays(_journey: object, _event: object, _day: dt.date) -> Handled:
        return Handled({"state": State.CERTIFIED}, ())

    # A bug on purpose: the engine must say so, never answer from a state it does not know.
    monkeypatch.setitem(lifecycle._HANDLERS, RecordAssessment, strays)  # noqa: SLF001
    journey = in_prework()
    with pytest.raises(AssertionError) as caught:
        journey.apply(RecordAssessment(module=1, passed=True, on=day("2026-11-20")))
    assert str(caught.value) == (
        "RecordAssessment led from in_prework to certified, which the transition table "
        "does not declare"
    )
    assert journey.state is State.IN_PREWORK  # nothing the caller holds moved
