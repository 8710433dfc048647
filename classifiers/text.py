"""Text normalisation shared by the classifier and the extractors.

OCR drops accents, splits ligatures and mixes apostrophes; comparing folded text makes
"Numéro", "NUMERO" and "Numero" one word, which is what a reader would do.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ﬁ": "fi", "ﬂ": "fl"})


def collapse(text: str) -> str:
    """Whitespace collapsed to single spaces: the normal form of names and addresses."""
    return _SPACES.sub(" ", text).strip()


def fold(text: str) -> str:
    """Lower case, no accents, no ligatures, one kind of apostrophe, collapsed spaces."""
    text = text.translate(_APOSTROPHES).translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", text)
    return collapse("".join(c for c in decomposed if not unicodedata.combining(c)).lower())


def fold_lines(text: str) -> str:
    """``fold`` line by line: the line breaks kept (a subject line is a line)."""
    return "\n".join(fold(line) for line in text.splitlines())


def fold_aligned(text: str) -> str:
    """``fold`` one character for one, so that positions in the result are positions in ``text``."""
    return "".join(_fold_char(c) for c in text.translate(_APOSTROPHES))


def _fold_char(char: str) -> str:
    base = unicodedata.normalize("NFKD", char)[:1] or char
    return base.lower() if len(base.lower()) == 1 else char
