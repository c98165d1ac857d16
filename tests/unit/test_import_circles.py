"""No two supporttray modules import each other, directly or around a circle.

Lazy imports (inside a function) count too: they only hide a circle until the day someone
moves one to the top of its file, and an entry point importing another entry point back
(cli <-> demo once did, for the logging setup) is a sign a shared piece wants its own home.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "supporttray"


def module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: Path) -> dict[str, set[str]]:
    """Each module of `package` -> the modules of `package` it imports (at any depth)."""
    modules = {module_name(p, package): p for p in package.rglob("*.py")}

    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(filter(None, (known(alias.name) for alias in node.names)))
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from package import module` imports the module, not only the package.
                for alias in node.names:
                    targets.add(known(f"{node.module}.{alias.name}") or known(node.module) or "")
        graph[name] = {t for t in targets if t and t != name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every group of modules that import each other around a circle (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_supporttray_modules_import_each_other_in_a_circle() -> None:
    assert circles(import_graph(PACKAGE)) == []


def test_the_circle_check_itself_finds_a_lazy_circle(tmp_path: Path) -> None:
    # Given two modules that import each other, one of them only inside a function
    package = tmp_path / "supporttray"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from supporttray import b\n")
    (package / "b.py").write_text("def f():\n    from supporttray.a import x\n")
    # Then the check reports them
    graph = import_graph(package)
    assert circles(graph) == [["supporttray.a", "supporttray.b"]]
