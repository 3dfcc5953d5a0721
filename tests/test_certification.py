"""Recertification requirements as data: category limits (R18) and a grace period (R20)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cptm_rules import catalogue
from cptm_rules.array_ops import ARRAY
from cptm_rules.cohort import diff_policies
from cptm_rules.cohort.candidates import Candidate
from cptm_rules.events import Activity, PayRenewalFee, Session
from cptm_rules.exceptions import InvalidInputError, PolicyError, TimingError, shown
from cptm_rules.lifecycle import mermaid_diagram
from cptm_rules.money import Money
from cptm_rules.policy import load_policy
from cptm_rules.pricing import PriceSchedule, load_prices
from cptm_rules.rule_coverage import DERIVED_STATES, status_verdicts
from cptm_rules.rules.certification import (
    CategoryHours,
    CategoryLimit,
    HoursCount,
    Period,
    activity_order,
    counted_hours,
    grace_end,
    group_hours,
    in_grace,
    ledger_for,
    minimums_met,
    qualifying_hours,
    renewal_payment,
)
from cptm_rules.serialization import from_json, to_json
from cptm_rules.vocabulary import ActivityCategory, State
from journeys import activity, certified, day, registered

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ROOT / "scenarios" / "policies"
PERIOD = Period(start=day("2027-01-20"), end=day("2029-01-20"))
CURRENT = load_policy()
WEBINAR_CAP = load_policy(POLICIES / "webinar-cap.toml")
GRACE = load_policy(POLICIES / "grace-period.toml")
PMI = load_policy(POLICIES / "pmi-style.toml")
LATE_FEE = load_prices(ROOT / "scenarios" / "prices" / "late-renewal-fee.toml")
# Both shapes at once: a cap on webinars and a minimum from courses and conferences.
LIMITS = [
    {"categories": ["webinar"], "max_hours": 25},
    {"categories": ["course", "conference"], "min_hours": 35},
]
BOTH = CURRENT.with_overrides(
    {"certification.ce_hours_required": 60, "certification.category_limits": LIMITS}
)


def act(on: str, hours: str, category: str = "webinar", id: str | None = None) -> Activity:  # noqa: A002
    return activity(on, hours, category, id).activity


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "proposal.toml"
    path.write_text('extends = "current"\n' + text, encoding="utf-8")
    return path


# -- the shapes as files -------------------------------------------------------------


def test_the_shipped_policies_give_no_category_limit_and_no_grace_period_R18_R20() -> None:
    for name in ("current", "legacy"):
        policy = load_policy(name)
        assert (policy.category_limits, policy.renewal_grace_days) == ((), 0)
    assert str(CURRENT.source_of("renewal_grace_days")).startswith(
        "certification.renewal_grace_days = 0 (R20; FAQ: "
    )
    assert load_prices().late_renewal_fee.item == "late_renewal_fee"  # type: ignore[union-attr]


def test_category_limits_are_read_from_toml_tables_in_their_order_R18(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[certification]\nce_hours_required = 60\n"
        '[[certification.category_limits]]\ncategories = ["webinar"]\nmax_hours = 25\n'
        '[[certification.category_limits]]\ncategories = ["course", "conference"]\n'
        'min_hours = "35.5"\nmax_hours = 50\n',
    )
    policy = load_policy(path)
    assert policy.category_limits == (
        CategoryLimit(categories=(ActivityCategory.WEBINAR,), max_hours=Decimal(25)),
        CategoryLimit(
            categories=(ActivityCategory.COURSE, ActivityCategory.CONFERENCE),
            min_hours=Decimal("35.5"),
            max_hours=Decimal(50),
        ),
    )
    assert policy.figures("category_limits") == (
        (
            "certification.category_limits",
            (
                "at most 25 hours from webinar, at least 35.5 and at most 50 hours from course, "
                "conference"
            ),
        ),
    )
    assert policy.source_of("category_limits").citation == str(path)


LIMIT_EXPECTED = (
    "a list of tables, each with categories (a list of activity categories) and min_hours "
    "or max_hours or both"
)


@pytest.mark.parametrize(
    ("limits", "value", "expected"),
    [
        ('"webinar"', "'webinar'", LIMIT_EXPECTED),
        ("[3]", "[3]", f"{LIMIT_EXPECTED}; table 1 is not a table"),
        (
            '[{categories = ["webinar"]}]',
            "[{'categories': ['webinar']}]",
            f"{LIMIT_EXPECTED}; table 1 gives neither min_hours nor max_hours",
        ),
        (
            "[{max_hours = 5}]",
            "[{'max_hours': 5}]",
            f"{LIMIT_EXPECTED}; table 1 names no categories",
        ),
        (
            "[{categories = [], max_hours = 5}]",
            "[{'categories': [], 'max_hours': 5}]",
            f"{LIMIT_EXPECTED}; table 1: categories: at least one category",
        ),
        (
            '[{categories = ["webinar"], max_hours = 5, cap = 2}]',
            "[{'categories': ['webinar'], 'max_hours': 5, 'cap': 2}]",
            (
                f"{LIMIT_EXPECTED}; table 1: 'cap' is not one of its keys categories, min_hours, "
                "max_hours"
            ),
        ),
        (
            '[{categories = ["webinar"], max_hours = -1}]',
            "[{'categories': ['webinar'], 'max_hours': -1}]",
            (
                f"{LIMIT_EXPECTED}; table 1: max_hours: a number of hours from 0 to 10,000 with at "
                'most 2 decimals, such as "23.75"'
            ),
        ),
        (
            '[{categories = ["webinar"], min_hours = 30, max_hours = 25}]',
            "[{'categories': ['webinar'], 'min_hours': 30, 'max_hours': 25}]",
            f"{LIMIT_EXPECTED}; table 1: min_hours 30 above max_hours 25",
        ),
        (
            (
                '[{categories = ["webinar"], max_hours = 5}, {categories = ["course", "webinar"], '
                "min_hours = 5}]"
            ),
            (
                "[{'categories': ['webinar'], 'max_hours': 5}, "
                "{'categories': ['course', 'webinar'], 'min_hours': 5}]"
            ),
            (
                f"{LIMIT_EXPECTED}; table 2: category 'webinar' is already in another group (a "
                "category belongs to one group at most)"
            ),
        ),
    ],
)
def test_a_bad_category_limit_names_the_key_the_value_and_what_is_valid_R18(
    tmp_path: Path, limits: str, value: str, expected: str
) -> None:
    path = write(tmp_path, f"[certification]\ncategory_limits = {limits}\n")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert repr(caught.value.value) == value
    assert str(caught.value) == (
        f"{path}: certification.category_limits = {shown(caught.value.value)} is not valid: "
        f"expected {expected}"
    )


def test_an_unknown_category_in_a_limit_lists_the_known_ones_R18(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[certification]\ncategory_limits = [{categories = ["nap"], max_hours = 5}]\n'
    )
    with pytest.raises(
        PolicyError, match=r"table 1: categories: a list of values from 'conference'"
    ):
        load_policy(path)


def test_a_limit_may_only_name_qualifying_categories_R18_R19(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[certification]\ncategory_limits = "
        '[{categories = ["not-industry-relevant"], max_hours = 5}]\n',
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert str(caught.value) == (
        f"{path}: certification.category_limits = 'not-industry-relevant' is not valid: "
        "expected in table 1, a category among certification.qualifying_categories (only they "
        "count, R19)"
    )


@pytest.mark.parametrize("days", [-1, 3651, "60", 1.5, True])
def test_a_bad_grace_period_is_refused_with_its_range_R20(days: object) -> None:
    with pytest.raises(PolicyError, match=r"expected a whole number from 0 to 3,650$"):
        load_policy(overrides={"certification.renewal_grace_days": days})


def test_a_policy_with_both_shapes_survives_json_and_a_copy_made_in_code_R18() -> None:
    assert from_json(to_json(BOTH), type(BOTH)) == BOTH
    again = CURRENT.with_overrides(
        {
            "certification.category_limits": BOTH.category_limits,
            "certification.ce_hours_required": 60,
        }
    )
    assert again == BOTH


def test_the_statements_show_the_limits_and_the_grace_period_in_words_R18_R20() -> None:
    r18, r20 = catalogue.RULES["R18"], catalogue.RULES["R20"]
    assert r18.statement_under(CURRENT).endswith("at most so many counted): none.")
    assert r18.statement_under(WEBINAR_CAP).endswith(
        "at most so many counted): at most 25 hours from webinar."
    )
    assert "followed by no grace period (the FAQ states none)" in r20.statement_under(CURRENT)
    assert "grace period of 60 days" in r20.statement_under(GRACE, LATE_FEE)
    assert "with the late renewal fee (50.00 USD)" in r20.statement_under(GRACE, LATE_FEE)


# -- one count, with limits ------------------------------------------------------------


def test_webinar_hours_above_the_cap_are_cut_and_the_rest_count_in_full_R18() -> None:
    activities = [act("2027-06-01", "30"), act("2027-10-04", "10", "conference")]
    assert qualifying_hours(PERIOD, activities, WEBINAR_CAP) == Decimal(35)
    assert qualifying_hours(PERIOD, activities, CURRENT) == Decimal(40)
    assert group_hours(PERIOD, activities, WEBINAR_CAP) == (Decimal(30),)
    assert group_hours(PERIOD, activities, CURRENT) == ()


def test_the_ledger_shows_each_groups_hours_what_the_cap_cut_and_what_a_minimum_lacks_R18() -> None:
    activities = [act("2027-06-01", "30"), act("2027-10-04", "20", "conference")]
    ledger = ledger_for(PERIOD, activities, [day("2028-01-05")], BOTH, as_of=day("2028-06-01"))
    webinars, education = ledger.groups
    hours = tuple(map(Decimal, (30, 25, 5, 0)))
    assert (webinars.recorded, webinars.counted, webinars.cut, webinars.short) == hours
    hours = tuple(map(Decimal, (20, 20, 0, 15)))
    assert (education.recorded, education.counted, education.cut, education.short) == hours
    assert ledger.hours == Decimal(45)
    assert not ledger.eligible
    assert ledger.missing == (
        "15 more qualifying hours (has 45 of 60)",
        "15 more hours from course, conference (has 20 of at least 35)",
    )
    assert ledger_for(PERIOD, activities, [], CURRENT, as_of=day("2028-06-01")).groups == ()


def test_a_minimum_unmet_blocks_renewal_with_enough_hours_in_all_R18() -> None:
    activities = [act("2027-06-01", "25"), act("2027-07-01", "34", "course")]
    activities += [act("2027-08-01", "10", "seminar")]
    short = ledger_for(PERIOD, activities, [day("2028-01-05")], BOTH, as_of=day("2028-06-01"))
    assert short.hours == Decimal(69)
    assert not short.eligible
    assert short.missing == ("1 more hours from course, conference (has 34 of at least 35)",)
    activities.append(act("2028-02-01", "1", "conference"))
    met = ledger_for(PERIOD, activities, [day("2028-01-05")], BOTH, as_of=day("2028-06-01"))
    assert (met.eligible, met.missing) == (True, ())


def test_a_journey_renews_only_once_the_minimum_is_met_and_says_so_R18_R20() -> None:
    journey = certified(policy=BOTH).then(
        activity("2027-06-01", "40"),
        activity("2027-07-01", "30", "course"),
    )
    paid = journey.apply(PayRenewalFee(on=day("2028-01-05")))
    assert [d.verdict for d in paid.decisions] == ["fee_paid"]
    renewing = paid.journey.apply(activity("2028-02-01", "5", "conference"))
    recorded, renewed = renewing.decisions
    assert recorded.reason == (
        "60 of 60 qualifying hours inside the period ending 2029-01-20; 40 from webinar (at "
        "most 25 counted); 35 from course, conference (at least 35 needed)"
    )
    assert dict(recorded.figures)["certification.category_limits"].startswith("at most 25")
    assert (renewed.rule_id, renewed.verdict) == ("R20", "renewed")
    assert [k for k, _ in renewed.figures] == [
        "certification.ce_hours_required",
        "certification.category_limits",
    ]
    assert renewing.journey.periods[-1].start == day("2029-01-20")


def test_counted_hours_and_minimums_are_the_formulas_the_count_uses_R18() -> None:
    limits = BOTH.category_limits
    assert counted_hours(Decimal(3), [Decimal(30), Decimal(40)], limits) == Decimal(68)
    assert minimums_met([Decimal(30), Decimal(35)], limits)
    assert not minimums_met([Decimal(30), Decimal("34.99")], limits)
    assert minimums_met([], ())
    assert str(CategoryHours(limit=limits[0], recorded=Decimal(1)).limit) == (
        "at most 25 hours from webinar"
    )


CATEGORIES = ["webinar", "course", "conference", "seminar", "not-industry-relevant"]
RECORDS = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d", "e", "f"]),
        st.integers(min_value=-30, max_value=760),
        st.sampled_from(CATEGORIES),
        st.integers(min_value=0, max_value=4000),
    ),
    max_size=30,
)


def _activity(ident: str, offset: int, category: str, centi: int) -> Activity:
    return Activity(
        id=ident,
        on=PERIOD.start + dt.timedelta(days=offset),
        hours=Decimal(centi) / 100,
        category=category,
    )


@settings(max_examples=200, deadline=None)
@given(RECORDS)
def test_the_kept_count_equals_the_recount_record_by_record_under_limits_R18_R19(
    records: list[tuple[str, int, str, int]],
) -> None:
    activities = [_activity(*record) for record in records]
    count = HoursCount.of(PERIOD, [], BOTH)
    for n, one in enumerate(activities, start=1):
        count = count.recorded(one, BOTH)
        assert count.hours == qualifying_hours(PERIOD, activities[:n], BOTH)
        assert count.groups == group_hours(PERIOD, activities[:n], BOTH)
        assert count.minimums_met(BOTH) == minimums_met(count.groups, BOTH.category_limits)
    again = HoursCount.of(PERIOD, activities, BOTH)
    assert (count.hours, count.groups) == (again.hours, again.groups)
    assert sorted(map(activity_order, count.counted.values())) == sorted(
        map(activity_order, again.counted.values())
    )


@settings(max_examples=200, deadline=None)
@given(RECORDS, st.sampled_from(CATEGORIES), st.integers(min_value=0, max_value=4000))
def test_recording_more_hours_never_makes_a_met_requirement_unmet_R18(
    records: list[tuple[str, int, str, int]], category: str, centi: int
) -> None:
    before = HoursCount.of(PERIOD, [_activity(*record) for record in records], BOTH)
    more = before.recorded(_activity("a-new-id", 10, category, centi), BOTH)
    assert more.hours >= before.hours
    assert all(now >= then for now, then in zip(more.groups, before.groups, strict=True))
    assert more.minimums_met(BOTH) or not before.minimums_met(BOTH)


# -- a grace period --------------------------------------------------------------------


def test_the_grace_period_ends_its_days_after_the_period_for_one_or_many_R20() -> None:
    assert grace_end(GRACE, day("2029-01-20")) == day("2029-03-21")
    assert grace_end(CURRENT, day("2029-01-20")) == day("2029-01-20")
    ends = np.array([day("2029-01-20"), day("2030-02-28")], dtype="datetime64[D]")
    days = ends.astype(np.int64)
    assert grace_end(GRACE, days, ops=ARRAY).tolist() == [
        (dt.date(2029, 3, 21) - dt.date(1970, 1, 1)).days,
        (dt.date(2030, 4, 29) - dt.date(1970, 1, 1)).days,
    ]
    on = np.array([(d - dt.date(1970, 1, 1)).days for d in (day("2029-01-19"), day("2029-03-20"))])
    assert in_grace(GRACE, days[:1].repeat(2), on, ops=ARRAY).tolist() == [False, True]
    assert in_grace(GRACE, day("2029-01-20"), day("2029-01-20"))
    assert not in_grace(GRACE, day("2029-01-20"), day("2029-03-21"))
    assert not in_grace(CURRENT, day("2029-01-20"), day("2029-01-20"))


def test_an_unrenewed_period_is_in_grace_then_lapsed_from_the_grace_periods_end_R20() -> None:
    journey = certified(policy=GRACE).then(activity("2027-06-01", "20"))
    assert journey.status_on(day("2029-01-19")).state is State.CERTIFIED
    grace = journey.status_on(day("2029-01-20"))
    assert (grace.state, grace.since, grace.rule_id) == (State.IN_GRACE, day("2029-01-20"), "R20")
    assert grace.reason == (
        "the period 2027-01-20..2029-01-20 ended with R18 unmet; in its 60-day grace period, "
        "the renewal fee is accepted with the late renewal fee until 2029-03-20"
    )
    assert journey.status_on(day("2029-03-20")).state is State.IN_GRACE
    lapsed = journey.status_on(day("2029-03-21"))
    assert (lapsed.state, lapsed.since) == (State.LAPSED, day("2029-03-21"))
    assert lapsed.reason == (
        "the period 2027-01-20..2029-01-20 ended with R18 unmet, and so did its 60-day grace "
        "period on 2029-03-21"
    )
    assert status_verdicts(grace) == {("R20", "in_grace")}
    assert "in_grace" in DERIVED_STATES


def test_the_fee_paid_in_grace_renews_from_the_old_end_and_charges_the_late_fee_R18_R20() -> None:
    journey = certified(policy=GRACE, prices=LATE_FEE).then(activity("2027-06-01", "24"))
    outcome = journey.apply(PayRenewalFee(on=day("2029-02-19")))
    late, renewal = outcome.decisions
    assert (late.rule_id, late.verdict, late.fee) == ("R20", "paid_in_grace", Money.of("50"))
    assert late.dates == (
        ("paid", day("2029-02-19")),
        ("period ended", day("2029-01-20")),
        ("last day of grace", day("2029-03-20")),
    )
    assert [(e.rule_id, e.amount) for e in outcome.effects] == [
        ("R18", Money.of("150")),
        ("R20", Money.of("50")),
    ]
    assert (renewal.rule_id, renewal.verdict) == ("R20", "renewed")
    assert renewal.reason.endswith("the previous end, in the grace period, with no gap")
    assert outcome.journey.periods[-1] == Period(start=day("2029-01-20"), end=day("2031-01-20"))
    assert outcome.journey.status_on(day("2029-02-19")).state is State.CERTIFIED


def test_one_payment_renews_one_period_even_when_paid_inside_the_next_R18_R20() -> None:
    journey = certified(policy=GRACE, prices=LATE_FEE).then(
        activity("2027-06-01", "24"),
        PayRenewalFee(on=day("2029-02-19")),
        activity("2029-06-01", "24", id="second-period"),
    )
    assert len(journey.periods) == 2  # the late payment renewed the first period only
    ledger = journey.ledger(as_of=day("2029-06-01"))
    assert (ledger.hours, ledger.fee_paid_on) == (Decimal(24), None)
    assert ledger.missing == ("the renewal fee paid inside the period",)
    payments = [day("2029-02-19"), day("2029-03-01")]
    first, second = journey.periods
    assert renewal_payment(GRACE, second, payments, previous=first) == day("2029-03-01")
    assert renewal_payment(GRACE, second, payments) == day("2029-02-19")
    renewed = journey.apply(PayRenewalFee(on=day("2029-07-01")))
    assert [d.verdict for d in renewed.decisions] == ["fee_paid", "renewed"]


def test_hours_dated_after_the_end_never_count_for_the_period_that_ended_R18_R20() -> None:
    journey = certified(policy=GRACE).then(activity("2027-06-01", "20"))
    late = journey.apply(activity("2029-02-01", "4"))
    (decision,) = late.decisions
    assert (decision.rule_id, decision.verdict) == ("R20", "not_counted")
    assert decision.reason.endswith("unless a renewal starts the next one on 2029-01-20")
    paid = late.journey.apply(PayRenewalFee(on=day("2029-02-02")))
    assert [d.verdict for d in paid.decisions] == ["paid_in_grace"]  # 20 hours: no renewal
    backfilled = paid.journey.apply(activity("2028-12-01", "4", id="dated-inside"))
    assert [d.verdict for d in backfilled.decisions] == ["recorded", "renewed"]


def test_the_fee_after_the_grace_period_is_refused_naming_its_last_day_R20() -> None:
    journey = certified(policy=GRACE).then(activity("2027-06-01", "24"))
    with pytest.raises(TimingError) as caught:
        journey.apply(PayRenewalFee(on=day("2029-03-21")))
    assert (caught.value.rule_id, caught.value.limit, caught.value.days) == (
        "R20",
        day("2029-03-20"),
        1,
    )
    assert "1 day too late: the credential lapsed: the grace period's last day was 2029-03-20" in (
        str(caught.value)
    )
    after = journey.apply(activity("2029-04-01", "1"))
    assert after.decisions[0].reason.endswith(
        "after the credential lapsed on 2029-03-21: it counts toward no period"
    )


def test_without_grace_the_fee_after_the_end_is_refused_as_before_R20() -> None:
    journey = certified().then(activity("2027-06-01", "24"))
    with pytest.raises(TimingError) as caught:
        journey.apply(PayRenewalFee(on=day("2029-01-20")))
    assert "the credential lapsed: the period's last day was 2029-01-19 (R20)" in str(caught.value)


def test_the_ledger_in_grace_counts_the_late_payment_for_the_period_that_ended_R18_R20() -> None:
    hours = [act("2027-06-01", "24")]
    paid = [day("2029-02-19")]
    late = ledger_for(PERIOD, hours, paid, GRACE, as_of=day("2029-02-19"))
    assert (late.fee_paid_on, late.eligible) == (day("2029-02-19"), True)
    assert ledger_for(PERIOD, hours, paid, CURRENT, as_of=day("2029-02-19")).fee_paid_on is None


def test_the_state_diagram_shows_the_grace_period_R20() -> None:
    diagram = mermaid_diagram()
    assert (
        "certified --> in_grace: time: period ends with R18 unmet, a grace period given (R20)"
        in (diagram)
    )
    assert "in_grace --> lapsed: time: grace period ends with R18 unmet (R20)" in diagram


# -- the example files against current --------------------------------------------------


NY = ZoneInfo("America/New_York")


def _candidate(ident: str, activities: list[tuple[str, str, str]], paid: str) -> Candidate:
    return Candidate(
        id=ident,
        registered_at=dt.datetime(2026, 11, 2, 9, 30, tzinfo=NY),
        practicum=Session(first_day=day("2027-01-11"), last_day=day("2027-01-14")),
        attempts=((day("2027-01-20"), True),),
        activities=tuple(
            Activity(id=f"{ident}-{n}", on=day(on), hours=Decimal(hours), category=category)
            for n, (on, hours, category) in enumerate(activities)
        ),
        renewal_payments=(day(paid),),
    )


COHORT = (
    # 30 webinar hours and 10 at a conference; the fee paid early.
    _candidate(
        "webinars",
        [("2027-06-01", "30", "webinar"), ("2027-10-04", "10", "conference")],
        "2028-06-01",
    ),
    # 24 hours; the fee paid a month after the period's end.
    _candidate("late", [("2027-06-01", "24", "webinar")], "2029-02-19"),
    # 40 hours of courses; the fee paid early.
    _candidate("courses", [("2027-06-01", "40", "course")], "2028-02-19"),
)


def _moved(base: object, candidate: object, prices: object = "shipped") -> dict[str, set[str]]:
    result = diff_policies(COHORT, base=base, candidate=candidate, prices=prices, workers=1)  # type: ignore[arg-type]
    moved: dict[str, set[str]] = {}
    for answer in result.answers:
        moved[answer.answer] = {example[0] for example in answer.examples}
    return moved


def test_the_webinar_cap_alone_moves_only_the_renewal_of_the_webinar_heavy_candidate_R18() -> None:
    forty = CURRENT.with_overrides({"certification.ce_hours_required": 40})
    moved = _moved(forty, POLICIES / "webinar-cap.toml")
    assert moved["renewal fee 1 (2)"] == {"webinars"}  # renewed under 40 hours, not under the cap
    assert set().union(*moved.values()) == {"webinars"}
    against_current = _moved("current", POLICIES / "webinar-cap.toml")
    assert against_current["renewal fee 1 (2)"] == {"webinars"}


def test_the_grace_period_moves_the_late_payment_from_refused_to_renewed_R20() -> None:
    moved = _moved("current", POLICIES / "grace-period.toml", LATE_FEE)
    assert moved["renewal fee 1"] == {"late"}
    assert moved["renewal fee 1 (2)"] == {"late"}
    assert moved["key date period_end 2"] == {"late"}


def test_pmi_style_requirements_move_every_period_and_the_education_minimum_R17_R18() -> None:
    moved = _moved("current", POLICIES / "pmi-style.toml")
    assert moved["key date period_end 1"] == {"webinars", "late", "courses"}
    # 40 course hours are short of 60 in all; no candidate renews under 60.
    assert moved["renewal fee 1 (2)"] == {"webinars", "courses"}
    sixty = CURRENT.with_overrides(
        {"certification.ce_hours_required": 40, "certification.certification_period_years": 3}
    )
    minimum = _moved(
        sixty,
        CURRENT.with_overrides(
            {
                "certification.ce_hours_required": 40,
                "certification.certification_period_years": 3,
                "certification.category_limits": PMI.category_limits,
            }
        ),
    )
    assert minimum["renewal fee 1 (2)"] == {"webinars"}  # 30 education hours of 35


def test_writing_the_shipped_defaults_out_in_a_file_moves_no_answer_R18_R20(tmp_path: Path) -> None:
    path = write(tmp_path, "[certification]\ncategory_limits = []\nrenewal_grace_days = 0\n")
    assert _moved("current", path) == {}
    assert (
        _moved(
            "legacy", load_policy("legacy").with_overrides({"certification.renewal_grace_days": 0})
        )
        == {}
    )


def test_a_price_schedule_without_a_late_fee_leaves_it_unknown_R20() -> None:
    schedule = PriceSchedule.from_toml('extends = "shipped"\nrenewal_fee = "150"\n')
    journey = certified(policy=GRACE, prices=schedule).then(activity("2027-06-01", "24"))
    late = journey.apply(PayRenewalFee(on=day("2029-02-01"))).decisions[0]
    assert (
        str(late.fee)
        == "unknown (late_renewal_fee: no public source gives it; supply a price schedule)"
    )


def test_a_policy_built_in_code_with_bad_limits_is_refused_by_the_figures_check_R18() -> None:
    with pytest.raises(
        PolicyError, match=r"^current\.toml: certification\.category_limits = \[3\] is not valid"
    ):
        attrs.evolve(CURRENT, category_limits=[3])  # type: ignore[arg-type]  # wrong on purpose


def test_an_early_renewal_under_a_grace_policy_leaves_the_next_periods_fee_alone_R18_R20() -> None:
    journey = certified(policy=GRACE).then(
        activity("2027-06-01", "24"),
        PayRenewalFee(on=day("2028-06-01")),
        PayRenewalFee(on=day("2029-02-01")),
    )
    first, second = journey.periods
    assert second.start == first.end
    assert journey.ledger(as_of=day("2029-02-01")).fee_paid_on == day("2029-02-01")
    assert journey.qualifying_hours(first) == Decimal(24)
    assert journey.qualifying_hours(second) == Decimal(0)


def test_a_late_renewals_fee_is_the_first_periods_in_its_ledger_and_not_the_seconds_R18_R20() -> (
    None
):
    journey = certified(policy=GRACE).then(
        activity("2027-06-01", "24"), PayRenewalFee(on=day("2029-02-01"))
    )
    first, second = journey.periods
    # The payment is dated inside the second period, which the late renewal started.
    assert second.contains(day("2029-02-01"))
    first_ledger = journey.ledger(as_of=day("2029-02-01"), period=first)
    assert (first_ledger.fee_paid_on, first_ledger.hours) == (day("2029-02-01"), Decimal(24))
    second_ledger = journey.ledger(as_of=day("2029-02-01"))
    assert second_ledger.period == second
    assert (second_ledger.fee_paid_on, second_ledger.hours) == (None, Decimal(0))


def test_a_ledger_of_a_period_of_ones_own_making_counts_with_no_period_before_it_R18_R20() -> None:
    journey = certified(policy=GRACE).then(
        activity("2027-06-01", "24"), PayRenewalFee(on=day("2028-06-01"))
    )
    assert len(journey.periods) == 2  # renewed early
    # Not a period of the journey: no period before it, so no payment is set aside.
    own = Period(start=day("2028-01-01"), end=day("2030-01-01"))
    ledger = journey.ledger(as_of=day("2028-07-01"), period=own)
    assert (ledger.period, ledger.fee_paid_on) == (own, day("2028-06-01"))


def test_a_ledger_asked_wrongly_says_the_field_the_value_and_what_is_valid_R16_R17() -> None:
    journey = certified()
    cases: list[tuple[Callable[[], object], str]] = [
        (
            lambda: journey.ledger(as_of="2028-01-01"),  # type: ignore[arg-type]  # wrong on purpose
            "as_of='2028-01-01' is not valid: expected a datetime.date",
        ),
        (
            lambda: journey.ledger(as_of=day("2027-01-19")),
            (
                "as_of=datetime.date(2027, 1, 19) is not valid: expected a date on or after the "
                "certification date 2027-01-20, when the first period starts (R17)"
            ),
        ),
        (
            lambda: journey.ledger(as_of=day("2028-01-01"), period="x"),  # type: ignore[arg-type]
            "period='x' is not valid: expected a Period of this journey, or None",
        ),
    ]
    for call, message in cases:
        with pytest.raises(InvalidInputError) as refused:
            call()
        assert str(refused.value) == message
    with pytest.raises(InvalidInputError) as refused:
        registered().ledger(as_of=day("2028-01-01"))
    assert str(refused.value) == (
        "journey='registered' is not valid: expected a certified journey (the ledger starts at R16)"
    )


def test_renewals_counted_alone_is_deprecated_and_still_answers_whether_grace_is_given_R20() -> (
    None
):
    from cptm_rules.rules.certification import renewals_counted_alone  # noqa: PLC0415

    graced = load_policy().with_overrides({"certification.renewal_grace_days": 30})
    limited = load_policy().with_overrides(
        {"certification.category_limits": [{"categories": ["course"], "max_hours": 10}]}
    )
    with pytest.warns(DeprecationWarning, match="^renewals_counted_alone is deprecated") as seen:
        assert renewals_counted_alone(load_policy()) is True
    said = (
        "renewals_counted_alone is deprecated: the batch path answers every policy's "
        "renewals; read policy.renewal_grace_days and policy.category_limits instead"
    )
    assert [str(w.message) for w in seen] == [said]
    for other in (graced, limited):
        with pytest.warns(DeprecationWarning, match="renewals_counted_alone is deprecated"):
            assert renewals_counted_alone(other) is False


# -- a category limit at its bounds, and the checks of its table (mutation survivors) --


def test_a_category_cap_counts_hours_up_to_it_and_a_floor_is_met_at_it_exactly_R18() -> None:
    limit = CategoryLimit(
        categories=(ActivityCategory.WEBINAR,), min_hours=Decimal(5), max_hours=Decimal(25)
    )
    hundredths = np.array([2400, 2500, 2501, 2510, 2600, 499, 500])
    assert limit.counted_in(ARRAY, hundredths).tolist() == [
        2400, 2500, 2500, 2500, 2500, 499, 500,
    ]  # fmt: skip
    assert limit.reached_in(ARRAY, hundredths).tolist() == [
        True, True, True, True, True, False, True,
    ]  # fmt: skip
    assert limit.counted(Decimal("25.10")) == Decimal(25)
    assert limit.short(Decimal("4.99")) == Decimal("0.01")


def test_a_category_limit_may_count_exactly_the_hours_it_asks_and_names_a_bad_bound_R18() -> None:
    policy = load_policy().with_overrides(
        {
            "certification.category_limits": [
                {"categories": ["webinar"], "min_hours": 5, "max_hours": 5}
            ]
        }
    )
    assert policy.category_limits[0].min_hours == policy.category_limits[0].max_hours == 5
    with pytest.raises(PolicyError, match=r"table 1: min_hours: "):
        load_policy().with_overrides(
            {"certification.category_limits": [{"categories": ["webinar"], "min_hours": "five"}]}
        )


def test_a_grace_period_of_one_day_is_a_grace_period_R20() -> None:
    from cptm_rules.rules.certification import grace_period_given  # noqa: PLC0415

    one_day = load_policy().with_overrides({"certification.renewal_grace_days": 1})
    assert grace_period_given(one_day, load_prices())
    assert not grace_period_given(load_policy(), load_prices())


def test_the_deprecated_renewal_test_warns_at_its_callers_line() -> None:
    from cptm_rules.rules.certification import renewals_counted_alone  # noqa: PLC0415

    with pytest.warns(DeprecationWarning, match=r"^renewals_counted_alone is deprecated") as seen:
        assert renewals_counted_alone(load_policy())
    assert [w.filename for w in seen] == [__file__]
