"""Rebuild every projection into a scratch schema (PostgreSQL) or file (SQLite), up to the
position the live projections stand at, and compare the two table by table: the live
tables must be exactly what the log folds to."""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, Table, create_engine, select, text

from journey.ledger import Ledger
from journey.settings import Settings
from projections import registry, schema
from projections.digest import table_digest
from projections.report import plain
from projections.runner import ProjectionRunner

SAMPLE = 3  # differing rows shown per table and side


@dataclass(frozen=True)
class TableCheck:
    table: str
    live_rows: int
    rebuilt_rows: int
    same: bool
    only_live: tuple[str, ...] = ()  # a few rows found only in the live table
    only_rebuilt: tuple[str, ...] = ()


@dataclass(frozen=True)
class RebuildCheck:
    position: int
    tables: list[TableCheck]

    @property
    def ok(self) -> bool:
        return all(t.same for t in self.tables)


def rebuild_check(settings: Settings) -> RebuildCheck:
    tables = [t for p in registry.PROJECTIONS for t in p.tables]
    live = schema.engine_for(settings.database_url)
    try:
        with Ledger(settings) as ledger:
            with ProjectionRunner(settings, registry.PROJECTIONS, ledger=ledger) as reader:
                position = min(reader.positions().values(), default=0)
            with _scratch(settings.database_url) as scratch:
                with ProjectionRunner(
                    settings, registry.PROJECTIONS, ledger=ledger, engine=scratch
                ) as rebuilder:
                    rebuilder.run(until=position)
                with live.connect() as ours, scratch.connect() as theirs:
                    checks = [_compare(ours, theirs, table) for table in tables]
    finally:
        live.dispose()
    return RebuildCheck(position, checks)


def _compare(live: Connection, rebuilt: Connection, table: Table) -> TableCheck:
    live_rows, live_digest = table_digest(live, table)
    rebuilt_rows, rebuilt_digest = table_digest(rebuilt, table)
    if live_digest == rebuilt_digest:
        return TableCheck(table.name, live_rows, rebuilt_rows, True)
    ours, theirs = _rows(live, table), _rows(rebuilt, table)
    return TableCheck(
        table.name,
        live_rows,
        rebuilt_rows,
        False,
        tuple(sorted(ours - theirs)[:SAMPLE]),
        tuple(sorted(theirs - ours)[:SAMPLE]),
    )


def _rows(conn: Connection, table: Table) -> set[str]:
    return {repr(tuple(plain(v) for v in row)) for row in conn.execute(select(table))}


@contextmanager
def _scratch(database_url: str) -> Iterator[Engine]:
    """An empty place for the rebuilt tables, dropped afterwards."""
    if database_url.startswith("sqlite:"):
        with tempfile.TemporaryDirectory(prefix="journey-check-") as folder:
            engine = schema.engine_for(f"sqlite:///{Path(folder) / 'rebuilt.db'}", writer=True)
            try:
                yield engine
            finally:
                engine.dispose()
        return
    name = f"journey_check_{secrets.token_hex(4)}"
    url = "postgresql+psycopg://" + database_url.split("://", 1)[1]
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    engine = create_engine(url, connect_args={"options": f"-csearch_path={name}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()
