"""Retraining the classifier from what agents validated, and measuring it on documents it never saw.

Validated documents are split once and for all by their id (one in five is held out), so
that ``ged classify eval`` never scores the model on a document it was trained on, however
often it is retrained. The generated corpus completes the training set (types a commune has
not validated yet keep being recognised) and gives a second, larger held-out set.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

import classifiers
from classifiers.corpus import generate
from classifiers.evaluation import Evaluation

__all__ = ["Evaluation", "EvaluationReport", "Trained", "evaluate", "train"]

from .. import journal
from ..classification import DEFAULT_SEED, Classifier, training_corpus
from ..context import Context
from ..db.models import Document, DocumentState
from . import fixity

_VALIDATED = (DocumentState.VALIDATED, DocumentState.ARCHIVED, DocumentState.TRANSFERRED)
_VALIDATED_WEIGHT = 3
"""A commune's own validated mail counts three times a generated letter."""
_HELD_OUT_SEED = DEFAULT_SEED + 1
_HELD_OUT_PER_TYPE = 40


def _held_out(document_id: int) -> bool:
    return hashlib.sha256(str(document_id).encode()).digest()[0] % 5 == 0


def _validated(ctx: Context) -> list[tuple[int, str, str]]:
    with ctx.db.session() as session:
        documents = session.scalars(select(Document).options(selectinload(Document.pages))
                                    .where(Document.state.in_(_VALIDATED), Document.doc_type.is_not(None)))
        return [(d.id, d.text, d.doc_type or "") for d in documents if d.doc_type in ctx.settings.types and d.text]


@dataclass(frozen=True)
class Trained:
    generated: int
    validated: int
    held_out: int
    info: dict[str, Any]


def train(ctx: Context, *, actor: str) -> Trained:
    """A new model from the generated corpus and the validated documents; replaces the current one."""
    documents = _validated(ctx)
    validated = [(text, label) for doc_id, text, label in documents if not _held_out(doc_id)]
    held_out = len(documents) - len(validated)
    generated = training_corpus(ctx.settings)
    texts = [s.text for s in generated] + [t for t, _ in validated] * _VALIDATED_WEIGHT
    labels = [s.label for s in generated] + [label for _, label in validated] * _VALIDATED_WEIGHT
    info = {"corpus": "généré + validé", "generated": len(generated), "validated": len(validated),
            "trained_at": ctx.clock().isoformat(timespec="seconds") + "Z"}
    model = classifiers.train_model(texts, labels, seed=DEFAULT_SEED, info=info)
    ctx.classifier.replace_model(model)
    with ctx.db.session() as session:
        journal.append(session, "classifier.trained", at=ctx.clock(), actor=actor,
                       payload=info | {"model_sha256": fixity.model_fingerprint(ctx)})
    return Trained(len(generated), len(validated), held_out, info)


@dataclass(frozen=True)
class EvaluationReport:
    generated: Evaluation
    stress: Evaluation
    """Half documents with heavy OCR damage: how the model degrades, not how it does on good scans."""
    validated: Evaluation | None
    """None until agents have validated documents that fall in the held-out fifth."""
    threshold: float


def evaluate(ctx: Context) -> EvaluationReport:
    """The decision as ingestion takes it (model and rules, threshold) on the two held-out sets."""
    classifier: Classifier = ctx.classifier
    labels = tuple(ctx.settings.types)
    samples = [s for s in generate(_HELD_OUT_PER_TYPE, seed=_HELD_OUT_SEED) if s.label in ctx.settings.types]
    generated = _score(classifier, [s.text for s in samples], [s.label for s in samples], labels)
    hard = [s for s in generate(_HELD_OUT_PER_TYPE, seed=_HELD_OUT_SEED + 1, hard=True)
            if s.label in ctx.settings.types]
    stress = _score(classifier, [s.text for s in hard], [s.label for s in hard], labels)
    held = [(text, label) for doc_id, text, label in _validated(ctx) if _held_out(doc_id)]
    validated = _score(classifier, [t for t, _ in held], [label for _, label in held], labels) if held else None
    return EvaluationReport(generated, stress, validated, ctx.settings.classification.threshold)


def _score(classifier: Classifier, texts: list[str], truth: list[str], labels: tuple[str, ...]) -> Evaluation:
    decisions = [classifier.classify(text) for text in texts]
    return classifiers.evaluate(truth, [d.doc_type for d in decisions], labels=labels,
                                uncertain=sum(1 for d in decisions if d.uncertain))
