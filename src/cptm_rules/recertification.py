"""Certification periods and the continuing-education ledger (R17-R20).

A period is the half-open interval ``[start, end)`` with ``end = start + 2
years`` added in one step (R17). The ledger of a period counts qualifying
activities dated inside it, each activity id once (R19), and whether the
renewal fee was paid inside it (R18). Hours never carry over.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Final

import attrs

from cptm_rules.calendar import add_years
from cptm_rules.events import Activity

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from cptm_rules.policy import Policy

__all__ = [
    "ActivityIndex",
    "Ledger",
    "Period",
    "activity_order",
    "first_fee_payment",
    "ledger_for",
    "period_from",
    "qualifying_hours",
    "unique_activities",
]


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
    return Period(start=start, end=add_years(start, policy.certification_period_years))


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
        return self.hours >= self.hours_required and self.fee_paid_on is not None

    @property
    def missing(self) -> tuple[str, ...]:
        """What still stands between the candidate and renewal, in words.

        At most two sentences, in this order: ``"<n> more qualifying hours (has
        <h> of <r>)"`` and ``"the renewal fee paid inside the period"``; empty
        when R18 is met.
        """
        gaps = []
        if self.hours < self.hours_required:
            gaps.append(
                f"{self.hours_needed} more qualifying hours (has {self.hours} of "
                f"{self.hours_required})"
            )
        if self.fee_paid_on is None:
            gaps.append("the renewal fee paid inside the period")
        return tuple(gaps)


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
    earliest = unique_activities(activities)
    counted: list[Activity] = []
    not_counted: list[tuple[Activity, str]] = []
    qualifying = policy.qualifying_categories
    for activity in sorted(earliest.values(), key=activity_order):
        if activity.on > as_of:
            continue
        if not period.contains(activity.on):
            not_counted.append((activity, "outside the period (R17)"))
        elif activity.category not in qualifying:
            not_counted.append((activity, f"category {activity.category} does not qualify (R19)"))
        else:
            counted.append(activity)
    paid = [d for d in sorted(fee_payments) if period.contains(d) and d <= as_of]
    return Ledger(
        period=period,
        as_of=as_of,
        counted=tuple(counted),
        not_counted=tuple(not_counted),
        hours=sum((a.hours for a in counted), Decimal(0)),
        hours_required=policy.ce_hours_required,
        fee_paid_on=paid[0] if paid else None,
        free_hours=sum(
            (a.hours for a in counted if a.category in policy.free_categories), Decimal(0)
        ),
    )


def qualifying_hours(period: Period, activities: Iterable[Activity], policy: Policy) -> Decimal:
    """The qualifying hours inside ``period``, each activity id once: the ledger's total, fast.

    Equal to ``ledger_for(...).hours`` when every activity is dated by then;
    the journey calls this on every continuing-education event.
    """
    earliest = unique_activities(activities)
    qualifying = policy.qualifying_categories
    start, end = period.start, period.end
    return sum(
        (a.hours for a in earliest.values() if start <= a.on < end and a.category in qualifying),
        Decimal(0),
    )


def first_fee_payment(period: Period, payments: Iterable[dt.date]) -> dt.date | None:
    """The first renewal-fee payment inside ``period``, if any (R18)."""
    inside = [d for d in payments if period.start <= d < period.end]
    return min(inside) if inside else None
