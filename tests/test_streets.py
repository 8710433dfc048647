"""The commune's street list: imported from a BAN extract with ``ged streets``, and what reported
places and land addresses read by OCR snap to."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from classifiers.fields.document import PageText, WordBox
from classifiers.fields.extract import extract_fields
from classifiers.fields.streets import StreetList

BAN = """id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;lon;lat
49267_0010_00012;49267_0010;12;;Rue des Jonquilles;49190;49267;Rochefort-sur-Loire;-0.56;47.36
49267_0010_00014;49267_0010;14;;Rue des Jonquilles;49190;49267;Rochefort-sur-Loire;-0.56;47.36
49267_0011_00003;49267_0011;3;bis;Avenue Jean Jaurès;49190;49267;Rochefort-sur-Loire;-0.56;47.36
49267_0012_00001;49267_0012;1;;Rue des Lys;49190;49267;Rochefort-sur-Loire;-0.56;47.36
49007_0001_00001;49007_0001;1;;Rue des Lilas;49000;49007;Angers;-0.55;47.47
"""


def test_snapping_keeps_number_and_town_and_refuses_strangers() -> None:
    streets = StreetList(("Rue des Jonquilles", "Avenue Jean Jaurès", "Rue des Lys"))
    assert streets.snap("12 rue des Jonqui1les") == "12 rue des Jonquilles"
    assert streets.snap("3 bis avenue Jean Jaure5, 49190 Rochefort") == "3 bis avenue Jean Jaurès, 49190 Rochefort"
    assert streets.snap("8 rue des Lys") == "8 rue des Lys"
    assert streets.snap("5 chemin du Bois Joli") is None  # not a street of the commune: left as read


def test_a_reported_place_read_with_an_ocr_slip_is_named_as_the_ban_names_it() -> None:
    sentence = "Je signale un lampadaire en panne devant le 14 rue des Jonqu1lles depuis le 2 mars 2026"
    words = sentence.split()
    page = PageText(1, tuple(WordBox(w, 40 + 30 * i, 300, 65 + 30 * i, 311, 88.0, 0) for i, w in enumerate(words)))
    without = {f.code: f for f in extract_fields("voirie", [page], reference=date(2026, 3, 5))}
    snapped = {f.code: f for f in extract_fields("voirie", [page], reference=date(2026, 3, 5),
                                                 streets=StreetList(("Rue des Jonquilles",)))}
    assert without["localisation"].value == "14 rue des Jonqu1lles"
    assert snapped["localisation"].value == "14 rue des Jonquilles"
    assert snapped["localisation"].method.endswith("voie de la BAN")


def test_ged_streets_import_and_list(run_cli, ged_home: Path, tmp_path: Path) -> None:  # noqa: ANN001
    assert run_cli("init").exit_code == 0
    extract = tmp_path / "adresses-49.csv"
    extract.write_text(BAN, encoding="utf-8")
    imported = run_cli("streets", "import", extract, "--commune", "49267")
    assert imported.exit_code == 0 and "3 voie(s) importée(s)" in imported.stdout
    assert run_cli("streets", "list", "--json").json() == ["Avenue Jean Jaurès", "Rue des Jonquilles", "Rue des Lys"]
    not_ban = tmp_path / "autre.csv"
    not_ban.write_text("nom;prenom\nMartin;Jean\n", encoding="utf-8")
    refused = run_cli("streets", "import", not_ban)
    assert refused.exit_code == 3 and "nom_voie" in refused.stderr and "Traceback" not in refused.stderr
    assert run_cli("streets", "import", tmp_path / "absent.csv").exit_code == 5
