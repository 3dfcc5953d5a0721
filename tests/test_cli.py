from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cptm_rules.catalogue import RULES
from cptm_rules.cli import main

if TYPE_CHECKING:
    from collections.abc import Iterable

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
PRACTICUM = ["--registered", "2026-11-02T09:30-05:00", "--practicum", "2027-01-11..2027-01-14"]
CHANGE = [
    "--requested",
    "2026-11-19",
    "--from",
    "2027-01-11..2027-01-14",
    "--to",
    "2027-02-08..2027-02-11",
]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_timeline_json_has_the_documented_keys_and_rules() -> None:
    status, out, _ = run("timeline", *PRACTICUM, "--json")
    data = json.loads(out)
    assert status == 0
    assert data["access_due"] == "2026-11-02T11:30:00-05:00"
    assert data["free_change_deadline"] == "2026-11-20"
    assert data["exam_opens"] == "2027-01-14"
    assert data["exam_closes"] == "2027-07-14"
    assert data["rules"] == {
        "registered": "R2",
        "access_due": "R4",
        "free_change_deadline": "R9",
        "prework_recommended_start": "R6",
        "practicum_first_day": "R2",
        "practicum_last_day": "R2",
        "exam_opens": "R13",
        "exam_closes": "R14",
    }
    assert data["policy"] == "current"


def test_timeline_under_the_legacy_policy_gives_two_business_days_R4() -> None:
    _, out, _ = run("timeline", *PRACTICUM, "--policy", "legacy", "--json")
    assert json.loads(out)["access_due"] == "2026-11-04T23:59:59-05:00"


def test_timeline_text_lists_each_date_with_its_rule() -> None:
    status, out, _ = run("timeline", *PRACTICUM)
    assert status == 0
    assert "2026-11-20                 R9   last day to change the practicum for free" in out


def test_change_json_says_whether_a_fee_applies_R9_R10() -> None:
    _, out, _ = run("change", *CHANGE, "--json")
    free = json.loads(out)
    assert (free["fee_applies"], free["fee"], free["rules"]) == (False, None, ["R9"])
    late = [*CHANGE]
    late[1] = "2026-11-21"
    _, out, _ = run("change", *late, "--json")
    paid = json.loads(out)
    assert paid["fee_applies"] is True
    assert paid["fee"] == {"amount": "400.00", "currency": "USD"}
    assert paid["rules"] == ["R10"]
    assert paid["free_change_deadline"] == "2026-11-20"


def test_change_counts_the_free_changes_already_used_R11a() -> None:
    _, out, _ = run("change", *CHANGE, "--free-changes-used", "2", "--json")
    assert json.loads(out)["rules"] == ["R11a"]
    status, out, _ = run("change", *CHANGE, "--free-changes-used", "2")
    assert status == 0
    assert out.startswith("fee 400.00 USD (R11a): this is change 3; the 2 free changes")
    _, out, _ = run("change", *CHANGE, "--free-changes-used", "1", "--json")
    assert json.loads(out)["rules"] == ["R9"]


def test_a_change_the_rules_refuse_exits_1_and_says_why_R11() -> None:
    same = [
        "--requested",
        "2026-11-19",
        "--from",
        "2027-01-11..2027-01-14",
        "--to",
        "2027-01-11..2027-01-14",
    ]
    status, out, _ = run("change", *same, "--json")
    assert status == 1
    assert json.loads(out)["allowed"] is False
    assert json.loads(out)["rules"] == ["R11"]
    status, out, _ = run("change", *same)
    assert (status, out.startswith("not allowed (R11)")) == (1, True)


def test_explain_change_prints_the_full_trace_with_sources() -> None:
    status, out, _ = run("explain", "change", *CHANGE)
    assert status == 0
    assert (
        "R9 free: requested on 2026-11-19, on or before the free-change deadline 2026-11-20" in out
    )
    assert "R9 Free date change:" in out
    assert "source: practicum.free_change_days = 30 (R9; FAQ:" in out
    status, out, _ = run(
        "explain",
        "change",
        "--requested",
        "2027-01-12",
        "--from",
        "2027-01-11..2027-01-14",
        "--to",
        "2027-02-08..2027-02-11",
    )
    assert status == 1
    assert "R11 What a change needs:" in out


def test_explain_timeline_cites_each_rule() -> None:
    status, out, _ = run("explain", "timeline", *PRACTICUM)
    assert status == 0
    assert "R14 Six-month exam window:" in out
    assert 'registration.access_due_amount = 2 (R4; FAQ: "When will I be able' in out


def test_rules_lists_the_catalogue() -> None:
    _, out, _ = run("rules")
    assert out.startswith("R1    No prerequisites (requirement)")
    _, out, _ = run("rules", "--json")
    assert [r["id"] for r in json.loads(out)][-1] == "R27"


def test_check_runs_the_shipped_scenarios_and_reports_rule_coverage(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    status, out, _ = run("check", str(SCENARIOS), "--junit-xml", str(junit))
    assert status == 0
    assert out.endswith(f"rules exercised: {len(RULES)} of {len(RULES)}\n")
    suite = ET.parse(junit).getroot()  # noqa: S314  # our own output
    assert suite.get("failures") == "0"
    assert int(suite.get("tests", "0")) >= 28
    case = next(suite.iter("testcase"))
    assert case.get("file", "").endswith(".scenarios.toml")
    assert float(case.get("time", "-1")) >= 0
    assert float(suite.get("time", "-1")) >= 0
    _, listed, _ = run("check", str(SCENARIOS / "exam.scenarios.toml"), "--rules")
    assert "  not exercised: R1, R2" not in listed
    assert "  not exercised: " in listed


def test_one_malformed_file_is_reported_and_the_others_still_run(tmp_path: Path) -> None:
    shutil.copy(SCENARIOS / "exam.scenarios.toml", tmp_path / "good.scenarios.toml")
    (tmp_path / "bad.scenarios.toml").write_text("[[scenario]]\nname = 3\n", encoding="utf-8")
    junit = tmp_path / "out.xml"
    status, out, _ = run("check", str(tmp_path), "--junit-xml", str(junit))
    assert status == 1
    assert "ERROR " in out
    assert "bad.scenarios.toml" in out
    assert "PASS  " in out
    assert "file(s) could not be read" in out
    suite = ET.parse(junit).getroot()  # noqa: S314  # our own output
    assert suite.get("errors") == "1"
    errors = [c for c in suite.iter("testcase") if c.find("error") is not None]
    assert len(errors) == 1
    assert errors[0].get("file", "").endswith("bad.scenarios.toml")
    assert int(suite.get("tests", "0")) > 1


def test_failures_count_events_from_one_and_print_dates_in_iso_form(tmp_path: Path) -> None:
    copy = tmp_path / "x.scenarios.toml"
    text = (SCENARIOS / "practicum-changes.scenarios.toml").read_text(encoding="utf-8")
    copy.write_text(text.replace("is = 2026-12-21", "is = 2026-12-22", 1), encoding="utf-8")
    _, out, _ = run("check", str(copy))
    assert "check 1 (key_date).is" in out
    assert "expected: 2026-12-22" in out
    assert "actual:   2026-12-21" in out
    assert "datetime.date" not in out
    status, out, _ = run("explain", "scenario", str(copy), "--name", "day before the deadline")
    assert status == 1
    assert "1 of " in out
    assert "check 1 (key_date).is: expected 2026-12-22, actual 2026-12-21" in out


def test_check_fails_on_a_wrong_expectation_and_update_rewrites_it(tmp_path: Path) -> None:
    copy = tmp_path / "changes.scenarios.toml"
    shutil.copy(SCENARIOS / "practicum-changes.scenarios.toml", copy)
    text = copy.read_text(encoding="utf-8").replace(
        'fee = "400.00 USD", effects', 'fee = "none", effects'
    )
    copy.write_text(text, encoding="utf-8")
    status, out, _ = run("check", str(copy))
    assert status == 1
    assert "        expected: 'none'\n        actual:   '400.00 USD'" in out
    assert run("check", str(copy), "--update")[0] == 0
    assert 'fee = "400.00 USD", effects' in copy.read_text(encoding="utf-8")
    assert "# Practicum changes" in copy.read_text(encoding="utf-8")  # comments survive
    assert run("check", str(copy))[0] == 0


def _wrong_expectation(tmp_path: Path, *, newline: str = "\n", bom: bytes = b"") -> Path:
    copy = tmp_path / "changes.scenarios.toml"
    text = (SCENARIOS / "practicum-changes.scenarios.toml").read_text(encoding="utf-8")
    text = text.replace('fee = "400.00 USD", effects', 'fee = "none", effects')
    copy.write_bytes(bom + text.replace("\n", newline).encode("utf-8"))
    return copy


def test_update_keeps_crlf_line_endings_a_byte_order_mark_and_the_file_mode(
    tmp_path: Path,
) -> None:
    copy = _wrong_expectation(tmp_path, newline="\r\n", bom=b"\xef\xbb\xbf")
    copy.chmod(0o640)
    assert run("check", str(copy), "--update")[0] == 0
    raw = copy.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf# Practicum changes")
    assert raw.count(b"\n") == raw.count(b"\r\n") > 100
    assert b'fee = "400.00 USD", effects' in raw
    assert copy.stat().st_mode & 0o777 == 0o640
    assert run("check", str(copy))[0] == 0


def test_update_of_a_read_only_file_says_so_in_one_line_and_leaves_it_intact(
    tmp_path: Path,
) -> None:
    copy = _wrong_expectation(tmp_path)
    before = copy.read_bytes()
    copy.chmod(0o444)
    status, _, err = run("check", str(copy), "--update")
    assert status == 2
    assert err.count("\n") == 1
    assert "is read-only" in err
    assert copy.read_bytes() == before


def test_a_failure_while_writing_the_update_leaves_the_original_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = _wrong_expectation(tmp_path)
    before = copy.read_bytes()

    def full_disk(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.fsync", full_disk)
    status, _, err = run("check", str(copy), "--update")
    assert status == 2
    assert err == f"cptm-rules: cannot write {copy}: No space left on device\n"
    assert copy.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [copy.name]  # no temporary file left


@pytest.mark.parametrize(
    ("target", "problem"),
    [("missing/x.xml", "the folder .* does not exist"), (".", "it is a folder")],
)
def test_an_unwritable_junit_path_is_refused_before_any_scenario_runs(
    tmp_path: Path, target: str, problem: str
) -> None:
    status, out, err = run("check", str(SCENARIOS), "--junit-xml", str(tmp_path / target))
    assert status == 2
    assert out == ""
    assert re.search(problem, err)
    assert err.count("\n") == 1


def test_check_of_a_folder_without_scenarios_is_a_usage_error(tmp_path: Path) -> None:
    status, out, _ = run("check", str(tmp_path))
    assert status == 2
    assert "no scenario files" in out


def test_diff_reports_what_the_faq_revision_changed() -> None:
    status, out, _ = run(
        "diff",
        "--base",
        "legacy",
        "--candidate",
        "current",
        "--synthetic",
        "200",
        "--seed",
        "1",
        "--json",
    )
    data = json.loads(out)
    assert status == 0
    assert (data["base"], data["candidate"], data["cohort_size"]) == ("legacy", "current", 200)
    answers = {a["answer"]: a for a in data["answers"]}
    assert 195 <= answers["key date access_due"]["changed"] <= 200  # a few are refused (R2)
    assert answers["key date access_due"]["rules"] == ["R4"]
    assert {r["rule"] for r in data["rules"]} >= {"R3", "R4", "R6"}
    status, text, _ = run(
        "diff", "--base", "legacy", "--candidate", "current", "--synthetic", "50", "--seed", "1"
    )
    assert text.startswith("policy diff: legacy -> current, 50 candidates")


def _diff_json(*extra: str) -> dict[str, object]:
    status, out, err = run(
        "diff", "--base", "legacy", "--candidate", "current", *extra, "--workers", "1", "--json"
    )
    assert status == 0, err
    data: dict[str, object] = json.loads(out)
    return data


def test_diff_draws_a_synthetic_cohort_column_wise_and_keeps_the_earlier_draw() -> None:
    from cptm_rules.cohort import diff_policies, iter_synthetic_cohort  # noqa: PLC0415
    from cptm_rules.cohort.synthetic import iter_synthetic_tables  # noqa: PLC0415

    def expected(cohort: Iterable[Any]) -> dict[str, object]:
        report = diff_policies(cohort, base="legacy", candidate="current", workers=1)
        data: dict[str, object] = report.as_json()
        return data

    drawn = _diff_json("--synthetic", "300", "--seed", "4")
    assert drawn == _diff_json("--synthetic", "300", "--seed", "4", "--synthetic-draw", "columns")
    assert drawn == expected(iter_synthetic_tables(300, seed=4))
    # The draw of earlier versions still gives their cohort, and so their reports.
    earlier = _diff_json("--synthetic", "300", "--seed", "4", "--synthetic-draw", "candidates")
    assert earlier == expected(iter_synthetic_cohort(300, seed=4))
    assert earlier != drawn
    # Any whole number seeds either draw.
    assert _diff_json("--synthetic", "50", "--seed", "-3")["cohort_size"] == 50


def test_diff_refuses_a_synthetic_draw_for_a_cohort_file(tmp_path: Path) -> None:
    cohort = tmp_path / "c.jsonl"
    cohort.write_text("", encoding="utf-8")
    status, _, err = run(
        "diff", "--base", "legacy", "--candidate", "current", "--cohort", str(cohort),
        "--synthetic-draw", "columns",
    )  # fmt: skip
    assert status == 2
    assert "--synthetic-draw needs --synthetic" in err


def test_diff_without_the_columnar_extra_draws_candidate_by_candidate_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cptm_rules import cli  # noqa: PLC0415

    monkeypatch.setattr(cli, "_columnar_installed", lambda: False)
    status, out, err = run(
        "diff", "--base", "legacy", "--candidate", "current", "--synthetic", "40",
        "--answered-by", "journeys", "--workers", "1", "--json",
    )  # fmt: skip
    assert status == 0
    assert "drawn candidate by candidate (the columnar extra is not installed)" in err
    assert json.loads(out)["cohort_size"] == 40
    status, _, err = run(
        "diff", "--base", "legacy", "--candidate", "current", "--synthetic", "40",
        "--synthetic-draw", "columns",
    )  # fmt: skip
    assert status == 2
    assert "--synthetic-draw columns needs the columnar extra" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["timeline", "--registered", "2026-11-02", "--practicum", "2027-01-11..2027-01-14"],
            "argument --registered: '2026-11-02' is not valid: expected an ISO instant with its",
        ),
        (
            [
                "timeline",
                "--registered",
                "2026-11-02T09:30-05:00",
                "--practicum",
                "2027-01-14..2027-01-11",
            ],
            "expected a last day on or after the first day (R2)",
        ),
        (
            ["timeline", *PRACTICUM, "--policy", "newest"],
            "cptm-rules: newest: <file> = 'newest' is not valid",
        ),
        (
            [
                "change",
                "--requested",
                "2026-13-01",
                "--from",
                "2027-01-11..2027-01-14",
                "--to",
                "2027-02-08..2027-02-11",
            ],
            "'2026-13-01' is not an ISO date",
        ),
        (["change", *CHANGE, "--free-changes-used", "-1"], "argument --free-changes-used"),
        (
            ["change", *CHANGE, "--free-changes-used", "99999999999999999999"],
            "'99999999999999999999' is not a whole number from 0 to 1000",
        ),
        (["change", *CHANGE, "--free-changes-used", "1001"], "from 0 to 1000"),
        (["change", *CHANGE, "--free-changes-used", "\u0663"], "is not a whole number"),
        (
            [
                "change",
                "--requested",
                "2026-11-19",
                "--from",
                "2027-01-11",
                "--to",
                "2027-02-08..2027-02-11",
            ],
            "expected FIRST..LAST",
        ),
        (
            ["diff", "--base", "legacy", "--candidate", "newest", "--synthetic", "5"],
            "'newest' is not valid",
        ),
        (
            ["diff", "--base", "legacy", "--candidate", "current", "--cohort", "missing.jsonl"],
            "cannot read missing.jsonl: no such file",
        ),
        (["fly"], "argument command: invalid choice: 'fly'"),
    ],
)
def test_user_errors_print_one_line_and_exit_2(argv: list[str], message: str) -> None:
    status, out, err = run(*argv)
    assert status == 2
    assert out == ""
    assert message in err
    assert err.count("\n") == 1


def test_every_subcommand_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in (
        ["check"],
        ["timeline"],
        ["change"],
        ["explain"],
        ["explain", "change"],
        ["rules"],
        ["diff"],
    ):
        with pytest.raises(SystemExit) as caught:
            main([*command, "--help"])
        assert caught.value.code == 0
        assert "usage: cptm-rules" in capsys.readouterr().out


def test_a_malformed_scenario_file_is_one_error_line_and_status_1(tmp_path: Path) -> None:
    path = tmp_path / "bad.scenarios.toml"
    path.write_text('[[scenario]]\nname = "A scenario without events"\n', encoding="utf-8")
    status, out, err = run("check", str(path))
    assert status == 1
    assert err == ""
    assert out.startswith(
        f"ERROR {path}: scenario 'A scenario without events': events: "
        "expected at least one [[scenario.events]] table\n"
    )
    assert "0 passed, 0 failed, 1 file(s) could not be read" in out


def test_explain_scenario_replays_each_event_with_its_explanation() -> None:
    path = SCENARIOS / "a-candidate-journey.scenarios.toml"
    status, out, _ = run("explain", "scenario", str(path))
    assert status == 0
    assert out.startswith("scenario: Ana registers in November, moves to February")
    assert " 7. 2026-11-23  RequestChange" in out
    assert "R10 fee: requested on 2026-11-23, 3 days after the free-change deadline" in out
    assert "R20 renewed: R18 met on 2028-04-01" in out
    assert out.rstrip().endswith("all expectations hold (16 checked)")
    status, out, _ = run(
        "explain", "scenario", str(SCENARIOS / "money.scenarios.toml"), "--name", "no-show"
    )
    assert status == 0
    assert out.count("scenario: ") == 1
    assert "R26 forfeited" in out


def test_explain_scenario_with_no_matching_name_is_a_usage_error() -> None:
    path = SCENARIOS / "a-candidate-journey.scenarios.toml"
    status, _, err = run("explain", "scenario", str(path), "--name", "Zed")
    assert status == 2
    assert "has 'Zed' in its name" in err


@pytest.mark.parametrize(
    "registered",
    ["2026-11-02T09:30[America/New_York]", "2026-11-02T09:30-05:00[America/New_York]"],
)
def test_timeline_takes_an_instant_with_a_bracketed_zone(registered: str) -> None:
    status, out, _ = run(
        "timeline", "--registered", registered, "--practicum", "2027-01-11..2027-01-14", "--json"
    )
    assert status == 0
    assert json.loads(out)["access_due"] == "2026-11-02T11:30:00-05:00"


def test_timeline_takes_a_local_date_time_with_zone() -> None:
    status, out, _ = run(
        "timeline",
        "--registered",
        "2027-07-01T09:00",
        "--zone",
        "America/New_York",
        "--practicum",
        "2027-09-13..2027-09-16",
        "--json",
    )
    assert status == 0
    assert json.loads(out)["access_due"] == "2027-07-01T11:00:00-04:00"


def test_timeline_refuses_an_offset_that_contradicts_the_zone() -> None:
    status, _, err = run(
        "timeline",
        "--registered",
        "2026-11-02T09:30-04:00[America/New_York]",
        "--practicum",
        "2027-01-11..2027-01-14",
    )
    assert status == 2
    assert "an offset that America/New_York has at that time (-05:00), not -04:00" in err
    assert err.count("\n") == 1


DIFF = ["diff", "--base", "current", "--candidate", "legacy", "--synthetic", "150"]


def test_diff_fail_on_change_exits_1_when_answers_move_and_0_when_none_do() -> None:
    status, out, _ = run(*DIFF, "--fail-on-change")
    assert status == 1
    assert "unexpected changes (" in out
    assert "key date access_due" in out.rsplit("unexpected changes", 1)[1]
    same = ["diff", "--base", "current", "--candidate", "current", "--synthetic", "50"]
    assert run(*same, "--fail-on-change")[0] == 0
    assert run(*DIFF)[0] == 0  # without a gate, a diff only reports


def test_diff_allows_the_rules_named_and_fails_on_any_other_R4_R6(tmp_path: Path) -> None:
    junit = tmp_path / "diff.xml"
    status, out, _ = run(*DIFF, "--allow", "R4", "--allow", "R6", "--junit-xml", str(junit))
    assert status == 1  # the R3+R6 advisories moved too
    assert "unexpected changes" in out
    assert "key date access_due" not in out.rsplit("unexpected changes", 1)[1]
    suite = ET.parse(junit).getroot()  # noqa: S314  # our own output
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert cases["key date access_due"].find("failure") is None
    failure = cases["registration: advisory R3+R6"].find("failure")
    assert failure is not None
    assert "moved for" in failure.get("message", "")
    assert suite.get("failures") == str(sum(c.find("failure") is not None for c in cases.values()))
    allowed = ["--allow", "R3", "--allow", "R4", "--allow", "R6"]
    assert run(*DIFF, *allowed)[0] == 0


def test_diff_refuses_an_unknown_rule_and_an_unwritable_report_before_running() -> None:
    status, _, err = run(*DIFF, "--allow", "R99")
    assert (status, err.count("\n")) == (2, 1)
    assert "'R99' is not a rule id (R1, R2" in err
    status, out, err = run(*DIFF, "--junit-xml", "/nonexistent/dir/x.xml")
    assert (status, out) == (2, "")
    assert "the folder /nonexistent/dir does not exist" in err


def test_diff_bounds_the_synthetic_cohort_size() -> None:
    status, _, err = run(
        "diff", "--base", "current", "--candidate", "legacy", "--synthetic", "100000000"
    )
    assert status == 2
    assert "from 0 to 1000000" in err


def test_diff_help_states_the_seed_default(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["diff", "--help"], out=io.StringIO(), err=io.StringIO())
    text = " ".join(capsys.readouterr().out.split())
    assert "seed of the synthetic cohort; default 1" in text
    assert "--fail-on-change" in text


LATE = ["--registered", "2027-04-20T10:00-04:00", "--practicum", "2027-05-10..2027-05-13"]


def test_timeline_says_when_a_date_had_already_passed_and_shows_the_advisories_R3_R6_R9() -> None:
    status, out, _ = run("timeline", *LATE)
    assert status == 0
    assert "R9   last day to change the practicum for free: already passed at registration" in out
    assert "start the prework now: the recommended 42 days before the practicum (2027-03-29)" in out
    assert "[R3, R6] strong_warning: only 20 days before the practicum" in out
    _, out, _ = run("timeline", *LATE, "--json")
    data = json.loads(out)
    assert data["advisories"] == [
        {
            "rules": ["R3", "R6"],
            "severity": "strong_warning",
            "message": "only 20 days before the practicum: the program recommends at least 28 "
            "days, and 42 for the prework; consider a later session",
        }
    ]
    _, out, _ = run("timeline", *PRACTICUM, "--json")
    assert json.loads(out)["advisories"] == []


def test_diff_takes_a_price_schedule_per_side_to_diff_a_price_change_R10(tmp_path: Path) -> None:
    dearer = tmp_path / "dearer.toml"
    dearer.write_text('extends = "shipped"\nclass_change_fee = "450"\n', encoding="utf-8")
    same = ["diff", "--base", "current", "--candidate", "current", "--synthetic", "200"]
    status, out, _ = run(*same, "--candidate-prices", str(dearer), "--json")
    assert status == 0
    moved = {a["answer"]: a for a in json.loads(out)["answers"]}
    assert moved["change 1"]["examples"][0]["base"] == "fee 400.00 USD (R10)"
    assert moved["change 1"]["examples"][0]["candidate_policy"] == "fee 450.00 USD (R10)"
    assert (
        run(
            *same,
            "--base-prices",
            str(dearer),
            "--candidate-prices",
            str(dearer),
            "--fail-on-change",
        )[0]
        == 0
    )


def _actions(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.Action]]:
    found = []
    for action in parser._actions:  # noqa: SLF001  # argparse keeps its actions here
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for name, sub in action.choices.items():
                found += [(f"{name} {where}", a) for where, a in _actions(sub)]
        else:
            found.append(("", action))
    return found


def test_every_option_and_argument_has_a_help_text_that_names_no_repository_file() -> None:
    from cptm_rules.cli import _parser  # noqa: PLC0415  # the parser itself is private

    missing = [
        f"{where}{'/'.join(action.option_strings) or action.dest}"
        for where, action in _actions(_parser())
        if not action.help
    ]
    assert missing == []
    texts = [action.help or "" for _, action in _actions(_parser())]
    assert not [t for t in texts if "docs/" in t]


def test_rules_json_says_where_each_rule_lives_R10() -> None:
    status, out, _ = run("rules", "--json")
    assert status == 0
    rules = {r["id"]: r for r in json.loads(out)}
    r10 = rules["R10"]
    assert r10["code"] == [
        "cptm_rules.rules.practicum_changes:CHANGE_FEE_PRECEDENCE",
        "cptm_rules.rules.practicum_changes:after_the_deadline",
    ]
    assert r10["figures"]["current"] == {"practicum.free_change_day_count": "business"}
    assert (
        "tests/test_lifecycle.py::test_a_weekend_request_after_a_friday_deadline_costs_the_fee_R10"
        in (r10["tests"])
    )
    assert any("Saturday after a Friday deadline" in s for s in r10["scenarios"])
    assert rules["R9"]["figures"]["legacy"]["practicum.free_change_days"] == "30"
    for rule in rules.values():
        assert rule["code"], rule["id"]  # every rule is decided somewhere
        for place in rule["code"]:
            module, _, qualname = place.partition(":")
            target: object = importlib.import_module(module)
            for part in qualname.split("."):
                target = getattr(target, part)  # importable: the index names real code


def test_python_dash_m_cptm_rules_runs_the_command() -> None:
    result = subprocess.run(  # our own interpreter and package
        [sys.executable, "-m", "cptm_rules", "rules"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith("R1    No prerequisites")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_long_diff_shows_progress_on_a_terminal_and_nothing_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = iter(float(n) for n in range(0, 10_000, 3))
    monkeypatch.setattr("cptm_rules.cli.time.monotonic", lambda: next(clock))
    argv = ["diff", "--base", "legacy", "--candidate", "current", "--synthetic", "1001"]
    terminal = _Terminal()
    assert main([*argv, "--workers", "1"], out=io.StringIO(), err=terminal) == 0
    shown = terminal.getvalue()
    assert "diff [" in shown
    assert "/1,001 candidates" in shown
    assert shown.endswith("\r\033[K")
    argv[-1] = "120"  # no progress off a terminal, however long: a short run shows it
    piped = io.StringIO()
    assert main([*argv, "--workers", "1"], out=io.StringIO(), err=piped) == 0
    assert piped.getvalue() == ""
    quiet = _Terminal()
    assert main([*argv, "--workers", "1", "--json"], out=io.StringIO(), err=quiet) == 0
    assert quiet.getvalue() == ""


def test_diff_reads_parquet_and_csv_cohorts_and_writes_every_answer_with_output(
    tmp_path: Path,
) -> None:
    from cptm_rules.cohort import synthetic_cohort  # noqa: PLC0415
    from cptm_rules.cohort.formats import write_cohort  # noqa: PLC0415

    cohort = synthetic_cohort(60, seed=3)
    reports = []
    for suffix in (".jsonl", ".parquet", ".csv"):
        write_cohort(tmp_path / f"cohort{suffix}", cohort)
        output = tmp_path / f"answers-from{suffix}.csv"
        base = ("diff", "--base", "legacy", "--candidate", "current", "--json")
        status, out, _ = run(
            *base, "--cohort", str(tmp_path / f"cohort{suffix}"), "--output", str(output)
        )
        assert status == 0
        reports.append(json.loads(out))
        lines = output.read_text(encoding="utf-8").splitlines()
        assert lines[0] == "candidate,answer,base,candidate_policy,changed,rules"
        moved = [line for line in lines if line.startswith("c000000,key date access_due,")]
        assert len(moved) == 1
        assert moved[0].endswith(",true,R4")
    assert reports[0] == reports[1] == reports[2]
    assert reports[0]["cohort_size"] == 60


def test_diff_refuses_a_scheduler_without_dask_and_an_unknown_cohort_format(
    tmp_path: Path,
) -> None:
    base = ("diff", "--base", "legacy", "--candidate", "current")
    status, _, err = run(*base, "--synthetic", "5", "--scheduler", "tcp://10.0.0.5:8786")
    assert (status, err) == (2, "--scheduler needs --engine dask\n")
    status, _, err = run(*base, "--cohort", str(tmp_path / "cohort.xlsx"))
    assert status == 2
    assert "a cohort file ends in .jsonl, .parquet, .csv" in err
    status, _, err = run(*base, "--synthetic", "5", "--output", str(tmp_path / "no" / "a.csv"))
    assert status == 2
    assert "does not exist" in err


# -- signals, pipes and bounded work (real runs) --------------------------------------------

# The default engine and draw (the batch path, column-wise): the workers start within a
# second, and 200,000 candidates keep them busy for several more.
LONG_DIFF = ("diff", "--base", "legacy", "--candidate", "current", "--synthetic", "200000")


def _command(
    *argv: str, stdout: int | IO[str] | None = None, stderr: int | None = None
) -> subprocess.Popen[str]:
    # The package under test, whichever checkout runs the tests.
    paths = [str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
    return subprocess.Popen(  # noqa: S603  # our own interpreter and package
        [sys.executable, "-m", "cptm_rules", *argv],
        stdout=stdout,
        stderr=stderr,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
    )


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for listing in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found.update(int(child) for child in listing.read_text().split())
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in {"Z", "X"}  # a zombie has finished: nobody reaped it yet


def _workers_of(process: subprocess.Popen[str], count: int) -> set[int]:
    """The pids of the command's worker processes, once ``count`` of them run."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        workers = _children(process.pid)
        if len(workers) >= count:
            return workers
        assert process.poll() is None, "the diff ended before its workers started"
        time.sleep(0.05)
    raise AssertionError(f"fewer than {count} workers after 20 s")


def _gone(pids: set[int], within: float) -> bool:
    deadline = time.monotonic() + within
    while any(_alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _end(process: subprocess.Popen[str], workers: set[int]) -> None:
    # Whatever a failed test left running: the ones it started, by pid.
    for pid in workers:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    if process.poll() is None:
        process.kill()
    process.communicate()  # and close its pipes


def _temporary_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


linux_only = pytest.mark.skipif(
    not Path("/proc/self/task").is_dir(), reason="counts worker processes in /proc"
)


@linux_only
def test_ctrl_c_stops_a_diff_in_one_line_exit_130_leaving_no_worker_and_no_temporary_file(
    tmp_path: Path,
) -> None:
    output = tmp_path / "answers.csv"
    process = _command(
        *LONG_DIFF,
        "--workers",
        "2",
        "--output",
        str(output),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    workers = _workers_of(process, 2)
    try:
        assert _temporary_files(tmp_path)  # the hidden file the answers go to
        process.send_signal(signal.SIGINT)
        # A guard against a hang, not a speed target: a loaded machine may take a while.
        out, err = process.communicate(timeout=90)
        assert (process.returncode, out, err) == (130, "", "interrupted\n")
        assert _gone(workers, within=5)
    finally:
        _end(process, workers)
    assert list(tmp_path.iterdir()) == []


@linux_only
def test_workers_die_with_a_killed_diff_and_the_next_run_clears_its_temporary_file(
    tmp_path: Path,
) -> None:
    output = tmp_path / "answers.csv"
    process = _command(
        *LONG_DIFF,
        "--workers",
        "2",
        "--output",
        str(output),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers = _workers_of(process, 2)
    try:
        process.kill()
        process.wait(timeout=10)
        assert _gone(workers, within=5)
    finally:
        _end(process, workers)
    stale = _temporary_files(tmp_path)
    assert len(stale) == 1  # a kill -9 leaves no chance to clean up
    assert stale[0].startswith(f".answers.csv.{process.pid}.")
    short = _command(
        "diff",
        "--base",
        "legacy",
        "--candidate",
        "current",
        "--synthetic",
        "5",
        "--output",
        str(output),
        stdout=subprocess.DEVNULL,
    )
    assert short.wait(timeout=60) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["answers.csv"]


def _closed_pipe() -> int:
    # A pipe nobody reads: the first write fails as a reader closing early makes it fail.
    read, write = os.pipe()
    os.close(read)
    return write


@pytest.mark.parametrize(
    "argv",
    [
        ("rules",),
        ("diff", "--base", "legacy", "--candidate", "current", "--synthetic", "20"),
    ],
)
def test_a_reader_that_closes_early_ends_the_command_quietly_with_status_141(
    argv: tuple[str, ...],
) -> None:
    write = _closed_pipe()
    try:
        process = _command(*argv, stdout=write, stderr=subprocess.PIPE)
        _, err = process.communicate(timeout=60)
    finally:
        os.close(write)
    assert (process.returncode, err) == (141, "")


@pytest.mark.skipif(shutil.which("head") is None, reason="needs head")
def test_rules_piped_into_head_prints_the_first_line_and_no_traceback() -> None:
    read, write = os.pipe()
    try:
        head = subprocess.Popen(  # noqa: S603  # a plain reader
            [shutil.which("head") or "head", "-1"], stdin=read, stdout=subprocess.PIPE, text=True
        )
        process = _command("rules", stdout=write, stderr=subprocess.PIPE)
    finally:
        os.close(read)
        os.close(write)
    _, err = process.communicate(timeout=60)
    first, _ = head.communicate(timeout=10)
    assert first.startswith("R1    No prerequisites")
    assert err == ""
    assert process.returncode in {0, 141}  # 141 only when head closed before the end


# -- signals and pipes (in process) ----------------------------------------------------------


class _BrokenPipe(io.StringIO):
    def write(self, text: str) -> int:  # noqa: ARG002  # every write fails
        raise BrokenPipeError(32, "Broken pipe")


def test_output_to_a_closed_pipe_returns_141_and_prints_nothing() -> None:
    err = io.StringIO()
    assert main(["rules"], out=_BrokenPipe(), err=err) == 141
    assert err.getvalue() == ""


def test_an_interrupted_diff_says_interrupted_returns_130_and_removes_its_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("cptm_rules.cohort.diff_policies", interrupted)
    status, out, err = run(*DIFF, "--output", str(tmp_path / "answers.jsonl"))
    assert (status, out, err) == (130, "", "interrupted\n")
    assert list(tmp_path.iterdir()) == []


def test_an_interrupt_is_reported_even_when_stderr_is_gone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def interrupted(*_: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr("cptm_rules.cli._rules", interrupted)
    assert main(["rules"], out=io.StringIO(), err=_BrokenPipe()) == 130


class _ClosedStdout(io.StringIO):
    def __init__(self, descriptor: int) -> None:
        super().__init__()
        self.descriptor = descriptor

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    def fileno(self) -> int:
        return self.descriptor


def test_the_console_script_silences_a_closed_stdout_and_exits_141(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cptm_rules.cli import entry_point  # noqa: PLC0415

    with (tmp_path / "stdout").open("w") as standing_in:
        monkeypatch.setattr(sys, "stdout", _ClosedStdout(standing_in.fileno()))
        monkeypatch.setattr(sys, "argv", ["cptm-rules", "rules"])
        with pytest.raises(SystemExit) as caught:
            entry_point()
        assert caught.value.code == 141
        # Python's own flush at exit now writes to the null device, not to the closed pipe.
        assert os.path.samestat(os.fstat(standing_in.fileno()), Path(os.devnull).stat())


def test_the_console_script_exits_with_the_status_of_the_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cptm_rules.cli import entry_point  # noqa: PLC0415

    monkeypatch.setattr(sys, "argv", ["cptm-rules", "fly"])
    with pytest.raises(SystemExit) as caught:
        entry_point()
    assert caught.value.code == 2
    assert "invalid choice: 'fly'" in capsys.readouterr().err


# -- bounded work ------------------------------------------------------------------------------


def test_diff_refuses_more_workers_than_four_per_core_naming_workers() -> None:
    most = 4 * (os.cpu_count() or 1)
    status, out, err = run(*DIFF, "--workers", str(most + 1))
    assert (status, out) == (2, "")
    assert err == (
        f"cptm-rules: workers={most + 1} is not valid: expected a whole number from 1 to "
        f"{most} (4 per core on this machine)\n"
    )


# -- smaller ---------------------------------------------------------------------------------


def test_a_read_only_output_is_named_once(tmp_path: Path) -> None:
    output = tmp_path / "answers.csv"
    output.write_text("kept\n", encoding="utf-8")
    output.chmod(0o444)
    status, _, err = run(*DIFF, "--output", str(output))
    assert (status, err) == (2, f"cptm-rules: cannot write {output}: the file is read-only\n")
    assert output.read_text(encoding="utf-8") == "kept\n"


def test_an_output_with_an_unknown_suffix_is_refused_as_an_output(tmp_path: Path) -> None:
    output = tmp_path / "answers.xlsx"
    status, _, err = run(*DIFF, "--output", str(output))
    assert (status, err) == (
        2,
        (
            f"cptm-rules: cannot write {output}: an output file ends in .jsonl, .parquet or "
            ".csv; this one ends in .xlsx\n"
        ),
    )
    status, _, err = run(*DIFF, "--output", str(tmp_path / "answers"))
    assert err.endswith("; this one ends in nothing\n")
    assert list(tmp_path.iterdir()) == []


def test_a_new_output_honours_the_umask_and_a_replaced_one_keeps_its_mode(
    tmp_path: Path,
) -> None:
    output = tmp_path / "answers.jsonl"
    previous = os.umask(0o027)
    try:
        assert run(*DIFF, "--output", str(output))[0] == 0
        assert output.stat().st_mode & 0o777 == 0o640
        os.umask(0o022)
        assert run(*DIFF, "--output", str(output))[0] == 0
        assert output.stat().st_mode & 0o777 == 0o640  # an existing file keeps its mode
        (tmp_path / "other.jsonl").unlink(missing_ok=True)
        assert run(*DIFF, "--output", str(tmp_path / "other.jsonl"))[0] == 0
        assert (tmp_path / "other.jsonl").stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(previous)


# -- renamed options -------------------------------------------------------------------------


def test_the_old_spelling_changes_so_far_still_works_and_names_the_new_one() -> None:
    status, out, err = run("change", *CHANGE, "--changes-so-far", "2", "--json")
    assert status == 0
    assert json.loads(out)["rules"] == ["R11a"]
    assert err == "note: --changes-so-far is now called --free-changes-used\n"
    status, out, err = run("change", *CHANGE, "--changes-so-far=2")
    assert (status, err) == (0, "note: --changes-so-far is now called --free-changes-used\n")
    assert out.startswith("fee 400.00 USD (R11a)")
    status, out, err = run("explain", "change", *CHANGE, "--changes-so-far", "1")
    assert (status, err) == (0, "note: --changes-so-far is now called --free-changes-used\n")
    status, _, err = run("change", *CHANGE, "--free-changes-used", "2")
    assert (status, err) == (0, "")  # the new spelling: no note
    status, _, err = run("change", *CHANGE, "--changes-so-far", "1001")
    assert status == 2
    assert "'1001' is not a whole number from 0 to 1000" in err


# -- fuzzing --output ------------------------------------------------------------------------

_ODD_NAMES = st.text(
    st.characters(codec="utf-8", exclude_characters="/")
    | st.sampled_from(["\x00", "\n", "\r", "\t", "\x1b", "\u2028", ".", " ", "\\"]),
    max_size=12,
) | st.sampled_from([".", "..", "-", " "])
_SUFFIXES = st.sampled_from(["", ".csv", ".jsonl", ".parquet", ".CSV", ".xlsx", ".csv.", "."])


@st.composite
def _output_paths(draw: st.DrawFn) -> tuple[str, ...]:
    """Pieces of an --output path below a scratch folder: odd, missing, existing or long."""
    kind = draw(st.sampled_from(["file", "missing folder", "a folder", "long", "surrogate"]))
    name = draw(_ODD_NAMES) + draw(_SUFFIXES)
    if kind == "missing folder":
        folder = draw(_ODD_NAMES).strip(".") or "missing"  # never "..": stay in the scratch
        return (folder, name)
    if kind == "a folder":
        return ("existing" + draw(_SUFFIXES),)
    if kind == "long":
        return ("x" * draw(st.integers(200, 300)) + draw(_SUFFIXES),)
    if kind == "surrogate":
        return (name + "\udcff.csv",)
    return (name,)


@settings(max_examples=40, deadline=None)
@given(parts=_output_paths())
def test_any_output_path_writes_the_answers_or_fails_in_one_line(parts: tuple[str, ...]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / "existing.csv").mkdir()
        (Path(scratch) / "existing").mkdir()
        target = os.path.join(scratch, *parts)  # noqa: PTH118  # the pieces may be odd strings
        assert os.path.commonpath([scratch, target]) == scratch  # never write elsewhere
        diff = ("diff", "--base", "legacy", "--candidate", "current", "--synthetic", "2")
        status, out, err = run(*diff, "--workers", "1", "--output", target)
        if status == 0:
            assert out.startswith("policy diff: legacy -> current, 2 candidates")
            assert Path(target).is_file()
        else:
            assert status == 2
            assert out == ""
            assert err.startswith("cptm-rules: ")
            assert err.count("\n") == 1
            assert err.endswith("\n")
        leftovers = [
            p
            for p in Path(scratch).rglob(".*")
            if p.is_file() and str(p) != os.path.normpath(target)
        ]
        assert leftovers == []  # no temporary file stays behind


BOARD_POLICY = (
    'extends = "current"\n'
    "[certification]\ncertification_period_years = 3\n"
    "[exam]\nexam_window_months = 18\n"
)


def test_rules_under_a_users_policy_file_reads_its_figures_R17(tmp_path: Path) -> None:
    policy = tmp_path / "board.toml"
    policy.write_text(BOARD_POLICY, encoding="utf-8")
    status, out, err = run("rules", "--policy", str(policy))
    assert (status, err) == (0, "")
    assert out.startswith(f"policy: board (from {policy}); prices: shipped\n\nR1    ")
    assert "\nR17   Three-year period (requirement)\n" in out
    assert "[start, start + 3 years)" in out
    assert "\nR14   18-month exam window (requirement)\n" in out
    assert "Two-year period" not in out
    _, legacy, _ = run("rules", "--policy", "legacy")
    assert legacy.startswith("policy: legacy; prices: shipped\n")
    assert "\nR6    Four weeks for the prework (advisory)\n" in legacy


def test_rules_json_under_a_users_policy_file_gives_its_titles_statements_and_figures_R17(
    tmp_path: Path,
) -> None:
    policy = tmp_path / "board.toml"
    policy.write_text(BOARD_POLICY, encoding="utf-8")
    prices = tmp_path / "dearer.toml"
    prices.write_text('extends = "shipped"\nclass_change_fee = "450"\n', encoding="utf-8")
    status, out, _ = run("rules", "--policy", str(policy), "--prices", str(prices), "--json")
    assert status == 0
    rules = {r["id"]: r for r in json.loads(out)}
    r17 = rules["R17"]
    assert r17["title"] == "Three-year period"
    assert "start + 3 years" in r17["statement"]
    assert r17["figures"]["board"] == {"certification.certification_period_years": "3"}
    assert r17["figures"]["current"] == {"certification.certification_period_years": "2"}
    assert r17["titles"] == {
        "current": "Two-year period",
        "legacy": "Two-year period",
        "board": "Three-year period",
    }
    assert "start + 3 years" in r17["statements"]["board"]
    assert rules["R22"]["statement"].startswith("The class change fee is 450.00 USD.")
    _, shipped, _ = run("rules", "--json")
    default = {r["id"]: r for r in json.loads(shipped)}
    assert default["R17"]["title"] == "Two-year period"
    assert set(default["R17"]["figures"]) == {"current", "legacy"}
    assert default["R6"]["titles"]["legacy"] == "Four weeks for the prework"


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ({"--policy": "missing.toml"}, "missing.toml: <file> = "),
        ({"--policy": ("bad.toml", "[certification]\ngrace_period_days = 3\n")}, "grace period"),
        ({"--policy": ("bad.toml", "extends = [\n")}, "expected valid TOML"),
        ({"--prices": ("p.toml", 'extends = "shipped"\nattempt_fee = "5"\n')}, "retake fee"),
        ({"--prices": "nowhere.toml"}, "nowhere.toml: <file> = "),
    ],
)
def test_rules_with_a_bad_policy_or_price_file_exits_2_with_one_line_naming_it(
    tmp_path: Path, files: dict[str, str | tuple[str, str]], problem: str
) -> None:
    argv = ["rules"]
    for option, file in files.items():
        if isinstance(file, tuple):
            (tmp_path / file[0]).write_text(file[1], encoding="utf-8")
        argv += [option, str(tmp_path / (file[0] if isinstance(file, tuple) else file))]
    for extra in ([], ["--json"]):
        status, out, err = run(*argv, *extra)
        assert (status, out) == (2, "")
        assert err.count("\n") == 1
        assert err.startswith(f"cptm-rules: {tmp_path}")
        assert problem in err


def test_an_explanation_shows_each_rule_under_the_policy_that_judged_R6_R14(
    tmp_path: Path,
) -> None:
    _, out, _ = run("explain", "timeline", *PRACTICUM, "--policy", "legacy")
    assert "  R6 Four weeks for the prework: A practicum that starts fewer than 28 days" in out
    policy = tmp_path / "board.toml"
    policy.write_text(BOARD_POLICY, encoding="utf-8")
    _, out, _ = run("explain", "timeline", *PRACTICUM, "--policy", str(policy))
    assert "  R14 18-month exam window: The last day to sit the exam is the release date " in out
    assert "plus 18 calendar months" in out
    late = ["--requested", "2027-01-12", *CHANGE[2:4], "--to", "2027-02-08..2027-02-11"]
    status, out, _ = run("explain", "change", *late, "--policy", "legacy")
    assert status == 1
    assert "R11 What a change needs:" in out


def test_rules_json_keys_a_policy_file_named_as_a_shipped_one_by_its_path(tmp_path: Path) -> None:
    policy = tmp_path / "current.toml"  # extends = "current": named "current" after its file
    policy.write_text(BOARD_POLICY, encoding="utf-8")
    _, out, _ = run("rules", "--policy", str(policy), "--json")
    r17 = {r["id"]: r for r in json.loads(out)}["R17"]
    assert r17["titles"] == {
        "current": "Two-year period",
        "legacy": "Two-year period",
        str(policy): "Three-year period",
    }
