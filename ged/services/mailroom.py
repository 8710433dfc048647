"""The mail room: files taken from watched folders, then filed beside them.

A source file leaves its inbox only once its document is committed (row and fsynced
blob): to ``done/`` (or deleted), ``quarantine/`` with a reason file, or ``duplicates/``.
A file found again after a crash (same bytes, same path) is its own document, not a
duplicate: it is finished and filed, so nothing is lost, duplicated, or refused at every restart.
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from sqlalchemy import func, select

from ..blobs import fsync_dir
from ..context import Context
from ..db.models import Document, DocumentState, Event
from ..ingest import IngestReport, IngestService, IntakeHints, Outcome, is_ignored
from ..quarantine import write_reason
from ..settings import WatchedFolder
from . import attestation


class Placement(StrEnum):
    DONE = "done"
    QUARANTINE = "quarantine"
    DUPLICATES = "duplicates"


OUTPUT_FOLDERS: Final = frozenset(p.value for p in Placement)


@dataclass(frozen=True)
class Filed:
    report: IngestReport
    placement: Placement | None
    """None: the file stays where it is (it vanished or could not be read)."""
    moved_to: Path | None


def is_candidate(folder: WatchedFolder, path: Path) -> bool:
    """A file a watched folder should take: not litter, not in one of its output folders."""
    try:
        relative = path.relative_to(folder.path)
    except ValueError:
        return False
    parts = relative.parts
    return (bool(parts) and parts[0] not in OUTPUT_FOLDERS
            and not any(is_ignored(Path(part)) for part in parts))


def waiting_files(folder: WatchedFolder) -> list[Path]:
    if not folder.path.is_dir():
        return []
    return sorted(p for p in folder.path.rglob("*") if p.is_file() and is_candidate(folder, p))


def hints(folder: WatchedFolder, path: Path) -> IntakeHints:
    """The folder's routing, refined by the first-level subfolder the file was dropped in."""
    parts = path.relative_to(folder.path).parts
    routing = folder.subfolders.get(parts[0]) if len(parts) > 1 else None
    return IntakeHints(
        service=(routing.service if routing and routing.service else folder.service),
        doc_type=(routing.doc_type if routing and routing.doc_type else folder.doc_type),
        tags=tuple(folder.tags) + (tuple(routing.tags) if routing else ()),
        channel=f"dossier:{folder.path}",
    )


class MailroomService:
    def __init__(self, context: Context, *, actor: str = "robot:courrier") -> None:
        self.ctx = context
        self.ingest = IngestService(context, actor=actor)

    def recover(self) -> list[IngestReport]:
        """Finish what a crash interrupted (run once when a watcher starts)."""
        self.ctx.blobs.clear_incoming()
        return self.ingest.resume()

    def take(self, folder: WatchedFolder, files: Sequence[Path]) -> list[Filed]:
        """Store and process the files, then file each source according to its outcome; the batch's
        attestation of digitisation is recorded before the sources leave the inbox."""
        operator = self.ctx.settings.attestation.operator or _owner(files)
        reports = self.ingest.ingest(list(files), hints_for=lambda path: hints(folder, path))
        attestation.record_batch(self.ctx, reports, origin=f"dossier:{folder.path}", operator=operator,
                                 actor=self.ingest.actor)
        return [self._file(folder, report) for report in reports]

    def _file(self, folder: WatchedFolder, report: IngestReport) -> Filed:
        source = Path(report.source)
        placement = self._placement(report)
        if placement is None or not source.exists():
            return Filed(report, None, None)
        if placement == Placement.DONE and self.ctx.settings.watch.after == "delete":
            source.unlink()
            return Filed(report, placement, None)
        target = _unique(folder.path / placement.value / source.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
        fsync_dir(target.parent)
        if placement != Placement.DONE:
            write_reason(target, {"Fichier": source, "Document": report.document_id or report.duplicate_of,
                                  "Motif": report.reason})
        return Filed(report, placement, target)

    def _placement(self, report: IngestReport) -> Placement | None:
        if report.outcome in (Outcome.INGESTED, Outcome.NEEDS_REVIEW, Outcome.QUEUED):
            return Placement.DONE
        if report.outcome == Outcome.QUARANTINED:
            return Placement.QUARANTINE
        if report.outcome != Outcome.DUPLICATE:
            return None
        with self.ctx.db.session() as session:
            original = session.get_one(Document, report.duplicate_of)
            if original.source_path != report.source:
                return Placement.DUPLICATES
            # Taken before a crash, not filed yet: this file *is* that document.
            report.outcome, report.document_id, report.duplicate_of = Outcome.INGESTED, original.id, None
            if original.state == DocumentState.QUARANTINED:
                report.outcome, report.reason = Outcome.QUARANTINED, original.state_reason
                return Placement.QUARANTINE
            report.reason = report.reason_code = None
            return Placement.DONE


def _owner(files: Sequence[Path]) -> str:
    """Who dropped the files: the owner of the first one (a scanner's or an operator's account)."""
    for path in files:
        try:
            return pwd.getpwuid(path.stat().st_uid).pw_name
        except (OSError, KeyError):
            continue
    return "inconnu"


def _unique(path: Path) -> Path:
    candidate, counter = path, 1
    while candidate.exists():
        counter += 1
        candidate = path.with_name(f"{path.stem}-{counter}{path.suffix}")
    return candidate


@dataclass(frozen=True)
class MailroomStatus:
    waiting: dict[str, int]
    today: dict[DocumentState, int]
    """Documents received today (UTC), by state."""
    quarantined: list[dict[str, Any]]
    needs_review: list[dict[str, Any]]
    refused_unstored: int

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def status(ctx: Context, *, limit: int = 20) -> MailroomStatus:
    midnight = datetime.combine(ctx.clock().date(), time())
    with ctx.db.session() as session:
        today = dict(session.execute(select(Document.state, func.count(Document.id))
                                     .where(Document.received_at >= midnight).group_by(Document.state)).all())

        def listing(state: DocumentState) -> list[dict[str, Any]]:
            rows = session.execute(select(Document.id, Document.filename, Document.state_reason, Document.received_at)
                                   .where(Document.state == state).order_by(Document.id.desc()).limit(limit))
            return [{"id": i, "filename": n, "reason": r, "received_at": at.isoformat(timespec="seconds") + "Z"}
                    for i, n, r, at in rows]

        quarantined, review = listing(DocumentState.QUARANTINED), listing(DocumentState.NEEDS_REVIEW)
        refused = session.scalar(select(func.count(Event.id)).where(Event.kind == "document.refused")) or 0
    waiting = {str(f.path): len(waiting_files(f)) for f in ctx.settings.watch.folders}
    return MailroomStatus(waiting, today, quarantined, review, refused)
