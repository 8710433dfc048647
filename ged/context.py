"""The opened installation: settings, database, blob store and search engine, built once."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy.orm import Session

from ocr import Limits, OcrOptions

from . import journal, witness
from .anchors import Anchors
from .blobs import BlobStore
from .classification import Classifier
from .clock import Clock, utc_now
from .db import Database
from .errors import NotInitialised
from .search import SearchEngine, open_engine
from .settings import Settings


@dataclass
class Context:
    settings: Settings
    clock: Clock = field(default=utc_now)

    @classmethod
    def open(cls, settings: Settings, *, clock: Clock = utc_now, require_init: bool = True) -> Context:
        if require_init and not settings.home.is_dir():
            raise NotInitialised(
                f"aucune GED dans {settings.home} : lancez « ged init » ou définissez GED_HOME"
            )
        context = cls(settings, clock)
        context.db.migrate()
        return context

    @cached_property
    def db(self) -> Database:
        database = Database(self.settings.db_url)
        witness.watch(database, self.clock)
        database.listen("after_commit", self._anchor_head)
        database.listen("after_rollback", journal.forget_uncommitted)
        return database

    @cached_property
    def anchors(self) -> Anchors:
        copies = [self.settings.resolve(p) for p in self.settings.journal.seal_log_copies]
        return Anchors(self.settings.anchor_path, copies)

    def _anchor_head(self, session: Session) -> None:
        head = journal.committed_head(session)
        if head is not None:
            self.anchors.record_head(*head)

    @cached_property
    def blobs(self) -> BlobStore:
        return BlobStore(self.settings.blobs_path)

    @cached_property
    def search(self) -> SearchEngine:
        return open_engine(self.settings)

    @cached_property
    def classifier(self) -> Classifier:
        return Classifier(self.settings)

    @cached_property
    def ocr_options(self) -> OcrOptions:
        ocr, limits = self.settings.ocr, self.settings.limits
        return OcrOptions(
            languages=ocr.languages, dpi=ocr.dpi, timeout_seconds=ocr.timeout_seconds,
            min_text_chars=ocr.min_text_chars, thresholding_method=ocr.thresholding_method,
            limits=Limits(max_file_bytes=limits.max_file_bytes, max_pages=limits.max_pages,
                          max_page_pixels=limits.max_page_pixels),
        )

    def __enter__(self) -> Context:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.dispose()
