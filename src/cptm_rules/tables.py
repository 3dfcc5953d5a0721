"""Journeys, ledgers and cohorts as pandas DataFrames (optional extra ``notebook``).

Dtypes are chosen to stay exact *and* work with the ordinary pandas idioms
(comparing with ``"2027-01-01"`` or a ``pd.Timestamp``, ``sum()``, ``plot()``):

* calendar dates are ``datetime64[ns]`` at midnight: a date is exactly that
  instant's day, and comparisons with strings and Timestamps work (``date32[pyarrow]``
  refuses both);
* instants are ``datetime64[ns, America/New_York]`` (the program's time zone);
* money is ``decimal128(18, 2)[pyarrow]``: exact cents, summable and plottable,
  rounded half-up to the cent as every quoted amount is, with the currency in its
  own column; hours are ``decimal128(18, 6)[pyarrow]`` (exact for any hours a
  record gives to the millionth, more than any provider reports);
* fixed word lists (rule ids, kinds, states, verdicts, categories) are categoricals.

Install with ``pip install 'cptm-rules[notebook]'``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, cast

try:
    import pandas as pd
    import pyarrow as pa
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "cptm_rules.tables needs the notebook extra: pip install 'cptm-rules[notebook]'"
    ) from exc

from cptm_rules.catalogue import RULES
from cptm_rules.cohort.answers import answer_list
from cptm_rules.lifecycle import Journey, event_day
from cptm_rules.money import Money
from cptm_rules.pricing import load_prices
from cptm_rules.vocabulary import KeyDateKind

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from cptm_rules.cohort import Candidate, PolicyDiff
    from cptm_rules.money import Amount
    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule
    from cptm_rules.rules.certification import Ledger

__all__ = [
    "HOURS",
    "MONEY",
    "cohort_table",
    "diff_table",
    "history_table",
    "key_dates_table",
    "ledger_table",
]

_RULE_IDS = pd.CategoricalDtype(list(RULES))


MONEY: Final = pd.ArrowDtype(pa.decimal128(18, 2))
"""The dtype of money columns: exact cents."""
HOURS: Final = pd.ArrowDtype(pa.decimal128(18, 6))
"""The dtype of hour columns: exact to the millionth of an hour."""


def _dates(values: Iterable[dt.date | None]) -> pd.Series:
    days = [pd.NaT if v is None else pd.Timestamp(v) for v in values]
    return pd.Series(days, dtype="datetime64[ns]")


def _decimals(values: Iterable[Decimal | None], dtype: pd.ArrowDtype) -> pd.Series:
    return pd.Series(pd.array(cast("Any", list(values)), dtype=dtype))


def _instants(values: Iterable[dt.datetime | None], zone: str) -> pd.Series:
    instants = pd.to_datetime(cast("Any", list(values)), utc=True)
    return pd.Series(instants).dt.tz_convert(zone)


def _category(values: Iterable[str], categories: Sequence[str] | None = None) -> pd.Categorical:
    return pd.Categorical(cast("Any", list(values)), categories=cast("Any", categories))


def _amount(amount: Amount | None) -> tuple[Decimal | None, str | None, str | None]:
    if amount is None:
        return None, None, None
    if isinstance(amount, Money):
        return amount.quantized().amount, amount.currency, None
    return None, None, amount.item


def key_dates_table(journey: Journey) -> pd.DataFrame:
    """One row per key date: ``kind``, ``day``, ``instant`` (if any), ``rule_id``, ``label``."""
    zone = journey.policy.time_zone
    rows = journey.key_dates()
    return pd.DataFrame(
        {
            "kind": _category((str(k.kind) for k in rows), [k.value for k in KeyDateKind]),
            "day": _dates(k.day(journey.policy.zone) for k in rows),
            "instant": _instants(
                (k.when if isinstance(k.when, dt.datetime) else None for k in rows), zone
            ),
            "rule_id": pd.Series([k.rule_id for k in rows], dtype=_RULE_IDS),
            "label": pd.Series([k.label for k in rows], dtype="string"),
        }
    )


def history_table(journey: Journey) -> pd.DataFrame:
    """One row per event of the journey's history, with the decisions, fees and refunds it brought.

    ``fee`` and ``refund`` are exact Decimals with their ``currency``; a figure the price
    schedule does not give is named in ``fee_unknown`` / ``refund_unknown`` instead.
    """
    replay = Journey.new(policy=journey.policy, prices=journey.prices)
    records: list[dict[str, Any]] = []
    for number, event in enumerate(journey.history, start=1):
        outcome = replay.apply(event)
        replay = outcome.journey
        fees = [d.fee for d in outcome.decisions if d.fee is not None]
        refunds = [d.refund for d in outcome.decisions if d.refund is not None]
        fee, currency, fee_unknown = _amount(fees[0] if fees else None)
        refund, refund_currency, refund_unknown = _amount(refunds[0] if refunds else None)
        records.append(
            {
                "number": number,
                "event": type(event).__name__,
                "day": event_day(event, journey.policy.zone),
                "state": str(replay.state),
                "decisions": "; ".join(f"{d.rule_id} {d.verdict}" for d in outcome.decisions),
                "rule_ids": ", ".join(outcome.rule_ids),
                "advisories": "; ".join(a.explain() for a in outcome.advisories),
                "fee": fee,
                "currency": currency or refund_currency,
                "fee_unknown": fee_unknown,
                "refund": refund,
                "refund_unknown": refund_unknown,
            }
        )
    frame = pd.DataFrame.from_records(
        records,
        columns=[
            "number",
            "event",
            "day",
            "state",
            "decisions",
            "rule_ids",
            "advisories",
            "fee",
            "currency",
            "fee_unknown",
            "refund",
            "refund_unknown",
        ],
    )
    frame["event"] = frame["event"].astype("category")
    frame["day"] = _dates(frame["day"])
    frame["state"] = frame["state"].astype("category")
    for column in (
        "decisions",
        "rule_ids",
        "advisories",
        "currency",
        "fee_unknown",
        "refund_unknown",
    ):
        frame[column] = frame[column].astype("string")
    frame["fee"] = _decimals(frame["fee"], MONEY)
    frame["refund"] = _decimals(frame["refund"], MONEY)
    return frame


def ledger_table(ledger: Ledger) -> pd.DataFrame:
    """One row per recorded activity: counted or not, and why not (R17-R19)."""
    rows: list[tuple[Any, bool, str]] = [(a, True, "") for a in ledger.counted]
    rows += [(a, False, why) for a, why in ledger.not_counted]
    rows.sort(key=lambda row: (row[0].on, row[0].id))
    return pd.DataFrame(
        {
            "id": pd.Series([a.id for a, _, _ in rows], dtype="string"),
            "day": _dates(a.on for a, _, _ in rows),
            "hours": _decimals((a.hours for a, _, _ in rows), HOURS),
            "category": pd.Series([str(a.category) for a, _, _ in rows], dtype="category"),
            "counted": pd.Series([c for _, c, _ in rows], dtype=bool),
            "why_not": pd.Series([w for _, _, w in rows], dtype="string"),
            "cumulative_hours": _decimals(_cumulative(rows), HOURS),
        }
    )


def _cumulative(rows: Sequence[tuple[Any, bool, str]]) -> list[Decimal]:
    total = Decimal(0)
    out = []
    for activity, counted, _ in rows:
        if counted:
            total += activity.hours
        out.append(total)
    return out


def cohort_table(
    cohort: Sequence[Candidate], policy: Policy, prices: PriceSchedule | None = None
) -> pd.DataFrame:
    """One row per candidate and answer under ``policy``: verdict, fee, refund and rule apart.

    ``verdict`` is a categorical (``free``, ``fee``, ``on_time``, ``refused``, a state,
    or a key date's ISO text), ``fee`` and ``refund`` exact money with their
    ``currency`` (a figure the schedule does not give is named in ``fee_unknown``),
    ``rule_ids`` a categorical, and ``text`` the answer as a diff prints it.
    """
    schedule = prices if prices is not None else load_prices()
    records = []
    for candidate in cohort:
        for answer in answer_list(candidate, policy, schedule):
            fee, currency, fee_unknown = _amount(answer.fee)
            refund, refund_currency, _ = _amount(answer.refund)
            records.append(
                {
                    "candidate": candidate.id,
                    "answer": answer.name,
                    "verdict": answer.verdict,
                    "fee": fee,
                    "refund": refund,
                    "currency": currency or refund_currency,
                    "fee_unknown": fee_unknown,
                    "rule_ids": ", ".join(answer.rule_ids),
                    "text": str(answer),
                }
            )
    columns = [
        "candidate",
        "answer",
        "verdict",
        "fee",
        "refund",
        "currency",
        "fee_unknown",
        "rule_ids",
        "text",
    ]
    frame = pd.DataFrame.from_records(records, columns=columns)
    for column in ("candidate", "currency", "fee_unknown", "text"):
        frame[column] = frame[column].astype("string")
    for column in ("answer", "verdict", "rule_ids"):
        frame[column] = frame[column].astype("category")
    frame["fee"] = _decimals(frame["fee"], MONEY)
    frame["refund"] = _decimals(frame["refund"], MONEY)
    return frame


def diff_table(diff: PolicyDiff) -> pd.DataFrame:
    """One row per answer that moved between two policies, with its share of the cohort."""
    return pd.DataFrame(
        {
            "answer": pd.Series([a.answer for a in diff.answers], dtype="string"),
            "rule_ids": pd.Series([", ".join(a.rule_ids) for a in diff.answers], dtype="category"),
            "changed": pd.Series([a.changed for a in diff.answers], dtype="int64"),
            "compared": pd.Series([a.compared for a in diff.answers], dtype="int64"),
            "share": pd.Series(
                [a.changed / a.compared if a.compared else 0.0 for a in diff.answers],
                dtype="float64",
            ),
        }
    )
