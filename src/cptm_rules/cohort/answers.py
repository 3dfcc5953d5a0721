"""A candidate's answers under one policy: the replay of their events, every answer given.

:func:`replay` applies a :class:`~cptm_rules.cohort.candidates.Candidate`'s events
in order under a policy, each with its outcome or refusal; :func:`answer_list`
turns the replay into the answers a diff compares (decisions, advisories, key
dates, the registration's quote, where the journey stands), and
:func:`compare_answers` answers candidates under both sides of a diff.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Final, NamedTuple

import attrs

from cptm_rules.catalogue import rule_ids_in
from cptm_rules.cohort.candidates import Candidate, HeldSession, Step
from cptm_rules.events import Event, Register
from cptm_rules.exceptions import TransitionError
from cptm_rules.lifecycle import KEY_DATE_RULES, Journey, event_day
from cptm_rules.money import Amount, Money, amount_text
from cptm_rules.pricing import quote
from cptm_rules.rule_coverage import (
    DERIVED_STATES,
    is_state_refusal,
    outcome_verdicts,
    quote_verdicts,
    refusal_verdicts,
    status_verdicts,
)
from cptm_rules.rules.pricing import eligible_discounts
from cptm_rules.vocabulary import KeyDateKind, State

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from cptm_rules.outcomes import Outcome
    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule

__all__ = [
    "FINAL_STATE",
    "QUOTE",
    "QUOTE_RULES",
    "YEAR_AFTER",
    "Answer",
    "Answers",
    "Exercised",
    "Replay",
    "answer_list",
    "answered",
    "answers_for",
    "compare_answers",
    "key_date_rule",
    "moment_text",
    "quote_text",
    "refusal_text",
    "replay",
    "state_text",
]


class Replay(NamedTuple):
    """A candidate's events under one policy: each with its outcome or refusal, and the end."""

    journey: Journey
    """The journey after the last event applied."""
    results: tuple[tuple[str, Event, Outcome | TransitionError], ...]
    """Each event's answer name, the event, and its outcome or the refusal."""
    at_horizon: Journey | None = None
    """The journey with only the events dated on or before ``horizon`` (when one was given)."""


def replay(
    candidate: Candidate,
    policy: Policy,
    prices: PriceSchedule,
    *,
    horizon: dt.date | None = None,
) -> Replay:
    """Apply the candidate's events under ``policy`` in order, each answered.

    A refused event changes nothing: the next one is applied to the journey as it
    was. Attendance comes on the last day of the session held at that point,
    before any event dated later (or after everything, when nothing is). With a
    ``horizon``, the journey as it stood after the last event dated on or before
    it is kept too (``journey.status_on(horizon)`` reads it without a replay).
    """
    journey = Journey.new(policy=policy, prices=prices)
    zone = policy.zone
    steps = candidate.steps(zone)
    attend = steps.pop()[1]
    assert isinstance(attend, HeldSession)  # noqa: S101  # steps() ends with attendance
    results: list[tuple[str, Event, Outcome | TransitionError]] = []
    pending = True
    at_horizon: Journey | None = None
    for name, step in steps:
        assert isinstance(step, Step)  # noqa: S101  # only the last step is attendance
        day = event_day(step.event, zone)
        if pending:
            attend_on = _attendance_day(journey)
            if attend_on is not None and (attend_on, attend.rank) < (day, step.rank):
                pending = False
                if horizon is not None and at_horizon is None and attend_on > horizon:
                    at_horizon = journey
                event = attend.event_on(attend_on)
                journey = _apply(journey, "attendance", event, results)
        if horizon is not None and at_horizon is None and day > horizon:
            at_horizon = journey
        journey = _apply(journey, name, step.event, results)
    if pending and (attend_on := _attendance_day(journey)) is not None:
        if horizon is not None and at_horizon is None and attend_on > horizon:
            at_horizon = journey
        event = attend.event_on(attend_on)
        journey = _apply(journey, "attendance", event, results)
    if horizon is not None and at_horizon is None:
        at_horizon = journey
    return Replay(journey=journey, results=tuple(results), at_horizon=at_horizon)


def _attendance_day(journey: Journey) -> dt.date | None:
    # The last day of the session held, while there is a seat to attend (see HeldSession).
    session = journey.session
    if session is None or journey.state not in _ATTENDING:
        return None
    return session.last_day


_ATTENDING: Final = (State.REGISTERED, State.IN_PREWORK)


def _apply(
    journey: Journey,
    name: str,
    event: Event,
    results: list[tuple[str, Event, Outcome | TransitionError]],
) -> Journey:
    try:
        outcome = journey.apply(event)
    except TransitionError as exc:
        # Kept as an answer, without its traceback: the frames it holds reach back to the
        # caller's (a chunk's tables and arrays), in a cycle only a full collection frees.
        results.append((name, event, _without_frames(exc)))
        return journey
    results.append((name, event, outcome))
    return outcome.journey


def _without_frames(error: TransitionError) -> TransitionError:
    """``error`` and the errors it was raised from, with their tracebacks dropped."""
    chained: list[BaseException] = [error]
    seen: set[int] = set()
    while chained:
        one = chained.pop()
        if id(one) in seen:
            continue
        seen.add(id(one))
        one.__traceback__ = None
        chained.extend(e for e in (one.__cause__, one.__context__) if e is not None)
    return error


@attrs.frozen(kw_only=True)
class Answer:
    """One answer the rules give a candidate: a verdict, the amounts it brings, its rules."""

    name: str
    """What is answered: ``change 1``, ``access``, ``key date access_due``, …"""
    verdict: str
    """``free``, ``fee``, ``on_time``, ``refused``, a state, or a date in ISO form."""
    rule_ids: tuple[str, ...]
    fee: Amount | None = None
    refund: Amount | None = None

    def __str__(self) -> str:
        """Render as ``fee 400.00 USD (R10)``, ``free (R9)`` or ``refused (R11)``."""
        amounts = {"fee": self.fee, "refund": self.refund}
        head = self.verdict
        if amounts.get(head) is not None:  # "fee" or "refund": the verdict is the amount
            head = f"{head} {amount_text(amounts.pop(head))}"
        parts = [head] + [
            f"{word} {amount_text(amount)}"
            for word, amount in amounts.items()
            if amount is not None
        ]
        rules = f" ({', '.join(self.rule_ids)})" if self.rule_ids else ""
        return ", ".join(parts) + rules


Answers = dict[str, tuple[str, tuple[str, ...]]]
"""A candidate's answers as a diff compares them: by name, the text and the rule ids cited."""

Exercised = frozenset[tuple[str, str]]
"""The ``(rule id, verdict)`` pairs a candidate's answers had (see ``Rule.verdicts``)."""

_UNCOMPARED: Final = ("R1", "R2")  # every registration gets them: they never move


def answer_list(candidate: Candidate, policy: Policy, prices: PriceSchedule) -> list[Answer]:
    """Every answer the rules give ``candidate`` under ``policy``, one per question asked.

    An event's decision keeps the event's name (``change 1``) whichever rule
    decides it, so that a change that goes from paid to free is one answer
    that moved; a second decision of the same event is ``change 1 (2)``.
    Then every key date (``key date period_end 2`` for the second period), the
    registration's quote, and where the journey stands a year after the
    practicum and at its end (``final state``: lapsed since a period's end,
    the tuition credit expired, the exam window closed).
    """
    return _answered(candidate, policy, prices)[0]


def _answered(  # one pass over every kind of answer
    candidate: Candidate, policy: Policy, prices: PriceSchedule
) -> tuple[list[Answer], Exercised]:
    year_after = candidate.practicum.last_day + dt.timedelta(days=400)
    journey, results, at_year = replay(candidate, policy, prices, horizon=year_after)
    answers: list[Answer] = []
    pairs: set[tuple[str, str]] = set()
    for name, event, result in results:
        if isinstance(result, TransitionError):
            rules = rule_ids_in(result.rule_id or "")
            # A refusal because the journey is not where the event can happen says so.
            state = result.state if is_state_refusal(result, event) else None
            verdict = refusal_text(state)
            answers.append(Answer(name=name, verdict=verdict, rule_ids=rules))
            pairs |= refusal_verdicts(result, event)
            continue
        pairs |= outcome_verdicts(result)
        n = 0
        for decision in result.decisions:
            if decision.rule_id in _UNCOMPARED:
                continue
            n += 1
            answers.append(
                Answer(
                    name=name if n == 1 else f"{name} ({n})",
                    verdict=decision.verdict,
                    rule_ids=(decision.rule_id,),
                    fee=decision.fee,
                    refund=decision.refund,
                )
            )
        answers.extend(
            Answer(
                name=f"{name}: advisory {'+'.join(advisory.rule_ids)}",
                verdict=str(advisory.severity),
                rule_ids=advisory.rule_ids,
            )
            for advisory in result.advisories
        )
        if isinstance(event, Register):
            answers.append(_quote_answer(result.journey, event, pairs))
    zone = policy.zone
    periods = 0
    last = year_after
    for key_date in journey.key_dates():
        name = f"key date {key_date.kind}"
        if key_date.kind is KeyDateKind.PERIOD_END:
            periods += 1
            name = f"{name} {periods}"
        last = max(last, key_date.day(zone))
        answers.append(
            Answer(name=name, verdict=moment_text(key_date.when), rule_ids=(key_date.rule_id,))
        )
    assert at_year is not None  # noqa: S101  # asked for with a horizon
    horizons = (
        (YEAR_AFTER, at_year, year_after),
        (FINAL_STATE, journey, last + dt.timedelta(days=1)),
    )
    for name, lived, day in horizons:
        status = lived.status_on(day)
        rules = (status.rule_id,) if status.rule_id else ()
        pairs |= status_verdicts(status)
        since = status.since if name == FINAL_STATE else None
        verdict = state_text(str(status.state), since)
        answers.append(Answer(name=name, verdict=verdict, rule_ids=rules))
    return answers, frozenset(pairs)


def refusal_text(state: str | None) -> str:
    """A refusal's verdict as a diff compares it: ``refused``, or ``refused while <state>``.

    The second where the journey's ``state`` is not one the event can happen in.
    """
    return "refused" if state is None else f"refused while {state}"


YEAR_AFTER: Final = "state a year after the practicum"
"""The name of the answer: where the journey stands 400 days after the practicum."""

FINAL_STATE: Final = "final state"
"""The name of the answer: where the journey stands the day after its last key date."""


def state_text(state: str, since: dt.date | None) -> str:
    """A state as a diff compares it: a derived state says since when, where that is asked."""
    if state in DERIVED_STATES and since is not None:
        return f"{state} since {since.isoformat()}"
    return state


def key_date_rule(kind: KeyDateKind) -> str:
    """The rule a key date of ``kind`` cites (:data:`~cptm_rules.lifecycle.KEY_DATE_RULES`)."""
    return KEY_DATE_RULES[kind]


def moment_text(when: dt.date | dt.datetime) -> str:
    """A key date as a diff compares it: a day in ISO form, an instant in UTC.

    An instant is compared as the moment it is, not as the program's clock shows it:
    a policy that moves the program to another time zone moves an access due time
    only where the instant itself moves (R4), not because its offset is written
    differently.
    """
    if isinstance(when, dt.datetime):
        return when.astimezone(dt.UTC).isoformat()
    return when.isoformat()


def _quote_answer(journey: Journey, event: Register, pairs: set[tuple[str, str]]) -> Answer:
    # The registration's price under the version in force (R21, R22): the total, or
    # the figure missing, and how the eligible discounts combine when several apply.
    registration = event.registration
    priced = quote(
        organisation=registration.organisation,
        group_size=registration.group_size,
        policy=journey.policy,
        prices=journey.prices,
    )
    eligible, _ = eligible_discounts(
        organisation=registration.organisation,
        group_size=registration.group_size,
        policy=journey.policy,
    )
    pairs.update(quote_verdicts(priced, eligible=len(eligible)))
    total = priced.total if isinstance(priced.total, Money) else None
    text = quote_text(total, priced.missing, tuple(eligible), stacking=priced.stacking)
    return Answer(name=QUOTE, verdict=text, rule_ids=QUOTE_RULES)


QUOTE: Final = "registration quote"
"""The name of a registration's quote among a candidate's answers."""

QUOTE_RULES: Final = ("R21", "R22")
"""The rules a quote cites: the discounts (R21) and the prices known (R22)."""


def quote_text(
    total: Money | None,
    missing: Sequence[str],
    eligible: Sequence[str],
    *,
    stacking: bool,
) -> str:
    """A quote's verdict as a diff compares it: the total or what is unknown, and discounts."""
    verdict = amount_text(total) if total is not None else f"unknown ({', '.join(missing)})"
    if eligible:
        verdict += f"; eligible for {' + '.join(eligible)}"
        if len(eligible) > 1:
            verdict += ", stacked" if stacking else ", the largest only"
    return verdict


def answers_for(candidate: Candidate, policy: Policy, prices: PriceSchedule) -> Answers:
    """Every answer the rules give this candidate under ``policy``, as a diff compares them."""
    return _as_answers(answer_list(candidate, policy, prices))


def answered(
    candidate: Candidate, policy: Policy, prices: PriceSchedule
) -> tuple[Answers, Exercised]:
    """This candidate's :data:`Answers` under ``policy``, and the pairs they exercised."""
    answers, pairs = _answered(candidate, policy, prices)
    return _as_answers(answers), pairs


def _as_answers(answers: Iterable[Answer]) -> Answers:
    return {a.name: (str(a), a.rule_ids) for a in answers}


def compare_answers(
    cohort: Sequence[Candidate],
    base: Policy,
    candidate: Policy,
    prices: PriceSchedule,
    candidate_prices: PriceSchedule,
) -> list[tuple[str, Answers, Answers, Exercised, Exercised]]:
    """Each candidate's answers under both sides of a diff, one row per candidate.

    A row is the candidate's id, its :data:`Answers` under ``base`` with ``prices``
    and under ``candidate`` with ``candidate_prices``, and the
    :data:`Exercised` pairs of each side: what a tally adds
    (:meth:`~cptm_rules.cohort.counts.Tally.add`).
    """
    rows = []
    for c in cohort:
        before, before_pairs = _answered(c, base, prices)
        after, after_pairs = _answered(c, candidate, candidate_prices)
        rows.append((c.id, _as_answers(before), _as_answers(after), before_pairs, after_pairs))
    return rows
