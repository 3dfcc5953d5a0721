"""The batch path: a whole cohort's key dates, change verdicts and fees as columns.

:func:`batch_answers` takes a cohort table (:data:`~cptm_rules.cohort.formats.COHORT_SCHEMA`,
an Arrow table or a pandas DataFrame) and answers every candidate at once with
numpy. It gives the same answers as replaying each candidate's
:class:`~cptm_rules.lifecycle.Journey` (:func:`journey_answers`), which the tests
check on generated cohorts and the benchmark on 100,000 synthetic candidates, at
a small fraction of the cost.

One definition per rule: this module holds plumbing only (columns in, columns
out, list columns walked item by item, the fallback to journeys). Every
condition, date and precedence comes from the families' formulas and tables
(:mod:`cptm_rules.formulas`), run here with :data:`~cptm_rules.array_ops.ARRAY`
where the journey runs them with :data:`~cptm_rules.formulas.SCALAR`; the rule
ids and verdicts in the answers are the tables' own. A registration the rules
refuse is answered here too: the journey stays new, and ``TRANSITIONS`` refuses
every later event for that state. What the vectors do not cover, a date outside
the policy's calendar years, a policy that cannot answer for the registration
date, events the vectors do not model, is answered by replaying that row's journey: the
``replayed`` column says which rows were, and the journey raises the same
errors the scalar path would.

Needs the ``notebook`` or ``columnar`` extra (numpy, pandas, pyarrow).
"""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cptm_rules.array_ops import ARRAY, EPOCH, outside, segment_sums
from cptm_rules.cohort.answers import replay as replay_candidate
from cptm_rules.cohort.candidates import Candidate, HeldSession, Step
from cptm_rules.cohort.formats import CheckedCohort, candidates_from_table, checked_cohort
from cptm_rules.events import (
    Activity,
    AttemptExam,
    Cancel,
    CompleteModule,
    GrantAccess,
    OpenElearning,
    PayRenewalFee,
    RecordActivity,
    RecordAssessment,
    RecordAttendance,
    ReEnroll,
    Register,
    RequestChange,
    Session,
    Substitute,
)
from cptm_rules.exceptions import InvalidInputError, TransitionError
from cptm_rules.formulas import answer_codes, verdict_prices
from cptm_rules.lifecycle import STATUS_ASKED, TRANSITIONS
from cptm_rules.money import Money
from cptm_rules.pricing import quote
from cptm_rules.rule_coverage import is_state_refusal
from cptm_rules.rules.cancellation import (
    CANCEL_REFUSALS,
    RE_ENROL_CREDIT,
    RE_ENROL_SESSION,
    SUBSTITUTION_FEE,
    SUBSTITUTION_REFUSALS,
    TUITION_CREDIT,
    CancelCase,
    ReEnrolCase,
    SubstitutionCase,
    cancellation_outcome,
    credit_until,
    re_enrolled_answer,
    refund_due,
    refund_tiers_of,
    tier_amounts,
)
from cptm_rules.rules.certification import (
    ACTIVITY_VERDICT,
    RENEWAL_FEE_OUTCOME,
    RENEWAL_FEE_REFUSALS,
    ActivityCase,
    RenewalFeeCase,
    by_group,
    category_groups,
    grace_end,
    in_period,
    period_end,
    period_started_answer,
    qualifying_places,
    renewal_answer,
    renews,
)
from cptm_rules.rules.exam import (
    ATTEMPT_OUTCOME,
    ATTEMPT_REFUSALS,
    ATTENDANCE_OUTCOME,
    RELEASING_ATTENDANCE,
    RETAKE_FEE,
    AttemptCase,
    AttendanceCase,
    attempts_read_modules,
    attendance_advisories,
    attendance_recordable,
    certifies,
    exam_closes,
    exam_opens,
    in_window_answer,
    modules_unfinished,
    partly_attended,
    state_after_attendance,
)
from cptm_rules.rules.practicum_changes import (
    CHANGE_FEE_PRECEDENCE,
    CHANGE_REFUSALS,
    USES_A_FREE_CHANGE,
    ChangeCase,
    free_change_deadline,
    free_changes_after,
)
from cptm_rules.rules.prework import (
    ASSESSMENT_OUTCOME,
    ASSESSMENT_REFUSALS,
    MODULE_OUTCOME,
    MODULE_REFUSALS,
    UNFINISHED_MODULES,
    AssessmentCase,
    ModuleCase,
    recommended_prework_start,
)
from cptm_rules.rules.pricing import eligible_discounts
from cptm_rules.rules.registration import (
    ACCESS_VERDICT,
    LEAD_TIME_ADVICE,
    REGISTRATION_FEES,
    REGISTRATION_REFUSALS,
    AccessCase,
    RegistrationCase,
    RegistrationFeeCase,
    access_due,
    lead_time_advice,
    lead_time_rules,
    lead_time_starts,
)
from cptm_rules.vocabulary import (
    ActivityCategory,
    Attendance,
    KeyDateKind,
    OrganisationType,
    State,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    import pandas as pd
    from numpy.typing import NDArray

    from cptm_rules.events import Event
    from cptm_rules.formulas import Precedence
    from cptm_rules.money import Amount
    from cptm_rules.outcomes import Advisory, Decision, Outcome
    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule

    Days = NDArray[np.int64]
    Mask = NDArray[np.bool_]

__all__ = [
    "ANSWER_COLUMNS",
    "answer_schema",
    "batch_answers",
    "batch_answers_by_side",
    "journey_answers",
    "journey_table",
]

ANSWER_COLUMNS: Final = (
    "id",
    "registration_verdict",
    "registration_rule",
    "access_due",
    "access",
    "access_refused_while",
    "elearning_refused_while",
    "prework_recommended_start",
    "free_change_deadline",
    "exam_opens",
    "exam_closes",
    "change_verdicts",
    "change_rules",
    "change_fees",
    "change_advisories",
    "change_advisory_severities",
    "change_refused_while",
    "certified_on",
    "period_end",
    "practicum_first_day",
    "practicum_last_day",
    "tuition_credit_expires",
    "late_fee_verdict",
    "late_fee_rule",
    "late_fee",
    "registration_advisory",
    "registration_advisory_severity",
    "attempt_verdicts",
    "attempt_rules",
    "retake_verdicts",
    "retake_rules",
    "retake_fees",
    "attempt_window_verdicts",
    "attempt_window_rules",
    "attempt_period_verdicts",
    "attempt_period_rules",
    "attempt_advisories",
    "attempt_advisory_severities",
    "attempt_refused_while",
    "module_verdicts",
    "module_rules",
    "module_refused_while",
    "assessment_verdicts",
    "assessment_rules",
    "assessment_refused_while",
    "quote_total",
    "quote_missing",
    "quote_discounts",
    "quote_stacked",
    "activity_verdicts",
    "activity_rules",
    "activity_renewal_verdicts",
    "activity_renewal_rules",
    "activity_refused_while",
    "renewal_verdicts",
    "renewal_rules",
    "renewal_fees",
    "payment_renewal_verdicts",
    "payment_renewal_rules",
    "renewal_refused_while",
    "period_ends",
    "attendance_verdicts",
    "attendance_rules",
    "attendance_fees",
    "attendance_refunds",
    "attendance_advisories",
    "attendance_advisory_severities",
    "cancellation_verdicts",
    "cancellation_rules",
    "cancellation_fees",
    "cancellation_refunds",
    "cancellation_refused_while",
    "substitution_verdict",
    "substitution_rule",
    "substitution_fee",
    "substitution_refused_while",
    "re_enrolment_verdict",
    "re_enrolment_rule",
    "re_enrolment_advisory",
    "re_enrolment_advisory_severity",
    "re_enrolment_refused_while",
    "state_a_year_after",
    "state_a_year_after_rule",
    "state_a_year_after_since",
    "final_state",
    "final_state_rule",
    "final_state_since",
    "replayed",
)
"""The columns of an answer table, in order (``docs/cohorts.md`` says what each holds)."""

_REFUSED: Final = "refused"
"""The verdict of an event the journey refuses (a rule's, or the date order's)."""

_US_PER_MINUTE: Final = 60_000_000

_A_YEAR: Final = dt.timedelta(days=400)
"""How long after the practicum booked a diff asks where a journey stands
(``cohort.answers``: ``state a year after the practicum``); no rule's figure."""
_ONE_DAY: Final = dt.timedelta(days=1)


class _Words(NamedTuple):
    """The verdicts and rules of one or more precedence tables, coded as small integers."""

    verdicts: tuple[str, ...]
    rules: tuple[str, ...]
    fees: tuple[str | None, ...]
    """per verdict code: the price the verdict charges (a PriceSchedule field), if any."""
    tables: tuple[Precedence[Any, Any], ...]
    """the tables coded."""

    @classmethod
    def of(cls, *tables: Precedence[Any, Any]) -> _Words:
        verdicts: dict[str, str | None] = {_REFUSED: None, **verdict_prices(*tables)}
        rules = dict.fromkeys(rule_id for table in tables for rule_id, _case in table)
        return cls(tuple(verdicts), tuple(rules), tuple(verdicts.values()), tables)

    def with_answer(self, pair: tuple[str, str]) -> _Words:
        """These words and a decision's own ``(rule id, verdict)``, which no table gives."""
        rule, verdict = pair
        verdicts, fees = self.verdicts, self.fees
        if verdict not in verdicts:
            verdicts, fees = (*verdicts, verdict), (*fees, None)
        rules = self.rules if rule in self.rules else (*self.rules, rule)
        return _Words(verdicts, rules, fees, self.tables)

    def code(self, pair: tuple[str, str]) -> tuple[int, int]:
        """The verdict and rule codes of a ``(rule id, verdict)`` pair."""
        rule, verdict = pair
        return self.verdicts.index(verdict), self.rules.index(rule)

    def codes(self, table: Precedence[Any, Any], rows: Days, which: Days) -> tuple[Days, Days]:
        """Each candidate's verdict and rule codes from a table's row and verdict indices."""
        verdict = np.full(len(rows), -1, dtype=np.int64)
        rule = np.full(len(rows), -1, dtype=np.int64)
        for i, (rule_id, case) in enumerate(table):
            here = rows == i
            words = np.array([self.verdicts.index(v) for v in case.verdicts], dtype=np.int64)
            verdict[here] = words[which[here]]
            rule[here] = self.rules.index(rule_id)
        return verdict, rule

    def pairs(self) -> frozenset[tuple[str, str]]:
        """The ``(rule id, verdict)`` pairs the tables may answer (how a journey's is found)."""
        return frozenset(
            (rule_id, verdict)
            for table in self.tables
            for rule_id, case in table
            for verdict in case.verdicts
        )

    def amounts(self, prices: PriceSchedule, verdicts: Days, kind: pa.DataType) -> pa.Array:
        """The price each verdict code charges under ``prices`` (null: none, or unknown)."""
        charged = [getattr(prices, name) if name is not None else None for name in self.fees]
        known = pa.array([a.amount if isinstance(a, Money) else None for a in charged], type=kind)
        return known.take(pa.array(verdicts, mask=verdicts < 0))


_CHANGE_WORDS: Final = _Words.of(CHANGE_REFUSALS, CHANGE_FEE_PRECEDENCE)
_ACCESS_WORDS: Final = _Words.of(ACCESS_VERDICT)
_REGISTRATION_WORDS: Final = _Words.of(REGISTRATION_REFUSALS)
_LATE_WORDS: Final = _Words.of(*REGISTRATION_FEES)
_ATTEMPT_WORDS: Final = _Words.of(ATTEMPT_REFUSALS, ATTEMPT_OUTCOME)
_RETAKE_WORDS: Final = _Words.of(RETAKE_FEE)
_MODULE_WORDS: Final = _Words.of(MODULE_REFUSALS, MODULE_OUTCOME)
_ASSESSMENT_WORDS: Final = _Words.of(ASSESSMENT_REFUSALS, ASSESSMENT_OUTCOME)
_ACTIVITY_WORDS: Final = _Words.of(ACTIVITY_VERDICT)
_RENEWAL_WORDS: Final = _Words.of(RENEWAL_FEE_REFUSALS, RENEWAL_FEE_OUTCOME)
_SUBSTITUTION_WORDS: Final = _Words.of(SUBSTITUTION_REFUSALS, SUBSTITUTION_FEE)
_RE_ENROL_WORDS: Final = _Words.of(RE_ENROL_CREDIT, RE_ENROL_SESSION)


def _day_order() -> dict[type[Event], int]:
    """Each kind of event's place among the events of one day, as ``Candidate.steps`` puts it.

    Read off the steps of a candidate who does everything on one day.
    """
    day = dt.date(2000, 1, 3)
    held = Session(first_day=day, last_day=day)
    everything = Candidate(
        id="one day",
        registered_at=dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC),
        practicum=held,
        access_after_minutes=0,
        changes=((day, held),),
        attempts=((day, True),),
        elearning_opened=day,
        modules=((day, True),),
        substitution=day,
        cancelled_on=day,
        re_enrolment=(day, held),
        activities=(Activity(id="a", on=day, hours=Decimal(1), category=ActivityCategory.COURSE),),
        renewal_payments=(day,),
    )
    order = {
        type(step.event): step.rank
        for _, step in everything.steps(dt.UTC)
        if isinstance(step, Step)
    }
    return {**order, RecordAttendance: HeldSession.rank}


_DAY_ORDER: Final = _day_order()
_END_OF_DAY: Final = 2 * max(_DAY_ORDER.values()) + 2
"""A moment's offset in its day after every event of the day (see :func:`_moment`)."""


def _moment(days: Days, kind: type[Event] | None, *, after: bool = False) -> Days:
    """Each event of ``kind`` dated ``days`` as one ordered number: its day, then its place.

    ``after``: just after an event of that kind on that day (a later one of the same
    kind); no ``kind``: the end of the day, after every event dated then.
    """
    offset = _END_OF_DAY if kind is None else 2 * _DAY_ORDER[kind] + after
    moments: Days = days * (_END_OF_DAY + 1) + offset
    return moments


def _codes(table: Precedence[Any, Any], facts: Any, n: int) -> tuple[Days, Days]:  # noqa: ANN401
    """Every candidate's row of ``table`` (-1: none) and verdict index, as arrays of ``n``."""
    rows, which = answer_codes(ARRAY, table, facts)
    return (
        np.broadcast_to(np.asarray(rows, dtype=np.int64), n).copy(),
        np.broadcast_to(np.asarray(which, dtype=np.int64), n).copy(),
    )


_FEE: Final = pa.decimal128(18, 4)


def answer_schema(policy: Policy) -> pa.Schema:
    """The schema of an answer table under ``policy`` (instants shown in its time zone)."""
    return pa.schema(
        [
            pa.field("id", pa.string(), nullable=False),
            pa.field("registration_verdict", pa.string()),
            pa.field("registration_rule", pa.string()),
            pa.field("access_due", pa.timestamp("us", tz=policy.time_zone)),
            pa.field("access", pa.string()),
            pa.field("access_refused_while", pa.string()),
            pa.field("elearning_refused_while", pa.string()),
            pa.field("prework_recommended_start", pa.date32()),
            pa.field("free_change_deadline", pa.date32()),
            pa.field("exam_opens", pa.date32()),
            pa.field("exam_closes", pa.date32()),
            pa.field("change_verdicts", pa.list_(pa.string()), nullable=False),
            pa.field("change_rules", pa.list_(pa.string()), nullable=False),
            pa.field("change_fees", pa.list_(_FEE), nullable=False),
            pa.field("change_advisories", pa.list_(pa.string()), nullable=False),
            pa.field("change_advisory_severities", pa.list_(pa.string()), nullable=False),
            pa.field("change_refused_while", pa.list_(pa.string()), nullable=False),
            pa.field("certified_on", pa.date32()),
            pa.field("period_end", pa.date32()),
            pa.field("practicum_first_day", pa.date32()),
            pa.field("practicum_last_day", pa.date32()),
            pa.field("tuition_credit_expires", pa.date32()),
            pa.field("late_fee_verdict", pa.string()),
            pa.field("late_fee_rule", pa.string()),
            pa.field("late_fee", _FEE),
            pa.field("registration_advisory", pa.string()),
            pa.field("registration_advisory_severity", pa.string()),
            pa.field("attempt_verdicts", pa.list_(pa.string()), nullable=False),
            pa.field("attempt_rules", pa.list_(pa.string()), nullable=False),
            pa.field("retake_verdicts", pa.list_(pa.string()), nullable=False),
            pa.field("retake_rules", pa.list_(pa.string()), nullable=False),
            pa.field("retake_fees", pa.list_(_FEE), nullable=False),
            pa.field("attempt_window_verdicts", pa.list_(pa.string()), nullable=False),
            pa.field("attempt_window_rules", pa.list_(pa.string()), nullable=False),
            pa.field("attempt_period_verdicts", pa.list_(pa.string()), nullable=False),
            pa.field("attempt_period_rules", pa.list_(pa.string()), nullable=False),
            pa.field("attempt_advisories", pa.list_(pa.string()), nullable=False),
            pa.field("attempt_advisory_severities", pa.list_(pa.string()), nullable=False),
            pa.field("attempt_refused_while", pa.list_(pa.string()), nullable=False),
            pa.field("module_verdicts", pa.list_(pa.string()), nullable=False),
            pa.field("module_rules", pa.list_(pa.string()), nullable=False),
            pa.field("module_refused_while", pa.list_(pa.string()), nullable=False),
            pa.field("assessment_verdicts", pa.list_(pa.string()), nullable=False),
            pa.field("assessment_rules", pa.list_(pa.string()), nullable=False),
            pa.field("assessment_refused_while", pa.list_(pa.string()), nullable=False),
            pa.field("quote_total", _FEE),
            pa.field("quote_missing", pa.list_(pa.string())),
            pa.field("quote_discounts", pa.list_(pa.string())),
            pa.field("quote_stacked", pa.bool_()),
            pa.field("activity_verdicts", pa.list_(pa.string()), nullable=False),
            pa.field("activity_rules", pa.list_(pa.string()), nullable=False),
            pa.field("activity_renewal_verdicts", pa.list_(pa.string()), nullable=False),
            pa.field("activity_renewal_rules", pa.list_(pa.string()), nullable=False),
            pa.field("activity_refused_while", pa.list_(pa.string()), nullable=False),
            pa.field("renewal_verdicts", pa.list_(pa.string()), nullable=False),
            pa.field("renewal_rules", pa.list_(pa.string()), nullable=False),
            pa.field("renewal_fees", pa.list_(_FEE), nullable=False),
            pa.field("payment_renewal_verdicts", pa.list_(pa.string()), nullable=False),
            pa.field("payment_renewal_rules", pa.list_(pa.string()), nullable=False),
            pa.field("renewal_refused_while", pa.list_(pa.string()), nullable=False),
            pa.field("period_ends", pa.list_(pa.date32()), nullable=False),
            pa.field("attendance_verdicts", pa.list_(pa.string()), nullable=False),
            pa.field("attendance_rules", pa.list_(pa.string()), nullable=False),
            pa.field("attendance_fees", pa.list_(_FEE), nullable=False),
            pa.field("attendance_refunds", pa.list_(_FEE), nullable=False),
            pa.field("attendance_advisories", pa.list_(pa.string()), nullable=False),
            pa.field("attendance_advisory_severities", pa.list_(pa.string()), nullable=False),
            pa.field("cancellation_verdicts", pa.list_(pa.string()), nullable=False),
            pa.field("cancellation_rules", pa.list_(pa.string()), nullable=False),
            pa.field("cancellation_fees", pa.list_(_FEE), nullable=False),
            pa.field("cancellation_refunds", pa.list_(_FEE), nullable=False),
            pa.field("cancellation_refused_while", pa.string()),
            pa.field("substitution_verdict", pa.string()),
            pa.field("substitution_rule", pa.string()),
            pa.field("substitution_fee", _FEE),
            pa.field("substitution_refused_while", pa.string()),
            pa.field("re_enrolment_verdict", pa.string()),
            pa.field("re_enrolment_rule", pa.string()),
            pa.field("re_enrolment_advisory", pa.string()),
            pa.field("re_enrolment_advisory_severity", pa.string()),
            pa.field("re_enrolment_refused_while", pa.string()),
            pa.field("state_a_year_after", pa.string()),
            pa.field("state_a_year_after_rule", pa.string()),
            pa.field("state_a_year_after_since", pa.date32()),
            pa.field("final_state", pa.string()),
            pa.field("final_state_rule", pa.string()),
            pa.field("final_state_since", pa.date32()),
            pa.field("replayed", pa.bool_(), nullable=False),
        ]
    )


# -- the reference: one journey per candidate ----------------------------------------------


def journey_answers(candidate: Candidate, policy: Policy, prices: PriceSchedule) -> dict[str, Any]:
    """One candidate's answer row, from replaying its journey (the scalar reference)."""
    year_after = candidate.practicum.last_day + _A_YEAR
    journey, results, at_year = replay_candidate(candidate, policy, prices, horizon=year_after)
    seen = _Seen(len(candidate.modules), journey.policy)
    for _name, event, result in results:
        if isinstance(result, TransitionError):
            # A refusal names its rule; one for the journey's state names none, but the
            # state (the stored state the error names).
            state = result.state if is_state_refusal(result, event) else None
            seen.refused(event, None if state else result.rule_id, state)
        else:
            seen.decided(event, result)
    key_dates = journey.key_dates()
    when = {k.kind: k.when for k in key_dates}
    last = max([year_after, *(k.day(policy.zone) for k in key_dates)])
    assert at_year is not None  # noqa: S101  # asked for with a horizon
    year = at_year.status_on(year_after)
    final = journey.status_on(last + _ONE_DAY)
    late_verdict, late_rule, late_fee = seen.late.one()
    substitution = seen.substitution.one()
    re_enrolment = seen.re_enrolment.one()
    return {
        "id": candidate.id,
        "registration_verdict": seen.registration[0],
        "registration_rule": seen.registration[1],
        "access_due": when.get(KeyDateKind.ACCESS_DUE),
        "access": seen.access,
        "access_refused_while": seen.access_refused_while,
        "elearning_refused_while": seen.elearning_refused_while,
        "prework_recommended_start": when.get(KeyDateKind.PREWORK_START),
        "free_change_deadline": when.get(KeyDateKind.FREE_CHANGE_DEADLINE),
        "exam_opens": when.get(KeyDateKind.EXAM_OPENS),
        "exam_closes": when.get(KeyDateKind.EXAM_CLOSES),
        "change_verdicts": seen.changes.verdicts,
        "change_rules": seen.changes.rules,
        "change_fees": seen.changes.fees,
        "change_advisories": [text for text, _ in seen.change_advisories],
        "change_advisory_severities": [sev for _, sev in seen.change_advisories],
        "change_refused_while": seen.changes.states,
        "certified_on": journey.certification_date,
        "period_end": journey.periods[0].end if journey.periods else None,
        "practicum_first_day": when.get(KeyDateKind.PRACTICUM_FIRST_DAY),
        "practicum_last_day": when.get(KeyDateKind.PRACTICUM_LAST_DAY),
        "tuition_credit_expires": when.get(KeyDateKind.CREDIT_EXPIRES),
        "late_fee_verdict": late_verdict,
        "late_fee_rule": late_rule,
        "late_fee": late_fee,
        "registration_advisory": seen.registration_advisory[0],
        "registration_advisory_severity": seen.registration_advisory[1],
        "attempt_verdicts": seen.attempts.verdicts,
        "attempt_rules": seen.attempts.rules,
        "retake_verdicts": seen.retakes.verdicts,
        "retake_rules": seen.retakes.rules,
        "retake_fees": seen.retakes.fees,
        "attempt_window_verdicts": seen.windows.verdicts,
        "attempt_window_rules": seen.windows.rules,
        "attempt_period_verdicts": seen.periods.verdicts,
        "attempt_period_rules": seen.periods.rules,
        "attempt_advisories": [text for text, _ in seen.attempt_advisories],
        "attempt_advisory_severities": [sev for _, sev in seen.attempt_advisories],
        "attempt_refused_while": seen.attempts.states,
        "module_verdicts": seen.modules.verdicts,
        "module_rules": seen.modules.rules,
        "module_refused_while": seen.modules.states,
        "assessment_verdicts": [verdict for verdict, _, _ in seen.assessments.values()],
        "assessment_rules": [rule for _, rule, _ in seen.assessments.values()],
        "assessment_refused_while": [state for _, _, state in seen.assessments.values()],
        **seen.quote._asdict(),
        "activity_verdicts": seen.activities.verdicts,
        "activity_rules": seen.activities.rules,
        "activity_renewal_verdicts": seen.activity_renewals.verdicts,
        "activity_renewal_rules": seen.activity_renewals.rules,
        "activity_refused_while": seen.activities.states,
        "renewal_verdicts": seen.renewals.verdicts,
        "renewal_rules": seen.renewals.rules,
        "renewal_fees": seen.renewals.fees,
        "payment_renewal_verdicts": seen.payment_renewals.verdicts,
        "payment_renewal_rules": seen.payment_renewals.rules,
        "renewal_refused_while": seen.renewals.states,
        "period_ends": [period.end for period in journey.periods],
        "attendance_verdicts": seen.attendance.verdicts,
        "attendance_rules": seen.attendance.rules,
        "attendance_fees": seen.attendance.fees,
        "attendance_refunds": seen.attendance_refunds,
        "attendance_advisories": [rules for rules, _ in seen.attendance_advisories],
        "attendance_advisory_severities": [sev for _, sev in seen.attendance_advisories],
        "cancellation_verdicts": seen.cancellation.verdicts,
        "cancellation_rules": seen.cancellation.rules,
        "cancellation_fees": seen.cancellation.fees,
        "cancellation_refunds": seen.cancellation_refunds,
        "cancellation_refused_while": seen.cancellation.one_state(),
        "substitution_verdict": substitution[0],
        "substitution_rule": substitution[1],
        "substitution_fee": substitution[2],
        "substitution_refused_while": seen.substitution.one_state(),
        "re_enrolment_verdict": re_enrolment[0],
        "re_enrolment_rule": re_enrolment[1],
        "re_enrolment_advisory": seen.re_enrolment_advisory[0],
        "re_enrolment_advisory_severity": seen.re_enrolment_advisory[1],
        "re_enrolment_refused_while": seen.re_enrolment.one_state(),
        "state_a_year_after": str(year.state),
        "state_a_year_after_rule": year.rule_id,
        "state_a_year_after_since": year.since,
        "final_state": str(final.state),
        "final_state_rule": final.rule_id,
        "final_state_since": final.since,
        "replayed": True,
    }


class _Seen:
    """What a journey answered, event by event, slot by slot (the journey's side).

    An event's further decisions are found by the ``(rule id, verdict)`` pair the
    family's decision gives under ``policy`` (an attempt's ``in_window`` and
    ``period_started``, an activity's or a payment's renewal).
    """

    def __init__(self, modules: int, policy: Policy) -> None:
        # A refused registration's verdict and rule (null once accepted: its decisions
        # are the ones every registration gets, which a diff does not compare).
        self.registration: tuple[str | None, str | None] = (None, None)
        self.access: str | None = None
        # The stored state an event was refused in, where it was refused for it.
        self.access_refused_while: str | None = None
        self.elearning_refused_while: str | None = None
        self.quote = _Quote(None, None, None, None)
        self.changes, self.late = _Listed(), _Listed()
        self.attempts, self.retakes = _Listed(), _Listed()
        self.windows, self.periods = _Listed(), _Listed()
        self.modules = _Listed()
        self.activities, self.renewals = _Listed(), _Listed()
        self.activity_renewals, self.payment_renewals = _Listed(), _Listed()
        self.attendance = _Listed()
        self.attendance_refunds: list[Decimal | None] = []
        self.attendance_advisories: list[tuple[str, str]] = []
        # One cancellation, substitution and re-enrolment at most (the cohort's columns).
        self.cancellation, self.substitution, self.re_enrolment = _Listed(), _Listed(), _Listed()
        self.cancellation_refunds: list[Decimal | None] = []
        self.re_enrolment_advisory: tuple[str | None, str | None] = (None, None)
        # At most one advisory per registration, change or attempt (R3+R6, R8).
        self.registration_advisory: tuple[str | None, str | None] = (None, None)
        self.change_advisories: list[tuple[str | None, str | None]] = []
        self.attempt_advisories: list[tuple[str | None, str | None]] = []
        self._window = in_window_answer(policy)
        self._period = period_started_answer(policy)
        self._renewed = renewal_answer(policy)
        # One slot per module, in the order they are numbered; null where none is taken.
        self.assessments: dict[int, tuple[str | None, str | None, str | None]] = dict.fromkeys(
            range(1, modules + 1), (None, None, None)
        )

    def refused(  # noqa: C901, PLR0912  # one branch per kind of event
        self, event: Event, rule: str | None, state: str | None
    ) -> None:
        """An event the journey refused: by ``rule``, or (``state``) for the state it was in."""
        if isinstance(event, CompleteModule):
            self.modules.add(_REFUSED, rule, state=state)
        elif isinstance(event, RecordAssessment):
            self.assessments[event.module] = (_REFUSED, rule, state)
        elif isinstance(event, RequestChange):
            self.changes.add(_REFUSED, rule, state=state)
            self.change_advisories.append((None, None))
        elif isinstance(event, AttemptExam):
            self.attempts.add(_REFUSED, rule, state=state)
            for slot in (self.retakes, self.windows, self.periods):
                slot.add(None, None)
            self.attempt_advisories.append((None, None))
        elif isinstance(event, GrantAccess):
            self.access, self.access_refused_while = _REFUSED, state
        elif isinstance(event, OpenElearning):
            self.elearning_refused_while = state
        elif isinstance(event, RecordActivity):
            self.activities.add(_REFUSED, rule, state=state)
            self.activity_renewals.add(None, None)
        elif isinstance(event, PayRenewalFee):
            self.renewals.add(_REFUSED, rule, state=state)
            self.payment_renewals.add(None, None)
        elif isinstance(event, RecordAttendance):
            self.attendance.add(_REFUSED, rule)
            self.attendance_refunds.append(None)
        elif isinstance(event, Cancel):
            self.cancellation.add(_REFUSED, rule, state=state)
            self.cancellation_refunds.append(None)
        elif isinstance(event, Substitute):
            self.substitution.add(_REFUSED, rule, state=state)
        elif isinstance(event, ReEnroll):
            self.re_enrolment.add(_REFUSED, rule, state=state)
        elif isinstance(event, Register):
            self.registration = (_REFUSED, rule)

    def attended(self, outcome: Outcome) -> None:
        """The attendance recorded: each decision with its amounts, and each advisory."""
        for decision in outcome.decisions:
            self.attendance.add_decision(decision)
            self.attendance_refunds.append(_known(decision.refund))
        self.attendance_advisories += [_advisory_words(a) for a in outcome.advisories]

    def decided(  # noqa: C901, PLR0912  # one branch per kind of event
        self, event: Event, outcome: Outcome
    ) -> None:
        """An event the journey applied, with its outcome."""
        decisions = outcome.decisions
        if isinstance(event, CompleteModule):
            self.modules.add_decision(decisions[0])
        elif isinstance(event, RecordAssessment):
            self.assessments[event.module] = (decisions[0].verdict, decisions[0].rule_id, None)
        elif isinstance(event, RequestChange):
            self.changes.add_decision(decisions[0])
            self.change_advisories.append(_advised_once(outcome.advisories))
        elif isinstance(event, AttemptExam):
            self.attempts.add_decision(_decided(decisions, _ATTEMPT_WORDS))
            self.retakes.add_decision(_decided(decisions, _RETAKE_WORDS))
            self.windows.add_decision(_given(decisions, self._window))
            self.periods.add_decision(_given(decisions, self._period))
            self.attempt_advisories.append(_advised_once(outcome.advisories))
        elif isinstance(event, GrantAccess):
            self.access = decisions[0].verdict
        elif isinstance(event, RecordActivity):
            self.activities.add_decision(_decided(decisions, _ACTIVITY_WORDS))
            self.activity_renewals.add_decision(_given(decisions, self._renewed))
        elif isinstance(event, PayRenewalFee):
            self.renewals.add_decision(_decided(decisions, _RENEWAL_WORDS))
            self.payment_renewals.add_decision(_given(decisions, self._renewed))
        elif isinstance(event, RecordAttendance):
            self.attended(outcome)
        elif isinstance(event, Cancel):
            for decision in decisions:
                self.cancellation.add_decision(decision)
                self.cancellation_refunds.append(_known(decision.refund))
        elif isinstance(event, Substitute):
            self.substitution.add_decision(decisions[0])
        elif isinstance(event, ReEnroll):
            self.re_enrolment.add_decision(decisions[0])
            self.re_enrolment_advisory = _advised_once(outcome.advisories)
        elif isinstance(event, Register):
            self.late.add_decision(_decided(decisions, _LATE_WORDS))
            self.registration_advisory = _advised_once(outcome.advisories)
            journey, registration = outcome.journey, event.registration
            self.quote = _Quote.of(
                registration.organisation, registration.group_size, journey.policy, journey.prices
            )


class _Quote(NamedTuple):
    """The registration's quote as the answer columns hold it (R21, R22)."""

    quote_total: Decimal | None
    """the total, when every figure it needs is known."""
    quote_missing: list[str] | None
    """the figures that are unknown (none: the total is known)."""
    quote_discounts: list[str] | None
    """the discounts the registration is eligible for, in the policy's order."""
    quote_stacked: bool | None
    """with two or more of them: whether they stack (else only the largest applies)."""

    @classmethod
    def of(
        cls,
        organisation: OrganisationType,
        group_size: int,
        policy: Policy,
        prices: PriceSchedule,
    ) -> _Quote:
        """The pricing family's quote and eligible discounts, as ``answer_list`` reads them."""
        priced = quote(
            organisation=organisation, group_size=group_size, policy=policy, prices=prices
        )
        eligible, _ = eligible_discounts(
            organisation=organisation, group_size=group_size, policy=policy
        )
        total = priced.total.amount if isinstance(priced.total, Money) else None
        stacked = priced.stacking if len(eligible) > 1 else None
        return cls(total, list(priced.missing), [str(k) for k in eligible], stacked)


class _Listed:
    """One answer slot's verdicts, rules and amounts, event by event (the journey's side)."""

    def __init__(self) -> None:
        self.verdicts: list[str | None] = []
        self.rules: list[str | None] = []
        self.fees: list[Decimal | None] = []
        self.states: list[str | None] = []
        """per event: the stored state it was refused in, where it was refused for it."""

    def add(
        self,
        verdict: str | None,
        rule: str | None,
        fee: Decimal | None = None,
        *,
        state: str | None = None,
    ) -> None:
        self.verdicts.append(verdict)
        self.rules.append(rule)
        self.fees.append(fee)
        self.states.append(state)

    def one_state(self) -> str | None:
        # A slot answered once per candidate: the state its event was refused in, if any.
        return self.states[0] if self.states else None

    def add_decision(self, decision: Decision | None) -> None:
        if decision is None:
            self.add(None, None)
            return
        fee = decision.fee.amount if isinstance(decision.fee, Money) else None
        self.add(decision.verdict, decision.rule_id, fee)

    def one(self) -> tuple[str | None, str | None, Decimal | None]:
        # A slot answered once per candidate (the registration's): its answer, or none.
        if not self.verdicts:
            return None, None, None
        return self.verdicts[0], self.rules[0], self.fees[0]


def _known(amount: Amount | None) -> Decimal | None:
    """An amount as the answer columns hold it: its number, null when none or unknown."""
    return amount.amount if isinstance(amount, Money) else None


def _advisory_words(advisory: Advisory) -> tuple[str, str]:
    """An advisory as the answer columns hold it: its rules joined by ``+``, its severity."""
    return "+".join(advisory.rule_ids), str(advisory.severity)


def _advised_once(advisories: Sequence[Advisory]) -> tuple[str | None, str | None]:
    """An event's one advisory as the answer columns hold it (both null: none)."""
    if not advisories:
        return None, None
    (advisory,) = advisories  # a registration, a change, an attempt advise at most once
    return _advisory_words(advisory)


def _given(decisions: Iterable[Decision], pair: tuple[str, str]) -> Decision | None:
    """The decision among an event's whose ``(rule id, verdict)`` is ``pair``, if any."""
    return next((d for d in decisions if (d.rule_id, d.verdict) == pair), None)


def _decided(decisions: Iterable[Decision], words: _Words) -> Decision | None:
    """The decision among an event's that one of the tables of ``words`` gave, if any."""
    pairs = words.pairs()
    return next((d for d in decisions if (d.rule_id, d.verdict) in pairs), None)


def journey_table(
    candidates: Iterable[Candidate], *, policy: Policy, prices: PriceSchedule
) -> pa.Table:
    """The answer table of ``candidates``, each answered by replaying its journey."""
    rows = [journey_answers(c, policy, prices) for c in candidates]
    return pa.Table.from_pylist(rows, schema=answer_schema(policy))


# -- the batch path --------------------------------------------------------------------------


def batch_answers(
    cohort: pa.Table | pd.DataFrame | CheckedCohort,
    *,
    policy: Policy,
    prices: PriceSchedule,
    replay: bool = True,
    dictionary: bool = False,
) -> pa.Table:
    """Every candidate's key dates, access verdict, change verdicts and fees, as columns.

    ``cohort`` is an Arrow table or a pandas DataFrame with the cohort's columns
    (:data:`~cptm_rules.cohort.formats.COHORT_SCHEMA`, checked first), or a
    :class:`~cptm_rules.cohort.formats.CheckedCohort` (checked already). The result
    has one row per candidate, in the cohort's order, with :data:`ANSWER_COLUMNS`
    (see :func:`answer_schema`); it equals :func:`journey_table` on the same
    candidates except for the ``replayed`` column. Where rows were replayed, the
    columns come in several chunks (each replayed row between slices of the others):
    the same table to Arrow, pandas and ``equals``, without copying every column again.

    With ``replay=False`` a row the vectors do not answer is not replayed: ``replayed``
    marks it and its other columns are not its answers. That is for a caller that
    answers such rows itself (the diff's batch engine replays them beside their other
    side), which saves replaying them twice.

    With ``dictionary`` (and ``replay=False``), the columns of words (verdicts, rule
    ids, states, advisories) are Arrow dictionary arrays of the same words, as
    ``dictionary_encode`` gives them, instead of text: for a reader that codes them
    anyway (the diff's batch engine), which saves turning codes into text and back.
    """
    if dictionary and replay:
        raise InvalidInputError("dictionary", dictionary, "False, or replay=False with it")
    table = checked_cohort(cohort).table
    return _answers(table, _Columns.of(table), policy, prices, replay=replay, dictionary=dictionary)


def batch_answers_by_side(
    cohort: pa.Table | pd.DataFrame | CheckedCohort,
    *,
    sides: Sequence[tuple[Policy, PriceSchedule]],
    dictionary: bool = False,
) -> tuple[pa.Table, ...]:
    """The answer table of ``cohort`` under each of ``sides`` (a policy and its prices).

    Each is what ``batch_answers(cohort, policy=policy, prices=prices, replay=False,
    dictionary=dictionary)`` gives, with the cohort checked and its columns read once
    for all sides: the diff's batch engine answers one table under two policies.
    """
    table = checked_cohort(cohort).table
    cols = _Columns.of(table)
    return tuple(
        _answers(table, cols, policy, prices, replay=False, dictionary=dictionary)
        for policy, prices in sides
    )


def _answers(  # batch_answers' arguments, and the columns read
    table: pa.Table,
    cols: _Columns,
    policy: Policy,
    prices: PriceSchedule,
    *,
    replay: bool,
    dictionary: bool,
) -> pa.Table:
    n = table.num_rows
    out = _Out(
        n,
        changes=len(cols.change_on),
        attempts=len(cols.attempt_on),
        modules=len(cols.module_on),
        activities=len(cols.activity_on),
        payments=len(cols.payment_on),
    )
    replaying = _beyond_the_vectors(table, cols, policy)
    if prices.effective_from is not None:
        # The vectors charge by one schedule: a registration an earlier version of a
        # dated schedule charges (PriceSchedule.in_force_on) is left to its journey.
        start = prices.effective_from.toordinal() - EPOCH
        replaying |= _local_days(cols.registered_us, policy) < start
    out.attendance.words = _Words.of(
        ATTENDANCE_OUTCOME, cancellation_outcome(policy), TUITION_CREDIT
    )
    out.cancellation.words = _Words.of(
        CANCEL_REFUSALS, cancellation_outcome(policy), TUITION_CREDIT
    )
    out.re_enrolment_words = _RE_ENROL_WORDS.with_answer(re_enrolled_answer(policy))
    for version, rows in _versions_in_force(policy, cols, replaying):
        _answer(version, prices, cols, rows, out=out, replay=replaying)
    result = _table(
        out, cols, policy=policy, prices=prices, ids=table.column("id"), dictionary=dictionary
    )
    if not replay:
        at = result.schema.get_field_index("replayed")
        field = result.schema.field(at)
        return result.set_column(at, field, pa.array(replaying, type=field.type))
    if replaying.any():
        result = _with_replayed(result, table, replaying, policy, prices)
    return result


_NO_DAY: Final = 1 << 40
"""The day of an event a row does not have (after any real day)."""


def _beyond_the_vectors(table: pa.Table, cols: _Columns, policy: Policy) -> Mask:
    """The rows left to their journeys before any rule is asked.

    A row whose events change what the vectors answer in ways they do not model
    (modules when the policy's attempts read them), or whose changes or attempts
    are not written in date order (the journey applies them in date order and
    numbers them so). The other events a row may carry are answered where the journey meets them: a
    substitution, a cancellation and a re-enrolment in date order among the
    changes, modules and their assessments, the eLearning opened (which a
    cancellation's refund reads) once the exam has placed the attendance and
    certification; continuing education and renewal payments after the exam,
    from where it left the row (copies of one activity id on one day that differ
    are the journey's to pick).
    """
    replay = np.zeros(table.num_rows, dtype=bool)
    version: Policy | None = policy
    while version is not None:
        if attempts_read_modules(version):
            modules = table.column("modules")
            used = pc.fill_null(pc.greater(pc.list_value_length(modules), 0), fill_value=False)
            replay |= np.asarray(used.to_numpy(zero_copy_only=False), dtype=bool)
            break
        version = version.extended()
    replay |= cols.activity_unclear
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
    cancelled_on: Days
    re_on: Days
    re_first: Days
    re_last: Days
    first_opened: Days
    """the earliest eLearning-opened or module day (``_NO_DAY`` when none)."""
    elearning_on: Days
    """the day the eLearning is opened (``_NO_DAY`` when it is not)."""
    substitution_on: Days
    """the day another person takes the seat (``_NO_DAY`` when none does)."""
    module_offsets: Days
    module_on: Days
    """each row's modules in the order the journey numbers them (date, then result)."""
    module_passed: NDArray[np.int8]
    """each module's assessment, in that order: 1 passed, 0 failed, -1 none taken."""
    organisation: Days
    """each row's organisation, as its place in ``OrganisationType``."""
    group_size: Days
    activity_offsets: Days
    activity_on: Days
    activity_hours: Days
    """each activity's hours in hundredths (a cohort's hours have at most two decimals)."""
    activity_category: Days
    """each activity's category, as its place in ``ActivityCategory``."""
    activity_first: Mask
    """whether the activity is the copy of its id that counts (its row's earliest, R19)."""
    activity_place: Days
    """each activity's place in its row's answers (the journey's order: by date, then
    id, hours and category)."""
    activity_unclear: Mask
    """rows with copies of one id on one day that differ: which counts is the journey's."""
    payment_offsets: Days
    payment_on: Days
    payment_place: Days
    """each payment's place in its row's answers (by date)."""

    @classmethod
    def of(cls, table: pa.Table) -> _Columns:
        practicum = table.column("practicum").combine_chunks()
        changes = table.column("changes").combine_chunks()
        attempts = table.column("attempts").combine_chunks()
        # flatten() carries a null re-enrolment into its fields (field() would not).
        re_on, re_to = table.column("re_enrolment").combine_chunks().flatten()
        re_first, re_last = re_to.flatten()
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
            cancelled_on=_optional_days(table.column("cancelled_on")),
            re_on=_optional_days(re_on),
            re_first=_optional_days(re_first),
            re_last=_optional_days(re_last),
            first_opened=_first_opened(table),
            elearning_on=_optional_days(table.column("elearning_opened")),
            substitution_on=_optional_days(table.column("substitution")),
            organisation=_ints(
                pc.index_in(
                    table.column("organisation"),
                    value_set=pa.array([o.value for o in OrganisationType]),
                )
            ),
            group_size=_ints(table.column("group_size")),
            **_numbered_modules(table),
            **_activities(table),
            **_payments(table),
        )


def _ints(values: pa.Array | pa.ChunkedArray) -> Days:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.int64)


def _days(values: pa.Array) -> Days:
    return _ints(values.cast(pa.int32()))


def _optional_days(values: pa.Array | pa.ChunkedArray) -> Days:
    days = pc.fill_null(values.cast(pa.int32()).cast(pa.int64()), _NO_DAY)
    return _ints(days)


def _first_opened(table: pa.Table) -> Days:
    # The earliest day the eLearning was opened or a module completed (either opens it).
    opened = _optional_days(table.column("elearning_opened")).copy()  # lowered in place
    modules = table.column("modules").combine_chunks()
    offsets = _ints(modules.offsets)
    days = _days(modules.flatten().field("on"))
    if len(days):
        # Each row's earliest module, in whatever order its modules are written (a
        # reduceat over row starts would cut a row short before empty rows at the end).
        owner = np.repeat(np.arange(len(offsets) - 1, dtype=np.int64), np.diff(offsets))
        np.minimum.at(opened, owner, days)
    return opened


def _by_date(offsets: Days, on: Days) -> Days:
    # Each item's place among its row's items ordered by date: the journey's order
    # up to items of one day, whose answers are the same.
    owner = np.repeat(np.arange(len(offsets) - 1, dtype=np.int64), np.diff(offsets))
    if bool(np.all((on[1:] >= on[:-1]) | (owner[1:] != owner[:-1]))):  # written in order
        return np.arange(len(on), dtype=np.int64)
    place = np.empty(len(on), dtype=np.int64)
    place[np.lexsort((on, owner))] = np.arange(len(on), dtype=np.int64)
    return place


def _activities(table: pa.Table) -> dict[str, Any]:
    activities = table.column("activities").combine_chunks()
    offsets = _ints(activities.offsets)
    flat = activities.flatten()
    on = _days(flat.field("on"))
    hours = _hundredths(flat.field("hours"))
    categories = pa.array([c.value for c in ActivityCategory])
    category = _ints(pc.index_in(flat.field("category"), value_set=categories))
    owner = np.repeat(np.arange(len(offsets) - 1, dtype=np.int64), np.diff(offsets))
    # Each id's earliest copy counts (activity_order): sorted by row, id and date,
    # the first of each row's id is it.
    keyed = pa.table({"owner": owner, "id": flat.field("id"), "on": on})
    order = _ints(pc.sort_indices(keyed, sort_keys=[(k, "ascending") for k in keyed.column_names]))
    ids = flat.field("id").take(pa.array(order))
    same = np.zeros(max(len(order) - 1, 0), dtype=bool)
    if len(order) > 1:
        same = (owner[order][1:] == owner[order][:-1]) & np.asarray(
            pc.equal(ids[1:], ids[:-1]).to_numpy(zero_copy_only=False), dtype=bool
        )
    first = np.ones(len(order), dtype=bool)
    first[order[1:][same]] = False
    differ = (hours[order][1:] != hours[order][:-1]) | (category[order][1:] != category[order][:-1])
    unclear = np.zeros(len(offsets) - 1, dtype=bool)
    unclear[owner[order[1:][same & (on[order][1:] == on[order][:-1]) & differ]]] = True
    return {
        "activity_offsets": offsets,
        "activity_on": on,
        "activity_hours": hours,
        "activity_category": category,
        "activity_first": first,
        "activity_place": _numbered_activities(owner, on, flat, hours),
        "activity_unclear": unclear,
    }


def _hundredths(hours: pa.Array | pa.ChunkedArray) -> Days:
    """Hours (``decimal128`` with two places) as whole hundredths of an hour."""
    # A decimal128 stores each value as a 128-bit integer scaled by 10**scale: with two
    # places and at most 18 digits its low 64 bits are the hundredths, read in place
    # (an arithmetic cast checks each value for overflow: some 40 ms a million).
    typed = pa.types.is_decimal128(hours.type) and hours.type.scale == 2
    if isinstance(hours, pa.ChunkedArray):
        hours = hours.combine_chunks()
    if not len(hours):
        return np.zeros(0, dtype=np.int64)
    if typed and hours.type.precision <= 18 and hours.null_count == 0 and _LITTLE_ENDIAN:
        words = np.frombuffer(hours.buffers()[1], dtype="<i8")
        return np.asarray(words[2 * hours.offset : 2 * (hours.offset + len(hours)) : 2])
    hundred = pa.scalar(Decimal(100), type=pa.decimal128(3, 0))
    return _ints(pc.multiply(hours, hundred).cast(pa.int64()))


_LITTLE_ENDIAN: Final = sys.byteorder == "little"


def _numbered_activities(owner: Days, on: Days, flat: pa.StructArray, hours: Days) -> Days:
    """Each activity's place in its row's answers: the order the journey numbers them.

    By date, then id, hours and category (``Candidate.steps``): which of one day's
    activities renews a period is the journey's order's.
    """
    keyed = pa.table(
        {
            "owner": owner,
            "on": on,
            "id": flat.field("id"),
            "hours": hours,
            "category": flat.field("category"),
        }
    )
    keys = [(name, "ascending") for name in keyed.column_names]
    order = _ints(pc.sort_indices(keyed, sort_keys=keys))
    place = np.empty(len(order), dtype=np.int64)
    place[order] = np.arange(len(order), dtype=np.int64)
    return place


def _payments(table: pa.Table) -> dict[str, Any]:
    payments = table.column("renewal_payments").combine_chunks()
    offsets = _ints(payments.offsets)
    on = _days(payments.flatten())
    return {"payment_offsets": offsets, "payment_on": on, "payment_place": _by_date(offsets, on)}


def _numbered_modules(table: pa.Table) -> dict[str, Any]:
    # Sorted within each row as Candidate.steps numbers them: by date, then no
    # assessment before a failed one before a passed one.
    modules = table.column("modules").combine_chunks()
    offsets = _ints(modules.offsets)
    flat = modules.flatten()
    on = _days(flat.field("on"))
    passed = flat.field("passed")
    taken = np.asarray(pc.is_valid(passed).to_numpy(zero_copy_only=False), dtype=bool)
    result = np.asarray(
        pc.fill_null(passed, fill_value=False).to_numpy(zero_copy_only=False), dtype=bool
    )
    code = np.where(taken, result.astype(np.int8), np.int8(-1)).astype(np.int8)
    owner = np.repeat(np.arange(len(offsets) - 1, dtype=np.int64), np.diff(offsets))
    later = (on[1:] > on[:-1]) | ((on[1:] == on[:-1]) & (code[1:] >= code[:-1]))
    if bool(np.all(later | (owner[1:] != owner[:-1]))):  # written in order: most cohorts
        return {"module_offsets": offsets, "module_on": on, "module_passed": code}
    order = np.lexsort((code, on, owner))
    return {"module_offsets": offsets, "module_on": on[order], "module_passed": code[order]}


class _Out:
    """The answers as they are filled in, one array per column (the changes' flat)."""

    def __init__(  # noqa: PLR0915  # one array per column; one size per list column
        self, n: int, *, changes: int, attempts: int, modules: int, activities: int, payments: int
    ) -> None:
        self.registration_verdict: Days = np.full(n, -1, dtype=np.int64)
        self.registration_rule: Days = np.full(n, -1, dtype=np.int64)
        self.unregistered: Mask = np.zeros(n, dtype=bool)
        """the rows whose registration is refused: no key date, no session held."""
        self.access_due_us: Days = np.zeros(n, dtype=np.int64)
        self.access: Days = np.zeros(n, dtype=np.int64)
        self.prework_start: Days = np.zeros(n, dtype=np.int64)
        self.deadline: Days = np.zeros(n, dtype=np.int64)
        self.exam_opens: Days = np.zeros(n, dtype=np.int64)
        self.exam_closes: Days = np.zeros(n, dtype=np.int64)
        self.certified_on: Days = np.full(n, _NOT_CERTIFIED, dtype=np.int64)
        self.period_end: Days = np.zeros(n, dtype=np.int64)
        self.first: Days = np.zeros(n, dtype=np.int64)
        self.last: Days = np.zeros(n, dtype=np.int64)
        self.credit_until: Days = np.full(n, _NO_DAY, dtype=np.int64)
        self.change_verdict: Days = np.zeros(changes, dtype=np.int64)
        self.change_rule: Days = np.zeros(changes, dtype=np.int64)
        self.late_verdict: Days = np.full(n, -1, dtype=np.int64)
        self.late_rule: Days = np.full(n, -1, dtype=np.int64)
        # An attempt the vectors do not reach is refused for the journey's state: no rule.
        refused = _ATTEMPT_WORDS.verdicts.index(_REFUSED)
        self.attempt_verdict: Days = np.full(attempts, refused, dtype=np.int64)
        self.attempt_rule: Days = np.full(attempts, -1, dtype=np.int64)
        self.retake_verdict: Days = np.full(attempts, -1, dtype=np.int64)
        self.retake_rule: Days = np.full(attempts, -1, dtype=np.int64)
        self.module_verdict: Days = np.full(modules, -1, dtype=np.int64)
        self.module_rule: Days = np.full(modules, -1, dtype=np.int64)
        self.assessment_verdict: Days = np.full(modules, -1, dtype=np.int64)
        self.assessment_rule: Days = np.full(modules, -1, dtype=np.int64)
        self.activity_verdict: Days = np.full(activities, -1, dtype=np.int64)
        self.activity_rule: Days = np.full(activities, -1, dtype=np.int64)
        self.renewal_verdict: Days = np.full(payments, -1, dtype=np.int64)
        self.renewal_rule: Days = np.full(payments, -1, dtype=np.int64)
        self.refused_while = _RefusedWhile(
            n,
            changes=changes,
            attempts=attempts,
            modules=modules,
            activities=activities,
            payments=payments,
        )
        self.substitution_verdict: Days = np.full(n, -1, dtype=np.int64)
        self.substitution_rule: Days = np.full(n, -1, dtype=np.int64)
        self.re_enrolment_words = _RE_ENROL_WORDS
        self.re_enrolment_verdict: Days = np.full(n, -1, dtype=np.int64)
        self.re_enrolment_rule: Days = np.full(n, -1, dtype=np.int64)
        self.period_count: Days = np.zeros(n, dtype=np.int64)
        self.period_ends: list[Days] = []
        """the j-th period's end of each row, where it has that many (see ``period_count``)."""
        self.renewal_days: list[Days] = []
        """the day of the renewal that started each row's (j+1)-th period, where it has one."""
        self.quote: Days = np.full(n, -1, dtype=np.int64)
        """each row's quote, as its place in ``quotes``."""
        self.quotes: list[_Quote] = []
        # The attendance's decisions (at most two: an absence with notice cancels and
        # leaves a credit) and a cancellation's in writing, with their amounts; and the
        # attendance's advisories, as places in _ADVISORIES (-1: none).
        self.attendance = _Pair(n)
        self.cancellation = _Pair(n)
        self.attendance_advisory: Days = np.full((n, 2), -1, dtype=np.int64)
        # Where each row stands a year after the practicum and at the end: a state's
        # place in _STATES, a rule's in _STATUS_RULES (-1: none), the day a derived
        # state began (_NO_DAY: none).
        self.year_state: Days = np.full(n, -1, dtype=np.int64)
        self.year_rule: Days = np.full(n, -1, dtype=np.int64)
        self.year_since: Days = np.full(n, _NO_DAY, dtype=np.int64)
        self.final_state: Days = np.full(n, -1, dtype=np.int64)
        self.final_rule: Days = np.full(n, -1, dtype=np.int64)
        self.final_since: Days = np.full(n, _NO_DAY, dtype=np.int64)
        self.advised = _Advised(
            n, changes=changes, attempts=attempts, activities=activities, payments=payments
        )


class _RefusedWhile:
    """Where each event was refused for the journey's state: the state's place in ``_STATES``.

    -1 where it was not (accepted, refused by a rule or for its date order, or none).
    """

    def __init__(  # one size per list column
        self, n: int, *, changes: int, attempts: int, modules: int, activities: int, payments: int
    ) -> None:
        self.access: Days = np.full(n, -1, dtype=np.int64)
        self.activity: Days = np.full(activities, -1, dtype=np.int64)
        self.change: Days = np.full(changes, -1, dtype=np.int64)
        self.attempt: Days = np.full(attempts, -1, dtype=np.int64)
        self.module: Days = np.full(modules, -1, dtype=np.int64)
        self.assessment: Days = np.full(modules, -1, dtype=np.int64)
        self.renewal: Days = np.full(payments, -1, dtype=np.int64)
        self.elearning: Days = np.full(n, -1, dtype=np.int64)
        self.cancellation: Days = np.full(n, -1, dtype=np.int64)
        self.substitution: Days = np.full(n, -1, dtype=np.int64)
        self.re_enrolment: Days = np.full(n, -1, dtype=np.int64)


class _Pair:
    """An event's decisions (at most two, in order) as codes of ``words``, with their amounts."""

    def __init__(self, n: int) -> None:
        self.words = _Words.of()
        self.verdict: Days = np.full((n, 2), -1, dtype=np.int64)
        self.rule: Days = np.full((n, 2), -1, dtype=np.int64)
        self.fee: NDArray[np.object_] = np.full((n, 2), None, dtype=object)
        self.refund: NDArray[np.object_] = np.full((n, 2), None, dtype=object)

    def refused_for_the_state(self, at: Days) -> None:
        """The rows ``at`` were refused for their state: one decision, naming no rule."""
        self.verdict[at] = [self.words.verdicts.index(_REFUSED), -1]
        self.rule[at] = -1
        self.fee[at] = None
        self.refund[at] = None


class _Advised:
    """Each event's advisory (R3+R6, R8) and further decisions (R14, R17, R20) so far.

    Coded as places in ``advisories`` and ``further`` (-1: none), one array per column.
    """

    def __init__(  # one size per list column
        self, n: int, *, changes: int, attempts: int, activities: int, payments: int
    ) -> None:
        self.advisories = _Distinct()
        """each advisory given: its rules joined by ``+``, its severity."""
        self.further = _Distinct()
        """each further decision given: its rule, its verdict."""
        self.registration: Days = np.full(n, -1, dtype=np.int64)
        self.re_enrolment: Days = np.full(n, -1, dtype=np.int64)
        self.change: Days = np.full(changes, -1, dtype=np.int64)
        self.attempt_taken: Mask = np.zeros(attempts, dtype=bool)
        """whether the attempt was taken (no refusal: it decides in_window and its outcome)."""
        self.attempt_window: Days = np.full(attempts, -1, dtype=np.int64)
        self.attempt_period: Days = np.full(attempts, -1, dtype=np.int64)
        self.attempt: Days = np.full(attempts, -1, dtype=np.int64)
        self.activity_renewal: Days = np.full(activities, -1, dtype=np.int64)
        self.payment_renewal: Days = np.full(payments, -1, dtype=np.int64)

    def attempted(self, policy: Policy, at: Days, taken: Mask, certifying: Mask) -> None:
        """The attempts ``at`` in turn: R14's in_window and R17's period_started.

        One taken decides in_window first; one that certifies, period_started after
        its outcome.
        """
        window = self.further.code(in_window_answer(policy))
        started = self.further.code(period_started_answer(policy))
        self.attempt_taken[at] = taken
        self.attempt_window[at] = np.where(taken, window, -1)
        self.attempt_period[at] = np.where(certifying, started, -1)

    def renewed(self, policy: Policy, activities: Days, payments: Days) -> None:
        """The activities and payments (their places in the answers) that renew (R20)."""
        if len(activities) or len(payments):
            renewal = self.further.code(renewal_answer(policy))
            self.activity_renewal[activities] = renewal
            self.payment_renewal[payments] = renewal


class _Distinct:
    """Distinct pairs of words an answer column holds, each coded by its place."""

    def __init__(self) -> None:
        self.pairs: list[tuple[str, str]] = []

    def code(self, pair: tuple[str, str]) -> int:
        """The place of ``pair`` (added when new)."""
        if pair not in self.pairs:
            self.pairs.append(pair)
        return self.pairs.index(pair)

    def words(self, codes: Days, which: int) -> pa.Array:
        """Each code's ``which``-th word (a negative code: null)."""
        return _words(codes, tuple(pair[which] for pair in self.pairs))


_NOT_CERTIFIED: Final = -(1 << 41)


def _local_days(instants_us: Days, policy: Policy) -> Days:
    day: Days = ARRAY.local_day(instants_us, policy.zone)
    return day


def _versions_in_force(policy: Policy, cols: _Columns, replay: Mask) -> list[tuple[Policy, Days]]:
    """Which version judges each registration (``Policy.in_force_on``), as row groups."""
    rows = np.arange(len(cols.first), dtype=np.int64)
    groups = []
    version: Policy | None = policy
    while version is not None and len(rows):
        start = version.effective_from
        reg_day = _local_days(cols.registered_us[rows], version)
        earlier = (
            np.zeros(len(rows), dtype=bool)
            if start is None
            else reg_day < start.toordinal() - EPOCH
        )
        groups.append((version, rows[~earlier]))
        rows = rows[earlier]
        if len(rows) and version.extends is None:
            replay[rows] = True  # the journey raises PolicyError: nothing is in force
            break
        version = version.extended()
    return groups


def _calendar_days(policy: Policy) -> tuple[int, int]:
    """The first and last day numbers of the calendar years (the journey raises beyond)."""
    return (
        dt.date(policy.first_year, 1, 1).toordinal() - EPOCH,
        dt.date(policy.last_year, 12, 31).toordinal() - EPOCH,
    )


class _Group:
    """The rows one policy version answers, and where each candidate stands so far."""

    def __init__(
        self, policy: Policy, prices: PriceSchedule, cols: _Columns, rows: Days, replay: Mask
    ) -> None:
        self.policy, self.cols, self.rows, self.replay = policy, cols, rows, replay
        self.prices = prices
        self.first, self.last = cols.first[rows].copy(), cols.last[rows].copy()
        self.registered = cols.registered_us[rows]
        self.reg_day = _local_days(self.registered, policy)
        self.last_event = self.reg_day.copy()
        self.access_day = self.reg_day.copy()
        """the day access was granted (``_NO_DAY``: never, such as after a cancellation)."""
        self.grant_day = self.reg_day.copy()
        """the day of the grant asked, whether or not it was granted."""
        self.opened = cols.first_opened[rows].copy()
        """the day the eLearning was first opened (``_NO_DAY``: never, as far as is known)."""
        n = len(rows)
        self.cancel_pending = cols.cancelled_on[rows] != _NO_DAY
        self.re_pending = cols.re_on[rows] != _NO_DAY
        self.substitution_pending = cols.substitution_on[rows] != _NO_DAY
        self.cancelled = np.zeros(n, dtype=bool)
        self.credited = np.zeros(n, dtype=bool)
        self.until = np.zeros(n, dtype=np.int64)
        # The days a cancellation and a re-enrolment were accepted, and where the
        # attendance and the attempts left the candidate (set by _exam).
        self.cancel_day = np.full(n, _NO_DAY, dtype=np.int64)
        self.re_day = np.full(n, _NO_DAY, dtype=np.int64)
        self.attend_day = np.full(n, _NO_DAY, dtype=np.int64)
        """the day attendance was recorded (``_NO_DAY``: never, such as while cancelled)."""
        self.certified = np.full(n, _NOT_CERTIFIED, dtype=np.int64)
        self._lowest, self._highest = _calendar_days(policy)

    def outside(self, days: Days) -> Mask:
        """Days outside the policy's calendar years (the journey raises for them)."""
        return (days < self._lowest) | (days > self._highest)

    def replay_where(self, mask: Mask, among: Days | None = None) -> None:
        """Leave the rows where ``mask`` holds to their journeys."""
        chosen = self.rows if among is None else self.rows[among]
        self.replay[chosen[mask]] = True

    def stored_state(self, owner: Days, moment: Days) -> Days:
        """The stored state each of ``owner`` (places in the group) is in at ``moment``.

        Where the events before the moment (:func:`_moment`) left the row, as the
        vectors answer them: access granted, a cancellation in writing and a
        re-enrolment accepted, the attendance recorded, the attempt that certifies.
        Each state is its place in ``_STATES``.
        """
        state = np.full(len(owner), _STATE[State.REGISTERED], dtype=np.int64)
        state[_moment(self.access_day[owner], GrantAccess) < moment] = _STATE[State.IN_PREWORK]
        cancelled = _moment(self.cancel_day[owner], Cancel) < moment
        cancelled &= ~(_moment(self.re_day[owner], ReEnroll) < moment)
        # A re-enrolment returns to prework: the access was granted before the cancellation.
        state[cancelled] = _STATE[State.CANCELLED]
        attended = _moment(self.attend_day[owner], RecordAttendance) < moment
        kind = self.cols.attendance[self.rows[owner[attended]]]
        state[attended] = _RECORDED_STATE[kind]
        certified = self.certified[owner]
        passed = (certified != _NOT_CERTIFIED) & (_moment(certified, AttemptExam) < moment)
        state[passed] = _STATE[State.CERTIFIED]
        return state


def _answer(
    policy: Policy, prices: PriceSchedule, cols: _Columns, rows: Days, *, out: _Out, replay: Mask
) -> None:
    rows = _registration(policy, cols, rows, out=out, replay=replay)
    if not len(rows):
        return
    group = _Group(policy, prices, cols, rows, replay)
    _registration_and_access(group, out)
    _quotes(group, out)
    _cancellation_dates(group)
    _changes(group, out)
    _key_dates(group, out)
    _exam(group, out)
    _modules(group, out)
    _attempt_advisories(group, out)
    _continuing_education(group, out)
    _attendance_advisories(group, out)
    _refused_for_the_state(group, out)
    _states(group, out)


def _registration(policy: Policy, cols: _Columns, rows: Days, *, out: _Out, replay: Mask) -> Days:
    """The registrations the family refuses, answered; the rows it accepts, returned.

    A row whose registration day or session lies off the calendar is left to its
    journey, which raises there.
    """
    first, last = cols.first[rows], cols.last[rows]
    reg_day = _local_days(cols.registered_us[rows], policy)
    refusal, which = _codes(
        REGISTRATION_REFUSALS,
        RegistrationCase(policy=policy, day=reg_day, first=first, last=last),
        len(rows),
    )
    lowest, highest = _calendar_days(policy)
    off = np.zeros(len(rows), dtype=bool)
    for days in (reg_day, first, last):
        off |= (days < lowest) | (days > highest)
    replay[rows[off]] = True
    refused = (refusal >= 0) & ~off
    at = rows[refused]
    out.registration_verdict[at], out.registration_rule[at] = _REGISTRATION_WORDS.codes(
        REGISTRATION_REFUSALS, refusal[refused], which[refused]
    )
    _never_registered(cols, at, out=out, replay=replay)
    kept: Days = rows[~refused]
    return kept


def _never_registered(cols: _Columns, rows: Days, *, out: _Out, replay: Mask) -> None:
    """The rows ``rows``, whose registration was refused: the journey stays new.

    Every later event is refused for that state (``TRANSITIONS``), naming no rule:
    no key date, no quote, no session held, no attendance. A row with an event the
    new state would accept (none does today) is left to its journey.
    """
    new = np.full(len(rows), _STATE[State.NEW], dtype=np.int64)
    out.unregistered[rows] = True
    out.year_state[rows] = out.final_state[rows] = new
    refused_while = out.refused_while
    listed: tuple[tuple[Days, type[Event], Days, Days, _Words, Days], ...] = (
        (
            cols.change_offsets,
            RequestChange,
            out.change_verdict,
            out.change_rule,
            _CHANGE_WORDS,
            refused_while.change,
        ),
        (
            cols.attempt_offsets,
            AttemptExam,
            out.attempt_verdict,
            out.attempt_rule,
            _ATTEMPT_WORDS,
            refused_while.attempt,
        ),
        (
            cols.module_offsets,
            CompleteModule,
            out.module_verdict,
            out.module_rule,
            _MODULE_WORDS,
            refused_while.module,
        ),
        (
            cols.activity_offsets,
            RecordActivity,
            out.activity_verdict,
            out.activity_rule,
            _ACTIVITY_WORDS,
            refused_while.activity,
        ),
        (
            cols.payment_offsets,
            PayRenewalFee,
            out.renewal_verdict,
            out.renewal_rule,
            _RENEWAL_WORDS,
            refused_while.renewal,
        ),
    )
    for offsets, kind, verdicts, rules, words, into in listed:
        at, owner, _ = _items(offsets, rows)
        state = _refusing(new[owner], kind)
        replay[rows[owner[state < 0]]] = True
        verdicts[at], rules[at], into[at] = words.verdicts.index(_REFUSED), -1, state
    # An assessment is answered only where the module's completion records one.
    at, owner, _ = _items(cols.module_offsets, rows)
    taken = cols.module_passed[at] >= 0
    state = _refusing(new[owner], RecordAssessment)
    replay[rows[owner[taken & (state < 0)]]] = True
    refused = _ASSESSMENT_WORDS.verdicts.index(_REFUSED)
    out.assessment_verdict[at] = np.where(taken, refused, -1)
    out.assessment_rule[at] = -1
    refused_while.assessment[at] = np.where(taken, state, -1)
    out.access[rows] = _ACCESS_WORDS.verdicts.index(_REFUSED)
    refused_while.access[rows] = _refusing(new, GrantAccess)
    replay[rows[refused_while.access[rows] < 0]] = True
    for days, kind, into in _events_once(cols, refused_while):
        asked = days[rows] != _NO_DAY
        state = _refusing(new, kind)
        replay[rows[asked & (state < 0)]] = True
        into[rows] = np.where(asked, state, -1)
    _once_refused_for_the_state(out, rows)


def _events_once(
    cols: _Columns, refused_while: _RefusedWhile
) -> tuple[tuple[Days, type[Event], Days], ...]:
    """The events a row has at most once: each one's days, its kind and its state slot."""
    return (
        (cols.elearning_on, OpenElearning, refused_while.elearning),
        (cols.cancelled_on, Cancel, refused_while.cancellation),
        (cols.substitution_on, Substitute, refused_while.substitution),
        (cols.re_on, ReEnroll, refused_while.re_enrolment),
    )


def _once_refused_for_the_state(out: _Out, rows: Days) -> None:
    """A cancellation, substitution or re-enrolment of ``rows`` refused for the state.

    Refused naming no rule, deciding nothing, whatever was answered for it before.
    """
    refused_while = out.refused_while
    out.cancellation.refused_for_the_state(rows[refused_while.cancellation[rows] >= 0])
    at = rows[refused_while.substitution[rows] >= 0]
    out.substitution_verdict[at] = _SUBSTITUTION_WORDS.verdicts.index(_REFUSED)
    out.substitution_rule[at] = -1
    at = rows[refused_while.re_enrolment[rows] >= 0]
    out.re_enrolment_verdict[at] = out.re_enrolment_words.verdicts.index(_REFUSED)
    out.re_enrolment_rule[at] = -1
    out.advised.re_enrolment[at] = -1


def _registration_and_access(group: _Group, out: _Out) -> None:
    """The late fee and advisory of each registration accepted, access due and its verdict."""
    policy, rows, n = group.policy, group.rows, len(group.rows)
    first, reg_day = group.first, group.reg_day
    late = RegistrationFeeCase(policy=policy, prices=group.prices, day=reg_day, first=first)
    for table in reversed(REGISTRATION_FEES):  # the family's order: the first that charges
        late_rows, late_which = _codes(table, late, n)
        charged = late_rows >= 0
        verdict, rule = _LATE_WORDS.codes(table, late_rows[charged], late_which[charged])
        out.late_verdict[rows[charged]], out.late_rule[rows[charged]] = verdict, rule
    everyone = np.ones(n, dtype=bool)
    out.advised.registration[rows] = _lead_time_advisories(
        group, out.advised, reg_day, first, given=everyone
    )
    due = access_due(policy, group.registered, ops=ARRAY)
    group.replay_where(outside(due))
    granted = group.registered + group.cols.minutes[rows] * _US_PER_MINUTE
    out.access_due_us[rows] = due
    access_rows, which = _codes(
        ACCESS_VERDICT, AccessCase(policy=policy, due=due, granted=granted), n
    )
    out.access[rows], _ = _ACCESS_WORDS.codes(ACCESS_VERDICT, access_rows, which)
    access_day = _local_days(granted, policy)
    group.replay_where(group.outside(access_day))
    # Events are applied in date order: a change dated before a late grant comes
    # first, and a grant after the practicum comes after the attendance. The
    # vectors answer the usual order (the grant before anything else); rows where
    # the grant comes later than another event are left to their journeys.
    group.grant_day, group.access_day = access_day, access_day.copy()
    group.replay_where(access_day >= first)
    _opened_after_the_grant(group)
    _cancelled_before_the_grant(group, out)


def _opened_after_the_grant(group: _Group) -> None:
    """Where the eLearning is first opened by the grant's day: the first opening after it.

    Where the state before the grant (``registered``) refuses an opening or a module
    (``TRANSITIONS``), nothing opens then; the first opening after it, or module the
    family lets be completed (R5's table), is the day the journey keeps
    (``elearning_opened_on``).
    """
    cols, rows = group.cols, group.rows
    early = np.flatnonzero(group.opened <= group.access_day)
    if not len(early):
        return
    grant = _moment(group.access_day[early], GrantAccess)
    on = cols.elearning_on[rows[early]]
    counts = (_moment(on, OpenElearning) > grant) | _registered_accepts(OpenElearning)
    opened = np.where(counts, on, _NO_DAY)
    at, owner, number = _items(cols.module_offsets, rows[early])
    day = cols.module_on[at]
    case = ModuleCase(policy=group.policy, module=number, already=np.zeros(len(at), dtype=bool))
    refused, _ = _codes(MODULE_REFUSALS, case, len(at))
    counts = (_moment(day, CompleteModule) > grant[owner]) | _registered_accepts(CompleteModule)
    opens = (refused < 0) & counts
    np.minimum.at(opened, owner[opens], day[opens])
    group.opened[early] = opened


def _registered_accepts(kind: type[Event]) -> bool:
    """Whether the state before the grant (``registered``) accepts an event of ``kind``."""
    registered = np.array([_STATE[State.REGISTERED]], dtype=np.int64)
    return bool(_refusing(registered, kind)[0] < 0)


def _cancelled_before_the_grant(group: _Group, out: _Out) -> None:
    """A cancellation accepted before the access is granted: the grant is refused for the state.

    The access is then never granted (a re-enrolment returns to registered), so the
    eLearning is never opened before the cancellation. A re-enrolment dated by the
    grant's day, or a cancellation the family refuses, is left to the journey.
    """
    cols, rows = group.cols, group.rows
    on = cols.cancelled_on[rows]
    early = group.cancel_pending & (on >= group.reg_day) & (on < group.access_day)
    group.replay_where(early & group.outside(on))
    case = CancelCase(
        policy=group.policy,
        on=on,
        held_first=group.first,
        registered_on=group.reg_day,
        opened=np.full(len(rows), _NO_DAY, dtype=np.int64),
    )
    refused, _ = _codes(CANCEL_REFUSALS, case, len(rows))
    state = _refusing(np.full(len(rows), _STATE[State.CANCELLED], dtype=np.int64), GrantAccess)
    re_first = group.re_pending & (cols.re_on[rows] <= group.access_day)
    # An opening counted by the cancellation's day (_opened_after_the_grant: only where
    # the state before the grant accepts one) would open the eLearning: the journey's.
    opened_then = group.opened <= on
    group.replay_where(early & ((refused >= 0) | (state < 0) | re_first | opened_then))
    chosen = np.flatnonzero(early)
    out.access[rows[chosen]] = _ACCESS_WORDS.verdicts.index(_REFUSED)
    out.refused_while.access[rows[chosen]] = state[chosen]
    group.access_day[chosen] = _NO_DAY
    group.opened[chosen] = _NO_DAY


def _quotes(group: _Group, out: _Out) -> None:
    """The registration's quote: asked of the pricing family once per kind of registration."""
    rows = group.rows
    organisations = tuple(OrganisationType)
    # One number per kind of registration (a group size fits far below the multiplier).
    kinds = group.cols.organisation[rows] * (1 << 32) + group.cols.group_size[rows]
    distinct, which = np.unique(kinds, return_inverse=True)
    out.quote[rows] = len(out.quotes) + which.reshape(-1)
    out.quotes += [
        _Quote.of(
            organisations[int(kind) >> 32], int(kind) & 0xFFFFFFFF, group.policy, group.prices
        )
        for kind in distinct
    ]


def _changes(group: _Group, out: _Out) -> None:
    """Each change in turn, for every candidate who asked for it: refused, free or paid."""
    policy, cols, rows = group.policy, group.cols, group.rows
    offsets = cols.change_offsets
    counts = offsets[rows + 1] - offsets[rows]
    free_used = np.zeros(len(rows), dtype=np.int64)
    free_word = _CHANGE_WORDS.verdicts.index(USES_A_FREE_CHANGE)
    for k in range(int(counts.max(initial=0))):
        asking = np.flatnonzero(counts > k)
        at = offsets[rows[asking]] + k
        on, to_first, to_last = cols.change_on[at], cols.change_first[at], cols.change_last[at]
        group.replay_where(
            group.outside(on) | group.outside(to_first) | group.outside(to_last), asking
        )
        # A substitution, cancellation or re-enrolment dated before the change comes
        # first (one dated the same day comes after it).
        _until(group, out, asking, before=on)
        held_first, held_last = group.first[asking], group.last[asking]
        # Attendance is recorded on the held session's last day: a change dated from its
        # first day on meets a journey that may have attended by then (unless cancelled
        # before: no attendance, the change refused for the state). A change dated
        # before a late grant is answered like one after it: the rules it meets read
        # the sessions and the day, not the access.
        group.replay_where((on >= held_first) & ~group.cancelled[asking], asking)
        deadline = free_change_deadline(policy, held_first, ops=ARRAY)
        group.replay_where(outside(deadline), asking)
        case = ChangeCase(
            policy=policy,
            prices=None,
            on=on,
            held_first=held_first,
            held_last=held_last,
            to_first=to_first,
            to_last=to_last,
            deadline=deadline,
            used=free_used[asking],
            changes_made=None,
        )
        n = len(asking)
        refused_rows, refused_which = _codes(CHANGE_REFUSALS, case, n)
        fee_rows, fee_which = _codes(CHANGE_FEE_PRECEDENCE, case, n)
        refused_verdict, refused_rule = _CHANGE_WORDS.codes(
            CHANGE_REFUSALS, refused_rows, refused_which
        )
        fee_verdict, fee_rule = _CHANGE_WORDS.codes(CHANGE_FEE_PRECEDENCE, fee_rows, fee_which)
        refused = refused_rows >= 0
        verdict = np.where(refused, refused_verdict, fee_verdict)
        rule = np.where(refused, refused_rule, fee_rule)
        # The date order and the state are the engine's, no rule's: a change out of
        # order, or while cancelled, is refused naming none.
        out_of_order = (on < group.last_event[asking]) | group.cancelled[asking]
        verdict = np.where(out_of_order, _CHANGE_WORDS.verdicts.index(_REFUSED), verdict)
        rule = np.where(out_of_order, -1, rule)
        out.change_verdict[at] = verdict
        out.change_rule[at] = rule
        accepted = ~(refused | out_of_order)
        advised = _lead_time_advisories(
            group, out.advised, on, to_first, given=accepted, among=asking
        )
        out.advised.change[at] = np.where(accepted, advised, -1)
        moved = asking[accepted]
        # A grant on or after the new session's first day may come after its attendance
        # (recorded on its last day): replayed, as the session first held is in
        # _registration_and_access.
        group.replay_where(accepted & (group.grant_day[asking] >= to_first), asking)
        group.first[moved], group.last[moved] = to_first[accepted], to_last[accepted]
        group.last_event[moved] = on[accepted]
        free_used[asking] = free_changes_after(free_used[asking], accepted & (verdict == free_word))
    everyone = np.arange(len(rows), dtype=np.int64)
    _until(group, out, everyone, before=None)


def _lead_time_advisories(
    group: _Group,
    advised: _Advised,
    start: Days,
    first_day: Days,
    *,
    given: Mask,
    among: Days | None = None,
) -> Days:
    """The lead-time advisory (R3+R6) of each ``start`` before ``first_day``, where ``given``.

    Coded as places in ``advised.advisories`` (-1: none). A day the advice counts off
    the business calendar leaves the row to its journey, which raises there.
    """
    policy = group.policy
    prework_by, lead_by = lead_time_starts(policy, first_day, ops=ARRAY)
    group.replay_where(given & (outside(prework_by) | outside(lead_by)), among)
    advice = np.asarray(lead_time_advice(ARRAY, policy, start, first_day), dtype=np.int64)
    codes = np.full(len(start), -1, dtype=np.int64)
    for place, severity in enumerate(LEAD_TIME_ADVICE):
        here = given & (advice == place)
        if severity is not None and here.any():
            rules = "+".join(lead_time_rules(policy))
            codes[here] = advised.advisories.code((rules, str(severity)))
    return codes


def _cancellation_dates(group: _Group) -> None:
    """Rows whose cancellation or re-enrolment the vectors do not model go to journeys."""
    cols, rows = group.cols, group.rows
    cancelled_on, re_on = cols.cancelled_on[rows], cols.re_on[rows]
    has_cancel, has_re = group.cancel_pending, group.re_pending
    # A cancellation before the registration's day, or an event off the calendar, is
    # the journey's to refuse (one before the grant is answered: the grant is refused).
    group.replay_where(has_cancel & ((cancelled_on < group.reg_day) | group.outside(cancelled_on)))
    opened, any_opened = group.opened, cols.first_opened[rows]
    group.replay_where(has_cancel & (opened != _NO_DAY) & (opened < group.access_day))
    group.replay_where(has_cancel & (any_opened != _NO_DAY) & group.outside(any_opened))
    # An eLearning opening or a substitution off the calendar is the journey's to raise for.
    for day in (cols.elearning_on[rows], cols.substitution_on[rows]):
        group.replay_where((day != _NO_DAY) & group.outside(day))
    group.replay_where(
        has_re
        & (
            (re_on < group.reg_day)
            | group.outside(re_on)
            | group.outside(cols.re_first[rows])
            | group.outside(cols.re_last[rows])
        )
    )


def _until(group: _Group, out: _Out, among: Days, *, before: Days | None) -> None:
    """Apply the pending substitution, cancellation and re-enrolment of ``among`` in turn.

    Those dated before ``before`` (all if None), in the order the journey lives them:
    by date, and on one day the substitution, the cancellation, the re-enrolment.
    """
    cols, at = group.cols, group.rows[among]
    limit = np.full(len(among), _NO_DAY + 1, dtype=np.int64) if before is None else before
    cancel_on = np.where(group.cancel_pending[among], cols.cancelled_on[at], _NO_DAY)
    re_on = np.where(group.re_pending[among], cols.re_on[at], _NO_DAY)
    _substitute(group, out, among, before=np.minimum(limit, np.minimum(cancel_on, re_on) + 1))
    _cancel(group, out, among, before=limit)
    _substitute(group, out, among, before=np.minimum(limit, re_on + 1))
    _re_enrol(group, out, among, before=limit)
    _substitute(group, out, among, before=limit)


def _substitute(group: _Group, out: _Out, among: Days, *, before: Days) -> None:
    """Answer the pending substitutions of ``among`` dated before ``before`` (R27).

    Against the session held then; one the journey's state does not allow (after a
    cancellation or the attendance) is answered for its state afterwards.
    """
    cols, policy = group.cols, group.policy
    on = cols.substitution_on[group.rows[among]]
    due = group.substitution_pending[among] & (on < before)
    if not due.any():
        return
    chosen, on = among[due], on[due]
    group.substitution_pending[chosen] = False
    n, at = len(chosen), group.rows[chosen]
    case = SubstitutionCase(policy=policy, on=on, held_first=group.first[chosen])
    refusal, refusal_which = _codes(SUBSTITUTION_REFUSALS, case, n)
    # The date order is the engine's, asked before the rule: a substitution dated
    # before the previous event is refused naming none.
    in_order = on >= group.last_event[chosen]
    allowed = (refusal < 0) & in_order & ~group.cancelled[chosen]
    deadline = np.zeros(n, dtype=np.int64)
    deadline[allowed] = free_change_deadline(policy, case.held_first[allowed], ops=ARRAY)
    group.replay_where(allowed & outside(deadline), chosen)
    fee, fee_which = _codes(SUBSTITUTION_FEE, case._replace(deadline=deadline), n)
    words = _SUBSTITUTION_WORDS
    refused_verdict, refused_rule = words.codes(SUBSTITUTION_REFUSALS, refusal, refusal_which)
    fee_verdict, fee_rule = words.codes(SUBSTITUTION_FEE, fee, fee_which)
    ruled = (refusal >= 0) & in_order
    out.substitution_verdict[at] = np.where(
        allowed, fee_verdict, np.where(ruled, refused_verdict, words.verdicts.index(_REFUSED))
    )
    out.substitution_rule[at] = np.where(allowed, fee_rule, np.where(ruled, refused_rule, -1))
    group.last_event[chosen[allowed]] = on[allowed]


def _cancel(group: _Group, out: _Out, among: Days, *, before: Days) -> None:
    """Apply the pending cancellations of ``among`` dated before ``before``.

    Refused (R26), or its decisions (R24's refund or not, R25's credit) and the
    credit it leaves.
    """
    cols = group.cols
    on = cols.cancelled_on[group.rows[among]]
    due = group.cancel_pending[among] & (on < before)
    if not due.any():
        return
    chosen = among[due]
    on = on[due]
    group.cancel_pending[chosen] = False
    case = CancelCase(
        policy=group.policy,
        on=on,
        held_first=group.first[chosen],
        registered_on=group.reg_day[chosen],
        opened=group.opened[chosen],
    )
    refused, which = _codes(CANCEL_REFUSALS, case, len(chosen))
    done = refused < 0
    # Refused (R26); one the journey's state does not allow is answered so afterwards.
    slots = out.cancellation
    ruled = group.rows[chosen[~done]]
    slots.verdict[ruled, 0], slots.rule[ruled, 0] = slots.words.codes(
        CANCEL_REFUSALS, refused[~done], which[~done]
    )
    taken = chosen[done]
    group.cancelled[taken] = True
    group.cancel_day[taken] = on[done]
    group.credited[taken] = ~np.asarray(refund_due(ARRAY, case), dtype=bool)[done]
    group.until[taken] = credit_until(group.policy, on[done], ops=ARRAY)
    group.last_event[taken] = on[done]
    accepted = CancelCase(
        policy=group.policy,
        on=on[done],
        held_first=case.held_first[done],
        registered_on=case.registered_on[done],
        opened=case.opened[done],
    )
    _cancellation_decisions(group, slots, group.rows[taken], accepted)


def _re_enrol(group: _Group, out: _Out, among: Days, *, before: Days) -> None:
    """Apply the pending re-enrolments of ``among`` dated before ``before``.

    Refused by R25 or R2 (or, found nothing cancelled, for the state: answered
    afterwards), or re-enrolled with its lead-time advisory (R3+R6).
    """
    cols = group.cols
    at = group.rows[among]
    on = cols.re_on[at]
    due = group.re_pending[among] & (on < before)
    # One dated before a pending cancellation comes first, and finds nothing cancelled.
    due &= ~group.cancel_pending[among] | (on < cols.cancelled_on[at])
    if not due.any():
        return
    chosen = among[due]
    at, on = at[due], on[due]
    group.re_pending[chosen] = False
    n = len(chosen)
    case = ReEnrolCase(
        policy=group.policy,
        on=on,
        credited=group.credited[chosen],
        until=group.until[chosen],
        used=np.zeros(n, dtype=np.int64),
        first=cols.re_first[at],
        last=cols.re_last[at],
    )
    credit, credit_which = _codes(RE_ENROL_CREDIT, case, n)
    session, session_which = _codes(RE_ENROL_SESSION, case, n)
    # One dated before the cancellation found nothing cancelled: refused for the state,
    # which is answered afterwards.
    cancelled = group.cancelled[chosen] & (on >= cols.cancelled_on[at])
    done = cancelled & (credit < 0) & (session < 0)
    words = out.re_enrolment_words
    credit_verdict, credit_rule = words.codes(RE_ENROL_CREDIT, credit, credit_which)
    session_verdict, session_rule = words.codes(RE_ENROL_SESSION, session, session_which)
    taken_verdict, taken_rule = words.code(re_enrolled_answer(group.policy))
    verdict = np.where(credit >= 0, credit_verdict, np.where(session >= 0, session_verdict, -1))
    rule = np.where(credit >= 0, credit_rule, np.where(session >= 0, session_rule, -1))
    out.re_enrolment_verdict[at] = np.where(done, taken_verdict, verdict)
    out.re_enrolment_rule[at] = np.where(done, taken_rule, rule)
    advised = _lead_time_advisories(group, out.advised, on, case.first, given=done, among=chosen)
    out.advised.re_enrolment[at] = np.where(done, advised, -1)
    taken = chosen[done]
    group.cancelled[taken] = False
    group.re_day[taken] = on[done]
    group.first[taken], group.last[taken] = case.first[done], case.last[done]
    group.last_event[taken] = on[done]


def _key_dates(group: _Group, out: _Out) -> None:
    """The key dates of the session finally held."""
    policy, rows = group.policy, group.rows
    out.prework_start[rows] = recommended_prework_start(
        policy, group.reg_day, group.first, ops=ARRAY
    )
    deadline = free_change_deadline(policy, group.first, ops=ARRAY)
    group.replay_where(outside(deadline))
    out.deadline[rows] = deadline
    opens = exam_opens(policy, group.last, ops=ARRAY)
    out.exam_opens[rows] = opens
    out.exam_closes[rows] = exam_closes(policy, opens, first_day=group.first, ops=ARRAY)


def _absent_with_notice(group: _Group, recorded: Mask, out: _Out) -> None:
    """An absence with notice cancels on the attendance day; what the credit is left then."""
    cols, rows = group.cols, group.rows
    noticed = recorded & (cols.attendance[rows] == _ATTENDANCE_CODE[Attendance.ABSENT_WITH_NOTICE])
    opened = group.opened
    # An eLearning opened before access is granted is the journey's to answer, and so
    # is a re-enrolment dated from the attendance day on: the absence's credit pays it.
    re_on = cols.re_on[rows]
    group.replay_where(
        noticed & ((opened < group.access_day) | ((re_on != _NO_DAY) & (re_on >= group.last)))
    )
    chosen = np.flatnonzero(noticed)
    on = group.last[chosen]
    case = CancelCase(
        policy=group.policy,
        on=on,
        held_first=group.first[chosen],
        registered_on=group.reg_day[chosen],
        # Opened after the attendance day is not opened yet on it.
        opened=np.where(opened[chosen] > on, _NO_DAY, opened[chosen]),
    )
    credited = ~np.asarray(refund_due(ARRAY, case), dtype=bool)
    out.credit_until[rows[chosen[credited]]] = credit_until(group.policy, on[credited], ops=ARRAY)
    _cancellation_decisions(group, out.attendance, rows[chosen], case)
    # A cancellation (in writing) left standing keeps its credit's end, unless refunded.
    kept = group.cancelled & group.credited
    out.credit_until[rows[kept]] = group.until[kept]


def _cancellation_decisions(group: _Group, slots: _Pair, at: Days, case: CancelCase) -> None:
    """A cancellation's decisions for the rows ``at`` (in the cohort): refund or not, credit."""
    words, policy = slots.words, group.policy
    outcome = cancellation_outcome(policy)
    tier, which = _codes(outcome, case, len(at))
    slots.verdict[at, 0], slots.rule[at, 0] = words.codes(outcome, tier, which)
    # Each tier's amounts under the schedule, as the family prices them.
    amounts = [tier_amounts(group.prices, t) for t in refund_tiers_of(policy)]
    for i, (refund, fee) in enumerate(amounts):
        here = at[tier == i]
        slots.refund[here, 0] = _known(refund)
        slots.fee[here, 0] = _known(fee)
    credit, credit_which = _codes(TUITION_CREDIT, case, len(at))
    verdict, rule = words.codes(TUITION_CREDIT, credit, credit_which)
    left = credit >= 0
    slots.verdict[at[left], 1], slots.rule[at[left], 1] = verdict[left], rule[left]


def _attendance(group: _Group, out: _Out, recorded: Mask) -> None:
    """The decision of each attendance recorded (an absence with notice: a cancellation's)."""
    chosen = np.flatnonzero(recorded)
    at = group.rows[chosen]
    case = AttendanceCase(policy=group.policy, kind=group.cols.attendance[at])
    slots = out.attendance
    answered, which = _codes(ATTENDANCE_OUTCOME, case, len(at))
    verdict, rule = slots.words.codes(ATTENDANCE_OUTCOME, answered, which)
    decided = answered >= 0
    slots.verdict[at[decided], 0] = verdict[decided]
    slots.rule[at[decided], 0] = rule[decided]
    fees = slots.words.amounts(group.prices, verdict, _FEE).to_pylist()
    slots.fee[at[decided], 0] = np.array(fees, dtype=object)[decided]


def _attendance_advisories(group: _Group, out: _Out) -> None:
    """Each attendance's advisories: part of the session missed (R12), modules unfinished (R8).

    Modules dated on the attendance day come before it (the journey's order of a day).
    """
    cols, rows = group.cols, group.rows
    released = (group.attend_day != _NO_DAY) & np.isin(cols.attendance[rows], _RELEASING)
    case = AttendanceCase(policy=group.policy, kind=cols.attendance[rows])
    partly = released & np.asarray(partly_attended(ARRAY, case), dtype=bool)
    item, owner, _ = _items(cols.module_offsets, rows)
    refused = _MODULE_WORDS.verdicts.index(_REFUSED)
    done_by = (out.module_verdict[item] != refused) & (
        cols.module_on[item] <= group.attend_day[owner]
    )
    done = segment_sums(done_by.astype(np.int64), owner, len(rows))
    unfinished = released & np.asarray(modules_unfinished(ARRAY, group.policy, done), dtype=bool)
    first = np.where(
        partly, _ADVISORIES.index(_PARTLY), np.where(unfinished, _ADVISORIES.index(_UNFINISHED), -1)
    )
    second = np.where(partly & unfinished, _ADVISORIES.index(_UNFINISHED), -1)
    out.attendance_advisory[rows, 0], out.attendance_advisory[rows, 1] = first, second


def _attempt_advisories(group: _Group, out: _Out) -> None:
    """Each attempt taken: prework modules unfinished by its day (R8).

    Modules dated on the attempt's day come before it (the journey's order of a day).
    """
    cols, rows = group.cols, group.rows
    at, owner, _ = _items(cols.attempt_offsets, rows)
    if not len(at):
        return
    item, by, _ = _items(cols.module_offsets, rows)
    done = out.module_verdict[item] != _MODULE_WORDS.verdicts.index(_REFUSED)
    # The modules done, keyed by row then day: in order, as the journey numbers them.
    keys = _row_days(by[done], cols.module_on[item[done]])
    on = cols.attempt_on[at]
    upto = np.searchsorted(keys, _row_days(owner, on), side="right")
    before = np.searchsorted(keys, _row_days(owner, np.full(len(at), _FIRST_DAY)), side="left")
    advised = out.advised
    unfinished = advised.attempt_taken[at] & np.asarray(
        modules_unfinished(ARRAY, group.policy, upto - before), dtype=bool
    )
    if unfinished.any():
        advised.attempt[at[unfinished]] = advised.advisories.code(_UNFINISHED)


_FIRST_DAY: Final = -(1 << 31)
"""A day before any a cohort's columns hold (``date32`` days since 1970-01-01)."""


def _row_days(owner: Days, days: Days) -> Days:
    """One ordered key per item: its row first, then its day."""
    keyed: Days = owner * (1 << 32) + (days - _FIRST_DAY)
    return keyed


def _exam(group: _Group, out: _Out) -> None:
    """Attendance, then the attempts in turn while none has certified, and the period."""
    policy, cols, rows = group.policy, group.cols, group.rows
    first, last = group.first, group.last
    # Attendance is recorded on the last day of the session held (a refused change
    # changes nothing), before anything dated later.
    planned = last
    recorded = (
        (planned >= group.last_event)
        & attendance_recordable(ARRAY, planned, first)
        & ~group.cancelled
    )
    attended = recorded & np.isin(cols.attendance[rows], _RELEASING)
    last_event = np.where(recorded, planned, group.last_event)
    out.first[rows], out.last[rows] = first, last
    _absent_with_notice(group, recorded, out)
    _attendance(group, out, recorded)
    opens, closes = out.exam_opens[rows], out.exam_closes[rows]
    offsets = cols.attempt_offsets
    counts = np.where(attended, offsets[rows + 1] - offsets[rows], 0)
    taken = np.zeros(len(rows), dtype=np.int64)
    certified = np.full(len(rows), _NOT_CERTIFIED, dtype=np.int64)
    for k in range(int(counts.max(initial=0))):
        sitting = np.flatnonzero((counts > k) & (certified == _NOT_CERTIFIED))
        at = offsets[rows[sitting]] + k
        on = cols.attempt_on[at]
        # One dated before the attendance comes first, and meets a journey not yet
        # attended: refused for its state (the default answer), and it changes nothing.
        after = on >= planned[sitting]
        sitting, at, on = sitting[after], at[after], on[after]
        group.replay_where(group.outside(on), sitting)
        case = AttemptCase(
            policy=policy,
            on=on,
            opens=opens[sitting],
            closes=closes[sitting],
            taken=taken[sitting],
            # Rows with modules are replayed where attempts read them: none is done here.
            completed=0,
            passed=cols.attempt_passed[at],
            prices=group.prices,
        )
        refusal, refusal_which = _codes(ATTEMPT_REFUSALS, case, len(sitting))
        outcome, outcome_which = _codes(ATTEMPT_OUTCOME, case, len(sitting))
        retake, retake_which = _codes(RETAKE_FEE, case, len(sitting))
        refused_verdict, refused_rule = _ATTEMPT_WORDS.codes(
            ATTEMPT_REFUSALS, refusal, refusal_which
        )
        taken_verdict, taken_rule = _ATTEMPT_WORDS.codes(ATTEMPT_OUTCOME, outcome, outcome_which)
        fee_verdict, fee_rule = _RETAKE_WORDS.codes(RETAKE_FEE, retake, retake_which)
        # The date order is the engine's: an attempt before the previous event is refused.
        in_order = on >= last_event[sitting]
        accepted = (refusal < 0) & in_order
        ruled = (refusal >= 0) & in_order
        out.attempt_verdict[at] = np.where(
            accepted, taken_verdict, np.where(ruled, refused_verdict, out.attempt_verdict[at])
        )
        out.attempt_rule[at] = np.where(accepted, taken_rule, np.where(ruled, refused_rule, -1))
        out.retake_verdict[at] = np.where(accepted, fee_verdict, -1)
        out.retake_rule[at] = np.where(accepted, fee_rule, -1)
        took = sitting[accepted]
        taken[took] += 1
        last_event[took] = on[accepted]
        passed = accepted & np.asarray(certifies(ARRAY, case), dtype=bool)
        certified[sitting[passed]] = on[passed]
        out.advised.attempted(policy, at, accepted, passed)
    out.certified_on[rows] = certified
    group.certified = certified
    group.attend_day = np.where(recorded, planned, _NO_DAY)
    has = certified != _NOT_CERTIFIED
    ends = np.zeros(len(rows), dtype=np.int64)
    ends[has] = period_end(policy, certified[has], ops=ARRAY)
    out.period_end[rows] = ends


def _continuing_education(group: _Group, out: _Out) -> None:  # noqa: PLR0915  # one loop
    """Every period a row's renewals start, each activity's verdict and each renewal fee's.

    The events are lived in the journey's order: each period's renewal is the first
    event that asks R18 of it (an activity recorded toward it, a renewal fee it
    accepts, after the renewal before it) with the events so far meeting R18. Each
    event is then answered by the period latest when it came: in its grace period
    (R20) an activity counts toward none and a fee is accepted late.
    """
    policy, cols, rows = group.policy, group.cols, group.rows
    n = len(rows)
    at, owner, _ = _items(cols.activity_offsets, rows)
    paid_at, payer, _ = _items(cols.payment_offsets, rows)
    on, paid_on = cols.activity_on[at], cols.payment_on[paid_at]
    off = np.zeros(n, dtype=bool)
    off[owner[group.outside(on)]] = True
    off[payer[group.outside(paid_on)]] = True
    group.replay_where(off)
    certified = group.certified
    has = certified != _NOT_CERTIFIED
    start = np.where(has, certified, 0)
    end = out.period_end[rows].copy()
    out.period_count[rows] = has
    ends, renewal_days, renewed_by = [end.copy()], [], []
    qualifying = np.isin(cols.activity_category[at], qualifying_places(policy))
    hours = np.where(cols.activity_first[at] & qualifying, cols.activity_hours[at], 0)
    limited = np.array(category_groups(policy), dtype=np.int64)[cols.activity_category[at]]
    events = _Events.of(cols, at, owner, paid_at, payer)
    started = has[owner] & (on >= certified[owner])
    paying = has[payer] & (paid_on >= certified[payer])  # before, refused for the state
    acted, paid_when = events.position[: len(at)], events.position[len(at) :]
    last_renewal = np.full(n, -1, dtype=np.int64)  # where the latest period began, in order
    used = np.full(n, -1, dtype=np.int64)  # the payment that counted for the period before
    renewing = has.copy()
    while renewing.any():
        lapse = grace_end(policy, end, ops=ARRAY)
        inside = renewing[owner] & in_period(ARRAY, start[owner], end[owner], on)
        toward = np.where(inside, hours, 0)
        # A fee counts inside the period or its grace period, one payment for one period
        # (``renewal_payment``): the previous period's first is not this one's too.
        window = renewing[payer] & in_period(ARRAY, start[payer], lapse[payer], paid_on)
        fee_counts = window & (np.arange(len(paid_at)) != used[payer])
        # The events that ask R18 of this period: after its start, recorded toward it or
        # accepted by it (an activity in its grace period is not, a late fee is).
        asks = np.concatenate(
            [
                started & (on < end[owner]) & (acted > last_renewal[owner]),
                paying & (paid_on < lapse[payer]) & (paid_when > last_renewal[payer]),
            ]
        )
        renewal = events.first_meeting(policy, renewing, toward, fee_counts, limited, asks)
        renewing = np.zeros(n, dtype=bool)
        renewing[renewal.rows] = True
        out.advised.renewed(
            policy,
            cols.activity_place[at[renewal.activities]],
            cols.payment_place[paid_at[renewal.payments]],
        )
        last_renewal[renewal.rows] = renewal.positions
        renewed_by.append(np.where(renewing, last_renewal, _NO_EVENT))
        renewal_days.append(np.where(renewing, events.day_at(last_renewal), 0))
        used = np.where(renewing, events.first_payment(window, payer, n), -1)
        start = np.where(renewing, end, start)
        end[renewing] = period_end(policy, end[renewing], ops=ARRAY)
        out.period_count[rows[renewing]] += 1
        ends.append(np.where(renewing, end, 0))
    _into_rows(out.period_ends, ends, rows, len(out.period_count))
    _into_rows(out.renewal_days, renewal_days, rows, len(out.period_count))
    # Each event meets the period latest when it came: after every renewal before it.
    periods = np.stack(ends, axis=1)
    latest = _latest(periods, renewed_by, owner, acted)
    lapse = grace_end(policy, latest, ops=ARRAY)
    case = ActivityCase(policy=policy, on=on, certified=started, end=latest, lapse=lapse)
    verdict, rule = _answered(_ACTIVITY_WORDS, (ACTIVITY_VERDICT,), case, len(at))
    place = cols.activity_place[at]
    out.activity_verdict[place], out.activity_rule[place] = verdict, rule
    latest = _latest(periods, renewed_by, payer, paid_when)
    lapse = grace_end(policy, latest, ops=ARRAY)
    fee = RenewalFeeCase(policy=policy, on=paid_on, end=latest, lapse=lapse)
    verdict, rule = _answered(
        _RENEWAL_WORDS, (RENEWAL_FEE_REFUSALS, RENEWAL_FEE_OUTCOME), fee, len(paid_at)
    )
    # Before a period has started the journey refuses the fee for its state: no rule.
    place = cols.payment_place[paid_at]
    out.renewal_verdict[place] = np.where(paying, verdict, _RENEWAL_WORDS.verdicts.index(_REFUSED))
    out.renewal_rule[place] = np.where(paying, rule, -1)


_NO_EVENT: Final = np.iinfo(np.int64).max
"""A place in the events' order after every event: a renewal that never came."""


def _latest(periods: Days, renewed_by: list[Days], owner: Days, position: Days) -> Days:
    """The end of the period latest at each event: its row's (``owner``) at ``position``."""
    count = np.zeros(len(owner), dtype=np.int64)
    for renewed in renewed_by:
        count += renewed[owner] < position
    latest: Days = periods[owner, count]
    return latest


class _Events(NamedTuple):
    """A group's activities and renewal payments together, in the order a journey lives them.

    By date, an activity before a payment of its day, activities of one day as the
    journey numbers them (``activity_place``).
    """

    order: Days
    """the activities (``0..activities-1``) and payments (after them), in that order."""
    owner: Days
    """each event's row in the group, in that order."""
    row_start: Days
    """the place in that order of each event's row's first event."""
    activities: int

    position: Days
    """each event's place in that order (the activities, then the payments)."""
    days: Days
    """each event's day, in that order."""

    @classmethod
    def of(cls, cols: _Columns, at: Days, owner: Days, paid_at: Days, payer: Days) -> _Events:
        """The events of the activity items ``at`` and the payment items ``paid_at``."""
        # The activities in the journey's order (their places are those of ``at``, a
        # row's permuted among themselves), then one stable sort by row, day and kind
        # merges the payments in: a day's activities keep their order, before its payments.
        inverse = np.empty(len(cols.activity_place), dtype=np.int64)
        inverse[cols.activity_place[at]] = np.arange(len(at), dtype=np.int64)
        numbered = inverse[at]
        kind = np.concatenate([np.zeros(len(at), np.int64), np.ones(len(paid_at), np.int64)])
        events = np.concatenate([numbered, len(at) + np.arange(len(paid_at), dtype=np.int64)])
        owners = np.concatenate([owner, payer])[events]
        days = np.concatenate([cols.activity_on[at], cols.payment_on[paid_at]])[events]
        keys = _row_days(owners, days) * 2 + kind
        order = events[np.argsort(keys, kind="stable")]
        owners = np.concatenate([owner, payer])[order]
        starts = np.flatnonzero(np.diff(owners, prepend=-1))
        row_start = np.repeat(starts, np.diff(starts, append=len(owners)))
        position = np.empty(len(order), dtype=np.int64)
        position[order] = np.arange(len(order), dtype=np.int64)
        every_day = np.concatenate([cols.activity_on[at], cols.payment_on[paid_at]])
        return cls(order, owners, row_start, len(at), position, every_day[order])

    def day_at(self, position: Days) -> Days:
        """The day of the event at each ``position`` (none: a day never read)."""
        if not len(self.days):
            return np.zeros(len(position), dtype=np.int64)
        day: Days = self.days[np.clip(position, 0, len(self.days) - 1)]
        return day

    def first_payment(self, among: Mask, payer: Days, n: int) -> Days:
        """Each of ``n`` rows' first payment in the journey's order of those ``among``, or -1."""
        chosen = np.flatnonzero(among)
        first = np.full(n, _NO_EVENT, dtype=np.int64)
        np.minimum.at(first, payer[chosen], self.position[self.activities + chosen])
        payment = np.full(n, -1, dtype=np.int64)
        found = first != _NO_EVENT
        payment[found] = self.order[first[found]] - self.activities
        return payment

    def first_meeting(  # noqa: PLR0917  # the period's facts, one array each
        self, policy: Policy, renewing: Mask, hours: Days, paid: Mask, group: Days, asks: Mask
    ) -> _Renewal:
        """Where each ``renewing`` row first meets R18 (``renews``) with the events so far.

        ``hours`` are each activity's toward the period, ``group`` its category's
        group in the policy's limits (``category_groups``), ``paid`` whether each
        payment counts for the period, ``asks`` whether each event (the activities,
        then the payments) asks R18 of it; the answer is the first event that asks
        with R18 met by then, of each row that has one.
        """
        if not renewing.any():
            nothing = np.zeros(0, dtype=np.int64)
            return _Renewal(nothing, nothing, nothing, nothing)
        kept = renewing[self.owner]  # whole rows: each keeps its first event
        order, owner = self.order[kept], self.owner[kept]
        row_start = (np.cumsum(kept) - 1)[self.row_start[kept]]
        gained = np.concatenate([hours, np.zeros(len(paid), np.int64)])[order]
        groups = np.concatenate([group, np.full(len(paid), -1, np.int64)])[order]
        fees = np.concatenate([np.zeros(len(hours), np.int64), paid.astype(np.int64)])[order]
        so_far = [_so_far(part, row_start) for part in by_group(ARRAY, policy, gained, groups)]
        met = np.asarray(
            renews(ARRAY, policy, so_far, _so_far(fees, row_start) > 0),
            dtype=bool,
        )
        hit = np.flatnonzero(met & asks[order])
        # The events are in row order: a row's first hit is where the row changes.
        first = hit[np.flatnonzero(np.diff(owner[hit], prepend=-1))]
        event = order[first]
        activity = event < self.activities
        return _Renewal(
            event[activity],
            event[~activity] - self.activities,
            owner[first],
            np.flatnonzero(kept)[first],
        )


class _Renewal(NamedTuple):
    """The events that renew a period, one per row that renews it."""

    activities: Days
    """the activities that renew (as items of the group), in no particular order."""
    payments: Days
    """the payments that renew, likewise."""
    rows: Days
    """each renewing row (its place in the group)."""
    positions: Days
    """each renewing row's event: its place in the events' order."""


def _so_far(values: Days, row_start: Days) -> Days:
    """Each item's running total within its row, itself included (``row_start``: its first)."""
    running = np.cumsum(values)
    so_far: Days = running - (running[row_start] - values[row_start])
    return so_far


def _states(group: _Group, out: _Out) -> None:
    """Where each row stands a year after the practicum booked, and at the end of it all.

    The end is the day after the last key date, or after the year, whichever is
    later (``cohort.answers``), when every event that moves the state has happened.
    """
    rows = group.rows
    year = group.cols.last[rows] + _A_YEAR.days
    out.year_state[rows], out.year_rule[rows], out.year_since[rows] = _standing(group, out, year)
    last = np.max(np.stack([year, *_key_days(group, out)]), axis=0)
    final = _standing(group, out, last + _ONE_DAY.days)
    out.final_state[rows], out.final_rule[rows], out.final_since[rows] = final


def _key_days(group: _Group, out: _Out) -> list[Days]:
    """The day of each key date a row's journey has (a day no later than another where none)."""
    rows = group.rows
    certified = group.certified
    earliest = group.reg_day
    days = [
        group.reg_day,
        _local_days(out.access_due_us[rows], group.policy),
        out.prework_start[rows],
        out.deadline[rows],
        out.first[rows],
        out.last[rows],
        out.exam_opens[rows],
        out.exam_closes[rows],
        np.where(certified != _NOT_CERTIFIED, certified, earliest),
    ]
    credit = out.credit_until[rows]
    days.append(np.where(credit != _NO_DAY, credit, earliest))
    count = out.period_count[rows]
    days += [np.where(j < count, ends[rows], earliest) for j, ends in enumerate(out.period_ends)]
    return days


_PARTLY: Final = _advisory_words(attendance_advisories(Attendance.PARTIAL)[0])
_UNFINISHED: Final = ("+".join(UNFINISHED_MODULES[0]), str(UNFINISHED_MODULES[1]))
_ADVISORIES: Final = (_PARTLY, _UNFINISHED)
"""The advisories an attendance may give, in the order it gives them."""

_STATES: Final = tuple(str(state) for state in State)
_STATE: Final = {state: i for i, state in enumerate(State)}
_RECORDED_STATE: Final = np.array(
    [_STATE[state_after_attendance(kind)] for kind in Attendance], dtype=np.int64
)
"""Per kind of attendance (its place in ``Attendance``), the state recording it leads to
(the exam family's :func:`~cptm_rules.rules.exam.state_after_attendance`)."""
_STATUS_TABLES: Final = tuple(asked.table for asked in STATUS_ASKED.values())
_STATUS_RULES: Final = tuple(
    dict.fromkeys(rule_id for table in _STATUS_TABLES for rule_id, _ in table)
)


def _standing(group: _Group, out: _Out, day: Days) -> tuple[Days, Days, Days]:
    """Each row's state on its ``day``, the rule that says so, the day a derived state began.

    The stored state is where the events dated on or before the day left the row
    (the order the vectors answer them in); an attended, certified or credited
    cancelled row then asks its family's status table, as ``Journey.status_on`` does.
    """
    cols, rows, n = group.cols, group.rows, len(group.rows)
    kind = cols.attendance[rows]
    stored = group.stored_state(np.arange(n, dtype=np.int64), _moment(day, None))
    written = (group.cancel_day <= day) & ~(group.re_day <= day)
    noticed = (group.attend_day <= day) & (kind == _ATTENDANCE_CODE[Attendance.ABSENT_WITH_NOTICE])
    state, rule = stored.copy(), np.full(n, -1, dtype=np.int64)
    since = np.full(n, _NO_DAY, dtype=np.int64)
    policy = group.policy
    # The credit a cancellation left standing on the day: one in writing (even if a
    # re-enrolment later used it), or an absence with notice's.
    credit = np.where(
        written,
        np.where(group.credited, group.until, _NO_DAY),
        np.where(noticed, out.credit_until[rows], _NO_DAY),
    )
    end = _current_end(out, rows, day)
    # The date each asking state's family reads (lifecycle.STATUS_ASKED), per row.
    anchors = {
        State.ATTENDED: out.exam_closes[rows],
        State.CERTIFIED: end,
        State.CANCELLED: credit,
    }
    for asking, asked in STATUS_ASKED.items():
        anchor = anchors[asking]
        at = np.flatnonzero((stored == _STATE[asking]) & (anchor != _NO_DAY))
        if not len(at):
            continue
        table, began = asked.table, asked.since
        facts = asked.facts(ARRAY, policy, day[at], anchor[at])
        answered, which = _codes(table, facts, len(at))
        for i, (rule_id, case) in enumerate(table):
            here = answered == i
            verdicts = np.array([_STATE[State(v)] for v in case.verdicts], dtype=np.int64)
            state[at[here]] = verdicts[which[here]]
            rule[at[here]] = _STATUS_RULES.index(rule_id)
        for verdict, formula in began.items():
            here = state[at] == _STATE[State(verdict)]
            days = np.broadcast_to(np.asarray(formula(ARRAY, facts), dtype=np.int64), len(at))
            since[at[here]] = days[here]
    return state, rule, since


def _current_end(out: _Out, rows: Days, day: Days) -> Days:
    """The end of each row's period current on its ``day``: the latest begun by then.

    A period begins with the renewal of the one before (dated inside it, or late in
    its grace period): those whose renewals are dated on or before the day have begun.
    """
    if not out.period_ends:
        return np.zeros(len(rows), dtype=np.int64)
    count = out.period_count[rows]
    ends = np.stack([ends[rows] for ends in out.period_ends], axis=1)
    begun = np.zeros(len(rows), dtype=np.int64)
    for j, renewed_on in enumerate(out.renewal_days):
        begun += (j + 1 < count) & (renewed_on[rows] <= day)
    current: Days = ends[np.arange(len(rows)), begun]
    return current


def _into_rows(kept: list[Days], ends: list[Days], rows: Days, n: int) -> None:
    """A group's period ends in the cohort's ``n`` rows: the j-th end of each in ``kept[j]``."""
    while len(kept) < len(ends):
        kept.append(np.zeros(n, dtype=np.int64))
    for j, values in enumerate(ends):
        kept[j][rows] = values


def _items(offsets: Days, rows: Days) -> tuple[Days, Days, Days]:
    """Every list item of ``rows``: its flat index, its row's place in ``rows``, its number."""
    counts = offsets[rows + 1] - offsets[rows]
    owner = np.repeat(np.arange(len(rows), dtype=np.int64), counts)
    starts = np.repeat(offsets[rows], counts)
    first_of_row = np.repeat(np.cumsum(counts) - counts, counts)
    number = np.arange(len(owner), dtype=np.int64) - first_of_row + 1
    return starts + number - 1, owner, number


def _refusing(state: Days, kind: type[Event]) -> Days:
    """Each ``state`` that refuses an event of ``kind`` (``TRANSITIONS``), else -1."""
    allows = np.array([kind in TRANSITIONS.get(s, {}) for s in State], dtype=bool)
    refusing: Days = np.where(allows[state], -1, state)
    return refusing


def _modules(group: _Group, out: _Out) -> None:
    """Each module completed and its assessment: refused for the state, by R5, or recorded."""
    cols = group.cols
    at, owner, number = _items(cols.module_offsets, group.rows)
    if not len(at):
        return
    on, passed = cols.module_on[at], cols.module_passed[at]
    # A day off the calendar is the journey's to refuse or to raise for.
    off = np.zeros(len(group.rows), dtype=bool)
    off[owner[group.outside(on)]] = True
    group.replay_where(off)
    # Where the journey stands on the day allows the prework (in prework, or attended):
    # a module or an assessment comes before the day's cancellation, re-enrolment,
    # attendance and attempts, so each of those closes the prework only after it.
    module_while = _refusing(group.stored_state(owner, _moment(on, CompleteModule)), CompleteModule)
    allowed = module_while < 0
    out.refused_while.module[at] = module_while
    assessment_while = _refusing(
        group.stored_state(owner, _moment(on, RecordAssessment)), RecordAssessment
    )
    state_refused = _MODULE_WORDS.verdicts.index(_REFUSED)
    module = ModuleCase(policy=group.policy, module=number, already=np.zeros(len(at), dtype=bool))
    verdict, rule = _answered(_MODULE_WORDS, (MODULE_REFUSALS, MODULE_OUTCOME), module, len(at))
    out.module_verdict[at] = np.where(allowed, verdict, state_refused)
    out.module_rule[at] = np.where(allowed, rule, -1)
    assessment = AssessmentCase(policy=group.policy, module=number, passed=passed == 1)
    verdict, rule = _answered(
        _ASSESSMENT_WORDS, (ASSESSMENT_REFUSALS, ASSESSMENT_OUTCOME), assessment, len(at)
    )
    taken = passed >= 0
    refused = _ASSESSMENT_WORDS.verdicts.index(_REFUSED)
    out.assessment_verdict[at] = np.where(taken, np.where(allowed, verdict, refused), -1)
    out.assessment_rule[at] = np.where(taken & allowed, rule, -1)
    out.refused_while.assessment[at] = np.where(taken, assessment_while, -1)


def _refused_for_the_state(group: _Group, out: _Out) -> None:
    """Each event the journey's state refuses, with that state (``<kind>_refused_while``).

    Asked once every event that moves the state is placed: the stored state at each
    event's moment (:meth:`_Group.stored_state`) refuses the event where
    ``TRANSITIONS`` does not list it. An attempt or a change refused naming no rule is
    refused for its state, or for its date order where the state allows it. The state
    comes first: a cancellation, a substitution or a re-enrolment it refuses is refused
    naming no rule, and decides nothing, whatever the vectors answered for it before.
    """
    cols, rows, refused_while = group.cols, group.rows, out.refused_while
    listed: tuple[tuple[Days, Days, type[Event], _Words, Days, Days, Days], ...] = (
        (
            cols.change_offsets,
            cols.change_on,
            RequestChange,
            _CHANGE_WORDS,
            out.change_verdict,
            out.change_rule,
            refused_while.change,
        ),
        (
            cols.attempt_offsets,
            cols.attempt_on,
            AttemptExam,
            _ATTEMPT_WORDS,
            out.attempt_verdict,
            out.attempt_rule,
            refused_while.attempt,
        ),
    )
    for offsets, days, kind, words, verdicts, rules, into in listed:
        at, owner, _ = _items(offsets, rows)
        unnamed = (verdicts[at] == words.verdicts.index(_REFUSED)) & (rules[at] < 0)
        # An attempt the vectors did not take comes after any taken before it that day.
        moment = _moment(days[at], kind, after=kind is AttemptExam)
        into[at] = np.where(unnamed, _refusing(group.stored_state(owner, moment), kind), -1)
    paid_at, payer, _ = _items(cols.payment_offsets, rows)
    moment = _moment(cols.payment_on[paid_at], PayRenewalFee)
    refused_while.renewal[cols.payment_place[paid_at]] = _refusing(
        group.stored_state(payer, moment), PayRenewalFee
    )
    everyone = np.arange(len(rows), dtype=np.int64)
    for days, kind, into in _events_once(cols, refused_while):
        on = days[rows]
        state = _refusing(group.stored_state(everyone, _moment(on, kind)), kind)
        into[rows] = np.where(on != _NO_DAY, state, -1)
    _once_refused_for_the_state(out, rows)


def _answered(
    words: _Words,
    tables: tuple[Precedence[Any, Any], ...],
    facts: Any,  # noqa: ANN401
    n: int,
) -> tuple[Days, Days]:
    """Each of ``n`` items' verdict and rule codes: the first of ``tables`` whose row holds."""
    verdict = np.full(n, -1, dtype=np.int64)
    rule = np.full(n, -1, dtype=np.int64)
    for table in tables:
        rows, which = _codes(table, facts, n)
        v, r = words.codes(table, rows, which)
        pending = verdict < 0
        verdict = np.where(pending, v, verdict)
        rule = np.where(pending, r, rule)
    return verdict, rule


_ATTENDANCE_CODE: Final = {a: i for i, a in enumerate(Attendance)}
_RELEASING: Final = np.array(
    [i for i, a in enumerate(Attendance) if a in RELEASING_ATTENDANCE], dtype=np.int8
)


def _words(codes: Days, words: tuple[str, ...]) -> pa.Array:
    # Codes as a dictionary of the words; a negative code (no rule) is a null. The table
    # casts them to text in one go (_table), unless its reader codes them anyway.
    indices = pa.array(codes.astype(np.int32), mask=codes < 0)
    dictionary = pa.array(words, type=pa.string())
    return pa.DictionaryArray.from_arrays(indices, dictionary)


def _dates(days: Days, missing: Mask | None = None) -> pa.Array:
    return pa.array(days.astype(np.int32), mask=missing).cast(pa.date32())


def _table(
    out: _Out,
    cols: _Columns,
    *,
    policy: Policy,
    prices: PriceSchedule,
    ids: pa.ChunkedArray,
    dictionary: bool = False,
) -> pa.Table:
    schema = answer_schema(policy)
    offsets = pa.array(cols.change_offsets.astype(np.int32))
    attempts = pa.array(cols.attempt_offsets.astype(np.int32))
    modules = pa.array(cols.module_offsets.astype(np.int32))
    # Each verdict's price is the one its table row names; an unknown price (R22) is a
    # fee without a number.
    fees = _CHANGE_WORDS.amounts(prices, out.change_verdict, _FEE)
    retake_fees = _RETAKE_WORDS.amounts(prices, out.retake_verdict, _FEE)
    not_certified = out.certified_on == _NOT_CERTIFIED
    advised = out.advised
    unregistered = out.unregistered
    columns = [
        ids.combine_chunks(),
        _words(out.registration_verdict, _REGISTRATION_WORDS.verdicts),
        _words(out.registration_rule, _REGISTRATION_WORDS.rules),
        pa.array(out.access_due_us, type=pa.int64(), mask=unregistered).cast(
            schema.field("access_due").type
        ),
        _words(out.access, _ACCESS_WORDS.verdicts),
        _words(out.refused_while.access, _STATES),
        _words(out.refused_while.elearning, _STATES),
        _dates(out.prework_start, unregistered),
        _dates(out.deadline, unregistered),
        _dates(out.exam_opens, unregistered),
        _dates(out.exam_closes, unregistered),
        pa.ListArray.from_arrays(offsets, _words(out.change_verdict, _CHANGE_WORDS.verdicts)),
        pa.ListArray.from_arrays(offsets, _words(out.change_rule, _CHANGE_WORDS.rules)),
        pa.ListArray.from_arrays(offsets, fees),
        pa.ListArray.from_arrays(offsets, advised.advisories.words(advised.change, 0)),
        pa.ListArray.from_arrays(offsets, advised.advisories.words(advised.change, 1)),
        pa.ListArray.from_arrays(offsets, _words(out.refused_while.change, _STATES)),
        _dates(out.certified_on, not_certified),
        _dates(out.period_end, not_certified),
        _dates(out.first, unregistered),
        _dates(out.last, unregistered),
        _dates(out.credit_until, out.credit_until == _NO_DAY),
        _words(out.late_verdict, _LATE_WORDS.verdicts),
        _words(out.late_rule, _LATE_WORDS.rules),
        _LATE_WORDS.amounts(prices, out.late_verdict, _FEE),
        advised.advisories.words(advised.registration, 0),
        advised.advisories.words(advised.registration, 1),
        pa.ListArray.from_arrays(attempts, _words(out.attempt_verdict, _ATTEMPT_WORDS.verdicts)),
        pa.ListArray.from_arrays(attempts, _words(out.attempt_rule, _ATTEMPT_WORDS.rules)),
        pa.ListArray.from_arrays(attempts, _words(out.retake_verdict, _RETAKE_WORDS.verdicts)),
        pa.ListArray.from_arrays(attempts, _words(out.retake_rule, _RETAKE_WORDS.rules)),
        pa.ListArray.from_arrays(attempts, retake_fees),
        *(
            pa.ListArray.from_arrays(attempts, words.words(codes, which))
            for words, codes, which in (
                (advised.further, advised.attempt_window, 1),
                (advised.further, advised.attempt_window, 0),
                (advised.further, advised.attempt_period, 1),
                (advised.further, advised.attempt_period, 0),
                (advised.advisories, advised.attempt, 0),
                (advised.advisories, advised.attempt, 1),
            )
        ),
        pa.ListArray.from_arrays(attempts, _words(out.refused_while.attempt, _STATES)),
        pa.ListArray.from_arrays(modules, _words(out.module_verdict, _MODULE_WORDS.verdicts)),
        pa.ListArray.from_arrays(modules, _words(out.module_rule, _MODULE_WORDS.rules)),
        pa.ListArray.from_arrays(modules, _words(out.refused_while.module, _STATES)),
        pa.ListArray.from_arrays(
            modules, _words(out.assessment_verdict, _ASSESSMENT_WORDS.verdicts)
        ),
        pa.ListArray.from_arrays(modules, _words(out.assessment_rule, _ASSESSMENT_WORDS.rules)),
        pa.ListArray.from_arrays(modules, _words(out.refused_while.assessment, _STATES)),
        *_quote_columns(out, schema),
        *_ce_columns(out, cols, prices),
        *_attendance_columns(out),
        *_event_columns(out, prices),
        _words(out.year_state, _STATES),
        _words(out.year_rule, _STATUS_RULES),
        _dates(out.year_since, out.year_since == _NO_DAY),
        _words(out.final_state, _STATES),
        _words(out.final_rule, _STATUS_RULES),
        _dates(out.final_since, out.final_since == _NO_DAY),
        pa.array(np.zeros(len(ids), dtype=bool)),
    ]
    words = pa.Table.from_arrays(columns, names=schema.names)
    return words if dictionary else words.cast(schema)


def _ce_columns(out: _Out, cols: _Columns, prices: PriceSchedule) -> list[pa.Array]:
    activities = pa.array(cols.activity_offsets.astype(np.int32))
    payments = pa.array(cols.payment_offsets.astype(np.int32))
    count = out.period_count
    if out.period_ends:
        # The j-th end of every row, as a row's ends in order where it has them.
        ends = np.stack(out.period_ends, axis=1)
        values = ends[np.arange(ends.shape[1]) < count[:, None]]
    else:
        values = np.zeros(0, dtype=np.int64)
    period_offsets = np.concatenate([[0], np.cumsum(count)]).astype(np.int32)
    further = out.advised.further
    return [
        pa.ListArray.from_arrays(
            activities, _words(out.activity_verdict, _ACTIVITY_WORDS.verdicts)
        ),
        pa.ListArray.from_arrays(activities, _words(out.activity_rule, _ACTIVITY_WORDS.rules)),
        pa.ListArray.from_arrays(activities, further.words(out.advised.activity_renewal, 1)),
        pa.ListArray.from_arrays(activities, further.words(out.advised.activity_renewal, 0)),
        pa.ListArray.from_arrays(activities, _words(out.refused_while.activity, _STATES)),
        pa.ListArray.from_arrays(payments, _words(out.renewal_verdict, _RENEWAL_WORDS.verdicts)),
        pa.ListArray.from_arrays(payments, _words(out.renewal_rule, _RENEWAL_WORDS.rules)),
        pa.ListArray.from_arrays(
            payments, _RENEWAL_WORDS.amounts(prices, out.renewal_verdict, _FEE)
        ),
        pa.ListArray.from_arrays(payments, further.words(out.advised.payment_renewal, 1)),
        pa.ListArray.from_arrays(payments, further.words(out.advised.payment_renewal, 0)),
        pa.ListArray.from_arrays(payments, _words(out.refused_while.renewal, _STATES)),
        pa.ListArray.from_arrays(pa.array(period_offsets), _dates(values)),
    ]


def _pairs(codes: Days) -> tuple[pa.Array, Mask]:
    """Offsets of a two-slot column whose slots are filled first to last (-1: empty)."""
    filled = codes >= 0
    offsets = np.concatenate([[0], np.cumsum(filled.sum(axis=1))]).astype(np.int32)
    return pa.array(offsets), filled


def _pair_columns(slots: _Pair) -> list[pa.Array]:
    """An event's decisions as four list columns: verdicts, rules, fees, refunds."""
    words = slots.words
    offsets, filled = _pairs(slots.verdict)
    return [
        pa.ListArray.from_arrays(offsets, _words(slots.verdict[filled], words.verdicts)),
        pa.ListArray.from_arrays(offsets, _words(slots.rule[filled], words.rules)),
        pa.ListArray.from_arrays(offsets, pa.array(slots.fee[filled], type=_FEE)),
        pa.ListArray.from_arrays(offsets, pa.array(slots.refund[filled], type=_FEE)),
    ]


def _attendance_columns(out: _Out) -> list[pa.Array]:
    advised, given = _pairs(out.attendance_advisory)
    advisories = np.array([rules for rules, _ in _ADVISORIES], dtype=object)
    severities = np.array([sev for _, sev in _ADVISORIES], dtype=object)
    chosen = out.attendance_advisory[given]
    return [
        *_pair_columns(out.attendance),
        pa.ListArray.from_arrays(advised, pa.array(advisories[chosen], type=pa.string())),
        pa.ListArray.from_arrays(advised, pa.array(severities[chosen], type=pa.string())),
    ]


def _event_columns(out: _Out, prices: PriceSchedule) -> list[pa.Array]:
    """The cancellation's, the substitution's and the re-enrolment's columns."""
    advised = out.advised
    words = out.re_enrolment_words
    return [
        *_pair_columns(out.cancellation),
        _words(out.refused_while.cancellation, _STATES),
        _words(out.substitution_verdict, _SUBSTITUTION_WORDS.verdicts),
        _words(out.substitution_rule, _SUBSTITUTION_WORDS.rules),
        _SUBSTITUTION_WORDS.amounts(prices, out.substitution_verdict, _FEE),
        _words(out.refused_while.substitution, _STATES),
        _words(out.re_enrolment_verdict, words.verdicts),
        _words(out.re_enrolment_rule, words.rules),
        advised.advisories.words(advised.re_enrolment, 0),
        advised.advisories.words(advised.re_enrolment, 1),
        _words(out.refused_while.re_enrolment, _STATES),
    ]


def _quote_columns(out: _Out, schema: pa.Schema) -> list[pa.Array]:
    # Each distinct quote once, taken for every row that has it (a replayed row: null).
    index = pa.array(out.quote, mask=out.quote < 0)
    return [
        pa.array([getattr(q, name) for q in out.quotes], type=schema.field(name).type).take(index)
        for name in _Quote._fields
    ]


def _with_replayed(
    result: pa.Table,
    table: pa.Table,
    replay: Mask,
    policy: Policy,
    prices: PriceSchedule,
) -> pa.Table:
    rows = np.flatnonzero(replay)
    replayed = journey_table(candidates_from_table(table.take(rows)), policy=policy, prices=prices)
    # Each replayed row in its place between slices of the batch's rows: slicing and
    # concatenating copy nothing. The columns are left in those chunks: combining them
    # copied every column once (a fifth of the batch path's time on 100,000 rows), and
    # a take of every row costs several times that on the list columns.
    pieces, start = [], 0
    for i, row in enumerate(rows.tolist()):
        if row > start:
            pieces.append(result.slice(start, row - start))
        pieces.append(replayed.slice(i, 1))
        start = row + 1
    if start < result.num_rows:
        pieces.append(result.slice(start))
    return pa.concat_tables(pieces)
