"""The two public filled Cerfa forms of urbanism, as PDFs and as 300 dpi greyscale scans, through
``ged ingest``: typed urbanism by their number, out of review, their filled fields read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pytest

RESOURCES = Path(__file__).parent / "resources" / "cerfa"
FILLED = {
    "cerfa_13406_PCMI": {"nature": "PC", "demandeur_nom": "erterter ertertertert",
                         "adresse_terrain": "1 Rue des Dervallières 44100 Nantes",
                         "reference_cadastrale": "LV 0040", "surface_plancher": 150},
    "cerfa_13703_DPMI": {"nature": "DP", "demandeur_nom": "Tata Toto",
                         "adresse_terrain": "1 Route de Kerrivaud 44500 La Baule-Escoublac",
                         "reference_cadastrale": "CT 0099", "surface_plancher": 10},
}
SCANNED_AT_LEAST = {"cerfa_13406_PCMI": 4, "cerfa_13703_DPMI": 4}
"""Right fields of five on the scans. The PCMI's floor area sits in a table without its label on the row,
and the DPMI's street number "1", printed on a dotted leader, is read "4" (README, known limits)."""


def _scan(source: Path, target: Path, pages: int = 5) -> Path:
    """The form as a scanner would give it: its filled pages drawn at 300 dpi in grey, as an image PDF."""
    document = pdfium.PdfDocument(str(source))
    document.init_forms()  # draw the values typed into the fields, as printing would
    images = [document[i].render(scale=300 / 72, grayscale=True, may_draw_forms=True).to_pil().convert("L")
              for i in range(pages)]
    document.close()
    images[0].save(target, "PDF", resolution=300, save_all=True, append_images=images[1:], quality=85)
    return target


def _right(expected: dict[str, object], fields: list[dict]) -> int:
    read = {f["code"]: f["value"] for f in fields}
    return sum(1 for code, value in expected.items() if read.get(code) == value)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract absent (paquet tesseract-ocr)")
def test_public_cerfa_forms_as_pdfs_and_scans(run_cli, ged_home: Path, tmp_path: Path) -> None:  # noqa: ANN001
    assert run_cli("init").exit_code == 0
    inbox = tmp_path / "courrier"
    inbox.mkdir()
    for name in FILLED:
        shutil.copy(RESOURCES / f"{name}.pdf", inbox / f"{name}.pdf")
        _scan(RESOURCES / f"{name}.pdf", inbox / f"scan-{name}.pdf")
    reports = {Path(r["source"]).name: r for r in run_cli("ingest", "--json", inbox).json()}
    for name, expected in FILLED.items():
        for file, least in ((f"{name}.pdf", len(expected)), (f"scan-{name}.pdf", SCANNED_AT_LEAST[name])):
            report = reports[file]
            assert report["outcome"] == "ingested" and report["doc_type"] == "urbanisme", report
            document = run_cli("show", report["document_id"], "--json").json()
            assert document["state"] == "traite"
            assert _right(expected, document["fields"]) >= least, (file, document["fields"])
            assert "-URB-" in report["request"]  # an urbanism request was opened from it
