"""The HTTP API end to end, as its users meet it: `journey serve` started in a subprocess on
a free loopback port, principals made with `journey principals add`, and every request
sent over the wire."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from test_cli import journey
from test_ledger_store import child_events

from journey.http.app import PRINCIPAL_SECONDS

KEY = "e4y3GJxkM0eKBvOIFk5w1zJcxQhZHk6PbK1gYJmDqW8="


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Server:
    url: str
    folder: Path
    tokens: dict[str, str]

    def call(
        self,
        method: str,
        path: str,
        who: str | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        sent = dict(headers or {})
        if who is not None:
            sent["Authorization"] = f"Bearer {self.tokens[who]}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent.setdefault("Content-Type", "application/json")
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return Answer(answer.status, dict(answer.headers), answer.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOURNEY_")}
    return env | {
        "JOURNEY_CIPHER_KEY": KEY,
        "JOURNEY_DATABASE_URL": f"sqlite:///{folder}/journey.db",
    }


def start(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "journey", "serve", "--port", str(port)],
        cwd=folder,
        env=environment(folder),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1):
                return process, url
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(f"the server did not start: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("served")
    tokens = {}
    for name, role in (
        ("svc-case-system", "service"),
        ("ofsted-2026", "inspector"),
        ("auditor-jo", "auditor"),
        ("svc-retired", "service"),
        ("dpo-admin", "admin"),
    ):
        added = subprocess.run(
            [sys.executable, "-m", "journey", "principals", "add", name, "--role", role],
            cwd=folder,
            env=environment(folder),
            capture_output=True,
            text=True,
            check=True,
        )
        tokens[name] = added.stdout.strip()
        assert tokens[name].startswith("jny_") and tokens[name] not in added.stderr
    process, url = start(folder)
    yield Server(url, folder, tokens)
    process.terminate()
    process.wait(timeout=30)


def register(server: Server) -> None:
    """The team, the worker and child C1 with a referral, through the API."""
    reference, child = child_events()[:2], child_events()[2:5]
    assert server.call("POST", "/v1/events", "svc-case-system", reference).status in (200, 201)
    assert server.call("POST", "/v1/children/C1/events", "svc-case-system", child).status in (
        200,
        201,
    )


def test_health_readiness_and_the_openapi_document(server: Server) -> None:
    assert server.call("GET", "/healthz").json() == {"status": "ok"}
    assert server.call("GET", "/readyz").json()["status"] == "ready"
    document = server.call("GET", "/openapi.json").json()
    assert "/v1/children/{la_child_id}/events" in document["paths"]
    assert "PlacementStarted" in document["components"]["schemas"]
    assert server.call("GET", "/docs").status == 200


def test_an_append_a_retry_and_a_conflict(server: Server) -> None:
    register(server)
    visit = {
        "type": "CINPlanStarted",
        "plan_id": "CIN1",
        "occurred_at": "2023-02-10",
    }
    keyed = {"Idempotency-Key": "case-system-4411"}
    first = server.call("POST", "/v1/children/C1/events", "svc-case-system", visit, keyed)
    assert first.status == 201, first.body
    assert first.json()["status"] == "stored"
    again = server.call("POST", "/v1/children/C1/events", "svc-case-system", visit, keyed)
    assert again.status == 200 and again.json()["status"] == "already_stored"
    changed = {**visit, "occurred_at": "2023-02-11"}
    clash = server.call("POST", "/v1/children/C1/events", "svc-case-system", changed, keyed)
    assert clash.status == 409
    assert clash.headers["content-type"] == "application/problem+json"
    assert clash.json()["problems"][0]["rule"] == "event_id_conflict"


def test_bad_input_is_a_problem_naming_the_field_and_the_rule(server: Server) -> None:
    register(server)
    placement = {
        "type": "PlacementStarted",
        "placement_id": "P9",
        "place": "U6",
        "provider": "PR1",
        "occurred_at": "2023-03-01",
        "idempotency_key": "placement-desk-1",
    }
    refused = server.call("POST", "/v1/children/C1/events", "svc-case-system", placement)
    assert refused.status == 422
    (problem,) = refused.json()["problems"]
    assert problem == {
        "field": "placement_id",
        "rule": "placement_inside_period_of_care",
        "message": "a placement is made only inside a period of care: start the period first",
    }
    unknown = server.call(
        "POST", "/v1/children/C1/events", "svc-case-system", {**placement, "place": "ZZ"}
    )
    assert unknown.status == 422 and unknown.json()["problems"][0]["field"] == "place"
    not_json = urllib.request.Request(
        server.url + "/v1/children/C1/events",
        data=b"{not json",
        method="POST",
        headers={"Authorization": f"Bearer {server.tokens['svc-case-system']}"},
    )
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(not_json, timeout=30)
    assert raised.value.code == 422


def test_a_batch_has_a_result_an_event_and_atomic_stores_nothing_on_a_refusal(
    server: Server,
) -> None:
    register(server)
    good = {
        "type": "StrategyDiscussionHeld",
        "strategy_id": "S1",
        "section47_needed": False,
        "occurred_at": "2023-02-12",
        "idempotency_key": "batch-good",
    }
    bad = {**good, "strategy_id": "S1", "idempotency_key": "batch-bad"}  # a second S1
    atomic = server.call(
        "POST", "/v1/children/C1/events?atomic=true", "svc-case-system", [good, bad]
    )
    assert atomic.status == 422
    assert [r["status"] for r in atomic.json()["results"]] == ["not_stored", "rejected"]
    mixed = server.call("POST", "/v1/children/C1/events", "svc-case-system", [good, bad])
    assert [r["http_status"] for r in mixed.json()["results"]] == [201, 422]
    elsewhere = server.call(
        "POST", "/v1/children/C1/events", "svc-case-system", [{**good, "la_child_id": "C2"}]
    )
    assert elsewhere.json()["results"][0]["problems"][0]["rule"] == "path_mismatch"


def test_no_token_a_wrong_role_and_a_revoked_token_are_refused(server: Server) -> None:
    assert server.call("POST", "/v1/events", None, []).status == 401
    event = {"type": "ChildDied", "la_child_id": "C1", "occurred_at": "2024-01-01"}
    assert server.call("POST", "/v1/events", "ofsted-2026", [event]).status == 403
    assert server.call("GET", "/v1/verify", "svc-case-system").status == 403
    ok = server.call("GET", "/v1/verify", "auditor-jo")
    assert ok.status == 200 and ok.json()["ok"]
    assert server.call("GET", "/v1/verify", "svc-retired").status == 403  # signed in
    revoked = journey(
        server.folder, "principals", "revoke", "svc-retired", env=environment(server.folder)
    )
    assert revoked.returncode == 0, revoked.stderr
    # The server takes a token it has just seen on trust for PRINCIPAL_SECONDS, no longer.
    deadline = time.monotonic() + PRINCIPAL_SECONDS + 3
    while (answer := server.call("GET", "/v1/verify", "svc-retired")).status != 401:
        assert answer.status == 403 and time.monotonic() < deadline, answer.body
        time.sleep(0.2)
    assert server.call("POST", "/v1/events", "svc-retired", [event]).status == 401


def test_an_inspector_reads_a_report_with_children_pseudonymised(server: Server) -> None:
    register(server)
    caught = journey(server.folder, "projections", "run", env=environment(server.folder))
    assert caught.returncode == 0, caught.stderr[-2000:]
    report = server.call("GET", "/v1/timeliness?as_at=2023-06-01", "ofsted-2026")
    assert report.status == 200, report.body
    assert report.headers["x-projections-lag"] == "0"
    newcomer = child_events("C-lag")[2]
    assert server.call("POST", "/v1/events", "svc-case-system", [newcomer]).status in (200, 201)
    behind = server.call("GET", "/v1/caseloads?as_at=2023-06-01", "ofsted-2026")
    assert int(behind.headers["x-projections-lag"]) >= 1  # the newcomer is not folded yet
    text = report.body.decode()
    assert '"C1"' not in text and "P-" in text
    csv = {"Accept": "text/csv"}
    children = "/v1/timeliness?as_at=2023-06-01&section=children"
    as_csv = server.call("GET", children, "ofsted-2026", headers=csv)
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert ",C1," not in as_csv.body.decode() and "P-" in as_csv.body.decode()
    council = server.call("GET", "/v1/timeliness?as_at=2023-06-01", "auditor-jo").body.decode()
    assert '"C1"' in council  # the council's own auditors see the council's ids
    # ...and the ids of its records, which a case system may make from the child's id:
    # an inspector sees those pseudonymised too.
    assert '"item_id":"R1"' in council
    assert '"R1"' not in text and '"item_id":"R-' in text


def test_the_council_reveals_which_child_a_pseudonym_stands_for(server: Server) -> None:
    register(server)
    caught = journey(server.folder, "projections", "run", env=environment(server.folder))
    assert caught.returncode == 0, caught.stderr[-2000:]
    report = server.call("GET", "/v1/timeliness?as_at=2023-06-01", "ofsted-2026").json()
    pseudonym = report["sections"]["children"][0]["la_child_id"]
    assert pseudonym.startswith("P-")
    said = {"X-Purpose": "inspector's query IQ-3"}
    path = f"/v1/pseudonyms/ofsted-2026/{pseudonym}"
    assert server.call("GET", path, "ofsted-2026", headers=said).status == 403
    revealed = server.call("GET", path, "dpo-admin", headers=said)
    assert revealed.status == 200 and revealed.json()["la_child_id"] == "C1"
    elsewhere = server.call(
        "GET", f"/v1/pseudonyms/ofsted-2027/{pseudonym}", "dpo-admin", headers=said
    )
    assert elsewhere.status == 404  # another inspection's pseudonyms are other pseudonyms
    by_cli = journey(
        server.folder,
        "pseudonyms",
        "reveal",
        "ofsted-2026",
        pseudonym,
        "--purpose",
        "IQ-3",
        env=environment(server.folder),
    )
    assert by_cli.returncode == 0 and "C1" in by_cli.stdout, by_cli.stderr
    log = server.call("GET", "/v1/access?child=C1", "auditor-jo").json()["sections"]["reads"]
    assert {(r["principal"], r["action"]) for r in log} >= {("dpo-admin", "pseudonym reveal")}


def test_an_auditor_replays_with_a_purpose_and_every_read_is_logged(server: Server) -> None:
    register(server)
    unsaid = server.call("GET", "/v1/children/C1", "auditor-jo")
    assert unsaid.status == 400 and "X-Purpose" in unsaid.json()["detail"]
    said = {"X-Purpose": "complaint CMP-77"}
    state = server.call("GET", "/v1/children/C1?as_of=2023-02-05", "auditor-jo", headers=said)
    assert state.status == 200, state.body
    assert state.json()["open_referral"]["id"] == "R1"
    events = server.call("GET", "/v1/children/C1/events", "auditor-jo", headers=said)
    assert [e["recorded_by"] for e in events.json()][:1] == ["svc-case-system"]
    log = server.call("GET", "/v1/access?child=C1", "auditor-jo").json()
    reads = [(r["principal"], r["action"], r["purpose"]) for r in log["sections"]["reads"]]
    assert ("auditor-jo", "replay", "complaint CMP-77") in reads
    assert ("auditor-jo", "child events", "complaint CMP-77") in reads


def test_an_admin_erases_a_child_and_nothing_more_is_recorded_for_them(server: Server) -> None:
    child = [{**e, "la_child_id": "C9"} if "la_child_id" in e else e for e in child_events("C9")]
    stored = server.call("POST", "/v1/events", "svc-case-system", child[:5])
    assert stored.status in (200, 201), stored.body
    reason = {"reason": "DPO decision 2026-14"}
    path = "/v1/children/C9/erasure"
    assert server.call("POST", path, "svc-case-system", reason).status == 403
    assert server.call("POST", path, "dpo-admin", {"reason": ""}).status == 422
    erased = server.call("POST", path, "dpo-admin", reason)
    assert erased.status == 201, erased.body
    assert erased.json()["status"] == "erased" and erased.json()["recorded_by"] == "dpo-admin"
    again = server.call("POST", path, "dpo-admin", reason)
    assert again.status == 200 and again.json()["status"] == "already_erased"
    assert again.json()["erased_at"] == erased.json()["erased_at"]
    assert server.call("POST", "/v1/children/C404/erasure", "dpo-admin", reason).status == 404
    said = {"X-Purpose": "erasure check"}
    state = server.call("GET", "/v1/children/C9", "auditor-jo", headers=said)
    assert state.status == 200 and state.json()["erased"], state.body
    visit = {"type": "CINPlanStarted", "plan_id": "CIN9", "occurred_at": "2023-03-01"}
    refused = server.call(
        "POST", "/v1/children/C9/events", "svc-case-system", {**visit, "idempotency_key": "v9"}
    )
    assert refused.status == 422 and refused.json()["problems"][0]["rule"] == "child_erased"
    assert server.call("GET", "/v1/verify", "auditor-jo").json()["ok"]


def test_a_server_error_is_logged_without_the_data_it_quoted(tmp_path: Path) -> None:
    """An exception that escapes a route is answered with a problem that says nothing, and
    uvicorn's log of it names the exception's type without its message or traceback,
    either of which may quote a child's data."""
    import logging
    import threading

    import uvicorn

    from journey.http.app import create_app
    from journey.settings import Settings

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/journey.db", cipher_key=KEY))

    @app.get("/boom")
    def boom() -> None:
        raise ValueError("Zebedee Quill, born 2015-06-01")

    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(self.format(record))

    keep = Keep()
    keep.setFormatter(logging.Formatter("%(message)s"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    logging.getLogger("uvicorn.error").addHandler(keep)  # after the config's own set-up
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.05)
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/boom", timeout=10)
        assert answer.value.code == 500
        body = answer.value.read().decode()
        assert "Zebedee" not in body and json.loads(body)["status"] == 500
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        logging.getLogger("uvicorn.error").removeHandler(keep)
    assert any("ValueError" in line for line in seen), seen
    assert not any("Zebedee" in line or "2015-06-01" in line for line in seen), seen
