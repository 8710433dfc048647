"""Excerpts with the matched words marked, the same for every engine's hits.

The embedded engine takes the fragment and its stemmed matches from tantivy's own snippet
generator (Rust); what the generator cannot see — a word the OCR damaged, matched within an
edit distance, or a prefix — is marked by comparing the fragment's words with the query's
folded terms in rapidfuzz (C). A hit matched only that way gets its fragment around the first
such word, found by rapidfuzz over the text's words: no Python loop over a document's words.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .query import fuzziness

WIDTH = 220
_WORD = re.compile(r"\w+", re.UNICODE)
_FOLD = str.maketrans("àâäáãåçéèêëíìîïñóòôöõúùûüýÿæœÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝŸÆŒ",
                      "aaaaaaceeeeiiiinooooouuuuyyaoaaaaaaceeeeiiiinooooouuuuyyao")
"""One character for one: offsets in the folded text are offsets in the text."""


def fold(text: str) -> str:
    return text.translate(_FOLD).lower()


@dataclass(frozen=True)
class Terms:
    """What a hit's words are compared with: folded terms (within their edit distance) and prefixes."""

    words: Sequence[str]
    prefixes: Sequence[str] = ()

    def __bool__(self) -> bool:
        return bool(self.words or self.prefixes)

    def matching(self, words: list[str]) -> set[int]:
        """Indexes of the folded ``words`` that match a term or start with a prefix."""
        found: set[int] = set()
        for term in self.words:
            found.update(index for _, _, index in process.extract(
                term, words, scorer=Levenshtein.distance, score_cutoff=fuzziness(term), limit=None))
        for prefix in self.prefixes:
            found.update(index for index, word in enumerate(words) if word.startswith(prefix))
        return found


def _html(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    pieces = ["…" if start > 0 else ""]
    cursor = start
    for span_start, span_end in sorted(set(spans)):
        if span_start < cursor or span_end > end:
            continue
        pieces += [html.escape(text[cursor:span_start]), "<mark>", html.escape(text[span_start:span_end]), "</mark>"]
        cursor = span_end
    pieces += [html.escape(text[cursor:end]), "…" if end < len(text) else ""]
    return " ".join("".join(pieces).split())


def _fragment_marks(text: str, start: int, end: int, terms: Terms) -> list[tuple[int, int]]:
    matches = list(_WORD.finditer(text, start, end))
    found = terms.matching([fold(m.group()) for m in matches]) if terms else set()
    return [matches[i].span() for i in found]


def mark(fragment: str, byte_ranges: Sequence[tuple[int, int]], terms: Terms) -> str:
    """The generator's fragment with its ranges (UTF-8 byte offsets) and the fuzzy or prefix matches marked."""
    data = fragment.encode()
    spans = [(len(data[:a].decode(errors="ignore")), len(data[:b].decode(errors="ignore"))) for a, b in byte_ranges]
    return _html(fragment, spans + _fragment_marks(fragment, 0, len(fragment), terms), 0, len(fragment))


def around_first_match(text: str, terms: Terms, width: int = WIDTH) -> str:
    """A fragment around the first word that matches only within an edit distance or by prefix."""
    folded = _WORD.findall(fold(text))
    found = terms.matching(folded) if terms else set()
    if not found:
        excerpt = " ".join(text[:width].split())
        return html.escape(excerpt) + ("…" if len(text) > width else "")
    first = next(islice(_WORD.finditer(text), min(found), None))
    start = max(0, first.start() - width // 4)
    end = min(len(text), start + width)
    return _html(text, _fragment_marks(text, start, end, terms), start, end)
