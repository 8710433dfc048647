"""What people read instead of codes: French labels of fields, journal events, states and request
statuses, values in French form, times in Paris's time zone. One place, used by the web pages and
the CLI alike; codes stay what programs, the API and the journal store.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from .states import STATE_LABELS_FR, STATUS_LABELS_FR, DocumentState, RequestStatus

PARIS = ZoneInfo("Europe/Paris")

FIELDS: dict[str, str] = {
    "acte": "Acte", "forme": "Forme de l'acte", "titulaire_nom": "Nom du titulaire",
    "titulaire_prenoms": "Prénoms du titulaire", "date_evenement": "Date de l'événement",
    "lieu_evenement": "Lieu de l'événement", "demandeur_nom": "Demandeur", "demandeur_adresse": "Adresse du demandeur",
    "qualite_demandeur": "Qualité du demandeur", "nombre_exemplaires": "Nombre d'exemplaires", "nature": "Nature",
    "numero_dossier": "Numéro de dossier", "reference_cadastrale": "Référence cadastrale",
    "adresse_terrain": "Adresse du terrain", "surface_plancher": "Surface de plancher (m²)",
    "localisation": "Localisation", "date_constat": "Date du constat", "contact": "Contact",
    "enfant_nom": "Nom de l'enfant", "enfant_prenom": "Prénom de l'enfant",
    "enfant_date_naissance": "Date de naissance de l'enfant", "ecole": "École", "niveau": "Niveau",
    "prestations": "Prestations", "responsable_nom": "Responsable légal",
    "responsable_adresse": "Adresse du responsable",
    "fournisseur": "Fournisseur", "siret": "SIRET", "numero_facture": "Numéro de facture",
    "date_facture": "Date de la facture", "montant_ht": "Montant HT (€)", "montant_tva": "TVA (€)",
    "montant_ttc": "Montant TTC (€)", "iban": "IBAN", "date_echeance": "Échéance de paiement",
    "association": "Association", "rna": "Numéro RNA", "montant_demande": "Montant demandé (€)", "objet": "Objet",
    "exercice": "Exercice", "reference_dossier": "Référence du dossier", "expediteur": "Expéditeur",
    "date_courrier": "Date du courrier",
}

EVENTS: dict[str, str] = {
    "document.received": "reçu", "document.processed": "traité", "document.duplicate": "doublon reçu",
    "document.quarantined": "mis en quarantaine", "document.needs_review": "à vérifier",
    "document.refused": "refusé", "document.exported": "exporté", "document.classified": "classé",
    "document.validated": "validé", "document.viewed": "consulté", "document.downloaded": "téléchargé",
    "document.archived": "archivé", "document.eliminated": "éliminé", "batch.split": "lot découpé",
    "blob.incident": "fichier stocké endommagé ou absent", "request.created": "demande enregistrée",
    "request.document_joined": "joint à une demande", "request.assigned": "demande attribuée",
    "request.status": "statut de la demande changé", "request.acknowledgement_exported": "accusé de réception exporté",
    "request.acknowledgement_downloaded": "accusé de réception téléchargé",
    "request.acknowledgement_sent": "accusé de réception envoyé par courriel", "request.note": "note",
    "request.transferred": "demande transférée", "request.rerouted": "demande réorientée (type changé)",
    "document.transferred": "transféré à un autre service",
    "hold.added": "gel posé", "hold.removed": "gel levé", "retention.proposed": "proposé à l'élimination",
    "retention.approved": "élimination visée", "retention.eliminated": "élimination exécutée",
    "archive.audited": "archive auditée", "archive.transfer_sent": "versement envoyé",
    "archive.transfer_reply": "réponse au versement",
}


STATUSES: dict[str, str] = {str(status): label for status, label in STATUS_LABELS_FR.items()}
"""A request's statuses in their order, code → label (the desk's choices)."""

OUTCOMES: dict[str, str] = {
    "ingested": "intégré", "needs_review": "intégré, à vérifier", "queued": "reçu, en file de traitement",
    "duplicate": "doublon", "quarantined": "refusé, mis en quarantaine", "missing": "illisible",
    "refused": "refusé",
}
"""What became of a received file (``ged.ingest.Outcome``)."""


def outcome_label(outcome: str) -> str:
    return OUTCOMES.get(outcome, outcome)


def field_label(code: str) -> str:
    return FIELDS.get(code, code.replace("_", " ").capitalize())


def event_label(kind: str) -> str:
    return EVENTS.get(kind, kind)


def service_label(services: Mapping[str, Any], code: str) -> str:
    """A service's name from the installation's settings (``settings.services``), or its code if gone."""
    return services[code].label if code in services else code


def history_detail(event: Mapping[str, Any], services: Mapping[str, Any]) -> str:
    """What an event of a request's history changed, said after its label, in the same words on the
    desk and in ``ged requests show``: « : nouvelle → en cours », « à mdurand », « : document 12,
    mêmes valeurs (Nom de l'enfant, …) »."""
    payload = event.get("payload") or {}
    detail = ""
    if isinstance(status := payload.get("status"), list):
        detail += f" : {status_label(status[0])} → {status_label(status[1])}"
    if event.get("kind") == "request.assigned" and isinstance(assignee := payload.get("assignee"), list):
        detail += f" à {assignee[1]}"
    if isinstance(service := payload.get("service"), list):
        detail += f" : {service_label(services, service[0])} → {service_label(services, service[1])}"
    if (to := payload.get("to")) is not None:
        detail += f" à {to}"
    if same := payload.get("same_fields"):
        detail += f" : document {payload.get('document')}, mêmes valeurs ({', '.join(map(field_label, same))})"
    return detail


def state_label(state: str) -> str:
    return STATE_LABELS_FR[DocumentState(state)]


def status_label(status: str) -> str:
    return STATUS_LABELS_FR[RequestStatus(status)]


def shown(value: object) -> str:
    """A field's value as a French reader expects it: 14/07/1978, 1 234,50, "cantine, garderie", oui."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list | tuple):
        return ", ".join(shown(item) for item in value)
    if isinstance(value, float | Decimal):
        return f"{value:,.2f}".replace(",", "\u202f").replace(".", ",")
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return "" if value is None else str(value)


def local_time(moment: datetime | str | None, *, with_time: bool = True) -> str:
    """A stored time (naive UTC, as the database keeps them, or its ISO form ending in Z) as people
    in France read it."""
    if moment is None:
        return "—"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.removesuffix("Z"))
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    paris = aware.astimezone(PARIS)
    return paris.strftime("%d/%m/%Y à %H:%M") if with_time else paris.strftime("%d/%m/%Y")
