"""Processing of a batch of documents in one pool of worker processes.

Everything that costs runs in the workers: inspecting a file, recognising each page (pages
of every document share the pool, so both cores stay busy even with one-page letters) and
writing the searchable PDF/A copy. The parent only stores and records. Workers run one
Tesseract thread each (FIELD-NOTES). Documents come back as soon as they are finished.
"""

from __future__ import annotations

import multiprocessing
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from ocr import (
    INSPECT,
    RECOGNISE_PAGE,
    WRITE_SEARCHABLE_COPY,
    DocumentPlan,
    EngineError,
    InputRejected,
    MissingDependency,
    OcrError,
    OcrOptions,
    PageJob,
    PageResult,
)

T = TypeVar("T")


@dataclass
class Processed(Generic[T]):
    key: T
    plan: DocumentPlan | None = None
    pages: list[PageResult] = field(default_factory=list)
    rejection: InputRejected | None = None
    """The file itself is unusable: quarantine it."""
    failure: OcrError | None = None
    """A tool failed on a page: keep what was read, ask for review."""
    copy: Path | None = None
    """The searchable PDF/A copy, valid until the next document is asked for."""
    copy_warning: str | None = None


@dataclass
class _Tracking(Generic[T]):
    result: Processed[T]
    source: Path
    workdir: Path
    pages_left: int = 0


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

    def _submit(self, function: Any, *args: Any, **kwargs: Any) -> Future[Any]:
        if self._executor is None:
            # Not fork: the parent holds database and index threads. A fork server imports the
            # OCR modules once and forks every worker from that clean process.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["ocr.inspection", "ocr.page", "ocr.pdfa"])
            self._executor = ProcessPoolExecutor(self.workers, mp_context=context)
        return self._executor.submit(function, *args, **kwargs)

    def process(self, documents: Sequence[tuple[T, Path]]) -> Iterator[Processed[T]]:
        """Inspect, recognise and copy every document; yield each one when it is finished."""
        futures: dict[Future[Any], tuple[str, _Tracking[T]]] = {}
        for index, (key, source) in enumerate(documents):
            tracking = _Tracking(Processed(key), source, self.workdir / str(index))
            futures[self._submit(INSPECT, source, self.options)] = ("inspect", tracking)
        while futures:
            done, _ = wait(futures, return_when=FIRST_COMPLETED)
            for future in done:
                stage, tracking = futures.pop(future)
                if self._advance(stage, future, tracking, futures):
                    yield tracking.result
                    shutil.rmtree(tracking.workdir, ignore_errors=True)

    def _advance(self, stage: str, future: Future[Any], tracking: _Tracking[T],
                 futures: dict[Future[Any], tuple[str, _Tracking[T]]]) -> bool:
        """Take what a finished task produced, submit what follows; True when the document is done."""
        result = tracking.result
        value = self._value(future, result)
        if stage == "copy":
            result.copy_warning = value
            if value is None and result.failure is None:
                result.copy = tracking.workdir / "copie.pdf"
            return True
        if stage == "inspect" and value is not None:
            result.plan = value
            result.pages = list(value.text_pages)
            tracking.pages_left = len(value.ocr_pages)
            for page in value.ocr_pages:
                job = PageJob(source=tracking.source, media_type=value.media_type, page=page,
                              workdir=tracking.workdir / str(page.number), options=self.options)
                futures[self._submit(RECOGNISE_PAGE, job)] = ("page", tracking)
        elif stage == "page":
            tracking.pages_left -= 1
            if value is not None:
                result.pages.append(value)
        if tracking.pages_left > 0:
            return False
        if result.plan is None or result.rejection is not None or result.failure is not None:
            return True
        result.pages.sort(key=lambda p: p.number)
        tracking.workdir.mkdir(parents=True, exist_ok=True)
        copy = self._submit(WRITE_SEARCHABLE_COPY, tracking.source, result.plan, result.pages,
                            tracking.workdir / "copie.pdf", timeout=self.options.timeout_seconds)
        futures[copy] = ("copy", tracking)
        return False

    @staticmethod
    def _value(future: Future[Any], result: Processed[T]) -> Any:
        """The task's value, or None with the failure noted on the document."""
        try:
            return future.result()
        except MissingDependency:
            raise
        except InputRejected as exc:
            result.rejection = result.rejection or exc
        except OcrError as exc:
            result.failure = result.failure or exc
        except Exception as exc:  # noqa: BLE001 - a library bug on one file must not stop the batch
            result.failure = result.failure or EngineError(f"erreur inattendue : {type(exc).__name__}: {exc}")
        return None
