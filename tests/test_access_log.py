"""The access log: every read of a child's record is logged (who, when, which child, what,
why) before anything is shown; replay reads need a purpose; the log is a hash chain that
`verify` and anchors cover."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from pathlib import Path

import orjson
import psycopg
import pytest
from databases import execute_sql
from test_cli import PRINCIPAL, journey, write_lines
from test_ledger_store import child_events, settings

from journey.chain import verify_chains
from journey.ledger import Ledger
from journey.record import GENESIS, canonical

KEY = "e4y3GJxkM0eKBvOIFk5w1zJcxQhZHk6PbK1gYJmDqW8="


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    journey(tmp_path, "append", str(write_lines(tmp_path / "e.jsonl", child_events())))
    return tmp_path


def accesses(folder: Path, *args: str) -> list[dict[str, object]]:
    run = journey(folder, "report", "access", *args, "--format", "json")
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)["sections"]["reads"]


def test_every_read_of_a_child_is_logged_with_who_what_and_why(folder: Path) -> None:
    reads = [
        ("child", "show", "C1"),
        ("child", "events", "C1", "--purpose", "supervision"),
        ("replay", "C1", "--purpose", "complaint CMP-7"),
        (
            "replay",
            "diff",
            "C1",
            "--known-at",
            "2023-01-01",
            "--known-at",
            "2030-01-01",
            "--purpose",
            "complaint CMP-7",
        ),
        ("report", "chronology", "C1", "--purpose", "court bundle"),
        ("report", "audit", "--child", "C1"),
        ("replay", "bundle", "C1", "--out", "bundle", "--purpose", "subject access request"),
        ("child", "list"),
    ]
    for args in reads:
        assert journey(folder, *args).returncode == 0, args
    logged = accesses(folder)
    assert [(e["action"], e["la_child_id"], e["purpose"]) for e in logged] == [
        ("child show", "C1", None),
        ("child events", "C1", "supervision"),
        ("replay", "C1", "complaint CMP-7"),
        ("replay diff", "C1", "complaint CMP-7"),
        ("report chronology", "C1", "court bundle"),
        ("report audit", "C1", None),
        ("replay bundle", "C1", "subject access request"),
        ("child list", None, None),
    ]
    assert {e["principal"] for e in logged} == {PRINCIPAL}
    assert [e["seq"] for e in logged] == list(range(1, 9))
    assert len(accesses(folder, "--child", "C1")) == 7
    assert accesses(folder, "--principal", "someone-else") == []
    assert accesses(folder, "--from", "2000-01-01", "--to", "2000-12-31") == []


def test_a_replay_without_a_purpose_is_refused_and_shows_nothing(folder: Path) -> None:
    for args in (("replay", "C1"), ("replay", "bundle", "C1", "--out", "b")):
        run = journey(folder, *args)
        assert run.returncode == 2
        assert "--purpose: required" in run.stderr
        assert "C1" not in run.stdout
    assert not (folder / "b").exists()
    assert accesses(folder) == []


def test_a_read_of_an_unknown_child_is_refused_but_the_attempt_is_logged(folder: Path) -> None:
    run = journey(folder, "child", "show", "NOBODY", "--purpose", "looking around")
    assert run.returncode == 2
    (logged,) = accesses(folder)
    assert (logged["la_child_id"], logged["purpose"]) == ("NOBODY", "looking around")


def test_the_purpose_is_sealed_at_rest_and_read_back_with_the_key(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/journey.db"
    with Ledger(settings(url, KEY)) as ledger:
        ledger.append_batch(child_events())
        ledger.record_access("replay", "C1", "complaint from Amira's grandmother")
        (entry,) = ledger.access_entries(la_child_id="C1")
    assert entry.purpose == "complaint from Amira's grandmother"
    with sqlite3.connect(tmp_path / "journey.db") as conn:
        (stored,) = conn.execute("SELECT record FROM access_log").fetchone()
    # (as a JSON string: the ciphertext's base64 may hold the letters C1 by chance)
    assert b"grandmother" not in stored and b'"C1"' not in stored


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("DELETE FROM access_log WHERE seq = 2", "entry 2 is missing"),
        ("DELETE FROM access_log WHERE seq = 3", "entry 3 is missing"),
        ("UPDATE access_log SET principal = 'svc:nobody' WHERE seq = 1", "columns differ"),
        ("UPDATE access_log SET action = 'child list' WHERE seq = 2", "columns differ"),
    ],
)
def test_verify_finds_an_access_entry_removed_or_altered(
    database_url: str, statement: str, expected: str
) -> None:
    with Ledger(settings(database_url)) as ledger:
        ledger.append_batch(child_events())
        for action in ("child show", "replay", "report chronology"):
            ledger.record_access(action, "C1", "audit")
        assert verify_chains(ledger.store.events).ok
    execute_sql(database_url, statement)
    with Ledger(settings(database_url)) as ledger:
        report = verify_chains(ledger.store.events)
    assert any(b.stream_id == "access log" and expected in b.problem for b in report.breaks), (
        report.breaks
    )


def test_concurrent_readers_keep_one_unbroken_access_chain(database_url: str) -> None:
    with Ledger(settings(database_url)) as ledger:
        ledger.append_batch(child_events())

    def read_many(n: int) -> None:
        with Ledger(settings(database_url)) as reader:
            for _ in range(15):
                reader.record_access("child show", "C1", f"reader {n}")

    threads = [threading.Thread(target=read_many, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with Ledger(settings(database_url)) as ledger:
        report = verify_chains(ledger.store.events)
        entries = ledger.access_entries()
    assert report.ok, report.breaks
    assert [e.seq for e in entries] == list(range(1, 61))


@pytest.mark.parametrize("head", ["access_log_head", "stored_events_head"])
def test_a_ledger_opens_while_an_append_holds_the_head_row(postgres_url: str, head: str) -> None:
    """Opening a ledger (which makes its tables if need be) must not wait on an append in
    flight: that append may be about to wait on the opening's own table locks, and the
    two would deadlock (seen when commands started while others logged reads)."""
    with Ledger(settings(postgres_url)) as ledger:
        ledger.append_batch(child_events())
        ledger.record_access("child show", "C1")
    opened = threading.Event()

    def open_a_ledger() -> None:
        with Ledger(settings(postgres_url)):
            opened.set()

    with psycopg.connect(postgres_url) as in_flight:  # a transaction, like an append's
        column = "seq" if head == "access_log_head" else "position"
        in_flight.execute(f"UPDATE {head} SET {column} = {column} + 1 WHERE id = 1")
        opener = threading.Thread(target=open_a_ledger)
        opener.start()
        assert opened.wait(timeout=15), "opening a ledger waited on the append in flight"
        in_flight.rollback()
    opener.join()


def test_an_anchor_covers_the_access_log(folder: Path) -> None:
    for purpose in ("first look", "second look"):
        journey(folder, "replay", "C1", "--purpose", purpose)
    anchor = folder / "anchor.json"
    assert journey(folder, "verify", "--anchor", str(anchor)).returncode == 0
    # an insider rewrites the purpose of the first read and recomputes the whole chain
    with sqlite3.connect(folder / "journey.db") as conn:
        rows = conn.execute("SELECT seq, record FROM access_log ORDER BY seq").fetchall()
        prev = GENESIS
        for seq, stored in rows:
            record = orjson.loads(stored)
            record.pop("hash")
            if seq == 1:
                record["data"]["purpose"] = "routine check"
            record["prev_hash"] = prev
            record["hash"] = prev = hashlib.sha256(canonical(record)).hexdigest()
            conn.execute("UPDATE access_log SET record = ? WHERE seq = ?", (canonical(record), seq))
    assert journey(folder, "verify").returncode == 0  # the rewrite was thorough
    against = journey(folder, "verify", "--against", str(anchor))
    assert against.returncode == 1
    assert "the log of reads was rewritten" in against.stdout
