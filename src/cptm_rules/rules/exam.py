"""Attendance and the exam: attending, release, the window, retakes, passing (R12-R16).

The rules of this family are declared here (:data:`RULES`) beside the functions
that decide them. The journey (:mod:`cptm_rules.lifecycle`) applies them when
attendance is recorded and on each exam attempt, and refuses an attempt before
release (R13), after the window (R14) or beyond the policy's cap (R15). The window
itself is :func:`exam_closes`. An attempt beyond those the program price includes
pays the retake fee (R15, :data:`RETAKE_FEE`) when the price schedule sets one.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Final, NamedTuple, overload

import attrs

from cptm_rules.declarations import (
    Q_AFTER_PASS,
    Q_CONFLICT,
    Q_PASS_RATE,
    Q_WHEN_EXAM,
    Q_WHEN_SHOULD_EXAM,
    InForce,
    Rule,
    RuleKind,
    faq,
)
from cptm_rules.figures import (
    Deadline,
    DeadlineSpec,
    Shorthand,
    deadline,
    fee,
    figure,
    read_as_before,
    whole_or_unlimited,
)
from cptm_rules.formulas import (
    SCALAR,
    Case,
    Ops,
    Precedence,
    check_precedence,
    deadline_after,
    explained,
)
from cptm_rules.money import Amount, Money
from cptm_rules.rules._build import advisory, charges, decision, effect, priced, refusal_in
from cptm_rules.rules.cancellation import cancellation_decisions, no_show
from cptm_rules.rules.certification import period_from, period_started
from cptm_rules.rules.prework import unfinished_modules_advisory
from cptm_rules.types import Handled, Refusal
from cptm_rules.vocabulary import (
    Attendance,
    DeadlineAnchor,
    DeadlineUnit,
    EffectKind,
    Severity,
    State,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from cptm_rules.events import AttemptExam, RecordAttendance, Session
    from cptm_rules.outcomes import Advisory, Decision
    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule
    from cptm_rules.types import JourneyFacts

__all__ = [
    "ATTEMPT_OUTCOME",
    "ATTEMPT_REFUSALS",
    "ATTENDANCE_OUTCOME",
    "ATTENDANCE_PLACES",
    "EXAM_STATUS",
    "EXAM_STATUS_SINCE",
    "PASS_EFFECTS",
    "RELEASING_ATTENDANCE",
    "RETAKE_FEE",
    "RULES",
    "AttemptCase",
    "AttendanceCase",
    "ExamAttempt",
    "ExamFees",
    "ExamFigures",
    "ExamStatusCase",
    "attempt_exam",
    "attempt_failed",
    "attempts_capped",
    "attempts_read_modules",
    "attendance_advisories",
    "attendance_recordable",
    "beyond_the_included_attempts",
    "certified",
    "certifies",
    "exam_closes",
    "exam_expired_since",
    "exam_opens",
    "exam_released",
    "in_window",
    "in_window_answer",
    "modules_unfinished",
    "partly_attended",
    "record_attendance",
    "releases",
    "retake_fee",
    "retake_fee_in_force",
    "state_after_attendance",
]


_EXAM_WINDOW: Final = DeadlineSpec(
    what="the exam window, R14",
    units=(
        (DeadlineUnit.MONTHS, 1, 120),
        (DeadlineUnit.CALENDAR_DAYS, 1, 3650),
        (DeadlineUnit.BUSINESS_DAYS, 1, 2600),
    ),
    anchors=(DeadlineAnchor.PRACTICUM_LAST_DAY, DeadlineAnchor.PRACTICUM_FIRST_DAY),
    shorthands=(Shorthand(name="exam_window_months", unit=DeadlineUnit.MONTHS),),
)
"""R14: the window's last day, counted from the release (the practicum's last day, R13) or
from the practicum's first day, in months, calendar days or business days."""


@attrs.frozen(kw_only=True, slots=False)
class ExamFigures:
    """The figures R14 and R15 read, under ``[exam]`` in policy files.

    Part of :class:`~cptm_rules.policy.Policy`: a figure declared here is read from
    policy files, checked, cited and shown like every other.
    """

    exam_window: Deadline = deadline("exam", "R14", _EXAM_WINDOW)
    """R14: ``exam_window = { amount = 6, unit = "months", from = "practicum_last_day" }``,
    or the older ``exam_window_months``."""
    max_exam_attempts: int | None = figure("exam", "R15", whole_or_unlimited(1000))
    attempts_included: int | None = figure("exam", "R15", whole_or_unlimited(1000), default=None)
    """R15: the attempts the program price includes (``"unlimited"``: all of them); each
    attempt beyond them pays the price schedule's retake fee."""

    exam_window_months = read_as_before("exam_window", "exam_window_months")


@attrs.frozen(kw_only=True, slots=False)
class ExamFees:
    """The amounts the exam rules charge: the retake fee (R15).

    Part of :class:`~cptm_rules.pricing.PriceSchedule`: an amount declared here is
    read from price schedule files (or ``"unknown"``) like every other.
    """

    retake_fee: Amount = fee("R15", default="0")
    """R15: what each attempt beyond ``exam.attempts_included`` pays; zero: nothing."""


def attempts_capped(policy: Policy, prices: PriceSchedule) -> bool:  # noqa: ARG001  # an in-force test
    """Whether R15 can refuse an attempt: the policy caps attempts (the shipped ones do not)."""
    return policy.max_exam_attempts is not None


def retake_fee_in_force(policy: Policy, prices: PriceSchedule) -> bool:
    """Whether any attempt pays the retake fee: some attempts are not included, and a fee is set.

    Every attempt included (the shipped policies) or a fee of zero (the shipped
    prices) puts it out of force: no decision at all. An unknown fee is charged as
    unknown (R22).
    """
    charged = prices.retake_fee
    return policy.attempts_included is not None and not (
        isinstance(charged, Money) and charged.amount == 0
    )


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
        title="{exam.exam_window:Word} exam window",
        kinds=(RuleKind.REQUIREMENT,),
        statement=(
            "The last day to sit the exam is {exam.exam_window:from} plus "
            "{exam.exam_window:counted}. An attempt before release or after the last day is "
            "an error that says "
            "which, and by how many days."
        ),
        sources=(faq(Q_WHEN_EXAM), faq(Q_WHEN_SHOULD_EXAM)),
    ),
    Rule(
        id="R15",
        verdicts=(
            "failed",
            "refused",
            "fee",
        ),
        exercised_by=(
            "a candidate who fails an exam attempt (or reaches the attempt cap, or retakes "
            "beyond the attempts included)"
        ),
        title="Retakes",
        kinds=(RuleKind.POLICY_SWITCH,),
        statement=(
            "The FAQ does not limit attempts: by default any number are allowed within the "
            "window; a policy setting may cap them. Attempts allowed: "
            "{exam.max_exam_attempts}; included in the program price: "
            "{exam.attempts_included}. Each attempt beyond those included pays the retake "
            "fee ({prices.retake_fee}); a fee of zero, or every attempt included, charges "
            "none."
        ),
        sources=(faq(Q_WHEN_EXAM),),
        in_force=(
            InForce(verdicts=("refused",), when=attempts_capped, off="no cap on attempts"),
            InForce(
                verdicts=("fee",),
                when=retake_fee_in_force,
                off="every attempt included in the price, or a zero retake fee",
            ),
        ),
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
        figures=policy.figures("exam_window", "max_exam_attempts"),
        dates=(("exam opens", opens), ("attempt", on), ("exam closes", closes)),
        reason=lambda: (
            f"attempt {number} on {on} is inside the window {opens}.."
            f"{closes} ({_window_words(policy.exam_window)})"
        ),
    )


def in_window_answer(policy: Policy) -> tuple[str, str]:
    """R14: the rule and verdict of :func:`in_window`'s decision, an attempt's first.

    Asked of the decision itself, so the batch path's answer columns hold its words
    without naming them.
    """
    day = dt.date(policy.first_year, 1, 1)
    given = in_window(policy, 1, day, day, day)
    return given.rule_id, given.verdict


def _window_words(window: Deadline) -> str:
    """How the window's last day was counted: ``release plus 6 months, clamped``."""
    start = (
        "the practicum's first day"
        if window.counted_from is DeadlineAnchor.PRACTICUM_FIRST_DAY
        else "release"
    )
    clamped = ", clamped" if window.unit is DeadlineUnit.MONTHS else ""
    return f"{start} plus {window.words()}{clamped}"


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


@overload
def exam_opens(policy: Policy, last_day: dt.date) -> dt.date: ...
@overload
def exam_opens(policy: Policy, last_day: Any, *, ops: Ops) -> Any: ...  # noqa: ANN401
def exam_opens(policy: Policy, last_day: Any, *, ops: Ops = SCALAR) -> Any:  # noqa: ARG001  # every date formula reads the policy
    """R13: the exam is released on the last day of the practicum held."""
    return last_day


@overload
def exam_closes(policy: Policy, opens: dt.date, *, first_day: dt.date | None = None) -> dt.date: ...
@overload
def exam_closes(
    policy: Policy,
    opens: Any,  # noqa: ANN401
    *,
    first_day: Any = None,  # noqa: ANN401
    ops: Ops,
) -> Any: ...  # noqa: ANN401
def exam_closes(policy: Policy, opens: Any, *, first_day: Any = None, ops: Ops = SCALAR) -> Any:
    """R14: the last day to sit the exam: the window counted from its anchor, clamped.

    ``opens`` is the release day (the practicum's last day, R13); a window counted
    from the practicum's first day needs ``first_day`` too (a ``TypeError`` without it).
    """
    window = policy.exam_window
    anchor = opens
    if window.counted_from is DeadlineAnchor.PRACTICUM_FIRST_DAY:
        if first_day is None:
            msg = "exam_closes: this policy's exam window counts from first_day; pass it"
            raise TypeError(msg)
        anchor = first_day
    return deadline_after(ops, policy.calendar, window, anchor)


@attrs.frozen(kw_only=True)
class ExamAttempt:
    """One exam attempt."""

    on: dt.date
    passed: bool


RELEASING_ATTENDANCE: Final = frozenset({Attendance.FULL, Attendance.PARTIAL})
"""R12, R13: the attendance that releases the exam (partial attendance is discouraged only)."""


def state_after_attendance(kind: Attendance) -> State:
    """R12, R13, R24, R26: where recording ``kind`` of attendance leaves a journey.

    Attendance that releases the exam leaves it attended; a no-show forfeits the seat
    (R26); an absence with notice cancels (R24, its refund and credit as a written
    cancellation's). Both engines ask this: the handler, and the batch path per kind.
    """
    if kind is Attendance.ABSENT_WITHOUT_NOTICE:
        return State.FORFEITED
    if kind not in RELEASING_ATTENDANCE:
        return State.CANCELLED
    return State.ATTENDED


def attendance_recordable(ops: Ops, on: Any, first: Any) -> Any:  # noqa: ANN401, ARG001  # a mask
    """R12, written once for both engines: attendance is recorded from the session's first day."""
    return on >= first


class AttemptCase(NamedTuple):
    """What the rules on an exam attempt compare (R8, R13-R16), for one candidate or many."""

    policy: Policy
    on: Any
    opens: Any
    closes: Any
    taken: Any
    """attempts taken before this one."""
    completed: Any
    """prework modules completed so far."""
    passed: Any
    prices: PriceSchedule | None = None
    """The price schedule (the retake fee, R15); the refusals never read it."""


def _before_release(ops: Ops, case: AttemptCase) -> Any:  # noqa: ANN401, ARG001  # a mask
    return case.on < case.opens


def _after_the_window(ops: Ops, case: AttemptCase) -> Any:  # noqa: ANN401, ARG001
    return case.on > case.closes


def _attempts_used_up(ops: Ops, case: AttemptCase) -> Any:  # noqa: ANN401, ARG001
    cap = case.policy.max_exam_attempts
    return False if cap is None else case.taken >= cap


def _modules_unfinished(ops: Ops, case: AttemptCase) -> Any:  # noqa: ANN401, ARG001
    policy = case.policy
    return (case.completed < policy.module_count) if policy.modules_required_for_exam else False


def _too_early(case: AttemptCase) -> Refusal:
    return Refusal.too_early(None, case.opens, "the exam opens on")


def _too_late(case: AttemptCase) -> Refusal:
    return Refusal.too_late(None, case.closes, "the last day to take the exam was")


def _no_attempt_left(case: AttemptCase) -> Refusal:
    return Refusal.because(
        None, f"all {case.policy.max_exam_attempts} allowed attempts have been used"
    )


def _prework_first(case: AttemptCase) -> Refusal:
    return Refusal.because(
        None,
        f"{case.policy.module_count - case.completed} prework modules are unfinished and this "
        "policy requires all of them before the exam",
    )


ATTEMPT_REFUSALS: Final[Precedence[AttemptCase, Refusal]] = check_precedence(
    "may this attempt be taken?",
    (
        ("R13", Case(verdicts=("refused",), when=_before_release, explain=_too_early)),
        ("R14", Case(verdicts=("refused",), when=_after_the_window, explain=_too_late)),
        ("R15", Case(verdicts=("refused",), when=_attempts_used_up, explain=_no_attempt_left)),
        ("R8", Case(verdicts=("refused",), when=_modules_unfinished, explain=_prework_first)),
    ),
)
"""What an exam attempt needs, checked in this order; the first that fails refuses it."""


def beyond_the_included_attempts(ops: Ops, case: AttemptCase) -> Any:  # noqa: ANN401, ARG001  # a mask
    """R15: this attempt comes after every attempt the program price includes (in force)."""
    included = case.policy.attempts_included
    if case.prices is None or included is None or not retake_fee_in_force(case.policy, case.prices):
        return False
    return case.taken >= included


def _retake_fee(case: AttemptCase) -> Decision:
    assert case.prices is not None  # noqa: S101  # explanations are one candidate's
    policy, on = case.policy, case.on
    number, included = case.taken + 1, case.policy.attempts_included
    counted = "1 attempt" if included == 1 else f"{included} attempts"
    covered = "attempt 1" if included == 1 else f"attempts 1 to {included}"
    return decision(
        rule_id="R15",
        verdict="fee",
        policy=policy.label,
        fee=case.prices.retake_fee,
        figures=policy.figures("attempts_included", "max_exam_attempts"),
        dates=(("attempt", on),),
        reason=priced(
            case.prices,
            lambda: (
                f"attempt {number} on {on} is a retake beyond the {counted} the program "
                "price includes: it pays the retake fee"
            ),
        ),
        alternatives=(f"included: the program price covers {covered} only",),
    )


RETAKE_FEE: Final[Precedence[AttemptCase, Decision]] = check_precedence(
    "does this attempt pay the retake fee?",
    (
        (
            "R15",
            Case(
                verdicts=("fee",),
                when=beyond_the_included_attempts,
                fees=("retake_fee",),
                explain=_retake_fee,
            ),
        ),
    ),
)
"""R15: an attempt taken beyond those the program price includes pays the retake fee.

No row answers an included attempt, or one under a policy or price schedule that
puts the fee out of force: there is then no decision at all.
"""


def retake_fee(case: AttemptCase) -> Decision | None:
    """R15: the retake fee the attempt ``case`` (one candidate's, with prices) pays, or ``None``."""
    return explained(RETAKE_FEE, case)


def certifies(ops: Ops, case: AttemptCase) -> Any:  # noqa: ANN401, ARG001  # a mask
    """R16: an attempt taken and passed certifies, on its day."""
    return case.passed


def _certifies(case: AttemptCase) -> Decision:
    return certified(case.policy, case.on)


def _fails(case: AttemptCase) -> Decision:
    return attempt_failed(case.policy, case.taken + 1, case.closes)


ATTEMPT_OUTCOME: Final[Precedence[AttemptCase, Decision]] = check_precedence(
    "what does an attempt taken answer?",
    (
        ("R16", Case(verdicts=("certified",), when=certifies, explain=_certifies)),
        ("R15", Case(verdicts=("failed",), explain=_fails)),
    ),
)
"""R16, R15: an attempt taken (no refusal holds) certifies when passed, else it fails.

The journey explains the row that answers (after R14's ``in_window``); the batch
path reads each attempt's verdict and rule from the same rows.
"""


def attempts_read_modules(policy: Policy) -> bool:
    """Whether an attempt's answer depends on the prework modules under ``policy`` (R8)."""
    return policy.modules_required_for_exam and policy.module_count > 0


def record_attendance(journey: JourneyFacts, event: RecordAttendance, day: dt.date) -> Handled:  # noqa: ARG001  # every handler is given the day
    """Attendance: the exam is released (R12, R13), or a no-show forfeits, or an absence cancels."""
    session = journey.session
    assert session is not None  # noqa: S101  # registered states
    if not attendance_recordable(SCALAR, event.on, session.first_day):
        raise Refusal.too_early(
            "R12", session.first_day, "attendance is recorded from the practicum's first day,"
        )
    policy = journey.policy
    kind = event.attendance
    state = state_after_attendance(kind)
    if state is State.CANCELLED:  # no row of ATTENDANCE_OUTCOME answers an absence with notice
        decisions, until = cancellation_decisions(journey, event.on)
        return Handled(
            changes={
                "state": state,
                "attendance": kind,
                "cancelled_on": event.on,
                "credit_until": until,
            },
            decisions=decisions,
        )
    # The decision is the table's own (ATTENDANCE_OUTCOME), as the batch path reads it:
    # R13 released, or R26 forfeited.
    case = AttendanceCase(policy, ATTENDANCE_PLACES[kind], session, journey.prices)
    decided = explained(ATTENDANCE_OUTCOME, case)
    assert decided is not None  # noqa: S101  # a row answers every attendance that does not cancel
    if state is State.FORFEITED:
        return Handled(changes={"state": state, "attendance": kind}, decisions=(decided,))
    advisories = (
        *attendance_advisories(kind),
        *unfinished_modules_advisory(journey, "at the practicum"),
    )
    # Positional (changes, decisions, advisories), as every handler answers.
    return Handled({"state": state, "attendance": kind}, (decided,), advisories)


def attempt_exam(journey: JourneyFacts, event: AttemptExam, day: dt.date) -> Handled:  # noqa: ARG001  # every handler is given the day
    """An exam attempt: refused unless R8 and R13-R15 allow it; a pass certifies (R16)."""
    policy = journey.policy
    session = journey.session
    assert session is not None  # noqa: S101  # attended implies a session
    opens = exam_opens(policy, session.last_day)
    taken = journey.attempts
    on, passed = event.on, event.passed
    # Positional (policy, on, opens, closes, taken, completed, passed, prices): by
    # keyword it cost twice as much.
    case = AttemptCase(
        policy,
        on,
        opens,
        exam_closes(policy, opens, first_day=session.first_day),
        len(taken),
        len(journey.modules_completed),
        passed,
        journey.prices,
    )
    refusal = refusal_in(ATTEMPT_REFUSALS, case)
    if refusal is not None:
        raise refusal
    number = case.taken + 1
    window = in_window(policy, number, on, opens, case.closes)
    attempts = (*taken, ExamAttempt(on=on, passed=passed))
    advisories = unfinished_modules_advisory(journey, "at the exam")
    # Last among the attempt's decisions: the answers the attempt gave before keep their
    # places, so a diff shows the fee as the one answer that moved.
    paid = retake_fee(case)
    fees = () if paid is None else (paid,)
    charged = () if paid is None else charges(paid, "the retake fee")
    outcome = explained(ATTEMPT_OUTCOME, case)
    assert outcome is not None  # noqa: S101  # the table's last row always answers
    # Positional (changes, decisions, advisories, effects), as every handler answers.
    if not certifies(SCALAR, case):
        return Handled({"attempts": attempts}, (window, outcome, *fees), advisories, charged)
    period = period_from(on, policy)
    return Handled(
        {
            "state": State.CERTIFIED,
            "attempts": attempts,
            "certification_date": on,
            "periods": (period,),
        },
        (window, outcome, period_started(policy, period), *fees),
        advisories,
        (*PASS_EFFECTS, *charged),
    )


class ExamStatusCase(NamedTuple):
    """Where an attended journey stands on ``day`` (R14), for one candidate or many.

    ``closes`` is the exam window's last day (:func:`exam_closes`) of the session
    attended.
    """

    policy: Policy
    day: Any
    closes: Any

    @classmethod
    def of(cls, ops: Ops, policy: Policy, day: Any, closes: Any) -> ExamStatusCase:  # noqa: ANN401, ARG003
        """The facts for ``day``, from the one date an engine holds: the window's last day."""
        return cls(policy, day, closes)


def _window_closed(ops: Ops, case: ExamStatusCase) -> Any:  # noqa: ANN401, ARG001  # a mask
    return case.day > case.closes


def _explain_window_closed(case: ExamStatusCase) -> str:
    return f"the exam window closed on {case.closes} without a pass"


def _explain_window_open(case: ExamStatusCase) -> str:
    return f"the exam can be taken until {case.closes}"


EXAM_STATUS: Final[Precedence[ExamStatusCase, str]] = check_precedence(
    "where does an attended journey stand?",
    (
        (
            "R14",
            Case(
                verdicts=(str(State.EXAM_EXPIRED),),
                when=_window_closed,
                explain=_explain_window_closed,
            ),
        ),
        ("R14", Case(verdicts=(str(State.ATTENDED),), explain=_explain_window_open)),
    ),
)
"""R14: an attended journey's state on a day: the exam window closed without a pass
(the derived ``exam_expired``), else still attended with the window open.

Each verdict is a state; the explanation is the status's reason. The journey asks it
in :meth:`~cptm_rules.lifecycle.Journey.status_on`, the batch path for a cohort.
"""


def exam_expired_since(ops: Ops, case: ExamStatusCase) -> Any:  # noqa: ANN401  # a day or days
    """R14: the first day of ``exam_expired``: the day after the window's last day."""
    return ops.days_after(case.closes, 1)


EXAM_STATUS_SINCE: Final[Mapping[str, Callable[[Ops, ExamStatusCase], Any]]] = {
    str(State.EXAM_EXPIRED): exam_expired_since,
}
"""Per derived state of :data:`EXAM_STATUS`, the formula of the day it began."""


ATTENDANCE_PLACES: Final = {kind: place for place, kind in enumerate(Attendance)}
"""Each attendance's place in ``Attendance``: how an :class:`AttendanceCase` names it."""
_KINDS: Final = tuple(Attendance)  # a place's attendance, without iterating the enum per call


def _places(kinds: frozenset[Attendance]) -> tuple[int, ...]:
    return tuple(sorted(ATTENDANCE_PLACES[kind] for kind in kinds))


# Worked out once: the journey asks these masks on every attendance it records.
_RELEASING_PLACES: Final = _places(RELEASING_ATTENDANCE)
_NO_NOTICE_PLACES: Final = _places(frozenset({Attendance.ABSENT_WITHOUT_NOTICE}))
_PARTIAL_PLACES: Final = _places(frozenset({Attendance.PARTIAL}))


class AttendanceCase(NamedTuple):
    """What the rules on a recorded attendance compare (R12, R13, R26), for one or many.

    ``kind`` is the attendance's place in ``Attendance`` (:data:`ATTENDANCE_PLACES`);
    ``session`` and ``prices`` are one candidate's, for the explanation (the batch
    path leaves them ``None``).
    """

    policy: Policy
    kind: Any
    session: Session | None = None
    prices: PriceSchedule | None = None


def _kind_in(case: AttendanceCase, places: tuple[int, ...]) -> Any:  # noqa: ANN401  # a mask
    mask = case.kind < 0  # nowhere yet, in the shape of the facts
    for place in places:
        mask = mask | (case.kind == place)
    return mask


def releases(ops: Ops, case: AttendanceCase) -> Any:  # noqa: ANN401, ARG001  # a mask
    """R12, R13: the attendance releases the exam (in full or in part)."""
    return _kind_in(case, _RELEASING_PLACES)


def _no_notice(ops: Ops, case: AttendanceCase) -> Any:  # noqa: ANN401, ARG001
    return _kind_in(case, _NO_NOTICE_PLACES)


def partly_attended(ops: Ops, case: AttendanceCase) -> Any:  # noqa: ANN401, ARG001  # a mask
    """R12: part of the live session was missed (an advisory, never a bar)."""
    return _kind_in(case, _PARTIAL_PLACES)


def _explain_released(case: AttendanceCase) -> Decision:
    assert case.session is not None  # noqa: S101  # explanations are one candidate's
    return exam_released(case.policy, _KINDS[int(case.kind)], case.session)


def _explain_forfeited(case: AttendanceCase) -> Decision:
    assert case.prices is not None  # noqa: S101  # explanations are one candidate's
    return no_show(case.policy, case.prices)


ATTENDANCE_OUTCOME: Final[Precedence[AttendanceCase, Decision]] = check_precedence(
    "what does a recorded attendance answer?",
    (
        ("R13", Case(verdicts=("attended",), when=releases, explain=_explain_released)),
        (
            "R26",
            Case(
                verdicts=("forfeited",),
                when=_no_notice,
                fees=("program_price",),
                explain=_explain_forfeited,
            ),
        ),
    ),
)
"""R13, R26: attended in full or in part releases the exam; absent without notice forfeits
the course price. No row answers an absence with written notice: that is a cancellation
on the attendance day (``cancellation.CANCELLATION_OUTCOME``, then R25's credit).

The batch path reads each attendance's first decision from these rows, as
:func:`record_attendance` decides it.
"""


def modules_unfinished(ops: Ops, policy: Policy, done: Any) -> Any:  # noqa: ANN401, ARG001  # a mask
    """R8: fewer prework modules are complete than the policy has (a warning, by default)."""
    return done < policy.module_count
