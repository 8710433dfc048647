"""Recognition of many documents' pages in one pool of worker processes.

Pages of every document in a batch share the pool, so both cores stay busy even when
documents have one page each. Workers run one Tesseract thread each (FIELD-NOTES).
Results come back per document, in submission order, as soon as all its pages are done.
"""

from __future__ import annotations

import multiprocessing
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from ocr import DocumentPlan, OcrError, OcrOptions, PageJob, PageResult, process_page

T = TypeVar("T")


@dataclass(frozen=True)
class Recognised(Generic[T]):
    key: T
    pages: list[PageResult]
    """Every page in order: text-layer pages and OCR'd ones."""
    error: OcrError | None = None
    """The first page failure, if any (the document's other pages may be missing)."""


class OcrPool:
    """A process pool created on first need and closed with the ``with`` block."""

    def __init__(self, options: OcrOptions, workers: int) -> None:
        self.options = options
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None
        self.workdir = Path(tempfile.mkdtemp(prefix="ged-ocr-"))

    def __enter__(self) -> OcrPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _submit(self, job: PageJob) -> Future[PageResult]:
        if self._executor is None:
            # Not fork: the parent holds database and index threads. A fork server imports the
            # OCR modules once and forks every worker from that clean process.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["ocr.page"])
            self._executor = ProcessPoolExecutor(self.workers, mp_context=context)
        return self._executor.submit(process_page, job)

    def recognise(self, documents: Sequence[tuple[T, Path, DocumentPlan]]) -> Iterator[Recognised[T]]:
        """Submit every OCR page of every document, then yield documents as they complete."""
        submitted: list[tuple[T, DocumentPlan, list[Future[PageResult]]]] = []
        for index, (key, source, plan) in enumerate(documents):
            futures = [
                self._submit(PageJob(source=source, media_type=plan.media_type, page=page,
                                     workdir=self.workdir / f"{index}-{page.number}", options=self.options))
                for page in plan.ocr_pages
            ]
            submitted.append((key, plan, futures))
        for key, plan, futures in submitted:
            pages = list(plan.text_pages)
            error: OcrError | None = None
            for future in futures:
                try:
                    pages.append(future.result())
                except OcrError as exc:
                    error = error or exc
            yield Recognised(key, sorted(pages, key=lambda p: p.number), error)
