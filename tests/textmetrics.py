"""Character error rate, the measure FIELD-NOTES uses for OCR accuracy."""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein


def normalise(text: str) -> str:
    return " ".join(text.split())


def cer(reference: str, hypothesis: str) -> float:
    reference, hypothesis = normalise(reference), normalise(hypothesis)
    return Levenshtein.distance(reference, hypothesis) / max(len(reference), 1)
