"""The program's policy as versioned, sourced, validated data.

A :class:`Policy` holds every figure and switch the rules use. Policies are
TOML files; two ship inside the package:

* ``current``: today's FAQ (the default);
* ``legacy``: the older FAQ (access within two business days, four weeks of
  prework, 2 to 4 hours a module).

A user's file may start from a shipped one (``extends = "current"``) or from
another user file in its folder tree (``extends = "board-2027.toml"``, read
relative to the extending file) and set only the keys it changes. Every value
records where it comes from: the rule id and the FAQ question or other source
(:meth:`Policy.source_of`). Loading validates everything and reports a mistake
as a :class:`~cptm_rules.exceptions.PolicyError` naming the file, the key, the
bad value and what would be valid.

>>> from cptm_rules.policy import load_policy
>>> policy = load_policy("current")
>>> policy.free_change_days, str(policy.free_change_day_count)
(30, 'business')
>>> print(policy.source_of("free_change_days"))
practicum.free_change_days = 30 (R9; FAQ: "How do I know which practicum to chose?")
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple

import attrs

from cptm_rules.calendar import BusinessCalendar, resolve_time_zone
from cptm_rules.exceptions import (
    InputFileError,
    InvalidInputError,
    PolicyError,
    close_match,
    suggest,
)
from cptm_rules.figures import (
    Deadline,
    DeadlineSpec,
    Invalid,
    Shorthand,
    dates,
    figure,
    optional_date,
    text,
    time_zone_name,
    workalendar_name,
    year,
)
from cptm_rules.files import confined, read_text
from cptm_rules.rules import ALL_RULES
from cptm_rules.rules.cancellation import CancellationFigures
from cptm_rules.rules.certification import CertificationFigures
from cptm_rules.rules.exam import ExamFigures
from cptm_rules.rules.practicum_changes import PracticumFigures
from cptm_rules.rules.prework import PreworkFigures
from cptm_rules.rules.pricing import PricingFigures
from cptm_rules.rules.registration import RegistrationFigures
from cptm_rules.vocabulary import ActivityCategory, DeadlineUnit

if TYPE_CHECKING:
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from cptm_rules.declarations import Citation

__all__ = [
    "KNOWN_CONCEPTS",
    "MAX_EXTENDS_CHAIN",
    "POLICY_KEYS",
    "SHIPPED_POLICIES",
    "ExtendsFrom",
    "Policy",
    "PolicySet",
    "ValueSource",
    "check_after",
    "concept_hint",
    "figure_fields",
    "load_policy",
    "parse_toml",
    "read_user_file",
    "user_file",
]

SHIPPED_POLICIES: Final = ("current", "legacy")
"""Names of the policy files shipped inside the package; ``current`` is the default."""


@attrs.frozen(kw_only=True)
class ValueSource:
    """Where one policy value comes from."""

    key: str
    """The dotted key, as written in a policy file (``practicum.free_change_days``)."""
    value: object
    rule_id: str | None
    citation: str
    """The FAQ question, other document, or user file that sets the value."""

    def __str__(self) -> str:
        """Render as ``key = value (rule; citation)``, the value as TOML writes it."""
        rule = f"{self.rule_id}; " if self.rule_id else ""
        return f"{self.key} = {_toml_value(self.value)} ({rule}{self.citation})"


def _figure_text(value: object) -> str:
    if value is None:
        return "unlimited"
    if isinstance(value, bool):  # as the policy files spell it
        return "true" if value else "false"
    if isinstance(value, tuple | frozenset):  # a list of words or days, read as one
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def _toml_value(value: object) -> str:
    if value is None:
        return '"unlimited"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):  # enum members are str too
        return f'"{value}"'
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return str(value)


_DERIVED: Final = frozenset({"label", "calendar", "zone", "_figures_memo"})
"""The cached properties of :class:`Policy`: derived from its fields, never pickled."""


# Not slotted (its bases are not either): attrs gives a slotted class with cached
# properties a Python __getattr__ hook, which makes every figure read a slow lookup,
# and the rules read a policy's figures a hundred and more times per journey.
@attrs.frozen(kw_only=True, slots=False)
class Policy(  # the families' figures, registration first
    CancellationFigures,
    PricingFigures,
    CertificationFigures,
    ExamFigures,
    PracticumFigures,
    PreworkFigures,
    RegistrationFigures,
):
    """Every figure and switch the rules use, with where each comes from.

    Each family of rules declares the figures it reads beside its rules (for
    example :class:`~cptm_rules.rules.practicum_changes.PracticumFigures`); a
    policy is made of all of them, plus its name, dates and calendar.

    Build one with :func:`load_policy` (or :meth:`from_toml`), not by hand:
    every value is validated by the constructor too, but the files carry the
    sources. Use :meth:`with_overrides` to change single keys.
    """

    name: str = figure("policy", None, text)
    description: str = figure("policy", None, text)
    effective_from: dt.date | None = figure("policy", None, optional_date)

    # The figures of the rules are declared by their families (the base classes);
    # the calendar settings serve many rules and stay here.
    workalendar_class: str = figure("calendar", "R9", workalendar_name)
    extra_closures: tuple[dt.date, ...] = figure("calendar", "R9", dates)
    extra_working_days: tuple[dt.date, ...] = figure("calendar", "R9", dates)
    first_year: int = figure("calendar", None, year)
    last_year: int = figure("calendar", None, year)
    time_zone: str = figure("calendar", "R13", time_zone_name)

    extends: str | None = attrs.field(default=None, repr=False)
    """The version this one is written against: its file's ``extends`` as written, a
    shipped name or, for a user file, the file named relative to the extending file's
    folder (read as :attr:`base`; never a path of the machine it was read on).

    Before this policy's ``effective_from``, that version is the one in force
    (see :meth:`in_force_on`).
    """
    base: Policy | None = attrs.field(default=None, repr=False, eq=False)
    """The user file this one extends, as read with it (``None`` for a shipped name).

    Kept read rather than re-read by path, so that the file's own ``extends``
    stays confined to the folder tree of the first file read.
    """
    citations: tuple[tuple[str, str], ...] = attrs.field(default=(), repr=False)
    """``(field name, citation)`` pairs; fields not listed cite their rule's source."""
    origin: str = attrs.field(default="Policy(...)", repr=False, eq=False)
    """The file (or call) the policy was read from, for error messages."""

    def __attrs_post_init__(self) -> None:
        """Validate every value, whoever built the policy."""
        for field in attrs.fields(type(self)):
            check = field.metadata.get("check")
            if check is None:
                continue
            value = getattr(self, field.name)
            try:
                checked = check(value)
            except Invalid as exc:
                raise PolicyError(
                    source=self.origin, key=_key(field), value=value, expected=exc.expected
                ) from None
            if checked != value:
                object.__setattr__(self, field.name, checked)  # normalise (list -> tuple)
        if self.extends is not None and self.extends not in SHIPPED_POLICIES and self.base is None:
            raise PolicyError(
                source=self.origin,
                key="extends",
                value=self.extends,
                expected=f"the name of a shipped policy: {', '.join(SHIPPED_POLICIES)}",
            )
        self._check_consistency()

    def _check_consistency(self) -> None:
        def fail(name: str, expected: str) -> PolicyError:
            field = getattr(attrs.fields(type(self)), name)
            return PolicyError(
                source=self.origin, key=_key(field), value=getattr(self, name), expected=expected
            )

        if self.module_hours_max < self.module_hours_min:
            raise fail("module_hours_max", f"at least module_hours_min ({self.module_hours_min})")
        if self.last_year < self.first_year:
            raise fail("last_year", f"a year on or after first_year ({self.first_year})")
        if not set(self.free_categories) <= set(self.qualifying_categories):
            raise fail("free_categories", "a subset of qualifying_categories")

    # -- derived values --------------------------------------------------

    def __getstate__(self) -> dict[str, object]:
        """The fields without the values derived from them (rebuilt on first use).

        A policy that has been used pickles as one that has not: the same bytes
        before and after a journey reads it, and no calendar shipped to a worker.
        """
        return {k: v for k, v in self.__dict__.items() if k not in _DERIVED}

    @functools.cached_property
    def label(self) -> str:
        """How decisions name the policy: ``current``, or ``board, in force from 2027-07-01``."""
        if self.effective_from is None:
            return self.name
        return f"{self.name}, in force from {self.effective_from.isoformat()}"

    def in_force_on(self, day: dt.date) -> Policy:
        """The version that governs a registration made on ``day``.

        This policy from its ``effective_from`` on (or always, when it has
        none); before that, the version it ``extends``, itself judged the
        same way. A policy with an effective date that extends nothing cannot
        answer for an earlier day: :class:`~cptm_rules.exceptions.PolicyError` says so.
        """
        start = self.effective_from
        if start is None or day >= start:
            return self
        earlier = self.extended()
        if earlier is None:
            raise PolicyError(
                source=self.origin,
                key="effective_from",
                value=start,
                expected=f"a date on or before the registration date {day.isoformat()}; "
                'or extends = "<shipped version>", the version in force before it',
            )
        return earlier.in_force_on(day)

    def extended(self) -> Policy | None:
        """The version this one extends (:attr:`base`, or the shipped one), or ``None``."""
        if self.base is not None:
            return self.base
        return None if self.extends is None else load_policy(self.extends)

    @functools.cached_property
    def calendar(self) -> BusinessCalendar:
        """The business calendar this policy's day counts use (built once)."""
        return BusinessCalendar(
            workalendar_class=self.workalendar_class,
            extra_closures=self.extra_closures,
            extra_working_days=self.extra_working_days,
            first_year=self.first_year,
            last_year=self.last_year,
        )

    @functools.cached_property
    def zone(self) -> ZoneInfo:
        """The program's time zone as a ``ZoneInfo``."""
        return resolve_time_zone(self.time_zone)

    @functools.cached_property
    def _figures_memo(self) -> dict[tuple[str, ...], tuple[tuple[str, str], ...]]:
        return {}

    def figures_by_key(self) -> Mapping[str, str]:
        """Every figure, as decisions cite it, by dotted key (what rule templates show)."""
        return dict(self.figures(*POLICY_KEYS))

    def figures(self, *names: str) -> tuple[tuple[str, str], ...]:
        """``(dotted key, value as text)`` for each named field, as decisions cite them.

        Memoised per policy: the policy never changes, and decisions cite the
        same figures on every event.
        """
        memo = self._figures_memo
        found = memo.get(names)
        if found is None:
            found = tuple(dict.fromkeys(pair for name in names for pair in self._cited(name)))
            memo[names] = found
        return found

    def _cited(self, name: str) -> tuple[tuple[str, str], ...]:
        """How decisions cite ``name``: a deadline in its older keys wherever they can state it.

        So a file of today's spelling (or one whose general form says the same) cites
        the words it always did; a deadline they cannot state cites its general key.
        ``name`` may be an older key's name: then its own pair, or the general one.
        """
        older = _SHORTHANDS.get(name)
        field = older[0] if older is not None else _field_by_name(name)
        value = getattr(self, field.name)
        spec: DeadlineSpec | None = field.metadata.get("deadline")
        cited = None if spec is None else spec.cited(value)
        if cited is None:
            return ((_key(field), _figure_text(value)),)
        pairs = tuple((_older_key(field, n), text) for n, text in cited)
        if older is not None:
            return tuple(pair for pair in pairs if pair[0] == _older_key(field, older[1].name))
        return pairs

    @property
    def total_hours_min(self) -> Decimal:
        """Expected prework effort in all, low end (R5)."""
        return self.module_count * self.module_hours_min

    @property
    def total_hours_max(self) -> Decimal:
        """Expected prework effort in all, high end (R5)."""
        return self.module_count * self.module_hours_max

    # -- provenance ------------------------------------------------------

    def figure_text(self, name: str) -> str:
        """The value of the figure ``name`` (a field name, or an older key's) as files spell it.

        A deadline gives its general form (a TOML inline table); an older key's name,
        what that key would say, or the general form where it cannot say it.
        """
        if name in _SHORTHANDS:
            return self._cited(name)[0][1]
        return _figure_text(getattr(self, _field_by_name(name).name))

    def source_of(self, name: str) -> ValueSource:
        """Where the value of field ``name`` (or its dotted key, or an older key) comes from.

        A deadline is shown as decisions cite it: under its older key where that key
        alone states it (``exam.exam_window_months = 6``), else in its general form.
        """
        older = _SHORTHANDS.get(name)
        field = older[0] if older is not None else _field_by_name(name)
        own = dict(self.citations).get(field.name)
        rule_id = field.metadata["rule"]
        if own is None:
            own = str(_FIRST_SOURCES[rule_id]) if rule_id else "project default"
        value: object = getattr(self, field.name)
        key = _key(field)
        spec: DeadlineSpec | None = field.metadata.get("deadline")
        cited = None if spec is None else spec.cited(value)  # type: ignore[arg-type]
        if spec is not None and cited is not None and (older is not None or len(cited) == 1):
            shorthand = older[1] if older is not None else spec.shorthands[0]
            key = _older_key(field, shorthand.name)
            assert isinstance(value, Deadline)  # noqa: S101  # a deadline figure's value
            value = shorthand.text(value) if shorthand.words else value.amount
        return ValueSource(key=key, value=value, rule_id=rule_id, citation=own)

    def sources(self) -> tuple[ValueSource, ...]:
        """Where every value comes from, in file order (a deadline as decisions cite it)."""
        found: list[ValueSource] = []
        for field in _settings():
            if field.metadata["section"] == "policy":
                continue
            spec: DeadlineSpec | None = field.metadata.get("deadline")
            cited = None if spec is None else spec.cited(getattr(self, field.name))
            if spec is None or cited is None or len(cited) == 1:
                found.append(self.source_of(field.name))
            else:
                found.extend(self.source_of(name) for name, _text in cited)
        return tuple(found)

    # -- building --------------------------------------------------------

    @classmethod
    def from_toml(cls, text: str, *, source: str = "<string>") -> Policy:
        """Read a policy from TOML ``text``; ``source`` names it in errors."""
        data = parse_toml(text, source=source)
        return _from_mapping(data, source=source, seen=(), place=None)

    def with_overrides(
        self, overrides: Mapping[str, object], *, citation: str = "override"
    ) -> Policy:
        """A copy with single keys changed; keys are dotted (``practicum.free_changes``)."""
        values = self._values()
        cites = dict(self.citations)
        stated: dict[str, list[str]] = {}
        for key, value in overrides.items():
            field = _set(values, key, value, source="<overrides>", stated=stated)
            cites[field.name] = citation
        return Policy(
            **values,
            extends=self.extends,
            base=self.base,
            citations=tuple(sorted(cites.items())),
            origin="<overrides>",
        )

    def _values(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in _settings()}


def _settings() -> tuple[attrs.Attribute[Any], ...]:
    return tuple(f for f in attrs.fields(Policy) if "check" in f.metadata)


def figure_fields() -> tuple[attrs.Attribute[Any], ...]:
    """The policy's figures: every field a policy file sets, with its section and rule."""
    return _settings()


def _key(field: attrs.Attribute[Any]) -> str:
    section = field.metadata["section"]
    name = field.name
    return name if section == "policy" else f"{section}.{name}"


def _field_by_name(name: str) -> attrs.Attribute[Any]:
    field = _FIELDS_BY_NAME.get(name)
    if field is not None:
        return field
    raise InvalidInputError("name", name, "a policy field name such as 'free_change_days'")


_FIELDS_BY_NAME: Final[Mapping[str, attrs.Attribute[Any]]] = {
    **{f.name: f for f in _settings()},
    **{_key(f): f for f in _settings()},
}

POLICY_KEYS: Final[Mapping[str, str]] = {f.name: _key(f) for f in _settings()}
"""Each field's dotted key in policy files: ``free_changes`` -> ``practicum.free_changes``."""

# Read from the families, not the catalogue: the catalogue renders its rules under the
# shipped policy, so it sits above this module.
_FIRST_SOURCES: Final[Mapping[str, Citation]] = {r.id: r.sources[0] for r in ALL_RULES}


def _older_key(field: attrs.Attribute[Any], name: str) -> str:
    """The dotted key of a deadline's older key ``name``, under the deadline's section."""
    return f"{field.metadata['section']}.{name}"


_SHORTHANDS: Final[Mapping[str, tuple[attrs.Attribute[Any], Shorthand]]] = {
    spelling: (f, shorthand)
    for f in _settings()
    for shorthand in getattr(f.metadata.get("deadline"), "shorthands", ())
    for spelling in (shorthand.name, _older_key(f, shorthand.name))
}
"""Each deadline's older keys, by name and by dotted key: the field and what the key states."""

SHORTHAND_KEYS: Final[Mapping[str, str]] = {
    _older_key(f, sh.name): _key(f) for f, sh in _SHORTHANDS.values()
}
"""Each older key of a deadline -> the deadline's key: ``exam.exam_window_months`` ->
``exam.exam_window``. Files may write either spelling (never both for one rule)."""


def _field_for_key(key: str, *, source: str) -> attrs.Attribute[Any]:
    field, _shorthand = _resolve_key(key, source=source)
    return field


def _resolve_key(key: str, *, source: str) -> tuple[attrs.Attribute[Any], Shorthand | None]:
    """The field a dotted key sets, and the older key it is if it is one."""
    for field in _settings():
        if key == _key(field):
            return field, None
    if key in SHORTHAND_KEYS:
        return _SHORTHANDS[key]
    hint = _key_hint(key) or "a known policy key (docs/policy.md lists them all)"
    raise PolicyError(source=source, key=key, value="<unknown key>", expected=hint)


def _set(
    values: dict[str, Any], key: str, raw: object, *, source: str, stated: dict[str, list[str]]
) -> attrs.Attribute[Any]:
    """Set what ``key`` states in ``values``, checked; ``stated`` gathers each field's keys.

    An older key of a deadline sets the part it states, the rest kept from ``values``
    (the version extended, or a start a complete file's other older keys complete).
    A deadline written both ways is refused, naming both keys.
    """
    field, shorthand = _resolve_key(key, source=source)
    keys = stated.setdefault(field.name, [])
    keys.append(key)
    general = _key(field)
    if len(keys) > 1 and general in keys:
        other = next(k for k in keys if k != general)
        raise PolicyError(
            source=source,
            key=general,
            value="<stated twice>",
            expected=f"one spelling of this deadline: {general} or {other}, not both",
        )
    if shorthand is None:
        values[field.name] = _convert(field, raw, source=source)
        return field
    spec: DeadlineSpec = field.metadata["deadline"]
    current = values.get(field.name)
    start = current if isinstance(current, Deadline) else spec.starting_value()
    try:
        values[field.name] = spec.with_shorthand(start, shorthand, raw)
    except Invalid as exc:
        raise PolicyError(source=source, key=key, value=raw, expected=exc.expected) from None
    return field


_PRICE_WORDS: Final = ("price", "fee", "discount", "currency")


_CATEGORY_MINIMUM: Final = "the fewest hours a period needs from a group of categories"
_LATE_RENEWAL: Final = (
    "a late renewal fee (late_renewal_fee, an item of a price file, not a policy key) "
    "and the grace period it is charged in"
)

KNOWN_CONCEPTS: Final[Mapping[str, tuple[str, str]]] = {
    "grace": ("a grace period", "docs/policy.md#a-grace-period"),
    "category cap": ("a cap on a category's hours", "docs/policy.md#a-cap-on-a-category"),
    "category max": ("a cap on a category's hours", "docs/policy.md#a-cap-on-a-category"),
    "category maximum": ("a cap on a category's hours", "docs/policy.md#a-cap-on-a-category"),
    "category limit": ("a cap on a category's hours", "docs/policy.md#a-cap-on-a-category"),
    "category min": (_CATEGORY_MINIMUM, "docs/policy.md#a-cap-on-a-category"),
    "category minimum": (_CATEGORY_MINIMUM, "docs/policy.md#a-cap-on-a-category"),
    "refund": ("refund tiers", "docs/policy.md#refund-tiers"),
    "retake": ("retakes and a retake fee", "docs/policy.md#retakes-and-a-retake-fee"),
    "resit": ("retakes and a retake fee", "docs/policy.md#retakes-and-a-retake-fee"),
    "attempt fee": ("retakes and a retake fee", "docs/policy.md#retakes-and-a-retake-fee"),
    # Before "late fee": the late renewal fee is a price-file item, charged in a grace period.
    "late renewal": (_LATE_RENEWAL, "docs/policy.md#a-grace-period"),
    "late registration": ("a late-registration fee", "docs/policy.md#a-late-registration-fee"),
    "late enrolment": ("a late-registration fee", "docs/policy.md#a-late-registration-fee"),
    "late enrollment": ("a late-registration fee", "docs/policy.md#a-late-registration-fee"),
    # A late fee under [certification] can only be the renewal's.
    "certification late": (_LATE_RENEWAL, "docs/policy.md#a-grace-period"),
    "late fee": ("a late-registration fee", "docs/policy.md#a-late-registration-fee"),
    "effective": ("an effective date", "docs/policy.md#an-effective-date-on-prices"),
    "valid from": ("an effective date", "docs/policy.md#an-effective-date-on-prices"),
}
"""Words an unknown key may be made of -> (the concept they name, the docs section on it).

Concepts a policy or price file states under a key of its own, which an author
may spell another way: a grace period, a cap on a category's hours, refund tiers,
a retake fee, a late-registration fee, an effective date on a price schedule. A key matches a
row when it holds every word of the row (its words split at ``.``, ``_`` and
``-``, case and a plural ``s`` ignored): ``certification.grace_period_days``
matches ``grace``, ``max_hours_per_category`` matches ``category max``; an activity
category's name reads as the word ``category`` (``webinar_cap`` matches ``category
cap``). The
section says how a file writes the concept today, or that it is not a shape a
file has yet. :func:`concept_hint` reads this table for policy and price files.
"""


def _words(key: str) -> set[str]:
    """The words of a key, lower case, a plural ``s`` dropped: ``refund_tiers`` -> refund, tier."""
    found = set()
    for word in re.split(r"[._\-\s]+", key.casefold()):
        if word.endswith("ies") and len(word) > 4:  # categories -> category
            found.add(word[:-3] + "y")
        elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
            found.add(word[:-1])
        else:
            found.add(word)
    return found


_CATEGORY_WORDS: Final = frozenset(
    word
    for category in ActivityCategory
    for word in _words(category.value)
    if word not in {"other", "not", "industry", "relevant"}
)
"""The words of the activity categories' names, which a key about one category holds."""


def concept_hint(key: str) -> str | None:
    """``"for <concept> see docs/policy.md#..."`` when ``key`` names a known concept, else ``None``.

    The concepts are :data:`KNOWN_CONCEPTS`; the hint names the concept and the
    docs section only, never anything the file holds beyond the key.
    """
    words = _words(key)
    if words & _CATEGORY_WORDS:  # webinar_cap, max_webinar_hours: a cap on a category
        words.add("category")
    for pattern, (concept, page) in KNOWN_CONCEPTS.items():
        if _words(pattern) <= words:
            return f"for {concept} see {page}"
    return None


def _key_hint(key: str) -> str | None:
    """What to write instead of the unknown ``key``, or ``None`` when nothing fits.

    In order: the same key under another table, a key it is a typo of
    (:func:`~cptm_rules.exceptions.close_match`), a concept the docs cover
    (:func:`concept_hint`), or the price schedule for a price or a fee.
    """
    keys = [_key(f) for f in _settings()] + list(SHORTHAND_KEYS)
    bare = key.rpartition(".")[2]
    by_name = [k for k in keys if k.rpartition(".")[2] == bare]
    if not by_name and (in_a_unit := _unit_hint(bare)) is not None:
        # Never the same figure's key in another unit: 18 months are not 18 years.
        return f"a known policy key; {in_a_unit}"
    close = by_name[0] if by_name else _close_key(key, keys)
    if close is not None:
        where = close.partition(".")
        table = f" (under [{where[0]}] in a file)" if where[1] else ""
        return f"a known policy key; did you mean {close}{table}?"
    concept = concept_hint(key)
    if concept is not None:
        return f"a known policy key; {concept}"
    if any(word in bare for word in _PRICE_WORDS):
        return (
            "a policy figure; prices and fees live in a price schedule file "
            "(--prices FILE, or prices = ... in a scenario; docs/pricing.md)"
        )
    return None


_UNIT_WORDS: Final[Mapping[str, tuple[DeadlineUnit, ...]]] = {
    "business_days": (DeadlineUnit.BUSINESS_DAYS,),
    "calendar_days": (DeadlineUnit.CALENDAR_DAYS,),
    "days": (DeadlineUnit.CALENDAR_DAYS, DeadlineUnit.BUSINESS_DAYS),
    "hours": (DeadlineUnit.HOURS,),
    "weeks": (),
    "months": (DeadlineUnit.MONTHS,),
    "years": (DeadlineUnit.YEARS,),
}
"""The unit a key's name may end with (``_months``), and the deadline units it can mean."""


def _in_a_unit(name: str) -> tuple[str, str] | None:
    """``(stem, unit word)`` when ``name`` ends with a unit: ``exam_window_days`` -> exam_window."""
    for word in _UNIT_WORDS:  # the two-word units first
        stem = name.removesuffix(f"_{word}")
        if stem != name and stem:
            return stem, word
    return None


def _stems() -> dict[str, tuple[attrs.Attribute[Any], str | None]]:
    """The names a figure counted in a unit goes by, without a unit: its field, and its unit.

    A deadline (any unit it admits: ``None``) by its name (``certification_period``,
    ``free_change_deadline`` and ``free_change``) and its older keys' stems
    (``exam_window_months``: exam_window); a figure counted in one unit by its stem
    (``renewal_grace_days``: renewal_grace, in days).
    """
    found: dict[str, tuple[attrs.Attribute[Any], str | None]] = {}
    for field in _settings():
        spec: DeadlineSpec | None = field.metadata.get("deadline")
        if spec is not None:
            older = (_in_a_unit(s.name) for s in spec.shorthands)
            names = (
                field.name,
                field.name.removesuffix("_deadline"),
                *(split[0] for split in older if split is not None),
            )
            for name in names:
                found.setdefault(name, (field, None))
        elif field.type in {int, "int"} and (split := _in_a_unit(field.name)) is not None:
            # A count (not extra_working_days, a list of days).
            found.setdefault(split[0], (field, split[1]))
    return found


def _unit_hint(name: str) -> str | None:
    """For a key naming a known figure in some unit (``certification_period_months``): its shape.

    A deadline is written ``{ amount, unit }`` under its own key whatever its unit; a
    figure counted in one unit only (``renewal_grace_days``) takes that unit. ``None``
    when ``name`` names no known figure in a unit.
    """
    split = _in_a_unit(name)
    known = None if split is None else _STEMS.get(split[0])
    if split is None or known is None:
        return None
    field, only = known
    if only is not None:
        return (
            f"{_key(field)} is the figure, counted in {only.replace('_', ' ')} only: "
            "state it in that unit under that key (docs/policy.md#keys)"
        )
    spec: DeadlineSpec = field.metadata["deadline"]
    admitted = [unit for unit, _low, _high in spec.units]
    meant = [unit for unit in _UNIT_WORDS[split[1]] if unit in admitted]
    units = ", ".join(repr(str(unit)) for unit in admitted)
    unit = f'"{meant[0]}"' if len(meant) == 1 else "…"
    return (
        f"{_key(field)} is a deadline ({spec.what}), written in any unit it admits as "
        f"{field.name} = {{ amount = …, unit = {unit} }} under [{field.metadata['section']}] "
        f"(its units: {units}; docs/policy.md#deadlines)"
    )


_STEMS: Final = _stems()


def _close_key(key: str, keys: list[str]) -> str | None:
    """The dotted key whose name ``key``'s name is a typo of, or ``None``.

    Names are compared without their tables, which every key of a table shares
    (``certification.`` would make any two of its keys look alike); a policy's
    field names are unique, so a name finds its key.
    """
    names = {k.rpartition(".")[2]: k for k in keys}
    found = close_match(key.rpartition(".")[2], names)
    return None if found is None else names[found]


def _convert(field: attrs.Attribute[Any], value: object, *, source: str) -> object:
    try:
        return field.metadata["check"](value)
    except Invalid as exc:
        raise PolicyError(
            source=source, key=_key(field), value=value, expected=exc.expected
        ) from None


_SECTIONS: Final = (
    "registration",
    "prework",
    "practicum",
    "exam",
    "certification",
    "pricing",
    "cancellation",
    "calendar",
)
_TOP_LEVEL: Final = ("name", "description", "effective_from", "extends", "sources")


def _flatten(data: Mapping[str, object], *, source: str) -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in data.items():
        if key in _SECTIONS:
            if not isinstance(value, Mapping):
                raise PolicyError(source=source, key=key, value=value, expected=f"a table [{key}]")
            for sub, item in value.items():
                flat[f"{key}.{sub}"] = item
        elif key in _TOP_LEVEL:
            flat[key] = value
        elif isinstance(value, Mapping):
            raise _unknown_table(key, value, source=source)
        else:
            # A hint names the key only, never what the file gives it.
            hint = _key_hint(key)
            if hint is not None:
                raise PolicyError(source=source, key=key, value="<unknown key>", expected=hint)
            valid = ", ".join((*_TOP_LEVEL, *(f"[{s}]" for s in _SECTIONS)))
            raise PolicyError(
                source=source,
                key=key,
                value="<unknown key>",
                expected=f"a top-level key among {valid}" + suggest(key, _TOP_LEVEL),
            )
    return flat


def _unknown_table(key: str, table: Mapping[str, object], *, source: str) -> PolicyError:
    """The error of a table no policy file has: its name, and a hint its keys give.

    Never its contents: a hint names keys only.
    """
    own = _key_hint(key)  # [refund_tiers]: a key of a known table
    if own is not None:
        return PolicyError(source=source, key=key, value="<unknown table>", expected=own)
    tables = ", ".join(f"[{s}]" for s in _SECTIONS)
    hints = ((sub, hint) for sub in table if (hint := _key_hint(f"{key}.{sub}")) is not None)
    found = next(hints, None)
    said = ""
    if found is not None:
        said = f"; for its key {found[0]}: {found[1].removeprefix('a known policy key; ')}"
    return PolicyError(
        source=source,
        key=key,
        value="<unknown table>",
        expected=f"a table among {tables}" + suggest(key, _SECTIONS) + said,
    )


def _from_mapping(
    data: Mapping[str, object], *, source: str, seen: tuple[str, ...], place: ExtendsFrom | None
) -> Policy:
    flat = _flatten(data, source=source)
    extends = flat.pop("extends", None)
    raw_sources = flat.pop("sources", {})
    if not isinstance(raw_sources, Mapping) or not all(
        isinstance(v, str) for v in raw_sources.values()
    ):
        raise PolicyError(
            source=source,
            key="sources",
            value=raw_sources,
            expected="a table of dotted keys to citation strings",
        )
    # A figure with a default (one added after users wrote their files) may go unstated.
    values: dict[str, Any] = {
        "effective_from": None,
        **{f.name: f.default for f in _settings() if f.default is not attrs.NOTHING},
    }
    cites: dict[str, str] = {}
    base: Policy | None = None
    written: str | None = None
    if extends is not None:
        base, written = _extended(extends, source=source, seen=seen, place=place)
        values = base._values()  # noqa: SLF001  # same module
        cites = dict(base.citations)
        values["effective_from"] = None
        values["name"] = Path(source).stem
    stated: dict[str, list[str]] = {}
    for key, raw in flat.items():
        field = _set(values, key, raw, source=source, stated=stated)
        if extends is not None and field.metadata["section"] != "policy":
            cites[field.name] = f"{source}"
    for key, citation in raw_sources.items():
        cites[_field_for_key(key, source=source).name] = citation
    missing = _missing(values, stated, complete=base is None)
    if missing:
        raise PolicyError(
            source=source,
            key=missing[0],
            value="<missing>",
            expected="a value for every key; or start from a shipped policy with "
            'extends = "current" and set only the keys you change '
            f"(missing: {', '.join(missing)})",
        )
    if base is not None:
        check_after(values["effective_from"], base.effective_from, base.name, source=source)
    return Policy(
        **values,
        extends=written,
        base=None if written in SHIPPED_POLICIES else base,
        citations=tuple(sorted(cites.items())),
        origin=source,
    )


def _missing(
    values: Mapping[str, object], stated: Mapping[str, list[str]], *, complete: bool
) -> list[str]:
    """The keys a file leaves out: figures without a value, and more in a complete file.

    In a ``complete`` file (one extending none), the older keys of a deadline it
    writes with only some of them are missing too.
    """
    missing: list[str] = []
    for f in _settings():
        if f.name not in values:
            missing.append(_key(f))
        elif complete:
            missing.extend(_left_out(f, stated.get(f.name, ())))
    return missing


def _left_out(field: attrs.Attribute[Any], keys: Iterable[str]) -> list[str]:
    """The older keys a complete file leaves out of a deadline it writes with others of them.

    A file that extends another takes the rest from it; a complete file that writes
    a deadline with its older keys writes all of them, as it always had to.
    """
    spec: DeadlineSpec | None = field.metadata.get("deadline")
    written = set(keys)
    if spec is None or not written or _key(field) in written:
        return []
    return [k for k in (_older_key(field, sh.name) for sh in spec.shorthands) if k not in written]


class ExtendsFrom(NamedTuple):
    """Where a user file's ``extends`` is read from: its folder, inside the first file's."""

    tree: Path
    """The folder of the first file read (resolved): no file it extends may lie outside it."""
    here: Path
    """The folder of the file being read (resolved): its ``extends`` is relative to it."""
    shown: str
    """The first file's folder as the caller named it, for messages."""

    @classmethod
    def of(cls, path: Path) -> ExtendsFrom:
        """The place of the first file read, ``path``: its folder is the tree."""
        here = path.resolve().parent
        return cls(tree=here, here=here, shown=str(path.parent))

    def inside(self, path: Path) -> ExtendsFrom:
        """The place of ``path``, a file this tree's files extend."""
        return self._replace(here=path.parent)


MAX_EXTENDS_CHAIN: Final = 16
"""The most user files one chain of ``extends`` may read (far above a real history)."""

_EXTENDS: Final = (
    f"the name of a shipped policy: {', '.join(SHIPPED_POLICIES)}; "
    'or a .toml file in the same folder tree, relative to this file ("board-2027.toml")'
)


def _extended(
    extends: object, *, source: str, seen: tuple[str, ...], place: ExtendsFrom | None
) -> tuple[Policy, str]:
    """The version a file's ``extends`` names, read, and how the policy records the name."""
    if extends in SHIPPED_POLICIES and extends not in seen:
        assert isinstance(extends, str)  # noqa: S101  # a shipped name is a string
        return _shipped(extends, seen=(*seen, extends)), extends
    path, shown_as, data, inner = read_user_file(
        extends, source=source, seen=seen, place=place, kind="policy", expected=_EXTENDS
    )
    base = _from_mapping(data, source=shown_as, seen=(*seen, str(path)), place=inner)
    # Recorded as the file wrote it (relative to its own folder), never as the machine's
    # path: a policy's repr, its JSON and every message stay free of where it was read.
    assert isinstance(extends, str)  # noqa: S101  # read_user_file took a .toml name
    return base, extends


def user_file(extends: str, *, source: str, seen: tuple[str, ...], place: ExtendsFrom) -> Path:
    """The file a user file's ``extends`` names, confined to the first file's folder tree.

    Shared by policy and price files. Refused with a
    :class:`~cptm_rules.exceptions.PolicyError` naming ``source`` and the key
    ``extends``: an absolute path, a path (or a symbolic link) that leads out of
    the tree, a file already in the chain (a cycle), a chain longer than
    :data:`MAX_EXTENDS_CHAIN`, and a file that does not exist. ``seen`` holds the
    resolved paths of the files read so far, the first file's first.
    """
    try:
        path = confined(place.here, extends, within=place.tree)
    except InputFileError:
        how = "an absolute path" if Path(extends).is_absolute() else "a path that leads out of it"
        raise PolicyError(
            source=source,
            key="extends",
            value=extends,
            expected=f"a file inside the folder {place.shown}, the folder of the first file "
            f"read, named relative to this file; not {how}",
        ) from None
    files = [s for s in seen if s.endswith(".toml")]
    if str(path) in files:
        chain = " -> ".join(Path(f).name for f in (*files, str(path)))
        raise PolicyError(
            source=source,
            key="extends",
            value=extends,
            expected=f"a file that does not extend this one again (a cycle: {chain})",
        )
    if len(files) >= MAX_EXTENDS_CHAIN:
        raise PolicyError(
            source=source,
            key="extends",
            value=extends,
            expected=f"at most {MAX_EXTENDS_CHAIN} files in one chain of extends",
        )
    return path


def read_user_file(
    extends: object,
    *,
    source: str,
    seen: tuple[str, ...],
    place: ExtendsFrom | None,
    kind: Literal["policy", "price"],
    expected: str,
) -> tuple[Path, str, dict[str, Any], ExtendsFrom]:
    """The user file a ``kind`` file's ``extends`` names: path, how it is shown, keys, place.

    Shared by policy and price files: ``extends`` must name a ``.toml`` file
    (``expected`` says what else the key may be), read by path (a file read from
    text has no folder to be relative to), confined by :func:`user_file`, and
    readable. The place returned is the one the file's own ``extends`` is read
    from. Each refusal is a :class:`~cptm_rules.exceptions.PolicyError` naming
    ``source`` and the key ``extends``.
    """
    if not isinstance(extends, str) or not extends.endswith(".toml"):
        raise PolicyError(source=source, key="extends", value=extends, expected=expected)
    if place is None:
        loader = "load_policy" if kind == "policy" else "load_prices"
        raise PolicyError(
            source=source,
            key="extends",
            value=extends,
            expected=f"{expected}; a file names another relative to itself, so read it "
            f"by path ({loader}(path)), not from text",
        )
    path = user_file(extends, source=source, seen=seen, place=place)
    shown_as = os.path.normpath(Path(source).parent / extends)
    try:
        text = read_text(path)
    except InputFileError as exc:
        raise PolicyError(
            source=source,
            key="extends",
            value=extends,
            expected=f"an existing .toml {kind} file ({exc.problem})",
        ) from None
    return path, shown_as, parse_toml(text, source=shown_as), place.inside(path)


def check_after(
    start: dt.date | None, earlier: dt.date | None, earlier_name: str, *, source: str
) -> None:
    """Refuse an ``effective_from`` on or before that of the version it extends.

    The version extended is in force before ``start``; one that took effect
    after ``start`` would never be in force, so the order is an error in the
    file. Shared by policy and price files.
    """
    if start is not None and earlier is not None and start <= earlier:
        raise PolicyError(
            source=source,
            key="effective_from",
            value=start,
            expected=f"a date after {earlier.isoformat()}, when {earlier_name} (the version "
            "this file extends) takes effect",
        )


def _shipped(name: str, *, seen: tuple[str, ...] = ()) -> Policy:
    text = resources.files("cptm_rules.policies").joinpath(f"{name}.toml").read_text("utf-8")
    return _from_mapping(tomllib.loads(text), source=f"{name}.toml", seen=(*seen, name), place=None)


@functools.cache
def _shipped_cached(name: str) -> Policy:
    # Shipped files never change at run time: reading each once is pure memoisation.
    return _shipped(name)


def load_policy(
    policy: str | Path = "current", *, overrides: Mapping[str, object] | None = None
) -> Policy:
    """Load a shipped policy by name, or a policy file by path, with optional overrides.

    ``policy`` is ``"current"``, ``"legacy"`` or the path of a ``.toml`` file
    (which may say ``extends = "current"`` and set only what it changes).
    ``overrides`` maps dotted keys to values, as a file would.
    """
    if isinstance(policy, str) and policy in SHIPPED_POLICIES:
        loaded = _shipped_cached(policy)
    else:
        path = Path(policy)
        if path.suffix != ".toml" or not path.is_file():
            raise PolicyError(
                source=str(policy),
                key="<file>",
                value=str(policy),
                expected=f"a shipped policy name ({', '.join(SHIPPED_POLICIES)}) "
                "or the path of an existing .toml file"
                # "curent.toml" is a typo of "current" as much as "curent" is.
                + suggest(Path(policy).stem, SHIPPED_POLICIES),
            )
        loaded = _from_file(path)
    return loaded.with_overrides(overrides) if overrides else loaded


def _from_file(path: Path) -> Policy:
    """A user's policy file; the files it extends are confined to its folder's tree."""
    source = str(path)
    return _from_mapping(
        parse_toml(read_text(path), source=source),
        source=source,
        seen=(str(path.resolve()),),
        place=ExtendsFrom.of(path),
    )


def _policy_tuple(policies: Iterable[Policy]) -> tuple[Policy, ...]:
    return tuple(policies)


@attrs.frozen(kw_only=True)
class PolicySet:
    """Policies with effective dates; :meth:`in_force_on` picks the one for a date."""

    policies: tuple[Policy, ...] = attrs.field(converter=_policy_tuple)

    def __attrs_post_init__(self) -> None:
        """Check every policy has an effective date and no two share one."""
        if not self.policies:
            raise InvalidInputError("policies", self.policies, "at least one policy")
        seen: set[dt.date] = set()
        for policy in self.policies:
            start = policy.effective_from
            if start is None:
                raise InvalidInputError(
                    "policies",
                    policy.name,
                    "policies that each set effective_from (a date)",
                )
            if start in seen:
                raise InvalidInputError(
                    "policies",
                    policy.name,
                    f"distinct effective_from dates; {start.isoformat()} is used twice",
                )
            seen.add(start)
        ordered = tuple(sorted(self.policies, key=lambda p: p.effective_from or dt.date.min))
        object.__setattr__(self, "policies", ordered)

    def in_force_on(self, day: dt.date) -> Policy:
        """The policy with the latest ``effective_from`` on or before ``day``."""
        chosen = None
        for policy in self.policies:
            if policy.effective_from is not None and policy.effective_from <= day:
                chosen = policy
        if chosen is None:
            first = self.policies[0].effective_from
            raise InvalidInputError(
                "day", day, f"a date on or after the first effective date ({first})"
            )
        return chosen


def parse_toml(text: str, *, source: str) -> dict[str, object]:
    """The TOML table in ``text``; bad TOML is a :class:`~cptm_rules.exceptions.PolicyError`."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(
            source=source, key="<file>", value=str(exc), expected="valid TOML"
        ) from None
    except RecursionError:
        raise PolicyError(
            source=source, key="<file>", value="<nested too deeply>", expected="valid TOML"
        ) from None
