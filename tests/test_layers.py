"""The dependency direction of docs/architecture.md, read from every import in the code (those inside
functions and relative ones included): leaves import third parties only; the core never
imports its drivers, nor the services drivers call; drivers reach the core through its services and
the few value types those take and return."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LEAVES = ("ocr", "classifiers", "archivage")
DRIVERS = ("cli", "robots", "web")
DRIVERS_MAY_USE = ("ged.services", "ged.errors", "ged.context", "ged.settings", "ged.states", "ged.clock",
                   "ged.labels", "ged.search")
"""What drivers take from the core: its services, and the errors, settings, states and values they speak in."""


def _imports(package: str) -> Iterator[tuple[str, str]]:
    """(module file, absolute name imported) for every import under ``package``."""
    for path in sorted((ROOT / package).rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield str(path.relative_to(ROOT)), alias.name
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    anchor = base[:len(base) - node.level + 1]
                    name = ".".join(anchor + ([node.module] if node.module else []))
                else:
                    name = node.module or ""
                # ``from ged import labels`` imports the module ``ged.labels``
                yield str(path.relative_to(ROOT)), name
                for alias in node.names:
                    yield str(path.relative_to(ROOT)), f"{name}.{alias.name}"


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


@pytest.mark.parametrize("leaf", LEAVES)
def test_leaves_import_only_themselves_and_third_parties(leaf: str) -> None:
    others = tuple(other for other in ("ged", *DRIVERS, *LEAVES) if other != leaf)
    assert [(where, name) for where, name in _imports(leaf) if _within(name, others)] == []


def test_the_core_never_imports_drivers_nor_the_services_they_call() -> None:
    wrong = [(where, name) for where, name in _imports("ged")
             if _within(name, DRIVERS) or (_within(name, ("ged.services",)) and not where.startswith("ged/services/"))]
    assert wrong == []


@pytest.mark.parametrize("driver", DRIVERS)
def test_drivers_reach_the_core_through_its_services(driver: str) -> None:
    wrong = [(where, name) for where, name in _imports(driver)
             if (_within(name, ("ged",)) and name != "ged" and not _within(name, DRIVERS_MAY_USE))
             or _within(name, LEAVES)]
    assert wrong == []
