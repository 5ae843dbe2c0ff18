"""The reports and returns over HTTP: `GET /v1/caseloads`, `/v1/continuity`, `/v1/stability`,
`/v1/timeliness`, `/v1/support`, `/v1/returns/ssda903`, `/v1/returns/cin-census`,
`/v1/annex-a/{list}` for inspectors; `/v1/audit`, `/v1/access` and a child's chronology
for auditors. Mounted into `journey serve` by `register`, through the `journey.http` entry
point, since `journey` never imports the read side.

The parameters are the CLI's (`as_at`, `team`, `year`, `inspection_date`...). A report is
JSON, or with `Accept: text/csv` one section as CSV (`section`, default the first). For an
inspector, every child id is a pseudonym of that inspection (the principal's name), dates
of birth are months and postcodes districts. Each request is one entry in the access log.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, FastAPI, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from journey.events import LONDON
from journey.http.context import OptionalPurpose, Purpose, context, signed_in
from journey.http.days import Day, From, To
from journey.http.problems import ApiError, problem_responses
from journey.principals import Principal
from journey.pseudonyms import Pseudonyms
from projections import schema
from projections.annex_a import LISTS, TITLES
from projections.api import Reports
from projections.report import Report, plain, to_csv, to_json
from projections.return_files import Return

router = APIRouter(prefix="/v1")
Inspector = Annotated[Principal, signed_in("inspector", "auditor")]
Auditor = Annotated[Principal, signed_in("auditor")]
CSV = "text/csv"
LAG_HEADER = "X-Projections-Lag"  # events the projections have still to fold
Year = Annotated[
    int | None,
    Query(ge=1990, le=2100, description="Collection year: 2025 is 1 April 2025 to 31 March 2026"),
]
Section = Annotated[str | None, Query(description="With Accept: text/csv, the section.")]
# What the routes answer, for the OpenAPI document: JSON, or CSV by Accept; a section, a
# file or a team that is not there; for an inspector, no cipher key to make pseudonyms.
AS_CSV = {CSV: {"schema": {"type": "string"}}}
TABLE: dict[int | str, dict[str, Any]] = {
    200: {"description": "JSON, or with Accept: text/csv one section as CSV", "content": AS_CSV}
}
REPORT = {**TABLE, **problem_responses(404)}
INSPECTED = {**REPORT, **problem_responses(503)}


class AllocatedWorker(StrEnum):
    at_event = "at-event"
    current = "current"


def register(app: FastAPI) -> None:
    app.state.reports_engine = schema.engine_for(app.state.journey.settings.database_url)
    schema.metadata.create_all(app.state.reports_engine)
    app.include_router(router)


@contextmanager
def _reports(request: Request, who: Principal) -> Iterator[Reports]:
    state = context(request)
    _narrowed(request, who)  # an inspector with no pseudonyms to be had is refused first
    with state.ledgers.lend() as ledger:
        reports = Reports(
            state.settings, engine=request.app.state.reports_engine, ledger=ledger, reader=who.name
        )
        request.state.projections_lag = reports.lag()
        yield reports


def _answer(request: Request, response: Response) -> Response:
    """The answer, saying how far behind the log the projections it was read from are (as
    the CLI warns on stderr): `X-Projections-Lag`, in events."""
    response.headers[LAG_HEADER] = str(getattr(request.state, "projections_lag", 0))
    return response


def _narrowed(request: Request, who: Principal) -> Callable[[Any], Any]:
    """What an inspector may see of a document: pseudonyms, months, districts."""
    if who.role != "inspector":
        return lambda document: document
    key = context(request).settings.cipher_key
    if not key:
        raise ApiError(
            503, "pseudonyms for inspectors need the council's cipher key (JOURNEY_CIPHER_KEY)"
        )
    return Pseudonyms(key, who.name).narrow


def _wants_csv(request: Request) -> bool:
    return CSV in request.headers.get("accept", "")


def _report(
    request: Request,
    who: Principal,
    make: Callable[[Reports], Report],
    section: str | None,
    *,
    logged: bool = False,
) -> Response:
    """A report, JSON or a section as CSV. `logged`: the report names children and does not
    write its own access log entry."""
    with _reports(request, who) as reports:
        if logged:
            reports.record_read(f"GET {request.url.path}")
        try:
            report = make(reports)
        except LookupError as error:
            raise ApiError(404, str(error.args[0])) from None
    narrow = _narrowed(request, who)
    if _wants_csv(request):
        try:
            chosen = report.section(section) if section else report.sections[0]
        except KeyError as error:
            raise ApiError(404, str(error.args[0])) from None
        text = _csv_of(narrow, chosen.records()) if who.role == "inspector" else to_csv(chosen)
        return _answer(request, Response(text, media_type=CSV))
    document = orjson.dumps(narrow(orjson.loads(to_json(report))))
    return _answer(request, Response(document, media_type="application/json"))


def _csv_of(narrow: Callable[[Any], Any], records: list[dict[str, Any]]) -> str:
    rows = narrow([{k: plain(v) for k, v in r.items()} for r in records])
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()


@router.get(
    "/caseloads",
    tags=["inspectors"],
    summary="Open cases per worker; the unallocated",
    responses=INSPECTED,
)
def caseloads(
    request: Request,
    who: Inspector,
    as_at: Day = None,
    team: str | None = None,
    section: Section = None,
) -> Response:
    def make(reports: Reports) -> Report:
        reports.check_team(team)
        return reports.caseloads(as_at=as_at, team=team)

    return _report(request, who, make, section, logged=True)


@router.get(
    "/continuity",
    tags=["inspectors"],
    summary="One social worker from assessment to order",
    responses=INSPECTED,
)
def continuity(
    request: Request,
    who: Inspector,
    from_date: From = None,
    to_date: To = None,
    team: str | None = None,
    as_at: Day = None,
    section: Section = None,
) -> Response:
    return _report(
        request,
        who,
        lambda r: r.continuity(from_date=from_date, to_date=to_date, team=team, as_at=as_at),
        section,
        logged=True,
    )


@router.get(
    "/stability",
    tags=["inspectors"],
    summary="Placement stability in a year",
    responses=INSPECTED,
)
def stability(
    request: Request, who: Inspector, year: Year = None, section: Section = None
) -> Response:
    return _report(request, who, lambda r: r.stability(year=year), section, logged=True)


@router.get(
    "/timeliness",
    tags=["inspectors"],
    summary="Statutory timescales met, late, overdue",
    responses=INSPECTED,
)
def timeliness(
    request: Request,
    who: Inspector,
    as_at: Day = None,
    team: str | None = None,
    section: Section = None,
) -> Response:
    return _report(
        request, who, lambda r: r.timeliness(as_at=as_at, team=team), section, logged=True
    )


@router.get(
    "/support", tags=["inspectors"], summary="Support contacts; Mockingbird", responses=INSPECTED
)
def support(
    request: Request,
    who: Inspector,
    from_date: From = None,
    to_date: To = None,
    section: Section = None,
) -> Response:
    return _report(
        request,
        who,
        lambda r: r.support(from_date=from_date, to_date=to_date),
        section,
        logged=True,
    )


# --- the returns ----------------------------------------------------------------------


def _return(request: Request, who: Principal, made: Return, file: str | None) -> Response:
    narrow = _narrowed(request, who)
    if _wants_csv(request):
        name = file or next(iter(made.columns))
        if name not in made.columns:
            raise ApiError(404, f"no file {name!r} (files: {', '.join(made.columns)})")
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=made.columns[name], lineterminator="\n")
        writer.writeheader()
        writer.writerows(narrow(made.files.get(name, [])))
        return _answer(request, Response(out.getvalue(), media_type=CSV))
    document = {"return": made.name, "year": made.year, "files": narrow(made.files)}
    return _answer(request, JSONResponse(document))


@router.get(
    "/returns/ssda903",
    tags=["inspectors"],
    summary="The SSDA903 files for a year",
    responses=INSPECTED,
)
def ssda903(
    request: Request,
    who: Inspector,
    year: Year = None,
    file: Annotated[str | None, Query(description="With Accept: text/csv, the file.")] = None,
) -> Response:
    with _reports(request, who) as reports:
        made = reports.ssda903(year=year)
    return _return(request, who, made, file)


@router.get(
    "/returns/cin-census",
    tags=["inspectors"],
    summary="The CIN census for a year: XML (Accept: application/xml), JSON or CSV tables",
    responses={
        **INSPECTED,
        200: {
            "description": "JSON, a table as CSV or the XML message, by Accept",
            "content": {**AS_CSV, "application/xml": {"schema": {"type": "string"}}},
        },
    },
)
def cin_census(
    request: Request,
    who: Inspector,
    year: Year = None,
    table: Annotated[str | None, Query(description="With Accept: text/csv, the table.")] = None,
) -> Response:
    xml = "xml" in request.headers.get("accept", "")
    if xml and who.role == "inspector":  # refused before the census is read (and logged)
        raise ApiError(403, "the XML message names children: inspectors read the tables")
    with _reports(request, who) as reports:
        census = reports.cin_census(year=year)
    if xml:
        return _answer(request, Response(census.xml, media_type="application/xml"))
    return _return(request, who, census.tables, table)


@router.get(
    "/annex-a/{number}",
    tags=["inspectors"],
    summary="One of Ofsted's Annex A lists",
    responses={**TABLE, **problem_responses(503)},
)
def annex_a(
    request: Request,
    who: Inspector,
    number: Annotated[int, Path(ge=1, le=11)],
    inspection_date: Day = None,
    allocated_worker: AllocatedWorker = AllocatedWorker.at_event,
) -> Response:
    with _reports(request, who) as reports:
        made = reports.annex_a(
            inspection_date=inspection_date, allocated_worker=allocated_worker.value
        )
    columns = LISTS[number]
    rows = [dict(zip(columns, (plain(v) for v in row), strict=True)) for row in made.lists[number]]
    rows = _narrowed(request, who)(rows)
    if _wants_csv(request):
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return _answer(request, Response(out.getvalue(), media_type=CSV))
    document = {
        "list": number,
        "title": TITLES[number],
        "inspection_date": made.inspection_date.isoformat(),
        "rows": rows,
    }
    return _answer(request, JSONResponse(document))


# --- for auditors ---------------------------------------------------------------------


def _moment(day: date | None, end: bool) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=1) if end else day, time(), LONDON)


@router.get(
    "/audit",
    tags=["auditors"],
    summary="Every event with who recorded it and when",
    responses=REPORT,
)
def audit(
    request: Request,
    who: Auditor,
    purpose: OptionalPurpose,
    child: str | None = None,
    principal: str | None = None,
    from_date: From = None,
    to_date: To = None,
    section: Section = None,
) -> Response:
    if child is not None and purpose is None:
        raise ApiError(400, "X-Purpose: required to read one child's audit trail")
    start = from_date if from_date or child else date.today() - timedelta(days=30)
    return _report(
        request,
        who,
        lambda r: r.audit(
            child=child, principal=principal, from_date=start, to_date=to_date, purpose=purpose
        ),
        section,
    )


@router.get(
    "/children/{la_child_id}/chronology",
    tags=["auditors"],
    summary="A child's chronology",
    responses=REPORT,
)
def chronology(
    request: Request, who: Auditor, la_child_id: str, purpose: Purpose, section: Section = None
) -> Response:
    return _report(request, who, lambda r: r.chronology(la_child_id, purpose=purpose), section)


@router.get(
    "/access",
    tags=["auditors"],
    summary="Who read which child's record, when, why",
    responses=REPORT,
)
def access(
    request: Request,
    who: Auditor,
    child: str | None = None,
    principal: str | None = None,
    from_date: From = None,
    to_date: To = None,
    section: Section = None,
) -> Response:
    return _report(
        request,
        who,
        lambda r: r.access(
            child=child,
            principal=principal,
            start=_moment(from_date, False),
            end=_moment(to_date, True),
        ),
        section,
    )
