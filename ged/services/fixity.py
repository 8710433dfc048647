"""Fixity of every stored file, not only of archived ones.

Every blob the database refers to (originals, PDF/A copies, signed copies, acknowledgements,
transfer packages, the documents of elimination lists) is re-hashed against its name; files in
the store that nothing refers to are listed; the classifier model and the shipped artefacts are
compared with their recorded fingerprints. A full run walks the store in fingerprint order and
keeps its position in ``<journal anchor dir>/fixity-run.json``, so an interrupted run resumes;
the nightly robot checks one share of the store a day (by fingerprint, so the shares are even
and fixed), the whole store every ``archive.fixity_cycle_days``. Results are journaled.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from .. import artefacts, journal
from ..blobs import write_whole
from ..context import Context
from ..db.models import EliminationList, Event, StoredFile, Transfer

RUN_FILE = "fixity-run.json"
_BATCH = 2000
_THREADS = 2
_SAVE_EVERY = 500
_JOURNALED = 1000
"""At most this many problems listed in the journal entry (all are counted)."""
_NAME = re.compile(r"[0-9a-f]{64}")
MODEL_EVENTS = ("classifier.trained", "classifier.installed")

Progress = Callable[[int, int], None]
"""(blobs checked, blobs to check)"""


@dataclass(frozen=True)
class Finding:
    sha256: str
    problem: str
    owners: list[str]


@dataclass
class FixityReport:
    checked: int = 0
    bytes: int = 0
    damaged: list[Finding] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    """Files in the store that nothing in the database refers to."""
    artefacts: list[str] = field(default_factory=list)
    """The model and shipped files that differ from their recorded fingerprints."""
    resumed_from: str | None = None

    @property
    def ok(self) -> bool:
        return not self.damaged and not self.artefacts

    def summary(self) -> dict[str, Any]:
        return {"checked": self.checked, "bytes": self.bytes, "damaged": len(self.damaged),
                "unknown": len(self.unknown), "artefacts": self.artefacts,
                "findings": [asdict(f) for f in self.damaged[:_JOURNALED]], "unknown_files": self.unknown[:_JOURNALED]}


# -- what the database refers to ------------------------------------------------------------------
def _files(session: Session, after: str) -> Iterator[tuple[str, str]]:
    """(fingerprint, owner) of every ``files`` row after ``after``, in fingerprint order, by pages."""
    condition: Any = StoredFile.sha256 > after  # every row of ``after`` itself was checked already
    while True:
        rows = session.execute(select(StoredFile.sha256, StoredFile.id, StoredFile.role, StoredFile.document_id)
                               .where(condition).order_by(StoredFile.sha256, StoredFile.id).limit(_BATCH)).all()
        for sha256, _, role, document_id in rows:
            yield sha256, f"document {document_id} ({role})"
        if len(rows) < _BATCH:
            return
        last_sha, last_id = rows[-1][0], rows[-1][1]
        condition = or_(StoredFile.sha256 > last_sha, and_(StoredFile.sha256 == last_sha, StoredFile.id > last_id))


def _packages(session: Session, after: str) -> list[tuple[str, str]]:
    """The blobs that are no document's file: transfer packages, elimination lists' documents."""
    owned = [(t.package_sha256, f"versement {t.number}") for t in session.scalars(select(Transfer))]
    for elimination in session.scalars(select(EliminationList)):
        owned += [(str(sha256), f"liste {elimination.number} ({kind})") for kind, sha256 in elimination.files.items()]
    return sorted(pair for pair in owned if pair[0] > after)


def inventory(session: Session, after: str = "") -> Iterator[tuple[str, list[str]]]:
    """Every referenced blob after ``after`` once, in fingerprint order, with what refers to it."""
    current: str | None = None
    owners: list[str] = []
    for sha256, owner in heapq.merge(_files(session, after), _packages(session, after)):
        if sha256 != current:
            if current is not None:
                yield current, owners
            current, owners = sha256, []
        owners.append(owner)
    if current is not None:
        yield current, owners


def _count(session: Session, after: str = "") -> int:
    files = session.scalar(select(func.count(func.distinct(StoredFile.sha256))).where(StoredFile.sha256 > after)) or 0
    return files + len({sha for sha, _ in _packages(session, after)})


# -- checking ------------------------------------------------------------------------------------
def _hash(path: Path) -> tuple[str | None, int]:
    """(SHA-256 or None when absent, size); hashlib releases the GIL, so two threads use two cores."""
    try:
        with path.open("rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest(), os.fstat(stream.fileno()).st_size
    except FileNotFoundError:
        return None, 0


def _check(ctx: Context, blobs: Iterable[tuple[str, list[str]]], report: FixityReport,
           on_batch: Callable[[str], None]) -> None:
    batch: list[tuple[str, list[str]]] = []
    with ThreadPoolExecutor(_THREADS) as pool:
        def flush() -> None:
            for (sha256, owners), (actual, size) in zip(
                    batch, pool.map(lambda item: _hash(ctx.blobs.path_for(item[0])), batch), strict=True):
                report.checked += 1
                report.bytes += size
                if actual is None:
                    report.damaged.append(Finding(sha256, "absent du stockage", owners))
                elif actual != sha256:
                    report.damaged.append(Finding(sha256, "modifié (ne correspond plus à son empreinte)", owners))
            on_batch(batch[-1][0])
            batch.clear()

        for item in blobs:
            batch.append(item)
            if len(batch) == 64:
                flush()
        if batch:
            flush()


def _unknown(ctx: Context, session: Session, keep: Callable[[str], bool]) -> list[str]:
    """Files in the store, one two-level folder at a time, that no row refers to."""
    packaged = {sha for sha, _ in _packages(session, "")}
    unknown: list[str] = []
    root = ctx.blobs.root
    for first in sorted(p for p in root.iterdir() if p.is_dir() and p.name != "incoming"):
        for second in sorted(p for p in first.iterdir() if p.is_dir()):
            names = sorted(p.name for p in second.iterdir() if keep(p.name))
            known = set(session.scalars(select(StoredFile.sha256).where(StoredFile.sha256.in_(names)))) | packaged
            unknown += [f"{first.name}/{second.name}/{name}" for name in names if name not in known]
    return unknown


def model_fingerprint(ctx: Context) -> str | None:
    path = ctx.classifier.model_path
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def record_model(ctx: Context, *, actor: str) -> None:
    """Journal the installed model's fingerprint when it is not the one last recorded."""
    current = model_fingerprint(ctx)
    with ctx.db.session() as session:
        if current is not None and _recorded_model(session) != current:
            journal.append(session, "classifier.installed", at=ctx.clock(), actor=actor,
                           payload={"model_sha256": current})


def _recorded_model(session: Session) -> str | None:
    payload = session.scalar(select(Event.payload).where(Event.kind.in_(MODEL_EVENTS)).order_by(Event.id.desc())
                             .limit(1))
    return payload.get("model_sha256") if payload else None


def _artefacts(ctx: Context, session: Session) -> list[str]:
    problems = artefacts.problems()
    recorded, current = _recorded_model(session), model_fingerprint(ctx)
    if current is None:
        problems.append(f"modèle de classement absent : {ctx.classifier.model_path}")
    elif recorded is not None and recorded != current:
        problems.append(f"modèle de classement {ctx.classifier.model_path.name} modifié hors de l'application")
    return problems


# -- full runs and nightly shares -----------------------------------------------------------------
def _run_file(ctx: Context) -> Path:
    return ctx.settings.anchor_path / RUN_FILE


def _save(ctx: Context, report: FixityReport, after: str) -> None:
    path = _run_file(ctx)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {"after": after, "checked": report.checked, "bytes": report.bytes,
             "damaged": [asdict(f) for f in report.damaged]}
    write_whole(path, json.dumps(state).encode())


def _resume(ctx: Context) -> tuple[FixityReport, str]:
    try:
        state = json.loads(_run_file(ctx).read_text())
    except (FileNotFoundError, ValueError):
        return FixityReport(), ""
    report = FixityReport(checked=state["checked"], bytes=state["bytes"],
                          damaged=[Finding(**f) for f in state["damaged"]], resumed_from=state["after"])
    return report, str(state["after"])


def check_all(ctx: Context, *, actor: str, restart: bool = False, progress: Progress | None = None) -> FixityReport:
    """Re-hash every referenced blob, list unknown ones, check the model and artefacts; resumable."""
    report, after = (FixityReport(), "") if restart else _resume(ctx)
    done_before = report.checked
    with ctx.db.session() as session:
        total = done_before + _count(session, after)
        last_seen, saved = after, report.checked

        def on_batch(last: str) -> None:
            nonlocal last_seen, saved
            last_seen = last
            if report.checked - saved >= _SAVE_EVERY:
                _save(ctx, report, last)
                saved = report.checked
            if progress is not None:
                progress(report.checked, total)

        try:
            _check(ctx, inventory(session, after), report, on_batch)
        except BaseException:
            _save(ctx, report, last_seen)
            raise
        report.unknown = _unknown(ctx, session, lambda name: True)
        report.artefacts = _artefacts(ctx, session)
    with ctx.db.session() as session:
        journal.append(session, "blobs.audited", at=ctx.clock(), actor=actor,
                       payload={"scope": "complet", "resumed": report.resumed_from is not None} | report.summary())
    _run_file(ctx).unlink(missing_ok=True)
    return report


def share_of(sha256: str, cycle_days: int) -> int:
    """Which day of the cycle checks this blob: fixed, and even across days (the hash is uniform)."""
    return int(sha256[:8], 16) % cycle_days


def check_share(ctx: Context, day: date, *, actor: str) -> FixityReport:
    """The nightly share: the blobs (referenced or not) whose share is this day's, the model and artefacts."""
    cycle = ctx.settings.archive.fixity_cycle_days
    today = day.toordinal() % cycle

    def ours(name: str) -> bool:
        return _NAME.fullmatch(name) is None or share_of(name, cycle) == today

    report = FixityReport()
    with ctx.db.session() as session:
        _check(ctx, ((sha, owners) for sha, owners in inventory(session) if share_of(sha, cycle) == today),
               report, lambda _last: None)
        report.unknown = _unknown(ctx, session, ours)
        report.artefacts = _artefacts(ctx, session)
    with ctx.db.session() as session:
        journal.append(session, "blobs.audited", at=ctx.clock(), actor=actor,
                       payload={"scope": f"part {today + 1}/{cycle}", "day": day.isoformat()} | report.summary())
    return report
