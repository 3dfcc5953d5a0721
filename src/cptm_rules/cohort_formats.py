"""Deprecated: this module is now :mod:`cptm_rules.cohort.formats`; import from there.

It re-exports that module's public names and warns once, on import, with a
``DeprecationWarning``.
"""

from __future__ import annotations

import warnings

from cptm_rules.cohort.formats import (
    ANSWER_ROW_SCHEMA,
    COHORT_FORMATS,
    COHORT_SCHEMA,
    MAX_HOURS,
    MAX_PARQUET_COLUMNS,
    MAX_ROW_GROUP_BYTES,
    ROWS_PER_BATCH,
    CheckedCohort,
    answer_writer,
    candidates_from_table,
    checked_cohort,
    checked_table,
    cohort_table,
    iter_cohort_file,
    open_parquet,
    read_cohort_table,
    write_cohort,
)

__all__ = [
    "ANSWER_ROW_SCHEMA",
    "COHORT_FORMATS",
    "COHORT_SCHEMA",
    "MAX_HOURS",
    "MAX_PARQUET_COLUMNS",
    "MAX_ROW_GROUP_BYTES",
    "ROWS_PER_BATCH",
    "CheckedCohort",
    "answer_writer",
    "candidates_from_table",
    "checked_cohort",
    "checked_table",
    "cohort_table",
    "iter_cohort_file",
    "open_parquet",
    "read_cohort_table",
    "write_cohort",
]

warnings.warn(
    "cptm_rules.cohort_formats is now cptm_rules.cohort.formats",
    DeprecationWarning,
    stacklevel=2,
)
