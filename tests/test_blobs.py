"""The content-addressed store: atomic, idempotent, verified on read."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from ged.blobs import BlobDamaged, BlobStore


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "blobs")


def test_put_stores_bytes_under_their_hash(store: BlobStore, tmp_path: Path) -> None:
    source = tmp_path / "lettre.pdf"
    source.write_bytes(b"%PDF-1.7 contenu")
    stored = store.put(source)
    assert stored.sha256 == hashlib.sha256(b"%PDF-1.7 contenu").hexdigest()
    path = store.path_for(stored.sha256)
    assert path.read_bytes() == b"%PDF-1.7 contenu"
    assert not os.access(path, os.W_OK) or os.geteuid() == 0
    assert oct(path.stat().st_mode & 0o777) == "0o444"


def test_staging_leaves_nothing_published_until_publish(store: BlobStore, tmp_path: Path) -> None:
    source = tmp_path / "a"
    source.write_bytes(b"abc")
    staged = store.stage(source)
    assert not store.exists(staged.sha256)
    store.discard(staged)
    assert not staged.temp_path.exists() and not store.exists(staged.sha256)


def test_publishing_the_same_bytes_twice_keeps_one_blob(store: BlobStore, tmp_path: Path) -> None:
    source = tmp_path / "a"
    source.write_bytes(b"same")
    first, second = store.stage(source), store.stage(source)
    store.publish(first)
    store.publish(second)
    assert not second.temp_path.exists()
    assert len([p for p in store.root.rglob("*") if p.is_file()]) == 1


def test_damaged_blob_is_detected_on_read(store: BlobStore, tmp_path: Path) -> None:
    source = tmp_path / "a"
    source.write_bytes(b"original")
    stored = store.put(source)
    path = store.path_for(stored.sha256)
    os.chmod(path, 0o644)
    path.write_bytes(b"tampered")
    with pytest.raises(BlobDamaged, match="modifié"):
        store.copy_out(stored.sha256, tmp_path / "out")
    assert list(tmp_path.glob("*out*")) == []  # no partial copy left behind
    path.unlink()
    with pytest.raises(BlobDamaged, match="absent du stockage"):
        store.verified_path(stored.sha256)


def test_crash_leftovers_are_cleared(store: BlobStore, tmp_path: Path) -> None:
    source = tmp_path / "a"
    source.write_bytes(b"x" * 10)
    staged = store.stage(source)  # never published: a crash between stage and publish
    assert store.clear_incoming() == 0  # young: maybe another machine's copy in progress on a shared store
    old = staged.temp_path.stat().st_mtime - 7200
    os.utime(staged.temp_path, (old, old))
    assert store.clear_incoming() == 1
