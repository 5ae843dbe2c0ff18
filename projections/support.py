"""Support: the contacts recorded for children (therapy, life story work, family time,
Mockingbird sleepovers, post-order support...), by kind and by provider, and the activity
of each Mockingbird constellation.

The fold keeps one row per support contact. A sleepover belongs to the constellation its
carer household was a member of on the sleepover's date: that is read at query time from
the `constellation_members` intervals (workforce), so a household that moves from one
constellation to another has each sleepover counted where it was then.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Column, Connection, Date, Integer, String, Table, and_, func, select

from journey import events as ev
from projections.history import StreamHistory
from projections.intervals import overlapping
from projections.projection import Projection, Rows
from projections.report import Report, Section
from projections.schema import metadata, stream_column
from projections.settings import ReportSettings
from projections.workforce import constellations

SLEEPOVERS = {
    "mockingbird_planned_sleepover": "planned",
    "mockingbird_crisis_sleepover": "crisis",
}

support_contacts = Table(
    "support_contacts",
    metadata,
    stream_column(),
    Column("la_child_id", String(64), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("contact_date", Date, nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("provider", String(100), nullable=False),
    Column("worker_id", String(64)),
    Column("carer_household_id", String(64)),
    Column("minutes", Integer, nullable=False),
)


def fold(history: StreamHistory) -> Rows:
    if not history.records:
        return {}
    la_child_id = history.key
    rows = [
        {
            "la_child_id": la_child_id,
            "event_id": str(entry.record.event_id),
            "contact_date": entry.on,
            "kind": entry.event.kind,
            "provider": entry.event.provider,
            "worker_id": entry.event.worker_id,
            "carer_household_id": entry.event.carer_household_id,
            "minutes": entry.event.duration_minutes,
        }
        for entry in history.entries
        if isinstance(entry.event, ev.SupportContactRecorded)
    ]
    return {support_contacts: rows}


PROJECTION = Projection(
    name="support",
    tables=(support_contacts,),
    streams=frozenset({"child"}),
    fold=fold,
)


@dataclass(frozen=True)
class SupportByKind:
    kind: str
    contacts: int
    children: int
    hours: float


@dataclass(frozen=True)
class SupportByProvider:
    provider: str
    kind: str
    contacts: int
    children: int
    hours: float


@dataclass(frozen=True)
class ConstellationActivity:
    constellation_id: str | None  # None: sleepovers with a household in no constellation then
    hub_household_id: str | None
    households: int  # member households at any time in the period, the hub included
    planned_sleepovers: int
    crisis_sleepovers: int
    children: int  # children who had a sleepover
    sleepover_hours: float


DEFINITIONS = (
    "Support contacts: every support contact recorded for a child with a date in the period "
    "(both dates included), counted by kind and by the service that provided it; hours are "
    "the recorded durations added up.",
    "Children: the number of different children who had at least one such contact.",
    "Mockingbird sleepovers (planned and crisis) are counted for the constellation that the "
    "carer household giving the sleepover belonged to on the night; a constellation with no "
    "sleepovers in the period still shows, and sleepovers by a household in no "
    "constellation that day are shown on a line of their own.",
)


def _hours(minutes: int) -> float:
    return round(minutes / 60, 1)


def support(
    conn: Connection, *, settings: ReportSettings, from_date: date, to_date: date
) -> Report:
    s = support_contacts
    window = and_(s.c.contact_date >= from_date, s.c.contact_date <= to_date)
    children_n = func.count(s.c.stream_id.distinct())
    by_kind = sorted(
        (
            SupportByKind(kind, int(n), int(kids), _hours(int(minutes)))
            for kind, n, kids, minutes in conn.execute(
                select(s.c.kind, func.count(), children_n, func.sum(s.c.minutes))
                .where(window)
                .group_by(s.c.kind)
            )
        ),
        key=lambda r: (-r.contacts, r.kind),
    )
    by_provider = sorted(
        (
            SupportByProvider(provider, kind, int(n), int(kids), _hours(int(minutes)))
            for provider, kind, n, kids, minutes in conn.execute(
                select(s.c.provider, s.c.kind, func.count(), children_n, func.sum(s.c.minutes))
                .where(window)
                .group_by(s.c.provider, s.c.kind)
            )
        ),
        key=lambda r: (r.provider, -r.contacts, r.kind),
    )
    total, children_supported, all_minutes = conn.execute(
        select(func.count(), children_n, func.coalesce(func.sum(s.c.minutes), 0)).where(window)
    ).one()
    sleepovers = list(
        conn.execute(
            select(
                s.c.stream_id, s.c.contact_date, s.c.kind, s.c.carer_household_id, s.c.minutes
            ).where(window, s.c.kind.in_(list(SLEEPOVERS)))
        )
    )
    activity = _constellations(conn, sleepovers, from_date, to_date)

    planned = sum(r.planned_sleepovers for r in activity)
    crisis = sum(r.crisis_sleepovers for r in activity)
    active = sum(
        1 for r in activity if r.constellation_id and r.planned_sleepovers + r.crisis_sleepovers
    )
    top = f"; most: {by_kind[0].kind.replace('_', ' ')} ({by_kind[0].contacts})" if by_kind else ""
    headline = (
        f"{from_date.isoformat()} to {to_date.isoformat()}: {total} support contacts for "
        f"{children_supported} children ({_hours(int(all_minutes)):g} hours)"
        f"{top}; Mockingbird: {planned} planned and {crisis} crisis sleepovers in {active} "
        f"of {sum(1 for r in activity if r.constellation_id)} constellations"
    )
    return Report(
        name="support",
        title=f"Support from {from_date.isoformat()} to {to_date.isoformat()}",
        headline=headline,
        parameters={"from": from_date, "to": to_date},
        sections=[
            Section("by_kind", "Support contacts by kind", by_kind),
            Section("by_provider", "Support contacts by provider and kind", by_provider),
            Section("constellations", "Mockingbird constellation activity", activity),
        ],
        definitions=DEFINITIONS,
    )


def _constellations(
    conn: Connection, sleepovers: list[Any], from_date: date, to_date: date
) -> list[ConstellationActivity]:
    m = constellations
    members = list(
        conn.execute(
            select(
                m.c.household_id,
                m.c.constellation_id,
                m.c.constellation_role,
                m.c.valid_from,
                m.c.valid_to,
            ).where(overlapping(m, from_date, to_date))
        )
    )
    households: dict[str, set[str]] = defaultdict(set)
    hubs: dict[str, set[str]] = defaultdict(set)
    membership: dict[str, list[Any]] = defaultdict(list)
    for row in members:
        households[row.constellation_id].add(row.household_id)
        if row.constellation_role == "hub":
            hubs[row.constellation_id].add(row.household_id)
        membership[row.household_id].append(row)

    def constellation_of(household: str | None, on: date) -> str | None:
        found = [
            row
            for row in membership.get(household or "", [])
            if row.valid_from <= on and (row.valid_to is None or row.valid_to > on)
        ]
        if not found:
            return None
        # a household in two constellations at once: its hub role first, then the id
        found.sort(key=lambda r: (r.constellation_role != "hub", r.constellation_id))
        return str(found[0].constellation_id)

    counts: dict[str | None, Counter[str]] = defaultdict(Counter)
    minutes: Counter[str | None] = Counter()
    kids: dict[str | None, set[str]] = defaultdict(set)
    for row in sleepovers:
        where = constellation_of(row.carer_household_id, row.contact_date)
        counts[where][SLEEPOVERS[row.kind]] += 1
        minutes[where] += row.minutes
        kids[where].add(row.stream_id)

    named = sorted(set(households) | {c for c in counts if c is not None})
    rows = [
        ConstellationActivity(
            constellation_id=c,
            hub_household_id=", ".join(sorted(hubs[c])) or None,
            households=len(households[c]),
            planned_sleepovers=counts[c]["planned"],
            crisis_sleepovers=counts[c]["crisis"],
            children=len(kids[c]),
            sleepover_hours=_hours(minutes[c]),
        )
        for c in named
    ]
    if None in counts:
        rows.append(
            ConstellationActivity(
                None,
                None,
                0,
                counts[None]["planned"],
                counts[None]["crisis"],
                len(kids[None]),
                _hours(minutes[None]),
            )
        )
    return rows
