from __future__ import annotations

import datetime as dt

import pytest

from cptm_rules.events import AttemptExam, GrantAccess, RecordAttendance, Session
from cptm_rules.exceptions import InvalidInputError
from cptm_rules.notebook import journey
from cptm_rules.policy import load_policy
from cptm_rules.vocabulary import State


def test_a_journey_from_plain_strings_in_one_call() -> None:
    ana = journey("2026-11-02T09:30-05:00", "2027-01-11..2027-01-14")
    assert ana.state is State.REGISTERED
    assert ana.free_change_deadline == dt.date(2026, 11, 20)
    legacy = journey("2026-11-02T09:30-05:00", "2027-01-11..2027-01-14", policy="legacy")
    assert legacy.policy.name == "legacy"
    assert (
        journey(
            dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC),
            Session(first_day=dt.date(2027, 1, 11), last_day=dt.date(2027, 1, 14)),
            policy=load_policy(),
        ).state
        is State.REGISTERED
    )


def test_further_events_are_applied_in_order() -> None:
    done = journey(
        "2026-11-02T09:30-05:00",
        "2027-01-11..2027-01-14",
        GrantAccess(at=dt.datetime(2026, 11, 2, 15, tzinfo=dt.UTC)),
        RecordAttendance(attendance="full", on=dt.date(2027, 1, 14)),
        AttemptExam(on=dt.date(2027, 1, 15), passed=True),
    )
    assert done.state is State.CERTIFIED


@pytest.mark.parametrize(
    ("registered_at", "practicum", "field"),
    [
        ("yesterday", "2027-01-11..2027-01-14", "registered_at"),
        ("2026-11-02T09:30-05:00", "2027-01-11", "practicum"),
        ("2026-11-02T09:30-05:00", "2027-01-11..soon", "practicum"),
    ],
)
def test_bad_strings_name_the_field(registered_at: str, practicum: str, field: str) -> None:
    with pytest.raises(InvalidInputError, match=rf"^{field}="):
        journey(registered_at, practicum)
