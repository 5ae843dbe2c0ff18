"""What every route shares: the settings, the ledgers, the principals, and who is asking."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import DBAPIError

from journey.access import PurposeRequired, check_purpose
from journey.http.pool import LedgerPool
from journey.http.problems import ApiError
from journey.principals import Principal, Principals
from journey.settings import Settings

bearer = HTTPBearer(auto_error=False, description="A token from `journey principals add`.")
CHALLENGE = {"WWW-Authenticate": "Bearer"}


@dataclass
class ApiContext:
    settings: Settings
    ledgers: LedgerPool
    principals: Principals


def context(request: Request) -> ApiContext:
    found: ApiContext = request.app.state.journey
    return found


Credentials = Annotated[HTTPAuthorizationCredentials | None, Security(bearer)]


def signed_in(*roles: str) -> Any:
    """A dependency: the principal the bearer token belongs to, who must hold one of
    `roles` (admin holds them all)."""

    def principal(request: Request, credentials: Credentials) -> Principal:
        return authorise(request, credentials, roles)

    return Depends(principal)


def authorise(
    request: Request, credentials: HTTPAuthorizationCredentials | None, roles: tuple[str, ...]
) -> Principal:
    """The principal the bearer token belongs to, who must hold one of `roles`. A route
    that works in a worker thread anyway (the appends) calls this there itself, taking
    only `Credentials` as its dependency, rather than `signed_in`, which FastAPI runs in
    a thread of its own: one hand-over between threads a request instead of two."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(401, "send a bearer token: Authorization: Bearer <token>", headers=CHALLENGE)
    principals = context(request).principals
    try:
        who = principals.authenticate(credentials.credentials)
    except DBAPIError as error:  # a connection the database dropped: once more
        if not error.connection_invalidated:
            raise
        who = principals.authenticate(credentials.credentials)
    if who is None:
        raise ApiError(401, "the token is unknown or has been revoked", headers=CHALLENGE)
    if who.role != "admin" and who.role not in roles:
        raise ApiError(403, f"{who.role} principals may not do this (it needs: {', '.join(roles)})")
    request.state.principal = who
    return who


def purpose_header(required: bool) -> Callable[..., str | None]:
    def purpose(
        x_purpose: Annotated[
            str | None,
            Header(
                alias="X-Purpose",
                description="Why the record is being read: kept in the access log.",
            ),
        ] = None,
    ) -> str | None:
        try:
            return check_purpose(x_purpose, required=required)
        except PurposeRequired as error:
            raise ApiError(400, f"X-Purpose: {str(error).removeprefix('purpose: ')}") from None

    return purpose


Purpose = Annotated[str, Depends(purpose_header(required=True))]
OptionalPurpose = Annotated[str | None, Depends(purpose_header(required=False))]
