"""Attendance and the exam: attending, release, the window, retakes, passing (R12-R16).

The rules of this family, declared once: id, title, kind, statement (with the
policy figures it reads as ``{section.key}`` placeholders) and sources.
:data:`cptm_rules.catalogue.RULES` collects every family's declarations.
"""

from __future__ import annotations

from typing import Final

from cptm_rules.catalogue import (
    Q_AFTER_PASS,
    Q_CONFLICT,
    Q_PASS_RATE,
    Q_WHEN_EXAM,
    Q_WHEN_SHOULD_EXAM,
    Rule,
    RuleKind,
    faq,
)

__all__ = ["RULES"]

RULES: Final = (
    Rule(
        id="R12",
        title="Attend all of it",
        kinds=(RuleKind.ADVISORY,),
        statement=(
            "Missing part of the live session is discouraged: partial attendance raises an "
            "advisory to tell the instructor beforehand or to reschedule. It does not block "
            "the exam."
        ),
        sources=(faq(Q_CONFLICT),),
    ),
    Rule(
        id="R13",
        title="Exam release",
        kinds=(RuleKind.REQUIREMENT,),
        statement=(
            "The exam opens on the last day of the practicum held (the whole of that "
            "program-local day counts)."
        ),
        sources=(faq(Q_WHEN_EXAM),),
    ),
    Rule(
        id="R14",
        title="Six-month exam window",
        kinds=(RuleKind.REQUIREMENT,),
        statement=(
            "The last day to sit the exam is the release date plus "
            "{exam.exam_window_months} calendar months, in one step with end-of-month "
            "clamping. An attempt before release or after the last day is an error that says "
            "which, and by how many days."
        ),
        sources=(faq(Q_WHEN_EXAM), faq(Q_WHEN_SHOULD_EXAM)),
    ),
    Rule(
        id="R15",
        title="Retakes",
        kinds=(RuleKind.POLICY_SWITCH,),
        statement=(
            "The FAQ does not limit attempts: by default any number are allowed within the "
            "window; a policy setting may cap them."
        ),
        sources=(faq(Q_WHEN_EXAM),),
    ),
    Rule(
        id="R16",
        title="What passing brings",
        kinds=(RuleKind.CONSEQUENCE, RuleKind.FACT),
        statement=(
            "The passing attempt's date is the certification date. Passing brings a "
            "certification packet with a certificate of achievement, a digital badge and "
            "membership of the alumni community. Fact: over 85% of those who complete the "
            "modules and the practicum pass."
        ),
        sources=(faq(Q_AFTER_PASS), faq(Q_PASS_RATE)),
    ),
)
"""The rules R12, R13, R14, R15, R16."""
