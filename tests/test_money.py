from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cptm_rules.exceptions import CptmRulesError, InvalidInputError
from cptm_rules.money import Money, UnknownAmount, amount_text, decimal_places, fee_text
from errors import raises_exactly

amounts = st.decimals(min_value=-(10**6), max_value=10**6, places=4, allow_nan=False)


def test_floats_are_refused_with_a_clear_error_R22() -> None:
    with pytest.raises(InvalidInputError, match=r"^amount=0.1 .*no float") as caught:
        Money(amount=0.1)
    assert isinstance(caught.value, CptmRulesError)
    for bad in (True, "ten", Decimal("NaN"), Decimal("Infinity"), None):
        with pytest.raises(InvalidInputError, match=r"^amount="):
            Money(amount=bad)


def test_currencies_are_three_letter_codes_and_never_mix() -> None:
    with pytest.raises(InvalidInputError, match=r"^currency='usd'"):
        Money.of("1", "usd")
    with pytest.raises(InvalidInputError, match=r"same currency \(USD\)"):
        Money.of("1") + Money.of("1", "EUR")
    with pytest.raises(InvalidInputError, match=r"same currency"):
        assert Money.of("1") < 3  # type: ignore[operator]


def test_amounts_round_half_up_to_the_cent_only_when_quoted() -> None:
    third = Money.of("100").times(Decimal(1) / 3)
    assert third.amount != Decimal("33.33")  # exact until quoted
    assert third.quantized() == Money.of("33.33")
    assert str(Money.of("0.005")) == "0.01 USD"
    assert str(Money.of("400")) == "400.00 USD"


@given(a=amounts, b=amounts)
def test_money_arithmetic_is_exact(a: Decimal, b: Decimal) -> None:
    assert (Money.of(a) + Money.of(b)).amount == a + b
    assert (Money.of(a) - Money.of(b)).amount == a - b
    assert (Money.of(a) <= Money.of(b)) == (a <= b)
    assert (Money.of(a) < Money.of(b)) == (a < b)
    assert Money.zero() + Money.of(a) == Money.of(a)


def test_unknown_amounts_name_the_missing_figure_R22() -> None:
    unknown = UnknownAmount(item="renewal_fee")
    assert str(unknown) == (
        "unknown (renewal_fee: no public source gives it; supply a price schedule)"
    )
    assert unknown.rule_id == "R22"
    with pytest.raises(InvalidInputError, match=r"^amount="):
        Money.of("1").times(0.5)  # type: ignore[arg-type]


def test_several_fees_add_up_exactly_and_an_unknown_one_is_named() -> None:
    assert fee_text([Money.of("400"), Money.of("100")]) == "500.00 USD"
    assert fee_text([Money.of("400"), UnknownAmount(item="program_price")]) == (
        "unknown program_price"
    )
    assert fee_text([]) == amount_text(None) == "none"


@pytest.mark.parametrize("text", ["1e999999", "1e-999999", "1E+15", "-1E+15"])
def test_amounts_beyond_what_exact_arithmetic_handles_are_refused(text: str) -> None:
    with pytest.raises(InvalidInputError, match="an amount below 1,000,000,000,000,000"):
        Money.of(text)
    assert Money.of("999999999999999.99").quantized().amount == Decimal("999999999999999.99")


# -- every error, word for word ---------------------------------------------------------

MONEY_ERRORS = [
    (
        "Money(amount=0.1)",
        InvalidInputError,
        "amount=0.1 is not valid: expected an exact amount: a Decimal, an int or a decimal string such as '400.00' (no float)",  # noqa: E501
    ),
    (
        'Money(amount="4OO")',
        InvalidInputError,
        "amount='4OO' is not valid: expected an exact amount: a Decimal, an int or a decimal string such as '400.00' (no float)",  # noqa: E501
    ),
    (
        'Money(amount=Decimal("NaN"))',
        InvalidInputError,
        "amount=Decimal('NaN') is not valid: expected an exact amount: a Decimal, an int or a decimal string such as '400.00' (no float)",  # noqa: E501
    ),
    (
        "Money(amount=True)",
        InvalidInputError,
        "amount=True is not valid: expected an exact amount: a Decimal, an int or a decimal string such as '400.00' (no float)",  # noqa: E501
    ),
    (
        'Money(amount=Decimal("1e15"))',
        InvalidInputError,
        "amount=Decimal('1E+15') is not valid: expected an amount below 1,000,000,000,000,000 in size with at most 28 decimal places",  # noqa: E501
    ),
    (
        'Money(amount=Decimal("0.11111111111111111111111111111"))',
        InvalidInputError,
        "amount=Decimal('0.11111111111111111111111111111') is not valid: expected an amount below 1,000,000,000,000,000 in size with at most 28 decimal places",  # noqa: E501
    ),
    (
        'Money(amount=1, currency="usd")',
        InvalidInputError,
        "currency='usd' is not valid: expected a three-letter ISO 4217 code such as 'USD'",
    ),
    (
        'decimal_places(Decimal("Infinity"))',
        InvalidInputError,
        "amount=Decimal('Infinity') is not valid: expected a finite number",
    ),
    (
        'Money.of(1) + Money.of(1, "EUR")',
        InvalidInputError,
        "other=Money(amount=Decimal('1'), currency='EUR') is not valid: expected an amount in the same currency (USD)",  # noqa: E501
    ),
]


@pytest.mark.parametrize(("code", "kind", "message"), MONEY_ERRORS, ids=lambda v: str(v)[:50])
def test_each_money_error_names_the_field_the_value_and_what_is_valid(
    code: str, kind: type[Exception], message: str
) -> None:
    names = {**globals(), "Decimal": Decimal, "Money": Money, "decimal_places": decimal_places}
    raises_exactly(code, names, kind, message)


def test_decimal_places_counts_the_digits_after_the_point() -> None:
    assert [decimal_places(Decimal(t)) for t in ("1E+3", "7", "1.50", "0.0001")] == [0, 0, 2, 4]


def test_arithmetic_keeps_the_currency_of_its_operands() -> None:
    ten, two = Money.of("10.005", "EUR"), Money.of("2", "EUR")
    assert ten + two == Money.of("12.005", "EUR")
    assert ten - two == Money.of("8.005", "EUR")
    assert two.times(3) == Money.of("6", "EUR")
    assert ten.quantized() == Money.of("10.01", "EUR")
