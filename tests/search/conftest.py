"""The engines the contract tests run on. Each entry builds a fresh, empty engine."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ged.search import EmbeddedEngine, SearchEngine

ENGINES: dict[str, Callable[[Path], SearchEngine]] = {
    "embedded": lambda tmp: EmbeddedEngine(tmp / "index"),
}


@pytest.fixture(params=sorted(ENGINES))
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> SearchEngine:
    return ENGINES[request.param](tmp_path)
