"""The exam family's retake fee (R15): attempts beyond those the price includes pay it."""

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
from cptm_rules.events import AttemptExam
from cptm_rules.exceptions import PolicyError, RuleViolationError
from cptm_rules.formulas import SCALAR, answer_codes
from cptm_rules.money import Money, UnknownAmount
from cptm_rules.policy import Policy, load_policy
from cptm_rules.pricing import PriceSchedule, load_prices
from cptm_rules.rules.exam import (
    RETAKE_FEE,
    AttemptCase,
    beyond_the_included_attempts,
    retake_fee_in_force,
)
from cptm_rules.vocabulary import EffectKind, State
from journeys import JANUARY, NY, attended, day

ROOT = Path(__file__).resolve().parents[1]
TWO_ATTEMPTS = ROOT / "scenarios" / "policies" / "two-attempts.toml"
RETAKE_PRICES = ROOT / "scenarios" / "prices" / "retake-fee.toml"
FAIL = AttemptExam(on=day("2027-02-01"), passed=False)
PASS = AttemptExam(on=day("2027-03-01"), passed=True)


def _policy(included: int | str = 1, cap: int | str = "unlimited") -> Policy:
    return load_policy().with_overrides(
        {"exam.attempts_included": included, "exam.max_exam_attempts": cap}
    )


def _prices(fee: str = "75") -> PriceSchedule:
    return PriceSchedule.from_toml(f'extends = "shipped"\nretake_fee = "{fee}"\n')


def test_the_shipped_policies_include_every_attempt_and_the_shipped_retake_fee_is_zero_R15() -> (
    None
):
    assert load_prices().retake_fee == Money.of("0")
    for name in ("current", "legacy"):
        policy = load_policy(name)
        assert policy.attempts_included is None
        assert policy.figures("attempts_included") == (("exam.attempts_included", "unlimited"),)
        assert not retake_fee_in_force(policy, _prices())
    source = str(load_policy().source_of("attempts_included"))
    assert source.startswith('exam.attempts_included = "unlimited" (R15; ')


def test_an_attempt_beyond_those_included_pays_the_retake_fee_last_among_its_decisions_R15() -> (
    None
):
    journey = attended(policy=_policy(), prices=_prices()).then(FAIL)
    outcome = journey.apply(PASS)
    assert outcome.journey.state is State.CERTIFIED
    assert [(d.rule_id, d.verdict) for d in outcome.decisions] == [
        ("R14", "in_window"),
        ("R16", "certified"),
        ("R17", "period_started"),
        ("R15", "fee"),
    ]
    fee = outcome.decisions[-1]
    assert fee.fee == Money.of("75")
    assert fee.figures == (("exam.attempts_included", "1"), ("exam.max_exam_attempts", "unlimited"))
    assert fee.dates == (("attempt", day("2027-03-01")),)
    assert fee.reason == (
        "attempt 2 on 2027-03-01 is a retake beyond the 1 attempt the program price "
        "includes: it pays the retake fee"
    )
    assert fee.alternatives == ("included: the program price covers attempt 1 only",)
    charge = outcome.effects[-1]
    assert (charge.kind, charge.rule_id, charge.amount) == (
        EffectKind.CHARGE,
        "R15",
        Money.of("75"),
    )
    assert charge.detail == "charge the retake fee: 75.00 USD"


def test_a_failed_retake_pays_too_and_the_words_count_several_included_attempts_R15() -> None:
    journey = attended(policy=_policy(included=2), prices=_prices()).then(FAIL, FAIL)
    outcome = journey.apply(AttemptExam(on=day("2027-03-01"), passed=False))
    assert [(d.rule_id, d.verdict) for d in outcome.decisions] == [
        ("R14", "in_window"),
        ("R15", "failed"),
        ("R15", "fee"),
    ]
    assert outcome.decisions[-1].reason == (
        "attempt 3 on 2027-03-01 is a retake beyond the 2 attempts the program price "
        "includes: it pays the retake fee"
    )
    assert outcome.decisions[-1].alternatives == (
        "included: the program price covers attempts 1 to 2 only",
    )
    assert [e.kind for e in outcome.effects] == [EffectKind.CHARGE]


def test_an_included_attempt_has_no_fee_decision_at_all_R15() -> None:
    outcome = attended(policy=_policy(), prices=_prices()).apply(FAIL)
    assert [(d.rule_id, d.verdict) for d in outcome.decisions] == [
        ("R14", "in_window"),
        ("R15", "failed"),
    ]
    assert outcome.effects == ()


@pytest.mark.parametrize(("included", "fee"), [("unlimited", "75"), (1, "0"), (1, "0.0")])
def test_every_attempt_included_or_a_zero_fee_puts_the_retake_fee_out_of_force_R15(
    included: int | str, fee: str
) -> None:
    policy, prices = _policy(included=included), _prices(fee)
    assert not retake_fee_in_force(policy, prices)
    outcome = attended(policy=policy, prices=prices).then(FAIL).apply(PASS)
    assert "fee" not in [d.verdict for d in outcome.decisions]
    assert EffectKind.CHARGE not in [e.kind for e in outcome.effects]


def test_an_unknown_retake_fee_is_charged_as_unknown_R15_R22() -> None:
    outcome = attended(policy=_policy(), prices=_prices("unknown")).then(FAIL).apply(PASS)
    assert outcome.decisions[-1].fee == UnknownAmount(item="retake_fee")
    assert outcome.effects[-1].amount is None


def test_the_cap_still_refuses_an_attempt_beyond_it_before_any_fee_R15() -> None:
    journey = attended(policy=_policy(cap=2), prices=_prices()).then(FAIL, FAIL)
    with pytest.raises(RuleViolationError, match=r"all 2 allowed attempts have been used \(R15\)"):
        journey.apply(PASS)


def test_the_retake_condition_answers_a_cohort_as_it_answers_one_candidate_R15() -> None:
    policy, prices = _policy(included=2), _prices()
    taken = [0, 1, 2, 5]
    epoch = dt.date(1970, 1, 1)
    n = len(taken)
    cohort = AttemptCase(
        policy=policy,
        on=np.full(n, (day("2027-02-01") - epoch).days),
        opens=np.full(n, (day("2027-01-14") - epoch).days),
        closes=np.full(n, (day("2027-07-14") - epoch).days),
        taken=np.array(taken, dtype=np.int64),
        completed=0,
        passed=np.zeros(n, dtype=bool),
        prices=prices,
    )
    one_by_one = [
        beyond_the_included_attempts(
            SCALAR,
            AttemptCase(
                policy=policy,
                on=day("2027-02-01"),
                opens=day("2027-01-14"),
                closes=day("2027-07-14"),
                taken=t,
                completed=0,
                passed=False,
                prices=prices,
            ),
        )
        for t in taken
    ]
    assert list(beyond_the_included_attempts(ARRAY, cohort)) == one_by_one
    assert one_by_one == [False, False, True, True]
    rows, _ = answer_codes(ARRAY, RETAKE_FEE, cohort)
    assert list(rows) == [-1, -1, 0, 0]
    assert [rule for rule, _ in RETAKE_FEE] == ["R15"]
    assert RETAKE_FEE[0][1].fees == ("retake_fee",)
    # Without prices (as the batch path builds an attempt today) no attempt pays.
    assert beyond_the_included_attempts(ARRAY, cohort._replace(prices=None)) is False


@pytest.mark.parametrize("value", [0, 1001, "all", 1.0])
def test_the_attempts_included_are_a_whole_number_or_unlimited_R15(value: object) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(overrides={"exam.attempts_included": value})
    assert str(caught.value).startswith("<overrides>: exam.attempts_included = ")
    assert str(caught.value).endswith(
        "expected a whole number from 1 to 1,000, or the string 'unlimited'"
    )


def _candidate(ident: str, attempts: tuple[tuple[dt.date, bool], ...]) -> Candidate:
    return Candidate(
        id=ident,
        registered_at=dt.datetime(2026, 11, 2, 9, 30, tzinfo=NY),
        practicum=JANUARY,
        attempts=attempts,
    )


def test_the_example_files_diff_against_current_moves_the_retake_and_the_third_attempt_R15() -> (
    None
):
    cohort = (
        _candidate("first time", ((day("2027-01-14"), True),)),
        _candidate("second time", ((day("2027-01-14"), False), (day("2027-02-01"), True))),
        _candidate(
            "third time",
            ((day("2027-01-14"), False), (day("2027-02-01"), False), (day("2027-03-01"), True)),
        ),
    )
    diff = diff_policies(
        cohort,
        base="current",
        candidate=TWO_ATTEMPTS,
        candidate_prices=RETAKE_PRICES,
        workers=1,
    )
    moved = {a.answer: a.examples for a in diff.answers}
    assert moved["exam attempt 2 (4)"] == (("second time", "absent", "fee 75.00 USD (R15)"),)
    assert moved["exam attempt 2 (3)"] == (("third time", "absent", "fee 75.00 USD (R15)"),)
    assert moved["exam attempt 3"][0][0] == "third time"
    assert moved["exam attempt 3"][0][2] == "refused (R15)"
    assert "first time" not in {e[0] for examples in moved.values() for e in examples}
    assert {f.key for f in diff.figures} == {
        "exam.max_exam_attempts",
        "exam.attempts_included",
        "prices.retake_fee",
    }
    assert diff.unobserved() == ()


def test_current_and_legacy_answer_alike_with_or_without_a_retake_fee_in_the_prices_R15() -> None:
    cohort = (_candidate("twice", ((day("2027-01-14"), False), (day("2027-02-01"), True))),)
    for name in ("current", "legacy"):
        diff = diff_policies(
            cohort, base=name, candidate=name, candidate_prices=_prices(), workers=1
        )
        assert diff.answers == ()


def test_rules_shows_the_included_attempts_and_the_retake_fee_in_words_R15() -> None:
    out, err = io.StringIO(), io.StringIO()
    argv = ["rules", "--policy", str(TWO_ATTEMPTS), "--prices", str(RETAKE_PRICES), "--json"]
    assert main(argv, out=out, err=err) == 0
    r15 = {r["id"]: r for r in json.loads(out.getvalue())}["R15"]
    assert (
        "Attempts allowed: 2; included in the program price: 1. Each attempt beyond those "
        "included pays the retake fee (75.00 USD)"
    ) in r15["statement"]
    assert (
        "Attempts allowed: unlimited; included in the program price: unlimited."
        in (r15["statements"]["current"])
    )
    assert r15["figures"]["two-attempts"] == {
        "exam.max_exam_attempts": "2",
        "exam.attempts_included": "1",
    }
    assert "cptm_rules.rules.exam:RETAKE_FEE" in r15["code"]


def test_the_docs_examples_of_a_retake_fee_load_and_charge_the_second_attempt_R15(
    tmp_path: Path,
) -> None:
    text = (ROOT / "docs" / "policy.md").read_text(encoding="utf-8")
    section = text.split("### Retakes and a retake fee\n", 1)[1].split("\n### ", 1)[0]
    policy_text, prices_text = re.findall(r"```\{code-block\} toml\n(.*?)```", section, re.DOTALL)
    path = tmp_path / "two.toml"
    path.write_text(policy_text, encoding="utf-8")
    policy, prices = load_policy(path), PriceSchedule.from_toml(prices_text)
    shipped = load_policy(TWO_ATTEMPTS)
    assert (policy.max_exam_attempts, policy.attempts_included) == (2, 1)
    assert (shipped.max_exam_attempts, shipped.attempts_included) == (2, 1)
    assert load_prices(RETAKE_PRICES) == prices
    outcome = attended(policy=policy, prices=prices).then(FAIL).apply(PASS)
    assert outcome.decisions[-1].fee == Money.of("75")


def test_an_attempt_in_a_window_of_days_says_how_it_was_counted_with_no_clamping_R14() -> None:
    from cptm_rules.rules.exam import in_window  # noqa: PLC0415

    days = load_policy().with_overrides(
        {"exam.exam_window": {"amount": 90, "unit": "calendar_days"}}
    )
    opens, closes = dt.date(2027, 1, 15), dt.date(2027, 4, 15)
    reason = in_window(days, 1, dt.date(2027, 2, 1), opens, closes).reason
    assert reason.endswith("(release plus 90 days)")
    months = in_window(load_policy(), 1, dt.date(2027, 2, 1), opens, closes).reason
    assert months.endswith("(release plus 6 months, clamped)")
