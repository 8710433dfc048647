"""Files an agent uploads (the web page's drop zone, the API): the same ingest path as a watched
folder's, with the uploader as the actor and the service they chose.

The file is written to a private temporary folder under the name it was sent with (its last
component only, so that a name cannot climb out of the folder), ingested, and the folder removed:
the store keeps the bytes, nothing else stays on disk. An agent uploads only into one of their
own services; an upload whose service is left to the typing could land where its uploader cannot
see it, so an agent of a single service gets that service.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from ..context import Context
from ..errors import InvalidValue
from ..ingest import IngestReport, IngestService, IntakeHints
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


@contextmanager
def _received(name: str, stream: BinaryIO, limit: int) -> Iterator[Path]:
    """The upload as a file of its own, in a folder removed afterwards; refused past ``limit`` bytes
    while it is being written (a client can announce any size)."""
    folder = Path(tempfile.mkdtemp(prefix="ged-televersement-"))
    try:
        path = folder / safe_name(name)
        written = 0
        with path.open("wb") as out:
            while chunk := stream.read(1 << 20):
                written += len(chunk)
                if written > limit:
                    raise InvalidValue(f"fichier trop volumineux (plus de {limit / 1e6:.0f} Mo)")
                out.write(chunk)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def upload(ctx: Context, name: str, stream: BinaryIO, *, uploader: Principal, service: str | None = None,
           doc_type: str | None = None) -> list[IngestReport]:
    """Ingest one uploaded file; one report per document it became (an e-mail: the message and each
    attachment), its ``source`` being the name it was sent with."""
    if doc_type is not None and doc_type not in ctx.settings.types:
        raise InvalidValue(f"type inconnu : {doc_type}")
    hints = IntakeHints(service=_service_for(ctx, uploader, service), doc_type=doc_type,
                        channel=f"televersement:{uploader.actor}")
    with _received(name, stream, ctx.settings.limits.max_file_bytes) as path:
        reports = IngestService(ctx, actor=uploader.actor).ingest([path], hints_for=lambda _path: hints)
    for report in reports:
        report.source = name
    attestation.record_batch(ctx, reports, origin=f"televersement:{uploader.login}",
                             operator=f"{uploader.name} ({uploader.login})", actor=uploader.actor)
    return reports
