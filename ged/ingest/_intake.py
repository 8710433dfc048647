"""Which files a batch or a watched folder takes: supported content, never scanner litter."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Final

IGNORED_NAMES: Final = frozenset({"Thumbs.db", ".DS_Store", "desktop.ini", "@eaDir", "#recycle", "lost+found"})
IGNORED_PREFIXES: Final = (".", "~$", "~")
IGNORED_SUFFIXES: Final = (".part", ".tmp", ".crdownload", ".partial", ".swp", ".motif.txt")


def is_ignored(path: Path) -> bool:
    name = path.name
    return (name in IGNORED_NAMES or name.startswith(IGNORED_PREFIXES)
            or name.lower().endswith(IGNORED_SUFFIXES))


def collect(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """Files to take (folders walked recursively, in name order) and paths that do not exist."""
    files: list[Path] = []
    missing: list[Path] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path)
                if child.is_file() and not any(is_ignored(Path(part)) for part in relative.parts):
                    files.append(child)
        elif path.is_file():
            files.append(path)
        else:
            missing.append(path)
    return files, missing
