"""The period's audit report: the journal's state and seals, fixity checks, incidents, eliminations, transfers.

Every figure comes from the journal (verified first) and the seal log, not from mutable
tables: the report says what can be proved. The PDF/A's fingerprint is journaled, so a
report handed to the Archives can itself be checked later.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

import ocr
from archivage.audit_report import AuditReport, ReportSection, audit_report_pdf

from .. import integrity, journal
from ..blobs import write_whole
from ..context import Context
from ..db.models import Event
from ..errors import InvalidValue, Unavailable

_KINDS = ("journal.sealed", "blobs.audited", "archive.audited", "blob.incident", "retention.approved",
          "retention.eliminated", "archive.transfer_sent", "archive.transfer_reply")


@dataclass(frozen=True)
class Written:
    path: Path
    sha256: str
    ok: bool


def _day(at: datetime) -> str:
    return f"{at:%d/%m/%Y %H:%M}"


def _sections(events: list[Event], verification: integrity.Verification) -> list[ReportSection]:
    by_kind: dict[str, list[Event]] = {kind: [e for e in events if e.kind == kind] for kind in _KINDS}
    seals = {s.event_id: s for s in verification.seals}
    visas = {e.payload["list"]: e.payload["visa"] for e in by_kind["retention.approved"]}
    return [
        ReportSection("Sceaux du journal", "Jetons d'horodatage RFC 3161 posés sur la tête de la chaîne, vérifiés "
                      "contre l'entrée scellée, les autorités de confiance et le registre des sceaux hors base.",
                      ("Sceau", "Entrée scellée", "Entrées couvertes", "Vérification"),
                      [(str(e.id), str(e.payload["head_id"]), str(e.payload.get("entries", "?")),
                        seals[e.id].detail if e.id in seals else "?") for e in by_kind["journal.sealed"]]),
        ReportSection("Contrôles d'intégrité des fichiers", "Recalcul des empreintes des fichiers stockés "
                      "(contrôle complet ou part quotidienne) et audit des archives (empreintes et signatures).",
                      ("Date", "Portée", "Contrôlés", "Anomalies"),
                      [(_day(e.at), f"fichiers, {e.payload.get('scope')}", str(e.payload.get("checked")),
                        str(e.payload.get("damaged", 0) + len(e.payload.get("artefacts", []))))
                       for e in by_kind["blobs.audited"]]
                      + [(_day(e.at), "archives (empreintes, signatures)", str(e.payload.get("records")),
                          str(len(e.payload.get("failures", {})))) for e in by_kind["archive.audited"]]),
        ReportSection("Incidents", "Fichiers absents ou modifiés rencontrés lors d'un export, d'un téléchargement, "
                      "d'un archivage ou d'un versement (refusés), et anomalies du journal.",
                      ("Date", "Fichier", "Problème", "Opération"),
                      [(_day(e.at), e.payload["sha256"][:16] + "…", e.payload["problem"],
                        f"{e.payload['during']} ({e.actor})") for e in by_kind["blob.incident"]]
                      + [("vérification", f"entrée {b.event_id}", b.problem, "journal") for b in verification.breaks]
                      + [("vérification", f"{r.table} n° {r.row}", r.problem, "journal")
                         for r in verification.records]),
        ReportSection("Éliminations", "Destructions réalisées après visa de l'autorité de contrôle (L212-2 du code "
                      "du patrimoine).", ("Date", "Bordereau", "Documents détruits", "Visa"),
                      [(_day(e.at), e.payload["list"], str(len(e.payload.get("destroyed", []))),
                        visas.get(e.payload["list"], "hors période")) for e in by_kind["retention.eliminated"]]),
        ReportSection("Versements", "Paquets SEDA envoyés aux Archives et leurs réponses.",
                      ("Date", "Versement", "Unités", "Réponse"),
                      [(_day(e.at), e.payload["transfer"], str(len(e.payload.get("units", []))), "envoyé")
                       for e in by_kind["archive.transfer_sent"]]
                      + [(_day(e.at), e.payload["transfer"], str(len(e.payload.get("units", []))),
                          f"{'acceptée' if e.payload.get('accepted') else 'refusée'} ({e.payload.get('code')})")
                         for e in by_kind["archive.transfer_reply"]]),
    ]


def write(ctx: Context, first: date, last: date, destination: Path, *, actor: str) -> Written:
    """Verify the journal, gather the period's facts, write the PDF/A report, keep it and journal it."""
    if last < first:
        raise InvalidValue(f"période vide : le {last:%d/%m/%Y} précède le {first:%d/%m/%Y}")
    verification = integrity.verify(ctx)
    start, end = datetime.combine(first, time()), datetime.combine(last + timedelta(days=1), time())
    with ctx.db.session() as session:
        events = list(session.scalars(select(Event).where(Event.kind.in_(_KINDS), Event.at >= start,
                                                          Event.at < end).order_by(Event.id)))
        head = session.scalar(select(Event).order_by(Event.id.desc()).limit(1))
        in_period = session.scalar(select(func.count(Event.id)).where(Event.at >= start, Event.at < end)) or 0
    valid = [s for s in verification.seals if s.valid]
    facts: list[tuple[str, Any]] = [
        ("Entrées du journal", f"{verification.entries}, dont {in_period} sur la période"),
        ("Tête de la chaîne", f"entrée {head.id}, empreinte SHA-256 {head.hash}" if head else "journal vide"),
        ("Sceaux", f"{len(verification.seals)} au total, {len(valid)} valide(s)"
         + (f" ; dernier : {valid[-1].detail}" if valid else "")),
        ("Registre des sceaux hors base", ", ".join(str(p) for p in [ctx.anchors.seal_log, *ctx.anchors.copies]))]
    verdict = ("Journal intègre : chaîne, sceaux, registre hors base et lignes témoins concordent."
               if verification.ok else
               f"ANOMALIES : {len(verification.breaks)} rupture(s) ou écart(s) du journal, "
               f"{sum(not s.valid for s in verification.seals)} sceau(x) invalide(s), "
               f"{len(verification.records)} ligne(s) modifiée(s) hors de l'application (voir Incidents).")
    pdf = audit_report_pdf(AuditReport(ctx.settings.commune.name, (first, last), ctx.clock(), actor, verdict,
                                       facts, _sections(events, verification)))
    with tempfile.TemporaryDirectory(prefix="ged-rapport-") as folder:
        declared = Path(folder) / "rapport.pdf"
        try:
            ocr.generated_pdfa(pdf, declared)
        except ocr.PdfaFailed as exc:
            raise Unavailable(f"rapport d'audit : {exc}") from exc
        data = declared.read_bytes()
    write_whole(destination, data)
    sha256 = hashlib.sha256(data).hexdigest()
    with ctx.db.session() as session:
        journal.append(session, "audit.report", at=ctx.clock(), actor=actor, payload={
            "from": first.isoformat(), "to": last.isoformat(), "sha256": sha256, "ok": verification.ok})
    return Written(destination, sha256, verification.ok)
