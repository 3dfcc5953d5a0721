"""What a family's handler exchanges with the engine, so that no family imports the engine.

A family's handler reads the facts of a journey (its policy, prices, session,
counts so far) through :class:`JourneyFacts`, a protocol that
:class:`cptm_rules.lifecycle.Journey` provides (imported for type checking only:
at run time the families import nothing from :mod:`cptm_rules.lifecycle`). It
answers with :class:`Handled`, what the event changes, or raises a
:class:`Refusal`, which the engine turns into the caller's error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping
    from decimal import Decimal

    from cptm_rules.events import Activity, Registration, Session
    from cptm_rules.outcomes import Advisory, Decision, Effect
    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule
    from cptm_rules.rules.certification import HoursCount, Period
    from cptm_rules.rules.exam import ExamAttempt
    from cptm_rules.rules.prework import AssessmentResult
    from cptm_rules.vocabulary import Attendance, State

__all__ = ["Handled", "JourneyFacts", "Refusal"]


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
    def registration_day(self) -> dt.date | None:
        """The program-local date of the registration."""

    @property
    def session(self) -> Session | None:
        """The practicum session held now."""

    @property
    def access_due(self) -> dt.datetime | None:
        """When eLearning access is due (R4)."""

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
    def attempts(self) -> tuple[ExamAttempt, ...]:
        """The exam attempts taken."""

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

    def hours_count(self, period: Period) -> HoursCount:
        """The count of ``period``'s hours: in all (caps applied) and per category group (R18)."""

    @property
    def cancelled_on(self) -> dt.date | None:
        """The day of the cancellation, if cancelled."""

    @property
    def credit_until(self) -> dt.date | None:
        """The day the tuition credit expires, if one was given."""

    @property
    def re_enrollments_used(self) -> int:
        """Re-enrolments used so far."""


class Handled(NamedTuple):
    """What an event changes, as its family's handler answers it; the engine applies it.

    ``changes`` names the journey's fields and their new values (``state`` among
    them when the event moves the journey); :mod:`cptm_rules.lifecycle` checks the
    target against ``MOVES``, builds the new journey and the outcome.
    """

    changes: Mapping[str, Any]
    decisions: tuple[Decision, ...] = ()
    advisories: tuple[Advisory, ...] = ()
    effects: tuple[Effect, ...] = ()


class Refusal(Exception):  # noqa: N818  # a signal between a family and the engine, never raised to callers
    """A rule forbids the event; the engine turns it into the caller's ``TransitionError``.

    A family's handler knows the rule and the reason; only the engine knows the
    journey's state and the events allowed instead, so it converts the refusal
    (:meth:`because` into a ``RuleViolationError``, :meth:`too_early` and
    :meth:`too_late` into a ``TimingError`` with the limit and the days missed).
    """

    def __init__(
        self,
        rule_id: str | None,
        reason: str,
        *,
        limit: dt.date | None = None,
        side: Literal["before", "after"] | None = None,
    ) -> None:
        """A refusal by ``rule_id`` (``None`` until its table names it) for ``reason``."""
        super().__init__(reason)
        self.rule_id, self.reason, self.limit, self.side = rule_id, reason, limit, side

    @classmethod
    def because(cls, rule_id: str | None, reason: str) -> Refusal:
        """``rule_id`` forbids the event, for ``reason``."""
        return cls(rule_id, reason)

    @classmethod
    def too_early(cls, rule_id: str | None, limit: dt.date, what: str) -> Refusal:
        """The event comes before ``limit``; ``what`` introduces it (``"the exam opens on"``)."""
        return cls(rule_id, what, limit=limit, side="before")

    @classmethod
    def too_late(cls, rule_id: str | None, limit: dt.date, what: str) -> Refusal:
        """The event comes after ``limit``, its last allowed day; ``what`` introduces it."""
        return cls(rule_id, what, limit=limit, side="after")
