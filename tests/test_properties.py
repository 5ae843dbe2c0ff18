"""Properties that must hold for any input a service may send, checked with hypothesis."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_ledger_store import child_events
from test_ledger_store import settings as ledger_settings

from journey.child import Child
from journey.ledger import SNAPSHOT_EVERY, Ledger
from journey.record import canonical

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Any Unicode text a case worker could type (pydantic trims surrounding white space and
# JSON cannot carry lone surrogates, so neither is asked for).
free_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80
).filter(lambda t: t.strip() == t and t)


def _stdlib_canonical(obj: object) -> bytes:
    """The README's definition of canonical bytes, with nothing but the standard library."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@FAST
@given(
    value=st.recursive(
        st.none()
        | st.booleans()
        | st.integers(-(2**53), 2**53)
        # the numbers a record can hold: an event's fractions are at least 0.01 (fte)
        | st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: abs(f) >= 0.01)
        | free_text,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(free_text, inner, max_size=4),
        max_leaves=12,
    )
)
def test_canonical_bytes_are_what_the_readme_says(value: object) -> None:
    assert canonical({"v": value}) == _stdlib_canonical({"v": value})


@FAST
@given(name=free_text)
def test_any_text_a_worker_types_is_stored_so_the_recipe_verifies_it(name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/journey.db"
        events = child_events()
        events[2] = {**events[2], "given_name": name}
        with Ledger(ledger_settings(url)) as ledger:
            results = ledger.append_batch(events)
            assert all(r.ok for r in results), [r.problems for r in results]
            stored = ledger.child_records("C1")
        assert stored[0].event.given_name == name  # type: ignore[attr-defined]
        for record in stored:
            state = json.loads(
                ledger_state(Path(folder) / "journey.db", record.version, record.stream_id.hex)
            )
            claimed = state.pop("hash")
            assert hashlib.sha256(_stdlib_canonical(state)).hexdigest() == claimed


def ledger_state(path: Path, version: int, stream_hex: str) -> bytes:
    with sqlite3.connect(path) as conn:
        row = conn.execute(
            "SELECT state FROM stored_events WHERE originator_id = ? AND originator_version = ?",
            (stream_hex, version),
        ).fetchone()
    return bytes(row[0])


@FAST
@given(
    sends=st.lists(st.integers(min_value=0, max_value=7), min_size=1, max_size=30),
)
def test_retries_in_any_order_store_each_event_once(sends: list[int]) -> None:
    """A service that resends visits in any order, any number of times."""
    with (
        tempfile.TemporaryDirectory() as folder,
        Ledger(ledger_settings(f"sqlite:///{folder}/journey.db")) as ledger,
    ):
        ledger.append_batch(child_events())
        statuses = [ledger.append(visit_payload(n)).status for n in sends]
        records = ledger.child_records("C1")
    first_sends = {n: sends.index(n) for n in set(sends)}
    assert [i for i, s in enumerate(statuses) if s == "stored"] == sorted(first_sends.values())
    assert set(statuses) <= {"stored", "already_stored"}
    assert [r.version for r in records] == list(range(1, len(records) + 1))
    assert len(records) == 4 + len(set(sends))


def visit_payload(n: int) -> dict[str, object]:
    return {
        "type": "StatutoryVisitMade",
        "la_child_id": "C1",
        "visit_id": f"V{n}",
        "worker_id": "W1",
        "occurred_at": "2023-04-01",
        "idempotency_key": f"visit-{n}",
    }


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches=st.lists(st.integers(min_value=1, max_value=SNAPSHOT_EVERY), min_size=1, max_size=4))
def test_a_state_loaded_from_a_snapshot_equals_the_state_folded_from_the_start(
    batches: list[int],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/journey.db"
        with Ledger(ledger_settings(url)) as ledger:
            ledger.append_batch(child_events())
            n = 0
            for size in batches:
                ledger.append_batch([visit_payload(n + i) for i in range(size)])
                n += size
        with Ledger(ledger_settings(url)) as cold:
            loaded = cold.child("C1")
            folded = Child(child_id=loaded.child_id)
            for record in cold.child_records("C1"):
                folded.apply(record.event)
            folded.head_hash = cold.child_records("C1")[-1].hash
        assert loaded == folded
