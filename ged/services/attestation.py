"""Attestations of digitisation: each batch of scans (a watched folder's pass, an upload) becomes a
fidelity-copy record that the commune can show before destroying the paper (décret 2016-1673,
NF Z42-026).

Per batch: the scanner profile as the files say it (resolution, colour mode, compression), the
operator, every file's fingerprint, a quality control (pages counted, blank pages, pages under the
configured resolution, files not stored), all in a canonical JSON manifest; an RFC 3161 token over
the manifest's SHA-256; then a PDF/A attestation, stored once and attached to each document of the
batch (``FileRole.ATTESTATION``), so it travels with them into archive transfers and is only
destroyed with the last of them. When the timestamp authority cannot be reached the manifest is
kept and the batch waits (``a_horodater``); ``complete_pending`` finishes it later.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

import ocr
from archivage import digitisation
from archivage.signing import SigningError, check_timestamp_token, timestamp_token, token_facts
from ocr import sniff

from .. import journal
from ..context import Context
from ..db.models import Document, FileRole, StoredFile
from ..db.scanning import ScanBatch
from ..errors import GedError, NotFound
from ..ingest import IngestReport, Outcome
from ..signing import tsa_spec, validation_material
from ..states import BatchState


def _profile(ctx: Context, document: Document) -> list[dict[str, Any]]:
    path = ctx.blobs.path_for(document.sha256)
    try:
        pages = ocr.read_profile(path, document.media_type or sniff.sniff_file(path))
    except Exception as exc:  # noqa: BLE001 - a file the reader cannot parse: the manifest says so
        return [{"erreur": f"paramètres illisibles : {str(exc)[:200]}"}]
    threshold = ctx.settings.attestation.blank_ink
    return [{"page": p.page, "dpi": p.dpi, "mode": str(p.mode), "compression": p.compression,
             "pixels": [p.width_px, p.height_px] if p.width_px else None, "blanche": p.blank(threshold)}
            for p in pages]


def _control(files: list[dict[str, Any]], refused: list[str], min_dpi: int) -> dict[str, Any]:
    pages = blank = low = 0
    blank_pages: list[str] = []
    low_pages: list[str] = []
    for entry in files:
        for page in entry["profil"]:
            if "page" not in page:
                continue
            pages += 1
            where = f"n° {entry['document']} p. {page['page']}"
            if page["blanche"]:
                blank += 1
                blank_pages.append(where)
            if page["dpi"] is not None and page["dpi"] < min_dpi:
                low += 1
                low_pages.append(where)
    return {"pages": pages, "pages_blanches": blank_pages, "pages_sous_resolution": low_pages,
            "resolution_minimale_dpi": min_dpi, "non_enregistres": refused}


def canonical(manifest: dict[str, Any]) -> bytes:
    """The bytes the timestamp covers: sorted keys, no spaces, UTF-8 (any reader can recompute them)."""
    return json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def record_batch(ctx: Context, reports: Sequence[IngestReport], *, origin: str, operator: str,
                 actor: str) -> int | None:
    """The batch's manifest and, when the authority answers, its timestamp and attestation; None when
    attestations are off or the batch holds nothing."""
    settings = ctx.settings.attestation
    if not settings.enabled or not reports:
        return None
    stored = [r.document_id for r in reports if r.document_id is not None
              and r.outcome not in (Outcome.DUPLICATE, Outcome.QUARANTINED)]
    refused = [f"{Path(r.source).name} ({r.reason or r.outcome})" for r in reports
               if r.document_id is None or r.outcome in (Outcome.DUPLICATE, Outcome.QUARANTINED)]
    files = []
    with ctx.db.session() as session:
        for document in session.scalars(select(Document).where(Document.id.in_(stored)).order_by(Document.id)):
            files.append({"document": document.id, "fichier": document.filename, "sha256": document.sha256,
                          "octets": document.size, "profil": _profile(ctx, document)})
    now = ctx.clock()
    manifest = {"commune": ctx.settings.commune.name, "origine": origin, "operateur": operator,
                "depose_le": now.isoformat(timespec="seconds") + "Z", "fichiers": files,
                "controle": _control(files, refused, settings.min_resolution_dpi)}
    with ctx.db.session() as session:
        batch = ScanBatch(origin=origin[:500], operator=operator[:200], taken_at=now, manifest=manifest,
                          manifest_sha256=hashlib.sha256(canonical(manifest)).hexdigest(),
                          state=BatchState.TIMESTAMP_PENDING)
        session.add(batch)
        session.flush()
        batch_id = batch.id
        journal.append(session, "scan.batch_recorded", at=now, actor=actor,
                       payload={"batch": batch_id, "origin": origin, "operator": operator,
                                "documents": stored, "manifest_sha256": batch.manifest_sha256})
    _attest(ctx, batch_id, actor=actor)
    return batch_id


def complete_pending(ctx: Context, *, actor: str) -> list[int]:
    """Timestamp and attest the batches the authority could not stamp before; the ones done now."""
    with ctx.db.session() as session:
        pending = list(session.scalars(select(ScanBatch.id).where(
            ScanBatch.state == BatchState.TIMESTAMP_PENDING).order_by(ScanBatch.id)))
    return [batch_id for batch_id in pending if _attest(ctx, batch_id, actor=actor)]


def _attest(ctx: Context, batch_id: int, *, actor: str) -> bool:
    with ctx.db.session() as session:
        batch = session.get_one(ScanBatch, batch_id)
        digest = bytes.fromhex(batch.manifest_sha256)
    try:
        token = timestamp_token(digest, tsa_spec(ctx.settings))
    except (SigningError, GedError) as exc:
        with ctx.db.session() as session:
            session.get_one(ScanBatch, batch_id).problem = str(exc)[:2000]
        return False
    stamped_at, authority = token_facts(token)
    with ctx.db.session() as session:
        described = _attestation(session.get_one(ScanBatch, batch_id), stamped_at, authority)
    # Typeset outside any transaction: the database is not held while the PDF/A is made.
    with tempfile.TemporaryDirectory(prefix="ged-attestation-") as work:
        target = Path(work) / "attestation.pdf"
        ocr.generated_pdfa(digitisation.attestation_pdf(described), target)
        attestation = ctx.blobs.put_bytes(target.read_bytes())
    with ctx.db.session() as session:
        batch = session.get_one(ScanBatch, batch_id)
        batch.timestamp_token, batch.timestamped_at, batch.tsa = token, stamped_at, authority[:500]
        batch.attestation_sha256, batch.state, batch.problem = attestation.sha256, BatchState.ATTESTED, None
        for entry in batch.manifest["fichiers"]:
            session.add(StoredFile(document_id=entry["document"], role=FileRole.ATTESTATION,
                                   sha256=attestation.sha256, size=attestation.size, media_type="application/pdf",
                                   created_at=ctx.clock()))
        journal.append(session, "scan.attested", at=ctx.clock(), actor=actor,
                       payload={"batch": batch_id, "manifest_sha256": batch.manifest_sha256,
                                "timestamped_at": stamped_at.isoformat() + "Z", "tsa": authority,
                                "attestation_sha256": attestation.sha256})
    return True


def profile_text(profile: list[dict[str, Any]]) -> str:
    """``300 dpi, niveaux de gris, JPEG``: each distinct setting of the file's pages once."""
    if not profile or "page" not in profile[0]:
        return profile[0].get("erreur", "—") if profile else "—"
    kinds = sorted({(p["dpi"], p["mode"], p["compression"]) for p in profile}, key=str)
    return "; ".join(f"{f'{dpi} dpi, ' if dpi else ''}{mode}{f', {compression}' if compression else ''}"
                     for dpi, mode, compression in kinds)


def _attestation(batch: ScanBatch, stamped_at: datetime, authority: str) -> digitisation.ScanAttestation:
    manifest, control = batch.manifest, batch.manifest["controle"]
    return digitisation.ScanAttestation(
        commune=manifest["commune"], batch=batch.id, origin=batch.origin, operator=batch.operator,
        taken_at=batch.taken_at, manifest_sha256=batch.manifest_sha256, timestamped_at=stamped_at, tsa=authority,
        files=[digitisation.FileLine(f"n° {f['document']} — {f['fichier']}", len(f["profil"]),
                                     profile_text(f["profil"]), f["sha256"]) for f in manifest["fichiers"]],
        control=digitisation.Control(control["pages"], control["pages_blanches"], control["pages_sous_resolution"],
                                     control["resolution_minimale_dpi"], control["non_enregistres"]))


@dataclass(frozen=True)
class BatchView:
    id: int
    origin: str
    operator: str
    taken_at: datetime
    state: BatchState
    manifest_sha256: str
    timestamped_at: datetime | None
    tsa: str | None
    problem: str | None
    attestation_sha256: str | None
    manifest: dict[str, Any]
    checks: list[str]
    """What was verified now, in French: the manifest against its fingerprint, the token, each file."""

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["taken_at"] = self.taken_at.isoformat(timespec="seconds") + "Z"
        data["timestamped_at"] = self.timestamped_at.isoformat(timespec="seconds") + "Z" if self.timestamped_at \
            else None
        return data

    @property
    def ok(self) -> bool:
        return self.state == BatchState.ATTESTED and not any(c.startswith("ÉCHEC") for c in self.checks)


def _checks(ctx: Context, batch: ScanBatch) -> list[str]:
    checks = []
    digest = hashlib.sha256(canonical(batch.manifest)).hexdigest()
    checks.append("manifeste intact" if digest == batch.manifest_sha256 else
                  "ÉCHEC : le manifeste enregistré ne correspond plus à son empreinte")
    if batch.timestamp_token is not None:
        try:
            check = check_timestamp_token(batch.timestamp_token, bytes.fromhex(batch.manifest_sha256),
                                          validation_material(ctx.settings))
            checks.append(f"jeton d'horodatage valide ({check.authority})" if check.ok else
                          f"ÉCHEC : jeton d'horodatage non valide ({check.authority})")
        except GedError as exc:
            checks.append(f"jeton d'horodatage non vérifié : {exc}")
    damaged = [f"ÉCHEC : document n° {entry['document']} {problem}" for entry in batch.manifest["fichiers"]
               if (problem := ctx.blobs.check(entry["sha256"])) is not None]
    if batch.attestation_sha256 and (problem := ctx.blobs.check(batch.attestation_sha256)) is not None:
        damaged.append(f"ÉCHEC : attestation {problem}")
    return checks + (damaged or [f"{len(batch.manifest['fichiers'])} fichier(s) intact(s)"])


def show(ctx: Context, batch_id: int) -> BatchView:
    """The batch, and its checks made now (after the transaction: hashing every file holds no lock)."""
    with ctx.db.session() as session:
        batch = session.get(ScanBatch, batch_id)
        if batch is None:
            raise NotFound(f"lot de numérisation {batch_id} introuvable")
        session.expunge(batch)
    return BatchView(batch.id, batch.origin, batch.operator, batch.taken_at, BatchState(batch.state),
                     batch.manifest_sha256, batch.timestamped_at, batch.tsa, batch.problem,
                     batch.attestation_sha256, batch.manifest, _checks(ctx, batch))


def list_batches(ctx: Context, *, limit: int = 50) -> list[dict[str, Any]]:
    with ctx.db.session() as session:
        rows = session.scalars(select(ScanBatch).order_by(ScanBatch.id.desc()).limit(limit))
        return [{"lot": b.id, "depose_le": b.taken_at.isoformat(timespec="seconds") + "Z", "origine": b.origin,
                 "operateur": b.operator, "etat": b.state, "fichiers": len(b.manifest["fichiers"]),
                 "pages": b.manifest["controle"]["pages"]} for b in rows]


def attestation_file(ctx: Context, batch_id: int) -> Path:
    """The PDF/A attestation in the store, its bytes checked."""
    view = show(ctx, batch_id)
    if view.attestation_sha256 is None:
        raise NotFound(f"le lot {batch_id} n'est pas encore horodaté : pas d'attestation ({view.problem or '—'})")
    return ctx.blobs.verified_path(view.attestation_sha256)
