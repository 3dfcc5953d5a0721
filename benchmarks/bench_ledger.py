"""Recording continuing-education activities: the journey's cost per record as careers grow.

``python benchmarks/bench_ledger.py`` records 1,000, 3,000 and 10,000 weekly
activities on a certified journey (renewing as it goes) and prints the cost per
record; constant per-record cost means recording is linear. The baseline, run
in the same process, recounts the period's qualifying hours from every activity
recorded so far on each record (what the journey did before), for the same
records; both must agree on the hours. Last line: ``speedup: Nx`` at 3,000.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

from cptm_rules.events import (
    Activity,
    AttemptExam,
    GrantAccess,
    RecordActivity,
    RecordAttendance,
    Register,
    Registration,
    Session,
)
from cptm_rules.lifecycle import Journey
from cptm_rules.recertification import qualifying_hours

REGISTERED_AT = dt.datetime(2026, 11, 2, 9, 30, tzinfo=ZoneInfo("America/New_York"))


def certified() -> Journey:
    """A journey certified on 2027-01-20."""
    session = Session(first_day=dt.date(2027, 1, 11), last_day=dt.date(2027, 1, 14))
    registration = Registration(
        email="ana@example.org", registered_at=REGISTERED_AT, session=session
    )
    return Journey.new().then(
        Register(registration=registration),
        GrantAccess(at=REGISTERED_AT + dt.timedelta(minutes=30)),
        RecordAttendance(attendance="full", on=dt.date(2027, 1, 14)),
        AttemptExam(on=dt.date(2027, 1, 20), passed=True),
    )


def _records(count: int) -> list[RecordActivity]:
    start = dt.date(2027, 1, 21)
    return [
        RecordActivity(
            activity=Activity(
                id=f"w{n}",
                on=start + dt.timedelta(days=(7 * n) % 700),
                hours=Decimal(1),
                category="webinar",
            )
        )
        for n in range(count)
    ]


def _journey_run(records: list[RecordActivity]) -> tuple[float, Decimal]:
    journey = certified()
    started = time.perf_counter()
    for record in records:
        journey = journey.apply(record).journey
    elapsed = time.perf_counter() - started
    return elapsed, qualifying_hours(journey.periods[-1], journey.activities, journey.policy)


def _recount_run(records: list[RecordActivity]) -> tuple[float, Decimal]:
    journey = certified()
    period = journey.periods[-1]
    recorded: list[Activity] = []
    hours = Decimal(0)
    started = time.perf_counter()
    for record in records:
        recorded.append(record.activity)
        hours = qualifying_hours(period, recorded, journey.policy)
    return time.perf_counter() - started, hours


def main() -> None:
    """Print the per-record cost at each size, then the speedup over recounting."""
    for count in (1_000, 3_000, 10_000):
        elapsed, _ = _journey_run(_records(count))
        print(f"{count:>6} records: {elapsed:6.2f} s, {elapsed / count * 1e6:7.1f} us per record")
    records = _records(3_000)
    ours, ours_hours = _journey_run(records)
    base, base_hours = _recount_run(records)
    if ours_hours != base_hours:
        raise SystemExit(f"the journey counted {ours_hours} hours, the recount {base_hours}")
    print(f"3,000 records: journey {ours:.2f} s, recount-per-record baseline {base:.2f} s")
    print(f"speedup: {base / ours:.1f}x")


if __name__ == "__main__":
    main()
