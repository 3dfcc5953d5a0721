"""Policy diffs on a Dask cluster: ``diff_policies(..., engine="dask")`` (the ``dask`` extra).

The work is the local engine's, cut the same way: chunks of
:data:`~cptm_rules.cohort.CHUNK` candidates answered and tallied by a worker,
tallies merged on the caller's side in cohort order, so the report is the same
on any cluster. What changes is where chunks come from:

- a Parquet cohort is read by the workers, one row group per task, so the
  cohort never passes through the caller (every worker must see the path:
  shared storage, or the same file on each machine);
- any other cohort (an iterator, a JSON Lines or CSV file, a synthetic cohort)
  is read on the caller's side and shipped a chunk at a time, at most a few
  chunks per worker in flight.

``docs/cohorts.md`` shows how to start a cluster and point a diff at it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow.parquet as pq
from distributed import Client, LocalCluster

from cptm_rules.cohort import CHUNK, _candidates, _chunks, _in_order, _Tally, _tally_chunk
from cptm_rules.cohort_formats import candidates_from_table, open_parquet

if TYPE_CHECKING:
    from collections.abc import Iterable

    from cptm_rules.cohort import Candidate, _Run
    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule

__all__ = ["run"]


def run(
    cohort: Iterable[Candidate] | str | Path,
    work: _Run,
    *,
    scheduler: str | None,
    workers: int,
) -> None:
    """Answer ``cohort`` on the cluster at ``scheduler`` (or a local one of ``workers``)."""
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # no fixed port: two clusters may run at once
            silence_logs=logging.ERROR,
        )
        with cluster, Client(cluster) as client:
            _submit_all(client, cohort, work, window=4 * workers)
    else:
        with Client(scheduler) as client:
            size = max(len(client.scheduler_info().get("workers", {})), 1)
            _submit_all(client, cohort, work, window=4 * size)


def _submit_all(
    client: Client, cohort: Iterable[Candidate] | str | Path, work: _Run, *, window: int
) -> None:
    if isinstance(cohort, str | Path) and Path(cohort).suffix.lower() == ".parquet":
        path = Path(cohort)
        metadata = open_parquet(path).metadata  # a bad file fails here, before any task
        futures = (
            client.submit(
                _tally_rows,
                str(path),
                (group, start, min(start + _ROWS_PER_TASK, rows)),
                work.sides,
                work.examples,
                work.keep_rows,
                pure=False,
            )
            for group in range(metadata.num_row_groups)
            for rows in (metadata.row_group(group).num_rows,)
            for start in range(0, rows, _ROWS_PER_TASK)
        )
    else:
        futures = (
            client.submit(
                _tally_chunk, chunk, work.sides, work.examples, work.keep_rows, pure=False
            )
            for chunk in _chunks(_candidates(cohort), CHUNK)
        )
    _in_order(futures, work.done, window=window)


_ROWS_PER_TASK = 4 * CHUNK
"""Rows of a Parquet cohort one task answers: a row group is cut in pieces this size."""


def _tally_rows(
    path: str,
    rows: tuple[int, int, int],
    sides: tuple[Policy, Policy, PriceSchedule, PriceSchedule],
    examples: int,
    keep_rows: bool,  # noqa: FBT001  # positional: a task's arguments
) -> _Tally:
    """Read rows ``start:stop`` of one row group of a Parquet cohort, answer and tally them."""
    group, start, stop = rows
    table = pq.ParquetFile(path).read_row_group(group).slice(start, stop - start)
    tally = _Tally(examples=examples, keep_rows=keep_rows)
    first_row = (
        1 + start + sum(pq.ParquetFile(path).metadata.row_group(g).num_rows for g in range(group))
    )
    candidates = list(candidates_from_table(table, source=path, first_row=first_row))
    for start in range(0, len(candidates), CHUNK):
        tally.merge(_tally_chunk(candidates[start : start + CHUNK], sides, examples, keep_rows))
    return tally
