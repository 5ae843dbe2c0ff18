"""Appending events over HTTP: one event or a batch of up to 1,000, for a child, a worker,
a team, a carer household or an adopter family, or for several at once (`/v1/events`).

The body is the same JSON as `journey append` reads: one event object, or a list. An
event without `event_id` or `idempotency_key` takes the request's `Idempotency-Key`
(`key:index` in a batch), so a retried request is stored once. One event answers 201
stored, 200 already stored, 409 conflict or 422 rejected (a problem naming the field and
the rule); a batch answers with a result an event (201 when all were stored, 200 when all
were stored or already stored, 207 when some were stored and some not, else 409 or 422:
an answer of 4xx stored nothing) and, with `?atomic=true`, stores all or nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Header, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse

from journey import events as ev
from journey.http.context import Credentials, authorise, context
from journey.http.problems import ApiError, problem, problem_responses
from journey.results import AppendResult, Problem

MAX_BATCH = 1000
STATUS = {"stored": 201, "already_stored": 200, "conflict": 409, "rejected": 422, "not_stored": 422}
EVENT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        {"$ref": "#/components/schemas/Event"},
                        {
                            "type": "array",
                            "maxItems": MAX_BATCH,
                            "items": {"$ref": "#/components/schemas/Event"},
                        },
                    ]
                }
            }
        },
    }
}

RESULT = {"application/json": {"schema": {"type": "object"}}}
ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"description": "Already stored (a batch: every event stored or already stored)"},
    201: {"description": "Stored (a batch: every event)", "content": RESULT},
    207: {
        "description": "A batch of which some events were stored and some not: a result an event",
        "content": RESULT,
    },
    **problem_responses(409, 413, 422),
}

router = APIRouter(prefix="/v1", tags=["events"], responses=ANSWERS)
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=150,
        description="For events that carry no event_id or idempotency_key of their own.",
    ),
]
Atomic = Annotated[bool, Query(description="Store every event of the batch or none.")]
Payload = Annotated[Any, Body()]


def _append(
    request: Request,
    credentials: Credentials,
    payload: Any,
    key: str | None,
    atomic: bool,
    stream: tuple[str, str, str] | None,
) -> JSONResponse:
    """`stream`: (kind, key field, id) when the path names one stream."""
    who = authorise(request, credentials, ("service",))
    if isinstance(payload, bytes | str):  # sent without Content-Type: application/json
        try:
            payload = orjson.loads(payload)
        except orjson.JSONDecodeError:
            raise ApiError(422, "the body is not JSON") from None
    single = isinstance(payload, dict)
    if not single and not isinstance(payload, list):
        raise ApiError(422, "the body is one event (a JSON object) or a list of events")
    items: list[Any] = [payload] if single else payload
    if len(items) > MAX_BATCH:
        raise ApiError(413, f"at most {MAX_BATCH} events a request, not {len(items)}")
    if not items:
        raise ApiError(422, "the list of events is empty")
    prepared = [
        _prepare(item, n, key if single else key and f"{key}:{n}", stream)
        for n, item in enumerate(items)
    ]
    with context(request).ledgers.lend(_stream_key(prepared, stream)) as ledger:
        results = ledger.append_batch(
            [p for p in prepared if not isinstance(p, AppendResult)],
            atomic=atomic,
            principal=who.name,
        )
    merged = _merge(prepared, results)
    if single:
        return _one(merged[0])
    return _many(merged)


def _prepare(
    item: Any, index: int, key: str | None, stream: tuple[str, str, str] | None
) -> dict[str, Any] | AppendResult:
    """The event as the ledger takes it, or the result that refuses it here."""
    if not isinstance(item, dict):
        return AppendResult(
            index, "rejected", problems=[Problem(None, "not_an_event", "an event is a JSON object")]
        )
    event = dict(item)
    if key and "event_id" not in event and "idempotency_key" not in event:
        event["idempotency_key"] = key
    if stream is not None:
        kind, field, name = stream
        model = ev.EVENT_TYPES.get(str(event.get("type")))
        if model is not None and model.stream != kind:
            return AppendResult(
                index,
                "rejected",
                type=model.model_fields["type"].default,
                problems=[
                    Problem(
                        "type",
                        "wrong_stream",
                        f"{event['type']} is not a {kind.replace('_', ' ')} event",
                    )
                ],
            )
        given = event.setdefault(field, name)
        if given != name:
            return AppendResult(
                index,
                "rejected",
                type=str(event.get("type")),
                problems=[
                    Problem(
                        field, "path_mismatch", f"{field} is {given!r} but the path names {name!r}"
                    )
                ],
            )
    return event


def _stream_key(
    prepared: list[dict[str, Any] | AppendResult], stream: tuple[str, str, str] | None
) -> str | None:
    """The stream a request appends to, when it names one (its first event's else), so
    that the same ledger, whose cache holds that stream, serves it again."""
    if stream is not None:
        return f"{stream[0]}:{stream[2]}"
    first = next((p for p in prepared if not isinstance(p, AppendResult)), None)
    model = ev.EVENT_TYPES.get(str(first.get("type"))) if first is not None else None
    if first is None or model is None:
        return None
    name = first.get(ev.STREAM_KEYS.get(model.stream, ""))
    return f"{model.stream}:{name}" if isinstance(name, str) else None


def _merge(
    prepared: list[dict[str, Any] | AppendResult], results: list[AppendResult]
) -> list[AppendResult]:
    answered = iter(results)
    merged = []
    for n, p in enumerate(prepared):
        result = p if isinstance(p, AppendResult) else next(answered)
        result.index = n
        merged.append(result)
    return merged


def _body(result: AppendResult) -> dict[str, Any]:
    return {**result.as_dict(), "http_status": STATUS[result.status]}


def _one(result: AppendResult) -> JSONResponse:
    status = STATUS[result.status]
    if status >= 400:
        detail = {
            "conflict": "this event_id (or idempotency key) is stored with other content; "
            "nothing was changed",
            "rejected": "the event was not stored: "
            + "; ".join(p.message for p in result.problems),
        }.get(result.status, "the event was not stored")
        return problem(status, detail, problems=result.problems, event_type=result.type)
    return JSONResponse(_body(result), status_code=status)


def _many(results: list[AppendResult]) -> JSONResponse:
    statuses = {r.status for r in results}
    if statuses == {"stored"}:
        status = 201
    elif statuses <= {"stored", "already_stored"}:
        status = 200
    elif "stored" in statuses:  # not a refusal: some of it was stored
        status = 207
    elif statuses & {"rejected", "not_stored"}:
        status = 422
    else:
        status = 409
    counts = {s: sum(1 for r in results if r.status == s) for s in sorted(statuses)}
    answered = [_body(r) for r in results]
    if status >= 400:  # a problem detail like any refusal, with a result an event
        said = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in counts.items())
        detail = f"no event of the batch was stored ({said})"
        return problem(status, detail, counts=counts, results=answered)
    return JSONResponse({"counts": counts, "results": answered}, status_code=status)


@router.post("/events", openapi_extra=EVENT_BODY, summary="Append events for any streams")
def append_events(
    request: Request,
    credentials: Credentials,
    payload: Payload,
    key: IdempotencyKey = None,
    atomic: Atomic = False,
) -> JSONResponse:
    return _append(request, credentials, payload, key, atomic, None)


def _stream_route(path: str, kind: str, field: str, summary: str) -> None:
    def append_to_stream(
        request: Request,
        credentials: Credentials,
        name: str,
        payload: Payload,
        key: IdempotencyKey = None,
        atomic: Atomic = False,
    ) -> JSONResponse:
        return _append(request, credentials, payload, key, atomic, (kind, field, name))

    append_to_stream.__name__ = f"append_{kind}_events"
    # The path names the stream by its own key (la_child_id, worker_id...): an object, not
    # a string, so that FastAPI need not evaluate it where `field` is unknown.
    append_to_stream.__annotations__["name"] = Annotated[str, PathParam(alias=field, max_length=64)]
    router.add_api_route(
        f"/{path}/{{{field}}}/events",
        append_to_stream,
        methods=["POST"],
        openapi_extra=EVENT_BODY,
        summary=summary,
    )


_stream_route("children", "child", "la_child_id", "Append a child's events")
_stream_route("workers", "worker", "worker_id", "Append a worker's events")
_stream_route("teams", "team", "team_id", "Append a team's events")
_stream_route(
    "carer-households", "carer_household", "household_id", "Append a carer household's events"
)
_stream_route(
    "adopter-families", "adopter_family", "family_id", "Append an adopter family's events"
)
