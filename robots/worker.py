"""``ged worker``: claims processing jobs from the shared database and does them, on any number of machines.

A few jobs at a time per worker process (a fair share of the queue), their pages in parallel in the
worker's own OCR pool (kept alive between jobs); a thread renews the jobs' leases while they run.
SIGTERM finishes the jobs under way, then stops. A heartbeat row says the worker is alive and what it has done.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from ged.context import Context
from ged.services import queue
from ged.services.ingest import IngestReport, IngestService

log = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_worker(ctx: Context, stop: threading.Event, *, name: str | None = None, idle_exit: float | None = None,
               on_report: Callable[[IngestReport], None] | None = None) -> int:
    """Work until ``stop`` is set (or the queue stays empty ``idle_exit`` seconds); returns documents done."""
    settings = ctx.settings.workers
    name = name or worker_name()
    lease = timedelta(seconds=settings.lease_seconds)
    service = IngestService(ctx, actor=f"worker:{name}")
    done, idle = 0, 0.0
    queue.heartbeat(ctx, name)
    with service.ocr_pool() as pool:
        while not stop.is_set():
            queue.enqueue_orphans(ctx)
            jobs = queue.claim(ctx, name, lease=lease)
            if not jobs:
                queue.heartbeat(ctx, name)
                if idle_exit is not None and idle >= idle_exit:
                    break
                stop.wait(settings.poll_seconds)
                idle += settings.poll_seconds
                continue
            idle = 0.0
            pages = _do(ctx, service, pool, jobs, name, lease, on_report)
            done += len(jobs)
            queue.heartbeat(ctx, name, documents=len(jobs), pages=pages)
    queue.stopped(ctx, name)
    return done


def _do(ctx: Context, service: IngestService, pool: Any, jobs: list[queue.Claimed], name: str, lease: timedelta,
        on_report: Callable[[IngestReport], None] | None) -> int:
    """Process the claimed jobs together; if that fails, each alone, so that one document that
    breaks processing fails its own job only. Returns the pages read.

    The jobs are finished once the lease renewer has stopped: a job finished under it would look
    taken over by another worker at its next renewal."""
    finished = threading.Event()

    def renew() -> None:
        interval = min(ctx.settings.workers.heartbeat_seconds, lease.total_seconds() / 3)
        held = list(jobs)
        while held and not finished.wait(interval):
            for job in list(held):
                if not queue.renew(ctx, job.job_id, name, lease=lease):
                    log.warning("travail %s repris par un autre worker", job.job_id)
                    held.remove(job)

    renewer = threading.Thread(target=renew, daemon=True)
    renewer.start()
    try:
        reports, errors = _process(service, pool, jobs)
    finally:
        finished.set()
        renewer.join()
    pages = {r.document_id: r.page_count for r in reports}
    for job in jobs:
        queue.finish(ctx, job.job_id, name, pages=pages.get(job.document_id), error=errors.get(job.job_id))
    for report in reports:
        if on_report is not None:
            on_report(report)
    return sum(r.page_count or 0 for r in reports)


def _process(service: IngestService, pool: Any, jobs: list[queue.Claimed]) -> tuple[list[IngestReport], dict[int, str]]:
    """The reports of the documents processed, and why each failed job failed (by job id)."""
    try:
        return service.process_documents([job.document_id for job in jobs], pool), {}
    except Exception as exc:  # noqa: BLE001 - a failing document must not stop the worker
        if len(jobs) == 1:
            log.exception("document %s", jobs[0].document_id)
            return [], {jobs[0].job_id: str(exc)}
        log.warning("échec d'un lot de %d documents : repris un par un", len(jobs), exc_info=True)
    reports: list[IngestReport] = []
    errors: dict[int, str] = {}
    for job in jobs:
        alone, failed = _process(service, pool, [job])
        reports += alone
        errors |= failed
    return reports, errors
