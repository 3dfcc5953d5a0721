"""The rules, by family: each module declares its rules beside the code that decides them.

========================  ==============  =====================================================
module                    rules           decided by
========================  ==============  =====================================================
``registration``          R1-R4           its functions, applied by the journey on registering
``prework``               R5-R8           its functions, applied on prework events
``practicum_changes``     R9-R11a         :data:`CHANGE_FEE_PRECEDENCE` and R11's checks
``exam``                  R12-R16         its functions, applied on attendance and attempts
``certification``         R17-R20         its functions with :mod:`cptm_rules.recertification`
``pricing``               R21-R23         :mod:`cptm_rules.pricing` and :mod:`cptm_rules.facts`
``cancellation``          R24-R27         its functions, applied on cancellation and transfer
========================  ==============  =====================================================

:mod:`cptm_rules.lifecycle` is the state machine that applies them: which event
may happen in which state (``MOVES``) and what a journey keeps.
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
