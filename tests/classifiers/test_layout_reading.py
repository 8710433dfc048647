"""Reading by layout on real rendered pages: comb boxes, the sender block beside the commune's own
address, printed e-mails, names split over two labels, sections, and typing by genre."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from random import Random

import pytest

from bench.mail import layouts as L
from bench.mail.scan import Mode, degrade, rasterise, save
from bench.mail.sheet import Sheet, missing_fonts
from classifiers.decision import ILLEGIBLE, classify, legibility
from classifiers.fields.document import DocumentText, PageText, WordBox
from classifiers.fields.extract import extract_fields
from classifiers.rules import RuleSet, TypeRule
from tests.classifiers.conftest import read_pages

RECEIVED = date(2026, 11, 20)
pytestmark = pytest.mark.skipif(bool(missing_fonts()), reason=f"polices absentes : {missing_fonts()}")


def _values(doc_type: str, pages: list[PageText]) -> dict[str, object]:
    return {f.code: f.value for f in extract_fields(doc_type, pages, reference=RECEIVED)}


def _draw(path: Path, draw) -> Path:  # noqa: ANN001 - a callable drawing on the sheet
    sheet = Sheet(path)
    draw(sheet)
    sheet.save()
    return path


def _form(sheet: Sheet, hand: str | None = None) -> None:
    L.form(sheet, header=["Mairie de Rochefort-sur-Loire", "Place de la République", "49190 Rochefort-sur-Loire"],
           title="DEMANDE D'AUTORISATION D'URBANISME", r=Random(3), hand=hand, sections=[
               L.FormSection("1. Identité du demandeur", [
                   L.FormField("Nom", "KOWALSKI", width=70), L.FormField("Prénom", "Bastien", width=70),
                   L.FormField("Adresse", "134 allée du Port"), L.FormField("Code postal", "49190", comb=5),
                   L.FormField("Commune", "Rochefort-sur-Loire", width=80)]),
               L.FormSection("2. Le terrain", [
                   L.FormField("Adresse du terrain", "2 ter avenue des Vignes 49190 Rochefort-sur-Loire"),
                   L.FormField("Section cadastrale", "ZH", comb=2), L.FormField("Numéro de parcelle", "1612", comb=4)]),
               L.FormSection("3. Le projet", [L.FormField("Surface de plancher créée (m²)", "140", width=25)])])


def test_comb_boxes_are_joined_into_one_value() -> None:
    def box(text: str, x: float) -> WordBox:
        return WordBox(text, x, 100, x + 6, 111)

    comb = [box(c, 100 + 14 * i) for i, c in enumerate("W491234567")]
    prose = [box("à", 100), WordBox("Angers", 110, 100, 150, 111)]
    document = DocumentText([PageText(1, (WordBox("RNA", 40, 100, 70, 111), *comb)),
                             PageText(2, tuple(prose))])
    assert document.lines[0].text == "RNA W491234567"
    assert document.lines[1].text == "à Angers"  # a lone one-letter word is not a comb


@pytest.mark.slow
@pytest.mark.parametrize("scanned", [pytest.param(False, id="born-digital"), pytest.param(True, id="scan-300dpi")])
def test_form_read_by_labels_combs_and_sections(tmp_path: Path, scanned: bool) -> None:
    pdf = _draw(tmp_path / "form.pdf", _form)
    if scanned:
        pages, _ = degrade(rasterise(pdf, 300), Mode.SCAN_300, Random(5), 300)
        pdf = save(pages, tmp_path / "scan", Mode.SCAN_300, Random(1), 300)
    values = _values("urbanisme", read_pages(pdf))
    assert values["demandeur_nom"] == "Bastien KOWALSKI"  # Prénom and Nom, two boxes, one name
    assert values["reference_cadastrale"] == "ZH 1612"  # two comb boxes for the section, four for the number
    assert values["surface_plancher"] == 140
    assert values["adresse_terrain"] == "2 ter avenue des Vignes 49190 Rochefort-sur-Loire"


@pytest.mark.slow
def test_sender_is_not_the_commune_and_keeps_its_column(tmp_path: Path) -> None:
    """The sender on the right, the commune's address on the left, a reception stamp beside the sender."""
    def draw(sheet: Sheet) -> None:
        for i, line in enumerate(("Mairie de Rochefort-sur-Loire", "Place de la République", "49190 Rochefort")):
            sheet.text(20, 30 + 5.5 * i, line)
        for i, line in enumerate(("Mme Pauline MENARD", "12 rue des Acacias", "49000 Angers")):
            sheet.text(120, 70 + 5.5 * i, line)
        sheet.y = 110
        sheet.paragraph(20, "Objet : réclamation concernant le bruit de la salle des fêtes")
        sheet.paragraph(20, "Madame, Monsieur, je déplore le bruit des soirées qui durent toute la nuit.")

    values = _values("reclamation", read_pages(_draw(tmp_path / "letter.pdf", draw)))
    assert values["demandeur_nom"] == "Mme Pauline MENARD"
    assert values["demandeur_adresse"] == "12 rue des Acacias, 49000 Angers"


@pytest.mark.slow
def test_printed_email_sender_and_street_number(tmp_path: Path) -> None:
    def draw(sheet: Sheet) -> None:
        L.email(sheet, sender="Anthony Gauthier", address="anthony.gauthier@orange.fr", sent="30 novembre 2026",
                subject="Signalement", r=Random(2), body=[
                    "Bonjour,", "Je souhaite vous signaler qu'une grosse branche menace de tomber sur le trottoir "
                    "devant le 69 bis avenue des Jonquilles.", "Constaté le 28/11/2026.", "Anthony Gauthier"])

    values = _values("voirie", read_pages(_draw(tmp_path / "mail.pdf", draw)))
    assert values["demandeur_nom"] == "Anthony Gauthier"
    assert values["contact"] == "anthony.gauthier@orange.fr"
    assert values["localisation"] == "69 bis avenue des Jonquilles"
    assert values["date_constat"] == "2026-11-28"


RULES = RuleSet({
    "facture": TypeRule(("facture", "tva", "ttc"), excluded_by=(r"\bdevis\s*n\s*[°o]",)),
    "reclamation": TypeRule(("reclamation", "conteste")),
    "autre": TypeRule(("devis",)),
})


def test_a_quote_is_ruled_out_as_an_invoice() -> None:
    quote = "DEVIS\nDevis n° 2026-41\nTotal HT 100,00 €\nTVA 20 % 20,00 €\nTotal TTC 120,00 €\nfacture à réception"
    decision = classify(quote, rules=RULES, model=None, threshold=0.5)
    assert decision.doc_type == "autre" and "facture" not in {t for t, s in decision.scores.items() if s > 0}


def test_the_subject_line_weighs_more_than_words_in_passing() -> None:
    text = "Objet : réclamation\nJe conteste la facture de cantine, la facture est fausse, TVA comprise."
    assert RULES.points(text)["reclamation"] == 3.0  # "reclamation" twice (in the subject), "conteste" once
    assert classify(text, rules=RULES, model=None, threshold=0.5).doc_type == "reclamation"


def test_illegible_text_goes_to_review_without_a_type() -> None:
    garbage = [WordBox(w, 0, 0, 1, 1, confidence=c) for w, c in (("Fcrtwre", 31), ("zmqxa", 22), ("TTC", 60))]
    assert legibility(garbage) == pytest.approx(0.3766, abs=1e-3)
    decision = classify("Fcrtwre zmqxa TTC", rules=RULES, model=None, threshold=0.5, legible=legibility(garbage))
    assert decision.uncertain and decision.method == ILLEGIBLE
    clean = [WordBox("Facture", 0, 0, 1, 1, confidence=93), WordBox("TTC", 0, 0, 1, 1, confidence=91)]
    assert not classify("Facture TTC", rules=RULES, model=None, threshold=0.5, legible=legibility(clean)).uncertain


def _mail(tmp_path: Path, name: str, draw) -> dict[str, object]:  # noqa: ANN001 - a callable drawing on the sheet
    return _values("autre", read_pages(_draw(tmp_path / f"{name}.pdf", draw)))


def test_who_sent_mail_that_is_no_request(tmp_path: Path) -> None:
    """A newsletter's masthead, an invitation's host, a prefecture's heading without a postcode,
    a supplier's name in large type above its address: each is the sender, and only a letter's
    own date line (not an event's date) is its date."""
    def newsletter(sheet: Sheet) -> None:
        sheet.text(20, 25, "Syndicat des Rivières", size=22)
        sheet.text(20, 35, "Lettre d'information n° 12 — hiver")
        sheet.y = 50
        sheet.paragraph(20, "Les travaux de restauration des berges reprendront le lundi 11 janvier 2027 "
                            "sur la commune, après la période de crue.")

    def invitation(sheet: Sheet) -> None:
        sheet.text(105, 40, "Le Comité des fêtes de Savennières", align="center", size=14)
        sheet.text(105, 50, "a le plaisir de vous inviter", align="center")
        sheet.text(105, 60, "au concert de la Sainte-Cécile le 22/11/2026 à 20 h", align="center")

    def circular(sheet: Sheet) -> None:
        for i, line in enumerate(("PRÉFECTURE DE LA SARTHE", "Service de la sécurité civile")):
            sheet.text(120, 20 + 5.5 * i, line)
        sheet.text(20, 50, "Mesdames et Messieurs les maires")
        sheet.text(120, 65, "Le Mans, le 3 décembre 2026")
        sheet.y = 80
        sheet.paragraph(20, "Objet : exercice départemental de crise")
        sheet.paragraph(20, "La présente note vous informe d'un exercice de sécurité civile, sans incidence "
                            "sur les services municipaux et sans public à prévenir.")
        sheet.paragraph(20, "Je vous remercie de relayer cette information auprès de vos équipes.")

    def quote(sheet: Sheet) -> None:
        sheet.text(20, 22, "Menuiserie Gaudin Frères", size=16)
        for i, line in enumerate(("5 impasse du Moulin", "72000 Le Mans")):
            sheet.text(20, 32 + 5.5 * i, line)
        sheet.text(150, 32, "DEVIS")
        sheet.text(20, 50, "Tél. 02 43 00 00 00")
        sheet.text(150, 50, "Date : 02/12/2026")

    assert _mail(tmp_path, "newsletter", newsletter)["expediteur"] == "Syndicat des Rivières"
    invited = _mail(tmp_path, "invitation", invitation)
    assert invited["expediteur"] == "Le Comité des fêtes de Savennières"
    assert "date_courrier" not in invited  # the concert's date is no letter date
    sent = _mail(tmp_path, "circular", circular)
    assert sent["expediteur"] == "PRÉFECTURE DE LA SARTHE" and sent["date_courrier"] == "2026-12-03"
    quoted = _mail(tmp_path, "quote", quote)
    assert quoted["expediteur"] == "Menuiserie Gaudin Frères" and quoted["date_courrier"] == "2026-12-02"


def test_an_emails_writer_signs_with_the_address(tmp_path: Path) -> None:
    def draw(sheet: Sheet) -> None:
        L.email(sheet, sender="Odile Marchand", address="o.marchand@free.fr", sent="2 décembre 2026 08:14",
                subject="Réclamation", r=Random(4), body=[
                    "Madame, Monsieur,", "Je conteste la majoration appliquée sur ma facture d'eau de novembre.",
                    "Odile Marchand", "7 bis rue du Pressoir", "72300 Sablé-sur-Sarthe"])

    values = _values("reclamation", read_pages(_draw(tmp_path / "mail.pdf", draw)))
    assert values["demandeur_nom"] == "Odile Marchand"
    assert values["demandeur_adresse"] == "7 bis rue du Pressoir, 72300 Sablé-sur-Sarthe"
