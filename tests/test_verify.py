"""`verify` finds an altered, removed, reordered or copied row, and names where."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from databases import execute_sql
from test_ledger_store import child_events, settings, visit

from journey.chain import verify_chains
from journey.ledger import Ledger


def _seed(url: str) -> None:
    with Ledger(settings(url)) as ledger:
        ledger.append_batch(child_events("C1"))
        ledger.append_batch(child_events("C2")[2:])
        ledger.append_batch([visit(n) for n in range(5)])


def _flip_a_byte(url: str) -> None:
    # change the date the referral was received: 2023-02-01 -> 2023-02-02
    execute_sql(
        url,
        "UPDATE stored_events SET state = "
        + (
            "CAST(REPLACE(CAST(state AS TEXT), '\"2023-02-01\"', '\"2023-02-02\"') AS BLOB)"
            if url.startswith("sqlite")
            else "convert_to(replace(convert_from(state, 'UTF8'), '\"2023-02-01\"', "
            "'\"2023-02-02\"'), 'UTF8')"
        )
        + " WHERE topic = 'ReferralReceived'",
    )


def _delete_a_middle_event(url: str) -> None:
    execute_sql(url, "DELETE FROM stored_events WHERE topic = 'WorkerAllocated'")


def _swap_two_events(url: str) -> None:
    # give versions 3 and 4 of one child each other's bytes
    table = "stored_events"
    if url.startswith("sqlite"):
        execute_sql(
            url,
            f"UPDATE {table} SET state = (SELECT s.state FROM {table} s WHERE "
            f"s.originator_id = {table}.originator_id AND s.originator_version = "
            f"7 - {table}.originator_version) WHERE originator_version IN (3, 4)",
        )
    else:
        execute_sql(
            url,
            f"UPDATE {table} t SET state = s.state FROM {table} s WHERE "
            "s.originator_id = t.originator_id AND s.originator_version = "
            "7 - t.originator_version AND t.originator_version IN (3, 4)",
        )


def _copy_from_another_child(url: str) -> None:
    """Overwrite C2's referral with C1's: a valid record, with a valid hash, in the
    wrong stream."""
    position = "rowid" if url.startswith("sqlite") else "notification_id"
    execute_sql(
        url,
        "UPDATE stored_events SET state = (SELECT s.state FROM stored_events s "
        f"WHERE s.topic = 'ReferralReceived' ORDER BY s.{position} LIMIT 1) "
        f"WHERE topic = 'ReferralReceived' AND {position} = (SELECT MAX({position}) "
        "FROM stored_events WHERE topic = 'ReferralReceived')",
    )


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (_flip_a_byte, "the hash does not match"),
        (_delete_a_middle_event, "missing"),
        (_swap_two_events, "another stream or position"),
        (_copy_from_another_child, "another stream"),
    ],
)
def test_verify_detects_tampering(
    database_url: str, tamper: Callable[[str], None], expected: str
) -> None:
    _seed(database_url)
    with Ledger(settings(database_url)) as ledger:
        assert verify_chains(ledger.store.events).ok
    tamper(database_url)
    with Ledger(settings(database_url)) as ledger:
        report = verify_chains(ledger.store.events)
    assert not report.ok
    assert any(expected in b.problem for b in report.breaks), report.breaks
