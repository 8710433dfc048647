"""What becomes of a received mail: its attachments (and itself, as PDF, when asked or when it has
none) are ingested with its sender, subject and date, once per Message-ID.

The mailbox robot only speaks IMAP; this is the part that must hold whatever the transport.
"""

from __future__ import annotations

import email
import hashlib
import re
import tempfile
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime
from pathlib import Path

from ..context import Context
from ..mailpdf import mail_pdf
from . import automation
from .ingest import IngestService, IntakeHints

_SAFE = re.compile(r"[^\w.\-]+")


@dataclass(frozen=True)
class MailOutcome:
    message_id: str
    already_taken: bool
    documents: list[int]


def _message_id(message: EmailMessage, raw: bytes) -> str:
    """Its Message-ID, or a fingerprint of its bytes for the rare mail without one."""
    return str(message["Message-ID"] or "").strip() or "sha256:" + hashlib.sha256(raw).hexdigest()


def take_mail(ctx: Context, raw: bytes, *, mailbox: str, service: str | None, include_body: bool,
              actor: str) -> MailOutcome:
    """Ingest one mail unless its Message-ID was taken before; every document is committed on return."""
    message = email.message_from_bytes(raw, policy=default_policy)
    assert isinstance(message, EmailMessage)
    message_id = _message_id(message, raw)
    if automation.mail_seen(ctx, message_id):
        return MailOutcome(message_id, True, [])
    with tempfile.TemporaryDirectory(prefix="ged-courriel-") as folder:
        paths = _files(message, Path(folder), include_body=include_body)
        hints = _hints(message, mailbox, service)
        reports = IngestService(ctx, actor=actor).ingest(paths, hints_for=lambda _path: hints)
    ids = [r.document_id or r.duplicate_of for r in reports if (r.document_id or r.duplicate_of)]
    automation.record_mail(ctx, message_id, mailbox, [i for i in ids if i is not None])
    return MailOutcome(message_id, False, [i for i in ids if i is not None])


def _files(message: EmailMessage, folder: Path, *, include_body: bool) -> list[Path]:
    paths: list[Path] = []
    for index, part in enumerate(message.iter_attachments()):
        payload = part.get_payload(decode=True)
        if not payload:
            continue
        name = _SAFE.sub("_", part.get_filename() or f"piece-{index + 1}")[:120]
        path = folder / f"{index + 1:02d}-{name}"
        path.write_bytes(payload)
        paths.append(path)
    if include_body or not paths:
        body = message.get_body(preferencelist=("plain", "html"))
        text = body.get_content() if body is not None else ""
        path = folder / "00-courriel.pdf"
        path.write_bytes(mail_pdf(sender=str(message["From"] or ""), recipients=str(message["To"] or ""),
                                  date=str(message["Date"] or ""), subject=str(message["Subject"] or ""),
                                  body=re.sub(r"<[^>]+>", " ", text)))
        paths.insert(0, path)
    return paths


def _hints(message: EmailMessage, mailbox: str, service: str | None) -> IntakeHints:
    try:
        sent = parsedate_to_datetime(str(message["Date"])).isoformat() if message["Date"] else None
    except (TypeError, ValueError):
        sent = None
    return IntakeHints(service=service, channel=f"courriel:{mailbox}", sender=str(message["From"] or ""),
                       subject=str(message["Subject"] or ""), sent_at=sent)
