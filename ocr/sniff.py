"""File types recognised by their content, never by their name.

Scans (PDF, TIFF, PNG, JPEG) are read as they are. The other formats a mairie receives are
read through a rendition (``renditions``): office documents, e-mails, text and web pages,
and phone photos (HEIC, WebP). Containers (ZIP, OLE) are told apart by what they hold: a
``.docx`` renamed ``.pdf`` is still a Word document.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from .errors import EmptyInput, EncryptedInput, UnsupportedFormat

PDF = "application/pdf"
TIFF = "image/tiff"
PNG = "image/png"
JPEG = "image/jpeg"
WEBP = "image/webp"
HEIC = "image/heic"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
PPT = "application/vnd.ms-powerpoint"
RTF = "application/rtf"
EML = "message/rfc822"
MSG = "application/vnd.ms-outlook"
TEXT = "text/plain"
HTML = "text/html"

EXTENSIONS = {PDF: "pdf", TIFF: "tif", PNG: "png", JPEG: "jpg", WEBP: "webp", HEIC: "heic", DOCX: "docx",
              XLSX: "xlsx", PPTX: "pptx", ODT: "odt", ODS: "ods", ODP: "odp", DOC: "doc", XLS: "xls", PPT: "ppt",
              RTF: "rtf", EML: "eml", MSG: "msg", TEXT: "txt", HTML: "html"}
"""The usual file extension of each type (the name a program or an archive expects)."""

SCANS = (PDF, TIFF, PNG, JPEG)
"""Read as they are: pages of a PDF or frames of an image."""
PHOTOS = (HEIC, WEBP)
OFFICE = (DOCX, XLSX, PPTX, ODT, ODS, ODP, DOC, XLS, PPT, RTF)
MAILS = (EML, MSG)
WEB = (TEXT, HTML)
SUPPORTED = SCANS + PHOTOS + OFFICE + MAILS + WEB

ACCEPTED = ("PDF, TIFF, PNG, JPEG, HEIC, WebP, Word, Excel, PowerPoint, OpenDocument, RTF, courriels .eml et .msg, "
            "texte et HTML")
"""How refusals name what is accepted."""

HEAD_BYTES = 8192
"""Enough to see the headers of an e-mail behind a few ``Received:`` lines."""

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
    (b"{\\rtf", RTF),
)
_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1")
# Recognised so that the refusal names what the file is.
_KNOWN_UNSUPPORTED: tuple[tuple[bytes, str], ...] = (
    (b"GIF8", "GIF"),
    (b"BM", "BMP"),
    (b"\x1f\x8b", "archive gzip"),
    (b"7z\xbc\xaf", "archive 7-Zip"),
    (b"Rar!", "archive RAR"),
)
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODF_TYPES = {"application/vnd.oasis.opendocument.text": ODT, "application/vnd.oasis.opendocument.spreadsheet": ODS,
              "application/vnd.oasis.opendocument.presentation": ODP}
_OOXML_PARTS = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))
_FIELD = re.compile(rb"^[\x21-\x39\x3b-\x7e]+:")
"""A header line: a field name (printable, no colon) and a colon (RFC 5322)."""
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)[\s>]", re.IGNORECASE | re.DOTALL)


def _unsupported(label: str) -> UnsupportedFormat:
    return UnsupportedFormat(f"format non pris en charge : {label} (acceptés : {ACCEPTED})")


def sniff_bytes(head: bytes) -> str:
    """Media type of a file from its first bytes (``HEAD_BYTES`` of them for e-mails); containers
    (ZIP, OLE) need the whole file: ``sniff_file``."""
    if not head:
        raise EmptyInput("fichier vide (0 octet)")
    # PDF readers accept the header anywhere in the first 1024 bytes.
    if b"%PDF-" in head[:1024]:
        return PDF
    for magic, media_type in _SIGNATURES:
        if head.startswith(magic):
            return media_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return HEIC
    if head.startswith((_ZIP, _OLE)):
        raise _unsupported("archive ZIP ou document Office illisible sans le fichier entier")
    for magic, label in _KNOWN_UNSUPPORTED:
        if head.startswith(magic):
            raise _unsupported(label)
    return _textual(head)


def _textual(head: bytes) -> str:
    """An e-mail, a web page or plain text; anything else with control bytes is refused."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return TEXT  # UTF-16 with its byte order mark (Windows' Notepad)
    text = head.lstrip(b"\xef\xbb\xbf")
    if _is_mail(text):
        return EML
    if _HTML_START.match(text):
        return HTML
    if b"\x00" in text or sum(byte < 32 and byte not in b"\t\n\r\f" for byte in text) > len(text) // 100:
        raise UnsupportedFormat(f"format non reconnu (acceptés : {ACCEPTED})")
    return TEXT


def _is_mail(head: bytes) -> bool:
    """Header lines up to the first blank line, and among them a sender and a date or subject."""
    names: set[bytes] = set()
    for line in head.split(b"\n")[:200]:
        line = line.rstrip(b"\r")
        if not line:
            break
        if line[:1] in (b" ", b"\t"):
            if not names:
                return False
            continue  # a folded header line
        if not _FIELD.match(line):
            return False
        names.add(line.split(b":", 1)[0].lower())
    return b"from" in names and bool(names & {b"date", b"subject", b"message-id"})


def sniff_file(path: Path) -> str:
    with path.open("rb") as stream:
        head = stream.read(HEAD_BYTES)
    if head.startswith(_ZIP):
        return _zip_kind(path)
    if head.startswith(_OLE):
        return _ole_kind(path)
    return sniff_bytes(head)


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                for family, media_type in _ODF_TYPES.items():  # "-template", "-web" and "-master" variants too
                    if declared.startswith(family):
                        return media_type
            if "[Content_Types].xml" in names:
                for prefix, media_type in _OOXML_PARTS:
                    if any(name.startswith(prefix) for name in names):
                        return media_type
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise _unsupported(f"archive ZIP endommagée ({exc})") from exc
    raise _unsupported("archive ZIP")


def _ole_kind(path: Path) -> str:
    """Word, Excel, PowerPoint 97–2003 or an Outlook message, by the streams the file holds; an
    encrypted OOXML document is an OLE file too (its package encrypted inside)."""
    import olefile  # only for OLE files: most input is not

    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(entry).lower() for entry in ole.listdir(streams=True, storages=True)}
    except OSError as exc:
        raise _unsupported(f"document Office ancien format endommagé ({exc})") from exc
    if "encryptedpackage" in streams:
        raise EncryptedInput("document Office protégé par un mot de passe : enregistrez-le sans mot de passe")
    if "__properties_version1.0" in streams or any(s.startswith("__substg1.0_") for s in streams):
        return MSG
    for stream, media_type in (("worddocument", DOC), ("workbook", XLS), ("book", XLS),
                               ("powerpoint document", PPT)):
        if stream in streams:
            return media_type
    raise _unsupported("fichier OLE (Office ancien format) inconnu")
