"""Random but plausible persons, addresses, dates and identifiers, with valid checksums."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

from stdnum import iban as stdnum_iban
from stdnum import luhn

from . import vocab


@dataclass(frozen=True)
class Person:
    civility: str
    first: str
    last: str
    street: str
    postcode: str
    town: str
    phone: str
    email: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def formal(self) -> str:
        return f"{self.civility} {self.first} {self.last}"

    @property
    def address(self) -> str:
        return f"{self.street}, {self.postcode} {self.town}"


def person(r: Random) -> Person:
    first, last = r.choice(vocab.FIRST_NAMES), r.choice(vocab.SURNAMES)
    civility = r.choice(("M.", "Mme", "Madame", "Monsieur", "M.", "Mme"))
    postcode, town = r.choice(vocab.TOWNS)
    street = f"{r.randint(1, 140)}{r.choice(('', '', '', ' bis'))} {r.choice(vocab.STREET_KINDS)} " \
             f"{r.choice(vocab.STREET_NAMES)}"
    phone = "0" + r.choice("1234567") + " " + " ".join(f"{r.randint(0, 99):02d}" for _ in range(4))
    domain = r.choice(("exemple.fr", "courriel.fr", "messagerie.com", "orange.fr", "free.fr"))
    email = f"{_ascii(first)}.{_ascii(last)}@{domain}".lower()
    return Person(civility, first, last, street, postcode, town, phone, email)


def street(r: Random) -> str:
    return f"{r.choice(vocab.STREET_KINDS)} {r.choice(vocab.STREET_NAMES)}"


def _ascii(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text) if c.isalnum() and ord(c) < 128)


def day(r: Random, *, start: date = date(2023, 1, 1), span_days: int = 1400) -> date:
    return start + timedelta(days=r.randrange(span_days))


def written(value: date, r: Random) -> str:
    """A date the way people write it: "3 mars 2025", "03/03/2025", "1er avril 2025"."""
    style = r.random()
    if style < 0.5:
        first = "1er" if value.day == 1 else str(value.day)
        return f"{first} {vocab.MONTHS[value.month - 1]} {value.year}"
    if style < 0.85:
        return value.strftime("%d/%m/%Y")
    return value.strftime("%d/%m/%y")


def amount(value: float) -> str:
    """"1 234,56 €"."""
    whole, cents = f"{value:.2f}".split(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{' '.join(groups)},{cents} €"


def siret(r: Random) -> str:
    base = f"{r.randint(30000000, 99999999)}"
    siren = base + luhn.calc_check_digit(base)
    nic = f"{r.randint(1, 9999):04d}"
    number = siren + nic
    number += luhn.calc_check_digit(number)
    return f"{number[:3]} {number[3:6]} {number[6:9]} {number[9:]}"


def iban(r: Random) -> str:
    while True:
        bank, branch, account = r.randint(10000, 99999), r.randint(10000, 99999), r.randint(10**10, 10**11 - 1)
        bban = f"{bank}{branch}{account}{r.randint(0, 99):02d}"
        number = "FR00" + bban
        number = number[:2] + stdnum_iban.calc_check_digits(number) + number[4:]
        if stdnum_iban.is_valid(number):
            return " ".join(number[i:i + 4] for i in range(0, len(number), 4))


def rna(r: Random) -> str:
    return f"W{r.randint(100000000, 999999999)}"


def dossier_number(r: Random, nature: str) -> str:
    return f"{nature} 044 {r.randint(100, 199)} {r.randint(22, 26)} {r.randint(1, 999):05d}"
