from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cptm_rules.events import (
    AttemptExam,
    Cancel,
    CompleteModule,
    Event,
    GrantAccess,
    OpenElearning,
    PayRenewalFee,
    RecordAssessment,
    RecordAttendance,
    ReEnroll,
    Register,
    Registration,
    RequestChange,
    Session,
    Substitute,
)
from cptm_rules.exceptions import CptmRulesError, DecodeError, TransitionError
from cptm_rules.lifecycle import Journey
from cptm_rules.money import Money, UnknownAmount
from cptm_rules.outcomes import Outcome
from cptm_rules.policy import Policy, load_policy
from cptm_rules.pricing import PriceSchedule, Quote, load_prices, quote
from cptm_rules.rules.certification import Ledger
from cptm_rules.serialization import SCHEMA_VERSION, decode, encode, from_json, to_json

if TYPE_CHECKING:
    from collections.abc import Callable

from journeys import NY, activity, cancelled, certified, day, registered


def test_a_document_carries_its_schema_version_and_type() -> None:
    document = encode(registered())
    assert document["schema_version"] == SCHEMA_VERSION == 2
    assert document["type"] == "Journey"
    assert document["data"]["history"][0]["type"] == "Register"


@pytest.mark.parametrize("name", ["current", "legacy"])
def test_policies_round_trip_with_their_sources(name: str) -> None:
    policy = load_policy(name).with_overrides({"practicum.free_changes": "unlimited"})
    back = from_json(to_json(policy), Policy)
    assert back == policy
    assert back.source_of("free_changes").citation == "override"


def test_price_schedules_quotes_and_ledgers_round_trip() -> None:
    prices = PriceSchedule.from_toml(
        'extends = "shipped"\nprogram_price = "2495"\n[discounts]\ngroup = "10%"\n'
    )
    assert from_json(to_json(prices), PriceSchedule) == prices
    result = quote(group_size=3, policy=load_policy(), prices=prices)
    assert from_json(to_json(result), Quote) == result
    unknown = quote(policy=load_policy(), prices=load_prices())
    assert from_json(to_json(unknown), Quote) == unknown
    journey = certified().then(activity("2027-06-01", "23.75"))
    ledger = journey.ledger(as_of=day("2027-07-01"))
    assert from_json(to_json(ledger), Ledger) == ledger


def test_outcomes_round_trip_with_decisions_effects_and_the_event() -> None:
    outcome = registered().apply(
        RequestChange(
            on=day("2026-11-21"),
            to=Session(first_day=day("2027-02-08"), last_day=day("2027-02-11")),
        )
    )
    back = from_json(to_json(outcome), Outcome)
    assert back == outcome
    assert back.decisions[0].fee == Money.of("400")


def Decision_with_fee() -> object:
    from cptm_rules.outcomes import Decision  # noqa: PLC0415

    return Decision(
        rule_id="R10", verdict="fee", reason="late", policy="current", fee=Money.of("400")
    )


def test_money_is_written_as_exact_strings_never_floats() -> None:
    data = encode(Money.of("400.10"))["data"]
    assert data == {"amount": "400.10", "currency": "USD"}
    fee = encode(Decision_with_fee())["data"]["fee"]
    assert fee == {"amount": "400", "currency": "USD"}
    assert encode(UnknownAmount(item="renewal_fee"))["data"]["item"] == "renewal_fee"


def _actions() -> st.SearchStrategy[list[tuple[str, int, int, bool]]]:
    kinds = st.sampled_from(
        [
            "access",
            "open",
            "module",
            "assess",
            "change",
            "attend",
            "exam",
            "cancel",
            "reenroll",
            "substitute",
            "activity",
            "fee",
            "wait",
        ]
    )
    return st.lists(
        st.tuples(kinds, st.integers(0, 60), st.integers(1, 10), st.booleans()), max_size=25
    )


def _event(kind: str, today: dt.date, n: int, k: int, flag: bool, journey: Journey) -> Event | None:  # noqa: PLR0911, PLR0917, FBT001, C901
    later = Session(
        first_day=today + dt.timedelta(days=n + 1), last_day=today + dt.timedelta(days=n + 3)
    )
    if kind == "access" and journey.registration is not None:
        return GrantAccess(at=journey.registration.registered_at + dt.timedelta(minutes=n * 7))
    if kind == "open":
        return OpenElearning(on=today)
    if kind == "module":
        return CompleteModule(module=k, on=today)
    if kind == "assess":
        return RecordAssessment(module=k, passed=flag, on=today)
    if kind == "change":
        return RequestChange(on=today, to=later)
    if kind == "attend":
        return RecordAttendance(attendance="partial" if flag else "full", on=today)
    if kind == "exam":
        return AttemptExam(on=today, passed=flag)
    if kind == "cancel":
        return Cancel(on=today)
    if kind == "reenroll":
        return ReEnroll(on=today, session=later)
    if kind == "substitute":
        return Substitute(on=today, email="sub@example.org")
    if kind == "activity":
        return activity(today.isoformat(), str(Decimal(n) / 4), "webinar", f"a{k}")
    if kind == "fee":
        return PayRenewalFee(on=today)
    return None


@settings(max_examples=60)
@given(
    start=st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2030, 1, 1)),
    lead=st.integers(min_value=1, max_value=90),
    actions=_actions(),
    policy=st.sampled_from(["current", "legacy"]),
)
def test_any_journey_round_trips_through_json_unchanged(
    start: dt.date, lead: int, actions: list[tuple[str, int, int, bool]], policy: str
) -> None:
    first = start + dt.timedelta(days=lead)
    journey = Journey.new(policy=load_policy(policy)).then(
        Register(
            registration=Registration(
                email="c@example.org",
                registered_at=dt.datetime.combine(start, dt.time(9), tzinfo=NY),
                session=Session(first_day=first, last_day=first + dt.timedelta(days=3)),
            )
        )
    )
    today = start
    for kind, n, k, flag in actions:
        if kind in {"wait", "attend"}:
            today += dt.timedelta(days=n)
        event = _event(kind, today, n, k, flag, journey)
        if event is None:
            continue
        try:
            journey = journey.apply(event).journey
        except (TransitionError, CptmRulesError):
            continue
    text = to_json(journey)
    assert from_json(text, Journey) == journey
    assert "e+" not in text  # no float crept in


def test_decoding_refuses_wrong_types_with_paths() -> None:
    document = encode(cancelled())
    document["data"]["changes_made"] = "1"
    document["data"]["history"][1]["at"] = "2026-11-02T10:00:00"
    document["data"]["prices"]["class_change_fee"]["amount"] = 400.0
    with pytest.raises(DecodeError) as caught:
        decode(document, Journey)
    problems = dict(caught.value.problems)
    assert problems["$.data.changes_made"] == "expected a whole number, got '1'"
    assert problems["$.data.history[1].at"].startswith("expected an ISO instant with offset")
    assert "exact decimal" in problems["$.data.prices.class_change_fee.amount"]


def test_decoding_refuses_unknown_keys_with_their_path() -> None:
    document = encode(cancelled())
    document["data"]["history"][0]["registration"]["session"]["colour"] = "red"
    with pytest.raises(DecodeError) as caught:
        decode(document, Journey)
    assert caught.value.problems == (
        ("$.data.history[0].registration.session", "unknown key(s): colour"),
    )
    document = encode(cancelled())
    document["data"]["surprise"] = True
    with pytest.raises(DecodeError, match=r"\$.data: unknown key\(s\): surprise"):
        decode(document, Journey)


def test_decoding_checks_the_envelope() -> None:
    journey = registered()
    with pytest.raises(DecodeError, match=r"\$.type: expected 'Journey', got 'Policy'"):
        from_json(to_json(journey.policy), Journey)
    with pytest.raises(DecodeError, match=r"\$.schema_version: expected 1 or 2, got 3"):
        decode({**encode(journey), "schema_version": 3}, Journey)
    with pytest.raises(DecodeError, match=r"\$.schema_version: expected 1 or 2, got True"):
        decode({**encode(journey), "schema_version": True}, Journey)
    with pytest.raises(DecodeError, match=r"\$: unknown key\(s\): extra"):
        decode({**encode(journey), "extra": 1}, Journey)
    with pytest.raises(DecodeError, match=r"\$: not valid JSON"):
        from_json("{", Journey)
    with pytest.raises(DecodeError, match=r"\$: expected a JSON object"):
        decode([], Journey)
    with pytest.raises(DecodeError, match=r"\$.data: required field missing"):
        decode({"schema_version": 2, "type": "Journey"}, Journey)
    with pytest.raises(DecodeError, match=r"int is not a document type"):
        encode(3)


def test_a_value_the_constructor_refuses_is_a_decode_error_with_its_path() -> None:
    document = encode(registered())
    document["data"]["registration"]["email"] = "not-an-email"
    document["data"]["policy"]["free_change_deadline"]["amount"] = -3
    with pytest.raises(DecodeError) as caught:
        decode(document, Journey)
    text = str(caught.value)
    assert "$.data.registration: email='not-an-email' is not valid" in text
    assert "$.data.policy: current.toml: practicum.free_change_deadline = " in text
    assert "expected amount a whole number of business_days from 0 to 365, not -3" in text


def test_zoned_instants_keep_their_zone() -> None:
    journey = registered()
    back = from_json(to_json(journey), Journey)
    assert back.registration is not None
    assert str(back.registration.registered_at.tzinfo) == "America/New_York"
    plain = json.loads(to_json(journey))
    assert plain["data"]["registration"]["registered_at"] == (
        "2026-11-02T09:30:00-05:00[America/New_York]"
    )


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        (("policy", "access_due", "unit"), "minutes", "expected one of 'hours', 'calendar_days'"),
        (("policy", "ce_hours_required"), "lots", "expected an exact decimal"),
        (("policy", "ce_hours_required"), "NaN", "expected a finite decimal"),
        (("policy", "ce_hours_required"), "Infinity", "expected a finite decimal"),
        (("registration", "session", "first_day"), "soon", "expected an ISO date"),
        (
            ("registration", "registered_at"),
            "2026-11-02T09:30:00-05:00[Mars/Olympus]",
            "unknown time zone 'Mars/Olympus'",
        ),
        (("access_due",), "later", "expected an ISO instant with offset"),
        (("policy", "modules_required_for_exam"), "no", "expected true or false"),
        (("registration", "email"), 7, "expected a string"),
    ],
)
def test_each_wrong_value_is_reported_at_its_path(
    path: tuple[str, ...], value: object, problem: str
) -> None:
    document = encode(registered())
    node = document["data"]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(DecodeError) as caught:
        decode(document, Journey)
    problems = dict(caught.value.problems)
    assert problem in problems["$.data." + ".".join(path)]


def test_a_missing_field_is_reported_as_missing() -> None:
    document = encode(registered())
    del document["data"]["registration"]["session"]
    with pytest.raises(DecodeError) as caught:
        decode(document, Journey)
    assert caught.value.problems == (("$.data.registration.session", "required field missing"),)


def test_decisions_keep_dates_and_instants_apart() -> None:
    outcome = registered().apply(GrantAccess(at=dt.datetime(2026, 11, 2, 12, 0, tzinfo=NY)))
    back = from_json(to_json(outcome), Outcome)
    assert back.decisions[0].dates == outcome.decisions[0].dates
    assert isinstance(back.decisions[0].dates[1][1], dt.datetime)
    key_dates = registered().key_dates()
    from cptm_rules.lifecycle import KeyDate  # noqa: PLC0415

    for key_date in key_dates:
        assert from_json(to_json(key_date), KeyDate) == key_date


def test_a_journey_whose_facts_disagree_with_its_history_is_refused_with_the_field() -> None:
    document = json.loads(to_json(registered()))
    document["data"]["state"] = "certified"
    with pytest.raises(DecodeError, match=r"\$\.data\.state: disagrees with the journey's history"):
        from_json(json.dumps(document), Journey)
    document = json.loads(to_json(registered()))
    document["data"]["free_changes_used"] = 2
    with pytest.raises(DecodeError, match=r"\$\.data\.free_changes_used: disagrees"):
        from_json(json.dumps(document), Journey)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"schema_version": 1, "schema_version": 1}', "appears twice"),
        ('{"data": ' + "1" * 5000 + "}", "an integer of 5000 digits"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"data": NaN}', "NaN is not a JSON number"),
    ],
)
def test_json_that_python_could_read_loosely_is_refused_in_one_problem(
    text: str, problem: str
) -> None:
    with pytest.raises(DecodeError, match=problem):
        from_json(text, Journey)


# -- documents written by earlier versions ---------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
EARLIER = ROOT / "tests" / "earlier"


@pytest.mark.parametrize(
    ("name", "cls", "expected"),
    [
        ("journey.json", Journey, lambda: load_policy("current")),
        ("outcome-legacy.json", Outcome, lambda: load_policy("legacy")),
        ("policy-legacy.json", Policy, lambda: load_policy("legacy")),
    ],
)
def test_a_version_1_document_decodes_with_its_deadlines_as_they_were(
    name: str, cls: type, expected: Callable[[], Policy]
) -> None:
    text = (EARLIER / name).read_text(encoding="utf-8")
    assert json.loads(text)["schema_version"] == 1
    assert '"exam_window_months": 6' in text  # the older figures, as version 1 wrote them
    value: object = from_json(text, cls)
    held = value.journey if isinstance(value, Outcome) else value
    policy = held.policy if isinstance(held, Journey) else held
    assert isinstance(policy, Policy)
    assert policy == expected()
    # A source that cited an older figure now cites its deadline.
    cited = dict(policy.citations)["free_change_deadline"]
    assert cited == dict(expected().citations)["free_change_deadline"]
    # Written again, it is a version-2 document that reads back the same.
    assert from_json(to_json(value), cls) == value


def test_a_version_1_policy_with_a_base_version_reads_both_versions_deadlines() -> None:
    text = (EARLIER / "policy-board-2028.json").read_text(encoding="utf-8")
    policy = from_json(text, Policy)
    shipped = load_policy(ROOT / "scenarios" / "policies" / "board-2028.toml")
    assert policy.base is not None
    assert shipped.base is not None
    assert policy.base.free_change_deadline.amount == 20
    assert attrs.evolve(policy, origin=shipped.origin) == shipped


def test_a_version_1_journey_replays_to_the_same_answers_today() -> None:
    journey = from_json((EARLIER / "journey.json").read_text(encoding="utf-8"), Journey)
    again = Journey.replay(journey.history, policy=load_policy("current"), prices=journey.prices)
    assert again == journey
    assert [(k.kind, k.when) for k in again.key_dates()] == [
        (k.kind, k.when) for k in journey.key_dates()
    ]


def test_older_figures_are_read_only_from_version_1_documents() -> None:
    document = json.loads((EARLIER / "policy-legacy.json").read_text(encoding="utf-8"))
    with pytest.raises(DecodeError, match=r"unknown key\(s\): .*exam_window_months"):
        decode({**document, "schema_version": 2}, Policy)


def test_a_bad_older_figure_in_a_version_1_document_names_it_and_leaves_the_input_alone() -> None:
    document = json.loads((EARLIER / "policy-legacy.json").read_text(encoding="utf-8"))
    document["data"]["exam_window_months"] = "six"
    before = json.dumps(document, sort_keys=True)
    with pytest.raises(DecodeError, match=r"\$.data.*exam_window_months = 'six' is not valid"):
        decode(document, Policy)
    assert json.dumps(document, sort_keys=True) == before


def test_a_schedule_written_before_a_fee_was_declared_reads_the_fee_as_its_default() -> None:
    # A fee declared with a default (fee(..., default="0"), or "unknown") is read as a
    # price file not naming it reads: a document from before the fee still decodes.
    defaulted = [f for f in attrs.fields(PriceSchedule) if "default" in f.metadata]
    assert {"retake_fee", "late_renewal_fee"} <= {f.name for f in defaulted}
    for version in (1, SCHEMA_VERSION):
        document = encode(load_prices())
        document["schema_version"] = version
        for field in defaulted:
            del document["data"][field.name]
        before = json.dumps(document, sort_keys=True)
        older = decode(document, PriceSchedule)
        assert json.dumps(document, sort_keys=True) == before  # the input is left alone
        assert older.retake_fee == Money.of("0")
        assert older.late_renewal_fee == UnknownAmount(item="late_renewal_fee")
        assert older == PriceSchedule.from_toml('extends = "shipped"\n', source="shipped")


def test_a_journey_written_before_a_fee_was_declared_decodes_and_replays_alike() -> None:
    document = json.loads((EARLIER / "journey.json").read_text(encoding="utf-8"))
    del document["data"]["prices"]["retake_fee"]
    journey = decode(document, Journey)
    assert journey.prices.retake_fee == Money.of("0")
    assert journey == from_json((EARLIER / "journey.json").read_text(encoding="utf-8"), Journey)


def test_a_fee_missing_from_a_document_without_a_default_is_still_required() -> None:
    document = encode(load_prices())
    del document["data"]["class_change_fee"]
    with pytest.raises(DecodeError, match=r"\$\.data\.class_change_fee: required field missing"):
        decode(document, PriceSchedule)
