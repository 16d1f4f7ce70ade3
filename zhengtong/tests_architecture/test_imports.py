"""The import contract holds itself (zhengtong/tests_architecture/imports.py, docs/architecture.md)."""

import ast

from zhengtong.tests_architecture.imports import KNOWN, ROOT, allowed, cycles, imports, modules, violations

# Module groups that import each other (through imports inside functions); they only shrink.
KNOWN_CYCLES: set[frozenset[str]] = {
    frozenset({"zhengtong.permits.compliance", "zhengtong.permits.selectors"}),
}


def test_no_new_upward_import():
    new = violations(imports()) - KNOWN
    assert not new, "imports against the layers of docs/architecture.md:\n" + "\n".join(sorted(map(str, new)))


def test_the_list_of_known_violations_only_shrinks():
    fixed = KNOWN - violations(imports())
    assert not fixed, "no longer violated, strike from KNOWN:\n" + "\n".join(sorted(map(str, fixed)))


def test_no_new_import_cycle():
    found = cycles(imports())
    assert found - KNOWN_CYCLES == set(), sorted(map(sorted, found - KNOWN_CYCLES))
    assert KNOWN_CYCLES - found == set(), "cycle gone: strike it from KNOWN_CYCLES"


def test_a_deliberately_upward_import_fails_the_contract():
    upward = {
        ("zhengtong.core.errors", "zhengtong.registry.models"),  # core uses no app
        ("zhengtong.registry.models", "zhengtong.accounts.models"),  # the nouns sit below accounts
        ("zhengtong.accounts.scopes", "zhengtong.screening.selectors"),  # accounts imports no domain app
        ("zhengtong.screening.services", "zhengtong.dashboard.selectors"),  # nothing imports the top
        ("zhengtong.screening.services", "zhengtong.permits.models"),  # another domain app: its public modules only
        ("zhengtong.registry.services", "zhengtong.tests_support.factories"),  # product code never imports test helpers
    }
    assert violations(upward) == upward
    assert violations({("zhengtong.screening.services", "zhengtong.registry.services"),
                       ("zhengtong.permits.views", "zhengtong.screening.selectors"),
                       ("zhengtong.dashboard.selectors", "zhengtong.permits.selectors"),
                       ("zhengtong.permits.models", "zhengtong.accounts.models")}) == set()


def test_the_contract_sees_imports_inside_functions():
    assert allowed("zhengtong.screening.sync", "zhengtong.core.ids")
    edges = imports()
    # screening.services imports registry.codes inside a function: it is an edge all the same
    assert ("zhengtong.screening.services", "zhengtong.registry.codes") in edges


def test_no_app_imports_another_apps_private_names():
    found = []
    for module, path in modules().items():
        own = module.split(".")[1:2]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("zhengtong."):
                for alias in node.names:
                    if (node.module.split(".")[1:2] != own and alias.name.startswith("_")
                            and not alias.name.startswith("__")):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.module}.{alias.name}")
    assert found == []
