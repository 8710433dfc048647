"""The learned classifier: word and character n-grams, a linear model, calibrated probabilities.

Character n-grams inside word boundaries survive OCR damage that breaks whole words
("dcmande", "subvent ion"); calibration makes a 0.9 mean nine times out of ten, which is
what the review threshold relies on.

scikit-learn trains the model; what is saved and used afterwards is its arithmetic alone
(vocabularies, IDF weights, coefficients, the sigmoid of each class) as plain NumPy arrays.
Loading takes ≈ 40 ms instead of 1.2 s for scikit-learn and a pickle, so every OCR worker
process can hold the model; a file of arrays cannot run code, unlike a pickle; and the file
does not depend on the scikit-learn version. Training checks that both compute the same
probabilities before the model is used.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .text import fold

FORMAT = 3
"""Bumped when what ``save`` writes changes; an older file is retrained rather than misread."""

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
"""scikit-learn's default token pattern, which the word vocabulary was built with."""
_AGREEMENT = 1e-9
"""Largest difference allowed between these probabilities and scikit-learn's at training."""


@dataclass(frozen=True)
class _Vocabulary:
    """One TF-IDF vectoriser: n-grams to columns, with sublinear TF and L2 norm as trained."""

    kind: str
    """``word`` or ``char_wb``."""
    ngrams: tuple[int, int]
    columns: dict[str, int]
    idf: np.ndarray

    def grams(self, text: str) -> list[str]:
        text = text.lower()
        low, high = self.ngrams
        if self.kind == "word":
            tokens = _TOKEN.findall(text)
            grams = list(tokens) if low == 1 else []
            for n in range(max(low, 2), min(high, len(tokens)) + 1):
                grams += [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
            return grams
        grams = []
        for word in text.split():
            padded = f" {word} "
            for n in range(low, high + 1):
                if len(padded) <= n:  # a short word counts once, whole
                    grams.append(padded)
                    break
                grams += [padded[i:i + n] for i in range(len(padded) - n + 1)]
        return grams

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and L2-normalised weights of the text's known n-grams."""
        counts = Counter(column for gram in self.grams(text) if (column := self.columns.get(gram)) is not None)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        weights = (np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts))) + 1) * self.idf[columns]
        return columns, weights / math.sqrt(float(weights @ weights))


@dataclass
class TypeModel:
    vocabularies: tuple[_Vocabulary, ...]
    coef: np.ndarray
    """One row per class (one row for two classes), one column per feature of all vocabularies."""
    intercept: np.ndarray
    sigmoid: np.ndarray
    """Platt's (a, b) per row of ``coef``: p = 1 / (1 + exp(a·score + b))."""
    labels: tuple[str, ...]
    info: dict[str, Any] = field(default_factory=dict)
    """How it was trained: corpus, counts, versions; shown by ``ged classify``."""

    def probabilities(self, text: str) -> dict[str, float]:
        folded = fold(text)
        scores = self.intercept.copy()
        offset = 0
        for vocabulary in self.vocabularies:
            columns, weights = vocabulary.vector(folded)
            scores += self.coef[:, columns + offset] @ weights
            offset += len(vocabulary.idf)
        calibrated = 1.0 / (1.0 + np.exp(self.sigmoid[:, 0] * scores + self.sigmoid[:, 1]))
        if len(self.labels) == 2:
            proba = np.array([1.0 - calibrated[0], calibrated[0]])
        else:
            total = calibrated.sum()
            proba = calibrated / total if total else np.full(len(self.labels), 1 / len(self.labels))
        proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
        return {label: float(p) for label, p in zip(self.labels, proba, strict=True)}

    def predict(self, texts: Sequence[str]) -> list[str]:
        best = []
        for text in texts:
            proba = self.probabilities(text)
            best.append(max(proba, key=lambda label: proba[label]))
        return best

    def save(self, path: Path) -> None:
        """Arrays only (``allow_pickle`` stays off at load); written to a temporary file and renamed."""
        path.parent.mkdir(parents=True, exist_ok=True)
        header = {"format": FORMAT, "labels": list(self.labels), "info": self.info,
                  "vocabularies": [{"kind": v.kind, "ngrams": list(v.ngrams)} for v in self.vocabularies]}
        arrays: dict[str, np.ndarray] = {"header": np.array(json.dumps(header, ensure_ascii=False)),
                                         "coef": self.coef, "intercept": self.intercept, "sigmoid": self.sigmoid}
        for index, vocabulary in enumerate(self.vocabularies):
            terms = sorted(vocabulary.columns, key=vocabulary.columns.__getitem__)
            arrays[f"terms{index}"] = np.array(terms, dtype=np.str_)
            arrays[f"idf{index}"] = vocabulary.idf
        temp = path.with_name(path.name + ".tmp")
        with temp.open("wb") as handle:
            np.savez(handle, **arrays)  # type: ignore[arg-type]
        temp.replace(path)

    @classmethod
    def load(cls, path: Path) -> TypeModel | None:
        """The model in ``path``; None if the file is of another format or not a model at all."""
        try:
            with np.load(path, allow_pickle=False) as data:
                header = json.loads(str(data["header"]))
                if header.get("format") != FORMAT:
                    return None
                vocabularies = tuple(
                    _Vocabulary(spec["kind"], (spec["ngrams"][0], spec["ngrams"][1]),
                                {term: column for column, term in enumerate(data[f"terms{index}"].tolist())},
                                data[f"idf{index}"])
                    for index, spec in enumerate(header["vocabularies"]))
                return cls(vocabularies, data["coef"], data["intercept"], data["sigmoid"],
                           tuple(header["labels"]), dict(header["info"]))
        except (OSError, ValueError, KeyError, json.JSONDecodeError):
            return None


def train_model(texts: Sequence[str], labels: Sequence[str], *, seed: int = 0,
                info: dict[str, Any] | None = None) -> TypeModel:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, make_pipeline

    features = FeatureUnion([
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=2, max_features=40000,
                                  sublinear_tf=True)),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, max_features=60000,
                                  sublinear_tf=True)),
    ])
    # One model calibrated on cross-validated predictions (ensemble=False): as accurate here as the
    # three-model ensemble, and 2.5× cheaper per document.
    classifier = CalibratedClassifierCV(LogisticRegression(C=8.0, max_iter=2000, random_state=seed),
                                        method="sigmoid", cv=3, ensemble=False)
    pipeline = make_pipeline(features, classifier)
    folded = [fold(t) for t in texts]
    pipeline.fit(folded, list(labels))
    model = _extract(pipeline, dict(info or {}))
    _check_agreement(model, pipeline, texts)
    return model


def _extract(pipeline: Any, info: dict[str, Any]) -> TypeModel:
    """The fitted pipeline's numbers, in the order its own ``predict_proba`` uses them."""
    import sklearn

    union, calibrated = pipeline.steps[0][1], pipeline.steps[-1][1]
    vocabularies = tuple(_Vocabulary(v.analyzer, tuple(v.ngram_range),
                                     {str(t): int(c) for t, c in v.vocabulary_.items()},
                                     np.asarray(v.idf_, dtype=np.float64))
                         for _, v in union.transformer_list)
    [fitted] = calibrated.calibrated_classifiers_
    estimator = fitted.estimator
    if list(estimator.classes_) != list(calibrated.classes_):
        raise ValueError("classes du modèle et de la calibration dans un ordre différent")
    sigmoid = np.array([[c.a_, c.b_] for c in fitted.calibrators], dtype=np.float64)
    return TypeModel(vocabularies, np.asarray(estimator.coef_, dtype=np.float64),
                     np.asarray(estimator.intercept_, dtype=np.float64), sigmoid,
                     tuple(str(c) for c in calibrated.classes_), info | {"sklearn": sklearn.__version__})


def _check_agreement(model: TypeModel, pipeline: Any, texts: Sequence[str]) -> None:
    """Refuse a model whose saved arithmetic differs from what scikit-learn computes (a new version)."""
    sample = list(texts[:: max(1, len(texts) // 40)])
    expected = pipeline.predict_proba([fold(t) for t in sample])
    for text, row in zip(sample, expected, strict=True):
        ours = model.probabilities(text)
        worst = max(abs(ours[label] - float(p)) for label, p in zip(model.labels, row, strict=True))
        if worst > _AGREEMENT:
            raise ValueError(f"le modèle exporté diffère de scikit-learn ({worst:.2e}) : version non prise en charge")
