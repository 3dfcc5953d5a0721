"""The policy diff at scale: time per candidate and peak memory as the cohort grows.

``python benchmarks/bench_cohort.py [N ...]`` (default 10,000 and 50,000; the note on
the cohorts-at-scale work used 200,000) runs ``cptm-rules diff --base legacy
--candidate current --synthetic N`` in a fresh process for each N and prints its wall
time, CPU per candidate and peak resident memory. The diff streams, so peak memory
should stay flat as N grows; the last line is ``memory ratio: Rx``, the largest
cohort's peak over the smallest's (1.0x is flat).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time

_CHILD = """
import io, resource, sys
from cptm_rules.cli import main
status = main(sys.argv[1:], out=io.StringIO())
peak = max(
    resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
)
print(status, peak)
"""


def run(size: int) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak resident MiB (any one process) of one diff."""
    argv = ["diff", "--base", "legacy", "--candidate", "current", "--synthetic", str(size)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603  # our own interpreter and code
        [sys.executable, "-c", _CHILD, *argv], check=True, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    status, peak_kib = result.stdout.split()
    if status != "0":
        raise SystemExit(f"the diff exited {status}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu, int(peak_kib) / 1024


def main(sizes: list[int]) -> None:
    """Print one line per cohort size, then the memory ratio."""
    peaks = []
    for size in sizes:
        wall, cpu, peak = run(size)
        peaks.append(peak)
        print(
            f"{size:>9,} candidates: {wall:7.1f} s wall, {cpu / size * 1e3:6.3f} ms CPU "
            f"per candidate, peak {peak:6.0f} MiB"
        )
    print(f"memory ratio: {peaks[-1] / peaks[0]:.2f}x")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 50_000])
