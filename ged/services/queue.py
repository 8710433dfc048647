"""The processing queue, as drivers call it (``ged worker``, ``ged status``): see ``ged.ingest.queue``."""

from __future__ import annotations

from ..ingest.queue import (
    Claimed,
    QueueStatus,
    claim,
    enqueue_orphans,
    finish,
    heartbeat,
    renew,
    status,
    stopped,
)

__all__ = ["Claimed", "QueueStatus", "claim", "enqueue_orphans", "finish", "heartbeat", "renew", "status", "stopped"]
