"""Running scenario files for people and CI: reports, JUnit XML, rule coverage, ``--update``."""

from __future__ import annotations

import codecs
import datetime as dt
import xml.etree.ElementTree as ET  # the conventional short name
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cptm_rules.catalogue import RULES
from cptm_rules.files import check_writable, write_atomically
from cptm_rules.scenarios import ScenarioResult, load_scenarios, run_scenario

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


def _show(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(value) if isinstance(value, str) else str(value)


def _report(result: ScenarioResult, out: TextIO) -> None:
    scenario = result.scenario
    label = f"{scenario.source} :: {scenario.name}"
    if result.passed:
        out.write(f"PASS  {label}\n")
        return
    out.write(f"FAIL  {label}\n")
    for failure in result.failures:
        out.write(f"      {failure.where}\n")
        out.write(f"        expected: {_show(failure.expected)}\n")
        out.write(f"        actual:   {_show(failure.actual)}\n")


def _junit(results: Sequence[ScenarioResult], path: Path) -> None:
    failures = sum(not r.passed for r in results)
    suite = ET.Element(
        "testsuite",
        name="cptm-rules scenarios",
        tests=str(len(results)),
        failures=str(failures),
        errors="0",
    )
    for result in results:
        case = ET.SubElement(
            suite, "testcase", classname=result.scenario.source, name=result.scenario.name
        )
        if not result.passed:
            text = "\n".join(
                f"{f.where}: expected {_show(f.expected)}, actual {_show(f.actual)}"
                for f in result.failures
            )
            failure = ET.SubElement(case, "failure", message=f"{len(result.failures)} mismatch(es)")
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
    paths: Sequence[Path], *, out: TextIO, junit_xml: Path | None = None, update: bool = False
) -> int:
    """Run every scenario under ``paths``; print results and rule coverage; return the status."""
    if junit_xml is not None:
        check_writable(junit_xml)  # before any scenario runs
    files = scenario_files(paths)
    if not files:
        out.write(f"no scenario files ({SCENARIO_GLOB}) under {', '.join(map(str, paths))}\n")
        return 2
    results = [run_scenario(s) for path in files for s in load_scenarios(path)]
    for result in results:
        _report(result, out)
    failed = sum(not r.passed for r in results)
    out.write(f"\n{len(results) - failed} passed, {failed} failed\n")
    exercised = set().union(*(r.rule_ids for r in results))
    covered = [rule_id for rule_id in RULES if rule_id in exercised]
    missing = [rule_id for rule_id in RULES if rule_id not in exercised]
    out.write(f"rules exercised ({len(covered)} of {len(RULES)}): {', '.join(covered)}\n")
    out.write(f"rules not exercised: {', '.join(missing) if missing else 'none'}\n")
    if junit_xml is not None:
        _junit(results, junit_xml)
    if update and failed:
        rewritten = _update(results)
        out.write(f"updated the expectations in {rewritten} file(s)\n")
        return 0
    return 1 if failed else 0
