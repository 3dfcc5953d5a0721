"""Shared test settings: Hypothesis profiles and common fixtures."""

from __future__ import annotations

import os
import sys

import pytest
from hypothesis import HealthCheck, settings

# CI runs derandomised so a red build is reproducible; "heavy" is for local soak runs:
#   HYPOTHESIS_PROFILE=heavy pytest
settings.register_profile("ci", derandomize=True, max_examples=100, deadline=None, print_blob=True)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile(
    "heavy", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

pytest_plugins = ["pytester"]


# What mutmut sets while a mutant is under test; its own phases have these names.
_MUTMUT_PHASES = frozenset({"", "stats", "fail"})


@pytest.fixture(autouse=True, scope="session")
def _fresh_caches_under_a_mutant() -> None:
    """Under a mutant, forget every answer the package cached before the mutant was on.

    mutmut runs each mutant's tests in a process forked from one that has run them
    already, unmutated: a cached answer (a refund tier's precedence table, say) would
    then hide the mutant and count it as survived. Outside mutmut this does nothing.
    """
    if os.environ.get("MUTANT_UNDER_TEST", "") in _MUTMUT_PHASES:
        return
    for name, module in list(sys.modules.items()):
        if name.startswith("cptm_rules") and module is not None:
            for value in list(vars(module).values()):
                clear = getattr(value, "cache_clear", None)
                if callable(clear):
                    clear()
