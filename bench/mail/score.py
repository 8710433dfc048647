"""Scoring what the product read against the corpus' truth.

Identifiers, dates, amounts and codes must be equal to the letter. Names, addresses and
other free text are compared after folding (case, accents, punctuation, civility) with a
token-order-insensitive similarity of at least ``TEXT_SIMILARITY``, and their numbers equal: a
reader who gets one character of a long address wrong by OCR still helps an agent, one who
takes the label or drops the street number does not.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

TEXT_SIMILARITY = 90
TEXT_FIELDS = frozenset({
    "titulaire_nom", "titulaire_prenoms", "lieu_evenement", "demandeur_nom", "demandeur_adresse", "adresse_terrain",
    "localisation", "enfant_nom", "enfant_prenom", "ecole", "responsable_nom", "responsable_adresse", "fournisseur",
    "association", "objet", "expediteur", "numero_facture"})
_CIVILITY = re.compile(r"\b(?:m|mme|mlle|mr|madame|monsieur|mademoiselle)\b\.?")


def _fold(value: Any) -> str:
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower().replace("œ", "oe")
    text = _CIVILITY.sub(" ", text)
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def same(code: str, truth: Any, found: Any) -> bool:
    if found is None:
        return False
    if isinstance(truth, list):
        return isinstance(found, list) and sorted(map(str, found)) == sorted(map(str, truth))
    if code in TEXT_FIELDS:
        a, b = _fold(truth), _fold(found)
        if code == "numero_facture":
            return a.replace(" ", "") == b.replace(" ", "")
        # Numbers (a street number, a postcode) must be there and right; the words around them may
        # carry an OCR slip.
        return bool(a) and re.findall(r"\d+", a) == re.findall(r"\d+", b) and \
            fuzz.token_sort_ratio(a, b) >= TEXT_SIMILARITY
    return str(truth) == str(found)


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Outcome:
    """What the product made of one corpus document."""

    doc_type: str | None
    review: bool
    fields: dict[str, Any]


def field_counts(truth_type: str, truth: dict[str, Any], outcome: Outcome) -> dict[str, Counts]:
    """Per field code: a value right is a true positive; a wrong value counts as both a false positive
    and a false negative; fields read for a wrong type are false positives."""
    counts: dict[str, Counts] = defaultdict(Counts)
    found = outcome.fields if outcome.doc_type == truth_type else {}
    if outcome.doc_type != truth_type:
        for code in outcome.fields:
            counts[f"{outcome.doc_type}.{code}"].fp += 1
    for code in set(truth) | set(found):
        key = f"{truth_type}.{code}"
        expected, got = truth.get(code), found.get(code)
        if expected is None:
            counts[key].fp += 1
        elif got is None:
            counts[key].fn += 1
        elif same(code, expected, got):
            counts[key].tp += 1
        else:
            counts[key].fp += 1
            counts[key].fn += 1
    return counts


@dataclass
class Report:
    labels: tuple[str, ...]
    truth: list[str] = field(default_factory=list)
    predicted: list[str] = field(default_factory=list)
    review: list[bool] = field(default_factory=list)
    slices: list[dict[str, str]] = field(default_factory=list)
    fields: list[dict[str, Counts]] = field(default_factory=list)

    def add(self, truth_type: str, truth_fields: dict[str, Any], outcome: Outcome, **slices: str) -> None:
        self.truth.append(truth_type)
        self.predicted.append(outcome.doc_type or "(aucun)")
        self.review.append(outcome.review)
        self.slices.append(slices)
        self.fields.append(field_counts(truth_type, truth_fields, outcome))

    def subset(self, keep: Iterable[int]) -> Report:
        part = Report(self.labels)
        for i in keep:
            part.truth.append(self.truth[i])
            part.predicted.append(self.predicted[i])
            part.review.append(self.review[i])
            part.slices.append(self.slices[i])
            part.fields.append(self.fields[i])
        return part

    def by(self, key: str) -> dict[str, Report]:
        groups: dict[str, list[int]] = defaultdict(list)
        for i, s in enumerate(self.slices):
            groups[s[key]].append(i)
        return {name: self.subset(indices) for name, indices in sorted(groups.items())}

    @property
    def size(self) -> int:
        return len(self.truth)

    @property
    def accuracy(self) -> float:
        return sum(t == p for t, p in zip(self.truth, self.predicted, strict=True)) / self.size if self.size else 0.0

    def per_type(self) -> dict[str, Counts]:
        counts = {label: Counts() for label in self.labels}
        for t, p in zip(self.truth, self.predicted, strict=True):
            if t == p:
                counts[t].tp += 1
            else:
                counts[t].fn += 1
                if p in counts:
                    counts[p].fp += 1
        return counts

    @property
    def macro_f1(self) -> float:
        present = [c for label, c in self.per_type().items() if c.tp + c.fn]
        return sum(c.f1 for c in present) / len(present) if present else 0.0

    @property
    def review_rate(self) -> float:
        return sum(self.review) / self.size if self.size else 0.0

    @property
    def wrong_unreviewed(self) -> float:
        wrong = sum(1 for t, p, r in zip(self.truth, self.predicted, self.review, strict=True) if t != p and not r)
        return wrong / self.size if self.size else 0.0

    def field_totals(self, group: str = "all") -> dict[str, Counts]:
        """``all``: one total; ``field``: per ``type.code``; ``type``: per document type."""
        totals: dict[str, Counts] = defaultdict(Counts)
        for counts in self.fields:
            for key, c in counts.items():
                name = {"all": "all", "field": key, "type": key.split(".")[0]}[group]
                totals[name].add(c)
        return dict(sorted(totals.items()))

    def confusion(self) -> list[list[int]]:
        index = {label: i for i, label in enumerate(self.labels)}
        matrix = [[0] * (len(self.labels) + 1) for _ in self.labels]
        for t, p in zip(self.truth, self.predicted, strict=True):
            matrix[index[t]][index.get(p, len(self.labels))] += 1
        return matrix
