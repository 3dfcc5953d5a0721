from __future__ import annotations

from pathlib import Path

import pytest

from cptm_rules import scenarios as scenarios_module
from cptm_rules.catalogue import RULES
from cptm_rules.checks import scenario_files
from cptm_rules.exceptions import ScenarioError
from cptm_rules.scenarios import load_scenarios, run_scenario

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = scenario_files([ROOT / "scenarios"])

GOOD_EVENTS = """
  [[scenario.events]]
  type = "register"
  registered_at = 2026-11-02T09:30:00-05:00
  practicum = "2027-01-11..2027-01-14"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.scenarios.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_scenarios_exercise_every_rule_r1_to_r27() -> None:
    exercised: set[str] = set()
    for path in SHIPPED:
        for scenario in load_scenarios(path):
            result = run_scenario(scenario)
            assert result.passed, (scenario.name, result.failures)
            exercised |= result.rule_ids
    assert sorted(exercised) == sorted(RULES)


def test_every_shipped_scenario_name_reads_as_a_sentence() -> None:
    for path in SHIPPED:
        for scenario in load_scenarios(path):
            assert scenario.name[0].isupper()
            assert len(scenario.name.split()) >= 5


def test_a_wrong_expectation_fails_with_expected_and_actual(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[scenario]]\nname = "A change is free"\n'
        + GOOD_EVENTS
        + """
  [[scenario.events]]
  type = "request_change"
  on = 2026-11-21
  to = "2027-02-08..2027-02-11"
  expect = { decisions = ["R9 free"], fee = "none" }
""",
    )
    (scenario,) = load_scenarios(path)
    result = run_scenario(scenario)
    assert not result.passed
    assert [(f.where, f.expected, f.actual) for f in result.failures] == [
        ("event 2 (request_change).decisions", ["R9 free"], ["R10 fee"]),
        ("event 2 (request_change).fee", "none", "400.00 USD"),
    ]


def test_an_unexpected_refusal_is_a_failure(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[scenario]]\nname = "An exam before attendance"\n'
        + GOOD_EVENTS
        + """
  [[scenario.events]]
  type = "attempt_exam"
  on = 2027-01-20
  passed = true
""",
    )
    (scenario,) = load_scenarios(path)
    (failure,) = run_scenario(scenario).failures
    assert failure.expected == "no error"
    assert str(failure.actual).startswith("RuleViolationError: cannot apply AttemptExam")


def test_a_check_that_cannot_be_answered_reports_the_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[scenario]]\nname = "A ledger before certification"\n'
        + GOOD_EVENTS
        + '  [[scenario.check]]\n  ledger_on = 2027-02-01\n  hours = "0"\n',
    )
    (scenario,) = load_scenarios(path)
    (failure,) = run_scenario(scenario).failures
    assert str(failure.actual).startswith("error: journey=")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("scenario = 3\n", r"mine.scenarios.toml: scenario: expected at least one"),
        ("[[scenario]]\n" + GOOD_EVENTS, r"scenario\[0\].name: every scenario needs a name"),
        ('[[scenario]]\nname = "x y"\ncolour = 1\n' + GOOD_EVENTS, r"'x y': colour: unknown key"),
        ('[[scenario]]\nname = "x y"\n', r"'x y': events: expected at least one"),
        (
            '[[scenario]]\nname = "x y"\n[[scenario.events]]\ntype = "fly"\n',
            r"events\[0\].type: expected one of register",
        ),
        (
            '[[scenario]]\nname = "x y"\n[[scenario.events]]\ntype = "cancel"\n',
            r"events\[0\].on: a 'cancel' event needs 'on'",
        ),
        (
            '[[scenario]]\nname = "x y"\n[[scenario.events]]\ntype = "cancel"\non = "soon"\n',
            r"events\[0\].on: expected an ISO date such as 2027-01-11, got 'soon'",
        ),
        (
            (
                '[[scenario]]\nname = "x y"\n[[scenario.events]]\ntype = "cancel"\n'
                "on = 2027-01-01\nwhen = 1\n"
            ),
            r"events\[0\].when: unknown key for a 'cancel' event",
        ),
        (
            (
                '[[scenario]]\nname = "x y"\n[[scenario.events]]\ntype = "register"\n'
                'registered_at = 2026-11-02T09:30:00\npracticum = "2027-01-11..2027-01-14"\n'
            ),
            r"registered_at: expected an ISO instant with its offset",
        ),
        (
            (
                '[[scenario]]\nname = "x y"\n[[scenario.events]]\ntype = "register"\n'
                'registered_at = 2026-11-02T09:30:00-05:00\npracticum = "2027-01-14..2027-01-11"\n'
            ),
            r"practicum: expected a last day on or after the first day \(R2\)",
        ),
        (
            '[[scenario]]\nname = "x y"\npolicy = "newest"\n' + GOOD_EVENTS,
            r"'x y': policy: .*newest",
        ),
        (
            '[[scenario]]\nname = "x y"\noverrides = { "exam.window" = 3 }\n' + GOOD_EVENTS,
            r"policy: <overrides>: exam.window",
        ),
        (
            '[[scenario]]\nname = "x y"\n' + GOOD_EVENTS + '  expect = { colour = "red" }\n',
            r"events\[0\].expect.colour: unknown expectation",
        ),
        (
            '[[scenario]]\nname = "x y"\n'
            + GOOD_EVENTS
            + '  [[scenario.check]]\n  key_date = "x"\n',
            r"check\[0\].key_date: expected one of registered",
        ),
        (
            '[[scenario]]\nname = "x y"\n' + GOOD_EVENTS + "  [[scenario.check]]\n  is = 1\n",
            r"check\[0\]: expected exactly one of state_on",
        ),
        ('[[scenario]]\nname = "x y"\nprices = "nowhere.toml"\n' + GOOD_EVENTS, r"'x y': prices: "),
        (
            (
                '[[scenario]]\nname = "x y"\n[[scenario.events]]\ntype = "record_activity"\n'
                'id = "a"\non = 2027-01-01\nhours = "lots"\ncategory = "webinar"\n'
            ),
            r"hours: expected hours",
        ),
        (
            (
                '[[scenario]]\nname = "x y"\n[[scenario.events]]\ntype = "record_attendance"\n'
                'attendance = "asleep"\non = 2027-01-01\n'
            ),
            r"events\[0\]: attendance='asleep'",
        ),
        ("top = 1\n", r"top: unknown top-level key"),
        (
            (
                '[[scenario]]\nname = "x y"\n[[scenario.events]]\ntype = "request_change"\n'
                "on = 2027-01-01\nto = 5\n"
            ),
            r"events\[0\].to: expected FIRST..LAST such as",
        ),
        (
            (
                '[[scenario]]\nname = "x y"\n[[scenario.events]]\ntype = "substitute"\n'
                'on = 2027-01-01\nemail = ""\n'
            ),
            r"events\[0\].email: expected a non-empty string",
        ),
        (
            (
                '[[scenario]]\nname = "x y"\n[[scenario.events]]\ntype = "complete_module"\n'
                'module = "one"\non = 2027-01-01\n'
            ),
            r"events\[0\].module: expected a whole number",
        ),
        (
            (
                '[[scenario]]\nname = "x y"\n[[scenario.events]]\ntype = "attempt_exam"\n'
                'passed = "yes"\non = 2027-01-01\n'
            ),
            r"events\[0\].passed: expected true or false",
        ),
        (
            (
                '[[scenario]]\nname = "x y"\n[[scenario.events]]\ntype = "record_activity"\n'
                'id = "a"\non = 2027-01-01\nhours = true\ncategory = "webinar"\n'
            ),
            r"events\[0\].hours: expected hours",
        ),
        (
            '[[scenario]]\nname = "x y"\n' + GOOD_EVENTS + '  expect = "yes"\n',
            r"events\[0\].expect: expected a table of expectations",
        ),
        (
            '[[scenario]]\nname = "x y"\nevents = [1]\n',
            r"events\[0\]: expected a table with a 'type'",
        ),
        (
            '[[scenario]]\nname = "x y"\ncheck = [1]\n' + GOOD_EVENTS,
            r"check\[0\]: expected a table",
        ),
        (
            '[[scenario]]\nname = "x y"\ncheck = 1\n' + GOOD_EVENTS,
            r"check: expected \[\[scenario.check\]\]",
        ),
        (
            '[[scenario]]\nname = "x y"\n' + GOOD_EVENTS + '  [[scenario.check]]\n  fact = "x"\n',
            r"check\[0\].fact: expected one of",
        ),
        (
            '[[scenario]]\nname = "x y"\n' + GOOD_EVENTS + "  [[scenario.check]]\n  quote = 1\n",
            r"check\[0\].quote: expected true",
        ),
        ('[[scenario]]\nname = "x y"\npolicy = 1\n' + GOOD_EVENTS, r"policy: expected a shipped"),
        (
            '[[scenario]]\nname = "x y"\noverrides = 1\n' + GOOD_EVENTS,
            r"overrides: expected a table",
        ),
        ('[[scenario]]\nname = "x y"\nprices = 1\n' + GOOD_EVENTS, r"prices: expected \"shipped\""),
        ("scenario = [1]\n", r"scenario\[0\]: expected a \[\[scenario\]\] table"),
        ("[[scenario", r"<file>: not valid TOML"),
    ],
)
def test_a_bad_scenario_file_names_the_file_scenario_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ScenarioError, match=message) as caught:
        load_scenarios(write(tmp_path, text))
    assert str(caught.value).startswith(str(tmp_path / "mine.scenarios.toml"))


def test_sessions_may_be_written_as_tables(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[scenario]]\nname = "x y"\n[[scenario.events]]\ntype = "register"\n'
        "registered_at = 2026-11-02T09:30:00-05:00\n"
        "practicum = { first_day = 2027-01-11, last_day = 2027-01-14 }\n",
    )
    (scenario,) = load_scenarios(path)
    assert run_scenario(scenario).passed


def test_dates_written_as_strings_compare_as_dates(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[scenario]]\nname = "x y"\n'
        + GOOD_EVENTS
        + '  [[scenario.check]]\n  key_date = "free_change_deadline"\n  is = "2026-11-20"\n'
        + '  [[scenario.check]]\n  key_date = "access_due"\n'
        + '  is = "2026-11-02T11:30:00-05:00"\n'
        + '  [[scenario.check]]\n  key_date = "certification_date"\n  is = "absent"\n',
    )
    (scenario,) = load_scenarios(path)
    assert run_scenario(scenario).passed


def test_a_missing_scenario_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"<file>: no such file"):
        load_scenarios(tmp_path / "absent.scenarios.toml")


PRIVATE_TOML = 'registry = { token = "ghp_do-not-print-me" }\n'


def _scenario_naming(tmp_path: Path, key: str, name: str) -> Path:
    folder = tmp_path / "repo"
    folder.mkdir(exist_ok=True)
    path = folder / "leak.scenarios.toml"
    path.write_text(
        f'[[scenario]]\nname = "A leak"\n{key} = "{name}"\n'
        '  [[scenario.events]]\n  type = "register"\n'
        '  registered_at = 2026-11-02T09:30:00-05:00\n  practicum = "2027-01-11..2027-01-14"\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("key", ["policy", "prices"])
@pytest.mark.parametrize("how", ["climb", "absolute", "link"])
def test_a_scenario_file_cannot_read_a_file_outside_its_folder(
    tmp_path: Path, key: str, how: str
) -> None:
    outside = tmp_path / "credentials.toml"
    outside.write_text(PRIVATE_TOML, encoding="utf-8")
    (tmp_path / "repo").mkdir()
    name = {"climb": "../credentials.toml", "absolute": str(outside), "link": "link.toml"}[how]
    if how == "link":
        (tmp_path / "repo" / "link.toml").symlink_to(outside)
    path = _scenario_naming(tmp_path, key, name)
    outside.chmod(0o000)  # were it opened, the error would say permission denied
    try:
        with pytest.raises(ScenarioError) as error:
            load_scenarios(path)
    finally:
        outside.chmod(0o600)
    message = str(error.value)
    assert "do-not-print-me" not in message
    assert "Permission denied" not in message
    assert ("an absolute path" if how == "absolute" else "outside the folder") in message


def test_a_scenario_may_name_a_file_in_a_subfolder_of_its_own(tmp_path: Path) -> None:
    folder = tmp_path / "repo" / "policies"
    folder.mkdir(parents=True)
    (folder / "board.toml").write_text(
        'extends = "current"\n[practicum]\nfree_change_days = 20\n', encoding="utf-8"
    )
    (scenario,) = load_scenarios(_scenario_naming(tmp_path, "policy", "policies/board.toml"))
    assert scenario.policy.free_change_days == 20


def test_a_policy_file_that_fails_validation_shows_only_a_short_value(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "bad.toml").write_text(
        'extends = "current"\nregistry = "' + "t0ken" * 100 + '"\n', encoding="utf-8"
    )
    with pytest.raises(ScenarioError) as error:
        load_scenarios(_scenario_naming(tmp_path, "policy", "bad.toml"))
    assert "t0ken" * 20 not in str(error.value)
    assert "registry = '<unknown key>'" in str(error.value)  # an unknown key's value: never shown


def test_a_scenario_with_more_events_than_the_bound_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scenarios_module, "MAX_EVENTS", 2)
    path = tmp_path / "big.scenarios.toml"
    event = '[[scenario.events]]\ntype = "pay_renewal_fee"\non = 2027-01-01\n'
    path.write_text('[[scenario]]\nname = "Many events"\n' + event * 3, encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"events: expected at most 2 events, got 3"):
        load_scenarios(path)


def test_a_scenario_file_larger_than_the_bound_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scenarios_module, "MAX_SCENARIO_FILE_BYTES", 64)
    path = tmp_path / "big.scenarios.toml"
    path.write_text("# " + "x" * 100 + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"<file>"):
        load_scenarios(path)


def test_a_file_with_more_scenarios_than_the_bound_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scenarios_module, "MAX_SCENARIOS", 1)
    path = tmp_path / "two.scenarios.toml"
    one = (
        '[[scenario]]\nname = "A"\n[[scenario.events]]\ntype = "pay_renewal_fee"\non = 2027-01-01\n'
    )
    path.write_text(one * 2, encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"expected at most 1 scenarios in a file, got 2"):
        load_scenarios(path)


NAMED = '[[scenario]]\nname = "x y"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            NAMED + 'polcy = "legacy"\n' + GOOD_EVENTS,
            r"polcy: unknown key; .*did you mean policy\?",
        ),
        (NAMED + '[[scenario.events]]\ntype = "registr"\n', r"did you mean register\?"),
        (
            NAMED + GOOD_EVENTS + "  registred_at = 2026-11-02T09:30:00-05:00\n",
            r"registred_at: unknown key for a 'register' event; .*did you mean registered_at\?",
        ),
        (
            NAMED + GOOD_EVENTS + '  expect = { decision = ["R1 accepted"] }\n',
            r"expect.decision: unknown expectation; .*did you mean decisions\?",
        ),
    ],
)
def test_a_misspelt_scenario_key_gets_the_key_it_is_a_typo_of(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ScenarioError, match=message):
        load_scenarios(write(tmp_path, text))


def test_a_scenario_key_that_is_no_typo_gets_no_suggestion(tmp_path: Path) -> None:
    text = NAMED + "grace_period_days = 30\n" + GOOD_EVENTS
    with pytest.raises(ScenarioError, match="unknown key; allowed: name,") as caught:
        load_scenarios(write(tmp_path, text))
    assert "did you mean" not in str(caught.value)
