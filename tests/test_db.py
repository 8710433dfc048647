"""Schema migrations, the same on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from ged.context import Context
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
