"""The audit trail: an auditor asks who recorded what and when, which records came in late,
and what every correction and retraction changed, without personal data in the clear."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import pytest
from sqlalchemy import select
from worlds import named_child, on

from journey.events import EVENT_TYPES, parse_event
from journey.ledger import Ledger
from projections import audit as audit_projection
from projections import schema
from projections.audit import audit, audit_trail
from projections.describe import DESCRIBERS, describe
from projections.runner import ProjectionRunner
from projections.settings import ReportSettings

SETTINGS = ReportSettings()  # late means more than 7 days
# Personal data the world below holds: none of it may reach the audit table.
PERSONAL = ("Zebedee", "Quill", "2015-06-01", "LE2 2BB", "LE1 1AA", "LE3 3CC", "Wendy")


def visit(event, visit_id: str, at: str, **fields):
    return event("StatutoryVisitMade", visit_id=visit_id, worker_id="W1", occurred_at=at, **fields)


@pytest.fixture
def world(ledger, event, record) -> Ledger:
    """Recorded on the day each thing happened by svc:case-system: team T-CIN, worker W1
    and children C1 and C2 on 2024-01-02; C1 looked after from 2024-02-01 (period POC1)
    and placed on 2024-03-01 (PL1, U6, PR1)."""
    on(ledger, "2024-01-02")
    record(
        ledger,
        *named_child(event),
        event(
            "ChildRegistered",
            la_child_id="C2",
            sex="1",
            date_of_birth="2016-01-01",
            occurred_at="2024-01-02",
        ),
    )
    on(ledger, "2024-02-01")
    record(
        ledger,
        event(
            "PeriodOfCareStarted",
            period_id="POC1",
            legal_status="C2",
            category_of_need="N1",
            occurred_at="2024-02-01",
        ),
    )
    on(ledger, "2024-03-01")
    record(
        ledger,
        event(
            "PlacementStarted",
            placement_id="PL1",
            place="U6",
            provider="PR1",
            postcode="LE1 1AA",
            occurred_at="2024-03-01",
        ),
    )
    return ledger


def event_id_of(ledger: Ledger, event_type: str) -> UUID:
    return next(r.event_id for r in ledger.child_records("C1") if r.event.type == event_type)


def table_text(conn) -> str:
    return "\n".join(repr(tuple(row)) for row in conn.execute(select(audit_trail)))


# --- every record ------------------------------------------------------------------------


def test_every_record_of_every_stream_is_listed_with_who_recorded_it_and_when(world, project):
    conn = project(world, audit_projection.PROJECTION)

    rows = audit(conn, settings=SETTINGS).section("events").rows

    assert [(r.stream, r.subject_id, r.version, r.event_type) for r in rows] == [
        ("child", "C1", 1, "ChildRegistered"),
        ("child", "C2", 1, "ChildRegistered"),
        ("team", "T-CIN", 1, "TeamEstablished"),
        ("worker", "W1", 1, "WorkerRegistered"),
        ("child", "C1", 2, "PeriodOfCareStarted"),
        ("child", "C1", 3, "PlacementStarted"),
    ]
    placement = rows[-1]
    assert placement.recorded_by == "svc:case-system"
    assert placement.recorded_at == datetime(2024, 3, 1, 17, 0, tzinfo=UTC)
    assert (placement.occurred_on, placement.days_late, placement.status) == (
        date(2024, 3, 1),
        0,
        "effective",
    )
    assert placement.description == (
        "Placement PL1 started: U6 (Other foster care - other); "
        "provider PR1 (Own council provision)"
    )
    assert rows[3].description == (
        "Worker W1 registered: social worker, team T-CIN, 1 FTE, Social Work England SW1001"
    )


def test_no_name_date_of_birth_or_postcode_reaches_the_audit_table(world, project):
    conn = project(world, audit_projection.PROJECTION)

    stored = table_text(conn)

    assert "PlacementStarted" in stored
    for personal in PERSONAL:
        assert personal not in stored


# --- late recording ----------------------------------------------------------------------


def test_a_visit_recorded_ten_days_after_it_happened_is_late_by_ten_days(
    world, event, record, project
):
    on(world, "2024-03-20")
    record(
        world,
        visit(event, "V1", "2024-03-10"),  # 10 days late
        visit(event, "V2", "2024-03-13"),  # 7 days: not MORE than 7
        visit(event, "V3", "2024-03-20"),  # the same day
    )
    conn = project(world, audit_projection.PROJECTION)

    report = audit(conn, settings=SETTINGS)

    [late] = report.section("late").rows
    assert (late.subject_id, late.event_type, late.occurred_on, late.recorded_on) == (
        "C1",
        "StatutoryVisitMade",
        date(2024, 3, 10),
        date(2024, 3, 20),
    )
    assert late.days_late == 10
    assert late.description == "Statutory visit V1 by W1 (child not seen alone)"
    assert report.headline == (
        "9 records: 1 event recorded more than 7 days after it happened (11.1%); "
        "0 corrections and 0 retractions"
    )
    assert audit(conn, settings=ReportSettings(late_recording_days=10)).section("late").rows == []
    six = audit(conn, settings=ReportSettings(late_recording_days=6)).section("late").rows
    assert [r.days_late for r in six] == [10, 7]


# --- corrections and retractions ---------------------------------------------------------


def test_a_correction_shows_the_fields_it_changed_with_old_and_new_values_but_no_postcode(
    world, event, record, project
):
    placement = event_id_of(world, "PlacementStarted")
    on(world, "2024-03-15", principal="user:jo")
    record(
        world,
        event(
            "EventCorrected",
            target_event_id=str(placement),
            reason="Placement began on 20 Feb at the carers in LE3 3CC",
            changes={"occurred_at": "2024-02-20", "provider": "PR4", "postcode": "LE3 3CC"},
            occurred_at="2024-03-15",
        ),
    )
    conn = project(world, audit_projection.PROJECTION)

    report = audit(conn, settings=SETTINGS)

    [fix] = report.section("corrections").rows
    assert (fix.kind, fix.recorded_by, fix.recorded_at, fix.subject_id) == (
        "correction",
        "user:jo",
        datetime(2024, 3, 15, 17, 0, tzinfo=UTC),
        "C1",
    )
    assert (fix.target_type, fix.target_occurred_on, fix.target_event_id) == (
        "PlacementStarted",
        date(2024, 2, 20),
        str(placement),
    )
    assert fix.changed_fields == "occurred_at, postcode, provider"  # as stored: sorted
    assert fix.changed == (
        "date 2024-03-01 → 2024-02-20; postcode (value not shown); provider PR1 → PR4"
    )
    assert fix.reason is None  # free text: only read from the ledger
    with_reason = audit(conn, settings=SETTINGS, ledger=world).section("corrections").rows[0]
    assert with_reason.reason == "Placement began on 20 Feb at the carers in LE3 3CC"
    events = {r.event_id: r for r in report.section("events").rows}
    corrected = events[str(placement)]
    assert (corrected.status, corrected.occurred_on, corrected.days_late) == (
        "corrected",
        date(2024, 2, 20),
        10,
    )
    assert "provider PR4 (Private provision)" in corrected.description
    assert events[fix.event_id].status == "correction"
    assert events[fix.event_id].target_event_id == str(placement)
    # the placement, now known to have happened ten days before it was recorded, is late
    assert [r.event_id for r in report.section("late").rows] == [str(placement)]
    stored = table_text(conn)
    assert "LE3 3CC" not in stored and "LE1 1AA" not in stored and "carers" not in stored


def test_a_retracted_visit_is_marked_and_no_longer_counted_late(world, event, record, project):
    on(world, "2024-03-20")
    record(world, visit(event, "V1", "2024-03-10"))
    before = audit(project(world, audit_projection.PROJECTION), settings=SETTINGS)
    assert [r.days_late for r in before.section("late").rows] == [10]

    on(world, "2024-03-22", principal="user:jo")
    record(
        world,
        event(
            "EventRetracted",
            target_event_id=str(event_id_of(world, "StatutoryVisitMade")),
            reason="Recorded on the wrong child",
            occurred_at="2024-03-22",
        ),
    )
    after = audit(project(world, audit_projection.PROJECTION), settings=SETTINGS)

    assert after.section("late").rows == []
    [fix] = after.section("corrections").rows
    assert (fix.kind, fix.recorded_by, fix.target_type, fix.changed, fix.changed_fields) == (
        "retraction",
        "user:jo",
        "StatutoryVisitMade",
        "withdrawn as entered in error",
        None,
    )
    assert fix.target_description == "Statutory visit V1 by W1 (child not seen alone)"
    statuses = [(r.event_type, r.status) for r in after.section("events").rows[-2:]]
    assert statuses == [("StatutoryVisitMade", "retracted"), ("EventRetracted", "correction")]
    assert after.headline.endswith("0 corrections and 1 retraction")


# --- filters -----------------------------------------------------------------------------


@pytest.fixture
def busier(world, event, record) -> Ledger:
    """Beside the world: user:amy records C1's visit V1 on 2024-03-20; the case system
    records C2's referral for W1 on 2024-04-10."""
    on(world, "2024-03-20", principal="user:amy")
    record(world, visit(event, "V1", "2024-03-20"))
    on(world, "2024-04-10")
    record(
        world,
        event(
            "ReferralReceived",
            la_child_id="C2",
            referral_id="R1",
            referral_source="1A",
            primary_need="N1",
            occurred_at="2024-04-10",
            on_behalf_of="W1",
        ),
    )
    return world


def _listed(report) -> list[tuple[str, str]]:
    return [(r.subject_id, r.event_type) for r in report.section("events").rows]


def test_the_child_filter_keeps_that_childs_records_only(busier, project):
    conn = project(busier, audit_projection.PROJECTION)

    assert _listed(audit(conn, settings=SETTINGS, child="C2")) == [
        ("C2", "ChildRegistered"),
        ("C2", "ReferralReceived"),
    ]
    assert [t for _, t in _listed(audit(conn, settings=SETTINGS, child="C1"))] == [
        "ChildRegistered",
        "PeriodOfCareStarted",
        "PlacementStarted",
        "StatutoryVisitMade",
    ]
    assert _listed(audit(conn, settings=SETTINGS, child="W1")) == []  # a worker, not a child


def test_the_principal_filter_matches_who_recorded_it_or_for_whom(busier, project):
    conn = project(busier, audit_projection.PROJECTION)

    amy = audit(conn, settings=SETTINGS, principal="user:amy")
    assert _listed(amy) == [("C1", "StatutoryVisitMade")]
    assert amy.headline.startswith("1 record by user:amy:")
    assert _listed(audit(conn, settings=SETTINGS, principal="W1")) == [("C2", "ReferralReceived")]
    assert (
        len(audit(conn, settings=SETTINGS, principal="svc:case-system").section("events").rows) == 7
    )
    both = audit(conn, settings=SETTINGS, child="C1", principal="svc:case-system")
    assert [t for _, t in _listed(both)] == [
        "ChildRegistered",
        "PeriodOfCareStarted",
        "PlacementStarted",
    ]


def test_the_dates_bound_the_day_of_recording_both_included(busier, project):
    conn = project(busier, audit_projection.PROJECTION)

    march = audit(conn, settings=SETTINGS, from_date=date(2024, 3, 1), to_date=date(2024, 3, 31))
    assert _listed(march) == [("C1", "PlacementStarted"), ("C1", "StatutoryVisitMade")]
    assert _listed(audit(conn, settings=SETTINGS, from_date=date(2024, 3, 2))) == [
        ("C1", "StatutoryVisitMade"),
        ("C2", "ReferralReceived"),
    ]
    assert len(audit(conn, settings=SETTINGS, to_date=date(2024, 1, 2)).section("events").rows) == 4
    assert march.title == "Audit trail recorded 2024-03-01 to 2024-03-31"


# --- the projection ----------------------------------------------------------------------


def test_catching_up_a_few_events_at_a_time_gives_the_rebuilt_table(world, event, record, project):
    on(world, "2024-03-20")
    record(world, visit(event, "V1", "2024-03-10"), visit(event, "V2", "2024-03-12"))
    on(world, "2024-03-25", principal="user:jo")
    record(
        world,
        event(
            "EventCorrected",
            target_event_id=str(event_id_of(world, "StatutoryVisitMade")),
            reason="wrong day",
            changes={"occurred_at": "2024-03-09"},
            occurred_at="2024-03-25",
        ),
        event(
            "EventRetracted",
            target_event_id=str(event_id_of(world, "PlacementStarted")),
            reason="duplicate",
            occurred_at="2024-03-25",
        ),
    )
    conn = project(world, audit_projection.PROJECTION)  # one page
    rebuilt = sorted(tuple(r) for r in conn.execute(select(audit_trail)))

    conn.rollback()
    paged_runner = ProjectionRunner(
        world.settings, [audit_projection.PROJECTION], ledger=world, page_size=2
    )
    with paged_runner as runner:
        with runner.engine.begin() as write:  # empty, then catch up two events at a time
            write.execute(audit_trail.delete())
            write.execute(schema.positions.delete())
        runner.run()
    paged = sorted(tuple(r) for r in conn.execute(select(audit_trail)))

    assert paged == rebuilt
    assert len(rebuilt) == 10


# --- describing every event --------------------------------------------------------------

TARGET = "0b1c2d3e-0000-4000-8000-000000000001"
EXAMPLES: dict[str, dict] = {
    "ChildRegistered": dict(
        sex="2",
        date_of_birth="2015-06-01",
        given_name="Zebedee",
        family_name="Quill",
        upn="A123456789012",
        home_postcode="LE2 2BB",
    ),
    "ChildDetailsUpdated": dict(
        given_name="Zebedee", date_of_birth="2015-06-01", home_postcode="LE2 2BB"
    ),
    "ChildDied": {},
    "ChildErased": dict(reason="Erasure decision DPO-2026-14"),
    "ContactReceived": dict(contact_id="K1", contact_source="1A", outcome="referred"),
    "ReferralReceived": dict(referral_id="R1", referral_source="1A", primary_need="N1"),
    "ReferralClosedNoFurtherAction": dict(referral_id="R1"),
    "AssessmentStarted": dict(assessment_id="A1", referral_id="R1"),
    "AssessmentCompleted": dict(
        assessment_id="A1", factors=["2A"], authorised_on="2024-02-20", outcome="child_in_need_plan"
    ),
    "CINPlanStarted": dict(plan_id="P1"),
    "CINPlanEnded": dict(plan_id="P1"),
    "StrategyDiscussionHeld": dict(strategy_id="S1", section47_needed=True),
    "Section47EnquiryStarted": dict(enquiry_id="E1", strategy_id="S1"),
    "Section47EnquiryCompleted": dict(enquiry_id="E1", conference_needed=True),
    "InitialChildProtectionConferenceHeld": dict(
        conference_id="IC1", enquiry_id="E1", plan_decided=True, category_of_abuse="NEG"
    ),
    "ChildProtectionPlanStarted": dict(plan_id="CP1", conference_id="IC1", category_of_abuse="NEG"),
    "ChildProtectionReviewHeld": dict(plan_id="CP1"),
    "ChildProtectionPlanEnded": dict(plan_id="CP1"),
    "PreProceedingsStarted": dict(pre_proceedings_id="PLO1"),
    "CareProceedingsIssued": dict(proceedings_id="PR1", court_reference="LE24C00001"),
    "CourtOrderMade": dict(
        order_id="O1", order_type="care", proceedings_id="PR1", court_reference="LE24C00001"
    ),
    "CareProceedingsConcluded": dict(proceedings_id="PR1"),
    "WorkerAllocated": dict(
        allocation_id="A1",
        worker_id="W1",
        swe_registration="SW1001",
        role="social_worker",
        team_id="T-CIN",
        reason="LEFTRL",
        exceptional=True,
        scrutiny={"team_manager": "TM1", "service_manager": "SM1", "rationale": "SECRET-RATIONALE"},
    ),
    "WorkerAllocationEnded": dict(allocation_id="A1"),
    "CaseTransferred": dict(
        transfer_id="TR1",
        from_team_id="T-CIN",
        to_team_id="T-LAC",
        allocation_id="A2",
        worker_id="W2",
    ),
    "PeriodOfCareStarted": dict(
        period_id="POC1", legal_status="C2", category_of_need="N1", home_postcode="LE2 2BB"
    ),
    "LegalStatusChanged": dict(legal_status="C1"),
    "PlacementStarted": dict(
        placement_id="PL1",
        place="U6",
        provider="PR1",
        postcode="LE1 1AA",
        urn="SC123456",
        carer_household_id="H1",
    ),
    "PlacementEnded": dict(
        placement_id="PL1", reason="CREQB", reason_detail="SECRET-DETAIL", unplanned=True
    ),
    "PeriodOfCareEnded": dict(period_id="POC1", reason="E4A"),
    "LookedAfterReviewHeld": dict(review_id="LR1", review_code="PN1"),
    "StatutoryVisitMade": dict(visit_id="V1", worker_id="W1", seen_alone=True),
    "MissingEpisodeStarted": dict(episode_id="M1"),
    "MissingEpisodeEnded": dict(episode_id="M1", return_interview_offered=True),
    "HealthAssessmentCompleted": {},
    "PermanencePlanRecorded": dict(plan="long_term_fostering"),
    "DisruptionMeetingHeld": dict(
        meeting_id="D1",
        placement_id="PL1",
        reasons="SECRET-REASONS",
        learning="SECRET-LEARNING",
        attendees=["Aunt Zelda"],
    ),
    "AdoptionDecisionMade": dict(decision_id="AD1"),
    "AdopterMatched": dict(decision_id="AD1", adopter_household_id="H9"),
    "PlacedForAdoption": dict(decision_id="AD1", adopter_household_id="H9"),
    "AdoptionDecisionReversed": dict(decision_id="AD1", reason="RD1"),
    "LifeStoryWorkCompleted": {},
    "PathwayPlanReviewed": {},
    "CareLeaverContactRecorded": dict(
        in_touch="YES", activity="F1", accommodation="B", accommodation_suitable=True
    ),
    "StayingPutArranged": dict(carer_household_id="H1"),
    "SupportContactRecorded": dict(
        kind="camhs", provider="CAMHS Leicester", worker_id="W1", duration_minutes=60
    ),
    "CaseSteppedDown": {},
    "CaseClosed": dict(reason="RC8"),
    "EventRetracted": dict(target_event_id=TARGET, reason="SECRET-WHY"),
    "EventCorrected": dict(
        target_event_id=TARGET, reason="SECRET-WHY", changes={"postcode": "LE3 3CC"}
    ),
    "WorkerRegistered": dict(
        worker_id="W1", name="Wendy Worker", role="social_worker", team_id="T-CIN"
    ),
    "WorkerJoinedTeam": dict(worker_id="W1", team_id="T-LAC"),
    "WorkerRoleChanged": dict(worker_id="W1", role="personal_adviser", fte=0.5),
    "WorkerLeft": dict(worker_id="W1"),
    "TeamEstablished": dict(team_id="T-CIN", name="Child in need team", service="child_in_need"),
    "TeamRenamed": dict(team_id="T-CIN", name="CIN North"),
    "TeamMovedService": dict(team_id="T-CIN", service="looked_after"),
    "TeamClosed": dict(team_id="T-CIN"),
    "CarerHouseholdApproved": dict(household_id="H1", kind="foster", postcode="LE4 4DD", places=2),
    "CarerHouseholdJoinedConstellation": dict(
        household_id="H1", constellation_id="MC1", constellation_role="hub"
    ),
    "CarerHouseholdLeftConstellation": dict(household_id="H1", constellation_id="MC1"),
    "CarerHouseholdDeregistered": dict(household_id="H1"),
    "ChildGaveBirth": {},
    "EarlyHelpAssessmentStarted": dict(assessment_id="EH1", organisation="Early Help Hub"),
    "EarlyHelpAssessmentCompleted": dict(assessment_id="EH1"),
    "LetterBeforeProceedingsSent": dict(
        pre_proceedings_id="PLO1", family_group_meeting_offered=True
    ),
    "FamilyGroupDecisionMeetingHeld": dict(pre_proceedings_id="PLO1"),
    "PreProceedingsMeetingHeld": dict(pre_proceedings_id="PLO1", meeting="initial"),
    "PreProceedingsEnded": dict(pre_proceedings_id="PLO1", outcome="B"),
    "ImmunisationsReviewed": dict(up_to_date=True),
    "StrengthsAndDifficultiesRecorded": dict(score=14),
    "OffenceRecorded": {},
    "SubstanceMisuseIdentified": dict(intervention="received"),
    "PreviousPermanenceRecorded": dict(
        previous_permanence="P2", council="856", order_year=2019, order_month=6
    ),
    "AdopterEnquiryReceived": dict(
        family_id="AF1",
        adopters=[{"adopter_id": "AP1", "sex": "2"}, {"adopter_id": "AP2", "sex": "1"}],
        relationship="L11",
    ),
    "AdoptionStageStarted": dict(family_id="AF1", stage=1),
    "AdoptionStageCompleted": dict(family_id="AF1", stage=1),
    "AdopterApplicationSubmitted": dict(family_id="AF1"),
    "AdopterFamilyApproved": dict(family_id="AF1", household_id="H9"),
    "AdopterFamilyLeftProcess": dict(family_id="AF1", reason="1"),
}
NEVER_IN_THE_CLEAR = (
    "Zebedee",
    "Quill",
    "2015-06-01",
    "A123456789012",
    "LE2 2BB",
    "LE1 1AA",
    "SC123456",
    "LE3 3CC",
    "LE4 4DD",
    "LE24C00001",
    "SECRET",
    "Zelda",
    "Wendy",
)


def example(event, type_name: str):
    return parse_event(event(type_name, **EXAMPLES[type_name]))


def test_every_event_type_has_a_plain_english_description_with_nothing_personal(event):
    assert len(EVENT_TYPES) == 80
    assert set(EXAMPLES) == set(EVENT_TYPES) == set(DESCRIBERS)
    for type_name in EVENT_TYPES:
        said = describe(example(event, type_name))
        assert said and said[0].isupper() and "_" not in said, (type_name, said)
        for secret in NEVER_IN_THE_CLEAR:
            assert secret not in said, (type_name, said)


def test_descriptions_name_the_codes_with_their_meanings(event):
    assert describe(example(event, "PlacementStarted")) == (
        "Placement PL1 started: U6 (Other foster care - other); provider PR1 (Own council "
        "provision); carer household H1"
    )
    assert describe(example(event, "WorkerAllocated")) == (
        "Lead social worker W1 allocated (T-CIN; reason LEFTRL: Previous social worker left "
        "the role; exceptional reallocation approved by team manager TM1 and service "
        "manager SM1)"
    )
    assert (
        describe(example(event, "CourtOrderMade")) == "Care order made (order O1, proceedings PR1)"
    )


def test_the_detailed_description_for_a_court_adds_free_text_but_never_where_a_child_lives(
    event,
):
    def detailed(type_name: str) -> str:
        return describe(example(event, type_name), detail=True)

    assert detailed("ChildRegistered") == (
        "Child registered: Zebedee Quill, born 2015-06-01, female, UPN A123456789012"
    )
    assert detailed("DisruptionMeetingHeld") == (
        "Disruption meeting D1 held about placement PL1: reasons: SECRET-REASONS; "
        "learning: SECRET-LEARNING; attended: Aunt Zelda"
    )
    assert detailed("WorkerAllocated").endswith("service manager SM1: SECRET-RATIONALE)")
    assert detailed("PlacementEnded").endswith("; SECRET-DETAIL")
    assert "LE24C00001" in detailed("CourtOrderMade")
    assert detailed("EventRetracted").endswith(": SECRET-WHY")
    for type_name in EVENT_TYPES:
        said = detailed(type_name)
        for where in ("LE1 1AA", "LE2 2BB", "LE3 3CC", "LE4 4DD", "SC123456"):
            assert where not in said, (type_name, said)
