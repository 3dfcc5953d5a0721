"""Immutable values shared between threads: a journey extended from many threads at once.

A journey is a value: extending it never changes what another journey sees. Eight
threads extend the same certified journey with different sequences of activities,
renewal fees and status questions; each thread's answers must be those of the same
sequence run alone. The thread switch interval is cut to a microsecond, and the
threads start together at a barrier, so that a race, if there is one, shows.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from cptm_rules.events import Event, PayRenewalFee
from cptm_rules.exceptions import CptmRulesError
from journeys import activity, certified, day

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cptm_rules.lifecycle import Journey

THREADS = 8
ROUNDS = 600
STEPS = 10
CATEGORIES = ("webinar", "conference", "not-industry-relevant", "alumni-event")

Step = Event | dt.date  # an event to apply, or a day to ask status_on about
Answer = tuple[object, ...]


@pytest.fixture
def fast_switching() -> Iterator[None]:
    """Switch threads every microsecond (the default is 5 ms), restored afterwards."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def shared_journey() -> Journey:
    """Certified on 2027-01-20, the fee paid, 22 of the 24 hours recorded, and more."""
    return certified().then(
        activity("2026-12-01", "3", "webinar", "before-certification"),
        activity("2027-02-01", "12", "conference", "common"),
        activity("2027-03-01", "10", "webinar", "early"),
        activity("2027-04-01", "4", "not-industry-relevant", "kept-out"),
        PayRenewalFee(on=day("2027-05-03")),
    )


def sequence(thread: int) -> list[Step]:
    """One thread's own mix: activities (ids shared, repeated), fees and status questions.

    Every thread first records its own copy of the shared journey's "common"
    activity, dated earlier than it and than the copies of the threads after it:
    a thread that saw another thread's copy would count other hours.
    """
    first = day("2027-01-21") + dt.timedelta(days=thread)
    steps: list[Step] = [activity(first.isoformat(), str(thread + 1), "webinar", "common")]
    paid = day("2027-06-01") + dt.timedelta(days=thread)
    for n in range(1, STEPS):
        on = day("2027-01-21") + dt.timedelta(days=(thread * 97 + n * 131) % 700)
        if n % 4 == 3:
            paid += dt.timedelta(days=200 + 31 * thread)
            steps.append(PayRenewalFee(on=paid))
        elif n % 4 == 2:
            steps.append(on + dt.timedelta(days=300))
        else:
            ident = "early" if n % 5 == 0 else f"t{thread}-{n % 6}"
            hours = str(Decimal(4 + (n + thread) % 6) / 2)
            steps.append(activity(on.isoformat(), hours, CATEGORIES[(n + thread) % 4], ident))
    return steps


def answers(journey: Journey, steps: list[Step]) -> list[Answer]:
    """What the journey says at each step: decisions and their texts, or the status."""
    said: list[Answer] = []
    for step in steps:
        if isinstance(step, dt.date):
            status = journey.status_on(step)
            said.append((status.state, status.reason, status.since))
            continue
        try:
            outcome = journey.apply(step)
        except CptmRulesError as error:
            said.append((type(error).__name__, str(error)))
            continue
        journey = outcome.journey
        said.append((outcome.explain(), len(journey.periods)))
    return said


def _extend(
    journey: Journey,
    steps: list[Step],
    barrier: threading.Barrier,
    into: list[list[Answer]],
) -> None:
    barrier.wait()
    into.append(answers(journey, steps))


@pytest.mark.usefixtures("fast_switching")
def test_a_journey_extended_from_eight_threads_answers_as_each_sequence_alone() -> None:
    sequences = [sequence(thread) for thread in range(THREADS)]
    # The serial answers come from journeys of their own, built the same way.
    expected = [answers(shared_journey(), steps) for steps in sequences]
    for _ in range(ROUNDS):
        journey = shared_journey()
        got: list[list[list[Answer]]] = [[] for _ in range(THREADS)]
        barrier = threading.Barrier(THREADS)
        workers = [
            threading.Thread(target=_extend, args=(journey, sequences[n], barrier, got[n]))
            for n in range(THREADS)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert got == [[answer] for answer in expected]
        assert journey == shared_journey()  # the shared journey is as it was built


def test_the_sequences_count_hours_renew_lapse_and_refuse() -> None:
    said = [
        answer
        for thread in range(THREADS)
        for answer in answers(shared_journey(), sequence(thread))
    ]
    texts = " ".join(str(answer[0]) for answer in said)
    assert "qualifying hours inside the period" in texts
    assert "R18 met on" in texts  # a renewal
    assert any(answer[0] == "TimingError" for answer in said)  # a fee after the lapse
    assert any(answer[0] == "lapsed" for answer in said)
