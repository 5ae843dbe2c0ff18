"""The auditor's tools over HTTP: a child's record as of a date and as known at a time
(`GET /v1/children/{la_child_id}`), what changed between two times (`…/diff`) and an audit
bundle to download (`…/bundle`, a zip). Each needs `X-Purpose`, and is written to the
access log before the answer is sent. Mounted into `journey serve` by `register`."""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import Response

from journey.events import LONDON
from journey.http.context import Purpose, context, signed_in
from journey.http.days import Bounded, day, within
from journey.http.problems import ApiError, problem_responses
from journey.principals import Principal
from replay.bitemporal import replay_child, replayed_document
from replay.bundle import write_bundle
from replay.diff import diff, difference_document

router = APIRouter(prefix="/v1", tags=["auditors"])
Auditor = Annotated[Principal, signed_in("auditor")]
KnownAt = Annotated[
    datetime | None,
    Query(
        description="System time: only what was recorded by then (a time without an offset "
        "is London time), from 1900 to 2100."
    ),
]


def register(app: FastAPI) -> None:
    app.include_router(router)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return within("known_at", moment if moment.tzinfo else moment.replace(tzinfo=LONDON))


@router.get(
    "/children/{la_child_id}",
    summary="A child's record as of a date, as known at a time",
    responses=problem_responses(404),
)
def child(
    request: Request,
    la_child_id: str,
    who: Auditor,
    purpose: Purpose,
    as_of: Annotated[Bounded | None, day("Business date, default today")] = None,
    known_at: KnownAt = None,
) -> dict[str, Any]:
    moment = _aware(known_at)
    with context(request).ledgers.lend() as ledger:
        ledger.record_access("replay", la_child_id, purpose, principal=who.name)
        replayed = replay_child(ledger, la_child_id, as_of=as_of, known_at=moment)
    if not replayed.child.registered:
        known = "" if replayed.stored == 0 else " as known at that time"
        raise ApiError(404, f"no child {la_child_id} in this ledger{known}")
    return replayed_document(replayed, as_of, moment)


@router.get(
    "/children/{la_child_id}/diff",
    summary="What changed between two system times",
    responses=problem_responses(404),
)
def difference(
    request: Request,
    la_child_id: str,
    who: Auditor,
    purpose: Purpose,
    known_at: Annotated[list[datetime], Query(description="Two system times, from 1900 to 2100.")],
    as_of: Annotated[Bounded | None, day("Business date, default today")] = None,
) -> dict[str, Any]:
    if len(known_at) != 2:
        raise ApiError(422, "known_at: give exactly two system times")
    first, second = (_aware(t) for t in known_at)
    assert first is not None and second is not None
    with context(request).ledgers.lend() as ledger:
        ledger.record_access("replay diff", la_child_id, purpose, principal=who.name)
        records = ledger.child_records(la_child_id)
    if not records:
        raise ApiError(404, f"no child {la_child_id} in this ledger")
    return difference_document(diff(records, first, second, as_of=as_of or date.today()))


@router.get(
    "/children/{la_child_id}/bundle",
    summary="An audit bundle (a zip), checkable with its own script",
    response_class=Response,
    responses={
        200: {"description": "The bundle", "content": {"application/zip": {}}},
        **problem_responses(404),
    },
)
def bundle(request: Request, la_child_id: str, who: Auditor, purpose: Purpose) -> Response:
    with tempfile.TemporaryDirectory() as folder, context(request).ledgers.lend() as ledger:
        ledger.record_access("replay bundle", la_child_id, purpose, principal=who.name)
        made = write_bundle(
            ledger,
            la_child_id,
            Path(folder) / "bundle",
            purpose=purpose,
            now=datetime.now(UTC),
            made_by=who.name,
        )
        if made is None:
            raise ApiError(404, f"no child {la_child_id} in this ledger")
        packed = io.BytesIO()
        with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(made.directory.iterdir()):
                archive.write(path, f"bundle-{la_child_id}/{path.name}")
    return Response(
        packed.getvalue(),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="bundle-{la_child_id}.zip"'},
    )
