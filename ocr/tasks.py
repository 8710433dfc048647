"""The entry points worker processes run, as small picklable objects.

A task names its function instead of holding it, so that the parent process, which only
dispatches, never imports the imaging and PDF libraries the work needs.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Task:
    module: str
    function: str

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(self.module), self.function)(*args, **kwargs)


INSPECT = Task("ocr.inspection", "inspect")
"""(path, OcrOptions, workdir for a rendition) → DocumentPlan, or InputRejected."""
RECOGNISE_PAGES = Task("ocr.page", "process_pages")
"""(list of PageJob) → one PageResult or OcrError each, Tesseract run once for all."""
WRITE_SEARCHABLE_COPY = Task("ocr.pdfa", "write_searchable_copy")
"""(source, DocumentPlan, pages, destination, timeout=) → None, or why there is no copy."""
