"""Transfers (versements) of records whose sort final is C to the definitive archives, as SEDA 2.2 packages.

The package is a zip: ``manifest.xml`` (an ArchiveTransfer valid against the official schemas)
and, per record, the original as received and the signed PDF/A copy, each described with its
SHA-512. The records wait as ``en_versement`` until the ArchiveTransferReply arrives.
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from archivage import profiles, seda
from ocr import sniff

from .. import integrity, journal
from ..blobs import BlobDamaged
from ..context import Context
from ..db.models import ArchiveRecord, Document, DocumentState, FileRole, StoredFile, Transfer
from ..db.scanning import ScanBatch
from ..errors import Damaged, InvalidValue, NotConfigured, NotFound
from ..states import ArchiveStatus, TransferStatus
from .retention import releasable, unit_id

ACCEPTED = ("OK", "000")


@dataclass(frozen=True)
class Sent:
    number: str
    units: list[str]
    skipped_on_hold: list[int]
    path: Path


def _units(ctx: Context, records: list[ArchiveRecord]) -> tuple[list[seda.TransferUnit], list[tuple[str, str]]]:
    """The manifest's units and the (package path, blob) pairs of their files; the attestation of
    digitisation of a scanned record's batch is a unit of its own, referred to by the record's."""
    units: list[seda.TransferUnit] = []
    members: list[tuple[str, str]] = []
    attestations: dict[str, seda.TransferUnit] = {}
    with ctx.db.session() as session:
        for record in records:
            document = session.get_one(Document, record.document_id, options=[selectinload(Document.files)])
            identifier = unit_id(document.id)
            extension = sniff.EXTENSIONS.get(document.media_type or "", "bin")
            files = []
            for role, version, name in ((FileRole.ORIGINAL, "BinaryMaster_1", f"original.{extension}"),
                                        (FileRole.SIGNED, "Dissemination_1", "copie-signee.pdf")):
                stored = document.file(role)
                if stored is None:
                    continue
                uri = f"content/{identifier}/{name}"
                key = "original" if role == FileRole.ORIGINAL else "signed"
                files.append(seda.TransferFile(uri, version, record.fingerprints[key]["sha512"], stored.size,
                                               document.media_type or "application/octet-stream"
                                               if role == FileRole.ORIGINAL else "application/pdf",
                                               document.filename if role == FileRole.ORIGINAL else name))
                members.append((uri, stored.sha256))
            references: tuple[str, ...] = ()
            if (attested := document.file(FileRole.ATTESTATION)) is not None:
                if attested.sha256 not in attestations:
                    attestations[attested.sha256] = _attestation_unit(ctx, session, attested, record, document)
                    members.append((attestations[attested.sha256].files[0].uri, attested.sha256))
                references = (attestations[attested.sha256].identifier,)
            described = record.description
            label = ctx.settings.types[document.doc_type].label if document.doc_type in ctx.settings.types else "?"
            title = f"{label} — {described.get('request') or document.filename}"
            units.append(seda.TransferUnit(
                identifier, title, f"Reçu le {document.received_at:%d/%m/%Y}, service {document.service or '?'}",
                document.doc_type or "autre", document.received_at.date(), document.received_at.date(), tuple(files),
                record.family, record.start_on, references))
    return units + list(attestations.values()), members


def _attestation_unit(ctx: Context, session: Session, attested: StoredFile, record: ArchiveRecord,
                      document: Document) -> seda.TransferUnit:
    """The batch's PDF/A attestation, kept under the rule of the first record that brought it."""
    batch = session.scalar(select(ScanBatch).where(ScanBatch.attestation_sha256 == attested.sha256))
    number = batch.id if batch is not None else attested.sha256[:12]
    identifier = f"ATT-{number}"
    digest = hashlib.sha512()
    with ctx.blobs.path_for(attested.sha256).open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    uri = f"content/{identifier}/attestation-numerisation.pdf"
    taken = batch.taken_at.date() if batch is not None else document.received_at.date()
    return seda.TransferUnit(
        identifier, f"Attestation de numérisation — lot n° {number}",
        f"Copie fidèle (NF Z42-026) : paramètres, opérateur ({batch.operator if batch else '?'}), empreintes et "
        "horodatage du lot de numérisation", "Attestation de numérisation", taken, taken,
        (seda.TransferFile(uri, "BinaryMaster_1", digest.hexdigest(), attested.size, "application/pdf",
                           "attestation-numerisation.pdf"),), record.family, record.start_on)


def _refuse_damaged(ctx: Context, members: list[tuple[str, str]], *, actor: str) -> None:
    """Every file of the package checked before a byte is written; each damaged one journaled."""
    damaged = [(uri, BlobDamaged(sha256, problem)) for uri, sha256 in members
               if (problem := ctx.blobs.check(sha256)) is not None]
    for _, error in damaged:
        integrity.record_incident(ctx, error, during="préparation d'un versement", actor=actor)
    if damaged:
        listed = "; ".join(f"{uri} {error.problem}" for uri, error in damaged)
        raise Damaged(f"versement refusé, {len(damaged)} fichier(s) endommagé(s) : {listed} ; incident journalisé, "
                      "lancez ged audit fixity")


def _refuse_invalid(ctx: Context, number: str, manifest: bytes, profile: Path | None, *, actor: str) -> None:
    """The manifest against the SEDA schema and the Archives' profile, before anything leaves: a
    refused transfer is journaled with every problem, each naming its record."""
    problems = [f"schéma SEDA 2.2 : {error}" for error in seda.validate(manifest)]
    if profile is not None:
        try:
            problems += [f"profil {profile.name} : {error}" for error in profiles.validate(manifest, profile)]
        except profiles.ProfileUnreadable as exc:
            raise NotConfigured(f"[archive] profile : {exc}") from exc
    if not problems:
        return
    with ctx.db.session() as session:
        journal.append(session, "archive.transfer_refused", at=ctx.clock(), actor=actor,
                       payload={"transfer": number, "problems": problems[:200]})
    shown = "\n  ".join(problems[:20]) + (f"\n  … et {len(problems) - 20} autre(s)" if len(problems) > 20 else "")
    raise InvalidValue(f"versement {number} refusé avant envoi ({len(problems)} problème(s)) :\n  {shown}")


def send(ctx: Context, destination: Path, *, actor: str, include_triage: bool = False) -> Sent:
    """Package every due record to keep (C, and T with ``include_triage``) that is not held."""
    today = ctx.clock().date()
    finals = ("C", "T") if include_triage else ("C",)
    with ctx.db.session() as session:
        records, frozen = releasable(session, finals, today)
        for record in records:
            session.expunge(record)
        count = session.scalar(select(func.count(Transfer.id))) or 0
    if not records:
        raise NotFound("aucune archive à verser (DUA échue, sort final C, sans gel)")
    now = ctx.clock()
    number = f"VERS-{now.year}-{count + 1:04d}"
    units, members = _units(ctx, records)
    _refuse_damaged(ctx, members, actor=actor)
    settings = ctx.settings.archive
    profile = ctx.settings.resolve(settings.profile) if settings.profile else None
    try:
        profile_id = (settings.profile_identifier or profiles.identifier(profile)) if profile else None
    except profiles.ProfileUnreadable as exc:
        raise NotConfigured(f"[archive] profile : {exc}") from exc
    manifest = seda.archive_transfer(
        identifier=number, at=now, comment=f"Versement {number} de {ctx.settings.commune.name}", units=units,
        archival_agency=seda.Party(settings.archival_agency),
        transferring_agency=seda.Party(ctx.settings.commune.identifier),
        originating_agency=seda.Party(ctx.settings.commune.identifier),
        archival_agreement=settings.archival_agreement,
        archival_profile=profile_id)
    _refuse_invalid(ctx, number, manifest, profile, actor=actor)
    with (tempfile.TemporaryDirectory(prefix="ged-versement-") as folder,
          integrity.guarded(ctx, during=f"versement {number}", actor=actor)):
        package = Path(folder) / f"{number}.zip"
        with zipfile.ZipFile(package, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.xml", manifest)
            for uri, sha256 in members:
                archive.write(ctx.blobs.verified_path(sha256), uri)
        stored = ctx.blobs.put(package)
    ctx.blobs.copy_out(stored.sha256, destination)  # whole or not at all: never a partial package
    with ctx.db.session() as session:
        transfer = Transfer(number=number, status=TransferStatus.SENT, created_by=actor, created_at=now,
                            package_sha256=stored.sha256)
        transfer.records = [session.get_one(ArchiveRecord, r.id) for r in records]
        for record in transfer.records:
            record.status = ArchiveStatus.TRANSFERRING
        session.add(transfer)
        journal.append(session, "archive.transfer_sent", at=now, actor=actor, payload={
            "transfer": number, "units": [u.identifier for u in units], "package_sha256": stored.sha256,
            "skipped_on_hold": sorted(frozen)})
    return Sent(number, [u.identifier for u in units], sorted(frozen), destination)


def receive_reply(ctx: Context, reply: Path, *, actor: str) -> tuple[str, bool]:
    """Apply an ArchiveTransferReply: accepted records become ``versee``, refused ones go back to the archive."""
    data = reply.read_bytes()
    errors = seda.validate(data)
    if errors:
        raise InvalidValue(f"réponse SEDA invalide : {errors[0]}")
    tag, code, request = seda.reply_code(data)
    if tag != "ArchiveTransferReply" or not request:
        raise InvalidValue(f"message {tag} : une ArchiveTransferReply était attendue")
    accepted = (code or "").upper() in ACCEPTED
    with ctx.db.session() as session:
        transfer = session.scalar(select(Transfer).options(selectinload(Transfer.records))
                                  .where(Transfer.number == request))
        if transfer is None:
            raise NotFound(f"versement {request} introuvable")
        if transfer.status != TransferStatus.SENT:
            raise InvalidValue(f"le versement {request} a déjà reçu sa réponse ({transfer.status})")
        transfer.status = TransferStatus.ACCEPTED if accepted else TransferStatus.REFUSED
        transfer.reply_code, transfer.reply_at = code, ctx.clock()
        for record in transfer.records:
            record.status = ArchiveStatus.TRANSFERRED if accepted else ArchiveStatus.ARCHIVED
            if accepted:
                session.get_one(Document, record.document_id).state = DocumentState.TRANSFERRED
        journal.append(session, "archive.transfer_reply", at=ctx.clock(), actor=actor, payload={
            "transfer": request, "code": code, "accepted": accepted,
            "units": [unit_id(r.document_id) for r in transfer.records]})
    return request, accepted
