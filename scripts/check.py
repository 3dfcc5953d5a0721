"""Run every check the project has, in order: lint, format, types, tests, docs examples, docs site.

``python scripts/check.py`` from an environment with the ``test`` extra installed.
Stops at the first failing step and exits with its status.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# pytest-xdist: one worker per core; a test module stays on one worker, so the cohorts and
# reports a module builds once (module-scoped fixtures) are built once.
_ON_EVERY_CORE = ("-n", "auto", "--dist", "loadfile")
STEPS = (
    ("lint", [sys.executable, "-m", "ruff", "check", "."]),
    ("format", [sys.executable, "-m", "ruff", "format", "--check", "."]),
    ("types", [sys.executable, "-m", "mypy"]),
    # Every worker (and every process a test starts) writes its own coverage data file.
    ("coverage data cleared", [sys.executable, "-m", "coverage", "erase"]),
    (
        "tests, scenarios and docs examples, on every core",
        [sys.executable, "-m", "coverage", "run", "-m", "pytest", *_ON_EVERY_CORE],
    ),
    ("coverage data of every process merged", [sys.executable, "-m", "coverage", "combine", "-q"]),
    ("coverage of src/ (branches, at least 95%)", [sys.executable, "-m", "coverage", "report"]),
    (
        "documentation site and API reference (strict: a broken link or reference fails)",
        [
            sys.executable,
            *("-m", "sphinx", "-W", "--keep-going", "-n", "-q", "-b", "html"),
            *("docs", "build/docs"),
        ],
    ),
)


def main() -> int:
    """Run each step; return the first non-zero exit status, or 0."""
    for name, command in STEPS:
        print(f"== {name}: {' '.join(command[2:])}", flush=True)
        status = subprocess.run(command, cwd=ROOT, check=False).returncode  # noqa: S603  # fixed argv
        if status != 0:
            print(f"== {name} failed (exit {status})", flush=True)
            return status
    return 0


if __name__ == "__main__":
    sys.exit(main())
