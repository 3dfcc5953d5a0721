"""The batch path: a whole cohort's key dates, change verdicts and fees as columns.

:func:`batch_answers` takes a cohort table (:data:`~cptm_rules.cohort_formats.COHORT_SCHEMA`,
an Arrow table or a pandas DataFrame) and answers every candidate at once with
numpy over the policy's business-day table. It gives the same answers as
replaying each candidate's :class:`~cptm_rules.lifecycle.Journey`
(:func:`journey_answers`), which the tests check on generated cohorts and the
benchmark on 100,000 synthetic candidates, at a small fraction of the cost.

One definition per rule. Nothing here restates a policy figure or a calendar:
the figures come from the :class:`~cptm_rules.policy.Policy` the journey reads,
the business days from the same precomputed table
(:meth:`~cptm_rules.calendar.BusinessCalendar.table`), and the order in which
the change rules are asked is :data:`~cptm_rules.rules.practicum_changes.CHANGE_FEE_PRECEDENCE`
itself (checked on import). What the vectorised rules do not cover, a row
whose registration is refused, a date outside the policy's calendar years, a
policy that cannot answer for the registration date, is answered by replaying
that row's journey: the ``replayed`` column says which rows were, and the
journey raises the same errors the scalar path would.

Needs the ``notebook`` or ``columnar`` extra (numpy, pandas, pyarrow).
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cptm_rules.cohort import replay as replay_candidate
from cptm_rules.cohort.formats import candidates_from_table, checked_table
from cptm_rules.exceptions import TransitionError
from cptm_rules.money import Money
from cptm_rules.policy import Policy, load_policy
from cptm_rules.rule_coverage import is_state_refusal
from cptm_rules.rules.practicum_changes import CHANGE_FEE_PRECEDENCE
from cptm_rules.vocabulary import AccessUnit, Attendance, DayCount, KeyDateKind

if TYPE_CHECKING:
    from collections.abc import Iterable
    from decimal import Decimal

    from numpy.typing import NDArray

    from cptm_rules.calendar import BusinessCalendar
    from cptm_rules.cohort import Candidate
    from cptm_rules.pricing import PriceSchedule

    Days = NDArray[np.int64]
    Mask = NDArray[np.bool_]

__all__ = ["ANSWER_COLUMNS", "answer_schema", "batch_answers", "journey_answers", "journey_table"]

ANSWER_COLUMNS: Final = (
    "id",
    "access_due",
    "access",
    "prework_recommended_start",
    "free_change_deadline",
    "exam_opens",
    "exam_closes",
    "change_verdicts",
    "change_rules",
    "change_fees",
    "certified_on",
    "period_end",
    "replayed",
)
"""The columns of an answer table, in order (``docs/cohorts.md`` says what each holds)."""

# The change verdicts and the rules that give them, as small codes while the batch runs.
_VERDICTS: Final = ("free", "fee", "refused")
_FREE, _FEE, _REFUSED = range(3)
_RULES: Final = ("R9", "R10", "R11a", "R11")
_R9, _R10, _R11A, _R11 = range(4)
_NO_RULE: Final = -1  # a refusal for date order names no rule

# The vectorised change rules, in the order lifecycle asks them (R11a, R9, R10).
_PRECEDENCE: Final = ("R11a", "R9", "R10")
if tuple(rule for rule, _answer in CHANGE_FEE_PRECEDENCE) != _PRECEDENCE:  # pragma: no cover
    msg = "batch: CHANGE_FEE_PRECEDENCE changed; update the vectorised precedence to match"
    raise ImportError(msg)

_EPOCH: Final = dt.date(1970, 1, 1).toordinal()  # date32 counts days from 1970-01-01
_US_PER_MINUTE: Final = 60_000_000
_US_PER_HOUR: Final = 3_600_000_000


def answer_schema(policy: Policy) -> pa.Schema:
    """The schema of an answer table under ``policy`` (instants shown in its time zone)."""
    return pa.schema(
        [
            pa.field("id", pa.string(), nullable=False),
            pa.field("access_due", pa.timestamp("us", tz=policy.time_zone)),
            pa.field("access", pa.string()),
            pa.field("prework_recommended_start", pa.date32()),
            pa.field("free_change_deadline", pa.date32()),
            pa.field("exam_opens", pa.date32()),
            pa.field("exam_closes", pa.date32()),
            pa.field("change_verdicts", pa.list_(pa.string()), nullable=False),
            pa.field("change_rules", pa.list_(pa.string()), nullable=False),
            pa.field("change_fees", pa.list_(pa.decimal128(18, 4)), nullable=False),
            pa.field("certified_on", pa.date32()),
            pa.field("period_end", pa.date32()),
            pa.field("replayed", pa.bool_(), nullable=False),
        ]
    )


# -- the reference: one journey per candidate ----------------------------------------------


def journey_answers(candidate: Candidate, policy: Policy, prices: PriceSchedule) -> dict[str, Any]:
    """One candidate's answer row, from replaying its journey (the scalar reference)."""
    journey, results, _ = replay_candidate(candidate, policy, prices)
    access: str | None = None
    verdicts: list[str] = []
    rules: list[str | None] = []
    fees: list[Decimal | None] = []
    for name, event, result in results:
        is_change = name.startswith("change ")
        if isinstance(result, TransitionError):
            if is_change:
                verdicts.append("refused")
                # A refusal names its rule; one for the journey's state names none.
                rules.append(None if is_state_refusal(result, event) else result.rule_id)
                fees.append(None)
            elif name == "access":
                access = "refused"
            continue
        if is_change:
            decision = result.decisions[0]
            verdicts.append(decision.verdict)
            rules.append(decision.rule_id)
            fees.append(decision.fee.amount if isinstance(decision.fee, Money) else None)
        elif name == "access":
            access = result.decisions[0].verdict
    when = {k.kind: k.when for k in journey.key_dates()}
    return {
        "id": candidate.id,
        "access_due": when.get(KeyDateKind.ACCESS_DUE),
        "access": access,
        "prework_recommended_start": when.get(KeyDateKind.PREWORK_START),
        "free_change_deadline": when.get(KeyDateKind.FREE_CHANGE_DEADLINE),
        "exam_opens": when.get(KeyDateKind.EXAM_OPENS),
        "exam_closes": when.get(KeyDateKind.EXAM_CLOSES),
        "change_verdicts": verdicts,
        "change_rules": rules,
        "change_fees": fees,
        "certified_on": journey.certification_date,
        "period_end": journey.periods[0].end if journey.periods else None,
        "replayed": True,
    }


def journey_table(
    candidates: Iterable[Candidate], *, policy: Policy, prices: PriceSchedule
) -> pa.Table:
    """The answer table of ``candidates``, each answered by replaying its journey."""
    rows = [journey_answers(c, policy, prices) for c in candidates]
    return pa.Table.from_pylist(rows, schema=answer_schema(policy))


# -- the batch path --------------------------------------------------------------------------


def batch_answers(
    cohort: pa.Table | pd.DataFrame, *, policy: Policy, prices: PriceSchedule
) -> pa.Table:
    """Every candidate's key dates, access verdict, change verdicts and fees, as columns.

    ``cohort`` is an Arrow table or a pandas DataFrame with the cohort's columns
    (:data:`~cptm_rules.cohort_formats.COHORT_SCHEMA`, checked first). The result
    has one row per candidate, in the cohort's order, with :data:`ANSWER_COLUMNS`
    (see :func:`answer_schema`); it equals :func:`journey_table` on the same
    candidates except for the ``replayed`` column.
    """
    table = checked_table(cohort)
    n = table.num_rows
    cols = _Columns.of(table)
    out = _Out(n, len(cols.change_on))
    replay = _beyond_the_vectors(table, cols, policy)
    for version, rows in _versions_in_force(policy, cols, replay):
        _answer(version, cols, rows, out, replay)
    result = _table(out, cols, policy=policy, prices=prices, ids=table.column("id"))
    if replay.any():
        result = _with_replayed(result, table, replay, policy, prices)
    return result


_JOURNEY_ONLY: Final = ("cancelled_on", "re_enrolment")
"""Columns whose events move the columns answered here: a row that sets one is replayed.

The other events a row may carry (the eLearning opened, modules and their
assessments, a substitution, continuing education, renewal payments) change none
of the batch's answers, except modules under a policy that requires them for
the exam (R8): such rows are replayed too.
"""


def _beyond_the_vectors(table: pa.Table, cols: _Columns, policy: Policy) -> Mask:
    """The rows left to their journeys before any rule is asked.

    A row whose events change what the vectors answer (a cancellation, a
    re-enrolment, modules when the policy requires them for the exam), or whose
    changes or attempts are not written in date order (the journey applies them
    in date order and numbers them so).
    """
    replay = np.zeros(table.num_rows, dtype=bool)
    names = list(_JOURNEY_ONLY)
    version: Policy | None = policy
    while version is not None:
        if version.modules_required_for_exam:
            names.append("modules")
            break
        version = load_policy(version.extends) if version.extends is not None else None
    for name in names:
        if name not in table.column_names:
            continue
        column = table.column(name)
        if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
            used = pc.fill_null(pc.greater(pc.list_value_length(column), 0), fill_value=False)
        else:
            used = pc.is_valid(column)
        replay |= np.asarray(used.to_numpy(zero_copy_only=False), dtype=bool)
    for offsets, keys in (
        (cols.change_offsets, (cols.change_on, cols.change_first, cols.change_last)),
        (cols.attempt_offsets, (cols.attempt_on, cols.attempt_passed.astype(np.int64))),
    ):
        if len(keys[0]) < 2:  # order needs two items
            continue
        earlier = np.zeros(len(keys[0]) - 1, dtype=bool)
        tied = np.ones(len(keys[0]) - 1, dtype=bool)
        for key in keys:
            earlier |= tied & (key[1:] < key[:-1])
            tied &= key[1:] == key[:-1]
        # Only pairs inside one row: the second item must not start a row.
        index = np.flatnonzero(earlier) + 1
        row = np.searchsorted(offsets, index, side="right") - 1
        inside = offsets[row] != index
        replay[row[inside]] = True
    return replay


class _Columns(NamedTuple):
    """The cohort's columns as numpy arrays: days since 1970-01-01, instants in UTC µs."""

    registered_us: Days
    first: Days
    last: Days
    minutes: Days
    attendance: NDArray[np.int8]
    change_offsets: Days
    change_on: Days
    change_first: Days
    change_last: Days
    attempt_offsets: Days
    attempt_on: Days
    attempt_passed: Mask

    @classmethod
    def of(cls, table: pa.Table) -> _Columns:
        practicum = table.column("practicum").combine_chunks()
        changes = table.column("changes").combine_chunks()
        attempts = table.column("attempts").combine_chunks()
        flat_changes, flat_attempts = changes.flatten(), attempts.flatten()
        to = flat_changes.field("to")
        words = [a.value for a in Attendance]
        attendance = pc.index_in(table.column("attendance"), value_set=pa.array(words))
        return cls(
            registered_us=_ints(table.column("registered_at").cast(pa.int64())),
            first=_days(practicum.field("first_day")),
            last=_days(practicum.field("last_day")),
            minutes=_ints(table.column("access_after_minutes")),
            attendance=_ints(attendance).astype(np.int8),
            change_offsets=_ints(changes.offsets),
            change_on=_days(flat_changes.field("on")),
            change_first=_days(to.field("first_day")),
            change_last=_days(to.field("last_day")),
            attempt_offsets=_ints(attempts.offsets),
            attempt_on=_days(flat_attempts.field("on")),
            attempt_passed=np.asarray(flat_attempts.field("passed").to_numpy(zero_copy_only=False)),
        )


def _ints(values: pa.Array | pa.ChunkedArray) -> Days:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.int64)


def _days(values: pa.Array) -> Days:
    return _ints(values.cast(pa.int32()))


class _Out:
    """The answers as they are filled in, one array per column (the changes' flat)."""

    def __init__(self, n: int, changes: int) -> None:
        self.access_due_us: Days = np.zeros(n, dtype=np.int64)
        self.access: NDArray[np.int8] = np.zeros(n, dtype=np.int8)  # 0 on time, 1 breach
        self.prework_start: Days = np.zeros(n, dtype=np.int64)
        self.deadline: Days = np.zeros(n, dtype=np.int64)
        self.exam_opens: Days = np.zeros(n, dtype=np.int64)
        self.exam_closes: Days = np.zeros(n, dtype=np.int64)
        self.certified_on: Days = np.full(n, _NOT_CERTIFIED, dtype=np.int64)
        self.period_end: Days = np.zeros(n, dtype=np.int64)
        self.change_verdict: NDArray[np.int8] = np.zeros(changes, dtype=np.int8)
        self.change_rule: NDArray[np.int8] = np.zeros(changes, dtype=np.int8)


_NOT_CERTIFIED: Final = -(1 << 40)


@functools.cache
def _calendar_arrays(calendar: BusinessCalendar) -> tuple[int, Days, Days]:
    # Built once per calendar (a pure memo of an immutable value).
    table = calendar.table()
    first = table.first_ordinal - _EPOCH
    before = np.asarray(table.before, dtype=np.int64)
    business = np.asarray(table.business_ordinals, dtype=np.int64) - _EPOCH
    return first, before, business


def _shift_business_days(policy: Policy, days: Days, k: int, replay: Mask, rows: Days) -> Days:
    """The k-th business day after (k > 0) or before (k < 0) each day, as ``add_business_days``."""
    if k == 0:
        return days.copy()
    first, before, business = _calendar_arrays(policy.calendar)
    index = np.clip(days - first, 0, len(before) - 2)
    position = before[index + 1] + k - 1 if k > 0 else before[index] + k
    outside = (position < 0) | (position >= len(business))
    replay[rows[outside]] = True  # the journey raises CalendarRangeError for these
    return business[np.clip(position, 0, len(business) - 1)]


def _add_months(days: Days, months: int) -> Days:
    """``add_months`` for many days: the day of month kept, clamped to the month's end."""
    d = days.astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    day_of_month = (d - month.astype("datetime64[D]")).astype(np.int64)
    target = month + months
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
        np.int64
    )
    result = target.astype("datetime64[D]") + np.minimum(day_of_month, length - 1)
    days_since_epoch: Days = result.astype(np.int64)
    return days_since_epoch


def _local_days(instants_us: Days, zone: str) -> Days:
    """The program-local date of each UTC instant (days since 1970-01-01)."""
    local = pd.DatetimeIndex(instants_us.astype("datetime64[us]"), tz="UTC").tz_convert(zone)
    wall = local.tz_localize(None).to_numpy().astype("datetime64[D]")
    return wall.astype(np.int64)


def _end_of_day_us(days: Days, zone: str) -> Days:
    """23:59:59 program time on each day, as a UTC instant in µs."""
    wall = pd.DatetimeIndex(days.astype("datetime64[D]").astype("datetime64[us]"))
    wall = wall + pd.Timedelta(hours=23, minutes=59, seconds=59)
    aware = wall.tz_localize(zone, ambiguous="raise", nonexistent="raise").tz_convert("UTC")
    return aware.tz_localize(None).to_numpy().astype("datetime64[us]").astype(np.int64)


def _versions_in_force(policy: Policy, cols: _Columns, replay: Mask) -> list[tuple[Policy, Days]]:
    """Which version judges each registration (``Policy.in_force_on``), as row groups."""
    rows = np.arange(len(cols.first), dtype=np.int64)
    groups = []
    version: Policy | None = policy
    while version is not None and len(rows):
        start = version.effective_from
        reg_day = _local_days(cols.registered_us[rows], version.time_zone)
        earlier = (
            np.zeros(len(rows), dtype=bool)
            if start is None
            else reg_day < start.toordinal() - _EPOCH
        )
        groups.append((version, rows[~earlier]))
        rows = rows[earlier]
        if len(rows) and version.extends is None:
            replay[rows] = True  # the journey raises PolicyError: nothing is in force
            break
        version = load_policy(version.extends) if version.extends is not None else None
    return groups


class _Group:
    """The rows one policy version answers, and where each candidate stands so far."""

    def __init__(self, policy: Policy, cols: _Columns, rows: Days, replay: Mask) -> None:
        self.policy, self.cols, self.rows, self.replay = policy, cols, rows, replay
        self.first, self.last = cols.first[rows].copy(), cols.last[rows].copy()
        self.registered = cols.registered_us[rows]
        self.reg_day = _local_days(self.registered, policy.time_zone)
        self.last_event = self.reg_day.copy()
        self.access_day = self.reg_day.copy()
        self._lowest = dt.date(policy.first_year, 1, 1).toordinal() - _EPOCH
        self._highest = dt.date(policy.last_year, 12, 31).toordinal() - _EPOCH

    def outside(self, days: Days) -> Mask:
        """Days outside the policy's calendar years (the journey raises for them)."""
        return (days < self._lowest) | (days > self._highest)

    def replay_where(self, mask: Mask, among: Days | None = None) -> None:
        """Leave the rows where ``mask`` holds to their journeys."""
        chosen = self.rows if among is None else self.rows[among]
        self.replay[chosen[mask]] = True

    def deadline(self, first: Days, among: Days | None = None) -> Days:
        """The free-change deadline of sessions starting on ``first`` (R9)."""
        policy = self.policy
        if policy.free_change_day_count is DayCount.CALENDAR:
            return first - policy.free_change_days
        rows = self.rows if among is None else self.rows[among]
        return _shift_business_days(policy, first, -policy.free_change_days, self.replay, rows)


def _answer(policy: Policy, cols: _Columns, rows: Days, out: _Out, replay: Mask) -> None:
    if not len(rows):
        return
    group = _Group(policy, cols, rows, replay)
    _registration_and_access(group, out)
    _changes(group, out)
    _key_dates(group, out)
    _exam(group, out)


def _registration_and_access(group: _Group, out: _Out) -> None:
    """R2: which registrations the vectors answer; R4: when access is due, and if it was late."""
    policy, rows = group.policy, group.rows
    first, last, reg_day = group.first, group.last, group.reg_day
    group.replay_where(
        group.outside(reg_day)
        | group.outside(first)
        | group.outside(last)
        | (first <= reg_day)
        | (last - first + 1 > policy.max_session_days)
    )
    if policy.access_due_unit is AccessUnit.HOURS:
        due = group.registered + policy.access_due_amount * _US_PER_HOUR
    else:
        due_day = _shift_business_days(
            policy, reg_day, policy.access_due_amount, group.replay, rows
        )
        due = _end_of_day_us(due_day, policy.time_zone)
    granted = group.registered + group.cols.minutes[rows] * _US_PER_MINUTE
    out.access_due_us[rows] = due
    out.access[rows] = granted > due
    access_day = _local_days(granted, policy.time_zone)
    group.replay_where(group.outside(access_day))
    # Events are applied in date order: a change dated before a late grant comes
    # first, and a grant after the practicum comes after the attendance. The
    # vectors answer the usual order (the grant before anything else); rows where
    # the grant comes later than another event are left to their journeys.
    group.access_day = access_day
    group.replay_where(access_day >= first)


def _changes(group: _Group, out: _Out) -> None:
    """R9, R10, R11, R11a: each change in turn, for every candidate who asked for it."""
    policy, cols, rows = group.policy, group.cols, group.rows
    offsets = cols.change_offsets
    counts = offsets[rows + 1] - offsets[rows]
    free_used = np.zeros(len(rows), dtype=np.int64)
    limit = policy.free_changes
    for k in range(int(counts.max(initial=0))):
        asking = np.flatnonzero(counts > k)
        at = offsets[rows[asking]] + k
        on, to_first, to_last = cols.change_on[at], cols.change_first[at], cols.change_last[at]
        group.replay_where(
            group.outside(on) | group.outside(to_first) | group.outside(to_last), asking
        )
        held_first, held_last = group.first[asking], group.last[asking]
        group.replay_where(
            ((on < group.access_day[asking]) & (on >= group.reg_day[asking]))
            | (on >= held_first),  # the journey has attended by then: refused in that state
            asking,
        )
        out_of_order = on < group.last_event[asking]
        r11 = (
            (on >= held_first)
            | ((to_first == held_first) & (to_last == held_last))
            | (to_last - to_first + 1 > policy.max_session_days)
            | (to_first <= on)
        )
        used_up = np.zeros(len(asking), dtype=bool) if limit is None else free_used[asking] >= limit
        timely = on <= group.deadline(held_first, asking)
        not_later = to_first <= held_first
        # CHANGE_FEE_PRECEDENCE, vectorised: R11a, else R9, else R10 (a fee only if later).
        rule = np.select([used_up, timely], [_R11A, _R9], default=_R10)
        verdict = np.select([used_up, timely | not_later], [_FEE, _FREE], default=_FEE)
        rule = np.where(r11, _R11, rule)
        rule = np.where(out_of_order, _NO_RULE, rule)
        verdict = np.where(out_of_order | r11, _REFUSED, verdict)
        out.change_verdict[at] = verdict
        out.change_rule[at] = rule
        accepted = verdict != _REFUSED
        moved = asking[accepted]
        group.first[moved], group.last[moved] = to_first[accepted], to_last[accepted]
        group.last_event[moved] = on[accepted]
        free_used[asking] += verdict == _FREE


def _key_dates(group: _Group, out: _Out) -> None:
    """R6, R9, R13, R14: the key dates of the session finally held."""
    policy, rows = group.policy, group.rows
    out.prework_start[rows] = np.maximum(
        group.reg_day, group.first - policy.prework_recommended_days
    )
    out.deadline[rows] = group.deadline(group.first)
    out.exam_opens[rows] = group.last
    out.exam_closes[rows] = _add_months(group.last, policy.exam_window_months)


def _exam(group: _Group, out: _Out) -> None:
    """R12: attendance; R13-R17: the attempts inside the window, a pass, its period."""
    policy, cols, rows = group.policy, group.cols, group.rows
    first, last = group.first, group.last
    # Attendance is recorded on the last day of the session held (a refused change
    # changes nothing), before anything dated later.
    planned = last
    recorded = (planned >= group.last_event) & (planned >= first)
    attendance = cols.attendance[rows]
    attended = recorded & np.isin(attendance, _PRESENT)
    last_event = np.where(recorded, planned, group.last_event)
    closes = out.exam_closes[rows]
    offsets = cols.attempt_offsets
    counts = np.where(attended, offsets[rows + 1] - offsets[rows], 0)
    taken = np.zeros(len(rows), dtype=np.int64)
    certified = np.full(len(rows), _NOT_CERTIFIED, dtype=np.int64)
    cap = policy.max_exam_attempts
    blocked = policy.modules_required_for_exam and policy.module_count > 0  # R8
    for k in range(int(counts.max(initial=0))):
        sitting = np.flatnonzero((counts > k) & (certified == _NOT_CERTIFIED))
        at = offsets[rows[sitting]] + k
        on = cols.attempt_on[at]
        group.replay_where(group.outside(on), sitting)
        accepted = (on >= last_event[sitting]) & (on >= last[sitting]) & (on <= closes[sitting])
        if cap is not None:
            accepted &= taken[sitting] < cap
        if blocked:
            accepted[:] = False
        took = sitting[accepted]
        taken[took] += 1
        last_event[took] = on[accepted]
        passed = accepted & cols.attempt_passed[at]
        certified[sitting[passed]] = on[passed]
    out.certified_on[rows] = certified
    has = certified != _NOT_CERTIFIED
    ends = np.zeros(len(rows), dtype=np.int64)
    ends[has] = _add_months(certified[has], 12 * policy.certification_period_years)
    out.period_end[rows] = ends


_PRESENT: Final = np.array(
    [i for i, a in enumerate(Attendance) if a in (Attendance.FULL, Attendance.PARTIAL)],
    dtype=np.int8,
)


def _words(codes: NDArray[np.int8], words: tuple[str, ...]) -> pa.Array:
    # Codes to text in one cast; a negative code (no rule) is a null.
    indices = pa.array(codes, mask=codes < 0)
    return pa.DictionaryArray.from_arrays(indices, pa.array(words)).cast(pa.string())


def _dates(days: Days, missing: Mask | None = None) -> pa.Array:
    return pa.array(days.astype(np.int32), mask=missing).cast(pa.date32())


def _table(
    out: _Out, cols: _Columns, *, policy: Policy, prices: PriceSchedule, ids: pa.ChunkedArray
) -> pa.Table:
    schema = answer_schema(policy)
    offsets = pa.array(cols.change_offsets.astype(np.int32))
    fee_type = schema.field("change_fees").type.value_type
    price = prices.class_change_fee
    charged = out.change_verdict == _FEE
    if isinstance(price, Money):
        one = pa.array([price.amount], type=fee_type)
        fees = one.take(pa.array(np.zeros(len(charged), dtype=np.int64), mask=~charged))
    else:  # an unknown fee (R22) is a fee without a number
        fees = pa.nulls(len(charged), type=fee_type)
    not_certified = out.certified_on == _NOT_CERTIFIED
    columns = [
        ids.combine_chunks(),
        pa.array(out.access_due_us, type=pa.int64()).cast(schema.field("access_due").type),
        _words(out.access, ("on_time", "breach")),
        _dates(out.prework_start),
        _dates(out.deadline),
        _dates(out.exam_opens),
        _dates(out.exam_closes),
        pa.ListArray.from_arrays(offsets, _words(out.change_verdict, _VERDICTS)),
        pa.ListArray.from_arrays(offsets, _words(out.change_rule, _RULES)),
        pa.ListArray.from_arrays(offsets, fees),
        _dates(out.certified_on, not_certified),
        _dates(out.period_end, not_certified),
        pa.array(np.zeros(len(ids), dtype=bool)),
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def _with_replayed(
    result: pa.Table,
    table: pa.Table,
    replay: Mask,
    policy: Policy,
    prices: PriceSchedule,
) -> pa.Table:
    rows = np.flatnonzero(replay)
    replayed = journey_table(candidates_from_table(table.take(rows)), policy=policy, prices=prices)
    kept = np.flatnonzero(~replay)
    merged = pa.concat_tables([result.take(kept), replayed])
    order = np.argsort(np.concatenate([kept, rows]), kind="stable")
    return merged.take(order)
