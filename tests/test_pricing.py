from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cptm_rules.exceptions import InvalidInputError, PolicyError
from cptm_rules.money import Money, UnknownAmount
from cptm_rules.policy import load_policy
from cptm_rules.pricing import Discount, PriceSchedule, eligible_discounts, load_prices, quote
from cptm_rules.vocabulary import DiscountKind, OrganisationType
from errors import raises_exactly

if TYPE_CHECKING:
    from pathlib import Path

CURRENT = load_policy()
STACKING = CURRENT.with_overrides({"pricing.discount_stacking": True})
KNOWN = PriceSchedule.from_toml(
    'extends = "shipped"\nprogram_price = "2495"\nrenewal_fee = "150"\n'
    '[discounts]\nnon-profit = "10%"\ngovernment = "15%"\ngroup = "300"\n',
    source="known.toml",
)


def test_the_shipped_schedule_gives_only_sourced_figures_R22() -> None:
    shipped = load_prices()
    assert shipped.class_change_fee == Money.of("400")
    assert shipped.administrative_fee == Money.of("100")
    assert shipped.program_price == UnknownAmount(item="program_price")
    assert shipped.renewal_fee == UnknownAmount(item="renewal_fee")
    for kind in DiscountKind:
        assert shipped.discount(kind) == UnknownAmount(item=f"discounts.{kind}")


def test_a_quote_that_needs_an_unknown_figure_names_it_and_shows_no_number_R22() -> None:
    result = quote(organisation="non-profit", group_size=3, policy=CURRENT, prices=load_prices())
    assert result.total == UnknownAmount(item="program_price")
    assert result.missing == ("program_price", "discounts.non-profit", "discounts.group")
    assert not any(isinstance(line.amount, Money) for line in result.lines)
    assert [(line.label, line.rule_id, line.is_discount) for line in result.lines] == [
        ("program price", "R22", False),
        ("non-profit discount", "R21", True),
        ("group discount", "R21", True),
    ]
    assert "missing figure: program_price" in result.explain()


def test_a_user_schedule_makes_totals_exact_R21_R22() -> None:
    result = quote(policy=CURRENT, prices=KNOWN)
    assert result.per_seat == Money.of("2495.00")
    assert result.total == Money.of("2495.00")
    assert result.missing == ()


def test_a_group_of_one_gets_no_group_discount_R21() -> None:
    result = quote(group_size=1, policy=CURRENT, prices=KNOWN)
    assert [line.label for line in result.lines] == ["program price"]
    assert (DiscountKind.GROUP, "a group of 1 is below the minimum of 2") in result.not_applied


def test_a_nonprofit_employee_in_a_group_of_three_gets_the_best_single_discount_R21() -> None:
    result = quote(organisation="non-profit", group_size=3, policy=CURRENT, prices=KNOWN)
    discounts = [(line.label, line.amount) for line in result.lines if line.is_discount]
    assert discounts == [("group discount", Money.of("300"))]  # 300 > 10% of 2495
    assert result.per_seat == Money.of("2195.00")
    assert result.total == Money.of("6585.00")
    reasons = dict(result.not_applied)
    assert "stacking is off" in reasons[DiscountKind.NON_PROFIT]
    assert "not a government agency" in reasons[DiscountKind.GOVERNMENT]


def test_with_stacking_on_every_eligible_discount_applies_R21() -> None:
    result = quote(organisation="non-profit", group_size=3, policy=STACKING, prices=KNOWN)
    discounts = [(line.label, line.amount) for line in result.lines if line.is_discount]
    assert discounts == [
        ("group discount", Money.of("300")),
        ("non-profit discount", Money.of("249.5")),
    ]
    assert result.per_seat == Money.of("1945.50")
    assert result.stacking is True


def test_the_family_applies_the_largest_discount_or_stacks_them_never_below_nothing_R21() -> None:
    from cptm_rules.rules.pricing import applied_discounts  # noqa: PLC0415

    price = Money.of("500")
    values = [(DiscountKind.NON_PROFIT, Money.of("50")), (DiscountKind.GROUP, Money.of("300"))]
    single = applied_discounts(price, values, policy=CURRENT)
    assert single.applied == ((DiscountKind.GROUP, Money.of("300")),)
    assert single.not_applied == (
        (
            DiscountKind.NON_PROFIT,
            "stacking is off and the group discount (300.00 USD) is larger or equal (50.00 USD)",
        ),
    )
    assert single.per_seat == Money.of("200")
    assert single.rule_id == "R21"
    # Stacked, each takes at most what is left: 300 then 200 of the 250 asked.
    stacked = applied_discounts(
        price, [*values, (DiscountKind.GOVERNMENT, Money.of("250"))], policy=STACKING
    )
    assert stacked.applied == (
        (DiscountKind.GROUP, Money.of("300")),
        (DiscountKind.GOVERNMENT, Money.of("200")),
        (DiscountKind.NON_PROFIT, Money.of("0")),
    )
    assert stacked.not_applied == ()
    assert stacked.per_seat == Money.of("0")
    # Equal discounts: the first in the vocabulary's order is the one applied.
    tied = [(DiscountKind.GROUP, Money.of("50")), (DiscountKind.NON_PROFIT, Money.of("50"))]
    assert applied_discounts(price, tied, policy=CURRENT).applied[0][0] is DiscountKind.NON_PROFIT
    assert applied_discounts(price, [], policy=CURRENT).per_seat == price


def test_a_policy_that_offers_no_government_discount_says_so_R21() -> None:
    policy = CURRENT.with_overrides({"pricing.discount_kinds": ["non-profit", "group"]})
    eligible, refused = eligible_discounts(
        organisation=OrganisationType.GOVERNMENT, group_size=1, policy=policy
    )
    assert eligible == ()
    assert (DiscountKind.GOVERNMENT, "the policy current offers no government discount") in refused


def test_a_fixed_discount_is_shown_even_when_the_price_is_unknown_R22() -> None:
    prices = PriceSchedule.from_toml('extends = "shipped"\n[discounts]\ngroup = "300"\n')
    result = quote(group_size=2, policy=CURRENT, prices=prices)
    assert result.lines[1].amount == Money.of("300")
    assert result.total == UnknownAmount(item="program_price")


schedules = st.builds(
    lambda price, admin, fixed, percent, gov: PriceSchedule.from_toml(
        f'extends = "shipped"\nprogram_price = "{price}"\nadministrative_fee = "{admin}"\n'
        f'[discounts]\ngroup = "{fixed}"\nnon-profit = "{percent}%"\ngovernment = "{gov}%"\n'
    ),
    price=st.decimals(min_value=100, max_value=5000, places=2),
    admin=st.decimals(min_value=0, max_value=100, places=2),
    fixed=st.decimals(min_value=0, max_value=9000, places=2),
    percent=st.decimals(min_value=0, max_value=100, places=1),
    gov=st.decimals(min_value=0, max_value=100, places=1),
)


@given(
    prices=schedules,
    organisation=st.sampled_from(OrganisationType),
    group_size=st.integers(min_value=1, max_value=12),
    stacking=st.booleans(),
)
def test_discounts_never_make_a_price_negative_and_the_single_choice_is_the_largest_R21(
    prices: PriceSchedule,
    organisation: OrganisationType,
    group_size: int,
    stacking: bool,  # noqa: FBT001
) -> None:
    policy = STACKING if stacking else CURRENT
    result = quote(organisation=organisation, group_size=group_size, policy=policy, prices=prices)
    assert isinstance(result.per_seat, Money)
    assert result.per_seat.amount >= 0
    assert isinstance(result.total, Money)
    assert result.total.amount >= 0
    price = prices.program_price
    assert isinstance(price, Money)
    eligible, _ = eligible_discounts(
        organisation=organisation, group_size=group_size, policy=policy
    )
    values = []
    for kind in eligible:
        discount = prices.discount(kind)
        assert isinstance(discount, Discount)
        values.append(discount.value_against(price))
    applied = [line.amount for line in result.lines if line.is_discount]
    if not stacking and values:
        (chosen,) = applied
        assert isinstance(chosen, Money)
        assert all(chosen.amount >= v.amount for v in values)
    for line in result.lines:
        assert not isinstance(line.amount, float)
        if isinstance(line.amount, Money):
            assert isinstance(line.amount.amount, Decimal)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('extends = "shipped"\nprogram_price = 2495.0\n', r"program_price = 2495.0 .*exact amount"),
        ('extends = "shipped"\nprogram_price = "-5"\n', r"program_price = '-5' .*from 0 to 1,0"),
        ('extends = "shipped"\nprogram_price = "lots"\n', r"program_price = 'lots'"),
        ('extends = "shipped"\ncurrency = "usd"\n', r"currency = 'usd' .*ISO 4217"),
        ('extends = "shipped"\nsurcharge = "5"\n', r"surcharge = '<unknown key>' .*a key among"),
        (
            'extends = "shipped"\n[discounts]\nveteran = "5%"\n',
            r"discounts.veteran .*discount kind",
        ),
        ('extends = "shipped"\n[discounts]\ngroup = "150%"\n', r"discounts.group = '150%'"),
        ('extends = "shipped"\n[discounts]\ngroup = "x%"\n', r"discounts.group = 'x%'"),
        ('extends = "shipped"\ndiscounts = 5\n', r"discounts = 5 .*a table"),
        ('extends = "current"\n', r"extends = 'current' .*\"shipped\""),
        ('currency = "USD"\n', r"program_price = '<missing>'"),
        ("= 1", r"<file> .*valid TOML"),
    ],
)
def test_bad_price_schedules_name_the_file_key_and_value(text: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        PriceSchedule.from_toml(text, source="mine.toml")


def test_price_schedules_load_from_files(tmp_path: Path) -> None:
    path = tmp_path / "prices.toml"
    path.write_text('extends = "shipped"\nrenewal_fee = "150"\n', encoding="utf-8")
    assert load_prices(path).renewal_fee == Money.of("150")
    with pytest.raises(PolicyError, match=r"existing .toml price schedule"):
        load_prices(tmp_path / "absent.toml")


def test_quote_arguments_are_validated() -> None:
    with pytest.raises(InvalidInputError, match=r"^organisation='charity'"):
        quote(organisation="charity", policy=CURRENT, prices=KNOWN)
    with pytest.raises(InvalidInputError, match=r"^group_size=0"):
        quote(group_size=0, policy=CURRENT, prices=KNOWN)


def test_a_journey_quotes_its_own_registration_R21() -> None:
    from journeys import registered  # noqa: PLC0415

    result = registered(prices=KNOWN).quote()
    assert result.total == Money.of("2495.00")


@pytest.mark.parametrize("price", ["0", "99.99"])
def test_a_program_price_below_the_administrative_fee_is_refused_R24(price: str) -> None:
    with pytest.raises(
        PolicyError, match=r"administrative_fee = '100.00 USD'.*at most the program"
    ):
        PriceSchedule.from_toml(f'extends = "shipped"\nprogram_price = "{price}"\n')


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('program_price = "1e-999999"', "program_price"),
        ('program_price = "1e999999"', "program_price"),
        ('program_price = "1000000.01"', "program_price"),
        ('renewal_fee = "0.00001"', "renewal_fee"),
        ('[discounts]\ngovernment = "1e-999999%"', "discounts.government"),
        ('[discounts]\ngroup = "9e99"', "discounts.group"),
    ],
)
def test_amounts_outside_a_sensible_range_are_refused_when_loaded_R22(line: str, key: str) -> None:
    with pytest.raises(PolicyError, match=rf"{key} = .* is not valid: expected an? "):
        PriceSchedule.from_toml(f'extends = "shipped"\n{line}\n')


def test_the_shipped_schedule_is_read_once() -> None:
    assert load_prices() is load_prices("shipped")


# -- every error, word for word ---------------------------------------------------------

# Every key a price file may write but ``extends``: the schedule's own settings and each
# amount a family declares (fee(...)), so that a new fee needs no edit here.
PRICE_KEYS = sorted(
    {"currency", "discounts", "effective_from"}
    | {f.name for f in attrs.fields(PriceSchedule) if f.metadata.get("item")}
)


def test_an_unknown_price_key_lists_extends_then_every_key_in_order_R22() -> None:
    with pytest.raises(PolicyError) as caught:
        PriceSchedule.from_toml('extends = "shipped"\nfee = "1"\n', source="p.toml")
    message = str(caught.value)
    # The format, by hand: extends first, then the keys in alphabetical order.
    prefix = "p.toml: fee = '<unknown key>' is not valid: expected a key among extends, "
    assert message.startswith(prefix)
    listed = message.removeprefix(prefix).split(", ")
    assert listed == sorted(listed)
    assert {"administrative_fee", "class_change_fee", "currency", "discounts"} <= set(listed)
    assert {"effective_from", "program_price", "renewal_fee"} <= set(listed)
    assert listed == PRICE_KEYS


PRICING_ERRORS = [
    (
        'load_prices("nowhere")',
        PolicyError,
        "nowhere: <file> = 'nowhere' is not valid: expected \"shipped\" or the path of an existing .toml price schedule",  # noqa: E501
    ),
    (
        'load_prices("shipped.toml")',
        PolicyError,
        "shipped.toml: <file> = 'shipped.toml' is not valid: expected \"shipped\" or the path of an existing .toml price schedule; did you mean shipped?",  # noqa: E501
    ),
    (
        'PriceSchedule.from_toml("currency = \\"USD\\"\\nprogram_price = \\"1\\"", source="p.toml")',  # noqa: E501
        PolicyError,
        "p.toml: class_change_fee = '<missing>' is not valid: expected a value, or extends = \"shipped\" to start from the shipped schedule",  # noqa: E501
    ),
    (
        'PriceSchedule.from_toml("extends = \\"shipped\\"\\nfee = \\"1\\"", source="p.toml")',
        PolicyError,
        "p.toml: fee = '<unknown key>' is not valid: expected a key among extends, "
        + ", ".join(PRICE_KEYS),
    ),
    (
        'PriceSchedule.from_toml("extends = \\"shipped\\"\\ncurrency = \\"usd\\"", source="p.toml")',  # noqa: E501
        PolicyError,
        "p.toml: currency = 'usd' is not valid: expected a three-letter ISO 4217 code such as 'USD'",  # noqa: E501
    ),
    (
        'PriceSchedule.from_toml("extends = \\"shipped\\"\\nrenewal_fee = 1.5", source="p.toml")',
        PolicyError,
        'p.toml: renewal_fee = 1.5 is not valid: expected an exact amount as a string ("400.00") or an integer, or "unknown"',  # noqa: E501
    ),
    (
        'PriceSchedule.from_toml("extends = \\"shipped\\"\\n[discounts]\\nstudent = \\"10%\\"", source="p.toml")',  # noqa: E501
        PolicyError,
        "p.toml: discounts.student = '<unknown key>' is not valid: expected a discount kind among non-profit, government, group",  # noqa: E501
    ),
    (
        'quote(organisation="charity", policy=load_policy(), prices=load_prices())',
        InvalidInputError,
        "organisation='charity' is not valid: expected one of 'other', 'non-profit', 'government'",
    ),
    (
        "quote(group_size=0, policy=load_policy(), prices=load_prices())",
        InvalidInputError,
        "group_size=0 is not valid: expected a whole number of seats >= 1",
    ),
    (
        "quote(group_size=True, policy=load_policy(), prices=load_prices())",
        InvalidInputError,
        "group_size=True is not valid: expected a whole number of seats >= 1",
    ),
]


@pytest.mark.parametrize(("code", "kind", "message"), PRICING_ERRORS, ids=lambda v: str(v)[:50])
def test_each_pricing_error_names_the_field_the_value_and_what_is_valid(
    code: str, kind: type[Exception], message: str
) -> None:
    names = {
        **globals(),
        "PriceSchedule": PriceSchedule,
        "load_prices": load_prices,
        "load_policy": load_policy,
        "quote": quote,
    }
    raises_exactly(code, names, kind, message)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ('clas_change_fee = "400"', "; did you mean class_change_fee?"),
        ('extend = "shipped"', "; did you mean extends?"),
        (
            'attempt_fee = "75"',
            "; for retakes and a retake fee see docs/policy.md#retakes-and-a-retake-fee",
        ),
        (
            'late_enrollment_fee = "50"',
            "; for a late-registration fee see docs/policy.md#a-late-registration-fee",
        ),
        ("refund_percent = 50", "; for refund tiers see docs/policy.md#refund-tiers"),
        (
            "valid_from = 2027-07-01",
            "; for an effective date see docs/policy.md#an-effective-date-on-prices",
        ),
    ],
)
def test_an_unknown_price_key_gets_the_key_it_is_a_typo_of_or_the_docs_on_its_concept(
    text: str, hint: str
) -> None:
    with pytest.raises(PolicyError) as caught:
        PriceSchedule.from_toml('currency = "USD"\n' + text, source="p.toml")
    message = str(caught.value)
    assert message.endswith(hint)
    assert message.startswith("p.toml: ")
    assert "= '<unknown key>' is not valid: expected a key among extends, " in message
    assert "\n" not in message


def test_a_price_key_that_is_no_typo_of_one_gets_no_suggestion() -> None:
    with pytest.raises(PolicyError) as caught:
        PriceSchedule.from_toml('extends = "shipped"\nexam_price = "75"', source="p.toml")
    assert "did you mean" not in str(caught.value)
    with pytest.raises(PolicyError, match=r"discount kind among .*; did you mean government\?"):
        PriceSchedule.from_toml('extends = "shipped"\n[discounts]\ngovernmnet = "10%"')


def test_a_price_file_with_a_fee_above_its_price_is_refused_naming_the_file_and_why_R24(
    tmp_path: Path,
) -> None:
    file = tmp_path / "dear-fee.toml"
    file.write_text('extends = "shipped"\nprogram_price = "50"\n', encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_prices(file)
    assert caught.value.source == str(file)
    assert caught.value.expected == (
        "at most the program price 50.00 USD: the early-cancellation refund is the price "
        "less this fee (R24)"
    )


def test_a_journey_quotes_the_organisation_its_registration_names_R21() -> None:
    from cptm_rules.events import Register, Registration  # noqa: PLC0415
    from cptm_rules.lifecycle import Journey  # noqa: PLC0415
    from journeys import JANUARY, REGISTERED_AT  # noqa: PLC0415

    registration = Registration(
        email="gov@example.org",
        registered_at=REGISTERED_AT,
        session=JANUARY,
        organisation="government",
    )
    journey = Journey.new(policy=CURRENT, prices=KNOWN).then(Register(registration=registration))
    assert journey.quote() == quote(
        organisation="government", group_size=1, policy=CURRENT, prices=KNOWN
    )
    assert journey.quote().total == Money.of("2120.75")  # 15% off 2495.00
