"""The domain model as tables: documents, their pages and files, and the event journal.

Times are naive UTC everywhere, so that what SQLite and PostgreSQL give back is what was
hashed into the journal.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedColumn, mapped_column, relationship

from ..states import (
    ArchiveStatus,
    DeliveryStatus,
    DocumentState,
    EliminationStatus,
    JobState,
    RequestStatus,
    RunOutcome,
    TransferStatus,
    WorkerState,
)
from ..text import document_text


class FileRole(StrEnum):
    ORIGINAL = "original"
    PDFA = "pdfa"
    ACK_LETTER = "accuse_reception"
    """The acknowledgement of receipt of the request this document opened (PDF letter)."""
    ACK_EMAIL = "accuse_courriel"
    """The same acknowledgement as the text of an e-mail, for a robot to send."""
    SIGNED = "signe"
    """The PDF/A copy signed PAdES B-LTA when the document was archived."""
    ATTESTATION = "attestation"
    """The attestation of digitisation of the scan batch it came in (shared by the batch's documents)."""


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


def state_column(enum: type[StrEnum], *, index: bool = False) -> MappedColumn[Any]:
    """A ``VARCHAR(20)`` holding the member's value, read back as the member. A string outside the
    enum is passed through, not refused: a filter on a word that names no state then matches
    nothing (the code itself writes members, which the type checker holds it to; robot filters
    are read with ``ged.states.document_state`` first)."""
    return mapped_column(Enum(enum, native_enum=False, length=20, validate_strings=False,
                              values_callable=lambda members: [member.value for member in members]), index=index)


_KEPT = text(f"state != '{DocumentState.ELIMINATED.value}'")


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (
        # The same bytes are one document while it is kept. An eliminated document's row stays as a
        # tombstone with its fingerprint (what was destroyed); the same bytes received later are a
        # new document, not a "duplicate" of nothing.
        Index("uq_documents_sha256_kept", "sha256", unique=True, sqlite_where=_KEPT, postgresql_where=_KEPT),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(500))
    source_path: Mapped[str | None] = mapped_column(String(4000))
    media_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[DocumentState] = state_column(DocumentState, index=True)
    state_reason: Mapped[str | None] = mapped_column(Text)
    """Why a document is quarantined or needs review (French, for people)."""
    reason_code: Mapped[str | None] = mapped_column(String(40))
    page_count: Mapped[int | None] = mapped_column(Integer)
    doc_type: Mapped[str | None] = mapped_column(String(50), index=True)
    service: Mapped[str | None] = mapped_column(String(100), index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime)
    indexed_at: Mapped[datetime | None] = mapped_column(DateTime)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Intake metadata (scanner, mailbox, tags) that has no column of its own."""
    type_confidence: Mapped[float | None] = mapped_column(Float)
    """1.0 once a person has validated the type."""
    classified_at: Mapped[datetime | None] = mapped_column(DateTime)
    """Set once typed and its fields read; a processed document without it is still to classify."""
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"), index=True)

    files: Mapped[list[StoredFile]] = relationship(back_populates="document", order_by="StoredFile.id")
    pages: Mapped[list[Page]] = relationship(back_populates="document", order_by="Page.number")
    fields: Mapped[list[DocumentField]] = relationship(back_populates="document", order_by="DocumentField.id")

    def file(self, role: FileRole) -> StoredFile | None:
        return next((f for f in self.files if f.role == role), None)

    @property
    def text(self) -> str:
        return document_text([page.text for page in self.pages])


class StoredFile(Base):
    """A blob linked to a document: its original, or a derived copy."""

    __tablename__ = "files"
    __table_args__ = (UniqueConstraint("document_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)

    document: Mapped[Document] = relationship(back_populates="files")


class Page(Base):
    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    words: Mapped[list[Any]] = mapped_column(default=list)
    """[text, x0, y0, x1, y1, confidence, line] in points from the page's top-left corner."""
    confidence: Mapped[float | None] = mapped_column(Float)
    rotation: Mapped[int] = mapped_column(Integer, default=0)
    skew: Mapped[float] = mapped_column(Float, default=0.0)
    width_pt: Mapped[float] = mapped_column(Float)
    height_pt: Mapped[float] = mapped_column(Float)

    document: Mapped[Document] = relationship(back_populates="pages")


class DocumentField(Base):
    """One extracted (or corrected) field, in its normal form, with where it was read."""

    __tablename__ = "fields"
    __table_args__ = (UniqueConstraint("document_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    value: Mapped[Any] = mapped_column(JSON)
    confidence: Mapped[float] = mapped_column(Float)
    page: Mapped[int | None] = mapped_column(Integer)
    box: Mapped[list[Any] | None] = mapped_column(JSON)
    method: Mapped[str] = mapped_column(String(30))
    """How it was read (formulaire, texte, …) or ``agent`` for a person's correction."""

    document: Mapped[Document] = relationship(back_populates="fields")


class Request(Base):
    """A citizen's request (demande): registered, routed, due by a date, gathering its documents."""

    __tablename__ = "requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    """``2026-URB-000042``: year, category, sequence."""
    year: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(10))
    doc_type: Mapped[str] = mapped_column(String(50), index=True)
    service: Mapped[str] = mapped_column(String(100), index=True)
    status: Mapped[RequestStatus] = state_column(RequestStatus, index=True)
    requester: Mapped[str | None] = mapped_column(String(300))
    contact: Mapped[str | None] = mapped_column(String(300))
    file_reference: Mapped[str | None] = mapped_column(String(60), index=True)
    """The request's own file number when it has one (``PC 044 109 25 00012``): later mail cites it."""
    received_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    silence: Mapped[str] = mapped_column(String(20))
    silence_on: Mapped[date | None] = mapped_column(Date)
    basis: Mapped[str] = mapped_column(String(200))
    assignee: Mapped[str | None] = mapped_column(String(100), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    documents: Mapped[list[Document]] = relationship(order_by="Document.id")


class RequestCounter(Base):
    """The last sequence number given per year and category (numbers restart every year)."""

    __tablename__ = "request_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(10), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class ArchiveRecord(Base):
    """An archived document: what was kept, its fingerprints, and the retention rule applied."""

    __tablename__ = "archive_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), unique=True)
    archived_at: Mapped[datetime] = mapped_column(DateTime)
    archived_by: Mapped[str] = mapped_column(String(100))
    signed_sha256: Mapped[str | None] = mapped_column(String(64))
    """The signed PDF/A copy (None when it was eliminated)."""
    fingerprints: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """``{"original": {"sha256", "sha512"}, "signed": {...}}``, computed at archiving."""
    family: Mapped[str] = mapped_column(String(200))
    dua_years: Mapped[int | None] = mapped_column(Integer)
    start_event: Mapped[str] = mapped_column(String(20))
    start_on: Mapped[date | None] = mapped_column(Date)
    """None while the start event (a request's closing) has not happened."""
    dua_end: Mapped[date | None] = mapped_column(Date, index=True)
    final_action: Mapped[str] = mapped_column(String(1))
    status: Mapped[ArchiveStatus] = state_column(ArchiveStatus, index=True)
    """``archive``, ``proposee`` (on an elimination list), ``eliminee``, ``versee``."""
    description: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Type, service, request, dates: what lists, attestations and SEDA messages describe."""


class Hold(Base):
    """A legal hold (gel): while active, the document is neither eliminated nor transferred."""

    __tablename__ = "holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    removed_by: Mapped[str | None] = mapped_column(String(100))
    removed_at: Mapped[datetime | None] = mapped_column(DateTime)
    removal_reason: Mapped[str | None] = mapped_column(Text)


class EliminationList(Base):
    """A proposed elimination: its bordereau, the visa of the control authority, its execution."""

    __tablename__ = "elimination_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    status: Mapped[EliminationStatus] = state_column(EliminationStatus)
    """``proposee``, ``visee``, ``executee``."""
    proposed_by: Mapped[str] = mapped_column(String(100))
    proposed_at: Mapped[datetime] = mapped_column(DateTime)
    visa_reference: Mapped[str | None] = mapped_column(String(200))
    visa_by: Mapped[str | None] = mapped_column(String(100))
    visa_at: Mapped[datetime | None] = mapped_column(DateTime)
    executed_by: Mapped[str | None] = mapped_column(String(100))
    executed_at: Mapped[datetime | None] = mapped_column(DateTime)
    files: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """SHA-256 of the bordereau, the SEDA request, the attestation and the notification."""
    records: Mapped[list[ArchiveRecord]] = relationship(secondary="elimination_items", order_by="ArchiveRecord.id")


class EliminationItem(Base):
    __tablename__ = "elimination_items"

    list_id: Mapped[int] = mapped_column(ForeignKey("elimination_lists.id"), primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("archive_records.id"), primary_key=True)


class Transfer(Base):
    """A SEDA transfer (versement) to the definitive archives and its reply."""

    __tablename__ = "transfers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    status: Mapped[TransferStatus] = state_column(TransferStatus)
    """``envoye``, ``accepte``, ``refuse``."""
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    package_sha256: Mapped[str] = mapped_column(String(64))
    reply_code: Mapped[str | None] = mapped_column(String(40))
    reply_at: Mapped[datetime | None] = mapped_column(DateTime)
    records: Mapped[list[ArchiveRecord]] = relationship(secondary="transfer_items", order_by="ArchiveRecord.id")


class TransferItem(Base):
    __tablename__ = "transfer_items"

    transfer_id: Mapped[int] = mapped_column(ForeignKey("transfers.id"), primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("archive_records.id"), primary_key=True)


class RobotRun(Base):
    """One run of a robot: when, why, how it ended, what it did."""

    __tablename__ = "robot_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    robot: Mapped[str] = mapped_column(String(100), index=True)
    trigger: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    outcome: Mapped[RunOutcome] = state_column(RunOutcome)
    """``en_cours``, ``ok``, ``erreur``, ``simulation``."""
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=1)


class RobotLock(Base):
    """Who runs a robot now, until when: a robot never runs twice at once, even across processes."""

    __tablename__ = "robot_locks"

    robot: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class RobotDelivery(Base):
    """A notification a robot sent (or was sending): the ledger that prevents duplicates after a crash."""

    __tablename__ = "robot_deliveries"
    __table_args__ = (UniqueConstraint("robot", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    robot: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(300))
    status: Mapped[DeliveryStatus] = state_column(DeliveryStatus)
    """``envoi`` while being sent, ``envoye`` once the server accepted it."""
    at: Mapped[datetime] = mapped_column(DateTime)


class RobotCursor(Base):
    """The last journal entry an event-triggered robot has seen."""

    __tablename__ = "robot_cursors"

    robot: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(Integer)


class ExternalDossier(Base):
    """A dossier filed online (démarches-simplifiées, a portal) taken into the GED: never twice."""

    __tablename__ = "external_dossiers"

    source: Mapped[str] = mapped_column(String(100), primary_key=True)
    """``demarches-simplifiees:12345`` (the platform and the démarche's number)."""
    reference: Mapped[str] = mapped_column(String(100), primary_key=True)
    request_number: Mapped[str | None] = mapped_column(String(30))
    documents: Mapped[list[Any]] = mapped_column(default=list)
    modified_at: Mapped[datetime] = mapped_column(DateTime)
    """The dossier's last change on the platform when it was taken."""
    stored_at: Mapped[datetime] = mapped_column(DateTime)


class ExternalSync(Base):
    """Up to when every dossier of a source was looked at: a pass that stopped half-way does not move it,
    so a dossier that failed is asked for again, and those taken meanwhile are skipped by the ledger."""

    __tablename__ = "external_syncs"

    source: Mapped[str] = mapped_column(String(100), primary_key=True)
    complete_until: Mapped[datetime] = mapped_column(DateTime)


class MailboxMessage(Base):
    """A mail taken from a mailbox: never ingested twice, found again by its Message-ID."""

    __tablename__ = "mailbox_messages"

    message_id: Mapped[str] = mapped_column(String(500), primary_key=True)
    mailbox: Mapped[str] = mapped_column(String(300))
    stored_at: Mapped[datetime] = mapped_column(DateTime)
    documents: Mapped[list[Any]] = mapped_column(default=list)


class Job(Base):
    """Processing work waiting for a worker: claimed under a lease, taken over when the lease runs out."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), unique=True)
    state: Mapped[JobState] = state_column(JobState, index=True)
    """``pending``, ``claimed``, ``done``, ``failed``."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    pages: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)


class Worker(Base):
    """A ``ged worker`` process: alive while its heartbeat is recent."""

    __tablename__ = "workers"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime)
    state: Mapped[WorkerState] = state_column(WorkerState)
    documents: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0)


class Event(Base):
    """One entry of the append-only journal; ``hash`` chains it to the entry before."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    document_id: Mapped[int | None] = mapped_column(Integer, index=True)
    request_id: Mapped[int | None] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(60), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
