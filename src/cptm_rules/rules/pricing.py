"""Pricing: discounts, fees and the funding facts (R21-R23).

The rules of this family, declared once: id, title, kind, statement (with the
policy figures it reads as ``{section.key}`` placeholders) and sources.
:data:`cptm_rules.catalogue.RULES` collects every family's declarations.
"""

from __future__ import annotations

from typing import Final

from cptm_rules.catalogue import (
    Q_DISCOUNTS,
    Q_FUNDING,
    Q_ONGOING,
    Q_TEAM,
    Rule,
    RuleKind,
    faq,
    terms,
)

__all__ = ["RULES"]

RULES: Final = (
    Rule(
        id="R21",
        title="Discounts",
        kinds=(RuleKind.CONSEQUENCE,),
        statement=(
            "Employees of non-profits and of government agencies, and groups of two or more "
            "registering together, are eligible for a discount. Amounts live in the price "
            "schedule. By default only the single best discount applies; a policy setting "
            "may stack them."
        ),
        sources=(faq(Q_DISCOUNTS), faq(Q_TEAM)),
    ),
    Rule(
        id="R22",
        title="Fees",
        kinds=(RuleKind.CONSEQUENCE,),
        statement=(
            "The class change fee is {prices.class_change_fee}. The renewal fee, the program "
            "price and the "
            "discount amounts are not public: the shipped schedule marks them unknown and a "
            "quote that needs one names it instead of showing a number. Money is an exact "
            "decimal amount with a currency."
        ),
        sources=(terms("$400 change fee"), faq(Q_ONGOING)),
    ),
    Rule(
        id="R23",
        title="Funding facts",
        kinds=(RuleKind.FACT,),
        statement="Four out of five CPTMs have their employer's support.",
        sources=(faq(Q_FUNDING),),
    ),
)
"""The rules R21, R22, R23."""
