"""Replay as an auditor uses it: the record as it stood on a date, as the system knew it at
a time. Every expected state below is written by hand from the history."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest
from test_cli import journey
from test_projection_runner import KEY, build_council, council_settings
from worlds import named_child, on, referred_to_w1

from journey.child import Child
from journey.ledger import Ledger
from projections import registry
from projections.runner import ProjectionRunner
from replay.bitemporal import replay, replay_child
from replay.diff import diff

UTC_EVENING = "T17:00:00+00:00"


def when(day: str) -> datetime:
    return datetime.fromisoformat(day + UTC_EVENING)


@pytest.fixture
def history(ledger, event, record) -> Ledger:
    """C1 (registered 2024-01-02), referred 2024-02-01 and allocated to W1, both recorded the
    same day; taken into care on 2024-03-01, recorded late on 2024-03-20; the period's start
    corrected to 2024-02-28 on 2024-04-01."""
    on(ledger, "2024-01-02")
    record(ledger, *named_child(event))
    on(ledger, "2024-02-01")
    record(
        ledger,
        *referred_to_w1(event, "2024-02-01"),
    )
    on(ledger, "2024-03-20")
    (care,) = record(
        ledger,
        event(
            "PeriodOfCareStarted",
            period_id="POC1",
            legal_status="C2",
            category_of_need="N1",
            occurred_at="2024-03-01",
        ),
    )
    on(ledger, "2024-04-01")
    record(
        ledger,
        event(
            "EventCorrected",
            target_event_id=str(care.event_id),
            reason="the child was accommodated on the Wednesday",
            changes={"occurred_at": "2024-02-28"},
            occurred_at="2024-04-01",
        ),
    )
    return ledger


def in_care_since(child: Child) -> date | None:
    period = child.open_in(child.periods_of_care)
    return None if period is None else child.periods_of_care[period].start.date()


@pytest.mark.parametrize(
    ("as_of", "known_at", "since"),
    [
        # as it now stands: in care from the corrected date
        ("2024-03-10", None, date(2024, 2, 28)),
        ("2024-02-29", None, date(2024, 2, 28)),
        ("2024-02-27", None, None),
        # before the late recording the ledger knew of no period of care at all
        ("2024-03-10", "2024-03-15", None),
        # after the late recording, before the correction: in care from 1 March
        ("2024-03-10", "2024-03-25", date(2024, 3, 1)),
        ("2024-02-29", "2024-03-25", None),
        # after the correction
        ("2024-02-29", "2024-04-02", date(2024, 2, 28)),
    ],
)
def test_the_state_at_each_business_date_and_system_time(
    history: Ledger, as_of: str, known_at: str | None, since: date | None
) -> None:
    day, moment = date.fromisoformat(as_of), when(known_at) if known_at else None
    from_records = replay(history.child_records("C1"), as_of=day, known_at=moment)
    from_store = replay_child(history, "C1", as_of=day, known_at=moment)  # filtered in SQL
    for replayed in (from_records, from_store):
        assert in_care_since(replayed.child) == since
        assert replayed.child.open_in(replayed.child.referrals) == "R1"
    assert (from_store.known, from_store.stored) == (from_records.known, from_records.stored)


def test_the_record_as_known_before_the_referral_was_recorded(history: Ledger) -> None:
    replayed = replay(history.child_records("C1"), known_at=when("2024-01-31"))
    assert replayed.child.registered
    assert replayed.child.referrals == {}
    assert (replayed.known, replayed.stored) == (1, 5)


def test_replay_of_today_as_known_now_is_the_live_state(history: Ledger) -> None:
    replayed = replay(history.child_records("C1"))
    live = history.child("C1")
    assert in_care_since(replayed.child) == in_care_since(live) == date(2024, 2, 28)
    assert replayed.child.allocations.keys() == live.allocations.keys()


def test_the_command_prints_the_replayed_state_and_logs_the_read(
    history: Ledger, tmp_path: Path
) -> None:
    url = history.settings.database_url
    run = journey(
        tmp_path,
        "--database",
        url,
        "replay",
        "C1",
        "--as-of",
        "2024-03-10",
        "--known-at",
        "2024-03-25",
        "--format",
        "json",
        "--purpose",
        "complaint CMP-1",
    )
    assert run.returncode == 0, run.stderr
    state = json.loads(run.stdout)
    assert state["period_of_care"]["since"] == "2024-03-01"
    assert state["records_known"] == "4 of 5 stored"
    assert state["retracted_or_corrected"] == []  # the correction came later
    assert '"action":"replay"' in run.stderr
    now = journey(tmp_path, "--database", url, "replay", "C1", "--format", "json", "--purpose", "x")
    assert now.returncode == 0, now.stderr[-3000:]
    (marked,) = json.loads(now.stdout)["retracted_or_corrected"]
    assert marked.startswith("version 4 PeriodOfCareStarted of 2024-03-01: corrected by version 5")
    assert "by svc:case-system: the child was accommodated on the Wednesday" in marked
    unknown = journey(tmp_path, "--database", url, "replay", "NOBODY", "--purpose", "x")
    assert unknown.returncode == 2
    assert "no child NOBODY" in unknown.stderr
    bad = journey(tmp_path, "--database", url, "replay", "C1", "--as-of", "March", "--purpose", "x")
    assert bad.returncode == 2
    assert "--as-of" in bad.stderr


def test_diff_names_the_late_recording_and_the_correction_between_two_system_times(
    history: Ledger,
) -> None:
    found = diff(
        history.child_records("C1"),
        when("2024-04-02"),
        when("2024-03-15"),
        as_of=date(2024, 3, 10),
    )

    assert [
        (r.kind, r.event_type, r.occurred_on, r.recorded_at.date()) for r in found.recorded
    ] == [
        ("late recording", "PeriodOfCareStarted", date(2024, 3, 1), date(2024, 3, 20)),
        ("correction", "PeriodOfCareStarted", date(2024, 3, 1), date(2024, 4, 1)),
    ]
    correction = found.recorded[1]
    assert correction.change == "date 2024-03-01 → 2024-02-28"
    assert correction.reason == "the child was accommodated on the Wednesday"
    assert correction.recorded_by == "svc:case-system"
    changed = {s.what: (s.before, s.after) for s in found.state}
    assert changed["period_of_care"] == (
        None,
        {"id": "POC1", "since": "2024-02-28", "ended": None, "kind": "C2"},
    )
    assert "open_referral" not in changed  # the same at both times


def test_diff_on_the_command_line(history: Ledger, tmp_path: Path) -> None:
    url = history.settings.database_url
    run = journey(
        tmp_path,
        "--database",
        url,
        "replay",
        "diff",
        "C1",
        "--known-at",
        "2024-03-15",
        "--known-at",
        "2024-04-02",
        "--as-of",
        "2024-03-10",
        "--format",
        "json",
        "--purpose",
        "complaint CMP-1",
    )
    assert run.returncode == 0, run.stderr
    document = json.loads(run.stdout)
    assert [r["kind"] for r in document["recorded"]] == ["late recording", "correction"]
    one = journey(tmp_path, "--database", url, "replay", "diff", "C1", "--known-at", "2024-03-15")
    assert one.returncode == 2
    assert "exactly two" in one.stderr


def test_rebuild_check_passes_on_true_tables_and_names_a_tampered_one(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/journey.db"
    build_council(url, children=40)
    with ProjectionRunner(council_settings(url), registry.PROJECTIONS) as runner:
        runner.run()
    env = {"JOURNEY_CIPHER_KEY": KEY}

    clean = journey(tmp_path, "--database", url, "replay", "rebuild-check", env=env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "exactly what the log folds to" in clean.stdout

    with sqlite3.connect(tmp_path / "journey.db") as db:
        db.execute(
            "UPDATE case_intervals SET kind = 'child_in_need' WHERE rowid = "
            "(SELECT min(rowid) FROM case_intervals WHERE kind = 'looked_after')"
        )
    tampered = journey(tmp_path, "--database", url, "replay", "rebuild-check", env=env)
    assert tampered.returncode == 1
    assert "case_intervals: only in the live table" in tampered.stdout
    assert "'looked_after'" in tampered.stdout.split("only in the rebuild")[1]
