"""Fields of the sample mail, read by real OCR: values in normal form, with page, box and confidence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from classifiers.fields.document import PageText, WordBox
from classifiers.fields.extract import ExtractedField, extract_fields
from ocr.forms import read_form_fields

RECEIVED = date(2026, 3, 2)
Pages = Callable[[str], list[PageText]]


def _fields(doc_type: str, pages: list[PageText], **kwargs) -> dict[str, ExtractedField]:  # noqa: ANN003
    return {f.code: f for f in extract_fields(doc_type, pages, reference=RECEIVED, **kwargs)}


def _values(fields: dict[str, ExtractedField]) -> dict[str, object]:
    return {code: f.value for code, f in fields.items()}


@pytest.mark.slow
def test_invoice(sample_pages: Pages) -> None:
    fields = _fields("facture", sample_pages("facture_fournisseur"))
    assert _values(fields) | {"fournisseur": None} == {
        "fournisseur": None, "siret": "73282932000074", "numero_facture": "FA-2025-10482",
        "date_facture": "2025-10-15", "montant_ht": "8450.00", "montant_tva": "1690.00", "montant_ttc": "10140.00",
        "iban": "FR7630006000011234567890189", "date_echeance": "2025-11-14"}
    assert fields["fournisseur"].value.startswith("Électricité Générale de l'Ouest")
    siret = fields["siret"]
    assert siret.page == 1 and siret.box is not None and 0 < siret.confidence <= 1
    x0, y0, x1, y1 = siret.box
    assert 0 <= x0 < x1 <= 595 and 0 <= y0 < y1 <= 842


@pytest.mark.slow
def test_filled_form_reads_labels_by_position_and_section(sample_pages: Pages) -> None:
    fields = _fields("scolaire", sample_pages("formulaire_inscription_scolaire"))
    values = _values(fields)
    assert values["enfant_nom"] == "BENALI" and values["enfant_prenom"] == "Lina"
    assert values["enfant_date_naissance"] == "2020-09-05"
    assert values["ecole"] == "École maternelle Jules Verne" and values["niveau"] == "MS"
    # Same label "Nom" in two sections: the responsible adult is read under its own heading.
    assert values["responsable_nom"] == "Aïcha BENALI"
    assert values["responsable_adresse"] == "3 impasse des Mésanges, 44800 Saint-Herblain"
    assert values["contact"] == "+33698765432"
    assert fields["enfant_nom"].method == "formulaire"


@pytest.mark.slow
@pytest.mark.parametrize(("stem", "doc_type", "expected"), [
    pytest.param("demande_acte_naissance", "etat_civil", {
        "acte": "naissance", "forme": "copie_integrale", "titulaire_nom": "Martin", "titulaire_prenoms": "Jean-Pierre",
        "date_evenement": "1978-07-14", "lieu_evenement": "Saint-Herblain", "qualite_demandeur": "titulaire",
        "nombre_exemplaires": 2, "demandeur_adresse": "7 avenue de la République, 69003 Lyon"}, id="etat-civil"),
    pytest.param("declaration_prealable", "urbanisme", {
        "nature": "DP", "numero_dossier": "DP 044 162 25 00031", "reference_cadastrale": "AB 0123",
        "adresse_terrain": "22 chemin du Moulin", "surface_plancher": 18}, id="urbanisme"),
    pytest.param("signalement_eclairage", "voirie", {
        "nature": "eclairage", "localisation": "rue des Lilas", "date_constat": "2025-02-28",
        "contact": "+33612345678"}, id="voirie"),
    pytest.param("inscription_scolaire", "scolaire", {
        "enfant_nom": "Benali", "enfant_prenom": "Lina", "enfant_date_naissance": "2020-09-05", "niveau": "MS",
        "prestations": ["cantine", "garderie"], "contact": "aicha.benali@exemple.fr"}, id="scolaire-lettre"),
    pytest.param("demande_subvention", "subvention", {
        "rna": "W442001234", "siret": "81234567600017", "montant_demande": "2500.00", "exercice": "2026",
        "objet": "organiser des ateliers de jardinage ouverts aux habitants du quartier"},
        id="subvention"),
    pytest.param("reclamation_dechets", "reclamation", {
        "reference_dossier": "2025-REC-000117", "contact": "+33798765432",
        "demandeur_adresse": "5 place du Marché, 44800 Saint-Herblain"}, id="reclamation"),
    pytest.param("courrier_divers", "autre", {
        "date_courrier": "2025-05-05", "objet": "programme des manifestations estivales"}, id="autre"),
])
def test_letters(sample_pages: Pages, stem: str, doc_type: str, expected: dict[str, object]) -> None:
    values = _values(_fields(doc_type, sample_pages(stem)))
    assert {code: values.get(code) for code in expected} == expected


def _words(*rows: tuple[float, float, str], line_gap: float = 0.0) -> tuple[WordBox, ...]:
    """Words at (x, y) in points; each row gets its own OCR line number."""
    words = []
    for line, (x, y, text) in enumerate(rows):
        cursor = x
        for token in text.split():
            width = 6.0 * len(token)
            words.append(WordBox(token, cursor, y, cursor + width, y + 10, 90.0, line))
            cursor += width + 4
    return tuple(words)


def test_a_value_written_under_its_label() -> None:
    page = PageText(1, _words((50, 100, "FACTURE"), (50, 130, "Numéro de facture :"), (50, 143, "F-2026-00042"),
                              (50, 170, "Total TTC : 120,00 €")))
    fields = _fields("facture", [page])
    assert fields["numero_facture"].value == "F-2026-00042" and fields["numero_facture"].method == "formulaire"
    assert fields["numero_facture"].box == (50, 143, 50 + 6 * 12, 153)
    assert fields["montant_ttc"].value == "120.00"


def test_a_label_word_ending_a_sentence_is_no_label() -> None:
    """« Maison des associations » ends with the label « association » but names no field: the line
    under it is not the association's name."""
    page = PageText(1, _words((50, 100, "Les Amis du Jardin Partagé"), (50, 113, "Maison des associations"),
                              (50, 126, "44800 Saint-Herblain"), (50, 160, "Objet : demande de subvention")))
    assert _values(_fields("subvention", [page])).get("association") != "44800 Saint-Herblain"
    alone = PageText(1, _words((50, 100, "Nom de l'association"), (50, 113, "Les Amis du Jardin Partagé")))
    assert _values(_fields("subvention", [alone]))["association"] == "Les Amis du Jardin Partagé"


def test_the_date_of_a_report_follows_the_verb_and_what_was_seen() -> None:
    """« J'ai constaté le problème le 18 novembre 2026 » : words between the verb and the date; the
    letter's own date above is not the date of the report."""
    page = PageText(1, _words((50, 100, "Rochefort-sur-Loire, le 23 novembre 2026"),
                              (50, 130, "Objet : Désordre constaté 63 avenue du Château d'Eau"),
                              (50, 160, "Le lampadaire devant le 63 avenue du Château d'Eau est éteint."),
                              (50, 173, "J'ai constaté le problème le 18 novembre 2026.")))
    assert _values(_fields("voirie", [page]))["date_constat"] == "2026-11-18"
    unseen = PageText(1, _words((50, 100, "Rochefort-sur-Loire, le 23 novembre 2026"),
                                (50, 130, "Objet : Désordre constaté 63 avenue du Château d'Eau")))
    assert "date_constat" not in _values(_fields("voirie", [unseen]))


def test_a_value_in_another_ocr_block_on_the_same_row() -> None:
    label = _words((50, 200, "Nom :"))
    value = tuple(WordBox(w.text, w.x0, w.y0 - 2, w.x1, w.y1 + 1, w.confidence, 7)
                  for w in _words((300, 200, "DUPONT Marcel")))
    fields = _fields("reclamation", [PageText(1, label + value)])
    assert fields["demandeur_nom"].value == "DUPONT Marcel"


def test_form_fields_of_a_filled_pdf_win_over_the_text(tmp_path: Path) -> None:
    path = tmp_path / "cerfa.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.drawString(50, 800, "Nom de l'enfant : illisible")
    pdf.acroForm.textfield(name="enfant_nom", value="LEROY", x=50, y=700, width=200, height=20)
    pdf.acroForm.textfield(name="enfant_date_naissance", value="05/09/2020", x=50, y=660, width=200, height=20)
    pdf.acroForm.textfield(name="sans_rapport", value="x", x=50, y=620, width=200, height=20)
    pdf.save()
    form = read_form_fields(path)
    assert form["enfant_nom"] == "LEROY"
    fields = _fields("scolaire", [], form_fields=form)
    assert fields["enfant_nom"].value == "LEROY" and fields["enfant_nom"].method == "champ PDF"
    assert fields["enfant_date_naissance"].value == "2020-09-05"
    assert "sans_rapport" not in fields


def test_read_form_fields_of_a_pdf_without_form_or_not_a_pdf(tmp_path: Path) -> None:
    plain = tmp_path / "plain.pdf"
    canvas.Canvas(str(plain)).save()
    (tmp_path / "junk.pdf").write_bytes(b"not a pdf")
    assert read_form_fields(plain) == {} and read_form_fields(tmp_path / "junk.pdf") == {}


@pytest.mark.parametrize(("read", "expected", "method"), [
    pytest.param({"montant_ht": "1234.00", "montant_tva": "246.80", "montant_ttc": "1430.80"},
                 {"montant_ttc": "1480.80"}, "calcul", id="ttc-one-digit-misread"),
    pytest.param({"montant_ht": "1284.00", "montant_tva": "246.80", "montant_ttc": "1480.80"},
                 {"montant_ht": "1234.00"}, "calcul", id="ht-one-digit-misread"),
    pytest.param({"montant_ht": "100.00", "montant_ttc": "120.00"}, {"montant_tva": "20.00"}, "calcul",
                 id="missing-vat-computed"),
    pytest.param({"montant_ht": "100.00", "montant_tva": "20.00", "montant_ttc": "120.00"},
                 {"montant_ttc": "120.00"}, "texte", id="consistent-untouched"),
])
def test_invoice_totals_reconciled(read: dict[str, str], expected: dict[str, str], method: str) -> None:
    from classifiers.fields.checks import reconcile_totals

    confidence = {"montant_ht": 0.9, "montant_tva": 0.8, "montant_ttc": 0.7}
    fields = [ExtractedField(code, value, confidence[code], 1, (0, 0, 1, 1), "texte") for code, value in read.items()]
    result = {f.code: f for f in reconcile_totals(fields)}
    for code, value in expected.items():
        assert result[code].value == value and result[code].method == method


def test_totals_that_cannot_be_mended_lose_confidence() -> None:
    from classifiers.fields.checks import reconcile_totals

    fields = [ExtractedField("montant_ht", "100.00", 0.9), ExtractedField("montant_tva", "20.00", 0.9),
              ExtractedField("montant_ttc", "999.00", 0.9)]
    assert [f.value for f in reconcile_totals(fields)] == ["100.00", "20.00", "999.00"]
    assert all(f.confidence == 0.45 for f in reconcile_totals(fields))


def test_labels_and_section_titles_read_through_ocr_slips() -> None:
    """One slip per six letters, or a word split in two, still names a label or a section
    ("Persone concernée", "Nom et 3rénom", "Ob et de la demande"), and a short label read with its
    letter's OCR twin ("Non :") is one when its colon follows; a ticked "☒ Mariage" is the
    record asked for, while "mariage" in a letter's prose says nothing."""
    page = PageText(1, _words(
        (50, 100, "Nature ☐ Naissance ☒ Mariage ☐ Décès"), (50, 130, "Persone concernée par l'acte"),
        (50, 160, "Non : PINEAU"), (50, 190, "Demandeur"), (50, 220, "Nom et 3rénom : Anthony Tanguy")))
    fields = _values(_fields("etat_civil", [page]))
    assert fields["acte"] == "mariage" and fields["titulaire_nom"] == "PINEAU"
    assert fields["demandeur_nom"] == "Anthony Tanguy"
    grant = PageText(1, _words((50, 100, "DOSSIER DE DEMANDE DE SUBVENTION"),
                               (50, 130, "Ob et de la demande : la rénovation du local associatif")))
    assert _values(_fields("subvention", [grant]))["objet"] == "la rénovation du local associatif"
    prose = PageText(1, _words((50, 100, "Je souhaite une copie intégrale de l'acte en vue de mon mariage.")))
    assert "acte" not in _values(_fields("etat_civil", [prose]))
