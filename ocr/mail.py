"""E-mails saved as files (``.eml``, Outlook ``.msg``): their headers, body and attachments.

An e-mail is two things for a mairie: a letter (its headers and text, printed as a page) and
the files it carries, each a document of its own. Inline images smaller than a photo of a
page (a signature's logo, a social network's icon) are not attachments anyone sent on purpose
and are left out. ``.msg`` files are read with extract-msg.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime
from pathlib import Path

from . import sniff, webpage
from .errors import CorruptInput, LimitExceeded, OcrError, UnsupportedFormat

MAX_ATTACHMENTS = 100
"""More than this in one mail is no citizen's letter (a mass mailing, or a hostile file)."""
_DECORATION_BYTES = 40_000
"""An inline image below this size is a signature's logo or an icon, not a scanned page."""
_SAFE_NAME = re.compile(r"[^\w.\- ]+")


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes


@dataclass(frozen=True)
class Mail:
    sender: str
    """As written in ``From:`` (name and address)."""
    recipients: str
    copies: str
    date: str
    sent_at: datetime | None
    subject: str
    html: str | bytes | None
    """The HTML body as received; cleaned only when the page is printed (the intake, which only
    takes the attachments out, never needs it)."""
    text: str
    """The plain-text body, printed when there is no HTML one."""
    attachments: tuple[Attachment, ...]

    def as_html(self) -> bytes:
        """The mail as a page to print: its headers, its cleaned body, the names of its attachments."""
        names = ", ".join(a.filename for a in self.attachments)
        header = (("De", self.sender), ("À", self.recipients), ("Copie", self.copies), ("Date", self.date),
                  ("Objet", self.subject), ("Pièces jointes", names))
        body = webpage.cleaned_body(self.html) if self.html else webpage.text_as_html(self.text)
        return webpage.page(self.subject or "Courriel", body, header=header)


def read(path: Path, media_type: str) -> Mail:
    """The mail in ``path`` (``sniff.EML`` or ``sniff.MSG``), or ``InputRejected`` with the reason."""
    mail = _read_msg(path) if media_type == sniff.MSG else _read_eml(path.read_bytes())
    if len(mail.attachments) > MAX_ATTACHMENTS:
        raise LimitExceeded(f"courriel avec trop de pièces jointes ({len(mail.attachments)}, limite {MAX_ATTACHMENTS})")
    return mail


def _name(raw: str | None, index: int) -> str:
    name = _SAFE_NAME.sub("_", Path(raw or "").name).strip(" ._")[:120]
    return name or f"piece-jointe-{index}"


def _decoration(content_type: str, size: int, inline: bool) -> bool:
    return content_type.startswith("image/") and inline and size < _DECORATION_BYTES


def _read_eml(raw: bytes) -> Mail:
    message = email.message_from_bytes(raw, policy=default_policy)
    if not isinstance(message, EmailMessage) or not (message["From"] or message["Subject"]):
        raise CorruptInput("courriel illisible : en-têtes absents")
    attachments: list[Attachment] = []
    try:
        parts = list(message.iter_attachments()) if message.is_multipart() else []
        for index, part in enumerate(_flattened(parts), start=1):
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes) or not payload:
                continue
            inline = part.get_content_disposition() != "attachment" or part["Content-ID"] is not None
            if not _decoration(part.get_content_type(), len(payload), inline):
                attachments.append(Attachment(_name(part.get_filename(), index), payload))
        body = message.get_body(preferencelist=("html", "plain"))
        content = str(body.get_content()) if body is not None else ""
    except (LookupError, ValueError, AssertionError) as exc:  # unknown charset, broken MIME structure
        raise CorruptInput(f"courriel illisible ({type(exc).__name__}: {exc})") from exc
    is_html = body is not None and body.get_content_subtype() == "html"
    try:
        sent_at = parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError):
        sent_at = None
    return Mail(str(message["From"] or ""), str(message["To"] or ""), str(message["Cc"] or ""),
                str(message["Date"] or ""), sent_at, str(message["Subject"] or ""),
                content if is_html else None, "" if is_html else content, tuple(attachments))


def _flattened(parts: list[EmailMessage]) -> list[EmailMessage]:
    """Attachments, with those of a multipart attachment (a forwarded part) taken out of it."""
    flat: list[EmailMessage] = []
    for part in parts:
        if part.is_multipart() and part.get_content_type() != "message/rfc822":
            flat += _flattened([p for p in part.iter_parts() if isinstance(p, EmailMessage)])
        else:
            flat.append(part)
    return flat


def _read_msg(path: Path) -> Mail:
    import extract_msg  # loaded only for Outlook files: it pulls in several libraries

    try:
        message = extract_msg.openMsg(str(path), delayAttachments=False)
    except Exception as exc:  # noqa: BLE001 - extract-msg raises many types on a broken file
        raise CorruptInput(f"courriel Outlook illisible ({type(exc).__name__}: {str(exc)[:200]})") from exc
    if not isinstance(message, extract_msg.msg_classes.MessageBase):
        message.close()
        raise UnsupportedFormat("élément Outlook d'un type inconnu : ni courriel, ni rendez-vous, ni contact")
    try:
        attachments: list[Attachment] = []
        for index, item in enumerate(getattr(message, "attachments", []), start=1):
            data = item.data
            if not isinstance(data, bytes) or not data:
                continue
            content_type = (getattr(item, "mimetype", None) or "").lower() or _image_type(data)
            inline = bool(getattr(item, "contentId", None)) or bool(getattr(item, "hidden", False))
            if not _decoration(content_type, len(data), inline):
                attachments.append(Attachment(_name(item.longFilename or item.shortFilename, index), data))
        sent_at = message.date if isinstance(message.date, datetime) else None
        return Mail(str(message.sender or ""), str(message.to or ""), str(message.cc or ""),
                    sent_at.strftime("%d/%m/%Y %H:%M") if sent_at else "", sent_at, str(message.subject or ""),
                    message.htmlBody if _has_html(message) else None, str(message.body or ""), tuple(attachments))
    finally:
        message.close()


def _has_html(message: object) -> bool:
    try:
        return bool(message.htmlBody)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - extract-msg decodes the body lazily and may fail on a broken one
        return False


def _image_type(data: bytes) -> str:
    """The media type of an attachment whose type Outlook did not record, if it is an image."""
    try:
        found = sniff.sniff_bytes(data[:sniff.HEAD_BYTES])
    except OcrError:
        return ""
    return found if found.startswith("image/") else ""
