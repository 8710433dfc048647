"""The configured classifier: the keyword rules of ``[types]`` and the trained model of ``<home>/models``.

When no model has been trained yet, the default one is trained from the generated corpus
(a fixed seed, so every installation gets the same model) and saved: a commune with no
training data of its own is classified from day one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import classifiers
from classifiers.rules import RuleSet, TypeRule

from .ingest import ClassifierSpec, decide
from .settings import Settings

if TYPE_CHECKING:  # NumPy and the corpus generator load when a model or a corpus is needed, not with every command
    from classifiers.corpus import Sample
    from classifiers.model import TypeModel

MODEL_FILE = "classifier.npz"
DEFAULT_SEED = 20260101
SHIPPED_MODEL = Path(__file__).parent / "data" / "default-classifier.npz"
"""``default_model`` of the default settings, trained once when the package is built
(``python -m ged.classification``) so that a new installation starts in seconds, not after 30 CPU-s
of training; ``tests/test_classification_shipped.py`` retrains it and checks that it is the same."""
log = logging.getLogger(__name__)


def rule_set(settings: Settings) -> RuleSet:
    return RuleSet({code: TypeRule(tuple(t.keywords), tuple(t.patterns), identified_by=tuple(t.identified_by),
                                   excluded_by=tuple(t.excluded_by))
                    for code, t in settings.types.items()})


def training_corpus(settings: Settings) -> list[Sample]:
    """Generated mail of the configured types; a third more of it badly damaged, so that poor scans
    are still recognised (on the stress set of ``ged classify eval``: 80 % instead of 73 %)."""
    from classifiers.corpus import generate

    per_type = settings.classification.corpus_per_type
    samples = generate(per_type, seed=DEFAULT_SEED) + generate(max(1, per_type // 3), seed=DEFAULT_SEED + 7,
                                                                hard=True)
    return [s for s in samples if s.label in settings.types]


def default_model(settings: Settings) -> TypeModel:
    """The shipped default: trained on the generated corpus only."""
    samples = training_corpus(settings)
    return classifiers.train_model([s.text for s in samples], [s.label for s in samples], seed=DEFAULT_SEED,
                                   info={"corpus": "généré", "generated": len(samples), "validated": 0,
                                         "seed": DEFAULT_SEED})


def shipped_model(settings: Settings) -> TypeModel | None:
    """The packaged default model, when the configuration is the one it was trained for."""
    from .settings import ClassificationSettings
    from .taxonomy import DEFAULT_TYPES

    default_corpus = ClassificationSettings().corpus_per_type
    if set(settings.types) != set(DEFAULT_TYPES) or settings.classification.corpus_per_type != default_corpus:
        return None
    return classifiers.TypeModel.load(SHIPPED_MODEL) if SHIPPED_MODEL.exists() else None


@dataclass
class Classifier:
    settings: Settings

    @property
    def model_path(self) -> Path:
        return self.settings.models_path / MODEL_FILE

    @cached_property
    def rules(self) -> RuleSet:
        return rule_set(self.settings)

    @cached_property
    def model(self) -> TypeModel:
        model = self._stored()
        if model is None:
            log.warning("aucun modèle de classement utilisable : entraînement du modèle par défaut (≈ 10 s)")
            model = self._train_default()
        return model

    def prepare(self) -> bool:
        """Train and save the default model if there is no usable one; True if it was trained."""
        if "model" in self.__dict__:
            return False
        stored = self._stored()
        self.__dict__["model"] = stored if stored is not None else self._train_default()
        return stored is None

    def _stored(self) -> TypeModel | None:
        return classifiers.TypeModel.load(self.model_path) if self.model_path.exists() else None

    def _train_default(self) -> TypeModel:
        model = shipped_model(self.settings) or default_model(self.settings)
        model.save(self.model_path)
        return model

    def replace_model(self, model: TypeModel) -> None:
        model.save(self.model_path)
        self.__dict__["model"] = model

    def spec(self) -> ClassifierSpec:
        settings = self.settings.classification
        return ClassifierSpec(self.rules, self.model_path, settings.threshold, settings.model_weight,
                              frozenset(self.settings.types), self.streets)

    @cached_property
    def streets(self) -> tuple[str, ...]:
        """The commune's street list (``commune.streets_file``), empty until one is imported."""
        path = self.settings.resolve(self.settings.commune.streets_file)
        if not path.exists():
            return ()
        return tuple(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())

    def classify(self, text: str) -> classifiers.Classification:
        return decide(self.spec(), self.model, text)


if __name__ == "__main__":  # python -m ged.classification: (re)builds the shipped default model
    from .settings import Settings as _Settings

    default_model(_Settings()).save(SHIPPED_MODEL)
    print(SHIPPED_MODEL)
