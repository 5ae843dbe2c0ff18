"""The projection runner: feeds projections from the event log, exactly once.

It reads the log in notification order, a page at a time. For each page it folds again
every stream the page touched (the whole stream, from a cache of decoded histories) and,
in ONE database transaction, replaces those streams' rows in every projection's tables and
moves each projection's position to the end of the page. A crash at any moment leaves
each projection at the end of a page it fully applied; the next run starts after it.
Because rows are a pure fold of each stream's history, catching up in any page size, after
any crash, gives the same tables as a rebuild from the first event.
"""

from __future__ import annotations

import gc
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import structlog
from psycopg.sql import SQL, Identifier
from sqlalchemy import Connection, Table, delete, insert, select

from journey.ledger import Ledger
from journey.record import Recorded, read_record
from journey.settings import Settings
from projections import schema
from projections.history import StreamHistory
from projections.projection import Projection

log = structlog.get_logger("journey.projections")

PAGE_SIZE = 25_000
HISTORY_CACHE_SIZE = 20_000  # streams kept decoded between pages
DELETE_CHUNK = 500

Progress = Callable[[int, int], None]  # (position, head)


@dataclass(frozen=True)
class ProjectionStatus:
    name: str
    position: int
    head: int

    @property
    def lag(self) -> int:
        return self.head - self.position


@dataclass(frozen=True)
class CatchUp:
    events: int
    seconds: float
    position: int

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


class ProjectionRunner:
    def __init__(
        self,
        settings: Settings,
        projections: Sequence[Projection],
        *,
        ledger: Ledger | None = None,
        page_size: int = PAGE_SIZE,
    ):
        self.projections = list(projections)
        self.page_size = page_size
        self.ledger = ledger or Ledger(settings)
        self._owns_ledger = ledger is None
        self.engine = schema.engine_for(settings.database_url, writer=True)
        schema.metadata.create_all(
            self.engine,
            tables=[schema.positions, *(t for p in self.projections for t in p.tables)],
        )
        self._histories: OrderedDict[UUID, StreamHistory] = OrderedDict()

    def close(self) -> None:
        self.engine.dispose()
        if self._owns_ledger:
            self.ledger.close()

    def __enter__(self) -> ProjectionRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- where each projection stands ---------------------------------------------------

    def head(self) -> int:
        return self.ledger.store.events.max_notification_id() or 0

    def positions(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return self._saved_positions(conn)

    def _saved_positions(self, conn: Connection) -> dict[str, int]:
        rows = conn.execute(select(schema.positions.c.name, schema.positions.c.position)).all()
        saved = {str(name): int(position) for name, position in rows}
        return {p.name: saved.get(p.name, 0) for p in self.projections}

    def status(self) -> list[ProjectionStatus]:
        head = self.head()
        return [ProjectionStatus(name, at, head) for name, at in self.positions().items()]

    # --- catching up --------------------------------------------------------------------

    def run(self, progress: Progress | None = None) -> CatchUp:
        """Catch every projection up to the head of the log as it is now."""
        started = time.perf_counter()
        positions = self.positions()
        head = self.head()
        start = min(positions.values(), default=head)
        done = start
        while done < head:
            page = self.ledger.store.events.select_notifications(
                done + 1, self.page_size, stop=head
            )
            if not page:
                break
            records = [(n.id, read_record(n.state, self.ledger.sealer)) for n in page]
            self._apply_page(records, positions)
            # The decoded histories live on between pages: keep the collector from
            # walking them again and again (a third of a catch-up's time otherwise).
            gc.freeze()
            done = page[-1].id
            for name in positions:
                positions[name] = max(positions[name], done)
            if progress is not None:
                progress(done, head)
        gc.unfreeze()
        seconds = time.perf_counter() - started
        log.info(
            "projections_caught_up", events=done - start, position=done, seconds=round(seconds, 3)
        )
        return CatchUp(events=done - start, seconds=seconds, position=done)

    def follow(
        self,
        poll_seconds: float = 1.0,
        stop: Callable[[], bool] = lambda: False,
        progress: Progress | None = None,
    ) -> None:
        """Keep catching up as events arrive, until `stop()` says so."""
        while not stop():
            if self.run(progress).events == 0:
                time.sleep(poll_seconds)

    def rebuild(
        self, names: Iterable[str] | None = None, progress: Progress | None = None
    ) -> CatchUp:
        """Empty the named projections (all by default) and fold them from the first event."""
        chosen = set(names) if names is not None else {p.name for p in self.projections}
        unknown = chosen - {p.name for p in self.projections}
        if unknown:
            raise ValueError(f"no projection named {', '.join(sorted(unknown))}")
        with self.engine.begin() as conn:
            for p in self.projections:
                if p.name in chosen:
                    for table in p.tables:
                        conn.execute(delete(table))
                    conn.execute(delete(schema.positions).where(schema.positions.c.name == p.name))
        self._histories.clear()
        return self.run(progress)

    # --- one page -----------------------------------------------------------------------

    def _apply_page(self, records: list[tuple[int, Recorded]], positions: dict[str, int]) -> None:
        touched: dict[UUID, int] = {}  # stream -> its last notification id in the page
        for notification_id, record in records:
            self._extend(record)
            touched[record.stream_id] = notification_id
        end = records[-1][0]
        with self.engine.begin() as conn:
            schema.lock_writer(conn)
            positions.update(self._saved_positions(conn))  # another runner may have moved on
            for p in self.projections:
                if positions[p.name] >= end:
                    continue
                streams = [
                    self._histories[s]
                    for s, last in touched.items()
                    if last > positions[p.name] and self._histories[s].stream in p.streams
                ]
                if streams:
                    self._replace(conn, p, streams)
                self._save_position(conn, p.name, end)
        self._trim()

    def _extend(self, record: Recorded) -> None:
        history = self._histories.get(record.stream_id)
        if history is None or history.records[-1].version != record.version - 1:
            earlier = (
                self.ledger.stream_records(record.stream_id)[: record.version - 1]
                if record.version > 1
                else []
            )
            history = StreamHistory(str(record.envelope["stream"]), record.stream_id, earlier)
            self._histories[record.stream_id] = history
        history.append(record)
        self._histories.move_to_end(record.stream_id)

    def _trim(self) -> None:
        while len(self._histories) > HISTORY_CACHE_SIZE:
            self._histories.popitem(last=False)

    @staticmethod
    def _replace(conn: Connection, projection: Projection, streams: list[StreamHistory]) -> None:
        ids = [str(h.stream_id) for h in streams]
        folded = [(str(h.stream_id), projection.fold(h)) for h in streams]
        for table in projection.tables:
            for chunk in range(0, len(ids), DELETE_CHUNK):
                conn.execute(
                    delete(table).where(table.c.stream_id.in_(ids[chunk : chunk + DELETE_CHUNK]))
                )
            rows = [
                {**row, "stream_id": stream_id}
                for stream_id, tables in folded
                for row in tables.get(table, ())
            ]
            if rows:
                bulk_insert(conn, table, rows)

    @staticmethod
    def _save_position(conn: Connection, name: str, position: int) -> None:
        updated = conn.execute(
            schema.positions.update()
            .where(schema.positions.c.name == name)
            .values(position=position)
        )
        if updated.rowcount == 0:
            conn.execute(insert(schema.positions).values(name=name, position=position))


def bulk_insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows by the driver's fastest path, in the open transaction: COPY on
    PostgreSQL, executemany on SQLite (dates as ISO text, as SQLAlchemy stores them)."""
    names = [c.name for c in table.columns]
    if conn.dialect.name == "postgresql":
        statement = SQL("COPY {} ({}) FROM STDIN").format(
            Identifier(table.name), SQL(", ").join(map(Identifier, names))
        )
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row([row.get(n) for n in names])
        return
    marks = ", ".join("?" * len(names))
    conn.exec_driver_sql(
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})",
        [tuple(_sqlite_value(row.get(n)) for n in names) for row in rows],
    )


def _sqlite_value(value: Any) -> Any:
    """Values as SQLAlchemy's SQLite types store them (so its queries compare alike):
    datetimes as naive UTC text with microseconds, dates as ISO text."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value
