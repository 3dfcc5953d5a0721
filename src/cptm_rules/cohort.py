"""Cohorts of candidates and policy diffs over them, like a reform simulation.

A :class:`Candidate` is what a candidate *does* (when they register, which
practicum, when they ask for changes, how they attend and sit the exam); a
policy turns it into answers (due times, deadlines, fees, verdicts).
:func:`diff_policies` runs every candidate under two policies and reports which
answers moved, per answer and per rule, with counts and examples.

Cohorts come from a JSON Lines file (``docs/cohorts.md``) or from
:func:`synthetic_cohort`, which draws realistic spreads reproducibly from a seed.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import datetime as dt
import itertools
import multiprocessing
import os
import random
import signal
import sys
import threading
from collections import Counter
from collections.abc import Sized
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple, Protocol, TypeVar
from zoneinfo import ZoneInfo

import attrs

from cptm_rules.calendar import parse_date, parse_instant
from cptm_rules.events import (
    AttemptExam,
    Event,
    GrantAccess,
    RecordAttendance,
    Register,
    Registration,
    RequestChange,
    Session,
)
from cptm_rules.exceptions import InputFileError, InvalidInputError, TransitionError, shown
from cptm_rules.files import check_readable, parse_json
from cptm_rules.lifecycle import Journey
from cptm_rules.money import Amount, amount_text
from cptm_rules.policy import Policy, load_policy
from cptm_rules.pricing import PriceSchedule, load_prices
from cptm_rules.vocabulary import Attendance, KeyDateKind, OrganisationType

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
    from types import ModuleType

__all__ = [
    "CHUNK",
    "MAX_ACCESS_MINUTES",
    "MAX_GROUP_SIZE",
    "MAX_ID_LENGTH",
    "MAX_SYNTHETIC",
    "PARALLEL_THRESHOLD",
    "Answer",
    "AnswerDiff",
    "AnswerRow",
    "Candidate",
    "Engine",
    "PolicyDiff",
    "answer_list",
    "answers_for",
    "diff_policies",
    "iter_cohort",
    "iter_synthetic_cohort",
    "load_cohort",
    "open_cohort",
    "synthetic_cohort",
]

_NEW_YORK: Final = ZoneInfo("America/New_York")
PARALLEL_THRESHOLD: Final = 2000
"""Cohorts at least this large are split across the machine's cores."""


@attrs.frozen(kw_only=True)
class Candidate:
    """What one candidate does, independent of any policy."""

    id: str
    registered_at: dt.datetime
    practicum: Session
    access_after_minutes: int = 30
    changes: tuple[tuple[dt.date, Session], ...] = ()
    attendance: Attendance = Attendance.FULL
    attempts: tuple[tuple[dt.date, bool], ...] = ()
    organisation: OrganisationType = OrganisationType.OTHER
    group_size: int = 1

    def events(self) -> list[tuple[str, Event]]:
        """The candidate's events, each with the answer name it produces."""
        events: list[tuple[str, Event]] = [
            (
                "registration",
                Register(
                    registration=Registration(
                        email=f"{self.id}@example.org",
                        registered_at=self.registered_at,
                        session=self.practicum,
                        organisation=self.organisation,
                        group_size=self.group_size,
                    )
                ),
            ),
            (
                "access",
                GrantAccess(
                    at=self.registered_at + dt.timedelta(minutes=self.access_after_minutes)
                ),
            ),
        ]
        events += [
            (f"change {n}", RequestChange(on=on, to=to))
            for n, (on, to) in enumerate(self.changes, start=1)
        ]
        last = self.changes[-1][1] if self.changes else self.practicum
        events.append(
            ("attendance", RecordAttendance(attendance=self.attendance, on=last.last_day))
        )
        events += [
            (f"exam attempt {n}", AttemptExam(on=on, passed=passed))
            for n, (on, passed) in enumerate(self.attempts, start=1)
        ]
        return events


@attrs.frozen(kw_only=True)
class Answer:
    """One answer the rules give a candidate: a verdict, the amounts it brings, its rules."""

    name: str
    """What is answered: ``change 1``, ``access``, ``key date access_due``, …"""
    verdict: str
    """``free``, ``fee``, ``on_time``, ``refused``, a state, or a date in ISO form."""
    rule_ids: tuple[str, ...]
    fee: Amount | None = None
    refund: Amount | None = None

    def __str__(self) -> str:
        """Render as ``fee 400.00 USD (R10)``, ``free (R9)`` or ``refused (R11)``."""
        amounts = {"fee": self.fee, "refund": self.refund}
        head = self.verdict
        if amounts.get(head) is not None:  # "fee" or "refund": the verdict is the amount
            head = f"{head} {amount_text(amounts.pop(head))}"
        parts = [head] + [
            f"{word} {amount_text(amount)}"
            for word, amount in amounts.items()
            if amount is not None
        ]
        rules = f" ({', '.join(self.rule_ids)})" if self.rule_ids else ""
        return ", ".join(parts) + rules


_DIFFED_KEY_DATES: Final = frozenset(
    {
        KeyDateKind.ACCESS_DUE,
        KeyDateKind.FREE_CHANGE_DEADLINE,
        KeyDateKind.EXAM_CLOSES,
        KeyDateKind.PREWORK_START,
    }
)

# An answer as a diff compares it: its text, and the rule ids it depends on.
Answers = dict[str, tuple[str, tuple[str, ...]]]


def answer_list(candidate: Candidate, policy: Policy, prices: PriceSchedule) -> list[Answer]:
    """Every answer the rules give ``candidate`` under ``policy``, one per question asked.

    An event's decision keeps the event's name (``change 1``) whichever rule
    decides it, so that a change that goes from paid to free is one answer
    that moved; a second decision of the same event is ``change 1 (2)``.
    """
    return _answer_list(candidate, candidate.events(), policy, prices)


def _answer_list(
    candidate: Candidate,
    events: Sequence[tuple[str, Event]],
    policy: Policy,
    prices: PriceSchedule,
) -> list[Answer]:
    journey = Journey.new(policy=policy, prices=prices)
    result: list[Answer] = []
    for name, event in events:
        try:
            outcome = journey.apply(event)
        except TransitionError as exc:
            rules = tuple(r.strip() for r in (exc.rule_id or "").split(",") if r.strip())
            result.append(Answer(name=name, verdict="refused", rule_ids=rules))
            continue
        journey = outcome.journey
        decisions = [d for d in outcome.decisions if d.rule_id not in ("R1", "R2")]
        for n, decision in enumerate(decisions, start=1):
            result.append(
                Answer(
                    name=name if n == 1 else f"{name} ({n})",
                    verdict=decision.verdict,
                    rule_ids=(decision.rule_id,),
                    fee=decision.fee,
                    refund=decision.refund,
                )
            )
        result.extend(
            Answer(
                name=f"{name}: advisory {'+'.join(advisory.rule_ids)}",
                verdict=str(advisory.severity),
                rule_ids=advisory.rule_ids,
            )
            for advisory in outcome.advisories
        )
    result.extend(
        Answer(
            name=f"key date {key_date.kind}",
            verdict=key_date.when.isoformat(),
            rule_ids=(key_date.rule_id,),
        )
        for key_date in journey.key_dates()
        if key_date.kind in _DIFFED_KEY_DATES
    )
    horizon = candidate.practicum.last_day + dt.timedelta(days=400)
    status = journey.status_on(horizon)
    result.append(
        Answer(
            name="state a year after the practicum",
            verdict=str(status.state),
            rule_ids=(status.rule_id,) if status.rule_id else (),
        )
    )
    return result


def answers_for(candidate: Candidate, policy: Policy, prices: PriceSchedule) -> Answers:
    """Every answer the rules give this candidate under ``policy``, as a diff compares them."""
    return _as_answers(answer_list(candidate, policy, prices))


def _as_answers(answers: Iterable[Answer]) -> Answers:
    return {a.name: (str(a), a.rule_ids) for a in answers}


@attrs.frozen(kw_only=True)
class AnswerDiff:
    """How one answer moved across the cohort."""

    answer: str
    changed: int
    compared: int
    rule_ids: tuple[str, ...]
    examples: tuple[tuple[str, str, str], ...]
    """Up to three ``(candidate id, base answer, candidate answer)``."""


@attrs.frozen(kw_only=True)
class PolicyDiff:
    """What changed between two policies over a cohort."""

    base: str
    candidate: str
    cohort_size: int
    candidates_changed: int
    answers: tuple[AnswerDiff, ...]
    """Only answers that changed for someone, most changed first."""
    rules: tuple[tuple[str, int], ...]
    """Per rule id, how many candidates had an answer under it change."""

    def unexpected(self, allowed: Collection[str] = ()) -> tuple[AnswerDiff, ...]:
        """The answers that moved although not every rule they depend on is ``allowed``.

        ``allowed`` holds rule ids (``R9``) whose changes are expected, for
        example the rules a policy change sets out to move. An answer with no
        rule (none today) is never expected to move.
        """
        expected = set(allowed)
        return tuple(a for a in self.answers if not a.rule_ids or not set(a.rule_ids) <= expected)

    def junit_xml(self, allowed: Collection[str] = ()) -> bytes:
        """The diff as a JUnit report: one test case per answer that moved.

        A moved answer whose rules are all ``allowed`` passes; any other is a
        failure showing its examples. With nothing moved, one passing case
        says so.
        """
        import xml.etree.ElementTree as ET  # noqa: PLC0415  # only reports need XML

        unexpected = {a.answer for a in self.unexpected(allowed)}
        name = f"cptm-rules diff {self.base} -> {self.candidate}"
        suite = ET.Element(
            "testsuite",
            name=name,
            tests=str(max(len(self.answers), 1)),
            failures=str(len(unexpected)),
            errors="0",
        )
        if not self.answers:
            ET.SubElement(suite, "testcase", classname=name, name="no answer moved")
        for a in self.answers:
            case = ET.SubElement(suite, "testcase", classname=name, name=a.answer)
            summary = f"{a.answer} [{', '.join(a.rule_ids)}] moved for {a.changed} of {a.compared}"
            if a.answer in unexpected:
                failure = ET.SubElement(case, "failure", message=summary)
                failure.text = "\n".join(f"{c}: {b} -> {n}" for c, b, n in a.examples)
            else:
                ET.SubElement(case, "system-out").text = f"{summary} (allowed)"
        report: bytes = ET.tostring(suite, encoding="utf-8", xml_declaration=True)
        return report

    def as_json(self) -> dict[str, Any]:
        """The stable JSON form documented in ``docs/cli.md``."""
        return {
            "base": self.base,
            "candidate": self.candidate,
            "cohort_size": self.cohort_size,
            "candidates_changed": self.candidates_changed,
            "answers": [
                {
                    "answer": a.answer,
                    "changed": a.changed,
                    "compared": a.compared,
                    "rules": list(a.rule_ids),
                    "examples": [
                        {"candidate": c, "base": b, "candidate_policy": n} for c, b, n in a.examples
                    ],
                }
                for a in self.answers
            ],
            "rules": [{"rule": r, "candidates_changed": n} for r, n in self.rules],
        }

    def report(self) -> str:
        """The diff as text a person reads."""
        share = self.candidates_changed / self.cohort_size if self.cohort_size else 0.0
        lines = [
            f"policy diff: {self.base} -> {self.candidate}, {self.cohort_size} candidates",
            f"candidates with at least one changed answer: {self.candidates_changed} ({share:.1%})",
            "",
            "by answer:",
        ]
        for a in self.answers:
            lines.append(f"  {a.answer} [{', '.join(a.rule_ids)}]: {a.changed} of {a.compared}")
            lines += [f"      {c}: {b} -> {n}" for c, b, n in a.examples]
        lines += ["", "by rule:"]
        lines += [f"  {rule}: {count} candidates" for rule, count in self.rules]
        if not self.answers:
            lines.append("  no answer changed")
        return "\n".join(lines)


def _compare(
    cohort: Sequence[Candidate],
    base: Policy,
    candidate: Policy,
    prices: PriceSchedule,
    candidate_prices: PriceSchedule,
) -> list[tuple[str, Answers, Answers]]:
    rows = []
    for c in cohort:
        events = c.events()  # the same events under both policies: built once
        rows.append(
            (
                c.id,
                _as_answers(_answer_list(c, events, base, prices)),
                _as_answers(_answer_list(c, events, candidate, candidate_prices)),
            )
        )
    return rows


def _policy_value(value: Policy | str | Path) -> Policy:
    return value if isinstance(value, Policy) else load_policy(value)


def _prices_value(value: PriceSchedule | str | Path) -> PriceSchedule:
    return value if isinstance(value, PriceSchedule) else load_prices(value)


CHUNK: Final = 500
"""Candidates per unit of work: what one worker answers and tallies at a time."""


Engine = Literal["local", "dask"]
"""Where a diff runs: this machine's processes, or a Dask cluster (the ``dask`` extra)."""


def diff_policies(  # keyword-only settings of one simulation
    cohort: Iterable[Candidate] | str | Path,
    *,
    base: Policy | str | Path,
    candidate: Policy | str | Path,
    prices: PriceSchedule | str | Path = "shipped",
    candidate_prices: PriceSchedule | str | Path | None = None,
    workers: int | None = None,
    examples: int = 3,
    progress: Callable[[int], None] | None = None,
    on_rows: Callable[[Sequence[AnswerRow]], None] | None = None,
    engine: Engine = "local",
    scheduler: str | None = None,
) -> PolicyDiff:
    """Run every candidate under the ``base`` and ``candidate`` policies and compare.

    ``cohort`` is candidates (a tuple, or an iterator such as
    :func:`iter_synthetic_cohort`) or the path of a cohort file: JSON Lines,
    Parquet or CSV (:func:`~cptm_rules.cohort_formats.iter_cohort_file`).
    Policies are :class:`~cptm_rules.policy.Policy` values (for example
    ``load_policy().with_overrides({...})`` in a notebook), shipped names or
    file paths; ``prices`` likewise a :class:`~cptm_rules.pricing.PriceSchedule`
    or a path, for both sides unless ``candidate_prices`` gives the candidate
    side its own (a price change is diffed like a policy change).

    The cohort is streamed: candidates are answered and tallied :data:`CHUNK` at a
    time and only the counts and the first ``examples`` per answer are kept, so
    memory does not grow with the cohort. With ``workers`` unset, cohorts of at
    least :data:`PARALLEL_THRESHOLD` candidates (or of unknown size) use every
    core; worker processes receive the policy and price values themselves, and
    the result is the same on any number of workers. ``progress``, when given,
    is called with the number of candidates done after each chunk;
    ``on_rows``, when given, receives every candidate's :class:`AnswerRow` s,
    a chunk at a time in cohort order (``cptm-rules diff --output`` writes them).

    ``engine="dask"`` runs the chunks as tasks on a Dask cluster instead: the one
    at ``scheduler`` (an address such as ``tcp://10.0.0.5:8786``), or a local
    one made for the call. A Parquet cohort is then read partition by partition
    by the workers themselves. The report is the same as the local engine's.
    """
    base_policy, candidate_policy = _policy_value(base), _policy_value(candidate)
    schedule = _prices_value(prices)
    other_schedule = schedule if candidate_prices is None else _prices_value(candidate_prices)
    if engine not in ("local", "dask"):
        raise InvalidInputError("engine", engine, "'local' or 'dask'")
    if scheduler is not None and (engine != "dask" or type(scheduler) is not str):
        raise InvalidInputError("scheduler", scheduler, "an address string, with engine='dask'")
    if workers is None:
        size = len(cohort) if isinstance(cohort, Sized) else PARALLEL_THRESHOLD
        workers = (os.cpu_count() or 1) if size >= PARALLEL_THRESHOLD else 1
    _check_workers(workers)
    if type(examples) is not int or examples < 0:
        raise InvalidInputError("examples", examples, "a whole number >= 0")
    sides = (base_policy, candidate_policy, schedule, other_schedule)
    total = _Tally(examples=examples)

    def done(part: _Tally) -> None:
        total.merge(part)
        if on_rows is not None and part.rows is not None:
            on_rows(part.rows)
        if progress is not None:
            progress(total.size)

    run = _Run(sides=sides, examples=examples, keep_rows=on_rows is not None, done=done)
    if engine == "dask":
        _dask_engine().run(cohort, run, scheduler=scheduler, workers=workers)
    else:
        _tally_all(_chunks(_candidates(cohort), CHUNK), run, workers=workers)
    return total.result(base=base_policy.label, candidate=candidate_policy.label)


def _dask_engine() -> ModuleType:
    try:
        from cptm_rules import dask_engine  # noqa: PLC0415  # the optional extra
    except ImportError:
        raise InvalidInputError(
            "engine", "dask", "'local', or install the dask extra: pip install 'cptm-rules[dask]'"
        ) from None
    return dask_engine


def open_cohort(path: str | Path) -> Iterator[Candidate]:
    """Candidates from a cohort file of any format, streamed, checked as they come.

    JSON Lines needs nothing more (:func:`iter_cohort`); Parquet and CSV need the
    ``columnar`` extra (:func:`~cptm_rules.cohort_formats.iter_cohort_file`), and
    without it are refused with the extra to install.
    """
    if Path(path).suffix.lower() == ".jsonl":
        return iter_cohort(path)
    try:
        from cptm_rules.cohort_formats import iter_cohort_file  # noqa: PLC0415  # pyarrow
    except ImportError:
        raise InvalidInputError(
            "cohort",
            str(path),
            "a JSON Lines cohort, or install the columnar extra for Parquet and CSV: "
            "pip install 'cptm-rules[columnar]'",
        ) from None
    return iter_cohort_file(path)


def _candidates(cohort: Iterable[Candidate] | str | Path) -> Iterable[Candidate]:
    return open_cohort(cohort) if isinstance(cohort, str | Path) else cohort


class _Run(NamedTuple):
    """What every chunk of one diff is answered with, and where its tally goes."""

    sides: tuple[Policy, Policy, PriceSchedule, PriceSchedule]
    examples: int
    keep_rows: bool
    done: Callable[[_Tally], None]

    def tally(self, chunk: Sequence[Candidate]) -> _Tally:
        """Answer and tally one chunk here (the worker side calls :func:`_tally_chunk`)."""
        return _tally_chunk(chunk, self.sides, self.examples, self.keep_rows)


def _tally_all(chunks: Iterable[list[Candidate]], run: _Run, *, workers: int) -> None:
    chunks = iter(chunks)
    # No more workers than chunks: read up to one chunk per worker before starting any.
    first = list(itertools.islice(chunks, workers))
    workers = min(workers, len(first))
    if multiprocessing.current_process().daemon:
        workers = 1  # a daemonic process (a multiprocessing.Pool worker) may not have children
    if workers <= 1:
        for chunk in itertools.chain(first, chunks):
            run.done(run.tally(chunk))
        return
    stop = multiprocessing.Event()  # set when the diff stops early: every worker then ends
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, initializer=_worker_started, initargs=(os.getpid(), stop)
    )

    def submit(chunk: list[Candidate]) -> concurrent.futures.Future[_Tally]:
        return pool.submit(_tally_chunk, chunk, run.sides, run.examples, run.keep_rows)

    try:
        with _interrupts_held():  # the first submit starts the workers
            started = submit(first[0])
        _in_order(
            itertools.chain([started], map(submit, itertools.chain(first[1:], chunks))),
            run.done,
            window=2 * workers,
        )
    except BaseException:
        _stop_workers(pool, stop)  # Ctrl-C or an error: the chunks in flight are not wanted
        raise
    pool.shutdown()


class _Pending(Protocol):
    # A future of either engine: concurrent.futures' or distributed's.
    def result(self) -> _Tally: ...


def _in_order(
    futures: Iterable[_Pending],
    done: Callable[[_Tally], None],
    *,
    window: int,
) -> None:
    """Hand each future's result to ``done`` in submission order, ``window`` in flight.

    At most ``window`` chunks are submitted and not yet merged, so memory stays
    flat, and merging in cohort order keeps the same examples on any number of
    workers or engines.
    """
    pending: collections.deque[_Pending] = collections.deque()
    for future in futures:
        pending.append(future)
        if len(pending) >= window:
            done(pending.popleft().result())
    while pending:
        done(pending.popleft().result())


_WORKERS_PER_CORE: Final = 4
"""The most worker processes a diff starts, per core (``workers=`` above it is refused)."""

_PR_SET_PDEATHSIG: Final = 1  # from <linux/prctl.h>
_PARENT_CHECK_SECONDS: Final = 0.5


def _check_workers(workers: object) -> None:
    if type(workers) is not int or workers < 1:
        raise InvalidInputError("workers", workers, "a whole number >= 1")
    most = _WORKERS_PER_CORE * (os.cpu_count() or 1)
    if workers > most:  # more processes than this only thrash (and a typo could fork-bomb)
        raise InvalidInputError(
            "workers",
            workers,
            f"a whole number from 1 to {most} ({_WORKERS_PER_CORE} per core on this machine)",
        )


class _Flag(Protocol):
    # A multiprocessing.Event, as the diff and its workers use it.
    def set(self) -> None: ...
    def is_set(self) -> bool: ...
    def wait(self, timeout: float | None = None) -> bool: ...


def _worker_started(parent: int, stop: _Flag) -> None:
    """Set up one worker process: Ctrl-C is the parent's to handle, and it dies with it.

    A Ctrl-C at a terminal reaches every process of the group: the parent stops
    the workers itself (:func:`_stop_workers`, which sets ``stop``), so they
    ignore it rather than print tracebacks. A parent killed outright cannot stop
    them, so each worker watches it: on Linux the kernel kills the worker when
    the parent dies (``PR_SET_PDEATHSIG``), and everywhere a thread ends the
    worker once its parent process is gone or ``stop`` is set.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        _die_with_parent()
    if os.getppid() != parent or stop.is_set():  # gone or stopped before the watch began
        os._exit(1)
    threading.Thread(
        target=_watch_parent, args=(parent, stop), name="cptm-rules parent watch", daemon=True
    ).start()


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C back until the block ends, then take it.

    Worker processes are forked inside the block: a KeyboardInterrupt raised in
    one of fork's handlers is printed and dropped by Python, and the diff would
    run on as if never interrupted.
    """
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover  # Windows: no fork
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _die_with_parent() -> None:
    import ctypes  # noqa: PLC0415  # Linux only

    with contextlib.suppress(OSError, AttributeError):  # no libc or no prctl: the thread watches
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _watch_parent(
    parent: int,
    stop: _Flag,
    *,
    every: float = _PARENT_CHECK_SECONDS,
    end: Callable[[int], object] = os._exit,
) -> None:
    # An orphan is adopted by another process: a new parent id means the diff is gone.
    while os.getppid() == parent and not stop.wait(every):
        pass
    end(1)


def _stop_workers(pool: concurrent.futures.ProcessPoolExecutor, stop: _Flag) -> None:
    """Stop ``pool`` now: drop the chunks not started, end the workers mid-chunk."""
    # The flag reaches every worker, even one started an instant ago that the pool does
    # not list yet (an interrupt can come mid-start); terminating the listed ones (Python
    # 3.14 has pool.terminate_workers(); before it they are only here) is quicker still.
    stop.set()
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=5)


def _chunks(cohort: Iterable[Candidate], size: int) -> Iterator[list[Candidate]]:
    items = iter(cohort)
    while chunk := list(itertools.islice(items, size)):
        yield chunk


def _tally_chunk(
    chunk: Sequence[Candidate],
    sides: tuple[Policy, Policy, PriceSchedule, PriceSchedule],
    examples: int,
    keep_rows: bool = False,  # noqa: FBT001, FBT002  # positional: it crosses to worker processes
) -> _Tally:
    tally = _Tally(examples=examples, keep_rows=keep_rows)
    for row in _compare(chunk, *sides):
        tally.add(*row)
    return tally


class AnswerRow(NamedTuple):
    """One answer of one candidate under both policies, as ``--output`` writes it."""

    candidate: str
    """The candidate's id."""
    answer: str
    """What is answered (``change 1``, ``key date access_due``, …)."""
    base: str
    """The answer under the base policy, as text (``fee 400.00 USD (R10)``)."""
    candidate_policy: str
    """The answer under the candidate policy."""
    changed: bool
    """Whether the two differ."""
    rules: str
    """The rules either answer cites, comma-separated."""


class _Tally:
    """Counts of a diff so far: merged chunk by chunk, never holding the cohort's rows.

    With ``keep_rows``, a chunk's tally also keeps its answer rows, which the
    caller hands on (to ``on_rows``) and drops as soon as the chunk is merged.
    """

    def __init__(self, *, examples: int, keep_rows: bool = False) -> None:
        self.examples = examples
        self.rows: list[AnswerRow] | None = [] if keep_rows else None
        self.size = 0
        self.moved = 0
        self.changed: Counter[str] = Counter()
        self.compared: Counter[str] = Counter()
        self.per_rule: Counter[str] = Counter()
        self.rules_of: dict[str, set[str]] = {}
        self.samples: dict[str, list[tuple[str, str, str]]] = {}

    def add(self, cid: str, before: Answers, after: Answers) -> None:
        self.size += 1
        moved_rules: set[str] = set()
        for answer in sorted(before.keys() | after.keys()):
            old, old_rules = before.get(answer, ("absent", ()))
            new, new_rules = after.get(answer, ("absent", ()))
            self.compared[answer] += 1
            self.rules_of.setdefault(answer, set()).update(old_rules, new_rules)
            if self.rows is not None:
                rules = ", ".join(sorted({*old_rules, *new_rules}, key=_rule_order))
                self.rows.append(AnswerRow(cid, answer, old, new, old != new, rules))
            if old != new:
                self.changed[answer] += 1
                moved_rules.update(old_rules, new_rules)
                kept = self.samples.setdefault(answer, [])
                if len(kept) < self.examples:
                    kept.append((cid, old, new))
        if moved_rules:
            self.moved += 1
            self.per_rule.update(moved_rules)

    def merge(self, other: _Tally) -> None:
        self.size += other.size
        self.moved += other.moved
        self.changed.update(other.changed)
        self.compared.update(other.compared)
        self.per_rule.update(other.per_rule)
        for answer, rules in other.rules_of.items():
            self.rules_of.setdefault(answer, set()).update(rules)
        for answer, samples in other.samples.items():
            kept = self.samples.setdefault(answer, [])
            kept.extend(samples[: self.examples - len(kept)])
        if self.rows is not None and other.rows is not None:
            self.rows.extend(other.rows)

    def result(self, *, base: str, candidate: str) -> PolicyDiff:
        answers = tuple(
            AnswerDiff(
                answer=a,
                changed=n,
                compared=self.compared[a],
                rule_ids=tuple(sorted(self.rules_of[a], key=_rule_order)),
                examples=tuple(self.samples[a]),
            )
            for a, n in sorted(self.changed.items(), key=lambda item: (-item[1], item[0]))
        )
        rules = tuple(sorted(self.per_rule.items(), key=lambda item: _rule_order(item[0])))
        return PolicyDiff(
            base=base,
            candidate=candidate,
            cohort_size=self.size,
            candidates_changed=self.moved,
            answers=answers,
            rules=rules,
        )


def _rule_order(rule_id: str) -> tuple[int, str]:
    digits = "".join(c for c in rule_id if c.isdigit())
    return int(digits or 0), rule_id


# -- synthetic cohorts ---------------------------------------------------------------------


def _monday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


MAX_SYNTHETIC: Final = 1_000_000
"""The largest synthetic cohort made (memory grows with the cohort)."""


def synthetic_cohort(size: int, *, seed: int) -> tuple[Candidate, ...]:
    """``size`` synthetic candidates from ``seed``, as a tuple.

    See :func:`iter_synthetic_cohort`, which makes the same candidates one at a time.
    """
    return tuple(iter_synthetic_cohort(size, seed=seed))


def iter_synthetic_cohort(size: int, *, seed: int) -> Iterator[Candidate]:
    """``size`` candidates drawn reproducibly from ``seed`` with realistic spreads.

    Registrations fall on weekdays in working hours across 2026-2029; practicums
    are Monday-to-Thursday sessions 3 to 16 weeks later; about a third ask for
    one change (a few for two or three) around the free-change deadline, mostly
    to a later session; most attend in full; about nine in ten sit the exam,
    within weeks, and most pass on the first or second attempt. Access mostly arrives
    within minutes; about one in eight grants takes longer than two hours.
    """
    if type(size) is not int or not 0 <= size <= MAX_SYNTHETIC:
        raise InvalidInputError(
            "size", size, f"a whole number of candidates from 0 to {MAX_SYNTHETIC:,}"
        )
    rng = random.Random(seed)  # noqa: S311  # a reproducible simulation, not a secret
    start = dt.date(2026, 1, 5)
    for n in range(size):
        day = start + dt.timedelta(days=rng.randrange(0, 365 * 3))
        if day.weekday() >= 5:  # Saturday or Sunday
            day -= dt.timedelta(days=day.weekday() - 4)
        registered = dt.datetime.combine(
            day, dt.time(rng.randrange(8, 18), rng.randrange(0, 60)), tzinfo=_NEW_YORK
        )
        first = _monday_on_or_after(day + dt.timedelta(days=rng.randrange(21, 112)))
        practicum = Session(first_day=first, last_day=first + dt.timedelta(days=3))
        changes = []
        held = practicum
        for _ in range(rng.choices((0, 1, 2, 3), weights=(64, 28, 6, 2))[0]):
            asked = held.first_day - dt.timedelta(days=rng.randrange(20, 60))
            asked = max(asked, day + dt.timedelta(days=1))
            if asked >= held.first_day:
                break
            weeks = rng.choice((-2, -1, 2, 4, 4, 6, 8))
            new_first = held.first_day + dt.timedelta(weeks=weeks)
            if new_first <= asked:
                new_first = held.first_day + dt.timedelta(weeks=4)
            held = Session(first_day=new_first, last_day=new_first + dt.timedelta(days=3))
            changes.append((asked, held))
        attendance = rng.choices(list(Attendance), weights=(85, 7, 4, 4))[0]
        attempts = []
        if rng.random() < 0.9:  # nine in ten sit the exam
            on = held.last_day + dt.timedelta(days=int(rng.expovariate(1 / 20)))
            for _ in range(3):
                passed = rng.random() < 0.8  # first-attempt pass share
                attempts.append((on, passed))
                if passed:
                    break
                on += dt.timedelta(days=rng.randrange(14, 60))
        yield Candidate(
            id=f"c{n:06d}",
            registered_at=registered,
            practicum=practicum,
            access_after_minutes=rng.choices(
                (5, 30, 60, 90, 150, 600, 1500, 3000), weights=(40, 25, 15, 8, 6, 3, 2, 1)
            )[0],
            changes=tuple(changes),
            attendance=attendance,
            attempts=tuple(attempts),
            organisation=rng.choices(list(OrganisationType), weights=(70, 18, 12))[0],
            group_size=rng.choices((1, 2, 3, 5), weights=(75, 12, 8, 5))[0],
        )


# -- cohort files ----------------------------------------------------------------------


MAX_ACCESS_MINUTES: Final = 525_600
"""The latest access a cohort file may record: a year after registering."""
MAX_GROUP_SIZE: Final = 1000
"""The most seats one cohort row may register together."""
MAX_ID_LENGTH: Final = 200
"""The longest candidate id a cohort file may give."""

_REQUIRED: Final = object()
T = TypeVar("T")


class _Bad(Exception):  # noqa: N818  # internal signal, never escapes this module
    def __init__(self, key: str, value: object, expected: str) -> None:
        self.key, self.value, self.expected = key, value, expected


def _take(  # one lookup, fully described
    row: Mapping[str, Any], key: str, kind: type, expected: str, default: object, *, at: str = ""
) -> Any:  # noqa: ANN401  # the caller names the type
    # Exact types: a bool is not an int here, a float is not an int, a string is not a bool.
    if key not in row:
        if default is _REQUIRED:
            raise _Bad(at + key, _MISSING, f"{expected} (required)")
        return default
    value = row[key]
    if type(value) is not kind:
        raise _Bad(at + key, value, expected)
    return value


def _whole(row: Mapping[str, Any], key: str, lowest: int, highest: int, default: int) -> int:
    expected = f"a whole number from {lowest} to {highest:,}"
    value: int = _take(row, key, int, expected, default)
    if not lowest <= value <= highest:
        raise _Bad(key, value, expected)
    return value


def _object(value: object, key: str, keys: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _Bad(key, value, f"an object with the keys {', '.join(keys)}")
    unknown = sorted(set(value) - set(keys))
    if unknown:
        raise _Bad(f"{key}.{unknown[0]}", value[unknown[0]], f"a key among {', '.join(keys)}")
    return value


def _parsed(key: str, value: str, parse: Callable[[str], T]) -> T:
    try:
        return parse(value)
    except InvalidInputError as exc:
        raise _Bad(key, value, exc.expected) from None


def _word(row: Mapping[str, Any], key: str, words: type[Attendance | OrganisationType]) -> str:
    expected = f"one of {', '.join(w.value for w in words)}"
    value: str = _take(row, key, str, expected, next(iter(words)).value)
    if value not in words._value2member_map_:
        raise _Bad(key, value, expected)
    return value


def _candidate(row: object) -> Candidate:
    fields = _object(row, "candidate", tuple(f.name for f in attrs.fields(Candidate)))
    ident: str = _take(fields, "id", str, "a non-empty string", _REQUIRED)
    if not 0 < len(ident) <= MAX_ID_LENGTH:
        raise _Bad("id", ident, f"a string of 1 to {MAX_ID_LENGTH} characters")
    registered: str = _take(fields, "registered_at", str, "an ISO instant string", _REQUIRED)
    practicum: str = _take(fields, "practicum", str, 'a session "FIRST..LAST"', _REQUIRED)
    changes = []
    for n, item in enumerate(_take(fields, "changes", list, "a list of changes", [])):
        where = f"changes[{n}]"
        change = _object(item, where, ("on", "to"))
        on: str = _take(change, "on", str, "an ISO date string", _REQUIRED, at=f"{where}.")
        to: str = _take(change, "to", str, 'a session "FIRST..LAST"', _REQUIRED, at=f"{where}.")
        changes.append(
            (_parsed(f"{where}.on", on, parse_date), _parsed(f"{where}.to", to, Session.parse))
        )
    attempts = []
    for n, item in enumerate(_take(fields, "attempts", list, "a list of attempts", [])):
        where = f"attempts[{n}]"
        attempt = _object(item, where, ("on", "passed"))
        day: str = _take(attempt, "on", str, "an ISO date string", _REQUIRED, at=f"{where}.")
        passed: bool = _take(attempt, "passed", bool, "true or false", _REQUIRED, at=f"{where}.")
        attempts.append((_parsed(f"{where}.on", day, parse_date), passed))
    return Candidate(
        id=ident,
        registered_at=_parsed("registered_at", registered, parse_instant),
        practicum=_parsed("practicum", practicum, Session.parse),
        access_after_minutes=_whole(fields, "access_after_minutes", 0, MAX_ACCESS_MINUTES, 30),
        changes=tuple(changes),
        attendance=Attendance(_word(fields, "attendance", Attendance)),
        attempts=tuple(attempts),
        organisation=OrganisationType(_word(fields, "organisation", OrganisationType)),
        group_size=_whole(fields, "group_size", 1, MAX_GROUP_SIZE, 1),
    )


class _Shown:
    # A value from a file as an error may show it: short, never the whole line.
    def __init__(self, value: object, *, label: str | None = None) -> None:
        self.text = label or shown(value)

    def __repr__(self) -> str:
        return self.text


_MISSING: Final = _Shown(None, label="<missing>")


def load_cohort(path: str | Path) -> tuple[Candidate, ...]:
    """Every candidate of a JSON Lines file, as a tuple (see :func:`iter_cohort`)."""
    return tuple(iter_cohort(path))


def iter_cohort(path: str | Path) -> Iterator[Candidate]:
    """Candidates from a JSON Lines file, one object a line (``docs/cohorts.md``), streamed.

    Every field is read with its exact type, and unknown or repeated keys are
    refused at every level; a bad line raises
    :class:`~cptm_rules.exceptions.InvalidInputError` naming the file, the line
    and the key, with at most a short piece of the bad value. A file that is
    not UTF-8 or cannot be read raises
    :class:`~cptm_rules.exceptions.InputFileError`; a file with no candidate is
    refused too. The file is read a line at a time, so a cohort of any size
    streams through :func:`diff_policies` in flat memory.
    """
    path = Path(path)
    check_readable(path)
    count = 0
    try:
        with path.open(encoding="utf-8-sig", errors="strict") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                count += 1
                yield _parsed_line(path, number, line)
    except UnicodeDecodeError as exc:
        raise InputFileError(
            path=str(path), problem=f"not UTF-8 text ({exc.reason}); save it as UTF-8"
        ) from None
    except OSError as exc:
        raise InputFileError(path=str(path), problem=exc.strerror or str(exc)) from None
    if not count:
        raise InvalidInputError(
            str(path), _Shown(None, label="<empty>"), "a cohort of at least one candidate"
        )


def _parsed_line(path: Path, number: int, line: str) -> Candidate:
    try:
        return _candidate(parse_json(line))
    except _Bad as bad:
        value = bad.value if isinstance(bad.value, _Shown) else _Shown(bad.value)
        raise InvalidInputError(f"{path}:{number}: {bad.key}", value, bad.expected) from None
    except ValueError as exc:
        raise InvalidInputError(
            f"{path}:{number}", _Shown(None, label="<line>"), f"one JSON object a line ({exc})"
        ) from None


def candidate_row(candidate: Candidate) -> dict[str, Any]:
    """A candidate as one JSON Lines object (the inverse of the file reader)."""
    return {
        "id": candidate.id,
        "registered_at": candidate.registered_at.isoformat(),
        "practicum": str(candidate.practicum),
        "access_after_minutes": candidate.access_after_minutes,
        "changes": [{"on": on.isoformat(), "to": str(to)} for on, to in candidate.changes],
        "attendance": str(candidate.attendance),
        "attempts": [{"on": on.isoformat(), "passed": p} for on, p in candidate.attempts],
        "organisation": str(candidate.organisation),
        "group_size": candidate.group_size,
    }
