"""SSDA903 (children looked after): a council's performance officer makes the return for
2024-25 (1 April 2024 to 31 March 2025) and checks it against what happened to each child.

Every journey is recorded through the ledger by hand; the expected rows are written out by
hand from the DfE's rules (returns.md, the validators' rule numbers in brackets): dates
dd/mm/yyyy, blank "", and from 2024-25 sex coded M, F or U.
"""

from __future__ import annotations

import csv

import pytest
from worlds import on, two_teams

from projections import registry
from projections.api import Reports
from projections.ssda903 import FILES

YEAR = 2024  # 1 April 2024 to 31 March 2025


# --- the world ---------------------------------------------------------------------------


@pytest.fixture
def council(ledger, event, record):
    """A child-in-need team and a looked-after team; social workers W1 (SW1001, child in
    need), W2 (SW1002) and W3 (SW1003, looked after), an IRO I1 (SW1009); foster
    households H1 and H2. The
    ledger records as on 30 June 2025, after everything below happened."""
    on(ledger, "2025-06-30")
    record(
        ledger,
        *two_teams(event, W1="T-CIN", W2="T-LAC", W3="T-LAC"),
        event(
            "WorkerRegistered",
            worker_id="I1",
            name="Independent reviewing officer",
            role="iro",
            team_id="T-LAC",
            swe_registration="SW1009",
            occurred_at="2020-01-02",
        ),
        household(event, "H1"),
        household(event, "H2"),
    )
    return ledger


def household(event, household_id, kind="foster", at="2020-01-01"):
    return event("CarerHouseholdApproved", household_id=household_id, kind=kind, occurred_at=at)


def child(event, child_id, born, sex="1", upn="H801200001001", **more):
    return event(
        "ChildRegistered",
        la_child_id=child_id,
        sex=sex,
        date_of_birth=born,
        upn=upn,
        ethnicity="WBRI",
        occurred_at="2023-01-02",
        **more,
    )


def care(event, child_id, at, status, period="POC1", need="N1", home="LE1 1AA"):
    return event(
        "PeriodOfCareStarted",
        la_child_id=child_id,
        period_id=period,
        legal_status=status,
        category_of_need=need,
        home_postcode=home,
        occurred_at=at,
    )


def placed(event, child_id, placement, at, place="U6", provider="PR1", **more):
    fields = {"provider": provider} if provider else {}
    return event(
        "PlacementStarted",
        la_child_id=child_id,
        placement_id=placement,
        place=place,
        occurred_at=at,
        **fields,
        **more,
    )


def moved(event, child_id, old, new, at, reason, **placement):
    """The placement `old` ends with REASON_PLACE_CHANGE `reason`; `new` starts that day."""
    return [
        event(
            "PlacementEnded", la_child_id=child_id, placement_id=old, reason=reason, occurred_at=at
        ),
        placed(event, child_id, new, at, **placement),
    ]


def status(event, child_id, at, legal_status):
    return event(
        "LegalStatusChanged", la_child_id=child_id, legal_status=legal_status, occurred_at=at
    )


def left_care(event, child_id, at, reason, period="POC1"):
    return event(
        "PeriodOfCareEnded", la_child_id=child_id, period_id=period, reason=reason, occurred_at=at
    )


def allocated(event, child_id, allocation, worker, at, reason, team="T-LAC", **more):
    return event(
        "WorkerAllocated",
        la_child_id=child_id,
        allocation_id=allocation,
        worker_id=worker,
        role="social_worker",
        team_id=team,
        reason=reason,
        occurred_at=at,
        **more,
    )


def ssda903(ledger, project, year=YEAR):
    project(ledger, *registry.PROJECTIONS)
    with Reports(ledger.settings) as reports:
        return reports.ssda903(year=year)


def rows(ret, file, child_id):
    return [r for r in ret.files[file] if r["CHILD"] == child_id]


# --- Episodes ------------------------------------------------------------------------------


def test_a_change_of_legal_status_in_the_same_placement_is_a_new_episode_l(
    council, event, record, project
):
    record(
        council,
        child(event, "C1", "2012-05-10"),
        care(event, "C1", "2024-05-01", "V2"),
        placed(
            event,
            "C1",
            "P1",
            "2024-05-01",
            postcode="LE2 2BB",
            urn="1234567",
            carer_household_id="H1",
        ),
        status(event, "C1", "2024-07-01", "C1"),  # an interim care order
    )

    ret = ssda903(council, project)

    assert rows(ret, "Episodes", "C1") == [
        {
            "CHILD": "C1",
            "DECOM": "01/05/2024",
            "RNE": "S",
            "LS": "V2",
            "CIN": "N1",
            "PLACE": "U6",
            "PLACE_PROVIDER": "PR1",
            "DEC": "01/07/2024",
            "REC": "X1",
            "REASON_PLACE_CHANGE": "",  # the placement did not change
            "HOME_POST": "LE1 1AA",
            "PL_POST": "LE2 2BB",
            "URN": "1234567",
        },
        {
            "CHILD": "C1",
            "DECOM": "01/07/2024",
            "RNE": "L",
            "LS": "C1",
            "CIN": "N1",
            "PLACE": "U6",
            "PLACE_PROVIDER": "PR1",
            "DEC": "",
            "REC": "",
            "REASON_PLACE_CHANGE": "",
            "HOME_POST": "LE1 1AA",
            "PL_POST": "LE2 2BB",
            "URN": "1234567",
        },
    ]
    assert rows(ret, "Header", "C1") == [
        {
            "CHILD": "C1",
            "SEX": "M",
            "DOB": "10/05/2012",
            "ETHNIC": "WBRI",
            "UPN": "H801200001001",
            "MOTHER": "",  # a boy
            "MC_DOB": "",
        }
    ]


def test_a_move_to_new_carers_is_an_episode_p_with_the_reason_on_the_closing_episode(
    council, event, record, project
):
    record(
        council,
        child(event, "C1", "2010-03-15", sex="2"),
        care(event, "C1", "2024-04-10", "C2", need="N4"),
        placed(
            event,
            "C1",
            "P1",
            "2024-04-10",
            postcode="LE2 2BB",
            urn="1234567",
            carer_household_id="H1",
        ),
        *moved(
            event,
            "C1",
            "P1",
            "P2",
            "2024-09-02",
            "CARPL",
            place="U4",
            provider="PR4",
            postcode="LE3 3CC",
            urn="2345678",
            carer_household_id="H2",
        ),
        left_care(event, "C1", "2025-02-28", "E4A"),  # home to her parents, as planned
    )

    ret = ssda903(council, project)

    assert rows(ret, "Episodes", "C1") == [
        {
            "CHILD": "C1",
            "DECOM": "10/04/2024",
            "RNE": "S",
            "LS": "C2",
            "CIN": "N4",
            "PLACE": "U6",
            "PLACE_PROVIDER": "PR1",
            "DEC": "02/09/2024",
            "REC": "X1",
            "REASON_PLACE_CHANGE": "CARPL",
            "HOME_POST": "LE1 1AA",
            "PL_POST": "LE2 2BB",
            "URN": "1234567",
        },
        {
            "CHILD": "C1",
            "DECOM": "02/09/2024",
            "RNE": "P",
            "LS": "C2",
            "CIN": "N4",
            "PLACE": "U4",
            "PLACE_PROVIDER": "PR4",
            "DEC": "28/02/2025",
            "REC": "E4A",
            "REASON_PLACE_CHANGE": "",  # the period of care ended: no placement change
            "HOME_POST": "LE1 1AA",
            "PL_POST": "LE3 3CC",
            "URN": "2345678",
        },
    ]
    # a girl looked after in the year, not a mother: MOTHER is 0, not blank (393, 607)
    assert [(r["SEX"], r["MOTHER"], r["MC_DOB"]) for r in rows(ret, "Header", "C1")] == [
        ("F", "0", "")
    ]


def test_a_holiday_t2_between_two_placements_carries_no_reason_and_no_provider(
    council, event, record, project
):
    record(
        council,
        child(event, "C1", "2011-08-08"),
        care(event, "C1", "2024-04-15", "C2"),
        placed(
            event,
            "C1",
            "P1",
            "2024-04-15",
            postcode="LE2 2BB",
            urn="1234567",
            carer_household_id="H1",
        ),
        *moved(event, "C1", "P1", "P2", "2024-08-01", "CARPL", place="T2", provider=None),
        *moved(
            event,
            "C1",
            "P2",
            "P3",
            "2024-08-15",
            "CARPL",
            postcode="LE2 2BB",
            urn="1234567",
            carer_household_id="H1",
        ),  # back to the same foster carers after the holiday
    )

    ret = ssda903(council, project)

    assert rows(ret, "Episodes", "C1") == [
        {
            "CHILD": "C1",
            "DECOM": "15/04/2024",
            "RNE": "S",
            "LS": "C2",
            "CIN": "N1",
            "PLACE": "U6",
            "PLACE_PROVIDER": "PR1",
            "DEC": "01/08/2024",
            "REC": "X1",
            "REASON_PLACE_CHANGE": "",  # the next placement is temporary (225, 226)
            "HOME_POST": "LE1 1AA",
            "PL_POST": "LE2 2BB",
            "URN": "1234567",
        },
        {
            "CHILD": "C1",
            "DECOM": "01/08/2024",
            "RNE": "P",
            "LS": "C2",
            "CIN": "N1",
            "PLACE": "T2",
            "PLACE_PROVIDER": "",  # blank for T0-T3 (178, 213)
            "DEC": "15/08/2024",
            "REC": "X1",
            "REASON_PLACE_CHANGE": "",  # a temporary placement (226)
            "HOME_POST": "LE1 1AA",
            "PL_POST": "",
            "URN": "",
        },
        {
            "CHILD": "C1",
            "DECOM": "15/08/2024",
            "RNE": "P",  # back to the usual placement (383)
            "LS": "C2",
            "CIN": "N1",
            "PLACE": "U6",
            "PLACE_PROVIDER": "PR1",
            "DEC": "",
            "REC": "",
            "REASON_PLACE_CHANGE": "",
            "HOME_POST": "LE1 1AA",
            "PL_POST": "LE2 2BB",
            "URN": "1234567",
        },
    ]


def test_a_short_break_child_is_in_episodes_and_header_but_not_reviews_oc2_or_prevperm(
    council, event, record, project
):
    def short_break(period, start, end):
        return [
            care(event, "C2", start, "V3", period=period, need="N2"),
            placed(event, "C2", f"{period}-P", start, place="K2", provider="PR1", urn="SC123456"),
            left_care(event, "C2", end, "E4A", period=period),
        ]

    record(
        council,
        child(event, "C2", "2014-01-20", sex="2", disabilities=["LD"]),
        *short_break("SB1", "2024-06-07", "2024-06-10")[:2],
        event(
            "LookedAfterReviewHeld",
            la_child_id="C2",
            review_id="LR1",
            review_code="PN1",
            occurred_at="2024-06-08",
        ),
        short_break("SB1", "2024-06-07", "2024-06-10")[2],
        *short_break("SB2", "2024-10-25", "2024-10-28"),
    )

    ret = ssda903(council, project)

    def stay(decom, dec):
        return {
            "CHILD": "C2",
            "DECOM": decom,
            "RNE": "S",  # every short break is a period of care of its own (366)
            "LS": "V3",
            "CIN": "N2",
            "PLACE": "K2",
            "PLACE_PROVIDER": "PR1",
            "DEC": dec,
            "REC": "E4A",
            "REASON_PLACE_CHANGE": "",
            "HOME_POST": "LE1 1AA",
            "PL_POST": "",
            "URN": "SC123456",
        }

    assert rows(ret, "Episodes", "C2") == [
        stay("07/06/2024", "10/06/2024"),
        stay("25/10/2024", "28/10/2024"),
    ]
    # in the Header, but no mother status for a child looked after by short breaks (399)
    assert rows(ret, "Header", "C2") == [
        {
            "CHILD": "C2",
            "SEX": "F",
            "DOB": "20/01/2014",
            "ETHNIC": "WBRI",
            "UPN": "H801200001001",
            "MOTHER": "",
            "MC_DOB": "",
        }
    ]
    assert rows(ret, "Reviews", "C2") == []  # 399: no reviews for V3/V4 only
    assert rows(ret, "OC2", "C2") == []  # not looked after continuously
    assert rows(ret, "PrevPerm", "C2") == []  # 630 asks for it after an ordinary start only


def test_a_legal_status_changed_on_the_day_care_starts_is_the_status_of_the_first_episode(
    council, event, record, project
):
    record(
        council,
        child(event, "C8", "2013-03-03"),
        care(event, "C8", "2024-05-01T09:00", "L1"),  # police protection in the morning
        placed(event, "C8", "P1", "2024-05-01T09:00", carer_household_id="H1"),
        status(event, "C8", "2024-05-01T16:00", "L2"),  # an EPO that afternoon
        status(event, "C8", "2024-05-10", "C1"),  # an interim care order
    )

    got = [
        (r["DECOM"], r["RNE"], r["LS"], r["DEC"], r["REC"])
        for r in rows(ssda903(council, project), "Episodes", "C8")
    ]

    # an episode lasts at least a day (355): the status the child ends the day with counts
    assert got == [
        ("01/05/2024", "S", "L2", "10/05/2024", "X1"),
        ("10/05/2024", "L", "C1", "", ""),
    ]


# --- adoption ------------------------------------------------------------------------------


def adopters_approved(event, family="F1", household_id="H-ADOPT"):
    """A married couple, a man and a woman, through stage 1, stage 2 and the application,
    approved on 14 December 2023 as the adopter household H-ADOPT."""
    return [
        event(
            "AdopterEnquiryReceived",
            family_id=family,
            adopters=[
                {"adopter_id": "AP1", "sex": "1", "ethnicity": "WBRI"},
                {"adopter_id": "AP2", "sex": "2", "ethnicity": "WIRI"},
            ],
            relationship="L11",
            occurred_at="2023-05-02",
        ),
        event("AdoptionStageStarted", family_id=family, stage=1, occurred_at="2023-06-01"),
        event("AdoptionStageCompleted", family_id=family, stage=1, occurred_at="2023-07-31"),
        event("AdoptionStageStarted", family_id=family, stage=2, occurred_at="2023-08-01"),
        event("AdopterApplicationSubmitted", family_id=family, occurred_at="2023-08-01"),
        event("AdoptionStageCompleted", family_id=family, stage=2, occurred_at="2023-12-01"),
        household(event, household_id, kind="adopter", at="2023-12-14"),
        event(
            "AdopterFamilyApproved",
            family_id=family,
            household_id=household_id,
            occurred_at="2023-12-14",
        ),
    ]


def test_a_child_adopted_in_the_year_has_an_ad1_row_with_the_matched_adopters(
    council, event, record, project
):
    record(
        council,
        *adopters_approved(event),
        child(event, "C3", "2021-02-14"),
        care(event, "C3", "2023-03-01", "C2", home="LE5 5EE"),
        placed(
            event,
            "C3",
            "P1",
            "2023-03-01",
            postcode="LE2 2BB",
            urn="1234567",
            carer_household_id="H1",
        ),
        event("AdoptionDecisionMade", la_child_id="C3", decision_id="D1", occurred_at="2024-04-22"),
        event(
            "CourtOrderMade",
            la_child_id="C3",
            order_id="O1",
            order_type="placement",
            occurred_at="2024-06-05",
        ),
        status(event, "C3", "2024-06-05", "E1"),
        event(
            "AdopterMatched",
            la_child_id="C3",
            decision_id="D1",
            adopter_household_id="H-ADOPT",
            occurred_at="2024-08-01",
        ),
        *moved(
            event,
            "C3",
            "P1",
            "P2",
            "2024-09-02",
            "CARPL",
            place="A6",
            postcode="LE6 6FF",
            urn="XXXXXXX",
            carer_household_id="H-ADOPT",
        ),
        event(
            "PlacedForAdoption",
            la_child_id="C3",
            decision_id="D1",
            adopter_household_id="H-ADOPT",
            occurred_at="2024-09-02",
        ),
        event(
            "CourtOrderMade",
            la_child_id="C3",
            order_id="O2",
            order_type="adoption",
            occurred_at="2025-02-10",
        ),
        left_care(event, "C3", "2025-02-10", "E11"),
    )

    ret = ssda903(council, project)

    common = {"CHILD": "C3", "CIN": "N1", "HOME_POST": "LE5 5EE"}
    assert rows(ret, "Episodes", "C3") == [
        # began the year before and was still open on 1 April 2024, so it is sent again
        common
        | {
            "DECOM": "01/03/2023",
            "RNE": "S",
            "LS": "C2",
            "PLACE": "U6",
            "PLACE_PROVIDER": "PR1",
            "DEC": "05/06/2024",
            "REC": "X1",
            "REASON_PLACE_CHANGE": "",
            "PL_POST": "LE2 2BB",
            "URN": "1234567",
        },
        common
        | {
            "DECOM": "05/06/2024",
            "RNE": "L",
            "LS": "E1",
            "PLACE": "U6",
            "PLACE_PROVIDER": "PR1",
            "DEC": "02/09/2024",
            "REC": "X1",
            "REASON_PLACE_CHANGE": "CARPL",
            "PL_POST": "LE2 2BB",
            "URN": "1234567",
        },
        common
        | {
            "DECOM": "02/09/2024",
            "RNE": "P",
            "LS": "E1",
            "PLACE": "A6",
            "PLACE_PROVIDER": "PR1",
            "DEC": "10/02/2025",
            "REC": "E11",
            "REASON_PLACE_CHANGE": "",
            "PL_POST": "LE6 6FF",
            "URN": "XXXXXXX",
        },
    ]
    assert [list(r) for r in ret.files["Episodes"]] == [list(FILES["Episodes"])] * 3
    assert rows(ret, "AD1", "C3") == [
        {
            "CHILD": "C3",
            "DOB": "14/02/2021",
            "DATE_INT": "22/04/2024",  # the decision that he should be placed for adoption
            "DATE_MATCH": "01/08/2024",
            "FOSTER_CARE": "0",  # A6: not adopted by his foster carers (335)
            "NB_ADOPTR": "2",
            "SEX_ADOPTR": "MF",
            "LS_ADOPTR": "L11",
        }
    ]
    assert rows(ret, "PlacedAdoption", "C3") == [
        {
            "CHILD": "C3",
            "DOB": "14/02/2021",
            "DATE_PLACED": "22/04/2024",
            "DATE_PLACED_CEASED": "",  # adopted: the decision was never reversed
            "REASON_PLACED_CEASED": "",
        }
    ]
    assert rows(ret, "PrevPerm", "C3") == []  # his period of care began before the year
    assert rows(ret, "OC2", "C3") == []  # left care in the year


# --- care leavers --------------------------------------------------------------------------


def test_care_leavers_turning_18_and_19_in_the_year_have_oc3_rows_from_the_nearest_contact(
    council, event, record, project
):
    record(
        council,
        # C4, born 5 November 2006: looked after from 15 to 17, 18 on 5 November 2024
        child(event, "C4", "2006-11-05", sex="2"),
        care(event, "C4", "2022-01-10", "C2"),
        placed(event, "C4", "P1", "2022-01-10", carer_household_id="H1"),
        left_care(event, "C4", "2024-01-15", "E5"),
        event(
            "CareLeaverContactRecorded",  # more than 3 months before her birthday
            la_child_id="C4",
            in_touch="YES",
            activity="F5",
            accommodation="B",
            accommodation_suitable=True,
            occurred_at="2024-04-20",
        ),
        event(
            "CareLeaverContactRecorded",
            la_child_id="C4",
            in_touch="YES",
            activity="F2",
            accommodation="D",
            accommodation_suitable=True,
            occurred_at="2024-11-01",
        ),
        # C5, born 30 June 2005: looked after from 15 to 17, 19 on 30 June 2024
        child(event, "C5", "2005-06-30"),
        care(event, "C5", "2021-03-01", "V2"),
        placed(event, "C5", "P1", "2021-03-01", place="K2", provider="PR4"),
        left_care(event, "C5", "2023-01-10", "E8"),
        event(
            "CareLeaverContactRecorded",
            la_child_id="C5",
            in_touch="YES",
            activity="G5",
            accommodation="K",
            accommodation_suitable=False,
            occurred_at="2024-07-15",
        ),
    )

    ret = ssda903(council, project)

    assert ret.files["OC3"] == [
        {"CHILD": "C4", "DOB": "05/11/2006", "IN_TOUCH": "YES", "ACTIV": "F2", "ACCOM": "D1"},
        {"CHILD": "C5", "DOB": "30/06/2005", "IN_TOUCH": "YES", "ACTIV": "G5", "ACCOM": "K2"},
    ]
    # not looked after in the year: in the Header for OC3, in no episode, no mother
    # status (628), no health or adoption rows (187, 215)
    assert [(r["CHILD"], r["SEX"], r["MOTHER"]) for r in ret.files["Header"]] == [
        ("C4", "F", ""),
        ("C5", "M", ""),
    ]
    for file in ("Episodes", "OC2", "AD1", "SWEpisodes", "Reviews"):
        assert ret.files[file] == [], file


# --- social workers ------------------------------------------------------------------------


def test_swepisodes_lists_every_social_worker_overlapping_the_year_including_before_care(
    council, event, record, project
):
    record(
        council,
        child(event, "C6", "2012-09-01"),
        event(
            "ReferralReceived",
            la_child_id="C6",
            referral_id="R1",
            referral_source="6",
            primary_need="N1",
            occurred_at="2024-02-10",
        ),
        allocated(
            event, "C6", "A1", "W1", "2024-02-10", "FCONTA", team="T-CIN", swe_registration="SW1001"
        ),
        care(event, "C6", "2024-05-01", "C2"),
        placed(event, "C6", "P1", "2024-05-01", carer_household_id="H1"),
        event(  # an IRO is allocated too: not a social worker episode
            "WorkerAllocated",
            la_child_id="C6",
            allocation_id="IRO1",
            worker_id="I1",
            role="iro",
            team_id="T-LAC",
            occurred_at="2024-05-02",
        ),
        event(
            "CaseTransferred",
            la_child_id="C6",
            transfer_id="TR1",
            from_team_id="T-CIN",
            to_team_id="T-LAC",
            allocation_id="A2",
            worker_id="W2",
            swe_registration="SW1002",
            reason="TSPROC",
            occurred_at="2024-05-20",
        ),
        event(
            "WorkerAllocationEnded", la_child_id="C6", allocation_id="A2", occurred_at="2024-10-01"
        ),
        # no SWE number on the allocation: SW_ID is the worker's own registration
        allocated(event, "C6", "A3", "W3", "2024-10-01", "LEFTRL"),
        event("WorkerLeft", worker_id="W2", occurred_at="2024-10-02"),
    )

    ret = ssda903(council, project)

    assert rows(ret, "SWEpisodes", "C6") == [
        {
            "CHILD": "C6",
            "DOB": "01/09/2012",
            "SW_ID": "SW1001",
            "SW_DECOM": "10/02/2024",  # before the year and before care (SW12)
            "SW_DEC": "20/05/2024",
            "SW_REASON": "FCONTA",
        },
        {
            "CHILD": "C6",
            "DOB": "01/09/2012",
            "SW_ID": "SW1002",
            "SW_DECOM": "20/05/2024",
            "SW_DEC": "01/10/2024",
            "SW_REASON": "TSPROC",
        },
        {
            "CHILD": "C6",
            "DOB": "01/09/2012",
            "SW_ID": "SW1003",
            "SW_DECOM": "01/10/2024",
            "SW_DEC": "",  # still allocated on 31 March 2025
            "SW_REASON": "LEFTRL",
        },
    ]


# --- the end of the year -------------------------------------------------------------------


def test_an_episode_ending_after_31_march_is_reported_open_that_year(
    council, event, record, project
):
    record(
        council,
        child(event, "C7", "2009-12-12"),
        care(event, "C7", "2024-11-01", "C2"),
        placed(event, "C7", "P1", "2024-11-01", postcode="LE2 2BB", carer_household_id="H1"),
        *moved(
            event,
            "C7",
            "P1",
            "P2",
            "2025-05-10",
            "CHILD",
            place="K2",
            provider="PR4",
            postcode="LE7 7GG",
            urn="SC654321",
        ),
    )

    first = {
        "CHILD": "C7",
        "DECOM": "01/11/2024",
        "RNE": "S",
        "LS": "C2",
        "CIN": "N1",
        "PLACE": "U6",
        "PLACE_PROVIDER": "PR1",
        "DEC": "",
        "REC": "",
        "REASON_PLACE_CHANGE": "",  # not given on an open episode (233)
        "HOME_POST": "LE1 1AA",
        "PL_POST": "LE2 2BB",
        "URN": "",
    }
    assert rows(ssda903(council, project), "Episodes", "C7") == [first]

    with Reports(council.settings) as reports:
        next_year = reports.ssda903(year=2025)
    assert rows(next_year, "Episodes", "C7") == [
        first | {"DEC": "10/05/2025", "REC": "X1", "REASON_PLACE_CHANGE": "CHILD"},
        {
            "CHILD": "C7",
            "DECOM": "10/05/2025",
            "RNE": "P",
            "LS": "C2",
            "CIN": "N1",
            "PLACE": "K2",
            "PLACE_PROVIDER": "PR4",
            "DEC": "",
            "REC": "",
            "REASON_PLACE_CHANGE": "",
            "HOME_POST": "LE1 1AA",
            "PL_POST": "LE7 7GG",
            "URN": "SC654321",
        },
    ]


# --- the files -----------------------------------------------------------------------------


def test_the_csv_files_have_exactly_the_dfe_columns_in_order(
    council, event, record, project, tmp_path
):
    record(
        council,
        child(event, "C1", "2012-05-10"),
        care(event, "C1", "2024-05-01", "V2"),
        placed(event, "C1", "P1", "2024-05-01", carer_household_id="H1"),
    )
    ret = ssda903(council, project)

    written = ret.write_csv(tmp_path / "903")

    assert sorted(p.name for p in written) == sorted(f"{name}.csv" for name in FILES)
    for name, columns in FILES.items():
        with (tmp_path / "903" / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
            lines = list(csv.reader(handle))
        assert lines[0] == list(columns), name
        assert len(lines) - 1 == len(ret.files[name]), name
    with (tmp_path / "903" / "Episodes.csv").open(newline="", encoding="utf-8") as handle:
        (episode,) = list(csv.DictReader(handle))
    assert (episode["CHILD"], episode["DECOM"], episode["RNE"], episode["DEC"]) == (
        "C1",
        "01/05/2024",
        "S",
        "",
    )
