"""The declarations module and the package's import graph: no module imports in a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

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
