"""Statements whose words follow their figures, not only their numbers.

A statement template (:class:`~cptm_rules.declarations.Rule`) puts a figure where its
number goes. Some figures change the sentence around the number too: one free change
*is* free where two *are*; a grace period of no days is no grace period; a deadline
counted in calendar days is not counted on a business calendar; the FAQ is quoted
only where the policy keeps its figure. A :class:`WordedRule` marks each such place
of its statement with a slot (``<grace>``) and declares a :class:`Phrase` for it: the
cases the figures make, each with its words, themselves a template with placeholders
like the statement's.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

import attrs

from cptm_rules.declarations import Rule

if TYPE_CHECKING:
    from cptm_rules.policy import Policy  # noqa: TC004  # policy.py imports the families
    from cptm_rules.pricing import PriceSchedule  # noqa: TC004  # idem

__all__ = ["Phrase", "WordedRule"]

_SLOT: Final = re.compile(r"<([a-z_]+)>")


@attrs.frozen(kw_only=True)
class Phrase:
    """The words of one slot of a statement: one wording for each case the figures make."""

    slot: str
    """The slot's name: the statement holds it as ``<slot>``."""
    case: Callable[[Policy, PriceSchedule], str]
    """Which case a policy and a price schedule make: one of :attr:`wordings`' names."""
    wordings: tuple[tuple[str, str], ...]
    """Each case's name and its words, a template like the statement's (may be empty)."""

    def words_under(self, policy: Policy, prices: PriceSchedule) -> str:
        """The wording of the case ``policy`` and ``prices`` make."""
        case = self.case(policy, prices)
        for name, words in self.wordings:
            if name == case:
                return words
        names = ", ".join(name for name, _words in self.wordings)
        msg = f"phrase <{self.slot}> has no wording for the case {case!r}; its cases are {names}"
        raise ValueError(msg)


@attrs.frozen(kw_only=True)
class WordedRule(Rule):
    """A rule whose statement has slots, each filled by the wording its figures call for.

    :attr:`~cptm_rules.declarations.Rule.template` holds the slots (``<grace>``);
    :meth:`statement_under` fills each with its :class:`Phrase`'s wording and then
    renders the figures. :attr:`figure_keys` counts the figures of every wording.
    """

    phrases: tuple[Phrase, ...]

    def __attrs_post_init__(self) -> None:
        """Refuse a slot without a phrase, and a phrase without its slot (a typo either way)."""
        slots = _SLOT.findall(self.template)
        declared = [p.slot for p in self.phrases]
        if sorted(slots) != sorted(declared):
            msg = f"{self.id}: the statement's slots {slots} are not its phrases {declared}"
            raise ValueError(msg)

    @property
    def figure_keys(self) -> tuple[str, ...]:
        """The figures the title and the statement show, in any of its wordings."""
        every = "\n".join(words for p in self.phrases for _case, words in p.wordings)
        return self._plain(f"{self.template}\n{every}").figure_keys

    @property
    def templates(self) -> tuple[str, ...]:
        """Every template the statement can be: one for each combination of cases."""
        choices = [p.wordings for p in self.phrases]
        found = (
            _filled(
                self.template,
                {
                    p.slot: words
                    for p, (_case, words) in zip(self.phrases, combination, strict=True)
                },
            )
            for combination in itertools.product(*choices)
        )
        return tuple(dict.fromkeys(found))

    def template_under(self, policy: Policy, prices: PriceSchedule) -> str:
        """The statement's template with the wording ``policy`` and ``prices`` call for."""
        return _filled(self.template, {p.slot: p.words_under(policy, prices) for p in self.phrases})

    def statement_under(
        self, policy: Policy | None = None, prices: PriceSchedule | None = None
    ) -> str:
        """The statement in the words and with the figures of ``policy`` and ``prices``."""
        chosen, schedule = self.chosen(policy, prices)
        plain = self._plain(self.template_under(chosen, schedule))
        return plain.statement_under(chosen, schedule)

    def _plain(self, template: str) -> Rule:
        """This rule as a plain one whose statement is ``template``."""
        return Rule(
            id=self.id,
            title=self.title_template,
            kinds=self.kinds,
            statement=template,
            sources=self.sources,
        )


def _filled(template: str, words: dict[str, str]) -> str:
    """``template`` with each slot replaced by its words."""
    return _SLOT.sub(lambda m: words[m.group(1)], template)
