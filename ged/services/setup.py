"""Creating an installation's home folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..context import Context
from ..settings import CONFIG_FILE_NAME, DEFAULT_CONFIG_TOML, Settings, load_settings


def init_home(home: Path, *, before_training: Callable[[], None] | None = None) -> tuple[Settings, bool]:
    """Create GED_HOME with a commented ``ged.toml``, the folders, the database and the default model; idempotent.

    Returns the settings and whether a configuration file was written.
    """
    home.mkdir(parents=True, exist_ok=True)
    config = home / CONFIG_FILE_NAME
    written = not config.exists()
    if written:
        config.write_text(DEFAULT_CONFIG_TOML, encoding="utf-8")
    settings = load_settings(home=home)
    for folder in (settings.blobs_path, settings.quarantine_path, settings.index_path):
        folder.mkdir(parents=True, exist_ok=True)
    context = Context.open(settings)
    context.blobs.clear_incoming()
    if not context.classifier.model_path.exists() and before_training is not None:
        before_training()
    context.classifier.prepare()
    context.close()
    return settings, written
