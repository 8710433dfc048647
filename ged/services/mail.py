"""Sending mail through the configured SMTP server (STARTTLS, implicit TLS, or plain on a trusted network)."""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from ..context import Context
from ..errors import NotConfigured, Transient


def send(ctx: Context, to: list[str], subject: str, body: str, *, message_key: str | None = None) -> str:
    """Send one French plain-text mail; returns its Message-ID. Network trouble raises ``Transient``."""
    smtp = ctx.settings.smtp
    if not smtp.host:
        raise NotConfigured("serveur de courriel non configuré ([smtp] host)")
    if not to:
        raise NotConfigured("aucun destinataire (adresse du service absente de [services])")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = smtp.sender, ", ".join(to), subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(idstring=message_key, domain=smtp.sender.rsplit("@", 1)[-1])
    message.set_content(body, charset="utf-8")
    context = ssl.create_default_context(cafile=str(ctx.settings.resolve(smtp.ca_file)) if smtp.ca_file else None)
    password = os.environ.get(smtp.password_env)
    try:
        if smtp.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_seconds,
                                                   context=context)
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
        with client:
            if smtp.security == "starttls":
                client.starttls(context=context)
            if smtp.user and password:
                client.login(smtp.user, password)
            client.send_message(message)
    except (OSError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError) as exc:
        raise Transient(f"serveur de courriel injoignable ({smtp.host}:{smtp.port}) : {exc}") from exc
    except smtplib.SMTPResponseException as exc:
        if 400 <= exc.smtp_code < 500:
            raise Transient(f"serveur de courriel occupé ({exc.smtp_code})") from exc
        raise NotConfigured(f"courriel refusé par le serveur ({exc.smtp_code} {exc.smtp_error!r})") from exc
    return str(message["Message-ID"])
