"""Skew and orientation found by projection profiles, and the geometry that undoes them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from examples import render
from examples.letters import by_name
from ocr import cleanup, geometry


@pytest.fixture(scope="module")
def page() -> Image.Image:
    return render.render_scan(by_name("demande_subvention"), dpi=200)


@pytest.mark.parametrize("angle", [-4.0, -2.5, -1.0, 0.7, 1.5, 3.0])
def test_skew_is_measured_within_a_fifth_of_a_degree(page: Image.Image, angle: float) -> None:
    skewed = page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    correction = cleanup.detect(skewed)
    assert correction.quarter_turns == 0
    assert correction.skew == pytest.approx(-angle, abs=0.2)


def test_straight_page_is_left_alone(page: Image.Image) -> None:
    assert cleanup.detect(page) == cleanup.Correction(0, 0.0)


def test_page_turned_clockwise_is_put_upright(page: Image.Image) -> None:
    correction = cleanup.detect(page.transpose(Image.Transpose.ROTATE_270))
    assert correction.quarter_turns == 1 and not correction.uncertain


@pytest.mark.parametrize(("transpose", "turns"), [
    pytest.param(Image.Transpose.ROTATE_180, 0, id="upside-down"),
    pytest.param(Image.Transpose.ROTATE_90, 1, id="anticlockwise"),
])
def test_a_page_that_looks_upside_down_is_left_to_osd(page: Image.Image, transpose: Image.Transpose,
                                                      turns: int) -> None:
    """The profiles never turn a page upside down themselves: upright scans measured upside down
    (handwriting fonts, stamps) far more often than the reverse. A page turned anticlockwise is put
    on its side and still reads upside down; Tesseract's OSD gives the last half turn."""
    correction = cleanup.detect(page.transpose(transpose))
    assert correction.uncertain and correction.quarter_turns == turns


def test_when_osd_cannot_tell_a_page_on_its_side_follows_the_lines_and_an_upright_one_stays(
        page: Image.Image) -> None:
    anticlockwise = cleanup.detect(page.transpose(Image.Transpose.ROTATE_90))
    assert anticlockwise.leans_upside_down and anticlockwise.unresolved().quarter_turns == 3
    assert not anticlockwise.unresolved().uncertain
    upside_down = cleanup.detect(page.transpose(Image.Transpose.ROTATE_180))
    assert not upside_down.leans_upside_down and upside_down.unresolved().quarter_turns == 0


def test_upside_down_skewed_noisy_scan_keeps_its_skew_for_osd(page: Image.Image) -> None:
    from examples import render

    scan = render.degrade(page.rotate(181.5, fillcolor=255), seed=3, noise=14, blur=0.9)
    correction = cleanup.detect(scan)
    assert correction.uncertain and correction.quarter_turns == 0
    assert correction.skew == pytest.approx(-1.5, abs=0.2)


def test_ascender_balance_tells_which_way_up(page: Image.Image) -> None:
    ink = (np.asarray(page.reduce(4)) < 128).astype(np.uint8)
    assert cleanup.ascender_balance(ink)[0] > 0.5 and cleanup.ascender_balance(ink)[1] >= 8
    assert cleanup.ascender_balance(ink[::-1, ::-1])[0] < -0.5
    assert cleanup.ascender_balance(np.zeros((100, 100), dtype=np.uint8)) == (0.0, 0)


def test_blank_page_needs_no_correction_and_stays_white() -> None:
    blank = Image.new("L", (1000, 1400), 255)
    assert cleanup.detect(blank) == cleanup.Correction()
    ink = np.asarray(blank) <= cleanup.otsu_threshold(blank)
    assert cleanup.bitonal_pbm(ink) == b"P4\n1000 1400\n" + bytes(125 * 1400)


def test_otsu_splits_a_bimodal_histogram() -> None:
    pixels = np.concatenate([np.full(1000, 30), np.full(3000, 220)]).astype(np.uint8).reshape(40, 100)
    assert 30 <= cleanup.otsu_threshold(Image.fromarray(pixels)) < 220


def test_black_and_white_page_keeps_its_text_black(page: Image.Image, tmp_path: Path) -> None:
    """The PBM written for Tesseract is what Pillow reads back as the thresholded page."""
    threshold = cleanup.otsu_threshold(page)
    path = tmp_path / "page.pbm"
    path.write_bytes(cleanup.bitonal_pbm(np.asarray(page) <= threshold))
    with Image.open(path) as black_and_white:
        assert black_and_white.mode == "1" and black_and_white.size == page.size
        ink = 1 - np.asarray(black_and_white, dtype=np.uint8)
    assert 0.01 < ink.mean() < 0.2
    assert np.array_equal(ink.astype(bool), np.asarray(page) <= threshold)


def _apply(matrix: np.ndarray, x: float, y: float) -> tuple[float, float]:
    result = matrix @ np.array([x, y, 1.0])
    return float(result[0]), float(result[1])


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_display_to_user_maps_corners_of_the_mediabox(rotate: int) -> None:
    box = (10.0, 20.0, 110.0, 220.0)  # 100 × 200 points
    matrix = geometry.display_to_user(box, rotate)
    width, height = (100, 200) if rotate in (0, 180) else (200, 100)
    corners = {_apply(matrix, x, y) for x, y in ((0, 0), (width, 0), (0, height), (width, height))}
    assert corners == {(10.0, 20.0), (110.0, 20.0), (10.0, 220.0), (110.0, 220.0)}


@pytest.mark.parametrize("correction", [cleanup.Correction(0, 0.0), cleanup.Correction(1, 0.0),
                                        cleanup.Correction(2, 1.5), cleanup.Correction(3, -2.0)])
def test_layer_placement_sends_a_recognised_word_back_to_its_pixels(correction: cleanup.Correction) -> None:
    """A point of the corrected raster, once placed, lands where that pixel is on the stored page."""
    width, height, dpi = 1654, 2339, 200
    point = np.array([400.0, 300.0, 1.0])  # a pixel of the original raster
    to_layer = geometry.raster_to_layer(width, height, dpi, correction)
    layer_x, layer_y = _apply(to_layer, *point[:2])
    placement = geometry.layer_placement(raster_size=(width, height), dpi=dpi, correction=correction,
                                         mediabox=(0.0, 0.0, width * 72 / dpi, height * 72 / dpi))
    a, b, c, d, e, f = placement
    user = (a * layer_x + c * layer_y + e, b * layer_x + d * layer_y + f)
    assert user == pytest.approx((400 * 72 / dpi, (height - 300) * 72 / dpi), abs=1e-6)


def test_upright_rotate_turns_the_page_back() -> None:
    assert geometry.upright_rotate(0, cleanup.Correction(1, 0.0)) == 270
    assert geometry.upright_rotate(90, cleanup.Correction(2, 0.0)) == 270
    assert geometry.upright_rotate(0, cleanup.Correction(0, 0.0)) == 0


def test_rules_and_comb_box_sides_are_taken_out_letters_stay() -> None:
    """A comb box row and an underline disappear; the digits inside and a tall title letter remain."""
    from PIL import ImageDraw, ImageFont

    page = Image.new("L", (1200, 600), 255)
    draw = ImageDraw.Draw(page)
    for i in range(5):  # five comb cells of 5 mm at 300 dpi, one digit in each
        draw.rectangle((200 + 59 * i, 200, 259 + 59 * i, 266), outline=0, width=3)
        draw.text((218 + 59 * i, 210), "12345"[i], font=ImageFont.truetype(
            "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 42), fill=0)
    draw.line((100, 400, 1100, 400), fill=0, width=3)
    draw.text((100, 450), "I", font=ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 90), fill=0)
    ink = np.asarray(page) <= 128
    clean = cleanup.without_rules(ink, 300)
    assert not clean[398:403, 100:1100].any()  # the underline
    assert not clean[200:267, 199:205].any()  # the first cell's left side
    assert clean[210:262, 210:255].sum() > 0.6 * ink[210:262, 210:255].sum()  # the digit inside
    assert clean[450:560, 100:160].sum() == ink[450:560, 100:160].sum()  # a tall letter touches no rule


def test_a_rule_that_steps_between_rows_leaves_no_dashes_and_solid_ink_stays() -> None:
    """A deskewed scan's rule moves by a row every few centimetres: it goes whole, not as dashes
    (Tesseract dropped the line under such dashes). A solid logo, which holds squares of ink no
    rule has, is not shredded into strips."""
    ink = np.zeros((600, 1400), dtype=bool)
    for step in range(6):  # a 3-pixel rule stepping down one row every 200 pixels
        ink[300 + step:303 + step, 100 + 200 * step:300 + 200 * step] = True
    ink[420:520, 200:500] = True  # a solid block of 8.5 × 25 mm (a logo)
    clean = cleanup.without_rules(ink, 300)
    assert not clean[296:312, 100:1300].any()
    assert clean[420:520, 200:500].all()


def test_a_box_side_reaching_past_the_rules_stops_at_solid_ink() -> None:
    """Only the rows between the first and the last rule are searched for rules; a box side that
    hangs from the last rule down onto a logo below them is still taken out, and the logo left whole."""
    ink = np.zeros((900, 1200), dtype=bool)
    ink[100:103, 100:1100] = True  # the only rule
    ink[103:600, 300:303] = True  # a side hanging from it, down onto the logo
    ink[600:700, 200:500] = True  # a solid logo, far below the rule
    clean = cleanup.without_rules(ink, 300)
    assert not clean[100:103, 100:1100].any()
    assert not clean[103:598, 300:303].any()
    assert clean[600:700, 200:500].all()
