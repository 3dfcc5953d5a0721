from __future__ import annotations

from typing import TYPE_CHECKING, cast

import matplotlib.dates as mdates
import pytest

from cptm_rules.cohort import synthetic_cohort
from cptm_rules.events import PayRenewalFee, RequestChange
from cptm_rules.exceptions import InvalidInputError
from cptm_rules.lifecycle import Journey
from cptm_rules.plotting import plot_change_timing, plot_journey
from cptm_rules.policy import load_policy
from cptm_rules.pricing import load_prices
from journeys import FEBRUARY, activity, certified, day, registered

if TYPE_CHECKING:
    from pathlib import Path

    from matplotlib.patches import Rectangle


def texts(figure: object) -> str:
    return "\n".join(t.get_text() for ax in figure.axes for t in ax.texts)  # type: ignore[attr-defined]


def test_a_certified_journey_renders_its_timeline_and_hours(tmp_path: Path) -> None:
    journey = certified().then(
        activity("2027-03-01", "12"),
        activity("2027-09-01", "12"),
        PayRenewalFee(on=day("2028-01-10")),
    )
    figure = plot_journey(journey)
    path = tmp_path / "journey.png"
    figure.savefig(path, dpi=80)
    assert path.stat().st_size > 20_000
    top, bottom = figure.axes
    labels = [t.get_text() for t in top.get_yticklabels()]
    assert labels == ["prework", "practicum", "exam window", "period 1", "period 2"]
    assert "exam window 2027-01-14 to 2027-07-14 (R13, R14)" in texts(figure)
    top_legend, bottom_legend = top.get_legend(), bottom.get_legend()
    assert top_legend is not None
    assert bottom_legend is not None
    legend = [t.get_text() for t in top_legend.get_texts()]
    assert "2026-11-20: free-change deadline of the practicum held (R9)" in legend
    assert "2027-01-20: certified (R16)" in legend
    # Registration and access due fall on one day: one line, not two drawn over each other.
    assert "2026-11-02: registered (R2), access due (R4) at 11:30 the same day" in legend
    left = top.get_xlim()[0]
    assert all(t.get_position()[0] >= left for t in top.texts)  # no label over the y axis
    hours = [t.get_text() for t in bottom_legend.get_texts()]
    assert hours == [
        "qualifying hours (R18, R19)",
        "24 hours needed per period",
        "renewal fee paid (R18)",
    ]


def test_a_journey_before_certification_has_no_hours_panel() -> None:
    figure = plot_journey(registered())
    assert len(figure.axes) == 1
    with pytest.raises(InvalidInputError, match="a registered journey"):
        plot_journey(Journey.new())


def test_the_cohort_view_splits_requests_by_answer_around_the_deadline(tmp_path: Path) -> None:
    figure = plot_change_timing(synthetic_cohort(600, seed=1), load_policy())
    figure.savefig(tmp_path / "cohort.png", dpi=60)
    (ax,) = figure.axes
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == [
        "free: on or before the deadline (R9)",
        "free: after it, to an earlier session or one starting the same day (R10)",
        (
            "fee 400.00 USD: after it, to a later session (R10), or once the 2 free changes "
            "are used (R11a)"
        ),
        "free-change deadline (R9)",
    ]
    assert ax.get_title(loc="left").startswith("First change requests, policy current (")
    assert ax.get_xlabel().startswith("business days from the free-change deadline")
    assert "stacked" in ax.get_ylabel()
    # Every bar lies wholly on one side of the deadline line at 0.5.
    bars = [cast("Rectangle", p) for p in ax.patches]
    edges = {round(b.get_x(), 6) for b in bars}
    assert 0.5 in edges
    assert all((e - 0.5) % 5 == 0 for e in edges)
    tallest = max(b.get_height() + b.get_y() for b in bars)
    assert ax.get_ylim()[1] >= tallest * 1.3  # room for the legend above the bars


def test_the_cohort_view_counts_calendar_days_under_a_calendar_day_policy() -> None:
    policy = load_policy(overrides={"practicum.free_change_day_count": "calendar"})
    (ax,) = plot_change_timing(synthetic_cohort(200, seed=1), policy).axes
    assert ax.get_xlabel().startswith("calendar days")


def test_the_cohort_view_uses_the_price_schedule_given_R10(tmp_path: Path) -> None:
    dearer = tmp_path / "dearer.toml"
    dearer.write_text('extends = "shipped"\nclass_change_fee = "450"\n', encoding="utf-8")
    figure = plot_change_timing(synthetic_cohort(100, seed=2), load_policy(), load_prices(dearer))
    legend = figure.axes[0].get_legend()
    assert legend is not None
    assert legend.get_texts()[2].get_text().startswith("fee 450.00 USD: after it")


def test_a_journey_shows_each_change_request_with_the_deadline_that_judged_it_R9_R10() -> None:
    journey = registered().then(RequestChange(on=day("2026-11-23"), to=FEBRUARY))
    figure = plot_journey(journey)
    (top,) = figure.axes
    labels = [t.get_text() for t in top.get_yticklabels()]
    assert labels == ["prework", "changes", "practicum", "exam window"]
    assert "2026-11-23: fee 400.00 USD (R10; deadline 2026-11-20)" in texts(figure)
    legend = top.get_legend()
    assert legend is not None
    names = [t.get_text() for t in legend.get_texts()]
    assert {"change request: fee", "deadline that judged it"} <= set(names)
    assert top.get_xlim()[0] < mdates.date2num(day("2026-11-20"))  # type: ignore[no-untyped-call]
