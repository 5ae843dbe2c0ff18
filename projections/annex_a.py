"""Ofsted's Annex A lists 1-11 for an inspection date, from the returns facts.

Each list is a sheet (`List 1` to `List 11`) with Ofsted's column headings in order;
every child-level list begins with Child Unique ID, Gender, Ethnicity, Date of Birth and
Age of Child (Years). The window is the six months before the inspection date (lists 1 to
8) or the twelve months before it (lists 10 and 11), as Ofsted defines each list; lists 6
to 9 also take who is open on the inspection date itself. Dates are dd/mm/yyyy; ages and
"current" facts are as at the inspection date.

"Allocated Team" and "Allocated Worker" are read two ways by councils: the lead social
worker at the event (the referral, the assessment, the enquiry...), or the one allocated
on the inspection date (`allocated_worker="current"`). Workers are shown by their staff
id. Placement location and LA of placement need the ONS postcode directory, which the
ledger does not hold: they are left blank for the council to fill.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import Connection

from journey.codes import meaning
from journey.dates import add_months, age_on
from projections import cases
from projections import returns_facts as facts
from projections.cases import ELIGIBLE_DAYS_SINCE_14, SHORT_BREAKS, birthday
from projections.personal import PersonalSealer
from projections.return_files import Facts, date_of, dmy
from projections.workforce import TeamsAsAt

CHILD = ("Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)")
ALLOCATED = ("Allocated Team", "Allocated Worker")
DISABILITY = "Does the Child have a Disability"
LISTS: dict[int, tuple[str, ...]] = {
    1: (*CHILD, "Date of Contact", "Contact Source"),
    2: (
        *CHILD,
        "Assessment start date",
        "Assessment completion date",
        "Organisation completing assessment",
    ),
    3: (
        *CHILD,
        "Date of referral",
        "Referral Source",
        "Referral NFA?",
        "Number of Referrals in Last 12 Months",
        *ALLOCATED,
    ),
    4: (
        *CHILD,
        DISABILITY,
        "Continuous Assessment Start Date",
        "Child Seen During Continuous Assessment",
        "Continuous Assessment Date of Authorisation",
        "Was the child assessed as requiring LA children's social care support?",
        *ALLOCATED,
    ),
    5: (
        *CHILD,
        DISABILITY,
        "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Was an Initial Child Protection Conference deemed unnecessary?",
        "Date of Initial Child Protection Conference",
        "Did the Initial Child Protection Conference Result in a Child Protection Plan",
        "Number of Section 47 Enquiries in the last 12 months",
        "Number of ICPCs in the last 12 months",
        *ALLOCATED,
    ),
    6: (
        *CHILD,
        DISABILITY,
        "CIN Start Date",
        "Primary Need Code",
        "Date Child Was Last Seen",
        "CIN Closure Date",
        "Reason for Closure",
        "Case Status",
        *ALLOCATED,
    ),
    7: (
        *CHILD,
        DISABILITY,
        "Child Protection Plan Start Date",
        "Initial Category of Abuse",
        "Latest Category of Abuse",
        "Date of the Last Statutory Visit",
        "Was the Child Seen Alone?",
        "Date of latest review conference",
        "Child Protection Plan End Date",
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six "
        "Months (Y/N)",
        "Number of Previous Child Protection Plans",
        *ALLOCATED,
    ),
    8: (
        *CHILD,
        "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
        DISABILITY,
        "Date Started to be Looked After",
        "Child's Category of Need",
        "Is this a second or subsequent period of being a Looked After Child within the last "
        "12 months (Y/N)",
        "Start date of current legal status",
        "Child's Legal Status",
        "Date of Latest Statutory Review",
        "Date of Last Social Work Visit",
        "What is the permanence plan for this child?",
        "Date of Last IRO Visit / Contact to the Child",
        "Date of Last Health Assessment",
        "Date of Last Dental Check",
        "Number of Placements in the Last 12 months",
        "Date Ceased to be Looked After",
        "Reason Ceased to be Looked After",
        "Start Date of Most Recent Placement",
        "Placement Type",
        "Placement Provider",
        "Placement postcode",
        "URN of Placement",
        "Placement Location",
        "LA of Placement",
        "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 "
        "months",
        "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
        "Was the child offered a Return Interview after their last missing episode (Y/N)?",
        "Did the child accept a Return Interview after their last missing episode (Y/N)?",
        *ALLOCATED,
    ),
    9: (
        *CHILD,
        "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)",
        DISABILITY,
        *ALLOCATED,
        "Allocated Personal Advisor",
        "Eligibility Category",
        "Latest Pathway Plan Review Date",
        "LA in Touch",
        "Latest Date of Contact",
        "Type of Accommodation",
        "Suitability of Accommodation",
        "Activity Status",
    ),
    10: (
        "Child Unique ID",
        "Family identifier",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age of Child (Years)",
        DISABILITY,
        "Date the Child Entered Care",
        "Date of Decision that Child Should be Placed for Adoption",
        "Date of Placement Order",
        "Date of Matching Child and Prospective Adopters",
        "Date Placed for Adoption",
        "Date of Adoption Order",
        "Date of Decision that Child Should No Longer be Placed for Adoption",
        "Reason Why Child No Longer Placed for Adoption",
        "Date the child was placed for fostering in FFA or concurrent planning placement",
    ),
    11: (
        "Individual adopter identifier",
        "Family identifier",
        "Gender",
        "Ethnicity",
        "Disability",
        "Is the (prospective) adopter fostering for adoption?",
        "Date enquiry received",
        "Date Stage 1 started",
        "Date Stage 1 ended",
        "Date Stage 2 started",
        "Date Stage 2 ended",
        "Date application submitted",
        "Date application approved",
        "Date adopter matched with child(ren)",
        "Date child/children placed with adopter(s)",
        "No. of children placed",
        "Date of Adoption Order",
        "Date of leaving adoption process",
        "Reason for leaving adoption process",
    ),
}
TITLES = {
    1: "Contacts",
    2: "Early help assessments",
    3: "Referrals",
    4: "Assessments",
    5: "Section 47 enquiries and initial child protection conferences",
    6: "Children in need",
    7: "Child protection plans",
    8: "Children in care",
    9: "Care leavers",
    10: "Adoption",
    11: "Adopters",
}
GENDER = {"1": "a) Male", "2": "b) Female", "9": "c) Not stated/recorded"}
PERMANENCE = {
    "return_home": "a) Return to family",
    "adoption": "b) Adoption",
    "special_guardianship": "c) SGO/CAO",
    "child_arrangements": "c) SGO/CAO",
    "independent_living": "d) Supported living in the community",
    "residential": "e) Long-term residential placement",
    "long_term_fostering": "f) Long-term fostering",
    "other": "g) other",
}
NEEDS_SUPPORT = frozenset({"child_in_need_plan", "strategy_discussion", "looked_after"})
FFA_PLACEMENTS = frozenset({"U2", "U5"})  # fostering for adoption or concurrent planning
PROTECTIVE_STATUSES = frozenset({"L1", "L2"})  # police protection, emergency protection order
WINDOW_MONTHS = 6
LAST_SEEN = 24  # months back a child's last visit is looked for (visits are at most 3 apart)
YEAR_MONTHS = 12
AT_EVENT, CURRENT = "at-event", "current"


def yes_no(value: bool | None) -> str:
    return "" if value is None else "a) Yes" if value else "b) No"


def y_n(value: bool) -> str:
    return "Y" if value else "N"


@dataclass(frozen=True)
class AnnexA:
    inspection_date: date
    allocated_worker: str
    lists: dict[int, list[list[Any]]]

    def counts(self) -> dict[int, int]:
        return {n: len(rows) for n, rows in self.lists.items()}

    def write_xlsx(self, path: Path) -> None:
        """The workbook, streamed (openpyxl's write-only mode: a council's lists in
        seconds, not minutes)."""
        book = Workbook(write_only=True)
        bold = Font(bold=True)
        for number, columns in LISTS.items():
            sheet = book.create_sheet(f"List {number}")
            sheet.freeze_panes = "A2"
            header = []
            for name in columns:
                cell = WriteOnlyCell(sheet, value=name)
                cell.font = bold
                header.append(cell)
            sheet.append(header)
            for row in self.lists[number]:
                sheet.append(row)
        path.parent.mkdir(parents=True, exist_ok=True)
        book.save(path)


def annex_a(
    conn: Connection, sealer: PersonalSealer, inspection_date: date, allocated_worker: str
) -> AnnexA:
    if allocated_worker not in (AT_EVENT, CURRENT):
        raise ValueError(f"allocated_worker is {AT_EVENT} or {CURRENT}, not {allocated_worker}")
    lists = _Lists(Facts(conn, sealer), TeamsAsAt(conn), inspection_date, allocated_worker)
    return AnnexA(inspection_date, allocated_worker, lists.all())


class _Lists:
    def __init__(self, f: Facts, teams: TeamsAsAt, on: date, allocated_worker: str):
        self.on = on
        self.window = add_months(on, -WINDOW_MONTHS)
        self.year = add_months(on, -YEAR_MONTHS)
        self.teams = teams
        self.current = allocated_worker == CURRENT
        self.people = {r["stream_id"]: r for r in f.rows(facts.identities)}
        # Every fact up to the inspection date, but for the two that are many: contacts
        # (only the window's are listed) and visits (only each child's last counts).
        c, v = facts.contacts.c, facts.visits.c
        narrowed = {
            facts.contacts.name: (c.received_on >= self.window, c.received_on <= on),
            facts.visits.name: (v.visited_on <= on, v.visited_on >= add_months(on, -LAST_SEEN)),
        }
        self.facts: dict[str, dict[str, list[dict[str, Any]]]] = {
            table.name: f.by_child(table, *narrowed.get(table.name, ()))
            for table in facts.CHILD_TABLES
        }
        self.families = f.rows(facts.adopter_families)
        self.adopters = f.rows(facts.adopters)
        a = cases.allocations.c
        self.advisers = f.by_child(cases.allocations, a.role == "personal_adviser")
        self.last_visits: dict[tuple[str, str], dict[str, Any]] = {}
        for stream, seen in self.facts[facts.visits.name].items():
            for v in seen:
                key = (stream, v["kind"])
                last = self.last_visits.get(key)
                if v["visited_on"] <= on and (last is None or v["visited_on"] > last["visited_on"]):
                    self.last_visits[key] = v

    def of(self, table: Any, stream: str) -> list[dict[str, Any]]:
        return self.facts[table.name].get(stream, [])

    def streams(self, table: Any) -> Iterable[str]:
        by_id = self.facts[table.name]
        return sorted(by_id, key=lambda s: self.people[s]["la_child_id"])

    def all(self) -> dict[int, list[list[Any]]]:
        return {
            1: self._contacts(),
            2: self._early_help(),
            3: self._referrals(),
            4: self._assessments(),
            5: self._section47(),
            6: self._children_in_need(),
            7: self._protection_plans(),
            8: self._children_in_care(),
            9: self._care_leavers(),
            10: self._adoption(),
            11: self._adopters(),
        }

    # --- the parts every list shares --------------------------------------------------

    def child(self, stream: str) -> list[Any]:
        person = self.people[stream]
        born = date_of(person["date_of_birth"])
        return [
            person["la_child_id"],
            GENDER.get(person["sex"], GENDER["9"]),
            person["ethnicity"],
            dmy(born),
            age_on(born, self.on) if born is not None and born <= self.on else "",
        ]

    def disabled(self, stream: str) -> str:
        codes = self.people[stream]["disabilities"]
        return yes_no(bool(codes) and codes != "NONE")

    def allocated(self, stream: str, at: date) -> list[str]:
        """Team and worker: the lead social worker at the event (the allocation in force
        that day, else the first made after it) or on the inspection date."""
        moment = self.on if self.current else at
        rows = sorted(self.of(facts.social_workers, stream), key=lambda r: r["started_on"])
        found = None
        for r in rows:
            if r["started_on"] <= moment and (r["ended_on"] is None or r["ended_on"] > moment):
                found = r
        if found is None and not self.current:
            found = next((r for r in rows if r["started_on"] >= moment), None)
        if found is None:
            return ["", ""]
        return [self.teams.name(found["team_id"], moment), found["worker_id"]]

    def _in_window(self, value: date | None, since: date | None = None) -> bool:
        return value is not None and (since or self.window) <= value <= self.on

    # --- lists 1 to 5: what came in during the window --------------------------------

    def _contacts(self) -> list[list[Any]]:
        return [
            [*self.child(s), dmy(c["received_on"]), meaning("REFERRAL_SOURCE", c["source"])]
            for s in self.streams(facts.contacts)
            for c in sorted(self.of(facts.contacts, s), key=lambda r: r["received_on"])
            if self._in_window(c["received_on"])
        ]

    def _early_help(self) -> list[list[Any]]:
        return [
            [*self.child(s), dmy(e["started_on"]), self._by(e["completed_on"]), e["organisation"]]
            for s in self.streams(facts.early_help)
            for e in sorted(self.of(facts.early_help, s), key=lambda r: r["started_on"])
            if e["started_on"] <= self.on
            and (e["completed_on"] is None or e["completed_on"] >= self.window)
        ]

    def _by(self, value: date | None) -> str:
        """A date that had come by the inspection date."""
        return dmy(value) if value is not None and value <= self.on else ""

    def _referrals(self) -> list[list[Any]]:
        rows = []
        for s in self.streams(facts.referrals):
            referred = sorted(r["referred_on"] for r in self.of(facts.referrals, s))
            for r in sorted(self.of(facts.referrals, s), key=lambda r: r["referred_on"]):
                on = r["referred_on"]
                if not self._in_window(on):
                    continue
                earlier = sum(1 for d in referred if add_months(on, -YEAR_MONTHS) <= d < on)
                rows.append(
                    [
                        *self.child(s),
                        dmy(on),
                        meaning("REFERRAL_SOURCE", r["source"]),
                        "Yes" if r["no_further_action"] else "No",
                        earlier,
                        *self.allocated(s, on),
                    ]
                )
        return rows

    def _assessments(self) -> list[list[Any]]:
        rows = []
        for s in self.streams(facts.assessments):
            for a in sorted(self.of(facts.assessments, s), key=lambda r: r["started_on"]):
                done = a["authorised_on"]
                if a["started_on"] > self.on or (done is not None and done < self.window):
                    continue
                finished = done is not None and done <= self.on
                rows.append(
                    [
                        *self.child(s),
                        self.disabled(s),
                        dmy(a["started_on"]),
                        yes_no(a["child_seen"]) if finished else "",
                        self._by(done),
                        yes_no(a["outcome"] in NEEDS_SUPPORT) if finished else "",
                        *self.allocated(s, a["started_on"]),
                    ]
                )
        return rows

    def _section47(self) -> list[list[Any]]:
        rows = []
        for s in self.streams(facts.section47):
            enquiries = sorted(self.of(facts.section47, s), key=lambda r: r["started_on"])
            for q in enquiries:
                started = q["started_on"]
                concluded = q["icpc_on"] or q["completed_on"]
                if started > self.on or (concluded is not None and concluded < self.window):
                    continue
                since = add_months(started, -YEAR_MONTHS)
                earlier = [e for e in enquiries if since <= e["started_on"] < started]
                conference = q["icpc_on"] if q["icpc_on"] and q["icpc_on"] <= self.on else None
                not_needed = q["conference_needed"] is False and self._by(q["completed_on"])
                rows.append(
                    [
                        *self.child(s),
                        self.disabled(s),
                        dmy(q["strategy_on"] or started),
                        yes_no(True) if not_needed else yes_no(False) if conference else "",
                        dmy(conference),
                        yes_no(q["plan_decided"]) if conference else "",
                        len(earlier),
                        sum(1 for e in earlier if e["icpc_on"] is not None),
                        *self.allocated(s, started),
                    ]
                )
        return rows

    # --- lists 6 to 9: who was open -----------------------------------------------------

    def _status(self, stream: str) -> str:
        """Case Status on the inspection date."""
        if any(self._open(e["decom"], e["dec"]) for e in self.of(facts.care_episodes, stream)):
            return "a) Looked after child"
        if any(self._open(p["started_on"], p["ended_on"]) for p in self.of(facts.cp_plans, stream)):
            return "b) Child Protection plan"
        if any(
            self._open(p["started_on"], p["ended_on"]) for p in self.of(facts.cin_plans, stream)
        ):
            return "c) Child in need plan"
        if any(
            self._open(a["started_on"], a["authorised_on"])
            for a in self.of(facts.assessments, stream)
        ):
            return "d) Open assessment"
        return "e) Closed episode"

    def _open(self, start: date | None, end: date | None) -> bool:
        return start is not None and start <= self.on and (end is None or end > self.on)

    def _last_visit(self, stream: str, kind: str = "social_worker_visit") -> dict[str, Any] | None:
        return self.last_visits.get((stream, kind))

    def _children_in_need(self) -> list[list[Any]]:
        rows = []
        for s in self.streams(facts.referrals):
            episodes = [
                r
                for r in self.of(facts.referrals, s)
                if not r["no_further_action"]
                and r["referred_on"] <= self.on
                and (r["closed_on"] is None or r["closed_on"] >= self.window)
            ]
            if not episodes or self._care_leaver(s) is not None:
                continue
            latest = max(episodes, key=lambda r: r["referred_on"])
            closed = latest["closed_on"] is not None and latest["closed_on"] <= self.on
            visit = self._last_visit(s)
            rows.append(
                [
                    *self.child(s),
                    self.disabled(s),
                    dmy(latest["referred_on"]),
                    latest["primary_need"],
                    dmy(visit["visited_on"]) if visit else "",
                    self._by(latest["closed_on"]),
                    (latest["closure_reason"] or "") if closed else "",
                    self._status(s),
                    *self.allocated(s, latest["referred_on"]),
                ]
            )
        return rows

    def _protection_plans(self) -> list[list[Any]]:
        rows = []
        for s in self.streams(facts.cp_plans):
            for p in sorted(self.of(facts.cp_plans, s), key=lambda r: r["started_on"]):
                if p["started_on"] > self.on or (
                    p["ended_on"] is not None and p["ended_on"] < self.window
                ):
                    continue
                visit = self._last_visit(s)
                reviews = [
                    r["held_on"]
                    for r in self.of(facts.cp_reviews, s)
                    if r["plan_id"] == p["plan_id"] and r["held_on"] <= self.on
                ]
                protected = any(
                    o["order_type"] == "emergency_protection" and self._in_window(o["made_on"])
                    for o in self.of(facts.orders, s)
                ) or any(
                    e["legal_status"] in PROTECTIVE_STATUSES
                    and e["decom"] <= self.on
                    and (e["dec"] is None or e["dec"] >= self.window)
                    for e in self.of(facts.care_episodes, s)
                )
                rows.append(
                    [
                        *self.child(s),
                        self.disabled(s),
                        dmy(p["started_on"]),
                        meaning("ABUSE_CATEGORY", p["initial_category"]),
                        meaning("ABUSE_CATEGORY", p["latest_category"]),
                        dmy(visit["visited_on"]) if visit else "",
                        yes_no(visit["seen_alone"]) if visit else "",
                        dmy(max(reviews)) if reviews else "",
                        self._by(p["ended_on"]),
                        y_n(protected),
                        p["previous_plans"],
                        *self.allocated(s, p["started_on"]),
                    ]
                )
        return rows

    def _children_in_care(self) -> list[list[Any]]:
        rows = []
        for s in self.streams(facts.care_episodes):
            episodes = sorted(self.of(facts.care_episodes, s), key=lambda r: r["number"])
            care = [e for e in episodes if e["legal_status"] not in SHORT_BREAKS]
            periods: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for e in care:
                periods[e["period_id"]].append(e)
            chosen = None
            for parts in periods.values():
                start, last = parts[0]["decom"], parts[-1]
                ended = last["dec"] if last["rec"] != "X1" else None
                if start <= self.on and (ended is None or ended >= self.window):
                    chosen = parts
            if chosen is None:
                continue
            rows.append(self._in_care(s, chosen, periods))
        return rows

    def _in_care(
        self, s: str, parts: list[dict[str, Any]], periods: dict[str, list[dict[str, Any]]]
    ) -> list[Any]:
        person = self.people[s]
        current = [e for e in parts if e["decom"] <= self.on] or parts[:1]
        now = current[-1]
        ceased = parts[-1]["dec"] if parts[-1]["dec"] and parts[-1]["dec"] <= self.on else None
        statuses = [e for e in current]
        status_from = now["decom"]
        for e in reversed(statuses):
            if e["legal_status"] != now["legal_status"]:
                break
            status_from = e["decom"]
        placements_in_year = {
            e["placement_id"]
            for ep in periods.values()
            for e in ep
            if e["placement_id"]
            and e["decom"] <= self.on
            and (e["dec"] is None or e["dec"] >= self.year)
        }
        recent_start = now["decom"]
        for e in reversed(current):
            if e["placement_id"] != now["placement_id"]:
                break
            recent_start = e["decom"]
        missing = [
            m
            for m in self.of(facts.missing, s)
            if m["started_on"] <= self.on and m["started_on"] >= self.year
        ]
        last_missing = max(
            (m for m in missing if m["kind"] == "M"), key=lambda m: m["started_on"], default=None
        )
        second = any(
            p[0]["decom"] < parts[0]["decom"]
            and p[-1]["dec"] is not None
            and p[-1]["dec"] >= add_months(parts[0]["decom"], -YEAR_MONTHS)
            for p in periods.values()
            if p is not parts
        )
        reviews = [r["held_on"] for r in self.of(facts.reviews, s) if r["held_on"] <= self.on]
        visit = self._last_visit(s)
        iro = self._last_visit(s, "iro_contact")
        health = self._latest_health(s)
        uasc = bool(person["uasc"]) and (
            person["uasc_ceased_on"] is None or person["uasc_ceased_on"] >= self.year
        )
        return [
            *self.child(s),
            y_n(uasc),
            self.disabled(s),
            dmy(parts[0]["decom"]),
            parts[0]["category_of_need"],
            y_n(second),
            dmy(status_from),
            now["legal_status"],
            dmy(max(reviews)) if reviews else "",
            dmy(visit["visited_on"]) if visit else "",
            PERMANENCE.get(self._permanence(s) or "", ""),
            dmy(iro["visited_on"]) if iro else "",
            dmy(health.get("health_assessment")),
            dmy(health.get("dental_check")),
            len(placements_in_year),
            dmy(ceased),
            (parts[-1]["rec"] or "") if ceased else "",
            dmy(recent_start),
            now["place"] or "",
            now["provider"] or "",
            now["placement_postcode"] or "",
            now["urn"] or "",
            "",
            "",
            sum(1 for m in missing if m["kind"] == "M"),
            sum(1 for m in missing if m["kind"] == "A"),
            y_n(bool(last_missing and last_missing["interview_offered"])),
            y_n(bool(last_missing and last_missing["interview_accepted"])),
            *self.allocated(s, parts[0]["decom"]),
        ]

    def _latest_health(self, stream: str) -> dict[str, date]:
        latest: dict[str, date] = {}
        for h in self.of(facts.health, stream):
            if h["done_on"] <= self.on and h["done_on"] > latest.get(h["kind"], date.min):
                latest[h["kind"]] = h["done_on"]
        return latest

    def _permanence(self, stream: str) -> str | None:
        plans = [p for p in self.of(facts.permanence_plans, stream) if p["recorded_on"] <= self.on]
        return max(plans, key=lambda p: p["recorded_on"])["plan"] if plans else None

    def _care_leaver(self, stream: str) -> str | None:
        """The young person's leaving-care status on the inspection date: eligible (still
        looked after), relevant (16-17, left care) or former relevant (18-25)."""
        person = self.people[stream]
        born = date_of(person["date_of_birth"])
        if born is None:
            return None
        episodes = [
            e
            for e in sorted(self.of(facts.care_episodes, stream), key=lambda r: r["number"])
            if e["legal_status"] not in SHORT_BREAKS and e["decom"] <= self.on
        ]
        if not episodes or any(e["rec"] in ("E11", "E12") for e in episodes):
            return None
        fourteen, sixteen = birthday(born, 14), birthday(born, 16)
        days = sum(
            max(0, (min(e["dec"] or self.on, self.on) - max(e["decom"], fourteen)).days)
            for e in episodes
        )
        age = age_on(born, self.on)
        last = episodes[-1]
        in_care = last["dec"] is None or last["dec"] > self.on
        if days < ELIGIBLE_DAYS_SINCE_14 or self.on <= sixteen:
            return None
        if in_care:
            return "d) Eligible child" if age < 18 else None
        if last["dec"] is None or last["dec"] <= sixteen:
            return None
        if age < 18:
            return "a) Relevant child"
        return "b) Former relevant child" if age < 26 else None

    def _care_leavers(self) -> list[list[Any]]:
        rows = []
        for s in self.streams(facts.care_episodes):
            status = self._care_leaver(s)
            if status is None:
                continue
            person = self.people[s]
            advisers = [
                a["worker_id"]
                for a in self.advisers.get(s, [])
                if self._open(a["valid_from"], a["valid_to"])
            ]
            contacts = [
                c for c in self.of(facts.leaver_contacts, s) if c["contacted_on"] <= self.on
            ]
            latest = max(contacts, key=lambda c: c["contacted_on"]) if contacts else None
            plans = [
                p["reviewed_on"]
                for p in self.of(facts.pathway_plans, s)
                if p["reviewed_on"] <= self.on
            ]
            rows.append(
                [
                    *self.child(s),
                    y_n(bool(person["uasc"])),
                    self.disabled(s),
                    *self.allocated(s, self.on),
                    ", ".join(advisers),
                    status,
                    dmy(max(plans)) if plans else "",
                    latest["in_touch"] if latest else "",
                    dmy(latest["contacted_on"]) if latest else "",
                    (latest["accommodation"] or "") if latest else "",
                    ("a) Suitable" if latest["suitable"] else "b) Unsuitable")
                    if latest and latest["suitable"] is not None
                    else "",
                    (latest["activity"] or "") if latest else "",
                ]
            )
        return rows

    # --- lists 10 and 11: adoption in the last twelve months --------------------------

    def _family_of(self) -> dict[str, str]:
        return {f["household_id"]: f["family_id"] for f in self.families if f["household_id"]}

    def _adoption(self) -> list[list[Any]]:
        family_of = self._family_of()
        rows = []
        for s in self.streams(facts.adoption_decisions):
            for d in sorted(self.of(facts.adoption_decisions, s), key=lambda r: r["decided_on"]):
                adopted, reversed_on = d["adopted_on"], d["reversed_on"]
                if d["decided_on"] > self.on:
                    continue
                active = (adopted is None or adopted > self.on) and (
                    reversed_on is None or reversed_on > self.on
                )
                if not (
                    active
                    or self._in_window(adopted, self.year)
                    or self._in_window(reversed_on, self.year)
                ):
                    continue
                episodes = self.of(facts.care_episodes, s)
                entered = min(
                    (e["period_start"] for e in episodes if e["period_start"] <= d["decided_on"]),
                    default=None,
                )
                placement_orders = [
                    o["made_on"]
                    for o in self.of(facts.orders, s)
                    if o["order_type"] == "placement" and o["made_on"] <= self.on
                ]
                ffa = [e["decom"] for e in episodes if e["place"] in FFA_PLACEMENTS]
                child = self.child(s)
                rows.append(
                    [
                        child[0],
                        family_of.get(d["adopter_household_id"] or "", ""),
                        *child[1:],
                        self.disabled(s),
                        dmy(entered),
                        dmy(d["decided_on"]),
                        dmy(max(placement_orders)) if placement_orders else "",
                        self._by(d["matched_on"]),
                        self._by(d["placed_on"]),
                        self._by(adopted),
                        self._by(reversed_on),
                        meaning("REASON_PLACED_CEASED", d["reversal_reason"])
                        if d["reversal_reason"] and reversed_on and reversed_on <= self.on
                        else "",
                        dmy(min(ffa)) if ffa else "",
                    ]
                )
        return rows

    def _adopters(self) -> list[list[Any]]:
        decisions = [d for rows in self.facts[facts.adoption_decisions.name].values() for d in rows]
        by_household: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for d in decisions:
            if d["adopter_household_id"]:
                by_household[d["adopter_household_id"]].append(d)
        people: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for a in self.adopters:
            people[a["family_id"]].append(a)
        rows = []
        for family in sorted(self.families, key=lambda f: f["family_id"]):
            children = by_household.get(family["household_id"] or "", [])
            dates = [family[k] for k in family if k.endswith("_on") and family[k] is not None] + [
                d[k] for d in children for k in ("matched_on", "placed_on", "adopted_on") if d[k]
            ]
            ongoing = family["left_on"] is None and family["enquiry_on"] <= self.on
            if not (ongoing or any(self._in_window(x, self.year) for x in dates)):
                continue
            matched = [
                d["matched_on"] for d in children if d["matched_on"] and d["matched_on"] <= self.on
            ]
            placed = [
                d["placed_on"] for d in children if d["placed_on"] and d["placed_on"] <= self.on
            ]
            adopted = [
                d["adopted_on"] for d in children if d["adopted_on"] and d["adopted_on"] <= self.on
            ]
            for person in sorted(people[family["family_id"]], key=lambda a: a["adopter_id"]):
                rows.append(
                    [
                        person["adopter_id"],
                        family["family_id"],
                        GENDER.get(person["sex"], GENDER["9"]),
                        person["ethnicity"],
                        yes_no(person["disabled"]),
                        "Yes" if family["fostering_for_adoption"] else "No",
                        self._by(family["enquiry_on"]),
                        self._by(family["stage1_started_on"]),
                        self._by(family["stage1_ended_on"]),
                        self._by(family["stage2_started_on"]),
                        self._by(family["stage2_ended_on"]),
                        self._by(family["applied_on"]),
                        self._by(family["approved_on"]),
                        dmy(min(matched)) if matched else "",
                        dmy(min(placed)) if placed else "",
                        len(placed),
                        dmy(max(adopted)) if adopted else "",
                        self._by(family["left_on"]),
                        _left(family["left_reason"])
                        if family["left_reason"]
                        and family["left_on"]
                        and family["left_on"] <= self.on
                        else "",
                    ]
                )
        return rows


def _left(reason: str) -> str:
    """Annex A List 11's reason for leaving: '1 - Adopter withdrew from the process'."""
    return f"{reason} - {meaning('ADOPTER_LEFT', reason)}"
