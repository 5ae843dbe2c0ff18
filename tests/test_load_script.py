"""`scripts/load` end to end, small: two clients for a few seconds against `journey serve` on
PostgreSQL, the server killed (SIGKILL) and restarted once under load, then the ledger read
back. Nothing here is timed: only that no acknowledged event is lost or stored twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "load"


def test_a_kill_under_load_loses_no_acknowledged_event() -> None:
    admin = os.environ.get("JOURNEY_TEST_DATABASE_URL")
    if not admin:
        pytest.skip("JOURNEY_TEST_DATABASE_URL is not set: PostgreSQL tests not run")
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOURNEY_")}
    run = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--seconds",
            "3",
            "--clients",
            "2",
            "--kill-cycles",
            "1",
            "--kill-after",
            "0.3",
            "1",
            "--json",
        ],
        env=env | {"JOURNEY_LOAD_DATABASE_URL": admin},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.stdout, run.stderr[-3000:]
    report = json.loads(run.stdout)
    checked = report["verification"]
    assert len(report["kills"]) == 1
    assert report["acknowledged"] > 0
    assert checked["acknowledged_lost"] == 0
    assert checked["duplicated"] == 0
    assert checked["count_matches"] and checked["chains_ok"]
    assert set(report["statuses"]) <= {"200", "201"}, report["refused_samples"]
    assert run.returncode == 0 and not report["failed"], run.stderr[-3000:]
