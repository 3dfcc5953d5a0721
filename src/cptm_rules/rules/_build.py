"""What the rule families share: checked builders for decisions, and how numbers read."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Final, Literal, TypeVar

from cptm_rules.exceptions import CalendarRangeError, RuleViolationError
from cptm_rules.formulas import SCALAR
from cptm_rules.money import Money
from cptm_rules.outcomes import Advisory, Decision, Effect, prebuilt
from cptm_rules.vocabulary import EffectKind

if TYPE_CHECKING:
    from collections.abc import Callable

    from cptm_rules.formulas import Precedence
    from cptm_rules.money import Amount
    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule
    from cptm_rules.types import Refusal

F = TypeVar("F")

# Every event builds one or more decisions: build them without attrs' field-by-field
# __init__ (see outcomes.prebuilt; the journey fills its outcome the same way). Every
# call passes typed values. The texts (a decision's reason, an advisory's message, an
# effect's detail) may be given as `lambda: f"..."`, rendered on first read;
# docs/design.md says what a renderer may read.
decision: Final = prebuilt(Decision, lazy=("reason",))
advisory: Final = prebuilt(Advisory, lazy=("message",))
effect: Final = prebuilt(Effect, lazy=("detail",))


def days(n: int) -> str:
    """``1 day``, ``3 days``."""
    return f"{n} day" if n == 1 else f"{n} days"


def priced(
    prices: PriceSchedule,
    reason: str | Callable[[], str],
    *,
    how: Literal["charged", "refunded"] = "charged",
) -> str | Callable[[], str]:
    """The reason of a decision with money in it, naming the dated schedule that prices it.

    A registration is charged by the price version in force on its date, and the journey
    keeps that version (R2): every later fee or refund comes from it, so a decision under
    a dated schedule says which (``...; charged by prices from-2027-07, in force
    from 2027-07-01``). An undated schedule is the only one: nothing is added.
    """
    if not prices.dated:
        return reason
    note = f"; {how} by prices {prices.label}"
    if isinstance(reason, str):
        return reason + note
    return lambda: reason() + note


def money_or_unknown(amount: Amount) -> Money | None:
    """The amount an effect charges or refunds: ``None`` when the fee is unknown (R22)."""
    return amount if isinstance(amount, Money) else None


def charges(given: Decision, what: str) -> tuple[Effect, ...]:
    """The charge a decision with a fee brings (none without one); ``what`` names the fee."""
    if given.fee is None:
        return ()
    return (
        effect(
            kind=EffectKind.CHARGE,
            rule_id=given.rule_id,
            amount=money_or_unknown(given.fee),
            detail=lambda: f"charge {what}: {given.fee}",
        ),
    )


def refusal_in(precedence: Precedence[F, Refusal], facts: F) -> Refusal | None:
    """The refusal the first failing row of ``precedence`` gives, naming that row's rule.

    A refusal table's rows explain without naming their rule (``Refusal.because(None,
    ...)``): the table is where the rule is named, once.
    """
    # first_answer, inlined: most events ask a refusal table, and most pass it.
    for rule_id, case in precedence:
        when = case.when
        if when is None or when(SCALAR, facts):
            given = case.explain(facts)
            given.rule_id = rule_id
            return given
    return None


def refused_outside_a_journey(
    refusal: Refusal, event: str, rule_id: str | None = None
) -> RuleViolationError:
    """The caller's error for ``refusal`` met outside a journey (a family's public check).

    A ``Refusal`` is the engine's signal, never the caller's: said as the engine would
    say it, with no state (as ``judge_change`` does), citing ``rule_id`` or else the
    rule the refusal's table named.
    """
    return RuleViolationError(
        state="",
        event=event,
        reason=refusal.reason,
        allowed=(),
        rule_id=refusal.rule_id if rule_id is None else rule_id,
    )


def check_in_calendar(policy: Policy, field: str, value: dt.date) -> None:
    """Refuse a day outside the calendar years: a ``CalendarRangeError`` names ``field``."""
    if not policy.first_year <= value.year <= policy.last_year:
        raise CalendarRangeError(
            field=field,
            value=value,
            first=dt.date(policy.first_year, 1, 1),
            last=dt.date(policy.last_year, 12, 31),
        )
