"""One received file that is several documents: a batch scan with separator sheets (one
document per segment), an e-mail with attachments (the message, and each attachment).

Only multi-page PDF and TIFF files are looked at for separators, and e-mail files for
attachments; anything that cannot be read here is left to the normal path, where inspection
gives the reason to refuse it.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ocr import OcrError, sniff

if TYPE_CHECKING:
    from ocr.mail import Mail
    from ocr.separators import Segment, Separator


@dataclass(frozen=True)
class FoundBatch:
    media_type: str
    page_count: int
    separators: dict[int, Separator]


def media_type(path: Path) -> str | None:
    """What the received file is, for telling batches and e-mails apart; None when it cannot be
    told here (inspection, in a worker, gives the reason to refuse it)."""
    try:
        return sniff.sniff_file(path)
    except OcrError:
        return None


def find_separators(path: Path, media_type: str | None) -> FoundBatch | None:
    """The separator sheets of a multi-page scan, or None (nothing to split)."""
    if media_type not in (sniff.PDF, sniff.TIFF):
        return None
    from ocr import raster

    try:
        if raster.page_count(path, media_type) < 2:  # one-page letters: no barcode library loaded
            return None
        from ocr import separators

        batch = separators.scan(path, media_type)
    except Exception:  # noqa: BLE001 - unreadable here means: let inspection say why
        return None
    if not batch.separators or len(batch.separators) == batch.page_count:
        return None
    return FoundBatch(media_type, batch.page_count, batch.separators)


def find_mail(path: Path, media_type: str | None) -> Mail | None:
    """The e-mail in ``path`` (.eml, .msg) if it carries attachments; None for any other file."""
    if media_type not in sniff.MAILS:
        return None
    from ocr import mail

    try:
        found = mail.read(path, media_type)
    except OcrError:
        return None  # the message, read as a document, is refused with the reason
    return found if found.attachments else None


@contextmanager
def attachments(found: Mail) -> Iterator[list[tuple[str, Path]]]:
    """Each attachment's name and a file holding it, in a folder removed afterwards."""
    work = Path(tempfile.mkdtemp(prefix="ged-courriel-"))
    try:
        files = []
        for index, attachment in enumerate(found.attachments, start=1):
            path = work / f"{index:03d}"
            path.write_bytes(attachment.data)
            files.append((attachment.filename, path))
        yield files
    finally:
        shutil.rmtree(work, ignore_errors=True)


@contextmanager
def segments(stored: Path, found: FoundBatch, name: str) -> Iterator[list[Segment]]:
    """The segment files of a stored batch (named after ``name``), in a folder removed afterwards."""
    from ocr import separators

    work = Path(tempfile.mkdtemp(prefix="ged-lot-"))
    try:
        batch = separators.Batch(found.separators, found.page_count)
        yield separators.split(stored, found.media_type, batch, work, stem=name)
    finally:
        shutil.rmtree(work, ignore_errors=True)


_CODE = re.compile(r"^[a-z0-9_-]{1,50}$")


def print_separator(destination: Path, *, doc_type: str | None, service: str | None) -> Path:
    """Write a printable separator sheet; its QR code carries the type and service given."""
    for label, value in (("type", doc_type), ("service", service)):
        if value is not None and not _CODE.match(value):
            raise ValueError(f"{label} invalide : « {value} » (lettres minuscules, chiffres, _ ou -)")
    from ocr import separators

    destination.write_bytes(separators.render_sheet(doc_type, service))
    return destination
