"""Where the recognised text goes on the stored page.

The searchable copy keeps each page's original content untouched (no re-encoded or
straightened pixels: nothing is silently altered); the invisible text recognised on the
corrected raster is mapped back onto it by one affine matrix, and the page is turned
upright with ``/Rotate`` only.
"""

from __future__ import annotations

import math

import numpy as np

from .cleanup import Correction

Matrix = tuple[float, float, float, float, float, float]


def _quarter_turn(width: float, height: float) -> np.ndarray:
    """Pixel map of one counter-clockwise quarter turn of a width×height raster (y down)."""
    return np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, width], [0.0, 0.0, 1.0]])


def _about(center_x: float, center_y: float, linear: np.ndarray) -> np.ndarray:
    to_origin = np.array([[1.0, 0.0, -center_x], [0.0, 1.0, -center_y], [0.0, 0.0, 1.0]])
    back = np.array([[1.0, 0.0, center_x], [0.0, 1.0, center_y], [0.0, 0.0, 1.0]])
    return back @ linear @ to_origin


def raster_to_layer(width: int, height: int, dpi: float, correction: Correction) -> np.ndarray:
    """Raster pixel → point of the text layer that Tesseract wrote for the corrected raster."""
    forward = np.eye(3)
    for _ in range(correction.quarter_turns):
        forward = _quarter_turn(width, height) @ forward
        width, height = height, width
    if correction.skew:
        theta = math.radians(correction.skew)
        c, s = math.cos(theta), math.sin(theta)
        forward = _about(width / 2, height / 2, np.array([[c, s, 0.0], [-s, c, 0.0], [0.0, 0.0, 1.0]])) @ forward
    scale = 72.0 / dpi
    to_points = np.array([[scale, 0.0, 0.0], [0.0, -scale, height * scale], [0.0, 0.0, 1.0]])
    return to_points @ forward


def display_to_user(mediabox: tuple[float, float, float, float], rotate: int) -> np.ndarray:
    """Point of the displayed page (origin top-left, y down) → PDF user space."""
    x0, y0, x1, y1 = mediabox
    matrices = {
        0: [[1, 0, x0], [0, -1, y1]],
        90: [[0, 1, x0], [1, 0, y0]],
        180: [[-1, 0, x1], [0, 1, y0]],
        270: [[0, -1, x1], [-1, 0, y1]],
    }
    return np.vstack([np.array(matrices[rotate % 360], dtype=np.float64), [0.0, 0.0, 1.0]])


def layer_placement(
    *, raster_size: tuple[int, int], dpi: float, correction: Correction,
    mediabox: tuple[float, float, float, float], rotate: int = 0,
) -> Matrix:
    """The ``cm`` matrix that lays the text layer of the corrected raster onto the original page."""
    raster_to_display = np.diag([72.0 / dpi, 72.0 / dpi, 1.0])
    full = display_to_user(mediabox, rotate) @ raster_to_display @ np.linalg.inv(
        raster_to_layer(*raster_size, dpi, correction)
    )
    return (full[0, 0], full[1, 0], full[0, 1], full[1, 1], full[0, 2], full[1, 2])


def upright_rotate(rotate: int, correction: Correction) -> int:
    """The page's new ``/Rotate`` (clockwise) once it is shown as it was read."""
    return (rotate - 90 * correction.quarter_turns) % 360
