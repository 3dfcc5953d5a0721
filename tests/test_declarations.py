"""The declarations module and the package's import graph: no module imports in a cycle."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Final

from cptm_rules import catalogue, declarations
from cptm_rules.rules import FAMILIES

SRC = Path(__file__).resolve().parents[1] / "src"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_at_load(path: Path) -> set[str]:
    """The package modules ``path`` imports on load (not in a function or TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("cptm_rules"):
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("cptm_rules"))
    return found


def _load_graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in (SRC / "cptm_rules").rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges = {m for m in _imported_at_load(path) if m in modules and m != name}
        graph[name] = (edges | _packages_loaded(name, edges)) - {name, "cptm_rules"}
    return graph


def _packages_loaded(importer: str, imported: set[str]) -> set[str]:
    """The packages whose ``__init__`` importing ``imported`` runs first.

    Not the importer's own package: that one is already being loaded, by design.
    """
    parents = {m.rsplit(".", 1)[0] for m in imported if "." in m.removeprefix("cptm_rules.")}
    return {p for p in parents if not importer.startswith(f"{p}.")}


def _a_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    done: set[str] = set()
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        if name in path:
            return [*path[path.index(name) :], name]
        if name in done:
            return None
        path.append(name)
        for edge in sorted(graph.get(name, ())):
            cycle = visit(edge)
            if cycle is not None:
                return cycle
        path.pop()
        done.add(name)
        return None

    for name in sorted(graph):
        cycle = visit(name)
        if cycle is not None:
            return cycle
    return None


def test_no_module_of_the_package_imports_in_a_cycle_at_load_time() -> None:
    graph = _load_graph()
    assert graph["cptm_rules.catalogue"] >= {"cptm_rules.rules", "cptm_rules.declarations"}
    assert _a_cycle(graph) is None


def _is_type_checking(test: ast.expr) -> bool:
    return ast.unparse(test) in {"TYPE_CHECKING", "typing.TYPE_CHECKING"}


def _left_out(tree: ast.Module) -> set[int]:
    """The nodes of type-only imports and of a module's ``__getattr__`` for moved names.

    Type-only: the body of ``if TYPE_CHECKING:`` (its ``else`` runs, and is read).
    """
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            skipped.update(id(inner) for part in node.body for inner in ast.walk(part))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "__getattr__":
            skipped.update(id(inner) for inner in ast.walk(node))
    return skipped


def _imports_of(node: ast.AST, module: str, *, package: bool) -> set[str]:
    """The modules ``node`` imports, if it is an import: relative ones resolved, and a
    call of ``importlib.import_module`` or ``__import__`` with a module name written out."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    if isinstance(node, ast.ImportFrom):
        if node.level:
            parts = module.split(".") if package else module.split(".")[:-1]
            parts = parts[: len(parts) - node.level + 1]
            base = ".".join([*parts, node.module] if node.module else parts)
        else:
            base = node.module or ""
        return {base} | {f"{base}.{alias.name}" for alias in node.names}
    if (
        isinstance(node, ast.Call)
        and ast.unparse(node.func) in {"importlib.import_module", "import_module", "__import__"}
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return {node.args[0].value}
    return set()


def _imported_at_run_time(path: Path, module: str | None = None) -> set[tuple[str, str]]:
    """Every package module ``path`` (module ``module``) imports, with the function's name.

    Imports in functions and class bodies count, relative ones resolved. Left out:
    type-only imports (under ``TYPE_CHECKING``) and the module-level ``__getattr__``
    that finds a name moved elsewhere (it warns, and goes with the name).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _left_out(tree)
    module = _module_name(path) if module is None else module
    package = path.name == "__init__.py"
    found: set[tuple[str, str]] = set()

    def visit(node: ast.AST, where: str) -> None:
        if id(node) in skipped:
            return
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            where = node.name if where == "<module>" else f"{where}.{node.name}"
        imported = _imports_of(node, module, package=package)
        found.update((name, where) for name in imported if name.startswith("cptm_rules"))
        for child in ast.iter_child_nodes(node):
            visit(child, where)

    visit(tree, "<module>")
    return found


_PACKAGE: Final = "<loading the package>"

# The imports that go upward, each on purpose (docs/design.md, "Layers"):
# - a Rule made by hand (not one of the catalogue's, which are given the shipped
#   figures' loader) asked for its statement with no policy loads the shipped figures
#   through the catalogue, as it always did; the families and everything the catalogue
#   imports sit below it;
# - batch reads cohort tables through three of the cohort package's lower modules
#   (candidates, answers, formats), and Python loads the package's __init__ first, which
#   re-exports the diff; the diff loads its batch engine (cohort.batched, which runs
#   batch) only when a diff asks for it.
_UPWARD: Final = {
    ("cptm_rules.declarations", "cptm_rules.catalogue", "Rule.chosen"),
    ("cptm_rules.batch", "cptm_rules.cohort", _PACKAGE),
}


def _run_time_graph() -> tuple[dict[str, set[str]], set[tuple[str, str, str]]]:
    modules = {_module_name(p): p for p in (SRC / "cptm_rules").rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    upward: set[tuple[str, str, str]] = set()
    for name, path in modules.items():
        found = _imported_at_run_time(path)
        packages = _packages_loaded(name, {m for m, _ in found if m in modules})
        for imported, where in found | {(p, _PACKAGE) for p in packages}:
            if imported not in modules or imported in {name, "cptm_rules"}:
                continue
            if (name, imported, where) in _UPWARD:
                upward.add((name, imported, where))
                continue
            graph[name].add(imported)
    return graph, upward


def test_no_module_imports_in_a_cycle_even_from_inside_a_function() -> None:
    # A function-level import runs too: counted here, it may not close a cycle either;
    # nor may the package __init__ that importing a module of a package runs first.
    graph, upward = _run_time_graph()
    assert _a_cycle(graph) is None
    assert upward == _UPWARD  # the upward imports are still where this test says
    assert "cptm_rules.catalogue" in graph["cptm_rules.rule_coverage"]
    assert not {m for m in graph["cptm_rules.policy"] if m.startswith("cptm_rules.catalogue")}


def test_the_run_time_import_reader_sees_every_way_of_importing(tmp_path: Path) -> None:
    module = tmp_path / "planted.py"
    module.write_text(
        "import importlib\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from cptm_rules.figures import Deadline\n"
        "else:\n    from cptm_rules.money import Money\n"
        "import cptm_rules.calendar as cal\n"
        "class Rule:\n    from cptm_rules.events import Event\n"
        "    def chosen(self):\n        from . import catalogue\n"
        "        def inner():\n            from ..cptm_rules import files\n"
        "def load():\n    return importlib.import_module('cptm_rules.cohort.dask')\n"
        "def __getattr__(name):\n    from cptm_rules.docs import collect_exercised\n",
        encoding="utf-8",
    )
    found = _imported_at_run_time(module, "cptm_rules.policy")
    assert {name for name, _ in found} == {
        "cptm_rules.money",
        "cptm_rules.money.Money",
        "cptm_rules.calendar",
        "cptm_rules.events",
        "cptm_rules.events.Event",
        "cptm_rules",
        "cptm_rules.catalogue",
        "cptm_rules.files",  # two levels up from cptm_rules.policy, then cptm_rules
        "cptm_rules.cohort.dask",
    }
    assert ("cptm_rules.catalogue", "Rule.chosen") in found
    assert ("cptm_rules.files", "Rule.chosen.inner") in found
    assert ("cptm_rules.cohort.dask", "load") in found


def test_the_cycle_finder_finds_a_planted_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert _a_cycle(graph) == ["a", "b", "c", "a"]


def test_no_family_imports_the_catalogue_and_the_declarations_import_no_family() -> None:
    graph = _load_graph()
    for family in FAMILIES:
        assert "cptm_rules.catalogue" not in graph[family.__name__], family.__name__
    assert not {m for m in graph["cptm_rules.declarations"] if m.startswith("cptm_rules.rules")}


def test_the_catalogue_still_exports_what_a_declaration_is_made_of() -> None:
    for name in ("Rule", "RuleKind", "Citation", "Document", "FaqQuestion", "faq", "terms"):
        assert getattr(catalogue, name) is getattr(declarations, name)


def test_an_ordinal_reads_as_in_the_explanations() -> None:
    assert [declarations.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 30, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "30th", "111th",
    ]  # fmt: skip
