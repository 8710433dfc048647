"""``ged worker``: claims processing jobs from the shared database and does them, on any number of machines.

One job at a time per worker process, its pages in parallel in the worker's own OCR pool (kept
alive between jobs); a thread renews the job's lease while it runs. SIGTERM finishes the job
under way, then stops. A heartbeat row says the worker is alive and what it has done.
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
    queue.heartbeat(ctx, name, state="actif")
    with service.ocr_pool() as pool:
        while not stop.is_set():
            queue.enqueue_orphans(ctx)
            job = queue.claim(ctx, name, lease=lease)
            if job is None:
                queue.heartbeat(ctx, name, state="actif")
                if idle_exit is not None and idle >= idle_exit:
                    break
                stop.wait(settings.poll_seconds)
                idle += settings.poll_seconds
                continue
            idle = 0.0
            pages = _do(ctx, service, pool, job, name, lease, on_report)
            done += 1
            queue.heartbeat(ctx, name, state="actif", documents=1, pages=pages or 0)
    queue.heartbeat(ctx, name, state="arrete")
    return done


def _do(ctx: Context, service: IngestService, pool: Any, job: queue.Claimed, name: str, lease: timedelta,
        on_report: Callable[[IngestReport], None] | None) -> int | None:
    finished = threading.Event()

    def renew() -> None:
        interval = min(ctx.settings.workers.heartbeat_seconds, lease.total_seconds() / 3)
        while not finished.wait(interval):
            if not queue.renew(ctx, job.job_id, name, lease=lease):
                log.warning("travail %s repris par un autre worker", job.job_id)
                return

    renewer = threading.Thread(target=renew, daemon=True)
    renewer.start()
    try:
        reports = service.process_documents([job.document_id], pool)
    except Exception as exc:  # noqa: BLE001 - a failing document must not stop the worker
        log.exception("document %s", job.document_id)
        finished.set()
        queue.finish(ctx, job.job_id, name, pages=None, error=str(exc))
        return None
    finished.set()
    renewer.join()
    pages = sum(r.page_count or 0 for r in reports)
    queue.finish(ctx, job.job_id, name, pages=pages)
    for report in reports:
        if on_report is not None:
            on_report(report)
    return pages
