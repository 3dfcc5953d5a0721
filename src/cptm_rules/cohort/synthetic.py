"""Synthetic cohorts: candidates drawn reproducibly from a seed, living every part of the journey.

The draws are independent of any policy, so the same candidates are answered under
both sides of a diff, and are spread to exercise every rule and verdict of the
catalogue (``docs/cohorts.md`` lists the proportions).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TYPE_CHECKING, Final

import attrs

from cptm_rules.cohort.candidates import NEW_YORK, Candidate
from cptm_rules.events import Activity, Session
from cptm_rules.exceptions import InvalidInputError
from cptm_rules.vocabulary import ActivityCategory, Attendance, OrganisationType

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["MAX_SYNTHETIC", "iter_synthetic_cohort", "synthetic_cohort"]


def _monday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


MAX_SYNTHETIC: Final = 1_000_000
"""The largest synthetic cohort made (memory grows with the cohort)."""


def synthetic_cohort(size: int, *, seed: int) -> tuple[Candidate, ...]:
    """``size`` synthetic candidates from ``seed``, as a tuple.

    See :func:`iter_synthetic_cohort`, which makes the same candidates one at a time.
    """
    return tuple(iter_synthetic_cohort(size, seed=seed))


def iter_synthetic_cohort(size: int, *, seed: int) -> Iterator[Candidate]:
    """``size`` candidates drawn reproducibly from ``seed``, living every part of the journey.

    The draws are independent of any policy, so the same candidates are answered
    under both sides of a diff, and are spread to exercise every rule and verdict
    of the catalogue (``docs/cohorts.md`` lists the proportions):

    - registrations on weekdays in working hours across 2026-2028, practicums
      (Monday to Thursday) 3 to 16 weeks later; access mostly within minutes,
      about one grant in eight after more than two hours;
    - about 85% open the eLearning within days; prework modules: three in four
      finish all ten, one in seven some, the rest none; assessments mostly passed;
    - about a third ask for one change (a few for two or three), in date order,
      around the free-change deadline, mostly to a later session;
    - 4% hand the seat to a substitute; 8% cancel in writing, half within five
      days of registering (some after opening the eLearning), and of those who
      cancel about 60% re-enrol within the credit's year and 15% after it;
    - most attend in full; nine in ten sit the exam (3% too late, 2% too early,
      some with four or more failed attempts);
    - those who pass record continuing education over one to three periods: just
      under, at or over the hours required, some outside the period, some repeated,
      some not qualifying; the renewal fee paid early, late or never (a lapse).
    """
    if type(size) is not int or not 0 <= size <= MAX_SYNTHETIC:
        raise InvalidInputError(
            "size", size, f"a whole number of candidates from 0 to {MAX_SYNTHETIC:,}"
        )
    rng = random.Random(seed)  # noqa: S311  # a reproducible simulation, not a secret
    for n in range(size):
        yield _synthetic_candidate(f"c{n:06d}", rng)


_START: Final = dt.date(2026, 1, 5)
_QUALIFYING: Final = (
    ActivityCategory.CONFERENCE,
    ActivityCategory.WEBINAR,
    ActivityCategory.WEBINAR,
    ActivityCategory.COURSE,
    ActivityCategory.SEMINAR,
    ActivityCategory.ALUMNI_WEBINAR,
    ActivityCategory.PODCAST,
)


def _synthetic_candidate(ident: str, rng: random.Random) -> Candidate:
    day = _START + dt.timedelta(days=rng.randrange(0, 365 * 3))
    if day.weekday() >= 5:  # Saturday or Sunday
        day -= dt.timedelta(days=day.weekday() - 4)
    registered = dt.datetime.combine(
        day, dt.time(rng.randrange(8, 18), rng.randrange(0, 60)), tzinfo=NEW_YORK
    )
    first = _monday_on_or_after(day + dt.timedelta(days=rng.randrange(21, 112)))
    if rng.random() < 0.003:  # a session already under way: the registration is refused (R2)
        first = day - dt.timedelta(days=1)
    practicum = Session(first_day=first, last_day=first + dt.timedelta(days=3))
    changes, held = _synthetic_changes(rng, day, practicum)
    opened = day + dt.timedelta(days=rng.randrange(0, 10)) if rng.random() < 0.85 else None
    modules = _synthetic_modules(rng, opened or day + dt.timedelta(days=1), held.first_day)
    substitution = None
    if rng.random() < 0.04:
        substitution = day + dt.timedelta(days=rng.randrange(1, max(2, (first - day).days)))
        if rng.random() < 0.05:  # too late: the practicum has started (R27)
            substitution = held.first_day + dt.timedelta(days=1)
    cancelled = re_enrolment = None
    if rng.random() < 0.08:
        cancelled, re_enrolment, opened, modules = _synthetic_cancellation(
            rng, day, held, opened, modules
        )
        if re_enrolment is not None:
            held = re_enrolment[1]
    attendance = rng.choices(list(Attendance), weights=(85, 7, 4, 4))[0]
    attempts: list[tuple[dt.date, bool]] = []
    if rng.random() < 0.9:  # nine in ten sit the exam
        attempts = _synthetic_attempts(rng, held.last_day)
    passed_on = next((on for on, passed in attempts if passed), None)
    activities, payments = _synthetic_career(rng, ident, passed_on)
    return Candidate(
        id=ident,
        registered_at=registered,
        practicum=practicum,
        access_after_minutes=rng.choices(
            (5, 30, 60, 90, 150, 600, 1500, 3000), weights=(40, 25, 15, 8, 6, 3, 2, 1)
        )[0],
        changes=tuple(changes),
        attendance=attendance,
        attempts=tuple(attempts),
        organisation=rng.choices(list(OrganisationType), weights=(70, 18, 12))[0],
        group_size=rng.choices((1, 2, 3, 5), weights=(75, 12, 8, 5))[0],
        elearning_opened=opened,
        modules=modules,
        substitution=substitution,
        cancelled_on=cancelled,
        re_enrolment=re_enrolment,
        activities=activities,
        renewal_payments=payments,
    )


def _synthetic_cancellation(
    rng: random.Random,
    day: dt.date,
    held: Session,
    opened: dt.date | None,
    modules: tuple[tuple[dt.date, bool | None], ...],
) -> tuple[
    dt.date,
    tuple[dt.date, Session] | None,
    dt.date | None,
    tuple[tuple[dt.date, bool | None], ...],
]:
    early = rng.random() < 0.5
    cancelled = day + dt.timedelta(days=rng.randrange(0, 6) if early else rng.randrange(6, 40))
    if early and rng.random() < 0.5:
        opened = day  # opened before cancelling: no early refund (R24)
    elif early:
        opened, modules = None, ()  # never opened: the early refund (R24)
    if cancelled >= held.first_day or rng.random() < 0.05:
        # A few write in after the practicum has started: too late to cancel (R26).
        cancelled = held.first_day + dt.timedelta(days=rng.randrange(-1, 2))
    re_enrolment = None
    draw = rng.random()
    if draw < 0.75:  # most use the credit, a few after it expired (R25)
        later = rng.randrange(30, 300) if draw < 0.6 else rng.randrange(380, 420)
        on = cancelled + dt.timedelta(days=later)
        new_first = _monday_on_or_after(on + dt.timedelta(days=rng.randrange(28, 84)))
        re_enrolment = (on, Session(first_day=new_first, last_day=new_first + dt.timedelta(3)))
    return cancelled, re_enrolment, opened, modules


def _synthetic_changes(
    rng: random.Random, day: dt.date, practicum: Session
) -> tuple[list[tuple[dt.date, Session]], Session]:
    changes: list[tuple[dt.date, Session]] = []
    held = practicum
    asked = day
    for _ in range(rng.choices((0, 1, 2, 3), weights=(64, 28, 6, 2))[0]):
        # Each request comes after the last one, around the held session's deadline.
        asked = max(held.first_day - dt.timedelta(days=rng.randrange(20, 60)), asked)
        asked += dt.timedelta(days=1)
        if asked >= held.first_day:
            break
        weeks = rng.choice((-2, -1, 2, 4, 4, 6, 8))
        new_first = held.first_day + dt.timedelta(weeks=weeks)
        if new_first <= asked:
            new_first = held.first_day + dt.timedelta(weeks=4)
        to = Session(first_day=new_first, last_day=new_first + dt.timedelta(days=3))
        if rng.random() < 0.04:  # a request the rules refuse: the same session again (R11)
            changes.append((asked, held))
            continue
        held = to
        changes.append((asked, held))
    return changes, held


def _synthetic_modules(
    rng: random.Random, start: dt.date, first_day: dt.date
) -> tuple[tuple[dt.date, bool | None], ...]:
    # One in a hundred records an eleventh module, which the prework does not have (R5).
    count = rng.choices((10, rng.randrange(3, 10), 0, 11), weights=(75, 15, 9, 1))[0]
    span = max(1, (first_day - start).days)
    days = sorted(start + dt.timedelta(days=rng.randrange(0, span)) for _ in range(count))
    return tuple((on, rng.choices((True, False, None), weights=(85, 10, 5))[0]) for on in days)


def _synthetic_attempts(rng: random.Random, opens: dt.date) -> list[tuple[dt.date, bool]]:
    draw = rng.random()
    if draw < 0.03:  # after the window has closed
        return [(opens + dt.timedelta(days=rng.randrange(190, 260)), True)]
    if draw < 0.05:  # before the exam opens
        return [(opens - dt.timedelta(days=rng.randrange(1, 3)), True)]
    stubborn = draw < 0.08  # four or more failures: what a cap on attempts would refuse
    attempts = []
    on = opens + dt.timedelta(days=int(rng.expovariate(1 / 20)))
    for number in range(6 if stubborn else 3):
        passed = (number >= 4) if stubborn else rng.random() < 0.8  # the fifth
        attempts.append((on, passed))
        if passed:
            break
        on += dt.timedelta(days=rng.randrange(10, 30))
    return attempts


def _synthetic_career(
    rng: random.Random, ident: str, certified: dt.date | None
) -> tuple[tuple[Activity, ...], tuple[dt.date, ...]]:
    if certified is None:
        return (), ()
    activities: list[Activity] = []
    payments: list[dt.date] = []
    start = certified
    periods = rng.choices((1, 2, 3), weights=(50, 30, 20))[0]
    for period in range(periods):
        end = _years_later(start, 2)
        span = (end - start).days
        target = rng.choices(
            (Decimal("22.5"), Decimal(24), Decimal(rng.randrange(25, 41)), Decimal(0)),
            weights=(20, 20, 50, 10),
        )[0]
        recorded = Decimal(0)
        while recorded < target:
            hours = min(Decimal(rng.choice(("1.5", "2", "3", "4", "6", "8"))), target - recorded)
            on = start + dt.timedelta(days=rng.randrange(0, span))
            category = rng.choice(_QUALIFYING)
            if rng.random() < 0.05:  # not industry-relevant: never counts (R19)
                category = ActivityCategory.NOT_INDUSTRY_RELEVANT
            else:
                recorded += hours
            activity = Activity(
                id=f"{ident}-p{period + 1}-{len(activities) + 1}",
                on=on,
                hours=hours,
                category=category,
            )
            activities.append(activity)
            if rng.random() < 0.05:  # the same activity recorded twice counts once
                activities.append(attrs.evolve(activity, on=on + dt.timedelta(days=1)))
        if rng.random() < 0.1:  # hours from before the period: they do not count
            activities.append(
                Activity(
                    id=f"{ident}-p{period + 1}-early",
                    on=start - dt.timedelta(days=rng.randrange(1, 60)),
                    hours=Decimal(3),
                    category=ActivityCategory.WEBINAR,
                )
            )
        timing = rng.choices(("early", "late", "never"), weights=(55, 35, 10))[0]
        if timing == "never":
            break  # the credential lapses at this period's end (R20)
        offset = rng.randrange(0, 90) if timing == "early" else span - rng.randrange(1, 60)
        payments.append(start + dt.timedelta(days=offset))
        start = end
    return tuple(activities), tuple(payments)


def _years_later(day: dt.date, years: int) -> dt.date:
    # The draws need only a plausible period: the policy computes the real one (R17).
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
