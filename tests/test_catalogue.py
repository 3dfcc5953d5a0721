from __future__ import annotations

import ast
import re
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import pytest

from cptm_rules.catalogue import FAQ_QUESTIONS, RULES, Document, RuleKind, rule
from cptm_rules.docs import generated_pages
from cptm_rules.exceptions import InvalidInputError
from cptm_rules.figures import Deadline
from cptm_rules.money import Money
from cptm_rules.policy import figure_fields

if TYPE_CHECKING:
    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule

ROOT = Path(__file__).resolve().parents[1]
# The FAQ's questions, kept in the repository (docs/sources/README.md says where from).
FAQ_QUESTIONS_FILE = ROOT / "docs" / "sources" / "faq-questions.txt"
EXPECTED_IDS = [f"R{n}" for n in range(1, 28)] + ["R11a"]


def test_the_catalogue_holds_every_rule_r1_to_r27_and_r11a() -> None:
    # None of the program's rules may go missing; a new rule (R28, ...) may be added.
    assert set(EXPECTED_IDS) <= set(RULES)
    assert all(re.fullmatch(r"R\d+a?", rule_id) for rule_id in RULES)
    for r in RULES.values():
        assert r.title
        assert r.kinds
        assert r.sources
        assert len(r.statement) > 30


def test_rule_kinds_follow_the_rules_document() -> None:
    assert RULES["R3"].kinds == (RuleKind.ADVISORY,)
    assert RULES["R4"].kinds == (RuleKind.SERVICE_LEVEL,)
    assert RULES["R5"].kinds == (RuleKind.REQUIREMENT, RuleKind.FACT)
    assert RULES["R8"].kinds == (RuleKind.POLICY_SWITCH,)
    assert RULES["R23"].kinds == (RuleKind.FACT,)
    assert RULES["R24"].sources[0].document is Document.TERMS


def test_generated_docs_are_up_to_date() -> None:
    for relative, text in generated_pages(ROOT).items():
        on_disk = (ROOT / relative).read_text(encoding="utf-8")
        assert on_disk == text, f"{relative} is stale: run python scripts/generate_docs.py"


def test_every_rule_id_is_referenced_by_some_test() -> None:
    test_text = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (ROOT / "tests").glob("test_*.py")
        if p.name != "test_catalogue.py"
    )
    # An id counts when it stands alone or ends a test name (..._R9), not inside R11a for R11.
    unreferenced = [
        i for i in EXPECTED_IDS if not re.search(rf"(?<![A-Za-z0-9]){i}(?![0-9a-z])", test_text)
    ]
    assert unreferenced == []


def test_every_faq_question_is_accounted_for_by_a_rule_or_a_no_rule_entry() -> None:
    asked = FAQ_QUESTIONS_FILE.read_text(encoding="utf-8").splitlines()
    assert len(asked) == 19
    accounted = {q.question for q in FAQ_QUESTIONS}
    assert [q for q in asked if q not in accounted] == []
    assert len(asked) == len(FAQ_QUESTIONS)
    for q in FAQ_QUESTIONS:
        assert q.rule_ids or q.no_rule_reason, q.question
        assert all(i in RULES for i in q.rule_ids)


def test_every_faq_citation_in_the_catalogue_names_a_real_question() -> None:
    questions = {q.question for q in FAQ_QUESTIONS}
    for r in RULES.values():
        for citation in r.sources:
            if citation.document is Document.FAQ:
                assert citation.locator in questions, (r.id, citation.locator)
                assert str(citation) == f'FAQ: "{citation.locator}"'
            else:
                assert str(citation).startswith(f"{citation.document}: ")


def test_looking_up_an_unknown_rule_names_the_valid_ids() -> None:
    assert rule("R11a").title == "How many free changes"
    with pytest.raises(InvalidInputError, match=r"rule_id='R99' .*R1, R2"):
        rule("R99")


def test_no_test_reads_outside_the_repository() -> None:
    # A user's clone has nothing beside it: a path climbing out of the repo would fail there.
    climbing = ("ROOT" + ".parent", "parents[" + "2]", '"sha' + 'red"', "../" + "sha" + "red")
    for path in (ROOT / "tests").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert [c for c in climbing if c in text] == [], path.name


def test_every_rule_id_the_code_names_is_in_the_catalogue() -> None:
    # Decisions, advisories, effects, errors and docstrings name rules by id; a typo such
    # as "R29" or "R11b" would cite a rule that does not exist.
    token = re.compile(r"(?<![A-Za-z0-9_])R\d+[a-z]?(?![A-Za-z0-9_])")
    unknown = [
        (path.name, node.lineno, found)
        for path in sorted((ROOT / "src" / "cptm_rules").rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        for found in token.findall(node.value)
        if found not in RULES
    ]
    assert unknown == []


def test_a_scenario_that_expects_an_unknown_rule_is_refused(tmp_path: Path) -> None:
    from cptm_rules.exceptions import ScenarioError  # noqa: PLC0415
    from cptm_rules.scenarios import load_scenarios  # noqa: PLC0415

    path = tmp_path / "x.scenarios.toml"
    path.write_text(
        '[[scenario]]\nname = "x"\n  [[scenario.events]]\n  type = "register"\n'
        '  registered_at = 2026-11-02T09:30:00-05:00\n  practicum = "2027-01-11..2027-01-14"\n'
        '  expect = { decisions = ["R1 accepted", "R29 practicum_chosen"] }\n',
        encoding="utf-8",
    )
    with pytest.raises(
        ScenarioError, match=r"decisions: 'R29' is not a rule id .*did you mean R\d"
    ):
        load_scenarios(path)
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            'decisions = ["R1 accepted", "R29 practicum_chosen"]', 'error_rule = "R11b"'
        ),
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match=r"error_rule: 'R11b' is not a rule id"):
        load_scenarios(path)


def test_a_statement_is_rendered_from_the_policy_figures_not_written_into_the_text() -> None:
    from cptm_rules.policy import load_policy  # noqa: PLC0415
    from cptm_rules.pricing import PriceSchedule  # noqa: PLC0415

    board = load_policy().with_overrides(
        {"practicum.free_change_days": 20, "practicum.free_change_day_count": "calendar"}
    )
    assert "the 30th business day strictly before" in rule("R9").statement
    assert "the 20th calendar day strictly before" in rule("R9").statement_under(board)
    assert "within 2 business days" in rule("R4").statement_under(load_policy("legacy"))
    dearer = PriceSchedule.from_toml('extends = "shipped"\nclass_change_fee = "450"\n')
    assert "The class change fee is 450.00 USD." in rule("R22").statement_under(prices=dearer)
    figures = re.compile(r"\b(30th|400|\$|24 hours|two hours|six calendar months)\b")
    assert [r.id for r in RULES.values() if figures.search(r.template)] == []


# -- titles and statements read the figures ------------------------------------------------


def _test_policies() -> dict[str, Policy]:
    """The shipped policies, and two whose figures no title may hard-code."""
    from cptm_rules.policy import load_policy  # noqa: PLC0415

    current = load_policy()
    return {
        "current": current,
        "legacy": load_policy("legacy"),
        "board": current.with_overrides(
            {
                "certification.certification_period_years": 3,
                "exam.exam_window_months": 18,
                "prework.module_count": 12,
                "prework.prework_recommended_days": 45,
                "pricing.group_min_size": 3,
                "practicum.free_changes": 1,
            }
        ),
        "single": current.with_overrides(
            {
                "certification.certification_period_years": 1,
                "exam.exam_window_months": 1,
                "prework.module_count": 1,
                "prework.prework_recommended_days": 7,
            }
        ),
    }


FIGURE_TITLES = {
    "current": (
        "Ten modules with an assessment each",
        "Six weeks for the prework",
        "Six-month exam window",
        "Two-year period",
    ),
    "legacy": (
        "Ten modules with an assessment each",
        "Four weeks for the prework",
        "Six-month exam window",
        "Two-year period",
    ),
    "board": (
        "12 modules with an assessment each",
        "45 days for the prework",
        "18-month exam window",
        "Three-year period",
    ),
    "single": (
        "One module with an assessment each",
        "One week for the prework",
        "One-month exam window",
        "One-year period",
    ),
}


@pytest.mark.parametrize("name", list(FIGURE_TITLES))
def test_a_title_is_rendered_from_the_policy_figures_R5_R6_R14_R17(name: str) -> None:
    policy = _test_policies()[name]
    titles = tuple(rule(i).title_under(policy) for i in ("R5", "R6", "R14", "R17"))
    assert titles == FIGURE_TITLES[name]
    if name == "current":
        assert titles == tuple(rule(i).title for i in ("R5", "R6", "R14", "R17"))


def test_a_three_year_policy_reads_three_years_in_its_title_and_statement_R17() -> None:
    board = _test_policies()["board"]
    assert rule("R17").title_under(board) == "Three-year period"
    assert "[start, start + 3 years)" in rule("R17").statement_under(board)
    assert rule("R14").title_under(board) == "18-month exam window"
    assert "groups of three or more" in rule("R21").statement_under(board)
    assert "groups of two or more" in rule("R21").statement


_NUMBER_WORDS = {
    word: n
    for n, word in enumerate(
        (
            *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
            *("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen"),
            *("seventeen", "eighteen", "nineteen", "twenty"),
        )
    )
}
# Numbers a text states that are no policy figure: a quotation of a source, a fact, a clock.
FIXED_NUMBERS = {
    "R4": {23, 59},  # business days end at 23:59:59
    "R10": {30},  # the FAQ's own words, 'less than 30 days'
    "R16": {85},  # over 85% pass
    "R23": {4, 5},  # four out of five CPTMs
}


def _numbers_in(text: str, *, words: bool) -> set[Decimal]:
    """The numbers a text states, as digits or (``words``) as words; rule ids are no numbers."""
    text = re.sub(r"\bR\d+a?\b", "", text)
    found = {Decimal(d) for d in re.findall(r"\d+(?:\.\d+)?", text)}
    if words:
        found |= {
            Decimal(_NUMBER_WORDS[w])
            for w in re.findall(r"[a-z]+", text.lower())
            if w in _NUMBER_WORDS
        }
    return found


def _figure_values(keys: tuple[str, ...], policy: Policy, prices: PriceSchedule) -> set[Decimal]:
    """The numbers the figures ``keys`` give: a count, its weeks, an amount."""
    values: set[Decimal] = set()
    figures = dict(policy.figures(*(f.name for f in figure_fields())))
    for key in keys:
        deadline = getattr(policy, key.partition(".")[2], None)
        if isinstance(deadline, Deadline):
            values |= {Decimal(deadline.amount), Decimal(deadline.amount) / 7}
        elif key.startswith("prices."):
            amount = getattr(prices, key.removeprefix("prices."))
            values.add(Decimal(str(amount.amount)) if isinstance(amount, Money) else Decimal(-1))
        elif (text := figures[key]).isdigit() or text.replace(".", "", 1).isdigit():
            values |= {Decimal(text), Decimal(text) / 7}
    return values


def test_no_title_or_statement_names_a_number_its_figures_do_not_give() -> None:
    from cptm_rules.pricing import load_prices  # noqa: PLC0415

    prices = load_prices()
    for name, policy in _test_policies().items():
        for r in RULES.values():
            given = _figure_values(r.figure_keys, policy, prices)
            allowed = given | {Decimal(n) for n in FIXED_NUMBERS.get(r.id, ())}
            # "one" reads as a number in a title; in a statement it is mostly a pronoun
            # ("the one held"), and the statements' counts are placeholders.
            title = _numbers_in(r.title_under(policy), words=True)
            statement = _numbers_in(r.statement_under(policy, prices), words=False)
            assert title <= allowed, (name, r.id, r.title_under(policy))
            assert statement <= allowed, (name, r.id, r.statement_under(policy, prices))
            words = _numbers_in(re.sub(r"\{[^}]*\}", "", r.template), words=True) - {Decimal(1)}
            assert words <= allowed, (r.id, r.template)


def test_a_title_that_states_a_number_takes_it_from_a_figure() -> None:
    for r in RULES.values():
        fixed = re.sub(r"\{[^}]*\}", "", r.title_template)
        assert _numbers_in(fixed, words=True) == set(), (r.id, r.title_template)


def test_an_unknown_placeholder_format_is_refused_when_rendered() -> None:
    from cptm_rules.catalogue import TEMPLATE_FORMATS, Rule  # noqa: PLC0415

    bad = Rule(
        id="R1",
        title="{exam.exam_window_months:Months} window",
        kinds=(RuleKind.FACT,),
        statement="x",
        sources=(),
    )
    with pytest.raises(ValueError, match=r"unknown placeholder format 'Months'; the formats are"):
        _ = bad.title
    assert {"word", "Word", "weeks", "Weeks", "s", "ordinal"} <= set(TEMPLATE_FORMATS)
    assert bad.figure_keys == ("exam.exam_window_months",)


def test_the_catalogue_page_shows_a_title_that_differs_under_the_legacy_policy_R6() -> None:
    page = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert "## R6 Six weeks for the prework" in page
    assert "*Title under the legacy policy:* Four weeks for the prework" in page


def test_every_catalogue_rule_knows_the_shipped_figures_and_a_familys_own_reads_the_same() -> None:
    from cptm_rules import catalogue  # noqa: PLC0415
    from cptm_rules.policy import load_policy  # noqa: PLC0415
    from cptm_rules.pricing import load_prices  # noqa: PLC0415
    from cptm_rules.rules import ALL_RULES  # noqa: PLC0415

    assert all(r.shipped_figures is catalogue.shipped_figures for r in RULES.values())
    assert catalogue.shipped_figures() == (load_policy(), load_prices())
    legacy = load_policy("legacy")
    for own in ALL_RULES:  # as its family declares it: no loader, the catalogue's figures
        assert own.shipped_figures is None
        assert own == RULES[own.id]  # the loader is no part of a rule's value
        assert own.statement == RULES[own.id].statement
        assert own.title_under(legacy) == RULES[own.id].title_under(legacy)


def test_a_rule_given_a_policy_and_prices_renders_under_them_loading_no_shipped_ones() -> None:
    from cptm_rules.policy import load_policy  # noqa: PLC0415
    from cptm_rules.pricing import load_prices  # noqa: PLC0415

    asked: list[str] = []

    def loader() -> tuple[Policy, PriceSchedule]:
        asked.append("shipped")
        return load_policy(), load_prices()

    legacy, prices = load_policy("legacy"), load_prices()
    r4 = attrs.evolve(RULES["R4"], shipped_figures=loader)
    assert "within 2 business days" in r4.statement_under(legacy, prices)
    assert asked == []
    assert r4.statement_under(legacy) == RULES["R4"].statement_under(legacy)  # prices: shipped
    assert asked == ["shipped"]
