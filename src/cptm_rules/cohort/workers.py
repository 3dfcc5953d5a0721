"""The local engine: a diff's chunks answered by worker processes on this machine.

:func:`tally_all` starts no more processes than there are chunks (one process
answers them itself), hands each chunk's tally on in cohort order, and stops every
worker on Ctrl-C or an error. Worker processes leave Ctrl-C to the diff and die
with it, even when it is killed outright.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import itertools
import multiprocessing
import os
import signal
import sys
import threading
from typing import TYPE_CHECKING, Final, Protocol

from cptm_rules.cohort.tally import in_order, tally_chunk
from cptm_rules.exceptions import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    import pyarrow as pa

    from cptm_rules.cohort.candidates import Candidate
    from cptm_rules.cohort.counts import Tally
    from cptm_rules.cohort.tally import AnsweredBy, Run
    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule

__all__ = ["check_workers", "tally_all"]


def tally_all(chunks: Iterable[Sequence[Candidate] | pa.Table], run: Run, *, workers: int) -> None:
    """Answer every chunk on up to ``workers`` processes, each tally handed to ``run.done``.

    Tallies are handed on in the order of ``chunks``, at most two per worker in
    flight. One worker, one chunk, or a daemonic caller (which may have no
    children) answers every chunk in this process.
    """
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
    # What every chunk is answered with crosses to each worker once, when it starts: a
    # policy sent with each chunk would arrive without its calendar and caches, and
    # rebuild them chunk after chunk.
    asked = (run.sides, run.examples, run.keep_rows, run.answered_by)
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, initializer=_worker_began, initargs=(os.getpid(), stop, asked)
    )

    def submit(chunk: Sequence[Candidate] | pa.Table) -> concurrent.futures.Future[Tally]:
        return pool.submit(_tally_here, chunk)

    try:
        with _interrupts_held():  # the first submit starts the workers
            started = submit(first[0])
        in_order(
            itertools.chain([started], map(submit, itertools.chain(first[1:], chunks))),
            run.done,
            window=2 * workers,
        )
    except BaseException:
        _stop_workers(pool, stop)  # Ctrl-C or an error: the chunks in flight are not wanted
        raise
    pool.shutdown()


_WORKERS_PER_CORE: Final = 4
"""The most worker processes a diff starts, per core (``workers=`` above it is refused)."""

_PR_SET_PDEATHSIG: Final = 1  # from <linux/prctl.h>
_PARENT_CHECK_SECONDS: Final = 0.5


def check_workers(workers: object) -> None:
    """Refuse a worker count that is not a whole number from 1 to 4 per core on this machine."""
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


_Asked = tuple["tuple[Policy, Policy, PriceSchedule, PriceSchedule]", int, bool, "AnsweredBy"]
"""What a diff's chunks are answered with: ``tally_chunk``'s arguments after the chunk."""

_ASKED_HERE: list[_Asked] = []
"""In a worker process: what its diff asks of every chunk (set once, as it starts)."""


def _tally_here(chunk: Sequence[Candidate] | pa.Table) -> Tally:
    """In a worker process: answer and tally ``chunk`` as its diff asks (:func:`tally_chunk`)."""
    return tally_chunk(chunk, *_ASKED_HERE[0])


def _worker_began(parent: int, stop: _Flag, asked: _Asked) -> None:
    """Start one worker process: keep what its diff asks of every chunk, then set it up."""
    _ASKED_HERE[:] = [asked]
    _worker_started(parent, stop)


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
