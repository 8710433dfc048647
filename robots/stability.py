"""When is a dropped file complete? When its size and modification time have stopped changing.

Scanners and SMB copies write files over seconds; a file is ready once it has looked the
same, and could be opened, for ``settle`` seconds. The clock is injected, so tests never sleep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float


class StabilityTracker:
    def __init__(self, settle: float, clock: Callable[[], float]) -> None:
        self.settle = settle
        self.clock = clock
        self._seen: dict[Path, _Seen] = {}

    def track(self, path: Path) -> None:
        """Note a file (again); any change restarts its quiet period."""
        self._look(path)

    def forget(self, path: Path) -> None:
        self._seen.pop(path, None)

    def __len__(self) -> int:
        return len(self._seen)

    def _look(self, path: Path) -> _Seen | None:
        try:
            stat = path.stat()
        except OSError:
            self._seen.pop(path, None)  # gone (moved away, deleted)
            return None
        seen = self._seen.get(path)
        if seen is None or (seen.size, seen.mtime_ns) != (stat.st_size, stat.st_mtime_ns):
            seen = self._seen[path] = _Seen(stat.st_size, stat.st_mtime_ns, self.clock())
        return seen

    def stable(self) -> list[Path]:
        """Files unchanged for the settle delay and readable, in name order; they stay tracked."""
        now = self.clock()
        ready = []
        for path in sorted(self._seen):
            seen = self._look(path)
            if seen is not None and now - seen.since >= self.settle and _readable(path):
                ready.append(path)
        return ready


def _readable(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            stream.read(1)
    except OSError:
        return False
    return True
