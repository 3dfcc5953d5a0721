"""Practicum changes: when a change is free, when it pays, what it needs, how many (R9-R11a).

The rules of this family, declared once: id, title, kind, statement (with the
policy figures it reads as ``{section.key}`` placeholders) and sources.
:data:`cptm_rules.catalogue.RULES` collects every family's declarations.
"""

from __future__ import annotations

from typing import Final

from cptm_rules.catalogue import (
    Q_CHOOSE_PRACTICUM,
    Rule,
    RuleKind,
    faq,
    terms,
)

__all__ = ["RULES"]

RULES: Final = (
    Rule(
        id="R9",
        title="Free date change",
        kinds=(RuleKind.CONSEQUENCE,),
        statement=(
            "A practicum change requested on a program-local date on or before the "
            "free-change deadline costs nothing. The deadline is the "
            "{practicum.free_change_days:ordinal} {practicum.free_change_day_count:day} "
            "strictly before the first day of the session held when the change is asked "
            "for, on the policy's business calendar."
        ),
        sources=(faq(Q_CHOOSE_PRACTICUM),),
    ),
    Rule(
        id="R10",
        title="Class change fee",
        kinds=(RuleKind.CONSEQUENCE,),
        statement=(
            "After the free-change deadline, moving to a later session costs the class "
            "change fee; moving to an earlier session stays free. The FAQ's 'less than 30 "
            "days' is read as the same deadline, counted in "
            "{practicum.free_change_day_count:days} under this policy (the terms count "
            "calendar days)."
        ),
        sources=(faq(Q_CHOOSE_PRACTICUM), terms("transfer less than 30 days before")),
    ),
    Rule(
        id="R11",
        title="What a change needs",
        kinds=(RuleKind.REQUIREMENT,),
        statement=(
            "A change must name a session different from the one held, starting after the "
            "request date, and the held session must not have started yet. Each change is "
            "judged against the session held at that moment."
        ),
        sources=(faq(Q_CHOOSE_PRACTICUM),),
    ),
    Rule(
        id="R11a",
        title="How many free changes",
        kinds=(RuleKind.CONSEQUENCE,),
        statement=(
            "At most {practicum.free_changes} changes are free; once they are used, any "
            "later change pays the class change fee whatever its timing. Only free changes "
            "count: a change that paid the fee (R10) uses none, and a substitution (R27) is "
            "not a change."
        ),
        sources=(terms("at most two reschedules without penalty"),),
    ),
)
"""The rules R9, R10, R11, R11a."""
