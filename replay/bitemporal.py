"""A child's record as it stood on a business date, as the system knew it at a moment.

Replay is the ledger's own fold (`Child.apply` over the effective events) with two filters:
system time keeps only the records stored by `known_at`, so a correction recorded later is
not applied; business time then keeps only the events that had happened by `as_of`. The
live state and every replay go through the same code, so they cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from journey.child import Child, effective_history
from journey.events import as_date
from journey.ledger import Ledger
from journey.record import Recorded
from journey.views import child_detail, marks


@dataclass(frozen=True)
class Replayed:
    child: Child
    as_of: date | None
    records: list[Recorded]  # the records stored by known_at (corrections included)
    applied: int  # effective events that had happened by as_of
    stored: int  # records in the stream now

    @property
    def known(self) -> int:
        return len(self.records)


def known_by(records: Sequence[Recorded], known_at: datetime | None) -> list[Recorded]:
    """The records the ledger had stored at `known_at` (all of them when None)."""
    if known_at is None:
        return list(records)
    return [r for r in records if r.recorded_at <= known_at]


def replay_child(
    ledger: Ledger, la_child_id: str, *, as_of: date | None = None, known_at: datetime | None = None
) -> Replayed:
    """Replay a child from the ledger, reading only the records stored by `known_at`."""
    known = ledger.child_records(la_child_id, known_at=known_at)
    stored = ledger.stream_version(ledger.child_id(la_child_id))
    return _fold(known, as_of, stored)


def replay(
    records: Sequence[Recorded], *, as_of: date | None = None, known_at: datetime | None = None
) -> Replayed:
    """Replay over a stream's records already read (all of them, or those up to a time)."""
    return _fold(known_by(records, known_at), as_of, len(records))


def _fold(known: list[Recorded], as_of: date | None, stored: int) -> Replayed:
    effective = effective_history([(r.event_id, r.event) for r in known])
    child = Child(child_id=str(known[0].stream_id) if known else "")
    applied = 0
    for _, event in effective:
        if as_of is None or as_date(event.occurred_at) <= as_of:
            child.apply(event)
            applied += 1
    return Replayed(child, as_of, known, applied, stored)


def replayed_document(
    replayed: Replayed, as_of: date | None, known_at: datetime | None
) -> dict[str, Any]:
    """What `journey replay` prints (and the HTTP API answers): the state, with how many
    records were known and applied, and every retraction and correction among them."""
    later = marks(replayed.records)
    detail: dict[str, Any] = {
        "as_of": as_of.isoformat() if as_of else "today",
        "known_at": known_at.isoformat() if known_at else "now",
        "records_known": f"{replayed.known} of {replayed.stored} stored",
        "events_applied": replayed.applied,
        **child_detail(replayed.child, as_of or date.today()),
        "retracted_or_corrected": [
            f"version {r.version} {r.event.type} of {as_date(r.event.occurred_at).isoformat()}: "
            + "; ".join(str(m) for m in later[r.event_id])
            for r in replayed.records
            if r.event_id in later
        ],
    }
    detail.pop("events_in_stream", None)
    return detail
