"""Figures the FAQ states that are worth exposing but decide nothing (kind "fact").

The prework effort of R5 depends on the policy version and lives on
:class:`~cptm_rules.policy.Policy` (``total_hours_min``, ``total_hours_max``).

>>> from cptm_rules.facts import FACTS
>>> print(FACTS["employer_support_share"])
R23 employer_support_share = 4/5: four out of five CPTMs have their employer's support
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Final

import attrs

from cptm_rules.declarations import Q_FUNDING, Q_PASS_RATE, Citation, Document

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["FACTS", "Fact"]


@attrs.frozen(kw_only=True)
class Fact:
    """A sourced figure."""

    rule_id: str
    name: str
    value: Fraction
    statement: str
    source: Citation
    lower_bound: bool = False
    """True when the source gives the figure as "over" this value."""

    def __str__(self) -> str:
        """Render as ``R23 name = value: statement``."""
        over = "over " if self.lower_bound else ""
        return f"{self.rule_id} {self.name} = {over}{self.value}: {self.statement}"


FACTS: Final[Mapping[str, Fact]] = {
    fact.name: fact
    for fact in (
        Fact(
            rule_id="R16",
            name="exam_pass_rate",
            value=Fraction(85, 100),
            lower_bound=True,
            statement="pass rate of candidates who complete the modules and the practicum",
            source=Citation(document=Document.FAQ, locator=Q_PASS_RATE),
        ),
        Fact(
            rule_id="R23",
            name="employer_support_share",
            value=Fraction(4, 5),
            statement="four out of five CPTMs have their employer's support",
            source=Citation(document=Document.FAQ, locator=Q_FUNDING),
        ),
    )
}
"""The program's facts by name."""
