"""Processing of a batch of documents in one pool of worker processes.

Everything that costs runs in the workers: inspecting a file, recognising each page (pages
of every document share the pool, so both cores stay busy even with one-page letters),
writing the searchable PDF/A copy, and typing the document and reading its fields. The
parent only stores and records. Workers run one Tesseract thread each (FIELD-NOTES).
Documents come back as soon as they are finished.
"""

from __future__ import annotations

import logging
import multiprocessing
import shutil
import tempfile
from collections.abc import Iterable, Iterator
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

from .analysis import Analysis, AnalysisJob, ClassifierSpec, ModelUnavailable, analyse_recognised

T = TypeVar("T")
log = logging.getLogger(__name__)


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
    analysis: Analysis | None = None
    """Type and fields, when a worker could compute them (the recorder does it otherwise)."""


@dataclass
class _Tracking(Generic[T]):
    result: Processed[T]
    source: Path
    workdir: Path
    job: AnalysisJob | None
    pages_left: int = 0
    finishing: int = 0
    """Tasks after recognition (the copy, the analysis) still running."""


class OcrPool:
    """A process pool created on first need and closed with the ``with`` block."""

    def __init__(self, options: OcrOptions, workers: int, classifier: ClassifierSpec | None = None) -> None:
        self.options = options
        self.workers = workers
        self.classifier = classifier
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
            context.set_forkserver_preload(["ocr.inspection", "ocr.page", "ocr.pdfa", "ged.analysis"])
            self._executor = ProcessPoolExecutor(self.workers, mp_context=context)
        return self._executor.submit(function, *args, **kwargs)

    @property
    def window(self) -> int:
        """Documents in flight at once: enough to keep every worker busy while the parent records
        one and receives the next, few enough that a crash leaves little to resume."""
        return 2 * self.workers + 2

    def process(self, documents: Iterable[tuple[T, Path, AnalysisJob | None]]) -> Iterator[Processed[T]]:
        """Inspect, recognise, copy and analyse every document; yield each one when it is finished.

        ``documents`` is read lazily, one more each time one is finished: the parent stores
        the next file while the workers are busy, instead of batch after batch.
        """
        pending = iter(documents)
        futures: dict[Future[Any], tuple[str, _Tracking[T]]] = {}
        admitted = 0

        def admit() -> bool:
            nonlocal admitted
            item = next(pending, None)
            if item is None:
                return False
            key, source, job = item
            tracking = _Tracking(Processed(key), source, self.workdir / str(admitted), job)
            futures[self._submit(INSPECT, source, self.options)] = ("inspect", tracking)
            admitted += 1
            return True

        for _ in range(self.window):
            if not admit():
                break
        while futures:
            done, _ = wait(futures, return_when=FIRST_COMPLETED)
            for future in done:
                stage, tracking = futures.pop(future)
                if self._advance(stage, future, tracking, futures):
                    admit()
                    yield tracking.result
                    shutil.rmtree(tracking.workdir, ignore_errors=True)

    def _advance(self, stage: str, future: Future[Any], tracking: _Tracking[T],
                 futures: dict[Future[Any], tuple[str, _Tracking[T]]]) -> bool:
        """Take what a finished task produced, submit what follows; True when the document is done."""
        result = tracking.result
        if stage == "analysis":
            result.analysis = self._analysis(future)
        else:
            value = self._value(future, result)
            if stage == "copy":
                result.copy_warning = value
                if value is None and result.failure is None:
                    result.copy = tracking.workdir / "copie.pdf"
            elif stage == "inspect" and value is not None:
                self._recognise(value, tracking, futures)
            elif stage == "page":
                tracking.pages_left -= 1
                if value is not None:
                    result.pages.append(value)
        if stage in ("copy", "analysis"):
            tracking.finishing -= 1
            return tracking.finishing == 0
        if tracking.pages_left > 0:
            return False
        if result.plan is None or result.rejection is not None or result.failure is not None:
            return True
        self._finish(tracking, futures)
        return False

    def _recognise(self, plan: DocumentPlan, tracking: _Tracking[T],
                   futures: dict[Future[Any], tuple[str, _Tracking[T]]]) -> None:
        tracking.result.plan = plan
        tracking.result.pages = list(plan.text_pages)
        tracking.pages_left = len(plan.ocr_pages)
        for page in plan.ocr_pages:
            job = PageJob(source=tracking.source, media_type=plan.media_type, page=page,
                          workdir=tracking.workdir / str(page.number), options=self.options)
            futures[self._submit(RECOGNISE_PAGE, job)] = ("page", tracking)

    def _finish(self, tracking: _Tracking[T], futures: dict[Future[Any], tuple[str, _Tracking[T]]]) -> None:
        """Every page is read: the copy and the analysis run side by side."""
        result = tracking.result
        assert result.plan is not None
        result.pages.sort(key=lambda p: p.number)
        tracking.workdir.mkdir(parents=True, exist_ok=True)
        futures[self._submit(WRITE_SEARCHABLE_COPY, tracking.source, result.plan, result.pages,
                             tracking.workdir / "copie.pdf", timeout=self.options.timeout_seconds)] = ("copy", tracking)
        tracking.finishing = 1
        if self.classifier is not None and tracking.job is not None:
            futures[self._submit(analyse_recognised, self.classifier, tracking.job, tracking.source,
                                 result.plan.media_type, result.pages)] = ("analysis", tracking)
            tracking.finishing = 2

    @staticmethod
    def _analysis(future: Future[Any]) -> Analysis | None:
        """None lets the recorder decide itself: no usable model here, or a bug on one document."""
        try:
            return future.result()
        except ModelUnavailable:
            return None
        except Exception:  # noqa: BLE001 - the recorder runs the same code and reports what goes wrong
            log.warning("analyse impossible dans un processus OCR, reprise par l'enregistrement", exc_info=True)
            return None

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
