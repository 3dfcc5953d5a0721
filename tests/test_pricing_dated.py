"""Dated price schedules: a registration is charged by the schedule in force on its date."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

from cptm_rules.cli import main
from cptm_rules.cohort import diff_policies, synthetic_cohort
from cptm_rules.events import (
    Cancel,
    RecordAttendance,
    Register,
    Registration,
    RequestChange,
    Session,
    Substitute,
)
from cptm_rules.exceptions import PolicyError
from cptm_rules.lifecycle import Journey
from cptm_rules.money import Money
from cptm_rules.policy import load_policy
from cptm_rules.pricing import PriceSchedule, load_prices, quote

ROOT = Path(__file__).resolve().parents[1]
DATED = ROOT / "scenarios" / "prices" / "from-2027-07.toml"
USER = ROOT / "scenarios" / "prices" / "example-user-prices.toml"
JULY = dt.date(2027, 7, 1)


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def refusal(path: Path) -> str:
    with pytest.raises(PolicyError) as caught:
        load_prices(path)
    return str(caught.value)


def registration(at: str, practicum: str = "2027-09-13..2027-09-16") -> Register:
    return Register(
        registration=Registration(
            email="candidate@example.org",
            registered_at=dt.datetime.fromisoformat(at),
            session=Session.parse(practicum),
        )
    )


def registered(prices: PriceSchedule, at: str) -> Journey:
    return Journey.new(prices=prices).apply(registration(at)).journey


# -- versions ----------------------------------------------------------------------------


def test_a_dated_schedule_is_in_force_from_its_date_and_the_one_it_extends_before() -> None:
    dated = load_prices(DATED)
    assert (dated.name, dated.effective_from, dated.class_change_fee) == (
        "from-2027-07",
        JULY,
        usd("250"),
    )
    assert dated.label == "from-2027-07, in force from 2027-07-01"
    assert dated.in_force_on(JULY) is dated
    assert dated.in_force_on(dt.date(2030, 1, 1)) is dated
    before = dated.in_force_on(dt.date(2027, 6, 30))
    assert before is dated.earlier
    assert before.label == "shipped, in force before 2027-07-01"
    assert before == load_prices()  # the shipped figures, only dated
    assert before.class_change_fee == usd("400")
    assert (dated.dated, before.dated, load_prices().dated) == (True, True, False)


def test_an_undated_schedule_reads_as_before_and_is_in_force_on_every_date() -> None:
    shipped, user = load_prices(), load_prices(USER)
    assert (shipped.label, user.label) == ("shipped", "example-user-prices")
    assert (user.effective_from, user.earlier, user.until) == (None, None, None)
    assert user.in_force_on(dt.date(2020, 1, 1)) is user
    assert user == PriceSchedule.from_toml(USER.read_text(encoding="utf-8"))


def test_versions_chain_through_user_files_each_keeping_its_own_date(tmp_path: Path) -> None:
    write(tmp_path, "2026.toml", 'extends = "shipped"\nprogram_price = "2495"\n')
    write(
        tmp_path,
        "2027/july.toml",
        'extends = "../2026.toml"\neffective_from = 2027-07-01\nclass_change_fee = "250"\n',
    )
    top = write(
        tmp_path,
        "2028.toml",
        'extends = "./2027/july.toml"\neffective_from = 2028-01-01\nrenewal_fee = "150"\n',
    )
    latest = load_prices(top)
    assert (latest.program_price, latest.class_change_fee, latest.renewal_fee) == (
        usd("2495"),
        usd("250"),
        usd("150"),
    )
    labels = {
        day: latest.in_force_on(dt.date.fromisoformat(day)).label
        for day in ("2027-06-30", "2027-07-01", "2027-12-31", "2028-01-01")
    }
    assert labels == {
        "2027-06-30": "2026, in force before 2027-07-01",
        "2027-07-01": "july, in force from 2027-07-01 before 2028-01-01",
        "2027-12-31": "july, in force from 2027-07-01 before 2028-01-01",
        "2028-01-01": "2028, in force from 2028-01-01",
    }
    july = latest.in_force_on(JULY)
    assert (july.class_change_fee, july.renewal_fee) == (usd("250"), load_prices().renewal_fee)
    undated = write(tmp_path, "tweak.toml", 'extends = "2028.toml"\nrenewal_fee = "175"\n')
    assert load_prices(undated).in_force_on(dt.date(2020, 1, 1)).renewal_fee == usd("175")


# -- refusals ----------------------------------------------------------------------------


def test_a_dated_schedule_that_extends_nothing_cannot_charge_an_earlier_registration(
    tmp_path: Path,
) -> None:
    full = write(
        tmp_path,
        "full.toml",
        'currency = "USD"\nprogram_price = "unknown"\nrenewal_fee = "unknown"\n'
        'class_change_fee = "400"\nadministrative_fee = "100"\neffective_from = 2027-07-01\n',
    )
    schedule = load_prices(full)
    assert schedule.in_force_on(JULY) is schedule
    with pytest.raises(PolicyError) as caught:
        schedule.in_force_on(dt.date(2027, 3, 1))
    assert str(caught.value) == (
        f"{full}: effective_from = datetime.date(2027, 7, 1) is not valid: expected a date on "
        'or before the registration date 2027-03-01; or extends = "shipped" (or a price file), '
        "the schedule in force before it"
    )
    with pytest.raises(PolicyError, match=r"registration date 2027-03-01"):
        registered(schedule, "2027-03-01T10:00:00-05:00")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            'effective_from = "soon"',
            "effective_from = 'soon' is not valid: expected a date such as",
        ),
        (
            "effective_from = 2027-07-01T00:00:00",
            "effective_from = datetime.datetime(2027, 7, 1, 0, 0) is not valid: expected a date",
        ),
    ],
)
def test_an_effective_date_must_be_a_date(tmp_path: Path, line: str, expected: str) -> None:
    path = write(tmp_path, "p.toml", f'extends = "shipped"\n{line}\n')
    assert expected in refusal(path)


def test_a_version_must_take_effect_after_the_one_it_extends(tmp_path: Path) -> None:
    write(tmp_path, "july.toml", 'extends = "shipped"\neffective_from = 2027-07-01\n')
    earlier = write(tmp_path, "june.toml", 'extends = "july.toml"\neffective_from = 2027-06-01\n')
    assert refusal(earlier) == (
        f"{earlier}: effective_from = datetime.date(2027, 6, 1) is not valid: expected a date "
        "after 2027-07-01, when july (the version this file extends) takes effect"
    )


def test_a_price_file_may_not_extend_one_outside_its_tree_or_itself(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    write(tmp_path, "outside.toml", 'extends = "shipped"\n')
    climbs = write(tree, "climbs.toml", 'extends = "../outside.toml"\n')
    assert refusal(climbs) == (
        f"{climbs}: extends = '../outside.toml' is not valid: expected a file inside the folder "
        f"{tree}, the folder of the first file read, named relative to this file; "
        "not a path that leads out of it"
    )
    (tree / "link.toml").symlink_to(tmp_path / "outside.toml")
    linked = write(tree, "linked.toml", 'extends = "link.toml"\n')
    assert refusal(linked).endswith("not a path that leads out of it")
    first = write(tree, "a.toml", 'extends = "b.toml"\n')
    write(tree, "b.toml", 'extends = "a.toml"\n')
    assert refusal(first).endswith(
        "expected a file that does not extend this one again (a cycle: a.toml -> b.toml -> a.toml)"
    )
    missing = write(tree, "m.toml", 'extends = "gone.toml"\n')
    assert refusal(missing).endswith("expected an existing .toml price file (no such file)")
    policy = write(tree, "p.toml", 'extends = "current"\n')
    assert refusal(policy) == (
        f"{policy}: extends = 'current' is not valid: expected \"shipped\", or a .toml price "
        'file in the same folder tree, relative to this file ("prices-2026.toml")'
    )


def test_a_schedule_read_from_text_cannot_extend_a_file() -> None:
    with pytest.raises(PolicyError) as caught:
        PriceSchedule.from_toml('extends = "july.toml"\n', source="p.toml")
    assert str(caught.value).endswith("so read it by path (load_prices(path)), not from text")


# -- a journey's charges -----------------------------------------------------------------


def test_a_registration_is_charged_by_the_schedule_in_force_on_its_date_R2_R10() -> None:
    dated = load_prices(DATED)
    late_change = RequestChange(on=dt.date(2027, 8, 16), to=Session.parse("2027-10-11..2027-10-14"))
    for at, label, fee in (
        ("2027-06-30T10:00:00-04:00", "shipped, in force before 2027-07-01", "400"),
        ("2027-07-01T10:00:00-04:00", "from-2027-07, in force from 2027-07-01", "250"),
    ):
        outcome = Journey.new(prices=dated).apply(registration(at))
        journey = outcome.journey
        assert journey.prices.label == label
        r2 = outcome.decisions[1]
        assert r2.reason == (
            f"registered on {at[:10]} for the practicum 2027-09-13..2027-09-16; "
            f"charged by prices {label}"
        )
        changed = journey.apply(late_change)
        assert [(d.rule_id, d.fee) for d in changed.decisions] == [("R10", usd(fee))]


def test_every_fee_and_refund_names_the_dated_schedule_that_priced_it_R10_R24_R26_R27() -> None:
    dated = load_prices(DATED)
    first_day = dt.date(2027, 9, 13)
    journey = registered(dated, "2027-07-01T10:00:00-04:00")
    label = "from-2027-07, in force from 2027-07-01"
    late_change = journey.apply(
        RequestChange(on=dt.date(2027, 8, 16), to=Session.parse("2027-10-11..2027-10-14"))
    )
    substituted = journey.apply(Substitute(on=dt.date(2027, 8, 20), email="other@example.org"))
    refunded = journey.apply(Cancel(on=dt.date(2027, 7, 2)))
    no_show = journey.apply(
        RecordAttendance(attendance="absent_without_notice", on=first_day + dt.timedelta(3))
    )
    for outcome, rule_id, how in (
        (late_change, "R10", "charged"),
        (substituted, "R27", "charged"),
        (refunded, "R24", "refunded"),
        (no_show, "R26", "charged"),
    ):
        (money,) = [d for d in outcome.decisions if d.fee is not None or d.refund is not None]
        assert money.rule_id == rule_id
        assert money.reason.endswith(f"; {how} by prices {label}"), money.reason


def test_a_free_change_under_a_dated_schedule_names_no_schedule_R9() -> None:
    journey = registered(load_prices(DATED), "2027-07-01T10:00:00-04:00")
    free = journey.apply(
        RequestChange(on=dt.date(2027, 7, 2), to=Session.parse("2027-10-11..2027-10-14"))
    ).decisions[0]
    assert (free.rule_id, free.verdict) == ("R9", "free")
    assert "prices" not in free.reason


def test_an_undated_schedule_adds_nothing_to_the_registration_decision_R2() -> None:
    journey = Journey.new(prices=load_prices(USER))
    r2 = journey.apply(registration("2027-07-01T10:00:00-04:00")).decisions[1]
    assert r2.reason == "registered on 2027-07-01 for the practicum 2027-09-13..2027-09-16"


def test_a_quote_names_the_dated_schedule_that_priced_it_R21_R22(tmp_path: Path) -> None:
    write(tmp_path, USER.name, USER.read_text(encoding="utf-8"))
    dearer = (
        'extends = "example-user-prices.toml"\neffective_from = 2027-07-01\n'
        'program_price = "2695"\n'
    )
    dated = load_prices(write(tmp_path, "dearer.toml", dearer))
    policy = load_policy()
    after = registered(dated, "2027-07-01T10:00:00-04:00").quote()
    before = registered(dated, "2027-06-30T10:00:00-04:00").quote()
    assert (after.per_seat, before.per_seat) == (usd("2695"), usd("2495"))
    assert after.explain().splitlines()[-1] == "prices: dearer, in force from 2027-07-01"
    assert before.explain().splitlines()[-1] == (
        "prices: example-user-prices, in force before 2027-07-01"
    )
    unknown = quote(policy=policy, prices=load_prices(DATED))
    assert unknown.schedule == "from-2027-07, in force from 2027-07-01"
    assert unknown.explain().splitlines()[-1] == "prices: from-2027-07, in force from 2027-07-01"
    undated = quote(policy=policy, prices=load_prices(USER))
    assert undated.schedule is None
    assert "prices:" not in undated.explain()


# -- diffs -------------------------------------------------------------------------------


def test_a_diff_of_the_dated_fee_moves_answers_only_for_registrations_from_its_date_R10() -> None:
    cohort = synthetic_cohort(400, seed=1)
    early = [c for c in cohort if c.registered_at.date() < dt.date(2027, 6, 30)]
    late = [c for c in cohort if c.registered_at.date() > JULY]
    assert early
    assert late
    dated = load_prices(DATED)
    unmoved = diff_policies(
        early, base="current", candidate="current", candidate_prices=dated, workers=1
    )
    assert unmoved.answers == ()
    moved = diff_policies(
        late, base="current", candidate="current", candidate_prices=dated, workers=1
    )
    answers = {a.answer: a for a in moved.answers}
    assert set(answers) <= {"change 1", "change 2", "change 3", "substitution"}
    assert answers["change 1"].changed > 0
    example = answers["change 1"].examples[0]
    assert example[1:] == ("fee 400.00 USD (R10)", "fee 250.00 USD (R10)")
    whole = diff_policies(
        cohort, base="current", candidate="current", candidate_prices=dated, workers=2
    )
    assert whole.candidates_changed == moved.candidates_changed  # two processes: the same
    assert [f.key for f in whole.figures] == ["prices.class_change_fee"]


def test_current_and_legacy_answer_as_before_under_the_shipped_prices() -> None:
    cohort = synthetic_cohort(150, seed=3)
    for name in ("current", "legacy"):
        same = diff_policies(cohort, base=name, candidate=name, workers=1)
        assert (same.candidates_changed, same.answers) == (0, ())
    early = [c for c in cohort if c.registered_at.date() < dt.date(2027, 6, 30)]
    legacy = diff_policies(
        early, base="legacy", candidate="legacy", candidate_prices=load_prices(DATED), workers=1
    )
    assert legacy.answers == ()


# -- the command line --------------------------------------------------------------------


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_the_commands_take_a_dated_price_file_and_name_its_version() -> None:
    at = ("--practicum", "2027-09-13..2027-09-16", "--prices", str(DATED))
    status, out, _ = run("timeline", "--registered", "2027-06-30T10:00:00-04:00", *at)
    assert status == 0
    assert out.splitlines()[:2] == [
        "policy: current",
        "prices: shipped, in force before 2027-07-01",
    ]
    _, out, _ = run("timeline", "--registered", "2027-07-01T10:00:00-04:00", *at)
    assert out.splitlines()[1] == "prices: from-2027-07, in force from 2027-07-01"
    _, out, _ = run("timeline", "--registered", "2027-07-01T10:00:00-04:00", at[0], at[1])
    assert out.splitlines()[1].startswith("2027-07-01T10:00:00-04:00")  # undated: no line
    status, out, _ = run("rules", "--prices", str(DATED))
    assert status == 0
    assert out.splitlines()[0] == (
        f"policy: current; prices: from-2027-07, in force from 2027-07-01 (from {DATED})"
    )
    assert "The class change fee is 250.00 USD." in out
    status, out, _ = run(
        "diff",
        *("--base", "current", "--candidate", "current", "--candidate-prices", str(DATED)),
        *("--synthetic", "60", "--seed", "1", "--json"),
    )
    assert status in (0, 1)
    report = json.loads(out)
    assert report["candidates_changed"] > 0
    status, out, _ = run("check", str(ROOT / "scenarios" / "dated-prices.scenarios.toml"))
    assert status == 0
    assert "3 passed, 0 failed" in out


def _code_block(page: str, heading: str) -> str:
    """The first ``{code-block} toml`` under ``heading`` of ``docs/<page>``."""
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    section = text.split(f"### {heading}\n", 1)[1]
    return section.split("```{code-block} toml\n", 1)[1].split("```", 1)[0]


def test_the_documented_dated_price_file_is_the_example_file(tmp_path: Path) -> None:
    documented = write(
        tmp_path, "from-2027-07.toml", _code_block("policy.md", "An effective date on prices")
    )
    assert load_prices(documented) == load_prices(DATED)
    assert load_prices(documented).label == load_prices(DATED).label
