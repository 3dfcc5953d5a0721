"""Small protocols the rule families type against, so that no family imports the engine.

A family's handler reads the facts of a journey (its policy, prices, session,
counts so far) through :class:`JourneyFacts`; :class:`cptm_rules.lifecycle.Journey`
is the one class that provides them. The import is for type checking only: at
run time the families import nothing from :mod:`cptm_rules.lifecycle`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import datetime as dt
    from decimal import Decimal

    from cptm_rules.events import Activity, Registration, Session
    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule
    from cptm_rules.rules.certification import Period
    from cptm_rules.rules.prework import AssessmentResult
    from cptm_rules.vocabulary import Attendance, State

__all__ = ["JourneyFacts"]


class JourneyFacts(Protocol):
    """What a family's handler may read of a journey: its figures and its facts so far."""

    @property
    def policy(self) -> Policy:
        """The policy version that judges the journey."""

    @property
    def prices(self) -> PriceSchedule:
        """The price schedule in force."""

    @property
    def state(self) -> State:
        """The stored state."""

    @property
    def registration(self) -> Registration | None:
        """The registration, once registered."""

    @property
    def session(self) -> Session | None:
        """The practicum session held now."""

    @property
    def access_granted_at(self) -> dt.datetime | None:
        """When eLearning access was granted."""

    @property
    def elearning_opened_on(self) -> dt.date | None:
        """When the candidate first opened the eLearning."""

    @property
    def modules_completed(self) -> frozenset[int]:
        """The prework modules completed."""

    @property
    def assessments(self) -> tuple[AssessmentResult, ...]:
        """The module assessments recorded."""

    @property
    def changes_made(self) -> int:
        """Practicum changes accepted so far."""

    @property
    def free_changes_used(self) -> int:
        """Practicum changes that were free so far."""

    @property
    def attendance(self) -> Attendance | None:
        """The attendance recorded, if any."""

    @property
    def certification_date(self) -> dt.date | None:
        """The day of the pass, once certified."""

    @property
    def periods(self) -> tuple[Period, ...]:
        """The certification periods so far."""

    @property
    def activities(self) -> tuple[Activity, ...]:
        """The continuing-education activities recorded."""

    @property
    def renewal_fee_payments(self) -> tuple[dt.date, ...]:
        """The days the renewal fee was paid."""

    def qualifying_hours(self, period: Period) -> Decimal:
        """The qualifying hours recorded inside ``period``, each activity id once (R19)."""

    @property
    def cancelled_on(self) -> dt.date | None:
        """The day of the cancellation, if cancelled."""

    @property
    def credit_until(self) -> dt.date | None:
        """The day the tuition credit expires, if one was given."""

    @property
    def re_enrollments_used(self) -> int:
        """Re-enrolments used so far."""
