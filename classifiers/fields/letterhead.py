"""Finders that read who sent a piece of mail from where its lines sit on page one.

A French letter puts its sender's block top left (name, street, postcode and town), an
invoice its supplier's name in larger type above the same block, a printed e-mail a
``De :`` header, a newsletter or an advert its name as the largest line of the page's top,
and an invitation its host just before "a le plaisir de vous inviter". Each finder reads one
of these, so a spec can try them in the order its type makes likely.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterator, Sequence
from itertools import pairwise

from ..text import collapse, fold
from .document import Line, Located, WordBox
from .finders import Candidate, Finder, Reader
from .values import find_dates

_LAYOUT_TRUST = 0.6
_HEADER_TRUST = 0.9
"""A printed e-mail's ``De :`` header is as sure as a value next to its label."""
_POSTCODE_LINE = re.compile(r"^(?:F-)?\d{5}\s+\S")


def sender_name(*, postal: bool = True) -> Finder:
    """The first line of the letterhead block, top-left of the first page (a person or an organisation).
    ``postal=False`` also takes a block without a postcode line (a prefecture's or a service's
    heading), for mail whose sender is only informative."""

    def find(reader: Reader) -> Candidate | None:
        block = _sender_block(reader, postal=postal)
        if not block:
            return None
        return Candidate(collapse(block[0].text), Located(block[0].page, block[0].words), _LAYOUT_TRUST, "mise en page")

    return find


def sender_address() -> Finder:
    """The lines of the letterhead block from the street to the postcode and town."""

    def find(reader: Reader) -> Candidate | None:
        block = _sender_block(reader)
        postcode = next((i for i, line in enumerate(block) if _POSTCODE_LINE.match(line.text)), None)
        if postcode is None or postcode == 0:
            return None
        lines = block[1:postcode + 1]
        words = tuple(w for line in lines for w in line.words)
        value = re.sub(r"^[^\d,:]{2,20}:\s*", "", collapse(", ".join(line.text for line in lines)))  # "Siège : …"
        return Candidate(value, Located(lines[0].page, words), _LAYOUT_TRUST, "mise en page")

    return find


_RECIPIENT = re.compile(r"^(?:a l'attention|mairie|ville d|commune d|hotel de ville|monsieur le maire|"
                        r"madame la maire|madame, monsieur|mesdames|service )")
"""First words of the block a letter is addressed to (the commune itself), never its sender."""
_MAIL_CHROME = re.compile(r"^(?:messagerie|outlook|zimbra|webmail|gmail|de|envoye|a|objet|date|cc)\b")


def _sender_block(reader: Reader, *, postal: bool = True) -> list[Line]:
    """The letterhead block: the top-most block of lines on page one that is not the commune's own
    address (the recipient) nor a webmail's headers; left column first, as French letters put it.
    Only the words of the block's column are kept, so a stamp or the date beside it stays out."""
    first = _page_one(reader)[:40]
    if not first:
        return []
    width = max(w.x1 for line in first for w in line.words)
    heights = sorted(line.height for line in first)
    pitch = 2.6 * heights[len(heights) // 2]
    """Lines of one block are closer than this, top to top (glyph boxes vary, line pitch does not)."""
    body = next((line.top for line in first if _BODY_START.match(" ".join(line.folded))), float("inf"))
    found = []
    for column in ((0.0, 0.45), (0.45, 1.0)):
        for block in _blocks(first, width * column[0], width * column[1], pitch):
            head = " ".join(fold(w.text) for w in block[0].words)
            if _RECIPIENT.match(head) or _MAIL_CHROME.match(head) or len(block) < 2:
                continue
            if postal:
                if any(_POSTCODE_LINE.match(line.text) for line in block[:6]):
                    return block
            elif block[0].top < body:
                found.append(block)
    # Without a postcode to go by, only the page's heading counts, whichever side it stands.
    return min(found, key=lambda block: block[0].top, default=[])


_BODY_START = re.compile(r"^(?:objet|concerne|ref|madame|monsieur|mesdames|messieurs)\b")
"""Where a letter's body starts: its sender's heading is above."""


def _blocks(lines: Sequence[Line], left: float, right: float, pitch: float) -> Iterator[list[Line]]:
    """Runs of lines starting in [left, right), cut at blank bands, each cut to its column's words."""
    block: list[Line] = []
    for line in lines:
        words = tuple(w for w in line.words if left <= w.x0 < right)
        if not words or not (left <= line.words[0].x0 < right or left > 0):
            continue
        part = Line(line.page, _column_words(words))
        if block and part.top - block[-1].top > _block_gap(block[-1], part, pitch):
            yield block
            block = []
        block.append(part)
    if block:
        yield block


_LARGER = 1.3
"""A line in type this much larger than the next one heads it (a supplier's name above its address)."""


def _block_gap(above: Line, below: Line, pitch: float) -> float:
    """How far apart, top to top, two lines of one block may be: a line pitch, or for a name set in
    larger type above its address and aligned with it, the room such a name is usually given (up to
    3.5 of its heights). A centred title is not aligned, so it stays out of the sender's block."""
    size = _glyph_height(above)
    aligned = abs(above.words[0].x0 - below.words[0].x0) < size
    return max(pitch, 3.5 * size) if aligned and size >= _LARGER * _glyph_height(below) else pitch


def _column_words(words: Sequence[WordBox]) -> tuple[WordBox, ...]:
    """The words up to the first gap wider than three character heights (the next column)."""
    taken = [words[0]]
    for word in words[1:]:
        if word.x0 - taken[-1].x1 > 3 * max(1.0, taken[-1].y1 - taken[-1].y0):
            break
        taken.append(word)
    return tuple(taken)


_MAIL_FROM = re.compile(r"^(?:de|from|expediteur)\s*:\s*(?P<name>[^<\n]+?)\s*<[^>\n]+@")


def mail_sender() -> Finder:
    """The name in a printed e-mail's ``De : Name <address>`` header."""

    def find(reader: Reader) -> Candidate | None:
        for line in reader.document.lines[:15]:
            match = _MAIL_FROM.match(fold(line.text))
            if match:
                count = len(match["name"].split())
                words = [w for w in line.words if w.text.strip(":")][1:1 + count]
                if words and words[0].text.lower() in ("de", "from"):
                    words = words[1:]
                located = Located(line.page, tuple(words)) if words else None
                name = collapse(" ".join(w.text for w in words)).strip(" :") if words else match["name"]
                return Candidate(name, located, _HEADER_TRUST, "en-tête")
        return None

    return find


def _page_one(reader: Reader) -> list[Line]:
    """The lines of the document's first page with text: where a letter's head stands."""
    lines = reader.document.lines
    return [line for line in lines if line.page == lines[0].page] if lines else []


def _glyph_height(line: Line) -> float:
    """The line's type size, from its words' median height (a skewed scan inflates the line's box)."""
    return statistics.median(w.y1 - w.y0 for w in line.words)


_INVITES = re.compile(r"\b(?:a|ont) (?:le|l'immense|le grand) plaisir de vous (?:inviter|convier)\b")


def invitation_host() -> Finder:
    """Who invites: the words before "a le plaisir de vous inviter", on its line or the line above."""

    def find(reader: Reader) -> Candidate | None:
        lines = reader.document.lines[:30]
        for index, line in enumerate(lines):
            folded = " ".join(line.folded)
            match = _INVITES.search(folded)
            if match is None:
                continue
            before = len(folded[:match.start()].split())
            words = line.words[:before]
            if not words and index and lines[index - 1].page == line.page:
                words = lines[index - 1].words
            if words:
                return Candidate(collapse(" ".join(w.text for w in words)), Located(line.page, tuple(words)),
                                 _LAYOUT_TRUST, "mise en page")
        return None

    return find


_MASTHEAD_SCALE = 1.4
"""A masthead's type is at least this much larger than the page's body text."""
_MASTHEAD_WORDS = 8
"""A name, not a sentence: a longer large line is a headline or an opening paragraph."""


def masthead() -> Finder:
    """The name a newsletter, an advert or a leaflet prints largest among the page's first lines."""

    def find(reader: Reader) -> Candidate | None:
        page = _page_one(reader)
        if not page:
            return None
        body = statistics.median(_glyph_height(line) for line in page)
        top = max(page[:6], key=_glyph_height)
        if (_glyph_height(top) < _MASTHEAD_SCALE * body or sum(c.isalpha() for c in top.text) < 4
                or len(top.words) > _MASTHEAD_WORDS):
            return None
        return Candidate(collapse(top.text), Located(top.page, top.words), _LAYOUT_TRUST, "mise en page")

    return find


_WEEKDAY = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
_DATELINE_REST = re.compile(r"^(?:(?:[a-z][\w' -]{1,40}\s*,\s*)?le|date\s*:?|fait a [\w' -]{2,40},? le|)\s*"
                            + _WEEKDAY + r"?\s*$")
"""What may stand before a letter's date on its own line: "Angers, le", "Le", "Date :"."""


def dateline() -> Finder:
    """A letter's date: a line of page one's top that holds a date and nothing but its place
    (``Angers, le 6 novembre 2026``). An event's date ("le 29.11.2026 à 18 h 30") or an offer's
    ("jusqu'au 31 décembre") has other words around it, so an invitation gets no letter date."""

    def find(reader: Reader) -> Candidate | None:
        for line in _page_one(reader)[:30]:
            text = collapse(line.text)
            for start, end, value in find_dates(text, reference=reader.reference):
                if _DATELINE_REST.match(fold(text[:start]).strip()) and not text[end:].strip(" .,"):
                    return Candidate(value, Located(line.page, line.words), _HEADER_TRUST, "mise en page")
        return None

    return find


_STREET_LINE = re.compile(r"^\d{1,4}\s*(?:bis|ter|quater|[a-d])?\b[\s,]+\S")


def signature_address() -> Finder:
    """A street line followed by a postcode line, the lowest on the page: where an e-mail's writer
    signs with a postal address (no letterhead block at the top to read it from)."""

    def find(reader: Reader) -> Candidate | None:
        lines = reader.document.lines
        for above, below in reversed(list(pairwise(lines))):
            if (above.page == below.page and _STREET_LINE.match(above.text) and _POSTCODE_LINE.match(below.text)
                    and below.top - above.top < 4 * _glyph_height(above)):
                value = collapse(f"{above.text}, {below.text}")
                return Candidate(value, Located(above.page, above.words + below.words), _LAYOUT_TRUST, "mise en page")
        return None

    return find
