"""Full journeys with every rule and explanation, against bare `transitions` state changes.

Run with ``python benchmarks/bench_journey.py [N]`` (default 100,000 journeys).
Each journey follows the full path: register, access, ten modules, the
practicum, a passing exam, and the first certification period's continuing
education and renewal fee (19 events). cptm-rules applies every rule and builds
every decision, advisory and effect with the dates and figures that explain it;
their sentences are rendered when first read, so a second pass also reads every
outcome's full explanation (``Outcome.explain()``) to show what that costs. The
baseline drives one reused ``transitions.Machine`` over a mutable model along the
same path, with no rules at all. The last line is ``speedup: <x>x``: the
baseline's cost per event divided by ours (applying events, the job a replay, a
scenario check or a cohort diff does).
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from decimal import Decimal

from transitions import Machine

from cptm_rules.events import (
    Activity,
    AttemptExam,
    CompleteModule,
    Event,
    GrantAccess,
    PayRenewalFee,
    RecordActivity,
    RecordAttendance,
    Register,
    Registration,
    Session,
)
from cptm_rules.lifecycle import Journey
from cptm_rules.policy import load_policy
from cptm_rules.pricing import load_prices

STEPS = (
    ["register", "grant_access"]
    + ["complete_module"] * 10
    + ["attend", "pass_exam"]
    + ["record_activity"] * 4
    + ["pay_renewal_fee"]
)


def journey_events(rng: random.Random, zone: dt.tzinfo) -> list[Event]:
    """One candidate's full path with realistic, varied dates."""
    registered = dt.datetime(2025, 1, 6, 8, tzinfo=zone) + dt.timedelta(
        days=rng.randint(0, 365 * 4), minutes=rng.randint(0, 600)
    )
    first = registered.date() + dt.timedelta(days=rng.randint(21, 120))
    last = first + dt.timedelta(days=3)
    events: list[Event] = [
        Register(
            registration=Registration(
                email="cand@example.org",
                registered_at=registered,
                session=Session(first_day=first, last_day=last),
            )
        ),
        GrantAccess(at=registered + dt.timedelta(minutes=rng.randint(1, 180))),
    ]
    day = registered.date()
    for module in range(1, 11):
        day += dt.timedelta(days=rng.randint(0, 2))
        events.append(CompleteModule(module=module, on=min(day, first)))
    exam = last + dt.timedelta(days=rng.randint(0, 150))
    events += [RecordAttendance(attendance="full", on=last), AttemptExam(on=exam, passed=True)]
    for n in range(4):
        on = exam + dt.timedelta(days=30 + 150 * n + rng.randint(0, 20))
        events.append(
            RecordActivity(
                activity=Activity(id=f"ce-{n}", on=on, hours=Decimal(6), category="webinar")
            )
        )
    events.append(PayRenewalFee(on=exam + dt.timedelta(days=700)))
    return events


def bare_machine() -> tuple[Machine, object]:
    """One reused `transitions` machine over a plain mutable model, no callbacks."""

    class Model:
        state: str

    model = Model()
    machine = Machine(
        model=model,
        states=["new", "registered", "in_prework", "attended", "certified"],
        initial="new",
        auto_transitions=False,
    )
    machine.add_transition("register", "new", "registered")
    machine.add_transition("grant_access", "registered", "in_prework")
    machine.add_transition("complete_module", "in_prework", "in_prework")
    machine.add_transition("attend", "in_prework", "attended")
    machine.add_transition("pass_exam", "attended", "certified")
    machine.add_transition("record_activity", "certified", "certified")
    machine.add_transition("pay_renewal_fee", "certified", "certified")
    return machine, model


def main(count: int = 100_000) -> None:
    """Run both along the same paths and print per-event costs and the ratio."""
    policy, prices = load_policy(), load_prices()
    rng = random.Random(20261128)
    empty = Journey.new(policy=policy, prices=prices)
    machine, model = bare_machine()
    triggers = [getattr(model, step) for step in STEPS]

    ours = theirs = read = 0.0
    events_run = 0
    for _ in range(count):
        events = journey_events(rng, policy.zone)
        started = time.perf_counter()
        journey = empty
        for event in events:
            journey = journey.apply(event).journey
        ours += time.perf_counter() - started
        if len(journey.periods) != 2:  # the renewal must have happened
            raise SystemExit(f"journey did not renew: {journey.periods}")

        started = time.perf_counter()
        journey = empty
        for event in events:
            outcome = journey.apply(event)
            outcome.explain()
            journey = outcome.journey
        read += time.perf_counter() - started

        started = time.perf_counter()
        machine.set_state("new")
        for trigger in triggers:
            trigger()
        theirs += time.perf_counter() - started
        events_run += len(events)

    print(f"journeys: {count}, events: {events_run}")
    print(f"cptm-rules (all rules, explained): {ours * 1e6 / events_run:7.2f} us per event")
    print(f"  ... and every explanation read:  {read * 1e6 / events_run:7.2f} us per event")
    print(f"transitions (bare transitions):    {theirs * 1e6 / events_run:7.2f} us per event")
    print(f"speedup with every explanation read: {theirs / read:.2f}x")
    print(f"speedup: {theirs / ours:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
