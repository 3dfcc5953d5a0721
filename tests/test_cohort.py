from __future__ import annotations

import datetime as dt
import json
import re
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cptm_rules.cohort import (
    Answer,
    Candidate,
    answers_for,
    candidate_row,
    diff_policies,
    iter_cohort,
    load_cohort,
    synthetic_cohort,
)
from cptm_rules.cohort import candidates as cohort_module
from cptm_rules.events import Session
from cptm_rules.exceptions import InputFileError, InvalidInputError
from cptm_rules.money import Money
from cptm_rules.policy import load_policy
from cptm_rules.pricing import load_prices
from journeys import iter_short_cohort, short_cohort

if TYPE_CHECKING:
    from pathlib import Path


def test_a_synthetic_cohort_is_reproducible_from_its_seed() -> None:
    assert synthetic_cohort(50, seed=7) == synthetic_cohort(50, seed=7)
    assert synthetic_cohort(50, seed=7) != synthetic_cohort(50, seed=8)


def test_a_synthetic_cohort_has_realistic_spreads() -> None:
    everyone = synthetic_cohort(1000, seed=1)
    cohort = [c for c in everyone if c.practicum.first_day > c.registered_at.date()]
    assert len(everyone) - len(cohort) < 10  # a few sessions already under way (R2 refuses)
    leads = [(c.practicum.first_day - c.registered_at.date()).days for c in cohort]
    assert min(leads) >= 21
    assert max(leads) <= 118
    assert all(c.practicum.first_day.weekday() == 0 for c in cohort)
    assert all(c.registered_at.weekday() < 5 for c in cohort)
    share_changing = sum(bool(c.changes) for c in cohort) / len(cohort)
    assert 0.25 < share_changing < 0.45
    share_full = sum(c.attendance == "full" for c in cohort) / len(cohort)
    assert 0.8 < share_full < 0.9


def test_a_cohort_file_round_trips_through_json_lines(tmp_path: Path) -> None:
    cohort = synthetic_cohort(30, seed=3)
    path = tmp_path / "cohort.jsonl"
    path.write_text(
        "\n".join(json.dumps(candidate_row(c)) for c in cohort) + "\n\n", encoding="utf-8"
    )
    assert load_cohort(path) == cohort


def test_a_bad_cohort_line_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "cohort.jsonl"
    path.write_text(
        '{"id": "a", "registered_at": "2026-11-02T09:30-05:00", '
        '"practicum": "2027-01-11..2027-01-14"}\n{"id": "b"}\n',
        encoding="utf-8",
    )
    with pytest.raises(
        InvalidInputError,
        match=r"cohort.jsonl:2: registered_at=<missing> is not valid: expected an ISO instant "
        r"string \(required\)",
    ):
        load_cohort(path)
    path.write_text('{"id": "a", "colour": "red"}\n', encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"cohort.jsonl:1: candidate.colour='red'"):
        load_cohort(path)


@pytest.mark.parametrize("ident", ["a\\u001b[31mred", "nul\\u0000", "\\u202egnp.exe"])
def test_a_json_lines_id_with_control_characters_is_refused_naming_the_line(
    tmp_path: Path, ident: str
) -> None:
    path = tmp_path / "cohort.jsonl"
    path.write_text(
        f'{{"id": "{ident}", "registered_at": "2026-11-02T09:30-05:00", '
        '"practicum": "2027-01-11..2027-01-14"}\n',
        encoding="utf-8",
    )
    with pytest.raises(
        InvalidInputError, match=r"cohort.jsonl:1: id=.* without control characters"
    ):
        load_cohort(path)


GOOD = '"id": "a", "registered_at": "2026-11-02T09:30-05:00", "practicum": "2027-01-11..2027-01-14"'


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (', "attempts": [{"on": "2027-01-20", "passed": "false"}]', r"attempts\[0\]\.passed="),
        (', "access_after_minutes": 119.9', "access_after_minutes=119.9 .*whole number"),
        (', "access_after_minutes": true', "access_after_minutes=True .*whole number"),
        (', "access_after_minutes": 1e20', "access_after_minutes=1e\\+20"),
        (', "access_after_minutes": Infinity', "Infinity is not a JSON number"),
        (', "group_size": 2.7', "group_size=2.7"),
        (', "group_size": 0', "group_size=0 .*from 1 to 1,000"),
        (', "access_after_minutes": 1' + "0" * 5000, "an integer of 5001 digits"),
        (', "id": "b"', "the key 'id' appears twice"),
        (
            ', "changes": [{"on": "2026-11-20", "to": "2027-02-08..2027-02-11", "x": 1}]',
            r"changes\[0\]\.x=1 .*a key among on, to",
        ),
        (', "attempts": [{"on": "2027-02-30", "passed": true}]', "day 30 does not exist"),
        (', "attendance": "sometimes"', "attendance='sometimes' .*one of full"),
    ],
)
def test_a_cohort_field_is_read_with_its_exact_type_and_nothing_else(
    tmp_path: Path, extra: str, message: str
) -> None:
    path = tmp_path / "cohort.jsonl"
    path.write_text("{" + GOOD + extra + "}\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=message):
        load_cohort(path)


def test_a_null_id_is_refused_and_errors_show_at_most_a_short_piece_of_the_value(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cohort.jsonl"
    path.write_text('{"id": null}\n', encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"id=None .*a non-empty string"):
        load_cohort(path)
    secret = "s3cret-" * 100
    path.write_text('{"id": "' + secret + '"}\n', encoding="utf-8")
    with pytest.raises(InvalidInputError) as error:
        load_cohort(path)
    assert secret not in str(error.value)
    assert len(str(error.value)) < 300


def test_an_empty_cohort_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cohort.jsonl"
    path.write_text("\n\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="a cohort of at least one candidate"):
        load_cohort(path)


def test_the_legacy_to_current_diff_moves_access_for_everyone_and_some_advisories_R4_R6() -> None:
    result = diff_policies(
        synthetic_cohort(300, seed=1), base="legacy", candidate="current", workers=1
    )
    answers = {a.answer: a for a in result.answers}
    registered = sum(
        c.practicum.first_day > c.registered_at.date() for c in synthetic_cohort(300, seed=1)
    )
    assert answers["key date access_due"].changed == registered
    assert answers["key date prework_recommended_start"].rule_ids == ("R6",)
    assert 0 < answers["registration: advisory R3+R6"].changed < 300
    assert dict(result.rules)["R4"] == registered
    assert "key date free_change_deadline" not in answers  # R9 did not change
    assert len(answers["key date access_due"].examples) == 3


def test_a_policy_diffed_with_itself_changes_nothing() -> None:
    result = diff_policies(
        synthetic_cohort(100, seed=2), base="current", candidate="current", workers=1
    )
    assert (result.candidates_changed, result.answers, result.rules) == (0, (), ())
    assert "no answer changed" in result.report()


def test_both_cores_give_the_same_answers_as_one() -> None:
    cohort = synthetic_cohort(120, seed=5)
    serial = diff_policies(cohort, base="legacy", candidate="current", workers=1)
    parallel = diff_policies(cohort, base="legacy", candidate="current", workers=2)
    assert serial == parallel


def test_a_diff_takes_policy_values_made_in_code_on_one_core_or_two_R9() -> None:
    twenty = load_policy().with_overrides({"practicum.free_change_days": 20})
    cohort = synthetic_cohort(120, seed=5)
    serial = diff_policies(cohort, base=load_policy(), candidate=twenty, workers=1)
    parallel = diff_policies(cohort, base="current", candidate=twenty, workers=2)
    assert serial == parallel
    answers = {a.answer: a for a in serial.answers}
    registered = sum(c.practicum.first_day > c.registered_at.date() for c in cohort)
    assert answers["key date free_change_deadline"].changed == registered
    assert answers["key date free_change_deadline"].rule_ids == ("R9",)
    assert (serial.base, serial.candidate) == ("current", "current")


def test_a_policy_in_force_later_changes_nothing_for_earlier_registrations_R9() -> None:
    board = attrs.evolve(
        load_policy().with_overrides(
            {"effective_from": dt.date(2027, 7, 1), "practicum.free_change_days": 20}
        ),
        name="board",
        extends="current",
    )
    cohort = synthetic_cohort(300, seed=1)
    early = [c for c in cohort if c.registered_at.date() < dt.date(2027, 6, 30)]
    late = [
        c
        for c in cohort
        if c.registered_at.date() > dt.date(2027, 7, 1)
        and c.practicum.first_day > c.registered_at.date()
    ]
    assert early
    assert late
    assert diff_policies(early, base="current", candidate=board, workers=1).answers == ()
    moved = diff_policies(late, base="current", candidate=board, workers=1)
    assert moved.candidate == "board, in force from 2027-07-01"
    assert {a.answer: a.changed for a in moved.answers}["key date free_change_deadline"] == len(
        late
    )


def test_a_diff_refuses_a_worker_count_that_is_not_a_whole_number() -> None:
    with pytest.raises(InvalidInputError, match="workers"):
        diff_policies(synthetic_cohort(3, seed=1), base="current", candidate="current", workers=0)


def test_answers_record_refusals_with_their_rule() -> None:
    policy = load_policy(overrides={"exam.max_exam_attempts": 1})
    cohort = [c for c in synthetic_cohort(400, seed=9) if len(c.attempts) >= 2]
    answers = answers_for(cohort[0], policy, load_prices())
    assert answers["exam attempt 2"] == ("refused (R15)", ("R15",))
    with pytest.raises(InvalidInputError, match=r"^workers=0"):
        diff_policies(cohort, base="current", candidate="legacy", workers=0)
    with pytest.raises(InvalidInputError, match=r"^size=-1"):
        synthetic_cohort(-1, seed=1)


def test_a_change_that_goes_from_paid_to_free_is_one_answer_that_moved_R9_R10() -> None:
    cohort = synthetic_cohort(300, seed=1)
    later = load_policy().with_overrides({"practicum.free_change_days": 10})
    diff = diff_policies(cohort, base="current", candidate=later, workers=1)
    change = {a.answer: a for a in diff.answers}["change 1"]
    assert {"R9", "R10"} <= set(change.rule_ids) <= {"R9", "R10", "R11", "R11a"}
    _, before, after = change.examples[0]
    assert before in ("fee 400.00 USD (R10)", "free (R10)")  # a later or an earlier session
    assert after == "free (R9)"
    assert any(b == "fee 400.00 USD (R10)" for _c, b, _a in change.examples)
    assert not [a for a in diff.answers if a.answer.startswith("change 1: R")]


def test_an_answer_reads_as_verdict_amounts_and_rule() -> None:
    assert str(Answer(name="x", verdict="fee", rule_ids=("R10",), fee=Money.of("400"))) == (
        "fee 400.00 USD (R10)"
    )
    assert str(Answer(name="x", verdict="free", rule_ids=("R9",))) == "free (R9)"
    refund = Answer(
        name="cancellation",
        verdict="refund",
        rule_ids=("R24",),
        fee=Money.of("100"),
        refund=Money.of("2395"),
    )
    assert str(refund) == "refund 2395.00 USD, fee 100.00 USD (R24)"


def test_a_streamed_cohort_gives_the_same_diff_as_a_tuple_on_one_core_or_two() -> None:
    cohort = short_cohort(1200, seed=3)
    expected = diff_policies(cohort, base="legacy", candidate="current", workers=1)
    streamed = diff_policies(
        iter_short_cohort(1200, seed=3), base="legacy", candidate="current", workers=1
    )
    parallel = diff_policies(
        iter_short_cohort(1200, seed=3), base="legacy", candidate="current", workers=2
    )
    assert streamed == expected
    assert parallel == expected
    assert expected.cohort_size == 1200


def test_a_cohort_file_streams_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "cohort.jsonl"
    rows = [candidate_row(c) for c in synthetic_cohort(30, seed=5)]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    stream = iter_cohort(path)
    first = next(stream)
    assert first.id == "c000000"
    assert len([first, *stream]) == 30
    path.write_bytes(b'{"id": "a"}\n\xff\n')
    with pytest.raises(InputFileError, match="not UTF-8"):
        list(iter_cohort(path))


def test_an_engine_or_a_format_whose_extra_is_missing_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import sys  # noqa: PLC0415

    for name in ("cptm_rules.cohort.dask", "distributed", "cptm_rules.cohort.formats"):
        monkeypatch.setitem(sys.modules, name, None)  # as if not installed
    cohort = synthetic_cohort(3, seed=1)
    with pytest.raises(InvalidInputError, match=r"cptm-rules\[dask\]"):
        diff_policies(cohort, base="legacy", candidate="current", engine="dask")
    with pytest.raises(InvalidInputError, match=r"cptm-rules\[columnar\]"):
        diff_policies(tmp_path / "c.parquet", base="legacy", candidate="current")


# -- the gate sees every rule (each edit a program office makes moves an answer, or is
# reported as unobserved, and fails the gate) ----------------------------------------------

_ALL_BUT_WEBINARS = (
    "conference",
    "webcast",
    "podcast",
    "seminar",
    "course",
    "college-course",
    "elearning",
    "event",
    "other-industry-training",
    "alumni-webinar",
    "alumni-event",
    "alumni-roundtable",
    "alumni-course",
)


@pytest.fixture(scope="module")
def gate_cohort() -> tuple[Candidate, ...]:
    return synthetic_cohort(1000, seed=1)


@pytest.mark.parametrize(
    ("overrides", "moved_rule"),
    [
        (
            {"certification.certification_period_years": 3, "certification.ce_hours_required": 60},
            "R17",
        ),
        ({"certification.ce_hours_required": 30}, "R20"),
        ({"cancellation.early_cancellation_days": 3}, "R24"),
        ({"cancellation.re_enrollments": 0}, "R25"),
        ({"certification.qualifying_categories": _ALL_BUT_WEBINARS}, "R19"),
        ({"prework.module_count": 8}, "R5"),
        ({"pricing.discount_stacking": True}, "R21"),
    ],
    ids=[
        "3-year-cycle-60-hours",
        "30-hours",
        "3-day-cancellation",
        "no-re-enrolment",
        "no-webinars",
        "8-modules",
        "stacking",
    ],
)
def test_a_one_line_policy_edit_fails_the_gate_naming_what_moved(
    gate_cohort: tuple[Candidate, ...], overrides: dict[str, object], moved_rule: str
) -> None:
    proposal = load_policy().with_overrides(overrides)
    diff = diff_policies(gate_cohort, base="current", candidate=proposal, workers=2)
    assert diff.unexpected() or diff.unobserved()
    assert moved_rule in dict(diff.rules)
    assert {change.key for change in diff.figures} == set(overrides)


def test_an_administrative_fee_moves_every_early_refund_R24(
    gate_cohort: tuple[Candidate, ...],
) -> None:
    prices = load_prices()
    dearer = attrs.evolve(prices, administrative_fee=Money.of("150"))
    diff = diff_policies(
        gate_cohort, base="current", candidate="current", candidate_prices=dearer, workers=2
    )
    (moved,) = diff.unexpected()
    assert moved.answer == "cancellation"
    assert moved.examples[0][1:] == (
        "refund unknown program_price, fee 100.00 USD (R24)",
        "refund unknown program_price, fee 150.00 USD (R24)",
    )
    assert [change.key for change in diff.figures] == ["prices.administrative_fee"]
    assert diff.unobserved() == ()


def test_a_figure_whose_rules_no_candidate_exercised_is_an_unobserved_change_R24() -> None:
    stayers = [c for c in synthetic_cohort(200, seed=1) if c.cancelled_on is None][:60]
    shorter = load_policy().with_overrides({"cancellation.early_cancellation_days": 3})
    diff = diff_policies(stayers, base="current", candidate=shorter, workers=1)
    assert diff.answers == ()
    (unobserved,) = diff.unobserved()
    assert unobserved.key == "cancellation.early_cancellation_days"
    assert diff.exercised_count("R24") == 0
    report = diff.report()
    assert "cancellation.early_cancellation_days: 5 -> 3 [R24, R25] UNOBSERVED" in report
    assert "R24: no candidate exercised it; it takes a candidate who cancels in writing" in report
    assert diff.unobserved(allowed=("R24",)) == (unobserved,)  # R25 reads it too
    assert diff.unobserved(allowed=("R24", "R25")) == ()
    xml = diff.junit_xml().decode()
    assert 'name="figure cancellation.early_cancellation_days"' in xml
    assert '<property name="exercised R24 refund" value="current: 0, current: 0" />' in xml
    assert 'failures="1"' in xml
    assert 'failures="0"' in diff.junit_xml(allowed_unobserved=("R24", "R25")).decode()
    assert "**unobserved**" in diff.markdown()


def test_a_policy_that_restates_a_value_of_current_passes_the_gate(
    gate_cohort: tuple[Candidate, ...],
) -> None:
    restated = attrs.evolve(
        load_policy().with_overrides({"certification.ce_hours_required": 24}),
        name="proposal",
        description="current, with a value restated",
        extends="current",
    )
    diff = diff_policies(gate_cohort[:300], base="current", candidate=restated, workers=1)
    assert diff.figures == ()
    assert diff.unexpected() == ()
    assert diff.unobserved() == ()


def test_a_diff_counts_each_rule_and_verdict_the_cohort_exercised_under_each_policy() -> None:
    capped = load_policy().with_overrides({"exam.max_exam_attempts": 2})
    diff = diff_policies(synthetic_cohort(300, seed=1), base="current", candidate=capped, workers=1)
    counts = {(line.rule_id, line.verdict): line.counts for line in diff.coverage}
    assert counts[("R15", "refused")][0] == 0 < counts[("R15", "refused")][1]
    assert counts[("R1", "accepted")] == (counts[("R1", "accepted")][0],) * 2
    as_json = diff.as_json()
    assert {"rule": "R15", "verdict": "refused", "base": 0}.items() <= as_json["coverage"][
        [(c["rule"], c["verdict"]) for c in as_json["coverage"]].index(("R15", "refused"))
    ].items()
    assert as_json["figures"][0]["key"] == "exam.max_exam_attempts"
    assert "rules and verdicts exercised:" in diff.report()


def test_a_diff_in_markdown_fits_a_pull_request_comment() -> None:
    later = load_policy().with_overrides({"practicum.free_change_days": 10})
    diff = diff_policies(synthetic_cohort(200, seed=1), base="current", candidate=later, workers=1)
    text = diff.markdown()
    assert text.startswith("### Policy diff `current` → `current`: ")
    assert "unexpected changes, 0 unobserved\n" in text.splitlines()[0] + "\n"
    assert "| answer | rules | moved | example |" in text
    assert "| `practicum.free_change_days` | 30 | 10 | R9" in text
    assert diff.markdown(allowed=("R9", "R10", "R11", "R11a", "R3", "R6")).count("(allowed)") > 0
    assert len(text.splitlines()) < 60


# -- a row's events -----------------------------------------------------------------------

_NY = ZoneInfo("America/New_York")


def _row(**fields: object) -> Candidate:
    base: dict[str, object] = {
        "id": "row",
        "registered_at": dt.datetime(2027, 5, 3, 10, 0, tzinfo=_NY),
        "practicum": Session.parse("2027-07-12..2027-07-14"),
    }
    return Candidate(**(base | fields))  # type: ignore[arg-type]


def test_a_refused_change_leaves_the_candidate_attending_the_session_held_R11_R16() -> None:
    policy, prices = load_policy(), load_prices()
    refused = _row(
        changes=((dt.date(2027, 5, 10), Session.parse("2027-05-10..2027-05-12")),),
        attempts=((dt.date(2027, 7, 14), True),),
    )
    without = attrs.evolve(refused, changes=())
    answers = answers_for(refused, policy, prices)
    assert answers["change 1"] == ("refused (R11)", ("R11",))
    assert answers["key date certification_date"] == ("2027-07-14 (R16)", ("R16",))
    del answers["change 1"]
    assert answers == answers_for(without, policy, prices)


def test_a_grant_after_midnight_does_not_void_a_change_asked_the_day_before_R4_R9() -> None:
    policy, prices = load_policy(), load_prices()
    row = _row(
        registered_at=dt.datetime(2027, 2, 1, 23, 0, tzinfo=ZoneInfo("Etc/GMT+5")),
        practicum=Session.parse("2027-05-10..2027-05-13"),
        access_after_minutes=90,
        changes=((dt.date(2027, 2, 1), Session.parse("2027-06-07..2027-06-10")),),
    )
    answers = answers_for(row, policy, prices)
    assert answers["change 1"] == ("free (R9)", ("R9",))
    assert answers["access"] == ("on_time (R4)", ("R4",))
    assert answers == answers_for(attrs.evolve(row, access_after_minutes=30), policy, prices)


def test_a_cohort_id_that_is_no_email_address_is_answered() -> None:
    row = _row(id="Jane Doe")
    assert answers_for(row, load_policy(), load_prices())["access"] == ("on_time (R4)", ("R4",))


@settings(max_examples=60, deadline=None)
@given(candidate=st.sampled_from(synthetic_cohort(300, seed=11)), data=st.data())
def test_a_rows_answers_do_not_depend_on_the_order_its_lists_are_written_in(
    candidate: Candidate, data: st.DataObject
) -> None:
    policy, prices = load_policy(), load_prices()
    shuffled = attrs.evolve(
        candidate,
        changes=tuple(data.draw(st.permutations(candidate.changes))),
        attempts=tuple(data.draw(st.permutations(candidate.attempts))),
        modules=tuple(data.draw(st.permutations(candidate.modules))),
        activities=tuple(data.draw(st.permutations(candidate.activities))),
        renewal_payments=tuple(data.draw(st.permutations(candidate.renewal_payments))),
    )
    assert answers_for(shuffled, policy, prices) == answers_for(candidate, policy, prices)


@settings(max_examples=60, deadline=None)
@given(candidate=st.sampled_from(synthetic_cohort(600, seed=12)), data=st.data())
def test_dropping_a_refused_change_leaves_every_other_answer_as_it_was(
    candidate: Candidate, data: st.DataObject
) -> None:
    policy, prices = load_policy(), load_prices()
    held = candidate.practicum
    registered = candidate.registered_at.date()
    if held.first_day <= registered:
        return  # a refused registration: nothing to change
    # The held session again, asked before any other change: R11 refuses it.
    day = dt.timedelta(days=1)  # strictly before the row's own changes, so it is change 1
    limits = [held.first_day - day, *(on - day for on, _ in candidate.changes)]
    if candidate.cancelled_on is not None:  # a change on that day still comes first
        limits.append(candidate.cancelled_on)
    last = min(limits)
    if last < registered:
        return
    on = data.draw(st.dates(min_value=registered, max_value=last))
    asked = attrs.evolve(candidate, changes=((on, held), *candidate.changes))
    answers = answers_for(asked, policy, prices)
    assert answers.pop("change 1") == ("refused (R11)", ("R11",))

    def earlier(name: str) -> str:  # change N+1 was change N before the refused one
        match = re.fullmatch(r"change (\d+)(.*)", name, flags=re.DOTALL)
        return name if match is None else f"change {int(match[1]) - 1}{match[2]}"

    assert {earlier(k): v for k, v in answers.items()} == answers_for(candidate, policy, prices)


def test_a_json_lines_line_longer_than_the_bound_is_refused_before_it_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cohort_module, "MAX_LINE_CHARACTERS", 200)
    path = tmp_path / "cohort.jsonl"
    path.write_text("{" + GOOD + "}\n" + '{"id": "' + "x" * 500 + '"}\n', encoding="utf-8")
    with pytest.raises(
        InvalidInputError,
        match=r"cohort.jsonl:2=<line> is not valid: expected a line of at most 200 characters$",
    ):
        load_cohort(path)


def test_a_price_diff_names_each_side_schedule_by_its_label_not_its_file_name() -> None:
    from pathlib import Path  # noqa: PLC0415  # this test alone reads an example file

    example = Path(__file__).resolve().parents[1] / "scenarios" / "prices"
    result = diff_policies(
        synthetic_cohort(20, seed=3),
        base="current",
        candidate="current",
        candidate_prices=example / "from-2027-07.toml",
        workers=1,
    )
    assert result.base == "current with prices shipped"
    assert result.candidate == "current with prices from-2027-07, in force from 2027-07-01"
