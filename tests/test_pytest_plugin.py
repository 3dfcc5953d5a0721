from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

SCENARIO = """
[[scenario]]
name = "A change on the Saturday after the deadline is free"

  [[scenario.events]]
  type = "register"
  registered_at = 2026-11-02T09:30:00-05:00
  practicum = "2027-01-11..2027-01-14"

  [[scenario.events]]
  type = "request_change"
  on = 2026-11-21
  to = "2027-02-08..2027-02-11"
  expect = { fee = "none" }

[[scenario]]
name = "A change on the deadline is free"

  [[scenario.events]]
  type = "register"
  registered_at = 2026-11-02T09:30:00-05:00
  practicum = "2027-01-11..2027-01-14"

  [[scenario.events]]
  type = "request_change"
  on = 2026-11-20
  to = "2027-02-08..2027-02-11"
  expect = { fee = "none" }
"""


def test_scenario_files_run_as_pytest_items_with_expected_and_actual(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".scenarios.toml", staff=SCENARIO)
    pytester.makefile(".toml", other="not = 'a scenario file'")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*scenario 'A change on the Saturday after the deadline is free'*",
            "*event 2 (request_change).fee",
            "*expected: 'none'",
            "*actual:   '400.00 USD'",
        ]
    )


def test_a_malformed_scenario_file_fails_collection_with_a_clear_message(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".scenarios.toml", broken='[[scenario]]\nname = "x y"\n')
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*scenario 'x y': events: expected at least one*"])
    assert "Traceback" not in result.stdout.str()
    assert "load_scenarios" not in result.stdout.str()
