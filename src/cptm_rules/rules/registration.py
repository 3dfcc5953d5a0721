"""Registration: who may enrol, the practicum chosen, lead time, eLearning access (R1-R4).

The rules of this family, declared once: id, title, kind, statement (with the
policy figures it reads as ``{section.key}`` placeholders) and sources.
:data:`cptm_rules.catalogue.RULES` collects every family's declarations.
"""

from __future__ import annotations

from typing import Final

from cptm_rules.catalogue import (
    Q_ACCESS,
    Q_CHOOSE_PRACTICUM,
    Q_PREREQUISITES,
    Q_WHICH_PRACTICUM,
    Citation,
    Document,
    Rule,
    RuleKind,
    faq,
)

__all__ = ["RULES"]

RULES: Final = (
    Rule(
        id="R1",
        title="No prerequisites",
        kinds=(RuleKind.REQUIREMENT,),
        statement=(
            "Enrolment is open to everyone: the engine checks no experience, education or "
            "earlier credential, and never refuses an applicant for who they are."
        ),
        sources=(
            faq(Q_PREREQUISITES),
            Citation(
                document=Document.OLDER_FAQ,
                locator="about two years in a training role is ideal but not required",
            ),
        ),
    ),
    Rule(
        id="R2",
        title="Practicum chosen at registration",
        kinds=(RuleKind.REQUIREMENT,),
        statement=(
            "A registration carries the email address that eLearning access goes to and "
            "exactly one practicum session (first day, last day). A missing session, a last "
            "day before the first, or a session already under way on the registration date "
            "is an error."
        ),
        sources=(faq(Q_WHICH_PRACTICUM), faq(Q_ACCESS)),
    ),
    Rule(
        id="R3",
        title="Lead time",
        kinds=(RuleKind.ADVISORY,),
        statement=(
            "Registering fewer than {registration.lead_time_minimum_days} days before the "
            "practicum's first day raises a strong warning; from "
            "{registration.lead_time_minimum_days} days up to (not including) the "
            "{prework.prework_recommended_days} days of R6 raises a warning that the program "
            "recommends that longer lead time."
        ),
        sources=(faq(Q_CHOOSE_PRACTICUM),),
    ),
    Rule(
        id="R4",
        title="eLearning access",
        kinds=(RuleKind.SERVICE_LEVEL,),
        statement=(
            "Access to the self-paced modules is owed to the registration email within "
            "{registration.access_due_amount} {registration.access_due_unit} of the "
            "registration instant (hours are elapsed time; business days end at 23:59:59 "
            "program time). Instants are timezone-aware; a late grant is recorded and "
            "reported as a breach, not refused."
        ),
        sources=(
            faq(Q_ACCESS),
            Citation(document=Document.OLDER_FAQ, locator="access within two business days"),
        ),
    ),
)
"""The rules R1, R2, R3, R4."""
