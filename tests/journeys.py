"""Builders for journeys and events with real dates, shared by the tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import attrs

from cptm_rules.cohort import Candidate, iter_synthetic_cohort
from cptm_rules.events import (
    Activity,
    AttemptExam,
    Cancel,
    GrantAccess,
    RecordActivity,
    RecordAttendance,
    Register,
    Registration,
    Session,
)
from cptm_rules.lifecycle import Journey
from cptm_rules.policy import Policy, load_policy

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cptm_rules.pricing import PriceSchedule

NY = ZoneInfo("America/New_York")
JANUARY = Session(first_day=dt.date(2027, 1, 11), last_day=dt.date(2027, 1, 14))
FEBRUARY = Session(first_day=dt.date(2027, 2, 8), last_day=dt.date(2027, 2, 11))
DECEMBER = Session(first_day=dt.date(2026, 12, 7), last_day=dt.date(2026, 12, 10))
REGISTERED_AT = dt.datetime(2026, 11, 2, 9, 30, tzinfo=NY)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def registration(
    *,
    at: dt.datetime = REGISTERED_AT,
    session: Session = JANUARY,
    email: str = "ana@example.org",
) -> Registration:
    return Registration(email=email, registered_at=at, session=session)


def registered(
    *,
    policy: Policy | None = None,
    prices: PriceSchedule | None = None,
    at: dt.datetime = REGISTERED_AT,
    session: Session = JANUARY,
) -> Journey:
    journey = Journey.new(policy=policy or load_policy(), prices=prices)
    return journey.then(Register(registration=registration(at=at, session=session)))


def in_prework(**kwargs: object) -> Journey:
    journey = registered(**kwargs)  # type: ignore[arg-type]
    return journey.then(GrantAccess(at=REGISTERED_AT + dt.timedelta(minutes=30)))


def attended(**kwargs: object) -> Journey:
    return in_prework(**kwargs).then(RecordAttendance(attendance="full", on=day("2027-01-14")))


def certified(on: dt.date = dt.date(2027, 1, 20), **kwargs: object) -> Journey:
    return attended(**kwargs).then(AttemptExam(on=on, passed=True))


def cancelled(**kwargs: object) -> Journey:
    return in_prework(**kwargs).then(Cancel(on=day("2026-11-20")))


def forfeited(**kwargs: object) -> Journey:
    return in_prework(**kwargs).then(
        RecordAttendance(attendance="absent_without_notice", on=day("2027-01-11"))
    )


def activity(
    on: str,
    hours: str,
    category: str = "webinar",
    id: str | None = None,  # noqa: A002
) -> RecordActivity:
    return RecordActivity(
        activity=Activity(
            id=id or f"{on}-{category}-{hours}",
            on=day(on),
            hours=Decimal(hours),
            category=category,
        )
    )


def short_cohort(size: int, *, seed: int) -> tuple[Candidate, ...]:
    """Synthetic candidates cut down to registration, access, changes, attendance and attempts.

    For tests about engines, streaming and reports rather than the rules: answering
    one is several times cheaper than a candidate who lives the whole journey.
    """
    return tuple(iter_short_cohort(size, seed=seed))


def iter_short_cohort(size: int, *, seed: int) -> Iterator[Candidate]:
    """:func:`short_cohort`, one candidate at a time."""
    for candidate in iter_synthetic_cohort(size, seed=seed):
        yield attrs.evolve(
            candidate,
            elearning_opened=None,
            modules=(),
            substitution=None,
            cancelled_on=None,
            re_enrolment=None,
            activities=(),
            renewal_payments=(),
        )
