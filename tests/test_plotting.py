from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from cptm_rules.cohort import synthetic_cohort
from cptm_rules.events import PayRenewalFee
from cptm_rules.exceptions import InvalidInputError
from cptm_rules.lifecycle import Journey
from cptm_rules.plotting import plot_change_timing, plot_journey
from cptm_rules.policy import load_policy
from journeys import activity, certified, day, registered

if TYPE_CHECKING:
    from pathlib import Path


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
    assert "free-change deadline (R9): 2026-11-20" in legend
    assert "certified (R16): 2027-01-20" in legend
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


def test_the_cohort_view_splits_requests_into_free_and_paid(tmp_path: Path) -> None:
    figure = plot_change_timing(synthetic_cohort(600, seed=1), load_policy())
    figure.savefig(tmp_path / "cohort.png", dpi=60)
    (ax,) = figure.axes
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == [
        "free (R9, R10)",
        "fee (R10, R11a)",
    ]
    assert ax.get_title(loc="left").startswith("First change requests, policy current (")
