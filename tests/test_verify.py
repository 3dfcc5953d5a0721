"""cptm_rules.verify: a policy's properties over every date, and counterexamples that replay."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pytest

from cptm_rules import verify
from cptm_rules.cli import main
from cptm_rules.exceptions import InvalidInputError
from cptm_rules.formulas import Case, check_precedence
from cptm_rules.policy import load_policy
from cptm_rules.pricing import PriceSchedule, load_prices
from cptm_rules.rules import cancellation, certification, exam, practicum_changes, prework
from cptm_rules.rules import registration as registration_rules
from cptm_rules.scenarios import load_scenarios, run_scenario
from errors import raises_exactly

if TYPE_CHECKING:
    from cptm_rules.formulas import Ops

ONE_YEAR = "[calendar]\nfirst_year = 2030\nlast_year = 2030\n"
"""A one-year calendar keeps a planted policy's sweep small (the faults do not need more)."""


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def planted(tmp_path: Path, name: str, sections: str, *, calendar: str = ONE_YEAR) -> Path:
    """A policy file extending current with ``sections`` changed (a one-year calendar)."""
    path = tmp_path / f"{name}.toml"
    path.write_text(f'extends = "current"\nname = "{name}"\n{sections}\n{calendar}', "utf-8")
    return path


def replayed(folder: Path) -> dict[str, bool]:
    """Each counterexample file in ``folder`` replayed: whether every scenario of it passes."""
    results = {}
    for path in sorted(folder.glob("*.scenarios.toml")):
        results[path.name] = all(not run_scenario(s).failures for s in load_scenarios(path))
    return results


def _slug(name: str) -> str:
    """How a counterexample file is named after its property (``later-never-pays-...``)."""
    return "".join(c if c.isalnum() else "-" for c in name.lower()).replace("--", "-").strip("-")


def failing(report: verify.VerifyReport) -> dict[str, tuple[str, ...]]:
    """The violated properties of ``report`` and their rules."""
    return {v.property: v.rule_ids for v in report.violations}


# -- the shipped policies pass ---------------------------------------------------------------


@pytest.fixture(scope="module")
def current_report() -> verify.VerifyReport:
    return verify.verify_policy(load_policy("current"))


def test_the_current_policy_keeps_every_property(current_report: verify.VerifyReport) -> None:
    assert current_report.passed
    assert current_report.violations == ()
    assert current_report.warnings == ()
    assert [r.name for r in current_report.results] == [p.name for p in verify.PROPERTIES]
    assert all(r.checked > 0 for r in current_report.results)


def test_every_first_day_of_the_calendar_is_asked(current_report: verify.VerifyReport) -> None:
    deadline = current_report.results[0]
    days = (dt.date(2040, 12, 31) - dt.date(2020, 1, 1)).days  # every first day after the first
    # The first days whose 30th business day before falls before 2020 are the journey's to refuse.
    off = int(deadline.notes[0].split()[0])
    assert deadline.checked + off == days
    assert deadline.checked > 7_500


def test_the_change_sweep_asks_millions_of_requests(current_report: verify.VerifyReport) -> None:
    changes = next(r for r in current_report.results if r.name == "change requests")
    assert changes.checked > 10_000_000
    assert current_report.checked < sum(r.checked for r in current_report.results)


def test_the_report_says_which_rows_overlap_and_that_the_order_decides(
    current_report: verify.VerifyReport,
) -> None:
    changes = next(r for r in current_report.results if r.name == "change requests")
    overlap = next(n for n in changes.notes if "(R11a) and 2 (R9)" in n)
    assert overlap.startswith("is this change free?: rows 1 (R11a) and 2 (R9) both hold in ")
    assert overlap.endswith("case(s); the declared order answers with row 1")


def test_verify_current_on_the_command_line_exits_0_within_a_minute() -> None:
    status, out, err = run("verify", "current")
    assert (status, err) == (0, "")
    first = out.splitlines()[0]
    assert first.startswith("verify current: every property holds; ")
    seconds = float(first.rsplit(" in ", 1)[1].split()[0])
    assert seconds < 60


def test_verify_legacy_passes_as_json_with_the_documented_keys() -> None:
    status, out, _ = run("verify", "legacy", "--json")
    data = json.loads(out)
    assert status == 0
    assert data["passed"] is True
    assert data["policy"] == "legacy"
    assert list(data) == [
        "policy",
        "passed",
        "strict",
        "cases",
        "seconds",
        "properties",
        "violations",
        "warnings",
        "written",
    ]
    assert list(data["properties"][0]) == [
        "group",
        "name",
        "rules",
        "cases",
        "seconds",
        "holds",
        "notes",
        "shares",
    ]


def test_the_markdown_report_is_a_table_of_properties(tmp_path: Path) -> None:
    path = planted(tmp_path, "ok", "")
    status, out, _ = run("verify", str(path), "--format", "markdown")
    assert status == 0
    assert out.startswith("### Policy verification `ok`: every property holds\n")
    assert "| property | rules | cases | seconds | result |" in out


def test_a_dated_proposal_is_verified_from_its_effective_date() -> None:
    policy = load_policy(Path("scenarios/policies/board-2027.toml").resolve())
    domain = verify.Domain.of(policy, load_prices())
    assert verify._date(domain.low) == dt.date(2027, 7, 1)  # noqa: SLF001  # day numbers
    status, out, _ = run("verify", "scenarios/policies/board-2027.toml")
    assert status == 0
    assert out.startswith("verify board-2027, in force from 2027-07-01: every property holds")


def test_a_failing_report_as_markdown_and_json_names_the_smallest_case(tmp_path: Path) -> None:
    path = planted(tmp_path, "no-credit", "[cancellation]\ntuition_credit_years = 0\n")
    status, out, _ = run("verify", str(path), "--format", "markdown")
    assert status == 1
    assert out.startswith("### Policy verification `no-credit`: 1 violation\n")
    assert (
        "| the credit of a cancellation on 2030-01-02 expires on 2030-01-02 | R25 | cancelled "
        "2030-01-02; credit valid until (exclusive) 2030-01-02; "
        "cancellation.tuition_credit_years 0 |"
    ) in out
    status, out, _ = run("verify", str(path), "--json")
    (violation,) = json.loads(out)["violations"]
    assert violation == {
        "property": "tuition credit expires after the cancellation",
        "rules": ["R25"],
        "summary": "the credit of a cancellation on 2030-01-02 expires on 2030-01-02",
        "case": {
            "cancelled": "2030-01-02",
            "credit valid until (exclusive)": "2030-01-02",
            "cancellation.tuition_credit_years": "0",
        },
        "cases": 363,
        "counterexample": True,
        "no_counterexample": "",
    }


# -- planted faults that today's figures can make ---------------------------------------------


def test_a_zero_day_window_puts_the_deadline_on_the_first_day_and_kills_r10(
    tmp_path: Path,
) -> None:
    path = planted(
        tmp_path,
        "zero-window",
        '[practicum]\nfree_change_days = 0\nfree_change_day_count = "calendar"\n',
    )
    out_dir = tmp_path / "counterexamples"
    status, out, err = run("verify", str(path), "--write-counterexamples", str(out_dir))
    assert (status, err) == (1, "")
    assert (
        "violation: free-change deadline before the first day (R9, R10): the free-change "
        "deadline 2030-01-02 is not before the first day 2030-01-02; smallest case: first day "
        "2030-01-02; free-change deadline 2030-01-02; practicum.free_change_days 0; "
        "practicum.free_change_day_count calendar; 364 case(s)"
    ) in out
    assert "warning: every rule the policy turns on can fire (R10): R10 answers no case" in out
    assert replayed(out_dir) == {
        "01-free-change-deadline-before-the-first-day.scenarios.toml": False,
        "02-every-rule-the-policy-turns-on-can-fire.scenarios.toml": False,
    }
    # One calendar day puts the deadline before the first day, and R10 is still dead:
    # a change asked on the last day before the practicum falls on the deadline.
    fixed = path.read_text("utf-8").replace("free_change_days = 0", "free_change_days = 1")
    (out_dir / "policy.toml").write_text(fixed, "utf-8")
    assert replayed(out_dir) == {
        "01-free-change-deadline-before-the-first-day.scenarios.toml": True,
        "02-every-rule-the-policy-turns-on-can-fire.scenarios.toml": False,
    }
    assert [
        v.rule_ids for v in verify.verify_policy(load_policy(out_dir / "policy.toml")).warnings
    ] == [("R10",)]
    # Two days leave R10 a day to answer.
    (out_dir / "policy.toml").write_text(fixed.replace("days = 1", "days = 2"), "utf-8")
    assert replayed(out_dir)["02-every-rule-the-policy-turns-on-can-fire.scenarios.toml"]


def test_a_credit_of_zero_years_expires_on_the_cancellation(tmp_path: Path) -> None:
    path = planted(tmp_path, "no-credit", "[cancellation]\ntuition_credit_years = 0\n")
    report = verify.verify_policy(load_policy(path))
    assert failing(report) == {"tuition credit expires after the cancellation": ("R25",)}
    written = verify.write_counterexamples(report, tmp_path / "out")
    assert [p.name for p in written] == [
        "policy.toml",
        "01-tuition-credit-expires-after-the-cancellation.scenarios.toml",
    ]
    status, out, _ = run("check", str(tmp_path / "out"))
    assert status == 1
    assert "cancelled" in out
    assert "credit_expired" in out


def test_one_day_sessions_make_r13_dead_a_warning_unless_strict(tmp_path: Path) -> None:
    path = planted(tmp_path, "one-day", "[practicum]\nmax_session_days = 1\n")
    status, out, _ = run("verify", str(path))
    assert status == 0
    assert "(1 warning)" in out.splitlines()[0]
    assert (
        "warning: every rule the policy turns on can fire (R13): R13 answers no case on any "
        "date of the calendar; smallest case: practicum.max_session_days 1\n"
    ) in out
    out_dir = tmp_path / "strict"
    status, out, _ = run("verify", str(path), "--strict", "--write-counterexamples", str(out_dir))
    assert status == 1
    assert "violation: every rule the policy turns on can fire (R13)" in out
    assert replayed(out_dir) == {"01-every-rule-the-policy-turns-on-can-fire.scenarios.toml": False}
    fixed = path.read_text("utf-8").replace("max_session_days = 1", "max_session_days = 2")
    (out_dir / "policy.toml").write_text(fixed, "utf-8")
    assert set(replayed(out_dir).values()) == {True}


def test_a_policy_inside_the_folder_is_named_not_copied(tmp_path: Path) -> None:
    path = planted(tmp_path, "no-credit", "[cancellation]\ntuition_credit_years = 0\n")
    report = verify.verify_policy(load_policy(path))
    written = verify.write_counterexamples(report, tmp_path)
    assert [p.name for p in written] == [
        "01-tuition-credit-expires-after-the-cancellation.scenarios.toml"
    ]
    text = written[0].read_text("utf-8")
    assert 'policy = "no-credit.toml"\nprices = "shipped"\n' in text
    assert replayed(tmp_path) == {written[0].name: False}


# -- planted faults the figures cannot make: a formula or a table monkeypatched ---------------


@pytest.fixture
def short_current(tmp_path: Path) -> Path:
    """The current figures on a one-year calendar, as a file the counterexamples can name."""
    return planted(tmp_path, "short", "")


def _check_fails_then_passes(
    monkeypatch: pytest.MonkeyPatch, policy: Path | str, property_name: str, out_dir: Path
) -> None:
    report = verify.verify_policy(load_policy(policy))
    assert property_name in failing(report)
    verify.write_counterexamples(report, out_dir)
    mine = [p for p in sorted(out_dir.glob("*.scenarios.toml")) if _slug(property_name) in p.name]
    assert len(mine) == 1
    assert not all(not run_scenario(s).failures for s in load_scenarios(mine[0]))
    monkeypatch.undo()  # the fault removed: the counterexample passes
    assert all(not run_scenario(s).failures for s in load_scenarios(mine[0]))


def test_an_access_due_before_the_registration_is_caught(
    monkeypatch: pytest.MonkeyPatch, short_current: Path, tmp_path: Path
) -> None:
    real = registration_rules.access_due

    def early(policy: Any, registered_at: Any, *, ops: Ops | None = None) -> Any:
        due = real(policy, registered_at) if ops is None else real(policy, registered_at, ops=ops)
        return (due - dt.timedelta(hours=3)) if ops is None else ops.hours_after(due, -3)

    monkeypatch.setattr(registration_rules, "access_due", early)
    _check_fails_then_passes(
        monkeypatch, short_current, "access due after registering", tmp_path / "o"
    )


def test_an_exam_window_that_closes_before_it_opens_is_caught(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def closes(policy: Any, opens: Any, *, first_day: Any = None, ops: Any = None) -> Any:  # noqa: ARG001
        return opens - (dt.timedelta(days=1) if ops is None else 1)

    monkeypatch.setattr(exam, "exam_closes", closes)
    # On the shipped policy itself: the scenario names it by its name.
    _check_fails_then_passes(
        monkeypatch, "current", "exam window opens no later than it closes", tmp_path / "o"
    )
    text = next((tmp_path / "o").glob("*.scenarios.toml")).read_text("utf-8")
    assert 'policy = "current"\nprices = "shipped"\n' in text


def test_a_period_that_ends_on_its_start_is_caught(
    monkeypatch: pytest.MonkeyPatch, short_current: Path, tmp_path: Path
) -> None:
    def end(policy: Any, start: Any, *, ops: Any = None) -> Any:  # noqa: ARG001
        return start

    monkeypatch.setattr(certification, "period_end", end)
    _check_fails_then_passes(
        monkeypatch, short_current, "certification period ends after it starts", tmp_path / "o"
    )


def test_a_prework_start_after_the_first_day_is_caught_without_a_scenario(
    monkeypatch: pytest.MonkeyPatch, short_current: Path
) -> None:
    def start(policy: Any, registered: Any, first: Any, *, ops: Any = None) -> Any:  # noqa: ARG001
        return first + (dt.timedelta(days=1) if ops is None else 1)

    monkeypatch.setattr(prework, "recommended_prework_start", start)
    report = verify.verify_policy(load_policy(short_current))
    (found,) = report.violations
    assert found.property == "prework start not after the first day"
    assert found.scenario is None  # the journey falls back to the registration day


def _fee_table(which: Any) -> Any:
    rows = list(practicum_changes.CHANGE_FEE_PRECEDENCE)
    rule_id, case = rows[2]
    rows[2] = (rule_id, attrs.evolve(case, which=which))
    return check_precedence("is this practicum change free?", tuple(rows))


def test_a_change_fee_that_falls_as_the_request_gets_later_is_caught(
    monkeypatch: pytest.MonkeyPatch, short_current: Path, tmp_path: Path
) -> None:
    # A later session pays only in the first five days after the deadline.
    def which(ops: Ops, case: Any) -> Any:  # noqa: ARG001
        soon = case.on <= case.deadline + (
            dt.timedelta(days=5) if isinstance(case.on, dt.date) else 5
        )
        return (case.to_first > case.held_first) & soon

    # The journey's explanation reads its verdict from the table: one plant for both.
    monkeypatch.setattr(practicum_changes, "CHANGE_FEE_PRECEDENCE", _fee_table(which))
    _check_fails_then_passes(
        monkeypatch,
        short_current,
        "change fee never falls as the request gets later",
        tmp_path / "o",
    )


def test_a_gap_in_the_change_fee_table_is_caught(
    monkeypatch: pytest.MonkeyPatch, short_current: Path, tmp_path: Path
) -> None:
    rows = list(practicum_changes.CHANGE_FEE_PRECEDENCE)
    rule_id, case = rows[2]
    # R10 answers only changes to a later session: the others get no answer.
    rows[2] = (rule_id, attrs.evolve(case, when=lambda ops, c: c.to_first > c.held_first))  # noqa: ARG005
    monkeypatch.setattr(practicum_changes, "CHANGE_FEE_PRECEDENCE", tuple(rows))
    report = verify.verify_policy(load_policy(short_current))
    (gap,) = [v for v in report.violations if v.summary.startswith("no row")]
    assert gap.property == "change requests"
    assert gap.rule_ids == ("R11a", "R9", "R10")
    (path,) = [
        p
        for p in verify.write_counterexamples(report, tmp_path / "o")
        if "change-requests" in p.name
    ]
    (scenario,) = load_scenarios(path)
    # The journey's own invariant (the last row always answers) fails on the replay.
    with pytest.raises(AssertionError):
        run_scenario(scenario)
    monkeypatch.undo()
    assert not run_scenario(scenario).failures


def test_a_verdict_index_outside_the_row_is_caught(
    monkeypatch: pytest.MonkeyPatch, short_current: Path
) -> None:
    monkeypatch.setattr(
        practicum_changes,
        "CHANGE_FEE_PRECEDENCE",
        _fee_table(lambda ops, c: 2 + 0 * c.on),  # noqa: ARG005
    )
    report = verify.verify_policy(load_policy(short_current))
    found = [v for v in report.violations if v.summary == "R10 picks a verdict it does not declare"]
    assert len(found) == 1
    assert found[0].cases > 0


def test_a_refund_that_grows_as_the_cancellation_gets_later_is_caught(
    monkeypatch: pytest.MonkeyPatch, short_current: Path, tmp_path: Path
) -> None:
    def late_refund(ops: Ops, case: Any) -> Any:
        late = ops.days_between(case.registered_on, case.on) > case.policy.early_cancellation_days
        return late & (case.opened > case.on)

    # The tier table itself, which the journey and the vectors both ask.
    def planted(tiers: Any) -> Any:
        (tier,) = tiers
        row = Case(verdicts=("refund",), when=late_refund, explain=lambda _: tier)
        return check_precedence("a planted refund", (("R24", row),))

    monkeypatch.setattr(cancellation, "_precedence", planted)
    _check_fails_then_passes(
        monkeypatch,
        short_current,
        "refund never grows as the cancellation gets later",
        tmp_path / "o",
    )


def test_a_refund_below_zero_is_caught_with_the_prices_copied(
    monkeypatch: pytest.MonkeyPatch, short_current: Path, tmp_path: Path
) -> None:
    # The schedule refuses a fee above the price: the check is switched off to plant it.
    monkeypatch.setattr(PriceSchedule, "__attrs_post_init__", lambda self: None)  # noqa: ARG005
    prices = tmp_path / "prices.toml"
    prices.write_text(
        'extends = "shipped"\nprogram_price = "500"\nadministrative_fee = "600"\n', "utf-8"
    )
    out_dir = tmp_path / "o"
    status, out, _ = run(
        "verify",
        str(short_current),
        "--prices",
        str(prices),
        "--write-counterexamples",
        str(out_dir),
    )
    assert status == 1
    assert "the refund -100.00 USD is below zero" in out
    (path,) = out_dir.glob("*refunds*.scenarios.toml")
    (scenario,) = load_scenarios(path)
    (failure,) = run_scenario(scenario).failures
    assert (failure.expected, failure.actual) == ("0.00 USD", "-100.00 USD")


def test_a_price_no_schedule_gives_is_caught(
    monkeypatch: pytest.MonkeyPatch, short_current: Path
) -> None:
    rows = list(practicum_changes.CHANGE_FEE_PRECEDENCE)
    rule_id, case = rows[0]
    rows[0] = (rule_id, attrs.evolve(case, fees=("class_change_fees",)))
    monkeypatch.setattr(practicum_changes, "CHANGE_FEE_PRECEDENCE", tuple(rows))
    report = verify.verify_policy(load_policy(short_current))
    summaries = [v.summary for v in report.violations]
    assert "R11a fee charges class_change_fees, which no price gives" in summaries


def test_refund_problems_name_the_answer_required() -> None:
    prices = load_prices()
    assert verify._refund_problem(None, prices) == (  # noqa: SLF001  # the rare answers
        "the early cancellation the table refunds is refused or decides nothing",
        "none",
    )
    decision = type("D", (), {"rule_id": "R24", "verdict": "refund", "refund": None})()
    assert verify._refund_problem(decision, prices) == (  # noqa: SLF001
        "R24 refund names no refund amount",
        "unknown program_price",
    )


# -- bad input ---------------------------------------------------------------------------------


def test_bad_arguments_are_refused_word_for_word() -> None:
    names = {"verify_policy": verify.verify_policy, "load_policy": load_policy}
    raises_exactly(
        "verify_policy('current')",
        names,
        InvalidInputError,
        "policy='current' is not valid: expected a Policy (cptm_rules.load_policy)",
    )
    raises_exactly(
        "verify_policy(load_policy(), prices='shipped')",
        names,
        InvalidInputError,
        "prices='shipped' is not valid: expected a PriceSchedule (cptm_rules.load_prices) or None",
    )
    raises_exactly(
        "verify_policy(load_policy(), strict=1)",
        names,
        InvalidInputError,
        "strict=1 is not valid: expected True or False",
    )


def test_a_missing_policy_is_one_line_and_exit_2() -> None:
    status, out, err = run("verify", "curent")
    assert (status, out) == (2, "")
    assert err.count("\n") == 1
    assert err.startswith("cptm-rules: curent: <file> = 'curent' is not valid")


def test_json_and_markdown_together_are_a_usage_error() -> None:
    status, _, err = run("verify", "current", "--json", "--format", "markdown")
    assert status == 2
    assert err == "--json and --format markdown are two reports: choose one\n"


def test_counterexamples_need_a_policy_a_scenario_can_name(tmp_path: Path) -> None:
    policy = load_policy("current", overrides={"cancellation.tuition_credit_years": 0})
    report = verify.verify_policy(policy)
    with pytest.raises(InvalidInputError, match="for the scenarios to name"):
        verify.write_counterexamples(report, tmp_path)


def test_a_passing_policy_writes_no_counterexample(tmp_path: Path, short_current: Path) -> None:
    report = verify.verify_policy(load_policy(short_current))
    assert verify.write_counterexamples(report, tmp_path / "none") == ()
    assert not (tmp_path / "none").exists()


# -- the counterexample folder (review of issue 23) --------------------------------------------


NO_CREDIT = "[cancellation]\ntuition_credit_years = 0\n"
ZERO_WINDOW = '[practicum]\nfree_change_days = 0\nfree_change_day_count = "calendar"\n'


@pytest.mark.parametrize("kind", ["under-proc", "a-file"])
def test_a_folder_that_cannot_be_written_is_one_line_and_exit_2_after_the_report(
    tmp_path: Path, kind: str
) -> None:
    path = planted(tmp_path, "no-credit", NO_CREDIT)
    if kind == "a-file":
        folder = tmp_path / "taken"
        folder.write_text("mine\n", "utf-8")
    else:
        folder = Path("/proc/x/y")
    status, out, err = run("verify", str(path), "--write-counterexamples", str(folder))
    assert status == 2
    assert out.startswith("verify no-credit: 1 violation; ")
    assert "wrote" not in out
    assert err.count("\n") == 1
    assert err.startswith(f"cptm-rules: cannot write {folder}: ")
    assert "Traceback" not in err
    if kind == "a-file":
        assert (
            err == f"cptm-rules: cannot write {folder}: it is a file, not a folder; name a folder\n"
        )
        assert folder.read_text("utf-8") == "mine\n"


def test_a_new_run_replaces_the_files_verify_wrote_and_leaves_the_others(tmp_path: Path) -> None:
    folder = tmp_path / "cx"
    first = planted(tmp_path, "no-credit", NO_CREDIT)
    assert run("verify", str(first), "--write-counterexamples", str(folder))[0] == 1
    before = sorted(p.name for p in folder.iterdir())
    assert before == [
        "01-tuition-credit-expires-after-the-cancellation.scenarios.toml",
        "policy.toml",
    ]
    assert all(
        (folder / name).read_text("utf-8").startswith("# Written by cptm-rules verify")
        for name in before
    )
    # The author's own files beside them, and one written by verify before the mark came first.
    (folder / "notes.txt").write_text("why we tried this\n", "utf-8")
    (folder / "mine.scenarios.toml").write_text("# my own\n", "utf-8")
    (folder / "09-old.scenarios.toml").write_text(
        "# Counterexample: x (R9).\n# y.\n"
        "# Written by cptm-rules verify: it fails until the policy is fixed.\n",
        "utf-8",
    )
    second = planted(tmp_path, "zero-window", ZERO_WINDOW)
    status, _, _ = run("verify", str(second), "--write-counterexamples", str(folder))
    assert status == 1
    assert sorted(p.name for p in folder.iterdir()) == [
        "01-free-change-deadline-before-the-first-day.scenarios.toml",
        "02-every-rule-the-policy-turns-on-can-fire.scenarios.toml",
        "mine.scenarios.toml",
        "notes.txt",
        "policy.toml",
    ]
    assert 'name = "zero-window"' in (folder / "policy.toml").read_text("utf-8")
    assert (folder / "notes.txt").read_text("utf-8") == "why we tried this\n"
    # The proposal fixed: a passing run leaves no counterexample of verify's behind.
    fixed = second.read_text("utf-8").replace("free_change_days = 0", "free_change_days = 2")
    second.write_text(fixed, "utf-8")
    assert run("verify", str(second), "--write-counterexamples", str(folder))[0] == 0
    assert sorted(p.name for p in folder.iterdir()) == ["mine.scenarios.toml", "notes.txt"]


def test_a_file_verify_did_not_write_in_the_way_is_left_and_refused(tmp_path: Path) -> None:
    folder = tmp_path / "cx"
    folder.mkdir()
    mine = folder / "01-tuition-credit-expires-after-the-cancellation.scenarios.toml"
    mine.write_text("# the author's own\n", "utf-8")
    path = planted(tmp_path, "no-credit", NO_CREDIT)
    status, out, err = run("verify", str(path), "--write-counterexamples", str(folder))
    assert status == 2
    assert out.startswith("verify no-credit: 1 violation")
    assert err == (
        f"cptm-rules: cannot write {mine}: cptm-rules verify did not write this file and "
        "leaves it as it is; move it or name another folder\n"
    )
    assert mine.read_text("utf-8") == "# the author's own\n"
    assert sorted(p.name for p in folder.iterdir()) == [mine.name]


def test_a_policy_verified_from_inside_the_folder_is_never_removed(tmp_path: Path) -> None:
    folder = tmp_path / "cx"
    path = planted(tmp_path, "no-credit", NO_CREDIT)
    assert run("verify", str(path), "--write-counterexamples", str(folder))[0] == 1
    # The fix tried on the copy, as the docs suggest, and verified from there.
    copy = folder / "policy.toml"
    copy.write_text(copy.read_text("utf-8").replace("tuition_credit_years = 0", ""), "utf-8")
    assert run("verify", str(copy), "--write-counterexamples", str(folder))[0] == 0
    assert sorted(p.name for p in folder.iterdir()) == ["policy.toml"]


# -- one name per property ---------------------------------------------------------------------


def test_every_violation_is_named_as_its_property_with_rules_among_its(tmp_path: Path) -> None:
    properties = {p.name: set(p.rule_ids) for p in verify.PROPERTIES}
    sections = {
        "no-credit": NO_CREDIT,
        "zero-window": ZERO_WINDOW,
        "one-day": "[practicum]\nmax_session_days = 1\n",
        "grows": "[cancellation]\nrefund_tiers = [\n"
        '  { before_practicum_days = 60, refund = "50%" },\n'
        '  { before_practicum_days = 30, refund = "full" },\n]\n',
        "long-grace": '[certification]\ncertification_period = { amount = 1, unit = "months" }\n'
        "renewal_grace_days = 60\n",
    }
    seen = set()
    for name, text in sections.items():
        report = verify.verify_policy(load_policy(planted(tmp_path, name, text)), strict=True)
        assert report.violations, name
        data: Any = report.as_json()
        joined = {p["name"]: set(p["rules"]) for p in data["properties"]}
        for v in data["violations"]:
            assert v["property"] in joined
            assert set(v["rules"]) <= joined[v["property"]]
        for v in report.violations:
            assert set(v.rule_ids) <= properties[v.property]
            assert f"{v.property} ({', '.join(v.rule_ids)})" in report.text()
            seen.add(v.property)
    assert len(seen) >= 5


def test_a_finding_without_a_scenario_says_so(
    monkeypatch: pytest.MonkeyPatch, short_current: Path, tmp_path: Path
) -> None:
    def start(policy: Any, registered: Any, first: Any, *, ops: Any = None) -> Any:  # noqa: ARG001
        return first + (dt.timedelta(days=1) if ops is None else 1)

    monkeypatch.setattr(prework, "recommended_prework_start", start)
    report = verify.verify_policy(load_policy(short_current))
    assert (
        "\n      no counterexample file: the journey states the start through R6's advice, "
        "which falls back to the registration day: only the batch path's "
        "prework_recommended_start shows it\n"
    ) in report.text()
    data: Any = report.as_json()
    (found,) = data["violations"]
    assert found["counterexample"] is False
    assert verify.write_counterexamples(report, tmp_path / "o") == ()
