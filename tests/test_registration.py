"""The late-registration fee (R28): in force only when a policy and its prices say so."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

from cptm_rules.array_ops import ARRAY
from cptm_rules.cli import main
from cptm_rules.cohort import Candidate, diff_policies
from cptm_rules.events import Register, Session
from cptm_rules.exceptions import CalendarRangeError, PolicyError, RuleViolationError
from cptm_rules.formulas import SCALAR, answer_codes
from cptm_rules.lifecycle import Journey
from cptm_rules.money import Money, UnknownAmount
from cptm_rules.policy import Policy, load_policy
from cptm_rules.pricing import PriceSchedule, load_prices
from cptm_rules.rules.registration import (
    LATE_REGISTRATION_FEE,
    LateRegistrationCase,
    check_session,
    late_registration,
    late_registration_in_force,
    registered_late,
)
from cptm_rules.vocabulary import EffectKind
from journeys import JANUARY, NY, registration

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_POLICY = ROOT / "scenarios" / "policies" / "late-registration-fee.toml"
EXAMPLE_PRICES = ROOT / "scenarios" / "prices" / "late-registration-fee.toml"
FIRST_DAY = JANUARY.first_day  # 2027-01-11
EXAMPLE_DAYS = 14


def _late_policy(days: int = 14) -> Policy:
    return load_policy().with_overrides({"registration.late_registration_within_days": days})


def _prices(fee: str = "50") -> PriceSchedule:
    return PriceSchedule.from_toml(f'extends = "shipped"\nlate_registration_fee = "{fee}"\n')


def _registered_on(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9, 30), tzinfo=NY)


def test_the_shipped_policies_and_prices_leave_the_late_fee_out_of_force_R28() -> None:
    prices = load_prices()
    assert prices.late_registration_fee == Money.of("0")
    for name in ("current", "legacy"):
        policy = load_policy(name)
        assert policy.late_registration_within_days == 0
        assert not late_registration_in_force(policy, prices)
        assert late_registration(policy, _prices(), dt.date(2027, 1, 10), FIRST_DAY) is None
    source = str(load_policy().source_of("late_registration_within_days"))
    assert source.startswith("registration.late_registration_within_days = 0 (R28; ")


def test_a_late_registration_pays_the_fee_citing_the_figure_the_dates_and_the_fee_R28() -> None:
    policy = _late_policy()
    given = late_registration(policy, _prices(), dt.date(2027, 1, 1), FIRST_DAY)
    assert given is not None
    assert (given.rule_id, given.verdict, given.fee) == ("R28", "fee", Money.of("50"))
    assert given.figures == (("registration.late_registration_within_days", "14"),)
    assert given.dates == (
        ("registered", dt.date(2027, 1, 1)),
        ("practicum first day", FIRST_DAY),
    )
    assert given.reason == (
        "registered on 2027-01-01, 10 days before the practicum's first day 2027-01-11: "
        "fewer than 14 days, so the late-registration fee applies"
    )
    assert given.alternatives == ("free: a registration on or before 2026-12-28 pays no late fee",)


@pytest.mark.parametrize(
    ("registered", "late"),
    [
        (dt.date(2026, 12, 27), False),  # 15 days before
        (dt.date(2026, 12, 28), False),  # exactly 14: not fewer
        (dt.date(2026, 12, 29), True),  # 13
        (dt.date(2027, 1, 10), True),  # the day before
    ],
)
def test_the_late_fee_counts_calendar_days_before_the_first_day_R28(
    registered: dt.date,
    late: bool,  # noqa: FBT001  # a parameter of the table
) -> None:
    given = late_registration(_late_policy(), _prices(), registered, FIRST_DAY)
    assert (given is not None) is late


@pytest.mark.parametrize(("days", "fee"), [(0, "50"), (14, "0"), (14, "0.00")])
def test_no_days_or_a_zero_fee_puts_the_late_fee_out_of_force_R28(days: int, fee: str) -> None:
    policy, prices = _late_policy(days), _prices(fee)
    assert not late_registration_in_force(policy, prices)
    assert late_registration(policy, prices, dt.date(2027, 1, 10), FIRST_DAY) is None


def test_an_unknown_late_fee_is_charged_as_unknown_R28_R22() -> None:
    prices = _prices("unknown")
    journey = Journey.new(policy=_late_policy(), prices=prices)
    outcome = journey.apply(
        Register(registration=registration(at=_registered_on(dt.date(2027, 1, 1))))
    )
    late = outcome.decisions[-1]
    assert (late.rule_id, late.fee) == ("R28", UnknownAmount(item="late_registration_fee"))
    charge = outcome.effects[-1]
    assert (charge.kind, charge.rule_id, charge.amount) == (EffectKind.CHARGE, "R28", None)


def test_a_late_registration_adds_the_decision_and_its_charge_after_the_others_R28() -> None:
    journey = Journey.new(policy=_late_policy(), prices=_prices())
    outcome = journey.apply(
        Register(registration=registration(at=_registered_on(dt.date(2027, 1, 1))))
    )
    assert [(d.rule_id, d.verdict) for d in outcome.decisions] == [
        ("R1", "accepted"),
        ("R2", "practicum_chosen"),
        ("R28", "fee"),
    ]
    assert [e.kind for e in outcome.effects] == [EffectKind.SEND_ACCESS, EffectKind.CHARGE]
    assert outcome.effects[-1].amount == Money.of("50")
    assert outcome.effects[-1].detail == "charge the late-registration fee: 50.00 USD"


def test_a_registration_in_time_or_under_current_has_no_late_decision_at_all_R28() -> None:
    on_time = Journey.new(policy=_late_policy(), prices=_prices()).apply(
        Register(registration=registration(at=_registered_on(dt.date(2026, 12, 28))))
    )
    current = Journey.new(prices=_prices()).apply(
        Register(registration=registration(at=_registered_on(dt.date(2027, 1, 1))))
    )
    for outcome in (on_time, current):
        assert [d.rule_id for d in outcome.decisions] == ["R1", "R2"]
        assert [e.kind for e in outcome.effects] == [EffectKind.SEND_ACCESS]


def test_the_late_fee_condition_answers_a_cohort_as_it_answers_one_candidate_R28() -> None:
    policy, prices = _late_policy(), _prices()
    registered = [dt.date(2026, 12, 1), dt.date(2026, 12, 28), dt.date(2026, 12, 29), FIRST_DAY]
    epoch = dt.date(1970, 1, 1)
    days = np.array([(d - epoch).days for d in registered], dtype=np.int64)
    first = np.full(len(registered), (FIRST_DAY - epoch).days, dtype=np.int64)
    cohort = LateRegistrationCase(policy=policy, prices=prices, day=days, first=first)
    mask = registered_late(ARRAY, cohort)
    one_by_one = [
        registered_late(
            SCALAR, LateRegistrationCase(policy=policy, prices=prices, day=d, first=FIRST_DAY)
        )
        for d in registered
    ]
    assert list(mask) == one_by_one == [False, False, True, True]
    rows, verdicts = answer_codes(ARRAY, LATE_REGISTRATION_FEE, cohort)
    assert list(rows) == [-1, -1, 0, 0]
    assert list(verdicts) == [-1, -1, 0, 0]
    assert [rule for rule, _ in LATE_REGISTRATION_FEE] == ["R28"]
    assert LATE_REGISTRATION_FEE[0][1].fees == ("late_registration_fee",)
    out_of_force = cohort._replace(prices=load_prices())
    assert registered_late(ARRAY, out_of_force) is False


@pytest.mark.parametrize("value", [-1, 366, "14", 1.5, True])
def test_the_late_registration_days_are_a_whole_number_from_0_to_365_R28(value: object) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(overrides={"registration.late_registration_within_days": value})
    assert str(caught.value).endswith("expected a whole number from 0 to 365")
    assert "registration.late_registration_within_days" in str(caught.value)


def test_a_price_file_refuses_a_negative_late_fee_naming_it_R28() -> None:
    with pytest.raises(PolicyError, match=r"^p\.toml: late_registration_fee = '-5' is not valid"):
        PriceSchedule.from_toml(
            'extends = "shipped"\nlate_registration_fee = "-5"\n', source="p.toml"
        )


def test_the_example_files_diff_against_current_moves_only_the_late_registration_R28() -> None:
    practicum = JANUARY
    cohort = (
        Candidate(
            id="late", registered_at=_registered_on(dt.date(2027, 1, 1)), practicum=practicum
        ),
        Candidate(
            id="on time", registered_at=_registered_on(dt.date(2026, 12, 28)), practicum=practicum
        ),
        Candidate(
            id="early", registered_at=_registered_on(dt.date(2026, 11, 2)), practicum=practicum
        ),
    )
    diff = diff_policies(
        cohort,
        base="current",
        candidate=EXAMPLE_POLICY,
        candidate_prices=EXAMPLE_PRICES,
        workers=1,
    )
    (moved,) = diff.answers
    assert (moved.answer, moved.changed, moved.rule_ids) == ("registration", 1, ("R28",))
    assert moved.examples == (("late", "absent", "fee 50.00 USD (R28)"),)
    assert dict(diff.rules) == {"R28": 1}
    assert [(f.key, f.base, f.candidate) for f in diff.figures] == [
        ("registration.late_registration_within_days", "0", "14"),
        ("prices.late_registration_fee", "0.00 USD", "50.00 USD"),
    ]
    assert diff.unobserved() == ()
    # The example policy alone, with the shipped prices (a zero fee), moves nothing.
    alone = diff_policies(cohort, base="current", candidate=EXAMPLE_POLICY, workers=1)
    assert alone.answers == ()


def test_current_and_legacy_answer_alike_with_or_without_a_late_fee_in_the_prices_R28() -> None:
    cohort = (
        Candidate(id="late", registered_at=_registered_on(dt.date(2027, 1, 1)), practicum=JANUARY),
    )
    for name in ("current", "legacy"):
        diff = diff_policies(
            cohort, base=name, candidate=name, candidate_prices=_prices(), workers=1
        )
        assert diff.answers == ()


def test_rules_shows_the_late_fee_in_words_under_the_example_files_R28() -> None:
    out, err = _run(
        "rules", "--policy", str(EXAMPLE_POLICY), "--prices", str(EXAMPLE_PRICES), "--json"
    )
    assert err == ""
    r28 = {r["id"]: r for r in json.loads(out)}["R28"]
    assert r28["title"] == "Late registration"
    assert r28["statement"].startswith(
        "Registering fewer than 14 days before the practicum's first day pays the "
        "late-registration fee (50.00 USD)."
    )
    assert r28["figures"]["late-registration-fee"] == {
        "registration.late_registration_within_days": "14"
    }
    assert r28["figures"]["current"] == {"registration.late_registration_within_days": "0"}
    assert "cptm_rules.rules.registration:LATE_REGISTRATION_FEE" in r28["code"]


def test_a_late_fee_written_in_a_policy_file_points_to_the_docs_not_to_the_days_R28(
    tmp_path: Path,
) -> None:
    path = tmp_path / "p.toml"
    path.write_text(
        'extends = "current"\n[registration]\nlate_registration_fee = "50"\n', encoding="utf-8"
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert "did you mean" not in str(caught.value)
    assert str(caught.value).endswith(
        "for a late-registration fee see docs/policy.md#a-late-registration-fee"
    )


def _run(*argv: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    assert main(list(argv), out=out, err=err) == 0
    return out.getvalue(), err.getvalue()


def _docs_examples(heading: str) -> list[str]:
    """The TOML examples of one section of docs/policy.md (``{code-block} toml`` fences)."""
    text = (ROOT / "docs" / "policy.md").read_text(encoding="utf-8")
    section = text.split(f"### {heading}\n", 1)[1].split("\n### ", 1)[0]
    return re.findall(r"```\{code-block\} toml\n(.*?)```", section, re.DOTALL)


def test_the_docs_examples_of_a_late_registration_fee_load_and_charge_it_R28(
    tmp_path: Path,
) -> None:
    policy_text, prices_text = _docs_examples("A late-registration fee")
    path = tmp_path / "late.toml"
    path.write_text(policy_text, encoding="utf-8")
    policy = load_policy(path)
    prices = PriceSchedule.from_toml(prices_text)
    assert policy.late_registration_within_days == EXAMPLE_DAYS
    assert prices.late_registration_fee == Money.of("50")
    assert load_policy(EXAMPLE_POLICY).late_registration_within_days == EXAMPLE_DAYS
    assert load_prices(EXAMPLE_PRICES) == prices
    given = late_registration(policy, prices, dt.date(2027, 1, 1), FIRST_DAY)
    assert given is not None
    assert given.fee == Money.of("50")


def test_a_session_check_refuses_a_long_session_for_the_rule_that_brings_it_R2_R11() -> None:
    long = Session(first_day=dt.date(2027, 1, 11), last_day=dt.date(2027, 3, 1))
    with pytest.raises(RuleViolationError) as caught:
        check_session(load_policy(), long, "R11", event="RequestChange")
    assert caught.value.rule_id == "R11"
    assert caught.value.reason == (
        "the session 2027-01-11..2027-03-01 runs 50 days; a practicum runs at most 31 days "
        "(practicum.max_session_days)"
    )
    assert str(caught.value) == f"cannot apply RequestChange: {caught.value.reason} (R11)"
    assert (caught.value.state, caught.value.allowed) == ("", ())
    far = Session(first_day=dt.date(2041, 1, 7), last_day=dt.date(2041, 1, 10))
    with pytest.raises(CalendarRangeError):
        check_session(load_policy(), far, "R2")
    check_session(load_policy(), JANUARY, "R2")  # a practicum-length session in range passes


@pytest.mark.parametrize(
    ("first_day", "last_day", "field"),
    [
        (dt.date(2041, 1, 7), dt.date(2041, 1, 10), "first_day"),
        (dt.date(2040, 12, 28), dt.date(2041, 1, 2), "last_day"),
    ],
)
def test_a_session_outside_the_calendar_is_refused_naming_the_day_that_is_R2(
    first_day: dt.date, last_day: dt.date, field: str
) -> None:
    from cptm_rules.events import Session  # noqa: PLC0415
    from cptm_rules.exceptions import CalendarRangeError  # noqa: PLC0415
    from cptm_rules.policy import load_policy  # noqa: PLC0415
    from cptm_rules.rules.registration import check_session  # noqa: PLC0415

    session = Session(first_day=first_day, last_day=last_day)
    with pytest.raises(CalendarRangeError) as caught:
        check_session(load_policy(), session, "R2")
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}=")
