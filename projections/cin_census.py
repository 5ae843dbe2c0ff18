"""The CIN census for a collection year: the DfE's XML message and the same as flat tables.

Every child with a referral episode (a child in need episode) open at any time in the year
is in it, with one CINdetails a referral episode: its referral, closure, assessments,
child in need plans, section 47 enquiries with their initial conferences, child
protection plans with their reviews and, from 2025-26, pre-proceedings. What happened
after 31 March is left out: a plan that ended later is reported open. Elements follow the
DfE's schema order (ReferralNFA after the Section47 groups); dates are yyyy-mm-dd; from
2024-25 `Sex` (M, F, U; U for an unborn child) replaces `GenderCurrent`. A section 47
enquiry starts, for the census, on the date of the strategy discussion that began it
(from which InitialCPCtarget counts 15 working days).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from projections import returns_facts as facts
from projections.personal import PersonalSealer
from projections.return_files import (
    SEX_CODES_FROM,
    Facts,
    Return,
    date_of,
    sex_code,
    upn_default,
)

PRE_PROCEEDINGS_FROM = 2025  # returns.md: the PreProceedingsandFGDM block from 2025-26
# RC8 and RC9 close a case after assessment (no further action; early help). An episode
# that went on to a plan or an enquiry and then stepped down closes RC7 for the census
# (rule 2990): services ceased.
AFTER_ASSESSMENT = frozenset({"RC8", "RC9"})
SERVICES_CEASED = "RC7"
SOFTWARE = "journey"
RELEASE = "0.1.0"

TABLES: dict[str, tuple[str, ...]] = {
    "Children": (
        "LAchildID",
        "UPN",
        "FormerUPN",
        "UPNunknown",
        "PersonBirthDate",
        "ExpectedPersonBirthDate",
        "Sex",
        "PersonDeathDate",
        "Ethnicity",
        "Disabilities",
    ),
    "CINdetails": (
        "LAchildID",
        "CINreferralDate",
        "ReferralSource",
        "PrimaryNeedCode",
        "CINclosureDate",
        "ReasonForClosure",
        "DateOfInitialCPC",
        "ReferralNFA",
    ),
    "Assessments": (
        "LAchildID",
        "CINreferralDate",
        "AssessmentActualStartDate",
        "AssessmentInternalReviewDate",
        "AssessmentAuthorisationDate",
        "AssessmentFactors",
    ),
    "CINPlanDates": ("LAchildID", "CINreferralDate", "CINPlanStartDate", "CINPlanEndDate"),
    "Section47": (
        "LAchildID",
        "CINreferralDate",
        "S47ActualStartDate",
        "InitialCPCtarget",
        "DateOfInitialCPC",
        "ICPCnotRequired",
    ),
    "ChildProtectionPlans": (
        "LAchildID",
        "CINreferralDate",
        "CPPstartDate",
        "CPPendDate",
        "InitialCategoryOfAbuse",
        "LatestCategoryOfAbuse",
        "NumberOfPreviousCPP",
    ),
    "Reviews": ("LAchildID", "CINreferralDate", "CPPstartDate", "CPPreviewDate"),
    "PreProceedings": (
        "LAchildID",
        "CINreferralDate",
        "PPStartDate",
        "LBPSentDate",
        "FGDMMeetingOffer",
        "FGDMMeetingFac",
        "InitialPPMeetingDate",
        "ReviewMeetingsCount",
        "StepDecisionDate",
        "PPOutcome",
        "CourtAppDate",
        "LetterInitCPDate",
    ),
}


def iso(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def yes_no(value: bool | None) -> str:
    return "" if value is None else "true" if value else "false"


@dataclass(frozen=True)
class Census:
    """The census: the flat tables (a Return) and the XML message made from them."""

    tables: Return
    xml: bytes

    def write(self, folder: Path) -> list[Path]:
        written = self.tables.write_csv(folder)
        path = folder / f"cin-census-{self.tables.year + 1}.xml"
        path.write_bytes(self.xml)
        return [path, *written]


def cin_census(
    conn: Connection, sealer: PersonalSealer, year: int, council: str, now: datetime
) -> Census:
    """The census for 1 April `year` to 31 March `year + 1` (reference date 31 March)."""
    start, end = date(year, 4, 1), date(year + 1, 3, 31)
    f = Facts(conn, sealer)
    r = facts.referrals.c
    episodes = {
        stream: sorted(rows, key=lambda x: x["referred_on"])
        for stream, rows in f.by_child(facts.referrals, r.referred_on <= end).items()
    }
    episodes = {
        stream: kept
        for stream, rows in episodes.items()
        if (kept := [x for x in rows if x["closed_on"] is None or x["closed_on"] >= start])
    }
    people = {p["stream_id"]: p for p in f.rows(facts.identities)}
    parts = {
        name: f.by_child(table)
        for name, table in (
            ("assessments", facts.assessments),
            ("cin_plans", facts.cin_plans),
            ("section47", facts.section47),
            ("cp_plans", facts.cp_plans),
            ("cp_reviews", facts.cp_reviews),
            ("pre_proceedings", facts.pre_proceedings),
        )
    }
    files: dict[str, list[dict[str, str]]] = {name: [] for name in TABLES}
    message = _header(year, council, now)
    children = ET.SubElement(message, "Children")
    for stream in sorted(episodes, key=lambda s: people[s]["la_child_id"]):
        person = people[stream]
        child = ET.SubElement(children, "Child")
        row = _identifiers(child, person, episodes[stream], year, end)
        files["Children"].append(row)
        for episode in episodes[stream]:
            _episode(child, files, person, episode, parts, stream, year, start, end)
    ET.indent(message)
    xml = ET.tostring(message, encoding="utf-8", xml_declaration=True)
    return Census(Return("cin-census", year, files, TABLES), xml)


def _header(year: int, council: str, now: datetime) -> ET.Element:
    message = ET.Element("Message")
    header = ET.SubElement(message, "Header")
    details = ET.SubElement(header, "CollectionDetails")
    _add(details, "Collection", "CIN")
    _add(details, "Year", str(year + 1))
    _add(details, "ReferenceDate", iso(date(year + 1, 3, 31)))
    source = ET.SubElement(header, "Source")
    _add(source, "SourceLevel", "L")
    _add(source, "LEA", council)
    _add(source, "SoftwareCode", SOFTWARE)
    _add(source, "Release", RELEASE)
    _add(source, "SerialNo", "001")
    _add(source, "DateTime", now.replace(microsecond=0, tzinfo=None).isoformat())
    return message


def _add(parent: ET.Element, tag: str, text: str) -> None:
    """A child element, unless there is nothing to say (empty elements are left out)."""
    if text != "":
        ET.SubElement(parent, tag).text = text


def _identifiers(
    child: ET.Element, person: dict[str, Any], episodes: list[dict[str, Any]], year: int, end: date
) -> dict[str, str]:
    born = date_of(person["date_of_birth"])
    expected = date_of(person["expected_date_of_birth"])
    if born is not None and born > end:  # unborn on the reference date
        expected, born = expected or born, None
    died = person["died_on"] if person["died_on"] and person["died_on"] <= end else None
    unknown = ""
    if not person["upn"]:
        if person["upn_unknown"]:
            unknown = person["upn_unknown"]
        elif all(e["no_further_action"] for e in episodes):
            unknown = "UN7"
        else:
            unknown = upn_default(born, date(end.year - 4, 8, 31))  # as rule 8770Q reads it
    sex = sex_code(person["sex"], year) if born is not None else "U"
    if year < SEX_CODES_FROM and born is None:
        sex = "0"
    row = {
        "LAchildID": person["la_child_id"],
        "UPN": person["upn"] or "",
        "FormerUPN": "",
        "UPNunknown": unknown,
        "PersonBirthDate": iso(born),
        "ExpectedPersonBirthDate": iso(expected) if born is None else "",
        "Sex": sex,
        "PersonDeathDate": iso(died),
        "Ethnicity": person["ethnicity"],
        "Disabilities": person["disabilities"] or "NONE",
    }
    ids = ET.SubElement(child, "ChildIdentifiers")
    for tag in TABLES["Children"][:8]:
        name = "GenderCurrent" if tag == "Sex" and year < SEX_CODES_FROM else tag
        _add(ids, name, row[tag])
    characteristics = ET.SubElement(child, "ChildCharacteristics")
    _add(characteristics, "Ethnicity", row["Ethnicity"])
    disabilities = ET.SubElement(characteristics, "Disabilities")
    for code in row["Disabilities"].split(","):
        _add(disabilities, "Disability", code)
    return row


def _within(
    rows: list[dict[str, Any]], referral_id: str, starts: str, ends: str, start: date, end: date
) -> list[dict[str, Any]]:
    """This episode's rows that overlap the year."""
    return sorted(
        (
            r
            for r in rows
            if r["referral_id"] == referral_id
            and r[starts] is not None
            and r[starts] <= end
            and (r[ends] is None or r[ends] >= start)
        ),
        key=lambda r: r[starts],
    )


def _by(end: date) -> Callable[[date | None], str]:
    """A date as the census gives it: what happened after the reference date is not
    known yet."""
    return lambda value: iso(value) if value is not None and value <= end else ""


def _episode(
    child: ET.Element,
    files: dict[str, list[dict[str, str]]],
    person: dict[str, Any],
    episode: dict[str, Any],
    parts: dict[str, dict[str, list[dict[str, Any]]]],
    stream: str,
    year: int,
    start: date,
    end: date,
) -> None:
    by = _by(end)
    key = {"LAchildID": person["la_child_id"], "CINreferralDate": iso(episode["referred_on"])}
    referral = episode["referral_id"]
    closed = episode["closed_on"] is not None and episode["closed_on"] <= end
    details = ET.SubElement(child, "CINdetails")
    reason = (episode["closure_reason"] or "") if closed else ""
    if reason in AFTER_ASSESSMENT and _went_further(parts, stream, referral):
        reason = SERVICES_CEASED
    row = {
        **key,
        "ReferralSource": episode["source"],
        "PrimaryNeedCode": episode["primary_need"],
        "CINclosureDate": by(episode["closed_on"]),
        "ReasonForClosure": reason,
        "DateOfInitialCPC": "",
        "ReferralNFA": yes_no(episode["no_further_action"]),
    }
    files["CINdetails"].append(row)
    for tag in ("CINreferralDate", *TABLES["CINdetails"][2:7]):
        _add(details, tag, row[tag])
    for a in _within(
        parts["assessments"].get(stream, []), referral, "started_on", "authorised_on", start, end
    ):
        done = a["authorised_on"] is not None and a["authorised_on"] <= end
        found = {
            **key,
            "AssessmentActualStartDate": iso(a["started_on"]),
            "AssessmentInternalReviewDate": "",
            "AssessmentAuthorisationDate": by(a["authorised_on"]),
            "AssessmentFactors": (a["factors"] or "") if done else "",
        }
        files["Assessments"].append(found)
        element = ET.SubElement(details, "Assessments")
        for tag in TABLES["Assessments"][2:5]:
            _add(element, tag, found[tag])
        if found["AssessmentFactors"]:
            factors = ET.SubElement(element, "FactorsIdentifiedAtAssessment")
            for code in found["AssessmentFactors"].split(","):
                _add(factors, "AssessmentFactors", code)
    for p in _within(
        parts["cin_plans"].get(stream, []), referral, "started_on", "ended_on", start, end
    ):
        found = {
            **key,
            "CINPlanStartDate": iso(p["started_on"]),
            "CINPlanEndDate": by(p["ended_on"]),
        }
        files["CINPlanDates"].append(found)
        element = ET.SubElement(details, "CINPlanDates")
        for tag in TABLES["CINPlanDates"][2:]:
            _add(element, tag, found[tag])
    for s in _section47s(parts["section47"].get(stream, []), referral, start, end):
        found = {
            **key,
            "S47ActualStartDate": iso(s["strategy_on"] or s["started_on"]),
            "InitialCPCtarget": iso(s["icpc_target"]),
            "DateOfInitialCPC": by(s["icpc_on"]),
            "ICPCnotRequired": yes_no(
                s["conference_needed"] is False
                and s["completed_on"] is not None
                and s["completed_on"] <= end
            ),
        }
        files["Section47"].append(found)
        element = ET.SubElement(details, "Section47")
        for tag in TABLES["Section47"][2:]:
            _add(element, tag, found[tag])
    _add(details, "ReferralNFA", row["ReferralNFA"])
    reviews = parts["cp_reviews"].get(stream, [])
    for c in _within(
        parts["cp_plans"].get(stream, []), referral, "started_on", "ended_on", start, end
    ):
        found = {
            **key,
            "CPPstartDate": iso(c["started_on"]),
            "CPPendDate": by(c["ended_on"]),
            "InitialCategoryOfAbuse": c["initial_category"],
            "LatestCategoryOfAbuse": c["latest_category"],
            "NumberOfPreviousCPP": str(c["previous_plans"]),
        }
        files["ChildProtectionPlans"].append(found)
        element = ET.SubElement(details, "ChildProtectionPlans")
        for tag in TABLES["ChildProtectionPlans"][2:]:
            _add(element, tag, found[tag])
        held = sorted(
            r["held_on"]
            for r in reviews
            if r["plan_id"] == c["plan_id"] and start <= r["held_on"] <= end
        )
        if held:
            group = ET.SubElement(element, "Reviews")
            for on in held:
                _add(group, "CPPreviewDate", iso(on))
                files["Reviews"].append(
                    {**key, "CPPstartDate": found["CPPstartDate"], "CPPreviewDate": iso(on)}
                )
    if year >= PRE_PROCEEDINGS_FROM:
        for p in _within(
            parts["pre_proceedings"].get(stream, []),
            referral,
            "started_on",
            "decided_on",
            start,
            end,
        ):
            if p["started_on"] < start:  # the module counts pre-proceedings begun in the year
                continue
            decided = p["decided_on"] is not None and p["decided_on"] <= end
            found = {
                **key,
                "PPStartDate": iso(p["started_on"]),
                "LBPSentDate": by(p["letter_on"]),
                "FGDMMeetingOffer": (
                    yes_no(p["meeting_offered"])
                    if p["letter_on"] is not None and p["letter_on"] <= end
                    else ""
                ),
                "FGDMMeetingFac": (
                    yes_no(p["meeting_held"])
                    if p["meeting_offered"] and p["letter_on"] <= end
                    else ""
                ),
                "InitialPPMeetingDate": by(p["initial_meeting_on"]),
                "ReviewMeetingsCount": (
                    str(p["review_meetings"]) if by(p["initial_meeting_on"]) else ""
                ),
                "StepDecisionDate": by(p["decided_on"]),
                "PPOutcome": (p["outcome"] or "") if decided else "",
                "CourtAppDate": by(p["court_application_on"]),
                "LetterInitCPDate": "",
            }
            files["PreProceedings"].append(found)
            element = ET.SubElement(details, "PreProceedingsandFGDM")
            for tag in TABLES["PreProceedings"][2:]:
                _add(element, tag, found[tag])


def _went_further(
    parts: dict[str, dict[str, list[dict[str, Any]]]], stream: str, referral_id: str
) -> bool:
    """Whether the episode had a child in need plan, an enquiry or a protection plan."""
    return any(
        row["referral_id"] == referral_id
        for name in ("cin_plans", "section47", "cp_plans")
        for row in parts[name].get(stream, [])
    )


def _section47s(
    rows: list[dict[str, Any]], referral_id: str, start: date, end: date
) -> list[dict[str, Any]]:
    """Enquiries of this episode still open in the year, or concluded in it (by an
    initial conference, or by finding one was not needed)."""
    kept = []
    for r in rows:
        if r["referral_id"] != referral_id or r["started_on"] > end:
            continue
        concluded = r["icpc_on"] or (r["completed_on"] if r["conference_needed"] is False else None)
        if concluded is None or concluded >= start:
            kept.append(r)
    return sorted(kept, key=lambda r: r["started_on"])
