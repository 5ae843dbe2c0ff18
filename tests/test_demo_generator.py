"""The synthetic council: its history passes every hard rule, is reproducible from its
seed, and exercises the whole event catalogue."""

from __future__ import annotations

import itertools
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from journey.demo.council import Council, generate
from journey.events import EVENT_TYPES
from journey.ledger import Ledger
from journey.settings import Settings

END = date(2025, 6, 30)

# Event types too rare to expect in a 400-child council over five years.
RARE = {
    "ChildDied",  # about one child in a few thousand, on purpose
    # About one child in 400 (after ~6 adoption decisions), so a third of such councils
    # have none; 2,000 children have several.
    "AdoptionDecisionReversed",
}


@pytest.fixture(scope="module")
def small() -> Council:
    return generate(seed=7, children=150, years=3, end=END)


def append_in_recording_order(council: Council, database: Path) -> list[tuple[dict[str, Any], Any]]:
    """Append a day's recordings at a time, the ledger's clock at the day's last one;
    return the events that were not stored, with their results."""
    clock: list[datetime] = [council.events[0][0]]
    settings = Settings(database_url=f"sqlite:///{database}", principal="test")
    failures = []
    with Ledger(settings, clock=lambda: clock[0]) as ledger:
        for _, day in itertools.groupby(council.events, key=lambda event: event[0].date()):
            batch = list(day)
            clock[0] = batch[-1][0]
            results = ledger.append_batch([payload for _, payload in batch])
            failures += [
                (payload, r)
                for (_, payload), r in zip(batch, results, strict=True)
                if r.status != "stored"
            ]
    return failures


def test_every_event_passes_the_rules(small: Council, tmp_path: Path) -> None:
    failures = append_in_recording_order(small, tmp_path / "j.db")
    shown = [
        f"{p['type']} {p.get('la_child_id')} {p['occurred_at']}: {r.status} "
        f"{[(x.rule, x.message) for x in r.problems]}"
        for p, r in failures[:5]
    ]
    assert not failures, f"{len(failures)} events not stored, first: " + "\n".join(shown)


def test_events_are_in_recording_order_and_never_recorded_before_they_happen(
    small: Council,
) -> None:
    times = [recorded for recorded, _ in small.events]
    assert times == sorted(times)
    for recorded, payload in small.events:
        occurred = payload["occurred_at"]
        occurred_day = date.fromisoformat(occurred[:10])
        assert occurred_day <= recorded.date() <= END
        assert small.start <= occurred_day <= END


def test_payloads_are_in_the_flat_json_form(small: Council) -> None:
    for _, payload in small.events:
        assert json.loads(json.dumps(payload)) == payload
        assert payload["event_id"] and payload["type"] in EVENT_TYPES


def test_the_same_seed_gives_the_same_council(small: Council) -> None:
    again = generate(seed=7, children=150, years=3, end=END)
    assert [p for _, p in again.events] == [p for _, p in small.events]
    assert [t for t, _ in again.events] == [t for t, _ in small.events]
    other = generate(seed=8, children=150, years=3, end=END)
    assert [p for _, p in other.events] != [p for _, p in small.events]


def test_a_council_uses_the_whole_catalogue() -> None:
    council = generate(seed=3, children=400, years=5, end=END)
    counts = council.counts()
    missing = set(EVENT_TYPES) - set(counts) - RARE
    assert not missing, f"never generated: {sorted(missing)}"
    assert council.children == 400
    assert counts["ChildRegistered"] == 400
    assert 25 <= len(council.events) / council.children <= 80
