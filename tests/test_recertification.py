from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cptm_rules.events import Activity, PayRenewalFee
from cptm_rules.policy import load_policy
from cptm_rules.rules import certification
from cptm_rules.rules.certification import (
    ActivityIndex,
    HoursCount,
    Period,
    first_fee_payment,
    ledger_for,
    period_from,
    qualifying_hours,
    unique_activities,
)
from cptm_rules.vocabulary import ActivityCategory, State
from journeys import activity, certified, day

POLICY = load_policy()
PERIOD = Period(start=day("2027-01-20"), end=day("2029-01-20"))


def act(on: str, hours: str, category: str = "webinar", id: str | None = None) -> Activity:  # noqa: A002
    return activity(on, hours, category, id).activity


def test_an_activity_dated_on_the_periods_end_belongs_to_the_next_period_R17() -> None:
    on_end = act("2029-01-20", "24")
    ledger = ledger_for(PERIOD, [on_end], [day("2028-06-01")], POLICY, as_of=day("2029-01-20"))
    assert ledger.hours == 0
    assert ledger.not_counted == ((on_end, "outside the period (R17)"),)
    following = period_from(PERIOD.end, POLICY)
    assert ledger_for(following, [on_end], [], POLICY, as_of=day("2029-02-01")).hours == 24


def test_23_75_hours_are_not_enough_and_24_are_R18() -> None:
    fee = [day("2028-01-05")]
    short = ledger_for(PERIOD, [act("2027-05-01", "23.75")], fee, POLICY, as_of=day("2028-06-01"))
    assert not short.eligible
    assert short.hours_needed == Decimal("0.25")
    assert short.missing == ("0.25 more qualifying hours (has 23.75 of 24)",)
    enough = ledger_for(PERIOD, [act("2027-05-01", "24")], fee, POLICY, as_of=day("2028-06-01"))
    assert enough.eligible
    assert enough.missing == ()


def test_the_fee_must_be_paid_inside_the_period_R18() -> None:
    hours = [act("2027-05-01", "24")]
    day_before = ledger_for(PERIOD, hours, [day("2029-01-19")], POLICY, as_of=day("2029-01-19"))
    on_end = ledger_for(PERIOD, hours, [day("2029-01-20")], POLICY, as_of=day("2029-01-20"))
    assert day_before.eligible
    assert not on_end.eligible
    assert on_end.missing == ("the renewal fee paid inside the period",)
    assert first_fee_payment(PERIOD, [day("2029-01-20"), day("2028-03-01")]) == day("2028-03-01")


def test_renewal_paid_one_day_before_the_end_renews_and_on_the_end_lapses_R18_R20() -> None:
    journey = certified().then(activity("2027-06-01", "24"))
    renewed = journey.then(PayRenewalFee(on=day("2029-01-19")))
    assert renewed.periods[-1].start == day("2029-01-20")
    assert renewed.status_on(day("2029-01-20")).state is State.CERTIFIED
    assert journey.status_on(day("2029-01-20")).state is State.LAPSED


def test_hours_never_carry_over_to_the_next_period_R18() -> None:
    journey = certified().then(activity("2027-06-01", "40"), PayRenewalFee(on=day("2027-07-01")))
    second = journey.periods[1]
    ledger = journey.ledger(as_of=day("2029-06-01"))
    assert ledger.period == second
    assert ledger.hours == 0
    assert journey.status_on(day("2031-01-20")).state is State.LAPSED


def test_alumni_offerings_count_and_cost_nothing_R19() -> None:
    ledger = ledger_for(
        PERIOD,
        [act("2027-05-01", "20", "alumni-roundtable"), act("2027-06-01", "4", "conference")],
        [],
        POLICY,
        as_of=day("2028-01-01"),
    )
    assert ledger.hours == 24
    assert ledger.free_hours == 20
    assert ActivityCategory.ALUMNI_ROUNDTABLE in POLICY.free_categories


def test_days_left_counts_to_the_periods_end() -> None:
    ledger = ledger_for(PERIOD, [], [], POLICY, as_of=day("2029-01-10"))
    assert ledger.days_left == 10
    assert ledger_for(PERIOD, [], [], POLICY, as_of=day("2029-02-10")).days_left == 0


activities = st.lists(
    st.builds(
        Activity,
        id=st.sampled_from([f"a{i}" for i in range(8)]),
        on=st.dates(min_value=dt.date(2026, 6, 1), max_value=dt.date(2029, 6, 1)),
        hours=st.decimals(min_value=0, max_value=12, places=2),
        category=st.sampled_from(ActivityCategory),
    ),
    max_size=12,
)
payments = st.lists(
    st.dates(min_value=dt.date(2026, 6, 1), max_value=dt.date(2029, 6, 1)), max_size=3
)
AS_OF = day("2029-06-01")


@given(recorded=activities, paid=payments, data=st.data())
def test_the_order_of_recording_never_changes_the_ledger_R19(
    recorded: list[Activity], paid: list[dt.date], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(recorded))
    first = ledger_for(PERIOD, recorded, paid, POLICY, as_of=AS_OF)
    second = ledger_for(PERIOD, shuffled, list(reversed(paid)), POLICY, as_of=AS_OF)
    assert first == second
    assert qualifying_hours(PERIOD, shuffled, POLICY) == first.hours


@given(
    recorded=activities,
    paid=payments,
    extra_on=st.one_of(
        st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2027, 1, 19)),
        st.dates(min_value=dt.date(2029, 1, 20), max_value=dt.date(2035, 1, 1)),
    ),
    hours=st.decimals(min_value=0, max_value=100, places=2),
)
def test_non_qualifying_or_outside_activities_never_change_eligibility_R19(
    recorded: list[Activity], paid: list[dt.date], extra_on: dt.date, hours: Decimal
) -> None:
    before = ledger_for(PERIOD, recorded, paid, POLICY, as_of=AS_OF)
    outside = Activity(id="outside", on=extra_on, hours=hours, category="webinar")
    irrelevant = Activity(
        id="irrelevant", on=day("2028-01-01"), hours=hours, category="not-industry-relevant"
    )
    after = ledger_for(PERIOD, [*recorded, outside, irrelevant], paid, POLICY, as_of=AS_OF)
    assert after.eligible == before.eligible
    assert after.hours == before.hours


def test_hours_and_the_fee_count_from_the_first_day_up_to_not_including_the_end_R17_R18() -> None:
    on_start, before_end, on_end = (
        act("2027-01-20", "1", id="a"),
        act("2029-01-19", "2", id="b"),
        act("2029-01-20", "4", id="c"),
    )
    assert qualifying_hours(PERIOD, [on_start, before_end, on_end], POLICY) == Decimal(3)
    assert first_fee_payment(PERIOD, [day("2027-01-20")]) == day("2027-01-20")
    assert first_fee_payment(PERIOD, [day("2029-01-20")]) is None
    assert first_fee_payment(PERIOD, [day("2029-01-19"), day("2028-01-01")]) == day("2028-01-01")


def test_an_empty_ledger_counts_exact_zero_hours_R18() -> None:
    ledger = ledger_for(PERIOD, [], [], POLICY, as_of=day("2027-06-01"))
    assert (ledger.hours, ledger.free_hours) == (Decimal(0), Decimal(0))
    assert isinstance(ledger.hours, Decimal)
    assert isinstance(ledger.free_hours, Decimal)
    assert isinstance(qualifying_hours(PERIOD, [], POLICY), Decimal)


INDEX_IDS = st.sampled_from([f"id-{n}" for n in range(40)])
HASHES = {
    "python's own": None,
    "all equal": lambda _key: 0,  # every id in one list below the last level
    "equal but the top bits": lambda key: (sum(map(ord, key)) % 8) << 59,  # paths to the bottom
    "four values": lambda key: sum(map(ord, key)) % 4,
}


@pytest.mark.parametrize("name", list(HASHES))
@given(
    records=st.lists(
        st.tuples(INDEX_IDS, st.integers(0, 30), st.sampled_from(["webinar", "conference"])),
        max_size=80,
    )
)
def test_the_activity_index_keeps_the_copy_of_each_id_that_counts_whatever_the_hashes(
    name: str, records: list[tuple[str, int, str]]
) -> None:
    activities = [
        Activity(
            id=ident,
            on=day("2027-02-01") + dt.timedelta(days=offset),
            hours=Decimal(1),
            category=category,
        )
        for ident, offset, category in records
    ]
    with pytest.MonkeyPatch.context() as patch:
        weak = HASHES[name]
        if weak is not None:
            patch.setattr(ActivityIndex, "_hash", staticmethod(weak))
        expected = unique_activities(activities)
        index = ActivityIndex()
        versions = [index]
        for each in activities:
            index = index.recorded(each)
            versions.append(index)
        assert index.size == len(expected)
        assert {a.id: a for a in index.values()} == expected
        assert all(index.get(ident) == kept for ident, kept in expected.items())
        assert index.get("never-recorded") is None
        assert ActivityIndex(activities).size == len(expected)
        # Every earlier version still answers as it did: recording never changed one.
        for n, version in enumerate(versions):
            assert {a.id: a for a in version.values()} == unique_activities(activities[:n])


def test_recording_a_copy_that_does_not_count_returns_the_same_index() -> None:
    first = Activity(id="a", on=day("2027-02-01"), hours=Decimal(2), category="webinar")
    later = Activity(id="a", on=day("2027-03-01"), hours=Decimal(5), category="webinar")
    index = ActivityIndex([first])
    assert index.recorded(later) is index
    assert index.recorded(first) is index
    earlier = ActivityIndex([later]).recorded(first)
    assert (earlier.get("a"), earlier.size) == (first, 1)


def test_a_short_index_is_a_plain_tuple_of_leaves_until_one_id_too_many_makes_it_a_trie() -> None:
    short = certification._SHORT_INDEX  # noqa: SLF001  # the structure under test
    activities = [
        Activity(id=f"id-{n}", on=day("2027-02-01"), hours=Decimal(1), category="webinar")
        for n in range(short + 4)
    ]
    versions = [ActivityIndex()]
    for each in activities:
        versions.append(versions[-1].recorded(each))
    for n, version in enumerate(versions):
        assert version.size == n
        # A plain tuple, in the order recorded, up to the few ids; a trie past them.
        if n <= short:
            assert version.bitmap == 0
            assert [leaf[2] for leaf in version.entries] == activities[:n]  # type: ignore[index]
        else:
            assert version.bitmap != 0
        assert all(version.get(a.id) == a for a in activities[:n])
        assert all(version.get(a.id) is None for a in activities[n:])
        assert {a.id: a for a in version.values()} == unique_activities(activities[:n])


def test_an_earlier_copy_takes_its_ids_place_in_a_short_index_the_one_before_keeps_its_own() -> (
    None
):
    def copy(ident: str, on: str, hours: int) -> Activity:
        return Activity(id=ident, on=day(on), hours=Decimal(hours), category="webinar")

    before = ActivityIndex([copy("a", "2027-02-01", 1), copy("b", "2027-03-01", 2)])
    before = before.recorded(copy("c", "2027-04-01", 3))
    earlier_b = copy("b", "2027-02-15", 5)
    after = before.recorded(earlier_b)
    assert (after.bitmap, after.size) == (0, 3)
    assert [leaf[0] for leaf in after.entries] == ["a", "b", "c"]  # type: ignore[index]
    assert after.get("b") == earlier_b
    assert before.get("b") == copy("b", "2027-03-01", 2)


def test_a_count_kept_without_category_limits_is_a_count_like_one_built_by_its_fields() -> None:
    count = HoursCount.of(PERIOD, [], POLICY)
    assert count == HoursCount(period=PERIOD, hours=Decimal(0), counted=count.counted, groups=())
    more = count.recorded(act("2027-05-01", "6"), POLICY)
    assert type(more) is HoursCount
    assert more == HoursCount(period=PERIOD, hours=Decimal(6), counted=more.counted)
    assert (more.period, more.hours, more.groups) == (PERIOD, Decimal(6), ())
    assert str(more.hours) == "6"


@given(
    records=st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "d"]),
            st.integers(-30, 760),
            st.integers(0, 40),
            st.sampled_from(["webinar", "conference", "not-industry-relevant", "alumni-event"]),
        ),
        max_size=25,
    )
)
def test_the_count_kept_record_by_record_is_the_count_from_scratch(
    records: list[tuple[str, int, int, str]],
) -> None:
    activities = [
        Activity(
            id=ident,
            on=PERIOD.start + dt.timedelta(days=offset),
            hours=Decimal(quarters) / 4,
            category=category,
        )
        for ident, offset, quarters, category in records
    ]
    count = HoursCount.of(PERIOD, [], POLICY)
    for n, each in enumerate(activities, start=1):
        count = count.recorded(each, POLICY)
        assert count.hours == qualifying_hours(PERIOD, activities[:n], POLICY)
    assert count.hours == HoursCount.of(PERIOD, activities, POLICY).hours
    assert {a.id: a for a in count.counted.values()} == unique_activities(activities)


def test_the_old_module_warns_and_gives_the_same_names() -> None:
    sys.modules.pop("cptm_rules.recertification", None)
    with pytest.warns(DeprecationWarning, match=r"import from cptm_rules\.rules\.certification"):
        import cptm_rules.recertification as old  # noqa: PLC0415  # the import is under test
    assert old.__all__
    assert all(getattr(old, name) is getattr(certification, name) for name in old.__all__)


def test_the_old_module_gives_the_names_of_the_requirements_as_data_too_R18_R20() -> None:
    sys.modules.pop("cptm_rules.recertification", None)
    with pytest.warns(DeprecationWarning, match=r"cptm_rules\.recertification is deprecated"):
        import cptm_rules.recertification as old  # noqa: PLC0415  # the import is under test
    for name in ("CategoryLimit", "CategoryHours", "grace_end", "renewal_payment", "group_hours"):
        assert getattr(old, name) is getattr(certification, name)
