"""File-type sniffing and inspection: every reason to refuse a file, and what to OCR."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from PIL import Image

import ocr
from examples import render
from examples.letters import by_name
from ocr import sniff

OPTIONS = ocr.OcrOptions()


@pytest.mark.parametrize(("head", "expected"), [
    pytest.param(b"%PDF-1.7\n", sniff.PDF, id="pdf"),
    pytest.param(b"\n\n%PDF-1.4", sniff.PDF, id="pdf-after-junk"),
    pytest.param(b"\x89PNG\r\n\x1a\n....", sniff.PNG, id="png"),
    pytest.param(b"\xff\xd8\xff\xe0", sniff.JPEG, id="jpeg"),
    pytest.param(b"II*\x00", sniff.TIFF, id="tiff-le"),
    pytest.param(b"MM\x00*", sniff.TIFF, id="tiff-be"),
    pytest.param(b"RIFF\x00\x00\x00\x00WEBPVP8", sniff.WEBP, id="webp"),
    pytest.param(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", sniff.HEIC, id="heic"),
    pytest.param(b"{\\rtf1\\ansi", sniff.RTF, id="rtf"),
    pytest.param(b"Received: from mx (mx [10.0.0.1])\r\n\tby mairie; Mon, 2 Mar 2026\r\nFrom: A <a@b.fr>\r\n"
                 b"Subject: Demande\r\n\r\nBonjour", sniff.EML, id="eml"),
    pytest.param(b"<!DOCTYPE html>\n<html><body>Bonjour</body></html>", sniff.HTML, id="html"),
    pytest.param(b"Objet : demande d'acte\nBonjour, je souhaite\xe9", sniff.TEXT, id="text-cp1252"),
    pytest.param(b"\xff\xfeB\x00o\x00", sniff.TEXT, id="text-utf16"),
])
def test_sniff_recognises_supported_types_by_content(head: bytes, expected: str) -> None:
    assert sniff.sniff_bytes(head) == expected


@pytest.mark.parametrize(("head", "label"), [
    pytest.param(b"GIF89a", "GIF", id="gif"),
    pytest.param(b"PK\x03\x04", "ZIP", id="zip-head-only"),
    pytest.param(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00>\x00", "non reconnu",
                 id="binary"),
])
def test_sniff_names_what_it_refuses(head: bytes, label: str) -> None:
    with pytest.raises(ocr.UnsupportedFormat, match=label):
        sniff.sniff_bytes(head)


def test_extension_is_ignored(tmp_path: Path, samples: Path) -> None:
    disguised = tmp_path / "scan.pdf"
    disguised.write_bytes((samples / "signalement_eclairage.png").read_bytes())
    assert ocr.inspect(disguised, OPTIONS).media_type == sniff.PNG


def test_born_digital_pdf_needs_no_ocr(samples: Path) -> None:
    plan = ocr.inspect(samples / "facture_fournisseur.pdf", OPTIONS)
    assert plan.ocr_pages == ()
    assert [p.number for p in plan.text_pages] == [1]
    page = plan.text_pages[0]
    assert "Électricité Générale de l'Ouest" in page.text
    iban = [w for w in page.words if w.text == "FR76"]
    assert iban and 0 < iban[0].x0 < iban[0].x1 < page.width_pt and 0 < iban[0].y0 < iban[0].y1 < page.height_pt


def test_scanned_pdf_is_planned_for_ocr(samples: Path) -> None:
    plan = ocr.inspect(samples / "courrier_divers.pdf", OPTIONS)
    assert plan.text_pages == () and [p.number for p in plan.ocr_pages] == [1]
    assert plan.ocr_pages[0].dpi == 300


def test_mixed_pdf_ocrs_only_pages_without_text(tmp_path: Path, samples: Path) -> None:
    mixed = tmp_path / "mixte.pdf"
    with (pikepdf.open(samples / "facture_fournisseur.pdf") as pdf,
          pikepdf.open(samples / "courrier_divers.pdf") as scan):
        pdf.pages.append(scan.pages[0])
        pdf.save(mixed)
    plan = ocr.inspect(mixed, OPTIONS)
    assert [p.number for p in plan.text_pages] == [1]
    assert [p.number for p in plan.ocr_pages] == [2]


def test_multipage_tiff_has_a_plan_per_frame(samples: Path) -> None:
    plan = ocr.inspect(samples / "demande_acte_naissance.tif", OPTIONS)
    assert plan.page_count == 2 and [p.dpi for p in plan.ocr_pages] == [300, 300]
    assert plan.ocr_pages[0].width_pt == pytest.approx(595, abs=2)


def test_signed_pdf_is_flagged(tmp_path: Path, samples: Path) -> None:
    signed = tmp_path / "signe.pdf"
    with pikepdf.open(samples / "facture_fournisseur.pdf") as pdf:
        field = pdf.make_indirect(pikepdf.Dictionary(FT=pikepdf.Name.Sig, T="Signature1",
                                                     V=pikepdf.Dictionary(Type=pikepdf.Name.Sig)))
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field]), SigFlags=3)
        pdf.save(signed)
    assert ocr.inspect(signed, OPTIONS).signed is True
    assert ocr.inspect(samples / "facture_fournisseur.pdf", OPTIONS).signed is False


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("make", "error", "message"), [
    pytest.param(lambda d, s: _write(d / "vide.pdf", b""), ocr.EmptyInput, "vide", id="empty"),
    pytest.param(lambda d, s: _write(d / "t.pdf", (s / "facture_fournisseur.pdf").read_bytes()[:2000]),
                 ocr.CorruptInput, "corrompu", id="truncated-pdf"),
    pytest.param(lambda d, s: _write(d / "x.pdf", b"%PDF-1.4\n" + b"\x00garbage" * 50), ocr.CorruptInput,
                 "PDF", id="garbage-pdf"),
    pytest.param(lambda d, s: _write(d / "x.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40), ocr.CorruptInput,
                 "illisible", id="broken-png"),
    pytest.param(lambda d, s: _write(d / "x.gif", b"GIF89a\x01\x00\x01\x00"), ocr.UnsupportedFormat, "GIF",
                 id="gif"),
])
def test_bad_files_are_refused_with_a_french_reason(tmp_path: Path, samples: Path, make, error, message) -> None:  # noqa: ANN001
    path = make(tmp_path, samples)
    with pytest.raises(error, match=message) as caught:
        ocr.inspect(path, OPTIONS)
    assert str(path) not in caught.value.message


def test_encrypted_pdf_is_refused(tmp_path: Path, samples: Path) -> None:
    encrypted = tmp_path / "chiffre.pdf"
    with pikepdf.open(samples / "facture_fournisseur.pdf") as pdf:
        pdf.save(encrypted, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    with pytest.raises(ocr.EncryptedInput, match="mot de passe"):
        ocr.inspect(encrypted, OPTIONS)


def test_decompression_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    bomb = tmp_path / "bombe.png"
    Image.new("1", (20000, 20000)).save(bomb)
    assert bomb.stat().st_size < 200_000
    with pytest.raises(ocr.LimitExceeded, match="bombe"):
        ocr.inspect(bomb, ocr.OcrOptions(limits=ocr.Limits(max_page_pixels=100_000_000)))


def test_page_and_size_limits(tmp_path: Path, samples: Path) -> None:
    tiff = samples / "demande_acte_naissance.tif"
    with pytest.raises(ocr.LimitExceeded, match="trop de pages"):
        ocr.inspect(tiff, ocr.OcrOptions(limits=ocr.Limits(max_pages=1)))
    with pytest.raises(ocr.LimitExceeded, match="volumineux"):
        ocr.inspect(tiff, ocr.OcrOptions(limits=ocr.Limits(max_file_bytes=1000)))


def test_poster_sized_pdf_page_is_rendered_at_a_bounded_resolution(tmp_path: Path) -> None:
    plan_pdf = tmp_path / "plan.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(2384, 3370))  # A0
        pdf.save(plan_pdf)
    options = ocr.OcrOptions(limits=ocr.Limits(max_page_pixels=60_000_000))
    page = ocr.inspect(plan_pdf, options).ocr_pages[0]
    assert page.dpi < 300
    assert (2384 / 72 * page.dpi) * (3370 / 72 * page.dpi) <= 60_000_000


@pytest.mark.parametrize(("scan_dpi", "planned"), [(200, 200), (600, 300), (72, 100)])
def test_a_scanned_pdf_page_is_read_at_its_own_resolution(tmp_path: Path, scan_dpi: int, planned: int) -> None:
    """A 200 dpi scan is read at 200 dpi (upscaling invents nothing and costs 2.25× the pixels);
    never above the configured resolution, never under the minimum."""
    path = tmp_path / "scan.pdf"
    Image.new("L", (round(8.27 * scan_dpi), round(11.69 * scan_dpi)), 255).save(path, "PDF", resolution=scan_dpi)
    [page] = ocr.inspect(path, OPTIONS).ocr_pages
    assert page.dpi == planned


def test_layout_of_generated_letters_is_realistic() -> None:
    image = render.render_scan(by_name("signalement_eclairage"))
    assert image.size == (2480, 3508)
