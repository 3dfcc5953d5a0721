"""Cancellation and transfer: refunds, tuition credit, no-shows, substitution (R24-R27).

The rules of this family are declared here (:data:`RULES`) beside the functions
that decide them, and the handling of ``Cancel``, ``ReEnroll`` and ``Substitute``
(:func:`cancel`, :func:`re_enroll`, :func:`substitute`): each answers a
:class:`~cptm_rules.rules._build.Step` that the journey (:mod:`cptm_rules.lifecycle`)
applies, and refuses what the rules forbid (a cancellation or a substitution once
the practicum started, a re-enrollment without credit or past it). The journey
applies them too on an absence recorded with or without notice.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Final

import attrs

from cptm_rules.calendar import add_years, to_local_date
from cptm_rules.catalogue import (
    Rule,
    RuleKind,
    terms,
)
from cptm_rules.events import Cancel, ReEnroll, Substitute  # noqa: TC001  # the API reference resolves the handlers' hints
from cptm_rules.figures import fee, figure, whole
from cptm_rules.money import Amount, Money, UnknownAmount
from cptm_rules.rules._build import Refusal, Step, decision, effect, money_or_unknown
from cptm_rules.rules.practicum_changes import charge, deadline_words, free_change_deadline
from cptm_rules.rules.registration import check_session, lead_time_advisories
from cptm_rules.types import JourneyFacts  # noqa: TC001  # the API reference resolves the handlers' hints
from cptm_rules.vocabulary import EffectKind, State

if TYPE_CHECKING:
    from cptm_rules.events import Session
    from cptm_rules.outcomes import Decision, Effect
    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule

__all__ = [
    "RULES",
    "CancellationFees",
    "CancellationFigures",
    "cancel",
    "cancellation_decisions",
    "no_show",
    "re_enroll",
    "re_enrolled",
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
    if days <= window and (opened is None or opened > on):
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
    until = add_years(on, policy.tuition_credit_years)
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


def cancel(journey: JourneyFacts, event: Cancel, day: dt.date) -> Step:  # noqa: ARG001  # a handler's signature
    """R24, R25: a written cancellation before the practicum: a refund, or a tuition credit.

    Refused once the practicum started: attendance is recorded instead (R26).
    """
    session = journey.session
    assert session is not None  # noqa: S101  # registered states
    if event.on >= session.first_day:
        raise Refusal.too_late(
            "R26",
            session.first_day - dt.timedelta(days=1),
            "the practicum has started; record attendance instead. The last day to cancel was",
        )
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
    return Step(
        {"state": State.CANCELLED, "cancelled_on": event.on, "credit_until": until},
        decisions,
        (),
        effects,
    )


def re_enroll(journey: JourneyFacts, event: ReEnroll, day: dt.date) -> Step:  # noqa: ARG001  # a handler's signature
    """R25: the tuition credit pays for another practicum, once and before it expires.

    The journey returns to prework when eLearning access was already granted,
    else to registered. Refused without a credit, after it, once used, or for a
    session that is too long (R25) or does not start after the request (R2).
    """
    policy = journey.policy
    until = journey.credit_until
    if until is None:
        raise Refusal.because("R25", "this cancellation was refunded and left no tuition credit")
    if event.on >= until:
        raise Refusal.too_late(
            "R25", until - dt.timedelta(days=1), "the tuition credit's last day was"
        )
    if journey.re_enrollments_used >= policy.re_enrollments:
        raise Refusal.because(
            "R25", f"the {policy.re_enrollments} re-enrollment(s) allowed have been used"
        )
    session = event.session
    check_session(policy, session, "R25")
    if session.first_day <= event.on:
        raise Refusal.because("R2", f"the session {session} does not start after {event.on}")
    state = State.IN_PREWORK if journey.access_granted_at is not None else State.REGISTERED
    return Step(
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


def substitute(journey: JourneyFacts, event: Substitute, day: dt.date) -> Step:  # noqa: ARG001  # a handler's signature
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
    return Step(
        {"registration": attrs.evolve(registration, email=event.email, applicant=event.applicant)},
        (given,),
        (),
        substitution_effects(given, event),
    )
