"""Exact money: a ``Decimal`` amount with a currency, and amounts no source gives.

Floats are refused: ``Money(amount=0.1, currency="USD")`` raises. Amounts are
kept exact and only rounded where a price is quoted (:meth:`Money.quantized`,
half-up to the cent).

>>> from decimal import Decimal
>>> from cptm_rules.money import Money
>>> fee = Money.of("400")
>>> str(fee + Money.of("100"))
'500.00 USD'
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final

import attrs

from cptm_rules.exceptions import InvalidInputError

__all__ = ["CENT", "Amount", "Money", "UnknownAmount", "amount_text", "fee_text"]

CENT: Final = Decimal("0.01")
"""The quantum quoted prices are rounded to."""


def _exact(value: object) -> Decimal:
    expected = "an exact amount: a Decimal, an int or a decimal string such as '400.00' (no float)"
    if isinstance(value, bool | float):
        raise InvalidInputError("amount", value, expected)
    try:
        if isinstance(value, Decimal):
            number = value
        elif isinstance(value, int | str):
            number = Decimal(value)
        else:
            raise InvalidInputError("amount", value, expected)
    except InvalidOperation:
        raise InvalidInputError("amount", value, expected) from None
    if not number.is_finite():
        raise InvalidInputError("amount", value, expected)
    if number and not (decimal_places(number) <= _MOST_PLACES and abs(number) < _LIMIT):
        raise InvalidInputError(
            "amount",
            value,
            f"an amount below {_LIMIT:,} in size with at most {_MOST_PLACES} decimal places",
        )
    return number


# Far beyond any price or fee, and inside what Decimal arithmetic and rounding to the cent
# handle exactly: 1e999999 or 1e-999999 would pass as "finite" and fail later.
_LIMIT: Final = Decimal(10) ** 15
_MOST_PLACES: Final = 28


def decimal_places(number: Decimal) -> int:
    """How many digits ``number`` has after the decimal point (0 for ``1E+3``)."""
    exponent = number.as_tuple().exponent
    if not isinstance(exponent, int):  # NaN or infinity: no sensible answer
        raise InvalidInputError("amount", number, "a finite number")
    return max(0, -exponent)


def _currency(value: object) -> str:
    if not (isinstance(value, str) and len(value) == 3 and value.isalpha() and value.isupper()):
        raise InvalidInputError("currency", value, "a three-letter ISO 4217 code such as 'USD'")
    return value


@attrs.frozen(kw_only=True, order=False)
class Money:
    """An exact amount of one currency."""

    amount: Decimal = attrs.field(converter=_exact)
    currency: str = attrs.field(default="USD", converter=_currency)

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str = "USD") -> Money:
        """Shorthand for ``Money(amount=..., currency=...)``."""
        return cls(amount=amount, currency=currency)

    @classmethod
    def zero(cls, currency: str = "USD") -> Money:
        """No money, in ``currency``."""
        return cls(amount=Decimal(0), currency=currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money) or other.currency != self.currency:
            raise InvalidInputError(
                "other", other, f"an amount in the same currency ({self.currency})"
            )

    def __add__(self, other: Money) -> Money:
        """Sum of two amounts of the same currency."""
        self._same(other)
        return Money(amount=self.amount + other.amount, currency=self.currency)

    def __sub__(self, other: Money) -> Money:
        """Difference of two amounts of the same currency."""
        self._same(other)
        return Money(amount=self.amount - other.amount, currency=self.currency)

    def __lt__(self, other: Money) -> bool:
        """Compare two amounts of the same currency."""
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        """Compare two amounts of the same currency."""
        self._same(other)
        return self.amount <= other.amount

    def times(self, factor: Decimal | int) -> Money:
        """This amount multiplied by an exact ``factor``."""
        return Money(amount=self.amount * _exact(factor), currency=self.currency)

    def quantized(self) -> Money:
        """Rounded to the cent, half up: the rounding used wherever a price is quoted."""
        return Money(
            amount=self.amount.quantize(CENT, rounding=ROUND_HALF_UP), currency=self.currency
        )

    def __str__(self) -> str:
        """Render as ``400.00 USD``."""
        return f"{self.quantized().amount} {self.currency}"


@attrs.frozen(kw_only=True)
class UnknownAmount:
    """An amount the public sources do not give (R22): never shown as a number."""

    item: str
    """Which figure is missing, e.g. ``program_price``."""
    rule_id: str = "R22"

    def __str__(self) -> str:
        """Render as ``unknown (program_price: no public source gives it)``."""
        return f"unknown ({self.item}: no public source gives it; supply a price schedule)"


Amount = Money | UnknownAmount
"""A fee or price: an exact amount, or a named unknown."""


def amount_text(amount: Amount | None) -> str:
    """An amount as scenario files write it: ``400.00 USD``, ``unknown program_price``, ``none``."""
    if amount is None:
        return "none"
    if isinstance(amount, UnknownAmount):
        return f"unknown {amount.item}"
    return str(amount)


def fee_text(amounts: list[Amount]) -> str:
    """Several fees as one answer: their exact sum, the first unknown, or ``none``."""
    if not amounts:
        return "none"
    unknown = [a for a in amounts if isinstance(a, UnknownAmount)]
    if unknown:
        return amount_text(unknown[0])
    total = amounts[0]
    for amount in amounts[1:]:
        assert isinstance(total, Money)  # noqa: S101  # no unknown amounts here
        assert isinstance(amount, Money)  # noqa: S101  # idem
        total = total + amount
    return amount_text(total)
