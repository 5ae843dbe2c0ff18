"""The ledger against a real store, on SQLite and PostgreSQL: what a service sees when it
appends and reads, and what an auditor sees in the raw rows."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from uuid import UUID, uuid4

import orjson
import psycopg
from eventsourcing.cryptography import AESCipher

from journey.chain import verify_chains
from journey.child import Child
from journey.ledger import SNAPSHOT_EVERY, Ledger
from journey.record import GENESIS, LedgerRecord, Sealer, record_hash
from journey.settings import Settings

POSTCODE = "LE1 7RH"


def settings(url: str, key: str | None = None) -> Settings:
    return Settings(database_url=url, cipher_key=key, principal="svc:test")


def child_events(la_child_id: str = "C1") -> list[dict[str, object]]:
    return [
        {
            "type": "TeamEstablished",
            "team_id": "T1",
            "name": "Children in Need 1",
            "service": "child_in_need",
            "occurred_at": "2020-01-01",
            "idempotency_key": "team-T1",
        },
        {
            "type": "WorkerRegistered",
            "worker_id": "W1",
            "name": "Sam Social",
            "role": "social_worker",
            "team_id": "T1",
            "swe_registration": "SW1001",
            "occurred_at": "2020-01-01",
            "idempotency_key": "worker-W1",
        },
        {
            "type": "ChildRegistered",
            "la_child_id": la_child_id,
            "sex": "2",
            "date_of_birth": "2016-04-03",
            "given_name": "Amira",
            "home_postcode": POSTCODE,
            "occurred_at": "2023-02-01",
            "idempotency_key": f"{la_child_id}-registered",
        },
        {
            "type": "ReferralReceived",
            "la_child_id": la_child_id,
            "referral_id": "R1",
            "referral_source": "2A",
            "primary_need": "N1",
            "occurred_at": "2023-02-01",
            "idempotency_key": f"{la_child_id}-referral",
        },
        {
            "type": "WorkerAllocated",
            "la_child_id": la_child_id,
            "allocation_id": "A1",
            "worker_id": "W1",
            "role": "social_worker",
            "team_id": "T1",
            "reason": "FCONTA",
            "occurred_at": "2023-02-01",
            "idempotency_key": f"{la_child_id}-allocated",
        },
        {
            "type": "CINPlanStarted",
            "la_child_id": la_child_id,
            "plan_id": "CIN1",
            "occurred_at": "2023-03-10",
            "idempotency_key": f"{la_child_id}-cin",
        },
    ]


def visit(n: int, la_child_id: str = "C1") -> dict[str, object]:
    return {
        "type": "StatutoryVisitMade",
        "la_child_id": la_child_id,
        "visit_id": f"V{n}",
        "worker_id": "W1",
        "occurred_at": "2023-04-01",
        "idempotency_key": f"{la_child_id}-visit-{n}",
    }


def test_events_appended_are_read_back_by_a_fresh_ledger(database_url: str) -> None:
    with Ledger(settings(database_url)) as ledger:
        results = ledger.append_batch(child_events())
    assert [r.status for r in results] == ["stored"] * 6
    with Ledger(settings(database_url)) as reader:
        child = reader.child("C1")
        records = reader.child_records("C1")
    assert child.version == 4
    assert child.open_in(child.cin_plans) == "CIN1"
    assert [r.event.type for r in records] == [
        "ChildRegistered",
        "ReferralReceived",
        "WorkerAllocated",
        "CINPlanStarted",
    ]
    assert {r.recorded_by for r in records} == {"svc:test"}
    assert records[0].prev_hash == GENESIS
    assert [r.prev_hash for r in records[1:]] == [r.hash for r in records[:-1]]


def test_a_retried_request_is_stored_once_and_a_changed_one_is_a_conflict(
    database_url: str,
) -> None:
    with Ledger(settings(database_url)) as ledger:
        ledger.append_batch(child_events())
        retry = ledger.append(child_events()[3])
        changed = ledger.append({**child_events()[3], "primary_need": "N4"})
        with Ledger(settings(database_url)) as other_process:
            retry_elsewhere = other_process.append(child_events()[3])
        assert len(ledger.child_records("C1")) == 4
    assert retry.status == "already_stored"
    assert retry_elsewhere.status == "already_stored"
    assert changed.status == "conflict"
    assert changed.problems[0].rule == "event_id_conflict"


def test_a_batch_stores_the_good_events_and_names_the_bad(database_url: str) -> None:
    bad = visit(1)
    bad["occurred_at"] = "2019-01-01"  # before the plan or any care
    with Ledger(settings(database_url)) as ledger:
        results = ledger.append_batch([*child_events(), bad, visit(2)])
        stored = ledger.child_records("C1")
    assert [r.status for r in results] == ["stored"] * 6 + ["rejected", "stored"]
    assert results[6].problems[0].rule == "visit_needs_plan_or_care"
    assert results[6].problems[0].field == "occurred_at"
    assert [r.event.type for r in stored][-1] == "StatutoryVisitMade"


def test_an_atomic_batch_with_one_bad_event_stores_nothing(database_url: str) -> None:
    bad = {**visit(1), "occurred_at": "2019-01-01"}
    with Ledger(settings(database_url)) as ledger:
        results = ledger.append_batch([*child_events(), bad], atomic=True)
        assert ledger.child_records("C1") == []
        assert ledger.store.events.max_notification_id() in (None, 0)
    assert results[-1].status == "rejected"
    assert {r.status for r in results[:-1]} == {"not_stored"}


def test_a_long_stream_loads_from_a_snapshot_to_the_same_state(database_url: str) -> None:
    total = 250  # five batches of 50 visits
    with Ledger(settings(database_url)) as ledger:
        ledger.append_batch(child_events())
        for start in range(0, total, 50):
            ledger.append_batch([visit(n) for n in range(start, start + 50)])
        snapshots = ledger.store.snapshots.select_events(ledger.child_id("C1"))
    assert SNAPSHOT_EVERY == 100
    # batches of 50 after 4 child events: the 100th and 200th events fall in batches
    # that end at versions 104 and 204, and each is snapshotted as the batch left it
    assert [s.originator_version for s in snapshots] == [104, 204]
    with Ledger(settings(database_url)) as cold:
        from_snapshot = cold.child("C1")
        records = cold.child_records("C1")
    replayed = Child(child_id=from_snapshot.child_id)
    for record in records:
        replayed.apply(record.event)
    assert from_snapshot.version == len(records) == total + 4
    assert from_snapshot.visits.keys() == replayed.visits.keys()
    assert from_snapshot.head_hash == records[-1].hash


def _raw_states(url: str) -> list[bytes]:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            return [bytes(r[0]) for r in conn.execute("SELECT state FROM stored_events")]
    with psycopg.connect(url) as conn:
        return [bytes(r[0]) for r in conn.execute("SELECT state FROM stored_events")]


def test_a_stream_as_known_at_a_time_holds_only_what_was_stored_by_then(
    database_url: str,
) -> None:
    """What replay reads for --known-at: the records stored by then, whatever the offset
    of the clock that stored them (the demo's clock is London time)."""
    now = iter(
        [
            datetime.fromisoformat("2023-06-01T09:00:00+01:00"),
            datetime.fromisoformat("2023-06-01T09:30:00+01:00"),
            datetime(2023, 6, 2, 10, tzinfo=UTC),
        ]
    )
    with Ledger(settings(database_url), clock=lambda: next(now)) as ledger:
        ledger.append_batch(child_events()[:3])  # the team, the worker and the child: 9:00
        ledger.append_batch(child_events()[3:5])  # the referral and the allocation: 9:30
        ledger.append(child_events()[5])  # the plan, the next day
        stream = ledger.child_id("C1")
        at = [
            [r.event.type for r in ledger.stream_records(stream, known_at=moment)]
            for moment in (
                datetime(2023, 6, 1, 8, 0, tzinfo=UTC),  # 9:00 London is 8:00 UTC
                datetime(2023, 6, 1, 8, 29, 59, tzinfo=UTC),
                datetime(2023, 6, 2, 9, 59, tzinfo=UTC),
            )
        ]
        assert ledger.stream_version(stream) == 4
    assert at == [
        ["ChildRegistered"],
        ["ChildRegistered"],
        ["ChildRegistered", "ReferralReceived", "WorkerAllocated"],
    ]


def test_with_a_cipher_key_the_stored_bytes_hide_personal_data(database_url: str) -> None:
    key = AESCipher.create_key(32)
    with Ledger(settings(database_url, key)) as ledger:
        ledger.append_batch(child_events())
        assert verify_chains(ledger.store.events).ok
    raw = b"".join(_raw_states(database_url))
    assert POSTCODE.encode() not in raw
    assert b"Amira" not in raw
    assert b'"sealed"' in raw
    with Ledger(settings(database_url, key)) as reader:
        assert reader.child_records("C1")[0].event.home_postcode == POSTCODE  # type: ignore[attr-defined]


def test_without_a_cipher_key_the_postcode_is_stored_in_the_clear(database_url: str) -> None:
    # The other side of the test above: it shows that test can fail.
    with Ledger(settings(database_url)) as ledger:
        ledger.append_batch(child_events())
    assert POSTCODE.encode() in b"".join(_raw_states(database_url))


def test_a_version_one_placement_ending_is_read_as_version_two(database_url: str) -> None:
    """PlacementEnded v1 stored a free-text reason; v2 a REASON_PLACE_CHANGE code."""
    with Ledger(settings(database_url)) as ledger:
        ledger.append_batch(child_events())
        ledger.append_batch(
            [
                {
                    "type": "PeriodOfCareStarted",
                    "la_child_id": "C1",
                    "period_id": "POC1",
                    "legal_status": "V2",
                    "category_of_need": "N1",
                    "occurred_at": "2023-05-01",
                    "idempotency_key": "poc",
                },
                {
                    "type": "PlacementStarted",
                    "la_child_id": "C1",
                    "placement_id": "P1",
                    "place": "U6",
                    "provider": "PR1",
                    "occurred_at": "2023-05-01",
                    "idempotency_key": "p1",
                },
            ]
        )
        child_id = ledger.child_id("C1")
        head = ledger.child_records("C1")[-1]
        old = {
            "type": "PlacementEnded",
            "stream": "child",
            "stream_id": str(child_id),
            "event_id": str(uuid4()),
            "version": head.version + 1,
            "occurred_at": "2023-06-01",
            "recorded_at": datetime(2023, 6, 2, tzinfo=UTC).isoformat(),
            "recorded_by": "legacy-import",
            "on_behalf_of": None,
            "source": None,
            "correlation_id": None,
            "causation_id": None,
            "schema_version": 1,
            "prev_hash": head.hash,
            **Sealer(None).seal(
                {
                    "la_child_id": "C1",
                    "placement_id": "P1",
                    "reason": "Carer gave notice because of the child's behaviour",
                    "unplanned": True,
                }
            ),
        }
        old["hash"] = record_hash(old)
        ledger.store.events.insert_events(
            [
                LedgerRecord(
                    originator_id=child_id,
                    originator_version=old["version"],
                    topic="PlacementEnded",
                    state=orjson.dumps(old, option=orjson.OPT_SORT_KEYS),
                    event_id=UUID(old["event_id"]),
                    recorded_at=datetime(2023, 6, 2, tzinfo=UTC),
                )
            ]
        )
        assert verify_chains(ledger.store.events).ok
    with Ledger(settings(database_url)) as reader:
        ended = reader.child_records("C1")[-1].event
        child = reader.child("C1")
    assert ended.schema_version == 2
    assert ended.reason == "CREQB"  # type: ignore[attr-defined]
    assert ended.reason_detail == "Carer gave notice because of the child's behaviour"  # type: ignore[attr-defined]
    assert child.placements["P1"].end is not None


def test_settings_never_show_the_key() -> None:
    shown = repr(Settings(cipher_key="c2VjcmV0", database_url="postgresql://u:pw@h/db"))
    assert "c2VjcmV0" not in shown
    assert "pw" not in shown


def test_a_stale_cache_in_one_process_does_not_reject_a_valid_event(database_url: str) -> None:
    """The placement desk ends a placement; the case system, which had read the child
    before, then records the next placement: it is judged against what is stored."""
    care = [
        {
            "type": "PeriodOfCareStarted",
            "la_child_id": "C1",
            "period_id": "POC1",
            "legal_status": "V2",
            "category_of_need": "N1",
            "occurred_at": "2023-05-01",
            "idempotency_key": "poc",
        },
        {
            "type": "PlacementStarted",
            "la_child_id": "C1",
            "placement_id": "P1",
            "place": "U6",
            "provider": "PR1",
            "occurred_at": "2023-05-01",
            "idempotency_key": "p1",
        },
    ]
    with Ledger(settings(database_url)) as case_system:
        case_system.append_batch([*child_events(), *care])
        assert case_system.child("C1").open_in(case_system.child("C1").placements) == "P1"
        with Ledger(settings(database_url)) as placement_desk:
            ended = placement_desk.append(
                {
                    "type": "PlacementEnded",
                    "la_child_id": "C1",
                    "placement_id": "P1",
                    "reason": "CARPL",
                    "occurred_at": "2023-06-01",
                    "idempotency_key": "p1-end",
                }
            )
        assert ended.status == "stored"
        next_placement = case_system.append(
            {**care[1], "placement_id": "P2", "occurred_at": "2023-06-01", "idempotency_key": "p2"}
        )
        assert next_placement.status == "stored", next_placement.problems
        assert next_placement.version == 8
