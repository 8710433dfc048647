"""Ways to find one field's value, each usable on any type: a form label, a pattern, a keyword.

A finder looks at the document and returns a ``Candidate`` (value, words it came from, and
how much the method itself is trusted) or ``None``. Specs list finders per field in order of
preference; the first that answers wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from rapidfuzz.distance import Levenshtein

from ..text import collapse, fold, fold_aligned
from .document import DocumentText, Line, Located, WordBox
from .values import Found, find_dates

Value = str | int | list[str]
FindValues = Callable[..., Iterator[Found]]
"""Values found in a text (``find_dates`` is also given the reader's reference date: see ``Reader.values``)."""


@dataclass(frozen=True)
class Candidate:
    value: Value
    located: Located | None
    trust: float
    """How reliable the method is, before OCR confidence: a form label beats a guess from context."""
    method: str


@dataclass
class Reader:
    """What finders read: the document's lines and flat text, and the date it was received."""

    document: DocumentText
    reference: date
    sections: Mapping[str, tuple[str, ...]]
    """Headings of the type's form sections, e.g. ``{"enfant": ("l'enfant",)}``."""

    def __post_init__(self) -> None:
        self.folded = fold_aligned(self.document.text)

    def values(self, find: Callable[..., Iterator[Found]]) -> Iterator[Found]:
        if find is find_dates:
            return find_dates(self.document.text, reference=self.reference)
        return find(self.document.text)


Finder = Callable[[Reader], Candidate | None]

_LABEL_TRUST = 0.95
_PATTERN_NEAR_TRUST = 0.9
_PATTERN_TRUST = 0.8
_KEYWORD_TRUST = 0.75


# -- form labels -------------------------------------------------------------------------------
def labelled(labels: Sequence[str], *, parse: FindValues | None = None, section: str | None = None,
             as_list: bool = False) -> Finder:
    """The value written right of a form label (``Nom : BENALI``), or on the line below it."""
    wanted = sorted((tuple(fold(label).split()) for label in labels), key=len, reverse=True)

    def find(reader: Reader) -> Candidate | None:
        current = None
        for line in reader.document.lines:
            heading = _heading(line, reader.sections)
            if heading is not None:
                current = heading
                continue
            if section is not None and current != section:
                continue
            for label in wanted:
                end = _label_end(line, label)
                if end is None:
                    continue
                value_words = _right_of(reader, line, end) or _below(reader, line, end)
                if not value_words:
                    continue
                located = Located(line.page, tuple(value_words))
                text = collapse(located.text.lstrip(":").strip(" _|"))
                if not any(c.isalnum() for c in text):
                    continue  # an empty box's edge read as "|"
                if parse is not None:
                    parsed = next(iter(_parse_in(reader, parse, text)), None)
                    if parsed is None:
                        continue
                    return Candidate(parsed, located, _LABEL_TRUST, "formulaire")
                if text:
                    return Candidate([text] if as_list else text, located, _LABEL_TRUST, "formulaire")
        return None

    return find


def _parse_in(reader: Reader, parse: FindValues, text: str) -> Iterator[str]:
    if parse is find_dates:
        return (value for _, _, value in find_dates(text, reference=reader.reference, boxed=True))
    return (value for _, _, value in parse(text))


def _heading(line: Line, sections: Mapping[str, tuple[str, ...]]) -> str | None:
    """A short line that names a section of the form (``L'ENFANT``, ``RESPONSABLE LÉGAL``)."""
    if len(line.words) > 6 or any(":" in word.text for word in line.words):
        return None
    folded = " ".join(line.folded)
    label_like = folded.split(" ")[0] in _FIELD_WORDS  # "Nom de l'enfant" is a label, not the section "Enfant"
    for name, titles in sections.items():
        for title in map(fold, titles):
            at = _find_title(folded, title)
            if at >= 0 and (not label_like or at == 0):
                return name
    return None


def _find_title(folded: str, title: str) -> int:
    """Where a section's title starts in a line, OCR slips allowed (``_close``); -1 when it is not there."""
    if (exact := folded.find(title)) >= 0:
        return exact
    words, size = folded.split(" "), len(title.split(" "))
    wanted = title.replace(" ", "")
    position = 0
    for index in range(len(words) - size + 1):
        if any(_close("".join(words[index:index + width]), wanted) for width in (size, size + 1)):
            return position
        position += len(words[index]) + 1
    return -1


def _close(read: str, wanted: str) -> bool:
    """Printed words as OCR gave them: one slip per six letters ("Persone concernée", "Nom et 3rénom"),
    none in a short word (``nom`` is not ``non``). Compared without spaces, for OCR splits words
    ("Ob et de la demande", "RESPONSARI E LÉGAL")."""
    slips = len(wanted) // 6
    return read == wanted or (slips > 0 and Levenshtein.distance(read, wanted, score_cutoff=slips) <= slips)


_TWINS = str.maketrans({"m": "n", "1": "l", "i": "l", "|": "l", "0": "o"})


def _twins(word: str) -> str:
    """A word with the letters OCR takes for one another made the same ("Non :" is the label "Nom :")."""
    return word.replace("rn", "n").translate(_TWINS)


def _colon_after(line: Line, end: int) -> bool:
    """A colon closes the words before ``end``: they are a label, not a word of the text ("Oui ☐ Non ☐")."""
    return line.words[end - 1].text.endswith(":") or (end < len(line.words) and _is_colon(line.words[end]))


_FIELD_WORDS = frozenset({"nom", "prenom", "prenoms", "prenom(s)", "adresse", "date", "ne", "ne(e)", "nee", "lieu",
                          "telephone", "courriel", "e-mail", "qualite", "code", "commune", "ecole", "niveau"})


def _label_end(line: Line, label: tuple[str, ...]) -> int | None:
    """Index after the label's words if the line holds the label as a label: followed by ``:`` or a gap,
    or alone on its line (not the last words of a sentence: « Maison des associations » names no field)."""
    tokens = [token.rstrip(":").strip("_|[] ") for token in line.folded]
    wanted = "".join(label)
    spans = [(start, start + width) for start in range(len(tokens)) for width in (len(label), len(label) + 1)
             if start + width <= len(tokens)]  # one word more: OCR splits words ("Ob et de la demande")
    for start, end in spans:
        read = "".join(tokens[start:end])
        if not (_close(read, wanted) or (_twins(read) == _twins(wanted) and _colon_after(line, end))):
            continue
        if any(w.text.endswith(":") for w in line.words[start:end - 1]):
            continue  # "Nom : Prénom :" is two labels, not the label "nom prénom"
        last = line.words[end - 1]
        if last.text.endswith(":"):
            return end
        if end < len(line.words) and _is_colon(line.words[end]):
            return end + 1
        if end == len(line.words) and start == 0:
            return end  # a label alone on its line, its value below
        if end < len(line.words) and line.words[end].x0 - last.x1 > 2.5 * (last.y1 - last.y0):
            return end  # a gap, then the value
    return None


def _right_of(reader: Reader, line: Line, end: int) -> list[WordBox]:
    """Words on the same visual row, right of the label, up to a wide gap (the next column)."""
    label = [w for w in line.words[:end] if w.text.strip(":")]
    right = line.words[end - 1].x1
    height = max(w.y1 - w.y0 for w in label)
    middle = sum((w.y0 + w.y1) / 2 for w in label) / len(label)
    row = sorted((w for w in _page_words(reader, line.page)
                  if w.x0 >= right - 1 and abs((w.y0 + w.y1) / 2 - middle) < 0.6 * height and w.text.strip()),
                 key=lambda w: w.x0)
    taken: list[WordBox] = []
    for index, word in enumerate(row):
        if _is_colon(word):
            if taken:
                break  # the colon of the next label ("Lieu-dit :  Localité : Nantes")
            continue
        if taken and (word.x0 - taken[-1].x1 > 6 * height or word.text.endswith(":")):
            break  # the next column, or the next label on the row ("Nom : Toto  Prénom : Tata")
        if index + 1 < len(row) and _is_colon(row[index + 1]):
            break  # a label whose colon OCR set apart
        taken.append(word)
    return taken


def _is_colon(word: WordBox) -> bool:
    return word.text.strip("_|. ") == ":"


def _below(reader: Reader, line: Line, end: int) -> list[WordBox]:
    """The line just under the label, starting near the label's left edge."""
    label_x0, bottom = line.words[0].x0, line.bottom
    below = [candidate for candidate in reader.document.lines
             if candidate.page == line.page and 0 < candidate.top - bottom < 1.6 * line.height
             and abs(candidate.words[0].x0 - label_x0) < 3 * line.height
             and not any(w.text.endswith(":") for w in candidate.words[:6])]  # another label, not a value
    return list(min(below, key=lambda c: c.top).words) if below else []


def _page_words(reader: Reader, page: int) -> Iterator[WordBox]:
    for line in reader.document.lines:
        if line.page == page:
            yield from line.words


# -- patterns in the text ----------------------------------------------------------------------
def pattern(find: FindValues, *, near: Sequence[str] = (), rivals: Sequence[str] = (), window: int = 60,
            required: bool = False, choose: str = "first") -> Finder:
    """A value found by a pattern; with ``near``, one announced by those words is preferred.

    A value is announced when, of ``near`` and ``rivals``, the words closest before it are one of
    ``near`` (so "TVA" wins the amount after it, not "hors taxes" two amounts earlier).
    ``required`` refuses unannounced values; ``choose="last"`` takes the last one (a total).
    """
    near_folded = [fold(word) for word in near]
    rival_folded = [fold(word) for word in rivals]

    def find_value(reader: Reader) -> Candidate | None:
        announced: list[Found] = []
        others: list[Found] = []
        for found in reader.values(find):
            start = found[0]
            before = reader.folded[max(0, start - window):start]
            (announced if near_folded and _announced(before, near_folded, rival_folded) else others).append(found)
        pool, trust = (announced, _PATTERN_NEAR_TRUST) if announced else (others, _PATTERN_TRUST)
        if not pool or (required and not announced):
            return None
        start, end, value = pool[-1] if choose == "last" else pool[0]
        return Candidate(value, reader.document.locate(start, end), trust, "texte")

    return find_value


def _announced(before: str, near: Sequence[str], rivals: Sequence[str]) -> bool:
    def last(words: Sequence[str]) -> int:
        return max((m.end() for w in words for m in re.finditer(r"(?<![a-z])" + _spaced(w) + "(?![a-z])", before)),
                   default=-1)

    mine = last(near)
    return mine >= 0 and mine >= last(rivals)


def after(announce: str, capture: str = r"[^\n]+", *, trust: float = _PATTERN_NEAR_TRUST,
          clean: Callable[[str], str | None] | None = None) -> Finder:
    """The text a phrase announces, e.g. ``Objet : …`` or ``né le … à (Nantes)``; regex on folded text."""
    regex = re.compile((announce + r"(?P<value>" + capture + ")").replace(" ", r"\s+"))

    def find(reader: Reader) -> Candidate | None:
        for match in regex.finditer(reader.folded):
            start, end = match.span("value")
            raw = collapse(reader.document.text[start:end]).strip(" :;,.-–—")
            value = clean(raw) if clean else raw
            if value:
                return Candidate(value, reader.document.locate(start, end), trust, "texte")
        return None

    return find


def _spaced(words: str) -> str:
    """A phrase as a regex on folded text where a line break may stand for any space."""
    return r"\s+".join(re.escape(word) for word in fold(words).split(" "))


# -- keywords ----------------------------------------------------------------------------------
TICKED, EMPTY = "☒", "☐"
"""The words ``ocr.checkboxes`` puts where a form's box is, ticked or not."""


def keyword(choices: Mapping[str, Sequence[str]], *, many: bool = False,
            boxed_only: Mapping[str, Sequence[str]] | None = None) -> Finder:
    """An enumerated value told by words (``lampadaire`` → ``eclairage``); ``many`` gives every one found.
    When the options are check boxes (``☒ Cantine ☐ Garderie``), only the ticked ones count.
    ``boxed_only`` words name a value only as the label of a check box (``☒ Mariage``): in a
    letter's prose they say nothing (a birth certificate asked "pour mon mariage")."""

    def compile_all(table: Mapping[str, Sequence[str]]) -> dict[str, list[re.Pattern[str]]]:
        return {value: [re.compile(r"(?<![a-z])" + _spaced(w) + (r"(?![a-z0-9])" if len(w) <= 3 else ""))
                        for w in words]
                for value, words in table.items()}

    compiled, box_labels = compile_all(choices), compile_all(boxed_only or {})

    def find(reader: Reader) -> Candidate | None:
        hits: list[tuple[int, int, str]] = []
        boxed: list[tuple[int, int, str, bool]] = []
        for value in dict.fromkeys([*compiled, *box_labels]):
            positions = [m.span() for regex in compiled.get(value, ()) for m in regex.finditer(reader.folded)]
            labels = [m.span() for regex in box_labels.get(value, ()) for m in regex.finditer(reader.folded)]
            for start, end in positions + labels:
                mark = reader.folded[max(0, start - 3):start]
                if TICKED in mark or EMPTY in mark:
                    boxed.append((start, end, value, TICKED in mark))
            if positions:
                start, end = min(positions)
                hits.append((start, end, value))
        if boxed:  # the options are check boxes: only what is ticked counts, whatever else is printed
            hits = sorted({value: (start, end, value) for start, end, value, ticked in sorted(boxed, reverse=True)
                           if ticked}.values())
            if not hits:  # none ticked: for a list, an answer (nothing asked for); for a choice, none
                start, end, _value, _ticked = boxed[0]
                located = reader.document.locate(start, end)
                return Candidate([], located, _LABEL_TRUST, "case cochée") if many else None
            located = reader.document.locate(hits[0][0], hits[0][1])
            values = [value for _, _, value in hits]
            return Candidate(values if many else values[0], located, _LABEL_TRUST, "case cochée")
        if not hits:
            return None
        hits.sort()
        located = reader.document.locate(hits[0][0], hits[0][1])
        if many:
            return Candidate([value for _, _, value in hits], located, _KEYWORD_TRUST, "mots-clés")
        return Candidate(hits[0][2], located, _KEYWORD_TRUST, "mots-clés")

    return find


def recoded(finder: Finder, choices: Mapping[str, Sequence[str]]) -> Finder:
    """A free-text value turned into its code when it names one (``Moyenne section`` → ``MS``)."""
    regexes = {value: [re.compile(r"(?<![a-z0-9])" + _spaced(w) + r"(?![a-z0-9])") for w in words]
               for value, words in choices.items()}

    def find(reader: Reader) -> Candidate | None:
        candidate = finder(reader)
        if candidate is None or not isinstance(candidate.value, str):
            return candidate
        folded = fold(candidate.value)
        code = next((value for value, rs in regexes.items() if any(r.search(folded) for r in rs)), None)
        return candidate if code is None else Candidate(code, candidate.located, candidate.trust, candidate.method)

    return find


def full_name(first: Finder, last: Finder) -> Finder:
    """``Prénom`` and ``Nom`` read from two labels of a form, as one name."""

    def find(reader: Reader) -> Candidate | None:
        surname = last(reader)
        if surname is None or not isinstance(surname.value, str):
            return None
        given = first(reader)
        if given is None or not isinstance(given.value, str):
            return surname
        words = (given.located.words if given.located else ()) + (surname.located.words if surname.located else ())
        located = Located(surname.located.page, words) if surname.located and words else surname.located
        return Candidate(f"{given.value} {surname.value}", located, min(given.trust, surname.trust), surname.method)

    return find


def first_of(*finders: Finder) -> Finder:
    """The first finder that answers."""

    def find(reader: Reader) -> Candidate | None:
        for finder in finders:
            candidate = finder(reader)
            if candidate is not None:
                return candidate
        return None

    return find

