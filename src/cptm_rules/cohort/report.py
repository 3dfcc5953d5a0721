"""What a policy diff found: :class:`PolicyDiff`, its :class:`AnswerDiff` s, and their forms.

A diff reports which answers moved between two policies over a cohort, per answer
and per rule, with counts and examples; which figures differ and whether any
answer showed them; and which rules and verdicts the cohort exercised. It reads
as text (:meth:`PolicyDiff.report`), a pull-request comment
(:meth:`PolicyDiff.markdown`), a JUnit report (:meth:`PolicyDiff.junit_xml`) and
the stable JSON of ``docs/cli.md`` (:meth:`PolicyDiff.as_json`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import attrs

from cptm_rules.rule_coverage import CoverageLine, FigureChange, exercised_by

if TYPE_CHECKING:
    from collections.abc import Collection

__all__ = ["AnswerDiff", "PolicyDiff"]


@attrs.frozen(kw_only=True)
class AnswerDiff:
    """How one answer moved across the cohort."""

    answer: str
    changed: int
    compared: int
    rule_ids: tuple[str, ...]
    """Every rule this answer cited, for any candidate, moved or not."""
    examples: tuple[tuple[str, str, str], ...]
    """Up to three ``(candidate id, base answer, candidate answer)``."""
    moved_rule_ids: tuple[str, ...] = ()
    """The rules the answer cited where it moved: what ``--allow`` is judged against."""


@attrs.frozen(kw_only=True)
class PolicyDiff:
    """What changed between two policies over a cohort."""

    base: str
    candidate: str
    cohort_size: int
    candidates_changed: int
    answers: tuple[AnswerDiff, ...]
    """Only answers that changed for someone, most changed first."""
    rules: tuple[tuple[str, int], ...]
    """Per rule id, how many candidates had an answer under it change."""
    figures: tuple[FigureChange, ...] = ()
    """Every figure or price that differs between the two sides, with the rules reading it."""
    coverage: tuple[CoverageLine, ...] = ()
    """Every declared ``(rule, verdict)`` pair, with how many candidates had it under the
    base and under the candidate policy."""
    exercised: tuple[tuple[str, int], ...] = ()
    """Per rule id, how many candidates had an answer citing it (under either policy)."""

    def unobserved(self, allowed: Collection[str] = ()) -> tuple[FigureChange, ...]:
        """The figures that differ although no answer under any of their rules moved.

        Such a change is invisible to this cohort: either no candidate exercised
        the rules that read it, or none that did was affected. ``allowed`` holds
        rule ids whose unobserved changes are accepted (``--allow-unobserved``).
        """
        moved = {rule for rule, _count in self.rules}
        accepted = set(allowed)

        def seen(change: FigureChange) -> bool:
            if not change.rule_ids:  # read by no rule we know of: only a moved answer shows it
                return bool(self.answers)
            return bool(moved & set(change.rule_ids)) or set(change.rule_ids) <= accepted

        return tuple(
            change for change in self.figures if not change.shown_only and not seen(change)
        )

    def sharing(self, change: FigureChange) -> tuple[str, ...]:
        """The other differing figures whose rules moved together with ``change``'s.

        When two changed figures are read by a rule whose answers moved, the diff
        cannot tell which moved them; each is seen only jointly.
        """
        moved = {rule for rule, _count in self.rules}
        mine = set(change.rule_ids) & moved
        if not mine or change in self.unobserved():
            return ()
        return tuple(
            other.key
            for other in self.figures
            if other is not change and not other.shown_only and mine & set(other.rule_ids)
        )

    def exercised_count(self, rule_id: str) -> int:
        """How many candidates had an answer citing ``rule_id``."""
        return dict(self.exercised).get(rule_id, 0)

    def unexpected(self, allowed: Collection[str] = ()) -> tuple[AnswerDiff, ...]:
        """The answers that moved although not every rule they depend on is ``allowed``.

        ``allowed`` holds rule ids (``R9``) whose changes are expected, for
        example the rules a policy change sets out to move. An answer with no
        rule (none today) is never expected to move.
        """
        expected = set(allowed)
        return tuple(
            a
            for a in self.answers
            if not (rules := set(a.moved_rule_ids or a.rule_ids)) or not rules <= expected
        )

    def junit_xml(
        self, allowed: Collection[str] = (), allowed_unobserved: Collection[str] = ()
    ) -> bytes:
        """The diff as a JUnit report: one test case per answer that moved.

        A moved answer whose rules are all ``allowed`` passes; any other is a
        failure showing its examples. With nothing moved, one passing case
        says so. Each unobserved figure change (:meth:`unobserved`) not
        ``allowed_unobserved`` is one more failing case.
        """
        import xml.etree.ElementTree as ET  # noqa: PLC0415  # only reports need XML

        unexpected = {a.answer for a in self.unexpected(allowed)}
        name = f"cptm-rules diff {self.base} -> {self.candidate}"
        suite = ET.Element(
            "testsuite",
            name=name,
            tests=str(max(len(self.answers), 1)),
            failures=str(len(unexpected)),
            errors="0",
        )
        properties = ET.SubElement(suite, "properties")
        for line in self.coverage:  # what the cohort exercised, per policy
            ET.SubElement(
                properties,
                "property",
                name=f"exercised {line.rule_id} {line.verdict}",
                value=f"{self.base}: {line.counts[0]}, {self.candidate}: {line.counts[1]}",
            )
        if not self.answers:
            ET.SubElement(suite, "testcase", classname=name, name="no answer moved")
        for a in self.answers:
            case = ET.SubElement(suite, "testcase", classname=name, name=a.answer)
            moved = ", ".join(a.moved_rule_ids or a.rule_ids)
            summary = f"{a.answer} [{moved}] moved for {a.changed} of {a.compared}"
            if a.answer in unexpected:
                failure = ET.SubElement(case, "failure", message=summary)
                failure.text = "\n".join(f"{c}: {b} -> {n}" for c, b, n in a.examples)
            else:
                ET.SubElement(case, "system-out").text = f"{summary} (allowed)"
        for change in self.unobserved(allowed_unobserved):
            case = ET.SubElement(suite, "testcase", classname=name, name=f"figure {change.key}")
            failure = ET.SubElement(
                case,
                "failure",
                message=f"{change.key} changed ({change.base} -> {change.candidate}) "
                "and no answer under its rules moved",
            )
            failure.text = "\n".join(self._unobserved_why(change))
        suite.set(
            "tests", str(max(len(self.answers), 1) + len(self.unobserved(allowed_unobserved)))
        )
        suite.set("failures", str(len(unexpected) + len(self.unobserved(allowed_unobserved))))
        report: bytes = ET.tostring(suite, encoding="utf-8", xml_declaration=True)
        return report

    def as_json(
        self, allowed: Collection[str] = (), allowed_unobserved: Collection[str] = ()
    ) -> dict[str, Any]:
        """The stable JSON form documented in ``docs/cli.md``."""
        unobserved = self.unobserved(allowed_unobserved)
        return {
            "base": self.base,
            "candidate": self.candidate,
            "cohort_size": self.cohort_size,
            "candidates_changed": self.candidates_changed,
            "answers": [
                {
                    "answer": a.answer,
                    "changed": a.changed,
                    "compared": a.compared,
                    "rules": list(a.rule_ids),
                    "moved_rules": list(a.moved_rule_ids or a.rule_ids),
                    "examples": [
                        {"candidate": c, "base": b, "candidate_policy": n} for c, b, n in a.examples
                    ],
                }
                for a in self.answers
            ],
            "rules": [{"rule": r, "candidates_changed": n} for r, n in self.rules],
            "figures": [
                {
                    "key": f.key,
                    "base": f.base,
                    "candidate_policy": f.candidate,
                    "rules": list(f.rule_ids),
                    "observed": f not in unobserved,
                    "shown_only": f.shown_only,
                    "exercised_count": {r: self.exercised_count(r) for r in f.rule_ids},
                    "moved_jointly_with": list(self.sharing(f)),
                }
                for f in self.figures
            ],
            "unobserved": [f.key for f in unobserved],
            "unexpected": [a.answer for a in self.unexpected(allowed)],
            "coverage": [
                {
                    "rule": line.rule_id,
                    "verdict": line.verdict,
                    "base": line.counts[0],
                    "candidate_policy": line.counts[1],
                }
                for line in self.coverage
            ],
        }

    def report(self, allowed_unobserved: Collection[str] = ()) -> str:
        """The diff as text a person reads."""
        share = self.candidates_changed / self.cohort_size if self.cohort_size else 0.0
        lines = [
            f"policy diff: {self.base} -> {self.candidate}, {self.cohort_size} candidates",
            f"candidates with at least one changed answer: {self.candidates_changed} ({share:.1%})",
            "",
            "by answer:",
        ]
        if not self.answers:
            lines.append("  no answer changed")
        for a in self.answers:
            moved = ", ".join(a.moved_rule_ids or a.rule_ids)
            lines.append(f"  {a.answer} [{moved}]: {a.changed} of {a.compared}")
            lines += [f"      {c}: {b} -> {n}" for c, b, n in a.examples]
        lines += ["", "by rule:"]
        lines += [
            f"  {rule}: {count} candidate{'' if count == 1 else 's'}" for rule, count in self.rules
        ]
        if not self.rules:
            lines.append("  none")
        lines += ["", "figures that differ:"]
        unobserved = self.unobserved(allowed_unobserved)
        for change in self.figures:
            note = " UNOBSERVED" if change in unobserved else ""
            if change.shown_only:
                note = " (shown in the rule's statement only: no answer reads it)"
            elif others := self.sharing(change):
                note = (
                    f" (moved answers, as did {', '.join(others)}, which its rules also "
                    "read: diff it alone to see its own effect)"
                )
            lines.append(
                f"  {change.key}: {change.base} -> {change.candidate} "
                f"[{', '.join(change.rule_ids)}]{note}"
            )
        if not self.figures:
            lines.append("  none: the two sides have the same figures and prices")
        if unobserved:
            lines += [
                "",
                f"unobserved changes ({len(unobserved)}): no answer under their rules moved",
            ]
            for change in unobserved:
                lines.append(f"  {change.key} [{', '.join(change.rule_ids)}]:")
                lines += [f"      {line}" for line in self._unobserved_why(change)]
        lines += ["", *self._coverage_summary()]
        return "\n".join(lines)

    def _unobserved_why(self, change: FigureChange) -> list[str]:
        lines = []
        for rule in change.rule_ids:
            count = self.exercised_count(rule)
            hint = exercised_by(rule)
            seen = (
                f"{count} candidates had answers under it, none moved"
                if count
                else "no candidate exercised it"
            )
            lines.append(f"{rule}: {seen}" + (f"; it takes {hint}" if hint else ""))
        return lines

    def _coverage_summary(self) -> list[str]:
        declared = len(self.coverage)
        if not declared:
            return []
        base = sum(1 for line in self.coverage if line.counts[0])
        other = sum(1 for line in self.coverage if line.counts[1])
        never = [f"{line.rule_id} {line.verdict}" for line in self.coverage if not any(line.counts)]
        lines = [
            (
                f"rules and verdicts exercised: {base} of {declared} under {self.base}, "
                f"{other} of {declared} under {self.candidate}"
            )
        ]
        if never:
            lines.append(f"  never exercised: {', '.join(never)}")
        return lines

    def markdown(
        self, allowed: Collection[str] = (), allowed_unobserved: Collection[str] = ()
    ) -> str:
        """A compact GitHub-flavoured summary that fits a pull-request comment."""
        unexpected = {a.answer for a in self.unexpected(allowed)}
        unobserved = self.unobserved(allowed_unobserved)
        verdict = (
            f"{len(unexpected)} unexpected changes, {len(unobserved)} unobserved"
            if unexpected or unobserved
            else "nothing unexpected"
        )
        share = self.candidates_changed / self.cohort_size if self.cohort_size else 0.0
        lines = [
            f"### Policy diff `{self.base}` → `{self.candidate}`: {verdict}",
            "",
            (
                f"{self.candidates_changed} of {self.cohort_size} candidates ({share:.1%}) have "
                f"at least one changed answer; {len(self.answers)} answers moved "
                f"({len(self.answers) - len(unexpected)} allowed)."
            ),
        ]
        if self.answers:
            lines += ["", "| answer | rules | moved | example |", "| --- | --- | --- | --- |"]
            for a in self.answers[:_MARKDOWN_ROWS]:
                example = ""
                if a.examples:
                    c, b, n = a.examples[0]
                    example = f"`{_cell(c)}`: {_cell(b)} → {_cell(n)}"
                flag = "" if a.answer in unexpected else " (allowed)"
                lines.append(
                    f"| {_cell(a.answer)}{flag} | {', '.join(a.moved_rule_ids or a.rule_ids)} | "
                    f"{a.changed} of {a.compared} | {example} |"
                )
            if len(self.answers) > _MARKDOWN_ROWS:
                lines.append(f"\n… and {len(self.answers) - _MARKDOWN_ROWS} more answers.")
        if self.figures:
            lines += [
                "",
                "| figure | base | candidate | rules | seen |",
                "| --- | --- | --- | --- | --- |",
            ]
            for f in self.figures:
                seen = "**unobserved**" if f in unobserved else "moved answers"
                if f.shown_only:
                    seen = "statement only"
                lines.append(
                    f"| `{f.key}` | {_cell(f.base)} | {_cell(f.candidate)} | "
                    f"{', '.join(f.rule_ids)} | {seen} |"
                )
        for change in unobserved:
            lines.append("")
            lines.append(f"- `{change.key}`: " + "; ".join(self._unobserved_why(change)))
        coverage = self._coverage_summary()
        if coverage:
            lines += ["", *coverage]
        return "\n".join(lines) + "\n"


_MARKDOWN_ROWS: Final = 15


def _cell(text: str) -> str:
    # A table cell: one line, no pipe that would split it, no markup from the data.
    flat = " ".join(text.split())
    return flat.replace("\\", "\\\\").replace("|", "\\|").replace("`", "'")[:120]
