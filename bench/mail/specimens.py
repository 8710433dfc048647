"""What each piece of evaluation mail says, with the truth a reader would extract from it.

One function per kind of mail; each returns a ``Specimen``: its type, the fields in the
normal forms of DOMAIN.md, and how to draw it. Phrasing, layouts and senders are written
for this corpus alone (see ``pools``); distractors (quotes, newsletters, invitations,
adverts, circulars, letters that mention an invoice or a permit in passing) are ``autre``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random
from typing import Any

from . import layouts as L
from .pools import (
    ASSOCIATIONS,
    BIRTH_PLACES,
    CHILD_NAMES,
    LEVELS,
    MAIRIE,
    SCHOOLS,
    SUPPLIERS,
    Person,
    amount,
    french_date,
    grouped,
    iban,
    person,
    rna,
    siret,
    street,
)
from .sheet import Sheet

Draw = Callable[[Sheet, Random, str | None], None]
"""Draws the specimen; the third argument is a handwriting font, or None for typed text."""


@dataclass
class Specimen:
    doc_type: str
    genre: str
    """letter, note, email, form, invoice, quote, newsletter, invitation, advert, circular."""
    fields: dict[str, Any]
    draw: Draw
    can_be_handwritten: bool = False
    tags: list[str] = field(default_factory=list)


def _today(r: Random) -> date:
    return date(2026, 11, 2) + timedelta(days=r.randint(0, 28))


def _sender_block(p: Person, r: Random) -> list[str]:
    lines = [p.formal if r.random() < 0.6 else p.name, p.street, f"{p.postcode} {p.town}"]
    if r.random() < 0.7:
        lines.append(r.choice((f"Tél. : {p.phone}", f"{p.phone}", f"Courriel : {p.email}", p.email)))
    return lines


def _place_date(r: Random, when: date, town: str = "Rochefort-sur-Loire") -> str:
    return f"{town}, le {french_date(when, r)}" if r.random() < 0.8 else f"Le {french_date(when, r)}"


def _contact_truth(block: list[str], p: Person) -> str | None:
    joined = " ".join(block)
    if p.email in joined:
        return p.email
    if p.phone in joined:
        return p.phone_e164
    return None


# --- état civil -------------------------------------------------------------------------------

_ACTS = {"naissance": "naissance", "mariage": "mariage", "deces": "décès"}
_FORMS = {"copie_integrale": "copie intégrale", "extrait_filiation": "extrait avec filiation",
          "extrait_sans_filiation": "extrait sans filiation"}
_COUNT_WORDS = {1: "un exemplaire", 2: "deux exemplaires", 3: "trois exemplaires"}


def etat_civil(r: Random) -> Specimen:
    p = person(r)
    acte = r.choice(tuple(_ACTS))
    forme = r.choice(tuple(_FORMS))
    copies = r.choice((1, 1, 2, 3))
    own = acte == "naissance" and r.random() < 0.5
    relation = None if own else r.choice((("mon père", "descendant"), ("ma mère", "descendant"),
                                          ("mon fils", "ascendant"), ("ma fille", "ascendant"),
                                          ("mon épouse", "conjoint"), ("mon mari", "conjoint")))
    if acte == "mariage":
        relation = ("mon épouse", "conjoint") if r.random() < 0.5 else ("mes parents", "descendant")
    holder_first = p.first if own else r.choice(("Gilberte", "Marcel", "Simone", "André", "Lucie", "Raymond", "Élise"))
    holder_last = p.last if own or r.random() < 0.7 else r.choice(("Besnard", "Pineau", "Chauvin"))
    when = date(r.randint(1938, 2015), r.randint(1, 12), r.randint(1, 28))
    where = r.choice(BIRTH_PLACES)
    quality = "titulaire" if own else relation[1]
    truth = {"acte": acte, "forme": forme, "titulaire_nom": holder_last, "titulaire_prenoms": holder_first,
             "date_evenement": when.isoformat(), "lieu_evenement": where, "demandeur_nom": p.name,
             "demandeur_adresse": f"{p.street} {p.postcode} {p.town}", "qualite_demandeur": quality,
             "nombre_exemplaires": copies}
    sent = _today(r)
    if r.random() < 0.4:
        return Specimen("etat_civil", "form", truth, _etat_civil_form(p, truth, when, copies), can_be_handwritten=True)
    event = {"naissance": "né" if r.random() < 0.5 else "née", "mariage": "célébré", "deces": "décédé"}[acte]
    whose = "mon acte" if own else f"l'acte de {relation[0]}, {holder_first} {holder_last},"
    asks = r.choice((
        f"Pourriez-vous me faire parvenir {_COUNT_WORDS[copies]} de la {_FORMS[forme]} de {whose} de {_ACTS[acte]} ?",
        f"Je sollicite la délivrance de {copies} {'exemplaire' if copies == 1 else 'exemplaires'} "
        f"({_FORMS[forme]}) de {whose} de {_ACTS[acte]}.",
    ))
    facts = (f"L'événement a été enregistré à {where} le {french_date(when, r)}." if not own else
             f"Je suis {event} le {french_date(when, r)} à {where}.")
    if acte == "mariage":
        facts = f"Le mariage a été {event} à {where} le {french_date(when, r)}."
    why = r.choice(("Ce document m'est demandé par le notaire chargé de la succession.",
                    "Il est nécessaire au renouvellement de ma carte nationale d'identité.",
                    "J'en ai besoin pour un dossier de pension de réversion.", ""))
    block = _sender_block(p, r)
    item = L.Letter(block, _place_date(r, sent, p.town), r.choice((
        f"demande d'acte de {_ACTS[acte]}", f"{_FORMS[forme].capitalize()} d'acte de {_ACTS[acte]}",
        "Demande de document d'état civil")), [asks, f"{facts} {why}".strip(),
                                              "Je vous remercie par avance de votre diligence."], p.name)
    return Specimen("etat_civil", "letter", truth, lambda s, rr, hand: L.letter(s, item, rr, hand=hand),
                    can_be_handwritten=True)


def _etat_civil_form(p: Person, truth: dict[str, Any], when: date, copies: int) -> Draw:
    def draw(sheet: Sheet, r: Random, hand: str | None) -> None:
        sections = [
            L.FormSection("Acte demandé", [
                L.Checks("Nature", [(label.capitalize(), code == truth["acte"]) for code, label in _ACTS.items()]),
                L.Checks("Document", [(label.capitalize(), code == truth["forme"]) for code, label in _FORMS.items()]),
                L.FormField("Nombre d'exemplaires", str(copies), width=20)]),
            L.FormSection("Personne concernée par l'acte", [
                L.FormField("Nom", truth["titulaire_nom"].upper()),
                L.FormField("Prénom(s)", truth["titulaire_prenoms"]),
                L.FormField("Date de l'événement", when.strftime("%d%m%Y"), comb=8),
                L.FormField("Lieu de l'événement", truth["lieu_evenement"])]),
            L.FormSection("Demandeur", [
                L.FormField("Nom et prénom", p.name), L.FormField("Adresse", p.street),
                L.FormField("Code postal et commune", f"{p.postcode} {p.town}"),
                L.Checks("Vous êtes", [("La personne elle-même", truth["qualite_demandeur"] == "titulaire"),
                                       ("Son conjoint", truth["qualite_demandeur"] == "conjoint"),
                                       ("Son père / sa mère", truth["qualite_demandeur"] == "ascendant"),
                                       ("Son enfant", truth["qualite_demandeur"] == "descendant")])]),
        ]
        L.form(sheet, header=[*MAIRIE, "Service de l'état civil"], title="DEMANDE D'EXTRAIT OU DE COPIE D'ACTE",
               sections=sections, r=r, hand=hand,
               footer=["Toute fausse déclaration expose à des poursuites (article 441-7 du code pénal)."])
    return draw


# --- urbanisme --------------------------------------------------------------------------------

_NATURES = {"PC": "permis de construire", "DP": "déclaration préalable", "CU": "certificat d'urbanisme",
            "PA": "permis d'aménager", "PD": "permis de démolir"}


def urbanisme(r: Random) -> Specimen:
    p = person(r, local=r.random() < 0.5)
    nature = r.choice(("PC", "PC", "DP", "DP", "CU", "PA", "PD"))
    year = r.choice((25, 26))
    number = f"{nature} 049 267 {year} {r.randint(1, 240):05d}" if r.random() < 0.6 else None
    section = r.choice(("A", "AB", "ZC", "B", "AK", "C", "ZH"))
    parcel = r.randint(1, 1999)
    land = street(r)
    surface = r.randint(9, 240) if nature in ("PC", "DP") else None
    works = r.choice(("la construction d'une maison individuelle", "l'extension de mon habitation",
                      "la pose de panneaux photovoltaïques", "l'édification d'un mur de clôture",
                      "la création d'un abri de jardin", "la transformation d'un garage en pièce de vie"))
    truth: dict[str, Any] = {"nature": nature, "reference_cadastrale": f"{section} {parcel:04d}",
                             "adresse_terrain": f"{land} 49190 Rochefort-sur-Loire", "demandeur_nom": p.name}
    if number:
        truth["numero_dossier"] = number
    if surface:
        truth["surface_plancher"] = surface
    if r.random() < 0.35:
        return Specimen("urbanisme", "form", truth,
                        _urbanisme_form(p, nature, number, section, parcel, land, surface, works),
                        can_be_handwritten=True)
    parts = [r.choice((
        f"Je me permets de vous adresser mon dossier de {_NATURES[nature]} relatif à {works}.",
        f"Vous trouverez ci-joint les pièces de ma demande de {_NATURES[nature]} pour {works}.",
    ))]
    where = (f"Le projet se situe au {land}, 49190 Rochefort-sur-Loire, sur la parcelle cadastrée section {section} "
             f"n° {parcel}." if r.random() < 0.5 else
             f"Terrain concerné : {land}, 49190 Rochefort-sur-Loire — cadastre {section} {parcel}.")
    parts.append(where)
    if surface:
        parts.append(r.choice((f"La surface de plancher créée s'élève à {surface} m².",
                               f"Le projet crée une surface de plancher de {surface} m² au total.")))
    if number:
        parts.append(f"Ce pli complète le dossier enregistré sous le numéro {number}, suite à votre demande de "
                     "pièces manquantes.")
    parts.append("Je reste à votre écoute pour toute précision utile à l'instruction.")
    item = L.Letter(_sender_block(p, r), _place_date(r, _today(r), p.town),
                    f"{_NATURES[nature].capitalize()}" + (f" — dossier {number}" if number else ""), parts, p.name,
                    greeting="Monsieur le Maire,")
    return Specimen("urbanisme", "letter", truth, lambda s, rr, hand: L.letter(s, item, rr, hand=hand))


def _urbanisme_form(p: Person, nature: str, number: str | None, section: str, parcel: int, land: str,
                    surface: int | None, works: str) -> Draw:
    def draw(sheet: Sheet, r: Random, hand: str | None) -> None:
        sections = [
            L.FormSection("1. Identité du demandeur", [
                L.FormField("Nom", p.last.upper(), width=70), L.FormField("Prénom", p.first, width=70),
                L.FormField("Adresse", p.street), L.FormField("Code postal", p.postcode, comb=5),
                L.FormField("Commune", p.town, width=80), L.FormField("Téléphone", p.phone.replace(" ", "")
                                                                     .replace(".", ""), comb=10)]),
            L.FormSection("2. Le terrain", [
                L.FormField("Adresse du terrain", f"{land} 49190 Rochefort-sur-Loire"),
                L.FormField("Section cadastrale", section, comb=2),
                L.FormField("Numéro de parcelle", f"{parcel:04d}", comb=4)]),
            L.FormSection("3. Le projet", [
                L.Checks("Demande", [(_NATURES[n].capitalize(), n == nature) for n in ("PC", "DP", "PA", "PD")]),
                L.FormField("Description", works)] +
                ([L.FormField("Surface de plancher créée (m²)", str(surface), width=25)] if surface else []) +
                ([L.FormField("N° de dossier (si complément)", number, width=70)] if number else [])),
        ]
        L.form(sheet, header=[*MAIRIE, "Service urbanisme"], title="DEMANDE D'AUTORISATION D'URBANISME",
               sections=sections, r=r, hand=hand, footer=["Cadre réservé à l'administration : date de dépôt ......"])
    return draw


# --- voirie -----------------------------------------------------------------------------------

_ISSUES = {
    "eclairage": ("le lampadaire situé devant le {n} ne s'allume plus depuis plusieurs soirs",
                  "l'éclairage public est en panne dans toute la rue, au niveau du {n}"),
    "chaussee": ("un trou profond s'est formé dans la chaussée à hauteur du {n}",
                 "le revêtement du trottoir est soulevé par des racines devant le {n}"),
    "proprete": ("des sacs d'ordures et un vieux matelas ont été abandonnés à côté du {n}",
                 "un dépôt sauvage de gravats encombre le bas-côté près du {n}"),
    "signalisation": ("le panneau stop à l'angle du {n} a été arraché",
                      "le marquage du passage piéton devant le {n} a complètement disparu"),
    "espaces_verts": ("une grosse branche menace de tomber sur le trottoir devant le {n}",
                      "la haie communale déborde largement sur le passage au niveau du {n}"),
}


def voirie(r: Random) -> Specimen:
    p = person(r, local=True)
    nature = r.choice(tuple(_ISSUES))
    place = street(r)
    seen = _today(r) - timedelta(days=r.randint(1, 10))
    issue = r.choice(_ISSUES[nature]).format(n=place)
    truth: dict[str, Any] = {"nature": nature, "localisation": place, "date_constat": seen.isoformat(),
                             "demandeur_nom": p.name}
    written_seen = french_date(seen, r)
    body = [r.choice((f"Je souhaite vous signaler que {issue}.", f"Je me permets de vous alerter : {issue}.")),
            r.choice((f"J'ai constaté le problème le {written_seen}.",
                      f"Constaté le {written_seen} en rentrant du travail.",
                      f"Cela dure depuis le {written_seen}.")),
            r.choice(("Cette situation présente un danger pour les piétons et les enfants qui vont à l'école.",
                      "Merci de faire intervenir les services techniques dès que possible.",
                      "Plusieurs voisins se plaignent également."))]
    if r.random() < 0.35:
        contact = p.email if r.random() < 0.6 else p.phone
        truth["contact"] = p.email  # the message's own sender address comes first, a phone in the text is extra
        body.append(f"Vous pouvez me joindre au {contact}." if contact != p.email else
                    f"Vous pouvez me répondre à {contact}.")
        sent = f"{french_date(_today(r), r)} {r.randint(7, 21)}:{r.randint(0, 59):02d}"
        subject = r.choice(("Signalement", "Problème dans ma rue", f"Signalement {place}", "Intervention urgente"))
        return Specimen("voirie", "email", truth,
                        lambda s, rr, hand: L.email(s, sender=p.name, address=p.email, sent=sent, subject=subject,
                                                    body=["Bonjour,", *body, "Cordialement,", p.name], r=rr))
    block = _sender_block(p, r)
    if contact := _contact_truth(block, p):
        truth["contact"] = contact
    item = L.Letter(block, _place_date(r, _today(r), p.town),
                    r.choice(("Signalement sur la voie publique", f"Désordre constaté {place}", None)), body, p.name,
                    greeting=r.choice(("Madame, Monsieur,", "Monsieur le Maire,", "Bonjour,")))
    return Specimen("voirie", "letter", truth, lambda s, rr, hand: L.letter(s, item, rr, hand=hand),
                    can_be_handwritten=True)


# --- scolaire ---------------------------------------------------------------------------------

def scolaire(r: Random) -> Specimen:
    p = person(r, local=True)
    child = r.choice(CHILD_NAMES)
    born = date(r.randint(2016, 2023), r.randint(1, 12), r.randint(1, 28))
    school = r.choice(SCHOOLS)
    level_code, level_label = r.choice(LEVELS)
    services = [s for s in ("cantine", "garderie", "etude") if r.random() < 0.5]
    truth: dict[str, Any] = {"enfant_nom": p.last, "enfant_prenom": child, "enfant_date_naissance": born.isoformat(),
                             "ecole": school, "niveau": level_code, "prestations": services, "responsable_nom": p.name,
                             "responsable_adresse": f"{p.street} {p.postcode} {p.town}"}
    if r.random() < 0.6:
        truth["contact"] = p.phone_e164 if r.random() < 0.5 else p.email
        contact_value = p.phone if truth["contact"] == p.phone_e164 else p.email

        def draw(sheet: Sheet, rr: Random, hand: str | None) -> None:
            sections = [
                L.FormSection("ENFANT", [
                    L.FormField("Nom de l'enfant", p.last.upper(), width=80), L.FormField("Prénom", child, width=80),
                    L.FormField("Né(e) le", born.strftime("%d/%m/%Y"), width=40),
                    L.FormField("École souhaitée", school), L.FormField("Niveau / classe", level_label, width=60)]),
                L.FormSection("RESPONSABLE LÉGAL", [
                    L.FormField("Nom, prénom", p.name), L.FormField("Adresse", f"{p.street}, {p.postcode} {p.town}"),
                    L.FormField("Téléphone" if contact_value == p.phone else "Courriel", contact_value)]),
                L.FormSection("SERVICES PÉRISCOLAIRES", [
                    L.Checks("Inscription à", [("Restaurant scolaire", "cantine" in services),
                                               ("Accueil du matin et du soir", "garderie" in services),
                                               ("Étude surveillée", "etude" in services)])]),
            ]
            L.form(sheet, header=[*MAIRIE, "Pôle éducation — enfance"],
                   title="FICHE D'INSCRIPTION SCOLAIRE 2026-2027", sections=sections, r=rr, hand=hand,
                   footer=["Pièces à joindre : livret de famille, justificatif de domicile, carnet de vaccinations."])
        return Specimen("scolaire", "form", truth, draw, can_be_handwritten=True)
    names = {"cantine": "la restauration scolaire", "garderie": "l'accueil périscolaire", "etude": "l'étude surveillée"}
    wanted = " et ".join(names[s] for s in services)
    level = level_label if level_code in ("PS", "MS", "GS") else level_code
    body = [f"Nous venons d'emménager sur la commune et souhaitons inscrire notre enfant {child} {p.last}, "
            f"né le {french_date(born, r)}, à l'{school} en {level}"
            " pour la rentrée prochaine.",
            (f"Nous souhaiterions également qu'il bénéficie de {wanted}." if services else
             "Il rentrera déjeuner à la maison chaque midi."),
            "Vous trouverez joints le justificatif de domicile et la copie du livret de famille."]
    block = _sender_block(p, r)
    if contact := _contact_truth(block, p):
        truth["contact"] = contact
    item = L.Letter(block, _place_date(r, _today(r), p.town), "Inscription scolaire de notre enfant", body, p.name)
    return Specimen("scolaire", "letter", truth, lambda s, rr, hand: L.letter(s, item, rr, hand=hand),
                    can_be_handwritten=True)


# --- facture ----------------------------------------------------------------------------------

_GOODS = {
    "Anjou Fournitures de Bureau": (("Ramette papier A4 80 g", 4.9, 20), ("Classeur à levier dos 80", 3.2, 20),
                                    ("Cartouche encre noire", 38.5, 20), ("Agrafeuse de bureau", 12.9, 20)),
    "Boulangerie du Marché": (("Viennoiseries vœux du maire", 1.1, 5.5), ("Pain de campagne", 2.6, 5.5),
                              ("Galettes des rois 8 parts", 16.0, 5.5), ("Boissons sans alcool", 2.2, 5.5)),
    "Traiteur Les Saveurs du Layon": (("Cocktail dînatoire (par personne)", 18.0, 10), ("Service en salle", 35.0, 20),
                                      ("Boissons (par personne)", 4.5, 10), ("Location vaisselle", 120.0, 20)),
}


def _supplier_goods(name: str) -> tuple[tuple[str, float, float], ...]:
    return _GOODS.get(name, (("Intervention technicien (heure)", 52.0, 20), ("Fournitures diverses", 86.4, 20),
                             ("Déplacement", 35.0, 20), ("Pièces détachées", 129.9, 20),
                             ("Contrat de maintenance annuel", 640.0, 20)))


def facture(r: Random, *, kind: str = "facture") -> Specimen:
    name = r.choice(SUPPLIERS)
    sid = siret(r)
    account = iban(r) if kind == "facture" and r.random() < 0.8 else None
    issued = _today(r) - timedelta(days=r.randint(0, 20))
    due_day = issued + timedelta(days=30)
    goods = _supplier_goods(name)
    count = r.choice((2, 3, 4, 6, 9, 24 if kind == "facture" else 5))
    lines = [L.InvoiceLine(label, r.randint(1, 12), price, rate)
             for label, price, rate in (goods[i % len(goods)] for i in range(count))]
    for index, line in enumerate(lines):
        if index >= len(goods):
            line.label = f"{line.label} — lot {index // len(goods) + 1}"
    by_rate: dict[float, float] = {}
    for line in lines:
        by_rate[line.rate] = by_rate.get(line.rate, 0.0) + line.total
    ht = round(sum(by_rate.values()), 2)
    tva = round(sum(round(base * rate / 100, 2) for rate, base in by_rate.items()), 2)
    number = r.choice((f"F{issued.year}-{r.randint(100, 9999):04d}", f"FA{r.randint(10000, 99999)}",
                       f"{issued.year}{issued.month:02d}-{r.randint(1, 999):03d}"))
    street_line = street(r)
    supplier = [name, street_line, r.choice(("49000 Angers", "49100 Angers", "49130 Les Ponts-de-Cé")),
                f"Tél. 02 41 {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)}"]
    truth: dict[str, Any] = {"fournisseur": name, "siret": sid, "numero_facture": number,
                             "date_facture": issued.isoformat(), "montant_ht": f"{ht:.2f}", "montant_tva": f"{tva:.2f}",
                             "montant_ttc": f"{ht + tva:.2f}"}
    if account:
        truth["iban"] = account
    due = None
    if kind == "facture":
        truth["date_echeance"] = due_day.isoformat()
        due = r.choice((f"Date d'échéance : {due_day.strftime('%d/%m/%Y')}",
                        f"À régler avant le {french_date(due_day, r)}",
                        f"Échéance : {due_day.strftime('%d/%m/%Y')} (30 jours date de facture)"))
    written_iban = grouped(account) if account else None
    notes = (["En cas de retard de paiement, indemnité forfaitaire de 40 € pour frais de recouvrement."]
             if kind == "facture" else ["Devis valable 3 mois.", "Bon pour accord, date et signature :"])

    def draw(sheet: Sheet, rr: Random, hand: str | None) -> None:
        L.invoice(sheet, kind=kind, supplier=supplier, number=number, issued=issued.strftime("%d/%m/%Y"), due=due,
                  lines=lines, siret=grouped(sid, 3) if rr.random() < 0.5 else sid, iban=written_iban, r=rr,
                  notes=notes, amount=lambda v, euro=True: amount(v, rr, euro=euro))
    if kind == "devis":
        return Specimen("autre", "quote", {"expediteur": name, "date_courrier": issued.isoformat()}, draw)
    return Specimen("facture", "invoice", truth, draw)


# --- subvention -------------------------------------------------------------------------------

_PURPOSES = ("l'organisation du festival de musique en plein air", "l'achat de tables de ping-pong pour le club",
             "la fête de la Saint-Jean", "les sorties culturelles des adhérents retraités",
             "la rénovation du local associatif", "le tournoi régional des jeunes")


def subvention(r: Random) -> Specimen:
    association = r.choice(ASSOCIATIONS)
    president = person(r, local=True)
    number = rna(r)
    sid = siret(r) if r.random() < 0.6 else None
    asked = r.choice((500, 750, 1200, 1500, 2000, 3500, 4800)) + r.choice((0, 0, 0.5))
    purpose = r.choice(_PURPOSES)
    season = r.choice((2026, 2027))
    truth: dict[str, Any] = {"association": association, "rna": number, "montant_demande": f"{asked:.2f}",
                             "objet": purpose, "exercice": str(season)}
    if sid:
        truth["siret"] = sid
    if r.random() < 0.4:
        def draw(sheet: Sheet, rr: Random, hand: str | None) -> None:
            rows: list[L.FormField | L.Checks] = [
                L.FormField("Nom de l'association", association), L.FormField("N° RNA", number, comb=10)]
            if sid:
                rows.append(L.FormField("N° SIRET", sid, comb=14))
            rows += [L.FormField("Président(e)", president.name), L.FormField("Adresse du siège", president.address)]
            sections = [L.FormSection("Identification", rows),
                        L.FormSection("Projet", [L.FormField("Objet de la demande", purpose),
                                                 L.FormField("Exercice concerné", str(season), width=25),
                                                 L.FormField("Montant sollicité", amount(asked, rr), width=40)]),
                        L.FormSection("Type d'aide", [L.Checks("Aide", [("Fonctionnement", False),
                                                                         ("Projet spécifique", True)])])]
            L.form(sheet, header=[*MAIRIE, "Vie associative"], title="DOSSIER DE DEMANDE DE SUBVENTION",
                   sections=sections, r=rr, hand=hand)
        return Specimen("subvention", "form", truth, draw, can_be_handwritten=True)
    block = [association, f"Siège : {president.street}", f"{president.postcode} {president.town}",
             f"RNA {number}" + (f" — SIRET {grouped(sid, 3)}" if sid else "")]
    body = [r.choice((f"Notre association sollicite de la commune une aide financière de {amount(asked, r)} pour "
                      f"{purpose}, prévue au cours de l'exercice {season}.",
                      f"Au titre de l'exercice {season}, nous vous demandons une subvention d'un montant de "
                      f"{amount(asked, r)} destinée à {purpose}.")),
            "Vous trouverez en annexe le budget prévisionnel, le dernier bilan financier et le rapport d'activité.",
            "Nous vous remercions du soutien que la municipalité apporte à la vie associative."]
    item = L.Letter(block, _place_date(r, _today(r)), f"Demande de subvention {season}", body,
                    f"{president.name}, président(e)", letterhead=association if r.random() < 0.5 else None)
    return Specimen("subvention", "letter", truth, lambda s, rr, hand: L.letter(s, item, rr, hand=hand))


# --- réclamation ------------------------------------------------------------------------------

def reclamation(r: Random) -> Specimen:
    p = person(r)
    ref = r.choice((None, None, f"2026-VOI-{r.randint(1, 400):06d}", f"2026-SCO-{r.randint(1, 90):06d}"))
    topic = r.choice((
        ("Contestation de la facture de cantine d'octobre",
         "La facture de restauration scolaire reçue pour octobre compte vingt repas alors que mon fils était absent "
         "une semaine entière. Je conteste ce montant et demande une facture rectifiée."),
        ("Réclamation — bruit de la salle des fêtes",
         "Depuis plusieurs week-ends, les soirées organisées à la salle des fêtes se prolongent bien après deux "
         "heures du matin. Je déplore l'absence de contrôle de la part de la municipalité."),
        ("Signalement resté sans réponse",
         "J'ai signalé il y a deux mois un problème d'éclairage devant chez moi ; rien n'a été fait et aucune "
         "réponse ne m'a été apportée. Je trouve ce silence inacceptable."),
        ("Mécontentement concernant l'accueil en mairie",
         "Lors de ma venue au guichet le mois dernier, j'ai été reçu de façon désagréable et l'on m'a renvoyé "
         "sans traiter ma demande. Je souhaite que cet incident soit porté à la connaissance du maire."),
        ("Plainte : stationnement gênant rue de l'école",
         "Les véhicules garés chaque matin sur le trottoir obligent les enfants à marcher sur la route. Malgré "
         "mes précédents courriers, la situation n'a pas changé. Je vous demande d'agir."),
    ))
    subject, complaint = topic
    truth: dict[str, Any] = {"objet": subject, "demandeur_nom": p.name}
    address = f"{p.street} {p.postcode} {p.town}"
    if ref:
        truth["reference_dossier"] = ref
    body = [complaint]
    if ref:
        body.append(f"Je vous rappelle la référence de mon dossier : {ref}.")
    body.append(r.choice(("J'attends une réponse écrite dans les meilleurs délais.",
                          "À défaut de réponse, je saisirai le conciliateur de justice.")))
    if r.random() < 0.3:
        truth["contact"] = p.email
        sent = f"{french_date(_today(r), r)} {r.randint(7, 21)}:{r.randint(0, 59):02d}"
        signature = [p.name]
        if r.random() < 0.6:  # an e-mail carries a postal address only when its writer signs with one
            truth["demandeur_adresse"] = address
            signature += [p.street, f"{p.postcode} {p.town}"]
        return Specimen("reclamation", "email", truth,
                        lambda s, rr, hand: L.email(s, sender=p.name, address=p.email, sent=sent, subject=subject,
                                                    body=["Madame, Monsieur,", *body, *signature], r=rr))
    truth["demandeur_adresse"] = address
    block = _sender_block(p, r)
    if contact := _contact_truth(block, p):
        truth["contact"] = contact
    item = L.Letter(block, _place_date(r, _today(r), p.town), subject, body, p.name,
                    reference=f"Vos réf. : {ref}" if ref and r.random() < 0.5 else None)
    return Specimen("reclamation", "letter", truth, lambda s, rr, hand: L.letter(s, item, rr, hand=hand),
                    can_be_handwritten=True)


# --- autre: plain mail and distractors --------------------------------------------------------

def courrier(r: Random) -> Specimen:
    """Letters of no request type, some mentioning an invoice or a permit in passing."""
    p = person(r)
    sent = _today(r)
    subject, body = r.choice((
        ("Remerciements", ["Je tenais à remercier chaleureusement les agents des services techniques pour leur "
                           "gentillesse lors du déménagement de ma mère.",
                           "Votre équipe a été d'une grande aide et je ne manquerai pas de le dire autour de moi."]),
        ("Changement d'adresse", ["Je vous informe de mon changement d'adresse à compter du mois prochain.",
                                  "Les factures de la régie des eaux et tout courrier devront m'être envoyés à "
                                  "ma nouvelle adresse."]),
        ("Invitation à notre assemblée générale", [
            "Nous avons le plaisir de convier Monsieur le Maire à l'assemblée générale de notre association.",
            "Elle se tiendra à la salle polyvalente ; un pot de l'amitié suivra."]),
        ("Information — travaux de voisinage", [
            "Je vous informe que mon voisin a obtenu son permis de construire l'an dernier et que les travaux "
            "commenceront en janvier.", "Je n'ai aucune demande particulière, il s'agit d'une simple information."]),
        ("Félicitations", ["Bravo pour la réussite du marché de Noël, qui a réuni petits et grands.",
                           "La facture d'électricité des illuminations doit être élevée, mais l'effet en valait la "
                           "peine !"]),
        ("Candidature spontanée", ["Titulaire d'un CAP petite enfance, je vous adresse ma candidature pour un poste "
                                   "d'agent au sein des écoles de la commune.",
                                   "Je suis disponible immédiatement et joins mon curriculum vitae."]),
    ))
    truth = {"expediteur": p.name, "date_courrier": sent.isoformat(), "objet": subject}
    item = L.Letter(_sender_block(p, r), f"{p.town}, le {french_date(sent, r)}", subject, body, p.name)
    return Specimen("autre", "letter", truth, lambda s, rr, hand: L.letter(s, item, rr, hand=hand),
                    can_be_handwritten=True)


def newsletter(r: Random) -> Specimen:
    org = r.choice(("Anjou Loire Territoire", "Office de tourisme Loire Layon", "Association des maires de "
                    "Maine-et-Loire", "Syndicat intercommunal des eaux"))
    issue = r.randint(12, 88)

    def draw(sheet: Sheet, rr: Random, hand: str | None) -> None:
        sheet.rect(0, 0, 210, 30, fill=0.25, stroke=False)
        sheet.text(20, 18, org.upper(), font="arial-bold", size=18, grey=1.0)
        sheet.text(20, 25, f"La lettre d'information — n° {issue} — {rr.choice(('automne', 'hiver'))} 2026",
                   font="arial", size=10, grey=1.0)
        sheet.y = 42
        for title, text in rr.sample([
            ("À la une", "Le nouveau réseau de bus desservira dès janvier les communes du Layon ; les horaires "
                         "sont disponibles sur notre site."),
            ("Agenda", "Forum des associations le 12, conférence sur la biodiversité le 19, marché des "
                       "producteurs tous les samedis matin."),
            ("Dossier", "La transition énergétique des bâtiments publics : retour sur trois rénovations exemplaires "
                        "et leurs économies mesurées."),
            ("En bref", "Les inscriptions au concours photo sont ouvertes jusqu'à la fin du mois. Abonnez-vous "
                        "gratuitement pour recevoir chaque numéro."),
            ("Portrait", "Rencontre avec l'équipe des jardiniers qui fleurissent les bords de Loire depuis vingt "
                         "ans.")], 4):
            sheet.line_of_text(20, title, font="arial-bold", size=13, leading=7)
            sheet.paragraph(20, text, width=170, font=rr.choice(("serif", "arial")), size=10.5, after=5)
        sheet.text(105, 285, "Pour vous désabonner, répondez STOP à ce message.", font="arial", size=7.5,
                   align="center")
    return Specimen("autre", "newsletter", {"expediteur": org}, draw)


def invitation(r: Random) -> Specimen:
    host = r.choice(("Le Conseil départemental de Maine-et-Loire", "La Chambre de commerce et d'industrie",
                     "Le Collège Jean Rostand", "La Communauté de communes Loire Layon Aubance"))
    when = _today(r) + timedelta(days=r.randint(10, 40))

    def draw(sheet: Sheet, rr: Random, hand: str | None) -> None:
        font = rr.choice(("serif", "hand-humor", "arial"))
        sheet.rect(15, 15, 180, 120, line=1.5)
        sheet.text(105, 40, host, font=font, size=14, align="center")
        sheet.text(105, 55, "a le plaisir de vous inviter", font=font, size=12, align="center")
        sheet.text(105, 72, rr.choice(("à la cérémonie des vœux", "à l'inauguration de la médiathèque",
                                       "à la remise des prix du concours", "au vernissage de l'exposition")),
                   font="serif-bold", size=16, align="center")
        sheet.text(105, 90, f"le {french_date(when, rr)} à 18 h 30", font=font, size=12, align="center")
        sheet.text(105, 100, "Salle du Conseil", font=font, size=12, align="center")
        sheet.text(105, 120, "Réponse souhaitée avant le 15 — RSVP protocole@exemple.fr", font="arial", size=9,
                   align="center")
    return Specimen("autre", "invitation", {"expediteur": host}, draw)


def advert(r: Random) -> Specimen:
    brand = r.choice(("Mobilier Urbain Concept", "Collectivités Équipement", "Signal Plus", "AquaJeux"))

    def draw(sheet: Sheet, rr: Random, hand: str | None) -> None:
        sheet.text(105, 30, brand.upper(), font="arial-bold", size=22, align="center")
        sheet.text(105, 45, rr.choice(("-20 % sur toute la gamme jusqu'au 31 décembre !",
                                       "Nouveau catalogue 2027 : équipez vos écoles et vos parcs")),
                   font="arial", size=13, align="center")
        sheet.y = 60
        for text in ("Bancs, corbeilles, jardinières, abris vélos, aires de jeux certifiées NF EN 1176.",
                     "Livraison et pose offertes pour toute commande passée avant la fin du mois.",
                     "Demandez votre devis gratuit : notre commercial vous rappelle sous 48 heures.",
                     "Offre réservée aux collectivités, dans la limite des stocks disponibles."):
            sheet.paragraph(25, text, width=160, font="arial", size=11.5, after=6)
        sheet.rect(40, sheet.y + 5, 130, 18, fill=0.85)
        sheet.text(105, sheet.y + 16, "Appelez le 0 800 12 34 56 (appel gratuit)", font="arial-bold", size=13,
                   align="center")
    return Specimen("autre", "advert", {"expediteur": brand}, draw)


def circular(r: Random) -> Specimen:
    sent = _today(r)
    subject = r.choice(("Organisation des élections : tenue des bureaux de vote",
                        "Mesures de restriction des usages de l'eau",
                        "Recensement de la population 2027 : calendrier",
                        "Plan grand froid : vigilance auprès des personnes isolées"))

    def draw(sheet: Sheet, rr: Random, hand: str | None) -> None:
        item = L.Letter(["PRÉFET DE MAINE-ET-LOIRE", "Liberté Égalité Fraternité", "Direction de la citoyenneté",
                         "Bureau des élections et de la réglementation"],
                        f"Angers, le {french_date(sent, rr)}", subject,
                        ["Le préfet de Maine-et-Loire à Mesdames et Messieurs les maires du département.",
                         "La présente circulaire a pour objet de vous rappeler les obligations qui incombent aux "
                         "communes en la matière et le calendrier à respecter.",
                         "Je vous remercie de bien vouloir diffuser ces consignes à vos services et de me faire part "
                         "de toute difficulté. Mes services restent à votre disposition.",
                         "Les modèles d'arrêtés et de factures types sont disponibles sur l'extranet des "
                         "collectivités."],
                        "Pour le préfet et par délégation, le secrétaire général", greeting="",
                        closing="", recipient=("Mesdames et Messieurs les maires", "du département"))
        L.letter(sheet, item, rr)
    return Specimen("autre", "circular", {"expediteur": "Préfet de Maine-et-Loire", "date_courrier": sent.isoformat(),
                                          "objet": subject}, draw)


def quote(r: Random) -> Specimen:
    return facture(r, kind="devis")


WRITERS: dict[str, tuple[Callable[[Random], Specimen], int]] = {
    "etat_civil": (etat_civil, 36), "urbanisme": (urbanisme, 36), "voirie": (voirie, 36),
    "scolaire": (scolaire, 36), "facture": (facture, 40), "subvention": (subvention, 32),
    "reclamation": (reclamation, 34), "courrier": (courrier, 20), "devis": (quote, 14),
    "newsletter": (newsletter, 10), "invitation": (invitation, 8), "publicite": (advert, 8),
    "circulaire": (circular, 10),
}
"""Kind of mail → (writer, how many in the corpus): 320 documents, 70 of them ``autre``."""
