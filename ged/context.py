"""The opened installation: settings, database, blob store and search engine, each built when first used.

Nothing is imported or opened before it is needed: ``ged search`` reads the index without
loading the database layer, the OCR leaf or the classifier (≈ 0.6 CPU-s of imports), and the
database is brought to the newest schema the first time a command touches it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from .clock import Clock, utc_now
from .errors import NotInitialised
from .settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ocr import OcrOptions

    from .anchors import Anchors
    from .blobs import BlobStore
    from .classification import Classifier
    from .db import Database
    from .search import SearchEngine


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
        return cls(settings, clock)

    @cached_property
    def db(self) -> Database:
        """The database at the newest schema, its journal anchored and its witnessed rows watched."""
        from . import journal, witness
        from .db import Database

        database = Database(self.settings.db_url)
        database.migrate()
        witness.watch(database, self.clock)
        database.listen("after_commit", self._anchor_head)
        database.listen("after_rollback", journal.forget_uncommitted)
        return database

    @cached_property
    def anchors(self) -> Anchors:
        from .anchors import Anchors

        copies = [self.settings.resolve(p) for p in self.settings.journal.seal_log_copies]
        return Anchors(self.settings.anchor_path, copies)

    def _anchor_head(self, session: Session) -> None:
        from . import journal

        head = journal.committed_head(session)
        if head is not None:
            self.anchors.record_head(*head)

    @cached_property
    def blobs(self) -> BlobStore:
        from .blobs import BlobStore

        return BlobStore(self.settings.blobs_path)

    @cached_property
    def search(self) -> SearchEngine:
        from .search import open_engine

        return open_engine(self.settings)

    @cached_property
    def classifier(self) -> Classifier:
        from .classification import Classifier

        return Classifier(self.settings)

    @cached_property
    def ocr_options(self) -> OcrOptions:
        from ocr import Limits, OcrOptions

        ocr, limits = self.settings.ocr, self.settings.limits
        return OcrOptions(
            languages=ocr.languages, dpi=ocr.dpi, timeout_seconds=ocr.timeout_seconds,
            conversion_timeout_seconds=ocr.conversion_timeout_seconds,
            min_text_chars=ocr.min_text_chars, thresholding_method=ocr.thresholding_method,
            limits=Limits(max_file_bytes=limits.max_file_bytes, max_pages=limits.max_pages,
                          max_page_pixels=limits.max_page_pixels),
        )

    def __enter__(self) -> Context:
        """``with Context.open(settings) as ctx:``: the database's connections are released however
        the block ends (a command that raises no longer leaks them)."""
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.dispose()
