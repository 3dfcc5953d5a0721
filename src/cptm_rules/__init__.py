"""cptm-rules: the rules of the CPTM certification program as exact, explainable code."""

from __future__ import annotations

from cptm_rules.calendar import BusinessCalendar, add_months, add_years, to_local_date
from cptm_rules.catalogue import RULES, Rule, RuleKind
from cptm_rules.exceptions import (
    CalendarRangeError,
    CptmRulesError,
    InvalidInputError,
    NaiveDatetimeError,
    PolicyError,
)
from cptm_rules.policy import Policy, PolicySet, load_policy

__all__ = [
    "RULES",
    "BusinessCalendar",
    "CalendarRangeError",
    "CptmRulesError",
    "InvalidInputError",
    "NaiveDatetimeError",
    "Policy",
    "PolicyError",
    "PolicySet",
    "Rule",
    "RuleKind",
    "add_months",
    "add_years",
    "load_policy",
    "to_local_date",
]
