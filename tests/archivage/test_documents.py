"""SEDA 2.2 messages valid against the official schemas; elimination documents in French."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO

import pypdfium2

from archivage import seda
from archivage.elimination import Bordereau, Line, attestation_pdf, bordereau_pdf
from archivage.retention import add_years, dua_end

AT = datetime(2037, 1, 5, 10, 0, tzinfo=UTC)
COMMUNE, AD = seda.Party("FRCOMMUNE-44162"), seda.Party("FRAD044")


def _text(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(BytesIO(pdf))
    return " ".join(" ".join(page.get_textpage().get_text_range() for page in document).split())


def test_elimination_messages_are_valid_seda() -> None:
    request = seda.authorization_request(identifier="ELIM-2037-0001", at=AT, reason="Échéance de la DUA",
                                         comment="Bordereau", units=["GED-DOC-1", "GED-DOC-2"], requester=COMMUNE,
                                         archival_agency=COMMUNE, control_authority=AD)
    assert seda.validate(request) == []
    assert b"<AuthorizationControlAuthorityRequest" in request and b"GED-DOC-2" in request
    notification = seda.destruction_notification(identifier="ELIM-2037-0001-NOTIF", at=AT, comment="Fait",
                                                 visa="AD44-2037-12", units=["GED-DOC-1"],
                                                 archival_agency=COMMUNE, originating_agency=COMMUNE)
    assert seda.validate(notification) == []
    broken = request.replace(b"<MessageIdentifier>ELIM-2037-0001</MessageIdentifier>", b"")
    assert seda.validate(broken)


def test_bordereau_and_attestation_say_what_the_archives_expect() -> None:
    bordereau = Bordereau("ELIM-2037-0001", "Mairie de Test", "Service des archives", "cli:archiviste", AT,
                          "Archives départementales de Loire-Atlantique",
                          [Line("Pièces comptables, factures", date(2026, 1, 3), date(2026, 11, 20), 10, 12, 15,
                                2_400_000, "GED-DOC-1")])
    text = _text(bordereau_pdf(bordereau))
    for mention in ("Bordereau d'élimination n° ELIM-2037-0001", "Pièces comptables, factures",
                    "03/01/2026 – 20/11/2026", "10 an(s)", "12 document(s), 15 page(s), 2.40 Mo", "Visa",
                    "L212-2"):
        assert mention in text
    attestation = _text(attestation_pdf(bordereau, visa="AD44-2037-12", visa_by="cli:directeur", visa_at=AT,
                                        executed_by="cli:archiviste", executed_at=AT,
                                        fingerprints=[("GED-DOC-1", "ab" * 32)]))
    assert "Attestation d'élimination" in attestation and "AD44-2037-12" in attestation and "ab" * 32 in attestation


def test_dua_dates() -> None:
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert dua_end(date(2026, 3, 2), 10) == date(2036, 3, 2)
    assert dua_end(date(2026, 3, 2), None) == date(2026, 3, 2)
    assert dua_end(None, 5) is None
