"""The rule catalogue: every program rule with its id, kind, statement and source.

Rule ids (``R1`` … ``R28``, plus ``R11a``) are stable: traces, errors, tests and
docs use them. Each rule is declared in its family's module
(:mod:`cptm_rules.rules`), in the project's own words, beside the code that
decides it; the FAQ is cited by question. What a declaration is made of lives in
:mod:`cptm_rules.declarations` (re-exported here); this module holds :data:`RULES`,
every family's rules by id, and the FAQ's questions. ``docs/rules.md`` is
generated from them by :func:`render_markdown`.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Final

import attrs

# What a declaration is made of lives in cptm_rules.declarations, which the families
# import; the names stay importable from here, as they always were.
from cptm_rules.declarations import (
    Q_ACCESS,
    Q_AFTER_PASS,
    Q_ASSESSMENTS,
    Q_CHOOSE_PRACTICUM,
    Q_COMPARISON,
    Q_CONFLICT,
    Q_DISCOUNTS,
    Q_FUNDING,
    Q_HIRE,
    Q_MODULE_TIME,
    Q_ONGOING,
    Q_PASS_RATE,
    Q_PREREQUISITES,
    Q_QUALIFIES,
    Q_TEAM,
    Q_UNANSWERED,
    Q_WHEN_EXAM,
    Q_WHEN_SHOULD_EXAM,
    Q_WHICH_PRACTICUM,
    TEMPLATE_FORMATS,
    Citation,
    Document,
    FaqQuestion,
    InForce,
    Rule,
    RuleKind,
    faq,
    terms,
)
from cptm_rules.exceptions import InvalidInputError
from cptm_rules.policy import Policy, load_policy
from cptm_rules.pricing import PriceSchedule, load_prices
from cptm_rules.rules import ALL_RULES

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "FAQ_QUESTIONS",
    "RULES",
    "TEMPLATE_FORMATS",
    "Citation",
    "Document",
    "FaqQuestion",
    "InForce",
    "Rule",
    "RuleKind",
    "faq",
    "render_markdown",
    "rule",
    "rule_ids_in",
    "shipped_figures",
    "terms",
]


def shipped_figures() -> tuple[Policy, PriceSchedule]:
    """The current policy and the shipped price schedule: what a rule shows by default."""
    return load_policy(), load_prices()


# Each family declares its rules below the policy (which is built from the families'
# figures); here, above it, each rule learns where the shipped figures are, so that
# ``RULES["R10"].statement`` reads under them.
RULES: Final[Mapping[str, Rule]] = {
    r.id: attrs.evolve(r, shipped_figures=shipped_figures) for r in ALL_RULES
}
"""Every rule by id, in catalogue order (R1 … R28), each knowing the shipped figures."""

_ONE_ID: Final = re.compile(r"R\d+a?")
_ID_RANGE: Final = re.compile(r"R(\d+)-R(\d+)(a?)")


@functools.lru_cache(maxsize=512)  # a cohort's refusals name the same few texts
def rule_ids_in(text: str) -> tuple[str, ...]:
    """The rule ids a text names, ranges spelled out: ``"R9-R11a"`` is R9, R10, R11, R11a.

    Parts are separated by commas; a part that names no rule of the catalogue is
    left out. The ids come in catalogue order.
    """
    found: set[str] = set()
    for part in (p.strip() for p in text.split(",")):
        if _ONE_ID.fullmatch(part):
            found.add(part)
        elif (span := _ID_RANGE.fullmatch(part)) is not None:
            low, high = int(span.group(1)), int(span.group(2))
            found |= {f"R{n}" for n in range(low, high + 1)}
            if span.group(3):
                found.add(f"R{high}a")
    return tuple(rule_id for rule_id in RULES if rule_id in found)


FAQ_QUESTIONS: Final = (
    FaqQuestion(
        question=Q_UNANSWERED,
        rule_ids=(),
        no_rule_reason="contact details for questions the FAQ does not answer",
    ),
    FaqQuestion(question=Q_PREREQUISITES, rule_ids=("R1",)),
    FaqQuestion(question=Q_FUNDING, rule_ids=("R23",)),
    FaqQuestion(
        question=Q_COMPARISON,
        rule_ids=(),
        no_rule_reason="marketing: a comparison with other credentials",
    ),
    FaqQuestion(question=Q_ACCESS, rule_ids=("R2", "R4")),
    FaqQuestion(question=Q_MODULE_TIME, rule_ids=("R5", "R6", "R8")),
    FaqQuestion(question=Q_ASSESSMENTS, rule_ids=("R5", "R7")),
    FaqQuestion(question=Q_WHICH_PRACTICUM, rule_ids=("R2",)),
    FaqQuestion(question=Q_CHOOSE_PRACTICUM, rule_ids=("R3", "R9", "R10", "R11")),
    FaqQuestion(question=Q_CONFLICT, rule_ids=("R12",)),
    FaqQuestion(question=Q_WHEN_EXAM, rule_ids=("R13", "R14", "R15")),
    FaqQuestion(question=Q_WHEN_SHOULD_EXAM, rule_ids=("R14",)),
    FaqQuestion(question=Q_AFTER_PASS, rule_ids=("R16",)),
    FaqQuestion(question=Q_PASS_RATE, rule_ids=("R8", "R16")),
    FaqQuestion(question=Q_ONGOING, rule_ids=("R17", "R18", "R19", "R20", "R22")),
    FaqQuestion(question=Q_QUALIFIES, rule_ids=("R19",)),
    FaqQuestion(question=Q_DISCOUNTS, rule_ids=("R21",)),
    FaqQuestion(question=Q_TEAM, rule_ids=("R21",)),
    FaqQuestion(question=Q_HIRE, rule_ids=(), no_rule_reason="marketing: hiring a CPTM"),
)
"""Every question of the current FAQ, with the rules it yields."""


def rule(rule_id: str) -> Rule:
    """The rule with id ``rule_id``; an unknown id is a clear error."""
    try:
        return RULES[rule_id]
    except KeyError:
        raise InvalidInputError("rule_id", rule_id, f"one of {', '.join(RULES)}") from None


def render_markdown() -> str:
    """The text of ``docs/rules.md``: the catalogue as a person reads it."""
    lines = [
        "# The rule catalogue",
        "",
        (
            "<!-- Generated by `python scripts/generate_docs.py` from the rule families"
            " (src/cptm_rules/rules/); do not edit by hand. -->"
        ),
        "",
        (
            "Every rule the library encodes, in the project's own words, with the public source"
            " it comes from. Rule ids are stable and appear in every trace, error and test."
        ),
        "",
    ]
    legacy = load_policy("legacy")
    for r in RULES.values():
        kinds = " + ".join(str(k) for k in r.kinds)
        lines += [f"## {r.id} {r.title}", "", f"*Kind:* {kinds}", "", r.statement, ""]
        older_title = r.title_under(legacy)
        if older_title != r.title:
            lines += [f"*Title under the legacy policy:* {older_title}", ""]
        older = r.statement_under(legacy)
        if older != r.statement:
            lines += [f"*Under the legacy policy:* {older}", ""]
        lines += [f"- Source: {c}" for c in r.sources]
        lines.append("")
    lines += ["## FAQ questions and the rules they yield", ""]
    lines += ["| FAQ question | rules |", "| --- | --- |"]
    for q in FAQ_QUESTIONS:
        yields = ", ".join(q.rule_ids) if q.rule_ids else f"none ({q.no_rule_reason})"
        lines.append(f"| {q.question} | {yields} |")
    lines.append("")
    return "\n".join(lines)
