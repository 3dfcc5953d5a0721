"""The cohort package: modules that share only public names, its exports, the old module names."""

from __future__ import annotations

import ast
import importlib
import inspect
import pickle
import sys
import warnings
from pathlib import Path

import cloudpickle  # type: ignore[import-untyped]  # a dependency of distributed
import pytest

import cptm_rules.cohort
from cptm_rules.cohort import workers
from cptm_rules.cohort.report import PolicyDiff
from cptm_rules.cohort.tally import Tally, tally_chunk
from cptm_rules.policy import load_policy
from cptm_rules.pricing import load_prices
from journeys import short_cohort

PACKAGE = "cptm_rules.cohort"
FOLDER = Path(cptm_rules.cohort.__file__).parent
MODULES = {
    PACKAGE if path.stem == "__init__" else f"{PACKAGE}.{path.stem}": path
    for path in sorted(FOLDER.glob("*.py"))
}


def _tree(module: str) -> ast.Module:
    return ast.parse(MODULES[module].read_text(encoding="utf-8"), filename=str(MODULES[module]))


def _declared_all(tree: ast.Module) -> list[str]:
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and [ast.unparse(t) for t in node.targets] == ["__all__"]
            and isinstance(node.value, ast.List)
        ):
            return [ast.literal_eval(item) for item in node.value.elts]
    return []


def _imported_from(node: ast.ImportFrom, module: str) -> str:
    # The module an import names, a relative one resolved against the importing module.
    if not node.level:
        return node.module or ""
    parts = module.split(".") if module == PACKAGE else module.split(".")[:-1]
    base = parts[: len(parts) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def _private_imports(tree: ast.Module, module: str) -> tuple[list[tuple[int, str]], set[str]]:
    # Private names imported from the package's modules, and the names the imports bind
    # to a module of the package.
    found: list[tuple[int, str]] = []
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = _imported_from(node, module)
            if source != PACKAGE and not source.startswith(PACKAGE + "."):
                continue
            found += [
                (node.lineno, f"from {source} import {alias.name}")
                for alias in node.names
                if alias.name.startswith("_")
            ]
            bound |= {
                alias.asname or alias.name
                for alias in node.names
                if f"{source}.{alias.name}" in MODULES
            }
        elif isinstance(node, ast.Import):
            bound |= {
                alias.asname or alias.name
                for alias in node.names
                if alias.name == PACKAGE or alias.name.startswith(PACKAGE + ".")
            }
    return found, bound


def _crossings(tree: ast.Module, module: str) -> list[str]:
    """Every private name ``module`` takes from another module of the package.

    ``from cptm_rules.cohort.x import _name`` (or relatively, ``from .x import _name``),
    and ``x._name`` where ``x`` is another module of the package bound by an import.
    """
    found, bound = _private_imports(tree, module)
    found += [
        (node.lineno, f"{ast.unparse(node.value)}.{node.attr}")
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and (ast.unparse(node.value) in bound or ast.unparse(node.value) in MODULES)
    ]
    return [f"line {line}: {text}" for line, text in sorted(found)]


def test_the_check_finds_a_private_name_taken_either_way() -> None:
    source = (
        "from cptm_rules.cohort.tally import Tally, _Pending\n"
        "from .candidates import _REQUIRED\n"
        "from cptm_rules.cohort import workers as w\n"
        "import cptm_rules.cohort.answers\n"
        "from cptm_rules.files import _private_elsewhere\n"
        "w._worker_started(1, None)\n"
        "cptm_rules.cohort.answers._answered\n"
        "self._own\n"
    )
    assert _crossings(ast.parse(source), f"{PACKAGE}.diff") == [
        "line 1: from cptm_rules.cohort.tally import _Pending",
        "line 2: from cptm_rules.cohort.candidates import _REQUIRED",
        "line 6: w._worker_started",
        "line 7: cptm_rules.cohort.answers._answered",
    ]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_of_the_package_takes_a_private_name_from_another(module: str) -> None:
    assert _crossings(_tree(module), module) == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_what_a_module_takes_from_another_is_in_that_modules_all(module: str) -> None:
    for node in ast.walk(_tree(module)):
        if isinstance(node, ast.ImportFrom):
            source = _imported_from(node, module)
            if source in MODULES and source != module:
                listed = _declared_all(_tree(source))
                for alias in node.names:
                    assert alias.name in listed, f"{module}:{node.lineno}: {source}.{alias.name}"


def _has_docstring(tree: ast.Module, name: str) -> bool:
    for previous, node in zip(tree.body, [*tree.body[1:], None], strict=True):
        if isinstance(previous, ast.FunctionDef | ast.ClassDef) and previous.name == name:
            return ast.get_docstring(previous) is not None
        targets = (
            previous.targets
            if isinstance(previous, ast.Assign)
            else [previous.target]
            if isinstance(previous, ast.AnnAssign)
            else []
        )
        if any(ast.unparse(t) == name for t in targets):
            return (
                isinstance(node, ast.Expr)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            )
    return False


@pytest.mark.parametrize("module", sorted(set(MODULES) - {PACKAGE}))
def test_every_name_a_module_lists_is_defined_there_with_a_docstring(module: str) -> None:
    tree = _tree(module)
    listed = _declared_all(tree)
    assert listed, f"{module} has no __all__"
    assert [name for name in listed if not _has_docstring(tree, name)] == []
    loaded = importlib.import_module(module)
    for name in listed:
        value = getattr(loaded, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert value.__module__ == module, name  # defined there, not re-exported


_EXPORTED = [
    "CHUNK",
    "ID_TEXT",
    "MAX_ACCESS_MINUTES",
    "MAX_GROUP_SIZE",
    "MAX_ID_LENGTH",
    "MAX_LINE_CHARACTERS",
    "MAX_LIST_LENGTH",
    "MAX_SYNTHETIC",
    "PARALLEL_THRESHOLD",
    "Answer",
    "AnswerDiff",
    "AnswerRow",
    "Candidate",
    "Engine",
    "HeldSession",
    "PolicyDiff",
    "Replay",
    "Step",
    "answer_list",
    "answers_for",
    "diff_policies",
    "has_control_characters",
    "iter_cohort",
    "iter_synthetic_cohort",
    "load_cohort",
    "open_cohort",
    "replay",
    "synthetic_cohort",
]
"""What ``cptm_rules.cohort`` exported as one module, before it was a package."""


def test_the_package_exports_what_the_module_did_each_from_the_module_of_its_concept() -> None:
    assert cptm_rules.cohort.__all__ == _EXPORTED
    homes = {
        name: module
        for module in sorted(set(MODULES) - {PACKAGE})
        for name in _declared_all(_tree(module))
    }
    for name in [*_EXPORTED, "candidate_row"]:  # candidate_row was public, not in __all__
        home = importlib.import_module(homes[name])
        assert getattr(cptm_rules.cohort, name) is getattr(home, name), name


def test_importing_the_package_loads_neither_table_formats_nor_dask() -> None:
    tree = _tree(PACKAGE)
    sources = {_imported_from(n, PACKAGE) for n in tree.body if isinstance(n, ast.ImportFrom)}
    assert not sources & {f"{PACKAGE}.formats", f"{PACKAGE}.dask"}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("cptm_rules.cohort_formats", "cptm_rules.cohort.formats"),
        ("cptm_rules.dask_engine", "cptm_rules.cohort.dask"),
    ],
)
def test_an_old_module_name_warns_once_and_gives_the_new_modules_names(
    old: str, new: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(sys.modules, old, raising=False)  # imported afresh: it warns again
    with pytest.warns(DeprecationWarning, match=f"^{old} is now {new}$") as record:
        shim = importlib.import_module(old)
    assert [str(w.message) for w in record] == [f"{old} is now {new}"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert importlib.import_module(old) is shim  # imported already: no second warning
    moved = importlib.import_module(new)
    assert shim.__all__ == moved.__all__
    for name in moved.__all__:
        assert getattr(shim, name) is getattr(moved, name), name


def test_nothing_in_the_repository_imports_the_old_module_names() -> None:
    root = Path(__file__).resolve().parents[1]
    places = [
        path
        for folder in ("src", "tests", "benchmarks", "scripts", "docs")
        for path in sorted((root / folder).rglob("*"))
        if path.suffix in {".py", ".md", ".ipynb"} and path.name != Path(__file__).name
    ]
    for path in [*places, root / "README.md"]:
        text = path.read_text(encoding="utf-8")
        for old in ("cptm_rules.cohort_formats import", "cptm_rules.dask_engine import"):
            assert old not in text, f"{path.relative_to(root)} imports the old module"
        for old in ("import cptm_rules.cohort_formats", "import cptm_rules.dask_engine"):
            assert old not in text, f"{path.relative_to(root)} imports the old module"


def test_what_crosses_to_a_worker_pickles_by_its_new_module() -> None:
    # Functions and classes travel by module and name: a worker imports them from there.
    dask = importlib.import_module(f"{PACKAGE}.dask")
    crossing = (tally_chunk, workers._worker_began, workers._tally_here, dask._tally_rows)  # noqa: SLF001
    for function in crossing:
        assert pickle.loads(pickle.dumps(function)) is function  # noqa: S301  # our own bytes
        assert cloudpickle.loads(cloudpickle.dumps(function)) is function
    policy, prices = load_policy("current"), load_prices()
    sides = (load_policy("legacy"), policy, prices, prices)
    chunk = list(short_cohort(5, seed=3))
    tally = tally_chunk(chunk, sides, 2, keep_rows=True)
    for dumps, loads in ((pickle.dumps, pickle.loads), (cloudpickle.dumps, cloudpickle.loads)):
        assert loads(dumps(chunk)) == chunk
        back = loads(dumps(tally))
        assert type(back) is Tally
        assert back.rows == tally.rows
        diff = back.result(base="legacy", candidate="current")
        assert isinstance(diff, PolicyDiff)
        assert loads(dumps(diff)) == diff == tally.result(base="legacy", candidate="current")


@pytest.mark.parametrize(
    ("module", "name", "new"),
    [
        ("cptm_rules.cohort.candidates", "open_cohort", "cptm_rules.cohort.sources"),
        ("cptm_rules.cohort.candidates", "cohort_candidates", "cptm_rules.cohort.sources"),
        ("cptm_rules.rule_index", "collect_exercised", "cptm_rules.docs"),
    ],
)
def test_a_name_moved_to_another_module_warns_naming_its_new_home(
    module: str, name: str, new: str
) -> None:
    old = importlib.import_module(module)
    with pytest.warns(DeprecationWarning, match=f"^{module}.{name} is now {new}.{name}$") as seen:
        found = getattr(old, name)
    assert [w.filename for w in seen] == [__file__]  # the line that used the old name
    assert found is getattr(importlib.import_module(new), name)
    assert name in dir(old)
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        _ = old.no_such_name


def test_the_tally_module_still_gives_the_names_that_moved_to_counts() -> None:
    from cptm_rules.cohort import counts, tally  # noqa: PLC0415

    assert tally.Tally is counts.Tally
    assert tally.AnswerRow is counts.AnswerRow
    assert tally.rule_order is counts.rule_order
    assert "Tally" not in tally.__all__  # listed where it is defined


def test_a_tally_pickled_by_an_earlier_version_under_its_old_module_still_loads() -> None:
    # An earlier version pickled Tally and AnswerRow as cohort.tally's: such bytes (a
    # saved tally, a worker still on that version) load as the classes of cohort.counts.
    from cptm_rules.cohort import counts  # noqa: PLC0415

    earlier = Tally(examples=1, keep_rows=True)
    earlier.add("c1", {"change 1": ("free (R10)", ("R10",))}, {"change 1": ("fee (R10)", ("R10",))})
    old_bytes = pickle.dumps(earlier, protocol=2).replace(
        b"cptm_rules.cohort.counts\n", b"cptm_rules.cohort.tally\n"
    )
    assert b"cptm_rules.cohort.counts" not in old_bytes
    back = pickle.loads(old_bytes)  # noqa: S301  # our own bytes
    assert type(back) is counts.Tally
    assert back.rows is not None
    assert back.rows == earlier.rows
    assert type(back.rows[0]) is counts.AnswerRow
    assert back.result(base="a", candidate="b") == earlier.result(base="a", candidate="b")
