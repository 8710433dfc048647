"""What each type of mail says: subjects, request sentences and form fields, several ways each.

Every function returns ``Content``: who writes, the subject, the body paragraphs and the
label/value pairs a form of that type would carry; ``layouts`` decides how it is laid out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random

from . import people, vocab
from .people import Person


@dataclass
class Content:
    sender: Person
    subject: str
    body: list[str]
    form: list[tuple[str, str]] = field(default_factory=list)
    form_title: str = ""
    organisation: str | None = None
    """A company or an association writing instead of a person."""


def etat_civil(r: Random) -> Content:
    p = people.person(r)
    acte = r.choice(("naissance", "mariage", "décès"))
    forme = r.choice(("copie intégrale", "extrait avec filiation", "extrait sans filiation", "extrait"))
    n = r.choice(("un exemplaire", "deux exemplaires", "trois exemplaires", "2 exemplaires", "une copie"))
    holder = r.choice(("mon", "de mon père", "de ma mère", "de mon fils", "de ma fille", "de mon épouse"))
    when, where = people.written(people.day(r, start=date(1940, 1, 1), span_days=30000), r), \
        r.choice(vocab.PLACES)
    reason = r.choice(("pour un dossier de passeport", "pour une succession chez le notaire",
                       "pour un dossier de retraite", "pour constituer un dossier de mariage", ""))
    own = holder == "mon"
    subject = r.choice((f"demande d'acte de {acte}", f"demande de {forme} d'acte de {acte}",
                        f"copie d'acte de {acte}", f"acte de {acte} — {forme}", "demande d'acte d'état civil"))
    body = [
        f"Je vous prie de bien vouloir m'adresser {n} de la {forme} de {'mon ' if own else 'l'}acte de {acte}"
        f"{'' if own else ' ' + holder}.",
        f"{'Je suis né' if own else 'L’événement a eu lieu'} le {when} à {where}. {reason.capitalize()}".strip(),
        r.choice(("Vous trouverez ci-joint une enveloppe timbrée pour la réponse.",
                  "Je joins la copie de ma pièce d'identité.", "Merci de me répondre à l'adresse ci-dessus.")),
    ]
    form = [("Nature de l'acte", acte), ("Type de document", forme), ("Nom", r.choice(vocab.SURNAMES)),
            ("Prénoms", r.choice(vocab.FIRST_NAMES)), ("Date de l'événement", when), ("Lieu de l'événement", where),
            ("Qualité du demandeur", "titulaire" if own else holder.replace("de ", "")),
            ("Nombre d'exemplaires", str(r.randint(1, 3)))]
    return Content(p, subject, body, form, "DEMANDE D'ACTE D'ÉTAT CIVIL")


def urbanisme(r: Random) -> Content:
    p = people.person(r)
    nature, label = r.choice((("PC", "permis de construire"), ("DP", "déclaration préalable"),
                              ("CU", "certificat d'urbanisme"), ("PA", "permis d'aménager"),
                              ("PD", "permis de démolir")))
    number = people.dossier_number(r, nature)
    work = r.choice(("une maison individuelle", "un abri de jardin", "une extension de la maison", "un garage",
                     "une piscine", "une clôture", "un carport", "la division d'un terrain en deux lots",
                     "une véranda", "la démolition d'un hangar", "le ravalement de façade"))
    section = f"{r.choice('ABCDEFGHKLZ')}{r.choice(('', 'B', 'C', 'K'))}"
    parcel = f"{r.randint(1, 999):04d}"
    surface = r.randint(8, 220)
    terrain = f"{people.street(r)}"
    subject = r.choice((f"dépôt d'un {label} {number}", f"{label} — {work}", f"dossier {number}",
                        f"demande de {label}", f"pièces complémentaires dossier {number}"))
    body = [
        f"J'ai l'honneur de déposer un dossier de {label} pour {work} sur le terrain situé {terrain}, "
        f"parcelle cadastrée section {section} numéro {parcel}.",
        f"La surface de plancher créée est de {surface} m². Le dossier comprend le formulaire Cerfa, le plan de "
        f"situation, le plan de masse{r.choice((', la notice descriptive', '', ' et les plans des façades'))}.",
        r.choice(("Je reste à la disposition du service urbanisme pour tout complément.",
                  f"Ce courrier complète le dossier {number} déposé le mois dernier.",
                  "Merci de m'indiquer si des pièces manquent à l'instruction.")),
    ]
    form = [("Nature de la demande", label), ("Numéro de dossier", number), ("Demandeur", p.name),
            ("Adresse du terrain", terrain), ("Référence cadastrale", f"{section} {parcel}"),
            ("Surface de plancher", f"{surface} m²")]
    return Content(p, subject, body, form, "DEMANDE D'AUTORISATION D'URBANISME — CERFA")


_VOIRIE = {
    "éclairage": ("le lampadaire devant chez moi est éteint depuis plusieurs nuits",
                  "l'éclairage public ne fonctionne plus dans toute la rue",
                  "un candélabre clignote et s'éteint la nuit"),
    "chaussée": ("un nid de poule dangereux s'est formé sur la chaussée",
                 "le trottoir est soulevé par les racines et des piétons sont tombés",
                 "un affaissement de la chaussée s'aggrave après les pluies"),
    "propreté": ("un dépôt sauvage d'encombrants bloque le passage", "des déchets s'accumulent près des conteneurs",
                 "des sacs d'ordures sont abandonnés au coin de la rue"),
    "signalisation": ("le panneau stop a été arraché au carrefour", "le feu tricolore reste bloqué au rouge",
                      "le marquage au sol du passage piéton est effacé"),
    "espaces verts": ("une grosse branche menace de tomber sur le trottoir",
                      "la haie du square déborde sur la voie", "la pelouse du parc n'a pas été tondue depuis juin"),
}


def voirie(r: Random) -> Content:
    p = people.person(r)
    nature = r.choice(tuple(_VOIRIE))
    problem = r.choice(_VOIRIE[nature])
    place = f"{r.randint(1, 80)} {people.street(r)}"
    seen = people.written(people.day(r), r)
    subject = r.choice((f"signalement {nature} {place}", f"problème de {nature}", "signalement sur la voie publique",
                        f"intervention demandée {place}", f"danger {place}"))
    body = [
        f"Je souhaite vous signaler que {problem}, à hauteur du {place}, depuis le {seen}.",
        r.choice(("Cette situation est dangereuse, en particulier pour les enfants et les personnes âgées.",
                  "Plusieurs voisins ont déjà constaté le problème.", "Des photos sont jointes à ce courrier.")),
        r.choice(("Merci de faire intervenir les services techniques rapidement.",
                  "Pouvez-vous envoyer une équipe pour réparer ?", "Je vous remercie de votre intervention.")),
    ]
    form = [("Nature du problème", nature), ("Localisation", place), ("Date du constat", seen),
            ("Nom", p.name), ("Téléphone", p.phone)]
    return Content(p, subject, body, form, "SIGNALEMENT D'UN PROBLÈME SUR L'ESPACE PUBLIC")


def scolaire(r: Random) -> Content:
    p = people.person(r)
    child = r.choice(vocab.FIRST_NAMES)
    born = people.written(people.day(r, start=date(2014, 1, 1), span_days=3600), r)
    school, level = r.choice(vocab.SCHOOLS), r.choice(vocab.LEVELS)
    services = r.sample(("la cantine", "la garderie du matin", "l'étude surveillée", "l'accueil périscolaire du soir"),
                        r.randint(0, 3))
    subject = r.choice((f"inscription scolaire de {child}", "inscription à l'école pour la rentrée",
                        "inscription cantine et garderie", "demande d'inscription scolaire et périscolaire",
                        f"dérogation scolaire pour {child}"))
    body = [
        f"Je souhaite inscrire {r.choice(('mon fils', 'ma fille', 'mon enfant'))} {child} {p.last}, "
        f"né{r.choice(('', 'e'))} le {born}, en {level} à l'{school} pour la rentrée prochaine.",
        (f"Je souhaite aussi l'inscrire à {', '.join(services)}." if services else
         "Mon enfant ne déjeunera pas à la cantine."),
        r.choice(("Vous trouverez ci-joint un justificatif de domicile et le livret de famille.",
                  "Le carnet de vaccination est joint.", "Nous venons d'emménager dans la commune.")),
    ]
    form = [("Nom de l'enfant", p.last), ("Prénom", child), ("Date de naissance", born), ("École", school),
            ("Niveau", level), ("Responsable légal", p.name), ("Adresse", p.address), ("Courriel", p.email)]
    return Content(p, subject, body, form, "INSCRIPTION SCOLAIRE ET PÉRISCOLAIRE")


def facture(r: Random) -> Content:
    p = people.person(r)
    company = r.choice(vocab.COMPANIES)
    ht = round(r.uniform(40, 25000), 2)
    rate = r.choice((0.2, 0.1, 0.055))
    tva, ttc = round(ht * rate, 2), round(ht * (1 + rate), 2)
    number = f"{r.choice(('FA', 'F', 'FAC', ''))}{r.choice(('-', ''))}{r.randint(2023, 2026)}-{r.randint(1, 99999):05d}"
    issued = people.day(r)
    due = issued + timedelta(days=30)
    item = r.choice(("fourniture de ramettes de papier", "remplacement de lanternes d'éclairage public",
                     "entretien des espaces verts", "transport scolaire du mois", "repas de la restauration scolaire",
                     "maintenance du parc informatique", "nettoyage des locaux de la mairie",
                     "panneaux de signalisation"))
    subject = r.choice((f"Facture n° {number}", f"FACTURE {number}", f"Facture {number} — {item}"))
    body = [
        f"Désignation : {item}. Quantité : {r.randint(1, 40)}.",
        f"Total HT : {people.amount(ht)}. TVA {rate * 100:g} % : {people.amount(tva)}. "
        f"Total TTC : {people.amount(ttc)}. Net à payer : {people.amount(ttc)}.",
        f"Date d'échéance : {people.written(due, r)}. Règlement par virement, IBAN {people.iban(r)}.",
        f"SIRET {people.siret(r)} — TVA intracommunautaire FR{r.randint(10, 99)}{r.randint(100000000, 999999999)}. "
        "Pénalités de retard au taux légal, indemnité forfaitaire de recouvrement de 40 €.",
    ]
    return Content(p, subject, body, organisation=company)


def subvention(r: Random) -> Content:
    p = people.person(r)
    association = r.choice(vocab.ASSOCIATIONS)
    year = r.randint(2024, 2027)
    amount = people.amount(r.choice((500, 800, 1200, 1500, 2500, 3000, 5000, 12000)))
    purpose = r.choice(("de fonctionnement", "pour l'organisation de notre festival", "exceptionnelle pour "
                        "l'achat de matériel", "pour les stages jeunes de l'été", "pour le projet de jardin partagé"))
    subject = r.choice((f"demande de subvention {year}", f"subvention {purpose} — exercice {year}",
                        "dossier de demande de subvention", "sollicitation d'une aide financière de la commune"))
    body = [
        f"Notre association sollicite une subvention {purpose} d'un montant de {amount} pour l'exercice {year}.",
        f"Numéro RNA {people.rna(r)} — SIRET {people.siret(r)}.",
        r.choice(("Vous trouverez joints le budget prévisionnel, le dernier compte rendu d'assemblée générale "
                  "et le RIB.",
                  "Le dossier Cerfa n° 12156 est complété et signé par le président.",
                  "Nos statuts et la liste des membres du bureau sont joints.")),
    ]
    form = [("Nom de l'association", association), ("Numéro RNA", people.rna(r)), ("Montant demandé", amount),
            ("Objet", purpose), ("Exercice", str(year))]
    return Content(p, subject, body, form, "DEMANDE DE SUBVENTION — CERFA 12156", organisation=association)


def reclamation(r: Random) -> Content:
    p = people.person(r)
    about = r.choice(("la collecte des déchets", "le bruit du chantier voisin", "l'accueil reçu en mairie",
                      "une erreur sur ma facture de cantine", "le stationnement gênant devant mon garage",
                      "le retard de traitement de mon dossier", "les nuisances de la salle des fêtes"))
    reference = r.choice((f"{r.randint(2024, 2026)}-{r.choice(('REC', 'VOI', 'URB', 'ECV'))}-{r.randint(1, 999):06d}",
                          "", ""))
    subject = r.choice((f"réclamation concernant {about}", "réclamation", f"mécontentement — {about}",
                        f"plainte au sujet de {about}"))
    body = [
        f"Je souhaite porter réclamation concernant {about}. "
        + r.choice(("Malgré mes précédents appels, rien n'a changé.", "La situation dure depuis des semaines.",
                    "Je suis très mécontent de la réponse qui m'a été faite.")),
        (f"Mon précédent courrier a été enregistré sous la référence {reference}." if reference else
         "Je n'ai reçu aucune réponse à ce jour."),
        r.choice(("Je vous demande d'intervenir et de m'indiquer les mesures prises.",
                  "Je souhaite obtenir une réponse écrite dans les meilleurs délais.",
                  "À défaut, je saisirai le médiateur.")),
    ]
    return Content(p, subject, body)


_OTHER: tuple[Callable[[Random], tuple[str, list[str]]], ...] = (
    lambda r: ("programme des manifestations estivales", [
        "Nous avons le plaisir de vous adresser le programme des manifestations de l'été dans les communes "
        "de l'estuaire.", "Merci de le diffuser auprès de vos administrés, notamment par affichage en mairie."]),
    lambda r: ("invitation à l'assemblée générale", [
        f"Le bureau a le plaisir de vous inviter à son assemblée générale le {people.written(people.day(r), r)} "
        "à la salle polyvalente.", "Un pot de l'amitié clôturera la soirée."]),
    lambda r: ("remerciements", [
        "Je tenais à remercier vos services pour la qualité de l'accueil lors de la cérémonie.",
        "Les agents ont été d'une grande disponibilité."]),
    lambda r: ("lettre d'information", [
        "Découvrez nos nouvelles offres de mobilier urbain et d'éclairage LED pour les collectivités.",
        "Nos commerciaux se tiennent à votre disposition pour un devis gratuit."]),
    lambda r: ("devis n° " + str(r.randint(100, 999)), [
        f"Suite à votre demande, veuillez trouver notre devis pour l'entretien des espaces verts : "
        f"{people.amount(r.uniform(500, 9000))} HT.", "Ce devis est valable trois mois. Il ne vaut pas facture."]),
    lambda r: ("circulaire préfectorale", [
        "La présente circulaire rappelle aux maires les règles applicables à l'organisation des élections.",
        "Les bureaux de vote devront ouvrir à 8 heures."]),
    lambda r: ("compte rendu de réunion", [
        "Étaient présents les représentants des services et des associations du quartier.",
        "Les points suivants ont été abordés : calendrier des travaux, fête de quartier, questions diverses."]),
    lambda r: ("abonnement à la revue", [
        "Votre abonnement à notre revue arrive à échéance. Renouvelez-le dès aujourd'hui.",
        "Vous recevrez onze numéros par an."]),
    lambda r: ("information sur les inscriptions scolaires", [
        "Les inscriptions scolaires pour la rentrée sont ouvertes du 1er mars au 30 avril.",
        "Les familles peuvent retirer le dossier à l'accueil de la mairie."]),
    lambda r: ("avis de passage", [
        "Notre technicien passera relever les compteurs de la mairie la semaine prochaine.",
        "Merci de laisser l'accès libre au local technique."]),
    lambda r: ("candidature spontanée", [
        "Je me permets de vous adresser ma candidature pour un poste d'agent administratif.",
        "Vous trouverez ci-joint mon curriculum vitae."]),
    lambda r: ("bulletin municipal", [
        "Ce mois-ci : travaux de voirie rue de la Gare, nouveau marché le samedi, portrait d'une association.",
        "Retrouvez l'agenda culturel en dernière page."]),
)


def autre(r: Random) -> Content:
    p = people.person(r)
    subject, body = r.choice(_OTHER)(r)
    organisation = r.choice((*vocab.ORGANISATIONS, None, None))
    return Content(p, subject, body, organisation=organisation)


WRITERS: dict[str, Callable[[Random], Content]] = {
    "etat_civil": etat_civil, "urbanisme": urbanisme, "voirie": voirie, "scolaire": scolaire,
    "facture": facture, "subvention": subvention, "reclamation": reclamation, "autre": autre,
}
