"""The mailbox intake robot: each mail becomes a document, and so does each of its attachments.

A mail is flagged as read (or moved) only after every document from it is committed, so a crash
never loses one: the next run takes it again, and its attachments come back as duplicates of
what was stored (same bytes), never as new documents. Its Message-ID is recorded once stored,
and a mail whose Message-ID is known is only flagged, never ingested again.
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import ssl

from ged.context import Context
from ged.errors import NotConfigured, Transient
from ged.services.mailintake import take_mail

from .definitions import Mailbox


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


def _done(client: imaplib.IMAP4, uid: str, spec: Mailbox) -> None:
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
        typ, data = client.uid("SEARCH", "ALL" if spec.move_to else "UNSEEN")
        uids = data[0].decode("ascii").split() if typ == "OK" and data and data[0] else []
        for uid in uids:
            typ, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((part[1] for part in fetched if isinstance(part, tuple)), None)
            if typ != "OK" or raw is None:
                continue
            counts["courriels"] += 1
            if dry_run:
                continue
            outcome = take_mail(ctx, raw, mailbox=f"{spec.user}@{spec.host}/{spec.folder}", service=spec.service,
                                actor=actor)
            counts["deja_recus" if outcome.already_taken else "documents"] += (
                1 if outcome.already_taken else len(outcome.documents))
            _done(client, uid, spec)
    except (OSError, imaplib.IMAP4.abort) as exc:
        raise Transient(f"boîte {spec.host} : connexion perdue ({exc})") from exc
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            client.logout()
    return counts
