"""The batch engine of a diff (cohort.batched) gives the journey engine's report and rows."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cptm_rules.batch import batch_answers
from cptm_rules.cli import main
from cptm_rules.cohort import Candidate, diff_policies, synthetic_cohort
from cptm_rules.cohort.answers import answered
from cptm_rules.cohort.batched import AnswerWords, side_answers, tally_table
from cptm_rules.cohort.formats import cohort_table
from cptm_rules.cohort.tally import ANSWERED_BY, tally_chunk
from cptm_rules.events import Session
from cptm_rules.exceptions import InvalidInputError
from cptm_rules.policy import load_policy
from cptm_rules.pricing import load_prices

if TYPE_CHECKING:
    from cptm_rules.cohort.tally import AnswerRow
    from cptm_rules.policy import Policy

ROOT = Path(__file__).resolve().parent.parent
PROPOSALS = ROOT / "scenarios" / "policies"
PRICES = ROOT / "scenarios" / "prices"

# Each a change a program office proposes, against the current policy.
_SIDES = (
    ("legacy", "current", "shipped", None),
    ("current", str(PROPOSALS / "exam-window-18-months-from-first-day.toml"), "shipped", None),
    ("current", str(PROPOSALS / "grace-period.toml"), "shipped", None),
    ("current", str(PROPOSALS / "webinar-cap.toml"), "shipped", None),
    ("current", str(PROPOSALS / "refund-tiers.toml"), "shipped", None),
    ("current", "current", "shipped", str(PRICES / "class-change-fee-250.toml")),
)


def _both_engines(
    cohort: tuple[Candidate, ...], base: str, candidate: str, prices: str, other: str | None
) -> None:
    rows: dict[str, list[AnswerRow]] = {"journeys": [], "batch": []}
    reports = {}
    for answered_by in ("journeys", "batch"):
        reports[answered_by] = diff_policies(
            cohort,
            base=base,
            candidate=candidate,
            prices=prices,
            candidate_prices=other,
            workers=1,
            on_rows=rows[answered_by].extend,
            answered_by=answered_by,
        )
    journeys, batch = reports["journeys"], reports["batch"]
    assert batch == journeys
    assert batch.report() == journeys.report()
    assert batch.as_json() == journeys.as_json()
    assert rows["batch"] == rows["journeys"]


@pytest.mark.parametrize(("base", "candidate", "prices", "other"), _SIDES)
def test_the_batch_engine_gives_the_journey_engines_report_and_answer_rows(
    base: str, candidate: str, prices: str, other: str | None
) -> None:
    _both_engines(synthetic_cohort(600, seed=7), base, candidate, prices, other)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(min_value=0, max_value=10_000),
    size=st.integers(min_value=0, max_value=60),
    sides=st.sampled_from(_SIDES),
)
def test_any_synthetic_cohort_gets_the_same_diff_from_both_engines(
    seed: int, size: int, sides: tuple[str, str, str, str | None]
) -> None:
    _both_engines(synthetic_cohort(size, seed=seed), *sides)


def _policies() -> tuple[Policy, ...]:
    return (
        load_policy("current"),
        load_policy("legacy"),
        load_policy(PROPOSALS / "grace-period.toml"),
        load_policy(PROPOSALS / "late-registration-fee.toml"),
        load_policy(PROPOSALS / "exam-window-18-months-from-first-day.toml"),
    )


@pytest.mark.parametrize("policy", _policies(), ids=lambda p: p.label)
def test_every_answer_the_columns_give_is_the_one_the_journeys_give(policy: Policy) -> None:
    prices = load_prices()
    cohort = synthetic_cohort(800, seed=11)
    table = cohort_table(cohort)
    words = AnswerWords()
    side = side_answers(
        table,
        batch_answers(table, policy=policy, prices=prices),
        words,
        policy=policy,
        prices=prices,
    )
    given: dict[int, dict[str, int]] = {}
    for row, name, answer in zip(
        side.row.tolist(), side.name.tolist(), side.answer.tolist(), strict=True
    ):
        assert words.names[name] not in given.setdefault(row, {}), "one answer per name"
        given[row][words.names[name]] = answer
    checked = 0
    for row, candidate in enumerate(cohort):
        expected, exercised = answered(candidate, policy, prices)
        for name, answer in given.get(row, {}).items():
            text_code, rule_codes, pair_codes = words.keys[answer]
            rules = tuple(words.rules[r] for r in rule_codes)
            assert expected[name] == (words.text(text_code), rules), (row, name)
            assert {words.pairs[p] for p in pair_codes} <= exercised, (row, name)
            checked += 1
        if side.covered[row]:
            assert set(given.get(row, {})) == set(expected), row
    assert checked > 20 * len(cohort)  # most of every row's answers come from the columns


def test_a_table_chunk_and_its_candidates_tally_alike_on_either_path() -> None:
    cohort = synthetic_cohort(300, seed=5)
    sides = (load_policy("legacy"), load_policy("current"), load_prices(), load_prices())
    by_journeys = tally_chunk(cohort, sides, 3, keep_rows=True)
    by_batch = tally_table(cohort_table(cohort), sides, 3, keep_rows=True)
    assert by_batch.result(base="b", candidate="c") == by_journeys.result(base="b", candidate="c")
    assert by_batch.rows == by_journeys.rows
    # A table given to the journeys is read back into its candidates.
    from_table = tally_chunk(cohort_table(cohort), sides, 3, keep_rows=True)
    assert from_table.rows == by_journeys.rows


def test_a_tallied_chunk_leaves_no_reference_cycle_so_a_workers_memory_stays_flat() -> None:
    # Rows left to their journeys meet refusals (TransitionError) kept as answers; an
    # error kept with its traceback holds the frames up to tally_table's, with the
    # chunk's tables, in a cycle that only a rare full collection frees.
    # The session a change moves to ends before the late grant: the row is replayed,
    # and its journey refuses the grant after the attendance.
    attended_first = Candidate(
        id="ana",
        registered_at=dt.datetime(2026, 11, 2, 9, 30, tzinfo=ZoneInfo("America/New_York")),
        practicum=Session(first_day=dt.date(2027, 1, 11), last_day=dt.date(2027, 1, 14)),
        access_after_minutes=60 * 24 * 60,
        changes=(
            (
                dt.date(2026, 11, 5),
                Session(first_day=dt.date(2026, 12, 28), last_day=dt.date(2026, 12, 31)),
            ),
        ),
    )
    cohort = cohort_table([attended_first, *synthetic_cohort(100, seed=5)])
    sides = (load_policy("legacy"), load_policy("current"), load_prices(), load_prices())
    gc.collect()
    gc.disable()
    try:
        tally = tally_table(cohort, sides, 3)
        left_behind = gc.collect()
    finally:
        gc.enable()
    assert tally.size == 101
    assert tally.compared["access"] == 101
    assert left_behind == 0


def test_an_unknown_way_of_answering_is_refused_by_name() -> None:
    with pytest.raises(InvalidInputError) as caught:
        diff_policies((), base="current", candidate="current", answered_by="vectors")  # type: ignore[arg-type]  # the point
    message = str(caught.value)
    assert "answered_by" in message
    assert "'vectors'" in message
    assert "'journeys', 'batch' or None" in message


def test_a_diff_is_answered_by_the_batch_path_by_default_where_the_extra_is_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import cptm_rules.cohort.diff as diff_module  # noqa: PLC0415  # its engine choice
    from cptm_rules.cohort import tally as tally_module  # noqa: PLC0415

    asked: list[str] = []
    real = tally_module.tally_chunk

    def spy(*args: object, **kwargs: object) -> object:
        asked.append(str(args[4] if len(args) > 4 else kwargs.get("answered_by")))
        return real(*args, **kwargs)  # type: ignore[arg-type]  # the same arguments

    monkeypatch.setattr(tally_module, "tally_chunk", spy)
    cohort = synthetic_cohort(40, seed=3)
    by_default = diff_policies(cohort, base="legacy", candidate="current", workers=1)
    assert set(asked) == {"batch"}
    # Without the columnar extra, the journeys answer, with the same report.
    monkeypatch.setattr(diff_module, "_batch_available", lambda: False)
    asked.clear()
    without = diff_policies(cohort, base="legacy", candidate="current", workers=1)
    assert set(asked) == {"journeys"}
    assert without == by_default


def test_the_diff_command_answers_by_the_batch_path_with_the_same_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    outputs = {}
    for answered_by in ("journeys", "batch"):
        output = tmp_path / f"{answered_by}.jsonl"
        args = ["diff", "--base", "legacy", "--candidate", "current", "--synthetic", "150"]
        code = main(
            [*args, "--workers", "1", "--answered-by", answered_by, "--output", str(output)]
        )
        assert code == 0
        outputs[answered_by] = (capsys.readouterr().out, output.read_bytes())
    assert outputs["batch"] == outputs["journeys"]
    assert "legacy" in outputs["batch"][0]


def test_the_batch_engine_on_two_worker_processes_gives_the_one_process_report() -> None:
    cohort = synthetic_cohort(2500, seed=9)
    one = diff_policies(cohort, base="legacy", candidate="current", workers=1, answered_by="batch")
    two = diff_policies(cohort, base="legacy", candidate="current", workers=2, answered_by="batch")
    assert two == one
    assert one.cohort_size == len(cohort)


def test_distinct_code_combinations_are_found_packed_or_stacked_alike() -> None:
    import numpy as np  # noqa: PLC0415  # the columnar extra, as the module under test

    from cptm_rules.cohort.batched import _distinct  # noqa: PLC0415  # its one helper

    parts = [np.array([0, 1, -1, 0, 1]), np.array([2, -1, 2, 2, -1])]
    packed, inverse = _distinct(parts, [3, 4])
    assert [packed[i] for i in inverse.tolist()] == [[0, 2], [1, -1], [-1, 2], [0, 2], [1, -1]]
    assert len(packed) == 3
    # Radices too large to pack into one integer: the stacked codes are compared instead.
    stacked, inverse = _distinct(parts, [1 << 31, 1 << 32])
    assert [stacked[i] for i in inverse.tolist()] == [[0, 2], [1, -1], [-1, 2], [0, 2], [1, -1]]


def test_a_key_date_is_coded_by_its_value_and_put_into_words_only_when_read() -> None:
    import numpy as np  # noqa: PLC0415  # the columnar extra, as the module under test

    words = AnswerWords()
    days = np.array([20_000, 20_001], dtype=np.int64)
    first = words.moments(days, "R13", instant=False)
    again = words.moments(np.array([20_001, 20_002, 20_000]), "R13", instant=False)
    assert again[0] == first[1]  # one value, one answer
    assert again[2] == first[0]
    assert len({*first.tolist(), *again.tolist()}) == 3
    # Another rule, or an instant of the same number, is another answer.
    assert words.moments(days[:1], "R2", instant=False)[0] not in first
    instant = words.moments(np.array([1_800_000_000_000_000]), "R4", instant=True)
    assert all(isinstance(text, tuple) for text in words.texts)  # none said yet
    assert words.text(words.keys[int(first[0])][0]) == "2024-10-04 (R13)"
    assert words.text(words.keys[int(instant[0])][0]) == "2027-01-15T08:00:00+00:00 (R4)"
    assert words.texts[words.keys[int(first[0])][0]] == "2024-10-04 (R13)"  # said, then kept


def test_answers_coded_by_value_repeat_within_a_group_and_never_across_groups() -> None:
    import numpy as np  # noqa: PLC0415  # the columnar extra, as the module under test

    words = AnswerWords()
    rendered: list[int] = []

    def render(value: int) -> str:
        rendered.append(value)
        return f"lapsed since day {value} (R20)"

    days = np.array([7, 3, 7, 3, 9], dtype=np.int64)
    codes = words.by_value(days, ("lapsed", "R20"), render, ("R20",), frozenset({("R20", "x")}))
    assert codes[0] == codes[2] != codes[1] == codes[3]  # repeated values, one answer each
    assert len(set(codes.tolist())) == 3
    other = words.by_value(days[:1], ("in_grace", "R20"), render, ("R20",))
    assert other[0] not in codes  # the same day in another group is another answer
    assert rendered == []  # nothing said until read
    text, rules, pairs = words.keys[int(codes[4])]
    assert words.text(text) == "lapsed since day 9 (R20)"
    assert [words.rules[r] for r in rules] == ["R20"]
    assert [words.pairs[p] for p in pairs] == [("R20", "x")]
    assert rendered == [9]
    assert words.by_value(np.zeros(0, dtype=np.int64), ("none",), render, ()).tolist() == []


def test_both_sides_align_the_same_in_dense_arrays_and_by_sorting() -> None:
    import numpy as np  # noqa: PLC0415  # the columnar extra, as the module under test

    from cptm_rules.cohort.batched import _aligned  # noqa: PLC0415  # the two ways it aligns
    from cptm_rules.cohort.formats import checked_cohort  # noqa: PLC0415
    from cptm_rules.cohort.synthetic import synthetic_table  # noqa: PLC0415

    cohort = checked_cohort(synthetic_table(600, seed=9))
    prices, words = load_prices(), AnswerWords()
    legacy, two = load_policy("legacy"), load_policy(PROPOSALS / "two-attempts.toml")
    before, after = (
        side_answers(
            cohort.table,
            batch_answers(cohort, policy=policy, prices=prices, replay=False),
            words,
            policy=policy,
            prices=prices,
        )
        for policy in (legacy, two)
    )
    covered = before.covered & after.covered
    covered[::7] = False  # rows left to journeys are left out either way
    names = len(words.names)
    dense = _aligned(before, after, covered, names, dense=True)
    by_sorting = _aligned(before, after, covered, names, dense=False)
    for got, expected in zip(dense, by_sorting, strict=True):
        assert np.array_equal(got, expected)
    union, has_b, _, has_c, _ = dense
    assert bool(np.all(has_b | has_c))
    assert bool(np.all(np.diff(union) > 0))
    assert bool(np.all(covered[union // names]))
    assert len(union) > 600 * 10  # a few dozen answers a row


def test_the_diffs_batch_engine_names_no_rule_and_reads_no_figure_or_price() -> None:
    # Plumbing, as the batch path is: every rule id, verdict price and condition comes
    # from the families' tables and the journey's own words (cohort.answers).
    import ast  # noqa: PLC0415
    import re  # noqa: PLC0415

    import attrs  # noqa: PLC0415

    from cptm_rules.cohort import batched  # noqa: PLC0415
    from cptm_rules.money import Money, UnknownAmount  # noqa: PLC0415
    from cptm_rules.policy import figure_fields  # noqa: PLC0415
    from cptm_rules.pricing import PriceSchedule  # noqa: PLC0415

    tree = ast.parse(Path(batched.__file__).read_text(encoding="utf-8"))
    documented = {  # docstrings may cite rules: the code may not name one
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    strings = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in documented
    ]
    assert [s for s in strings if re.search(r"\bR\d+a?\b", s)] == []
    read = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    figures = {
        field.name
        for field in figure_fields()
        if field.metadata["section"] not in {"policy", "calendar"}
    }
    assert read & figures == set()
    shipped = load_prices()
    prices = {
        field.name
        for field in attrs.fields(PriceSchedule)
        if isinstance(getattr(shipped, field.name), Money | UnknownAmount)
    }
    assert read & prices == set()


def test_a_stream_of_cohort_tables_is_diffed_as_the_one_table_they_make() -> None:
    from cptm_rules.cohort.synthetic import iter_synthetic_tables, synthetic_table  # noqa: PLC0415

    whole = synthetic_table(1_200, seed=5, rows=500)
    for answered_by in ANSWERED_BY:
        streamed = diff_policies(
            iter_synthetic_tables(1_200, seed=5, rows=500),
            base="legacy",
            candidate="current",
            workers=1,
            answered_by=answered_by,
        )
        assert streamed == diff_policies(
            whole, base="legacy", candidate="current", workers=1, answered_by=answered_by
        )
        assert streamed.cohort_size == 1_200
    empty = diff_policies(iter(()), base="legacy", candidate="current", workers=1)
    assert empty.cohort_size == 0


def test_a_bad_table_in_a_stream_is_named_by_its_row_among_them_all() -> None:
    from cptm_rules.cohort.synthetic import synthetic_table  # noqa: PLC0415

    good = synthetic_table(10, seed=1)
    bad = good.set_column(
        good.schema.get_field_index("group_size"),
        "group_size",
        pa.array([1] * 9 + [0], type=good.schema.field("group_size").type),
    )
    with pytest.raises(
        InvalidInputError, match=r"cohort tables: row 20: group_size=0 is not valid"
    ):
        diff_policies(iter([good, bad]), base="legacy", candidate="current", workers=1)
    with pytest.raises(
        InvalidInputError, match=r"cohort\[1\]='str' is not valid: expected an Arrow table"
    ):
        diff_policies(iter([good, "c000001"]), base="legacy", candidate="current", workers=1)


def test_a_refusal_kept_as_an_answer_keeps_its_fields_and_chain_without_frames() -> None:
    from cptm_rules.cohort.answers import _without_frames  # noqa: PLC0415  # the helper itself
    from cptm_rules.exceptions import RuleViolationError  # noqa: PLC0415

    def refused() -> RuleViolationError:
        try:
            try:
                raise ValueError("context")  # noqa: TRY301  # a chain to walk
            except ValueError as context:
                raise RuleViolationError(
                    state="registered", event="GrantAccess", reason="r", allowed=(), rule_id="R4"
                ) from KeyError(context)
        except RuleViolationError as error:
            return error

    error = refused()
    cause, context = error.__cause__, error.__context__
    assert cause is not None
    assert context is not None
    cause.__traceback__ = context.__traceback__  # both chained errors hold frames
    kept = _without_frames(error)
    assert kept is error
    assert (kept.rule_id, kept.reason, kept.__cause__, kept.__context__) == (
        "R4",
        "r",
        cause,
        context,
    )
    assert [e.__traceback__ for e in (kept, cause, context)] == [None, None, None]
