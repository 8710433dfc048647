"""People, places, companies and identifiers of the evaluation mail.

Written apart from ``classifiers/corpus`` (other commune, other names, other streets, other
companies) so that nothing the model was trained on reappears here by construction.
Identifiers carry valid checksums, computed here, as real ones would.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

COMMUNE = "Rochefort-sur-Loire"
MAIRIE = ("Mairie de Rochefort-sur-Loire", "Place de la République", "49190 Rochefort-sur-Loire")

SURNAMES = ("Lemaire", "Gauthier", "Perrin", "Chevalier", "Bouvier", "Marchand", "Roussel", "Fleury", "Carpentier",
            "Lacroix", "Texier", "Barbier", "Renaud", "Collin", "Vasseur", "Guillot", "Hamon", "Brunet", "Tessier",
            "Joly", "Mallet", "Poirier", "Leclerc", "Aubert", "Menard", "Baron", "Hoarau", "Ngoma", "Da Silva",
            "Nguyen", "Benhamou", "Kowalski", "Le Goff", "Tanguy", "Maillard", "Cordier", "Pasquier", "Delmas")
FIRST_NAMES = ("Solène", "Bastien", "Maëlys", "Gaëtan", "Océane", "Florian", "Pauline", "Régis", "Agathe",
               "Yannick", "Capucine", "Anthony", "Noémie", "Jérôme", "Clémence", "Hervé", "Ludivine", "Karim",
               "Mathilde", "Sébastien", "Inès", "Thierry", "Ginette", "Loïc", "Anaïs", "Didier", "Yasmina", "Rémi")
CHILD_NAMES = ("Timéo", "Jade", "Nolan", "Louise", "Sacha", "Rose", "Mathis", "Alba", "Eliott", "Lina", "Marius",
               "Romy", "Noé", "Capucine", "Hugo", "Anna")
STREET_KINDS = ("rue", "avenue", "chemin", "allée", "impasse", "boulevard", "place", "cours", "route", "quai")
STREET_NAMES = ("des Jonquilles", "du Moulin", "de la Gare", "Victor Hugo", "des Acacias", "du Lavoir",
                "de la Fontaine", "Pasteur", "des Vignes", "du Stade", "Jean Jaurès", "des Peupliers",
                "de la Tannerie", "du Port", "des Écoles", "de Bretagne", "Saint-Aubin", "des Coteaux",
                "du Général Leclerc", "de l'Abbaye", "des Mariniers", "du Château d'Eau")
TOWNS = (("49190", "Rochefort-sur-Loire"), ("49000", "Angers"), ("49080", "Bouchemaine"), ("49130", "Les Ponts-de-Cé"),
         ("44000", "Nantes"), ("49100", "Angers"), ("49170", "Savennières"), ("37000", "Tours"), ("72000", "Le Mans"))
BIRTH_PLACES = ("Angers", "Cholet", "Saumur", "Nantes", "Laval", "Tours", "Poitiers", "Le Mans", "Rochefort-sur-Loire",
                "Chalonnes-sur-Loire", "Segré", "Orléans")
SCHOOLS = ("École maternelle Les Petits Loups", "École élémentaire Jacques Prévert", "École primaire du Bourg",
           "École maternelle Pierre Perret", "École élémentaire Marie Curie")
LEVELS = (("PS", "Petite section"), ("MS", "Moyenne section"), ("GS", "Grande section"), ("CP", "CP"),
          ("CE1", "CE1"), ("CE2", "CE2"), ("CM1", "CM1"), ("CM2", "CM2"))
SUPPLIERS = ("Anjou Fournitures de Bureau", "Menuiserie Texier et Fils", "SARL Loire Éclairage Public",
             "Garage Moderne Automobiles", "Boulangerie du Marché", "Papeterie Angevine SAS",
             "Entreprise Colas Maine", "Traiteur Les Saveurs du Layon", "Informatique Services 49",
             "Pépinières du Val de Loire", "Nettoyage Pro Ouest", "Imprimerie Rochefortaise")
ASSOCIATIONS = ("Comité des fêtes de Rochefort", "Amicale laïque de Rochefort-sur-Loire", "Club de tennis de table",
                "Les Joyeux Randonneurs du Layon", "Association Musique en Loire", "Union sportive rochefortaise",
                "Les Amis de la bibliothèque", "Théâtre de la Corniche")


@dataclass(frozen=True)
class Person:
    civility: str
    first: str
    last: str
    street: str
    postcode: str
    town: str
    phone: str
    """As written: ``06 12 34 56 78``."""
    phone_e164: str
    email: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def formal(self) -> str:
        return f"{self.civility} {self.first} {self.last.upper()}"

    @property
    def address(self) -> str:
        return f"{self.street}, {self.postcode} {self.town}"


def street(r: Random) -> str:
    number = r.randint(1, 148)
    suffix = r.choice(("", "", "", "", " bis", " ter"))
    return f"{number}{suffix} {r.choice(STREET_KINDS)} {r.choice(STREET_NAMES)}"


def phone(r: Random) -> tuple[str, str]:
    digits = r.choice(("06", "07", "02")) + "".join(str(r.randint(0, 9)) for _ in range(8))
    written = " ".join(digits[i:i + 2] for i in range(0, 10, 2))
    if r.random() < 0.25:
        written = ".".join(digits[i:i + 2] for i in range(0, 10, 2))
    return written, "+33" + digits[1:]


def person(r: Random, *, local: bool = False) -> Person:
    female = r.random() < 0.5
    first = r.choice(FIRST_NAMES)
    last = r.choice(SURNAMES)
    postcode, town = TOWNS[0] if local or r.random() < 0.6 else r.choice(TOWNS)
    written, e164 = phone(r)
    domain = r.choice(("orange.fr", "free.fr", "gmail.com", "laposte.net", "sfr.fr"))
    email = f"{fold_ascii(first).lower()}.{fold_ascii(last).lower().replace(' ', '')}@{domain}"
    return Person("Mme" if female else "M.", first, last, street(r), postcode, town, written, e164, email)


def fold_ascii(text: str) -> str:
    import unicodedata
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _luhn_complete(body: str) -> str:
    """``body`` plus the digit that makes the Luhn sum a multiple of ten."""
    for last in "0123456789":
        digits = [int(d) for d in body + last][::-1]
        total = sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(digits))
        if total % 10 == 0:
            return body + last
    raise AssertionError("unreachable")


def siret(r: Random) -> str:
    siren = _luhn_complete("".join(str(r.randint(0, 9)) for _ in range(8)))
    return _luhn_complete(siren + "".join(str(r.randint(0, 9)) for _ in range(4)))


def iban(r: Random) -> str:
    bban = "".join(str(r.randint(0, 9)) for _ in range(21)) + "".join(str(r.randint(0, 9)) for _ in range(2))
    numeric = int(bban + "1527" + "00")  # F=15 R=27
    return f"FR{98 - numeric % 97:02d}{bban}"


def rna(r: Random) -> str:
    return "W" + str(r.choice((491, 492, 493, 441))) + "".join(str(r.randint(0, 9)) for _ in range(6))


def grouped(text: str, size: int = 4) -> str:
    return " ".join(text[i:i + size] for i in range(0, len(text), size))


def french_date(day, r: Random) -> str:  # noqa: ANN001 - a datetime.date
    months = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
              "novembre", "décembre")
    style = r.randrange(4)
    if style == 0:
        return f"{'1er' if day.day == 1 else day.day} {months[day.month - 1]} {day.year}"
    if style == 1:
        return day.strftime("%d/%m/%Y")
    if style == 2:
        return f"{day.day:02d}.{day.month:02d}.{day.year}"
    return f"{day.day} {months[day.month - 1]} {day.year}"


def amount(value: float, r: Random | None = None, *, euro: bool = True) -> str:
    """``1 234,56 €`` (or with a dot as thousands separator)."""
    whole, cents = f"{value:.2f}".split(".")
    sep = "." if r is not None and r.random() < 0.2 else " "
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sep.join(groups) + "," + cents + (" €" if euro else "")
