"""Anchors: whoever could rewrite the whole database could recompute every chain, and
`verify` alone would find nothing; an anchor kept elsewhere still shows the change."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import orjson
from test_cli import journey
from test_ledger_store import child_events, settings, visit

from journey.ledger import Ledger
from journey.record import GENESIS, canonical


def _seed(url: str) -> None:
    with Ledger(settings(url)) as ledger:
        ledger.append_batch(child_events("C1"))
        ledger.append_batch([visit(n) for n in range(3)])


def _rewrite_history_consistently(db: Path) -> None:
    """Change the referral's date in the clear-text records of C1's stream and recompute
    every hash after it, as an insider with write access to the database could."""
    with sqlite3.connect(db) as conn:
        referral = conn.execute(
            "SELECT originator_id FROM stored_events WHERE topic = 'ReferralReceived'"
        ).fetchone()[0]
        rows = conn.execute(
            "SELECT originator_version, state FROM stored_events WHERE originator_id = ? "
            "ORDER BY originator_version",
            (referral,),
        ).fetchall()
        prev = GENESIS
        for version, state in rows:
            record = orjson.loads(state)
            record.pop("hash")
            if record["type"] == "ReferralReceived":
                record["occurred_at"] = "2023-01-15"
            record["prev_hash"] = prev
            record["hash"] = prev = hashlib.sha256(canonical(record)).hexdigest()
            conn.execute(
                "UPDATE stored_events SET state = ? WHERE originator_id = ? "
                "AND originator_version = ?",
                (canonical(record), referral, version),
            )


def test_an_anchor_shows_a_consistent_rewrite_that_verify_alone_cannot(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/journey.db"
    _seed(url)
    anchor = tmp_path / "anchor.json"

    made = journey(tmp_path, "--database", url, "verify", "--anchor", str(anchor))
    assert made.returncode == 0, made.stdout
    written = json.loads(anchor.read_text())
    assert written["position"] == written["events"] > 0
    assert "anchor written" in made.stdout

    with Ledger(settings(url)) as ledger:  # life goes on after the anchor
        ledger.append_batch([visit(n) for n in range(3, 6)])
    later = journey(tmp_path, "--database", url, "verify", "--against", str(anchor))
    assert later.returncode == 0, later.stdout
    assert "has changed" in later.stdout and "nothing recorded before the anchor" in later.stdout

    _rewrite_history_consistently(tmp_path / "journey.db")
    plain = journey(tmp_path, "--database", url, "verify")
    assert plain.returncode == 0  # every chain is intact: the rewrite was thorough
    against = journey(tmp_path, "--database", url, "verify", "--against", str(anchor))
    assert against.returncode == 1
    assert "CHANGED SINCE THE ANCHOR" in against.stdout
    assert "history rewritten" in against.stdout


def test_an_altered_anchor_file_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/journey.db"
    _seed(url)
    anchor = tmp_path / "anchor.json"
    assert journey(tmp_path, "--database", url, "verify", "--anchor", str(anchor)).returncode == 0
    document = json.loads(anchor.read_text())
    stream = next(iter(document["heads"]))
    document["heads"][stream][1] = "0" * 64
    anchor.write_text(json.dumps(document))
    run = journey(tmp_path, "--database", url, "verify", "--against", str(anchor))
    assert run.returncode == 1
    assert "the file was altered" in run.stdout
    broken = tmp_path / "not-an-anchor.json"
    broken.write_text("{}")
    refused = journey(tmp_path, "--database", url, "verify", "--against", str(broken))
    assert refused.returncode == 2


def test_an_anchor_made_before_the_access_log_still_guards_the_events(tmp_path: Path) -> None:
    """Anchors of the first format hold the event chains' heads alone; one kept from then
    must still prove, or disprove, that history was not rewritten."""
    url = f"sqlite:///{tmp_path}/journey.db"
    _seed(url)
    anchor = tmp_path / "anchor.json"
    assert journey(tmp_path, "--database", url, "verify", "--anchor", str(anchor)).returncode == 0
    document = json.loads(anchor.read_text())
    del document["access_log"]
    lines = "".join(f"{stream} {v} {h}\n" for stream, (v, h) in sorted(document["heads"].items()))
    document["format"] = "journey-anchor-1"
    document["digest"] = hashlib.sha256(lines.encode("ascii")).hexdigest()
    anchor.write_text(json.dumps(document))
    run = journey(tmp_path, "--database", url, "verify", "--against", str(anchor))
    assert run.returncode == 0, run.stdout
    _rewrite_history_consistently(tmp_path / "journey.db")
    run = journey(tmp_path, "--database", url, "verify", "--against", str(anchor))
    assert run.returncode == 1
    assert "history rewritten" in run.stdout
