"""What a candidate does, and how a cohort file writes it down.

A :class:`Candidate` is what a candidate *does* (when they register, which
practicum, when they ask for changes, how they attend and sit the exam),
independent of any policy; :meth:`Candidate.steps` lists it as the events a
replay applies (:mod:`cptm_rules.cohort.answers`).

Cohort files hold one candidate a row. This module reads and writes JSON Lines
(``docs/cohorts.md``), checks every row (:func:`candidate_from_row`, which the
CSV reader shares) against the limits every format keeps, and opens a cohort
file of any format through :func:`cptm_rules.cohort.sources.open_cohort` (Parquet
and CSV are :mod:`cptm_rules.cohort.formats`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Final, TypeVar
from zoneinfo import ZoneInfo

import attrs

from cptm_rules.calendar import elapsed_after, parse_date, parse_instant, to_local_date
from cptm_rules.events import (
    Activity,
    AttemptExam,
    Cancel,
    CompleteModule,
    Event,
    GrantAccess,
    OpenElearning,
    PayRenewalFee,
    RecordActivity,
    RecordAssessment,
    RecordAttendance,
    ReEnroll,
    Register,
    Registration,
    RequestChange,
    Session,
    Substitute,
)
from cptm_rules.exceptions import InputFileError, InvalidInputError, shown
from cptm_rules.files import check_readable, parse_json
from cptm_rules.renames import moved_attribute
from cptm_rules.vocabulary import ActivityCategory, Attendance, OrganisationType

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping

    # Moved to cohort.sources; found here by __getattr__, with a warning.
    from cptm_rules.cohort.sources import cohort_candidates as cohort_candidates  # noqa: PLC0414
    from cptm_rules.cohort.sources import open_cohort as open_cohort  # noqa: PLC0414

__all__ = [
    "ID_TEXT",
    "MAX_ACCESS_MINUTES",
    "MAX_GROUP_SIZE",
    "MAX_ID_LENGTH",
    "MAX_LINE_CHARACTERS",
    "MAX_LIST_LENGTH",
    "NEW_YORK",
    "Candidate",
    "FieldError",
    "HeldSession",
    "Shown",
    "Step",
    "candidate_from_row",
    "candidate_row",
    "chunks",
    "has_control_characters",
    "iter_cohort",
    "load_cohort",
]

NEW_YORK: Final = ZoneInfo("America/New_York")
"""The program's time zone in the shipped policies: where :meth:`Candidate.events`
dates events and synthetic candidates register."""


@attrs.frozen(kw_only=True)
class Candidate:
    """What one candidate does, independent of any policy.

    Only ``id``, ``registered_at`` and ``practicum`` are required; every other
    field says what the candidate does next, from the eLearning to the renewals
    of a long career, and defaults to doing nothing (attending in full aside).
    A policy turns it into events (:meth:`steps`) and answers.
    """

    id: str
    registered_at: dt.datetime
    practicum: Session
    access_after_minutes: int = 30
    changes: tuple[tuple[dt.date, Session], ...] = ()
    attendance: Attendance = Attendance.FULL
    attempts: tuple[tuple[dt.date, bool], ...] = ()
    organisation: OrganisationType = OrganisationType.OTHER
    group_size: int = 1
    elearning_opened: dt.date | None = None
    """The day the candidate first opens the eLearning (R24 counts it)."""
    modules: tuple[tuple[dt.date, bool | None], ...] = ()
    """Prework modules completed: the day, and the module's assessment passed, failed
    or not taken (``None``). Modules are numbered in date order (R5, R7)."""
    substitution: dt.date | None = None
    """The day another person takes the seat (R27)."""
    cancelled_on: dt.date | None = None
    """The day the candidate cancels in writing (R24, R25). Staying away without
    notice is no cancellation: that is ``attendance`` ``absent_without_notice`` (R26)."""
    re_enrolment: tuple[dt.date, Session] | None = None
    """The day a cancellation's tuition credit is used, and the practicum it buys (R25)."""
    activities: tuple[Activity, ...] = ()
    """Continuing-education activities, recorded on their dates (R17-R20)."""
    renewal_payments: tuple[dt.date, ...] = ()
    """The days the renewal fee is paid (R18, R20)."""

    def events(self) -> list[tuple[str, Event]]:
        """The candidate's events under the current policy, each with its answer name.

        Attendance is placed as if every change were accepted; :meth:`steps` is
        what answering uses, where the candidate attends the session actually held.
        """
        return [
            (name, step.event if isinstance(step, Step) else step.assumed)
            for name, step in self.steps(NEW_YORK)
        ]

    def steps(  # noqa: C901  # one line per kind of event
        self, zone: dt.tzinfo
    ) -> list[tuple[str, Step | HeldSession]]:
        """The candidate's events in the order they happen, each with its answer name.

        The registration comes first; the other events follow in the order of their
        program-local dates in ``zone`` (an instant's date there), and events of one
        day in the order a journey lives them: access, eLearning opened, modules
        completed, then their assessments, changes, substitution, cancellation,
        re-enrolment, attendance, exam attempts, activities, renewal payments; events
        of one kind on one day by their values. So a row's answers do not depend on
        the order its lists are written in.
        Attendance (a :class:`HeldSession`) is recorded on the last
        day of whatever session the candidate holds when it comes, which the replay
        decides.
        """
        registered = self.registered_at
        steps: list[tuple[tuple[dt.date, int, tuple[Any, ...]], str, Step | HeldSession]] = []

        def put(day: dt.date, kind: str, order: tuple[Any, ...], name: str, event: Event) -> None:
            steps.append(((day, _RANK[kind], order), name, Step(event=event, rank=_RANK[kind])))

        to_local_date(registered, zone, field="registered_at")  # refuses an instant out of range
        put(
            dt.date.min,  # first whatever the dates: an event before it is out of order
            "registration",
            (),
            "registration",
            Register(
                registration=Registration(
                    email=_EMAIL,
                    registered_at=registered,
                    session=self.practicum,
                    organisation=self.organisation,
                    group_size=self.group_size,
                )
            ),
        )
        # Minutes of elapsed time: on the nights clocks change, wall-clock arithmetic
        # would move the grant by an hour.
        granted = elapsed_after(registered, dt.timedelta(minutes=self.access_after_minutes))
        access_day = to_local_date(granted, zone, field="access")
        put(access_day, "access", (), "access", GrantAccess(at=granted))
        if self.elearning_opened is not None:
            on = self.elearning_opened
            put(on, "elearning", (), "elearning opened", OpenElearning(on=on))
        for n, (on, passed) in enumerate(sorted(self.modules, key=_module_order), start=1):
            put(on, "module", (n,), f"module {n}", CompleteModule(module=n, on=on))
            if passed is not None:
                event = RecordAssessment(module=n, passed=passed, on=on)
                put(on, "assessment", (n,), f"module {n} assessment", event)
        ordered = sorted(self.changes, key=lambda c: (c[0], c[1].first_day, c[1].last_day))
        for n, (on, to) in enumerate(ordered, start=1):
            put(on, "change", (n,), f"change {n}", RequestChange(on=on, to=to))
        if self.substitution is not None:
            on = self.substitution
            put(on, "substitution", (), "substitution", Substitute(on=on, email=_SUBSTITUTE))
        if self.cancelled_on is not None:
            put(self.cancelled_on, "cancellation", (), "cancellation", Cancel(on=self.cancelled_on))
        if self.re_enrolment is not None:
            on, session = self.re_enrolment
            put(on, "re-enrolment", (), "re-enrolment", ReEnroll(on=on, session=session))
        for n, (on, passed) in enumerate(sorted(self.attempts), start=1):
            put(on, "attempt", (n,), f"exam attempt {n}", AttemptExam(on=on, passed=passed))
        for n, activity in enumerate(sorted(self.activities, key=_activity_order), start=1):
            put(activity.on, "activity", (n,), f"activity {n}", RecordActivity(activity=activity))
        for n, on in enumerate(sorted(self.renewal_payments), start=1):
            put(on, "renewal", (n,), f"renewal fee {n}", PayRenewalFee(on=on))
        steps.sort(key=lambda step: step[0])
        assumed = ordered[-1][1] if ordered else self.practicum
        attend = HeldSession(
            attendance=self.attendance,
            assumed=RecordAttendance(attendance=self.attendance, on=assumed.last_day),
        )
        result: list[tuple[str, Step | HeldSession]] = [(name, step) for _, name, step in steps]
        result.append(("attendance", attend))
        return result


_EMAIL: Final = "candidate@example.org"
"""The registration email of every cohort candidate: no answer depends on it, and an
id (any identifier, spaces and all) need not make a valid address."""
_SUBSTITUTE: Final = "substitute@example.org"

_RANK: Final = {
    kind: rank
    for rank, kind in enumerate(
        (
            "registration",
            "access",
            "elearning",
            "module",
            "assessment",
            "change",
            "substitution",
            "cancellation",
            "re-enrolment",
            "attendance",
            "attempt",
            "activity",
            "renewal",
        )
    )
}


def _module_order(module: tuple[dt.date, bool | None]) -> tuple[dt.date, int]:
    on, passed = module
    return on, {None: 0, False: 1, True: 2}[passed]


def _activity_order(activity: Activity) -> tuple[dt.date, str, Decimal, str, str, str]:
    return (
        activity.on,
        activity.id,
        activity.hours,
        str(activity.category),
        activity.provider,
        activity.title,
    )


@attrs.frozen(kw_only=True)
class Step:
    """One event of a candidate's, as it is applied."""

    event: Event
    rank: int
    """Its place among the events of one day (see :meth:`Candidate.steps`)."""


@attrs.frozen(kw_only=True)
class HeldSession:
    """Attendance, recorded on the last day of the session held when it comes."""

    attendance: Attendance
    assumed: RecordAttendance
    """The attendance event if every change were accepted (what :meth:`Candidate.events` lists)."""
    rank: ClassVar[int] = _RANK["attendance"]
    """Its place among the events of one day, as a :class:`Step`'s (see :meth:`Candidate.steps`)."""

    def event_on(self, day: dt.date) -> RecordAttendance:
        """The attendance event, recorded on ``day`` (the held session's last day).

        :func:`~cptm_rules.cohort.answers.replay` finds the day; a cancelled or
        forfeited journey holds no seat and gets no attendance.
        """
        return RecordAttendance(attendance=self.attendance, on=day)


# -- cohort files ----------------------------------------------------------------------


MAX_ACCESS_MINUTES: Final = 525_600
"""The latest access a cohort file may record: a year after registering."""
MAX_GROUP_SIZE: Final = 1000
"""The most seats one cohort row may register together."""
MAX_ID_LENGTH: Final = 200
"""The longest candidate id a cohort file may give."""

_CONTROL_CHARACTERS: Final = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
ID_TEXT: Final = (
    "text without control characters (C0, DEL, C1 or bidirectional overrides U+202A-U+202E, "
    "U+2066-U+2069)"
)
"""What a cohort id may hold, as errors say it."""


def has_control_characters(text: str) -> bool:
    """Whether ``text`` holds a character a cohort id may not: C0, DEL, C1 or a bidi control.

    That is U+0000-U+001F, U+007F-U+009F, U+202A-U+202E and U+2066-U+2069: they
    hide or reorder what a reader of a report, a terminal or a spreadsheet sees.
    Every cohort reader refuses such an id.
    """
    return _CONTROL_CHARACTERS.search(text) is not None


_REQUIRED: Final = object()
T = TypeVar("T")


class FieldError(Exception):
    """A field of a cohort row that is missing, of the wrong type or out of range.

    Raised by :func:`candidate_from_row`; a reader catches it and raises one
    :class:`~cptm_rules.exceptions.InvalidInputError` naming the file, the line and
    the key. It never reaches a caller of the library.
    """

    def __init__(self, key: str, value: object, expected: str) -> None:
        """The key (``changes[0].on``), the value found and what would be valid."""
        self.key, self.value, self.expected = key, value, expected


def _take(  # one lookup, fully described
    row: Mapping[str, Any], key: str, kind: type, expected: str, default: object, *, at: str = ""
) -> Any:  # noqa: ANN401  # the caller names the type
    # Exact types: a bool is not an int here, a float is not an int, a string is not a bool.
    if key not in row:
        if default is _REQUIRED:
            raise FieldError(at + key, _MISSING, f"{expected} (required)")
        return default
    value = row[key]
    if type(value) is not kind:
        raise FieldError(at + key, value, expected)
    return value


def _whole(row: Mapping[str, Any], key: str, lowest: int, highest: int, default: int) -> int:
    expected = f"a whole number from {lowest} to {highest:,}"
    value: int = _take(row, key, int, expected, default)
    if not lowest <= value <= highest:
        raise FieldError(key, value, expected)
    return value


def _object(value: object, key: str, keys: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise FieldError(key, value, f"an object with the keys {', '.join(keys)}")
    unknown = sorted(set(value) - set(keys))
    if unknown:
        raise FieldError(f"{key}.{unknown[0]}", value[unknown[0]], f"a key among {', '.join(keys)}")
    return value


def _parsed(key: str, value: str, parse: Callable[[str], T]) -> T:
    try:
        return parse(value)
    except InvalidInputError as exc:
        raise FieldError(key, value, exc.expected) from None


def _word(row: Mapping[str, Any], key: str, words: type[Attendance | OrganisationType]) -> str:
    expected = f"one of {', '.join(w.value for w in words)}"
    value: str = _take(row, key, str, expected, next(iter(words)).value)
    if value not in words._value2member_map_:
        raise FieldError(key, value, expected)
    return value


def candidate_from_row(row: object) -> Candidate:
    """The candidate of one cohort row (a JSON Lines line parsed, a CSV row's cells read).

    Every field is read with its exact type and range, and unknown keys are refused
    at every level; the first bad field raises :class:`FieldError`.
    """
    fields = _object(row, "candidate", tuple(f.name for f in attrs.fields(Candidate)))
    ident: str = _take(fields, "id", str, "a non-empty string", _REQUIRED)
    if not 0 < len(ident) <= MAX_ID_LENGTH:
        raise FieldError("id", ident, f"a string of 1 to {MAX_ID_LENGTH} characters")
    if has_control_characters(ident):
        raise FieldError("id", ident, ID_TEXT)
    registered: str = _take(fields, "registered_at", str, "an ISO instant string", _REQUIRED)
    practicum: str = _take(fields, "practicum", str, 'a session "FIRST..LAST"', _REQUIRED)
    changes = []
    for n, item in enumerate(_list(fields, "changes", "a list of changes")):
        where = f"changes[{n}]"
        change = _object(item, where, ("on", "to"))
        on: str = _take(change, "on", str, "an ISO date string", _REQUIRED, at=f"{where}.")
        to: str = _take(change, "to", str, 'a session "FIRST..LAST"', _REQUIRED, at=f"{where}.")
        changes.append(
            (_parsed(f"{where}.on", on, parse_date), _parsed(f"{where}.to", to, Session.parse))
        )
    attempts = []
    for n, item in enumerate(_list(fields, "attempts", "a list of attempts")):
        where = f"attempts[{n}]"
        attempt = _object(item, where, ("on", "passed"))
        day: str = _take(attempt, "on", str, "an ISO date string", _REQUIRED, at=f"{where}.")
        passed: bool = _take(attempt, "passed", bool, "true or false", _REQUIRED, at=f"{where}.")
        attempts.append((_parsed(f"{where}.on", day, parse_date), passed))
    return Candidate(
        id=ident,
        registered_at=_parsed("registered_at", registered, parse_instant),
        practicum=_parsed("practicum", practicum, Session.parse),
        access_after_minutes=_whole(fields, "access_after_minutes", 0, MAX_ACCESS_MINUTES, 30),
        changes=tuple(changes),
        attendance=Attendance(_word(fields, "attendance", Attendance)),
        attempts=tuple(attempts),
        organisation=OrganisationType(_word(fields, "organisation", OrganisationType)),
        group_size=_whole(fields, "group_size", 1, MAX_GROUP_SIZE, 1),
        elearning_opened=_optional_day(fields, "elearning_opened"),
        modules=_modules(fields),
        substitution=_optional_day(fields, "substitution"),
        cancelled_on=_optional_day(fields, "cancelled_on"),
        re_enrolment=_re_enrolment(fields),
        activities=_activities(fields),
        renewal_payments=tuple(
            _parsed(f"renewal_payments[{n}]", _is_day(item, f"renewal_payments[{n}]"), parse_date)
            for n, item in enumerate(
                _take(fields, "renewal_payments", list, "a list of ISO date strings", [])
            )
        ),
    )


MAX_LINE_CHARACTERS: Final = 4 * 1024 * 1024
"""The longest line a JSON Lines cohort may hold (a candidate with a long career is a few KiB)."""
MAX_LIST_LENGTH: Final = 10_000
"""The most items one list of a cohort row (changes, activities, …) may hold."""


def _list(fields: Mapping[str, Any], key: str, expected: str) -> list[Any]:
    items: list[Any] = _take(fields, key, list, expected, [])
    if len(items) > MAX_LIST_LENGTH:
        raise FieldError(
            key, Shown(None, label=f"<{len(items):,} items>"), f"at most {MAX_LIST_LENGTH:,} items"
        )
    return items


def _is_day(value: object, key: str) -> str:
    if type(value) is not str:
        raise FieldError(key, value, "an ISO date string")
    return value


def _optional_day(fields: Mapping[str, Any], key: str) -> dt.date | None:
    value: str | None = _take(fields, key, str, "an ISO date string", None)
    return None if value is None else _parsed(key, value, parse_date)


def _modules(fields: Mapping[str, Any]) -> tuple[tuple[dt.date, bool | None], ...]:
    modules = []
    for n, item in enumerate(_list(fields, "modules", "a list of completed modules")):
        where = f"modules[{n}]"
        module = _object(item, where, ("on", "passed"))
        day: str = _take(module, "on", str, "an ISO date string", _REQUIRED, at=f"{where}.")
        passed: bool | None = _take(module, "passed", bool, "true or false", None, at=f"{where}.")
        modules.append((_parsed(f"{where}.on", day, parse_date), passed))
    return tuple(modules)


def _re_enrolment(fields: Mapping[str, Any]) -> tuple[dt.date, Session] | None:
    if "re_enrolment" not in fields:
        return None
    item = _object(fields["re_enrolment"], "re_enrolment", ("on", "to"))
    where = "re_enrolment."
    on: str = _take(item, "on", str, "an ISO date string", _REQUIRED, at=where)
    to: str = _take(item, "to", str, 'a session "FIRST..LAST"', _REQUIRED, at=where)
    return _parsed(f"{where}on", on, parse_date), _parsed(f"{where}to", to, Session.parse)


_HOURS: Final = re.compile(r"[0-9]{1,4}(\.[0-9]{1,2})?")
_ACTIVITY_KEYS: Final = ("id", "on", "hours", "category")


def _activities(fields: Mapping[str, Any]) -> tuple[Activity, ...]:
    activities = []
    categories = ", ".join(c.value for c in ActivityCategory)
    for n, item in enumerate(_list(fields, "activities", "a list of activities")):
        where = f"activities[{n}]"
        record = _object(item, where, _ACTIVITY_KEYS)
        ident: str = _take(record, "id", str, "a non-empty string", _REQUIRED, at=f"{where}.")
        if not 0 < len(ident) <= MAX_ID_LENGTH:
            raise FieldError(f"{where}.id", ident, f"a string of 1 to {MAX_ID_LENGTH} characters")
        if has_control_characters(ident):
            raise FieldError(f"{where}.id", ident, ID_TEXT)
        day: str = _take(record, "on", str, "an ISO date string", _REQUIRED, at=f"{where}.")
        hours: str = _take(
            record,
            "hours",
            str,
            'a number of hours as a string, such as "1.5"',
            _REQUIRED,
            at=f"{where}.",
        )
        if not _HOURS.fullmatch(hours):
            raise FieldError(f"{where}.hours", hours, 'hours from "0" to "9999.99", such as "1.5"')
        category: str = _take(
            record, "category", str, f"one of {categories}", _REQUIRED, at=f"{where}."
        )
        if category not in ActivityCategory._value2member_map_:
            raise FieldError(f"{where}.category", category, f"one of {categories}")
        activities.append(
            Activity(
                id=ident,
                on=_parsed(f"{where}.on", day, parse_date),
                hours=Decimal(hours),
                category=ActivityCategory(category),
            )
        )
    return tuple(activities)


class Shown:
    """A value from a file as an error may show it: short, never the whole line."""

    def __init__(self, value: object, *, label: str | None = None) -> None:
        """``value`` shortened (:func:`~cptm_rules.exceptions.shown`), or ``label`` instead."""
        self.text = label or shown(value)

    def __repr__(self) -> str:
        """The text itself, as an error message quotes a value."""
        return self.text


_MISSING: Final = Shown(None, label="<missing>")


def load_cohort(path: str | Path) -> tuple[Candidate, ...]:
    """Every candidate of a JSON Lines file, as a tuple (see :func:`iter_cohort`)."""
    return tuple(iter_cohort(path))


def iter_cohort(path: str | Path) -> Iterator[Candidate]:
    """Candidates from a JSON Lines file, one object a line (``docs/cohorts.md``), streamed.

    Every field is read with its exact type, and unknown or repeated keys are
    refused at every level; a bad line raises
    :class:`~cptm_rules.exceptions.InvalidInputError` naming the file, the line
    and the key, with at most a short piece of the bad value. A file that is
    not UTF-8 or cannot be read raises
    :class:`~cptm_rules.exceptions.InputFileError`; a file with no candidate is
    refused too. The file is read a line at a time, so a cohort of any size
    streams through :func:`~cptm_rules.cohort.diff.diff_policies` in flat memory.
    """
    path = Path(path)
    check_readable(path)
    count = 0
    try:
        with path.open(encoding="utf-8-sig", errors="strict") as lines:
            number = 0
            while line := lines.readline(MAX_LINE_CHARACTERS + 1):
                number += 1
                if len(line) > MAX_LINE_CHARACTERS:
                    # Refused before it is parsed: one line must not hold the memory hostage.
                    raise InvalidInputError(
                        f"{path}:{number}",
                        Shown(None, label="<line>"),
                        f"a line of at most {MAX_LINE_CHARACTERS:,} characters",
                    )
                if not line.strip():
                    continue
                count += 1
                yield _parsed_line(path, number, line)
    except UnicodeDecodeError as exc:
        raise InputFileError(
            path=str(path), problem=f"not UTF-8 text ({exc.reason}); save it as UTF-8"
        ) from None
    except OSError as exc:
        raise InputFileError(path=str(path), problem=exc.strerror or str(exc)) from None
    if not count:
        raise InvalidInputError(
            str(path), Shown(None, label="<empty>"), "a cohort of at least one candidate"
        )


def _parsed_line(path: Path, number: int, line: str) -> Candidate:
    try:
        return candidate_from_row(parse_json(line))
    except FieldError as bad:
        value = bad.value if isinstance(bad.value, Shown) else Shown(bad.value)
        raise InvalidInputError(f"{path}:{number}: {bad.key}", value, bad.expected) from None
    except ValueError as exc:
        raise InvalidInputError(
            f"{path}:{number}", Shown(None, label="<line>"), f"one JSON object a line ({exc})"
        ) from None


def candidate_row(candidate: Candidate) -> dict[str, Any]:
    """A candidate as one JSON Lines object (the inverse of the file reader).

    Keys a candidate leaves at their defaults beyond the original nine (no
    eLearning date, no modules, …) are left out, so a row reads as it was written.
    """
    row: dict[str, Any] = {
        "id": candidate.id,
        "registered_at": candidate.registered_at.isoformat(),
        "practicum": str(candidate.practicum),
        "access_after_minutes": candidate.access_after_minutes,
        "changes": [{"on": on.isoformat(), "to": str(to)} for on, to in candidate.changes],
        "attendance": str(candidate.attendance),
        "attempts": [{"on": on.isoformat(), "passed": p} for on, p in candidate.attempts],
        "organisation": str(candidate.organisation),
        "group_size": candidate.group_size,
    }
    if candidate.elearning_opened is not None:
        row["elearning_opened"] = candidate.elearning_opened.isoformat()
    if candidate.modules:
        row["modules"] = [
            {"on": on.isoformat()} | ({} if passed is None else {"passed": passed})
            for on, passed in candidate.modules
        ]
    if candidate.substitution is not None:
        row["substitution"] = candidate.substitution.isoformat()
    if candidate.cancelled_on is not None:
        row["cancelled_on"] = candidate.cancelled_on.isoformat()
    if candidate.re_enrolment is not None:
        on, to = candidate.re_enrolment
        row["re_enrolment"] = {"on": on.isoformat(), "to": str(to)}
    if candidate.activities:
        row["activities"] = [
            {
                "id": a.id,
                "on": a.on.isoformat(),
                "hours": str(a.hours),
                "category": str(a.category),
            }
            for a in candidate.activities
        ]
    if candidate.renewal_payments:
        row["renewal_payments"] = [on.isoformat() for on in candidate.renewal_payments]
    return row


def chunks(cohort: Iterable[Candidate], size: int) -> Iterator[list[Candidate]]:
    """``cohort`` in lists of ``size`` candidates (the last may be shorter), read as they go."""
    items = iter(cohort)
    while chunk := list(itertools.islice(items, size)):
        yield chunk


_MOVED: Final = {
    "open_cohort": "cptm_rules.cohort.sources",
    "cohort_candidates": "cptm_rules.cohort.sources",
}


def __getattr__(name: str) -> object:
    """A name moved to another module of the package: found there, with a warning."""
    return moved_attribute(__name__, name, _MOVED)


def __dir__() -> list[str]:
    """The module's names, the moved ones among them."""
    return sorted({*globals(), *_MOVED})
