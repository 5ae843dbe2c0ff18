"""A child's chronology, as a court asks for it: in date order, what happened, who was
involved, and when and by whom it was recorded, with corrections applied and marked.

It is worked out on demand from the child's own stream (decrypted), never stored: it
holds what staff wrote and who the child is. An entry withdrawn as entered in error stays
in the chronology, marked, so that a reader sees the record was changed and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from journey import events as ev
from journey.events import as_date, as_datetime
from journey.ledger import Ledger
from journey.record import Recorded
from projections.audit import Amendment, counted, trail
from projections.describe import describe
from projections.history import StreamHistory
from projections.report import Report, Section
from projections.settings import ReportSettings


@dataclass(frozen=True)
class ChronologyEntry:
    on: date  # the date it happened, as it now stands
    time: str  # the London time of day, "" when only the date was given
    what: str
    who: str  # the workers named on the event, and whom it was recorded for
    recorded_at: datetime
    recorded_by: str
    days_late: int
    late: bool
    status: str  # effective, corrected or retracted
    correction: str  # how the entry was corrected or withdrawn; "" when never
    event_type: str
    event_id: str


def _day(moment: datetime) -> str:
    return as_date(moment).isoformat()


def _time(moment: date | datetime) -> str:
    if isinstance(moment, datetime):
        return moment.astimezone(ev.LONDON).strftime("%H:%M")
    return ""


def corrected_note(amendment: Amendment) -> str:
    record = amendment.record
    reason = record.event.reason  # type: ignore[attr-defined]
    changed = ", ".join(c.said() for c in amendment.changes)
    return (
        f"corrected on {_day(record.recorded_at)} by {record.recorded_by}: {reason}; "
        f"changed {changed}"
    )


def retracted_note(retraction: Recorded) -> str:
    reason = retraction.event.reason  # type: ignore[attr-defined]
    return (
        f"retracted (entered in error) on {_day(retraction.recorded_at)} by "
        f"{retraction.recorded_by}: {reason}"
    )


def _who(event: ev.Event, workers_of: dict[str, str]) -> str:
    named: list[str] = []
    worker = getattr(event, "worker_id", None)
    if isinstance(event, ev.WorkerAllocationEnded):
        worker = workers_of.get(event.allocation_id)
    if worker:
        named.append(worker)
    scrutiny = getattr(event, "scrutiny", None)
    if isinstance(scrutiny, ev.Scrutiny):
        named += [scrutiny.team_manager, scrutiny.service_manager]
    if event.on_behalf_of and event.on_behalf_of not in named:
        named.append(f"recorded for {event.on_behalf_of}")
    return ", ".join(dict.fromkeys(named))


def chronology(
    ledger: Ledger, la_child_id: str, *, settings: ReportSettings | None = None
) -> Report:
    """The child's chronology from their stream in the ledger. Raises LookupError for a
    child the ledger does not hold."""
    threshold = (settings or ReportSettings()).late_recording_days
    records = ledger.child_records(la_child_id)
    if not records:
        raise LookupError(f"no child with la_child_id {la_child_id!r} in this ledger")
    history = StreamHistory("child", ledger.child_id(la_child_id), records)
    walked = trail(records)
    workers_of = {
        e.event.allocation_id: e.event.worker_id
        for e in history.entries
        if isinstance(e.event, ev.WorkerAllocated | ev.CaseTransferred)
    }
    by_id = {r.event_id: r for r in records}

    def entry(record: Recorded, event: ev.Event, status: str, notes: list[str]) -> ChronologyEntry:
        days_late = (as_date(record.recorded_at) - as_date(event.occurred_at)).days
        return ChronologyEntry(
            on=as_date(event.occurred_at),
            time=_time(event.occurred_at),
            what=describe(event, detail=True),
            who=_who(event, workers_of),
            recorded_at=record.recorded_at,
            recorded_by=record.recorded_by,
            days_late=days_late,
            late=days_late > threshold,
            status=status,
            correction="; then ".join(notes),
            event_type=event.type,
            event_id=str(record.event_id),
        )

    def notes_for(event_id: UUID) -> list[str]:
        return [corrected_note(a) for a in walked.corrections_of.get(event_id, [])]

    placed: list[tuple[tuple[date, datetime, int], ChronologyEntry]] = []
    for e in history.entries:
        notes = notes_for(e.record.event_id)
        row = entry(e.record, e.event, "corrected" if notes else "effective", notes)
        placed.append(((row.on, as_datetime(e.event.occurred_at), e.record.version), row))
    for target_id, retraction in walked.retracted_by.items():
        original, last = by_id[target_id], walked.latest[target_id]
        notes = [*notes_for(target_id), retracted_note(retraction)]
        row = entry(original, last, "retracted", notes)
        placed.append(((row.on, as_datetime(last.occurred_at), original.version), row))
    rows = [row for _, row in sorted(placed, key=lambda p: p[0])]

    corrected = sum(r.status == "corrected" for r in rows)
    retracted = sum(r.status == "retracted" for r in rows)
    late = sum(r.late for r in rows if r.status != "retracted")
    headline = (
        f"Chronology of {la_child_id}: {counted(len(rows) - retracted, 'entry', 'entries')} "
        f"from {rows[0].on.isoformat()} to {rows[-1].on.isoformat()}; {corrected} corrected, "
        f"{retracted} withdrawn as entered in error (shown, marked); {late} recorded more "
        f"than {threshold} days after {'it' if late == 1 else 'they'} happened"
    )
    return Report(
        name="chronology",
        title=f"Chronology of {la_child_id}",
        headline=headline,
        parameters={"la_child_id": la_child_id, "late_recording_days": threshold},
        sections=[
            Section(
                "entries",
                "What happened, in date order",
                rows,
                brief=(
                    "on",
                    "time",
                    "what",
                    "who",
                    "recorded_at",
                    "recorded_by",
                    "late",
                    "status",
                    "correction",
                ),
            )
        ],
        definitions=[
            "Every event of the child's record in the order it happened (the date as it "
            "now stands, after any correction), with the workers involved, and when and by "
            "whom it was recorded.",
            "A corrected entry shows its corrected values, and says when, by whom and why "
            "it was corrected and what changed. An entry withdrawn as entered in error "
            "stays in the chronology, marked 'retracted', with when, by whom and why.",
            f"Late: recorded more than {threshold} days after it happened "
            "(settings: late_recording_days).",
            "Placement postcodes and URNs are never shown, so that the chronology can go "
            "into a court bundle without saying where the child lives.",
        ],
    )
