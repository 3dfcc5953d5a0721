"""The values a journey is made of, and the events that move it.

All are frozen: an event, once built, never changes, and a journey's history
is a tuple of them. Constructors validate eagerly and name the bad field.
Dates are the program's local calendar dates; instants are aware datetimes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, Final, TypeVar

import attrs

from cptm_rules.calendar import parse_date, require_aware
from cptm_rules.exceptions import InvalidInputError
from cptm_rules.vocabulary import ActivityCategory, Attendance, OrganisationType

__all__ = [
    "EVENT_TYPES",
    "Activity",
    "Applicant",
    "AttemptExam",
    "Cancel",
    "CompleteModule",
    "Event",
    "GrantAccess",
    "OpenElearning",
    "PayRenewalFee",
    "ReEnroll",
    "RecordActivity",
    "RecordAssessment",
    "RecordAttendance",
    "Register",
    "Registration",
    "RequestChange",
    "Session",
    "Substitute",
]

_EMAIL: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


Validator = Callable[[Any, Any, Any], None]


def _date(field: str) -> Validator:
    def check(_instance: object, _attribute: object, value: object) -> None:
        if type(value) is not dt.date:
            raise InvalidInputError(field, value, "a datetime.date (a program-local day)")

    return check


def _instant(field: str) -> Validator:
    def check(_instance: object, _attribute: object, value: object) -> None:
        require_aware(field, value)

    return check


def _email(_instance: Any, _attribute: Any, value: Any) -> None:  # noqa: ANN401  # attrs validator
    if not isinstance(value, str) or not _EMAIL.match(value):
        raise InvalidInputError("email", value, "an email address such as 'ana@example.org'")


def _positive_int(field: str, minimum: int = 1) -> Validator:
    def check(_instance: object, _attribute: object, value: object) -> None:
        if type(value) is not int or value < minimum:
            raise InvalidInputError(field, value, f"a whole number >= {minimum}")

    return check


def _of_type(field: str, kind: type, expected: str) -> Validator:
    def check(_instance: object, _attribute: object, value: object) -> None:
        if not isinstance(value, kind):
            raise InvalidInputError(field, value, expected)

    return check


def _session(field: str) -> Validator:
    return _of_type(field, Session, "a Session, such as Session.parse('2027-02-08..2027-02-11')")


def _text(field: str) -> Validator:
    return _of_type(field, str, "a string")


def _optional(field: str, kind: type, expected: str) -> Validator:
    def check(_instance: object, _attribute: object, value: object) -> None:
        if value is not None and (type(value) is not kind):
            raise InvalidInputError(field, value, f"{expected}, or None")

    return check


def _credentials(values: object) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidInputError("prior_credentials", values, "a tuple of strings")
    items = tuple(values)
    if not all(isinstance(v, str) for v in items):
        raise InvalidInputError("prior_credentials", values, "a tuple of strings")
    return items


def _flag(field: str) -> Validator:
    def check(_instance: object, _attribute: object, value: object) -> None:
        if type(value) is not bool:
            raise InvalidInputError(field, value, "True or False")

    return check


_E = TypeVar("_E", Attendance, OrganisationType, ActivityCategory)


def _enum_value(field: str, enum_type: type[_E], value: object) -> _E:
    if isinstance(value, str) and value in enum_type._value2member_map_:
        return enum_type(value)
    options = ", ".join(repr(m.value) for m in enum_type)
    raise InvalidInputError(field, value, f"one of {options}")


def _attendance(value: object) -> Attendance:
    return _enum_value("attendance", Attendance, value)


def _organisation(value: object) -> OrganisationType:
    return _enum_value("organisation", OrganisationType, value)


def _category(value: object) -> ActivityCategory:
    return _enum_value("category", ActivityCategory, value)


@attrs.frozen(kw_only=True)
class Session:
    """One practicum session: its first and last day (program-local dates)."""

    first_day: dt.date = attrs.field(validator=_date("first_day"))
    last_day: dt.date = attrs.field(validator=_date("last_day"))

    def __attrs_post_init__(self) -> None:
        """A session's last day may not precede its first (R2)."""
        if self.last_day < self.first_day:
            raise InvalidInputError(
                "last_day",
                self.last_day,
                f"a date on or after first_day={self.first_day.isoformat()} (R2)",
            )

    def __str__(self) -> str:
        """Render as ``2027-01-11..2027-01-14``."""
        return f"{self.first_day.isoformat()}..{self.last_day.isoformat()}"

    @classmethod
    def parse(cls, text: str, *, field: str = "practicum") -> Session:
        """The session written ``FIRST..LAST`` (the form ``str`` gives back)."""
        expected = "FIRST..LAST such as '2027-01-11..2027-01-14'"
        first, separator, last = text.partition("..") if isinstance(text, str) else ("", "", "")
        if not separator:
            raise InvalidInputError(field, text, expected)
        try:
            first_day, last_day = parse_date(first.strip()), parse_date(last.strip())
        except InvalidInputError:
            raise InvalidInputError(field, text, expected) from None
        if last_day < first_day:
            raise InvalidInputError(field, text, "a last day on or after the first day (R2)")
        return cls(first_day=first_day, last_day=last_day)


@attrs.frozen(kw_only=True)
class Applicant:
    """Who is registering. Recorded, never checked: the program has no prerequisites (R1)."""

    name: str = attrs.field(default="", validator=_text("name"))
    years_in_training_role: int | None = attrs.field(
        default=None, validator=_optional("years_in_training_role", int, "a whole number")
    )
    education: str | None = attrs.field(
        default=None, validator=_optional("education", str, "a string")
    )
    prior_credentials: tuple[str, ...] = attrs.field(default=(), converter=_credentials)


@attrs.frozen(kw_only=True)
class Registration:
    """A candidate's registration: where access goes, when, and the practicum chosen (R2)."""

    email: str = attrs.field(validator=_email)
    registered_at: dt.datetime = attrs.field(validator=_instant("registered_at"))
    session: Session
    organisation: OrganisationType = attrs.field(
        default=OrganisationType.OTHER,
        converter=_organisation,
    )
    group_size: int = attrs.field(default=1, validator=_positive_int("group_size"))
    applicant: Applicant = attrs.field(factory=Applicant)

    def __attrs_post_init__(self) -> None:
        """A registration must name a session (R2) and an applicant (R1, recorded only)."""
        if not isinstance(self.session, Session):
            raise InvalidInputError("session", self.session, "a Session (R2)")
        if not isinstance(self.applicant, Applicant):
            raise InvalidInputError("applicant", self.applicant, "an Applicant")


@attrs.frozen(kw_only=True)
class Activity:
    """A continuing-education activity (R19); ``id`` makes a repeat count once."""

    id: str
    on: dt.date = attrs.field(validator=_date("on"))
    hours: Decimal
    category: ActivityCategory = attrs.field(converter=_category)
    provider: str = attrs.field(default="", validator=_text("provider"))
    title: str = attrs.field(default="", validator=_text("title"))

    def __attrs_post_init__(self) -> None:
        """Hours are exact and not negative; the id is not empty."""
        if not isinstance(self.id, str) or not self.id:
            raise InvalidInputError("id", self.id, "a non-empty identifier string")
        if not isinstance(self.hours, Decimal) or not self.hours.is_finite() or self.hours < 0:
            raise InvalidInputError(
                "hours", self.hours, "a Decimal number of hours >= 0, such as Decimal('1.5')"
            )


# -- events ------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Register:
    """The candidate registers (R1, R2, R3, R4, R6)."""

    registration: Registration = attrs.field(
        validator=_of_type("registration", Registration, "a Registration")
    )


@attrs.frozen(kw_only=True)
class GrantAccess:
    """The provider grants eLearning access at instant ``at`` (R4)."""

    at: dt.datetime = attrs.field(validator=_instant("at"))


@attrs.frozen(kw_only=True)
class OpenElearning:
    """The candidate first opens the eLearning (matters to R24)."""

    on: dt.date = attrs.field(validator=_date("on"))


@attrs.frozen(kw_only=True)
class CompleteModule:
    """The candidate completes prework module ``module`` (1-based, R5)."""

    module: int = attrs.field(validator=_positive_int("module"))
    on: dt.date = attrs.field(validator=_date("on"))


@attrs.frozen(kw_only=True)
class RecordAssessment:
    """A module's assessment result (R5, R7): never a gate."""

    module: int = attrs.field(validator=_positive_int("module"))
    passed: bool = attrs.field(validator=_flag("passed"))
    on: dt.date = attrs.field(validator=_date("on"))


@attrs.frozen(kw_only=True)
class RequestChange:
    """A request, on local date ``on``, to move to practicum session ``to`` (R9-R11a)."""

    on: dt.date = attrs.field(validator=_date("on"))
    to: Session = attrs.field(validator=_session("to"))


@attrs.frozen(kw_only=True)
class RecordAttendance:
    """What happened at the practicum (R12, R26), recorded on ``on``."""

    attendance: Attendance = attrs.field(converter=_attendance)
    on: dt.date = attrs.field(validator=_date("on"))


@attrs.frozen(kw_only=True)
class AttemptExam:
    """An exam attempt on ``on`` (R13-R16)."""

    on: dt.date = attrs.field(validator=_date("on"))
    passed: bool = attrs.field(validator=_flag("passed"))


@attrs.frozen(kw_only=True)
class Cancel:
    """A cancellation in writing, on ``on`` (R24, R25)."""

    on: dt.date = attrs.field(validator=_date("on"))


@attrs.frozen(kw_only=True)
class ReEnroll:
    """Use a cancellation's tuition credit for another practicum (R25)."""

    on: dt.date = attrs.field(validator=_date("on"))
    session: Session = attrs.field(validator=_session("session"))


@attrs.frozen(kw_only=True)
class Substitute:
    """Another person takes the seat (R27)."""

    on: dt.date = attrs.field(validator=_date("on"))
    email: str = attrs.field(validator=_email)
    applicant: Applicant = attrs.field(
        factory=Applicant, validator=_of_type("applicant", Applicant, "an Applicant")
    )


@attrs.frozen(kw_only=True)
class RecordActivity:
    """A continuing-education activity completed by a certified candidate (R18, R19)."""

    activity: Activity = attrs.field(validator=_of_type("activity", Activity, "an Activity"))

    @property
    def on(self) -> dt.date:
        """The activity's date."""
        return self.activity.on


@attrs.frozen(kw_only=True)
class PayRenewalFee:
    """The renewal fee is paid on ``on`` (R18)."""

    on: dt.date = attrs.field(validator=_date("on"))


Event = (
    Register
    | GrantAccess
    | OpenElearning
    | CompleteModule
    | RecordAssessment
    | RequestChange
    | RecordAttendance
    | AttemptExam
    | Cancel
    | ReEnroll
    | Substitute
    | RecordActivity
    | PayRenewalFee
)
"""Every event a journey accepts."""

EVENT_TYPES: Final[tuple[type[Event], ...]] = (
    Register,
    GrantAccess,
    OpenElearning,
    CompleteModule,
    RecordAssessment,
    RequestChange,
    RecordAttendance,
    AttemptExam,
    Cancel,
    ReEnroll,
    Substitute,
    RecordActivity,
    PayRenewalFee,
)
"""The event classes, in the order the transition table lists them."""
