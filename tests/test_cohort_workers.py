"""The worker processes of a local diff: how many start, and how they end."""

# ruff: noqa: SLF001  # a worker's setup helpers are checked directly

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from typing import TYPE_CHECKING, Any, Final

import pytest

from cptm_rules.cohort import diff_policies
from cptm_rules.cohort import workers as cohort_workers
from cptm_rules.exceptions import InvalidInputError
from journeys import iter_short_cohort, short_cohort

if TYPE_CHECKING:
    from collections.abc import Callable


def _most_workers_seen(run: Callable[[Callable[[int], None]], object]) -> int:
    """The most child processes alive whenever ``run`` reports progress."""
    seen = [0]

    def progress(_: int) -> None:
        seen[0] = max(seen[0], len(multiprocessing.active_children()))

    run(progress)
    return seen[0]


def _ended(processes: list[multiprocessing.process.BaseProcess]) -> bool:
    # The pool's own thread may reap a worker a moment after the diff returns.
    deadline = time.monotonic() + 5
    while any(p.is_alive() for p in processes):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


# These tests count chunks of 500: the journeys' unit of work (the batch path's is a
# table of 10,000, so a small cohort is one chunk there).
_BY_500: Final[dict[str, Any]] = {"answered_by": "journeys"}


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cptm_rules.cohort.workers.os.cpu_count", lambda: 2)


@pytest.mark.usefixtures("two_cores")
def test_a_stream_of_four_chunks_starts_four_workers_however_many_are_asked_for() -> None:
    def run(progress: Callable[[int], None]) -> object:
        stream = iter_short_cohort(2000, seed=1)  # 4 chunks of 500, size unknown
        return diff_policies(
            stream, base="legacy", candidate="current", workers=8, progress=progress, **_BY_500
        )

    assert _most_workers_seen(run) == 4
    assert _ended(multiprocessing.active_children())


@pytest.mark.usefixtures("two_cores")
def test_a_cohort_of_three_chunks_starts_three_workers_and_one_chunk_none() -> None:
    three = short_cohort(1200, seed=2)

    def run(progress: Callable[[int], None]) -> object:
        return diff_policies(
            three, base="legacy", candidate="current", workers=8, progress=progress, **_BY_500
        )

    assert _most_workers_seen(run) == 3
    one = short_cohort(300, seed=2)

    def run_one(progress: Callable[[int], None]) -> object:
        return diff_policies(
            one, base="legacy", candidate="current", workers=8, progress=progress, **_BY_500
        )

    assert _most_workers_seen(run_one) == 0  # answered here: a pool would only cost


@pytest.mark.usefixtures("two_cores")
def test_more_than_four_workers_per_core_are_refused_naming_workers() -> None:
    with pytest.raises(InvalidInputError) as caught:
        diff_policies(short_cohort(3, seed=1), base="current", candidate="legacy", workers=9)
    assert str(caught.value) == (
        "workers=9 is not valid: expected a whole number from 1 to 8 (4 per core on this machine)"
    )
    assert multiprocessing.active_children() == []


def _diff_in_a_pool_worker(workers: int) -> dict[str, Any]:
    return diff_policies(
        short_cohort(1200, seed=4), base="legacy", candidate="current", workers=workers
    ).as_json()


def test_a_diff_inside_a_multiprocessing_pool_worker_runs_in_that_one_process() -> None:
    expected = _diff_in_a_pool_worker(1)
    with multiprocessing.get_context("fork").Pool(1) as pool:  # daemonic workers
        assert pool.apply(_diff_in_a_pool_worker, (2,)) == expected


class _Stop(Exception):  # noqa: N818  # the test's own signal
    pass


@pytest.mark.parametrize("stop", [_Stop, KeyboardInterrupt])
def test_an_error_or_interrupt_mid_diff_ends_the_workers_at_once(stop: type[BaseException]) -> None:
    workers: list[multiprocessing.process.BaseProcess] = []

    def fail(_: int) -> None:
        workers.extend(multiprocessing.active_children())
        assert len(workers) == 2
        raise stop

    with pytest.raises(stop):
        diff_policies(
            iter_short_cohort(4000, seed=1),
            base="legacy",
            candidate="current",
            workers=2,
            progress=fail,
            **_BY_500,
        )
    assert _ended(workers)


# -- a worker's own setup (the real thing runs in the subprocess tests of test_cli) ----------


class _Thread:
    started: list[tuple[object, tuple[object, ...]]] = []  # noqa: RUF012  # a test's record

    def __init__(
        self, *, target: object, args: tuple[object, ...], name: str, daemon: bool
    ) -> None:
        assert daemon
        assert name == "cptm-rules parent watch"
        self.target, self.args = target, args

    def start(self) -> None:
        _Thread.started.append((self.target, self.args))


class _Libc:
    calls: list[tuple[int, ...]] = []  # noqa: RUF012  # a test's record

    def __init__(self, name: object, *, use_errno: bool) -> None:
        assert name is None
        assert use_errno

    def prctl(self, *args: int) -> int:
        _Libc.calls.append(args)
        return 0


def test_a_worker_ignores_ctrl_c_asks_to_die_with_its_parent_and_watches_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handlers: dict[int, object] = {}
    monkeypatch.setattr(
        "cptm_rules.cohort.workers.signal.signal", lambda s, h: handlers.update({s: h})
    )
    monkeypatch.setattr("ctypes.CDLL", _Libc)
    monkeypatch.setattr("cptm_rules.cohort.workers.threading.Thread", _Thread)
    monkeypatch.setattr("cptm_rules.cohort.workers.sys.platform", "linux")
    _Thread.started.clear()
    _Libc.calls.clear()
    stop = multiprocessing.Event()
    cohort_workers._worker_started(os.getppid(), stop)
    assert handlers == {signal.SIGINT: signal.SIG_IGN}
    assert _Libc.calls == [(1, int(signal.SIGKILL), 0, 0, 0)]  # PR_SET_PDEATHSIG
    assert _Thread.started == [(cohort_workers._watch_parent, (os.getppid(), stop))]


def test_a_worker_whose_parent_is_already_gone_ends_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ended: list[int] = []
    monkeypatch.setattr("cptm_rules.cohort.workers.signal.signal", lambda *_: None)
    monkeypatch.setattr(
        "cptm_rules.cohort.workers.sys.platform", "darwin"
    )  # no prctl: the thread alone watches
    monkeypatch.setattr("cptm_rules.cohort.workers.os._exit", ended.append)
    monkeypatch.setattr("cptm_rules.cohort.workers.threading.Thread", _Thread)
    cohort_workers._worker_started(-1, multiprocessing.Event())  # not our parent: it has gone
    stopped = multiprocessing.Event()
    stopped.set()
    cohort_workers._worker_started(os.getppid(), stopped)  # the diff stopped before it began
    assert ended == [1, 1]


def test_without_prctl_a_worker_relies_on_its_watch_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_libc(*_: object, **__: object) -> None:
        raise OSError("no libc")

    monkeypatch.setattr("ctypes.CDLL", no_libc)
    cohort_workers._die_with_parent()  # quietly does nothing


def test_the_watch_thread_ends_the_worker_once_its_parent_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parents = iter([10, 10, 1])  # adopted by init after two checks
    monkeypatch.setattr("cptm_rules.cohort.workers.os.getppid", lambda: next(parents))
    ended: list[int] = []
    cohort_workers._watch_parent(10, multiprocessing.Event(), every=0, end=ended.append)
    assert ended == [1]


def test_the_watch_thread_ends_the_worker_once_the_diff_stops_it() -> None:
    stop = multiprocessing.Event()
    stop.set()
    ended: list[int] = []
    cohort_workers._watch_parent(os.getppid(), stop, every=60, end=ended.append)  # no wait: set
    assert ended == [1]


class _Daemon:
    daemon = True


def test_a_daemonic_caller_starts_no_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cptm_rules.cohort.workers.multiprocessing.current_process", _Daemon)

    def run(progress: Callable[[int], None]) -> object:
        cohort_of_three = short_cohort(1200, seed=4)
        return diff_policies(
            cohort_of_three,
            base="legacy",
            candidate="current",
            workers=2,
            progress=progress,
            **_BY_500,
        )

    assert _most_workers_seen(run) == 0
