"""The rule catalogue: every program rule with its id, kind, statement and source.

Rule ids (``R1`` … ``R27``, plus ``R11a``) are those of the project's
``RULES.md`` and are stable: traces, errors, tests and docs use them. The rules
are stated here in the project's own words; the FAQ is cited by question.
``docs/rules.md`` is generated from this module by :func:`render_markdown`.
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
    "Citation",
    "Document",
    "FaqQuestion",
    "Rule",
    "RuleKind",
    "render_markdown",
    "rule",
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
    """One program rule."""

    id: str
    title: str
    kinds: tuple[RuleKind, ...]
    template: str = attrs.field(alias="statement")
    """The rule in the project's own words, with ``{dotted.policy_key}`` and
    ``{prices.item}`` where a figure goes: no statement hard-codes a number."""
    sources: tuple[Citation, ...]

    @property
    def statement(self) -> str:
        """The statement under the current policy and the shipped price schedule."""
        return self.statement_under()

    def statement_under(
        self, policy: Policy | None = None, prices: PriceSchedule | None = None
    ) -> str:
        """The statement with the figures of ``policy`` and ``prices`` (default: shipped)."""
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

        return _PLACEHOLDER.sub(fill, self.template)


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


_PLACEHOLDER: Final = re.compile(r"\{([a-z_]+\.[a-z_]+)(?::([a-z]+))?\}")


def _policy_field_names() -> tuple[str, ...]:
    from cptm_rules.policy import POLICY_KEYS  # noqa: PLC0415  # avoids an import cycle

    return tuple(POLICY_KEYS)


def _styled(value: str, style: str | None) -> str:
    if style == "ordinal":
        n = int(value)
        suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}"
    if style == "day":
        return "calendar day" if value == "calendar" else "business day"
    if style == "days":
        return "calendar days" if value == "calendar" else "business days"
    return value.replace("_", " ")


def _faq(question: str) -> Citation:
    return Citation(document=Document.FAQ, locator=question)


def _terms(clause: str) -> Citation:
    return Citation(document=Document.TERMS, locator=clause)


_REQ = RuleKind.REQUIREMENT
_CON = RuleKind.CONSEQUENCE
_ADV = RuleKind.ADVISORY

_RULE_LIST: Final = (
    Rule(
        id="R1",
        title="No prerequisites",
        kinds=(_REQ,),
        statement=(
            "Enrolment is open to everyone: the engine checks no experience, education or "
            "earlier credential, and never refuses an applicant for who they are."
        ),
        sources=(
            _faq(Q_PREREQUISITES),
            Citation(
                document=Document.OLDER_FAQ,
                locator="about two years in a training role is ideal but not required",
            ),
        ),
    ),
    Rule(
        id="R2",
        title="Practicum chosen at registration",
        kinds=(_REQ,),
        statement=(
            "A registration carries the email address that eLearning access goes to and "
            "exactly one practicum session (first day, last day). A missing session, a last "
            "day before the first, or a session already under way on the registration date "
            "is an error."
        ),
        sources=(_faq(Q_WHICH_PRACTICUM), _faq(Q_ACCESS)),
    ),
    Rule(
        id="R3",
        title="Lead time",
        kinds=(_ADV,),
        statement=(
            "Registering fewer than {registration.lead_time_minimum_days} days before the "
            "practicum's first day raises a strong warning; from "
            "{registration.lead_time_minimum_days} days up to (not including) the "
            "{prework.prework_recommended_days} days of R6 raises a warning that the program "
            "recommends that longer lead time."
        ),
        sources=(_faq(Q_CHOOSE_PRACTICUM),),
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
            _faq(Q_ACCESS),
            Citation(document=Document.OLDER_FAQ, locator="access within two business days"),
        ),
    ),
    Rule(
        id="R5",
        title="Ten modules with an assessment each",
        kinds=(_REQ, RuleKind.FACT),
        statement=(
            "The prework consists of {prework.module_count} modules, each closed by an "
            "assessment. For planning, the program expects {prework.module_hours_min} to "
            "{prework.module_hours_max} hours a module."
        ),
        sources=(
            _faq(Q_MODULE_TIME),
            _faq(Q_ASSESSMENTS),
            Citation(document=Document.OLDER_FAQ, locator="2 to 4 hours a module"),
        ),
    ),
    Rule(
        id="R6",
        title="Six weeks for the prework",
        kinds=(_ADV,),
        statement=(
            "A practicum that starts fewer than {prework.prework_recommended_days} days "
            "after registration leaves less prework time than the program recommends: "
            "allowed, with a warning."
        ),
        sources=(
            _faq(Q_MODULE_TIME),
            Citation(document=Document.OLDER_FAQ, locator="four weeks for the 10 modules"),
        ),
    ),
    Rule(
        id="R7",
        title="Assessments are not a gate",
        kinds=(_REQ,),
        statement=(
            "A failed or skipped module assessment never blocks completing the module, the "
            "practicum, the exam or the credential."
        ),
        sources=(_faq(Q_ASSESSMENTS),),
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
        sources=(_faq(Q_PASS_RATE), _faq(Q_MODULE_TIME)),
    ),
    Rule(
        id="R9",
        title="Free date change",
        kinds=(_CON,),
        statement=(
            "A practicum change requested on a program-local date on or before the "
            "free-change deadline costs nothing. The deadline is the "
            "{practicum.free_change_days:ordinal} {practicum.free_change_day_count:day} "
            "strictly before the first day of the session held when the change is asked "
            "for, on the policy's business calendar."
        ),
        sources=(_faq(Q_CHOOSE_PRACTICUM),),
    ),
    Rule(
        id="R10",
        title="Class change fee",
        kinds=(_CON,),
        statement=(
            "After the free-change deadline, moving to a later session costs the class "
            "change fee; moving to an earlier session stays free. The FAQ's 'less than 30 "
            "days' is read as the same deadline, counted in "
            "{practicum.free_change_day_count:days} under this policy (the terms count "
            "calendar days)."
        ),
        sources=(_faq(Q_CHOOSE_PRACTICUM), _terms("transfer less than 30 days before")),
    ),
    Rule(
        id="R11",
        title="What a change needs",
        kinds=(_REQ,),
        statement=(
            "A change must name a session different from the one held, starting after the "
            "request date, and the held session must not have started yet. Each change is "
            "judged against the session held at that moment."
        ),
        sources=(_faq(Q_CHOOSE_PRACTICUM),),
    ),
    Rule(
        id="R11a",
        title="How many free changes",
        kinds=(_CON,),
        statement=(
            "At most {practicum.free_changes} changes are free; once they are used, any "
            "later change pays the class change fee whatever its timing. Only free changes "
            "count: a change that paid the fee (R10) uses none, and a substitution (R27) is "
            "not a change."
        ),
        sources=(_terms("at most two reschedules without penalty"),),
    ),
    Rule(
        id="R12",
        title="Attend all of it",
        kinds=(_ADV,),
        statement=(
            "Missing part of the live session is discouraged: partial attendance raises an "
            "advisory to tell the instructor beforehand or to reschedule. It does not block "
            "the exam."
        ),
        sources=(_faq(Q_CONFLICT),),
    ),
    Rule(
        id="R13",
        title="Exam release",
        kinds=(_REQ,),
        statement=(
            "The exam opens on the last day of the practicum held (the whole of that "
            "program-local day counts)."
        ),
        sources=(_faq(Q_WHEN_EXAM),),
    ),
    Rule(
        id="R14",
        title="Six-month exam window",
        kinds=(_REQ,),
        statement=(
            "The last day to sit the exam is the release date plus "
            "{exam.exam_window_months} calendar months, in one step with end-of-month "
            "clamping. An attempt before release or after the last day is an error that says "
            "which, and by how many days."
        ),
        sources=(_faq(Q_WHEN_EXAM), _faq(Q_WHEN_SHOULD_EXAM)),
    ),
    Rule(
        id="R15",
        title="Retakes",
        kinds=(RuleKind.POLICY_SWITCH,),
        statement=(
            "The FAQ does not limit attempts: by default any number are allowed within the "
            "window; a policy setting may cap them."
        ),
        sources=(_faq(Q_WHEN_EXAM),),
    ),
    Rule(
        id="R16",
        title="What passing brings",
        kinds=(_CON, RuleKind.FACT),
        statement=(
            "The passing attempt's date is the certification date. Passing brings a "
            "certification packet with a certificate of achievement, a digital badge and "
            "membership of the alumni community. Fact: over 85% of those who complete the "
            "modules and the practicum pass."
        ),
        sources=(_faq(Q_AFTER_PASS), _faq(Q_PASS_RATE)),
    ),
    Rule(
        id="R17",
        title="Two-year period",
        kinds=(_REQ,),
        statement=(
            "A certification period is the half-open interval [start, start + "
            "{certification.certification_period_years} years), the years added in one step "
            "with clamping. The first starts on the certification date."
        ),
        sources=(_faq(Q_ONGOING),),
    ),
    Rule(
        id="R18",
        title="What renewal needs",
        kinds=(_REQ,),
        statement=(
            "Renewing needs at least {certification.ce_hours_required} hours of qualifying "
            "training completed inside the period and the renewal fee paid inside it. Hours "
            "never carry over."
        ),
        sources=(_faq(Q_ONGOING),),
    ),
    Rule(
        id="R19",
        title="What qualifies",
        kinds=(_REQ,),
        statement=(
            "Industry conferences, webinars and other industry-relevant training or events "
            "count, whoever provides them; the program's own alumni offerings count and are "
            "free. Training that is not industry-relevant does not count, and an activity "
            "recorded twice counts once."
        ),
        sources=(
            _faq(Q_QUALIFIES),
            _faq(Q_ONGOING),
            Citation(document=Document.RECERTIFICATION_FORM, locator="qualifying programs"),
        ),
    ),
    Rule(
        id="R20",
        title="Renewal and lapse",
        kinds=(_CON,),
        statement=(
            "A renewed period starts on the previous period's end, however early the renewal "
            "was made. A period that ends with R18 unmet leaves the credential lapsed from its "
            "end date; no grace period is stated."
        ),
        sources=(_faq(Q_ONGOING),),
    ),
    Rule(
        id="R21",
        title="Discounts",
        kinds=(_CON,),
        statement=(
            "Employees of non-profits and of government agencies, and groups of two or more "
            "registering together, are eligible for a discount. Amounts live in the price "
            "schedule. By default only the single best discount applies; a policy setting "
            "may stack them."
        ),
        sources=(_faq(Q_DISCOUNTS), _faq(Q_TEAM)),
    ),
    Rule(
        id="R22",
        title="Fees",
        kinds=(_CON,),
        statement=(
            "The class change fee is {prices.class_change_fee}. The renewal fee, the program "
            "price and the "
            "discount amounts are not public: the shipped schedule marks them unknown and a "
            "quote that needs one names it instead of showing a number. Money is an exact "
            "decimal amount with a currency."
        ),
        sources=(_terms("$400 change fee"), _faq(Q_ONGOING)),
    ),
    Rule(
        id="R23",
        title="Funding facts",
        kinds=(RuleKind.FACT,),
        statement="Four out of five CPTMs have their employer's support.",
        sources=(_faq(Q_FUNDING),),
    ),
    Rule(
        id="R24",
        title="Early cancellation",
        kinds=(_CON,),
        statement=(
            "A written cancellation within {cancellation.early_cancellation_days} days of "
            "registering, before the eLearning was first opened, is refunded in full less "
            "the administrative fee ({prices.administrative_fee}). The terms "
            "settle no other cancellation: the engine answers 'not covered' instead of "
            "guessing."
        ),
        sources=(_terms("cancellation within 5 days of registering"),),
    ),
    Rule(
        id="R25",
        title="Tuition credit",
        kinds=(_CON,),
        statement=(
            "After a cancellation the tuition stays valid toward another practicum for "
            "{cancellation.tuition_credit_years} year(s), for "
            "{cancellation.re_enrollments} re-enrollment(s)."
        ),
        sources=(_terms("tuition valid for one year, one re-enrollment"),),
    ),
    Rule(
        id="R26",
        title="No-show",
        kinds=(_CON,),
        statement="Not attending without written notice forfeits the whole course price.",
        sources=(_terms("no-show without written notice"),),
    ),
    Rule(
        id="R27",
        title="Substitution",
        kinds=(_CON,),
        statement=(
            "Another person may take the seat; inside the change-fee window of R10 that "
            "costs the class change fee."
        ),
        sources=(_terms("substitution"),),
    ),
)

RULES: Final[Mapping[str, Rule]] = {r.id: r for r in _RULE_LIST}
"""Every rule by id, in catalogue order."""

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
            "<!-- Generated by `python scripts/generate_docs.py` from src/cptm_rules/catalogue.py;"
            " do not edit by hand. -->"
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
