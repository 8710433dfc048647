"""Creating an installation's home folder."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from archivage.pki import create_demo_pki

from .. import indexing
from ..context import Context
from ..settings import CONFIG_FILE_NAME, DEFAULT_CONFIG_TOML, Settings, load_settings
from . import fixity


@dataclass(frozen=True)
class Home:
    settings: Settings
    written: bool
    """Whether a configuration file was written (a new installation)."""
    indexed: int
    """Documents a migration had left unindexed, indexed now."""


def init_home(home: Path, *, before_training: Callable[[], None] | None = None,
              progress: indexing.Progress | None = None) -> Home:
    """Create GED_HOME with a commented ``ged.toml``, the folders, the database and the default model; idempotent.
    Run again after an upgrade, it migrates the database and indexes what a migration left unindexed
    (``progress(done, total)`` when that is a rebuild)."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / CONFIG_FILE_NAME
    written = not config.exists()
    if written:
        config.write_text(DEFAULT_CONFIG_TOML, encoding="utf-8")
    settings = load_settings(home=home)
    for folder in (settings.blobs_path, settings.quarantine_path, settings.index_path):
        folder.mkdir(parents=True, exist_ok=True)
    with Context.open(settings) as context:
        context.blobs.clear_incoming()
        if not context.classifier.model_path.exists() and before_training is not None:
            before_training()
        context.classifier.prepare()
        fixity.record_model(context, actor="init")
        indexed = indexing.index_pending(context, progress=progress)
    return Home(settings, written, indexed)


DEMO_SECTION = """
# --- Demo PKI written by « ged init --demo-pki »: TEST MATERIAL, it proves nothing outside this machine.
[signing]
p12_file = "pki/demo-signer.p12"
password_file = "pki/demo-signer.password"
tsa_cert_file = "pki/demo-tsa.pem"
tsa_key_file = "pki/demo-tsa.key.pem"
trust_roots = ["pki/demo-ca.pem"]
crls = ["pki/demo-ca.crl"]
"""


def install_demo_pki(settings: Settings) -> bool:
    """Create the test CA, signer and TSA under ``<home>/pki`` and point ``[signing]`` at them; once only."""
    config = settings.home / CONFIG_FILE_NAME
    text = config.read_text(encoding="utf-8")
    if "[signing]" in text:
        return False
    create_demo_pki(settings.pki_path, organisation=settings.commune.name)
    config.write_text(text.rstrip("\n") + "\n" + DEMO_SECTION, encoding="utf-8")
    return True
