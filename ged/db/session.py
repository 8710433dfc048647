"""Engine and sessions, the same code on SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import Table, create_engine, event, insert, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, make_transient_to_detached, sessionmaker

from .models import Base

M = TypeVar("M", bound=Base)

MIGRATIONS = Path(__file__).parent / "migrations"
SCHEMA_HEAD = "0013"
"""The newest migration's revision (a test checks it against the migrations folder): when the
database already carries it, opening skips Alembic, which costs ≈0.3 s of start-up per command."""


def _sqlite_pragmas(engine: Engine) -> None:
    """WAL for concurrent readers; every transaction takes the write lock up front, so that
    two processes appending to the journal can never read the same chain head."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite"):
            database = url.split("///", 1)[-1]
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
        # A server may drop a pooled connection (restart, idle timeout): checked before use. An SQLite
        # file cannot, and the check would cost a query per transaction.
        self.engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
        if self.engine.dialect.name == "sqlite":
            _sqlite_pragmas(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def revision(self) -> str | None:
        with self.engine.connect() as connection:
            try:
                return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            except DBAPIError:
                return None

    def migrate(self) -> None:
        """Bring the schema to the newest migration (idempotent)."""
        if self.revision() == SCHEMA_HEAD:
            return
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.connect() as connection:
            # SQLite changes a table by rebuilding it; with foreign keys enforced, dropping the old
            # table would fail on every row that references it. Off outside the transaction (a
            # no-op inside one), checked before committing, on again for whoever reuses the connection.
            sqlite = connection.connection.driver_connection if self.dialect == "sqlite" else None
            if sqlite is not None:
                sqlite.execute("PRAGMA foreign_keys=OFF")
            try:
                with connection.begin():
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
                    check = "PRAGMA foreign_key_check"
                    if sqlite is not None and (broken := connection.exec_driver_sql(check).fetchall()):
                        raise RuntimeError(f"migration : références rompues {broken[:5]}")
            finally:
                if sqlite is not None:
                    sqlite.execute("PRAGMA foreign_keys=ON")

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back if it raises."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def listen(self, hook: str, handler: Callable[..., None]) -> None:
        """Run ``handler`` on a session event (``before_commit``, ``after_flush``…) of this database's sessions."""
        event.listen(self._sessions, hook, handler)

    def dispose(self) -> None:
        self.engine.dispose()


def insert_now(session: Session, model: type[M], **values: Any) -> M:
    """Insert one row at once and return it, loaded, without flushing what else the session holds.

    For a row whose id is needed straight away (to point at it, to journal it) in a transaction
    that writes many documents: a flush there would write the rows pending so far one document
    at a time, where the commit writes them all together, several rows to a statement.
    """
    table = cast(Table, model.__table__)
    instance = model(**values)
    instance.id = session.execute(  # type: ignore[attr-defined]  # the models given here have an integer id
        insert(table).returning(table.c.id), values).scalar_one()
    make_transient_to_detached(instance)  # what it holds is what was written: no query to load it back
    session.add(instance)
    return instance
