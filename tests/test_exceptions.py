from __future__ import annotations

import datetime as dt

import pytest

from cptm_rules import exceptions
from cptm_rules.exceptions import (
    CalendarRangeError,
    CptmRulesError,
    DecodeError,
    InvalidInputError,
    NaiveDatetimeError,
    PolicyError,
    RuleViolationError,
    ScenarioError,
    TimingError,
    TransitionError,
)

ERROR_NAMES = [n for n in exceptions.__all__ if isinstance(getattr(exceptions, n), type)]


def test_errors_show_at_most_a_short_piece_of_a_bad_value() -> None:
    long_value = {"token": "x" * 500}
    message = str(InvalidInputError("registry", long_value, "a table of known keys"))
    assert "x" * 100 not in message
    assert message.startswith("registry={'token': 'xxx")
    assert len(exceptions.shown(long_value)) == exceptions.SHOWN_CHARACTERS
    assert exceptions.shown("short") == "'short'"


@pytest.mark.parametrize("name", ERROR_NAMES)
def test_every_error_belongs_to_the_hierarchy_and_a_builtin(name: str) -> None:
    cls = getattr(exceptions, name)
    assert issubclass(cls, CptmRulesError)
    assert issubclass(cls, Exception)
    if cls is not CptmRulesError:
        assert issubclass(cls, (ValueError, OSError))


def test_messages_name_the_field_the_value_and_what_is_valid() -> None:
    assert str(InvalidInputError("group_size", 0, "a whole number >= 1")) == (
        "group_size=0 is not valid: expected a whole number >= 1"
    )
    assert str(PolicyError(source="mine.toml", key="exam.x", value=1, expected="nothing")) == (
        "mine.toml: exam.x = 1 is not valid: expected nothing"
    )
    naive = NaiveDatetimeError("at", dt.datetime(2027, 1, 1))
    assert str(naive).startswith(
        "at=datetime.datetime(2027, 1, 1, 0, 0) is not valid: expected an aware"
    )
    assert (
        str(ScenarioError(source="f.toml", scenario=None, key="k", problem="p")) == "f.toml: k: p"
    )
    assert str(DecodeError((("$.a", "bad"), ("$.b", "worse")))) == (
        "cannot decode: $.a: bad; $.b: worse"
    )
    span = CalendarRangeError(
        field="day",
        value=dt.date(2050, 1, 1),
        first=dt.date(2020, 1, 1),
        last=dt.date(2040, 12, 31),
    )
    assert "day=2050-01-01 is outside the business calendar's range 2020-01-01..2040-12-31" in str(
        span
    )


def test_transition_errors_say_what_is_allowed_now() -> None:
    error = RuleViolationError(
        state="forfeited", event="Cancel(on=2027-01-12)", reason="no", allowed=()
    )
    assert str(error).endswith("Events allowed now: none")
    timing = TimingError(
        state="attended",
        event="AttemptExam(on=2027-07-20)",
        reason="late",
        allowed=("AttemptExam",),
        rule_id="R14",
        limit=dt.date(2027, 7, 14),
        days=6,
        side="after",
    )
    assert isinstance(timing, TransitionError)
    assert (timing.limit, timing.days, timing.side, timing.rule_id) == (
        dt.date(2027, 7, 14),
        6,
        "after",
        "R14",
    )
    assert "late (R14). Events allowed now: AttemptExam" in str(timing)
