from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import assume, given
from hypothesis import strategies as st
from workalendar.usa import NorthCarolina

from cptm_rules.calendar import (
    BusinessCalendar,
    add_months,
    add_years,
    elapsed_after,
    parse_date,
    parse_instant,
    require_aware,
    resolve_time_zone,
    to_local_date,
    workalendar_class_named,
)
from cptm_rules.exceptions import (
    CalendarRangeError,
    CptmRulesError,
    InvalidInputError,
    NaiveDatetimeError,
)
from errors import raises_exactly

NC = BusinessCalendar()
NEW_YORK = ZoneInfo("America/New_York")
in_table = st.dates(min_value=dt.date(2022, 1, 1), max_value=dt.date(2038, 12, 31))


# -- agreement with workalendar ------------------------------------------------


def test_table_agrees_with_workalendar_for_every_date_and_offsets_1_to_40_2024_to_2035() -> None:
    # workalendar counts one working day at a time, so its k-th working day after a date is
    # its next working day taken k times. Asking it for one step from every date (and the
    # offsets the rules use, 30 and 40, directly) checks every offset 1..40 on every date
    # against workalendar's own answers in a second instead of 350,000 calls.
    reference = NorthCarolina()
    first, last = dt.date(2023, 10, 1), dt.date(2036, 3, 31)
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    after = {d: reference.add_working_days(d, 1) for d in days}
    before = {d: reference.sub_working_days(d, 1) for d in days}
    mismatches = []
    day = dt.date(2024, 1, 1)
    while day <= dt.date(2035, 12, 31):
        forward = backward = day
        for k in range(1, 41):
            forward, backward = after[forward], before[backward]
            if NC.add_business_days(day, k) != forward:
                mismatches.append((day, k))
            if NC.sub_business_days(day, k) != backward:
                mismatches.append((day, -k))
        for k in (30, 40):
            if NC.add_business_days(day, k) != reference.add_working_days(day, k):
                mismatches.append((day, k))
            if NC.sub_business_days(day, k) != reference.sub_working_days(day, k):
                mismatches.append((day, -k))
        day += dt.timedelta(days=1)
    assert mismatches == []


def test_counts_agree_with_a_day_by_day_count() -> None:
    reference = NorthCarolina()
    start = dt.date(2024, 1, 1)
    running = 0
    day = start
    while day <= dt.date(2035, 12, 31):
        assert NC.count_business_days(start, day) == running
        running += reference.is_working_day(day)
        day += dt.timedelta(days=1)


# -- properties -----------------------------------------------------------------


@given(day=in_table, k=st.integers(min_value=1, max_value=400))
def test_adding_then_subtracting_k_business_days_returns_a_business_day(
    day: dt.date, k: int
) -> None:
    assume(NC.is_business_day(day))
    assert NC.sub_business_days(NC.add_business_days(day, k), k) == day
    assert NC.add_business_days(NC.sub_business_days(day, k), k) == day


@given(a=in_table, b=in_table, k=st.integers(min_value=-300, max_value=300))
def test_business_day_arithmetic_is_monotonic_in_the_date(a: dt.date, b: dt.date, k: int) -> None:
    early, late = sorted((a, b))
    assert NC.add_business_days(early, k) <= NC.add_business_days(late, k)


@given(day=in_table, k=st.integers(min_value=1, max_value=60))
def test_count_between_two_dates_matches_repeated_single_steps(day: dt.date, k: int) -> None:
    stepped = day
    for _ in range(k):
        stepped = NC.add_business_days(stepped, 1)
    # [day, stepped) holds the k-1 steps before the last, plus day itself if it works.
    assert NC.count_business_days(day, stepped) == k - 1 + NC.is_business_day(day)
    assert NC.count_business_days(stepped, day) == -NC.count_business_days(day, stepped)
    assert len(NC.business_days(day, stepped)) == NC.count_business_days(day, stepped)


@given(day=in_table, k=st.integers(min_value=1, max_value=60))
def test_results_of_business_day_steps_are_business_days(day: dt.date, k: int) -> None:
    assert NC.is_business_day(NC.add_business_days(day, k))
    assert NC.is_business_day(NC.sub_business_days(day, k))
    assert NC.add_business_days(day, k) > day > NC.sub_business_days(day, k)


@given(
    anchor=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)),
    months=st.integers(min_value=-240, max_value=240),
)
def test_month_addition_never_overflows_and_is_computed_from_the_anchor(
    anchor: dt.date, months: int
) -> None:
    result = add_months(anchor, months)
    assert result == anchor + relativedelta(months=months)
    total = anchor.year * 12 + anchor.month - 1 + months
    year, month_index = divmod(total, 12)
    assert (result.year, result.month) == (year, month_index + 1)
    assert result.day == anchor.day or (
        result.day < anchor.day and (result + dt.timedelta(days=1)).month != result.month
    )


@given(
    anchor=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31)),
    steps=st.integers(min_value=2, max_value=24),
)
def test_month_addition_does_not_drift_when_repeated(anchor: dt.date, steps: int) -> None:
    # Chaining one month at a time can lose the 31st; the one-step answer keeps it.
    one_step = add_months(anchor, steps)
    chained = anchor
    for _ in range(steps):
        chained = add_months(chained, 1)
    if anchor.day <= 28:
        assert chained == one_step
    else:
        assert chained.day <= one_step.day


# -- pinned cases ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_day", "deadline"),
    [
        (dt.date(2027, 1, 11), dt.date(2026, 11, 20)),  # across Christmas 2026 and Thanksgiving
        (dt.date(2028, 1, 10), dt.date(2027, 11, 19)),  # across Christmas 2027, NY observed 12-31
        (dt.date(2029, 1, 8), dt.date(2028, 11, 17)),  # across Christmas 2028
        (dt.date(2027, 2, 1), dt.date(2026, 12, 14)),  # across MLK Day 2027 and New Year
        (dt.date(2027, 4, 26), dt.date(2027, 3, 12)),  # across Good Friday 2027
    ],
)
def test_thirty_business_days_before_a_practicum_across_holidays_R9(
    first_day: dt.date, deadline: dt.date
) -> None:
    assert NC.sub_business_days(first_day, 30) == deadline
    assert NC.count_business_days(deadline, first_day) == 30


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (dt.date(2027, 12, 31), "New Year's Day 2028 observed"),
        (dt.date(2027, 7, 5), "Independence Day observed"),
        (dt.date(2026, 11, 27), "Thanksgiving Friday"),
        (dt.date(2027, 11, 26), "Thanksgiving Friday"),
        (dt.date(2027, 3, 26), "Good Friday"),
        (dt.date(2027, 1, 18), "Martin Luther King Jr. Day"),
        (dt.date(2026, 12, 24), "Christmas Eve"),
        (dt.date(2026, 12, 28), "Day after Christmas observed"),
        (dt.date(2027, 1, 9), "a Saturday"),
    ],
)
def test_north_carolina_closures_are_not_business_days(day: dt.date, why: str) -> None:
    assert not NC.is_business_day(day), why


def test_a_practicum_starting_on_a_saturday_counts_back_from_the_saturday() -> None:
    # 2027-01-09 is a Saturday: the 30th business day strictly before it is the
    # same as before the following Monday 2027-01-11.
    assert NC.sub_business_days(dt.date(2027, 1, 9), 30) == dt.date(2026, 11, 20)
    assert NC.add_business_days(dt.date(2027, 1, 9), 1) == dt.date(2027, 1, 11)


def test_adding_zero_business_days_returns_the_day_itself_like_workalendar() -> None:
    assert NC.add_business_days(dt.date(2027, 1, 9), 0) == dt.date(2027, 1, 9)


def test_end_of_august_plus_six_months_clamps_to_leap_day_R14() -> None:
    assert add_months(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2027, 8, 31), 7) == dt.date(2028, 3, 31)


def test_leap_day_plus_two_years_clamps_to_february_28_R17() -> None:
    assert add_years(dt.date(2028, 2, 29), 2) == dt.date(2030, 2, 28)
    assert add_years(dt.date(2028, 2, 29), 4) == dt.date(2032, 2, 29)


def test_two_elapsed_hours_across_the_march_dst_change_R4() -> None:
    registered = dt.datetime(2027, 3, 14, 1, 30, tzinfo=NEW_YORK)  # EST, 06:30 UTC
    due = elapsed_after(registered, dt.timedelta(hours=2))
    assert due == dt.datetime(2027, 3, 14, 8, 30, tzinfo=dt.UTC)
    assert due.astimezone(NEW_YORK).hour == 4  # wall clock jumps 02:00 -> 03:00
    assert (due - registered) == dt.timedelta(hours=2)


def test_two_elapsed_hours_across_the_november_dst_change_R4() -> None:
    registered = dt.datetime(2027, 11, 7, 1, 30, tzinfo=NEW_YORK)  # first 01:30, EDT
    due = elapsed_after(registered, dt.timedelta(hours=2))
    assert due == dt.datetime(2027, 11, 7, 7, 30, tzinfo=dt.UTC)
    assert due.astimezone(NEW_YORK).replace(tzinfo=None) == dt.datetime(2027, 11, 7, 2, 30)


def test_local_date_of_an_instant_uses_the_program_time_zone() -> None:
    late_evening_in_new_york = dt.datetime(2027, 1, 12, 3, 30, tzinfo=dt.UTC)
    assert to_local_date(late_evening_in_new_york, NEW_YORK) == dt.date(2027, 1, 11)


# -- errors ---------------------------------------------------------------------


def test_naive_datetimes_are_refused_with_the_field_name() -> None:
    with pytest.raises(NaiveDatetimeError, match=r"registered_at=datetime.datetime\(2027, 1, 1"):
        to_local_date(dt.datetime(2027, 1, 1, 9), NEW_YORK, field="registered_at")
    with pytest.raises(InvalidInputError, match="an aware datetime"):
        require_aware("instant", dt.date(2027, 1, 1))
    with pytest.raises(NaiveDatetimeError):
        elapsed_after(dt.datetime(2027, 1, 1, 9), dt.timedelta(hours=2))


def test_a_date_outside_the_table_raises_a_calendar_range_error() -> None:
    small = BusinessCalendar(first_year=2027, last_year=2027)
    with pytest.raises(
        CalendarRangeError, match=r"day=2028-01-03 is outside .*2027-01-01..2027-12-31"
    ):
        small.is_business_day(dt.date(2028, 1, 3))
    with pytest.raises(CalendarRangeError, match="the result of adding -30 business days"):
        small.sub_business_days(dt.date(2027, 1, 11), 30)
    with pytest.raises(CalendarRangeError, match="the result of adding 5 business days"):
        small.add_business_days(dt.date(2027, 12, 28), 5)
    with pytest.raises(ValueError, match="wider"):
        small.count_business_days(dt.date(2026, 12, 1), dt.date(2027, 1, 5))
    assert issubclass(CalendarRangeError, CptmRulesError)


def test_extra_closures_and_extra_working_days_change_the_table() -> None:
    closed = dt.date(2027, 1, 8)
    opened = dt.date(2027, 1, 9)
    custom = BusinessCalendar(extra_closures=[closed], extra_working_days=[opened, closed])
    # an extra working day wins over an extra closure, as in workalendar
    assert custom.is_business_day(closed)
    assert custom.is_business_day(opened)
    only_closed = BusinessCalendar(extra_closures=(closed,))
    assert not only_closed.is_business_day(closed)
    assert only_closed.sub_business_days(dt.date(2027, 1, 11), 30) == dt.date(2026, 11, 19)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"workalendar_class": "os.system"},
        {"workalendar_class": "workalendar.usa.Atlantis"},
        {"workalendar_class": "workalendar.nowhere.Calendar"},
        {"first_year": 2030, "last_year": 2029},
        {"first_year": 1066},
        {"extra_closures": ["2027-01-08"]},
        {"extra_working_days": [dt.datetime(2027, 1, 9, tzinfo=dt.UTC)]},
    ],
)
def test_bad_calendar_settings_name_the_field(kwargs: dict[str, object]) -> None:
    field = next(iter(kwargs)) if len(kwargs) == 1 else "last_year"
    with pytest.raises(InvalidInputError, match=f"^{field}="):
        BusinessCalendar(**kwargs)  # type: ignore[arg-type]


def test_non_dates_and_non_integers_are_refused() -> None:
    with pytest.raises(InvalidInputError, match=r"^day="):
        NC.add_business_days("2027-01-11", 3)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"^day="):
        NC.is_business_day(dt.datetime(2027, 1, 11, tzinfo=dt.UTC))
    with pytest.raises(InvalidInputError, match=r"^k="):
        NC.add_business_days(dt.date(2027, 1, 11), 1.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"^k="):
        NC.sub_business_days(dt.date(2027, 1, 11), "3")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"^months="):
        add_months(dt.date(2027, 1, 11), 1.0)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"^years="):
        add_years(dt.date(2027, 1, 11), "2")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"^anchor="):
        add_months("2027-01-11", 1)  # type: ignore[arg-type]


def test_time_zones_resolve_by_iana_name() -> None:
    assert resolve_time_zone("America/New_York") == NEW_YORK
    with pytest.raises(InvalidInputError, match=r"'Mars/Olympus'.*IANA"):
        resolve_time_zone("Mars/Olympus")


def test_workalendar_classes_resolve_by_dotted_name() -> None:
    assert workalendar_class_named("workalendar.usa.NorthCarolina") is NorthCarolina
    assert NC.first_day == dt.date(2020, 1, 1)
    assert NC.last_day == dt.date(2040, 12, 31)


# -- reading dates and instants as people write them -------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-02T09:30-05:00",
        "2026-11-02T09:30[America/New_York]",
        "2026-11-02T09:30-05:00[America/New_York]",
        "2026-11-02T14:30Z",
    ],
)
def test_an_instant_may_carry_an_offset_a_zone_or_both(text: str) -> None:
    instant = parse_instant(text)
    assert instant == dt.datetime(2026, 11, 2, 14, 30, tzinfo=dt.UTC)
    if "[" in text:
        assert instant.tzinfo == ZoneInfo("America/New_York")


def test_a_local_date_time_takes_the_zone_given_and_is_refused_without_one() -> None:
    ny = ZoneInfo("America/New_York")
    assert parse_instant("2027-07-01T09:00", zone=ny) == dt.datetime(2027, 7, 1, 13, tzinfo=dt.UTC)
    with pytest.raises(InvalidInputError, match="a local time needs an offset or a zone"):
        parse_instant("2027-07-01T09:00")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (
            "2026-11-02T09:30-04:00[America/New_York]",
            r"an offset that America/New_York has at that time \(-05:00\), not -04:00",
        ),
        ("2027-03-14T02:30[America/New_York]", "the clocks skip it"),
        ("2026-11-01T01:30[America/New_York]", "has it twice, at -04:00 and -05:00"),
        ("2026-11-02T09:30[Mars/Base]", "'Mars/Base' is not an IANA zone name"),
        ("2027-02-30T10:00-05:00", "2027-02 has days 01 to 28, so day 30 does not exist"),
        ("2027-13-01T10:00Z", "there is no month 13"),
        ("0000-01-01T10:00Z", "there is no year 0000"),
    ],
)
def test_an_instant_that_contradicts_itself_or_does_not_exist_says_why(text: str, why: str) -> None:
    with pytest.raises(InvalidInputError, match=why):
        parse_instant(text, field="registered_at")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2027-04-31", r"2027-04 has days 01 to 30, so day 31 does not exist"),
        ("2027-02-29", r"day 29 does not exist"),
        ("2027-00-10", "there is no month 00"),
        ("2027-04-00", r"2027-04 has days 01 to 30, so day 00 does not exist"),
        ("0001-02-30", r"0001-02 has days 01 to 28, so day 30 does not exist"),
    ],
)
def test_a_date_that_does_not_exist_says_so(text: str, why: str) -> None:
    with pytest.raises(InvalidInputError, match=why):
        parse_date(text, field="requested")
    assert parse_date("2028-02-29") == dt.date(2028, 2, 29)


def test_a_real_day_with_text_after_it_is_refused_with_no_reason_invented() -> None:
    raises_exactly(
        'parse_date("2027-04-30x", field="requested")',
        {"parse_date": parse_date},
        InvalidInputError,
        "requested='2027-04-30x' is not valid: expected an ISO date such as 2027-01-11",
    )


def test_an_instant_that_is_not_text_is_refused_naming_its_field() -> None:
    with pytest.raises(
        InvalidInputError, match=r"^registered_at=20270111 is not valid: expected an ISO instant"
    ):
        parse_instant(20270111, field="registered_at")  # type: ignore[arg-type]  # wrong on purpose


# -- every error, word for word ---------------------------------------------------------
# A caller reads these messages to fix the input: the field, the bad value and what
# would be valid. Frozen here so that a change to any of them is a visible decision.

CALENDAR_ERRORS = [
    (
        'workalendar_class_named("workalendar.usa")',
        InvalidInputError,
        "workalendar_class='workalendar.usa' is not valid: expected a workalendar calendar class given as 'workalendar.<module>.<Class>', for example 'workalendar.usa.NorthCarolina'",  # noqa: E501
    ),
    (
        'workalendar_class_named("os.path.join")',
        InvalidInputError,
        "workalendar_class='os.path.join' is not valid: expected a workalendar calendar class given as 'workalendar.<module>.<Class>', for example 'workalendar.usa.NorthCarolina'",  # noqa: E501
    ),
    (
        'workalendar_class_named("workalendar.usa.Atlantis")',
        InvalidInputError,
        "workalendar_class='workalendar.usa.Atlantis' is not valid: expected a workalendar calendar class given as 'workalendar.<module>.<Class>', for example 'workalendar.usa.NorthCarolina'",  # noqa: E501
    ),
    (
        'workalendar_class_named("workalendar.nowhere.Calendar")',
        InvalidInputError,
        "workalendar_class='workalendar.nowhere.Calendar' is not valid: expected a workalendar calendar class given as 'workalendar.<module>.<Class>', for example 'workalendar.usa.NorthCarolina'",  # noqa: E501
    ),
    (
        'workalendar_class_named("workalendar.usa.Holiday")',
        InvalidInputError,
        "workalendar_class='workalendar.usa.Holiday' is not valid: expected a workalendar calendar class given as 'workalendar.<module>.<Class>', for example 'workalendar.usa.NorthCarolina'",  # noqa: E501
    ),
    (
        "BusinessCalendar(first_year=1899)",
        InvalidInputError,
        "first_year=1899 is not valid: expected a whole year between 1900 and 2200",
    ),
    (
        "BusinessCalendar(last_year=2201)",
        InvalidInputError,
        "last_year=2201 is not valid: expected a whole year between 1900 and 2200",
    ),
    (
        "BusinessCalendar(first_year=2030, last_year=2029)",
        InvalidInputError,
        "last_year=2029 is not valid: expected a year on or after first_year=2030",
    ),
    (
        'NC.is_business_day("2027-01-11")',
        InvalidInputError,
        "day='2027-01-11' is not valid: expected a datetime.date (not a datetime or a string)",
    ),
    (
        "NC.add_business_days(dt.date(2027, 1, 11), 1.0)",
        InvalidInputError,
        "k=1.0 is not valid: expected a whole number of business days",
    ),
    (
        'NC.sub_business_days(dt.date(2027, 1, 11), "3")',
        InvalidInputError,
        "k='3' is not valid: expected a whole number of business days",
    ),
    (
        'NC.count_business_days("2027-01-01", dt.date(2027, 1, 11))',
        InvalidInputError,
        "start='2027-01-01' is not valid: expected a datetime.date (not a datetime or a string)",
    ),
    (
        'NC.count_business_days(dt.date(2027, 1, 1), "2027-01-11")',
        InvalidInputError,
        "end='2027-01-11' is not valid: expected a datetime.date (not a datetime or a string)",
    ),
    (
        'NC.business_days("2027-01-01", dt.date(2027, 1, 11))',
        InvalidInputError,
        "start='2027-01-01' is not valid: expected a datetime.date (not a datetime or a string)",
    ),
    (
        'NC.business_days(dt.date(2027, 1, 1), "2027-01-11")',
        InvalidInputError,
        "end='2027-01-11' is not valid: expected a datetime.date (not a datetime or a string)",
    ),
    (
        "NC.add_business_days(NC.last_day, 1)",
        CalendarRangeError,
        "the result of adding 1 business days to 2040-12-31=2041-01-01 is outside the business calendar's range 2020-01-01..2040-12-31; build the calendar with a wider year range (BusinessCalendar(first_year=..., last_year=...) or the policy's calendar.first_year / calendar.last_year)",  # noqa: E501
    ),
    (
        "NC.sub_business_days(NC.first_day, 1)",
        CalendarRangeError,
        "the result of adding -1 business days to 2020-01-01=2019-12-31 is outside the business calendar's range 2020-01-01..2040-12-31; build the calendar with a wider year range (BusinessCalendar(first_year=..., last_year=...) or the policy's calendar.first_year / calendar.last_year)",  # noqa: E501
    ),
    (
        "NC.is_business_day(NC.last_day + dt.timedelta(days=1))",
        CalendarRangeError,
        "day=2041-01-01 is outside the business calendar's range 2020-01-01..2040-12-31; build the calendar with a wider year range (BusinessCalendar(first_year=..., last_year=...) or the policy's calendar.first_year / calendar.last_year)",  # noqa: E501
    ),
    (
        "NC.is_business_day(NC.first_day - dt.timedelta(days=1))",
        CalendarRangeError,
        "day=2019-12-31 is outside the business calendar's range 2020-01-01..2040-12-31; build the calendar with a wider year range (BusinessCalendar(first_year=..., last_year=...) or the policy's calendar.first_year / calendar.last_year)",  # noqa: E501
    ),
    (
        'add_months("2027-01-31", 1)',
        InvalidInputError,
        "anchor='2027-01-31' is not valid: expected a datetime.date (not a datetime or a string)",
    ),
    (
        "add_months(dt.date(2027, 1, 31), 1.5)",
        InvalidInputError,
        "months=1.5 is not valid: expected a whole number of months",
    ),
    (
        "add_months(dt.date(9999, 12, 31), 1)",
        InvalidInputError,
        "months=1 is not valid: expected a number of months that keeps 9999-12-31 within years 1..9999",  # noqa: E501
    ),
    (
        'add_years(dt.date(2027, 1, 31), "2")',
        InvalidInputError,
        "years='2' is not valid: expected a whole number of years",
    ),
    (
        'require_aware("at", "2027-01-11T09:00")',
        InvalidInputError,
        "at='2027-01-11T09:00' is not valid: expected an aware datetime.datetime",
    ),
    (
        'require_aware("at", dt.datetime(2027, 1, 11, 9))',
        NaiveDatetimeError,
        "at=datetime.datetime(2027, 1, 11, 9, 0) is not valid: expected an aware datetime (with tzinfo), for example datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo('America/New_York'))",  # noqa: E501
    ),
    (
        'resolve_time_zone("Mars/Olympus")',
        InvalidInputError,
        "time_zone='Mars/Olympus' is not valid: expected an IANA time zone name such as 'America/New_York'",  # noqa: E501
    ),
    (
        'to_local_date(dt.datetime.max.replace(tzinfo=dt.UTC), ZoneInfo("Asia/Tokyo"), field="at")',
        InvalidInputError,
        "at='9999-12-31T23:59:59.999999+00:00' is not valid: expected an instant whose local date lies between years 1 and 9999",  # noqa: E501
    ),
    (
        "elapsed_after(dt.datetime(2027, 1, 11, 9), dt.timedelta(hours=2))",
        NaiveDatetimeError,
        "instant=datetime.datetime(2027, 1, 11, 9, 0) is not valid: expected an aware datetime (with tzinfo), for example datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo('America/New_York'))",  # noqa: E501
    ),
    (
        'parse_date("2027-02-30")',
        InvalidInputError,
        "date='2027-02-30' is not valid: expected an ISO date such as 2027-01-11 (2027-02 has days 01 to 28, so day 30 does not exist)",  # noqa: E501
    ),
    (
        'parse_date("2027-13-01")',
        InvalidInputError,
        "date='2027-13-01' is not valid: expected an ISO date such as 2027-01-11 (there is no month 13)",  # noqa: E501
    ),
    (
        'parse_date("0000-01-01")',
        InvalidInputError,
        "date='0000-01-01' is not valid: expected an ISO date such as 2027-01-11 (there is no year 0000)",  # noqa: E501
    ),
    (
        'parse_date("2027-1-1")',
        InvalidInputError,
        "date='2027-1-1' is not valid: expected an ISO date such as 2027-01-11",
    ),
    (
        'parse_instant("2027-01-11")',
        InvalidInputError,
        "instant='2027-01-11' is not valid: expected an ISO instant with its offset or its IANA zone, such as 2026-11-02T09:30-05:00, 2026-11-02T09:30[America/New_York] or 2026-11-02T09:30-05:00[America/New_York] (a local time needs an offset or a zone)",  # noqa: E501
    ),
    (
        'parse_instant("2027-01-11T09:00")',
        InvalidInputError,
        "instant='2027-01-11T09:00' is not valid: expected an ISO instant with its offset or its IANA zone, such as 2026-11-02T09:30-05:00, 2026-11-02T09:30[America/New_York] or 2026-11-02T09:30-05:00[America/New_York] (a local time needs an offset or a zone)",  # noqa: E501
    ),
    (
        'parse_instant("2027-01-11T09:00[Mars/Olympus]")',
        InvalidInputError,
        "instant='2027-01-11T09:00[Mars/Olympus]' is not valid: expected an ISO instant with its offset or its IANA zone, such as 2026-11-02T09:30-05:00, 2026-11-02T09:30[America/New_York] or 2026-11-02T09:30-05:00[America/New_York]; 'Mars/Olympus' is not an IANA zone name",  # noqa: E501
    ),
    (
        'parse_instant("2027-01-11T09:00+01:00[America/New_York]")',
        InvalidInputError,
        "instant='2027-01-11T09:00+01:00[America/New_York]' is not valid: expected an offset that America/New_York has at that time (-05:00), not +01:00",  # noqa: E501
    ),
    (
        'parse_instant("2027-03-14T02:30[America/New_York]")',
        InvalidInputError,
        "instant='2027-03-14T02:30[America/New_York]' is not valid: expected a time that exists in America/New_York: the clocks skip it (give an offset)",  # noqa: E501
    ),
    (
        'parse_instant("2027-11-07T01:30[America/New_York]")',
        InvalidInputError,
        "instant='2027-11-07T01:30[America/New_York]' is not valid: expected an unambiguous time: America/New_York has it twice, at -04:00 and -05:00 (give the offset)",  # noqa: E501
    ),
    (
        'parse_instant("2027-02-29T09:00-05:00")',
        InvalidInputError,
        "instant='2027-02-29T09:00-05:00' is not valid: expected an ISO instant with its offset or its IANA zone, such as 2026-11-02T09:30-05:00, 2026-11-02T09:30[America/New_York] or 2026-11-02T09:30-05:00[America/New_York] (2027-02 has days 01 to 28, so day 29 does not exist)",  # noqa: E501
    ),
    (
        'parse_instant("2027-04-04T02:30[Australia/Adelaide]")',
        InvalidInputError,
        "instant='2027-04-04T02:30[Australia/Adelaide]' is not valid: expected an unambiguous time: Australia/Adelaide has it twice, at +10:30 and +09:30 (give the offset)",  # noqa: E501
    ),
]


@pytest.mark.parametrize(("code", "kind", "message"), CALENDAR_ERRORS, ids=lambda v: str(v)[:50])
def test_each_calendar_error_names_the_field_the_value_and_what_is_valid(
    code: str, kind: type[Exception], message: str
) -> None:
    names = {**globals(), "NC": NC, "dt": dt, "ZoneInfo": ZoneInfo}
    raises_exactly(code, names, kind, message)


def test_the_table_is_exact_at_both_of_its_ends() -> None:
    reference = NorthCarolina()
    edges = [NC.first_day + dt.timedelta(days=n) for n in range(12)]
    edges += [NC.last_day - dt.timedelta(days=n) for n in range(12)]
    for day in edges:
        assert NC.is_business_day(day) == reference.is_working_day(day), day
    start = NC.first_day
    for day in edges[:12]:
        expected = sum(
            reference.is_working_day(start + dt.timedelta(days=n))
            for n in range((day - start).days)
        )
        assert NC.count_business_days(start, day) == expected, day
        assert len(NC.business_days(start, day)) == expected
    last_business = max(d for d in edges[12:] if reference.is_working_day(d))
    first_business = min(d for d in edges[:12] if reference.is_working_day(d))
    assert NC.add_business_days(
        last_business - dt.timedelta(days=7), 1
    ) == reference.add_working_days(last_business - dt.timedelta(days=7), 1)
    assert NC.sub_business_days(
        first_business + dt.timedelta(days=7), 1
    ) == reference.sub_working_days(first_business + dt.timedelta(days=7), 1)
    assert NC.business_days(NC.last_day, NC.last_day) == ()
    with pytest.raises(CalendarRangeError):
        NC.add_business_days(last_business, 1)
    assert NC.sub_business_days(NC.add_business_days(first_business, 1), 1) == first_business


def test_a_local_time_with_a_zone_of_half_hours_is_read_with_that_offset() -> None:
    instant = parse_instant("2027-01-11T09:00", zone=ZoneInfo("Asia/Kolkata"), field="at")
    assert instant.isoformat() == "2027-01-11T09:00:00+05:30"
    assert parse_instant("2027-01-11T09:00[Asia/Kolkata]").utcoffset() == dt.timedelta(
        hours=5, minutes=30
    )


# -- what a refused date or instant says, to the word --------------------------


_EXPECTED_DATE = "an ISO date such as 2027-01-11"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-12-32", f"{_EXPECTED_DATE} (2026-12 has days 01 to 31, so day 32 does not exist)"),
        ("2026-12-00", f"{_EXPECTED_DATE} (2026-12 has days 01 to 31, so day 00 does not exist)"),
        # Shaped like a date and naming a real day: the trouble is elsewhere, no reason.
        ("2026-01-01x", _EXPECTED_DATE),
        (20260101, _EXPECTED_DATE),
    ],
)
def test_a_refused_date_says_why_only_when_the_day_it_names_does_not_exist(
    text: object, message: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_date(text, field="practicum_start")  # type: ignore[arg-type]  # refused
    assert caught.value.field == "practicum_start"
    assert caught.value.expected == message


def _instant_refusal(text: object) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as caught:
        parse_instant(text, field="registered_at")  # type: ignore[arg-type]  # refused
    assert caught.value.field == "registered_at"
    return caught.value


def test_a_refused_instant_names_its_field_and_adds_no_reason_it_does_not_have() -> None:
    examples = _instant_refusal(123).expected
    assert examples.startswith("an ISO instant with its offset or its IANA zone")
    assert _instant_refusal("not a time").expected == examples
    # An opening bracket with no closing one is not a zone written badly: no zone read.
    assert _instant_refusal("2026-11-02T09:30[America/New_York").expected == examples


def test_a_zone_suffix_is_read_from_the_first_bracket_as_written() -> None:
    error = _instant_refusal("2026-11-02T09:30[America/New_York][u-ca=gregory]")
    assert error.expected.endswith("; 'America/New_York][u-ca=gregory' is not an IANA zone name")


def test_an_offset_in_a_refusal_is_written_as_iso_writes_it_seconds_and_all() -> None:
    summer = _instant_refusal("2026-07-02T09:30+00:00[Europe/London]")
    assert summer.expected == "an offset that Europe/London has at that time (+01:00), not +00:00"
    # New York kept local mean time, 4 h 56 min 2 s behind Greenwich, until 1883.
    old = _instant_refusal("1850-01-01T12:00-05:00[America/New_York]")
    assert old.expected == (
        "an offset that America/New_York has at that time (-04:56:02), not -05:00"
    )


def test_the_business_day_table_is_what_the_calendar_answers_from() -> None:
    table = NC.table()
    first = dt.date(NC.first_year, 1, 1)
    assert table.first_ordinal == first.toordinal()
    # One count per day of the table, and one for the day after its last: every day.
    assert len(table.before) == (dt.date(NC.last_year, 12, 31) - first).days + 2
    assert table.before[-1] == len(table.business_ordinals)
    business = [dt.date.fromordinal(o) for o in table.business_ordinals]
    assert business == sorted(business)
    assert all(NC.is_business_day(day) for day in business[:40])
    assert business[1] == NC.add_business_days(business[0], 1)
    day = dt.date(2026, 11, 25)  # the day before Thanksgiving
    at = day.toordinal() - table.first_ordinal
    assert table.business_ordinals[table.before[at] + 1] == NC.add_business_days(day, 1).toordinal()


def test_a_calendar_may_span_the_first_and_the_last_year_allowed_and_no_further() -> None:
    assert BusinessCalendar(first_year=1900, last_year=1900).first_day == dt.date(1900, 1, 1)
    assert BusinessCalendar(first_year=2200, last_year=2200).last_day == dt.date(2200, 12, 31)
    for first, last in ((1899, 1900), (2200, 2201)):
        with pytest.raises(InvalidInputError, match="a whole year between 1900 and 2200"):
            BusinessCalendar(first_year=first, last_year=last)


def test_a_calendar_named_outside_workalendar_is_refused_before_anything_is_imported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib  # noqa: PLC0415

    imported: list[str] = []
    real = importlib.import_module

    def spy(name: str, package: str | None = None) -> object:
        imported.append(name)
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", spy)
    for path in ("json.JSONDecoder", "antigravity.fly", "workalendar.usa."):
        with pytest.raises(InvalidInputError, match=r"^workalendar_class="):
            workalendar_class_named(path)
    assert imported == []
