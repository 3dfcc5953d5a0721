"""cptm-rules: the rules of the CPTM certification program as exact, explainable code.

The names below are the everyday API; each module documents the rest. Importing the
package loads no optional dependency: tables, pictures and calendar export live in
``cptm_rules.tables``, ``cptm_rules.plotting``, ``cptm_rules.notebook`` and
``cptm_rules.ics`` behind the ``notebook`` and ``ics`` extras.
"""

from __future__ import annotations

from cptm_rules.calendar import BusinessCalendar, add_months, add_years, to_local_date
from cptm_rules.catalogue import RULES, Rule, RuleKind
from cptm_rules.events import (
    Activity,
    Applicant,
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
    CalendarRangeError,
    CptmRulesError,
    DecodeError,
    InputFileError,
    InvalidInputError,
    NaiveDatetimeError,
    OutputFileError,
    PolicyError,
    RuleViolationError,
    ScenarioError,
    SchedulerUnreachableError,
    TimingError,
    TransitionError,
)
from cptm_rules.lifecycle import Journey, judge_change
from cptm_rules.money import Money, UnknownAmount
from cptm_rules.outcomes import Advisory, Decision, Effect, Outcome
from cptm_rules.policy import Policy, PolicySet, load_policy
from cptm_rules.pricing import PriceSchedule, Quote, load_prices, quote
from cptm_rules.vocabulary import State

__all__ = [
    "RULES",
    "Activity",
    "Advisory",
    "Applicant",
    "AttemptExam",
    "BusinessCalendar",
    "CalendarRangeError",
    "Cancel",
    "CompleteModule",
    "CptmRulesError",
    "Decision",
    "DecodeError",
    "Effect",
    "Event",
    "GrantAccess",
    "InputFileError",
    "InvalidInputError",
    "Journey",
    "Money",
    "NaiveDatetimeError",
    "OpenElearning",
    "Outcome",
    "OutputFileError",
    "PayRenewalFee",
    "Policy",
    "PolicyError",
    "PolicySet",
    "PriceSchedule",
    "Quote",
    "ReEnroll",
    "RecordActivity",
    "RecordAssessment",
    "RecordAttendance",
    "Register",
    "Registration",
    "RequestChange",
    "Rule",
    "RuleKind",
    "RuleViolationError",
    "ScenarioError",
    "SchedulerUnreachableError",
    "Session",
    "State",
    "Substitute",
    "TimingError",
    "TransitionError",
    "UnknownAmount",
    "add_months",
    "add_years",
    "judge_change",
    "load_policy",
    "load_prices",
    "quote",
    "to_local_date",
]
