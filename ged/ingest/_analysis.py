"""Typing and field extraction of one recognised document: the pure part of understanding it.

It runs in the OCR worker processes, next to the page work, so that the process that
records documents (one per installation, serial) only writes rows: on born-digital mail,
classification and extraction were two thirds of that process's time. The database part
(citations of existing requests, corrections kept, routing, registration) stays in
``ged.ingest._understanding``, which also runs this itself when a worker could not.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import classifiers
import ocr
from classifiers.fields.document import PageText, WordBox
from classifiers.rules import RuleSet

from ..text import document_text

if TYPE_CHECKING:  # NumPy loads with the model, not with every module that imports this one
    from classifiers.model import TypeModel

_MEDIA_PDF = "application/pdf"


@dataclass(frozen=True)
class ClassifierSpec:
    """The configured decision, picklable: a worker process loads the model from ``model_path`` itself."""

    rules: RuleSet
    model_path: Path
    threshold: float
    model_weight: float
    types: frozenset[str]
    """The configured types: a type given at intake counts only if it is one of them."""
    streets: tuple[str, ...] = ()
    """The commune's street names, to snap addresses in the commune to."""


@dataclass(frozen=True)
class Analysis:
    decision: classifiers.Classification
    fields: tuple[classifiers.ExtractedField, ...]
    """Extracted for ``decision.doc_type``."""
    given_type: str | None
    """The type given at intake this was computed with; the recorder redoes it if that changed."""


@dataclass(frozen=True)
class AnalysisJob:
    """What a worker needs of the stored document besides its pages."""

    given_type: str | None
    """A type decided at intake (a separator sheet, a watched folder): kept, not guessed."""
    received_on: date
    """Completes dates written without a year."""


class ModelUnavailable(Exception):
    """No usable model file: the recording process trains the default one and decides itself."""


def from_results(results: Sequence[ocr.PageResult]) -> list[PageText]:
    return [PageText(r.number, tuple(WordBox(w.text, w.x0, w.y0, w.x1, w.y1, w.confidence, w.line) for w in r.words),
                     r.width_pt, r.height_pt) for r in sorted(results, key=lambda r: r.number)]


def decide(spec: ClassifierSpec, model: TypeModel | None, text: str,
           pages: Sequence[PageText] = ()) -> classifiers.Classification:
    words = [w for page in pages for w in page.words]
    return classifiers.classify(text, rules=spec.rules, model=model, threshold=spec.threshold,
                                model_weight=spec.model_weight,
                                legible=classifiers.legibility(words) if words else 1.0)


def analyse(spec: ClassifierSpec, model: TypeModel | None, text: str, pages: Sequence[PageText], *,
            job: AnalysisJob, form_fields: Mapping[str, str]) -> Analysis:
    """The type (given, or decided by rules and model) and the fields of that type."""
    if job.given_type in spec.types:
        decision = classifiers.Classification(job.given_type, 1.0, False, "dépôt", {job.given_type: 1.0})
    else:
        decision = decide(spec, model, text, pages)
    fields = classifiers.extract_fields(decision.doc_type, pages, reference=job.received_on, form_fields=form_fields,
                                        streets=classifiers.StreetList(spec.streets))
    return Analysis(decision, tuple(fields), job.given_type)


def form_fields_of(path: Path, media_type: str | None) -> dict[str, str]:
    return ocr.read_form_fields(path) if media_type == _MEDIA_PDF else {}


def analyse_recognised(spec: ClassifierSpec, job: AnalysisJob, source: Path, media_type: str,
                       results: Sequence[ocr.PageResult]) -> Analysis:
    """In a worker process: the model is loaded once per process and again when its file changes."""
    try:
        stat = spec.model_path.stat()
    except FileNotFoundError as exc:
        raise ModelUnavailable(str(spec.model_path)) from exc
    model = _model(spec.model_path, stat.st_mtime_ns, stat.st_size)
    if model is None:
        raise ModelUnavailable(str(spec.model_path))
    ordered = sorted(results, key=lambda r: r.number)
    return analyse(spec, model, document_text([r.text for r in ordered]), from_results(ordered), job=job,
                   form_fields=form_fields_of(source, media_type))


@functools.lru_cache(maxsize=1)
def _model(path: Path, mtime_ns: int, size: int) -> TypeModel | None:
    """Keyed by the file's date and size too, so that ``ged classify train`` reaches running workers."""
    return classifiers.TypeModel.load(path)
