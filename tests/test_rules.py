"""The rule families: every rule declared once, and the helpers their explanations share."""

from __future__ import annotations

import attrs

from cptm_rules.catalogue import RULES
from cptm_rules.declarations import ordinal
from cptm_rules.policy import Policy
from cptm_rules.pricing import PriceSchedule
from cptm_rules.rules import ALL_RULES, FAMILIES
from cptm_rules.rules._build import days


def test_every_rule_is_declared_by_exactly_one_family_in_rule_order() -> None:
    ids = [r.id for family in FAMILIES for r in family.RULES]
    assert ids == list(RULES)
    assert len(set(ids)) == len(ids)
    assert [r.id for r in ALL_RULES] == ids


def test_each_family_declares_its_figures_and_fees_and_the_policy_and_prices_are_made_of_them() -> (
    None
):
    for family in FAMILIES:
        figures = [getattr(family, n) for n in family.__all__ if n.endswith("Figures")]
        fees = [getattr(family, n) for n in family.__all__ if n.endswith("Fees")]
        assert len(figures) == len(fees) == 1, family.__name__
        assert issubclass(Policy, figures[0])
        assert issubclass(PriceSchedule, fees[0])
        for field in attrs.fields(figures[0]):
            assert field.metadata["rule"] in RULES, field.name
        for field in attrs.fields(fees[0]):
            assert field.metadata["rule"] in RULES, field.name


def test_ordinals_read_as_english_writes_them() -> None:
    numbers = (1, 2, 3, 4, 10, 11, 12, 13, 14, 20, 21, 22, 23, 30, 101, 111, 112, 113, 122)
    assert [ordinal(n) for n in numbers] == [
        "1st", "2nd", "3rd", "4th", "10th", "11th", "12th", "13th", "14th", "20th",
        "21st", "22nd", "23rd", "30th", "101st", "111th", "112th", "113th", "122nd",
    ]  # fmt: skip


def test_day_counts_read_as_english_writes_them() -> None:
    assert [days(n) for n in (0, 1, 2, 30)] == ["0 days", "1 day", "2 days", "30 days"]
