"""Excerpts with the matched words marked, the same for every engine's hits.

Matching is done on analysed tokens (stemmed, accent-folded) and, for OCR damage, within
the same edit distance as the search, so a hit found through a misspelt word shows it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence

_WORD = re.compile(r"\w+", re.UNICODE)


def _within(a: str, b: str, limit: int) -> bool:
    if abs(len(a) - len(b)) > limit:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit


def make_snippet(text: str, terms: Sequence[str], analyse: Callable[[str], list[str]],
                 allowed_edits: Callable[[str], int], width: int = 220) -> str:
    """The window of ``text`` richest in matches, HTML-escaped, matches in <mark>."""
    spans: list[tuple[int, int]] = []
    for match in _WORD.finditer(text):
        tokens = analyse(match.group())
        if any(_within(token, term, allowed_edits(term)) for token in tokens for term in terms):
            spans.append(match.span())
    if not spans:
        excerpt = " ".join(text[:width].split())
        return html.escape(excerpt) + ("…" if len(text) > width else "")
    best_start = max(range(len(spans)),
                     key=lambda i: sum(1 for s in spans[i:] if s[1] - spans[i][0] <= width))
    start = max(0, spans[best_start][0] - width // 4)
    end = min(len(text), start + width)
    pieces: list[str] = ["…" if start > 0 else ""]
    cursor = start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        pieces.append(html.escape(text[cursor:span_start]))
        pieces.append("<mark>" + html.escape(text[span_start:span_end]) + "</mark>")
        cursor = span_end
    pieces.append(html.escape(text[cursor:end]))
    pieces.append("…" if end < len(text) else "")
    return " ".join("".join(pieces).split())
