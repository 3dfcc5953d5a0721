"""Refund tiers: R24's early-cancellation refund as an ordered table read from the policy."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cptm_rules.array_ops import ARRAY, EPOCH
from cptm_rules.catalogue import RULES
from cptm_rules.cli import main
from cptm_rules.cohort import Candidate, diff_policies
from cptm_rules.events import Cancel, OpenElearning, RecordAttendance, ReEnroll, Session
from cptm_rules.exceptions import CptmRulesError, PolicyError, RuleViolationError
from cptm_rules.formulas import SCALAR
from cptm_rules.lifecycle import Journey
from cptm_rules.money import Money, UnknownAmount
from cptm_rules.policy import Policy, load_policy
from cptm_rules.pricing import load_prices
from cptm_rules.rule_coverage import figure_changes
from cptm_rules.rules.cancellation import (
    NEVER,
    NOT_STATED,
    CancelCase,
    RefundTier,
    RefundTiers,
    check_refund_tiers,
    refund_amounts,
    refund_due,
    refund_tier,
    refund_tiers_of,
)
from cptm_rules.serialization import from_json, to_json
from cptm_rules.vocabulary import EffectKind, State
from errors import raises_exactly
from journeys import JANUARY, REGISTERED_AT, day, in_prework, registered
from test_batch import agrees_with_the_journeys, candidates_who_may_cancel

if TYPE_CHECKING:
    from cptm_rules.outcomes import Decision

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "scenarios" / "policies" / "refund-tiers.toml"
CURRENT, LEGACY = load_policy("current"), load_policy("legacy")
TIERED = load_policy(EXAMPLE)
PRICES = attrs.evolve(load_prices(), program_price=Money.of("2495"))
TERMS_TIER = RefundTier(
    counted_from="registration", days=5, refund="full_less_admin", before_elearning=True
)


def tiered(*tiers: dict[str, object]) -> Policy:
    return CURRENT.with_overrides({"cancellation.refund_tiers": list(tiers)})


def cancelled_on(
    on: str, *, policy: Policy = TIERED, prices: object = PRICES, opened: str | None = None
) -> tuple[Decision, ...]:
    journey = in_prework(policy=policy, prices=prices)
    if opened is not None:
        journey = journey.then(OpenElearning(on=day(opened)))
    return journey.apply(Cancel(on=day(on))).decisions


def verdicts(decisions: tuple[Decision, ...]) -> list[str]:
    return [f"{d.rule_id} {d.verdict}" for d in decisions]


# -- reading the tiers ----------------------------------------------------------------


def test_a_policy_without_refund_tiers_has_the_terms_one_window_R24() -> None:
    for policy in (CURRENT, LEGACY):
        assert policy.refund_tiers == NOT_STATED
        assert refund_tiers_of(policy) == (TERMS_TIER,)
    shorter = CURRENT.with_overrides({"cancellation.early_cancellation_days": 3})
    assert refund_tiers_of(shorter) == (attrs.evolve(TERMS_TIER, days=3),)
    assert CURRENT.figure_text("refund_tiers") == "not stated (the early_cancellation_days window)"


def test_a_full_user_file_written_before_refund_tiers_still_reads_R24(tmp_path: Path) -> None:
    text = resources.files("cptm_rules.policies").joinpath("current.toml").read_text("utf-8")
    assert not re.search(r"^refund_tiers\s*=", text, re.MULTILINE)  # as a user's copy
    path = tmp_path / "ours.toml"
    path.write_text(text.replace('name = "current"', 'name = "ours"'), encoding="utf-8")
    ours = load_policy(path)
    assert ours.refund_tiers == NOT_STATED
    assert refund_tiers_of(ours) == (TERMS_TIER,)


def test_the_example_file_states_three_tiers_counted_before_the_practicum_R24() -> None:
    assert refund_tiers_of(TIERED) == (
        RefundTier(counted_from="practicum", days=31, refund="full_less_admin"),
        RefundTier(counted_from="practicum", days=14, refund="50%"),
        RefundTier(counted_from="practicum", days=1, refund="none"),
    )
    assert str(TIERED.source_of("refund_tiers")) == (
        'cancellation.refund_tiers = [{ before_practicum_days = 31, refund = "full_less_admin" }, '
        '{ before_practicum_days = 14, refund = "50%" }, '
        '{ before_practicum_days = 1, refund = "none" }] '
        "(R24; example proposal: refund tiers counted before the practicum)"
    )


def test_tiers_counted_from_registration_and_the_elearning_condition_read_as_written_R24() -> None:
    policy = tiered(
        {"within_days_of_registration": 5, "before_elearning": True, "refund": "full"},
        {"within_days_of_registration": 5, "refund": "full_less_admin"},
        {"before_practicum_days": 31, "refund": "12.5%"},
    )
    first, second, third = refund_tiers_of(policy)
    assert (first.counted_from, first.before_elearning, first.percent) == (
        "registration",
        True,
        None,
    )
    assert (second.before_elearning, str(second)) == (
        False,
        '{ within_days_of_registration = 5, refund = "full_less_admin" }',
    )
    assert third.percent == Decimal("12.5")
    assert str(first) == (
        '{ within_days_of_registration = 5, before_elearning = true, refund = "full" }'
    )


_SOURCE = "<overrides>: cancellation.refund_tiers = "
_TABLE = 'an inline table such as { before_practicum_days = 14, refund = "50%" }'
_REFUNDS = (
    'refund one of "full", "full_less_admin", "none" or a percentage above 0 and below 100 '
    'with at most 2 decimals such as "50%"'
)
_KEYS = "within_days_of_registration, before_practicum_days, before_elearning, refund"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "30 days",
            (
                "a list of 1 to 20 tiers such as [{ before_practicum_days = 31, refund = "
                '"full_less_admin" }, { before_practicum_days = 14, refund = "50%" }]'
            ),
        ),
        ([], "a list of 1 to 20 tiers such as"),
        ([{"before_practicum_days": 30, "refund": "full"}] * 21, "a list of 1 to 20 tiers"),
        (["full"], f"tier 1: {_TABLE}, not 'full'"),
        (
            [{"before_practicum_days": 30, "refund": "full", "days": 3}],
            f"tier 1: the keys {_KEYS}; 'days' is not one",
        ),
        (
            [{"refund": "full"}],
            "tier 1: exactly one of within_days_of_registration, before_practicum_days",
        ),
        (
            [{"before_practicum_days": 30, "within_days_of_registration": 5, "refund": "full"}],
            "tier 1: exactly one of within_days_of_registration, before_practicum_days",
        ),
        (
            [{"before_practicum_days": "30", "refund": "full"}],
            "tier 1: before_practicum_days a whole number from 1 to 3,650, not '30'",
        ),
        (
            [{"before_practicum_days": 0, "refund": "full"}],
            "tier 1: before_practicum_days a whole number from 1 to 3,650, not 0",
        ),
        (
            [{"within_days_of_registration": True, "refund": "full"}],
            "tier 1: within_days_of_registration a whole number from 0 to 3,650, not True",
        ),
        (
            [{"within_days_of_registration": 5.0, "refund": "full"}],
            "tier 1: within_days_of_registration a whole number from 0 to 3,650, not 5.0",
        ),
        (
            [
                {"before_practicum_days": 30, "refund": "full"},
                {"before_practicum_days": 14, "refund": "half"},
            ],
            f"tier 2: {_REFUNDS}, not 'half'",
        ),
        ([{"before_practicum_days": 30}], f"tier 1: {_REFUNDS}, not None"),
        ([{"before_practicum_days": 30, "refund": 50}], f"tier 1: {_REFUNDS}, not 50"),
        ([{"before_practicum_days": 30, "refund": "0%"}], f"tier 1: {_REFUNDS}, not '0%'"),
        ([{"before_practicum_days": 30, "refund": "100%"}], f"tier 1: {_REFUNDS}, not '100%'"),
        (
            [{"before_practicum_days": 30, "refund": "33.333%"}],
            f"tier 1: {_REFUNDS}, not '33.333%'",
        ),
        (
            [{"before_practicum_days": 30, "refund": "full", "before_elearning": "yes"}],
            "tier 1: before_elearning true or false, not 'yes'",
        ),
    ],
)
def test_a_bad_tier_is_refused_naming_the_key_the_tier_and_what_is_valid_R24(
    value: object, expected: str
) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(overrides={"cancellation.refund_tiers": value})
    message = str(caught.value)
    assert message.startswith(_SOURCE)
    assert f"is not valid: expected {expected}" in message
    assert "\n" not in message


def test_a_tier_that_could_never_answer_is_refused_naming_both_tiers_R24() -> None:
    nearest_first = [
        {"before_practicum_days": 14, "refund": "50%"},
        {"before_practicum_days": 31, "refund": "full_less_admin"},
    ]
    raises_exactly(
        "load_policy(overrides={'cancellation.refund_tiers': tiers})",
        {"load_policy": load_policy, "tiers": nearest_first},
        PolicyError,
        "<overrides>: cancellation.refund_tiers = [{'before_practicum_days': 14, 'refund': "
        "'50%'}, {'before_p\u2026 is not valid: "  # the value is cut (shown())
        "expected tiers in order, none hidden by one before it: tier 2 "
        '({ before_practicum_days = 31, refund = "full_less_admin" }) can never answer, '
        'tier 1 ({ before_practicum_days = 14, refund = "50%" }) answers its cancellations '
        "first; list the windows before the practicum farthest first and the windows "
        "after registering shortest first",
    )
    for hidden in (
        [
            {"within_days_of_registration": 10, "refund": "50%"},
            {"within_days_of_registration": 5, "refund": "full"},
        ],
        [
            {"before_practicum_days": 30, "refund": "full"},
            {"before_practicum_days": 30, "refund": "50%", "before_elearning": True},
        ],
    ):
        with pytest.raises(PolicyError, match=r"tier 2 \(.*\) can never answer, tier 1"):
            load_policy(overrides={"cancellation.refund_tiers": hidden})


def test_a_stricter_tier_first_and_tiers_counted_from_two_days_may_share_a_list_R24() -> None:
    policy = tiered(
        {"within_days_of_registration": 5, "before_elearning": True, "refund": "full"},
        {"within_days_of_registration": 5, "refund": "full_less_admin"},
        {"before_practicum_days": 31, "refund": "full_less_admin"},  # the order decides
    )
    assert len(refund_tiers_of(policy)) == 3


def test_a_bad_tier_in_a_file_names_the_file_and_never_its_other_contents_R24(
    tmp_path: Path,
) -> None:
    path = tmp_path / "proposal.toml"
    path.write_text(
        'extends = "current"\n[cancellation]\nrefund_tiers = [\n'
        '  { before_practicum_days = 31, refund = "full_less_admin" },\n'
        '  { before_practicum_days = 14, refund = "fifty percent of board-only 8712" },\n]\n',
        encoding="utf-8",
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: cancellation.refund_tiers = [")
    assert message.endswith(f"tier 2: {_REFUNDS}, not 'fifty percent of board-only 8712'")
    assert len(message) < 600  # the value shown is cut (shown()), never the whole file


def test_a_key_near_refund_tiers_is_pointed_to_it_R24() -> None:
    with pytest.raises(
        PolicyError, match=r"did you mean cancellation\.refund_tiers \(under \[cancellation\]"
    ):
        load_policy(overrides={"cancellation.refund_tier": []})
    with pytest.raises(PolicyError) as caught:
        load_policy(overrides={"cancellation.refund_schedule": []})
    assert str(caught.value).endswith("for refund tiers see docs/policy.md#refund-tiers")


def test_the_check_passes_a_policys_own_tiers_and_checks_decoded_ones_again_R24() -> None:
    assert check_refund_tiers(TIERED.refund_tiers) is TIERED.refund_tiers
    assert check_refund_tiers(NOT_STATED) is NOT_STATED
    odd = RefundTiers((RefundTier(counted_from="exam", days=3, refund="full"),))
    with pytest.raises(PolicyError, match=r"tier 1: the keys .*; \"counted_from 'exam'\" is not"):
        attrs.evolve(CURRENT, refund_tiers=odd)


# -- answering a cancellation -----------------------------------------------------------


def test_each_tier_refunds_its_share_and_a_refund_leaves_no_credit_R24_R25() -> None:
    for on, refund in (
        ("2026-11-05", "2395"),  # 67 days before the practicum's first day, 2027-01-11
        ("2026-12-11", "2395"),  # 31 days before: the first tier's last day
        ("2026-12-12", "1247.50"),  # 30 days before: half
        ("2026-12-28", "1247.50"),  # 14 days before: the second tier's last day
    ):
        journey = in_prework(policy=TIERED, prices=PRICES)
        outcome = journey.apply(Cancel(on=day(on)))
        (refunded,) = outcome.decisions
        assert (refunded.verdict, refunded.refund) == ("refund", Money.of(refund)), on
        assert outcome.journey.credit_until is None
        assert [e.kind for e in outcome.effects] == [EffectKind.REFUND]
        assert outcome.effects[0].amount == Money.of(refund)
        with pytest.raises(RuleViolationError, match="left no tuition credit"):
            outcome.journey.apply(ReEnroll(on=day("2027-01-04"), session=JANUARY))


def test_a_tier_refunding_nothing_keeps_the_tuition_credit_R24_R25() -> None:
    outcome = in_prework(policy=TIERED, prices=PRICES).apply(Cancel(on=day("2026-12-29")))
    nothing, credit = outcome.decisions
    assert (nothing.rule_id, nothing.verdict, nothing.refund, nothing.fee) == (
        "R24",
        "refund",
        Money.zero(),
        None,
    )
    assert nothing.reason == (
        "cancelled in writing on 2026-12-29, 13 days before the practicum's first day "
        "2027-01-11 (tier 3: 1 or more days before): this tier refunds nothing; the "
        "tuition credit of R25 remains"
    )
    assert nothing.alternatives == ()
    assert (credit.rule_id, credit.verdict) == ("R25", "credit")
    assert outcome.effects == ()  # nothing to pay back
    assert outcome.journey.credit_until == day("2027-12-29")


def test_the_decision_cites_the_tier_its_window_and_the_dates_R24() -> None:
    (half,) = cancelled_on("2026-12-12", opened="2026-11-03")
    assert half.reason == (
        "cancelled in writing on 2026-12-12, 30 days before the practicum's first day "
        "2027-01-11 (tier 2: 14 or more days before): 50% of the program price is refunded"
    )
    assert half.figures == (
        ("cancellation.refund_tiers", 'tier 2: { before_practicum_days = 14, refund = "50%" }'),
    )
    assert half.dates == (
        ("registered", day("2026-11-02")),
        ("cancelled", day("2026-12-12")),
        ("practicum's first day", day("2027-01-11")),
        ("last day of tier 2", day("2026-12-28")),
        ("eLearning first opened", day("2026-11-03")),
    )
    assert half.fee is None
    assert half.alternatives == ("R25 tuition credit: the tuition is refunded instead",)
    (full,) = cancelled_on("2026-12-11")
    assert full.fee == Money.of("100")
    assert "(tier 1: 31 or more days before): full refund less the administrative fee" in (
        full.reason
    )


def test_a_percentage_is_exact_money_rounded_half_up_to_the_cent_R24() -> None:
    policy = tiered({"before_practicum_days": 1, "refund": "1.5%"})
    (refunded,) = cancelled_on("2026-12-01", policy=policy)
    assert refunded.refund == Money.of("37.43")  # 2495 x 1.5% = 37.425, half up
    assert isinstance(refunded.refund, Money)
    assert refunded.refund.amount == Decimal("37.43")
    third = tiered({"before_practicum_days": 1, "refund": "33.33%"})
    (refunded,) = cancelled_on("2026-12-01", policy=third)
    assert refunded.refund == Money.of("831.58")  # 831.5835


def test_a_refund_never_exceeds_the_price_and_names_an_unknown_one_R24_R22() -> None:
    full = tiered({"before_practicum_days": 1, "refund": "full"})
    (refunded,) = cancelled_on("2026-12-01", policy=full)
    assert refunded.refund == PRICES.program_price
    assert refunded.reason.endswith("(tier 1: 1 or more days before): full refund")
    shipped = load_prices()  # no program price: an unknown refund, never a number
    for refund in ("full", "99.99%", "full_less_admin"):
        policy = tiered({"before_practicum_days": 1, "refund": refund})
        (refunded,) = cancelled_on("2026-12-01", policy=policy, prices=shipped)
        assert refunded.refund == UnknownAmount(item="program_price"), refund
    unknown_fee = attrs.evolve(PRICES, administrative_fee=UnknownAmount(item="administrative_fee"))
    (refunded,) = cancelled_on("2026-12-01", policy=TIERED, prices=unknown_fee)
    assert refunded.refund == UnknownAmount(item="administrative_fee")
    nothing, _credit = cancelled_on("2027-01-05", policy=TIERED, prices=shipped)
    assert nothing.refund == Money.zero()  # nothing is known without a price


def test_what_no_tier_answers_is_not_covered_and_leaves_the_credit_R24_R25() -> None:
    policy = tiered({"within_days_of_registration": 5, "refund": "50%"})
    not_covered, credit = cancelled_on("2026-11-08", policy=policy)
    assert (not_covered.verdict, not_covered.refund) == ("not_covered", None)
    assert not_covered.reason == (
        "no refund rule applies: cancelled on day 6 after registering, 64 days before the "
        "practicum's first day 2027-01-11, in none of the policy's tiers; the refund tiers "
        "settle only cancellations within 5 days of registering, so this refund is not covered"
    )
    assert not_covered.figures == (
        (
            "cancellation.refund_tiers",
            '[{ within_days_of_registration = 5, refund = "50%" }]',
        ),
    )
    assert credit.verdict == "credit"
    (half,) = cancelled_on("2026-11-07", policy=policy, opened="2026-11-03")
    assert half.reason == (
        "cancelled in writing on day 5 after registering (within 5) (tier 1): "
        "50% of the program price is refunded"
    )


def test_an_absence_with_notice_is_in_no_tier_counted_before_the_practicum_R24_R25() -> None:
    journey = in_prework(policy=TIERED, prices=PRICES).then(OpenElearning(on=day("2026-11-03")))
    outcome = journey.apply(RecordAttendance(attendance="absent_with_notice", on=day("2027-01-12")))
    not_covered, credit = outcome.decisions
    assert not_covered.verdict == "not_covered"
    assert not_covered.reason.startswith(
        "no refund rule applies: cancelled on day 71 after registering, on or after the "
        "practicum's first day 2027-01-11, the eLearning opened on 2026-11-03, in none of "
        "the policy's tiers; the refund tiers settle only cancellations 31 or more days "
        "before the practicum's first day; or 14 or more days"
    )
    assert credit.verdict == "credit"
    assert outcome.journey.state is State.CANCELLED
    # On the first day itself: "on or after" it, never "0 days before".
    first = journey.apply(RecordAttendance(attendance="absent_with_notice", on=day("2027-01-11")))
    assert "on or after the practicum's first day 2027-01-11" in first.decisions[0].reason
    assert "0 days before" not in first.decisions[0].reason


def test_the_terms_window_written_as_a_tier_answers_as_the_terms_do_R24() -> None:
    written = tiered(
        {"within_days_of_registration": 5, "before_elearning": True, "refund": "full_less_admin"}
    )
    for on, opened in (("2026-11-07", None), ("2026-11-08", None), ("2026-11-05", "2026-11-04")):
        terms = cancelled_on(on, policy=CURRENT, opened=opened)
        as_tier = cancelled_on(on, policy=written, opened=opened)
        assert verdicts(terms) == verdicts(as_tier)
        assert [d.refund for d in terms] == [d.refund for d in as_tier]


def test_the_current_policys_refund_decision_is_worded_as_before_R24() -> None:
    (refunded,) = cancelled_on("2026-11-07", policy=CURRENT)
    assert refunded.reason == (
        "cancelled in writing on day 5 after registering (within 5) and before the "
        "eLearning was opened: full refund less the administrative fee 100.00 USD"
    )
    assert refunded.figures == (("cancellation.early_cancellation_days", "5"),)
    assert refunded.dates == (("registered", day("2026-11-02")), ("cancelled", day("2026-11-07")))


# -- the rule's words -----------------------------------------------------------------


def test_the_statement_lists_the_tiers_under_a_policy_that_has_them_R24() -> None:
    assert RULES["R24"].statement_under(TIERED, PRICES) == (
        "A written cancellation is answered by the first of the policy's refund tiers whose "
        "window holds: (1) 31 or more days before the practicum's first day: refunded in full "
        "less the administrative fee (100.00 USD); (2) 14 or more days before the "
        "practicum's first day: refunded 50% of the program price; (3) 1 or more days before "
        "the practicum's first day: not refunded. A tier that pays money back, in full or in "
        "part, settles the cancellation and leaves no tuition credit; one that refunds "
        "nothing leaves the tuition credit of R25. The tiers settle no other cancellation: "
        "the engine answers 'not covered' instead of guessing."
    )
    both = tiered(
        {"within_days_of_registration": 3, "before_elearning": True, "refund": "full"},
    )
    assert (
        "(1) within 3 days of registering, before the eLearning was first opened: refunded in full."
    ) in RULES["R24"].statement_under(both)
    assert RULES["R24"].statement == (
        "A written cancellation within 5 days of registering, before the eLearning was first "
        "opened, is refunded in full less the administrative fee (100.00 USD). The terms "
        "settle no other cancellation: the engine answers 'not covered' instead of guessing."
    )


def test_cptm_rules_rules_shows_the_tiers_of_a_policy_file_R24(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["rules", "--policy", str(EXAMPLE), "--json"]) == 0
    (r24,) = [r for r in json.loads(capsys.readouterr().out) if r["id"] == "R24"]
    assert "(2) 14 or more days before the practicum's first day" in r24["statement"]
    assert r24["statements"]["current"].startswith("A written cancellation within 5 days")
    assert r24["figures"]["refund-tiers"]["cancellation.refund_tiers"].startswith(
        '[{ before_practicum_days = 31, refund = "full_less_admin" }'
    )


# -- one definition, two engines ------------------------------------------------------


def test_the_tier_formula_answers_arrays_as_it_answers_one_candidate_R24() -> None:
    policy = tiered(
        {"within_days_of_registration": 2, "before_elearning": True, "refund": "full"},
        {"before_practicum_days": 31, "refund": "full_less_admin"},
        {"before_practicum_days": 14, "refund": "50%"},
        {"before_practicum_days": 7, "refund": "none"},
    )
    registered_on, first = day("2026-11-02"), day("2027-01-11")
    days = [registered_on + dt.timedelta(days=n) for n in range(-1, 75)]
    for opened in (NEVER, day("2026-11-03")):
        scalar = [
            (
                refund_tier(SCALAR, CancelCase(policy, on, first, registered_on, opened)),
                refund_due(SCALAR, CancelCase(policy, on, first, registered_on, opened)),
            )
            for on in days
        ]
        ordinal = np.array([d.toordinal() - EPOCH for d in days], dtype=np.int64)
        n = len(days)
        case = CancelCase(
            policy,
            ordinal,
            np.full(n, first.toordinal() - EPOCH),
            np.full(n, registered_on.toordinal() - EPOCH),
            np.full(n, (1 << 40) if opened == NEVER else opened.toordinal() - EPOCH),
        )
        rows, due = refund_tier(ARRAY, case), refund_due(ARRAY, case)
        assert [(int(r), bool(d)) for r, d in zip(rows, due, strict=True)] == scalar
    assert {tier for tier, _due in scalar} == {0, 1, 2, 3, -1}  # every tier, and none


_TIERED_POLICIES = (
    TIERED,
    tiered(
        {"within_days_of_registration": 5, "refund": "50%"},
        {"before_practicum_days": 40, "refund": "none"},
    ),
    tiered(
        {"within_days_of_registration": 3, "before_elearning": True, "refund": "full"},
        {"before_practicum_days": 10, "refund": "25%"},
    ),
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    cohort=st.lists(candidates_who_may_cancel(0), min_size=1, max_size=12).map(
        lambda drawn: tuple(attrs.evolve(c, id=f"g{i}") for i, c in enumerate(drawn))
    ),
    policy=st.sampled_from(_TIERED_POLICIES),
)
def test_the_batch_path_answers_tiered_cancellations_as_the_journeys_do_R24_R25(
    cohort: tuple[Candidate, ...], policy: Policy
) -> None:
    agrees_with_the_journeys(cohort, policy, PRICES)


# -- a proposal as a file, against the current policy ---------------------------------


def _canceller(n: int, cancelled: str, re_enrol: str | None = None) -> Candidate:
    session = Session(first_day=day("2027-03-01"), last_day=day("2027-03-04"))
    return Candidate(
        id=f"c{n}",
        registered_at=REGISTERED_AT,
        practicum=JANUARY,
        cancelled_on=day(cancelled),
        re_enrolment=None if re_enrol is None else (day(re_enrol), session),
    )


def test_a_diff_of_the_example_against_current_moves_the_expected_refunds_R24_R25() -> None:
    cohort = (
        _canceller(1, "2026-11-04"),  # day 2: refunded under both, the same amount
        _canceller(2, "2026-11-20"),  # 52 days before: not covered -> full less the fee
        _canceller(3, "2026-12-20"),  # 22 days before: not covered -> half
        _canceller(4, "2027-01-05"),  # 6 days before: not covered -> nothing, credit kept
        _canceller(5, "2026-12-20", "2027-01-20"),  # half now leaves no credit to re-enrol
    )
    diff = diff_policies(
        cohort, base="current", candidate=EXAMPLE, prices=PRICES, workers=1, examples=5
    )
    (change,) = diff.figures
    assert (change.key, change.rule_ids) == ("cancellation.refund_tiers", ("R24", "R25"))
    moved = {a.answer: a.examples for a in diff.answers}
    assert moved["cancellation"] == (
        ("c2", "not_covered (R24)", "refund 2395.00 USD, fee 100.00 USD (R24)"),
        ("c3", "not_covered (R24)", "refund 1247.50 USD (R24)"),
        ("c4", "not_covered (R24)", "refund 0.00 USD (R24)"),
        ("c5", "not_covered (R24)", "refund 1247.50 USD (R24)"),
    )
    # A refund settles the cancellation: the credit goes; nothing refunded keeps it (c4).
    assert moved["cancellation (2)"] == (
        ("c2", "credit (R25)", "absent"),
        ("c3", "credit (R25)", "absent"),
        ("c5", "credit (R25)", "absent"),
    )
    assert moved["re-enrolment"] == (("c5", "re_enrolled (R25)", "refused (R25)"),)
    assert diff.unobserved() == ()


def test_current_and_legacy_answer_a_cancelling_cohort_the_same_as_before_R24() -> None:
    cohort = tuple(
        _canceller(n, on) for n, on in enumerate(("2026-11-04", "2026-11-08", "2027-01-05"))
    )
    same = diff_policies(cohort, base="current", candidate=CURRENT, prices=PRICES, workers=1)
    assert same.answers == ()
    assert figure_changes(CURRENT, LEGACY, PRICES, PRICES)  # legacy differs elsewhere...
    assert "cancellation.refund_tiers" not in {
        c.key for c in figure_changes(CURRENT, LEGACY, PRICES, PRICES)
    }  # ...never in its refund


# -- saved journeys -------------------------------------------------------------------


def test_a_journey_under_refund_tiers_saves_and_reads_back_with_its_tiers_R24() -> None:
    journey = registered(policy=TIERED, prices=PRICES).then(Cancel(on=day("2026-12-12")))
    text = to_json(journey)
    again = from_json(text, Journey)
    assert again == journey
    assert again.policy.refund_tiers == TIERED.refund_tiers
    document = json.loads(text)
    tiers = document["data"]["policy"]["refund_tiers"]["tiers"]
    assert tiers[1] == {
        "counted_from": "practicum",
        "days": 14,
        "refund": "50%",
        "before_elearning": False,
    }
    tiers[1]["refund"] = "half"
    with pytest.raises(CptmRulesError, match=r"tier 2: refund one of"):
        from_json(json.dumps(document), Journey)


def test_the_docs_example_is_the_example_file_R24(tmp_path: Path) -> None:
    page = (ROOT / "docs" / "policy.md").read_text(encoding="utf-8")
    section = page.split("### Refund tiers", 1)[1].split("\n### ", 1)[0]
    (body,) = re.findall(r"```\{code-block\} toml\n(.*?)```", section, re.DOTALL)
    path = tmp_path / "from-the-docs.toml"
    path.write_text(body, encoding="utf-8")
    assert load_policy(path).refund_tiers == TIERED.refund_tiers


def test_a_refunds_amounts_read_back_from_their_numbers_are_the_tiers_amounts_R24() -> None:
    shipped = load_prices()  # the price unknown, the administrative fee known
    assert isinstance(shipped.program_price, UnknownAmount)
    usd = shipped.currency
    # Both numbers known: both amounts, in the schedule's currency.
    assert refund_amounts(shipped, Decimal(400), Decimal(100)) == (
        Money(amount=Decimal(400), currency=usd),
        Money(amount=Decimal(100), currency=usd),
    )
    # No refund number: the price is what the schedule leaves unknown; no fee kept.
    assert refund_amounts(shipped, None, None) == (shipped.program_price, None)
    assert refund_amounts(shipped, None, Decimal(100)) == (
        shipped.program_price,
        Money(amount=Decimal(100), currency=usd),
    )
    # Every figure known yet no refund number: the numbers do not say what it was.
    known = attrs.evolve(shipped, program_price=Money(amount=Decimal(2495), currency=usd))
    assert refund_amounts(known, None, None) is None
    # The administrative fee unknown: a tier that keeps it and one that does not read
    # alike when neither has a fee number.
    no_admin = attrs.evolve(known, administrative_fee=shipped.program_price)
    assert refund_amounts(no_admin, Decimal(2495), None) is None


# -- the tiers' bounds and wording at their edges (mutation survivors) ----------


def test_a_policy_may_list_twenty_tiers_and_a_window_of_ten_years_R24() -> None:
    twenty = tiered(*({"before_practicum_days": 60 - n, "refund": "none"} for n in range(20)))
    assert len(twenty.refund_tiers.tiers) == 20
    decade = tiered(
        {"within_days_of_registration": 3650, "refund": "50%"},
        {"before_practicum_days": 3650, "refund": "none"},
    )
    assert [t.days for t in decade.refund_tiers.tiers] == [3650, 3650]


def test_a_tier_counted_from_registration_as_long_as_one_before_it_is_hidden_R24() -> None:
    with pytest.raises(PolicyError, match=r"tier 2 \(.*\) can never answer, tier 1"):
        tiered(
            {"within_days_of_registration": 5, "refund": "50%"},
            {"within_days_of_registration": 5, "refund": "none"},
        )


def test_a_cancellation_the_day_before_the_practicum_says_one_day_before_R24() -> None:
    policy = tiered({"within_days_of_registration": 5, "refund": "50%"})
    not_covered, _credit = cancelled_on("2027-01-10", policy=policy)
    assert not_covered.verdict == "not_covered"
    assert "1 day before the practicum's first day 2027-01-11" in not_covered.reason


def test_the_refund_rule_states_the_fee_of_the_prices_given_with_or_without_tiers_R24() -> None:
    dearer = attrs.evolve(PRICES, administrative_fee=Money.of("120"))
    plain = RULES["R24"].statement_under(CURRENT, dearer)
    assert "less the administrative fee (120.00 USD)" in plain
    assert RULES["R24"].statement_under(CURRENT) == RULES["R24"].statement_under(
        CURRENT, load_prices()
    )
    tiers = RULES["R24"].statement_under(TIERED, dearer)
    assert "(1) 31 or more days before the practicum's first day: " in tiers
    assert "120.00 USD" in tiers


def test_the_refund_rule_without_tiers_states_the_policys_own_window_R24() -> None:
    longer = CURRENT.with_overrides({"cancellation.early_cancellation_days": 10})
    statement = RULES["R24"].statement_under(longer)
    assert "within 10 days of registering" in statement
    assert "within 5 days" not in statement
    assert "within 5 days of registering" in RULES["R24"].statement_under(CURRENT)


def test_a_refunds_amounts_read_back_from_numbers_are_in_the_schedules_currency_R24() -> None:
    from cptm_rules.pricing import PriceSchedule  # noqa: PLC0415
    from cptm_rules.rules.cancellation import refund_amounts  # noqa: PLC0415

    euros = PriceSchedule.from_toml(
        'extends = "shipped"\ncurrency = "EUR"\nprogram_price = "2000"\n'
    )
    assert refund_amounts(euros, Decimal(1900), Decimal(100)) == (
        Money(amount=Decimal(1900), currency="EUR"),
        Money(amount=Decimal(100), currency="EUR"),
    )
