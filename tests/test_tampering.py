"""A thousand random tamperings of a demo council's database, each on a fresh copy, and
`verify` finds every one: a changed byte, a changed field, a changed column, a deleted
row, a swapped pair, a row copied from another child, in the event log and in the access
log. The seed is fixed so that a failure can be replayed; each case says what it did."""

from __future__ import annotations

import random
import sqlite3
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from test_projection_runner import build_council, council_settings

from journey.chain import verify_chains
from journey.ledger import Ledger
from journey.store import open_store

TAMPERINGS = 1000
SEED = 20261125
EVENTS = "stored_events"
ACCESS = "access_log"

Tamper = Callable[[sqlite3.Connection, random.Random], str]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A small demo council (every kind of event, corrections and retractions among them)
    and some reads of it, as the bytes of its SQLite file."""
    folder = tmp_path_factory.mktemp("council")
    url = f"sqlite:///{folder}/journey.db"
    build_council(url, children=30)
    with Ledger(council_settings(url)) as ledger:
        for n in range(25):
            ledger.record_access("replay", f"C{n:05d}", f"audit {n}")
        ledger.record_access("child list", None, None)
        assert verify_chains(ledger.store.events).ok
    return (folder / "journey.db").read_bytes()


def _row(conn: sqlite3.Connection, table: str, rng: random.Random) -> tuple[Any, ...]:
    key = "rowid" if table == EVENTS else "seq"
    (count,) = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
    return conn.execute(
        f"SELECT {key}, * FROM {table} ORDER BY {key} LIMIT 1 OFFSET ?", (rng.randrange(count),)
    ).fetchone()


def _table(rng: random.Random) -> str:
    return ACCESS if rng.random() < 0.15 else EVENTS


def _blob_column(table: str) -> str:
    return "state" if table == EVENTS else "record"


def _key(table: str) -> str:
    return "rowid" if table == EVENTS else "seq"


def change_a_byte(conn: sqlite3.Connection, rng: random.Random) -> str:
    table = _table(rng)
    row = _row(conn, table, rng)
    blob = bytearray(row[-1] if table == ACCESS else row[4])
    at = rng.randrange(len(blob))
    blob[at] = rng.choice([b for b in range(256) if b != blob[at]])
    column = _blob_column(table)
    conn.execute(f"UPDATE {table} SET {column} = ? WHERE {_key(table)} = ?", (bytes(blob), row[0]))
    return f"byte {at} of {table} row {row[0]}"


def _changed(value: Any, rng: random.Random) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + rng.choice([-1, 1, 7])
    if isinstance(value, str):
        return value[:-1] + ("X" if not value.endswith("X") else "Y") if value else "X"
    if isinstance(value, list):
        return [*value, "X"]
    if isinstance(value, dict):
        return {**value, "X": 1}
    return "X"


def change_a_field(conn: sqlite3.Connection, rng: random.Random) -> str:
    table = _table(rng)
    row = _row(conn, table, rng)
    record = orjson.loads(row[-1] if table == ACCESS else row[4])
    field = rng.choice(sorted(record))
    record[field] = _changed(record[field], rng)
    column = _blob_column(table)
    conn.execute(
        f"UPDATE {table} SET {column} = ? WHERE {_key(table)} = ?",
        (orjson.dumps(record, option=orjson.OPT_SORT_KEYS), row[0]),
    )
    return f"field {field} of {table} row {row[0]}"


def _later(text: str) -> str:
    return (datetime.fromisoformat(text) + timedelta(seconds=1)).isoformat()


def change_a_column(conn: sqlite3.Connection, rng: random.Random) -> str:
    table = _table(rng)
    row = _row(conn, table, rng)
    if table == EVENTS:
        column, value = rng.choice(
            [
                ("topic", "PlacementStarted" if row[3] != "PlacementStarted" else "CaseClosed"),
                ("recorded_at", _later(row[6])),
                ("event_id", uuid.uuid4().hex),
                ("originator_version", row[2] + 1000),
                ("originator_id", uuid.uuid4().hex),
            ]
        )
    else:
        column, value = rng.choice(
            [
                ("principal", row[3] + "X"),
                ("action", "child show" if row[5] != "child show" else "replay"),
                ("at", _later(row[2])),
                ("child_id", uuid.uuid4().hex),
            ]
        )
    conn.execute(f"UPDATE {table} SET {column} = ? WHERE {_key(table)} = ?", (value, row[0]))
    return f"column {column} of {table} row {row[0]}"


def delete_a_row(conn: sqlite3.Connection, rng: random.Random) -> str:
    """Any row; one time in ten the newest, which leaves no gap behind it."""
    table = _table(rng)
    if rng.random() < 0.1:
        row = conn.execute(f"SELECT MAX({_key(table)}) FROM {table}").fetchone()
    else:
        row = _row(conn, table, rng)
    conn.execute(f"DELETE FROM {table} WHERE {_key(table)} = ?", (row[0],))
    return f"deleted {table} row {row[0]}"


def swap_a_pair(conn: sqlite3.Connection, rng: random.Random) -> str:
    """Two rows exchange their stored bytes: two events of one child, or any two rows."""
    table = _table(rng)
    first = _row(conn, table, rng)
    second = first
    if table == EVENTS and rng.random() < 0.5:
        second = (
            conn.execute(
                f"SELECT rowid, * FROM {EVENTS} WHERE originator_id = ? AND originator_version = ?",
                (first[1], first[2] + 1),
            ).fetchone()
            or conn.execute(
                f"SELECT rowid, * FROM {EVENTS} WHERE originator_id = ? AND originator_version = ?",
                (first[1], first[2] - 1),
            ).fetchone()
        )
    while second is None or second[0] == first[0]:
        second = _row(conn, table, rng)
    column, key = _blob_column(table), _key(table)
    blob = 4 if table == EVENTS else -1
    for this, that in ((first, second), (second, first)):
        conn.execute(f"UPDATE {table} SET {column} = ? WHERE {key} = ?", (that[blob], this[0]))
    return f"swapped {table} rows {first[0]} and {second[0]}"


def copy_from_another_child(conn: sqlite3.Connection, rng: random.Random) -> str:
    """Another child's event written over one of this child's, or added to this child's
    stream as a new event."""
    target = _row(conn, EVENTS, rng)
    source = _row(conn, EVENTS, rng)
    while source[1] == target[1]:
        source = _row(conn, EVENTS, rng)
    if rng.random() < 0.5:
        conn.execute(f"UPDATE {EVENTS} SET state = ? WHERE rowid = ?", (source[4], target[0]))
        return f"row {source[0]} copied over row {target[0]}"
    (head,) = conn.execute(
        f"SELECT MAX(originator_version) FROM {EVENTS} WHERE originator_id = ?", (target[1],)
    ).fetchone()
    (last,) = conn.execute(f"SELECT MAX(rowid) FROM {EVENTS}").fetchone()
    conn.execute(
        f"INSERT INTO {EVENTS} (rowid, originator_id, originator_version, topic, state, "
        "event_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (last + 1, target[1], head + 1, source[3], source[4], uuid.uuid4().hex, source[6]),
    )
    return f"row {source[0]} copied to the end of another stream"


TAMPERS: list[Tamper] = [
    change_a_byte,
    change_a_field,
    change_a_column,
    delete_a_row,
    swap_a_pair,
    copy_from_another_child,
]


def test_verify_detects_every_one_of_a_thousand_random_tamperings(
    pristine: bytes, tmp_path: Path
) -> None:
    database = tmp_path / "journey.db"
    rng = random.Random(SEED)
    kinds: Counter[str] = Counter()
    missed = []
    for n in range(TAMPERINGS):
        database.write_bytes(pristine)
        tamper = TAMPERS[n % len(TAMPERS)]
        with sqlite3.connect(database) as conn:
            done = tamper(conn, rng)
        conn.close()
        store = open_store(f"sqlite:///{database}")
        try:
            report = verify_chains(store.events)
        finally:
            store.close()
        kinds[tamper.__name__] += 1
        if report.ok:
            missed.append(f"#{n}: {done}")
    assert not missed, f"verify missed {len(missed)} tamperings: {missed[:20]}"
    assert sum(kinds.values()) == TAMPERINGS and len(kinds) == len(TAMPERS)
