"""Appending a generated council through the ledger, as its services would have.

Events are appended in the order the council recorded them, a simulated day at a time,
with the ledger's clock set to the time each batch was recorded: the same code path a
service uses, so every rule is checked and recorded_at is as realistic as occurred_at.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from journey.ledger import Ledger

MAX_BATCH = 2000


class GeneratedCouncil(Protocol):
    events: list[tuple[datetime, dict[str, Any]]]


@dataclass
class Outcome:
    stored: int = 0
    rejected: int = 0
    problems: list[str] = field(default_factory=list)


def recording_days(
    events: list[tuple[datetime, dict[str, Any]]],
) -> Iterator[tuple[datetime, list[dict[str, Any]]]]:
    """Batches of events recorded on the same day, each with its last recorded time."""
    day: date | None = None
    batch: list[tuple[datetime, dict[str, Any]]] = []
    for recorded_at, payload in events:
        if batch and (recorded_at.date() != day or len(batch) >= MAX_BATCH):
            yield batch[-1][0], [p for _, p in batch]
            batch = []
        day = recorded_at.date()
        batch.append((recorded_at, payload))
    if batch:
        yield batch[-1][0], [p for _, p in batch]


def _fixed(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def append_council(
    ledger: Ledger, council: GeneratedCouncil, advance: Callable[[int], None] | None = None
) -> Outcome:
    outcome = Outcome()
    real_clock = ledger.clock
    try:
        for recorded_at, payloads in recording_days(council.events):
            ledger.clock = _fixed(recorded_at)
            for result in ledger.append_batch(payloads):
                if result.ok:
                    outcome.stored += 1
                else:
                    outcome.rejected += 1
                    if len(outcome.problems) < 20:
                        outcome.problems.append(
                            f"{result.type}: "
                            + "; ".join(f"{p.rule}: {p.message}" for p in result.problems)
                        )
            if advance is not None:
                advance(len(payloads))
    finally:
        ledger.clock = real_clock
    return outcome
