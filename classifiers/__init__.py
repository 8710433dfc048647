"""Classification leaf: document types, field extraction, request rules (deadlines, numbers).

A library like ``ocr``: texts, words with boxes and frozen dataclasses in, results out; no
database, no settings object. Names load on first use so that importing the package for
its types does not import scikit-learn.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "text": ("collapse", "fold"),
    "rules": ("RuleSet", "TypeRule"),
    "model": ("TypeModel", "train_model"),
    "decision": ("Classification", "IDENTIFIED", "ILLEGIBLE", "classify", "legibility"),
    "evaluation": ("Evaluation", "evaluate"),
    "fields.document": ("PageText", "WordBox"),
    "fields.extract": ("ExtractedField", "extract_fields", "field_codes", "normalise_value"),
    "fields.streets": ("StreetList", "parse_ban_csv"),
    "deadlines": ("DeadlineRule", "Delay", "Due", "Silence", "Unit", "WorkingCalendar", "compute_due"),
    "numbering": ("find_references", "format_number"),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'classifiers' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
