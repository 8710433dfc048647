"""The training corpus generator: French municipal mail of every type, in varied layouts and OCR quality.

Deterministic for a seed, so that the shipped default model is the same wherever it is
trained. ``python -m classifiers.corpus DIR`` writes it out as text files for inspection.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from .content import WRITERS
from .layouts import LAYOUTS
from .noise import damage

TYPES = tuple(WRITERS)
_LAYOUT_WEIGHTS = {"lettre": 5, "manuscrit": 2, "formulaire": 2, "courriel": 2}


@dataclass(frozen=True)
class Sample:
    text: str
    label: str
    layout: str
    noise: float


def generate(per_type: int, *, seed: int, hard: bool = False) -> list[Sample]:
    """``per_type`` documents of each type; layouts and noise levels drawn per document.

    ``hard`` makes a stress set: heavy OCR damage (8–12 % of characters) and only half of each
    document kept (a page of a longer letter, a badly cropped scan).
    """
    r = Random(seed)
    samples: list[Sample] = []
    for label, write in WRITERS.items():
        for _ in range(per_type):
            content = write(r)
            layouts = dict(_LAYOUT_WEIGHTS, facture=6) if label == "facture" else _LAYOUT_WEIGHTS
            layout = r.choices(tuple(layouts), weights=tuple(layouts.values()))[0]
            noise = r.choice((0.0, 0.0, 0.01, 0.03, 0.06)) + (0.04 if layout == "manuscrit" else 0.0)
            text = LAYOUTS[layout](content, r)
            if hard:
                noise = r.choice((0.08, 0.12))
                lines = text.split("\n")
                start = r.randrange(max(1, len(lines) // 2 + 1))
                text = "\n".join(lines[start:start + max(2, len(lines) // 2)])
            samples.append(Sample(damage(text, r, noise), label, layout, noise))
    r.shuffle(samples)
    return samples
