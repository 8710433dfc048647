"""A document as the extractors read it: pages of words with boxes, and lines rebuilt from them.

Every value found in the text must be traced back to the words it came from (its page, its
box, their OCR confidence), so the text the patterns run on is built here together with the
offset of each word in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from ..text import fold


@dataclass(frozen=True, slots=True)
class WordBox:
    """A word and its box in points from the page's top-left corner."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float = 100.0
    """0–100, as Tesseract reports it; 100 for a text layer."""
    line: int = 0


@dataclass(frozen=True)
class PageText:
    number: int
    words: tuple[WordBox, ...]
    width: float = 595.0
    height: float = 842.0


Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Line:
    page: int
    words: tuple[WordBox, ...]

    @cached_property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @cached_property
    def folded(self) -> tuple[str, ...]:
        return tuple(fold(w.text) for w in self.words)

    @property
    def top(self) -> float:
        return min(w.y0 for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.y1 for w in self.words)

    @property
    def height(self) -> float:
        return max(1.0, self.bottom - self.top)


@dataclass(frozen=True)
class Located:
    """Words picked out of the document: where they are and how sure OCR was of them."""

    page: int
    words: tuple[WordBox, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def box(self) -> Box:
        return (min(w.x0 for w in self.words), min(w.y0 for w in self.words),
                max(w.x1 for w in self.words), max(w.y1 for w in self.words))

    @property
    def confidence(self) -> float:
        """Mean OCR confidence of the words, 0–1 (checksums, not this, guard identifiers)."""
        return sum(w.confidence for w in self.words) / len(self.words) / 100.0


@dataclass
class DocumentText:
    """Lines in reading order and the flat text built from them, with each word's offset."""

    pages: Sequence[PageText]
    lines: list[Line] = field(init=False)
    text: str = field(init=False)
    _offsets: list[tuple[int, int, int, WordBox]] = field(init=False)

    def __post_init__(self) -> None:
        self.lines = [line for page in self.pages for line in _lines(page)]
        parts: list[str] = []
        self._offsets = []
        position = 0
        for line in self.lines:
            for word in line.words:
                self._offsets.append((position, position + len(word.text), line.page, word))
                parts.append(word.text)
                parts.append(" ")
                position += len(word.text) + 1
            if parts:
                parts[-1] = "\n"
        self.text = "".join(parts)

    def locate(self, start: int, end: int) -> Located | None:
        """The words a span of ``text`` covers (on the page where the span starts)."""
        covered = [(page, word) for s, e, page, word in self._offsets if s < end and e > start]
        if not covered:
            return None
        page = covered[0][0]
        return Located(page, tuple(word for p, word in covered if p == page))


def _lines(page: PageText) -> list[Line]:
    """Words grouped by their OCR line, lines sorted top to bottom, words left to right."""
    groups: dict[int, list[WordBox]] = {}
    for word in page.words:
        if word.text.strip():
            groups.setdefault(word.line, []).append(word)
    lines = [Line(page.number, _join_combs(sorted(words, key=lambda w: w.x0))) for words in groups.values()]
    return sorted(lines, key=lambda line: (round(line.top / 4), line.words[0].x0))


def _join_combs(words: Sequence[WordBox]) -> tuple[WordBox, ...]:
    """Characters written one per box (comb fields of Cerfa and bank forms: ``W 4 9 1 …``, ``0 0 4 0``)
    joined into the one value they are. A run of single characters closer than two character
    heights is a comb when it has three or more, or when it is all the line holds (``Z H``);
    French prose has no three one-letter words in a row, and a lone ``à`` is not a run."""
    joined: list[WordBox] = []
    run: list[WordBox] = []

    def flush(whole_line: bool) -> None:
        if len(run) >= 3 or (len(run) == 2 and whole_line):
            joined.append(WordBox("".join(w.text for w in run), run[0].x0, min(w.y0 for w in run), run[-1].x1,
                                  max(w.y1 for w in run), min(w.confidence for w in run), run[0].line))
        else:
            joined.extend(run)
        run.clear()

    for word in words:
        single = len(word.text) == 1 and word.text.isalnum()
        if single and run and word.x0 - run[-1].x1 > 2.0 * max(1.0, run[-1].y1 - run[-1].y0):
            flush(False)
        if single:
            run.append(word)
        else:
            flush(False)
            joined.append(word)
    flush(len(joined) == 0)
    return tuple(joined)
