"""The ``ged`` command as a user runs it: messages, JSON shapes and exit codes."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import ocr
from ged.errors import ExitCode


@pytest.fixture
def initialised(ged_home: Path, run_cli) -> Path:  # noqa: ANN001
    assert run_cli("init").exit_code == 0
    return ged_home


def test_init_creates_the_home_and_is_idempotent(ged_home: Path, run_cli) -> None:  # noqa: ANN001
    first = run_cli("init")
    assert first.exit_code == 0 and "GED créée" in first.stdout
    assert (ged_home / "ged.toml").is_file() and (ged_home / "ged.sqlite3").is_file()
    (ged_home / "ged.toml").write_text('[ocr]\nlanguages = "fra"\n')
    second = run_cli("init")
    assert second.exit_code == 0 and "déjà présente" in second.stdout
    assert (ged_home / "ged.toml").read_text() == '[ocr]\nlanguages = "fra"\n'


def test_help_lists_every_command_and_each_loads_alone(run_cli) -> None:  # noqa: ANN001
    """Only the named command's module is loaded: each must stand on its own, and the full
    list must still reach ``ged --help``."""
    from cli.app import _COMMANDS

    listing = run_cli("--help")
    assert listing.exit_code == 0
    for name in _COMMANDS:
        assert f" {name} " in listing.stdout, name
        alone = run_cli(name, "--help")
        assert alone.exit_code == 0 and f"ged {name} " in " ".join(alone.stdout.split()), name


def test_workers_run_the_installed_code_whatever_the_current_folder(initialised: Path, samples: Path,
                                                                   tmp_path: Path) -> None:
    """Python 3.11's fork server ignores the parent's ``sys.path`` and puts the current folder
    first: an ``ocr.py`` lying in the folder ``ged`` is run from must not replace the OCR package
    in the worker processes."""
    ged = Path(sys.executable).with_name("ged")
    if not ged.is_file():
        pytest.skip(f"the ged console script is not installed beside {sys.executable}")
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "ocr.py").write_text('raise RuntimeError("pas le module ocr de la GED")\n')
    run = subprocess.run([str(ged), "ingest", "--json", str(samples / "courrier_divers.pdf")], cwd=scripts,
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    [entry] = json.loads(run.stdout)
    assert entry["outcome"] == "ingested" and entry["page_count"] == 1


def test_the_console_script_keeps_the_exit_code_and_message_of_a_failure(initialised: Path) -> None:
    """The installed script freezes the heap on its way out: the command's own exit code and
    French message must come through untouched."""
    ged = Path(sys.executable).with_name("ged")
    if not ged.is_file():
        pytest.skip(f"the ged console script is not installed beside {sys.executable}")
    run = subprocess.run([str(ged), "show", "999999"], capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == ExitCode.NOT_FOUND
    assert "999999" in run.stderr and run.stdout == ""


def test_commands_need_an_initialised_home(ged_home: Path, run_cli) -> None:  # noqa: ANN001
    result = run_cli("search", "x")
    assert result.exit_code == ExitCode.NOT_INITIALISED and "ged init" in result.stderr


def test_ingest_json_reports_every_input(initialised: Path, run_cli, samples: Path, tmp_path: Path) -> None:  # noqa: ANN001
    (tmp_path / "vide.pdf").write_bytes(b"")
    copy = tmp_path / "copie.pdf"
    shutil.copy(samples / "facture_fournisseur.pdf", copy)
    result = run_cli("ingest", "--json", samples / "facture_fournisseur.pdf", copy, tmp_path / "vide.pdf",
                     tmp_path / "absent.pdf")
    assert result.exit_code == ExitCode.BAD_INPUT
    entries = {Path(e["source"]).name: e for e in result.json()}
    assert entries["facture_fournisseur.pdf"]["outcome"] == "ingested"
    assert entries["facture_fournisseur.pdf"]["page_count"] == 1
    document_id = entries["facture_fournisseur.pdf"]["document_id"]
    assert entries["copie.pdf"]["outcome"] == "duplicate" and entries["copie.pdf"]["duplicate_of"] == document_id
    assert entries["vide.pdf"]["outcome"] == "quarantined" and "vide" in entries["vide.pdf"]["reason"]
    assert entries["absent.pdf"]["outcome"] == "missing"
    assert set(entries["copie.pdf"]) == {"source", "outcome", "document_id", "duplicate_of", "page_count",
                                         "reason", "reason_code", "doc_type", "request"}


def test_ingest_human_output_is_french(initialised: Path, run_cli, samples: Path) -> None:  # noqa: ANN001
    result = run_cli("ingest", samples / "demande_subvention.pdf")
    assert result.exit_code == 0
    assert "→ document 1 (1 p.)" in result.stdout and "1 intégré(s)" in result.stdout


@pytest.mark.slow
def test_search_show_and_export(initialised: Path, run_cli, samples: Path, tmp_path: Path) -> None:  # noqa: ANN001
    assert run_cli("ingest", samples / "signalement_eclairage.png", samples / "facture_fournisseur.pdf").exit_code == 0
    found = run_cli("search", "éclairage rue des Lilas", "--json").json()
    assert set(found) == {"total", "page", "limit", "hits", "facets"}
    top = found["hits"][0]
    assert top["title"] == "signalement_eclairage.png" and "<mark>" in top["snippet"]
    assert {"id", "score", "snippet", "title", "doc_type", "service", "state", "received_at"} <= set(top)
    assert found["facets"]["state"] == {"traite": found["total"]}
    assert "signalement_eclairage.png" in run_cli("search", "lampadaires").stdout

    shown = run_cli("show", top["id"], "--json").json()
    assert shown["state"] == "traite" and shown["pages"][0]["source"] == "ocr"
    assert [e["kind"] for e in shown["history"]] == ["document.received", "document.processed",
                                                     "document.classified", "request.created"]
    assert "rue des Lilas" in shown["text"]
    assert "État : traité" in run_cli("show", top["id"]).stdout

    pdfa, original = tmp_path / "copie.pdf", tmp_path / "original.png"
    assert run_cli("export", top["id"], "--pdfa", "-o", pdfa).exit_code == 0
    assert ocr.is_valid_pdfa(pdfa)
    assert run_cli("export", top["id"], "--original", "-o", original).exit_code == 0
    source = (samples / "signalement_eclairage.png").read_bytes()
    assert hashlib.sha256(original.read_bytes()).digest() == hashlib.sha256(source).digest()
    kinds = [e["kind"] for e in run_cli("show", top["id"], "--json").json()["history"]]
    assert kinds.count("document.exported") == 2


def test_reindex_rebuilds_a_lost_index(initialised: Path, run_cli, samples: Path) -> None:  # noqa: ANN001
    run_cli("ingest", samples / "demande_subvention.pdf")
    shutil.rmtree(initialised / "index")
    assert run_cli("search", "subvention", "--json").json()["total"] == 0
    assert "1 document" in run_cli("search", "reindex").stdout
    assert run_cli("search", "subvention", "--json").json()["total"] == 1


def test_search_filters_and_paging_options(initialised: Path, run_cli, samples: Path) -> None:  # noqa: ANN001
    run_cli("ingest", samples / "demande_subvention.pdf", samples / "facture_fournisseur.pdf")
    assert run_cli("search", "Saint-Herblain", "--json", "--limit", "1", "--page", "2").json()["hits"]
    assert run_cli("search", "Saint-Herblain", "--json", "--state", "archivé").json()["total"] == 0
    assert run_cli("search", "x", "--from", "2026-13-01").exit_code == ExitCode.USAGE


def test_missing_document_and_missing_copy(initialised: Path, run_cli, samples: Path, tmp_path: Path) -> None:  # noqa: ANN001
    assert run_cli("show", "42").exit_code == ExitCode.NOT_FOUND
    run_cli("ingest", tmp_path / "rien")
    (tmp_path / "vide.pdf").write_bytes(b"")
    document_id = run_cli("ingest", "--json", tmp_path / "vide.pdf").json()[0]["document_id"]
    refused = run_cli("export", document_id, "-o", tmp_path / "x.pdf")
    assert refused.exit_code == ExitCode.NOT_FOUND and "--original" in refused.stderr


def test_missing_language_pack_is_a_missing_dependency(initialised: Path, run_cli, samples: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("GED_OCR__LANGUAGES", "fra+xyz")
    ocr.check_available.cache_clear()
    result = run_cli("ingest", samples / "signalement_eclairage.png")
    assert result.exit_code == ExitCode.MISSING_DEPENDENCY and "tesseract-ocr-xyz" in result.stderr


def test_the_list_of_commands_says_what_each_command_says_of_itself() -> None:
    """``ged --help`` lists the commands without importing them: its lines must not drift from theirs."""
    import click
    import typer.main

    from cli.app import _COMMANDS, build_app

    for name, row in _COMMANDS.items():
        command = typer.main.get_command(build_app([name]))
        own = command.get_command(click.Context(command), name)
        assert own is not None and own.get_short_help_str(limit=300) == row.summary, name
