from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from cptm_rules.checks import scenario_files
from cptm_rules.cohort import candidate_row, synthetic_cohort
from cptm_rules.cohort.candidates import _parsed_line
from cptm_rules.exceptions import InvalidInputError
from cptm_rules.lifecycle import Journey
from cptm_rules.schema import document_schema, scenario_file_schema
from cptm_rules.serialization import encode
from journeys import activity, cancelled, certified, forfeited, registered

ROOT = Path(__file__).resolve().parents[1]
JOURNEY_SCHEMA = json.loads((ROOT / "docs/schema/journey.schema.json").read_text("utf-8"))
SCENARIO_SCHEMA = json.loads((ROOT / "docs/schema/scenarios.schema.json").read_text("utf-8"))
COHORT_SCHEMA = json.loads((ROOT / "docs/schema/cohort.schema.json").read_text("utf-8"))


def plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@pytest.mark.parametrize(
    "journey",
    [
        Journey.new(),
        registered(),
        cancelled(),
        forfeited(),
        certified().then(activity("2027-02-01", "24")),
    ],
    ids=["new", "registered", "cancelled", "forfeited", "certified"],
)
def test_encoded_journeys_match_the_published_schema(journey: Journey) -> None:
    document = json.loads(json.dumps(encode(journey)))
    jsonschema.validate(document, JOURNEY_SCHEMA, format_checker=jsonschema.FormatChecker())


def test_the_schema_rejects_unknown_keys() -> None:
    document = json.loads(json.dumps(encode(registered())))
    document["data"]["registration"]["colour"] = "red"
    with pytest.raises(jsonschema.ValidationError, match="colour"):
        jsonschema.validate(document, JOURNEY_SCHEMA)


def test_the_shipped_scenario_files_match_the_published_schema() -> None:
    for path in scenario_files([ROOT / "scenarios"]):
        jsonschema.validate(plain(tomllib.loads(path.read_text("utf-8"))), SCENARIO_SCHEMA)


def test_the_published_schemas_are_generated_from_the_code() -> None:
    assert document_schema() == JOURNEY_SCHEMA
    assert scenario_file_schema() == SCENARIO_SCHEMA
    jsonschema.Draft202012Validator.check_schema(JOURNEY_SCHEMA)
    jsonschema.Draft202012Validator.check_schema(SCENARIO_SCHEMA)


def test_every_synthetic_cohort_row_matches_the_published_cohort_schema() -> None:
    checker = jsonschema.FormatChecker()
    for candidate in synthetic_cohort(80, seed=2):
        jsonschema.validate(candidate_row(candidate), COHORT_SCHEMA, format_checker=checker)


@pytest.mark.parametrize(
    ("change", "word"),
    [
        ({"colour": "red"}, "colour"),
        ({"id": "bell\u0007"}, "does not match"),
        ({"activities": [{"id": "a", "on": "2027-01-01", "hours": 2, "category": "webinar"}]}, "2"),
        ({"re_enrolment": {"on": "2027-01-01"}}, "to"),
    ],
)
def test_the_cohort_schema_refuses_what_the_reader_refuses(
    change: dict[str, Any], word: str
) -> None:
    row = candidate_row(synthetic_cohort(1, seed=2)[0]) | change
    with pytest.raises(jsonschema.ValidationError, match=word):
        jsonschema.validate(row, COHORT_SCHEMA)
    with pytest.raises(InvalidInputError, match=r"^cohort.jsonl:1: "):
        _parsed_line(Path("cohort.jsonl"), 1, json.dumps(row))
