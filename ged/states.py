"""Every status and state a row can be in, as enums (free of the database layer: the search
engine and the drivers use them too; ``ged.db.models.state_column`` stores them).

The stored values are those the tables have always held, so no row changes: English for
documents and the work queue, French for requests, archives, lists, transfers, robots and
workers. Making them one language would change what the CLI's ``--json``, the API and robot
files show and accept, and the values the journal has witnessed; that is left as a decision
(see docs/architecture.md).
"""

from __future__ import annotations

from enum import StrEnum


class DocumentState(StrEnum):
    RECEIVED = "received"
    PROCESSED = "processed"
    NEEDS_REVIEW = "needs_review"
    VALIDATED = "validated"
    ARCHIVED = "archived"
    ELIMINATED = "eliminated"
    TRANSFERRED = "transferred"
    QUARANTINED = "quarantined"


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
    PENDING = "pending"
    CLAIMED = "claimed"
    DONE = "done"
    FAILED = "failed"


class WorkerState(StrEnum):
    ACTIVE = "actif"
    STOPPED = "arrete"


class BatchState(StrEnum):
    TIMESTAMP_PENDING = "a_horodater"
    """The manifest is recorded; the timestamp authority could not be reached yet."""
    ATTESTED = "atteste"
