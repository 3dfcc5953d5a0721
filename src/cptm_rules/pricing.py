"""Price schedules, discounts and quotes (R21, R22).

A :class:`PriceSchedule` is data: the shipped one (``prices.toml``) holds only
what public sources give, the $400 class change fee and the $100
administrative fee, and marks the program price, the renewal fee and the
discount amounts unknown. A user's schedule (``extends = "shipped"``) supplies
them.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from cptm_rules.exceptions import InvalidInputError, PolicyError
from cptm_rules.money import Amount, Money, UnknownAmount
from cptm_rules.vocabulary import DiscountKind

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["Discount", "PriceSchedule", "load_prices"]

_UNKNOWN: Final = "unknown"


@attrs.frozen(kw_only=True)
class Discount:
    """A discount: a fixed amount off, or a percentage of the program price."""

    kind: DiscountKind
    amount: Money | None = None
    percent: Decimal | None = None

    def value_against(self, price: Money) -> Money:
        """How much this discount takes off ``price`` (never more than the price)."""
        if self.percent is not None:
            off = price.times(self.percent / 100)
        else:
            assert self.amount is not None  # noqa: S101  # one of the two is set by construction
            off = self.amount
        return min(off, price)

    def __str__(self) -> str:
        """Render as ``10%`` or ``250.00 USD``."""
        return f"{self.percent}%" if self.percent is not None else str(self.amount)


@attrs.frozen(kw_only=True)
class PriceSchedule:
    """Every figure a quote or fee needs; unknown figures are :class:`UnknownAmount`."""

    currency: str
    program_price: Amount
    renewal_fee: Amount
    class_change_fee: Amount
    administrative_fee: Amount
    discounts: tuple[tuple[DiscountKind, Discount | UnknownAmount], ...]
    origin: str = attrs.field(default="PriceSchedule(...)", eq=False, repr=False)

    def discount(self, kind: DiscountKind) -> Discount | UnknownAmount:
        """The discount of ``kind``; unknown when the schedule does not give it."""
        return dict(self.discounts).get(kind, UnknownAmount(item=f"discounts.{kind}"))

    @classmethod
    def from_toml(cls, text: str, *, source: str = "<string>") -> PriceSchedule:
        """Read a schedule from TOML ``text``; ``source`` names it in errors."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError(
                source=source, key="<file>", value=str(exc), expected="valid TOML"
            ) from None
        return _from_mapping(data, source=source)


_ITEMS: Final = ("program_price", "renewal_fee", "class_change_fee", "administrative_fee")


def _amount(raw: object, *, key: str, currency: str, source: str) -> Amount:
    if raw == _UNKNOWN:
        return UnknownAmount(item=key)
    if isinstance(raw, float | bool) or not isinstance(raw, int | str):
        raise PolicyError(
            source=source,
            key=key,
            value=raw,
            expected='an exact amount as a string ("400.00") or an integer, or "unknown"',
        )
    try:
        money = Money.of(raw, currency)
    except InvalidInputError:
        raise PolicyError(
            source=source,
            key=key,
            value=raw,
            expected='an exact amount as a string ("400.00") or an integer, or "unknown"',
        ) from None
    if money.amount < 0:
        raise PolicyError(source=source, key=key, value=raw, expected="an amount >= 0")
    return money


def _discount(
    raw: object, *, kind: DiscountKind, currency: str, source: str
) -> Discount | UnknownAmount:
    key = f"discounts.{kind}"
    if isinstance(raw, str) and raw.endswith("%"):
        try:
            percent = Decimal(raw[:-1])
        except ArithmeticError:
            percent = Decimal(-1)
        if not (percent.is_finite() and 0 <= percent <= 100):  # a percentage
            raise PolicyError(
                source=source, key=key, value=raw, expected='a percentage from "0%" to "100%"'
            )
        return Discount(kind=kind, percent=percent)
    amount = _amount(raw, key=key, currency=currency, source=source)
    if isinstance(amount, UnknownAmount):
        return amount
    return Discount(kind=kind, amount=amount)


def _from_mapping(data: Mapping[str, Any], *, source: str) -> PriceSchedule:
    merged: dict[str, Any] = {}
    extends = data.get("extends")
    if extends is not None:
        if extends != "shipped":
            raise PolicyError(source=source, key="extends", value=extends, expected='"shipped"')
        merged = tomllib.loads(_shipped_text())
    for key, value in data.items():
        if key == "extends":
            continue
        if key == "discounts" and isinstance(value, dict):
            merged["discounts"] = {**merged.get("discounts", {}), **value}
        else:
            merged[key] = value
    allowed = {"currency", "discounts", *_ITEMS}
    for key in merged:
        if key not in allowed:
            raise PolicyError(
                source=source,
                key=key,
                value=merged[key],
                expected=f"a key among extends, {', '.join(sorted(allowed))}",
            )
    missing = [k for k in ("currency", *_ITEMS) if k not in merged]
    if missing:
        raise PolicyError(
            source=source,
            key=missing[0],
            value="<missing>",
            expected='a value, or extends = "shipped" to start from the shipped schedule',
        )
    currency = merged["currency"]
    try:
        Money.zero(currency)
    except InvalidInputError as exc:
        raise PolicyError(
            source=source, key="currency", value=currency, expected=exc.expected
        ) from None
    raw_discounts = merged.get("discounts", {})
    if not isinstance(raw_discounts, dict):
        raise PolicyError(
            source=source, key="discounts", value=raw_discounts, expected="a table [discounts]"
        )
    discounts = []
    for name, raw in raw_discounts.items():
        try:
            kind = DiscountKind(name)
        except ValueError:
            raise PolicyError(
                source=source,
                key=f"discounts.{name}",
                value=raw,
                expected=f"a discount kind among {', '.join(k.value for k in DiscountKind)}",
            ) from None
        discounts.append((kind, _discount(raw, kind=kind, currency=currency, source=source)))
    items = {k: _amount(merged[k], key=k, currency=currency, source=source) for k in _ITEMS}
    return PriceSchedule(currency=currency, discounts=tuple(discounts), origin=source, **items)


def _shipped_text() -> str:
    return resources.files("cptm_rules.policies").joinpath("prices.toml").read_text("utf-8")


def load_prices(schedule: str | Path = "shipped") -> PriceSchedule:
    """The shipped price schedule, or a schedule file by path."""
    if schedule == "shipped":
        return PriceSchedule.from_toml(_shipped_text(), source="prices.toml")
    path = Path(schedule)
    if path.suffix != ".toml" or not path.is_file():
        raise PolicyError(
            source=str(schedule),
            key="<file>",
            value=str(schedule),
            expected='"shipped" or the path of an existing .toml price schedule',
        )
    return PriceSchedule.from_toml(path.read_text("utf-8"), source=str(path))
