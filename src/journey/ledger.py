"""The Ledger: the application service every interface calls to append and to read.

An append goes: validate (pydantic) → derive the stream and event ids → load the stream
(cache, else latest snapshot plus the events after it) → decide the domain rules →
build the chained, sealed record → insert. The insert is optimistic: if another writer
took the version first, the stream is reloaded and the rules decided again, a bounded
number of times. An event id that is already stored answers "already stored" when the
content is the same and "conflict" when it is not, so a retried request never records
twice.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from uuid import UUID, uuid5

import orjson
import structlog
from eventsourcing.persistence import IntegrityError, StoredEvent
from pydantic import TypeAdapter, ValidationError

from journey import events as ev
from journey.access import AccessEntry, build_access_row, read_access_row
from journey.child import Child
from journey.child_keys import ChildKey, ChildKeys
from journey.personal_fields import impersonal
from journey.record import GENESIS, LedgerRecord, Recorded, Sealer, build_record, read_record
from journey.reference import (
    CarerHousehold,
    Reference,
    Team,
    Worker,
    apply_reference,
    decide_reference,
    new_reference,
)
from journey.results import (
    ATOMIC,
    ERASED_CHILD,
    ERASURE_BY_COMMAND,
    GONE,
    AppendResult,
    Problem,
    problems_of,
)
from journey.rules import RuleViolation
from journey.settings import Settings
from journey.store import AccessQuery, Store, open_store

log = structlog.get_logger("journey.ledger")

NAMESPACE = UUID("5b0e4c53-8a0c-4c39-9d77-6a6f75726e79")
MAX_ATTEMPTS = 10
SNAPSHOT_EVERY = 100
CACHE_SIZE = 20_000
REFERENCE_TTL_SECONDS = 5.0
_CHILD_SNAPSHOT = TypeAdapter(Child)


def hashed(value: str | UUID) -> str:
    """A short one-way reference for log lines, never the id itself."""
    return hashlib.sha256(str(value).encode()).hexdigest()[:12]


@dataclass
class _Pending:
    """One event on its way into the store."""

    index: int
    event: ev.Event
    stream_id: UUID
    event_id: UUID


class Ledger:
    """Append to and read from the event store (SQLite or PostgreSQL)."""

    def __init__(
        self,
        settings: Settings,
        store: Store | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        child_keys: ChildKeys | None = None,
    ):
        """`clock` gives recorded_at; only the demo's simulation replaces it, to record
        years of synthetic history at the times a council would have recorded it.
        `child_keys`: the children's data keys, shared by the ledgers of one process (the
        server's); made here when not given and the ledger has a cipher key. A `store`
        given is shared (the server's ledgers share one pool of connections) and closed by
        whoever made it."""
        self.settings = settings
        self.clock = clock
        self._owns_store = store is None
        self.store = store or open_store(settings.database_url)
        self._owns_keys = child_keys is None and settings.cipher_key is not None
        if self._owns_keys:
            assert settings.cipher_key is not None
            child_keys = ChildKeys(settings.database_url, settings.cipher_key)
        self.child_keys = child_keys
        self.sealer = Sealer(settings.cipher_key, child_keys)
        self._children: OrderedDict[UUID, Child] = OrderedDict()
        self._references: dict[UUID, tuple[float, Reference]] = {}

    def close(self) -> None:
        if self._owns_store:
            self.store.close()
        if self._owns_keys and self.child_keys is not None:
            self.child_keys.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- identities ---------------------------------------------------------------------

    def stream_id(self, stream: str, name: str) -> UUID:
        """Deterministic from the council code and the council's own id."""
        return _stream_id(self.settings.council, stream, name)

    def child_id(self, la_child_id: str) -> UUID:
        return self.stream_id("child", la_child_id)

    def _event_id(self, event: ev.Event, stream_id: UUID) -> UUID:
        if event.event_id is not None:
            return event.event_id
        return uuid5(NAMESPACE, f"{stream_id}:{event.idempotency_key}")

    # --- appending ----------------------------------------------------------------------

    def append(
        self, payload: dict[str, Any] | ev.Event, *, principal: str | None = None
    ) -> AppendResult:
        return self.append_batch([payload], principal=principal)[0]

    def append_batch(
        self,
        payloads: Sequence[dict[str, Any] | ev.Event],
        *,
        atomic: bool = False,
        principal: str | None = None,
    ) -> list[AppendResult]:
        """Append events (for one child or many). Each gets its own result; with
        `atomic`, a single rejection means nothing is stored. `principal` is who records
        them (`recorded_by`): the settings' principal unless an interface that signed
        someone in (the HTTP API) says otherwise."""
        return self._append(payloads, atomic=atomic, principal=principal)

    def _append(
        self,
        payloads: Sequence[dict[str, Any] | ev.Event],
        *,
        atomic: bool = False,
        principal: str | None = None,
        erasing: bool = False,
    ) -> list[AppendResult]:
        """`erasing`: only `journey.erasure` records a ChildErased, after destroying the
        child's key."""
        started = time.perf_counter()
        results: list[AppendResult | None] = [None] * len(payloads)
        pending: list[_Pending] = []
        seen: dict[UUID, _Pending] = {}
        for index, payload in enumerate(payloads):
            try:
                event = payload if isinstance(payload, ev.Event) else ev.parse_event(payload)
            except ValidationError as error:
                results[index] = AppendResult(
                    index, "rejected", type=_type_of(payload), problems=problems_of(error)
                )
                continue
            if isinstance(event, ev.ChildErased) and not erasing:
                results[index] = AppendResult(
                    index, "rejected", type=event.type, problems=[ERASURE_BY_COMMAND]
                )
                continue
            stream_id = self.stream_id(event.stream, event.stream_name())
            item = _Pending(index, event, stream_id, self._event_id(event, stream_id))
            twin = seen.get(item.event_id)
            if twin is not None:
                results[index] = self._same_or_conflict(item, twin.event, version=None)
                continue
            seen[item.event_id] = item
            pending.append(item)

        prechecked = len(pending) > 1
        if prechecked:
            existing = self.store.events.existing_event_ids([p.event_id for p in pending])
            if existing:
                for item in [p for p in pending if p.event_id in existing]:
                    results[item.index] = self._answer_stored(item)
                pending = [p for p in pending if p.event_id not in existing]

        fresh = False  # whether the states were read from the store, not the cache
        for attempt in range(MAX_ATTEMPTS):
            if not pending:
                break
            if attempt:  # back off, with jitter, so racing writers take turns
                time.sleep(random.uniform(0, min(0.1, 0.002 * 2**attempt)))
            work, decided, rejected = self._decide(pending, principal or self.settings.principal)
            if rejected and not fresh:
                # Another process may have changed these streams since they were cached:
                # a rule is only broken if it is broken against what is stored.
                self._forget_all(work)
                fresh = True
                continue
            for item, problem in rejected:
                if not prechecked and self.store.events.find_event(item.event_id) is not None:
                    # A retry of a stored event breaks rules only because it is stored.
                    results[item.index] = self._answer_stored(item)
                    continue
                results[item.index] = AppendResult(
                    item.index,
                    "rejected",
                    type=item.event.type,
                    stream=item.event.stream_name(),
                    event_id=item.event_id,
                    problems=[problem],
                )
            if atomic and any(r is not None and not r.ok for r in results):
                self._forget_all(work)
                break
            try:
                records = self._insert(work)
            except BaseException as error:
                # Whatever stopped the insert, the cached states hold events that were
                # not stored: drop them, so the next read comes from the store.
                self._forget_all(work)
                if not isinstance(error, IntegrityError):
                    raise
                # Someone else appended to one of these streams (or stored one of these
                # event ids) first: decide again against what is stored now.
                retry = []
                for item, _ in decided:
                    if self.store.events.find_event(item.event_id) is not None:
                        results[item.index] = self._answer_stored(item)
                    else:
                        retry.append(item)
                pending = retry
                continue
            self._snapshot(records)
            for item, version in decided:
                results[item.index] = AppendResult(
                    item.index,
                    "stored",
                    type=item.event.type,
                    stream=item.event.stream_name(),
                    event_id=item.event_id,
                    version=version,
                )
            pending = []
        else:
            for item in pending:
                results[item.index] = AppendResult(
                    item.index,
                    "rejected",
                    type=item.event.type,
                    stream=item.event.stream_name(),
                    event_id=item.event_id,
                    problems=[
                        Problem(
                            None,
                            "concurrent_writers",
                            f"gave up after {MAX_ATTEMPTS} attempts: other writers kept "
                            "appending to this stream; nothing was stored, retry the request",
                        )
                    ],
                )

        final = [
            r if r is not None else AppendResult(i, "not_stored", problems=[ATOMIC])
            for i, r in enumerate(results)
        ]
        self._log_batch(final, time.perf_counter() - started)
        return final

    def _decide(
        self, pending: list[_Pending], principal: str
    ) -> tuple[_WorkingSet, list[tuple[_Pending, int]], list[tuple[_Pending, Problem]]]:
        """Decide every pending event in order against a working copy of its stream."""
        work = _WorkingSet(self, self.clock(), principal)
        work.start_new_children(
            {p.stream_id for p in pending if isinstance(p.event, ev.ChildEvent)}
        )
        rejected: list[tuple[_Pending, Problem]] = []
        for item in pending:
            try:
                work.decide_and_apply(item)
            except RuleViolation as violation:
                rejected.append((item, Problem(violation.field, violation.rule, violation.message)))
        rejected += work.take_keys()
        return work, work.decided, rejected

    def _insert(self, work: _WorkingSet) -> list[LedgerRecord]:
        records = work.records()
        if records:
            self.store.events.insert_events(records)
        for stream_id, state in work.states.items():
            if isinstance(state, Child):
                self._remember_child(stream_id, state)
            else:
                self._references[stream_id] = (time.monotonic(), state)
        return records

    def _answer_stored(self, item: _Pending) -> AppendResult:
        found = self.store.events.find_event(item.event_id)
        if found is None:  # the clash was on the stream, not the id
            return AppendResult(item.index, "conflict", problems=[GONE])
        stream_id, version = found
        stored = self.store.events.select_events(stream_id, gt=version - 1, lte=version)
        existing = read_record(stored[0].state, self.sealer).event
        return self._same_or_conflict(item, existing, version)

    def _same_or_conflict(
        self, item: _Pending, existing: ev.Event, version: int | None
    ) -> AppendResult:
        if existing.erased:  # what can still be read of it is all there is to compare
            same = impersonal(existing.type, _content(existing)) == impersonal(
                existing.type, _content(item.event)
            )
        else:
            same = _content(existing) == _content(item.event)
        return AppendResult(
            item.index,
            "already_stored" if same else "conflict",
            type=item.event.type,
            stream=item.event.stream_name(),
            event_id=item.event_id,
            version=version,
            problems=[]
            if same
            else [
                Problem(
                    "event_id",
                    "event_id_conflict",
                    "this event_id (or idempotency key) is already stored with different "
                    "content; nothing was changed",
                )
            ],
        )

    def _log_batch(self, results: list[AppendResult], seconds: float) -> None:
        counts: dict[str, int] = {}
        for r in results:
            counts[r.status] = counts.get(r.status, 0) + 1
        if len(results) == 1:
            r = results[0]
            log.info(
                "append",
                status=r.status,
                event_type=r.type,
                stream=hashed(r.stream) if r.stream else None,
                rules=[p.rule for p in r.problems] or None,
                duration_ms=round(seconds * 1000, 3),
            )
        else:
            log.info(
                "append_batch", events=len(results), duration_ms=round(seconds * 1000, 3), **counts
            )

    # --- loading ------------------------------------------------------------------------

    def stream_records(
        self, stream_id: UUID, *, after: int = 0, known_at: datetime | None = None
    ) -> list[Recorded]:
        """The stream's records after a version; with `known_at`, only those stored by
        then (the rest are never read, let alone decrypted)."""
        states = self.store.events.select_states(stream_id, after=after, recorded_by=known_at)
        return [read_record(state, self.sealer) for state in states]

    def stream_version(self, stream_id: UUID) -> int:
        """How many records the stream holds (its last version)."""
        return self.store.events.stream_version(stream_id)

    def child(self, la_child_id: str) -> Child:
        """The child's current state (empty if never registered)."""
        return self._load_child(self.child_id(la_child_id))

    def _load_child(self, stream_id: UUID) -> Child:
        cached = self._children.get(stream_id)
        if cached is not None:
            self._children.move_to_end(stream_id)
            return cached
        child = self._from_snapshot(stream_id)
        tail = self.stream_records(stream_id, after=child.version)
        rewrites = any(isinstance(r.event, (ev.EventRetracted, ev.EventCorrected)) for r in tail)
        if child.version and (rewrites or (tail and tail[0].prev_hash != child.head_hash)):
            # A correction rewrites history, and a snapshot that does not meet the chain
            # is not to be trusted: fold the whole stream instead.
            tail = self.stream_records(stream_id)
            child = Child(child_id=str(stream_id))
        if rewrites:
            child = Child.fold(str(stream_id), [(r.event_id, r.event) for r in tail])
        else:
            for r in tail:
                child.apply(r.event)
        if tail:
            child.version, child.head_hash = tail[-1].version, tail[-1].hash
        self._remember_child(stream_id, child)
        return child

    def _from_snapshot(self, stream_id: UUID) -> Child:
        snapshots = self.store.snapshots.select_events(stream_id, desc=True, limit=1)
        if not snapshots:
            return Child(child_id=str(stream_id))
        key = self.child_keys.opening_key(stream_id) if self.child_keys else None
        if self.child_keys and key is None:  # erased: the snapshot went with the key
            return Child(child_id=str(stream_id))
        try:
            return _CHILD_SNAPSHOT.validate_json(self.sealer.open_bytes(snapshots[0].state, key))
        except ValueError:  # a snapshot is a cache: when unreadable, fold from the start
            log.warning("snapshot_unreadable", stream=hashed(stream_id))
            return Child(child_id=str(stream_id))

    def _snapshot(self, records: Sequence[StoredEvent]) -> None:
        """Snapshot each child whose stream crossed a multiple of SNAPSHOT_EVERY, as it
        stands after this append."""
        due = {
            UUID(str(r.originator_id))
            for r in records
            if r.originator_version % SNAPSHOT_EVERY == 0
        }
        snapshots = []
        for stream_id in due:
            child = self._children.get(stream_id)
            key = self.child_keys.opening_key(stream_id) if self.child_keys else None
            if child is None or (self.child_keys and key is None):
                continue
            snapshots.append(
                StoredEvent(
                    originator_id=stream_id,
                    originator_version=child.version,
                    topic="Child",
                    # sealed with the child's key, so an erasure takes the snapshot too
                    state=self.sealer.seal_bytes(orjson.dumps(child), key),
                )
            )
        if not snapshots:
            return
        try:
            self.store.snapshots.insert_events(snapshots)
        except IntegrityError:
            pass  # another writer took the same snapshot: it is the same state
        except Exception as error:  # a snapshot is a cache: the append has succeeded
            log.warning("snapshot_not_saved", error=type(error).__name__)

    def forget(self, stream_id: UUID) -> None:
        """Read this stream from the store next time."""
        self._children.pop(stream_id, None)
        self._references.pop(stream_id, None)

    def clear_cache(self) -> None:
        """Forget every cached stream: the next reads come from the store."""
        self._children.clear()
        self._references.clear()

    def _remember_child(self, stream_id: UUID, child: Child) -> None:
        self._children[stream_id] = child
        self._children.move_to_end(stream_id)
        while len(self._children) > CACHE_SIZE:
            self._children.popitem(last=False)

    def _forget_all(self, work: _WorkingSet) -> None:
        for stream_id in work.states:
            self._children.pop(stream_id, None)
            self._references.pop(stream_id, None)

    def reference(self, stream: str, name: str) -> Reference | None:
        stream_id = self.stream_id(stream, name)
        cached = self._references.get(stream_id)
        if cached is not None and time.monotonic() - cached[0] < REFERENCE_TTL_SECONDS:
            return cached[1]
        records = self.stream_records(stream_id)
        if not records:
            return None
        state = new_reference(records[0].event)
        for r in records:
            apply_reference(state, r.event)
        self._references[stream_id] = (time.monotonic(), state)
        return state

    # --- the References protocol (for the child aggregate) ------------------------------

    def worker(self, worker_id: str) -> Worker | None:
        found = self.reference("worker", worker_id)
        return found if isinstance(found, Worker) else None

    def team(self, team_id: str) -> Team | None:
        found = self.reference("team", team_id)
        return found if isinstance(found, Team) else None

    def carer_household(self, household_id: str) -> CarerHousehold | None:
        found = self.reference("carer_household", household_id)
        return found if isinstance(found, CarerHousehold) else None

    # --- reading for people -------------------------------------------------------------

    def child_records(self, la_child_id: str, known_at: datetime | None = None) -> list[Recorded]:
        return self.stream_records(self.child_id(la_child_id), known_at=known_at)

    def registered_children(self) -> Iterable[Recorded]:
        """Every ChildRegistered event, in the order the ledger stored them."""
        start = 1
        while True:
            page = self.store.events.select_notifications(start, 1000, topics=["ChildRegistered"])
            if not page:
                return
            for n in page:
                yield read_record(n.state, self.sealer)
            start = page[-1].id + 1

    # --- the access log -----------------------------------------------------------------

    def record_access(
        self,
        action: str,
        la_child_id: str | None,
        purpose: str | None = None,
        *,
        principal: str | None = None,
    ) -> AccessEntry:
        """Append who is reading which child's record, what and why, to the access log.
        Called before the record is shown; a read that cannot be logged is not made."""
        child_id = None if la_child_id is None else self.child_id(la_child_id)
        reader = principal or self.settings.principal
        row = self.store.events.append_access(
            lambda seq, prev_hash: build_access_row(
                seq,
                prev_hash,
                at=self.clock(),
                principal=reader,
                action=action,
                child_id=child_id,
                la_child_id=la_child_id,
                purpose=purpose,
                sealer=self.sealer,
            )
        )
        log.info(
            "child_record_read",
            action=action,
            child=None if la_child_id is None else hashed(la_child_id),
            by=reader,
            access_seq=row.seq,
        )
        return read_access_row(row, self.sealer)

    def access_entries(
        self,
        *,
        la_child_id: str | None = None,
        principal: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[AccessEntry]:
        """The access log, oldest first, narrowed to a child, a principal, a time range."""
        query = AccessQuery(
            child_id=None if la_child_id is None else self.child_id(la_child_id),
            principal=principal,
            start=start,
            end=end,
        )
        entries: list[AccessEntry] = []
        while page := self.store.events.select_access(query):
            entries += (read_access_row(row, self.sealer) for row in page)
            query = replace(query, after=page[-1].seq)
        return entries


@lru_cache(maxsize=65536)
def _stream_id(council: str, stream: str, name: str) -> UUID:
    return uuid5(NAMESPACE, f"{council}:{stream}:{name}")


def _correction_field(field_name: str | None) -> str | None:
    """Name the field of a correction that is at fault: its own, or one it changes."""
    if field_name is None or field_name == "target_event_id":
        return field_name
    if field_name == "changes" or field_name.startswith("changes."):
        return field_name
    return f"changes.{field_name}"


def _type_of(payload: Any) -> str | None:
    return payload.get("type") if isinstance(payload, dict) else None


def _content(event: ev.Event) -> dict[str, Any]:
    """What a retry must repeat exactly to be the same event."""
    return event.model_dump(mode="json", exclude={"event_id", "idempotency_key"})


class _WorkingSet:
    """The streams one append touches, as they will be if it is stored."""

    def __init__(self, ledger: Ledger, now: datetime, principal: str):
        self.ledger = ledger
        self.now = now
        self.principal = principal
        self.states: dict[UUID, Child | Reference] = {}
        self.heads: dict[UUID, str] = {}
        self.histories: dict[UUID, list[tuple[UUID, ev.Event]]] = {}
        self.decided: list[tuple[_Pending, int]] = []  # each event and its version
        self.keys: dict[UUID, ChildKey | None] = {}  # the children's data keys

    def decide_and_apply(self, item: _Pending) -> int:
        now = self.now
        event, stream_id = item.event, item.stream_id
        if isinstance(event, ev.ChildEvent):
            child = self._child(stream_id)
            if isinstance(event, (ev.EventRetracted, ev.EventCorrected)):
                child.refuse_if_erased()
                history = [*self._history(stream_id), (item.event_id, event)]
                try:
                    folded = Child.fold(str(stream_id), history, refs=self, now=now)
                except RuleViolation as violation:
                    raise RuleViolation(
                        violation.rule,
                        f"the correction would break the record: {violation.message}",
                        _correction_field(violation.field),
                    ) from None
                folded.head_hash = child.head_hash
                self.states[stream_id] = folded
                child = folded
                version = child.version
            else:
                child.decide(event, self, now)
                child.apply(event)
                version = child.version
            self.histories.setdefault(stream_id, []).append((item.event_id, event))
        else:
            state = self._reference(stream_id, event)
            decide_reference(state, event, now)
            apply_reference(state, event)
            version = state.version
        self.decided.append((item, version))
        return version

    def start_new_children(self, stream_ids: set[UUID]) -> None:
        """Ask the store once which uncached children exist: the others are new and need
        no loading (a batch of new children costs one query, not two per child)."""
        unknown = [s for s in stream_ids if s not in self.ledger._children]
        if len(unknown) < 2:
            return
        existing = self.ledger.store.events.existing_streams(unknown)
        for stream_id in unknown:
            if stream_id not in existing:
                self.states[stream_id] = Child(child_id=str(stream_id))
                self.heads[stream_id] = GENESIS

    def _child(self, stream_id: UUID) -> Child:
        state = self.states.get(stream_id)
        if state is None:
            state = self.ledger._load_child(stream_id)
            self.states[stream_id] = state
            self.heads[stream_id] = state.head_hash
        assert isinstance(state, Child)
        return state

    def take_keys(self) -> list[tuple[_Pending, Problem]]:
        """The data keys of the children decided for, made where new; a child whose key
        was destroyed meanwhile (an erasure in another process) takes nothing more."""
        keys = self.ledger.child_keys
        streams = {i.stream_id for i, _ in self.decided if isinstance(i.event, ev.ChildEvent)}
        if keys is None or not streams:
            return []
        self.keys = keys.sealing_keys(streams)
        gone = {s for s, key in self.keys.items() if key is None}
        erasures = {i.stream_id for i, _ in self.decided if isinstance(i.event, ev.ChildErased)}
        gone -= erasures
        if not gone:
            return []
        for stream_id in gone:
            self.states.pop(stream_id, None)
            self.ledger._children.pop(stream_id, None)
        refused = [(i, ERASED_CHILD) for i, _ in self.decided if i.stream_id in gone]
        self.decided = [(i, v) for i, v in self.decided if i.stream_id not in gone]
        return refused

    def _history(self, stream_id: UUID) -> list[tuple[UUID, ev.Event]]:
        stored = [(r.event_id, r.event) for r in self.ledger.stream_records(stream_id)]
        return stored + self.histories.get(stream_id, [])

    def _reference(self, stream_id: UUID, event: ev.Event) -> Reference:
        state = self.states.get(stream_id)
        if state is None:
            found = self.ledger.reference(event.stream, event.stream_name())
            state = found if found is not None else new_reference(event)
            self.states[stream_id] = state
            self.heads[stream_id] = self._reference_head(stream_id)
        assert not isinstance(state, Child)
        return state

    def _reference_head(self, stream_id: UUID) -> str:
        last = self.ledger.store.events.select_events(stream_id, desc=True, limit=1)
        if not last:
            return GENESIS
        return str(orjson.loads(last[0].state)["hash"])

    # References, seeing this batch's own reference events first.
    def worker(self, worker_id: str) -> Worker | None:
        state = self.states.get(self.ledger.stream_id("worker", worker_id))
        return state if isinstance(state, Worker) else self.ledger.worker(worker_id)

    def team(self, team_id: str) -> Team | None:
        state = self.states.get(self.ledger.stream_id("team", team_id))
        return state if isinstance(state, Team) else self.ledger.team(team_id)

    def carer_household(self, household_id: str) -> CarerHousehold | None:
        state = self.states.get(self.ledger.stream_id("carer_household", household_id))
        if isinstance(state, CarerHousehold):
            return state
        return self.ledger.carer_household(household_id)

    def records(self) -> list[LedgerRecord]:
        """The decided events as chained, sealed records, in order."""
        now = self.now
        out = []
        for item, version in self.decided:
            prev = self.heads[item.stream_id]
            record, state = build_record(
                item.event,
                event_id=item.event_id,
                stream_id=item.stream_id,
                version=version,
                recorded_at=now,
                recorded_by=self.principal,
                prev_hash=prev,
                sealer=self.ledger.sealer,
                child_key=self.keys.get(item.stream_id),
            )
            self.heads[item.stream_id] = record["hash"]
            target = self.states[item.stream_id]
            if isinstance(target, Child):
                target.head_hash = record["hash"]
            out.append(
                LedgerRecord(
                    originator_id=item.stream_id,
                    originator_version=version,
                    topic=item.event.type,
                    state=state,
                    event_id=item.event_id,
                    recorded_at=now,
                )
            )
        return out
