"""Which fields each document type has (DOMAIN.md), and the finders that read each one, in order.

The order in each list is the preference: what a form says under its label beats what a
pattern finds in the text, which beats a guess from the page layout.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from ..numbering import find_references
from ..text import collapse
from .document import Located
from .finders import (
    Candidate,
    Finder,
    Reader,
    after,
    first_of,
    full_name,
    keyword,
    labelled,
    pattern,
    recoded,
)
from .letterhead import (
    dateline,
    invitation_host,
    mail_sender,
    masthead,
    sender_address,
    sender_name,
    signature_address,
)
from .values import (
    Found,
    find_amounts,
    find_cadastral_references,
    find_contacts,
    find_dates,
    find_dossier_numbers,
    find_ibans,
    find_rnas,
    find_sirets,
    find_surfaces,
)


@dataclass(frozen=True)
class TypeSpec:
    fields: Mapping[str, Finder]
    sections: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


_OBJET = after(r"\b(?:objet|concerne)\s*:\s*")
_FULL_NAME_LABELS = ("nom du demandeur", "nom et prenom", "nom, prenom", "nom prenom", "nom et prenoms", "demandeur")
_DEMANDEUR = first_of(labelled(_FULL_NAME_LABELS),
                      full_name(labelled(("prenom", "prenoms", "prenom(s)")), labelled(("nom", "nom de famille"))),
                      mail_sender(), sender_name())
def _with_town(street: Finder) -> Finder:
    """A form's street line completed by its ``Code postal et commune`` box (or the two boxes apart)."""
    together = labelled(("code postal et commune", "code postal et ville", "cp et commune", "cp et ville"))
    apart = labelled(("code postal",))
    town = labelled(("commune", "ville", "localite"))

    def find(reader: Reader) -> Candidate | None:
        candidate = street(reader)
        if candidate is None or not isinstance(candidate.value, str) or re.search(r"\b\d{5}\b", candidate.value):
            return candidate
        parts = [together(reader)]
        if parts[0] is None:
            parts = [apart(reader), town(reader)]
        found = [p for p in parts if p is not None and isinstance(p.value, str)]
        if not found:
            return candidate
        value = collapse(" ".join([candidate.value, *(str(p.value) for p in found)]))
        return Candidate(value, candidate.located, candidate.trust, candidate.method)

    return find


_ADRESSE = first_of(_with_town(labelled(("adresse du demandeur", "adresse"))), sender_address(), signature_address())
_CONTACT = first_of(labelled(("courriel", "e-mail", "email", "telephone", "tel"), parse=find_contacts),
                    pattern(find_contacts))
_NAME_CAPTURE = r"[a-z][a-z\-']+(?:[^\S\n]+[a-z][a-z\-']+){1,3}"
"""Two to four words on one line: a first name and a surname."""


def _numeric(finder: Finder) -> Finder:
    """The value as a JSON number (surfaces, counts)."""

    def find(reader: Reader) -> Candidate | None:
        candidate = finder(reader)
        if candidate is None or not isinstance(candidate.value, str):
            return candidate
        number = float(candidate.value)
        value = int(number) if number.is_integer() else number
        return Candidate(value, candidate.located, candidate.trust, candidate.method)  # type: ignore[arg-type]

    return find


def _square_metres(text: str) -> Iterator[Found]:
    """A surface box's number (the unit is in its label)."""
    for match in re.finditer(r"\d+(?:[,.]\d+)?", text):
        yield match.start(), match.end(), match.group().replace(",", ".")


def _year(text: str) -> Iterator[Found]:
    for match in re.finditer(r"\b20\d{2}\b", text):
        yield match.start(), match.end(), match.group()


_TOWN_END = re.compile(r"^(.*?\b\d{5}\s+[A-ZÀ-Ý][\w'’]*"
                       r"(?:[ -](?:sur|sous|les|la|le|en|de|du|des|lès|[A-ZÀ-Ý][\w'’]*))*)")


def _to_town(finder: Finder) -> Finder:
    """An address cut after its postcode and town: what a sentence adds after it is not the address
    ("… 49190 Rochefort-sur-Loire — cadastre C 606")."""

    def find(reader: Reader) -> Candidate | None:
        candidate = finder(reader)
        if candidate is None or not isinstance(candidate.value, str):
            return candidate
        match = _TOWN_END.match(candidate.value)
        value = match.group(1) if match else candidate.value
        return Candidate(value, candidate.located, candidate.trust, candidate.method)

    return find


_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "Q": "0", "q": "0", "D": "0", "I": "1", "l": "1", "|": "1",
                             "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2"})


def digits_read(text: str) -> str:
    """A field that holds only digits, with the letters OCR takes for digits in comb boxes mended
    ("445QO" → "44500")."""
    return text.translate(_LOOKALIKES)


def _cerfa_land() -> Finder:
    """The land's address printed on a Cerfa: ``Numéro``, ``Voie``, ``Lieu-dit``, ``Code postal``,
    ``Localité`` under the heading ``Adresse du (ou des) terrain(s)``."""
    parts = [labelled((label,), section="terrain") for label in ("numero", "voie", "lieu-dit", "code postal",
                                                                  "localite")]

    def find(reader: Reader) -> Candidate | None:
        found = [part(reader) for part in parts]
        if found[1] is None:  # no street: not this layout
            return None
        values = [str(c.value) for c in found if c is not None]
        if found[3] is not None:  # a postcode in a comb: letters OCR takes for digits mended, or left out
            postcode = digits_read(str(found[3].value).replace(" ", ""))
            values[values.index(str(found[3].value))] = postcode
            if not re.fullmatch(r"\d{5}", postcode):
                values.remove(postcode)
        return Candidate(collapse(" ".join(values)), found[1].located, 0.85, "formulaire")

    return find


_SECTION_ROW = re.compile(r"\bsection\s*:?\s*(?P<section>[a-z](?: ?[a-z])?|0[a-z])\W*\s+(?:n(?:umero|°)|no)\.?\s*"
                          r":?\s*(?P<number>[\doq][\doq ]{0,7})")


def _cadastre_boxes() -> Finder:
    """A form's ``Section`` and ``Numéro de parcelle`` boxes, as one reference (``ZH 1612``)."""
    section = labelled(("section cadastrale", "section"))
    number = labelled(("numero de parcelle", "numero", "n° de parcelle", "parcelle"))

    def find(reader: Reader) -> Candidate | None:
        for line in reader.document.lines:  # "Section : CT  Numéro : 0099" on one row (Cerfa)
            match = _SECTION_ROW.search(" ".join(line.folded))
            if match:
                digits = re.sub(r"\D", "", digits_read(match["number"]))
                if 0 < len(digits) <= 4:
                    letters = match["section"].replace(" ", "").upper()
                    return Candidate(f"{letters} {int(digits):04d}", Located(line.page, line.words), 0.9,
                                     "formulaire")
        got_section, got_number = section(reader), number(reader)
        if got_section is None or got_number is None or got_section.located is None or got_number.located is None:
            return None
        if not 0 <= got_number.located.box[1] - got_section.located.box[1] < 60:
            return None  # the number box belongs with the section: on its row or just under it, not anywhere
        letters = re.sub(r"[^A-Za-z0-9]", "", str(got_section.value)).upper()
        digits = re.sub(r"\D", "", str(got_number.value))
        if not re.fullmatch(r"[A-Z]{1,2}|0[A-Z]", letters) or not 0 < len(digits) <= 4 or int(digits) == 0:
            return None
        return Candidate(f"{letters} {int(digits):04d}", got_number.located, min(got_section.trust, got_number.trust),
                         "formulaire")

    return find


_NUMBER_WORDS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
                 "huit": 8, "neuf": 9, "dix": 10}


def _copies() -> Finder:
    """"deux exemplaires", "3 exemplaires", "Nombre d'exemplaires : 2"."""
    regex = re.compile(r"\b(?P<count>\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")\s+(?:copies|exemplaires?)\b")
    labelled_count = labelled(("nombre d'exemplaires", "nombre de copies", "exemplaires"))

    def find(reader: Reader) -> Candidate | None:
        candidate = labelled_count(reader)
        if candidate is not None and str(candidate.value).strip().isdigit():
            return Candidate(int(str(candidate.value).strip()), candidate.located, candidate.trust, candidate.method)
        match = regex.search(reader.folded)
        if match is None:
            return None
        count = match["count"]
        value = int(count) if count.isdigit() else _NUMBER_WORDS[count]
        return Candidate(value, reader.document.locate(*match.span()), 0.85, "texte")

    return find


_PARTICLES = frozenset({"le", "la", "de", "du", "des", "da", "di", "van", "von", "del", "dos", "ben", "el", "mac"})


def split_name(name: str) -> tuple[str, str] | None:
    """(first names, surname) of a full name: the surname in capitals if it is written so
    ("Élise LE GOFF"), else the last word with the particles before it ("Élise Le Goff", "Ana Da Silva")."""
    words = [w for w in collapse(name).split(" ") if w.rstrip(".").lower() not in
             ("m", "mme", "mlle", "madame", "monsieur", "et")]
    if len(words) < 2:
        return None
    capitals = [i for i, w in enumerate(words) if len(w) > 1 and w.isupper()]
    if capitals and len(capitals) < len(words) and capitals == list(range(capitals[0], capitals[-1] + 1)):
        surname = words[capitals[0]:capitals[-1] + 1]
        given = words[:capitals[0]] + words[capitals[-1] + 1:]
        return " ".join(given), " ".join(surname)
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in _PARTICLES:
        start -= 1
    return " ".join(words[:start]), " ".join(words[start:])


def _split_name(part: str, source: Finder) -> Finder:
    """First names or surname out of a full name found by ``source``."""

    def find(reader: Reader) -> Candidate | None:
        candidate = source(reader)
        if candidate is None or not isinstance(candidate.value, str) or (split := split_name(candidate.value)) is None:
            return None
        value = split[1] if part == "nom" else split[0]
        return Candidate(value, candidate.located, candidate.trust * 0.9, candidate.method)

    return find


def _if_own(source: Finder, *phrases: str) -> Finder:
    """The requester's own record (``mon acte de naissance``): the holder is the sender."""
    regex = re.compile("|".join(re.escape(p) for p in phrases))

    def find(reader: Reader) -> Candidate | None:
        return source(reader) if regex.search(reader.folded) else None

    return find


_LEVELS = {"PS": ("petite section",), "MS": ("moyenne section",), "GS": ("grande section",),
           "CP": ("cp", "cours preparatoire"), "CE1": ("ce1",), "CE2": ("ce2",), "CM1": ("cm1",), "CM2": ("cm2",)}
_OWN = ("mon acte", "ma naissance", "je suis ne", "je suis nee", "mon mariage", "mon propre acte")
_RECORDED = ("enregistre", "enregistree", "celebre", "survenu", "survenue", "a eu lieu", "intervenu")
"""How letters say where and when an event took place ("le mariage a été célébré à Angers le …")."""
_HOLDER = after(r"\b(?:de|d')\s*(?:mon|ma|mes)\s+(?:pere|mere|fils|fille|epoux|epouse|mari|femme|conjoint|"
                r"grand-pere|grand-mere|frere|soeur|parents)\s*,?\s+",
                r"[a-z][a-z\-']+(?:\s+[a-z][a-z\-']+){1,3}?(?=,|\s+de\s|\s+ne\s|\s+nee\s|\.)",
                trust=0.8)
"""The holder of a record named after the requester's relation to them ("l'acte de mon père, Marcel Besnard,")."""
_EVENT = r"\b(?:ne|nee|nes|decede|decedee|marie|mariee|maries)\s+le\s+"
_CHILD = after(r"\b(?:mon fils|ma fille|mon enfant|l'enfant|notre fils|notre fille|notre enfant)\s+",
               _NAME_CAPTURE + r"(?=,| ne | nee |\s*\n| en | a )",
               trust=0.8)
# A digit inside a word is an OCR slip ("Jonqu1lles") that the street list mends.
_STREET = (r"(?:\d+\s*(?:bis|ter)?,?\s+)?(?:rue|avenue|boulevard|place|chemin|allee|impasse|route|quai|square|cours)"
           r"\s+(?:de la |de l'|du |des |de |d')?[a-z][a-z0-9\-']+(?:[^\S\n]+(?!(?:a|au|depuis|le|la|et|sur|ne|n'|qui|"
           r"pres|face)\b)[a-z][a-z0-9\-']+){0,3}")
_NEAR_PLACE = (r"(?:devant (?:le |la |l')?|face (?:au |a )|(?:a )?(?:hauteur|niveau|cote|l'angle) du |pres du |"
               r"situee? (?:au |a )?|au |dans l[ae] |sur l[ae] )")

SPECS: dict[str, TypeSpec] = {
    "etat_civil": TypeSpec(
        {
            "acte": keyword({"naissance": ("acte de naissance", "naissance"), "mariage": ("acte de mariage",),
                             "deces": ("acte de deces", "deces")}, boxed_only={"mariage": ("mariage",)}),
            "forme": keyword({"copie_integrale": ("copie integrale",),
                              "extrait_filiation": ("extrait avec filiation", "extrait de naissance avec"),
                              "extrait_sans_filiation": ("extrait sans filiation",)}),
            "titulaire_nom": first_of(labelled(("nom",), section="titulaire"), _split_name("nom", _HOLDER),
                                      _if_own(_split_name("nom", sender_name()), *_OWN)),
            "titulaire_prenoms": first_of(labelled(("prenoms", "prenom", "prenom(s)"), section="titulaire"),
                                          _split_name("prenoms", _HOLDER),
                                          _if_own(_split_name("prenoms", sender_name()), *_OWN)),
            "date_evenement": first_of(labelled(("date de l'evenement", "date de naissance", "date du mariage",
                                                 "date du deces"), parse=find_dates),
                                       pattern(find_dates, near=("ne le", "nee le", "decede le", "decedee le",
                                                                 "marie le", "maries le"), required=True,
                                               window=12),
                                       pattern(find_dates, near=_RECORDED, rivals=("le present", "courrier"),
                                               required=True, window=45)),
            "lieu_evenement": first_of(labelled(("lieu de l'evenement", "lieu de naissance", "lieu du mariage",
                                                 "lieu du deces")),
                                       after(_EVENT + r"[^\n]{4,25}?\s+a\s+",
                                             r"[a-z][a-z\-' ]+?(?=[,.;\n]| de | le )"),
                                       after(r"\b(?:" + "|".join(_RECORDED) + r")\s+a\s+",
                                             r"[a-z][a-z\-']+(?: [a-z][a-z\-']+){0,3}?(?=[,.;\n]| le | en )")),
            "demandeur_nom": first_of(labelled(_FULL_NAME_LABELS + ("nom",), section="demandeur"), _DEMANDEUR),
            "demandeur_adresse": _ADRESSE,
            "qualite_demandeur": keyword({
                "titulaire": (*_OWN, "la personne elle-meme", "l'interesse", "l'interessee"),
                "ascendant": ("mon fils", "ma fille", "mon enfant", "son pere", "sa mere"),
                "descendant": ("mon pere", "ma mere", "mon grand-pere", "ma grand-mere", "son enfant", "son fils",
                               "sa fille", "mes parents"),
                "conjoint": ("mon epoux", "mon epouse", "mon mari", "ma femme", "mon conjoint", "son conjoint",
                             "son epoux", "son epouse"),
                "representant_legal": ("tuteur", "curateur", "representant legal")}),
            "nombre_exemplaires": _copies(),
        },
        sections={"titulaire": ("titulaire de l'acte", "personne concernee"), "demandeur": ("demandeur",)},
    ),
    "urbanisme": TypeSpec({
        "nature": first_of(pattern(lambda text: ((s, e, v[:2]) for s, e, v in find_dossier_numbers(text))),
                           keyword({"PC": ("permis de construire",), "DP": ("declaration prealable",),
                                    "CU": ("certificat d'urbanisme",), "PA": ("permis d'amenager",),
                                    "PD": ("permis de demolir",)})),
        "numero_dossier": pattern(find_dossier_numbers),
        "reference_cadastrale": first_of(_cadastre_boxes(), pattern(find_cadastral_references)),
        "adresse_terrain": first_of(_to_town(labelled(("adresse du terrain", "localisation du terrain",
                                                       "terrain concerne"))),
                                    _cerfa_land(),
                                    after(r"\b(?:projet se situe|se situe|situe|sis)\s+(?:au\s+|a\s+)?(?=\d)",
                                          _STREET + r"(?:,?\s+\d{5}\s+[a-z][a-z\-']+)?"),
                                    after(r"\bterrain (?:situe |sis )?(?:au |a |)",
                                          _STREET + r"(?:,? \d{5} [a-z\-]+)?")),
        "demandeur_nom": _DEMANDEUR,
        "surface_plancher": _numeric(first_of(
            labelled(("surface de plancher creee (m2)", "surface de plancher creee", "surface de plancher (m2)",
                      "surface de plancher"), parse=_square_metres),
            pattern(find_surfaces, near=("surface de plancher", "surface"), rivals=("terrain",)))),
    
    }, sections={"terrain": ("adresse du (ou des) terrain", "le terrain", "adresse du terrain"),
                 "declarant": ("vous etes un particulier", "identite du demandeur", "identite du declarant")}),
    "voirie": TypeSpec({
        "nature": keyword({
            "eclairage": ("eclairage", "lampadaire", "candelabre", "luminaire", "ampoule"),
            "chaussee": ("nid de poule", "nids de poule", "chaussee", "trottoir", "affaissement", "enrobe"),
            "proprete": ("depot sauvage", "dechets", "encombrants", "ordures", "salete", "proprete"),
            "signalisation": ("panneau", "signalisation", "feu tricolore", "marquage au sol"),
            "espaces_verts": ("espaces verts", "arbre", "branche", "haie", "elagage", "tonte"),
        }),
        "localisation": first_of(labelled(("adresse du lieu", "localisation", "lieu")),
                                 after(_NEAR_PLACE + r"(?=\d+\s*(?:bis|ter)?\s+(?:rue|avenue|boulevard|place|chemin|"
                                       r"allee|impasse|route|quai|square|cours)\b)", _STREET),
                                 after(r"(?:objet|signal|panne|constat)[^\n]*?\b(?=(?:\d+\s*(?:bis|ter)?\s+)?(?:rue|"
                                       r"avenue|boulevard|place|chemin|allee|impasse|route|quai|square|cours)\b)",
                                       _STREET)),
        "date_constat": first_of(labelled(("date du constat", "constate le"), parse=find_dates),
                                 # « J'ai constaté le problème le 18 novembre » : the verb, then what was seen.
                                 pattern(find_dates, near=("depuis le", "constate le", "depuis", "le constat",
                                                           "constate", "remarque", "observe"),
                                         required=True, window=40)),
        "demandeur_nom": _DEMANDEUR,
        "contact": _CONTACT,
    }),
    "scolaire": TypeSpec(
        {
            "enfant_nom": first_of(labelled(("nom de l'enfant", "nom"), section="enfant"),
                                   labelled(("nom de l'enfant",)), _split_name("nom", _CHILD)),
            "enfant_prenom": first_of(labelled(("prenom de l'enfant", "prenom"), section="enfant"),
                                      labelled(("prenom de l'enfant",)), _split_name("prenoms", _CHILD)),
            "enfant_date_naissance": first_of(labelled(("date de naissance", "ne le", "nee le", "ne(e) le"),
                                                       parse=find_dates,
                                                       section="enfant"),
                                              pattern(find_dates, near=("nee le", "ne le", "date de naissance"),
                                                      required=True, window=20)),
            "ecole": first_of(labelled(("ecole demandee", "ecole souhaitee", "ecole", "etablissement")),
                              after(r"(?=\becole (?:maternelle|elementaire|primaire)\b)",
                                    r"ecole [a-z]+ [a-z\-' ]+?(?= pour | en | a la | a partir |[,.;\n])")),
            "niveau": first_of(recoded(labelled(("niveau", "classe")), _LEVELS), keyword(_LEVELS)),
            "prestations": keyword({"cantine": ("cantine", "restauration scolaire", "restaurant scolaire"),
                                    "garderie": ("garderie", "accueil periscolaire", "accueil du matin",
                                                 "accueil du soir"),
                                    "etude": ("etude surveillee", "etude dirigee")}, many=True),
            "responsable_nom": first_of(labelled(_FULL_NAME_LABELS + ("nom",), section="responsable"), mail_sender(),
                                        sender_name()),
            "responsable_adresse": first_of(_with_town(labelled(("adresse",), section="responsable")),
                                            sender_address()),
            "contact": _CONTACT,
        },
        sections={"enfant": ("l'enfant", "enfant"), "responsable": ("responsable legal", "representant legal",
                                                                    "parents", "famille")},
    ),
    "facture": TypeSpec({
        "fournisseur": first_of(labelled(("fournisseur", "emetteur")), sender_name()),
        "siret": pattern(find_sirets),
        "numero_facture": first_of(labelled(("numero de facture", "facture n°", "n° de facture")),
                                   after(r"\bfacture\s*(?:n\s*[°o]|numero|no|num\.?)\s*:?\s*",
                                         r"[a-z0-9][a-z0-9\-/_.]*[a-z0-9]")),
        "date_facture": first_of(labelled(("date de facture", "date de facturation", "date d'emission"),
                                          parse=find_dates), pattern(find_dates)),
        "montant_ht": pattern(find_amounts, near=("hors taxes", "hors taxe", "ht", "total ht"),
                              rivals=("tva", "ttc"), required=True),
        "montant_tva": pattern(find_amounts, near=("tva",), rivals=("hors taxes", "hors taxe", "ht", "ttc"),
                               required=True, choose="last"),  # "Total TVA" after the lines of each rate
        "montant_ttc": pattern(find_amounts, near=("ttc", "net a payer", "total a payer"),
                               rivals=("hors taxes", "hors taxe", "ht", "tva"), required=True),
        "iban": pattern(find_ibans),
        "date_echeance": pattern(find_dates, near=("echeance", "payable le", "a payer avant", "date limite",
                                                   "regler avant", "reglement avant", "payer avant"),
                                 rivals=("facture",), required=True, window=30),
    }),
    "subvention": TypeSpec({
        "association": first_of(labelled(("nom de l'association", "association")), sender_name()),
        "rna": pattern(find_rnas),
        "siret": pattern(find_sirets),
        "montant_demande": pattern(find_amounts, near=("subvention", "montant demande", "somme de", "montant")),
        "objet": first_of(labelled(("objet de la demande", "objet du projet", "intitule du projet")),
                          after(r"(?:subvention|aide financiere|aide)[^.]{0,90}?\b"
                                r"(?:pour(?!\s+l'(?:exercice|annee)\b)\s+|destinee?\s+a\s+|afin\s+d')",  # not the year
                                r"[^.;,\n]+(?:\n[^.;,\n]+)?", trust=0.75)),  # what it is for, not the subject
        "exercice": first_of(labelled(("exercice concerne", "exercice"), parse=_year),
                             after(r"\bexercice\s+(?:concerne\s*:?\s*|budgetaire\s+)?", r"20\d{2}"),
                             after(r"\bsubvention\s+(?:pour\s+)?(?:l'annee\s+)?", r"20\d{2}(?!\d)")),
    }),
    "reclamation": TypeSpec({
        "objet": _OBJET,
        "demandeur_nom": _DEMANDEUR,
        "demandeur_adresse": _ADRESSE,
        "contact": _CONTACT,
        "reference_dossier": first_of(pattern(find_references), pattern(find_dossier_numbers),
                                      after(r"\b(?:dossier|reference|ref\.?)\s*(?:n\s*[°o])?\s*:?\s*",
                                            r"[a-z0-9]*\d[a-z0-9\-/]{3,}")),
    }),
    "autre": TypeSpec({
        "expediteur": first_of(mail_sender(), sender_name(), invitation_host(), masthead(),
                               sender_name(postal=False)),
        "date_courrier": first_of(dateline(), labelled(("date", "date du devis"), parse=find_dates)),
        "objet": _OBJET,
    }),
}
