"""Deprecated: certification periods and the ledger live in :mod:`cptm_rules.rules.certification`.

Importing this module warns (a ``DeprecationWarning``) and gives the names it
always had, from their new home with the rest of the certification family.
"""

from __future__ import annotations

import warnings

from cptm_rules.rules.certification import (
    ActivityIndex,
    Ledger,
    Period,
    activity_order,
    first_fee_payment,
    ledger_for,
    period_from,
    qualifying_hours,
    unique_activities,
)

__all__ = [
    "ActivityIndex",
    "Ledger",
    "Period",
    "activity_order",
    "first_fee_payment",
    "ledger_for",
    "period_from",
    "qualifying_hours",
    "unique_activities",
]

warnings.warn(
    "cptm_rules.recertification is deprecated: import from cptm_rules.rules.certification",
    DeprecationWarning,
    stacklevel=2,
)
