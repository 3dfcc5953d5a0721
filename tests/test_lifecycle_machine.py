"""Random event sequences against the journey's invariants (a Hypothesis state machine).

Run heavier locally with ``HYPOTHESIS_PROFILE=heavy pytest tests/test_lifecycle_machine.py``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import itertools
import pickle
import pkgutil
from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING

from hypothesis import event as record_statistic
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

import cptm_rules
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
from cptm_rules.lifecycle import TRANSITIONS, Journey
from cptm_rules.money import Money
from cptm_rules.policy import Policy, load_policy
from cptm_rules.pricing import PriceSchedule
from cptm_rules.vocabulary import Attendance, State
from journeys import NY

if TYPE_CHECKING:
    from collections.abc import Callable

POLICIES = (load_policy("current"), load_policy("legacy"))

REFUSED: Counter[type] = Counter()
"""How often the walks' events were refused, per event type."""
REACHED: Counter[tuple[State, type, State]] = Counter()
"""How often the walks took each (state, event, target), for the coverage assertion below."""
DECLARED = {
    (state, event, target)
    for state, table in TRANSITIONS.items()
    for event, targets in table.items()
    for target in targets
}

# Price schedules Hypothesis draws: any figures the schedule reader accepts.
PRICES = st.builds(
    lambda price, admin, change, renewal: PriceSchedule.from_toml(
        f'extends = "shipped"\nprogram_price = "{price}"\nadministrative_fee = "{admin}"\n'
        f'class_change_fee = "{change}"\nrenewal_fee = "{renewal}"\n'
    ),
    price=st.decimals(min_value=100, max_value=5000, places=2),
    admin=st.decimals(min_value=0, max_value=100, places=2),
    change=st.decimals(min_value=0, max_value=1000, places=2),
    renewal=st.decimals(min_value=0, max_value=500, places=2),
)


def session_starting(first: dt.date, length: int) -> Session:
    return Session(first_day=first, last_day=first + dt.timedelta(days=length))


def in_state(*states: State) -> Callable[[JourneyMachine], bool]:
    return lambda machine: machine.journey.state in states


class JourneyMachine(RuleBasedStateMachine):
    """Drives one journey with mostly valid events; checks the invariants after every step.

    Each rule's precondition asks for a state that accepts its event, and dates are
    drawn where the rules allow them, so most steps are applied; ``try_anything``
    sends any event in any state to exercise refusals too. The share of refused
    steps and every move reached are recorded with ``event()``.
    """

    snapshots = Bundle("snapshots")

    def __init__(self) -> None:
        super().__init__()
        self.journey = Journey.new()
        self.today = dt.date(2026, 11, 2)
        self.probing = False  # try_anything expects refusals; they are not counted

    @initialize(
        policy=st.sampled_from(POLICIES),
        prices=PRICES,
        start=st.dates(min_value=dt.date(2026, 1, 5), max_value=dt.date(2030, 6, 30)),
        lead=st.integers(min_value=1, max_value=120),
        length=st.integers(min_value=0, max_value=4),
        hour=st.integers(min_value=0, max_value=23),
    )
    def register(
        self,
        *,
        policy: Policy,
        prices: PriceSchedule,
        start: dt.date,
        lead: int,
        length: int,
        hour: int,
    ) -> None:
        self.journey = Journey.new(policy=policy, prices=prices)
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
            record_statistic("step refused")
            if not self.probing:
                REFUSED[type(event)] += 1
            return
        assert pickle.dumps(before) == frozen  # the journey passed in is untouched
        target = outcome.journey.state
        assert target in TRANSITIONS[before.state][type(event)]  # a declared target
        REACHED[before.state, type(event), target] += 1
        record_statistic("step applied")
        record_statistic(f"move {before.state} --{type(event).__name__}--> {target}")
        for decision in outcome.decisions:
            for amount in (decision.fee, decision.refund):
                if isinstance(amount, Money):
                    assert amount.amount >= 0, decision  # never negative, whatever the prices
        for effect in outcome.effects:
            assert effect.amount is None or effect.amount.amount >= 0
        # Sentences render on first read: every one renders, on every path taken, to text.
        texts = (
            *(d.reason for d in outcome.decisions),
            *(a.message for a in outcome.advisories),
            *(e.detail for e in outcome.effects),
        )
        assert all(type(text) is str and text for text in texts), texts
        assert outcome.explain().count("\n") >= len(texts)
        self.journey = outcome.journey

    @rule(target=snapshots)
    def keep_snapshot(self) -> tuple[Journey, bytes]:
        return self.journey, pickle.dumps(self.journey)

    @rule(days=st.integers(min_value=0, max_value=60))
    def wait(self, days: int) -> None:
        self.today += dt.timedelta(days=days)

    @precondition(in_state(State.REGISTERED))
    @rule(minutes=st.integers(min_value=0, max_value=60 * 24 * 5))
    def grant_access(self, minutes: int) -> None:
        assert self.journey.registration is not None
        at = self.journey.registration.registered_at + dt.timedelta(minutes=minutes)
        self.today = max(self.today, at.astimezone(NY).date())
        self.step(GrantAccess(at=at))

    @precondition(in_state(State.IN_PREWORK, State.ATTENDED))
    @rule()
    def open_elearning(self) -> None:
        self.step(OpenElearning(on=self.today))

    @precondition(in_state(State.IN_PREWORK, State.ATTENDED))
    @rule(wrong=st.integers(min_value=0, max_value=9))
    def complete_module(self, wrong: int) -> None:
        done = self.journey.modules_completed
        left = [m for m in range(1, 11) if m not in done]
        # Mostly the next module; now and then one already done or one that does not exist.
        # (Hypothesis favours 0, so the rare branch is the high end.)
        module = left[0] if left and wrong < 9 else (max(done) if done else 11)
        self.step(CompleteModule(module=module, on=self.today))

    @precondition(in_state(State.IN_PREWORK, State.ATTENDED))
    @rule(module=st.integers(min_value=1, max_value=10), passed=st.booleans())
    def assess(self, module: int, passed: bool) -> None:  # noqa: FBT001
        self.step(RecordAssessment(module=module, passed=passed, on=self.today))

    def _before_practicum(self) -> bool:
        session = self.journey.session
        return session is not None and self.today < session.first_day

    @precondition(
        lambda self: (
            self.journey.state in (State.REGISTERED, State.IN_PREWORK) and self._before_practicum()
        )
    )
    @rule(offset=st.integers(min_value=-20, max_value=120), length=st.integers(0, 4))
    def request_change(self, offset: int, length: int) -> None:
        first = max(self.today + dt.timedelta(days=1), self.today + dt.timedelta(days=offset))
        self.step(RequestChange(on=self.today, to=session_starting(first, length)))

    @precondition(
        lambda self: (
            self.journey.state in (State.REGISTERED, State.IN_PREWORK) and self._before_practicum()
        )
    )
    @rule()
    def substitute(self) -> None:
        self.step(Substitute(on=self.today, email="d@example.org"))

    @precondition(in_state(State.REGISTERED, State.IN_PREWORK))
    @rule(kind=st.sampled_from([Attendance.FULL, Attendance.PARTIAL]))
    def attend(self, kind: Attendance) -> None:
        self._record_attendance(kind)

    @precondition(in_state(State.REGISTERED, State.IN_PREWORK))
    @rule()
    def miss_with_notice(self) -> None:
        self._record_attendance(Attendance.ABSENT_WITH_NOTICE)

    @precondition(in_state(State.REGISTERED, State.IN_PREWORK))
    @rule()
    def miss_without_notice(self) -> None:
        self._record_attendance(Attendance.ABSENT_WITHOUT_NOTICE)

    def _record_attendance(self, kind: Attendance) -> None:
        session = self.journey.session
        assert session is not None
        self.today = max(self.today, session.last_day)
        self.step(RecordAttendance(attendance=kind, on=self.today))

    @precondition(in_state(State.ATTENDED))
    @rule(passed=st.booleans(), late=st.integers(min_value=0, max_value=9))
    def attempt(self, passed: bool, late: int) -> None:  # noqa: FBT001
        opens, closes = self.journey.exam_opens, self.journey.exam_closes
        assert opens is not None
        assert closes is not None
        # Mostly inside the window; now and then a day after it closes (R14).
        inside = late < 9
        day = max(self.today, opens) if inside else closes + dt.timedelta(days=1)
        self.today = max(self.today, min(day, closes) if inside else day)
        self.step(AttemptExam(on=self.today, passed=passed))

    @precondition(in_state(State.REGISTERED, State.IN_PREWORK))
    @rule(draw=st.integers(min_value=0, max_value=5))
    def cancel(self, draw: int) -> None:
        # Cancelling ends most journeys: make it rarer so walks reach certification.
        if draw == 0:
            self.step(Cancel(on=self.today))

    @precondition(
        lambda self: (
            self.journey.state is State.CANCELLED
            and self.journey.credit_until is not None
            and self.today < self.journey.credit_until
        )
    )
    @rule(offset=st.integers(min_value=1, max_value=90))
    def re_enroll(self, offset: int) -> None:
        self.step(
            ReEnroll(
                on=self.today, session=session_starting(self.today + dt.timedelta(days=offset), 3)
            )
        )

    @precondition(lambda self: self.journey.state is not State.NEW)
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

    @precondition(in_state(State.CERTIFIED))
    @rule()
    def pay_renewal_fee(self) -> None:
        self.step(PayRenewalFee(on=self.today))

    @rule(pick=st.integers(min_value=0, max_value=23))
    def take_a_declared_move(self, pick: int) -> None:
        """Take one of the current state's declared moves, each about as likely as another."""
        state = self.journey.state
        moves = [(e, t) for e, targets in TRANSITIONS[state].items() for t in targets]
        event, target = moves[pick % len(moves)]
        if event is Register or (event is ReEnroll and self.journey.credit_until is None):
            return  # no event takes this move from here
        if event is RecordAttendance:
            kind = {
                State.ATTENDED: Attendance.FULL,
                State.CANCELLED: Attendance.ABSENT_WITH_NOTICE,
                State.FORFEITED: Attendance.ABSENT_WITHOUT_NOTICE,
            }[target]
            self._record_attendance(kind)
        elif event is AttemptExam:
            opens = self.journey.exam_opens
            assert opens is not None
            self.today = max(self.today, opens)
            self.step(AttemptExam(on=self.today, passed=target is State.CERTIFIED))
        elif event is RecordActivity:
            self.record_activity(hours=Decimal(1), category="webinar", key=0, back=0)
        elif event is CompleteModule:
            self.complete_module(wrong=0)
        elif event in _SIMPLE:
            self.step(_SIMPLE[event](self))

    @rule(
        kind=st.sampled_from(
            [GrantAccess, OpenElearning, Cancel, AttemptExam, PayRenewalFee, ReEnroll]
        )
    )
    def try_anything(self, kind: type) -> None:
        """Any event in any state: refusals must leave the journey as it was."""
        registration = self.journey.registration
        events: dict[type, Event] = {
            OpenElearning: OpenElearning(on=self.today),
            Cancel: Cancel(on=self.today),
            AttemptExam: AttemptExam(on=self.today, passed=True),
            PayRenewalFee: PayRenewalFee(on=self.today),
            ReEnroll: ReEnroll(on=self.today, session=session_starting(self.today, 2)),
        }
        if registration is not None:
            events[GrantAccess] = GrantAccess(at=registration.registered_at)
        if kind in events:
            self.probing = True
            try:
                self.step(events[kind])
            finally:
                self.probing = False

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
    def status_on_answers_for_any_day_from_registration(self) -> None:
        registered = self.journey.registration_day
        if registered is None:
            return
        for day in (registered, self.today, self.today + dt.timedelta(days=800)):
            status = self.journey.status_on(day)
            assert status.as_of == day

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


_SIMPLE: dict[type, Callable[[JourneyMachine], Event]] = {
    OpenElearning: lambda m: OpenElearning(on=m.today),
    RecordAssessment: lambda m: RecordAssessment(module=1, passed=False, on=m.today),
    Cancel: lambda m: Cancel(on=m.today),
    PayRenewalFee: lambda m: PayRenewalFee(on=m.today),
    Substitute: lambda m: Substitute(on=m.today, email="e@example.org"),
    RequestChange: lambda m: RequestChange(
        on=m.today, to=session_starting(m.today + dt.timedelta(days=60), 3)
    ),
    ReEnroll: lambda m: ReEnroll(
        on=m.today, session=session_starting(m.today + dt.timedelta(days=30), 3)
    ),
}
"""Events that take their state's only move, for the steering rule."""


_DEPRECATED_MODULES = frozenset(
    {"cptm_rules.cohort_formats", "cptm_rules.dask_engine", "cptm_rules.recertification"}
)


def test_random_walks_keep_every_invariant_reach_every_state_and_mostly_apply() -> None:
    # Derandomised whatever the profile (the heavy one draws 2,000 walks at random), so the
    # counts below are the same on every machine; --hypothesis-show-statistics shows the
    # moves taken through event().
    heavy = settings().max_examples >= 1000
    # Hypothesis draws constants found in the local modules already imported, so the walks
    # depend on which tests ran before: import every module of the package first, and the
    # walks are the same whatever ran before (only the test files collected still count).
    for module in pkgutil.walk_packages(cptm_rules.__path__, "cptm_rules."):
        if module.name in _DEPRECATED_MODULES:
            continue
        with contextlib.suppress(ImportError):  # an extra not installed
            importlib.import_module(module.name)
    REACHED.clear()
    REFUSED.clear()
    run_state_machine_as_test(
        JourneyMachine,
        settings=settings(
            stateful_step_count=40,
            max_examples=max(settings().max_examples, 300),
            derandomize=not heavy,
        ),
    )
    assert {target for _, _, target in REACHED} == set(TRANSITIONS) - {State.NEW}
    applied, refused = sum(REACHED.values()), sum(REFUSED.values())
    assert applied > 4 * refused  # mostly valid steps: a wrong refusal would show
    taken = {move for move in DECLARED if REACHED[move]}
    assert len(taken) >= 0.8 * len(DECLARED)  # the directed test below takes every one
