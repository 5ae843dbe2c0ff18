"""The read side as a manager or an inspector meets it: the demo ends with its reports
and a self-contained HTML page, and every report answers on the command line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_cli import PRINCIPAL, journey

REPORTS = {
    "caseloads": ["--as-at", "2026-03-31"],
    "continuity": ["--from", "2025-04-01", "--to", "2026-03-31"],
    "stability": ["--year", "2025"],
    "timeliness": ["--as-at", "2026-03-31"],
    "support": ["--from", "2025-04-01", "--to", "2026-03-31"],
    "audit": ["--from", "2025-04-01", "--to", "2026-03-31"],
}


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("council")
    run = journey(folder, "demo", "--children", "60", "--years", "3", "--seed", "5")
    assert run.returncode == 0, run.stderr[-2000:]
    assert "headlines" in run.stdout
    return folder


def test_the_demo_writes_a_page_with_charts_and_nothing_fetched_from_a_network(
    council: Path,
) -> None:
    page = (council / "journey-report.html").read_text(encoding="utf-8")
    assert page.count("<svg") >= 4
    for heading in ("Caseloads", "One social worker", "Placement stability", "timeliness"):
        assert heading in page
    assert not re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "<script" not in page


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_every_report_answers_as_json_with_its_sections(council: Path, name: str) -> None:
    run = journey(council, "report", name, *REPORTS[name], "--format", "json")
    assert run.returncode == 0, run.stderr
    document = json.loads(run.stdout)
    assert document["report"] == name
    assert document["headline"]
    assert document["sections"] and document["definitions"]
    assert "behind the log" not in run.stderr


def test_a_report_as_csv_prints_the_chosen_section(council: Path) -> None:
    run = journey(
        council,
        "report",
        "caseloads",
        "--as-at",
        "2026-03-31",
        "--format",
        "csv",
        "--section",
        "teams",
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0].startswith("team_id,team,service,workers")


def test_a_chronology_is_a_logged_read_and_an_unknown_child_is_a_clear_error(
    council: Path,
) -> None:
    listed = journey(council, "report", "audit", "--format", "json", "--from", "2020-01-01")
    child = next(
        row["subject_id"]
        for row in json.loads(listed.stdout)["sections"]["events"]
        if row["stream"] == "child"
    )
    run = journey(council, "report", "chronology", child, "--format", "json")
    assert run.returncode == 0, run.stderr
    entries = json.loads(run.stdout)["sections"]["entries"]
    assert entries[0]["event_type"] == "ChildRegistered"
    assert '"child_record_read"' in run.stderr
    assert child not in run.stderr  # the log carries a hash of the child's id
    missing = journey(council, "report", "chronology", "NOBODY")
    assert missing.returncode == 2
    assert "no child NOBODY" in missing.stderr


def test_status_shows_no_lag_and_a_report_says_when_the_projections_lag(council: Path) -> None:
    status = journey(council, "projections", "status", "--format", "json")
    assert {row["lag"] for row in json.loads(status.stdout)} == {0}
    appended = journey(
        council,
        "append",
        "-",
        stdin=json.dumps(
            {
                "type": "TeamEstablished",
                "team_id": "T-NEW",
                "name": "New team",
                "service": "child_in_need",
                "occurred_at": "2026-01-05",
                "idempotency_key": "new-team",
            }
        ),
    )
    assert appended.returncode == 0, appended.stdout
    lagging = journey(council, "report", "caseloads", "--format", "json")
    assert "1 events behind the log" in lagging.stderr
    caught_up = journey(council, "projections", "run")
    assert caught_up.returncode == 0
    again = journey(council, "report", "caseloads", "--format", "json")
    assert "behind the log" not in again.stderr


def test_follow_keeps_the_projections_live_as_events_arrive(council: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("JOURNEY_")} | {
        "JOURNEY_PRINCIPAL": PRINCIPAL
    }
    follower = subprocess.Popen(
        [sys.executable, "-m", "journey", "projections", "run", "--follow", "--poll", "0.2"],
        cwd=council,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        appended = journey(
            council,
            "append",
            "-",
            stdin=json.dumps(
                {
                    "type": "TeamEstablished",
                    "team_id": "T-LIVE",
                    "name": "Live team",
                    "service": "child_in_need",
                    "occurred_at": "2026-02-01",
                    "idempotency_key": "live-team",
                }
            ),
        )
        assert appended.returncode == 0, appended.stdout
        deadline = time.monotonic() + 60
        lag = None
        while time.monotonic() < deadline:
            status = journey(council, "projections", "status", "--format", "json")
            lag = {row["lag"] for row in json.loads(status.stdout)}
            if lag == {0}:
                break
            time.sleep(0.3)
        assert lag == {0}
    finally:
        follower.terminate()
        follower.wait(timeout=30)
    assert follower.returncode == 0


def test_an_unknown_team_or_an_impossible_year_is_a_clear_error(council: Path) -> None:
    for name in ("caseloads", "continuity", "timeliness"):
        run = journey(council, "report", name, "--team", "No Such Team")
        assert run.returncode == 2, (name, run.stdout)
        assert "no team with the id or name 'No Such Team'" in run.stderr
    known = journey(council, "report", "caseloads", "--team", "team-duty-advice")
    assert known.returncode == 0, known.stderr
    year = journey(council, "report", "stability", "--year", "99999")
    assert year.returncode == 2
    assert "--year" in year.stderr
