"""Policy diffs over a cohort: :func:`diff_policies`, like a reform simulation.

Every candidate is answered under two policies (:mod:`cptm_rules.cohort.answers`),
a chunk at a time (:mod:`cptm_rules.cohort.tally`), on this machine's processes
(:mod:`cptm_rules.cohort.workers`) or a Dask cluster
(:mod:`cptm_rules.cohort.dask`); the result is a
:class:`~cptm_rules.cohort.report.PolicyDiff`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sized
from typing import TYPE_CHECKING, Final, Literal

from cptm_rules.cohort.counts import Tally
from cptm_rules.cohort.tally import Run, units_of_work
from cptm_rules.cohort.workers import check_workers, tally_all
from cptm_rules.exceptions import InvalidInputError
from cptm_rules.policy import Policy, load_policy
from cptm_rules.pricing import PriceSchedule, load_prices
from cptm_rules.rule_coverage import figure_changes

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path
    from types import ModuleType

    from cptm_rules.cohort.counts import AnswerRow
    from cptm_rules.cohort.report import PolicyDiff
    from cptm_rules.cohort.sources import CohortSource
    from cptm_rules.cohort.tally import AnsweredBy

__all__ = ["PARALLEL_THRESHOLD", "Engine", "diff_policies"]


PARALLEL_THRESHOLD: Final = 2000
"""Cohorts at least this large are split across the machine's cores."""


def _policy_value(value: Policy | str | Path) -> Policy:
    return value if isinstance(value, Policy) else load_policy(value)


def _prices_value(value: PriceSchedule | str | Path) -> PriceSchedule:
    return value if isinstance(value, PriceSchedule) else load_prices(value)


Engine = Literal["local", "dask"]
"""Where a diff runs: this machine's processes, or a Dask cluster (the ``dask`` extra)."""


def diff_policies(  # keyword-only settings of one simulation
    cohort: CohortSource,
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
    answered_by: AnsweredBy | None = None,
    scheduler: str | None = None,
    connect_timeout: float | None = None,
) -> PolicyDiff:
    """Run every candidate under the ``base`` and ``candidate`` policies and compare.

    ``cohort`` is candidates (a tuple, or an iterator such as
    :func:`~cptm_rules.cohort.synthetic.iter_synthetic_cohort`), a cohort table
    (an Arrow table with :data:`~cptm_rules.cohort.formats.COHORT_SCHEMA`'s
    columns, checked first), cohort tables one after another (an iterator such as
    :func:`~cptm_rules.cohort.synthetic.iter_synthetic_tables`, each checked as it
    comes) or the path of a cohort file: JSON Lines, Parquet or CSV
    (:func:`~cptm_rules.cohort.formats.iter_cohort_file`).
    Policies are :class:`~cptm_rules.policy.Policy` values (for example
    ``load_policy().with_overrides({...})`` in a notebook), shipped names or
    file paths; ``prices`` likewise a :class:`~cptm_rules.pricing.PriceSchedule`
    or a path, for both sides unless ``candidate_prices`` gives the candidate
    side its own (a price change is diffed like a policy change).

    The cohort is streamed: candidates are answered and tallied
    :data:`~cptm_rules.cohort.tally.CHUNK` at a time and only the counts and the first
    ``examples`` per answer are kept, so memory does not grow with the cohort. With
    ``workers`` unset, cohorts of at least :data:`PARALLEL_THRESHOLD` candidates (or of
    unknown size) use every core; worker processes receive the policy and price values
    themselves, and the result is the same on any number of workers. ``progress``, when
    given, is called with the number of candidates done after each chunk; ``on_rows``,
    when given, receives every candidate's :class:`~cptm_rules.cohort.counts.AnswerRow`
    s, a chunk at a time in cohort order (``cptm-rules diff --output`` writes them).

    ``engine="dask"`` runs the chunks as tasks on a Dask cluster instead: the one
    at ``scheduler`` (an address such as ``tcp://10.0.0.5:8786``; see
    :func:`~cptm_rules.cohort.dask.scheduler_address`), given ``connect_timeout``
    seconds to answer (default 10), or a local one made for the call. A Parquet
    cohort is then read partition by partition by the workers themselves. The
    report is the same as the local engine's.

    ``answered_by="batch"`` answers each chunk with the batch path, column-wise
    (:mod:`cptm_rules.cohort.batched`; the ``columnar`` extra), on either engine;
    ``"journeys"`` replays every candidate's journeys, the reference. Both give the
    same report and the same rows; the default (``None``) is the batch path where the
    ``columnar`` extra is installed, else the journeys.
    """
    base_policy, candidate_policy = _policy_value(base), _policy_value(candidate)
    schedule = _prices_value(prices)
    other_schedule = schedule if candidate_prices is None else _prices_value(candidate_prices)
    _check_engine(engine, scheduler, connect_timeout)
    answered_by = _answered_by(answered_by)
    if workers is None:
        size = len(cohort) if isinstance(cohort, Sized) else PARALLEL_THRESHOLD
        workers = (os.cpu_count() or 1) if size >= PARALLEL_THRESHOLD else 1
    check_workers(workers)
    if type(examples) is not int or examples < 0:
        raise InvalidInputError("examples", examples, "a whole number >= 0")
    sides = (base_policy, candidate_policy, schedule, other_schedule)
    total = Tally(examples=examples)

    def done(part: Tally) -> None:
        total.merge(part)
        if on_rows is not None and part.rows is not None:
            on_rows(part.rows)
        if progress is not None:
            progress(total.size)

    run = Run(
        sides=sides,
        examples=examples,
        keep_rows=on_rows is not None,
        done=done,
        answered_by=answered_by,
    )
    if engine == "dask":
        _dask_engine().run(
            cohort, run, scheduler=scheduler, workers=workers, connect_timeout=connect_timeout
        )
    else:
        tally_all(units_of_work(cohort, run), run, workers=workers)
    figures = figure_changes(base_policy, candidate_policy, schedule, other_schedule)
    base_label, candidate_label = base_policy.label, candidate_policy.label
    if other_schedule != schedule:  # a price change: say which schedule each side used
        base_label += f" with prices {schedule.label}"
        candidate_label += f" with prices {other_schedule.label}"
    return total.result(base=base_label, candidate=candidate_label, figures=figures)


def _check_engine(engine: str, scheduler: object, connect_timeout: object) -> None:
    # The address and the timeout themselves are checked by the dask engine, before it
    # connects (cptm_rules.cohort.dask.scheduler_address).
    if engine not in ("local", "dask"):
        raise InvalidInputError("engine", engine, "'local' or 'dask'")
    if scheduler is not None and (engine != "dask" or type(scheduler) is not str):
        raise InvalidInputError("scheduler", scheduler, "an address string, with engine='dask'")
    if connect_timeout is not None and scheduler is None:
        raise InvalidInputError("connect_timeout", connect_timeout, "a scheduler to wait for, too")


def _answered_by(answered_by: object) -> AnsweredBy:
    """The way a diff answers: the one asked for, or the batch path where it can."""
    if answered_by is None:
        return "batch" if _batch_available() else "journeys"
    if answered_by == "journeys":
        return "journeys"
    if answered_by == "batch":
        _batch_path()
        return "batch"
    raise InvalidInputError("answered_by", answered_by, "'journeys', 'batch' or None")


def _batch_available() -> bool:
    """Whether the batch path can answer here (the ``columnar`` extra is installed)."""
    try:
        # Each by name: a module already imported must not hide one that is missing.
        for name in ("numpy", "pyarrow"):
            importlib.import_module(name)
        importlib.import_module("cptm_rules.cohort.formats")
        importlib.import_module("cptm_rules.cohort.batched")
    except ImportError:
        return False
    return True


def _batch_path() -> None:
    try:
        importlib.import_module("cptm_rules.cohort.batched")
    except ImportError:
        raise InvalidInputError(
            "answered_by",
            "batch",
            "'journeys', or install the columnar extra: pip install 'cptm-rules[columnar]'",
        ) from None


def _dask_engine() -> ModuleType:
    try:
        # By module name, not from the package: a module already bound on the package
        # must not hide a missing extra (the import machinery asks sys.modules).
        return importlib.import_module("cptm_rules.cohort.dask")
    except ImportError:
        raise InvalidInputError(
            "engine", "dask", "'local', or install the dask extra: pip install 'cptm-rules[dask]'"
        ) from None
