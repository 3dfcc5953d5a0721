"""Everything a notebook needs in one import (optional extra ``notebook``).

>>> from cptm_rules.notebook import journey, key_dates_table, plot_journey  # doctest: +SKIP
>>> j = journey("2026-11-02T09:30-05:00", "2027-01-11..2027-01-14")         # doctest: +SKIP
>>> key_dates_table(j); plot_journey(j)                                       # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cptm_rules.calendar import parse_instant
from cptm_rules.events import Event, Register, Registration, Session
from cptm_rules.lifecycle import Journey
from cptm_rules.plotting import NotebookFigure, plot_change_timing, plot_journey
from cptm_rules.policy import SHIPPED_POLICIES, Policy, load_policy
from cptm_rules.tables import (
    cohort_table,
    diff_table,
    history_table,
    key_dates_table,
    ledger_table,
)

__all__ = [
    "NotebookFigure",
    "cohort_table",
    "diff_table",
    "history_table",
    "journey",
    "key_dates_table",
    "ledger_table",
    "plot_change_timing",
    "plot_journey",
]


def journey(
    registered_at: str | dt.datetime,
    practicum: str | Session,
    *events: Event,
    email: str = "candidate@example.org",
    policy: str | Path | Policy = "current",
) -> Journey:
    """A registered journey from plain strings, with any further ``events`` applied."""
    chosen = (
        policy
        if isinstance(policy, Policy)
        else load_policy(policy if policy in SHIPPED_POLICIES else Path(policy))
    )
    registration = Registration(
        email=email,
        registered_at=(
            registered_at
            if isinstance(registered_at, dt.datetime)
            else parse_instant(registered_at, field="registered_at")
        ),
        session=practicum if isinstance(practicum, Session) else Session.parse(practicum),
    )
    return Journey.new(policy=chosen).then(Register(registration=registration), *events)
