"""The prework: modules, assessments and the time to take them (R5-R8).

The rules of this family are declared here (:data:`RULES`) beside the functions
that decide them, and the handling of the prework events (:func:`open_elearning`,
:func:`complete_module`, :func:`record_assessment`): each answers a
:class:`~cptm_rules.types.Handled` that the journey (:mod:`cptm_rules.lifecycle`)
applies, and refuses a module that does not exist or is done (R5). The journey
warns with R8 at the practicum and the exam, and refuses an attempt while modules
are unfinished when the policy requires them (R8). R6's recommended start is a key
date of the journey.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, NamedTuple, overload

import attrs

from cptm_rules.declarations import (
    Q_ASSESSMENTS,
    Q_MODULE_TIME,
    Q_PASS_RATE,
    Citation,
    Document,
    Rule,
    RuleKind,
    faq,
)
from cptm_rules.exceptions import InvalidInputError
from cptm_rules.figures import (
    Deadline,
    DeadlineSpec,
    Shorthand,
    deadline,
    figure,
    hours,
    read_as_before,
    whole,
    yes_no,
)
from cptm_rules.formulas import (
    SCALAR,
    Case,
    Ops,
    Precedence,
    check_precedence,
    deadline_before,
    explained,
)
from cptm_rules.rules._build import advisory, decision, refusal_in, refused_outside_a_journey
from cptm_rules.types import Handled, Refusal
from cptm_rules.vocabulary import DeadlineUnit, Severity

if TYPE_CHECKING:
    from cptm_rules.events import CompleteModule, OpenElearning, RecordAssessment
    from cptm_rules.outcomes import Advisory, Decision
    from cptm_rules.policy import Policy
    from cptm_rules.types import JourneyFacts

__all__ = [
    "ASSESSMENT_OUTCOME",
    "ASSESSMENT_REFUSALS",
    "MODULE_OUTCOME",
    "MODULE_REFUSALS",
    "RULES",
    "UNFINISHED_MODULES",
    "AssessmentCase",
    "AssessmentResult",
    "ModuleCase",
    "PreworkFees",
    "PreworkFigures",
    "assessment_recorded",
    "check_module",
    "complete_module",
    "module_complete",
    "open_elearning",
    "prework_start",
    "recommended_prework_start",
    "record_assessment",
    "unfinished_modules_advisory",
]


_PREWORK_RECOMMENDED: Final = DeadlineSpec(
    what="the recommended prework time, R6",
    units=((DeadlineUnit.CALENDAR_DAYS, 0, 3650), (DeadlineUnit.BUSINESS_DAYS, 0, 2600)),
    shorthands=(Shorthand(name="prework_recommended_days", unit=DeadlineUnit.CALENDAR_DAYS),),
)
"""R6: counted back from the practicum's first day, in calendar or business days."""


@attrs.frozen(kw_only=True, slots=False)
class PreworkFigures:
    """The figures R5, R6 and R8 read, under ``[prework]`` in policy files.

    Part of :class:`~cptm_rules.policy.Policy`: a figure declared here is read from
    policy files, checked, cited and shown like every other.
    """

    module_count: int = figure("prework", "R5", whole(1, 100))
    module_hours_min: Decimal = figure("prework", "R5", hours(1000), shown_only=True)
    module_hours_max: Decimal = figure("prework", "R5", hours(1000), shown_only=True)
    prework_recommended: Deadline = deadline("prework", "R6", _PREWORK_RECOMMENDED)
    """R6: ``prework_recommended = { amount = 42, unit = "calendar_days" }``, or the older
    ``prework_recommended_days``."""
    modules_required_for_exam: bool = figure("prework", "R8", yes_no)

    prework_recommended_days = read_as_before("prework_recommended", "prework_recommended_days")


@attrs.frozen(kw_only=True, slots=False)
class PreworkFees:
    """The amounts the prework rules charge: none so far.

    Part of :class:`~cptm_rules.pricing.PriceSchedule`: an amount declared here is
    read from price schedule files (or ``"unknown"``) like every other.
    """


RULES: Final = (
    Rule(
        id="R5",
        verdicts=(
            "module_complete",
            "refused",
        ),
        exercised_by="a candidate who completes prework modules",
        title="{prework.module_count:Word} module{prework.module_count:s} with an assessment each",
        kinds=(RuleKind.REQUIREMENT, RuleKind.FACT),
        statement=(
            "The prework consists of {prework.module_count} modules, each closed by an "
            "assessment. For planning, the program expects {prework.module_hours_min} to "
            "{prework.module_hours_max} hours a module."
        ),
        sources=(
            faq(Q_MODULE_TIME),
            faq(Q_ASSESSMENTS),
            Citation(document=Document.OLDER_FAQ, locator="2 to 4 hours a module"),
        ),
    ),
    Rule(
        id="R6",
        verdicts=("advisory",),
        exercised_by=(
            "a registration or a change fewer than the recommended prework days before the "
            "practicum"
        ),
        title="{prework.prework_recommended:Weeks} for the prework",
        kinds=(RuleKind.ADVISORY,),
        statement=(
            "A practicum that starts fewer than {prework.prework_recommended} "
            "after registration leaves less prework time than the program recommends: "
            "allowed, with a warning."
        ),
        sources=(
            faq(Q_MODULE_TIME),
            Citation(document=Document.OLDER_FAQ, locator="four weeks for the 10 modules"),
        ),
    ),
    Rule(
        id="R7",
        verdicts=(
            "assessment_passed",
            "assessment_failed",
        ),
        exercised_by="a candidate whose module assessments are recorded, passed or failed",
        title="Assessments are not a gate",
        kinds=(RuleKind.REQUIREMENT,),
        statement=(
            "A failed or skipped module assessment never blocks completing the module, the "
            "practicum, the exam or the credential."
        ),
        sources=(faq(Q_ASSESSMENTS),),
    ),
    Rule(
        id="R8",
        verdicts=(
            "advisory",
            "refused",
        ),
        exercised_by="a candidate who attends or sits the exam with prework modules unfinished",
        title="Module completion is not a gate by default",
        kinds=(RuleKind.POLICY_SWITCH,),
        statement=(
            "By default a candidate who reaches the practicum or the exam with modules "
            "unfinished gets an advisory, not an error, since the FAQ's pass-rate answer "
            "implies the exam can be taken without them. A policy flag makes completing all "
            "modules a hard requirement for the exam."
        ),
        sources=(faq(Q_PASS_RATE), faq(Q_MODULE_TIME)),
    ),
)
"""The rules R5, R6, R7, R8."""


@attrs.frozen(kw_only=True)
class AssessmentResult:
    """One module assessment's result (R7: recorded, never a gate)."""

    module: int
    passed: bool
    on: dt.date


def open_elearning(journey: JourneyFacts, event: OpenElearning, day: dt.date) -> Handled:  # noqa: ARG001  # a handler's signature
    """The candidate opens the eLearning: the first opening is kept (R24 reads it)."""
    return Handled({"elearning_opened_on": journey.elearning_opened_on or event.on})


# -- modules and assessments, written once for one candidate or many (see formulas) ----


class ModuleCase(NamedTuple):
    """What R5 compares on a module completed, for one candidate or many."""

    policy: Policy
    module: Any
    """the module's number."""
    already: Any
    """whether that module is complete already (a mask)."""
    done: Any = None
    """how many modules are complete once this one is (the journey's explanation)."""
    event: CompleteModule | None = None
    """the event (the journey's explanation; the batch path never explains)."""


class AssessmentCase(NamedTuple):
    """What R5 and R7 compare on an assessment recorded, for one candidate or many."""

    policy: Policy
    module: Any
    passed: Any
    event: RecordAssessment | None = None
    """the event (the journey's explanation; the batch path never explains)."""


def _beyond_the_prework(ops: Ops, case: ModuleCase | AssessmentCase) -> Any:  # noqa: ANN401, ARG001  # a mask
    return case.module > case.policy.module_count


def _already_complete(ops: Ops, case: ModuleCase) -> Any:  # noqa: ANN401, ARG001
    return case.already


def _no_such_module(case: ModuleCase | AssessmentCase) -> Refusal:
    count = case.policy.module_count
    return Refusal.because(
        None, f"module {case.module} does not exist: the prework has modules 1 to {count}"
    )


def _complete_already(case: ModuleCase) -> Refusal:
    return Refusal.because(None, f"module {case.module} is already complete")


MODULE_REFUSALS: Final[Precedence[ModuleCase, Refusal]] = check_precedence(
    "may this module be completed?",
    (
        ("R5", Case(verdicts=("refused",), when=_beyond_the_prework, explain=_no_such_module)),
        ("R5", Case(verdicts=("refused",), when=_already_complete, explain=_complete_already)),
    ),
)
"""R5: a module the prework has, completed once."""

ASSESSMENT_REFUSALS: Final[Precedence[AssessmentCase, Refusal]] = check_precedence(
    "may this assessment be recorded?",
    (("R5", Case(verdicts=("refused",), when=_beyond_the_prework, explain=_no_such_module)),),
)
"""R5: an assessment of a module the prework has (recorded as often as it is taken)."""


def _completes(case: ModuleCase) -> Decision:
    assert case.event is not None  # noqa: S101  # the journey explains, with its event
    return module_complete(case.policy, case.event, case.done)


MODULE_OUTCOME: Final[Precedence[ModuleCase, Decision]] = check_precedence(
    "what does a module completed answer?",
    (("R5", Case(verdicts=("module_complete",), explain=_completes)),),
)
"""R5: a module allowed is complete."""


def _failed(ops: Ops, case: AssessmentCase) -> Any:  # noqa: ANN401  # an index into the verdicts
    return ops.where(case.passed, 0, 1)


def _recorded(case: AssessmentCase) -> Decision:
    assert case.event is not None  # noqa: S101  # the journey explains, with its event
    return assessment_recorded(case.policy, case.event)


ASSESSMENT_OUTCOME: Final[Precedence[AssessmentCase, Decision]] = check_precedence(
    "what does an assessment recorded answer?",
    (
        (
            "R7",
            Case(
                verdicts=("assessment_passed", "assessment_failed"),
                which=_failed,
                explain=_recorded,
            ),
        ),
    ),
)
"""R7: an assessment is passed or failed, and recorded either way (never a gate)."""


def check_module(policy: Policy, module: int, *, event: str = "CompleteModule") -> None:
    """R5: refuse a module the prework does not have.

    The check a journey makes of a module assessed (of one completed, it also
    refuses a module already complete), for callers outside a journey: it raises
    :class:`~cptm_rules.exceptions.RuleViolationError` for ``event`` (the event's
    name its message gives, with no state, as :func:`~cptm_rules.lifecycle.judge_change`
    does) and returns nothing when the module exists. ``module`` is a whole number
    from 1, as a :class:`~cptm_rules.events.CompleteModule` holds; anything else is
    an :class:`~cptm_rules.exceptions.InvalidInputError` before the rule is asked.
    """
    if type(module) is not int or module < 1:
        raise InvalidInputError("module", module, "a whole number >= 1")
    refusal = refusal_in(
        ASSESSMENT_REFUSALS, AssessmentCase(policy=policy, module=module, passed=True)
    )
    if refusal is not None:
        raise refused_outside_a_journey(refusal, event)


_built: Final = tuple.__new__
"""A named tuple from every one of its fields, in order, in one C call.

The events a journey has most of (a module) build their case and their
``Handled`` this way: a named tuple's own ``__new__`` is a Python function that
names and defaults the fields, and costs as much again.
"""


def complete_module(journey: JourneyFacts, event: CompleteModule, day: dt.date) -> Handled:  # noqa: ARG001  # a handler's signature
    """R5: a module is completed, once; completing one opens the eLearning if it was not."""
    policy, module, completed = journey.policy, event.module, journey.modules_completed
    done = completed | {module}
    # Every field, in order: policy, module, already, done, event (see _built).
    case = _built(ModuleCase, (policy, module, module in completed, len(done), event))
    refusal = refusal_in(MODULE_REFUSALS, case)
    if refusal is not None:
        raise refusal
    decided = explained(MODULE_OUTCOME, case)
    assert decided is not None  # noqa: S101  # the table's last row always answers
    changes = {
        "modules_completed": done,
        "elearning_opened_on": journey.elearning_opened_on or event.on,
    }
    # changes, decisions, advisories, effects.
    return _built(Handled, (changes, (decided,), (), ()))


def record_assessment(journey: JourneyFacts, event: RecordAssessment, day: dt.date) -> Handled:  # noqa: ARG001  # a handler's signature
    """R7: an assessment's result is recorded, passed or failed, and gates nothing."""
    policy = journey.policy
    # Positional (policy, module, passed, event), as every case a handler builds.
    case = AssessmentCase(policy, event.module, event.passed, event)
    refusal = refusal_in(ASSESSMENT_REFUSALS, case)
    if refusal is not None:
        raise refusal
    result = AssessmentResult(module=event.module, passed=event.passed, on=event.on)
    decided = explained(ASSESSMENT_OUTCOME, case)
    assert decided is not None  # noqa: S101  # the table's one row always answers
    return Handled({"assessments": (*journey.assessments, result)}, (decided,))


UNFINISHED_MODULES: Final = (("R8",), Severity.WARNING)
"""R8: the rules and severity of the unfinished-modules advisory (a cohort's columns name them)."""


def unfinished_modules_advisory(journey: JourneyFacts, when: str) -> tuple[Advisory, ...]:
    """R8: a warning when prework modules are unfinished at the practicum or the exam."""
    done, count = len(journey.modules_completed), journey.policy.module_count
    if done >= count:
        return ()
    rule_ids, severity = UNFINISHED_MODULES
    return (
        advisory(
            rule_ids=rule_ids,
            severity=severity,
            message=lambda: (
                f"{count - done} of {count} prework modules unfinished {when}; the "
                "pass rate quoted by the program is for candidates who complete them"
            ),
        ),
    )


def module_complete(policy: Policy, event: CompleteModule, done: int) -> Decision:
    """R5: a module is complete; ``done`` of the policy's modules are."""
    count = policy.module_count
    return decision(
        rule_id="R5",
        verdict="module_complete",
        policy=policy.label,
        reason=lambda: (
            f"module {event.module} complete on {event.on}: {done} of {count} modules done"
        ),
        figures=policy.figures("module_count"),
    )


def assessment_recorded(policy: Policy, event: RecordAssessment) -> Decision:
    """R7: an assessment is recorded, passed or failed, and never blocks a later step."""
    verdict = "passed" if event.passed else "failed"
    return decision(
        rule_id="R7",
        verdict=f"assessment_{verdict}",
        policy=policy.label,
        reason=lambda: (
            f"the assessment of module {event.module} was {verdict} on "
            f"{event.on}; assessments are recorded and never block a later step"
        ),
    )


@overload
def recommended_prework_start(
    policy: Policy, registered_on: dt.date, first_day: dt.date
) -> dt.date: ...
@overload
def recommended_prework_start(
    policy: Policy,
    registered_on: Any,  # noqa: ANN401
    first_day: Any,  # noqa: ANN401
    *,
    ops: Ops,
) -> Any: ...  # noqa: ANN401
def recommended_prework_start(
    policy: Policy, registered_on: Any, first_day: Any, *, ops: Ops = SCALAR
) -> Any:
    """R6: the recommended lead time before the first day, or the registration day if later."""
    recommended = deadline_before(ops, policy.calendar, policy.prework_recommended, first_day)
    return ops.later_of(registered_on, recommended)


def prework_start(
    policy: Policy, registered_on: dt.date, first_day: dt.date
) -> tuple[dt.date, str]:
    """R6: when to start the prework for a practicum starting ``first_day``, and how to say it.

    The recommended lead time before the first day; a registration made later
    than that starts now.
    """
    lead = policy.prework_recommended.words()
    recommended = deadline_before(SCALAR, policy.calendar, policy.prework_recommended, first_day)
    if recommended_prework_start(policy, registered_on, first_day) == recommended:
        return recommended, f"start the prework by this day ({lead} before the practicum)"
    return registered_on, (
        f"start the prework now: the recommended {lead} before the practicum "
        f"({recommended}) had already passed at registration"
    )
