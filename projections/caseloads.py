"""The caseloads report: who holds which cases on a date, against the role's limit, and
the queue of open cases with no lead worker.

One query over the interval tables of `cases` and `workforce` answers any date.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, and_, func, select

from projections.cases import CASE_KINDS, allocations, case_intervals, unallocated
from projections.intervals import covering
from projections.report import Report, Section
from projections.settings import ReportSettings
from projections.workforce import teams, workers

KINDS = (*CASE_KINDS, "other")
NOT_ALLOCATED = "no lead worker allocated"
TEAM_BRIEF = ("team", "service", "workers", "fte", "cases", "workers_over_limit")


@dataclass(frozen=True)
class WorkerCaseload:
    team_id: str
    team: str
    worker_id: str
    role: str
    fte: float
    agency: bool
    child_in_need: int
    child_protection: int
    looked_after: int
    care_leaver: int
    adoption: int
    other: int
    total: int
    limit: float | None  # for the role, full time
    limit_pro_rata: float | None  # for this worker's hours
    over_limit: bool


@dataclass(frozen=True)
class TeamCaseload:
    team_id: str
    team: str
    service: str
    workers: int
    fte: float
    cases: int
    workers_over_limit: int


@dataclass(frozen=True)
class UnallocatedCase:
    la_child_id: str
    case_kind: str
    unallocated_since: date
    days: int
    why: str  # no lead worker allocated, or the allocated lead worker has left


def role_limit(role: str, service: str | None, settings: ReportSettings) -> float | None:
    limits = settings.caseload_limits
    if role == "personal_adviser":
        return limits.get("personal_adviser")
    if role != "social_worker":
        return None
    if service in ("looked_after", "leaving_care"):
        return limits.get("looked_after_social_worker")
    if service in ("front_door", "child_in_need"):
        return limits.get("child_in_need_social_worker")
    return None


def caseloads(
    conn: Connection, *, as_at: date, settings: ReportSettings, team: str | None = None
) -> Report:
    w, t, a, c = workers, teams, allocations, case_intervals
    joined = (
        w.outerjoin(t, and_(t.c.team_id == w.c.team_id, covering(t, as_at)))
        .outerjoin(a, and_(a.c.worker_id == w.c.worker_id, covering(a, as_at)))
        .outerjoin(c, and_(c.c.stream_id == a.c.stream_id, covering(c, as_at)))
    )
    query = (
        select(
            w.c.team_id,
            t.c.name,
            t.c.service,
            w.c.worker_id,
            w.c.role,
            w.c.fte,
            w.c.agency,
            c.c.kind,
            a.c.stream_id.is_not(None).label("allocated"),
            func.count(a.c.stream_id.distinct()),
        )
        .select_from(joined)
        .where(covering(w, as_at))
        .group_by(
            w.c.team_id,
            t.c.name,
            t.c.service,
            w.c.worker_id,
            w.c.role,
            w.c.fte,
            w.c.agency,
            c.c.kind,
            a.c.stream_id.is_not(None),
        )
    )
    if team is not None:
        query = query.where((w.c.team_id == team) | (t.c.name == team))
    people: dict[str, dict[str, object]] = {}
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(KINDS, 0))
    for team_id, name, service, worker_id, role, fte, agency, kind, allocated, n in conn.execute(
        query
    ):
        people[worker_id] = {
            "team_id": team_id,
            "team": name or team_id,
            "service": service,
            "role": role,
            "fte": float(fte),
            "agency": bool(agency),
        }
        if allocated:
            counts[worker_id][kind or "other"] += int(n)
    rows = []
    for worker_id, who in people.items():
        by_kind = counts[worker_id]
        limit = role_limit(str(who["role"]), who["service"], settings)  # type: ignore[arg-type]
        pro_rata = None if limit is None else round(limit * float(who["fte"]), 1)  # type: ignore[arg-type]
        total = sum(by_kind.values())
        rows.append(
            WorkerCaseload(
                team_id=str(who["team_id"]),
                team=str(who["team"]),
                worker_id=worker_id,
                role=str(who["role"]),
                fte=float(who["fte"]),
                agency=bool(who["agency"]),  # type: ignore[arg-type]
                **by_kind,
                total=total,
                limit=limit,
                limit_pro_rata=pro_rata,
                over_limit=pro_rata is not None and total > pro_rata,
            )
        )
    rows.sort(key=lambda r: (r.team, r.role, r.worker_id))
    team_rows = _team_totals(rows, people)
    queue = _unallocated(conn, as_at)
    over = sum(r.over_limit for r in rows)
    holding = [r for r in rows if r.limit is not None]
    mean = sum(r.total for r in holding) / len(holding) if holding else 0.0
    headline = (
        f"{as_at.isoformat()}: {sum(r.total for r in rows)} allocated cases across "
        f"{len(rows)} workers in post; {over} over their limit; mean caseload of case-holding "
        f"workers {mean:.1f}; {len(queue)} open cases with no lead worker"
    )
    return Report(
        name="caseloads",
        title=f"Caseloads on {as_at.isoformat()}",
        headline=headline,
        parameters={"as_at": as_at, "team": team},
        sections=[
            Section(
                "workers",
                "Open cases per worker",
                rows,
                brief=(
                    "team",
                    "worker_id",
                    "role",
                    "fte",
                    "agency",
                    *KINDS,
                    "total",
                    "limit_pro_rata",
                    "over_limit",
                ),
            ),
            Section("teams", "Team totals", team_rows, brief=TEAM_BRIEF),
            Section("unallocated", "Open cases with no lead worker", queue),
        ],
        definitions=[
            "A case counts for every worker allocated to it on the date, under the kind of "
            "case open that day (adoption, looked after, child protection, child in need, "
            "care leaver; 'other' when an allocation is open with no case of those kinds).",
            "The limit is the role's for a full-time worker (settings; seed 001: child-in-need "
            "social worker 19, looked-after social worker 20, personal adviser 25), pro rata "
            "for part-time workers; a worker is over when their cases exceed it.",
            "Unallocated: an open case with no lead social worker (for a care leaver, no "
            "personal adviser or social worker), or whose lead worker has left the council, "
            "and since when.",
        ],
    )


def _team_totals(
    rows: list[WorkerCaseload], people: dict[str, dict[str, object]]
) -> list[TeamCaseload]:
    grouped: dict[str, list[WorkerCaseload]] = defaultdict(list)
    for row in rows:
        grouped[row.team_id].append(row)
    return [
        TeamCaseload(
            team_id=team_id,
            team=members[0].team,
            service=str(people[members[0].worker_id]["service"]),
            workers=len(members),
            fte=round(sum(m.fte for m in members), 2),
            cases=sum(m.total for m in members),
            workers_over_limit=sum(m.over_limit for m in members),
        )
        for team_id, members in sorted(grouped.items(), key=lambda item: item[1][0].team)
    ]


def _unallocated(conn: Connection, as_at: date) -> list[UnallocatedCase]:
    u = unallocated
    query = (
        select(u.c.la_child_id, u.c.case_kind, u.c.valid_from)
        .where(covering(u, as_at))
        .order_by(u.c.valid_from, u.c.la_child_id)
    )
    queue = [
        UnallocatedCase(str(child), str(kind), since, (as_at - since).days, NOT_ALLOCATED)
        for child, kind, since in conn.execute(query)
    ]
    queue += _with_leavers(conn, as_at)
    return sorted(queue, key=lambda q: (q.unallocated_since, q.la_child_id))


def _with_leavers(conn: Connection, as_at: date) -> list[UnallocatedCase]:
    """Open cases whose every lead worker allocated on the date had left the council by
    then: a worker's leaving is often recorded before their cases are reallocated."""
    a, c, w = allocations, case_intervals, workers
    leads = (
        select(a.c.la_child_id, a.c.worker_id, a.c.role, c.c.kind)
        .join(c, and_(c.c.stream_id == a.c.stream_id, covering(c, as_at)))
        .where(covering(a, as_at), a.c.role.in_(("social_worker", "personal_adviser")))
    )
    by_child: dict[str, tuple[str, list[str]]] = {}
    for child, worker_id, role, kind in conn.execute(leads):
        if role == "social_worker" or kind == "care_leaver":
            by_child.setdefault(child, (kind, []))[1].append(worker_id)
    in_post = set(conn.execute(select(w.c.worker_id).where(covering(w, as_at))).scalars())
    gone = {worker for _, workers_of in by_child.values() for worker in workers_of} - in_post
    if not gone:
        return []
    left_on = dict(
        conn.execute(
            select(w.c.worker_id, func.max(w.c.valid_to))
            .where(w.c.worker_id.in_(sorted(gone)), w.c.valid_to <= as_at)
            .group_by(w.c.worker_id)
        ).all()
    )
    queue = []
    for child, (kind, workers_of) in by_child.items():
        if workers_of and not set(workers_of) & in_post:
            since = max(left_on.get(worker) or as_at for worker in workers_of)
            names = ", ".join(sorted(set(workers_of)))
            queue.append(
                UnallocatedCase(
                    child, kind, since, (as_at - since).days, f"lead worker {names} has left"
                )
            )
    return queue
