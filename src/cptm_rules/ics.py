"""A candidate's deadlines as an RFC 5545 calendar (optional extra ``ics``, icalendar).

Each key date becomes an all-day event, except the eLearning access due time, which
is a timed event in the program's time zone (with its VTIMEZONE). UIDs are stable:
the same journey exports the same UIDs every time, so re-importing updates events
instead of duplicating them. ``DTSTAMP`` is the registration instant: no clock is read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

try:
    import icalendar
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("cptm_rules.ics needs the ics extra: pip install 'cptm-rules[ics]'") from exc

from cptm_rules.catalogue import RULES
from cptm_rules.exceptions import InvalidInputError

if TYPE_CHECKING:
    from cptm_rules.lifecycle import Journey

__all__ = ["journey_calendar", "to_ics"]

PRODID = "-//cptm-rules//CPTM candidate deadlines//EN"
"""The product identifier written in every exported calendar."""


def _uid(journey: Journey, kind: str, number: int) -> str:
    registration = journey.registration
    assert registration is not None  # noqa: S101  # checked by the caller
    seed = f"{registration.email}|{registration.registered_at.isoformat()}|{kind}|{number}"
    return f"{hashlib.sha256(seed.encode()).hexdigest()[:24]}@cptm-rules"


def journey_calendar(journey: Journey) -> icalendar.Calendar:
    """The journey's key dates as an ``icalendar.Calendar``."""
    registration = journey.registration
    if registration is None:
        raise InvalidInputError("journey", str(journey.state), "a registered journey")
    zone = journey.policy.zone
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "CPTM deadlines")
    stamp = registration.registered_at.astimezone(dt.UTC)
    seen: dict[str, int] = {}
    for key_date in journey.key_dates():
        kind = str(key_date.kind)
        seen[kind] = seen.get(kind, 0) + 1
        event = icalendar.Event()
        event.add("uid", _uid(journey, kind, seen[kind]))
        event.add("dtstamp", stamp)
        event.add("summary", f"CPTM: {key_date.label}")
        rule = RULES[key_date.rule_id]
        title = rule.title_under(journey.policy, journey.prices)
        event.add(
            "description",
            f"{rule.id} {title}: {rule.statement_under(journey.policy, journey.prices)}",
        )
        event.add("categories", ["CPTM", key_date.rule_id])
        if isinstance(key_date.when, dt.datetime):
            start = key_date.when.astimezone(zone)
            event.add("dtstart", start)
            event.add("dtend", start + dt.timedelta(minutes=30))
        else:
            event.add("dtstart", key_date.when)
            event.add("dtend", key_date.when + dt.timedelta(days=1))
            event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    # Only the years the journey spans, so the VTIMEZONE stays small and exact.
    first_year = registration.registered_at.year
    calendar.add_missing_timezones(
        first_date=dt.date(first_year, 1, 1), last_date=dt.date(first_year + 2, 1, 1)
    )
    return calendar


def to_ics(journey: Journey) -> bytes:
    """The journey's key dates as the bytes of an ``.ics`` file."""
    data: bytes = journey_calendar(journey).to_ical()
    return data
