"""Where the read side keeps its tables: one SQLAlchemy `MetaData` in the ledger's own
database, and the table of projection positions.

Every projection table has a `stream_id` column: the stream (a child, a worker, a team, a
carer household) whose events its rows were folded from. The runner replaces a stream's
rows whole each time that stream has new events, so corrections and retractions, which
rewrite a stream's past, are applied exactly as they would be by a rebuild.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, MetaData, String, Table

from journey.database import engine_for

__all__ = ["engine_for", "lock_writer", "metadata", "positions", "stream_column"]

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


def lock_writer(conn: Any) -> None:
    """Wait for any other projection writer's transaction to end (PostgreSQL)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK_KEY})")
