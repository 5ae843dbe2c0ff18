"""What a child's record said differently at two system times, and why: each record
stored between them (a late recording, a new fact, a correction, a retraction), with who
recorded it and when."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from journey import events as ev
from journey.events import as_date
from journey.record import Recorded
from journey.views import child_detail
from projections.audit import trail
from projections.describe import describe
from replay.bitemporal import known_by, replay

NOT_COMPARED = frozenset({"child_id", "events_in_stream"})


@dataclass(frozen=True)
class StateDifference:
    what: str
    before: Any
    after: Any


@dataclass(frozen=True)
class RecordedBetween:
    recorded_at: datetime
    recorded_by: str
    kind: str  # late recording, new, correction, retraction
    event_type: str
    occurred_on: date
    what: str
    change: str
    reason: str
    event_id: str


@dataclass(frozen=True)
class Difference:
    earlier: datetime
    later: datetime
    as_of: date
    state: list[StateDifference]
    recorded: list[RecordedBetween]


def diff(
    records: Sequence[Recorded], first: datetime, second: datetime, *, as_of: date
) -> Difference:
    earlier, later = sorted((first, second))
    before = child_detail(replay(records, as_of=as_of, known_at=earlier).child, as_of)
    after = child_detail(replay(records, as_of=as_of, known_at=later).child, as_of)
    state = [
        StateDifference(key, before.get(key), after.get(key))
        for key in after
        if key not in NOT_COMPARED and before.get(key) != after.get(key)
    ]
    walked = trail(known_by(records, later))
    recorded = []
    for record in records:
        if not earlier < record.recorded_at <= later:
            continue
        event = record.event
        if isinstance(event, ev.EventRetracted | ev.EventCorrected):
            amendment = walked.amendments[record.event_id]
            target = amendment.before
            recorded.append(
                RecordedBetween(
                    record.recorded_at,
                    record.recorded_by,
                    "retraction" if amendment.retraction else "correction",
                    target.type if target else "?",
                    as_date(target.occurred_at) if target else as_date(event.occurred_at),
                    describe(target, detail=True) if target else "an unknown event",
                    amendment.said(),
                    event.reason,
                    str(record.event_id),
                )
            )
            continue
        happened = as_date(event.occurred_at)
        recorded.append(
            RecordedBetween(
                record.recorded_at,
                record.recorded_by,
                "late recording" if happened <= as_date(earlier) else "new",
                event.type,
                happened,
                describe(event, detail=True),
                "",
                "",
                str(record.event_id),
            )
        )
    return Difference(earlier, later, as_of, state, recorded)


def difference_document(found: Difference) -> dict[str, Any]:
    return {
        "earlier": found.earlier.isoformat(),
        "later": found.later.isoformat(),
        "as_of": found.as_of.isoformat(),
        "state": [vars(s) for s in found.state],
        "recorded": [vars(r) for r in found.recorded],
    }
