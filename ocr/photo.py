"""Photos of paper taken with a phone: the page found in the picture and straightened.

A photo shows the page at an angle, with the table and fingers around it. The page is found
as the largest bright four-sided region on a reduced copy (paper against a darker ground),
its corners are taken back to full resolution, and a perspective transform (OpenCV) makes it
a flat rectangle of the page's own proportions: what a scanner would have given, so that the
rest of recognition reads it like a scan. A photo in which no such page stands out (a scan,
a close-up, a page on a white table) is read as it is.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from . import raster

_WORK_SIDE = 1000
"""Long side of the reduced copy the page is looked for on (≈ 10 ms)."""
_MIN_AREA, _MAX_AREA = 0.2, 0.95
"""Share of the picture the page must cover: less is not a page of mail, more is a scan."""
_CONTRAST = 40
"""How much brighter (0–255) the paper must be than what is around it."""
_A4_LONG_INCHES = 297 / 25.4
_READING_DPI = 300


def is_photo(image: Image.Image) -> bool:
    """A camera's picture, not a scanner's: no resolution declared, or the 72 dpi cameras write."""
    return raster.declared_dpi(image) < 150


def find_page(image: Image.Image) -> np.ndarray | None:
    """The page's four corners in ``image`` (top-left, top-right, bottom-right, bottom-left, in
    pixels), or None when no page stands out from its background."""
    gray = np.asarray(image.convert("L"))
    scale = _WORK_SIDE / max(gray.shape)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    scale = min(scale, 1.0)
    blurred = cv2.GaussianBlur(small, (0, 0), 3)
    _, bright = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Closing fills the page's lines of text so that the paper is one region.
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (25, 25)))
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    outline = cv2.convexHull(max(contours, key=cv2.contourArea))
    area = cv2.contourArea(outline) / (small.shape[0] * small.shape[1])
    if not _MIN_AREA <= area <= _MAX_AREA:
        return None
    corners = _four_corners(outline)
    if corners is None:
        return None
    mask = np.zeros(small.shape, dtype=np.uint8)
    cv2.fillConvexPoly(mask, corners.astype(np.int32), 255)
    inside, outside = small[mask > 0], small[mask == 0]
    if outside.size < 0.03 * small.size or float(np.median(inside)) - float(np.median(outside)) < _CONTRAST:
        return None
    return corners / scale


def _four_corners(outline: np.ndarray) -> np.ndarray | None:
    """The outline simplified to four points, in reading order, or None if it is no quadrilateral."""
    perimeter = cv2.arcLength(outline, True)
    for tolerance in (0.02, 0.03, 0.05, 0.08):
        polygon = cv2.approxPolyDP(outline, tolerance * perimeter, True)
        if len(polygon) == 4:
            points = polygon.reshape(4, 2).astype(np.float32)
            by_sum, by_diff = points.sum(axis=1), np.diff(points, axis=1).ravel()
            ordered = np.array([points[by_sum.argmin()], points[by_diff.argmin()], points[by_sum.argmax()],
                                points[by_diff.argmax()]], dtype=np.float32)
            return ordered if len({tuple(p) for p in ordered}) == 4 else None
    return None


def straighten(image: Image.Image, corners: np.ndarray) -> Image.Image:
    """The page flattened to a rectangle of its own proportions, as far as the photo tells them."""
    top_left, top_right, bottom_right, bottom_left = corners
    width = max(np.linalg.norm(top_right - top_left), np.linalg.norm(bottom_right - bottom_left))
    height = max(np.linalg.norm(bottom_left - top_left), np.linalg.norm(bottom_right - top_right))
    ratio = _true_aspect(corners, (image.width / 2, image.height / 2))
    if ratio is not None:  # foreshortening shrank one side: the larger one is kept, the other follows
        width, height = (height * ratio, height) if height * ratio >= width else (width, width / ratio)
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    pixels = np.asarray(image.convert("RGB") if image.mode not in ("L", "RGB") else image)
    flat = cv2.warpPerspective(pixels, matrix, (round(width), round(height)), flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_REPLICATE)
    return Image.fromarray(flat)


def _true_aspect(corners: np.ndarray, center: tuple[float, float]) -> float | None:
    """Width over height of the rectangle the quadrilateral is a picture of, by the camera's focal
    length found from the vanishing of its sides (Zhang & He, *Whiteboard scanning and image
    enhancement*, 2007); None when the sides are parallel (no perspective to undo) or the focal
    length comes out impossible."""
    top_left, top_right, bottom_right, bottom_left = (np.array([*p, 1.0]) for p in corners)
    k2 = np.dot(np.cross(top_left, bottom_right), bottom_left) / np.dot(np.cross(top_right, bottom_right), bottom_left)
    k3 = np.dot(np.cross(top_left, bottom_right), top_right) / np.dot(np.cross(bottom_left, bottom_right), top_right)
    n2, n3 = k2 * top_right - top_left, k3 * bottom_left - top_left
    if abs(n2[2] * n3[2]) < 1e-12:
        return None
    u0, v0 = center
    focal2 = -((n2[0] * n3[0] - (n2[0] * n3[2] + n2[2] * n3[0]) * u0 + n2[2] * n3[2] * u0 * u0)
               + (n2[1] * n3[1] - (n2[1] * n3[2] + n2[2] * n3[1]) * v0 + n2[2] * n3[2] * v0 * v0)) / (n2[2] * n3[2])
    if focal2 <= 0:
        return None
    inverse = np.linalg.inv(np.array([[np.sqrt(focal2), 0, u0], [0, np.sqrt(focal2), v0], [0, 0, 1]]))
    ratio = float(np.sqrt((n2 @ inverse.T @ inverse @ n2) / (n3 @ inverse.T @ inverse @ n3)))
    return ratio if 0.2 < ratio < 5 else None


def at_reading_resolution(image: Image.Image) -> tuple[Image.Image, int]:
    """The page at the resolution its pixels give it as an A4 sheet (its long side 297 mm: letters
    and forms are A4; a camera's own 72 dpi would make it a poster), reduced to 300 dpi when finer:
    a 108-megapixel phone's page read at 700 dpi costs Tesseract five times more for no gain."""
    dpi = round(max(image.size) / _A4_LONG_INCHES)
    if dpi > _READING_DPI:
        scale = _READING_DPI / dpi
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
        dpi = _READING_DPI
    return image, max(100, dpi)
