"""OCR leaf: from a file's bytes to page texts, words with boxes, and a searchable PDF/A copy.

A library: paths, images and frozen dataclasses in, results out. It never touches the
database, the settings object or any global state of the core. Names are loaded on first
use, so that importing the package for its types costs nothing.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "errors": ("ConversionTimedOut", "CorruptInput", "EmptyInput", "EncryptedInput", "EngineError", "InputRejected",
               "LimitExceeded", "MissingDependency", "OcrError", "UnsupportedFormat"),
    "options": ("Limits", "OcrOptions"),
    "plan": ("DocumentPlan", "PageJob", "PagePlan"),
    "results": ("PageResult", "TextSource", "Word"),
    "tasks": ("INSPECT", "RECOGNISE_PAGES", "WRITE_SEARCHABLE_COPY"),
    "inspection": ("inspect",),
    "page": ("process_page", "process_pages"),
    "pdfa": ("PdfaFailed", "build_searchable_pdf", "generated_pdfa", "is_valid_pdfa", "write_searchable_copy"),
    "tesseract": ("check_available",),
    "forms": ("read_form_fields",),
    "scanprofile": ("ColourMode", "PageProfile", "read_profile"),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'ocr' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
