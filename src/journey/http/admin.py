"""What only admins do: erase a child (the same `journey.erasure.erase` as `journey erase`)
and reveal which child an inspection's pseudonym stands for (`journey pseudonyms reveal`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from journey import pseudonyms
from journey.erasure import ErasureError, erase
from journey.http.context import Purpose, context, signed_in
from journey.http.problems import ApiError, problem, problem_responses
from journey.principals import Principal
from journey.results import Problem, problems_of

router = APIRouter(prefix="/v1", tags=["admins"])
Admin = Annotated[Principal, signed_in("admin")]


class ErasureRequest(BaseModel):
    reason: Annotated[
        str,
        Field(
            min_length=1,
            max_length=4000,
            description="Why (the decision's reference): it stays readable, so no personal data.",
        ),
    ]


@router.post(
    "/children/{la_child_id}/erasure",
    summary="Erase a child: destroy their data key (crypto-shredding)",
    status_code=201,
    responses={200: {"description": "Erased before"}, **problem_responses(401, 403, 404, 409, 422)},
)
def erase_child(
    request: Request, la_child_id: str, body: ErasureRequest, who: Admin
) -> JSONResponse:
    """Every personal field of the child's record becomes unreadable everywhere; the rest
    of the record and its chain stand, and a ChildErased records who did it, when and
    why. 201 when erased now, 200 when the child was erased before. Cannot be undone."""
    with context(request).ledgers.lend() as ledger:
        try:
            done = erase(ledger, la_child_id, body.reason, principal=who.name)
        except ErasureError as error:
            status = 404 if error.missing else 409
            return problem(status, str(error), problems=[Problem(None, error.rule, str(error))])
        except ValidationError as error:
            return problem(422, "the erasure is not valid", problems=problems_of(error))
    answer: dict[str, Any] = {
        "la_child_id": done.la_child_id,
        "status": "already_erased" if done.already else "erased",
        "erased_at": done.erased_at.isoformat(),
        "recorded_by": done.recorded_by,
        "version": done.version,
    }
    return JSONResponse(answer, status_code=200 if done.already else 201)


@router.get(
    "/pseudonyms/{inspection}/{pseudonym}",
    summary="The child an inspection's pseudonym stands for",
    responses=problem_responses(400, 401, 403, 404, 503),
)
def reveal(
    request: Request, inspection: str, pseudonym: str, who: Admin, purpose: Purpose
) -> dict[str, str]:
    """The council's id of the child an inspector's report calls `pseudonym`; the child's
    record is then in the access log as read, with the X-Purpose given."""
    with context(request).ledgers.lend() as ledger:
        try:
            found = pseudonyms.reveal(ledger, inspection, [pseudonym], purpose, principal=who.name)
        except pseudonyms.NoCipherKey as error:
            raise ApiError(503, str(error)) from None
    la_child_id = found[pseudonym]
    if la_child_id is None:
        raise ApiError(404, f"no child of this ledger is {pseudonym} to {inspection}")
    return {"inspection": inspection, "pseudonym": pseudonym, "la_child_id": la_child_id}
