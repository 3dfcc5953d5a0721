"""Certification and renewal: the period, what renewal needs, what qualifies, lapse (R17-R20).

The rules of this family are declared here (:data:`RULES`) beside the functions
that decide them; :mod:`cptm_rules.recertification` computes periods and ledgers.
The journey (:mod:`cptm_rules.lifecycle`) applies them when a candidate passes,
records an activity or pays the renewal fee, and derives a lapse from the date
(``Journey.status_on``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, overload

import attrs

from cptm_rules.catalogue import (
    Q_ONGOING,
    Q_QUALIFIES,
    Citation,
    Document,
    Rule,
    RuleKind,
    faq,
)
from cptm_rules.figures import fee, figure, hours, members_of, whole
from cptm_rules.formulas import SCALAR, Ops
from cptm_rules.money import Amount
from cptm_rules.rules._build import decision, effect, money_or_unknown
from cptm_rules.vocabulary import ActivityCategory, EffectKind

if TYPE_CHECKING:
    import datetime as dt

    from cptm_rules.events import Activity, PayRenewalFee, RecordActivity
    from cptm_rules.outcomes import Decision, Effect
    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule
    from cptm_rules.recertification import Period

__all__ = [
    "RULES",
    "CertificationFees",
    "CertificationFigures",
    "fee_paid",
    "hours_recorded",
    "period_end",
    "period_started",
    "qualifying_hours_of",
    "recorded_after_lapse",
    "renewal",
    "renewal_fee_charge",
]


@attrs.frozen(kw_only=True, slots=False)
class CertificationFigures:
    """The figures R17-R19 read, under ``[certification]`` in policy files.

    Part of :class:`~cptm_rules.policy.Policy`: a figure declared here is read from
    policy files, checked, cited and shown like every other.
    """

    certification_period_years: int = figure("certification", "R17", whole(1, 50))
    ce_hours_required: Decimal = figure("certification", "R18", hours(10000))
    qualifying_categories: tuple[ActivityCategory, ...] = figure(
        "certification", "R19", members_of(ActivityCategory)
    )
    free_categories: tuple[ActivityCategory, ...] = figure(
        "certification", "R19", members_of(ActivityCategory)
    )


@attrs.frozen(kw_only=True, slots=False)
class CertificationFees:
    """The amounts the renewal rules charge.

    Part of :class:`~cptm_rules.pricing.PriceSchedule`: an amount declared here is
    read from price schedule files (or ``"unknown"``) like every other.
    """

    renewal_fee: Amount = fee("R18")
    """the renewal fee (R18)."""


RULES: Final = (
    Rule(
        id="R17",
        verdicts=("period_started",),
        exercised_by="a candidate who is certified",
        title="{certification.certification_period_years:Word}-year period",
        kinds=(RuleKind.REQUIREMENT,),
        statement=(
            "A certification period is the half-open interval [start, start + "
            "{certification.certification_period_years} years), the years added in one step "
            "with clamping. The first starts on the certification date."
        ),
        sources=(faq(Q_ONGOING),),
    ),
    Rule(
        id="R18",
        verdicts=("fee_paid",),
        exercised_by="a certified candidate who pays the renewal fee",
        title="What renewal needs",
        kinds=(RuleKind.REQUIREMENT,),
        statement=(
            "Renewing needs at least {certification.ce_hours_required} hours of qualifying "
            "training completed inside the period and the renewal fee paid inside it. Hours "
            "never carry over."
        ),
        sources=(faq(Q_ONGOING),),
    ),
    Rule(
        id="R19",
        verdicts=(
            "recorded",
            "not_counted",
        ),
        exercised_by="a candidate who records continuing-education activities",
        title="What qualifies",
        kinds=(RuleKind.REQUIREMENT,),
        statement=(
            "Industry conferences, webinars and other industry-relevant training or events "
            "count, whoever provides them; the program's own alumni offerings count and are "
            "free. Training that is not industry-relevant does not count, and an activity "
            "recorded twice counts once."
        ),
        sources=(
            faq(Q_QUALIFIES),
            faq(Q_ONGOING),
            Citation(document=Document.RECERTIFICATION_FORM, locator="qualifying programs"),
        ),
    ),
    Rule(
        id="R20",
        verdicts=(
            "renewed",
            "not_counted",
            "refused",
            "lapsed",
        ),
        exercised_by="a certified candidate who renews, late or never (a lapse)",
        title="Renewal and lapse",
        kinds=(RuleKind.CONSEQUENCE,),
        statement=(
            "A renewed period starts on the previous period's end, however early the renewal "
            "was made. A period that ends with R18 unmet leaves the credential lapsed from its "
            "end date; no grace period is stated."
        ),
        sources=(faq(Q_ONGOING),),
    ),
)
"""The rules R17, R18, R19, R20."""


def qualifying_hours_of(activity: Activity | None, period: Period, policy: Policy) -> Decimal:
    """R19: the hours ``activity`` counts toward ``period``: its own if it qualifies, else 0."""
    if activity is None or not period.contains(activity.on):
        return Decimal(0)
    return activity.hours if activity.category in policy.qualifying_categories else Decimal(0)


def period_started(policy: Policy, period: Period) -> Decision:
    """R17: the first certification period starts on the certification date."""
    return decision(
        rule_id="R17",
        verdict="period_started",
        policy=policy.label,
        figures=policy.figures("certification_period_years"),
        dates=(("period start", period.start), ("period end", period.end)),
        reason=lambda: (
            f"the first certification period is {period.start} up to (not including) {period.end}"
        ),
    )


def recorded_before_certification(policy: Policy, event: RecordActivity) -> Decision:
    """R19: an activity recorded before certification is kept, counting toward no period."""
    return decision(
        rule_id="R19",
        verdict="not_counted",
        policy=policy.label,
        reason=lambda: (
            f"activity {event.activity.id!r} of {event.on} recorded; it counts "
            "toward no period, since a certification period starts on the certification date (R17)"
        ),
    )


def recorded_after_lapse(policy: Policy, event: RecordActivity, period: Period) -> Decision:
    """R20: an activity recorded after the credential lapsed counts toward no period."""
    return decision(
        rule_id="R20",
        verdict="not_counted",
        policy=policy.label,
        reason=lambda: (
            f"activity {event.activity.id!r} of {event.on} recorded after the "
            f"credential lapsed on {period.end}: it counts toward no period"
        ),
    )


def fee_paid(
    policy: Policy, prices: PriceSchedule, event: PayRenewalFee, period: Period
) -> Decision:
    """R18: the renewal fee is paid inside the period."""
    return decision(
        rule_id="R18",
        verdict="fee_paid",
        policy=policy.label,
        fee=prices.renewal_fee,
        dates=(("paid", event.on), ("period ends", period.end)),
        reason=lambda: (
            f"renewal fee paid on {event.on}, inside the period {period.start}..{period.end}"
        ),
    )


def renewal_fee_charge(prices: PriceSchedule) -> tuple[Effect, ...]:
    """R18: paying the renewal fee charges it."""
    fee = prices.renewal_fee
    return (
        effect(
            kind=EffectKind.CHARGE,
            rule_id="R18",
            amount=money_or_unknown(fee),
            detail=lambda: f"charge the renewal fee: {fee}",
        ),
    )


def hours_recorded(policy: Policy, hours: Decimal, period: Period) -> Decision:
    """R19: an activity is recorded; ``hours`` qualify inside the period so far."""
    return decision(
        rule_id="R19",
        verdict="recorded",
        policy=policy.label,
        reason=lambda: (
            f"{hours} of {policy.ce_hours_required} qualifying "
            f"hours inside the period ending {period.end}"
        ),
    )


def renewal(
    policy: Policy, day: dt.date, hours: Decimal, fee_paid_on: dt.date, renewed: Period
) -> Decision:
    """R20: R18 is met: the next period starts on the previous end, however early."""
    return decision(
        rule_id="R20",
        verdict="renewed",
        policy=policy.label,
        figures=policy.figures("ce_hours_required"),
        dates=(
            ("renewed on", day),
            ("next period", renewed.start),
            ("next period ends", renewed.end),
        ),
        reason=lambda: (
            f"R18 met on {day}: {hours} qualifying hours and "
            f"the fee paid on {fee_paid_on}; the next period starts "
            f"on {renewed.start}, the previous end, however early"
        ),
    )


@overload
def period_end(policy: Policy, start: dt.date) -> dt.date: ...
@overload
def period_end(policy: Policy, start: Any, *, ops: Ops) -> Any: ...  # noqa: ANN401
def period_end(policy: Policy, start: Any, *, ops: Ops = SCALAR) -> Any:
    """R17: the first day after a period starting on ``start`` (the years added, clamped)."""
    return ops.months_after(start, 12 * policy.certification_period_years)
