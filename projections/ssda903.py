"""The SSDA903 return (children looked after) for a collection year, from the returns facts.

One table of rows a file, with the DfE's column names in order, codes, and dd/mm/yyyy
dates: Header, Episodes, Reviews, UASC, OC2, OC3, AD1, PlacedAdoption, PrevPerm, Missing,
SWEpisodes. Who is in each file follows the DfE's definitions as the validators councils
use enforce them (see the README's "Statutory returns"):

- Episodes: every episode open at any time in the year; one still open at 31 March, or
  that ended after it, is reported open (no DEC, REC or REASON_PLACE_CHANGE).
- Header: every child in any other file.
- OC2: children looked after continuously for 12 months at 31 March (no period of care
  begun after 1 April, none ended before 31 March, no short breaks in the year).
- OC3: care leavers (looked after 13 weeks since 14, some of it after 16) whose 17th to
  21st birthday falls in the year, with what was known around the birthday (three months
  before to one month after), and 22- to 25-year-olds in touch in the year.
- SWEpisodes: for every child looked after in the year, every social worker episode that
  overlaps it, including time outside care.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Connection, Table

from journey.dates import add_months, age_on
from journey.ssda903_files import FILES
from projections import returns_facts as facts
from projections.cases import ELIGIBLE_DAYS_SINCE_14, SHORT_BREAKS, birthday
from projections.personal import PersonalSealer
from projections.return_files import Facts, Return, date_of, dmy, sex_code, upn_default

ADOPTED = frozenset({"E11", "E12"})
PLACED_WITH_FOSTER_CARERS = frozenset({"A3", "A5"})  # placed for adoption with current carers
OC3_WINDOW = (3, 1)  # months before and after the birthday a care leaver's circumstances count
CARE_LEAVER_AGES = range(17, 22)
UNSUITABLE = frozenset({"S", "X"})  # no fixed abode, custody: the DfE takes no "suitable"
IN_TOUCH_AGES = range(22, 26)


def ssda903(conn: Connection, sealer: PersonalSealer, year: int) -> Return:
    """The SSDA903 files for the collection year 1 April `year` to 31 March `year + 1`."""
    start, end = date(year, 4, 1), date(year + 1, 3, 31)
    f = Facts(conn, sealer)
    people = {r["stream_id"]: r for r in f.rows(facts.identities)}
    history = {
        stream: sorted(rows, key=lambda r: r["number"])
        for stream, rows in f.by_child(
            facts.care_episodes, facts.care_episodes.c.decom <= end
        ).items()
    }
    in_year = {
        stream: kept
        for stream, rows in history.items()
        if (kept := [r for r in rows if r["dec"] is None or r["dec"] >= start])
    }
    year_facts = _YearFacts(f, people, history, in_year, year)
    return Return("ssda903", year, year_facts.files(), FILES)


class _YearFacts:
    """Everything one year's files are made of, file by file."""

    def __init__(
        self,
        f: Facts,
        people: dict[str, dict[str, Any]],
        history: dict[str, list[dict[str, Any]]],
        in_year: dict[str, list[dict[str, Any]]],
        year: int,
    ):
        self.f, self.people, self.history, self.in_year = f, people, history, in_year
        self.year = year
        self.start, self.end = date(year, 4, 1), date(year + 1, 3, 31)
        self.looked_after = self._ordered(in_year)
        self.leavers = self._care_leavers()

    def _ordered(self, streams: Iterable[str]) -> list[str]:
        return sorted(streams, key=lambda s: self.people[s]["la_child_id"])

    def child(self, stream: str) -> str:
        return str(self.people[stream]["la_child_id"])

    def born(self, stream: str) -> date | None:
        return date_of(self.people[stream]["date_of_birth"])

    def dob(self, stream: str) -> str:
        return dmy(self.born(stream))

    def files(self) -> dict[str, list[dict[str, str]]]:
        return {
            "Header": [self._header(s) for s in self._ordered({*self.looked_after, *self.leavers})],
            "Episodes": [
                _episode(self.child(s), row, self.end)
                for s in self.looked_after
                for row in self.in_year[s]
            ],
            "Reviews": self._reviews(),
            "UASC": self._uasc(),
            "OC2": self._oc2(),
            "OC3": [self.leavers[s] for s in self._ordered(self.leavers)],
            "AD1": self._ad1(),
            "PlacedAdoption": self._placed_for_adoption(),
            "PrevPerm": self._previous_permanence(),
            "Missing": self._missing(),
            "SWEpisodes": self._social_workers(),
        }

    def _care(self, stream: str) -> bool:
        """Looked after in the year other than by short breaks alone."""
        return any(r["legal_status"] not in SHORT_BREAKS for r in self.in_year.get(stream, []))

    def _header(self, stream: str) -> dict[str, str]:
        person = self.people[stream]
        born = self.born(stream)
        mother = first_child = ""
        if person["sex"] == "2" and self._care(stream):
            had = date_of(person["first_child_born_on"])
            mother = "1" if had is not None and had <= self.end else "0"
            first_child = dmy(had) if mother == "1" else ""
        return {
            "CHILD": person["la_child_id"],
            "SEX": sex_code(person["sex"], self.year),
            "DOB": dmy(born),
            "ETHNIC": person["ethnicity"],
            "UPN": _upn(person, born, self.year),
            "MOTHER": mother,
            "MC_DOB": first_child,
        }

    def _in(self, table: Table, column: str) -> dict[str, list[dict[str, Any]]]:
        c = table.c[column]
        return self.f.by_child(table, c >= self.start, c <= self.end)

    def _reviews(self) -> list[dict[str, str]]:
        held = self._in(facts.reviews, "held_on")
        return [
            {
                "CHILD": self.child(s),
                "DOB": self.dob(s),
                "REVIEW": dmy(row["held_on"]),
                "REVIEW_CODE": row["review_code"],
            }
            for s in self.looked_after
            if self._care(s)
            for row in sorted(held.get(s, []), key=lambda r: r["held_on"])
        ]

    def _uasc(self) -> list[dict[str, str]]:
        rows = []
        for s in self.looked_after:
            person = self.people[s]
            if not person["uasc"]:
                continue
            born = self.born(s)
            ends = [d for d in (person["uasc_ceased_on"], born and birthday(born, 18)) if d]
            ceased = min(ends) if ends else None
            if ceased is not None and ceased < self.start:
                continue
            rows.append(
                {
                    "CHILD": self.child(s),
                    "SEX": sex_code(person["sex"], self.year),
                    "DOB": self.dob(s),
                    "DUC": dmy(ceased) if ceased is not None and ceased <= self.end else "",
                }
            )
        return rows

    def _continuously(self, stream: str) -> bool:
        """Looked after continuously for 12 months at 31 March (the DfE's definition)."""
        rows = self.in_year[stream]
        return not (
            any(r["legal_status"] in SHORT_BREAKS for r in rows)
            or any(r["rne"] == "S" and self.start < r["decom"] <= self.end for r in rows)
            or any(
                r["dec"] is not None and r["rec"] != "X1" and self.start <= r["dec"] < self.end
                for r in rows
            )
        )

    def _oc2(self) -> list[dict[str, str]]:
        h = facts.health.c
        known = self.f.by_child(facts.health, h.done_on <= self.end)
        rows = []
        for s in self.looked_after:
            born = self.born(s)
            if s in self.leavers or born is None or not self._continuously(s):
                continue
            found = known.get(s, [])
            this_year = [r for r in found if r["done_on"] >= self.start]
            kinds = {r["kind"] for r in this_year}
            age_start, age_end = age_on(born, self.start), age_on(born, self.end)
            immunised = [r for r in found if r["kind"] == "immunisations"]
            misuse = [r["value"] for r in this_year if r["kind"] == "substance_misuse"]
            received = "" if not misuse else "1" if "received" in misuse else "0"
            offered = ""
            if received == "0":
                offered = "1" if "offered_not_received" in misuse else "0"
            sdq = [r for r in this_year if r["kind"] in ("sdq_score", "sdq_reason")]
            latest_sdq = max(sdq, key=lambda r: r["done_on"]) if sdq else None
            eligible_sdq = age_end >= 4 and age_start < 17
            rows.append(
                {
                    "CHILD": self.child(s),
                    "DOB": self.dob(s),
                    "SDQ_SCORE": (
                        latest_sdq["value"]
                        if eligible_sdq and latest_sdq and latest_sdq["kind"] == "sdq_score"
                        else ""
                    ),
                    "SDQ_REASON": (
                        latest_sdq["value"]
                        if eligible_sdq and latest_sdq and latest_sdq["kind"] == "sdq_reason"
                        else ""
                    ),
                    "CONVICTED": _flag("offence" in kinds) if age_end >= 10 else "",
                    "HEALTH_CHECK": _flag("development_assessment" in kinds) if age_end < 5 else "",
                    "IMMUNISATIONS": (
                        max(immunised, key=lambda r: r["done_on"])["value"] if immunised else "0"
                    ),
                    "TEETH_CHECK": _flag("dental_check" in kinds),
                    "HEALTH_ASSESSMENT": _flag("health_assessment" in kinds),
                    "SUBSTANCE_MISUSE": _flag(bool(misuse)),
                    "INTERVENTION_RECEIVED": received,
                    "INTERVENTION_OFFERED": offered,
                }
            )
        return rows

    def _care_leavers(self) -> dict[str, dict[str, str]]:
        """OC3: each care leaver's row, by stream."""
        c = facts.leaver_contacts.c
        contacts = self.f.by_child(
            facts.leaver_contacts,
            c.contacted_on >= add_months(self.start, -OC3_WINDOW[0]),
            c.contacted_on <= add_months(self.end, OC3_WINDOW[1]),
        )
        found = {}
        for stream, person in self.people.items():
            born = date_of(person["date_of_birth"])
            if born is None:
                continue
            for age in (*CARE_LEAVER_AGES, *IN_TOUCH_AGES):
                turned = birthday(born, age)
                if not self.start <= turned <= self.end:
                    continue
                row = self._care_leaver(stream, age, turned, contacts.get(stream, []))
                if row is not None:
                    found[stream] = row
        return found

    def _care_leaver(
        self, stream: str, age: int, turned: date, contacts: list[dict[str, Any]]
    ) -> dict[str, str] | None:
        rows = [r for r in self.history.get(stream, []) if r["legal_status"] not in SHORT_BREAKS]
        born = self.born(stream)
        if not rows or born is None or not _left_care_eligible(rows, born, turned):
            return None
        if age in IN_TOUCH_AGES:
            window = [r for r in contacts if self.start <= r["contacted_on"] <= self.end]
            window = [r for r in window if r["in_touch"] == "YES"]
            if not window:
                return None
        else:
            window = [
                r
                for r in contacts
                if add_months(turned, -OC3_WINDOW[0])
                <= r["contacted_on"]
                <= add_months(turned, OC3_WINDOW[1])
            ]
        nearest = (
            min(
                window,
                key=lambda r: (
                    abs((r["contacted_on"] - turned).days),
                    -r["contacted_on"].toordinal(),
                ),
            )
            if window
            else None
        )
        return {"CHILD": self.child(stream), "DOB": dmy(born), **_circumstances(nearest)}

    def _adopters(self) -> dict[str, tuple[dict[str, Any], list[dict[str, Any]]]]:
        families = {
            r["household_id"]: r for r in self.f.rows(facts.adopter_families) if r["household_id"]
        }
        people = defaultdict(list)
        for row in self.f.rows(facts.adopters):
            people[row["family_id"]].append(row)
        return {
            household: (family, people[family["family_id"]])
            for household, family in families.items()
        }

    def _decisions(self) -> dict[str, list[dict[str, Any]]]:
        d = facts.adoption_decisions.c
        return self.f.by_child(facts.adoption_decisions, d.decided_on <= self.end)

    def _ad1(self) -> list[dict[str, str]]:
        decisions = self._decisions()
        adopters = self._adopters()
        rows = []
        for s in self.looked_after:
            adopted = [
                r
                for r in self.in_year[s]
                if r["rec"] in ADOPTED and r["dec"] is not None and r["dec"] <= self.end
            ]
            if not adopted:
                continue
            made = [r for r in decisions.get(s, []) if r["adopted_on"] is not None]
            decision = max(made, key=lambda r: r["decided_on"]) if made else None
            family, members = adopters.get(
                decision["adopter_household_id"] if decision else "", ({}, [])
            )
            rows.append(
                {
                    "CHILD": self.child(s),
                    "DOB": self.dob(s),
                    "DATE_INT": dmy(decision["decided_on"]) if decision else "",
                    "DATE_MATCH": dmy(decision["matched_on"]) if decision else "",
                    "FOSTER_CARE": _flag(adopted[-1]["place"] in PLACED_WITH_FOSTER_CARERS),
                    "NB_ADOPTR": str(len(members)) if members else "",
                    "SEX_ADOPTR": _adopters_sex([m["sex"] for m in members]),
                    "LS_ADOPTR": family.get("relationship") or "",
                }
            )
        return rows

    def _placed_for_adoption(self) -> list[dict[str, str]]:
        decisions = self._decisions()
        rows = []
        for s in self.looked_after:
            for r in sorted(decisions.get(s, []), key=lambda r: r["decided_on"]):
                over = [d for d in (r["reversed_on"], r["adopted_on"]) if d is not None]
                if over and min(over) < self.start:
                    continue
                reversed_in_year = r["reversed_on"] is not None and r["reversed_on"] <= self.end
                rows.append(
                    {
                        "CHILD": self.child(s),
                        "DOB": self.dob(s),
                        "DATE_PLACED": dmy(r["decided_on"]),
                        "DATE_PLACED_CEASED": dmy(r["reversed_on"]) if reversed_in_year else "",
                        "REASON_PLACED_CEASED": r["reversal_reason"] if reversed_in_year else "",
                    }
                )
        return rows

    def _previous_permanence(self) -> list[dict[str, str]]:
        p = facts.previous_permanence.c
        recorded = self.f.by_child(facts.previous_permanence, p.recorded_on <= self.end)
        rows = []
        for s in self.looked_after:
            if not any(
                r["rne"] == "S"
                and r["decom"] >= self.start
                and r["legal_status"] not in SHORT_BREAKS
                for r in self.in_year[s]
            ):
                continue
            known = recorded.get(s, [])
            latest = max(known, key=lambda r: r["recorded_on"]) if known else None
            permanent = latest is not None and latest["previous_permanence"] != "Z1"
            rows.append(
                {
                    "CHILD": self.child(s),
                    "DOB": self.dob(s),
                    "PREV_PERM": latest["previous_permanence"] if latest else "",
                    "LA_PERM": (latest["council"] or "") if permanent and latest else "",
                    "DATE_PERM": _partialdate_of(latest) if permanent and latest else "",
                }
            )
        return rows

    def _missing(self) -> list[dict[str, str]]:
        m = facts.missing.c
        found = self.f.by_child(facts.missing, m.started_on <= self.end)
        rows = []
        for s in self.looked_after:
            for r in sorted(found.get(s, []), key=lambda r: r["started_on"]):
                if r["ended_on"] is not None and r["ended_on"] < self.start:
                    continue
                ended = r["ended_on"] is not None and r["ended_on"] <= self.end
                rows.append(
                    {
                        "CHILD": self.child(s),
                        "DOB": self.dob(s),
                        "MISSING": r["kind"],
                        "MIS_START": dmy(r["started_on"]),
                        "MIS_END": dmy(r["ended_on"]) if ended else "",
                    }
                )
        return rows

    def _social_workers(self) -> list[dict[str, str]]:
        w = facts.social_workers.c
        found = self.f.by_child(facts.social_workers, w.started_on <= self.end)
        registered = {
            r["worker_id"]: r["swe_registration"] for r in self.f.rows(facts.worker_registrations)
        }
        rows = []
        for s in self.looked_after:
            for r in sorted(found.get(s, []), key=lambda r: (r["started_on"], r["allocation_id"])):
                if r["ended_on"] is not None and r["ended_on"] < self.start:
                    continue
                ended = r["ended_on"] is not None and r["ended_on"] <= self.end
                rows.append(
                    {
                        "CHILD": self.child(s),
                        "DOB": self.dob(s),
                        "SW_ID": r["swe_registration"] or registered.get(r["worker_id"]) or "XX",
                        "SW_DECOM": dmy(r["started_on"]),
                        "SW_DEC": dmy(r["ended_on"]) if ended else "",
                        "SW_REASON": r["reason"] or "",
                    }
                )
        return rows


def _upn(person: dict[str, Any], born: date | None, year: int) -> str:
    """The UPN, or why there is none: what the council recorded, else UN1 for a child not
    yet of school age and UN2 (never attended a maintained school in England) otherwise."""
    if person["upn"]:
        return str(person["upn"])
    if person["upn_unknown"]:
        return str(person["upn_unknown"])
    return upn_default(born, date(year - 5, 8, 31))  # four by the 31 August before (rule 209)


def _episode(child: str, row: dict[str, Any], end: date) -> dict[str, str]:
    ended = row["dec"] is not None and row["dec"] <= end
    return {
        "CHILD": child,
        "DECOM": dmy(row["decom"]),
        "RNE": row["rne"],
        "LS": row["legal_status"],
        "CIN": row["category_of_need"],
        "PLACE": row["place"] or "",
        "PLACE_PROVIDER": row["provider"] or "",
        "DEC": dmy(row["dec"]) if ended else "",
        "REC": (row["rec"] or "") if ended else "",
        "REASON_PLACE_CHANGE": (row["reason_place_change"] or "") if ended else "",
        "HOME_POST": row["home_postcode"] or "",
        "PL_POST": row["placement_postcode"] or "",
        "URN": row["urn"] or "",
    }


def _flag(value: bool) -> str:
    return "1" if value else "0"


def _adopters_sex(sexes: list[str]) -> str:
    if len(sexes) == 1:
        return {"1": "M1", "2": "F1"}.get(sexes[0], "")
    if len(sexes) == 2:
        pair = "".join(sorted({"1": "M", "2": "F"}.get(x, "?") for x in sexes))
        return {"MM": "MM", "FF": "FF", "FM": "MF"}.get(pair, "")
    return ""


def _partialdate_of(row: dict[str, Any]) -> str:
    """DATE_PERM: dd/mm/yyyy, with ZZ (or ZZZZ) for what is not known."""
    day, month, year = row["order_day"], row["order_month"], row["order_year"]
    return (
        (f"{day:02d}/" if day else "ZZ/")
        + (f"{month:02d}/" if month else "ZZ/")
        + (f"{year:04d}" if year else "ZZZZ")
    )


def _left_care_eligible(rows: list[dict[str, Any]], born: date, turned: date) -> bool:
    """Left care before `turned` as an eligible child: looked after at least 13 weeks
    since the 14th birthday, some of it after the 16th; not adopted, not died in care,
    not taken over by another council; no longer looked after on the birthday."""
    if any(r["rec"] in (*ADOPTED, "E2") for r in rows):
        return False
    last = rows[-1]
    if last["dec"] is None or last["dec"] >= turned or last["rec"] == "E3":
        return False
    fourteen, sixteen = birthday(born, 14), birthday(born, 16)
    days = sum(
        max(0, (r["dec"] - max(r["decom"], fourteen)).days) for r in rows if r["dec"] is not None
    )
    return days >= ELIGIBLE_DAYS_SINCE_14 and last["dec"] > sixteen


def _circumstances(contact: dict[str, Any] | None) -> dict[str, str]:
    """IN_TOUCH, ACTIV and ACCOM from the contact nearest the birthday (NO, and nothing
    else, when there was none)."""
    if contact is None:
        return {"IN_TOUCH": "NO", "ACTIV": "", "ACCOM": ""}
    in_touch = contact["in_touch"]
    if in_touch in ("DIED", "RHOM"):
        return {"IN_TOUCH": in_touch, "ACTIV": "0", "ACCOM": "0"}
    accommodation = contact["accommodation"]
    suitable = "1" if contact["suitable"] else "2"
    if contact["suitable"] is None:  # not said: homelessness and custody are never suitable
        suitable = "2" if accommodation in UNSUITABLE else "1"
    return {
        "IN_TOUCH": in_touch,
        "ACTIV": contact["activity"] or "",
        "ACCOM": f"{accommodation}{suitable}" if accommodation else "",
    }
