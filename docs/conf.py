"""Sphinx configuration: the guide pages (Markdown, via MyST) and the API reference.

Build with ``python -m sphinx -W --keep-going -n -b html docs build/docs``; the
project's check script does, so a broken link or reference fails CI.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

project = "cptm-rules"
author = "The cptm-rules authors"
extensions = ["myst_parser", "sphinx.ext.autodoc"]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["schema/**", "sources/*.txt", "*.ipynb", "_build/**"]
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]
html_theme = "alabaster"
autodoc_member_order = "bysource"
autodoc_typehints = "description"
# matplotlib writes a `set` method into every Figure subclass; it is matplotlib's to document.
autodoc_default_options = {"members": True, "show-inheritance": True, "exclude-members": "set"}
nitpicky = True
# Names from the standard library and third-party packages: this build has no network
# to fetch their inventories, so their cross references stay plain text.
# The state diagram is a Mermaid block: shown as its source, which reads fine.
suppress_warnings = ["misc.highlighting_failure"]
nitpick_ignore_regex = [
    ("py:.*", r"(_pytest|pytest|icalendar|fractions|os)\..*"),
    ("py:(class|obj)", r"cptm_rules\.\w+\.(T|_E|F|R)"),
    ("py:.*", r"(dt|datetime|decimal|zoneinfo|pathlib|collections|typing|io|enum)\..*"),
    ("py:.*", r"(attrs|attr|cattrs|pandas|pd|matplotlib|numpy|argparse|tomllib)\..*"),
    ("py:.*", r"(pyarrow|pa|pq|distributed)\..*"),
    ("py:class", r"_Pending"),  # a future of either engine, private to cptm_rules.cohort.tally
    # numpy arrays of days and masks, as the array ops annotate them
    ("py:class", r"Days|Ints|Mask"),
    # A precedence is a tuple type alias (documented as data in cptm_rules.formulas).
    ("py:class", r"(cptm_rules\.formulas\.)?Precedence"),
    (
        "py:.*",
        (
            r"(Decimal|Path|ZoneInfo|Mapping|Sequence|Iterable|Callable|Collection|TextIO"
            r"|Any|Final|T|Self|NoReturn|Axes|Figure|DataFrame|ValueError|OSError|Exception)"
        ),
    ),
]


def _public_bases(
    _app: object, _name: str, _obj: object, _options: object, bases: list[type]
) -> None:
    # A private base (how outcome texts render on read) is not part of the API.
    bases[:] = [base for base in bases if not base.__name__.startswith("_")] or [object]


_MOVED: dict[str, str] = {
    "cptm_rules.cohort_formats": "cptm_rules.cohort.formats",
    "cptm_rules.dask_engine": "cptm_rules.cohort.dask",
}
"""Deprecated module names, and the modules they are now."""


def _documented_at(target: str) -> str | None:
    # Where a name reached by an old module name or through the cohort package's
    # re-exports is documented: the module of its concept.
    module, _, name = target.rpartition(".")
    if module in _MOVED:
        return f"{_MOVED[module]}.{name}"
    if not target.startswith("cptm_rules.cohort."):
        return None
    first, *rest = target.removeprefix("cptm_rules.cohort.").split(".")
    package = importlib.import_module("cptm_rules.cohort")
    for found in pkgutil.iter_modules(package.__path__):
        home = importlib.import_module(f"cptm_rules.cohort.{found.name}")
        if first in getattr(home, "__all__", ()):
            return ".".join([home.__name__, first, *rest])
    return None


def _moved_reference(app: Any, env: Any, node: Any, contnode: Any) -> Any:  # noqa: ANN401
    # Sphinx's objects: a reference the Python domain could not resolve, tried again
    # at the module where the name is documented now.
    target = _documented_at(node["reftarget"]) if node.get("refdomain") == "py" else None
    if target is None:
        return None
    domain = env.get_domain("py")
    return domain.resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], target, node, contnode
    )


def setup(app: Any) -> None:  # noqa: ANN401  # Sphinx's application object
    """Hide private base classes from the API reference; resolve moved module names."""
    app.connect("autodoc-process-bases", _public_bases)
    app.connect("missing-reference", _moved_reference)
