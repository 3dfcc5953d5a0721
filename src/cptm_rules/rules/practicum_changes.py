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
from typing import TYPE_CHECKING, Any, Final, NamedTuple, overload

import attrs

from cptm_rules.declarations import (
    Q_CHOOSE_PRACTICUM,
    Rule,
    RuleKind,
    faq,
    ordinal,
    terms,
)
from cptm_rules.figures import (
    Deadline,
    DeadlineSpec,
    Shorthand,
    deadline,
    fee,
    figure,
    read_as_before,
    whole,
    whole_or_unlimited,
)
from cptm_rules.formulas import (
    SCALAR,
    Case,
    Ops,
    Precedence,
    check_precedence,
    deadline_before,
    explained,
    verdict_of,
)
from cptm_rules.money import Amount
from cptm_rules.rules._build import (
    charges,
    check_in_calendar,
    days,
    decision,
    priced,
    refusal_in,
)
from cptm_rules.rules._words import Phrase, WordedRule
from cptm_rules.rules.registration import (
    lead_time_advisories,
    runs_longer_than_a_practicum,
    too_long,
)
from cptm_rules.types import Handled, Refusal
from cptm_rules.vocabulary import DayCount, DeadlineUnit

if TYPE_CHECKING:
    from collections.abc import Callable

    from cptm_rules.events import RequestChange, Session
    from cptm_rules.outcomes import Decision, Effect
    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule
    from cptm_rules.types import JourneyFacts

__all__ = [
    "CHANGE_FEE_PRECEDENCE",
    "CHANGE_REFUSALS",
    "HELD_SESSION_REFUSALS",
    "NEW_SESSION_REFUSALS",
    "RULES",
    "USES_A_FREE_CHANGE",
    "ChangeCase",
    "PracticumFees",
    "PracticumFigures",
    "after_the_deadline",
    "change_case",
    "change_fee_decision",
    "charge",
    "deadline_words",
    "free_change_deadline",
    "free_changes_after",
    "free_changes_used_up",
    "on_or_before_the_deadline",
    "request_change",
]


_FREE_CHANGE_DEADLINE: Final = DeadlineSpec(
    what="the free-change deadline, R9",
    units=((DeadlineUnit.BUSINESS_DAYS, 0, 365), (DeadlineUnit.CALENDAR_DAYS, 0, 365)),
    shorthands=(
        Shorthand(name="free_change_days"),
        Shorthand(
            name="free_change_day_count",
            words=(
                ("business", DeadlineUnit.BUSINESS_DAYS),
                ("calendar", DeadlineUnit.CALENDAR_DAYS),
            ),
            rule_id="R10",
        ),
    ),
)
"""R9, R10: counted back from the first day of the session held, in business or calendar days."""


@attrs.frozen(kw_only=True, slots=False)
class PracticumFigures:
    """The figures R2 and R9-R11a read, under ``[practicum]`` in policy files.

    Part of :class:`~cptm_rules.policy.Policy`: a figure declared here is read from
    policy files, checked, cited and shown like every other.
    """

    max_session_days: int = figure("practicum", "R2", whole(1, 366))
    free_change_deadline: Deadline = deadline("practicum", "R9", _FREE_CHANGE_DEADLINE)
    """R9, R10: ``free_change_deadline = { amount = 30, unit = "business_days" }``, or the
    older ``free_change_days`` and ``free_change_day_count``."""
    free_changes: int | None = figure("practicum", "R11a", whole_or_unlimited(1000))

    free_change_days = read_as_before("free_change_deadline", "free_change_days")
    free_change_day_count = read_as_before(
        "free_change_deadline", "free_change_day_count", DayCount
    )


@attrs.frozen(kw_only=True, slots=False)
class PracticumFees:
    """The amounts the practicum-change rules charge.

    Part of :class:`~cptm_rules.pricing.PriceSchedule`: an amount declared here is
    read from price schedule files (or ``"unknown"``) like every other.
    """

    class_change_fee: Amount = fee("R10")
    """the class change fee (R10, R11a; R27 charges it too)."""


_FAQ_DAYS: Final = 30
"""The FAQ's own figure for the free-change deadline ('less than 30 days'), which R10 quotes."""


def _day_count(policy: Policy) -> str:
    """How the free-change deadline counts its days: ``business`` or ``calendar``."""
    business = policy.free_change_deadline.unit is DeadlineUnit.BUSINESS_DAYS
    return "business" if business else "calendar"


RULES: Final = (
    WordedRule(
        id="R9",
        verdicts=("free",),
        exercised_by="a candidate who changes practicum on or before the free-change deadline",
        title="Free date change",
        kinds=(RuleKind.CONSEQUENCE,),
        statement=(
            "A practicum change requested on a program-local date on or before the "
            "free-change deadline costs nothing. The deadline is the "
            "{practicum.free_change_deadline:ordinal} {practicum.free_change_deadline:day} "
            "strictly before the first day of the session held when the change is asked "
            "for<calendar>."
        ),
        phrases=(
            Phrase(
                slot="calendar",
                case=lambda policy, _prices: _day_count(policy),
                wordings=(
                    ("business", ", on the policy's business calendar"),
                    ("calendar", ", every day counted, weekends and closures too"),
                ),
            ),
        ),
        sources=(faq(Q_CHOOSE_PRACTICUM),),
    ),
    WordedRule(
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
            "stays free. <deadline>"
        ),
        phrases=(
            Phrase(
                slot="deadline",
                # The FAQ is quoted only where the policy keeps its figure.
                case=lambda policy, _prices: (
                    "faq" if policy.free_change_deadline.amount == _FAQ_DAYS else "policy"
                ),
                wordings=(
                    (
                        "faq",
                        (
                            "The FAQ's 'less than 30 days' is read as the same deadline, counted "
                            "in {practicum.free_change_deadline:days} under this policy (the "
                            "terms count calendar days)."
                        ),
                    ),
                    (
                        "policy",
                        (
                            "The deadline is this policy's figure: the "
                            "{practicum.free_change_deadline:ordinal} "
                            "{practicum.free_change_deadline:day} strictly before the first day "
                            "of the session held, as R9 counts it."
                        ),
                    ),
                ),
            ),
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
    WordedRule(
        id="R11a",
        verdicts=("fee",),
        exercised_by="a candidate who asks for more changes than the free ones",
        title="How many free changes",
        kinds=(RuleKind.CONSEQUENCE,),
        statement="<count>, and a substitution (R27) is not a change.",
        phrases=(
            Phrase(
                slot="count",
                case=lambda policy, _prices: (
                    "unlimited"
                    if policy.free_changes is None
                    else "one"
                    if policy.free_changes == 1
                    else "many"
                ),
                wordings=(
                    (
                        "one",
                        (
                            "At most {practicum.free_changes} change is free; once it is used, "
                            "any later change pays the class change fee whatever its timing. Only "
                            "a free change counts: a change that paid the fee (R10) uses none"
                        ),
                    ),
                    (
                        "many",
                        (
                            "At most {practicum.free_changes} changes are free; once they are "
                            "used, any later change pays the class change fee whatever its "
                            "timing. Only free changes count: a change that paid the fee (R10) "
                            "uses none"
                        ),
                    ),
                    (
                        "unlimited",
                        (
                            "Any number of changes may be free: no count of changes makes one "
                            "pay the class change fee, only the deadline of R10 does"
                        ),
                    ),
                ),
            ),
        ),
        sources=(terms("at most two reschedules without penalty"),),
    ),
)
"""The rules R9, R10, R11, R11a."""


@overload
def free_change_deadline(policy: Policy, first_day: dt.date) -> dt.date: ...
@overload
def free_change_deadline(policy: Policy, first_day: Any, *, ops: Ops) -> Any: ...  # noqa: ANN401
def free_change_deadline(policy: Policy, first_day: Any, *, ops: Ops = SCALAR) -> Any:
    """The last request date on which a practicum change is free (R9, R10).

    One candidate's ``datetime.date``, or a cohort's days with ``ops``
    (:mod:`cptm_rules.formulas`).
    """
    return deadline_before(ops, policy.calendar, policy.free_change_deadline, first_day)


def deadline_words(policy: Policy, first_day: dt.date) -> str:
    """How an explanation states the deadline: which day, counted how, on which calendar."""
    n = policy.free_change_deadline.amount
    business = policy.free_change_deadline.unit is DeadlineUnit.BUSINESS_DAYS
    unit = "business day" if business else "calendar day"
    where = f" on the {policy.workalendar_class} calendar" if business else ""
    return f"the {ordinal(n)} {unit} before the practicum's first day {first_day}{where}"


class ChangeCase(NamedTuple):
    """What the rules on a practicum change compare (R9-R11a), for one candidate or a cohort.

    Days are ``datetime.date`` for one candidate and arrays of days for many
    (:mod:`cptm_rules.formulas`). ``journey`` and ``event`` are one candidate's,
    for the explanations; the batch path leaves them ``None``.
    """

    policy: Policy
    prices: PriceSchedule | None
    on: Any
    held_first: Any
    held_last: Any
    to_first: Any
    to_last: Any
    deadline: Any
    used: Any
    changes_made: Any
    event: RequestChange | None = None

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
        policy, prices = self.policy, self.prices
        given: str | Callable[[], str] = reason
        if charged is not None and prices is not None:
            # A fee names the dated schedule it comes from (the free verdicts charge nothing).
            given = priced(prices, reason)
        return decision(
            rule_id=rule_id,
            verdict=verdict,
            reason=given,
            fee=charged,
            policy=policy.label,
            figures=policy.figures("free_change_deadline", "free_changes"),
            dates=(
                ("requested", self.on),
                ("free-change deadline", self.deadline),
                ("current first day", self.held_first),
                ("new first day", self.to_first),
            ),
            alternatives=alternatives,
        )

    def count_note(self, *, paid: bool) -> str:
        """How the change counts against the free changes (R11a), for the alternatives."""
        free_limit = self.policy.free_changes
        limit = "unlimited" if free_limit is None else f"{free_limit}"
        if paid:
            return (
                f"R11a: a change that pays the fee uses none of the {limit} free changes "
                f"({self.used} used so far)"
            )
        return f"R11a: change {self.used + 1} of {limit} free changes"

    @property
    def fee(self) -> Amount:
        """The class change fee (one candidate's price schedule)."""
        assert self.prices is not None  # noqa: S101  # explanations are one candidate's
        return self.prices.class_change_fee


# -- what a change needs (R11), in the order it is checked -----------------------------


def _started(ops: Ops, case: ChangeCase) -> Any:  # noqa: ANN401, ARG001  # a mask
    return case.on >= case.held_first


def _same_session(ops: Ops, case: ChangeCase) -> Any:  # noqa: ANN401, ARG001
    return (case.to_first == case.held_first) & (case.to_last == case.held_last)


def _too_long(ops: Ops, case: ChangeCase) -> Any:  # noqa: ANN401
    return runs_longer_than_a_practicum(ops, case.policy, case.to_first, case.to_last)


def _not_after_the_request(ops: Ops, case: ChangeCase) -> Any:  # noqa: ANN401, ARG001
    return case.to_first <= case.on


def _asked_too_late(case: ChangeCase) -> Refusal:
    return Refusal.too_late(
        None,
        case.held_first - dt.timedelta(days=1),
        "the practicum held has started; the last day to ask was",
    )


def _already_held(case: ChangeCase) -> Refusal:
    assert case.event is not None  # noqa: S101  # explanations are one candidate's
    return Refusal.because(None, f"the new session {case.event.to} is the one already held")


def _longer_than_a_practicum(case: ChangeCase) -> Refusal:
    assert case.event is not None  # noqa: S101
    return too_long(case.policy, case.event.to)


def _starts_too_soon(case: ChangeCase) -> Refusal:
    assert case.event is not None  # noqa: S101
    return Refusal.because(
        None,
        f"the new session {case.event.to} does not start after the request date {case.on}",
    )


HELD_SESSION_REFUSALS: Final[Precedence[ChangeCase, Refusal]] = (
    ("R11", Case(verdicts=("refused",), when=_started, explain=_asked_too_late)),
    ("R11", Case(verdicts=("refused",), when=_same_session, explain=_already_held)),
)
"""What a change needs of the session held (R11): asked before it starts, for another one."""
NEW_SESSION_REFUSALS: Final[Precedence[ChangeCase, Refusal]] = (
    ("R11", Case(verdicts=("refused",), when=_too_long, explain=_longer_than_a_practicum)),
    ("R11", Case(verdicts=("refused",), when=_not_after_the_request, explain=_starts_too_soon)),
)
"""What a change needs of the new session (R11): no longer than a practicum, after the request."""
CHANGE_REFUSALS: Final[Precedence[ChangeCase, Refusal]] = check_precedence(
    "what a change needs", (*HELD_SESSION_REFUSALS, *NEW_SESSION_REFUSALS)
)
"""What a practicum change needs (R11), checked in this order; the first that fails refuses.

The journey checks the new session's dates against the calendar between the rows
about the session held and those about the new one, so that a change asked too
late, or to the session already held, is refused as such whatever its dates.
"""


# -- what a change costs (R11a, R9, R10), in the order the rules are asked ---------------


def _used_up(ops: Ops, case: ChangeCase) -> Any:  # noqa: ANN401, ARG001  # a mask
    limit = case.policy.free_changes
    return False if limit is None else case.used >= limit


def _on_or_before_the_deadline(ops: Ops, case: ChangeCase) -> Any:  # noqa: ANN401, ARG001
    return case.on <= case.deadline


def _to_a_later_session(ops: Ops, case: ChangeCase) -> Any:  # noqa: ANN401, ARG001
    # "Later" compares first days: a session starting the same day is not a later date.
    return case.to_first > case.held_first


def free_changes_used_up(case: ChangeCase) -> Decision:
    """R11a: once the free changes are used, every change pays, whatever its timing."""
    limit = case.policy.free_changes
    number = case.changes_made + 1
    return case.decide(
        "R11a",
        "fee",
        f"this is change {number}; the {limit} free changes were already used, "
        "so it pays the class change fee whatever its timing",
        (
            f"R9: the timing does not matter once {limit} free changes are used",
            "R11a: changes that paid the fee did not use a free change",
        ),
        charged=case.fee,
    )


def on_or_before_the_deadline(case: ChangeCase) -> Decision:
    """R9: a change asked for on or before the free-change deadline is free."""
    timing = deadline_words(case.policy, case.held_first)
    return case.decide(
        "R9",
        "free",
        f"requested on {case.on}, on or before the free-change deadline {case.deadline}, {timing}",
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
    on, deadline = case.on, case.deadline
    late = (on - deadline).days
    to_first, held_first = case.to_first, case.held_first
    # The verdict is the table's own (its R10 row picks it), so the explanation can
    # never say otherwise than the batch path answers.
    if verdict_of(dict(CHANGE_FEE_PRECEDENCE)["R10"], case) == "free":
        where = (
            f"an earlier session ({to_first} before {held_first})"
            if to_first < held_first
            else f"a session starting the same day ({to_first})"
        )
        return case.decide(
            "R10",
            "free",
            f"requested on {on}, {days(late)} after the free-change "
            f"deadline {deadline}, but to {where}: only later-date changes pay the fee",
            (f"R9: the deadline was {deadline}", case.count_note(paid=False)),
        )
    timing = deadline_words(case.policy, held_first)
    return case.decide(
        "R10",
        "fee",
        f"requested on {on}, {days(late)} after the free-change deadline "
        f"{deadline} ({timing}), to a later session",
        (
            f"R9: the deadline was {deadline}",
            (
                "R10 exception: only a later date pays, and the new session starts later "
                f"({to_first} after {held_first})"
            ),
            case.count_note(paid=True),
        ),
        charged=case.fee,
    )


CHANGE_FEE_PRECEDENCE: Final[Precedence[ChangeCase, Decision]] = check_precedence(
    "is this practicum change free?",
    (
        (
            "R11a",
            Case(
                verdicts=("fee",),
                when=_used_up,
                fees=("class_change_fee",),
                explain=free_changes_used_up,
            ),
        ),
        (
            "R9",
            Case(
                verdicts=("free",),
                when=_on_or_before_the_deadline,
                explain=on_or_before_the_deadline,
            ),
        ),
        (
            "R10",
            Case(
                verdicts=("free", "fee"),
                which=_to_a_later_session,
                fees=(None, "class_change_fee"),
                explain=after_the_deadline,
            ),
        ),
    ),
)
"""The rules that answer "is this practicum change free?", in the order they are asked.

The first rule whose condition holds decides; the last always answers. R11a
comes first because a change beyond the free changes pays whatever its timing.
Both engines read this table (:mod:`cptm_rules.formulas`).
"""


USES_A_FREE_CHANGE: Final = "free"
"""R11a: the verdict of a change that uses one of the free changes (a paid one uses none)."""


def free_changes_after(used: Any, free: Any) -> Any:  # noqa: ANN401  # a count, or counts
    """R11a: the free changes used after a change; ``free`` says it was free (one or many)."""
    return used + free


def change_case(journey: JourneyFacts, event: RequestChange, session: Session) -> ChangeCase:
    """The facts the change rules compare for one candidate (the deadline left to compute)."""
    to = event.to
    return ChangeCase(
        policy=journey.policy,
        prices=journey.prices,
        on=event.on,
        held_first=session.first_day,
        held_last=session.last_day,
        to_first=to.first_day,
        to_last=to.last_day,
        deadline=None,
        used=journey.free_changes_used,
        changes_made=journey.changes_made,
        event=event,
    )


def change_fee_decision(journey: JourneyFacts, event: RequestChange, session: Session) -> Decision:
    """Whether moving from ``session`` as ``event`` asks is free: the first rule that answers."""
    case = change_case(journey, event, session)
    return _fee_decision(case._replace(deadline=free_change_deadline(case.policy, case.held_first)))


def _fee_decision(case: ChangeCase) -> Decision:
    given = explained(CHANGE_FEE_PRECEDENCE, case)
    assert given is not None  # noqa: S101  # the last rule of CHANGE_FEE_PRECEDENCE always answers
    return given


def request_change(journey: JourneyFacts, event: RequestChange, day: dt.date) -> Handled:  # noqa: ARG001  # every handler is given the day
    """A practicum change: refused unless R11 allows it, then free or paid (R9-R11a)."""
    session = journey.session
    assert session is not None  # noqa: S101  # registered states hold a session
    case = change_case(journey, event, session)
    refusal = refusal_in(HELD_SESSION_REFUSALS, case)
    if refusal is None:
        check_in_calendar(case.policy, "first_day", event.to.first_day)
        check_in_calendar(case.policy, "last_day", event.to.last_day)
        refusal = refusal_in(NEW_SESSION_REFUSALS, case)
    if refusal is not None:
        raise refusal
    given = _fee_decision(
        case._replace(deadline=free_change_deadline(case.policy, case.held_first))
    )
    return Handled(
        changes={
            "session": event.to,
            "changes_made": journey.changes_made + 1,
            "free_changes_used": free_changes_after(
                journey.free_changes_used, given.verdict == USES_A_FREE_CHANGE
            ),
        },
        decisions=(given,),
        advisories=lead_time_advisories(case.policy, event.on, event.to.first_day),
        effects=charge(given),
    )


def charge(given: Decision) -> tuple[Effect, ...]:
    """The charge a paid change brings (none for a free one)."""
    return charges(given, "the class change fee")
