"""Every reader, fed arbitrary bytes and near-miss documents: only CptmRulesError escapes.

Each test counts what it tried with Hypothesis's ``event()``; run with
``--hypothesis-show-statistics`` to see the counts (the CI profile tries 100
inputs a test, the ``heavy`` profile 2,000).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cptm_rules.cli import main
from cptm_rules.cohort import load_cohort
from cptm_rules.exceptions import CptmRulesError
from cptm_rules.lifecycle import Journey
from cptm_rules.policy import Policy, load_policy
from cptm_rules.pricing import PriceSchedule, load_prices
from cptm_rules.scenarios import load_scenarios, run_scenario
from cptm_rules.serialization import DOCUMENT_TYPES, from_json, to_json

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = (ROOT / "scenarios" / "registration.scenarios.toml").read_text(encoding="utf-8")
POLICY = (ROOT / "src" / "cptm_rules" / "policies" / "current.toml").read_text(encoding="utf-8")
PRICES = (ROOT / "scenarios" / "prices" / "example-user-prices.toml").read_text(encoding="utf-8")
COHORT_ROW: dict[str, Any] = {
    "id": "c1",
    "registered_at": "2026-11-02T09:30:00-05:00",
    "practicum": "2027-01-11..2027-01-14",
    "access_after_minutes": 45,
    "changes": [{"on": "2026-11-25", "to": "2027-02-08..2027-02-11"}],
    "attendance": "full",
    "attempts": [{"on": "2027-02-20", "passed": True}],
    "organisation": "non-profit",
    "group_size": 1,
}

# The tests write into one temporary folder each; Hypothesis reuses it across inputs.
FUZZ = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])

# -- strategies ----------------------------------------------------------------------------

SCALARS = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["unknown", "unlimited", "1e999999", "1e-999999", "-5", "2.5%", "0"]),
    st.booleans(),
    st.dates(),
    st.none(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)


def _toml_scalar(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(value), repr(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(value)  # a basic string: JSON escapes are valid TOML escapes


def toml_value(value: object) -> str:
    """``value`` written as an inline TOML value (None as an empty array)."""
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items())
        return "{" + items + "}"
    return _toml_scalar(value) or "[]"


def near_misses(text: str) -> st.SearchStrategy[str]:
    """A valid TOML document with one line's value replaced, a line dropped or one added."""
    lines = text.splitlines()
    assigned = [
        i for i, line in enumerate(lines) if "=" in line and not line.lstrip().startswith("#")
    ]

    def replace(index: int, value: object) -> str:
        key = lines[index].split("=", 1)[0]
        return "\n".join([*lines[:index], f"{key}= {toml_value(value)}", *lines[index + 1 :]])

    def drop(index: int) -> str:
        return "\n".join([*lines[:index], *lines[index + 1 :]])

    def add(index: int, key: str, value: object) -> str:
        extra = f"{json.dumps(key)} = {toml_value(value)}"
        return "\n".join([*lines[:index], extra, *lines[index:]])

    where = st.sampled_from(assigned)
    return st.one_of(
        st.builds(replace, where, VALUES),
        st.builds(drop, st.integers(0, len(lines) - 1)),
        st.builds(add, st.integers(0, len(lines)), st.text(max_size=12), VALUES),
    )


def documents(valid: str) -> st.SearchStrategy[bytes]:
    """Arbitrary bytes, arbitrary text, and near misses of ``valid``, as file contents."""
    return st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200).map(lambda t: t.encode("utf-8")),
        near_misses(valid).map(lambda t: t.encode("utf-8")),
        st.just(b"a = " + b"[" * 5000 + b"]" * 5000),
        st.just(b"\xff\xfe" + valid.encode("utf-16-le")),
    )


def _kind(data: bytes) -> str:
    try:
        tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return "not TOML"
    return "TOML"


# -- file readers ------------------------------------------------------------------------


@FUZZ
@given(data=documents(POLICY))
def test_the_policy_reader_refuses_bad_bytes_with_its_own_error(
    tmp_path: Path, data: bytes
) -> None:
    path = tmp_path / "policy.toml"
    path.write_bytes(data)
    event(f"policy file: {_kind(data)}")
    try:
        policy = load_policy(path)
    except CptmRulesError:
        event("policy file: refused")
        return
    event("policy file: accepted")
    assert isinstance(policy, Policy)


@FUZZ
@given(data=documents(PRICES))
def test_the_price_reader_refuses_bad_bytes_with_its_own_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "prices.toml"
    path.write_bytes(data)
    event(f"price file: {_kind(data)}")
    try:
        prices = load_prices(path)
    except CptmRulesError:
        event("price file: refused")
        return
    event("price file: accepted")
    assert isinstance(prices, PriceSchedule)


@FUZZ
@given(data=documents(SCENARIO))
def test_the_scenario_reader_and_runner_refuse_bad_bytes_with_their_own_error(
    tmp_path: Path, data: bytes
) -> None:
    path = tmp_path / "fuzz.scenarios.toml"
    path.write_bytes(data)
    event(f"scenario file: {_kind(data)}")
    try:
        scenarios = load_scenarios(path)
    except CptmRulesError:
        event("scenario file: refused")
        return
    event("scenario file: accepted")
    for scenario in scenarios:
        run_scenario(scenario)  # failures are results, never exceptions


def _cohort_lines() -> st.SearchStrategy[bytes]:
    def mutate(key: str, value: object) -> bytes:
        row = dict(COHORT_ROW)
        row[key] = value
        return (json.dumps(row, default=str) + "\n").encode("utf-8")

    def nested(key: str, inner: str, value: object) -> bytes:
        row = json.loads(json.dumps(COHORT_ROW))
        row[key][0][inner] = value
        return (json.dumps(row, default=str) + "\n").encode("utf-8")

    return st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200).map(lambda t: t.encode("utf-8")),
        st.builds(mutate, st.sampled_from([*COHORT_ROW, "extra"]), VALUES),
        st.builds(nested, st.just("changes"), st.sampled_from(["on", "to", "x"]), VALUES),
        st.builds(nested, st.just("attempts"), st.sampled_from(["on", "passed", "x"]), VALUES),
        st.sampled_from(
            [
                b'{"id": "a", "id": "b"}\n',
                b'{"access_after_minutes": Infinity}\n',
                b'{"group_size": ' + b"9" * 5000 + b"}\n",
                b"[" * 100_000 + b"]" * 100_000 + b"\n",
            ]
        ),
    )


@FUZZ
@given(data=_cohort_lines())
def test_the_cohort_reader_refuses_bad_bytes_with_its_own_error(
    tmp_path: Path, data: bytes
) -> None:
    path = tmp_path / "cohort.jsonl"
    path.write_bytes(data)
    try:
        cohort = load_cohort(path)
    except CptmRulesError:
        event("cohort file: refused")
        return
    event("cohort file: accepted")
    assert cohort


def _json_documents() -> st.SearchStrategy[tuple[str, type]]:
    journey = json.loads(to_json(Journey.new()))

    def mutate(path: tuple[str, ...], value: object) -> str:
        document = json.loads(json.dumps(journey))
        node = document
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value
        return json.dumps(document, default=str)

    keys = [("schema_version",), ("type",), ("data",)] + [("data", k) for k in journey["data"]]
    return st.tuples(
        st.one_of(
            st.text(max_size=200),
            st.builds(mutate, st.sampled_from(keys), VALUES),
            st.sampled_from(
                [
                    "[" * 100_000 + "]" * 100_000,
                    '{"data": ' + "1" * 5000 + "}",
                    '{"a": 1, "a": 2}',
                    '{"data": NaN}',
                ]
            ),
        ),
        st.sampled_from(sorted(DOCUMENT_TYPES.values(), key=lambda t: t.__name__)),
    )


@given(document=_json_documents())
def test_the_json_reader_refuses_bad_documents_with_its_own_error(
    document: tuple[str, type],
) -> None:
    text, cls = document
    try:
        from_json(text, cls)
    except CptmRulesError:
        event("JSON document: refused")
        return
    event("JSON document: accepted")


# -- the command line ------------------------------------------------------------------------

COMMANDS = (
    ["timeline", "--registered", "2026-11-02T09:30-05:00", "--practicum", "2027-01-11..2027-01-14"],
    [
        "change",
        "--requested",
        "2026-11-19",
        "--from",
        "2027-01-11..2027-01-14",
        "--to",
        "2027-02-08..2027-02-11",
        "--free-changes-used",
        "1",
    ],
    ["diff", "--base", "legacy", "--candidate", "current", "--synthetic", "3", "--seed", "4"],
    [
        "explain",
        "timeline",
        "--registered",
        "2026-11-02T09:30-05:00",
        "--practicum",
        "2027-01-11..2027-01-14",
    ],
)


@given(
    command=st.sampled_from(COMMANDS),
    position=st.integers(0, 12),
    replacement=st.one_of(
        st.text(max_size=30),
        st.sampled_from(
            [
                "9999-12-31T23:59:59-05:00",
                "0001-01-01T00:00:00Z",
                "9999-12-27..9999-12-31",
                "0001-01-01..0001-01-02",
                "1900-01-01..1900-01-04",
                "2041-01-01",
                "99999999999999999999",
                "-1",
                "2027-02-30",
                "2026-11-02T09:30[America/New_York]",
                "2026-11-01T01:30[America/New_York]",
            ]
        ),
    ),
)
def test_the_command_line_prints_one_line_and_exits_2_for_any_bad_argument(
    command: list[str], position: int, replacement: str
) -> None:
    argv = list(command)
    argv[position % len(argv)] = replacement
    out, err = io.StringIO(), io.StringIO()
    try:
        status = main(argv, out=out, err=err)
    except SystemExit as exc:  # --help and --version print and exit
        event("command line: argparse exit")
        code = exc.code
    else:
        code = None
    if code is not None:
        assert code in {0, 2}
        return
    event(f"command line: exit {status}")
    assert status in {0, 1, 2}
    if status == 2:
        assert err.getvalue().count("\n") == 1, err.getvalue()
        assert "Traceback" not in err.getvalue()


@pytest.mark.parametrize(
    "argv",
    [
        [
            "timeline",
            "--registered",
            "9999-12-31T23:59:59-05:00",
            "--practicum",
            "9999-12-27..9999-12-31",
        ],
        [
            "explain",
            "change",
            "--requested",
            "2041-01-01",
            "--from",
            "0001-01-01..0001-01-02",
            "--to",
            "1900-01-01..1900-01-04",
        ],
        ["explain", "scenario", "."],
    ],
)
def test_dates_at_the_ends_of_the_range_and_a_folder_are_one_line_errors(argv: list[str]) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(argv, out=out, err=err) == 2
    assert err.getvalue().count("\n") == 1
