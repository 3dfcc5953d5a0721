"""JSON Schemas (draft 2020-12) for the library's JSON documents and scenario files.

Generated from the attrs classes and the scenario format tables, so they cannot drift
from the code; ``docs/schema/`` holds the published copies, checked by a test.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from decimal import Decimal
from typing import Any, Final

import attrs

from cptm_rules.events import EVENT_TYPES
from cptm_rules.lifecycle import Journey
from cptm_rules.scenarios import CHECK_KINDS, EVENT_FIELDS, EXPECT_KEYS, SCENARIO_KEYS
from cptm_rules.serialization import SCHEMA_VERSION
from cptm_rules.vocabulary import ActivityCategory, Attendance, OrganisationType

__all__ = ["cohort_row_schema", "document_schema", "scenario_file_schema"]

_DRAFT: Final = "https://json-schema.org/draft/2020-12/schema"
_DECIMAL: Final = {"type": "string", "pattern": r"^-?\d+(\.\d+)?(E[+-]?\d+)?$"}
_DATE: Final = {"type": "string", "format": "date"}
_INSTANT: Final = {
    "type": "string",
    "pattern": (
        r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?[+-]\d{2}:\d{2}"
        r"(\[[A-Za-z_/+-]+\])?$"
    ),
}


class _Walker:
    def __init__(self) -> None:
        self.defs: dict[str, Any] = {}

    def of(self, annotation: Any) -> dict[str, Any]:  # noqa: ANN401, PLR0911  # one case per kind of type
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if annotation is type(None):
            return {"type": "null"}
        if origin in (typing.Union, types.UnionType):
            if set(args) == set(EVENT_TYPES):
                return {"oneOf": [self.of(a) for a in args]}
            return {"anyOf": [self.of(a) for a in args]}
        if origin in (tuple, frozenset):
            if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
                return {
                    "type": "array",
                    "prefixItems": [self.of(a) for a in args],
                    "minItems": len(args),
                    "maxItems": len(args),
                }
            return {"type": "array", "items": self.of(args[0])}
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            return {"type": "string", "enum": [m.value for m in annotation]}
        simple = {
            str: {"type": "string"},
            bool: {"type": "boolean"},
            int: {"type": "integer"},
            Decimal: _DECIMAL,
            dt.datetime: _INSTANT,
            dt.date: _DATE,
        }
        if annotation in simple:
            return dict(simple[annotation])
        if attrs.has(annotation):
            return self.attrs_class(annotation)
        raise TypeError(f"no JSON Schema for {annotation!r}")  # pragma: no cover

    def attrs_class(self, cls: type) -> dict[str, Any]:
        name = cls.__name__
        if name not in self.defs:
            self.defs[name] = {}  # placeholder against recursion
            properties: dict[str, Any] = {}
            required: list[str] = []
            for field in attrs.fields(cls):
                if not field.init:
                    continue
                properties[field.name] = self.of(field.type)
                if field.default is attrs.NOTHING:
                    required.append(field.name)
            if cls in EVENT_TYPES:
                properties["type"] = {"const": name}
                required.append("type")
            self.defs[name] = {
                "type": "object",
                "description": (cls.__doc__ or "").strip().splitlines()[0],
                "properties": properties,
                "required": required,
                "additionalProperties": False,
            }
        return {"$ref": f"#/$defs/{name}"}


def document_schema(cls: type = Journey) -> dict[str, Any]:
    """The JSON Schema of a ``to_json`` document holding a ``cls`` (default: a journey)."""
    walker = _Walker()
    data = walker.of(cls)
    return {
        "$schema": _DRAFT,
        "$id": f"https://cptm-rules.invalid/schema/{cls.__name__.lower()}.schema.json",
        "title": f"cptm-rules {cls.__name__} document",
        "type": "object",
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "type": {"const": cls.__name__},
            "data": data,
        },
        "required": ["schema_version", "type", "data"],
        "additionalProperties": False,
        "$defs": walker.defs,
    }


_FIELD_SCHEMAS: Final[dict[str, dict[str, Any]]] = {
    "_instant": _INSTANT,
    "_date": _DATE,
    "_session_of": {
        "oneOf": [
            {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}$"},
            {
                "type": "object",
                "properties": {"first_day": _DATE, "last_day": _DATE},
                "required": ["first_day", "last_day"],
                "additionalProperties": False,
            },
        ]
    },
    "_text": {"type": "string", "minLength": 1},
    "_int": {"type": "integer"},
    "_bool": {"type": "boolean"},
    "_hours": {"type": ["string", "integer", "number"]},
}


def scenario_file_schema() -> dict[str, Any]:
    """The JSON Schema of a ``*.scenarios.toml`` file, read as TOML data."""
    events = []
    for kind, fields in EVENT_FIELDS.items():
        properties: dict[str, Any] = {"type": {"const": kind}, "expect": {"$ref": "#/$defs/expect"}}
        for name, parse, _ in fields:
            properties[name] = _FIELD_SCHEMAS[parse.__name__]
        events.append(
            {
                "type": "object",
                "properties": properties,
                "required": ["type", *(name for name, _, required in fields if required)],
                "additionalProperties": False,
            }
        )
    checks = [
        {
            "type": "object",
            "properties": {kind: {}, **{key: {} for key in keys}},
            "required": [kind],
            "additionalProperties": False,
        }
        for kind, keys in CHECK_KINDS.items()
    ]
    scenario_properties: dict[str, Any] = {key: {} for key in SCENARIO_KEYS}
    scenario_properties.update(
        {
            "name": {"type": "string", "minLength": 1},
            "policy": {"type": "string"},
            "prices": {"type": "string"},
            "overrides": {"type": "object"},
            "events": {"type": "array", "minItems": 1, "items": {"oneOf": events}},
            "check": {"type": "array", "items": {"oneOf": checks}},
        }
    )
    return {
        "$schema": _DRAFT,
        "$id": "https://cptm-rules.invalid/schema/scenarios.schema.json",
        "title": "cptm-rules scenario file (*.scenarios.toml)",
        "type": "object",
        "properties": {
            "scenario": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "properties": scenario_properties,
                    "required": ["name", "events"],
                    "additionalProperties": False,
                },
            }
        },
        "required": ["scenario"],
        "additionalProperties": False,
        "$defs": {
            "expect": {
                "type": "object",
                "properties": {key: {} for key in EXPECT_KEYS},
                "additionalProperties": False,
            }
        },
    }


def cohort_row_schema() -> dict[str, Any]:
    """The JSON Schema of one line of a JSON Lines cohort file (``docs/cohorts.md``).

    The readers check more than a schema can say (real dates, a session's days in
    order, hours with at most two decimals); a line this schema refuses, they refuse.
    """
    from cptm_rules.cohort import (  # noqa: PLC0415  # the cohort module is heavier
        MAX_ACCESS_MINUTES,
        MAX_GROUP_SIZE,
        MAX_ID_LENGTH,
        MAX_LIST_LENGTH,
    )

    day = {"type": "string", "format": "date"}
    session = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}$"}
    ident = {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_ID_LENGTH,
        "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069]*$",
    }

    def listed(item: dict[str, Any]) -> dict[str, Any]:
        return {"type": "array", "maxItems": MAX_LIST_LENGTH, "items": item}

    def record(properties: dict[str, Any], *required: str) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": properties,
            "required": list(required),
            "additionalProperties": False,
        }

    return {
        "$schema": _DRAFT,
        "$id": "https://cptm-rules.invalid/schema/cohort.schema.json",
        "title": "cptm-rules cohort candidate (one line of a JSON Lines cohort)",
        **record(
            {
                "id": ident,
                "registered_at": {"type": "string", "format": "date-time"},
                "practicum": session,
                "access_after_minutes": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": MAX_ACCESS_MINUTES,
                },
                "changes": listed(record({"on": day, "to": session}, "on", "to")),
                "attendance": {"enum": [a.value for a in Attendance]},
                "attempts": listed(
                    record({"on": day, "passed": {"type": "boolean"}}, "on", "passed")
                ),
                "organisation": {"enum": [o.value for o in OrganisationType]},
                "group_size": {"type": "integer", "minimum": 1, "maximum": MAX_GROUP_SIZE},
                "elearning_opened": day,
                "modules": listed(record({"on": day, "passed": {"type": "boolean"}}, "on")),
                "substitution": day,
                "cancelled_on": day,
                "re_enrolment": record({"on": day, "to": session}, "on", "to"),
                "activities": listed(
                    record(
                        {
                            "id": ident,
                            "on": day,
                            "hours": {"type": "string", "pattern": r"^[0-9]{1,4}(\.[0-9]{1,2})?$"},
                            "category": {"enum": [c.value for c in ActivityCategory]},
                        },
                        "id",
                        "on",
                        "hours",
                        "category",
                    )
                ),
                "renewal_payments": listed(day),
            },
            "id",
            "registered_at",
            "practicum",
        ),
    }
