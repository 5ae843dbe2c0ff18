"""The audit trail: every stored record, who recorded it and when, how late, and what each
correction and retraction changed.

One row per record of every stream (children, workers, teams, carer households), in the
clear, so it carries no personal data: events are described by `describe` (ids and codes
only), and a correction of a personal or free-text field says that the field changed,
never its values. The reason written for a correction is free text; it stays encrypted in
the ledger, and the report shows it only when it is given the ledger to read it from.

An event's date is its date as it now stands (after corrections): a visit recorded on the
day it was said to happen, then corrected to a week earlier, was recorded a week late.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID
from weakref import WeakKeyDictionary

from sqlalchemy import (
    Column,
    Connection,
    Date,
    DateTime,
    Integer,
    String,
    Table,
    Text,
    and_,
    or_,
    select,
)

from journey import events as ev
from journey.child import CORRECTIONS, corrected
from journey.events import as_date
from journey.ledger import Ledger
from journey.record import Recorded
from journey.rules import RuleViolation
from projections.describe import SENSITIVE_FIELDS, describe, field_name, shown_value
from projections.history import StreamHistory
from projections.projection import Projection, Rows
from projections.report import Report, Section
from projections.schema import metadata, stream_column
from projections.settings import ReportSettings

EFFECTIVE, RETRACTED, CORRECTED, CORRECTION = "effective", "retracted", "corrected", "correction"

audit_trail = Table(
    "audit_trail",
    metadata,
    stream_column(),
    Column("stream", String(20), nullable=False),  # child, worker, team, carer_household
    Column("subject_id", String(64), nullable=False, index=True),  # la_child_id, worker_id...
    Column("version", Integer, nullable=False),
    Column("event_id", String(36), nullable=False, index=True),  # corrections' targets
    Column("event_type", String(64), nullable=False),
    Column("description", Text, nullable=False),  # nothing personal (projections.describe)
    Column("occurred_on", Date, nullable=False),  # as it now stands, corrections applied
    Column("recorded_at", DateTime(timezone=True), nullable=False),  # UTC
    Column("recorded_on", Date, nullable=False, index=True),  # the London date: filters
    Column("recorded_by", String(200), nullable=False),
    Column("on_behalf_of", String(64)),
    Column("source", String(100)),
    Column("days_late", Integer, nullable=False),  # recorded_on - occurred_on
    Column("status", String(12), nullable=False),
    Column("target_event_id", String(36)),  # of a correction or retraction
    Column("changed_fields", Text),  # a correction's fields, comma separated
    Column("changes", Text),  # ... with old and new values (never personal ones)
)


# --- what each correction did ---------------------------------------------------------


@dataclass(frozen=True)
class Change:
    field: str
    old: Any  # JSON values
    new: Any
    sensitive: bool  # personal or free text: the values are never shown in the clear

    def said(self) -> str:
        name = field_name(self.field)
        if self.sensitive:
            return f"{name} (value not shown)"
        return f"{name} {shown_value(self.old)} → {shown_value(self.new)}"


@dataclass(frozen=True)
class Amendment:
    """What one EventCorrected or EventRetracted did to its target."""

    record: Recorded
    target: Recorded | None
    before: ev.Event | None  # the target as it stood just before
    after: ev.Event | None  # ... and after (None when retracted or not applied)
    changes: tuple[Change, ...] = ()
    applied: bool = True

    @property
    def retraction(self) -> bool:
        return isinstance(self.record.event, ev.EventRetracted)

    def said(self) -> str:
        if not self.applied:
            return "no effect: the target is not an effective event of this stream"
        if self.retraction:
            return "withdrawn as entered in error"
        return "; ".join(c.said() for c in self.changes)


@dataclass
class Trail:
    """A stream's records with corrections worked through in stream order, as
    `journey.child.effective_history` applies them."""

    records: list[Recorded]
    latest: dict[UUID, ev.Event] = field(default_factory=dict)  # last state of each event
    retracted_by: dict[UUID, Recorded] = field(default_factory=dict)  # target -> retraction
    amendments: dict[UUID, Amendment] = field(default_factory=dict)  # by the marker's id
    corrections_of: dict[UUID, list[Amendment]] = field(default_factory=dict)


def trail(records: list[Recorded]) -> Trail:
    walked = Trail(records)
    by_id: dict[UUID, Recorded] = {}
    for record in records:
        event = record.event
        if not isinstance(event, CORRECTIONS):
            by_id[record.event_id] = record
            walked.latest[record.event_id] = event
            continue
        target_id = event.target_event_id
        target = by_id.get(target_id)
        before = None if target_id in walked.retracted_by else walked.latest.get(target_id)
        amendment = Amendment(record, target, before, None, applied=False)
        if before is not None and isinstance(event, ev.EventRetracted):
            if not isinstance(before, ev.ChildRegistered):
                walked.retracted_by[target_id] = record
                amendment = Amendment(record, target, before, None)
        elif before is not None and isinstance(event, ev.EventCorrected):
            try:
                after = corrected(before, event.changes)
            except RuleViolation:
                after = None
            if after is not None:
                walked.latest[target_id] = after
                amendment = Amendment(record, target, before, after, _changes(before, after, event))
                walked.corrections_of.setdefault(target_id, []).append(amendment)
        walked.amendments[record.event_id] = amendment
    return walked


def _changes(before: ev.Event, after: ev.Event, event: ev.EventCorrected) -> tuple[Change, ...]:
    old, new = before.model_dump(mode="json"), after.model_dump(mode="json")
    return tuple(
        Change(name, old.get(name), new.get(name), name in SENSITIVE_FIELDS)
        for name in event.changes
    )


# --- the projection -------------------------------------------------------------------


class _Folded:
    """The rows of a stream's records as recorded, kept while the runner keeps the
    stream's history. Such a row never changes, so a stream folded again page after page
    describes only its new records, and walks its corrections only once it has some."""

    __slots__ = ("amended", "rows")

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []  # one per record, each as if it stands
        self.amended = False  # the stream holds a correction or retraction


_folded: WeakKeyDictionary[StreamHistory, _Folded] = WeakKeyDictionary()


def _row(
    history: StreamHistory,
    record: Recorded,
    status: str,
    shown: ev.Event,
    amendment: Amendment | None,
) -> dict[str, Any]:
    event = record.event
    occurred_on = as_date(shown.occurred_at)
    recorded_on = as_date(record.recorded_at)
    return {
        "stream": history.stream,
        "subject_id": history.key,
        "version": record.version,
        "event_id": str(record.event_id),
        "event_type": event.type,
        "description": describe(shown),
        "occurred_on": occurred_on,
        "recorded_at": record.recorded_at.astimezone(UTC),
        "recorded_on": recorded_on,
        "recorded_by": record.recorded_by,
        "on_behalf_of": event.on_behalf_of,
        "source": event.source,
        "days_late": (recorded_on - occurred_on).days,
        "status": status,
        "target_event_id": (str(event.target_event_id) if isinstance(event, CORRECTIONS) else None),
        "changed_fields": (
            (", ".join(c.field for c in amendment.changes) or None) if amendment else None
        ),
        "changes": amendment.said() if amendment else None,
    }


def fold(history: StreamHistory) -> Rows:
    records = history.records
    folded = _folded.get(history)
    if folded is None:
        folded = _folded[history] = _Folded()
    for record in records[len(folded.rows) :]:
        folded.amended = folded.amended or isinstance(record.event, CORRECTIONS)
        folded.rows.append(_row(history, record, EFFECTIVE, record.event, None))
    if not folded.amended:
        return {audit_trail: list(folded.rows)}
    walked = trail(records)
    rows = []
    for record, standing in zip(records, folded.rows, strict=True):
        event_id = record.event_id
        amendment = walked.amendments.get(event_id)
        if amendment is not None:
            status, shown = CORRECTION, record.event
        elif event_id in walked.retracted_by:
            status, shown = RETRACTED, walked.latest[event_id]
        elif event_id in walked.corrections_of:
            status, shown = CORRECTED, walked.latest[event_id]
        else:
            rows.append(standing)
            continue
        rows.append(_row(history, record, status, shown, amendment))
    return {audit_trail: rows}


PROJECTION = Projection(
    name="audit",
    tables=(audit_trail,),
    streams=frozenset({"child", "worker", "team", "carer_household", "adopter_family"}),
    fold=fold,
)


# --- the report -----------------------------------------------------------------------


@dataclass(frozen=True)
class AuditEvent:
    recorded_at: datetime
    recorded_by: str
    on_behalf_of: str | None
    source: str | None
    stream: str
    subject_id: str
    version: int
    event_type: str
    description: str
    occurred_on: date
    days_late: int
    status: str
    event_id: str
    target_event_id: str | None


@dataclass(frozen=True)
class LateRecording:
    stream: str
    subject_id: str
    event_type: str
    description: str
    occurred_on: date
    recorded_on: date
    days_late: int
    recorded_by: str
    on_behalf_of: str | None
    event_id: str


@dataclass(frozen=True)
class CorrectionMade:
    recorded_at: datetime
    recorded_by: str
    on_behalf_of: str | None
    subject_id: str
    kind: str  # correction or retraction
    target_type: str | None
    target_occurred_on: date | None  # as it now stands
    target_description: str | None
    changed_fields: str | None
    changed: str
    reason: str | None  # free text: shown only when the report reads the ledger
    event_id: str
    target_event_id: str


def counted(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def _aware(moment: datetime) -> datetime:
    """SQLite hands back the stored UTC time without its zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def audit(
    conn: Connection,
    *,
    settings: ReportSettings,
    child: str | None = None,
    principal: str | None = None,
    from_date: date | None = None,
    to_date: date | None = None,
    ledger: Ledger | None = None,
) -> Report:
    """Every record in the scope, the late ones, and the corrections and retractions.

    `settings.late_recording_days` is the threshold of a late recording.
    `principal` matches who recorded an event or on whose behalf it was recorded; the
    dates bound the day it was recorded (both included). With `ledger`, the reasons given
    for corrections are read (decrypted) from it; without, they are not shown.
    """
    threshold = int(settings.late_recording_days)
    a = audit_trail
    scope = []
    if child is not None:
        scope += [a.c.stream == "child", a.c.subject_id == child]
    if principal is not None:
        scope.append(or_(a.c.recorded_by == principal, a.c.on_behalf_of == principal))
    if from_date is not None:
        scope.append(a.c.recorded_on >= from_date)
    if to_date is not None:
        scope.append(a.c.recorded_on <= to_date)
    order = (a.c.recorded_at, a.c.subject_id, a.c.version)
    columns = [a.c[f.name] for f in dataclasses.fields(AuditEvent)]
    query = select(*columns).where(*scope).order_by(*order)
    rows = [AuditEvent(_aware(r[0]), *r[1:]) for r in conn.execute(query)]
    late = [
        LateRecording(
            stream=r.stream,
            subject_id=r.subject_id,
            event_type=r.event_type,
            description=r.description,
            occurred_on=r.occurred_on,
            recorded_on=r.recorded_at.astimezone(ev.LONDON).date(),
            days_late=r.days_late,
            recorded_by=r.recorded_by,
            on_behalf_of=r.on_behalf_of,
            event_id=r.event_id,
        )
        for r in rows
        if r.status in (EFFECTIVE, CORRECTED) and r.days_late > threshold
    ]
    fixes = _corrections(conn, scope, ledger)
    retractions = sum(f.kind == "retraction" for f in fixes)
    recorded = [r for r in rows if r.status != CORRECTION]
    share = f" ({100 * len(late) / len(recorded):.1f}%)" if recorded else ""
    headline = (
        f"{counted(len(rows), 'record')}{_scope_words(child, principal, from_date, to_date)}: "
        f"{counted(len(late), 'event')} recorded more than {threshold} days after "
        f"{'it' if len(late) == 1 else 'they'} happened{share}; "
        f"{counted(len(fixes) - retractions, 'correction')} and "
        f"{counted(retractions, 'retraction')}"
    )
    return Report(
        name="audit",
        title="Audit trail" + _scope_words(child, principal, from_date, to_date),
        headline=headline,
        parameters={
            "child": child,
            "principal": principal,
            "from": from_date,
            "to": to_date,
            "late_recording_days": threshold,
        },
        sections=[
            Section(
                "events",
                "Every record, who recorded it and when",
                rows,
                brief=(
                    "recorded_at",
                    "recorded_by",
                    "subject_id",
                    "version",
                    "description",
                    "occurred_on",
                    "days_late",
                    "status",
                ),
            ),
            Section("late", f"Recorded more than {threshold} days after they happened", late),
            Section("corrections", "Corrections and retractions, and what they changed", fixes),
        ],
        definitions=[
            "Every event the ledger stored (for children, workers, teams and carer "
            "households), with who recorded it (the signed-in user or service, and the "
            "worker it was recorded for), when the ledger stored it, and the date it says "
            "it happened. Nothing is ever edited: a mistake is put right by a correction or "
            "a retraction, which is a record of its own.",
            "Status: effective (stands as recorded), corrected (stands with the values of "
            "one or more corrections), retracted (withdrawn as entered in error; left out "
            "of every report), correction (a correction or retraction itself).",
            f"Late recording: an event (not a correction) recorded more than {threshold} "
            "days after the date it happened (settings: late_recording_days). Days late is "
            "the day it was recorded minus the day it happened, using the date as it now "
            "stands after any correction. Retracted events are not counted.",
            "Corrections and retractions: who made them, when, what they changed (each "
            "field with its old and new value; names, dates of birth, postcodes and free "
            "text are said to have changed without showing the values), and the reason "
            "given.",
            "The period (from, to) is the day the record was stored; the principal matches "
            "who recorded an event or the worker it was recorded for.",
        ],
    )


def _corrections(conn: Connection, scope: list[Any], ledger: Ledger | None) -> list[Any]:
    a, target = audit_trail, audit_trail.alias("target")
    query = (
        select(
            a,
            target.c.event_type.label("target_type"),
            target.c.occurred_on.label("target_occurred_on"),
            target.c.description.label("target_description"),
        )
        .select_from(
            a.outerjoin(
                target,
                and_(target.c.event_id == a.c.target_event_id, target.c.stream_id == a.c.stream_id),
            )
        )
        .where(and_(a.c.status == CORRECTION, *scope))
        .order_by(a.c.recorded_at, a.c.subject_id, a.c.version)
    )
    found = list(conn.execute(query))
    reasons = _reasons(ledger, {UUID(r.stream_id) for r in found}) if ledger else {}
    return [
        CorrectionMade(
            recorded_at=_aware(r.recorded_at),
            recorded_by=r.recorded_by,
            on_behalf_of=r.on_behalf_of,
            subject_id=r.subject_id,
            kind="retraction" if r.event_type == "EventRetracted" else "correction",
            target_type=r.target_type,
            target_occurred_on=r.target_occurred_on,
            target_description=r.target_description,
            changed_fields=r.changed_fields,
            changed=r.changes,
            reason=reasons.get(r.event_id),
            event_id=r.event_id,
            target_event_id=r.target_event_id,
        )
        for r in found
    ]


def _reasons(ledger: Ledger, streams: set[UUID]) -> dict[str, str]:
    """The reason written for each correction and retraction of these streams."""
    found: dict[str, str] = {}
    for stream_id in sorted(streams, key=str):
        for record in ledger.stream_records(stream_id):
            if isinstance(record.event, CORRECTIONS):
                found[str(record.event_id)] = record.event.reason
    return found


def _scope_words(
    child: str | None, principal: str | None, from_date: date | None, to_date: date | None
) -> str:
    words = []
    if child:
        words.append(f"for child {child}")
    if principal:
        words.append(f"by {principal}")
    if from_date and to_date:
        words.append(f"recorded {from_date.isoformat()} to {to_date.isoformat()}")
    elif from_date:
        words.append(f"recorded from {from_date.isoformat()}")
    elif to_date:
        words.append(f"recorded up to {to_date.isoformat()}")
    return (" " + ", ".join(words)) if words else ""
