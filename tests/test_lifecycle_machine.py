"""Random event sequences against the journey's invariants (a Hypothesis state machine).

Run heavier locally with ``HYPOTHESIS_PROFILE=heavy pytest tests/test_lifecycle_machine.py``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import pickle
from typing import TYPE_CHECKING

from hypothesis import event as record_statistic
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from cptm_rules.calendar import add_months
from cptm_rules.events import (
    Activity,
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
from cptm_rules.exceptions import TransitionError
from cptm_rules.lifecycle import Journey
from cptm_rules.money import Money
from cptm_rules.policy import load_policy
from cptm_rules.vocabulary import Attendance, State
from journeys import NY

if TYPE_CHECKING:
    from decimal import Decimal

POLICIES = (load_policy("current"), load_policy("legacy"))


def session_starting(first: dt.date, length: int) -> Session:
    return Session(first_day=first, last_day=first + dt.timedelta(days=length))


class JourneyMachine(RuleBasedStateMachine):
    """Drives one journey with random events; checks the invariants after every step."""

    snapshots = Bundle("snapshots")

    def __init__(self) -> None:
        super().__init__()
        self.journey = Journey.new()
        self.today = dt.date(2026, 11, 2)
        self.fees: list[Money] = []

    @initialize(
        policy=st.sampled_from(POLICIES),
        start=st.dates(min_value=dt.date(2026, 1, 5), max_value=dt.date(2030, 6, 30)),
        lead=st.integers(min_value=1, max_value=120),
        length=st.integers(min_value=0, max_value=4),
        hour=st.integers(min_value=0, max_value=23),
    )
    def register(self, policy: object, start: dt.date, lead: int, length: int, hour: int) -> None:
        self.journey = Journey.new(policy=policy)  # type: ignore[arg-type]
        at = dt.datetime.combine(start, dt.time(hour), tzinfo=NY)
        session = session_starting(start + dt.timedelta(days=lead), length)
        self.today = start
        self.step(
            Register(
                registration=Registration(email="c@example.org", registered_at=at, session=session)
            )
        )

    def step(self, event: Event) -> None:
        before = self.journey
        frozen = pickle.dumps(before)
        try:
            outcome = before.apply(event)
        except TransitionError:
            assert pickle.dumps(self.journey) == frozen  # nothing lost
            assert self.journey is before
            return
        assert pickle.dumps(before) == frozen  # the journey passed in is untouched
        self.journey = outcome.journey
        record_statistic(f"reached {self.journey.state}")  # shown by --hypothesis-show-statistics
        for decision in outcome.decisions:
            for amount in (decision.fee, decision.refund):
                if isinstance(amount, Money):
                    self.fees.append(amount)

    @rule(target=snapshots)
    def keep_snapshot(self) -> tuple[Journey, bytes]:
        return self.journey, pickle.dumps(self.journey)

    @rule(days=st.integers(min_value=0, max_value=60))
    def wait(self, days: int) -> None:
        self.today += dt.timedelta(days=days)

    @rule(minutes=st.integers(min_value=0, max_value=60 * 24 * 5))
    def grant_access(self, minutes: int) -> None:
        if self.journey.registration is None:
            return
        at = self.journey.registration.registered_at + dt.timedelta(minutes=minutes)
        self.today = max(self.today, at.astimezone(NY).date())
        self.step(GrantAccess(at=at))

    @rule()
    def open_elearning(self) -> None:
        self.step(OpenElearning(on=self.today))

    @rule(module=st.integers(min_value=1, max_value=11))
    def complete_module(self, module: int) -> None:
        self.step(CompleteModule(module=module, on=self.today))

    @rule(module=st.integers(min_value=1, max_value=10), passed=st.booleans())
    def assess(self, module: int, passed: bool) -> None:  # noqa: FBT001
        self.step(RecordAssessment(module=module, passed=passed, on=self.today))

    @rule(offset=st.integers(min_value=-30, max_value=120), length=st.integers(0, 4))
    def request_change(self, offset: int, length: int) -> None:
        self.step(
            RequestChange(
                on=self.today, to=session_starting(self.today + dt.timedelta(days=offset), length)
            )
        )

    @rule()
    def substitute(self) -> None:
        self.step(Substitute(on=self.today, email="d@example.org"))

    @rule(
        kind=st.sampled_from(
            [
                Attendance.FULL,
                Attendance.FULL,
                Attendance.PARTIAL,
                Attendance.ABSENT_WITH_NOTICE,
                Attendance.ABSENT_WITHOUT_NOTICE,
            ]
        )
    )
    def attend(self, kind: Attendance) -> None:
        session = self.journey.session
        if session is not None and self.today < session.first_day:
            self.today = session.last_day
        self.step(RecordAttendance(attendance=kind, on=self.today))

    @rule(passed=st.booleans())
    def attempt(self, passed: bool) -> None:  # noqa: FBT001
        opens = self.journey.exam_opens
        if opens is not None and self.journey.state is State.ATTENDED:
            self.today = max(self.today, opens)
        self.step(AttemptExam(on=self.today, passed=passed))

    @rule(draw=st.integers(min_value=0, max_value=7))
    def cancel(self, draw: int) -> None:
        # Cancelling ends most journeys: make it rarer so walks reach certification.
        if draw == 0:
            self.step(Cancel(on=self.today))

    @rule(offset=st.integers(min_value=1, max_value=90))
    def re_enroll(self, offset: int) -> None:
        self.step(
            ReEnroll(
                on=self.today, session=session_starting(self.today + dt.timedelta(days=offset), 3)
            )
        )

    @rule(
        hours=st.decimals(min_value=0, max_value=30, places=2),
        category=st.sampled_from(["webinar", "conference", "not-industry-relevant"]),
        key=st.integers(min_value=0, max_value=5),
        back=st.integers(0, 400),
    )
    def record_activity(self, hours: Decimal, category: str, key: int, back: int) -> None:
        self.step(
            RecordActivity(
                activity=Activity(
                    id=f"a{key}",
                    on=self.today - dt.timedelta(days=back),
                    hours=hours,
                    category=category,
                )
            )
        )

    @rule()
    def pay_renewal_fee(self) -> None:
        self.step(PayRenewalFee(on=self.today))

    # -- invariants --------------------------------------------------------------

    @rule(snapshot=snapshots)
    def snapshots_never_change(self, snapshot: tuple[Journey, bytes]) -> None:
        journey, frozen = snapshot
        assert pickle.dumps(journey) == frozen

    @invariant()
    def replaying_history_equals_the_current_journey(self) -> None:
        replayed = Journey.replay(
            self.journey.history, policy=self.journey.policy, prices=self.journey.prices
        )
        assert replayed == self.journey

    @invariant()
    def the_exam_closes_six_months_after_it_opens(self) -> None:
        opens, closes = self.journey.exam_opens, self.journey.exam_closes
        if opens is None:
            return
        assert closes == add_months(opens, 6)
        assert closes.day == opens.day or (closes + dt.timedelta(days=1)).day == 1

    @invariant()
    def no_certified_journey_lacks_a_passing_attempt_inside_its_window(self) -> None:
        if self.journey.state is not State.CERTIFIED:
            return
        opens, closes = self.journey.exam_opens, self.journey.exam_closes
        assert opens is not None
        assert closes is not None
        passing = [a for a in self.journey.attempts if a.passed]
        assert len(passing) == 1
        assert opens <= passing[0].on <= closes
        assert self.journey.certification_date == passing[0].on

    @invariant()
    def fees_are_never_negative(self) -> None:
        assert all(fee.amount >= 0 for fee in self.fees)

    @invariant()
    def periods_follow_each_other_without_gap_or_overlap(self) -> None:
        periods = self.journey.periods
        for earlier, later in itertools.pairwise(periods):
            assert later.start == earlier.end

    @invariant()
    def status_on_the_last_event_day_matches_the_stored_state(self) -> None:
        last = self.journey.last_event_day
        if last is not None and self.journey.state not in (
            State.CERTIFIED,
            State.ATTENDED,
            State.CANCELLED,
        ):
            assert self.journey.status_on(last).state is self.journey.state


JourneyMachine.TestCase.settings = settings(stateful_step_count=40)
test_random_event_sequences_keep_every_invariant = JourneyMachine.TestCase
