"""Bad input never causes a 500: every operation in the OpenAPI document fuzzed with
schemathesis, in process, on a fresh SQLite ledger that holds a team, a worker and a child
with a referral.

Each operation is called with data that fits its schema and data that does not, with the
ids the ledger holds, asking for JSON, CSV or XML, and with the token of a role that may
call it or of one that may not (or an unknown, a revoked or no token); and once, well
formed, by every caller. Every answer must be below 500, of a status and a content type
the document names, and a problem detail when it is an error; and nothing is stored by a
request that was refused: each request's change to the event table is exactly the events
its 2xx answer says were stored, and after each operation the events stored since the
seeding are exactly those; a refused request logs no read (a 404 may: the read of a child
who is not there is logged before it is made).

`JOURNEY_FUZZ_EXAMPLES=500 pytest tests/test_http_fuzz.py` looks harder than CI does, and
with `JOURNEY_FUZZ_RANDOM=1` elsewhere each time (CI's run is the same every time);
`JOURNEY_FUZZ_REPORT=answers.txt` writes how many answers of each status each operation had.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode, checks
from schemathesis.core import NOT_SET
from schemathesis.python.asgi import ASGIClient, get_client, shutdown_lifespans
from schemathesis.specs.openapi.schemas import OpenApiSchema
from test_ledger_store import child_events

from journey.http.app import create_app
from journey.ledger import Ledger
from journey.principals import Principals
from journey.pseudonyms import Pseudonyms
from journey.settings import Settings
from journey.store import StoredRow
from projections.registry import PROJECTIONS
from projections.runner import ProjectionRunner

KEY = "e4y3GJxkM0eKBvOIFk5w1zJcxQhZHk6PbK1gYJmDqW8="
PURPOSE = "complaint CMP-77"
EXAMPLES = int(os.environ.get("JOURNEY_FUZZ_EXAMPLES", "0")) or None
RANDOM = bool(os.environ.get("JOURNEY_FUZZ_RANDOM"))
PROBLEM = "application/problem+json"

# Which role may call each operation of the OpenAPI document (admin may call them all;
# None: anyone, signed in or not). Every operation is here: a new one fails
# `test_the_fuzz_covers_every_operation_of_the_document` until it is given a role.
MAY_CALL: dict[str, str | None] = {
    "POST /v1/events": "service",
    "POST /v1/children/{la_child_id}/events": "service",
    "POST /v1/workers/{worker_id}/events": "service",
    "POST /v1/teams/{team_id}/events": "service",
    "POST /v1/carer-households/{household_id}/events": "service",
    "POST /v1/adopter-families/{family_id}/events": "service",
    "GET /v1/children/{la_child_id}/events": "auditor",
    "GET /v1/verify": "auditor",
    "GET /v1/caseloads": "inspector",
    "GET /v1/continuity": "inspector",
    "GET /v1/stability": "inspector",
    "GET /v1/timeliness": "inspector",
    "GET /v1/support": "inspector",
    "GET /v1/returns/ssda903": "inspector",
    "GET /v1/returns/cin-census": "inspector",
    "GET /v1/annex-a/{number}": "inspector",
    "GET /v1/audit": "auditor",
    "GET /v1/children/{la_child_id}/chronology": "auditor",
    "GET /v1/access": "auditor",
    "GET /v1/children/{la_child_id}": "auditor",
    "GET /v1/children/{la_child_id}/diff": "auditor",
    "GET /v1/children/{la_child_id}/bundle": "auditor",
    "GET /healthz": None,
    "GET /readyz": None,
    "GET /v1/pseudonyms/{inspection}/{pseudonym}": "admin",
    # Last: it erases C1, whom the reads above find.
    "POST /v1/children/{la_child_id}/erasure": "admin",
}
PERMITTED = {
    "service": ("service", "admin"),
    "inspector": ("inspector", "auditor", "admin"),
    "auditor": ("auditor", "admin"),
    "admin": ("admin",),
}
ROLES = ("service", "inspector", "auditor", "admin")
# Callers that hold no role's token: revoked, unknown, malformed, none at all.
STRANGERS = ("revoked", "unknown", "not-bearer", "nobody")
# The paths' own ids that the seeded ledger holds, so that reads find something.
KNOWN_IDS = {
    "la_child_id": ("C1", "C2"),
    "worker_id": ("W1", "W2"),
    "team_id": ("T1", "T2"),
    "household_id": ("H1",),
    "family_id": ("F1",),
    "inspection": ("fuzz-inspector",),
    "pseudonym": (Pseudonyms(KEY, "fuzz-inspector").of("C1"), "P-0000"),
}
# Examples an operation: appends are slower to make (the events' schemas are large).
READ_EXAMPLES, APPEND_EXAMPLES = 40, 30
# The one request a role that may call an operation is refused.
CENSUS_AS_XML = ("GET /v1/returns/cin-census", "inspector", "application/xml")
# The reports and returns answer CSV or XML by Accept, which no parameter declares.
ACCEPT = st.sampled_from((None, "text/csv", "application/xml", "text/csv;q=0.9, */*", "\x7f"))


@dataclass
class World:
    """The app on its ledger, the tokens of each caller, and what the fuzz stored."""

    settings: Settings
    schema: OpenApiSchema
    tokens: dict[str, str]
    ledger: Ledger  # the test's own, apart from the app's: it reads what was committed
    seeded: int
    stored: set[UUID] = field(default_factory=set)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)

    def heads(self) -> tuple[int, int]:
        events = self.ledger.store.events
        return events.max_notification_id() or 0, events.access_log_head() or 0

    def rows_after(self, head: int) -> list[StoredRow]:
        return list(self.ledger.store.events.select_rows(head + 1, 1_000_000))

    def stored_since_seeding(self) -> set[UUID]:
        return {UUID(row.event_id) for row in self.rows_after(self.seeded)}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("fuzzed")
    config = Settings(
        database_url=f"sqlite:///{folder}/journey.db", cipher_key=KEY, principal="svc:seed"
    )
    ledger = Ledger(config)
    results = ledger.append_batch(child_events())
    assert [r.status for r in results] == ["stored"] * len(results)
    with ProjectionRunner(config, PROJECTIONS, ledger=ledger) as runner:
        runner.run()
    principals = Principals(config.database_url)
    tokens = {role: principals.add(f"fuzz-{role}", role)[1] for role in ROLES}
    tokens["revoked"] = principals.add("fuzz-revoked", "admin")[1]
    principals.revoke("fuzz-revoked")
    principals.close()
    tokens["unknown"] = "jny_" + "x" * 43
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(config, ledgers=1))
    seeded = ledger.store.events.max_notification_id() or 0
    made = World(config, schema, tokens, ledger, seeded)
    yield made
    shutdown_lifespans()
    ledger.close()
    if report := os.environ.get("JOURNEY_FUZZ_REPORT"):  # a file: the answers, counted
        counted = sorted(f"{label} {status}: {n}" for (label, status), n in made.statuses.items())
        Path(report).write_text("\n".join(counted) + "\n", encoding="utf-8")


@pytest.fixture
def client(world: World) -> Iterator[ASGIClient]:
    """A fresh app on the world's ledger, its lifespan begun as a server begins it (and
    ended after the test, as schemathesis's pytest plugin ends every app's it started)."""
    with get_client(create_app(world.settings, ledgers=2)) as started:
        yield started
    shutdown_lifespans()


def operations() -> list[str]:
    return list(MAY_CALL)


def test_the_fuzz_covers_every_operation_of_the_document(world: World) -> None:
    document = world.schema.raw_schema
    found = {
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "put", "post", "patch", "delete")
    }
    assert found == set(MAY_CALL)


@pytest.mark.parametrize("label", operations())
def test_each_caller_is_answered_as_its_role_allows(
    world: World, client: ASGIClient, label: str
) -> None:
    """Every caller, with every Accept, sends the operation one well-formed request: a role
    that may call it is let in (but for the inspector asking for the census as XML, which
    names children), any other is refused, 401 or 403; and each answer is checked as the
    fuzz checks it."""
    method, path = label.split(" ", 1)
    operation = world.schema[path][method]
    role = MAY_CALL[label]
    permitted = PERMITTED[role] if role else (*ROLES, *STRANGERS)
    for caller in (*ROLES, *STRANGERS):
        for accept in ("application/json", "text/csv", "application/xml"):
            case = well_formed(operation)
            status = send(world, client, case, caller, accept, permitted=caller in permitted)
            if caller not in permitted:
                assert status == (403 if caller in ROLES else 401), (label, caller)
            elif (label, caller, accept) == CENSUS_AS_XML:  # names children: not for them
                assert status == 403
            else:
                assert status not in (401, 403), (label, caller, accept, status)


def well_formed(operation: Any) -> Case:
    """The operation's request as a caller who knows the ledger sends it: the ids it holds,
    a purpose, a team and a child, an event (or an erasure) of a child who is not there."""
    parameters = {p.name: p.location for p in operation.iter_parameters()}
    paths = {name: ids[0] for name, ids in KNOWN_IDS.items() if parameters.get(name) == "path"}
    if "number" in parameters:
        paths["number"] = 1
    body: Any = NOT_SET if operation.method.upper() == "GET" else None
    if operation.path.endswith("/erasure"):
        paths["la_child_id"] = "C-never-registered"
        body = {"reason": "decision ERA-1"}
    elif body is None:
        stream = next(iter(paths), "la_child_id")
        body = {
            stream: paths.get(stream, "C1"),
            "type": "StatutoryVisitMade",
            "visit_id": "V-sweep",
            "worker_id": "W1",
            "occurred_at": "2023-04-01",
            "idempotency_key": "sweep",
        }
    return operation.Case(
        path_parameters=paths or None,
        headers={"X-Purpose": PURPOSE} if "X-Purpose" in parameters else {},
        query={name: value for name, value in KNOWN_QUERY.items() if name in parameters} or None,
        body=body,
    )


def test_an_inspector_is_refused_before_anything_is_read_without_a_cipher_key(
    world: World,
) -> None:
    """Pseudonyms need the council's key: without it an inspector's read is a 503, and
    nothing is read, nor logged."""
    keyless = Settings(database_url=world.settings.database_url, principal="svc:seed")
    inspector = {"Authorization": f"Bearer {world.tokens['inspector']}"}
    reports = [label.split(" ", 1)[1] for label, role in MAY_CALL.items() if role == "inspector"]
    with get_client(create_app(keyless, ledgers=1)) as keyless_client:
        for path in reports:
            _, reads_before = world.heads()
            answer = keyless_client.get(path.replace("{number}", "1"), headers=inspector)
            assert answer.status_code == 503, (path, answer.text)
            assert answer.headers["content-type"] == PROBLEM
            assert world.heads()[1] == reads_before, f"{path} logged a read it refused"
    shutdown_lifespans()


@pytest.mark.parametrize("label", operations())
def test_bad_input_is_never_a_server_error_and_a_refusal_stores_nothing(
    world: World, client: ASGIClient, label: str
) -> None:
    method, path = label.split(" ", 1)
    operation = world.schema[path][method]
    role = MAY_CALL[label]
    permitted = PERMITTED[role] if role else (*ROLES, *STRANGERS)
    callers = st.one_of(st.sampled_from(permitted), st.sampled_from((*ROLES, *STRANGERS)))
    appends = path.endswith("/events") and method == "POST"
    examples = EXAMPLES or (APPEND_EXAMPLES if appends else READ_EXAMPLES)

    @settings(
        max_examples=examples,
        derandomize=not RANDOM,
        database=None,
        deadline=None,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases(operation, appends), caller=callers, accept=ACCEPT)
    def fuzz(case: Case, caller: str, accept: str | None) -> None:
        send(world, client, case, caller, accept, permitted=caller in permitted)

    fuzz()
    assert world.stored_since_seeding() == world.stored, "stored by no 2xx answer"


def cases(operation: Any, appends: bool) -> st.SearchStrategy[Case]:
    """What schemathesis makes of the operation's schema (fitting it and not), and the
    same with the ledger's own ids, a purpose and, to append, events the ledger may take."""
    parameters = {p.name: p.location for p in operation.iter_parameters()}
    made = [operation.as_strategy(GenerationMode.POSITIVE)]
    if parameters or operation.body:
        made.append(operation.as_strategy(GenerationMode.NEGATIVE))
    paths = [name for name in KNOWN_IDS if parameters.get(name) == "path"]
    ids = st.fixed_dictionaries({name: st.sampled_from(KNOWN_IDS[name]) for name in paths})
    headers = {"X-Purpose": PURPOSE} if "X-Purpose" in parameters else None
    query = {name: value for name, value in KNOWN_QUERY.items() if name in parameters}
    if paths or headers or query:
        made.append(
            ids.flatmap(
                lambda given: operation.as_strategy(
                    GenerationMode.POSITIVE,
                    path_parameters=given or None,
                    headers=headers,
                    query=query or None,
                )
            )
        )
    if appends:  # as often as the rest: it is what reaches the ledger's rules
        stream = paths[0] if paths else None
        made += 2 * [
            ids.flatmap(
                lambda given: bodies(stream, given.get(stream)).flatmap(
                    lambda body: operation.as_strategy(
                        GenerationMode.POSITIVE, path_parameters=given or None, body=body
                    )
                )
            )
        ]
    return st.one_of(made)


# Query parameters as the ledger knows them: a team, a child, two system times.
KNOWN_QUERY = {
    "team": "T1",
    "child": "C1",
    "known_at": ["2023-01-01T00:00:00", "2030-01-01T00:00:00Z"],
}


# --- events the ledger may take, and near misses -------------------------------------

DAYS = st.dates(min_value=date(2023, 3, 10), max_value=date(2024, 12, 31)).map(str)
IDS = st.sampled_from(("1", "2", "3"))
# Idempotency keys, mostly new, some sent again (a retry, or other content); now and
# then an event id instead, from a few that are given again in other streams too.
KEYS = st.integers(1, 40).map(lambda n: {"idempotency_key": f"k{n}"})
EVENT_IDS = st.integers(1, 3).map(lambda n: {"event_id": str(UUID(int=n))})
IDENTITY = st.one_of(KEYS, KEYS, KEYS, EVENT_IDS, st.just({}))


def _event(type_: str, **fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    made = st.fixed_dictionaries({"type": st.just(type_), "occurred_at": DAYS, **fields})
    return st.tuples(made, IDENTITY).map(lambda parts: {**parts[0], **parts[1]})


NAMES = st.text(min_size=1, max_size=5)
# Each stream's events, but for the field that names the stream.
STREAM_EVENTS = {
    "la_child_id": st.one_of(
        _event("StatutoryVisitMade", visit_id=IDS.map("V{}".format), worker_id=st.just("W1")),
        _event(
            "ChildRegistered",
            sex=st.sampled_from(("1", "2", "9")),
            date_of_birth=st.dates(date(2008, 1, 1), date(2023, 1, 1)).map(str),
        ),
    ),
    "worker_id": st.one_of(
        _event(
            "WorkerRegistered",
            name=NAMES,
            role=st.sampled_from(("social_worker", "iro")),
            team_id=st.just("T1"),
        ),
        _event("WorkerLeft"),
    ),
    "team_id": st.one_of(
        _event(
            "TeamEstablished",
            name=NAMES,
            service=st.sampled_from(("front_door", "child_in_need")),
        ),
        _event("TeamRenamed", name=NAMES),
    ),
    "household_id": _event("CarerHouseholdApproved", kind=st.sampled_from(("foster", "kinship"))),
    "family_id": _event(
        "AdopterEnquiryReceived",
        adopters=st.just([{"adopter_id": "A1", "sex": "2"}]),
        relationship=st.just("L0"),
    ),
}
ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),  # JSON has neither
    st.text(max_size=3),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.sampled_from(("0001-01-01", "9999-12-31", "2023-02-30", "\x00", "C1" * 40)),
)


@st.composite
def _near_miss(draw: st.DrawFn, event: dict[str, Any]) -> dict[str, Any]:
    """The event as it is, or with one field dropped, changed to an odd value or added."""
    changed = dict(event)
    how = draw(st.sampled_from(("same", "same", "same", "drop", "odd", "extra")))
    name = draw(st.sampled_from(sorted(changed)))
    if how == "drop":
        del changed[name]
    elif how == "odd":
        changed[name] = draw(ODD)
    elif how == "extra":
        changed[draw(st.text(min_size=1, max_size=8))] = draw(ODD)
    return changed


def _events_of(stream: str, name: str | None) -> st.SearchStrategy[dict[str, Any]]:
    """The stream's events, named `name` (as the path names it) or one the ledger knows,
    the field often left for the path to fill in."""
    names = st.just(name) if name else st.sampled_from(KNOWN_IDS[stream])
    keyed = st.tuples(names, STREAM_EVENTS[stream]).map(lambda n_e: {stream: n_e[0], **n_e[1]})
    if name is None:
        return keyed
    return st.one_of(keyed, STREAM_EVENTS[stream])


def bodies(stream: str | None, name: str | None) -> st.SearchStrategy[Any]:
    """One event or a batch of a few, for the stream the path names (any, for /v1/events);
    or more than a batch may hold."""
    events = (
        _events_of(stream, name)
        if stream
        else st.one_of([_events_of(kind, None) for kind in STREAM_EVENTS])
    )
    one = events.flatmap(_near_miss)
    return st.one_of(one, st.lists(one, min_size=1, max_size=4), st.just([{}] * 1001))


# --- one request ----------------------------------------------------------------------


def send(
    world: World,
    client: ASGIClient,
    case: Case,
    caller: str,
    accept: str | None,
    *,
    permitted: bool,
) -> int:
    """Call the app as `caller`, asking for `accept`, check the answer and what it stored;
    the status."""
    case.headers.pop("Authorization", None)
    if caller == "not-bearer":
        case.headers["Authorization"] = "Basic Zm9vOmJhcg=="
    elif caller in world.tokens:
        case.headers["Authorization"] = f"Bearer {world.tokens[caller]}"
    label = case.operation.label
    events_before, reads_before = world.heads()
    sent = {"Accept": accept or "*/*"}  # here, not in case.headers: the session's would win
    curl = case.as_curl_command(headers=sent)
    try:
        response = case.call(session=client, headers=sent)
    except Exception as error:  # the app raised: what a served app answers with a 500
        raise AssertionError(f"{label} raised {error!r}\n{curl}") from error
    events_after, reads_after = world.heads()
    status = response.status_code
    world.statuses[label, status] += 1
    assert status < 500, f"{label} answered {status}: {response.text[:500]}\n{curl}"
    case.validate_response(
        response,
        checks=[
            checks.not_a_server_error,
            checks.status_code_conformance,
            checks.content_type_conformance,
            checks.response_schema_conformance,
        ],
    )
    if status >= 400:
        assert response.headers["content-type"] == [PROBLEM], curl
        body = response.json()
        assert body["status"] == status and body["title"] and body["detail"], curl
        if status == 401:
            assert response.headers.get("www-authenticate") == ["Bearer"], curl
    if not permitted:
        assert status in (401, 403) or _does_not_parse(response), f"{label} let {caller} in\n{curl}"
    added = world.rows_after(events_before)
    assert len(added) == events_after - events_before
    said = _stored(world, case, response, added) if 200 <= status < 300 else set()
    assert {UUID(row.event_id) for row in added} == said, (
        f"{label} answered {status} and stored {len(added)} events; its answer says "
        f"{len(said)}\n{curl}"
    )
    world.stored |= said
    if status in (400, 401, 403, 413, 422):  # refused before the record was read
        assert reads_after == reads_before, f"{label} logged a read it refused\n{curl}"
    else:  # 404 too: the read of a child who is not there is logged before it is made
        assert reads_after - reads_before <= 1, f"{label} logged more than one read\n{curl}"
    return status


def _does_not_parse(response: Any) -> bool:
    """FastAPI checks a request's parameters and body before it asks who is calling: a
    request that does not parse is refused (422, or 400 for a body that is not even text)
    before its token is looked at, having read nothing."""
    detail = response.json()["detail"]
    if response.status_code == 400:
        return bool(detail == "There was an error parsing the body")
    return response.status_code == 422 and detail == "the request is not valid"


def _stored(world: World, case: Case, response: Any, added: list[StoredRow]) -> set[UUID]:
    """The ids of the events a 2xx answer says this request stored (of those `added`, for
    an answer that names a version rather than an event id)."""
    if case.method != "POST":
        return set()
    body = orjson.loads(response.content)
    if case.path.endswith("/erasure"):  # one ChildErased, at the version the answer gives
        if body["status"] != "erased":
            return set()
        stream = world.ledger.child_id(case.path_parameters["la_child_id"])
        return {
            UUID(row.event_id)
            for row in added
            if UUID(row.stream_id) == stream and row.version == body["version"]
        }
    results = body.get("results", [body])
    return {UUID(r["event_id"]) for r in results if r["status"] == "stored"}
