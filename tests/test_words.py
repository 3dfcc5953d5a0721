"""Words follow the figures: statements, hints, and errors that never show a file's values.

Issue 21: a program office's changes are policy and price files, so what the
``rules`` command says under them, and what a mistake in them says, must be right
for *their* figures, not only for the shipped ones.
"""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from cptm_rules.catalogue import RULES, Rule, RuleKind
from cptm_rules.cli import main
from cptm_rules.exceptions import PolicyError
from cptm_rules.money import Money
from cptm_rules.policy import SHORTHAND_KEYS, Policy, load_policy
from cptm_rules.pricing import PriceSchedule, load_prices
from cptm_rules.rules._words import Phrase, WordedRule

ROOT = Path(__file__).resolve().parents[1]
CURRENT = load_policy()
LEGACY = load_policy("legacy")
SHIPPED = load_prices()
USER_PRICES = load_prices(ROOT / "scenarios" / "prices" / "example-user-prices.toml")
DATED_PRICES = load_prices(ROOT / "scenarios" / "prices" / "from-2027-07.toml")
GRACE = load_policy(ROOT / "scenarios" / "policies" / "grace-period.toml")
CALENDAR_21 = load_policy(ROOT / "scenarios" / "policies" / "free-change-21-calendar-days.toml")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def statement(rule_id: str, policy: Policy = CURRENT, prices: PriceSchedule = SHIPPED) -> str:
    return RULES[rule_id].statement_under(policy, prices)


def _policy_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _policy_error(tmp_path: Path, text: str) -> PolicyError:
    with pytest.raises(PolicyError) as caught:
        load_policy(_policy_file(tmp_path, text))
    return caught.value


def _prices_error(text: str) -> PolicyError:
    with pytest.raises(PolicyError) as caught:
        PriceSchedule.from_toml(text, source="p.toml")
    return caught.value


# -- statements ---------------------------------------------------------------------------


def test_one_free_change_is_one_change_not_1_changes_R11a() -> None:
    one = CURRENT.with_overrides({"practicum.free_changes": 1})
    said = statement("R11a", one)
    assert said.startswith("At most 1 change is free; once it is used, any later change pays")
    assert "changes are free" not in said
    assert statement("R11a").startswith("At most 2 changes are free; once they are used")


def test_unlimited_free_changes_state_no_count_R11a() -> None:
    unlimited = CURRENT.with_overrides({"practicum.free_changes": "unlimited"})
    said = statement("R11a", unlimited)
    assert "At most" not in said
    assert "unlimited" not in said
    assert "only the deadline of R10 does" in said
    assert said.endswith("and a substitution (R27) is not a change.")


def test_no_grace_period_is_said_as_none_and_the_lapse_at_the_periods_end_R20() -> None:
    for policy in (CURRENT, LEGACY):
        said = statement("R20", policy)
        assert "0 days" not in said
        assert "may still be paid" not in said
        assert "followed by no grace period (the FAQ states none)" in said
        assert "the credential is lapsed from the period's end" in said


def test_a_grace_period_is_stated_with_its_days_and_fee_not_as_the_faqs_R20() -> None:
    said = statement("R20", GRACE, load_prices(ROOT / "scenarios/prices/late-renewal-fee.toml"))
    assert "a grace period of 60 days, in which the renewal fee may still be paid" in said
    assert "with the late renewal fee (50.00 USD)" in said
    assert "FAQ" not in said  # 60 days is this policy's figure, not the FAQ's
    one_day = CURRENT.with_overrides({"certification.renewal_grace_days": 1})
    assert "a grace period of 1 day, in which" in statement("R20", one_day)


def test_what_renewal_needs_names_the_grace_period_when_there_is_one_R18() -> None:
    assert (
        "paid inside it or in the grace period of 60 days after it, with the late renewal fee (R20)"
        in (statement("R18", GRACE))
    )
    assert "the renewal fee paid inside it. Hours never carry over." in statement("R18")
    assert "grace" not in statement("R18", LEGACY)


def test_a_calendar_day_deadline_is_not_counted_on_the_business_calendar_R9() -> None:
    said = statement("R9", CALENDAR_21)
    assert "the 21st calendar day strictly before the first day of the session held" in said
    assert "business calendar" not in said
    assert statement("R9").endswith(
        "when the change is asked for, on the policy's business calendar."
    )


@pytest.mark.parametrize(
    ("deadline", "words"),
    [
        ({"amount": 21, "unit": "calendar_days"}, "the 21st calendar day strictly before"),
        ({"amount": 14, "unit": "business_days"}, "the 14th business day strictly before"),
    ],
)
def test_the_faq_is_quoted_only_where_the_policy_keeps_its_figure_R10(
    deadline: dict[str, object], words: str
) -> None:
    policy = CURRENT.with_overrides({"practicum.free_change_deadline": deadline})
    said = statement("R10", policy)
    assert "FAQ" not in said
    assert "30" not in said
    assert f"The deadline is this policy's figure: {words} the first day" in said
    for faq_figure in (CURRENT, LEGACY):
        assert "The FAQ's 'less than 30 days' is read as the same deadline" in statement(
            "R10", faq_figure
        )


def test_the_fees_a_price_file_gives_are_stated_not_called_unknown_R22() -> None:
    said = statement("R22", prices=USER_PRICES)
    assert "not public" not in said
    assert "unknown" not in said
    assert "The renewal fee is 150.00 USD." in said
    assert "The program price is 2495.00 USD." in said
    assert (
        "The non-profit discount is 10%, the government discount 15% and the group discount "
        "300.00 USD." in said
    )


def test_only_the_fees_a_price_file_leaves_unknown_are_called_not_public_R22() -> None:
    priced = PriceSchedule.from_toml(
        'extends = "shipped"\nprogram_price = "2000"\n[discounts]\ngroup = "5%"\n'
    )
    said = statement("R22", prices=priced)
    assert "The program price is 2000.00 USD. The group discount is 5%." in said
    assert (
        "The renewal fee, the non-profit discount and the government discount are not public: "
        "this schedule marks them unknown" in said
    )
    one = PriceSchedule.from_toml(
        'extends = "shipped"\nprogram_price = "2000"\nrenewal_fee = "100"\n'
        '[discounts]\nnon-profit = "1%"\ngovernment = "2%"\ngroup = "3%"\n'
    )
    assert "unknown" not in statement("R22", prices=one)
    renewal = PriceSchedule.from_toml(
        'extends = "shipped"\nprogram_price = "2000"\nrenewal_fee = "100"\n'
    )
    assert (
        "The discount amounts are not public: this schedule marks them unknown and a quote that "
        "needs one names it" in statement("R22", prices=renewal)
    )


def test_one_fee_left_unknown_is_named_alone_and_a_public_fee_marked_unknown_is_said_so_R22() -> (
    None
):
    priced = PriceSchedule.from_toml(
        'extends = "shipped"\nclass_change_fee = "unknown"\nprogram_price = "2000"\n'
        '[discounts]\nnon-profit = "1%"\ngovernment = "2%"\ngroup = "3%"\n'
    )
    said = statement("R22", prices=priced)
    assert "The class change fee is marked unknown by this schedule." in said
    assert (
        "The renewal fee is not public: this schedule marks it unknown and a quote that "
        "needs it names it instead of showing a number." in said
    )
    priceless = PriceSchedule.from_toml(
        'extends = "shipped"\nprogram_price = "unknown"\nrenewal_fee = "100"\n'
        '[discounts]\nnon-profit = "1%"\ngovernment = "2%"\ngroup = "3%"\n'
    )
    assert "The program price is not public: this schedule marks it unknown" in statement(
        "R22", prices=priceless
    )


def test_the_shipped_fees_statement_reads_as_its_template_R22() -> None:
    r22 = RULES["R22"]
    plain = Rule(
        id="R22", title="Fees", kinds=(RuleKind.CONSEQUENCE,), statement=r22.template, sources=()
    )
    assert r22.statement == plain.statement_under(CURRENT, SHIPPED)
    assert "the shipped schedule marks them unknown" in r22.statement
    assert "in force" not in r22.statement


def test_a_dated_schedule_names_the_version_whose_fees_are_stated_R22() -> None:
    said = statement("R22", prices=DATED_PRICES)
    assert "The class change fee is 250.00 USD." in said
    assert "the prices from-2027-07, in force from 2027-07-01" in said
    assert "charged by the version in force on its date (R2)" in said


def _numbers(text: str) -> set[Decimal]:
    text = re.sub(r"\bR\d+a?\b", "", re.sub(r"\{[^}]*\}", "", text))
    return {Decimal(d) for d in re.findall(r"\d+(?:\.\d+)?", text)}


def test_no_wording_of_a_worded_statement_writes_a_number_into_its_text() -> None:
    worded = [r for r in RULES.values() if isinstance(r, WordedRule)]
    assert {r.id for r in worded} >= {"R9", "R10", "R11a", "R18", "R20"}
    for rule in worded:
        for template in rule.templates:
            quoted = {Decimal(30)} if rule.id == "R10" else set()  # the FAQ's own words
            assert _numbers(template) <= quoted, (rule.id, template)


@pytest.mark.parametrize(
    "policy",
    [CURRENT, LEGACY, GRACE, CALENDAR_21, CURRENT.with_overrides({"practicum.free_changes": 1})],
    ids=["current", "legacy", "grace", "calendar-21", "one-change"],
)
def test_every_statement_renders_under_each_policy_with_no_slot_left(policy: Policy) -> None:
    for rule in RULES.values():
        for prices in (SHIPPED, USER_PRICES, DATED_PRICES):
            said = rule.statement_under(policy, prices)
            assert not re.search(r"<[a-z_]+>|\{[a-z_.:A-Z]+\}", said), (rule.id, said)


def test_a_worded_rule_shows_the_figures_of_every_wording_R18_R20() -> None:
    assert "certification.renewal_grace_days" in RULES["R18"].figure_keys
    assert {"certification.renewal_grace_days", "prices.late_renewal_fee"} <= set(
        RULES["R20"].figure_keys
    )
    assert "practicum.free_change_deadline" in RULES["R10"].figure_keys
    assert {"prices.renewal_fee", "prices.program_price"} <= set(RULES["R22"].figure_keys)


def test_a_worded_rule_refuses_a_slot_without_its_phrase() -> None:
    with pytest.raises(ValueError, match=r"slots \['grace'\] are not its phrases \['lapse'\]"):
        WordedRule(
            id="R20",
            title="x",
            kinds=(RuleKind.FACT,),
            statement="<grace>",
            sources=(),
            phrases=(Phrase(slot="lapse", case=lambda _p, _s: "a", wordings=(("a", ""),)),),
        )
    odd = WordedRule(
        id="R20",
        title="x",
        kinds=(RuleKind.FACT,),
        statement="<grace>",
        sources=(),
        phrases=(Phrase(slot="grace", case=lambda _p, _s: "b", wordings=(("a", ""),)),),
    )
    with pytest.raises(ValueError, match=r"phrase <grace> has no wording for the case 'b'"):
        _ = odd.statement


# -- rules --json: the prices each rule charges -------------------------------------------


def test_rules_json_gives_each_rule_the_prices_it_charges_under_the_prices_given_R10_R15_R20() -> (
    None
):
    retake = ROOT / "scenarios" / "prices" / "retake-fee.toml"
    status, out, _ = run("rules", "--json", "--prices", str(retake))
    assert status == 0
    rules = {r["id"]: r for r in json.loads(out)}
    assert rules["R15"]["prices"] == {"retake_fee": "75.00 USD"}
    assert rules["R10"]["prices"] == {"class_change_fee": "400.00 USD"}
    # Paid in the grace period, the renewal fee is charged with the late renewal fee.
    assert rules["R20"]["prices"] == {
        "late_renewal_fee": "unknown late_renewal_fee",
        "renewal_fee": "unknown renewal_fee",
    }
    assert rules["R24"]["prices"] == {"administrative_fee": "100.00 USD"}
    assert rules["R28"]["prices"] == {"late_registration_fee": "0.00 USD"}
    assert rules["R1"]["prices"] == {}
    # The key is added: every key the JSON had before is still there.
    before = {"id", "title", "kinds", "statement", "statements", "titles", "sources", "figures"}
    assert all(before | {"code", "tests", "scenarios", "prices"} == set(r) for r in rules.values())


def test_rules_json_gives_the_discounts_and_prices_a_user_schedule_states_R21_R22() -> None:
    status, out, _ = run("rules", "--json", "--prices", str(USER_PRICES.origin))
    assert status == 0
    rules = {r["id"]: r for r in json.loads(out)}
    r21 = rules["R21"]["prices"]
    assert r21["program_price"] == "2495.00 USD"
    assert r21["discounts.group"] == "300.00 USD"
    assert r21["discounts.non-profit"] == "10%"
    assert rules["R22"]["prices"]["renewal_fee"] == "150.00 USD"
    assert "The renewal fee is 150.00 USD." in rules["R22"]["statement"]


def test_rules_json_prices_match_the_schedule_figure_by_figure() -> None:
    _, out, _ = run("rules", "--json")
    for entry in json.loads(out):
        for item, value in entry["prices"].items():
            if item.startswith("discounts."):
                continue
            amount = getattr(SHIPPED, item)
            assert value == (str(amount) if isinstance(amount, Money) else f"unknown {item}")


# -- hints --------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["late_renewal_fee", "renewal_late_fee", "late_fee"])
def test_a_late_renewal_fee_in_a_policy_file_points_to_the_grace_period_R20(
    tmp_path: Path, key: str
) -> None:
    error = _policy_error(tmp_path, f'extends = "current"\n[certification]\n{key} = "50"\n')
    assert error.value == "<unknown key>"
    assert "docs/policy.md#a-grace-period" in error.expected
    assert "late_renewal_fee, an item of a price file, not a policy key" in error.expected
    assert "late-registration" not in error.expected


def test_a_late_registration_fee_still_points_to_its_own_section_R28(tmp_path: Path) -> None:
    error = _policy_error(tmp_path, 'extends = "current"\n[registration]\nlate_fee = "50"\n')
    assert "docs/policy.md#a-late-registration-fee" in error.expected


@pytest.mark.parametrize(
    "key", ["webinar_cap", "max_webinar_hours", "webinar_max_hours", "conference_hours_limit"]
)
def test_a_cap_on_one_category_points_to_the_category_limits_R18(tmp_path: Path, key: str) -> None:
    error = _policy_error(tmp_path, f'extends = "current"\n[certification]\n{key} = 5\n')
    assert error.value == "<unknown key>"
    assert (
        "for a cap on a category's hours see docs/policy.md#a-cap-on-a-category" in error.expected
    )


def test_an_unknown_table_is_named_with_a_hint_and_never_echoed_R20(tmp_path: Path) -> None:
    error = _policy_error(tmp_path, 'extends = "current"\n[renewal]\ngrace_days = 60\n')
    message = str(error)
    assert error.key == "renewal"
    assert error.value == "<unknown table>"
    assert "60" not in message
    assert "{" not in message
    assert "a table among [registration], [prework]" in message
    assert "for its key grace_days: for a grace period see docs/policy.md#a-grace-period" in message
    typo = _policy_error(tmp_path, 'extends = "current"\n[certificaton]\nsecret = "s3cr3t"\n')
    assert "s3cr3t" not in str(typo)
    assert "did you mean certification?" in str(typo)


def test_a_known_key_written_as_a_table_of_its_own_is_pointed_to_its_table_R24(
    tmp_path: Path,
) -> None:
    error = _policy_error(tmp_path, 'extends = "current"\n[refund_tiers]\nrefund = "50%"\n')
    assert error.value == "<unknown table>"
    assert "did you mean cancellation.refund_tiers (under [cancellation] in a file)?" in (
        error.expected
    )
    assert "50%" not in str(error)


def test_a_minimum_from_one_category_points_to_the_category_limits_R18(tmp_path: Path) -> None:
    error = _policy_error(tmp_path, 'extends = "current"\n[certification]\nmin_course_hours = 5\n')
    assert "the fewest hours a period needs from a group of categories" in error.expected
    assert "docs/policy.md#a-cap-on-a-category" in error.expected


def test_an_unknown_top_level_key_is_never_echoed(tmp_path: Path) -> None:
    error = _policy_error(tmp_path, 'extends = "current"\ncolour = "secret-value-123"\n')
    assert "secret-value-123" not in str(error)
    assert error.value == "<unknown key>"


@pytest.mark.parametrize(
    ("key", "deadline", "unit"),
    [
        ("certification.certification_period_months", "certification_period", '"months"'),
        ("certification.certification_period_days", "certification_period", "…"),
        ("exam.exam_window_days", "exam_window", "…"),
        ("exam.exam_window_years", "exam_window", "…"),
        ("practicum.free_change_weeks", "free_change_deadline", "…"),
        ("practicum.free_change_business_days", "free_change_deadline", '"business_days"'),
        ("cancellation.tuition_credit_months", "tuition_credit", '"months"'),
        ("cancellation.early_cancellation_business_days", "early_cancellation", "…"),
    ],
)
def test_a_deadline_named_in_another_unit_points_to_the_deadline_shape_R14_R17(
    tmp_path: Path, key: str, deadline: str, unit: str
) -> None:
    section, _, name = key.partition(".")
    error = _policy_error(tmp_path, f'extends = "current"\n[{section}]\n{name} = 18\n')
    assert error.value == "<unknown key>"
    assert f"{section}.{deadline} is a deadline" in error.expected
    assert f"{deadline} = {{ amount = …, unit = {unit} }} under [{section}]" in error.expected
    assert "docs/policy.md#deadlines" in error.expected
    assert "did you mean" not in error.expected
    assert "18" not in error.expected  # neither the file's value nor a key in another unit
    older = {key.rpartition(".")[2] for key in SHORTHAND_KEYS}
    assert [k for k in older if k in error.expected] == []


def test_a_figure_counted_in_one_unit_is_not_suggested_in_another_R20(tmp_path: Path) -> None:
    error = _policy_error(
        tmp_path, 'extends = "current"\n[certification]\nrenewal_grace_months = 2\n'
    )
    assert "certification.renewal_grace_days is the figure, counted in days only" in error.expected
    assert "did you mean" not in error.expected


def test_a_typo_of_a_key_is_still_suggested(tmp_path: Path) -> None:
    error = _policy_error(tmp_path, 'extends = "current"\n[exam]\nexam_window_month = 6\n')
    assert "did you mean exam.exam_window_months" in error.expected


# -- price files and deadlines: no value echoed, nothing reads "None" ---------------------


def test_an_unknown_price_key_is_never_echoed_R22() -> None:
    error = _prices_error("extends = \"shipped\"\nfoo = 'secret-value-123'\n")
    assert "secret-value-123" not in str(error)
    assert error.value == "<unknown key>"
    assert "a key among extends, administrative_fee" in error.expected


def test_an_unknown_price_table_and_discount_are_never_echoed_R21() -> None:
    table = _prices_error('extends = "shipped"\n[renewal]\nlate_fee = "secret-9"\n')
    assert "secret-9" not in str(table)
    assert table.value == "<unknown table>"
    assert "docs/policy.md#a-grace-period" in table.expected
    discount = _prices_error('extends = "shipped"\n[discounts]\nstudent = "secret-7"\n')
    assert "secret-7" not in str(discount)
    assert discount.key == "discounts.student"


def test_a_deadline_without_a_unit_or_an_amount_says_so_not_none_R14() -> None:
    with pytest.raises(PolicyError) as caught:
        CURRENT.with_overrides({"exam.exam_window": {"amount": 6}})
    assert "None" not in caught.value.expected
    assert caught.value.expected.endswith("(the exam window, R14), no unit given")
    with pytest.raises(PolicyError) as caught:
        CURRENT.with_overrides({"exam.exam_window": {"unit": "months"}})
    assert "None" not in caught.value.expected
    assert caught.value.expected.endswith("from 1 to 120, no amount given")
