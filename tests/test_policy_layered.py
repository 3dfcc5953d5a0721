"""Layered policy files: a user's file extends another user file in its folder tree."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import pytest

from cptm_rules.cohort import diff_policies, synthetic_cohort
from cptm_rules.exceptions import PolicyError
from cptm_rules.policy import MAX_EXTENDS_CHAIN, Policy, load_policy

ROOT = Path(__file__).resolve().parents[1]
BOARD_2028 = ROOT / "scenarios" / "policies" / "board-2028.toml"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def refusal(path: Path) -> str:
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    return str(caught.value)


def test_a_board_decision_extends_last_years_file_and_each_version_keeps_its_dates() -> None:
    board = load_policy(BOARD_2028)
    assert board.label == "board-2028, in force from 2028-07-01"
    assert (board.free_changes, board.free_change_days) == (1, 20)
    # What the file wrote, relative to its folder: never the machine's path.
    assert board.extends == "board-2027.toml"
    earlier = board.extended()
    assert earlier is board.base
    assert earlier is not None
    assert earlier.label == "board-2027, in force from 2027-07-01"
    versions = {
        day: board.in_force_on(dt.date.fromisoformat(day))
        for day in ("2027-06-30", "2027-07-01", "2028-06-30", "2028-07-01", "2030-01-01")
    }
    assert {day: v.name for day, v in versions.items()} == {
        "2027-06-30": "current",
        "2027-07-01": "board-2027",
        "2028-06-30": "board-2027",
        "2028-07-01": "board-2028",
        "2030-01-01": "board-2028",
    }
    assert versions["2027-06-30"] == load_policy("current")
    assert versions["2028-07-01"] is board


def test_each_key_cites_the_file_that_set_it_last() -> None:
    board = load_policy(BOARD_2028)
    assert board.source_of("free_changes").citation == (
        "example board decision, effective 2028-07-01"
    )
    assert board.source_of("free_change_days").citation == (
        "example board decision, effective 2027-07-01"
    )
    current = load_policy("current")
    assert board.source_of("module_count") == current.source_of("module_count")


def test_a_layered_policy_keeps_its_versions_through_overrides_and_pickling() -> None:
    board = load_policy(BOARD_2028)
    stricter = board.with_overrides({"exam.max_exam_attempts": 2})
    assert stricter.base is board.base
    assert stricter.in_force_on(dt.date(2027, 8, 1)).name == "board-2027"
    copied = pickle.loads(pickle.dumps(board))  # noqa: S301  # our own value
    assert copied == board
    assert copied.in_force_on(dt.date(2027, 8, 1)) == board.in_force_on(dt.date(2027, 8, 1))


def test_files_in_subfolders_extend_each_other_relative_to_themselves(tmp_path: Path) -> None:
    write(tmp_path, "base.toml", 'extends = "current"\n[practicum]\nfree_changes = 3\n')
    write(
        tmp_path,
        "2026/board.toml",
        'extends = "../base.toml"\n[practicum]\nfree_change_days = 25\n',
    )
    top = write(
        tmp_path, "proposal.toml", 'extends = "./2026/board.toml"\n[exam]\nmax_exam_attempts = 2\n'
    )
    proposal = load_policy(top)
    assert (proposal.free_changes, proposal.free_change_days, proposal.max_exam_attempts) == (
        3,
        25,
        2,
    )
    assert proposal.name == "proposal"
    assert proposal.source_of("free_changes").citation == str(tmp_path / "base.toml")
    assert proposal.source_of("free_change_days").citation == str(tmp_path / "2026" / "board.toml")
    assert proposal.source_of("max_exam_attempts").citation == str(top)


def test_an_undated_file_over_a_dated_one_is_in_force_on_every_date(tmp_path: Path) -> None:
    write(tmp_path, "board.toml", 'extends = "current"\neffective_from = 2027-07-01\n')
    top = write(tmp_path, "tweak.toml", 'extends = "board.toml"\n[practicum]\nfree_changes = 1\n')
    tweak = load_policy(top)
    assert tweak.effective_from is None  # each file states its own date
    assert tweak.in_force_on(dt.date(2020, 1, 1)) is tweak


def test_a_file_may_not_extend_one_outside_its_tree(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    write(tmp_path, "outside.toml", 'extends = "current"\n')
    climbs = write(tree, "climbs.toml", 'extends = "../outside.toml"\n')
    assert refusal(climbs) == (
        f"{climbs}: extends = '../outside.toml' is not valid: expected a file inside the folder "
        f"{tree}, the folder of the first file read, named relative to this file; "
        "not a path that leads out of it"
    )
    absolute = write(tree, "absolute.toml", f'extends = "{tmp_path / "outside.toml"}"\n')
    assert refusal(absolute).endswith("named relative to this file; not an absolute path")
    (tree / "link.toml").symlink_to(tmp_path / "outside.toml")
    linked = write(tree, "linked.toml", 'extends = "link.toml"\n')
    assert refusal(linked).endswith("not a path that leads out of it")


def test_a_nested_file_may_not_climb_out_of_the_first_files_tree(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    write(tmp_path, "outside.toml", 'extends = "current"\n')
    write(tree, "2026/board.toml", 'extends = "../../outside.toml"\n')
    top = write(tree, "proposal.toml", 'extends = "2026/board.toml"\n')
    message = refusal(top)
    assert message.startswith(f"{tree / '2026' / 'board.toml'}: extends = '../../outside.toml'")
    assert f"inside the folder {tree}," in message


def test_a_cycle_of_extends_is_refused_naming_the_chain(tmp_path: Path) -> None:
    first = write(tmp_path, "a.toml", 'extends = "b.toml"\n')
    write(tmp_path, "b.toml", 'extends = "a.toml"\n')
    assert refusal(first) == (
        f"{tmp_path / 'b.toml'}: extends = 'a.toml' is not valid: expected a file that does "
        "not extend this one again (a cycle: a.toml -> b.toml -> a.toml)"
    )
    itself = write(tmp_path, "self.toml", 'extends = "self.toml"\n')
    assert refusal(itself).endswith("(a cycle: self.toml -> self.toml)")
    again = write(tmp_path, "again.toml", 'extends = "./sub/../again.toml"\n')
    (tmp_path / "sub").mkdir()
    assert refusal(again).endswith("(a cycle: again.toml -> again.toml)")


def test_a_chain_of_extends_has_a_length_limit(tmp_path: Path) -> None:
    write(tmp_path, f"v{MAX_EXTENDS_CHAIN + 1}.toml", 'extends = "current"\n')
    for n in range(1, MAX_EXTENDS_CHAIN + 1):
        write(tmp_path, f"v{n}.toml", f'extends = "v{n + 1}.toml"\n')
    assert refusal(tmp_path / "v1.toml").endswith(
        f"expected at most {MAX_EXTENDS_CHAIN} files in one chain of extends"
    )
    assert load_policy(tmp_path / "v2.toml").name == "v2"


@pytest.mark.parametrize(
    ("extends", "expected"),
    [
        (
            '"board"',
            (
                "expected the name of a shipped policy: current, legacy; or a .toml file in "
                'the same folder tree, relative to this file ("board-2027.toml")'
            ),
        ),
        ("3", "expected the name of a shipped policy: current, legacy; or a .toml file"),
        ('"missing.toml"', "expected an existing .toml policy file (no such file)"),
    ],
)
def test_an_extends_that_names_no_file_or_shipped_policy_is_refused(
    tmp_path: Path, extends: str, expected: str
) -> None:
    path = write(tmp_path, "mine.toml", f"extends = {extends}\n")
    message = refusal(path)
    assert message.startswith(f"{path}: extends = ")
    assert expected in message


def test_a_policy_read_from_text_cannot_extend_a_file() -> None:
    with pytest.raises(PolicyError) as caught:
        Policy.from_toml('extends = "board-2027.toml"\n', source="mine.toml")
    assert str(caught.value).endswith(
        "a file names another relative to itself, so read it by path (load_policy(path)), "
        "not from text"
    )


def test_a_version_must_take_effect_after_the_one_it_extends(tmp_path: Path) -> None:
    write(tmp_path, "board-2027.toml", 'extends = "current"\neffective_from = 2027-07-01\n')
    same = write(
        tmp_path, "same.toml", 'extends = "board-2027.toml"\neffective_from = 2027-07-01\n'
    )
    assert refusal(same) == (
        f"{same}: effective_from = datetime.date(2027, 7, 1) is not valid: expected a date "
        "after 2027-07-01, when board-2027 (the version this file extends) takes effect"
    )


def test_a_diff_of_the_layered_board_moves_nothing_before_the_first_decision_R9_R11a() -> None:
    cohort = synthetic_cohort(300, seed=1)
    early = [c for c in cohort if c.registered_at.date() < dt.date(2027, 6, 30)]
    late = [
        c
        for c in cohort
        if c.registered_at.date() > dt.date(2028, 7, 2)
        and c.practicum.first_day > c.registered_at.date()
    ]
    assert early
    assert late
    assert diff_policies(early, base="current", candidate=BOARD_2028, workers=1).answers == ()
    moved = diff_policies(late, base="current", candidate=BOARD_2028, workers=1)
    assert moved.candidate == "board-2028, in force from 2028-07-01"
    changed = {a.answer: a.changed for a in moved.answers}
    assert changed["key date free_change_deadline"] == len(late)


def test_the_documented_layered_file_is_the_example_file(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "policy.md").read_text(encoding="utf-8")
    section = text.split("### Layered files\n", 1)[1]
    block = section.split("```{code-block} toml\n", 1)[1].split("```", 1)[0]
    board_2027 = BOARD_2028.with_name("board-2027.toml")
    write(tmp_path, "board-2027.toml", board_2027.read_text(encoding="utf-8"))
    documented = load_policy(write(tmp_path, "board-2028.toml", block))
    shipped = load_policy(BOARD_2028)
    assert documented.label == shipped.label
    assert documented.figures("free_changes", "free_change_days") == shipped.figures(
        "free_changes", "free_change_days"
    )
    for day in (dt.date(2027, 6, 30), dt.date(2027, 7, 1), dt.date(2028, 7, 1)):
        assert documented.in_force_on(day).label == shipped.in_force_on(day).label
