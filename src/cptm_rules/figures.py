"""How a policy figure is declared: its section, its rule and the check its value passes.

Each family of rules (:mod:`cptm_rules.rules`) declares the figures its rules read,
as attrs fields made with :func:`figure`, in a ``...Figures`` class beside the
rules; :class:`~cptm_rules.policy.Policy` is made of those classes. A check takes
the value as a TOML file gives it and returns it normalised, or raises
:class:`Invalid` saying what would be valid; the policy reader turns that into a
:class:`~cptm_rules.exceptions.PolicyError` naming the file and the key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import attrs

from cptm_rules.calendar import resolve_time_zone, workalendar_class_named
from cptm_rules.exceptions import InvalidInputError
from cptm_rules.money import decimal_places

if TYPE_CHECKING:
    from cptm_rules.vocabulary import AccessUnit, ActivityCategory, DayCount, DiscountKind

__all__ = [
    "Check",
    "Invalid",
    "dates",
    "fee",
    "figure",
    "hours",
    "members_of",
    "one_of",
    "optional_date",
    "text",
    "time_zone_name",
    "whole",
    "whole_or_unlimited",
    "workalendar_name",
    "year",
    "yes_no",
]


class Invalid(Exception):  # noqa: N818  # a signal: policy.py turns it into a PolicyError
    """A figure's value is not valid; ``expected`` says what would be."""

    def __init__(self, expected: str) -> None:
        """Say what would be valid."""
        self.expected = expected


Check = Callable[[object], object]


def whole(minimum: int, maximum: int) -> Check:
    """A whole number from ``minimum`` to ``maximum`` (a bool is not one)."""

    # Every count has an upper bound far above any real figure: a typo such as
    # free_change_days = 1000000 is refused at load time, not met as an overflow later.
    def check(value: object) -> int:
        if type(value) is not int or not minimum <= value <= maximum:
            raise Invalid(f"a whole number from {minimum} to {maximum:,}")
        return value

    return check


def whole_or_unlimited(maximum: int) -> Check:
    """A whole number from 1 to ``maximum``, or ``"unlimited"`` (``None``)."""

    def check(value: object) -> int | None:
        if value is None or value == "unlimited":
            return None
        if type(value) is not int or not 1 <= value <= maximum:
            raise Invalid(f"a whole number from 1 to {maximum:,}, or the string 'unlimited'")
        return value

    return check


def hours(maximum: int) -> Check:
    """Hours as an exact ``Decimal`` from 0 to ``maximum``, to the hundredth."""
    # TOML has no decimal type: an int, a decimal string, or a float read back
    # through its shortest repr (the digits the user wrote) are all exact.
    expected = f'a number of hours from 0 to {maximum:,} with at most 2 decimals, such as "23.75"'

    def check(value: object) -> Decimal:
        if isinstance(value, bool):
            raise Invalid(expected)
        try:
            if isinstance(value, Decimal):
                number = value
            elif isinstance(value, int | str):
                number = Decimal(value)
            elif isinstance(value, float):
                number = Decimal(repr(value))
            else:
                raise Invalid(expected)
        except InvalidOperation:
            raise Invalid(expected) from None
        if not (
            number.is_finite() and 0 <= number <= maximum and decimal_places(number) <= 2
        ):  # hundredths of an hour
            raise Invalid(expected)
        return number

    return check


def _list(value: object, expected: str) -> tuple[object, ...]:
    # A TOML array only: a table or a string is iterable too, but is not a list.
    if not isinstance(value, list | tuple):
        raise Invalid(expected)
    return tuple(value)


def yes_no(value: object) -> bool:
    """``true`` or ``false``."""
    if type(value) is not bool:
        raise Invalid("true or false")
    return value


def text(value: object) -> str:
    """A non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid("a non-empty string")
    return value


def one_of(enum_type: type[AccessUnit | DayCount]) -> Check:
    """One of the words of ``enum_type``, as its member."""
    options = ", ".join(repr(m.value) for m in enum_type)

    def check(value: object) -> object:
        if isinstance(value, str) and value in enum_type._value2member_map_:
            return enum_type(value)
        raise Invalid(f"one of {options}")

    return check


def members_of(enum_type: type[ActivityCategory | DiscountKind]) -> Check:
    """A list of words of ``enum_type``, as a tuple of its members without repeats."""
    options = ", ".join(repr(m.value) for m in enum_type)

    def check(value: object) -> tuple[object, ...]:
        members = []
        for item in _list(value, f"a list of values from {options}"):
            if not (isinstance(item, str) and item in enum_type._value2member_map_):
                raise Invalid(f"a list of values from {options}; {item!r} is not one")
            members.append(enum_type(item))
        return tuple(dict.fromkeys(members))

    return check


def dates(value: object) -> tuple[dt.date, ...]:
    """A list of dates, sorted, without repeats."""
    expected = "a list of dates such as [2026-12-31]"
    items = [d for d in _list(value, expected) if type(d) is dt.date]
    if len(items) != len(_list(value, expected)):
        raise Invalid(expected)
    return tuple(sorted(set(items)))


def optional_date(value: object) -> dt.date | None:
    """A date, or nothing."""
    if value is not None and type(value) is not dt.date:
        raise Invalid("a date such as 2026-01-01")
    return value


def _resolvable(value: object, resolve: Callable[[str], object]) -> str:
    # A name is valid when ``resolve`` finds what it names; its error says what would be.
    name = text(value)
    try:
        resolve(name)
    except InvalidInputError as exc:
        raise Invalid(exc.expected) from None
    return name


def workalendar_name(value: object) -> str:
    """The dotted name of a workalendar calendar class."""
    return _resolvable(value, workalendar_class_named)


def time_zone_name(value: object) -> str:
    """An IANA time zone name."""
    return _resolvable(value, resolve_time_zone)


def year(value: object) -> int:
    """A year from 1900 to 2200."""
    if type(value) is not int or not 1900 <= value <= 2200:
        raise Invalid("a year between 1900 and 2200")
    return value


def figure(
    section: str,
    rule_id: str | None,
    check: Check,
    *,
    shown_only: bool = False,
    default: object = attrs.NOTHING,
) -> Any:  # noqa: ANN401  # attrs.field
    """A policy figure, as an attrs field of a ``...Figures`` class.

    ``section`` is the ``[section]`` of policy files it is written under,
    ``rule_id`` the rule it serves (``None`` for the policy's own settings), and
    ``check`` what its value must pass. ``shown_only`` marks a figure that no
    decision reads, only the rule's statement shows (a planning figure): a policy
    diff lists its change but cannot expect any answer to move. ``default`` is
    the value of a file that does not state the figure (a figure added after
    users wrote their files); without one, every file must state it.
    """
    return attrs.field(
        default=default,
        metadata={"section": section, "rule": rule_id, "check": check, "shown_only": shown_only},
    )


def fee(rule_id: str, *, default: str | None = None) -> Any:  # noqa: ANN401  # attrs.field
    """An amount of the price schedule, as an attrs field of a ``...Fees`` class.

    ``rule_id`` is the rule that charges or uses it. Price schedule files give it
    under its field name (``class_change_fee = "400"``), or ``"unknown"``. A fee
    added after price files were first written gives a ``default``, the value as a
    file would write it that a file not naming it reads as (``"0"``: the rule is
    not in force), so that a complete schedule written before the fee still reads.
    """
    metadata: dict[str, object] = {"item": True, "rule": rule_id}
    if default is not None:
        metadata["default"] = default
    return attrs.field(metadata=metadata)
