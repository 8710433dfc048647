"""Values as people write them → the normal forms of DOMAIN.md; identifiers validated by their checksum."""

from __future__ import annotations

from datetime import date

import pytest

from classifiers.fields import values
from classifiers.fields.extract import normalise_value

REFERENCE = date(2026, 3, 10)


def _values(find, text: str, **kwargs) -> list[str]:  # noqa: ANN001
    return [v for _, _, v in find(text, **kwargs)]


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("le 3 mars 2025", "2025-03-03", id="written"),
    pytest.param("le 1er avril", "2026-04-01", id="first-without-year"),
    pytest.param("Le 1ER AVRIL 2024", "2024-04-01", id="upper-case"),
    pytest.param("03/03/25", "2025-03-03", id="two-digit-year"),
    pytest.param("né le 14/07/78", "1978-07-14", id="two-digit-year-last-century"),
    pytest.param("05.09.2020", "2020-09-05", id="dots"),
    pytest.param("2025-12-01", "2025-12-01", id="iso"),
    pytest.param("12 fevrier 2026", "2026-02-12", id="no-accent"),
    pytest.param("8 sept. 2025", "2025-09-08", id="abbreviated"),
    pytest.param("14 août 2025", "2025-08-14", id="accent"),
])
def test_dates(text: str, expected: str) -> None:
    assert _values(values.find_dates, text, reference=REFERENCE) == [expected]


def test_impossible_dates_are_not_dates() -> None:
    assert _values(values.find_dates, "31/02/2025 et le 30 février 2024", reference=REFERENCE) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("1 234,56 €", "1234.56"), ("1.234,56 EUR", "1234.56"), ("2500 euros", "2500.00"), ("8 450,00 €", "8450.00"),
    ("12,5 €", "12.50"), ("1\u202f000 000,00 €", "1000000.00"),
])
def test_amounts(text: str, expected: str) -> None:
    assert _values(values.find_amounts, text) == [expected]


def test_sirets_are_checked_including_la_poste() -> None:
    text = "SIRET 732 829 320 00074, faux 812 345 678 00019, La Poste 356 000 000 00048"
    assert _values(values.find_sirets, text) == ["73282932000074", "35600000000048"]


def test_iban_checked_and_cut_before_the_next_word() -> None:
    text = "IBAN FR76 3000 6000 0112 3456 7890 189 BIC AGRIFRPP"
    assert _values(values.find_ibans, text) == ["FR7630006000011234567890189"]
    assert _values(values.find_ibans, "IBAN FR76 3000 6000 0112 3456 7890 188") == []


def test_contacts_in_normal_form() -> None:
    text = "Tél. 06 12 34 56 78 — Jean.Martin@Exemple.FR — +33 2 40 11 22 33"
    assert _values(values.find_contacts, text) == ["jean.martin@exemple.fr", "+33612345678", "+33240112233"]


def test_square_metres_whose_raised_two_ocr_misread() -> None:
    text = "une surface de plancher de 125 m* au total ; 76 m?. ; 18 m²"
    assert _values(values.find_surfaces, text) == ["125", "76", "18"]
    assert _values(values.find_surfaces, "à 5 mètres ?") == []


def test_an_email_whose_at_sign_ocr_set_apart_is_read_whole() -> None:
    """Tesseract often puts a space before or after « @ »; one space is read through, not a line break."""
    assert _values(values.find_emails, "Courriel : capucine.barbier @sfr.fr") == ["capucine.barbier@sfr.fr"]
    assert _values(values.find_emails, "Courriel : capucine.barbier@ sfr.fr") == ["capucine.barbier@sfr.fr"]
    assert _values(values.find_emails, "rendez-vous @ 10h.") == []
    assert _values(values.find_emails, "capucine.barbier\n@sfr.fr") == []


def test_identifiers_of_urban_planning_and_associations() -> None:
    assert _values(values.find_dossier_numbers, "dossier PC 044 109 25 00012 et DP 44 162 25 00031") == [
        "PC 044 109 25 00012", "DP 044 162 25 00031"]
    assert _values(values.find_cadastral_references, "parcelle cadastrée section AB numéro 123") == ["AB 0123"]
    assert _values(values.find_cadastral_references, "Madame AB 12 rue des Lilas") == []
    assert _values(values.find_rnas, "RNA W442001234") == ["W442001234"]
    assert _values(values.find_surfaces, "18 m² de plancher, 142,5 m2") == ["18", "142.5"]


def test_a_persons_correction_is_normalised_and_validated() -> None:
    assert normalise_value("siret", "732 829 320 00074", reference=REFERENCE) == "73282932000074"
    assert normalise_value("siret", "732 829 320 00075", reference=REFERENCE) is None
    assert normalise_value("date_facture", "le 1er avril", reference=REFERENCE) == "2026-04-01"
    assert normalise_value("montant_ttc", "10 140,00 €", reference=REFERENCE) == "10140.00"
    assert normalise_value("surface_plancher", "18 m²", reference=REFERENCE) == 18
    assert normalise_value("reference_cadastrale", "ab 12", reference=REFERENCE) is None
    assert normalise_value("reference_cadastrale", "AB 12", reference=REFERENCE) == "AB 0012"
    assert normalise_value("contact", "06 12 34 56 78", reference=REFERENCE) == "+33612345678"
    assert normalise_value("demandeur_nom", "  Jean   Martin ", reference=REFERENCE) == "Jean Martin"


def test_a_date_in_comb_boxes_survives_the_cell_walls() -> None:
    """Next to a form's label, OCR turns comb cell walls into commas or bars; eight digits are still a date."""
    reference = date(2026, 11, 20)
    assert [v for _, _, v in values.find_dates("2,3 0,7 1 954", reference=reference, boxed=True)] == ["1954-07-23"]
    assert [v for _, _, v in values.find_dates("| 06 12 1939", reference=reference, boxed=True)] == ["1939-12-06"]
    assert not list(values.find_dates("0512202 |", reference=reference, boxed=True))  # a digit lost: no guess
    assert not list(values.find_dates("2,3 0,7 1 954", reference=reference))  # in running text, not a date


def test_an_address_loses_what_ocr_added_around_it() -> None:
    assert values.tidy_address("“61 bis cours des Acacias 49190 Rochefort-sur-Loire") == \
        "61 bis cours des Acacias 49190 Rochefort-sur-Loire"
    assert values.tidy_address("83 avenue des Écoles 49190: Rochefort-sur-Loire EL L 7 7") == \
        "83 avenue des Écoles 49190 Rochefort-sur-Loire"
    assert values.tidy_address("11 route du Port 49130 Les Ponts-de-Cé") == "11 route du Port 49130 Les Ponts-de-Cé"
    assert values.tidy_address("4 rue Lenepveu 49100 Angers Cedex 01") == "4 rue Lenepveu 49100 Angers Cedex 01"
    assert values.tidy_address("69 bis avenue des Jonquilles _") == "69 bis avenue des Jonquilles"


def test_french_phone_numbers_outside_the_known_ranges_and_lowercase_rna() -> None:
    """libphonenumber does not know every range handed out (07 2x); written the French way it is a phone.
    A RNA number's W read lowercase by OCR is still one."""
    assert _values(values.find_phones, "Téléphone : 07 29 37 29 68, SIRET 90074838506729") == ["+33729372968"]
    assert _values(values.find_rnas, "N° RNA: w491439828") == ["W491439828"]
