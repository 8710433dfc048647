"""The document types, services and request rules a commune configures (defaults from DOMAIN.md).

A commune changes any of it in ``ged.toml`` (``[types.voirie] service = "voirie-proprete"``);
what it leaves out keeps its default, so one changed key never erases a whole table.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

Unit = Literal["jours_ouvres", "jours", "mois"]
Silence = Literal["acceptation", "rejet", "sans_objet"]


class DelaySettings(BaseModel):
    amount: int = Field(ge=1)
    unit: Unit


class TypeSettings(BaseModel):
    label: str
    """French label shown to people."""
    service: str
    """Routing: the service (code of ``[services]``) the document and its request go to."""
    category: str | None = None
    """Letters of its registration numbers (``URB`` → ``2026-URB-000042``); None: not a request type."""
    keywords: list[str] = []
    """Rule layer: words that suggest the type (accents and case do not matter)."""
    patterns: list[str] = []
    """Rule layer: regular expressions on the folded text (lower case, no accents)."""
    identified_by: list[str] = []
    """Rule layer: regular expressions that decide the type outright (an official form's number)."""
    excluded_by: list[str] = []
    """Rule layer: regular expressions that rule the type out (a quote is not an invoice)."""
    deadline: DelaySettings | None = None
    deadline_by_nature: dict[str, DelaySettings] = {}
    """Legal delays by the ``nature`` field (urban planning: ``DP``, ``PC``, ``PC_MI`` …)."""
    silence: Silence = "sans_objet"
    silence_delay: DelaySettings | None = None
    """When silence becomes a decision; unset: at the end of the deadline."""
    acknowledge: bool = True
    """Whether a new request gets an accusé de réception (not for suppliers' invoices)."""
    same_request: list[str] = []
    """Fields that together identify one request of the type: a document whose values for all of
    them equal those of an open request of the type, received in the last ``SAME_REQUEST_DAYS``
    days, joins that request instead of opening a second one (the form and the cover letter of one
    enrolment, an invoice received by post and by e-mail). Empty: only a cited number joins."""


class ServiceSettings(BaseModel):
    label: str
    address: str = ""
    phone: str = ""
    email: str = ""


class CommuneSettings(BaseModel):
    name: str = "Mairie de Saint-Herblain"
    address: str = "2 rue de l'Hôtel de Ville, 44800 Saint-Herblain"
    tribunal: str = "tribunal administratif de Nantes"
    """Where decisions are contested (recourse mentions of acknowledgements)."""
    holidays_subdivision: str | None = None
    """``57``, ``67`` or ``68`` (Alsace-Moselle: Good Friday and 26 December), ``971``…``976`` overseas."""
    mandate_end: date = date(2032, 3, 31)
    """End of the municipal mandate, start of the DUA of administrative mail (``fin_mandat``)."""
    identifier: str = "FRCOMMUNE-44162"
    accessibility_contact: str | None = None
    """Where agents report an accessibility defect (an e-mail address or a page); the postal address otherwise."""
    streets_file: Path = Path("voies.txt")
    """The commune's street names, one a line (``ged streets import`` writes it from a BAN extract);
    relative to the home. Reported places and land addresses are snapped to it."""
    """The commune as a SEDA organisation (transferring and originating agency)."""


FinalAction = Literal["C", "D", "T"]
StartEvent = Literal["reception", "cloture", "archivage", "fin_mandat"]


class RetentionRule(BaseModel):
    """A line of the tableau de gestion: how long a record is kept and what becomes of it after."""

    family: str
    """Its name in the tableau de gestion (printed on elimination lists)."""
    dua_years: int | None = Field(default=None, ge=0)
    """Durée d'utilité administrative; None: no DUA, the final action applies at once."""
    start: StartEvent = "reception"
    """What starts the DUA: receipt, closing of the request, archiving, end of the municipal mandate."""
    final: FinalAction
    """C conserver (transfer), D détruire (with the visa of the Archives départementales), T trier."""


DEFAULT_RETENTION: dict[str, dict[str, Any]] = {
    "urbanisme": {"family": "Autorisations d'urbanisme", "dua_years": None, "final": "C"},
    "facture": {"family": "Pièces comptables, factures", "dua_years": 10, "final": "D"},
    "etat_civil": {"family": "Demandes d'actes d'état civil", "dua_years": 1, "final": "D"},
    "scolaire": {"family": "Dérogations scolaires / inscriptions", "dua_years": 5, "final": "D"},
    "subvention": {"family": "Subventions aux associations (dossiers)", "dua_years": 10, "final": "T"},
    "voirie": {"family": "Courrier administratif", "dua_years": 1, "start": "fin_mandat", "final": "T"},
    "reclamation": {"family": "Courrier administratif", "dua_years": 1, "start": "fin_mandat", "final": "T"},
    "autre": {"family": "Courrier administratif", "dua_years": 1, "start": "fin_mandat", "final": "T"},
}


def _d(amount: int, unit: Unit) -> dict[str, Any]:
    return {"amount": amount, "unit": unit}


DEFAULT_SERVICES: dict[str, dict[str, Any]] = {
    "etat_civil": {"label": "État civil", "phone": "02 28 25 20 00", "email": "etat-civil@mairie.example.fr"},
    "urbanisme": {"label": "Urbanisme", "phone": "02 28 25 20 10", "email": "urbanisme@mairie.example.fr"},
    "services_techniques": {"label": "Services techniques", "phone": "02 28 25 20 20",
                            "email": "services-techniques@mairie.example.fr"},
    "affaires_scolaires": {"label": "Affaires scolaires", "phone": "02 28 25 20 30",
                           "email": "ecoles@mairie.example.fr"},
    "finances": {"label": "Finances", "phone": "02 28 25 20 40", "email": "finances@mairie.example.fr"},
    "vie_associative": {"label": "Vie associative", "phone": "02 28 25 20 50",
                        "email": "associations@mairie.example.fr"},
    "accueil": {"label": "Accueil / Direction générale", "phone": "02 28 25 20 60",
                "email": "accueil@mairie.example.fr"},
    "courrier": {"label": "Courrier", "phone": "02 28 25 20 70", "email": "courrier@mairie.example.fr"},
}

DEFAULT_TYPES: dict[str, dict[str, Any]] = {
    "etat_civil": {
        "label": "Demande d'acte d'état civil", "service": "etat_civil", "category": "ECV",
        "keywords": ["acte de naissance", "acte de mariage", "acte de deces", "copie integrale",
                     "extrait avec filiation", "extrait sans filiation", "etat civil", "livret de famille"],
        "patterns": [r"\b(?:copie|extrait)s? d'acte", r"\bacte d'etat civil"],
        "deadline": _d(10, "jours_ouvres"), "silence": "rejet", "silence_delay": _d(2, "mois"),
    },
    "urbanisme": {
        "label": "Autorisation d'urbanisme", "service": "urbanisme", "category": "URB",
        "keywords": ["permis de construire", "declaration prealable", "certificat d'urbanisme",
                     "permis d'amenager", "permis de demolir", "surface de plancher", "cadastre", "cerfa"],
        "patterns": [r"\b(?:pc|dp|cu|pa|pd) ?\d{2,3} ?\d{3} ?\d{2} ?[a-z0-9]{5}\b", r"\bparcelle cadastree"],
        # The Cerfa of building permits (13406, 13409), prior declarations (13703, 13404), demolition (13405).
        # Their printed titles and receipt too: Tesseract can merge the small "N° 13406*07" into the title's line.
        "identified_by": [r"\b(?:1340[4569]|13703)\s?\*\s?\d{2}\b",
                          r"\bdemande de\s+permis de construire\s+pour une maison individuelle",
                          r"\bdeclaration prealable\s+a la realisation de constructions",
                          r"\brecepisse de depot d'une\s+(?:demande|declaration)[\s\S]{0,12}?\s"
                          r"(?:de\s+permis|prealable)"],
        "deadline": _d(3, "mois"),
        "deadline_by_nature": {"DP": _d(1, "mois"), "CU": _d(1, "mois"), "CU_OPERATIONNEL": _d(2, "mois"),
                               "PC_MI": _d(2, "mois"), "PC": _d(3, "mois"), "PA": _d(3, "mois"),
                               "PD": _d(2, "mois")},
        "silence": "acceptation",
    },
    "voirie": {
        "label": "Signalement sur l'espace public", "service": "services_techniques", "category": "VOI",
        "keywords": ["eclairage public", "lampadaire", "nid de poule", "chaussee", "trottoir", "depot sauvage",
                     "signalisation", "espaces verts", "voirie", "signaler", "signalement"],
        "deadline": _d(5, "jours_ouvres"), "silence": "sans_objet",
    },
    "scolaire": {
        "label": "Inscription scolaire / périscolaire", "service": "affaires_scolaires", "category": "SCO",
        "keywords": ["inscription scolaire", "periscolaire", "cantine", "garderie", "rentree", "ecole maternelle",
                     "ecole elementaire", "petite section", "moyenne section", "grande section"],
        "deadline": _d(15, "jours_ouvres"), "silence": "acceptation", "silence_delay": _d(2, "mois"),
        "same_request": ["enfant_nom", "enfant_prenom", "enfant_date_naissance"],
    },
    "facture": {
        "label": "Facture fournisseur", "service": "finances", "category": "FAC",
        "keywords": ["facture", "montant ht", "tva", "ttc", "net a payer", "iban", "echeance", "siret"],
        "patterns": [r"\bfacture\s*(?:n\s*[°o]|numero)", r"\btotal\s+ttc"],
        # A quote (devis) lists amounts and VAT like an invoice: its own number, with no invoice number, rules
        # the type out, as do a quote's acceptance box and validity line.
        "excluded_by": [r"^(?![\s\S]*\bfacture\s*(?:n\s*[°o]|numero))[\s\S]*\bdevis\s*(?:n\s*[°o]|numero)",
                        r"\bbon pour accord\b", r"\bdevis (?:valable|gratuit)", r"\bvalidite du devis\b"],
        "deadline": _d(30, "jours"), "silence": "sans_objet", "acknowledge": False,
        "same_request": ["numero_facture", "montant_ttc"],
    },
    "subvention": {
        "label": "Demande de subvention (association)", "service": "vie_associative", "category": "SUB",
        "keywords": ["subvention", "association", "rna", "budget previsionnel", "assemblee generale", "exercice",
                     "cerfa 12156"],
        "patterns": [r"\bw\s?\d{9}\b"],
        "identified_by": [r"\b12156\s?\*\s?\d{2}\b"],  # the Cerfa of grant requests from associations
        "deadline": _d(2, "mois"), "silence": "rejet",
        "same_request": ["rna", "exercice"],
    },
    "reclamation": {
        "label": "Réclamation d'un usager", "service": "accueil", "category": "REC",
        "keywords": ["reclamation", "mecontent", "plainte", "porter reclamation", "aucune reponse", "mediateur",
                     "malgre mon precedent", "toujours pas", "sans reponse", "je proteste"],
        "patterns": [r"\b20\d{2}-[a-z]{3}-\d{6}\b"],
        "deadline": _d(15, "jours_ouvres"), "silence": "rejet", "silence_delay": _d(2, "mois"),
    },
    "autre": {
        "label": "Courrier divers", "service": "courrier", "category": None,
        # Genre cues: what newsletters, invitations, adverts, quotes and circulars say of themselves.
        "keywords": ["lettre d'information", "newsletter", "desabonner", "vous inviter", "invitation", "rsvp",
                     "catalogue", "appel gratuit", "offre reservee", "promotion", "remerciements", "felicitations",
                     "mesdames et messieurs les maires", "circulaire", "candidature", "changement d'adresse",
                     "bon pour accord", "devis valable"],
        "patterns": [r"\bdevis\s*(?:n\s*[°o]|numero)", r"\ble prefet\b.{0,40}\ba mesdames et messieurs\b"],
        "deadline": None, "silence": "sans_objet", "acknowledge": False,
    },
}


def merged(defaults: dict[str, dict[str, Any]], configured: Any) -> dict[str, Any]:
    """Each configured entry over its default, key by key; new entries added as they are."""
    result: dict[str, Any] = {name: dict(values) for name, values in defaults.items()}
    for name, values in (configured or {}).items():
        given = values.model_dump(exclude_unset=True) if isinstance(values, BaseModel) else dict(values)
        result[name] = {**result.get(name, {}), **given}
    return result
