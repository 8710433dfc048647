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
            (1, "eliminated"), (2, "processed")]
        assert connection.execute(text("SELECT document_id FROM files")).scalars().all() == [2]
        assert connection.execute(text("SELECT document_id FROM jobs")).scalars().all() == [2]
        connection.execute(text(document), {"id": 3, "sha256": "a" * 64, "state": "received", "at": at})
    with pytest.raises(IntegrityError), database.engine.begin() as connection:
        connection.execute(text(document), {"id": 4, "sha256": "b" * 64, "state": "received", "at": at})
    if database.dialect == "sqlite":
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # enforced again
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
