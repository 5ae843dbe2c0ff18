"""Ofsted's Annex A for an inspection on 31 March 2025: the council writes the workbook for
a small hand-built world and the inspectors open it.

The window is the six months before the inspection date (from 30 September 2024). C1 is
a girl who came through the front door twice (once in February 2024, outside the window,
and again in November) and changed social worker in January; C2 is a boy looked after
since October. Every expected cell is worked out by hand from the journeys.
"""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook
from worlds import on, two_teams

from projections import registry
from projections.annex_a import LISTS
from projections.api import Reports

INSPECTION = date(2025, 3, 31)


def referral_child(event):
    """C1 (born 1 June 2015): a school's contact and referral in February 2024 closed with
    no further action; a police contact and referral on 4 November 2024, allocated to W1;
    W1 leaves the case on 10 January 2025 and W3 takes it."""
    return [
        event(
            "ChildRegistered",
            sex="2",
            date_of_birth="2015-06-01",
            ethnicity="WBRI",
            occurred_at="2024-01-02",
        ),
        event(
            "ContactReceived",
            contact_id="CT0",
            contact_source="2A",
            outcome="referred",
            occurred_at="2024-02-01",
        ),
        event(
            "ReferralReceived",
            referral_id="R0",
            referral_source="2A",
            primary_need="N1",
            contact_id="CT0",
            occurred_at="2024-02-01",
        ),
        event("ReferralClosedNoFurtherAction", referral_id="R0", occurred_at="2024-02-05"),
        event(
            "ContactReceived",
            contact_id="CT1",
            contact_source="6",
            outcome="referred",
            occurred_at="2024-11-04",
        ),
        event(
            "ReferralReceived",
            referral_id="R1",
            referral_source="6",
            primary_need="N1",
            contact_id="CT1",
            occurred_at="2024-11-04",
        ),
        allocated(event, "C1", "A1", "W1", "T-CIN", "2024-11-04", "FCONTA"),
        event("WorkerAllocationEnded", allocation_id="A1", occurred_at="2025-01-10"),
        allocated(event, "C1", "A2", "W3", "T-CIN", "2025-01-10", "LEFTRL"),
    ]


def looked_after_child(event):
    """C2 (born 20 February 2010): accommodated under section 20 on 1 October 2024 with
    foster carers H1, an interim care order from 2 December, a move to a children's home
    on 20 January 2025 after the carers asked for it, missing for a night in February."""
    c2 = {"la_child_id": "C2"}
    return [
        event(
            "ChildRegistered",
            sex="1",
            date_of_birth="2010-02-20",
            ethnicity="BAFR",
            occurred_at="2024-01-02",
            **c2,
        ),
        allocated(event, "C2", "A1", "W2", "T-LAC", "2024-10-01", "FCONTA"),
        event(
            "PeriodOfCareStarted",
            period_id="POC1",
            legal_status="V2",
            category_of_need="N4",
            home_postcode="LE1 1AA",
            occurred_at="2024-10-01",
            **c2,
        ),
        event(
            "PlacementStarted",
            placement_id="P1",
            place="U6",
            provider="PR1",
            postcode="LE3 3CC",
            urn="1234567",
            carer_household_id="H1",
            occurred_at="2024-10-01",
            **c2,
        ),
        event(
            "StatutoryVisitMade",
            visit_id="V1",
            worker_id="W2",
            seen_alone=True,
            occurred_at="2024-10-07",
            **c2,
        ),
        event(
            "LookedAfterReviewHeld",
            review_id="LR1",
            review_code="PN1",
            occurred_at="2024-10-25",
            **c2,
        ),
        event("HealthAssessmentCompleted", occurred_at="2024-11-15", **c2),
        event("LegalStatusChanged", legal_status="C1", occurred_at="2024-12-02", **c2),
        event("PermanencePlanRecorded", plan="long_term_fostering", occurred_at="2024-12-10", **c2),
        event(
            "PlacementEnded",
            placement_id="P1",
            reason="CREQB",
            unplanned=True,
            occurred_at="2025-01-20",
            **c2,
        ),
        event(
            "PlacementStarted",
            placement_id="P2",
            place="K2",
            provider="PR4",
            postcode="LE4 4DD",
            urn="SC654321",
            occurred_at="2025-01-20",
            **c2,
        ),
        event("MissingEpisodeStarted", episode_id="M1", kind="M", occurred_at="2025-02-01", **c2),
        event(
            "MissingEpisodeEnded",
            episode_id="M1",
            return_interview_offered=True,
            return_interview_accepted=False,
            occurred_at="2025-02-02",
            **c2,
        ),
    ]


def allocated(event, child, allocation, worker, team, at, reason):
    return event(
        "WorkerAllocated",
        la_child_id=child,
        allocation_id=allocation,
        worker_id=worker,
        role="social_worker",
        team_id=team,
        reason=reason,
        occurred_at=at,
    )


@pytest.fixture
def world(ledger, event, record, project):
    on(ledger, "2025-03-31")
    record(
        ledger,
        *two_teams(event, W1="T-CIN", W2="T-LAC", W3="T-CIN"),
        event("CarerHouseholdApproved", household_id="H1", kind="foster", occurred_at="2020-01-01"),
        *referral_child(event),
        *looked_after_child(event),
    )
    project(ledger, *registry.PROJECTIONS)
    return ledger


def annex_a(ledger, allocated_worker="at-event"):
    with Reports(ledger.settings) as reports:
        return reports.annex_a(inspection_date=INSPECTION, allocated_worker=allocated_worker)


def cells(row):
    """A worksheet row as the lists hold it: an empty cell is ""."""
    return ["" if c.value is None else c.value for c in row]


C1 = ["C1", "b) Female", "WBRI", "01/06/2015", 9]
C2 = ["C2", "a) Male", "BAFR", "20/02/2010", 15]


def test_the_workbook_has_a_sheet_a_list_each_headed_with_ofsteds_columns(world, tmp_path):
    path = tmp_path / "annex-a.xlsx"
    annex = annex_a(world)

    annex.write_xlsx(path)

    book = load_workbook(path, read_only=True)
    assert book.sheetnames == [f"List {n}" for n in range(1, 12)]
    for n in range(1, 12):
        sheet = book[f"List {n}"]
        rows = list(sheet.iter_rows())
        assert tuple(c.value for c in rows[0]) == LISTS[n], n
        assert [cells(r) for r in rows[1:]] == annex.lists[n], n
    book.close()


def test_list_1_has_the_contact_in_the_window_only(world):
    # CT0 (1 February 2024) is before the six months
    assert annex_a(world).lists[1] == [[*C1, "04/11/2024", "Police"]]


def test_list_3_counts_the_referrals_of_the_twelve_months_before(world):
    assert annex_a(world).lists[3] == [
        # R0 (1 February 2024) is before the window but within 12 months of R1
        [*C1, "04/11/2024", "Police", "No", 1, "Child in need team", "W1"]
    ]


def test_allocated_worker_at_the_referral_or_on_the_inspection_date(world):
    at_event = annex_a(world, "at-event").lists[3]
    current = annex_a(world, "current").lists[3]

    assert [row[-2:] for row in at_event] == [["Child in need team", "W1"]]
    assert [row[-2:] for row in current] == [["Child in need team", "W3"]]


def test_list_8_has_the_looked_after_child_as_on_the_inspection_date(world):
    assert annex_a(world).lists[8] == [
        [
            *C2,
            "N",  # not UASC
            "b) No",  # no disability
            "01/10/2024",  # started to be looked after
            "N4",
            "N",  # first period of care
            "02/12/2024",  # the interim care order
            "C1",
            "25/10/2024",  # latest review
            "07/10/2024",  # last social work visit
            "f) Long-term fostering",
            "",  # no IRO contact recorded
            "15/11/2024",  # health assessment
            "",  # no dental check
            2,  # P1 and P2 in the last 12 months
            "",  # still looked after
            "",
            "20/01/2025",  # the children's home
            "K2",
            "PR4",
            "LE4 4DD",
            "SC654321",
            "",  # placement location and LA: left for the council (no postcode directory)
            "",
            1,  # missing once
            0,  # never absent
            "Y",  # offered a return interview
            "N",  # did not accept it
            "Looked after team",
            "W2",
        ]
    ]
