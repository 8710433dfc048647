"""Check boxes of forms, found on the page image, and whether they are ticked.

OCR reads a box as "Q", "O", "[]" or nothing, ticked or not, so a form's options (cantine,
garderie, étude) cannot be told from its text. Boxes are found here from the pixels: a
connected outline of ink, square, 2.5 to 6.5 mm a side, inked on all four sides; ticked when
its inside holds ink. They are handed to readers as words of their own, ``☒`` (ticked) and
``☐`` (empty), placed where the box is, so that "☒ Restaurant scolaire" reads as a line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import ndimage  # at import, so that the fork server loads it once (0.5 CPU-s), not each worker

from .results import Word

TICKED = "☒"
EMPTY = "☐"
_MIN_MM, _MAX_MM = 2.5, 6.5
_SIDE_INKED = 0.8
"""Share of a side's length that must be ink: a letter O or D fails it, a drawn square does not."""
_TICK_INK = 0.07
"""Share of the inside (a fifth of the side in from each edge) that must be ink for a tick or a cross."""


@dataclass(frozen=True, slots=True)
class Checkbox:
    x0: float
    y0: float
    x1: float
    y1: float
    """In the unit of the image it was found on (pixels), top-left origin."""
    ticked: bool


def find(ink: np.ndarray, dpi: float) -> list[Checkbox]:
    """The check boxes of a thresholded page (True = ink) at ``dpi``."""
    low, high = _MIN_MM * dpi / 25.4, _MAX_MM * dpi / 25.4
    labels, _count = ndimage.label(ink)
    boxes: list[Checkbox] = []
    for index, where in enumerate(ndimage.find_objects(labels), start=1):
        if where is None:
            continue
        height, width = where[0].stop - where[0].start, where[1].stop - where[1].start
        if not (low <= width <= high and low <= height <= high) or abs(width - height) > 0.25 * max(width, height):
            continue
        outline = labels[where] == index
        edge = max(1, round(min(width, height) * 0.12))
        sides = (outline[:edge].any(axis=0), outline[-edge:].any(axis=0), outline[:, :edge].any(axis=1),
                 outline[:, -edge:].any(axis=1))
        if min(float(side.mean()) for side in sides) < _SIDE_INKED:
            continue
        margin = max(edge + 1, round(min(width, height) * 0.2))
        inside = ink[where][margin:-margin, margin:-margin]
        ticked = inside.size > 0 and float(inside.mean()) >= _TICK_INK
        boxes.append(Checkbox(where[1].start, where[0].start, where[1].stop, where[0].stop, ticked))
    return boxes


def as_words(words: Sequence[Word], boxes: Sequence[Checkbox], scale: float) -> tuple[Word, ...]:
    """``words`` with each box (scaled to points by ``scale``) as a ``☒``/``☐`` word on the line of
    the label to its right; what OCR made of the box itself ("Q", "[]") is dropped."""
    if not boxes:
        return tuple(words)
    placed = [Checkbox(b.x0 * scale, b.y0 * scale, b.x1 * scale, b.y1 * scale, b.ticked) for b in boxes]

    def inside(word: Word, box: Checkbox) -> bool:
        cx, cy = (word.x0 + word.x1) / 2, (word.y0 + word.y1) / 2
        return box.x0 - 1 <= cx <= box.x1 + 1 and box.y0 - 1 <= cy <= box.y1 + 1 and len(word.text) <= 4

    kept = [w for w in words if not any(inside(w, box) for box in placed)]
    next_line = max((w.line for w in words), default=0) + 1
    added: list[Word] = []
    for box in placed:
        middle = (box.y0 + box.y1) / 2
        row = [w for w in kept if w.y0 <= middle <= w.y1 and w.x0 >= box.x0]
        line = min(row, key=lambda w: w.x0).line if row else next_line
        if not row:
            next_line += 1
        added.append(Word(TICKED if box.ticked else EMPTY, box.x0, box.y0, box.x1, box.y1, 100.0, line))
    return tuple(kept + added)
