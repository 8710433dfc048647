"""One settings object: defaults, then ged.toml, then GED_* variables."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from ged.settings import load_settings


def test_defaults_live_under_home(ged_home: Path) -> None:
    settings = load_settings()
    assert settings.home == ged_home
    assert settings.db_url == f"sqlite:///{ged_home / 'ged.sqlite3'}"
    assert settings.blobs_path == ged_home / "blobs" and settings.index_path == ged_home / "index"
    assert settings.ocr.languages == "fra+eng" and settings.ocr.workers >= 1


def test_toml_then_environment(ged_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ged_home.mkdir()
    (ged_home / "ged.toml").write_text('blobs_dir = "/srv/ged/blobs"\n[ocr]\nlanguages = "fra"\nworkers = 3\n')
    settings = load_settings()
    assert settings.ocr.languages == "fra" and settings.ocr.workers == 3
    assert settings.blobs_path == Path("/srv/ged/blobs")
    monkeypatch.setenv("GED_OCR__WORKERS", "1")
    assert load_settings().ocr.workers == 1


def test_invalid_values_are_refused(ged_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GED_OCR__DPI", "5000")
    with pytest.raises(ValidationError):
        load_settings()
    monkeypatch.delenv("GED_OCR__DPI")
    ged_home.mkdir()
    (ged_home / "ged.toml").write_text("unknown_key = 1\n")
    with pytest.raises(ValidationError):
        load_settings()
