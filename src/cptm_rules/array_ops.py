"""The formulas' primitives for a whole cohort at once: numpy arrays of days and instants.

:class:`ArrayOps` answers the :class:`~cptm_rules.formulas.Ops` a rule's formula
uses, element by element, so the batch path runs the very formulas the journey
runs. Days are ``int64`` days since 1970-01-01, instants ``int64`` microseconds
since the epoch in UTC, masks ``bool`` arrays.

A business-day shift that leaves the policy's precomputed calendar has no
answer: the journey raises ``CalendarRangeError`` there. Here the result is
:data:`OUTSIDE`, a day before any calendar, so the caller can leave those rows
to their journeys (:func:`outside`).

Needs numpy and pandas (the ``columnar`` or ``notebook`` extra).
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Any, Final

import attrs
import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from numpy.typing import NDArray

    from cptm_rules.calendar import BusinessCalendar

    Days = NDArray[np.int64]

__all__ = ["ARRAY", "EPOCH", "OUTSIDE", "ArrayOps", "outside", "segment_sums"]

EPOCH: Final = dt.date(1970, 1, 1).toordinal()
"""The ordinal of 1970-01-01: day 0 of the arrays (Arrow's ``date32`` counts from it)."""

OUTSIDE: Final = -(1 << 40)
"""The day a business-day shift answers when it leaves the calendar (before any real day)."""

_US_PER_HOUR: Final = 3_600_000_000
_END_OF_DAY_US: Final = (23 * 3600 + 59 * 60 + 59) * 1_000_000


def outside(days: Any) -> Any:  # noqa: ANN401  # a mask
    """Where a shift left the calendar (:data:`OUTSIDE`)."""
    return np.asarray(days) <= OUTSIDE


@functools.cache
def _calendar_arrays(calendar: BusinessCalendar) -> tuple[int, Days, Days]:
    # Built once per calendar (a pure memo of an immutable value).
    table = calendar.table()
    first = table.first_ordinal - EPOCH
    before = np.asarray(table.before, dtype=np.int64)
    business = np.asarray(table.business_ordinals, dtype=np.int64) - EPOCH
    return first, before, business


def _shift(calendar: BusinessCalendar, days: Days, k: int) -> Days:
    """The k-th business day after (k > 0) or before (k < 0) each day, as the calendar does."""
    days = np.asarray(days, dtype=np.int64)
    if k == 0:
        return days.copy()
    first, before, business = _calendar_arrays(calendar)
    index = np.clip(days - first, 0, len(before) - 2)
    position = before[index + 1] + k - 1 if k > 0 else before[index] + k
    beyond = (position < 0) | (position >= len(business)) | (days - first < 0)
    beyond |= days - first > len(before) - 2
    shifted = business[np.clip(position, 0, len(business) - 1)]
    return np.where(beyond, OUTSIDE, shifted)


@attrs.frozen
class ArrayOps:
    """:class:`~cptm_rules.formulas.Ops` over numpy arrays: every candidate at once."""

    def days_before(self, day: Days, n: int) -> Days:
        """``n`` calendar days before each day."""
        return day - n

    def days_after(self, day: Days, n: int) -> Days:
        """``n`` calendar days after each day."""
        return day + n

    def business_days_before(self, calendar: BusinessCalendar, day: Days, n: int) -> Days:
        """The ``n``-th business day strictly before each day (:data:`OUTSIDE` off the table)."""
        return _shift(calendar, day, -n)

    def business_days_after(self, calendar: BusinessCalendar, day: Days, n: int) -> Days:
        """The ``n``-th business day strictly after each day (:data:`OUTSIDE` off the table)."""
        return _shift(calendar, day, n)

    def months_after(self, day: Days, n: int) -> Days:
        """``n`` months after each day, the day of month clamped to the month's end."""
        d = np.asarray(day, dtype=np.int64).astype("datetime64[D]")
        month = d.astype("datetime64[M]")
        day_of_month = (d - month.astype("datetime64[D]")).astype(np.int64)
        target = month + n
        length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
            np.int64
        )
        result = target.astype("datetime64[D]") + np.minimum(day_of_month, length - 1)
        days_since_epoch: Days = result.astype(np.int64)
        return days_since_epoch

    def later_of(self, a: Days, b: Days) -> Days:
        """The later of two days, element by element."""
        return np.maximum(a, b)

    def days_from(self, first: Days, last: Days) -> Days:
        """How many days ``first..last`` covers, both included."""
        return last - first + 1

    def days_between(self, start: Days, end: Days) -> Days:
        """How many days each ``end`` comes after its ``start``."""
        return end - start

    def hours_after(self, instant: Days, hours: int) -> Days:
        """``hours`` of elapsed time after each instant (µs)."""
        return instant + hours * _US_PER_HOUR

    def in_zone(self, instant: Days, zone: dt.tzinfo) -> Days:  # noqa: ARG002  # UTC µs have no zone
        """The same instants (UTC microseconds carry no zone)."""
        return instant

    def end_of_day(self, day: Days, zone: dt.tzinfo) -> Days:
        """23:59:59 program time on each day, as UTC µs (:data:`OUTSIDE` stays outside)."""
        missing = outside(day)
        real = np.where(missing, 0, day)
        wall = pd.DatetimeIndex(real.astype("datetime64[D]").astype("datetime64[us]"))
        wall = wall + pd.Timedelta(microseconds=_END_OF_DAY_US)
        aware = wall.tz_localize(str(zone), ambiguous="raise", nonexistent="raise")
        utc = aware.tz_convert("UTC").tz_localize(None).to_numpy().astype("datetime64[us]")
        return np.where(missing, OUTSIDE, utc.astype(np.int64))

    def local_day(self, instant: Days, zone: dt.tzinfo) -> Days:
        """The program-local date of each UTC instant."""
        index = pd.DatetimeIndex(np.asarray(instant).astype("datetime64[us]"), tz="UTC")
        wall = index.tz_convert(str(zone)).tz_localize(None).to_numpy().astype("datetime64[D]")
        local: Days = wall.astype(np.int64)
        return local

    def negated(self, mask: Any) -> Any:  # noqa: ANN401
        """Not ``mask``, element by element."""
        return np.logical_not(mask)

    def first_case(self, conditions: Sequence[Callable[[], Any]]) -> Any:  # noqa: ANN401
        """The index of the first condition that holds, or -1, element by element."""
        if not conditions:
            return np.int64(-1)
        masks = [np.asarray(condition(), dtype=bool) for condition in conditions]
        choices = [np.int64(i) for i in range(len(masks))]
        return np.select(masks, choices, default=np.int64(-1))

    def where(self, mask: Any, yes: Any, no: Any) -> Any:  # noqa: ANN401
        """``yes`` where ``mask`` holds, else ``no``."""
        return np.where(mask, yes, no)


ARRAY: Final = ArrayOps()
"""The ops the batch path uses."""


def segment_sums(values: Days, owner: Days, n: int) -> Days:
    """The sum of ``values`` per owner, for owners ``0..n-1`` (exact: integers, no floats).

    ``owner`` gives each value's owner in ascending order (the items of list
    columns, row by row); an owner with no value sums to zero.
    """
    sums = np.zeros(n, dtype=np.int64)
    if len(values):
        running = np.concatenate([[0], np.cumsum(values, dtype=np.int64)])
        bounds = np.searchsorted(owner, np.arange(n + 1, dtype=np.int64))
        sums = running[bounds[1:]] - running[bounds[:-1]]
    return sums
