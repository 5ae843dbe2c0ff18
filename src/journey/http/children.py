"""A child's stream and the chains, for auditors: every read is written to the access log,
with its `X-Purpose`, before the answer is sent."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request

from journey.chain import verify_chains
from journey.http.context import Purpose, context, signed_in
from journey.http.problems import ApiError, problem_responses
from journey.principals import Principal
from journey.views import event_rows

router = APIRouter(prefix="/v1", tags=["auditors"])
Auditor = Annotated[Principal, signed_in("auditor")]


@router.get(
    "/children/{la_child_id}/events",
    summary="A child's stream, as an auditor reads it",
    responses=problem_responses(404),
)
def child_events(
    request: Request, la_child_id: str, who: Auditor, purpose: Purpose
) -> list[dict[str, Any]]:
    """Every record: version, type, occurred_at, recorded_at, recorded_by, the first
    characters of the hash, and whether a later record retracted or corrected it."""
    with context(request).ledgers.lend() as ledger:
        ledger.record_access("child events", la_child_id, purpose, principal=who.name)
        records = ledger.child_records(la_child_id)
    if not records:
        raise ApiError(404, f"no child {la_child_id} in this ledger")
    return event_rows(records)


@router.get("/verify", summary="Check every chain from the raw stored bytes")
def verify(request: Request, who: Auditor) -> dict[str, Any]:
    with context(request).ledgers.lend() as ledger:
        report = verify_chains(ledger.store.events)
    return {
        "ok": report.ok,
        "events": report.events,
        "streams": report.streams,
        "access_log_entries": report.access_entries,
        "position": report.position,
        "breaks": [
            {
                "stream_id": b.stream_id,
                "version": b.version,
                "notification_id": b.notification_id,
                "problem": b.problem,
            }
            for b in report.breaks[:50]
        ],
    }
