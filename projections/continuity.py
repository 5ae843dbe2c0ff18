"""Continuity: one social worker from the start of a single assessment to a final order.

Seed 001 (§4 of the domain notes): the social worker allocated for single assessment stays
the allocated worker until the case closes, steps down or moves to the looked-after
service, and "the same social worker will be responsible for the case from the point of
single assessment starting and an adoption order being made"; a case is reallocated "only
in very exceptional circumstances following robust scrutiny by the team manager and
service manager". The sanctioned transfer points are front door to child in need, child in
need to looked after when the final order has been made (or, for an accommodated 16- or
17-year-old, the Southwark fast track, L318), and looked after to 16+.

The fold keeps, per child, one row per journey and one row per change of lead social
worker. A journey runs from the start of the latest single assessment started before a
final order (care, placement, special guardianship, child arrangements, adoption; orders of
one day are one journey) to that order, within one open case: a case closure between the
assessment and the order means the order has no assessment of its own and is no journey.
An adoption order after a care order is a journey of its own from the same assessment
(the source's literal "assessment to adoption order" measure).

Whether a change is at a sanctioned point depends on the services of the teams, which are
reference streams a child's fold cannot see; the change rows keep the team ids and the
report judges them against the `teams` table as at the change date.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    Integer,
    String,
    Table,
    and_,
    func,
    or_,
    select,
    true,
)

from journey import events as ev
from journey.child import Child, Span
from journey.dates import add_months, age_on
from journey.events import as_date, as_datetime
from projections.cases import SHORT_BREAKS, allocations, case_intervals
from projections.history import StreamHistory
from projections.intervals import covering
from projections.projection import Projection, Rows
from projections.report import Report, Section
from projections.schema import metadata, stream_column
from projections.settings import ReportSettings
from projections.workforce import TeamsAsAt

# The five final orders, in the order a combined journey names them (a care and a
# placement order made the same day are one journey, "care+placement").
JOURNEY_ORDERS = ("care", "placement", "special_guardianship", "child_arrangements", "adoption")
CLOSURES = (ev.CaseClosed, ev.CaseSteppedDown, ev.ReferralClosedNoFurtherAction)

FRONT_DOOR_TO_CIN = "front door to child in need"
CIN_TO_LAC = "child in need to looked after"
LAC_TO_16_PLUS = "looked after to 16+"
OTHER_CHANGE = "other change"
POINTS = (FRONT_DOOR_TO_CIN, CIN_TO_LAC, LAC_TO_16_PLUS)
LAC_BUCKETS = ("0", "1", "2", "3+")


@dataclass(frozen=True)
class ContinuitySettings:
    """The report's own choices (the fold takes none, so they never need a rebuild)."""

    # SW_REASONs of a change a manager chose to make (not forced by a worker leaving,
    # absence, a restructure or a death): seed 001 allows these only exceptionally.
    discretionary_reasons: frozenset[str] = frozenset({"MANAGE", "CHCHAN", "PCCHAN", "OTHERS"})
    # Seed 001 L318: accommodated 16/17-year-olds "fast track from the CiN service to the
    # LAC teams"; counted as a sanctioned child-in-need-to-looked-after transfer.
    fast_track_sanctioned: bool = True
    fast_track_ages: tuple[int, int] = (16, 17)
    looked_after_months: int = 12  # the window for looked-after children's changes


journeys = Table(
    "continuity_journeys",
    metadata,
    stream_column(),
    Column("la_child_id", String(64), nullable=False),
    Column("journey_id", String(64), nullable=False),  # the (first) order's id
    Column("order_type", String(100), nullable=False),  # "care+placement" for a same-day pair
    Column("order_date", Date, nullable=False, index=True),
    Column("assessment_id", String(64), nullable=False),
    Column("assessment_start", Date, nullable=False),
    Column("team_id", String(64)),  # the team of the lead social worker at the order
    Column("worker_id", String(64)),  # the lead social worker at the order
    Column("lead_workers", Integer, nullable=False),  # distinct, assessment start to order
    Column("changes", Integer, nullable=False),
    Column("first_change", Integer),  # the journey's changes: seq first..last of the child's
    Column("last_change", Integer),
    Column("days_unallocated", Integer, nullable=False),
)

changes = Table(
    "continuity_changes",
    metadata,
    stream_column(),
    Column("la_child_id", String(64), nullable=False),
    Column("seq", Integer, nullable=False),  # 1, 2, ... in the child's history
    Column("changed_on", Date, nullable=False, index=True),
    Column("from_worker_id", String(64), nullable=False),
    Column("to_worker_id", String(64), nullable=False),
    Column("from_team_id", String(64), nullable=False),
    Column("to_team_id", String(64), nullable=False),
    Column("reason", String(8)),  # SSDA903 SW_REASON of the new allocation
    Column("transfer", Boolean, nullable=False),  # recorded as CaseTransferred
    Column("exceptional", Boolean, nullable=False),  # recorded as an exceptional reallocation
    Column("scrutiny", Boolean, nullable=False),  # team and service manager scrutiny recorded
    Column("after_order", Boolean, nullable=False),  # a final order came first, same case
    Column("looked_after", Boolean, nullable=False),  # in a period of care that day
    Column("age", Integer),  # the child's age in years that day
    Column("days_unallocated", Integer, nullable=False),  # between the two workers
)


# --- the fold ---------------------------------------------------------------------------


def _age(born: date | None, on: date) -> int | None:
    return None if born is None else age_on(born, on)


def _in_care(child: Child, at: datetime) -> bool:
    return any(
        p.start <= at and (p.end is None or at < p.end)
        for p in child.periods_of_care.values()
        if p.kind not in SHORT_BREAKS
    )


def _closed_between(closures: Sequence[datetime], after: datetime, until: datetime) -> bool:
    return any(after < c <= until for c in closures)


@dataclass
class _Change:
    seq: int
    previous_end: datetime
    start: datetime
    row: dict[str, Any] = field(default_factory=dict)


def _changes(
    history: StreamHistory,
    child: Child,
    leads: list[tuple[str, Span]],
    closures: list[datetime],
    orders: list[Span],
    transfers: dict[str, ev.CaseTransferred],
) -> list[_Change]:
    """Each lead social worker who took over an open case from a different one. A new
    allocation after the case closed is a fresh start (SW_REASON FCONTA), not a change."""
    found: list[_Change] = []
    for (_, before), (key, span) in pairwise(leads):
        ended = before.end if before.end is not None else span.start
        if ended <= span.start and any(ended <= c <= span.start for c in closures):
            continue
        if before.detail["worker_id"] == span.detail["worker_id"]:
            continue
        transfer = transfers.get(key)
        on = as_date(span.start)
        after_order = any(
            o.start <= span.start and not _closed_between(closures, o.start, span.start)
            for o in orders
        )
        seq = len(found) + 1
        row = {
            "la_child_id": history.key,
            "seq": seq,
            "changed_on": on,
            "from_worker_id": before.detail["worker_id"],
            "to_worker_id": span.detail["worker_id"],
            "from_team_id": transfer.from_team_id if transfer else before.detail["team_id"],
            "to_team_id": span.detail["team_id"],
            "reason": span.detail["reason"],
            "transfer": transfer is not None,
            "exceptional": bool(span.detail["exceptional"]),
            "scrutiny": bool(span.detail["scrutiny"]),
            "after_order": after_order,
            "looked_after": _in_care(child, span.start),
            "age": _age(child.date_of_birth, on),
            "days_unallocated": max(0, (on - as_date(ended)).days),
        }
        found.append(_Change(seq, ended, span.start, row))
    return found


def _days_unallocated(leads: Iterable[Span], start: date, end: date) -> int:
    """Days in [start, end) with no lead social worker (a day counts as allocated when an
    allocation was open at its start, as in the cases projection)."""
    pieces = sorted(
        (max(as_date(s.start), start), end if s.end is None else min(as_date(s.end), end))
        for s in leads
    )
    covered, cursor = 0, start
    for a, b in pieces:
        a = max(a, cursor)
        if b > a:
            covered += (b - a).days
            cursor = b
    return (end - start).days - covered


def _journeys(
    history: StreamHistory,
    child: Child,
    leads: list[tuple[str, Span]],
    closures: list[datetime],
    orders: list[tuple[str, Span]],
    found: list[_Change],
) -> list[dict[str, Any]]:
    by_day: dict[date, list[tuple[str, Span]]] = defaultdict(list)
    for key, span in orders:
        by_day[as_date(span.start)].append((key, span))
    rows = []
    for order_day, made in sorted(by_day.items()):
        order_at = min(span.start for _, span in made)
        started = [(k, a) for k, a in child.assessments.items() if a.start <= order_at]
        if not started:
            continue
        assessment_id, assessment = max(started, key=lambda item: item[1].start)
        start_at = assessment.start
        if any(start_at < c < order_at for c in closures):
            continue  # the assessment's case closed before the order: not this journey's
        if start_at < order_at:
            held = [
                s for _, s in leads if s.start < order_at and (s.end is None or s.end > start_at)
            ]
        else:
            held = [
                s for _, s in leads if s.start <= order_at and (s.end is None or s.end > order_at)
            ]
        inside = [c for c in found if c.previous_end > start_at and c.start < order_at]
        last = held[-1] if held else None
        kinds = {span.kind for _, span in made}
        start_day = as_date(start_at)
        rows.append(
            {
                "la_child_id": history.key,
                "journey_id": made[0][0],
                "order_type": "+".join(k for k in JOURNEY_ORDERS if k in kinds),
                "order_date": order_day,
                "assessment_id": assessment_id,
                "assessment_start": start_day,
                "team_id": last.detail["team_id"] if last else None,
                "worker_id": last.detail["worker_id"] if last else None,
                "lead_workers": len({s.detail["worker_id"] for s in held}),
                "changes": len(inside),
                "first_change": inside[0].seq if inside else None,
                "last_change": inside[-1].seq if inside else None,
                "days_unallocated": _days_unallocated(
                    (s for _, s in leads), start_day, max(start_day, order_day)
                ),
            }
        )
    return rows


def fold(history: StreamHistory) -> Rows:
    child = history.child()
    if not child.registered:
        return {}
    leads = sorted(
        ((k, s) for k, s in child.allocations.items() if s.kind == "social_worker"),
        key=lambda item: item[1].start,
    )
    orders = sorted(
        ((k, s) for k, s in child.orders.items() if s.kind in JOURNEY_ORDERS),
        key=lambda item: item[1].start,
    )
    if len(leads) < 2 and not orders:
        return {}  # no change of worker and no journey
    closures: list[datetime] = []
    transfers: dict[str, ev.CaseTransferred] = {}
    for entry in history.entries:
        event = entry.event
        if isinstance(event, CLOSURES):
            closures.append(as_datetime(event.occurred_at))
        elif isinstance(event, ev.CaseTransferred):
            transfers[event.allocation_id] = event
    closures.sort()
    found = _changes(history, child, leads, closures, [s for _, s in orders], transfers)
    return {
        journeys: _journeys(history, child, leads, closures, orders, found),
        changes: [c.row for c in found],
    }


PROJECTION = Projection(
    name="continuity",
    tables=(journeys, changes),
    streams=frozenset({"child"}),
    fold=fold,
)


# --- the report's rows ------------------------------------------------------------------


@dataclass(frozen=True)
class Journey:
    la_child_id: str
    journey_id: str
    order_type: str
    assessment_start: date
    order_date: date
    quarter: str
    team_id: str | None
    team: str | None
    worker_id: str | None  # the lead social worker at the order
    lead_workers: int
    one_worker: bool
    changes: int
    sanctioned_transfers: int
    other_changes: int
    reasons: str  # the SW_REASON of each change, in date order
    exceptional: int
    with_scrutiny: int
    days_unallocated: int


@dataclass(frozen=True)
class TeamRate:
    team_id: str
    team: str
    journeys: int
    one_worker: int
    one_worker_pct: float | None
    mean_lead_workers: float | None
    sanctioned_transfers: int
    other_changes: int
    exceptional: int
    with_scrutiny: int
    days_unallocated: int


@dataclass(frozen=True)
class PeriodRate:
    period: str  # "2025-Q3" (calendar quarter of the order), or "all"
    journeys: int
    one_worker: int
    one_worker_pct: float | None
    mean_lead_workers: float | None
    sanctioned_transfers: int
    other_changes: int
    exceptional: int
    with_scrutiny: int
    days_unallocated: int


@dataclass(frozen=True)
class Change:
    la_child_id: str
    changed_on: date
    from_worker_id: str
    to_worker_id: str
    from_team_id: str
    from_team: str
    to_team_id: str
    to_team: str
    reason: str | None
    transfer_point: str  # the sanctioned point, or "other change"
    sanctioned: bool
    exceptional: bool
    scrutiny: bool
    days_unallocated: int


@dataclass(frozen=True)
class ChangeCount:
    transfer_point: str  # a sanctioned point, or "other change"
    reason: str  # SW_REASON ("" when none was recorded)
    changes: int
    children: int
    exceptional: int
    with_scrutiny: int


@dataclass(frozen=True)
class LookedAfterChanges:
    changes_in_12_months: str  # "0", "1", "2", "3+"
    children: int
    share_pct: float | None


# --- the report -------------------------------------------------------------------------


def _point(row: Any, teams_at: TeamsAsAt, options: ContinuitySettings) -> str:
    on = row.changed_on
    before = teams_at.service(row.from_team_id, on)
    after = teams_at.service(row.to_team_id, on)
    if before == "front_door" and after == "child_in_need":
        return FRONT_DOOR_TO_CIN
    if before == "child_in_need" and after == "looked_after":
        low, high = options.fast_track_ages
        fast_track = (
            options.fast_track_sanctioned
            and row.looked_after
            and row.age is not None
            and low <= row.age <= high
        )
        if row.after_order or fast_track:
            return CIN_TO_LAC
    if before == "looked_after" and after == "leaving_care":
        return LAC_TO_16_PLUS
    return OTHER_CHANGE


def _change(row: Any, teams_at: TeamsAsAt, options: ContinuitySettings) -> Change:
    point = _point(row, teams_at, options)
    sanctioned = point != OTHER_CHANGE
    exceptional = bool(row.exceptional) or (
        not sanctioned and row.reason in options.discretionary_reasons
    )
    return Change(
        la_child_id=row.la_child_id,
        changed_on=row.changed_on,
        from_worker_id=row.from_worker_id,
        to_worker_id=row.to_worker_id,
        from_team_id=row.from_team_id,
        from_team=teams_at.name(row.from_team_id, row.changed_on),
        to_team_id=row.to_team_id,
        to_team=teams_at.name(row.to_team_id, row.changed_on),
        reason=row.reason,
        transfer_point=point,
        sanctioned=sanctioned,
        exceptional=exceptional,
        scrutiny=bool(row.scrutiny),
        days_unallocated=int(row.days_unallocated),
    )


def quarter(on: date) -> str:
    return f"{on.year}-Q{(on.month - 1) // 3 + 1}"


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _rate_numbers(rows: Sequence[Journey]) -> dict[str, Any]:
    n = len(rows)
    one = sum(r.one_worker for r in rows)
    return {
        "journeys": n,
        "one_worker": one,
        "one_worker_pct": _pct(one, n),
        "mean_lead_workers": round(sum(r.lead_workers for r in rows) / n, 2) if n else None,
        "sanctioned_transfers": sum(r.sanctioned_transfers for r in rows),
        "other_changes": sum(r.other_changes for r in rows),
        "exceptional": sum(r.exceptional for r in rows),
        "with_scrutiny": sum(r.with_scrutiny for r in rows),
        "days_unallocated": sum(r.days_unallocated for r in rows),
    }


def _between(column: Any, start: date | None, end: date | None) -> Any:
    conditions = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column <= end)
    return and_(true(), *conditions)


def _journey_rows(
    conn: Connection,
    teams_at: TeamsAsAt,
    options: ContinuitySettings,
    from_date: date | None,
    to_date: date | None,
    team_ids: set[str] | None,
) -> list[Journey]:
    j, c = journeys, changes
    query = select(j).where(_between(j.c.order_date, from_date, to_date))
    if team_ids is not None:
        query = query.where(j.c.team_id.in_(team_ids))
    found = conn.execute(query).all()
    streams = {row.stream_id for row in found}
    by_child: dict[str, dict[int, Change]] = defaultdict(dict)
    if streams:
        inside = (
            select(c)
            .join(
                j,
                and_(
                    j.c.stream_id == c.c.stream_id,
                    c.c.seq >= j.c.first_change,
                    c.c.seq <= j.c.last_change,
                ),
            )
            .where(_between(j.c.order_date, from_date, to_date))
            .distinct()
        )
        for row in conn.execute(inside):
            by_child[row.stream_id][row.seq] = _change(row, teams_at, options)
    rows = []
    for row in found:
        own = (
            [by_child[row.stream_id][s] for s in range(row.first_change, row.last_change + 1)]
            if row.first_change is not None
            else []
        )
        sanctioned = sum(ch.sanctioned for ch in own)
        rows.append(
            Journey(
                la_child_id=row.la_child_id,
                journey_id=row.journey_id,
                order_type=row.order_type,
                assessment_start=row.assessment_start,
                order_date=row.order_date,
                quarter=quarter(row.order_date),
                team_id=row.team_id,
                team=teams_at.name(row.team_id, row.order_date) if row.team_id else None,
                worker_id=row.worker_id,
                lead_workers=row.lead_workers,
                one_worker=row.lead_workers == 1,
                changes=len(own),
                sanctioned_transfers=sanctioned,
                other_changes=len(own) - sanctioned,
                reasons=", ".join(ch.reason or "?" for ch in own),
                exceptional=sum(ch.exceptional for ch in own),
                with_scrutiny=sum(ch.exceptional and ch.scrutiny for ch in own),
                days_unallocated=row.days_unallocated,
            )
        )
    rows.sort(key=lambda r: (r.order_date, r.la_child_id, r.journey_id))
    return rows


def _period_changes(
    conn: Connection,
    teams_at: TeamsAsAt,
    options: ContinuitySettings,
    from_date: date | None,
    to_date: date | None,
    team_ids: set[str] | None,
) -> list[Change]:
    c = changes
    query = select(c).where(_between(c.c.changed_on, from_date, to_date))
    if team_ids is not None:
        query = query.where(or_(c.c.from_team_id.in_(team_ids), c.c.to_team_id.in_(team_ids)))
    rows = [_change(row, teams_at, options) for row in conn.execute(query)]
    rows.sort(key=lambda r: (r.changed_on, r.la_child_id))
    return rows


def _change_counts(rows: Sequence[Change]) -> list[ChangeCount]:
    grouped: dict[tuple[str, str], list[Change]] = defaultdict(list)
    for row in rows:
        grouped[(row.transfer_point, row.reason or "")].append(row)
    order = {p: i for i, p in enumerate((*POINTS, OTHER_CHANGE))}
    return [
        ChangeCount(
            transfer_point=point,
            reason=reason,
            changes=len(members),
            children=len({m.la_child_id for m in members}),
            exceptional=sum(m.exceptional for m in members),
            with_scrutiny=sum(m.exceptional and m.scrutiny for m in members),
        )
        for (point, reason), members in sorted(
            grouped.items(), key=lambda item: (order[item[0][0]], item[0][1])
        )
    ]


def _looked_after_changes(
    conn: Connection, as_at: date, months: int, team_ids: set[str] | None
) -> list[LookedAfterChanges]:
    """Children looked after on `as_at` (a period of care, short breaks left out) by the
    changes of lead social worker dated in the `months` up to and including `as_at`."""
    ci, c, a = case_intervals, changes, allocations
    since = add_months(as_at, -months)
    query = (
        select(ci.c.stream_id, func.count(c.c.seq))
        .select_from(
            ci.outerjoin(
                c,
                and_(
                    c.c.stream_id == ci.c.stream_id,
                    c.c.changed_on > since,
                    c.c.changed_on <= as_at,
                ),
            )
        )
        .where(covering(ci, as_at), ci.c.kind.in_(("looked_after", "adoption")))
        .group_by(ci.c.stream_id)
    )
    if team_ids is not None:
        held = select(a.c.stream_id).where(
            covering(a, as_at), a.c.role == "social_worker", a.c.team_id.in_(team_ids)
        )
        query = query.where(ci.c.stream_id.in_(held))
    counts = Counter(min(int(n), 3) for _, n in conn.execute(query))
    total = sum(counts.values())
    return [
        LookedAfterChanges(label, counts[i], _pct(counts[i], total))
        for i, label in enumerate(LAC_BUCKETS)
    ]


DEFINITIONS = (
    "A journey runs from the start of a child's single assessment (the latest one started "
    "before the order, in the same open case) to a final order: care, placement, special "
    "guardianship, child arrangements or adoption; orders made on one day are one journey, "
    "and an adoption order after a care order is a journey of its own from the same "
    "assessment.",
    "Lead social workers counts the different social workers allocated as the child's lead "
    "at any time from the day the assessment started until the order was made.",
    "The one-social-worker rate is the share of journeys with exactly one lead social worker "
    "from assessment start to order, by the team that held the case at the order and by the "
    "calendar quarter in which the order was made (Q1 is January to March).",
    "A change of social worker is a new lead social worker taking over an open case from a "
    "different one, by transfer or by a new allocation; its reason is the SSDA903 SW_REASON "
    "recorded with the new allocation, and a new allocation after the case was closed is a "
    "fresh start, not a change.",
    "A transfer at a sanctioned point is a change from a front-door team to a child-in-need "
    "team, from a child-in-need team to a looked-after team once the final order has been "
    "made (or for an accommodated 16- or 17-year-old, the Southwark fast track), or from a "
    "looked-after team to a 16+ team, judged by the teams' services on the day; every other "
    "change is counted apart as an other change.",
    "An exceptional reallocation is a change outside the sanctioned points that managers "
    "chose to make (reason MANAGE, CHCHAN, PCCHAN or OTHERS, or recorded as exceptional); "
    "seed 001 allows these only after scrutiny by the team manager and service manager, and "
    "'with scrutiny' counts those where that scrutiny was recorded.",
    "Days unallocated counts the days from the assessment start to the order on which the "
    "child had no lead social worker.",
    "For children looked after on the as-at date (short breaks left out), changes of social "
    "worker in the last 12 months counts their changes of lead social worker dated in the 12 "
    "months up to and including that date, grouped 0, 1, 2 and 3 or more.",
)


def continuity(
    conn: Connection,
    *,
    settings: ReportSettings,
    from_date: date | None = None,
    to_date: date | None = None,
    team: str | None = None,
    as_at: date | None = None,
    options: ContinuitySettings | None = None,
) -> Report:
    """Journeys whose order falls in [from_date, to_date] (all when not given), changes of
    lead social worker dated in that period, and looked-after children's changes in the 12
    months up to `as_at` (default `to_date`, else today)."""
    options = options or ContinuitySettings()
    as_at = as_at or to_date or date.today()
    teams_at = TeamsAsAt(conn)
    team_ids = (teams_at.matching(team) or {team}) if team is not None else None

    rows = _journey_rows(conn, teams_at, options, from_date, to_date, team_ids)
    by_team: dict[str, list[Journey]] = defaultdict(list)
    by_quarter: dict[str, list[Journey]] = defaultdict(list)
    for row in rows:
        by_team[row.team_id or ""].append(row)
        by_quarter[row.quarter].append(row)
    team_rows = sorted(
        (
            TeamRate(
                team_id=team_id,
                team=members[-1].team or team_id or "no lead social worker",
                **_rate_numbers(members),
            )
            for team_id, members in by_team.items()
        ),
        key=lambda r: r.team,
    )
    quarter_rows = [PeriodRate(q, **_rate_numbers(by_quarter[q])) for q in sorted(by_quarter)]
    overall = PeriodRate("all", **_rate_numbers(rows))
    period = _period_changes(conn, teams_at, options, from_date, to_date, team_ids)
    counts = _change_counts(period)
    lac = _looked_after_changes(conn, as_at, options.looked_after_months, team_ids)

    sanctioned = sum(r.sanctioned for r in period)
    span = (
        f"orders {from_date.isoformat() if from_date else 'from the start'} "
        f"to {to_date.isoformat() if to_date else 'now'}"
    )
    headline = (
        f"{span}: {overall.journeys} journeys from assessment to final order, "
        f"{overall.one_worker} ({_show(overall.one_worker_pct)}) with one lead social worker "
        f"throughout; {overall.exceptional} exceptional reallocations "
        f"({overall.with_scrutiny} with scrutiny recorded); "
        f"changes of social worker in the period: {sanctioned} at sanctioned transfer points, "
        f"{len(period) - sanctioned} other; looked after on {as_at.isoformat()}: "
        f"{sum(r.children for r in lac)} children, {lac[-1].children} with 3 or more changes "
        f"in {options.looked_after_months} months"
    )
    return Report(
        name="continuity",
        title="One social worker from assessment to order",
        headline=headline,
        parameters={"from": from_date, "to": to_date, "team": team, "as_at": as_at},
        sections=[
            Section(
                "journeys",
                "Journeys from assessment start to final order",
                rows,
                brief=(
                    "la_child_id",
                    "order_type",
                    "assessment_start",
                    "order_date",
                    "team",
                    "lead_workers",
                    "one_worker",
                    "sanctioned_transfers",
                    "other_changes",
                    "reasons",
                    "exceptional",
                    "with_scrutiny",
                    "days_unallocated",
                ),
            ),
            Section(
                "by_team", "One social worker rate by team holding the case at the order", team_rows
            ),
            Section(
                "by_quarter",
                "One social worker rate by calendar quarter of the order",
                quarter_rows,
            ),
            Section("overall", "One social worker rate, all journeys", [overall]),
            Section(
                "changes",
                "Changes of lead social worker in the period",
                period,
                brief=(
                    "la_child_id",
                    "changed_on",
                    "from_worker_id",
                    "to_worker_id",
                    "from_team",
                    "to_team",
                    "reason",
                    "transfer_point",
                    "exceptional",
                    "scrutiny",
                ),
            ),
            Section(
                "transfer_points",
                "Changes in the period: sanctioned transfer points apart from other changes",
                counts,
            ),
            Section(
                "looked_after_changes",
                f"Children looked after on {as_at.isoformat()} by changes of social worker "
                f"in the last {options.looked_after_months} months",
                lac,
            ),
        ],
        definitions=list(DEFINITIONS),
    )


def _show(pct: float | None) -> str:
    return "n/a" if pct is None else f"{pct:.1f}%"
