"""Erasure: the council's data protection officer decides a child's record must be erased;
an operator runs `journey erase`. The child's data key is destroyed: their personal fields
cannot be read by anyone afterwards (with the ledger's key or without), the rest of the
record and every chain still stand, the projections and returns show the child as erased,
and nothing more can be recorded for them."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli import journey
from worlds import named_child, on, referred_to_w1

from journey import events as ev
from journey.erasure import ErasureError, erase
from journey.ledger import Ledger
from journey.settings import Settings

KEY = "e4y3GJxkM0eKBvOIFk5w1zJcxQhZHk6PbK1gYJmDqW8="
# What C1's record holds that is personal, each of which must be gone after the erasure.
PERSONAL = ("Zebedee", "Quill", "2015-06-01", "2015-07-01", "LE2 2BB", "LE3 3CC", "LE24C00001")
PERSONAL += ("Margo said she could not cope", "H801200001001", "Zeb")


def keyed(place: Path | str) -> Settings:
    """A ledger with the council's key: in a folder (SQLite) or at a database URL."""
    url = place if isinstance(place, str) else f"sqlite:///{place}/journey.db"
    return Settings(database_url=url, cipher_key=KEY, principal="svc:case-system")


def env(place: Path | str) -> dict[str, str]:
    return {"JOURNEY_DATABASE_URL": keyed(place).database_url, "JOURNEY_CIPHER_KEY": KEY}


def looked_after(ledger: Ledger, event, record, child: str = "C1") -> None:
    """`child` (Zebedee Quill, born 2015-06-01, at LE2 2BB) referred, looked after and
    placed at LE3 3CC, in proceedings LE24C00001, the placement disrupted; a correction of
    the date of birth and a new given name on the way."""
    mine = {"la_child_id": child}
    on(ledger, "2024-01-02")
    team, worker, registered = named_child(event)
    registered |= {**mine, "upn": "H801200001001"}
    record(ledger, *([team, worker] if child == "C1" else []), registered)
    on(ledger, "2024-02-01")
    record(
        ledger,
        *(e | mine for e in referred_to_w1(event, "2024-02-01")),
        event(
            "PeriodOfCareStarted",
            period_id="POC1",
            legal_status="C2",
            category_of_need="N1",
            home_postcode="LE2 2BB",
            occurred_at="2024-02-01",
            **mine,
        ),
        event(
            "PlacementStarted",
            placement_id="PL1",
            place="U6",
            provider="PR1",
            postcode="LE3 3CC",
            occurred_at="2024-02-01",
            **mine,
        ),
        event(
            "CareProceedingsIssued",
            proceedings_id="CP1",
            court_reference="LE24C00001",
            occurred_at="2024-02-01",
            **mine,
        ),
    )
    on(ledger, "2024-03-01")
    registration = next(r for r in ledger.child_records(child) if r.event.type == "ChildRegistered")
    record(
        ledger,
        event(
            "PlacementEnded",
            placement_id="PL1",
            reason="CARPL",
            reason_detail="Margo said she could not cope",
            unplanned=True,
            occurred_at="2024-03-01",
            **mine,
        ),
        event(
            "DisruptionMeetingHeld",
            meeting_id="DM1",
            placement_id="PL1",
            reasons="Margo said she could not cope",
            attendees=["Zebedee Quill"],
            occurred_at="2024-03-01",
            **mine,
        ),
        event(
            "EventCorrected",
            target_event_id=str(registration.event_id),
            reason="Zeb's birth certificate says 1 July",
            changes={"date_of_birth": "2015-07-01", "ethnicity": "WBRI"},
            occurred_at="2024-03-01",
            **mine,
        ),
        event("ChildDetailsUpdated", given_name="Zeb", occurred_at="2024-03-01", **mine),
    )


@pytest.fixture
def council(tmp_path: Path, event, record) -> Path:
    """C1 and C2, both looked after, each with all of the above; projections caught up."""
    with Ledger(keyed(tmp_path)) as ledger:
        looked_after(ledger, event, record, "C1")
        looked_after(ledger, event, record, "C2")
    ran = journey(tmp_path, "projections", "run", env=env(tmp_path))
    assert ran.returncode == 0, ran.stderr
    return tmp_path


def read(folder: Path, child: str) -> list:
    with Ledger(keyed(folder)) as ledger:
        return ledger.child_records(child)


def shown(folder: Path, *args: str) -> str:
    ran = journey(folder, *args, env=env(folder))
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return ran.stdout


def test_an_erased_childs_personal_fields_cannot_be_read_anywhere_and_the_chains_stand(
    council: Path,
) -> None:
    before = shown(council, "report", "chronology", "C1", "--purpose", "court bundle")
    assert "Zeb" in before and "2015-07-01" in before  # the record as it was

    erased = journey(
        council, "erase", "C1", "--reason", "DPO decision 2026-14", "--yes", env=env(council)
    )
    assert erased.returncode == 0, erased.stderr
    assert "erased child C1" in erased.stdout
    shown(council, "projections", "run")

    # The ledger, opened with the council's own key, no longer has them.
    records = read(council, "C1")
    assert isinstance(records[-1].event, ev.ChildErased)
    assert records[-1].event.reason == "DPO decision 2026-14"
    had_personal = [r for r in records if "personal_digest" in r.envelope]
    assert len(had_personal) == 8 and all(r.event.erased for r in had_personal)
    said = json.dumps([r.event.model_dump(mode="json") for r in records])
    for secret in PERSONAL:
        assert secret not in said, secret
    assert '"sex": "2"' in said and '"referral_source": "1A"' in said  # the rest stands
    # The other child is untouched.
    assert "Zebedee" in json.dumps([r.event.model_dump(mode="json") for r in read(council, "C2")])

    # The chain verifies; the key is gone from the table that held it.
    assert "every chain intact" in shown(council, "verify")
    with sqlite3.connect(council / "journey.db") as db:
        keys = dict(db.execute("SELECT stream_id, wrapped IS NOT NULL FROM child_keys"))
    with Ledger(keyed(council)) as ledger:
        assert keys[str(ledger.child_id("C1"))] == 0
        assert keys[str(ledger.child_id("C2"))] == 1

    # What people are shown: the chronology, the child, the replay, the returns.
    after = shown(council, "report", "chronology", "C1", "--purpose", "court bundle")
    shown_child = shown(council, "child", "show", "C1", "--format", "json", "--purpose", "check")
    replayed = shown(council, "replay", "C1", "--as-of", "2024-02-15", "--purpose", "complaint")
    for text in (after, shown_child, replayed):
        for secret in PERSONAL:
            assert secret not in text, (secret, text)
    assert "erased" in after and json.loads(shown_child)["erased"]
    shown(council, "report", "ssda903", "--year", "2023", "--out", "903")
    header = (council / "903" / "Header.csv").read_text()
    assert "C2," in header and "C1," not in header  # an erased child is left out
    with sqlite3.connect(council / "journey.db") as db:
        assert db.execute("SELECT la_child_id FROM erased_children").fetchall() == [("C1",)]
        births = dict(db.execute("SELECT la_child_id, birth_month FROM children"))
    assert births["C1"] is None and births["C2"] is not None

    # Every report still reads, counting what was done for the child.
    for report in ("caseloads", "continuity", "stability", "support", "timeliness", "audit"):
        text = shown(council, "report", report, "--format", "json")
        for secret in PERSONAL:
            assert secret not in text, (report, secret)
    assert '"C1"' in shown(council, "report", "timeliness", "--format", "json")
    shown(council, "report", "cin-census", "--year", "2023", "--out", "cin")
    shown(council, "report", "annex-a", "--inspection-date", "2024-03-31", "--out", "a.xlsx")

    # The projections as they stand equal a rebuild from the log; a bundle still verifies.
    shown(council, "replay", "rebuild-check")
    shown(council, "replay", "bundle", "C1", "--out", "bundle", "--purpose", "audit")
    checked = subprocess.run(
        [sys.executable, str(council / "bundle" / "verify_bundle.py")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout
    assert "personal fields were erased" in checked.stdout
    bundled = (council / "bundle" / "events.jsonl").read_text()
    for secret in PERSONAL:
        assert secret not in bundled


def test_nothing_more_is_recorded_for_an_erased_child_and_erasing_again_says_when(
    database_url: str, tmp_path: Path, event, record
) -> None:
    with Ledger(keyed(database_url)) as ledger:
        looked_after(ledger, event, record)
        placed = event(
            "PlacementStarted",
            placement_id="PL2",
            place="U6",
            provider="PR1",
            postcode="LE5 5EE",
            occurred_at="2024-03-01",
        )
        record(ledger, placed)
        done = erase(ledger, "C1", "DPO decision 2026-14")
        # A service retrying what it sent before the erasure is told it is stored.
        assert ledger.append(placed).status == "already_stored"
        moved = ledger.append({**placed, "place": "U4"})
        assert moved.status == "conflict"
        visit = event("StatutoryVisitMade", visit_id="V9", worker_id="W1", occurred_at="2024-04-01")
        refused = ledger.append(visit)
        assert refused.status == "rejected" and refused.problems[0].rule == "child_erased"
        forged = event("ChildErased", reason="again", occurred_at="2024-04-01")
        assert ledger.append(forged).problems[0].rule == "erasure_by_command"
        again = erase(ledger, "C1", "a second request")
        assert again.already and again.version == done.version
        assert again.erased_at == done.erased_at
    second = journey(tmp_path, "erase", "C1", "--reason", "third", "--yes", env=env(database_url))
    assert second.returncode == 0 and "erased already" in second.stdout


def test_a_ledger_that_read_the_child_before_the_erasure_records_nothing_after_it(
    database_url: str, event, record
) -> None:
    """Another process (a server's ledger) has the child and its key in its caches."""
    with Ledger(keyed(database_url)) as server, Ledger(keyed(database_url)) as admin:
        looked_after(server, event, record)
        on(server, "2024-04-01")
        visit = event("StatutoryVisitMade", visit_id="V1", worker_id="W1", occurred_at="2024-03-02")
        assert server.append(visit).status == "stored"
        erase(admin, "C1", "DPO decision 2026-14")
        late = event("StatutoryVisitMade", visit_id="V2", worker_id="W1", occurred_at="2024-03-03")
        refused = server.append(late)
        assert refused.status == "rejected" and refused.problems[0].rule == "child_erased"
        assert [r.event.type for r in admin.child_records("C1")][-1] == "ChildErased"


def test_an_erasure_needs_the_cipher_key_a_known_child_and_a_reason(
    tmp_path: Path, event, record
) -> None:
    clear = Settings(database_url=f"sqlite:///{tmp_path}/clear.db", principal="svc:test")
    with Ledger(clear) as ledger:
        record(ledger, *named_child(event))
        with pytest.raises(ErasureError, match="no cipher key"):
            erase(ledger, "C1", "DPO decision")
    unknown = journey(tmp_path, "erase", "C404", "--reason", "x", "--yes", env=env(tmp_path))
    assert unknown.returncode == 1 and "no child C404" in unknown.stderr
    with Ledger(keyed(tmp_path)) as ledger:
        record(ledger, *named_child(event))
    blank = journey(tmp_path, "erase", "C1", "--reason", "", "--yes", env=env(tmp_path))
    assert blank.returncode == 2 and "reason" in blank.stderr
    asked = journey(tmp_path, "erase", "C1", "--reason", "x", stdin="n\n", env=env(tmp_path))
    assert asked.returncode == 1 and "cannot be recovered" in asked.stdout
    assert read(tmp_path, "C1")[-1].event.type == "ChildRegistered"  # nothing was erased
