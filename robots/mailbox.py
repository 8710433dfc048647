"""The mailbox intake robot: attachments (and the mail itself if asked) become documents.

A mail is flagged as read (or moved) only after every document from it is committed, so a crash
never loses one: the next run takes it again, and its attachments come back as duplicates of
what was stored (same bytes), never as new documents. Its Message-ID is recorded once stored,
and a mail whose Message-ID is known is only flagged, never ingested again.
"""

from __future__ import annotations

import contextlib
import email
import hashlib
import imaplib
import os
import re
import ssl
import tempfile
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime
from pathlib import Path

from ged.context import Context
from ged.errors import NotConfigured, Transient
from ged.mailpdf import mail_pdf
from ged.services import automation
from ged.services.ingest import IngestService, IntakeHints

from .definitions import Mailbox

_SAFE = re.compile(r"[^\w.\-]+")


def _connect(ctx: Context, spec: Mailbox) -> imaplib.IMAP4:
    password = os.environ.get(spec.password_env)
    if password is None:
        raise NotConfigured(f"mot de passe de la boîte {spec.user}@{spec.host} absent (variable {spec.password_env})")
    context = ssl.create_default_context(cafile=str(ctx.settings.resolve(spec.ca_file)) if spec.ca_file else None)
    try:
        if spec.security == "ssl":
            client: imaplib.IMAP4 = imaplib.IMAP4_SSL(spec.host, spec.port, ssl_context=context, timeout=30)
        else:
            client = imaplib.IMAP4(spec.host, spec.port, timeout=30)
            client.starttls(ssl_context=context)
        client.login(spec.user, password)
    except (OSError, imaplib.IMAP4.abort) as exc:
        raise Transient(f"boîte {spec.host}:{spec.port} injoignable : {exc}") from exc
    except imaplib.IMAP4.error as exc:
        raise NotConfigured(f"connexion à la boîte {spec.user}@{spec.host} refusée : {exc}") from exc
    return client


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


def _hints(message: EmailMessage, spec: Mailbox) -> IntakeHints:
    sender = str(message["From"] or "")
    try:
        sent = parsedate_to_datetime(str(message["Date"])).isoformat() if message["Date"] else None
    except (TypeError, ValueError):
        sent = None
    return IntakeHints(service=spec.service, channel=f"courriel:{spec.user}@{spec.host}/{spec.folder}",
                       sender=sender, subject=str(message["Subject"] or ""), sent_at=sent)


def _done(client: imaplib.IMAP4, uid: bytes, spec: Mailbox) -> None:
    """Flag as read, or move, a mail whose documents are all committed."""
    if spec.move_to is None:
        client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
        return
    typ, _ = client.uid("MOVE", uid, spec.move_to)
    if typ != "OK":
        client.uid("COPY", uid, spec.move_to)
        client.uid("STORE", uid, "+FLAGS", "(\\Deleted)")
        client.expunge()


def take_mailbox(ctx: Context, spec: Mailbox, *, actor: str, dry_run: bool) -> dict[str, int]:
    counts = {"courriels": 0, "documents": 0, "deja_recus": 0}
    client = _connect(ctx, spec)
    try:
        client.select(spec.folder)
        typ, data = client.uid("SEARCH", None, "ALL" if spec.move_to else "UNSEEN")
        uids = data[0].split() if typ == "OK" and data and data[0] else []
        for uid in uids:
            typ, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((part[1] for part in fetched if isinstance(part, tuple)), None)
            if typ != "OK" or raw is None:
                continue
            message = email.message_from_bytes(raw, policy=default_policy)
            assert isinstance(message, EmailMessage)
            message_id = str(message["Message-ID"] or "").strip() or "sha256:" + hashlib.sha256(raw).hexdigest()
            counts["courriels"] += 1
            if dry_run:
                continue
            if automation.mail_seen(ctx, message_id):
                counts["deja_recus"] += 1
                _done(client, uid, spec)
                continue
            with tempfile.TemporaryDirectory(prefix="ged-courriel-") as folder:
                paths = _files(message, Path(folder), include_body=spec.include_body)
                hints = _hints(message, spec)
                reports = IngestService(ctx, actor=actor).ingest(paths, hints_for=lambda _path, h=hints: h)
            ids = [r.document_id or r.duplicate_of for r in reports if (r.document_id or r.duplicate_of)]
            counts["documents"] += len(ids)
            automation.record_mail(ctx, message_id, f"{spec.user}@{spec.host}/{spec.folder}", ids)
            _done(client, uid, spec)
    except (OSError, imaplib.IMAP4.abort) as exc:
        raise Transient(f"boîte {spec.host} : connexion perdue ({exc})") from exc
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            client.logout()
    return counts
