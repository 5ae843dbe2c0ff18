"""What people are shown of a child: plain dictionaries the CLI and the HTTP API render."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from journey import events as ev
from journey.child import Child, Span
from journey.codes import meaning
from journey.dates import age_on
from journey.record import Recorded


def age_band(child: Child, today: date) -> str:
    born = child.date_of_birth
    if child.erased_on is not None:
        return "erased"
    if born is None:
        return "unborn"
    years = age_on(born, today)
    for limit, band in ((1, "under 1"), (5, "1-4"), (10, "5-9"), (16, "10-15"), (18, "16-17")):
        if years < limit:
            return band
    return "18+"


def open_work(child: Child) -> list[str]:
    """The open parts of the case, in the words of the journey."""
    parts = []
    for label, spans in (
        ("referral", child.referrals),
        ("assessment", child.assessments),
        ("child in need plan", child.cin_plans),
        ("section 47 enquiry", child.enquiries),
        ("child protection plan", child.cp_plans),
        ("care proceedings", child.proceedings),
        ("period of care", child.periods_of_care),
        ("placement", child.placements),
        ("missing", child.missing_episodes),
    ):
        if child.open_in(spans) is not None:
            parts.append(label)
    if (
        child.open_in(child.periods_of_care) is None
        and child.periods_of_care
        and any(a.end is None and a.kind == "personal_adviser" for a in child.allocations.values())
    ):
        parts.append("care leaver")
    return parts


def lead_worker(child: Child) -> str | None:
    lead = child.lead_allocation()
    return None if lead is None else str(child.allocations[lead].detail["worker_id"])


def child_row(child: Child, today: date) -> dict[str, Any]:
    return {
        "la_child_id": child.la_child_id,
        "age_band": age_band(child, today),
        "status": "open" if child.case_open() else "closed",
        "open": ", ".join(open_work(child)) or "-",
        "lead_worker": lead_worker(child) or "-",
    }


def _span(key: str, span: Span) -> dict[str, Any]:
    return {
        "id": key,
        "since": span.start.date().isoformat(),
        "ended": span.end.date().isoformat() if span.end else None,
        **({"kind": span.kind} if span.kind else {}),
    }


def _open(spans: dict[str, Span]) -> dict[str, Any] | None:
    key = Child.open_in(spans)
    return None if key is None else _span(key, spans[key])


def _latest(happenings: dict[str, Span]) -> str | None:
    """The id and date of the latest of some one-day events (reviews, visits)."""
    if not happenings:
        return None
    key, span = max(happenings.items(), key=lambda item: item[1].start)
    return f"{key} on {span.start.date().isoformat()}"


def child_detail(child: Child, today: date) -> dict[str, Any]:
    """The current state of the case, as `journey child show` prints it."""
    placement = _open(child.placements)
    if placement is not None:
        placement["type"] = meaning("PLACE", placement.pop("kind", ""))
    return {
        "la_child_id": child.la_child_id,
        "child_id": child.child_id,
        "age_band": age_band(child, today),
        "status": "open" if child.case_open() else "closed",
        "died": child.died_on is not None,
        "erased": child.erased_on.date().isoformat() if child.erased_on else None,
        "open_referral": _open(child.referrals),
        "open_assessment": _open(child.assessments),
        "child_in_need_plan": _open(child.cin_plans),
        "child_protection_plan": _open(child.cp_plans),
        "care_proceedings": _open(child.proceedings),
        "legal_status": (
            f"{child.legal_status} ({meaning('LS', child.legal_status)})"
            if child.legal_status
            else None
        ),
        "period_of_care": _open(child.periods_of_care),
        "placement": placement,
        "permanence_plan": child.permanence_plan,
        "allocated_workers": [
            {
                "role": span.kind,
                "worker_id": span.detail["worker_id"],
                "team_id": span.detail["team_id"],
                "since": span.start.date().isoformat(),
            }
            for span in child.allocations.values()
            if span.end is None
        ],
        "orders": [_span(k, s) for k, s in child.orders.items()],
        "latest_looked_after_review": _latest(child.reviews),
        "latest_statutory_visit": _latest(child.visits),
        "events_in_stream": child.version,
    }


@dataclass(frozen=True)
class Mark:
    """A later record that retracted or corrected an event: shown beside it, never hidden."""

    kind: str  # "retracted" or "corrected"
    version: int
    recorded_at: datetime
    recorded_by: str
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.kind} by version {self.version}, recorded "
            f"{self.recorded_at.isoformat(timespec='seconds')} by {self.recorded_by}: "
            f"{self.reason}"
        )


def marks(records: Sequence[Recorded]) -> dict[UUID, list[Mark]]:
    """For each event id, the retractions and corrections recorded against it."""
    found: dict[UUID, list[Mark]] = {}
    for r in records:
        if isinstance(r.event, ev.EventRetracted | ev.EventCorrected):
            kind = "retracted" if isinstance(r.event, ev.EventRetracted) else "corrected"
            found.setdefault(r.event.target_event_id, []).append(
                Mark(kind, r.version, r.recorded_at, r.recorded_by, r.event.reason)
            )
    return found


def event_rows(records: Sequence[Recorded]) -> list[dict[str, Any]]:
    """The stream as an auditor reads it: every record, with what later records did to it."""
    later = marks(records)
    return [
        {
            "version": r.version,
            "type": r.event.type,
            "occurred_at": r.event.occurred_at.isoformat(),
            "recorded_at": r.recorded_at.isoformat(timespec="seconds"),
            "recorded_by": r.recorded_by,
            "hash": r.hash[:12],
            "status": "; ".join(str(m) for m in later.get(r.event_id, [])) or "-",
        }
        for r in records
    ]
