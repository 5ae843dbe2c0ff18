"""A SQLAlchemy engine on the ledger's database, for the tables beside the event store
(principals here; the projections' tables on the read side)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event


def engine_for(database_url: str, *, writer: bool = False) -> Engine:
    """A SQLAlchemy engine on the ledger's database (`sqlite:///…` or `postgresql://…`).

    A writer's transactions are serialised with other writers from their first statement
    (SQLite: BEGIN IMMEDIATE; on PostgreSQL the projections take an advisory lock), so two
    projection runners never fold the same page at once.
    """
    if database_url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + database_url.split("://", 1)[1]
        return create_engine(url, pool_pre_ping=True)
    if not database_url.startswith("sqlite:///"):
        raise ValueError(f"unsupported database URL: {database_url.split(':')[0]}")
    engine = create_engine(database_url, connect_args={"timeout": 60})
    if writer:

        @event.listens_for(engine, "connect")
        def _manual_transactions(dbapi_connection: Any, _: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
