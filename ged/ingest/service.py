"""Ingestion: from files on disk to stored, recognised, searchable documents.

Order of the steps is the guarantee: the original is stored (fsynced blob, committed row,
journal entry) before anything else happens to it; every later step is recorded and can be
run again, so ``resume`` finishes whatever a crash interrupted, without duplicates.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Row, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import ocr

from .. import indexing, integrity, journal, quarantine
from ..blobs import StagedBlob, file_sha256
from ..context import Context
from ..db.models import Document, DocumentState, FileRole, StoredFile
from ..db.session import insert_now
from ..errors import DependencyMissing
from . import _intake as intake
from . import _recording as recording
from . import _splitting as splitting
from . import _understanding as understanding
from . import queue
from ._pool import OcrPool, Processed
from ._stages import IngestReport, IntakeHints, Original, Outcome, Received, Staging, TooLarge

if TYPE_CHECKING:
    from ocr.mail import Mail

_BATCH = 32
"""Documents recorded between two commits of the search index (and enqueued together for workers)."""
_STORED_TOGETHER = 8
"""Files received in one transaction (and staged ahead by the copying thread): few enough that
the first documents reach the OCR workers at once."""


HintsFor = Callable[[Path], IntakeHints]
Progress = Callable[[IngestReport], None]


class IngestService:
    def __init__(self, context: Context, *, actor: str = "system") -> None:
        self.ctx = context
        self.actor = actor

    # -- public -----------------------------------------------------------------------------
    def ingest(self, paths: Sequence[Path], *, progress: Progress | None = None,
               on_total: Callable[[int], None] | None = None,
               hints_for: HintsFor | None = None) -> list[IngestReport]:
        """Take files and folders; one report per input file, in input order (progress: in completion order)."""
        files, missing = intake.collect(paths)
        if on_total is not None:
            on_total(len(files) + len(missing))
        reports = [IngestReport(str(p), Outcome.MISSING, reason="fichier ou dossier introuvable",
                                reason_code="missing") for p in missing]
        for report in reports:
            _notify(progress, report)
        if self.ctx.settings.workers.enabled:
            for start in range(0, len(files), _BATCH):
                reports += self._enqueue(files[start:start + _BATCH], progress, hints_for)
        else:
            with self.ocr_pool() as pool:
                reports += self._process(self._receive_each(files, reports, progress, hints_for), pool, progress)
        integrity.seal_if_due(self.ctx, actor=self.actor)
        order = {str(path): index for index, path in enumerate([*missing, *files])}
        # Segments of one batch share its source: they follow in page order (their ids are).
        return sorted(reports, key=lambda r: (order.get(r.source, len(order)), r.document_id or r.duplicate_of or 0))

    def pending(self) -> list[Document]:
        """Documents whose processing a crash interrupted."""
        with self.ctx.db.session() as session:
            return list(session.scalars(select(Document).where(Document.state == DocumentState.RECEIVED)))

    def unfinished(self) -> bool:
        """Whether a crash left documents to recognise or to type."""
        return bool(self.pending() or understanding.pending(self.ctx))

    def resume(self, *, progress: Progress | None = None) -> list[IngestReport]:
        """Finish documents left ``received`` by a crash, type those left untyped, index what is not indexed.

        With workers, finishing is theirs: documents without a job get one.
        """
        if self.ctx.settings.workers.enabled:
            queue.enqueue_orphans(self.ctx)
            return []
        pending = self.pending()
        received = [self._received(doc, doc.source_path or doc.filename) for doc in pending]
        with self.ocr_pool() as pool:
            reports = self._process(received, pool, progress)
        for document_id in understanding.pending(self.ctx):
            understanding.understand(self.ctx, document_id, actor=self.actor)
        indexing.index_pending(self.ctx)
        return reports

    def ocr_pool(self) -> OcrPool:
        """The OCR worker processes, for a caller that keeps them between documents (``ged worker``)."""
        return OcrPool(self.ctx.ocr_options, self.ctx.settings.ocr.workers, self.ctx.classifier.spec())

    def process_documents(self, document_ids: list[int], pool: OcrPool) -> list[IngestReport]:
        """Recognise, record and type stored documents (what a worker does with a claimed job)."""
        with self.ctx.db.session() as session:
            documents = list(session.scalars(select(Document).where(Document.id.in_(document_ids),
                                                                    Document.state == DocumentState.RECEIVED)))
        for document in documents:  # a shared store (NFS, SMB): check the bytes before spending OCR on them
            self.ctx.blobs.verified_path(document.sha256)
        return self._process([self._received(d, d.source_path or d.filename) for d in documents], pool, None)

    # -- steps ------------------------------------------------------------------------------
    def _enqueue(self, files: list[Path], progress: Progress | None, hints_for: HintsFor | None) -> list[IngestReport]:
        """Store and enqueue only: workers do the processing."""
        reports: list[IngestReport] = []
        received = list(self._receive_each(files, reports, progress, hints_for))
        queue.enqueue(self.ctx, [r.report.document_id for r in received if r.report.document_id])
        for item in received:
            item.report.outcome = Outcome.QUEUED
            reports.append(item.report)
            _notify(progress, item.report)
        return reports

    def _receive_each(self, files: list[Path], reports: list[IngestReport], progress: Progress | None,
                      hints_for: HintsFor | None) -> Iterator[Received]:
        """Store the files a few at a time, when asked for the next one; what needs no processing is
        reported at once."""
        staged = self._staged_ahead(files)
        while chunk := list(islice(staged, _STORED_TOGETHER)):
            for outcome in self._receive(chunk, hints_for):
                if isinstance(outcome, Received):
                    yield outcome
                else:
                    reports.append(outcome)
                    _notify(progress, outcome)

    def _staged_ahead(self, files: list[Path]) -> Iterator[tuple[Path, Staging]]:
        """Each file with its copy in the store's incoming area; the next files are copied, hashed
        and fsynced by a thread while these are recorded, so that the disk's waits overlap the work."""
        remaining = iter(files)
        ahead: deque[tuple[Path, Future[Staging]]] = deque()
        with ThreadPoolExecutor(1, thread_name_prefix="ged-depot") as thread:

            def stage_next() -> None:
                path = next(remaining, None)
                if path is not None:
                    ahead.append((path, thread.submit(self._stage, path)))

            for _ in range(_STORED_TOGETHER):
                stage_next()
            try:
                while ahead:
                    path, staging = ahead.popleft()
                    stage_next()
                    yield path, staging.result()
            finally:  # the caller stopped early: copies nobody will publish
                for _, staging in ahead:
                    if isinstance(leftover := staging.result(), StagedBlob):
                        self.ctx.blobs.discard(leftover)

    def _stage(self, path: Path) -> Staging:
        try:
            size = path.stat().st_size
            if size > self.ctx.settings.limits.max_file_bytes:
                return TooLarge(size)
            return self.ctx.blobs.stage(path)
        except OSError as exc:
            return exc

    def _receive(self, chunk: list[tuple[Path, Staging]],
                 hints_for: HintsFor | None) -> list[IngestReport | Received]:
        """Store a few files in one transaction; a batch scan with separator sheets becomes one
        document per segment, an e-mail one for the message and one per attachment."""
        outcomes: list[IngestReport | Received] = []
        originals: list[Original] = []
        for path, staging in chunk:
            hints = hints_for(path) if hints_for else IntakeHints()
            if isinstance(staging, OSError):
                outcomes.append(IngestReport(str(path), Outcome.MISSING, reason=f"fichier illisible "
                                             f"({staging.strerror})", reason_code="unreadable"))
                continue
            if isinstance(staging, TooLarge):
                outcomes.append(self._refuse_unstored(path, staging.size))
                continue
            kind = splitting.media_type(staging.temp_path)
            if (batch := splitting.find_separators(staging.temp_path, kind)) is not None:
                outcomes += self._receive_segments(path, staging, batch, hints)
            elif (mail := splitting.find_mail(staging.temp_path, kind)) is not None:
                outcomes += self._receive_mail(path, staging, mail, hints)
            else:
                originals.append(Original(path, path.name, staging, hints))
        return outcomes + self._store_originals(originals)

    def _receive_segments(self, path: Path, staged: StagedBlob, batch: splitting.FoundBatch,
                          hints: IntakeHints) -> list[IngestReport | Received]:
        """The batch is kept byte for byte; each segment between separator sheets is a document."""
        self.ctx.blobs.publish(staged)
        with splitting.segments(self.ctx.blobs.path_for(staged.sha256), batch, path.stem) as segments:
            with self.ctx.db.session() as session:
                journal.append(session, "batch.split", at=self.ctx.clock(), actor=self.actor, payload={
                    "source": str(path), "sha256": staged.sha256, "size": staged.size, "pages": batch.page_count,
                    "separators": {str(n): s.kind for n, s in batch.separators.items()},
                    "segments": [list(s.pages) for s in segments]})
            originals = []
            for segment in segments:
                separator = segment.separator
                segment_hints = replace(
                    hints, lot=staged.sha256, pages=segment.pages,
                    doc_type=(separator.doc_type if separator and separator.doc_type else hints.doc_type),
                    service=(separator.service if separator and separator.service else hints.service))
                originals.append(Original(path, segment.path.name, self.ctx.blobs.stage(segment.path),
                                           segment_hints))
            return self._store_originals(originals)

    def _receive_mail(self, path: Path, staged: StagedBlob, mail: Mail,
                      hints: IntakeHints) -> list[IngestReport | Received]:
        """The message is a document (its original the mail file), and so is each attachment, linked
        to it by its fingerprint; all committed together, so a crash leaves all or none."""
        hints = replace(hints, sender=hints.sender or mail.sender, subject=hints.subject or mail.subject,
                        sent_at=hints.sent_at or (mail.sent_at.isoformat() if mail.sent_at else None))
        with splitting.attachments(mail) as files:
            return self._store_originals([Original(path, path.name, staged, hints), *(
                Original(path, name, self.ctx.blobs.stage(file), replace(hints, mail=staged.sha256))
                for name, file in files)])

    def _store_originals(self, originals: list[Original]) -> list[IngestReport | Received]:
        """Publish the blobs and commit their documents in one transaction, or report the duplicates."""
        if not originals:
            return []
        try:
            with self.ctx.db.session() as session, session.no_autoflush:
                stored = [self._store_original(session, original) for original in originals]
        except IntegrityError:
            # Another process stored some of the same bytes between our check and our insert: each
            # file again in a transaction of its own (its blob, published or not, is published once).
            stored = []
            for original in originals:
                try:
                    with self.ctx.db.session() as session:
                        stored.append(self._store_original(session, original))
                except IntegrityError:
                    with self.ctx.db.session() as session:
                        kept, _ = _same_bytes(session, original.staged.sha256)
                        assert kept is not None
                        stored.append(self._duplicate(session, kept, original.path, original.staged))
        return [item if isinstance(item, IngestReport) else self._received(item, str(original.path))
                for item, original in zip(stored, originals, strict=True)]

    def _store_original(self, session: Session, original: Original) -> Document | IngestReport:
        """Publish the blob and add its document, or report the duplicate it is."""
        path, staged, hints = original.path, original.staged, original.hints
        kept, eliminated = _same_bytes(session, staged.sha256)
        if kept is not None:
            return self._duplicate(session, kept, path, staged)
        self.ctx.blobs.publish(staged)
        now = self.ctx.clock()
        attributes = hints.attributes()
        document = insert_now(session, Document, sha256=staged.sha256, filename=original.filename,
                              source_path=str(path), size=staged.size, state=DocumentState.RECEIVED,
                              received_at=hints.filed_at or now, service=hints.service, doc_type=hints.doc_type,
                              attributes=attributes)
        session.add(StoredFile(document_id=document.id, role=FileRole.ORIGINAL, sha256=staged.sha256,
                               size=staged.size, media_type="application/octet-stream", created_at=now))
        journal.append(session, "document.received", at=now, actor=self.actor, document_id=document.id,
                       payload={"source": str(path), "sha256": staged.sha256, "size": staged.size,
                                **({"service": hints.service} if hints.service else {}),
                                **({"doc_type": hints.doc_type} if hints.doc_type else {}),
                                **({"eliminated_before": eliminated} if eliminated else {}),
                                **attributes})
        return document

    def _duplicate(self, session: Session, existing: Row[int, str, int | None], path: Path,
                   staged: StagedBlob) -> IngestReport:
        self.ctx.blobs.discard(staged)
        journal.append(session, "document.duplicate", at=self.ctx.clock(), actor=self.actor,
                       document_id=existing.id, payload={"source": str(path)})
        return IngestReport(str(path), Outcome.DUPLICATE, duplicate_of=existing.id,
                            page_count=existing.page_count,
                            reason=f"doublon du document {existing.id} (mêmes octets)", reason_code="duplicate")

    def _received(self, document: Document, source: str) -> Received:
        return Received(IngestReport(source, Outcome.INGESTED, document_id=document.id),
                         self.ctx.blobs.path_for(document.sha256), understanding.job_for(document))

    def _process(self, received: Iterable[Received], pool: OcrPool,
                 progress: Progress | None) -> list[IngestReport]:
        reports: list[IngestReport] = []
        unindexed = 0
        try:
            for batch in pool.process((r, r.blob, r.job) for r in received):
                recorded = self._record(batch)
                reports += recorded
                for report in recorded:
                    _notify(progress, report)
                unindexed += len(recorded)
                if unindexed >= _BATCH:
                    indexing.index_pending(self.ctx)
                    unindexed = 0
        except ocr.MissingDependency as exc:
            raise DependencyMissing(str(exc)) from exc
        indexing.index_pending(self.ctx)
        return reports

    def _record(self, batch: list[Processed[Received]]) -> list[IngestReport]:
        """Refused files go to quarantine one by one; the others are recorded in one transaction."""
        recordable: list[Processed[Received]] = []
        for processed in batch:
            report = processed.key.report
            if processed.rejection is not None:
                self._quarantine(processed.key.document_id, report, processed.rejection.code,
                                 processed.rejection.message)
                continue
            assert processed.plan is not None
            report.page_count = processed.plan.page_count
            recordable.append(processed)
        if recordable:
            understood = recording.record_processed(self.ctx, recordable, actor=self.actor)
            for processed in recordable:
                _describe(processed.key.report, processed.failed_because, understood[processed.key.document_id])
        return [processed.key.report for processed in batch]

    def _quarantine(self, document_id: int, report: IngestReport, code: str, reason: str) -> None:
        recording.record_quarantined(self.ctx, document_id, code, reason, actor=self.actor)
        report.outcome, report.reason, report.reason_code = Outcome.QUARANTINED, reason, code

    def _refuse_unstored(self, path: Path, size: int) -> IngestReport:
        """Too large for the store: kept in quarantine only, with its fingerprint."""
        sha256 = file_sha256(path)
        limit = self.ctx.settings.limits.max_file_bytes
        reason = f"fichier trop volumineux ({size / 1e6:.0f} Mo, limite {limit / 1e6:.0f} Mo)"
        now = self.ctx.clock()
        quarantine.put(self.ctx.settings.quarantine_path, path, name=path.name, origin=str(path),
                       sha256=sha256, code="too_large", reason=reason, at=now)
        with self.ctx.db.session() as session:
            journal.append(session, "document.refused", at=now, actor=self.actor,
                           payload={"source": str(path), "sha256": sha256, "size": size,
                                    "code": "too_large", "reason": reason})
        return IngestReport(str(path), Outcome.QUARANTINED, reason=reason, reason_code="too_large")


def _same_bytes(session: Session, sha256: str) -> tuple[Row[int, str, int | None] | None, list[int]]:
    """The kept document with these bytes, if any, and the eliminated ones that had them: a tombstone
    keeps its fingerprint as a record of what was destroyed, but the bytes received again are a new
    document, not a duplicate of nothing."""
    rows = session.execute(select(Document.id, Document.state, Document.page_count)
                           .where(Document.sha256 == sha256).order_by(Document.id)).all()
    kept = next((row for row in rows if row.state != DocumentState.ELIMINATED), None)
    return kept, [row.id for row in rows if row.state == DocumentState.ELIMINATED]


def _describe(report: IngestReport, failure: str | None, understood: understanding.Understood | None) -> None:
    """The report of a recorded document: needs review when a page could not be read or its type is uncertain."""
    if failure is not None:
        report.outcome, report.reason, report.reason_code = Outcome.NEEDS_REVIEW, failure, "ocr_failed"
    elif understood is not None:
        report.doc_type, report.request = understood.doc_type, understood.request_number
        if understood.uncertain:
            report.outcome, report.reason_code = Outcome.NEEDS_REVIEW, "type_uncertain"
            report.reason = "type incertain, à vérifier"


def _notify(progress: Progress | None, report: IngestReport) -> None:
    if progress is not None:
        progress(report)
