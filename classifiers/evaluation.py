"""Precision, recall, F1 per type and the confusion matrix, on a held-out set."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class TypeScores:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    labels: tuple[str, ...]
    per_type: dict[str, TypeScores]
    confusion: list[list[int]]
    """Rows: true type; columns: predicted type; in ``labels`` order."""
    accuracy: float
    uncertain: int
    """Documents that would have gone to review (below the threshold)."""
    size: int


def evaluate(truth: Sequence[str], predicted: Sequence[str], *, labels: Sequence[str],
             uncertain: int = 0) -> Evaluation:
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    ordered = list(labels)
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=ordered, zero_division=0)
    per_type = {label: TypeScores(float(p), float(r), float(f), int(s))
                for label, p, r, f, s in zip(ordered, precision, recall, f1, support, strict=True)}
    matrix = confusion_matrix(truth, predicted, labels=ordered).tolist()
    correct = sum(1 for t, p in zip(truth, predicted, strict=True) if t == p)
    return Evaluation(tuple(ordered), per_type, matrix, correct / len(truth) if truth else 0.0, uncertain, len(truth))
