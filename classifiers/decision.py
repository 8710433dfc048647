"""One decision from the two layers, and the threshold under which a person decides instead."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .rules import RuleSet

if TYPE_CHECKING:  # a process that only receives decisions (the recorder) never loads numpy for them
    from .model import TypeModel


@dataclass(frozen=True)
class Classification:
    doc_type: str
    confidence: float
    uncertain: bool
    """Below the threshold: the document goes to review rather than being routed on a guess."""
    method: str
    """``règles``, ``modèle`` or ``modèle+règles``."""
    scores: dict[str, float]


def classify(text: str, *, rules: RuleSet, model: TypeModel | None, threshold: float,
             model_weight: float = 0.7, fallback: str = "autre") -> Classification:
    """The model's calibrated probabilities blended with the rules' shares; rules alone without a model."""
    points = rules.points(text)
    by_rules = rules.shares(points, fallback=fallback)
    if model is None:
        scores, method = by_rules, "règles"
    else:
        by_model = model.probabilities(text)
        if sum(points.values()) == 0:
            scores, method = by_model, "modèle"
        else:
            labels = set(by_model) | set(by_rules)
            scores = {t: model_weight * by_model.get(t, 0.0) + (1 - model_weight) * by_rules.get(t, 0.0)
                      for t in labels}
            method = "modèle+règles"
    best = max(scores, key=lambda t: scores[t])
    confidence = scores[best]
    return Classification(best, round(confidence, 4), confidence < threshold, method,
                          {t: round(s, 4) for t, s in sorted(scores.items(), key=lambda kv: -kv[1])})
