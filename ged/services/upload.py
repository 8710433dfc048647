"""Files an agent uploads (the web page's drop zone, the API): the same ingest path as a watched
folder's, with the uploader as the actor and the service they chose.

The file is written to a private temporary folder under the name it was sent with (its last
component only, so that a name cannot climb out of the folder), ingested, and the folder removed:
the store keeps the bytes, nothing else stays on disk. The files of one upload (the web page's
drop zone takes several) are ingested together and attested as one batch. An agent uploads only
into one of their own services; an upload whose service is left to the typing could land where
its uploader cannot see it, so an agent of a single service gets that service.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..context import Context
from ..errors import InvalidValue
from ..ingest import IngestReport, IngestService, IntakeHints, Outcome
from . import attestation
from .accounts import Principal

_UNSAFE = re.compile(r"[^\w.\- ()]+")


def safe_name(name: str) -> str:
    """The file name as sent, reduced to its last component and to harmless characters."""
    base = _UNSAFE.sub("_", Path(name.replace("\\", "/")).name).strip(" ._")[:150]
    return base or "fichier"


def _service_for(ctx: Context, uploader: Principal, service: str | None) -> str | None:
    if service is not None and service not in ctx.settings.services:
        raise InvalidValue(f"service inconnu : {service}")
    allowed = uploader.allowed_services
    if allowed is None:
        return service
    if service is None and len(allowed) == 1:
        return next(iter(allowed))
    if service is None or service not in allowed:
        raise InvalidValue("choisissez un de vos services pour ce dépôt")
    return service


@dataclass(frozen=True)
class Sent:
    """A file as the browser or the API client sent it: its name as given, its bytes."""

    name: str
    stream: BinaryIO


@contextmanager
def _received(files: Sequence[Sent], limit: int) -> Iterator[list[Path | IngestReport]]:
    """Each upload as a file of its own (a folder each, so that two files sent under one name stay
    two), removed afterwards; or its refusal, when it runs past ``limit`` bytes while it is written
    (a client can announce any size)."""
    folder = Path(tempfile.mkdtemp(prefix="ged-televersement-"))
    try:
        received: list[Path | IngestReport] = []
        for index, sent in enumerate(files):
            path = folder / str(index) / safe_name(sent.name)
            path.parent.mkdir()
            received.append(_write(sent, path, limit))
        yield received
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _write(sent: Sent, path: Path, limit: int) -> Path | IngestReport:
    written = 0
    with path.open("wb") as out:
        while chunk := sent.stream.read(1 << 20):
            written += len(chunk)
            if written > limit:
                return IngestReport(sent.name, Outcome.REFUSED, reason_code="too_large",
                                    reason=f"fichier trop volumineux (plus de {limit / 1e6:.1f} Mo)".replace(".", ","))
            out.write(chunk)
    return path


def upload(ctx: Context, files: Sequence[Sent], *, uploader: Principal, service: str | None = None,
           doc_type: str | None = None) -> list[IngestReport]:
    """Ingest the files of one upload together, as a scan batch is: one run of the OCR workers and
    one attestation for the lot. One report per document each file became (an e-mail: the message
    and each attachment), in the order sent, its ``source`` the name the file was sent with; a
    file past the size limit is refused, the others go on."""
    if doc_type is not None and doc_type not in ctx.settings.types:
        raise InvalidValue(f"type inconnu : {doc_type}")
    hints = IntakeHints(service=_service_for(ctx, uploader, service), doc_type=doc_type,
                        channel=f"televersement:{uploader.actor}")
    with _received(files, ctx.settings.limits.max_file_bytes) as received:
        paths = [item for item in received if isinstance(item, Path)]
        ingested = IngestService(ctx, actor=uploader.actor).ingest(paths, hints_for=lambda _path: hints)
    by_source: dict[str, list[IngestReport]] = {}
    for report in ingested:
        by_source.setdefault(report.source, []).append(report)
    reports: list[IngestReport] = []
    for sent, item in zip(files, received, strict=True):
        for report in by_source.get(str(item), []) if isinstance(item, Path) else [item]:
            report.source = sent.name
            reports.append(report)
    attestation.record_batch(ctx, reports, origin=f"televersement:{uploader.login}",
                             operator=f"{uploader.name} ({uploader.login})", actor=uploader.actor)
    return reports
