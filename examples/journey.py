"""Print a candidate's key dates under the current policy (the README's main job)."""

from __future__ import annotations

import datetime as dt

from cptm_rules import add_months, load_policy, to_local_date
from cptm_rules.calendar import elapsed_after


def main() -> None:
    """Show the dates that matter to a candidate who registers on 2026-11-02."""
    policy = load_policy()
    registered = dt.datetime(2026, 11, 2, 9, 30, tzinfo=policy.zone)
    first_day, last_day = dt.date(2027, 1, 11), dt.date(2027, 1, 14)
    access_due = elapsed_after(registered, dt.timedelta(hours=policy.access_due_amount))
    deadline = policy.calendar.sub_business_days(first_day, policy.free_change_days)
    print(f"policy: {policy.name}")
    print(f"registered:            {registered.isoformat()}")
    print(f"access due (R4):       {access_due.astimezone(policy.zone).isoformat()}")
    print(f"free-change deadline:  {deadline} (R9)")
    print(f"practicum (R2):        {first_day} .. {last_day}")
    print(f"exam opens (R13):      {last_day}")
    print(f"exam closes (R14):     {add_months(last_day, policy.exam_window_months)}")
    print(f"registration date:     {to_local_date(registered, policy.zone)}")


if __name__ == "__main__":
    main()
