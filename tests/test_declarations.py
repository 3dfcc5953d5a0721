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
        # Importing a submodule first loads its package, unless the importer is inside
        # that package (then the package is already being loaded, by design).
        parents = {m.rsplit(".", 1)[0] for m in edges if "." in m.removeprefix("cptm_rules.")}
        edges |= {p for p in parents if not name.startswith(f"{p}.")}
        graph[name] = edges - {name, "cptm_rules"}
    return graph


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


def _left_out(tree: ast.Module) -> set[int]:
    """The nodes of type-only imports and of a module's ``__getattr__`` for moved names."""
    skipped: set[int] = set()
    for node in tree.body:
        if (isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)) or (
            isinstance(node, ast.FunctionDef) and node.name == "__getattr__"
        ):
            skipped.update(id(inner) for inner in ast.walk(node))
    return skipped


def _imported_at_run_time(path: Path) -> set[tuple[str, str]]:
    """Every package module ``path`` imports, in a function too, with the function's name.

    Left out: type-only imports (under ``TYPE_CHECKING``) and the module-level
    ``__getattr__`` that finds a name moved elsewhere (it warns, and goes with the name).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _left_out(tree)
    found: set[tuple[str, str]] = set()

    def visit(node: ast.AST, where: str) -> None:
        if id(node) in skipped:
            return
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            where = node.name if where == "<module>" else f"{where}.{node.name}"
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("cptm_rules"):
                found.add((node.module, where))
                found.update((f"{node.module}.{alias.name}", where) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update((a.name, where) for a in node.names if a.name.startswith("cptm_rules"))
        for child in ast.iter_child_nodes(node):
            visit(child, where)

    visit(tree, "<module>")
    return found


# The one import the package makes upward, and why: a Rule made by hand (not one of the
# catalogue's, which are given the shipped figures' loader) that is asked for its
# statement with no policy loads the shipped figures through the catalogue, as it
# always did. The families and everything the catalogue imports sit below it.
_UPWARD: Final = {("cptm_rules.declarations", "cptm_rules.catalogue", "Rule.chosen")}


def _run_time_graph() -> tuple[dict[str, set[str]], set[tuple[str, str, str]]]:
    modules = {_module_name(p): p for p in (SRC / "cptm_rules").rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    upward: set[tuple[str, str, str]] = set()
    for name, path in modules.items():
        for imported, where in _imported_at_run_time(path):
            if imported not in modules or imported in {name, "cptm_rules"}:
                continue
            if (name, imported, where) in _UPWARD:
                upward.add((name, imported, where))
                continue
            graph[name].add(imported)
    return graph, upward


def test_no_module_imports_in_a_cycle_even_from_inside_a_function() -> None:
    # A function-level import runs too: counted here, it may not close a cycle either.
    graph, upward = _run_time_graph()
    assert _a_cycle(graph) is None
    assert upward == _UPWARD  # the one upward import is still where this test says
    assert "cptm_rules.catalogue" in graph["cptm_rules.rule_coverage"]
    assert not {m for m in graph["cptm_rules.policy"] if m.startswith("cptm_rules.catalogue")}


def test_the_run_time_import_reader_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "planted.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from cptm_rules.policy import Policy\n"
        "class Rule:\n    def chosen(self):\n        from cptm_rules.catalogue import RULES\n"
        "def __getattr__(name):\n    from cptm_rules.docs import collect_exercised\n",
        encoding="utf-8",
    )
    assert _imported_at_run_time(module) == {
        ("cptm_rules.catalogue", "Rule.chosen"),
        ("cptm_rules.catalogue.RULES", "Rule.chosen"),
    }


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
