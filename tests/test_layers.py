"""The house rules of the import graph: the library (kg) never imports the server, and no module-level import circle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("kg", "server")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, *, module_level_only: bool) -> set[str]:
    """The project modules ``path`` imports (``from a.b import c`` counts as a.b.c when that is a module, else a.b)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    nodes = tree.body if module_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in MODULES else node.module)
    return {name for name in found if name.split(".")[0] in PACKAGES}


MODULES = {_module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))}


@pytest.mark.parametrize("name", sorted(name for name in MODULES if name.split(".")[0] == "kg"))
def test_the_library_never_imports_the_server(name: str) -> None:
    assert not {n for n in _imports(MODULES[name], module_level_only=False) if n.split(".")[0] == "server"}


def test_no_module_level_import_circle() -> None:
    graph = {name: {n for n in _imports(path, module_level_only=True) if n in MODULES and n != name}
             for name, path in MODULES.items()}
    state: dict[str, int] = {}  # 1 on the path being walked, 2 done
    circles: list[list[str]] = []

    def walk(name: str, path: list[str]) -> None:
        state[name] = 1
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                circles.append(path[path.index(target):] + [target] if target in path else [name, target])
            elif target not in state:
                walk(target, path + [target])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            walk(name, [name])
    assert not circles
