"""Pictures of a journey and of a cohort (optional extra ``notebook``, matplotlib).

:func:`plot_journey` draws one candidate's journey: registration and access, the
prework window, the free-change deadline, the practicum, the exam window and attempts,
the certification periods, and continuing-education hours accumulating against the
required line. :func:`plot_change_timing` shows, for a cohort, when change requests
arrive relative to the free-change deadline and which paid the fee.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

try:
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "cptm_rules.plotting needs the notebook extra: pip install 'cptm-rules[notebook]'"
    ) from exc

from cptm_rules.events import RequestChange
from cptm_rules.exceptions import InvalidInputError, TransitionError
from cptm_rules.lifecycle import Journey, free_change_deadline, judge_change
from cptm_rules.money import amount_text
from cptm_rules.pricing import load_prices
from cptm_rules.rules.certification import ledger_for
from cptm_rules.rules.exam import exam_closes
from cptm_rules.vocabulary import DayCount, KeyDateKind

if TYPE_CHECKING:
    from collections.abc import Sequence

    from matplotlib.axes import Axes

    from cptm_rules.cohort import Candidate
    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule

__all__ = ["NotebookFigure", "plot_change_timing", "plot_journey"]


class NotebookFigure(Figure):
    """A matplotlib :class:`~matplotlib.figure.Figure` that shows itself in Jupyter.

    A bare ``Figure`` displays in a notebook as ``<Figure size ...>`` unless
    pyplot's inline backend happens to be loaded; this one gives Jupyter a PNG
    (``_repr_png_``) whatever the backend. Everything else is the ordinary
    figure: ``savefig`` works as usual from scripts. Build your own with
    ``NotebookFigure(figsize=(8, 3.5), layout="constrained")``.
    """

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=100)
        return buffer.getvalue()


_COLOURS = {
    "prework": "#8fb8de",
    "practicum": "#2a6f97",
    "exam": "#f4a259",
    "period": "#90be6d",
    "deadline": "#c0392b",
    "hours": "#264653",
}


def _num(day: dt.date) -> float:
    number: float = mdates.date2num(day)  # type: ignore[no-untyped-call]  # untyped in matplotlib
    return number


def _band(  # one band of the timeline, styled by keyword
    ax: Axes, row: int, start: dt.date, end: dt.date, *, colour: str, text: str, span: int
) -> None:
    # A band is never thinner than 1/120 of the time shown, so a four-day practicum on
    # a four-year axis is still a visible block and not a hairline.
    width = max((end - start).days, span / 120)
    ax.barh(row, width, left=_num(start), height=0.55, color=colour, edgecolor="white")
    if width > span * 0.45:  # wide enough to hold its label, written from its left edge
        ax.text(_num(start) + span * 0.01, row, text, ha="left", va="center", fontsize=8)
    else:  # written just after the band, never over the axis labels on the left
        ax.text(_num(start) + width + span * 0.01, row, text, ha="left", va="center", fontsize=8)


@attrs.frozen
class _Change:
    on: dt.date
    deadline: dt.date
    rule_id: str
    verdict: str
    fee: str | None


def _changes(journey: Journey) -> list[_Change]:
    """Each practicum change request of the history, with the deadline that judged it."""
    replay = Journey.new(policy=journey.policy, prices=journey.prices)
    found = []
    for event in journey.history:
        outcome = replay.apply(event)
        replay = outcome.journey
        if isinstance(event, RequestChange):
            decision = outcome.decisions[0]
            deadline = dict(decision.dates)["free-change deadline"]
            assert isinstance(deadline, dt.date)  # noqa: S101  # R9 decisions carry it
            fee = None if decision.fee is None else amount_text(decision.fee)
            found.append(
                _Change(
                    on=event.on,
                    deadline=deadline,
                    rule_id=decision.rule_id,
                    verdict=decision.verdict,
                    fee=fee,
                )
            )
    return found


def _plot_changes(ax: Axes, changes: Sequence[_Change], y: int, span: int) -> None:
    for change in changes:
        paid = change.fee is not None
        colour = _COLOURS["deadline"] if paid else _COLOURS["period"]
        ax.plot(
            [_num(change.deadline), _num(change.on)],
            [y] * 2,
            color=colour,
            linewidth=1,
            zorder=2,
        )
        ax.plot(_num(change.deadline), y, marker="|", color="black", markersize=14)
        ax.plot(
            _num(change.on),
            y,
            marker="s" if paid else "o",
            color=colour,
            markersize=8,
            markeredgecolor="white",
            zorder=3,
        )
    if changes:
        words = [
            f"{c.on}: {f'fee {c.fee}' if c.fee else 'free'} ({c.rule_id}; deadline {c.deadline})"
            for c in changes
        ]
        ax.text(
            max(_num(c.on) for c in changes) + span * 0.02,
            y,
            "; ".join(words),
            ha="left",
            va="center",
            fontsize=8,
        )


def _plot_markers(ax: Axes, journey: Journey, registered: dt.date, *, changes: bool) -> None:
    zone = journey.policy.zone
    dates = {k.kind: k for k in journey.key_dates()}
    access = dates[KeyDateKind.ACCESS_DUE]
    access_day = access.day(zone)
    markers = []
    if access_day == registered:  # one line, not two drawn over each other
        due = access.when.astimezone(zone) if isinstance(access.when, dt.datetime) else None
        at = f" at {due:%H:%M}" if due is not None else ""
        markers.append(
            (registered, f"registered (R2), access due (R4){at} the same day", "#6c757d", ":")
        )
    else:
        markers += [
            (registered, "registered (R2)", "#6c757d", ":"),
            (access_day, "access due (R4)", "#6c757d", "-."),
        ]
    markers.append(
        (
            dates[KeyDateKind.FREE_CHANGE_DEADLINE].day(zone),
            "free-change deadline of the practicum held (R9)",
            _COLOURS["deadline"],
            "--",
        )
    )
    if journey.certification_date is not None:
        markers.append((journey.certification_date, "certified (R16)", "#2d6a4f", "-"))
    for day, label, colour, style in markers:
        ax.axvline(
            _num(day),
            color=colour,
            linestyle=style,
            linewidth=1.2,
            label=f"{day}: {label}",
        )
    if changes:
        ax.plot([], [], "o", color=_COLOURS["period"], label="change request: free")
        ax.plot([], [], "s", color=_COLOURS["deadline"], label="change request: fee")
        ax.plot([], [], "|", color="black", markersize=10, label="deadline that judged it")


def plot_journey(journey: Journey, *, title: str | None = None) -> NotebookFigure:
    """One figure of the journey's timeline and its continuing-education hours.

    Rows show the prework, each practicum change request (free or paid, joined to
    the free-change deadline that judged it), the practicum held, the exam window
    and attempts, and the certification periods; vertical lines mark the
    registration and access due, the current free-change deadline and the
    certification. A second panel shows qualifying hours against the required line.
    """
    if journey.registration is None or journey.session is None:
        raise InvalidInputError("journey", str(journey.state), "a registered journey")
    policy = journey.policy
    zone = policy.zone
    dates = {k.kind: k for k in journey.key_dates()}
    registered = dates[KeyDateKind.REGISTERED].day(zone)
    first, last = journey.session.first_day, journey.session.last_day
    opens = last
    closes = exam_closes(policy, opens, first_day=first)
    periods = journey.periods
    changes = _changes(journey)
    start = min([registered, *(c.deadline for c in changes)]) - dt.timedelta(days=10)
    end = max([closes, *(p.end for p in periods)]) + dt.timedelta(days=20)

    figure = NotebookFigure(figsize=(11, 6.8 if periods else 4.6), layout="constrained")
    if periods:
        top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    else:
        top, bottom = figure.subplots(1, 1), None
    rows = ["prework"]
    if changes:
        rows.append("changes")
    rows += [
        "practicum",
        "exam window",
        *(f"period {n}" for n in range(1, len(periods) + 1)),
    ]
    row = {name: n for n, name in enumerate(rows)}
    span = (end - start).days
    _band(
        top,
        row["prework"],
        registered,
        first,
        colour=_COLOURS["prework"],
        text=f"prework: {registered} to {first} (R5, R6)",
        span=span,
    )
    if changes:
        _plot_changes(top, changes, row["changes"], span)
    _band(
        top,
        row["practicum"],
        first,
        last + dt.timedelta(days=1),
        colour=_COLOURS["practicum"],
        text=f"practicum {first} to {last} (R2)",
        span=span,
    )
    _band(
        top,
        row["exam window"],
        opens,
        closes + dt.timedelta(days=1),
        colour=_COLOURS["exam"],
        text=f"exam window {opens} to {closes} (R13, R14)",
        span=span,
    )
    for n, period in enumerate(periods, start=1):
        _band(
            top,
            row[f"period {n}"],
            period.start,
            period.end,
            colour=_COLOURS["period"],
            text=f"{period.start} up to {period.end} (R17)",
            span=span,
        )
    for attempt in journey.attempts:
        top.plot(
            _num(attempt.on),
            row["exam window"],
            marker="o" if attempt.passed else "X",
            color="#1b4332" if attempt.passed else "#9b2226",
            markersize=7,
            markeredgecolor="white",
            zorder=3,
        )
    _plot_markers(top, journey, registered, changes=bool(changes))
    top.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    top.set_yticks(range(len(rows)), rows)
    top.set_ylim(len(rows) - 0.4, -0.6)
    top.set_xlim(_num(start), _num(end))
    top.grid(axis="x", alpha=0.3)
    top.set_title(
        title or f"Journey of {journey.registration.email} (policy {policy.name}, {journey.state})",
        fontsize=11,
        loc="left",
    )
    if bottom is not None:
        _plot_hours(bottom, journey)
    axis = bottom if bottom is not None else top
    locator = mdates.AutoDateLocator()  # type: ignore[no-untyped-call]  # untyped in matplotlib
    axis.xaxis.set_major_locator(locator)
    axis.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    return figure


def _plot_hours(ax: Axes, journey: Journey) -> None:
    policy = journey.policy
    required = float(policy.ce_hours_required)
    for n, period in enumerate(journey.periods, start=1):
        ledger = ledger_for(
            period, journey.activities, journey.renewal_fee_payments, policy, as_of=period.end
        )
        days = [period.start]
        totals = [0.0]
        running = Decimal(0)
        for activity in ledger.counted:
            running += activity.hours
            days.append(activity.on)
            totals.append(float(running))
        days.append(period.end)
        totals.append(float(running))
        ax.step(
            [_num(d) for d in days],
            totals,
            where="post",
            color=_COLOURS["hours"],
            linewidth=2,
            label="qualifying hours (R18, R19)" if n == 1 else None,
        )
        ax.hlines(
            required,
            _num(period.start),
            _num(period.end),
            colors=_COLOURS["deadline"],
            linestyles=":",
            label=f"{policy.ce_hours_required} hours needed per period" if n == 1 else "",
        )
        if ledger.fee_paid_on is not None:
            ax.plot(
                _num(ledger.fee_paid_on),
                required,
                marker="$\\$$",
                color="#2d6a4f",
                markersize=12,
                label="renewal fee paid (R18)" if n == 1 else None,
            )
    ax.set_ylabel("hours in the period")
    ax.set_ylim(0, max(required * 1.4, 1.0))
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)


def _used_up(policy: Policy) -> str:
    # The legend's R11a clause follows the policy's count of free changes (none: no clause).
    limit = policy.free_changes
    if limit is None:
        return ""
    return f", or once the {limit} free change{'' if limit == 1 else 's'} are used (R11a)"


def plot_change_timing(
    cohort: Sequence[Candidate], policy: Policy, prices: PriceSchedule | None = None
) -> NotebookFigure:
    """When each candidate's first change request came, around its free-change deadline.

    The x axis counts days the way the policy counts the deadline (business days
    under the FAQ's reading, calendar days under the terms' setting): 0 is the
    deadline itself, 1 the first day after it. Bars are stacked by answer: free
    on or before the deadline (R9), free after it because the move is to an
    earlier session or one starting the same day (R10), and paying the class
    change fee (R10, or R11a once the free changes are used) under ``prices``
    (default: the shipped schedule).
    """
    schedule = prices if prices is not None else load_prices()
    groups: dict[str, list[int]] = {"on_time": [], "earlier": [], "fee": []}
    business = policy.free_change_day_count is DayCount.BUSINESS
    for candidate in cohort:
        if not candidate.changes:
            continue
        asked, to = candidate.changes[0]
        deadline = free_change_deadline(policy, candidate.practicum.first_day)
        offset = (
            policy.calendar.count_business_days(deadline, asked)
            if business
            else (asked - deadline).days
        )
        try:
            outcome = judge_change(
                policy=policy, prices=schedule, held=candidate.practicum, to=to, requested=asked
            )
        except TransitionError:
            continue
        decision = outcome.decisions[0]
        group = "fee" if decision.fee is not None else "earlier" if offset > 0 else "on_time"
        groups[group].append(offset)
    figure = NotebookFigure(figsize=(9, 4.6), layout="constrained")
    ax = figure.subplots()
    offsets = [o for values in groups.values() for o in values] or [0]
    # Bin edges at half days, one of them at +0.5: the deadline (day 0) and the first day
    # after it (day 1) never share a bar.
    low, high = min(offsets) // 5 * 5 - 5, max(offsets) // 5 * 5 + 10
    bins = [edge + 0.5 for edge in range(low, high + 1, 5)]
    ax.hist(
        [groups["on_time"], groups["earlier"], groups["fee"]],
        bins=bins,
        stacked=True,
        label=[
            "free: on or before the deadline (R9)",
            "free: after it, to an earlier session or one starting the same day (R10)",
            f"fee {amount_text(schedule.class_change_fee)}: after it, to a later session (R10)"
            + _used_up(policy),
        ],
        color=[_COLOURS["period"], _COLOURS["prework"], _COLOURS["deadline"]],
        edgecolor="white",
    )
    ax.axvline(0.5, color="black", linestyle="--", linewidth=1, label="free-change deadline (R9)")
    unit = "business days" if business else "calendar days"
    ax.set_xlabel(f"{unit} from the free-change deadline to the request (0: the deadline)")
    ax.set_ylabel("candidates (bars stacked)")
    ax.set_ylim(0, ax.get_ylim()[1] * 1.35)  # room for the legend above the tallest bar
    ax.set_title(
        f"First change requests, policy {policy.name} ({sum(map(len, groups.values()))} of "
        f"{len(cohort)} candidates)",
        loc="left",
        fontsize=11,
    )
    ax.legend(fontsize=8, loc="upper left", frameon=False)
    return figure
