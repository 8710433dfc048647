"""Scan batches and their attestations of digitisation (fidelity copies, NF Z42-026).

Apart from the documents' models so that ``models.py`` holds the archive and its procedures; the
same declarative base, so one schema and one set of migrations.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..states import BatchState
from .models import Base, state_column


class ScanBatch(Base):
    """One batch of scans taken together (a watched folder's pass, an upload): what the files say
    of the scanner, who scanned, the fingerprints, and an RFC 3161 token over the manifest."""

    __tablename__ = "scan_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    origin: Mapped[str] = mapped_column(String(500))
    """``dossier:/srv/scans/urbanisme`` or ``televersement:agent:cmartin``."""
    operator: Mapped[str] = mapped_column(String(200))
    taken_at: Mapped[datetime] = mapped_column(DateTime)
    manifest: Mapped[dict[str, Any]] = mapped_column()
    """The canonical JSON the timestamp covers: files, pages, scanner profile, quality control."""
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    state: Mapped[BatchState] = state_column(BatchState, index=True)
    timestamp_token: Mapped[bytes | None] = mapped_column(LargeBinary)
    timestamped_at: Mapped[datetime | None] = mapped_column(DateTime)
    tsa: Mapped[str | None] = mapped_column(String(500))
    """The timestamp authority's certificate subject."""
    problem: Mapped[str | None] = mapped_column(Text)
    """Why the timestamp is still pending."""
    attestation_sha256: Mapped[str | None] = mapped_column(String(64))
    """The PDF/A attestation in the store (written once the batch is timestamped)."""
