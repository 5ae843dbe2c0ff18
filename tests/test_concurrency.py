"""Writers appending to the same child at once, on PostgreSQL: nothing lost, nothing
recorded twice, the chain intact."""

from __future__ import annotations

import threading

from test_ledger_store import child_events, settings, visit

from journey.chain import verify_chains
from journey.ledger import Ledger

WRITERS = 8
VISITS_EACH = 20


def _run(workers: list[threading.Thread]) -> None:
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert not worker.is_alive()


def _append_as_a_client_would(ledger: Ledger, payload: dict[str, object]) -> str:
    """Send again while the ledger answers that other writers kept getting in first:
    the ledger's own retries are bounded, and its answer says to retry."""
    for _ in range(5):
        result = ledger.append(payload)
        if not (result.status == "rejected" and result.problems[0].rule == "concurrent_writers"):
            return result.status
    return result.status


def test_concurrent_writers_to_one_child_lose_and_duplicate_nothing(postgres_url: str) -> None:
    with Ledger(settings(postgres_url)) as setup:
        setup.append_batch(child_events())
    statuses: list[str] = []
    barrier = threading.Barrier(WRITERS)

    def writer(number: int) -> None:
        # each writer is its own ledger, as separate service processes would be
        with Ledger(settings(postgres_url)) as ledger:
            ledger.child("C1")  # warm the cache, so every writer starts stale
            barrier.wait()
            for n in range(VISITS_EACH):
                statuses.append(_append_as_a_client_would(ledger, visit(number * 1000 + n)))

    _run([threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)])

    assert statuses.count("stored") == WRITERS * VISITS_EACH
    with Ledger(settings(postgres_url)) as reader:
        records = reader.child_records("C1")
        report = verify_chains(reader.store.events)
    visits = [r.event.visit_id for r in records if r.event.type == "StatutoryVisitMade"]  # type: ignore[attr-defined]
    assert len(visits) == len(set(visits)) == WRITERS * VISITS_EACH
    assert [r.version for r in records] == list(range(1, len(records) + 1))
    assert report.ok, report.breaks[:3]


def test_the_same_request_sent_by_many_writers_at_once_is_stored_once(
    postgres_url: str,
) -> None:
    with Ledger(settings(postgres_url)) as setup:
        setup.append_batch(child_events())
    statuses: list[str] = []
    barrier = threading.Barrier(WRITERS)

    def writer() -> None:
        with Ledger(settings(postgres_url)) as ledger:
            ledger.child("C1")
            barrier.wait()
            statuses.append(ledger.append(visit(7)).status)

    _run([threading.Thread(target=writer) for _ in range(WRITERS)])

    assert sorted(statuses) == ["already_stored"] * (WRITERS - 1) + ["stored"]
    with Ledger(settings(postgres_url)) as reader:
        assert sum(r.event.type == "StatutoryVisitMade" for r in reader.child_records("C1")) == 1
