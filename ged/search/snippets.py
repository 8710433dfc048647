"""Excerpts with the matched words marked, the same for every engine's hits.

tantivy's snippet generator re-analyses each hit's whole stored text with the stemming analyzer:
0.23 ms a hit, two thirds of a query. Here each hit's text is folded (accents and case) into a
copy of the same length through a one-byte code page, and one plain regular expression, compiled
once per query, scans that copy (C) for the words that begin with a query stem, equal a folded
term or start with a typed prefix; only those candidates are checked (their stem, as written,
through the engine's analyzer, their edit distance through rapidfuzz), and the densest window of
them is shown. A hit matched only through OCR damage gets its window around the first word
rapidfuzz finds within the edit distance, over the text's words. No Python loop runs over a
document's words.
"""

from __future__ import annotations

import codecs
import html
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from .query import fuzziness

WIDTH = 220
_ENOUGH = 64
"""Matches looked at in a hit: enough to find its densest window."""
_DENSE = 16
"""Matches in a window beyond which windows are not told apart: the first of them is shown."""
_WORD = re.compile(r"\w+", re.UNICODE)
_FOLD = str.maketrans("àâäáãåçéèêëíìîïñóòôöõúùûüýÿæœšžÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝŸÆŒŠŽ",
                      "aaaaaaceeeeiiiinooooouuuuyyaoszaaaaaaceeeeiiiinooooouuuuyyaosz")
"""One character for one: offsets in the folded text are offsets in the text."""


def _byte_table() -> bytes:
    """The same folding on windows-1252 bytes (every French letter has one), upper case lowered."""
    table = bytearray(range(256))
    for upper in range(ord("A"), ord("Z") + 1):
        table[upper] = upper + 32
    for accented, plain in _FOLD.items():
        table[chr(accented).encode("cp1252")[0]] = plain
    return bytes(table)


_BYTE_FOLD = _byte_table()


_UNDECOMPOSED = {"ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ı": "i", "ħ": "h", "Ħ": "h"}
"""Letters with a stroke, which Unicode does not decompose into their base letter."""


def _outside_code_page(error: UnicodeError) -> tuple[str, int]:
    """A character windows-1252 lacks becomes one that it has: a space for a space (the narrow
    no-break space of French typography), the letter it is built on, or ``?``."""
    assert isinstance(error, UnicodeEncodeError)
    replaced = []
    for char in error.object[error.start:error.end]:
        base = _UNDECOMPOSED.get(char) or unicodedata.normalize("NFKD", char)[:1]
        replaced.append(" " if char.isspace() else base if base.isascii() and base.isalnum() else "?")
    return "".join(replaced), error.end


codecs.register_error("ged-fold", _outside_code_page)


def fold(text: str) -> str:
    """Lower case without accents, one character for one: 6 µs for a page of text where
    ``str.translate`` takes 150 (it looks every character up in a dictionary)."""
    return text.encode("cp1252", "ged-fold").translate(_BYTE_FOLD).decode("latin-1")


@dataclass(frozen=True)
class Terms:
    """What a hit's words are compared with: the query's folded words (within their edit distance for
    those the search expanded to OCR variants, exactly for the others) and its prefixes."""

    words: Sequence[str]
    prefixes: Sequence[str] = ()
    fuzzy: frozenset[str] = frozenset()
    """The words the search matched within an edit distance: only their variants are marked."""

    def __bool__(self) -> bool:
        return bool(self.words or self.prefixes)

    @cached_property
    def _exact(self) -> frozenset[str]:
        """The words compared for equality: every word the search did not expand."""
        return frozenset(self.words) - self.fuzzy

    def matching(self, words: list[str]) -> set[int]:
        """Indexes of the folded ``words`` that match a term or start with a prefix.

        rapidfuzz is imported only for a search that expanded words to their OCR variants (a few
        in a hundred): the others compare words for equality, and a cold ``ged search`` does not
        load it (9 ms).
        """
        exact = self._exact
        found = {index for index, word in enumerate(words) if word in exact} if exact else set()
        if self.fuzzy:
            from rapidfuzz import process
            from rapidfuzz.distance import Levenshtein

            for term in (t for t in self.words if t in self.fuzzy):
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


def _fragment_marks(folded: str, start: int, end: int, terms: Terms) -> list[tuple[int, int]]:
    """The window's words that match within an edit distance or by prefix, read on the folded copy:
    its offsets are the text's, and its words too (a letter it could not fold splits no word in one
    and not in the other)."""
    if not terms:
        return []
    matches = list(_WORD.finditer(folded, start, end))
    return [matches[i].span() for i in terms.matching([m.group() for m in matches])]


def _shortest(heads: set[str]) -> tuple[str, ...]:
    """The heads no shorter head begins: ``eclairag`` covers ``eclairage``, since each matches a word's beginning."""
    kept: list[str] = []
    for head in sorted(heads, key=lambda h: (len(h), h)):
        if not any(head.startswith(shorter) for shorter in kept):
            kept.append(head)
    return tuple(kept)


def _candidates(heads: tuple[str, ...]) -> re.Pattern[str]:
    """Plain ASCII words on a folded copy: compiling takes tens of microseconds, where a pattern blind
    to accents (a class for each vowel) took 0.4 ms, once per new query. No ``\\b`` in front: it
    keeps ``re`` from jumping to a head's first letters (30 µs a page instead of 3); a match inside
    a word is dropped by the caller instead."""
    return re.compile("(?:" + "|".join(map(re.escape, heads)) + r")\w*")


def _inside_word(text: str, start: int) -> bool:
    return start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_")


class Highlighter:
    """A query's snippets: built once per query, then one call per hit."""

    def __init__(self, stems: Sequence[str], terms: Terms, stem_of: Callable[[str], list[str]]) -> None:
        self.stems = frozenset(stems)
        self.terms = terms
        self.stem_of = stem_of
        heads = _shortest({*stems, *terms.words, *terms.prefixes})
        self._candidates = _candidates(heads) if heads else None
        self._verdicts: dict[str, bool] = {}
        """Each candidate word as written, judged once per query: the hits of a page repeat the same few."""

    def _matches(self, word: str) -> bool:
        verdict = self._verdicts.get(word)
        if verdict is None:
            verdict = self._verdicts[word] = (any(stem in self.stems for stem in self.stem_of(word))
                                              or bool(self.terms.matching([fold(word)])))
        return verdict

    def snippet(self, text: str, width: int = WIDTH) -> str:
        if self._candidates is None:  # no word asked for (a search by filters): the text's beginning
            return _beginning(text, width)
        folded = fold(text)
        spans: list[tuple[int, int]] = []
        for found in self._candidates.finditer(folded):
            if _inside_word(folded, found.start()):
                continue
            if self._matches(text[found.start():found.end()]):  # the word as written, for its stem
                spans.append(found.span())
                if len(spans) == _ENOUGH:
                    break
        if not spans:
            return _around_first_match(text, folded, self.terms, width)
        ends = [end for _, end in spans]  # in order, as the matches do not overlap
        best = max(range(len(spans)), key=lambda i: min(_DENSE, bisect_right(ends, spans[i][0] + width, i) - i))
        start = max(0, spans[best][0] - width // 4)
        end = min(len(text), start + width)
        # The candidates hold every exact word and prefix; only OCR variants need the window's words compared.
        fuzzy = _fragment_marks(folded, start, end, self.terms) if self.terms.fuzzy else []
        return _html(text, spans + fuzzy, start, end)


def _beginning(text: str, width: int) -> str:
    return html.escape(" ".join(text[:width].split())) + ("…" if len(text) > width else "")


def _around_first_match(text: str, folded: str, terms: Terms, width: int) -> str:
    """A fragment around the first word that matches only within an edit distance or by prefix."""
    words = list(_WORD.finditer(folded))
    found = terms.matching([m.group() for m in words])
    if not found:
        return _beginning(text, width)
    start = max(0, words[min(found)].start() - width // 4)
    end = min(len(text), start + width)
    return _html(text, _fragment_marks(folded, start, end, terms), start, end)
