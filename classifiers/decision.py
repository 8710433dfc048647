"""One decision from the two layers, and the threshold under which a person decides instead."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .fields.document import WordBox
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
    """``règles``, ``modèle``, ``modèle+règles``, ``formulaire officiel`` (a Cerfa's number), or
    ``illisible`` (text too poor to type)."""
    scores: dict[str, float]


IDENTIFIED = "formulaire officiel"
"""The method of a decision made by an official form's number (a Cerfa)."""
ILLEGIBLE = "illisible"
"""The method of a decision made on text too poor to read: no type is proposed, a person decides."""
MIN_LEGIBILITY = 0.5
"""Mean OCR confidence (0–1) of a page's words under which its text is not worth typing: Tesseract
reading handwriting or a smudged photocopy reports 0.2–0.45 where a readable scan gives 0.85–0.95."""


def legibility(words: Sequence[WordBox]) -> float:
    """How readable recognised text is: the mean confidence of its words of three letters or more
    (1.0 for a text layer, which carries no doubt; 0.0 when nothing was read)."""
    scores = [w.confidence for w in words if sum(c.isalpha() for c in w.text) >= 3]
    return sum(scores) / len(scores) / 100.0 if scores else 0.0


def classify(text: str, *, rules: RuleSet, model: TypeModel | None, threshold: float,
             model_weight: float = 0.7, fallback: str = "autre", legible: float = 1.0) -> Classification:
    """The model's calibrated probabilities blended with the rules' shares; rules alone without a model.

    Types that the page's genre rules out (``RuleSet.excluded``) get no share. Text under
    ``MIN_LEGIBILITY`` is not typed: it goes to a person with the reason that it could not be read,
    rather than becoming whatever type its garbage resembles most (an invoice, usually).
    """
    if legible < MIN_LEGIBILITY:
        return Classification(fallback, 0.0, True, ILLEGIBLE, {fallback: 0.0})
    if (identified := rules.identified(text)) is not None:
        return Classification(identified, 0.99, False, IDENTIFIED, {identified: 0.99})
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
    ruled_out = rules.excluded(text)
    if ruled_out and len(ruled_out) < len(scores):
        kept = {t: s for t, s in scores.items() if t not in ruled_out}
        total = sum(kept.values()) or 1.0
        scores = {t: kept.get(t, 0.0) / total for t in scores}
    best = max(scores, key=lambda t: scores[t])
    confidence = scores[best]
    return Classification(best, round(confidence, 4), confidence < threshold, method,
                          {t: round(s, 4) for t, s in sorted(scores.items(), key=lambda kv: -kv[1])})
