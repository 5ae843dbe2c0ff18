"""Placement stability: moves, children with many placements, long-term stability,
unplanned endings and disruption meetings, for a collection year (1 April – 31 March).

The fold keeps every placement and period of care as a [valid_from, valid_to) interval,
with what the measures need worked out once per child:

- a child's *stay* with carers runs across changes of placement status only (the next
  placement begins the same day with the same carer household: foster carers becoming
  long-term carers or adopters; where no household is recorded on either, an ending with
  REASON_PLACE_CHANGE "PLACE"), and across temporary placements (T0–T4: hospital,
  holiday, other stays of 7 days or less);
- a *move* is the start of a new stay during a period of care, other than its first;
- a period of care that began under legal status V3/V4 is short-break care, reported
  apart and left out of every measure here (as the DfE leaves it out).

The report answers any year with a few indexed queries over those intervals.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Connection,
    Date,
    String,
    Table,
    and_,
    or_,
    select,
)

from journey import events as ev
from journey.child import Span
from journey.codes import ADOPTION_PLACEMENTS, TEMPORARY_PLACEMENTS, meaning
from journey.dates import add_months
from projections.cases import SHORT_BREAKS, children
from projections.history import StreamHistory
from projections.intervals import covering, day, interval_columns, interval_index
from projections.projection import Projection, Rows
from projections.report import Report, Section
from projections.schema import metadata, stream_column
from projections.settings import ReportSettings

STATUS_ONLY = "PLACE"  # REASON_PLACE_CHANGE: change in the status of the placement only

placements = Table(
    "stability_placements",
    metadata,
    stream_column(),
    Column("la_child_id", String(64), nullable=False),
    Column("placement_id", String(64), nullable=False),
    Column("period_id", String(64)),
    Column("place", String(8), nullable=False),
    Column("provider", String(8)),
    Column("carer_household_id", String(64)),
    Column("end_reason", String(8)),  # REASON_PLACE_CHANGE; None while open or when care ended
    Column("unplanned", Boolean, nullable=False),
    Column("short_break", Boolean, nullable=False),  # inside a V3/V4 period of care
    Column("temporary", Boolean, nullable=False),  # T0–T4
    # the placement that began the child's continuous stay with these carers, and when
    # (None for a temporary placement that interrupts no stay)
    Column("stay_id", String(64)),
    Column("stay_from", Date),
    Column("move", Boolean, nullable=False),  # starts a new stay, not the period's first
    *interval_columns(),
    interval_index("stability_placements"),
)

care_periods = Table(
    "stability_care_periods",
    metadata,
    stream_column(),
    Column("la_child_id", String(64), nullable=False),
    Column("period_id", String(64), nullable=False),
    Column("legal_status", String(4), nullable=False),  # at the start of the period
    Column("short_break", Boolean, nullable=False),
    Column("end_reason", String(8)),  # REC
    *interval_columns(),
    interval_index("stability_care_periods"),
)

adoption_placements = Table(
    "stability_adoption_placements",
    metadata,
    stream_column(),
    Column("la_child_id", String(64), nullable=False),
    Column("decision_id", String(64), nullable=False),
    *interval_columns(),  # from PlacedForAdoption to the adoption order, reversal or end of care
    interval_index("stability_adoption_placements"),
)

disruption_meetings = Table(
    "stability_disruption_meetings",
    metadata,
    stream_column(),
    Column("la_child_id", String(64), nullable=False),
    Column("meeting_id", String(64), nullable=False),
    Column("placement_id", String(64), nullable=False),
    Column("held_on", Date, nullable=False, index=True),
    Column("short_break", Boolean, nullable=False),
)


# --- the fold ---------------------------------------------------------------------------


def _period_of(periods: list[tuple[str, Span]], start: datetime) -> tuple[str, Span] | None:
    """The period of care a placement starting at `start` belongs to: the latest one
    begun by then."""
    found = None
    for key, span in periods:
        if span.start <= start:
            found = (key, span)
    return found


def _same_carers(stay: dict[str, Any], carer: str | None) -> bool:
    """Whether a placement that follows on the same day continues the stay: the same carer
    household where both are known; where neither is (a children's home, say), when the
    last placement ended with a change of placement status only."""
    if carer is not None and stay["carer"] is not None:
        return bool(carer == stay["carer"])
    return carer is None and stay["carer"] is None and stay["reason"] == STATUS_ONLY


def _placement_rows(
    la_child_id: str, periods: list[tuple[str, Span]], placed: dict[str, Span]
) -> list[dict[str, Any]]:
    order = {key: i for i, key in enumerate(placed)}
    ordered = sorted(placed.items(), key=lambda kv: (kv[1].start, order[kv[0]]))
    rows: list[dict[str, Any]] = []
    last_period: str | None = None
    stay: dict[str, Any] | None = None  # the stay in progress: id, from, carer, end reason
    last_end: date | None = None
    for key, span in ordered:
        found = _period_of(periods, span.start)
        period_id = found[0] if found else None
        short_break = bool(found and found[1].kind in SHORT_BREAKS)
        if period_id != last_period:
            stay, last_end, last_period = None, None, period_id
        start, end = day(span.start), day(span.end)
        carer = span.detail.get("carer_household_id")
        temporary = span.kind in TEMPORARY_PLACEMENTS
        move = False
        if not temporary:
            if stay is None:
                stay = {"id": key, "from": start, "carer": carer}
            elif last_end != start or not _same_carers(stay, carer):
                stay, move = {"id": key, "from": start, "carer": carer}, True
            stay["reason"] = span.detail.get("reason")
        rows.append(
            {
                "la_child_id": la_child_id,
                "placement_id": key,
                "period_id": period_id,
                "place": span.kind,
                "provider": span.detail.get("provider"),
                "carer_household_id": carer,
                "end_reason": span.detail.get("reason"),
                "unplanned": bool(span.detail.get("unplanned")),
                "short_break": short_break,
                "temporary": temporary,
                "stay_id": stay["id"] if stay else None,
                "stay_from": stay["from"] if stay else None,
                "move": move,
                "valid_from": start,
                "valid_to": end,
            }
        )
        last_end = end
    return rows


def _adoption_rows(
    history: StreamHistory, la_child_id: str, periods: list[tuple[str, Span]]
) -> list[dict[str, Any]]:
    child = history.child()
    rows = []
    for entry in history.entries:
        if not isinstance(entry.event, ev.PlacedForAdoption):
            continue
        decision = child.adoption_decisions.get(entry.event.decision_id)
        found = _period_of(periods, ev.as_datetime(entry.event.occurred_at))
        ends = [
            d
            for d in (day(decision.end) if decision else None, day(found[1].end) if found else None)
            if d is not None
        ]
        rows.append(
            {
                "la_child_id": la_child_id,
                "decision_id": entry.event.decision_id,
                "valid_from": entry.on,
                "valid_to": min(ends) if ends else None,
            }
        )
    return rows


def fold(history: StreamHistory) -> Rows:
    child = history.child()
    if not child.registered:
        return {}
    la_child_id = history.key
    order = {key: i for i, key in enumerate(child.periods_of_care)}
    periods = sorted(child.periods_of_care.items(), key=lambda kv: (kv[1].start, order[kv[0]]))
    placement_rows = _placement_rows(la_child_id, periods, child.placements)
    short = {r["placement_id"]: r["short_break"] for r in placement_rows}
    return {
        placements: placement_rows,
        care_periods: [
            {
                "la_child_id": la_child_id,
                "period_id": key,
                "legal_status": span.kind,
                "short_break": span.kind in SHORT_BREAKS,
                "end_reason": span.detail.get("reason"),
                "valid_from": day(span.start),
                "valid_to": day(span.end),
            }
            for key, span in periods
        ],
        adoption_placements: _adoption_rows(history, la_child_id, periods),
        disruption_meetings: [
            {
                "la_child_id": la_child_id,
                "meeting_id": key,
                "placement_id": span.detail["placement_id"],
                "held_on": day(span.start),
                "short_break": short.get(span.detail["placement_id"], False),
            }
            for key, span in child.disruption_meetings.items()
        ],
    }


PROJECTION = Projection(
    name="stability",
    tables=(placements, care_periods, adoption_placements, disruption_meetings),
    streams=frozenset({"child"}),
    fold=fold,
)


# --- the report -------------------------------------------------------------------------


@dataclass(frozen=True)
class StabilityThresholds:
    """The DfE measures' numbers (returns.md "Placement stability")."""

    many_placements: int = 3  # children with this many placements or more in the year
    long_term_under_age: int = 16  # long-term stability: children under this age at 31 March
    long_term_months_looked_after: int = 30  # looked after continuously this long (2.5 years)
    long_term_months_in_placement: int = 24  # in the same placement this long (2 years)


@dataclass(frozen=True)
class StabilityMeasure:
    key: str
    measure: str
    count: int
    out_of: int | None
    rate: float | None  # count / out_of: a share, or for per-child measures a number per child


@dataclass(frozen=True)
class PlacementCount:
    placements: str  # "1", "2", "3", "4+" ("0" when a child's only placements were temporary)
    children: int
    share: float  # of the children looked after during the year


@dataclass(frozen=True)
class UnplannedEnding:
    reason: str  # REASON_PLACE_CHANGE
    meaning: str
    unplanned_endings: int
    children: int
    followed_by_disruption_meeting: int


@dataclass(frozen=True)
class LongTermChild:
    la_child_id: str
    age_at_year_end: int
    looked_after_since: date
    placement_id: str | None
    with_carers_since: date | None
    placed_for_adoption: bool
    stable: bool


@dataclass(frozen=True)
class ChildStability:
    la_child_id: str
    looked_after_at_year_end: bool
    placements: int
    moves: int
    unplanned_endings: int
    disruption_meetings: int


def collection_year(on: date) -> int:
    """The collection year a date falls in (`2025` is 1 April 2025 – 31 March 2026)."""
    return on.year if on.month >= 4 else on.year - 1


def age_at_month_end(birth_month: date, month_end: date) -> int:
    """Exact age on the last day of a month, from the first of the birth month."""
    return month_end.year - birth_month.year - (birth_month.month > month_end.month)


def _in_year(table: Table, start: date, end: date) -> ColumnElement[bool]:
    """Rows of `table` in force on any day of [start, end], including one that ended on the
    first day (the child was there that morning)."""
    return and_(
        table.c.valid_from <= end, or_(table.c.valid_to.is_(None), table.c.valid_to >= start)
    )


def _share(count: int, out_of: int) -> float | None:
    return round(count / out_of, 4) if out_of else None


def stability(
    conn: Connection,
    *,
    settings: ReportSettings,
    year: int,
    thresholds: StabilityThresholds | None = None,
) -> Report:
    rules = thresholds or StabilityThresholds()
    start, end = date(year, 4, 1), date(year + 1, 3, 31)
    label = f"{year}-{str(year + 1)[-2:]}"
    p, c, a, d = placements, care_periods, adoption_placements, disruption_meetings

    names: dict[str, str] = {}
    born: dict[str, date | None] = {}
    periods_by_child: dict[str, list[tuple[date, date | None]]] = defaultdict(list)
    in_year: set[str] = set()
    at_end: set[str] = set()
    query = (
        select(
            c.c.stream_id,
            children.c.la_child_id,
            children.c.birth_month,
            c.c.valid_from,
            c.c.valid_to,
        )
        .join(children, children.c.stream_id == c.c.stream_id)
        .where(c.c.valid_from <= end, c.c.short_break.is_(False))
    )
    for stream, la_child_id, birth_month, valid_from, valid_to in conn.execute(query):
        names[stream], born[stream] = la_child_id, birth_month
        periods_by_child[stream].append((valid_from, valid_to))
        if valid_to is None or valid_to >= start:
            in_year.add(stream)
        if valid_to is None or valid_to > end:
            at_end.add(stream)

    stays: dict[str, set[str]] = defaultdict(set)
    moves: Counter[str] = Counter()
    unplanned: dict[str, list[tuple[str, str]]] = defaultdict(list)  # child -> (placement, reason)
    endings = 0
    current: dict[str, Any] = {}  # child -> their placement row on the last day of the year
    placed_query = select(p).where(_in_year(p, start, end), p.c.short_break.is_(False))
    for row in conn.execute(placed_query):
        if row.stay_id is not None:
            stays[row.stream_id].add(row.stay_id)
        if row.move and start <= row.valid_from <= end:
            moves[row.stream_id] += 1
        if row.valid_to is not None and start <= row.valid_to <= end and row.end_reason:
            endings += 1
            if row.unplanned:
                unplanned[row.stream_id].append((row.placement_id, row.end_reason))
        if row.valid_to is None or row.valid_to > end:
            current[row.stream_id] = row

    meetings_held: Counter[str] = Counter()
    met: set[tuple[str, str]] = set()  # (child, placement) with a disruption meeting
    held_query = select(d.c.stream_id, d.c.placement_id, d.c.held_on).where(
        d.c.held_on >= start, d.c.short_break.is_(False)
    )
    for stream, placement_id, held_on in conn.execute(held_query):
        met.add((stream, placement_id))
        if held_on <= end:
            meetings_held[stream] += 1

    adopting = {stream for (stream,) in conn.execute(select(a.c.stream_id).where(covering(a, end)))}

    child_rows = sorted(
        (
            ChildStability(
                la_child_id=names[s],
                looked_after_at_year_end=s in at_end,
                placements=len(stays[s]),
                moves=moves[s],
                unplanned_endings=len(unplanned[s]),
                disruption_meetings=meetings_held[s],
            )
            for s in in_year
        ),
        key=lambda r: (-r.placements, -r.moves, r.la_child_id),
    )

    distribution = _distribution(child_rows, rules.many_placements)
    many = sum(1 for s in at_end if len(stays[s]) >= rules.many_placements)
    long_term = _long_term(at_end, names, born, periods_by_child, current, adopting, end, rules)
    reasons = _unplanned_by_reason(unplanned, met)

    total_unplanned = sum(len(v) for v in unplanned.values())
    with_meeting = sum(1 for s, items in unplanned.items() for pid, _ in items if (s, pid) in met)
    stable = sum(r.stable for r in long_term)
    n_in, n_end = len(in_year), len(at_end)
    total_moves = sum(moves[s] for s in in_year)
    total_placements = sum(len(stays[s]) for s in in_year)
    held = sum(meetings_held.values())
    summary = [
        StabilityMeasure("looked_after", "Children looked after during the year", n_in, None, None),
        StabilityMeasure(
            "looked_after_at_year_end",
            f"Children looked after on {end:%d %B %Y}",
            n_end,
            None,
            None,
        ),
        StabilityMeasure(
            "placements",
            "Placements during the year (per child looked after)",
            total_placements,
            n_in,
            _share(total_placements, n_in),
        ),
        StabilityMeasure(
            "moves",
            "Placement moves during the year (per child looked after)",
            total_moves,
            n_in,
            _share(total_moves, n_in),
        ),
        StabilityMeasure(
            "many_placements",
            f"Children looked after on {end:%d %B %Y} with {rules.many_placements} or more "
            "placements during the year",
            many,
            n_end,
            _share(many, n_end),
        ),
        StabilityMeasure(
            "long_term",
            f"Long-term stability: under {rules.long_term_under_age}s looked after "
            f"{rules.long_term_months_looked_after / 12:g} years or more, in the same placement "
            f"{rules.long_term_months_in_placement / 12:g} years or more or placed for adoption",
            stable,
            len(long_term),
            _share(stable, len(long_term)),
        ),
        StabilityMeasure(
            "unplanned_endings",
            "Placement endings during the year that were unplanned (of all placement endings)",
            total_unplanned,
            endings,
            _share(total_unplanned, endings),
        ),
        StabilityMeasure(
            "unplanned_endings_with_meeting",
            "Unplanned endings during the year followed by a disruption meeting",
            with_meeting,
            total_unplanned,
            _share(with_meeting, total_unplanned),
        ),
        StabilityMeasure(
            "disruption_meetings", "Disruption meetings held during the year", held, None, None
        ),
    ]

    def pct(count: int, out_of: int) -> str:
        return f"{100 * count / out_of:.1f}%" if out_of else "n/a"

    headline = (
        f"{label}: {n_in} children looked after; "
        f"{total_moves / n_in if n_in else 0:.2f} moves per child; "
        f"{pct(many, n_end)} of the {n_end} looked after on {end.isoformat()} had "
        f"{rules.many_placements}+ placements; long-term stability {pct(stable, len(long_term))} "
        f"({stable} of {len(long_term)}); {total_unplanned} unplanned endings, "
        f"{held} disruption meetings held"
    )
    return Report(
        name="stability",
        title=f"Placement stability, {label} (1 April {year} to 31 March {year + 1})",
        headline=headline,
        parameters={"year": year, "year_start": start, "year_end": end},
        sections=[
            Section("summary", "Stability measures", summary),
            Section(
                "moves",
                "Children looked after during the year, by number of placements",
                distribution,
            ),
            Section("unplanned_endings", "Unplanned placement endings by reason", reasons),
            Section(
                "long_term",
                f"Long-term stability on {end.isoformat()}: children under "
                f"{rules.long_term_under_age} looked after since "
                f"{add_months(end, -rules.long_term_months_looked_after).isoformat()} or earlier",
                long_term,
            ),
            Section("children", "Each child looked after during the year", child_rows),
        ],
        definitions=DEFINITIONS,
    )


DEFINITIONS = (
    "Year: the statutory collection year, so 2025 means 1 April 2025 to 31 March 2026. "
    "Short-break care (a period of care under legal status V3 or V4) is left out of every "
    "stability measure.",
    "Children looked after during the year: children in care on at least one day of the year; "
    "at year end: still in care on 31 March.",
    "Placements during the year: the placements a child was in on at least one day of the "
    "year. A change of placement status only with the same carers (for example foster carers "
    "becoming long-term carers or adopters) continues the same placement, and temporary "
    "placements of a week or less (hospital, holiday, T0-T4) are not counted.",
    "Moves: placement changes that happened during the year (a child's first placement in a "
    "period of care is not a move); moves per child is moves divided by the children looked "
    "after during the year.",
    "3 or more placements (DfE measure): of the children looked after on 31 March, the share "
    "who had 3 or more placements during the year.",
    "Long-term stability (DfE measure): of the children under 16 on 31 March who had been "
    "looked after continuously for 2.5 years or more, the share who had lived with the same "
    "carers for 2 years or more, or were placed for adoption.",
    "Unplanned endings: placements that ended during the year and were recorded as unplanned, "
    "by the reason given (REASON_PLACE_CHANGE), out of all placement endings recorded with a "
    "reason; a placement closed only because the child's period of care ended is not counted.",
    "Disruption meetings: meetings held during the year to learn from a placement that ended "
    "unplanned; an unplanned ending counts as followed by one whenever it was held.",
)


def _distribution(rows: list[ChildStability], many: int) -> list[PlacementCount]:
    top = max(many + 1, 4)
    buckets: Counter[str] = Counter(
        f"{top}+" if r.placements >= top else str(r.placements) for r in rows
    )
    labels = [str(n) for n in range(1, top)] + [f"{top}+"]
    if buckets["0"]:
        labels.insert(0, "0")
    total = len(rows)
    return [PlacementCount(lab, buckets[lab], _share(buckets[lab], total) or 0.0) for lab in labels]


def _long_term(
    at_end: set[str],
    names: dict[str, str],
    born: dict[str, date | None],
    periods: dict[str, list[tuple[date, date | None]]],
    current: dict[str, Any],
    adopting: set[str],
    end: date,
    rules: StabilityThresholds,
) -> list[LongTermChild]:
    in_care_by = add_months(end, -rules.long_term_months_looked_after)
    placed_by = add_months(end, -rules.long_term_months_in_placement)
    rows = []
    for stream in at_end:
        birth_month = born[stream]
        if birth_month is None:
            continue
        age = age_at_month_end(birth_month, end)
        if age >= rules.long_term_under_age:
            continue
        since = _continuously_since(periods[stream], end)
        if since > in_care_by:
            continue
        row = current.get(stream)
        with_carers = row.stay_from if row is not None else None
        adopted = stream in adopting or (row is not None and row.place in ADOPTION_PLACEMENTS)
        rows.append(
            LongTermChild(
                la_child_id=names[stream],
                age_at_year_end=age,
                looked_after_since=since,
                placement_id=row.placement_id if row is not None else None,
                with_carers_since=with_carers,
                placed_for_adoption=adopted,
                stable=adopted or (with_carers is not None and with_carers <= placed_by),
            )
        )
    return sorted(rows, key=lambda r: (r.stable, r.la_child_id))


def _continuously_since(spans: list[tuple[date, date | None]], on: date) -> date:
    """The first day of the unbroken run of care that covers `on` (periods that end and
    begin on the same day join up)."""
    ordered = sorted(spans, key=lambda s: s[0], reverse=True)
    since = next(s for s, e in ordered if s <= on and (e is None or e > on))
    for s, e in ordered:
        if s < since and e is not None and e >= since:
            since = s
    return since


def _unplanned_by_reason(
    unplanned: dict[str, list[tuple[str, str]]], met: set[tuple[str, str]]
) -> list[UnplannedEnding]:
    counts: Counter[str] = Counter()
    kids: dict[str, set[str]] = defaultdict(set)
    followed: Counter[str] = Counter()
    for stream, items in unplanned.items():
        for placement_id, reason in items:
            counts[reason] += 1
            kids[reason].add(stream)
            followed[reason] += (stream, placement_id) in met
    return [
        UnplannedEnding(
            reason, meaning("REASON_PLACE_CHANGE", reason), n, len(kids[reason]), followed[reason]
        )
        for reason, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
