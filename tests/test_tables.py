from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from cptm_rules.cohort import diff_policies, synthetic_cohort
from cptm_rules.events import RequestChange
from cptm_rules.policy import load_policy
from cptm_rules.tables import (
    cohort_table,
    diff_table,
    history_table,
    key_dates_table,
    ledger_table,
)
from journeys import FEBRUARY, activity, certified, day, registered


def test_key_dates_are_dates_instants_and_categorical_rule_ids() -> None:
    table = key_dates_table(certified())
    assert str(table["day"].dtype) == "datetime64[ns]"
    assert str(table["instant"].dtype).endswith(", America/New_York]")
    assert isinstance(table["rule_id"].dtype, pd.CategoricalDtype)
    assert isinstance(table["kind"].dtype, pd.CategoricalDtype)
    row = table[table["kind"] == "free_change_deadline"].iloc[0]
    assert row["day"] == pd.Timestamp("2026-11-20")
    assert row["rule_id"] == "R9"
    # The ordinary pandas idioms work on dates: strings and Timestamps compare.
    later = table[table["day"] > "2027-01-01"]
    assert later["kind"].tolist()[0] == "practicum_first_day"
    assert (table["day"] > pd.Timestamp("2027-01-01")).sum() == len(later)
    assert pd.isna(row["instant"])
    access = table[table["kind"] == "access_due"].iloc[0]
    assert access["instant"] == pd.Timestamp("2026-11-02 11:30", tz="America/New_York")


def test_the_history_table_keeps_fees_exact() -> None:
    journey = registered().then(RequestChange(on=day("2026-11-23"), to=FEBRUARY))
    table = history_table(journey)
    assert list(table["event"]) == ["Register", "RequestChange"]
    change = table.iloc[1]
    assert change["fee"] == Decimal("400.00")
    assert isinstance(change["fee"], Decimal)
    assert change["currency"] == "USD"
    assert change["decisions"] == "R10 fee"
    assert change["day"] == pd.Timestamp("2026-11-23")
    assert str(table["fee"].dtype) == "decimal128(18, 2)[pyarrow]"
    assert table["fee"].sum() == Decimal("400.00")
    assert "Decimal(" not in table.to_string()
    assert isinstance(table["state"].dtype, pd.CategoricalDtype)


def test_unknown_fees_are_named_not_numbered() -> None:
    journey = certified().then(activity("2027-02-01", "1"))
    from cptm_rules.events import PayRenewalFee  # noqa: PLC0415

    table = history_table(journey.then(PayRenewalFee(on=day("2027-03-01"))))
    last = table.iloc[-1]
    assert pd.isna(last["fee"])
    assert last["fee_unknown"] == "renewal_fee"


def test_the_ledger_table_counts_hours_exactly() -> None:
    journey = certified().then(
        activity("2027-02-01", "23.75"),
        activity("2027-03-01", "5", category="not-industry-relevant"),
        activity("2027-04-01", "0.25"),
    )
    table = ledger_table(journey.ledger(as_of=day("2027-06-01")))
    assert list(table["counted"]) == [True, False, True]
    assert table["cumulative_hours"].iloc[-1] == Decimal(24)
    assert table["hours"].sum() == Decimal(29)
    ax = table.plot(x="day", y="cumulative_hours")  # numeric, so pandas can plot it
    assert np.asarray(ax.lines[0].get_ydata()).tolist() == [23.75, 23.75, 24.0]
    assert table["why_not"].iloc[1] == "category not-industry-relevant does not qualify (R19)"
    assert isinstance(table["category"].dtype, pd.CategoricalDtype)


def test_cohort_and_diff_tables() -> None:
    cohort = synthetic_cohort(40, seed=4)
    table = cohort_table(cohort, load_policy())
    assert set(table["candidate"]) == {c.id for c in cohort}
    assert "key date access_due" in set(table["answer"])
    changes = table[table["answer"].astype("string").str.fullmatch(r"change \d")]
    paid = changes[changes["verdict"] == "fee"]
    assert len(paid) > 0
    assert set(paid["rule_ids"]) <= {"R10", "R11a"}
    assert paid["fee"].sum() == Decimal(400) * len(paid)  # an exact amount, summable
    assert set(paid["text"].str.slice(0, 15)) == {"fee 400.00 USD "}
    assert isinstance(table["verdict"].dtype, pd.CategoricalDtype)
    assert not table["text"].str.contains("fee fee").any()
    diff = diff_table(diff_policies(cohort, base="legacy", candidate="current", workers=1))
    first = diff.iloc[0]
    registered = sum(c.practicum.first_day > c.registered_at.date() for c in cohort)
    assert (first["answer"], first["changed"]) == ("key date access_due", registered)
