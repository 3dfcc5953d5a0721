"""A candidate's journey, from registration to renewal or lapse, as an immutable state machine.

:class:`Journey` is a frozen value: the current state, every fact the rules
need, and the full history of events that produced it. :meth:`~cptm_rules.lifecycle.Journey.apply`
is a pure function of the journey and one event; it returns an
:class:`~cptm_rules.outcomes.Outcome` holding the *new* journey and the
decisions, advisories and effects, each citing its rule. The journey passed in
is never modified, and replaying a history from nothing gives the same journey.

Time is always an input. Transitions that time alone causes (the exam window
closing unused, a certification period ending, a tuition credit running out)
are reported by :meth:`Journey.status_on` for a date the caller gives.

>>> import datetime as dt
>>> from zoneinfo import ZoneInfo
>>> from cptm_rules.events import Register, Registration, RequestChange, Session
>>> from cptm_rules.lifecycle import Journey
>>> registration = Registration(
...     email="ana@example.org",
...     registered_at=dt.datetime(2026, 11, 2, 9, 30, tzinfo=ZoneInfo("America/New_York")),
...     session=Session(first_day=dt.date(2027, 1, 11), last_day=dt.date(2027, 1, 14)),
... )
>>> journey = Journey.new().then(Register(registration=registration))
>>> change = journey.apply(RequestChange(
...     on=dt.date(2026, 11, 19),
...     to=Session(first_day=dt.date(2027, 2, 8), last_day=dt.date(2027, 2, 11)),
... ))
>>> decision = change.decisions[0]
>>> decision.rule_id, decision.verdict, decision.fee
('R9', 'free', None)
>>> decision.dates[1]
('free-change deadline', datetime.date(2026, 11, 20))
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, NamedTuple, TypeAlias

import attrs

from cptm_rules.calendar import to_local_date
from cptm_rules.events import (
    EVENT_TYPES,
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
from cptm_rules.exceptions import (
    CalendarRangeError,
    InvalidInputError,
    RuleViolationError,
    TimingError,
    TransitionError,
)
from cptm_rules.formulas import SCALAR, Ops, Precedence, first_answer, verdict_of
from cptm_rules.outcomes import Outcome
from cptm_rules.policy import Policy, load_policy
from cptm_rules.pricing import PriceSchedule, Quote, load_prices, quote
from cptm_rules.rules._build import days as days_text
from cptm_rules.rules.cancellation import (
    CREDIT_STATUS,
    CREDIT_STATUS_SINCE,
    CreditStatusCase,
    cancel,
    re_enroll,
    substitute,
)
from cptm_rules.rules.certification import (
    PERIOD_STATUS,
    PERIOD_STATUS_SINCE,
    HoursCount,
    Ledger,
    Period,
    PeriodStatusCase,
    ledger_for,
    pay_renewal_fee,
    record_activity,
)
from cptm_rules.rules.exam import (
    EXAM_STATUS,
    EXAM_STATUS_SINCE,
    ExamAttempt,
    ExamStatusCase,
    attempt_exam,
    exam_closes,
    exam_opens,
    record_attendance,
)
from cptm_rules.rules.practicum_changes import (
    CHANGE_FEE_PRECEDENCE,
    free_change_deadline,
    request_change,
)
from cptm_rules.rules.prework import (
    AssessmentResult,
    complete_module,
    open_elearning,
    prework_start,
    record_assessment,
)
from cptm_rules.rules.registration import (
    access_due,
    grant_access,
    register,
)
from cptm_rules.types import Handled, Refusal
from cptm_rules.vocabulary import (
    Attendance,
    KeyDateKind,
    State,
)

if TYPE_CHECKING:
    from decimal import Decimal

__all__ = [
    "CHANGE_FEE_PRECEDENCE",
    "KEY_DATE_RULES",
    "MAX_CHANGES",
    "MOVES",
    "STATUS_ASKED",
    "STORED_STATES",
    "TRANSITIONS",
    "Journey",
    "KeyDate",
    "Move",
    "Status",
    "StatusAsked",
    "StatusQuestion",
    "access_due",
    "event_day",
    "event_rules",
    "free_change_deadline",
    "judge_change",
    "mermaid_diagram",
    "status_question",
]


@attrs.frozen
class Move:
    """One declared transition: the state an event leads to, under which condition."""

    target: State
    guard: str
    """When this target is reached, in words (empty when the event has one target)."""
    rules: str
    """The rules that decide it."""


def _move(target: State, guard: str = "", rules: str = "") -> Move:
    return Move(target=target, guard=guard, rules=rules)


S = State


def _ACTIVITY(target: State) -> Move:  # noqa: N802  # reads as a table entry
    # An activity is recorded in every state; only a certification period counts it.
    return _move(target, "recorded, counted in no period", "R17, R19")


MOVES: Final[Mapping[State, Mapping[type[Event], tuple[Move, ...]]]] = {
    S.NEW: {Register: (_move(S.REGISTERED),)},
    S.REGISTERED: {
        GrantAccess: (_move(S.IN_PREWORK),),
        RecordActivity: (_ACTIVITY(S.REGISTERED),),
        RequestChange: (_move(S.REGISTERED),),
        Substitute: (_move(S.REGISTERED),),
        Cancel: (_move(S.CANCELLED),),
        RecordAttendance: (
            _move(S.ATTENDED, "attended in full or in part", "R12"),
            _move(S.CANCELLED, "absent with written notice (a cancellation)", "R24, R25"),
            _move(S.FORFEITED, "absent without notice", "R26"),
        ),
    },
    S.IN_PREWORK: {
        OpenElearning: (_move(S.IN_PREWORK),),
        RecordActivity: (_ACTIVITY(S.IN_PREWORK),),
        CompleteModule: (_move(S.IN_PREWORK),),
        RecordAssessment: (_move(S.IN_PREWORK),),
        RequestChange: (_move(S.IN_PREWORK),),
        Substitute: (_move(S.IN_PREWORK),),
        Cancel: (_move(S.CANCELLED),),
        RecordAttendance: (
            _move(S.ATTENDED, "attended in full or in part", "R12"),
            _move(S.CANCELLED, "absent with written notice (a cancellation)", "R24, R25"),
            _move(S.FORFEITED, "absent without notice", "R26"),
        ),
    },
    S.ATTENDED: {
        OpenElearning: (_move(S.ATTENDED),),
        CompleteModule: (_move(S.ATTENDED),),
        RecordAssessment: (_move(S.ATTENDED),),
        AttemptExam: (
            _move(S.ATTENDED, "failed, inside the window", "R14, R15"),
            _move(S.CERTIFIED, "passed, inside the window", "R13, R14, R16"),
        ),
        RecordActivity: (_ACTIVITY(S.ATTENDED),),
    },
    # In a grace period (derived: in_grace) the stored state stays certified: both
    # events are still accepted, the fee with the late renewal fee (R20).
    S.CERTIFIED: {
        RecordActivity: (_move(S.CERTIFIED, "counted when inside the period", "R18, R19, R20"),),
        PayRenewalFee: (
            _move(S.CERTIFIED, "inside the period, or late in its grace period", "R18, R20"),
        ),
    },
    S.CANCELLED: {
        ReEnroll: (
            _move(S.REGISTERED, "eLearning access not yet granted", "R25"),
            _move(S.IN_PREWORK, "eLearning access already granted", "R25"),
        ),
        RecordActivity: (_ACTIVITY(S.CANCELLED),),
    },
    S.FORFEITED: {RecordActivity: (_ACTIVITY(S.FORFEITED),)},
}
"""The state machine as data: for each stored state and allowed event, each declared move.

A handler may only reach a declared target: ``Journey.apply`` checks every outcome
against this table, and ``docs/state-machine.md`` draws it with its guards.
"""

TRANSITIONS: Final[Mapping[State, Mapping[type[Event], tuple[State, ...]]]] = {
    state: {event: tuple(m.target for m in moves) for event, moves in table.items()}
    for state, table in MOVES.items()
}
"""The possible targets of each event in each stored state (derived from ``MOVES``)."""

STORED_STATES: Final = tuple(TRANSITIONS)
"""The states events move a journey between (the others are derived by ``status_on``)."""

_RULES_OF_EVENT: Final[Mapping[type[Event], str]] = {
    Register: "R2",
    GrantAccess: "R4",
    OpenElearning: "R24",
    CompleteModule: "R5",
    RecordAssessment: "R7",
    RequestChange: "R9-R11a",
    Substitute: "R27",
    Cancel: "R24, R25",
    ReEnroll: "R25",
    RecordAttendance: "R12, R26",
    AttemptExam: "R13-R16",
    RecordActivity: "R18, R19",
    PayRenewalFee: "R18, R20",
}


MAX_CHANGES: Final = 1000
"""The most free changes a caller may say were already used (a bound, not a rule)."""


def judge_change(  # keyword-only inputs of one decision
    *,
    policy: Policy,
    prices: PriceSchedule,
    held: Session,
    to: Session,
    requested: dt.date,
    free_changes_used: int = 0,
) -> Outcome:
    """Whether moving from ``held`` to ``to``, asked on ``requested``, is free (R9-R11a).

    The same decision a journey takes for a :class:`~cptm_rules.events.RequestChange`, for callers
    that know only the sessions and how many *free* changes the candidate has
    already used (R11a: a change that paid the class change fee used none).
    Raises :class:`~cptm_rules.exceptions.TransitionError` when R11 refuses the
    change.
    """
    if type(free_changes_used) is not int or not 0 <= free_changes_used <= MAX_CHANGES:
        raise InvalidInputError(
            "free_changes_used", free_changes_used, f"a whole number from 0 to {MAX_CHANGES}"
        )
    if not isinstance(held, Session):
        raise InvalidInputError("held", held, "a Session")
    _check_dates(policy, "held.first_day", held.first_day)
    _check_dates(policy, "held.last_day", held.last_day)
    journey = _replace(
        Journey.new(policy=policy, prices=prices),
        {
            "state": State.REGISTERED,
            "session": held,
            "changes_made": free_changes_used,
            "free_changes_used": free_changes_used,
        },
    )
    try:
        return journey.apply(RequestChange(on=requested, to=to))
    except TimingError as exc:
        raise TimingError(
            state="",
            event=exc.event,
            reason=exc.reason,
            allowed=(),
            rule_id=exc.rule_id,
            limit=exc.limit,
            days=exc.days,
            side=exc.side,
        ) from None
    except RuleViolationError as exc:
        raise RuleViolationError(
            state="", event=exc.event, reason=exc.reason, allowed=(), rule_id=exc.rule_id
        ) from None


def mermaid_diagram() -> str:
    """The transition table as a Mermaid state diagram (``docs/state-machine.md``)."""
    lines = ["stateDiagram-v2", "    [*] --> new"]
    for state, table in MOVES.items():
        for event, moves in table.items():
            for move in moves:
                rules = move.rules or _RULES_OF_EVENT[event]
                guard = f" [{move.guard}]" if move.guard else ""
                lines.append(f"    {state} --> {move.target}: {event.__name__}{guard} ({rules})")
    lines += [
        "    attended --> exam_expired: time: window closes unused (R14)",
        "    certified --> lapsed: time: period ends with R18 unmet (R20)",
        "    certified --> in_grace: time: period ends with R18 unmet, a grace period given (R20)",
        "    in_grace --> certified: PayRenewalFee [R18 met, with the late renewal fee] (R18, R20)",
        "    in_grace --> lapsed: time: grace period ends with R18 unmet (R20)",
        "    cancelled --> credit_expired: time: credit year ends unused (R25)",
    ]
    return "\n".join(lines) + "\n"


@attrs.frozen(kw_only=True)
class KeyDate:
    """A date that matters to the candidate, with the rule it comes from."""

    kind: KeyDateKind
    when: dt.date | dt.datetime
    rule_id: str
    label: str

    def day(self, zone: dt.tzinfo) -> dt.date:
        """The program-local date of this key date."""
        if isinstance(self.when, dt.datetime):
            return to_local_date(self.when, zone)
        return self.when


@attrs.frozen(kw_only=True)
class Status:
    """Where a journey stands on a date, and why."""

    state: State
    as_of: dt.date
    reason: str
    rule_id: str | None = None
    since: dt.date | None = None


KEY_DATE_RULES: Final[Mapping[KeyDateKind, str]] = {
    KeyDateKind.REGISTERED: "R2",
    KeyDateKind.ACCESS_DUE: "R4",
    KeyDateKind.PREWORK_START: "R6",
    KeyDateKind.FREE_CHANGE_DEADLINE: "R9",
    KeyDateKind.PRACTICUM_FIRST_DAY: "R2",
    KeyDateKind.PRACTICUM_LAST_DAY: "R2",
    KeyDateKind.EXAM_OPENS: "R13",
    KeyDateKind.EXAM_CLOSES: "R14",
    KeyDateKind.CERTIFIED: "R16",
    KeyDateKind.PERIOD_END: "R17",
    KeyDateKind.CREDIT_EXPIRES: "R25",
}
"""The rule each kind of key date cites (:meth:`Journey.key_dates`)."""


def event_day(event: Event, zone: dt.tzinfo) -> dt.date:
    """The program-local date an event happens on (an instant's date in ``zone``)."""
    if isinstance(event, Register):
        return to_local_date(event.registration.registered_at, zone, field="registered_at")
    if isinstance(event, GrantAccess):
        return to_local_date(event.at, zone, field="at")
    return event.on


def _check_dates(policy: Policy, field: str, value: dt.date) -> None:
    if not policy.first_year <= value.year <= policy.last_year:
        raise CalendarRangeError(
            field=field,
            value=value,
            first=dt.date(policy.first_year, 1, 1),
            last=dt.date(policy.last_year, 12, 31),
        )


def _describe(event: Event) -> str:
    name = type(event).__name__
    if isinstance(event, Register):
        return f"{name}(registered_at={event.registration.registered_at.isoformat()})"
    if isinstance(event, GrantAccess):
        return f"{name}(at={event.at.isoformat()})"
    return f"{name}(on={event.on.isoformat()})"


# Not slotted on purpose: a journey is copied once per event, and copying an
# instance __dict__ is a single C-level update where slots need a Python loop.
@attrs.frozen(kw_only=True, slots=False)
class Journey:
    """One candidate's journey: the current state, the facts, and the full history.

    Build with :meth:`new` and :meth:`apply` (or :meth:`then`, or
    :meth:`replay`); never by hand.
    """

    policy: Policy
    prices: PriceSchedule
    state: State = State.NEW
    registration: Registration | None = None
    session: Session | None = None
    access_due: dt.datetime | None = None
    access_granted_at: dt.datetime | None = None
    elearning_opened_on: dt.date | None = None
    modules_completed: frozenset[int] = frozenset()
    assessments: tuple[AssessmentResult, ...] = ()
    changes_made: int = 0
    free_changes_used: int = 0
    attendance: Attendance | None = None
    attempts: tuple[ExamAttempt, ...] = ()
    certification_date: dt.date | None = None
    periods: tuple[Period, ...] = ()
    activities: tuple[Activity, ...] = ()
    renewal_fee_payments: tuple[dt.date, ...] = ()
    cancelled_on: dt.date | None = None
    credit_until: dt.date | None = None
    re_enrollments_used: int = 0
    last_event_day: dt.date | None = None
    history: tuple[Event, ...] = ()

    def __getstate__(self) -> dict[str, Any]:
        """The fields only, in their order: what is kept beside them is not the value."""
        return {name: getattr(self, name) for name in _FIELD_NAMES}

    # -- building ------------------------------------------------------------

    @classmethod
    def new(cls, *, policy: Policy | None = None, prices: PriceSchedule | None = None) -> Journey:
        """An empty journey under ``policy`` (default: current) and ``prices`` (shipped)."""
        return cls(
            policy=load_policy() if policy is None else policy,
            prices=load_prices() if prices is None else prices,
        )

    @classmethod
    def replay(
        cls,
        history: Iterable[Event],
        *,
        policy: Policy | None = None,
        prices: PriceSchedule | None = None,
    ) -> Journey:
        """The journey that ``history`` produces from nothing."""
        return cls.new(policy=policy, prices=prices).then(*history)

    def then(self, *events: Event) -> Journey:
        """The journey after applying ``events`` in order (outcomes discarded)."""
        journey = self
        for event in events:
            journey = journey.apply(event).journey
        return journey

    def apply(self, event: Event) -> Outcome:
        """Apply one event; return the outcome. ``self`` is never modified.

        Raises :class:`~cptm_rules.exceptions.TransitionError` (or a subclass)
        naming the state, the event and the events allowed now when the event
        cannot be applied.
        """
        kind = type(event)
        targets = TRANSITIONS[self.state].get(kind)
        if targets is None:
            raise _not_accepted(self, event)
        policy = self.policy
        # Only the two events that carry an instant need the program's zone.
        day: dt.date = (
            event_day(event, policy.zone) if kind is Register or kind is GrantAccess else event.on  # type: ignore[union-attr]
        )
        # Every date a rule computes from (deadlines, windows, periods) must lie where the
        # business calendar and date arithmetic answer: the policy's calendar years.
        # Sessions are checked by the handlers that receive one.
        if not policy.first_year <= day.year <= policy.last_year:
            _check_dates(policy, "event date", day)
        # The family answers what changes (a Handled); the engine checks the target
        # against the table and builds the outcome. This is every event's path, so the
        # family's handler is called here, not through a wrapper of its own, and the
        # next journey and the outcome are built here too (no frame of their own).
        if kind is RecordActivity:
            # An activity is dated on its own day, in any order: it moves no clock.
            at = _holding_the_activity(self, event)  # type: ignore[arg-type]
        else:
            last = self.last_event_day
            if last is not None and day < last:
                raise _out_of_order(self, event, last)
            at = self
        try:
            changes, decisions, advisories, effects = _HANDLERS[kind](at, event, day)
        except Refusal as refusal:
            raise _refused(self, event, refusal) from None
        if at is self:
            # _replace, inlined: the changes come as the handler's own mapping (no
            # keyword unpacking, no second dict), checked for a misspelt field at once.
            if not _JOURNEY_KEYS.issuperset(changes):
                raise _no_such_field(changes)
            fields = self.__dict__.copy()
            fields.update(changes)
            # The history grows by one link, never by a copy (see _Log): a tuple read
            # from the journey before starts a new log from itself.
            done = fields.get("history")
            if done is not None and len(done) < _SHORT:
                fields["history"] = done + (event,)  # noqa: RUF005  # short: a copy is cheapest
            else:
                _logged(fields, event)
            fields["last_event_day"] = day
            journey = _new_instance(Journey)
            _set_attribute(journey, "__dict__", fields)
        else:
            # The journey that holds the activity holds the event already (see
            # _holding_the_activity), and an activity moves no clock: when nothing
            # else changes, it is the next journey.
            journey = _replace(at, changes) if changes else at
        if journey.state not in targets:
            raise _undeclared(self, event, journey)
        # The outcome's builder (outcomes.prebuilt), inlined: its instance dict filled.
        outcome: Outcome = _new_instance(Outcome)
        fields = outcome.__dict__
        fields["journey"] = journey
        fields["event"] = event
        fields["decisions"] = decisions
        fields["advisories"] = advisories
        fields["effects"] = effects
        return outcome

    def allowed_events(self) -> tuple[str, ...]:
        """Names of the events that can be applied in the current state."""
        return _event_names(TRANSITIONS[self.state])

    # -- questions ---------------------------------------------------------------

    @property
    def exam_opens(self) -> dt.date | None:
        """The exam's release date: the last day of the practicum held (R13)."""
        return exam_opens(self.policy, self.session.last_day) if self.session is not None else None

    @property
    def exam_closes(self) -> dt.date | None:
        """The last day to sit the exam: the policy's window from its anchor (R14)."""
        opens = self.exam_opens
        if opens is None or self.session is None:
            return None
        return exam_closes(self.policy, opens, first_day=self.session.first_day)

    @property
    def free_change_deadline(self) -> dt.date | None:
        """The free-change deadline of the practicum held (R9)."""
        if self.session is None:
            return None
        return free_change_deadline(self.policy, self.session.first_day)

    @property
    def registration_day(self) -> dt.date | None:
        """The program-local date of the registration."""
        if self.registration is None:
            return None
        return to_local_date(self.registration.registered_at, self.policy.zone)

    def ledger(self, *, as_of: dt.date, period: Period | None = None) -> Ledger:
        """The continuing-education ledger of ``period`` (default: the one holding ``as_of``).

        ``as_of`` is a ``datetime.date`` on or after the certification date: the
        first period starts then (R17). A later ``as_of`` than the last period's
        end gives the last period's ledger, as it stood when it ended.
        """
        if type(as_of) is not dt.date:
            raise InvalidInputError("as_of", as_of, "a datetime.date")
        if not self.periods:
            raise InvalidInputError(
                "journey", str(self.state), "a certified journey (the ledger starts at R16)"
            )
        first = self.periods[0].start
        if as_of < first:
            raise InvalidInputError(
                "as_of",
                as_of,
                f"a date on or after the certification date {first}, when the first "
                "period starts (R17)",
            )
        if period is not None and not isinstance(period, Period):
            raise InvalidInputError("period", period, "a Period of this journey, or None")
        if period is None:
            period = next((p for p in self.periods if p.contains(as_of)), self.periods[-1])
        # The period before: the fee that renewed it late is not this period's (R20).
        at = self.periods.index(period) if period in self.periods else 0
        return ledger_for(
            period,
            self.activities,
            self.renewal_fee_payments,
            self.policy,
            as_of=as_of,
            previous=self.periods[at - 1] if at else None,
        )

    def qualifying_hours(self, period: Period) -> Decimal:
        """The qualifying hours recorded inside ``period``, each activity id once (R19).

        Counted from every activity recorded so far (a ledger counts those dated
        by its ``as_of``); the journey keeps the latest period's count as
        activities are recorded.
        """
        return self.hours_count(period).hours

    def hours_count(self, period: Period) -> HoursCount:
        """The count of ``period``'s qualifying hours: in all (caps applied) and per category group.

        The latest period's is the one kept as activities are recorded; any other
        is counted once from every activity recorded so far (R18, R19).
        """
        state = self.__dict__
        tally: _CeTally | None = state.get(_TALLY)
        if tally is not None and tally[1].period is period:
            done = state.get("activities")
            if tally[0] == (len(done) if done is not None else state[_ACTIVITIES][2]):
                return tally[1]
        # A new period (or a journey built by hand): count again, once.
        return HoursCount.of(period, self.activities, self.policy)

    def quote(self) -> Quote:
        """What this journey's registration costs under its policy and prices (R21, R22)."""
        if self.registration is None:
            raise InvalidInputError("journey", str(self.state), "a registered journey")
        return quote(
            organisation=self.registration.organisation,
            group_size=self.registration.group_size,
            policy=self.policy,
            prices=self.prices,
        )

    def key_dates(self) -> tuple[KeyDate, ...]:
        """The dates that matter to the candidate, in date order, each with its rule."""
        if self.registration is None or self.session is None or self.access_due is None:
            return ()
        policy = self.policy
        reg_day = to_local_date(self.registration.registered_at, policy.zone)
        first, last = self.session.first_day, self.session.last_day
        prework, prework_label = prework_start(policy, reg_day, first)
        deadline = free_change_deadline(policy, first)
        opens = exam_opens(policy, last)
        deadline_label = (
            "last day to change the practicum for free"
            if deadline >= reg_day
            else "last day to change the practicum for free: already passed at registration, "
            "so a move to a later session pays the class change fee"
        )
        dates = [
            KeyDate(
                kind=KeyDateKind.REGISTERED,
                when=self.registration.registered_at,
                rule_id=KEY_DATE_RULES[KeyDateKind.REGISTERED],
                label="registered",
            ),
            KeyDate(
                kind=KeyDateKind.ACCESS_DUE,
                when=self.access_due,
                rule_id=KEY_DATE_RULES[KeyDateKind.ACCESS_DUE],
                label="eLearning access due",
            ),
            KeyDate(
                kind=KeyDateKind.PREWORK_START,
                when=prework,
                rule_id=KEY_DATE_RULES[KeyDateKind.PREWORK_START],
                label=prework_label,
            ),
            KeyDate(
                kind=KeyDateKind.FREE_CHANGE_DEADLINE,
                when=deadline,
                rule_id=KEY_DATE_RULES[KeyDateKind.FREE_CHANGE_DEADLINE],
                label=deadline_label,
            ),
            KeyDate(
                kind=KeyDateKind.PRACTICUM_FIRST_DAY,
                when=first,
                rule_id=KEY_DATE_RULES[KeyDateKind.PRACTICUM_FIRST_DAY],
                label="practicum first day",
            ),
            KeyDate(
                kind=KeyDateKind.PRACTICUM_LAST_DAY,
                when=last,
                rule_id=KEY_DATE_RULES[KeyDateKind.PRACTICUM_LAST_DAY],
                label="practicum last day",
            ),
            KeyDate(
                kind=KeyDateKind.EXAM_OPENS,
                when=opens,
                rule_id=KEY_DATE_RULES[KeyDateKind.EXAM_OPENS],
                label="exam opens",
            ),
            KeyDate(
                kind=KeyDateKind.EXAM_CLOSES,
                when=exam_closes(policy, opens, first_day=first),
                rule_id=KEY_DATE_RULES[KeyDateKind.EXAM_CLOSES],
                label="last day to take the exam",
            ),
        ]
        if self.certification_date is not None:
            dates.append(
                KeyDate(
                    kind=KeyDateKind.CERTIFIED,
                    when=self.certification_date,
                    rule_id=KEY_DATE_RULES[KeyDateKind.CERTIFIED],
                    label="certified",
                )
            )
        for n, period in enumerate(self.periods, start=1):
            dates.append(
                KeyDate(
                    kind=KeyDateKind.PERIOD_END,
                    when=period.end,
                    rule_id=KEY_DATE_RULES[KeyDateKind.PERIOD_END],
                    label=f"certification period {n} ends (renew before)",
                )
            )
        if self.credit_until is not None:
            dates.append(
                KeyDate(
                    kind=KeyDateKind.CREDIT_EXPIRES,
                    when=self.credit_until,
                    rule_id=KEY_DATE_RULES[KeyDateKind.CREDIT_EXPIRES],
                    label="tuition credit expires",
                )
            )
        order = {kind: i for i, kind in enumerate(KeyDateKind)}
        return tuple(sorted(dates, key=lambda k: (k.day(policy.zone), order[k.kind])))

    def status_on(self, day: dt.date) -> Status:
        """Where the journey stands on ``day``: a pure function of the journey and the date.

        Only events dated on or before ``day`` count; time-driven states
        (exam window closed, lapse, credit expiry) are derived here.
        """
        if type(day) is not dt.date:
            raise InvalidInputError("day", day, "a datetime.date")
        zone = self.policy.zone
        kept = tuple(e for e in self.history if event_day(e, zone) <= day)
        if len(kept) == len(self.history):
            # Every event counts: replaying them would rebuild this very journey.
            return _derived_status(self, day)
        journey = Journey.new(policy=self.policy, prices=self.prices).then(*kept)
        return _derived_status(journey, day)


def _derived_status(journey: Journey, day: dt.date) -> Status:
    asked = status_question(journey, day)
    if asked is None:
        return Status(state=journey.state, as_of=day, reason=f"the journey is {journey.state}")
    table, since, facts = asked
    row = first_answer(table, facts)
    assert row is not None  # noqa: S101  # each status table's last row always answers
    rule_id, case = row
    state = State(verdict_of(case, facts))
    began = since.get(str(state))
    return Status(
        state=state,
        as_of=day,
        rule_id=rule_id,
        since=None if began is None else began(SCALAR, facts),
        reason=case.explain(facts),
    )


StatusQuestion: TypeAlias = tuple[
    Precedence[Any, str], Mapping[str, Callable[[Ops, Any], Any]], Any
]
"""A status table, the formulas of the day each derived state began, and the facts asked."""


class StatusAsked(NamedTuple):
    """What a stored state asks for the status it derives: a family's table and formulas."""

    table: Precedence[Any, str]
    """The family's status table (its last row always answers)."""
    since: Mapping[str, Callable[[Ops, Any], Any]]
    """Per derived state, the formula of the day it began."""
    facts: Callable[..., Any]
    """The table's facts ``(ops, policy, day, anchor)``, from the one date an engine holds."""


STATUS_ASKED: Final[Mapping[State, StatusAsked]] = {
    # The anchor: the exam window's last day (R14), the current period's end (R17, R20),
    # the tuition credit's end (R25; a cancellation without one asks nothing).
    State.ATTENDED: StatusAsked(EXAM_STATUS, EXAM_STATUS_SINCE, ExamStatusCase.of),
    State.CERTIFIED: StatusAsked(PERIOD_STATUS, PERIOD_STATUS_SINCE, PeriodStatusCase.of),
    State.CANCELLED: StatusAsked(CREDIT_STATUS, CREDIT_STATUS_SINCE, CreditStatusCase.of),
}
"""The stored states whose status a family derives, each with what it asks; both engines
read this one table (a journey in :func:`status_question`, the batch path for a cohort)."""


def status_question(journey: Journey, day: dt.date) -> StatusQuestion | None:
    """The family table that says where ``journey`` stands on ``day``, with its facts.

    A stored state in :data:`STATUS_ASKED` asks its family, given the date the
    journey holds for it; any other stands in its stored state, no rule asked.
    """
    state = journey.state
    asked = STATUS_ASKED.get(state)
    if asked is None:
        return None
    if state is State.CERTIFIED:
        current = journey.periods[-1]
        facts = asked.facts(SCALAR, journey.policy, day, current.end, current.start)
        return asked.table, asked.since, facts
    anchor = journey.exam_closes if state is State.ATTENDED else journey.credit_until
    if anchor is None:  # a cancellation refunded, not credited
        return None
    return asked.table, asked.since, asked.facts(SCALAR, journey.policy, day, anchor)


_EVENT_TYPE_NAMED: Final = {t.__name__: t for t in EVENT_TYPES}


def _event_names(types: Iterable[type[Event]]) -> tuple[str, ...]:
    return tuple(t.__name__ for t in types)


def _others_allowed(journey: Journey, event: Event) -> tuple[str, ...]:
    refused = type(event).__name__
    return tuple(name for name in journey.allowed_events() if name != refused)


def _refuse(
    journey: Journey, event: Event, reason: str, rule_id: str | None = None
) -> RuleViolationError:
    return RuleViolationError(
        state=str(journey.state),
        event=_describe(event),
        reason=reason,
        allowed=_others_allowed(journey, event),
        rule_id=rule_id,
    )


def _path_to(state: State, event_type: type[Event]) -> tuple[State, tuple[str, ...]] | None:
    """The nearest state that accepts ``event_type``, and the events that lead there."""
    frontier: list[tuple[State, tuple[str, ...]]] = [(state, ())]
    seen = {state}
    while frontier:
        here, steps = frontier.pop(0)
        if event_type in TRANSITIONS[here]:
            return here, steps
        for move, targets in TRANSITIONS[here].items():
            for target in targets:
                if target not in seen:
                    seen.add(target)
                    frontier.append((target, (*steps, move.__name__)))
    return None


def _not_accepted(journey: Journey, event: Event) -> InvalidInputError | RuleViolationError:
    """The caller's error for an event the journey's state does not accept (or no event)."""
    if type(event) not in _HANDLERS:
        return InvalidInputError(
            "event", event, f"one of the events {', '.join(_event_names(EVENT_TYPES))}"
        )
    return _not_in_this_state(journey, event)


def _out_of_order(journey: Journey, event: Event, last: dt.date) -> TimingError:
    """The caller's error for an event dated before the journey's previous event."""
    return _too_early(
        journey, event, None, last, "events must arrive in date order; the previous event is dated"
    )


def _undeclared(journey: Journey, event: Event, reached: Journey) -> AssertionError:
    # A library bug, never the caller's: the handler left the declared table.
    return AssertionError(
        f"{type(event).__name__} led from {journey.state} to {reached.state}, "
        "which the transition table does not declare"
    )


def _not_in_this_state(journey: Journey, event: Event) -> RuleViolationError:
    reason, allowed = _state_refusal(journey.state, type(event).__name__)
    return RuleViolationError(
        state=str(journey.state),
        event=_describe(event),
        reason=reason,
        allowed=allowed,
        rule_id=_RULES_OF_EVENT[type(event)],
    )


@functools.cache
def _state_refusal(state: State, name: str) -> tuple[str, tuple[str, ...]]:
    """Why ``state`` refuses the event named ``name``, and the other events it allows.

    Read off the constant transition table, so asked once per pair: a cohort's
    journeys refuse the same few pairs thousands of times.
    """
    route = _path_to(state, _EVENT_TYPE_NAMED[name])
    if route is None:
        hint = f"no event leads from state '{state}' to one that accepts it"
    else:
        target, steps = route
        hint = f"it needs state '{target}': apply {', then '.join(steps)} first"
    allowed = tuple(other for other in _event_names(TRANSITIONS[state]) if other != name)
    return f"{name} is not allowed in this state; {hint}", allowed


def _too_early(
    journey: Journey, event: Event, rule_id: str | None, limit: dt.date, what: str
) -> TimingError:
    days = (limit - event_day(event, journey.policy.zone)).days
    return TimingError(
        state=str(journey.state),
        event=_describe(event),
        reason=f"{days_text(days)} too early: {what} {limit.isoformat()}",
        allowed=_others_allowed(journey, event),
        rule_id=rule_id,
        limit=limit,
        days=days,
        side="before",
    )


def _too_late(
    journey: Journey, event: Event, rule_id: str, limit: dt.date, what: str
) -> TimingError:
    days = (event_day(event, journey.policy.zone) - limit).days
    return TimingError(
        state=str(journey.state),
        event=_describe(event),
        reason=f"{days_text(days)} too late: {what} {limit.isoformat()}",
        allowed=_others_allowed(journey, event),
        rule_id=rule_id,
        limit=limit,
        days=days,
        side="after",
    )


def _refused(journey: Journey, event: Event, refusal: Refusal) -> TransitionError:
    """The caller's error for a family's refusal: it names the state and what is allowed."""
    if refusal.limit is None:
        return _refuse(journey, event, refusal.reason, refusal.rule_id)
    if refusal.side == "before":
        return _too_early(journey, event, refusal.rule_id, refusal.limit, refusal.reason)
    assert refusal.rule_id is not None  # noqa: S101  # a deadline is always a rule's
    return _too_late(journey, event, refusal.rule_id, refusal.limit, refusal.reason)


def _replace(journey: Journey, changes: Mapping[str, Any]) -> Journey:
    # attrs.evolve re-runs __init__ field by field; this is the hot path of every
    # event, so copy the instance dict in one step (a dict's own copy, the fastest
    # way CPython has) and give it to a new instance. Only this module builds
    # journeys this way, always from a valid journey and valid values; a misspelt
    # field name is refused (one set comparison in C).
    if not _JOURNEY_KEYS.issuperset(changes):
        raise _no_such_field(changes)
    state = journey.__dict__.copy()
    state.update(changes)
    if _ACTIVITIES in changes:
        state.pop("activities", None)  # the log given replaces it (read, rebuilt from it)
    new = _new_instance(Journey)
    _set_attribute(new, "__dict__", state)
    return new


def _no_such_field(changes: Mapping[str, Any]) -> TypeError:
    unknown = sorted(set(changes) - _JOURNEY_KEYS)
    return TypeError(f"Journey has no field {unknown[0]!r}")


def _logged(fields: dict[str, Any], event: Event) -> None:
    """Append ``event`` to the history kept as a log in a new journey's ``fields`` (see _Log).

    The callers copy a short history themselves (a copy is cheapest), inline, as the
    hot path; this takes a long one and a log.
    """
    done = fields.pop("history", None)
    if done is not None:
        # A tuple read from the journey before starts a new log from itself.
        fields[_HISTORY] = (done, (event, None), len(done) + 1)
    else:
        base, tail, length = fields[_HISTORY]
        fields[_HISTORY] = (base, (event, tail), length + 1)


_new_instance: Final = object.__new__
_set_attribute: Final = object.__setattr__  # a frozen class refuses its own __setattr__
_TALLY: Final = "_ce_tally"
"""Where a journey keeps its continuing-education tally beside its fields (not a field)."""
_HISTORY: Final = "_history_log"
_ACTIVITIES: Final = "_activities_log"
_FIELD_NAMES: Final = tuple(f.name for f in attrs.fields(Journey))
_JOURNEY_KEYS: Final = frozenset({*_FIELD_NAMES, _TALLY, _ACTIVITIES})

# A log is a persistent sequence: ``(base, tail, length)``, the items of the tuple
# ``base`` then those of ``tail``, a linked list ``(item, rest)`` of the items
# appended since, newest first (``None`` when there are none). Appending is one link
# whatever the length, and journeys share what they have in common; nothing in a log
# ever changes. A journey's ``history`` and ``activities`` are kept as logs until read.
_Log = tuple[tuple[Any, ...], Any, int]
_SHORT: Final = 64
"""A history shorter than this grows as a tuple (copying a few pointers beats a log)."""


def _items(log: _Log) -> tuple[Any, ...]:
    base, tail, _ = log
    newest_first = []
    while tail is not None:
        item, tail = tail
        newest_first.append(item)
    newest_first.reverse()
    return base + tuple(newest_first)


class _KeptAsLog:
    """A field kept as a log until it is read; read, it is the tuple (kept beside the log).

    A non-data descriptor: once the tuple is in the journey's dict, Python reads it
    from there without calling this. Two threads reading at once build equal tuples.
    """

    def __init__(self, name: str, log: str) -> None:
        self.name, self.log = name, log

    def __get__(self, journey: Journey | None, owner: type[Journey]) -> Any:  # noqa: ANN401  # the field's own type
        if journey is None:
            return self
        value = _items(journey.__dict__[self.log])
        journey.__dict__[self.name] = value
        return value


# attrs removed the class attributes of the fields; these stand in for two of them.
Journey.history = _KeptAsLog("history", _HISTORY)  # type: ignore[assignment]
Journey.activities = _KeptAsLog("activities", _ACTIVITIES)  # type: ignore[assignment]


# -- handlers ------------------------------------------------------------------------

Handler = Callable[[Any, Any, dt.date], Handled]
"""A family's handler: the journey's facts, the event and its local date; what changes."""


_CeTally = tuple[int, HoursCount]
"""How a journey keeps the hours count of its latest period beside its fields (not a field).

The number of activities recorded when it was made, and the count: a value like the
journey, so a journey built from this one gets a new tally and shares the unchanged
parts of the count's index. A plain pair: one is built for every activity recorded.
"""


def _holding_the_activity(journey: Journey, event: RecordActivity) -> Journey:
    """The journey that holds ``event``'s activity, for its family to answer on.

    How a journey keeps its activities is the engine's: a log, and the hours count of
    the latest period moved by this one record. The family answers on the journey
    that holds the activity, reading the hours from there (``Journey.qualifying_hours``).
    """
    activity = event.activity
    # _replace, inlined (this runs for every activity): the same fields, and the log
    # with the activity in place of the tuple read before (rebuilt from it when read).
    state = journey.__dict__.copy()
    done = state.pop("activities", None)
    log: _Log
    if done is not None:
        log = (done, (activity, None), len(done) + 1)
    else:
        base, tail, length = state[_ACTIVITIES]
        log = (base, (activity, tail), length + 1)
    state[_ACTIVITIES] = log
    periods = state["periods"]
    if periods:
        count = journey.hours_count(periods[-1]).recorded(activity, journey.policy)
        state[_TALLY] = (log[2], count)
    # And the event in its history: a family reads no history (JourneyFacts has none),
    # and when the activity changes nothing else this is the next journey (apply).
    history = state.get("history")
    if history is not None and len(history) < _SHORT:
        state["history"] = history + (event,)  # noqa: RUF005  # short: a copy is cheapest
    else:
        _logged(state, event)
    holding = _new_instance(Journey)
    _set_attribute(holding, "__dict__", state)
    return holding


_HANDLERS: Final[Mapping[type[Event], Handler]] = {
    Register: register,
    GrantAccess: grant_access,
    OpenElearning: open_elearning,
    CompleteModule: complete_module,
    RecordAssessment: record_assessment,
    RequestChange: request_change,
    Substitute: substitute,
    Cancel: cancel,
    ReEnroll: re_enroll,
    RecordAttendance: record_attendance,
    AttemptExam: attempt_exam,
    RecordActivity: record_activity,
    PayRenewalFee: pay_renewal_fee,
}


def event_rules(kind: type[Event]) -> str:
    """The rules an event of ``kind`` answers to (``R9-R11a`` for a change).

    A refusal for the journey's state cites them: the event is not one the state
    accepts, so no single rule refused it.
    """
    return _RULES_OF_EVENT[kind]
