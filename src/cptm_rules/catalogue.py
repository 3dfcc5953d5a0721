"""The rule catalogue: every program rule with its id, kind, statement and source.

Rule ids (``R1`` … ``R27``, plus ``R11a``) are stable: traces, errors, tests and
docs use them. Each rule is declared in its family's module
(:mod:`cptm_rules.rules`), in the project's own words, beside the code that
decides it; the FAQ is cited by question. This module holds what a declaration
is made of and :data:`RULES`, every family's rules by id. ``docs/rules.md`` is
generated from them by :func:`render_markdown`.
"""

from __future__ import annotations

import enum
import re
from typing import TYPE_CHECKING, Final

import attrs

from cptm_rules.exceptions import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule

__all__ = [
    "FAQ_QUESTIONS",
    "RULES",
    "TEMPLATE_FORMATS",
    "Citation",
    "Document",
    "FaqQuestion",
    "Rule",
    "RuleKind",
    "render_markdown",
    "rule",
    "rule_ids_in",
]


class RuleKind(enum.StrEnum):
    """What breaking or meeting a rule means to the engine."""

    REQUIREMENT = "requirement"
    """Breaking it is an error or blocks a step."""
    CONSEQUENCE = "consequence"
    """A fee or an entitlement follows."""
    ADVISORY = "advisory"
    """The program recommends; the engine warns, never blocks."""
    SERVICE_LEVEL = "service level"
    """Something the provider owes the candidate, with a due time."""
    POLICY_SWITCH = "policy switch"
    """The sources are silent or ambiguous; a policy setting chooses."""
    FACT = "fact"
    """A figure worth exposing, not a rule."""


class Document(enum.StrEnum):
    """The public documents a rule can come from."""

    FAQ = "FAQ"
    """The program's current FAQ (its questions: ``docs/sources/faq-questions.txt``)."""
    OLDER_FAQ = "older FAQ"
    """The older version of the program's FAQ."""
    TERMS = "terms"
    """The program's terms and conditions."""
    RECERTIFICATION_FORM = "recertification-provider form"
    """The program's form for pre-approved recertification providers."""


@attrs.frozen(kw_only=True)
class Citation:
    """Where in a public document a rule or a figure comes from."""

    document: Document
    locator: str
    """The FAQ question asked, or the clause of another document."""

    def __str__(self) -> str:
        """Render as ``FAQ: "question"`` or ``terms: clause``."""
        if self.document is Document.FAQ:
            return f'FAQ: "{self.locator}"'
        return f"{self.document}: {self.locator}"


@attrs.frozen(kw_only=True)
class Rule:
    """One program rule.

    Its title and its statement are templates over the policy's figures and the
    price schedule: ``{dotted.policy_key}`` or ``{prices.item}`` where a figure
    goes, with an optional format after a colon (:data:`TEMPLATE_FORMATS`).
    :attr:`title` and :attr:`statement` read them under the current policy and
    the shipped prices; :meth:`title_under` and :meth:`statement_under` under any.
    """

    id: str
    title_template: str = attrs.field(alias="title")
    """The rule's name, as a template: ``{certification.certification_period_years:Word}-year
    period`` reads ``Two-year period`` under the current policy."""
    kinds: tuple[RuleKind, ...]
    template: str = attrs.field(alias="statement")
    """The rule in the project's own words, with ``{dotted.policy_key}`` and
    ``{prices.item}`` where a figure goes: no statement hard-codes a number."""
    sources: tuple[Citation, ...]
    verdicts: tuple[str, ...] = ()
    """Every outcome an answer under this rule can have, as coverage counts them.

    A decision's verdict (``free``, ``fee``, ``on_time`` …), ``refused`` for an
    event the rule refuses, ``advisory`` for a warning it raises, and a derived
    state it explains (``lapsed``, ``exam_expired``, ``credit_expired``). A
    cohort or a scenario suite *exercises* a rule's verdict when one of its
    answers has it (:mod:`cptm_rules.rule_coverage`); a fact has none."""
    exercised_by: str = ""
    """What kind of candidate exercises the rule, as a diff's report suggests it
    for a changed figure no candidate of the cohort exercised."""

    @property
    def figure_keys(self) -> tuple[str, ...]:
        """The figures the title and statement show: dotted policy keys and ``prices.<item>``."""
        found = _PLACEHOLDER.finditer(self.title_template + "\n" + self.template)
        return tuple(dict.fromkeys(m.group(1) for m in found))

    @property
    def title(self) -> str:
        """The title under the current policy and the shipped price schedule."""
        return self.title_under()

    @property
    def statement(self) -> str:
        """The statement under the current policy and the shipped price schedule."""
        return self.statement_under()

    def title_under(self, policy: Policy | None = None, prices: PriceSchedule | None = None) -> str:
        """The title with the figures of ``policy`` and ``prices`` (default: shipped)."""
        return _render(self.title_template, policy, prices)

    def statement_under(
        self, policy: Policy | None = None, prices: PriceSchedule | None = None
    ) -> str:
        """The statement with the figures of ``policy`` and ``prices`` (default: shipped)."""
        return _render(self.template, policy, prices)


def _render(template: str, policy: Policy | None, prices: PriceSchedule | None) -> str:
    """``template`` with each placeholder replaced by its figure, in its format."""
    if "{" not in template:
        return template
    from cptm_rules.money import amount_text  # noqa: PLC0415  # avoids an import cycle
    from cptm_rules.policy import load_policy  # noqa: PLC0415
    from cptm_rules.pricing import load_prices  # noqa: PLC0415

    chosen = load_policy() if policy is None else policy
    schedule = load_prices() if prices is None else prices
    figures = dict(chosen.figures(*_policy_field_names()))

    def fill(match: re.Match[str]) -> str:
        key, style = match.group(1), match.group(2)
        if key.startswith("prices."):
            return amount_text(getattr(schedule, key.removeprefix("prices.")))
        return _styled(figures[key], style)

    return _PLACEHOLDER.sub(fill, template)


@attrs.frozen(kw_only=True)
class FaqQuestion:
    """One FAQ question and the rules it yields (none, with a reason, for marketing)."""

    question: str
    rule_ids: tuple[str, ...]
    no_rule_reason: str | None = None


Q_UNANSWERED: Final = "What should I do if I have a question that\u2019s not addressed here?"
Q_PREREQUISITES: Final = (
    "Are there any requirements to register, such as prerequisite experience or "
    "educational requirements?"
)
Q_FUNDING: Final = (
    "Do you have any resources that will help me approach my employer about funding "
    "my CPTM certification?"
)
Q_COMPARISON: Final = (
    "How is the CPTM credential different from other learning and development (L&D) certifications?"
)
Q_ACCESS: Final = "When will I be able to access the eLearning modules?"
Q_MODULE_TIME: Final = "How long will it take to complete the eLearning modules?"
Q_ASSESSMENTS: Final = "Are there any tests associated with the eLearning modules?"
Q_WHICH_PRACTICUM: Final = "Which practicum will I be scheduled to attend?"
Q_CHOOSE_PRACTICUM: Final = "How do I know which practicum to chose?"
Q_CONFLICT: Final = (
    "I have a meeting or other conflict that will prevent me from attending the full "
    "session. Is that OK?"
)
Q_WHEN_EXAM: Final = "When can I take the exam?"
Q_WHEN_SHOULD_EXAM: Final = "When should I take the exam?"
Q_AFTER_PASS: Final = "What happens after I pass the exam?"  # noqa: S105  # an FAQ question, not a secret
Q_PASS_RATE: Final = "What is the exam pass rate?"  # noqa: S105  # an FAQ question, not a secret
Q_ONGOING: Final = "Will I need to complete ongoing training to maintain my CPTM certification?"
Q_QUALIFIES: Final = "What type of training qualifies toward recertification?"
Q_DISCOUNTS: Final = "Are there government or group discounts?"
Q_TEAM: Final = "How can I certify my training and development team?"
Q_HIRE: Final = "How can I hire a CPTM?"


_PLACEHOLDER: Final = re.compile(r"\{([a-z_]+\.[a-z_]+)(?::([A-Za-z]+))?\}")


_ONE_ID: Final = re.compile(r"R\d+a?")
_ID_RANGE: Final = re.compile(r"R(\d+)-R(\d+)(a?)")


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


def _policy_field_names() -> tuple[str, ...]:
    from cptm_rules.policy import POLICY_KEYS  # noqa: PLC0415  # avoids an import cycle

    return tuple(POLICY_KEYS)


TEMPLATE_FORMATS: Final[Mapping[str, str]] = {
    "": "the figure as the policy spells it, ``_`` read as a space: ``2``, ``business days``",
    "ordinal": "a count as an ordinal: ``30th``",
    "day": "a day count's kind, singular: ``business day`` or ``calendar day``",
    "days": "a day count's kind, plural: ``business days`` or ``calendar days``",
    "word": "a number as a word up to ten, digits above: ``two``, ``18``",
    "Word": "the same, capitalised, to begin a title: ``Two``, ``18``",
    "weeks": "days as weeks when they divide by seven, else as days: ``six weeks``, ``45 days``",
    "Weeks": "the same, capitalised: ``Six weeks``, ``One week``, ``45 days``",
    "s": "``s`` after a noun unless the figure is 1: ``module{prework.module_count:s}``",
}
"""The formats a placeholder may ask for after its key (``{key:format}``), and what they give."""

_NUMBER_WORDS: Final = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
)


def _number_word(n: int) -> str:
    """``n`` as a word up to ten (``six``), as digits above (``18``): how titles count."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def _counted(n: int, unit: str) -> str:
    """``one week``, ``six weeks``, ``45 days``."""
    return f"{_number_word(n)} {unit}" + ("" if n == 1 else "s")


def _weeks(days: int) -> str:
    """A number of days as weeks when it divides by seven (``six weeks``), else as days."""
    weeks, rest = divmod(days, 7)
    return _counted(weeks, "week") if days and not rest else _counted(days, "day")


def _styled(value: str, style: str | None) -> str:  # noqa: PLR0911  # one answer per format
    if style == "ordinal":
        return ordinal(int(value))
    if style == "day":
        return "calendar day" if value == "calendar" else "business day"
    if style == "days":
        return "calendar days" if value == "calendar" else "business days"
    if style in {"word", "Word"}:
        word = _number_word(int(value))
        return word.capitalize() if style == "Word" else word
    if style in {"weeks", "Weeks"}:
        weeks = _weeks(int(value))
        return weeks.capitalize() if style == "Weeks" else weeks
    if style == "s":
        return "" if int(value) == 1 else "s"
    if style is not None:
        formats = ", ".join(f for f in TEMPLATE_FORMATS if f)
        msg = f"unknown placeholder format {style!r}; the formats are {formats}"
        raise ValueError(msg)
    return value.replace("_", " ")


def faq(question: str) -> Citation:
    """A citation of the FAQ by its question."""
    return Citation(document=Document.FAQ, locator=question)


def terms(clause: str) -> Citation:
    """A citation of a clause of the program's terms and conditions."""
    return Citation(document=Document.TERMS, locator=clause)


# Each family of rules is declared in its own module, beside the code that decides it;
# the families import this module's types, defined above.
from cptm_rules.rules import ALL_RULES  # noqa: E402
from cptm_rules.rules._build import ordinal  # noqa: E402  # the explanations' ordinals

RULES: Final[Mapping[str, Rule]] = {r.id: r for r in ALL_RULES}
"""Every rule by id, in catalogue order (R1 … R27)."""

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
    from cptm_rules.policy import load_policy  # noqa: PLC0415  # avoids an import cycle

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
