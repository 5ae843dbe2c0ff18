"""The `journey` command line: a thin layer over the Ledger and the demo."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from enum import StrEnum
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated, Any, TypeVar
from uuid import UUID

import orjson
import structlog
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from journey import events as ev
from journey.access import PurposeRequired, check_purpose
from journey.anchor import access_seq_of, check_anchor, make_anchor, versions_of
from journey.chain import ACCESS_LOG, Break, verify_chains
from journey.child import Child
from journey.ledger import Ledger
from journey.logging import configure_logging
from journey.results import ATOMIC, AppendResult, Problem, problems_of
from journey.settings import Settings, load_settings, redact_url, save_settings
from journey.views import child_detail, child_row, event_rows

app = typer.Typer(
    help="journey: the event-sourced ledger of a child's care journey.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
child_app = typer.Typer(help="Read one child's record, or list children.", no_args_is_help=True)
app.add_typer(child_app, name="child")

out = Console()
err = Console(stderr=True)
log = structlog.get_logger("journey.cli")
T = TypeVar("T")
APPEND_CHUNK = 1000


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class LogFormat(StrEnum):
    json = "json"
    console = "console"


class Status(StrEnum):
    open = "open"
    closed = "closed"
    all = "all"


_state: dict[str, Any] = {}

# What runs after the demo has stored and verified its council: the read side adds
# catching its projections up and printing its reports (see `load_extensions`).
AFTER_DEMO: list[Callable[[Settings], None]] = []

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database", help="sqlite:///PATH or postgresql://… (default: JOURNEY_DATABASE_URL)"
    ),
]


@app.callback()
def global_options(
    database: DatabaseOption = None,
    log_format: Annotated[LogFormat, typer.Option(help="Log lines on stderr.")] = LogFormat.json,
    log_level: Annotated[
        str | None,
        typer.Option(help="DEBUG, INFO, WARNING or ERROR (default INFO; the demo: WARNING)."),
    ] = None,
) -> None:
    configure_logging(log_format.value, (log_level or "INFO").upper())
    _state["database"] = database
    _state["log_format"] = log_format.value
    _state["log_level"] = log_level


def _settings(database: str | None = None) -> Settings:
    return load_settings(database or _state.get("database"))


def _ledger(settings: Settings | None = None) -> Ledger:
    return Ledger(settings or _settings())


def render(rows: list[dict[str, Any]], fmt: Format, title: str | None = None) -> None:
    if fmt is Format.json:
        sys.stdout.write(json.dumps(rows, indent=2, default=str) + "\n")
        return
    if fmt is Format.csv:
        buffer = io.StringIO()
        if rows:
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        sys.stdout.write(buffer.getvalue())
        return
    table = Table(title=title)
    for name in rows[0] if rows else ["(none)"]:
        table.add_column(name.replace("_", " "))
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row.values()))
    out.print(table)


# --- append ----------------------------------------------------------------------------


@app.command()
def append(
    file: Annotated[str, typer.Argument(help="JSON lines, one event a line; - for stdin.")],
    atomic: Annotated[bool, typer.Option(help="Store all lines or none.")] = False,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """Append events written as JSON lines. Exit status 1 if any line was not stored."""
    handle = sys.stdin if file == "-" else open(file, encoding="utf-8")  # noqa: SIM115
    with handle:
        lines = [(n, line) for n, line in enumerate(handle, start=1) if line.strip()]
    payloads: list[dict[str, Any]] = []
    line_numbers: list[int] = []
    rows: dict[int, dict[str, Any]] = {}
    for line_no, line in lines:
        try:
            payload = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            payload = None
            reason = f"not valid JSON: {error}"
        else:
            reason = "a line must be a JSON object"
        if not isinstance(payload, dict):
            rows[line_no] = _result_row(
                line_no, AppendResult(0, "rejected", problems=[Problem(None, "json", reason)])
            )
            continue
        payloads.append(payload)
        line_numbers.append(line_no)
    if atomic and rows:
        results = [AppendResult(i, "not_stored", problems=[ATOMIC]) for i in range(len(payloads))]
    elif atomic:  # all or nothing: one batch, one transaction
        with _ledger() as ledger:
            results = ledger.append_batch(payloads, atomic=True)
    else:  # a long file goes in chunks, so no transaction or batch grows without bound
        with _ledger() as ledger:
            results = [
                result
                for start in range(0, len(payloads), APPEND_CHUNK)
                for result in ledger.append_batch(payloads[start : start + APPEND_CHUNK])
            ]
    for line_no, result in zip(line_numbers, results, strict=True):
        rows[line_no] = _result_row(line_no, result)
    ordered = [rows[n] for n in sorted(rows)]
    render(ordered, fmt, title=f"{file}: {len(ordered)} lines")
    counts = Counter(r["status"] for r in ordered)
    err.print(", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    if any(r["status"] not in ("stored", "already stored") for r in ordered):
        raise typer.Exit(1)


def _result_row(line_no: int, result: AppendResult) -> dict[str, Any]:
    problem = result.problems[0] if result.problems else None
    return {
        "line": line_no,
        "status": result.status.replace("_", " "),
        "type": result.type,
        "version": result.version,
        "field": problem.field if problem else None,
        "rule": problem.rule if problem else None,
        "message": "; ".join(p.message for p in result.problems) or None,
    }


# --- reading a child --------------------------------------------------------------------


PurposeOption = Annotated[
    str | None,
    typer.Option(help="Why the record is being read; kept in the access log."),
]


def _purpose(purpose: str | None, *, required: bool = False) -> str | None:
    try:
        return check_purpose(purpose, required=required)
    except PurposeRequired as error:
        err.print(f"--{error}")
        raise typer.Exit(2) from None


def _read_child(
    la_child_id: str,
    action: str,
    read: Callable[[Ledger], T],
    purpose: str | None = None,
    *,
    purpose_required: bool = False,
) -> T:
    """Log the read in the access log, then read one child's record; refuse a child the
    ledger does not hold (the attempt stays logged)."""
    purpose = _purpose(purpose, required=purpose_required)
    with _ledger() as ledger:
        ledger.record_access(action, la_child_id, purpose)
        found = read(ledger)
    if not found or (isinstance(found, Child) and not found.registered):
        err.print(f"no child {la_child_id} in this ledger")
        raise typer.Exit(2)
    return found


@child_app.command("list")
def child_list(
    status: Annotated[Status, typer.Option(help="open, closed or all")] = Status.all,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
    purpose: PurposeOption = None,
) -> None:
    """List children: la_child_id, age band, what is open, lead worker."""
    today = date.today()
    rows = []
    with _ledger() as ledger:
        ledger.record_access("child list", None, _purpose(purpose))
        for registered in ledger.registered_children():
            assert isinstance(registered.event, ev.ChildEvent)
            child = ledger.child(registered.event.la_child_id)
            row = child_row(child, today)
            if status is Status.all or row["status"] == status.value:
                rows.append(row)
    render(rows, fmt, title=f"{len(rows)} children")


@child_app.command("show")
def child_show(
    la_child_id: str,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
    purpose: PurposeOption = None,
) -> None:
    """The child's current state: open work, legal status, placement, workers."""
    child = _read_child(
        la_child_id, "child show", lambda ledger: ledger.child(la_child_id), purpose
    )
    detail = child_detail(child, date.today())
    if fmt is Format.json:
        sys.stdout.write(json.dumps(detail, indent=2, default=str) + "\n")
        return
    table = Table(title=f"child {la_child_id}", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value")
    for key, value in detail.items():
        table.add_row(key.replace("_", " "), _plain(value))
    out.print(table)


def _plain(value: Any) -> str:
    if value is None or value == []:
        return "-"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items() if v is not None)
    if isinstance(value, list):
        return "\n".join(_plain(v) for v in value)
    return str(value)


@child_app.command("events")
def child_events(
    la_child_id: str,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
    purpose: PurposeOption = None,
) -> None:
    """The child's stream: version, type, occurred_at, recorded_at, recorded_by, hash, and
    whether a later record retracted or corrected it (by whom, when and why)."""
    records = _read_child(
        la_child_id, "child events", lambda ledger: ledger.child_records(la_child_id), purpose
    )
    render(event_rows(records), fmt, title=f"child {la_child_id}")


# --- verify and schema ------------------------------------------------------------------


@app.command()
def verify(
    anchor: Annotated[
        Path | None,
        typer.Option(help="Also write an anchor to FILE: a digest over every chain head now."),
    ] = None,
    against: Annotated[
        Path | None,
        typer.Option(help="Also show that nothing recorded before the anchor in FILE changed."),
    ] = None,
) -> None:
    """Re-check every hash chain from the stored bytes; exit 1 naming what was altered."""
    settings = _settings()
    anchored: dict[str, Any] | None = None
    watch: dict[str, int] | None = None
    watch_access: int | None = None
    if against is not None:
        try:
            anchored = json.loads(against.read_text(encoding="utf-8"))
            watch, watch_access = versions_of(anchored), access_seq_of(anchored)
        except (OSError, ValueError, KeyError, TypeError, IndexError) as error:
            err.print(f"--against: {against} is not an anchor file ({error})")
            raise typer.Exit(2) from None
    started = time.perf_counter()
    with _ledger(settings) as ledger:
        report = verify_chains(ledger.store.events, at=watch, access_at=watch_access)
        seconds = time.perf_counter() - started
        rate = report.events / seconds if seconds else 0.0
        if report.ok:
            out.print(
                f"verified {report.events} events in {report.streams} streams and "
                f"{report.access_entries} access log entries: every chain intact "
                f"({seconds:.2f} s, {rate:,.0f} events/s)"
            )
        else:
            for brk in report.breaks[:50]:
                out.print(f"[red]BROKEN[/red] {_where(ledger, brk)}: {brk.problem}")
            more = len(report.breaks) - 50
            if more > 0:
                out.print(f"... and {more} more")
            out.print(f"{len(report.breaks)} problems in {report.events} events")
    failed = not report.ok
    if anchored is not None:
        check = check_anchor(anchored, report)
        for problem in check.problems[:50]:
            out.print(f"[red]CHANGED SINCE THE ANCHOR[/red] {problem}")
        if check.ok:
            out.print(
                f"nothing recorded before the anchor of {anchored.get('created_at')} "
                f"(position {anchored.get('position')}, {check.anchored} streams) has changed"
            )
        failed = failed or not check.ok
    if anchor is not None and not failed:
        document = make_anchor(report, datetime.now(UTC))
        anchor.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        out.print(
            f"anchor written to {anchor}: digest {document['digest']} over "
            f"{report.streams} chain heads at position {report.position} "
            f"({document['created_at']}); keep a copy somewhere this database's operators "
            "cannot change"
        )
    elif anchor is not None:
        err.print("no anchor written: the chains do not verify")
    if failed:
        raise typer.Exit(1)


def _where(ledger: Ledger, brk: Break) -> str:
    if brk.stream_id == ACCESS_LOG:
        return "the access log" + (f", entry {brk.version}" if brk.version else "")
    if brk.stream_id is None:
        return "the log" + (
            f" at notification {brk.notification_id}" if brk.notification_id else ""
        )
    return (
        f"{_stream_name(ledger, brk.stream_id)} version {brk.version} "
        f"(notification {brk.notification_id})"
    )


def _stream_name(ledger: Ledger, stream_id: str) -> str:
    """The child (or worker, team, household) a stream belongs to, where it can be read."""
    try:
        first = ledger.stream_records(UUID(stream_id))[:1]
    except Exception:  # an altered first record cannot name its stream
        return f"stream {stream_id}"
    if not first:
        return f"stream {stream_id}"
    event = first[0].event
    return f"{event.stream} {event.stream_name()}"


@app.command()
def schema(
    type_name: Annotated[str | None, typer.Argument(metavar="[TYPE]")] = None,
) -> None:
    """Print the JSON Schema of one event type, or of all of them."""
    try:
        document = ev.json_schema(type_name)
    except KeyError:
        err.print(f"unknown event type {type_name}; known: {', '.join(sorted(ev.EVENT_TYPES))}")
        raise typer.Exit(2) from None
    sys.stdout.write(json.dumps(document, indent=2) + "\n")


# --- init: the tables, and on PostgreSQL the roles -----------------------------------------


@app.command()
def init(
    roles: Annotated[
        bool,
        typer.Option(
            "--roles",
            help="PostgreSQL, as a superuser: an owner role that owns the schema and every "
            "table, and an application role that may read and append the event log and "
            "the access log, never UPDATE or DELETE them.",
        ),
    ] = False,
    owner_role: Annotated[str, typer.Option(help="The owner role (NOLOGIN).")] = "journey_owner",
    app_role: Annotated[
        str, typer.Option(help="The role the server and commands run as (LOGIN).")
    ] = "journey_app",
    app_password: Annotated[
        str | None,
        typer.Option(
            envvar="JOURNEY_APP_PASSWORD",
            show_default=False,
            help="Set the application role's password (better from JOURNEY_APP_PASSWORD "
            "than on the command line); none: whatever pg_hba.conf allows.",
        ),
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Create every table now (the ledger's, the principals', the read side's) rather than
    on first use; with --roles, also the roles and their grants. Safe to run again, and to
    be run again after an upgrade."""
    import psycopg

    from journey import roles as db_roles

    settings = _settings(database)
    if not roles:
        made = db_roles.create_tables(settings.database_url)
        out.print(
            f"every table is in {redact_url(settings.database_url)}: the ledger's, the "
            f"principals' and the read side's {len(made)}"
        )
        return
    try:
        report = db_roles.init_roles(
            settings.database_url, owner=owner_role, app=app_role, app_password=app_password
        )
    except (db_roles.RolesError, psycopg.Error) as error:
        err.print(f"init --roles: {error}")
        raise typer.Exit(2) from None
    created = ", ".join(report.created) or "none (they exist)"
    out.print(f"roles made: {created}; {len(report.adopted)} objects handed to {report.owner}")
    render(report.rows(), Format.table, title=f"{report.owner} owns every table; {report.app} may")
    out.print(f"run the server and every other command as {report.app}:")
    sys.stdout.write(f"JOURNEY_DATABASE_URL={report.app_url}\n")


# --- the HTTP API and who may use it -------------------------------------------------------

principals_app = typer.Typer(
    help="Who may use the HTTP API: service, inspector, auditor or admin, each by a token.",
    no_args_is_help=True,
)
app.add_typer(principals_app, name="principals")


class Role(StrEnum):
    service = "service"
    inspector = "inspector"
    auditor = "auditor"
    admin = "admin"


def _principals() -> Any:
    from journey.principals import Principals

    return Principals(_settings().database_url)


@principals_app.command("add")
def principals_add(
    name: Annotated[str, typer.Argument(help="Who: a service, an inspection, a person.")],
    role: Annotated[Role, typer.Option(help="What it may do.")],
) -> None:
    """Add a principal and print its bearer token, once: it is stored only as a hash."""
    from journey.principals import PrincipalError

    store = _principals()
    try:
        added, token = store.add(name, role.value)
    except PrincipalError as error:
        err.print(str(error))
        raise typer.Exit(2) from None
    finally:
        store.close()
    err.print(f"added {added.name} ({added.role}); its token, shown this once:")
    sys.stdout.write(token + "\n")


@principals_app.command("list")
def principals_list(fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """Every principal, its role, when it was added and when (if) revoked."""
    store = _principals()
    try:
        rows = [
            {
                "name": p.name,
                "role": p.role,
                "created_at": p.created_at.isoformat(timespec="seconds"),
                "revoked_at": p.revoked_at.isoformat(timespec="seconds") if p.revoked_at else "-",
            }
            for p in store.list()
        ]
    finally:
        store.close()
    render(rows, fmt, title=f"{len(rows)} principals")


@principals_app.command("revoke")
def principals_revoke(name: str) -> None:
    """Revoke a principal's token at once (the principal stays on record)."""
    from journey.principals import PrincipalError

    store = _principals()
    try:
        revoked = store.revoke(name)
    except PrincipalError as error:
        err.print(str(error))
        raise typer.Exit(2) from None
    finally:
        store.close()
    out.print(f"revoked {revoked.name} ({revoked.role})")


pseudonyms_app = typer.Typer(
    help="The pseudonyms inspectors are shown, turned back into the council's ids.",
    no_args_is_help=True,
)
app.add_typer(pseudonyms_app, name="pseudonyms")


@pseudonyms_app.command("reveal")
def pseudonyms_reveal(
    inspection: Annotated[str, typer.Argument(help="The inspector principal's name.")],
    pseudonyms: Annotated[list[str], typer.Argument(help="Pseudonyms (P-…) from its reports.")],
    purpose: PurposeOption = None,
) -> None:
    """Which child each pseudonym of an inspection stands for (each revealed child's record
    is read: the access log says so, with --purpose, which is required)."""
    from journey.pseudonyms import NoCipherKey, reveal

    why = _purpose(purpose, required=True)
    with _ledger() as ledger:
        try:
            found = reveal(ledger, inspection, pseudonyms, why)
        except NoCipherKey as error:
            err.print(str(error))
            raise typer.Exit(2) from None
    rows = [{"pseudonym": p, "la_child_id": found[p] or "-"} for p in pseudonyms]
    render(rows, Format.table, title=f"pseudonyms of {inspection}")
    if any(v is None for v in found.values()):
        raise typer.Exit(1)


@app.command()
def erase(
    la_child_id: Annotated[str, typer.Argument(help="The council's id of the child.")],
    reason: Annotated[str, typer.Option(help="Why: the decision's reference (it stays readable).")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask to confirm.")] = False,
) -> None:
    """Erase a child: destroy their data key, so every personal field of their record is
    unreadable everywhere (crypto-shredding). The chain still verifies; a ChildErased
    records who, when and why. Cannot be undone."""
    from pydantic import ValidationError

    from journey.erasure import ErasureError
    from journey.erasure import erase as erase_child

    if not yes and not typer.confirm(
        f"Erase child {la_child_id}? Their personal fields cannot be recovered afterwards."
    ):
        raise typer.Exit(1)
    with _ledger() as ledger:
        try:
            done = erase_child(ledger, la_child_id, reason)
        except ErasureError as error:
            err.print(f"{error.rule}: {error}")
            raise typer.Exit(1 if error.missing else 2) from None
        except ValidationError as error:
            for problem in problems_of(error):
                err.print(f"{problem.field}: {problem.message} ({problem.rule})")
            raise typer.Exit(2) from None
    when = done.erased_at.isoformat(timespec="seconds")
    if done.already:
        out.print(f"child {la_child_id} was erased already, at {when} by {done.recorded_by}")
    else:
        out.print(
            f"erased child {la_child_id} at {when}: their data key is destroyed "
            f"(version {done.version} of their record says so)"
        )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    ledgers: Annotated[
        int, typer.Option(min=1, max=64, help="Ledgers lent to concurrent requests.")
    ] = 8,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=32,
            help="Server processes on the one port, each with its own --ledgers; they meet "
            "through the store's optimistic concurrency, as separate servers would. Each "
            "ledger keeps about five database connections open: mind max_connections.",
        ),
    ] = 1,
) -> None:
    """Run the HTTP API (FastAPI on uvicorn) over this database; OpenAPI at /docs."""
    import uvicorn

    from journey.http.app import create_app

    settings = _settings()
    out.print(
        f"serving {redact_url(settings.database_url)} on http://{host}:{port} (docs: /docs)"
        + (f", {workers} processes" if workers > 1 else "")
    )
    if workers > 1:
        _serve_processes(settings, host, port, ledgers, workers)
        return
    uvicorn.run(
        create_app(settings, ledgers=ledgers),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
    )


def _serve_processes(settings: Settings, host: str, port: int, ledgers: int, workers: int) -> None:
    """`serve --workers N`: N processes, each accepting on a socket of its own bound to the
    same address (SO_REUSEPORT), so that the kernel spreads connections among them.
    (uvicorn's own workers share one socket, and whichever wakes first takes every
    connection waiting: 16 clients connecting at once all went to one process, the other
    idle.) The sockets are made here, before the workers start, and kept: connections
    wait in a socket's backlog while its worker starts, and a worker that dies is started
    again on the same socket. The first worker makes the tables on a new database before
    the others build their apps (see `serve_worker`)."""
    import multiprocessing
    import multiprocessing.connection
    import signal
    import socket

    from journey.http.app import serve_worker

    if not hasattr(socket, "SO_REUSEPORT"):
        err.print("--workers needs SO_REUSEPORT, which this system lacks")
        raise typer.Exit(2)
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    listeners = []
    try:
        for _ in range(workers):
            listener = socket.socket(family, kind, proto)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            listener.bind(address)
            listener.listen(2048)
            listeners.append(listener)
    except OSError as error:
        err.print(f"cannot listen on {host}:{port}: {error.strerror}")
        raise typer.Exit(2) from None
    spawn = multiprocessing.get_context("spawn")
    options = (ledgers, _state.get("log_format", "json"), _state.get("log_level") or "INFO")

    built = spawn.Event()  # set by the first worker, once it has made the tables

    def start(listener: socket.socket, first: bool = False) -> tuple[Any, float]:
        process = spawn.Process(
            target=serve_worker, args=(settings, listener, *options, built, first)
        )
        process.start()
        return process, time.monotonic()

    running: list[tuple[Any, float]] = []
    stopping: list[int] = []
    failed = False

    def stop(signum: int, _: object) -> None:
        stopping.append(signum)
        if signum != signal.SIGINT:  # a Ctrl-C reaches the workers by itself
            for process, _started in running:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    running += [start(listener, n == 0) for n, listener in enumerate(listeners)]
    while not built.wait(0.2):
        if not stopping and not running[0][0].is_alive():
            err.print("the server did not start (its log says why)")
            stop(signal.SIGTERM, None)
            failed = True
        if stopping:
            break
    while not stopping:
        multiprocessing.connection.wait([p.sentinel for p, _ in running], timeout=1.0)
        for n, (process, started) in enumerate(running):
            if process.is_alive() or stopping:
                continue
            log.warning("serve_worker_exited", exitcode=process.exitcode, worker=n)
            if time.monotonic() - started < 5:  # it cannot start: stop, rather than loop
                failed = True
                stop(signal.SIGTERM, None)
                break
            running[n] = start(listeners[n])
    for process, _started in running:
        process.join(timeout=15)
        if process.is_alive():
            process.kill()
    if failed:
        raise typer.Exit(1)


# --- import -----------------------------------------------------------------------------

import_app = typer.Typer(help="Take a council's existing data in.", no_args_is_help=True)
app.add_typer(import_app, name="import")


@import_app.command("ssda903")
def import_ssda903_command(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="The 903 files.")],
    year: Annotated[
        int | None,
        typer.Option(
            min=1990,
            max=2100,
            help="The collection year of the files in DIR (2024: 1 April 2024 to 31 March "
            "2025); not needed when DIR holds one subfolder a year (2023/, 2024/...).",
        ),
    ] = None,
) -> None:
    """Append the events a council's SSDA903 files imply (source=import): every child's
    in one batch, stored whole or not at all; rows refused are listed with the rule."""
    from journey.ssda903_files import LayoutError
    from journey.ssda903_import import import_ssda903

    with _ledger() as ledger:
        try:
            report = import_ssda903(ledger, folder, year)
        except LayoutError as error:
            err.print(str(error))
            raise typer.Exit(2) from None
    if report.rejected:
        table = Table(title="rows refused (nothing of these children was stored)")
        for column in ("file", "line", "child", "rule", "message"):
            table.add_column(column, overflow="fold")
        for r in report.rejected:
            table.add_row(r.file, str(r.line), r.child, r.rule, r.message)
        out.print(table)
    years = ", ".join(f"{y}-{(y + 1) % 100:02d}" for y in report.years)
    out.print(
        f"imported {years}: {report.children - report.refused_children} of {report.children} "
        f"children; {report.stored:,} events stored, {report.already_stored:,} already stored"
        + (f"; {report.refused_children} children refused" if report.refused_children else "")
    )
    if report.rejected:
        raise typer.Exit(1)


# --- demo -------------------------------------------------------------------------------


@app.command()
def demo(
    children: Annotated[int, typer.Option(min=1, help="Children in the council.")] = 2000,
    years: Annotated[int, typer.Option(min=1, max=20, help="Years of history.")] = 5,
    seed: Annotated[int, typer.Option(help="Same seed, same council.")] = 1,
    database: DatabaseOption = None,
    fresh: Annotated[bool, typer.Option(help="Delete an existing SQLite demo file.")] = False,
    end: Annotated[
        str | None,
        typer.Option(
            metavar="YYYY-MM-DD",
            help="The last day of the history (default: yesterday). The same end and seed "
            "give the same council on any day.",
        ),
    ] = None,
) -> None:
    """Build a synthetic council through the ledger, verify it, and say what is stored."""
    from journey.demo.council import generate
    from journey.demo.simulation import append_council

    if _state.get("log_level") is None:  # a line a simulated day is noise on a screen
        configure_logging(_state["log_format"], "WARNING")
    try:
        last_day = None if end is None else date.fromisoformat(end)
    except ValueError:
        err.print(f"--end: '{end}' is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None
    if last_day is not None and last_day >= date.today():
        err.print("--end: the history must end before today")
        raise typer.Exit(2)
    settings = _demo_settings(database or _state.get("database"), fresh)
    started = time.perf_counter()
    out.print(
        f"building a council of {children} children over {years} years (seed {seed}) "
        f"in {redact_url(settings.database_url)}"
    )
    council = generate(
        seed=seed, children=children, years=years, end=last_day, council=settings.council
    )
    with Ledger(settings) as ledger:
        if ledger.store.events.max_notification_id():
            err.print(
                "this database already holds events: use --fresh (SQLite) or an empty database"
            )
            raise typer.Exit(2)
        with _progress() as progress:
            task = progress.add_task("appending", total=len(council.events))
            outcome = append_council(ledger, council, lambda n: progress.advance(task, n))
        appended = time.perf_counter()
        with _progress() as progress:
            task = progress.add_task("verifying", total=len(council.events))
            report = verify_chains(ledger.store.events, lambda n: progress.advance(task, n))
    seconds = time.perf_counter() - started
    _print_demo_summary(council, outcome, report.ok, report.events, appended - started, seconds)
    if outcome.rejected or not report.ok:
        raise typer.Exit(1)
    for after in AFTER_DEMO:
        after(settings)


def _demo_settings(database: str | None, fresh: bool) -> Settings:
    """The demo's settings, with a cipher key made (and kept) if there is none."""
    from eventsourcing.cryptography import AESCipher

    settings = load_settings(database)
    if fresh and settings.database_url.startswith("sqlite:///"):
        path = Path(settings.database_url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    values = {"council": settings.council}
    if database:
        values["database_url"] = database
    if not settings.cipher_key:
        values["cipher_key"] = AESCipher.create_key(32)
    save_settings(values)
    settings = load_settings(database)
    if not os.environ.get("JOURNEY_PRINCIPAL"):
        settings = replace(settings, principal="svc:demo-council")
    return settings


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} events/s" if speed else "")


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        console=err,
    )


def _print_demo_summary(
    council: Any, outcome: Any, verified: bool, checked: int, append_s: float, total_s: float
) -> None:
    by_type = Counter(payload["type"] for _, payload in council.events)
    table = Table(title="events stored, by type")
    table.add_column("type")
    table.add_column("events", justify="right")
    for name, count in sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0])):
        table.add_row(name, f"{count:,}")
    out.print(table)
    stored = outcome.stored
    summary = Table(title="the demo council", show_header=False)
    summary.add_column("what", style="bold")
    summary.add_column("value", justify="right")
    for label, value in (
        ("children", f"{by_type['ChildRegistered']:,}"),
        ("workers", f"{by_type['WorkerRegistered']:,}"),
        ("teams", f"{by_type['TeamEstablished']:,}"),
        ("carer households", f"{by_type['CarerHouseholdApproved']:,}"),
        ("events stored", f"{stored:,}"),
        ("events rejected", f"{outcome.rejected:,}"),
        ("chains verified", f"{checked:,} events, {'intact' if verified else 'BROKEN'}"),
        ("time to append", f"{append_s:.1f} s"),
        ("events per second", f"{stored / append_s:,.0f}" if append_s else "-"),
        ("time in all", f"{total_s:.1f} s"),
        ("finished at", datetime.now(UTC).isoformat(timespec="seconds")),
    ):
        summary.add_row(label, value)
    out.print(summary)


# --- extensions -------------------------------------------------------------------------


def load_extensions() -> None:
    """Mount the commands of the read side and the auditor's tools.

    `journey` never imports `projections` or `replay`; they announce themselves through
    the `journey.cli` entry point group (pyproject.toml), each a function that takes the
    app and the list of after-demo steps. Loaded when the command runs (`main`), not on
    import, so an extension may import this module.
    """
    if _state.get("extensions_loaded"):
        return
    _state["extensions_loaded"] = True
    for entry in entry_points(group="journey.cli"):
        entry.load()(app, AFTER_DEMO)


def main() -> None:
    """The `journey` command."""
    load_extensions()
    app(prog_name="journey")
