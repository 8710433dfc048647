"""OCR-like damage: confused letters, lost accents, broken and merged words, stray marks."""

from __future__ import annotations

from random import Random

_CONFUSIONS = {"e": "c", "c": "e", "l": "1", "i": "l", "o": "0", "O": "0", "u": "v", "n": "u", "m": "rn",
               "é": "e", "è": "e", "à": "a", "ç": "c", "s": "5", "S": "5", "B": "8", "g": "q", "h": "b",
               "t": "f", "'": "’", ",": "."}


def damage(text: str, r: Random, level: float) -> str:
    """``level`` 0 leaves the text alone; 0.05 is a poor photocopy, 0.1 a faxed handwritten note."""
    if level <= 0:
        return text
    out: list[str] = []
    for char in text:
        roll = r.random()
        if roll < level * 0.5 and char in _CONFUSIONS:
            out.append(_CONFUSIONS[char])
        elif roll < level * 0.6 or roll < level * 0.7 and char == " ":
            continue
        elif roll < level * 0.75:
            out.append(char + r.choice((" ", "'", ".", "~", "|")))
        else:
            out.append(char)
    return "".join(out)
