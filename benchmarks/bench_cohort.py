"""Cohorts at scale: the batch path against journeys, and the streaming diff's memory.

``python benchmarks/bench_cohort.py [--batch N] [--diff N ...]`` measures, in one run:

1. the batch path (:func:`cptm_rules.batch.batch_answers`) against replaying each
   candidate's journey (:func:`cptm_rules.batch.journey_table`) for the same answers
   (key dates, access verdicts, change verdicts and fees, certification and period
   end) on the same ``--batch`` synthetic candidates (default 100,000), under the
   legacy and the current policy; it checks that both give every answer alike;
2. ``cptm-rules diff --base legacy --candidate current --synthetic N`` in a fresh
   process for each ``--diff`` size (default 20,000 and 200,000): wall time, CPU per
   candidate and the peak resident memory of any one of its processes. The diff
   streams, so the peak stays flat as N grows. The smallest size also runs with the
   same candidates as objects, whole and cut down to what a cohort row held before it
   could live the whole journey (registration, access, changes, attendance, attempts),
   to show what the richer candidates cost.

The last line is ``speedup: Nx``, journeys' time over the batch path's (target 50x),
the batch path's the best of three runs per policy (each run is printed).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time

from cptm_rules.cohort import synthetic_cohort
from cptm_rules.policy import load_policy
from cptm_rules.pricing import load_prices

_PEAK = """
peak = max(
    resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
)
print(status, peak)
"""

_CHILD = (
    """
import io, resource, sys
from cptm_rules.cli import main
status = main(sys.argv[1:], out=io.StringIO())
"""
    + _PEAK
)

# The same candidates as objects (not the --synthetic tables), whole or cut down to what a
# row held before: registration to the exam. Both read the same way, so the ratio is the
# cost of the richer candidates alone.
_OBJECT_CHILD = (
    """
import resource, sys
import attrs
from cptm_rules.cohort import diff_policies, iter_synthetic_cohort
size, short = int(sys.argv[1]), sys.argv[2] == "short"
cohort = (
    attrs.evolve(c, elearning_opened=None, modules=(), substitution=None, cancelled_on=None,
                 re_enrolment=None, activities=(), renewal_payments=()) if short else c
    for c in iter_synthetic_cohort(size, seed=1)
)
diff_policies(cohort, base="legacy", candidate="current")
status = 0
"""
    + _PEAK
)


def diff_run(size: int, *, objects: str | None = None) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak resident MiB (any one process) of one diff.

    ``objects`` (``"short"`` or ``"whole"``) diffs the candidates as objects instead
    of running ``cptm-rules diff --synthetic``.
    """
    argv = ["diff", "--base", "legacy", "--candidate", "current", "--synthetic", str(size)]
    child = [_OBJECT_CHILD, str(size), objects] if objects else [_CHILD, *argv]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603  # our own interpreter and code
        [sys.executable, "-c", *child], check=True, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    status, peak_kib = result.stdout.split()
    if status != "0":
        raise SystemExit(f"the diff exited {status}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu, int(peak_kib) / 1024


_BATCH_RUNS = 3


def batch_against_journeys(size: int) -> float:
    """Seconds of journeys over seconds of the batch path, both policies; exits on a mismatch."""
    # Imported here, after the diffs ran: Linux keeps a process's peak memory across
    # exec, so a diff started from a parent that holds pandas would report its size.
    from cptm_rules.batch import batch_answers, journey_table  # noqa: PLC0415
    from cptm_rules.cohort.formats import cohort_table  # noqa: PLC0415

    cohort = synthetic_cohort(size, seed=1)
    table = cohort_table(cohort)
    prices = load_prices()
    journeys = batch = 0.0
    # The batch path is timed for both policies before any journey is replayed: a
    # hundred thousand journeys' objects left for the collector to walk slowed the
    # batch path timed after them by up to half again. Each policy's batch path is
    # timed as the best of _BATCH_RUNS runs, as timeit does: the first run of a process
    # also pays for the memory it asks the system for the first time (a quarter more).
    timed = {}
    for name in ("legacy", "current"):
        policy = load_policy(name)
        batch_answers(table[:1000], policy=policy, prices=prices)  # warm the calendar arrays
        runs = []
        for _ in range(_BATCH_RUNS):
            started = time.perf_counter()
            fast = batch_answers(table, policy=policy, prices=prices)
            runs.append(time.perf_counter() - started)
        print(
            f"{name:>8}: batch path runs "
            + ", ".join(f"{run * 1e6 / size:.2f}" for run in runs)
            + " us per candidate (the best is counted)"
        )
        timed[name] = (fast, min(runs))
    for name in ("legacy", "current"):
        policy = load_policy(name)
        fast, fast_s = timed[name]
        started = time.perf_counter()
        slow = journey_table(cohort, policy=policy, prices=prices)
        slow_s = time.perf_counter() - started
        if not fast.drop_columns(["replayed"]).equals(slow.drop_columns(["replayed"])):
            raise SystemExit(f"the batch path and the journeys disagree under {name}")
        batch, journeys = batch + fast_s, journeys + slow_s
        replayed = sum(fast.column("replayed").to_pylist())
        print(
            f"{name:>8}: {size:,} candidates, batch {fast_s * 1e6 / size:.2f} us, "
            f"journeys {slow_s * 1e6 / size:.1f} us per candidate; every answer agrees; "
            f"{replayed} rows replayed"
        )
    print(f"batch path: {batch:.2f} s, journeys: {journeys:.2f} s for {2 * size:,} answers")
    return journeys / batch


def main() -> None:
    """Run both measurements; print ``speedup:`` last."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--batch", type=int, default=100_000, metavar="N")
    parser.add_argument("--diff", type=int, nargs="*", default=[20_000, 200_000], metavar="N")
    args = parser.parse_args()
    peaks = []
    if args.diff:
        size = min(args.diff)
        _, short_cpu, _ = diff_run(size, objects="short")
        _, whole_cpu, _ = diff_run(size, objects="whole")
        print(
            f"diff {size:,} candidates as objects: {short_cpu / size * 1e3:.3f} ms CPU per "
            f"candidate registering to the exam only, {whole_cpu / size * 1e3:.3f} ms living "
            f"the whole journey ({whole_cpu / short_cpu:.1f}x)"
        )
    for size in args.diff:
        wall, cpu, peak = diff_run(size)
        peaks.append(peak)
        print(
            f"diff {size:>9,} candidates: {wall:7.1f} s wall, {cpu / size * 1e3:6.3f} ms CPU "
            f"per candidate, peak {peak:6.0f} MiB"
        )
    if len(peaks) > 1:
        print(f"memory ratio (largest over smallest diff): {peaks[-1] / peaks[0]:.2f}x")
    ratio = batch_against_journeys(args.batch)
    print(f"speedup: {ratio:.1f}x")


if __name__ == "__main__":
    main()
