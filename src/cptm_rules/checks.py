"""Running scenario files for people and CI: reports, JUnit XML, rule coverage, ``--update``."""

from __future__ import annotations

import codecs
import json
import time
import xml.etree.ElementTree as ET  # the conventional short name
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from cptm_rules.catalogue import RULES
from cptm_rules.exceptions import CptmRulesError, InvalidInputError
from cptm_rules.files import check_writable, write_atomically
from cptm_rules.rule_coverage import declared_verdicts
from cptm_rules.scenarios import ScenarioResult, load_scenarios, run_scenario, show_value

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import TextIO

__all__ = ["SCENARIO_GLOB", "SuiteCoverage", "check_paths", "scenario_files", "suite_coverage"]

SCENARIO_GLOB = "*.scenarios.toml"
"""The file names a folder is searched for."""


def scenario_files(paths: Iterable[Path]) -> tuple[Path, ...]:
    """The scenario files named by ``paths``: files as given, folders searched recursively."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(path.rglob(SCENARIO_GLOB))
        else:
            found.append(path)
    return tuple(found)


@attrs.frozen(kw_only=True)
class _Timed:
    result: ScenarioResult
    seconds: float


@attrs.frozen(kw_only=True)
class _FileError:
    source: str
    message: str


def _report(timed: _Timed, out: TextIO) -> None:
    result = timed.result
    scenario = result.scenario
    label = f"{scenario.source} :: {scenario.name}"
    if result.passed:
        out.write(f"PASS  {label}\n")
        return
    out.write(f"FAIL  {label}\n")
    for failure in result.failures:
        out.write(f"      {failure.where}\n")
        out.write(f"        expected: {show_value(failure.expected)}\n")
        out.write(f"        actual:   {show_value(failure.actual)}\n")


def _junit(
    timed: Sequence[_Timed], errors: Sequence[_FileError], path: Path, verdicts: SuiteCoverage
) -> None:
    failures = sum(not t.result.passed for t in timed)
    suite = ET.Element(
        "testsuite",
        name="cptm-rules scenarios",
        tests=str(len(timed) + len(errors)),
        failures=str(failures),
        errors=str(len(errors)),
        time=f"{sum(t.seconds for t in timed):.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(
        properties, "property", name="rule_verdict_coverage", value=f"{verdicts.percent:.1f}"
    )
    ET.SubElement(
        properties,
        "property",
        name="rule_verdicts_not_exercised",
        value=", ".join(f"{r} {v}" for r, v in verdicts.missing),
    )
    for bad in errors:
        case = ET.SubElement(
            suite, "testcase", classname=bad.source, name="(file)", file=bad.source, time="0"
        )
        error = ET.SubElement(case, "error", message="the scenario file cannot be read")
        error.text = bad.message
    for item in timed:
        scenario = item.result.scenario
        case = ET.SubElement(
            suite,
            "testcase",
            classname=scenario.source,
            name=scenario.name,
            file=scenario.source,
            time=f"{item.seconds:.3f}",
        )
        if not item.result.passed:
            text = "\n".join(
                f"{f.where}: expected {show_value(f.expected)}, actual {show_value(f.actual)}"
                for f in item.result.failures
            )
            failure = ET.SubElement(
                case, "failure", message=f"{len(item.result.failures)} mismatch(es)"
            )
            failure.text = text
    write_atomically(path, ET.tostring(suite, encoding="utf-8", xml_declaration=True))


def _update(results: Sequence[ScenarioResult]) -> int:
    import tomlkit  # noqa: PLC0415  # only --update needs a comment-preserving TOML writer

    by_file: dict[str, list[ScenarioResult]] = {}
    for result in results:
        by_file.setdefault(result.scenario.source, []).append(result)
    rewritten = 0
    for source, file_results in by_file.items():
        path = Path(source)
        raw = path.read_bytes()
        bom = codecs.BOM_UTF8 if raw.startswith(codecs.BOM_UTF8) else b""
        text = raw[len(bom) :].decode("utf-8")
        # Keep what the user wrote: CRLF line endings and a byte-order mark survive.
        crlf = "\r\n" in text
        document = tomlkit.parse(text.replace("\r\n", "\n") if crlf else text)
        changed = False
        for result in file_results:
            table = document["scenario"][result.scenario.index]
            for failure in result.failures:
                if failure.actual is None:
                    continue
                node: Any = table
                *parents, key = failure.path
                for part in parents:
                    node = node[part]
                node[key] = failure.actual
                changed = True
        if changed:
            updated = tomlkit.dumps(document)
            if crlf:
                updated = updated.replace("\n", "\r\n")
            write_atomically(path, bom + updated.encode("utf-8"))
            rewritten += 1
    return rewritten


@attrs.frozen(kw_only=True)
class SuiteCoverage:
    """Which declared ``(rule, verdict)`` pairs a suite of scenarios exercised."""

    declared: tuple[tuple[str, str], ...]
    exercised: frozenset[tuple[str, str]]

    @property
    def missing(self) -> tuple[tuple[str, str], ...]:
        """The declared pairs no scenario exercised, in catalogue order."""
        return tuple(pair for pair in self.declared if pair not in self.exercised)

    @property
    def percent(self) -> float:
        """The share of declared pairs exercised, in percent."""
        if not self.declared:
            return 100.0
        return 100.0 * (len(self.declared) - len(self.missing)) / len(self.declared)

    def text(self) -> str:
        """``rule verdicts exercised: 60 of 62 (96.8%)`` and the pairs missing."""
        done = len(self.declared) - len(self.missing)
        line = f"rule verdicts exercised: {done} of {len(self.declared)} ({self.percent:.1f}%)"
        if self.missing:
            line += "\n  not exercised: " + ", ".join(f"{r} {v}" for r, v in self.missing)
        return line


def suite_coverage(results: Iterable[ScenarioResult]) -> SuiteCoverage:
    """The rule-and-verdict coverage of ``results`` against every declared pair."""
    exercised: set[tuple[str, str]] = set()
    for result in results:
        exercised |= result.verdicts
    return SuiteCoverage(declared=declared_verdicts(), exercised=frozenset(exercised))


def check_paths(  # noqa: C901, PLR0912  # one run, three report forms
    paths: Sequence[Path],
    *,
    out: TextIO,
    junit_xml: Path | None = None,
    update: bool = False,
    list_rules: bool = False,
    coverage: bool = False,
    fail_under: float | None = None,
    output_format: Literal["text", "markdown", "json"] = "text",
) -> int:
    """Run every scenario under ``paths``; print results and rule coverage; return the status.

    A file that cannot be read is reported (in the summary and as an error case
    in the JUnit report) and the other files still run. The status is 0 when
    every scenario passed and every file was read, 1 otherwise, and 2 when
    ``paths`` hold no scenario file. With ``coverage`` the report adds the
    ``(rule, verdict)`` pairs exercised and those no scenario exercised; with
    ``fail_under`` (a percentage, implying ``coverage``) the status is 1 when
    fewer pairs are exercised. ``output_format`` ``markdown`` writes a compact
    summary for a pull-request comment, ``json`` a JSON document; the JUnit
    report always carries the coverage as a property.
    """
    if fail_under is not None and not 0 <= fail_under <= 100:  # a percentage
        raise InvalidInputError("fail_under", fail_under, "a percentage from 0 to 100")
    if junit_xml is not None:
        check_writable(junit_xml)  # before any scenario runs
    files = scenario_files(paths)
    if not files:
        out.write(f"no scenario files ({SCENARIO_GLOB}) under {', '.join(map(str, paths))}\n")
        return 2
    text = output_format == "text"
    timed: list[_Timed] = []
    errors: list[_FileError] = []
    for path in files:
        try:
            scenarios = load_scenarios(path)
        except CptmRulesError as exc:
            errors.append(_FileError(source=str(path), message=str(exc)))
            if text:
                # Most errors already begin with the file's name: name it once.
                message = str(exc)
                named = message if message.startswith(f"{path}:") else f"{path}: {message}"
                out.write(f"ERROR {named}\n")
            continue
        for scenario in scenarios:
            started = time.perf_counter()
            result = run_scenario(scenario)
            timed.append(_Timed(result=result, seconds=time.perf_counter() - started))
            if text:
                _report(timed[-1], out)
    results = [t.result for t in timed]
    failed = sum(not r.passed for r in results)
    summary = f"{len(results) - failed} passed, {failed} failed"
    if errors:
        summary += f", {len(errors)} file(s) could not be read"
    verdicts = suite_coverage(results)
    under = fail_under is not None and verdicts.percent < fail_under
    if text:
        out.write(f"\n{summary}\n")
        _rules_summary(results, out, list_rules=list_rules)
        if coverage or fail_under is not None:
            out.write(verdicts.text() + "\n")
        if under:
            out.write(f"rule verdict coverage {verdicts.percent:.1f}% is under {fail_under:g}%\n")
    elif output_format == "markdown":
        out.write(_markdown(timed, errors, summary, verdicts, fail_under))
    else:
        _json(timed, errors, verdicts, fail_under, out)
    if junit_xml is not None:
        _junit(timed, errors, junit_xml, verdicts)
    if update and failed:
        rewritten = _update(results)
        if text:  # a JSON or markdown report stays one document
            out.write(f"updated the expectations in {rewritten} file(s)\n")
        return 1 if errors or under else 0
    return 1 if failed or errors or under else 0


def _rules_summary(results: Sequence[ScenarioResult], out: TextIO, *, list_rules: bool) -> None:
    exercised = set().union(*(r.rule_ids for r in results))
    covered = [rule_id for rule_id in RULES if rule_id in exercised]
    missing = [rule_id for rule_id in RULES if rule_id not in exercised]
    out.write(f"rules exercised: {len(covered)} of {len(RULES)}\n")
    if list_rules:
        out.write(f"  exercised: {', '.join(covered) if covered else 'none'}\n")
        out.write(f"  not exercised: {', '.join(missing) if missing else 'none'}\n")


def _markdown(
    timed: Sequence[_Timed],
    errors: Sequence[_FileError],
    summary: str,
    verdicts: SuiteCoverage,
    fail_under: float | None,
) -> str:
    failing = [t.result for t in timed if not t.result.passed]
    under = fail_under is not None and verdicts.percent < fail_under
    status = "fails" if failing or errors or under else "passes"
    lines = [f"### Scenario check: {status}", "", f"{summary}."]
    for result in failing[:_MARKDOWN_ROWS]:
        first = result.failures[0]
        lines.append(
            f"- `{_flat(result.scenario.source)}` :: {_flat(result.scenario.name)}: "
            f"{_flat(first.where)} expected {_flat(show_value(first.expected))}, "
            f"actual {_flat(show_value(first.actual))}"
        )
    if len(failing) > _MARKDOWN_ROWS:
        lines.append(f"- … and {len(failing) - _MARKDOWN_ROWS} more failing scenarios")
    lines += [f"- `{_flat(bad.source)}`: the file cannot be read" for bad in errors]
    done = len(verdicts.declared) - len(verdicts.missing)
    lines += [
        "",
        f"Rule verdicts exercised: {done} of {len(verdicts.declared)} ({verdicts.percent:.1f}%)"
        + (f", under the required {fail_under:g}%." if under else "."),
    ]
    if verdicts.missing:
        lines.append("Not exercised: " + ", ".join(f"{r} {v}" for r, v in verdicts.missing) + ".")
    return "\n".join(lines) + "\n"


_MARKDOWN_ROWS = 10


def _flat(text: str) -> str:
    # One line of markdown: no newline, no backtick or pipe from the data.
    return " ".join(text.split()).replace("`", "'").replace("|", "\\|")[:160]


def _json(
    timed: Sequence[_Timed],
    errors: Sequence[_FileError],
    verdicts: SuiteCoverage,
    fail_under: float | None,
    out: TextIO,
) -> None:
    document = {
        "passed": sum(t.result.passed for t in timed),
        "failed": sum(not t.result.passed for t in timed),
        "unreadable": [bad.source for bad in errors],
        "scenarios": [
            {
                "source": t.result.scenario.source,
                "name": t.result.scenario.name,
                "passed": t.result.passed,
            }
            for t in timed
        ],
        "coverage": {
            "declared": len(verdicts.declared),
            "exercised": len(verdicts.declared) - len(verdicts.missing),
            "percent": round(verdicts.percent, 1),
            "fail_under": fail_under,
            "not_exercised": [{"rule": r, "verdict": v} for r, v in verdicts.missing],
        },
    }
    out.write(json.dumps(document, indent=2) + "\n")
