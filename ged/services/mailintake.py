"""What becomes of a mail taken from a mailbox: the same as an ``.eml`` file dropped in a watched
folder or uploaded (the message is a document, each attachment another, linked to it), once per
Message-ID.

The mailbox robot only speaks IMAP; this is the part that must hold whatever the transport.
"""

from __future__ import annotations

import email
import hashlib
import tempfile
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

from ..context import Context
from ..ingest import IngestService, IntakeHints
from . import automation


@dataclass(frozen=True)
class MailOutcome:
    message_id: str
    already_taken: bool
    documents: list[int]


def _message_id(message: EmailMessage, raw: bytes) -> str:
    """Its Message-ID, or a fingerprint of its bytes for the rare mail without one."""
    return str(message["Message-ID"] or "").strip() or "sha256:" + hashlib.sha256(raw).hexdigest()


def take_mail(ctx: Context, raw: bytes, *, mailbox: str, service: str | None, actor: str) -> MailOutcome:
    """Ingest one mail unless its Message-ID was taken before; every document is committed on return."""
    message = email.message_from_bytes(raw, policy=default_policy)
    assert isinstance(message, EmailMessage)
    message_id = _message_id(message, raw)
    if automation.mail_seen(ctx, message_id):
        return MailOutcome(message_id, True, [])
    with tempfile.TemporaryDirectory(prefix="ged-courriel-") as folder:
        path = Path(folder) / "courriel.eml"
        path.write_bytes(raw)
        hints = IntakeHints(service=service, channel=f"courriel:{mailbox}")
        reports = IngestService(ctx, actor=actor).ingest([path], hints_for=lambda _path: hints)
    ids = [i for r in reports if (i := r.document_id or r.duplicate_of) is not None]
    automation.record_mail(ctx, message_id, mailbox, ids)
    return MailOutcome(message_id, False, ids)
