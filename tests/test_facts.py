from __future__ import annotations

from fractions import Fraction

from cptm_rules.facts import FACTS


def test_four_out_of_five_cptms_have_employer_support_R23() -> None:
    fact = FACTS["employer_support_share"]
    assert fact.value == Fraction(4, 5)
    assert fact.rule_id == "R23"
    assert str(fact.source).startswith('FAQ: "Do you have any resources')


def test_the_pass_rate_is_over_85_percent_for_those_who_finish_both_steps_R16() -> None:
    fact = FACTS["exam_pass_rate"]
    assert (fact.value, fact.lower_bound) == (Fraction(85, 100), True)
    assert str(fact).startswith("R16 exam_pass_rate = over 17/20")
