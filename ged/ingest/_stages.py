"""What one file becomes on its way through ingest: one type per stage, handed from step to step.

    IntakeHints   what the way it arrived says (a watched folder's service, a mail's sender)
    Staging       its bytes copied into the store's incoming area, or why they are not
    Original      one unit to record: the file, or a segment of a batch scan, or an attachment
    Received      its document committed, with the job the workers run on it
    Processed     what the workers made of it (``_pool``): pages, PDF/A copy, type and fields
    Understood    what recording and understanding decided (``_understanding``)
    IngestReport  what the caller is told, one per input file, segment or attachment
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from ..blobs import StagedBlob
from ._analysis import AnalysisJob


class Outcome(StrEnum):
    INGESTED = "ingested"
    QUEUED = "queued"
    """Stored and waiting for a worker (multi-machine installations)."""
    DUPLICATE = "duplicate"
    QUARANTINED = "quarantined"
    NEEDS_REVIEW = "needs_review"
    MISSING = "missing"
    REFUSED = "refused"
    """Refused before anything was stored (an upload past the size limit, cut off while written)."""


@dataclass
class IngestReport:
    source: str
    outcome: Outcome
    document_id: int | None = None
    duplicate_of: int | None = None
    page_count: int | None = None
    reason: str | None = None
    reason_code: str | None = None
    doc_type: str | None = None
    request: str | None = None
    """Registration number of the request the document opened or joined."""

    def as_dict(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, Outcome) else v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class IntakeHints:
    """What the way a file arrived says about it (a watched folder's service, a mailbox's sender)."""

    service: str | None = None
    doc_type: str | None = None
    tags: tuple[str, ...] = ()
    channel: str | None = None
    """Where it came from, e.g. ``dossier:/srv/scans/urbanisme``."""
    lot: str | None = None
    """SHA-256 of the batch scan this document was split from."""
    pages: tuple[int, ...] = ()
    """Its pages in that batch."""
    sender: str | None = None
    subject: str | None = None
    sent_at: str | None = None
    """What the mail it came with said (the mail itself, or the one it was attached to)."""
    mail: str | None = None
    """SHA-256 of the e-mail this file was attached to."""
    request: str | None = None
    """The request this file is a piece of (an online dossier's attachments): it joins it, whatever it cites."""
    filed_at: datetime | None = None
    """When the sender filed it (an online dossier's deposit): its legal date of receipt, deadlines run from it."""
    reference: str | None = None
    """Its reference in the system that sent it (a Pastell document's id, an act's number)."""

    def attributes(self) -> dict[str, Any]:
        values = (("tags", list(self.tags)), ("channel", self.channel), ("lot", self.lot), ("pages", list(self.pages)),
                  ("expediteur", self.sender), ("objet", self.subject), ("envoye_le", self.sent_at),
                  ("courriel", self.mail), ("demande", self.request),
                  ("reference_externe", self.reference))
        return {k: v for k, v in values if v}


@dataclass(frozen=True)
class TooLarge:
    """A file over ``limits.max_file_bytes``: not copied into the store."""

    size: int


Staging = StagedBlob | TooLarge | OSError
"""A file copied into the store, or too large to be, or why it could not be read."""


@dataclass(frozen=True)
class Original:
    """A file (or a segment of a batch scan, or an attachment) staged in the store, to be recorded as a document."""

    path: Path
    filename: str
    staged: StagedBlob
    hints: IntakeHints


@dataclass
class Received:
    """A document committed in the ``received`` state: the workers read ``blob`` and run ``job``."""

    report: IngestReport
    blob: Path
    job: AnalysisJob

    @property
    def document_id(self) -> int:
        assert self.report.document_id is not None  # set when the document was committed
        return self.report.document_id
