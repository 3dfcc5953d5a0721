"""Proposals a program office makes, as files under ``scenarios/``: each diffed against current.

Every proposal is a policy or price file and nothing else; the diff against the
current policy over one synthetic cohort moves exactly the rules the proposal is
about (and those that read the same figure), and the scenario file
``scenarios/proposals.scenarios.toml`` shows one candidate's answers under each.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cptm_rules.cohort import diff_policies, synthetic_cohort
from cptm_rules.scenarios import load_scenarios, run_scenario

if TYPE_CHECKING:
    from cptm_rules.cohort import PolicyDiff

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
COHORT = synthetic_cohort(400, seed=1)


@functools.cache
def _diff(policy: str = "current", prices: str = "shipped") -> PolicyDiff:
    return diff_policies(
        COHORT,
        base="current",
        candidate=SCENARIOS / policy if policy != "current" else policy,
        candidate_prices=SCENARIOS / prices if prices != "shipped" else prices,
        workers=1,
    )


def _moved(policy: str = "current", prices: str = "shipped") -> dict[str, int]:
    return dict(_diff(policy, prices).rules)


@pytest.mark.parametrize(
    ("policy", "prices", "rules"),
    [
        # The free-change deadline moves for everyone; the fees, the count of free
        # changes and a substitution's fee window follow it.
        ("policies/free-change-21-calendar-days.toml", "shipped", {"R9", "R10", "R11a", "R27"}),
        # The fee alone: the changes and substitutions that paid it.
        ("current", "prices/class-change-fee-250.toml", {"R10", "R27"}),
        ("policies/one-free-change.toml", "shipped", {"R9", "R10", "R11a"}),
        # The period's end for everyone certified; renewals, what counts, lapses.
        ("policies/three-year-cycle.toml", "shipped", {"R17", "R18", "R19", "R20"}),
        # The window for everyone; attempts it now admits certify (and warn, R8).
        (
            "policies/exam-window-18-months.toml",
            "shipped",
            {"R8", "R14", "R16", "R17", "R18", "R19", "R20"},
        ),
        # The same window counted from the practicum's first day: the window for everyone,
        # and the attempts it admits (R14 closes three days sooner on a four-day session).
        (
            "policies/exam-window-18-months-from-first-day.toml",
            "shipped",
            {"R8", "R14", "R16", "R17", "R18", "R19", "R20"},
        ),
        # A credit in months: re-enrolments after a year now taken, and what follows them.
        (
            "policies/tuition-credit-18-months.toml",
            "shipped",
            {"R2", "R3", "R6", "R8", "R9", "R13", "R14", "R15", "R16", "R17", "R18", "R19"}
            | {"R20", "R25"},
        ),
        # London time moves a local date or two, never an access due instant (two hours
        # after registering is the same moment in any zone: R4 stays); UK bank holidays
        # move business-day deadlines.
        ("policies/uk-calendar.toml", "shipped", {"R9", "R10", "R24", "R27"}),
        # A dated board decision and a layered one move registrations from their date.
        ("policies/board-2027.toml", "shipped", {"R9", "R10", "R11a", "R27"}),
        ("policies/board-2028.toml", "shipped", {"R9", "R10", "R11a", "R27"}),
        ("current", "prices/from-2027-07.toml", {"R10", "R27"}),
        # Two attempts, one included: the retake fee, and the third attempt refused.
        (
            "policies/two-attempts.toml",
            "prices/retake-fee.toml",
            {"R14", "R15", "R16", "R17", "R18", "R19", "R20"},
        ),
        # 40 hours with at most 25 from webinars: renewals, what counts, lapses.
        ("policies/webinar-cap.toml", "shipped", {"R17", "R18", "R19", "R20"}),
        ("policies/grace-period.toml", "prices/late-renewal-fee.toml", {"R18", "R20"}),
        ("policies/pmi-style.toml", "shipped", {"R17", "R18", "R19", "R20"}),
        # No synthetic candidate registers within 14 days (tests/test_registration.py
        # diffs a hand-built cohort that does).
        ("policies/late-registration-fee.toml", "prices/late-registration-fee.toml", set()),
    ],
)
def test_a_proposal_written_as_a_file_moves_the_answers_of_its_rules(
    policy: str, prices: str, rules: set[str]
) -> None:
    moved = _moved(policy, prices)
    assert set(moved) == rules


def test_a_21_calendar_day_window_moves_every_deadline_and_a_250_fee_every_paid_change() -> None:
    assert _moved("policies/free-change-21-calendar-days.toml")["R9"] == len(COHORT) - 1
    fee = _diff("current", "prices/class-change-fee-250.toml")
    for answer in fee.answers:
        for _, before, after in answer.examples:
            assert "400.00 USD" in before
            assert "250.00 USD" in after


def test_the_proposals_scenarios_show_each_proposal_answers_and_pass() -> None:
    scenarios = load_scenarios(SCENARIOS / "proposals.scenarios.toml")
    assert len(scenarios) == 11
    failed = [s.name for s in scenarios if not run_scenario(s).passed]
    assert failed == []


def test_a_window_from_the_first_day_closes_sooner_than_the_same_window_from_the_last() -> None:
    # Against the 18-month window from the last day, R14's closing day moves by the
    # session's length less one: only candidates with a session of two days or more.
    diff = diff_policies(
        COHORT,
        base=SCENARIOS / "policies/exam-window-18-months.toml",
        candidate=SCENARIOS / "policies/exam-window-18-months-from-first-day.toml",
        workers=1,
    )
    assert [f.key for f in diff.figures] == ["exam.exam_window"]
    longer = sum(c.practicum.last_day > c.practicum.first_day for c in COHORT)
    assert 0 < dict(diff.rules)["R14"] <= longer


def test_a_credit_of_18_months_keeps_a_cancellation_credit_six_months_longer() -> None:
    moved = _diff("policies/tuition-credit-18-months.toml")
    assert [(f.key, f.base, f.candidate) for f in moved.figures] == [
        (
            "cancellation.tuition_credit",
            '{ amount = 1, unit = "years" }',
            '{ amount = 18, unit = "months" }',
        )
    ]
