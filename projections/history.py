"""A stream as a projection sees it: every stored record, and the effective events.

The effective events are the stream as it now stands, with the same meaning the child
aggregate gives corrections (`journey.child.effective_history`): a retracted event is left
out, a corrected one carries its new values, and the correction markers themselves are
not events of the journey. Each effective entry keeps the record it came from (who
recorded it and when) and the corrections applied to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from journey import events as ev
from journey.child import CORRECTIONS, Child, effective_history
from journey.events import as_date
from journey.record import Recorded


@dataclass(frozen=True)
class Entry:
    """One effective event: the event with corrections applied, and its stored record."""

    event: ev.Event
    record: Recorded
    corrections: tuple[Recorded, ...] = ()

    @property
    def on(self) -> date:
        """The business date the event occurred on."""
        return as_date(self.event.occurred_at)


class StreamHistory:
    """A stream's records, grown one record at a time as the runner reads the log.

    The effective entries and the child's folded state are kept up to date as records
    are added; a correction (which rewrites the past) makes them be worked out afresh.
    """

    def __init__(self, stream: str, stream_id: UUID, records: Sequence[Recorded] = ()):
        self.stream = stream
        self.stream_id = stream_id
        self.records: list[Recorded] = list(records)
        self._entries: list[Entry] | None = None
        self._child: Child | None = None

    def append(self, record: Recorded) -> None:
        self.records.append(record)
        if isinstance(record.event, CORRECTIONS):
            self._entries, self._child = None, None
            return
        if self._entries is not None:
            self._entries.append(Entry(record.event, record))
        if self._child is not None:
            self._child.apply(record.event)

    @property
    def key(self) -> str:
        """The council's own id of the stream's subject (la_child_id, worker_id...)."""
        first = self.records[0].event
        return str(getattr(first, ev.STREAM_KEYS[self.stream]))

    @property
    def entries(self) -> list[Entry]:
        if self._entries is None:
            self._entries = self._effective()
        return self._entries

    def child(self) -> Child:
        """The child aggregate folded from the effective events (the ledger's own fold).
        Callers read it and must not change it."""
        if self._child is None:
            child = Child(child_id=str(self.stream_id))
            for entry in self.entries:
                child.apply(entry.event)
            self._child = child
        return self._child

    def _effective(self) -> list[Entry]:
        by_id = {r.event_id: r for r in self.records}
        corrections: dict[UUID, list[Recorded]] = {}
        for r in self.records:
            if isinstance(r.event, CORRECTIONS):
                corrections.setdefault(r.event.target_event_id, []).append(r)
        return [
            Entry(event, by_id[event_id], tuple(corrections.get(event_id, ())))
            for event_id, event in effective_history([(r.event_id, r.event) for r in self.records])
        ]
