"""A test PKI and its timestamp authority on loopback, once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from archivage.pki import DemoPki, create_demo_pki

from ..tsa import TsaServer


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DemoPki:
    return create_demo_pki(tmp_path_factory.mktemp("pki"), organisation="Mairie de Test")


@pytest.fixture(scope="session")
def tsa_server(pki: DemoPki) -> Iterator[TsaServer]:
    server = TsaServer(pki.tsa_cert, pki.tsa_key).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pdfa_copy(samples: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real PDF/A-2b copy, made by the OCR leaf from a sample scan."""
    import ocr
    from ocr.plan import PageJob

    folder = tmp_path_factory.mktemp("pdfa")
    source, options = samples / "signalement_eclairage.png", ocr.OcrOptions(languages="fra")
    plan = ocr.inspect(source, options)
    pages = [ocr.process_page(PageJob(source=source, media_type=plan.media_type, page=page, workdir=folder,
                                      options=options)) for page in plan.ocr_pages]
    target = folder / "copie.pdf"
    assert ocr.write_searchable_copy(source, plan, pages, target, timeout=120) is None
    assert ocr.is_valid_pdfa(target)
    return target
