"""The scalar formulas: the day and hour steps the journey's date arithmetic takes."""

from __future__ import annotations

import datetime as dt

import pytest

from cptm_rules.figures import Deadline
from cptm_rules.formulas import SCALAR, deadline_after, deadline_before
from cptm_rules.policy import load_policy
from cptm_rules.vocabulary import DeadlineUnit

NY = dt.timezone(dt.timedelta(hours=-5))


@pytest.mark.parametrize("n", [0, 1, 3, 30, 365, -2, 5000])
def test_a_scalar_day_step_is_the_calendar_days_timedelta_would_add(n: int) -> None:
    day = dt.date(2027, 3, 1)
    for _ in range(2):  # asked again, the kept step answers the same
        assert SCALAR.days_after(day, n) == day + dt.timedelta(days=n)
        assert SCALAR.days_before(day, n) == day - dt.timedelta(days=n)


def test_a_scalar_hour_step_is_elapsed_time_whatever_the_count() -> None:
    at = dt.datetime(2027, 3, 13, 23, 30, tzinfo=NY)
    for hours in (0, 2, 2, 48, 10_000):
        assert SCALAR.hours_after(at, hours) == at + dt.timedelta(hours=hours)


def test_a_count_that_is_not_an_int_steps_like_its_value() -> None:
    day = dt.date(2027, 3, 1)
    assert SCALAR.days_after(day, True) == dt.date(2027, 3, 2)  # noqa: FBT003  # a bool is an int
    assert SCALAR.days_after(day, 2.0) == dt.date(2027, 3, 3)  # type: ignore[arg-type]


def test_each_unit_of_a_deadline_moves_a_day_its_own_way() -> None:
    policy = load_policy()
    day = dt.date(2027, 8, 31)
    moved = {
        unit: (
            deadline_after(SCALAR, policy.calendar, Deadline(amount=2, unit=unit), day),
            deadline_before(SCALAR, policy.calendar, Deadline(amount=2, unit=unit), day),
        )
        for unit in (
            DeadlineUnit.CALENDAR_DAYS,
            DeadlineUnit.BUSINESS_DAYS,
            DeadlineUnit.MONTHS,
            DeadlineUnit.YEARS,
        )
    }
    assert moved[DeadlineUnit.CALENDAR_DAYS] == (dt.date(2027, 9, 2), dt.date(2027, 8, 29))
    assert moved[DeadlineUnit.BUSINESS_DAYS] == (
        policy.calendar.add_business_days(day, 2),
        policy.calendar.sub_business_days(day, 2),
    )
    assert moved[DeadlineUnit.MONTHS] == (dt.date(2027, 10, 31), dt.date(2027, 6, 30))
    assert moved[DeadlineUnit.YEARS] == (dt.date(2029, 8, 31), dt.date(2025, 8, 31))
    with pytest.raises(ValueError, match="moves an instant, not a day"):
        deadline_after(SCALAR, policy.calendar, Deadline(amount=2, unit=DeadlineUnit.HOURS), day)
