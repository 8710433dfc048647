"""OCR leaf: from a file's bytes to page texts, words with boxes, and a searchable PDF/A copy.

A library: paths, images and frozen dataclasses in, results out. It never touches the
database, the settings object or any global state of the core.
"""

from .errors import (
    CorruptInput,
    EmptyInput,
    EncryptedInput,
    EngineError,
    InputRejected,
    LimitExceeded,
    MissingDependency,
    OcrError,
    UnsupportedFormat,
)
from .inspect import DocumentPlan, PagePlan, inspect
from .options import Limits, OcrOptions
from .page import PageJob, process_page
from .pdfa import PdfaFailed, build_searchable_pdf, is_valid_pdfa, write_searchable_copy
from .results import PageResult, TextSource, Word
from .tesseract import check_available

__all__ = [
    "CorruptInput", "DocumentPlan", "EmptyInput", "EncryptedInput", "EngineError", "InputRejected",
    "LimitExceeded", "Limits", "MissingDependency", "OcrError", "OcrOptions", "PageJob", "PagePlan",
    "PageResult", "PdfaFailed", "TextSource", "UnsupportedFormat", "Word", "build_searchable_pdf",
    "check_available", "inspect", "is_valid_pdfa", "process_page", "write_searchable_copy",
]
