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

try:
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "cptm_rules.plotting needs the notebook extra: pip install 'cptm-rules[notebook]'"
    ) from exc

from cptm_rules.calendar import add_months
from cptm_rules.exceptions import InvalidInputError, TransitionError
from cptm_rules.lifecycle import Journey, free_change_deadline, judge_change
from cptm_rules.pricing import load_prices
from cptm_rules.recertification import ledger_for
from cptm_rules.vocabulary import KeyDateKind

if TYPE_CHECKING:
    from collections.abc import Sequence

    from matplotlib.axes import Axes

    from cptm_rules.cohort import Candidate
    from cptm_rules.policy import Policy

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
    width = max((end - start).days, 1)
    ax.barh(row, width, left=_num(start), height=0.55, color=colour, edgecolor="white")
    if width > span * 0.25:
        ax.text(
            _num(start) + width / 2,
            row,
            text,
            ha="center",
            va="center",
            fontsize=8,
            color="black",
        )
    else:  # too narrow to hold its label: write it beside the band
        ax.text(
            _num(start) + width + span * 0.01,
            row,
            text,
            ha="left",
            va="center",
            fontsize=8,
            color="black",
        )


def plot_journey(journey: Journey, *, title: str | None = None) -> NotebookFigure:
    """One figure of the journey's timeline and its continuing-education hours."""
    if journey.registration is None or journey.session is None:
        raise InvalidInputError("journey", str(journey.state), "a registered journey")
    policy = journey.policy
    zone = policy.zone
    dates = {k.kind: k for k in journey.key_dates()}
    registered = dates[KeyDateKind.REGISTERED].day(zone)
    first, last = journey.session.first_day, journey.session.last_day
    opens = last
    closes = add_months(opens, policy.exam_window_months)
    periods = journey.periods
    end = max([closes, *(p.end for p in periods)]) + dt.timedelta(days=20)

    figure = NotebookFigure(figsize=(11, 6.5 if periods else 4.2), layout="constrained")
    if periods:
        top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    else:
        top, bottom = figure.subplots(1, 1), None
    rows = [
        "prework",
        "practicum",
        "exam window",
        *(f"period {n}" for n in range(1, len(periods) + 1)),
    ]
    span = (end - registered).days
    _band(
        top,
        0,
        registered,
        first,
        colour=_COLOURS["prework"],
        text=f"prework: {registered} to {first} (R5, R6)",
        span=span,
    )
    _band(
        top,
        1,
        first,
        last + dt.timedelta(days=1),
        colour=_COLOURS["practicum"],
        text=f"practicum {first} to {last} (R2)",
        span=span,
    )
    _band(
        top,
        2,
        opens,
        closes + dt.timedelta(days=1),
        colour=_COLOURS["exam"],
        text=f"exam window {opens} to {closes} (R13, R14)",
        span=span,
    )
    for n, period in enumerate(periods, start=3):
        _band(
            top,
            n,
            period.start,
            period.end,
            colour=_COLOURS["period"],
            text=f"{period.start} up to {period.end} (R17)",
            span=span,
        )
    for attempt in journey.attempts:
        top.plot(
            _num(attempt.on),
            2,
            marker="o" if attempt.passed else "X",
            color="#1b4332" if attempt.passed else "#9b2226",
            markersize=7,
            markeredgecolor="white",
            zorder=3,
        )
    markers = [
        (registered, "registered (R2)", "#6c757d", ":"),
        (dates[KeyDateKind.ACCESS_DUE].day(zone), "access due (R4)", "#6c757d", "-."),
        (
            dates[KeyDateKind.FREE_CHANGE_DEADLINE].day(zone),
            "free-change deadline (R9)",
            _COLOURS["deadline"],
            "--",
        ),
    ]
    if journey.certification_date is not None:
        markers.append((journey.certification_date, "certified (R16)", "#2d6a4f", "-"))
    for day, label, colour, style in markers:
        top.axvline(
            _num(day),
            color=colour,
            linestyle=style,
            linewidth=1.2,
            label=f"{label}: {day}",
        )
    top.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    top.set_yticks(range(len(rows)), rows)
    top.set_ylim(len(rows) - 0.4, -0.6)
    top.set_xlim(_num(registered - dt.timedelta(days=10)), _num(end))
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


def plot_change_timing(cohort: Sequence[Candidate], policy: Policy) -> NotebookFigure:
    """When each cohort's first change request came, in days from its free-change deadline."""
    free: list[int] = []
    paid: list[int] = []
    prices = load_prices()
    for candidate in cohort:
        if not candidate.changes:
            continue
        asked, to = candidate.changes[0]
        deadline = free_change_deadline(policy, candidate.practicum.first_day)
        offset = (asked - deadline).days
        try:
            outcome = judge_change(
                policy=policy, prices=prices, held=candidate.practicum, to=to, requested=asked
            )
        except TransitionError:
            continue
        (paid if outcome.decisions[0].fee is not None else free).append(offset)
    figure = NotebookFigure(figsize=(9, 4), layout="constrained")
    ax = figure.subplots()
    offsets = free + paid or [0]
    bins = list(range(min(offsets) // 5 * 5 - 5, max(offsets) + 10, 5))
    ax.hist(
        [free, paid],
        bins=bins,
        stacked=True,
        label=["free (R9, R10)", "fee (R10, R11a)"],
        color=[_COLOURS["period"], _COLOURS["deadline"]],
    )
    ax.axvline(0.5, color="black", linestyle="--", linewidth=1)
    ax.annotate(
        "free-change deadline",
        (0.5, ax.get_ylim()[1] * 0.95),
        fontsize=8,
        xytext=(4, 0),
        textcoords="offset points",
    )
    ax.set_xlabel("days from the free-change deadline to the request (negative: before)")
    ax.set_ylabel("candidates")
    ax.set_title(
        f"First change requests, policy {policy.name} ({len(free) + len(paid)} of "
        f"{len(cohort)} candidates)",
        loc="left",
        fontsize=11,
    )
    ax.legend(fontsize=8)
    return figure
