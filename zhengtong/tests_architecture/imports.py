"""The import contract, as DESIGN.md draws it, by module:

    core  <  registry.models  <  accounts  <  the rest of registry and every domain app  <  dashboard, api

A module may import its own layer and the layers below it. Within the domain layer an app imports
its own modules, anything of registry (the shared nouns: registry is not a domain app), and of
another domain app only its public surface for other apps: ``selectors`` (reads), ``services``
(the writes it offers) and ``ports`` (the interfaces it declares for higher apps to register
with). Tests, test helpers and the project's entry points (urls, wsgi, cli) are not bound.
Imports inside functions count as much as those at the top of a file: hiding an import in a
function does not make it less of a dependency.

``KNOWN`` lists the violations there were when the contract was drawn; it only shrinks: a new
violation fails the build, and so does a listed one that is gone (strike it from the list)."""

import ast
from collections.abc import Iterable
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
ROOT = PACKAGE.parent

CORE, NOUNS, ACCOUNTS, DOMAIN, TOP = range(5)
UNBOUND = None
PUBLIC_TO_OTHER_APPS = {"selectors", "services", "ports"}
PROJECT_BASE = {"settings", "settings_test", "settings_bench", "middleware", "i18n_compile"}  # may import only core
ENTRY_POINTS = {"urls", "wsgi", "asgi", "cli", "conftest"}  # tests_* (tests_support too) are tests

# (importing module, imported module): today's violations; strike them as they are fixed.
KNOWN: set[tuple[str, str]] = set()


def layer(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "zhengtong":
        return UNBOUND
    app = parts[1]
    if "tests" in parts or app.startswith("tests_") or app in ENTRY_POINTS:
        return UNBOUND
    if app == "core" or app in PROJECT_BASE:
        return CORE
    if app == "registry" and parts[2:3] == ["models"]:
        return NOUNS
    if app == "accounts":
        return ACCOUNTS
    if app in ("dashboard", "api"):
        return TOP
    return DOMAIN


def allowed(source: str, target: str) -> bool:
    """Whether ``source`` may import ``target`` (both dotted module names)."""
    low, high = layer(target), layer(source)
    if high is UNBOUND:
        return True
    if low is UNBOUND:
        return False  # a product module never imports tests or entry points
    if low < high:
        return True
    if low > high:
        return False
    source_app, target_app = source.split(".")[1], target.split(".")[1]
    if high != DOMAIN or source_app == target_app or target_app == "registry":
        return True
    parts = target.split(".")
    return len(parts) > 2 and parts[2] in PUBLIC_TO_OTHER_APPS


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "migrations" in parts:
            continue
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports() -> set[tuple[str, str]]:
    """Every (importer, imported module) pair of the project, imports inside functions included."""
    known = modules()
    edges = set()
    for source, path in known.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: resolve against the importing package
                    package = source.split(".")[: len(source.split(".")) - node.level + (1 if is_package else 0)]
                    base = ".".join(package + ([base] if base else []))
                for alias in node.names:
                    candidate = f"{base}.{alias.name}"
                    targets.append(candidate if candidate in known else base)
            for target in targets:
                if target.startswith("zhengtong") and target != source and target in known:
                    edges.add((source, target))
    return edges


def violations(edges: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    return {(s, t) for s, t in edges if not allowed(s, t)}


def cycles(edges: Iterable[tuple[str, str]]) -> set[frozenset[str]]:
    """The groups of modules that import each other, directly or around a loop (Tarjan's strongly
    connected components of more than one module)."""
    graph: dict[str, set[str]] = {}
    for s, t in edges:
        graph.setdefault(s, set()).add(t)
        graph.setdefault(t, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[frozenset[str]] = set()

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                found.add(frozenset(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found
