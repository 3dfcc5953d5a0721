"""What a cohort exercises, and what two policies differ in."""

from __future__ import annotations

from collections import Counter

import attrs
import pytest

from cptm_rules.catalogue import RULES, InForce, Rule, RuleKind, rule_ids_in
from cptm_rules.cohort import synthetic_cohort
from cptm_rules.cohort.answers import _answered
from cptm_rules.money import Money
from cptm_rules.policy import load_policy
from cptm_rules.pricing import load_prices
from cptm_rules.rule_coverage import (
    coverage_lines,
    declared_verdicts,
    exercised_by,
    figure_changes,
    out_of_force_verdicts,
    rules_reading,
)

# The pairs a cohort row cannot exercise under the current policy and shipped prices
# for a reason other than a rule out of force (those come from the declarations, see
# out_of_force_verdicts), each with why (docs/cohorts.md lists them too).
UNREACHABLE_FROM_A_ROW_UNDER_CURRENT = {
    ("R4", "refused"): "a row's access comes at or after its registration",
    ("R8", "refused"): "the current policy does not require the modules for the exam",
    ("R12", "refused"): "a row's attendance is recorded on the session's last day",
    ("R13", "refused"): "attendance on the last day opens the exam that same day",
    ("R22", "quoted"): "the shipped price schedule gives no program price",
}


def test_every_rule_but_a_fact_declares_its_verdicts_and_who_exercises_it() -> None:
    for rule in RULES.values():
        if rule.id == "R23":  # a fact: no answer cites it
            assert rule.verdicts == ()
            continue
        assert rule.verdicts, rule.id
        assert len(set(rule.verdicts)) == len(rule.verdicts), rule.id
        assert exercised_by(rule.id), rule.id
    assert exercised_by("R99") == ""


def test_two_thousand_synthetic_candidates_exercise_every_reachable_rule_and_verdict() -> None:
    policy, prices = load_policy(), load_prices()
    seen: Counter[tuple[str, str]] = Counter()
    for candidate in synthetic_cohort(2000, seed=1):
        seen.update(_answered(candidate, policy, prices)[1])
    declared = set(declared_verdicts())
    assert set(seen) <= declared  # every verdict an answer has is declared
    off = set(out_of_force_verdicts(policy, prices))
    assert not off & set(seen)  # no verdict out of force is ever answered
    assert not off & set(UNREACHABLE_FROM_A_ROW_UNDER_CURRENT)  # each is listed once
    missing = declared - set(seen)
    assert missing == set(UNREACHABLE_FROM_A_ROW_UNDER_CURRENT) | off


def test_the_shipped_files_put_the_fees_caps_and_grace_no_source_states_out_of_force() -> None:
    off = out_of_force_verdicts(load_policy(), load_prices())
    # Among others (a new rule shipped out of force joins them with no edit here).
    assert (
        off.items()
        >= {
            ("R15", "refused"): "no cap on attempts",
            ("R15", "fee"): "every attempt included in the price, or a zero retake fee",
            ("R20", "in_grace"): "no grace period (0 days)",
            ("R20", "paid_in_grace"): "no grace period (0 days)",
            ("R28", "fee"): "0 late-registration days or a zero late-registration fee",
        }.items()
    )
    assert RULES["R28"].out_of_force(load_policy(), load_prices()) == ("fee",)
    assert RULES["R15"].out_of_force(load_policy(), load_prices()) == ("refused", "fee")
    assert RULES["R9"].out_of_force(load_policy(), load_prices()) == ()


def test_a_policy_and_prices_that_set_a_figure_and_a_fee_put_the_rule_in_force_R15_R20_R28() -> (
    None
):
    policy = load_policy().with_overrides(
        {
            "exam.max_exam_attempts": 3,
            "exam.attempts_included": 1,
            "certification.renewal_grace_days": 30,
            "registration.late_registration_within_days": 14,
        }
    )
    prices = load_prices()
    # The figures alone: the fees are still zero.
    off = set(out_of_force_verdicts(policy, prices))
    assert {("R15", "fee"), ("R28", "fee")} <= off
    assert not {("R15", "refused"), ("R20", "in_grace"), ("R20", "paid_in_grace")} & off
    priced = attrs.evolve(
        prices, retake_fee=prices.class_change_fee, late_registration_fee=Money.of("50")
    )
    assert not {("R15", "fee"), ("R28", "fee")} & set(out_of_force_verdicts(policy, priced))


def test_an_in_force_test_may_only_gate_a_verdict_its_rule_declares() -> None:
    gate = InForce(verdicts=("waived",), when=lambda _policy, _prices: False, off="never")
    with pytest.raises(ValueError, match=r"^R99: in_force gates verdicts \('waived',\)"):
        Rule(
            id="R99",
            title="A rule",
            kinds=(RuleKind.CONSEQUENCE,),
            statement="A statement.",
            sources=(),
            verdicts=("fee",),
            in_force=(gate,),
        )


def test_a_capped_policy_makes_the_attempt_cap_reachable_from_synthetic_rows_R15() -> None:
    capped = load_policy().with_overrides({"exam.max_exam_attempts": 3})
    prices = load_prices()
    seen: set[tuple[str, str]] = set()
    for candidate in synthetic_cohort(400, seed=1):
        seen |= _answered(candidate, capped, prices)[1]
    assert ("R15", "refused") in seen


def test_coverage_lines_count_every_declared_pair_on_each_side() -> None:
    lines = coverage_lines({("R9", "free"): 3}, {("R9", "free"): 1, ("R10", "fee"): 2})
    by_pair = {(line.rule_id, line.verdict): line.counts for line in lines}
    assert by_pair[("R9", "free")] == (3, 1)
    assert by_pair[("R10", "fee")] == (0, 2)
    assert by_pair[("R24", "not_covered")] == (0, 0)
    assert len(lines) == len(declared_verdicts())


def test_a_policy_that_differs_only_in_name_and_description_has_no_figure_change() -> None:
    current = load_policy()
    renamed = attrs.evolve(current, name="proposal", description="the same, renamed")
    prices = load_prices()
    assert figure_changes(current, renamed, prices, prices) == ()


def test_a_changed_figure_names_every_rule_that_reads_it_R18_R20() -> None:
    current = load_policy()
    more = current.with_overrides({"certification.ce_hours_required": 30})
    prices = load_prices()
    (change,) = figure_changes(current, more, prices, prices)
    assert (change.key, change.base, change.candidate) == (
        "certification.ce_hours_required",
        "24",
        "30",
    )
    assert "R18" in change.rule_ids


def test_a_changed_price_is_a_figure_change_R24() -> None:
    prices = load_prices()
    dearer = attrs.evolve(prices, administrative_fee=prices.class_change_fee)
    policy = load_policy()
    (change,) = figure_changes(policy, policy, prices, dearer)
    assert change.key == "prices.administrative_fee"
    assert change.rule_ids[0] == "R24"


def test_the_legacy_and_current_policies_differ_in_their_access_and_prework_figures() -> None:
    prices = load_prices()
    keys = {c.key for c in figure_changes(load_policy("legacy"), load_policy(), prices, prices)}
    assert "registration.access_due_unit" in keys


def test_a_figure_is_read_by_its_rule_and_by_every_rule_whose_statement_shows_it() -> None:
    assert rules_reading("registration.lead_time_minimum_days", "R3") == ("R3", "R6")
    # ce_hours_required is declared for R18 and read by the renewal (R20) and the tally (R19).
    assert rules_reading("certification.ce_hours_required", "R18") == ("R18", "R19", "R20")
    assert "R3" in rules_reading("prework.prework_recommended_days", "R6")
    assert rules_reading("prices.no_such_item") == ()


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("R9", ("R9",)),
        ("R24, R25", ("R24", "R25")),
        ("R9-R11a", ("R9", "R10", "R11", "R11a")),
        ("R13-R16", ("R13", "R14", "R15", "R16")),
        ("R99, nonsense", ()),
        ("", ()),
    ],
)
def test_rule_ids_in_a_text_spell_out_ranges(text: str, ids: tuple[str, ...]) -> None:
    assert rule_ids_in(text) == ids


def test_a_planning_figure_no_decision_reads_is_listed_but_never_unobserved_R5() -> None:
    from cptm_rules.cohort import diff_policies  # noqa: PLC0415

    lighter = load_policy().with_overrides({"prework.module_hours_max": 4})
    prices = load_prices()
    (change,) = figure_changes(load_policy(), lighter, prices, prices)
    assert (change.key, change.shown_only) == ("prework.module_hours_max", True)
    diff = diff_policies(synthetic_cohort(20, seed=1), base="current", candidate=lighter, workers=1)
    assert diff.figures == (change,)
    assert diff.unobserved() == ()
    assert "(shown in the rule's statement only: no answer reads it)" in diff.report()


def test_a_figure_no_known_rule_reads_is_unobserved_whatever_is_allowed() -> None:
    from cptm_rules.cohort import PolicyDiff  # noqa: PLC0415
    from cptm_rules.rule_coverage import FigureChange  # noqa: PLC0415

    change = FigureChange(key="calendar.time_zone", base="a", candidate="b", rule_ids=())
    diff = PolicyDiff(
        base="a",
        candidate="b",
        cohort_size=1,
        candidates_changed=0,
        answers=(),
        rules=(),
        figures=(change,),
    )
    assert diff.unobserved(allowed=("R9",)) == (change,)
