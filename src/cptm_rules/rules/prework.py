"""The prework: modules, assessments and the time to take them (R5-R8).

The rules of this family, declared once: id, title, kind, statement (with the
policy figures it reads as ``{section.key}`` placeholders) and sources.
:data:`cptm_rules.catalogue.RULES` collects every family's declarations.
"""

from __future__ import annotations

from typing import Final

from cptm_rules.catalogue import (
    Q_ASSESSMENTS,
    Q_MODULE_TIME,
    Q_PASS_RATE,
    Citation,
    Document,
    Rule,
    RuleKind,
    faq,
)

__all__ = ["RULES"]

RULES: Final = (
    Rule(
        id="R5",
        title="Ten modules with an assessment each",
        kinds=(RuleKind.REQUIREMENT, RuleKind.FACT),
        statement=(
            "The prework consists of {prework.module_count} modules, each closed by an "
            "assessment. For planning, the program expects {prework.module_hours_min} to "
            "{prework.module_hours_max} hours a module."
        ),
        sources=(
            faq(Q_MODULE_TIME),
            faq(Q_ASSESSMENTS),
            Citation(document=Document.OLDER_FAQ, locator="2 to 4 hours a module"),
        ),
    ),
    Rule(
        id="R6",
        title="Six weeks for the prework",
        kinds=(RuleKind.ADVISORY,),
        statement=(
            "A practicum that starts fewer than {prework.prework_recommended_days} days "
            "after registration leaves less prework time than the program recommends: "
            "allowed, with a warning."
        ),
        sources=(
            faq(Q_MODULE_TIME),
            Citation(document=Document.OLDER_FAQ, locator="four weeks for the 10 modules"),
        ),
    ),
    Rule(
        id="R7",
        title="Assessments are not a gate",
        kinds=(RuleKind.REQUIREMENT,),
        statement=(
            "A failed or skipped module assessment never blocks completing the module, the "
            "practicum, the exam or the credential."
        ),
        sources=(faq(Q_ASSESSMENTS),),
    ),
    Rule(
        id="R8",
        title="Module completion is not a gate by default",
        kinds=(RuleKind.POLICY_SWITCH,),
        statement=(
            "By default a candidate who reaches the practicum or the exam with modules "
            "unfinished gets an advisory, not an error, since the FAQ's pass-rate answer "
            "implies the exam can be taken without them. A policy flag makes completing all "
            "modules a hard requirement for the exam."
        ),
        sources=(faq(Q_PASS_RATE), faq(Q_MODULE_TIME)),
    ),
)
"""The rules R5, R6, R7, R8."""
