"""The event store: the `eventsourcing` library's SQLite and PostgreSQL recorders, with
two columns the ledger needs beside the library's own (`event_id`, unique, for
idempotency; `recorded_at`, indexed, for "as the system knew it at time T"), a head row
that numbers the log, and the access log.

Notification ids come from the head row (`<events>_head`), which holds the last number
given. On PostgreSQL a single append is one round trip: a function that increments the
head and inserts the row numbered by it; a batch increments it by its size in one
transaction and COPYs its rows in. The head row's lock, held until commit, makes commit
order equal notification order (so a projection tailing the log never passes a gap that
fills later), and a rolled-back append rolls its number back: the global sequence stays
contiguous, and `verify` can tell rows removed from the end of the log (the head is
ahead of the last row) as well as from the middle (a gap). SQLite's single writer does
the same with the head row and explicit rowids.

The access log (`access_log`) is a second hash chain, numbered by `seq`, with the
columns a query filters on beside each entry's canonical record (see `journey.access`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple
from urllib.parse import unquote, urlparse
from uuid import UUID

import orjson
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
from psycopg.sql import SQL, Composable, Composed, Identifier

from journey.record import GENESIS, LedgerRecord

SCHEMA_LOCK_KEY = 0x6A6F75726E6579 + 1  # "journey" + 1
ACCESS_LOG = "access_log"
COPY_TYPES = ["uuid", "int8", "text", "bytea", "uuid", "timestamptz", "int8"]


class StoredRow(NamedTuple):
    """One row of the event table as stored, ids as text, for `journey verify`."""

    notification_id: int
    stream_id: str
    version: int
    topic: str
    state: bytes
    event_id: str
    recorded_at: datetime


class AccessRow(NamedTuple):
    """One entry of the access log: the indexed columns and the chained record."""

    seq: int
    at: datetime
    principal: str
    child_id: UUID | None
    action: str
    record: bytes


@dataclass(frozen=True)
class AccessQuery:
    after: int = 0
    limit: int = 10_000
    child_id: UUID | None = None
    principal: str | None = None
    start: datetime | None = None
    end: datetime | None = None


# Given the next sequence number and the previous entry's hash, make the entry to store.
MakeAccessRow = Callable[[int, str], AccessRow]


def _hash_of(previous: Any) -> str:
    """The hash a new access entry follows: the last stored entry's (64 zeros for none)."""
    if previous is None:
        return GENESIS
    record = previous["record"] if isinstance(previous, dict) else previous[0]
    return str(orjson.loads(bytes(record))["hash"])


def _dashed(hex32: str) -> str:
    """A UUID's 32 hex digits in the usual 8-4-4-4-12 form."""
    h = hex32
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


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
            f"CREATE TABLE IF NOT EXISTS {table}_head ("
            "id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {ACCESS_LOG} ("
            "seq INTEGER PRIMARY KEY, at TEXT NOT NULL, principal TEXT NOT NULL, "
            "child_id TEXT, action TEXT NOT NULL, record BLOB NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {ACCESS_LOG}_child ON {ACCESS_LOG} (child_id, seq)",
            f"CREATE TABLE IF NOT EXISTS {ACCESS_LOG}_head ("
            "id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL)",
        ]

    def _insert_events(
        self, c: Any, stored_events: Sequence[StoredEvent], **_: Any
    ) -> Sequence[int] | None:
        table = self.events_table_name
        c.execute(
            f"INSERT INTO {table}_head (id, position) "
            f"SELECT 1, COALESCE(MAX(rowid), 0) + ? FROM {table} WHERE true "
            "ON CONFLICT (id) DO UPDATE SET position = position + ? RETURNING position",
            (len(stored_events), len(stored_events)),
        )
        head = int(c.fetchone()[0]) - len(stored_events)
        statement = (
            f"INSERT INTO {table} "
            "(rowid, originator_id, originator_version, topic, state, event_id, recorded_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)"
        )
        ids = list(range(head + 1, head + 1 + len(stored_events)))
        for n, s in zip(ids, stored_events, strict=True):
            assert isinstance(s, LedgerRecord)
            c.execute(
                statement,
                (
                    n,
                    _hex(s.originator_id),
                    s.originator_version,
                    s.topic,
                    s.state,
                    s.event_id.hex,
                    s.recorded_at.isoformat(),
                ),
            )
        return ids

    def ledger_head(self) -> int | None:
        return self._head(f"SELECT position FROM {self.events_table_name}_head")

    def access_log_head(self) -> int | None:
        return self._head(f"SELECT seq FROM {ACCESS_LOG}_head")

    def _head(self, statement: str) -> int | None:
        """The last number given, None before the first (SQLite makes the head row on the
        first write, so that opening a database never writes)."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement)
            row = c.fetchone()
        return None if row is None else int(row[0])

    def select_rows(self, start: int, limit: int) -> list[StoredRow]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT rowid, originator_id, originator_version, topic, state, event_id, "
                f"recorded_at FROM {self.events_table_name} WHERE rowid >= ? "
                "ORDER BY rowid LIMIT ?",
                (start, limit),
            )
            return [
                StoredRow(n, _dashed(o), v, t, s, _dashed(e), datetime.fromisoformat(r))
                for n, o, v, t, s, e, r in c.fetchall()
            ]

    def append_access(self, make: MakeAccessRow) -> AccessRow:
        """Number and chain one access entry with the database write-locked."""
        with self.datastore.get_connection(commit=True) as conn:
            c = conn.cursor()
            c.execute("BEGIN IMMEDIATE")
            try:
                c.execute(
                    f"INSERT INTO {ACCESS_LOG}_head (id, seq) "
                    f"SELECT 1, COALESCE(MAX(seq), 0) + 1 FROM {ACCESS_LOG} WHERE true "
                    "ON CONFLICT (id) DO UPDATE SET seq = seq + 1 RETURNING seq"
                )
                seq = int(c.fetchone()[0])
                c.execute(
                    f"SELECT record FROM {ACCESS_LOG} WHERE seq < ? ORDER BY seq DESC LIMIT 1",
                    (seq,),
                )
                row = make(seq, _hash_of(c.fetchone()))
                c.execute(
                    f"INSERT INTO {ACCESS_LOG} (seq, at, principal, child_id, action, record) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        row.seq,
                        row.at.astimezone(UTC).isoformat(timespec="microseconds"),
                        row.principal,
                        None if row.child_id is None else row.child_id.hex,
                        row.action,
                        row.record,
                    ),
                )
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
        return row

    def select_access(self, query: AccessQuery) -> list[AccessRow]:
        where: list[str] = ["seq > ?"]
        args: list[Any] = [query.after]
        if query.child_id is not None:
            where.append("child_id = ?")
            args.append(query.child_id.hex)
        if query.principal is not None:
            where.append("principal = ?")
            args.append(query.principal)
        if query.start is not None:
            where.append("at >= ?")
            args.append(query.start.astimezone(UTC).isoformat(timespec="microseconds"))
        if query.end is not None:
            where.append("at < ?")
            args.append(query.end.astimezone(UTC).isoformat(timespec="microseconds"))
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT seq, at, principal, child_id, action, record FROM {ACCESS_LOG} "
                f"WHERE {' AND '.join(where)} ORDER BY seq LIMIT ?",
                (*args, query.limit),
            )
            return [
                AccessRow(
                    seq,
                    datetime.fromisoformat(at),
                    who,
                    None if child is None else UUID(child),
                    action,
                    bytes(record),
                )
                for seq, at, who, child, action, record in c.fetchall()
            ]

    def select_states(
        self, stream_id: UUID, *, after: int = 0, recorded_by: datetime | None = None
    ) -> list[bytes]:
        """The stream's stored records after a version, in order; with `recorded_by`, only
        those the ledger had stored by then. (SQLite keeps recorded_at as text with the
        clock's own offset, so the moment is compared here, not in SQL.)"""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT state, recorded_at FROM {self.events_table_name} "
                "WHERE originator_id = ? AND originator_version > ? ORDER BY originator_version",
                (stream_id.hex, after),
            )
            rows = c.fetchall()
        if recorded_by is None:
            return [state for state, _ in rows]
        return [state for state, at in rows if datetime.fromisoformat(at) <= recorded_by]

    def stream_version(self, stream_id: UUID) -> int:
        """The stream's last version (0 for a stream with nothing stored)."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT MAX(originator_version) FROM {self.events_table_name} "
                "WHERE originator_id = ?",
                (stream_id.hex,),
            )
            (version,) = c.fetchone()
        return int(version or 0)

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


class _SerialisedSchema:
    """Create tables, types and functions one process at a time: PostgreSQL's catalog
    refuses concurrent CREATE OR REPLACE of the same object ("tuple concurrently
    updated"), which several services starting together would otherwise meet."""

    datastore: Any
    events_table_name: str

    def create_table(self) -> None:
        if not self._may_alter_schema():
            # The application role of `journey init --roles`: the owner made the tables,
            # and PostgreSQL refuses even CREATE ... IF NOT EXISTS to a role without
            # CREATE on the schema (and CREATE INDEX to one not owning the table).
            self.datastore.register_type_adapters()
            return
        with self.datastore.get_connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK_KEY,))
            try:
                super().create_table()  # type: ignore[misc]
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK_KEY,))

    def _may_alter_schema(self) -> bool:
        """False when the table exists and this role cannot act as its owner."""
        with self.datastore.get_connection() as conn:
            row = conn.execute(
                "SELECT pg_has_role(c.relowner, 'USAGE') AS owner FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relname = %s",
                (self.datastore.schema, self.events_table_name),
            ).fetchone()
        return row is None or bool(row["owner"])


def _first_head_row(
    schema: Identifier, head: Identifier, column: str, table: Identifier
) -> Composed:
    """Make the head row once, numbered after what the table already holds. Where the row
    exists this reads it from the snapshot and writes nothing, so a service starting up
    never waits on the row lock of an append in flight (ON CONFLICT alone would, while that
    append waits on the startup's own table locks: a deadlock)."""
    return SQL(
        "INSERT INTO {schema}.{head} SELECT 1, (SELECT COALESCE(MAX({column}), 0) "
        "FROM {schema}.{table}) WHERE NOT EXISTS (SELECT 1 FROM {schema}.{head}) "
        "ON CONFLICT (id) DO NOTHING"
    ).format(schema=schema, head=head, column=Identifier(column), table=table)


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
        head = Identifier(f"{events_table_name}_head")
        access_head = Identifier(f"{ACCESS_LOG}_head")
        self.sql_create_statements += [
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{head} ("
                "id smallint PRIMARY KEY CHECK (id = 1), position bigint NOT NULL)"
            ).format(schema=schema, head=head),
            _first_head_row(schema, head, "notification_id", table),
            SQL(
                "CREATE OR REPLACE FUNCTION {schema}.{function}("
                "id uuid, version bigint, topic text, state bytea, event_id uuid, "
                "recorded_at timestamptz) "
                "RETURNS bigint LANGUAGE plpgsql AS $$ "
                "DECLARE numbered bigint; "
                "BEGIN "
                "UPDATE {schema}.{head} SET position = position + 1 WHERE {head}.id = 1 "
                "RETURNING position INTO numbered; "
                "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state, "
                "event_id, recorded_at, notification_id) "
                "VALUES (id, version, topic, state, event_id, recorded_at, numbered); "
                "RETURN numbered; "
                "END $$"
            ).format(
                schema=schema,
                function=Identifier(f"{events_table_name}_append_one"),
                table=table,
                head=head,
            ),
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{log} ("
                "seq bigint PRIMARY KEY, at timestamptz NOT NULL, principal text NOT NULL, "
                "child_id uuid, action text NOT NULL, record bytea NOT NULL)"
            ).format(schema=schema, log=Identifier(ACCESS_LOG)),
            SQL("CREATE INDEX IF NOT EXISTS {index} ON {schema}.{log} (child_id, seq)").format(
                index=Identifier(f"{ACCESS_LOG}_child"),
                schema=schema,
                log=Identifier(ACCESS_LOG),
            ),
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{head} ("
                "id smallint PRIMARY KEY CHECK (id = 1), seq bigint NOT NULL)"
            ).format(schema=schema, head=access_head),
            _first_head_row(schema, access_head, "seq", Identifier(ACCESS_LOG)),
        ]
        self.append_one_statement = SQL(
            "SELECT {schema}.{function}(%s, %s, %s, %s, %s, %s) AS notification_id"
        ).format(schema=schema, function=Identifier(f"{events_table_name}_append_one"))
        self.existing_streams_statement = SQL(
            "SELECT DISTINCT originator_id FROM {schema}.{table} WHERE originator_id = ANY(%s)"
        ).format(schema=schema, table=table)
        self.number_statement = SQL(
            "UPDATE {schema}.{head} SET position = position + %s WHERE id = 1 RETURNING position"
        ).format(schema=schema, head=head)
        self.ledger_head_statement = SQL("SELECT position FROM {schema}.{head}").format(
            schema=schema, head=head
        )
        states = (
            "SELECT state FROM {schema}.{table} WHERE originator_id = %s "
            "AND originator_version > %s"
        )
        self.select_states_statement = SQL(states + " ORDER BY originator_version").format(
            schema=schema, table=table
        )
        self.known_statement = SQL(
            states + " AND recorded_at <= %s ORDER BY originator_version"
        ).format(schema=schema, table=table)
        self.stream_version_statement = SQL(
            "SELECT MAX(originator_version) FROM {schema}.{table} WHERE originator_id = %s"
        ).format(schema=schema, table=table)
        self.select_rows_statement = SQL(
            "SELECT notification_id, originator_id::text, originator_version, topic, state, "
            "event_id::text, recorded_at FROM {schema}.{table} WHERE notification_id >= %s "
            "ORDER BY notification_id LIMIT %s"
        ).format(schema=schema, table=table)
        self.access_log = SQL("{schema}.{log}").format(schema=schema, log=Identifier(ACCESS_LOG))
        self.access_head = SQL("{schema}.{head}").format(schema=schema, head=access_head)
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
        # Many rows: one transaction that numbers them all on the head row (whose row lock
        # it holds until commit, as a single append does) and copies the rows in.
        with (
            self.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as curs,
        ):
            curs.execute(self.number_statement, (len(stored_events),))
            found = curs.fetchone()
            assert found is not None
            head = int(found["position"]) - len(stored_events)
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

    def select_states(
        self, stream_id: UUID, *, after: int = 0, recorded_by: datetime | None = None
    ) -> list[bytes]:
        """The stream's stored records after a version, in order; with `recorded_by`, only
        those the ledger had stored by then."""
        statement = self.select_states_statement if recorded_by is None else self.known_statement
        args: tuple[Any, ...] = (stream_id, after)
        if recorded_by is not None:
            args += (recorded_by,)
        with (
            self.datastore.get_connection() as conn,
            conn.cursor(row_factory=tuple_row) as curs,
        ):
            curs.execute(statement, args, prepare=True, binary=True)  # bytea without hex
            return [bytes(state) for (state,) in curs.fetchall()]

    def stream_version(self, stream_id: UUID) -> int:
        """The stream's last version (0 for a stream with nothing stored)."""
        with (
            self.datastore.get_connection() as conn,
            conn.cursor(row_factory=tuple_row) as curs,
        ):
            curs.execute(self.stream_version_statement, (stream_id,), prepare=True)
            found = curs.fetchone()
        return int(found[0] or 0) if found else 0

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

    def ledger_head(self) -> int | None:
        return self._head(self.ledger_head_statement)

    def access_log_head(self) -> int | None:
        return self._head(SQL("SELECT seq FROM {head}").format(head=self.access_head))

    def _head(self, statement: Composable) -> int | None:
        with (
            self.datastore.get_connection() as conn,
            conn.cursor(row_factory=tuple_row) as curs,
        ):
            curs.execute(statement)
            row = curs.fetchone()
        return None if row is None else int(row[0])

    def select_rows(self, start: int, limit: int) -> list[StoredRow]:
        with (
            self.datastore.get_connection() as conn,
            conn.cursor(row_factory=tuple_row) as curs,
        ):
            curs.execute(self.select_rows_statement, (start, limit), binary=True)
            return [StoredRow(*row) for row in curs.fetchall()]

    def append_access(self, make: MakeAccessRow) -> AccessRow:
        """Number and chain one access entry; the head row's lock, held to commit, keeps
        concurrent readers' entries in one chain."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                SQL("UPDATE {head} SET seq = seq + 1 WHERE id = 1 RETURNING seq").format(
                    head=self.access_head
                )
            )
            numbered = curs.fetchone()
            assert numbered is not None
            seq = int(numbered["seq"])
            curs.execute(
                SQL("SELECT record FROM {log} WHERE seq < %s ORDER BY seq DESC LIMIT 1").format(
                    log=self.access_log
                ),
                (seq,),
            )
            row = make(seq, _hash_of(curs.fetchone()))
            curs.execute(
                SQL(
                    "INSERT INTO {log} (seq, at, principal, child_id, action, record) "
                    "VALUES (%s, %s, %s, %s, %s, %s)"
                ).format(log=self.access_log),
                row,
            )
        return row

    def select_access(self, query: AccessQuery) -> list[AccessRow]:
        where: list[Composable] = [SQL("seq > %s")]
        args: list[Any] = [query.after]
        for column, value, test in (
            ("child_id", query.child_id, "= %s"),
            ("principal", query.principal, "= %s"),
            ("at", query.start, ">= %s"),
            ("at", query.end, "< %s"),
        ):
            if value is not None:
                where.append(SQL("{} " + test).format(Identifier(column)))
                args.append(value)
        statement = SQL(
            "SELECT seq, at, principal, child_id, action, record FROM {log} WHERE {where} "
            "ORDER BY seq LIMIT %s"
        ).format(log=self.access_log, where=SQL(" AND ").join(where))
        with (
            self.datastore.get_connection() as conn,
            conn.cursor(row_factory=tuple_row) as curs,
        ):
            curs.execute(statement, (*args, query.limit))
            return [
                AccessRow(seq, at, who, child, action, bytes(record))
                for seq, at, who, child, action, record in curs.fetchall()
            ]


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
