"""Running scenario files for people and CI: reports, JUnit XML, rule coverage, ``--update``."""

from __future__ import annotations

import codecs
import time
import xml.etree.ElementTree as ET  # the conventional short name
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from cptm_rules.catalogue import RULES
from cptm_rules.exceptions import CptmRulesError
from cptm_rules.files import check_writable, write_atomically
from cptm_rules.scenarios import ScenarioResult, load_scenarios, run_scenario, show_value

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import TextIO

__all__ = ["SCENARIO_GLOB", "check_paths", "scenario_files"]

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


def _junit(timed: Sequence[_Timed], errors: Sequence[_FileError], path: Path) -> None:
    failures = sum(not t.result.passed for t in timed)
    suite = ET.Element(
        "testsuite",
        name="cptm-rules scenarios",
        tests=str(len(timed) + len(errors)),
        failures=str(failures),
        errors=str(len(errors)),
        time=f"{sum(t.seconds for t in timed):.3f}",
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


def check_paths(
    paths: Sequence[Path],
    *,
    out: TextIO,
    junit_xml: Path | None = None,
    update: bool = False,
    list_rules: bool = False,
) -> int:
    """Run every scenario under ``paths``; print results and rule coverage; return the status.

    A file that cannot be read is reported (in the summary and as an error case
    in the JUnit report) and the other files still run. The status is 0 when
    every scenario passed and every file was read, 1 otherwise, and 2 when
    ``paths`` hold no scenario file.
    """
    if junit_xml is not None:
        check_writable(junit_xml)  # before any scenario runs
    files = scenario_files(paths)
    if not files:
        out.write(f"no scenario files ({SCENARIO_GLOB}) under {', '.join(map(str, paths))}\n")
        return 2
    timed: list[_Timed] = []
    errors: list[_FileError] = []
    for path in files:
        try:
            scenarios = load_scenarios(path)
        except CptmRulesError as exc:
            errors.append(_FileError(source=str(path), message=str(exc)))
            out.write(f"ERROR {path}: {exc}\n")
            continue
        for scenario in scenarios:
            started = time.perf_counter()
            result = run_scenario(scenario)
            timed.append(_Timed(result=result, seconds=time.perf_counter() - started))
            _report(timed[-1], out)
    results = [t.result for t in timed]
    failed = sum(not r.passed for r in results)
    summary = f"{len(results) - failed} passed, {failed} failed"
    if errors:
        summary += f", {len(errors)} file(s) could not be read"
    out.write(f"\n{summary}\n")
    exercised = set().union(*(r.rule_ids for r in results))
    covered = [rule_id for rule_id in RULES if rule_id in exercised]
    missing = [rule_id for rule_id in RULES if rule_id not in exercised]
    out.write(f"rules exercised: {len(covered)} of {len(RULES)}\n")
    if list_rules:
        out.write(f"  exercised: {', '.join(covered) if covered else 'none'}\n")
        out.write(f"  not exercised: {', '.join(missing) if missing else 'none'}\n")
    if junit_xml is not None:
        _junit(timed, errors, junit_xml)
    if update and failed:
        rewritten = _update(results)
        out.write(f"updated the expectations in {rewritten} file(s)\n")
        return 1 if errors else 0
    return 1 if failed or errors else 0
