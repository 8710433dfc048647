"""An evaluation corpus of municipal mail, written apart from the training corpus.

``classifiers/corpus`` generates what the default model is trained on; this package
generates what it is judged on: other commune, senders, phrasings, layouts (letterheads,
boxed forms with comb boxes and check boxes, webmail printouts, multi-page invoices with
several VAT rates, quotes, newsletters, invitations, adverts, prefecture circulars), other
fonts (handwriting-style included) and real degradations, with the truth in the normal forms
of DOMAIN.md. Nothing in ``classifiers`` or ``ged`` may import it, and no training or
threshold may be fitted on it (``tests/test_recognition_corpus.py`` enforces both).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from random import Random
from typing import Any

from .scan import Mode, degrade, rasterise, save
from .sheet import HANDS, Sheet, missing_fonts
from .specimens import WRITERS, Specimen

__all__ = ["DEV_SEED", "EVAL_SEED", "Entry", "Mode", "build", "load", "missing_fonts"]

EVAL_SEED = 20261204
"""The corpus that figures are reported on: nobody looks at its documents while changing rules."""
DEV_SEED = 1
"""A corpus of the same generator to look at while developing; never reported."""

_MODES = ((Mode.BORN_DIGITAL, 44), (Mode.SCAN_300, 16), (Mode.SCAN_200, 11), (Mode.ROTATED, 12),
          (Mode.BITONAL, 9), (Mode.JPEG, 8))


@dataclass(frozen=True)
class Entry:
    file: str
    doc_type: str
    kind: str
    genre: str
    mode: str
    fields: dict[str, Any]
    pages: int
    scan: dict[str, Any]


def _specimens(r: Random, scale: float) -> Iterator[tuple[str, Specimen]]:
    for kind, (write, count) in WRITERS.items():
        for _ in range(max(1, round(count * scale))):
            yield kind, write(r)


def build(out: Path, *, seed: int = EVAL_SEED, scale: float = 1.0) -> list[Entry]:
    """Writes the corpus into ``out``: the mail in ``files/`` (what is ingested), the truth in
    ``truth.json`` beside it; ``scale`` shrinks it for tests."""
    files = out / "files"
    files.mkdir(parents=True, exist_ok=True)
    r = Random(seed)
    entries: list[Entry] = []
    for index, (kind, specimen) in enumerate(_specimens(r, scale), start=1):
        hand = r.choice(HANDS) if specimen.can_be_handwritten and r.random() < 0.22 else None
        mode = Mode.HANDWRITTEN if hand else r.choices([m for m, _ in _MODES], weights=[w for _, w in _MODES])[0]
        stem = files / f"{index:03d}-{kind}-{mode}"
        pdf = stem.with_suffix(".pdf") if mode == Mode.BORN_DIGITAL else out / f"{stem.name}.vector.pdf"
        sheet = Sheet(pdf, title="")
        specimen.draw(sheet, r, hand)
        sheet.save()
        info: dict[str, Any] = {}
        path = pdf
        if mode != Mode.BORN_DIGITAL:
            dpi = 200 if mode in (Mode.SCAN_200, Mode.JPEG) and r.random() < 0.8 else 300
            pages, info = degrade(rasterise(pdf, dpi), mode, r, dpi)
            path = save(pages, stem, mode, r, dpi)
            pdf.unlink()
        entries.append(Entry(path.name, specimen.doc_type, kind, specimen.genre, str(mode), specimen.fields,
                             sheet.pages, info | ({"hand": hand} if hand else {})))
    (out / "truth.json").write_text(json.dumps([e.__dict__ for e in entries], ensure_ascii=False, indent=1))
    return entries


def load(folder: Path) -> list[Entry]:
    return [Entry(**item) for item in json.loads((folder / "truth.json").read_text())]
