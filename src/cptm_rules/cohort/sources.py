"""Where a cohort comes from: a file of any format, or candidates already in hand.

:func:`open_cohort` reads JSON Lines itself (:func:`~cptm_rules.cohort.candidates.iter_cohort`)
and Parquet and CSV through :mod:`cptm_rules.cohort.formats`, the ``columnar`` extra,
loaded only when such a file is opened. It sits above both (``formats`` imports
``candidates``), so that ``candidates`` need not import ``formats`` to open a file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from cptm_rules.cohort.candidates import iter_cohort
from cptm_rules.exceptions import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    import pyarrow as pa

    from cptm_rules.cohort.candidates import Candidate
    from cptm_rules.cohort.formats import CheckedCohort

__all__ = ["CohortSource", "cohort_candidates", "open_cohort"]

CohortSource: TypeAlias = (
    "Iterable[Candidate] | Iterable[pa.Table] | Iterable[CheckedCohort] | pa.Table | str | Path"
)
"""Every cohort a diff takes: candidates, Arrow tables (one, or a stream of them, as
:func:`~cptm_rules.cohort.synthetic.iter_synthetic_tables` gives), checked cohort
tables, or a cohort file's path (:func:`open_cohort`)."""


def open_cohort(path: str | Path) -> Iterator[Candidate]:
    """Candidates from a cohort file of any format, streamed, checked as they come.

    JSON Lines needs nothing more (:func:`~cptm_rules.cohort.candidates.iter_cohort`);
    Parquet and CSV need the ``columnar`` extra
    (:func:`~cptm_rules.cohort.formats.iter_cohort_file`), and without it are refused
    with the extra to install.
    """
    if Path(path).suffix.lower() == ".jsonl":
        return iter_cohort(path)
    try:
        from cptm_rules.cohort.formats import iter_cohort_file  # noqa: PLC0415  # pyarrow
    except ImportError:
        raise InvalidInputError(
            "cohort",
            str(path),
            "a JSON Lines cohort, or install the columnar extra for Parquet and CSV: "
            "pip install 'cptm-rules[columnar]'",
        ) from None
    return iter_cohort_file(path)


def cohort_candidates(cohort: Iterable[Candidate] | str | Path) -> Iterable[Candidate]:
    """The candidates of ``cohort``: the candidates given, or a file's (:func:`open_cohort`)."""
    return open_cohort(cohort) if isinstance(cohort, str | Path) else cohort
