"""Every status and state a row can be in, as enums (free of the database layer: the search
engine and the drivers use them too; ``ged.db.models.state_column`` stores them).

Every stored value is French, lower case and unaccented, like the words people type after
``etat:``. Documents and the work queue stored English values until migration 0013 rewrote
them; those old values are still read (``DocumentState("processed")`` is ``PROCESSED``) where
people and robot files type a state, for one release, so a robot's filter written for the old
values keeps its documents (docs/upgrading.md).
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum


def _typed(value: str) -> str:
    """What a person typed, as a stored value is written: ``À vérifier`` → ``a_verifier``."""
    bare = unicodedata.normalize("NFKD", value.strip().lower()).encode("ascii", "ignore").decode()
    return "_".join(bare.replace("-", " ").split())


class DocumentState(StrEnum):
    RECEIVED = "recu"
    PROCESSED = "traite"
    NEEDS_REVIEW = "a_verifier"
    VALIDATED = "valide"
    ARCHIVED = "archive"
    ELIMINATED = "elimine"
    TRANSFERRED = "verse"
    QUARANTINED = "quarantaine"

    @classmethod
    def _missing_(cls, value: object) -> DocumentState | None:
        """A state as people type it (``traité``, ``À vérifier``, ``en quarantaine``) or as it was
        stored before migration 0013 (``processed``)."""
        if not isinstance(value, str):
            return None
        typed = _typed(value)
        return cls._value2member_map_.get(typed) or _DOCUMENT_ALIASES.get(typed)  # type: ignore[return-value]


_DOCUMENT_ALIASES = {
    "averifier": DocumentState.NEEDS_REVIEW, "en_quarantaine": DocumentState.QUARANTINED,
    # Stored before migration 0013; accepted until the next release.
    "received": DocumentState.RECEIVED, "processed": DocumentState.PROCESSED,
    "needs_review": DocumentState.NEEDS_REVIEW, "validated": DocumentState.VALIDATED,
    "archived": DocumentState.ARCHIVED, "eliminated": DocumentState.ELIMINATED,
    "transferred": DocumentState.TRANSFERRED, "quarantined": DocumentState.QUARANTINED,
}


def document_state(typed: str) -> str:
    """The stored value for a state a person or a robot file typed; a word that names no state is
    kept (lower case), so a filter on it finds nothing rather than everything."""
    try:
        return DocumentState(typed).value
    except ValueError:
        return typed.lower()


STATE_LABELS_FR: dict[DocumentState, str] = {
    DocumentState.RECEIVED: "reçu",
    DocumentState.PROCESSED: "traité",
    DocumentState.NEEDS_REVIEW: "à vérifier",
    DocumentState.VALIDATED: "validé",
    DocumentState.ARCHIVED: "archivé",
    DocumentState.ELIMINATED: "éliminé",
    DocumentState.TRANSFERRED: "versé",
    DocumentState.QUARANTINED: "en quarantaine",
}


class RequestStatus(StrEnum):
    NEW = "nouvelle"
    IN_PROGRESS = "en_cours"
    AWAITING_DOCUMENTS = "en_attente"
    CLOSED = "cloturee"


STATUS_LABELS_FR: dict[RequestStatus, str] = {
    RequestStatus.NEW: "nouvelle",
    RequestStatus.IN_PROGRESS: "en cours",
    RequestStatus.AWAITING_DOCUMENTS: "en attente de pièces",
    RequestStatus.CLOSED: "clôturée",
}


class ArchiveStatus(StrEnum):
    """Where an archive record stands in its life after archiving."""

    ARCHIVED = "archive"
    PROPOSED = "proposee"
    """On an elimination list waiting for its visa or execution."""
    TRANSFERRING = "en_versement"
    """In a transfer package sent to the Archives, their reply awaited."""
    TRANSFERRED = "versee"
    ELIMINATED = "eliminee"


class EliminationStatus(StrEnum):
    PROPOSED = "proposee"
    APPROVED = "visee"
    """The Archives départementales gave their visa."""
    EXECUTED = "executee"


class TransferStatus(StrEnum):
    SENT = "envoye"
    ACCEPTED = "accepte"
    REFUSED = "refuse"


class RunOutcome(StrEnum):
    RUNNING = "en_cours"
    OK = "ok"
    ERROR = "erreur"
    DRY_RUN = "simulation"
    BUSY = "occupe"
    """Another process holds the robot's lock: nothing was run (never stored)."""


class DeliveryStatus(StrEnum):
    SENDING = "envoi"
    """Claimed before sending: a crash between the two leaves it, and it is never sent twice."""
    SENT = "envoye"


class JobState(StrEnum):
    PENDING = "a_faire"
    CLAIMED = "en_cours"
    DONE = "fait"
    FAILED = "echoue"


class WorkerState(StrEnum):
    ACTIVE = "actif"
    STOPPED = "arrete"


class BatchState(StrEnum):
    TIMESTAMP_PENDING = "a_horodater"
    """The manifest is recorded; the timestamp authority could not be reached yet."""
    ATTESTED = "atteste"
