"""Cancellation and transfer: refunds, tuition credit, no-shows, substitution (R24-R27).

The rules of this family are declared here (:data:`RULES`) beside the functions
that decide them, and the handling of ``Cancel``, ``ReEnroll`` and ``Substitute``
(:func:`cancel`, :func:`re_enroll`, :func:`substitute`): each answers a
:class:`~cptm_rules.types.Handled` that the journey (:mod:`cptm_rules.lifecycle`)
applies, and refuses what the rules forbid (a cancellation or a substitution once
the practicum started, a re-enrollment without credit or past it). The journey
applies them too on an absence recorded with or without notice.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Final, NamedTuple, overload

import attrs

from cptm_rules.calendar import to_local_date
from cptm_rules.declarations import (
    Rule,
    RuleKind,
    terms,
)
from cptm_rules.figures import fee, figure, whole
from cptm_rules.formulas import SCALAR, Case, Ops, Precedence, check_precedence
from cptm_rules.money import Amount, Money, UnknownAmount
from cptm_rules.rules._build import (
    check_in_calendar,
    decision,
    effect,
    money_or_unknown,
    refusal_in,
)
from cptm_rules.rules.practicum_changes import charge, deadline_words, free_change_deadline
from cptm_rules.rules.registration import (
    lead_time_advisories,
    runs_longer_than_a_practicum,
    too_long,
)
from cptm_rules.types import Handled, Refusal
from cptm_rules.vocabulary import EffectKind, State

if TYPE_CHECKING:
    from cptm_rules.events import Cancel, ReEnroll, Session, Substitute
    from cptm_rules.outcomes import Decision, Effect
    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule
    from cptm_rules.types import JourneyFacts

__all__ = [
    "CANCEL_REFUSALS",
    "NEVER",
    "RE_ENROL_CREDIT",
    "RE_ENROL_SESSION",
    "RULES",
    "CancelCase",
    "CancellationFees",
    "CancellationFigures",
    "ReEnrolCase",
    "cancel",
    "cancellation_decisions",
    "credit_until",
    "no_show",
    "re_enroll",
    "re_enrolled",
    "refund_due",
    "substitute",
    "substitution",
    "substitution_effects",
]


@attrs.frozen(kw_only=True, slots=False)
class CancellationFigures:
    """The figures R24 and R25 read, under ``[cancellation]`` in policy files.

    Part of :class:`~cptm_rules.policy.Policy`: a figure declared here is read from
    policy files, checked, cited and shown like every other.
    """

    early_cancellation_days: int = figure("cancellation", "R24", whole(0, 3650))
    tuition_credit_years: int = figure("cancellation", "R25", whole(0, 50))
    re_enrollments: int = figure("cancellation", "R25", whole(0, 100))


@attrs.frozen(kw_only=True, slots=False)
class CancellationFees:
    """The amounts the cancellation rules keep.

    Part of :class:`~cptm_rules.pricing.PriceSchedule`: an amount declared here is
    read from price schedule files (or ``"unknown"``) like every other.
    """

    administrative_fee: Amount = fee("R24")
    """the administrative fee kept on an early cancellation (R24)."""


RULES: Final = (
    Rule(
        id="R24",
        verdicts=(
            "refund",
            "not_covered",
        ),
        exercised_by="a candidate who cancels in writing, early or late",
        title="Early cancellation",
        kinds=(RuleKind.CONSEQUENCE,),
        statement=(
            "A written cancellation within {cancellation.early_cancellation_days} days of "
            "registering, before the eLearning was first opened, is refunded in full less "
            "the administrative fee ({prices.administrative_fee}). The terms "
            "settle no other cancellation: the engine answers 'not covered' instead of "
            "guessing."
        ),
        sources=(terms("cancellation within 5 days of registering"),),
    ),
    Rule(
        id="R25",
        verdicts=(
            "credit",
            "re_enrolled",
            "refused",
            "credit_expired",
        ),
        exercised_by="a candidate who cancels and re-enrols (or lets the tuition credit expire)",
        title="Tuition credit",
        kinds=(RuleKind.CONSEQUENCE,),
        statement=(
            "After a cancellation the tuition stays valid toward another practicum for "
            "{cancellation.tuition_credit_years} year(s), for "
            "{cancellation.re_enrollments} re-enrollment(s)."
        ),
        sources=(terms("tuition valid for one year, one re-enrollment"),),
    ),
    Rule(
        id="R26",
        verdicts=(
            "forfeited",
            "refused",
        ),
        exercised_by=(
            "a candidate who does not attend without notice, or cancels after the practicum started"
        ),
        title="No-show",
        kinds=(RuleKind.CONSEQUENCE,),
        statement="Not attending without written notice forfeits the whole course price.",
        sources=(terms("no-show without written notice"),),
    ),
    Rule(
        id="R27",
        verdicts=(
            "free",
            "fee",
            "refused",
        ),
        exercised_by="a candidate whose seat is taken by a substitute",
        title="Substitution",
        kinds=(RuleKind.CONSEQUENCE,),
        statement=(
            "Another person may take the seat; inside the change-fee window of R10 that "
            "costs the class change fee."
        ),
        sources=(terms("substitution"),),
    ),
)
"""The rules R24, R25, R26, R27."""


def cancellation_decisions(
    journey: JourneyFacts, on: dt.date
) -> tuple[tuple[Decision, ...], dt.date | None]:
    """R24 or R25: a refund within the window, before the eLearning is opened.

    Otherwise R25's tuition credit, with the day it ends.
    """
    policy, prices = journey.policy, journey.prices
    registration = journey.registration
    assert registration is not None  # noqa: S101  # registered states
    reg_day = to_local_date(registration.registered_at, policy.zone)
    days = (on - reg_day).days
    opened = journey.elearning_opened_on
    window = policy.early_cancellation_days
    figures = policy.figures("early_cancellation_days")
    dates: tuple[tuple[str, dt.date], ...] = (("registered", reg_day), ("cancelled", on))
    if opened is not None:
        dates = (*dates, ("eLearning first opened", opened))
    case = CancelCase(
        policy=policy,
        on=on,
        held_first=None,
        registered_on=reg_day,
        opened=NEVER if opened is None else opened,
    )
    if refund_due(SCALAR, case):
        price = prices.program_price
        admin = prices.administrative_fee
        if isinstance(price, Money) and isinstance(admin, Money):
            refund: Amount = price - admin
        else:
            missing = price if isinstance(price, UnknownAmount) else admin
            assert isinstance(missing, UnknownAmount)  # noqa: S101  # one of the two is unknown
            refund = missing
        refunded = decision(
            rule_id="R24",
            verdict="refund",
            refund=refund,
            fee=admin,
            policy=policy.label,
            figures=figures,
            dates=dates,
            reason=lambda: (
                f"cancelled in writing on day {days} after registering "
                f"(within {window}) and before the eLearning was opened: full "
                f"refund less the administrative fee {admin}"
            ),
            alternatives=("R25 tuition credit: the tuition is refunded instead",),
        )
        return (refunded,), None
    why = (
        f"day {days} after registering is past the {window}-day window"
        if days > window
        else f"the eLearning was already opened on {opened}"
    )
    not_covered = decision(
        rule_id="R24",
        verdict="not_covered",
        policy=policy.label,
        figures=figures,
        dates=dates,
        reason=lambda: (
            f"no refund rule applies: {why}; the terms settle refunds only "
            f"for cancellations within {window} days of registering and before "
            "the eLearning is opened, so this refund is not covered"
        ),
    )
    until = credit_until(policy, on)
    remaining = policy.re_enrollments - journey.re_enrollments_used
    credit = decision(
        rule_id="R25",
        verdict="credit",
        policy=policy.label,
        figures=policy.figures("tuition_credit_years", "re_enrollments"),
        dates=(("cancelled", on), ("credit valid until (exclusive)", until)),
        reason=lambda: (
            f"the tuition stays valid toward another practicum until {until} "
            f"(exclusive); {remaining} re-enrollment(s) remain"
        ),
    )
    return (not_covered, credit), until


def no_show(policy: Policy, prices: PriceSchedule) -> Decision:
    """R26: a candidate absent without written notice forfeits the whole course price."""
    return decision(
        rule_id="R26",
        verdict="forfeited",
        policy=policy.label,
        fee=prices.program_price,
        reason=lambda: (
            "did not attend the practicum without written notice: the "
            f"whole course price ({prices.program_price}) is forfeited"
        ),
        alternatives=("R25 tuition credit: needs written notice",),
    )


def substitution(
    policy: Policy, prices: PriceSchedule, event: Substitute, session: Session
) -> Decision:
    """R27: another person takes the seat; after the free-change deadline it pays the fee."""
    deadline = free_change_deadline(policy, session.first_day)
    dates = (("requested", event.on), ("free-change deadline", deadline))
    if event.on <= deadline:
        return decision(
            rule_id="R27",
            verdict="free",
            policy=policy.label,
            dates=dates,
            reason=lambda: (
                f"substitution requested on {event.on}, on or before the "
                f"free-change deadline {deadline}, {deadline_words(policy, session.first_day)}"
            ),
            alternatives=("R10 window: the fee applies only after the deadline",),
        )
    return decision(
        rule_id="R27",
        verdict="fee",
        fee=prices.class_change_fee,
        policy=policy.label,
        dates=dates,
        reason=lambda: (
            f"substitution requested on {event.on}, inside the change-fee "
            f"window that began after {deadline} (R10)"
        ),
    )


def substitution_effects(given: Decision, event: Substitute) -> tuple[Effect, ...]:
    """R27: charge the fee if one is due, and send access to the substitute."""
    return (
        *charge(given),
        effect(
            kind=EffectKind.SEND_ACCESS,
            rule_id="R27",
            detail=lambda: f"send eLearning access to the substitute {event.email}",
        ),
    )


def re_enrolled(policy: Policy, event: ReEnroll, until: dt.date) -> Decision:
    """R25: the tuition credit, valid until ``until``, pays for another practicum."""
    return decision(
        rule_id="R25",
        verdict="re_enrolled",
        policy=policy.label,
        dates=(("re-enrolled", event.on), ("credit valid until", until)),
        reason=lambda: (
            f"the tuition credit (valid until {until}) is used for the practicum {event.session}"
        ),
    )


# -- the conditions and dates, written once for one candidate or many ------------------


class CancelCase(NamedTuple):
    """What R24-R26 compare on a cancellation, for one candidate or many (see formulas)."""

    policy: Policy
    on: Any
    held_first: Any
    registered_on: Any
    opened: Any
    """the day the eLearning was first opened (:data:`NEVER` when it was not)."""


NEVER: Final = dt.date.max
"""The eLearning-opened day of one who never opened it (later than any cancellation)."""


def _on_or_after_the_first_day(ops: Ops, case: CancelCase) -> Any:  # noqa: ANN401, ARG001  # a mask
    return case.on >= case.held_first


def _started(case: CancelCase) -> Refusal:
    return Refusal.too_late(
        None,
        case.held_first - dt.timedelta(days=1),
        "the practicum has started; record attendance instead. The last day to cancel was",
    )


CANCEL_REFUSALS: Final[Precedence[CancelCase, Refusal]] = check_precedence(
    "may this cancellation be made?",
    (("R26", Case(verdicts=("refused",), when=_on_or_after_the_first_day, explain=_started)),),
)
"""What a cancellation needs: the practicum held has not started (R26)."""


def refund_due(ops: Ops, case: CancelCase) -> Any:  # noqa: ANN401  # a mask
    """R24: cancelled within the window after registering, before the eLearning was opened."""
    within = ops.days_between(case.registered_on, case.on) <= case.policy.early_cancellation_days
    return within & (case.opened > case.on)


@overload
def credit_until(policy: Policy, cancelled_on: dt.date) -> dt.date: ...
@overload
def credit_until(policy: Policy, cancelled_on: Any, *, ops: Ops) -> Any: ...  # noqa: ANN401
def credit_until(policy: Policy, cancelled_on: Any, *, ops: Ops = SCALAR) -> Any:
    """R25: the first day the tuition credit no longer pays (the years added, clamped)."""
    return ops.months_after(cancelled_on, 12 * policy.tuition_credit_years)


class ReEnrolCase(NamedTuple):
    """What R25 compares on a re-enrolment, for one candidate or many (see formulas)."""

    policy: Policy
    on: Any
    credited: Any
    """whether the cancellation left a tuition credit (a refunded one did not)."""
    until: Any
    used: Any
    """re-enrolments used before this one."""
    first: Any
    last: Any
    session: Session | None = None


def _no_credit(ops: Ops, case: ReEnrolCase) -> Any:  # noqa: ANN401
    return ops.negated(case.credited)


def _credit_expired(ops: Ops, case: ReEnrolCase) -> Any:  # noqa: ANN401, ARG001
    return case.on >= case.until


def _re_enrolments_used_up(ops: Ops, case: ReEnrolCase) -> Any:  # noqa: ANN401, ARG001
    return case.used >= case.policy.re_enrollments


def _refunded(case: ReEnrolCase) -> Refusal:  # noqa: ARG001  # the same words for every case
    return Refusal.because(None, "this cancellation was refunded and left no tuition credit")


def _expired(case: ReEnrolCase) -> Refusal:
    return Refusal.too_late(
        None, case.until - dt.timedelta(days=1), "the tuition credit's last day was"
    )


def _used_up(case: ReEnrolCase) -> Refusal:
    return Refusal.because(
        None, f"the {case.policy.re_enrollments} re-enrollment(s) allowed have been used"
    )


RE_ENROL_CREDIT: Final[Precedence[ReEnrolCase, Refusal]] = check_precedence(
    "does the tuition credit pay for a re-enrolment?",
    (
        ("R25", Case(verdicts=("refused",), when=_no_credit, explain=_refunded)),
        ("R25", Case(verdicts=("refused",), when=_credit_expired, explain=_expired)),
        ("R25", Case(verdicts=("refused",), when=_re_enrolments_used_up, explain=_used_up)),
    ),
)
"""What the credit needs (R25), in this order: a credit, not expired, a re-enrolment left."""


def _longer_than_a_practicum(ops: Ops, case: ReEnrolCase) -> Any:  # noqa: ANN401
    return runs_longer_than_a_practicum(ops, case.policy, case.first, case.last)


def _not_after_the_request(ops: Ops, case: ReEnrolCase) -> Any:  # noqa: ANN401, ARG001
    return case.first <= case.on


def _too_long(case: ReEnrolCase) -> Refusal:
    assert case.session is not None  # noqa: S101  # explanations are one candidate's
    return too_long(case.policy, case.session)


def _starts_too_soon(case: ReEnrolCase) -> Refusal:
    return Refusal.because(None, f"the session {case.session} does not start after {case.on}")


RE_ENROL_SESSION: Final[Precedence[ReEnrolCase, Refusal]] = check_precedence(
    "may the credit buy this session?",
    (
        ("R25", Case(verdicts=("refused",), when=_longer_than_a_practicum, explain=_too_long)),
        ("R2", Case(verdicts=("refused",), when=_not_after_the_request, explain=_starts_too_soon)),
    ),
)
"""What the session bought with the credit needs, once the credit pays (R25, R2)."""


def cancel(journey: JourneyFacts, event: Cancel, day: dt.date) -> Handled:  # noqa: ARG001  # a handler's signature
    """R24, R25: a written cancellation before the practicum: a refund, or a tuition credit.

    Refused once the practicum started: attendance is recorded instead (R26).
    """
    session = journey.session
    assert session is not None  # noqa: S101  # registered states
    case = CancelCase(
        policy=journey.policy,
        on=event.on,
        held_first=session.first_day,
        registered_on=None,
        opened=None,
    )
    refusal = refusal_in(CANCEL_REFUSALS, case)
    if refusal is not None:
        raise refusal
    decisions, until = cancellation_decisions(journey, event.on)
    effects = tuple(
        effect(
            kind=EffectKind.REFUND,
            rule_id="R24",
            amount=money_or_unknown(d.refund),
            detail=f"refund {d.refund}",
        )
        for d in decisions
        if d.refund is not None
    )
    return Handled(
        {"state": State.CANCELLED, "cancelled_on": event.on, "credit_until": until},
        decisions,
        (),
        effects,
    )


def re_enroll(journey: JourneyFacts, event: ReEnroll, day: dt.date) -> Handled:  # noqa: ARG001  # a handler's signature
    """R25: the tuition credit pays for another practicum, once and before it expires.

    The journey returns to prework when eLearning access was already granted,
    else to registered. Refused without a credit, after it, once used, or for a
    session that is too long (R25) or does not start after the request (R2).
    """
    policy, session, until = journey.policy, event.session, journey.credit_until
    check_in_calendar(policy, "first_day", session.first_day)
    check_in_calendar(policy, "last_day", session.last_day)
    case = ReEnrolCase(
        policy=policy,
        on=event.on,
        credited=until is not None,
        until=until,
        used=journey.re_enrollments_used,
        first=session.first_day,
        last=session.last_day,
        session=session,
    )
    # The credit first (none, expired, used up), then the session it buys.
    refusal = refusal_in(RE_ENROL_CREDIT, case) or refusal_in(RE_ENROL_SESSION, case)
    if refusal is not None:
        raise refusal
    assert until is not None  # noqa: S101  # RE_ENROL_CREDIT: a credit pays
    state = State.IN_PREWORK if journey.access_granted_at is not None else State.REGISTERED
    return Handled(
        {
            "state": state,
            "session": session,
            "attendance": None,
            "credit_until": None,
            "re_enrollments_used": journey.re_enrollments_used + 1,
        },
        (re_enrolled(policy, event, until),),
        lead_time_advisories(policy, event.on, session.first_day),
    )


def substitute(journey: JourneyFacts, event: Substitute, day: dt.date) -> Handled:  # noqa: ARG001  # a handler's signature
    """R27: another person takes the seat before the practicum, for free or the fee.

    Refused once the practicum started.
    """
    registration, session = journey.registration, journey.session
    assert registration is not None  # noqa: S101  # registered states hold a registration
    assert session is not None  # noqa: S101  # and a session
    if event.on >= session.first_day:
        raise Refusal.too_late(
            "R27",
            session.first_day - dt.timedelta(days=1),
            "a substitution must come before the practicum; the last day was",
        )
    given = substitution(journey.policy, journey.prices, event, session)
    return Handled(
        {"registration": attrs.evolve(registration, email=event.email, applicant=event.applicant)},
        (given,),
        (),
        substitution_effects(given, event),
    )
