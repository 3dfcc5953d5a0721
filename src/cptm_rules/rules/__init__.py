"""The rules, by family: each module declares its rules beside the code that decides them.

========================  ==============  ===================================================
module                    rules           what it holds beside the declarations
========================  ==============  ===================================================
``registration``          R1-R4           the access due time and verdict, lead-time advice,
                                          the session check; handles ``Register``,
                                          ``GrantAccess``
``prework``               R5-R8           module and assessment decisions, the prework start;
                                          handles ``OpenElearning``, ``CompleteModule``,
                                          ``RecordAssessment``
``practicum_changes``     R9-R11a         the deadline and ``CHANGE_FEE_PRECEDENCE``;
                                          handles ``RequestChange``
``exam``                  R12-R16         release, the window, retakes, what a pass brings;
                                          handles ``RecordAttendance``, ``AttemptExam``
``certification``         R17-R20         the period, the one count of qualifying hours, the
                                          one renewal test, the ledger; handles
                                          ``RecordActivity``, ``PayRenewalFee``
``pricing``               R21-R23         who may have which discount
``cancellation``          R24-R27         refunds, tuition credit, no-shows, substitution;
                                          handles ``Cancel``, ``ReEnroll``, ``Substitute``
========================  ==============  ===================================================

A family handles an event with a function ``(journey, event, day) -> Handled``
(:class:`~cptm_rules.types.Handled`), reading the journey as
:class:`~cptm_rules.types.JourneyFacts` and raising
:class:`~cptm_rules.types.Refusal` when a rule forbids the event.
:mod:`cptm_rules.lifecycle` is the state machine that applies them: which event
may happen in which state (``MOVES``), what a journey keeps, and the refusals
(a family's refusal becomes the caller's error there, naming the rule and the
events allowed). ``docs/rules.md``
lists, for each rule, the functions that decide it and the tests that exercise it.
"""

from __future__ import annotations

from typing import Final

from cptm_rules.rules import (
    cancellation,
    certification,
    exam,
    practicum_changes,
    prework,
    pricing,
    registration,
)

__all__ = ["ALL_RULES", "FAMILIES"]

FAMILIES: Final = (
    registration,
    prework,
    practicum_changes,
    exam,
    certification,
    pricing,
    cancellation,
)
"""The family modules, in rule order."""

ALL_RULES: Final = tuple(r for family in FAMILIES for r in family.RULES)
"""Every rule of every family, in rule order."""

_ids = [r.id for r in ALL_RULES]
if len(set(_ids)) != len(_ids):  # pragma: no cover  # a rule declared in two families
    msg = f"a rule id is declared twice: {sorted(i for i in _ids if _ids.count(i) > 1)}"
    raise ImportError(msg)
