"""Where the read side keeps its tables: one SQLAlchemy `MetaData` in the ledger's own
database, and the table of projection positions.

Every projection table has a `stream_id` column: the stream (a child, a worker, a team, a
carer household) whose events its rows were folded from. The runner replaces a stream's
rows whole each time that stream has new events, so corrections and retractions, which
rewrite a stream's past, are applied exactly as they would be by a rebuild.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, Engine, MetaData, String, Table, create_engine, event

metadata = MetaData()

# A projection's position: every event up to it is folded. A runner that shares the work
# out keeps one position per shard ("0/2", "1/2": the streams whose id modulo 2 is 0, 1);
# a single runner keeps "0/1". Where positions disagree, the lowest is where the
# projection stands, and folding again from there is harmless: a fold replaces a stream's
# rows whole.
positions = Table(
    "projection_positions",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("shard", String(16), primary_key=True),
    Column("position", BigInteger, nullable=False),
)


def stream_column() -> Column[str]:
    return Column("stream_id", String(36), nullable=False, index=True)


WRITER_LOCK_KEY = 0x6A6F75726E6570  # one projection writer at a time (PostgreSQL)


def engine_for(database_url: str, *, writer: bool = False) -> Engine:
    """A SQLAlchemy engine on the ledger's database (`sqlite:///…` or `postgresql://…`).

    A writer's transactions are serialised with other writers from their first statement
    (SQLite: BEGIN IMMEDIATE; PostgreSQL: `lock_writer` takes an advisory lock), so two
    runners never fold the same page at once.
    """
    if database_url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + database_url.split("://", 1)[1]
        return create_engine(url, pool_pre_ping=True)
    if not database_url.startswith("sqlite:///"):
        raise ValueError(f"unsupported database URL for projections: {database_url.split(':')[0]}")
    engine = create_engine(database_url, connect_args={"timeout": 60})
    if writer:

        @event.listens_for(engine, "connect")
        def _manual_transactions(dbapi_connection: Any, _: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def lock_writer(conn: Any) -> None:
    """Wait for any other projection writer's transaction to end (PostgreSQL)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK_KEY})")
