"""Price schedules, discounts and quotes (R21, R22).

A :class:`PriceSchedule` is data: the shipped one (``prices.toml``) holds only
what public sources give, the $400 class change fee and the $100
administrative fee, and marks the program price, the renewal fee and the
discount amounts unknown. A user's schedule (``extends = "shipped"``) supplies
them.

A schedule file may also date itself (``effective_from = 2027-07-01``) and
extend the schedule in force before that date: the shipped one or another user
file in its folder tree (``extends = "prices-2026.toml"``). Such a file is a
set of versions; a registration is charged by the version in force on its date
(:meth:`PriceSchedule.in_force_on`), and decisions and quotes name that version
(:attr:`PriceSchedule.label`).
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from cptm_rules.exceptions import InvalidInputError, PolicyError, suggest
from cptm_rules.figures import Invalid, optional_date
from cptm_rules.files import read_text
from cptm_rules.money import Amount, Money, UnknownAmount, decimal_places
from cptm_rules.policy import (
    ExtendsFrom,
    check_after,
    concept_hint,
    parse_toml,
    read_user_file,
)
from cptm_rules.rules.cancellation import CancellationFees
from cptm_rules.rules.certification import CertificationFees
from cptm_rules.rules.exam import ExamFees
from cptm_rules.rules.practicum_changes import PracticumFees
from cptm_rules.rules.prework import PreworkFees
from cptm_rules.rules.pricing import PricingFees, applied_discounts, eligible_discounts
from cptm_rules.rules.registration import RegistrationFees
from cptm_rules.vocabulary import DiscountKind, OrganisationType

if TYPE_CHECKING:
    from collections.abc import Mapping

    from cptm_rules.policy import Policy

__all__ = [
    "MAX_PRICE",
    "Discount",
    "PriceSchedule",
    "Quote",
    "QuoteLine",
    "eligible_discounts",
    "load_prices",
    "quote",
]

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
class PriceSchedule(  # the families' amounts, the program price first
    CancellationFees,
    CertificationFees,
    ExamFees,
    PracticumFees,
    PreworkFees,
    RegistrationFees,
    PricingFees,
):
    """Every figure a quote or fee needs.

    Each family of rules declares the amounts it charges beside its rules (for
    example :class:`~cptm_rules.rules.practicum_changes.PracticumFees`); a
    schedule is made of all of them, plus its currency and discounts. Figures no
    public source gives are :class:`~cptm_rules.money.UnknownAmount`.
    """

    currency: str
    discounts: tuple[tuple[DiscountKind, Discount | UnknownAmount], ...]
    effective_from: dt.date | None = None
    """The first registration date this version charges (``None``: every date)."""
    earlier: PriceSchedule | None = attrs.field(default=None, repr=False)
    """The version in force before :attr:`effective_from`: the schedule the file extends."""
    until: dt.date | None = attrs.field(default=None, eq=False, repr=False)
    """The day a later version takes over, on a version a dated schedule extends."""
    name: str = attrs.field(default="shipped", eq=False, repr=False)
    """The schedule's name: ``shipped``, or its file's name without ``.toml``."""
    origin: str = attrs.field(default="PriceSchedule(...)", eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        """Refuse figures that contradict each other (a refund is never negative, R24)."""
        price, admin = self.program_price, self.administrative_fee
        if isinstance(price, Money) and isinstance(admin, Money) and price < admin:
            raise PolicyError(
                source=self.origin,
                key="administrative_fee",
                value=str(admin),
                expected=f"at most the program price {price}: the early-cancellation "
                "refund is the price less this fee (R24)",
            )

    @property
    def label(self) -> str:
        """How decisions and quotes name the version: ``from-2027-07, in force from 2027-07-01``.

        A version a dated schedule extends says until when it is in force:
        ``shipped, in force before 2027-07-01``.
        """
        dates = []
        if self.effective_from is not None:
            dates.append(f"from {self.effective_from.isoformat()}")
        if self.until is not None:
            dates.append(f"before {self.until.isoformat()}")
        return self.name if not dates else f"{self.name}, in force {' '.join(dates)}"

    @property
    def dated(self) -> bool:
        """Whether this version is one of a dated set (it has a date, or a later one has)."""
        return self.effective_from is not None or self.until is not None

    def in_force_on(self, day: dt.date) -> PriceSchedule:
        """The version that charges a registration made on ``day``.

        This version from its ``effective_from`` on (or always, when it has
        none); before that, the version it extends, itself judged the same way. A
        dated schedule that extends nothing cannot charge an earlier registration:
        :class:`~cptm_rules.exceptions.PolicyError` says so.
        """
        start = self.effective_from
        if start is None or day >= start:
            return self
        if self.earlier is None:
            raise PolicyError(
                source=self.origin,
                key="effective_from",
                value=start,
                expected=f"a date on or before the registration date {day.isoformat()}; "
                'or extends = "shipped" (or a price file), the schedule in force before it',
            )
        return self.earlier.in_force_on(day)

    def discount(self, kind: DiscountKind) -> Discount | UnknownAmount:
        """The discount of ``kind``; unknown when the schedule does not give it."""
        return dict(self.discounts).get(kind, UnknownAmount(item=f"discounts.{kind}"))

    @classmethod
    def from_toml(cls, text: str, *, source: str = "<string>") -> PriceSchedule:
        """Read a schedule from TOML ``text``; ``source`` names it in errors."""
        data = parse_toml(text, source=source)
        return _from_mapping(data, source=source, seen=(), place=None)


_ITEMS: Final = tuple(f.name for f in attrs.fields(PriceSchedule) if "item" in f.metadata)
_DEFAULTS: Final[Mapping[str, str]] = {
    f.name: f.metadata["default"] for f in attrs.fields(PriceSchedule) if "default" in f.metadata
}
"""The amounts of a schedule, as the families declare them (``program_price`` first)."""


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
    if not 0 <= money.amount <= MAX_PRICE or decimal_places(money.amount) > _DECIMALS:
        raise PolicyError(
            source=source,
            key=key,
            value=raw,
            expected=f"an amount from 0 to {MAX_PRICE:,} with at most {_DECIMALS} decimal places",
        )
    return money


MAX_PRICE: Final = Decimal(1_000_000)
"""The largest figure a price schedule may give (a bound against typos, not a rule)."""
_DECIMALS: Final = 4


def _discount(
    raw: object, *, kind: DiscountKind, currency: str, source: str
) -> Discount | UnknownAmount:
    key = f"discounts.{kind}"
    if isinstance(raw, str) and raw.endswith("%"):
        try:
            percent = Decimal(raw[:-1])
        except ArithmeticError:
            percent = Decimal(-1)
        if not (
            percent.is_finite()
            and 0 <= percent <= 100  # a percentage
            and decimal_places(percent) <= _DECIMALS
        ):
            raise PolicyError(
                source=source,
                key=key,
                value=raw,
                expected=f'a percentage from "0%" to "100%" with at most {_DECIMALS} decimals',
            )
        return Discount(kind=kind, percent=percent)
    amount = _amount(raw, key=key, currency=currency, source=source)
    if isinstance(amount, UnknownAmount):
        return amount
    return Discount(kind=kind, amount=amount)


def _merged(
    data: Mapping[str, Any], *, source: str, seen: tuple[str, ...], place: ExtendsFrom | None
) -> tuple[dict[str, Any], PriceSchedule | None]:
    """The file's keys over those of the schedule it extends, and that schedule, read."""
    merged: dict[str, Any] = {}
    base: PriceSchedule | None = None
    extends = data.get("extends")
    if extends == "shipped":
        merged = tomllib.loads(_shipped_text())
        base = _shipped_schedule()
    elif extends is not None:
        merged, base = _extended(extends, source=source, seen=seen, place=place)
    for key, value in data.items():
        if key == "extends":
            continue
        if key == "discounts" and isinstance(value, dict):
            merged["discounts"] = {**merged.get("discounts", {}), **value}
        else:
            merged[key] = value
    return merged, base


_EXTENDS: Final = (
    '"shipped", or a .toml price file in the same folder tree, relative to this file '
    '("prices-2026.toml")'
)


def _extended(
    extends: object, *, source: str, seen: tuple[str, ...], place: ExtendsFrom | None
) -> tuple[dict[str, Any], PriceSchedule]:
    """The keys of the user file ``extends`` names (its own date left out), and it, read."""
    # The shipped name is the only one; "current" names a policy, not a schedule.
    path, shown_as, data, within = read_user_file(
        extends, source=source, seen=seen, place=place, kind="price", expected=_EXTENDS
    )
    inner = (*seen, str(path))
    merged, base = _merged(data, source=shown_as, seen=inner, place=within)
    schedule = _schedule(merged, base, source=shown_as)
    merged.pop("effective_from", None)  # each file states its own date
    return merged, schedule


def _discounts(
    raw_discounts: object, *, currency: str, source: str
) -> tuple[tuple[DiscountKind, Discount | UnknownAmount], ...]:
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
                value="<unknown key>",
                expected=f"a discount kind among {', '.join(k.value for k in DiscountKind)}"
                + suggest(name, [k.value for k in DiscountKind]),
            ) from None
        discounts.append((kind, _discount(raw, kind=kind, currency=currency, source=source)))
    return tuple(discounts)


def _concept(key: str) -> str:
    """``"; for <concept> see docs/..."`` when ``key`` names a concept the docs cover, or ``""``."""
    hint = concept_hint(key)
    return "" if hint is None else f"; {hint}"


def _from_mapping(
    data: Mapping[str, Any], *, source: str, seen: tuple[str, ...], place: ExtendsFrom | None
) -> PriceSchedule:
    merged, base = _merged(data, source=source, seen=seen, place=place)
    return _schedule(merged, base, source=source)


def _schedule(
    merged: dict[str, Any], base: PriceSchedule | None, *, source: str, name: str | None = None
) -> PriceSchedule:
    """The schedule of a file's ``merged`` keys; ``base`` is in force before its date."""
    allowed = {"currency", "discounts", "effective_from", *_ITEMS}
    for key, value in merged.items():
        if key not in allowed:
            among = f"a key among extends, {', '.join(sorted(allowed))}"
            hint = suggest(key, ["extends", *sorted(allowed)]) or _concept(key)
            if not hint and isinstance(value, dict):  # [renewal] grace_days = ...: its keys
                hint = next(filter(None, (_concept(f"{key}.{sub}") for sub in value)), "")
            raise PolicyError(
                source=source,
                key=key,
                # An error names the key only, never what the file gives it.
                value="<unknown table>" if isinstance(value, dict) else "<unknown key>",
                expected=among + hint,
            )
    # A fee added since price files were first written has a default (not in force).
    merged = {**_DEFAULTS, **merged}
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
    try:
        start = optional_date(merged.get("effective_from"))
    except Invalid as exc:
        raise PolicyError(
            source=source,
            key="effective_from",
            value=merged["effective_from"],
            expected=exc.expected,
        ) from None
    discounts = _discounts(merged.get("discounts", {}), currency=currency, source=source)
    items: dict[str, Any] = {
        k: _amount(merged[k], key=k, currency=currency, source=source) for k in _ITEMS
    }
    earlier = None
    if base is not None and start is not None:
        check_after(start, base.effective_from, base.name, source=source)
        earlier = attrs.evolve(base, until=start)  # the extended version, until this one
    return PriceSchedule(
        currency=currency,
        discounts=discounts,
        effective_from=start,
        earlier=earlier,
        name=Path(source).stem if name is None else name,
        origin=source,
        **items,
    )


@functools.cache
def _shipped_schedule() -> PriceSchedule:
    # The shipped file never changes at run time, and schedules are immutable.
    merged, base = _merged(
        tomllib.loads(_shipped_text()), source="prices.toml", seen=(), place=None
    )
    return _schedule(merged, base, source="prices.toml", name="shipped")


def _shipped_text() -> str:
    return resources.files("cptm_rules.policies").joinpath("prices.toml").read_text("utf-8")


def load_prices(schedule: str | Path = "shipped") -> PriceSchedule:
    """The shipped price schedule, or a schedule file by path."""
    if schedule == "shipped":
        return _shipped_schedule()
    path = Path(schedule)
    if path.suffix != ".toml" or not path.is_file():
        raise PolicyError(
            source=str(schedule),
            key="<file>",
            value=str(schedule),
            expected='"shipped" or the path of an existing .toml price schedule'
            # "shiped.toml" is a typo of "shipped" as much as "shiped" is.
            + suggest(Path(schedule).stem, ("shipped",)),
        )
    source = str(path)
    data = parse_toml(read_text(path), source=source)
    return _from_mapping(
        data, source=source, seen=(str(path.resolve()),), place=ExtendsFrom.of(path)
    )


@attrs.frozen(kw_only=True)
class QuoteLine:
    """One line of a quote: the price, or a discount taken off it."""

    label: str
    amount: Amount
    """Positive; a discount line's amount is what it takes off."""
    rule_id: str
    is_discount: bool = False


@attrs.frozen(kw_only=True)
class Quote:
    """What a registration costs, line by line, and why (R21, R22).

    ``per_seat`` and ``total`` are exact :class:`~cptm_rules.money.Money`
    rounded half-up to the cent, or an :class:`~cptm_rules.money.UnknownAmount`
    naming the first missing figure; ``missing`` lists every figure the
    schedule lacks. A quote never shows a made-up number.
    """

    seats: int
    lines: tuple[QuoteLine, ...]
    per_seat: Amount
    total: Amount
    missing: tuple[str, ...]
    not_applied: tuple[tuple[DiscountKind, str], ...]
    """Each discount that did not apply, with why."""
    stacking: bool
    schedule: str | None = None
    """The label of the dated schedule version that priced it; ``None`` for an undated one."""

    def explain(self) -> str:
        """The quote as text, with every reason."""
        out = [
            f"{line.label} ({line.rule_id}): "
            f"{'-' if line.is_discount and isinstance(line.amount, Money) else ''}{line.amount}"
            for line in self.lines
        ]
        out.append(f"per seat: {self.per_seat}")
        out.append(f"seats: {self.seats}, total: {self.total}")
        out += [f"not applied: {kind}: {why}" for kind, why in self.not_applied]
        out += [f"missing figure: {item}" for item in self.missing]
        if self.schedule is not None:
            out.append(f"prices: {self.schedule}")
        return "\n".join(out)


def _known_part(discount: Discount | UnknownAmount) -> Amount:
    # A fixed discount is known even when the price is not; a percentage is not.
    if isinstance(discount, Discount) and discount.amount is not None:
        return discount.amount
    if isinstance(discount, UnknownAmount):
        return discount
    return UnknownAmount(item="program_price")


def quote(
    *,
    organisation: OrganisationType | str = OrganisationType.OTHER,
    group_size: int = 1,
    policy: Policy,
    prices: PriceSchedule,
) -> Quote:
    """Quote one registration of ``group_size`` seats (R21, R22).

    With the policy's stacking off (the default) only the single largest
    eligible discount applies; with it on, every eligible discount applies.
    Either way a seat never costs less than nothing. ``prices`` is the version
    that charges (:meth:`PriceSchedule.in_force_on` the registration's date); a
    dated one is named in the quote.
    """
    if not isinstance(organisation, OrganisationType):
        try:
            organisation = OrganisationType(organisation)
        except ValueError:
            options = ", ".join(repr(o.value) for o in OrganisationType)
            raise InvalidInputError("organisation", organisation, f"one of {options}") from None
    if type(group_size) is not int or group_size < 1:
        raise InvalidInputError("group_size", group_size, "a whole number of seats >= 1")
    eligible, not_applied = eligible_discounts(
        organisation=organisation, group_size=group_size, policy=policy
    )
    price = prices.program_price
    schedule = prices.label if prices.dated else None
    missing = [price.item] if isinstance(price, UnknownAmount) else []
    offered = [(kind, prices.discount(kind)) for kind in eligible]
    missing += [d.item for _, d in offered if isinstance(d, UnknownAmount)]
    lines = [QuoteLine(label="program price", amount=price, rule_id="R22")]
    if missing:
        # Without every figure no total, and no choice between discounts, can be honest.
        lines += [
            QuoteLine(
                label=f"{kind} discount",
                amount=_known_part(d),
                rule_id="R21",
                is_discount=True,
            )
            for kind, d in offered
        ]
        unknown = UnknownAmount(item=missing[0])
        return Quote(
            seats=group_size,
            lines=tuple(lines),
            per_seat=unknown,
            total=unknown,
            missing=tuple(dict.fromkeys(missing)),
            not_applied=not_applied,
            stacking=policy.discount_stacking,
            schedule=schedule,
        )
    assert isinstance(price, Money)  # noqa: S101  # no figure is missing here
    values = [(kind, d.value_against(price)) for kind, d in offered if isinstance(d, Discount)]
    discounted = applied_discounts(price, values, policy=policy)
    not_applied += discounted.not_applied
    lines += [
        QuoteLine(
            label=f"{kind} discount", amount=off, rule_id=discounted.rule_id, is_discount=True
        )
        for kind, off in discounted.applied
    ]
    per_seat = discounted.per_seat.quantized()
    return Quote(
        seats=group_size,
        lines=tuple(lines),
        per_seat=per_seat,
        total=per_seat.times(group_size).quantized(),
        missing=(),
        not_applied=not_applied,
        stacking=policy.discount_stacking,
        schedule=schedule,
    )
