"""The journal's anchors outside the database: the last committed head, and the seal log.

Whoever can write the database can delete the newest entries, or recompute the whole chain
and its seals; the chain alone cannot tell. These two files, kept where the database
administrator cannot write, can: the head file names the newest entry ever committed (a
shorter journal no longer contains it), and the seal log keeps every seal, append-only and
fsynced, with the head and the number of entries it covered (a recomputed chain no longer
matches them, a deleted seal is still in the log).

The head file is rewritten after each commit, without fsync: after a power cut it may name
an older entry (a weaker check, never a false alarm), never one the database does not hold.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from .blobs import fsync_dir, write_whole

HEAD_FILE = "head.json"
SEAL_LOG = "seals.jsonl"


@dataclass(frozen=True)
class Head:
    """The newest journal entry seen committed, and when it was seen."""

    entry_id: int
    hash: str
    seen_at: str


@dataclass(frozen=True)
class SealLine:
    """One seal as the seal log keeps it."""

    seal_id: int
    """The ``journal.sealed`` entry that holds the same token in the database."""
    head_id: int
    head_hash: str
    entries: int
    """How many entries the chain held up to ``head_id`` when it was sealed."""
    token: str
    """The RFC 3161 token over ``head_hash``, base64."""


class Anchors:
    """The head file and the seal log (with its copies) of one installation."""

    def __init__(self, folder: Path, copies: list[Path] | None = None) -> None:
        self.folder = folder
        self.copies = copies or []

    @property
    def seal_log(self) -> Path:
        return self.folder / SEAL_LOG

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Several processes commit (web, daemon, workers, CLI): one writer of these files at a time."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def head(self) -> Head | None:
        try:
            data = json.loads((self.folder / HEAD_FILE).read_text())
        except (FileNotFoundError, ValueError):
            return None
        return Head(int(data["entry_id"]), str(data["hash"]), str(data["seen_at"]))

    def record_head(self, entry_id: int, entry_hash: str) -> None:
        """Remember a committed entry as the head, unless a newer one is already remembered."""
        with self._locked():
            current = self.head()
            if current is not None and current.entry_id >= entry_id:
                return
            seen = datetime.now(UTC).isoformat(timespec="seconds")
            write_whole(self.folder / HEAD_FILE, json.dumps(asdict(Head(entry_id, entry_hash, seen))).encode())

    def append_seal(self, line: SealLine) -> list[str]:
        """Append a seal to the log and to each copy, fsynced; the copies that failed, said in French."""
        text = line_text(line) + "\n"
        failures: list[str] = []
        with self._locked():
            for target in [self.seal_log, *self.copies]:
                try:
                    _append_durably(target, text)
                except OSError as exc:
                    if target == self.seal_log:
                        raise
                    failures.append(f"copie du registre des sceaux {target} non écrite : {exc.strerror}")
        return failures

    def seals(self, path: Path | None = None) -> list[SealLine]:
        """The seals in the log (or in one of its copies); an absent log holds none."""
        try:
            lines = (path or self.seal_log).read_text().splitlines()
        except FileNotFoundError:
            return []
        return [SealLine(**json.loads(line)) for line in lines if line.strip()]


def line_text(line: SealLine) -> str:
    """A seal as one line of the seal log."""
    return json.dumps(asdict(line), sort_keys=True)


def _append_durably(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    created = not path.exists()
    with path.open("a", encoding="utf-8") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    if created:
        fsync_dir(path.parent)
