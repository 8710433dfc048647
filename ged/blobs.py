"""Content-addressed blob store: files named by their SHA-256, written once, never modified.

A blob is written to a temporary file in the store, fsynced, renamed into place, and the
folder fsynced: after a crash a blob is either whole under its name or absent. Reading
verifies the hash, so a damaged or swapped file is detected rather than served.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

_CHUNK = 1024 * 1024


class BlobCorrupted(Exception):
    """A stored blob no longer matches its name."""


@dataclass(frozen=True)
class StagedBlob:
    """Bytes copied into the store and hashed, not yet published under their name."""

    temp_path: Path
    sha256: str
    size: int


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in ``path`` durable (the folder entry, not only the bytes)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def copy_hashing(source: BinaryIO, target: BinaryIO) -> tuple[str, int]:
    """Copy a stream while hashing it, in one read."""
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(_CHUNK):
        digest.update(chunk)
        target.write(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._incoming = root / "incoming"
        self._incoming.mkdir(parents=True, exist_ok=True)

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def stage(self, source: Path) -> StagedBlob:
        """Copy ``source`` into the store's incoming area, fsynced, and hash it on the way."""
        descriptor, temp_name = tempfile.mkstemp(dir=self._incoming, prefix="blob-")
        temp_path = Path(temp_name)
        try:
            with source.open("rb") as reader, os.fdopen(descriptor, "wb") as writer:
                sha256, size = copy_hashing(reader, writer)
                writer.flush()
                os.fsync(writer.fileno())
        except BaseException:
            temp_path.unlink(missing_ok=True)
            raise
        return StagedBlob(temp_path, sha256, size)

    def publish(self, staged: StagedBlob) -> Path:
        """Give staged bytes their final name (a no-op if the same bytes are already stored)."""
        target = self.path_for(staged.sha256)
        if target.exists():
            staged.temp_path.unlink(missing_ok=True)
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(staged.temp_path, 0o444)
        os.replace(staged.temp_path, target)
        fsync_dir(target.parent)
        return target

    def discard(self, staged: StagedBlob) -> None:
        staged.temp_path.unlink(missing_ok=True)

    def put(self, source: Path) -> StagedBlob:
        """Store a file (stage then publish); returns its hash and size."""
        staged = self.stage(source)
        self.publish(staged)
        return staged

    def verified_path(self, sha256: str) -> Path:
        """The blob's path, after checking that its bytes still match its name."""
        path = self.path_for(sha256)
        if file_sha256(path) != sha256:
            raise BlobCorrupted(f"le fichier {path} ne correspond plus à son empreinte")
        return path

    def copy_out(self, sha256: str, destination: Path) -> None:
        shutil.copyfile(self.verified_path(sha256), destination)

    def clear_incoming(self) -> int:
        """Remove staging leftovers of a crash (they were never published, so nothing refers to them)."""
        leftovers = list(self._incoming.glob("blob-*"))
        for path in leftovers:
            path.unlink(missing_ok=True)
        return len(leftovers)
