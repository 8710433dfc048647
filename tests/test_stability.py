"""When a dropped file counts as complete; an injected clock, no sleeping."""

from __future__ import annotations

from pathlib import Path

import pytest

from robots.stability import StabilityTracker


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_a_file_is_ready_once_quiet_for_the_settle_delay(tmp_path: Path, clock: FakeClock) -> None:
    tracker = StabilityTracker(5.0, clock)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.7 first half")
    tracker.track(scan)
    clock.now += 4.9
    assert tracker.stable() == []
    clock.now += 0.2
    assert tracker.stable() == [scan]


def test_a_growing_file_restarts_its_quiet_period(tmp_path: Path, clock: FakeClock) -> None:
    tracker = StabilityTracker(5.0, clock)
    scan = tmp_path / "scan.tif"
    scan.write_bytes(b"II*\x00" + b"a" * 100)
    tracker.track(scan)
    clock.now += 4.0
    with scan.open("ab") as stream:
        stream.write(b"b" * 100)  # the scanner is still writing
    assert tracker.stable() == []
    clock.now += 4.0
    assert tracker.stable() == []
    clock.now += 1.5
    assert tracker.stable() == [scan]


def test_vanished_files_are_forgotten(tmp_path: Path, clock: FakeClock) -> None:
    tracker = StabilityTracker(0.0, clock)
    scan = tmp_path / "a.png"
    scan.write_bytes(b"x")
    tracker.track(scan)
    scan.unlink()
    assert tracker.stable() == [] and len(tracker) == 0


def test_forget_and_order(tmp_path: Path, clock: FakeClock) -> None:
    tracker = StabilityTracker(0.0, clock)
    for name in ("b.pdf", "a.pdf", "c.pdf"):
        (tmp_path / name).write_bytes(name.encode())
        tracker.track(tmp_path / name)
    tracker.forget(tmp_path / "c.pdf")
    assert [p.name for p in tracker.stable()] == ["a.pdf", "b.pdf"]
