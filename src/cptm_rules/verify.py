"""A policy checked over every date of its calendar before it ships (``cptm-rules verify``).

A diff shows what a proposal moves for the cohort at hand; :func:`verify_policy`
shows whether the proposal is coherent for every candidate who could ever come.
The rules are pure functions of dates and a few figures over a finite calendar,
so every relevant date is asked, at once, with the families' own formulas and
precedence tables run on :data:`~cptm_rules.array_ops.ARRAY` (the batch path's
ops): no second copy of a rule's condition lives here, only the plumbing that
lays the dates out as arrays and reads the answers back.

Each property is one entry of :data:`PROPERTIES`: a group, a name, the rule ids
it is about and a function over the :class:`Domain` (every date of the policy's
calendar years) that returns how many cases it asked and the violations it
found, the smallest case first. A violation carries a scenario
(``docs/scenarios.md``) that ``cptm-rules check`` replays and that fails until
the policy is fixed: :func:`write_counterexamples` writes one file per violation.
``docs/policy.md`` ("Verifying a policy before it ships") lists the properties
and the counts and times.

Needs numpy and pandas (the ``columnar`` or ``notebook`` extra).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs
import numpy as np
import pandas as pd

from cptm_rules.array_ops import ARRAY, EPOCH, outside
from cptm_rules.events import (
    Cancel,
    Event,
    GrantAccess,
    OpenElearning,
    Register,
    Registration,
    Session,
)
from cptm_rules.exceptions import CptmRulesError, InvalidInputError, OutputFileError
from cptm_rules.files import atomic_file, confined
from cptm_rules.formulas import SCALAR, answer_codes
from cptm_rules.lifecycle import Journey
from cptm_rules.money import Money, UnknownAmount, amount_text
from cptm_rules.policy import SHIPPED_POLICIES, Policy, load_policy
from cptm_rules.pricing import PriceSchedule, load_prices
from cptm_rules.rules import cancellation, certification, exam, practicum_changes, prework
from cptm_rules.rules import registration as registration_rules
from cptm_rules.vocabulary import State

if TYPE_CHECKING:
    from collections.abc import Iterator

    from numpy.typing import NDArray

    from cptm_rules.formulas import Precedence
    from cptm_rules.outcomes import Decision

    Days = NDArray[np.int64]

__all__ = [
    "PROPERTIES",
    "Domain",
    "Property",
    "PropertyResult",
    "Sketch",
    "VerifyReport",
    "Violation",
    "verify_policy",
    "write_counterexamples",
]

_BLOCK: Final = 2_000_000
"""The most cases one array holds: the sweeps go through the calendar in blocks."""
_NEVER: Final = 1 << 40
"""The eLearning-opened day of one who never opened it (after any real day)."""
_REGISTERED_AT: Final = dt.time(9, 0)
"""The time of day a counterexample registers (any ordinary office hour would do)."""


# -- what a report is made of ---------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Sketch:
    """A scenario (``docs/scenarios.md``) as data: its name, events and checks.

    Each event and check is a tuple of ``(key, value)`` pairs in file order; an
    ``expect`` value is a tuple of pairs too. :func:`write_counterexamples`
    writes it as TOML.
    """

    name: str
    events: tuple[tuple[tuple[str, object], ...], ...]
    checks: tuple[tuple[tuple[str, object], ...], ...] = ()
    prices: tuple[tuple[str, str], ...] = ()
    """Price figures the scenario pins, as ``(key, value)`` of a price file: where the
    schedule leaves an amount it compares unknown, :func:`write_counterexamples` writes
    a probe schedule with these figures beside the scenario, which names it."""


@attrs.frozen(kw_only=True)
class Violation:
    """A case where a property fails: the smallest found, how many, and a scenario to replay.

    ``property`` is the name of the :class:`Property` that found it, exactly as
    :data:`PROPERTIES` names it (:func:`verify_policy` sets it), and ``rule_ids``
    the rules at fault, among the property's. ``case`` holds what the case
    compares, as ``(what, value)`` texts: its dates, sessions and figures.
    ``warning`` marks a finding reported but not failed (a rule that can never
    fire) unless the verification is strict.
    """

    rule_ids: tuple[str, ...]
    summary: str
    case: tuple[tuple[str, str], ...]
    cases: int
    property: str = ""
    warning: bool = False
    scenario: Sketch | None = attrs.field(default=None, repr=False)
    dead: str = ""
    """What can never fire, in words (``R10``, ``R24 refund tier 2``), for a dead finding."""
    no_scenario: str = "no single scenario replays this case"
    """Why no counterexample file is written, when ``scenario`` is ``None``."""


@attrs.frozen(kw_only=True)
class PropertyResult:
    """One property over the whole calendar: how many cases, how long, what failed."""

    group: str
    name: str
    rule_ids: tuple[str, ...]
    checked: int
    seconds: float
    violations: tuple[Violation, ...]
    notes: tuple[str, ...] = ()
    shares: str = ""
    """The property whose cases this one reads again (its cases are not counted twice)."""

    @property
    def holds(self) -> bool:
        """Whether no case violates the property (warnings aside)."""
        return not any(not v.warning for v in self.violations)


@attrs.frozen(kw_only=True)
class VerifyReport:
    """Every property of :data:`PROPERTIES` checked under one policy and price schedule."""

    policy: Policy
    prices: PriceSchedule
    strict: bool
    results: tuple[PropertyResult, ...]
    seconds: float

    @property
    def violations(self) -> tuple[Violation, ...]:
        """Every violation that fails the verification (warnings count when strict)."""
        return tuple(v for r in self.results for v in r.violations if self.strict or not v.warning)

    @property
    def warnings(self) -> tuple[Violation, ...]:
        """The findings reported without failing (none when strict: they fail)."""
        if self.strict:
            return ()
        return tuple(v for r in self.results for v in r.violations if v.warning)

    @property
    def passed(self) -> bool:
        """Whether every property holds (and, when strict, nothing is dead)."""
        return not self.violations

    @property
    def checked(self) -> int:
        """How many cases the properties asked, in all (a case read by two counts once)."""
        return sum(r.checked for r in self.results if not r.shares)

    def text(self) -> str:
        """The report as the command prints it: one line per property, then each finding."""
        label = self.policy.label
        verdict = (
            "every property holds"
            if self.passed
            else f"{_count(len(self.violations), 'violation')}"
        )
        lines = [
            f"verify {label}: {verdict}; {self.checked:,} cases in {self.seconds:.1f} s"
            + (f" ({_count(len(self.warnings), 'warning')})" if self.warnings else "")
        ]
        for r in self.results:
            state = "holds" if r.holds and not r.violations else _state(r, strict=self.strict)
            shared = f" (those of {r.shares})" if r.shares else ""
            lines.append(
                f"  {r.group}: {r.name} ({', '.join(r.rule_ids)}): "
                f"{r.checked:,} cases{shared}, {r.seconds:.2f} s: {state}"
            )
            lines.extend(f"      note: {note}" for note in r.notes)
        for v in (*self.violations, *self.warnings):
            kind = "warning" if v.warning and not self.strict else "violation"
            case = "; ".join(f"{what} {value}" for what, value in v.case)
            count = f"; {v.cases:,} case(s)" if v.cases else ""
            lines.append(
                f"{kind}: {v.property} ({', '.join(v.rule_ids)}): {v.summary}; "
                f"smallest case: {case}{count}"
            )
            if v.scenario is None:
                lines.append(f"      no counterexample file: {v.no_scenario}")
        return "\n".join(lines) + "\n"

    def markdown(self) -> str:
        """The report as a short GitHub-flavoured summary for a pull request."""
        head = "every property holds" if self.passed else _count(len(self.violations), "violation")
        lines = [
            f"### Policy verification `{self.policy.label}`: {head}",
            "",
            f"{self.checked:,} cases in {self.seconds:.1f} s.",
            "",
            "| property | rules | cases | seconds | result |",
            "| --- | --- | --- | --- | --- |",
        ]
        for r in self.results:
            state = "holds" if r.holds and not r.violations else _state(r, strict=self.strict)
            lines.append(
                f"| {r.group}: {r.name} | {', '.join(r.rule_ids)} | {r.checked:,} | "
                f"{r.seconds:.2f} | {state} |"
            )
        findings = (*self.violations, *self.warnings)
        if findings:
            lines += ["", "| finding | rules | smallest case |", "| --- | --- | --- |"]
            for v in findings:
                case = "; ".join(f"{what} {value}" for what, value in v.case)
                lines.append(f"| {v.summary} | {', '.join(v.rule_ids)} | {case} |")
        return "\n".join(lines) + "\n"

    def as_json(self) -> dict[str, object]:
        """The report as JSON-ready data (keys are only ever added)."""
        return {
            "policy": self.policy.label,
            "passed": self.passed,
            "strict": self.strict,
            "cases": self.checked,
            "seconds": round(self.seconds, 3),
            "properties": [
                {
                    "group": r.group,
                    "name": r.name,
                    "rules": list(r.rule_ids),
                    "cases": r.checked,
                    "seconds": round(r.seconds, 3),
                    "holds": r.holds,
                    "notes": list(r.notes),
                    "shares": r.shares,
                }
                for r in self.results
            ],
            "violations": [_violation_json(v) for v in self.violations],
            "warnings": [_violation_json(v) for v in self.warnings],
        }


def _violation_json(v: Violation) -> dict[str, object]:
    return {
        "property": v.property,
        "rules": list(v.rule_ids),
        "summary": v.summary,
        "case": dict(v.case),
        "cases": v.cases,
        "counterexample": v.scenario is not None,
        "no_counterexample": "" if v.scenario is not None else v.no_scenario,
    }


def _state(result: PropertyResult, *, strict: bool) -> str:
    found = sum(v.cases for v in result.violations)
    dead = ", ".join(
        dict.fromkeys(v.dead or ", ".join(v.rule_ids) for v in result.violations if not v.cases)
    )
    if all(v.warning for v in result.violations) and not strict:
        return f"warning ({dead} can never fire)" if dead else f"warning ({found:,} case(s))"
    return f"VIOLATED ({found:,} case(s))" if found else f"VIOLATED ({dead} can never fire)"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# -- the dates asked ----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Domain:
    """Every date a property asks about: the policy's calendar years, as day numbers.

    Days are days since 1970-01-01 (:data:`~cptm_rules.array_ops.EPOCH`), as the
    batch path counts them. ``low`` is the first day a registration may be judged
    by this policy (its calendar's first day, or its ``effective_from`` when later),
    ``high`` the calendar's last. The sweeps that several properties read are
    computed once per domain (``memo``).
    """

    policy: Policy
    prices: PriceSchedule
    low: int
    high: int
    memo: dict[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def of(cls, policy: Policy, prices: PriceSchedule) -> Domain:
        """The domain of ``policy``'s calendar years (from its ``effective_from``, if later)."""
        first = dt.date(policy.first_year, 1, 1)
        if policy.effective_from is not None:
            first = max(first, policy.effective_from)
        last = dt.date(policy.last_year, 12, 31)
        return cls(policy=policy, prices=prices, low=_number(first), high=_number(last))

    def days(self, start: int | None = None, end: int | None = None) -> Days:
        """Every day from ``start`` (default ``low``) to ``end`` (default ``high``), included."""
        lo = self.low if start is None else start
        hi = self.high if end is None else end
        return np.arange(lo, hi + 1, dtype=np.int64)

    def cached(self, key: str, compute: Callable[[Domain], Any]) -> Any:  # noqa: ANN401
        """``compute(self)``, computed once per domain."""
        if key not in self.memo:
            self.memo[key] = compute(self)
        return self.memo[key]


def _number(day: dt.date) -> int:
    return day.toordinal() - EPOCH


def _date(day: Any) -> dt.date:  # noqa: ANN401  # a numpy integer
    return dt.date.fromordinal(int(day) + EPOCH)


def _instant(us: Any, zone: dt.tzinfo) -> dt.datetime:  # noqa: ANN401
    return dt.datetime.fromtimestamp(int(us) / 1_000_000, tz=dt.UTC).astimezone(zone)


def _blocks(n: int, per_item: int) -> Iterator[slice]:
    """Slices of ``range(n)`` holding at most :data:`_BLOCK` cases of ``per_item`` each."""
    step = max(1, _BLOCK // max(1, per_item))
    for start in range(0, n, step):
        yield slice(start, min(n, start + step))


def _first_index(mask: Any) -> int | None:  # noqa: ANN401
    found = np.flatnonzero(np.asarray(mask))
    return int(found[0]) if len(found) else None


# -- scenario pieces -------------------------------------------------------------------------


def _session_text(first: Any, last: Any) -> str:  # noqa: ANN401
    return f"{_date(first)}..{_date(last)}"


def _register(
    policy: Policy,
    day: Any,  # noqa: ANN401  # a numpy integer, like the next two
    first: Any,  # noqa: ANN401
    last: Any,  # noqa: ANN401
    at: dt.datetime | None = None,
) -> tuple[tuple[str, object], ...]:
    when = at or dt.datetime.combine(_date(day), _REGISTERED_AT, tzinfo=policy.zone)
    return (
        ("type", "register"),
        ("registered_at", when),
        ("practicum", _session_text(first, last)),
    )


def _registered_at(policy: Policy, day: Any) -> dt.datetime:  # noqa: ANN401
    return dt.datetime.combine(_date(day), _REGISTERED_AT, tzinfo=policy.zone)


def _figures(policy: Policy, *names: str) -> tuple[tuple[str, str], ...]:
    return policy.figures(*names)


# -- 1. deadlines come before what they guard ---------------------------------------------------

Found = tuple[int, tuple[Violation, ...], tuple[str, ...]]
"""What a property's function returns: cases asked, violations (smallest first), notes."""


def _off_calendar_note(n: int) -> tuple[str, ...]:
    if not n:
        return ()
    return (f"{n:,} case(s) whose date falls off the calendar are the journey's to refuse",)


def _free_change_deadline(domain: Domain) -> Found:
    policy = domain.policy
    first = domain.days(domain.low + 1)
    deadline = practicum_changes.free_change_deadline(policy, first, ops=ARRAY)
    off = outside(deadline)
    bad = ~off & (deadline >= first)
    checked = int((~off).sum())
    at = _first_index(bad)
    if at is None:
        return checked, (), _off_calendar_note(int(off.sum()))
    f, d = first[at], deadline[at]
    sketch = Sketch(
        name=f"The free-change deadline of a practicum starting {_date(f)} comes before it",
        events=(_register(policy, f - 1, f, f),),
        checks=((("key_date", "free_change_deadline"), ("is", _date(f - 1))),),
    )
    violation = Violation(
        rule_ids=("R9", "R10"),
        summary=f"the free-change deadline {_date(d)} is not before the first day {_date(f)}",
        case=(
            ("first day", str(_date(f))),
            ("free-change deadline", str(_date(d))),
            *_figures(policy, "free_change_days", "free_change_day_count"),
        ),
        cases=int(bad.sum()),
        scenario=sketch,
    )
    return checked, (violation,), _off_calendar_note(int(off.sum()))


def _prework_start(domain: Domain) -> Found:
    policy = domain.policy
    days = domain.days(domain.low + 1)
    lead = policy.prework_recommended.amount
    # Each first day with registrations the day before, at the lead time and before it,
    # and on the calendar's first day: where later_of-like formulas change their answer.
    offsets = np.array(sorted({1, 7, max(1, lead), lead + 1, 10**6}), dtype=np.int64)
    first = np.repeat(days, len(offsets))
    registered = np.maximum(first - np.tile(offsets, len(days)), domain.low)
    start = prework.recommended_prework_start(policy, registered, first, ops=ARRAY)
    bad = start > first
    at = _first_index(bad)
    if at is None:
        return len(first), (), ()
    f, r, s = first[at], registered[at], start[at]
    violation = Violation(
        rule_ids=("R6",),
        summary=f"the recommended prework start {_date(s)} is after the first day {_date(f)}",
        case=(
            ("registered", str(_date(r))),
            ("first day", str(_date(f))),
            ("recommended prework start", str(_date(s))),
            *_figures(policy, "prework_recommended_days"),
        ),
        cases=int(bad.sum()),
        # No scenario: the journey states the start through prework_start, which falls
        # back to the registration day, so only the batch path's column shows the fault.
        no_scenario="the journey states the start through R6's advice, which falls back to "
        "the registration day: only the batch path's prework_recommended_start shows it",
    )
    return len(first), (violation,), ()


_TIMES_OF_DAY: Final = (dt.time(0, 0), dt.time(9, 30), dt.time(17, 0), dt.time(23, 59, 59))
"""The registration times asked on every day (midnight, office hours, the day's end)."""


def _registration_instants(domain: Domain) -> Days:
    """Every registration day of the domain at :data:`_TIMES_OF_DAY`, as UTC µs."""
    days = domain.days(domain.low, domain.high - 1)
    seconds = np.array(
        [t.hour * 3600 + t.minute * 60 + t.second for t in _TIMES_OF_DAY], dtype=np.int64
    )
    wall = (days[:, None] * 86_400 + seconds[None, :]).ravel() * 1_000_000
    index = pd.DatetimeIndex(wall.astype("datetime64[us]"))
    aware = index.tz_localize(str(domain.policy.zone), ambiguous="NaT", nonexistent="NaT")
    utc = aware.tz_convert("UTC").tz_localize(None)
    kept = utc[np.logical_not(np.asarray(utc.isna()))]
    instants: Days = kept.to_numpy().astype("datetime64[us]").astype(np.int64)
    return instants


def _access_due(domain: Domain) -> Found:
    policy = domain.policy
    registered = _registration_instants(domain)
    due = registration_rules.access_due(policy, registered, ops=ARRAY)
    off = outside(due)
    bad = ~off & (due <= registered)
    checked = int((~off).sum())
    at = _first_index(bad)
    if at is None:
        return checked, (), _off_calendar_note(int(off.sum()))
    r = _instant(registered[at], policy.zone)
    d = _instant(due[at], policy.zone)
    day = _number(r.date())
    sketch = Sketch(
        name=f"Access granted at the registration instant {r.isoformat()} is on time",
        events=(
            _register(policy, day, day + 1, day + 1, at=r),
            (("type", "grant_access"), ("at", r), ("expect", (("decisions", ("R4 on_time",)),))),
        ),
    )
    violation = Violation(
        rule_ids=("R4",),
        summary=f"access is due at {d.isoformat()}, not after the registration {r.isoformat()}",
        case=(
            ("registered at", r.isoformat()),
            ("access due", d.isoformat()),
            *_figures(policy, "access_due_amount", "access_due_unit"),
        ),
        cases=int(bad.sum()),
        scenario=sketch,
    )
    return checked, (violation,), _off_calendar_note(int(off.sum()))


def _exam_window(domain: Domain) -> Found:
    policy = domain.policy
    last = domain.days(domain.low + 1)
    opens = exam.exam_opens(policy, last, ops=ARRAY)
    # The sketch's session is one day: its first day is its last.
    closes = exam.exam_closes(policy, opens, first_day=last, ops=ARRAY)
    bad = opens > closes
    at = _first_index(bad)
    if at is None:
        return len(last), (), ()
    day, o, c = last[at], opens[at], closes[at]
    sketch = Sketch(
        name=f"The exam can be taken on the day it opens, {_date(o)}",
        events=(
            _register(policy, day - 1, day, day),
            (("type", "record_attendance"), ("attendance", "full"), ("on", _date(day))),
            (
                ("type", "attempt_exam"),
                ("on", _date(o)),
                ("passed", True),
                ("expect", (("error", "none"), ("state", "certified"))),
            ),
        ),
    )
    violation = Violation(
        rule_ids=("R13", "R14"),
        summary=f"the exam opens on {_date(o)} but closes on {_date(c)}",
        case=(
            ("practicum last day", str(_date(day))),
            ("exam opens", str(_date(o))),
            ("exam closes", str(_date(c))),
            *_figures(policy, "exam_window_months"),
        ),
        cases=int(bad.sum()),
        scenario=sketch,
    )
    return len(last), (violation,), ()


def _certification_period(domain: Domain) -> Found:
    policy = domain.policy
    start = domain.days(domain.low + 1)
    end = certification.period_end(policy, start, ops=ARRAY)
    bad = end <= start
    at = _first_index(bad)
    if at is None:
        return len(start), (), ()
    s, e = start[at], end[at]
    sketch = Sketch(
        name=f"A certification on {_date(s)} is in force on its day",
        events=(
            _register(policy, s - 1, s, s),
            (("type", "record_attendance"), ("attendance", "full"), ("on", _date(s))),
            (("type", "attempt_exam"), ("on", _date(s)), ("passed", True)),
        ),
        checks=((("state_on", _date(s)), ("state", "certified")),),
    )
    violation = Violation(
        rule_ids=("R17",),
        summary=f"a period starting {_date(s)} ends on {_date(e)}",
        case=(
            ("period starts", str(_date(s))),
            ("period ends", str(_date(e))),
            *_figures(policy, "certification_period_years"),
        ),
        cases=int(bad.sum()),
        scenario=sketch,
    )
    return len(start), (violation,), ()


def _credit_expiry(domain: Domain) -> Found:
    policy = domain.policy
    cancelled = domain.days(domain.low + 1, domain.high - 1)
    until = cancellation.credit_until(policy, cancelled, ops=ARRAY)
    bad = until <= cancelled
    at = _first_index(bad)
    if at is None:
        return len(cancelled), (), ()
    c, u = cancelled[at], until[at]
    registered = _registered_at(policy, c - 1)
    sketch = Sketch(
        name=f"A tuition credit left by a cancellation on {_date(c)} is valid on that day",
        events=(
            _register(policy, c - 1, c + 1, c + 1),
            (("type", "grant_access"), ("at", registered)),
            # The eLearning opened leaves a credit, not a refund (R24).
            (("type", "open_elearning"), ("on", _date(c - 1))),
            (("type", "cancel"), ("on", _date(c))),
        ),
        checks=((("state_on", _date(c)), ("state", "cancelled")),),
    )
    violation = Violation(
        rule_ids=("R25",),
        summary=f"the credit of a cancellation on {_date(c)} expires on {_date(u)}",
        case=(
            ("cancelled", str(_date(c))),
            ("credit valid until (exclusive)", str(_date(u))),
            *_figures(policy, "tuition_credit_years"),
        ),
        cases=int(bad.sum()),
        scenario=sketch,
    )
    return len(cancelled), (violation,), ()


# -- the sweeps: every question of a kind, every table asked at once --------------------------


@attrs.frozen(kw_only=True)
class _Tally:
    """What one precedence table answered over a sweep (row = the table's index)."""

    table: str
    rows: tuple[str, ...]
    fired: tuple[int, ...]
    """per row: the cases it answered."""
    off: tuple[bool, ...]
    """per row: the policy switches it off (its condition is a constant false)."""
    overlaps: tuple[tuple[int, int, int], ...]
    """``(row, later row, cases)``: both conditions hold; the declared order decides."""
    example: tuple[Any, ...] = ()
    """per row: the index (in the sweep's layout) of a case it answered, if any."""
    held: tuple[Any, ...] = ()
    """per row: a case asked where its condition holds (answered or not), if any."""


def _keep_first(found: list[Any], i: int, mask: Any, where: Callable[[int], Any]) -> None:  # noqa: ANN401
    """Keep in ``found[i]`` the first case of ``mask``, unless one is kept already."""
    if found[i] is None:
        at = _first_index(mask)
        if at is not None:
            found[i] = where(at)


class _TallyBuilder:
    """Counts, block by block, which rows of a table answer and which conditions overlap."""

    def __init__(self, name: str, table: Precedence[Any, Any]) -> None:
        self.name, self.table = name, table
        n = len(table)
        self.fired = [0] * n
        self.off = [True] * n
        self.pairs: dict[tuple[int, int], int] = {}
        self.example: list[Any] = [None] * n
        self.held: list[Any] = [None] * n

    def add(self, facts: Any, asked: Any, where: Callable[[int], Any]) -> tuple[Any, Any]:  # noqa: ANN401
        """Ask every row for the cases of ``asked``; ``where(i)`` locates case ``i``."""
        rows, which = answer_codes(ARRAY, self.table, facts)
        size = len(asked)
        rows = np.broadcast_to(np.asarray(rows, dtype=np.int64), size)
        which = np.broadcast_to(np.asarray(which, dtype=np.int64), size)
        masks = []
        for i, (_rule, case) in enumerate(self.table):
            if case.when is None:
                held = np.ones(size, dtype=bool)
                self.off[i] = False
            else:
                value = case.when(ARRAY, facts)
                if np.ndim(value) or bool(value):
                    self.off[i] = False
                held = np.broadcast_to(np.asarray(value, dtype=bool), size)
            masks.append(held & asked)
            _keep_first(self.held, i, masks[-1], where)
            answered = asked & (rows == i)
            self.fired[i] += int(answered.sum())
            _keep_first(self.example, i, answered, where)
        for i in range(len(masks)):
            for j in range(i + 1, len(masks)):
                both = int((masks[i] & masks[j]).sum())
                if both:
                    self.pairs[(i, j)] = self.pairs.get((i, j), 0) + both
        return rows, which

    def tally(self) -> _Tally:
        """The counts so far."""
        return _Tally(
            table=self.name,
            rows=tuple(rule for rule, _ in self.table),
            fired=tuple(self.fired),
            off=tuple(self.off),
            overlaps=tuple((i, j, n) for (i, j), n in sorted(self.pairs.items())),
            example=tuple(self.example),
            held=tuple(self.held),
        )


def _price_level(prices: PriceSchedule, name: str | None) -> float:
    """How much a verdict charges, to compare: free 0, unknown infinite (more than any)."""
    if name is None:
        return 0.0
    amount = getattr(prices, name, None)
    if isinstance(amount, Money):
        return float(amount.amount)
    return math.inf


@attrs.frozen(kw_only=True)
class _ChangeCase:
    """One change request of the sweep, for a counterexample."""

    on: int
    held_first: int
    held_last: int
    to_first: int
    to_last: int
    used: int


@attrs.frozen(kw_only=True)
class _ChangeSweep:
    checked: int
    refusals: _Tally
    fees: _Tally
    gaps: int
    gap: _ChangeCase | None
    bad_verdicts: int
    bad_verdict: tuple[str, _ChangeCase] | None
    falls: int
    fall: tuple[_ChangeCase, _ChangeCase, float, float] | None
    off_calendar: int


_TARGETS: Final = 7
"""The new sessions asked for each held session and request day (see :func:`_targets`)."""
_FIXED_TARGETS: Final = (0, 1, 3, 4)
"""The targets whose dates do not move with the request day (the fee-monotonicity ones)."""


def _targets(on: Any, first: Any, last: Any, longest: int) -> tuple[Any, Any]:  # noqa: ANN401
    """The new sessions of each request: first and last days, stacked on the last axis.

    The session held; one starting the same day with another length; an earlier one
    (the day after the request); a later one of one day and one of the longest
    length allowed; a later one a day too long; one starting on the request day.
    """
    later = first + 7
    other_last = np.where(last == first, first + 1, first)
    firsts = (first, first, on + 1, later, later, later, on)
    lasts = (last, other_last, on + 1, later, later + longest - 1, later + longest, on)
    shape = np.broadcast_shapes(*(np.shape(x) for x in (*firsts, *lasts)))
    return (
        np.stack([np.broadcast_to(x, shape) for x in firsts], axis=-1),
        np.stack([np.broadcast_to(x, shape) for x in lasts], axis=-1),
    )


def _change_sweep(domain: Domain) -> _ChangeSweep:  # noqa: PLR0915  # one pass, every question
    policy, prices = domain.policy, domain.prices
    refusals_table = practicum_changes.CHANGE_REFUSALS
    fees_table = practicum_changes.CHANGE_FEE_PRECEDENCE
    firsts = domain.days(domain.low + 1)
    deadlines = practicum_changes.free_change_deadline(policy, firsts, ops=ARRAY)
    on_calendar = ~outside(deadlines)
    lead = int((firsts - deadlines)[on_calendar].max(initial=0))
    # Request days from two days before the earliest deadline to the first day itself.
    steps = np.arange(lead + 3, dtype=np.int64)
    longest = policy.max_session_days
    lengths = np.array(sorted({1, longest}), dtype=np.int64)
    limit = policy.free_changes
    used_values = np.array(sorted({0} if limit is None else {0, max(0, limit - 1), limit}))
    refusals = _TallyBuilder("what a change needs", refusals_table)
    fees = _TallyBuilder("is this change free?", fees_table)
    levels = [
        [
            _price_level(prices, case.fees[k] if case.fees else None)
            for k in range(len(case.verdicts))
        ]
        for _, case in fees_table
    ]
    checked = gaps = bad_verdicts = falls = off_calendar = 0
    gap: _ChangeCase | None = None
    bad_verdict: tuple[str, _ChangeCase] | None = None
    fall: tuple[_ChangeCase, _ChangeCase, float, float] | None = None
    per_first = len(steps) * len(lengths) * _TARGETS * len(used_values)
    for block in _blocks(len(firsts), per_first):
        first = firsts[block][:, None, None]
        deadline = deadlines[block][:, None, None, None, None]
        on = first - steps[::-1][None, :, None]  # ascending request days
        last = first + lengths[None, None, :] - 1
        to_first, to_last = _targets(on, first, last, longest)
        shape = (*to_first.shape, len(used_values))
        first_b, deadline_b, on_b, last_b = (
            np.broadcast_to(x, shape)
            for x in (first[..., None, None], deadline, on[..., None, None], last[..., None, None])
        )
        used_b = np.broadcast_to(used_values, shape)
        to_first_b = np.broadcast_to(to_first[..., None], shape)
        to_last_b = np.broadcast_to(to_last[..., None], shape)
        inside = (
            (on_b >= domain.low)
            & (last_b <= domain.high)
            & (to_first_b >= domain.low)
            & (to_last_b <= domain.high)
        )
        asked = inside & ~outside(deadline_b)
        off_calendar += int((inside & outside(deadline_b)).sum())
        flat = [x.ravel() for x in (on_b, first_b, last_b, to_first_b, to_last_b, used_b)]
        case = practicum_changes.ChangeCase(
            policy=policy,
            prices=None,
            on=flat[0],
            held_first=flat[1],
            held_last=flat[2],
            to_first=flat[3],
            to_last=flat[4],
            deadline=deadline_b.ravel(),
            used=flat[5],
            changes_made=None,
        )
        asked_flat = asked.ravel()

        def where(i: int, flat: list[Any] = flat) -> _ChangeCase:
            return _ChangeCase(
                on=int(flat[0][i]),
                held_first=int(flat[1][i]),
                held_last=int(flat[2][i]),
                to_first=int(flat[3][i]),
                to_last=int(flat[4][i]),
                used=int(flat[5][i]),
            )

        refused_rows, _ = refusals.add(case, asked_flat, where)
        accepted = asked_flat & (refused_rows < 0)
        rows, which = fees.add(case, accepted, where)
        checked += int(asked_flat.sum())
        no_answer = accepted & (rows < 0)
        gaps += int(no_answer.sum())
        if gap is None and no_answer.any():
            gap = where(int(np.flatnonzero(no_answer)[0]))
        level = np.full(len(rows), np.nan)
        for i, (rule_id, row_case) in enumerate(fees_table):
            here = accepted & (rows == i)
            count = len(row_case.verdicts)
            wrong = here & ((which < 0) | (which >= count))
            bad_verdicts += int(wrong.sum())
            if bad_verdict is None and wrong.any():
                bad_verdict = (rule_id, where(int(np.flatnonzero(wrong)[0])))
            good = here & ~wrong
            level[good] = np.asarray(levels[i], dtype=float)[which[good]]
        # Later never pays less: along the request days of one held session and one
        # fixed new session, each fee is at least the highest fee asked for before.
        grid = level.reshape(shape)[:, :, :, list(_FIXED_TARGETS), :]
        seen = np.where(np.isnan(grid), -np.inf, grid)
        highest = np.maximum.accumulate(seen, axis=1)
        before = np.concatenate([np.full_like(highest[:, :1], -np.inf), highest[:, :-1]], axis=1)
        dropped = ~np.isnan(grid) & (grid < before)
        falls += int(dropped.sum())
        if fall is None and dropped.any():
            b, j, n, t, u = (int(x[0]) for x in np.nonzero(dropped))
            earlier = int(np.flatnonzero(seen[b, :j, n, t, u] == before[b, j, n, t, u])[0])
            index = np.ravel_multi_index((b, j, n, _FIXED_TARGETS[t], u), shape)
            early_index = np.ravel_multi_index((b, earlier, n, _FIXED_TARGETS[t], u), shape)
            fall = (
                where(int(early_index)),
                where(int(index)),
                float(before[b, j, n, t, u]),
                float(grid[b, j, n, t, u]),
            )
    return _ChangeSweep(
        checked=checked,
        refusals=refusals.tally(),
        fees=fees.tally(),
        gaps=gaps,
        gap=gap,
        bad_verdicts=bad_verdicts,
        bad_verdict=bad_verdict,
        falls=falls,
        fall=fall,
        off_calendar=off_calendar,
    )


_NEEDS_FREE_CHANGES_USED: Final = (
    "the case needs free changes used first (R11a): no single scenario reaches it yet"
)


def _change_sketch(policy: Policy, c: _ChangeCase, name: str, expect: Any) -> Sketch | None:  # noqa: ANN401
    """A registration for the held session and the change request, expecting ``expect``."""
    if c.used:
        return None  # it needs free changes used first: no single scenario reaches it yet
    return Sketch(
        name=name,
        events=(
            _register(policy, c.on, c.held_first, c.held_last),
            (
                ("type", "request_change"),
                ("on", _date(c.on)),
                ("to", _session_text(c.to_first, c.to_last)),
                ("expect", expect),
            ),
        ),
    )


def _change_case_text(c: _ChangeCase) -> tuple[tuple[str, str], ...]:
    return (
        ("requested", str(_date(c.on))),
        ("held", _session_text(c.held_first, c.held_last)),
        ("new", _session_text(c.to_first, c.to_last)),
        ("free changes used", str(c.used)),
    )


def _overlap_notes(tally: _Tally) -> tuple[str, ...]:
    return tuple(
        f"{tally.table}: rows {a + 1} ({tally.rows[a]}) and {b + 1} ({tally.rows[b]}) both "
        f"hold in {n:,} case(s); the declared order answers with row {a + 1}"
        for a, b, n in tally.overlaps
    )


def _change_answers(domain: Domain) -> Found:
    sweep: _ChangeSweep = domain.cached("changes", _change_sweep)
    policy = domain.policy
    violations: list[Violation] = []
    if sweep.gap is not None:
        c = sweep.gap
        violations.append(
            Violation(
                rule_ids=tuple(dict.fromkeys(sweep.fees.rows)),
                summary="no row of the change-fee table answers a change the rules accept",
                case=_change_case_text(c),
                cases=sweep.gaps,
                scenario=_change_sketch(
                    policy,
                    c,
                    f"A change asked for on {_date(c.on)} gets an answer",
                    (("error", "none"),),
                ),
                no_scenario=_NEEDS_FREE_CHANGES_USED,
            )
        )
    if sweep.bad_verdict is not None:
        rule_id, c = sweep.bad_verdict
        violations.append(
            Violation(
                rule_ids=(rule_id,),
                summary=f"{rule_id} picks a verdict it does not declare",
                case=_change_case_text(c),
                cases=sweep.bad_verdicts,
                scenario=_change_sketch(
                    policy,
                    c,
                    f"A change asked for on {_date(c.on)} gets one of {rule_id}'s verdicts",
                    (("error", "none"),),
                ),
                no_scenario=_NEEDS_FREE_CHANGES_USED,
            )
        )
    notes = (
        *_overlap_notes(sweep.refusals),
        *_overlap_notes(sweep.fees),
        *_off_calendar_note(sweep.off_calendar),
    )
    return sweep.checked, tuple(violations), notes


def _change_fee_monotone(domain: Domain) -> Found:
    sweep: _ChangeSweep = domain.cached("changes", _change_sweep)
    policy, prices = domain.policy, domain.prices
    if sweep.fall is None:
        return sweep.checked, (), ()
    early, late, high, low = sweep.fall
    amount = _fee_of_level(prices, high)
    violation = Violation(
        rule_ids=tuple(dict.fromkeys(sweep.fees.rows)),
        summary=(
            f"a change asked for on {_date(late.on)} pays less than the same change asked "
            f"for on {_date(early.on)}"
        ),
        case=(
            ("earlier request", str(_date(early.on))),
            ("later request", str(_date(late.on))),
            *_change_case_text(late)[1:],
            ("earlier fee", _level_text(prices, high)),
            ("later fee", _level_text(prices, low)),
        ),
        cases=sweep.falls,
        scenario=_change_sketch(
            policy,
            late,
            f"A change asked for on {_date(late.on)} pays at least what it paid on "
            f"{_date(early.on)}",
            (("fee", amount),),
        ),
        no_scenario=_NEEDS_FREE_CHANGES_USED,
    )
    return sweep.checked, (violation,), ()


def _fee_of_level(prices: PriceSchedule, level: float) -> str:
    """The scenario text of the fee a level stands for (the schedule's price of that size)."""
    if level == 0:
        return "none"
    for name in _fee_names():
        if _price_level(prices, name) == level:
            return amount_text(getattr(prices, name))
    return "none"  # pragma: no cover  # a level always comes from a named price


def _level_text(prices: PriceSchedule, level: float) -> str:
    return _fee_of_level(prices, level)


def _fee_names() -> tuple[str, ...]:
    names: dict[str, None] = {}
    for _, case in practicum_changes.CHANGE_FEE_PRECEDENCE:
        for name in case.fees:
            if name is not None:
                names[name] = None
    return tuple(names)


# -- attempts -----------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _AttemptSweep:
    checked: int
    refusals: _Tally


def _attempt_sweep(domain: Domain) -> _AttemptSweep:
    policy = domain.policy
    table = exam.ATTEMPT_REFUSALS
    lasts = domain.days(domain.low + 1)
    opens_all = exam.exam_opens(policy, lasts, ops=ARRAY)
    # One-day sessions: the latest close a window counted from either day can give.
    closes_all = exam.exam_closes(policy, opens_all, first_day=lasts, ops=ARRAY)
    longest = policy.max_session_days
    lengths = np.array(sorted({1, longest}), dtype=np.int64)
    span = int((closes_all - lasts).max(initial=0)) + longest + 2
    steps = np.arange(span, dtype=np.int64)
    cap = policy.max_exam_attempts
    taken_values = np.array(sorted({0} if cap is None else {0, max(0, cap - 1), cap}))
    modules = policy.module_count
    completed_values = np.array(
        sorted({0, modules} | ({modules - 1} if policy.modules_required_for_exam else set()))
    )
    refusals = _TallyBuilder("may this attempt be taken?", table)
    checked = 0
    per_last = len(lengths) * len(steps) * len(taken_values) * len(completed_values)
    for block in _blocks(len(lasts), per_last):
        last = lasts[block][:, None, None, None, None]
        opens = opens_all[block][:, None, None, None, None]
        first = last - lengths[None, :, None, None, None] + 1
        closes = exam.exam_closes(policy, opens, first_day=first, ops=ARRAY)
        # Attendance is recorded from the first day, and attempts come after it.
        on = first + steps[None, None, :, None, None]
        taken = taken_values[None, None, None, :, None]
        completed = completed_values[None, None, None, None, :]
        shape = np.broadcast_shapes(*(x.shape for x in (on, taken, completed, opens)))
        arrays = [np.broadcast_to(x, shape).ravel() for x in (on, opens, closes, taken, completed)]
        first_flat = np.broadcast_to(first, shape).ravel()
        asked = (first_flat > domain.low) & (arrays[0] <= domain.high)
        case = exam.AttemptCase(
            policy=policy,
            on=arrays[0],
            opens=arrays[1],
            closes=arrays[2],
            taken=arrays[3],
            completed=arrays[4],
            passed=np.ones(len(arrays[0]), dtype=bool),
        )

        def where(i: int, a: list[Any] = arrays, f: Any = first_flat) -> tuple[int, ...]:  # noqa: ANN401
            return (int(f[i]), int(a[1][i]), int(a[0][i]), int(a[3][i]), int(a[4][i]))

        refusals.add(case, asked, where)
        checked += int(asked.sum())
    return _AttemptSweep(checked=checked, refusals=refusals.tally())


def _attempt_answers(domain: Domain) -> Found:
    sweep: _AttemptSweep = domain.cached("attempts", _attempt_sweep)
    # Every attempt is refused by the first failing row or taken (R14 in window): the
    # table cannot leave one unanswered; its overlaps are decided by its order.
    return sweep.checked, (), _overlap_notes(sweep.refusals)


# -- cancellations ------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _CancelCase:
    registered: int
    on: int
    first: int
    opened: int


@attrs.frozen(kw_only=True)
class _CancelSweep:
    checked: int
    refusals: _Tally
    tiers: _Tally
    """The tier table (``cancellation.refund_precedence``): which tier answered, and overlaps."""
    listed: tuple[int | None, ...]
    """per row of the tier table: the position of its tier in the policy's list (declared order)."""
    levels: tuple[float, ...]
    """per row of the tier table: what it pays back, as a share of the program price."""
    refunded: int
    credited: int
    uncovered: int
    """accepted cancellations no tier answers (R24 not covered, the credit of R25 remains)."""
    holes: int
    hole: tuple[_CancelCase, int | None] | None
    """a cancellation no tier answers between two a tier does, and the row answering next."""
    misordered: tuple[tuple[int, int, int, _CancelCase], ...]
    """``(row, later row, cases, the first)``: both hold, answered against the declared order."""
    rises: int
    rise: tuple[_CancelCase, _CancelCase, int | None] | None
    """the earlier and later cancellation, and the row that answered the earlier one."""


def _tier_level(tier: object, prices: PriceSchedule) -> float:
    """What a tier pays back as a share of the program price (0 for none or no tier).

    With the price or the administrative fee unknown, "full less the fee" counts as
    just below full: above any percentage a tier may state (below 100).
    """
    if not isinstance(tier, cancellation.RefundTier) or not tier.returns_money:
        return 0.0
    if tier.refund == "full":
        return 1.0
    percent = tier.percent
    if percent is not None:
        return float(percent) / 100
    price, admin = prices.program_price, prices.administrative_fee
    if isinstance(admin, Money) and not admin.amount:
        return 1.0  # no fee kept: full, whatever the price
    if isinstance(price, Money) and isinstance(admin, Money) and price.amount > 0:
        return 1.0 - float(admin.amount / price.amount)
    return 1.0 - 1e-9


def _cancel_leads(policy: Policy, tiers: tuple[cancellation.RefundTier, ...]) -> Days:
    """The days from registering to the practicum asked: on both sides of every window."""
    window = policy.early_cancellation.amount
    leads = {1, 2, window + 3}
    for tier in tiers:
        if tier.counted_from == cancellation.REGISTRATION:
            leads |= {tier.days + 1, tier.days + 2}
        else:
            leads |= {tier.days, tier.days + 1, tier.days + 3}
    return np.array(sorted(leads), dtype=np.int64)


def _misordered(
    table: Precedence[Any, Any],
    listed: tuple[int | None, ...],
    accepted: Any,  # noqa: ANN401  # masks and codes of one block
    rows: Any,  # noqa: ANN401
    case: cancellation.CancelCase,
    *,
    into: dict[tuple[int, int], tuple[int, Any]],
    where: Callable[[int], Any],
) -> None:
    """Count, into ``into``, the cases a row answers while a later row listed first holds too.

    The policy's list is the tiers' declared order: where two tiers hold, the one
    listed first answers. A row whose tier the list does not hold has no order.
    """
    for i, (_rule, row_i) in enumerate(table):
        if row_i.when is None:
            continue
        for j in range(i + 1, len(table)):
            first, then = listed[i], listed[j]
            if first is not None and then is not None and first < then:
                continue  # the table's order is the list's
            both = accepted & (rows == i)
            row_j = table[j][1]
            if row_j.when is not None:
                both = both & np.broadcast_to(
                    np.asarray(row_j.when(ARRAY, case), dtype=bool), len(both)
                )
            count = int(both.sum())
            if count:
                before, example = into.get((i, j), (0, None))
                if example is None:
                    example = where(int(np.flatnonzero(both)[0]))
                into[(i, j)] = (before + count, example)


def _cancel_sweep(domain: Domain) -> _CancelSweep:  # noqa: PLR0915  # one pass, every question
    policy, prices = domain.policy, domain.prices
    refusal_table = cancellation.CANCEL_REFUSALS
    tier_table = cancellation.refund_precedence(policy)
    declared = cancellation.refund_tiers_of(policy)
    registered_days = domain.days(domain.low, domain.high - 1)
    leads = _cancel_leads(policy, declared)
    leads = leads[leads <= max(1, domain.high - domain.low)]
    steps = np.arange(int(leads.max()) + 1, dtype=np.int64)
    refusals = _TallyBuilder("may this cancellation be made?", refusal_table)
    tiers = _TallyBuilder("which refund tier does this cancellation fall in?", tier_table)
    row_tiers: list[object] = []
    for _rule, row in tier_table:
        # A tier row explains with its tier whatever the case (cancellation._the_tier).
        row_tiers.append(row.explain(None))  # type: ignore[arg-type]
    listed = tuple(declared.index(t) if t in declared else None for t in row_tiers)
    levels = tuple(_tier_level(t, prices) for t in row_tiers)
    money_rows = np.array(
        [isinstance(t, cancellation.RefundTier) and t.returns_money for t in row_tiers] + [False]
    )
    level_of = np.array([*levels, 0.0])
    checked = refunded = credited = uncovered = holes = rises = 0
    hole: tuple[_CancelCase, int | None] | None = None
    rise: tuple[_CancelCase, _CancelCase, int | None] | None = None
    misordered: dict[tuple[int, int], tuple[int, Any]] = {}
    per_day = len(leads) * len(steps) * 3
    for block in _blocks(len(registered_days), per_day):
        registered = registered_days[block][:, None, None, None]
        first = registered + leads[None, :, None, None]
        on = registered + steps[None, None, :, None]
        # The eLearning never opened, opened on the registration day, or halfway to the practicum.
        opened = np.concatenate(
            [
                np.broadcast_to(np.int64(_NEVER), first.shape),
                np.broadcast_to(registered, first.shape),
                registered + np.maximum(1, leads[None, :, None, None] // 2),
            ],
            axis=-1,
        )
        shape = np.broadcast_shapes(on.shape, first.shape, opened.shape)
        reg_b, on_b, first_b, opened_b = (
            np.broadcast_to(x, shape) for x in (registered, on, first, opened)
        )
        asked = (on_b <= first_b) & (first_b <= domain.high)
        flat = [x.ravel() for x in (reg_b, on_b, first_b, opened_b)]
        case = cancellation.CancelCase(
            policy=policy, on=flat[1], held_first=flat[2], registered_on=flat[0], opened=flat[3]
        )

        def where(i: int, flat: list[Any] = flat) -> _CancelCase:
            return _CancelCase(
                registered=int(flat[0][i]),
                on=int(flat[1][i]),
                first=int(flat[2][i]),
                opened=int(flat[3][i]),
            )

        asked_flat = asked.ravel()
        refused, _ = refusals.add(case, asked_flat, where)
        accepted = asked_flat & (refused < 0)
        rows, _ = tiers.add(case, accepted, where)
        refund = accepted & money_rows[rows]
        checked += int(asked_flat.sum())
        refunded += int(refund.sum())
        credited += int((accepted & ~refund).sum())
        uncovered += int((accepted & (rows < 0)).sum())
        _misordered(tier_table, listed, accepted, rows, case, into=misordered, where=where)
        # A gap: along the cancellation days of one registration, session and opening,
        # a day no tier answers between a day one does and a later day one does.
        answered = (accepted & (rows >= 0)).reshape(shape)
        open_case = (accepted & (rows < 0)).reshape(shape)
        before = np.logical_or.accumulate(answered, axis=2)
        after = np.logical_or.accumulate(answered[:, :, ::-1], axis=2)[:, :, ::-1]
        inside = open_case & before & after
        holes += int(inside.sum())
        if hole is None and inside.any():
            b, lead, j, o = (int(x[0]) for x in np.nonzero(inside))
            k = j + int(np.flatnonzero(answered[b, lead, j:, o])[0])
            next_row = int(rows.reshape(shape)[b, lead, k, o])
            hole = (where(int(np.ravel_multi_index((b, lead, j, o), shape))), next_row)
        # A refund never grows as the cancellation gets later.
        level = np.where(accepted, level_of[rows], np.nan).reshape(shape)
        seen = np.where(np.isnan(level), np.inf, level)
        lowest = np.minimum.accumulate(seen, axis=2)
        low_before = np.concatenate([np.full_like(lowest[:, :, :1], np.inf), lowest[:, :, :-1]], 2)
        grew = ~np.isnan(level) & (level > low_before)
        rises += int(grew.sum())
        if rise is None and grew.any():
            b, lead, j, o = (int(x[0]) for x in np.nonzero(grew))
            earlier = int(np.flatnonzero(seen[b, lead, :j, o] == low_before[b, lead, j, o])[0])
            early_index = int(np.ravel_multi_index((b, lead, earlier, o), shape))
            early_row = int(rows[early_index])
            rise = (
                where(early_index),
                where(int(np.ravel_multi_index((b, lead, j, o), shape))),
                None if early_row < 0 else early_row,
            )
    return _CancelSweep(
        checked=checked,
        refusals=refusals.tally(),
        tiers=tiers.tally(),
        listed=listed,
        levels=levels,
        refunded=refunded,
        credited=credited,
        uncovered=uncovered,
        holes=holes,
        hole=hole,
        misordered=tuple((i, j, n, c) for (i, j), (n, c) in sorted(misordered.items())),
        rises=rises,
        rise=rise,
    )


def _cancel_events(policy: Policy, c: _CancelCase) -> tuple[tuple[tuple[str, object], ...], ...]:
    events: list[tuple[tuple[str, object], ...]] = [
        _register(policy, c.registered, c.first, c.first),
        (("type", "grant_access"), ("at", _registered_at(policy, c.registered))),
    ]
    if c.opened != _NEVER:
        events.append((("type", "open_elearning"), ("on", _date(c.opened))))
    return tuple(events)


def _cancel_case_text(c: _CancelCase) -> tuple[tuple[str, str], ...]:
    opened = "never" if c.opened == _NEVER else str(_date(c.opened))
    return (
        ("registered", str(_date(c.registered))),
        ("cancelled", str(_date(c.on))),
        ("held first day", str(_date(c.first))),
        ("eLearning opened", opened),
    )


_PROBE_PRICE: Final = Decimal(1_000_000)
"""The program price a probe schedule states when the schedule leaves it unknown."""
_PROBE_FEE: Final = Decimal(1)
"""The administrative fee of a probe schedule."""


def _probe(prices: PriceSchedule) -> PriceSchedule:
    """``prices`` with a known program price and administrative fee, to compare refunds.

    Two tiers' refunds both read "unknown program_price" under the shipped prices:
    a counterexample that compares them pins the tier's share of a known price
    instead (1,000,000 where the price is unknown). The probe's fee is 1, well under
    0.01 % of such a price, so the price less the fee stays above any percentage a
    tier may state, as the sweep counts it while either is unknown (:func:`_tier_level`).
    """
    price = prices.program_price
    if not isinstance(price, Money):
        price = Money.of(_PROBE_PRICE, prices.currency)
    fee = Money.of(_PROBE_FEE, prices.currency)
    return attrs.evolve(prices, program_price=price, administrative_fee=fee)


def _probe_figures(prices: PriceSchedule) -> tuple[tuple[str, str], ...]:
    """The probe schedule's figures, as a price file writes them (it extends the shipped)."""
    price, admin = prices.program_price, prices.administrative_fee
    assert isinstance(price, Money)  # noqa: S101  # a probe's figures are known
    assert isinstance(admin, Money)  # noqa: S101
    return (
        ("currency", prices.currency),
        ("program_price", str(price.amount)),
        ("administrative_fee", str(admin.amount)),
    )


def _tier_expectation(
    domain: Domain, c: _CancelCase, row: int | None
) -> tuple[tuple[tuple[str, object], ...], tuple[tuple[str, str], ...]]:
    """What a cancellation answered by tier-table row ``row`` (``None``: no tier) expects.

    The decisions, and the refund the tier pays under the registration's prices;
    where those leave the refund unknown, the refund under a probe schedule
    (:func:`_probe`), whose figures come second (none otherwise).
    """
    if row is None:
        return (("decisions", ("R24 not_covered", "R25 credit")),), ()
    table = cancellation.refund_precedence(domain.policy)
    # A tier row ignores its case; a planted table's row may answer something else.
    tier: object = table[row][1].explain(None)  # type: ignore[arg-type]
    if not isinstance(tier, cancellation.RefundTier):
        return (("decisions", ("R24 refund",)),), ()
    decisions = ("R24 refund",) if tier.returns_money else ("R24 refund", "R25 credit")
    try:
        prices = domain.prices.in_force_on(_date(c.registered))
    except CptmRulesError:
        return (("decisions", decisions),), ()
    amount, _ = cancellation.tier_amounts(prices, tier)  # the tier's own refund
    pinned: tuple[tuple[str, str], ...] = ()
    if isinstance(amount, UnknownAmount):
        # "unknown program_price" is what every tier paying a share reads: pin the share.
        probe = _probe(prices)
        amount, _ = cancellation.tier_amounts(probe, tier)
        pinned = _probe_figures(probe)
    return (("decisions", decisions), ("refund", amount_text(amount))), pinned


def _cancel_sketch(domain: Domain, c: _CancelCase, name: str, row: int | None) -> Sketch:
    expect, prices = _tier_expectation(domain, c, row)
    return Sketch(
        name=name,
        events=(
            *_cancel_events(domain.policy, c),
            (("type", "cancel"), ("on", _date(c.on)), ("expect", expect)),
        ),
        prices=prices,
    )


def _listed_first(domain: Domain, c: _CancelCase) -> int | None:
    """The row of the tier the policy lists first among those holding for ``c``."""
    sweep: _CancelSweep = domain.cached("cancellations", _cancel_sweep)
    table = cancellation.refund_precedence(domain.policy)
    case = cancellation.CancelCase(
        policy=domain.policy,
        on=_date(c.on),
        held_first=_date(c.first),
        registered_on=_date(c.registered),
        opened=cancellation.NEVER if c.opened == _NEVER else _date(c.opened),
    )
    holding = [
        (listed, row)
        for row, ((_rule, tier_row), listed) in enumerate(zip(table, sweep.listed, strict=True))
        if listed is not None and (tier_row.when is None or bool(tier_row.when(SCALAR, case)))
    ]
    return min(holding)[1] if holding else None


def _cancel_answers(domain: Domain) -> Found:
    sweep: _CancelSweep = domain.cached("cancellations", _cancel_sweep)
    policy = domain.policy
    violations: list[Violation] = []
    figures = policy.figures(
        "refund_tiers" if policy.refund_tiers.tiers else "early_cancellation_days"
    )
    if sweep.hole is not None:
        c, next_row = sweep.hole
        violations.append(
            Violation(
                rule_ids=("R24",),
                summary=(
                    f"no refund tier answers a cancellation on {_date(c.on)}, between "
                    "earlier and later ones a tier does answer"
                ),
                case=(*_cancel_case_text(c), *figures),
                cases=sweep.holes,
                scenario=_cancel_sketch(
                    domain,
                    c,
                    f"A cancellation on {_date(c.on)} falls in a refund tier, as the days "
                    "around it do",
                    next_row,
                ),
            )
        )
    if sweep.misordered:
        # The first pair found is reported, with every such case counted.
        i, j, _n, example = sweep.misordered[0]
        listed_first = _listed_first(domain, example)
        violations.append(
            Violation(
                rule_ids=("R24",),
                summary=(
                    f"refund-tier rows {i + 1} and {j + 1} both hold and the table answers "
                    f"with row {i + 1}, which the policy's list does not put first"
                ),
                case=(
                    *_cancel_case_text(example),
                    ("answering row", f"{i + 1} (listed {_listed_text(sweep.listed[i])})"),
                    ("also holding", f"{j + 1} (listed {_listed_text(sweep.listed[j])})"),
                    *figures,
                ),
                cases=sum(n for _i, _j, n, _c in sweep.misordered),
                scenario=(
                    None
                    if listed_first is None
                    else _cancel_sketch(
                        domain,
                        example,
                        f"A cancellation on {_date(example.on)} is answered by the tier "
                        "listed first",
                        listed_first,
                    )
                ),
                no_scenario="no tier the policy lists holds for the case",
            )
        )
    notes = [*_overlap_notes(sweep.refusals), *_overlap_notes(sweep.tiers)]
    if sweep.uncovered:
        notes.append(
            f"{sweep.uncovered:,} cancellation(s) fall in no refund tier: R24 answers not "
            "covered and R25's credit remains"
        )
    return sweep.checked, tuple(violations), tuple(notes)


def _listed_text(position: int | None) -> str:
    return "nowhere" if position is None else f"tier {position + 1}"


_CASH_ONLY: Final = (
    "compares cash refunds only (R24), each as its share of the program price: a "
    "tuition credit (R25) is not compared"
)


def _refund_monotone(domain: Domain) -> Found:
    sweep: _CancelSweep = domain.cached("cancellations", _cancel_sweep)
    if sweep.rise is None:
        return sweep.checked, (), (_CASH_ONLY,)
    policy = domain.policy
    early, late, early_row = sweep.rise
    violation = Violation(
        rule_ids=("R24",),
        summary=(
            f"a cancellation on {_date(late.on)} gets more back than the same one on "
            f"{_date(early.on)}"
        ),
        case=(
            ("earlier cancellation", str(_date(early.on))),
            *_cancel_case_text(late),
            *policy.figures(
                "refund_tiers" if policy.refund_tiers.tiers else "early_cancellation_days"
            ),
        ),
        cases=sweep.rises,
        # The later cancellation expects the earlier one's answer: no more back than it.
        scenario=_cancel_sketch(
            domain,
            late,
            f"A cancellation on {_date(late.on)} gets no more back than on {_date(early.on)}",
            early_row,
        ),
    )
    return sweep.checked, (violation,), (_CASH_ONLY,)


# -- 4. money stays sane ------------------------------------------------------------------------


def _replayed(policy: Policy, prices: PriceSchedule, events: tuple[Event, ...]) -> Decision | None:
    """The first decision of the last event, replayed on the journey (the one definition)."""
    journey = Journey.new(policy=policy, prices=prices)
    outcome = None
    try:
        for event in events:
            outcome = journey.apply(event)
            journey = outcome.journey
    except CptmRulesError:
        return None
    assert outcome is not None  # noqa: S101  # at least one event
    return outcome.decisions[0] if outcome.decisions else None


def _versions(prices: PriceSchedule) -> tuple[PriceSchedule, ...]:
    """The versions of a (dated) price schedule, the latest first."""
    found: list[PriceSchedule] = []
    version: PriceSchedule | None = prices
    while version is not None:
        found.append(version)
        version = version.earlier
    return tuple(found)


def _named_prices(policy: Policy) -> tuple[tuple[str, str, str], ...]:
    """``(rule id, verdict, price name)`` of every amount a decision under ``policy`` charges."""
    named: list[tuple[str, str, str]] = []
    for rule_id, case in practicum_changes.CHANGE_FEE_PRECEDENCE:
        for verdict, name in zip(case.verdicts, case.fees or (), strict=False):
            if name is not None:
                named.append((rule_id, verdict, name))
    named.append(("R24", "refund", "administrative_fee"))
    if policy.renewal_grace_days:
        named.append(("R20", "paid_in_grace", "late_renewal_fee"))
    return tuple(named)


def _money(domain: Domain) -> Found:
    """Fees, refunds and the prices the rules name: known or named unknown, never negative."""
    policy, prices = domain.policy, domain.prices
    violations: list[Violation] = []
    checked = 0
    # Every price a decision names must be one each version gives (known, or unknown by name).
    for version in _versions(prices):
        for rule_id, verdict, name in _named_prices(policy):
            checked += 1
            amount = getattr(version, name, None)
            if not isinstance(amount, Money | UnknownAmount):
                violations.append(
                    Violation(
                        rule_ids=(rule_id,),
                        summary=f"{rule_id} {verdict} charges {name}, which no price gives",
                        case=(("price", name), ("prices", version.label)),
                        cases=1,
                    )
                )
            elif isinstance(amount, Money) and amount.amount < 0:
                violations.append(_negative(rule_id, verdict, name, amount))
    # The refund of each tier that answers, replayed once on the journey: it is the same
    # on every date a version is in force (the version is the registration's).
    sweep: _CancelSweep = domain.cached("cancellations", _cancel_sweep)
    for row, example in enumerate(sweep.tiers.example):
        if not isinstance(example, _CancelCase):
            continue
        checked += 1
        try:
            version = prices.in_force_on(_date(example.registered))
        except CptmRulesError:
            continue  # no version prices the registration: the dated-prices property says so
        found = _refund_problem(_cancel_replayed(domain, example), version)
        if found is None:
            continue
        summary, required = found
        violations.append(
            Violation(
                rule_ids=("R24",),
                summary=summary,
                case=(
                    *_cancel_case_text(example),
                    ("tier row", str(row + 1)),
                    ("program price", amount_text(version.program_price)),
                    ("administrative fee", amount_text(version.administrative_fee)),
                ),
                cases=sweep.tiers.fired[row],
                scenario=Sketch(
                    name=f"A cancellation on {_date(example.on)} is refunded "
                    "between nothing and the price paid",
                    events=(
                        *_cancel_events(policy, example),
                        (
                            ("type", "cancel"),
                            ("on", _date(example.on)),
                            ("expect", (("refund", required),)),
                        ),
                    ),
                ),
            )
        )
    return checked, tuple(violations), ()


def _cancel_replayed(domain: Domain, example: _CancelCase) -> Decision | None:
    """The first decision of ``example``'s cancellation, replayed on the journey."""
    at = _registered_at(domain.policy, example.registered)
    session = Session(first_day=_date(example.first), last_day=_date(example.first))
    events: tuple[Event, ...] = (
        Register(
            registration=Registration(email="verify@example.org", registered_at=at, session=session)
        ),
        GrantAccess(at=at),
    )
    if example.opened != _NEVER:
        events = (*events, OpenElearning(on=_date(example.opened)))
    return _replayed(domain.policy, domain.prices, (*events, Cancel(on=_date(example.on))))


def _negative(rule_id: str, verdict: str, name: str, amount: Money) -> Violation:
    return Violation(
        rule_ids=(rule_id,),
        summary=f"{rule_id} {verdict} charges {name} = {amount}, below zero",
        case=(("price", name), ("amount", str(amount))),
        cases=1,
    )


def _refund_problem(given: Decision | None, prices: PriceSchedule) -> tuple[str, str] | None:
    """What is wrong with an early cancellation's refund, and the answer required."""
    if given is None:
        return "the early cancellation the table refunds is refused or decides nothing", "none"
    refund = given.refund
    price = prices.program_price
    if not isinstance(refund, Money | UnknownAmount):
        return f"{given.rule_id} {given.verdict} names no refund amount", amount_text(price)
    if isinstance(refund, Money) and refund.amount < 0:
        return f"the refund {refund} is below zero", amount_text(Money.of(0, refund.currency))
    if isinstance(refund, Money) and isinstance(price, Money) and refund > price:
        return f"the refund {refund} exceeds the price paid {price}", amount_text(price)
    return None


# -- 5. nothing is dead -------------------------------------------------------------------------


def _dead_rules(domain: Domain) -> Found:
    policy = domain.policy
    changes: _ChangeSweep = domain.cached("changes", _change_sweep)
    attempts: _AttemptSweep = domain.cached("attempts", _attempt_sweep)
    cancels: _CancelSweep = domain.cached("cancellations", _cancel_sweep)
    fired: dict[str, int] = {}
    on: dict[str, bool] = {}
    for tally in (changes.refusals, changes.fees, attempts.refusals, cancels.refusals):
        for rule_id, count, off in zip(tally.rows, tally.fired, tally.off, strict=True):
            fired[rule_id] = fired.get(rule_id, 0) + count
            on[rule_id] = on.get(rule_id, False) or not off
    fired["R24"] = sum(cancels.tiers.fired)
    on["R24"] = True
    fired["R25"] = cancels.credited
    on["R25"] = True
    checked = changes.checked + attempts.checked + cancels.checked
    violations = []
    for rule_id in sorted(fired, key=_rule_order):
        if not on[rule_id] or fired[rule_id]:
            continue
        violations.append(
            Violation(
                rule_ids=(rule_id,),
                summary=f"{rule_id} answers no case on any date of the calendar",
                case=_dead_figures(policy, rule_id),
                cases=0,
                warning=True,
                scenario=_dead_sketch(domain, rule_id),
                dead=rule_id,
                no_scenario=f"no scenario is known that asks {rule_id}'s question where it "
                "would answer",
            )
        )
    # A tier the policy states that answers no cancellation (the loader refuses one a
    # tier before it hides; the calendar may still leave one no date).
    if policy.refund_tiers.tiers:
        for row, count in enumerate(cancels.tiers.fired):
            if count:
                continue
            listed = cancels.listed[row]
            tier = f"table row {row + 1}" if listed is None else f"tier {listed + 1}"
            # A cancellation in the tier's window expects the tier's answer: it fails while
            # another tier (listed first) answers it, and passes once the list lets it.
            held = cancels.tiers.held[row]
            violations.append(
                Violation(
                    rule_ids=("R24",),
                    summary=f"refund {tier} answers no cancellation on any date of the calendar",
                    case=(
                        *(_cancel_case_text(held) if isinstance(held, _CancelCase) else ()),
                        ("cancellation.refund_tiers", str(policy.refund_tiers)),
                    ),
                    cases=0,
                    warning=True,
                    scenario=(
                        _cancel_sketch(
                            domain,
                            held,
                            f"A cancellation on {_date(held.on)}, in the window of refund "
                            f"{tier}, gets that tier's answer",
                            row,
                        )
                        if isinstance(held, _CancelCase)
                        else None
                    ),
                    dead=f"R24 refund {tier}",
                    no_scenario=f"no cancellation the calendar allows falls in the window of "
                    f"refund {tier}",
                )
            )
    return checked, tuple(violations), ()


def _rule_order(rule_id: str) -> tuple[int, str]:
    digits = re.sub(r"\D", "", rule_id)
    return int(digits or 0), rule_id


_DEAD_FIGURES: Final[Mapping[str, tuple[str, ...]]] = {
    "R9": ("free_change_days", "free_change_day_count", "first_year", "last_year"),
    "R10": ("free_change_days", "free_change_day_count", "first_year", "last_year"),
    "R11a": ("free_changes",),
    "R13": ("max_session_days",),
    "R14": ("exam_window_months",),
    "R15": ("max_exam_attempts",),
    "R8": ("modules_required_for_exam", "module_count"),
}
"""The figures a dead rule's report shows: those that decide whether it can fire."""


def _dead_figures(policy: Policy, rule_id: str) -> tuple[tuple[str, str], ...]:
    names = _DEAD_FIGURES.get(rule_id, ())
    return policy.figures(*names) if names else (("figures", "none read"),)


def _dead_sketch(domain: Domain, rule_id: str) -> Sketch | None:
    """A scenario that asks the dead rule's question where it would answer, if we know one."""
    policy = domain.policy
    if rule_id == "R10":
        # The last day before a practicum a month into the calendar, to a later session:
        # after the deadline of any window of two days or more.
        first = min(domain.low + 31, domain.high - 7)
        c = _ChangeCase(
            on=first - 1,
            held_first=first,
            held_last=first,
            to_first=first + 7,
            to_last=first + 7,
            used=0,
        )
        return _change_sketch(
            policy,
            c,
            f"A change to a later session asked for the day before the practicum "
            f"{_date(first)} pays the class change fee",
            (("decisions", ("R10 fee",)),),
        )
    if rule_id == "R13":
        first = domain.low + 2
        return Sketch(
            name=f"An attempt on the first day of a two-day practicum {_date(first)} is "
            "before the exam opens",
            events=(
                _register(policy, first - 1, first, first + 1),
                (("type", "record_attendance"), ("attendance", "full"), ("on", _date(first))),
                (
                    ("type", "attempt_exam"),
                    ("on", _date(first)),
                    ("passed", True),
                    ("expect", (("error", "TimingError"), ("error_rule", "R13"))),
                ),
            ),
        )
    return None


# -- certification: the grace period, renewal, category caps ---------------------------------


def _certified_events(policy: Policy, s: int) -> tuple[tuple[tuple[str, object], ...], ...]:
    """A candidate certified on day ``s``: registered the day before, attended, passed."""
    return (
        _register(policy, s - 1, s, s),
        (("type", "record_attendance"), ("attendance", "full"), ("on", _date(s))),
        (("type", "attempt_exam"), ("on", _date(s)), ("passed", True)),
    )


def _renewal_activity(policy: Policy, s: int) -> tuple[tuple[str, object], ...]:
    """The hours renewal needs, dated on the certification day (inside the period)."""
    category = policy.qualifying_categories[0]
    return (
        ("type", "record_activity"),
        ("id", "verify-hours"),
        ("on", _date(s)),
        ("hours", str(policy.ce_hours_required)),
        ("category", str(category)),
    )


def _period_ends(domain: Domain) -> tuple[Days, Days, Days]:
    """Every certification day after the calendar's first, its period's end and lapse day."""
    policy = domain.policy
    start = domain.days(domain.low + 1)
    end = certification.period_end(policy, start, ops=ARRAY)
    lapse = certification.grace_end(policy, end, ops=ARRAY)
    return start, end, lapse


def _grace_period(domain: Domain) -> Found:
    policy = domain.policy
    start, end, lapse = _period_ends(domain)
    days = policy.renewal_grace_days
    # No grace period (0, the FAQ's reading): the credential lapses on the period's end.
    bad = (lapse <= end) if days else (lapse != end)
    at = _first_index(bad)
    if at is None:
        return len(start), (), ()
    s, e, g = start[at], end[at], lapse[at]
    sketch = None
    if days:
        sketch = Sketch(
            name=f"The renewal fee paid on {_date(e)}, the first day of grace after the "
            "period, renews with the late renewal fee",
            events=(
                *_certified_events(policy, s),
                _renewal_activity(policy, s),
                (
                    ("type", "pay_renewal_fee"),
                    ("on", _date(e)),
                    ("expect", (("decisions", ("R20 paid_in_grace", "R20 renewed")),)),
                ),
            ),
        )
    violation = Violation(
        rule_ids=("R20",),
        summary=f"the grace period of a period ending {_date(e)} ends on {_date(g)}",
        case=(
            ("period starts", str(_date(s))),
            ("period ends", str(_date(e))),
            ("grace ends (exclusive)", str(_date(g))),
            *_figures(policy, "renewal_grace_days"),
        ),
        cases=int(bad.sum()),
        scenario=sketch,
    )
    return len(start), (violation,), ()


def _grace_before_next_end(domain: Domain) -> Found:
    """A grace period ends no later than the period a renewal in it would start.

    A renewal paid in grace starts the next period on the latest one's end (R20,
    :func:`~cptm_rules.rules.certification.renewed`): a grace day on or after that
    period's own end would renew a period already over, into its own grace.
    """
    policy = domain.policy
    start, end, lapse = _period_ends(domain)
    if not policy.renewal_grace_days:
        return len(start), (), ()  # no grace period: the credential lapses on the end
    following = certification.period_end(policy, end, ops=ARRAY)
    # The counterexample pays on the renewed period's end: a day the calendar must hold.
    asked = ~outside(following) & ~outside(lapse) & (following <= domain.high)
    left = len(start) - int(asked.sum())
    notes = (
        (f"{left:,} period(s) whose renewed period ends after the calendar are not asked",)
        if left
        else ()
    )
    bad = asked & (lapse > following)
    at = _first_index(bad)
    if at is None:
        return int(asked.sum()), (), notes
    s, e, g, n = start[at], end[at], lapse[at], following[at]
    violation = Violation(
        rule_ids=("R17", "R20"),
        summary=(
            f"a renewal paid in the grace period of a period ending {_date(e)} starts a "
            f"period that ends on {_date(n)}, before the grace period does ({_date(g)})"
        ),
        case=(
            ("period starts", str(_date(s))),
            ("period ends", str(_date(e))),
            ("the period renewed from it ends", str(_date(n))),
            ("grace ends (exclusive)", str(_date(g))),
            *_figures(policy, "certification_period", "renewal_grace_days"),
        ),
        cases=int(bad.sum()),
        # On the day the renewed period would end, the fee is refused once the grace
        # period ends in time (R20's answer after the grace period).
        scenario=Sketch(
            name=f"A renewal fee paid on {_date(n)}, when the period renewed from {_date(e)} "
            "would already be over, is refused",
            events=(
                *_certified_events(policy, s),
                _renewal_activity(policy, s),
                (
                    ("type", "pay_renewal_fee"),
                    ("on", _date(n)),
                    ("expect", (("error", "TimingError"), ("error_rule", "R20"))),
                ),
            ),
        ),
    )
    return int(asked.sum()), (violation,), notes


def _renewal_answers(domain: Domain) -> Found:
    """Every renewal check on a day around a period's end: renewed, in grace or lapsed, once."""
    policy = domain.policy
    start, end, lapse = _period_ends(domain)
    days = policy.renewal_grace_days
    offsets = np.array(sorted({-1, 0, 1, days - 1, days, days + 1}), dtype=np.int64)
    e = np.repeat(end, len(offsets))
    s = np.repeat(start, len(offsets))
    on = e + np.tile(offsets, len(end))
    inside = on < e
    grace = np.asarray(certification.in_grace(policy, e, on, ops=ARRAY), dtype=bool)
    lapsed = on >= np.repeat(lapse, len(offsets))
    answers = inside.astype(np.int64) + grace + lapsed
    bad = answers != 1
    at = _first_index(bad)
    if at is None:
        return len(on), (), ()
    d, pe, ps = on[at], e[at], s[at]
    said = [
        name
        for name, m in (("in the period", inside), ("in grace", grace), ("lapsed", lapsed))
        if m[at]
    ]
    # What R20 says: inside the period it renews; in the renewal_grace_days after it, it
    # renews with the late fee; after that the fee is refused.
    if d < pe:
        expect: tuple[tuple[str, object], ...] = (("decisions", ("R18 fee_paid", "R20 renewed")),)
    elif d < pe + days:
        expect = (("decisions", ("R20 paid_in_grace", "R20 renewed")),)
    else:
        expect = (("error", "TimingError"), ("error_rule", "R20"))
    violation = Violation(
        rule_ids=("R18", "R20"),
        summary=(
            f"a renewal fee paid on {_date(d)}, for a period ending {_date(pe)}, is "
            + (" and ".join(said) if said else "neither in the period, in grace nor lapsed")
        ),
        case=(
            ("period ends", str(_date(pe))),
            ("paid", str(_date(d))),
            *_figures(policy, "renewal_grace_days"),
        ),
        cases=int(bad.sum()),
        scenario=Sketch(
            name=f"A renewal fee paid on {_date(d)} gets the one answer R20 gives",
            events=(
                *_certified_events(policy, ps),
                _renewal_activity(policy, ps),
                (("type", "pay_renewal_fee"), ("on", _date(d)), ("expect", expect)),
            ),
        ),
    )
    return len(on), (violation,), ()


_MOST_HOUR_VECTORS: Final = 200_000
"""The most hour vectors the category-cap sweep asks (a policy with many groups is sampled)."""


def _hour_grid(policy: Policy) -> tuple[Decimal, ...]:
    """The hours asked in each category group: zero, and both sides of every bound."""
    required = policy.ce_hours_required
    bounds = {required}
    for limit in policy.category_limits:
        bounds |= {b for b in (limit.min_hours, limit.max_hours) if b is not None}
        bounds |= {required - b for b in (limit.min_hours, limit.max_hours) if b is not None}
    values = {Decimal(0)}
    for b in bounds:
        values |= {b - 1, b, b + 1}
    return tuple(sorted(v for v in values if v >= 0))


def _requirement_met(policy: Policy, hours: tuple[Decimal, ...]) -> bool:
    """R18 on ``hours`` (categories in no group first, then each group): the engines' test."""
    limits = policy.category_limits
    groups = hours[1:]
    counted = certification.counted_hours(hours[0], groups, limits)
    minimums = certification.minimums_met(groups, limits)
    return certification.renewal_met(
        counted, policy.ce_hours_required, dt.date(2000, 1, 1), minimums=minimums
    )


def _category_caps(domain: Domain) -> Found:
    """More qualifying hours, in any category, never turn a met requirement into an unmet one."""
    import itertools  # noqa: PLC0415  # only this sweep

    policy = domain.policy
    limits = policy.category_limits
    grid = _hour_grid(policy)
    dims = 1 + len(limits)
    vectors = itertools.islice(itertools.product(grid, repeat=dims), _MOST_HOUR_VECTORS)
    checked = found = 0
    smallest: tuple[tuple[Decimal, ...], tuple[Decimal, ...]] | None = None
    for hours in vectors:
        if not _requirement_met(policy, hours):
            continue
        for axis in range(dims):
            later = [v for v in grid if v > hours[axis]]
            for step in {Decimal(1), *(later[:1] and [later[0] - hours[axis]])}:
                more = tuple(h + step if k == axis else h for k, h in enumerate(hours))
                checked += 1
                if not _requirement_met(policy, more):
                    found += 1
                    if smallest is None or sum(more) < sum(smallest[1]):
                        smallest = (hours, more)
    if smallest is None:
        return checked, (), ()
    fewer, more = smallest
    names = _hour_names(policy)
    s = domain.low + 1
    activities = tuple(
        (
            ("type", "record_activity"),
            ("id", f"verify-{n}"),
            ("on", _date(s)),
            ("hours", str(h)),
            ("category", category),
        )
        for n, (h, category) in enumerate(zip(more, names, strict=True), start=1)
        if h and category
    )
    violation = Violation(
        rule_ids=("R18", "R19"),
        summary=(
            f"{_hours_text(fewer, policy)} meet the hours required, "
            f"{_hours_text(more, policy)} do not"
        ),
        case=(
            ("met with", _hours_text(fewer, policy)),
            ("unmet with", _hours_text(more, policy)),
            *_figures(policy, "ce_hours_required", "category_limits"),
        ),
        cases=found,
        scenario=(
            Sketch(
                name=f"{_hours_text(more, policy)} renew, as fewer hours did",
                events=(
                    *_certified_events(policy, s),
                    *activities,
                    (
                        ("type", "pay_renewal_fee"),
                        ("on", _date(s)),
                        ("expect", (("decisions", ("R18 fee_paid", "R20 renewed")),)),
                    ),
                ),
            )
            if all(c or not h for h, c in zip(more, names, strict=True))
            else None
        ),
    )
    return checked, (violation,), ()


def _hour_names(policy: Policy) -> tuple[str, ...]:
    """A category of each hour dimension: one in no group (``""`` if none), then each group's."""
    grouped = {c for limit in policy.category_limits for c in limit.categories}
    free = next((str(c) for c in policy.qualifying_categories if c not in grouped), "")
    return (free, *(str(limit.categories[0]) for limit in policy.category_limits))


def _hours_text(hours: tuple[Decimal, ...], policy: Policy) -> str:
    names = (
        "no group",
        *(", ".join(str(c) for c in lim.categories) for lim in policy.category_limits),
    )
    return "; ".join(f"{h} h ({name})" for h, name in zip(hours, names, strict=True))


# -- dated prices -------------------------------------------------------------------------------


def _dated_prices(domain: Domain) -> Found:
    """Every registration day of the calendar is charged by exactly one version of the prices."""
    versions = _versions(domain.prices)
    days = domain.days()
    count = np.zeros(len(days), dtype=np.int64)
    for version in versions:
        held = np.ones(len(days), dtype=bool)
        if version.effective_from is not None:
            held &= days >= _number(version.effective_from)
        if version.until is not None:
            held &= days < _number(version.until)
        count += held
        # The journey's own answer on the version's first and last day agrees.
        inside = np.flatnonzero(held)
        for i in (inside[:1], inside[-1:]):
            if len(i) and _in_force(domain.prices, days[i[0]]) is not version:
                count[i[0]] += len(versions)  # reported below as more than one answer
    bad = count != 1
    at = _first_index(bad)
    if at is None:
        return len(days), (), ()
    day = days[at]
    summary = (
        f"no version of the prices charges a registration on {_date(day)}"
        if count[at] == 0
        else f"more than one version of the prices charges a registration on {_date(day)}"
    )
    violation = Violation(
        rule_ids=("R22",),
        summary=summary,
        case=(
            ("registered", str(_date(day))),
            ("prices", ", ".join(v.label for v in versions)),
        ),
        cases=int(bad.sum()),
        scenario=Sketch(
            name=f"A registration on {_date(day)} is charged by one version of the prices",
            events=(
                (
                    *_register(domain.policy, day, day + 1, day + 1),
                    ("expect", (("error", "none"),)),
                ),
            ),
        ),
    )
    return len(days), (violation,), ()


def _in_force(prices: PriceSchedule, day: Any) -> PriceSchedule | None:  # noqa: ANN401
    try:
        return prices.in_force_on(_date(day))
    except CptmRulesError:
        return None


# -- every state reachable ----------------------------------------------------------------------


def _states(domain: Domain) -> Found:
    """Every state of the journey the policy's figures allow is reached on some date."""
    policy = domain.policy
    attempts: _AttemptSweep = domain.cached("attempts", _attempt_sweep)
    cancels: _CancelSweep = domain.cached("cancellations", _cancel_sweep)
    _start, end, lapse = _period_ends(domain)
    registered = cancels.checked > 0
    attended = attempts.checked > 0
    certified = attempts.checked > sum(attempts.refusals.fired)
    # Derived states are reached by time alone (status_on any later day).
    reached = {
        State.NEW: True,
        State.REGISTERED: registered,
        State.IN_PREWORK: registered,
        State.FORFEITED: attended,
        State.CANCELLED: cancels.refunded + cancels.credited > 0,
        State.CREDIT_EXPIRED: cancels.credited > 0,
        State.ATTENDED: attended,
        State.EXAM_EXPIRED: attended,
        State.CERTIFIED: certified,
        State.LAPSED: certified,
        State.IN_GRACE: certified and bool((lapse > end).any()),
    }
    # A grace period of 0 days (the FAQ's reading) turns in_grace off: not a finding.
    turned_on = {
        state: state is not State.IN_GRACE or policy.renewal_grace_days > 0 for state in State
    }
    violations = []
    for state in State:
        if not turned_on[state] or reached[state]:
            continue
        sketch = None
        if state is State.IN_GRACE:
            s, e = domain.low + 1, int(end[0])
            sketch = Sketch(
                name=f"Unrenewed, a period ending {_date(e)} is in grace on that day",
                events=_certified_events(policy, s),
                checks=((("state_on", _date(e)), ("state", "in_grace")),),
            )
        violations.append(
            Violation(
                rule_ids=_STATE_RULES.get(state, ()),
                summary=f"no journey reaches the state {state} on any date",
                case=(("state", str(state)), *_state_figures(policy, state)),
                cases=0,
                warning=True,
                scenario=sketch,
            )
        )
    return len(State), tuple(violations), ()


_STATE_RULES: Final[Mapping[State, tuple[str, ...]]] = {
    State.REGISTERED: ("R2",),
    State.IN_PREWORK: ("R4",),
    State.ATTENDED: ("R12",),
    State.EXAM_EXPIRED: ("R14",),
    State.CERTIFIED: ("R16",),
    State.CANCELLED: ("R24", "R25"),
    State.CREDIT_EXPIRED: ("R25",),
    State.FORFEITED: ("R26",),
    State.LAPSED: ("R20",),
    State.IN_GRACE: ("R20",),
}


def _state_figures(policy: Policy, state: State) -> tuple[tuple[str, str], ...]:
    if state is State.IN_GRACE:
        return policy.figures("renewal_grace_days")
    if state is State.CREDIT_EXPIRED:
        return policy.figures("refund_tiers", "tuition_credit_years")
    return ()


# -- the table ----------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Property:
    """One property every policy must keep: its group, name, rules and check over all dates.

    ``find`` takes the :class:`Domain` and returns how many cases it asked, the
    violations it found (the smallest case first) and notes for the report.
    """

    group: str
    name: str
    rule_ids: tuple[str, ...]
    find: Callable[[Domain], Found]
    shares: str = ""
    """The property whose sweep ``find`` reads again, if any (for the report's counts)."""


DEADLINES: Final = "deadlines before what they guard"
ONE_ANSWER: Final = "every question gets one answer"
LATER: Final = "later never pays less"
MONEY: Final = "money stays sane"
ALIVE: Final = "nothing is dead"

PROPERTIES: Final[tuple[Property, ...]] = (
    Property(
        group=DEADLINES,
        name="free-change deadline before the first day",
        rule_ids=("R9", "R10"),
        find=_free_change_deadline,
    ),
    Property(
        group=DEADLINES,
        name="prework start not after the first day",
        rule_ids=("R6",),
        find=_prework_start,
    ),
    Property(
        group=DEADLINES, name="access due after registering", rule_ids=("R4",), find=_access_due
    ),
    Property(
        group=DEADLINES,
        name="exam window opens no later than it closes",
        rule_ids=("R13", "R14"),
        find=_exam_window,
    ),
    Property(
        group=DEADLINES,
        name="certification period ends after it starts",
        rule_ids=("R17",),
        find=_certification_period,
    ),
    Property(
        group=DEADLINES,
        name="tuition credit expires after the cancellation",
        rule_ids=("R25",),
        find=_credit_expiry,
    ),
    Property(
        group=DEADLINES,
        name="grace period ends after its period",
        rule_ids=("R20",),
        find=_grace_period,
    ),
    Property(
        group=DEADLINES,
        name="grace period ends before the next period would end",
        rule_ids=("R17", "R20"),
        find=_grace_before_next_end,
    ),
    Property(
        group=ONE_ANSWER,
        name="change requests",
        rule_ids=("R11", "R11a", "R9", "R10"),
        find=_change_answers,
    ),
    Property(
        group=ONE_ANSWER,
        name="cancellations",
        rule_ids=("R26", "R24", "R25"),
        find=_cancel_answers,
    ),
    Property(
        group=ONE_ANSWER,
        name="exam attempts",
        rule_ids=("R13", "R14", "R15", "R8"),
        find=_attempt_answers,
    ),
    Property(
        group=ONE_ANSWER,
        name="renewal checks",
        rule_ids=("R18", "R20"),
        find=_renewal_answers,
    ),
    Property(
        group=ONE_ANSWER,
        name="registrations priced by one schedule",
        rule_ids=("R22",),
        find=_dated_prices,
    ),
    Property(
        group=LATER,
        name="change fee never falls as the request gets later",
        rule_ids=("R11a", "R9", "R10"),
        find=_change_fee_monotone,
        shares="change requests",
    ),
    Property(
        group=LATER,
        name="refund never grows as the cancellation gets later",
        rule_ids=("R24",),
        find=_refund_monotone,
        shares="cancellations",
    ),
    Property(
        group=LATER,
        name="more qualifying hours never turn a met requirement unmet",
        rule_ids=("R18", "R19"),
        find=_category_caps,
    ),
    Property(
        group=MONEY,
        name="fees and refunds known or named, never negative, refunds at most the price",
        rule_ids=("R10", "R11a", "R20", "R24"),
        find=_money,
    ),
    Property(
        group=ALIVE,
        name="every rule the policy turns on can fire",
        rule_ids=("R9", "R10", "R11", "R11a", "R13", "R14", "R15", "R8", "R24", "R25", "R26"),
        find=_dead_rules,
        shares="change requests, cancellations and exam attempts",
    ),
    Property(
        group=ALIVE,
        name="every journey state the policy allows is reachable",
        rule_ids=("R2", "R4", "R12", "R14", "R16", "R20", "R24", "R25", "R26"),
        find=_states,
    ),
)
"""The properties :func:`verify_policy` checks, in the order the report shows them.

A property for a new policy shape is one more entry: a group, a name, its rules
and a function over the :class:`Domain`.
"""


# -- running ------------------------------------------------------------------------------------


def verify_policy(
    policy: Policy, *, prices: PriceSchedule | None = None, strict: bool = False
) -> VerifyReport:
    """Check every property of :data:`PROPERTIES` over every date of ``policy``'s calendar.

    ``prices`` is the schedule the money properties read (default: the shipped
    one). ``strict`` fails a rule that can never fire instead of warning.
    Raises :class:`~cptm_rules.exceptions.InvalidInputError` for an argument
    of the wrong type.
    """
    if not isinstance(policy, Policy):
        raise InvalidInputError("policy", policy, "a Policy (cptm_rules.load_policy)")
    if prices is not None and not isinstance(prices, PriceSchedule):
        raise InvalidInputError(
            "prices", prices, "a PriceSchedule (cptm_rules.load_prices) or None"
        )
    if not isinstance(strict, bool):
        raise InvalidInputError("strict", strict, "True or False")
    schedule = load_prices() if prices is None else prices
    domain = Domain.of(policy, schedule)
    started = time.perf_counter()
    results = []
    for prop in PROPERTIES:
        begun = time.perf_counter()
        checked, found, notes = prop.find(domain)
        # One name and one rule-id set per property: a violation is joined to its
        # property by name (the JSON's violations to its properties), its rules among its.
        violations = tuple(attrs.evolve(v, property=prop.name) for v in found)
        assert all(set(v.rule_ids) <= set(prop.rule_ids) for v in violations), prop.name  # noqa: S101
        results.append(
            PropertyResult(
                group=prop.group,
                name=prop.name,
                rule_ids=prop.rule_ids,
                checked=checked,
                seconds=time.perf_counter() - begun,
                violations=violations,
                notes=notes,
                shares=prop.shares,
            )
        )
    return VerifyReport(
        policy=policy,
        prices=schedule,
        strict=strict,
        results=tuple(results),
        seconds=time.perf_counter() - started,
    )


# -- counterexample files -----------------------------------------------------------------------


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, tuple) and value and all(isinstance(v, tuple) for v in value):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value) + " }"
    assert isinstance(value, tuple)  # noqa: S101  # the sketches hold these types only
    return "[" + ", ".join(_toml(v) for v in value) + "]"


_MARK: Final = "# Written by cptm-rules verify"
"""How every file :func:`write_counterexamples` writes begins: a later run replaces
those (and only those) in the folder."""
_EARLIER_MARK: Final = "# Written by cptm-rules verify: it fails until the policy is fixed."
"""The third line of the counterexamples written before the mark came first."""
_BOM: Final = b"\xef\xbb\xbf"


def _sketch_toml(sketch: Sketch, policy_ref: str, prices_ref: str, violation: Violation) -> str:
    lines = [
        f"{_MARK}: a counterexample; it fails until the policy is fixed.",
        f"# {violation.property} ({', '.join(violation.rule_ids)}).",
        f"# {violation.summary}.",
        "",
        "[[scenario]]",
        f"name = {_toml(sketch.name)}",
        f"policy = {_toml(policy_ref)}",
        f"prices = {_toml(prices_ref)}",
    ]
    for event in sketch.events:
        lines += ["", "  [[scenario.events]]"]
        lines += [f"  {key} = {_toml(value)}" for key, value in event]
    for check in sketch.checks:
        lines += ["", "  [[scenario.check]]"]
        lines += [f"  {key} = {_toml(value)}" for key, value in check]
    return "\n".join(lines) + "\n"


def _probe_toml(figures: tuple[tuple[str, str], ...]) -> str:
    lines = [
        f"{_MARK}: probe prices for the counterexample of the same number, which",
        "# compares refunds as shares of a known program price (the schedule verified",
        "# leaves an amount it compares unknown). Not the program's prices.",
        'extends = "shipped"',
        *(f"{key} = {_toml(value)}" for key, value in figures),
    ]
    return "\n".join(lines) + "\n"


def _copy_bytes(source: Path) -> bytes:
    """A policy or price file as copied beside the counterexamples: marked as verify's."""
    data = source.read_bytes()
    data = data.removeprefix(_BOM)  # the mark comes first; a BOM there would break TOML
    return (
        f"{_MARK}: a copy of the file verified, for the counterexamples to name.\n".encode() + data
    )


def _written_by_verify(path: Path) -> bool:
    """Whether ``path`` is a regular file a run of verify wrote (its first lines say so)."""
    try:
        if path.is_symlink() or not path.is_file():
            return False
        with path.open("rb") as stream:
            head = stream.read(1024).decode("utf-8", "replace").splitlines()[:3]
    except OSError:
        return False
    if head and head[0].startswith(_MARK):
        return True
    # Written before the mark came first: "# Counterexample: ...", the summary, the note.
    return len(head) == 3 and head[0].startswith("# Counterexample: ") and head[2] == _EARLIER_MARK


def _earlier_files(folder: Path) -> tuple[Path, ...]:
    """The files in ``folder`` (not below it) an earlier run of verify wrote."""
    try:
        if not folder.is_dir():
            return ()
        entries = sorted(folder.iterdir())
    except OSError:
        return ()
    return tuple(p for p in entries if _written_by_verify(p))


def _folder_problem(folder: Path, exc: OSError) -> OutputFileError:
    if folder.exists() and not folder.is_dir():
        return OutputFileError(
            path=str(folder), problem="it is a file, not a folder; name a folder"
        )
    return OutputFileError(path=str(folder), problem=exc.strerror or type(exc).__name__)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def _file_reference(origin: str, folder: Path, copy_name: str) -> tuple[str, Path | None]:
    """How a scenario in ``folder`` names the file ``origin``: its path inside, or a copy."""
    source = Path(origin).resolve()
    root = folder.resolve()
    if source.is_relative_to(root):
        return source.relative_to(root).as_posix(), None
    return copy_name, source


def _references(report: VerifyReport, folder: Path) -> tuple[str, str, list[tuple[Path, Path]]]:
    policy, prices = report.policy, report.prices
    copies: list[tuple[Path, Path]] = []
    if policy.name in SHIPPED_POLICIES and policy == load_policy(policy.name):
        policy_ref = policy.name
    elif Path(policy.origin).suffix == ".toml" and Path(policy.origin).is_file():
        policy_ref, source = _file_reference(policy.origin, folder, "policy.toml")
        if source is not None:
            copies.append((source, folder / policy_ref))
    else:
        raise InvalidInputError(
            "policy",
            policy.origin,
            "a shipped policy or one read from a .toml file, for the scenarios to name",
        )
    if prices == load_prices():
        prices_ref = "shipped"
    elif Path(prices.origin).is_file():
        prices_ref, source = _file_reference(prices.origin, folder, "prices.toml")
        if source is not None:
            copies.append((source, folder / prices_ref))
    else:
        raise InvalidInputError(
            "prices", prices.origin, "the shipped schedule or one read from a file"
        )
    return policy_ref, prices_ref, copies


def write_counterexamples(report: VerifyReport, folder: str | Path) -> tuple[Path, ...]:
    """Write a scenario file per violation (and warning) of ``report`` into ``folder``.

    Each file replays the smallest case found and expects the answer the property
    requires, so ``cptm-rules check`` fails on it until the policy is fixed. The
    scenarios name the policy and prices by their path inside ``folder``; files
    read from elsewhere are copied in beside them, and a refund compared under
    prices that leave it unknown names a probe schedule written beside its scenario.
    A finding no scenario can replay gets no file (:attr:`Violation.no_scenario`
    says why). Every file written begins with a comment naming cptm-rules verify:
    the files an earlier run wrote into ``folder`` are replaced or removed, and no
    other file is touched (one in the way of a new file is an error). Every file
    is written atomically and stays inside ``folder`` (created if missing when
    there is something to write). Returns the paths written, the copies first.
    Raises :class:`~cptm_rules.exceptions.OutputFileError` naming ``folder`` (or
    the file in the way) when it cannot be written.
    """
    folder = Path(folder)
    findings = [v for v in (*report.violations, *report.warnings) if v.scenario is not None]
    earlier = _earlier_files(folder)
    # The files the policy and prices are read from stay, even when verify once wrote them.
    sources = _sources(report)
    if not findings:
        _remove(earlier, keep=sources)
        return ()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _folder_problem(folder, exc) from None
    if not folder.is_dir():
        raise _folder_problem(folder, NotADirectoryError())
    policy_ref, prices_ref, copies = _references(report, folder)
    planned: list[tuple[Path, bytes, bytes | None]] = [
        (target, _copy_bytes(source), source.read_bytes()) for source, target in copies
    ]
    for number, violation in enumerate(findings, start=1):
        assert violation.scenario is not None  # noqa: S101  # filtered above
        stem = f"{number:02d}-{_slug(violation.property)}"
        prices_name = prices_ref
        if violation.scenario.prices:
            prices_name = f"{stem}.prices.toml"
            probe = _probe_toml(violation.scenario.prices)
            planned.append((folder / prices_name, probe.encode("utf-8"), None))
        text = _sketch_toml(violation.scenario, policy_ref, prices_name, violation)
        planned.append((folder / f"{stem}.scenarios.toml", text.encode("utf-8"), None))
    for target, _data, source in planned:
        confined(folder, target.name)  # names made here, checked all the same
        in_the_way = target.exists() and target not in earlier
        # A copy written before copies were marked is the source's bytes as they were.
        if in_the_way and not (source is not None and _same_bytes(target, source)):
            raise OutputFileError(
                path=str(target),
                problem="cptm-rules verify did not write this file and leaves it as it is; "
                "move it or name another folder",
            )
    for target, data, _source in planned:
        with atomic_file(target) as stream:
            stream.write(data)
    _remove(earlier, keep=(*(t for t, _d, _s in planned), *sources))
    return tuple(target for target, _data, _source in planned)


def _sources(report: VerifyReport) -> tuple[Path, ...]:
    """The files ``report``'s policy and prices (every version) were read from."""
    origins = (report.policy.origin, *(v.origin for v in _versions(report.prices)))
    return tuple(Path(o) for o in origins if Path(o).is_file())


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except OSError:
        return False


def _remove(paths: tuple[Path, ...], *, keep: tuple[Path, ...]) -> None:
    """Remove the files of an earlier run that this run did not write again."""
    kept = {p.resolve() for p in keep}
    for path in paths:
        if path.resolve() in kept:
            continue
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise OutputFileError(
                path=str(path),
                problem=f"an earlier counterexample cannot be removed: "
                f"{exc.strerror or type(exc).__name__}",
            ) from None
