"""An auditor's tampering table, each row on its own installation (SQLite and PostgreSQL).

The attacker has write access to the database (a raw session, none of the application's hooks)
or to the blob store; the application's anchors (head file, seal log) are out of their reach.
Every tamper must be reported by the commands an archivist runs, with the entry or record named.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from examples.letters import by_name
from examples.render import born_digital_pdf
from ged import journal
from ged.context import Context
from ged.db.models import ArchiveRecord, Document, Event, FileRole
from ged.errors import ExitCode
from ged.services import archiving, integrity
from ged.services.ingest import IngestService
from ged.services.setup import install_demo_pki
from ged.settings import load_settings


@dataclass
class Installation:
    ctx: Context
    archived: int
    """A building permit request, archived (final action C, no DUA: transferable at once)."""
    kept: int
    """An invoice, processed, not archived."""
    seal_id: int


@pytest.fixture
def installation(context: Context, tmp_path: Path) -> Iterator[Installation]:
    assert install_demo_pki(context.settings)
    ctx = Context.open(load_settings())
    ids = []
    for name in ("declaration_prealable", "facture_fournisseur"):
        born_digital_pdf(by_name(name), tmp_path / f"{name}.pdf")
        [report] = IngestService(ctx).ingest([tmp_path / f"{name}.pdf"])
        ids.append(report.document_id)
    assert archiving.archive(ctx, [ids[0]], actor="archiviste")[0].ok
    sealed = integrity.seal(ctx, actor="robot")
    assert integrity.verify(ctx).ok
    yield Installation(ctx, ids[0], ids[1], sealed.event_id)
    ctx.close()


def _raw(ctx: Context) -> Session:
    """The attacker's session: straight to the database, none of the application's hooks."""
    return Session(ctx.db.engine)


def _recompute_chain(ctx: Context) -> None:
    with _raw(ctx) as session:
        previous = journal.GENESIS
        for event in session.scalars(select(Event).order_by(Event.id)).all():
            event.prev_hash = previous
            event.hash = journal.entry_hash(prev_hash=previous, at=event.at, kind=event.kind, actor=event.actor,
                                            document_id=event.document_id, payload=event.payload,
                                            request_id=event.request_id)
            previous = event.hash
            session.flush()
        session.commit()


def _assert_verify_fails(run_cli: Callable[..., object], *expected: str) -> str:
    result = run_cli("journal", "verify")
    assert result.exit_code == ExitCode.BAD_INPUT, result.stdout  # type: ignore[attr-defined]
    assert "ALTÉRÉ" in result.stdout and "Traceback" not in result.stderr  # type: ignore[attr-defined]
    for text in expected:
        assert text in result.stdout, result.stdout  # type: ignore[attr-defined]
    return str(result.stdout)  # type: ignore[attr-defined]


def _flip(path: Path) -> None:
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _blob(inst: Installation, document_id: int, role: FileRole) -> Path:
    with inst.ctx.db.session() as session:
        stored = session.get_one(Document, document_id).file(role)
        assert stored is not None
        return inst.ctx.blobs.path_for(stored.sha256)


def _incidents(inst: Installation) -> list[dict[str, str]]:
    with inst.ctx.db.session() as session:
        return list(session.scalars(select(Event.payload).where(Event.kind == "blob.incident")))


# -- the journal -----------------------------------------------------------------------------------
@pytest.mark.parametrize("tamper", ["edit", "delete", "swap"])
def test_edited_deleted_or_swapped_entry(installation: Installation, run_cli, tamper: str) -> None:  # noqa: ANN001
    with _raw(installation.ctx) as session:
        second, third = session.scalars(select(Event).order_by(Event.id).offset(1).limit(2)).all()
        named = third.id if tamper == "delete" else second.id
        if tamper == "edit":
            second.payload = {"falsifié": True}
        elif tamper == "delete":
            session.delete(second)
        else:
            second.payload, third.payload = third.payload, second.payload
        session.commit()
    _assert_verify_fails(run_cli, f"entrée {named}")


@pytest.mark.parametrize("count", [1, 2])
def test_tail_truncation_after_the_last_seal(installation: Installation, run_cli, tmp_path: Path,  # noqa: ANN001
                                            count: int) -> None:
    for name in ("a", "b"):
        assert run_cli("export", str(installation.kept), "-o", tmp_path / f"{name}.pdf").exit_code == 0
    with _raw(installation.ctx) as session:
        newest = session.scalars(select(Event.id).order_by(Event.id.desc()).limit(count)).all()
        session.execute(delete(Event).where(Event.id.in_(newest)))
        session.commit()
    _assert_verify_fails(run_cli, f"journal raccourci : l'entrée {max(newest)}")


def test_deleting_the_last_seal_and_everything_after(installation: Installation, run_cli) -> None:  # noqa: ANN001
    with _raw(installation.ctx) as session:
        session.execute(delete(Event).where(Event.id >= installation.seal_id))
        session.commit()
    _assert_verify_fails(run_cli, f"entrée {installation.seal_id} : sceau du registre hors base absent de la base")


def test_recomputed_chain_without_seals(installation: Installation, run_cli) -> None:  # noqa: ANN001
    with _raw(installation.ctx) as session:
        first_archived = session.scalars(select(Event).where(Event.kind == "document.archived")).one()
        first_archived.payload = dict(first_archived.payload, final_action="D")  # the forger's purpose
        session.execute(delete(Event).where(Event.kind == "journal.sealed"))
        session.commit()
    _recompute_chain(installation.ctx)
    output = _assert_verify_fails(run_cli, "chaîne recalculée", "sceau du registre hors base absent de la base")
    assert "journal.sealed" not in output


def test_recomputed_chain_then_sealed_again(installation: Installation, run_cli) -> None:  # noqa: ANN001
    with _raw(installation.ctx) as session:
        session.execute(delete(Event).where(Event.kind == "document.exported"))
        received = session.scalars(select(Event).where(Event.kind == "document.received")).first()
        assert received is not None
        session.delete(received)
        session.commit()
    _recompute_chain(installation.ctx)
    assert run_cli("journal", "seal").exit_code == 0  # a valid new seal over the forged head…
    _assert_verify_fails(run_cli, "chaîne recalculée : l'entrée ne correspond plus au sceau")  # …the old ones disagree


def test_edited_archive_record(installation: Installation, run_cli) -> None:  # noqa: ANN001
    with _raw(installation.ctx) as session:
        session.execute(update(ArchiveRecord).values(dua_end=date(2099, 12, 31), final_action="D"))
        session.commit()
        record_id = session.scalars(select(ArchiveRecord.id)).one()
    output = _assert_verify_fails(run_cli, f"archive_records n° {record_id} : modifiée hors de l'application")
    assert "final_action (journal « C », base « D »)" in output and "base « 2099-12-31 »" in output


def test_seal_dated_before_the_entries_it_covers(installation: Installation, run_cli) -> None:  # noqa: ANN001
    """A forger who moved the server's clock: entries dated after the TSA's time of their seal."""
    later = installation.ctx.clock()
    future = Context.open(load_settings(), clock=lambda: later.replace(year=later.year + 1))
    with future.db.session() as session:
        journal.append(session, "document.viewed", at=future.clock(), actor="agent", document_id=installation.kept)
    integrity.seal(future, actor="robot")  # the TSA's time is now, before the entry it covers
    future.close()
    _assert_verify_fails(run_cli, "qu'il couvre")


# -- the stored files ------------------------------------------------------------------------------
@pytest.mark.parametrize("damage", ["flip", "delete"])
def test_damaged_archived_blob(installation: Installation, run_cli, damage: str) -> None:  # noqa: ANN001
    path = _blob(installation, installation.archived, FileRole.SIGNED)
    _flip(path) if damage == "flip" else path.unlink()
    audit = run_cli("archive", "audit")
    assert audit.exit_code == ExitCode.BAD_INPUT
    fixity = run_cli("audit", "fixity")
    assert fixity.exit_code == ExitCode.DAMAGED and f"document {installation.archived} (signe)" in fixity.stdout


@pytest.mark.parametrize(("role", "damage"), [(FileRole.ORIGINAL, "flip"), (FileRole.PDFA, "delete")])
def test_damaged_blob_of_a_document_not_archived(installation: Installation, run_cli, role: FileRole,  # noqa: ANN001
                                                 damage: str) -> None:
    path = _blob(installation, installation.kept, role)
    _flip(path) if damage == "flip" else path.unlink()
    result = run_cli("audit", "fixity", "--json")
    assert result.exit_code == ExitCode.DAMAGED
    [finding] = result.json()["findings"]
    assert finding["owners"] == [f"document {installation.kept} ({role})"]
    assert finding["problem"] == ("absent du stockage" if damage == "delete" else
                                  "modifié (ne correspond plus à son empreinte)")
    with installation.ctx.db.session() as session:
        audited = session.scalars(select(Event.payload).where(Event.kind == "blobs.audited")).one()
    assert audited["damaged"] == 1


@pytest.mark.parametrize("damage", ["flip", "delete"])
def test_export_of_a_damaged_blob_is_refused_cleanly(installation: Installation, run_cli, tmp_path: Path,  # noqa: ANN001
                                                     damage: str) -> None:
    path = _blob(installation, installation.kept, FileRole.PDFA)
    _flip(path) if damage == "flip" else path.unlink()
    result = run_cli("export", str(installation.kept), "-o", tmp_path / "sortie.pdf")
    assert result.exit_code == ExitCode.DAMAGED and "Traceback" not in result.stderr
    assert "incident journalisé" in result.stderr
    assert list(tmp_path.glob("*sortie*")) == []
    assert [i["during"] for i in _incidents(installation)] == ["export"]


def test_record_awaiting_the_transfer_reply_stays_under_audit(installation: Installation, run_cli,  # noqa: ANN001
                                                              tmp_path: Path) -> None:
    assert run_cli("archive", "transfer", "-o", tmp_path / "versement.zip").exit_code == 0
    with installation.ctx.db.session() as session:
        assert session.scalars(select(ArchiveRecord.status)).one() == "en_versement"
    assert "1 document(s) archivé(s) contrôlé(s), 0 anomalie" in run_cli("archive", "audit").stdout
    _flip(_blob(installation, installation.archived, FileRole.ORIGINAL))
    assert run_cli("archive", "audit").exit_code == ExitCode.BAD_INPUT


def test_transfer_with_a_corrupted_blob_leaves_nothing(installation: Installation, run_cli,  # noqa: ANN001
                                                       tmp_path: Path) -> None:
    _flip(_blob(installation, installation.archived, FileRole.SIGNED))
    output = tmp_path / "sortie"
    output.mkdir()
    result = run_cli("archive", "transfer", "-o", output / "versement.zip")
    assert result.exit_code == ExitCode.DAMAGED and "Traceback" not in result.stderr
    assert "versement refusé, 1 fichier(s) endommagé(s)" in result.stderr
    assert list(output.iterdir()) == []
    assert [i["during"] for i in _incidents(installation)] == ["préparation d'un versement"]
    with installation.ctx.db.session() as session:
        assert session.scalars(select(ArchiveRecord.status)).one() == "archive"
