"""The event store: the `eventsourcing` library's SQLite and PostgreSQL recorders, with
two columns the ledger needs beside the library's own (`event_id`, unique, for
idempotency; `recorded_at`, indexed, for "as the system knew it at time T").

On PostgreSQL a single append is one round trip: a function that takes a
transaction-level advisory lock, then numbers the new row after the current maximum
notification id; a batch takes the same lock in a transaction and COPYs its rows in. The
lock makes commit order equal notification order (so a projection tailing the log never
passes a gap that fills later), and numbering under the lock keeps the global sequence
contiguous: a rejected append leaves no hole for `verify` to explain. On SQLite the
single writer and the rowid give the same guarantees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlparse
from uuid import UUID

from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    InfrastructureFactory,
    StoredEvent,
)
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresFactory,
)
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteFactory
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from journey.record import LedgerRecord

APPEND_LOCK_KEY = 0x6A6F75726E6579  # "journey"
COPY_TYPES = ["uuid", "int8", "text", "bytea", "uuid", "timestamptz", "int8"]


class SQLiteLedgerRecorder(SQLiteApplicationRecorder):
    def construct_create_table_statements(self) -> list[str]:
        table = self.events_table_name
        return [
            f"CREATE TABLE IF NOT EXISTS {table} ("
            "originator_id TEXT NOT NULL, "
            "originator_version INTEGER NOT NULL, "
            "topic TEXT NOT NULL, "
            "state BLOB NOT NULL, "
            "event_id TEXT NOT NULL UNIQUE, "
            "recorded_at TEXT NOT NULL, "
            "PRIMARY KEY (originator_id, originator_version))",
            f"CREATE INDEX IF NOT EXISTS {table}_recorded_at ON {table} (recorded_at)",
        ]

    def _insert_events(
        self, c: Any, stored_events: Sequence[StoredEvent], **_: Any
    ) -> Sequence[int] | None:
        ids: list[int] = []
        statement = (
            f"INSERT INTO {self.events_table_name} "
            "(originator_id, originator_version, topic, state, event_id, recorded_at) "
            "VALUES (?, ?, ?, ?, ?, ?)"
        )
        for s in stored_events:
            assert isinstance(s, LedgerRecord)
            c.execute(
                statement,
                (
                    _hex(s.originator_id),
                    s.originator_version,
                    s.topic,
                    s.state,
                    s.event_id.hex,
                    s.recorded_at.isoformat(),
                ),
            )
            ids.append(c.lastrowid)
        return ids

    def find_event(self, event_id: UUID) -> tuple[UUID, int] | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT originator_id, originator_version FROM {self.events_table_name} "
                "WHERE event_id = ?",
                (event_id.hex,),
            )
            row = c.fetchone()
        return None if row is None else (UUID(row[0]), int(row[1]))

    def existing_event_ids(self, event_ids: Sequence[UUID]) -> set[UUID]:
        return self._existing("event_id", event_ids)

    def existing_streams(self, stream_ids: Sequence[UUID]) -> set[UUID]:
        """Which of these streams hold any event (the rest are new)."""
        return self._existing("originator_id", stream_ids)

    def _existing(self, column: str, values: Sequence[UUID]) -> set[UUID]:
        found: set[UUID] = set()
        with self.datastore.transaction(commit=False) as c:
            for start in range(0, len(values), 500):
                chunk = [v.hex for v in values[start : start + 500]]
                marks = ",".join("?" * len(chunk))
                c.execute(
                    f"SELECT DISTINCT {column} FROM {self.events_table_name} "
                    f"WHERE {column} IN ({marks})",
                    chunk,
                )
                found.update(UUID(row[0]) for row in c.fetchall())
        return found


def _hex(value: UUID | str) -> str:
    return value.hex if isinstance(value, UUID) else value


SCHEMA_LOCK_KEY = APPEND_LOCK_KEY + 1


class _SerialisedSchema:
    """Create tables, types and functions one process at a time: PostgreSQL's catalog
    refuses concurrent CREATE OR REPLACE of the same object ("tuple concurrently
    updated"), which several services starting together would otherwise meet."""

    datastore: Any

    def create_table(self) -> None:
        with self.datastore.get_connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK_KEY,))
            try:
                super().create_table()  # type: ignore[misc]
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK_KEY,))


class PostgresSnapshotRecorder(_SerialisedSchema, PostgresAggregateRecorder):
    pass


class PostgresLedgerRecorder(_SerialisedSchema, PostgresApplicationRecorder):
    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        schema, table = Identifier(datastore.schema), Identifier(events_table_name)
        self.sql_create_statements[self.create_table_statement_index] = SQL(
            "CREATE TABLE IF NOT EXISTS {schema}.{table} ("
            "originator_id uuid NOT NULL, "
            "originator_version bigint NOT NULL, "
            "topic text NOT NULL, "
            "state bytea NOT NULL, "
            "notification_id bigint NOT NULL, "
            "event_id uuid NOT NULL UNIQUE, "
            "recorded_at timestamptz NOT NULL, "
            "PRIMARY KEY (originator_id, originator_version))"
        ).format(schema=schema, table=table)
        self.sql_create_statements.append(
            SQL("CREATE INDEX IF NOT EXISTS {index} ON {schema}.{table} (recorded_at)").format(
                index=Identifier(f"{events_table_name}_recorded_at"), schema=schema, table=table
            )
        )
        self.sql_create_statements.append(
            SQL(
                "CREATE OR REPLACE FUNCTION {schema}.{function}("
                "id uuid, version bigint, topic text, state bytea, event_id uuid, "
                "recorded_at timestamptz) "
                "RETURNS bigint LANGUAGE plpgsql AS $$ "
                "DECLARE head bigint; "
                "BEGIN "
                "PERFORM pg_advisory_xact_lock({lock}); "
                "SELECT COALESCE(MAX(notification_id), 0) + 1 INTO head FROM {schema}.{table}; "
                "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state, "
                "event_id, recorded_at, notification_id) "
                "VALUES (id, version, topic, state, event_id, recorded_at, head); "
                "RETURN head; "
                "END $$"
            ).format(
                schema=schema,
                function=Identifier(f"{events_table_name}_append_one"),
                table=table,
                lock=APPEND_LOCK_KEY,
            )
        )
        self.append_one_statement = SQL(
            "SELECT {schema}.{function}(%s, %s, %s, %s, %s, %s) AS notification_id"
        ).format(schema=schema, function=Identifier(f"{events_table_name}_append_one"))
        self.existing_streams_statement = SQL(
            "SELECT DISTINCT originator_id FROM {schema}.{table} WHERE originator_id = ANY(%s)"
        ).format(schema=schema, table=table)
        self.lock_statement = SQL("SELECT pg_advisory_xact_lock({lock})").format(
            lock=APPEND_LOCK_KEY
        )
        self.head_statement = SQL(
            "SELECT COALESCE(MAX(notification_id), 0) AS head FROM {schema}.{table}"
        ).format(schema=schema, table=table)
        self.copy_statement = SQL(
            "COPY {schema}.{table} (originator_id, originator_version, topic, state, "
            "event_id, recorded_at, notification_id) FROM STDIN (FORMAT BINARY)"
        ).format(schema=schema, table=table)
        self.find_event_statement = SQL(
            "SELECT originator_id, originator_version FROM {schema}.{table} WHERE event_id = %s"
        ).format(schema=schema, table=table)
        self.existing_statement = SQL(
            "SELECT event_id FROM {schema}.{table} WHERE event_id = ANY(%s)"
        ).format(schema=schema, table=table)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if not stored_events:
            return []
        if len(stored_events) == 1:  # scalars: no arrays to adapt
            (s,) = stored_events
            assert isinstance(s, LedgerRecord)
            row = (s.originator_id, s.originator_version, s.topic, s.state)
            with (
                self.datastore.get_connection() as conn,
                conn.cursor(row_factory=tuple_row) as curs,
            ):
                curs.execute(
                    self.append_one_statement, (*row, s.event_id, s.recorded_at), prepare=True
                )
                found = curs.fetchone()
            assert found is not None
            return [int(found[0])]
        # Many rows: one transaction that takes the same lock, reads the head under it
        # (a new statement, so a new snapshot) and copies the rows in, numbered after it.
        with (
            self.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as curs,
        ):
            curs.execute(self.lock_statement)
            curs.execute(self.head_statement)
            found = curs.fetchone()
            assert found is not None
            head = int(found["head"])
            with curs.copy(self.copy_statement) as copy:
                copy.set_types(COPY_TYPES)
                for n, s in enumerate(stored_events, start=head + 1):
                    assert isinstance(s, LedgerRecord)
                    copy.write_row(
                        (
                            s.originator_id,
                            s.originator_version,
                            s.topic,
                            s.state,
                            s.event_id,
                            s.recorded_at,
                            n,
                        )
                    )
        return list(range(head + 1, head + 1 + len(stored_events)))

    def find_event(self, event_id: UUID) -> tuple[UUID, int] | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.find_event_statement, (event_id,), prepare=True)
            row = curs.fetchone()
        if row is None:
            return None
        return UUID(str(row["originator_id"])), int(row["originator_version"])

    def existing_event_ids(self, event_ids: Sequence[UUID]) -> set[UUID]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.existing_statement, (list(event_ids),))
            return {UUID(str(row["event_id"])) for row in curs.fetchall()}

    def existing_streams(self, stream_ids: Sequence[UUID]) -> set[UUID]:
        """Which of these streams hold any event (the rest are new)."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.existing_streams_statement, (list(stream_ids),))
            return {UUID(str(row["originator_id"])) for row in curs.fetchall()}


class SQLiteLedgerFactory(SQLiteFactory):
    application_recorder_class = SQLiteLedgerRecorder


class PostgresLedgerFactory(PostgresFactory):
    aggregate_recorder_class = PostgresSnapshotRecorder
    application_recorder_class = PostgresLedgerRecorder


LedgerRecorder = SQLiteLedgerRecorder | PostgresLedgerRecorder


@dataclass
class Store:
    """The recorders one ledger uses, built from a database URL."""

    url: str
    factory: InfrastructureFactory[Any]
    events: LedgerRecorder
    snapshots: AggregateRecorder

    @property
    def is_postgres(self) -> bool:
        return isinstance(self.events, PostgresLedgerRecorder)

    def close(self) -> None:
        self.factory.close()


def factory_environment(url: str) -> dict[str, str]:
    """The `eventsourcing` environment for a `sqlite:///PATH` or `postgresql://` URL."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
            path = path.lstrip("/")
        if not path:
            raise ValueError("a SQLite URL names a file: sqlite:///journey.db")
        return {
            "PERSISTENCE_MODULE": "journey.store:SQLiteLedgerFactory",
            "SQLITE_DBNAME": path,
            "SQLITE_LOCK_TIMEOUT": "30",
        }
    if parsed.scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return {
            "PERSISTENCE_MODULE": "journey.store:PostgresLedgerFactory",
            "POSTGRES_DBNAME": parsed.path.lstrip("/") or "postgres",
            "POSTGRES_HOST": parsed.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parsed.port or 5432),
            "POSTGRES_USER": unquote(parsed.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parsed.password or ""),
            "POSTGRES_POOL_SIZE": "4",
            "POSTGRES_MAX_OVERFLOW": "16",
            "POSTGRES_SCHEMA": "public",
            "POSTGRES_CONNECT_TIMEOUT": "10",
        }
    raise ValueError(
        f"unsupported database URL scheme '{parsed.scheme}' (sqlite:/// or postgresql://)"
    )


def open_store(url: str) -> Store:
    env = factory_environment(url)
    factory = (
        SQLiteLedgerFactory(env)
        if env["PERSISTENCE_MODULE"].endswith("SQLiteLedgerFactory")
        else PostgresLedgerFactory(env)
    )
    events: ApplicationRecorder = factory.application_recorder()
    assert isinstance(events, SQLiteLedgerRecorder | PostgresLedgerRecorder)
    return Store(
        url=url, factory=factory, events=events, snapshots=factory.aggregate_recorder("snapshots")
    )
