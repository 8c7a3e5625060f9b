"""Not a SPEC rule: the code's shape. The architecture holds: the import contracts in pyproject.toml are kept,
and no import circle joins the project's modules (ARCHITECTURE.md, "who may import whom"; issue 11).

The graph is grimp's, built from the source: every ``import`` counts, at module level or inside a
function, so an import moved into a function to hide a circle is still found.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grimp
import pytest
from importlinter import api as importlinter_api
from importlinter import cli as importlinter_cli
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
PACKAGES = ("config", "marketplace", "arbitration")

# Import circles tolerated for now, each the set of its modules, with why and who removes it.
# Empty: the last one (arbitration.models <-> arbitration.solicitation) is gone. A listed circle
# must still exist (``test_the_allowed_circles_still_exist``), so the list only ever shrinks.
ALLOWED_CIRCLES: list[frozenset[str]] = []


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def _circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every group of modules that import each other in a circle (Tarjan's strongly connected
    components, iterative), each sorted; a module importing itself counts too."""
    successors = {module: sorted(graph.find_modules_directly_imported_by(module)) for module in graph.modules}
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in sorted(successors):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(successors[start]))]
        index[start] = lowlink[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            module, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = lowlink[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(successors[child])))
                elif child in on_stack:
                    lowlink[module] = min(lowlink[module], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                lowlink[parent] = min(lowlink[parent], lowlink[module])
            if lowlink[module] == index[module]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == module:
                        break
                if len(group) > 1 or module in successors[module]:
                    groups.append(sorted(group))
    return groups


def _describe(graph: grimp.ImportGraph, group: list[str]) -> str:
    members = set(group)
    lines = [" <-> ".join(group)]
    for importer in group:
        for imported in sorted(graph.find_modules_directly_imported_by(importer) & members):
            for detail in graph.get_import_details(importer=importer, imported=imported):
                lines.append(
                    f"    {importer} -> {imported} (l.{detail['line_number']}: {detail['line_contents']})"
                )
    return "\n".join(lines)


def test_no_import_circle_between_the_projects_modules(graph):
    circles = [group for group in _circles(graph) if frozenset(group) not in ALLOWED_CIRCLES]
    assert not circles, "Import circles (move the shared piece down, or queue by task name):\n" + "\n".join(
        _describe(graph, group) for group in circles
    )


def test_the_allowed_circles_still_exist(graph):
    """An allowed circle that is gone is taken off ALLOWED_CIRCLES, so the list only shrinks."""
    found = {frozenset(group) for group in _circles(graph)}
    stale = [sorted(circle) for circle in ALLOWED_CIRCLES if circle not in found]
    assert not stale, f"These circles are gone; remove them from ALLOWED_CIRCLES: {stale}"


def test_the_circle_finder_sees_a_circle_hidden_in_a_function(tmp_path, monkeypatch):
    """The check can fail: a circle closed by an import inside a function is reported."""
    package = tmp_path / "shop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text("from shop import rules\n")
    (package / "rules.py").write_text("def check():\n    from shop.models import Order\n")
    (package / "views.py").write_text("from shop import models\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = grimp.build_graph("shop", cache_dir=None)
    assert _circles(graph) == [["shop.models", "shop.rules"]]
    assert "shop.rules -> shop.models (l.2: from shop.models import Order)" in _describe(
        graph, ["shop.models", "shop.rules"]
    )


def test_the_import_contracts_are_kept(capsys):
    """marketplace never imports arbitration; neither app imports config; entry points >
    presentation > services > selectors > models; presentation never imports services."""
    exit_code = importlinter_cli.lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True)
    report = capsys.readouterr().out
    assert exit_code == 0, report


# --- The contracts bite: one forbidden import each, on today's graph or the final layout's ------

CONTRACT_TYPES: dict[str, type[Any]] = {"forbidden": ForbiddenContract, "layers": LayersContract}


def _contract(contract_id: str) -> Any:
    configuration = importlinter_api.read_configuration(str(PYPROJECT))
    (options,) = [c for c in configuration["contracts_options"] if c.get("id") == contract_id]
    return CONTRACT_TYPES[options["type"]](
        name=options["name"], session_options=configuration["session_options"], contract_options=options
    )


@pytest.mark.parametrize(
    ("contract_id", "importer", "imported"),
    [
        ("one-direction", "marketplace.selectors", "arbitration.models"),
        ("config-on-top", "marketplace.models.orders", "config.settings"),
        ("layers", "arbitration.models.dispute", "arbitration.services"),
        ("layers", "marketplace.models.refunds", "marketplace.selectors"),
        ("layers", "arbitration.selectors", "arbitration.tasks"),
        ("layers", "marketplace.services.refunds", "marketplace.admin"),
        ("layers", "arbitration.services.disputes", "arbitration.evidence.forms"),
        ("layers", "arbitration.services.returns", "marketplace.presentation"),
        # An indirect chain through a free helper: services -> notifications -> tasks.
        ("layers", "marketplace.notifications", "marketplace.tasks"),
        # Modules of the final layout, not written yet: the optional layers check them once they exist.
        ("layers", "arbitration.services.disputes", "arbitration.web.views"),
        ("layers", "marketplace.selectors", "marketplace.backoffice.refunds"),
        ("layers", "arbitration.models.case", "arbitration.api.disputes"),
        ("presentation-reads", "arbitration.presentation.actions", "arbitration.services"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(graph, contract_id, importer, imported):
    contract = _contract(contract_id)
    assert contract.check(graph, verbose=False).kept, "the contract must hold before the change"
    changed = copy.deepcopy(graph)
    parts = imported.split(".")
    for depth in range(2, len(parts)):  # a module to come arrives with its package
        if (package := ".".join(parts[:depth])) not in changed.modules:
            changed.add_module(package)
    changed.add_import(
        importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}"
    )
    assert not contract.check(changed, verbose=False).kept


RULE_ID = re.compile(r"R[-_][A-Z]{3}[-_]\d+")


def test_every_test_module_names_the_rules_it_proves():
    """The naming convention (ARCHITECTURE.md, "Tests"): a test names its rule as ``R-DSP-3`` in
    its docstring or ``R_DSP_3`` in its name, so a newcomer finds a rule's proofs with one grep; a
    module that proves no SPEC rule says so in its docstring ("Not a SPEC rule: …")."""
    tests_dir = Path(__file__).parent
    unnamed = [
        str(path.relative_to(tests_dir))
        for path in sorted(tests_dir.rglob("test_*.py"))
        if path != Path(__file__)
        and not RULE_ID.search(text := path.read_text())
        and "Not a SPEC rule:" not in text
    ]
    assert unnamed == []
