"""A pytest plugin: every ``*.scenarios.toml`` file collected is a test file.

Installed with the package (entry point ``pytest11``), so a staff repository
of scenario files runs them with plain ``pytest``; each scenario is one test
item whose failure shows expected and actual answers side by side.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from cptm_rules.checks import SCENARIO_GLOB
from cptm_rules.exceptions import ScenarioError
from cptm_rules.scenarios import Scenario, ScenarioResult, load_scenarios, run_scenario, show_value

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

__all__ = ["ScenarioFile", "ScenarioItem", "pytest_collect_file"]


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> ScenarioFile | None:
    """Collect scenario files by name."""
    if file_path.match(SCENARIO_GLOB):
        collected: ScenarioFile = ScenarioFile.from_parent(parent, path=file_path)
        return collected
    return None


class ScenarioMismatchError(AssertionError):
    """A scenario's expectations did not hold."""


class ScenarioFile(pytest.File):
    """A TOML file of scenarios."""

    def collect(self) -> Iterator[ScenarioItem]:
        """One item per scenario."""
        for scenario in load_scenarios(self.path):
            yield ScenarioItem.from_parent(self, name=scenario.name, scenario=scenario)

    def repr_failure(  # type: ignore[override]
        self, excinfo: pytest.ExceptionInfo[BaseException]
    ) -> str:
        """A malformed file is the user's mistake: one clear line, no traceback."""
        if isinstance(excinfo.value, ScenarioError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))


class ScenarioItem(pytest.Item):
    """One scenario, run as a test."""

    def __init__(self, *, scenario: Scenario, **kwargs: Any) -> None:  # noqa: ANN401
        """Keep the parsed scenario."""
        super().__init__(**kwargs)
        self.scenario = scenario
        self.result: ScenarioResult | None = None

    def runtest(self) -> None:
        """Replay the scenario; fail with every mismatch."""
        self.result = run_scenario(self.scenario)
        if not self.result.passed:
            raise ScenarioMismatchError(self.result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:  # noqa: ANN401
        """Expected and actual answers, side by side."""
        if isinstance(excinfo.value, ScenarioMismatchError) and self.result is not None:
            lines = [f"scenario {self.scenario.name!r} in {self.scenario.source}:"]
            for failure in self.result.failures:
                lines.append(f"  {failure.where}")
                lines.append(f"    expected: {show_value(failure.expected)}")
                lines.append(f"    actual:   {show_value(failure.actual)}")
            return "\n".join(lines)
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int, str]:
        """Where the scenario lives."""
        return self.path, 0, f"scenario: {self.scenario.name}"
