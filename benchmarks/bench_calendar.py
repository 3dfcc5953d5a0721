"""Free-change deadlines for 100,000 dates: cptm-rules' table against workalendar's loop.

Run with ``python benchmarks/bench_calendar.py [N]``. Both compute the 30th
business day before each date on the North Carolina calendar in the same run;
every answer must agree. The last line is ``speedup: <x>x`` (workalendar's time
divided by ours).
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time

from workalendar.usa import NorthCarolina

from cptm_rules.calendar import BusinessCalendar


def main(count: int = 100_000) -> None:
    """Time both implementations on the same ``count`` dates and print the ratio."""
    rng = random.Random(20261128)
    first = dt.date(2024, 1, 1).toordinal()
    last = dt.date(2035, 12, 31).toordinal()
    days = [dt.date.fromordinal(rng.randint(first, last)) for _ in range(count)]

    calendar = BusinessCalendar()
    reference = NorthCarolina()

    started = time.perf_counter()
    ours = [calendar.sub_business_days(day, 30) for day in days]
    our_seconds = time.perf_counter() - started

    started = time.perf_counter()
    theirs = [reference.sub_working_days(day, 30) for day in days]
    their_seconds = time.perf_counter() - started

    disagreements = sum(a != b for a, b in zip(ours, theirs, strict=True))
    if disagreements:
        raise SystemExit(f"{disagreements} answers disagree with workalendar")
    print(f"dates: {count}, all answers agree")
    print(f"cptm-rules:  {our_seconds * 1e6 / count:8.3f} us per deadline")
    print(f"workalendar: {their_seconds * 1e6 / count:8.3f} us per deadline")
    print(f"speedup: {their_seconds / our_seconds:.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
