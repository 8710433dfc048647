"""``ged requests``, ``ged doc validate`` and ``ged classify`` as a user runs them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from examples.letters import by_name
from examples.render import born_digital_pdf
from ged.errors import ExitCode


@pytest.fixture
def registered(ged_home: Path, run_cli, tmp_path: Path) -> dict[str, str]:  # noqa: ANN001
    assert run_cli("init").exit_code == 0
    paths = []
    for name in ("signalement_eclairage", "facture_fournisseur", "courrier_divers"):
        path = tmp_path / f"{name}.pdf"
        born_digital_pdf(by_name(name), path)
        paths.append(path)
    result = run_cli("ingest", "--json", *paths)
    assert result.exit_code == 0, result.stderr
    return {Path(entry["source"]).stem: entry for entry in result.json()}


def test_ingest_reports_type_and_request(registered: dict) -> None:  # noqa: ANN001
    assert registered["signalement_eclairage"]["doc_type"] == "voirie"
    assert registered["signalement_eclairage"]["request"].endswith("-VOI-000001")
    assert registered["courrier_divers"]["request"] is None


def test_requests_list_show_assign_status(registered: dict, run_cli) -> None:  # noqa: ANN001
    number = registered["signalement_eclairage"]["request"]
    listed = run_cli("requests", "list", "--json")
    assert [r["number"] for r in listed.json()] == [number, registered["facture_fournisseur"]["request"]]
    assert run_cli("requests", "list", "--service", "finances", "--json").json()[0]["doc_type"] == "facture"
    assert run_cli("requests", "list", "--overdue", "--json").json() == []
    human = run_cli("requests", "list")
    assert number in human.stdout and "2 demande(s)" in human.stdout

    assert run_cli("requests", "assign", number, "mdurand").exit_code == 0
    shown = run_cli("requests", "show", number, "--json").json()
    assert shown["assignee"] == "mdurand" and shown["status"] == "en_cours"
    assert shown["fields"]["localisation"]["value"] == "rue des Lilas"
    closed = run_cli("requests", "status", number, "cloturee", "--note", "lampes remplacées")
    assert closed.exit_code == 0 and "clôturée" in closed.stdout
    text = run_cli("requests", "show", number).stdout
    assert "clôturée" in text and "statut de la demande changé" in text and "demande attribuée" in text
    # What each event changed, in the desk's words (ged.labels.history_detail, shared with the web page)
    assert "demande attribuée : nouvelle → en cours à mdurand" in text
    assert "statut de la demande changé : en cours → clôturée" in text
    assert run_cli("requests", "status", number, "égarée").exit_code == ExitCode.BAD_INPUT
    assert run_cli("requests", "show", "2026-XXX-000009").exit_code == ExitCode.NOT_FOUND


def test_acknowledgement_export(registered: dict, run_cli, tmp_path: Path) -> None:  # noqa: ANN001
    number = registered["signalement_eclairage"]["request"]
    assert run_cli("requests", "acknowledgement", number, "-o", tmp_path / "ar.pdf").exit_code == 0
    assert (tmp_path / "ar.pdf").read_bytes().startswith(b"%PDF")
    assert run_cli("requests", "acknowledgement", number, "-o", tmp_path / "ar.txt", "--email").exit_code == 0
    assert number in (tmp_path / "ar.txt").read_text(encoding="utf-8")
    invoice = registered["facture_fournisseur"]["request"]
    refused = run_cli("requests", "acknowledgement", invoice, "-o", tmp_path / "x.pdf")
    assert refused.exit_code == ExitCode.NOT_FOUND and "accusé" in refused.stderr


def test_doc_validate_corrects_and_refuses_invalid_values(registered: dict, run_cli) -> None:  # noqa: ANN001
    invoice = registered["facture_fournisseur"]["document_id"]
    bad = run_cli("doc", "validate", str(invoice), "--set", "siret=732 829 320 00075")
    assert bad.exit_code == ExitCode.BAD_INPUT and "siret" in bad.stderr
    assert run_cli("doc", "validate", str(invoice), "--set", "siret").exit_code == ExitCode.USAGE
    good = run_cli("doc", "validate", str(invoice), "--set", "montant_ttc=10 150,00 €", "--json")
    assert good.exit_code == 0, good.stderr
    assert good.json()["changes"] == {"montant_ttc": ["10140.00", "10150.00"]}
    shown = run_cli("show", str(invoice), "--json", "--no-text").json()
    assert shown["state"] == "valide"
    assert {f["code"]: f["method"] for f in shown["fields"]}["montant_ttc"] == "agent"
    assert [e["kind"] for e in shown["history"]][-1] == "document.validated"
    other = registered["courrier_divers"]["document_id"]
    retyped = run_cli("doc", "validate", str(other), "--type", "reclamation", "--json").json()
    assert retyped["type"] == "reclamation" and retyped["request"].endswith("-REC-000001")


def test_classify_eval_prints_per_type_scores(registered: dict, run_cli) -> None:  # noqa: ANN001
    result = run_cli("classify", "eval", "--json")
    assert result.exit_code == 0, result.stderr
    report = result.json()
    generated = report["generated"]
    assert generated["size"] == 320 and set(generated["per_type"]) == {
        "etat_civil", "urbanisme", "voirie", "scolaire", "facture", "subvention", "reclamation", "autre"}
    assert generated["accuracy"] > 0.9 and len(generated["confusion"]) == 8
    assert report["validated"] is None
    human = run_cli("classify", "eval")
    assert "Précision" in human.stdout and "Matrice de confusion" in human.stdout


@pytest.mark.slow
def test_classify_train_learns_from_validated_documents(registered: dict, run_cli, tmp_path: Path,  # noqa: ANN001
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GED_CLASSIFICATION__MODELS_DIR", str(tmp_path / "own-models"))
    for entry in registered.values():
        assert run_cli("doc", "validate", str(entry["document_id"])).exit_code == 0
    result = run_cli("classify", "train")
    assert result.exit_code == 0, result.stderr
    found = re.search(r"(\d+) documents validés \((\d+) validés gardés", " ".join(result.stdout.split()))
    assert found and int(found[1]) + int(found[2]) == 3, result.stdout
    assert (tmp_path / "own-models" / "classifier.npz").is_file()
    history = run_cli("show", str(registered["courrier_divers"]["document_id"]), "--json").json()["history"]
    assert history[-1]["kind"] == "document.validated"
