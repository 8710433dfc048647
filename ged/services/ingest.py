"""Ingest, as drivers call it: the service of ``ged.ingest`` and the commands around it
(the OCR workers' fork server started early, separator sheets printed)."""

from __future__ import annotations

from ..ingest import (
    IngestReport,
    IngestService,
    IntakeHints,
    Outcome,
    print_separator,
    start_fork_server,
)

__all__ = ["IngestReport", "IngestService", "IntakeHints", "Outcome", "print_separator", "start_fork_server"]
