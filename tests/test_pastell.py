"""Pastell's deposit folders, both ways. Deposits are written as Pastell's deposit connector writes
them (each file under a ``.part`` name then renamed, the metadata after the files, the "done" marker
last; or a zip renamed from ``.part``) by a writer thread while the robot runs, and each is taken
once, whole; the ones that cannot be taken are set aside with their reason, never deleted. The export
writes what Pastell's collector reads (files, metadata, ``manifest.xml``), read back by the intake."""

from __future__ import annotations

import json
import threading
import time
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from examples.letters import by_name
from examples.render import born_digital_pdf
from ged.context import Context
from ged.db.models import Document, ExternalDossier, Request
from ged.services import casework, deposits
from ged.settings import load_settings
from robots.definitions import load_robot
from robots.runner import run_robot

from .helpers import Clock

INTAKE = """
description = "Dépôts Pastell"
[trigger]
interval_minutes = 5
[[actions]]
action = "releve_pastell"
folder = "{folder}"
settle_seconds = {settle}
require_marker = {marker}
type_field = "type"
service_field = "service"
reference_field = "id_d"
requester_field = "nom_demandeur"
email_field = "email"
[actions.types]
"dp-urbanisme" = "urbanisme"
"document-a-signer" = "autre"
[actions.services]
"DGS" = "accueil"
[actions.fields]
"nom_demandeur" = "demandeur_nom"
"""


@pytest.fixture
def ctx(context: Context) -> Iterator[Context]:
    opened = Context.open(load_settings(), clock=Clock(datetime(2026, 3, 6, 9, 0)))
    opened.settings.robots_path.mkdir(parents=True, exist_ok=True)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("pastell") / "plan.pdf"
    born_digital_pdf(by_name("declaration_prealable"), path)
    return path.read_bytes()


def _robot(ctx: Context, folder: Path, *, settle: float = 0.3, marker: bool = False) -> Any:
    path = ctx.settings.robots_path / "pastell.toml"
    path.write_text(INTAKE.format(folder=folder, settle=settle, marker=str(marker).lower()), encoding="utf-8")
    return load_robot(path)


def _write_slowly(path: Path, data: bytes, pause: float) -> None:
    """As the connector writes over SFTP: under ``.part``, a chunk at a time, then renamed."""
    part = path.with_name(path.name + ".part")
    with part.open("wb") as out:
        for start in range(0, len(data), 8192):
            out.write(data[start:start + 8192])
            out.flush()
            time.sleep(pause)
    part.rename(path)


def pastell_folder(folder: Path, name: str, files: dict[str, bytes], metadata: dict[str, Any], *,
                   pause: float = 0.0, marker: bool = True) -> None:
    deposit = folder / name
    deposit.mkdir()
    for filename, data in files.items():
        _write_slowly(deposit / filename, data, pause)
    _write_slowly(deposit / "metadata.json", json.dumps(metadata).encode(), pause)
    if marker:
        (deposit / "fichier_termine.txt").write_text("Le transfert est terminé", encoding="utf-8")


def pastell_zip(folder: Path, name: str, members: dict[str, bytes], *, pause: float = 0.0) -> None:
    staged = folder.parent / f"{name}.zip"
    with zipfile.ZipFile(staged, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    _write_slowly(folder / f"{name}.zip", staged.read_bytes(), pause)
    staged.unlink()


def _metadata(id_d: str, files: list[str], **extra: str) -> dict[str, Any]:
    return {"id_d": id_d, "type": "dp-urbanisme", "objet": f"Déclaration préalable {id_d}",
            "nom_demandeur": "Jeanne Martin", "email": "jeanne.martin@exemple.fr", "plan": files, **extra}


def test_deposits_written_while_the_robot_runs_are_taken_once_and_whole(ctx: Context, plan: bytes,
                                                                        tmp_path: Path) -> None:
    folder = tmp_path / "depot-pastell"
    folder.mkdir()
    robot = _robot(ctx, folder, marker=True)
    writers = [
        threading.Thread(target=pastell_folder, args=(folder, "DP-A", {"plan-a.pdf": plan, "photo-a.pdf": plan[:-1]},
                                                      _metadata("A1b2C3", ["plan-a.pdf", "photo-a.pdf"])),
                         kwargs={"pause": 0.01}),
        threading.Thread(target=pastell_zip, args=(folder, "DP-B", {
            "plan-b.pdf": plan + b"\n", "metadata.json": json.dumps(_metadata("D4e5F6", ["plan-b.pdf"])).encode()}),
            kwargs={"pause": 0.01}),
    ]
    for writer in writers:
        writer.start()
    runs = []
    for _ in range(30):
        runs.append(run_robot(ctx, robot, trigger="manuel", sleep=lambda _s: None))
        assert runs[-1].outcome == "ok", runs[-1].error
        if not any(w.is_alive() for w in writers) and not deposits.waiting(folder, deposits.Layout()):
            break
        time.sleep(0.1)
    assert sum(r.counts["pris"] for r in runs) == 2 and sum(r.counts["refuses"] for r in runs) == 0
    assert sum(r.counts["en_cours"] for r in runs) >= 1  # seen half-written at least once, and left
    assert sorted(p.name for p in (folder / "traites").iterdir()) == ["DP-A", "DP-B.zip"]
    with ctx.db.session() as session:
        requests = {r.file_reference: r.number for r in session.scalars(select(Request))}
        assert session.scalar(select(func.count(ExternalDossier.reference))) == 2
    assert set(requests) == {"A1b2C3", "D4e5F6"}
    first = casework.show(ctx, requests["A1b2C3"])
    assert (first.requester, first.contact, first.doc_type) == ("Jeanne Martin", "jeanne.martin@exemple.fr",
                                                               "urbanisme")
    assert len(first.documents) == 3  # the typeset summary, then both pieces
    assert first.fields["demandeur_nom"]["value"] == "Jeanne Martin"


def test_xml_and_yaml_metadata_and_a_type_that_is_not_a_request(ctx: Context, plan: bytes, tmp_path: Path) -> None:
    folder = tmp_path / "depot"
    folder.mkdir()
    flux = (b'<?xml version="1.0" encoding="UTF-8"?>\n<flux>'
            b'<data name="id_d" value="X9y8Z7"/><data name="type" value="document-a-signer"/>'
            b'<data name="objet" value="Convention de mise &#224; disposition"/><data name="service" value="DGS"/>'
            b'<files name="document"><file content="convention.pdf"/></files></flux>')
    pastell_zip(folder, "convention", {"convention.pdf": plan + b"%x", "metadata.xml": flux})
    deposit = folder / "DP-yaml"
    deposit.mkdir()
    (deposit / "plan.pdf").write_bytes(plan + b"%y")
    (deposit / "metadata.txt").write_text(  # Pastell's YAML (Spyc), named .txt by the connector
        '---\nid_d: Q1w2E3\ntype: dp-urbanisme\nobjet: "DP : abri de jardin"\nnom_demandeur: Paul Roux\n'
        'plan:\n  - plan.pdf\n', encoding="utf-8")
    (deposit / "fichier_termine.txt").write_text("Le transfert est terminé", encoding="utf-8")
    time.sleep(0.4)
    result = run_robot(ctx, _robot(ctx, folder), trigger="manuel", sleep=lambda _s: None)
    assert result.outcome == "ok", result.error
    assert (result.counts["pris"], result.counts["demandes"]) == (2, 1)
    with ctx.db.session() as session:
        convention = session.scalar(select(Document).where(Document.filename == "convention.pdf"))
        assert convention is not None and convention.request_id is None and convention.doc_type == "autre"
        assert convention.service == "accueil"
        assert convention.attributes["reference_externe"] == "X9y8Z7"
        assert convention.attributes["objet"] == "Convention de mise à disposition"
        request = session.scalar(select(Request).where(Request.file_reference == "Q1w2E3"))
        assert request is not None and request.requester == "Paul Roux"


def test_deposits_that_cannot_be_taken_are_set_aside_with_their_reason(ctx: Context, plan: bytes,
                                                                      tmp_path: Path) -> None:
    folder = tmp_path / "depot"
    folder.mkdir()
    pastell_folder(folder, "sans-metadonnees", {"a.pdf": plan}, {})
    (folder / "sans-metadonnees" / "metadata.json").unlink()
    pastell_folder(folder, "piece-absente", {"a.pdf": plan}, _metadata("M1", ["a.pdf", "b.pdf"]))
    pastell_zip(folder, "evasion", {"../../evasion.pdf": plan, "metadata.json": b"{}"})
    (folder / "corrompu.zip").write_bytes(b"PK\x03\x04 pas une archive")
    (folder / "en-cours.zip.part").write_bytes(b"PK")
    deposit = folder / "sans-marqueur"
    deposit.mkdir()
    (deposit / "metadata.json").write_text(json.dumps(_metadata("M2", [])), encoding="utf-8")
    time.sleep(0.4)
    result = run_robot(ctx, _robot(ctx, folder, marker=True), trigger="manuel", sleep=lambda _s: None)
    assert result.outcome == "ok", result.error
    assert (result.counts["refuses"], result.counts["pris"], result.counts["en_cours"]) == (4, 0, 2)
    refused = folder / "erreurs"
    reasons = {p.name.removesuffix(".motif.txt"): p.read_text(encoding="utf-8")
               for p in refused.iterdir() if p.name.endswith(".motif.txt")}
    assert "métadonnées absentes" in reasons["sans-metadonnees"]
    assert "absente : b.pdf" in reasons["piece-absente"]
    assert "nom de fichier refusé" in reasons["evasion.zip"]
    assert "archive zip illisible" in reasons["corrompu.zip"]
    assert (refused / "sans-metadonnees" / "a.pdf").read_bytes() == plan  # set aside, never deleted
    assert not (tmp_path / "evasion.pdf").exists()
    assert (folder / "en-cours.zip.part").exists() and (folder / "sans-marqueur").exists()
    with ctx.db.session() as session:
        assert session.scalar(select(func.count(Document.id))) == 0


def test_a_crash_before_the_deposit_is_filed_away_takes_nothing_twice(ctx: Context, plan: bytes, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "depot"
    folder.mkdir()
    pastell_folder(folder, "DP-C", {"plan.pdf": plan}, _metadata("C7", ["plan.pdf"]))
    real = deposits.file_away

    def dies(*args: Any, **kwargs: Any) -> Path:
        raise RuntimeError("coupure de courant")

    monkeypatch.setattr(deposits, "file_away", dies)
    crashed = run_robot(ctx, _robot(ctx, folder), trigger="manuel", sleep=lambda _s: None)
    assert crashed.outcome == "erreur"
    monkeypatch.setattr(deposits, "file_away", real)
    again = run_robot(ctx, _robot(ctx, folder), trigger="manuel", sleep=lambda _s: None)
    assert again.outcome == "ok" and (again.counts["deja_recus"], again.counts["pris"]) == (1, 0)
    assert (folder / "traites" / "DP-C").is_dir()
    with ctx.db.session() as session:
        assert session.scalar(select(func.count(Request.id))) == 1
        assert session.scalar(select(func.count(Document.id))) == 2


EXPORT = """
description = "Vers le glaneur Pastell"
[trigger]
interval_minutes = 60
[filter]
type = "urbanisme"
[[actions]]
action = "deposer_pastell"
folder = "{folder}"
flux = "document-a-signer"
packaging = "{packaging}"
metadata = "{metadata}"
"""


@pytest.mark.parametrize(("packaging", "metadata"), [("dossier", "json"), ("zip", "xml")])
def test_export_writes_what_pastells_collector_reads_once(ctx: Context, plan: bytes, tmp_path: Path,
                                                          packaging: str, metadata: str) -> None:
    inbox = tmp_path / "depot"
    inbox.mkdir()
    pastell_folder(inbox, "DP-E", {"plan.pdf": plan}, _metadata("E5", ["plan.pdf"]))
    assert run_robot(ctx, _robot(ctx, inbox), trigger="manuel", sleep=lambda _s: None).counts["pris"] == 1
    glaneur = tmp_path / "glaneur"
    path = ctx.settings.robots_path / "vers-pastell.toml"
    path.write_text(EXPORT.format(folder=glaneur, packaging=packaging, metadata=metadata), encoding="utf-8")
    robot = load_robot(path)
    first = run_robot(ctx, robot, trigger="manuel", sleep=lambda _s: None)
    assert first.outcome == "ok" and first.counts["deposes"] == 2, first.error  # the summary and the plan
    again = run_robot(ctx, robot, trigger="manuel", sleep=lambda _s: None)
    assert again.counts.get("deposes", 0) == 0 and again.counts["deja_envoye"] == 2
    written = sorted(glaneur.iterdir())
    assert len(written) == 2 and not list(tmp_path.glob(".ged-export-*"))  # built aside, renamed in
    with ctx.db.session() as session:
        plan_doc = session.scalar(select(Document).where(Document.filename.like("%plan.pdf")))
        assert plan_doc is not None
        number = session.get_one(Request, plan_doc.request_id).number
    deposit = glaneur / (f"ged-{plan_doc.id}" + (".zip" if packaging == "zip" else ""))
    with deposits.opened(deposit, deposits.Layout(), max_bytes=10**8) as read:
        assert read.metadata["identifiant_ged"] == str(plan_doc.id)
        assert read.metadata["numero_demande"] == number
        assert read.metadata["document"] == [plan_doc.filename]
        assert [f.read_bytes() for f in read.files] == [plan]
        manifest = (read.files[0].parent / ("metadata.xml" if metadata == "xml" else "manifest.xml")).read_bytes()
    assert b'<flux type="document-a-signer">' in manifest
