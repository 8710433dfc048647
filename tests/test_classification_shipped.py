"""The default model shipped in the package: what the build would train, and what ``ged init`` installs
without training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from classifiers.corpus import generate
from classifiers.model import TypeModel
from ged import classification
from ged.services.setup import init_home
from ged.settings import load_settings


@pytest.mark.slow
def test_shipped_model_is_what_training_reproduces(tmp_path: Path) -> None:
    """Retrained from the generated corpus with the fixed seed, the model computes the same
    probabilities as the shipped file (to 1e-6: BLAS may round differently on another CPU)."""
    shipped = TypeModel.load(classification.SHIPPED_MODEL)
    assert shipped is not None, "ged/data/default-classifier.npz absent : python -m ged.classification"
    retrained = classification.default_model(load_settings(home=tmp_path))
    assert retrained.labels == shipped.labels
    assert [v.columns for v in retrained.vocabularies] == [v.columns for v in shipped.vocabularies]
    for sample in generate(3, seed=7):
        ours, theirs = retrained.probabilities(sample.text), shipped.probabilities(sample.text)
        assert max(abs(ours[label] - theirs[label]) for label in ours) < 1e-6
    assert np.allclose(retrained.coef, shipped.coef, atol=1e-6)


def test_init_installs_the_shipped_model_without_training(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_training(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("ged init a entraîné un modèle")

    monkeypatch.setenv("GED_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(classification, "default_model", no_training)
    settings = init_home(tmp_path / "home").settings
    installed = TypeModel.load(settings.models_path / classification.MODEL_FILE)
    assert installed is not None and installed.labels == TypeModel.load(classification.SHIPPED_MODEL).labels


def test_a_commune_with_its_own_types_gets_a_model_of_its_own(tmp_path: Path) -> None:
    """The shipped model knows the default types only: another taxonomy is trained for."""
    settings = load_settings(home=tmp_path, types={"permis_de_chasse": {"label": "Permis de chasser",
                                                                          "service": "courrier"}})
    assert classification.shipped_model(settings) is None
    assert classification.shipped_model(load_settings(home=tmp_path)) is not None
