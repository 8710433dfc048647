"""The evaluation corpus (bench.mail) stays out of training, rules and thresholds, and its scorer
counts what it claims to count."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from bench.mail import EVAL_SEED, build, missing_fonts
from bench.mail.score import Outcome, Report, field_counts, same
from classifiers.corpus import generate

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("ged", "ocr", "classifiers", "archivage", "robots", "cli", "web")


def test_no_product_code_imports_the_evaluation_corpus() -> None:
    """Training (classifiers.corpus, ged.classification), rules (ged.taxonomy) and thresholds
    (ged.settings) live in the product packages: none of them may read bench.mail."""
    for package in PRODUCT:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                assert not any(n == "bench" or n.startswith("bench.") for n in names), path
            assert "bench.mail" not in path.read_text(encoding="utf-8"), path


@pytest.mark.skipif(bool(missing_fonts()), reason=f"polices absentes : {missing_fonts()}")
def test_evaluation_sentences_never_appear_in_the_training_corpus(tmp_path: Path) -> None:
    """Every run of eight words of the evaluation mail's text layers is absent from the training
    corpus: the two were written apart, and stay apart."""
    entries = build(tmp_path, seed=EVAL_SEED, scale=0.06)
    training = " ".join(" ".join(s.text.lower().split()) for s in generate(40, seed=20260101))
    checked = 0
    for entry in entries:
        if entry.mode != "born_digital":
            continue
        document = pdfium.PdfDocument(str(tmp_path / "files" / entry.file))
        text = " ".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
        document.close()
        words = re.findall(r"\w[\w'’-]*", text.lower())
        for start in range(0, max(0, len(words) - 8), 4):
            phrase = " ".join(words[start:start + 8])
            assert phrase not in training, (entry.file, phrase)
            checked += 1
    assert checked > 100


def test_scoring_rules() -> None:
    assert same("demandeur_nom", "Pauline Menard", "Mme Pauline MENARD")  # civility and case do not matter
    assert not same("localisation", "20 cours des Jonquilles", "cours des Jonquilles")  # the number matters
    assert same("prestations", ["cantine", "etude"], ["etude", "cantine"])
    assert not same("montant_ttc", "120.00", "126.00")
    counts = field_counts("facture", {"montant_ht": "100.00", "iban": "FR76..."},
                          Outcome("facture", False, {"montant_ht": "100.00", "siret": "1"}))
    assert (counts["facture.montant_ht"].tp, counts["facture.iban"].fn, counts["facture.siret"].fp) == (1, 1, 1)
    report = Report(("facture", "autre"))
    report.add("facture", {}, Outcome("autre", False, {}), mode="scan_300", genre="invoice")
    report.add("autre", {}, Outcome("autre", True, {}), mode="born_digital", genre="quote")
    assert report.accuracy == 0.5 and report.review_rate == 0.5 and report.wrong_unreviewed == 0.5
    assert set(report.by("mode")) == {"scan_300", "born_digital"}
