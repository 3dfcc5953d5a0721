"""Scenario files: named journeys with expected answers, for policy regression checks.

A scenario file is TOML (see ``docs/scenarios.md``): the format the policy
files already use, read by the standard library, with real date and
date-time literals, and none of YAML's implicit typing surprises. A file holds
one or more ``[[scenario]]`` tables; each names itself in a sentence, picks a
policy (a shipped name or a file, plus overrides of single keys), lists dated
events, and pins expected answers on events (``expect``) and at the end
(``[[scenario.check]]``).

:func:`load_scenarios` parses and validates a file; :func:`run_scenario`
replays one scenario and compares every expectation with the actual answer.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from cptm_rules.calendar import parse_date, parse_instant
from cptm_rules.catalogue import RULES
from cptm_rules.events import (
    Activity,
    AttemptExam,
    Cancel,
    CompleteModule,
    Event,
    GrantAccess,
    OpenElearning,
    PayRenewalFee,
    RecordActivity,
    RecordAssessment,
    RecordAttendance,
    ReEnroll,
    Register,
    Registration,
    RequestChange,
    Session,
    Substitute,
)
from cptm_rules.exceptions import (
    CptmRulesError,
    InputFileError,
    InvalidInputError,
    ScenarioError,
    TransitionError,
    shown,
    suggest,
)
from cptm_rules.facts import FACTS
from cptm_rules.files import confined, read_text
from cptm_rules.lifecycle import Journey, event_day
from cptm_rules.money import amount_text, fee_text
from cptm_rules.policy import SHIPPED_POLICIES, Policy, load_policy
from cptm_rules.pricing import PriceSchedule, load_prices
from cptm_rules.rule_coverage import (
    outcome_verdicts,
    quote_verdicts,
    refusal_verdicts,
    status_verdicts,
)
from cptm_rules.vocabulary import KeyDateKind

if TYPE_CHECKING:
    from cptm_rules.outcomes import Outcome

__all__ = [
    "CHECK_KINDS",
    "EVENT_FIELDS",
    "EXPECT_KEYS",
    "MAX_EVENTS",
    "MAX_SCENARIOS",
    "MAX_SCENARIO_FILE_BYTES",
    "SCENARIO_KEYS",
    "Check",
    "CheckResult",
    "Scenario",
    "ScenarioResult",
    "Step",
    "load_scenarios",
    "run_scenario",
    "show_value",
    "trace_scenario",
]


@attrs.frozen(kw_only=True)
class Step:
    """One event of a scenario and what is expected of its outcome."""

    index: int
    event: Event
    expect: tuple[tuple[str, object], ...]


@attrs.frozen(kw_only=True)
class Check:
    """An expectation on the journey after all events (state on a date, a key date, …)."""

    index: int
    kind: str
    subject: object
    expect: tuple[tuple[str, object], ...]


@attrs.frozen(kw_only=True)
class Scenario:
    """A named journey with its policy, events and expectations."""

    name: str
    source: str
    index: int
    policy: Policy
    prices: PriceSchedule
    steps: tuple[Step, ...]
    checks: tuple[Check, ...]


@attrs.frozen(kw_only=True)
class CheckResult:
    """One expectation compared with the actual answer."""

    where: str
    """``event 3 (request_change).decisions`` or ``check 1 (key_date).is``, counted from 1."""
    path: tuple[object, ...]
    """Where the expectation sits in the file, for ``--update``."""
    expected: object
    actual: object

    @property
    def passed(self) -> bool:
        """Whether the actual answer is the expected one."""
        return self.expected == self.actual


@attrs.frozen(kw_only=True)
class ScenarioResult:
    """Every expectation of a scenario, compared, and the rules it exercised."""

    scenario: Scenario
    results: tuple[CheckResult, ...]
    rule_ids: frozenset[str]
    verdicts: frozenset[tuple[str, str]] = frozenset()
    """The ``(rule, verdict)`` pairs its answers had (:mod:`cptm_rules.rule_coverage`)."""

    @property
    def passed(self) -> bool:
        """Whether every expectation held."""
        return all(r.passed for r in self.results)

    @property
    def failures(self) -> tuple[CheckResult, ...]:
        """The expectations that did not hold."""
        return tuple(r for r in self.results if not r.passed)


# -- answers as text -----------------------------------------------------------------


def _outcome_answers(outcome: Outcome) -> dict[str, object]:
    return {
        "state": str(outcome.journey.state),
        "decisions": [f"{d.rule_id} {d.verdict}" for d in outcome.decisions],
        "fee": fee_text([d.fee for d in outcome.decisions if d.fee is not None]),
        "refund": fee_text([d.refund for d in outcome.decisions if d.refund is not None]),
        "advisories": [f"{'+'.join(a.rule_ids)} {a.severity}" for a in outcome.advisories],
        "effects": [str(e.kind) for e in outcome.effects],
        "rules": list(outcome.rule_ids),
    }


# -- parsing -------------------------------------------------------------------------


class _Bad(Exception):  # noqa: N818  # internal signal, turned into ScenarioError
    def __init__(self, key: str, problem: str) -> None:
        self.key = key
        self.problem = problem


def _date(value: object, key: str) -> dt.date:
    if type(value) is dt.date:
        return value
    try:
        return parse_date(value, field=key) if isinstance(value, str) else parse_date("", field=key)
    except InvalidInputError as exc:
        raise _Bad(key, f"expected {exc.expected}, got {shown(value)}") from None


def _instant(value: object, key: str) -> dt.datetime:
    if isinstance(value, dt.datetime) and value.utcoffset() is not None:
        return value
    try:
        return parse_instant(value if isinstance(value, str) else "", field=key)
    except InvalidInputError as exc:
        raise _Bad(key, f"expected {exc.expected}, got {shown(value)}") from None


def _session_of(value: object, key: str = "practicum") -> Session:
    """A session from ``"FIRST..LAST"`` or a table ``{first_day = …, last_day = …}``."""
    if isinstance(value, Mapping) and set(value) == {"first_day", "last_day"}:
        first_day = _date(value["first_day"], f"{key}.first_day")
        last_day = _date(value["last_day"], f"{key}.last_day")
        if last_day < first_day:
            raise _Bad(key, f"the last day {last_day} precedes the first day {first_day} (R2)")
        return Session(first_day=first_day, last_day=last_day)
    try:
        return Session.parse(value if isinstance(value, str) else "", field=key)
    except InvalidInputError as exc:
        raise _Bad(key, f"expected {exc.expected}, got {shown(value)}") from None


def _text(value: object, key: str) -> str:
    if not isinstance(value, str) or not value:
        raise _Bad(key, f"expected a non-empty string, got {shown(value)}")
    return value


def _int(value: object, key: str) -> int:
    if type(value) is not int:
        raise _Bad(key, f"expected a whole number, got {shown(value)}")
    return value


def _bool(value: object, key: str) -> bool:
    if type(value) is not bool:
        raise _Bad(key, f"expected true or false, got {shown(value)}")
    return value


def _hours(value: object, key: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str | float):
        raise _Bad(key, f'expected hours such as "1.5" or 6, got {shown(value)}')
    try:
        return Decimal(repr(value) if isinstance(value, float) else value)
    except InvalidOperation:
        raise _Bad(key, f'expected hours such as "1.5" or 6, got {shown(value)}') from None


Field = tuple[str, Callable[[object, str], object], bool]
EVENT_FIELDS: Final[Mapping[str, tuple[Field, ...]]] = {
    "register": (
        ("registered_at", _instant, True),
        ("practicum", _session_of, True),
        ("email", _text, False),
        ("organisation", _text, False),
        ("group_size", _int, False),
    ),
    "grant_access": (("at", _instant, True),),
    "open_elearning": (("on", _date, True),),
    "complete_module": (("module", _int, True), ("on", _date, True)),
    "complete_modules": (("through", _int, True), ("on", _date, True), ("from", _int, False)),
    "record_assessment": (("module", _int, True), ("passed", _bool, True), ("on", _date, True)),
    "request_change": (("on", _date, True), ("to", _session_of, True)),
    "record_attendance": (("attendance", _text, True), ("on", _date, True)),
    "attempt_exam": (("on", _date, True), ("passed", _bool, True)),
    "cancel": (("on", _date, True),),
    "re_enroll": (("on", _date, True), ("practicum", _session_of, True)),
    "substitute": (("on", _date, True), ("email", _text, True)),
    "record_activity": (
        ("id", _text, True),
        ("on", _date, True),
        ("hours", _hours, True),
        ("category", _text, True),
        ("provider", _text, False),
        ("title", _text, False),
    ),
    "pay_renewal_fee": (("on", _date, True),),
}

EXPECT_KEYS: Final = (
    "state",
    "decisions",
    "fee",
    "refund",
    "advisories",
    "effects",
    "rules",
    "error",
    "error_rule",
    "error_days",
)
CHECK_KINDS: Final[Mapping[str, tuple[str, ...]]] = {
    "state_on": ("state",),
    "key_date": ("is",),
    "ledger_on": ("hours", "eligible", "missing"),
    "quote": ("total", "per_seat", "missing", "discounts"),
    "fact": ("is",),
}


def _fields(table: Mapping[str, Any], kind: str, fields: tuple[Field, ...]) -> dict[str, object]:
    allowed = {name for name, _, _ in fields} | {"type", "expect"}
    for key in table:
        if key not in allowed:
            raise _Bad(
                key,
                f"unknown key for a {kind!r} event; allowed: {', '.join(sorted(allowed))}"
                + suggest(key, sorted(allowed)),
            )
    values: dict[str, object] = {}
    for name, parse, required in fields:
        if name in table:
            values[name] = parse(table[name], name)
        elif required:
            raise _Bad(name, f"a {kind!r} event needs {name!r}")
    return values


def _register(v: dict[str, Any]) -> list[Event]:
    registration = Registration(
        email=v.get("email", "candidate@example.org"),
        registered_at=v["registered_at"],
        session=v["practicum"],
        organisation=v.get("organisation", "other"),
        group_size=v.get("group_size", 1),
    )
    return [Register(registration=registration)]


def _activity(v: dict[str, Any]) -> list[Event]:
    activity = Activity(
        id=v["id"],
        on=v["on"],
        hours=v["hours"],
        category=v["category"],
        provider=v.get("provider", ""),
        title=v.get("title", ""),
    )
    return [RecordActivity(activity=activity)]


_BUILDERS: Final[Mapping[str, Callable[[dict[str, Any]], list[Event]]]] = {
    "register": _register,
    "grant_access": lambda v: [GrantAccess(at=v["at"])],
    "open_elearning": lambda v: [OpenElearning(on=v["on"])],
    "complete_module": lambda v: [CompleteModule(module=v["module"], on=v["on"])],
    "complete_modules": lambda v: [
        CompleteModule(module=m, on=v["on"]) for m in range(v.get("from", 1), v["through"] + 1)
    ],
    "record_assessment": lambda v: [
        RecordAssessment(module=v["module"], passed=v["passed"], on=v["on"])
    ],
    "request_change": lambda v: [RequestChange(on=v["on"], to=v["to"])],
    "record_attendance": lambda v: [RecordAttendance(attendance=v["attendance"], on=v["on"])],
    "attempt_exam": lambda v: [AttemptExam(on=v["on"], passed=v["passed"])],
    "cancel": lambda v: [Cancel(on=v["on"])],
    "re_enroll": lambda v: [ReEnroll(on=v["on"], session=v["practicum"])],
    "substitute": lambda v: [Substitute(on=v["on"], email=v["email"])],
    "record_activity": _activity,
    "pay_renewal_fee": lambda v: [PayRenewalFee(on=v["on"])],
}


def _expectations(
    table: object, allowed: tuple[str, ...], key: str
) -> tuple[tuple[str, object], ...]:
    if not isinstance(table, Mapping):
        raise _Bad(key, f"expected a table of expectations, got {shown(table)}")
    for name in table:
        if name not in allowed:
            raise _Bad(
                f"{key}.{name}",
                f"unknown expectation; allowed: {', '.join(allowed)}" + suggest(name, allowed),
            )
    for name in ("decisions", "advisories", "rules", "error_rule"):
        if name in table:
            _check_rule_ids(table[name], f"{key}.{name}")
    return tuple((name, table[name]) for name in allowed if name in table)


_RULE_TOKEN: Final = re.compile(r"R\d+[a-z]?")


def _check_rule_ids(value: object, key: str) -> None:
    """Refuse an expectation that names a rule the catalogue does not have."""
    texts = value if isinstance(value, list) else [value]
    for text in texts:
        if not isinstance(text, str):
            continue
        for token in _RULE_TOKEN.findall(text):
            if token not in RULES:
                raise _Bad(
                    key,
                    f"{shown(token)} is not a rule id (R1…R28, R11a)" + suggest(token, RULES),
                )


def _step(index: int, table: object) -> list[Step]:
    key = f"events[{index}]"
    if not isinstance(table, Mapping):
        raise _Bad(key, f"expected a table with a 'type', got {shown(table)}")
    kind = table.get("type")
    if not isinstance(kind, str) or kind not in EVENT_FIELDS:
        close = suggest(kind, EVENT_FIELDS) if isinstance(kind, str) else ""
        raise _Bad(
            f"{key}.type", f"expected one of {', '.join(EVENT_FIELDS)}, got {shown(kind)}{close}"
        )
    try:
        values = _fields(table, kind, EVENT_FIELDS[kind])
        events = _BUILDERS[kind](values)
    except _Bad as bad:
        raise _Bad(f"{key}.{bad.key}", bad.problem) from None
    except CptmRulesError as exc:
        raise _Bad(key, str(exc)) from None
    expect = _expectations(table.get("expect", {}), EXPECT_KEYS, f"{key}.expect")
    # expectations attach to the last event a convenience entry expands to
    return [
        Step(index=index, event=event, expect=expect if n == len(events) - 1 else ())
        for n, event in enumerate(events)
    ]


def _check(index: int, table: object) -> Check:
    key = f"check[{index}]"
    if not isinstance(table, Mapping):
        raise _Bad(key, f"expected a table, got {shown(table)}")
    kinds = [k for k in CHECK_KINDS if k in table]
    if len(kinds) != 1:
        raise _Bad(key, f"expected exactly one of {', '.join(CHECK_KINDS)}")
    kind = kinds[0]
    subject: object = table[kind]
    if kind in ("state_on", "ledger_on"):
        subject = _date(subject, f"{key}.{kind}")
    elif kind == "key_date" and not (
        isinstance(subject, str) and subject in KeyDateKind._value2member_map_
    ):
        raise _Bad(f"{key}.key_date", f"expected one of {', '.join(k.value for k in KeyDateKind)}")
    elif kind == "fact" and subject not in FACTS:
        raise _Bad(f"{key}.fact", f"expected one of {', '.join(FACTS)}")
    elif kind == "quote" and subject is not True:
        raise _Bad(f"{key}.quote", "expected true (the journey's own registration is quoted)")
    rest = {k: v for k, v in table.items() if k != kind}
    return Check(
        index=index, kind=kind, subject=subject, expect=_expectations(rest, CHECK_KINDS[kind], key)
    )


def _policy(table: Mapping[str, Any], base: Path) -> Policy:
    name = table.get("policy", "current")
    if not isinstance(name, str):
        raise _Bad("policy", f"expected a shipped policy name or a file path, got {shown(name)}")
    overrides = table.get("overrides", {})
    if not isinstance(overrides, Mapping):
        raise _Bad("overrides", f"expected a table of dotted policy keys, got {shown(overrides)}")
    try:
        target = name if name in SHIPPED_POLICIES else confined(base, name)
        return load_policy(target, overrides=overrides or None)
    except CptmRulesError as exc:
        raise _Bad("policy", str(exc)) from None


def _prices(table: Mapping[str, Any], base: Path) -> PriceSchedule:
    name = table.get("prices", "shipped")
    if not isinstance(name, str):
        raise _Bad("prices", f'expected "shipped" or a file path, got {shown(name)}')
    try:
        return load_prices(name if name == "shipped" else confined(base, name))
    except CptmRulesError as exc:
        raise _Bad("prices", str(exc)) from None


SCENARIO_KEYS: Final = ("name", "policy", "overrides", "prices", "events", "check")


def _parts(table: Mapping[str, Any]) -> tuple[list[Any], list[Any]]:
    for key in table:
        if key not in SCENARIO_KEYS:
            raise _Bad(
                key,
                f"unknown key; allowed: {', '.join(SCENARIO_KEYS)}" + suggest(key, SCENARIO_KEYS),
            )
    events = table.get("events", [])
    checks = table.get("check", [])
    if not isinstance(events, list) or not events:
        raise _Bad("events", "expected at least one [[scenario.events]] table")
    if len(events) > MAX_EVENTS:
        raise _Bad("events", f"expected at most {MAX_EVENTS:,} events, got {len(events):,}")
    if not isinstance(checks, list):
        raise _Bad("check", "expected [[scenario.check]] tables")
    if len(checks) > MAX_EVENTS:
        raise _Bad("check", f"expected at most {MAX_EVENTS:,} checks, got {len(checks):,}")
    return events, checks


MAX_EVENTS: Final = 5_000
"""The most events (and checks) one scenario may hold: a career is a few hundred."""
MAX_SCENARIOS: Final = 1_000
"""The most scenarios one file may hold."""
MAX_SCENARIO_FILE_BYTES: Final = 2 * 1024 * 1024
"""The largest scenario file read (2 MiB; the shipped ones are a few KiB each)."""


def _scenario(index: int, table: object, source: str, base: Path) -> Scenario:
    if not isinstance(table, Mapping):
        raise ScenarioError(
            source=source,
            scenario=None,
            key=f"scenario[{index}]",
            problem="expected a [[scenario]] table",
        )
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ScenarioError(
            source=source,
            scenario=None,
            key=f"scenario[{index}].name",
            problem="every scenario needs a name that reads as a sentence",
        )
    try:
        events, checks = _parts(table)
        steps = [step for i, e in enumerate(events) for step in _step(i, e)]
        return Scenario(
            name=name,
            source=source,
            index=index,
            policy=_policy(table, base),
            prices=_prices(table, base),
            steps=tuple(steps),
            checks=tuple(_check(i, c) for i, c in enumerate(checks)),
        )
    except _Bad as bad:
        raise ScenarioError(
            source=source, scenario=name, key=bad.key, problem=bad.problem
        ) from None


def load_scenarios(path: str | Path) -> tuple[Scenario, ...]:
    """Every scenario of the TOML file at ``path``, validated."""
    path = Path(path)
    source = str(path)
    try:
        data = tomllib.loads(read_text(path, limit=MAX_SCENARIO_FILE_BYTES))
    except InputFileError as exc:
        raise ScenarioError(
            source=source, scenario=None, key="<file>", problem=exc.problem
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(
            source=source, scenario=None, key="<file>", problem=f"not valid TOML: {exc}"
        ) from None
    except RecursionError:
        raise ScenarioError(
            source=source, scenario=None, key="<file>", problem="not valid TOML: nested too deeply"
        ) from None
    tables = data.get("scenario")
    extra = [k for k in data if k != "scenario"]
    if extra:
        raise ScenarioError(
            source=source,
            scenario=None,
            key=extra[0],
            problem="unknown top-level key; a file holds [[scenario]] tables",
        )
    if not isinstance(tables, list) or not tables:
        raise ScenarioError(
            source=source,
            scenario=None,
            key="scenario",
            problem="expected at least one [[scenario]] table",
        )
    if len(tables) > MAX_SCENARIOS:
        raise ScenarioError(
            source=source,
            scenario=None,
            key="scenario",
            problem=f"expected at most {MAX_SCENARIOS:,} scenarios in a file, got {len(tables):,}",
        )
    return tuple(_scenario(i, t, source, path.parent) for i, t in enumerate(tables))


# -- running ---------------------------------------------------------------------------


def _compare_step(step: Step, kind: str, answers: dict[str, object]) -> list[CheckResult]:
    where = f"event {step.index + 1} ({kind})"
    results = []
    for key, expected in step.expect:
        actual = answers.get(key)
        results.append(
            CheckResult(
                where=f"{where}.{key}",
                path=("events", step.index, "expect", key),
                expected=expected,
                actual=actual,
            )
        )
    return results


def _event_kind(event: Event) -> str:
    name = type(event).__name__
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _check_answers(check: Check, journey: Journey) -> tuple[dict[str, object], set[str]]:
    if check.kind == "state_on":
        assert isinstance(check.subject, dt.date)  # noqa: S101  # parsed as a date
        status = journey.status_on(check.subject)
        return {"state": str(status.state)}, {status.rule_id} if status.rule_id else set()
    if check.kind == "key_date":
        for key_date in journey.key_dates():
            if key_date.kind == check.subject:
                return {"is": key_date.when}, {key_date.rule_id}
        return {"is": "absent"}, set()
    if check.kind == "ledger_on":
        assert isinstance(check.subject, dt.date)  # noqa: S101  # parsed as a date
        ledger = journey.ledger(as_of=check.subject)
        return {
            "hours": str(ledger.hours),
            "eligible": ledger.eligible,
            "missing": list(ledger.missing),
        }, {"R17", "R18", "R19"}
    if check.kind == "quote":
        result = journey.quote()
        return {
            "total": amount_text(result.total),
            "per_seat": amount_text(result.per_seat),
            "missing": list(result.missing),
            "discounts": [line.label for line in result.lines if line.is_discount],
        }, {"R21", "R22"}
    fact = FACTS[str(check.subject)]
    return {"is": str(fact.value)}, {fact.rule_id}


def _normalise(expected: object, actual: object) -> object:
    # TOML gives dates and offset datetimes; answers compare in the same types.
    if isinstance(actual, dt.datetime) and isinstance(expected, str):
        try:
            return dt.datetime.fromisoformat(expected)
        except ValueError:
            return expected
    if type(actual) is dt.date and isinstance(expected, str):
        try:
            return dt.date.fromisoformat(expected)
        except ValueError:
            return expected
    return expected


def run_scenario(scenario: Scenario) -> ScenarioResult:
    """Replay ``scenario`` and compare every expectation with the actual answer."""
    journey = Journey.new(policy=scenario.policy, prices=scenario.prices)
    results: list[CheckResult] = []
    exercised: set[str] = set()
    verdicts: set[tuple[str, str]] = set()
    for step in scenario.steps:
        kind = _event_kind(step.event)
        try:
            outcome = journey.apply(step.event)
        except CptmRulesError as exc:  # a refusal, or an event the calendar cannot judge
            rule_id = exc.rule_id if isinstance(exc, TransitionError) else None
            answers: dict[str, object] = {
                "error": type(exc).__name__,
                "error_rule": rule_id or "none",
                "error_days": getattr(exc, "days", None),
                "state": str(journey.state),
            }
            if rule_id:
                exercised.update(r.strip() for r in rule_id.split(","))
            if isinstance(exc, TransitionError):
                verdicts |= refusal_verdicts(exc, step.event)
            if not any(k == "error" for k, _ in step.expect):
                results.append(
                    CheckResult(
                        where=f"event {step.index + 1} ({kind})",
                        path=("events", step.index, "expect", "error"),
                        expected="no error",
                        actual=f"{type(exc).__name__}: {exc}",
                    )
                )
        else:
            journey = outcome.journey
            exercised.update(outcome.rule_ids)
            verdicts |= outcome_verdicts(outcome)
            answers = _outcome_answers(outcome)
            answers["error"] = "none"
        results += _compare_step(step, kind, answers)
    for check in scenario.checks:
        try:
            answers, rules = _check_answers(check, journey)
            verdicts |= _check_verdicts(check, journey)
        except CptmRulesError as exc:
            answers, rules = dict.fromkeys((k for k, _ in check.expect), f"error: {exc}"), set()
        exercised |= rules
        for key, expected in check.expect:
            actual = answers.get(key)
            results.append(
                CheckResult(
                    where=f"check {check.index + 1} ({check.kind}).{key}",
                    path=("check", check.index, key),
                    expected=_normalise(expected, actual),
                    actual=actual,
                )
            )
    return ScenarioResult(
        scenario=scenario,
        results=tuple(results),
        rule_ids=frozenset(r for r in exercised if r in RULES),
        verdicts=frozenset(verdicts),
    )


def _check_verdicts(check: Check, journey: Journey) -> set[tuple[str, str]]:
    # What a check's answer exercised: a derived state (lapsed, …) or a quote's verdicts.
    if check.kind == "state_on":
        assert isinstance(check.subject, dt.date)  # noqa: S101  # parsed as a date
        return status_verdicts(journey.status_on(check.subject))
    if check.kind == "quote":
        priced = journey.quote()
        return quote_verdicts(priced, eligible=sum(line.is_discount for line in priced.lines))
    return set()


def trace_scenario(scenario: Scenario) -> str:
    """Every event of ``scenario`` with its full explained outcome, then the key dates."""
    journey = Journey.new(policy=scenario.policy, prices=scenario.prices)
    lines = [f"scenario: {scenario.name}", f"policy: {scenario.policy.label}", ""]
    for number, step in enumerate(scenario.steps, start=1):
        day = event_day(step.event, scenario.policy.zone)
        lines.append(f"{number:>2}. {day}  {type(step.event).__name__}")
        try:
            outcome = journey.apply(step.event)
        except CptmRulesError as exc:
            lines += [f"    refused: {exc}", ""]
            continue
        journey = outcome.journey
        lines += ["    " + line for line in outcome.explain().splitlines()]
        lines.append("")
    lines.append("key dates:")
    for key_date in journey.key_dates():
        when = key_date.when.isoformat()
        lines.append(f"  {when:<26} {key_date.rule_id:<4} {key_date.label}")
    result = run_scenario(scenario)
    if result.passed:
        lines += ["", f"all expectations hold ({len(result.results)} checked)"]
    else:
        lines += ["", f"{len(result.failures)} of {len(result.results)} expectations do not hold:"]
        lines += [
            f"  {f.where}: expected {show_value(f.expected)}, actual {show_value(f.actual)}"
            for f in result.failures
        ]
    return "\n".join(lines)


def show_value(value: object) -> str:
    """An expected or actual answer as a report prints it: dates in ISO form, text quoted."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    return repr(value) if isinstance(value, str) else str(value)
