"""File types recognised by their first bytes, never by their name."""

from __future__ import annotations

from pathlib import Path

from .errors import EmptyInput, UnsupportedFormat

PDF = "application/pdf"
TIFF = "image/tiff"
PNG = "image/png"
JPEG = "image/jpeg"
SUPPORTED = (PDF, TIFF, PNG, JPEG)

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
)
# Recognised so that the refusal names what the file is.
_KNOWN_UNSUPPORTED: tuple[tuple[bytes, str], ...] = (
    (b"GIF8", "GIF"),
    (b"BM", "BMP"),
    (b"PK\x03\x04", "archive ZIP ou document bureautique (DOCX, ODT…)"),
    (b"\xd0\xcf\x11\xe0", "document Microsoft Office ancien format"),
    (b"{\\rtf", "RTF"),
    (b"\x1f\x8b", "archive gzip"),
    (b"7z\xbc\xaf", "archive 7-Zip"),
    (b"Rar!", "archive RAR"),
)


def sniff_bytes(head: bytes) -> str:
    """Media type of a file from its first kilobyte."""
    if not head:
        raise EmptyInput("fichier vide (0 octet)")
    # PDF readers accept the header anywhere in the first 1024 bytes.
    if b"%PDF-" in head[:1024]:
        return PDF
    for magic, media_type in _SIGNATURES:
        if head.startswith(magic):
            return media_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        raise UnsupportedFormat("format non pris en charge : image WebP (acceptés : PDF, TIFF, PNG, JPEG)")
    for magic, label in _KNOWN_UNSUPPORTED:
        if head.startswith(magic):
            raise UnsupportedFormat(f"format non pris en charge : {label} (acceptés : PDF, TIFF, PNG, JPEG)")
    raise UnsupportedFormat("format non reconnu (acceptés : PDF, TIFF, PNG, JPEG)")


def sniff_file(path: Path) -> str:
    with path.open("rb") as stream:
        return sniff_bytes(stream.read(1024))
