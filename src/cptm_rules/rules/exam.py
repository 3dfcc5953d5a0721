"""Attendance and the exam: attending, release, the window, retakes, passing (R12-R16).

The rules of this family are declared here (:data:`RULES`) beside the functions
that decide them. The journey (:mod:`cptm_rules.lifecycle`) applies them when
attendance is recorded and on each exam attempt, and refuses an attempt before
release (R13), after the window (R14) or beyond the policy's cap (R15). The window
itself is :func:`exam_closes`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import attrs

from cptm_rules.calendar import add_months
from cptm_rules.catalogue import (
    Q_AFTER_PASS,
    Q_CONFLICT,
    Q_PASS_RATE,
    Q_WHEN_EXAM,
    Q_WHEN_SHOULD_EXAM,
    Rule,
    RuleKind,
    faq,
)
from cptm_rules.figures import figure, whole, whole_or_unlimited
from cptm_rules.rules._build import advisory, decision, effect
from cptm_rules.vocabulary import Attendance, EffectKind, Severity

if TYPE_CHECKING:
    import datetime as dt

    from cptm_rules.events import Session
    from cptm_rules.outcomes import Advisory, Decision
    from cptm_rules.policy import Policy

__all__ = [
    "PASS_EFFECTS",
    "RULES",
    "ExamFees",
    "ExamFigures",
    "attempt_failed",
    "attendance_advisories",
    "certified",
    "exam_closes",
    "exam_released",
    "in_window",
]


@attrs.frozen(kw_only=True, slots=False)
class ExamFigures:
    """The figures R14 and R15 read, under ``[exam]`` in policy files.

    Part of :class:`~cptm_rules.policy.Policy`: a figure declared here is read from
    policy files, checked, cited and shown like every other.
    """

    exam_window_months: int = figure("exam", "R14", whole(1, 120))
    max_exam_attempts: int | None = figure("exam", "R15", whole_or_unlimited(1000))


@attrs.frozen(kw_only=True, slots=False)
class ExamFees:
    """The amounts the exam rules charge: none so far.

    Part of :class:`~cptm_rules.pricing.PriceSchedule`: an amount declared here is
    read from price schedule files (or ``"unknown"``) like every other.
    """


RULES: Final = (
    Rule(
        id="R12",
        verdicts=(
            "advisory",
            "refused",
        ),
        exercised_by="a candidate who attends part of the practicum",
        title="Attend all of it",
        kinds=(RuleKind.ADVISORY,),
        statement=(
            "Missing part of the live session is discouraged: partial attendance raises an "
            "advisory to tell the instructor beforehand or to reschedule. It does not block "
            "the exam."
        ),
        sources=(faq(Q_CONFLICT),),
    ),
    Rule(
        id="R13",
        verdicts=(
            "attended",
            "refused",
        ),
        exercised_by="a candidate who attends the practicum, or sits the exam before it opens",
        title="Exam release",
        kinds=(RuleKind.REQUIREMENT,),
        statement=(
            "The exam opens on the last day of the practicum held (the whole of that "
            "program-local day counts)."
        ),
        sources=(faq(Q_WHEN_EXAM),),
    ),
    Rule(
        id="R14",
        verdicts=(
            "in_window",
            "refused",
            "exam_expired",
        ),
        exercised_by="a candidate who sits the exam, late or never",
        title="Six-month exam window",
        kinds=(RuleKind.REQUIREMENT,),
        statement=(
            "The last day to sit the exam is the release date plus "
            "{exam.exam_window_months} calendar months, in one step with end-of-month "
            "clamping. An attempt before release or after the last day is an error that says "
            "which, and by how many days."
        ),
        sources=(faq(Q_WHEN_EXAM), faq(Q_WHEN_SHOULD_EXAM)),
    ),
    Rule(
        id="R15",
        verdicts=(
            "failed",
            "refused",
        ),
        exercised_by="a candidate who fails an exam attempt (or reaches the attempt cap)",
        title="Retakes",
        kinds=(RuleKind.POLICY_SWITCH,),
        statement=(
            "The FAQ does not limit attempts: by default any number are allowed within the "
            "window; a policy setting may cap them."
        ),
        sources=(faq(Q_WHEN_EXAM),),
    ),
    Rule(
        id="R16",
        verdicts=("certified",),
        exercised_by="a candidate who passes the exam",
        title="What passing brings",
        kinds=(RuleKind.CONSEQUENCE, RuleKind.FACT),
        statement=(
            "The passing attempt's date is the certification date. Passing brings a "
            "certification packet with a certificate of achievement, a digital badge and "
            "membership of the alumni community. Fact: over 85% of those who complete the "
            "modules and the practicum pass."
        ),
        sources=(faq(Q_AFTER_PASS), faq(Q_PASS_RATE)),
    ),
)
"""The rules R12, R13, R14, R15, R16."""


PASS_EFFECTS: Final = (
    effect(
        kind=EffectKind.ISSUE_CERTIFICATE_PACKET,
        rule_id="R16",
        detail="issue the certification packet with the certificate of achievement",
    ),
    effect(kind=EffectKind.ISSUE_DIGITAL_BADGE, rule_id="R16", detail="issue the digital badge"),
    effect(
        kind=EffectKind.GRANT_ALUMNI_ACCESS,
        rule_id="R16",
        detail="welcome the candidate into the alumni community",
    ),
)


def attendance_advisories(kind: Attendance) -> tuple[Advisory, ...]:
    """R12: missing part of the live session is discouraged, never a bar to the exam."""
    if kind is not Attendance.PARTIAL:
        return ()
    return (
        advisory(
            rule_ids=("R12",),
            severity=Severity.WARNING,
            message="part of the live session was missed; the program does "
            "not recommend it: tell the instructor beforehand, or reschedule "
            "the session. The exam is not blocked",
        ),
    )


def exam_released(policy: Policy, kind: Attendance, session: Session) -> Decision:
    """R13: once the practicum is attended, the exam opens on its last day."""
    return decision(
        rule_id="R13",
        verdict="attended",
        policy=policy.label,
        reason=lambda: (
            f"attendance recorded ({kind}); the exam opens on "
            f"{session.last_day}, the practicum's last day"
        ),
        dates=(("exam opens", session.last_day),),
    )


def in_window(
    policy: Policy, number: int, on: dt.date, opens: dt.date, closes: dt.date
) -> Decision:
    """R14: attempt ``number`` on ``on`` falls inside the exam window."""
    return decision(
        rule_id="R14",
        verdict="in_window",
        policy=policy.label,
        figures=policy.figures("exam_window_months", "max_exam_attempts"),
        dates=(("exam opens", opens), ("attempt", on), ("exam closes", closes)),
        reason=lambda: (
            f"attempt {number} on {on} is inside the window {opens}.."
            f"{closes} (release plus {policy.exam_window_months} months, clamped)"
        ),
    )


def attempt_failed(policy: Policy, number: int, closes: dt.date) -> Decision:
    """R15: a failed attempt; retakes remain until the window closes (or the cap)."""
    cap = policy.max_exam_attempts
    return decision(
        rule_id="R15",
        verdict="failed",
        policy=policy.label,
        reason=lambda: (
            f"attempt {number} failed; "
            + (
                "retakes are allowed until the window closes on " + str(closes)
                if cap is None
                else f"{cap - number} attempt(s) remain until {closes}"
            )
        ),
    )


def certified(policy: Policy, on: dt.date) -> Decision:
    """R16: a pass certifies; the day of the pass is the certification date."""
    return decision(
        rule_id="R16",
        verdict="certified",
        policy=policy.label,
        dates=(("certification date", on),),
        reason=lambda: f"passed on {on}: that is the certification date",
    )


def exam_closes(policy: Policy, opens: dt.date) -> dt.date:
    """R14: the last day to sit the exam: the release day plus the window, clamped."""
    return add_months(opens, policy.exam_window_months)
