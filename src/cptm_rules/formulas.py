"""One definition of a rule for one candidate or for a million: what rules are written over.

A rule's conditions, the dates it computes and its place among the rules that
answer the same question are written once, in its family's module, as
*formulas*: functions whose first argument is an :class:`Ops` and whose facts
are either one candidate's values (``datetime.date``, ``int``, ``bool``) or a
whole cohort's (numpy arrays of days since 1970-01-01, counts, masks).

* Comparisons use Python's operators (``on <= deadline``) and masks combine with
  ``&`` and ``|``: both work the same on one value and on an array. A formula
  never uses ``and``, ``or``, ``not`` or ``if`` on a fact (an array has no
  single truth value); it negates with :meth:`Ops.negated`.
* Date arithmetic goes through the ops: calendar days, business days on the
  policy's calendar, months with clamping, instants in the program's zone. A
  policy's deadline (:class:`~cptm_rules.figures.Deadline`) moves a day or an
  instant through :func:`deadline_after`, :func:`deadline_before` and
  :func:`deadline_after_instant`, whatever its unit, on both engines.
* Where several rules answer one question, the order is declared as a
  :data:`Precedence`: an ordered table of ``(rule id, Case)`` rows, each
  with its condition and its verdicts. The first row whose condition holds
  answers.

:data:`SCALAR` answers formulas for one candidate (the journey,
:mod:`cptm_rules.lifecycle`); :class:`cptm_rules.array_ops.ArrayOps` for many at
once (the batch path, :mod:`cptm_rules.batch`, which holds only plumbing:
columns in, columns out). ``docs/design.md`` ("One definition, two engines")
says why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, Generic, Protocol, TypeAlias, TypeVar

import attrs

from cptm_rules.calendar import add_months, elapsed_after, to_local_date
from cptm_rules.vocabulary import DeadlineUnit

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cptm_rules.calendar import BusinessCalendar
    from cptm_rules.figures import Deadline

__all__ = [
    "SCALAR",
    "Case",
    "Ops",
    "Precedence",
    "ScalarOps",
    "answer_codes",
    "check_precedence",
    "deadline_after",
    "deadline_after_instant",
    "deadline_before",
    "explained",
    "first_answer",
    "verdict_of",
    "verdict_prices",
]

F = TypeVar("F")
R = TypeVar("R")


class Ops(Protocol):
    """The primitives a formula may use, for one value or for an array of them.

    Days are ``datetime.date`` for one candidate and days since 1970-01-01 for
    many; instants are aware ``datetime`` for one and UTC microseconds for many.
    Every method is pure.
    """

    def days_before(self, day: Any, n: int) -> Any:  # noqa: ANN401  # a day or days
        """``n`` calendar days before ``day``."""

    def days_after(self, day: Any, n: int) -> Any:  # noqa: ANN401
        """``n`` calendar days after ``day``."""

    def business_days_before(self, calendar: BusinessCalendar, day: Any, n: int) -> Any:  # noqa: ANN401
        """The ``n``-th business day strictly before ``day`` (``day`` itself when ``n`` is 0)."""

    def business_days_after(self, calendar: BusinessCalendar, day: Any, n: int) -> Any:  # noqa: ANN401
        """The ``n``-th business day strictly after ``day`` (``day`` itself when ``n`` is 0)."""

    def months_after(self, day: Any, n: int) -> Any:  # noqa: ANN401
        """``n`` months after ``day``, the day of month clamped to the month's end."""

    def later_of(self, a: Any, b: Any) -> Any:  # noqa: ANN401
        """The later of two days (element by element)."""

    def days_from(self, first: Any, last: Any) -> Any:  # noqa: ANN401
        """How many days ``first..last`` covers, both included."""

    def days_between(self, start: Any, end: Any) -> Any:  # noqa: ANN401
        """How many days ``end`` comes after ``start`` (negative when before)."""

    def hours_after(self, instant: Any, hours: int) -> Any:  # noqa: ANN401
        """``hours`` of elapsed time after ``instant``."""

    def in_zone(self, instant: Any, zone: dt.tzinfo) -> Any:  # noqa: ANN401
        """``instant`` shown in ``zone`` (the same instant)."""

    def end_of_day(self, day: Any, zone: dt.tzinfo) -> Any:  # noqa: ANN401
        """23:59:59 program time on ``day``, as an instant."""

    def local_day(self, instant: Any, zone: dt.tzinfo) -> Any:  # noqa: ANN401
        """The program-local date of ``instant``."""

    def negated(self, mask: Any) -> Any:  # noqa: ANN401
        """Not ``mask`` (element by element)."""

    def first_case(self, conditions: Sequence[Callable[[], Any]]) -> Any:  # noqa: ANN401
        """The index of the first condition that holds, or -1 (per element)."""

    def where(self, mask: Any, yes: Any, no: Any) -> Any:  # noqa: ANN401
        """``yes`` where ``mask`` holds, else ``no`` (element by element)."""


_DAY_STEPS: Final[dict[int, dt.timedelta]] = {}
"""``timedelta(days=n)`` per ``n`` asked: building one costs more than the addition it serves."""
_HOUR_STEPS: Final[dict[int, dt.timedelta]] = {}
"""``timedelta(hours=n)`` per ``n`` asked (see ``_DAY_STEPS``)."""
_STEPS_KEPT: Final = 1024
"""How many steps of each unit are kept: a policy's figures need a handful."""


def _step(steps: dict[int, dt.timedelta], n: int, unit: str) -> dt.timedelta:
    # A miss: build the step and keep it (equal figures give equal steps; a bounded
    # memo, so a caller sweeping many figures cannot grow it without end).
    step = dt.timedelta(**{unit: n})
    if len(steps) < _STEPS_KEPT and type(n) is int:
        steps[n] = step
    return step


@attrs.frozen
class ScalarOps:
    """:class:`Ops` for one candidate: ``datetime.date`` days and aware instants."""

    def days_before(self, day: dt.date, n: int) -> dt.date:
        """``n`` calendar days before ``day``."""
        step = _DAY_STEPS.get(n)
        return day - (_step(_DAY_STEPS, n, "days") if step is None else step)

    def days_after(self, day: dt.date, n: int) -> dt.date:
        """``n`` calendar days after ``day``."""
        step = _DAY_STEPS.get(n)
        return day + (_step(_DAY_STEPS, n, "days") if step is None else step)

    def business_days_before(self, calendar: BusinessCalendar, day: dt.date, n: int) -> dt.date:
        """The ``n``-th business day strictly before ``day``."""
        return calendar.sub_business_days(day, n)

    def business_days_after(self, calendar: BusinessCalendar, day: dt.date, n: int) -> dt.date:
        """The ``n``-th business day strictly after ``day``."""
        return calendar.add_business_days(day, n)

    def months_after(self, day: dt.date, n: int) -> dt.date:
        """``n`` months after ``day``, clamped (:func:`~cptm_rules.calendar.add_months`)."""
        return add_months(day, n)

    def later_of(self, a: dt.date, b: dt.date) -> dt.date:
        """The later of two days."""
        return max(a, b)

    def days_from(self, first: dt.date, last: dt.date) -> int:
        """How many days ``first..last`` covers, both included."""
        return (last - first).days + 1

    def days_between(self, start: dt.date, end: dt.date) -> int:
        """How many days ``end`` comes after ``start`` (negative when before)."""
        return (end - start).days

    def hours_after(self, instant: dt.datetime, hours: int) -> dt.datetime:
        """``hours`` of elapsed time after ``instant`` (computed in UTC)."""
        step = _HOUR_STEPS.get(hours)
        return elapsed_after(instant, _step(_HOUR_STEPS, hours, "hours") if step is None else step)

    def in_zone(self, instant: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
        """``instant`` shown in ``zone`` (the same instant)."""
        return instant.astimezone(zone)

    def end_of_day(self, day: dt.date, zone: dt.tzinfo) -> dt.datetime:
        """23:59:59 program time on ``day``."""
        return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=zone)

    def local_day(self, instant: dt.datetime, zone: dt.tzinfo) -> dt.date:
        """The program-local date of ``instant``."""
        return to_local_date(instant, zone, field="instant")

    def negated(self, mask: bool) -> bool:  # noqa: FBT001  # a mask, positional like numpy's
        """Not ``mask``."""
        return not mask

    def first_case(self, conditions: Sequence[Callable[[], bool]]) -> int:
        """The index of the first condition that holds, or -1; later ones are not asked."""
        for i, condition in enumerate(conditions):
            if condition():
                return i
        return -1

    def where(self, mask: bool, yes: Any, no: Any) -> Any:  # noqa: ANN401, FBT001
        """``yes`` if ``mask`` else ``no``."""
        return yes if mask else no


SCALAR: Final = ScalarOps()
"""The ops the journey uses: one candidate's values."""


# The units, read once: a member read from its enum class costs a Python-level lookup
# (the enum metaclass's attribute hook), and every dated rule asks one.
_CALENDAR_DAYS: Final = DeadlineUnit.CALENDAR_DAYS
_BUSINESS_DAYS: Final = DeadlineUnit.BUSINESS_DAYS
_MONTHS: Final = DeadlineUnit.MONTHS
_YEARS: Final = DeadlineUnit.YEARS
_HOURS: Final = DeadlineUnit.HOURS


def _shifted(ops: Ops, calendar: BusinessCalendar, deadline: Deadline, day: Any, sign: int) -> Any:  # noqa: ANN401
    # The one place a deadline's unit becomes date arithmetic, for both engines.
    n, unit = deadline.amount, deadline.unit
    if unit is _CALENDAR_DAYS:
        return ops.days_after(day, n) if sign > 0 else ops.days_before(day, n)
    if unit is _BUSINESS_DAYS:
        if sign > 0:
            return ops.business_days_after(calendar, day, n)
        return ops.business_days_before(calendar, day, n)
    if unit is _MONTHS:
        return ops.months_after(day, sign * n)
    if unit is _YEARS:
        # Years are twelve months added in one step, clamped to the month's end.
        return ops.months_after(day, sign * 12 * n)
    msg = f"a deadline in {unit} moves an instant, not a day (deadline_after_instant)"
    raise ValueError(msg)


def deadline_after(ops: Ops, calendar: BusinessCalendar, deadline: Deadline, day: Any) -> Any:  # noqa: ANN401
    """``day`` moved forward by ``deadline`` (days, business days, months or years)."""
    return _shifted(ops, calendar, deadline, day, 1)


def deadline_before(ops: Ops, calendar: BusinessCalendar, deadline: Deadline, day: Any) -> Any:  # noqa: ANN401
    """``day`` moved back by ``deadline``: for business days, the n-th business day before."""
    return _shifted(ops, calendar, deadline, day, -1)


def deadline_after_instant(
    ops: Ops,
    calendar: BusinessCalendar,
    zone: dt.tzinfo,
    deadline: Deadline,
    instant: Any,  # noqa: ANN401
) -> Any:  # noqa: ANN401
    """The instant ``deadline`` after ``instant``, shown in ``zone``.

    Hours are elapsed time (computed in UTC: two hours across a daylight-saving
    change are two real hours); a deadline in days, months or years counts from
    the instant's program-local date and ends at 23:59:59 program time.
    """
    if deadline.unit is _HOURS:
        return ops.in_zone(ops.hours_after(instant, deadline.amount), zone)
    day = deadline_after(ops, calendar, deadline, ops.local_day(instant, zone))
    return ops.end_of_day(day, zone)


@attrs.frozen(kw_only=True)
class Case(Generic[F, R]):
    """One rule's row in a precedence: when it answers, with which verdict, and how it explains.

    ``when`` is a formula over the facts (``None``: always, for the last row of a
    table that always answers). ``verdicts`` names what the rule may answer and
    ``which`` picks one (a formula giving an index into ``verdicts``; ``None``:
    the first). ``fees`` names, per verdict, the price it charges (a
    :class:`~cptm_rules.pricing.PriceSchedule` field) or ``None``. ``explain``
    builds the journey's explained answer (a decision, or a
    :class:`~cptm_rules.types.Refusal`) from one candidate's facts.
    """

    verdicts: tuple[str, ...]
    when: Callable[[Ops, F], Any] | None = None
    which: Callable[[Ops, F], Any] | None = None
    fees: tuple[str | None, ...] = ()
    explain: Callable[[F], R]

    def __attrs_post_init__(self) -> None:
        """``fees``, when given, names one price per verdict."""
        if self.fees and len(self.fees) != len(self.verdicts):
            msg = f"a case's fees name one price per verdict {self.verdicts}: {self.fees}"
            raise ValueError(msg)


Precedence: TypeAlias = tuple[tuple[str, Case[F, R]], ...]
"""Rules that answer one question, in the order they are asked: ``(rule id, case)`` pairs.

The first case whose condition holds answers. Both engines read the same
table: the journey asks the cases one by one for one candidate
(:func:`first_answer`), the batch path every case at once for a cohort
(:func:`answer_codes`), and maps each row to its rule and verdict.
"""


def verdict_prices(*tables: Precedence[Any, Any]) -> dict[str, str | None]:
    """Per verdict of ``tables``, in order: the price it charges, if any.

    The price is a ``PriceSchedule`` field name; a verdict charged by any row keeps
    that row's price.
    """
    prices: dict[str, str | None] = {}
    for table in tables:
        for _rule_id, case in table:
            for i, verdict in enumerate(case.verdicts):
                fee = case.fees[i] if case.fees else None
                if prices.get(verdict) is None:
                    prices[verdict] = fee
    return prices


def check_precedence(question: str, precedence: Precedence[F, R]) -> Precedence[F, R]:
    """``precedence``, checked: only its last case may answer always (later ones never would)."""
    for rule_id, case in precedence[:-1]:
        if case.when is None:
            msg = f"{question}: only the last case may always answer ({rule_id})"
            raise ValueError(msg)
    return precedence


def first_answer(precedence: Precedence[F, R], facts: F) -> tuple[str, Case[F, R]] | None:
    """The ``(rule id, case)`` that answers for one candidate, or ``None`` when none holds."""
    for row in precedence:
        when = row[1].when
        if when is None or when(SCALAR, facts):
            return row
    return None


def explained(precedence: Precedence[F, R], facts: F) -> R | None:
    """The explained answer for one candidate (``None`` when no case holds)."""
    # first_answer, inlined: the journey asks a table this way on most events.
    for _rule_id, case in precedence:
        when = case.when
        if when is None or when(SCALAR, facts):
            return case.explain(facts)
    return None


def verdict_of(case: Case[F, R], facts: F) -> str:
    """The verdict ``case`` gives one candidate."""
    if case.which is None:
        return case.verdicts[0]
    return case.verdicts[int(case.which(SCALAR, facts))]


def answer_codes(ops: Ops, precedence: Precedence[F, R], facts: F) -> tuple[Any, Any]:
    """For each candidate, the row that answers (-1 where none holds) and its verdict's index."""
    conditions = [_asked(case.when, ops, facts) for _rule_id, case in precedence]
    rows = ops.first_case(conditions)
    verdicts = ops.where(rows < 0, -1, 0)
    for i, (_rule_id, case) in enumerate(precedence):
        which = 0 if case.which is None else case.which(ops, facts)
        verdicts = ops.where(rows == i, which, verdicts)
    return rows, verdicts


def _asked(when: Callable[[Ops, F], Any] | None, ops: Ops, facts: F) -> Callable[[], Any]:
    # Bound once per row (never a lambda over a loop variable).
    if when is None:
        return lambda: True
    return lambda: when(ops, facts)
