"""Recording continuing-education activities: the journey's cost per record as careers grow.

``python benchmarks/bench_ledger.py`` records 1,000, 3,000 and 10,000 weekly
activities on a certified journey (renewing as it goes) and prints the cost per
record (the best of a few runs, as the machine may be busy); constant per-record
cost means recording is linear. The baseline, run in the same process, recounts
the period's qualifying hours from every activity recorded so far on each record
(what the journey once did), for the same records; both must agree on the hours.
The ratio line is the time for 3,000 records over the time for 1,000: 3.0x is
exactly linear, and up to 3.6x is counted as linear (``ratio: Nx (linear)``).
The last lines do the same under category limits (R18: at most 25 hours from
webinars, at least 10 from courses and conferences, the webinars' and courses'
records alternating), where each record moves its group's hours and the cap.
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
from cptm_rules.policy import Policy, load_policy
from cptm_rules.rules.certification import qualifying_hours

REGISTERED_AT = dt.datetime(2026, 11, 2, 9, 30, tzinfo=ZoneInfo("America/New_York"))


LIMITED = load_policy().with_overrides(
    {
        "certification.category_limits": [
            {"categories": ["webinar"], "max_hours": 25},
            {"categories": ["course", "conference"], "min_hours": 10},
        ]
    }
)
"""The current policy with category limits: a cap on webinars, a minimum from courses."""


def certified(policy: Policy | None = None) -> Journey:
    """A journey certified on 2027-01-20 (under ``policy``, default: current)."""
    session = Session(first_day=dt.date(2027, 1, 11), last_day=dt.date(2027, 1, 14))
    registration = Registration(
        email="ana@example.org", registered_at=REGISTERED_AT, session=session
    )
    return Journey.new(policy=policy).then(
        Register(registration=registration),
        GrantAccess(at=REGISTERED_AT + dt.timedelta(minutes=30)),
        RecordAttendance(attendance="full", on=dt.date(2027, 1, 14)),
        AttemptExam(on=dt.date(2027, 1, 20), passed=True),
    )


def _records(count: int, categories: tuple[str, ...] = ("webinar",)) -> list[RecordActivity]:
    start = dt.date(2027, 1, 21)
    return [
        RecordActivity(
            activity=Activity(
                id=f"w{n}",
                on=start + dt.timedelta(days=(7 * n) % 700),
                hours=Decimal(1),
                category=categories[n % len(categories)],
            )
        )
        for n in range(count)
    ]


def _journey_run(
    records: list[RecordActivity], policy: Policy | None = None
) -> tuple[float, Decimal]:
    journey = certified(policy)
    started = time.perf_counter()
    for record in records:
        journey = journey.apply(record).journey
    elapsed = time.perf_counter() - started
    return elapsed, qualifying_hours(journey.periods[-1], journey.activities, journey.policy)


def _recount_run(
    records: list[RecordActivity], policy: Policy | None = None
) -> tuple[float, Decimal]:
    journey = certified(policy)
    period = journey.periods[-1]
    recorded: list[Activity] = []
    hours = Decimal(0)
    started = time.perf_counter()
    for record in records:
        recorded.append(record.activity)
        hours = qualifying_hours(period, recorded, journey.policy)
    return time.perf_counter() - started, hours


LINEAR_LIMIT = 3.6
"""The largest (time for 3,000) / (time for 1,000) still called linear (3.0 is exact)."""

RUNS = {1_000: 7, 3_000: 5, 10_000: 3}
"""How many times each size runs; the fastest run counts."""


def _best_run(
    records: list[RecordActivity], runs: int, policy: Policy | None = None
) -> tuple[float, Decimal]:
    results = [_journey_run(records, policy) for _ in range(runs)]
    return min(results, key=lambda result: result[0])


def _limited() -> None:
    """The per-record cost and the ratio under category limits; the kept count against a recount."""
    mixed = ("webinar", "course")
    best: dict[int, float] = {}
    for count in (1_000, 3_000):
        records = _records(count, mixed)
        best[count], _ = _best_run(records, RUNS[count], LIMITED)
        journey = certified(LIMITED).then(*records)
        period = journey.periods[-1]
        kept = journey.qualifying_hours(period)
        recounted = qualifying_hours(period, journey.activities, LIMITED)
        if kept != recounted:
            raise SystemExit(f"under limits the journey kept {kept} hours, the recount {recounted}")
        print(
            f"{count:>6} records under category limits: {best[count]:6.3f} s, "
            f"{best[count] / count * 1e6:7.1f} us per record"
        )
    ratio = best[3_000] / best[1_000]
    verdict = "linear" if ratio <= LINEAR_LIMIT else f"NOT linear: above {LINEAR_LIMIT}x"
    print(f"ratio 3,000/1,000 under category limits: {ratio:.2f}x ({verdict})")


def main() -> None:
    """Print the per-record cost at each size, the speedup over recounting, then the ratio."""
    best: dict[int, float] = {}
    for count, runs in RUNS.items():
        elapsed, _ = _best_run(_records(count), runs)
        best[count] = elapsed
        print(f"{count:>6} records: {elapsed:6.3f} s, {elapsed / count * 1e6:7.1f} us per record")
    records = _records(3_000)
    ours, ours_hours = _best_run(records, RUNS[3_000])
    base, base_hours = _recount_run(records)
    if ours_hours != base_hours:
        raise SystemExit(f"the journey counted {ours_hours} hours, the recount {base_hours}")
    print(f"3,000 records: journey {ours:.3f} s, recount-per-record baseline {base:.2f} s")
    print(f"speedup over the recount: {base / ours:.1f}x")
    ratio = best[3_000] / best[1_000]
    verdict = "linear" if ratio <= LINEAR_LIMIT else f"NOT linear: above {LINEAR_LIMIT}x"
    print(f"ratio 3,000/1,000: {ratio:.2f}x ({verdict})")
    _limited()


if __name__ == "__main__":
    main()
