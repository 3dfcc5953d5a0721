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
``docs/policy.md`` ("Verifying a policy before it ships") lists the properties,
those that wait for a policy shape still to come, and the counts and times.

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
from cptm_rules.exceptions import CptmRulesError, InvalidInputError
from cptm_rules.files import atomic_file, confined
from cptm_rules.formulas import answer_codes
from cptm_rules.lifecycle import Journey
from cptm_rules.money import Money, UnknownAmount, amount_text
from cptm_rules.policy import SHIPPED_POLICIES, Policy, load_policy
from cptm_rules.pricing import PriceSchedule, load_prices
from cptm_rules.rules import cancellation, certification, exam, practicum_changes, prework
from cptm_rules.rules import registration as registration_rules

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


@attrs.frozen(kw_only=True)
class Violation:
    """A case where a property fails: the smallest found, how many, and a scenario to replay.

    ``case`` holds what the case compares, as ``(what, value)`` texts: its dates,
    sessions and figures. ``warning`` marks a finding reported but not failed
    (a rule that can never fire) unless the verification is strict.
    """

    property: str
    rule_ids: tuple[str, ...]
    summary: str
    case: tuple[tuple[str, str], ...]
    cases: int
    warning: bool = False
    scenario: Sketch | None = attrs.field(default=None, repr=False)


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
    }


def _state(result: PropertyResult, *, strict: bool) -> str:
    found = sum(v.cases for v in result.violations)
    dead = ", ".join(r for v in result.violations if not v.cases for r in v.rule_ids)
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
        property="free-change deadline before the first day",
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
        property="prework start not after the first day",
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
        property="access due after registering",
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
        property="exam window opens no later than it closes",
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
        property="certification period ends after it starts",
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
        property="tuition credit expires after the cancellation",
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
    example: tuple[int | None, ...] = ()
    """per row: the index (in the sweep's layout) of a case it answered, if any."""


class _TallyBuilder:
    """Counts, block by block, which rows of a table answer and which conditions overlap."""

    def __init__(self, name: str, table: Precedence[Any, Any]) -> None:
        self.name, self.table = name, table
        n = len(table)
        self.fired = [0] * n
        self.off = [True] * n
        self.pairs: dict[tuple[int, int], int] = {}
        self.example: list[Any] = [None] * n

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
            answered = asked & (rows == i)
            self.fired[i] += int(answered.sum())
            if self.example[i] is None:
                found = _first_index(answered)
                if found is not None:
                    self.example[i] = where(found)
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
                property="every change request gets one answer",
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
            )
        )
    if sweep.bad_verdict is not None:
        rule_id, c = sweep.bad_verdict
        violations.append(
            Violation(
                property="every change request gets one answer",
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
        property="later never pays less (change fee)",
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
    refunded: int
    refund_example: _CancelCase | None
    credited: int
    credit_example: _CancelCase | None
    rises: int
    rise: tuple[_CancelCase, _CancelCase] | None


def _cancel_sweep(domain: Domain) -> _CancelSweep:
    policy = domain.policy
    table = cancellation.CANCEL_REFUSALS
    registered_days = domain.days(domain.low, domain.high - 1)
    window = policy.early_cancellation.amount
    steps = np.arange(window + 3, dtype=np.int64)
    refusals = _TallyBuilder("may this cancellation be made?", table)
    checked = refunded = credited = rises = 0
    refund_example: _CancelCase | None = None
    credit_example: _CancelCase | None = None
    rise: tuple[_CancelCase, _CancelCase] | None = None
    per_day = len(steps) * 2 * 3
    for block in _blocks(len(registered_days), per_day):
        registered = registered_days[block][:, None, None, None]
        on = registered + steps[None, :, None, None]
        # The held session starting the day after registering, or after the window.
        first = registered + np.array([1, window + 3], dtype=np.int64)[None, None, :, None]
        half = (window + 1) // 2
        opened = np.concatenate(
            [np.full_like(registered, _NEVER), registered, registered + half], axis=-1
        )
        shape = np.broadcast_shapes(on.shape, first.shape, opened.shape)
        reg_b, on_b, first_b, opened_b = (
            np.broadcast_to(x, shape) for x in (registered, on, first, opened)
        )
        asked = (on_b <= domain.high) & (first_b <= domain.high)
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
        rows, _ = refusals.add(case, asked_flat, where)
        accepted = asked_flat & (rows < 0)
        refund = accepted & np.broadcast_to(
            np.asarray(cancellation.refund_due(ARRAY, case), dtype=bool), len(accepted)
        )
        credit = accepted & ~refund
        checked += int(asked_flat.sum())
        refunded += int(refund.sum())
        credited += int(credit.sum())
        if refund_example is None and refund.any():
            refund_example = where(int(np.flatnonzero(refund)[0]))
        if credit_example is None and credit.any():
            credit_example = where(int(np.flatnonzero(credit)[0]))
        # A refund never grows as the cancellation gets later: along the cancellation
        # days of one registration, session and opening, none refunds after one that did not.
        level = np.where(accepted, refund.astype(float), np.nan).reshape(shape)
        seen = np.where(np.isnan(level), np.inf, level)
        lowest = np.minimum.accumulate(seen, axis=1)
        before = np.concatenate([np.full_like(lowest[:, :1], np.inf), lowest[:, :-1]], axis=1)
        grew = ~np.isnan(level) & (level > before)
        rises += int(grew.sum())
        if rise is None and grew.any():
            b, j, f, o = (int(x[0]) for x in np.nonzero(grew))
            earlier = int(np.flatnonzero(seen[b, :j, f, o] == before[b, j, f, o])[0])
            rise = (
                where(int(np.ravel_multi_index((b, earlier, f, o), shape))),
                where(int(np.ravel_multi_index((b, j, f, o), shape))),
            )
    return _CancelSweep(
        checked=checked,
        refusals=refusals.tally(),
        refunded=refunded,
        refund_example=refund_example,
        credited=credited,
        credit_example=credit_example,
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


def _cancel_answers(domain: Domain) -> Found:
    sweep: _CancelSweep = domain.cached("cancellations", _cancel_sweep)
    # Refused (R26), refunded or credited (R24, R25): refund_due answers every case.
    return sweep.checked, (), _overlap_notes(sweep.refusals)


def _refund_monotone(domain: Domain) -> Found:
    sweep: _CancelSweep = domain.cached("cancellations", _cancel_sweep)
    if sweep.rise is None:
        return sweep.checked, (), ()
    policy = domain.policy
    early, late = sweep.rise
    events = (
        *_cancel_events(policy, late),
        (
            ("type", "cancel"),
            ("on", _date(late.on)),
            ("expect", (("decisions", ("R24 not_covered", "R25 credit")),)),
        ),
    )
    violation = Violation(
        property="later never gets more back (refund)",
        rule_ids=("R24", "R25"),
        summary=(
            f"a cancellation on {_date(late.on)} is refunded, the same one on "
            f"{_date(early.on)} is not"
        ),
        case=(
            ("earlier cancellation", str(_date(early.on))),
            *_cancel_case_text(late),
            *_figures(policy, "early_cancellation_days"),
        ),
        cases=sweep.rises,
        scenario=Sketch(
            name=f"A cancellation on {_date(late.on)} gets no more back than on {_date(early.on)}",
            events=events,
        ),
    )
    return sweep.checked, (violation,), ()


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


def _money(domain: Domain) -> Found:
    """Fees, refunds and the prices the tables name: known or named unknown, never negative."""
    policy, prices = domain.policy, domain.prices
    violations: list[Violation] = []
    checked = 0
    # Every price a table names must be one the schedule gives (known, or unknown by name).
    for rule_id, case in (*practicum_changes.CHANGE_FEE_PRECEDENCE,):
        for verdict, name in zip(case.verdicts, case.fees or (), strict=False):
            if name is None:
                continue
            checked += 1
            amount = getattr(prices, name, None)
            if not isinstance(amount, Money | UnknownAmount):
                violations.append(
                    Violation(
                        property="every amount known or named unknown",
                        rule_ids=(rule_id,),
                        summary=f"{rule_id} {verdict} charges {name}, which no price gives",
                        case=(("price", name),),
                        cases=1,
                    )
                )
            elif isinstance(amount, Money) and amount.amount < 0:
                violations.append(_negative(rule_id, verdict, name, amount))
    # The refund of an early cancellation, replayed once: it is the same on every date.
    sweep: _CancelSweep = domain.cached("cancellations", _cancel_sweep)
    example = sweep.refund_example
    if example is not None:
        checked += 1
        at = _registered_at(policy, example.registered)
        session = Session(first_day=_date(example.first), last_day=_date(example.first))
        events: tuple[Event, ...] = (
            Register(
                registration=Registration(
                    email="verify@example.org", registered_at=at, session=session
                )
            ),
            GrantAccess(at=at),
        )
        if example.opened != _NEVER:
            events = (*events, OpenElearning(on=_date(example.opened)))
        given = _replayed(policy, prices, (*events, Cancel(on=_date(example.on))))
        found = _refund_problem(given, prices)
        if found is not None:
            summary, required = found
            violations.append(
                Violation(
                    property="refunds between nothing and the price paid",
                    rule_ids=("R24",),
                    summary=summary,
                    case=(
                        *_cancel_case_text(example),
                        ("program price", amount_text(prices.program_price)),
                        ("administrative fee", amount_text(prices.administrative_fee)),
                    ),
                    cases=sweep.refunded,
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


def _negative(rule_id: str, verdict: str, name: str, amount: Money) -> Violation:
    return Violation(
        property="no fee negative",
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
    fired["R24"] = cancels.refunded
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
                property="every rule the policy turns on can fire",
                rule_ids=(rule_id,),
                summary=f"{rule_id} answers no case on any date of the calendar",
                case=_dead_figures(policy, rule_id),
                cases=0,
                warning=True,
                scenario=_dead_sketch(domain, rule_id),
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
        group=MONEY,
        name="fees and refunds known or named, never negative, refunds at most the price",
        rule_ids=("R10", "R11a", "R24"),
        find=_money,
    ),
    Property(
        group=ALIVE,
        name="every rule the policy turns on can fire",
        rule_ids=("R9", "R10", "R11", "R11a", "R13", "R14", "R15", "R8", "R24", "R25", "R26"),
        find=_dead_rules,
        shares="change requests, cancellations and exam attempts",
    ),
)
"""The properties :func:`verify_policy` checks, in the order the report shows them.

A property for a policy shape still to come (refund tiers, grace periods,
category caps, dated prices) is one more entry: a group, a name, its rules and a
function over the :class:`Domain`.
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
        checked, violations, notes = prop.find(domain)
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


def _sketch_toml(sketch: Sketch, policy_ref: str, prices_ref: str, violation: Violation) -> str:
    lines = [
        f"# Counterexample: {violation.property} ({', '.join(violation.rule_ids)}).",
        f"# {violation.summary}.",
        "# Written by cptm-rules verify: it fails until the policy is fixed.",
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
    read from elsewhere are copied in beside them. Every file is written
    atomically and stays inside ``folder`` (created if missing). Returns the
    paths written, the copies first.
    """
    folder = Path(folder)
    findings = [v for v in (*report.violations, *report.warnings) if v.scenario is not None]
    if not findings:
        return ()
    folder.mkdir(parents=True, exist_ok=True)
    policy_ref, prices_ref, copies = _references(report, folder)
    written: list[Path] = []
    for source, target in copies:
        with atomic_file(target) as stream:
            stream.write(source.read_bytes())
        written.append(target)
    for number, violation in enumerate(findings, start=1):
        assert violation.scenario is not None  # noqa: S101  # filtered above
        name = f"{number:02d}-{_slug(violation.property)}.scenarios.toml"
        confined(folder, name)  # a name made here, checked all the same
        target = folder / name
        text = _sketch_toml(violation.scenario, policy_ref, prices_ref, violation)
        with atomic_file(target) as stream:
            stream.write(text.encode("utf-8"))
        written.append(target)
    return tuple(written)
