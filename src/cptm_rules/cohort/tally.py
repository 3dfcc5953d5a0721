"""The unit of work of a diff: a chunk of candidates answered under both sides and tallied.

Both engines cut a cohort the same way: chunks of :data:`CHUNK` candidates, each
answered and tallied by a worker (:func:`tally_chunk`), the tallies merged on the
caller's side in cohort order (:func:`in_order`,
:meth:`~cptm_rules.cohort.counts.Tally.merge`), so the report is the same on any
number of workers or engines. The :class:`~cptm_rules.cohort.counts.Tally` both
engines fill lives in :mod:`cptm_rules.cohort.counts` (still importable from here).
"""

from __future__ import annotations

import collections
import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, NamedTuple, Protocol, TypeGuard, cast

from cptm_rules.cohort.answers import compare_answers
from cptm_rules.cohort.candidates import chunks

# This module was their home; the names stay importable from here.
from cptm_rules.cohort.counts import AnswerRow as AnswerRow  # noqa: PLC0414
from cptm_rules.cohort.counts import Tally as Tally  # noqa: PLC0414
from cptm_rules.cohort.counts import rule_order as rule_order  # noqa: PLC0414
from cptm_rules.cohort.sources import cohort_candidates
from cptm_rules.exceptions import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    import pyarrow as pa

    from cptm_rules.cohort.candidates import Candidate
    from cptm_rules.cohort.formats import CheckedCohort
    from cptm_rules.cohort.sources import CohortSource
    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule

__all__ = [
    "ANSWERED_BY",
    "BATCH_CHUNK",
    "CHUNK",
    "AnsweredBy",
    "Run",
    "in_order",
    "is_checked",
    "is_table",
    "tally_chunk",
    "units_of_work",
]


CHUNK: Final = 500
"""Candidates per unit of work: what one worker answers and tallies at a time."""

BATCH_CHUNK: Final = 10_000
"""Candidates per unit of work when the batch path answers them: a table's worth.

Measured on 2 cores, a 1,000,000-candidate ``--synthetic`` diff: 25.8 s at 10,000
(each worker's peak near 280 MB), 30.5 s at 5,000 (220 MB), 25.7 s at 20,000 (420 MB).
A chunk's numpy calls cost the same whatever its size, so smaller chunks pay them
more often; larger ones only take more memory."""


AnsweredBy = Literal["journeys", "batch"]
"""How a diff answers candidates: replaying their journeys (the reference), or with the
batch path, column-wise (:mod:`cptm_rules.cohort.batched`); the report is the same."""

ANSWERED_BY: Final[tuple[AnsweredBy, ...]] = ("journeys", "batch")
"""Every way a diff may answer candidates, the reference first."""


class Run(NamedTuple):
    """What every chunk of one diff is answered with, and where its tally goes."""

    sides: tuple[Policy, Policy, PriceSchedule, PriceSchedule]
    examples: int
    keep_rows: bool
    done: Callable[[Tally], None]
    answered_by: AnsweredBy = "journeys"

    @property
    def chunk_size(self) -> int:
        """Candidates per unit of work: a batch is answered a table at a time."""
        return CHUNK if self.answered_by == "journeys" else BATCH_CHUNK

    def tally(self, chunk: Sequence[Candidate] | pa.Table | CheckedCohort) -> Tally:
        """Answer and tally one chunk here (the worker side calls :func:`tally_chunk`)."""
        return tally_chunk(chunk, self.sides, self.examples, self.keep_rows, self.answered_by)


class _Pending(Protocol):
    # A future of either engine: concurrent.futures' or distributed's.
    def result(self) -> Tally: ...


def in_order(
    futures: Iterable[_Pending],
    done: Callable[[Tally], None],
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


def tally_chunk(
    chunk: Sequence[Candidate] | pa.Table | CheckedCohort,
    sides: tuple[Policy, Policy, PriceSchedule, PriceSchedule],
    examples: int,
    keep_rows: bool = False,  # noqa: FBT001, FBT002  # positional: it crosses to worker processes
    answered_by: AnsweredBy = "journeys",
) -> Tally:
    """Answer ``chunk`` under both ``sides`` and tally it: what one worker does with a chunk.

    ``sides`` is the base and candidate policies and their price schedules; the
    arguments are plain values, so the call crosses to a worker process or a Dask
    task as it is. ``chunk`` is candidates, or a cohort table
    (:data:`~cptm_rules.cohort.formats.COHORT_SCHEMA`) for the batch path.
    """
    if answered_by == "batch":
        # Imported here: the batch path needs numpy and pyarrow (the columnar extra).
        from cptm_rules.cohort.batched import tally_table  # noqa: PLC0415
        from cptm_rules.cohort.formats import CheckedCohort, cohort_table  # noqa: PLC0415

        if isinstance(chunk, CheckedCohort) or is_table(chunk):
            return tally_table(chunk, sides, examples, keep_rows)
        return tally_table(cohort_table(chunk), sides, examples, keep_rows)
    rows = chunk.table if is_checked(chunk) else chunk
    if is_table(rows):
        from cptm_rules.cohort.formats import candidates_from_table  # noqa: PLC0415

        candidates: Sequence[Candidate] = list(candidates_from_table(rows))
    else:
        candidates = cast("Sequence[Candidate]", rows)  # neither kind of table
    tally = Tally(examples=examples, keep_rows=keep_rows)
    for row in compare_answers(candidates, *sides):
        tally.add(*row)
    return tally


def units_of_work(
    cohort: CohortSource,
    run: Run,
) -> Iterable[Sequence[Candidate] | CheckedCohort]:
    """``cohort`` cut in ``run``'s units of work (:attr:`Run.chunk_size` candidates each).

    Both engines cut a cohort here. A table, and each table of a stream of them
    (such as :func:`~cptm_rules.cohort.synthetic.iter_synthetic_tables`), is checked
    once, as it comes, and cut in :class:`~cptm_rules.cohort.formats.CheckedCohort`
    parts, which the batch path reads as they are and the journeys turn into
    candidates where they are answered. On the batch path a Parquet file is read a
    unit at a time; any other cohort is read candidate by candidate.
    """
    size = run.chunk_size
    if is_table(cohort):
        from cptm_rules.cohort.formats import checked_table  # noqa: PLC0415  # pyarrow

        table = checked_table(cohort)  # a bad value is refused before any work starts
        return _cut(table, size)
    if isinstance(cohort, str | Path):
        if run.answered_by == "batch" and Path(cohort).suffix.lower() == ".parquet":
            return _parquet_tables(Path(cohort), size)
        return chunks(cohort_candidates(cohort), size)
    items = iter(cohort)
    first = next(items, None)
    if first is None:
        return ()
    if is_table(first) or is_checked(first):
        tables = cast("Iterator[pa.Table | CheckedCohort]", itertools.chain([first], items))
        return _checked_tables(tables, size)
    return chunks(cast("Iterator[Candidate]", itertools.chain([first], items)), size)


def _cut(table: pa.Table, size: int) -> Iterator[CheckedCohort]:
    from cptm_rules.cohort.formats import CheckedCohort  # noqa: PLC0415  # pyarrow

    for start in range(0, table.num_rows, size):
        yield CheckedCohort(table=table.slice(start, size))


def _checked_tables(
    tables: Iterator[pa.Table | CheckedCohort], size: int
) -> Iterator[CheckedCohort]:
    """Each of ``tables`` checked as it comes (a bad row named by its place in them all).

    A :class:`~cptm_rules.cohort.formats.CheckedCohort` is checked already (such as
    :func:`~cptm_rules.cohort.synthetic.iter_synthetic_cohorts` draws): it is cut as it is.
    """
    from cptm_rules.cohort.formats import checked_table  # noqa: PLC0415  # pyarrow

    first_row = 1
    for place, table in enumerate(tables):
        if is_checked(table):
            rows = table.table
        elif is_table(table):
            rows = checked_table(table, source="cohort tables", first_row=first_row)
        else:
            raise InvalidInputError(
                f"cohort[{place}]",
                type(table).__name__,
                "an Arrow table or a checked cohort, as the first item is",
            )
        yield from _cut(rows, size)
        first_row += rows.num_rows


def _parquet_tables(path: Path, size: int) -> Iterator[CheckedCohort]:
    """A Parquet cohort read ``size`` rows at a time, each table's values checked."""
    import pyarrow as pa  # noqa: PLC0415  # the columnar extra

    from cptm_rules.cohort.formats import checked_cohort, open_parquet  # noqa: PLC0415

    parquet = open_parquet(path)
    first_row = 1
    for batch in parquet.iter_batches(batch_size=size):
        table = pa.Table.from_batches([batch])
        yield checked_cohort(table, source=str(path), first_row=first_row)
        first_row += table.num_rows


def is_checked(chunk: object) -> TypeGuard[CheckedCohort]:
    """Whether ``chunk`` is a checked cohort table (asked by name, as :func:`is_table`)."""
    kind = type(chunk)
    return kind.__name__ == "CheckedCohort" and kind.__module__ == "cptm_rules.cohort.formats"


def is_table(chunk: object) -> TypeGuard[pa.Table]:
    """Whether ``chunk`` is an Arrow table (asked by name: the journeys need no pyarrow)."""
    return type(chunk).__name__ == "Table" and type(chunk).__module__.startswith("pyarrow")
