"""Registration: who may enrol, the practicum chosen, lead time, access, a late fee (R1-R4, R28).

The rules of this family are declared here (:data:`RULES`) beside the functions
that decide them. The journey (:mod:`cptm_rules.lifecycle`) applies them when a
candidate registers (R1, R2, R3, R4's due time, R28's fee when a policy puts it in
force) and when access is granted (R4's verdict); it refuses what R2 forbids (a
session already under way, or too long).
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Any, Final, NamedTuple, overload

import attrs

from cptm_rules.declarations import (
    Q_ACCESS,
    Q_CHOOSE_PRACTICUM,
    Q_PREREQUISITES,
    Q_WHICH_PRACTICUM,
    Citation,
    Document,
    InForce,
    Rule,
    RuleKind,
    faq,
)
from cptm_rules.figures import (
    Deadline,
    DeadlineSpec,
    Shorthand,
    deadline,
    fee,
    figure,
    read_as_before,
    whole,
)
from cptm_rules.formulas import (
    SCALAR,
    Case,
    Ops,
    Precedence,
    check_precedence,
    deadline_after_instant,
    deadline_before,
    explained,
)
from cptm_rules.money import Amount, Money
from cptm_rules.rules._build import (
    advisory,
    charges,
    check_in_calendar,
    days,
    decision,
    effect,
    priced,
    refusal_in,
    refused_outside_a_journey,
)
from cptm_rules.types import Handled, Refusal
from cptm_rules.vocabulary import DeadlineUnit, EffectKind, Severity, State

if TYPE_CHECKING:
    from cptm_rules.events import GrantAccess, Register, Registration, Session
    from cptm_rules.outcomes import Advisory, Decision, Effect
    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule
    from cptm_rules.types import JourneyFacts

__all__ = [
    "ACCEPTED_REGISTRATION",
    "ACCESS_VERDICT",
    "LATE_REGISTRATION_FEE",
    "LEAD_TIME_ADVICE",
    "REGISTRATION_FEES",
    "REGISTRATION_REFUSALS",
    "RULES",
    "AccessCase",
    "LateRegistrationCase",
    "RegistrationCase",
    "RegistrationFeeCase",
    "RegistrationFees",
    "RegistrationFigures",
    "access_decision",
    "access_due",
    "check_session",
    "grant_access",
    "late_registration",
    "late_registration_in_force",
    "lead_time_advice",
    "lead_time_advisories",
    "lead_time_rules",
    "lead_time_starts",
    "no_prerequisites",
    "practicum_chosen",
    "register",
    "registered_late",
    "runs_longer_than_a_practicum",
    "send_access",
    "too_long",
]


_ACCESS_DUE: Final = DeadlineSpec(
    what="the eLearning access service level, R4",
    units=((DeadlineUnit.HOURS, 1, 1000), (DeadlineUnit.BUSINESS_DAYS, 1, 1000)),
    shorthands=(
        Shorthand(name="access_due_amount"),
        Shorthand(
            name="access_due_unit",
            words=(("hours", DeadlineUnit.HOURS), ("business_days", DeadlineUnit.BUSINESS_DAYS)),
        ),
    ),
)
"""R4: access is owed within hours (elapsed) or business days of the registration instant."""

_LEAD_TIME_MINIMUM: Final = DeadlineSpec(
    what="the minimum lead time, R3",
    units=((DeadlineUnit.CALENDAR_DAYS, 0, 3650), (DeadlineUnit.BUSINESS_DAYS, 0, 2600)),
    shorthands=(Shorthand(name="lead_time_minimum_days", unit=DeadlineUnit.CALENDAR_DAYS),),
)
"""R3: counted back from the practicum's first day, in calendar or business days."""


@attrs.frozen(kw_only=True, slots=False)
class RegistrationFigures:
    """The figures R3, R4 and R28 read, under ``[registration]`` in policy files.

    Part of :class:`~cptm_rules.policy.Policy`: a figure declared here is read from
    policy files, checked, cited and shown like every other.
    """

    access_due: Deadline = deadline("registration", "R4", _ACCESS_DUE)
    """R4: ``access_due = { amount = 2, unit = "hours" }``, or the older
    ``access_due_amount`` and ``access_due_unit``."""
    lead_time_minimum: Deadline = deadline("registration", "R3", _LEAD_TIME_MINIMUM)
    """R3: ``lead_time_minimum = { amount = 28, unit = "calendar_days" }``, or the older
    ``lead_time_minimum_days``."""
    # Not "late_registration_days": a fee key mistakenly written in a policy file
    # (late_registration_fee) would then read as a typo of it, and be told to write days.
    late_registration_within_days: int = figure("registration", "R28", whole(0, 365), default=0)
    """R28: registering fewer than this many days before the first day pays the
    late-registration fee; 0 puts R28 out of force."""

    access_due_amount = read_as_before("access_due", "access_due_amount")
    access_due_unit = read_as_before("access_due", "access_due_unit")
    lead_time_minimum_days = read_as_before("lead_time_minimum", "lead_time_minimum_days")


@attrs.frozen(kw_only=True, slots=False)
class RegistrationFees:
    """The amounts the registration rules charge: the late-registration fee (R28).

    Part of :class:`~cptm_rules.pricing.PriceSchedule`: an amount declared here is
    read from price schedule files (or ``"unknown"``) like every other.
    """

    late_registration_fee: Amount = fee("R28", default="0")
    """R28: zero puts the rule out of force."""


def late_registration_in_force(policy: Policy, prices: PriceSchedule) -> bool:
    """Whether R28 charges anyone: the policy gives it days and the schedule a fee.

    A fee of zero, or 0 days, puts the rule out of force (the shipped policies and
    prices): no decision at all. An unknown fee is in force, charged as unknown (R22).
    """
    charged = prices.late_registration_fee
    return policy.late_registration_within_days > 0 and not (
        isinstance(charged, Money) and charged.amount == 0
    )


RULES: Final = (
    Rule(
        id="R1",
        verdicts=("accepted",),
        exercised_by="every registration",
        title="No prerequisites",
        kinds=(RuleKind.REQUIREMENT,),
        statement=(
            "Enrolment is open to everyone: the engine checks no experience, education or "
            "earlier credential, and never refuses an applicant for who they are."
        ),
        sources=(
            faq(Q_PREREQUISITES),
            Citation(
                document=Document.OLDER_FAQ,
                locator="about two years in a training role is ideal but not required",
            ),
        ),
    ),
    Rule(
        id="R2",
        verdicts=(
            "practicum_chosen",
            "refused",
        ),
        exercised_by="a registration, or one whose practicum has already started",
        title="Practicum chosen at registration",
        kinds=(RuleKind.REQUIREMENT,),
        statement=(
            "A registration carries the email address that eLearning access goes to and "
            "exactly one practicum session (first day, last day). A missing session, a last "
            "day before the first, or a session already under way on the registration date "
            "is an error."
        ),
        sources=(faq(Q_WHICH_PRACTICUM), faq(Q_ACCESS)),
    ),
    Rule(
        id="R3",
        verdicts=("advisory",),
        exercised_by=(
            "a registration or a change fewer than the recommended days before the practicum"
        ),
        title="Lead time",
        kinds=(RuleKind.ADVISORY,),
        statement=(
            "Registering fewer than {registration.lead_time_minimum} before the "
            "practicum's first day raises a strong warning; from "
            "{registration.lead_time_minimum} up to (not including) the "
            "{prework.prework_recommended} of R6 raises a warning that the program "
            "recommends that longer lead time."
        ),
        sources=(faq(Q_CHOOSE_PRACTICUM),),
    ),
    Rule(
        id="R4",
        verdicts=(
            "on_time",
            "breach",
            "refused",
        ),
        exercised_by="a registration whose eLearning access is granted (on time or late)",
        title="eLearning access",
        kinds=(RuleKind.SERVICE_LEVEL,),
        statement=(
            "Access to the self-paced modules is owed to the registration email within "
            "{registration.access_due} of the "
            "registration instant (hours are elapsed time; business days end at 23:59:59 "
            "program time). Instants are timezone-aware; a late grant is recorded and "
            "reported as a breach, not refused."
        ),
        sources=(
            faq(Q_ACCESS),
            Citation(document=Document.OLDER_FAQ, locator="access within two business days"),
        ),
    ),
    Rule(
        id="R28",
        verdicts=("fee",),
        exercised_by=(
            "a registration fewer than the late-registration days before the practicum, "
            "under a policy and a price schedule that put R28 in force"
        ),
        title="Late registration",
        kinds=(RuleKind.CONSEQUENCE, RuleKind.POLICY_SWITCH),
        statement=(
            "Registering fewer than {registration.late_registration_within_days} days before "
            "the practicum's first day pays the late-registration fee "
            "({prices.late_registration_fee}). The sources state no such fee: 0 days or a "
            "zero fee puts the rule out of force, and then no registration is charged and no "
            "decision cites it."
        ),
        sources=(faq(Q_CHOOSE_PRACTICUM),),
        in_force=(
            InForce(
                verdicts=("fee",),
                when=late_registration_in_force,
                off="0 late-registration days or a zero late-registration fee",
            ),
        ),
    ),
)
"""The rules R1, R2, R3, R4 and R28."""


@overload
def access_due(policy: Policy, registered_at: dt.datetime) -> dt.datetime: ...
@overload
def access_due(policy: Policy, registered_at: Any, *, ops: Ops) -> Any: ...  # noqa: ANN401
def access_due(policy: Policy, registered_at: Any, *, ops: Ops = SCALAR) -> Any:
    """The latest instant eLearning access may arrive and be on time (R4).

    Hours are elapsed time, computed in UTC (two hours across a daylight-saving
    change are two real hours). Business days end at 23:59:59 program time on
    the n-th business day after the registration's local date.
    """
    return deadline_after_instant(
        ops, policy.calendar, policy.zone, policy.access_due, registered_at
    )


class AccessCase(NamedTuple):
    """What R4 compares: when access was due and when it was granted (one or many)."""

    policy: Policy
    due: Any
    granted: Any
    registration: Registration | None = None


def _granted_late(ops: Ops, case: AccessCase) -> Any:  # noqa: ANN401, ARG001  # a mask
    return case.granted > case.due


def _access_explained(case: AccessCase) -> Decision:
    assert case.registration is not None  # noqa: S101  # explanations are one candidate's
    return access_decision(case.policy, case.registration, case.due, case.granted)


ACCESS_VERDICT: Final[Precedence[AccessCase, Decision]] = check_precedence(
    "was access on time?",
    (("R4", Case(verdicts=("on_time", "breach"), which=_granted_late, explain=_access_explained)),),
)
"""R4: access on or before its due time is on time; later, a breach (recorded, never refused)."""


class RegistrationCase(NamedTuple):
    """What R2 compares on registering: the registration's date and the session chosen."""

    policy: Policy
    day: Any
    first: Any
    last: Any
    session: Session | None = None


def runs_longer_than_a_practicum(ops: Ops, policy: Policy, first: Any, last: Any) -> Any:  # noqa: ANN401  # a mask
    """R2: whether a session from ``first`` to ``last`` runs more days than a practicum may.

    The one test of a session's length, for a registration (R2), a change (R11) and
    a re-enrolment (R25) alike; :func:`too_long` says why.
    """
    return ops.days_from(first, last) > policy.max_session_days


def too_long(policy: Policy, session: Session) -> Refusal:
    """The refusal of a session that runs longer than a practicum may (R2)."""
    days = (session.last_day - session.first_day).days + 1
    return Refusal.because(
        None,
        f"the session {session} runs {days} days; a practicum runs at most "
        f"{policy.max_session_days} days (practicum.max_session_days)",
    )


def _longer_than_a_practicum(ops: Ops, case: RegistrationCase) -> Any:  # noqa: ANN401
    return runs_longer_than_a_practicum(ops, case.policy, case.first, case.last)


def _already_started(ops: Ops, case: RegistrationCase) -> Any:  # noqa: ANN401, ARG001
    return case.first <= case.day


def _too_long(case: RegistrationCase) -> Refusal:
    assert case.session is not None  # noqa: S101  # explanations are one candidate's
    return too_long(case.policy, case.session)


def _started(case: RegistrationCase) -> Refusal:
    return Refusal.because(
        None,
        f"the practicum {case.session} has already started on the registration date {case.day}",
    )


REGISTRATION_REFUSALS: Final[Precedence[RegistrationCase, Refusal]] = check_precedence(
    "may this registration be made?",
    (
        ("R2", Case(verdicts=("refused",), when=_longer_than_a_practicum, explain=_too_long)),
        ("R2", Case(verdicts=("refused",), when=_already_started, explain=_started)),
    ),
)
"""What a registration needs (R2), in this order: a session no longer than a practicum
runs, not started on the registration's date."""


class RegistrationFeeCase(NamedTuple):
    """What a fee charged on registering compares (R28): the date and the first day.

    One candidate's or a cohort's: the batch path gives these to every table of
    :data:`REGISTRATION_FEES`.
    """

    policy: Policy
    prices: PriceSchedule
    day: Any
    first: Any


LateRegistrationCase = RegistrationFeeCase
"""The earlier name of :class:`RegistrationFeeCase`, still importable."""


def registered_late(ops: Ops, case: RegistrationFeeCase) -> Any:  # noqa: ANN401  # a mask
    """R28: registered fewer than the late-registration days before the first day (in force)."""
    if not late_registration_in_force(case.policy, case.prices):
        return False
    return ops.days_between(case.day, case.first) < case.policy.late_registration_within_days


def _late_fee(case: RegistrationFeeCase) -> Decision:
    policy, day, first = case.policy, case.day, case.first
    within = policy.late_registration_within_days
    before = (first - day).days
    last_on_time = first - dt.timedelta(days=within)
    return decision(
        rule_id="R28",
        verdict="fee",
        policy=policy.label,
        fee=case.prices.late_registration_fee,
        figures=policy.figures("late_registration_within_days"),
        dates=(("registered", day), ("practicum first day", first)),
        reason=priced(
            case.prices,
            lambda: (
                f"registered on {day}, {days(before)} before the practicum's first day {first}: "
                f"fewer than {within} days, so the late-registration fee applies"
            ),
        ),
        alternatives=(f"free: a registration on or before {last_on_time} pays no late fee",),
    )


LATE_REGISTRATION_FEE: Final[Precedence[RegistrationFeeCase, Decision]] = check_precedence(
    "does this registration pay the late-registration fee?",
    (
        (
            "R28",
            Case(
                verdicts=("fee",),
                when=registered_late,
                fees=("late_registration_fee",),
                explain=_late_fee,
            ),
        ),
    ),
)
"""R28: a registration fewer than the policy's days before the first day pays the fee.

No row answers a registration on time, or one under a policy or price schedule
that puts R28 out of force: there is then no decision at all.
"""

REGISTRATION_FEES: Final[tuple[Precedence[RegistrationFeeCase, Decision], ...]] = (
    LATE_REGISTRATION_FEE,
)
"""Every table of a fee charged on registering, in order: the first that charges answers.

The batch path asks each of them (its ``late_fee`` columns), so a new fee charged on
registering, over :class:`RegistrationFeeCase`, is answered there once listed here.
"""


def late_registration(
    policy: Policy, prices: PriceSchedule, day: dt.date, first_day: dt.date
) -> Decision | None:
    """R28: the late-registration fee a registration on ``day`` pays, or ``None``."""
    # Positional, as every case a handler builds (policy, prices, day, first).
    return explained(LATE_REGISTRATION_FEE, RegistrationFeeCase(policy, prices, day, first_day))


def register(journey: JourneyFacts, event: Register, day: dt.date) -> Handled:
    """A registration under the version in force on its date: R1-R3, R4's due time, R28."""
    chosen = journey.policy
    # A version governs the registrations made on or after its effective date; an
    # earlier registration is judged by the version in force on its date.
    policy = chosen.in_force_on(day)
    in_force_note = ""
    changes: dict[str, Any] = {}
    if policy is not chosen:
        changes["policy"] = policy
        in_force_note = (
            f"; judged by policy {policy.label}: policy {chosen.name} is in force from "
            f"{chosen.effective_from}, after this registration"
        )
    # Prices likewise: the schedule in force on the registration's date charges it.
    prices = journey.prices.in_force_on(day)
    if prices is not journey.prices:
        changes["prices"] = prices
    if prices.dated:
        in_force_note += f"; charged by prices {prices.label}"
    registration = event.registration
    session = registration.session
    first, last = session.first_day, session.last_day
    # check_in_calendar's test asked here first: a session inside the years needs no call.
    if not policy.first_year <= first.year <= last.year <= policy.last_year:
        check_in_calendar(policy, "first_day", first)
        check_in_calendar(policy, "last_day", last)
    # Positional (policy, day, first, last, session): by keyword it cost twice as much.
    case = RegistrationCase(policy, day, first, last, session)
    refusal = refusal_in(REGISTRATION_REFUSALS, case)
    if refusal is not None:
        raise refusal
    due = access_due(policy, registration.registered_at)
    changes.update(
        state=State.REGISTERED, registration=registration, session=session, access_due=due
    )
    decisions: tuple[Decision, ...] = (
        no_prerequisites(policy.label),
        practicum_chosen(policy, day, registration, in_force_note),
    )
    effects: tuple[Effect, ...] = (send_access(registration, due),)
    late = late_registration(policy, prices, day, first)
    if late is not None:
        decisions = (*decisions, late)
        effects = (*effects, *charges(late, "the late-registration fee"))
    # Positional (changes, decisions, advisories, effects), as every handler answers.
    return Handled(changes, decisions, lead_time_advisories(policy, day, first), effects)


def grant_access(journey: JourneyFacts, event: GrantAccess, day: dt.date) -> Handled:  # noqa: ARG001  # every handler is given the day
    """The eLearning access granted: on time or a breach (R4), never before the registration."""
    registration, due = journey.registration, journey.access_due
    assert registration is not None  # noqa: S101  # registered states hold a registration
    assert due is not None  # noqa: S101  # and an access due time
    if event.at < registration.registered_at:
        raise Refusal.because(
            "R4",
            f"access at {event.at.isoformat()} would precede the registration at "
            f"{registration.registered_at.isoformat()}",
        )
    # Positional (policy, due, granted, registration), as every case a handler builds.
    given = explained(ACCESS_VERDICT, AccessCase(journey.policy, due, event.at, registration))
    assert given is not None  # noqa: S101  # R4 always answers
    return Handled({"state": State.IN_PREWORK, "access_granted_at": event.at}, (given,))


@functools.cache
def no_prerequisites(policy_name: str) -> Decision:
    """R1: nothing about the applicant is checked."""
    # The same for every registration under a policy: built once (a pure memo).
    return decision(
        rule_id="R1",
        verdict="accepted",
        policy=policy_name,
        reason="the program has no prerequisites: nothing about the applicant is checked",
    )


def practicum_chosen(
    policy: Policy, day: dt.date, registration: Registration, note: str
) -> Decision:
    """R2: the registration holds the practicum it chose."""
    session = registration.session
    return decision(
        rule_id="R2",
        verdict="practicum_chosen",
        policy=policy.label,
        reason=lambda: f"registered on {day} for the practicum {session}{note}",
        dates=(
            ("registered", registration.registered_at),
            ("practicum first day", session.first_day),
        ),
    )


def send_access(registration: Registration, due: dt.datetime) -> Effect:
    """R4: what the program owes on registering: access, by ``due``."""
    return effect(
        kind=EffectKind.SEND_ACCESS,
        rule_id="R4",
        due=due,
        detail=lambda: f"send eLearning access to {registration.email}",
    )


def check_session(
    policy: Policy, session: Session, rule_id: str, *, event: str = "Register"
) -> None:
    """Refuse a session outside the calendar years, or longer than a practicum runs (R2).

    The check a journey makes of a session an event brings, for callers outside a
    journey. ``rule_id`` names the rule whose event brings the session: R2 for a
    registration, R11 for a change, R25 for a re-enrolment; ``event`` is the
    event's name the message gives. A day outside the calendar raises
    :class:`~cptm_rules.exceptions.CalendarRangeError`, a session too long a
    :class:`~cptm_rules.exceptions.RuleViolationError` citing ``rule_id`` (with no
    state, as :func:`~cptm_rules.lifecycle.judge_change` does).
    """
    check_in_calendar(policy, "first_day", session.first_day)
    check_in_calendar(policy, "last_day", session.last_day)
    if runs_longer_than_a_practicum(SCALAR, policy, session.first_day, session.last_day):
        raise refused_outside_a_journey(too_long(policy, session), event, rule_id)


LEAD_TIME_ADVICE: Final = (None, Severity.STRONG_WARNING, Severity.WARNING)
"""R3, R6: a lead-time advisory's severity by :func:`lead_time_advice`'s answer: none
(the prework's recommended time is left), a strong warning (less than the minimum lead
time is left too), a warning (less than the prework's time only)."""


def _prework_by(ops: Ops, policy: Policy, first_day: Any) -> Any:  # noqa: ANN401
    # R6: the last day that leaves the prework its recommended time.
    return deadline_before(ops, policy.calendar, policy.prework_recommended, first_day)


def _lead_by(ops: Ops, policy: Policy, first_day: Any) -> Any:  # noqa: ANN401
    # R3: the last day that leaves the minimum lead time.
    return deadline_before(ops, policy.calendar, policy.lead_time_minimum, first_day)


def lead_time_advice(ops: Ops, policy: Policy, start: Any, first_day: Any) -> Any:  # noqa: ANN401  # a place
    """R3, R6: the advisory ``start`` gets before ``first_day``: its place in LEAD_TIME_ADVICE.

    None when ``start`` leaves the prework its recommended time; else a strong
    warning when it leaves less than the minimum lead time too, a warning otherwise.
    For one candidate the minimum lead time's day is counted only where the
    prework's time is short (the conditions are asked in turn).
    """
    prework = _prework_by(ops, policy, first_day)
    return ops.first_case(
        (
            lambda: start <= prework,
            lambda: start > _lead_by(ops, policy, first_day),
            lambda: start > prework,
        )
    )


def lead_time_starts(policy: Policy, first_day: Any, *, ops: Ops) -> tuple[Any, Any]:  # noqa: ANN401
    """R6, R3: the last days that leave the prework its time and the minimum lead time.

    The days :func:`lead_time_advice` compares with; the batch path reads them to
    leave a day counted off the business calendar to the journey.
    """
    return _prework_by(ops, policy, first_day), _lead_by(ops, policy, first_day)


def lead_time_advisories(
    policy: Policy, start: dt.date, first_day: dt.date
) -> tuple[Advisory, ...]:
    """R3 and R6: a warning when ``start`` leaves less time before ``first_day`` than advised."""
    severity = LEAD_TIME_ADVICE[lead_time_advice(SCALAR, policy, start, first_day)]
    if severity is None:
        return ()
    before = (first_day - start).days
    prework, lead = policy.prework_recommended, policy.lead_time_minimum
    # Today's files give both in days: the prework's is then said as a bare number.
    prework_words = str(prework.amount) if prework.unit is lead.unit else prework.words()
    if severity is Severity.STRONG_WARNING:
        return (
            advisory(
                rule_ids=("R3", "R6"),
                severity=severity,
                message=lambda: (
                    f"only {days(before)} before the practicum: the program recommends "
                    f"at least {lead.words()}, and "
                    f"{prework_words} for the prework; consider a later "
                    "session"
                ),
            ),
        )
    return (
        advisory(
            rule_ids=("R3", "R6"),
            severity=severity,
            message=lambda: (
                f"{days(before)} before the practicum: the program recommends "
                f"{prework.words()} for the prework"
            ),
        ),
    )


def lead_time_rules(policy: Policy) -> tuple[str, ...]:
    """R3, R6: the rules :func:`lead_time_advisories` cites, as its own advisory names them.

    Asked of a start after the first day, which every policy advises on (the batch
    path's answer columns read them here rather than naming them).
    """
    first_day = dt.date(policy.last_year, 12, 31)
    (given,) = lead_time_advisories(policy, first_day + dt.timedelta(days=1), first_day)
    return given.rule_ids


def access_decision(
    policy: Policy, registration: Registration, due: dt.datetime, at: dt.datetime
) -> Decision:
    """R4: access granted ``at`` is on time up to ``due``; later, a breach (never refused)."""
    figures = policy.figures("access_due")
    dates = (("registered", registration.registered_at), ("due", due), ("granted", at))
    # Compared as instants in UTC: Python compares two times of one zone by their wall
    # clocks, which reads 02:01 as before 03:00 on the night clocks go forward.
    utc = AccessCase(policy, due.astimezone(dt.UTC), at.astimezone(dt.UTC))
    if not _granted_late(SCALAR, utc):
        given = decision(
            rule_id="R4",
            verdict="on_time",
            policy=policy.label,
            figures=figures,
            dates=dates,
            reason=lambda: (
                f"access granted at {at.isoformat()}, on or before the due time {due.isoformat()}"
            ),
            alternatives=("breach: granted within the service level",),
        )
    else:
        late = utc.granted - utc.due
        given = decision(
            rule_id="R4",
            verdict="breach",
            policy=policy.label,
            figures=figures,
            dates=dates,
            reason=lambda: (
                f"access granted at {at.isoformat()}, "
                f"{late} after the due time {due.isoformat()}: a service-level "
                "breach, recorded and not refused"
            ),
        )
    return given


ACCEPTED_REGISTRATION: Final = (("R1", "accepted"), ("R2", "practicum_chosen"))
"""The ``(rule, verdict)`` pairs every accepted registration decides (:func:`register`):
no prerequisites (R1) and the practicum chosen (R2), whatever else it decides."""
