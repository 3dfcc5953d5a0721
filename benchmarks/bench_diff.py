"""A policy diff answered by journeys and by the batch path, on the same cohort in one run.

``python benchmarks/bench_diff.py [N] [--workers W]`` diffs the legacy policy against the
current one (the shipped prices on both sides) on the same ``N`` synthetic candidates
(default 20,000, seed 1), first with ``answered_by="journeys"`` (every candidate's two
journeys replayed), then with ``answered_by="batch"`` (the batch path's answer columns,
rows it does not answer completely replayed in their place). It checks that both give the
same report and the same JSON (and the same answer rows, ``--output``'s, for the first
2,000 candidates, untimed), says how many rows the batch engine
left to their journeys, and prints ``speedup: Nx`` last: the journeys' wall time over the
batch engine's (target at least 30x).

Each engine is timed in a fresh process of its own, which builds the cohort and warms
the imports before its clock starts: generating synthetic candidates is not what is
measured, and neither engine runs in the memory the other left behind (the batch engine
timed after 40 s of journeys read 10 to 30% slower).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from cptm_rules.batch import batch_answers
from cptm_rules.cohort import diff_policies, synthetic_cohort
from cptm_rules.cohort.batched import AnswerWords, side_answers
from cptm_rules.cohort.formats import cohort_table
from cptm_rules.policy import load_policy
from cptm_rules.pricing import load_prices

if TYPE_CHECKING:
    import pyarrow as pa

    from cptm_rules.cohort.counts import AnswerRow
    from cptm_rules.cohort.report import PolicyDiff
    from cptm_rules.cohort.tally import AnsweredBy


def _diff(
    table: pa.Table, answered_by: AnsweredBy, workers: int, *, rows: list[AnswerRow] | None = None
) -> tuple[float, PolicyDiff]:
    started = time.perf_counter()
    report = diff_policies(
        table,
        base="legacy",
        candidate="current",
        workers=workers,
        on_rows=None if rows is None else rows.extend,
        answered_by=answered_by,
    )
    return time.perf_counter() - started, report


_ROWS_CHECKED = 2_000
_WARM_UP = 1_000


def _left_to_journeys(table: pa.Table) -> int:
    """How many rows the batch engine answers by their journeys (on either side)."""
    prices, words = load_prices(), AnswerWords()
    covered = np.ones(table.num_rows, dtype=bool)
    for name in ("legacy", "current"):
        policy = load_policy(name)
        answers = batch_answers(table, policy=policy, prices=prices)
        covered &= side_answers(table, answers, words, policy=policy, prices=prices).covered
    return int((~covered).sum())


def _timed(size: int, answered_by: AnsweredBy, workers: int) -> None:
    """In the child process: time one engine on the cohort and print the result as JSON."""
    table = cohort_table(synthetic_cohort(size, seed=1))
    # Warm the imports, the calendar arrays and the caches on the first rows, off the clock.
    _diff(table.slice(0, _WARM_UP), answered_by, 1)
    seconds, report = _diff(table, answered_by, workers)
    print(json.dumps({"seconds": seconds, "text": report.report(), "json": report.as_json()}))


def _time_in_a_fresh_process(size: int, answered_by: AnsweredBy, workers: int) -> dict[str, Any]:
    command = [sys.executable, __file__, str(size), "--workers", str(workers)]
    done = subprocess.run(  # noqa: S603  # this script, by the interpreter running it
        [*command, "--time", answered_by], capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def main() -> None:
    """Diff the same cohort with both engines; check they agree; print ``speedup:`` last."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", nargs="?", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--time", choices=("journeys", "batch"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.time is not None:
        _timed(args.size, args.time, args.workers)
        return
    timings: dict[str, float] = {}
    results: dict[str, dict[str, Any]] = {}
    engines: tuple[AnsweredBy, ...] = ("journeys", "batch")
    for answered_by in engines:
        result = _time_in_a_fresh_process(args.size, answered_by, args.workers)
        seconds = timings[answered_by] = result["seconds"]
        results[answered_by] = result
        print(
            f"{answered_by:>8}: {args.size:,} candidates in {seconds:.2f} s "
            f"({seconds * 1e6 / max(args.size, 1):.1f} us per candidate, "
            f"{args.workers} worker(s))"
        )
    journeys, batch = results["journeys"], results["batch"]
    if batch["text"] != journeys["text"]:
        raise SystemExit("the two engines gave different reports")
    if batch["json"] != journeys["json"]:
        raise SystemExit("the two engines gave different JSON")
    # The answer rows (``--output``), untimed, on the first rows: every answer of each.
    table = cohort_table(synthetic_cohort(args.size, seed=1))
    rows: dict[str, list[AnswerRow]] = {name: [] for name in engines}
    for answered_by in engines:
        _diff(table.slice(0, _ROWS_CHECKED), answered_by, args.workers, rows=rows[answered_by])
    if rows["batch"] != rows["journeys"]:
        raise SystemExit("the two engines gave different answer rows")
    print(
        f"both engines: the same report and JSON, and the same {len(rows['batch']):,} "
        f"answer rows for the first {min(args.size, _ROWS_CHECKED):,} candidates"
    )
    left = _left_to_journeys(table)
    print(f"batch engine: {left:,} of {args.size:,} rows answered by their journeys")
    print(f"speedup: {timings['journeys'] / timings['batch']:.1f}x")


if __name__ == "__main__":
    main()
