"""What a diff counts: each answer row, and the tally of a chunk or of the whole cohort.

A :class:`Tally` keeps counts and the first few examples, never the cohort's rows,
merges with another in cohort order (:meth:`Tally.merge`) and turns into the
:class:`~cptm_rules.cohort.report.PolicyDiff` (:meth:`Tally.result`). Both engines
fill it: the journeys in :mod:`cptm_rules.cohort.tally`, the batch path in
:mod:`cptm_rules.cohort.batched`, which is why it lives below both.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, NamedTuple

from cptm_rules.cohort.report import AnswerDiff, PolicyDiff
from cptm_rules.rule_coverage import coverage_lines

if TYPE_CHECKING:
    from cptm_rules.cohort.answers import Answers, Exercised
    from cptm_rules.rule_coverage import FigureChange

__all__ = ["AnswerRow", "Tally", "rule_order"]


class AnswerRow(NamedTuple):
    """One answer of one candidate under both policies, as ``--output`` writes it."""

    candidate: str
    """The candidate's id."""
    answer: str
    """What is answered (``change 1``, ``key date access_due``, …)."""
    base: str
    """The answer under the base policy, as text (``fee 400.00 USD (R10)``)."""
    candidate_policy: str
    """The answer under the candidate policy."""
    changed: bool
    """Whether the two differ."""
    rules: str
    """The rules either answer cites, comma-separated."""


class Tally:
    """Counts of a diff so far: merged chunk by chunk, never holding the cohort's rows.

    With ``keep_rows``, a chunk's tally also keeps its answer rows, which the
    caller hands on (to ``on_rows``) and drops as soon as the chunk is merged.
    """

    def __init__(self, *, examples: int, keep_rows: bool = False) -> None:
        """An empty tally keeping ``examples`` examples per answer (and the rows, if asked)."""
        self.examples = examples
        self.rows: list[AnswerRow] | None = [] if keep_rows else None
        self.size = 0
        self.moved = 0
        self.changed: Counter[str] = Counter()
        self.compared: Counter[str] = Counter()
        self.per_rule: Counter[str] = Counter()
        self.cited: Counter[str] = Counter()
        self.base_pairs: Counter[tuple[str, str]] = Counter()
        self.candidate_pairs: Counter[tuple[str, str]] = Counter()
        self.rules_of: dict[str, set[str]] = {}
        self.moved_rules_of: dict[str, set[str]] = {}
        self.samples: dict[str, list[tuple[str, str, str]]] = {}

    def add(
        self,
        cid: str,
        before: Answers,
        after: Answers,
        before_pairs: Exercised = frozenset(),
        after_pairs: Exercised = frozenset(),
    ) -> None:
        """Count one candidate's answers on both sides, and what they exercised."""
        self.size += 1
        self.base_pairs.update(before_pairs)
        self.candidate_pairs.update(after_pairs)
        moved_rules: set[str] = set()
        cited: set[str] = set()
        for answer in sorted(before.keys() | after.keys()):
            old, old_rules = before.get(answer, ("absent", ()))
            new, new_rules = after.get(answer, ("absent", ()))
            self.compared[answer] += 1
            cited.update(old_rules, new_rules)
            self.rules_of.setdefault(answer, set()).update(old_rules, new_rules)
            if self.rows is not None:
                rules = ", ".join(sorted({*old_rules, *new_rules}, key=rule_order))
                self.rows.append(AnswerRow(cid, answer, old, new, old != new, rules))
            if old != new:
                self.changed[answer] += 1
                moved_rules.update(old_rules, new_rules)
                self.moved_rules_of.setdefault(answer, set()).update(old_rules, new_rules)
                kept = self.samples.setdefault(answer, [])
                if len(kept) < self.examples:
                    kept.append((cid, old, new))
        cited.update(rule for rule, _verdict in before_pairs | after_pairs)
        self.cited.update(cited)
        if moved_rules:
            self.moved += 1
            self.per_rule.update(moved_rules)

    def merge(self, other: Tally) -> None:
        """Add ``other``'s counts to these, and its examples while fewer are kept."""
        self.size += other.size
        self.moved += other.moved
        self.changed.update(other.changed)
        self.compared.update(other.compared)
        self.per_rule.update(other.per_rule)
        self.cited.update(other.cited)
        self.base_pairs.update(other.base_pairs)
        self.candidate_pairs.update(other.candidate_pairs)
        for answer, rules in other.rules_of.items():
            self.rules_of.setdefault(answer, set()).update(rules)
        for answer, rules in other.moved_rules_of.items():
            self.moved_rules_of.setdefault(answer, set()).update(rules)
        for answer, samples in other.samples.items():
            kept = self.samples.setdefault(answer, [])
            kept.extend(samples[: self.examples - len(kept)])
        if self.rows is not None and other.rows is not None:
            self.rows.extend(other.rows)

    def result(
        self, *, base: str, candidate: str, figures: tuple[FigureChange, ...] = ()
    ) -> PolicyDiff:
        """The diff these counts make, between the sides labelled ``base`` and ``candidate``."""
        answers = tuple(
            AnswerDiff(
                answer=a,
                changed=n,
                compared=self.compared[a],
                rule_ids=tuple(sorted(self.rules_of[a], key=rule_order)),
                moved_rule_ids=tuple(sorted(self.moved_rules_of.get(a, ()), key=rule_order)),
                examples=tuple(self.samples[a]),
            )
            for a, n in sorted(self.changed.items(), key=lambda item: (-item[1], item[0]))
        )
        rules = tuple(sorted(self.per_rule.items(), key=lambda item: rule_order(item[0])))
        return PolicyDiff(
            base=base,
            candidate=candidate,
            cohort_size=self.size,
            candidates_changed=self.moved,
            answers=answers,
            rules=rules,
            figures=figures,
            coverage=coverage_lines(self.base_pairs, self.candidate_pairs),
            exercised=tuple(sorted(self.cited.items(), key=lambda item: rule_order(item[0]))),
        )


def rule_order(rule_id: str) -> tuple[int, str]:
    """A rule id's place in reports: by its number, then its letter (``R11`` < ``R11a``)."""
    digits = "".join(c for c in rule_id if c.isdigit())
    return int(digits or 0), rule_id
