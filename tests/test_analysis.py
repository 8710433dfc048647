"""Typing and field extraction in the OCR worker processes: same results as in the recording process."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from classifiers.corpus import generate
from classifiers.model import train_model
from ged.classification import Classifier
from ged.context import Context
from ged.ingest._analysis import AnalysisJob, analyse, form_fields_of, from_results
from ged.ingest._pool import OcrPool, Processed
from ged.settings import load_settings
from ged.text import document_text
from ocr import OcrOptions

RECEIVED = date(2026, 3, 2)


@pytest.fixture
def classifier(ged_home: Path) -> Classifier:
    return Classifier(load_settings())


@pytest.fixture
def options(ged_home: Path) -> OcrOptions:
    return Context(load_settings()).ocr_options


def _process(pool: OcrPool, items: list[tuple[str, Path, AnalysisJob | None]]) -> dict[str, Processed[str]]:
    return {p.key: p for batch in pool.process(items) for p in batch}


def test_workers_type_and_read_fields_as_the_recorder_would(classifier: Classifier, options: OcrOptions,
                                                             samples: Path) -> None:
    invoice = samples / "facture_fournisseur.pdf"
    job = AnalysisJob(None, RECEIVED)
    with OcrPool(options, 2, classifier.spec()) as pool:
        results = _process(pool, [("facture", invoice, job), ("sans analyse", samples / "courrier_divers.pdf", None),
                                  ("donné", invoice, AnalysisJob("urbanisme", RECEIVED))])
    worker = results["facture"].analysis
    assert worker is not None and worker.decision.doc_type == "facture" and worker.given_type is None
    pages = results["facture"].pages
    here = analyse(classifier.spec(), classifier.model, document_text([p.text for p in pages]), from_results(pages),
                   job=job, form_fields=form_fields_of(invoice, "application/pdf"))
    assert worker == here
    assert {"siret", "montant_ttc", "iban"} <= {f.code for f in worker.fields}
    assert results["sans analyse"].analysis is None and results["sans analyse"].copy is not None
    given = results["donné"].analysis
    assert given is not None and given.decision.doc_type == "urbanisme" and given.decision.method == "dépôt"


def test_without_a_usable_model_the_workers_leave_it_to_the_recorder(classifier: Classifier, options: OcrOptions,
                                                                     samples: Path, tmp_path: Path) -> None:
    missing = replace(classifier.spec(), model_path=tmp_path / "absent.npz")
    with OcrPool(options, 1, missing) as pool:
        [[processed]] = pool.process([("x", samples / "facture_fournisseur.pdf", AnalysisJob(None, RECEIVED))])
    assert processed.analysis is None and processed.failure is None and processed.copy is not None


def test_a_retrained_model_reaches_running_workers(classifier: Classifier, options: OcrOptions, samples: Path,
                                                   tmp_path: Path) -> None:
    model_path = tmp_path / "classifier.npz"
    shutil.copy(classifier.model_path, model_path)
    spec = replace(classifier.spec(), model_path=model_path)
    invoice = samples / "facture_fournisseur.pdf"
    job = AnalysisJob(None, RECEIVED)
    with OcrPool(options, 1, spec) as pool:
        [[before]] = pool.process([("x", invoice, job)])
        small = generate(6, seed=5)
        retrained = train_model([s.text for s in small], [s.label for s in small], seed=5)
        retrained.save(model_path)
        [[after]] = pool.process([("x", invoice, job)])
    assert before.analysis is not None and after.analysis is not None
    text = document_text([p.text for p in after.pages])
    assert before.analysis.decision.scores == analyse(spec, classifier.model, text, [], job=job,
                                                      form_fields={}).decision.scores
    assert after.analysis.decision.scores == analyse(spec, retrained, text, [], job=job,
                                                     form_fields={}).decision.scores
    assert after.analysis.decision.scores != before.analysis.decision.scores
