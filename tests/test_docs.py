"""The documentation's examples are code: run them, so they cannot rot.

Doctest blocks (``>>>``) in ``docs/*.md`` run through pytest's doctest collection;
this module runs the other examples: plain Python blocks, the example policy file and
the example scenario.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cptm_rules.docs import generated_pages
from cptm_rules.policy import load_policy
from cptm_rules.scenarios import load_scenarios, run_scenario

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"```(?P<lang>\w+)\n(?P<body>.*?)```", re.DOTALL)


def blocks(language: str) -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        for number, match in enumerate(FENCE.finditer(page.read_text(encoding="utf-8"))):
            if match["lang"] == language and ">>>" not in match["body"]:
                found.append((f"{page.name}#{number}", match["body"]))
    return found


@pytest.mark.parametrize(("where", "source"), blocks("python"), ids=lambda v: str(v)[:30])
def test_every_plain_python_example_runs(where: str, source: str) -> None:
    exec(compile(source, where, "exec"), {"__name__": "__docs__", "print": lambda *_: None})  # noqa: S102  # our own docs


def test_the_example_policy_file_loads(tmp_path: Path) -> None:
    example, _deadlines = [body for where, body in blocks("toml") if where.startswith("policy.md")]
    path = tmp_path / "board.toml"
    path.write_text(example, encoding="utf-8")
    policy = load_policy(path)
    assert str(policy.free_change_day_count) == "calendar"
    assert policy.source_of("free_change_day_count").citation == "board decision, June 2027"


def test_the_example_deadlines_load_in_the_general_form(tmp_path: Path) -> None:
    _board, example = [body for where, body in blocks("toml") if where.startswith("policy.md")]
    path = tmp_path / "deadlines.toml"
    path.write_text(example, encoding="utf-8")
    policy = load_policy(path)
    assert str(policy.exam_window.counted_from) == "practicum_first_day"
    assert (policy.tuition_credit.amount, str(policy.tuition_credit.unit)) == (18, "months")


def test_the_example_scenario_passes(tmp_path: Path) -> None:
    (example,) = [body for where, body in blocks("toml") if where.startswith("scenarios.md")]
    path = tmp_path / "example.scenarios.toml"
    path.write_text(example, encoding="utf-8")
    (scenario,) = load_scenarios(path)
    result = run_scenario(scenario)
    assert result.passed, result.failures
    assert len(result.results) == 4


def test_every_generated_page_is_linked_from_the_docs() -> None:
    text = "\n".join(page.read_text(encoding="utf-8") for page in PAGES)
    for relative in generated_pages(ROOT):
        if relative.startswith("docs/"):
            assert relative.removeprefix("docs/") in text, relative
