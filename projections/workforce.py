"""Workers, teams and carer households as they stood on each business date.

Each change opens a new interval from the date it took effect; the order the changes were
recorded in does not matter. Workers are shown by their staff id, never by name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Boolean, Column, Connection, Float, String, Table, select

from journey import events as ev
from projections.history import Entry, StreamHistory
from projections.intervals import interval_columns, interval_index
from projections.projection import Projection, Rows
from projections.schema import metadata, stream_column

workers = Table(
    "workers",
    metadata,
    stream_column(),
    Column("worker_id", String(64), nullable=False, index=True),
    Column("team_id", String(64), nullable=False),
    Column("role", String(32), nullable=False),
    Column("fte", Float, nullable=False),
    Column("agency", Boolean, nullable=False),
    Column("qualified", Boolean, nullable=False),
    *interval_columns(),
    interval_index("workers"),
)

teams = Table(
    "teams",
    metadata,
    stream_column(),
    Column("team_id", String(64), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("service", String(32), nullable=False),
    *interval_columns(),
    interval_index("teams"),
)

constellations = Table(
    "constellation_members",
    metadata,
    stream_column(),
    Column("household_id", String(64), nullable=False, index=True),
    Column("constellation_id", String(64), nullable=False),
    Column("constellation_role", String(16), nullable=False),
    *interval_columns(),
    interval_index("constellation_members"),
)


def _timeline(
    entries: list[Entry], start: dict[str, Any], change: Callable[[ev.Event], dict[str, Any]]
) -> list[dict[str, Any]]:
    """Intervals of a record's attributes: each dated change applies from its date, in
    business-date order; an end (`{"_ended": True}`) closes the last interval."""
    ordered = sorted(entries, key=lambda e: e.on)
    rows: list[dict[str, Any]] = []
    state = dict(start)
    for entry in ordered:
        update = change(entry.event)
        if not update:
            continue
        if rows and rows[-1]["valid_to"] is None:
            if rows[-1]["valid_from"] == entry.on:
                rows.pop()
            else:
                rows[-1]["valid_to"] = entry.on
        if update.get("_ended"):
            continue
        state |= update
        rows.append({**state, "valid_from": entry.on, "valid_to": None})
    return rows


def _worker_change(event: ev.Event) -> dict[str, Any]:
    match event:
        case ev.WorkerRegistered():
            return {
                "team_id": event.team_id,
                "role": event.role,
                "fte": event.fte,
                "agency": event.agency,
                "qualified": event.qualified,
            }
        case ev.WorkerJoinedTeam():
            return {"team_id": event.team_id}
        case ev.WorkerRoleChanged():
            return {k: v for k, v in (("role", event.role), ("fte", event.fte)) if v is not None}
        case ev.WorkerLeft():
            return {"_ended": True}
    return {}


def _team_change(event: ev.Event) -> dict[str, Any]:
    match event:
        case ev.TeamEstablished():
            return {"name": event.name, "service": event.service}
        case ev.TeamRenamed():
            return {"name": event.name}
        case ev.TeamMovedService():
            return {"service": event.service}
        case ev.TeamClosed():
            return {"_ended": True}
    return {}


def _constellation_rows(history: StreamHistory) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    joined: dict[str, dict[str, Any]] = {}
    for entry in sorted(history.entries, key=lambda e: e.on):
        event = entry.event
        if isinstance(event, ev.CarerHouseholdJoinedConstellation):
            joined[event.constellation_id] = {
                "household_id": event.household_id,
                "constellation_id": event.constellation_id,
                "constellation_role": event.constellation_role,
                "valid_from": entry.on,
                "valid_to": None,
            }
            rows.append(joined[event.constellation_id])
        elif isinstance(event, ev.CarerHouseholdLeftConstellation):
            if event.constellation_id in joined:
                joined.pop(event.constellation_id)["valid_to"] = entry.on
        elif isinstance(event, ev.CarerHouseholdDeregistered):
            for row in joined.values():
                row["valid_to"] = entry.on
            joined.clear()
    return rows


def fold(history: StreamHistory) -> Rows:
    entries = history.entries
    if history.stream == "worker":
        start: dict[str, Any] = {"worker_id": history.key}
        return {workers: _timeline(entries, start, _worker_change)}
    if history.stream == "team":
        return {teams: _timeline(entries, {"team_id": history.key}, _team_change)}
    if history.stream == "carer_household":
        return {constellations: _constellation_rows(history)}
    return {}


class TeamsAsAt:
    """Team names and services as at a date, from the `teams` intervals: the row in force,
    else (after a team closed) its last, else (before it was set up) its first."""

    def __init__(self, conn: Connection):
        self.rows: dict[str, list[tuple[date, str, str]]] = defaultdict(list)
        t = teams.c
        query = select(t.team_id, t.valid_from, t.name, t.service).order_by(t.valid_from)
        for team_id, start, name, service in conn.execute(query):
            self.rows[team_id].append((start, name, service))
        self._seen: dict[tuple[str, date], tuple[date, str, str] | None] = {}

    def _row(self, team_id: str, on: date) -> tuple[date, str, str] | None:
        key = (team_id, on)
        if key not in self._seen:
            rows = self.rows.get(team_id)
            chosen = None
            if rows:
                chosen = rows[0]
                for row in rows:  # sorted by start: the last one started by `on`
                    if row[0] <= on:
                        chosen = row
            self._seen[key] = chosen
        return self._seen[key]

    def name(self, team_id: str, on: date) -> str:
        """The team's name on `on` (its id, for a team the table does not hold)."""
        found = self._row(team_id, on)
        return found[1] if found else team_id

    def service(self, team_id: str, on: date) -> str | None:
        found = self._row(team_id, on)
        return found[2] if found else None

    def matching(self, team: str) -> set[str]:
        """The ids of the teams with this id or (at any time) this name."""
        return {
            team_id
            for team_id, rows in self.rows.items()
            if team_id == team or any(name == team for _, name, _ in rows)
        }


PROJECTION = Projection(
    name="workforce",
    tables=(workers, teams, constellations),
    streams=frozenset({"worker", "team", "carer_household"}),
    fold=fold,
)
