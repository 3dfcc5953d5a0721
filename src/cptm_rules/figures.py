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
from typing import TYPE_CHECKING, Any, Final

import attrs

from cptm_rules.calendar import resolve_time_zone, workalendar_class_named
from cptm_rules.exceptions import InvalidInputError, shown
from cptm_rules.money import decimal_places
from cptm_rules.vocabulary import DeadlineAnchor, DeadlineUnit

if TYPE_CHECKING:
    from collections.abc import Mapping

    from cptm_rules.vocabulary import AccessUnit, ActivityCategory, DayCount, DiscountKind

__all__ = [
    "Check",
    "Deadline",
    "DeadlineSpec",
    "Invalid",
    "Shorthand",
    "dates",
    "deadline",
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


# -- deadlines: an amount, a unit and, where a rule admits more than one, what it counts from --

_UNIT_WORDS: Final[Mapping[DeadlineUnit, tuple[str, str]]] = {
    DeadlineUnit.HOURS: ("hour", "hours"),
    # Plain "days" are calendar days in every explanation the rules give.
    DeadlineUnit.CALENDAR_DAYS: ("day", "days"),
    DeadlineUnit.BUSINESS_DAYS: ("business day", "business days"),
    DeadlineUnit.MONTHS: ("month", "months"),
    DeadlineUnit.YEARS: ("year", "years"),
}

_ANCHOR_WORDS: Final[Mapping[DeadlineAnchor, str]] = {
    # The exam is released on the practicum's last day (R13).
    DeadlineAnchor.PRACTICUM_LAST_DAY: "the release date",
    DeadlineAnchor.PRACTICUM_FIRST_DAY: "the practicum's first day",
}


@attrs.frozen(kw_only=True)
class Deadline:
    """A span a rule counts from a fact of the journey: an amount of a unit, and from what.

    ``counted_from`` is set only for a rule that admits more than one anchor (the
    exam window, R14); for the others the rule's own fact is meant (``None``).
    Which units and anchors a rule admits is its figure's :class:`DeadlineSpec`.
    """

    amount: int
    unit: DeadlineUnit
    counted_from: DeadlineAnchor | None = None

    def words(self) -> str:
        """The span in words: ``2 hours``, ``30 business days``, ``1 year``."""
        one, many = _UNIT_WORDS[self.unit]
        return f"{self.amount} {one if self.amount == 1 else many}"

    def adjective(self) -> str:
        """The span before a noun: ``6-month``, ``2-year``, ``30-business-day``."""
        return f"{self.amount}-{_UNIT_WORDS[self.unit][0].replace(' ', '-')}"

    def anchor_words(self) -> str:
        """What it counts from, in words (empty for a rule's only anchor)."""
        return "" if self.counted_from is None else _ANCHOR_WORDS[self.counted_from]

    def __str__(self) -> str:
        """The deadline as a policy file writes it in full: a TOML inline table."""
        anchor = "" if self.counted_from is None else f', from = "{self.counted_from}"'
        return f'{{ amount = {self.amount}, unit = "{self.unit}"{anchor} }}'


# Policies are saved with journeys: cattrs and the schema read these annotations as types.
attrs.resolve_types(Deadline)


@attrs.frozen(kw_only=True)
class Shorthand:
    """An older key that states part of a deadline, and keeps reading as it did.

    An amount key (``words`` empty) sets the amount, and the unit when its name
    carries one (``exam_window_months``: ``unit`` months); a unit key
    (``access_due_unit``, ``free_change_day_count``) sets the unit from its
    ``words``. Whatever a shorthand does not state comes from the version the
    file extends (or the figure's first unit and anchor, in a complete file).
    """

    name: str
    """Its key's name, under the deadline's section."""
    unit: DeadlineUnit | None = None
    words: tuple[tuple[str, DeadlineUnit], ...] = ()
    rule_id: str | None = None
    """The rule the key served when it was a figure of its own, if not the deadline's."""

    def states(self, value: Deadline, default_anchor: DeadlineAnchor | None) -> bool:
        """Whether this key alone (with its siblings) can state ``value``."""
        if value.counted_from != default_anchor:
            return False
        if self.words:
            return any(unit is value.unit for _word, unit in self.words)
        return self.unit is None or self.unit is value.unit

    def text(self, value: Deadline) -> str:
        """What this key says of ``value``, as a policy file spells it."""
        if self.words:
            return next(word for word, unit in self.words if unit is value.unit)
        return str(value.amount)


@attrs.frozen(kw_only=True)
class DeadlineSpec:
    """What one rule's deadline admits: its units (with bounds), anchors, and older keys.

    ``units`` pairs each admitted unit with the smallest and largest amount;
    ``anchors`` lists what the deadline may count from, the default first (more
    than one: a file may write ``from``); ``shorthands`` are the keys files
    wrote before the general form, kept with their meaning.
    """

    what: str
    """The deadline in words, for messages: ``the exam window``."""
    units: tuple[tuple[DeadlineUnit, int, int], ...]
    anchors: tuple[DeadlineAnchor, ...] = ()
    shorthands: tuple[Shorthand, ...] = ()

    @property
    def default_anchor(self) -> DeadlineAnchor | None:
        """The anchor a deadline written without ``from`` counts from (``None``: the rule's)."""
        return self.anchors[0] if self.anchors else None

    def _unit_options(self) -> str:
        return ", ".join(repr(str(unit)) for unit, _low, _high in self.units)

    def example(self) -> str:
        """A deadline as a file writes it in full, for messages."""
        unit, _low, high = self.units[0]
        anchor = f', from = "{self.anchors[-1]}"' if len(self.anchors) > 1 else ""
        return f'{{ amount = {min(high, 18)}, unit = "{unit}"{anchor} }}'

    def bounds(self, unit: DeadlineUnit) -> tuple[int, int]:
        """The smallest and largest amount of ``unit`` (one of ``units``)."""
        return next((low, high) for u, low, high in self.units if u is unit)

    def check(self, value: object) -> Deadline:
        """The check of the figure: an inline table ``{ amount, unit[, from] }``, or a Deadline."""
        if isinstance(value, Deadline):
            # A policy's own value, or one decoded from a saved journey: checked again.
            table: dict[str, object] = {"amount": value.amount, "unit": str(value.unit)}
            if value.counted_from is not None:
                table["from"] = str(value.counted_from)
            return self.check(table)
        keys = ("amount", "unit", "from") if len(self.anchors) > 1 else ("amount", "unit")
        if not isinstance(value, dict):
            raise Invalid(f"an inline table such as {self.example()}, not {shown(value)}")
        unknown = [k for k in value if k not in keys]
        if unknown:
            raise Invalid(f"the keys {', '.join(keys)}; {shown(unknown[0])} is not one")
        unit_word = value.get("unit")
        units = {str(unit): unit for unit, _low, _high in self.units}
        if not isinstance(unit_word, str) or unit_word not in units:
            given = "no unit given" if unit_word is None else f"not {shown(unit_word)}"
            raise Invalid(f"unit one of {self._unit_options()} ({self.what}), {given}")
        unit = units[unit_word]
        low, high = self.bounds(unit)
        amount = value.get("amount")
        if type(amount) is not int or not low <= amount <= high:
            given = "no amount given" if amount is None else f"not {shown(amount)}"
            raise Invalid(f"amount a whole number of {unit} from {low} to {high:,}, {given}")
        anchor = self.default_anchor
        if "from" in value:
            words = {str(a): a for a in self.anchors}
            given = value["from"]
            if not isinstance(given, str) or given not in words:
                options = ", ".join(repr(w) for w in words)
                raise Invalid(f"from one of {options}, not {shown(given)}")
            anchor = words[given]
        return Deadline(amount=amount, unit=unit, counted_from=anchor)

    def shorthand(self, name: str) -> Shorthand | None:
        """The shorthand key called ``name``, or ``None``."""
        return next((s for s in self.shorthands if s.name == name), None)

    def starting_value(self) -> Deadline:
        """The value shorthand keys of a complete file start from: the first unit's least."""
        unit, low, _high = self.units[0]
        return Deadline(amount=low, unit=unit, counted_from=self.default_anchor)

    def with_shorthand(self, current: Deadline, shorthand: Shorthand, value: object) -> Deadline:
        """``current`` with what ``shorthand`` states set to ``value`` (checked as before)."""
        if shorthand.words:
            words = dict(shorthand.words)
            if not isinstance(value, str) or value not in words:
                raise Invalid(f"one of {', '.join(repr(w) for w in words)}")
            return attrs.evolve(current, unit=words[value])
        unit = current.unit if shorthand.unit is None else shorthand.unit
        amount = whole(*self.bounds(unit))(value)
        assert isinstance(amount, int)  # noqa: S101  # checked as a whole number
        # An amount key in a unit of its own states the whole deadline as it always did.
        anchor = current.counted_from if shorthand.unit is None else self.default_anchor
        return Deadline(amount=amount, unit=unit, counted_from=anchor)

    def cited(self, value: Deadline) -> tuple[tuple[str, str], ...] | None:
        """``(shorthand name, text)`` for each older key, when they can state ``value``."""
        if not self.shorthands or not all(
            s.states(value, self.default_anchor) for s in self.shorthands
        ):
            return None
        return tuple((s.name, s.text(value)) for s in self.shorthands)


def deadline(
    section: str, rule_id: str, spec: DeadlineSpec, *, default: object = attrs.NOTHING
) -> Any:  # noqa: ANN401  # attrs.field
    """A deadline figure: :func:`figure` with the :class:`DeadlineSpec` that checks it.

    A file writes it in full as ``key = { amount = .., unit = ".."[, from = ".."] }``
    or, as before, with the spec's shorthand keys (never both for one rule).
    """
    return attrs.field(
        default=default,
        metadata={
            "section": section,
            "rule": rule_id,
            "check": spec.check,
            "shown_only": False,
            "deadline": spec,
        },
    )


def read_as_before(field: str, name: str, convert: Callable[[str], object] | None = None) -> Any:  # noqa: ANN401  # a property
    """A read-only attribute ``name`` giving what the older key ``name`` says of ``field``.

    Code written against the older figures (``policy.exam_window_months``) keeps
    reading; a deadline the older key cannot state (another unit, another anchor)
    is an :class:`~cptm_rules.exceptions.InvalidInputError` that names the
    deadline to read instead. ``convert`` turns a unit key's word into its value.
    """

    def get(self: object) -> object:
        value = getattr(self, field)
        spec: DeadlineSpec = attrs.fields_dict(type(self))[field].metadata["deadline"]  # type: ignore[arg-type]
        shorthand = spec.shorthand(name)
        assert shorthand is not None  # noqa: S101  # declared beside the figure
        if not shorthand.states(value, spec.default_anchor):
            raise InvalidInputError(
                name,
                str(value),
                f"a deadline the older key {name} can state; read .{field} (a Deadline)",
            )
        text = shorthand.text(value)
        if shorthand.words:
            return convert(text) if convert is not None else value.unit
        return value.amount

    get.__doc__ = f"``{field}`` as the older key ``{name}`` states it (read ``{field}``)."
    return property(get)
