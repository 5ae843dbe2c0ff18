"""Caseloads: a manager asks who holds what on a date, and which open cases have no worker."""

from __future__ import annotations

from datetime import date

from projections import cases, workforce
from projections.caseloads import caseloads
from projections.settings import ReportSettings


def _referred(event, worker: str = "W1", on: str = "2024-02-01", allocation: str = "A1"):
    return [
        event(
            "ReferralReceived",
            referral_id="R1",
            referral_source="1A",
            primary_need="N1",
            occurred_at=on,
        ),
        event(
            "WorkerAllocated",
            allocation_id=allocation,
            worker_id=worker,
            role="social_worker",
            team_id="T-CIN",
            reason="MANAGE",
            swe_registration="SW1001",
            occurred_at=on,
        ),
    ]


def test_a_workers_open_cases_are_counted_by_kind_and_flagged_over_the_limit(
    seeded, event, record, project
):
    record(seeded, *_referred(event))
    conn = project(seeded, cases.PROJECTION, workforce.PROJECTION)
    low_limit = ReportSettings(caseload_limits={"child_in_need_social_worker": 0.5})

    report = caseloads(conn, as_at=date(2024, 3, 1), settings=low_limit)

    (row,) = report.section("workers").rows
    assert (row.worker_id, row.child_in_need, row.total) == ("W1", 1, 1)
    assert row.over_limit
    before = caseloads(conn, as_at=date(2024, 1, 20), settings=low_limit)
    assert before.section("workers").rows[0].total == 0


def test_an_open_case_whose_worker_was_taken_off_is_in_the_unallocated_queue_since_then(
    seeded, event, record, project
):
    record(
        seeded,
        *_referred(event),
        event("WorkerAllocationEnded", allocation_id="A1", occurred_at="2024-02-10"),
    )
    conn = project(seeded, cases.PROJECTION, workforce.PROJECTION)

    queue = caseloads(conn, as_at=date(2024, 3, 1), settings=ReportSettings()).section(
        "unallocated"
    )

    (row,) = queue.rows
    assert (row.la_child_id, row.case_kind, row.unallocated_since, row.days) == (
        "C1",
        "child_in_need",
        date(2024, 2, 10),
        20,
    )


def test_a_retracted_allocation_no_longer_counts(seeded, event, record, project):
    stored = record(seeded, *_referred(event))
    allocation = stored[1]
    record(
        seeded,
        event(
            "EventRetracted",
            target_event_id=str(allocation.event_id),
            reason="allocated to the wrong child",
            occurred_at="2024-02-02",
        ),
    )
    conn = project(seeded, cases.PROJECTION, workforce.PROJECTION)

    report = caseloads(conn, as_at=date(2024, 3, 1), settings=ReportSettings())

    assert report.section("workers").rows[0].total == 0
    assert [r.la_child_id for r in report.section("unallocated").rows] == ["C1"]


def test_a_case_whose_worker_left_before_it_was_reallocated_is_in_the_queue(
    seeded, event, record, project
):
    record(
        seeded,
        *_referred(event),
        event("WorkerLeft", worker_id="W1", occurred_at="2024-02-20"),
    )
    conn = project(seeded, cases.PROJECTION, workforce.PROJECTION)

    report = caseloads(conn, as_at=date(2024, 3, 1), settings=ReportSettings())

    assert report.section("workers").rows == []  # W1 is no longer in post
    (row,) = report.section("unallocated").rows
    assert (row.la_child_id, row.unallocated_since, row.days) == ("C1", date(2024, 2, 20), 10)
    assert row.why == "lead worker W1 has left"
    before = caseloads(conn, as_at=date(2024, 2, 10), settings=ReportSettings())
    assert before.section("unallocated").rows == []


def test_a_care_leaver_whose_adviser_allocation_ended_is_an_unallocated_care_leaver(
    seeded, event, record, project
):
    # C2, born 2006-06-01, in care from 2023-01-01 to her 18th birthday: she leaves care
    # eligible for support; her personal adviser's allocation ends 2024-09-30 (she is 18).
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
        event(
            "PeriodOfCareStarted",
            period_id="POC1",
            legal_status="V2",
            category_of_need="N4",
            occurred_at="2023-01-01",
            **c2,
        ),
        event(
            "WorkerAllocated",
            allocation_id="PA1",
            worker_id="P1",
            role="personal_adviser",
            team_id="T-LC",
            occurred_at="2023-09-01",
            **c2,
        ),
        event("PeriodOfCareEnded", period_id="POC1", reason="E5", occurred_at="2024-06-01", **c2),
        event("WorkerAllocationEnded", allocation_id="PA1", occurred_at="2024-09-30", **c2),
    )
    conn = project(seeded, cases.PROJECTION, workforce.PROJECTION)

    with_adviser = caseloads(conn, as_at=date(2024, 8, 1), settings=ReportSettings())
    (p1,) = [r for r in with_adviser.section("workers").rows if r.worker_id == "P1"]
    assert (p1.care_leaver, p1.total) == (1, 1)
    assert with_adviser.section("unallocated").rows == []

    without = caseloads(conn, as_at=date(2024, 10, 15), settings=ReportSettings())
    (row,) = without.section("unallocated").rows
    assert (row.la_child_id, row.case_kind, row.unallocated_since) == (
        "C2",
        "care_leaver",
        date(2024, 9, 30),
    )
    after_21 = caseloads(conn, as_at=date(2027, 6, 2), settings=ReportSettings())
    assert after_21.section("unallocated").rows == []
