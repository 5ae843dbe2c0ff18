"""The CIN census 2024-25: the council's performance officer makes the XML message and
reads it back to check one child's referral episode element by element.

The child is referred, assessed, put on a child in need plan, then a strategy discussion
starts a section 47 enquiry, an initial conference decides on a child protection plan,
and the plan is reviewed. Every expected value is worked out by hand (dates yyyy-mm-dd;
from 2024-25 `Sex` is M, F or U).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from worlds import on

from projections import registry
from projections.api import Reports

YEAR = 2024  # 1 April 2024 to 31 March 2025


@pytest.fixture
def census(ledger, event, record, project):
    on(ledger, "2025-04-30")
    record(
        ledger,
        event(
            "ChildRegistered",
            sex="2",
            date_of_birth="2016-03-03",
            upn="H801200001001",
            ethnicity="WBRI",
            disabilities=["LD", "COMM"],
            occurred_at="2024-01-02",
        ),
        event(
            "ReferralReceived",
            referral_id="R1",
            referral_source="2A",  # a school
            primary_need="N1",
            occurred_at="2024-05-13",
        ),
        event("AssessmentStarted", assessment_id="AS1", referral_id="R1", occurred_at="2024-05-14"),
        event(
            "AssessmentCompleted",
            assessment_id="AS1",
            factors=["3B", "4B"],  # domestic violence and mental health: a parent
            authorised_on="2024-06-21",  # the manager authorised it; recorded on the 24th
            outcome="child_in_need_plan",
            occurred_at="2024-06-24",
        ),
        event("CINPlanStarted", plan_id="CIN1", occurred_at="2024-07-01"),
        # Monday 19 August 2024; Monday 26 August is the summer bank holiday
        event(
            "StrategyDiscussionHeld",
            strategy_id="SD1",
            section47_needed=True,
            occurred_at="2024-08-19",
        ),
        event(
            "Section47EnquiryStarted",
            enquiry_id="S47-1",
            strategy_id="SD1",
            occurred_at="2024-08-19",
        ),
        event(
            "Section47EnquiryCompleted",
            enquiry_id="S47-1",
            conference_needed=True,
            occurred_at="2024-09-04",
        ),
        event(
            "InitialChildProtectionConferenceHeld",
            conference_id="IC1",
            enquiry_id="S47-1",
            plan_decided=True,
            category_of_abuse="NEG",
            occurred_at="2024-09-06",
        ),
        event("CINPlanEnded", plan_id="CIN1", occurred_at="2024-09-06"),
        event(
            "ChildProtectionPlanStarted",
            plan_id="CPP1",
            conference_id="IC1",
            category_of_abuse="NEG",
            occurred_at="2024-09-06",
        ),
        event(
            "ChildProtectionReviewHeld",
            plan_id="CPP1",
            category_of_abuse="EMO",
            occurred_at="2024-12-05",
        ),
    )
    project(ledger, *registry.PROJECTIONS)
    with Reports(ledger.settings) as reports:
        return reports.cin_census(year=YEAR)


def tags(element):
    return [c.tag for c in element]


def texts(element):
    """{tag: text} of an element's leaf children."""
    return {c.tag: c.text for c in element if len(c) == 0}


def test_the_message_header_names_the_collection_and_the_council(census):
    message = ET.fromstring(census.xml)

    assert message.tag == "Message"
    assert tags(message) == ["Header", "Children"]
    header = message.find("Header")
    assert tags(header) == ["CollectionDetails", "Source"]
    assert texts(header.find("CollectionDetails")) == {
        "Collection": "CIN",
        "Year": "2025",
        "ReferenceDate": "2025-03-31",
    }
    source = header.find("Source")
    assert tags(source) == [
        "SourceLevel",
        "LEA",
        "SoftwareCode",
        "Release",
        "SerialNo",
        "DateTime",
    ]
    assert (source.findtext("SourceLevel"), source.findtext("LEA")) == ("L", "999")
    assert re.fullmatch(r"\d{3,}", source.findtext("SerialNo"))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", source.findtext("DateTime"))


def test_the_child_is_identified_and_described(census):
    (child,) = ET.fromstring(census.xml).find("Children")

    assert child.tag == "Child"
    assert tags(child) == ["ChildIdentifiers", "ChildCharacteristics", "CINdetails"]
    identifiers = child.find("ChildIdentifiers")
    assert tags(identifiers) == ["LAchildID", "UPN", "PersonBirthDate", "Sex"]
    assert texts(identifiers) == {
        "LAchildID": "C1",
        "UPN": "H801200001001",
        "PersonBirthDate": "2016-03-03",
        "Sex": "F",
    }
    characteristics = child.find("ChildCharacteristics")
    assert tags(characteristics) == ["Ethnicity", "Disabilities"]
    assert characteristics.findtext("Ethnicity") == "WBRI"
    assert [d.text for d in characteristics.find("Disabilities")] == ["LD", "COMM"]
    assert tags(characteristics.find("Disabilities")) == ["Disability", "Disability"]


def test_the_referral_episode_in_schema_order_with_its_assessment_plans_and_enquiry(census):
    details = ET.fromstring(census.xml).find("Children/Child/CINdetails")

    # the DfE schema's sequence: ReferralNFA after the Section47 groups, before the plans
    assert tags(details) == [
        "CINreferralDate",
        "ReferralSource",
        "PrimaryNeedCode",
        "Assessments",
        "CINPlanDates",
        "Section47",
        "ReferralNFA",
        "ChildProtectionPlans",
    ]
    assert texts(details) == {
        "CINreferralDate": "2024-05-13",
        "ReferralSource": "2A",
        "PrimaryNeedCode": "N1",
        "ReferralNFA": "false",
    }

    assessment = details.find("Assessments")
    assert tags(assessment) == [
        "AssessmentActualStartDate",
        "AssessmentAuthorisationDate",
        "FactorsIdentifiedAtAssessment",
    ]
    assert texts(assessment) == {
        "AssessmentActualStartDate": "2024-05-14",
        "AssessmentAuthorisationDate": "2024-06-21",
    }
    factors = assessment.find("FactorsIdentifiedAtAssessment")
    assert [(f.tag, f.text) for f in factors] == [
        ("AssessmentFactors", "3B"),
        ("AssessmentFactors", "4B"),
    ]

    plan = details.find("CINPlanDates")
    assert tags(plan) == ["CINPlanStartDate", "CINPlanEndDate"]
    assert texts(plan) == {"CINPlanStartDate": "2024-07-01", "CINPlanEndDate": "2024-09-06"}

    enquiry = details.find("Section47")
    assert tags(enquiry) == [
        "S47ActualStartDate",
        "InitialCPCtarget",
        "DateOfInitialCPC",
        "ICPCnotRequired",
    ]
    # 15 working days after Monday 19 August 2024, the bank holiday of 26 August not one
    # of them: 20, 21, 22, 23, 27, 28, 29, 30 August, 2, 3, 4, 5, 6, 9, 10 September
    assert texts(enquiry) == {
        "S47ActualStartDate": "2024-08-19",
        "InitialCPCtarget": "2024-09-10",
        "DateOfInitialCPC": "2024-09-06",
        "ICPCnotRequired": "false",
    }


def test_the_child_protection_plan_with_its_categories_and_review(census):
    plan = ET.fromstring(census.xml).find("Children/Child/CINdetails/ChildProtectionPlans")

    # still open on 31 March 2025: no CPPendDate
    assert tags(plan) == [
        "CPPstartDate",
        "InitialCategoryOfAbuse",
        "LatestCategoryOfAbuse",
        "NumberOfPreviousCPP",
        "Reviews",
    ]
    assert texts(plan) == {
        "CPPstartDate": "2024-09-06",  # the day of the initial conference (2885)
        "InitialCategoryOfAbuse": "NEG",
        "LatestCategoryOfAbuse": "EMO",  # as the review conference decided
        "NumberOfPreviousCPP": "0",
    }
    assert [(r.tag, r.text) for r in plan.find("Reviews")] == [("CPPreviewDate", "2024-12-05")]


def test_the_flat_tables_say_the_same(census):
    files = census.tables.files

    assert [
        (r["LAchildID"], r["CINreferralDate"], r["ReferralNFA"]) for r in files["CINdetails"]
    ] == [("C1", "2024-05-13", "false")]
    assert [(r["S47ActualStartDate"], r["InitialCPCtarget"]) for r in files["Section47"]] == [
        ("2024-08-19", "2024-09-10")
    ]
    assert [r["CPPreviewDate"] for r in files["Reviews"]] == ["2024-12-05"]
