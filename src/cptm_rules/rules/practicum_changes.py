"""Practicum changes: when a change is free, when it pays, what it needs, how many (R9-R11a).

The rules of this family are declared here (:data:`RULES`: id, title, kind,
statement with the policy figures it reads, sources) beside the code that
decides them: :data:`CHANGE_FEE_PRECEDENCE` asks R11a, then R9, then R10, one
function each, and the first that answers decides. The journey
(:mod:`cptm_rules.lifecycle`, ``RequestChange``) checks what a change needs
(R11) and then asks :func:`change_fee_decision`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Final, NamedTuple

import attrs

from cptm_rules.catalogue import (
    Q_CHOOSE_PRACTICUM,
    Rule,
    RuleKind,
    faq,
    terms,
)
from cptm_rules.figures import fee, figure, one_of, whole, whole_or_unlimited
from cptm_rules.money import Amount
from cptm_rules.rules._build import charges, days, decision, ordinal
from cptm_rules.vocabulary import DayCount

if TYPE_CHECKING:
    from cptm_rules.events import RequestChange, Session
    from cptm_rules.lifecycle import Journey
    from cptm_rules.outcomes import Decision, Effect
    from cptm_rules.policy import Policy

__all__ = [
    "CHANGE_FEE_PRECEDENCE",
    "RULES",
    "ChangeCase",
    "PracticumFees",
    "PracticumFigures",
    "after_the_deadline",
    "change_fee_decision",
    "charge",
    "deadline_words",
    "free_change_deadline",
    "free_changes_used_up",
    "on_or_before_the_deadline",
]


@attrs.frozen(kw_only=True, slots=False)
class PracticumFigures:
    """The figures R2 and R9-R11a read, under ``[practicum]`` in policy files.

    Part of :class:`~cptm_rules.policy.Policy`: a figure declared here is read from
    policy files, checked, cited and shown like every other.
    """

    max_session_days: int = figure("practicum", "R2", whole(1, 366))
    free_change_days: int = figure("practicum", "R9", whole(0, 365))
    free_change_day_count: DayCount = figure("practicum", "R10", one_of(DayCount))
    free_changes: int | None = figure("practicum", "R11a", whole_or_unlimited(1000))


@attrs.frozen(kw_only=True, slots=False)
class PracticumFees:
    """The amounts the practicum-change rules charge.

    Part of :class:`~cptm_rules.pricing.PriceSchedule`: an amount declared here is
    read from price schedule files (or ``"unknown"``) like every other.
    """

    class_change_fee: Amount = fee("R10")
    """the class change fee (R10, R11a; R27 charges it too)."""


RULES: Final = (
    Rule(
        id="R9",
        verdicts=("free",),
        exercised_by="a candidate who changes practicum on or before the free-change deadline",
        title="Free date change",
        kinds=(RuleKind.CONSEQUENCE,),
        statement=(
            "A practicum change requested on a program-local date on or before the "
            "free-change deadline costs nothing. The deadline is the "
            "{practicum.free_change_days:ordinal} {practicum.free_change_day_count:day} "
            "strictly before the first day of the session held when the change is asked "
            "for, on the policy's business calendar."
        ),
        sources=(faq(Q_CHOOSE_PRACTICUM),),
    ),
    Rule(
        id="R10",
        verdicts=(
            "fee",
            "free",
        ),
        exercised_by="a candidate who changes practicum after the free-change deadline",
        title="Class change fee",
        kinds=(RuleKind.CONSEQUENCE,),
        statement=(
            "After the free-change deadline, moving to a later session costs the class "
            "change fee; moving to an earlier session, or to one starting the same day, "
            "stays free. The FAQ's 'less than 30 "
            "days' is read as the same deadline, counted in "
            "{practicum.free_change_day_count:days} under this policy (the terms count "
            "calendar days)."
        ),
        sources=(faq(Q_CHOOSE_PRACTICUM), terms("transfer less than 30 days before")),
    ),
    Rule(
        id="R11",
        verdicts=("refused",),
        exercised_by=(
            "a change request that is not allowed (the practicum started, the same session, no "
            "later start)"
        ),
        title="What a change needs",
        kinds=(RuleKind.REQUIREMENT,),
        statement=(
            "A change must name a session different from the one held, starting after the "
            "request date, and the held session must not have started yet. Each change is "
            "judged against the session held at that moment."
        ),
        sources=(faq(Q_CHOOSE_PRACTICUM),),
    ),
    Rule(
        id="R11a",
        verdicts=("fee",),
        exercised_by="a candidate who asks for more changes than the free ones",
        title="How many free changes",
        kinds=(RuleKind.CONSEQUENCE,),
        statement=(
            "At most {practicum.free_changes} changes are free; once they are used, any "
            "later change pays the class change fee whatever its timing. Only free changes "
            "count: a change that paid the fee (R10) uses none, and a substitution (R27) is "
            "not a change."
        ),
        sources=(terms("at most two reschedules without penalty"),),
    ),
)
"""The rules R9, R10, R11, R11a."""


def free_change_deadline(policy: Policy, first_day: dt.date) -> dt.date:
    """The last request date on which a practicum change is free (R9, R10)."""
    if policy.free_change_day_count is DayCount.CALENDAR:
        return first_day - dt.timedelta(days=policy.free_change_days)
    return policy.calendar.sub_business_days(first_day, policy.free_change_days)


def deadline_words(policy: Policy, first_day: dt.date) -> str:
    """How an explanation states the deadline: which day, counted how, on which calendar."""
    n = policy.free_change_days
    unit = "calendar day" if policy.free_change_day_count is DayCount.CALENDAR else "business day"
    where = (
        ""
        if policy.free_change_day_count is DayCount.CALENDAR
        else f" on the {policy.workalendar_class} calendar"
    )
    return f"the {ordinal(n)} {unit} before the practicum's first day {first_day}{where}"


class ChangeCase(NamedTuple):
    """What the rules that price a practicum change compare (R9, R10, R11a)."""

    journey: Journey
    event: RequestChange
    session: Session
    deadline: dt.date
    free_limit: int | None
    used: int

    def decide(
        self,
        rule_id: str,
        verdict: str,
        reason: str,
        alternatives: tuple[str, ...],
        *,
        charged: Amount | None = None,
    ) -> Decision:
        """The decision ``rule_id`` takes, citing the figures and dates every one compares."""
        policy = self.journey.policy
        return decision(
            rule_id=rule_id,
            verdict=verdict,
            reason=reason,
            fee=charged,
            policy=policy.label,
            figures=policy.figures("free_change_days", "free_change_day_count", "free_changes"),
            dates=(
                ("requested", self.event.on),
                ("free-change deadline", self.deadline),
                ("current first day", self.session.first_day),
                ("new first day", self.event.to.first_day),
            ),
            alternatives=alternatives,
        )

    def count_note(self, *, paid: bool) -> str:
        """How the change counts against the free changes (R11a), for the alternatives."""
        limit = "unlimited" if self.free_limit is None else f"{self.free_limit}"
        if paid:
            return (
                f"R11a: a change that pays the fee uses none of the {limit} free changes "
                f"({self.used} used so far)"
            )
        return f"R11a: change {self.used + 1} of {limit} free changes"


def free_changes_used_up(case: ChangeCase) -> Decision | None:
    """R11a: once the free changes are used, every change pays, whatever its timing."""
    limit = case.free_limit
    if limit is None or case.used < limit:
        return None
    number = case.journey.changes_made + 1
    return case.decide(
        "R11a",
        "fee",
        f"this is change {number}; the {limit} free changes were already used, "
        "so it pays the class change fee whatever its timing",
        (
            f"R9: the timing does not matter once {limit} free changes are used",
            "R11a: changes that paid the fee did not use a free change",
        ),
        charged=case.journey.prices.class_change_fee,
    )


def on_or_before_the_deadline(case: ChangeCase) -> Decision | None:
    """R9: a change asked for on or before the free-change deadline is free."""
    event = case.event
    if event.on > case.deadline:
        return None
    timing = deadline_words(case.journey.policy, case.session.first_day)
    return case.decide(
        "R9",
        "free",
        f"requested on {event.on}, on or before the free-change deadline {case.deadline}, {timing}",
        (
            "R10: the class change fee applies only after the deadline",
            case.count_note(paid=False),
        ),
    )


def after_the_deadline(case: ChangeCase) -> Decision:
    """R10: after the deadline only a later session pays the fee; any other stays free.

    "Later" compares first days: a session starting the same day (another length)
    is not a later date, so it stays free like an earlier one.
    """
    event, session, deadline = case.event, case.session, case.deadline
    late = (event.on - deadline).days
    to_first, held_first = event.to.first_day, session.first_day
    if to_first <= held_first:
        where = (
            f"an earlier session ({to_first} before {held_first})"
            if to_first < held_first
            else f"a session starting the same day ({to_first})"
        )
        return case.decide(
            "R10",
            "free",
            f"requested on {event.on}, {days(late)} after the free-change "
            f"deadline {deadline}, but to {where}: only later-date changes pay the fee",
            (f"R9: the deadline was {deadline}", case.count_note(paid=False)),
        )
    timing = deadline_words(case.journey.policy, held_first)
    return case.decide(
        "R10",
        "fee",
        f"requested on {event.on}, {days(late)} after the free-change deadline "
        f"{deadline} ({timing}), to a later session",
        (
            f"R9: the deadline was {deadline}",
            (
                "R10 exception: only a later date pays, and the new session starts later "
                f"({to_first} after {held_first})"
            ),
            case.count_note(paid=True),
        ),
        charged=case.journey.prices.class_change_fee,
    )


CHANGE_FEE_PRECEDENCE: Final = (
    ("R11a", free_changes_used_up),
    ("R9", on_or_before_the_deadline),
    ("R10", after_the_deadline),
)
"""The rules that answer "is this practicum change free?", in the order they are asked.

The first rule that answers decides; the last always answers. R11a comes first
because a change beyond the free changes pays whatever its timing.
"""


def change_fee_decision(journey: Journey, event: RequestChange, session: Session) -> Decision:
    """Whether moving from ``session`` as ``event`` asks is free: the first rule that answers."""
    case = ChangeCase(
        journey=journey,
        event=event,
        session=session,
        deadline=free_change_deadline(journey.policy, session.first_day),
        free_limit=journey.policy.free_changes,
        used=journey.free_changes_used,
    )
    for _rule_id, answer in CHANGE_FEE_PRECEDENCE:
        given = answer(case)
        if given is not None:
            return given
    msg = "the last rule of CHANGE_FEE_PRECEDENCE always answers"  # pragma: no cover
    raise AssertionError(msg)  # pragma: no cover


def charge(given: Decision) -> tuple[Effect, ...]:
    """The charge a paid change brings (none for a free one)."""
    return charges(given, "the class change fee")
