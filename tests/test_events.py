from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cptm_rules.calendar import parse_date, parse_instant
from cptm_rules.events import (
    Activity,
    Applicant,
    CompleteModule,
    RecordActivity,
    RecordAttendance,
    ReEnroll,
    Register,
    Registration,
    RequestChange,
    Session,
    Substitute,
)
from cptm_rules.exceptions import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Callable


@given(first=st.dates(), length=st.integers(min_value=0, max_value=10))
def test_a_session_parses_back_from_its_text(first: dt.date, length: int) -> None:
    try:
        last = first + dt.timedelta(days=length)
    except OverflowError:
        return
    session = Session(first_day=first, last_day=last)
    assert Session.parse(str(session)) == session


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-01-11", "FIRST..LAST such as"),
        ("2027-01-11..soon", "FIRST..LAST such as"),
        ("2027-01-14..2027-01-11", "a last day on or after the first day (R2)"),
    ],
)
def test_a_bad_session_text_names_the_field(text: str, expected: str) -> None:
    with pytest.raises(InvalidInputError, match=r"^--from=") as caught:
        Session.parse(text, field="--from")
    assert expected in caught.value.expected


def test_dates_and_instants_parse_strictly() -> None:
    assert parse_date("2027-01-11") == dt.date(2027, 1, 11)
    with pytest.raises(InvalidInputError, match=r"^on='11/01/2027'"):
        parse_date("11/01/2027", field="on")
    assert parse_instant("2026-11-02T09:30-05:00").utcoffset() == dt.timedelta(hours=-5)
    with pytest.raises(InvalidInputError, match=r"^at='2026-11-02T09:30' .*offset"):
        parse_instant("2026-11-02T09:30", field="at")


def test_activities_need_exact_non_negative_hours_and_an_id() -> None:
    good = Activity(id="a", on=dt.date(2027, 1, 1), hours=Decimal("1.5"), category="webinar")
    assert good.category == "webinar"
    with pytest.raises(InvalidInputError, match=r"^hours=1.5 "):
        Activity(id="a", on=dt.date(2027, 1, 1), hours=1.5, category="webinar")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"^hours=Decimal\('-1'\)"):
        Activity(id="a", on=dt.date(2027, 1, 1), hours=Decimal(-1), category="webinar")
    with pytest.raises(InvalidInputError, match=r"^id=''"):
        Activity(id="", on=dt.date(2027, 1, 1), hours=Decimal(1), category="webinar")
    with pytest.raises(InvalidInputError, match=r"^category='golf'"):
        Activity(id="a", on=dt.date(2027, 1, 1), hours=Decimal(1), category="golf")


def test_events_validate_their_fields_eagerly() -> None:
    with pytest.raises(InvalidInputError, match=r"^module=0 "):
        CompleteModule(module=0, on=dt.date(2027, 1, 1))
    with pytest.raises(InvalidInputError, match=r"^on='2027-01-01' .*datetime.date"):
        CompleteModule(module=1, on="2027-01-01")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"^attendance='late'"):
        RecordAttendance(attendance="late", on=dt.date(2027, 1, 1))


JAN = Session(first_day=dt.date(2027, 1, 11), last_day=dt.date(2027, 1, 14))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: RequestChange(on=dt.date(2026, 11, 5), to="2027-02-08..2027-02-11"), r"^to="),  # type: ignore[arg-type]
        (lambda: RequestChange(on=dt.date(2026, 11, 5), to=None), r"^to=None .*a Session"),  # type: ignore[arg-type]
        (lambda: ReEnroll(on=dt.date(2026, 11, 5), session=("2027-02-08",)), r"^session="),  # type: ignore[arg-type]
        (lambda: Register(registration={"email": "a@b.org"}), r"^registration=.*Registration"),  # type: ignore[arg-type]
        (lambda: RecordActivity(activity="webinar"), r"^activity='webinar' .*an Activity"),  # type: ignore[arg-type]
        (lambda: Substitute(on=dt.date(2026, 11, 5), email="b@c.org", applicant="Bo"), "applicant"),  # type: ignore[arg-type]
        (lambda: Applicant(name=None), r"^name=None .*a string"),  # type: ignore[arg-type]
        (lambda: Applicant(years_in_training_role="3"), "years_in_training_role='3'"),  # type: ignore[arg-type]
        (lambda: Applicant(years_in_training_role=True), "years_in_training_role=True"),
        (lambda: Applicant(education=1), "education=1"),  # type: ignore[arg-type]
        (lambda: Applicant(prior_credentials="CPLP"), "prior_credentials='CPLP'"),
        (lambda: Applicant(prior_credentials=(1,)), r"prior_credentials=\(1,\)"),
        (
            lambda: Activity(
                id="a",
                on=dt.date(2027, 2, 1),
                hours=Decimal(1),
                category="webinar",
                provider=None,  # type: ignore[arg-type]
            ),
            "provider=None",
        ),
        (
            lambda: Registration(
                email="a@b.org",
                registered_at=parse_instant("2026-11-02T09:30-05:00"),
                session=JAN,
                applicant="Ana",  # type: ignore[arg-type]
            ),
            "applicant='Ana' .*an Applicant",
        ),
    ],
)
def test_every_event_and_value_checks_its_field_types_when_built(
    build: Callable[[], object], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        build()
