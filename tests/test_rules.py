"""One test per hard rule (child.py and reference.py): each rejected append names its rule,
its field and a phrase a social worker would read, and stores nothing. Positive tests sit
next to the rules that are easy to get wrong.

The seeded world (conftest): team T-CIN established 2020-01-01, social worker W1 (SW1001)
registered 2020-01-02, child C1 born 2015-06-01 and registered 2024-01-02.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from journey.events import EVENT_TYPES, LONDON
from journey.ledger import Ledger
from journey.results import Problem


def stream_length(ledger: Ledger, payload: dict[str, Any]) -> int:
    """How many events the payload's own stream holds."""
    model = EVENT_TYPES[payload["type"]]
    name = payload[model.stream_key()]
    if model.stream == "child":
        return len(ledger.child_records(name))
    return len(ledger.stream_records(ledger.stream_id(model.stream, name)))


def assert_rejected(
    ledger: Ledger, payload: dict[str, Any], *, rule: str, field: str | None, phrase: str
) -> Problem:
    """Append `payload`; it must be rejected for `rule` on `field` with `phrase` in the
    message, and its stream must be exactly as long as before."""
    before = stream_length(ledger, payload)
    result = ledger.append(payload)
    assert result.status == "rejected", result
    assert len(result.problems) == 1, result.problems
    problem = result.problems[0]
    assert problem.rule == rule, problem
    assert problem.field == field, problem
    assert phrase in problem.message, problem
    assert stream_length(ledger, payload) == before
    return problem


# --- small builders for the payloads the tests repeat ------------------------------------


def referral(event, referral_id="R1", at="2024-02-01"):
    return event(
        "ReferralReceived",
        referral_id=referral_id,
        referral_source="1A",
        primary_need="N1",
        occurred_at=at,
    )


def period_of_care(event, period_id="POC1", at="2024-03-01", legal_status="C2"):
    return event(
        "PeriodOfCareStarted",
        period_id=period_id,
        legal_status=legal_status,
        category_of_need="N1",
        occurred_at=at,
    )


def placement(event, placement_id="PL1", at="2024-03-05", **fields):
    fields = {"place": "U1", "provider": "PR1", **fields}
    return event("PlacementStarted", placement_id=placement_id, occurred_at=at, **fields)


def lead_allocation(event, allocation_id="A1", worker_id="W1", at="2024-02-01", team="T-CIN"):
    return event(
        "WorkerAllocated",
        allocation_id=allocation_id,
        worker_id=worker_id,
        swe_registration="SW1001",
        role="social_worker",
        team_id=team,
        reason="MANAGE",
        occurred_at=at,
    )


def worker(event, worker_id, role="social_worker", team="T-CIN", at="2020-01-02"):
    return event(
        "WorkerRegistered",
        worker_id=worker_id,
        name=f"Worker {worker_id}",
        role=role,
        team_id=team,
        occurred_at=at,
    )


def household(event, household_id="H1", kind="foster", at="2023-01-01"):
    return event("CarerHouseholdApproved", household_id=household_id, kind=kind, occurred_at=at)


def child_protection_up_to_conference(event, plan_decided=True, conference_id="K1"):
    """A referral, a strategy discussion that decided on a section 47 enquiry, the
    enquiry, and an initial conference."""
    fields = {"category_of_abuse": "NEG"} if plan_decided else {}
    return [
        referral(event),
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
            conference_id=conference_id,
            enquiry_id="E1",
            plan_decided=plan_decided,
            occurred_at="2024-02-20",
            **fields,
        ),
    ]


@pytest.fixture
def referred(seeded, event, record):
    """C1 with referral R1 open since 2024-02-01."""
    record(seeded, referral(event))
    return seeded


@pytest.fixture
def in_care(seeded, event, record):
    """C1 looked after (period POC1, legal status C2) since 2024-03-01."""
    record(seeded, period_of_care(event))
    return seeded


@pytest.fixture
def placed(in_care, event, record):
    """C1 in care and in placement PL1 (U1, PR1) since 2024-03-05."""
    record(in_care, placement(event))
    return in_care


@pytest.fixture
def second_team(seeded, event, record):
    """Team T-LAC (looked after) and social worker W2 in it, beside the seeded world."""
    record(
        seeded,
        event(
            "TeamEstablished",
            team_id="T-LAC",
            name="Looked after team",
            service="looked_after",
            occurred_at="2020-01-01",
        ),
        worker(event, "W2", team="T-LAC"),
    )
    return seeded


# --- identity and time ------------------------------------------------------------------


def test_a_second_registration_of_the_same_child_is_rejected(seeded, event):
    assert_rejected(
        seeded,
        event("ChildRegistered", sex="1", date_of_birth="2016-01-01", occurred_at="2024-02-01"),
        rule="one_registration_per_child",
        field="la_child_id",
        phrase="child C1 is already registered",
    )


def test_an_event_for_a_child_never_registered_is_rejected(seeded, event):
    assert_rejected(
        seeded,
        referral(event) | {"la_child_id": "C9"},
        rule="child_not_registered",
        field="la_child_id",
        phrase="register the child (ChildRegistered) before recording anything else",
    )


def test_a_new_referral_after_the_childs_death_is_rejected(seeded, event, record):
    record(seeded, event("ChildDied", occurred_at="2024-03-01"))
    assert_rejected(
        seeded,
        referral(event, at="2024-03-05"),
        rule="child_has_died",
        field=None,
        phrase="only endings and closures may follow",
    )


def test_work_done_before_a_death_can_still_be_recorded_late(referred, event, record):
    record(
        referred,
        event("CINPlanStarted", plan_id="CIN1", occurred_at="2024-02-05"),
        event("ChildDied", occurred_at="2024-03-01"),
        event("StatutoryVisitMade", visit_id="V1", worker_id="W1", occurred_at="2024-02-20"),
    )
    assert "V1" in referred.child("C1").visits
    assert_rejected(
        referred,
        event("StatutoryVisitMade", visit_id="V2", worker_id="W1", occurred_at="2024-03-02"),
        rule="child_has_died",
        field=None,
        phrase="only endings and closures may follow",
    )


def test_an_open_referral_can_still_be_closed_after_the_childs_death(referred, event, record):
    record(referred, event("ChildDied", occurred_at="2024-03-01"))
    record(
        referred,
        event("ReferralClosedNoFurtherAction", referral_id="R1", occurred_at="2024-03-02"),
    )
    assert referred.child("C1").referrals["R1"].end is not None


def test_an_event_dated_in_the_future_is_rejected(seeded, event):
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert_rejected(
        seeded,
        referral(event, at=tomorrow),
        rule="occurred_at_in_future",
        field="occurred_at",
        phrase="occurred_at is in the future",
    )


def test_an_event_a_minute_ahead_of_the_ledger_clock_is_accepted(seeded, event, record):
    record(seeded, referral(event, at=(datetime.now(UTC) + timedelta(minutes=1)).isoformat()))


def test_care_dated_before_the_date_of_birth_is_rejected(seeded, event):
    assert_rejected(
        seeded,
        period_of_care(event, at="2015-05-01"),
        rule="before_birth",
        field="occurred_at",
        phrase="before the child is born",
    )


def test_an_unborn_child_cannot_start_to_be_looked_after(ledger, event, record):
    record(
        ledger,
        event(
            "ChildRegistered",
            sex="9",
            expected_date_of_birth="2024-09-01",
            occurred_at="2024-03-01",
        ),
    )
    assert_rejected(
        ledger,
        period_of_care(event, at="2024-03-10"),
        rule="before_birth",
        field="occurred_at",
        phrase="PeriodOfCareStarted cannot be recorded before the child is born",
    )


def test_protective_work_for_an_unborn_baby_is_accepted(ledger, event, record):
    """Pre-birth strategy discussions, conferences and child protection plans are
    ordinary practice, recorded before the birth."""
    record(
        ledger,
        event(
            "ChildRegistered",
            sex="9",
            expected_date_of_birth="2024-09-01",
            occurred_at="2024-01-15",
        ),
    )
    record(ledger, *child_protection_up_to_conference(event))
    record(
        ledger,
        event(
            "ChildProtectionPlanStarted",
            plan_id="CP1",
            conference_id="K1",
            category_of_abuse="NEG",
            occurred_at="2024-02-21",
        ),
    )
    assert ledger.child("C1").open_in(ledger.child("C1").cp_plans) == "CP1"


def test_a_pre_birth_referral_and_assessment_with_an_expected_date_are_accepted(
    ledger, event, record
):
    record(
        ledger,
        event(
            "ChildRegistered",
            sex="9",
            expected_date_of_birth="2024-09-01",
            occurred_at="2024-03-01",
        ),
        referral(event, at="2024-03-05"),
        event("AssessmentStarted", assessment_id="AS1", referral_id="R1", occurred_at="2024-03-06"),
    )
    child = ledger.child("C1")
    assert child.referrals["R1"].open
    assert child.assessments["AS1"].open
    assert child.date_of_birth is None


def test_a_date_of_birth_after_the_update_that_records_it_is_rejected(seeded, event):
    assert_rejected(
        seeded,
        event("ChildDetailsUpdated", date_of_birth="2024-06-01", occurred_at="2024-03-01"),
        rule="birth_in_future",
        field="date_of_birth",
        phrase="date_of_birth is after the event that records it",
    )


def test_a_registration_with_a_date_of_birth_after_it_was_made_is_rejected(ledger, event):
    result = ledger.append(
        event(
            "ChildRegistered",
            la_child_id="C2",
            sex="1",
            date_of_birth="2025-01-01",
            occurred_at="2024-03-01",
        )
    )
    assert result.status == "rejected"


# --- front door -------------------------------------------------------------------------


def test_a_contact_id_recorded_twice_is_rejected(seeded, event, record):
    contact = {"contact_source": "1A", "outcome": "advice_given"}
    record(seeded, event("ContactReceived", contact_id="CT1", occurred_at="2024-02-01", **contact))
    assert_rejected(
        seeded,
        event("ContactReceived", contact_id="CT1", occurred_at="2024-02-02", **contact),
        rule="contact_id_unique",
        field="contact_id",
        phrase="contact CT1 is already recorded",
    )


def test_a_second_open_referral_is_rejected(referred, event):
    assert_rejected(
        referred,
        referral(event, "R2", at="2024-02-10"),
        rule="one_open_referral",
        field="referral_id",
        phrase="referral R1 is still open",
    )


def test_a_referral_id_used_again_after_it_closed_is_rejected(referred, event, record):
    record(
        referred,
        event("ReferralClosedNoFurtherAction", referral_id="R1", occurred_at="2024-02-05"),
    )
    assert_rejected(
        referred,
        referral(event, "R1", at="2024-03-01"),
        rule="referral_id_unique",
        field="referral_id",
        phrase="referral R1 is already recorded",
    )


def test_closing_a_referral_that_is_already_closed_is_rejected(referred, event, record):
    record(
        referred,
        event("ReferralClosedNoFurtherAction", referral_id="R1", occurred_at="2024-02-05"),
    )
    assert_rejected(
        referred,
        event("ReferralClosedNoFurtherAction", referral_id="R1", occurred_at="2024-02-06"),
        rule="referral_not_open",
        field="referral_id",
        phrase="not open (already ended): nothing can be ended that is not open",
    )


def test_closing_a_referral_before_it_was_received_is_rejected(referred, event):
    assert_rejected(
        referred,
        event("ReferralClosedNoFurtherAction", referral_id="R1", occurred_at="2024-01-20"),
        rule="ends_before_it_starts",
        field="occurred_at",
        phrase="before the referral started (2024-02-01)",
    )


# --- assessment -------------------------------------------------------------------------


def test_an_assessment_without_an_open_referral_is_rejected(seeded, event):
    assert_rejected(
        seeded,
        event("AssessmentStarted", assessment_id="AS1", referral_id="R9", occurred_at="2024-02-02"),
        rule="assessment_needs_open_referral",
        field="referral_id",
        phrase="an assessment belongs to an open referral; R9 is not open",
    )


def test_an_assessment_id_started_twice_is_rejected(referred, event, record):
    record(
        referred,
        event("AssessmentStarted", assessment_id="AS1", referral_id="R1", occurred_at="2024-02-02"),
    )
    assert_rejected(
        referred,
        event("AssessmentStarted", assessment_id="AS1", referral_id="R1", occurred_at="2024-02-03"),
        rule="assessment_id_unique",
        field="assessment_id",
        phrase="assessment AS1 is already recorded",
    )


def test_completing_an_assessment_never_started_is_rejected(referred, event):
    assert_rejected(
        referred,
        event(
            "AssessmentCompleted",
            assessment_id="AS9",
            authorised_on="2024-02-10",
            outcome="early_help",
            occurred_at="2024-02-10",
        ),
        rule="assessment_not_open",
        field="assessment_id",
        phrase="assessment AS9 is not open (unknown)",
    )


def test_an_assessment_authorised_before_it_started_is_rejected(referred, event, record):
    record(
        referred,
        event("AssessmentStarted", assessment_id="AS1", referral_id="R1", occurred_at="2024-02-10"),
    )
    assert_rejected(
        referred,
        event(
            "AssessmentCompleted",
            assessment_id="AS1",
            authorised_on="2024-02-05",
            outcome="early_help",
            occurred_at="2024-02-20",
        ),
        rule="completion_after_start",
        field="authorised_on",
        phrase="authorised_on is before the assessment started",
    )


def test_an_assessment_authorised_on_the_day_it_started_is_accepted(referred, event, record):
    record(
        referred,
        event("AssessmentStarted", assessment_id="AS1", referral_id="R1", occurred_at="2024-02-10"),
        event(
            "AssessmentCompleted",
            assessment_id="AS1",
            authorised_on="2024-02-10",
            outcome="child_in_need_plan",
            occurred_at="2024-02-10",
        ),
    )
    assert not referred.child("C1").assessments["AS1"].open


# --- child in need ----------------------------------------------------------------------


def test_a_child_in_need_plan_without_an_open_referral_is_rejected(seeded, event):
    assert_rejected(
        seeded,
        event("CINPlanStarted", plan_id="P1", occurred_at="2024-02-05"),
        rule="needs_open_referral",
        field="referral_id",
        phrase="a child in need plan needs an open referral",
    )


def test_a_second_open_child_in_need_plan_is_rejected(referred, event, record):
    record(referred, event("CINPlanStarted", plan_id="P1", occurred_at="2024-02-05"))
    assert_rejected(
        referred,
        event("CINPlanStarted", plan_id="P2", occurred_at="2024-02-06"),
        rule="one_open_cin_plan",
        field="plan_id",
        phrase="a child in need plan is already open",
    )


def test_a_plan_id_used_again_is_rejected(referred, event, record):
    record(
        referred,
        event("CINPlanStarted", plan_id="P1", occurred_at="2024-02-05"),
        event("CINPlanEnded", plan_id="P1", occurred_at="2024-03-05"),
    )
    assert_rejected(
        referred,
        event("CINPlanStarted", plan_id="P1", occurred_at="2024-04-01"),
        rule="plan_id_unique",
        field="plan_id",
        phrase="child in need plan P1 is already recorded",
    )


def test_ending_a_plan_that_is_not_open_is_rejected(referred, event):
    assert_rejected(
        referred,
        event("CINPlanEnded", plan_id="P9", occurred_at="2024-03-05"),
        rule="plan_not_open",
        field="plan_id",
        phrase="plan P9 is not open (unknown)",
    )


# --- child protection -------------------------------------------------------------------


def test_a_strategy_discussion_id_used_twice_is_rejected(referred, event, record):
    record(
        referred,
        event(
            "StrategyDiscussionHeld",
            strategy_id="S1",
            section47_needed=False,
            occurred_at="2024-02-02",
        ),
    )
    assert_rejected(
        referred,
        event(
            "StrategyDiscussionHeld",
            strategy_id="S1",
            section47_needed=True,
            occurred_at="2024-02-03",
        ),
        rule="strategy_id_unique",
        field="strategy_id",
        phrase="strategy discussion S1 is already recorded",
    )


def test_a_section_47_enquiry_after_a_discussion_that_decided_against_one_is_rejected(
    referred, event, record
):
    record(
        referred,
        event(
            "StrategyDiscussionHeld",
            strategy_id="S1",
            section47_needed=False,
            occurred_at="2024-02-02",
        ),
    )
    assert_rejected(
        referred,
        event(
            "Section47EnquiryStarted", enquiry_id="E1", strategy_id="S1", occurred_at="2024-02-03"
        ),
        rule="s47_needs_strategy_discussion",
        field="strategy_id",
        phrase="starts from a strategy discussion that decided on one; S1 did not",
    )


def test_completing_an_enquiry_twice_is_rejected(seeded, event, record):
    record(seeded, *child_protection_up_to_conference(event)[:4])
    assert_rejected(
        seeded,
        event(
            "Section47EnquiryCompleted",
            enquiry_id="E1",
            conference_needed=True,
            occurred_at="2024-02-11",
        ),
        rule="enquiry_not_open",
        field="enquiry_id",
        phrase="section 47 enquiry E1 is not open (already ended)",
    )


def test_an_enquiry_id_used_twice_is_rejected(seeded, event, record):
    record(seeded, *child_protection_up_to_conference(event)[:3])
    assert_rejected(
        seeded,
        event(
            "Section47EnquiryStarted", enquiry_id="E1", strategy_id="S1", occurred_at="2024-02-04"
        ),
        rule="enquiry_id_unique",
        field="enquiry_id",
        phrase="section 47 enquiry E1 is already recorded",
    )


def test_a_conference_without_a_section_47_enquiry_is_rejected(referred, event):
    assert_rejected(
        referred,
        event(
            "InitialChildProtectionConferenceHeld",
            conference_id="K1",
            enquiry_id="E9",
            plan_decided=False,
            occurred_at="2024-02-20",
        ),
        rule="icpc_needs_enquiry",
        field="enquiry_id",
        phrase="an initial conference follows a section 47 enquiry; E9 is unknown",
    )


def test_a_conference_id_used_twice_is_rejected(seeded, event, record):
    record(seeded, *child_protection_up_to_conference(event))
    assert_rejected(
        seeded,
        event(
            "InitialChildProtectionConferenceHeld",
            conference_id="K1",
            enquiry_id="E1",
            plan_decided=False,
            occurred_at="2024-02-21",
        ),
        rule="conference_id_unique",
        field="conference_id",
        phrase="conference K1 is already recorded",
    )


def test_a_child_protection_plan_without_a_conference_is_rejected(referred, event):
    assert_rejected(
        referred,
        event(
            "ChildProtectionPlanStarted",
            plan_id="CP1",
            conference_id="K9",
            category_of_abuse="NEG",
            occurred_at="2024-02-20",
        ),
        rule="cp_plan_needs_icpc",
        field="conference_id",
        phrase="needs an initial child protection conference that decided on a plan",
    )


def test_a_child_protection_plan_after_a_conference_that_decided_no_plan_is_rejected(
    seeded, event, record
):
    record(seeded, *child_protection_up_to_conference(event, plan_decided=False))
    assert_rejected(
        seeded,
        event(
            "ChildProtectionPlanStarted",
            plan_id="CP1",
            conference_id="K1",
            category_of_abuse="NEG",
            occurred_at="2024-02-20",
        ),
        rule="cp_plan_needs_icpc",
        field="conference_id",
        phrase="needs an initial child protection conference that decided on a plan",
    )


def test_a_conference_starts_one_child_protection_plan_only(seeded, event, record):
    plan = {"conference_id": "K1", "category_of_abuse": "NEG"}
    record(
        seeded,
        *child_protection_up_to_conference(event),
        event("ChildProtectionPlanStarted", plan_id="CP1", occurred_at="2024-02-20", **plan),
        event("ChildProtectionPlanEnded", plan_id="CP1", occurred_at="2024-05-01"),
    )
    assert_rejected(
        seeded,
        event("ChildProtectionPlanStarted", plan_id="CP2", occurred_at="2024-05-02", **plan),
        rule="cp_plan_needs_icpc",
        field="conference_id",
        phrase="conference K1 already started plan CP1",
    )


def test_a_second_open_child_protection_plan_is_rejected(seeded, event, record):
    record(
        seeded,
        *child_protection_up_to_conference(event),
        event(
            "ChildProtectionPlanStarted",
            plan_id="CP1",
            conference_id="K1",
            category_of_abuse="NEG",
            occurred_at="2024-02-20",
        ),
        event(
            "InitialChildProtectionConferenceHeld",
            conference_id="K2",
            enquiry_id="E1",
            plan_decided=True,
            category_of_abuse="EMO",
            occurred_at="2024-02-25",
        ),
    )
    assert_rejected(
        seeded,
        event(
            "ChildProtectionPlanStarted",
            plan_id="CP2",
            conference_id="K2",
            category_of_abuse="EMO",
            occurred_at="2024-02-25",
        ),
        rule="one_open_cp_plan",
        field="plan_id",
        phrase="a child protection plan is already open",
    )


# --- court ------------------------------------------------------------------------------


def test_a_pre_proceedings_id_used_twice_is_rejected(seeded, event, record):
    record(
        seeded, event("PreProceedingsStarted", pre_proceedings_id="PP1", occurred_at="2024-02-01")
    )
    assert_rejected(
        seeded,
        event("PreProceedingsStarted", pre_proceedings_id="PP1", occurred_at="2024-02-02"),
        rule="pre_proceedings_id_unique",
        field="pre_proceedings_id",
        phrase="pre-proceedings PP1 is already recorded",
    )


def test_second_care_proceedings_while_the_first_are_open_are_rejected(seeded, event, record):
    record(
        seeded,
        event(
            "CareProceedingsIssued",
            proceedings_id="PR1",
            court_reference="ZE24C001",
            occurred_at="2024-03-01",
        ),
    )
    assert_rejected(
        seeded,
        event(
            "CareProceedingsIssued",
            proceedings_id="PR2",
            court_reference="ZE24C002",
            occurred_at="2024-03-02",
        ),
        rule="one_open_proceedings",
        field="proceedings_id",
        phrase="care proceedings are already open",
    )


def test_a_proceedings_id_used_again_is_rejected(seeded, event, record):
    record(
        seeded,
        event(
            "CareProceedingsIssued",
            proceedings_id="PR1",
            court_reference="ZE24C001",
            occurred_at="2024-03-01",
        ),
        event("CareProceedingsConcluded", proceedings_id="PR1", occurred_at="2024-08-01"),
    )
    assert_rejected(
        seeded,
        event(
            "CareProceedingsIssued",
            proceedings_id="PR1",
            court_reference="ZE24C009",
            occurred_at="2024-09-01",
        ),
        rule="proceedings_id_unique",
        field="proceedings_id",
        phrase="care proceedings PR1 is already recorded",
    )


def test_concluding_proceedings_that_are_not_open_is_rejected(seeded, event):
    assert_rejected(
        seeded,
        event("CareProceedingsConcluded", proceedings_id="PR9", occurred_at="2024-08-01"),
        rule="proceedings_not_open",
        field="proceedings_id",
        phrase="proceedings PR9 is not open (unknown)",
    )


def test_an_order_in_proceedings_not_on_the_record_is_rejected(seeded, event):
    assert_rejected(
        seeded,
        event(
            "CourtOrderMade",
            order_id="O1",
            order_type="interim_care",
            proceedings_id="PR9",
            occurred_at="2024-03-02",
        ),
        rule="order_needs_proceedings",
        field="proceedings_id",
        phrase="proceedings PR9 are not in this child's record",
    )


def test_an_order_id_used_twice_is_rejected(seeded, event, record):
    record(
        seeded,
        event(
            "CourtOrderMade",
            order_id="O1",
            order_type="emergency_protection",
            occurred_at="2024-03-01",
        ),
    )
    assert_rejected(
        seeded,
        event("CourtOrderMade", order_id="O1", order_type="interim_care", occurred_at="2024-03-02"),
        rule="order_id_unique",
        field="order_id",
        phrase="order O1 is already recorded",
    )


# --- allocation -------------------------------------------------------------------------


def test_allocating_an_unregistered_worker_is_rejected(seeded, event):
    assert_rejected(
        seeded,
        lead_allocation(event, worker_id="W9"),
        rule="worker_unknown",
        field="worker_id",
        phrase="worker W9 is not registered",
    )


def test_allocating_a_worker_who_had_left_by_that_date_is_rejected(seeded, event, record):
    record(seeded, event("WorkerLeft", worker_id="W1", occurred_at="2024-01-31"))
    assert_rejected(
        seeded,
        lead_allocation(event, at="2024-02-01"),
        rule="worker_not_active",
        field="worker_id",
        phrase="worker W1 had left (or had not joined) on 2024-02-01",
    )


def test_a_late_recorded_allocation_from_before_the_worker_left_is_accepted(seeded, event, record):
    record(
        seeded,
        event("WorkerLeft", worker_id="W1", occurred_at="2024-01-31"),
        lead_allocation(event, at="2024-01-20"),
    )
    assert seeded.child("C1").lead_allocation() == "A1"


def test_allocating_a_worker_in_a_role_they_do_not_hold_is_rejected(seeded, event):
    assert_rejected(
        seeded,
        event(
            "WorkerAllocated",
            allocation_id="A1",
            worker_id="W1",
            role="iro",
            team_id="T-CIN",
            occurred_at="2024-02-01",
        ),
        rule="worker_role_mismatch",
        field="role",
        phrase="worker W1 holds the role social_worker",
    )


def test_a_late_recorded_role_change_does_not_override_a_later_one(seeded, event, record):
    record(
        seeded,
        worker(event, "W5"),
        event("WorkerRoleChanged", worker_id="W5", role="iro", occurred_at="2023-01-01"),
        event(
            "WorkerRoleChanged",
            worker_id="W5",
            role="family_support_worker",
            occurred_at="2022-01-01",
        ),
    )
    result = seeded.append(
        event(
            "WorkerAllocated",
            allocation_id="A5",
            worker_id="W5",
            role="iro",
            team_id="T-CIN",
            occurred_at="2024-03-01",
        )
    )
    assert result.status == "stored", result.problems


def test_allocating_in_a_team_closed_by_that_date_is_rejected(seeded, event, record):
    record(seeded, event("TeamClosed", team_id="T-CIN", occurred_at="2024-01-31"))
    assert_rejected(
        seeded,
        lead_allocation(event, at="2024-02-01"),
        rule="team_not_open",
        field="team_id",
        phrase="team T-CIN is unknown or was not open on 2024-02-01",
    )


def test_a_second_lead_social_worker_is_rejected(seeded, event, record):
    record(seeded, worker(event, "W2"), lead_allocation(event))
    assert_rejected(
        seeded,
        lead_allocation(event, "A2", worker_id="W2", at="2024-02-10"),
        rule="one_lead_social_worker",
        field="role",
        phrase="allocation A1 (W1) is the open lead social worker: end it or transfer the case",
    )


def test_allocating_the_same_worker_twice_in_the_same_role_is_rejected(seeded, event, record):
    iro = {"worker_id": "W3", "role": "iro", "team_id": "T-CIN"}
    record(
        seeded,
        worker(event, "W3", role="iro"),
        event("WorkerAllocated", allocation_id="A1", occurred_at="2024-02-01", **iro),
    )
    assert_rejected(
        seeded,
        event("WorkerAllocated", allocation_id="A2", occurred_at="2024-02-02", **iro),
        rule="already_allocated",
        field="worker_id",
        phrase="worker W3 is already allocated as iro (A1)",
    )


def test_an_allocation_id_used_twice_is_rejected(seeded, event, record):
    record(
        seeded,
        lead_allocation(event),
        event("WorkerAllocationEnded", allocation_id="A1", occurred_at="2024-03-01"),
    )
    assert_rejected(
        seeded,
        lead_allocation(event, at="2024-04-01"),
        rule="allocation_id_unique",
        field="allocation_id",
        phrase="allocation A1 is already recorded",
    )


def test_a_lead_allocation_overlapping_the_previous_one_is_rejected(seeded, event, record):
    record(
        seeded,
        worker(event, "W2"),
        lead_allocation(event),
        event("WorkerAllocationEnded", allocation_id="A1", occurred_at="2024-03-01"),
    )
    assert_rejected(
        seeded,
        lead_allocation(event, "A2", worker_id="W2", at="2024-02-15"),
        rule="allocations_overlap",
        field="occurred_at",
        phrase="before the previous lead social worker's allocation ended",
    )


def test_ending_an_allocation_that_is_not_open_is_rejected(seeded, event):
    assert_rejected(
        seeded,
        event("WorkerAllocationEnded", allocation_id="A9", occurred_at="2024-03-01"),
        rule="allocation_not_open",
        field="allocation_id",
        phrase="allocation A9 is not open (unknown): nothing can be ended that is not open",
    )


def test_ending_an_allocation_before_it_started_is_rejected(seeded, event, record):
    record(seeded, lead_allocation(event))
    assert_rejected(
        seeded,
        event("WorkerAllocationEnded", allocation_id="A1", occurred_at="2024-01-25"),
        rule="ends_before_it_starts",
        field="occurred_at",
        phrase="before the allocation started (2024-02-01)",
    )


def test_a_transfer_from_a_team_that_does_not_hold_the_case_is_rejected(second_team, event, record):
    record(second_team, lead_allocation(event))
    assert_rejected(
        second_team,
        event(
            "CaseTransferred",
            transfer_id="TR1",
            from_team_id="T-LAC",
            to_team_id="T-LAC",
            allocation_id="A2",
            worker_id="W2",
            occurred_at="2024-03-01",
        ),
        rule="transfer_from_wrong_team",
        field="from_team_id",
        phrase="the case is held by team T-CIN, not T-LAC",
    )


def test_a_transfer_after_the_final_order_ends_the_old_lead_and_opens_the_new(
    second_team, event, record
):
    record(
        second_team,
        lead_allocation(event),
        event(
            "CareProceedingsIssued",
            proceedings_id="PR1",
            court_reference="ZE24C001",
            occurred_at="2024-03-01",
        ),
        event(
            "CourtOrderMade",
            order_id="O1",
            order_type="care",
            proceedings_id="PR1",
            occurred_at="2024-06-01",
        ),
        event("CareProceedingsConcluded", proceedings_id="PR1", occurred_at="2024-06-01"),
        event(
            "CaseTransferred",
            transfer_id="TR1",
            from_team_id="T-CIN",
            to_team_id="T-LAC",
            allocation_id="A2",
            worker_id="W2",
            occurred_at="2024-06-10",
        ),
    )
    allocations = second_team.child("C1").allocations
    assert allocations["A1"].end == datetime(2024, 6, 10, tzinfo=LONDON)
    assert allocations["A2"].open
    assert allocations["A2"].kind == "social_worker"
    assert allocations["A2"].detail["team_id"] == "T-LAC"
    assert allocations["A2"].detail["worker_id"] == "W2"
    assert allocations["A2"].detail["reason"] == "TSPROC"
    assert second_team.child("C1").lead_allocation() == "A2"


# --- looked after -----------------------------------------------------------------------


def test_a_second_open_period_of_care_is_rejected(in_care, event):
    assert_rejected(
        in_care,
        period_of_care(event, "POC2", at="2024-04-01"),
        rule="one_open_period_of_care",
        field="period_id",
        phrase="period of care POC1 is still open",
    )


def test_a_period_of_care_id_used_again_is_rejected(in_care, event, record):
    record(
        in_care,
        event("PeriodOfCareEnded", period_id="POC1", reason="E13", occurred_at="2024-05-01"),
    )
    assert_rejected(
        in_care,
        period_of_care(event, "POC1", at="2024-06-01"),
        rule="period_id_unique",
        field="period_id",
        phrase="period of care POC1 is already recorded",
    )


def test_a_period_of_care_starting_before_the_last_one_ended_is_rejected(in_care, event, record):
    record(
        in_care,
        event("PeriodOfCareEnded", period_id="POC1", reason="E13", occurred_at="2024-05-01"),
    )
    assert_rejected(
        in_care,
        period_of_care(event, "POC2", at="2024-04-01"),
        rule="periods_overlap",
        field="occurred_at",
        phrase="before the previous period of care ended",
    )


def test_ending_a_period_of_care_that_is_not_open_is_rejected(seeded, event):
    assert_rejected(
        seeded,
        event("PeriodOfCareEnded", period_id="POC9", reason="E13", occurred_at="2024-05-01"),
        rule="period_not_open",
        field="period_id",
        phrase="period of care POC9 is not open (unknown)",
    )


def test_a_change_of_legal_status_outside_care_is_rejected(seeded, event):
    assert_rejected(
        seeded,
        event("LegalStatusChanged", legal_status="C1", occurred_at="2024-04-01"),
        rule="needs_open_period_of_care",
        field="occurred_at",
        phrase="a change of legal status needs an open period of care",
    )


def test_a_change_to_the_same_legal_status_is_rejected(in_care, event):
    assert_rejected(
        in_care,
        event("LegalStatusChanged", legal_status="C2", occurred_at="2024-04-01"),
        rule="legal_status_unchanged",
        field="legal_status",
        phrase="the legal status is already C2",
    )


def test_a_placement_outside_a_period_of_care_is_rejected(seeded, event):
    assert_rejected(
        seeded,
        placement(event),
        rule="placement_inside_period_of_care",
        field="placement_id",
        phrase="a placement is made only inside a period of care",
    )


def test_a_placement_starting_before_the_period_of_care_is_rejected(in_care, event):
    assert_rejected(
        in_care,
        placement(event, at="2024-02-20"),
        rule="ends_before_it_starts",
        field="occurred_at",
        phrase="before the period of care started (2024-03-01)",
    )


def test_a_second_open_placement_is_rejected(placed, event):
    assert_rejected(
        placed,
        placement(event, "PL2", at="2024-04-01"),
        rule="one_open_placement",
        field="placement_id",
        phrase="placement PL1 is still open: end it before the next one starts",
    )


def test_a_placement_starting_before_the_last_one_ended_is_rejected(placed, event, record):
    record(
        placed,
        event("PlacementEnded", placement_id="PL1", reason="CARPL", occurred_at="2024-04-01"),
    )
    assert_rejected(
        placed,
        placement(event, "PL2", at="2024-03-15"),
        rule="placements_overlap",
        field="occurred_at",
        phrase="before the previous placement ended",
    )


def test_a_placement_id_used_again_is_rejected(placed, event, record):
    record(
        placed,
        event("PlacementEnded", placement_id="PL1", reason="CARPL", occurred_at="2024-04-01"),
    )
    assert_rejected(
        placed,
        placement(event, "PL1", at="2024-04-01"),
        rule="placement_id_unique",
        field="placement_id",
        phrase="placement PL1 is already recorded",
    )


def test_ending_a_placement_that_is_not_open_is_rejected(in_care, event):
    assert_rejected(
        in_care,
        event("PlacementEnded", placement_id="PL9", reason="CARPL", occurred_at="2024-04-01"),
        rule="placement_not_open",
        field="placement_id",
        phrase="placement PL9 is not open (unknown)",
    )


def test_a_placement_with_a_household_not_yet_approved_is_rejected(in_care, event, record):
    record(in_care, household(event, at="2024-05-01"))
    assert_rejected(
        in_care,
        placement(event, carer_household_id="H1"),
        rule="household_not_approved",
        field="carer_household_id",
        phrase="carer household H1 was not approved on 2024-03-05",
    )


def test_a_placement_with_an_approved_household_is_accepted(in_care, event, record):
    record(in_care, household(event), placement(event, carer_household_id="H1"))
    assert in_care.child("C1").placements["PL1"].detail["carer_household_id"] == "H1"


def test_a_looked_after_review_outside_care_is_rejected(seeded, event):
    assert_rejected(
        seeded,
        event(
            "LookedAfterReviewHeld", review_id="RV1", review_code="PN1", occurred_at="2024-04-01"
        ),
        rule="needs_period_of_care",
        field="occurred_at",
        phrase="is for a looked-after child: no period of care covers 2024-04-01",
    )


def test_a_review_id_used_twice_is_rejected(in_care, event, record):
    record(
        in_care,
        event(
            "LookedAfterReviewHeld", review_id="RV1", review_code="PN1", occurred_at="2024-03-20"
        ),
    )
    assert_rejected(
        in_care,
        event(
            "LookedAfterReviewHeld", review_id="RV1", review_code="PN1", occurred_at="2024-04-20"
        ),
        rule="review_id_unique",
        field="review_id",
        phrase="review RV1 is already recorded",
    )


def test_a_statutory_visit_without_a_plan_or_care_is_rejected(seeded, event):
    assert_rejected(
        seeded,
        event("StatutoryVisitMade", visit_id="V1", worker_id="W1", occurred_at="2024-04-01"),
        rule="visit_needs_plan_or_care",
        field="occurred_at",
        phrase="neither covers 2024-04-01",
    )


def test_a_statutory_visit_during_a_child_in_need_plan_is_accepted(referred, event, record):
    record(
        referred,
        event("CINPlanStarted", plan_id="P1", occurred_at="2024-02-05"),
        event("StatutoryVisitMade", visit_id="V1", worker_id="W1", occurred_at="2024-02-10"),
    )
    assert "V1" in referred.child("C1").visits


def test_a_visit_id_used_twice_is_rejected(in_care, event, record):
    record(
        in_care,
        event("StatutoryVisitMade", visit_id="V1", worker_id="W1", occurred_at="2024-03-10"),
    )
    assert_rejected(
        in_care,
        event("StatutoryVisitMade", visit_id="V1", worker_id="W1", occurred_at="2024-03-20"),
        rule="visit_id_unique",
        field="visit_id",
        phrase="visit V1 is already recorded",
    )


def test_a_second_open_missing_episode_is_rejected(in_care, event, record):
    record(in_care, event("MissingEpisodeStarted", episode_id="M1", occurred_at="2024-04-01"))
    assert_rejected(
        in_care,
        event("MissingEpisodeStarted", episode_id="M2", occurred_at="2024-04-02"),
        rule="one_open_missing_episode",
        field="episode_id",
        phrase="a missing episode is already open",
    )


def test_a_missing_episode_id_used_again_is_rejected(in_care, event, record):
    record(
        in_care,
        event("MissingEpisodeStarted", episode_id="M1", occurred_at="2024-04-01"),
        event("MissingEpisodeEnded", episode_id="M1", occurred_at="2024-04-02"),
    )
    assert_rejected(
        in_care,
        event("MissingEpisodeStarted", episode_id="M1", occurred_at="2024-05-01"),
        rule="episode_id_unique",
        field="episode_id",
        phrase="missing episode M1 is already recorded",
    )


def test_ending_a_missing_episode_that_is_not_open_is_rejected(in_care, event):
    assert_rejected(
        in_care,
        event("MissingEpisodeEnded", episode_id="M9", occurred_at="2024-04-02"),
        rule="episode_not_open",
        field="episode_id",
        phrase="missing episode M9 is not open (unknown)",
    )


# --- disruption -------------------------------------------------------------------------


def disruption_meeting(event, meeting_id="DM1", at="2024-04-10"):
    return event(
        "DisruptionMeetingHeld",
        meeting_id=meeting_id,
        placement_id="PL1",
        reasons="Carers could not manage behaviour at night",
        occurred_at=at,
    )


def test_a_disruption_meeting_after_a_planned_ending_is_rejected(placed, event, record):
    record(
        placed,
        event("PlacementEnded", placement_id="PL1", reason="CARPL", occurred_at="2024-04-01"),
    )
    assert_rejected(
        placed,
        disruption_meeting(event),
        rule="disruption_needs_unplanned_ending",
        field="placement_id",
        phrase="placement PL1 has not ended unplanned",
    )


def test_a_disruption_meeting_after_an_unplanned_ending_is_accepted(placed, event, record):
    record(
        placed,
        event(
            "PlacementEnded",
            placement_id="PL1",
            reason="CREQB",
            unplanned=True,
            occurred_at="2024-04-01",
        ),
        disruption_meeting(event),
    )
    assert "DM1" in placed.child("C1").disruption_meetings


def test_a_disruption_meeting_id_used_twice_is_rejected(placed, event, record):
    record(
        placed,
        event(
            "PlacementEnded",
            placement_id="PL1",
            reason="CREQB",
            unplanned=True,
            occurred_at="2024-04-01",
        ),
        disruption_meeting(event),
    )
    assert_rejected(
        placed,
        disruption_meeting(event, at="2024-04-11"),
        rule="meeting_id_unique",
        field="meeting_id",
        phrase="disruption meeting DM1 is already recorded",
    )


# --- adoption ---------------------------------------------------------------------------


def test_a_second_active_adoption_decision_is_rejected(in_care, event, record):
    record(in_care, event("AdoptionDecisionMade", decision_id="AD1", occurred_at="2024-04-01"))
    assert_rejected(
        in_care,
        event("AdoptionDecisionMade", decision_id="AD2", occurred_at="2024-04-02"),
        rule="one_adoption_decision",
        field="decision_id",
        phrase="an adoption decision is already active",
    )


def test_an_adoption_decision_outside_care_is_rejected(seeded, event):
    assert_rejected(
        seeded,
        event("AdoptionDecisionMade", decision_id="AD1", occurred_at="2024-04-01"),
        rule="needs_period_of_care",
        field="occurred_at",
        phrase="an adoption decision is for a looked-after child",
    )


def test_an_adoption_decision_id_used_again_is_rejected(in_care, event, record):
    record(
        in_care,
        event("AdoptionDecisionMade", decision_id="AD1", occurred_at="2024-04-01"),
        event(
            "AdoptionDecisionReversed", decision_id="AD1", reason="RD1", occurred_at="2024-05-01"
        ),
    )
    assert_rejected(
        in_care,
        event("AdoptionDecisionMade", decision_id="AD1", occurred_at="2024-06-01"),
        rule="decision_id_unique",
        field="decision_id",
        phrase="adoption decision AD1 is already recorded",
    )


def test_reversing_an_adoption_decision_that_is_not_active_is_rejected(in_care, event):
    assert_rejected(
        in_care,
        event(
            "AdoptionDecisionReversed", decision_id="AD9", reason="RD1", occurred_at="2024-05-01"
        ),
        rule="decision_not_open",
        field="decision_id",
        phrase="adoption decision AD9 is not open (unknown)",
    )


def test_matching_with_a_household_that_is_not_an_approved_adopter_is_rejected(
    in_care, event, record
):
    record(
        in_care,
        household(event, "H1", kind="foster"),
        event("AdoptionDecisionMade", decision_id="AD1", occurred_at="2024-04-01"),
    )
    assert_rejected(
        in_care,
        event(
            "AdopterMatched", decision_id="AD1", adopter_household_id="H1", occurred_at="2024-05-01"
        ),
        rule="adopter_not_approved",
        field="adopter_household_id",
        phrase="household H1 is not an approved adopter household on 2024-05-01",
    )


def test_placing_for_adoption_without_a_match_is_rejected(in_care, event, record):
    record(
        in_care,
        household(event, "H2", kind="adopter"),
        event("AdoptionDecisionMade", decision_id="AD1", occurred_at="2024-04-01"),
    )
    assert_rejected(
        in_care,
        event(
            "PlacedForAdoption",
            decision_id="AD1",
            adopter_household_id="H2",
            occurred_at="2024-05-10",
        ),
        rule="placed_needs_match",
        field="adopter_household_id",
        phrase="only with the matched household (no match recorded)",
    )


def test_placing_for_adoption_with_another_household_than_the_match_is_rejected(
    in_care, event, record
):
    record(
        in_care,
        household(event, "H2", kind="adopter"),
        household(event, "H3", kind="adopter"),
        event("AdoptionDecisionMade", decision_id="AD1", occurred_at="2024-04-01"),
        event(
            "AdopterMatched", decision_id="AD1", adopter_household_id="H2", occurred_at="2024-05-01"
        ),
    )
    assert_rejected(
        in_care,
        event(
            "PlacedForAdoption",
            decision_id="AD1",
            adopter_household_id="H3",
            occurred_at="2024-05-10",
        ),
        rule="placed_needs_match",
        field="adopter_household_id",
        phrase="only with the matched household (H2)",
    )
    record(
        in_care,
        event(
            "PlacedForAdoption",
            decision_id="AD1",
            adopter_household_id="H2",
            occurred_at="2024-05-10",
        ),
    )


# --- leaving care -----------------------------------------------------------------------


def test_a_pathway_plan_for_a_child_never_looked_after_is_rejected(seeded, event):
    assert_rejected(
        seeded,
        event("PathwayPlanReviewed", occurred_at="2024-04-01"),
        rule="needs_care_history",
        field="occurred_at",
        phrase="PathwayPlanReviewed is for a child who has been looked after",
    )


def test_staying_put_with_an_unknown_household_is_rejected(in_care, event):
    assert_rejected(
        in_care,
        event("StayingPutArranged", carer_household_id="H9", occurred_at="2024-04-01"),
        rule="household_not_approved",
        field="carer_household_id",
        phrase="carer household H9 is not approved",
    )


# --- closure ----------------------------------------------------------------------------


def test_closing_a_case_that_is_not_open_is_rejected(seeded, event):
    assert_rejected(
        seeded,
        event("CaseClosed", reason="RC1", occurred_at="2024-04-01"),
        rule="case_not_open",
        field="occurred_at",
        phrase="the case is not open",
    )


def test_closing_a_case_with_an_open_plan_is_rejected(referred, event, record):
    record(referred, event("CINPlanStarted", plan_id="P1", occurred_at="2024-02-05"))
    assert_rejected(
        referred,
        event("CaseClosed", reason="RC1", occurred_at="2024-04-01"),
        rule="close_open_work_first",
        field="occurred_at",
        phrase="end the open child in need plan before the case closes",
    )


def test_closing_a_case_before_its_open_referral_started_is_rejected(referred, event):
    assert_rejected(
        referred,
        event("CaseClosed", reason="RC1", occurred_at="2024-01-20"),
        rule="ends_before_it_starts",
        field="occurred_at",
        phrase="before the open referral or allocation started",
    )


def test_closing_a_case_ends_its_referral_and_allocations(referred, event, record):
    record(
        referred,
        lead_allocation(event),
        event("CaseClosed", reason="RC1", occurred_at="2024-04-01"),
    )
    child = referred.child("C1")
    assert not child.referrals["R1"].open
    assert not child.allocations["A1"].open
    assert not child.case_open()


# --- corrections ------------------------------------------------------------------------


def test_a_correction_of_an_event_not_in_the_stream_is_rejected(seeded, event):
    assert_rejected(
        seeded,
        event(
            "EventRetracted",
            target_event_id=str(uuid4()),
            reason="entered in error",
            occurred_at="2024-04-01",
        ),
        rule="correction_target_unknown",
        field="target_event_id",
        phrase="is not in this child's stream (or was retracted)",
    )


def test_a_correction_of_a_retracted_event_is_rejected(referred, event, record):
    target = str(referred.child_records("C1")[-1].event_id)
    record(
        referred,
        event(
            "EventRetracted", target_event_id=target, reason="wrong child", occurred_at="2024-04-01"
        ),
    )
    assert_rejected(
        referred,
        event(
            "EventCorrected",
            target_event_id=target,
            reason="wrong need",
            changes={"primary_need": "N2"},
            occurred_at="2024-04-02",
        ),
        rule="correction_target_unknown",
        field="target_event_id",
        phrase="(or was retracted)",
    )


def test_retracting_the_registration_is_rejected(seeded, event):
    registration = seeded.child_records("C1")[0]
    assert registration.event.type == "ChildRegistered"
    assert_rejected(
        seeded,
        event(
            "EventRetracted",
            target_event_id=str(registration.event_id),
            reason="duplicate",
            occurred_at="2024-04-01",
        ),
        rule="registration_cannot_be_retracted",
        field="target_event_id",
        phrase="a registration is corrected with ChildDetailsUpdated, not retracted",
    )


def test_a_correction_moving_an_event_to_another_child_is_rejected(referred, event):
    target = str(referred.child_records("C1")[-1].event_id)
    assert_rejected(
        referred,
        event(
            "EventCorrected",
            target_event_id=target,
            reason="wrong child",
            changes={"la_child_id": "C2"},
            occurred_at="2024-04-01",
        ),
        rule="correction_changes_identity",
        field="changes",
        phrase="a correction may not change la_child_id",
    )


def correct_referral_source_to_zz(ledger: Ledger, event) -> dict[str, Any]:
    return event(
        "EventCorrected",
        target_event_id=str(ledger.child_records("C1")[-1].event_id),
        reason="wrong source",
        changes={"referral_source": "ZZ"},
        occurred_at="2024-04-01",
    )


def test_a_correction_with_an_invalid_value_is_rejected(referred, event):
    before = len(referred.child_records("C1"))
    result = referred.append(correct_referral_source_to_zz(referred, event))
    assert result.status == "rejected"
    [problem] = result.problems
    assert problem.rule == "correction_invalid"
    assert problem.field is not None and problem.field.endswith("referral_source")
    assert "'ZZ' is not a REFERRAL_SOURCE code" in problem.message
    assert len(referred.child_records("C1")) == before


def test_a_correction_with_an_invalid_value_names_the_changed_field(referred, event):
    result = referred.append(correct_referral_source_to_zz(referred, event))
    assert result.problems[0].field == "changes.referral_source"


def test_a_correction_that_would_break_the_record_is_rejected(placed, event, record):
    record(
        placed,
        event("PlacementEnded", placement_id="PL1", reason="CARPL", occurred_at="2024-04-01"),
    )
    started = next(r for r in placed.child_records("C1") if r.event.type == "PlacementStarted")
    assert_rejected(
        placed,
        event(
            "EventCorrected",
            target_event_id=str(started.event_id),
            reason="wrong start date",
            changes={"occurred_at": "2024-04-15"},
            occurred_at="2024-05-01",
        ),
        rule="ends_before_it_starts",
        field="changes.occurred_at",
        phrase="the correction would break the record: occurred_at is before the placement "
        "started (2024-04-15)",
    )
    assert placed.child("C1").placements["PL1"].start == datetime(2024, 3, 5, tzinfo=LONDON)


# --- reference streams ------------------------------------------------------------------


def test_registering_a_worker_twice_is_rejected(seeded, event):
    assert_rejected(
        seeded,
        worker(event, "W1", at="2021-01-01"),
        rule="worker_already_registered",
        field=None,
        phrase="this worker is registered",
    )


def test_an_event_for_an_unregistered_worker_is_rejected(seeded, event):
    assert_rejected(
        seeded,
        event("WorkerLeft", worker_id="W9", occurred_at="2024-01-31"),
        rule="worker_not_registered",
        field="worker_id",
        phrase="register the worker first",
    )


def test_an_event_for_a_worker_who_has_left_is_rejected(seeded, event, record):
    record(seeded, event("WorkerLeft", worker_id="W1", occurred_at="2024-01-31"))
    assert_rejected(
        seeded,
        event("WorkerJoinedTeam", worker_id="W1", team_id="T-CIN", occurred_at="2024-02-01"),
        rule="worker_has_left",
        field="worker_id",
        phrase="the worker has left",
    )


def test_a_worker_event_dated_before_registration_is_rejected(seeded, event):
    assert_rejected(
        seeded,
        event("WorkerRoleChanged", worker_id="W1", role="iro", occurred_at="2019-06-01"),
        rule="before_registration",
        field="occurred_at",
        phrase="occurred before the worker was registered",
    )


def test_a_reference_event_dated_in_the_future_is_rejected(seeded, event):
    next_year = (datetime.now(UTC) + timedelta(days=365)).isoformat()
    result = seeded.append(event("WorkerLeft", worker_id="W1", occurred_at=next_year))
    assert result.status == "rejected"


def test_establishing_a_team_twice_is_rejected(seeded, event):
    assert_rejected(
        seeded,
        event(
            "TeamEstablished",
            team_id="T-CIN",
            name="Again",
            service="front_door",
            occurred_at="2021-01-01",
        ),
        rule="team_already_established",
        field=None,
        phrase="this team exists",
    )


def test_an_event_for_a_team_never_established_is_rejected(seeded, event):
    assert_rejected(
        seeded,
        event("TeamRenamed", team_id="T-X", name="Renamed", occurred_at="2024-02-01"),
        rule="team_not_established",
        field="team_id",
        phrase="establish the team first",
    )


def test_an_event_for_a_closed_team_is_rejected(seeded, event, record):
    record(seeded, event("TeamClosed", team_id="T-CIN", occurred_at="2024-01-31"))
    assert_rejected(
        seeded,
        event("TeamRenamed", team_id="T-CIN", name="Renamed", occurred_at="2024-02-01"),
        rule="team_closed",
        field="team_id",
        phrase="the team is closed",
    )


def test_approving_a_household_twice_is_rejected(seeded, event, record):
    record(seeded, household(event))
    assert_rejected(
        seeded,
        household(event, at="2024-01-01"),
        rule="household_already_approved",
        field="kind",
        phrase="already approved for foster care",
    )


def test_foster_carers_approved_as_adopters_can_be_matched_with_their_foster_child(
    in_care, event, record
):
    record(in_care, household(event), household(event, kind="adopter", at="2024-04-01"))
    record(
        in_care,
        event("AdoptionDecisionMade", decision_id="D1", occurred_at="2024-04-02"),
        event(
            "AdopterMatched", decision_id="D1", adopter_household_id="H1", occurred_at="2024-05-01"
        ),
    )
    assert in_care.child("C1").adoption_decisions["D1"].detail["matched_with"] == "H1"


def test_a_worker_may_change_hours_alone_but_must_change_something(seeded, event, record):
    record(seeded, event("WorkerRoleChanged", worker_id="W1", fte=0.6))
    result = seeded.append(event("WorkerRoleChanged", worker_id="W1"))
    assert result.status == "rejected"
    assert result.problems[0].field == "role"
    assert seeded.worker("W1").role_on(seeded.worker("W1").roles[0].since) == "social_worker"


def test_an_event_for_a_household_never_approved_is_rejected(seeded, event):
    assert_rejected(
        seeded,
        event(
            "CarerHouseholdJoinedConstellation",
            household_id="H9",
            constellation_id="MB1",
            constellation_role="hub",
            occurred_at="2024-02-01",
        ),
        rule="household_not_approved",
        field="household_id",
        phrase="approve the household first",
    )


def test_an_event_for_a_deregistered_household_is_rejected(seeded, event, record):
    record(
        seeded,
        household(event),
        event("CarerHouseholdDeregistered", household_id="H1", occurred_at="2024-01-31"),
    )
    assert_rejected(
        seeded,
        event(
            "CarerHouseholdJoinedConstellation",
            household_id="H1",
            constellation_id="MB1",
            constellation_role="satellite",
            occurred_at="2024-02-01",
        ),
        rule="household_deregistered",
        field="household_id",
        phrase="the household is deregistered",
    )


def test_leaving_a_constellation_never_joined_is_rejected(seeded, event, record):
    record(seeded, household(event))
    assert_rejected(
        seeded,
        event(
            "CarerHouseholdLeftConstellation",
            household_id="H1",
            constellation_id="MB1",
            occurred_at="2024-02-01",
        ),
        rule="not_in_constellation",
        field="constellation_id",
        phrase="the household is not in constellation MB1",
    )


def test_a_review_held_during_a_plan_may_be_written_up_after_it_ended(seeded, event, record):
    record(seeded, *child_protection_up_to_conference(event))
    record(
        seeded,
        event(
            "ChildProtectionPlanStarted",
            plan_id="CP1",
            conference_id="K1",
            category_of_abuse="NEG",
            occurred_at="2024-02-20",
        ),
        event("ChildProtectionPlanEnded", plan_id="CP1", occurred_at="2024-06-01"),
        event("ChildProtectionReviewHeld", plan_id="CP1", occurred_at="2024-05-15"),
    )
    assert_rejected(
        seeded,
        event("ChildProtectionReviewHeld", plan_id="CP1", occurred_at="2024-06-10"),
        rule="plan_not_open",
        field="plan_id",
        phrase="child protection plan CP1 was not open on 2024-06-10",
    )
