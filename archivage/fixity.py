"""Fingerprints of archived files: SHA-256 (the store's own name) and SHA-512 (a second, independent one)."""

from __future__ import annotations

import hashlib
from pathlib import Path

_CHUNK = 1 << 20


def fingerprints(path: Path) -> dict[str, str]:
    """Both digests in one pass over the file."""
    sha256, sha512 = hashlib.sha256(), hashlib.sha512()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            sha256.update(chunk)
            sha512.update(chunk)
    return {"sha256": sha256.hexdigest(), "sha512": sha512.hexdigest()}
