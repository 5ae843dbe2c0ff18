"""Cases: who each child is (without names), what kind of case is open on any date, who is
allocated, and when an open case had no lead worker.

The rows come from the child aggregate's own fold (`Child.apply` over the effective
events), so the read side and the ledger's rules see the same referrals, plans, periods of
care and allocations.

The kind of case on a date is the most intensive thing open: an adoption decision being
carried out, then a period of care, a child protection plan, a care leaver (a young person
who left care eligible for leaving-care support, until 21 or while an adviser is
allocated, unless the case closes), and last a child in need episode (an open referral).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Column, Date, String, Table

from journey import events as ev
from journey.child import Child, Span
from projections.history import StreamHistory
from projections.intervals import day, interval_columns, interval_index, partition, within
from projections.projection import Projection, Rows
from projections.schema import metadata, stream_column

CASE_KINDS = ("adoption", "looked_after", "child_protection", "care_leaver", "child_in_need")
SHORT_BREAKS = frozenset({"V3", "V4"})  # short-break care: reported, kept out of most measures
ELIGIBLE_DAYS_SINCE_14 = 91  # 13 weeks looked after since the 14th birthday (LCA 2000)

children = Table(
    "children",
    metadata,
    stream_column(),
    Column("la_child_id", String(64), nullable=False, unique=True),
    Column("sex", String(1)),
    Column("birth_month", Date),  # first of the month: ages at a month's end are exact
    Column("ethnicity", String(8)),
    Column("disabled", Boolean, nullable=False),
    Column("uasc", Boolean, nullable=False),
    Column("registered_on", Date, nullable=False),
    Column("died_on", Date),
)

# Children erased (`journey erase`): their rows elsewhere keep what is not personal.
erased_children = Table(
    "erased_children",
    metadata,
    stream_column(),
    Column("la_child_id", String(64), nullable=False, unique=True),
    Column("erased_on", Date, nullable=False),
)

case_intervals = Table(
    "case_intervals",
    metadata,
    stream_column(),
    Column("la_child_id", String(64), nullable=False),
    Column("kind", String(20), nullable=False),
    *interval_columns(),
    interval_index("case_intervals"),
)

allocations = Table(
    "allocations",
    metadata,
    stream_column(),
    Column("la_child_id", String(64), nullable=False),
    Column("allocation_id", String(64), nullable=False),
    Column("worker_id", String(64), nullable=False, index=True),
    Column("role", String(32), nullable=False),
    Column("team_id", String(64), nullable=False),
    Column("reason", String(8)),
    Column("exceptional", Boolean, nullable=False),
    Column("scrutiny", Boolean, nullable=False),
    Column("transferred_from_team_id", String(64)),
    *interval_columns(),
    interval_index("allocations"),
)

unallocated = Table(
    "unallocated_intervals",
    metadata,
    stream_column(),
    Column("la_child_id", String(64), nullable=False),
    Column("case_kind", String(20), nullable=False),
    *interval_columns(),
    interval_index("unallocated_intervals"),
)

Spans = list[tuple[date, date | None]]


def spans_of(spans: dict[str, Span]) -> Spans:
    return [(day(s.start), day(s.end)) for s in spans.values()]  # type: ignore[misc]


def care_spans(child: Child) -> Spans:
    """Periods of care, short breaks left out."""
    return [
        (day(s.start), day(s.end))  # type: ignore[misc]
        for s in child.periods_of_care.values()
        if s.kind not in SHORT_BREAKS
    ]


def birthday(born: date, years: int) -> date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29 February
        return date(born.year + years, 3, 1)


def eligible_leaving(child: Child) -> list[date]:
    """The dates on which the child left care as an eligible child (Children (Leaving
    Care) Act 2000: looked after at least 13 weeks since 14, some of it after 16)."""
    born = child.date_of_birth
    if born is None:
        return []
    fourteen, sixteen = birthday(born, 14), birthday(born, 16)
    left = []
    days_since_14 = 0
    for start, end in sorted(care_spans(child)):
        if end is None:
            continue
        days_since_14 += max(0, (end - max(start, fourteen)).days)
        if end > sixteen and days_since_14 >= ELIGIBLE_DAYS_SINCE_14:
            left.append(end)
    return left


def care_leaver_spans(child: Child, leaving: list[date], advisers: Spans) -> Spans:
    """From leaving care as an eligible child until support ends: while a personal adviser
    is allocated, and at least to the 21st birthday (the leaving care duties), unless the
    case is closed first. A care leaver with no adviser is then an unallocated case."""
    born = child.date_of_birth
    closed = day(child.case_closed.start) if child.case_closed is not None else None
    spans: Spans = []
    for left in leaving:
        later = [end for start, end in advisers if end is None or end > left]
        end: date | None = None
        if None not in later and born is not None:
            end = max([birthday(born, 21), *(e for e in later if e is not None)])
        if closed is not None and closed >= left:
            end = closed if end is None else min(end, closed)
        spans.append((left, end))
    return spans


def case_pieces(child: Child) -> list[tuple[str, date, date | None]]:
    adoption = spans_of(child.adoption_decisions)
    care = care_spans(child)
    cp = spans_of(child.cp_plans)
    cin = spans_of(child.referrals)
    leaving = eligible_leaving(child)
    advisers = [
        (day(a.start), day(a.end))
        for a in child.allocations.values()
        if a.kind == "personal_adviser"
    ]
    care_leaver = care_leaver_spans(child, leaving, advisers)  # type: ignore[arg-type]

    def label(on: date) -> str | None:
        if within(adoption, on) and within(care, on):
            return "adoption"
        if within(care, on):
            return "looked_after"
        if within(cp, on):
            return "child_protection"
        if within(care_leaver, on):  # type: ignore[arg-type]
            return "care_leaver"
        if within(cin, on):
            return "child_in_need"
        return None

    spans: Spans = [*adoption, *care, *cp, *cin, *care_leaver]  # type: ignore[list-item]
    bounds = [p for start, end in spans for p in (start, end) if p is not None]
    return partition(bounds, label)


def unallocated_pieces(
    child: Child, pieces: list[tuple[str, date, date | None]]
) -> list[tuple[str, date, date | None]]:
    """Parts of open cases with no lead worker: a social worker, or for a care leaver a
    personal adviser (or a social worker)."""
    leads = {
        role: [(day(a.start), day(a.end)) for a in child.allocations.values() if a.kind == role]
        for role in ("social_worker", "personal_adviser")
    }

    def label(on: date) -> str | None:
        for kind, start, end in pieces:
            if start <= on and (end is None or on < end):
                roles = (
                    ("social_worker", "personal_adviser")
                    if kind == "care_leaver"
                    else ("social_worker",)
                )
                if any(within(leads[r], on) for r in roles):  # type: ignore[arg-type]
                    return None
                return kind
        return None

    bounds = {p for _, start, end in pieces for p in (start, end) if p is not None}
    bounds |= {p for spans in leads.values() for s, e in spans for p in (s, e) if p is not None}
    return partition(bounds, label)


def fold(history: StreamHistory) -> Rows:
    child = history.child()
    if not child.registered:
        return {}
    la_child_id = history.key
    transfers = {
        e.event.allocation_id: e.event.from_team_id
        for e in history.entries
        if isinstance(e.event, ev.CaseTransferred)
    }
    registered_on = next(e.on for e in history.entries if isinstance(e.event, ev.ChildRegistered))
    born = child.date_of_birth or child.expected_date_of_birth
    pieces = case_pieces(child)
    return {
        children: [
            {
                "la_child_id": la_child_id,
                "sex": child.sex,
                "birth_month": born.replace(day=1) if born else None,
                "ethnicity": child.ethnicity,
                "disabled": any(d != "NONE" for d in child.disabilities),
                "uasc": child.uasc,
                "registered_on": registered_on,
                "died_on": day(child.died_on),
            }
        ],
        erased_children: (
            [{"la_child_id": la_child_id, "erased_on": day(child.erased_on)}]
            if child.erased_on is not None
            else []
        ),
        case_intervals: [
            {"la_child_id": la_child_id, "kind": kind, "valid_from": start, "valid_to": end}
            for kind, start, end in pieces
        ],
        allocations: [
            {
                "la_child_id": la_child_id,
                "allocation_id": key,
                "worker_id": span.detail["worker_id"],
                "role": span.kind,
                "team_id": span.detail["team_id"],
                "reason": span.detail["reason"],
                "exceptional": bool(span.detail["exceptional"]),
                "scrutiny": bool(span.detail["scrutiny"]),
                "transferred_from_team_id": transfers.get(key),
                "valid_from": day(span.start),
                "valid_to": day(span.end),
            }
            for key, span in child.allocations.items()
        ],
        unallocated: [
            {"la_child_id": la_child_id, "case_kind": kind, "valid_from": start, "valid_to": end}
            for kind, start, end in unallocated_pieces(child, pieces)
        ],
    }


PROJECTION = Projection(
    name="cases",
    tables=(children, erased_children, case_intervals, allocations, unallocated),
    streams=frozenset({"child"}),
    fold=fold,
)
