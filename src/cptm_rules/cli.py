"""The ``cptm-rules`` command: scenario checks, timelines, change fees, explanations, diffs.

Every subcommand has ``--help``. A user error (a malformed date, a practicum
whose last day precedes its first, an unknown policy) prints one line to
stderr and exits with status 2. ``--json`` output is stable: keys are only ever added.
Ctrl-C stops a command cleanly (``interrupted``, status 130); a reader that closes
early (``| head -1``) ends it quietly (status 141, as a shell reports SIGPIPE).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib
import json
import os
import sys
import time
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from cptm_rules.calendar import parse_date, parse_instant, resolve_time_zone
from cptm_rules.catalogue import RULES
from cptm_rules.cohort import MAX_SYNTHETIC
from cptm_rules.cohort.synthetic import SYNTHETIC_DRAWS
from cptm_rules.events import Register, Registration, Session
from cptm_rules.exceptions import (
    CptmRulesError,
    InvalidInputError,
    OutputFileError,
    TransitionError,
)
from cptm_rules.files import check_writable, write_atomically
from cptm_rules.lifecycle import MAX_CHANGES, Journey, judge_change
from cptm_rules.money import Amount, UnknownAmount
from cptm_rules.policy import SHIPPED_POLICIES, Policy, load_policy
from cptm_rules.pricing import load_prices

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from zoneinfo import ZoneInfo

    from cptm_rules.cohort import Candidate
    from cptm_rules.cohort.formats import CheckedCohort
    from cptm_rules.outcomes import Outcome
    from cptm_rules.pricing import PriceSchedule
    from cptm_rules.verify import VerifyReport

__all__ = ["entry_point", "main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for a command stopped by Ctrl-C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader went away, as `yes | head -1` reports


class UsageError(Exception):
    """A mistake in the command line: one line to stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


# -- argument types ----------------------------------------------------------------------


def _date(text: str) -> dt.date:
    try:
        return parse_date(text)
    except InvalidInputError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not {exc.expected}") from None


def _zone(text: str) -> ZoneInfo:
    try:
        return resolve_time_zone(text)
    except InvalidInputError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not {exc.expected}") from None


def _registered_at(args: argparse.Namespace) -> dt.datetime:
    try:
        return parse_instant(args.registered, field="--registered", zone=args.zone)
    except InvalidInputError as exc:
        raise UsageError(
            f"cptm-rules: argument --registered: {args.registered!r} is not valid: "
            f"expected {exc.expected}"
        ) from None


def _session(text: str) -> Session:
    try:
        return Session.parse(text)
    except InvalidInputError as exc:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not valid: expected {exc.expected}"
        ) from None


def _count(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > _COUNT_DIGITS:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 0")
    return int(text)


_COUNT_DIGITS = 12


def _bounded_count(most: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not (text.isascii() and text.isdigit()) or len(text) > _COUNT_DIGITS or int(text) > most:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 0 to {most}")
        return int(text)

    return parse


def _renamed(new: str) -> type[argparse.Action]:
    """An action for an option's former spelling: it still works, with a note naming ``new``."""

    class Renamed(argparse.Action):
        def __call__(
            self,
            parser: argparse.ArgumentParser,  # noqa: ARG002  # argparse's signature
            namespace: argparse.Namespace,
            values: str | Sequence[Any] | None,
            option_string: str | None = None,
        ) -> None:
            setattr(namespace, self.dest, values)
            notes = getattr(namespace, "notes", ())
            namespace.notes = (*notes, f"note: {option_string} is now called {new}")

    return Renamed


def _policy(value: str) -> Policy:
    return load_policy(value if value in SHIPPED_POLICIES else Path(value))


def _add_policy(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policy",
        default="current",
        metavar="NAME|FILE",
        help="a shipped policy (current, legacy) or a policy file; default current",
    )
    parser.add_argument(
        "--prices",
        default="shipped",
        metavar="FILE",
        help="a price schedule file; default: the shipped schedule",
    )


def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 100:  # a percentage; NaN fails both sides
        msg = f"expected a percentage from 0 to 100, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json",
        action="store_true",
        help="print JSON instead of text; its keys are stable (new ones may be added, none "
        "removed or renamed)",
    )


# -- JSON helpers ------------------------------------------------------------------------


def _amount_json(amount: Amount | None) -> dict[str, str] | None:
    if amount is None:
        return None
    if isinstance(amount, UnknownAmount):
        return {"unknown": amount.item}
    return {"amount": str(amount.quantized().amount), "currency": amount.currency}


def _iso(value: object) -> str:
    assert isinstance(value, dt.date)  # noqa: S101  # dates and datetimes only
    return value.isoformat()


def _print_json(data: object, out: TextIO) -> None:
    out.write(json.dumps(data, indent=2, sort_keys=False) + "\n")


# -- timeline ---------------------------------------------------------------------------


def _registration(args: argparse.Namespace) -> Outcome:
    policy = _policy(args.policy)
    journey = Journey.new(policy=policy, prices=load_prices(args.prices))
    registration = Registration(
        email="candidate@example.org",
        registered_at=_registered_at(args),
        session=args.practicum,
    )
    return journey.apply(Register(registration=registration))


def _registered(args: argparse.Namespace) -> Journey:
    return _registration(args).journey


def _timeline(args: argparse.Namespace, out: TextIO) -> int:
    outcome = _registration(args)
    journey = outcome.journey
    dates = journey.key_dates()
    advisories = [
        {"rules": list(a.rule_ids), "severity": str(a.severity), "message": a.message}
        for a in outcome.advisories
    ]
    if args.json:
        data: dict[str, Any] = {"policy": journey.policy.name}
        rules: dict[str, str] = {}
        for key_date in dates:
            data[str(key_date.kind)] = _iso(key_date.when)
            rules[str(key_date.kind)] = key_date.rule_id
        data["rules"] = rules
        data["key_dates"] = [
            {"kind": str(k.kind), "when": _iso(k.when), "rule": k.rule_id, "label": k.label}
            for k in dates
        ]
        data["advisories"] = advisories
        _print_json(data, out)
        return EXIT_OK
    out.write(f"policy: {journey.policy.label}\n")
    if journey.prices.dated:  # an undated schedule prices every date: nothing to name
        out.write(f"prices: {journey.prices.label}\n")
    for key_date in dates:
        when = _iso(key_date.when)
        out.write(f"{when:<26} {key_date.rule_id:<4} {key_date.label}\n")
    out.writelines(f"\n{advisory.explain()}\n" for advisory in outcome.advisories)
    return EXIT_OK


# -- change -----------------------------------------------------------------------------


def _judge(args: argparse.Namespace) -> Outcome:
    return judge_change(
        policy=_policy(args.policy),
        prices=load_prices(args.prices),
        held=args.from_,
        to=args.to,
        requested=args.requested,
        free_changes_used=args.free_changes_used,
    )


def _change(args: argparse.Namespace, out: TextIO) -> int:
    try:
        outcome = _judge(args)
    except TransitionError as exc:
        if args.json:
            _print_json(
                {
                    "allowed": False,
                    "fee_applies": None,
                    "fee": None,
                    "rules": [exc.rule_id] if exc.rule_id else [],
                    "reason": exc.reason,
                },
                out,
            )
        else:
            out.write(f"not allowed ({exc.rule_id}): {exc.reason}\n")
        return EXIT_FAILED
    decision = outcome.decisions[0]
    if args.json:
        _print_json(
            {
                "allowed": True,
                "fee_applies": decision.fee is not None,
                "fee": _amount_json(decision.fee),
                "rules": list(outcome.rule_ids),
                "verdict": decision.verdict,
                "free_change_deadline": _iso(dict(decision.dates)["free-change deadline"]),
                "reason": decision.reason,
                "advisories": [a.explain() for a in outcome.advisories],
            },
            out,
        )
        return EXIT_OK
    fee = f"fee {decision.fee}" if decision.fee is not None else "free"
    out.write(f"{fee} ({decision.rule_id}): {decision.reason}\n")
    out.writelines(f"advisory {advisory.explain()}\n" for advisory in outcome.advisories)
    return EXIT_OK


# -- explain ----------------------------------------------------------------------------


def _explain_figures(policy: Policy, figures: Sequence[tuple[str, str]], out: TextIO) -> None:
    out.writelines(f"  source: {policy.source_of(key)}\n" for key, _ in dict.fromkeys(figures))


def _rule_line(rule_id: str, policy: Policy, prices: PriceSchedule) -> str:
    """``R14 Six-month exam window: The last day ...``, under the policy and prices in use."""
    rule = RULES[rule_id]
    return f"{rule.id} {rule.title_under(policy, prices)}: {rule.statement_under(policy, prices)}"


def _explain(args: argparse.Namespace, out: TextIO) -> int:
    if args.topic == "scenario":
        from cptm_rules.scenarios import (  # noqa: PLC0415
            load_scenarios,
            run_scenario,
            trace_scenario,
        )

        chosen = [s for s in load_scenarios(args.path) if args.name.lower() in s.name.lower()]
        if not chosen:
            raise UsageError(
                f"cptm-rules explain scenario: no scenario in {args.path} "
                f"has {args.name!r} in its name"
            )
        out.write("\n\n".join(trace_scenario(s) for s in chosen) + "\n")
        return EXIT_OK if all(run_scenario(s).passed for s in chosen) else EXIT_FAILED
    if args.topic == "change":
        try:
            outcome = _judge(args)
        except TransitionError as exc:
            out.write(f"{exc}\n")
            if exc.rule_id is not None and exc.rule_id in RULES:
                refused = _rule_line(exc.rule_id, _policy(args.policy), load_prices(args.prices))
                out.write(f"{refused}\n")
            return EXIT_FAILED
        out.write(outcome.explain() + "\n\n")
        for decision in outcome.decisions:
            journey = outcome.journey
            out.write(f"{_rule_line(decision.rule_id, journey.policy, journey.prices)}\n")
            _explain_figures(journey.policy, decision.figures, out)
        return EXIT_OK
    journey = _registered(args)
    policy = journey.policy
    for key_date in journey.key_dates():
        rule = RULES[key_date.rule_id]
        out.write(f"{_iso(key_date.when)}  {key_date.label}\n")
        out.write(f"  {_rule_line(rule.id, policy, journey.prices)}\n")
        out.write(f"  cites: {'; '.join(str(c) for c in rule.sources)}\n")
    out.write(f"\npolicy {policy.label}: figures used\n")
    out.writelines(
        f"  {policy.source_of(name)}\n"
        for name in (
            "access_due_amount",
            "access_due_unit",
            "prework_recommended_days",
            "free_change_days",
            "free_change_day_count",
            "exam_window_months",
            "workalendar_class",
            "time_zone",
        )
    )
    return EXIT_OK


# -- rules ------------------------------------------------------------------------------


def _rules(args: argparse.Namespace, out: TextIO) -> int:
    # The files are read as every command reads them: a bad one is one line, exit 2.
    policy, prices = _policy(args.policy), load_prices(args.prices)
    if args.json:
        from cptm_rules.rule_index import rule_index  # noqa: PLC0415  # reads the rule modules

        _print_json(rule_index(policy, prices), out)
        return EXIT_OK
    if (args.policy, args.prices) != ("current", "shipped"):
        read_from = "" if args.policy in SHIPPED_POLICIES else f" (from {policy.origin})"
        schedule = "shipped" if args.prices == "shipped" else prices.origin
        if prices.dated:
            schedule = f"{prices.label} (from {prices.origin})"
        out.write(f"policy: {policy.label}{read_from}; prices: {schedule}\n\n")
    for r in RULES.values():
        kinds = " + ".join(str(k) for k in r.kinds)
        out.write(f"{r.id:<5} {r.title_under(policy, prices)} ({kinds})\n")
        out.write(f"      {r.statement_under(policy, prices)}\n")
    return EXIT_OK


# -- check ------------------------------------------------------------------------------


def _check(args: argparse.Namespace, out: TextIO) -> int:
    from cptm_rules.checks import check_paths  # noqa: PLC0415  # only this subcommand needs it

    if args.json and args.format != "text":
        raise UsageError("--json and --format markdown are two reports: choose one")

    return check_paths(
        args.paths,
        out=out,
        junit_xml=args.junit_xml,
        update=args.update,
        list_rules=args.list_rules,
        coverage=args.coverage,
        fail_under=args.fail_under,
        output_format="json" if args.json else args.format,
    )


# -- verify -----------------------------------------------------------------------------


def _verify(args: argparse.Namespace, out: TextIO) -> int:
    from cptm_rules.verify import verify_policy, write_counterexamples  # noqa: PLC0415  # numpy

    if args.json and args.format != "text":
        raise UsageError("--json and --format markdown are two reports: choose one")
    policy, prices = _policy(args.policy), load_prices(args.prices)
    report = verify_policy(policy, prices=prices, strict=args.strict)
    try:
        written = (
            write_counterexamples(report, args.write_counterexamples)
            if args.write_counterexamples is not None
            else ()
        )
    except CptmRulesError:
        # The report is the run's answer all the same: printed before the one line
        # (exit 2) that says why no counterexample could be written.
        _verify_report(args, report, (), out)
        raise
    _verify_report(args, report, written, out)
    return EXIT_OK if report.passed else EXIT_FAILED


def _verify_report(
    args: argparse.Namespace, report: VerifyReport, written: tuple[Path, ...], out: TextIO
) -> None:
    if args.json:
        data = report.as_json()
        data["written"] = [str(path) for path in written]
        _print_json(data, out)
    else:
        out.write(report.markdown() if args.format == "markdown" else report.text())
        out.writelines(f"wrote {path}\n" for path in written)


# -- diff -------------------------------------------------------------------------------


def _diff(args: argparse.Namespace, out: TextIO) -> int:  # noqa: C901  # one gate, three forms
    from cptm_rules.cohort import diff_policies  # noqa: PLC0415  # only this subcommand

    cohort, workers = _diff_source(args)
    if args.scheduler is not None and args.engine != "dask":
        raise UsageError("--scheduler needs --engine dask")
    # Bad policies, prices and output paths are usage errors before any candidate runs.
    base, candidate = _policy(args.base), _policy(args.candidate)
    prices = load_prices(args.base_prices or args.prices)
    candidate_prices = load_prices(args.candidate_prices or args.prices)
    for path in (args.junit_xml, args.output):
        if path is not None:
            check_writable(path)
    if args.output is not None:
        _check_output_suffix(args.output)
    with contextlib.ExitStack() as stack:
        on_rows = None
        if args.output is not None:
            from cptm_rules.cohort.formats import answer_writer  # noqa: PLC0415  # pyarrow

            on_rows = stack.enter_context(answer_writer(args.output))
        result = diff_policies(
            cohort,
            base=base,
            candidate=candidate,
            prices=prices,
            candidate_prices=candidate_prices,
            workers=workers,
            progress=None if args.json else _progress_bar(args.err, args.synthetic),
            on_rows=on_rows,
            engine=args.engine,
            answered_by=args.answered_by,
            scheduler=args.scheduler,
            connect_timeout=args.scheduler_timeout,
        )
    if not args.json and args.err.isatty():
        args.err.write("\r\033[K")  # clear the progress line
    unseen = args.allow_unobserved
    if args.json:
        _print_json(result.as_json(args.allow, unseen), out)
    elif args.format == "markdown":
        out.write(result.markdown(args.allow, unseen))
    else:
        out.write(result.report(unseen) + "\n")
    if args.junit_xml is not None:
        write_atomically(args.junit_xml, result.junit_xml(args.allow, unseen))
    gate = args.fail_on_change or bool(args.allow) or bool(unseen)
    unexpected = result.unexpected(args.allow) if gate else ()
    unobserved = result.unobserved(unseen) if gate else ()
    if unexpected and not args.json and args.format == "text":
        names = ", ".join(a.answer for a in unexpected)
        out.write(f"\nunexpected changes ({len(unexpected)}): {names}\n")
    if unobserved and not args.json and args.format == "text":
        keys = ", ".join(change.key for change in unobserved)
        out.write(
            f"\nunobserved changes ({len(unobserved)}): {keys}; add candidates who exercise "
            "their rules, or accept them with --allow-unobserved RULE\n"
        )
    return EXIT_FAILED if unexpected or unobserved else EXIT_OK


def _check_output_suffix(path: Path) -> None:
    from cptm_rules.cohort.formats import COHORT_FORMATS  # noqa: PLC0415  # pyarrow

    if path.suffix.lower() not in COHORT_FORMATS:
        *others, last = COHORT_FORMATS
        raise OutputFileError(
            path=str(path),
            problem=f"an output file ends in {', '.join(others)} or {last}; this one ends in "
            f"{path.suffix or 'nothing'}",
        )


def _diff_source(
    args: argparse.Namespace,
) -> tuple[Iterable[Candidate] | Iterable[CheckedCohort] | Path, int | None]:
    """The cohort to diff and the worker count; both sources stream in flat memory."""
    from cptm_rules.cohort import (  # noqa: PLC0415  # only diff needs them
        PARALLEL_THRESHOLD,
        iter_synthetic_cohort,
        open_cohort,
    )

    if args.cohort is not None:
        if args.synthetic_draw is not None:
            raise UsageError("--synthetic-draw needs --synthetic")
        next(open_cohort(args.cohort))  # a bad file or first row is an error up front
        return args.cohort, args.workers
    workers = args.workers
    if workers is None and args.synthetic < PARALLEL_THRESHOLD:
        workers = 1
    draw = args.synthetic_draw
    if draw is None:
        draw = "columns" if _columnar_installed() else "candidates"
        if draw == "candidates":
            args.err.write(
                "note: the synthetic cohort is drawn candidate by candidate (the columnar "
                "extra is not installed), which draws other candidates than the default "
                "draw for the same seed; pip install 'cptm-rules[columnar]'\n"
            )
    if draw == "columns":
        if not _columnar_installed():
            raise UsageError(
                "--synthetic-draw columns needs the columnar extra: "
                "pip install 'cptm-rules[columnar]'"
            )
        from cptm_rules.cohort.synthetic import iter_synthetic_cohorts  # noqa: PLC0415  # numpy

        return iter_synthetic_cohorts(args.synthetic, seed=args.seed), workers
    return iter_synthetic_cohort(args.synthetic, seed=args.seed), workers


def _columnar_installed() -> bool:
    """Whether numpy and pyarrow import here (the ``columnar`` extra)."""
    try:
        importlib.import_module("numpy")
        importlib.import_module("pyarrow")
    except ImportError:
        return False
    return True


def _progress_bar(err: TextIO, total: int | None) -> Callable[[int], None] | None:
    """A progress line on a terminal, shown once a diff has run for two seconds."""
    if not err.isatty():
        return None
    started = time.monotonic()
    shown = [0.0]

    def report(done: int) -> None:
        now = time.monotonic()
        if now - started < _PROGRESS_AFTER or now - shown[0] < _PROGRESS_EVERY:
            return
        shown[0] = now
        rate = done / (now - started)
        if total:
            filled = int(30 * done / total)
            bar = "#" * filled + "-" * (30 - filled)
            err.write(f"\rdiff [{bar}] {done:,}/{total:,} candidates, {rate:,.0f}/s")
        else:
            err.write(f"\rdiff: {done:,} candidates, {rate:,.0f}/s")
        err.flush()

    return report


_PROGRESS_AFTER = 2.0
_PROGRESS_EVERY = 0.5


def _rule_id(text: str) -> str:
    if text not in RULES:
        raise argparse.ArgumentTypeError(f"{text!r} is not a rule id ({', '.join(RULES)})")
    return text


# -- parser -----------------------------------------------------------------------------


def _parser() -> _Parser:
    parser = _Parser(
        prog="cptm-rules",
        description="The CPTM program's rules, as answers: key dates, change fees, "
        "explanations, scenario checks and policy diffs. Each command has --help.",
        epilog="Exit status: 0 when all is well; 1 when a scenario check fails, a diff "
        "gate finds an unexpected change or the rules refuse a change; 2 for a mistake in "
        "the command or a file (one line on stderr).",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = sub.add_parser("check", help="run scenario files and compare expected answers")
    check.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="scenario files, or folders searched for *.scenarios.toml",
    )
    check.add_argument("--junit-xml", type=Path, metavar="FILE", help="also write JUnit XML")
    check.add_argument(
        "--update",
        action="store_true",
        help="rewrite the expectations in the files with the actual answers",
    )
    check.add_argument(
        "--rules",
        dest="list_rules",
        action="store_true",
        help="list the rules the scenarios exercise and those they do not",
    )
    check.add_argument(
        "--coverage",
        action="store_true",
        help="report which rules and verdicts the scenarios exercise, and which none does",
    )
    check.add_argument(
        "--fail-under",
        type=_percent,
        metavar="PERCENT",
        help="exit 1 when fewer than PERCENT of the rule verdicts are exercised "
        "(implies --coverage)",
    )
    check.add_argument(
        "--format",
        choices=("text", "markdown"),
        default="text",
        help="the report's form: text (default) or a markdown summary for a pull request",
    )
    _add_json(check)
    check.set_defaults(run=_check)

    def timeline_arguments(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--registered",
            required=True,
            metavar="INSTANT",
            help="the registration instant with an offset, a bracketed IANA zone or both "
            "(2026-11-02T09:30-05:00, 2026-11-02T09:30[America/New_York]); a local "
            "date-time with --zone",
        )
        p.add_argument(
            "--zone",
            type=_zone,
            default=None,
            metavar="IANA",
            help="the time zone of a --registered given as a local date-time, "
            "e.g. America/New_York",
        )
        p.add_argument(
            "--practicum",
            type=_session,
            required=True,
            metavar="FIRST..LAST",
            help="the practicum chosen at registration: first and last day, "
            "e.g. 2027-01-11..2027-01-14",
        )
        _add_policy(p)

    def change_arguments(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--requested",
            type=_date,
            required=True,
            metavar="DATE",
            help="the program-local date of the request",
        )
        p.add_argument(
            "--from",
            dest="from_",
            type=_session,
            required=True,
            metavar="FIRST..LAST",
            help="the session held now",
        )
        p.add_argument(
            "--to",
            type=_session,
            required=True,
            metavar="FIRST..LAST",
            help="the session asked for, e.g. 2027-02-08..2027-02-11",
        )
        p.add_argument(
            "--free-changes-used",
            type=_bounded_count(MAX_CHANGES),
            default=0,
            metavar="N",
            help="free changes already used (R11a: paid changes use none); default 0",
        )
        p.add_argument(
            "--changes-so-far",
            dest="free_changes_used",
            type=_bounded_count(MAX_CHANGES),
            action=_renamed("--free-changes-used"),
            help=argparse.SUPPRESS,  # the former spelling, kept working for a while
        )
        _add_policy(p)

    timeline = sub.add_parser("timeline", help="a candidate's key dates")
    timeline_arguments(timeline)
    _add_json(timeline)
    timeline.set_defaults(run=_timeline)

    change = sub.add_parser("change", help="whether a practicum change is free")
    change_arguments(change)
    _add_json(change)
    change.set_defaults(run=_change)

    explain = sub.add_parser("explain", help="the full trace of one decision")
    topics = explain.add_subparsers(dest="topic", required=True, parser_class=_Parser)
    change_arguments(topics.add_parser("change", help="explain a practicum change decision"))
    timeline_arguments(topics.add_parser("timeline", help="explain every key date"))
    scenario = topics.add_parser("scenario", help="replay a scenario file, explaining each event")
    scenario.add_argument("path", type=Path, metavar="FILE", help="a *.scenarios.toml file")
    scenario.add_argument(
        "--name", default="", metavar="TEXT", help="only the scenarios whose name contains TEXT"
    )
    explain.set_defaults(run=_explain)

    rules = sub.add_parser(
        "rules", help="the rule catalogue, its titles and statements under a policy's figures"
    )
    _add_policy(rules)
    _add_json(rules)
    rules.set_defaults(run=_rules)

    _verify_arguments(sub.add_parser("verify", help=_VERIFY_HELP))

    diff = sub.add_parser("diff", help="what changes for a cohort between two policies")
    _diff_arguments(diff)
    diff.set_defaults(run=_diff)
    return parser


_VERIFY_HELP = "check a policy's properties over every date of its calendar"


def _verify_arguments(verify: argparse.ArgumentParser) -> None:
    verify.add_argument(
        "policy", metavar="POLICY", help="a shipped policy (current, legacy) or a policy file"
    )
    verify.add_argument(
        "--prices",
        default="shipped",
        metavar="FILE",
        help="the price schedule the money checks read; default: the shipped schedule",
    )
    verify.add_argument(
        "--write-counterexamples",
        type=Path,
        metavar="DIR",
        help="write a scenario file per violation into DIR: cptm-rules check fails on it "
        "until the policy is fixed",
    )
    verify.add_argument(
        "--format",
        choices=("text", "markdown"),
        default="text",
        help="the report's form: text (default) or a markdown summary for a pull request",
    )
    verify.add_argument(
        "--strict",
        action="store_true",
        help="fail on a rule that can never fire (by default a warning)",
    )
    _add_json(verify)
    verify.set_defaults(run=_verify)


def _diff_arguments(diff: argparse.ArgumentParser) -> None:
    diff.add_argument(
        "--base",
        required=True,
        metavar="POLICY",
        help="the policy answers are compared from: a shipped name or a policy file",
    )
    diff.add_argument(
        "--candidate",
        required=True,
        metavar="POLICY",
        help="the policy answers are compared to: a shipped name or a policy file",
    )
    source = diff.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--cohort",
        type=Path,
        metavar="FILE",
        help="a cohort file: JSON Lines (.jsonl), Parquet (.parquet) or CSV (.csv)",
    )
    source.add_argument(
        "--synthetic",
        type=_bounded_count(MAX_SYNTHETIC),
        metavar="N",
        help=f"N synthetic candidates (at most {MAX_SYNTHETIC:,})",
    )
    diff.add_argument("--seed", type=int, default=1, help="seed of the synthetic cohort; default 1")
    diff.add_argument(
        "--synthetic-draw",
        choices=SYNTHETIC_DRAWS,
        default=None,
        help="how the synthetic cohort is drawn: a table's columns at a time (the default "
        "where the columnar extra is installed) or candidate by candidate (the draw "
        "of earlier versions, for the cohorts of their reports); one seed gives each "
        "draw its own candidates",
    )
    diff.add_argument(
        "--prices",
        default="shipped",
        metavar="FILE",
        help="a price schedule file for both sides; default: the shipped schedule",
    )
    diff.add_argument(
        "--base-prices",
        metavar="FILE",
        help="the base side's price schedule, to diff a price change (overrides --prices)",
    )
    diff.add_argument(
        "--candidate-prices",
        metavar="FILE",
        help="the candidate side's price schedule (overrides --prices)",
    )
    diff.add_argument(
        "--fail-on-change",
        action="store_true",
        help="exit 1 when any answer moved (a policy regression gate)",
    )
    diff.add_argument(
        "--allow",
        action="append",
        default=[],
        type=_rule_id,
        metavar="RULE",
        help="a rule whose answers may move (repeat it); implies --fail-on-change for "
        "every other answer",
    )
    diff.add_argument(
        "--allow-unobserved",
        action="append",
        default=[],
        type=_rule_id,
        metavar="RULE",
        help="a rule whose changed figures may go unobserved by the cohort (repeat it); "
        "implies --fail-on-change",
    )
    diff.add_argument(
        "--format",
        choices=("text", "markdown"),
        default="text",
        help="the report's form: text (default) or a GitHub-flavoured markdown summary "
        "for a pull-request comment",
    )
    diff.add_argument(
        "--junit-xml",
        type=Path,
        metavar="FILE",
        help="also write JUnit XML: one case per moved answer, failing unless allowed, "
        "and one per unobserved figure change",
    )
    diff.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help="also write every candidate's answers under both policies, one row per "
        "answer: .parquet, .csv or .jsonl",
    )
    diff.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="where the diff runs: this machine's cores (default) or a Dask cluster "
        "(needs the dask extra)",
    )
    diff.add_argument(
        "--answered-by",
        choices=("journeys", "batch"),
        default=None,
        help="how each candidate is answered: by replaying its journeys (the "
        "reference) or by the batch path, column-wise (needs the columnar extra); the "
        "report is the same. Default: batch where the columnar extra is installed, "
        "else journeys",
    )
    diff.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="the Dask scheduler to use: tcp://HOST:PORT or HOST[:PORT] (port default "
        "8786); default: a local cluster of --workers processes",
    )
    diff.add_argument(
        "--scheduler-timeout",
        type=float,
        metavar="SECONDS",
        help="how long the --scheduler may take to answer, at most 300; default 10",
    )
    diff.add_argument(
        "--workers",
        type=_count,
        default=None,
        help="processes to use; default: every core for 2000+ candidates",
    )
    _add_json(diff)


def _one_line(text: str) -> str:
    # A file name or argument may hold a newline or another control character: show it
    # escaped, so that an error is always exactly one line.
    return "".join(
        repr(c)[1:-1] if unicodedata.category(c) in {"Cc", "Zl", "Zp"} else c for c in text
    )


def main(
    argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run the command line; return the exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        args = _parser().parse_args(argv)
        err.writelines(f"{note}\n" for note in getattr(args, "notes", ()))
        run: Callable[[argparse.Namespace, TextIO], int] = args.run
        args.err = err  # where progress goes (diff)
        return run(args, out)
    except UsageError as exc:
        err.write(f"{_one_line(str(exc))}\n")
        return EXIT_USAGE
    except CptmRulesError as exc:
        err.write(f"cptm-rules: {_one_line(str(exc))}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        # Ctrl-C: what was under way has cleaned up on the way out (a diff's workers
        # stopped, its temporary output removed); one line instead of a traceback.
        with contextlib.suppress(OSError, ValueError):  # stderr may be gone too
            err.write("interrupted\n")
            err.flush()
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_BROKEN_PIPE  # the reader has all it wanted (| head -1)


def entry_point() -> NoReturn:
    """The console script: :func:`main`, and a quiet end when stdout's reader is gone."""
    try:
        try:
            status: int | str | None = main()
        finally:
            sys.stdout.flush()  # here, not at exit, where a closed pipe prints a traceback
    except BrokenPipeError:
        status = EXIT_BROKEN_PIPE
    if status == EXIT_BROKEN_PIPE:
        # Python flushes stdout once more on the way out: let that go nowhere.
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    sys.exit(status)
