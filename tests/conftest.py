"""Shared fixtures: a ledger on a throwaway database, an event factory, a seeded world.

Only the `ledger` fixture knows which database it runs on; everything else goes through
the ledger's public interface, so the same tests run on any store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from uuid import uuid4

import pytest
from databases import database_url, postgres_database, postgres_url

from journey.events import EVENT_TYPES
from journey.ledger import Ledger
from journey.results import AppendResult
from journey.settings import Settings

__all__ = ["database_url", "postgres_database", "postgres_url"]  # fixtures for every test

CHILD = "C1"
TEAM = "T-CIN"
WORKER = "W1"
DATE_OF_BIRTH = "2015-06-01"
DEFAULT_OCCURRED_AT = "2024-01-15"

EventFactory = Callable[..., dict[str, Any]]
Recorder = Callable[..., list[AppendResult]]


def make_event(type: str, **fields: Any) -> dict[str, Any]:
    """A flat event payload: `occurred_at` and a fresh `idempotency_key` filled in, and
    `la_child_id` set to C1 for child events; any of them can be overridden."""
    payload: dict[str, Any] = {
        "type": type,
        "occurred_at": DEFAULT_OCCURRED_AT,
        "idempotency_key": f"test-{uuid4()}",
    }
    model = EVENT_TYPES.get(type)
    if model is not None and model.stream == "child":
        payload["la_child_id"] = CHILD
    payload.update(fields)
    return payload


def record_all(ledger: Ledger, *payloads: dict[str, Any]) -> list[AppendResult]:
    """Append events one by one, failing the test at once if any is not stored."""
    results = []
    for payload in payloads:
        result = ledger.append(payload)
        assert result.status == "stored", (payload, result.problems)
        results.append(result)
    return results


@pytest.fixture
def ledger(tmp_path) -> Iterator[Ledger]:
    the_ledger = Ledger(
        Settings(database_url=f"sqlite:///{tmp_path}/journey.db", principal="test-service")
    )
    yield the_ledger
    the_ledger.close()


@pytest.fixture
def event() -> EventFactory:
    return make_event


@pytest.fixture
def record() -> Recorder:
    """`record(ledger, *payloads)`: append each, asserting it was stored."""
    return record_all


@pytest.fixture
def seeded(ledger: Ledger) -> Ledger:
    """Team T-CIN (child in need), social worker W1 (SW1001) in it, and child C1
    (born 2015-06-01) registered; nothing else."""
    record_all(
        ledger,
        make_event(
            "TeamEstablished",
            team_id=TEAM,
            name="Child in need team",
            service="child_in_need",
            occurred_at="2020-01-01",
        ),
        make_event(
            "WorkerRegistered",
            worker_id=WORKER,
            name="Worker One",
            role="social_worker",
            team_id=TEAM,
            swe_registration="SW1001",
            occurred_at="2020-01-02",
        ),
        make_event(
            "ChildRegistered", sex="2", date_of_birth=DATE_OF_BIRTH, occurred_at="2024-01-02"
        ),
    )
    return ledger


@pytest.fixture
def project() -> Iterator[Callable[..., Any]]:
    """`project(ledger, *projections)`: catch the projections up to the ledger's head and
    return a SQLAlchemy connection on the same database (closed after the test)."""
    from projections.runner import ProjectionRunner
    from projections.schema import engine_for

    opened: list[Any] = []

    def run(the_ledger: Ledger, *projections: Any) -> Any:
        with ProjectionRunner(the_ledger.settings, projections, ledger=the_ledger) as runner:
            runner.run()
        engine = engine_for(the_ledger.settings.database_url)
        opened.append(engine)
        connection = engine.connect()
        opened.append(connection)
        return connection

    yield run
    for thing in reversed(opened):
        thing.close() if hasattr(thing, "invalidate") else thing.dispose()
