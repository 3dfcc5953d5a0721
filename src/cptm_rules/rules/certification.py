"""Certification and renewal: the period, what renewal needs, what qualifies, lapse (R17-R20).

The rules of this family are declared here (:data:`RULES`) beside the functions
that decide them: the certification period (:class:`Period`, R17), what counts
toward it (:func:`qualifying_hours_of`, counted by :func:`qualifying_hours` and,
one record at a time, by :class:`HoursCount`), what renewal needs
(:func:`renewal_met`, R18) and what a period stands at (:class:`Ledger`). The
handling of the continuing-education events, :func:`record_activity` and
:func:`pay_renewal_fee`, answers a :class:`~cptm_rules.types.Handled` that the
journey (:mod:`cptm_rules.lifecycle`) applies; the journey starts the first
period when a candidate passes and derives a grace period and a lapse from the
date (``Journey.status_on``).

A period is the half-open interval ``[start, end)`` with ``end = start + 2
years`` added in one step (R17). The ledger of a period counts qualifying
activities dated inside it, each activity id once (R19), and whether the
renewal fee was paid inside it (R18). Hours never carry over.

Two requirements are data (``docs/policy.md``): ``category_limits``, groups of
categories with the fewest hours a period needs from them and the most it
counts (:class:`CategoryLimit`); and ``renewal_grace_days``, a grace period
after a period's end in which the renewal fee may still be paid, with the late
renewal fee (:func:`grace_end`, R20). Both empty or zero (the shipped policies)
change no answer.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Mapping
from decimal import ROUND_CEILING, Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final, NamedTuple, overload

import attrs

from cptm_rules.declarations import (
    Q_ONGOING,
    Q_QUALIFIES,
    Citation,
    Document,
    InForce,
    Rule,
    RuleKind,
    faq,
)
from cptm_rules.events import Activity, PayRenewalFee, RecordActivity
from cptm_rules.exceptions import PolicyError
from cptm_rules.figures import (
    Deadline,
    DeadlineSpec,
    Invalid,
    Shorthand,
    deadline,
    fee,
    figure,
    hours,
    members_of,
    read_as_before,
    whole,
)
from cptm_rules.formulas import (
    SCALAR,
    Case,
    Ops,
    Precedence,
    check_precedence,
    deadline_after,
    first_answer,
)
from cptm_rules.money import Amount
from cptm_rules.rules._build import decision, effect, money_or_unknown, priced, refusal_in
from cptm_rules.rules._words import Phrase, WordedRule
from cptm_rules.types import Handled, Refusal
from cptm_rules.vocabulary import ActivityCategory, DeadlineUnit, EffectKind

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from cptm_rules.outcomes import Decision, Effect
    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule
    from cptm_rules.types import JourneyFacts

__all__ = [
    "ACTIVITY_VERDICT",
    "PERIOD_STATUS",
    "PERIOD_STATUS_SINCE",
    "RENEWAL_FEE_OUTCOME",
    "RENEWAL_FEE_REFUSALS",
    "RULES",
    "ActivityCase",
    "ActivityIndex",
    "CategoryHours",
    "CategoryLimit",
    "CertificationFees",
    "CertificationFigures",
    "HoursCount",
    "Ledger",
    "Period",
    "PeriodStatusCase",
    "RenewalFeeCase",
    "activity_order",
    "by_group",
    "category_groups",
    "category_limits",
    "counted_hours",
    "enough_hours_and_paid",
    "fee_paid",
    "fee_paid_in_grace",
    "first_fee_payment",
    "grace_end",
    "grace_period_given",
    "group_hours",
    "hours_recorded",
    "in_grace",
    "in_grace_since",
    "in_period",
    "lapsed_since",
    "late_renewal_fee_charge",
    "ledger_for",
    "minimums_met",
    "pay_renewal_fee",
    "period_end",
    "period_from",
    "period_started",
    "period_started_answer",
    "qualifying_hours",
    "qualifying_hours_of",
    "qualifying_places",
    "record_activity",
    "recorded_after_lapse",
    "recorded_before_certification",
    "recorded_in_grace",
    "renewal",
    "renewal_answer",
    "renewal_fee_charge",
    "renewal_met",
    "renewal_payment",
    "renewals_counted_alone",
    "renewed",
    "renews",
    "unique_activities",
    "why_not_counted",
]


@attrs.frozen(kw_only=True)
class CategoryLimit:
    """A group of activity categories: the fewest hours a period needs from it, the most it counts.

    Read from ``[[certification.category_limits]]`` tables (R18): ``categories``,
    and ``min_hours`` or ``max_hours`` or both. A period's qualifying hours from
    the group count up to ``max_hours`` toward the hours required (the rest is
    cut), and renewal needs at least ``min_hours`` of them.
    """

    categories: tuple[ActivityCategory, ...]
    min_hours: Decimal | None = None
    """The fewest qualifying hours a period needs from the group (``None``: no minimum)."""
    max_hours: Decimal | None = None
    """The most hours of the group a period counts (``None``: no cap)."""

    def counted(self, recorded: Decimal) -> Decimal:
        """How many of the group's ``recorded`` qualifying hours count: up to the cap."""
        cap = self.max_hours
        return recorded if cap is None or recorded <= cap else cap

    def counted_in(self, ops: Ops, hundredths: Any) -> Any:  # noqa: ANN401  # hundredths
        """:meth:`counted`, for a cohort: ``hundredths`` of an hour recorded, up to the cap.

        Exact: hours have at most two decimals, so the cap is a whole number of them.
        """
        cap = self.max_hours
        if cap is None:
            return hundredths
        most = int(cap * 100)
        return ops.where(hundredths <= most, hundredths, most)

    def reached_in(self, ops: Ops, hundredths: Any) -> Any:  # noqa: ANN401, ARG002  # a mask
        """Whether ``hundredths`` of an hour recorded reach the minimum (:meth:`short` is 0)."""
        least = self.min_hours
        return hundredths >= (0 if least is None else int(least * 100))

    def short(self, recorded: Decimal) -> Decimal:
        """How many hours the group still needs to reach its minimum (zero when met)."""
        least = self.min_hours
        return Decimal(0) if least is None or recorded >= least else least - recorded

    def __str__(self) -> str:
        """In words: ``at least 35 hours from course, conference``."""
        bounds = []
        if self.min_hours is not None:
            bounds.append(f"at least {self.min_hours}")
        if self.max_hours is not None:
            bounds.append(f"at most {self.max_hours}")
        names = ", ".join(str(c) for c in self.categories)
        return f"{' and '.join(bounds)} hours from {names}"


_ONE_DAY: Final = dt.timedelta(days=1)
_LIMIT_KEYS: Final = ("categories", "min_hours", "max_hours")
_LIMIT_HOURS: Final = hours(10000)
_LIMIT_CATEGORIES: Final = members_of(ActivityCategory)
_LIMITS_EXPECTED: Final = (
    "a list of tables, each with categories (a list of activity categories) and "
    "min_hours or max_hours or both"
)


def category_limits(value: object) -> tuple[CategoryLimit, ...]:
    """The check of ``certification.category_limits``: a list of :class:`CategoryLimit` tables.

    Each table gives ``categories`` (known activity categories, at least one, none
    in two groups) and ``min_hours``, ``max_hours`` or both (hours, the minimum
    not above the cap). That the categories qualify is checked against the
    policy's ``qualifying_categories`` (:class:`CertificationFigures`).
    """
    if not isinstance(value, list | tuple):
        raise Invalid(_LIMITS_EXPECTED)
    limits: list[CategoryLimit] = []
    seen: set[ActivityCategory] = set()
    for n, item in enumerate(value, start=1):
        limit = _limit(item, n)
        twice = [c for c in limit.categories if c in seen]
        if twice:
            raise Invalid(
                f"{_LIMITS_EXPECTED}; table {n}: category {str(twice[0])!r} is already in "
                "another group (a category belongs to one group at most)"
            )
        seen.update(limit.categories)
        limits.append(limit)
    return tuple(limits)


def _limit(item: object, n: int) -> CategoryLimit:
    """Table ``n`` of ``category_limits`` as a :class:`CategoryLimit`, or :class:`Invalid`."""
    where = f"{_LIMITS_EXPECTED}; table {n}"
    if isinstance(item, CategoryLimit):  # a policy built in code, checked again
        item = {k: getattr(item, k) for k in _LIMIT_KEYS if getattr(item, k) is not None}
    if not isinstance(item, Mapping):
        raise Invalid(f"{where} is not a table")
    unknown = [k for k in item if k not in _LIMIT_KEYS]
    if unknown:
        keys = ", ".join(_LIMIT_KEYS)
        raise Invalid(f"{where}: {str(unknown[0])!r} is not one of its keys {keys}")
    if "categories" not in item:
        raise Invalid(f"{where} names no categories")
    try:
        categories = _LIMIT_CATEGORIES(item["categories"])
    except Invalid as exc:
        raise Invalid(f"{where}: categories: {exc.expected}") from None
    if not categories:
        raise Invalid(f"{where}: categories: at least one category")
    least, most = _bound(item, "min_hours", where), _bound(item, "max_hours", where)
    if least is None and most is None:
        raise Invalid(f"{where} gives neither min_hours nor max_hours")
    if least is not None and most is not None and least > most:
        raise Invalid(f"{where}: min_hours {least} above max_hours {most}")
    return CategoryLimit(categories=categories, min_hours=least, max_hours=most)  # type: ignore[arg-type]


def _bound(item: Mapping[str, object], key: str, where: str) -> Decimal | None:
    """The hours ``item`` gives under ``key`` (``None`` when it gives none), or :class:`Invalid`."""
    if key not in item:
        return None
    try:
        return _LIMIT_HOURS(item[key])  # type: ignore[return-value]
    except Invalid as exc:
        raise Invalid(f"{where}: {key}: {exc.expected}") from None


_CERTIFICATION_PERIOD: Final = DeadlineSpec(
    what="the certification period, R17",
    units=((DeadlineUnit.YEARS, 1, 50), (DeadlineUnit.MONTHS, 1, 600)),
    shorthands=(Shorthand(name="certification_period_years", unit=DeadlineUnit.YEARS),),
)
"""R17: a period's length from its start, in years or months (added in one step, clamped)."""


@attrs.frozen(kw_only=True, slots=False)
class CertificationFigures:
    """The figures R17-R19 read, under ``[certification]`` in policy files.

    Part of :class:`~cptm_rules.policy.Policy`: a figure declared here is read from
    policy files, checked, cited and shown like every other.
    """

    certification_period: Deadline = deadline("certification", "R17", _CERTIFICATION_PERIOD)
    """R17: ``certification_period = { amount = 2, unit = "years" }``, or the older
    ``certification_period_years``."""
    ce_hours_required: Decimal = figure("certification", "R18", hours(10000))
    qualifying_categories: tuple[ActivityCategory, ...] = figure(
        "certification", "R19", members_of(ActivityCategory)
    )
    free_categories: tuple[ActivityCategory, ...] = figure(
        "certification", "R19", members_of(ActivityCategory)
    )
    category_limits: tuple[CategoryLimit, ...] = figure(
        "certification", "R18", category_limits, default=()
    )
    renewal_grace_days: int = figure("certification", "R20", whole(0, 3650), default=0)

    certification_period_years = read_as_before(
        "certification_period", "certification_period_years"
    )

    @category_limits.validator
    def _limits_qualify(self, field: attrs.Attribute[Any], value: object) -> None:
        # A cross-check of two figures, run once every figure is set: a group may
        # only name categories that count at all (R19).
        try:
            limits = category_limits(value)
        except Invalid:
            return  # the policy's own check of the figure reports it, naming the key
        qualifying = self.qualifying_categories
        for n, limit in enumerate(limits, start=1):
            for category in limit.categories:
                if category not in qualifying:
                    raise PolicyError(
                        source=getattr(self, "origin", "Policy(...)"),
                        key=f"certification.{field.name}",
                        value=str(category),
                        expected=f"in table {n}, a category among "
                        "certification.qualifying_categories (only they count, R19)",
                    )


@attrs.frozen(kw_only=True, slots=False)
class CertificationFees:
    """The amounts the renewal rules charge.

    Part of :class:`~cptm_rules.pricing.PriceSchedule`: an amount declared here is
    read from price schedule files (or ``"unknown"``) like every other.
    """

    renewal_fee: Amount = fee("R18")
    """the renewal fee (R18)."""
    late_renewal_fee: Amount = fee("R20", default="unknown")
    """the late renewal fee, charged with the renewal fee paid in the grace period (R20)."""


def grace_period_given(policy: Policy, prices: PriceSchedule) -> bool:  # noqa: ARG001  # an in-force test
    """Whether R20 has a grace period to be in, or to pay in: the policy gives one days.

    The shipped policies give none (0, the FAQ's reading): no period is in grace.
    """
    return policy.renewal_grace_days > 0


def _grace(policy: Policy) -> str:
    """Whether the policy gives a grace period after a period's end: ``none`` or ``some``."""
    return "some" if policy.renewal_grace_days else "none"


RULES: Final = (
    Rule(
        id="R17",
        verdicts=("period_started",),
        exercised_by="a candidate who is certified",
        title="{certification.certification_period:Word} period",
        kinds=(RuleKind.REQUIREMENT,),
        statement=(
            "A certification period is the half-open interval [start, start + "
            "{certification.certification_period}), the {certification.certification_period:days} "
            "added in one step "
            "with clamping. The first starts on the certification date."
        ),
        sources=(faq(Q_ONGOING),),
    ),
    WordedRule(
        id="R18",
        verdicts=("fee_paid",),
        exercised_by="a certified candidate who pays the renewal fee",
        title="What renewal needs",
        kinds=(RuleKind.REQUIREMENT,),
        statement=(
            "Renewing needs at least {certification.ce_hours_required} hours of qualifying "
            "training completed inside the period and the renewal fee paid inside it<grace>. "
            "Hours never carry over. Category limits (at least so many hours from a group of "
            "categories, at most so many counted): {certification.category_limits}."
        ),
        phrases=(
            Phrase(
                slot="grace",
                case=lambda policy, _prices: _grace(policy),
                wordings=(
                    ("none", ""),
                    (
                        "some",
                        (
                            " or in the grace period of {certification.renewal_grace_days} "
                            "day{certification.renewal_grace_days:s} after it, with the late "
                            "renewal fee (R20)"
                        ),
                    ),
                ),
            ),
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
    WordedRule(
        id="R20",
        verdicts=(
            "renewed",
            "not_counted",
            "refused",
            "lapsed",
            "in_grace",
            "paid_in_grace",
        ),
        exercised_by="a certified candidate who renews, late or never (a lapse)",
        title="Renewal and lapse",
        kinds=(RuleKind.CONSEQUENCE,),
        statement=(
            "A renewed period starts on the previous period's end, however early the renewal "
            "was made. <grace>"
        ),
        phrases=(
            Phrase(
                slot="grace",
                case=lambda policy, _prices: _grace(policy),
                wordings=(
                    (
                        "none",
                        (
                            "A period that ends with R18 unmet is followed by no grace period "
                            "(the FAQ states none): the credential is lapsed from the period's "
                            "end, and a renewal fee paid from that day is refused."
                        ),
                    ),
                    (
                        "some",
                        (
                            "A period that ends with R18 unmet is followed by a grace period of "
                            "{certification.renewal_grace_days} "
                            "day{certification.renewal_grace_days:s}, in which the renewal fee "
                            "may still be paid, with the late renewal fee "
                            "({prices.late_renewal_fee}), for hours completed inside the period; "
                            "a renewal then starts the next period on the previous end, with no "
                            "gap. Unmet by the grace period's end, the credential is lapsed from "
                            "that day."
                        ),
                    ),
                ),
            ),
        ),
        sources=(faq(Q_ONGOING),),
        in_force=(
            InForce(
                verdicts=("in_grace", "paid_in_grace"),
                when=grace_period_given,
                off="no grace period (0 days)",
            ),
        ),
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
        """Whether ``day`` falls inside the half-open period (:func:`in_period`)."""
        return bool(in_period(SCALAR, self.start, self.end, day))

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


_NO_HOURS: Final = Decimal(0)
"""What an activity that does not count counts (one value: a Decimal never changes)."""


def qualifying_hours_of(activity: Activity | None, period: Period, policy: Policy) -> Decimal:
    """R19: the hours ``activity`` counts toward ``period``: its own if it counts, else 0."""
    if activity is None or why_not_counted(activity, period, policy) is not None:
        return _NO_HOURS
    return activity.hours


def qualifying_hours(period: Period, activities: Iterable[Activity], policy: Policy) -> Decimal:
    """The qualifying hours inside ``period``, each activity id once (R19): the one count.

    The sum of :func:`qualifying_hours_of` over the copy of each id that counts
    (:func:`unique_activities`), each group of the policy's ``category_limits``
    counted up to its cap (:func:`counted_hours`, R18); the ledger's hours, and
    what a journey's :class:`HoursCount` keeps one record at a time.
    """
    return _count(period, unique_activities(activities).values(), policy)[0]


def group_hours(
    period: Period, activities: Iterable[Activity], policy: Policy
) -> tuple[Decimal, ...]:
    """The qualifying hours inside ``period`` from each group of ``category_limits``, before caps.

    One number per :class:`CategoryLimit` of the policy, in its order (empty
    when it has none); each activity id once, as :func:`qualifying_hours` counts.
    """
    return _count(period, unique_activities(activities).values(), policy)[1]


@lru_cache(maxsize=64)
def _group_index(limits: tuple[CategoryLimit, ...]) -> Mapping[ActivityCategory, int]:
    """Each category of ``limits`` mapped to its group's position (a category is in one)."""
    return {category: n for n, limit in enumerate(limits) for category in limit.categories}


def _count(
    period: Period, unique: Iterable[Activity], policy: Policy
) -> tuple[Decimal, tuple[Decimal, ...]]:
    """The hours ``unique`` (each id once) count toward ``period``; each group's before caps."""
    limits = policy.category_limits
    index = _group_index(limits)
    ungrouped = Decimal(0)
    groups = [Decimal(0)] * len(limits)
    for activity in unique:
        hours = qualifying_hours_of(activity, period, policy)
        group = index.get(activity.category)
        if group is None:
            ungrouped += hours
        else:
            groups[group] += hours
    return counted_hours(ungrouped, groups, limits), tuple(groups)


def counted_hours(
    ungrouped: Decimal, groups: Iterable[Decimal], limits: tuple[CategoryLimit, ...]
) -> Decimal:
    """R18: the hours that count toward the hours required: each group up to its cap.

    ``ungrouped`` are the qualifying hours of categories in no group, ``groups``
    those of each group of ``limits``, in order. Recording more hours never
    lowers the count: a cap holds a group's share at its ``max_hours``.
    """
    total = ungrouped
    for recorded, limit in zip(groups, limits, strict=True):
        total += limit.counted(recorded)
    return total


def minimums_met(groups: Iterable[Decimal], limits: tuple[CategoryLimit, ...]) -> bool:
    """R18: whether every group of ``limits`` has at least its ``min_hours`` (``groups``, in order).

    More hours never make a met minimum unmet.
    """
    if not limits:  # the shipped policies: checked on every record, so answered at once
        return True
    return all(not limit.short(recorded) for recorded, limit in zip(groups, limits, strict=True))


_built: Final = tuple.__new__
"""A named tuple from every one of its fields, in order, in one C call.

What each activity recorded builds (its count, its case, its ``Handled``) is built
this way: a named tuple's own ``__new__`` is a Python function that names and
defaults the fields, and costs as much again.
"""

_BITS: Final = 5
_SLOT: Final = (1 << _BITS) - 1
_HASH_BITS: Final = 64
_ALL_BITS: Final = (1 << _HASH_BITS) - 1

_Leaf = tuple[str, int, Activity]  # an id, its hash, the copy that counts

_SHORT_INDEX: Final = 8
"""Up to this many ids an index is one plain tuple of leaves, scanned (a journey's few).

Comparing a handful of ids costs less than hashing one into a trie and walking it;
past this many, the index becomes the trie (and stays one as it grows).
"""


class ActivityIndex:
    """Each activity id mapped to the copy that counts (R19), as a persistent value.

    :meth:`recorded` returns a new index and never changes this one, so journeys
    (and threads) may share an index freely. Up to eight ids (``_SHORT_INDEX``) it is
    a plain tuple of leaves; past that, a hash array mapped trie: a node holds a
    bitmap of its occupied slots (five bits of an id's hash each) and a tuple of
    leaves and subtrees; recording copies one short path, so its cost grows with
    the logarithm (base 32) of the number of ids.
    """

    __slots__ = ("bitmap", "entries", "size")

    bitmap: int
    """Which of the 32 slots of this node are occupied (the structure, not for callers).

    Zero for a node that is a plain tuple of leaves: a short index's root, or a node
    below the last level of the hash (the ids whose hashes are all equal).
    """
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
        node = self
        if node.bitmap:  # a trie: walk it down by the hash
            code, shift = self._hash(key), 0
            while shift < _HASH_BITS:
                bit = 1 << ((code >> shift) & _SLOT)
                if not node.bitmap & bit:
                    return None
                entry = node.entries[(node.bitmap & (bit - 1)).bit_count()]
                if not isinstance(entry, ActivityIndex):
                    return entry[2] if entry[0] == key else None
                node, shift = entry, shift + _BITS
        # A plain tuple of leaves: a short index, or below the last level of the hash.
        for leaf in node.entries:
            if leaf[0] == key:  # type: ignore[index]
                return leaf[2]  # type: ignore[index]
        return None

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
        key = activity.id
        leaf = (key, self._hash(key), activity)
        if self.bitmap:
            return self.with_leaf(leaf, 0, grows=kept is None)
        # A short index: the leaf in place of its id's, or after the others.
        entries = self.entries
        if kept is not None:
            kept_out = tuple(old if old[0] != key else leaf for old in entries)  # type: ignore[index]
            return self._node(0, kept_out, self.size)
        if self.size < _SHORT_INDEX:
            return self._node(0, (*entries, leaf), self.size + 1)
        # One id too many for a short index: the trie of them all, in their order.
        trie = self._node(0, (), 0)
        for old in (*entries, leaf):
            trie = trie.with_leaf(old, 0, grows=True)  # type: ignore[arg-type]
        return trie

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
    came before. It always equals :func:`qualifying_hours` (``hours``) and
    :func:`group_hours` (``groups``) of what it has seen. Build it with
    :meth:`of`.
    """

    period: Period
    hours: Decimal
    """The hours that count toward the hours required, each group up to its cap (R18)."""
    counted: ActivityIndex
    """Each activity id seen, mapped to the copy that counts."""
    groups: tuple[Decimal, ...] = ()
    """The qualifying hours of each group of the policy's ``category_limits``, before caps."""

    @classmethod
    def of(cls, period: Period, activities: Iterable[Activity], policy: Policy) -> HoursCount:
        """The count of ``period`` from everything recorded, counted once from scratch."""
        index = ActivityIndex(activities)
        hours, groups = _count(period, index.values(), policy)
        return _built(cls, (period, hours, index, groups))

    def recorded(self, activity: Activity, policy: Policy) -> HoursCount:
        """This count with ``activity`` recorded (R19).

        When it becomes the copy of its id that counts, its hours replace those
        of the copy before (in its group, when the policy groups categories).
        """
        counted = self.counted
        kept = counted.get(activity.id)
        if kept is not None and activity_order(kept) <= activity_order(activity):
            return self
        period = self.period
        limits = policy.category_limits
        if not limits:  # no groups: the hours move by the difference, nothing else to keep
            hours = self.hours + (
                qualifying_hours_of(activity, period, policy)
                - qualifying_hours_of(kept, period, policy)
            )
            # Every field, in order: period, hours, counted, groups (see _built).
            return _built(HoursCount, (period, hours, counted.replaced(activity, kept), ()))
        added = qualifying_hours_of(activity, period, policy)
        removed = qualifying_hours_of(kept, period, policy)
        index = counted.replaced(activity, kept)
        groups = list(self.groups)
        hours = self.hours
        where = _group_index(limits)
        for moved, change in ((kept, -removed), (activity, added)):
            if moved is None or not change:
                continue
            group = where.get(moved.category)
            if group is None:
                hours += change
                continue
            limit, before = limits[group], groups[group]
            groups[group] = before + change
            hours += limit.counted(groups[group]) - limit.counted(before)
        return HoursCount(period, hours, index, tuple(groups))

    def minimums_met(self, policy: Policy) -> bool:
        """Whether each group of ``policy``'s ``category_limits`` has its minimum (R18)."""
        return minimums_met(self.groups, policy.category_limits)


def first_fee_payment(
    period: Period, payments: Iterable[dt.date], *, until: dt.date | None = None
) -> dt.date | None:
    """The first renewal-fee payment inside ``period``, if any (R18).

    ``until`` is the first day a payment no longer counts: the period's end
    (the default), or the end of its grace period (:func:`grace_end`, R20).
    """
    start, end = period.start, period.end if until is None else until
    first = None
    for paid in payments:  # a loop, not a comprehension: this runs on every renewal check
        if in_period(SCALAR, start, end, paid) and (first is None or paid < first):
            first = paid
    return first


def renewal_payment(
    policy: Policy,
    period: Period,
    payments: Iterable[dt.date],
    *,
    previous: Period | None = None,
) -> dt.date | None:
    """R18, R20: the renewal-fee payment that counts toward ``period``, if any.

    The first inside the period or its grace period (:func:`first_fee_payment`
    until :func:`grace_end`), never the payment that renewed ``previous`` (the
    period before) in its grace period: that one is dated inside ``period``, which
    the late renewal started, but one payment renews one period.
    """
    paid = tuple(payments)
    if not paid:  # none paid, none counts (asked on every activity recorded)
        return None
    # Without a grace period the previous period's payments all fall before this one.
    if previous is not None and policy.renewal_grace_days:
        used = first_fee_payment(previous, paid, until=grace_end(policy, previous.end))
        if used is not None and used >= period.start:  # a late renewal's payment
            rest = list(paid)
            rest.remove(used)
            paid = tuple(rest)
    return first_fee_payment(period, paid, until=grace_end(policy, period.end))


def renewal_met(
    hours: Decimal,
    required: Decimal,
    fee_paid_on: dt.date | None,
    *,
    minimums: bool = True,
) -> bool:
    """R18: whether renewal's needs are met, the one test of them.

    At least ``required`` qualifying hours inside the period (``hours``, each
    group of the category limits counted up to its cap: :func:`counted_hours`),
    every group's minimum met (``minimums``, :func:`minimums_met`) and the
    renewal fee paid inside it (``fee_paid_on``, from :func:`first_fee_payment`).
    """
    return minimums and bool(
        enough_hours_and_paid(SCALAR, hours, required, fee_paid_on is not None)
    )


def in_period(ops: Ops, start: Any, end: Any, day: Any) -> Any:  # noqa: ANN401, ARG001  # a mask
    """R17, written once for both engines: whether ``day`` falls in ``[start, end)``.

    A period holds its first day and not its end (the next period's first day); a
    grace period (R20) is the same half-open window from a period's end to
    :func:`grace_end`. Days are dates for one candidate (a bool) or day numbers for
    a cohort (a mask).
    """
    return (start <= day) & (day < end)


def enough_hours_and_paid(ops: Ops, hours: Any, required: Any, paid: Any) -> Any:  # noqa: ANN401, ARG001  # a mask
    """R18, written once for both engines: at least ``required`` hours, and the fee ``paid``.

    ``hours`` and ``required`` are in one unit: Decimal hours for one candidate
    (:func:`renewal_met`), whole hundredths of an hour for a cohort (:func:`renews`).
    """
    return paid & (hours >= required)


@overload
def grace_end(policy: Policy, end: dt.date) -> dt.date: ...
@overload
def grace_end(policy: Policy, end: Any, *, ops: Ops) -> Any: ...  # noqa: ANN401
def grace_end(policy: Policy, end: Any, *, ops: Ops = SCALAR) -> Any:
    """R20: the first day after the grace period of a period ending on ``end``: the lapse day.

    ``renewal_grace_days`` calendar days after the period's end; the end itself
    when the policy gives no grace period (0, the FAQ's reading).
    """
    days = policy.renewal_grace_days
    # No grace period (the shipped policies): the end itself, asked on every record.
    return ops.days_after(end, days) if days else end


def in_grace(policy: Policy, end: Any, day: Any, *, ops: Ops = SCALAR) -> Any:  # noqa: ANN401  # a mask or a bool
    """R20: whether ``day`` falls in the grace period after a period ending on ``end``.

    The half-open ``[end, grace_end)`` (:func:`grace_end`): never when the
    policy gives no grace period.
    """
    return in_period(ops, end, grace_end(policy, end, ops=ops), day)


@attrs.frozen(kw_only=True)
class CategoryHours:
    """Where one group of the category limits stands in a period (R18)."""

    limit: CategoryLimit
    recorded: Decimal
    """The group's qualifying hours inside the period, before its cap."""

    @property
    def counted(self) -> Decimal:
        """The hours of the group that count toward the hours required (up to its cap)."""
        return self.limit.counted(self.recorded)

    @property
    def cut(self) -> Decimal:
        """The group's hours the cap does not count (zero under it)."""
        return self.recorded - self.counted

    @property
    def short(self) -> Decimal:
        """The hours still missing to the group's minimum (zero when met)."""
        return self.limit.short(self.recorded)


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
    """The hours that count toward ``hours_required``: each category group up to its cap (R18)."""
    hours_required: Decimal
    fee_paid_on: dt.date | None
    free_hours: Decimal = Decimal(0)
    """Counted hours from the program's own alumni offerings, which cost nothing (R19)."""
    groups: tuple[CategoryHours, ...] = ()
    """Each group of the policy's category limits: its hours, what its cap cut, what it lacks."""

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
        met = all(not group.short for group in self.groups)
        return renewal_met(self.hours, self.hours_required, self.fee_paid_on, minimums=met)

    @property
    def missing(self) -> tuple[str, ...]:
        """What still stands between the candidate and renewal, in words.

        In this order: ``"<n> more qualifying hours (has <h> of <r>)"``, for each
        category group short of its minimum ``"<n> more hours from <categories>
        (has <h> of at least <m>)"``, and ``"the renewal fee paid inside the
        period"``; empty when R18 is met.
        """
        if self.eligible:
            return ()
        gaps = []
        if self.hours_needed:
            gaps.append(
                f"{self.hours_needed} more qualifying hours (has {self.hours} of "
                f"{self.hours_required})"
            )
        for group in self.groups:
            if group.short:
                names = ", ".join(str(c) for c in group.limit.categories)
                gaps.append(
                    f"{group.short} more hours from {names} (has {group.recorded} of at "
                    f"least {group.limit.min_hours})"
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
    previous: Period | None = None,
) -> Ledger:
    """The ledger of ``period`` from everything recorded, counting what was dated by ``as_of``.

    The order in which activities were recorded never matters: duplicates by id
    count once (the earliest-dated copy), and the result is sorted by date. The
    fee counts as :func:`renewal_payment` says: ``previous`` is the period before,
    whose late renewal's payment is not this period's.
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
    hours, groups = _count(period, counted, policy)
    paid = renewal_payment(
        policy, period, (d for d in fee_payments if d <= as_of), previous=previous
    )
    return Ledger(
        period=period,
        as_of=as_of,
        counted=tuple(counted),
        not_counted=tuple(not_counted),
        hours=hours,
        hours_required=policy.ce_hours_required,
        fee_paid_on=paid,
        free_hours=sum((a.hours for a in counted if a.category in free), Decimal(0)),
        groups=tuple(
            CategoryHours(limit=limit, recorded=recorded)
            for limit, recorded in zip(policy.category_limits, groups, strict=True)
        ),
    )


def period_started(policy: Policy, period: Period) -> Decision:
    """R17: the first certification period starts on the certification date."""
    return decision(
        rule_id="R17",
        verdict="period_started",
        policy=policy.label,
        figures=policy.figures("certification_period"),
        dates=(("period start", period.start), ("period end", period.end)),
        reason=lambda: (
            f"the first certification period is {period.start} up to (not including) {period.end}"
        ),
    )


def period_started_answer(policy: Policy) -> tuple[str, str]:
    """R17: the rule and verdict of :func:`period_started`'s decision (a certifying attempt's).

    Asked of the decision itself, so the batch path's answer columns hold its words
    without naming them.
    """
    day = dt.date(policy.first_year, 1, 1)
    given = period_started(policy, period_from(day, policy))
    return given.rule_id, given.verdict


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


def recorded_after_lapse(
    policy: Policy, event: RecordActivity, period: Period, lapsed_on: dt.date | None = None
) -> Decision:
    """R20: an activity recorded after the credential lapsed counts toward no period.

    ``lapsed_on`` is the lapse day: the period's end (the default, no grace
    period) or the end of its grace period (:func:`grace_end`).
    """
    lapsed = period.end if lapsed_on is None else lapsed_on
    return decision(
        rule_id="R20",
        verdict="not_counted",
        policy=policy.label,
        reason=lambda: (
            f"activity {event.activity.id!r} of {event.on} recorded after the "
            f"credential lapsed on {lapsed}: it counts toward no period"
        ),
    )


def recorded_in_grace(
    policy: Policy, event: RecordActivity, period: Period, lapse: dt.date
) -> Decision:
    """R20: an activity dated in the grace period counts toward the period that ended: never.

    Hours count toward the period they are dated in; a renewal in the grace
    period starts the next period on the previous end, which then holds it.
    """
    return decision(
        rule_id="R20",
        verdict="not_counted",
        policy=policy.label,
        figures=policy.figures("renewal_grace_days"),
        dates=(("period ended", period.end), ("last day of grace", lapse - _ONE_DAY)),
        reason=lambda: (
            f"activity {event.activity.id!r} of {event.on} recorded in the grace period "
            f"after the period ending {period.end}: it counts toward no period unless a "
            f"renewal starts the next one on {period.end}"
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
        reason=priced(
            prices,
            lambda: (
                f"renewal fee paid on {event.on}, inside the period {period.start}..{period.end}"
            ),
        ),
    )


def fee_paid_in_grace(
    policy: Policy, prices: PriceSchedule, event: PayRenewalFee, period: Period, lapse: dt.date
) -> Decision:
    """R20: the renewal fee is paid in the grace period, with the late renewal fee."""
    return decision(
        rule_id="R20",
        verdict="paid_in_grace",
        policy=policy.label,
        fee=prices.late_renewal_fee,
        figures=policy.figures("renewal_grace_days"),
        dates=(
            ("paid", event.on),
            ("period ended", period.end),
            ("last day of grace", lapse - _ONE_DAY),
        ),
        reason=priced(
            prices,
            lambda: (
                f"renewal fee paid on {event.on}, in the grace period after the period "
                f"{period.start}..{period.end} (until {lapse - _ONE_DAY}): the late "
                "renewal fee is charged with it"
            ),
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


def late_renewal_fee_charge(prices: PriceSchedule) -> tuple[Effect, ...]:
    """R20: paying the renewal fee in the grace period charges the late renewal fee too."""
    fee = prices.late_renewal_fee
    return (
        effect(
            kind=EffectKind.CHARGE,
            rule_id="R20",
            amount=money_or_unknown(fee),
            detail=lambda: f"charge the late renewal fee: {fee}",
        ),
    )


def hours_recorded(
    policy: Policy, hours: Decimal, period: Period, groups: tuple[Decimal, ...] = ()
) -> Decision:
    """R19: an activity is recorded; ``hours`` qualify inside the period so far.

    ``groups`` are the hours of each group of the category limits (R18), named
    in the reason when the policy has any.
    """
    limits = policy.category_limits

    def reason() -> str:
        said = (
            f"{hours} of {policy.ce_hours_required} qualifying "
            f"hours inside the period ending {period.end}"
        )
        for recorded, limit in zip(groups, limits, strict=True):
            said += f"; {recorded} from {', '.join(str(c) for c in limit.categories)}"
            if limit.min_hours is not None:
                said += f" (at least {limit.min_hours} needed)"
            if limit.max_hours is not None and recorded > limit.max_hours:
                said += f" (at most {limit.max_hours} counted)"
        return said

    return decision(
        rule_id="R19",
        verdict="recorded",
        policy=policy.label,
        figures=policy.figures("category_limits") if limits else (),
        reason=reason,
    )


def renewal(
    policy: Policy, day: dt.date, hours: Decimal, fee_paid_on: dt.date, renewed: Period
) -> Decision:
    """R20: R18 is met: the next period starts on the previous end, however early (or late)."""
    late = day >= renewed.start  # in the grace period: the previous end has passed
    names: tuple[str, ...] = ("ce_hours_required",)
    if policy.category_limits:
        names += ("category_limits",)
    if late:
        names += ("renewal_grace_days",)
    when = "in the grace period, with no gap" if late else "however early"
    return decision(
        rule_id="R20",
        verdict="renewed",
        policy=policy.label,
        figures=policy.figures(*names),
        dates=(
            ("renewed on", day),
            ("next period", renewed.start),
            ("next period ends", renewed.end),
        ),
        reason=lambda: (
            f"R18 met on {day}: {hours} qualifying hours and "
            f"the fee paid on {fee_paid_on}; the next period starts "
            f"on {renewed.start}, the previous end, {when}"
        ),
    )


def renewal_answer(policy: Policy) -> tuple[str, str]:
    """R20: the rule and verdict of :func:`renewal`'s decision (the event's that renews).

    Asked of the decision itself, so the batch path's answer columns hold its words
    without naming them.
    """
    day = dt.date(policy.first_year, 1, 1)
    period = period_from(day, policy)
    given = renewal(policy, day, Decimal(0), day, period.next(policy))
    return given.rule_id, given.verdict


@overload
def period_end(policy: Policy, start: dt.date) -> dt.date: ...
@overload
def period_end(policy: Policy, start: Any, *, ops: Ops) -> Any: ...  # noqa: ANN401
def period_end(policy: Policy, start: Any, *, ops: Ops = SCALAR) -> Any:
    """R17: the first day after a period starting on ``start`` (the period added, clamped)."""
    return deadline_after(ops, policy.calendar, policy.certification_period, start)


def renewed(
    journey: JourneyFacts,
    day: dt.date,
    hours: Decimal,
    payments: Iterable[dt.date],
    *,
    minimums: bool = True,
) -> tuple[dict[str, tuple[Period, ...]], tuple[Decision, ...]]:
    """R18, R20: what a renewal on ``day`` changes and decides; nothing when R18 is unmet.

    From the facts of the latest period: its qualifying ``hours`` (caps
    applied), whether each category group has its minimum (``minimums``) and the
    renewal fee ``payments`` (:func:`renewal_met` says whether they renew; a
    payment in the grace period counts). The next period starts on the latest
    one's end, however early or late.
    """
    policy, periods = journey.policy, journey.periods
    current = periods[-1]
    previous = periods[-2] if len(periods) > 1 else None
    fee_paid_on = renewal_payment(policy, current, payments, previous=previous)
    if not renewal_met(hours, policy.ce_hours_required, fee_paid_on, minimums=minimums):
        return {}, ()
    assert fee_paid_on is not None  # noqa: S101  # renewal_met: the fee was paid
    following = current.next(policy)
    decided = renewal(policy, day, hours, fee_paid_on, following)
    return {"periods": (*periods, following)}, (decided,)


class ActivityCase(NamedTuple):
    """What the rules on a recorded activity compare (R17, R19, R20), for one or many.

    ``certified`` says whether a period has started; ``end`` is the latest
    period's end and ``lapse`` its grace period's (:func:`grace_end`), both
    unread where none has started. ``event``, ``period`` and ``journey`` are one
    candidate's, for the explanation; the batch path leaves them ``None``.
    """

    policy: Policy
    on: Any
    certified: Any
    end: Any
    lapse: Any
    event: RecordActivity | None = None
    period: Period | None = None
    journey: JourneyFacts | None = None


def _not_certified(ops: Ops, case: ActivityCase) -> Any:  # noqa: ANN401  # a mask
    return ops.negated(case.certified)


def _after_the_period(ops: Ops, case: ActivityCase) -> Any:  # noqa: ANN401, ARG001
    return case.on >= case.end


def _in_grace(ops: Ops, case: ActivityCase) -> Any:  # noqa: ANN401
    return in_period(ops, case.end, case.lapse, case.on)


def _one_candidate(case: ActivityCase) -> tuple[RecordActivity, Period]:
    assert case.event is not None  # noqa: S101  # explanations are one candidate's
    assert case.period is not None  # noqa: S101
    return case.event, case.period


def _explain_before_certification(case: ActivityCase) -> Decision:
    assert case.event is not None  # noqa: S101  # explanations are one candidate's
    return recorded_before_certification(case.policy, case.event)


def _explain_in_grace(case: ActivityCase) -> Decision:
    event, period = _one_candidate(case)
    return recorded_in_grace(case.policy, event, period, case.lapse)


def _explain_after_lapse(case: ActivityCase) -> Decision:
    event, period = _one_candidate(case)
    return recorded_after_lapse(case.policy, event, period, case.lapse)


def _explain_recorded(case: ActivityCase) -> Decision:
    _, period = _one_candidate(case)
    assert case.journey is not None  # noqa: S101
    count = case.journey.hours_count(period)
    return hours_recorded(case.policy, count.hours, period, count.groups)


ACTIVITY_VERDICT: Final[Precedence[ActivityCase, Decision]] = check_precedence(
    "what does a recorded activity count toward?",
    (
        (
            "R19",
            Case(
                verdicts=("not_counted",),
                when=_not_certified,
                explain=_explain_before_certification,
            ),
        ),
        ("R20", Case(verdicts=("not_counted",), when=_in_grace, explain=_explain_in_grace)),
        (
            "R20",
            Case(verdicts=("not_counted",), when=_after_the_period, explain=_explain_after_lapse),
        ),
        ("R19", Case(verdicts=("recorded",), explain=_explain_recorded)),
    ),
)
"""R17, R19, R20: an activity, never refused, counts toward no period before certification,
in a grace period or after a lapse; else it is recorded toward the latest period.

The journey explains the row that answers (a recorded one may then renew, R20);
the batch path reads each activity's verdict and rule from the same rows.
"""


def record_activity(journey: JourneyFacts, event: RecordActivity, day: dt.date) -> Handled:
    """R17-R20: an activity is recorded, never refused; it counts toward the latest period.

    ``journey`` holds the activity already: the journey keeps its activities
    its own way and answers the hours they count
    (:meth:`~cptm_rules.types.JourneyFacts.hours_count`). Before
    certification the activity counts toward no period (R17), in a grace period
    or after a lapse toward none either (R20); inside the period it may complete
    R18 and renew (:data:`ACTIVITY_VERDICT`).
    """
    policy, periods = journey.policy, journey.periods
    current = periods[-1] if periods else None
    end = None if current is None else current.end
    lapse = None if end is None else grace_end(policy, end)
    # Every field, in order: policy, on, certified, end, lapse, event, period, journey
    # (see _built).
    case = _built(
        ActivityCase, (policy, day, current is not None, end, lapse, event, current, journey)
    )
    row = first_answer(ACTIVITY_VERDICT, case)
    assert row is not None  # noqa: S101  # the table's last row always answers
    answered = row[1].explain(case)
    # Handled's fields: changes, decisions, advisories, effects.
    if row[1] is not _RECORDED or current is None:
        return _built(Handled, ({}, (answered,), (), ()))
    count = journey.hours_count(current)
    minimums = not policy.category_limits or count.minimums_met(policy)
    changes, renewals = renewed(
        journey, day, count.hours, journey.renewal_fee_payments, minimums=minimums
    )
    return _built(Handled, (changes, (answered, *renewals), (), ()))


_RECORDED: Final = ACTIVITY_VERDICT[-1][1]
"""The row of an activity recorded toward the latest period (which may then renew)."""


def renewals_counted_alone(policy: Policy) -> bool:
    """Deprecated: whether a period renews on its own hours and a payment inside it alone.

    True with no grace period (R20) and no category limits (R18). The batch path
    asked it to leave other policies' renewals to the journeys; it now answers them
    itself, and nothing in the library asks it. It warns (a ``DeprecationWarning``)
    and will be removed.
    """
    warnings.warn(
        "renewals_counted_alone is deprecated: the batch path answers every policy's "
        "renewals; read policy.renewal_grace_days and policy.category_limits instead",
        DeprecationWarning,
        stacklevel=2,
    )
    return not policy.renewal_grace_days and not policy.category_limits


def qualifying_places(policy: Policy) -> tuple[int, ...]:
    """R19: the places in ``ActivityCategory`` of the categories that count under ``policy``."""
    everything = tuple(ActivityCategory)
    return tuple(everything.index(c) for c in policy.qualifying_categories)


def renews(ops: Ops, policy: Policy, groups: Sequence[Any], paid: Any) -> Any:  # noqa: ANN401  # a mask
    """R18 (:func:`renewal_met`) for a cohort: enough hours, each group's minimum, and the fee.

    ``groups`` are a period's qualifying hours in hundredths of an hour (exact
    integers: a cohort's hours have at most two decimals, as the figures have): those
    of the categories in no group of the policy's ``category_limits`` first, then each
    group's, in order, before caps. Each group counts up to its cap
    (:meth:`CategoryLimit.counted_in`, as :func:`counted_hours` counts) and must reach
    its minimum (:meth:`CategoryLimit.reached_in`, as :func:`minimums_met` asks).
    """
    required = (policy.ce_hours_required * 100).to_integral_value(rounding=ROUND_CEILING)
    ungrouped, *grouped = groups
    total, met = ungrouped, paid
    for recorded, limit in zip(grouped, policy.category_limits, strict=True):
        total = total + limit.counted_in(ops, recorded)
        met = met & limit.reached_in(ops, recorded)
    return enough_hours_and_paid(ops, total, int(required), met)


def by_group(ops: Ops, policy: Policy, hours: Any, group: Any) -> list[Any]:  # noqa: ANN401
    """R18: ``hours`` split as :func:`renews` reads them, by each one's ``group``.

    ``group`` is the place of each hour's category among the policy's
    ``category_limits`` (:func:`category_groups`, -1 for none): the hours in no
    group first, then each group's; all of them alone when the policy has no limits.
    """
    count = len(policy.category_limits)
    if not count:
        return [hours]
    return [ops.where(group == g, hours, 0) for g in range(-1, count)]


def category_groups(policy: Policy) -> tuple[int, ...]:
    """R18: per category of ``ActivityCategory``, in order, its group in ``category_limits``.

    ``-1`` for a category in no group; the groups are numbered from 0, in the
    policy's order (what :func:`renews` reads its ``groups`` by, after the ungrouped).
    """
    index = _group_index(policy.category_limits)
    return tuple(index.get(category, -1) for category in ActivityCategory)


class RenewalFeeCase(NamedTuple):
    """What the rules on a renewal-fee payment compare (R18, R20), for one or many.

    ``end`` is the latest period's end and ``lapse`` its grace period's
    (:func:`grace_end`); ``event``, ``period`` and ``prices`` are one
    candidate's, for the explanation (the batch path leaves them ``None``).
    """

    policy: Policy
    on: Any
    end: Any
    lapse: Any
    event: PayRenewalFee | None = None
    period: Period | None = None
    prices: PriceSchedule | None = None


def _lapsed(ops: Ops, case: RenewalFeeCase) -> Any:  # noqa: ANN401, ARG001  # a mask
    return case.on >= case.lapse


def _paid_late(ops: Ops, case: RenewalFeeCase) -> Any:  # noqa: ANN401, ARG001
    return case.on >= case.end


def _explain_lapsed(case: RenewalFeeCase) -> Refusal:
    last = "the period's last day" if case.lapse == case.end else "the grace period's last day"
    return Refusal.too_late(None, case.lapse - _ONE_DAY, f"the credential lapsed: {last} was")


def _fee_facts(case: RenewalFeeCase) -> tuple[PriceSchedule, PayRenewalFee, Period]:
    assert case.prices is not None  # noqa: S101  # explanations are one candidate's
    assert case.event is not None  # noqa: S101
    assert case.period is not None  # noqa: S101
    return case.prices, case.event, case.period


def _explain_paid_in_grace(case: RenewalFeeCase) -> Decision:
    prices, event, period = _fee_facts(case)
    return fee_paid_in_grace(case.policy, prices, event, period, case.lapse)


def _explain_fee_paid(case: RenewalFeeCase) -> Decision:
    prices, event, period = _fee_facts(case)
    return fee_paid(case.policy, prices, event, period)


RENEWAL_FEE_REFUSALS: Final[Precedence[RenewalFeeCase, Refusal]] = check_precedence(
    "may the renewal fee be paid?",
    (("R20", Case(verdicts=("refused",), when=_lapsed, explain=_explain_lapsed)),),
)
"""R20: the renewal fee is refused once the credential lapsed (the period's or grace's end)."""

RENEWAL_FEE_OUTCOME: Final[Precedence[RenewalFeeCase, Decision]] = check_precedence(
    "what does a renewal fee paid answer?",
    (
        (
            "R20",
            Case(
                verdicts=("paid_in_grace",),
                when=_paid_late,
                fees=("late_renewal_fee",),
                explain=_explain_paid_in_grace,
            ),
        ),
        ("R18", Case(verdicts=("fee_paid",), fees=("renewal_fee",), explain=_explain_fee_paid)),
    ),
)
"""R20, R18: a renewal fee accepted is paid late in the grace period, else inside the period.

The journey explains the row that answers (it may then renew, R20); the batch
path reads each payment's verdict, rule and fee from the same rows.
"""


def pay_renewal_fee(journey: JourneyFacts, event: PayRenewalFee, day: dt.date) -> Handled:
    """R18: the renewal fee is paid inside the period and charged; it may renew (R20).

    In the grace period after the period's end (``renewal_grace_days``, R20) it
    is still accepted, and the late renewal fee is charged with it. Refused once
    the credential lapsed: the period's last day (or its grace period's) has passed
    (:data:`RENEWAL_FEE_REFUSALS`, then :data:`RENEWAL_FEE_OUTCOME`).
    """
    policy, prices = journey.policy, journey.prices
    current = journey.periods[-1]
    end = current.end
    # Positional, as every case a handler builds (policy, on, end, lapse, event, period,
    # prices).
    case = RenewalFeeCase(policy, day, end, grace_end(policy, end), event, current, prices)
    refusal = refusal_in(RENEWAL_FEE_REFUSALS, case)
    if refusal is not None:
        raise refusal
    payments = (*journey.renewal_fee_payments, event.on)
    count = journey.hours_count(current)
    changes, renewals = renewed(
        journey, day, count.hours, payments, minimums=count.minimums_met(policy)
    )
    row = first_answer(RENEWAL_FEE_OUTCOME, case)
    assert row is not None  # noqa: S101  # the table's last row always answers
    paid = row[1].explain(case)
    charged = renewal_fee_charge(prices)
    if row[1] is not _PAID_INSIDE:  # in the grace period: a late payment
        charged = (*charged, *late_renewal_fee_charge(prices))
    return Handled({"renewal_fee_payments": payments, **changes}, (paid, *renewals), (), charged)


_PAID_INSIDE: Final = RENEWAL_FEE_OUTCOME[-1][1]
"""The row of a renewal fee paid inside the period (no late renewal fee)."""


class PeriodStatusCase(NamedTuple):
    """Where a certified journey stands on ``day`` (R17, R20), for one candidate or many.

    ``end`` is the current period's end and ``lapse`` its grace period's
    (:func:`grace_end`); ``start``, the period's first day, is one candidate's,
    for the explanation (the batch path leaves it ``None``).
    """

    policy: Policy
    day: Any
    end: Any
    lapse: Any
    start: dt.date | None = None

    @classmethod
    def of(
        cls,
        ops: Ops,
        policy: Policy,
        day: Any,  # noqa: ANN401
        end: Any,  # noqa: ANN401
        start: dt.date | None = None,
    ) -> PeriodStatusCase:
        """The facts for ``day``, from the current period's end (its grace runs from it)."""
        return cls(policy, day, end, grace_end(policy, end, ops=ops), start)


def _lapsed_on(ops: Ops, case: PeriodStatusCase) -> Any:  # noqa: ANN401, ARG001  # a mask
    return case.day >= case.lapse


def _in_its_grace(ops: Ops, case: PeriodStatusCase) -> Any:  # noqa: ANN401
    return in_period(ops, case.end, case.lapse, case.day)


def _explain_status_lapsed(case: PeriodStatusCase) -> str:
    if case.lapse == case.end:  # no grace period: the FAQ's reading
        return (
            f"the period {case.start}..{case.end} ended with R18 unmet; no grace period is stated"
        )
    grace = f"{case.policy.renewal_grace_days}-day grace period"
    return (
        f"the period {case.start}..{case.end} ended with R18 unmet, "
        f"and so did its {grace} on {case.lapse}"
    )


def _explain_status_in_grace(case: PeriodStatusCase) -> str:
    grace = f"{case.policy.renewal_grace_days}-day grace period"
    return (
        f"the period {case.start}..{case.end} ended with R18 unmet; in its "
        f"{grace}, the renewal fee is accepted with the late renewal fee until "
        f"{case.lapse - _ONE_DAY}"
    )


def _explain_status_certified(case: PeriodStatusCase) -> str:
    return f"certified; current period ends {case.end}"


PERIOD_STATUS: Final[Precedence[PeriodStatusCase, str]] = check_precedence(
    "where does a certified journey stand?",
    (
        ("R20", Case(verdicts=("lapsed",), when=_lapsed_on, explain=_explain_status_lapsed)),
        (
            "R20",
            Case(verdicts=("in_grace",), when=_in_its_grace, explain=_explain_status_in_grace),
        ),
        ("R17", Case(verdicts=("certified",), explain=_explain_status_certified)),
    ),
)
"""R17, R20: a certified journey's state on a day: lapsed once its current period ended
unrenewed and so did any grace period, in its grace period (the renewal fee still
accepted, late), else certified inside the period.

Each verdict is a state; the explanation is the status's reason. The journey asks it
in :meth:`~cptm_rules.lifecycle.Journey.status_on`, the batch path for a cohort.
"""


def lapsed_since(ops: Ops, case: PeriodStatusCase) -> Any:  # noqa: ANN401, ARG001  # a day or days
    """R20: the first day of ``lapsed``: the lapse day (the period's end with no grace)."""
    return case.lapse


def in_grace_since(ops: Ops, case: PeriodStatusCase) -> Any:  # noqa: ANN401, ARG001
    """R20: the first day of ``in_grace``: the period's end."""
    return case.end


PERIOD_STATUS_SINCE: Final[Mapping[str, Callable[[Ops, PeriodStatusCase], Any]]] = {
    "lapsed": lapsed_since,
    "in_grace": in_grace_since,
}
"""Per derived state of :data:`PERIOD_STATUS`, the formula of the day it began."""


# The limit types are read by the serializer (cattrs) when a policy or a ledger is
# written or read; their annotations name this module's imports.
attrs.resolve_types(CategoryLimit)
attrs.resolve_types(CategoryHours)
