"""Certification and renewal: the period, what renewal needs, what qualifies, lapse (R17-R20).

The rules of this family, declared once: id, title, kind, statement (with the
policy figures it reads as ``{section.key}`` placeholders) and sources.
:data:`cptm_rules.catalogue.RULES` collects every family's declarations.
"""

from __future__ import annotations

from typing import Final

from cptm_rules.catalogue import (
    Q_ONGOING,
    Q_QUALIFIES,
    Citation,
    Document,
    Rule,
    RuleKind,
    faq,
)

__all__ = ["RULES"]

RULES: Final = (
    Rule(
        id="R17",
        title="Two-year period",
        kinds=(RuleKind.REQUIREMENT,),
        statement=(
            "A certification period is the half-open interval [start, start + "
            "{certification.certification_period_years} years), the years added in one step "
            "with clamping. The first starts on the certification date."
        ),
        sources=(faq(Q_ONGOING),),
    ),
    Rule(
        id="R18",
        title="What renewal needs",
        kinds=(RuleKind.REQUIREMENT,),
        statement=(
            "Renewing needs at least {certification.ce_hours_required} hours of qualifying "
            "training completed inside the period and the renewal fee paid inside it. Hours "
            "never carry over."
        ),
        sources=(faq(Q_ONGOING),),
    ),
    Rule(
        id="R19",
        title="What qualifies",
        kinds=(RuleKind.REQUIREMENT,),
        statement=(
            "Industry conferences, webinars and other industry-relevant training or events "
            "count, whoever provides them; the program's own alumni offerings count and are "
            "free. Training that is not industry-relevant does not count, and an activity "
            "recorded twice counts once."
        ),
        sources=(
            faq(Q_QUALIFIES),
            faq(Q_ONGOING),
            Citation(document=Document.RECERTIFICATION_FORM, locator="qualifying programs"),
        ),
    ),
    Rule(
        id="R20",
        title="Renewal and lapse",
        kinds=(RuleKind.CONSEQUENCE,),
        statement=(
            "A renewed period starts on the previous period's end, however early the renewal "
            "was made. A period that ends with R18 unmet leaves the credential lapsed from its "
            "end date; no grace period is stated."
        ),
        sources=(faq(Q_ONGOING),),
    ),
)
"""The rules R17, R18, R19, R20."""
