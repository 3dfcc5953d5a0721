"""Every shipped scenario and a set of quotes, explained in full, against recorded text.

A change to any decision, reason, date, figure, alternative, advisory, effect or key
date shows up here as a diff of what a support agent would read. When a change is
intended, record the new text with ``UPDATE_GOLDEN=1 pytest tests/test_explanations.py``
and review the diff of ``tests/golden/*.txt`` in the commit.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cptm_rules.checks import scenario_files
from cptm_rules.policy import load_policy
from cptm_rules.pricing import PriceSchedule, load_prices, quote
from cptm_rules.scenarios import load_scenarios, trace_scenario
from cptm_rules.vocabulary import OrganisationType

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"


def _check(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, f"{name} changed: review, then UPDATE_GOLDEN=1"


@pytest.mark.parametrize(
    "path", scenario_files([ROOT / "scenarios"]), ids=lambda p: p.name.split(".")[0]
)
def test_each_shipped_scenario_explains_itself_as_recorded(path: Path) -> None:
    text = "\n\n".join(trace_scenario(s) for s in load_scenarios(path)) + "\n"
    _check(f"{path.name.split('.')[0]}.txt", text)


def test_quotes_explain_themselves_as_recorded_R21_R22() -> None:
    schedule = PriceSchedule.from_toml(
        'extends = "shipped"\nprogram_price = "2495"\nrenewal_fee = "150"\n'
        '[discounts]\nnon-profit = "10%"\ngovernment = "15%"\ngroup = "300"\n'
    )
    stacking = load_policy().with_overrides({"pricing.discount_stacking": True})
    legacy = load_policy("legacy")
    cases = [
        ("shipped, one seat", load_policy(), load_prices(), OrganisationType.OTHER, 1),
        ("shipped, government group", load_policy(), load_prices(), OrganisationType.GOVERNMENT, 3),
        ("user, non-profit", load_policy(), schedule, OrganisationType.NON_PROFIT, 1),
        ("user, government group of 2", load_policy(), schedule, OrganisationType.GOVERNMENT, 2),
        ("user, stacked", stacking, schedule, OrganisationType.NON_PROFIT, 4),
        ("user, legacy, group of 5", legacy, schedule, OrganisationType.OTHER, 5),
    ]
    text = "\n\n".join(
        f"== {title}\n"
        + quote(organisation=organisation, group_size=seats, policy=policy, prices=prices).explain()
        for title, policy, prices, organisation, seats in cases
    )
    _check("quotes.txt", text + "\n")
