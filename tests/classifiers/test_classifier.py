"""Document types: the rule layer alone, the learned model, their blend and the review threshold."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest

import classifiers.model as model_module
from classifiers.corpus import TYPES, generate
from classifiers.decision import classify
from classifiers.evaluation import evaluate
from classifiers.model import TypeModel, train_model
from classifiers.rules import RuleSet, TypeRule
from examples.letters import LETTERS, Letter
from ged.taxonomy import DEFAULT_TYPES

RULES = RuleSet({code: TypeRule(tuple(t["keywords"]), tuple(t.get("patterns", ()))) for code, t in
                 DEFAULT_TYPES.items()})
SAMPLE_TYPES = {"signalement_eclairage": "voirie", "demande_acte_naissance": "etat_civil", "facture_fournisseur":
                "facture", "inscription_scolaire": "scolaire", "declaration_prealable": "urbanisme",
                "demande_subvention": "subvention", "reclamation_dechets": "reclamation", "courrier_divers": "autre"}


def _text(letter: Letter) -> str:
    return "\n".join([*letter.sender, letter.date, letter.subject, *letter.body, letter.signature])


@pytest.fixture(scope="module")
def model() -> TypeModel:
    samples = generate(40, seed=1)
    return train_model([s.text for s in samples], [s.label for s in samples], seed=1)


def test_corpus_is_deterministic_and_covers_every_type_and_layout() -> None:
    first, again = generate(30, seed=7), generate(30, seed=7)
    assert [s.text for s in first] == [s.text for s in again]
    assert {s.label for s in first} == set(TYPES) == set(DEFAULT_TYPES)
    assert {s.layout for s in first} >= {"lettre", "manuscrit", "formulaire", "courriel", "facture"}
    assert any(s.noise > 0 for s in first) and any(s.noise == 0 for s in first)
    assert generate(30, seed=8)[0].text != first[0].text


@pytest.mark.parametrize("letter", LETTERS, ids=lambda letter: letter.name)
def test_rules_alone_type_the_sample_letters(letter: Letter) -> None:
    decision = classify(_text(letter), rules=RULES, model=None, threshold=0.3)
    assert decision.method == "règles"
    assert decision.doc_type == SAMPLE_TYPES[letter.name]


def test_rules_without_any_clue_send_to_review() -> None:
    decision = classify("Bonjour, veuillez trouver ci-joint le document.", rules=RULES, model=None, threshold=0.6)
    assert decision.doc_type == "autre" and decision.uncertain


def test_model_on_held_out_generated_mail(model: TypeModel) -> None:
    held_out = generate(15, seed=99)
    predicted = model.predict([s.text for s in held_out])
    result = evaluate([s.label for s in held_out], predicted, labels=TYPES)
    assert result.accuracy >= 0.95, result.per_type
    probabilities = model.probabilities(held_out[0].text)
    assert set(probabilities) == set(TYPES) and abs(sum(probabilities.values()) - 1) < 1e-6


@pytest.mark.parametrize("letter", LETTERS, ids=lambda letter: letter.name)
def test_model_and_rules_on_the_sample_letters(model: TypeModel, letter: Letter) -> None:
    decision = classify(_text(letter), rules=RULES, model=model, threshold=0.5)
    assert decision.doc_type == SAMPLE_TYPES[letter.name]
    assert not decision.uncertain and decision.method in ("modèle+règles", "modèle")


def test_the_threshold_sends_uncertain_decisions_to_review(model: TypeModel) -> None:
    text = _text(LETTERS[0])
    confident = classify(text, rules=RULES, model=model, threshold=0.5)
    strict = classify(text, rules=RULES, model=model, threshold=0.9999)
    assert not confident.uncertain and strict.uncertain and strict.doc_type == confident.doc_type


def test_model_survives_a_save_and_refuses_other_files(model: TypeModel, tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    model.save(path)
    loaded = TypeModel.load(path)
    assert loaded is not None and loaded.labels == model.labels
    text = _text(LETTERS[1])
    assert loaded.probabilities(text) == model.probabilities(text)
    np.savez(path, header=np.array(json.dumps({"format": 2})))
    assert TypeModel.load(path) is None
    # A pickle is never unpickled (it could run code): the old joblib files are refused, not executed.
    with path.open("wb") as handle:
        pickle.dump({"format": 3}, handle)
    assert TypeModel.load(path) is None
    path.write_bytes(b"pas un modele")
    assert TypeModel.load(path) is None


def test_training_refuses_a_model_that_computes_otherwise_than_scikit_learn(monkeypatch: pytest.MonkeyPatch) -> None:
    """The saved arithmetic is checked against scikit-learn's own probabilities before it is used."""
    samples = generate(12, seed=2)
    train_model([s.text for s in samples], [s.label for s in samples], seed=1)  # agrees: no error
    original = model_module._Vocabulary.grams
    monkeypatch.setattr(model_module._Vocabulary, "grams", lambda self, text: original(self, text)[1:])
    with pytest.raises(ValueError, match="diffère de scikit-learn"):
        train_model([s.text for s in samples], [s.label for s in samples], seed=1)


def test_evaluation_figures() -> None:
    truth = ["a", "a", "a", "b", "b", "c"]
    predicted = ["a", "a", "b", "b", "b", "a"]
    result = evaluate(truth, predicted, labels=("a", "b", "c"), uncertain=1)
    assert result.confusion == [[2, 1, 0], [0, 2, 0], [1, 0, 0]]
    assert result.per_type["a"].precision == pytest.approx(2 / 3)
    assert result.per_type["a"].recall == pytest.approx(2 / 3)
    assert result.per_type["b"].precision == pytest.approx(2 / 3) and result.per_type["b"].recall == 1.0
    assert result.per_type["c"].f1 == 0.0 and result.accuracy == pytest.approx(4 / 6) and result.uncertain == 1
