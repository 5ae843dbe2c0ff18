"""The command line as a service or an operator uses it: real processes, real files."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from test_ledger_store import POSTCODE, child_events

PRINCIPAL = "svc:case-management"


def journey(
    folder: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("JOURNEY_")} | {
        "JOURNEY_PRINCIPAL": PRINCIPAL,
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "journey", *args],
        cwd=folder,
        input=stdin,
        capture_output=True,
        text=True,
        env=environment | (env or {}),
        timeout=300,
    )


def write_lines(path: Path, events: list[dict[str, object]], extra: list[str] = ()) -> Path:
    path.write_text("\n".join([*(json.dumps(e) for e in events), *extra]) + "\n")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path


def test_append_reports_every_line_and_fails_when_one_is_rejected(folder: Path) -> None:
    bad_code = {**child_events()[3], "idempotency_key": "bad", "referral_source": "ZZ"}
    path = write_lines(
        folder / "events.jsonl", [*child_events(), child_events()[3], bad_code], ["{not json"]
    )
    run = journey(folder, "append", str(path), "--format", "json")
    assert run.returncode == 1
    rows = json.loads(run.stdout)
    assert [r["status"] for r in rows] == ["stored"] * 6 + [
        "already stored",
        "rejected",
        "rejected",
    ]
    assert rows[7]["field"] == "referral_source"
    assert "REFERRAL_SOURCE" in rows[7]["message"]
    assert rows[8]["rule"] == "json"
    assert rows[8]["line"] == 9
    assert "6 stored" in run.stderr


def test_a_clean_file_appends_with_exit_status_zero_from_standard_input(folder: Path) -> None:
    lines = "\n".join(json.dumps(e) for e in child_events())
    run = journey(folder, "append", "-", stdin=lines)
    assert run.returncode == 0, run.stdout + run.stderr
    again = journey(folder, "append", "-", "--format", "json", stdin=lines)
    assert again.returncode == 0
    assert {r["status"] for r in json.loads(again.stdout)} == {"already stored"}


def test_atomic_append_stores_nothing_when_a_line_is_bad(folder: Path) -> None:
    bad = {**child_events()[3], "idempotency_key": "bad", "primary_need": "N99"}
    path = write_lines(folder / "e.jsonl", [*child_events(), bad])
    run = journey(folder, "append", str(path), "--atomic", "--format", "json")
    assert run.returncode == 1
    assert [r["status"] for r in json.loads(run.stdout)][-2:] == ["not stored", "rejected"]
    shown = journey(folder, "child", "show", "C1")
    assert shown.returncode == 2
    assert "no child C1" in shown.stderr


def test_child_show_events_and_list_read_the_record(folder: Path) -> None:
    journey(folder, "append", str(write_lines(folder / "e.jsonl", child_events())))
    show = journey(folder, "child", "show", "C1", "--format", "json")
    detail = json.loads(show.stdout)
    assert detail["open_referral"]["id"] == "R1"
    assert detail["child_in_need_plan"]["id"] == "CIN1"
    assert detail["allocated_workers"] == [
        {"role": "social_worker", "worker_id": "W1", "team_id": "T1", "since": "2023-02-01"}
    ]
    assert detail["events_in_stream"] == 4
    events = json.loads(journey(folder, "child", "events", "C1", "--format", "json").stdout)
    assert [e["version"] for e in events] == [1, 2, 3, 4]
    assert {e["recorded_by"] for e in events} == {PRINCIPAL}
    assert all(len(e["hash"]) == 12 for e in events)
    listed = journey(folder, "child", "list", "--format", "csv").stdout.splitlines()
    assert listed[0] == "la_child_id,age_band,status,open,lead_worker"
    assert listed[1].startswith("C1,") and listed[1].endswith(",W1")
    closed = journey(folder, "child", "list", "--status", "closed", "--format", "json")
    assert json.loads(closed.stdout) == []


def test_verify_passes_then_names_the_child_and_version_of_an_altered_event(
    folder: Path,
) -> None:
    journey(folder, "append", str(write_lines(folder / "e.jsonl", child_events())))
    assert journey(folder, "verify").returncode == 0
    with sqlite3.connect(folder / "journey.db") as conn:
        conn.execute(
            "UPDATE stored_events SET state = CAST(REPLACE(CAST(state AS TEXT), 'N1', 'N4') "
            "AS BLOB) WHERE topic = 'ReferralReceived'"
        )
    run = journey(folder, "verify")
    assert run.returncode == 1
    assert "child C1 version 2" in run.stdout
    assert "hash does not match" in run.stdout


def test_schema_prints_the_contract_services_code_against(folder: Path) -> None:
    one = json.loads(journey(folder, "schema", "PlacementStarted").stdout)
    assert {"place", "provider", "occurred_at", "la_child_id"} <= set(one["properties"])
    everything = json.loads(journey(folder, "schema").stdout)
    assert len(everything["discriminator"]["mapping"]) >= 60
    unknown = journey(folder, "schema", "NoSuchEvent")
    assert unknown.returncode == 2
    assert "unknown event type" in unknown.stderr


def test_log_lines_are_json_and_carry_no_personal_data(folder: Path) -> None:
    path = write_lines(folder / "e.jsonl", child_events())
    run = journey(folder, "append", str(path))
    journey(folder, "child", "show", "C1")
    lines = [json.loads(line) for line in run.stderr.splitlines() if line.startswith("{")]
    assert any(line.get("event") == "append_batch" for line in lines)
    for text in (run.stderr, journey(folder, "child", "show", "C1").stderr):
        for secret in (POSTCODE, "Amira", "2016-04-03", '"C1"'):
            assert secret not in text


def test_demo_builds_a_council_keeps_its_key_and_encrypts_it(folder: Path) -> None:
    run = journey(folder, "demo", "--children", "40", "--years", "2", "--seed", "3")
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "intact" in run.stdout
    assert "BROKEN" not in run.stdout
    settings = folder / ".journey" / "settings.json"
    assert oct(settings.stat().st_mode & 0o777) == "0o600"
    key = json.loads(settings.read_text())["cipher_key"]
    assert key not in run.stdout + run.stderr
    listed = json.loads(journey(folder, "child", "list", "--format", "json").stdout)
    assert len(listed) == 40
    with sqlite3.connect(folder / "journey.db") as conn:
        raw = b"".join(bytes(r[0]) for r in conn.execute("SELECT state FROM stored_events"))
    assert b'"sealed"' in raw and b'"home_postcode"' not in raw
    assert journey(folder, "verify").returncode == 0
    again = journey(folder, "demo", "--children", "40", "--years", "2", "--seed", "3")
    assert again.returncode == 2
    assert "already holds events" in again.stderr


def test_a_demo_with_an_end_date_is_the_same_council_on_any_day(tmp_path: Path) -> None:
    """`--end` fixes the history, so the README's walkthrough can be run as written later."""
    histories = []
    for name in ("first", "second"):
        folder = tmp_path / name
        folder.mkdir()
        args = ("demo", "--children", "30", "--years", "2", "--end", "2024-06-30")
        assert journey(folder, *args).returncode == 0
        run = journey(folder, "child", "events", "C00007", "--format", "json")
        histories.append(
            [(e["type"], e["occurred_at"], e["recorded_at"]) for e in json.loads(run.stdout)]
        )
    assert histories[0] == histories[1]
    assert max(day for _, day, _ in histories[0]) <= "2024-06-30"
    later = journey(tmp_path / "first", "demo", "--fresh", "--end", "2999-01-01")
    assert later.returncode == 2
    assert "--end: the history must end before today" in later.stderr


def test_a_long_file_is_appended_in_chunks_and_a_retry_across_chunks_is_found(
    folder: Path,
) -> None:
    visits = [
        {
            "type": "StatutoryVisitMade",
            "la_child_id": "C1",
            "visit_id": f"V{n}",
            "worker_id": "W1",
            "occurred_at": "2023-04-01",
            "idempotency_key": f"visit-{n}",
        }
        for n in range(2300)
    ]
    path = write_lines(folder / "long.jsonl", [*child_events(), *visits, visits[10]])
    run = journey(folder, "append", str(path), "--format", "csv")
    assert run.returncode == 0, run.stderr[-500:]
    statuses = [line.split(",")[1] for line in run.stdout.splitlines()[1:]]
    assert statuses.count("stored") == 6 + 2300
    assert statuses[-1] == "already stored"
    events = json.loads(journey(folder, "child", "events", "C1", "--format", "json").stdout)
    assert [e["version"] for e in events] == list(range(1, 2305))
