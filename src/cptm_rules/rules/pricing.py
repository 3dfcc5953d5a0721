"""Pricing: discounts, fees and the funding facts (R21-R23).

The rules of this family are declared here (:data:`RULES`) beside the functions
that decide R21: who may have which discount (:func:`eligible_discounts`), and
which of them apply and what each takes off (:func:`applied_discounts`: the
largest, or every one stacked when the policy says, never below nothing).
:func:`cptm_rules.pricing.quote` prices a registration with them; the fees
themselves are figures of the price schedule (R22), and the funding facts are
data (:data:`cptm_rules.facts.FACTS`, R23).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, NamedTuple

import attrs

from cptm_rules.declarations import (
    Q_DISCOUNTS,
    Q_FUNDING,
    Q_ONGOING,
    Q_TEAM,
    Rule,
    RuleKind,
    faq,
    terms,
)
from cptm_rules.figures import fee, figure, members_of, whole, yes_no
from cptm_rules.money import Amount, Money, UnknownAmount
from cptm_rules.vocabulary import DiscountKind, OrganisationType

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule

__all__ = [
    "RULES",
    "Discounted",
    "PricingFees",
    "PricingFigures",
    "applied_discounts",
    "eligible_discounts",
]


@attrs.frozen(kw_only=True, slots=False)
class PricingFigures:
    """The figures R21 reads, under ``[pricing]`` in policy files.

    Part of :class:`~cptm_rules.policy.Policy`: a figure declared here is read from
    policy files, checked, cited and shown like every other.
    """

    discount_kinds: tuple[DiscountKind, ...] = figure("pricing", "R21", members_of(DiscountKind))
    group_min_size: int = figure("pricing", "R21", whole(2, 1000))
    discount_stacking: bool = figure("pricing", "R21", yes_no)


@attrs.frozen(kw_only=True, slots=False)
class PricingFees:
    """The program price, which quotes and refunds start from.

    Part of :class:`~cptm_rules.pricing.PriceSchedule`: an amount declared here is
    read from price schedule files (or ``"unknown"``) like every other.
    """

    program_price: Amount = fee("R22")
    """the program price (R22; R21 discounts it, R24 refunds it)."""


_FEES: Final = (
    ("class_change_fee", "the class change fee"),
    ("renewal_fee", "the renewal fee"),
    ("program_price", "the program price"),
)
"""The schedule's items R22 states, and their names in its statement."""
_DATED: Final = (
    "These amounts are those of the prices {label}; a registration is charged by the "
    "version in force on its date (R2)."
)
_MONEY: Final = "Money is an exact decimal amount with a currency."
_ALL_DISCOUNTS: Final = "the discount amounts"


@attrs.frozen(kw_only=True)
class _FeesRule(Rule):
    """R22, whose statement states each fee the schedule gives and names those it marks unknown."""

    @property
    def figure_keys(self) -> tuple[str, ...]:
        """The figures the statement shows: each fee it may state, given or not."""
        return tuple(dict.fromkeys((*super().figure_keys, *(f"prices.{i}" for i, _ in _FEES))))

    def statement_under(
        self, policy: Policy | None = None, prices: PriceSchedule | None = None
    ) -> str:
        """The fees ``prices`` gives, those it marks unknown, and the version it is."""
        _, schedule = self.chosen(policy, prices)  # the fees are the schedule's alone
        said: list[str] = []
        unknown: list[str] = []
        for item, what in _FEES:
            amount = getattr(schedule, item)
            if not isinstance(amount, UnknownAmount):
                said.append(f"{what.capitalize()} is {amount}.")
            elif item == _FEES[0][0]:  # public (the terms): unknown only where a file says so
                said.append(f"{what.capitalize()} is marked unknown by this schedule.")
            else:
                unknown.append(what)
        discounts = [(kind, schedule.discount(kind)) for kind in DiscountKind]
        given = [(k, d) for k, d in discounts if not isinstance(d, UnknownAmount)]
        if given:
            # The first discount says "is", the others share it.
            (first, amount), *rest = given
            listed = [
                f"The {first} discount is {amount}",
                *(f"the {k} discount {d}" for k, d in rest),
            ]
            said.append(f"{_listed(listed)}.")
        missing = [f"the {k} discount" for k, d in discounts if isinstance(d, UnknownAmount)]
        unknown += [_ALL_DISCOUNTS] if len(missing) == len(discounts) else missing
        if unknown:
            one = len(unknown) == 1 and unknown != [_ALL_DISCOUNTS]  # "amounts" is plural
            marks = "the shipped schedule" if schedule.name == "shipped" else "this schedule"
            said.append(
                f"{_listed(unknown).capitalize()} {'is' if one else 'are'} not public: "
                f"{marks} marks {'it' if one else 'them'} unknown and a quote that needs "
                f"{'it' if one else 'one'} names it instead of showing a number."
            )
        if schedule.dated:
            said.append(_DATED.format(label=schedule.label))
        return " ".join((*said, _MONEY))


def _listed(names: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


RULES: Final = (
    Rule(
        id="R21",
        verdicts=(
            "discounted",
            "no_discount",
        ),
        exercised_by="a registration quote (a non-profit, government or group registration)",
        title="Discounts",
        kinds=(RuleKind.CONSEQUENCE,),
        statement=(
            "Employees of non-profits and of government agencies, and groups of "
            "{pricing.group_min_size:word} or more "
            "registering together, are eligible for a discount. Amounts live in the price "
            "schedule. By default only the single best discount applies; a policy setting "
            "may stack them."
        ),
        sources=(faq(Q_DISCOUNTS), faq(Q_TEAM)),
    ),
    _FeesRule(
        id="R22",
        verdicts=(
            "quoted",
            "unknown",
        ),
        exercised_by="a registration quote, a change or a renewal that charges a fee",
        title="Fees",
        kinds=(RuleKind.CONSEQUENCE,),
        statement=(
            "The class change fee is {prices.class_change_fee}. The renewal fee, the program "
            "price and the "
            "discount amounts are not public: the shipped schedule marks them unknown and a "
            "quote that needs one names it instead of showing a number. Money is an exact "
            "decimal amount with a currency."
        ),
        sources=(terms("$400 change fee"), faq(Q_ONGOING)),
    ),
    Rule(
        id="R23",
        title="Funding facts",
        kinds=(RuleKind.FACT,),
        statement="Four out of five CPTMs have their employer's support.",
        sources=(faq(Q_FUNDING),),
    ),
)
"""The rules R21, R22, R23."""


def eligible_discounts(
    *, organisation: OrganisationType, group_size: int, policy: Policy
) -> tuple[tuple[DiscountKind, ...], tuple[tuple[DiscountKind, str], ...]]:
    """The discounts a registration is eligible for, and why each other one is not (R21)."""
    eligible: list[DiscountKind] = []
    refused: list[tuple[DiscountKind, str]] = []
    reasons = {
        DiscountKind.NON_PROFIT: (
            organisation is OrganisationType.NON_PROFIT,
            f"the candidate's organisation is {organisation}, not a non-profit",
        ),
        DiscountKind.GOVERNMENT: (
            organisation is OrganisationType.GOVERNMENT,
            f"the candidate's organisation is {organisation}, not a government agency",
        ),
        DiscountKind.GROUP: (
            group_size >= policy.group_min_size,
            f"a group of {group_size} is below the minimum of {policy.group_min_size}",
        ),
    }
    for kind in DiscountKind:
        ok, why_not = reasons[kind]
        if kind not in policy.discount_kinds:
            refused.append((kind, f"the policy {policy.name} offers no {kind} discount"))
        elif ok:
            eligible.append(kind)
        else:
            refused.append((kind, why_not))
    return tuple(eligible), tuple(refused)


class Discounted(NamedTuple):
    """R21's answer for one seat: the discounts that apply, the others, and the price left."""

    applied: tuple[tuple[DiscountKind, Money], ...]
    """Each discount applied, largest first, with what it takes off the seat."""
    not_applied: tuple[tuple[DiscountKind, str], ...]
    """Each eligible discount left out, and why (stacking is off and a larger one applies)."""
    per_seat: Money
    """What the seat costs after them (never below nothing)."""
    rule_id: str
    """The rule that decides them."""


def applied_discounts(
    price: Money, values: Sequence[tuple[DiscountKind, Money]], *, policy: Policy
) -> Discounted:
    """R21: which of the eligible discounts apply to a seat at ``price``, and what each takes.

    ``values`` are the eligible discounts' values against the price. With the
    policy's stacking off (the default) only the largest applies (between equal
    ones, the first in :class:`~cptm_rules.vocabulary.DiscountKind`'s order); with
    it on, every one applies, largest first. Each takes off at most what is left,
    so a seat never costs less than nothing.
    """
    order = list(DiscountKind)
    ranked = sorted(values, key=lambda pair: (-pair[1].amount, order.index(pair[0])))
    stacking = policy.discount_stacking
    chosen = ranked if stacking else ranked[:1]
    not_applied = tuple(
        (
            kind,
            (
                f"stacking is off and the {chosen[0][0]} discount ({chosen[0][1]}) is larger "
                f"or equal ({value})"
            ),
        )
        for kind, value in ([] if stacking else ranked[1:])
    )
    applied = []
    remaining = price
    for kind, value in chosen:
        off = min(value, remaining)
        applied.append((kind, off))
        remaining = remaining - off
    return Discounted(
        applied=tuple(applied), not_applied=not_applied, per_seat=remaining, rule_id="R21"
    )
