"""Cohorts of candidates and policy diffs over them, like a reform simulation.

A :class:`Candidate` is what a candidate *does* (when they register, which
practicum, when they ask for changes, how they attend and sit the exam); a
policy turns it into answers (due times, deadlines, fees, verdicts).
:func:`diff_policies` runs every candidate under two policies and reports which
answers moved, per answer and per rule, with counts and examples.

Cohorts come from a JSON Lines file (``docs/cohorts.md``) or from
:func:`synthetic_cohort`, which draws realistic spreads reproducibly from a seed.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import datetime as dt
import importlib
import itertools
import multiprocessing
import os
import random
import re
import signal
import sys
import threading
from collections import Counter
from collections.abc import Sized
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple, Protocol, TypeVar
from zoneinfo import ZoneInfo

import attrs

from cptm_rules.calendar import parse_date, parse_instant, to_local_date
from cptm_rules.catalogue import rule_ids_in
from cptm_rules.events import (
    Activity,
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
from cptm_rules.exceptions import InputFileError, InvalidInputError, TransitionError, shown
from cptm_rules.files import check_readable, parse_json
from cptm_rules.lifecycle import Journey, event_day
from cptm_rules.money import Amount, Money, amount_text
from cptm_rules.policy import Policy, load_policy
from cptm_rules.pricing import PriceSchedule, load_prices, quote
from cptm_rules.rule_coverage import (
    DERIVED_STATES,
    CoverageLine,
    FigureChange,
    coverage_lines,
    exercised_by,
    figure_changes,
    is_state_refusal,
    outcome_verdicts,
    quote_verdicts,
    refusal_verdicts,
    status_verdicts,
)
from cptm_rules.rules.pricing import eligible_discounts
from cptm_rules.vocabulary import (
    ActivityCategory,
    Attendance,
    KeyDateKind,
    OrganisationType,
    State,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
    from types import ModuleType

    from cptm_rules.outcomes import Outcome

__all__ = [
    "CHUNK",
    "ID_TEXT",
    "MAX_ACCESS_MINUTES",
    "MAX_GROUP_SIZE",
    "MAX_ID_LENGTH",
    "MAX_LINE_CHARACTERS",
    "MAX_LIST_LENGTH",
    "MAX_SYNTHETIC",
    "PARALLEL_THRESHOLD",
    "Answer",
    "AnswerDiff",
    "AnswerRow",
    "Candidate",
    "Engine",
    "HeldSession",
    "PolicyDiff",
    "Replay",
    "Step",
    "answer_list",
    "answers_for",
    "diff_policies",
    "has_control_characters",
    "iter_cohort",
    "iter_synthetic_cohort",
    "load_cohort",
    "open_cohort",
    "replay",
    "synthetic_cohort",
]

_NEW_YORK: Final = ZoneInfo("America/New_York")
PARALLEL_THRESHOLD: Final = 2000
"""Cohorts at least this large are split across the machine's cores."""


@attrs.frozen(kw_only=True)
class Candidate:
    """What one candidate does, independent of any policy.

    Only ``id``, ``registered_at`` and ``practicum`` are required; every other
    field says what the candidate does next, from the eLearning to the renewals
    of a long career, and defaults to doing nothing (attending in full aside).
    A policy turns it into events (:meth:`steps`) and answers.
    """

    id: str
    registered_at: dt.datetime
    practicum: Session
    access_after_minutes: int = 30
    changes: tuple[tuple[dt.date, Session], ...] = ()
    attendance: Attendance = Attendance.FULL
    attempts: tuple[tuple[dt.date, bool], ...] = ()
    organisation: OrganisationType = OrganisationType.OTHER
    group_size: int = 1
    elearning_opened: dt.date | None = None
    """The day the candidate first opens the eLearning (R24 counts it)."""
    modules: tuple[tuple[dt.date, bool | None], ...] = ()
    """Prework modules completed: the day, and the module's assessment passed, failed
    or not taken (``None``). Modules are numbered in date order (R5, R7)."""
    substitution: dt.date | None = None
    """The day another person takes the seat (R27)."""
    cancelled_on: dt.date | None = None
    """The day the candidate cancels in writing (R24, R25). Staying away without
    notice is no cancellation: that is ``attendance`` ``absent_without_notice`` (R26)."""
    re_enrolment: tuple[dt.date, Session] | None = None
    """The day a cancellation's tuition credit is used, and the practicum it buys (R25)."""
    activities: tuple[Activity, ...] = ()
    """Continuing-education activities, recorded on their dates (R17-R20)."""
    renewal_payments: tuple[dt.date, ...] = ()
    """The days the renewal fee is paid (R18, R20)."""

    def events(self) -> list[tuple[str, Event]]:
        """The candidate's events under the current policy, each with its answer name.

        Attendance is placed as if every change were accepted; :meth:`steps` is
        what answering uses, where the candidate attends the session actually held.
        """
        return [
            (name, step.event if isinstance(step, Step) else step.assumed)
            for name, step in self.steps(_NEW_YORK)
        ]

    def steps(  # noqa: C901  # one line per kind of event
        self, zone: dt.tzinfo
    ) -> list[tuple[str, Step | HeldSession]]:
        """The candidate's events in the order they happen, each with its answer name.

        The registration comes first; the other events follow in the order of their
        program-local dates in ``zone`` (an instant's date there), and events of one
        day in the order a journey lives them: access, eLearning opened, modules
        completed, then their assessments, changes, substitution, cancellation,
        re-enrolment, attendance, exam attempts, activities, renewal payments; events
        of one kind on one day by their values. So a row's answers do not depend on
        the order its lists are written in.
        Attendance (a :class:`~cptm_rules.cohort.HeldSession`) is recorded on the last
        day of whatever session the candidate holds when it comes, which the replay
        decides.
        """
        registered = self.registered_at
        steps: list[tuple[tuple[dt.date, int, tuple[Any, ...]], str, Step | HeldSession]] = []

        def put(day: dt.date, kind: str, order: tuple[Any, ...], name: str, event: Event) -> None:
            steps.append(((day, _RANK[kind], order), name, Step(event=event, rank=_RANK[kind])))

        to_local_date(registered, zone, field="registered_at")  # refuses an instant out of range
        put(
            dt.date.min,  # first whatever the dates: an event before it is out of order
            "registration",
            (),
            "registration",
            Register(
                registration=Registration(
                    email=_EMAIL,
                    registered_at=registered,
                    session=self.practicum,
                    organisation=self.organisation,
                    group_size=self.group_size,
                )
            ),
        )
        granted = registered + dt.timedelta(minutes=self.access_after_minutes)
        access_day = to_local_date(granted, zone, field="access")
        put(access_day, "access", (), "access", GrantAccess(at=granted))
        if self.elearning_opened is not None:
            on = self.elearning_opened
            put(on, "elearning", (), "elearning opened", OpenElearning(on=on))
        for n, (on, passed) in enumerate(sorted(self.modules, key=_module_order), start=1):
            put(on, "module", (n,), f"module {n}", CompleteModule(module=n, on=on))
            if passed is not None:
                event = RecordAssessment(module=n, passed=passed, on=on)
                put(on, "assessment", (n,), f"module {n} assessment", event)
        ordered = sorted(self.changes, key=lambda c: (c[0], c[1].first_day, c[1].last_day))
        for n, (on, to) in enumerate(ordered, start=1):
            put(on, "change", (n,), f"change {n}", RequestChange(on=on, to=to))
        if self.substitution is not None:
            on = self.substitution
            put(on, "substitution", (), "substitution", Substitute(on=on, email=_SUBSTITUTE))
        if self.cancelled_on is not None:
            put(self.cancelled_on, "cancellation", (), "cancellation", Cancel(on=self.cancelled_on))
        if self.re_enrolment is not None:
            on, session = self.re_enrolment
            put(on, "re-enrolment", (), "re-enrolment", ReEnroll(on=on, session=session))
        for n, (on, passed) in enumerate(sorted(self.attempts), start=1):
            put(on, "attempt", (n,), f"exam attempt {n}", AttemptExam(on=on, passed=passed))
        for n, activity in enumerate(sorted(self.activities, key=_activity_order), start=1):
            put(activity.on, "activity", (n,), f"activity {n}", RecordActivity(activity=activity))
        for n, on in enumerate(sorted(self.renewal_payments), start=1):
            put(on, "renewal", (n,), f"renewal fee {n}", PayRenewalFee(on=on))
        steps.sort(key=lambda step: step[0])
        assumed = ordered[-1][1] if ordered else self.practicum
        attend = HeldSession(
            attendance=self.attendance,
            assumed=RecordAttendance(attendance=self.attendance, on=assumed.last_day),
        )
        result: list[tuple[str, Step | HeldSession]] = [(name, step) for _, name, step in steps]
        result.append(("attendance", attend))
        return result


_EMAIL: Final = "candidate@example.org"
"""The registration email of every cohort candidate: no answer depends on it, and an
id (any identifier, spaces and all) need not make a valid address."""
_SUBSTITUTE: Final = "substitute@example.org"

_RANK: Final = {
    kind: rank
    for rank, kind in enumerate(
        (
            "registration",
            "access",
            "elearning",
            "module",
            "assessment",
            "change",
            "substitution",
            "cancellation",
            "re-enrolment",
            "attendance",
            "attempt",
            "activity",
            "renewal",
        )
    )
}


def _module_order(module: tuple[dt.date, bool | None]) -> tuple[dt.date, int]:
    on, passed = module
    return on, {None: 0, False: 1, True: 2}[passed]


def _activity_order(activity: Activity) -> tuple[dt.date, str, Decimal, str, str, str]:
    return (
        activity.on,
        activity.id,
        activity.hours,
        str(activity.category),
        activity.provider,
        activity.title,
    )


@attrs.frozen(kw_only=True)
class Step:
    """One event of a candidate's, as it is applied."""

    event: Event
    rank: int
    """Its place among the events of one day (see :meth:`Candidate.steps`)."""


@attrs.frozen(kw_only=True)
class HeldSession:
    """Attendance, recorded on the last day of the session held when it comes."""

    attendance: Attendance
    assumed: RecordAttendance
    """The attendance event if every change were accepted (what :meth:`Candidate.events` lists)."""

    def event_on(self, day: dt.date) -> RecordAttendance:
        """The attendance event, recorded on ``day`` (the held session's last day).

        :func:`replay` finds the day; a cancelled or forfeited journey holds no seat
        and gets no attendance.
        """
        return RecordAttendance(attendance=self.attendance, on=day)


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
            if attend_on is not None and (attend_on, _ATTENDANCE) < (day, step.rank):
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
_ATTENDANCE: Final = _RANK["attendance"]


def _apply(
    journey: Journey,
    name: str,
    event: Event,
    results: list[tuple[str, Event, Outcome | TransitionError]],
) -> Journey:
    try:
        outcome = journey.apply(event)
    except TransitionError as exc:
        results.append((name, event, exc))
        return journey
    results.append((name, event, outcome))
    return outcome.journey


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


# An answer as a diff compares it: its text, and the rule ids it depends on.
Answers = dict[str, tuple[str, tuple[str, ...]]]

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
            state = is_state_refusal(result, event)
            verdict = f"refused while {result.state}" if state else "refused"
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
            Answer(name=name, verdict=key_date.when.isoformat(), rule_ids=(key_date.rule_id,))
        )
    assert at_year is not None  # noqa: S101  # asked for with a horizon
    horizons = (
        ("state a year after the practicum", at_year, year_after),
        ("final state", journey, last + dt.timedelta(days=1)),
    )
    for name, lived, day in horizons:
        status = lived.status_on(day)
        rules = (status.rule_id,) if status.rule_id else ()
        verdict = str(status.state)
        pairs |= status_verdicts(status)
        if status.state in DERIVED_STATES and name == "final state" and status.since is not None:
            verdict = f"{verdict} since {status.since.isoformat()}"
        answers.append(Answer(name=name, verdict=verdict, rule_ids=rules))
    return answers, frozenset(pairs)


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
    known = isinstance(priced.total, Money)
    pairs.update(quote_verdicts(priced, eligible=len(eligible)))
    verdict = amount_text(priced.total) if known else f"unknown ({', '.join(priced.missing)})"
    if eligible:
        verdict += f"; eligible for {' + '.join(eligible)}"
        if len(eligible) > 1:
            verdict += ", stacked" if priced.stacking else ", the largest only"
    return Answer(name="registration quote", verdict=verdict, rule_ids=("R21", "R22"))


def answers_for(candidate: Candidate, policy: Policy, prices: PriceSchedule) -> Answers:
    """Every answer the rules give this candidate under ``policy``, as a diff compares them."""
    return _as_answers(answer_list(candidate, policy, prices))


def _as_answers(answers: Iterable[Answer]) -> Answers:
    return {a.name: (str(a), a.rule_ids) for a in answers}


@attrs.frozen(kw_only=True)
class AnswerDiff:
    """How one answer moved across the cohort."""

    answer: str
    changed: int
    compared: int
    rule_ids: tuple[str, ...]
    """Every rule this answer cited, for any candidate, moved or not."""
    examples: tuple[tuple[str, str, str], ...]
    """Up to three ``(candidate id, base answer, candidate answer)``."""
    moved_rule_ids: tuple[str, ...] = ()
    """The rules the answer cited where it moved: what ``--allow`` is judged against."""


@attrs.frozen(kw_only=True)
class PolicyDiff:
    """What changed between two policies over a cohort."""

    base: str
    candidate: str
    cohort_size: int
    candidates_changed: int
    answers: tuple[AnswerDiff, ...]
    """Only answers that changed for someone, most changed first."""
    rules: tuple[tuple[str, int], ...]
    """Per rule id, how many candidates had an answer under it change."""
    figures: tuple[FigureChange, ...] = ()
    """Every figure or price that differs between the two sides, with the rules reading it."""
    coverage: tuple[CoverageLine, ...] = ()
    """Every declared ``(rule, verdict)`` pair, with how many candidates had it under the
    base and under the candidate policy."""
    exercised: tuple[tuple[str, int], ...] = ()
    """Per rule id, how many candidates had an answer citing it (under either policy)."""

    def unobserved(self, allowed: Collection[str] = ()) -> tuple[FigureChange, ...]:
        """The figures that differ although no answer under any of their rules moved.

        Such a change is invisible to this cohort: either no candidate exercised
        the rules that read it, or none that did was affected. ``allowed`` holds
        rule ids whose unobserved changes are accepted (``--allow-unobserved``).
        """
        moved = {rule for rule, _count in self.rules}
        accepted = set(allowed)

        def seen(change: FigureChange) -> bool:
            if not change.rule_ids:  # read by no rule we know of: only a moved answer shows it
                return bool(self.answers)
            return bool(moved & set(change.rule_ids)) or set(change.rule_ids) <= accepted

        return tuple(
            change for change in self.figures if not change.shown_only and not seen(change)
        )

    def sharing(self, change: FigureChange) -> tuple[str, ...]:
        """The other differing figures whose rules moved together with ``change``'s.

        When two changed figures are read by a rule whose answers moved, the diff
        cannot tell which moved them; each is seen only jointly.
        """
        moved = {rule for rule, _count in self.rules}
        mine = set(change.rule_ids) & moved
        if not mine or change in self.unobserved():
            return ()
        return tuple(
            other.key
            for other in self.figures
            if other is not change and not other.shown_only and mine & set(other.rule_ids)
        )

    def exercised_count(self, rule_id: str) -> int:
        """How many candidates had an answer citing ``rule_id``."""
        return dict(self.exercised).get(rule_id, 0)

    def unexpected(self, allowed: Collection[str] = ()) -> tuple[AnswerDiff, ...]:
        """The answers that moved although not every rule they depend on is ``allowed``.

        ``allowed`` holds rule ids (``R9``) whose changes are expected, for
        example the rules a policy change sets out to move. An answer with no
        rule (none today) is never expected to move.
        """
        expected = set(allowed)
        return tuple(
            a
            for a in self.answers
            if not (rules := set(a.moved_rule_ids or a.rule_ids)) or not rules <= expected
        )

    def junit_xml(
        self, allowed: Collection[str] = (), allowed_unobserved: Collection[str] = ()
    ) -> bytes:
        """The diff as a JUnit report: one test case per answer that moved.

        A moved answer whose rules are all ``allowed`` passes; any other is a
        failure showing its examples. With nothing moved, one passing case
        says so. Each unobserved figure change (:meth:`unobserved`) not
        ``allowed_unobserved`` is one more failing case.
        """
        import xml.etree.ElementTree as ET  # noqa: PLC0415  # only reports need XML

        unexpected = {a.answer for a in self.unexpected(allowed)}
        name = f"cptm-rules diff {self.base} -> {self.candidate}"
        suite = ET.Element(
            "testsuite",
            name=name,
            tests=str(max(len(self.answers), 1)),
            failures=str(len(unexpected)),
            errors="0",
        )
        properties = ET.SubElement(suite, "properties")
        for line in self.coverage:  # what the cohort exercised, per policy
            ET.SubElement(
                properties,
                "property",
                name=f"exercised {line.rule_id} {line.verdict}",
                value=f"{self.base}: {line.counts[0]}, {self.candidate}: {line.counts[1]}",
            )
        if not self.answers:
            ET.SubElement(suite, "testcase", classname=name, name="no answer moved")
        for a in self.answers:
            case = ET.SubElement(suite, "testcase", classname=name, name=a.answer)
            moved = ", ".join(a.moved_rule_ids or a.rule_ids)
            summary = f"{a.answer} [{moved}] moved for {a.changed} of {a.compared}"
            if a.answer in unexpected:
                failure = ET.SubElement(case, "failure", message=summary)
                failure.text = "\n".join(f"{c}: {b} -> {n}" for c, b, n in a.examples)
            else:
                ET.SubElement(case, "system-out").text = f"{summary} (allowed)"
        for change in self.unobserved(allowed_unobserved):
            case = ET.SubElement(suite, "testcase", classname=name, name=f"figure {change.key}")
            failure = ET.SubElement(
                case,
                "failure",
                message=f"{change.key} changed ({change.base} -> {change.candidate}) "
                "and no answer under its rules moved",
            )
            failure.text = "\n".join(self._unobserved_why(change))
        suite.set(
            "tests", str(max(len(self.answers), 1) + len(self.unobserved(allowed_unobserved)))
        )
        suite.set("failures", str(len(unexpected) + len(self.unobserved(allowed_unobserved))))
        report: bytes = ET.tostring(suite, encoding="utf-8", xml_declaration=True)
        return report

    def as_json(
        self, allowed: Collection[str] = (), allowed_unobserved: Collection[str] = ()
    ) -> dict[str, Any]:
        """The stable JSON form documented in ``docs/cli.md``."""
        unobserved = self.unobserved(allowed_unobserved)
        return {
            "base": self.base,
            "candidate": self.candidate,
            "cohort_size": self.cohort_size,
            "candidates_changed": self.candidates_changed,
            "answers": [
                {
                    "answer": a.answer,
                    "changed": a.changed,
                    "compared": a.compared,
                    "rules": list(a.rule_ids),
                    "moved_rules": list(a.moved_rule_ids or a.rule_ids),
                    "examples": [
                        {"candidate": c, "base": b, "candidate_policy": n} for c, b, n in a.examples
                    ],
                }
                for a in self.answers
            ],
            "rules": [{"rule": r, "candidates_changed": n} for r, n in self.rules],
            "figures": [
                {
                    "key": f.key,
                    "base": f.base,
                    "candidate_policy": f.candidate,
                    "rules": list(f.rule_ids),
                    "observed": f not in unobserved,
                    "shown_only": f.shown_only,
                    "exercised_count": {r: self.exercised_count(r) for r in f.rule_ids},
                    "moved_jointly_with": list(self.sharing(f)),
                }
                for f in self.figures
            ],
            "unobserved": [f.key for f in unobserved],
            "unexpected": [a.answer for a in self.unexpected(allowed)],
            "coverage": [
                {
                    "rule": line.rule_id,
                    "verdict": line.verdict,
                    "base": line.counts[0],
                    "candidate_policy": line.counts[1],
                }
                for line in self.coverage
            ],
        }

    def report(self, allowed_unobserved: Collection[str] = ()) -> str:
        """The diff as text a person reads."""
        share = self.candidates_changed / self.cohort_size if self.cohort_size else 0.0
        lines = [
            f"policy diff: {self.base} -> {self.candidate}, {self.cohort_size} candidates",
            f"candidates with at least one changed answer: {self.candidates_changed} ({share:.1%})",
            "",
            "by answer:",
        ]
        if not self.answers:
            lines.append("  no answer changed")
        for a in self.answers:
            moved = ", ".join(a.moved_rule_ids or a.rule_ids)
            lines.append(f"  {a.answer} [{moved}]: {a.changed} of {a.compared}")
            lines += [f"      {c}: {b} -> {n}" for c, b, n in a.examples]
        lines += ["", "by rule:"]
        lines += [
            f"  {rule}: {count} candidate{'' if count == 1 else 's'}" for rule, count in self.rules
        ]
        if not self.rules:
            lines.append("  none")
        lines += ["", "figures that differ:"]
        unobserved = self.unobserved(allowed_unobserved)
        for change in self.figures:
            note = " UNOBSERVED" if change in unobserved else ""
            if change.shown_only:
                note = " (shown in the rule's statement only: no answer reads it)"
            elif others := self.sharing(change):
                note = (
                    f" (moved answers, as did {', '.join(others)}, which its rules also "
                    "read: diff it alone to see its own effect)"
                )
            lines.append(
                f"  {change.key}: {change.base} -> {change.candidate} "
                f"[{', '.join(change.rule_ids)}]{note}"
            )
        if not self.figures:
            lines.append("  none: the two sides have the same figures and prices")
        if unobserved:
            lines += [
                "",
                f"unobserved changes ({len(unobserved)}): no answer under their rules moved",
            ]
            for change in unobserved:
                lines.append(f"  {change.key} [{', '.join(change.rule_ids)}]:")
                lines += [f"      {line}" for line in self._unobserved_why(change)]
        lines += ["", *self._coverage_summary()]
        return "\n".join(lines)

    def _unobserved_why(self, change: FigureChange) -> list[str]:
        lines = []
        for rule in change.rule_ids:
            count = self.exercised_count(rule)
            hint = exercised_by(rule)
            seen = (
                f"{count} candidates had answers under it, none moved"
                if count
                else "no candidate exercised it"
            )
            lines.append(f"{rule}: {seen}" + (f"; it takes {hint}" if hint else ""))
        return lines

    def _coverage_summary(self) -> list[str]:
        declared = len(self.coverage)
        if not declared:
            return []
        base = sum(1 for line in self.coverage if line.counts[0])
        other = sum(1 for line in self.coverage if line.counts[1])
        never = [f"{line.rule_id} {line.verdict}" for line in self.coverage if not any(line.counts)]
        lines = [
            (
                f"rules and verdicts exercised: {base} of {declared} under {self.base}, "
                f"{other} of {declared} under {self.candidate}"
            )
        ]
        if never:
            lines.append(f"  never exercised: {', '.join(never)}")
        return lines

    def markdown(
        self, allowed: Collection[str] = (), allowed_unobserved: Collection[str] = ()
    ) -> str:
        """A compact GitHub-flavoured summary that fits a pull-request comment."""
        unexpected = {a.answer for a in self.unexpected(allowed)}
        unobserved = self.unobserved(allowed_unobserved)
        verdict = (
            f"{len(unexpected)} unexpected changes, {len(unobserved)} unobserved"
            if unexpected or unobserved
            else "nothing unexpected"
        )
        share = self.candidates_changed / self.cohort_size if self.cohort_size else 0.0
        lines = [
            f"### Policy diff `{self.base}` → `{self.candidate}`: {verdict}",
            "",
            (
                f"{self.candidates_changed} of {self.cohort_size} candidates ({share:.1%}) have "
                f"at least one changed answer; {len(self.answers)} answers moved "
                f"({len(self.answers) - len(unexpected)} allowed)."
            ),
        ]
        if self.answers:
            lines += ["", "| answer | rules | moved | example |", "| --- | --- | --- | --- |"]
            for a in self.answers[:_MARKDOWN_ROWS]:
                example = ""
                if a.examples:
                    c, b, n = a.examples[0]
                    example = f"`{_cell(c)}`: {_cell(b)} → {_cell(n)}"
                flag = "" if a.answer in unexpected else " (allowed)"
                lines.append(
                    f"| {_cell(a.answer)}{flag} | {', '.join(a.moved_rule_ids or a.rule_ids)} | "
                    f"{a.changed} of {a.compared} | {example} |"
                )
            if len(self.answers) > _MARKDOWN_ROWS:
                lines.append(f"\n… and {len(self.answers) - _MARKDOWN_ROWS} more answers.")
        if self.figures:
            lines += [
                "",
                "| figure | base | candidate | rules | seen |",
                "| --- | --- | --- | --- | --- |",
            ]
            for f in self.figures:
                seen = "**unobserved**" if f in unobserved else "moved answers"
                if f.shown_only:
                    seen = "statement only"
                lines.append(
                    f"| `{f.key}` | {_cell(f.base)} | {_cell(f.candidate)} | "
                    f"{', '.join(f.rule_ids)} | {seen} |"
                )
        for change in unobserved:
            lines.append("")
            lines.append(f"- `{change.key}`: " + "; ".join(self._unobserved_why(change)))
        coverage = self._coverage_summary()
        if coverage:
            lines += ["", *coverage]
        return "\n".join(lines) + "\n"


_MARKDOWN_ROWS: Final = 15


def _cell(text: str) -> str:
    # A table cell: one line, no pipe that would split it, no markup from the data.
    flat = " ".join(text.split())
    return flat.replace("\\", "\\\\").replace("|", "\\|").replace("`", "'")[:120]


def _compare(
    cohort: Sequence[Candidate],
    base: Policy,
    candidate: Policy,
    prices: PriceSchedule,
    candidate_prices: PriceSchedule,
) -> list[tuple[str, Answers, Answers, Exercised, Exercised]]:
    rows = []
    for c in cohort:
        before, before_pairs = _answered(c, base, prices)
        after, after_pairs = _answered(c, candidate, candidate_prices)
        rows.append((c.id, _as_answers(before), _as_answers(after), before_pairs, after_pairs))
    return rows


def _policy_value(value: Policy | str | Path) -> Policy:
    return value if isinstance(value, Policy) else load_policy(value)


def _prices_value(value: PriceSchedule | str | Path) -> PriceSchedule:
    return value if isinstance(value, PriceSchedule) else load_prices(value)


CHUNK: Final = 500
"""Candidates per unit of work: what one worker answers and tallies at a time."""


Engine = Literal["local", "dask"]
"""Where a diff runs: this machine's processes, or a Dask cluster (the ``dask`` extra)."""


def diff_policies(  # keyword-only settings of one simulation
    cohort: Iterable[Candidate] | str | Path,
    *,
    base: Policy | str | Path,
    candidate: Policy | str | Path,
    prices: PriceSchedule | str | Path = "shipped",
    candidate_prices: PriceSchedule | str | Path | None = None,
    workers: int | None = None,
    examples: int = 3,
    progress: Callable[[int], None] | None = None,
    on_rows: Callable[[Sequence[AnswerRow]], None] | None = None,
    engine: Engine = "local",
    scheduler: str | None = None,
    connect_timeout: float | None = None,
) -> PolicyDiff:
    """Run every candidate under the ``base`` and ``candidate`` policies and compare.

    ``cohort`` is candidates (a tuple, or an iterator such as
    :func:`iter_synthetic_cohort`) or the path of a cohort file: JSON Lines,
    Parquet or CSV (:func:`~cptm_rules.cohort_formats.iter_cohort_file`).
    Policies are :class:`~cptm_rules.policy.Policy` values (for example
    ``load_policy().with_overrides({...})`` in a notebook), shipped names or
    file paths; ``prices`` likewise a :class:`~cptm_rules.pricing.PriceSchedule`
    or a path, for both sides unless ``candidate_prices`` gives the candidate
    side its own (a price change is diffed like a policy change).

    The cohort is streamed: candidates are answered and tallied :data:`CHUNK` at a
    time and only the counts and the first ``examples`` per answer are kept, so
    memory does not grow with the cohort. With ``workers`` unset, cohorts of at
    least :data:`PARALLEL_THRESHOLD` candidates (or of unknown size) use every
    core; worker processes receive the policy and price values themselves, and
    the result is the same on any number of workers. ``progress``, when given,
    is called with the number of candidates done after each chunk;
    ``on_rows``, when given, receives every candidate's :class:`AnswerRow` s,
    a chunk at a time in cohort order (``cptm-rules diff --output`` writes them).

    ``engine="dask"`` runs the chunks as tasks on a Dask cluster instead: the one
    at ``scheduler`` (an address such as ``tcp://10.0.0.5:8786``; see
    :func:`~cptm_rules.dask_engine.scheduler_address`), given ``connect_timeout``
    seconds to answer (default 10), or a local one made for the call. A Parquet
    cohort is then read partition by partition by the workers themselves. The
    report is the same as the local engine's.
    """
    base_policy, candidate_policy = _policy_value(base), _policy_value(candidate)
    schedule = _prices_value(prices)
    other_schedule = schedule if candidate_prices is None else _prices_value(candidate_prices)
    _check_engine(engine, scheduler, connect_timeout)
    if workers is None:
        size = len(cohort) if isinstance(cohort, Sized) else PARALLEL_THRESHOLD
        workers = (os.cpu_count() or 1) if size >= PARALLEL_THRESHOLD else 1
    _check_workers(workers)
    if type(examples) is not int or examples < 0:
        raise InvalidInputError("examples", examples, "a whole number >= 0")
    sides = (base_policy, candidate_policy, schedule, other_schedule)
    total = _Tally(examples=examples)

    def done(part: _Tally) -> None:
        total.merge(part)
        if on_rows is not None and part.rows is not None:
            on_rows(part.rows)
        if progress is not None:
            progress(total.size)

    run = _Run(sides=sides, examples=examples, keep_rows=on_rows is not None, done=done)
    if engine == "dask":
        _dask_engine().run(
            cohort, run, scheduler=scheduler, workers=workers, connect_timeout=connect_timeout
        )
    else:
        _tally_all(_chunks(_candidates(cohort), CHUNK), run, workers=workers)
    figures = figure_changes(base_policy, candidate_policy, schedule, other_schedule)
    base_label, candidate_label = base_policy.label, candidate_policy.label
    if other_schedule != schedule:  # a price change: say which schedule each side used
        base_label += f" with prices {schedule.origin}"
        candidate_label += f" with prices {other_schedule.origin}"
    return total.result(base=base_label, candidate=candidate_label, figures=figures)


def _check_engine(engine: str, scheduler: object, connect_timeout: object) -> None:
    # The address and the timeout themselves are checked by the dask engine, before it
    # connects (dask_engine.scheduler_address).
    if engine not in ("local", "dask"):
        raise InvalidInputError("engine", engine, "'local' or 'dask'")
    if scheduler is not None and (engine != "dask" or type(scheduler) is not str):
        raise InvalidInputError("scheduler", scheduler, "an address string, with engine='dask'")
    if connect_timeout is not None and scheduler is None:
        raise InvalidInputError("connect_timeout", connect_timeout, "a scheduler to wait for, too")


def _dask_engine() -> ModuleType:
    try:
        # By module name, not from the package: a module already bound on the package
        # must not hide a missing extra (the import machinery asks sys.modules).
        return importlib.import_module("cptm_rules.dask_engine")
    except ImportError:
        raise InvalidInputError(
            "engine", "dask", "'local', or install the dask extra: pip install 'cptm-rules[dask]'"
        ) from None


def open_cohort(path: str | Path) -> Iterator[Candidate]:
    """Candidates from a cohort file of any format, streamed, checked as they come.

    JSON Lines needs nothing more (:func:`iter_cohort`); Parquet and CSV need the
    ``columnar`` extra (:func:`~cptm_rules.cohort_formats.iter_cohort_file`), and
    without it are refused with the extra to install.
    """
    if Path(path).suffix.lower() == ".jsonl":
        return iter_cohort(path)
    try:
        from cptm_rules.cohort_formats import iter_cohort_file  # noqa: PLC0415  # pyarrow
    except ImportError:
        raise InvalidInputError(
            "cohort",
            str(path),
            "a JSON Lines cohort, or install the columnar extra for Parquet and CSV: "
            "pip install 'cptm-rules[columnar]'",
        ) from None
    return iter_cohort_file(path)


def _candidates(cohort: Iterable[Candidate] | str | Path) -> Iterable[Candidate]:
    return open_cohort(cohort) if isinstance(cohort, str | Path) else cohort


class _Run(NamedTuple):
    """What every chunk of one diff is answered with, and where its tally goes."""

    sides: tuple[Policy, Policy, PriceSchedule, PriceSchedule]
    examples: int
    keep_rows: bool
    done: Callable[[_Tally], None]

    def tally(self, chunk: Sequence[Candidate]) -> _Tally:
        """Answer and tally one chunk here (the worker side calls :func:`_tally_chunk`)."""
        return _tally_chunk(chunk, self.sides, self.examples, self.keep_rows)


def _tally_all(chunks: Iterable[list[Candidate]], run: _Run, *, workers: int) -> None:
    chunks = iter(chunks)
    # No more workers than chunks: read up to one chunk per worker before starting any.
    first = list(itertools.islice(chunks, workers))
    workers = min(workers, len(first))
    if multiprocessing.current_process().daemon:
        workers = 1  # a daemonic process (a multiprocessing.Pool worker) may not have children
    if workers <= 1:
        for chunk in itertools.chain(first, chunks):
            run.done(run.tally(chunk))
        return
    stop = multiprocessing.Event()  # set when the diff stops early: every worker then ends
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, initializer=_worker_started, initargs=(os.getpid(), stop)
    )

    def submit(chunk: list[Candidate]) -> concurrent.futures.Future[_Tally]:
        return pool.submit(_tally_chunk, chunk, run.sides, run.examples, run.keep_rows)

    try:
        with _interrupts_held():  # the first submit starts the workers
            started = submit(first[0])
        _in_order(
            itertools.chain([started], map(submit, itertools.chain(first[1:], chunks))),
            run.done,
            window=2 * workers,
        )
    except BaseException:
        _stop_workers(pool, stop)  # Ctrl-C or an error: the chunks in flight are not wanted
        raise
    pool.shutdown()


class _Pending(Protocol):
    # A future of either engine: concurrent.futures' or distributed's.
    def result(self) -> _Tally: ...


def _in_order(
    futures: Iterable[_Pending],
    done: Callable[[_Tally], None],
    *,
    window: int,
) -> None:
    """Hand each future's result to ``done`` in submission order, ``window`` in flight.

    At most ``window`` chunks are submitted and not yet merged, so memory stays
    flat, and merging in cohort order keeps the same examples on any number of
    workers or engines.
    """
    pending: collections.deque[_Pending] = collections.deque()
    for future in futures:
        pending.append(future)
        if len(pending) >= window:
            done(pending.popleft().result())
    while pending:
        done(pending.popleft().result())


_WORKERS_PER_CORE: Final = 4
"""The most worker processes a diff starts, per core (``workers=`` above it is refused)."""

_PR_SET_PDEATHSIG: Final = 1  # from <linux/prctl.h>
_PARENT_CHECK_SECONDS: Final = 0.5


def _check_workers(workers: object) -> None:
    if type(workers) is not int or workers < 1:
        raise InvalidInputError("workers", workers, "a whole number >= 1")
    most = _WORKERS_PER_CORE * (os.cpu_count() or 1)
    if workers > most:  # more processes than this only thrash (and a typo could fork-bomb)
        raise InvalidInputError(
            "workers",
            workers,
            f"a whole number from 1 to {most} ({_WORKERS_PER_CORE} per core on this machine)",
        )


class _Flag(Protocol):
    # A multiprocessing.Event, as the diff and its workers use it.
    def set(self) -> None: ...
    def is_set(self) -> bool: ...
    def wait(self, timeout: float | None = None) -> bool: ...


def _worker_started(parent: int, stop: _Flag) -> None:
    """Set up one worker process: Ctrl-C is the parent's to handle, and it dies with it.

    A Ctrl-C at a terminal reaches every process of the group: the parent stops
    the workers itself (:func:`_stop_workers`, which sets ``stop``), so they
    ignore it rather than print tracebacks. A parent killed outright cannot stop
    them, so each worker watches it: on Linux the kernel kills the worker when
    the parent dies (``PR_SET_PDEATHSIG``), and everywhere a thread ends the
    worker once its parent process is gone or ``stop`` is set.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        _die_with_parent()
    if os.getppid() != parent or stop.is_set():  # gone or stopped before the watch began
        os._exit(1)
    threading.Thread(
        target=_watch_parent, args=(parent, stop), name="cptm-rules parent watch", daemon=True
    ).start()


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C back until the block ends, then take it.

    Worker processes are forked inside the block: a KeyboardInterrupt raised in
    one of fork's handlers is printed and dropped by Python, and the diff would
    run on as if never interrupted.
    """
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover  # Windows: no fork
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _die_with_parent() -> None:
    import ctypes  # noqa: PLC0415  # Linux only

    with contextlib.suppress(OSError, AttributeError):  # no libc or no prctl: the thread watches
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _watch_parent(
    parent: int,
    stop: _Flag,
    *,
    every: float = _PARENT_CHECK_SECONDS,
    end: Callable[[int], object] = os._exit,
) -> None:
    # An orphan is adopted by another process: a new parent id means the diff is gone.
    while os.getppid() == parent and not stop.wait(every):
        pass
    end(1)


def _stop_workers(pool: concurrent.futures.ProcessPoolExecutor, stop: _Flag) -> None:
    """Stop ``pool`` now: drop the chunks not started, end the workers mid-chunk."""
    # The flag reaches every worker, even one started an instant ago that the pool does
    # not list yet (an interrupt can come mid-start); terminating the listed ones (Python
    # 3.14 has pool.terminate_workers(); before it they are only here) is quicker still.
    stop.set()
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=5)


def _chunks(cohort: Iterable[Candidate], size: int) -> Iterator[list[Candidate]]:
    items = iter(cohort)
    while chunk := list(itertools.islice(items, size)):
        yield chunk


def _tally_chunk(
    chunk: Sequence[Candidate],
    sides: tuple[Policy, Policy, PriceSchedule, PriceSchedule],
    examples: int,
    keep_rows: bool = False,  # noqa: FBT001, FBT002  # positional: it crosses to worker processes
) -> _Tally:
    tally = _Tally(examples=examples, keep_rows=keep_rows)
    for row in _compare(chunk, *sides):
        tally.add(*row)
    return tally


class AnswerRow(NamedTuple):
    """One answer of one candidate under both policies, as ``--output`` writes it."""

    candidate: str
    """The candidate's id."""
    answer: str
    """What is answered (``change 1``, ``key date access_due``, …)."""
    base: str
    """The answer under the base policy, as text (``fee 400.00 USD (R10)``)."""
    candidate_policy: str
    """The answer under the candidate policy."""
    changed: bool
    """Whether the two differ."""
    rules: str
    """The rules either answer cites, comma-separated."""


class _Tally:
    """Counts of a diff so far: merged chunk by chunk, never holding the cohort's rows.

    With ``keep_rows``, a chunk's tally also keeps its answer rows, which the
    caller hands on (to ``on_rows``) and drops as soon as the chunk is merged.
    """

    def __init__(self, *, examples: int, keep_rows: bool = False) -> None:
        self.examples = examples
        self.rows: list[AnswerRow] | None = [] if keep_rows else None
        self.size = 0
        self.moved = 0
        self.changed: Counter[str] = Counter()
        self.compared: Counter[str] = Counter()
        self.per_rule: Counter[str] = Counter()
        self.cited: Counter[str] = Counter()
        self.base_pairs: Counter[tuple[str, str]] = Counter()
        self.candidate_pairs: Counter[tuple[str, str]] = Counter()
        self.rules_of: dict[str, set[str]] = {}
        self.moved_rules_of: dict[str, set[str]] = {}
        self.samples: dict[str, list[tuple[str, str, str]]] = {}

    def add(  # one candidate's answers on both sides, and what they exercised
        self,
        cid: str,
        before: Answers,
        after: Answers,
        before_pairs: Exercised = frozenset(),
        after_pairs: Exercised = frozenset(),
    ) -> None:
        self.size += 1
        self.base_pairs.update(before_pairs)
        self.candidate_pairs.update(after_pairs)
        moved_rules: set[str] = set()
        cited: set[str] = set()
        for answer in sorted(before.keys() | after.keys()):
            old, old_rules = before.get(answer, ("absent", ()))
            new, new_rules = after.get(answer, ("absent", ()))
            self.compared[answer] += 1
            cited.update(old_rules, new_rules)
            self.rules_of.setdefault(answer, set()).update(old_rules, new_rules)
            if self.rows is not None:
                rules = ", ".join(sorted({*old_rules, *new_rules}, key=_rule_order))
                self.rows.append(AnswerRow(cid, answer, old, new, old != new, rules))
            if old != new:
                self.changed[answer] += 1
                moved_rules.update(old_rules, new_rules)
                self.moved_rules_of.setdefault(answer, set()).update(old_rules, new_rules)
                kept = self.samples.setdefault(answer, [])
                if len(kept) < self.examples:
                    kept.append((cid, old, new))
        cited.update(rule for rule, _verdict in before_pairs | after_pairs)
        self.cited.update(cited)
        if moved_rules:
            self.moved += 1
            self.per_rule.update(moved_rules)

    def merge(self, other: _Tally) -> None:
        self.size += other.size
        self.moved += other.moved
        self.changed.update(other.changed)
        self.compared.update(other.compared)
        self.per_rule.update(other.per_rule)
        self.cited.update(other.cited)
        self.base_pairs.update(other.base_pairs)
        self.candidate_pairs.update(other.candidate_pairs)
        for answer, rules in other.rules_of.items():
            self.rules_of.setdefault(answer, set()).update(rules)
        for answer, rules in other.moved_rules_of.items():
            self.moved_rules_of.setdefault(answer, set()).update(rules)
        for answer, samples in other.samples.items():
            kept = self.samples.setdefault(answer, [])
            kept.extend(samples[: self.examples - len(kept)])
        if self.rows is not None and other.rows is not None:
            self.rows.extend(other.rows)

    def result(
        self, *, base: str, candidate: str, figures: tuple[FigureChange, ...] = ()
    ) -> PolicyDiff:
        answers = tuple(
            AnswerDiff(
                answer=a,
                changed=n,
                compared=self.compared[a],
                rule_ids=tuple(sorted(self.rules_of[a], key=_rule_order)),
                moved_rule_ids=tuple(sorted(self.moved_rules_of.get(a, ()), key=_rule_order)),
                examples=tuple(self.samples[a]),
            )
            for a, n in sorted(self.changed.items(), key=lambda item: (-item[1], item[0]))
        )
        rules = tuple(sorted(self.per_rule.items(), key=lambda item: _rule_order(item[0])))
        return PolicyDiff(
            base=base,
            candidate=candidate,
            cohort_size=self.size,
            candidates_changed=self.moved,
            answers=answers,
            rules=rules,
            figures=figures,
            coverage=coverage_lines(self.base_pairs, self.candidate_pairs),
            exercised=tuple(sorted(self.cited.items(), key=lambda item: _rule_order(item[0]))),
        )


def _rule_order(rule_id: str) -> tuple[int, str]:
    digits = "".join(c for c in rule_id if c.isdigit())
    return int(digits or 0), rule_id


# -- synthetic cohorts ---------------------------------------------------------------------


def _monday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


MAX_SYNTHETIC: Final = 1_000_000
"""The largest synthetic cohort made (memory grows with the cohort)."""


def synthetic_cohort(size: int, *, seed: int) -> tuple[Candidate, ...]:
    """``size`` synthetic candidates from ``seed``, as a tuple.

    See :func:`iter_synthetic_cohort`, which makes the same candidates one at a time.
    """
    return tuple(iter_synthetic_cohort(size, seed=seed))


def iter_synthetic_cohort(size: int, *, seed: int) -> Iterator[Candidate]:
    """``size`` candidates drawn reproducibly from ``seed``, living every part of the journey.

    The draws are independent of any policy, so the same candidates are answered
    under both sides of a diff, and are spread to exercise every rule and verdict
    of the catalogue (``docs/cohorts.md`` lists the proportions):

    - registrations on weekdays in working hours across 2026-2028, practicums
      (Monday to Thursday) 3 to 16 weeks later; access mostly within minutes,
      about one grant in eight after more than two hours;
    - about 85% open the eLearning within days; prework modules: three in four
      finish all ten, one in seven some, the rest none; assessments mostly passed;
    - about a third ask for one change (a few for two or three), in date order,
      around the free-change deadline, mostly to a later session;
    - 4% hand the seat to a substitute; 8% cancel in writing, half within five
      days of registering (some after opening the eLearning), and of those who
      cancel about 60% re-enrol within the credit's year and 15% after it;
    - most attend in full; nine in ten sit the exam (3% too late, 2% too early,
      some with four or more failed attempts);
    - those who pass record continuing education over one to three periods: just
      under, at or over the hours required, some outside the period, some repeated,
      some not qualifying; the renewal fee paid early, late or never (a lapse).
    """
    if type(size) is not int or not 0 <= size <= MAX_SYNTHETIC:
        raise InvalidInputError(
            "size", size, f"a whole number of candidates from 0 to {MAX_SYNTHETIC:,}"
        )
    rng = random.Random(seed)  # noqa: S311  # a reproducible simulation, not a secret
    for n in range(size):
        yield _synthetic_candidate(f"c{n:06d}", rng)


_START: Final = dt.date(2026, 1, 5)
_QUALIFYING: Final = (
    ActivityCategory.CONFERENCE,
    ActivityCategory.WEBINAR,
    ActivityCategory.WEBINAR,
    ActivityCategory.COURSE,
    ActivityCategory.SEMINAR,
    ActivityCategory.ALUMNI_WEBINAR,
    ActivityCategory.PODCAST,
)


def _synthetic_candidate(ident: str, rng: random.Random) -> Candidate:
    day = _START + dt.timedelta(days=rng.randrange(0, 365 * 3))
    if day.weekday() >= 5:  # Saturday or Sunday
        day -= dt.timedelta(days=day.weekday() - 4)
    registered = dt.datetime.combine(
        day, dt.time(rng.randrange(8, 18), rng.randrange(0, 60)), tzinfo=_NEW_YORK
    )
    first = _monday_on_or_after(day + dt.timedelta(days=rng.randrange(21, 112)))
    if rng.random() < 0.003:  # a session already under way: the registration is refused (R2)
        first = day - dt.timedelta(days=1)
    practicum = Session(first_day=first, last_day=first + dt.timedelta(days=3))
    changes, held = _synthetic_changes(rng, day, practicum)
    opened = day + dt.timedelta(days=rng.randrange(0, 10)) if rng.random() < 0.85 else None
    modules = _synthetic_modules(rng, opened or day + dt.timedelta(days=1), held.first_day)
    substitution = None
    if rng.random() < 0.04:
        substitution = day + dt.timedelta(days=rng.randrange(1, max(2, (first - day).days)))
        if rng.random() < 0.05:  # too late: the practicum has started (R27)
            substitution = held.first_day + dt.timedelta(days=1)
    cancelled = re_enrolment = None
    if rng.random() < 0.08:
        cancelled, re_enrolment, opened, modules = _synthetic_cancellation(
            rng, day, held, opened, modules
        )
        if re_enrolment is not None:
            held = re_enrolment[1]
    attendance = rng.choices(list(Attendance), weights=(85, 7, 4, 4))[0]
    attempts: list[tuple[dt.date, bool]] = []
    if rng.random() < 0.9:  # nine in ten sit the exam
        attempts = _synthetic_attempts(rng, held.last_day)
    passed_on = next((on for on, passed in attempts if passed), None)
    activities, payments = _synthetic_career(rng, ident, passed_on)
    return Candidate(
        id=ident,
        registered_at=registered,
        practicum=practicum,
        access_after_minutes=rng.choices(
            (5, 30, 60, 90, 150, 600, 1500, 3000), weights=(40, 25, 15, 8, 6, 3, 2, 1)
        )[0],
        changes=tuple(changes),
        attendance=attendance,
        attempts=tuple(attempts),
        organisation=rng.choices(list(OrganisationType), weights=(70, 18, 12))[0],
        group_size=rng.choices((1, 2, 3, 5), weights=(75, 12, 8, 5))[0],
        elearning_opened=opened,
        modules=modules,
        substitution=substitution,
        cancelled_on=cancelled,
        re_enrolment=re_enrolment,
        activities=activities,
        renewal_payments=payments,
    )


def _synthetic_cancellation(
    rng: random.Random,
    day: dt.date,
    held: Session,
    opened: dt.date | None,
    modules: tuple[tuple[dt.date, bool | None], ...],
) -> tuple[
    dt.date,
    tuple[dt.date, Session] | None,
    dt.date | None,
    tuple[tuple[dt.date, bool | None], ...],
]:
    early = rng.random() < 0.5
    cancelled = day + dt.timedelta(days=rng.randrange(0, 6) if early else rng.randrange(6, 40))
    if early and rng.random() < 0.5:
        opened = day  # opened before cancelling: no early refund (R24)
    elif early:
        opened, modules = None, ()  # never opened: the early refund (R24)
    if cancelled >= held.first_day or rng.random() < 0.05:
        # A few write in after the practicum has started: too late to cancel (R26).
        cancelled = held.first_day + dt.timedelta(days=rng.randrange(-1, 2))
    re_enrolment = None
    draw = rng.random()
    if draw < 0.75:  # most use the credit, a few after it expired (R25)
        later = rng.randrange(30, 300) if draw < 0.6 else rng.randrange(380, 420)
        on = cancelled + dt.timedelta(days=later)
        new_first = _monday_on_or_after(on + dt.timedelta(days=rng.randrange(28, 84)))
        re_enrolment = (on, Session(first_day=new_first, last_day=new_first + dt.timedelta(3)))
    return cancelled, re_enrolment, opened, modules


def _synthetic_changes(
    rng: random.Random, day: dt.date, practicum: Session
) -> tuple[list[tuple[dt.date, Session]], Session]:
    changes: list[tuple[dt.date, Session]] = []
    held = practicum
    asked = day
    for _ in range(rng.choices((0, 1, 2, 3), weights=(64, 28, 6, 2))[0]):
        # Each request comes after the last one, around the held session's deadline.
        asked = max(held.first_day - dt.timedelta(days=rng.randrange(20, 60)), asked)
        asked += dt.timedelta(days=1)
        if asked >= held.first_day:
            break
        weeks = rng.choice((-2, -1, 2, 4, 4, 6, 8))
        new_first = held.first_day + dt.timedelta(weeks=weeks)
        if new_first <= asked:
            new_first = held.first_day + dt.timedelta(weeks=4)
        to = Session(first_day=new_first, last_day=new_first + dt.timedelta(days=3))
        if rng.random() < 0.04:  # a request the rules refuse: the same session again (R11)
            changes.append((asked, held))
            continue
        held = to
        changes.append((asked, held))
    return changes, held


def _synthetic_modules(
    rng: random.Random, start: dt.date, first_day: dt.date
) -> tuple[tuple[dt.date, bool | None], ...]:
    # One in a hundred records an eleventh module, which the prework does not have (R5).
    count = rng.choices((10, rng.randrange(3, 10), 0, 11), weights=(75, 15, 9, 1))[0]
    span = max(1, (first_day - start).days)
    days = sorted(start + dt.timedelta(days=rng.randrange(0, span)) for _ in range(count))
    return tuple((on, rng.choices((True, False, None), weights=(85, 10, 5))[0]) for on in days)


def _synthetic_attempts(rng: random.Random, opens: dt.date) -> list[tuple[dt.date, bool]]:
    draw = rng.random()
    if draw < 0.03:  # after the window has closed
        return [(opens + dt.timedelta(days=rng.randrange(190, 260)), True)]
    if draw < 0.05:  # before the exam opens
        return [(opens - dt.timedelta(days=rng.randrange(1, 3)), True)]
    stubborn = draw < 0.08  # four or more failures: what a cap on attempts would refuse
    attempts = []
    on = opens + dt.timedelta(days=int(rng.expovariate(1 / 20)))
    for number in range(6 if stubborn else 3):
        passed = (number >= 4) if stubborn else rng.random() < 0.8  # the fifth
        attempts.append((on, passed))
        if passed:
            break
        on += dt.timedelta(days=rng.randrange(10, 30))
    return attempts


def _synthetic_career(
    rng: random.Random, ident: str, certified: dt.date | None
) -> tuple[tuple[Activity, ...], tuple[dt.date, ...]]:
    if certified is None:
        return (), ()
    activities: list[Activity] = []
    payments: list[dt.date] = []
    start = certified
    periods = rng.choices((1, 2, 3), weights=(50, 30, 20))[0]
    for period in range(periods):
        end = _years_later(start, 2)
        span = (end - start).days
        target = rng.choices(
            (Decimal("22.5"), Decimal(24), Decimal(rng.randrange(25, 41)), Decimal(0)),
            weights=(20, 20, 50, 10),
        )[0]
        recorded = Decimal(0)
        while recorded < target:
            hours = min(Decimal(rng.choice(("1.5", "2", "3", "4", "6", "8"))), target - recorded)
            on = start + dt.timedelta(days=rng.randrange(0, span))
            category = rng.choice(_QUALIFYING)
            if rng.random() < 0.05:  # not industry-relevant: never counts (R19)
                category = ActivityCategory.NOT_INDUSTRY_RELEVANT
            else:
                recorded += hours
            activity = Activity(
                id=f"{ident}-p{period + 1}-{len(activities) + 1}",
                on=on,
                hours=hours,
                category=category,
            )
            activities.append(activity)
            if rng.random() < 0.05:  # the same activity recorded twice counts once
                activities.append(attrs.evolve(activity, on=on + dt.timedelta(days=1)))
        if rng.random() < 0.1:  # hours from before the period: they do not count
            activities.append(
                Activity(
                    id=f"{ident}-p{period + 1}-early",
                    on=start - dt.timedelta(days=rng.randrange(1, 60)),
                    hours=Decimal(3),
                    category=ActivityCategory.WEBINAR,
                )
            )
        timing = rng.choices(("early", "late", "never"), weights=(55, 35, 10))[0]
        if timing == "never":
            break  # the credential lapses at this period's end (R20)
        offset = rng.randrange(0, 90) if timing == "early" else span - rng.randrange(1, 60)
        payments.append(start + dt.timedelta(days=offset))
        start = end
    return tuple(activities), tuple(payments)


def _years_later(day: dt.date, years: int) -> dt.date:
    # The draws need only a plausible period: the policy computes the real one (R17).
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# -- cohort files ----------------------------------------------------------------------


MAX_ACCESS_MINUTES: Final = 525_600
"""The latest access a cohort file may record: a year after registering."""
MAX_GROUP_SIZE: Final = 1000
"""The most seats one cohort row may register together."""
MAX_ID_LENGTH: Final = 200
"""The longest candidate id a cohort file may give."""

_CONTROL_CHARACTERS: Final = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
ID_TEXT: Final = (
    "text without control characters (C0, DEL, C1 or bidirectional overrides U+202A-U+202E, "
    "U+2066-U+2069)"
)
"""What a cohort id may hold, as errors say it."""


def has_control_characters(text: str) -> bool:
    """Whether ``text`` holds a character a cohort id may not: C0, DEL, C1 or a bidi control.

    That is U+0000-U+001F, U+007F-U+009F, U+202A-U+202E and U+2066-U+2069: they
    hide or reorder what a reader of a report, a terminal or a spreadsheet sees.
    Every cohort reader refuses such an id.
    """
    return _CONTROL_CHARACTERS.search(text) is not None


_REQUIRED: Final = object()
T = TypeVar("T")


class _Bad(Exception):  # noqa: N818  # internal signal, never escapes this module
    def __init__(self, key: str, value: object, expected: str) -> None:
        self.key, self.value, self.expected = key, value, expected


def _take(  # one lookup, fully described
    row: Mapping[str, Any], key: str, kind: type, expected: str, default: object, *, at: str = ""
) -> Any:  # noqa: ANN401  # the caller names the type
    # Exact types: a bool is not an int here, a float is not an int, a string is not a bool.
    if key not in row:
        if default is _REQUIRED:
            raise _Bad(at + key, _MISSING, f"{expected} (required)")
        return default
    value = row[key]
    if type(value) is not kind:
        raise _Bad(at + key, value, expected)
    return value


def _whole(row: Mapping[str, Any], key: str, lowest: int, highest: int, default: int) -> int:
    expected = f"a whole number from {lowest} to {highest:,}"
    value: int = _take(row, key, int, expected, default)
    if not lowest <= value <= highest:
        raise _Bad(key, value, expected)
    return value


def _object(value: object, key: str, keys: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _Bad(key, value, f"an object with the keys {', '.join(keys)}")
    unknown = sorted(set(value) - set(keys))
    if unknown:
        raise _Bad(f"{key}.{unknown[0]}", value[unknown[0]], f"a key among {', '.join(keys)}")
    return value


def _parsed(key: str, value: str, parse: Callable[[str], T]) -> T:
    try:
        return parse(value)
    except InvalidInputError as exc:
        raise _Bad(key, value, exc.expected) from None


def _word(row: Mapping[str, Any], key: str, words: type[Attendance | OrganisationType]) -> str:
    expected = f"one of {', '.join(w.value for w in words)}"
    value: str = _take(row, key, str, expected, next(iter(words)).value)
    if value not in words._value2member_map_:
        raise _Bad(key, value, expected)
    return value


def _candidate(row: object) -> Candidate:
    fields = _object(row, "candidate", tuple(f.name for f in attrs.fields(Candidate)))
    ident: str = _take(fields, "id", str, "a non-empty string", _REQUIRED)
    if not 0 < len(ident) <= MAX_ID_LENGTH:
        raise _Bad("id", ident, f"a string of 1 to {MAX_ID_LENGTH} characters")
    if has_control_characters(ident):
        raise _Bad("id", ident, ID_TEXT)
    registered: str = _take(fields, "registered_at", str, "an ISO instant string", _REQUIRED)
    practicum: str = _take(fields, "practicum", str, 'a session "FIRST..LAST"', _REQUIRED)
    changes = []
    for n, item in enumerate(_list(fields, "changes", "a list of changes")):
        where = f"changes[{n}]"
        change = _object(item, where, ("on", "to"))
        on: str = _take(change, "on", str, "an ISO date string", _REQUIRED, at=f"{where}.")
        to: str = _take(change, "to", str, 'a session "FIRST..LAST"', _REQUIRED, at=f"{where}.")
        changes.append(
            (_parsed(f"{where}.on", on, parse_date), _parsed(f"{where}.to", to, Session.parse))
        )
    attempts = []
    for n, item in enumerate(_list(fields, "attempts", "a list of attempts")):
        where = f"attempts[{n}]"
        attempt = _object(item, where, ("on", "passed"))
        day: str = _take(attempt, "on", str, "an ISO date string", _REQUIRED, at=f"{where}.")
        passed: bool = _take(attempt, "passed", bool, "true or false", _REQUIRED, at=f"{where}.")
        attempts.append((_parsed(f"{where}.on", day, parse_date), passed))
    return Candidate(
        id=ident,
        registered_at=_parsed("registered_at", registered, parse_instant),
        practicum=_parsed("practicum", practicum, Session.parse),
        access_after_minutes=_whole(fields, "access_after_minutes", 0, MAX_ACCESS_MINUTES, 30),
        changes=tuple(changes),
        attendance=Attendance(_word(fields, "attendance", Attendance)),
        attempts=tuple(attempts),
        organisation=OrganisationType(_word(fields, "organisation", OrganisationType)),
        group_size=_whole(fields, "group_size", 1, MAX_GROUP_SIZE, 1),
        elearning_opened=_optional_day(fields, "elearning_opened"),
        modules=_modules(fields),
        substitution=_optional_day(fields, "substitution"),
        cancelled_on=_optional_day(fields, "cancelled_on"),
        re_enrolment=_re_enrolment(fields),
        activities=_activities(fields),
        renewal_payments=tuple(
            _parsed(f"renewal_payments[{n}]", _is_day(item, f"renewal_payments[{n}]"), parse_date)
            for n, item in enumerate(
                _take(fields, "renewal_payments", list, "a list of ISO date strings", [])
            )
        ),
    )


MAX_LINE_CHARACTERS: Final = 4 * 1024 * 1024
"""The longest line a JSON Lines cohort may hold (a candidate with a long career is a few KiB)."""
MAX_LIST_LENGTH: Final = 10_000
"""The most items one list of a cohort row (changes, activities, …) may hold."""


def _list(fields: Mapping[str, Any], key: str, expected: str) -> list[Any]:
    items: list[Any] = _take(fields, key, list, expected, [])
    if len(items) > MAX_LIST_LENGTH:
        raise _Bad(
            key, _Shown(None, label=f"<{len(items):,} items>"), f"at most {MAX_LIST_LENGTH:,} items"
        )
    return items


def _is_day(value: object, key: str) -> str:
    if type(value) is not str:
        raise _Bad(key, value, "an ISO date string")
    return value


def _optional_day(fields: Mapping[str, Any], key: str) -> dt.date | None:
    value: str | None = _take(fields, key, str, "an ISO date string", None)
    return None if value is None else _parsed(key, value, parse_date)


def _modules(fields: Mapping[str, Any]) -> tuple[tuple[dt.date, bool | None], ...]:
    modules = []
    for n, item in enumerate(_list(fields, "modules", "a list of completed modules")):
        where = f"modules[{n}]"
        module = _object(item, where, ("on", "passed"))
        day: str = _take(module, "on", str, "an ISO date string", _REQUIRED, at=f"{where}.")
        passed: bool | None = _take(module, "passed", bool, "true or false", None, at=f"{where}.")
        modules.append((_parsed(f"{where}.on", day, parse_date), passed))
    return tuple(modules)


def _re_enrolment(fields: Mapping[str, Any]) -> tuple[dt.date, Session] | None:
    if "re_enrolment" not in fields:
        return None
    item = _object(fields["re_enrolment"], "re_enrolment", ("on", "to"))
    where = "re_enrolment."
    on: str = _take(item, "on", str, "an ISO date string", _REQUIRED, at=where)
    to: str = _take(item, "to", str, 'a session "FIRST..LAST"', _REQUIRED, at=where)
    return _parsed(f"{where}on", on, parse_date), _parsed(f"{where}to", to, Session.parse)


_HOURS: Final = re.compile(r"[0-9]{1,4}(\.[0-9]{1,2})?")
_ACTIVITY_KEYS: Final = ("id", "on", "hours", "category")


def _activities(fields: Mapping[str, Any]) -> tuple[Activity, ...]:
    activities = []
    categories = ", ".join(c.value for c in ActivityCategory)
    for n, item in enumerate(_list(fields, "activities", "a list of activities")):
        where = f"activities[{n}]"
        record = _object(item, where, _ACTIVITY_KEYS)
        ident: str = _take(record, "id", str, "a non-empty string", _REQUIRED, at=f"{where}.")
        if not 0 < len(ident) <= MAX_ID_LENGTH:
            raise _Bad(f"{where}.id", ident, f"a string of 1 to {MAX_ID_LENGTH} characters")
        if has_control_characters(ident):
            raise _Bad(f"{where}.id", ident, ID_TEXT)
        day: str = _take(record, "on", str, "an ISO date string", _REQUIRED, at=f"{where}.")
        hours: str = _take(
            record,
            "hours",
            str,
            'a number of hours as a string, such as "1.5"',
            _REQUIRED,
            at=f"{where}.",
        )
        if not _HOURS.fullmatch(hours):
            raise _Bad(f"{where}.hours", hours, 'hours from "0" to "9999.99", such as "1.5"')
        category: str = _take(
            record, "category", str, f"one of {categories}", _REQUIRED, at=f"{where}."
        )
        if category not in ActivityCategory._value2member_map_:
            raise _Bad(f"{where}.category", category, f"one of {categories}")
        activities.append(
            Activity(
                id=ident,
                on=_parsed(f"{where}.on", day, parse_date),
                hours=Decimal(hours),
                category=ActivityCategory(category),
            )
        )
    return tuple(activities)


class _Shown:
    # A value from a file as an error may show it: short, never the whole line.
    def __init__(self, value: object, *, label: str | None = None) -> None:
        self.text = label or shown(value)

    def __repr__(self) -> str:
        return self.text


_MISSING: Final = _Shown(None, label="<missing>")


def load_cohort(path: str | Path) -> tuple[Candidate, ...]:
    """Every candidate of a JSON Lines file, as a tuple (see :func:`iter_cohort`)."""
    return tuple(iter_cohort(path))


def iter_cohort(path: str | Path) -> Iterator[Candidate]:
    """Candidates from a JSON Lines file, one object a line (``docs/cohorts.md``), streamed.

    Every field is read with its exact type, and unknown or repeated keys are
    refused at every level; a bad line raises
    :class:`~cptm_rules.exceptions.InvalidInputError` naming the file, the line
    and the key, with at most a short piece of the bad value. A file that is
    not UTF-8 or cannot be read raises
    :class:`~cptm_rules.exceptions.InputFileError`; a file with no candidate is
    refused too. The file is read a line at a time, so a cohort of any size
    streams through :func:`diff_policies` in flat memory.
    """
    path = Path(path)
    check_readable(path)
    count = 0
    try:
        with path.open(encoding="utf-8-sig", errors="strict") as lines:
            number = 0
            while line := lines.readline(MAX_LINE_CHARACTERS + 1):
                number += 1
                if len(line) > MAX_LINE_CHARACTERS:
                    # Refused before it is parsed: one line must not hold the memory hostage.
                    raise InvalidInputError(
                        f"{path}:{number}",
                        _Shown(None, label="<line>"),
                        f"a line of at most {MAX_LINE_CHARACTERS:,} characters",
                    )
                if not line.strip():
                    continue
                count += 1
                yield _parsed_line(path, number, line)
    except UnicodeDecodeError as exc:
        raise InputFileError(
            path=str(path), problem=f"not UTF-8 text ({exc.reason}); save it as UTF-8"
        ) from None
    except OSError as exc:
        raise InputFileError(path=str(path), problem=exc.strerror or str(exc)) from None
    if not count:
        raise InvalidInputError(
            str(path), _Shown(None, label="<empty>"), "a cohort of at least one candidate"
        )


def _parsed_line(path: Path, number: int, line: str) -> Candidate:
    try:
        return _candidate(parse_json(line))
    except _Bad as bad:
        value = bad.value if isinstance(bad.value, _Shown) else _Shown(bad.value)
        raise InvalidInputError(f"{path}:{number}: {bad.key}", value, bad.expected) from None
    except ValueError as exc:
        raise InvalidInputError(
            f"{path}:{number}", _Shown(None, label="<line>"), f"one JSON object a line ({exc})"
        ) from None


def candidate_row(candidate: Candidate) -> dict[str, Any]:
    """A candidate as one JSON Lines object (the inverse of the file reader).

    Keys a candidate leaves at their defaults beyond the original nine (no
    eLearning date, no modules, …) are left out, so a row reads as it was written.
    """
    row: dict[str, Any] = {
        "id": candidate.id,
        "registered_at": candidate.registered_at.isoformat(),
        "practicum": str(candidate.practicum),
        "access_after_minutes": candidate.access_after_minutes,
        "changes": [{"on": on.isoformat(), "to": str(to)} for on, to in candidate.changes],
        "attendance": str(candidate.attendance),
        "attempts": [{"on": on.isoformat(), "passed": p} for on, p in candidate.attempts],
        "organisation": str(candidate.organisation),
        "group_size": candidate.group_size,
    }
    if candidate.elearning_opened is not None:
        row["elearning_opened"] = candidate.elearning_opened.isoformat()
    if candidate.modules:
        row["modules"] = [
            {"on": on.isoformat()} | ({} if passed is None else {"passed": passed})
            for on, passed in candidate.modules
        ]
    if candidate.substitution is not None:
        row["substitution"] = candidate.substitution.isoformat()
    if candidate.cancelled_on is not None:
        row["cancelled_on"] = candidate.cancelled_on.isoformat()
    if candidate.re_enrolment is not None:
        on, to = candidate.re_enrolment
        row["re_enrolment"] = {"on": on.isoformat(), "to": str(to)}
    if candidate.activities:
        row["activities"] = [
            {
                "id": a.id,
                "on": a.on.isoformat(),
                "hours": str(a.hours),
                "category": str(a.category),
            }
            for a in candidate.activities
        ]
    if candidate.renewal_payments:
        row["renewal_payments"] = [on.isoformat() for on in candidate.renewal_payments]
    return row
