"""What a rule declaration is made of: its kinds, citations, FAQ questions and templates.

Each family of rules (:mod:`cptm_rules.rules`) declares its rules with these types,
beside the code that decides them; :mod:`cptm_rules.catalogue` gathers every
family's rules by id. This module imports no family, so that the families and the
catalogue import it without a cycle. One import goes upward, on purpose: a rule
made by hand, outside the catalogue, finds the shipped figures through the
catalogue when asked for them (:meth:`Rule.chosen`; ``docs/design.md``, "Layers").
"""

from __future__ import annotations

import enum
import re
from typing import TYPE_CHECKING, Final, Protocol

import attrs

from cptm_rules.figures import Deadline
from cptm_rules.money import amount_text

if TYPE_CHECKING:
    from collections.abc import Mapping

    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule

__all__ = [
    "TEMPLATE_FORMATS",
    "Citation",
    "Document",
    "FaqQuestion",
    "InForce",
    "InForceTest",
    "Rule",
    "RuleKind",
    "ShippedFigures",
    "faq",
    "ordinal",
    "terms",
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


class InForceTest(Protocol):
    """A family's test of whether a policy and a price schedule put a rule in force."""

    def __call__(self, policy: Policy, prices: PriceSchedule, /) -> bool:
        """Whether ``policy`` and ``prices`` put the verdicts in force."""
        ...


@attrs.frozen(kw_only=True)
class InForce:
    """When some of a rule's verdicts can be answered at all: a policy switch's test.

    A rule the sources do not state ships out of force (R28's late fee, R15's
    retake fee): a figure and a price put it in force. Its declaration names the
    test its formula reads, so that coverage knows, from the declarations, which
    verdicts no candidate can have under a policy and a price schedule
    (:func:`cptm_rules.rule_coverage.out_of_force_verdicts`).
    """

    verdicts: tuple[str, ...]
    """The rule's verdicts no answer can have while :attr:`when` is false."""
    when: InForceTest
    """Whether a policy and a price schedule put those verdicts in force (the family's
    own test, the one its formula reads: ``late_registration_in_force``)."""
    off: str
    """What puts them out of force, in words: ``0 days or a zero fee``."""


def _in_force_verdicts_declared(
    rule: Rule, _: attrs.Attribute[tuple[InForce, ...]], value: tuple[InForce, ...]
) -> None:
    """An in-force test gates one or more of its rule's declared verdicts (a declaration's typo)."""
    for gate in value:
        unknown = [v for v in gate.verdicts if v not in rule.verdicts]
        if not gate.verdicts or unknown:
            msg = (
                f"{rule.id}: in_force gates verdicts {gate.verdicts!r}; expected one or "
                f"more of its declared verdicts {rule.verdicts!r}"
            )
            raise ValueError(msg)


@attrs.frozen(kw_only=True)
class Rule:
    """One program rule.

    Its title and its statement are templates over the policy's figures and the
    price schedule: ``{dotted.policy_key}`` or ``{prices.item}`` where a figure
    goes, with an optional format after a colon (:data:`~cptm_rules.declarations.TEMPLATE_FORMATS`).
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
    in_force: tuple[InForce, ...] = attrs.field(default=(), validator=_in_force_verdicts_declared)
    """When some of its verdicts are in force (none: always): a rule a policy switches
    on or off declares the test here, beside its figure and its fee."""
    shipped_figures: ShippedFigures | None = attrs.field(default=None, eq=False, repr=False)
    """Where the rule finds the current policy and the shipped prices when it is given
    none: the rules of :data:`cptm_rules.catalogue.RULES` have the catalogue's loader.
    The families sit below the policy, which is built from their figures, so their own
    declarations leave it unset; a rule without it loads the shipped figures through
    the catalogue when asked for them."""

    def out_of_force(self, policy: Policy, prices: PriceSchedule) -> tuple[str, ...]:
        """The verdicts ``policy`` and ``prices`` put out of force: no answer can have them."""
        off = {v for gate in self.in_force if not gate.when(policy, prices) for v in gate.verdicts}
        return tuple(v for v in self.verdicts if v in off)

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
        if "{" not in self.title_template:
            return self.title_template
        return _render(self.title_template, *self.chosen(policy, prices))

    def statement_under(
        self, policy: Policy | None = None, prices: PriceSchedule | None = None
    ) -> str:
        """The statement with the figures of ``policy`` and ``prices`` (default: shipped)."""
        if "{" not in self.template:
            return self.template
        return _render(self.template, *self.chosen(policy, prices))

    def chosen(
        self, policy: Policy | None, prices: PriceSchedule | None
    ) -> tuple[Policy, PriceSchedule]:
        """``policy`` and ``prices``, the shipped ones where either is ``None``."""
        if policy is not None and prices is not None:
            return policy, prices
        if self.shipped_figures is not None:
            shipped_policy, shipped_prices = self.shipped_figures()
        else:
            # A rule made by hand, outside the catalogue, keeps the default it always had.
            # An upward import, on purpose: the package's own rules come from the
            # catalogue, which gives them the loader (docs/design.md, "Layers").
            from cptm_rules.catalogue import shipped_figures  # noqa: PLC0415

            shipped_policy, shipped_prices = shipped_figures()
        return (
            shipped_policy if policy is None else policy,
            shipped_prices if prices is None else prices,
        )


class ShippedFigures(Protocol):
    """Gives the current policy and the shipped price schedule (the catalogue's loader)."""

    def __call__(self) -> tuple[Policy, PriceSchedule]:
        """The current policy and the shipped price schedule."""
        ...


def _render(template: str, policy: Policy, prices: PriceSchedule) -> str:
    """``template`` with each placeholder replaced by its figure, in its format."""
    if "{" not in template:
        return template
    figures = policy.figures_by_key()

    def fill(match: re.Match[str]) -> str:
        key, style = match.group(1), match.group(2)
        if key.startswith("prices."):
            return amount_text(getattr(prices, key.removeprefix("prices.")))
        value = getattr(policy, key.partition(".")[2], None)
        if isinstance(value, Deadline):
            return _styled_deadline(value, style)
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
    "counted": "a deadline with how it counts: ``6 calendar months, in one step with "
    "end-of-month clamping``",
    "from": "what a deadline counts from: ``the release date``, ``the practicum's first day``",
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


_UNIT_NAMES: Final = {
    "hours": ("hour", "hours"),
    "calendar_days": ("calendar day", "calendar days"),
    "business_days": ("business day", "business days"),
    "months": ("month", "months"),
    "years": ("year", "years"),
}


def _styled_deadline(value: Deadline, style: str | None) -> str:  # noqa: PLR0911  # one answer per format
    """A deadline in a template: its words (``42 days``, ``2 hours``) or a format of them."""
    one, many = _UNIT_NAMES[value.unit]
    calendar_days = value.unit == "calendar_days"
    if style in {"day", "days"}:
        return one if style == "day" else many
    if style in {"word", "Word"}:
        word = f"{_number_word(value.amount)}-{one.removeprefix('calendar ').replace(' ', '-')}"
        return word.capitalize() if style == "Word" else word
    if style in {"weeks", "Weeks"} and not calendar_days:
        return value.words().capitalize() if style == "Weeks" else value.words()
    if style == "counted":
        counted = f"{value.amount} {one if value.amount == 1 else many}"
        if value.unit == "months":
            counted = f"{value.amount} calendar {one if value.amount == 1 else many}"
        if value.unit in {"months", "years"}:
            return f"{counted}, in one step with end-of-month clamping"
        if value.unit == "business_days":
            return f"{counted} on the policy's business calendar"
        return counted
    if style == "from":
        return value.anchor_words()
    if style is None:
        return value.words()
    return _styled(str(value.amount), style)


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


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``11th``, ``30th``."""
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def faq(question: str) -> Citation:
    """A citation of the FAQ by its question."""
    return Citation(document=Document.FAQ, locator=question)


def terms(clause: str) -> Citation:
    """A citation of a clause of the program's terms and conditions."""
    return Citation(document=Document.TERMS, locator=clause)
