"""The facts the statutory returns and Ofsted's Annex A are built from, one table each.

The SSDA903, the CIN census and Annex A ask for a child's record in the DfE's own terms:
episodes of care, social worker episodes, reviews, missing episodes, the health facts of
OC2, care leavers' circumstances, adoption dates, referral episodes with their
assessments, section 47 enquiries, plans and pre-proceedings, contacts and early help.
This projection folds each stream into those facts, with business dates, so that a return
for any collection year (or a list for any inspection date) is a handful of queries.

The child's date of birth, UPN and postcodes are personal columns, sealed at rest
(`projections.personal`). Worker streams give each worker's Social Work England number
(for SW_ID where an allocation does not carry one); adopter families give Annex A List 11
and the adopters of SSDA903 AD1.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Boolean, Column, Date, Integer, String, Table

from journey import events as ev
from journey.child import Child, Span
from journey.working_days import add_working_days
from projections.episodes import episodes, periods_of_care
from projections.history import Entry, StreamHistory
from projections.intervals import day
from projections.personal import personal
from projections.projection import Projection, Rows
from projections.schema import metadata, stream_column

ICPC_WORKING_DAYS = 15  # CIN census InitialCPCtarget: from the strategy discussion
PRE_PROCEEDINGS_STEPS = (
    ev.LetterBeforeProceedingsSent,
    ev.FamilyGroupDecisionMeetingHeld,
    ev.PreProceedingsMeetingHeld,
    ev.PreProceedingsEnded,
)


def _child_table(name: str, *columns: Column[Any]) -> Table:
    return Table(
        name,
        metadata,
        stream_column(),
        Column("la_child_id", String(64), nullable=False, index=True),
        *columns,
    )


def _on(name: str) -> Column[date]:
    return Column(name, Date)


identities = _child_table(
    "returns_children",
    Column("sex", String(1), nullable=False),
    personal("date_of_birth"),
    personal("expected_date_of_birth"),
    personal("upn"),
    Column("upn_unknown", String(4)),
    Column("ethnicity", String(8), nullable=False),
    Column("disabilities", String(100), nullable=False),  # codes, comma-separated
    Column("uasc", Boolean, nullable=False),  # ever unaccompanied asylum-seeking
    _on("uasc_ceased_on"),
    _on("died_on"),
    personal("first_child_born_on"),  # SSDA903 MC_DOB
    _on("registered_on"),
)

care_episodes = _child_table(
    "returns_episodes",
    Column("number", Integer, nullable=False),  # the child's episodes, in order
    Column("period_id", String(64), nullable=False),
    _on("period_start"),
    _on("decom"),
    _on("dec"),
    Column("rne", String(1), nullable=False),
    Column("legal_status", String(4), nullable=False),
    Column("category_of_need", String(4), nullable=False),
    Column("place", String(4)),
    Column("provider", String(4)),
    Column("rec", String(4)),
    Column("reason_place_change", String(8)),
    personal("home_postcode"),
    personal("placement_postcode"),
    Column("urn", String(8)),
    Column("placement_id", String(64)),
    Column("carer_household_id", String(64)),
)

reviews = _child_table(
    "returns_reviews",
    Column("review_id", String(64), nullable=False),
    _on("held_on"),
    Column("review_code", String(4), nullable=False),
)

missing = _child_table(
    "returns_missing",
    Column("episode_id", String(64), nullable=False),
    Column("kind", String(1), nullable=False),
    _on("started_on"),
    _on("ended_on"),
    Column("interview_offered", Boolean),
    Column("interview_accepted", Boolean),
)

social_workers = _child_table(
    "returns_social_workers",
    Column("allocation_id", String(64), nullable=False),
    Column("worker_id", String(64), nullable=False),
    Column("team_id", String(64), nullable=False),
    Column("swe_registration", String(16)),
    Column("reason", String(8)),
    _on("started_on"),
    _on("ended_on"),
)

# One row a fact: kind is health_assessment, dental_check, development_assessment,
# immunisations (value 1 or 0), sdq_score (value), sdq_reason (value), offence,
# substance_misuse (value: the intervention).
health = _child_table(
    "returns_health",
    Column("kind", String(32), nullable=False),
    _on("done_on"),
    Column("value", String(32)),
)

leaver_contacts = _child_table(
    "returns_leaver_contacts",
    _on("contacted_on"),
    Column("in_touch", String(4), nullable=False),
    Column("activity", String(4)),
    Column("accommodation", String(4)),
    Column("suitable", Boolean),
)

adoption_decisions = _child_table(
    "returns_adoption_decisions",
    Column("decision_id", String(64), nullable=False),
    _on("decided_on"),
    _on("matched_on"),
    Column("adopter_household_id", String(64)),
    _on("placed_on"),
    _on("reversed_on"),
    Column("reversal_reason", String(4)),
    _on("adopted_on"),
)

previous_permanence = _child_table(
    "returns_previous_permanence",
    _on("recorded_on"),
    Column("previous_permanence", String(4), nullable=False),
    Column("council", String(4)),
    Column("order_year", Integer),
    Column("order_month", Integer),
    Column("order_day", Integer),
)

orders = _child_table(
    "returns_orders",
    Column("order_id", String(64), nullable=False),
    Column("order_type", String(32), nullable=False),
    _on("made_on"),
)

referrals = _child_table(
    "returns_referrals",
    Column("referral_id", String(64), nullable=False),
    _on("referred_on"),
    Column("source", String(4), nullable=False),
    Column("primary_need", String(4), nullable=False),
    _on("closed_on"),
    Column("closure_reason", String(4)),
    Column("no_further_action", Boolean, nullable=False),
)

assessments = _child_table(
    "returns_assessments",
    Column("referral_id", String(64)),
    Column("assessment_id", String(64), nullable=False),
    _on("started_on"),
    _on("authorised_on"),
    Column("factors", String(200)),
    Column("child_seen", Boolean),
    Column("outcome", String(32)),
)

cin_plans = _child_table(
    "returns_cin_plans",
    Column("referral_id", String(64)),
    Column("plan_id", String(64), nullable=False),
    _on("started_on"),
    _on("ended_on"),
)

section47 = _child_table(
    "returns_section47",
    Column("referral_id", String(64)),
    Column("enquiry_id", String(64), nullable=False),
    _on("strategy_on"),
    _on("started_on"),
    _on("icpc_target"),
    _on("completed_on"),
    Column("conference_needed", Boolean),
    _on("icpc_on"),
    Column("plan_decided", Boolean),
)

cp_plans = _child_table(
    "returns_cp_plans",
    Column("referral_id", String(64)),
    Column("plan_id", String(64), nullable=False),
    _on("started_on"),
    _on("ended_on"),
    Column("initial_category", String(4), nullable=False),
    Column("latest_category", String(4), nullable=False),
    Column("previous_plans", Integer, nullable=False),
)

cp_reviews = _child_table(
    "returns_cp_reviews",
    Column("plan_id", String(64), nullable=False),
    _on("held_on"),
)

pre_proceedings = _child_table(
    "returns_pre_proceedings",
    Column("referral_id", String(64)),
    Column("pre_proceedings_id", String(64), nullable=False),
    _on("started_on"),
    _on("letter_on"),
    Column("meeting_offered", Boolean),
    Column("meeting_held", Boolean, nullable=False),
    _on("initial_meeting_on"),
    Column("review_meetings", Integer, nullable=False),
    _on("decided_on"),
    Column("outcome", String(4)),
    _on("court_application_on"),
)

contacts = _child_table(
    "returns_contacts",
    Column("contact_id", String(64), nullable=False),
    _on("received_on"),
    Column("source", String(4), nullable=False),
    Column("outcome", String(32), nullable=False),
)

early_help = _child_table(
    "returns_early_help",
    Column("assessment_id", String(64), nullable=False),
    _on("started_on"),
    _on("completed_on"),
    Column("organisation", String(200), nullable=False),
)

visits = _child_table(
    "returns_visits",
    Column("visit_id", String(64), nullable=False),
    _on("visited_on"),
    Column("worker_id", String(64), nullable=False),
    Column("seen_alone", Boolean, nullable=False),
    Column("kind", String(32), nullable=False),
)

pathway_plans = _child_table("returns_pathway_plans", _on("reviewed_on"))

permanence_plans = _child_table(
    "returns_permanence_plans", _on("recorded_on"), Column("plan", String(32), nullable=False)
)

worker_registrations = Table(
    "returns_worker_registrations",
    metadata,
    stream_column(),
    Column("worker_id", String(64), nullable=False, index=True),
    Column("swe_registration", String(16)),
)

adopter_families = Table(
    "returns_adopter_families",
    metadata,
    stream_column(),
    Column("family_id", String(64), nullable=False, index=True),
    Column("household_id", String(64), index=True),
    Column("relationship", String(4), nullable=False),
    Column("fostering_for_adoption", Boolean, nullable=False),
    _on("enquiry_on"),
    _on("stage1_started_on"),
    _on("stage1_ended_on"),
    _on("stage2_started_on"),
    _on("stage2_ended_on"),
    _on("applied_on"),
    _on("approved_on"),
    _on("left_on"),
    Column("left_reason", String(4)),
)

adopters = Table(
    "returns_adopters",
    metadata,
    stream_column(),
    Column("family_id", String(64), nullable=False, index=True),
    Column("adopter_id", String(64), nullable=False),
    Column("sex", String(1), nullable=False),
    Column("ethnicity", String(8), nullable=False),
    Column("disabled", Boolean, nullable=False),
)

CHILD_TABLES = (
    identities,
    care_episodes,
    reviews,
    missing,
    social_workers,
    health,
    leaver_contacts,
    adoption_decisions,
    previous_permanence,
    orders,
    referrals,
    assessments,
    cin_plans,
    section47,
    cp_plans,
    cp_reviews,
    pre_proceedings,
    contacts,
    early_help,
    visits,
    pathway_plans,
    permanence_plans,
)


# --- the child's fold -------------------------------------------------------------------


def _identity(child: Child, entries: list[Entry], la_child_id: str) -> dict[str, Any]:
    upn_unknown: str | None = None
    home: list[tuple[date, int, bool]] = []
    registered_on = None
    for n, entry in enumerate(entries):
        e = entry.event
        if isinstance(e, ev.ChildRegistered | ev.ChildDetailsUpdated):
            if isinstance(e, ev.ChildRegistered):
                registered_on = entry.on
            if e.upn_unknown is not None:
                upn_unknown = e.upn_unknown
            if e.uasc is not None:
                home.append((entry.on, n, e.uasc))
    statuses = [flag for _, _, flag in sorted(home)]
    ceased = None
    if any(statuses) and not statuses[-1]:
        ceased = max(on for on, _, flag in home if not flag)
    births = sorted(entry.on for entry in entries if isinstance(entry.event, ev.ChildGaveBirth))
    return {
        "la_child_id": la_child_id,
        "sex": child.sex or "9",
        "date_of_birth": _text(child.date_of_birth),
        "expected_date_of_birth": _text(child.expected_date_of_birth),
        "upn": child.upn,
        "upn_unknown": upn_unknown,
        "ethnicity": child.ethnicity or "NOBT",
        "disabilities": ",".join(child.disabilities),
        "uasc": any(statuses),
        "uasc_ceased_on": ceased,
        "died_on": day(child.died_on),
        "first_child_born_on": _text(births[0]) if births else None,
        "registered_on": registered_on,
    }


def _text(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _episode_rows(entries: list[Entry], la_child_id: str) -> list[dict[str, Any]]:
    rows = []
    for period in periods_of_care(entries):
        for episode in episodes(period):
            placed = episode.placement
            rows.append(
                {
                    "la_child_id": la_child_id,
                    "number": len(rows) + 1,
                    "period_id": episode.period_id,
                    "period_start": period.start,
                    "decom": episode.decom,
                    "dec": episode.dec,
                    "rne": episode.rne,
                    "legal_status": episode.legal_status,
                    "category_of_need": episode.category_of_need,
                    "place": placed.place if placed else None,
                    "provider": placed.provider if placed else None,
                    "rec": episode.rec,
                    "reason_place_change": episode.reason_place_change,
                    "home_postcode": episode.home_postcode,
                    "placement_postcode": placed.postcode if placed else None,
                    "urn": placed.urn if placed else None,
                    "placement_id": placed.placement_id if placed else None,
                    "carer_household_id": placed.carer_household_id if placed else None,
                }
            )
    return rows


def _referral_on(child: Child, on: date) -> str | None:
    """The referral episode (CIN census CINdetails) open on a date."""
    found = None
    for key, span in child.referrals.items():
        start, end = day(span.start), day(span.end)
        assert start is not None
        if start <= on and (end is None or on <= end):
            found = key
    return found


def _spans_by_start(spans: dict[str, Span]) -> list[tuple[str, Span]]:
    return sorted(spans.items(), key=lambda kv: kv[1].start)


def _health_rows(entries: list[Entry], la_child_id: str) -> list[dict[str, Any]]:
    rows = []
    for entry in entries:
        e = entry.event
        kind: str | None = None
        value: str | None = None
        if isinstance(e, ev.HealthAssessmentCompleted):
            kind = e.assessment_kind
        elif isinstance(e, ev.ImmunisationsReviewed):
            kind, value = "immunisations", "1" if e.up_to_date else "0"
        elif isinstance(e, ev.StrengthsAndDifficultiesRecorded):
            if e.score is not None:
                kind, value = "sdq_score", str(e.score)
            else:
                kind, value = "sdq_reason", e.reason_not_completed
        elif isinstance(e, ev.OffenceRecorded):
            kind = "offence"
        elif isinstance(e, ev.SubstanceMisuseIdentified):
            kind, value = "substance_misuse", e.intervention
        if kind is not None:
            rows.append(
                {"la_child_id": la_child_id, "kind": kind, "done_on": entry.on, "value": value}
            )
    return rows


def _adoption_rows(child: Child, entries: list[Entry], la_child_id: str) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for entry in entries:
        e = entry.event
        if isinstance(e, ev.AdoptionDecisionMade):
            found[e.decision_id] = {
                "la_child_id": la_child_id,
                "decision_id": e.decision_id,
                "decided_on": entry.on,
                "matched_on": None,
                "adopter_household_id": None,
                "placed_on": None,
                "reversed_on": None,
                "reversal_reason": None,
                "adopted_on": None,
            }
        elif isinstance(e, ev.AdopterMatched) and e.decision_id in found:
            found[e.decision_id] |= {
                "matched_on": entry.on,
                "adopter_household_id": e.adopter_household_id,
            }
        elif isinstance(e, ev.PlacedForAdoption) and e.decision_id in found:
            found[e.decision_id] |= {
                "placed_on": entry.on,
                "adopter_household_id": e.adopter_household_id,
            }
        elif isinstance(e, ev.AdoptionDecisionReversed) and e.decision_id in found:
            found[e.decision_id] |= {"reversed_on": entry.on, "reversal_reason": e.reason}
    for key, span in child.adoption_decisions.items():
        if span.detail.get("outcome") == "adopted" and key in found:
            found[key]["adopted_on"] = day(span.end)
    return list(found.values())


def _section47_rows(child: Child, entries: list[Entry], la_child_id: str) -> list[dict[str, Any]]:
    strategies = {
        e.strategy_id: entry.on
        for entry in entries
        if isinstance(e := entry.event, ev.StrategyDiscussionHeld)
    }
    conferences = {
        e.enquiry_id: (entry.on, e.plan_decided)
        for entry in entries
        if isinstance(e := entry.event, ev.InitialChildProtectionConferenceHeld)
    }
    completed = {
        e.enquiry_id: (entry.on, e.conference_needed)
        for entry in entries
        if isinstance(e := entry.event, ev.Section47EnquiryCompleted)
    }
    rows = []
    for entry in entries:
        e = entry.event
        if not isinstance(e, ev.Section47EnquiryStarted):
            continue
        strategy_on = strategies.get(e.strategy_id)
        done = completed.get(e.enquiry_id)
        conference = conferences.get(e.enquiry_id)
        rows.append(
            {
                "la_child_id": la_child_id,
                "referral_id": _referral_on(child, entry.on),
                "enquiry_id": e.enquiry_id,
                "strategy_on": strategy_on,
                "started_on": entry.on,
                "icpc_target": (
                    add_working_days(strategy_on, ICPC_WORKING_DAYS) if strategy_on else None
                ),
                "completed_on": done[0] if done else None,
                "conference_needed": done[1] if done else None,
                "icpc_on": conference[0] if conference else None,
                "plan_decided": conference[1] if conference else None,
            }
        )
    return rows


def _cp_plan_rows(child: Child, entries: list[Entry], la_child_id: str) -> list[dict[str, Any]]:
    latest: dict[str, str] = {}
    for entry in entries:
        e = entry.event
        if isinstance(e, ev.ChildProtectionReviewHeld) and e.category_of_abuse:
            latest[e.plan_id] = e.category_of_abuse
    rows = []
    for number, (key, span) in enumerate(_spans_by_start(child.cp_plans)):
        started = day(span.start)
        assert started is not None
        rows.append(
            {
                "la_child_id": la_child_id,
                "referral_id": _referral_on(child, started),
                "plan_id": key,
                "started_on": started,
                "ended_on": day(span.end),
                "initial_category": span.kind,
                "latest_category": latest.get(key, span.kind),
                "previous_plans": number,
            }
        )
    return rows


def _pre_proceedings_rows(
    child: Child, entries: list[Entry], la_child_id: str
) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    issued: list[date] = []
    for entry in entries:
        e = entry.event
        if isinstance(e, ev.PreProceedingsStarted):
            rows[e.pre_proceedings_id] = {
                "la_child_id": la_child_id,
                "referral_id": _referral_on(child, entry.on),
                "pre_proceedings_id": e.pre_proceedings_id,
                "started_on": entry.on,
                "letter_on": None,
                "meeting_offered": None,
                "meeting_held": False,
                "initial_meeting_on": None,
                "review_meetings": 0,
                "decided_on": None,
                "outcome": None,
                "court_application_on": None,
            }
        elif isinstance(e, ev.CareProceedingsIssued):
            issued.append(entry.on)
        elif isinstance(e, PRE_PROCEEDINGS_STEPS) and e.pre_proceedings_id in rows:
            row = rows[e.pre_proceedings_id]
            if isinstance(e, ev.LetterBeforeProceedingsSent):
                row |= {"letter_on": entry.on, "meeting_offered": e.family_group_meeting_offered}
            elif isinstance(e, ev.FamilyGroupDecisionMeetingHeld):
                row["meeting_held"] = True
            elif isinstance(e, ev.PreProceedingsMeetingHeld):
                if e.meeting == "initial":
                    row["initial_meeting_on"] = entry.on
                else:
                    row["review_meetings"] += 1
            elif isinstance(e, ev.PreProceedingsEnded):
                row |= {"decided_on": entry.on, "outcome": e.outcome}
    for row in rows.values():
        later = [on for on in issued if on >= row["started_on"]]
        if later and (row["decided_on"] is None or min(later) >= row["decided_on"]):
            row["court_application_on"] = min(later)
            if row["decided_on"] is None:
                row |= {"decided_on": min(later), "outcome": "A"}
    return list(rows.values())


def _simple(entries: list[Entry], la_child_id: str) -> dict[Table, list[dict[str, Any]]]:
    """The facts that are one event each."""
    out: dict[Table, list[dict[str, Any]]] = {
        t: []
        for t in (
            reviews,
            leaver_contacts,
            previous_permanence,
            orders,
            contacts,
            visits,
            pathway_plans,
            permanence_plans,
        )
    }
    ended_missing: dict[str, ev.MissingEpisodeEnded] = {}
    missing_end: dict[str, date] = {}
    for entry in entries:
        if isinstance(entry.event, ev.MissingEpisodeEnded):
            ended_missing[entry.event.episode_id] = entry.event
            missing_end[entry.event.episode_id] = entry.on
    out[missing] = []
    for entry in entries:
        e, on = entry.event, entry.on
        base = {"la_child_id": la_child_id}
        if isinstance(e, ev.LookedAfterReviewHeld):
            out[reviews].append(
                base | {"review_id": e.review_id, "held_on": on, "review_code": e.review_code}
            )
        elif isinstance(e, ev.CareLeaverContactRecorded):
            out[leaver_contacts].append(
                base
                | {
                    "contacted_on": on,
                    "in_touch": e.in_touch,
                    "activity": e.activity,
                    "accommodation": e.accommodation,
                    "suitable": e.accommodation_suitable,
                }
            )
        elif isinstance(e, ev.PreviousPermanenceRecorded):
            out[previous_permanence].append(
                base
                | {
                    "recorded_on": on,
                    "previous_permanence": e.previous_permanence,
                    "council": e.council,
                    "order_year": e.order_year,
                    "order_month": e.order_month,
                    "order_day": e.order_day,
                }
            )
        elif isinstance(e, ev.PermanencePlanRecorded):
            out[permanence_plans].append(base | {"recorded_on": on, "plan": e.plan})
            if not e.previous_permanence:
                continue
            out[previous_permanence].append(
                base
                | {
                    "recorded_on": on,
                    "previous_permanence": e.previous_permanence,
                    "council": None,
                    "order_year": None,
                    "order_month": None,
                    "order_day": None,
                }
            )
        elif isinstance(e, ev.PathwayPlanReviewed):
            out[pathway_plans].append(base | {"reviewed_on": on})
        elif isinstance(e, ev.CourtOrderMade):
            out[orders].append(
                base | {"order_id": e.order_id, "order_type": e.order_type, "made_on": on}
            )
        elif isinstance(e, ev.ContactReceived):
            out[contacts].append(
                base
                | {
                    "contact_id": e.contact_id,
                    "received_on": on,
                    "source": e.contact_source,
                    "outcome": e.outcome,
                }
            )
        elif isinstance(e, ev.StatutoryVisitMade):
            out[visits].append(
                base
                | {
                    "visit_id": e.visit_id,
                    "visited_on": on,
                    "worker_id": e.worker_id,
                    "seen_alone": e.seen_alone,
                    "kind": e.visit_kind,
                }
            )
        elif isinstance(e, ev.MissingEpisodeStarted):
            ended = ended_missing.get(e.episode_id)
            out[missing].append(
                base
                | {
                    "episode_id": e.episode_id,
                    "kind": e.kind,
                    "started_on": on,
                    "ended_on": missing_end.get(e.episode_id),
                    "interview_offered": ended.return_interview_offered if ended else None,
                    "interview_accepted": ended.return_interview_accepted if ended else None,
                }
            )
    return out


def _child_rows(history: StreamHistory) -> Rows:
    child = history.child()
    if not child.registered or child.erased_on is not None:
        # The returns and Annex A name children and give their dates of birth: an erased
        # child can be given neither, and is left out of them.
        return {}
    la_child_id = history.key
    entries = history.entries
    referral_sources = {
        e.referral_id: e.referral_source
        for entry in entries
        if isinstance(e := entry.event, ev.ReferralReceived)
    }
    nfa = {
        e.referral_id
        for entry in entries
        if isinstance(e := entry.event, ev.ReferralClosedNoFurtherAction)
    }
    outcomes = {
        e.assessment_id: e
        for entry in entries
        if isinstance(e := entry.event, ev.AssessmentCompleted)
    }
    rows: dict[Table, list[dict[str, Any]]] = {
        identities: [_identity(child, entries, la_child_id)],
        care_episodes: _episode_rows(entries, la_child_id),
        social_workers: [
            {
                "la_child_id": la_child_id,
                "allocation_id": key,
                "worker_id": span.detail["worker_id"],
                "team_id": span.detail["team_id"],
                "swe_registration": span.detail.get("swe_registration"),
                "reason": span.detail.get("reason"),
                "started_on": day(span.start),
                "ended_on": day(span.end),
            }
            for key, span in _spans_by_start(child.allocations)
            if span.kind == "social_worker"
        ],
        health: _health_rows(entries, la_child_id),
        adoption_decisions: _adoption_rows(child, entries, la_child_id),
        referrals: [
            {
                "la_child_id": la_child_id,
                "referral_id": key,
                "referred_on": day(span.start),
                "source": referral_sources.get(key, "10"),
                "primary_need": span.kind,
                "closed_on": day(span.end),
                "closure_reason": span.detail.get("closure_reason"),
                "no_further_action": key in nfa,
            }
            for key, span in _spans_by_start(child.referrals)
        ],
        assessments: [
            {
                "la_child_id": la_child_id,
                "referral_id": span.detail.get("referral_id"),
                "assessment_id": key,
                "started_on": day(span.start),
                "authorised_on": outcomes[key].authorised_on if key in outcomes else None,
                "factors": ",".join(outcomes[key].factors) if key in outcomes else None,
                "child_seen": outcomes[key].child_seen if key in outcomes else None,
                "outcome": outcomes[key].outcome if key in outcomes else None,
            }
            for key, span in _spans_by_start(child.assessments)
        ],
        cin_plans: [
            {
                "la_child_id": la_child_id,
                "referral_id": _referral_on(child, day(span.start) or date.min),
                "plan_id": key,
                "started_on": day(span.start),
                "ended_on": day(span.end),
            }
            for key, span in _spans_by_start(child.cin_plans)
        ],
        section47: _section47_rows(child, entries, la_child_id),
        cp_plans: _cp_plan_rows(child, entries, la_child_id),
        cp_reviews: [
            {"la_child_id": la_child_id, "plan_id": e.plan_id, "held_on": entry.on}
            for entry in entries
            if isinstance(e := entry.event, ev.ChildProtectionReviewHeld)
        ],
        pre_proceedings: _pre_proceedings_rows(child, entries, la_child_id),
        early_help: [
            {
                "la_child_id": la_child_id,
                "assessment_id": key,
                "started_on": day(span.start),
                "completed_on": day(span.end),
                "organisation": span.detail["organisation"],
            }
            for key, span in _spans_by_start(child.early_help)
        ],
    }
    rows |= _simple(entries, la_child_id)
    return rows


# --- workers and adopter families -------------------------------------------------------


def _worker_rows(history: StreamHistory) -> Rows:
    registration = None
    for entry in history.entries:
        if isinstance(entry.event, ev.WorkerRegistered):
            registration = entry.event.swe_registration
    return {worker_registrations: [{"worker_id": history.key, "swe_registration": registration}]}


def _adopter_rows(history: StreamHistory) -> Rows:
    family: dict[str, Any] = {"family_id": history.key, "household_id": None}
    people: list[dict[str, Any]] = []
    for entry in history.entries:
        e, on = entry.event, entry.on
        if isinstance(e, ev.AdopterEnquiryReceived):
            family |= {
                "relationship": e.relationship,
                "fostering_for_adoption": e.fostering_for_adoption,
                "enquiry_on": on,
            }
            people = [
                {
                    "family_id": history.key,
                    "adopter_id": a.adopter_id,
                    "sex": a.sex,
                    "ethnicity": a.ethnicity,
                    "disabled": a.disabled,
                }
                for a in e.adopters
            ]
        elif isinstance(e, ev.AdoptionStageStarted):
            family[f"stage{e.stage}_started_on"] = on
        elif isinstance(e, ev.AdoptionStageCompleted):
            family[f"stage{e.stage}_ended_on"] = on
        elif isinstance(e, ev.AdopterApplicationSubmitted):
            family["applied_on"] = on
        elif isinstance(e, ev.AdopterFamilyApproved):
            family |= {"approved_on": on, "household_id": e.household_id}
        elif isinstance(e, ev.AdopterFamilyLeftProcess):
            family |= {"left_on": on, "left_reason": e.reason}
    if "enquiry_on" not in family:
        return {}
    return {adopter_families: [family], adopters: people}


def fold(history: StreamHistory) -> Rows:
    if history.stream == "child":
        return _child_rows(history)
    if history.stream == "worker":
        return _worker_rows(history)
    return _adopter_rows(history)


PROJECTION = Projection(
    name="returns",
    tables=(*CHILD_TABLES, worker_registrations, adopter_families, adopters),
    streams=frozenset({"child", "worker", "adopter_family"}),
    fold=fold,
)
