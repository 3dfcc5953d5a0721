from __future__ import annotations

import datetime as dt

import icalendar

from cptm_rules.ics import PRODID, journey_calendar, to_ics
from cptm_rules.vocabulary import KeyDateKind
from journeys import NY, certified, registered


def events_of(data: bytes) -> list[icalendar.Component]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def test_every_key_date_becomes_an_event_that_parses_back() -> None:
    journey = certified()
    parsed = icalendar.Calendar.from_ical(to_ics(journey))
    assert str(parsed["prodid"]) == PRODID
    assert str(parsed["version"]) == "2.0"
    events = events_of(to_ics(journey))
    key_dates = journey.key_dates()
    assert len(events) == len(key_dates)
    for event, key_date in zip(events, key_dates, strict=True):
        assert str(event["summary"]) == f"CPTM: {key_date.label}"
        assert str(event["description"]).startswith(f"{key_date.rule_id} ")
        start = event.decoded("dtstart")
        if isinstance(key_date.when, dt.datetime):
            assert start == key_date.when
            assert str(start.tzinfo) == "America/New_York"
        else:
            assert start == key_date.when
            assert event.decoded("dtend") == key_date.when + dt.timedelta(days=1)


def test_the_access_due_time_is_timed_in_the_program_time_zone_R4() -> None:
    events = {str(e["summary"]): e for e in events_of(to_ics(registered()))}
    access = events["CPTM: eLearning access due"]
    assert access.decoded("dtstart") == dt.datetime(2026, 11, 2, 11, 30, tzinfo=NY)
    assert access["dtstart"].params["TZID"] == "America/New_York"
    deadline = events["CPTM: last day to change the practicum for free"]
    assert deadline.decoded("dtstart") == dt.date(2026, 11, 20)
    assert len(list(icalendar.Calendar.from_ical(to_ics(registered())).walk("VTIMEZONE"))) == 1


def test_uids_are_stable_and_unique() -> None:
    first = [str(e["uid"]) for e in events_of(to_ics(certified()))]
    again = [str(e["uid"]) for e in events_of(to_ics(certified()))]
    assert first == again
    assert len(set(first)) == len(first)
    assert all(uid.endswith("@cptm-rules") for uid in first)


def test_the_calendar_object_is_available_for_further_editing() -> None:
    calendar = journey_calendar(registered())
    kinds = [str(e["summary"]) for e in calendar.walk("VEVENT")]
    assert "CPTM: last day to take the exam" in kinds
    assert KeyDateKind.EXAM_CLOSES.value == "exam_closes"


def test_an_unregistered_journey_has_no_calendar() -> None:
    import pytest  # noqa: PLC0415

    from cptm_rules.exceptions import InvalidInputError  # noqa: PLC0415
    from cptm_rules.lifecycle import Journey  # noqa: PLC0415

    with pytest.raises(InvalidInputError, match="a registered journey"):
        to_ics(Journey.new())
