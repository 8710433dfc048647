"""``ged init --demo-pki``, ``ged archive``, ``ged retention``, ``ged hold`` and ``ged journal`` as users run them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from archivage import seda
from examples.letters import by_name
from examples.render import born_digital_pdf
from ged.db.session import MIGRATIONS, Database
from ged.errors import ExitCode


@pytest.fixture
def archived(ged_home: Path, run_cli, tmp_path: Path) -> dict[str, int]:  # noqa: ANN001
    first = run_cli("init", "--demo-pki")
    assert first.exit_code == 0 and "PKI de TEST" in first.stdout, first.stderr
    assert "[signing]" in (ged_home / "ged.toml").read_text(encoding="utf-8")
    assert "déjà présente" in run_cli("init", "--demo-pki").stdout
    paths = []
    for name in ("demande_acte_naissance", "facture_fournisseur"):
        paths.append(tmp_path / f"{name}.pdf")
        born_digital_pdf(by_name(name), paths[-1])
    entries = run_cli("ingest", "--json", *paths).json()
    ids = {Path(e["source"]).stem: e["document_id"] for e in entries}
    result = run_cli("archive", *map(str, ids.values()), "--json")
    assert result.exit_code == 0, result.stderr
    assert all(entry["archived"] for entry in result.json())
    return ids


def _backdate(home: Path, days: int) -> None:
    """Make the archives older, as if years had passed (DUA of one year for civil status requests)."""
    with sqlite3.connect(home / "ged.sqlite3") as db:
        db.execute("UPDATE archive_records SET dua_end = date(dua_end, ?)", (f"-{days} days",))


def test_archive_audit_and_refusals(archived: dict[str, int], run_cli) -> None:  # noqa: ANN001
    again = run_cli("archive", str(archived["facture_fournisseur"]))
    assert again.exit_code == ExitCode.BAD_INPUT and "déjà archivé" in again.stdout
    audit = run_cli("archive", "audit", "--json")
    assert audit.exit_code == 0 and all(r["ok"] and len(r["signatures"]) == 2 for r in audit.json())
    assert "0 anomalie" in run_cli("archive", "audit").stdout
    refused = run_cli("doc", "validate", str(archived["facture_fournisseur"]), "--set", "montant_ttc=1")
    assert refused.exit_code == ExitCode.BAD_INPUT and "archivé" in refused.stderr


def test_retention_flow_with_two_people(archived: dict[str, int], run_cli, ged_home: Path, tmp_path: Path,  # noqa: ANN001
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    assert "0 archive(s) à échéance" in run_cli("retention", "due").stdout
    _backdate(ged_home, 400)
    due = run_cli("retention", "due", "--json").json()
    civil = archived["demande_acte_naissance"]
    assert [d["document_id"] for d in due] == [civil]
    assert run_cli("hold", "add", str(civil), "--reason", "contentieux").exit_code == 0
    assert "GELÉ" in run_cli("retention", "due").stdout
    assert run_cli("retention", "propose").exit_code == ExitCode.NOT_FOUND  # only a held record is due
    assert run_cli("hold", "remove", str(civil), "--reason", "clos").exit_code == 0
    monkeypatch.setenv("USER", "archiviste")
    monkeypatch.setenv("LOGNAME", "archiviste")
    proposed = run_cli("retention", "propose")
    assert proposed.exit_code == 0, proposed.stderr
    number = run_cli("retention", "lists", "--json").json()[0]["number"]
    same = run_cli("retention", "approve", number, "--visa", "AD44-1")
    assert same.exit_code == ExitCode.FORBIDDEN and "autre personne" in same.stderr
    monkeypatch.setenv("USER", "directrice")
    monkeypatch.setenv("LOGNAME", "directrice")
    assert run_cli("retention", "approve", number, "--visa", "AD44-1").exit_code == 0
    eliminated = run_cli("retention", "eliminate", number)
    assert eliminated.exit_code == 0 and "1 document(s) éliminé(s)" in eliminated.stdout
    for kind, suffix in (("bordereau", ".pdf"), ("attestation", ".pdf"), ("demande_seda", ".xml"),
                         ("notification_seda", ".xml")):
        target = tmp_path / f"{kind}{suffix}"
        assert run_cli("retention", "export", number, kind, "-o", target).exit_code == 0
        if suffix == ".xml":
            assert seda.validate(target.read_bytes()) == []
    shown = run_cli("show", str(civil), "--json", "--no-text").json()
    assert shown["state"] == "elimine" and shown["files"] == [] and shown["text"] == ""
    assert run_cli("export", str(civil), "--original", "-o", tmp_path / "x").exit_code == ExitCode.NOT_FOUND


def test_journal_verify_and_seal(archived: dict[str, int], run_cli, ged_home: Path) -> None:  # noqa: ANN001
    assert "Journal scellé" in run_cli("journal", "seal").stdout
    verified = run_cli("journal", "verify", "--json")
    assert verified.exit_code == 0 and verified.json()["ok"] and verified.json()["seals"][0]["valid"]
    with sqlite3.connect(ged_home / "ged.sqlite3") as db:
        db.execute("DELETE FROM events WHERE id = 2")
    broken = run_cli("journal", "verify")
    assert broken.exit_code == ExitCode.BAD_INPUT and "ALTÉRÉ" in broken.stdout


def test_archive_without_configuration(ged_home: Path, run_cli, tmp_path: Path) -> None:  # noqa: ANN001
    assert run_cli("init").exit_code == 0
    result = run_cli("archive", "1")
    assert result.exit_code == ExitCode.MISSING_DEPENDENCY and "--demo-pki" in result.stderr


def test_export_a_signed_copy_b_t(archived: dict[str, int], run_cli, ged_home: Path, tmp_path: Path) -> None:  # noqa: ANN001
    from archivage.signing import ValidationMaterial, check_signatures

    target = tmp_path / "copie-certifiee.pdf"
    result = run_cli("export", str(archived["facture_fournisseur"]), "--pdfa", "--signed", "-o", target)
    assert result.exit_code == 0, result.stderr
    material = ValidationMaterial((ged_home / "pki/demo-ca.pem",), (ged_home / "pki/demo-ca.crl",))
    checks = check_signatures(target, material)
    assert [(c.kind, c.ok, c.timestamped) for c in checks] == [("signature", True, True)]  # B-T: no document timestamp
    history = run_cli("show", str(archived["facture_fournisseur"]), "--json", "--no-text").json()["history"]
    assert history[-1]["kind"] == "document.exported" and history[-1]["payload"]["signature"] == "PAdES B-T"


def test_an_installation_upgraded_past_0013_verifies_and_finds_its_states(
        archived: dict[str, int], run_cli, ged_home: Path) -> None:  # noqa: ANN001
    """Taken back to 0012 (documents stored in English, as before), the installation upgrades on the
    next command with its journal clean, and after ``ged init`` a search by state finds every
    archived document under the new words (docs/upgrading.md)."""
    database = Database(f"sqlite:///{ged_home / 'ged.sqlite3'}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0012")
    with database.engine.begin() as connection:
        assert set(connection.execute(text("SELECT state FROM documents")).scalars()) == {"archived"}
    database.dispose()
    verified = run_cli("journal", "verify", "--json")
    assert verified.exit_code == 0 and verified.json()["ok"], verified.stdout
    unindexed = "SELECT count(*) FROM documents WHERE indexed_at IS NULL"
    with sqlite3.connect(ged_home / "ged.sqlite3") as db:
        assert db.execute(unindexed).fetchone() == (2,)  # the index still holds the old words
    upgraded = run_cli("init")
    assert upgraded.exit_code == 0 and "Index de recherche mis à jour : 2 document(s)." in upgraded.stdout
    with sqlite3.connect(ged_home / "ged.sqlite3") as db:
        assert db.execute(unindexed).fetchone() == (0,)
    typed = run_cli("search", "--json", "etat:archivé")
    assert typed.exit_code == 0, typed.stderr
    found = typed.json()
    assert found["total"] == 2 and found["facets"]["state"] == {"archive": 2}
    assert run_cli("search", "--json", "etat:archived").json()["total"] == 2  # the old word, for one release
    assert run_cli("show", str(archived["facture_fournisseur"]), "--json").json()["state"] == "archive"
