"""Timeliness: every statutory timescale in returns.md "Timescales", as obligations with a
due date, and whether each was met, late, or is overdue on any date.

The fold turns one child's history into obligations: what is due (an assessment, a
conference, a review, a visit, a contact, a placement for adoption), for which item (the
referral, enquiry, plan, period of care, placement...), from when, by when, when it was
done, and when it stopped applying if it never was. Who was responsible is the lead
worker allocated on the day it was done or fell due. Its status on a date D is worked out
when the report is asked for, so one table answers every "as at" date:

- met: done on or before the due date;
- late: done after the due date;
- overdue: not done by D and the due date has passed. An obligation that stopped
  applying (the case closed, the plan or period of care ended) after its due date without
  being done stays overdue: a breach stays visible after the case closes;
- lapsed: it stopped applying on or before its due date, not done. Not a breach;
- not yet due: not done, due on or after D.

Recurring obligations (reviews, visits, contacts) fall due the interval after the last
one was done; a missed one stays ONE overdue obligation until it is done (the next is
counted from when it finally was), so a long gap is one breach, not one per interval.

The timescales are a named, versioned setting (`Timescales`); the projection is folded
with one of them (`projection(timescales)`; `PROJECTION` uses `TIMESCALES`).

Not measured, because nothing in the event catalogue records them: Personal Education
Plan reviews (returns.md: three times a year).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Date,
    Index,
    Integer,
    String,
    Table,
    and_,
    case,
    func,
    or_,
    select,
)

from journey import events as ev
from journey.child import Child, Span
from journey.dates import add_months
from journey.working_days import add_working_days
from projections.cases import SHORT_BREAKS, eligible_leaving
from projections.history import Entry, StreamHistory
from projections.intervals import day
from projections.projection import Projection, Rows
from projections.report import Report, Section
from projections.schema import metadata, stream_column
from projections.settings import ReportSettings
from projections.workforce import TeamsAsAt

# --- the timescales: a named, versioned setting -----------------------------------------


@dataclass(frozen=True)
class Timescales:
    """Statutory timescales (returns.md "Timescales"). A council that works to its own
    (seed 001 quotes a local 40 working days for assessments) names a new version."""

    version: str = "Working Together 2023 + Care Planning Regulations 2010"
    assessment_working_days: int = 45  # from the referral
    icpc_working_days: int = 15  # from the strategy discussion that started the s47
    cp_first_review_months: int = 3  # from the initial conference
    cp_review_months: int = 6
    la_first_review_working_days: int = 20  # from becoming looked after
    la_second_review_months: int = 3
    la_review_months: int = 6
    visit_first_days: int = 7  # from the start of a placement
    visit_days: int = 42  # 6 weeks
    visit_first_year_months: int = 12
    visit_long_term_months: int = 3  # after the first year of a long-term placement
    # SSDA903 placement types that say the placement is long term: the child's home
    # until they are 18 (U1 kinship foster care - long term, U4 other foster care - long term)
    long_term_placements: frozenset[str] = frozenset({"U1", "U4"})
    pathway_review_months: int = 6
    pa_contact_days: int = 56  # 8 weeks
    adoption_placed_months: int = 12  # from the decision that the child should be placed
    post_order_visit_days: int = 42  # 6 weeks after an adoption placement, SGO or CAO
    post_order_call_months: tuple[int, ...] = (6, 12, 18, 24, 30, 36)


TIMESCALES = Timescales()

SOCIAL_WORKER, PERSONAL_ADVISER = "social_worker", "personal_adviser"


@dataclass(frozen=True)
class Measure:
    name: str
    title: str
    lead_role: str  # whose allocation makes a worker responsible
    describe: Callable[[Timescales], str]


MEASURES: tuple[Measure, ...] = (
    Measure(
        "assessment",
        "Assessment authorised",
        SOCIAL_WORKER,
        lambda t: (
            f"An assessment is authorised within {t.assessment_working_days} working "
            "days of the referral (a further assessment in the same referral: of its own start). "
            "Working days leave out weekends and England's bank holidays."
        ),
    ),
    Measure(
        "icpc",
        "Initial child protection conference",
        SOCIAL_WORKER,
        lambda t: (
            f"The initial child protection conference is held within "
            f"{t.icpc_working_days} working days of the strategy discussion that started the "
            "section 47 enquiry; an enquiry that concluded no conference was needed is not "
            "counted."
        ),
    ),
    Measure(
        "cp_review",
        "Child protection review conference",
        SOCIAL_WORKER,
        lambda t: (
            f"A child protection plan is reviewed at a conference within "
            f"{t.cp_first_review_months} months of the initial conference, then within "
            f"{t.cp_review_months} months of each review, for as long as the plan lasts."
        ),
    ),
    Measure(
        "la_review",
        "Looked-after review",
        SOCIAL_WORKER,
        lambda t: (
            f"A looked-after child's first review is held within "
            f"{t.la_first_review_working_days} working days of becoming looked after, the "
            f"second within {t.la_second_review_months} months of the first, then within "
            f"{t.la_review_months} months of each review (short-break care is not counted)."
        ),
    ),
    Measure(
        "la_visit",
        "Social worker visit to a looked-after child",
        SOCIAL_WORKER,
        lambda t: (
            f"A social worker visits a looked-after child within {t.visit_first_days} "
            f"days of each placement starting, then within {t.visit_days // 7} weeks of each "
            f"visit; after the first year of a long-term placement (placement type "
            f"{' or '.join(sorted(t.long_term_placements))}) within "
            f"{t.visit_long_term_months} months of each visit."
        ),
    ),
    Measure(
        "pathway_review",
        "Pathway plan review",
        PERSONAL_ADVISER,
        lambda t: (
            f"A young person with a personal adviser has their pathway plan reviewed "
            f"within {t.pathway_review_months} months of the adviser's allocation, then within "
            f"{t.pathway_review_months} months of each review."
        ),
    ),
    Measure(
        "pa_contact",
        "Personal adviser contact with a care leaver",
        PERSONAL_ADVISER,
        lambda t: (
            f"A young person who left care as an eligible child is in touch with their "
            f"personal adviser within {t.pa_contact_days // 7} weeks of leaving care (or of the "
            f"adviser's allocation, if later), then within {t.pa_contact_days // 7} weeks of each "
            "contact. A contact recorded as 'not in touch' does not count; one recording that "
            "the council is no longer required to be in touch ends the obligation."
        ),
    ),
    Measure(
        "adoption_placed",
        "Placed for adoption",
        SOCIAL_WORKER,
        lambda t: (
            f"A child is placed for adoption within {t.adoption_placed_months} months "
            "of the decision that they should be placed for adoption; a decision reversed before "
            "then is not counted."
        ),
    ),
    Measure(
        "post_order_visit",
        "Post-order support visit",
        SOCIAL_WORKER,
        lambda t: (
            f"A post-order support visit is made within {t.post_order_visit_days // 7} "
            "weeks of a placement for adoption, a special guardianship order or a child "
            "arrangements order. It applies after the case has closed."
        ),
    ),
    Measure(
        "post_order_call",
        "Post-order support call",
        SOCIAL_WORKER,
        lambda t: (
            "Post-order support calls are made "
            f"{', '.join(str(m) for m in t.post_order_call_months)} months after a placement for "
            "adoption, a special guardianship order or a child arrangements order; the first "
            "call made counts for the first call due, the second for the second, and so on."
        ),
    ),
)
MEASURE_BY_NAME = {m.name: m for m in MEASURES}


# --- the table --------------------------------------------------------------------------

obligations = Table(
    "timeliness_obligations",
    metadata,
    stream_column(),
    Column("la_child_id", String(64), nullable=False),
    Column("measure", String(32), nullable=False),
    Column("item_id", String(64), nullable=False),  # the referral, plan, placement... id
    Column("seq", Integer, nullable=False),  # 1st, 2nd... of a recurring obligation
    Column("started_on", Date, nullable=False),  # when the clock started
    Column("due_on", Date, nullable=False),
    Column("done_on", Date),
    Column("closed_on", Date),  # stopped applying without being done
    # from `settled_on` (done, or stopped applying) the status is `final` on every later
    # date: met, late, lapsed or overdue; both are None while it is open
    Column("settled_on", Date),
    Column("final", String(8)),
    Column("worker_id", String(64)),  # lead worker when it was done or fell due
    Column("team_id", String(64)),
    Index(  # covers the report's tally: one scan in group order
        "timeliness_obligations_tally",
        "measure",
        "team_id",
        "worker_id",
        "started_on",
        "settled_on",
        "final",
        "due_on",
    ),
    Index("timeliness_obligations_final", "final", "due_on"),
)


# --- dates ------------------------------------------------------------------------------


def _earliest(*days: date | None) -> date | None:
    known = [d for d in days if d is not None]
    return min(known) if known else None


# --- what the history says, in one pass over the effective events -----------------------


@dataclass
class _Facts:
    authorised: dict[str, date]  # assessment -> authorised on
    no_conference: set[str]  # enquiries that concluded no conference was needed
    icpcs: dict[str, list[date]]  # enquiry -> initial conferences
    plan_conference: dict[str, str]  # child protection plan -> its initial conference
    cp_reviews: dict[str, list[date]]  # child protection plan -> review conferences
    visits: list[date]  # social worker visits
    pathway_reviews: list[date]
    pa_contacts: list[date]
    pa_not_required: list[date]  # the council is no longer required to be in touch
    placed: dict[str, date]  # adoption decision -> placed for adoption
    post_order_visits: list[date]
    post_order_calls: list[date]


def _visit(f: _Facts, e: ev.StatutoryVisitMade, entry: Entry) -> None:
    if e.visit_kind == "social_worker_visit":
        f.visits.append(entry.on)


def _s47_completed(f: _Facts, e: ev.Section47EnquiryCompleted, entry: Entry) -> None:
    if not e.conference_needed:
        f.no_conference.add(e.enquiry_id)


def _care_leaver_contact(f: _Facts, e: ev.CareLeaverContactRecorded, entry: Entry) -> None:
    if e.in_touch in ("NREQ", "DIED"):
        f.pa_not_required.append(entry.on)
    elif e.in_touch != "NO":
        f.pa_contacts.append(entry.on)


def _support(f: _Facts, e: ev.SupportContactRecorded, entry: Entry) -> None:
    if e.kind == "personal_adviser_contact":
        f.pa_contacts.append(entry.on)
    elif e.kind == "post_order_support_visit":
        f.post_order_visits.append(entry.on)
    elif e.kind == "post_order_support_call":
        f.post_order_calls.append(entry.on)


# what each kind of event adds to the facts (the business date is worked out only if used)
_FACTS: dict[type[ev.Event], Callable[[_Facts, Any, Entry], object]] = {
    ev.StatutoryVisitMade: _visit,
    ev.AssessmentCompleted: lambda f, e, entry: f.authorised.__setitem__(
        e.assessment_id, e.authorised_on
    ),
    ev.Section47EnquiryCompleted: _s47_completed,
    ev.InitialChildProtectionConferenceHeld: lambda f, e, entry: f.icpcs[e.enquiry_id].append(
        entry.on
    ),
    ev.ChildProtectionPlanStarted: lambda f, e, entry: f.plan_conference.__setitem__(
        e.plan_id, e.conference_id
    ),
    ev.ChildProtectionReviewHeld: lambda f, e, entry: f.cp_reviews[e.plan_id].append(entry.on),
    ev.PathwayPlanReviewed: lambda f, e, entry: f.pathway_reviews.append(entry.on),
    ev.CareLeaverContactRecorded: _care_leaver_contact,
    ev.SupportContactRecorded: _support,
    ev.PlacedForAdoption: lambda f, e, entry: f.placed.setdefault(e.decision_id, entry.on),
}


def _facts(history: StreamHistory) -> _Facts:
    f = _Facts({}, set(), defaultdict(list), {}, defaultdict(list), [], [], [], [], {}, [], [])
    for entry in history.entries:
        gather = _FACTS.get(type(entry.event))
        if gather is not None:
            gather(f, entry.event, entry)
    return f


# --- building obligations ---------------------------------------------------------------

# (seq, started_on, due_on, done_on, closed_on)
Obligation = tuple[int, date, date, date | None, date | None]


def _once(start: date, due: date, done: date | None, end: date | None) -> list[Obligation]:
    return [(1, start, due, done, None if done is not None else end)]


def _series(
    done: Iterable[date],
    start: date,
    first_due: date,
    end: date | None,
    next_due: Callable[[date, int], date],
) -> Iterator[Obligation]:
    """A recurring obligation from `start` until `end`: each is done by the first distinct
    date after the one before (on or after `start` for the first), and the next falls due
    `next_due(done, seq)`; the last, never done, stops applying at `end`."""
    anchor, due, seq = start, first_due, 1
    for when in sorted({d for d in done if d >= start and (end is None or d <= end)}):
        yield seq, anchor, due, when, None
        anchor, due, seq = when, next_due(when, seq), seq + 1
    if end is None or anchor < end:
        yield seq, anchor, due, None, end


def _merged(spans: Iterable[tuple[date, date | None]]) -> list[tuple[date, date | None]]:
    """Spans merged where they meet or overlap (an end of None is open)."""
    merged: list[tuple[date, date | None]] = []
    for start, end in sorted(spans, key=lambda s: s[0]):
        if merged and (merged[-1][1] is None or start <= merged[-1][1]):
            last_start, last_end = merged[-1]
            longer = None if end is None or last_end is None else max(end, last_end)
            merged[-1] = (last_start, longer)
        else:
            merged.append((start, end))
    return merged


def _dates(span: Span) -> tuple[date, date | None]:
    return day(span.start), day(span.end)  # type: ignore[return-value]


def _covering_end(spans: dict[str, Span], on: date) -> date | None:
    """The end of the latest span that had started by `on` and not ended before it."""
    started = [
        s
        for s in spans.values()
        if day(s.start) <= on and (s.end is None or day(s.end) >= on)  # type: ignore[operator]
    ]
    best = max(started, key=lambda s: s.start, default=None)
    return day(best.end) if best is not None else None


def _obligations(child: Child, f: _Facts, t: Timescales) -> Iterator[tuple[str, str, Obligation]]:
    """(measure, item id, obligation) for every timescale the history sets running."""
    died = day(child.died_on)

    def until(end: date | None) -> date | None:
        return _earliest(end, died)

    # assessments: one per referral from the referral date; a further assessment started
    # after the referral's first was authorised runs from its own start
    by_referral: dict[str, list[tuple[date, str]]] = defaultdict(list)
    for assessment_id, span in child.assessments.items():
        by_referral[span.detail["referral_id"]].append((day(span.start), assessment_id))  # type: ignore[arg-type]
    for referral_id, referral in child.referrals.items():
        start, end = day(referral.start), until(day(referral.end))
        assert start is not None
        assessments = sorted(by_referral.get(referral_id, []))
        first = _earliest(*(f.authorised.get(a) for _, a in assessments))
        due = add_working_days(start, t.assessment_working_days)
        for o in _once(start, due, first, end):
            yield "assessment", referral_id, o
        for begun, assessment_id in assessments:
            if first is not None and begun > first:
                done = f.authorised.get(assessment_id)
                due = add_working_days(begun, t.assessment_working_days)
                for o in _once(begun, due, done, end):
                    yield "assessment", assessment_id, o

    # initial conferences: from the strategy discussion that started the enquiry
    for enquiry_id, enquiry in child.enquiries.items():
        held = f.icpcs.get(enquiry_id, [])
        if enquiry_id in f.no_conference and not held:
            continue
        strategy = child.strategy_discussions.get(enquiry.detail["strategy_id"])
        start = day((strategy or enquiry).start)
        assert start is not None
        end = until(_covering_end(child.referrals, start))
        due = add_working_days(start, t.icpc_working_days)
        for o in _once(start, due, min(held, default=None), end):
            yield "icpc", enquiry_id, o

    # child protection reviews: 3 months from the initial conference, then 6-monthly
    for plan_id, plan in child.cp_plans.items():
        conference = child.conferences.get(f.plan_conference.get(plan_id, ""))
        start = day((conference or plan).start)
        assert start is not None
        for o in _series(
            f.cp_reviews.get(plan_id, []),
            start,
            add_months(start, t.cp_first_review_months),
            until(day(plan.end)),
            lambda d, n: add_months(d, t.cp_review_months),
        ):
            yield "cp_review", plan_id, o

    # looked-after reviews and visits
    reviews = [day(r.start) for r in child.reviews.values()]
    short_break_spans = [
        (day(p.start), day(p.end)) for p in child.periods_of_care.values() if p.kind in SHORT_BREAKS
    ]
    for period_id, period in child.periods_of_care.items():
        if period.kind in SHORT_BREAKS:
            continue
        start = day(period.start)
        assert start is not None
        for o in _series(
            reviews,  # type: ignore[arg-type]
            start,
            add_working_days(start, t.la_first_review_working_days),
            until(day(period.end)),
            lambda d, n: add_months(d, t.la_second_review_months if n == 1 else t.la_review_months),
        ):
            yield "la_review", period_id, o
    for placement_id, placement in child.placements.items():
        start = day(placement.start)
        assert start is not None
        if any(s <= start and (e is None or start < e) for s, e in short_break_spans):  # type: ignore[operator]
            continue
        long_term = placement.kind in t.long_term_placements
        settled = add_months(start, t.visit_first_year_months)

        def next_visit(
            d: date, n: int, long_term: bool = long_term, settled: date = settled
        ) -> date:
            if long_term and d >= settled:
                return add_months(d, t.visit_long_term_months)
            return d + timedelta(days=t.visit_days)

        for o in _series(
            f.visits,
            start,
            start + timedelta(days=t.visit_first_days),
            until(day(placement.end)),
            next_visit,
        ):
            yield "la_visit", placement_id, o

    # leaving care: pathway plans while a personal adviser is allocated; adviser contact
    # once the young person has left care as an eligible child
    advisers = [_dates(a) for a in child.allocations.values() if a.kind == PERSONAL_ADVISER]
    for start, end in _merged(advisers):
        for o in _series(
            f.pathway_reviews,
            start,
            add_months(start, t.pathway_review_months),
            until(end),
            lambda d, n: add_months(d, t.pathway_review_months),
        ):
            yield "pathway_review", f"PA-{start.isoformat()}", o
    if advisers:
        leaving = [
            (max(left, start), end)
            for left in eligible_leaving(child)
            for start, end in advisers
            if end is None or end > left
        ]
        for start, end in _merged(leaving):
            stop = min((d for d in f.pa_not_required if d >= start), default=None)
            for o in _series(
                f.pa_contacts,
                start,
                start + timedelta(days=t.pa_contact_days),
                until(_earliest(end, stop)),
                lambda d, n: d + timedelta(days=t.pa_contact_days),
            ):
                yield "pa_contact", f"CL-{start.isoformat()}", o

    # adoption: placed within 12 months of the decision; post-order support
    triggers: list[tuple[date, str, date | None]] = []
    for decision_id, decision in child.adoption_decisions.items():
        start = day(decision.start)
        assert start is not None
        placed = f.placed.get(decision_id)
        due = add_months(start, t.adoption_placed_months)
        for o in _once(start, due, placed, until(day(decision.end))):
            yield "adoption_placed", decision_id, o
        if placed is not None:
            reversed_on = (
                day(decision.end) if decision.detail.get("outcome") == "reversed" else None
            )
            triggers.append((placed, decision_id, reversed_on))
    for order_id, order in child.orders.items():
        if order.kind in ("special_guardianship", "child_arrangements"):
            triggers.append((day(order.start), order_id, None))  # type: ignore[arg-type]
    triggers.sort()
    visits = sorted(f.post_order_visits)
    calls = sorted(f.post_order_calls)
    used = 0
    for n, (start, item_id, reversed_on) in enumerate(triggers):
        end = until(reversed_on)
        i = max(used, bisect_left(visits, start))
        visit = visits[i] if i < len(visits) else None
        used = i + 1 if visit is not None else used
        due = start + timedelta(days=t.post_order_visit_days)
        for o in _once(start, due, visit, end):
            yield "post_order_visit", item_id, o
        following = triggers[n + 1][0] if n + 1 < len(triggers) else None
        made = [c for c in calls if c >= start and (following is None or c < following)]
        for k, months in enumerate(t.post_order_call_months):
            done = made[k] if k < len(made) else None
            yield (
                "post_order_call",
                item_id,
                (k + 1, start, add_months(start, months), done, None if done else end),
            )


# --- who was responsible ----------------------------------------------------------------


Lead = tuple[date, date | None, str, str]  # start, end, worker, team


def _lead_on(allocations: list[Lead], on: date) -> Lead | None:
    """The allocation open on `on`; failing that, one that ended that day."""
    open_then = [a for a in allocations if a[0] <= on and (a[1] is None or a[1] > on)]
    if not open_then:
        open_then = [a for a in allocations if a[0] <= on and a[1] == on]
    return max(open_then, key=lambda a: a[0], default=None)


def projection(timescales: Timescales = TIMESCALES) -> Projection:
    """The timeliness projection folded with the given timescales."""

    def fold(history: StreamHistory) -> Rows:
        if history.stream != "child":
            return {}
        child = history.child()
        if not child.registered:
            return {}
        la_child_id = history.key
        leads: dict[str, list[Lead]] = {SOCIAL_WORKER: [], PERSONAL_ADVISER: []}
        for a in child.allocations.values():
            if a.kind in leads:
                start, end = _dates(a)
                leads[a.kind].append((start, end, a.detail["worker_id"], a.detail["team_id"]))
        rows = []
        for measure, item_id, (seq, start, due, done, closed) in _obligations(
            child, _facts(history), timescales
        ):
            responsible = min(done, due) if done is not None else due
            lead = _lead_on(leads[MEASURE_BY_NAME[measure].lead_role], responsible)
            settled = done or closed
            if done is not None:
                final: str | None = "met" if done <= due else "late"
            elif closed is not None:
                final = "lapsed" if closed <= due else "overdue"
            else:
                final = None
            rows.append(
                {
                    "la_child_id": la_child_id,
                    "measure": measure,
                    "item_id": item_id,
                    "seq": seq,
                    "started_on": start,
                    "due_on": due,
                    "done_on": done,
                    "closed_on": closed,
                    "settled_on": settled,
                    "final": final,
                    "worker_id": lead[2] if lead else None,
                    "team_id": lead[3] if lead else None,
                }
            )
        return {obligations: rows}

    return Projection(
        name="timeliness", tables=(obligations,), streams=frozenset({"child"}), fold=fold
    )


PROJECTION = projection(TIMESCALES)


# --- the report -------------------------------------------------------------------------

UNALLOCATED = "no lead worker"
ALL = "all"  # every measure together, in the team and worker totals


@dataclass(frozen=True)
class MeasureTimeliness:
    measure: str
    title: str
    due: int  # met + late + overdue
    met: int
    late: int
    overdue: int
    on_time_pct: float | None
    not_yet_due: int
    lapsed: int


@dataclass(frozen=True)
class TeamTimeliness:
    team_id: str | None
    team: str
    measure: str
    due: int
    met: int
    late: int
    overdue: int
    on_time_pct: float | None


@dataclass(frozen=True)
class WorkerTimeliness:
    worker_id: str | None
    team_id: str | None
    team: str
    measure: str
    due: int
    met: int
    late: int
    overdue: int
    on_time_pct: float | None


@dataclass(frozen=True)
class Breach:
    la_child_id: str
    measure: str
    item_id: str
    seq: int
    status: str  # late or overdue
    started_on: date
    due_on: date
    done_on: date | None
    closed_on: date | None  # stopped applying (case or plan ended) without being done
    days_late: int  # done (or the report date, or when it stopped applying) less due
    worker_id: str | None
    team_id: str | None
    team: str


def status_on(as_at: date) -> ColumnElement[str]:
    """An obligation's status on `as_at`, in SQL."""
    o = obligations.c
    return case(
        (o.settled_on <= as_at, o.final),
        (o.due_on < as_at, "overdue"),
        else_="not_yet_due",
    )


def breach_by(as_at: date) -> ColumnElement[bool]:
    """Obligations late or overdue on `as_at`: due before it and, as finally known, not
    met and not lapsed (one that was met or lapsed is never overdue before it settled)."""
    o = obligations.c
    return and_(or_(o.final.is_(None), o.final.in_(("late", "overdue"))), o.due_on < as_at)


def _team_name(names: TeamsAsAt, team_id: str | None, on: date) -> str:
    return UNALLOCATED if team_id is None else names.name(team_id, on)


def _pct(met: int, due: int) -> float | None:
    return round(100 * met / due, 1) if due else None


def _tally() -> dict[str, int]:
    return dict.fromkeys(("met", "late", "lapsed", "overdue", "not_yet_due"), 0)


def timeliness(
    conn: Connection, *, settings: ReportSettings, as_at: date, team: str | None = None
) -> Report:
    """Every timescale as at `as_at`: by measure, by team, by worker, and each late or
    overdue obligation. With `team` (an id or a name), only obligations whose responsible
    lead worker was in that team."""
    o = obligations.c
    names = TeamsAsAt(conn)
    status = status_on(as_at)
    where = [o.started_on <= as_at]
    if team is not None:
        where.append(o.team_id.in_(sorted(names.matching(team))))

    # tallies of statuses by measure, by (team, measure) and by (team, worker, measure),
    # with ALL standing for every measure
    by_m: dict[str, dict[str, int]] = defaultdict(_tally)
    by_t: dict[tuple[str | None, str], dict[str, int]] = defaultdict(_tally)
    by_w: dict[tuple[str | None, str | None, str], dict[str, int]] = defaultdict(_tally)
    settled = o.settled_on <= as_at
    tallies = {
        state: func.sum(case((condition, 1), else_=0))
        for state, condition in (
            ("met", and_(settled, o.final == "met")),
            ("late", and_(settled, o.final == "late")),
            ("lapsed", and_(settled, o.final == "lapsed")),
            (
                "overdue",
                or_(
                    and_(settled, o.final == "overdue"),
                    and_(or_(o.settled_on.is_(None), o.settled_on > as_at), o.due_on < as_at),
                ),
            ),
        )
    }
    query = (
        select(o.measure, o.team_id, o.worker_id, func.count(), *tallies.values())
        .where(*where)
        .group_by(o.measure, o.team_id, o.worker_id)
    )
    for measure, team_id, worker_id, count, *numbers in conn.execute(query).all():
        states = dict(zip(tallies, map(int, numbers), strict=True))
        states["not_yet_due"] = int(count) - sum(states.values())
        for state, n in states.items():
            by_m[measure][state] += n
            by_m[ALL][state] += n
            for m in (measure, ALL):
                by_t[(team_id, m)][state] += n
                by_w[(team_id, worker_id, m)][state] += n

    def due(c: dict[str, int]) -> int:
        return c["met"] + c["late"] + c["overdue"]

    by_measure = [
        MeasureTimeliness(
            m.name,
            m.title,
            due(c),
            c["met"],
            c["late"],
            c["overdue"],
            _pct(c["met"], due(c)),
            c["not_yet_due"],
            c["lapsed"],
        )
        for m in MEASURES
        for c in (by_m[m.name],)
    ]

    order = {ALL: -1} | {m.name: i for i, m in enumerate(MEASURES)}
    team_names = {t: _team_name(names, t, as_at) for t, _ in by_t}
    by_team = [
        TeamTimeliness(
            team_id,
            team_names[team_id],
            measure,
            due(c),
            c["met"],
            c["late"],
            c["overdue"],
            _pct(c["met"], due(c)),
        )
        for (team_id, measure), c in sorted(
            by_t.items(),
            key=lambda i: (i[0][0] is None, team_names[i[0][0]], order[i[0][1]]),
        )
        if due(c)
    ]
    by_worker = [
        WorkerTimeliness(
            worker_id,
            team_id,
            team_names[team_id],
            measure,
            due(c),
            c["met"],
            c["late"],
            c["overdue"],
            _pct(c["met"], due(c)),
        )
        for (team_id, worker_id, measure), c in sorted(
            by_w.items(),
            key=lambda i: (
                i[0][1] is None,
                team_names[i[0][0]],
                i[0][1] or "",
                order[i[0][2]],
            ),
        )
        if due(c)
    ]

    breaches = []
    query = (
        select(
            o.la_child_id,
            o.measure,
            o.item_id,
            o.seq,
            status.label("status"),
            o.started_on,
            o.due_on,
            o.done_on,
            o.closed_on,
            o.worker_id,
            o.team_id,
        )
        .where(*where, breach_by(as_at))
        .order_by(o.due_on, o.la_child_id, o.measure, o.item_id, o.seq)
    )
    for row in conn.execute(query):
        done = row.done_on if row.status == "late" else None
        closed = row.closed_on if row.closed_on is not None and row.closed_on <= as_at else None
        stopped = done or closed or as_at
        breaches.append(
            Breach(
                la_child_id=row.la_child_id,
                measure=row.measure,
                item_id=row.item_id,
                seq=row.seq,
                status=row.status,
                started_on=row.started_on,
                due_on=row.due_on,
                done_on=done,
                closed_on=closed,
                days_late=(stopped - row.due_on).days,
                worker_id=row.worker_id,
                team_id=row.team_id,
                team=_team_name(names, row.team_id, row.due_on),
            )
        )

    s = by_m[ALL]
    closed_breaches = sum(b.closed_on is not None for b in breaches)
    headline = (
        f"{as_at.isoformat()}: {due(s)} statutory timescales fell due; "
        f"{s['met']} met on time ({_pct(s['met'], due(s)) or 0:.1f}%), {s['late']} late, "
        f"{s['overdue']} overdue ({closed_breaches} of them on work since ended)"
    )
    return Report(
        name="timeliness",
        title=f"Timeliness on {as_at.isoformat()}",
        headline=headline,
        parameters={"as_at": as_at, "team": team, "timescales": TIMESCALES.version},
        sections=[
            Section("by_measure", "Timescales by measure", by_measure),
            Section("by_team", "By team (of the lead worker responsible)", by_team),
            Section("by_worker", "By lead worker responsible", by_worker),
            Section("children", "Late and overdue, child by child", breaches),
        ],
        definitions=[
            "Each statutory timescale is counted as an obligation with a due date. On the "
            "report date it is met (done on or before the due date), late (done after it), "
            "overdue (not done, and the due date has passed) or not yet due. 'Due' is met + "
            "late + overdue; on time % is met as a share of due.",
            "Reviews, visits and contacts fall due the interval after the last one was done. "
            "A missed one stays one overdue obligation until it is done; the next one is "
            "then counted from the day it was done.",
            "An obligation stops applying when what it belongs to ends (the referral or case "
            "closes, the plan, period of care or placement ends, the adoption decision is "
            "reversed, the child dies). If that happens on or before the due date it is not "
            "counted; if it happens after the due date and the work was never done, it stays "
            "overdue: a breach stays visible after the case has closed.",
            "The worker and team responsible are the lead social worker (the personal adviser "
            "for pathway plans and adviser contacts) allocated on the day the work was done "
            f"or fell due, whichever came first; '{UNALLOCATED}' when there was none. Team "
            "names are as they were on the due date for each child, and as on the report "
            "date in the team and worker totals.",
            "Dates are when things happened, not when they were recorded; an event entered "
            "in error and retracted is left out, and a corrected one counts with its "
            "corrected date.",
            *(f"{m.title}: {m.describe(TIMESCALES)}" for m in MEASURES),
            f"Timescales: {TIMESCALES.version}. Personal Education Plan reviews (three times "
            "a year) are not measured: no event records them.",
        ],
    )
