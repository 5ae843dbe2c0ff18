"""Continuity: a manager asks whether children kept one social worker from the start of
their assessment to the final order, why workers changed, and how often looked-after
children changed social worker in the last year. Expected answers are worked out by hand
from each journey."""

from __future__ import annotations

from datetime import date

import pytest

from projections import cases, continuity, workforce
from projections.continuity import ContinuitySettings
from projections.settings import ReportSettings

SCRUTINY = {
    "team_manager": "TM1",
    "service_manager": "SM1",
    "rationale": "Relationship with the parents broke down; complaint upheld",
}


@pytest.fixture
def council(seeded, event, record):
    """Beside the seeded child-in-need team T-CIN and W1: a front door, a looked-after and
    a 16+ team, and social workers W0 (front door), W2 (child in need), W3 and W4
    (looked after)."""
    teams = [
        ("T-DUTY", "Duty and Advice", "front_door"),
        ("T-LAC", "Looked after team", "looked_after"),
        ("T-16", "16+ team", "leaving_care"),
    ]
    workers = [("W0", "T-DUTY"), ("W2", "T-CIN"), ("W3", "T-LAC"), ("W4", "T-LAC")]
    record(
        seeded,
        *(
            event("TeamEstablished", team_id=t, name=n, service=s, occurred_at="2020-01-01")
            for t, n, s in teams
        ),
        *(
            event(
                "WorkerRegistered",
                worker_id=w,
                name=f"Worker {w}",
                role="social_worker",
                team_id=t,
                swe_registration=f"SW20{w[1:]}",
                occurred_at="2020-01-02",
            )
            for w, t in workers
        ),
    )
    return seeded


def referral(event, at="2024-02-01", child="C1", referral_id="R1"):
    return event(
        "ReferralReceived",
        la_child_id=child,
        referral_id=referral_id,
        referral_source="1A",
        primary_need="N1",
        occurred_at=at,
    )


def allocated(event, allocation_id, worker, at, *, team="T-CIN", reason="FCONTA", **more):
    return event(
        "WorkerAllocated",
        allocation_id=allocation_id,
        worker_id=worker,
        role="social_worker",
        team_id=team,
        reason=reason,
        occurred_at=at,
        **more,
    )


def transferred(event, allocation_id, worker, at, *, from_team, to_team, reason="TSPROC", **more):
    return event(
        "CaseTransferred",
        transfer_id=f"TR-{allocation_id}",
        from_team_id=from_team,
        to_team_id=to_team,
        allocation_id=allocation_id,
        worker_id=worker,
        reason=reason,
        occurred_at=at,
        **more,
    )


def assessment(event, at="2024-02-05", child="C1"):
    return event(
        "AssessmentStarted",
        la_child_id=child,
        assessment_id="ASM1",
        referral_id="R1",
        occurred_at=at,
    )


def order(event, order_type, at, order_id="O1"):
    return event("CourtOrderMade", order_id=order_id, order_type=order_type, occurred_at=at)


def report(conn, **kwargs):
    return continuity.continuity(conn, settings=ReportSettings(), **kwargs)


def run(ledger, project):
    return project(ledger, cases.PROJECTION, workforce.PROJECTION, continuity.PROJECTION)


# --- journeys -----------------------------------------------------------------------------


def test_one_worker_to_a_care_order_then_the_sanctioned_move_to_looked_after(
    council, event, record, project
):
    record(
        council,
        referral(event),
        allocated(event, "A1", "W1", "2024-02-01"),
        assessment(event),
        event(
            "CareProceedingsIssued",
            proceedings_id="PR1",
            court_reference="ZE24C001",
            occurred_at="2024-04-01",
        ),
        event(
            "PeriodOfCareStarted",
            period_id="POC1",
            legal_status="C2",
            category_of_need="N1",
            occurred_at="2024-07-15",
        ),
        event(
            "CourtOrderMade",
            order_id="O1",
            order_type="care",
            proceedings_id="PR1",
            occurred_at="2024-07-15",
        ),
        event("CareProceedingsConcluded", proceedings_id="PR1", occurred_at="2024-07-15"),
        transferred(event, "A2", "W3", "2024-07-25", from_team="T-CIN", to_team="T-LAC"),
    )
    conn = run(council, project)

    result = report(conn, from_date=date(2024, 1, 1), to_date=date(2024, 12, 31))

    (journey,) = result.section("journeys").rows
    assert (journey.la_child_id, journey.order_type, journey.order_date) == (
        "C1",
        "care",
        date(2024, 7, 15),
    )
    assert (journey.assessment_start, journey.quarter) == (date(2024, 2, 5), "2024-Q3")
    assert (journey.team_id, journey.team, journey.worker_id) == (
        "T-CIN",
        "Child in need team",
        "W1",
    )
    assert (journey.lead_workers, journey.one_worker, journey.changes) == (1, True, 0)
    assert journey.days_unallocated == 0
    (team,) = result.section("by_team").rows
    assert (team.team, team.journeys, team.one_worker, team.one_worker_pct) == (
        "Child in need team",
        1,
        1,
        100.0,
    )
    assert [(q.period, q.one_worker_pct) for q in result.section("by_quarter").rows] == [
        ("2024-Q3", 100.0)
    ]
    # The move to the looked-after team after the order is a sanctioned transfer point,
    # counted apart from other changes.
    (change,) = result.section("changes").rows
    assert (change.from_worker_id, change.to_worker_id, change.reason) == ("W1", "W3", "TSPROC")
    assert (change.transfer_point, change.sanctioned, change.exceptional) == (
        "child in need to looked after",
        True,
        False,
    )
    assert [(c.transfer_point, c.changes) for c in result.section("transfer_points").rows] == [
        ("child in need to looked after", 1)
    ]
    assert "1 at sanctioned transfer points, 0 other" in result.headline
    assert "1 (100.0%) with one lead social worker" in result.headline
    # --team by name or id; another team has no journeys.
    assert len(report(conn, team="Child in need team").section("journeys").rows) == 1
    assert report(conn, team="T-LAC").section("journeys").rows == []
    # --from/--to select by the date of the order.
    assert report(conn, from_date=date(2024, 8, 1)).section("journeys").rows == []


def _leftrl_journey(event):
    return [
        referral(event),
        allocated(event, "A1", "W1", "2024-02-01"),
        assessment(event),
        event("WorkerAllocationEnded", allocation_id="A1", occurred_at="2024-04-10"),
        allocated(event, "A2", "W2", "2024-04-15", reason="LEFTRL"),
        order(event, "special_guardianship", "2024-08-01"),
    ]


def test_a_worker_who_left_means_not_one_worker_with_the_reason_and_the_gap_shown(
    council, event, record, project
):
    record(council, *_leftrl_journey(event))
    conn = run(council, project)

    result = report(conn)

    (journey,) = result.section("journeys").rows
    assert (journey.lead_workers, journey.one_worker) == (2, False)
    assert (journey.changes, journey.sanctioned_transfers, journey.other_changes) == (1, 0, 1)
    assert journey.reasons == "LEFTRL"
    assert journey.exceptional == 0  # a worker leaving is not a manager's choice
    assert journey.days_unallocated == 5  # 10 to 14 April
    assert (journey.worker_id, journey.order_type) == ("W2", "special_guardianship")
    (change,) = result.section("changes").rows
    assert (change.changed_on, change.from_worker_id, change.to_worker_id) == (
        date(2024, 4, 15),
        "W1",
        "W2",
    )
    assert (change.reason, change.transfer_point, change.days_unallocated) == (
        "LEFTRL",
        "other change",
        5,
    )
    (overall,) = result.section("overall").rows
    assert (overall.journeys, overall.one_worker, overall.one_worker_pct) == (1, 0, 0.0)


def test_a_retracted_reallocation_leaves_one_worker_and_a_long_gap(council, event, record, project):
    stored = record(council, *_leftrl_journey(event))
    record(
        council,
        event(
            "EventRetracted",
            target_event_id=str(stored[4].event_id),
            reason="allocated to the wrong child",
            occurred_at="2024-08-02",
        ),
    )
    conn = run(council, project)

    (journey,) = report(conn).section("journeys").rows

    assert (journey.lead_workers, journey.one_worker, journey.changes) == (1, True, 0)
    assert journey.days_unallocated == 113  # 10 April to 31 July
    assert journey.team_id == "T-CIN"


def test_a_corrected_order_date_before_the_change_makes_it_one_worker(
    council, event, record, project
):
    stored = record(council, *_leftrl_journey(event))
    record(
        council,
        event(
            "EventCorrected",
            target_event_id=str(stored[5].event_id),
            reason="the order was made in March; August was the date it was typed",
            changes={"occurred_at": "2024-03-28"},
        ),
    )
    conn = run(council, project)

    result = report(conn)

    (journey,) = result.section("journeys").rows
    assert (journey.order_date, journey.quarter) == (date(2024, 3, 28), "2024-Q1")
    assert (journey.lead_workers, journey.one_worker, journey.changes) == (1, True, 0)
    # The change still happened; it is now after the order, outside the journey.
    assert [c.reason for c in result.section("changes").rows] == ["LEFTRL"]


def test_a_case_unallocated_when_the_assessment_started_counts_the_gap_not_a_change(
    council, event, record, project
):
    record(
        council,
        referral(event),
        allocated(event, "A1", "W1", "2024-02-01"),
        event("WorkerAllocationEnded", allocation_id="A1", occurred_at="2024-02-03"),
        assessment(event, at="2024-02-05"),
        allocated(event, "A2", "W2", "2024-02-12", reason="LEFTRL"),
        order(event, "care", "2024-06-03"),
    )
    conn = run(council, project)

    result = report(conn)

    (journey,) = result.section("journeys").rows
    # W1 had gone before the assessment started: W2 is the only worker of the journey.
    assert (journey.lead_workers, journey.one_worker, journey.changes) == (1, True, 0)
    assert journey.days_unallocated == 7  # 5 to 11 February
    assert [(c.from_worker_id, c.to_worker_id) for c in result.section("changes").rows] == [
        ("W1", "W2")
    ]


def test_the_same_worker_carrying_the_case_into_another_team_is_not_a_change(
    council, event, record, project
):
    record(
        council,
        referral(event),
        allocated(event, "A1", "W1", "2024-02-01"),
        assessment(event),
        order(event, "care", "2024-06-03"),
        transferred(event, "A2", "W1", "2024-06-10", from_team="T-CIN", to_team="T-LAC"),
        order(event, "adoption", "2025-03-03", order_id="O2"),
    )
    conn = run(council, project)

    result = report(conn)

    assert result.section("changes").rows == []
    assert [(j.order_type, j.lead_workers) for j in result.section("journeys").rows] == [
        ("care", 1),
        ("adoption", 1),
    ]
    assert result.section("journeys").rows[1].team_id == "T-LAC"


def test_a_new_worker_after_the_case_closed_is_a_fresh_start_not_a_change(
    council, event, record, project
):
    record(
        council,
        referral(event),
        allocated(event, "A1", "W1", "2024-02-01"),
        event("CaseClosed", reason="RC1", occurred_at="2024-03-01"),
        referral(event, at="2024-05-01", referral_id="R2"),
        allocated(event, "A2", "W2", "2024-05-01"),
    )
    conn = run(council, project)

    assert report(conn).section("changes").rows == []


def test_exceptional_reallocations_are_counted_with_and_without_scrutiny(
    council, event, record, project
):
    record(
        council,
        referral(event),
        allocated(event, "A1", "W1", "2024-02-01"),
        assessment(event),
        transferred(
            event,
            "A2",
            "W2",
            "2024-03-01",
            from_team="T-CIN",
            to_team="T-CIN",
            reason="PCCHAN",
            exceptional=True,
            scrutiny=SCRUTINY,
        ),
        event("WorkerAllocationEnded", allocation_id="A2", occurred_at="2024-05-01"),
        allocated(event, "A3", "W1", "2024-05-01", reason="MANAGE"),
        order(event, "child_arrangements", "2024-06-03"),
    )
    conn = run(council, project)

    result = report(conn)

    (journey,) = result.section("journeys").rows
    assert (journey.lead_workers, journey.changes, journey.reasons) == (2, 2, "PCCHAN, MANAGE")
    assert (journey.exceptional, journey.with_scrutiny) == (2, 1)
    assert [(c.reason, c.exceptional, c.scrutiny) for c in result.section("changes").rows] == [
        ("PCCHAN", True, True),
        ("MANAGE", True, False),
    ]
    (team,) = result.section("by_team").rows
    assert (team.exceptional, team.with_scrutiny, team.other_changes) == (2, 1, 2)
    assert "2 exceptional reallocations (1 with scrutiny recorded)" in result.headline


def test_an_adoption_order_after_a_placement_order_is_its_own_journey_from_the_same_start(
    council, event, record, project
):
    record(
        council,
        referral(event),
        allocated(event, "A1", "W1", "2024-02-01"),
        assessment(event),
        order(event, "care", "2024-06-03", order_id="O1"),
        order(event, "placement", "2024-06-03", order_id="O2"),
        order(event, "adoption", "2025-03-03", order_id="O3"),
    )
    conn = run(council, project)

    result = report(conn)

    rows = result.section("journeys").rows
    assert [(j.order_type, j.assessment_start, j.order_date, j.lead_workers) for j in rows] == [
        ("care+placement", date(2024, 2, 5), date(2024, 6, 3), 1),
        ("adoption", date(2024, 2, 5), date(2025, 3, 3), 1),
    ]
    assert [(q.period, q.journeys, q.one_worker) for q in result.section("by_quarter").rows] == [
        ("2024-Q2", 1, 1),
        ("2025-Q1", 1, 1),
    ]


def test_front_door_handover_is_sanctioned_and_a_move_to_looked_after_without_an_order_is_not(
    council, event, record, project
):
    record(
        council,
        referral(event),
        allocated(event, "A1", "W0", "2024-02-01", team="T-DUTY"),
        transferred(event, "A2", "W1", "2024-02-02", from_team="T-DUTY", to_team="T-CIN"),
        assessment(event, at="2024-02-02"),
        event(
            "PeriodOfCareStarted",
            period_id="POC1",
            legal_status="V2",
            category_of_need="N1",
            occurred_at="2024-04-01",
        ),
        transferred(event, "A3", "W3", "2024-04-20", from_team="T-CIN", to_team="T-LAC"),
    )
    conn = run(council, project)

    points = report(conn).section("changes").rows

    # C1 is 8: accommodated under section 20 with no order, the move is not a sanctioned point.
    assert [(c.transfer_point, c.sanctioned) for c in points] == [
        ("front door to child in need", True),
        ("other change", False),
    ]


def test_a_move_from_a_looked_after_team_to_the_16_plus_team_is_sanctioned(
    council, event, record, project
):
    record(
        council,
        referral(event),
        allocated(event, "A1", "W3", "2024-02-01", team="T-LAC"),
        transferred(event, "A2", "W2", "2024-09-01", from_team="T-LAC", to_team="T-16"),
    )
    conn = run(council, project)

    (change,) = report(conn).section("changes").rows

    assert (change.from_team, change.to_team) == ("Looked after team", "16+ team")
    assert (change.transfer_point, change.sanctioned) == ("looked after to 16+", True)


def test_an_accommodated_16_year_old_fast_tracks_to_looked_after(council, event, record, project):
    record(
        council,
        event(
            "ChildRegistered",
            la_child_id="C2",
            sex="1",
            date_of_birth="2007-09-01",
            occurred_at="2024-01-02",
        ),
        referral(event, child="C2"),
        allocated(event, "A1", "W1", "2024-02-01", la_child_id="C2"),
        event(
            "PeriodOfCareStarted",
            la_child_id="C2",
            period_id="POC1",
            legal_status="V2",
            category_of_need="N1",
            occurred_at="2024-02-10",
        ),
        transferred(
            event, "A2", "W3", "2024-02-20", from_team="T-CIN", to_team="T-LAC", la_child_id="C2"
        ),
    )
    conn = run(council, project)

    (fast,) = report(conn).section("changes").rows
    assert (fast.la_child_id, fast.transfer_point, fast.sanctioned) == (
        "C2",
        "child in need to looked after",
        True,
    )
    strict = continuity.continuity(
        conn, settings=ReportSettings(), options=ContinuitySettings(fast_track_sanctioned=False)
    )
    assert strict.section("changes").rows[0].transfer_point == "other change"


# --- looked-after children: changes in the last 12 months ------------------------------


def _looked_after_child(event, child, changes_on, *, in_care=True):
    """A child registered, referred and allocated W3 in the looked-after team on 2024-01-10,
    looked after from 2024-01-15 (unless not), then moved between W4 and W3 on each date."""
    events = [
        event(
            "ChildRegistered",
            la_child_id=child,
            sex="2",
            date_of_birth="2014-05-01",
            occurred_at="2024-01-05",
        ),
        referral(event, at="2024-01-10", child=child),
        allocated(event, "A0", "W3", "2024-01-10", team="T-LAC", la_child_id=child),
    ]
    if in_care:
        events.append(
            event(
                "PeriodOfCareStarted",
                la_child_id=child,
                period_id="POC1",
                legal_status="C2",
                category_of_need="N1",
                occurred_at="2024-01-15",
            )
        )
    for i, on in enumerate(changes_on, start=1):
        events.append(
            transferred(
                event,
                f"A{i}",
                "W4" if i % 2 else "W3",
                on,
                from_team="T-LAC",
                to_team="T-LAC",
                reason="LEFTRL",
                la_child_id=child,
            )
        )
    return events


def test_looked_after_children_by_changes_of_social_worker_in_the_last_12_months(
    council, event, record, project
):
    record(
        council,
        # no change at all
        *_looked_after_child(event, "L0", []),
        # 30 June 2024 is a year before the date: outside; 1 March 2025 inside
        *_looked_after_child(event, "L1", ["2024-06-30", "2025-03-01"]),
        # May 2024 is outside; September and January inside
        *_looked_after_child(event, "L2", ["2024-05-01", "2024-09-01", "2025-01-10"]),
        # four changes inside, the last on the date itself
        *_looked_after_child(event, "L3", ["2024-07-01", "2024-10-01", "2025-02-01", "2025-06-30"]),
        # changes, but not looked after: not in the measure
        *_looked_after_child(event, "N1", ["2024-09-01"], in_care=False),
    )
    conn = run(council, project)

    result = report(conn, as_at=date(2025, 6, 30))

    rows = result.section("looked_after_changes").rows
    assert [(r.changes_in_12_months, r.children, r.share_pct) for r in rows] == [
        ("0", 1, 25.0),
        ("1", 1, 25.0),
        ("2", 1, 25.0),
        ("3+", 1, 25.0),
    ]
    assert "looked after on 2025-06-30: 4 children, 1 with 3 or more changes" in result.headline
    # A year earlier: L1 (30 June) and L2 (1 May) had one change each.
    earlier = report(conn, as_at=date(2024, 6, 30)).section("looked_after_changes").rows
    assert [(r.changes_in_12_months, r.children) for r in earlier] == [
        ("0", 2),
        ("1", 2),
        ("2", 0),
        ("3+", 0),
    ]
