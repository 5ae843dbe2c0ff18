"""`journey replay …`: the auditor's view of one child's record at any business date and
system time. Mounted into `journey` by `register`, through the `journey.cli` entry point.

`journey replay LA_CHILD_ID --as-of DATE --known-at TIME` is the group's default action, so
that the group can take further commands (`journey replay diff …`) beside it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import click
import typer
from rich.table import Table
from typer.core import TyperGroup

from journey.cli import (
    Format,
    PurposeOption,
    _plain,
    _purpose,
    _read_child,
    _settings,
    err,
    out,
)
from journey.events import LONDON
from journey.settings import Settings
from replay.bitemporal import replay_child, replayed_document
from replay.bundle import write_bundle
from replay.diff import diff, difference_document
from replay.rebuild_check import rebuild_check

STATE = "state"


class _ChildOrCommand(TyperGroup):
    """A first argument that names no command is a child: `replay C1` is `replay state C1`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = [STATE, *args]
        return super().parse_args(ctx, args)


replay_app = typer.Typer(
    cls=_ChildOrCommand,
    help="A child's record as it stood on any date, as the system knew it at any time.",
    no_args_is_help=True,
)


def register(app: typer.Typer, after_demo: list[Callable[[Settings], None]]) -> None:
    app.add_typer(replay_app, name="replay")


def _business_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        err.print(f"--as-of: '{value}' is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None


def _system_time(value: str | None) -> datetime | None:
    """A date means the end of that day; a time without an offset is London time."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime(day.year, day.month, day.day, 23, 59, 59, 999999, tzinfo=LONDON)
        moment = datetime.fromisoformat(value)
    except ValueError:
        err.print(f"--known-at: '{value}' is not a date or an ISO 8601 date and time")
        raise typer.Exit(2) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=LONDON)


@replay_app.command(STATE, help="The child's state (run as `journey replay LA_CHILD_ID`).")
def state(
    la_child_id: str,
    as_of: Annotated[
        str | None, typer.Option(metavar="YYYY-MM-DD", help="Business date (default: today).")
    ] = None,
    known_at: Annotated[
        str | None,
        typer.Option(
            metavar="TIME", help="System time: only what was recorded by then (default: now)."
        ),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
    purpose: PurposeOption = None,
) -> None:
    on, moment = _business_date(as_of), _system_time(known_at)
    replayed = _read_child(
        la_child_id,
        "replay",
        lambda ledger: replay_child(ledger, la_child_id, as_of=on, known_at=moment),
        purpose,
        purpose_required=True,
    )
    if not replayed.child.registered:
        known = "" if replayed.stored == 0 else " as known at that time"
        err.print(f"no child {la_child_id} in this ledger{known}")
        raise typer.Exit(2)
    detail = replayed_document(replayed, on, moment)
    if fmt is Format.json:
        sys.stdout.write(json.dumps(detail, indent=2, default=str) + "\n")
        return
    table = Table(title=f"child {la_child_id} replayed", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value")
    for key, value in detail.items():
        table.add_row(key.replace("_", " "), _plain(value))
    out.print(table)


@replay_app.command("diff")
def difference(
    la_child_id: str,
    known_at: Annotated[
        list[str],
        typer.Option(metavar="TIME", help="Two system times (give --known-at twice)."),
    ],
    as_of: Annotated[
        str | None, typer.Option(metavar="YYYY-MM-DD", help="Business date (default: today).")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
    purpose: PurposeOption = None,
) -> None:
    """What the record said differently at two system times, and the records that made it
    so: late recordings, corrections, retractions, with who recorded them and when."""
    if len(known_at) != 2:
        err.print("--known-at: give exactly two system times, e.g. --known-at T1 --known-at T2")
        raise typer.Exit(2)
    first, second = (_system_time(t) for t in known_at)
    assert first is not None and second is not None
    on = _business_date(as_of) or date.today()
    records = _read_child(
        la_child_id,
        "replay diff",
        lambda ledger: ledger.child_records(la_child_id),
        purpose,
        purpose_required=True,
    )
    found = diff(records, first, second, as_of=on)
    if fmt is Format.json:
        sys.stdout.write(json.dumps(difference_document(found), indent=2, default=str) + "\n")
        return
    out.print(
        f"child {la_child_id} on {found.as_of.isoformat()}: as known at "
        f"{found.earlier.isoformat()} and at {found.later.isoformat()}"
    )
    state = Table(title="what the record said", title_justify="left")
    for column in ("what", "at the earlier time", "at the later time"):
        state.add_column(column, overflow="fold")
    for s in found.state:
        state.add_row(s.what.replace("_", " "), _plain(s.before), _plain(s.after))
    out.print(state)
    made = Table(title="records stored in between", title_justify="left")
    for column in ("recorded at", "by", "kind", "what", "change", "reason"):
        made.add_column(column, overflow="fold")
    for r in found.recorded:
        made.add_row(
            r.recorded_at.isoformat(timespec="seconds"),
            r.recorded_by,
            r.kind,
            f"{r.occurred_on.isoformat()} {r.what}",
            r.change,
            r.reason,
        )
    out.print(made)


@replay_app.command("bundle")
def bundle(
    la_child_id: str,
    out_dir: Annotated[Path, typer.Option("--out", metavar="DIR", help="Where to write it.")],
    purpose: PurposeOption = None,
) -> None:
    """An audit bundle: the child's events (decrypted), the chain as stored, a manifest
    with hashes, a plain-language README and a verification script that needs only
    Python's standard library."""
    if out_dir.exists() and any(out_dir.iterdir()):
        err.print(f"--out: {out_dir} is not empty; give a new or empty directory")
        raise typer.Exit(2)
    checked = _purpose(purpose, required=True)
    assert checked is not None
    made = _read_child(
        la_child_id,
        "replay bundle",
        lambda ledger: write_bundle(
            ledger, la_child_id, out_dir, purpose=checked, now=datetime.now(UTC)
        ),
        checked,
    )
    out.print(
        f"wrote the audit bundle for child {la_child_id} to {made.directory}: "
        f"{made.events} events, chain head version {made.head_version} "
        f"({made.head_hash[:12]}); check it with `python3 {made.directory}/verify_bundle.py`"
    )


@replay_app.command("rebuild-check")
def rebuild_check_command() -> None:
    """Rebuild every projection into a scratch schema (or file) and compare it with the
    live tables; exit 1, showing rows, where they differ."""
    result = rebuild_check(_settings())
    table = Table(title=f"projections rebuilt to position {result.position:,}")
    for column in ("table", "live rows", "rebuilt rows", "same"):
        table.add_column(column, justify="left" if column == "table" else "right")
    for check in result.tables:
        table.add_row(
            check.table,
            f"{check.live_rows:,}",
            f"{check.rebuilt_rows:,}",
            "yes" if check.same else "[red]NO[/red]",
        )
    out.print(table)
    for check in result.tables:
        for row in check.only_live:
            out.print(f"{check.table}: only in the live table: {row}")
        for row in check.only_rebuilt:
            out.print(f"{check.table}: only in the rebuild: {row}")
    if not result.ok:
        raise typer.Exit(1)
    out.print("every projection table is exactly what the log folds to")
