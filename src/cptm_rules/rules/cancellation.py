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
import functools
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, NamedTuple, cast, overload

import attrs

from cptm_rules.calendar import to_local_date
from cptm_rules.declarations import (
    Rule,
    RuleKind,
    terms,
)
from cptm_rules.events import ReEnroll, Session
from cptm_rules.exceptions import shown
from cptm_rules.figures import (
    Deadline,
    DeadlineSpec,
    Invalid,
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
    answer_codes,
    check_precedence,
    deadline_after,
    explained,
    verdict_of,
)
from cptm_rules.money import Amount, Money, UnknownAmount, amount_text
from cptm_rules.rules._build import (
    check_in_calendar,
    decision,
    effect,
    money_or_unknown,
    priced,
    refusal_in,
)
from cptm_rules.rules._build import (
    days as day_count,
)
from cptm_rules.rules.practicum_changes import charge, deadline_words, free_change_deadline
from cptm_rules.rules.registration import (
    lead_time_advisories,
    runs_longer_than_a_practicum,
    too_long,
)
from cptm_rules.types import Handled, Refusal
from cptm_rules.vocabulary import DeadlineUnit, EffectKind, State

if TYPE_CHECKING:
    from collections.abc import Callable

    from cptm_rules.events import Cancel, Substitute
    from cptm_rules.outcomes import Decision, Effect
    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule
    from cptm_rules.types import JourneyFacts

__all__ = [
    "CANCEL_REFUSALS",
    "CREDIT_STATUS",
    "CREDIT_STATUS_SINCE",
    "NEVER",
    "NOT_STATED",
    "PRACTICUM",
    "REGISTRATION",
    "RE_ENROL_CREDIT",
    "RE_ENROL_SESSION",
    "RULES",
    "SUBSTITUTION_FEE",
    "SUBSTITUTION_REFUSALS",
    "TUITION_CREDIT",
    "CancelCase",
    "CancellationFees",
    "CancellationFigures",
    "CreditStatusCase",
    "ReEnrolCase",
    "RefundTier",
    "RefundTiers",
    "SubstitutionCase",
    "cancel",
    "cancellation_decisions",
    "cancellation_outcome",
    "check_refund_tiers",
    "credit_expired_since",
    "credit_until",
    "no_show",
    "re_enroll",
    "re_enrolled",
    "re_enrolled_answer",
    "refund_amounts",
    "refund_due",
    "refund_precedence",
    "refund_tier",
    "refund_tiers_of",
    "substitute",
    "substitution",
    "substitution_effects",
    "tier_amounts",
]


# -- refund tiers: the early-cancellation refund (R24) as an ordered table -------------

REGISTRATION: Final = "registration"
"""A tier counted from the registration day: cancelled within ``days`` of registering."""
PRACTICUM: Final = "practicum"
"""A tier counted back from the practicum's first day: cancelled ``days`` or more before."""

_REFUND_WORDS: Final = ("full", "full_less_admin", "none")
_PERCENT: Final = re.compile(r"(?P<number>[0-9]{1,2}(?:\.[0-9]{1,2})?)%")
_WINDOW_KEYS: Final = {
    "within_days_of_registration": REGISTRATION,
    "before_practicum_days": PRACTICUM,
}
_TIER_KEYS: Final = (*_WINDOW_KEYS, "before_elearning", "refund")
_MOST_TIERS: Final = 20
_MOST_DAYS: Final = 3650


# Hashed once: the tiers key the cached table each cancellation asks.
@attrs.frozen(kw_only=True, cache_hash=True)
class RefundTier:
    """One window of the early-cancellation refund (R24) and what it refunds.

    ``counted_from`` is :data:`REGISTRATION` (a cancellation at most ``days`` after
    the registration day) or :data:`PRACTICUM` (one ``days`` or more before the
    practicum's first day); ``before_elearning`` asks, too, that the eLearning was
    not opened by the day of the cancellation. ``refund`` is ``full``,
    ``full_less_admin`` (the price less the administrative fee), a percentage of the
    program price such as ``50%``, or ``none``.
    """

    counted_from: str
    days: int
    refund: str
    before_elearning: bool = False

    @property
    def percent(self) -> Decimal | None:
        """The percentage of the program price refunded (``None`` for the other refunds)."""
        matched = _PERCENT.fullmatch(self.refund)
        return None if matched is None else Decimal(matched["number"])

    @property
    def returns_money(self) -> bool:
        """Whether the tier pays money back (``none`` does not: the tuition credit stays)."""
        return self.refund != "none"

    def window_words(self) -> str:
        """The window in words: ``14 or more days before the practicum's first day``."""
        if self.counted_from == REGISTRATION:
            window = f"within {self.days} days of registering"
        else:
            window = f"{self.days} or more days before the practicum's first day"
        return window + (", before the eLearning was first opened" if self.before_elearning else "")

    def refund_words(self, prices: PriceSchedule) -> str:
        """What the tier refunds, in words, with the administrative fee where it is kept."""
        if self.refund == "full":
            return "refunded in full"
        if self.refund == "full_less_admin":
            return (
                "refunded in full less the administrative fee "
                f"({amount_text(prices.administrative_fee)})"
            )
        if self.refund == "none":
            return "not refunded"
        return f"refunded {self.refund} of the program price"

    def __str__(self) -> str:
        """The tier as a policy file writes it: a TOML inline table."""
        key = next(k for k, v in _WINDOW_KEYS.items() if v == self.counted_from)
        elearning = ", before_elearning = true" if self.before_elearning else ""
        return f'{{ {key} = {self.days}{elearning}, refund = "{self.refund}" }}'


@attrs.frozen
class RefundTiers:
    """The refund tiers a policy states, in order (none: the one window of the terms).

    A policy that states no ``refund_tiers`` refunds as the terms do: one tier,
    within ``early_cancellation_days`` of registering and before the eLearning was
    first opened, in full less the administrative fee (:func:`refund_tiers_of`).
    """

    tiers: tuple[RefundTier, ...] = ()

    def __str__(self) -> str:
        """The tiers as a policy file writes them (a TOML array), or that none are stated."""
        if not self.tiers:
            return "not stated (the early_cancellation_days window)"
        return "[" + ", ".join(str(t) for t in self.tiers) + "]"


# Journeys carry their policy when saved: cattrs and the schema read these annotations
# as types, not as the strings ``from __future__ import annotations`` leaves.
attrs.resolve_types(RefundTier)
attrs.resolve_types(RefundTiers)

NOT_STATED: Final = RefundTiers()
"""The refund tiers of a policy that states none."""


def _tier(number: int, item: object) -> RefundTier:
    """One tier of a file, checked: its keys, each value's exact type, its refund."""

    def invalid(what: str) -> Invalid:
        return Invalid(f"tier {number}: {what}")

    if not isinstance(item, Mapping):
        raise invalid(
            'an inline table such as { before_practicum_days = 14, refund = "50%" }, '
            f"not {shown(item)}"
        )
    unknown = [k for k in item if k not in _TIER_KEYS]
    if unknown:
        raise invalid(f"the keys {', '.join(_TIER_KEYS)}; {shown(unknown[0])} is not one")
    windows = [k for k in _WINDOW_KEYS if k in item]
    if len(windows) != 1:
        raise invalid("exactly one of within_days_of_registration, before_practicum_days")
    key = windows[0]
    days = item[key]
    lowest = 0 if _WINDOW_KEYS[key] == REGISTRATION else 1
    if type(days) is not int or not lowest <= days <= _MOST_DAYS:
        raise invalid(f"{key} a whole number from {lowest} to {_MOST_DAYS:,}, not {shown(days)}")
    refund = item.get("refund")
    percent = _PERCENT.fullmatch(refund) if isinstance(refund, str) else None
    if refund not in _REFUND_WORDS and (percent is None or not Decimal(percent["number"])):
        raise invalid(
            'refund one of "full", "full_less_admin", "none" or a percentage above 0 and '
            f'below 100 with at most 2 decimals such as "50%", not {shown(refund)}'
        )
    assert isinstance(refund, str)  # noqa: S101  # a word or a percentage, checked above
    before_elearning = item.get("before_elearning", False)
    if type(before_elearning) is not bool:
        raise invalid(f"before_elearning true or false, not {shown(before_elearning)}")
    return RefundTier(
        counted_from=_WINDOW_KEYS[key],
        days=days,
        refund=refund,
        before_elearning=before_elearning,
    )


def _as_table(tier: RefundTier) -> dict[str, object]:
    """``tier`` as a file writes it (an unknown ``counted_from`` as a key no file has)."""
    key = next(
        (k for k, v in _WINDOW_KEYS.items() if v == tier.counted_from),
        f"counted_from {shown(tier.counted_from)}",
    )
    return {key: tier.days, "refund": tier.refund, "before_elearning": tier.before_elearning}


def _hides(earlier: RefundTier, later: RefundTier) -> bool:
    """Whether every cancellation in ``later``'s window is answered by ``earlier`` first."""
    if earlier.counted_from != later.counted_from:
        return False  # which answers first depends on the dates: the order decides
    if earlier.before_elearning and not later.before_elearning:
        return False  # the later one answers once the eLearning was opened
    if earlier.counted_from == REGISTRATION:
        return earlier.days >= later.days
    return earlier.days <= later.days


def check_refund_tiers(value: object) -> RefundTiers:
    """The check of ``cancellation.refund_tiers``: an ordered list of tiers.

    Each tier is an inline table with one window key
    (``within_days_of_registration`` or ``before_practicum_days``), a ``refund`` and
    optionally ``before_elearning``; every tier must be able to answer some
    cancellation (none hidden by a tier before it: windows counted from the
    practicum farthest first, windows counted from the registration shortest first).
    """
    if isinstance(value, RefundTiers):
        # A policy's own value, or one decoded from a saved journey: checked again as a
        # file would give it (a saved document is another's file), and kept.
        if value.tiers:
            check_refund_tiers([_as_table(tier) for tier in value.tiers])
        return value
    expected = (
        f"a list of 1 to {_MOST_TIERS} tiers such as "
        '[{ before_practicum_days = 31, refund = "full_less_admin" }, '
        '{ before_practicum_days = 14, refund = "50%" }]'
    )
    if not isinstance(value, list | tuple) or not 1 <= len(value) <= _MOST_TIERS:
        raise Invalid(expected)
    tiers = tuple(_tier(n, item) for n, item in enumerate(value, start=1))
    for n, later in enumerate(tiers, start=1):
        for m, earlier in enumerate(tiers[: n - 1], start=1):
            if _hides(earlier, later):
                raise Invalid(
                    f"tiers in order, none hidden by one before it: tier {n} ({later}) "
                    f"can never answer, tier {m} ({earlier}) answers its cancellations "
                    "first; list the windows before the practicum farthest first and "
                    "the windows after registering shortest first"
                )
    return RefundTiers(tiers)


def refund_tiers_of(policy: Policy) -> tuple[RefundTier, ...]:
    """The tiers R24 asks under ``policy``, in order: the stated ones, or the terms' one."""
    stated = policy.refund_tiers.tiers
    if stated:
        return stated
    return _terms_tier(policy.early_cancellation.amount)


@functools.cache
def _terms_tier(days: int) -> tuple[RefundTier, ...]:
    return (
        RefundTier(
            counted_from=REGISTRATION, days=days, refund="full_less_admin", before_elearning=True
        ),
    )


_EARLY_CANCELLATION: Final = DeadlineSpec(
    what="the early-cancellation window, R24; it counts calendar days, as the refund tiers do",
    units=((DeadlineUnit.CALENDAR_DAYS, 0, 3650),),
    shorthands=(Shorthand(name="early_cancellation_days", unit=DeadlineUnit.CALENDAR_DAYS),),
)
"""R24: the terms' one refund window, in calendar days after the registration day."""

_TUITION_CREDIT: Final = DeadlineSpec(
    what="the tuition credit, R25",
    units=((DeadlineUnit.YEARS, 0, 50), (DeadlineUnit.MONTHS, 0, 600)),
    shorthands=(Shorthand(name="tuition_credit_years", unit=DeadlineUnit.YEARS),),
)
"""R25: how long the tuition stays valid after a cancellation, in years or months."""


@attrs.frozen(kw_only=True, slots=False)
class CancellationFigures:
    """The figures R24 and R25 read, under ``[cancellation]`` in policy files.

    Part of :class:`~cptm_rules.policy.Policy`: a figure declared here is read from
    policy files, checked, cited and shown like every other.
    """

    early_cancellation: Deadline = deadline("cancellation", "R24", _EARLY_CANCELLATION)
    """R24: ``early_cancellation = { amount = 5, unit = "calendar_days" }``, or the older
    ``early_cancellation_days``."""
    refund_tiers: RefundTiers = figure(
        "cancellation", "R24", check_refund_tiers, default=NOT_STATED
    )
    """R24's refund as ordered windows; not stated: the one window above."""
    tuition_credit: Deadline = deadline("cancellation", "R25", _TUITION_CREDIT)
    """R25: ``tuition_credit = { amount = 1, unit = "years" }``, or the older
    ``tuition_credit_years``."""
    re_enrollments: int = figure("cancellation", "R25", whole(0, 100))

    early_cancellation_days = read_as_before("early_cancellation", "early_cancellation_days")
    tuition_credit_years = read_as_before("tuition_credit", "tuition_credit_years")


@attrs.frozen(kw_only=True, slots=False)
class CancellationFees:
    """The amounts the cancellation rules keep.

    Part of :class:`~cptm_rules.pricing.PriceSchedule`: an amount declared here is
    read from price schedule files (or ``"unknown"``) like every other.
    """

    administrative_fee: Amount = fee("R24")
    """the administrative fee kept on an early cancellation (R24)."""


@attrs.frozen(kw_only=True)
class _RefundRule(Rule):
    """R24, whose statement lists the policy's refund tiers when it states them."""

    def statement_under(
        self, policy: Policy | None = None, prices: PriceSchedule | None = None
    ) -> str:
        """The terms' statement, or under a policy with tiers, the tiers in order."""
        chosen, schedule = self.chosen(policy, prices)
        tiers = chosen.refund_tiers.tiers
        if not tiers:
            return super().statement_under(chosen, schedule)
        listed = "; ".join(
            f"({n}) {tier.window_words()}: {tier.refund_words(schedule)}"
            for n, tier in enumerate(tiers, start=1)
        )
        return (
            "A written cancellation is answered by the first of the policy's refund tiers "
            f"whose window holds: {listed}. A tier that pays money back, in full or in "
            "part, settles the cancellation and leaves no tuition credit; one that "
            "refunds nothing leaves the tuition credit of R25. The tiers settle no other "
            "cancellation: the engine answers 'not covered' instead of guessing."
        )


RULES: Final = (
    _RefundRule(
        id="R24",
        verdicts=(
            "refund",
            "not_covered",
        ),
        exercised_by="a candidate who cancels in writing, early or late",
        title="Early cancellation",
        kinds=(RuleKind.CONSEQUENCE,),
        statement=(
            "A written cancellation within {cancellation.early_cancellation} of "
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
            "{cancellation.tuition_credit}, for "
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
    """R24 or R25: the refund of the first tier the cancellation falls in.

    A tier that pays money back (in full, in part) settles the cancellation; one
    that refunds nothing, or no tier at all ("not covered"), leaves R25's tuition
    credit, with the day it ends.
    """
    policy = journey.policy
    registration, session = journey.registration, journey.session
    assert registration is not None  # noqa: S101  # registered states
    assert session is not None  # noqa: S101  # and a session held
    reg_day = to_local_date(registration.registered_at, policy.zone)
    opened = journey.elearning_opened_on
    case = CancelCase(
        policy=policy,
        on=on,
        held_first=session.first_day,
        registered_on=reg_day,
        opened=NEVER if opened is None else opened,
    )
    # The first tier that holds answers R24.
    tiers = policy.refund_tiers.tiers or _terms_tier(policy.early_cancellation.amount)
    tier = explained(_precedence(tiers), case)
    if tier is None:
        answered = _not_covered_decision(journey, case)
    else:
        answered = _refund_decision(journey, case, tier)
    # R25's own table, as the batch path reads it: a refund of money leaves no credit.
    until = explained(TUITION_CREDIT, case)
    if until is None:
        return (answered,), None
    remaining = policy.re_enrollments - journey.re_enrollments_used
    credit = decision(
        rule_id="R25",
        verdict="credit",
        policy=policy.label,
        figures=policy.figures("tuition_credit", "re_enrollments"),
        dates=(("cancelled", on), ("credit valid until (exclusive)", until)),
        reason=lambda: (
            f"the tuition stays valid toward another practicum until {until} "
            f"(exclusive); {remaining} re-enrollment(s) remain"
        ),
    )
    return (answered, credit), until


def _dates(case: CancelCase, tier: RefundTier | None) -> tuple[tuple[str, dt.date], ...]:
    """The days R24 compared: the terms' tier cites the days it always cited."""
    dates: tuple[tuple[str, dt.date], ...] = (
        ("registered", case.registered_on),
        ("cancelled", case.on),
    )
    if case.policy.refund_tiers.tiers:
        dates = (*dates, ("practicum's first day", case.held_first))
        if tier is not None and tier.counted_from == PRACTICUM:
            number = case.policy.refund_tiers.tiers.index(tier) + 1
            last = case.held_first - dt.timedelta(days=tier.days)
            dates = (*dates, (f"last day of tier {number}", last))
    if case.opened != NEVER:
        dates = (*dates, ("eLearning first opened", case.opened))
    return dates


def _tier_figures(policy: Policy, tier: RefundTier | None) -> tuple[tuple[str, str], ...]:
    """The figures R24 cites: the tier applied (the terms' one: its window's figure)."""
    tiers = policy.refund_tiers.tiers
    if not tiers:
        return policy.figures("early_cancellation")
    if tier is None:
        return policy.figures("refund_tiers")
    return (("cancellation.refund_tiers", f"tier {tiers.index(tier) + 1}: {tier}"),)


def _refund_amount(prices: PriceSchedule, tier: RefundTier) -> Amount:
    """What ``tier`` pays back: never more than the price; a percentage rounded to the cent."""
    price, admin = prices.program_price, prices.administrative_fee
    if tier.refund == "none":
        return Money.zero(prices.currency)
    if isinstance(price, UnknownAmount):
        return price
    if tier.refund == "full":
        return price
    percent = tier.percent
    if percent is not None:
        return price.times(percent / 100).quantized()
    if isinstance(admin, UnknownAmount):
        return admin
    # A schedule's price is never below its administrative fee (a price file is refused).
    return price - admin


def _refund_decision(journey: JourneyFacts, case: CancelCase, tier: RefundTier) -> Decision:
    """R24 refund: the tier the cancellation falls in, what it pays back and why."""
    policy, prices = journey.policy, journey.prices
    admin = prices.administrative_fee
    refund, fee = tier_amounts(prices, tier)
    return decision(
        rule_id="R24",
        verdict="refund",
        refund=refund,
        fee=fee,
        policy=policy.label,
        figures=_tier_figures(policy, tier),
        dates=_dates(case, tier),
        reason=priced(prices, lambda: _refund_reason(case, tier, admin), how="refunded"),
        alternatives=(
            ("R25 tuition credit: the tuition is refunded instead",) if tier.returns_money else ()
        ),
    )


def _refund_reason(case: CancelCase, tier: RefundTier, admin: Amount) -> str:
    """Why ``tier`` answers: the day counted, the tier's window and what it refunds."""
    on, tiers = case.on, case.policy.refund_tiers.tiers
    if tier.counted_from == REGISTRATION:
        days = (on - case.registered_on).days
        when = f"cancelled in writing on day {days} after registering (within {tier.days})"
        # The terms' one tier reads as it always did: no tier number to cite.
        cited = f" (tier {tiers.index(tier) + 1})" if tiers else ""
    else:
        before = day_count((case.held_first - on).days)
        when = (
            f"cancelled in writing on {on}, {before} before the practicum's first day "
            f"{case.held_first}"
        )
        cited = f" (tier {tiers.index(tier) + 1}: {tier.days} or more days before)"
    if tier.before_elearning:
        when += " and before the eLearning was opened"
    if tier.refund == "full_less_admin":
        what = f"full refund less the administrative fee {admin}"
    elif tier.refund == "full":
        what = "full refund"
    elif tier.refund == "none":
        what = "this tier refunds nothing; the tuition credit of R25 remains"
    else:
        what = f"{tier.refund} of the program price is refunded"
    return f"{when}{cited}: {what}"


def _not_covered_decision(journey: JourneyFacts, case: CancelCase) -> Decision:
    """R24 not covered: no tier holds, so the engine does not guess a refund."""
    policy = journey.policy
    return decision(
        rule_id="R24",
        verdict="not_covered",
        policy=policy.label,
        figures=_tier_figures(policy, None),
        dates=_dates(case, None),
        reason=lambda: _not_covered_reason(case),
    )


def _not_covered_reason(case: CancelCase) -> str:
    """Why no tier answers, and which cancellations the tiers do settle."""
    policy, on = case.policy, case.on
    days = (on - case.registered_on).days
    opened = None if case.opened == NEVER else case.opened
    tiers = policy.refund_tiers.tiers
    if not tiers:
        window = policy.early_cancellation.amount
        why = (
            f"day {days} after registering is past the {window}-day window"
            if days > window
            else f"the eLearning was already opened on {opened}"
        )
        settled = (
            f"the terms settle refunds only for cancellations within {window} days of "
            "registering and before the eLearning is opened"
        )
    else:
        before = (case.held_first - on).days
        when = f"{day_count(before)} before" if before > 0 else "on or after"
        why = (
            f"cancelled on day {days} after registering, {when} the "
            f"practicum's first day {case.held_first}"
            + ("" if opened is None else f", the eLearning opened on {opened}")
            + ", in none of the policy's tiers"
        )
        settled = "the refund tiers settle only cancellations " + "; or ".join(
            t.window_words() for t in tiers
        )
    return f"no refund rule applies: {why}; {settled}, so this refund is not covered"


def no_show(policy: Policy, prices: PriceSchedule) -> Decision:
    """R26: a candidate absent without written notice forfeits the whole course price."""
    return decision(
        rule_id="R26",
        verdict="forfeited",
        policy=policy.label,
        fee=prices.program_price,
        reason=priced(
            prices,
            lambda: (
                "did not attend the practicum without written notice: the "
                f"whole course price ({prices.program_price}) is forfeited"
            ),
        ),
        alternatives=("R25 tuition credit: needs written notice",),
    )


def substitution(
    policy: Policy, prices: PriceSchedule, event: Substitute, session: Session
) -> Decision:
    """R27: another person takes the seat; after the free-change deadline it pays the fee."""
    deadline = free_change_deadline(policy, session.first_day)
    dates = (("requested", event.on), ("free-change deadline", deadline))
    case = SubstitutionCase(
        policy=policy, on=event.on, held_first=session.first_day, deadline=deadline
    )
    # The verdict is the table's own (SUBSTITUTION_FEE), so the explanation can never
    # say otherwise than the batch path answers.
    if explained(SUBSTITUTION_FEE, case) == "free":
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
        reason=priced(
            prices,
            lambda: (
                f"substitution requested on {event.on}, inside the change-fee "
                f"window that began after {deadline} (R10)"
            ),
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


def re_enrolled_answer(policy: Policy) -> tuple[str, str]:
    """R25: the rule and verdict of :func:`re_enrolled`'s decision, a re-enrolment's.

    Asked of the decision itself, so the batch path's answer columns hold its words
    without naming them.
    """
    day = dt.date(policy.first_year, 1, 1)
    event = ReEnroll(on=day, session=Session(first_day=day, last_day=day))
    given = re_enrolled(policy, event, day)
    return given.rule_id, given.verdict


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


def _in_window(tier: RefundTier) -> Callable[[Ops, CancelCase], Any]:
    # Bound once per tier (never a lambda over a loop variable).
    def when(ops: Ops, case: CancelCase) -> Any:  # noqa: ANN401  # a mask
        if tier.counted_from == REGISTRATION:
            inside = ops.days_between(case.registered_on, case.on) <= tier.days
        else:
            inside = ops.days_between(case.on, case.held_first) >= tier.days
        return inside & (case.opened > case.on) if tier.before_elearning else inside

    return when


def _the_tier(tier: RefundTier) -> Callable[[CancelCase], RefundTier]:
    def explain(case: CancelCase) -> RefundTier:  # noqa: ARG001  # the row is the answer
        return tier

    return explain


@functools.lru_cache(maxsize=64)
def _precedence(tiers: tuple[RefundTier, ...]) -> Precedence[CancelCase, RefundTier]:
    return check_precedence(
        "which refund tier does this cancellation fall in?",
        tuple(
            ("R24", Case(verdicts=("refund",), when=_in_window(tier), explain=_the_tier(tier)))
            for tier in tiers
        ),
    )


def refund_precedence(policy: Policy) -> Precedence[CancelCase, RefundTier]:
    """R24's tiers under ``policy`` as an ordered table: the first window that holds answers.

    No row answers always: a cancellation in no window is "not covered".
    """
    return _precedence(refund_tiers_of(policy))


def refund_tier(ops: Ops, case: CancelCase) -> Any:  # noqa: ANN401  # an index or indexes
    """R24: the index of the tier a cancellation falls in (-1 where none does)."""
    rows, _ = answer_codes(ops, refund_precedence(case.policy), case)
    return rows


def refund_due(ops: Ops, case: CancelCase) -> Any:  # noqa: ANN401  # a mask
    """R24: the cancellation falls in a tier that pays money back (no tuition credit then).

    Under the terms' one tier: within the window after registering, before the
    eLearning was opened.
    """
    rows = refund_tier(ops, case)
    due = rows < -1  # nowhere yet, in the shape of the facts
    for i, tier in enumerate(refund_tiers_of(case.policy)):
        if tier.returns_money:
            due = due | (rows == i)
    return due


@overload
def credit_until(policy: Policy, cancelled_on: dt.date) -> dt.date: ...
@overload
def credit_until(policy: Policy, cancelled_on: Any, *, ops: Ops) -> Any: ...  # noqa: ANN401
def credit_until(policy: Policy, cancelled_on: Any, *, ops: Ops = SCALAR) -> Any:
    """R25: the first day the tuition credit no longer pays (the credit added, clamped)."""
    return deadline_after(ops, policy.calendar, policy.tuition_credit, cancelled_on)


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
        # A tier refunding nothing pays nothing back: no refund to make.
        if d.refund is not None and not (isinstance(d.refund, Money) and not d.refund.amount)
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
    case = SubstitutionCase(policy=journey.policy, on=event.on, held_first=session.first_day)
    refusal = refusal_in(SUBSTITUTION_REFUSALS, case)
    if refusal is not None:
        raise refusal
    given = substitution(journey.policy, journey.prices, event, session)
    return Handled(
        {"registration": attrs.evolve(registration, email=event.email, applicant=event.applicant)},
        (given,),
        (),
        substitution_effects(given, event),
    )


class SubstitutionCase(NamedTuple):
    """What R27 compares on a substitution, for one candidate or many (see formulas)."""

    policy: Policy
    on: Any
    held_first: Any
    """the first day of the session held when the seat changes hands."""
    deadline: Any = None
    """that session's free-change deadline (R9's, which R27 shares); asked once the
    substitution may be made."""


def _seat_in_use(ops: Ops, case: SubstitutionCase) -> Any:  # noqa: ANN401, ARG001  # a mask
    return case.on >= case.held_first


def _too_late_to_substitute(case: SubstitutionCase) -> Refusal:
    return Refusal.too_late(
        None,
        case.held_first - dt.timedelta(days=1),
        "a substitution must come before the practicum; the last day was",
    )


SUBSTITUTION_REFUSALS: Final[Precedence[SubstitutionCase, Refusal]] = check_precedence(
    "may another person take the seat?",
    (
        (
            "R27",
            Case(verdicts=("refused",), when=_seat_in_use, explain=_too_late_to_substitute),
        ),
    ),
)
"""What a substitution needs: the practicum held has not started (R27)."""


def _after_the_free_change_deadline(ops: Ops, case: SubstitutionCase) -> Any:  # noqa: ANN401, ARG001  # a mask
    return case.on > case.deadline


def _substitution_verdict(case: SubstitutionCase) -> str:
    return verdict_of(SUBSTITUTION_FEE[0][1], case)


SUBSTITUTION_FEE: Final[Precedence[SubstitutionCase, str]] = check_precedence(
    "does a substitution pay the class change fee?",
    (
        (
            "R27",
            Case(
                verdicts=("free", "fee"),
                which=_after_the_free_change_deadline,
                fees=(None, "class_change_fee"),
                explain=_substitution_verdict,
            ),
        ),
    ),
)
"""R27: a substitution on or before the free-change deadline is free, a later one pays the
class change fee; :func:`substitution` builds the journey's decision from its verdict."""


class CreditStatusCase(NamedTuple):
    """Where a cancelled journey with a tuition credit stands on ``day`` (R25), for one or many.

    ``until`` is the first day the credit no longer pays (:func:`credit_until`). A
    cancellation without a credit (refunded) has no rule to ask: it stays cancelled.
    """

    policy: Policy
    day: Any
    until: Any

    @classmethod
    def of(cls, ops: Ops, policy: Policy, day: Any, until: Any) -> CreditStatusCase:  # noqa: ANN401, ARG003
        """The facts for ``day``, from the one date an engine holds: the credit's end."""
        return cls(policy, day, until)


def _credit_ran_out(ops: Ops, case: CreditStatusCase) -> Any:  # noqa: ANN401, ARG001  # a mask
    return case.day >= case.until


def _explain_credit_ran_out(case: CreditStatusCase) -> str:
    return f"the tuition credit expired on {case.until}"


def _explain_credit_open(case: CreditStatusCase) -> str:
    return f"a tuition credit is open until {case.until}"


CREDIT_STATUS: Final[Precedence[CreditStatusCase, str]] = check_precedence(
    "where does a cancelled journey with a tuition credit stand?",
    (
        (
            "R25",
            Case(
                verdicts=(str(State.CREDIT_EXPIRED),),
                when=_credit_ran_out,
                explain=_explain_credit_ran_out,
            ),
        ),
        ("R25", Case(verdicts=(str(State.CANCELLED),), explain=_explain_credit_open)),
    ),
)
"""R25: a cancelled journey's state on a day while it holds a credit: the credit expired
unused (the derived ``credit_expired``), else cancelled with the credit open.

Each verdict is a state; the explanation is the status's reason. The journey asks it
in :meth:`~cptm_rules.lifecycle.Journey.status_on`, the batch path for a cohort.
"""


def credit_expired_since(ops: Ops, case: CreditStatusCase) -> Any:  # noqa: ANN401, ARG001  # a day or days
    """R25: the first day of ``credit_expired``: the credit's end."""
    return case.until


CREDIT_STATUS_SINCE: Final[Mapping[str, Callable[[Ops, CreditStatusCase], Any]]] = {
    str(State.CREDIT_EXPIRED): credit_expired_since,
}
"""Per derived state of :data:`CREDIT_STATUS`, the formula of the day it began."""


def _no_tier(ops: Ops, case: CancelCase) -> Any:  # noqa: ANN401, ARG001  # a mask
    return case.on == case.on  # every case the tiers before it leave


def _explain_no_tier(case: CancelCase) -> RefundTier | None:  # noqa: ARG001  # no tier answers
    return None


def cancellation_outcome(policy: Policy) -> Precedence[CancelCase, RefundTier | None]:
    """R24: the first refund tier a cancellation falls in (``refund``), else ``not_covered``.

    :func:`refund_precedence`'s rows, then one that always answers: the first of a
    cancellation's decisions, as :func:`cancellation_decisions` gives them.
    """
    return _outcome(refund_tiers_of(policy))


@functools.lru_cache(maxsize=64)
def _outcome(tiers: tuple[RefundTier, ...]) -> Precedence[CancelCase, RefundTier | None]:
    not_covered = Case(verdicts=("not_covered",), when=_no_tier, explain=_explain_no_tier)
    # A tier's row explains with its tier, the last with none: one table of both.
    tiered = cast("Precedence[CancelCase, RefundTier | None]", _precedence(tiers))
    rows = (*tiered, ("R24", not_covered))
    return check_precedence("what does a cancellation answer?", rows)


def _credit_left(ops: Ops, case: CancelCase) -> Any:  # noqa: ANN401  # a mask
    return ops.negated(refund_due(ops, case))


def _explain_credit(case: CancelCase) -> dt.date:
    return credit_until(case.policy, case.on)


TUITION_CREDIT: Final[Precedence[CancelCase, dt.date]] = check_precedence(
    "does a cancellation leave a tuition credit?",
    (("R25", Case(verdicts=("credit",), when=_credit_left, explain=_explain_credit)),),
)
"""R25: a cancellation no tier refunds money for leaves the tuition credit (the second of
its decisions, :func:`cancellation_decisions`); the explanation is the credit's end."""


def refund_amounts(
    prices: PriceSchedule, refund: Decimal | None, fee: Decimal | None
) -> tuple[Amount, Amount | None] | None:
    """R24: a refund decision's amounts, from their numbers (``None``: none, or unknown).

    What :func:`tier_amounts` gives, read back from the batch path's columns, which
    hold a number only where it is known. A refund with no number is the first of the
    price and the administrative fee the schedule leaves unknown (the tier's amount
    needs it); an administrative fee with no number is none, where the schedule knows
    that fee. ``None`` where the numbers do not say: the fee is unknown, so a tier
    that keeps it and one that does not read alike.
    """
    price, admin = prices.program_price, prices.administrative_fee
    kept: Amount | None = None
    if fee is not None:
        kept = Money(amount=fee, currency=prices.currency)
    elif isinstance(admin, UnknownAmount):
        return None
    if refund is not None:
        return Money(amount=refund, currency=prices.currency), kept
    unknown = next((a for a in (price, admin) if isinstance(a, UnknownAmount)), None)
    return None if unknown is None else (unknown, kept)


def tier_amounts(prices: PriceSchedule, tier: RefundTier) -> tuple[Amount, Amount | None]:
    """R24: what ``tier`` refunds under ``prices``, and the administrative fee it keeps (if any)."""
    admin = prices.administrative_fee
    return _refund_amount(prices, tier), admin if tier.refund == "full_less_admin" else None
