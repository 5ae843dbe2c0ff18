"""Timeliness: which statutory timescales were met, late, or are overdue on a date.

Every expected due date below is counted by hand from the journey (working days leave out
weekends and England's bank holidays: Good Friday 29 March and Easter Monday 1 April 2024,
the early May bank holiday 6 May 2024). The seeded world (conftest): team T-CIN "Child in
need team", social worker W1, child C1 born 2015-06-01 and registered 2024-01-02.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from projections import cases, timeliness, workforce
from projections.settings import ReportSettings
from projections.timeliness import timeliness as timeliness_report


def _on(text: str) -> date:
    return date.fromisoformat(text)


def _report(conn, as_at: str, team: str | None = None):
    return timeliness_report(conn, settings=ReportSettings(), as_at=_on(as_at), team=team)


def _measure(report, name: str):
    (row,) = [r for r in report.section("by_measure").rows if r.measure == name]
    return row


def _counts(report, name: str) -> tuple[int, int, int, int]:
    """(due, met, late, overdue) for a measure."""
    row = _measure(report, name)
    return row.due, row.met, row.late, row.overdue


def _breaches(report, name: str):
    return [b for b in report.section("children").rows if b.measure == name]


def _due_dates(conn, name: str) -> list[tuple[int, date, date | None]]:
    """(seq, due, done) of each obligation of a measure, in order."""
    o = timeliness.obligations.c
    query = select(o.seq, o.due_on, o.done_on).where(o.measure == name).order_by(o.item_id, o.seq)
    return [tuple(row) for row in conn.execute(query)]


def _project(ledger, project):
    return project(ledger, cases.PROJECTION, workforce.PROJECTION, timeliness.PROJECTION)


def _referral(event, on: str = "2024-02-01", referral_id: str = "R1", **fields):
    return event(
        "ReferralReceived",
        referral_id=referral_id,
        referral_source="1A",
        primary_need="N1",
        occurred_at=on,
        **fields,
    )


def _lead(event, on: str = "2024-02-01", allocation_id: str = "A1", **fields):
    return event(
        "WorkerAllocated",
        allocation_id=allocation_id,
        worker_id="W1",
        swe_registration="SW1001",
        role="social_worker",
        team_id="T-CIN",
        reason="MANAGE",
        occurred_at=on,
        **fields,
    )


def _in_care(event, on: str = "2024-03-01", **fields):
    return event(
        "PeriodOfCareStarted",
        period_id="POC1",
        legal_status="C2",
        category_of_need="N1",
        occurred_at=on,
        **fields,
    )


def _visit(event, on: str, visit_id: str):
    return event("StatutoryVisitMade", visit_id=visit_id, worker_id="W1", occurred_at=on)


# --- assessments and initial conferences: working days, bank holidays ----------------


@pytest.mark.parametrize(
    ("authorised_on", "met", "late", "days_late"),
    [("2024-04-08", 1, 0, None), ("2024-04-09", 0, 1, 1)],
)
def test_an_assessment_is_due_45_working_days_after_the_referral_leaving_out_easter(
    seeded, event, record, project, authorised_on, met, late, days_late
):
    # 45 working days after Thursday 1 February 2024, Good Friday and Easter Monday left
    # out, is Monday 8 April (counting every weekday it would be Thursday 4 April).
    record(
        seeded,
        _referral(event),
        _lead(event),
        event("AssessmentStarted", assessment_id="AS1", referral_id="R1", occurred_at="2024-02-05"),
        event(
            "AssessmentCompleted",
            assessment_id="AS1",
            authorised_on=authorised_on,
            outcome="no_further_action",
            occurred_at="2024-04-12",  # written up after it was authorised
        ),
    )
    conn = _project(seeded, project)

    report = _report(conn, "2024-05-01")

    assert _due_dates(conn, "assessment") == [(1, _on("2024-04-08"), _on(authorised_on))]
    assert _counts(report, "assessment") == (1, met, late, 0)
    assert [b.days_late for b in _breaches(report, "assessment")] == (
        [days_late] if days_late else []
    )


@pytest.mark.parametrize(("held_on", "on_time"), [("2024-05-15", True), ("2024-05-16", False)])
def test_an_initial_conference_is_due_15_working_days_after_the_strategy_discussion(
    seeded, event, record, project, held_on, on_time
):
    # 15 working days after Tuesday 23 April 2024, the 6 May bank holiday left out, is
    # Wednesday 15 May.
    record(
        seeded,
        _referral(event, "2024-04-22"),
        _lead(event, "2024-04-22"),
        event(
            "StrategyDiscussionHeld",
            strategy_id="S1",
            section47_needed=True,
            occurred_at="2024-04-23",
        ),
        event(
            "Section47EnquiryStarted", enquiry_id="E1", strategy_id="S1", occurred_at="2024-04-24"
        ),
        event(
            "InitialChildProtectionConferenceHeld",
            conference_id="K1",
            enquiry_id="E1",
            plan_decided=False,
            occurred_at=held_on,
        ),
    )
    conn = _project(seeded, project)

    report = _report(conn, "2024-06-01")

    assert _due_dates(conn, "icpc") == [(1, _on("2024-05-15"), _on(held_on))]
    assert _counts(report, "icpc") == ((1, 1, 0, 0) if on_time else (1, 0, 1, 0))


def test_an_enquiry_that_found_no_conference_was_needed_sets_no_conference_timescale(
    seeded, event, record, project
):
    record(
        seeded,
        _referral(event, "2024-04-22"),
        event(
            "StrategyDiscussionHeld",
            strategy_id="S1",
            section47_needed=True,
            occurred_at="2024-04-23",
        ),
        event(
            "Section47EnquiryStarted", enquiry_id="E1", strategy_id="S1", occurred_at="2024-04-24"
        ),
        event(
            "Section47EnquiryCompleted",
            enquiry_id="E1",
            conference_needed=False,
            occurred_at="2024-05-30",
        ),
    )
    conn = _project(seeded, project)

    assert _counts(_report(conn, "2024-07-01"), "icpc") == (0, 0, 0, 0)


# --- overdue now, and still visible after the case closed -----------------------------


def test_an_assessment_never_done_is_overdue_and_stays_overdue_after_the_case_closes(
    seeded, event, record, project
):
    record(
        seeded,
        _referral(event),
        _lead(event),
        event("CaseClosed", reason="RC7", occurred_at="2024-05-01"),
        event("TeamRenamed", team_id="T-CIN", name="Family help team", occurred_at="2024-05-15"),
    )
    conn = _project(seeded, project)

    on_the_day = _report(conn, "2024-04-08")  # due today: not yet overdue
    assert _counts(on_the_day, "assessment") == (0, 0, 0, 0)
    assert _measure(on_the_day, "assessment").not_yet_due == 1

    next_day = _report(conn, "2024-04-09")
    (breach,) = _breaches(next_day, "assessment")
    assert (breach.status, breach.due_on, breach.days_late, breach.closed_on) == (
        "overdue",
        _on("2024-04-08"),
        1,
        None,
    )

    after_closure = _report(conn, "2024-06-01")
    (breach,) = _breaches(after_closure, "assessment")
    assert (breach.status, breach.closed_on, breach.days_late) == (
        "overdue",
        _on("2024-05-01"),
        23,
    )
    # the worker and team who held the case when it fell due; the team by its name then
    assert (breach.worker_id, breach.team_id, breach.team) == ("W1", "T-CIN", "Child in need team")
    assert "1 overdue (1 of them on work since ended)" in after_closure.headline
    (team_total,) = [r for r in after_closure.section("by_team").rows if r.measure == "all"]
    assert (team_total.team, team_total.overdue) == ("Family help team", 1)
    (worker_total,) = [r for r in after_closure.section("by_worker").rows if r.measure == "all"]
    assert (worker_total.worker_id, worker_total.due, worker_total.on_time_pct) == ("W1", 1, 0.0)
    # a manager can ask for one team by its id or either of its names
    assert len(_breaches(_report(conn, "2024-06-01", team="Family help team"), "assessment")) == 1
    assert _breaches(_report(conn, "2024-06-01", team="T-LAC"), "assessment") == []


def test_a_referral_closed_before_the_assessment_was_due_is_not_a_breach(
    seeded, event, record, project
):
    record(
        seeded,
        _referral(event),
        _lead(event),
        event("ReferralClosedNoFurtherAction", referral_id="R1", occurred_at="2024-02-20"),
    )
    conn = _project(seeded, project)

    assert _measure(_report(conn, "2024-02-10"), "assessment").not_yet_due == 1
    later = _report(conn, "2024-06-01")
    row = _measure(later, "assessment")
    assert (row.due, row.overdue, row.lapsed) == (0, 0, 1)
    assert later.section("children").rows == []


# --- recurring: reviews and visits ------------------------------------------------------


def test_looked_after_reviews_fall_due_at_20_working_days_then_3_months_then_6_months(
    seeded, event, record, project
):
    # Becoming looked after on Friday 1 March 2024: 20 working days, Easter left out, is
    # Tuesday 2 April. The second is due 3 months after the first was held, then 6 months.
    record(
        seeded,
        _lead(event),
        _in_care(event),
        event(
            "LookedAfterReviewHeld", review_id="REV1", review_code="PN1", occurred_at="2024-04-02"
        ),
        event(
            "LookedAfterReviewHeld", review_id="REV2", review_code="PN1", occurred_at="2024-07-09"
        ),
        # the third, due 9 January 2025, is missed and then held on 14 February
        event(
            "LookedAfterReviewHeld", review_id="REV3", review_code="PN1", occurred_at="2025-02-14"
        ),
    )
    conn = _project(seeded, project)

    assert _due_dates(conn, "la_review") == [
        (1, _on("2024-04-02"), _on("2024-04-02")),
        (2, _on("2024-07-02"), _on("2024-07-09")),
        (3, _on("2025-01-09"), _on("2025-02-14")),
        (4, _on("2025-08-14"), None),
    ]
    missed = _report(conn, "2025-02-01")
    assert _counts(missed, "la_review") == (3, 1, 1, 1)
    assert [(b.seq, b.status, b.days_late) for b in _breaches(missed, "la_review")] == [
        (2, "late", 7),
        (3, "overdue", 23),
    ]
    held = _report(conn, "2025-03-01")
    assert _counts(held, "la_review") == (3, 1, 2, 0)
    assert _measure(held, "la_review").not_yet_due == 1
    assert _measure(held, "la_review").on_time_pct == 33.3


@pytest.mark.parametrize(("place", "next_due"), [("U4", "2025-06-10"), ("U6", "2025-04-21")])
def test_visits_are_due_a_week_after_a_placement_then_6_weekly_then_3_monthly_if_long_term(
    seeded, event, record, project, place, next_due
):
    # Placed on 5 March 2024: the first visit is due by 12 March, the next 6 weeks after
    # each visit. After the placement's first year (from 5 March 2025) a long-term
    # placement (U4 other foster care - long term) is visited at least every 3 months.
    record(
        seeded,
        _lead(event),
        _in_care(event),
        event(
            "PlacementStarted",
            placement_id="PL1",
            place=place,
            provider="PR1",
            occurred_at="2024-03-05",
        ),
        _visit(event, "2024-03-11", "V1"),
        _visit(event, "2025-03-10", "V2"),
    )
    conn = _project(seeded, project)

    assert _due_dates(conn, "la_visit") == [
        (1, _on("2024-03-12"), _on("2024-03-11")),
        (2, _on("2024-04-22"), _on("2025-03-10")),
        (3, _on(next_due), None),
    ]
    report = _report(conn, "2025-04-01")
    assert _counts(report, "la_visit") == (2, 1, 1, 0)
    (late,) = _breaches(report, "la_visit")
    assert (late.item_id, late.days_late, late.worker_id) == ("PL1", 322, "W1")


def test_a_corrected_placement_date_and_a_retracted_visit_change_the_result(
    seeded, event, record, project
):
    stored = record(
        seeded,
        _lead(event),
        _in_care(event),
        event(
            "PlacementStarted",
            placement_id="PL1",
            place="U6",
            provider="PR1",
            occurred_at="2024-03-05",
        ),
        _visit(event, "2024-03-11", "V1"),
    )
    placement, visit = stored[2], stored[3]
    conn = _project(seeded, project)
    assert _counts(_report(conn, "2024-03-20"), "la_visit") == (1, 1, 0, 0)

    record(
        seeded,
        event(
            "EventCorrected",
            target_event_id=str(placement.event_id),
            reason="the child moved in on the day they came into care",
            changes={"occurred_at": "2024-03-01"},
            occurred_at="2024-03-15",
        ),
    )
    conn = _project(seeded, project)
    corrected = _report(conn, "2024-03-20")
    assert _counts(corrected, "la_visit") == (1, 0, 1, 0)
    (late,) = _breaches(corrected, "la_visit")
    assert (late.due_on, late.done_on, late.days_late) == (_on("2024-03-08"), _on("2024-03-11"), 3)

    record(
        seeded,
        event(
            "EventRetracted",
            target_event_id=str(visit.event_id),
            reason="recorded against the wrong child",
            occurred_at="2024-03-16",
        ),
    )
    conn = _project(seeded, project)
    retracted = _report(conn, "2024-03-20")
    assert _counts(retracted, "la_visit") == (1, 0, 0, 1)
    (overdue,) = _breaches(retracted, "la_visit")
    assert (overdue.status, overdue.due_on, overdue.days_late) == (
        "overdue",
        _on("2024-03-08"),
        12,
    )


def _on_a_plan(event, *, ended_on: str, review_on: str | None):
    return [
        _referral(event),
        _lead(event),
        event(
            "StrategyDiscussionHeld",
            strategy_id="S1",
            section47_needed=True,
            occurred_at="2024-02-02",
        ),
        event(
            "Section47EnquiryStarted", enquiry_id="E1", strategy_id="S1", occurred_at="2024-02-03"
        ),
        event(
            "Section47EnquiryCompleted",
            enquiry_id="E1",
            conference_needed=True,
            occurred_at="2024-02-10",
        ),
        event(
            "InitialChildProtectionConferenceHeld",
            conference_id="K1",
            enquiry_id="E1",
            plan_decided=True,
            category_of_abuse="NEG",
            occurred_at="2024-02-20",
        ),
        event(
            "ChildProtectionPlanStarted",
            plan_id="CPP1",
            conference_id="K1",
            category_of_abuse="NEG",
            occurred_at="2024-02-20",
        ),
        *(
            [event("ChildProtectionReviewHeld", plan_id="CPP1", occurred_at=review_on)]
            if review_on
            else []
        ),
        event("ChildProtectionPlanEnded", plan_id="CPP1", occurred_at=ended_on),
    ]


def test_a_plan_ending_before_the_next_review_was_due_leaves_no_breach(
    seeded, event, record, project
):
    # Initial conference 20 February 2024: the first review is due 20 May, held that day;
    # the next would be due 20 November, but the plan ended on 1 September.
    record(seeded, *_on_a_plan(event, ended_on="2024-09-01", review_on="2024-05-20"))
    conn = _project(seeded, project)

    report = _report(conn, "2025-01-01")

    assert _due_dates(conn, "cp_review") == [
        (1, _on("2024-05-20"), _on("2024-05-20")),
        (2, _on("2024-11-20"), None),
    ]
    assert _counts(report, "cp_review") == (1, 1, 0, 0)
    assert _measure(report, "cp_review").lapsed == 1
    # the conference itself: 15 working days after Friday 2 February is Friday 23 February
    assert _due_dates(conn, "icpc") == [(1, _on("2024-02-23"), _on("2024-02-20"))]
    assert _breaches(report, "cp_review") == []


def test_a_review_missed_before_the_plan_ended_stays_overdue_after_it_ended(
    seeded, event, record, project
):
    record(seeded, *_on_a_plan(event, ended_on="2024-06-03", review_on=None))
    conn = _project(seeded, project)

    (breach,) = _breaches(_report(conn, "2025-01-01"), "cp_review")

    assert (breach.status, breach.due_on, breach.closed_on, breach.days_late) == (
        "overdue",
        _on("2024-05-20"),
        _on("2024-06-03"),
        14,
    )


# --- care leavers -----------------------------------------------------------------------


def test_pathway_reviews_and_personal_adviser_contact_for_a_care_leaver(
    seeded, event, record, project
):
    # C2, born 1 June 2006, looked after from 1 January 2023 until her 18th birthday: she
    # leaves care as an eligible child with personal adviser P1 allocated since 1 September
    # 2023. Pathway plan: reviewed at allocation, then due 6 months after each review.
    # Adviser contact: due 8 weeks (56 days) after leaving care, then after each contact.
    c2 = {"la_child_id": "C2"}
    record(
        seeded,
        event(
            "TeamEstablished",
            team_id="T-LC",
            name="Leaving care team",
            service="leaving_care",
            occurred_at="2020-01-01",
        ),
        event(
            "WorkerRegistered",
            worker_id="P1",
            name="Adviser One",
            role="personal_adviser",
            team_id="T-LC",
            occurred_at="2020-01-02",
        ),
        event(
            "ChildRegistered", sex="2", date_of_birth="2006-06-01", occurred_at="2022-12-01", **c2
        ),
        _in_care(event, "2023-01-01", **c2),
        event(
            "WorkerAllocated",
            allocation_id="PA1",
            worker_id="P1",
            role="personal_adviser",
            team_id="T-LC",
            occurred_at="2023-09-01",
            **c2,
        ),
        event("PathwayPlanReviewed", occurred_at="2023-09-01", **c2),
        event("PathwayPlanReviewed", occurred_at="2024-03-15", **c2),
        event("PeriodOfCareEnded", period_id="POC1", reason="E5", occurred_at="2024-06-01", **c2),
        event("PathwayPlanReviewed", occurred_at="2024-09-01", **c2),
        event("CareLeaverContactRecorded", in_touch="YES", occurred_at="2024-07-20", **c2),
        # not in touch: a record, not a contact
        event("CareLeaverContactRecorded", in_touch="NO", occurred_at="2024-09-10", **c2),
    )
    conn = _project(seeded, project)

    assert _due_dates(conn, "pathway_review") == [
        (1, _on("2024-03-01"), _on("2023-09-01")),
        (2, _on("2024-03-01"), _on("2024-03-15")),
        (3, _on("2024-09-15"), _on("2024-09-01")),
        (4, _on("2025-03-01"), None),
    ]
    assert _due_dates(conn, "pa_contact") == [
        (1, _on("2024-07-27"), _on("2024-07-20")),
        (2, _on("2024-09-14"), None),
    ]
    report = _report(conn, "2024-10-01")
    assert _counts(report, "pathway_review") == (3, 2, 1, 0)
    assert _counts(report, "pa_contact") == (2, 1, 0, 1)
    (overdue,) = _breaches(report, "pa_contact")
    assert (overdue.la_child_id, overdue.days_late, overdue.worker_id, overdue.team) == (
        "C2",
        17,
        "P1",
        "Leaving care team",
    )


# --- adoption and post-order support ----------------------------------------------------


def test_placed_for_adoption_within_12_months_then_post_order_visit_and_calls(
    seeded, event, record, project
):
    record(
        seeded,
        event(
            "CarerHouseholdApproved", household_id="H1", kind="adopter", occurred_at="2023-01-01"
        ),
        _lead(event),
        _in_care(event),
        event("AdoptionDecisionMade", decision_id="D1", occurred_at="2024-03-10"),
        event(
            "AdopterMatched", decision_id="D1", adopter_household_id="H1", occurred_at="2024-08-01"
        ),
        event(
            "PlacedForAdoption",
            decision_id="D1",
            adopter_household_id="H1",
            occurred_at="2024-09-01",
        ),
        event(
            "SupportContactRecorded",
            kind="post_order_support_visit",
            provider="Post-Adoption Support",
            duration_minutes=90,
            occurred_at="2024-10-20",
        ),
        event(
            "SupportContactRecorded",
            kind="post_order_support_call",
            provider="Post-Adoption Support",
            duration_minutes=20,
            occurred_at="2025-02-20",
        ),
    )
    conn = _project(seeded, project)

    assert _due_dates(conn, "adoption_placed") == [(1, _on("2025-03-10"), _on("2024-09-01"))]
    assert _due_dates(conn, "post_order_visit") == [(1, _on("2024-10-13"), _on("2024-10-20"))]
    assert _due_dates(conn, "post_order_call")[:3] == [
        (1, _on("2025-03-01"), _on("2025-02-20")),
        (2, _on("2025-09-01"), None),
        (3, _on("2026-03-01"), None),
    ]
    report = _report(conn, "2025-10-01")
    assert _counts(report, "adoption_placed") == (1, 1, 0, 0)
    assert _counts(report, "post_order_visit") == (1, 0, 1, 0)
    assert _counts(report, "post_order_call") == (2, 1, 0, 1)
    assert [
        (b.measure, b.status, b.days_late)
        for b in report.section("children").rows
        if b.measure.startswith("post_order")
    ] == [
        ("post_order_visit", "late", 7),
        ("post_order_call", "overdue", 30),
    ]


def test_a_post_order_visit_is_owed_after_a_special_guardianship_order_closes_the_case(
    seeded, event, record, project
):
    # SGO on 3 June 2024; the case closes that day. The visit is due 6 weeks later, 15 July.
    record(
        seeded,
        _lead(event),
        _in_care(event),
        event(
            "CourtOrderMade",
            order_id="O1",
            order_type="special_guardianship",
            occurred_at="2024-06-03",
        ),
        event("PeriodOfCareEnded", period_id="POC1", reason="E48", occurred_at="2024-06-03"),
        event("CaseClosed", reason="RC4", occurred_at="2024-06-03"),
    )
    conn = _project(seeded, project)

    (breach,) = _breaches(_report(conn, "2024-08-01"), "post_order_visit")

    assert (breach.status, breach.due_on, breach.days_late, breach.worker_id, breach.team) == (
        "overdue",
        _on("2024-07-15"),
        17,
        None,
        "no lead worker",
    )
