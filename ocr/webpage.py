"""Text files, web pages and e-mail bodies made into one safe HTML page for LibreOffice to print.

Whatever arrives is cleaned by lxml's ``Cleaner`` first: no script, no style, no frame, no
embedded object, no link to a style sheet, and no image but those carried in the page itself
(``data:`` URIs): printing a received page must never fetch anything from the network (a
tracking pixel tells the sender the mail was read) nor run anything.
"""

from __future__ import annotations

import html
import re

import lxml.html
from lxml import etree
from lxml_html_clean import Cleaner

_CLEANER = Cleaner(scripts=True, javascript=True, comments=True, style=True, inline_style=True, links=True,
                   meta=True, page_structure=True, processing_instructions=True, embedded=True, frames=True,
                   forms=True, annoying_tags=True, remove_unknown_tags=True, safe_attrs_only=True)


def decode_text(raw: bytes) -> str:
    """A text file's characters: its byte order mark if any, else UTF-8, else Windows-1252 (what
    French text that is not UTF-8 almost always is)."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if raw.startswith(bom):
            return raw.decode(encoding, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def text_as_html(text: str) -> str:
    """Plain text as paragraphs, one per line, blank lines kept."""
    return "".join(f"<p>{html.escape(line) or '&#160;'}</p>\n" for line in text.replace("\r\n", "\n").split("\n"))


def cleaned_body(raw: bytes | str) -> str:
    """The inside of a received page's ``<body>``, cleaned (see the module's docstring)."""
    if isinstance(raw, bytes):
        raw = _decode_html(raw)
    if not raw.strip():
        return ""
    try:
        document = lxml.html.document_fromstring(raw)
    except (etree.ParserError, ValueError):
        return text_as_html(re.sub(r"<[^>]+>", " ", raw))
    for image in list(document.iter("img")):
        if not (image.get("src") or "").startswith("data:image/") and image.getparent() is not None:
            image.drop_tree()
    cleaned = _CLEANER.clean_html(document)
    body = cleaned.find(".//body")
    holder = body if body is not None else cleaned
    return html.escape(holder.text or "") + "".join(lxml.html.tostring(child, encoding="unicode") for child in holder)


def _decode_html(raw: bytes) -> str:
    """By the charset the page declares, else as a text file."""
    declared = re.search(rb"charset=[\"']?([\w-]+)", raw[:4096], re.IGNORECASE)
    if declared:
        try:
            return raw.decode(declared.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return decode_text(raw)


def page(title: str, body: str, *, header: tuple[tuple[str, str], ...] = ()) -> bytes:
    """A whole HTML page in UTF-8: ``header`` as a table of labelled lines above ``body``."""
    rows = "".join(f"<tr><th scope=\"row\" align=\"left\">{html.escape(label)}</th><td>{html.escape(value)}</td></tr>"
                   for label, value in header if value)
    table = f"<table cellpadding=\"3\">{rows}</table><hr/>" if rows else ""
    return (f"<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"</head><body>{table}{body}</body></html>").encode()
