"""Deprecated: this module is now :mod:`cptm_rules.cohort.dask`; import from there.

It re-exports that module's public names and warns once, on import, with a
``DeprecationWarning``.
"""

from __future__ import annotations

import warnings

from cptm_rules.cohort.dask import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_PORT,
    MAX_CONNECT_TIMEOUT,
    check_connect_timeout,
    run,
    scheduler_address,
)

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_PORT",
    "MAX_CONNECT_TIMEOUT",
    "check_connect_timeout",
    "run",
    "scheduler_address",
]

warnings.warn(
    "cptm_rules.dask_engine is now cptm_rules.cohort.dask",
    DeprecationWarning,
    stacklevel=2,
)
