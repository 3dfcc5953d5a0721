from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cptm_rules.exceptions import CptmRulesError, InvalidInputError
from cptm_rules.money import Money, UnknownAmount, amount_text, fee_text

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
