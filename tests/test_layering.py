"""The architecture as a test: data flows corpus -> models -> analysis, scripts only wire, no import cycle."""
from __future__ import annotations

import ast
from pathlib import Path

LAYERS = {"corpus": 0, "models": 1, "analysis": 1, "scripts": 2}
"""A package may import packages of a lower layer only; models and analysis are siblings that never import each other."""


def _module_graph(repo_root: Path) -> dict[str, set[str]]:
    """Module name (``hkasean.models.lda``) -> the suite modules it imports at module level."""
    files = {}
    for folder in (*LAYERS, "hkasean"):
        for path in (repo_root / folder).rglob("*.py"):
            parts = [p for p in path.relative_to(repo_root / folder).with_suffix("").parts if p != "__init__"]
            prefix = "hkasean" if folder == "hkasean" else f"hkasean.{folder}"
            files[".".join([prefix, *parts])] = path
    graph = {}
    for name, path in files.items():
        imported = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("hkasean"):
                imported |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in files else node.module for a in node.names}
            elif isinstance(node, ast.Import):
                imported |= {a.name for a in node.names if a.name.startswith("hkasean")}
        graph[name] = {m for m in imported if m in files and m != name}
    return graph


def _package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def test_no_package_imports_a_higher_layer_or_a_sibling(repo_root):
    graph = _module_graph(repo_root)
    wrong = []
    for module, imports in graph.items():
        source = _package(module)
        for target in imports:
            destination = _package(target)
            if source and destination and source != destination and LAYERS[destination] >= LAYERS[source]:
                wrong.append(f"{module} imports {target}")
    assert not wrong, wrong


def test_no_import_cycle(repo_root):
    graph = _module_graph(repo_root)
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> list[str] | None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                return path + [module, target]
            if target not in state and (cycle := visit(target, path + [module])):
                return cycle
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state:
            assert (cycle := visit(module, [])) is None, " -> ".join(cycle)


def test_the_contract_and_integrity_modules_import_nothing_of_the_suite(repo_root):
    graph = _module_graph(repo_root)
    assert graph["hkasean.contract"] == set() and graph["hkasean.integrity"] == set()
