"""Recognition with the real Tesseract on rendered, degraded scans, and the PDF/A copies made from them."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw, ImageFont

import ocr
from examples import render
from examples.letters import by_name

from .textmetrics import cer

pytestmark = pytest.mark.slow
OPTIONS = ocr.OcrOptions()


def _recognise(path: Path, workdir: Path) -> tuple[ocr.DocumentPlan, list[ocr.PageResult]]:
    plan = ocr.inspect(path, OPTIONS)
    pages = list(plan.text_pages)
    for page in plan.ocr_pages:
        pages.append(ocr.process_page(ocr.PageJob(source=path, media_type=plan.media_type, page=page,
                                                  workdir=workdir / str(page.number), options=OPTIONS)))
    return plan, sorted(pages, key=lambda p: p.number)


@pytest.fixture(scope="module")
def recognised(samples: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    """Every sample recognised once, with its searchable copy."""
    results = {}
    for path in sorted(samples.iterdir()):
        work = tmp_path_factory.mktemp(path.stem)
        plan, pages = _recognise(path, work)
        copy = work / "copie.pdf"
        ocr.build_searchable_pdf(path, plan.media_type, pages, copy)
        results[path.stem] = (plan, pages, copy)
    return results


@pytest.mark.parametrize("name", ["signalement_eclairage", "inscription_scolaire", "declaration_prealable",
                                  "reclamation_dechets", "courrier_divers"])
def test_body_text_is_read_accurately(recognised: dict, name: str) -> None:
    """Skewed, noisy, JPEG, upside-down and sideways scans all read with under 2 % CER."""
    _plan, pages, _copy = recognised[name]
    letter = by_name(name)
    body = " ".join(letter.body)
    text = " ".join(p.text for p in pages)
    start = text.find(letter.body[0][:12])
    assert start >= 0, text[:300]
    assert cer(body, text[start:start + len(body) + 40][:len(body)]) < 0.02


@pytest.mark.parametrize(("name", "rotation", "skew"), [
    ("signalement_eclairage", 0, -1.5), ("declaration_prealable", 180, 0.0), ("reclamation_dechets", 270, 0.0),
    ("courrier_divers", 0, 1.0),
])
def test_orientation_and_skew_are_recorded(recognised: dict, name: str, rotation: int, skew: float) -> None:
    page = recognised[name][1][0]
    assert page.rotation == rotation
    assert page.skew_degrees == pytest.approx(skew, abs=0.2)


def test_identifiers_survive_ocr(recognised: dict) -> None:
    text = " ".join(p.text for p in recognised["signalement_eclairage"][1])
    assert "06 12 34 56 78" in text and "3 mars 2025" in text


def test_form_values_sit_right_of_their_labels(recognised: dict) -> None:
    """Word boxes let a reader pair a form's label with the value written beside it."""
    page = recognised["formulaire_inscription_scolaire"][1][0]
    [label] = [w for w in page.words if w.text == "naissance"]
    [value] = [w for w in page.words if w.text == "05/09/2020"]
    assert value.x0 > label.x1 and abs((value.y0 + value.y1) / 2 - (label.y0 + label.y1) / 2) < 6
    assert "aicha.benali@exemple.fr" in page.text and "Garderie du matin" in page.text


def test_multipage_tiff_gives_every_page(recognised: dict) -> None:
    _plan, pages, _copy = recognised["demande_acte_naissance"]
    assert [p.number for p in pages] == [1, 2]
    assert "passeport" in pages[1].text


def test_words_have_boxes_and_confidences(recognised: dict) -> None:
    page = recognised["signalement_eclairage"][1][0]
    lilas = [w for w in page.words if w.text.startswith("Lilas")]
    assert lilas and all(0 < w.x0 < w.x1 <= page.width_pt and 0 < w.y0 < w.y1 <= page.height_pt for w in lilas)
    assert all(w.confidence > 80 for w in lilas)
    assert page.confidence is not None and page.confidence > 85


@pytest.mark.parametrize("name", ["signalement_eclairage", "demande_acte_naissance", "facture_fournisseur",
                                  "inscription_scolaire", "declaration_prealable", "demande_subvention",
                                  "reclamation_dechets", "courrier_divers", "formulaire_inscription_scolaire"])
def test_every_searchable_copy_is_valid_pdfa_2b(recognised: dict, name: str) -> None:
    plan, _pages, copy = recognised[name]
    assert ocr.is_valid_pdfa(copy)
    with pikepdf.open(copy) as pdf:
        assert len(pdf.pages) == plan.page_count
        assert str(pdf.open_metadata().get("pdfaid:part")) == "2"


def test_scanned_jpeg_is_embedded_without_re_encoding(recognised: dict, samples: Path) -> None:
    with pikepdf.open(recognised["inscription_scolaire"][2]) as pdf:
        images = [obj for obj in pdf.pages[0].get_images().values()]
        assert images[0].read_raw_bytes() == (samples / "inscription_scolaire.jpg").read_bytes()


def test_original_pdf_page_content_is_kept(recognised: dict, samples: Path) -> None:
    """OCR adds an invisible layer; the scanner's image stays the same bytes."""
    with (pikepdf.open(samples / "courrier_divers.pdf") as original,
          pikepdf.open(recognised["courrier_divers"][2]) as copy):
        before = next(iter(original.pages[0].get_images().values())).read_raw_bytes()
        after = [x.read_raw_bytes() for x in copy.pages[0].get_images().values()]
        assert before in after


def test_searchable_copy_text_matches_recognition(recognised: dict) -> None:
    document = pdfium.PdfDocument(recognised["signalement_eclairage"][2])
    layer = document[0].get_textpage().get_text_range()
    assert "éclairage public de la rue des Lilas" in " ".join(layer.split())


MARKER = "ZÉBRURES"


def _marked_page(dpi: int = 200) -> tuple[Image.Image, tuple[float, float]]:
    page = render.render_scan(by_name("courrier_divers"), dpi=dpi)
    draw = ImageDraw.Draw(page)
    font = render._font(24, dpi, sans=True)
    left, top, right, bottom = draw.textbbox((250, 1850), MARKER, font=font)
    draw.text((250, 1850), MARKER, font=font, fill=0)
    return page, ((left + right) / 2, (top + bottom) / 2)


def _turned(point: tuple[float, float], size: tuple[int, int], how: str, angle: float = 0.0) -> tuple[float, float]:
    x, y = point
    width, height = size
    if how == "180":
        return width - x, height - y
    if how == "cw90":  # Image.Transpose.ROTATE_270
        return height - y, x
    theta = math.radians(angle)  # Image.rotate(angle): counter-clockwise about the centre
    dx, dy = x - width / 2, y - height / 2
    cos, sin = math.cos(theta), math.sin(theta)
    return width / 2 + dx * cos + dy * sin, height / 2 - dx * sin + dy * cos


@pytest.mark.parametrize("how", ["180", "cw90", "skew"])
def test_invisible_text_lies_over_the_word_it_reads(tmp_path: Path, how: str) -> None:
    """The text layer of a turned or skewed scan covers the word's pixels on the stored page."""
    dpi = 200
    page, centre = _marked_page(dpi)
    if how == "180":
        scan = page.transpose(Image.Transpose.ROTATE_180)
    elif how == "cw90":
        scan = page.transpose(Image.Transpose.ROTATE_270)
    else:
        scan = page.rotate(2.0, resample=Image.Resampling.BICUBIC, fillcolor=255)
    expected = _turned(centre, page.size, how, 2.0)
    source = tmp_path / "scan.png"
    scan.save(source, dpi=(dpi, dpi))
    plan, pages = _recognise(source, tmp_path)
    copy = tmp_path / "copie.pdf"
    ocr.build_searchable_pdf(source, plan.media_type, pages, copy)

    document = pdfium.PdfDocument(copy)
    textpage = document[0].get_textpage()
    text = textpage.get_text_range()
    start = text.find(MARKER)
    assert start >= 0, text[:200]
    boxes = [textpage.get_charbox(start + i) for i in range(len(MARKER))]
    height_pt = scan.size[1] * 72 / dpi
    found_x = (min(b[0] for b in boxes) + max(b[2] for b in boxes)) / 2
    found_y = (min(b[1] for b in boxes) + max(b[3] for b in boxes)) / 2
    assert found_x == pytest.approx(expected[0] * 72 / dpi, abs=8)
    assert found_y == pytest.approx(height_pt - expected[1] * 72 / dpi, abs=8)


def test_png_pixels_are_embedded_losslessly(recognised: dict, samples: Path) -> None:
    with pikepdf.open(recognised["signalement_eclairage"][2]) as pdf:
        [image] = pdf.pages[0].get_images().values()
        assert image.DecodeParms.Predictor == 15  # the PNG's own compressed rows, not recompressed
        embedded = pikepdf.PdfImage(image).as_pil_image()
    with Image.open(samples / "signalement_eclairage.png") as original:
        assert embedded.tobytes() == original.convert("L").tobytes()


def test_pages_read_in_one_tesseract_run_are_read_as_each_alone(samples: Path, recognised: dict[str, tuple],
                                                                tmp_path: Path) -> None:
    """A worker reads its pages in one run (the language models load once); a bad page fails alone."""
    names = ["signalement_eclairage", "inscription_scolaire", "reclamation_dechets"]
    jobs, alone = [], []
    for name in names:
        path = next(samples.glob(f"{name}.*"))
        plan, pages, _copy = recognised[name]
        jobs.append(ocr.PageJob(source=path, media_type=plan.media_type, page=plan.ocr_pages[0],
                                workdir=tmp_path / name, options=OPTIONS))
        alone.append(next(p for p in pages if p.number == plan.ocr_pages[0].number))
    broken = tmp_path / "tronque.png"
    broken.write_bytes((samples / "signalement_eclairage.png").read_bytes()[:5000])
    jobs.insert(1, ocr.PageJob(source=broken, media_type="image/png", page=jobs[0].page, workdir=tmp_path / "b",
                               options=OPTIONS))
    outcomes = ocr.process_pages(jobs)
    assert isinstance(outcomes[1], ocr.CorruptInput)
    together = [outcomes[0], *outcomes[2:]]
    for page, single in zip(together, alone, strict=True):
        assert isinstance(page, ocr.PageResult)
        assert page.text == single.text and page.words == single.words and page.rotation == single.rotation
        with pikepdf.open(page.page_pdf) as pdf:  # its own text layer, not a neighbour's
            assert len(pdf.pages) == 1
        layer = pdfium.PdfDocument(page.page_pdf)[0].get_textpage().get_text_range()
        assert cer(single.text, layer) < 0.02


@pytest.mark.parametrize("turn", [pytest.param(2, id="upside-down"), pytest.param(1, id="sideways")])
def test_a_page_whose_orientation_is_unsure_is_turned_by_osd_and_read_once(
        samples: Path, recognised: dict[str, tuple], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        turn: int) -> None:
    """The profiles could not tell, and their guess was wrong: Tesseract's OSD turns the page before
    the one reading (no second reading to choose)."""
    from ocr import cleanup, tesseract

    monkeypatch.setattr(cleanup, "detect", lambda gray: cleanup.Correction(turn, 0.0, uncertain=True))
    readings = []
    real = tesseract.recognise
    monkeypatch.setattr(tesseract, "recognise",
                        lambda images, *a, **k: readings.append(images) or real(images, *a, **k))
    path = samples / "courrier_divers.pdf"
    plan, pages, _copy = recognised["courrier_divers"]
    page = ocr.process_page(ocr.PageJob(source=path, media_type=plan.media_type, page=plan.ocr_pages[0],
                                        workdir=tmp_path, options=OPTIONS))
    assert page.rotation == 0 and len(readings) == 1
    assert cer(pages[0].text, page.text) < 0.05


def test_results_cross_processes_unchanged(recognised: dict) -> None:
    """Plans and pages go to and from the worker processes pickled."""
    import pickle

    plan, pages, _copy = recognised["facture_fournisseur"]
    assert pickle.loads(pickle.dumps(plan)) == plan
    assert pickle.loads(pickle.dumps(pages)) == pages
    assert all(type(word) is ocr.Word for page in pickle.loads(pickle.dumps(pages)) for word in page.words)


def test_a_lamp_lit_page_of_few_lines_is_evened_kept_upright_and_read(tmp_path: Path) -> None:
    """The last page of an invoice, photographed under a lamp: a few lines of totals on a page
    that darkens to one side. Thresholded as it was, half the page went black and Tesseract read
    nothing; OSD, asked about so little text, said "too few characters" and that was reported as
    a timeout. Now the lighting is evened, seven lines are too few to turn the page on the
    profiles' word, and the totals are read."""
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 30)
    page = Image.new("L", (1654, 2339), 255)
    draw = ImageDraw.Draw(page)
    for row, text in enumerate(["Total HT 29 395,60 €", "TVA 20 % 5 879,12 €", "Total TTC 35 274,72 €",
                                "À régler avant le 12 décembre 2026",
                                "Règlement par virement — IBAN : FR75 8232 5012 3288 0622 5771 062",
                                "En cas de retard de paiement, indemnité forfaitaire de 40 €"]):
        draw.text((150, 200 + 60 * row), text, font=font, fill=40)
    shade = np.linspace(110, 0, page.size[0], dtype=np.float32)[None, :]  # darker to the left
    lit = np.clip(np.asarray(page, dtype=np.float32) - shade - np.random.default_rng(1).normal(0, 6, (2339, 1654)),
                  0, 255)
    path = tmp_path / "totaux.jpg"
    Image.fromarray(lit.astype(np.uint8)).save(path, quality=60, dpi=(200, 200))
    plan = ocr.inspect(path, OPTIONS)
    result = ocr.process_page(ocr.PageJob(source=path, media_type=plan.media_type, page=plan.ocr_pages[0],
                                          workdir=tmp_path / "work", options=OPTIONS))
    assert result.rotation == 0
    assert "35 274,72" in result.text and "IBAN" in result.text
