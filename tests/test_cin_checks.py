"""The CIN census rule book: each rule fails a hand-built census broken in one place, and a
valid census fails none.

`valid_files()` is a census for 2025-26 (1 April 2025 to 31 March 2026) of two children:
C1, referred in May 2025, assessed, under a section 47 enquiry that led to a child
protection plan (with a review), then a child in need plan, and in pre-proceedings; C2,
unborn, whose referral was closed with no further action. Each case changes one thing (or
adds one row) and names the rule it must break.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from projections.checks_cin import RULES, upn_check_letter
from projections.cin_census import TABLES
from projections.return_checks import Checked
from projections.return_files import Return

Files = dict[str, list[dict[str, str]]]
Change = Callable[[Files], None]

CHILD, UNBORN = "C1", "C2"
YEAR = 2025
UPN = "A950000178301"  # a UPN with the right check letter (A)
REFERRED = "2025-05-01"
ICPC = "2025-06-10"  # a Tuesday: the initial conference, and the day the plan starts
PLAN_ENDED = "2025-12-01"  # the child protection plan ends; the CIN plan starts
CLOSED = "2026-01-10"  # a closure date in the year, for the cases that close C1's episode

VALID: Files = {
    "Children": [
        {
            "LAchildID": CHILD,
            "UPN": UPN,
            "FormerUPN": "",
            "UPNunknown": "",
            "PersonBirthDate": "2015-06-01",
            "ExpectedPersonBirthDate": "",
            "Sex": "F",
            "PersonDeathDate": "",
            "Ethnicity": "WBRI",
            "Disabilities": "NONE",
        },
        {
            "LAchildID": UNBORN,
            "UPN": "",
            "FormerUPN": "",
            "UPNunknown": "UN1",
            "PersonBirthDate": "",
            "ExpectedPersonBirthDate": "2026-05-01",
            "Sex": "U",
            "PersonDeathDate": "",
            "Ethnicity": "NOBT",
            "Disabilities": "NONE",
        },
    ],
    "CINdetails": [
        {
            "LAchildID": CHILD,
            "CINreferralDate": REFERRED,
            "ReferralSource": "2A",
            "PrimaryNeedCode": "N1",
            "CINclosureDate": "",
            "ReasonForClosure": "",
            "DateOfInitialCPC": "",
            "ReferralNFA": "false",
        },
        {
            "LAchildID": UNBORN,
            "CINreferralDate": "2025-08-01",
            "ReferralSource": "3B",
            "PrimaryNeedCode": "N4",
            "CINclosureDate": "2025-08-01",
            "ReasonForClosure": "RC7",
            "DateOfInitialCPC": "",
            "ReferralNFA": "true",
        },
    ],
    "Assessments": [
        {
            "LAchildID": CHILD,
            "CINreferralDate": REFERRED,
            "AssessmentActualStartDate": "2025-05-02",
            "AssessmentInternalReviewDate": "",
            "AssessmentAuthorisationDate": "2025-05-20",
            "AssessmentFactors": "3B,4B",
        }
    ],
    "CINPlanDates": [
        {
            "LAchildID": CHILD,
            "CINreferralDate": REFERRED,
            "CINPlanStartDate": PLAN_ENDED,
            "CINPlanEndDate": "",
        }
    ],
    "Section47": [
        {
            "LAchildID": CHILD,
            "CINreferralDate": REFERRED,
            "S47ActualStartDate": "2025-05-21",
            "InitialCPCtarget": "2025-06-11",
            "DateOfInitialCPC": ICPC,
            "ICPCnotRequired": "false",
        }
    ],
    "ChildProtectionPlans": [
        {
            "LAchildID": CHILD,
            "CINreferralDate": REFERRED,
            "CPPstartDate": ICPC,
            "CPPendDate": PLAN_ENDED,
            "InitialCategoryOfAbuse": "NEG",
            "LatestCategoryOfAbuse": "EMO",
            "NumberOfPreviousCPP": "0",
        }
    ],
    "Reviews": [
        {
            "LAchildID": CHILD,
            "CINreferralDate": REFERRED,
            "CPPstartDate": ICPC,
            "CPPreviewDate": "2025-09-01",
        }
    ],
    "PreProceedings": [
        {
            "LAchildID": CHILD,
            "CINreferralDate": REFERRED,
            "PPStartDate": "2025-07-01",
            "LBPSentDate": "2025-07-05",
            "FGDMMeetingOffer": "true",
            "FGDMMeetingFac": "false",
            "InitialPPMeetingDate": "2025-07-20",
            "ReviewMeetingsCount": "1",
            "StepDecisionDate": "2025-10-01",
            "PPOutcome": "B",
            "CourtAppDate": "",
            "LetterInitCPDate": "",
        }
    ],
}


def valid_files() -> Files:
    return copy.deepcopy(VALID)


def checked(files: Files, year: int = YEAR) -> Checked:
    return RULES.check(Return("cin-census", year, files, TABLES))


# --- one change to the valid census --------------------------------------------------------


def put(table: str, row: int = 0, **values: str) -> Change:
    """Set values on a row (C1's, unless `row` says otherwise)."""

    def change(files: Files) -> None:
        files[table][row].update(values)

    return change


def add(table: str, like: int = 0, **values: str) -> Change:
    """Add a row: a copy of row `like` with `values` changed."""

    def change(files: Files) -> None:
        files[table].append({**files[table][like], **values})

    return change


def drop(table: str, row: int = 0) -> Change:
    def change(files: Files) -> None:
        del files[table][row]

    return change


def all_of(*changes: Change) -> Change:
    def change(files: Files) -> None:
        for one in changes:
            one(files)

    return change


def rename(new: str) -> Change:
    """C1 called `new` in every table."""

    def change(files: Files) -> None:
        for rows in files.values():
            for row in rows:
                if row["LAchildID"] == CHILD:
                    row["LAchildID"] = new

    return change


def close(reason: str = "RC7", on: str = CLOSED) -> Change:
    return put("CINdetails", CINclosureDate=on, ReasonForClosure=reason)


def case(code: str, change: Change, child: str = CHILD) -> Any:
    return pytest.param(code, change, child, id=code)


CASES = [
    # child identifiers and characteristics
    case("8500", put("Children", LAchildID=""), child=""),
    case("8510", add("Children")),
    case("1570", rename("C" * 21), child="C" * 21),
    case("1580", rename("C-1"), child="C-1"),
    case("1510", put("Children", UPN="R247962919251")),
    case("1520", add("Children", LAchildID="C3")),
    case("1540", put("Children", UPN="A9500ABC78301")),
    case("1550", put("Children", UPN="A95000017830I")),
    case("1560Q", put("Children", FormerUPN="12345")),
    case("8770Q", put("Children", UPN="", UPNunknown="UN1")),
    case("8772", put("Children", UPN="", UPNunknown="UN7")),
    case("4180", put("Children", Sex="1")),
    case("8750", put("Children", 1, Sex="F"), child=UNBORN),
    case("8520", put("Children", PersonBirthDate="2026-04-02")),
    case("8525Q", put("Children", ExpectedPersonBirthDate="2026-05-01")),
    case("8525Q", put("Children", 1, ExpectedPersonBirthDate=""), child=UNBORN),
    case("8530Q", put("Children", 1, ExpectedPersonBirthDate="2027-01-15"), child=UNBORN),
    case("8530Q", put("Children", 1, ExpectedPersonBirthDate="2026-02-28"), child=UNBORN),
    case("8535Q", put("Children", PersonDeathDate="2015-05-31")),
    case("8545Q", put("Children", PersonDeathDate="2025-03-31")),
    case("8775Q", put("Children", PersonBirthDate="2000-06-01")),
    case("4220", put("Children", Ethnicity="WXYZ")),
    case("8540", put("Children", Disabilities="WINGS")),
    case("8540", put("Children", Disabilities="")),
    case("8790", put("Children", Disabilities="NONE,MOB")),
    case("8794", put("Children", Disabilities="MOB,HEAR,MOB")),
    case("8590", add("Children", LAchildID="C3", UPN=""), child="C3"),
    # CIN details
    case("8600", put("CINdetails", 1, CINreferralDate="2026-04-01"), child=UNBORN),
    case("8600", put("CINdetails", 1, CINreferralDate=""), child=UNBORN),
    case("8606", put("Children", 1, ExpectedPersonBirthDate="2026-05-09"), child=UNBORN),
    case("8606", put("Children", PersonBirthDate="2026-02-06")),
    case("8555Q", put("Children", PersonDeathDate="2025-04-30")),
    case("8866", put("CINdetails", ReferralSource="11")),
    case("8866", put("CINdetails", ReferralSource="")),
    case("8568", put("CINdetails", ReferralNFA="")),
    case("8568", put("CINdetails", ReferralNFA="no")),
    case(
        "8569Q",
        put("CINdetails", 1, CINreferralDate="2025-03-28", CINclosureDate="2025-04-02"),
        child=UNBORN,
    ),
    case("8610", put("CINdetails", PrimaryNeedCode="")),
    case("8650", put("CINdetails", PrimaryNeedCode="N10")),
    case("8640", close(reason="RC10")),
    case("8620", close(on="2026-04-01")),
    case("8620", put("CINdetails", 1, CINclosureDate="2025-03-31"), child=UNBORN),
    case("8630", put("CINdetails", 1, CINclosureDate="2025-07-31"), child=UNBORN),
    case("8805", close(reason="")),
    case("8810", put("CINdetails", ReasonForClosure="RC7")),
    case("8585Q", close(reason="RC2")),
    case("8565", close(on="2025-11-30")),  # the plan ends, and the CIN plan starts, later
    case("8565", close(on="2025-05-19")),  # before the assessment is authorised
    case("8815", add("CINdetails", CINreferralDate="2024-12-01")),
    case("8816", add("CINdetails", CINreferralDate="2024-12-01")),
    case("8820", add("CINdetails", CINreferralDate="2025-06-01", CINclosureDate="2025-07-01")),
    case(
        "8820",
        all_of(
            close(on="2025-12-31"),
            add("CINdetails", CINreferralDate="2025-12-30", CINclosureDate="", ReasonForClosure=""),
        ),
    ),
    case("8831", put("CINdetails", ReferralNFA="true")),
    case("8831", put("CINdetails", 1, DateOfInitialCPC="2025-08-01"), child=UNBORN),
    case("8832", put("CINdetails", ReferralNFA="true")),
    case("4000", put("CINdetails", ReferralNFA="true")),
    case("2990", close(reason="RC8")),
    case("2990", close(reason="RC9")),
    case("8825Q", all_of(drop("Assessments"), close(reason="RC9"))),
    case("8825Q", put("CINdetails", 1, ReasonForClosure="RC8"), child=UNBORN),
    case("2991Q", drop("Assessments")),
    case("8867", all_of(close(), put("Assessments", AssessmentAuthorisationDate=""))),
    case("8868", all_of(close(), put("Section47", DateOfInitialCPC=""))),
    # assessments
    case("1103", put("Assessments", AssessmentActualStartDate="2025-04-30")),
    case("8608", put("Assessments", AssessmentAuthorisationDate="2025-05-01")),
    case("8696", put("Assessments", AssessmentAuthorisationDate="2026-04-01")),
    case(
        "8736",
        put(
            "Assessments",
            AssessmentActualStartDate="2025-03-31",
            AssessmentAuthorisationDate="",
            AssessmentFactors="",
        ),
    ),
    case(
        "8670Q",
        put(
            "Assessments",
            AssessmentActualStartDate="2026-01-20",
            AssessmentAuthorisationDate="",
            AssessmentFactors="",
        ),
    ),
    case("8863Q", add("Assessments", AssessmentActualStartDate="2025-05-20")),
    case(
        "8863Q",
        all_of(
            put("Assessments", AssessmentAuthorisationDate="", AssessmentFactors=""),
            add("Assessments", AssessmentActualStartDate="2026-03-31"),
        ),
    ),
    case(
        "8896",
        all_of(
            put("Assessments", AssessmentAuthorisationDate="", AssessmentFactors=""),
            add("Assessments", AssessmentActualStartDate="2025-06-01"),
        ),
    ),
    case("8614", put("Assessments", AssessmentAuthorisationDate="")),
    case("8897Q", put("Assessments", AssessmentFactors="")),
    case("8897Q", put("Assessments", AssessmentFactors="3B,7B")),
    case("8898", put("Assessments", AssessmentFactors="3B,4B,3B")),
    case("8869", put("Assessments", AssessmentFactors="21,3B")),
    case("8873Q", put("Assessments", AssessmentFactors="21")),
    case("8873Q", all_of(put("Assessments", AssessmentFactors="21"), close(reason="RC7"))),
    case("8945Q", put("Assessments", AssessmentFactors="18A")),
    case("8950Q", put("Assessments", AssessmentFactors="19A")),
    # section 47 enquiries and initial conferences
    case("2889", put("Section47", S47ActualStartDate="2025-04-30")),
    case("1104", put("Section47", DateOfInitialCPC="2025-04-29")),
    case("1104", put("CINdetails", 1, DateOfInitialCPC="2025-07-29"), child=UNBORN),
    case("8615", put("Section47", S47ActualStartDate="")),
    case("8615", put("Section47", S47ActualStartDate="2025-06-11")),
    case("8715", put("Section47", DateOfInitialCPC="2026-04-01")),
    case("8715", put("CINdetails", 1, DateOfInitialCPC="2025-03-31"), child=UNBORN),
    case("8740", put("Section47", S47ActualStartDate="2025-03-31", DateOfInitialCPC="")),
    case("8675Q", put("Section47", S47ActualStartDate="2026-03-02", DateOfInitialCPC="")),
    case("8839", all_of(put("Section47", DateOfInitialCPC=""), add("Section47"))),
    case("8890", add("Section47", S47ActualStartDate="2025-06-10")),
    case(
        "8890",
        all_of(
            put("Section47", DateOfInitialCPC=""),
            add("Section47", S47ActualStartDate="2026-03-31", DateOfInitialCPC="2026-03-31"),
        ),
    ),
    case("8870Q", put("Section47", InitialCPCtarget="2025-06-14")),
    case("8870Q", put("Section47", InitialCPCtarget="2025-06-15")),
    case("8875", put("Section47", DateOfInitialCPC="2025-06-14")),
    case("8875", put("CINdetails", 1, DateOfInitialCPC="2025-08-03"), child=UNBORN),
    case("2884", put("CINdetails", DateOfInitialCPC=ICPC)),
    # child protection plans
    case("1105", put("ChildProtectionPlans", CPPstartDate="2025-04-30")),
    case("8720", put("ChildProtectionPlans", CPPstartDate="2026-04-01")),
    case("8720", put("ChildProtectionPlans", CPPstartDate="")),
    case("8925", put("ChildProtectionPlans", CPPendDate="2025-06-09")),
    case("8930", put("ChildProtectionPlans", CPPendDate="2026-04-01")),
    case("8840", put("ChildProtectionPlans", CPPendDate=ICPC)),
    case(
        "8935",
        all_of(
            put("ChildProtectionPlans", CPPendDate=""),
            add("ChildProtectionPlans", CPPstartDate="2026-01-05"),
        ),
    ),
    case("8940", add("ChildProtectionPlans", CPPstartDate=PLAN_ENDED, CPPendDate="2026-01-05")),
    case("8730", put("ChildProtectionPlans", NumberOfPreviousCPP="")),
    case("8730", put("ChildProtectionPlans", NumberOfPreviousCPP="-1")),
    case("8905", put("ChildProtectionPlans", InitialCategoryOfAbuse="")),
    case("8910", put("ChildProtectionPlans", LatestCategoryOfAbuse="NEGLECT")),
    case("8915", put("Children", PersonDeathDate="2025-06-09")),
    case("8920", put("Children", PersonDeathDate="2025-11-30")),
    case("8841", put("Reviews", CPPreviewDate=ICPC)),
    case("8841", put("Reviews", CPPreviewDate="2025-06-01")),
    case("8842Q", put("Reviews", CPPreviewDate="")),
    case("2885", put("ChildProtectionPlans", CPPstartDate="2025-06-11")),
    # child in need plans
    case("4010", put("CINPlanDates", CINPlanStartDate="")),
    case("4010", put("CINPlanDates", CINPlanStartDate="2026-04-01")),
    case("4011", put("CINPlanDates", CINPlanEndDate="2025-11-30")),
    case("4012Q", put("CINPlanDates", CINPlanEndDate=PLAN_ENDED)),
    case("4013", put("CINPlanDates", CINPlanEndDate="2026-04-01")),
    case("4014", add("CINPlanDates", CINPlanStartDate="2026-03-31", CINPlanEndDate="2026-03-31")),
    case("4004", add("CINPlanDates", CINPlanStartDate="2026-03-31")),
    case("4015", put("CINPlanDates", CINPlanStartDate="2025-04-30", CINPlanEndDate="2025-05-01")),
    case("4008", put("Children", PersonDeathDate="2025-11-30")),
    case(
        "4009Q",
        all_of(
            put("CINPlanDates", CINPlanEndDate="2026-02-01"),
            put("Children", PersonDeathDate="2026-01-31"),
        ),
    ),
    case("4001", put("ChildProtectionPlans", CPPendDate="")),
    case("4016", put("CINPlanDates", CINPlanStartDate="2025-11-30")),
    case("4016", put("CINPlanDates", CINPlanStartDate=ICPC, CINPlanEndDate=ICPC)),
    case("4017", put("CINPlanDates", CINPlanStartDate="2025-06-01", CINPlanEndDate="2025-06-11")),
    case("4003", add("Reviews", CPPreviewDate="2025-12-15")),
    # pre-proceedings (from 2025-26)
    case("9005", put("PreProceedings", PPStartDate="2025-03-31")),
    case("9006", put("PreProceedings", LBPSentDate="2025-06-30")),
    case("9006", put("PreProceedings", LBPSentDate="2026-04-01")),
    case("9007", put("PreProceedings", FGDMMeetingOffer="")),
    case("9008", put("PreProceedings", InitialPPMeetingDate="2026-04-01")),
    case("9009", put("PreProceedings", StepDecisionDate="2025-06-30")),
    case("9009", put("PreProceedings", StepDecisionDate="2026-04-01")),
    case("9010Q", put("PreProceedings", FGDMMeetingFac="")),
    case("9011", put("PreProceedings", PPOutcome="D")),
    case("9012", put("PreProceedings", CourtAppDate="2025-09-30")),
    case("9012", put("PreProceedings", CourtAppDate="2026-04-01")),
    case("9015Q", put("PreProceedings", ReviewMeetingsCount="")),
]


def test_a_valid_census_breaks_no_rule() -> None:
    result = checked(valid_files())
    assert [(f.rule, f.child, f.detail) for f in result.findings] == []
    assert len(result.rules) == len(RULES.rules)  # every rule applies to 2025-26


@pytest.mark.parametrize(("code", "change", "child"), CASES)
def test_each_rule_fails_a_census_broken_for_it(code: str, change: Change, child: str) -> None:
    files = valid_files()
    change(files)
    failures = [f for f in checked(files).findings if f.rule == code]
    assert failures, f"{code} did not fail"
    assert child in {f.child for f in failures}
    rule = next(r for r, _ in RULES.rules if r.code == code)
    assert all(f.message == rule.message and f.detail for f in failures)


def test_every_rule_has_a_failing_case() -> None:
    tested = {p.values[0] for p in CASES}
    assert tested == {rule.code for rule, _ in RULES.rules}


def test_queries_are_the_q_rules() -> None:
    for rule, _ in RULES.rules:
        assert rule.query == rule.code.endswith("Q"), rule.code
    queries = checked_with(put("Assessments", AssessmentFactors="21")).queries
    assert {f.rule for f in queries} == {"8873Q"}
    assert checked_with(put("Assessments", AssessmentFactors="21")).errors == []


def checked_with(*changes: Change, year: int = YEAR) -> Checked:
    files = valid_files()
    for change in changes:
        change(files)
    return checked(files, year)


# --- rules that follow the collection year -----------------------------------------------


def test_sex_codes_and_2024_rules_apply_from_2024_25() -> None:
    codes_2023 = {rule.code for rule, _ in RULES.applying(2023)}
    codes_2024 = {rule.code for rule, _ in RULES.applying(2024)}
    since_2024 = {"4180", "8750", "1570", "1580", "8770Q", "8945Q", "8950Q"}
    assert not since_2024 & codes_2023
    assert since_2024 <= codes_2024


def test_pre_proceedings_rules_apply_from_2025_26() -> None:
    module_5 = {"9005", "9006", "9007", "9008", "9009", "9010Q", "9011", "9012", "9015Q"}
    assert not module_5 & {rule.code for rule, _ in RULES.applying(2024)}
    assert module_5 <= {rule.code for rule, _ in RULES.applying(2025)}


# --- the rules' edges ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("upn", "letter"),
    [
        ("A950000178301", "A"),  # the validator's own passing examples
        ("H243278544154", "H"),
        ("R247962919251", "Q"),  # its failing example: the letter should be Q
        ("A95000017830B", None),  # a temporary UPN: not checked
        ("A9500001783", None),  # too short
    ],
)
def test_upn_check_letter(upn: str, letter: str | None) -> None:
    assert upn_check_letter(upn) == letter


def rules_broken(*changes: Change, year: int = YEAR) -> set[str]:
    return {f.rule for f in checked_with(*changes, year=year).findings}


def test_sex_u_for_an_unborn_child_and_1_2_before_2024() -> None:
    assert "8750" not in rules_broken()
    assert "4180" not in rules_broken(put("Children", Sex="1"), year=2023)


def test_an_assessment_45_working_days_old_is_not_yet_overdue() -> None:
    # 45 working days before 31 March 2026, bank holidays aside, is 26 January 2026; one
    # started on 27 January has until 31 March
    open_from = {"AssessmentAuthorisationDate": "", "AssessmentFactors": ""}
    late = put("Assessments", AssessmentActualStartDate="2026-01-26", **open_from)
    in_time = put("Assessments", AssessmentActualStartDate="2026-01-27", **open_from)
    assert "8670Q" in rules_broken(late)
    assert "8670Q" not in rules_broken(in_time)


def test_an_enquiry_15_working_days_old_is_not_yet_overdue() -> None:
    late = put("Section47", S47ActualStartDate="2026-03-09", DateOfInitialCPC="")
    in_time = put("Section47", S47ActualStartDate="2026-03-10", DateOfInitialCPC="")
    not_needed = put(
        "Section47", S47ActualStartDate="2026-01-05", DateOfInitialCPC="", ICPCnotRequired="true"
    )
    assert "8675Q" in rules_broken(late)
    assert "8675Q" not in rules_broken(in_time)
    assert not {"8675Q", "8740", "8839", "8868"} & rules_broken(not_needed)


def test_episodes_may_meet_but_not_overlap() -> None:
    # 8820: a referral may start on the day the episode before it closed
    meeting = all_of(
        put("CINdetails", 1, LAchildID=CHILD, CINreferralDate="2025-04-01"),
        put("CINdetails", 1, CINclosureDate=REFERRED),
    )
    assert "8820" not in rules_broken(meeting)
    # an open NFA referral does not count as running to the ReferenceDate
    open_nfa = add(
        "CINdetails", 1, LAchildID=CHILD, CINreferralDate="2025-04-02", CINclosureDate=""
    )
    assert "8820" not in rules_broken(open_nfa)


def test_a_cin_plan_may_start_the_day_a_protection_plan_ends() -> None:
    # the valid census does so; a day earlier it runs alongside the plan
    assert not {"4016", "4017", "4001"} & rules_broken()
    assert "4016" in rules_broken(put("CINPlanDates", CINPlanStartDate="2025-11-30"))


def test_a_review_on_the_day_the_plan_ends_is_not_during_the_cin_plan() -> None:
    assert "4003" not in rules_broken(add("Reviews", CPPreviewDate=PLAN_ENDED))


def test_the_failure_names_the_dates() -> None:
    result = checked_with(put("Assessments", AssessmentActualStartDate="2025-04-30"))
    (finding,) = [f for f in result.findings if f.rule == "1103"]
    assert finding.child == CHILD and finding.file == "Assessments"
    assert "2025-04-30" in finding.detail and REFERRED in finding.detail
