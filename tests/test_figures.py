"""Deadlines as data: one shape, each rule's units, the older keys, one shift for two engines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cptm_rules.array_ops import ARRAY, EPOCH
from cptm_rules.events import Session
from cptm_rules.exceptions import InvalidInputError, PolicyError
from cptm_rules.figures import Deadline
from cptm_rules.formulas import SCALAR, deadline_after, deadline_after_instant, deadline_before
from cptm_rules.policy import Policy, load_policy
from cptm_rules.rules.cancellation import credit_until
from cptm_rules.rules.certification import period_end
from cptm_rules.rules.exam import exam_closes
from cptm_rules.rules.practicum_changes import free_change_deadline
from cptm_rules.rules.prework import recommended_prework_start
from cptm_rules.rules.registration import access_due, lead_time_advisories
from cptm_rules.vocabulary import AccessUnit, DayCount, DeadlineAnchor, DeadlineUnit, KeyDateKind
from journeys import registered

ROOT = Path(__file__).resolve().parents[1]
CURRENT = load_policy()

# Each deadline: its general key, today's value in the general form, and the older keys.
GENERAL_AND_SHORTHAND = [
    (
        "registration.access_due",
        {"amount": 2, "unit": "hours"},
        {"registration.access_due_amount": 2, "registration.access_due_unit": "hours"},
    ),
    (
        "registration.lead_time_minimum",
        {"amount": 28, "unit": "calendar_days"},
        {"registration.lead_time_minimum_days": 28},
    ),
    (
        "prework.prework_recommended",
        {"amount": 42, "unit": "calendar_days"},
        {"prework.prework_recommended_days": 42},
    ),
    (
        "practicum.free_change_deadline",
        {"amount": 30, "unit": "business_days"},
        {"practicum.free_change_days": 30, "practicum.free_change_day_count": "business"},
    ),
    (
        "exam.exam_window",
        {"amount": 6, "unit": "months", "from": "practicum_last_day"},
        {"exam.exam_window_months": 6},
    ),
    (
        "certification.certification_period",
        {"amount": 2, "unit": "years"},
        {"certification.certification_period_years": 2},
    ),
    (
        "cancellation.early_cancellation",
        {"amount": 5, "unit": "calendar_days"},
        {"cancellation.early_cancellation_days": 5},
    ),
    (
        "cancellation.tuition_credit",
        {"amount": 1, "unit": "years"},
        {"cancellation.tuition_credit_years": 1},
    ),
]

DAYS = [dt.date(2027, 1, 31) + dt.timedelta(days=n) for n in range(0, 400, 37)]


def _dates(policy: Policy) -> list[object]:
    """Every date a deadline rule computes, over a few days (month ends included)."""
    at = [dt.datetime.combine(d, dt.time(16, 30), tzinfo=policy.zone) for d in DAYS]
    found: list[object] = [access_due(policy, a) for a in at]
    found += [free_change_deadline(policy, d) for d in DAYS]
    found += [recommended_prework_start(policy, d - dt.timedelta(days=50), d) for d in DAYS]
    found += [lead_time_advisories(policy, d - dt.timedelta(days=30), d) for d in DAYS]
    found += [exam_closes(policy, d, first_day=d - dt.timedelta(days=3)) for d in DAYS]
    found += [period_end(policy, d) for d in DAYS]
    found += [credit_until(policy, d) for d in DAYS]
    return found


@pytest.mark.parametrize(("key", "general", "older"), GENERAL_AND_SHORTHAND)
def test_the_general_form_with_todays_unit_gives_the_dates_of_the_older_keys(
    key: str, general: dict[str, object], older: dict[str, object]
) -> None:
    in_general = CURRENT.with_overrides({key: general})
    in_older = CURRENT.with_overrides(older)
    name = key.partition(".")[2]
    assert getattr(in_general, name) == getattr(in_older, name) == getattr(CURRENT, name)
    assert _dates(in_general) == _dates(in_older)
    # Cited in the words decisions always used.
    assert in_general.figures(name) == tuple((k, str(v)) for k, v in older.items())


def test_a_file_in_the_general_form_reads_as_the_shipped_one(tmp_path: Path) -> None:
    tables: dict[str, list[str]] = {}
    for key, general, _older in GENERAL_AND_SHORTHAND:
        section, name = key.split(".")
        inline = ", ".join(
            f"{k} = {v}" if isinstance(v, int) else f'{k} = "{v}"' for k, v in general.items()
        )
        tables.setdefault(section, []).append(f"{name} = {{ {inline} }}")
    text = 'extends = "current"\n' + "".join(
        f"[{section}]\n" + "\n".join(lines) + "\n" for section, lines in tables.items()
    )
    path = tmp_path / "general.toml"
    path.write_text(text, encoding="utf-8")
    mine = load_policy(path)
    assert _dates(mine) == _dates(CURRENT)
    assert mine.exam_window == CURRENT.exam_window


def test_older_attributes_keep_reading_what_the_older_keys_say() -> None:
    legacy = load_policy("legacy")
    assert (CURRENT.access_due_amount, CURRENT.access_due_unit) == (2, AccessUnit.HOURS)
    assert legacy.access_due_unit is AccessUnit.BUSINESS_DAYS is DeadlineUnit.BUSINESS_DAYS
    assert CURRENT.free_change_day_count is DayCount.BUSINESS
    assert CURRENT.exam_window_months == 6
    assert (CURRENT.certification_period_years, CURRENT.tuition_credit_years) == (2, 1)
    in_days = CURRENT.with_overrides({"exam.exam_window": {"amount": 90, "unit": "calendar_days"}})
    with pytest.raises(InvalidInputError, match=r"exam_window_months=.*read \.exam_window"):
        _ = in_days.exam_window_months


def test_an_18_month_window_from_the_first_day_closes_18_months_after_it() -> None:
    policy = load_policy(
        ROOT / "scenarios" / "policies" / "exam-window-18-months-from-first-day.toml"
    )
    assert policy.exam_window == Deadline(
        amount=18, unit=DeadlineUnit.MONTHS, counted_from=DeadlineAnchor.PRACTICUM_FIRST_DAY
    )
    first, last = dt.date(2027, 8, 31), dt.date(2027, 9, 3)
    assert exam_closes(policy, last, first_day=first) == dt.date(2029, 2, 28)  # clamped
    with pytest.raises(TypeError, match="first_day"):
        exam_closes(policy, last)
    # Its title and statement read right.
    from cptm_rules.catalogue import RULES  # noqa: PLC0415

    assert RULES["R14"].title_under(policy) == "18-month exam window"
    assert "is the practicum's first day plus 18 calendar months" in RULES["R14"].statement_under(
        policy
    )
    assert RULES["R14"].statement.startswith(
        "The last day to sit the exam is the release date plus 6 calendar months"
    )


def test_a_period_of_36_months_ends_where_three_years_do_and_reads_as_months() -> None:
    from cptm_rules.catalogue import RULES  # noqa: PLC0415

    months = CURRENT.with_overrides(
        {"certification.certification_period": {"amount": 36, "unit": "months"}}
    )
    years = CURRENT.with_overrides({"certification.certification_period_years": 3})
    assert [period_end(months, d) for d in DAYS] == [period_end(years, d) for d in DAYS]
    assert RULES["R17"].title_under(months) == "36-month period"
    assert RULES["R17"].title_under(years) == "Three-year period"
    assert months.figures("certification_period") == (
        ("certification.certification_period", '{ amount = 36, unit = "months" }'),
    )


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            {"exam.exam_window": {"amount": 18, "unit": "weeks"}},
            (
                r"exam.exam_window = .* expected unit one of 'months', 'calendar_days', "
                r"'business_days' \(the exam window, R14\), not 'weeks'"
            ),
        ),
        (
            {"registration.access_due": {"amount": 2, "unit": "months"}},
            r"registration.access_due = .* expected unit one of 'hours', 'business_days'",
        ),
        (
            {"exam.exam_window": {"amount": 18, "unit": "months", "from": "registration"}},
            r"expected from one of 'practicum_last_day', 'practicum_first_day', not 'registration'",
        ),
        (
            {"certification.certification_period": {"amount": 2, "unit": "years", "from": "x"}},
            r"expected the keys amount, unit; 'from' is not one",
        ),
        (
            {"exam.exam_window": {"amount": True, "unit": "months"}},
            r"expected amount a whole number of months from 1 to 120, not True",
        ),
        (
            {"exam.exam_window": {"amount": 18.0, "unit": "months"}},
            r"expected amount a whole number of months from 1 to 120, not 18.0",
        ),
        (
            {"exam.exam_window": {"amount": 121, "unit": "months"}},
            r"expected amount a whole number of months from 1 to 120, not 121",
        ),
        ({"exam.exam_window": 18}, r"expected an inline table such as \{ amount = 18"),
        ({"exam.exam_window_months": True}, r"expected a whole number from 1 to 120"),
        (
            {"practicum.free_change_day_count": "weekdays"},
            r"practicum.free_change_day_count = 'weekdays' .* one of 'business', 'calendar'",
        ),
    ],
)
def test_a_wrong_unit_anchor_or_type_names_the_key_the_value_and_the_choices(
    override: dict[str, object], message: str
) -> None:
    with pytest.raises(PolicyError, match=message):
        CURRENT.with_overrides(override)


def test_both_spellings_of_one_deadline_are_refused_naming_both_keys(tmp_path: Path) -> None:
    path = tmp_path / "both.toml"
    path.write_text(
        'extends = "current"\n[exam]\nexam_window_months = 12\n'
        'exam_window = { amount = 18, unit = "months" }\n',
        encoding="utf-8",
    )
    with pytest.raises(
        PolicyError,
        match=r"exam.exam_window = '<stated twice>' is not valid: expected one spelling of "
        r"this deadline: exam.exam_window or exam.exam_window_months, not both",
    ):
        load_policy(path)
    with pytest.raises(PolicyError, match="not both"):
        CURRENT.with_overrides(
            {"exam.exam_window": {"amount": 1, "unit": "months"}, "exam.exam_window_months": 2}
        )


def test_an_older_key_in_an_extending_file_keeps_the_rest_of_the_deadline(tmp_path: Path) -> None:
    path = tmp_path / "board.toml"
    path.write_text('extends = "current"\n[practicum]\nfree_change_days = 20\n', encoding="utf-8")
    board = load_policy(path)
    assert board.free_change_deadline == Deadline(amount=20, unit=DeadlineUnit.BUSINESS_DAYS)


def test_a_complete_file_must_still_give_every_older_key_of_a_deadline() -> None:
    text = (ROOT / "tests" / "earlier" / "policy.toml").read_text(encoding="utf-8")
    assert Policy.from_toml(text).access_due == CURRENT.access_due
    without_unit = text.replace('access_due_unit = "hours"', "")
    assert without_unit != text
    with pytest.raises(PolicyError, match=r"missing: registration.access_due_unit"):
        Policy.from_toml(without_unit)


def test_a_user_base_is_recorded_as_the_file_wrote_it_never_as_a_machine_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "office"
    (folder / "bases").mkdir(parents=True)
    (folder / "bases" / "base.toml").write_text(
        'extends = "current"\n[practicum]\nfree_changes = 1\n', encoding="utf-8"
    )
    (folder / "mine.toml").write_text(
        'extends = "bases/base.toml"\n[exam]\nexam_window_months = 12\n', encoding="utf-8"
    )
    # Read as a user names it, relative to where they are: nothing then says where that is.
    monkeypatch.chdir(tmp_path)
    mine = load_policy(Path("office") / "mine.toml")
    assert mine.extends == "bases/base.toml"
    assert mine.base is not None
    assert mine.base.extends == "current"
    assert mine.free_changes == 1
    from cptm_rules.serialization import to_json  # noqa: PLC0415

    assert str(tmp_path.resolve()) not in repr(mine)
    assert '"extends": "bases/base.toml"' in to_json(mine)
    assert str(tmp_path.resolve()) not in to_json(mine)


_DAY_UNITS = (
    DeadlineUnit.CALENDAR_DAYS,
    DeadlineUnit.BUSINESS_DAYS,
    DeadlineUnit.MONTHS,
    DeadlineUnit.YEARS,
)


@settings(max_examples=60, deadline=None)
@given(
    amount=st.integers(0, 40),
    unit=st.sampled_from(_DAY_UNITS),
    backwards=st.booleans(),
    start=st.integers(0, 6000),
)
def test_both_engines_shift_a_day_by_any_deadline_alike(
    amount: int,
    unit: DeadlineUnit,
    backwards: bool,  # noqa: FBT001  # drawn by hypothesis
    start: int,
) -> None:
    day = dt.date(2021, 1, 1) + dt.timedelta(days=start)
    shift = deadline_before if backwards else deadline_after
    due = Deadline(amount=amount, unit=unit)
    one = shift(SCALAR, CURRENT.calendar, due, day)
    many = shift(ARRAY, CURRENT.calendar, due, np.array([day.toordinal() - EPOCH]))
    assert dt.date.fromordinal(int(many[0]) + EPOCH) == one


@settings(max_examples=40, deadline=None)
@given(
    amount=st.integers(1, 60),
    unit=st.sampled_from([DeadlineUnit.HOURS, DeadlineUnit.BUSINESS_DAYS]),
    minutes=st.integers(0, 60 * 24 * 3000),
)
def test_both_engines_give_the_same_instant_a_deadline_after_an_instant(
    amount: int, unit: DeadlineUnit, minutes: int
) -> None:
    zone = CURRENT.zone
    at = dt.datetime(2021, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=minutes)
    due = Deadline(amount=amount, unit=unit)
    one = deadline_after_instant(SCALAR, CURRENT.calendar, zone, due, at)
    micros = np.array([int(at.timestamp()) * 1_000_000], dtype=np.int64)
    many = deadline_after_instant(ARRAY, CURRENT.calendar, zone, due, micros)
    assert int(many[0]) == int(one.timestamp() * 1_000_000)


@settings(max_examples=40, deadline=None)
@given(
    amount=st.integers(1, 30),
    unit=st.sampled_from([DeadlineUnit.MONTHS, DeadlineUnit.CALENDAR_DAYS]),
    anchor=st.sampled_from(list(DeadlineAnchor)),
    start=st.integers(0, 4000),
    length=st.integers(0, 6),
)
def test_the_exam_window_closes_alike_on_both_engines_from_either_anchor(
    amount: int, unit: DeadlineUnit, anchor: DeadlineAnchor, start: int, length: int
) -> None:
    policy = CURRENT.with_overrides(
        {"exam.exam_window": {"amount": amount, "unit": str(unit), "from": str(anchor)}}
    )
    first = dt.date(2021, 1, 1) + dt.timedelta(days=start)
    last = first + dt.timedelta(days=length)
    one = exam_closes(policy, last, first_day=first)
    as_days = [np.array([d.toordinal() - EPOCH]) for d in (last, first)]
    many = exam_closes(policy, as_days[0], first_day=as_days[1], ops=ARRAY)
    assert dt.date.fromordinal(int(many[0]) + EPOCH) == one
    anchored = first if anchor is DeadlineAnchor.PRACTICUM_FIRST_DAY else last
    assert one == deadline_after(SCALAR, policy.calendar, policy.exam_window, anchored)


def test_a_journey_keys_its_exam_closing_day_to_the_windows_anchor() -> None:
    policy = load_policy(
        ROOT / "scenarios" / "policies" / "exam-window-18-months-from-first-day.toml"
    )
    session = Session(first_day=dt.date(2027, 9, 13), last_day=dt.date(2027, 9, 16))
    from_first = registered(policy=policy, session=session)
    from_last = registered(policy=CURRENT, session=session)
    assert from_first.exam_closes == dt.date(2029, 3, 13)
    assert from_last.exam_closes == dt.date(2028, 3, 16)
    closes = {k.kind: k.when for k in from_first.key_dates()}[KeyDateKind.EXAM_CLOSES]
    assert closes == dt.date(2029, 3, 13)
