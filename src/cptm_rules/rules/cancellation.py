"""Cancellation and transfer: refunds, tuition credit, no-shows, substitution (R24-R27).

The rules of this family, declared once: id, title, kind, statement (with the
policy figures it reads as ``{section.key}`` placeholders) and sources.
:data:`cptm_rules.catalogue.RULES` collects every family's declarations.
"""

from __future__ import annotations

from typing import Final

from cptm_rules.catalogue import (
    Rule,
    RuleKind,
    terms,
)

__all__ = ["RULES"]

RULES: Final = (
    Rule(
        id="R24",
        title="Early cancellation",
        kinds=(RuleKind.CONSEQUENCE,),
        statement=(
            "A written cancellation within {cancellation.early_cancellation_days} days of "
            "registering, before the eLearning was first opened, is refunded in full less "
            "the administrative fee ({prices.administrative_fee}). The terms "
            "settle no other cancellation: the engine answers 'not covered' instead of "
            "guessing."
        ),
        sources=(terms("cancellation within 5 days of registering"),),
    ),
    Rule(
        id="R25",
        title="Tuition credit",
        kinds=(RuleKind.CONSEQUENCE,),
        statement=(
            "After a cancellation the tuition stays valid toward another practicum for "
            "{cancellation.tuition_credit_years} year(s), for "
            "{cancellation.re_enrollments} re-enrollment(s)."
        ),
        sources=(terms("tuition valid for one year, one re-enrollment"),),
    ),
    Rule(
        id="R26",
        title="No-show",
        kinds=(RuleKind.CONSEQUENCE,),
        statement="Not attending without written notice forfeits the whole course price.",
        sources=(terms("no-show without written notice"),),
    ),
    Rule(
        id="R27",
        title="Substitution",
        kinds=(RuleKind.CONSEQUENCE,),
        statement=(
            "Another person may take the seat; inside the change-fee window of R10 that "
            "costs the class change fee."
        ),
        sources=(terms("substitution"),),
    ),
)
"""The rules R24, R25, R26, R27."""
