"""The short torture test: the daemon killed with SIGKILL again and again while files arrive."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.watch_torture import run_torture


@pytest.mark.slow
def test_sigkill_at_random_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    result = run_torture(files=30, min_kills=4, workdir=tmp_path / "torture", seed=7)
    assert result.kills >= 4
    assert (result.missing, result.duplicated, result.partial, result.unfiled) == (0, 0, 0, 0)
    assert sum(result.filed.values()) == result.dropped == 30
    assert result.stored == result.distinct and result.quarantined > 0 and result.filed["duplicates"] > 0
