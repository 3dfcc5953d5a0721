"""Lossless JSON for every public value, through cattrs.

Every document carries a schema version and the type it holds::

    {"schema_version": 1, "type": "Journey", "data": {...}}

Decoding is strict: an unknown key, a wrong type (a number where a string is
expected, a float for money, a naive date-time) or a value a constructor
refuses gives a :class:`~cptm_rules.exceptions.DecodeError` listing each
problem with its path (``$.data.history[2].on``). Encoding then decoding gives
a value equal to the original.

>>> from cptm_rules.policy import load_policy
>>> from cptm_rules.serialization import from_json, to_json
>>> policy = load_policy("legacy")
>>> from_json(to_json(policy), type(policy)) == policy
True
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import json
import sys
import typing
from decimal import Decimal, InvalidOperation
from typing import Any, Final, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn
from cattrs.strategies import configure_tagged_union

from cptm_rules import vocabulary
from cptm_rules.events import EVENT_TYPES, Event
from cptm_rules.exceptions import CptmRulesError, DecodeError
from cptm_rules.figures import DeadlineSpec, Invalid
from cptm_rules.files import parse_json
from cptm_rules.lifecycle import Journey, KeyDate
from cptm_rules.money import Money, UnknownAmount
from cptm_rules.outcomes import Advisory, Decision, Effect, Outcome
from cptm_rules.policy import Policy
from cptm_rules.pricing import Discount, PriceSchedule, Quote, QuoteLine
from cptm_rules.rules.certification import Ledger, Period
from cptm_rules.rules.exam import ExamAttempt
from cptm_rules.rules.prework import AssessmentResult

if typing.TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "DOCUMENT_TYPES",
    "READABLE_VERSIONS",
    "SCHEMA_VERSION",
    "converter",
    "decode",
    "encode",
    "from_json",
    "to_json",
]

SCHEMA_VERSION: Final = 2
"""The version of the JSON layout; bumped whenever a document's shape changes.

Version 2 writes each of a policy's deadlines as one object (``"exam_window":
{"amount": 6, "unit": "months", "counted_from": "practicum_last_day"}``) where
version 1 wrote the older figures (``"exam_window_months": 6``); documents of
either version decode (see :data:`READABLE_VERSIONS`).
"""

READABLE_VERSIONS: Final = (1, 2)
"""The layouts :func:`decode` reads: every version this library has written."""

DOCUMENT_TYPES: Final[dict[str, type]] = {
    cls.__name__: cls
    for cls in (
        Policy,
        PriceSchedule,
        Journey,
        Outcome,
        Decision,
        Advisory,
        Effect,
        Quote,
        QuoteLine,
        Ledger,
        Period,
        KeyDate,
        Money,
        UnknownAmount,
        *EVENT_TYPES,
    )
}
"""Every type a document may hold, by the name written in its ``type`` field."""

T = TypeVar("T")


class _WrongType(TypeError):  # noqa: N818  # internal signal, reported as a DecodeError
    pass


def _expect(value: object, kind: type, description: str) -> None:
    # JSON has no bool/int distinction problem, but Python does: True is an int.
    if type(value) is not kind:
        raise _WrongType(f"expected {description}, got {value!r}")


def _structure_str(value: object, cls: type) -> str:
    _expect(value, str, "a string")
    assert isinstance(value, str)  # noqa: S101  # for the type checker
    if cls is not str and issubclass(cls, enum.Enum):
        if value not in cls._value2member_map_:
            options = ", ".join(repr(m.value) for m in cls)
            raise _WrongType(f"expected one of {options}, got {value!r}")
        member = cls._value2member_map_[value]
        assert isinstance(member, str)  # noqa: S101  # every word list is a StrEnum
        return member
    return value


def _structure_int(value: object, _: type) -> int:
    _expect(value, int, "a whole number")
    assert isinstance(value, int)  # noqa: S101  # for the type checker
    return value


def _structure_bool(value: object, _: type) -> bool:
    _expect(value, bool, "true or false")
    assert isinstance(value, bool)  # noqa: S101  # for the type checker
    return value


def _structure_decimal(value: object, _: type) -> Decimal:
    _expect(value, str, 'an exact decimal written as a string, such as "23.75"')
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise _WrongType(f'expected an exact decimal such as "23.75", got {value!r}') from None
    if not number.is_finite():
        raise _WrongType(f"expected a finite decimal, got {value!r}")
    return number


def _structure_date(value: object, _: type) -> dt.date:
    _expect(value, str, "an ISO date such as 2027-01-11")
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _WrongType(f"expected an ISO date such as 2027-01-11, got {value!r}") from None


def _structure_datetime(value: object, _: type) -> dt.datetime:
    _expect(value, str, "an ISO instant with offset")
    try:
        instant = dt.datetime.fromisoformat(str(value))
    except ValueError:
        instant = None
    if instant is None or instant.utcoffset() is None:
        raise _WrongType(f"expected an ISO instant with offset, got {value!r}")
    return instant


def _unstructure_moment(value: dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return _unstructure_datetime(value)
    return value.isoformat()


def _structure_moment(value: object, cls: type) -> dt.date | dt.datetime | None:
    if value is None and cls != dt.date | dt.datetime:
        return None
    if isinstance(value, str) and "T" in value:
        return _structure_zoned(value, dt.datetime)
    return _structure_date(value, dt.date)


def _unstructure_datetime(value: dt.datetime) -> str:
    # Keep the zone's name when it has one, so a round trip restores the same tzinfo.
    key = getattr(value.tzinfo, "key", None)
    return value.isoformat() + (f"[{key}]" if key else "")


def _structure_zoned(value: object, _cls: type) -> dt.datetime:
    from zoneinfo import ZoneInfo  # noqa: PLC0415  # only zoned instants need it

    _expect(value, str, "an ISO instant with offset")
    text: str = str(value)
    if text.endswith("]") and "[" in text:
        text, _, zone = text[:-1].partition("[")
        instant = _structure_datetime(text, dt.datetime)
        try:
            return instant.astimezone(ZoneInfo(zone))
        except (ValueError, KeyError):
            raise _WrongType(f"unknown time zone {zone!r} in {value!r}") from None
    return _structure_datetime(text, dt.datetime)


def _is_frozenset(annotation: object) -> bool:
    return annotation is frozenset or typing.get_origin(annotation) is frozenset


def _enum_value(member: enum.StrEnum) -> str:
    return member.value


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)
    # Strict: a JSON string only for str (and the StrEnums), a number only for int.
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(bool, _structure_bool)
    for word_list in vars(vocabulary).values():
        # A StrEnum is a str: without its own hook it would pass through as a member.
        if isinstance(word_list, type) and issubclass(word_list, enum.StrEnum):
            conv.register_unstructure_hook(word_list, _enum_value)
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_unstructure_hook(Decimal, str)
    conv.register_structure_hook(dt.date, _structure_date)
    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    conv.register_structure_hook(dt.datetime, _structure_zoned)
    conv.register_unstructure_hook(dt.datetime, _unstructure_datetime)
    for moment in (dt.date | dt.datetime, dt.date | dt.datetime | None):
        conv.register_structure_hook(moment, _structure_moment)
        conv.register_unstructure_hook(moment, _unstructure_moment)
    conv.register_unstructure_hook_func(_is_frozenset, sorted)
    # Money | UnknownAmount and Discount | UnknownAmount need no tag: cattrs tells them
    # apart by their required fields (amount, kind, item). Events share field sets.
    configure_tagged_union(Event, conv, tag_name="type")
    # A dated schedule's earlier version is read through the same hook.
    _read_after(conv, PriceSchedule, _fees_as_before)
    return conv


def _read_after(conv: cattrs.Converter, cls: type, translate: Callable[[object], object]) -> None:
    """Read ``cls`` from ``translate(value)``, nested values of ``cls`` included.

    The hook is registered before ``cls``'s own function is made, so a ``cls``
    nested in another (a base version) is read through it too.
    """
    made: list[Callable[[Any, type], object]] = []

    def structure(value: object, type_: type) -> object:
        return made[0](translate(value), type_)

    conv.register_structure_hook(cls, structure)
    made.append(make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=True))


def _fees_as_before(value: object) -> object:
    """A price schedule object written before a fee was declared, with the fee's default.

    A fee added since price files were first written declares what a file that does
    not name it reads (``fee("R28", default="0")``: not in force); a document written
    before the fee reads the same. The caller's object is never modified.
    """
    if not isinstance(value, dict) or not isinstance(value.get("currency"), str):
        return value  # the strict reader reports it
    missing = [f for f in attrs.fields(PriceSchedule) if "default" in f.metadata]
    missing = [f for f in missing if f.name not in value]
    if not missing:
        return value
    out = dict(value)
    for field in missing:
        default = field.metadata["default"]
        out[field.name] = (
            {"item": field.name}
            if default == "unknown"
            else {"amount": default, "currency": value["currency"]}
        )
    return out


def _resolve_forward_references() -> None:
    # Outcome names Journey and Event only for the type checker (a circular import);
    # give cattrs the real classes.
    from zoneinfo import ZoneInfo  # noqa: PLC0415  # annotation of Policy.zone

    extra = {"Journey": Journey, "Event": Event, "ZoneInfo": ZoneInfo}
    for cls in (*DOCUMENT_TYPES.values(), AssessmentResult, ExamAttempt, Discount):
        # A policy's figures are declared in the rule families' modules: each field's
        # annotation is resolved with the names its own module imports.
        names: dict[str, object] = {}
        for base in reversed(cls.__mro__):
            names.update(vars(sys.modules[base.__module__]))
        attrs.resolve_types(cls, globalns={**names, **extra})


def _deadlines_as_objects(value: object) -> object:
    """A version-1 policy object with its older deadline figures as version 2's objects.

    Each older figure is a shorthand key of its deadline (``exam_window_months``,
    ``access_due_amount`` and ``access_due_unit``, ...) and reads as a policy file's
    shorthand does; the caller's object is never modified.
    """
    if not isinstance(value, dict):
        return value
    out: dict[str, object] | None = None
    older = _OLDER_FIGURES
    citations = value.get("citations")
    if isinstance(citations, list) and any(
        isinstance(pair, list) and pair and pair[0] in older for pair in citations
    ):
        # A source cited an older figure: it is now its deadline's (the last older key
        # in order wins, as a policy file's [sources] of both keys read).
        cited: dict[object, object] = {}
        for pair in citations:
            if isinstance(pair, list) and len(pair) == 2:  # a pair
                cited[older.get(pair[0], pair[0])] = pair[1]
            else:
                return value  # the strict reader reports the malformed pair
        out = {**value, "citations": [[k, v] for k, v in sorted(cited.items(), key=str)]}
    for field in attrs.fields(Policy):
        spec: DeadlineSpec | None = field.metadata.get("deadline")
        if spec is None or field.name in value:
            continue
        stated = [s for s in spec.shorthands if s.name in value]
        if not stated:
            continue
        out = dict(value) if out is None else out
        deadline = spec.starting_value()
        # A unit key first: an amount key reads in the unit the deadline has.
        for shorthand in sorted(stated, key=lambda s: not s.words):
            given = out.pop(shorthand.name)
            try:
                deadline = spec.with_shorthand(deadline, shorthand, given)
            except Invalid as exc:
                raise _WrongType(
                    f"{shorthand.name} = {given!r} is not valid: expected {exc.expected}"
                ) from None
        out[field.name] = {
            "amount": deadline.amount,
            "unit": str(deadline.unit),
            "counted_from": None if deadline.counted_from is None else str(deadline.counted_from),
        }
    return value if out is None else out


_OLDER_FIGURES: Final[dict[object, str]] = {
    shorthand.name: field.name
    for field in attrs.fields(Policy)
    if field.metadata.get("deadline") is not None
    for shorthand in field.metadata["deadline"].shorthands
}
"""Each older deadline figure a version-1 policy wrote -> the deadline's field."""


@functools.cache
def _version_1_reader() -> cattrs.Converter:
    """The converter that reads version-1 documents (older deadline figures).

    Made on first use, not on import: only a document saved by an earlier version
    needs it.
    """
    conv = _make_converter()
    # A policy nested in another (its base version) is read through the same hook.
    _read_after(conv, Policy, _deadlines_as_objects)
    return conv


_resolve_forward_references()
converter: Final = _make_converter()
"""The configured cattrs converter (strict, forbids extra keys)."""


def _name_of(cls: type) -> str:
    for name, known in DOCUMENT_TYPES.items():
        if known is cls:
            return name
    raise DecodeError(
        (
            (
                "$.type",
                (
                    f"{cls.__name__} is not a document type; expected one of "
                    f"{', '.join(DOCUMENT_TYPES)}"
                ),
            ),
        )
    )


def encode(value: object) -> dict[str, Any]:
    """The JSON-ready document for ``value``, with its schema version and type."""
    name = _name_of(type(value))
    return {
        "schema_version": SCHEMA_VERSION,
        "type": name,
        "data": converter.unstructure(value, unstructure_as=type(value)),
    }


def to_json(value: object, *, indent: int | None = 2) -> str:
    """``value`` as a JSON document (see :func:`encode`)."""
    return json.dumps(encode(value), indent=indent, ensure_ascii=False)


def _messages(exc: BaseException, prefix: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for message in cattrs.transform_error(exc, path=prefix, format_exception=_format):
        text, _, path = message.rpartition(" @ ")
        out.append((path, text))
    return out


def _format(exc: BaseException, type_: type | None) -> str:
    if isinstance(exc, _WrongType | CptmRulesError):
        return str(exc)
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, AttributeError):
        return "expected a JSON object"
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return f"unknown key(s): {', '.join(sorted(exc.extra_fields))}"
    name = getattr(type_, "__name__", str(type_))
    return f"invalid value for {name} ({exc})"


def decode(document: object, cls: type[T]) -> T:
    """The value of type ``cls`` held by a decoded JSON ``document``."""
    if not isinstance(document, dict):
        raise DecodeError((("$", f"expected a JSON object, got {type(document).__name__}"),))
    extra = sorted(set(document) - {"schema_version", "type", "data"})
    if extra:
        raise DecodeError((("$", f"unknown key(s): {', '.join(extra)}"),))
    version = document.get("schema_version")
    if type(version) is not int or version not in READABLE_VERSIONS:
        readable = " or ".join(str(v) for v in READABLE_VERSIONS)
        raise DecodeError((("$.schema_version", f"expected {readable}, got {version!r}"),))
    expected = _name_of(cls)
    if document.get("type") != expected:
        raise DecodeError((("$.type", f"expected {expected!r}, got {document.get('type')!r}"),))
    if "data" not in document:
        raise DecodeError((("$.data", "required field missing"),))
    try:
        reader = converter if version == SCHEMA_VERSION else _version_1_reader()
        value: T = reader.structure(document["data"], cls)
    except (
        cattrs.BaseValidationError,
        _WrongType,
        CptmRulesError,
        AttributeError,  # cattrs meets a non-object where an object belongs
        KeyError,
        TypeError,
        ValueError,
    ) as exc:
        raise DecodeError(tuple(_messages(exc, "$.data"))) from None
    if isinstance(value, Journey):
        _check_replay(value)
    return value


def _check_replay(journey: Journey) -> None:
    # A journey is its history replayed: a document whose facts disagree with its
    # history (say state "certified" with no periods) would fail later, far from here.
    try:
        replayed = Journey.replay(journey.history, policy=journey.policy, prices=journey.prices)
    except CptmRulesError as exc:
        raise DecodeError((("$.data.history", f"the history does not replay: {exc}"),)) from None
    for field in attrs.fields(Journey):
        expected = getattr(replayed, field.name)
        if expected != getattr(journey, field.name):
            problem = (
                "disagrees with the journey's history (replaying the history gives "
                f"{_short(expected)})"
            )
            raise DecodeError(((f"$.data.{field.name}", problem),))


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "\u2026"


def from_json(text: str, cls: type[T]) -> T:
    """The value of type ``cls`` in JSON ``text`` produced by :func:`to_json`."""
    try:
        document = parse_json(text)
    except ValueError as exc:
        raise DecodeError((("$", str(exc)),)) from None
    return decode(document, cls)
