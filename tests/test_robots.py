"""Robots against real servers on loopback (SMTP, IMAP over TLS, a webhook receiver), time moved by hand."""

from __future__ import annotations

import hashlib
import hmac
import imaplib
import json
import ssl
from collections.abc import Iterator
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select

from examples.letters import by_name
from examples.render import born_digital_pdf
from ged.context import Context
from ged.db.models import Document, EliminationList
from ged.services import automation, casework, selection
from ged.services.ingest import IngestService
from ged.services.setup import install_demo_pki
from ged.settings import load_settings
from robots.definitions import load_robot, load_robots
from robots.runner import Scheduler, run_robot

from .helpers import Clock
from .mailservers import DovecotServer, SmtpServer, WebhookReceiver, dovecot_available

MONDAY_6AM = datetime(2026, 3, 2, 6, 0)


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    server = SmtpServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY_6AM)


@pytest.fixture
def ctx(context: Context, clock: Clock, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Context]:
    monkeypatch.setenv("GED_SMTP__HOST", "127.0.0.1")
    monkeypatch.setenv("GED_SMTP__PORT", str(smtp.port))
    monkeypatch.setenv("GED_SMTP__SECURITY", "starttls")
    monkeypatch.setenv("GED_SMTP__CA_FILE", str(smtp.ca))
    monkeypatch.setenv("GED_ROBOTS__BACKOFF_SECONDS", "2")
    opened = Context.open(load_settings(), clock=clock)
    opened.settings.robots_path.mkdir(parents=True, exist_ok=True)
    yield opened
    opened.close()


def _robot(ctx: Context, name: str, text: str) -> Path:
    path = ctx.settings.robots_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _ingest(ctx: Context, folder: Path, *names: str) -> list[int]:
    paths = []
    for name in names:
        paths.append(folder / f"{name}.pdf")
        born_digital_pdf(by_name(name), paths[-1])
    return [r.document_id for r in IngestService(ctx).ingest(paths)]


DIGEST = """
description = "Chaque matin ouvré, à chaque service, ses demandes en retard et à échéance"
[trigger]
cron = "0 7 * * 1-5"
[[actions]]
action = "synthese_echeances"
days_ahead = 0
"""


def test_invalid_robot_files_are_refused_with_file_line_and_problem(ctx: Context, run_cli) -> None:  # noqa: ANN001
    _robot(ctx, "ok", DIGEST)
    _robot(ctx, "inconnue", '[trigger]\ninterval_minutes = 5\n\n[[actions]]\naction = "envoyer_fax"\n')
    _robot(ctx, "cron", '[trigger]\ncron = "0 25 * * *"\n[[actions]]\naction = "reindexer"\n')
    _robot(ctx, "deux", '[trigger]\ncron = "0 7 * * *"\ninterval_minutes = 5\n[[actions]]\naction = "reindexer"\n')
    _robot(ctx, "toml", '[trigger\n')
    robots, errors = load_robots(ctx.settings.robots_path)
    assert [r.name for r in robots] == ["ok"]
    messages = {e.path.stem: str(e) for e in errors}
    assert "cron.toml, ligne 2 : trigger.cron : expression cron invalide « 0 25 * * * »" in messages["cron"]
    assert "deux.toml" in messages["deux"] and "un déclencheur et un seul" in messages["deux"]
    assert "inconnue.toml, ligne 4" in messages["inconnue"]
    assert "action inconnue « envoyer_fax »" in messages["inconnue"]
    assert "toml.toml, ligne 1 : TOML invalide" in messages["toml"]
    listed = run_cli("robots", "list")
    assert listed.exit_code == 3 and "ok" in listed.stdout and "envoyer_fax" in listed.stdout


def test_morning_digest_of_overdue_requests_to_each_service(ctx: Context, clock: Clock, smtp: SmtpServer,
                                                           tmp_path: Path) -> None:
    _ingest(ctx, tmp_path, "signalement_eclairage", "demande_acte_naissance")
    _robot(ctx, "retards", DIGEST)
    clock.now = datetime(2026, 3, 12, 6, 0)  # Thursday: the street-lighting report (due 9 March) is overdue
    scheduler = Scheduler(ctx, load_robots(ctx.settings.robots_path)[0], started=clock.now)
    assert scheduler.tick(clock.now) == []  # before 7:00
    clock.now = datetime(2026, 3, 12, 7, 0, 30)
    [result] = scheduler.tick(clock.now)
    assert result.outcome == "ok" and result.counts["courriels"] == 1
    [message] = smtp.messages
    assert message["To"] == "services-techniques@mairie.example.fr"
    assert "1 demande(s) en retard" in message["Subject"]
    assert "2026-VOI-000001" in message.get_content() and "EN RETARD" in message.get_content()
    assert scheduler.tick(datetime(2026, 3, 12, 9, 0)) == []  # once a day
    # The same run again (a crash, a manual re-run): nothing is sent twice.
    again = run_robot(ctx, load_robot(ctx.settings.robots_path / "retards.toml"), trigger="manuel")
    assert again.counts.get("deja_envoye") == 1 and len(smtp.messages) == 1
    clock.now = datetime(2026, 3, 13, 7, 5)
    [next_day] = scheduler.tick(clock.now)
    assert next_day.counts["courriels"] == 1 and len(smtp.messages) == 2
    history = automation.history(ctx, "retards")
    assert [r.outcome for r in history] == ["ok", "ok", "ok"] and history[0].started_at == clock.now


def test_transient_smtp_failure_is_retried_with_backoff(ctx: Context, clock: Clock, smtp: SmtpServer,
                                                       tmp_path: Path) -> None:
    _ingest(ctx, tmp_path, "signalement_eclairage")
    clock.now = datetime(2026, 3, 12, 8, 0)
    robot = load_robot(_robot(ctx, "retards", DIGEST))
    smtp.refuse = 2
    waits: list[float] = []
    result = run_robot(ctx, robot, trigger="manuel", sleep=waits.append)
    assert result.outcome == "ok" and len(smtp.messages) == 1
    assert waits == [2, 4]  # exponential backoff, without sleeping in the test
    assert automation.history(ctx, "retards")[0].attempts == 3


def test_a_robot_never_runs_twice_at_the_same_time(ctx: Context) -> None:
    robot = load_robot(_robot(ctx, "retards", DIGEST))
    from datetime import timedelta

    assert automation.acquire(ctx, "retards", "autre-machine:42", ttl=timedelta(minutes=60))
    assert run_robot(ctx, robot, trigger="manuel").outcome == "occupe"
    automation.release(ctx, "retards", "autre-machine:42")
    assert run_robot(ctx, robot, trigger="manuel").outcome == "ok"


def test_event_robot_posts_a_signed_webhook_and_assigns(ctx: Context, clock: Clock, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    receiver = WebhookReceiver().start()
    monkeypatch.setenv("GED_WEBHOOK_KEY", "cle-partagee")
    _robot(ctx, "urbanisme", f"""
[trigger]
event = "demande_creee"
[filter]
type = "urbanisme"
[[actions]]
action = "webhook"
url = "{receiver.url}"
secret_env = "GED_WEBHOOK_KEY"
[[actions]]
action = "attribuer"
assignee = "instructeur-urba"
""")
    scheduler = Scheduler(ctx, load_robots(ctx.settings.robots_path)[0], started=clock.now)
    assert scheduler.tick(clock.now) == []  # first look: starts at the end of the journal
    _ingest(ctx, tmp_path, "declaration_prealable", "signalement_eclairage")
    [result] = scheduler.tick(clock.now)
    assert result.outcome == "ok" and result.counts["webhooks"] == 1 and result.counts["attribuees"] == 1
    [(headers, body)] = receiver.calls
    expected = "sha256=" + hmac.new(b"cle-partagee", body, hashlib.sha256).hexdigest()
    assert headers["x-ged-signature"] == expected
    assert json.loads(body)["element"]["demande"] == "2026-URB-000001"
    assert casework.show(ctx, "2026-URB-000001").assignee == "instructeur-urba"
    assert scheduler.tick(clock.now) == [] and len(receiver.calls) == 1
    receiver.stop()


def test_export_and_dry_run(ctx: Context, tmp_path: Path, run_cli) -> None:  # noqa: ANN001
    _ingest(ctx, tmp_path, "signalement_eclairage", "facture_fournisseur")
    _robot(ctx, "export", f'[trigger]\ncron = "0 18 * * *"\n[[actions]]\naction = "exporter"\n'
                          f'folder = "{tmp_path / "exports"}"\nformat = "csv"\n')
    simulated = run_cli("robots", "run-once", "export", "--dry-run", "--json")
    assert simulated.exit_code == 0 and simulated.json()["outcome"] == "simulation"
    assert not (tmp_path / "exports").exists()
    assert run_cli("robots", "run-once", "export").exit_code == 0
    [written] = list((tmp_path / "exports").iterdir())
    content = written.read_text(encoding="utf-8-sig")
    assert content.splitlines()[0].startswith("agent;demande;demandeur") and "2026-FAC-000001" in content
    assert "export  ok" in run_cli("robots", "history", "export").stdout


def test_a_filter_state_the_rows_never_hold_selects_nothing(ctx: Context, tmp_path: Path) -> None:
    """A robot file's ``state`` is compared with documents' and requests' states alike: one that is
    neither (a typo) selects nothing instead of failing the run; a document's state is read as
    people write it, and as it was stored before 0013 (``processed``)."""
    _ingest(ctx, tmp_path, "signalement_eclairage")
    for state, documents, requests in (("traité", 1, 0), ("processed", 1, 0), ("nouvelle", 0, 1), ("tratie", 0, 0)):
        criteria = selection.Criteria(None, None, state, None, None)
        assert (len(selection.documents(ctx, criteria)), len(selection.requests_of(ctx, criteria))) == (
            documents, requests), state


def test_monthly_retention_proposal(ctx: Context, clock: Clock) -> None:
    _robot(ctx, "retention", '[trigger]\ncron = "0 6 1 * *"\n[[actions]]\naction = "retention_echeances"\n'
                             '[[actions]]\naction = "retention_proposer"\n')
    scheduler = Scheduler(ctx, load_robots(ctx.settings.robots_path)[0], started=clock.now)
    assert scheduler.tick(datetime(2026, 3, 31, 23, 0)) == []
    [result] = scheduler.tick(datetime(2026, 4, 1, 6, 1))
    assert result.outcome == "ok" and result.counts["proposes"] == 0  # nothing archived yet: no empty list
    with ctx.db.session() as session:
        assert session.scalar(select(EliminationList)) is None


def test_hourly_seal_is_mailed_to_the_archivist(ctx: Context, clock: Clock, smtp: SmtpServer,
                                                 tmp_path: Path) -> None:
    assert install_demo_pki(ctx.settings)
    sealing = Context.open(load_settings(), clock=clock)
    _ingest(sealing, tmp_path, "facture_fournisseur")
    _robot(sealing, "sceau", '[trigger]\ninterval_minutes = 60\n[[actions]]\naction = "sceller_journal"\n'
                             'to = ["archives@mairie.example.fr"]\n')
    result = run_robot(sealing, load_robot(sealing.settings.robots_path / "sceau.toml"), trigger="manuel")
    assert result.outcome == "ok" and result.counts["sceaux"] == 1 and result.counts["courriels"] == 1
    [message] = smtp.messages
    logged = sealing.anchors.seal_log.read_text().strip()
    assert message["To"] == "archives@mairie.example.fr" and "Sceau du journal" in message["Subject"]
    assert logged in message.get_content()  # the archivist's mailbox holds the seal log's very line
    sealing.close()


def _append(server: DovecotServer, message: EmailMessage) -> None:
    client = imaplib.IMAP4_SSL("127.0.0.1", server.imaps_port, ssl_context=ssl.create_default_context(
        cafile=str(server.ca)))
    client.login(server.user, server.password)
    client.append("INBOX", None, None, message.as_bytes())
    client.logout()


def _mail(message_id: str, subject: str, attachment: Path | None) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"] = "Françoise Lemaire <f.lemaire@exemple.fr>", "courrier@mairie.example.fr"
    message["Subject"], message["Message-ID"] = subject, message_id
    message["Date"] = "Mon, 02 Mar 2026 08:15:00 +0100"
    message.set_content("Bonjour,\nVeuillez trouver ma demande en pièce jointe.\nCordialement.")
    if attachment is not None:
        message.add_attachment(attachment.read_bytes(), maintype="application", subtype="pdf",
                               filename=attachment.name)
    return message


@pytest.mark.skipif(not dovecot_available(), reason="Dovecot absent (paquet dovecot-imapd) : relève IMAP non testée")
@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_mailbox_intake_over_tls(ctx: Context, clock: Clock, tmp_path: Path, security: str,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    server = DovecotServer().start()
    try:
        monkeypatch.setenv("GED_IMAP_PASSWORD", server.password)
        letter = tmp_path / "demande_acte_naissance.pdf"
        born_digital_pdf(by_name("demande_acte_naissance"), letter)
        _append(server, _mail("<acte-1@exemple.fr>", "Demande d'acte", letter))
        _append(server, _mail("<sans-piece@exemple.fr>", "Nid de poule rue Pasteur", None))
        port = server.imaps_port if security == "ssl" else server.imap_port
        _robot(ctx, "boite", f"""
description = "La boîte de la mairie, toutes les cinq minutes"
[trigger]
interval_minutes = 5
[[actions]]
action = "releve_courriel"
host = "127.0.0.1"
port = {port}
security = "{security}"
user = "{server.user}"
password_env = "GED_IMAP_PASSWORD"
ca_file = "{server.ca}"
""")
        scheduler = Scheduler(ctx, load_robots(ctx.settings.robots_path)[0], started=clock.now)
        [result] = scheduler.tick(clock.now)
        assert result.outcome == "ok", result.error
        assert result.counts["courriels"] == 2 and result.counts["documents"] == 3
        with ctx.db.session() as session:
            documents = list(session.scalars(select(Document).order_by(Document.id)))
            alone_text = documents[2].text
        message, attachment, alone = documents  # each mail is a document, and so is its attachment
        assert message.filename == alone.filename == "courriel.eml" and message.media_type == "message/rfc822"
        assert attachment.filename == "demande_acte_naissance.pdf" and attachment.doc_type == "etat_civil"
        assert attachment.attributes["courriel"] == message.sha256
        assert attachment.attributes["expediteur"] == "Françoise Lemaire <f.lemaire@exemple.fr>"
        assert attachment.attributes["objet"] == "Demande d'acte"
        assert "Nid de poule rue Pasteur" in alone_text
        assert scheduler.tick(clock.now) == []  # not due again before five minutes
        _append(server, _mail("<acte-1@exemple.fr>", "Demande d'acte (renvoi)", letter))  # same Message-ID
        clock.now = datetime(2026, 3, 2, 6, 6)
        [second] = scheduler.tick(clock.now)
        assert second.counts["deja_recus"] == 1 and second.counts["documents"] == 0
        with ctx.db.session() as session:
            assert len(list(session.scalars(select(Document)))) == 3
    finally:
        server.stop()


@pytest.mark.skipif(not dovecot_available(), reason="Dovecot absent (paquet dovecot-imapd) : relève IMAP non testée")
def test_a_crash_before_the_mail_is_flagged_loses_nothing_and_duplicates_nothing(
        ctx: Context, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = DovecotServer().start()
    try:
        monkeypatch.setenv("GED_IMAP_PASSWORD", server.password)
        letter = tmp_path / "facture_fournisseur.pdf"
        born_digital_pdf(by_name("facture_fournisseur"), letter)
        _append(server, _mail("<facture@exemple.fr>", "Facture", letter))
        robot = load_robot(_robot(ctx, "boite", f"""
[trigger]
interval_minutes = 5
[[actions]]
action = "releve_courriel"
host = "127.0.0.1"
port = {server.imaps_port}
user = "{server.user}"
password_env = "GED_IMAP_PASSWORD"
ca_file = "{server.ca}"
"""))
        from robots import mailbox

        def crash(*_args: object) -> None:
            raise OSError("coupure réseau après l'intégration")

        with monkeypatch.context() as patch:
            patch.setattr(mailbox, "_done", crash)
            first = run_robot(ctx, robot, trigger="manuel", sleep=lambda _s: None)
        assert first.outcome == "erreur"
        with ctx.db.session() as session:
            assert len(list(session.scalars(select(Document)))) == 2  # the mail and its attachment, before the crash
        second = run_robot(ctx, robot, trigger="manuel")
        assert second.outcome == "ok" and second.counts["deja_recus"] == 1
        with ctx.db.session() as session:
            assert len(list(session.scalars(select(Document)))) == 2
    finally:
        server.stop()


def test_overdue_requests_are_notified_once_each(ctx: Context, clock: Clock, smtp: SmtpServer,
                                                tmp_path: Path) -> None:
    _ingest(ctx, tmp_path, "signalement_eclairage", "demande_acte_naissance")
    _robot(ctx, "retard", '[trigger]\nevent = "demande_en_retard"\n[[actions]]\naction = "notifier"\n'
                          'subject = "[GED] demande en retard : {titre}"\n')
    scheduler = Scheduler(ctx, load_robots(ctx.settings.robots_path)[0], started=clock.now)
    assert scheduler.tick(clock.now) == []  # nothing is late yet
    clock.now = datetime(2026, 3, 12, 10, 0)  # the report (due 9 March) is late; the civil status one is not
    [result] = scheduler.tick(clock.now)
    assert result.counts["courriels"] == 1
    assert smtp.messages[0]["Subject"] == "[GED] demande en retard : 2026-VOI-000001"
    assert smtp.messages[0]["To"] == "services-techniques@mairie.example.fr"
    scheduler.tick(datetime(2026, 3, 12, 10, 15))
    assert len(smtp.messages) == 1  # still late, but already notified
    clock.now = datetime(2026, 3, 17, 10, 0)  # now the civil status request is late too
    scheduler.tick(clock.now)
    assert [m["Subject"][-15:] for m in smtp.messages] == ["2026-VOI-000001", "2026-ECV-000001"]


def test_daemon_runs_watcher_and_robots_and_stops_on_sigterm(ged_home: Path, run_cli, tmp_path: Path) -> None:  # noqa: ANN001
    import os
    import signal
    import subprocess
    import sys
    import time

    assert run_cli("init").exit_code == 0
    inbox = tmp_path / "scans"
    inbox.mkdir()
    with (ged_home / "ged.toml").open("a", encoding="utf-8") as config:
        config.write(f'\n[[watch.folders]]\npath = "{inbox}"\n')
    (ged_home / "robots").mkdir()
    (ged_home / "robots" / "index.toml").write_text('[trigger]\ninterval_minutes = 60\n[[actions]]\n'
                                                    'action = "reindexer"\n', encoding="utf-8")
    env = dict(os.environ, GED_WATCH__SETTLE_SECONDS="0.5", GED_ROBOTS__POLL_SECONDS="0.5")
    daemon = subprocess.Popen([sys.executable, "-c", "from cli.app import main; main()", "daemon"],
                              cwd=Path(__file__).parents[1], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        born_digital_pdf(by_name("signalement_eclairage"), inbox / "lettre.pdf")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (inbox / "done").exists():
            time.sleep(0.5)
        while time.monotonic() < deadline and not run_cli("robots", "history", "--json").json():
            time.sleep(0.5)
    finally:
        daemon.send_signal(signal.SIGTERM)
        out, err = daemon.communicate(timeout=60)
    assert daemon.returncode == 0, err.decode()
    assert "Arrêt propre" in out.decode()
    assert list((inbox / "done").rglob("lettre.pdf"))
    [run] = run_cli("robots", "history", "--json").json()
    assert run["robot"] == "index" and run["outcome"] == "ok" and "indexes" in run["counts"], run["error"]
