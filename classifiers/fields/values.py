"""Values as people write them, in the normal forms of DOMAIN.md.

Each ``find_*`` scans a text and yields ``(start, end, value)`` for every valid value, so that
a caller can map the span back to the words (page, box, confidence). Identifiers that carry a
checksum are validated by maintained libraries, never just matched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from ..text import fold

Found = tuple[int, int, str]

_MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4, "avr": 4,
    "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9, "sep": 9,
    "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
}
_MONTH_WORD = r"(?P<month>[A-Za-zÀ-ÿ]{3,9})\.?"
_WRITTEN_DATE = re.compile(
    r"\b(?P<day>[0-3]?\d|1er|1ER|ler)\s+" + _MONTH_WORD + r"(?:\s+(?P<year>(?:19|20)\d{2}))?\b", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"\b(?P<day>[0-3]?\d)\s?[/.\-]\s?(?P<month>[01]?\d)\s?[/.\-]\s?(?P<year>\d{4}|\d{2})\b")
_ISO_DATE = re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b")
_COMB_DATE = re.compile(r"(?<![\d/.\-])(?P<day>[0-3]\d)(?P<month>[01]\d)(?P<year>(?:19|20)\d{2})(?![\d/.\-])")
"""``JJMMAAAA`` as comb boxes give it once joined (``0 6 1 2 1 9 3 9``)."""


_BOXED_RUN = re.compile(r"^[\s|]*(?P<run>\d[\d\s,.'|/\-]{6,20}\d)")
"""A value that starts as digits and cell walls: a date in comb boxes as OCR reads it ("2,3 0,7 1 954")."""


def find_dates(text: str, *, reference: date, boxed: bool = False) -> Iterator[Found]:
    """Dates written the French way; a date without a year takes the reference's year.

    Two-digit years pivot on the reference: up to next year they are this century. ``boxed``
    is for a form's value next to its label: there, eight digits separated by whatever the
    cell walls became under OCR are still a ``JJMMAAAA`` date.
    """
    found: list[Found] = []
    run = _BOXED_RUN.match(text) if boxed else None
    if run is not None:
        digits = re.sub(r"\D", "", run["run"])
        value = _date(int(digits[4:]), int(digits[2:4]), int(digits[:2])) if len(digits) == 8 else None
        if value is not None:
            yield run.start("run"), run.end("run"), value.isoformat()
            return
    for match in _WRITTEN_DATE.finditer(text):
        month = _MONTHS.get(fold(match["month"]))
        day_text = match["day"].lower()
        day = 1 if day_text in ("1er", "ler") else int(day_text)
        year = int(match["year"]) if match["year"] else reference.year
        value = _date(year, month, day) if month else None
        if value:
            found.append((match.start(), match.end(), value.isoformat()))
    for pattern in (_NUMERIC_DATE, _ISO_DATE, _COMB_DATE):
        for match in pattern.finditer(text):
            year = int(match["year"])
            if year < 100:
                year += 2000 if year <= reference.year % 100 + 1 else 1900
            value = _date(year, int(match["month"]), int(match["day"]))
            if value:
                found.append((match.start(), match.end(), value.isoformat()))
    yield from sorted(found)


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


_AMOUNT = re.compile(
    r"(?<![\d,.])(?P<number>\d{1,3}(?:[ \u00a0\u202f.\n]\d{3})+(?:,\d{1,2})?|\d+(?:[,.]\d{1,2})?)"
    r"\s?(?:€|EUR\b|euros?\b)", re.IGNORECASE)


def find_amounts(text: str) -> Iterator[Found]:
    """Amounts in euros: "1 234,56 €", "1.234,56 EUR", "2500 euros" → ``1234.56``."""
    for match in _AMOUNT.finditer(text):
        value = parse_amount(match["number"])
        if value is not None:
            yield match.start(), match.end(), value


def parse_amount(written: str) -> str | None:
    """A written amount in the normal form: a dot and two decimals."""
    number = re.sub(r"[ \u00a0\u202f\n]", "", written.strip().rstrip("€").strip())
    if "," in number:
        number = number.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+", number):
        number = number.replace(".", "")
    try:
        return f"{Decimal(number):.2f}"
    except InvalidOperation:
        return None


_DIGIT_RUN = re.compile(r"(?<![\dA-Za-z])\d(?:[ \u00a0.]?\d){8,13}(?![\dA-Za-z])")


def find_sirets(text: str) -> Iterator[Found]:
    """14-digit SIRETs (spaces allowed) that pass the Luhn check, La Poste's exception included."""
    for start, end, digits in _digit_runs(text):
        if len(digits) == 14 and stdnum_siret.is_valid(digits):
            yield start, end, digits


def find_sirens(text: str) -> Iterator[Found]:
    for start, end, digits in _digit_runs(text):
        if len(digits) == 9 and stdnum_siren.is_valid(digits):
            yield start, end, digits


def _digit_runs(text: str) -> Iterator[Found]:
    for match in _DIGIT_RUN.finditer(text):
        yield match.start(), match.end(), re.sub(r"\D", "", match.group())


_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]){11,30}\b")
"""Groups may be split by spaces or a line break; the checksum decides where the number ends."""


def find_ibans(text: str) -> Iterator[Found]:
    """IBANs that pass ISO 13616 mod 97; a match that ran into the next word is shortened until valid."""
    for match in _IBAN.finditer(text.upper()):
        raw = match.group()
        for cut in range(len(raw), 14, -1):
            candidate = re.sub(r"\s", "", raw[:cut])
            if stdnum_iban.is_valid(candidate):
                yield match.start(), match.start() + len(raw[:cut].rstrip()), candidate
                break


_FRENCH_PHONE = re.compile(r"(?<![\d+])0[1-9](?:[ .\-]?\d{2}){4}(?!\d)")


def find_phones(text: str) -> Iterator[Found]:
    """French (and international) phone numbers in E.164, in the order they are written.

    libphonenumber's own list of assigned ranges is the test abroad; a number in the French
    ten-digit form (``07 29 37 29 68``) is taken even in a range it does not know yet."""
    found = [(m.start, m.end, phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164))
             for m in phonenumbers.PhoneNumberMatcher(text, "FR", leniency=phonenumbers.Leniency.VALID)]
    for match in _FRENCH_PHONE.finditer(text):
        if not any(start < match.end() and match.start() < end for start, end, _ in found):
            found.append((match.start(), match.end(), "+33" + re.sub(r"\D", "", match.group())[1:]))
    yield from sorted(found)


_EMAIL = re.compile(r"\b[A-Za-z0-9._%+\-]+[^\S\n]?@[^\S\n]?[A-Za-z0-9.\-]+\.[A-Za-z]{2,}\b")
"""OCR often sets the ``@`` apart (« capucine.barbier @sfr.fr »): one space on either side is read through."""


def find_emails(text: str) -> Iterator[Found]:
    for match in _EMAIL.finditer(text):
        yield match.start(), match.end(), re.sub(r"\s", "", match.group().lower())


def find_contacts(text: str) -> Iterator[Found]:
    """A way to reach someone: e-mail addresses first, then phone numbers."""
    yield from find_emails(text)
    yield from find_phones(text)


_RNA = re.compile(r"\b[Ww]\s?(\d{3})\s?(\d{3})\s?(\d{3})\b")


def find_rnas(text: str) -> Iterator[Found]:
    """Numéros RNA: ``W`` then nine digits."""
    for match in _RNA.finditer(text):
        yield match.start(), match.end(), "W" + "".join(match.groups())


_DOSSIER = re.compile(
    r"\b(?P<nature>PC|DP|CU|PA|PD)\s*(?:n\s*[°o]\s*)?(?P<dep>\d{2,3}|0?2[AB])\s*(?P<commune>\d{3})\s*"
    r"(?P<year>\d{2})\s*(?P<number>[A-Z0-9]{5})\b")


def find_dossier_numbers(text: str) -> Iterator[Found]:
    """Urban planning file numbers: ``PC 044 109 25 00012`` (nature, département, commune, year, number)."""
    for match in _DOSSIER.finditer(text.upper()):
        dep = match["dep"].zfill(3)
        value = f"{match['nature']} {dep} {match['commune']} {match['year']} {match['number']}"
        yield match.start(), match.end(), value


_CADASTRE = re.compile(
    r"\b(?:section\s+)?(?P<section>[A-Z]{1,2}|0[A-Z])\s*(?:(?:num[eé]ro|n\s*[°o]|no)\.?\s*)?(?P<number>\d{1,4})\b")
_CADASTRE_CONTEXT = re.compile(r"cadastr|parcelle|section|r[eé]f[eé]rence", re.IGNORECASE)


def find_cadastral_references(text: str) -> Iterator[Found]:
    """``section AB numéro 123``, ``AB 0123``, ``parcelle AB n° 12`` → ``AB 0123``.

    Two capital letters and a number are common in any letter; only matches that a cadastral
    word announces (within the 60 characters before) are taken.
    """
    for match in _CADASTRE.finditer(text):
        if not _CADASTRE_CONTEXT.search(text[max(0, match.start() - 60):match.end()]):
            continue
        section = match["section"]
        if section in ("N", "NO") or not section.isupper():
            continue
        if int(match["number"]) > 0:  # parcels are numbered from 1
            yield match.start(), match.end(), f"{section} {int(match['number']):04d}"


_SURFACE = re.compile(r"(?P<number>\d{1,3}(?:[ \u00a0]\d{3})*(?:[,.]\d+)?)\s?(?:m[²°2?*]|m\s?carr[eé]s?)",
                      re.IGNORECASE)
"""OCR reads the small raised ² of « m² » as ``°``, ``?`` or ``*`` as often as right."""


def find_surfaces(text: str) -> Iterator[Found]:
    """Areas in square metres, as a number string ("18", "142.5")."""
    for match in _SURFACE.finditer(text):
        number = re.sub(r"[ \u00a0]", "", match["number"]).replace(",", ".")
        value = Decimal(number)
        yield match.start(), match.end(), str(value.normalize()) if value != value.to_integral() else str(int(value))


_POSTCODE = re.compile(r"\b\d{5}\b")
_TOWN_PARTICLES = frozenset({"le", "la", "les", "l'", "sur", "sous", "en", "de", "du", "des", "d'", "lès", "lez",
                             "aux"})


def tidy_address(text: str) -> str:
    """An address without what OCR adds around it: a stray mark before the number, and after the
    town, the bits of a box's edge, a stamp or a signature ("49190 Rochefort-sur-Loire EL L 7 7").
    The town is the words after the postcode while they are words (three letters or more, or a
    particle such as "les" or "sur")."""
    text = re.sub(r"^[^\w]+", "", text.strip())
    postcodes = list(_POSTCODE.finditer(text))
    if not postcodes:
        return text.rstrip(" _|.,;:")
    head, tail = text[:postcodes[-1].end()], text[postcodes[-1].end():].lstrip(" :,;.").split()
    town: list[str] = []
    for word in tail:
        letters = sum(c.isalpha() for c in word)
        cedex = word.isdigit() and bool(town) and town[-1].lower() == "cedex"
        if not cedex and word.lower() not in _TOWN_PARTICLES and (letters < 3 or letters < len(word.strip(".,;:")) - 2):
            break
        town.append(word)
    return " ".join([head, *town]).rstrip(" _|.,;:")
