"""The projection runner: feeds projections from the event log, exactly once.

It reads the log in notification order, a page at a time. For each page it folds again
every stream the page touched (the whole stream, from a cache of decoded histories) and
then, in ONE database transaction, replaces those streams' rows in every projection's
tables and moves each projection's position to the end of the page. A crash at any moment
leaves each projection at the end of a page it fully applied; the next run starts after
it. Because rows are a pure fold of each stream's history, catching up in any page size,
after any crash, gives the same tables as a rebuild from the first event.

A runner may take one shard of the streams (`shard=(i, n)`: the streams whose id modulo n
is i), so that n processes fold in parallel (`run_in_parallel`); each keeps its own
positions, and they take turns only to write.
"""

from __future__ import annotations

import gc
import multiprocessing
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import structlog
from psycopg.sql import SQL, Identifier
from sqlalchemy import Connection, Engine, Table, delete, insert, select

from journey import events as ev
from journey.ledger import Ledger
from journey.record import Recorded, read_record
from journey.settings import Settings
from projections import schema
from projections.history import StreamHistory
from projections.personal import PersonalSealer
from projections.projection import Projection, Rows

log = structlog.get_logger("journey.projections")

PAGE_SIZE = 100_000
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
    fold_seconds: dict[str, float]  # per projection: folding and writing its rows

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
        shard: tuple[int, int] = (0, 1),
        engine: Engine | None = None,
    ):
        """`engine` (default: the ledger's own database) is where the tables are written:
        an auditor's rebuild-check folds into a scratch schema or file."""
        self.settings = settings
        self.projections = list(projections)
        self.page_size = page_size
        self.shard, self.shards = shard
        self.label = f"{self.shard}/{self.shards}"
        self.ledger = ledger or Ledger(settings)
        self._owns_ledger = ledger is None
        self.engine = engine or schema.engine_for(settings.database_url, writer=True)
        schema.metadata.create_all(
            self.engine,
            tables=[schema.positions, *(t for p in self.projections for t in p.tables)],
        )
        self.personal = PersonalSealer(settings.cipher_key, self.ledger.child_keys)
        self._histories: OrderedDict[UUID, StreamHistory] = OrderedDict()
        self._seconds: dict[str, float] = defaultdict(float)

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
        """Where each projection stands: the lowest position any shard has saved."""
        with self.engine.connect() as conn:
            saved = _saved(conn)
        return {p.name: min(saved[p.name].values(), default=0) for p in self.projections}

    def _own_positions(self, conn: Connection) -> dict[str, int]:
        """Where this runner stands: its shard's saved position; for a shard that has saved
        none, the lowest position saved under another way of sharing (never a sibling's:
        siblings fold other streams)."""
        saved = _saved(conn)
        siblings = f"/{self.shards}"
        return {
            p.name: saved[p.name].get(
                self.label,
                min(
                    (at for label, at in saved[p.name].items() if not label.endswith(siblings)),
                    default=0,
                ),
            )
            for p in self.projections
        }

    def status(self) -> list[ProjectionStatus]:
        head = self.head()
        return [ProjectionStatus(name, at, head) for name, at in self.positions().items()]

    # --- catching up --------------------------------------------------------------------

    def run(self, progress: Progress | None = None, *, until: int | None = None) -> CatchUp:
        """Catch every projection up to the head of the log as it is now (or to `until`)."""
        started = time.perf_counter()
        self._seconds.clear()
        positions = self._claim()
        head = self.head() if until is None else min(self.head(), until)
        start = min(positions.values(), default=head)
        done = start
        while done < head:
            page = self.ledger.store.events.select_notifications(
                done + 1, self.page_size, stop=head
            )
            if not page:
                break
            mine = [n for n in page if self._is_mine(n.originator_id)]
            records = [(n.id, read_record(n.state, self.ledger.sealer)) for n in mine]
            try:
                self._apply_page(records, page[-1].id, positions)
            except _Emptied:  # a rebuild began meanwhile: start again where it stands
                positions = self._claim()
                done = min(positions.values(), default=head)
                continue
            done = page[-1].id
            for name in positions:
                positions[name] = max(positions[name], done)
            # The decoded histories live on between pages: keep the collector from
            # walking them again and again (a third of a catch-up's time otherwise).
            gc.freeze()
            if progress is not None:
                progress(done, head)
        gc.unfreeze()
        if done >= head and self.shards == 1:
            self.forget_other_sharing()
        seconds = time.perf_counter() - started
        log.info(
            "projections_caught_up",
            shard=self.label,
            events=done - start,
            position=done,
            seconds=round(seconds, 3),
        )
        return CatchUp(done - start, seconds, done, dict(self._seconds))

    def rebuild(
        self, names: Iterable[str] | None = None, progress: Progress | None = None
    ) -> CatchUp:
        """Empty the named projections (all by default) and fold them from the first event."""
        self.clear(names)
        return self.run(progress)

    def clear(self, names: Iterable[str] | None = None) -> None:
        """Empty the named projections' tables and positions (all by default)."""
        chosen = set(names) if names is not None else {p.name for p in self.projections}
        unknown = chosen - {p.name for p in self.projections}
        if unknown:
            raise ValueError(f"no projection named {', '.join(sorted(unknown))}")
        with self.engine.begin() as conn:
            schema.lock_writer(conn)
            for p in self.projections:
                if p.name in chosen:
                    for table in p.tables:
                        conn.execute(delete(table))
                    conn.execute(delete(schema.positions).where(schema.positions.c.name == p.name))
        self._histories.clear()

    def _claim(self) -> dict[str, int]:
        """This runner's positions, saved under its own label from the start (a shard new
        to a projection takes the lowest position saved under another way of sharing), so
        that forgetting other ways of sharing never forgets where this one stands."""
        table = schema.positions
        with self.engine.begin() as conn:
            schema.lock_writer(conn)
            saved = _saved(conn)
            positions = self._own_positions(conn)
            for p in self.projections:
                if self.label not in saved[p.name]:
                    conn.execute(
                        insert(table).values(
                            name=p.name, shard=self.label, position=positions[p.name]
                        )
                    )
        return positions

    def _is_mine(self, stream_id: Any) -> bool:
        if self.shards == 1:
            return True
        number = stream_id.int if isinstance(stream_id, UUID) else UUID(str(stream_id)).int
        return bool(number % self.shards == self.shard)

    def forget_other_sharing(self) -> None:
        """Once every shard of this way of sharing is at the head, positions saved under
        another way are history."""
        table = schema.positions
        with self.engine.begin() as conn:
            schema.lock_writer(conn)
            conn.execute(
                delete(table).where(
                    table.c.name.in_([p.name for p in self.projections]),
                    table.c.shard.not_like(f"%/{self.shards}"),
                )
            )

    # --- one page -----------------------------------------------------------------------

    def _apply_page(
        self, records: list[tuple[int, Recorded]], end: int, positions: dict[str, int]
    ) -> None:
        touched: dict[UUID, int] = {}  # stream -> its last notification id in the page
        for notification_id, record in records:
            self._extend(record)
            touched[record.stream_id] = notification_id
        # Fold before taking the writers' turn, so that shards fold at the same time.
        folded: dict[str, list[tuple[str, Rows]]] = {}
        for p in self.projections:
            if positions[p.name] >= end:
                continue
            started = time.perf_counter()
            folded[p.name] = [
                (str(s), p.fold(self._histories[s]))
                for s, last in touched.items()
                if last > positions[p.name] and self._histories[s].stream in p.streams
            ]
            self._seconds[p.name] += time.perf_counter() - started
        with self.engine.begin() as conn:
            schema.lock_writer(conn)
            saved = self._own_positions(conn)
            if any(saved[name] < at for name, at in positions.items()):
                raise _Emptied  # the rows folded above assumed history that is gone
            positions.update(saved)  # another runner may have moved on
            for p in self.projections:
                if positions[p.name] >= end or p.name not in folded:
                    continue
                started = time.perf_counter()
                if folded[p.name]:
                    self._replace(conn, p, folded[p.name])
                self._save_position(conn, p.name, end)
                self._seconds[p.name] += time.perf_counter() - started
        self._trim()

    def _extend(self, record: Recorded) -> None:
        history = self._histories.get(record.stream_id)
        if isinstance(record.event, ev.ChildErased):
            # What was decoded before the erasure holds the child's personal fields: read
            # the stream again, now that the key is gone.
            history = None
            self.personal.forget(str(record.stream_id))
            if self.ledger.child_keys is not None:
                self.ledger.child_keys.forget(record.stream_id)
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

    def _replace(
        self, conn: Connection, projection: Projection, folded: list[tuple[str, Rows]]
    ) -> None:
        ids = [stream_id for stream_id, _ in folded]
        for table in projection.tables:
            for chunk in range(0, len(ids), DELETE_CHUNK):
                conn.execute(
                    delete(table).where(table.c.stream_id.in_(ids[chunk : chunk + DELETE_CHUNK]))
                )
            rows = self.personal.seal_rows(
                table,
                (
                    {**row, "stream_id": stream_id}
                    for stream_id, tables in folded
                    for row in tables.get(table, ())
                ),
            )
            if rows:
                bulk_insert(conn, table, rows)

    def _save_position(self, conn: Connection, name: str, position: int) -> None:
        table = schema.positions
        updated = conn.execute(
            table.update()
            .where(table.c.name == name, table.c.shard == self.label)
            .values(position=position)
        )
        if updated.rowcount == 0:
            conn.execute(insert(table).values(name=name, shard=self.label, position=position))


class _Emptied(Exception):
    """A projection went back (a rebuild emptied it) while this runner folded a page."""


def _saved(conn: Connection) -> dict[str, dict[str, int]]:
    table = schema.positions
    saved: dict[str, dict[str, int]] = defaultdict(dict)
    for name, shard, position in conn.execute(
        select(table.c.name, table.c.shard, table.c.position)
    ):
        saved[str(name)][str(shard)] = int(position)
    return saved


# --- many processes ----------------------------------------------------------------------


def run_in_parallel(
    settings: Settings,
    names: Sequence[str],
    workers: int,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
    page_size: int = PAGE_SIZE,
) -> CatchUp:
    """Catch the named projections up with `workers` processes, each folding one shard of
    the streams; with `rebuild`, empty them first. The projections are looked up by name
    in `projections.registry` in each process."""
    from projections import registry

    chosen = registry.named(list(names))
    started = time.perf_counter()
    with ProjectionRunner(settings, chosen) as runner:
        if rebuild:
            runner.clear()
        start = min(runner.positions().values(), default=0)
        head = runner.head()
    # Fork where there is fork: a shard then starts without importing everything again.
    # The parent holds no open database connection at this point.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    reports = context.Queue()
    processes = [
        context.Process(
            target=_shard_main,
            args=(settings, list(names), (i, workers), page_size, reports),
            daemon=True,
        )
        for i in range(workers)
    ]
    for process in processes:
        process.start()
    reached = dict.fromkeys(range(workers), start)
    folded: dict[str, float] = defaultdict(float)
    finished = 0
    while finished < workers:
        shard, position, seconds, failure = reports.get()
        if failure is not None:
            for process in processes:
                process.kill()
            raise RuntimeError(f"projection shard {shard}/{workers} failed: {failure}")
        reached[shard] = position
        if seconds is not None:
            finished += 1
            for name, spent in seconds.items():
                folded[name] += spent
        if progress is not None:
            progress(min(reached.values()), head)
    for process in processes:
        process.join()
    with ProjectionRunner(settings, chosen, shard=(0, workers)) as runner:
        runner.forget_other_sharing()
    elapsed = time.perf_counter() - started
    return CatchUp(head - start, elapsed, head, dict(folded))


def _shard_main(
    settings: Settings,
    names: list[str],
    shard: tuple[int, int],
    page_size: int,
    reports: Any,
) -> None:
    from journey.logging import configure_logging
    from projections import registry

    configure_logging("json", "WARNING")  # the parent reports; a shard speaks up on trouble
    try:
        with ProjectionRunner(
            settings, registry.named(names), page_size=page_size, shard=shard
        ) as runner:
            result = runner.run(lambda at, _: reports.put((shard[0], at, None, None)))
        reports.put((shard[0], result.position, result.fold_seconds, None))
    except Exception as error:  # reported to the parent, which stops the others
        reports.put((shard[0], 0, None, f"{type(error).__name__}: {error}"))


def bulk_insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows by the driver's fastest path, in the open transaction: COPY on
    PostgreSQL, executemany on SQLite (values stored as SQLAlchemy stores them)."""
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
