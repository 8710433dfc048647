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
import multiprocessing.forkserver
import os
import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from ocr import (
    INSPECT,
    RECOGNISE_PAGES,
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

from ._analysis import Analysis, AnalysisJob, ClassifierSpec, ModelUnavailable, analyse_recognised

T = TypeVar("T")
log = logging.getLogger(__name__)

PAGES_PER_RUN = 4
"""Pages a worker reads in one Tesseract run at most: each run first loads the language models
(≈ 0.1 CPU-s for fra+eng), and a page waits for at most three others."""


def start_fork_server() -> multiprocessing.context.ForkServerContext:
    """The context workers are made in, its fork server started if it was not.

    Not fork: the parent holds database and index threads. The fork server imports the OCR
    libraries and the typing and field readers once (≈ 0.6 s) and forks every worker from that
    clean process; a command that will process documents calls this first, so that those
    imports run beside its own. (Without the readers, each worker imported them on its first
    document: 0.14 CPU-s a worker.)
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["ocr.inspection", "ocr.page", "ocr.pdfa", "ocr.forms", "ged.ingest._pool",
                                    "classifiers.decision", "classifiers.fields.extract", "classifiers.model"])
    # Python 3.11's fork server ignores the sys.path it is given and starts as ``python -c``, with
    # the current folder first: an ``ocr.py`` there would be imported by the workers instead of
    # ours. PYTHONSAFEPATH keeps that folder out; the server inherits it, nothing else does.
    previous = os.environ.get("PYTHONSAFEPATH")
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        if previous is None:
            del os.environ["PYTHONSAFEPATH"]
        else:
            os.environ["PYTHONSAFEPATH"] = previous
    return context


class WorkerCrashed(InputRejected):
    """The file kills the worker process that reads it, even when it is the only one read."""

    code = "crash"


class Unreadable(InputRejected):
    """A library failed in an unexpected way while inspecting the file."""

    code = "unreadable"


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
    """The searchable PDF/A copy, valid until the next batch is asked for."""
    copy_warning: str | None = None
    analysis: Analysis | None = None
    """Type and fields, when a worker could compute them (the recorder does it otherwise)."""

    @property
    def failed_because(self) -> str | None:
        """Why a page could not be read, as the document's review reason."""
        return str(self.failure) if self.failure else None


@dataclass
class _Tracking(Generic[T]):
    result: Processed[T]
    source: Path
    workdir: Path
    job: AnalysisJob | None
    pages_left: int = 0
    finishing: int = 0
    """Tasks after recognition (the copy, the analysis) still running."""
    suspect: bool = False
    """It was in flight when a worker died: it now runs alone."""
    rendition: Path | None = None
    """What its pages are read from when not ``source`` (an office document's PDF/A), in ``workdir``."""

    @property
    def read(self) -> Path:
        return self.rendition or self.source


_Futures = dict[Future[Any], tuple[str, list[_Tracking[T]]]]
"""Each running task: its stage and the documents it serves (several for a run of pages)."""


@dataclass(frozen=True)
class FirstLook:
    """What a worker saw of a file; when no page needs OCR, the document is finished there too."""

    plan: DocumentPlan
    finished: bool = False
    copy_warning: str | None = None
    """Why there is no searchable copy (a signed PDF, a copy that could not be made valid)."""
    copy_error: OcrError | None = None
    """The copy failed in an unexpected way (as an ``OcrError``: a library's own exception may not pickle)."""
    analysis: Analysis | None = None


def first_look(source: Path, options: OcrOptions, copy_to: Path, classifier: ClassifierSpec | None,
               job: AnalysisJob | None) -> FirstLook:
    """In a worker: inspect the file; a document whose every page carries text (a born-digital
    letter) is also copied and analysed here, one task where it took three round trips through
    the parent. Inspection failures propagate (the file is refused), the others are reported."""
    plan: DocumentPlan = INSPECT(source, options, copy_to.parent / "rendu")
    if plan.ocr_pages:
        return FirstLook(plan)
    source = plan.read_from or source
    copy_to.parent.mkdir(parents=True, exist_ok=True)
    warning, error = None, None
    try:
        warning = WRITE_SEARCHABLE_COPY(source, plan, plan.text_pages, copy_to, timeout=options.timeout_seconds)
    except MissingDependency:
        raise
    except OcrError as exc:
        error = exc
    except Exception as exc:  # noqa: BLE001 - reported on the document, as when the copy is a task of its own
        error = _unexpected(exc)
    analysis = None
    if classifier is not None and job is not None:
        analysis = _analysed(lambda: analyse_recognised(classifier, job, source, plan.media_type, plan.text_pages))
    return FirstLook(plan, True, warning, error, analysis)


def _analysed(compute: Callable[[], Analysis]) -> Analysis | None:
    """None lets the recorder decide itself: no usable model here, or a bug on one document."""
    try:
        return compute()
    except ModelUnavailable:
        return None
    except Exception:  # noqa: BLE001 - the recorder runs the same code and reports what goes wrong
        log.warning("analyse impossible dans un processus OCR, reprise par l'enregistrement", exc_info=True)
        return None


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
            self._executor = ProcessPoolExecutor(self.workers, mp_context=start_fork_server())
        return self._executor.submit(function, *args, **kwargs)

    @property
    def window(self) -> int:
        """Documents in flight at once: enough to keep every worker busy (and give it full runs of
        pages: two runs' worth each) while the parent records one and receives the next, few
        enough that a crash leaves little to resume."""
        return self.workers * (2 * PAGES_PER_RUN + 1)

    def process(self, documents: Iterable[tuple[T, Path, AnalysisJob | None]]) -> Iterator[list[Processed[T]]]:
        """Inspect, recognise, copy and analyse every document; yield them as they are finished,
        together those that finished while the caller was busy with the previous ones (so that it
        can record them in one transaction: the busier it is, the larger its batches).

        ``documents`` is read lazily, one more each time one is finished: the parent stores
        the next file while the workers are busy, instead of batch after batch.

        A worker that dies (a library crashing on a hostile file, the kernel's out-of-memory
        killer) breaks the whole pool, and nothing says which document killed it: every document
        in flight is then run again, alone, in a new pool; one that kills a worker when alone is
        refused (``WorkerCrashed``) and the batch goes on.
        """
        pending = iter(documents)
        futures: _Futures[T] = {}
        waiting: list[tuple[PageJob, _Tracking[T]]] = []
        active: dict[int, _Tracking[T]] = {}
        suspects: deque[_Tracking[T]] = deque()
        started = 0

        def start(tracking: _Tracking[T]) -> None:
            nonlocal started
            tracking.workdir = self.workdir / str(started)  # a fresh one: a dead worker's files stay behind
            started += 1
            active[id(tracking)] = tracking
            futures[self._submit(first_look, tracking.source, self.options, tracking.workdir / "copie.pdf",
                                 self.classifier, tracking.job)] = ("inspect", [tracking])

        def refill() -> None:
            if suspects:
                if not active:
                    start(suspects.popleft())
                return
            while len(active) < self.window:
                item = next(pending, None)
                if item is None:
                    return
                key, source, job = item
                start(_Tracking(Processed(key), source, self.workdir, job))

        while True:
            try:
                refill()
                self._dispatch(waiting, futures)
                if not futures:
                    return
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                finished: list[_Tracking[T]] = []
                for future in done:
                    if isinstance(future.exception(), BrokenProcessPool):
                        raise BrokenProcessPool(str(future.exception()))
                    stage, trackings = futures.pop(future)
                    finished += self._advance(stage, future, trackings, futures, waiting)
            except BrokenProcessPool:
                finished = self._restart(list(active.values()), futures, waiting, suspects)
                active.clear()
                active.update((id(t), t) for t in finished)
            for tracking in finished:
                del active[id(tracking)]
            if finished:
                yield [tracking.result for tracking in finished]
            for tracking in finished:
                shutil.rmtree(tracking.workdir, ignore_errors=True)

    def _restart(self, active: list[_Tracking[T]], futures: _Futures[T], waiting: list[tuple[PageJob, _Tracking[T]]],
                 suspects: deque[_Tracking[T]]) -> list[_Tracking[T]]:
        """After a worker died: a new pool; the document that was alone is refused (returned, finished),
        the others are started again from scratch, one at a time."""
        log.warning("un processus OCR s'est arrêté brutalement : %d document(s) repris un par un", len(active))
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        futures.clear()
        waiting.clear()
        refused = []
        alone = len(active) == 1 and active[0].suspect
        for tracking in active:
            shutil.rmtree(tracking.workdir, ignore_errors=True)
            tracking.result = Processed(tracking.result.key)
            tracking.pages_left = tracking.finishing = 0
            tracking.rendition = None
            if alone:
                tracking.result.rejection = WorkerCrashed(
                    "le traitement de ce fichier arrête brutalement le processus qui le lit (plantage d'une "
                    "bibliothèque ou mémoire épuisée), deux fois de suite : fichier écarté")
                refused.append(tracking)
            else:
                tracking.suspect = True
        suspects.extendleft(reversed([t for t in active if t not in refused]))
        return refused

    def _dispatch(self, waiting: list[tuple[PageJob, _Tracking[T]]], futures: _Futures[T]) -> None:
        """Pages waiting go to free workers, shared out evenly, at most ``PAGES_PER_RUN`` per run; a
        lone page goes at once (no waiting for companions when the mail room is quiet)."""
        reading = sum(1 for stage, _ in futures.values() if stage == "pages")
        while waiting and reading < self.workers:
            size = min(PAGES_PER_RUN, -(-len(waiting) // (self.workers - reading)))
            batch, waiting[:] = waiting[:size], waiting[size:]
            futures[self._submit(RECOGNISE_PAGES, [job for job, _ in batch])] = ("pages", [t for _, t in batch])
            reading += 1

    def _advance(self, stage: str, future: Future[Any], trackings: list[_Tracking[T]], futures: _Futures[T],
                 waiting: list[tuple[PageJob, _Tracking[T]]]) -> list[_Tracking[T]]:
        """Take what a finished task produced, queue or submit what follows; the documents now done."""
        if stage == "pages":
            return [t for t in self._pages_read(future, trackings) if self._after_pages(t, futures)]
        [tracking] = trackings
        result = tracking.result
        if stage == "analysis":
            result.analysis = _analysed(future.result)
        elif stage == "copy":
            _copied(tracking, self._value(future, result))
        else:  # inspect
            look = self._look(future, result)
            if look is not None and look.plan.read_from is not None:
                tracking.rendition = look.plan.read_from
            if look is not None and look.finished:
                result.plan, result.pages, result.analysis = look.plan, list(look.plan.text_pages), look.analysis
                if look.copy_error is not None:
                    _note(result, look.copy_error)
                _copied(tracking, look.copy_warning)
                return [tracking]
            if look is not None:
                plan = look.plan
                result.plan, result.pages = plan, list(plan.text_pages)
                tracking.pages_left = len(plan.ocr_pages)
                waiting += [(PageJob(source=tracking.read, media_type=plan.media_type, page=page,
                                     workdir=tracking.workdir / str(page.number), options=self.options), tracking)
                            for page in plan.ocr_pages]
            return [tracking] if tracking.pages_left == 0 and self._after_pages(tracking, futures) else []
        tracking.finishing -= 1
        return [tracking] if tracking.finishing == 0 else []

    def _pages_read(self, future: Future[Any], trackings: list[_Tracking[T]]) -> list[_Tracking[T]]:
        """Each page's outcome onto its document; the documents whose last page this was."""
        try:
            outcomes: list[Any] = future.result()
        except MissingDependency:
            raise
        except Exception as exc:  # noqa: BLE001 - the whole run failed (a worker died): every page in it did
            outcomes = [exc] * len(trackings)
        complete = []
        for tracking, outcome in zip(trackings, outcomes, strict=True):
            tracking.pages_left -= 1
            if isinstance(outcome, PageResult):
                tracking.result.pages.append(outcome)
            else:
                _note(tracking.result, outcome)
            if tracking.pages_left == 0:
                complete.append(tracking)
        return complete

    def _after_pages(self, tracking: _Tracking[T], futures: _Futures[T]) -> bool:
        """Every page is read: the copy and the analysis run side by side; True if nothing is left to do."""
        result = tracking.result
        if result.plan is None or result.rejection is not None or result.failure is not None:
            return True
        result.pages.sort(key=lambda p: p.number)
        tracking.workdir.mkdir(parents=True, exist_ok=True)
        copy = self._submit(WRITE_SEARCHABLE_COPY, tracking.read, result.plan, result.pages,
                            tracking.workdir / "copie.pdf", timeout=self.options.timeout_seconds)
        futures[copy] = ("copy", [tracking])
        tracking.finishing = 1
        if self.classifier is not None and tracking.job is not None:
            futures[self._submit(analyse_recognised, self.classifier, tracking.job, tracking.read,
                                 result.plan.media_type, result.pages)] = ("analysis", [tracking])
            tracking.finishing = 2
        return False

    @staticmethod
    def _look(future: Future[Any], result: Processed[T]) -> FirstLook | None:
        """What the worker saw, or None with the reason to refuse the file: a file a library cannot
        even inspect has no pages to keep."""
        try:
            return future.result()
        except MissingDependency:
            raise
        except InputRejected as exc:
            result.rejection = exc
        except Exception as exc:  # noqa: BLE001 - a library bug on one file must not stop the batch
            result.rejection = Unreadable(f"fichier illisible : erreur inattendue à l'examen "
                                          f"({type(exc).__name__}: {str(exc)[:200]})")
        return None

    @staticmethod
    def _value(future: Future[Any], result: Processed[T]) -> Any:
        """The task's value, or None with the failure noted on the document."""
        try:
            return future.result()
        except MissingDependency:
            raise
        except Exception as exc:  # noqa: BLE001 - a library bug on one file must not stop the batch
            _note(result, exc)
        return None


def _copied(tracking: _Tracking[Any], warning: str | None) -> None:
    """The copy task ended: the copy is there unless a warning or a failure says otherwise."""
    tracking.result.copy_warning = warning
    if warning is None and tracking.result.failure is None:
        tracking.result.copy = tracking.workdir / "copie.pdf"


def _note(result: Processed[Any], exc: BaseException) -> None:
    """The first reason a document cannot be used (quarantine) or was not fully read (review)."""
    if isinstance(exc, InputRejected):
        result.rejection = result.rejection or exc
    elif isinstance(exc, OcrError):
        result.failure = result.failure or exc
    else:
        result.failure = result.failure or _unexpected(exc)


def _unexpected(exc: BaseException) -> EngineError:
    """A library's own exception as an ``OcrError``: it pickles, and the document records its name."""
    return EngineError(f"erreur inattendue : {type(exc).__name__}: {exc}")
