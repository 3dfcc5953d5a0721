"""Certification and renewal: the period, what renewal needs, what qualifies, lapse (R17-R20).

The rules of this family are declared here (:data:`RULES`) beside the functions
that decide them: the certification period (:class:`Period`, R17), what counts
toward it (:func:`qualifying_hours_of`, counted by :func:`qualifying_hours` and,
one record at a time, by :class:`HoursCount`), what renewal needs
(:func:`renewal_met`, R18) and what a period stands at (:class:`Ledger`). The
handling of the continuing-education events, :func:`record_activity` and
:func:`pay_renewal_fee`, answers a :class:`~cptm_rules.types.Handled` that the
journey (:mod:`cptm_rules.lifecycle`) applies; the journey starts the first
period when a candidate passes and derives a lapse from the date
(``Journey.status_on``).

A period is the half-open interval ``[start, end)`` with ``end = start + 2
years`` added in one step (R17). The ledger of a period counts qualifying
activities dated inside it, each activity id once (R19), and whether the
renewal fee was paid inside it (R18). Hours never carry over.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, NamedTuple, overload

import attrs

from cptm_rules.declarations import (
    Q_ONGOING,
    Q_QUALIFIES,
    Citation,
    Document,
    Rule,
    RuleKind,
    faq,
)
from cptm_rules.events import Activity, PayRenewalFee, RecordActivity
from cptm_rules.figures import fee, figure, hours, members_of, whole
from cptm_rules.formulas import SCALAR, Ops
from cptm_rules.money import Amount
from cptm_rules.rules._build import decision, effect, money_or_unknown
from cptm_rules.types import Handled, Refusal
from cptm_rules.vocabulary import ActivityCategory, EffectKind

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from cptm_rules.outcomes import Decision, Effect
    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule
    from cptm_rules.types import JourneyFacts

__all__ = [
    "RULES",
    "ActivityIndex",
    "CertificationFees",
    "CertificationFigures",
    "HoursCount",
    "Ledger",
    "Period",
    "activity_order",
    "fee_paid",
    "first_fee_payment",
    "hours_recorded",
    "ledger_for",
    "pay_renewal_fee",
    "period_end",
    "period_from",
    "period_started",
    "qualifying_hours",
    "qualifying_hours_of",
    "record_activity",
    "recorded_after_lapse",
    "recorded_before_certification",
    "renewal",
    "renewal_fee_charge",
    "renewal_met",
    "renewed",
    "unique_activities",
    "why_not_counted",
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


@attrs.frozen(kw_only=True)
class Period:
    """A certification period ``[start, end)`` (R17)."""

    start: dt.date
    end: dt.date
    """The first day *after* the period; the next period starts on it (R20)."""

    def contains(self, day: dt.date) -> bool:
        """Whether ``day`` falls inside the half-open period."""
        return self.start <= day < self.end

    def next(self, policy: Policy) -> Period:
        """The period that a renewal starts: on this one's end, however early (R20)."""
        return period_from(self.end, policy)


def period_from(start: dt.date, policy: Policy) -> Period:
    """The period that starts on ``start`` under ``policy`` (R17)."""
    return Period(start=start, end=period_end(policy, start))


def activity_order(activity: Activity) -> tuple[dt.date, str, str, Decimal, str, str]:
    """The key that picks which copy of a twice-recorded activity counts (R19).

    A total order, so that the choice never depends on the order of recording:
    the earliest-dated copy, then the smallest by content.
    """
    return (
        activity.on,
        activity.id,
        activity.category.value,
        activity.hours,
        activity.provider,
        activity.title,
    )


def unique_activities(activities: Iterable[Activity]) -> dict[str, Activity]:
    """Each activity id once, mapped to the copy that counts (:func:`activity_order`)."""
    earliest: dict[str, Activity] = {}
    for activity in activities:
        kept = earliest.get(activity.id)
        if kept is None or activity_order(activity) < activity_order(kept):
            earliest[activity.id] = activity
    return earliest


def why_not_counted(activity: Activity, period: Period, policy: Policy) -> str | None:
    """R17, R19: why ``activity`` counts no hours toward ``period``; ``None`` when it counts.

    It counts when dated inside the period and of a qualifying category; the
    one test of what counts, read by :func:`qualifying_hours_of` and the ledger.
    """
    if not period.contains(activity.on):
        return "outside the period (R17)"
    if activity.category not in policy.qualifying_categories:
        return f"category {activity.category} does not qualify (R19)"
    return None


def qualifying_hours_of(activity: Activity | None, period: Period, policy: Policy) -> Decimal:
    """R19: the hours ``activity`` counts toward ``period``: its own if it counts, else 0."""
    if activity is None or why_not_counted(activity, period, policy) is not None:
        return Decimal(0)
    return activity.hours


def qualifying_hours(period: Period, activities: Iterable[Activity], policy: Policy) -> Decimal:
    """The qualifying hours inside ``period``, each activity id once (R19): the one count.

    The sum of :func:`qualifying_hours_of` over the copy of each id that counts
    (:func:`unique_activities`); the ledger's hours, and what a journey's
    :class:`HoursCount` keeps one record at a time.
    """
    return sum(
        (qualifying_hours_of(a, period, policy) for a in unique_activities(activities).values()),
        Decimal(0),
    )


_BITS: Final = 5
_SLOT: Final = (1 << _BITS) - 1
_HASH_BITS: Final = 64
_ALL_BITS: Final = (1 << _HASH_BITS) - 1

_Leaf = tuple[str, int, Activity]  # an id, its hash, the copy that counts


class ActivityIndex:
    """Each activity id mapped to the copy that counts (R19), as a persistent value.

    :meth:`recorded` returns a new index and never changes this one, so journeys
    (and threads) may share an index freely. It is a hash array mapped trie: a
    node holds a bitmap of its occupied slots (five bits of an id's hash each)
    and a tuple of leaves and subtrees; recording copies one short path, so its
    cost grows with the logarithm (base 32) of the number of ids.
    """

    __slots__ = ("bitmap", "entries", "size")

    bitmap: int
    """Which of the 32 slots of this node are occupied (the structure, not for callers)."""
    entries: tuple[_Leaf | ActivityIndex, ...]
    """The occupied slots in order: leaves ``(id, hash, activity)`` and subtrees."""
    size: int
    """How many ids the index holds."""

    def __init__(self, activities: Iterable[Activity] = ()) -> None:
        """The index of ``activities`` (each id once: the copy :func:`activity_order` picks)."""
        self.bitmap, self.entries, self.size = 0, (), 0
        index = self
        for activity in activities:
            index = index.recorded(activity)
        self.bitmap, self.entries, self.size = index.bitmap, index.entries, index.size

    @staticmethod
    def _hash(key: str) -> int:
        return hash(key) & _ALL_BITS

    @classmethod
    def _node(
        cls, bitmap: int, slots: tuple[_Leaf | ActivityIndex, ...], size: int
    ) -> ActivityIndex:
        node = object.__new__(cls)
        node.bitmap, node.entries, node.size = bitmap, slots, size
        return node

    def get(self, key: str) -> Activity | None:
        """The copy of activity ``key`` that counts, or ``None``."""
        code, shift, node = self._hash(key), 0, self
        while shift < _HASH_BITS:
            bit = 1 << ((code >> shift) & _SLOT)
            if not node.bitmap & bit:
                return None
            entry = node.entries[(node.bitmap & (bit - 1)).bit_count()]
            if not isinstance(entry, ActivityIndex):
                return entry[2] if entry[0] == key else None
            node, shift = entry, shift + _BITS
        # Below the last level of the hash: the ids whose hashes are all equal.
        return next((leaf[2] for leaf in node.entries if leaf[0] == key), None)  # type: ignore[index]

    def recorded(self, activity: Activity) -> ActivityIndex:
        """This index with ``activity`` recorded: kept when it is the copy that counts (R19)."""
        kept = self.get(activity.id)
        if kept is not None and activity_order(kept) <= activity_order(activity):
            return self
        return self.replaced(activity, kept)

    def replaced(self, activity: Activity, kept: Activity | None) -> ActivityIndex:
        """This index with ``activity`` in place of ``kept``, its id's copy (``None``: a new id).

        For a caller that has just looked ``kept`` up and compared the two
        (:meth:`recorded` does both).
        """
        leaf = (activity.id, self._hash(activity.id), activity)
        return self.with_leaf(leaf, 0, grows=kept is None)

    def with_leaf(self, leaf: _Leaf, shift: int, *, grows: bool) -> ActivityIndex:
        """This node with ``leaf`` put in, ``shift`` bits of the hash down (one path copied)."""
        size = self.size + grows
        if shift >= _HASH_BITS:  # equal hashes: a plain list of leaves
            others = tuple(old for old in self.entries if old[0] != leaf[0])  # type: ignore[index]
            return self._node(0, (*others, leaf), size)
        bit = 1 << ((leaf[1] >> shift) & _SLOT)
        at = (self.bitmap & (bit - 1)).bit_count()
        slots = self.entries
        if not self.bitmap & bit:
            return self._node(self.bitmap | bit, (*slots[:at], leaf, *slots[at:]), size)
        entry = slots[at]
        new: _Leaf | ActivityIndex
        if isinstance(entry, ActivityIndex):
            new = entry.with_leaf(leaf, shift + _BITS, grows=grows)
        elif entry[0] == leaf[0]:
            new = leaf
        else:
            new = self._node(0, (), 1).with_leaf(entry, shift + _BITS, grows=False)
            new = new.with_leaf(leaf, shift + _BITS, grows=True)
        return self._node(self.bitmap, (*slots[:at], new, *slots[at + 1 :]), size)

    def values(self) -> Iterator[Activity]:
        """Every copy that counts, in no particular order."""
        for entry in self.entries:
            if isinstance(entry, ActivityIndex):
                yield from entry.values()
            else:
                yield entry[2]


class HoursCount(NamedTuple):
    """The qualifying hours of one period, kept as activities are recorded (R19).

    A value: :meth:`recorded` returns a new count and shares the unchanged
    parts of the index, so recording costs the same however many activities
    came before. It always equals :func:`qualifying_hours` of what it has seen.
    """

    period: Period
    hours: Decimal
    counted: ActivityIndex
    """Each activity id seen, mapped to the copy that counts."""

    @classmethod
    def of(cls, period: Period, activities: Iterable[Activity], policy: Policy) -> HoursCount:
        """The count of ``period`` from everything recorded, counted once from scratch."""
        recorded = tuple(activities)
        return cls(period, qualifying_hours(period, recorded, policy), ActivityIndex(recorded))

    def recorded(self, activity: Activity, policy: Policy) -> HoursCount:
        """This count with ``activity`` recorded (R19).

        When it becomes the copy of its id that counts, its hours replace those
        of the copy before.
        """
        counted = self.counted
        kept = counted.get(activity.id)
        if kept is not None and activity_order(kept) <= activity_order(activity):
            return self
        period = self.period
        hours = self.hours + (
            qualifying_hours_of(activity, period, policy)
            - qualifying_hours_of(kept, period, policy)
        )
        return HoursCount(period, hours, counted.replaced(activity, kept))


def first_fee_payment(period: Period, payments: Iterable[dt.date]) -> dt.date | None:
    """The first renewal-fee payment inside ``period``, if any (R18)."""
    start, end = period.start, period.end
    first = None
    for paid in payments:  # a loop, not a comprehension: this runs on every renewal check
        if start <= paid < end and (first is None or paid < first):
            first = paid
    return first


def renewal_met(hours: Decimal, required: Decimal, fee_paid_on: dt.date | None) -> bool:
    """R18: whether renewal's needs are met, the one test of them.

    At least ``required`` qualifying hours inside the period and the renewal
    fee paid inside it (``fee_paid_on``, from :func:`first_fee_payment`).
    """
    return hours >= required and fee_paid_on is not None


@attrs.frozen(kw_only=True)
class Ledger:
    """Where a period stands against R18 on a given date."""

    period: Period
    as_of: dt.date
    counted: tuple[Activity, ...]
    """Qualifying activities inside the period, each id once, in date order."""
    not_counted: tuple[tuple[Activity, str], ...]
    """Other activities recorded, each with why it does not count."""
    hours: Decimal
    hours_required: Decimal
    fee_paid_on: dt.date | None
    free_hours: Decimal = Decimal(0)
    """Counted hours from the program's own alumni offerings, which cost nothing (R19)."""

    @property
    def hours_needed(self) -> Decimal:
        """Hours still missing (zero when met)."""
        return max(self.hours_required - self.hours, Decimal(0))

    @property
    def days_left(self) -> int:
        """Days from ``as_of`` until the period ends (zero once it has)."""
        return max((self.period.end - self.as_of).days, 0)

    @property
    def eligible(self) -> bool:
        """Whether R18 is met: enough qualifying hours and the fee paid, both inside the period."""
        return renewal_met(self.hours, self.hours_required, self.fee_paid_on)

    @property
    def missing(self) -> tuple[str, ...]:
        """What still stands between the candidate and renewal, in words.

        At most two sentences, in this order: ``"<n> more qualifying hours (has
        <h> of <r>)"`` and ``"the renewal fee paid inside the period"``; empty
        when R18 is met.
        """
        if self.eligible:
            return ()
        gaps = []
        if self.hours_needed:
            gaps.append(
                f"{self.hours_needed} more qualifying hours (has {self.hours} of "
                f"{self.hours_required})"
            )
        if self.fee_paid_on is None:
            gaps.append("the renewal fee paid inside the period")
        return tuple(gaps)


def ledger_for(
    period: Period,
    activities: Iterable[Activity],
    fee_payments: Iterable[dt.date],
    policy: Policy,
    *,
    as_of: dt.date,
) -> Ledger:
    """The ledger of ``period`` from everything recorded, counting what was dated by ``as_of``.

    The order in which activities were recorded never matters: duplicates by id
    count once (the earliest-dated copy), and the result is sorted by date.
    """
    counted: list[Activity] = []
    not_counted: list[tuple[Activity, str]] = []
    for activity in sorted(unique_activities(activities).values(), key=activity_order):
        if activity.on > as_of:
            continue
        why = why_not_counted(activity, period, policy)
        if why is None:
            counted.append(activity)
        else:
            not_counted.append((activity, why))
    free = policy.free_categories
    return Ledger(
        period=period,
        as_of=as_of,
        counted=tuple(counted),
        not_counted=tuple(not_counted),
        hours=qualifying_hours(period, counted, policy),
        hours_required=policy.ce_hours_required,
        fee_paid_on=first_fee_payment(period, (d for d in fee_payments if d <= as_of)),
        free_hours=qualifying_hours(period, (a for a in counted if a.category in free), policy),
    )


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


def renewed(
    journey: JourneyFacts, day: dt.date, hours: Decimal, payments: Iterable[dt.date]
) -> tuple[dict[str, tuple[Period, ...]], tuple[Decision, ...]]:
    """R18, R20: what a renewal on ``day`` changes and decides; nothing when R18 is unmet.

    From the facts of the latest period: its qualifying ``hours`` and the
    renewal fee ``payments`` (:func:`renewal_met` says whether they renew). The
    next period starts on the latest one's end, however early.
    """
    policy, periods = journey.policy, journey.periods
    current = periods[-1]
    fee_paid_on = first_fee_payment(current, payments)
    if not renewal_met(hours, policy.ce_hours_required, fee_paid_on):
        return {}, ()
    assert fee_paid_on is not None  # noqa: S101  # renewal_met: the fee was paid
    following = current.next(policy)
    decided = renewal(policy, day, hours, fee_paid_on, following)
    return {"periods": (*periods, following)}, (decided,)


def record_activity(journey: JourneyFacts, event: RecordActivity, day: dt.date) -> Handled:
    """R17-R20: an activity is recorded, never refused; it counts toward the latest period.

    ``journey`` holds the activity already: the journey keeps its activities
    its own way and answers the hours they count
    (:meth:`~cptm_rules.types.JourneyFacts.qualifying_hours`). Before
    certification the activity counts toward no period (R17), after a lapse
    toward none either (R20); inside the period it may complete R18 and renew.
    """
    policy = journey.policy
    if not journey.periods:
        return Handled({}, (recorded_before_certification(policy, event),))
    current = journey.periods[-1]
    if day >= current.end:
        return Handled({}, (recorded_after_lapse(policy, event, current),))
    hours = journey.qualifying_hours(current)
    changes, renewals = renewed(journey, day, hours, journey.renewal_fee_payments)
    return Handled(changes, (hours_recorded(policy, hours, current), *renewals))


def pay_renewal_fee(journey: JourneyFacts, event: PayRenewalFee, day: dt.date) -> Handled:
    """R18: the renewal fee is paid inside the period and charged; it may renew (R20).

    Refused once the credential lapsed: the period's last day has passed (R20).
    """
    current = journey.periods[-1]
    if day >= current.end:
        raise Refusal.too_late(
            "R20",
            current.end - dt.timedelta(days=1),
            "the credential lapsed: the period's last day was",
        )
    payments = (*journey.renewal_fee_payments, event.on)
    policy, prices = journey.policy, journey.prices
    changes, renewals = renewed(journey, day, journey.qualifying_hours(current), payments)
    return Handled(
        {"renewal_fee_payments": payments, **changes},
        (fee_paid(policy, prices, event, current), *renewals),
        (),
        renewal_fee_charge(prices),
    )
