"""Synthetic cohorts: candidates drawn reproducibly from a seed, living every part of the journey.

The draws are independent of any policy, so the same candidates are answered under
both sides of a diff, and are spread to exercise every rule and verdict of the
catalogue (``docs/cohorts.md`` lists the proportions).

Two generators draw from the same distributions: :func:`iter_synthetic_cohort`, one
:class:`~cptm_rules.cohort.candidates.Candidate` at a time with Python's ``random``,
and :func:`iter_synthetic_tables`, whole columns at a time with numpy, as Arrow
tables with :data:`~cptm_rules.cohort.formats.COHORT_SCHEMA` (about a hundred times
faster, for cohorts of a million). Their draws differ: the same seed gives each its
own cohort. The columnar one needs the ``columnar`` extra (numpy and pyarrow), which
importing this module does not load.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from decimal import Decimal
from typing import TYPE_CHECKING, Final, Literal, NamedTuple

import attrs

from cptm_rules.cohort.candidates import NEW_YORK, Candidate
from cptm_rules.events import Activity, Session
from cptm_rules.exceptions import InvalidInputError
from cptm_rules.vocabulary import ActivityCategory, Attendance, OrganisationType

if TYPE_CHECKING:
    from collections.abc import Iterator

    import numpy as np
    import pyarrow as pa
    from numpy.typing import NDArray

    from cptm_rules.cohort.formats import CheckedCohort

    Ints = NDArray[np.int64]
    Mask = NDArray[np.bool_]
    Floats = NDArray[np.float64]
    Shape = int | tuple[int, ...] | None

__all__ = [
    "MAX_SYNTHETIC",
    "ROWS_PER_TABLE",
    "SYNTHETIC_DRAWS",
    "SyntheticDraw",
    "iter_synthetic_cohort",
    "iter_synthetic_cohorts",
    "iter_synthetic_tables",
    "synthetic_chunk",
    "synthetic_cohort",
    "synthetic_table",
]


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


SyntheticDraw = Literal["columns", "candidates"]
"""How a synthetic cohort is drawn: column-wise (:func:`iter_synthetic_tables`) or candidate
by candidate (:func:`iter_synthetic_cohort`). One seed gives each draw its own cohort."""

SYNTHETIC_DRAWS: Final[tuple[SyntheticDraw, ...]] = ("columns", "candidates")
"""Every way to draw a synthetic cohort, the default (``cptm-rules diff --synthetic``) first."""


# -- column-wise: whole tables at a time with numpy -----------------------------------------

ROWS_PER_TABLE: Final = 20_000
"""Rows of each table :func:`iter_synthetic_tables` yields unless told otherwise."""


def synthetic_table(size: int, *, seed: int, rows: int = ROWS_PER_TABLE) -> pa.Table:
    """``size`` synthetic candidates from ``seed``, drawn column-wise, as one Arrow table.

    The tables of :func:`iter_synthetic_tables` concatenated (a chunk per table), with
    :data:`~cptm_rules.cohort.formats.COHORT_SCHEMA`; no rows for a ``size`` of 0.
    """
    import pyarrow as pa  # noqa: PLC0415  # the columnar extra, loaded only when used

    from cptm_rules.cohort.formats import COHORT_SCHEMA  # noqa: PLC0415  # idem

    tables = list(iter_synthetic_tables(size, seed=seed, rows=rows))
    return pa.concat_tables(tables) if tables else COHORT_SCHEMA.empty_table()


def iter_synthetic_tables(
    size: int, *, seed: int, rows: int = ROWS_PER_TABLE
) -> Iterator[pa.Table]:
    """``size`` synthetic candidates from ``seed``, drawn column-wise, as Arrow tables.

    Each table has exactly :data:`~cptm_rules.cohort.formats.COHORT_SCHEMA` (which
    :func:`~cptm_rules.cohort.formats.checked_table` accepts unchanged) and ``rows``
    rows, the last one what remains. The candidates live the journey
    :func:`iter_synthetic_cohort` describes, with the same distributions (every
    share, range and weight of its draws), but are drawn with numpy a column at a
    time, a few microseconds per candidate rather than some 175: for one seed the two
    generators give different candidates. Ids are ``c000000``, ``c000001``, … by place in the whole
    cohort, as there.

    Table ``k`` (rows ``k * rows`` onwards) is drawn from its own generator, seeded
    from ``(seed, k)`` (``numpy.random.SeedSequence(seed, spawn_key=(k,))``), so any
    table can be made on its own (:func:`synthetic_chunk`, in any worker) and a full
    table is the same whatever ``size``. The cohort does depend on ``rows``: other
    boundaries draw other candidates (from the same distributions), and so does the
    last, shorter table of another ``size``. ``seed`` is any whole number, as for
    :func:`iter_synthetic_cohort` (a negative one seeds from ``(-seed, 1)``: numpy's seed
    sequences take entropy from 0 up).
    """
    _check_arguments(size, seed, rows)
    for chunk in range(-(-size // rows)):
        yield _chunk_table(seed, chunk, chunk * rows, min(rows, size - chunk * rows))


def iter_synthetic_cohorts(
    size: int, *, seed: int, rows: int = ROWS_PER_TABLE
) -> Iterator[CheckedCohort]:
    """The tables of :func:`iter_synthetic_tables`, each as a checked cohort.

    The draw gives :data:`~cptm_rules.cohort.formats.COHORT_SCHEMA`'s exact types and
    values in range by construction (the tests check that
    :func:`~cptm_rules.cohort.formats.checked_table` returns every table it draws
    unchanged), so a diff reads them as they are: checking them again costs about
    2.7 s of CPU per million candidates. ``cptm-rules diff --synthetic`` answers these.
    """
    _check_arguments(size, seed, rows)
    from cptm_rules.cohort.formats import CheckedCohort  # noqa: PLC0415  # pyarrow

    return (
        CheckedCohort(table=table) for table in iter_synthetic_tables(size, seed=seed, rows=rows)
    )


def synthetic_chunk(size: int, *, seed: int, chunk: int, rows: int = ROWS_PER_TABLE) -> pa.Table:
    """Table ``chunk`` (from 0) of ``iter_synthetic_tables(size, seed=seed, rows=rows)``.

    Made on its own, without drawing the tables before it, so workers can each make
    their share of one cohort (see :func:`iter_synthetic_tables`).
    """
    _check_arguments(size, seed, rows)
    count = -(-size // rows)
    if type(chunk) is not int or not 0 <= chunk < count:
        expected = f"a table number from 0 to {count - 1:,}" if count else "none: no table"
        raise InvalidInputError("chunk", chunk, expected)
    return _chunk_table(seed, chunk, chunk * rows, min(rows, size - chunk * rows))


def _check_arguments(size: int, seed: int, rows: int) -> None:
    if type(size) is not int or not 0 <= size <= MAX_SYNTHETIC:
        raise InvalidInputError(
            "size", size, f"a whole number of candidates from 0 to {MAX_SYNTHETIC:,}"
        )
    if type(seed) is not int:
        raise InvalidInputError("seed", seed, "a whole number")
    if type(rows) is not int or rows < 1:
        raise InvalidInputError("rows", rows, "a whole number of rows from 1")


_EPOCH: Final = dt.date(1970, 1, 1)
_START_DAY: Final = (_START - _EPOCH).days
"""The first registration day (:data:`_START`) in days since 1970-01-01, as ``date32``."""
_REGISTRATION_DAYS: Final = 365 * 3
_ATTENDANCE: Final = tuple(a.value for a in Attendance)
_ORGANISATIONS: Final = tuple(o.value for o in OrganisationType)
_CATEGORIES: Final = (
    *dict.fromkeys(c.value for c in _QUALIFYING),
    ActivityCategory.NOT_INDUSTRY_RELEVANT.value,
)
"""The words of the activity categories drawn, by code: the qualifying ones, then the one
that never counts."""
_QUALIFYING_CODES: Final = tuple(_CATEGORIES.index(c.value) for c in _QUALIFYING)
""":data:`_QUALIFYING` as codes, a webinar twice: drawn uniformly, as ``rng.choice`` does."""
_NOT_RELEVANT: Final = _CATEGORIES.index(ActivityCategory.NOT_INDUSTRY_RELEVANT.value)
_WEBINAR: Final = _CATEGORIES.index(ActivityCategory.WEBINAR.value)
_HUNDREDTHS: Final = (150, 200, 300, 400, 600, 800)
"""An activity's hours (1.5, 2, 3, 4, 6 or 8) in hundredths, as ``decimal128(6, 2)`` holds them."""
_BLOCK: Final = 8
"""Activities drawn at once for each period still short of its hours (most need fewer)."""


@functools.cache
def _new_york_offsets() -> Ints:
    # New York's UTC offset in seconds on each registration day, at noon: the clocks
    # change at 2:00, never in the 08:00-18:00 a registration is drawn in.
    import numpy as np  # noqa: PLC0415  # the columnar extra

    noon = dt.time(12)
    return np.array(
        [
            dt.datetime.combine(_START + dt.timedelta(days=d), noon, tzinfo=NEW_YORK)
            .utcoffset()
            .total_seconds()  # type: ignore[union-attr]  # an aware instant has an offset
            for d in range(_REGISTRATION_DAYS)
        ],
        dtype=np.int64,
    )


class _Draws:
    """The draws of one table: ``n`` values at a time unless a shape is given."""

    def __init__(self, rng: np.random.Generator, n: int) -> None:
        self.rng, self.n = rng, n

    def integers(self, low: int, high: int, shape: Shape = None) -> Ints:
        """Whole numbers from ``low`` to ``high`` excluded, as ``random.randrange``."""
        return self.rng.integers(low, high, self.n if shape is None else shape, dtype="int64")

    def chance(self, p: float, shape: Shape = None) -> Mask:
        """True with probability ``p``, as ``random.random() < p``."""
        return self.rng.random(self.n if shape is None else shape) < p

    def uniform(self, shape: Shape = None) -> Floats:
        """Uniform on [0, 1), as ``random.random()``."""
        return self.rng.random(self.n if shape is None else shape)

    def pick(self, weights: tuple[int, ...], shape: Shape = None) -> Ints:
        """The index of a weight drawn in proportion to it, as ``random.choices``."""
        import numpy as np  # noqa: PLC0415  # the columnar extra

        drawn = self.rng.random(self.n if shape is None else shape) * sum(weights)
        index: Ints = np.zeros(drawn.shape, dtype=np.int64)
        bound = 0
        for weight in weights[:-1]:  # past how many bounds the draw falls
            bound += weight
            index += drawn >= bound
        return index

    def below(self, high: Ints, shape: Shape = None) -> Ints:
        """A whole number from 0 to ``high`` excluded, each row its own ``high``."""
        import numpy as np  # noqa: PLC0415  # the columnar extra

        # Much faster than integers() with an array of bounds; the bias of flooring a
        # double is below 2**-40 for bounds of a few hundred days.
        drawn: Floats = self.rng.random(high.shape if shape is None else shape) * high
        return drawn.astype(np.int64)


def _monday_after(days: Ints) -> Ints:
    # _monday_on_or_after, for days since 1970-01-01 (a Thursday).
    return days + (7 - (days + 3) % 7) % 7


def _two_years_later(days: Ints) -> Ints:
    # _years_later(day, 2) for days since 1970-01-01 (29 February becomes the 28th),
    # worked out once for each day of the few years the periods span, then looked up.
    import numpy as np  # noqa: PLC0415  # the columnar extra

    if not days.size:
        return days.copy()
    first = int(days.min())
    span = np.arange(first, int(days.max()) + 1).astype("datetime64[D]")
    month = span.astype("datetime64[M]")
    day_of_month = (span - month.astype("datetime64[D]")).astype(np.int64)
    later = month + 24
    length = ((later + 1).astype("datetime64[D]") - later.astype("datetime64[D]")).astype(np.int64)
    table: Ints = later.astype("datetime64[D]").astype(np.int64)
    table += np.minimum(day_of_month, length - 1)
    return table[days - first]


class _Changes(NamedTuple):
    lengths: Ints
    on: Ints
    to_first: Ints
    held: Ints
    """The first day of the session held after the changes."""


def _changes(draws: _Draws, day: Ints, first: Ints) -> _Changes:
    # _synthetic_changes, one request of every row at a time.
    import numpy as np  # noqa: PLC0415  # the columnar extra

    n = draws.n
    wanted = draws.pick((64, 28, 6, 2))
    on, to, made = (np.zeros((n, 3), dtype=np.int64) for _ in range(3))
    held, asked, going = first, day, np.ones(n, dtype=bool)
    for k in range(3):
        asked = np.maximum(held - draws.integers(20, 60), asked) + 1
        going = going & (wanted > k) & (asked < held)  # no request on or after the first day
        weeks = np.array((-2, -1, 2, 4, 4, 6, 8))[draws.integers(0, 7)]
        new_first = held + 7 * weeks
        new_first = np.where(new_first <= asked, held + 28, new_first)
        # A request the rules refuse: the same session again (R11).
        new_first = np.where(draws.chance(0.04), held, new_first)
        on[:, k], to[:, k], made[:, k] = asked, new_first, going
        held = np.where(going, new_first, held)
    asked_for = made.astype(bool)
    return _Changes(asked_for.sum(axis=1), on[asked_for], to[asked_for], held)


class _Cancellation(NamedTuple):
    cancels: Mask
    on: Ints
    re_enrols: Mask
    re_on: Ints
    re_first: Ints
    opened: Mask
    opened_on: Ints
    modules: Ints
    """How many modules are recorded: none for those who never opened the eLearning."""


def _cancellation(
    draws: _Draws, *, day: Ints, held: Ints, opened: Mask, opened_on: Ints, modules: Ints
) -> _Cancellation:
    # _synthetic_cancellation, drawn for the rows that cancel; the others keep their day
    # in the date columns, under a null.
    import numpy as np  # noqa: PLC0415  # the columnar extra

    cancels = draws.chance(0.08)
    rows = np.flatnonzero(cancels)
    k, registered, first = rows.size, day[rows], held[rows]
    early = draws.chance(0.5, k)
    on = registered + np.where(early, draws.integers(0, 6, k), draws.integers(6, 40, k))
    opened_first = draws.chance(0.5, k)  # opened before cancelling: no early refund (R24)
    opened, opened_on, modules = opened.copy(), opened_on.copy(), modules.copy()
    opened[rows[early]] = opened_first[early]
    opened_on[rows[early & opened_first]] = registered[early & opened_first]
    modules[rows[early & ~opened_first]] = 0  # never opened: the early refund (R24)
    # A few write in after the practicum has started: too late to cancel (R26).
    late = (on >= first) | draws.chance(0.05, k)
    on = np.where(late, first + draws.integers(-1, 2, k), on)
    draw = draws.uniform(k)  # most use the credit, a few after it expired (R25)
    re_on = on + np.where(draw < 0.6, draws.integers(30, 300, k), draws.integers(380, 420, k))
    re_enrols = np.zeros(draws.n, dtype=bool)
    re_enrols[rows] = draw < 0.75
    columns = []
    for values in (on, re_on, _monday_after(re_on + draws.integers(28, 84, k))):
        column = day.copy()
        column[rows] = values
        columns.append(column)
    cancelled_on, re_enrolled_on, re_first = columns
    return _Cancellation(
        cancels, cancelled_on, re_enrols, re_enrolled_on, re_first, opened, opened_on, modules
    )


class _Modules(NamedTuple):
    lengths: Ints
    on: Ints
    outcome: Ints
    """0 passed, 1 failed, 2 no assessment taken."""


_MOST_MODULES: Final = 11


def _modules(draws: _Draws, count: Ints, start: Ints, first_day: Ints) -> _Modules:
    # _synthetic_modules: each row's days drawn, then put in order.
    import numpy as np  # noqa: PLC0415  # the columnar extra

    shape = (draws.n, _MOST_MODULES)
    span = np.maximum(1, first_day - start)
    offsets = draws.below(span[:, None], shape)
    made = np.arange(_MOST_MODULES) < count[:, None]
    offsets = np.sort(np.where(made, offsets, np.iinfo(np.int64).max), axis=1)
    on = (start[:, None] + np.where(made, offsets, 0))[made]
    return _Modules(count, on, draws.pick((85, 10, 5), on.size))


def _module_counts(draws: _Draws) -> Ints:
    # One in a hundred records an eleventh module, which the prework does not have (R5).
    import numpy as np  # noqa: PLC0415  # the columnar extra

    kind = draws.pick((75, 15, 9, 1))
    some = draws.integers(3, 10)
    return np.select([kind == 0, kind == 1, kind == 2], [10, some, 0], _MOST_MODULES)


class _Attempts(NamedTuple):
    lengths: Ints
    on: Ints
    passed: Mask
    certified: Mask
    certified_on: Ints
    """The day of the passing attempt (where ``certified``)."""


_MOST_ATTEMPTS: Final = 5


def _attempts(draws: _Draws, opens: Ints) -> _Attempts:
    # _synthetic_attempts: every row's attempts drawn as five columns, the first few used.
    import numpy as np  # noqa: PLC0415  # the columnar extra

    n, rows = draws.n, np.arange(draws.n)
    sits = draws.chance(0.9)  # nine in ten sit the exam
    draw = draws.uniform()
    once = draw < 0.05  # after the window has closed (3%) or before the exam opens (2%)
    stubborn = ~once & (draw < 0.08)  # four failures, then a pass: what a cap would refuse
    gaps = np.hstack([np.zeros((n, 1), dtype=np.int64), draws.integers(10, 30, (n, 4))])
    waited = np.floor(draws.rng.exponential(20, n)).astype(np.int64)  # int(expovariate(1/20))
    on = (opens + waited)[:, None] + np.cumsum(gaps, axis=1)
    on[:, 0] = np.where(
        draw < 0.03,
        opens + draws.integers(190, 260),
        np.where(once, opens - draws.integers(1, 3), on[:, 0]),
    )
    passes = draws.chance(0.8, (n, 3))
    first_pass = np.argmax(passes, axis=1)
    normal = ~once & ~stubborn
    count = np.where(passes.any(axis=1), first_pass + 1, 3)
    count = np.where(sits, np.where(once, 1, np.where(stubborn, _MOST_ATTEMPTS, count)), 0)
    passing = np.where(stubborn, _MOST_ATTEMPTS - 1, np.where(normal, first_pass, 0))
    passed = np.zeros((n, _MOST_ATTEMPTS), dtype=bool)
    passed[rows, passing] = once | stubborn | passes[rows, first_pass]
    made = np.arange(_MOST_ATTEMPTS) < count[:, None]
    certified = sits & passed[rows, passing]
    return _Attempts(count, on[made], passed[made], certified, on[rows, passing])


class _Slots(NamedTuple):
    hundredths: NDArray[np.int16]
    counted: NDArray[np.int16]
    """The hours that count towards the period (none if not industry-relevant)."""
    category: NDArray[np.int8]
    twice: Mask


@functools.cache
def _slots() -> _Slots:
    # Every combination of an activity's independent draws, equally likely, so one whole
    # number draws them all: its hours (one of six), not industry-relevant (1 in 20),
    # recorded twice (1 in 20) and its category (one of seven, a webinar twice).
    import numpy as np  # noqa: PLC0415  # the columnar extra

    drawn = np.arange(len(_HUNDREDTHS) * 20 * 20 * len(_QUALIFYING_CODES))
    hours = np.array(_HUNDREDTHS, dtype=np.int16)[drawn % len(_HUNDREDTHS)]
    relevant = drawn // len(_HUNDREDTHS) % 20 != 0
    codes = np.array(_QUALIFYING_CODES, dtype=np.int8)[drawn // (len(_HUNDREDTHS) * 400)]
    return _Slots(
        hours,
        np.where(relevant, hours, 0).astype(np.int16),
        np.where(relevant, codes, _NOT_RELEVANT).astype(np.int8),
        drawn // (len(_HUNDREDTHS) * 20) % 20 == 0,
    )


class _Activities(NamedTuple):
    row: Ints
    period: NDArray[np.int8]
    on: Ints
    hundredths: NDArray[np.int16]
    category: NDArray[np.int8]
    twice: Mask
    """Recorded again the next day, with the same id: it counts once."""
    early: Mask
    """Hours from before the period (an id ending in ``early``): they never count."""


class _Career(NamedTuple):
    lengths: Ints
    """Activities in each row."""
    row: Ints
    period: NDArray[np.int8]
    number: Ints
    """The number in an activity's id (the place its first record takes, from 1), or -1 for
    hours from before the period (an id ending in ``early``)."""
    on: Ints
    hundredths: NDArray[np.int16]
    category: NDArray[np.int8]
    payment_lengths: Ints
    payments: Ints


def _career(draws: _Draws, certified: Mask, certified_on: Ints) -> _Career:
    # _synthetic_career, a period of every certified row at a time.
    import numpy as np  # noqa: PLC0415  # the columnar extra

    n = draws.n
    periods = draws.pick((50, 30, 20)) + 1
    going, start = certified, certified_on.copy()
    pieces: list[_Activities] = []
    paid, paid_on = np.zeros((n, 3), dtype=bool), np.zeros((n, 3), dtype=np.int64)
    for period in range(3):
        going = going & (periods > period)
        rows = np.flatnonzero(going)
        first = start[rows]
        end = _two_years_later(first)
        span = end - first
        _period_activities(draws, rows, period, first, span, into=pieces)
        before = rows[draws.chance(0.1, rows.size)]  # hours from before the period: not counted
        pieces.append(
            _Activities(
                before,
                np.full(before.size, period, dtype=np.int8),
                start[before] - draws.integers(1, 60, before.size),
                np.full(before.size, 300, dtype=np.int16),
                np.full(before.size, _WEBINAR, dtype=np.int8),
                np.zeros(before.size, dtype=bool),
                np.ones(before.size, dtype=bool),
            )
        )
        timing = draws.pick((55, 35, 10), rows.size)  # early, late, never: a lapse (R20)
        offset = np.where(
            timing == 0, draws.integers(0, 90, rows.size), span - draws.integers(1, 60, rows.size)
        )
        paid[rows, period], paid_on[rows, period] = timing < 2, first + offset
        going[rows[timing == 2]] = False
        start[rows] = end
    return _career_in_order(n, pieces, paid, paid_on)


def _period_activities(
    draws: _Draws, rows: Ints, period: int, first: Ints, span: Ints, *, into: list[_Activities]
) -> None:
    # Activities until each row's target hours are recorded, _BLOCK at a time: one is
    # recorded while the hours before it fall short, the one reaching the target cut to
    # it, as the sequential generator's loop does.
    import numpy as np  # noqa: PLC0415  # the columnar extra

    slots = _slots()
    kind = draws.pick((20, 20, 50, 10), rows.size)
    over = 100 * draws.integers(25, 41, rows.size)
    target: Ints = np.select([kind == 0, kind == 1, kind == 2], [2250, 2400, over], 0)
    recorded = np.zeros(rows.size, dtype=np.int64)
    pending = np.flatnonzero(target > 0)
    while pending.size:
        shape = (pending.size, _BLOCK)
        slot = draws.integers(0, slots.twice.size, shape)
        counted = slots.counted[slot]
        total = np.cumsum(counted, axis=1)
        before = recorded[pending, None] + total - counted
        goal = target[pending, None]
        made = before < goal  # each row's first few slots
        which = pending[np.broadcast_to(np.arange(pending.size)[:, None], shape)[made]]
        chosen = slot[made]
        into.append(
            _Activities(
                rows[which],
                np.full(which.size, period, dtype=np.int8),
                first[which] + draws.below(span[which]),
                np.minimum(slots.hundredths[chosen], (goal - before)[made]).astype(np.int16),
                slots.category[chosen],
                slots.twice[chosen],
                np.zeros(which.size, dtype=bool),
            )
        )
        recorded[pending] += total[:, -1]
        pending = pending[recorded[pending] < target[pending]]


def _career_in_order(n: int, pieces: list[_Activities], paid: Mask, paid_on: Ints) -> _Career:
    # The pieces, drawn period by period and block by block, put in row order by a stable
    # sort, so each row's keep the order drawn; a repeat right after the record it repeats.
    import numpy as np  # noqa: PLC0415  # the columnar extra

    drawn = _Activities(*(np.concatenate(column) for column in zip(*pieces, strict=True)))
    # Row numbers of 16 bits sort by radix, in one pass.
    key = drawn.row.astype(np.uint16) if n <= 1 << 16 else drawn.row
    order = np.argsort(key, kind="stable")
    twice = drawn.twice[order]
    at = np.arange(order.size) + np.cumsum(twice) - twice  # repeats make room
    repeats = at[twice] + 1
    take = np.empty(order.size + int(twice.sum()), dtype=np.int64)
    take[at], take[repeats] = order, order[twice]
    second = np.zeros(take.size, dtype=np.int64)
    second[repeats] = 1
    row = drawn.row[take]
    count = np.bincount(row, minlength=n)
    # A repeat has its record's id: the number is the place of the first of the two.
    in_row = np.arange(take.size) - (np.cumsum(count) - count)[row]
    return _Career(
        count,
        row,
        drawn.period[take],
        np.where(drawn.early[take], -1, in_row + 1 - second),
        drawn.on[take] + second,
        drawn.hundredths[take],
        drawn.category[take],
        paid.sum(axis=1),
        paid_on[paid],
    )


def _chunk_table(seed: int, chunk: int, first_row: int, n: int) -> pa.Table:
    import numpy as np  # noqa: PLC0415  # the columnar extra

    # A negative seed has its own entropy: -1 and 1 draw different cohorts.
    entropy: int | tuple[int, int] = seed if seed >= 0 else (-seed, 1)
    rng = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(chunk,)))
    draws = _Draws(rng, n)
    day = _START_DAY + draws.integers(0, _REGISTRATION_DAYS)
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
    day = np.where(weekday >= 5, day - (weekday - 4), day)  # a weekend: the Friday before
    minute = draws.integers(8, 18) * 60 + draws.integers(0, 60)
    seconds = (day * 1440 + minute) * 60 - _new_york_offsets()[day - _START_DAY]
    first = _monday_after(day + draws.integers(21, 112))
    # A session already under way: the registration is refused (R2).
    first = np.where(draws.chance(0.003), day - 1, first)
    changes = _changes(draws, day, first)
    opened, opened_on = draws.chance(0.85), day + draws.integers(0, 10)
    module_start = np.where(opened, opened_on, day + 1)
    substitutes = draws.chance(0.04)
    substitution = day.copy()  # kept under a null where no one substitutes
    rows = np.flatnonzero(substitutes)
    substitution[rows] += 1 + draws.below(np.maximum(2, first[rows] - day[rows]) - 1)
    late = rows[draws.chance(0.05, rows.size)]  # too late: the practicum has started (R27)
    substitution[late] = changes.held[late] + 1
    cancellation = _cancellation(
        draws,
        day=day,
        held=changes.held,
        opened=opened,
        opened_on=opened_on,
        modules=_module_counts(draws),
    )
    modules = _modules(draws, cancellation.modules, module_start, changes.held)
    held = np.where(cancellation.re_enrols, cancellation.re_first, changes.held)
    attempts = _attempts(draws, held + 3)
    columns = _Columns(
        first_row=first_row,
        registered_us=seconds * 10**6,
        first=first,
        access=np.array((5, 30, 60, 90, 150, 600, 1500, 3000))[
            draws.pick((40, 25, 15, 8, 6, 3, 2, 1))
        ],
        changes=changes,
        attendance=draws.pick((85, 7, 4, 4)),
        attempts=attempts,
        organisation=draws.pick((70, 18, 12)),
        group_size=np.array((1, 2, 3, 5))[draws.pick((75, 12, 8, 5))],
        substitutes=substitutes,
        substitution=substitution,
        cancellation=cancellation,
        modules=modules,
        career=_career(draws, attempts.certified, attempts.certified_on),
    )
    return _table(columns)


class _Columns(NamedTuple):
    first_row: int
    registered_us: Ints
    first: Ints
    access: Ints
    changes: _Changes
    attendance: Ints
    attempts: _Attempts
    organisation: Ints
    group_size: Ints
    substitutes: Mask
    substitution: Ints
    cancellation: _Cancellation
    modules: _Modules
    career: _Career


def _table(columns: _Columns) -> pa.Table:
    # The drawn columns as Arrow arrays of COHORT_SCHEMA's exact types, built from buffers.
    import numpy as np  # noqa: PLC0415  # the columnar extra
    import pyarrow as pa  # noqa: PLC0415  # idem

    from cptm_rules.cohort.formats import COHORT_SCHEMA  # noqa: PLC0415  # idem

    kind = {field.name: field.type for field in COHORT_SCHEMA}
    session_type = kind["practicum"]

    def session(first: Ints) -> pa.Array:
        return pa.StructArray.from_arrays(
            [_dates(first), _dates(first + 3)], fields=list(session_type)
        )

    def items(name: str, count: Ints, *children: pa.Array) -> pa.Array:
        values = (
            children[0]
            if len(children) == 1
            else pa.StructArray.from_arrays(list(children), fields=list(kind[name].value_type))
        )
        offsets = np.zeros(count.size + 1, dtype=np.int32)
        np.cumsum(count, out=offsets[1:])
        return pa.ListArray.from_arrays(pa.array(offsets), values, type=kind[name])

    c, cancel, career = columns.changes, columns.cancellation, columns.career
    ids = _ids(columns.first_row + np.arange(columns.first.size))
    outcome = columns.modules.outcome
    arrays = {
        "id": ids,
        "registered_at": pa.array(columns.registered_us).view(kind["registered_at"]),
        "practicum": session(columns.first),
        "access_after_minutes": pa.array(columns.access),
        "changes": items("changes", c.lengths, _dates(c.on), session(c.to_first)),
        "attendance": _words(_ATTENDANCE, columns.attendance),
        "attempts": items(
            "attempts",
            columns.attempts.lengths,
            _dates(columns.attempts.on),
            pa.array(columns.attempts.passed),
        ),
        "organisation": _words(_ORGANISATIONS, columns.organisation),
        "group_size": pa.array(columns.group_size),
        "elearning_opened": _dates(cancel.opened_on, cancel.opened),
        "modules": items(
            "modules",
            columns.modules.lengths,
            _dates(columns.modules.on),
            pa.array(outcome == 0, mask=outcome == 2),  # 2: no assessment taken
        ),
        "substitution": _dates(columns.substitution, columns.substitutes),
        "cancelled_on": _dates(cancel.on, cancel.cancels),
        "re_enrolment": pa.StructArray.from_arrays(
            [_dates(cancel.re_on), session(cancel.re_first)],
            fields=list(kind["re_enrolment"]),
            mask=pa.array(~cancel.re_enrols),
        ),
        "activities": items(
            "activities",
            career.lengths,
            _activity_ids(ids, career.row, career.period, career.number),
            _dates(career.on),
            _hours(career.hundredths),
            _words(_CATEGORIES, career.category),
        ),
        "renewal_payments": items(
            "renewal_payments", career.payment_lengths, _dates(career.payments)
        ),
    }
    return pa.Table.from_arrays(
        [arrays[name] for name in COHORT_SCHEMA.names], schema=COHORT_SCHEMA
    )


_ID_DIGITS: Final = 6
"""Digits of a synthetic id's number: ``c000000`` to ``c999999`` (:data:`MAX_SYNTHETIC`)."""


def _ids(places: Ints) -> pa.Array:
    # f"c{place:06d}", as iter_synthetic_cohort names its candidates: all of one length,
    # so the digits side by side are the strings' bytes.
    import numpy as np  # noqa: PLC0415  # the columnar extra
    import pyarrow as pa  # noqa: PLC0415  # idem

    width = 1 + _ID_DIGITS
    chars = np.empty((places.size, width), dtype=np.uint8)
    chars[:, 0] = ord("c")
    chars[:, 1:] = places[:, None] // 10 ** np.arange(_ID_DIGITS - 1, -1, -1) % 10 + ord("0")
    offsets = np.arange(0, width * (places.size + 1), width, dtype=np.int32)
    return pa.Array.from_buffers(
        pa.string(), places.size, [None, pa.py_buffer(offsets), pa.py_buffer(chars)]
    )


def _activity_ids(ids: pa.Array, row: Ints, period: NDArray[np.int8], number: Ints) -> pa.Array:
    # f"{id}-p{period + 1}-{number}", or f"{id}-p{period + 1}-early" for number -1: the
    # row's id, then its ending among the few a table has.
    import pyarrow as pa  # noqa: PLC0415  # the columnar extra
    import pyarrow.compute as pc  # noqa: PLC0415  # idem

    top = int(number.max(initial=0)) + 1
    endings = [f"-p{p + 1}-{'early' if k < 0 else k}" for p in range(3) for k in range(-1, top)]
    ending = pa.array(endings).take(pa.array(period * (top + 1) + number + 1))
    return pc.binary_join_element_wise(ids.take(pa.array(row)), ending, "")


def _words(words: tuple[str, ...], codes: Ints | NDArray[np.int8]) -> pa.Array:
    import pyarrow as pa  # noqa: PLC0415  # the columnar extra

    return pa.array(words).take(pa.array(codes))


def _dates(days: Ints, present: Mask | None = None) -> pa.Array:
    import numpy as np  # noqa: PLC0415  # the columnar extra
    import pyarrow as pa  # noqa: PLC0415  # idem

    # Rows without the event hold a date all the same (in range), under a null.
    values = pa.array(days.astype(np.int32), mask=None if present is None else ~present)
    return values.view(pa.date32())


def _hours(hundredths: NDArray[np.int16]) -> pa.Array:
    # decimal128(6, 2) stores each value as a 16-byte little-endian integer of hundredths;
    # the hours are never negative, so the high 8 bytes are zero.
    import numpy as np  # noqa: PLC0415  # the columnar extra
    import pyarrow as pa  # noqa: PLC0415  # idem

    words = np.zeros((hundredths.size, 2), dtype="<i8")
    words[:, 0] = hundredths
    kind = pa.decimal128(6, 2)
    return pa.Array.from_buffers(kind, hundredths.size, [None, pa.py_buffer(words)])
