"""Policy diffs on a Dask cluster: ``diff_policies(..., engine="dask")`` (the ``dask`` extra).

The work is the local engine's, cut the same way: chunks of
:data:`~cptm_rules.cohort.tally.CHUNK` candidates answered and tallied by a worker,
tallies merged on the caller's side in cohort order, so the report is the same
on any cluster. What changes is where chunks come from:

- a Parquet cohort is read by the workers, 2,000 rows of a row group per task, so the
  cohort never passes through the caller (every worker must see the path:
  shared storage, or the same file on each machine);
- any other cohort (an iterator, a JSON Lines or CSV file, a synthetic cohort)
  is read on the caller's side and shipped a chunk at a time, at most a few
  chunks per worker in flight.

A scheduler address is checked before anything connects
(:func:`scheduler_address`), and the scheduler is probed with a bounded
handshake of our own before distributed's client is let near it: a closed port,
a port that accepts and never answers, or a server that is not a Dask scheduler
ends within ``connect_timeout`` with a
:class:`~cptm_rules.exceptions.SchedulerUnreachableError`.

``docs/cohorts.md`` shows how to start a cluster and point a diff at it. This module
was ``cptm_rules.dask_engine``; ``import cptm_rules.cohort`` does not load it.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import re
import socket
import struct
import time
from pathlib import Path
from typing import TYPE_CHECKING, Final

import msgpack  # type: ignore[import-untyped]  # a dependency of distributed
import pyarrow as pa
import pyarrow.parquet as pq
from distributed import Client, LocalCluster, WorkerPlugin

from cptm_rules.cohort.counts import Tally
from cptm_rules.cohort.formats import candidates_from_table, checked_table, open_parquet
from cptm_rules.cohort.tally import CHUNK, in_order, tally_chunk, units_of_work
from cptm_rules.exceptions import (
    InputFileError,
    InvalidInputError,
    SchedulerUnreachableError,
    shown,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from cptm_rules.cohort.sources import CohortSource
    from cptm_rules.cohort.tally import AnsweredBy, Run
    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_PORT",
    "MAX_CONNECT_TIMEOUT",
    "check_connect_timeout",
    "run",
    "scheduler_address",
]

DEFAULT_PORT: Final = 8786
"""The port of a scheduler address that names none: the port ``dask scheduler`` listens on."""

DEFAULT_CONNECT_TIMEOUT: Final = 10.0
"""Seconds to wait for a scheduler to answer when ``connect_timeout`` is not given."""

MAX_CONNECT_TIMEOUT: Final = 300.0
"""The longest ``connect_timeout`` accepted, in seconds: five minutes."""


# -- checking the settings ------------------------------------------------------------------

_ADDRESS_FORM: Final = (
    f"tcp://HOST:PORT, HOST:PORT or HOST (tcp only, port 1 to 65535, default {DEFAULT_PORT}, "
    "an IPv6 address in brackets)"
)
_LABEL: Final = r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)"  # underscores too: container service names
_HOST_NAME: Final = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?", re.ASCII)
_IPV4_LIKE: Final = re.compile(r"[0-9.]+", re.ASCII)
_IPV6_LIKE: Final = re.compile(r"[0-9A-Fa-f:.]+", re.ASCII)
_PORT: Final = re.compile(r"[0-9]{1,5}", re.ASCII)
_MAX_HOST_NAME: Final = 253
_MAX_PORT: Final = 65535


class _AddressProblemError(Exception):
    """What is wrong with a scheduler address (turned into one InvalidInputError)."""


def scheduler_address(value: object) -> str:
    """``value``, a scheduler address, checked and spelled in full: ``tcp://HOST:PORT``.

    Accepted: ``tcp://HOST:PORT`` or ``HOST:PORT`` (tcp is meant), the port left
    out meaning :data:`DEFAULT_PORT`; HOST is a host name, an IPv4 address or an
    IPv6 address in brackets (``tcp://[::1]:8786``). Other transports (tls, ucx,
    inproc, ws) are refused. Raises :class:`~cptm_rules.exceptions.InvalidInputError`
    naming ``scheduler``, the value and what is wrong with it; nothing is looked up
    or connected to.
    """
    if type(value) is not str:
        raise InvalidInputError("scheduler", value, f"an address string: {_ADDRESS_FORM}")
    try:
        host, port = _host_and_port(value)
    except _AddressProblemError as refused:
        raise InvalidInputError("scheduler", value, f"{_ADDRESS_FORM}; {refused}") from None
    return f"tcp://[{host}]:{port}" if ":" in host else f"tcp://{host}:{port}"


def _host_and_port(value: str) -> tuple[str, int]:
    if not value:
        raise _AddressProblemError("the address is empty")
    scheme, sep, rest = value.partition("://")
    if not sep:
        rest = value
    elif scheme.lower() != "tcp":
        raise _AddressProblemError(f"the scheme {shown(scheme)} is not supported")
    if rest.startswith("["):
        return _bracketed(rest)
    if rest.count(":") > 1:
        raise _AddressProblemError("an IPv6 address goes in brackets, as tcp://[::1]:8786")
    host, colon, port = rest.partition(":")
    if not host:
        raise _AddressProblemError("the host is missing")
    if _IPV4_LIKE.fullmatch(host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            raise _AddressProblemError(f"the host {shown(host)} is not an IPv4 address") from None
    elif len(host) > _MAX_HOST_NAME or not _HOST_NAME.fullmatch(host):
        raise _AddressProblemError(f"the host {shown(host)} is not a host name or an IP address")
    return host, _port(port if colon else None)


def _bracketed(rest: str) -> tuple[str, int]:
    host, bracket, after = rest[1:].partition("]")
    if not bracket:
        raise _AddressProblemError("the IPv6 address has no closing ]")
    try:
        if not _IPV6_LIKE.fullmatch(host):  # no zone (%eth0): it could hold anything
            raise ValueError(host)  # noqa: TRY301  # one refusal for both tests
        ipaddress.IPv6Address(host)
    except ValueError:
        raise _AddressProblemError(f"the host {shown(host)} is not an IPv6 address") from None
    if after and not after.startswith(":"):
        raise _AddressProblemError("only :PORT may follow the ]")
    return host, _port(after[1:] if after else None)


def _port(text: str | None) -> int:
    if text is None:
        return DEFAULT_PORT
    if not _PORT.fullmatch(text):
        raise _AddressProblemError(f"the port {shown(text)} is not a whole number")
    port = int(text)
    if not 1 <= port <= _MAX_PORT:
        raise _AddressProblemError(f"the port {port} is not from 1 to {_MAX_PORT}")
    return port


def check_connect_timeout(value: object) -> float:
    """``value`` as seconds to wait for a scheduler, at most :data:`MAX_CONNECT_TIMEOUT`.

    Raises :class:`~cptm_rules.exceptions.InvalidInputError` naming
    ``connect_timeout`` for anything else (a bool, a string, NaN, infinity).
    """
    if (
        type(value) not in (int, float)
        or not math.isfinite(value)  # type: ignore[arg-type]  # an int or a float here
        or not 0 < value <= MAX_CONNECT_TIMEOUT  # type: ignore[operator]
    ):
        raise InvalidInputError(
            "connect_timeout", value, f"a number of seconds > 0 and <= {MAX_CONNECT_TIMEOUT:g}"
        )
    return float(value)  # type: ignore[arg-type]


# -- reaching the scheduler -----------------------------------------------------------------

_MAX_HANDSHAKE: Final = 64 * 1024
"""The most a scheduler's opening handshake may take, in bytes (a real one is about 60)."""

_NOT_DASK: Final = "it answered, but not as a Dask scheduler (a web server, or the dashboard?)"


def _connect(address: str, timeout: float) -> Client:
    """A client of the scheduler at ``address``, or one line saying why not, within ``timeout``."""
    deadline = time.monotonic() + timeout
    _probe(address, deadline, timeout)
    try:
        return Client(address, timeout=max(deadline - time.monotonic(), _LEAST_WAIT))
    except OSError as exc:  # distributed's timeouts and closed connections alike
        raise SchedulerUnreachableError(
            address=address, problem=f"it stopped answering ({type(exc).__name__})"
        ) from None


_LEAST_WAIT: Final = 0.5
"""Seconds left for distributed's own connection when the probe took nearly all the time."""


def _probe(address: str, deadline: float, timeout: float) -> None:
    """Read the scheduler's opening handshake ourselves, bounded in time and in size.

    distributed reads a peer's handshake with no time limit and sizes its buffer
    from the peer's first eight bytes: a port that never answers hangs it, and a
    web server's reply asks it for exabytes. A scheduler sends its handshake as
    soon as it accepts, so reading it (and nothing else) tells a scheduler apart.
    """
    where, port = address.removeprefix("tcp://").rsplit(":", 1)
    host = where.strip("[]")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout) as connection:
            body = _handshake(connection, deadline, address)
    except SchedulerUnreachableError:
        raise
    except TimeoutError:
        raise SchedulerUnreachableError(
            address=address, problem=f"no answer within {timeout:g} s"
        ) from None
    except OSError as exc:  # refused, unknown host, unreachable network, reset
        raise SchedulerUnreachableError(
            address=address, problem=(exc.strerror or type(exc).__name__).lower()
        ) from None
    if not _is_handshake(body):
        raise SchedulerUnreachableError(address=address, problem=_NOT_DASK)


def _handshake(connection: socket.socket, deadline: float, address: str) -> bytes:
    (size,) = struct.unpack("<Q", _receive(connection, 8, deadline, address))
    if not 0 < size <= _MAX_HANDSHAKE:
        raise SchedulerUnreachableError(address=address, problem=_NOT_DASK)
    return _receive(connection, size, deadline, address)


def _receive(connection: socket.socket, size: int, deadline: float, address: str) -> bytes:
    data = bytearray()
    while len(data) < size:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        connection.settimeout(left)
        part = connection.recv(min(size - len(data), _MAX_HANDSHAKE))
        if not part:
            raise SchedulerUnreachableError(
                address=address, problem="it closed the connection without answering"
            )
        data += part
    return bytes(data)


def _is_handshake(body: bytes) -> bool:
    """Whether ``body`` holds distributed's handshake: frames whose first is a msgpack map.

    Decoded with plain msgpack, never distributed's loads: that would unpickle what
    a stranger sent.
    """
    try:
        (count,) = struct.unpack_from("<Q", body)
        start = 8 + 8 * count
        if not 1 <= count <= (len(body) - 8) // 8:
            return False
        (first,) = struct.unpack_from("<Q", body, 8)
        info = msgpack.unpackb(body[start : start + first], use_list=False)
    except (ValueError, struct.error, msgpack.ExtraData, msgpack.FormatError, msgpack.StackError):
        return False
    return isinstance(info, dict) and "pickle-protocol" in info


# -- running the diff -----------------------------------------------------------------------


def run(
    cohort: CohortSource,
    work: Run,
    *,
    scheduler: str | None,
    workers: int,
    connect_timeout: float | None = None,
) -> None:
    """Answer ``cohort`` on the cluster at ``scheduler`` (or a local one of ``workers``).

    ``scheduler`` and ``connect_timeout`` are checked before anything connects
    (:func:`scheduler_address`, :func:`check_connect_timeout`).
    """
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # no fixed port: two clusters may run at once
            silence_logs=logging.ERROR,
        )
        with cluster, Client(cluster) as client:
            # Our own workers: a task's error reaches the caller as the error itself,
            # so the worker's "Compute Failed" log of it would only say it twice.
            client.register_plugin(_QuietTaskErrors(), name="cptm-rules-quiet-task-errors")
            _submit_all(client, cohort, work, window=4 * workers)
        return
    address = scheduler_address(scheduler)
    timeout = (
        DEFAULT_CONNECT_TIMEOUT
        if connect_timeout is None
        else check_connect_timeout(connect_timeout)
    )
    with _connect(address, timeout) as client:
        size = max(len(client.scheduler_info().get("workers", {})), 1)
        _submit_all(client, cohort, work, window=4 * size)


class _QuietTaskErrors(WorkerPlugin):
    """Drops a worker's "Compute Failed" log records: the caller reports the error once."""

    def setup(self, worker: object) -> None:  # noqa: ARG002  # the plugin interface
        """Filter this worker process's task-failure records."""
        logging.getLogger("distributed.worker").addFilter(_drop_compute_failed)


def _drop_compute_failed(record: logging.LogRecord) -> bool:
    return not (isinstance(record.msg, str) and record.msg.startswith("Compute Failed"))


def _submit_all(
    client: Client,
    cohort: CohortSource,
    work: Run,
    *,
    window: int,
) -> None:
    # The policies and prices go to every worker once, where each task reads the same
    # object (its calendar and caches built once), not a copy unpickled per task.
    [sides] = client.scatter([work.sides], broadcast=True, hash=False)
    if isinstance(cohort, str | Path) and Path(cohort).suffix.lower() == ".parquet":
        path = Path(cohort)
        metadata = open_parquet(path).metadata  # a bad file fails here, before any task
        futures = (
            client.submit(
                _tally_rows,
                str(path),
                piece,
                sides,
                work.examples,
                work.keep_rows,
                work.answered_by,
                pure=False,
            )
            for piece in _pieces(
                [metadata.row_group(g).num_rows for g in range(metadata.num_row_groups)]
            )
        )
    else:
        futures = (
            client.submit(
                tally_chunk,
                chunk,
                sides,
                work.examples,
                work.keep_rows,
                work.answered_by,
                pure=False,
            )
            for chunk in units_of_work(cohort, work)
        )
    in_order(futures, work.done, window=window)


_ROWS_PER_TASK = 4 * CHUNK
"""Rows of a Parquet cohort one task answers: a row group is cut in pieces this size."""


def _pieces(group_rows: list[int]) -> Iterable[tuple[int, int, int, int]]:
    """``(group, start, stop, first_row)`` per task, ``first_row`` counted over the whole file.

    A bad value is reported at its row in the file, not in its group or task.
    """
    before = 0
    for group, rows in enumerate(group_rows):
        for start in range(0, rows, _ROWS_PER_TASK):
            yield group, start, min(start + _ROWS_PER_TASK, rows), 1 + before + start
        before += rows


def _tally_rows(  # noqa: PLR0917  # a task's arguments, positional
    path: str,
    piece: tuple[int, int, int, int],
    sides: tuple[Policy, Policy, PriceSchedule, PriceSchedule],
    examples: int,
    keep_rows: bool,  # noqa: FBT001  # positional: a task's arguments
    answered_by: AnsweredBy = "journeys",
) -> Tally:
    """Read rows ``start:stop`` of one row group of a Parquet cohort, answer and tally them."""
    group, start, stop, first_row = piece
    try:
        table = pq.ParquetFile(path).read_row_group(group).slice(start, stop - start)
    except FileNotFoundError:
        raise InputFileError(
            path=path, problem="not found on a worker (every worker must see the cohort file)"
        ) from None
    except (OSError, pa.ArrowException) as exc:
        raise InputFileError(
            path=path, problem=f"not a readable Parquet file ({type(exc).__name__})"
        ) from None
    tally = Tally(examples=examples, keep_rows=keep_rows)
    if answered_by == "batch":  # the table as it was read: its values are checked there
        table = checked_table(table, source=path, first_row=first_row)
        return tally_chunk(table, sides, examples, keep_rows, answered_by)
    candidates = list(candidates_from_table(table, source=path, first_row=first_row))
    for begin in range(0, len(candidates), CHUNK):
        tally.merge(tally_chunk(candidates[begin : begin + CHUNK], sides, examples, keep_rows))
    return tally
