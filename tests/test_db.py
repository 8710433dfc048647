"""Schema migrations, the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from ged import witness
from ged.context import Context
from ged.db.models import Event
from ged.db.session import MIGRATIONS, SCHEMA_HEAD, Database


def test_schema_head_constant_matches_the_migrations() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_HEAD


def test_migration_creates_every_table_and_is_idempotent(context: Context) -> None:
    tables = set(inspect(context.db.engine).get_table_names())
    assert {"documents", "files", "pages", "events", "alembic_version"} <= tables
    assert context.db.revision() == SCHEMA_HEAD
    again = Database(context.settings.db_url)
    again.migrate()
    assert again.revision() == SCHEMA_HEAD
    again.dispose()


def test_upgrade_keeps_documents_and_what_references_them(database_url: str) -> None:
    """0007 rebuilds the documents table on SQLite (its only way to drop a constraint): the rows
    that reference documents must come through, and afterwards the bytes of an eliminated
    document may be stored again, those of a kept one still may not."""
    database = Database(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
    document = ("INSERT INTO documents (id, sha256, filename, size, state, received_at, attributes) "
                "VALUES (:id, :sha256, 'lettre.pdf', 3, :state, :at, '{}')")
    at = datetime(2026, 11, 24, 9, 0)
    with database.engine.begin() as connection:
        connection.execute(text(document), {"id": 1, "sha256": "a" * 64, "state": "eliminated", "at": at})
        connection.execute(text(document), {"id": 2, "sha256": "b" * 64, "state": "processed", "at": at})
        connection.execute(text("INSERT INTO files (document_id, role, sha256, size, media_type, created_at) "
                                "VALUES (2, 'original', :sha256, 3, 'application/pdf', :at)"),
                           {"sha256": "b" * 64, "at": at})
        connection.execute(text("INSERT INTO jobs (document_id, state, attempts, created_at) "
                                "VALUES (2, 'done', 1, :at)"), {"at": at})
    database.migrate()
    assert database.revision() == SCHEMA_HEAD
    with database.engine.begin() as connection:
        assert connection.execute(text("SELECT id, state FROM documents ORDER BY id")).all() == [
            (1, "elimine"), (2, "traite")]  # in French since 0013
        assert connection.execute(text("SELECT document_id FROM files")).scalars().all() == [2]
        assert connection.execute(text("SELECT document_id FROM jobs")).scalars().all() == [2]
        connection.execute(text(document), {"id": 3, "sha256": "a" * 64, "state": "recu", "at": at})
    with pytest.raises(IntegrityError), database.engine.begin() as connection:
        connection.execute(text(document), {"id": 4, "sha256": "b" * 64, "state": "recu", "at": at})
    if database.dialect == "sqlite":
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # enforced again
    database.dispose()


def test_upgrade_writes_documents_and_jobs_states_in_french(database_url: str) -> None:
    """0013 rewrites the last English states. An eliminated document whose bytes came back shares
    them with a kept one: the fingerprint index must not see both while the words change. Every
    document is left unindexed (the index holds the old words), and the downgrade restores them."""
    database = Database(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0012")
    document = ("INSERT INTO documents (id, sha256, filename, size, state, received_at, indexed_at, attributes) "
                "VALUES (:id, :sha256, 'lettre.pdf', 3, :state, :at, :at, '{}')")
    at = datetime(2026, 11, 24, 9, 0)
    old = ["received", "processed", "needs_review", "validated", "archived", "transferred", "quarantined",
           "eliminated", "processed"]
    with database.engine.begin() as connection:
        for number, state in enumerate(old, 1):
            connection.execute(text(document), {"id": number, "sha256": f"{min(number, 8):064x}", "state": state,
                                                "at": at})
        for number, state in enumerate(["pending", "claimed", "done", "failed"], 1):
            connection.execute(text("INSERT INTO jobs (document_id, state, attempts, created_at) "
                                    "VALUES (:id, :state, 1, :at)"), {"id": number, "state": state, "at": at})
    states = text("SELECT state FROM documents ORDER BY id")
    jobs = text("SELECT state FROM jobs ORDER BY id")
    database.migrate()
    with database.engine.begin() as connection:
        assert connection.execute(states).scalars().all() == [
            "recu", "traite", "a_verifier", "valide", "archive", "verse", "quarantaine", "elimine", "traite"]
        assert connection.execute(jobs).scalars().all() == ["a_faire", "en_cours", "fait", "echoue"]
        assert connection.execute(text("SELECT count(*) FROM documents WHERE indexed_at IS NOT NULL")).scalar() == 0
    with pytest.raises(IntegrityError), database.engine.begin() as connection:
        connection.execute(text(document), {"id": 10, "sha256": f"{8:064x}", "state": "traite", "at": at})
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0012")
    with database.engine.begin() as connection:
        assert connection.execute(states).scalars().all() == old
        assert connection.execute(jobs).scalars().all() == ["pending", "claimed", "done", "failed"]
    database.dispose()


def test_upgrade_witnesses_the_rows_written_before(database_url: str) -> None:
    """0008 journals the accounts and holds that predate witnessing: verify finds them witnessed,
    and a change made afterwards outside the application is still reported."""
    database = Database(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
    at = datetime(2026, 11, 24, 9, 0)
    with database.engine.begin() as connection:
        connection.execute(text("INSERT INTO users (login, name, password_hash, role, services, disabled, created_at)"
                                " VALUES ('archiviste', 'A. Rchiviste', 'x', 'archiviste', '[]', false, :at)"),
                           {"at": at})
    database.migrate()
    with database.session() as session:
        assert witness.check(session) == []
        assert session.scalar(select(Event.payload).where(Event.kind == witness.KIND))["table"] == "users"
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE users SET role = 'admin'"))
    with database.session() as session:
        [mismatch] = witness.check(session)
    assert (mismatch.table, mismatch.row) == ("users", 1) and "role (journal « archiviste », base « admin »)" in \
        mismatch.problem
    database.dispose()
