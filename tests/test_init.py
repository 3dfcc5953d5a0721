from __future__ import annotations

import subprocess
import sys

import cptm_rules


def test_the_package_exports_exactly_its_all() -> None:
    for name in cptm_rules.__all__:
        assert getattr(cptm_rules, name) is not None
    assert sorted(cptm_rules.__all__) == sorted(set(cptm_rules.__all__))


def test_importing_the_package_loads_no_optional_dependency() -> None:
    optional = ("pandas", "numpy", "matplotlib", "icalendar", "pyarrow", "tomlkit", "dask")
    code = (
        "import sys, cptm_rules, cptm_rules.cohort, cptm_rules.cli; "
        f"print(sorted(m for m in {optional!r} + ('distributed',) if m in sys.modules))"
    )
    result = subprocess.run(  # noqa: S603  # our own interpreter running our own code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_every_error_class_is_exported_at_the_top_level() -> None:
    from cptm_rules import exceptions  # noqa: PLC0415  # the module under comparison

    classes = {n for n in exceptions.__all__ if isinstance(getattr(exceptions, n), type)}
    assert classes <= set(cptm_rules.__all__)
