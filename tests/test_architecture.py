"""The shape of the code, checked over its import graph: a thin web layer over the library.

Every ``import`` and ``from … import`` in ``app/`` and ``src/assetmap/`` is read with :mod:`ast`,
wherever it stands (module level, inside a function, under ``if TYPE_CHECKING``), so an import
moved into a function to hide a loop still counts. The checks: the web layer leaves numerical
and geometric work to the library; the library reaches the web layer only through the one
command that serves it; no modules import each other round in a circle.
"""
from __future__ import annotations

import ast
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
ROOTS = {"app": PROJECT / "app", "assetmap": PROJECT / "src" / "assetmap"}
HEAVY = {"numpy", "pandas", "scipy", "shapely", "pyproj", "geopandas"}
WEB_FRAMEWORK = {"flask", "flask_login", "werkzeug", "jinja2", "markupsafe"}
# the library's ways into the web layer: none (`assetmap serve` comes from the web app through the
# `assetmap.commands` entry point, see assetmap.cli._add_plugin_commands)
LIBRARY_TO_WEB: set[tuple[str, str, str]] = set()


def _modules() -> dict[str, Path]:
    out = {}
    for top, root in ROOTS.items():
        for path in root.rglob("*.py"):
            parts = [top, *path.relative_to(root).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


MODULES = _modules()


def _enclosing_functions(tree: ast.AST) -> dict[ast.AST, str]:
    """Each import node -> the name of the function it is in ('' at module level)."""
    where: dict[ast.AST, str] = {}

    def visit(node: ast.AST, func: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else func
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                where[child] = func
            visit(child, name)

    visit(tree, "")
    return where


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if MODULES[module].name == "__init__.py" else module.split(".")[:-1]
    base = package[:len(package) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def imports(module: str) -> list[tuple[str, str]]:
    """(imported module, enclosing function) for every import in ``module``: an internal module
    when the name is one (``from . import x`` -> ``pkg.x``), else the imported name as written."""
    tree = ast.parse(MODULES[module].read_text(), filename=str(MODULES[module]))
    out = []
    for node, func in _enclosing_functions(tree).items():
        if isinstance(node, ast.Import):
            out += [(alias.name, func) for alias in node.names]
            continue
        target = _resolve(module, node)
        for alias in node.names:
            sub = f"{target}.{alias.name}"
            out.append((sub if sub in MODULES else target, func))
    return out


def _internal(name: str) -> str | None:
    """The known module ``name`` is, or is inside (``app.state.x`` -> ``app.state``), if any."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def graph(top: str) -> dict[str, set[str]]:
    """Import edges among the modules of one top-level package (``app`` or ``assetmap``)."""
    edges: dict[str, set[str]] = {m: set() for m in MODULES if m.split(".")[0] == top}
    for m in edges:
        for name, _ in imports(m):
            target = _internal(name)
            if target in edges and target != m:
                edges[m].add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            connect(v)
    return found


def test_the_checker_sees_function_level_imports_and_cycles():
    assert ("assetmap.registry.publish", "_refresh") in imports("assetmap.cli")
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_web_layer_does_no_numerical_or_geometric_work():
    found = sorted((m, name) for m in MODULES if m.split(".")[0] == "app"
                   for name, _ in imports(m) if name.split(".")[0] in HEAVY)
    assert found == [], f"web modules importing {', '.join(sorted(HEAVY))}: move the work into assetmap.serving"


def test_what_the_pages_serve_is_computed_without_the_web_framework():
    found = sorted((m, name) for m in MODULES if m.startswith("assetmap.serving")
                   for name, _ in imports(m) if name.split(".")[0] in WEB_FRAMEWORK)
    assert found == []


def test_the_library_never_imports_the_web_layer():
    found = sorted((m, func, name) for m in MODULES if m.split(".")[0] == "assetmap"
                   for name, func in imports(m) if name.split(".")[0] == "app")
    assert set(found) <= LIBRARY_TO_WEB, f"library modules importing the web layer: {found}"
    assert all(func for _, func, _ in found), "the serve command imports the web layer inside its function only"


def test_no_import_cycles_among_web_modules():
    assert cycles(graph("app")) == []


def test_no_import_cycles_among_library_modules():
    assert cycles(graph("assetmap")) == []
