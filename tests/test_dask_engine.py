"""The same policy diff on a Dask cluster: two local worker processes started by the test.

The scheduler's address and the bounded connection are tested without any cluster:
a closed port, a port that never answers, a web server and other strangers, all on
loopback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.server
import importlib
import io
import json
import logging
import socket
import struct
import threading
import time
from typing import TYPE_CHECKING
from unittest import mock

import attrs
import pyarrow.parquet as pq
import pytest
from distributed import LocalCluster
from hypothesis import given
from hypothesis import strategies as st

from cptm_rules.cli import main
from cptm_rules.cohort import diff_policies
from cptm_rules.cohort.formats import cohort_table
from cptm_rules.exceptions import (
    CalendarRangeError,
    CptmRulesError,
    InputFileError,
    InvalidInputError,
    shown,
)
from cptm_rules.policy import load_policy
from cptm_rules.pricing import load_prices
from journeys import iter_short_cohort, short_cohort

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path
    from types import ModuleType

COHORT = short_cohort(1200, seed=11)


def _engine() -> ModuleType:
    # Imported as a test runs, not as the tests are collected: test_cohort hides the module
    # to play a missing extra, and a module already bound on the package would defeat it.
    return importlib.import_module("cptm_rules.cohort.dask")


LEGACY, CURRENT = load_policy("legacy"), load_policy("current")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",  # no fixed port: two clusters may run at once
        silence_logs=logging.ERROR,
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def parquet_cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cohorts") / "cohort.parquet"
    pq.write_table(cohort_table(COHORT), path, row_group_size=500)  # three row groups
    return path


def test_a_parquet_cohort_diffed_on_the_cluster_gives_the_local_report(
    scheduler: str, parquet_cohort: Path
) -> None:
    local = diff_policies(COHORT, base="legacy", candidate="current", workers=1)
    on_dask = diff_policies(
        parquet_cohort, base="legacy", candidate="current", engine="dask", scheduler=scheduler
    )
    assert on_dask.as_json() == local.as_json()
    assert on_dask.cohort_size == len(COHORT)
    assert on_dask.candidates_changed > 0


def test_a_streamed_cohort_diffed_on_the_cluster_gives_the_local_report_and_rows(
    scheduler: str,
) -> None:
    local_rows: list[object] = []
    dask_rows: list[object] = []
    local = diff_policies(
        iter_short_cohort(1200, seed=11),
        base="legacy",
        candidate="current",
        workers=1,
        on_rows=local_rows.extend,
    )
    on_dask = diff_policies(
        iter_short_cohort(1200, seed=11),
        base="legacy",
        candidate="current",
        engine="dask",
        scheduler=scheduler,
        on_rows=dask_rows.extend,
    )
    assert on_dask.as_json() == local.as_json()
    assert dask_rows == local_rows
    assert len(local_rows) > 10 * len(COHORT)


def test_a_bad_row_read_by_a_worker_is_reported_with_the_file_and_row(
    scheduler: str, tmp_path: Path
) -> None:
    rows = cohort_table(COHORT[:700]).to_pylist()
    rows[650]["group_size"] = 0
    path = tmp_path / "bad.parquet"
    pq.write_table(
        cohort_table(COHORT[:700]).from_pylist(rows, schema=cohort_table(()).schema),
        path,
        row_group_size=500,
    )
    with pytest.raises(InvalidInputError, match=r"bad\.parquet: row 651: group_size=0"):
        diff_policies(path, base="legacy", candidate="current", engine="dask", scheduler=scheduler)


def test_the_command_gives_the_same_json_report_on_either_engine(
    scheduler: str, parquet_cohort: Path
) -> None:
    reports = []
    for engine in (["--engine", "local"], ["--engine", "dask", "--scheduler", scheduler]):
        out = io.StringIO()
        argv = ["diff", "--base", "legacy", "--candidate", "current", "--json"]
        status = main([*argv, "--cohort", str(parquet_cohort), *engine], out=out)
        assert status == 0
        reports.append(json.loads(out.getvalue()))
    assert reports[0] == reports[1]


def test_a_scheduler_without_the_dask_engine_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="scheduler"):
        diff_policies(COHORT[:1], base="legacy", candidate="current", scheduler="tcp://x:1")
    with pytest.raises(InvalidInputError, match="engine"):
        diff_policies(COHORT[:1], base="legacy", candidate="current", engine="spark")  # type: ignore[arg-type]


def test_without_a_scheduler_the_dask_engine_starts_a_local_cluster_for_the_run() -> None:
    local = diff_policies(COHORT[:300], base="legacy", candidate="current", workers=1)
    on_dask = diff_policies(
        COHORT[:300], base="legacy", candidate="current", engine="dask", workers=2
    )
    assert on_dask.as_json() == local.as_json()


def test_a_bad_row_deep_in_a_large_row_group_is_reported_at_its_row_in_the_whole_file(
    scheduler: str, tmp_path: Path
) -> None:
    cohort = short_cohort(4200, seed=3)
    rows = cohort_table(cohort).to_pylist()
    rows[4150]["access_after_minutes"] = -1  # group 1 (rows 2101-4200), its second task
    path = tmp_path / "deep.parquet"
    pq.write_table(
        cohort_table(()).from_pylist(rows, schema=cohort_table(()).schema),
        path,
        row_group_size=2100,
    )
    with pytest.raises(InvalidInputError) as caught:
        diff_policies(path, base=LEGACY, candidate=CURRENT, engine="dask", scheduler=scheduler)
    assert str(caught.value) == (
        f"{path}: row 4151: access_after_minutes=-1 is not valid: "
        "expected a whole number from 0 to 525,600"
    )


def test_parquet_tasks_carry_their_first_row_counted_over_the_whole_file() -> None:
    pieces = _engine()._pieces  # noqa: SLF001  # how a Parquet cohort is cut in tasks
    assert list(pieces([4500, 10, 2000])) == [
        (0, 0, 2000, 1),
        (0, 2000, 4000, 2001),
        (0, 4000, 4500, 4001),
        (1, 0, 10, 4501),
        (2, 0, 2000, 4511),
    ]


def _late(candidate: object) -> object:
    """A candidate of 2090: outside the business calendar, so a rule refuses it."""
    return attrs.evolve(
        candidate,  # type: ignore[misc]
        registered_at=dt.datetime(2090, 10, 7, 9, 0, tzinfo=dt.UTC),
        practicum=attrs.evolve(
            candidate.practicum,  # type: ignore[attr-defined]
            first_day=dt.date(2090, 11, 9),
            last_day=dt.date(2090, 11, 12),
        ),
        attempts=((dt.date(2090, 12, 3), True),),
    )


def test_an_error_raised_by_a_rule_on_a_worker_is_the_local_engines_error(
    scheduler: str, caplog: pytest.LogCaptureFixture
) -> None:
    cohort = [*COHORT[:600], _late(COHORT[600])]
    with pytest.raises(CalendarRangeError) as local:
        diff_policies(cohort, base=LEGACY, candidate=CURRENT, workers=1)
    with (
        caplog.at_level(logging.DEBUG, logger="distributed"),
        pytest.raises(CalendarRangeError) as on_dask,
    ):
        diff_policies(
            cohort,
            base=LEGACY,
            candidate=CURRENT,
            engine="dask",
            scheduler=scheduler,
        )
    assert type(on_dask.value) is type(local.value)
    assert str(on_dask.value) == str(local.value)
    assert "Compute Failed" not in caplog.text  # the caller's side logs nothing of it


def test_a_bad_row_on_the_engines_own_cluster_is_one_error_and_no_worker_log(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    rows = cohort_table(COHORT[:700]).to_pylist()
    rows[650]["group_size"] = 0
    path = tmp_path / "bad.parquet"
    pq.write_table(
        cohort_table(()).from_pylist(rows, schema=cohort_table(()).schema),
        path,
        row_group_size=500,
    )
    with pytest.raises(InvalidInputError) as caught:
        diff_policies(path, base=LEGACY, candidate=CURRENT, engine="dask", workers=1)
    assert str(caught.value) == (
        f"{path}: row 651: group_size=0 is not valid: expected a whole number from 1 to 1,000"
    )
    err = capfd.readouterr().err  # the worker processes write to this process's stderr
    assert "Compute Failed" not in err
    assert "Traceback" not in err


def test_a_worker_that_cannot_read_the_parquet_cohort_names_the_file(tmp_path: Path) -> None:
    tally_rows = _engine()._tally_rows  # noqa: SLF001  # a task, run here: no worker sees these
    missing, broken = tmp_path / "gone.parquet", tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    with pytest.raises(InputFileError) as caught:
        tally_rows(str(missing), (0, 0, 1, 1), None, 0, keep_rows=False)
    assert str(caught.value) == (
        f"cannot read {missing}: not found on a worker (every worker must see the cohort file)"
    )
    with pytest.raises(InputFileError) as caught:
        tally_rows(str(broken), (0, 0, 1, 1), None, 0, keep_rows=False)
    assert str(caught.value) == (
        f"cannot read {broken}: not a readable Parquet file (ArrowInvalid)"
    )


# -- the scheduler's address ----------------------------------------------------------------

FORM = (
    "tcp://HOST:PORT, HOST:PORT or HOST (tcp only, port 1 to 65535, default 8786, "
    "an IPv6 address in brackets)"
)


@pytest.mark.parametrize(
    ("given_address", "spelled"),
    [
        ("tcp://10.0.0.5:8786", "tcp://10.0.0.5:8786"),
        ("10.0.0.5:9000", "tcp://10.0.0.5:9000"),
        ("scheduler", "tcp://scheduler:8786"),
        ("TCP://dask-scheduler.example.org.:1", "tcp://dask-scheduler.example.org.:1"),
        ("dask_scheduler:65535", "tcp://dask_scheduler:65535"),
        ("tcp://[::1]:8786", "tcp://[::1]:8786"),
        ("[fd00::2]", "tcp://[fd00::2]:8786"),
    ],
)
def test_a_scheduler_address_is_spelled_in_full_with_tcp_and_a_port(
    given_address: str, spelled: str
) -> None:
    assert _engine().scheduler_address(given_address) == spelled


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "the address is empty"),
        ("tls://10.0.0.5:8786", "the scheme 'tls' is not supported"),
        ("ucx://10.0.0.5:8786", "the scheme 'ucx' is not supported"),
        ("inproc://192.0.2.2/6921/1", "the scheme 'inproc' is not supported"),
        ("tcp://10.0.0.5:0", "the port 0 is not from 1 to 65535"),
        ("tcp://10.0.0.5:65536", "the port 65536 is not from 1 to 65535"),
        ("tcp://10.0.0.5:", "the port '' is not a whole number"),
        ("tcp://10.0.0.5:8786\n", "the port '8786\\n' is not a whole number"),
        ("tcp://10.0.0.5:\uff18\uff17", "the port '\uff18\uff17' is not a whole number"),
        ("tcp://:8786", "the host is missing"),
        ("tcp://sched uler:8786", "the host 'sched uler' is not a host name or an IP address"),
        ("tcp://sched\tuler:1", "the host 'sched\\tuler' is not a host name or an IP address"),
        ("tcp://-scheduler:1", "the host '-scheduler' is not a host name or an IP address"),
        (f"tcp://{'a' * 64}:1", f"the host '{'a' * 58}\u2026 is not a host name or an IP address"),
        ("tcp://999.0.0.1:8786", "the host '999.0.0.1' is not an IPv4 address"),
        ("::1", "an IPv6 address goes in brackets, as tcp://[::1]:8786"),
        ("tcp://[::1", "the IPv6 address has no closing ]"),
        ("tcp://[fe80::1%eth0]:1", "the host 'fe80::1%eth0' is not an IPv6 address"),
        ("tcp://[::1]/8786", "only :PORT may follow the ]"),
    ],
)
def test_a_bad_scheduler_address_is_refused_naming_what_is_wrong(value: str, problem: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        diff_policies(COHORT[:1], base=LEGACY, candidate=CURRENT, engine="dask", scheduler=value)
    assert type(caught.value) is InvalidInputError
    assert str(caught.value) == (
        f"scheduler={shown(value)} is not valid: expected {FORM}; {problem}"
    )


def test_a_scheduler_that_is_not_a_string_is_refused_by_the_address_check_too() -> None:
    with pytest.raises(InvalidInputError) as caught:
        _engine().scheduler_address(8786)
    assert str(caught.value) == f"scheduler=8786 is not valid: expected an address string: {FORM}"


@pytest.mark.parametrize("value", [0, -1, 0.0, float("nan"), float("inf"), 300.5, True, "10"])
def test_a_bad_connect_timeout_is_refused_before_connecting(value: object) -> None:
    with pytest.raises(InvalidInputError) as caught:
        diff_policies(
            COHORT[:1],
            base=LEGACY,
            candidate=CURRENT,
            engine="dask",
            scheduler="tcp://127.0.0.1:1",
            connect_timeout=value,  # type: ignore[arg-type]
        )
    assert str(caught.value) == (
        f"connect_timeout={value!r} is not valid: expected a number of seconds > 0 and <= 300"
    )


def test_a_connect_timeout_without_a_scheduler_is_refused() -> None:
    with pytest.raises(InvalidInputError) as caught:
        diff_policies(COHORT[:1], base=LEGACY, candidate=CURRENT, connect_timeout=5)
    assert str(caught.value) == (
        "connect_timeout=5 is not valid: expected a scheduler to wait for, too"
    )


class _ReachedError(Exception):
    """Raised instead of connecting: the address got past every check."""


_SCHEMES = st.sampled_from(
    ["", "tcp://", "TCP://", "tls://", "ucx://", "inproc://", "ws://", "tcp:/", "://"]
)
_HOSTS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["127.0.0.1", "localhost", "[::1]", "::1", "[::1", "a.b-c.d", "999.1.1.1"]),
)
_PORTS = st.one_of(
    st.just(""),
    st.integers(-5, 70_000).map(lambda n: f":{n}"),
    st.text(max_size=6).map(lambda t: f":{t}"),
)
_ADDRESSES = st.one_of(st.text(), st.tuples(_SCHEMES, _HOSTS, _PORTS).map("".join))


@given(value=_ADDRESSES)
def test_fuzzed_scheduler_values_are_refused_in_one_line_or_spelled_safely(value: str) -> None:
    with mock.patch.object(_engine(), "_connect", side_effect=_ReachedError):
        try:
            diff_policies(
                COHORT[:1], base=LEGACY, candidate=CURRENT, engine="dask", scheduler=value
            )
        except InvalidInputError as exc:
            refused = str(exc)
        except _ReachedError:
            refused = ""
    if refused:
        assert refused.startswith("scheduler=")
        assert refused.isprintable()
        return
    spelled = _engine().scheduler_address(
        value
    )  # accepted: a plain tcp address, the same when checked
    assert spelled.isascii()
    assert spelled.isprintable()
    assert " " not in spelled
    assert spelled.startswith("tcp://")
    assert _engine().scheduler_address(spelled) == spelled


@given(value=_ADDRESSES)
def test_fuzzed_scheduler_options_print_one_line_and_exit_2(value: str) -> None:
    unreachable = _engine().SchedulerUnreachableError(address="tcp://x:1", problem="not tried")
    out, err = io.StringIO(), io.StringIO()
    with mock.patch.object(_engine(), "_connect", side_effect=unreachable):
        argv = ["diff", "--base", "legacy", "--candidate", "current", "--synthetic", "1"]
        status = main([*argv, "--engine", "dask", f"--scheduler={value}"], out=out, err=err)
    assert status == 2
    assert out.getvalue() == ""
    assert err.getvalue().count("\n") == 1
    assert err.getvalue().endswith("\n")


# -- reaching the scheduler -----------------------------------------------------------------


@contextlib.contextmanager
def _server(answer: Callable[[socket.socket], None]) -> Iterator[str]:
    """A loopback port whose every connection is handed to ``answer``, in a thread."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                connection, _ = listener.accept()
                held.append(connection)  # kept open until the test ends
                answer(connection)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()
        for connection in held:
            connection.close()


def _silent(connection: socket.socket) -> None:
    """Hold the connection open; never read, never write."""


def _unreachable(address: str, timeout: float = 1) -> tuple[str, float]:
    started = time.monotonic()
    with pytest.raises(_engine().SchedulerUnreachableError) as caught:
        diff_policies(
            COHORT[:1],
            base=LEGACY,
            candidate=CURRENT,
            engine="dask",
            scheduler=address,
            connect_timeout=timeout,
        )
    assert isinstance(caught.value, CptmRulesError)
    assert isinstance(caught.value, ConnectionError)
    return str(caught.value), time.monotonic() - started


def test_a_closed_port_is_one_line_at_once() -> None:
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]
    message, took = _unreachable(f"127.0.0.1:{port}")
    assert (
        message == f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}: connection refused"
    )
    assert took < 1.5


def test_a_port_that_accepts_and_never_answers_ends_within_the_timeout() -> None:
    with _server(_silent) as address:
        message, took = _unreachable(address)
    assert message == f"cannot reach the Dask scheduler at {address}: no answer within 1 s"
    assert 1 <= took < 2


def test_a_web_server_ends_within_the_timeout_without_a_giant_read() -> None:
    web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    address = f"tcp://127.0.0.1:{web.server_address[1]}"
    try:
        message, took = _unreachable(address)
    finally:
        web.shutdown()
        web.server_close()
    assert message == f"cannot reach the Dask scheduler at {address}: no answer within 1 s"
    assert took < 2


def _bad_request(connection: socket.socket) -> None:
    """A web server's 400 to whatever arrives: its first 8 bytes would ask for 3 EiB."""
    connection.recv(1024)
    connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")


def test_a_server_that_answers_what_it_is_sent_is_sent_nothing() -> None:
    with _server(_bad_request) as address:
        message, took = _unreachable(address)
    assert message == f"cannot reach the Dask scheduler at {address}: no answer within 1 s"
    assert took < 2


NOT_DASK = "it answered, but not as a Dask scheduler (a web server, or the dashboard?)"


@pytest.mark.parametrize(
    "greeting",
    [
        b"SSH-2.0-OpenSSH_9.6\r\n",  # its first 8 bytes ask for exabytes
        struct.pack("<Q", 2**62),
        struct.pack("<Q", 0),
        struct.pack("<Q", 12) + b"not msgpack!",
        struct.pack("<Q", 8) + struct.pack("<Q", 10**6),  # more frames than bytes
        struct.pack("<Q", 18) + struct.pack("<QQ", 1, 2) + b"\xc1\xc1",  # msgpack refuses
        struct.pack("<Q", 17) + struct.pack("<QQ", 1, 1) + b"\x05",  # a number, not a map
    ],
)
def test_a_server_that_talks_but_not_as_a_scheduler_is_named_as_such(greeting: bytes) -> None:
    with _server(lambda connection: connection.sendall(greeting)) as address:
        message, took = _unreachable(address, timeout=5)
    assert message == f"cannot reach the Dask scheduler at {address}: {NOT_DASK}"
    assert took < 2  # no waiting for more: a scheduler's greeting is small and comes at once


def test_a_server_that_hangs_up_at_once_is_one_line() -> None:
    with _server(lambda connection: connection.shutdown(socket.SHUT_RDWR)) as address:
        message, _ = _unreachable(address)
    assert message == (
        f"cannot reach the Dask scheduler at {address}: it closed the connection without answering"
    )


def test_a_greeting_that_stops_halfway_ends_within_the_timeout() -> None:
    with _server(lambda connection: connection.sendall(struct.pack("<Q", 100) + b"x")) as address:
        message, took = _unreachable(address)
    assert message == f"cannot reach the Dask scheduler at {address}: no answer within 1 s"
    assert took < 2


def _handshake(connection: socket.socket) -> None:
    """A real scheduler's greeting, then the line goes dead: the client gets no further."""
    info = b"\x83\xabcompression\xc0\xa6python\x93\x03\x0b\x07\xafpickle-protocol\x05"
    frames = struct.pack("<QQ", 1, len(info)) + info
    connection.sendall(struct.pack("<Q", len(frames)) + frames)
    connection.shutdown(socket.SHUT_RDWR)


def test_a_scheduler_that_stops_answering_after_its_greeting_is_one_line() -> None:
    with _server(_handshake) as address:
        message, took = _unreachable(address, timeout=3)
    assert message.startswith(
        f"cannot reach the Dask scheduler at {address}: it stopped answering ("
    )
    assert took < 4


def test_an_unknown_host_and_other_socket_errors_are_one_line() -> None:
    refused = socket.gaierror(-2, "Name or service not known")
    with mock.patch("socket.create_connection", side_effect=refused):
        message, _ = _unreachable("tcp://scheduler.invalid:8786")
    assert message == (
        "cannot reach the Dask scheduler at tcp://scheduler.invalid:8786: name or service not known"
    )
    with mock.patch("socket.create_connection", side_effect=OSError()):
        message, _ = _unreachable("tcp://[::1]:8786")
    assert message == "cannot reach the Dask scheduler at tcp://[::1]:8786: oserror"


def test_the_command_says_in_one_line_that_the_scheduler_cannot_be_reached() -> None:
    with _server(_silent) as address:
        out, err = io.StringIO(), io.StringIO()
        argv = ["diff", "--base", "legacy", "--candidate", "current", "--synthetic", "5"]
        started = time.monotonic()
        status = main(
            [*argv, "--engine", "dask", "--scheduler", address, "--scheduler-timeout", "1"],
            out=out,
            err=err,
        )
        took = time.monotonic() - started
    assert (status, out.getvalue()) == (2, "")
    assert err.getvalue() == (
        f"cptm-rules: cannot reach the Dask scheduler at {address}: no answer within 1 s\n"
    )
    assert took < 2


def test_the_command_refuses_a_bad_scheduler_timeout_in_one_line() -> None:
    out, err = io.StringIO(), io.StringIO()
    argv = ["diff", "--base", "legacy", "--candidate", "current", "--synthetic", "5"]
    status = main(
        [*argv, "--engine", "dask", "--scheduler", "tcp://127.0.0.1:1", "--scheduler-timeout", "0"],
        out=out,
        err=err,
    )
    assert (status, out.getvalue()) == (2, "")
    assert err.getvalue() == (
        "cptm-rules: connect_timeout=0.0 is not valid: "
        "expected a number of seconds > 0 and <= 300\n"
    )


def test_a_task_tallies_its_rows_of_the_parquet_cohort(parquet_cohort: Path) -> None:
    tally_rows = _engine()._tally_rows  # noqa: SLF001  # a task, run here
    prices = load_prices()
    sides = (LEGACY, CURRENT, prices, prices)
    tally = tally_rows(str(parquet_cohort), (1, 100, 500, 601), sides, 3, keep_rows=False)
    assert tally.size == 400  # rows 100:500 of the second group: the group has 500


def test_the_engines_workers_drop_only_their_compute_failed_records() -> None:
    def record(message: str) -> logging.LogRecord:
        return logging.LogRecord("distributed.worker", logging.ERROR, "", 0, message, (), None)

    worker_log = logging.getLogger("distributed.worker")
    _engine()._QuietTaskErrors().setup(worker=None)  # noqa: SLF001  # what each worker runs
    try:
        assert not worker_log.filter(record("Compute Failed\nKey: %s"))
        assert worker_log.filter(record("Worker stream died"))
    finally:
        worker_log.removeFilter(_engine()._drop_compute_failed)  # noqa: SLF001


def test_a_greeting_is_read_only_until_the_deadline() -> None:
    receive = _engine()._receive  # noqa: SLF001
    ours, theirs = socket.socketpair()
    with ours, theirs, pytest.raises(TimeoutError):
        receive(ours, 8, time.monotonic() - 1, "tcp://127.0.0.1:1")
