"""The same policy diff on a Dask cluster: two local worker processes started by the test."""

from __future__ import annotations

import io
import json
import logging
from typing import TYPE_CHECKING

import pyarrow.parquet as pq
import pytest
from distributed import LocalCluster

from cptm_rules.cli import main
from cptm_rules.cohort import diff_policies, iter_synthetic_cohort, synthetic_cohort
from cptm_rules.cohort_formats import cohort_table
from cptm_rules.exceptions import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

COHORT = synthetic_cohort(1200, seed=11)


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
        iter_synthetic_cohort(1200, seed=11),
        base="legacy",
        candidate="current",
        workers=1,
        on_rows=local_rows.extend,
    )
    on_dask = diff_policies(
        iter_synthetic_cohort(1200, seed=11),
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
