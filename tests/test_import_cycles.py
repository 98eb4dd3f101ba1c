"""No import cycles among Triforce's modules, imports inside functions included.

Every ``import`` and ``from ... import`` anywhere in a module (at the top, inside a
function, under ``if TYPE_CHECKING``) is an edge from that module to the module it
names; a package's ``__init__`` is the package. The graph must have no cycle, and no
module may import a private (``_name``) name from another.
"""

from __future__ import annotations

import ast
from pathlib import Path

import triforce

ROOT = Path(triforce.__file__).parent


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The module a dotted name is, or the nearest module that holds it."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str, path: Path) -> list[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _resolve(alias.name)
                if target:
                    found.append((target, [], node.lineno))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in MODULES:  # a submodule
                    found.append((sub, [], node.lineno))
                else:
                    target = _resolve(base)
                    if target:
                        found.append((target, [alias.name], node.lineno))
    return found


def _graph() -> dict[str, dict[str, int]]:
    graph: dict[str, dict[str, int]] = {m: {} for m in MODULES}
    for module, path in MODULES.items():
        for target, _names, line in _imports(module, path):
            if target != module:
                graph[module].setdefault(target, line)
    return graph


def _cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_checker_sees_modules_and_imports():
    graph = _graph()
    assert len(MODULES) > 50
    assert "triforce.isa.table" in graph["triforce.isa.semantics"]


def test_no_import_cycles():
    graph = _graph()
    cycles = _cycles(graph)
    lines = []
    for comp in cycles:
        members = set(comp)
        edges = [f"{a} -> {b} (line {graph[a][b]})" for a in comp for b in graph[a] if b in members]
        lines.append("; ".join(edges))
    assert not cycles, "import cycles:\n" + "\n".join(lines)


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _module_aliases(tree: ast.AST) -> dict[str, str]:
    """Local names bound to Triforce modules (``from triforce.llm import http``)."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                if sub in MODULES:
                    out[alias.asname or alias.name] = sub
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname and alias.name in MODULES:
                    out[alias.asname] = alias.name
    return out


def test_no_private_names_used_across_modules():
    """No ``from m import _name`` and no ``m._name`` on another Triforce module."""
    bad = []
    for module, path in MODULES.items():
        where = path.relative_to(ROOT.parent)
        for target, names, line in _imports(module, path):
            for name in names:
                if _private(name) and target != module:
                    bad.append(f"{where}:{line}: {name} from {target}")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = _module_aliases(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id in aliases and _private(node.attr):
                bad.append(f"{where}:{node.lineno}: {node.value.id}.{node.attr}")
    assert not bad, "\n".join(bad)
