"""Business days, months and the program's local date: exact and fast.

A :class:`BusinessCalendar` wraps a workalendar calendar class (by default
``workalendar.usa.NorthCarolina``, the state the program is run from; see
``docs/readings.md``) plus the policy's extra closures and extra working days.
On construction it precomputes, once, a table of the business days in a range
of years; every operation afterwards is a handful of list look-ups. A date
outside the range raises :class:`~cptm_rules.exceptions.CalendarRangeError`
instead of giving a silently wrong answer.

Conventions (the same as workalendar's):

* ``add_business_days(day, k)`` with ``k > 0`` is the k-th business day
  *strictly after* ``day``; with ``k < 0`` the ``|k|``-th business day strictly
  before it; with ``k == 0`` it is ``day`` itself, business day or not.
* ``count_business_days(start, end)`` counts the business days in the
  half-open interval ``[start, end)``; it is negative when ``end < start``.

Month and year arithmetic is done in one step from the anchor date and clamps
to the last day of the target month (2027-08-31 plus six months is
2028-02-29), so repeated additions never drift.
"""

from __future__ import annotations

import calendar
import datetime as dt
import importlib
import re
from typing import TYPE_CHECKING, Final, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from cptm_rules.exceptions import (
    CalendarRangeError,
    InvalidInputError,
    NaiveDatetimeError,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "DEFAULT_FIRST_YEAR",
    "DEFAULT_LAST_YEAR",
    "DEFAULT_WORKALENDAR",
    "BusinessCalendar",
    "BusinessDayTable",
    "add_months",
    "add_years",
    "elapsed_after",
    "parse_date",
    "parse_instant",
    "require_aware",
    "resolve_time_zone",
    "to_local_date",
    "workalendar_class_named",
]

DEFAULT_WORKALENDAR: Final = "workalendar.usa.NorthCarolina"
"""The calendar the program's business days follow unless a policy says otherwise."""

DEFAULT_FIRST_YEAR: Final = 2020
"""First year of the precomputed table unless a policy says otherwise."""

DEFAULT_LAST_YEAR: Final = 2040
"""Last year of the precomputed table unless a policy says otherwise."""

_DAYS_IN_MONTH: Final = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_MIN_YEAR: Final = 1900
_MAX_YEAR: Final = 2200


def workalendar_class_named(path: str) -> type:
    """The workalendar calendar class at dotted ``path`` (``workalendar.<module>.<Class>``).

    Only classes inside the ``workalendar`` package are accepted, so a policy
    file can never make the library import arbitrary code.
    """
    from workalendar.core import Calendar  # noqa: PLC0415  # keeps the import local to the one caller

    expected = (
        "a workalendar calendar class given as 'workalendar.<module>.<Class>', "
        f"for example {DEFAULT_WORKALENDAR!r}"
    )
    module_name, _, class_name = path.rpartition(".")
    if not module_name.startswith("workalendar.") or not class_name:
        raise InvalidInputError("workalendar_class", path, expected)
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        raise InvalidInputError("workalendar_class", path, expected) from None
    cls = getattr(module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, Calendar)):
        raise InvalidInputError("workalendar_class", path, expected)
    return cls


def _check_date(field: str, value: object) -> dt.date:
    # datetime is a subclass of date; accepting one would silently drop its time.
    if type(value) is not dt.date:
        raise InvalidInputError(field, value, "a datetime.date (not a datetime or a string)")
    return value


def _closures(values: Iterable[object]) -> tuple[dt.date, ...]:
    return tuple(sorted({_check_date("extra_closures", v) for v in values}))


def _working_days(values: Iterable[object]) -> tuple[dt.date, ...]:
    return tuple(sorted({_check_date("extra_working_days", v) for v in values}))


class BusinessDayTable(NamedTuple):
    """A calendar's business days as plain numbers (see :meth:`BusinessCalendar.table`)."""

    first_ordinal: int
    """The proleptic ordinal (:meth:`datetime.date.toordinal`) of the table's first day."""
    before: tuple[int, ...]
    """``before[i]``: the number of business days strictly before day ``first_ordinal + i``."""
    business_ordinals: tuple[int, ...]
    """The ordinal of every business day, in order."""


@attrs.frozen(kw_only=True)
class BusinessCalendar:
    """The program's business days, precomputed for ``first_year``..``last_year``.

    ``extra_closures`` are dates the program is closed although the base
    calendar works; ``extra_working_days`` are dates it works although the base
    calendar does not. As in workalendar, an extra working day wins over an
    extra closure on the same date.
    """

    workalendar_class: str = DEFAULT_WORKALENDAR
    extra_closures: tuple[dt.date, ...] = attrs.field(default=(), converter=_closures)
    extra_working_days: tuple[dt.date, ...] = attrs.field(default=(), converter=_working_days)
    first_year: int = DEFAULT_FIRST_YEAR
    last_year: int = DEFAULT_LAST_YEAR

    _base: int = attrs.field(init=False, repr=False, eq=False)
    _last: int = attrs.field(init=False, repr=False, eq=False)
    _is_business: bytes = attrs.field(init=False, repr=False, eq=False)
    # _before[i] is the number of business days strictly before day base + i.
    _before: tuple[int, ...] = attrs.field(init=False, repr=False, eq=False)
    _business_ordinals: tuple[int, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        """Validate the settings and build the business-day table once."""
        for name in ("first_year", "last_year"):
            year = getattr(self, name)
            if type(year) is not int or not _MIN_YEAR <= year <= _MAX_YEAR:
                raise InvalidInputError(
                    name, year, f"a whole year between {_MIN_YEAR} and {_MAX_YEAR}"
                )
        if self.last_year < self.first_year:
            raise InvalidInputError(
                "last_year", self.last_year, f"a year on or after first_year={self.first_year}"
            )
        base_calendar = workalendar_class_named(self.workalendar_class)()
        first = dt.date(self.first_year, 1, 1)
        last = dt.date(self.last_year, 12, 31)
        extra_working = set(self.extra_working_days)
        extra_closed = set(self.extra_closures)
        flags = bytearray()
        before = [0]
        ordinals: list[int] = []
        day = first
        one = dt.timedelta(days=1)
        while day <= last:
            working = day in extra_working or (
                day not in extra_closed and base_calendar.is_working_day(day)
            )
            flags.append(working)
            if working:
                ordinals.append(day.toordinal())
            before.append(len(ordinals))
            day += one
        setter = object.__setattr__  # the table is derived state of a frozen value
        setter(self, "_base", first.toordinal())
        setter(self, "_last", last.toordinal())
        setter(self, "_is_business", bytes(flags))
        setter(self, "_before", tuple(before))
        setter(self, "_business_ordinals", tuple(ordinals))

    @property
    def first_day(self) -> dt.date:
        """The first date the table covers."""
        return dt.date(self.first_year, 1, 1)

    @property
    def last_day(self) -> dt.date:
        """The last date the table covers."""
        return dt.date(self.last_year, 12, 31)

    def _index(self, field: str, day: object) -> int:
        if type(day) is not dt.date:
            raise InvalidInputError(field, day, "a datetime.date (not a datetime or a string)")
        ordinal = day.toordinal()
        if not self._base <= ordinal <= self._last:
            raise CalendarRangeError(
                field=field, value=day, first=self.first_day, last=self.last_day
            )
        return ordinal - self._base

    def table(self) -> BusinessDayTable:
        """The precomputed table itself, for code that answers many dates at once.

        The batch path (:mod:`cptm_rules.batch`) turns it into arrays, so that
        a vectorised answer and :meth:`add_business_days` read the very same days.
        """
        return BusinessDayTable(
            first_ordinal=self._base,
            before=self._before,
            business_ordinals=self._business_ordinals,
        )

    def is_business_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a business day of this calendar."""
        return bool(self._is_business[self._index("day", day)])

    def add_business_days(self, day: dt.date, k: int) -> dt.date:
        """The k-th business day strictly after ``day`` (strictly before when ``k < 0``).

        ``k == 0`` returns ``day`` unchanged, as workalendar does. Raises
        :class:`~cptm_rules.exceptions.CalendarRangeError` when ``day`` or the
        answer lies outside the table.
        """
        index = self._index("day", day)
        if type(k) is not int:
            raise InvalidInputError("k", k, "a whole number of business days")
        if k == 0:
            return day
        position = self._before[index + 1] + k - 1 if k > 0 else self._before[index] + k
        ordinals = self._business_ordinals
        if not 0 <= position < len(ordinals):
            raise CalendarRangeError(
                field=f"the result of adding {k} business days to {day.isoformat()}",
                value=day + dt.timedelta(days=k),
                first=self.first_day,
                last=self.last_day,
            )
        return dt.date.fromordinal(ordinals[position])

    def sub_business_days(self, day: dt.date, k: int) -> dt.date:
        """The k-th business day strictly before ``day`` (workalendar's ``sub_working_days``)."""
        if type(k) is not int:
            raise InvalidInputError("k", k, "a whole number of business days")
        return self.add_business_days(day, -abs(k))

    def count_business_days(self, start: dt.date, end: dt.date) -> int:
        """The number of business days in the half-open interval ``[start, end)``.

        When ``end < start`` the answer is minus the count in ``[end, start)``,
        so ``count(a, b) == -count(b, a)`` and ``count(a, a) == 0``.
        """
        before = self._before
        return before[self._index("end", end)] - before[self._index("start", start)]

    def business_days(self, start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
        """Every business day in the half-open interval ``[start, end)``, in order."""
        lo = self._before[self._index("start", start)]
        hi = self._before[self._index("end", end)]
        return tuple(dt.date.fromordinal(o) for o in self._business_ordinals[lo:hi])


def add_months(anchor: dt.date, months: int) -> dt.date:
    """``anchor`` plus ``months`` calendar months, in one step, clamped to the month's end.

    The day of month is kept when the target month has it, and otherwise
    rounded *down* to the target month's last day: 2027-08-31 plus 6 months is
    2028-02-29, and 2027-08-31 plus 7 months is 2028-03-31 (not 03-29): each
    answer is computed from the anchor, never from a previous answer.
    """
    _check_date("anchor", anchor)
    if type(months) is not int:
        raise InvalidInputError("months", months, "a whole number of months")
    year, month_index = divmod(anchor.year * 12 + anchor.month - 1 + months, 12)
    month = month_index + 1
    last_day = _DAYS_IN_MONTH[month] + (month == 2 and calendar.isleap(year))  # February
    try:
        return dt.date(year, month, min(anchor.day, last_day))
    except ValueError:
        raise InvalidInputError(
            "months", months, f"a number of months that keeps {anchor} within years 1..9999"
        ) from None


def add_years(anchor: dt.date, years: int) -> dt.date:
    """``anchor`` plus ``years`` years in one step; 29 February clamps to 28 February."""
    if type(years) is not int:
        raise InvalidInputError("years", years, "a whole number of years")
    return add_months(anchor, 12 * years)


def require_aware(field: str, value: object) -> dt.datetime:
    """Return ``value`` if it is an aware datetime; otherwise raise naming ``field``."""
    if not isinstance(value, dt.datetime):
        raise InvalidInputError(field, value, "an aware datetime.datetime")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise NaiveDatetimeError(field, value)
    return value


def resolve_time_zone(name: str) -> ZoneInfo:
    """The IANA time zone called ``name``; an unknown name is a clear error."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise InvalidInputError(
            "time_zone", name, "an IANA time zone name such as 'America/New_York'"
        ) from None


def to_local_date(instant: dt.datetime, time_zone: dt.tzinfo, *, field: str = "instant") -> dt.date:
    """The calendar date that ``instant`` falls on in ``time_zone``; naive instants are refused."""
    try:
        return require_aware(field, instant).astimezone(time_zone).date()
    except OverflowError:
        raise InvalidInputError(
            field, instant.isoformat(), "an instant whose local date lies between years 1 and 9999"
        ) from None


def elapsed_after(instant: dt.datetime, duration: dt.timedelta) -> dt.datetime:
    """The instant ``duration`` of *elapsed* time after ``instant``, in UTC.

    Python's aware-datetime arithmetic adds wall-clock time within one zone, so
    09:30 plus two hours across a daylight-saving change would be one or three
    real hours; this function adds in UTC instead.
    """
    return require_aware("instant", instant).astimezone(dt.UTC) + duration


_DATE_SHAPE: Final = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _no_such_day(text: str) -> str | None:
    """Why a well-shaped ``YYYY-MM-DD`` prefix of ``text`` names no real day, if it does."""
    match = _DATE_SHAPE.match(text)
    if match is None:
        return None
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        return f"there is no month {month:02d}"
    if year < 1:
        return "there is no year 0000"
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        return f"{year:04d}-{month:02d} has days 01 to {last}, so day {day:02d} does not exist"
    return None


def parse_date(text: str, *, field: str = "date") -> dt.date:
    """The date in ISO ``text`` (``2027-01-11``); anything else names ``field``.

    A well-formed date that does not exist (``2027-04-31``) is refused with
    the reason.
    """
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        why = _no_such_day(text) if isinstance(text, str) else None
        expected = "an ISO date such as 2027-01-11"
        raise InvalidInputError(field, text, f"{expected} ({why})" if why else expected) from None


_INSTANT_EXAMPLES: Final = (
    "an ISO instant with its offset or its IANA zone, such as 2026-11-02T09:30-05:00, "
    "2026-11-02T09:30[America/New_York] or 2026-11-02T09:30-05:00[America/New_York]"
)


def parse_instant(
    text: str, *, field: str = "instant", zone: dt.tzinfo | None = None
) -> dt.datetime:
    """The aware instant in ``text``, written as RFC 9557 allows.

    ``2026-11-02T09:30-05:00`` (an offset), ``2026-11-02T09:30[America/New_York]``
    (a zone: the local time there) or both, in which case the offset must be
    the zone's at that time. A local date-time with no offset or zone takes
    ``zone`` when given and is refused otherwise. A local time that the zone
    skips (spring forward) or repeats (fall back) without an offset is refused
    with the reason, never guessed.
    """
    if not isinstance(text, str):
        raise InvalidInputError(field, text, _INSTANT_EXAMPLES)
    body, named = text, None
    if text.endswith("]") and "[" in text:
        body, _, zone_name = text[:-1].partition("[")
        try:
            named = resolve_time_zone(zone_name)
        except InvalidInputError:
            raise InvalidInputError(
                field, text, f"{_INSTANT_EXAMPLES}; {zone_name!r} is not an IANA zone name"
            ) from None
    try:
        value = dt.datetime.fromisoformat(body)
    except ValueError:
        why = _no_such_day(body)
        raise InvalidInputError(
            field, text, f"{_INSTANT_EXAMPLES} ({why})" if why else _INSTANT_EXAMPLES
        ) from None
    local_zone = named or zone
    if value.utcoffset() is not None:
        if named is not None:
            expected_offset = value.astimezone(named).utcoffset()
            local = value.replace(tzinfo=None)
            if value.astimezone(named).replace(tzinfo=None) != local:
                raise InvalidInputError(
                    field,
                    text,
                    f"an offset that {named} has at that time ({_offset(expected_offset)}), "
                    f"not {_offset(value.utcoffset())}",
                )
            return value.astimezone(named)
        return value
    if local_zone is None:
        raise InvalidInputError(
            field, text, f"{_INSTANT_EXAMPLES} (a local time needs an offset or a zone)"
        )
    return _localize(value, local_zone, field=field, text=text)


def _offset(delta: dt.timedelta | None) -> str:
    # As ISO writes an offset: +01:00, -05:00, and the seconds of an old local mean
    # time (New York's -04:56:02 before 1883), which rounding would misstate.
    assert delta is not None  # noqa: S101  # aware values only
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    shown = f"{sign}{hours:02d}:{minutes:02d}"
    return f"{shown}:{seconds:02d}" if seconds else shown


def _localize(local: dt.datetime, zone: dt.tzinfo, *, field: str, text: str) -> dt.datetime:
    early, late = local.replace(tzinfo=zone, fold=0), local.replace(tzinfo=zone, fold=1)
    round_trip = early.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != local:
        raise InvalidInputError(
            field, text, f"a time that exists in {zone}: the clocks skip it (give an offset)"
        )
    if early.utcoffset() != late.utcoffset():
        raise InvalidInputError(
            field,
            text,
            f"an unambiguous time: {zone} has it twice, at {_offset(early.utcoffset())} "
            f"and {_offset(late.utcoffset())} (give the offset)",
        )
    return early
