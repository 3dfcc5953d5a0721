"""The practicum-changes family's own entry points (R9-R11a), beside the journey that uses them."""

from __future__ import annotations

import pytest

from cptm_rules.events import RequestChange
from cptm_rules.rules.practicum_changes import change_fee_decision
from journeys import FEBRUARY, JANUARY, day, registered


@pytest.mark.parametrize(
    ("requested", "verdict"),
    [("2026-11-10", "free"), ("2027-01-05", "fee")],
    ids=["early", "late"],
)
def test_the_change_fee_decision_is_the_one_a_journey_takes_for_the_same_change_R10(
    requested: str, verdict: str
) -> None:
    journey = registered()
    event = RequestChange(on=day(requested), to=FEBRUARY)
    decision = change_fee_decision(journey, event, JANUARY)
    assert decision.verdict == verdict
    assert decision == journey.apply(event).decisions[0]
