"""Which rules and verdicts a cohort or a scenario suite exercised, and what two policies differ in.

A policy diff is a regression gate only if it can tell "nothing moved" from
"nothing that could move was looked at". Two things make that visible:

- **Coverage.** Each rule declares the verdicts its answers can have
  (:attr:`~cptm_rules.catalogue.Rule.verdicts`); a cohort or a suite of scenarios
  *exercises* a ``(rule, verdict)`` pair when one of its answers has it.
  :func:`declared_verdicts` lists every pair; :func:`coverage_lines` counts them.
  A rule a policy switches on declares when (:attr:`~cptm_rules.catalogue.Rule.in_force`):
  :func:`out_of_force_verdicts` lists the pairs no answer can have under a policy
  and a price schedule (under ``current`` and the shipped prices: R15's fee, R28's).
- **Figure changes.** :func:`figure_changes` compares two policies and two price
  schedules figure by figure and says which rules read each figure that
  differs: the rule its declaration names, and every rule whose statement
  shows it. A diff reports a changed figure whose rules no answer showed
  moving as an *unobserved change* (:class:`~cptm_rules.cohort.report.PolicyDiff`).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Final

import attrs

from cptm_rules.catalogue import RULES, rule_ids_in
from cptm_rules.lifecycle import TRANSITIONS
from cptm_rules.money import Money, amount_text
from cptm_rules.policy import POLICY_KEYS, figure_fields
from cptm_rules.rule_index import rules_reading as rules_reading  # noqa: PLC0414  # its old home
from cptm_rules.vocabulary import State

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from cptm_rules.events import Event
    from cptm_rules.exceptions import TransitionError
    from cptm_rules.lifecycle import Status
    from cptm_rules.outcomes import Outcome
    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule, Quote

__all__ = [
    "DERIVED_STATES",
    "CoverageLine",
    "FigureChange",
    "advisory_verdicts",
    "coverage_lines",
    "declared_verdicts",
    "exercised_by",
    "figure_changes",
    "is_state_refusal",
    "out_of_force_verdicts",
    "outcome_verdicts",
    "quote_pairs",
    "quote_verdicts",
    "refusal_verdicts",
    "rule_refusal_verdicts",
    "state_pairs",
    "status_verdicts",
]


def declared_verdicts() -> tuple[tuple[str, str], ...]:
    """Every ``(rule id, verdict)`` pair the catalogue declares, in catalogue order."""
    return tuple((rule.id, verdict) for rule in RULES.values() for verdict in rule.verdicts)


def out_of_force_verdicts(policy: Policy, prices: PriceSchedule) -> dict[tuple[str, str], str]:
    """The ``(rule id, verdict)`` pairs ``policy`` and ``prices`` put out of force, by rule.

    Each with what puts it out of force, as its rule's declaration says
    (:class:`~cptm_rules.catalogue.InForce`): no candidate's answer can have it,
    so a cohort that never exercises it has missed nothing.
    """
    return {
        (rule.id, verdict): gate.off
        for rule in RULES.values()
        for gate in rule.in_force
        if not gate.when(policy, prices)
        for verdict in gate.verdicts
    }


def exercised_by(rule_id: str) -> str:
    """What kind of candidate exercises ``rule_id`` (its declaration says), or ``""``."""
    rule = RULES.get(rule_id)
    return "" if rule is None else rule.exercised_by


def outcome_verdicts(outcome: Outcome) -> set[tuple[str, str]]:
    """The pairs an applied event exercised: its decisions' verdicts and its advisories."""
    pairs = {(d.rule_id, d.verdict) for d in outcome.decisions}
    for advisory in outcome.advisories:
        pairs |= advisory_verdicts(advisory.rule_ids)
    return pairs


def advisory_verdicts(rule_ids: Iterable[str]) -> set[tuple[str, str]]:
    """The pairs an advisory exercised: ``(rule, "advisory")`` for each rule it cites."""
    return {(rule, "advisory") for rule in rule_ids}


def is_state_refusal(refusal: TransitionError, event: Event) -> bool:
    """Whether ``event`` was refused because the journey was not where it can happen.

    Such a refusal names the rules that answer the event (``R9-R11a``) but is no
    rule's verdict: it tests the state machine, so coverage does not count it.
    """
    return not _accepts(refusal.state, type(event).__name__)


@functools.cache
def _accepts(state: str, event: str) -> bool:
    # Read off the engine's constant table once per pair: refusals repeat by the thousand.
    return event in {kind.__name__ for kind in TRANSITIONS[State(state)]}


def refusal_verdicts(refusal: TransitionError, event: Event) -> set[tuple[str, str]]:
    """The pairs a refused event exercised: ``(rule, "refused")`` for the rule that refused."""
    if not refusal.state or is_state_refusal(refusal, event):
        return set()
    return rule_refusal_verdicts(refusal.rule_id or "")


def rule_refusal_verdicts(rule_id: str) -> set[tuple[str, str]]:
    """The pairs a rule's refusal exercised: ``(rule, "refused")`` for each rule it names."""
    return {(rule, "refused") for rule in rule_ids_in(rule_id)}


DERIVED_STATES: Final = frozenset({"exam_expired", "lapsed", "credit_expired", "in_grace"})
"""The derived states a rule explains, which coverage counts as that rule's verdicts."""


def status_verdicts(status: Status) -> set[tuple[str, str]]:
    """The pair a derived state exercised (``("R20", "lapsed")``), or none."""
    return state_pairs(str(status.state), status.rule_id)


def state_pairs(state: str, rule_id: str | None) -> set[tuple[str, str]]:
    """The pair a state explained by ``rule_id`` exercised: a derived state's, or none."""
    if state in DERIVED_STATES and rule_id:
        return {(rule_id, state)}
    return set()


def quote_verdicts(quote: Quote, *, eligible: int) -> set[tuple[str, str]]:
    """The pairs a registration quote exercised: known or unknown (R22), discounted (R21)."""
    return quote_pairs(known=isinstance(quote.total, Money), eligible=eligible)


def quote_pairs(*, known: bool, eligible: int) -> set[tuple[str, str]]:
    """The pairs of a quote whose total is ``known`` (R22), with ``eligible`` discounts (R21)."""
    return {
        ("R22", "quoted" if known else "unknown"),
        ("R21", "discounted" if eligible else "no_discount"),
    }


@attrs.frozen(kw_only=True)
class CoverageLine:
    """How often one declared ``(rule, verdict)`` pair was exercised, per side."""

    rule_id: str
    verdict: str
    counts: tuple[int, ...]
    """Candidates (or scenarios) that had it: one count per policy compared."""


def coverage_lines(*sides: Mapping[tuple[str, str], int]) -> tuple[CoverageLine, ...]:
    """Every declared pair with its count on each side (zero when never exercised)."""
    return tuple(
        CoverageLine(
            rule_id=rule_id,
            verdict=verdict,
            counts=tuple(side.get((rule_id, verdict), 0) for side in sides),
        )
        for rule_id, verdict in declared_verdicts()
    )


@attrs.frozen(kw_only=True)
class FigureChange:
    """One figure or price that differs between two policies or schedules."""

    key: str
    """The dotted policy key (``certification.ce_hours_required``) or ``prices.<item>``."""
    base: str
    """Its value on the base side, as the files spell it."""
    candidate: str
    """Its value on the candidate side."""
    rule_ids: tuple[str, ...]
    """The rules that read it."""
    shown_only: bool = False
    """No decision reads it, only a rule's statement shows it (a planning figure): no
    cohort can see it move, so a diff lists it and never counts it as unobserved."""


def figure_changes(
    base: Policy,
    candidate: Policy,
    base_prices: PriceSchedule,
    candidate_prices: PriceSchedule,
) -> tuple[FigureChange, ...]:
    """Every figure and price that differs, with the rules that read it.

    A policy's name, description and sources are not figures: two policies that
    differ only in them have no figure change. A policy's ``effective_from``
    is compared too (it decides which version judges a registration).
    """
    shown_only = {POLICY_KEYS[f.name] for f in figure_fields() if f.metadata.get("shown_only")}
    changes = [
        FigureChange(key=key, base=old, candidate=new, rule_ids=rules, shown_only=key in shown_only)
        for key, old, new, rules in _differences(
            _policy_figures(base, candidate), _policy_figures(candidate, base)
        )
    ]
    changes += [
        FigureChange(key=key, base=old, candidate=new, rule_ids=rules)
        for key, old, new, rules in _differences(
            _price_figures(base_prices), _price_figures(candidate_prices)
        )
    ]
    return tuple(changes)


def _differences(
    before: Iterable[tuple[str, str, tuple[str, ...]]],
    after: Iterable[tuple[str, str, tuple[str, ...]]],
) -> Iterable[tuple[str, str, str, tuple[str, ...]]]:
    old = {key: (value, rules) for key, value, rules in before}
    new = {key: (value, rules) for key, value, rules in after}
    for key in dict.fromkeys([*old, *new]):
        was, rules = old.get(key, ("absent", ()))
        now, more = new.get(key, ("absent", ()))
        if was != now:
            yield key, was, now, tuple(dict.fromkeys((*rules, *more)))


def _policy_figures(policy: Policy, other: Policy) -> Iterable[tuple[str, str, tuple[str, ...]]]:
    for field in figure_fields():
        if field.name in _NOT_FIGURES:
            continue
        key = POLICY_KEYS[field.name]
        rules = rules_reading(key, field.metadata["rule"]) or _WHOLE_CALENDAR.get(field.name, ())
        spec = field.metadata.get("deadline")
        # A deadline both policies' older keys can state is compared under those keys, as
        # decisions cite it; otherwise under its general key, in its general form.
        mine, theirs = getattr(policy, field.name), getattr(other, field.name)
        if spec is not None and spec.cited(mine) is not None and spec.cited(theirs) is not None:
            for pair in policy.figures(field.name):
                yield pair[0], pair[1], rules
            continue
        yield key, policy.figure_text(field.name), rules
    effective = policy.effective_from
    yield "effective_from", "none" if effective is None else effective.isoformat(), ("R2",)


_NOT_FIGURES: Final = frozenset({"name", "description", "effective_from"})
# The calendar's years bound every date rule: a change there moves answers (or refusals)
# of the rules that count business days and of every dated event.
_WHOLE_CALENDAR: Final = {"first_year": ("R2", "R9"), "last_year": ("R2", "R9")}


def _price_figures(prices: PriceSchedule) -> Iterable[tuple[str, str, tuple[str, ...]]]:
    for field in attrs.fields(type(prices)):
        if not field.metadata.get("item"):
            continue
        key = f"prices.{field.name}"
        value = amount_text(getattr(prices, field.name))
        yield key, value, rules_reading(key, field.metadata["rule"])
    # Every amount is in the schedule's currency: every rule that charges reads it.
    charging = tuple(
        dict.fromkeys(
            rule
            for field in attrs.fields(type(prices))
            if field.metadata.get("item")
            for rule in rules_reading(f"prices.{field.name}", field.metadata["rule"])
        )
    )
    yield "prices.currency", prices.currency, charging
    for kind, discount in prices.discounts:
        yield f"prices.discounts.{kind}", str(discount), ("R21",)
