"""`journey init --roles` on PostgreSQL, as an operator runs it: an owner role that owns
every table, and an application role that reads and appends the event log and the access
log but may never UPDATE, DELETE or TRUNCATE them (DESIGN §7), while the commands and
the server work as it.

Role names are the cluster's, not the database's: each test makes its own and drops them
afterwards, so parallel and repeated runs never meet."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
from psycopg import errors
from test_cli import journey, write_lines
from test_http import KEY, free_port
from test_ledger_store import child_events, visit

Roles = tuple[str, str]  # (owner, application role)


@pytest.fixture
def roles(postgres_url: str) -> Iterator[Roles]:
    suffix = f"{os.getpid()}_{secrets.token_hex(3)}"
    owner, app = f"jt_owner_{suffix}", f"jt_app_{suffix}"
    yield owner, app
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        for role in (app, owner):
            if admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                admin.execute(f'REASSIGN OWNED BY "{role}" TO CURRENT_USER')
                admin.execute(f'DROP OWNED BY "{role}"')
                admin.execute(f'DROP ROLE "{role}"')


def init_roles(folder: Path, url: str, roles: Roles) -> str:
    """Run `journey init --roles` as the superuser; the URL it says to run as."""
    owner, app = roles
    run = journey(
        folder, "init", "--roles", "--owner-role", owner, "--app-role", app, "--database", url
    )
    assert run.returncode == 0, run.stdout + run.stderr
    (line,) = [x for x in run.stdout.splitlines() if x.startswith("JOURNEY_DATABASE_URL=")]
    return line.removeprefix("JOURNEY_DATABASE_URL=")


def as_app(app_url: str) -> dict[str, str]:
    return {"JOURNEY_DATABASE_URL": app_url, "JOURNEY_CIPHER_KEY": KEY}


def test_the_application_role_appends_and_reads_but_never_changes_the_log(
    postgres_url: str, roles: Roles, tmp_path: Path
) -> None:
    owner, app = roles
    app_url = init_roles(tmp_path, postgres_url, roles)
    dba = urlparse(postgres_url)
    assert app_url == dba._replace(netloc=f"{app}@{dba.hostname}:{dba.port}").geturl()
    again = journey(
        tmp_path, "init", "--roles", "--owner-role", owner, "--app-role", app,
        "--database", postgres_url,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "roles made: none (they exist)" in again.stdout

    with psycopg.connect(postgres_url) as admin:
        foreign = admin.execute(
            "SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public' "
            "AND tableowner <> %s",
            (owner,),
        ).fetchall()
        tables = {t for (t,) in admin.execute("SELECT tablename FROM pg_tables")}
    assert foreign == []
    assert {"stored_events", "access_log", "principals", "projection_positions"} <= tables

    # As the application role: appends (a snapshot among them), a read, verify.
    env = as_app(app_url)
    events = [*child_events(), *(visit(n) for n in range(1, 101))]
    appended = journey(tmp_path, "append", str(write_lines(tmp_path / "a.jsonl", events)), env=env)
    assert appended.returncode == 0, appended.stdout + appended.stderr
    shown = journey(tmp_path, "child", "show", "C1", env=env)
    assert shown.returncode == 0, shown.stderr
    verified = journey(tmp_path, "verify", env=env)
    assert verified.returncode == 0 and "every chain intact" in verified.stdout, verified.stderr

    with psycopg.connect(app_url, autocommit=True) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (app,)
        for statement in (
            "UPDATE stored_events SET topic = topic",
            "DELETE FROM stored_events",
            "TRUNCATE stored_events",
            "UPDATE access_log SET action = action",
            "DELETE FROM access_log",
            "TRUNCATE access_log",
            "DROP TABLE stored_events",
            "ALTER TABLE stored_events DROP CONSTRAINT stored_events_pkey",
            "CREATE TABLE stored_events_copy (n int)",
            "UPDATE stored_events_head SET id = 2",
            "DELETE FROM stored_events_head",
            "DELETE FROM stored_snapshots",
            "UPDATE principals SET role = 'admin'",
            "DELETE FROM principals",
        ):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(statement)
        counts = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
            for table in ("stored_events", "access_log", "stored_snapshots")
        }
    assert counts["stored_events"] == len(events)
    assert counts["access_log"] == 1
    assert counts["stored_snapshots"] >= 1

    # ...and after all that refused, appending, reading and verifying still work.
    more = write_lines(tmp_path / "b.jsonl", [visit(n) for n in range(101, 111)])
    assert journey(tmp_path, "append", str(more), env=env).returncode == 0
    events_read = journey(tmp_path, "child", "events", "C1", "--format", "json", env=env)
    assert events_read.returncode == 0, events_read.stderr
    verified = journey(tmp_path, "verify", env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"verified {len(events) + 10} events" in verified.stdout
    assert "2 access log entries" in verified.stdout

    # The read side and the principals, as the application role too.
    caught_up = journey(tmp_path, "projections", "run", env=env)
    assert caught_up.returncode == 0, caught_up.stdout + caught_up.stderr
    rebuilt = journey(tmp_path, "projections", "rebuild", "cases", env=env)
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    report = journey(tmp_path, "report", "caseloads", "--format", "json", env=env)
    assert report.returncode == 0, report.stderr
    added = journey(tmp_path, "principals", "add", "svc-x", "--role", "service", env=env)
    assert added.returncode == 0, added.stderr
    revoked = journey(tmp_path, "principals", "revoke", "svc-x", env=env)
    assert revoked.returncode == 0, revoked.stderr


def test_the_server_runs_as_the_application_role(
    postgres_url: str, roles: Roles, tmp_path: Path
) -> None:
    app_url = init_roles(tmp_path, postgres_url, roles)
    env = as_app(app_url)
    added = journey(tmp_path, "principals", "add", "svc-case", "--role", "service", env=env)
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip()
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("JOURNEY_")} | env
    server = subprocess.Popen(
        [sys.executable, "-m", "journey", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/readyz", timeout=1) as ready:
                    assert ready.status == 200
                    break
            except OSError:  # not listening yet, or not ready
                assert server.poll() is None, server.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        request = urllib.request.Request(
            url + "/v1/events",
            data=json.dumps(child_events()).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status in (200, 201)
    finally:
        server.terminate()
        server.wait(timeout=30)
    verified = journey(tmp_path, "verify", env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"verified {len(child_events())} events" in verified.stdout


def test_roles_are_postgresql_s_and_two_roles(tmp_path: Path) -> None:
    sqlite = journey(tmp_path, "init", "--roles", "--database", f"sqlite:///{tmp_path}/j.db")
    assert sqlite.returncode == 2 and "PostgreSQL" in sqlite.stderr
    same = journey(
        tmp_path, "init", "--roles", "--owner-role", "x", "--app-role", "x",
        "--database", "postgresql://nobody@127.0.0.1:1/none",
    )  # fmt: skip
    assert same.returncode == 2 and "different roles" in same.stderr
    plain = journey(tmp_path, "init", "--database", f"sqlite:///{tmp_path}/j.db")
    assert plain.returncode == 0, plain.stderr
    assert (tmp_path / "j.db").exists()
