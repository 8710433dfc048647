"""The processing queue of a multi-machine installation, in the shared PostgreSQL database.

A worker claims a job with ``SELECT … FOR UPDATE SKIP LOCKED`` (two workers never wait for, nor
take, the same row) and holds it under a lease it renews while it works. A worker that dies
(SIGKILL, power loss) stops renewing; once the lease has run out another worker takes the job
over. Nothing is processed into two documents: the job names an existing document, and
recording its pages is conditional on the document still being ``received`` (row lock and
state check in ``ged.ingest._recording``), so of two workers racing on one job only the first records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from ..context import Context
from ..db.models import Document, DocumentState, Job, Worker
from ..states import JobState, WorkerState
from ._pool import PAGES_PER_RUN


@dataclass(frozen=True)
class Claimed:
    job_id: int
    document_id: int
    attempt: int


def enqueue(ctx: Context, document_ids: list[int]) -> int:
    """Add a pending job per document (a document that already has one keeps it)."""
    added = 0
    for document_id in document_ids:
        try:
            with ctx.db.session() as session:
                session.add(Job(document_id=document_id, state=JobState.PENDING, attempts=0, created_at=ctx.clock()))
            added += 1
        except IntegrityError:
            continue
    return added


def enqueue_orphans(ctx: Context) -> int:
    """Received documents without a job (intake crashed between storing and enqueueing)."""
    with ctx.db.session() as session:
        orphans = list(session.scalars(select(Document.id).outerjoin(Job, Job.document_id == Document.id)
                                       .where(Document.state == DocumentState.RECEIVED, Job.id.is_(None))))
    return enqueue(ctx, orphans)


def claim(ctx: Context, worker: str, *, lease: timedelta) -> list[Claimed]:
    """The oldest jobs pending or whose lease ran out; empty when there is nothing to do.

    Several at once, so that the worker's OCR pool reads one-page documents four to a Tesseract
    run as a single-machine ingest does (each run first loads the language models): one job at a
    time cost workers ≈ 0.2 CPU-s more per one-page document. But no more than a fair share of
    what is waiting among the live workers, so that a short queue is still spread over all of them.
    """
    now = ctx.clock()
    available = or_(Job.state == JobState.PENDING, and_(Job.state == JobState.CLAIMED, Job.lease_until < now))
    with ctx.db.session() as session:
        waiting = session.scalar(select(func.count(Job.id)).where(available)) or 0
        if waiting == 0:
            return []
        alive = session.scalar(select(func.count()).select_from(Worker).where(
            Worker.state == WorkerState.ACTIVE, Worker.heartbeat_at >= now - lease)) or 1
        share = max(1, min(ctx.settings.ocr.workers * PAGES_PER_RUN, waiting // alive))
        jobs = list(session.scalars(select(Job).where(available).order_by(Job.id).limit(share)
                                    .with_for_update(skip_locked=True)))
        for job in jobs:
            job.state, job.claimed_by, job.lease_until = JobState.CLAIMED, worker, now + lease
            job.attempts += 1
        return [Claimed(job.id, job.document_id, job.attempts) for job in jobs]


def renew(ctx: Context, job_id: int, worker: str, *, lease: timedelta) -> bool:
    """Extend the lease; False if the job was taken over meanwhile (this worker was too slow)."""
    with ctx.db.session() as session:
        job = session.get(Job, job_id, with_for_update=True)
        if job is None or job.claimed_by != worker or job.state != JobState.CLAIMED:
            return False
        job.lease_until = ctx.clock() + lease
        return True


def finish(ctx: Context, job_id: int, worker: str, *, pages: int | None, error: str | None = None) -> None:
    with ctx.db.session() as session:
        job = session.get(Job, job_id, with_for_update=True)
        if job is None or job.claimed_by != worker:
            return
        job.state = JobState.FAILED if error else JobState.DONE
        job.finished_at, job.pages, job.error, job.lease_until = ctx.clock(), pages, error, None


def heartbeat(ctx: Context, worker: str, *, documents: int = 0, pages: int = 0) -> None:
    """The worker is alive (and has done this much more since its last heartbeat)."""
    _beat(ctx, worker, WorkerState.ACTIVE, documents, pages)


def stopped(ctx: Context, worker: str) -> None:
    """The worker stopped cleanly: ``ged status`` no longer counts it."""
    _beat(ctx, worker, WorkerState.STOPPED, 0, 0)


def _beat(ctx: Context, worker: str, state: WorkerState, documents: int, pages: int) -> None:
    now = ctx.clock()
    with ctx.db.session() as session:
        row = session.get(Worker, worker)
        if row is None:
            session.add(Worker(name=worker, started_at=now, heartbeat_at=now, state=state, documents=documents,
                               pages=pages))
        else:
            row.heartbeat_at, row.state = now, state
            row.documents += documents
            row.pages += pages


@dataclass(frozen=True)
class WorkerView:
    name: str
    state: WorkerState
    alive: bool
    started_at: datetime
    documents: int
    pages: int
    pages_per_minute: float


@dataclass(frozen=True)
class QueueStatus:
    pending: int
    claimed: list[tuple[int, str, datetime]]
    """(document id, worker, lease end) of the jobs under way."""
    done_last_hour: int
    failed: int
    workers: list[WorkerView]


def status(ctx: Context, *, alive_within: timedelta) -> QueueStatus:
    now = ctx.clock()
    with ctx.db.session() as session:
        pending = session.scalar(select(func.count(Job.id)).where(Job.state == JobState.PENDING)) or 0
        claimed = [(j.document_id, j.claimed_by or "?", j.lease_until or now)
                   for j in session.scalars(select(Job).where(Job.state == JobState.CLAIMED).order_by(Job.id))]
        done = session.scalar(select(func.count(Job.id)).where(Job.state == JobState.DONE,
                                                               Job.finished_at > now - timedelta(hours=1))) or 0
        failed = session.scalar(select(func.count(Job.id)).where(Job.state == JobState.FAILED)) or 0
        workers = []
        for row in session.scalars(select(Worker).order_by(Worker.name)):
            minutes = max((row.heartbeat_at - row.started_at).total_seconds() / 60, 1e-9)
            workers.append(WorkerView(row.name, row.state, row.state == WorkerState.ACTIVE and now - row.heartbeat_at
                                      <= alive_within, row.started_at, row.documents, row.pages,
                                      round(row.pages / minutes, 1)))
    return QueueStatus(pending, claimed, done, failed, workers)
