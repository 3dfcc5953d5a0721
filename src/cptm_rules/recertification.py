"""Deprecated: certification periods and the ledger live in :mod:`cptm_rules.rules.certification`.

Importing this module warns (a ``DeprecationWarning``) and gives the names it
always had, from their new home with the rest of the certification family.
"""

from __future__ import annotations

import warnings

from cptm_rules.rules.certification import (
    ActivityIndex,
    CategoryHours,
    CategoryLimit,
    Ledger,
    Period,
    activity_order,
    counted_hours,
    first_fee_payment,
    grace_end,
    group_hours,
    ledger_for,
    minimums_met,
    period_from,
    qualifying_hours,
    renewal_payment,
    unique_activities,
)

__all__ = [
    "ActivityIndex",
    "CategoryHours",
    "CategoryLimit",
    "Ledger",
    "Period",
    "activity_order",
    "counted_hours",
    "first_fee_payment",
    "grace_end",
    "group_hours",
    "ledger_for",
    "minimums_met",
    "period_from",
    "qualifying_hours",
    "renewal_payment",
    "unique_activities",
]

warnings.warn(
    "cptm_rules.recertification is deprecated: import from cptm_rules.rules.certification",
    DeprecationWarning,
    stacklevel=2,
)
