"""A synthetic council: years of children's journeys through children's social care.

`generate` returns every event a council's systems would have sent the ledger, each
with the time the ledger should record it, sorted by that time. Appended in that order
(with the ledger's clock at each recorded time) every event passes the hard rules.

How it is built, in phases, because who holds a case depends on everyone else's cases:

1. The organisation: teams (one renamed and one disbanded at a restructure), the
   workforce over the years (joiners, leavers, movers, long absences), the placement
   providers with their Ofsted URNs, and the carer households (foster, kinship, adopter,
   staying put; Mockingbird constellations). Once the journeys are told, every adopter
   household approved gets the adopter family's way to approval (enquiry, stages 1
   and 2), beside families who leave the process.
2. The journeys: each child's story is told stage by stage (`front_door`,
   `assessment`, `child_in_need`, `child_protection`, `proceedings`, `looked_after`,
   `adoption`, `leaving_care`, `support`), with the facts the statutory returns ask for
   (early help, pre-proceedings steps, previous permanence, the OC2 health facts). A
   story records the events and the spans during which some team must hold the case
   ("holdings"); the worker is not chosen yet. Recurring work (visits, reviews, health
   assessments, contacts) runs as activities
   that fire as the story's clock moves on. A story stops at the end of the history.
3. Allocation: all holdings, in date order, are given workers from the right team
   with the lightest caseload; a worker's leaving, moving, absence or a manager's
   decision reallocates the case. This yields the allocation events and fills in the
   worker on visits and contacts.
4. Recording: each event gets its recorded time (mostly the same working day, some
   late), then a few corrections and retractions are added.

Every rate lives in `journey.demo.rates`.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from journey.dates import add_months
from journey.demo import rates
from journey.events import LONDON
from journey.working_days import add_working_days

ONE_DAY = timedelta(days=1)
T = TypeVar("T")


def words(text: str) -> list[str]:
    return text.split()


class StoryEnds(Exception):
    """The story has reached the end of the history (or the child has died)."""


# --- the calendar -------------------------------------------------------------------------


def add_days(day: date, n: int) -> date:
    return day + timedelta(days=n)


def weekday(day: date) -> date:
    """The day itself, or the Monday after a weekend: meetings and courts sit on weekdays."""
    while day.weekday() >= 5:
        day += ONE_DAY
    return day


def birthday(dob: date, age: int) -> date:
    return add_months(dob, 12 * age)


# --- chance -------------------------------------------------------------------------------


class Dice:
    """The council's one source of randomness, so a seed gives the same council."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def between(self, bounds: tuple[int, int]) -> int:
        return self.rng.randint(bounds[0], bounds[1])

    def uniform(self, bounds: tuple[float, float]) -> float:
        return self.rng.uniform(bounds[0], bounds[1])

    def pick(self, weights: Mapping[T, float]) -> T:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def choice(self, items: Sequence[T]) -> T:
        return self.rng.choice(items)

    def years(self, rate_per_year: float) -> int:
        """Days until something that happens `rate_per_year` times a year."""
        if rate_per_year <= 0:
            return 10**6
        return max(1, int(self.rng.expovariate(rate_per_year) * 365))

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


# --- names and places ---------------------------------------------------------------------

GIVEN = {
    "white": words(
        "Oliver Amelia Jack Isla Harry Ava Charlie Mia Leo Freya Alfie Lily Jacob Evie "
        "Kacper Zofia Riley Ruby"
    ),
    "asian": words(
        "Aarav Priya Mohammed Aisha Arjun Zara Ibrahim Anaya Rohan Maryam Yusuf Simran "
        "Hamza Inaaya Dev Fatima"
    ),
    "black": words(
        "Kwame Amara Tendai Nia Kofi Zainab Jayden Imani Abdi Hodan Tyrese Ayan Malik Chioma"
    ),
}
FAMILY = {
    "white": words(
        "Smith Jones Taylor Brown Wilson Walker Wright Hughes Green Turner Nowak "
        "Kowalski Murphy Price Ward Cooper"
    ),
    "asian": words(
        "Patel Mistry Shah Khan Hussain Singh Kaur Chauhan Begum Ahmed Lad Parmar Rahman Chopra"
    ),
    "black": words(
        "Okafor Mensah Mohamed Ali Osei Campbell Adeyemi Farah Williams Johnson Nkosi Warsame"
    ),
}
ETHNIC_GROUP = {
    "AIND": "asian",
    "APKN": "asian",
    "ABAN": "asian",
    "AOTH": "asian",
    "BAFR": "black",
    "BCRB": "black",
    "BOTH": "black",
    "MWBC": "black",
    "MWBA": "black",
}
UASC_ETHNICITY = {"BAFR": 40, "AOTH": 30, "OOTH": 20, "WOTH": 10}
DISABILITIES = ["MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH", "CON", "AUT", "DDA"]
# Factors identified at assessment (CIN census codes): 18A and 19A are no longer used (the
# child's own, rules 8945Q and 8950Q: 18B/18C and 19B/19C name the parent or another
# person); "21", no factors identified, is never given with others (rule 8869).
ASSESSMENT_FACTORS = words(
    "1B 2A 2B 3A 4A 5A 6A 7A 8B 10A 11A 12A 14A 16A 17A 18B 18C 19B 19C 22A 24A"
)
NO_FACTORS = "21"
UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # remainder 0-22 (no I, O or S)
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
CITY_DISTRICTS = ["LE1", "LE2", "LE3", "LE4", "LE5"]
OUT_OF_AREA_DISTRICTS = words("NG7 NG5 CV2 CV6 DE23 DE24 NN3 B15 PE1 LE11 LE18 LE65")
# The council's own children's homes (seed 001 L217), with made-up URNs and postcodes.
OWN_HOMES = [
    ("SC038412", "LE4 9BD"),
    ("SC038419", "LE3 6HN"),
    ("SC041127", "LE5 2JP"),
    ("SC040256", "LE2 8QT"),
    ("SC042371", "LE4 0AW"),
]
PROVIDERS = {
    "therapeutic_session": "Child and Family Support Team",
    "life_story_work": "Child and Family Support Team",
    "letterbox_exchange": "Adoption Post Box",
    "respite": "Short Breaks Service",
    "personal_adviser_contact": "16+ Team",
    "post_order_support_visit": "Post-Adoption and SGO Support",
    "post_order_support_call": "Post-Adoption and SGO Support",
    "camhs": "CAMHS Leicester",
    "supervised_family_time": "Contact Service",
}


def collection_year(day: date) -> int:
    """The statutory returns' year (1 April to 31 March), by the year it begins."""
    return day.year if day.month >= 4 else day.year - 1


def weekday_before(day: date) -> date:
    """The day itself, or the Friday before a weekend."""
    while day.weekday() >= 5:
        day -= ONE_DAY
    return day


def postcode(dice: Dice, district: str | None = None) -> str:
    district = district or dice.choice(CITY_DISTRICTS)
    letters = "".join(dice.choice(list(INWARD_LETTERS)) for _ in range(2))
    return f"{district} {dice.rng.randint(0, 9)}{letters}"


def upn_check_letter(digits: str) -> str:
    """The check letter of a permanent UPN (DfE, "Unique pupil numbers"): its 12 digits
    (characters 2-13) weighted 2 to 13, summed, the remainder on division by 23."""
    total = sum(int(digit) * weight for weight, digit in enumerate(digits, start=2))
    return UPN_CHECK_LETTERS[total % 23]


def person_name(dice: Dice, group: str | None = None) -> tuple[str, str]:
    group = group or dice.pick(rates.WORKFORCE_BACKGROUND)
    return dice.choice(GIVEN[group]), dice.choice(FAMILY[group])


# --- events before they are recorded ------------------------------------------------------

# On one business day a child's events happen in this order (the rules need some of it:
# a referral before its allocation, an allocation ending before the next one starts, a
# period of care before its placement, the last placement ending before the next).
RANK = {
    name: position
    for position, name in enumerate(
        words(
            "ChildRegistered ChildDetailsUpdated ContactReceived ReferralReceived "
            "WorkerAllocationEnded WorkerAllocated CaseTransferred AssessmentStarted "
            "AssessmentCompleted StrategyDiscussionHeld Section47EnquiryStarted "
            "Section47EnquiryCompleted InitialChildProtectionConferenceHeld "
            "ChildProtectionReviewHeld CINPlanEnded ChildProtectionPlanStarted CINPlanStarted "
            "PreProceedingsStarted LetterBeforeProceedingsSent FamilyGroupDecisionMeetingHeld "
            "PreProceedingsMeetingHeld PreProceedingsEnded "
            "CareProceedingsIssued CourtOrderMade CareProceedingsConcluded "
            "PeriodOfCareStarted LegalStatusChanged PreviousPermanenceRecorded "
            "PlacementEnded PlacementStarted "
            "DisruptionMeetingHeld AdoptionDecisionMade AdopterMatched PlacedForAdoption "
            "AdoptionDecisionReversed LookedAfterReviewHeld StatutoryVisitMade "
            "HealthAssessmentCompleted ImmunisationsReviewed StrengthsAndDifficultiesRecorded "
            "OffenceRecorded SubstanceMisuseIdentified ChildGaveBirth "
            "PermanencePlanRecorded MissingEpisodeStarted "
            "MissingEpisodeEnded LifeStoryWorkCompleted SupportContactRecorded "
            "ChildProtectionPlanEnded PeriodOfCareEnded PathwayPlanReviewed "
            "CareLeaverContactRecorded StayingPutArranged ChildDied CaseSteppedDown "
            "ReferralClosedNoFurtherAction CaseClosed EarlyHelpAssessmentStarted "
            "EarlyHelpAssessmentCompleted EventCorrected EventRetracted "
        )
    )
}


@dataclass
class Planned:
    """One event of the council's history, before its recording time is chosen."""

    at: date | datetime
    rank: float
    seq: int
    payload: dict[str, Any]
    late_ok: bool = False  # routine records that are sometimes entered late
    needs: str | None = None  # "lead", "pa" or "iro": worker_id filled in at allocation
    cover_start: date | None = None  # a visit: when the plan or care covering it began
    recorded_at: datetime | None = None

    @property
    def day(self) -> date:
        return self.at.date() if isinstance(self.at, datetime) else self.at


def working_time(dice: Dice, day: date) -> datetime:
    minute = dice.between((rates.WORKING_DAY_START_MINUTES, rates.WORKING_DAY_END_MINUTES))
    return datetime.combine(day, time(minute // 60, minute % 60), LONDON)


# --- the organisation ---------------------------------------------------------------------


@dataclass
class Team:
    key: str
    team_id: str
    name: str
    service: str
    role: str  # the role its workers hold
    staff_group: str  # the rates.STAFF_SHARE key it draws posts from
    high_turnover: bool = False
    closes: date | None = None


TEAMS = [
    Team(
        "duty", "team-duty-advice", "Duty and Advice Service", "front_door", "social_worker", "duty"
    ),
    Team(
        "cin_nw",
        "team-cin-north-west",
        "Children in Need Team (North West)",
        "child_in_need",
        "social_worker",
        "cin",
        high_turnover=True,
    ),
    Team(
        "cin_bw",
        "team-cin-beaumont-way",
        "Children in Need Team (Beaumont Way)",
        "child_in_need",
        "social_worker",
        "cin",
    ),
    Team(
        "cin_gf",
        "team-cin-grey-friars",
        "Children in Need Team (Grey Friars)",
        "child_in_need",
        "social_worker",
        "cin",
    ),
    Team(
        "ist",
        "team-intensive-support",
        "Intensive Support Team",
        "child_in_need",
        "social_worker",
        "ist",
    ),
    Team(
        "lac1",
        "team-looked-after-1",
        "Looked After Children Team 1",
        "looked_after",
        "social_worker",
        "lac",
    ),
    Team(
        "lac2",
        "team-looked-after-2",
        "Looked After Children Team 2",
        "looked_after",
        "social_worker",
        "lac",
    ),
    Team(
        "plus16",
        "team-16-plus",
        "Integrated Transitions Team",
        "looked_after",
        "personal_adviser",
        "plus16",
    ),
    Team(
        "fostering",
        "team-fostering-support",
        "Fostering Support",
        "fostering",
        "supervising_social_worker",
        "fostering",
    ),
    Team(
        "iro",
        "team-independent-reviewing",
        "Independent Reviewing Service",
        "quality_assurance",
        "iro",
        "iro",
    ),
]
CIN_TEAMS = ["cin_nw", "cin_bw", "cin_gf"]
LAC_TEAMS = ["lac1", "lac2"]
QUALIFIED_ROLES = {"social_worker", "iro", "supervising_social_worker"}


@dataclass
class Staff:
    """A worker's career with the council: teams over time, absences, leaving."""

    worker_id: str
    name: str
    role: str
    joined: date
    left: date | None
    agency: bool
    fte: float
    swe: str | None
    teams: list[tuple[date, str]]  # (from, team key)
    absences: list[tuple[date, date]] = field(default_factory=list)

    def team_on(self, day: date) -> str | None:
        current = None
        for since, team in self.teams:
            if since <= day:
                current = team
        return current

    def active_on(self, day: date) -> bool:
        return self.joined <= day and (self.left is None or day < self.left)

    def absent_on(self, day: date) -> bool:
        return any(start <= day < back for start, back in self.absences)

    def free_for_new_work(self, day: date, team: str, strict: bool) -> bool:
        """Can a manager give this worker a new case today?"""
        if not self.active_on(day) or self.team_on(day) != team or self.absent_on(day):
            return False
        if not strict:
            return True
        soon = add_days(day, rates.NOTICE_DAYS)
        return (
            (self.left is None or soon < self.left)
            and not any(day < since <= soon for since, _ in self.teams)
            and not any(day < start <= soon for start, _ in self.absences)
        )


@dataclass
class Stay:
    """A child living with a household (placed, or staying put), open while `end` is None."""

    start: date
    end: date | None = None


@dataclass
class Household:
    household_id: str
    kind: str
    approved: date
    postcode: str
    places: int = 1
    fostering_for_adoption: bool = False  # adopters who foster the child first (U5)
    stays: list[Stay] = field(default_factory=list)  # one per child placed here
    constellation: str | None = None
    hub: bool = False
    joined: date | None = None
    left_constellation: date | None = None

    def free_on(self, day: date) -> bool:
        placed = sum(
            1 for stay in self.stays if stay.start <= day and (stay.end is None or stay.end > day)
        )
        return placed < self.places

    def satellite_on(self, day: date) -> bool:
        return (
            self.constellation is not None
            and not self.hub
            and self.joined is not None
            and self.joined <= day
            and (self.left_constellation is None or day < self.left_constellation)
        )


@dataclass
class Setting:
    """A placement provider registered with Ofsted, with its URN (SSDA903 URN)."""

    urn: str
    provider: str  # PLACE_PROVIDER
    postcode: str | None = None  # for a home with one address
    away: bool = False  # outside the city


@dataclass
class Providers:
    """The settings the council places children with: one URN each, stable over time."""

    fostering_urn: str = ""  # the council's own fostering service
    adoption: dict[str, list[str]] = field(default_factory=dict)  # by PLACE_PROVIDER
    fostering_agencies: list[Setting] = field(default_factory=list)
    private_homes: list[Setting] = field(default_factory=list)
    supported: list[Setting] = field(default_factory=list)
    family_centres: list[Setting] = field(default_factory=list)


class Builder:
    """Everything the council is made of while it is being generated."""

    def __init__(self, seed: int, children: int, years: int, end: date, council: str):
        self.dice = Dice(seed)
        self.children = children
        self.end = end
        self.start = add_months(end, -12 * years)
        self.council = council
        self.seq = itertools.count()
        self.reference: list[Planned] = []
        self.teams = {team.key: Team(**team.__dict__) for team in TEAMS}
        self.restructure = self.day_at(rates.RESTRUCTURE_AT)
        self.teams["ist"].closes = self.restructure
        self.staff: list[Staff] = []
        self.households: list[Household] = []
        self.hubs: dict[str, Household] = {}
        self.worker_numbers = itertools.count(1)
        self.household_numbers = itertools.count(1)
        self.providers = Providers()
        self.upns: set[str] = set()  # every UPN given, so that none is given twice
        # The council's DfE number, for the permanence orders it made itself.
        self.own_council = council if len(council) == 3 and council.isdigit() else "856"

    def upn(self, allocated: date) -> str:
        """A new, valid and unique UPN allocated in `allocated`'s year: the check letter,
        the council's number, a school's number, the year and a serial."""
        council = "".join(c for c in self.council if c.isdigit())[:3].zfill(3)
        while True:
            school = self.dice.between(rates.UPN_SCHOOL_NUMBERS)
            serial = self.dice.between((0, 999))
            digits = f"{council}{school:04d}{allocated.year % 100:02d}{serial:03d}"
            if digits not in self.upns:
                self.upns.add(digits)
                return upn_check_letter(digits) + digits

    def day_at(self, fraction: float) -> date:
        return add_days(self.start, int((self.end - self.start).days * fraction))

    def record(
        self, type_: str, day: date, stream: str, key: str, minute: int = 0, **fields: Any
    ) -> None:
        """A reference event (team, worker, household, adopter family), recorded before the
        day's casework (or after it, with a later `minute`)."""
        payload = {
            "type": type_,
            stream: key,
            "occurred_at": day.isoformat(),
            "event_id": self.dice.uuid(),
        }
        payload.update({k: v for k, v in fields.items() if v is not None})
        planned = Planned(day, 0, next(self.seq), payload)
        planned.recorded_at = datetime.combine(day, time(7, 0), LONDON) + timedelta(
            minutes=minute, seconds=planned.seq % 1800
        )
        self.reference.append(planned)


# --- phase 1: the organisation ------------------------------------------------------------


def establish_teams(b: Builder) -> None:
    for team in b.teams.values():
        b.record(
            "TeamEstablished",
            b.start,
            "team_id",
            team.team_id,
            name=team.name,
            service=team.service,
        )
    plus16 = b.teams["plus16"]
    b.record("TeamRenamed", b.restructure, "team_id", plus16.team_id, name="16+ Team")
    b.record("TeamMovedService", b.restructure, "team_id", plus16.team_id, service="leaving_care")
    b.record("TeamClosed", b.restructure, "team_id", b.teams["ist"].team_id, minute=11 * 60)


def posts(b: Builder) -> dict[str, int]:
    total = max(rates.MIN_WORKERS, round(b.children / rates.CHILDREN_PER_WORKER))
    group_sizes = Counter(team.staff_group for team in b.teams.values())
    return {
        team.key: max(
            rates.MIN_POSTS_PER_TEAM,
            round(total * rates.STAFF_SHARE[team.staff_group] / group_sizes[team.staff_group]),
        )
        for team in b.teams.values()
    }


def recruit(b: Builder) -> None:
    """Fill each post from the start of the history, replacing leavers and movers."""
    for key, count in posts(b).items():
        team = b.teams[key]
        for _ in range(count):
            day = b.start
            while day <= b.end and (team.closes is None or day < team.closes):
                worker = hire(b, team, day)
                departs = worker.left
                if team.closes is not None and (departs is None or departs > team.closes):
                    disband(b, worker, team.closes)
                    break
                if departs is None:
                    break
                if (
                    departs < b.end
                    and team.role == "social_worker"
                    and b.dice.chance(rates.MOVE_SHARE_OF_DEPARTURES)
                ):
                    move_on(b, worker, departs)
                day = add_days(departs, b.dice.between(rates.VACANCY_DAYS))
    for worker in b.staff:
        absences(b, worker)
        register_worker(b, worker)


def hire(b: Builder, team: Team, day: date) -> Staff:
    dice = b.dice
    agency = dice.chance(rates.AGENCY_SHARE_HIGH if team.high_turnover else rates.AGENCY_SHARE)
    turnover = rates.TURNOVER_HIGH if team.high_turnover else rates.TURNOVER
    if agency:
        turnover /= rates.AGENCY_TENURE_FACTOR
    left = add_days(day, dice.years(turnover))
    given, family = person_name(dice)
    number = next(b.worker_numbers)
    worker = Staff(
        worker_id=f"W{number:04d}",
        name=f"{given} {family}",
        role=team.role,
        joined=day,
        left=left if left <= b.end else None,
        agency=agency,
        fte=dice.pick(rates.FTE_CHOICES),
        swe=f"SW{dice.rng.randint(10000, 999999)}" if team.role in QUALIFIED_ROLES else None,
        teams=[(day, team.key)],
    )
    b.staff.append(worker)
    return worker


def move_on(b: Builder, worker: Staff, day: date) -> None:
    """A social worker moves to another team instead of leaving (WorkerJoinedTeam)."""
    current = worker.team_on(day)
    options = [k for k in CIN_TEAMS + LAC_TEAMS if k != current]
    worker.teams.append((day, b.dice.choice(options)))
    left = add_days(day, b.dice.years(rates.TURNOVER))
    worker.left = left if left <= b.end else None


def disband(b: Builder, worker: Staff, day: date) -> None:
    """The team closes at the restructure; its workers join the CiN teams."""
    worker.teams.append((day, b.dice.choice(CIN_TEAMS)))


def absences(b: Builder, worker: Staff) -> None:
    dice = b.dice
    until = worker.left or b.end
    years = (until - worker.joined).days / 365
    if not dice.chance(1 - (1 - rates.ABSENCE_RATE) ** years):
        return
    length = dice.between(rates.ABSENCE_DAYS)
    latest = (until - worker.joined).days - length - 60
    if latest <= 60:
        return
    start = add_days(worker.joined, dice.between((60, latest)))
    if any(start <= since <= add_days(start, length) for since, _ in worker.teams[1:]):
        return
    worker.absences.append((start, add_days(start, length)))


def register_worker(b: Builder, worker: Staff) -> None:
    team = b.teams[worker.teams[0][1]]
    b.record(
        "WorkerRegistered",
        worker.joined,
        "worker_id",
        worker.worker_id,
        minute=1,
        name=worker.name,
        role=worker.role,
        team_id=team.team_id,
        swe_registration=worker.swe,
        qualified=worker.role in QUALIFIED_ROLES,
        agency=worker.agency,
        fte=worker.fte,
    )
    for since, key in worker.teams[1:]:
        b.record(
            "WorkerJoinedTeam",
            since,
            "worker_id",
            worker.worker_id,
            minute=2,
            team_id=b.teams[key].team_id,
        )
    for _, back in worker.absences:
        if back <= b.end and b.dice.chance(rates.RETURN_PART_TIME):
            b.record(
                "WorkerRoleChanged",
                back,
                "worker_id",
                worker.worker_id,
                minute=2,
                role=worker.role,
                fte=0.6,
            )
    until = worker.left or b.end
    years = (until - worker.joined).days / 365
    if years > 1 and b.dice.chance(1 - (1 - rates.FTE_CHANGE_RATE) ** years):
        day = add_days(worker.joined, b.dice.between((180, (until - worker.joined).days - 1)))
        if not any(away <= day <= back for away, back in worker.absences):
            b.record(
                "WorkerRoleChanged",
                day,
                "worker_id",
                worker.worker_id,
                minute=2,
                role=worker.role,
                fte=b.dice.choice([fte for fte in rates.FTE_CHOICES if fte != worker.fte]),
            )
    if worker.left is not None:
        b.record("WorkerLeft", worker.left, "worker_id", worker.worker_id, minute=11 * 60)


# --- phase 1: placement providers ---------------------------------------------------------


def set_up_providers(b: Builder) -> None:
    """The providers with a URN: the council's fostering service and adoption agency,
    other adoption agencies, independent fostering agencies, private children's homes
    (SC and 6 digits), supported accommodation (7 digits) and parent and child units."""
    dice = b.dice
    used = {urn for urn, _ in OWN_HOMES}

    def fresh(kind: str) -> str:
        while True:
            if kind == "SC":
                urn = f"SC{dice.rng.randint(400000, 999999)}"
            else:
                urn = f"{dice.rng.randint(1000000, 2999999)}"
            if urn not in used:
                used.add(urn)
                return urn

    p = b.providers
    p.fostering_urn = fresh("7")
    p.adoption = {
        "PR1": [fresh("7")],
        "PR2": [fresh("7") for _ in range(rates.OTHER_ADOPTION_AGENCIES)],
        "PR5": [fresh("SC") for _ in range(rates.OTHER_ADOPTION_AGENCIES)],
    }
    p.fostering_agencies = [
        Setting(fresh(dice.choice(["SC", "7"])), "PR4")
        for _ in range(rates.INDEPENDENT_FOSTERING_AGENCIES)
    ]
    homes = max(rates.PRIVATE_HOMES_MIN, round(b.children * rates.PRIVATE_HOMES_PER_1000 / 1000))
    for number in range(homes):
        away = number % 2 == 1
        district = dice.choice(OUT_OF_AREA_DISTRICTS) if away else None
        p.private_homes.append(Setting(fresh("SC"), "PR4", postcode(dice, district), away))
    p.supported = [
        Setting(fresh("7"), dice.pick(rates.SUPPORTED_PROVIDER))
        for _ in range(rates.SUPPORTED_ACCOMMODATION_PROVIDERS)
    ]
    p.family_centres = [
        Setting(fresh("SC"), "PR4", postcode(dice, dice.choice(OUT_OF_AREA_DISTRICTS)), True)
        for _ in range(rates.FAMILY_CENTRES)
    ]


# --- phase 1: carer households ------------------------------------------------------------


def approve(
    b: Builder, kind: str, day: date, places: int = 1, area: str | None = None
) -> Household:
    household = Household(
        household_id=f"H{next(b.household_numbers):04d}",
        kind=kind,
        approved=max(day, b.start),
        postcode=postcode(b.dice, area),
        places=places,
    )
    b.households.append(household)
    b.record(
        "CarerHouseholdApproved",
        household.approved,
        "household_id",
        household.household_id,
        kind=kind,
        postcode=household.postcode,
        places=places,
    )
    return household


def recruit_carers(b: Builder) -> None:
    dice = b.dice
    for _ in range(max(6, round(b.children * rates.FOSTER_HOUSEHOLDS_PER_CHILD))):
        approve(b, "foster", b.start, dice.pick(rates.FOSTER_PLACES))
    years = (b.end - b.start).days / 365
    for _ in range(round(b.children * rates.FOSTER_RECRUITED_PER_CHILD_YEAR * years)):
        day = add_days(b.start, dice.between((30, (b.end - b.start).days)))
        approve(b, "foster", day, dice.pick(rates.FOSTER_PLACES))
    launch_mockingbird(b)


def launch_mockingbird(b: Builder) -> None:
    """Mockingbird constellations: an experienced hub household and its satellites."""
    dice = b.dice
    launch = b.day_at(rates.MOCKINGBIRD_LAUNCH_AT)
    pool = [h for h in b.households if h.kind == "foster" and h.approved < launch]
    count = max(1, round(b.children / rates.CHILDREN_PER_CONSTELLATION))
    for number in range(1, count + 1):
        size = dice.between(rates.MOCKINGBIRD_SATELLITES) + 1
        if len(pool) < size:
            return
        members = dice.rng.sample(pool, size)
        pool = [h for h in pool if h not in members]
        constellation = f"mockingbird-{number}"
        for position, household in enumerate(members):
            household.constellation, household.hub = constellation, position == 0
            household.joined = add_days(launch, position // 4)
            if household.hub:
                b.hubs[constellation] = household
            b.record(
                "CarerHouseholdJoinedConstellation",
                household.joined,
                "household_id",
                household.household_id,
                minute=3,
                constellation_id=constellation,
                constellation_role="hub" if household.hub else "satellite",
            )
            if not household.hub and dice.chance(rates.SATELLITE_LEAVES):
                leaves = add_days(household.joined, dice.between(rates.SATELLITE_LEAVES_AFTER_DAYS))
                if leaves <= b.end:
                    household.left_constellation = leaves
                    b.record(
                        "CarerHouseholdLeftConstellation",
                        leaves,
                        "household_id",
                        household.household_id,
                        minute=3,
                        constellation_id=constellation,
                    )


# --- adopter families ----------------------------------------------------------------------

# The minutes after 07:00 at which a family's events are recorded, in the order they
# happen: 30 minutes apart, more than `Builder.record`'s spread of seconds, so that on
# a day with several of them they are recorded in order.
ADOPTER_STEPS = {
    "AdopterEnquiryReceived": 20,
    "AdoptionStageStarted1": 50,
    "AdoptionStageCompleted1": 80,
    "AdoptionStageStarted2": 110,
    "AdopterApplicationSubmitted": 140,
    "AdoptionStageCompleted2": 170,
    "AdopterFamilyApproved": 200,
    "AdopterFamilyLeftProcess": 230,
}


def adopters(b: Builder, family_id: str) -> tuple[list[dict[str, Any]], str]:
    """The prospective adopters of one family and their relationship (LS_ADOPTR)."""
    dice = b.dice
    relationship = dice.pick(rates.ADOPTER_RELATIONSHIP)
    if relationship == "L0":
        sexes = [dice.pick(rates.ADOPTER_SINGLE_SEX)]
    elif relationship in ("L11", "L3"):
        sexes = ["2", "1"]
    else:
        sexes = [dice.pick(rates.ADOPTER_SAME_SEX_COUPLE)] * 2
    first = dice.pick(rates.ADOPTER_ETHNICITY)
    people = []
    for number, sex in enumerate(sexes, start=1):
        same = number == 1 or dice.chance(rates.ADOPTER_SAME_ETHNICITY)
        people.append(
            {
                "adopter_id": f"{family_id}-{number}",
                "sex": sex,
                "ethnicity": first if same else dice.pick(rates.ADOPTER_ETHNICITY),
                "disabled": dice.chance(rates.ADOPTER_DISABLED),
            }
        )
    return people, relationship


def adopter_families(b: Builder) -> None:
    """Every adopter household approved has a family stream behind it: enquiry, stage 1,
    stage 2 and the application, approval on or just before the household's approval
    (compressed to fit when the history begins too late for the whole journey). Some
    other families enquire and leave the process without approval."""
    dice = b.dice
    numbers = itertools.count(1)
    approved = [h for h in b.households if h.kind == "adopter"]
    for household in approved:
        family_id = f"AF{next(numbers):04d}"
        approval = max(
            b.start,
            add_days(
                household.approved, -dice.between(rates.ADOPTER_APPROVED_BEFORE_HOUSEHOLD_DAYS)
            ),
        )
        gaps = [
            ("AdoptionStageStarted1", dice.between(rates.ADOPTER_ENQUIRY_TO_STAGE_1_DAYS)),
            ("AdoptionStageCompleted1", dice.between(rates.ADOPTION_STAGE_1_DAYS)),
            ("AdoptionStageStarted2", dice.between(rates.ADOPTION_BETWEEN_STAGES_DAYS)),
            ("AdoptionStageCompleted2", dice.between(rates.ADOPTION_STAGE_2_DAYS)),
            ("AdopterFamilyApproved", dice.between(rates.ADOPTER_APPROVED_AFTER_STAGE_2_DAYS)),
        ]
        applied_after = dice.between(rates.ADOPTER_APPLICATION_DAYS)
        total = sum(gap for _, gap in gaps)
        room = (approval - b.start).days
        scale = min(1.0, room / total) if total else 1.0
        enquiry = add_days(approval, -sum(int(gap * scale) for _, gap in gaps))
        people, relationship = adopters(b, family_id)
        family_step(
            b,
            "AdopterEnquiryReceived",
            enquiry,
            family_id,
            adopters=people,
            relationship=relationship,
            fostering_for_adoption=household.fostering_for_adoption,
        )
        day = enquiry
        for step, gap in gaps:
            day = add_days(day, int(gap * scale))
            if step == "AdoptionStageCompleted2":
                stage_2 = add_days(day, -int(gaps[3][1] * scale))
                family_step(
                    b,
                    "AdopterApplicationSubmitted",
                    add_days(stage_2, int(applied_after * scale)),
                    family_id,
                )
            if step == "AdopterFamilyApproved":
                family_step(b, step, day, family_id, household_id=household.household_id)
            else:
                family_step(b, step[:-1], day, family_id, stage=int(step[-1]), key=step)
    leavers = max(1, round(len(approved) * rates.ADOPTER_LEAVERS_PER_APPROVAL))
    span = (b.end - b.start).days
    for _ in range(leavers):
        family_id = f"AF{next(numbers):04d}"
        day = add_days(b.start, dice.between((0, span)))
        people, relationship = adopters(b, family_id)
        family_step(
            b,
            "AdopterEnquiryReceived",
            day,
            family_id,
            adopters=people,
            relationship=relationship,
        )
        leaves_at = dice.pick(rates.ADOPTER_LEAVES_AT)
        if leaves_at != "enquiry":
            day = add_days(day, dice.between(rates.ADOPTER_ENQUIRY_TO_STAGE_1_DAYS))
            family_step(
                b, "AdoptionStageStarted", day, family_id, stage=1, key="AdoptionStageStarted1"
            )
        if leaves_at == "stage_2":
            day = add_days(day, dice.between(rates.ADOPTION_STAGE_1_DAYS))
            family_step(
                b, "AdoptionStageCompleted", day, family_id, stage=1, key="AdoptionStageCompleted1"
            )
            day = add_days(day, dice.between(rates.ADOPTION_BETWEEN_STAGES_DAYS))
            family_step(
                b, "AdoptionStageStarted", day, family_id, stage=2, key="AdoptionStageStarted2"
            )
            family_step(
                b,
                "AdopterApplicationSubmitted",
                add_days(day, dice.between(rates.ADOPTER_APPLICATION_DAYS)),
                family_id,
            )
            day = add_days(day, rates.ADOPTER_APPLICATION_DAYS[1])
        family_step(
            b,
            "AdopterFamilyLeftProcess",
            add_days(day, dice.between(rates.ADOPTER_LEAVES_AFTER_DAYS)),
            family_id,
            reason=dice.pick(rates.ADOPTER_LEFT_REASON[leaves_at]),
        )


def family_step(
    b: Builder, type_: str, day: date, family_id: str, key: str | None = None, **fields: Any
) -> None:
    b.record(type_, day, "family_id", family_id, minute=ADOPTER_STEPS[key or type_], **fields)


def deregister_carers(b: Builder) -> None:
    """After the last child leaves, some households stop caring and are deregistered."""
    for household in b.households:
        share = rates.DEREGISTER_SHARE.get(household.kind, 0)
        if household.constellation or not household.stays or not b.dice.chance(share):
            continue
        ends = [stay.end for stay in household.stays if stay.end is not None]
        if len(ends) < len(household.stays):
            continue  # a child still lives there
        day = add_days(max(ends), b.dice.between(rates.DEREGISTER_AFTER))
        if day <= b.end:
            b.record(
                "CarerHouseholdDeregistered",
                day,
                "household_id",
                household.household_id,
                minute=10 * 60,
            )


# --- phase 2: the child's story -----------------------------------------------------------


@dataclass
class Holding:
    """A span during which a team must hold the case in some role; workers come later."""

    story: Story
    role: str  # social_worker (the lead), personal_adviser or iro
    team: str  # team key
    start: date
    reason: str | None
    via_transfer: bool = False
    end: date | None = None
    ends: str = "open"  # "closure" (the case closes), "ended", "transfer" or "open"


@dataclass
class Activity:
    """Recurring work (visits, reviews, contacts...): `fire` does it on `next` and says
    when it is next due, or None when it stops."""

    next: date
    fire: Callable[[date], date | None]


@dataclass
class Placement:
    placement_id: str
    start: date
    place: str
    provider: str | None
    postcode: str
    household: Household | None
    long_term: bool = False
    stay: Stay | None = None  # the child's stay with the household, for its capacity
    urn: str | None = None


@dataclass
class Care:
    period_id: str
    start: date
    legal_status: str
    placement: Placement | None = None
    reviews: int = 0
    immunisations_checked: int | None = None  # the collection year last checked


class Story:
    """One child's journey, told forward in time."""

    def __init__(self, b: Builder, number: int):
        self.b = b
        self.dice = b.dice
        self.child_id = f"C{number:05d}"
        self.events: list[Planned] = []
        self.holdings: list[Holding] = []
        self.open: dict[str, Holding] = {}
        self.activities: dict[str, Activity] = {}
        self.numbers = itertools.count(1)
        self.today = b.start
        self.dob: date | None = None
        self.birth_notified: date | None = None  # for a child registered before birth
        self.home_postcode = postcode(b.dice)
        self.name_group = "white"
        self.sex = "9"
        self.mother = False  # has had a baby (ChildGaveBirth)
        # Permanence orders made for the child (PREV_PERM code, date), for a later care.
        self.permanence_orders: list[tuple[str, date]] = []
        self.disabled = False
        self.uasc = False
        self.need = "N1"
        self.last_contact: tuple[str, str] = ("", "")
        self.referral: str | None = None
        self.cin_plan: str | None = None
        self.cin_plan_end = b.start
        self.cp_plan: str | None = None
        self.proceedings: str | None = None
        self.care: Care | None = None
        self.adoption_decision: str | None = None
        self.died: date | None = None
        self.fated_to_die = False

    # --- recording what happened -----------------------------------------------------------

    def emit(
        self,
        type_: str,
        at: date | datetime,
        *,
        late_ok: bool = False,
        needs: str | None = None,
        cover_start: date | None = None,
        after: str | None = None,
        **fields: Any,
    ) -> Planned:
        """Record an event (in its JSON form). `after` places it, on its day, just after
        events of that type instead of at its own type's rank."""
        payload = {
            "type": type_,
            "la_child_id": self.child_id,
            "occurred_at": at.isoformat(),
            "event_id": self.dice.uuid(),
        }
        payload.update(
            {
                k: v.isoformat() if isinstance(v, date) else v
                for k, v in fields.items()
                if v is not None
            }
        )
        planned = Planned(
            at,
            RANK[after] + 0.5 if after else RANK[type_],
            next(self.b.seq),
            payload,
            late_ok and not self.fated_to_die,
            needs,
            cover_start,
        )
        self.events.append(planned)
        return planned

    def ident(self, prefix: str) -> str:
        return f"{prefix}-{self.child_id}-{next(self.numbers)}"

    def age(self, day: date) -> float:
        assert self.dob is not None
        return (day - self.dob).days / 365.25

    # --- the story's clock -------------------------------------------------------------------

    def at(self, day: date) -> date:
        """Move the story on to `day`, doing the recurring work due before it. Past the end
        of the history the story stops."""
        assert day >= self.today, (self.child_id, day, self.today)
        if self.birth_notified is not None and self.birth_notified <= min(day, self.b.end):
            self.born()
        self.advance(day)
        if day > self.b.end or self.died is not None:
            raise StoryEnds
        self.today = day
        return day

    def born(self) -> None:
        """The baby is born: the date of birth is known from the day it is notified."""
        assert self.birth_notified is not None
        self.sex = self.dice.pick(rates.SEX)
        self.emit(
            "ChildDetailsUpdated",
            self.birth_notified,
            date_of_birth=self.dob,
            sex=self.sex,
            given_name=self.dice.choice(GIVEN[self.name_group]),
        )
        self.birth_notified = None

    def advance(self, until: date) -> None:
        limit = min(until, add_days(self.b.end, 1))
        while self.activities:
            key, activity = min(self.activities.items(), key=lambda item: item[1].next)
            if activity.next >= limit:
                return
            due = activity.next
            following = activity.fire(due)
            if self.activities.get(key) is activity:
                if following is None:
                    del self.activities[key]
                else:
                    assert following > due, (key, due, following)
                    activity.next = following
            if self.died is not None:
                return

    def every(self, key: str, first: date, fire: Callable[[date], date | None]) -> None:
        self.activities[key] = Activity(first, fire)

    def stop(self, *prefixes: str) -> None:
        for key in [k for k in self.activities if k.startswith(prefixes)]:
            del self.activities[key]

    # --- who must hold the case --------------------------------------------------------------

    def allocate(self, role: str, team: str, day: date, reason: str | None = None) -> None:
        assert role not in self.open, (self.child_id, role)
        holding = Holding(self, role, team, day, reason)
        self.holdings.append(holding)
        self.open[role] = holding

    def transfer(self, team: str, day: date, reason: str = "TSPROC") -> None:
        current = self.open.pop("social_worker")
        assert day > current.start
        current.end, current.ends = day, "transfer"
        self.allocate("social_worker", team, day, reason)
        self.open["social_worker"].via_transfer = True

    def release(self, role: str, day: date) -> None:
        holding = self.open.pop(role, None)
        if holding is not None:
            holding.end, holding.ends = day, "ended"

    def close_holdings(self, day: date) -> None:
        for holding in self.open.values():
            holding.end, holding.ends = day, "closure"
        self.open.clear()


# --- registration and the front door ------------------------------------------------------


def child_story(b: Builder, number: int) -> Story:
    s = Story(b, number)
    first_contact = add_days(b.start, b.dice.between((1, (b.end - b.start).days)))
    try:
        register(s, first_contact)
        referral_day = front_door(s, first_contact)
        episodes = 0
        while referral_day is not None and episodes < rates.MAX_EPISODES:
            closed = episode(s, referral_day)
            episodes += 1
            referral_day = after_closure(s, closed)
    except StoryEnds:
        pass
    born_after_closure(s)
    return s


def born_after_closure(s: Story) -> None:
    """A baby whose case closed before the birth: the council still records the birth it
    was told of (the midwife's notification), so no census reports a past expected date
    of birth (CIN rule 8530Q)."""
    if s.birth_notified is not None and s.birth_notified <= s.b.end and s.died is None:
        s.born()


def register(s: Story, day: date) -> None:
    dice = s.dice
    unborn = dice.chance(rates.UNBORN_SHARE)
    expected = None
    if unborn:
        expected = add_days(day, 7 * dice.between(rates.UNBORN_WEEKS_BEFORE_BIRTH))
        s.dob = add_days(expected, int(dice.rng.gauss(0, 7)))
        s.dob = max(s.dob, add_days(day, 14))
        s.birth_notified = add_days(s.dob, dice.between(rates.BIRTH_NOTIFIED_DAYS))
        age = 0.0
    else:
        low, high = dice.pick(rates.AGE_BANDS)
        age = dice.uniform((low, high))
        s.dob = add_days(day, -int(age * 365.25) - 1)
    if age >= 15 and dice.chance(rates.UASC_SHARE_OF_TEENS):
        s.uasc = True
        ethnicity = dice.pick(UASC_ETHNICITY)
    else:
        ethnicity = dice.pick(rates.ETHNICITY)
    s.disabled = not unborn and dice.chance(rates.DISABLED_SHARE)
    s.name_group = ETHNIC_GROUP.get(ethnicity, "white")
    given, family = person_name(dice, s.name_group)
    # A UPN from the school year in which the child turns 4 (on registration if that has
    # begun; else recorded on the day, should the history reach it). Unaccompanied
    # children, arriving from abroad at 15 or over, have none.
    upn = None
    upn_from = school_year_of(birthday(s.dob, rates.UPN_SCHOOL_YEAR_OF_AGE))
    if not s.uasc and upn_from <= day:
        upn = s.b.upn(upn_from)
    s.sex = "9" if unborn else dice.pick(rates.SEX)
    s.emit(
        "ChildRegistered",
        day,
        sex=s.sex,
        date_of_birth=None if unborn else s.dob,
        expected_date_of_birth=expected,
        upn=upn,
        given_name=None if unborn else given,
        family_name=family,
        ethnicity=ethnicity,
        disabilities=dice.rng.sample(DISABILITIES, dice.between((1, 2)))
        if s.disabled
        else ["NONE"],
        uasc=s.uasc or None,
        home_postcode=s.home_postcode,
    )
    if s.uasc:
        uasc_status_ends(s, day)
    elif upn is None and upn_from <= s.b.end:
        s.emit("ChildDetailsUpdated", upn_from, upn=s.b.upn(upn_from))


def school_year_of(day: date) -> date:
    """The first day (1 September) of the school year `day` falls in."""
    return date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def uasc_status_ends(s: Story, arrived: date) -> None:
    """An unaccompanied child's status ends at 18, or earlier when leave to remain is
    granted (SSDA903 UASC DUC); a date after the history is never recorded."""
    assert s.dob is not None
    ends = birthday(s.dob, 18)
    if s.dice.chance(rates.UASC_STATUS_GRANTED_BEFORE_18):
        ends = min(ends, add_days(arrived, s.dice.between(rates.UASC_STATUS_GRANTED_DAYS)))
    s.emit("ChildDetailsUpdated", ends, uasc=False)


def contact(s: Story, day: date, outcome: str) -> str:
    contact_id = s.ident("CON")
    if s.birth_notified is not None:
        source = s.dice.pick(rates.UNBORN_CONTACT_SOURCE)
    elif s.uasc:
        source = s.dice.pick(rates.UASC_CONTACT_SOURCE)
    else:
        source = s.dice.pick(rates.CONTACT_SOURCE)
    s.emit("ContactReceived", day, contact_id=contact_id, contact_source=source, outcome=outcome)
    s.last_contact = (contact_id, source)
    if outcome == "early_help" and s.dice.chance(rates.EARLY_HELP_AFTER_CONTACT):
        early_help(s, day)
    return contact_id


def early_help(s: Story, day: date) -> None:
    """An early help assessment (Annex A List 2) after a contact passed to early help or
    a case stepped down: started within days, completed within weeks (one still under
    way at the end of the history stays open)."""
    dice = s.dice
    started = add_days(day, dice.between(rates.EARLY_HELP_START_DAYS))
    age = s.age(started)
    organisation = dice.pick(rates.EARLY_HELP_UNDER_5 if age < 5 else rates.EARLY_HELP_5_PLUS)
    if organisation == "School":
        organisation = "Primary school" if age < 11 else "Secondary school"
    assessment_id = s.ident("EHA")
    s.emit(
        "EarlyHelpAssessmentStarted",
        started,
        assessment_id=assessment_id,
        organisation=organisation,
    )
    s.emit(
        "EarlyHelpAssessmentCompleted",
        add_days(started, dice.between(rates.EARLY_HELP_DAYS)),
        assessment_id=assessment_id,
    )


def front_door(s: Story, day: date) -> date | None:
    """The contacts about a child until one is accepted as a referral (the day it is), or
    None for a child the front door only ever advises about. Most contacts end in advice,
    early help or no further action (seed 001 L232-234)."""
    dice = s.dice
    urgent = s.birth_notified is not None or s.uasc
    only_contacts = not urgent and dice.chance(rates.CONTACT_ONLY_SHARE)
    if urgent:
        earlier = 0
    elif only_contacts:
        earlier = dice.pick(rates.CONTACTS_WITHOUT_REFERRAL)
    else:
        earlier = dice.pick(rates.CONTACTS_BEFORE_REFERRAL)
    for number in range(earlier):
        if number:
            day = add_days(day, dice.between(rates.CONTACT_GAP_DAYS))
        contact(s, s.at(day), dice.pick(rates.CONTACT_OUTCOME_NOT_REFERRED))
    if only_contacts:
        return None
    if earlier:
        day = add_days(day, dice.between(rates.CONTACT_GAP_DAYS))
    contact(s, s.at(day), "referred")
    return day


def after_closure(s: Story, closed: date) -> date | None:
    """After a case closes: a re-referral (the day it comes), or contacts that end at the
    front door."""
    dice = s.dice
    if s.age(closed) >= 17:
        return None
    if dice.chance(rates.RE_REFERRAL_SHARE):
        day = s.at(add_days(closed, dice.between(rates.RE_REFERRAL_DAYS)))
        contact(s, day, "referred")
        return day
    day = closed
    while dice.chance(rates.CONTACT_AFTER_CLOSURE):
        day = s.at(add_days(day, dice.between(rates.CONTACT_GAP_DAYS)))
        if s.age(day) >= 18:
            break
        contact(s, day, dice.pick(rates.CONTACT_OUTCOME_NOT_REFERRED))
    return None


def cin_team(s: Story, day: date) -> str:
    shares = dict(rates.CIN_TEAM_SHARE)
    if day >= add_days(s.b.restructure, -60):
        shares.pop("ist")
    return s.dice.pick(shares)


def episode(s: Story, day: date) -> date:
    """One referral (child in need episode), from the front door to its closure."""
    dice = s.dice
    contact_id, source = s.last_contact
    if s.uasc:
        s.need = rates.UASC_NEED
    elif s.disabled and dice.chance(rates.DISABILITY_AS_NEED):
        s.need = "N2"
    else:
        s.need = dice.pick(rates.PRIMARY_NEED)
    s.referral = s.ident("REF")
    s.emit(
        "ReferralReceived",
        day,
        referral_id=s.referral,
        referral_source=source,
        primary_need=s.need,
        contact_id=contact_id,
    )
    team = cin_team(s, day)
    if dice.chance(rates.NFA_AT_FRONT_DOOR) and not s.uasc:
        s.allocate("social_worker", "duty", day, "FCONTA")
        closed = s.at(add_days(day, dice.between(rates.NFA_AT_FRONT_DOOR_DAYS)))
        s.emit("ReferralClosedNoFurtherAction", closed, referral_id=s.referral)
        return close_case(s, closed, None)  # the referral's closure is the case's
    if dice.chance(rates.HELD_IN_DUTY_SHARE):
        s.allocate("social_worker", "duty", day, "FCONTA")
        s.transfer(team, s.at(add_days(day, dice.between(rates.HELD_IN_DUTY_DAYS))))
    elif dice.chance(rates.ALLOCATION_DELAY_SHARE):
        s.allocate(
            "social_worker",
            team,
            s.at(add_days(day, dice.between(rates.ALLOCATION_DELAY_DAYS))),
            "FCONTA",
        )
    else:
        s.allocate("social_worker", team, day, "FCONTA")
    outcome, done = assessment(s, day)
    return AFTER_ASSESSMENT[outcome](s, done)


def close_case(s: Story, day: date, reason: str | None) -> date:
    """The case closes: every open piece of work has ended first. `reason` is the CIN
    census closure code; RC9 (stepped down to early help) is recorded as CaseSteppedDown,
    and None means the caller has recorded the closure already."""
    assert s.cin_plan is None and s.cp_plan is None and s.care is None and s.proceedings is None
    if reason == "RC9":
        s.emit("CaseSteppedDown", day)
        if s.dice.chance(rates.EARLY_HELP_AFTER_STEP_DOWN):
            early_help(s, day)
    elif reason is not None:
        s.emit("CaseClosed", day, reason=reason)
    s.close_holdings(day)
    s.stop("")
    s.referral = None
    return day


# --- assessment ---------------------------------------------------------------------------


def assessment(s: Story, referral_day: date) -> tuple[str, date]:
    dice = s.dice
    started = s.at(max(s.today, add_days(referral_day, dice.between(rates.ASSESSMENT_START_DAYS))))
    assessment_id = s.ident("ASM")
    s.emit("AssessmentStarted", started, assessment_id=assessment_id, referral_id=s.referral)
    window = (
        rates.ASSESSMENT_WORKING_DAYS
        if dice.chance(rates.ASSESSMENT_ON_TIME)
        else rates.ASSESSMENT_LATE_WORKING_DAYS
    )
    done = s.at(max(started, add_working_days(referral_day, dice.between(window))))
    outcome = assessment_outcome(s, done)
    s.emit(
        "AssessmentCompleted",
        done,
        assessment_id=assessment_id,
        factors=factors_identified(s, outcome),
        authorised_on=done.isoformat(),
        child_seen=s.birth_notified is None,
        outcome=outcome,
    )
    if s.birth_notified is not None and outcome not in (
        "no_further_action",
        "early_help",
        "other_services",
    ):
        done = s.at(max(done, s.birth_notified))  # what follows needs the baby born
    return outcome, done


def factors_identified(s: Story, outcome: str) -> list[str]:
    """The factors an assessment found: none ("21", alone) for some that end in no further
    action or early help, else one to four others."""
    if s.dice.chance(rates.NO_FACTORS_IDENTIFIED.get(outcome, 0.0)):
        return [NO_FACTORS]
    return s.dice.rng.sample(ASSESSMENT_FACTORS, s.dice.between(rates.FACTORS_PER_ASSESSMENT))


def too_old_for_care(s: Story, day: date) -> bool:
    """No period of care begins on or so near the 18th birthday (SSDA903 rule 352)."""
    assert s.dob is not None
    return day >= add_days(birthday(s.dob, 18), -rates.LAST_CARE_START_DAYS_BEFORE_18)


def assessment_outcome(s: Story, day: date) -> str:
    assert s.dob is not None
    if day >= birthday(s.dob, 18):
        # An adult by the time the assessment is done: children's services end.
        return s.dice.pick(rates.OUTCOME_AT_18)
    near_18 = too_old_for_care(s, day)
    if s.uasc:
        return "other_services" if near_18 else "looked_after"
    weights: dict[str, float] = dict(rates.ASSESSMENT_OUTCOME)
    if near_18:
        del weights["looked_after"]
    tilts = []
    if s.birth_notified is not None:
        tilts.append(rates.OUTCOME_TILT_UNBORN)
    elif s.age(day) >= 13:
        tilts.append(rates.OUTCOME_TILT_TEEN)
    if s.need == "N2":
        tilts.append(rates.OUTCOME_TILT_DISABLED)
    for tilt in tilts:
        for outcome, factor in tilt.items():
            if outcome in weights:
                weights[outcome] *= factor
    return s.dice.pick(weights)


def no_further_action(s: Story, day: date) -> date:
    return close_case(s, day, "RC8")


def step_down(s: Story, day: date) -> date:
    return close_case(s, day, "RC9")


def other_services(s: Story, day: date) -> date:
    return close_case(s, s.at(add_days(day, s.dice.between(rates.OTHER_SERVICES_DAYS))), "RC7")


# --- child in need ------------------------------------------------------------------------


def child_in_need(s: Story, day: date, length: tuple[int, int] = rates.CIN_PLAN_DAYS) -> date:
    dice = s.dice
    assert s.dob is not None
    s.cin_plan = s.ident("CIN")
    s.emit("CINPlanStarted", day, plan_id=s.cin_plan)
    s.cin_plan_end = min(add_days(day, dice.between(length)), birthday(s.dob, 18))
    plan_start = day
    s.every(
        "cin-visits",
        add_days(day, dice.between(rates.CIN_VISIT_DAYS)),
        lambda d: visit(s, d, plan_start, rates.CIN_VISIT_DAYS),
    )
    help_on_a_plan(s, day, "cin-")
    short_breaks = (s.need == "N2" or s.disabled) and support_for_disabled_child(s, day)
    # A child having short breaks is not escalated: a break already booked would overlap
    # the period of care that protection proceedings might begin.
    if not short_breaks and dice.chance(rates.CIN_ESCALATION) and (s.cin_plan_end - day).days > 40:
        return child_protection(
            s,
            s.at(add_days(day, dice.between((30, (s.cin_plan_end - day).days - 1)))),
            reassess=True,
        )
    return finish_child_in_need(s)


def help_on_a_plan(s: Story, day: date, prefix: str) -> None:
    """Some children on a plan also see CAMHS or a family support therapist; the
    sessions stop with the plan (their activities share its prefix)."""
    dice, age = s.dice, s.age(day)
    if age >= rates.CAMHS_FROM_AGE and dice.chance(rates.CAMHS_ON_A_PLAN):
        sessions(
            s,
            f"{prefix}camhs",
            add_days(day, dice.between(rates.CAMHS_START_DAYS)),
            "camhs",
            rates.CAMHS_SESSIONS,
            rates.CAMHS_INTERVAL_DAYS,
        )
    if age >= rates.THERAPY_FROM_AGE and dice.chance(rates.THERAPY_ON_A_PLAN):
        sessions(
            s,
            f"{prefix}therapy",
            add_days(day, dice.between(rates.THERAPY_START_DAYS)),
            "therapeutic_session",
            rates.THERAPY_SESSIONS,
            rates.THERAPY_INTERVAL_DAYS,
        )


def finish_child_in_need(s: Story) -> date:
    assert s.cin_plan is not None
    day = s.at(max(s.cin_plan_end, add_days(s.today, 1)))
    s.stop("cin-")
    s.emit("CINPlanEnded", day, plan_id=s.cin_plan)
    s.cin_plan = None
    return close_case(s, day, "RC9" if s.dice.chance(rates.CIN_END_STEP_DOWN) else "RC7")


def support_for_disabled_child(s: Story, day: date) -> bool:
    """Short breaks (each a V3 period of care; True) or respite contacts (False)."""
    dice = s.dice
    if dice.chance(rates.SHORT_BREAKS_SHARE):
        gap = max(20, (s.cin_plan_end - day).days // (dice.between(rates.SHORT_BREAKS) + 1))
        s.every(
            "cin-short-break",
            add_days(day, dice.between((10, gap))),
            lambda d: short_break(s, d, gap),
        )
        return True
    else:
        s.every(
            "cin-respite",
            add_days(day, dice.between(rates.RESPITE_DAYS)),
            lambda d: support(
                s,
                d,
                "respite",
                minutes=dice.between(rates.RESPITE_MINUTES),
                again=rates.RESPITE_DAYS,
            ),
        )
        return False


def short_break(s: Story, day: date, gap: int) -> date | None:
    if s.care is not None or s.cin_plan is None:
        return None
    nights = s.dice.between(rates.SHORT_BREAK_NIGHTS)
    if add_days(day, nights) >= s.cin_plan_end:
        return None
    period = s.ident("POC")
    s.emit(
        "PeriodOfCareStarted",
        day,
        period_id=period,
        legal_status="V3",
        category_of_need="N2",
        home_postcode=s.home_postcode,
    )
    urn, home_postcode = s.dice.choice(OWN_HOMES)
    s.emit(
        "PlacementStarted",
        day,
        placement_id=s.ident("PLC"),
        place="K2",
        provider="PR1",
        postcode=home_postcode,
        urn=urn,
    )
    s.emit("PeriodOfCareEnded", add_days(day, nights), period_id=period, reason="E4A")
    return add_days(day, nights + s.dice.between((gap // 2 + 1, gap + 10)))


# --- child protection ---------------------------------------------------------------------


def child_protection(s: Story, day: date, reassess: bool = False) -> date:
    """Strategy discussion, section 47 enquiry, conference; a plan if one is decided. A
    case escalated from a CIN plan (`reassess`) is assessed again during the enquiry."""
    dice = s.dice
    strategy = s.ident("STR")
    s47 = dice.chance(rates.STRATEGY_S47)
    s.emit("StrategyDiscussionHeld", day, strategy_id=strategy, section47_needed=s47)
    if not s47:
        return after_enquiry(s, day)
    reassessment = s.ident("ASM") if reassess else None
    if reassessment is not None:
        s.emit("AssessmentStarted", day, assessment_id=reassessment, referral_id=s.referral)
    enquiry = s.ident("S47")
    s.emit("Section47EnquiryStarted", day, enquiry_id=enquiry, strategy_id=strategy)
    if not dice.chance(rates.S47_TO_ICPC):
        done = s.at(add_days(day, dice.between(rates.S47_DAYS_WITHOUT_CONFERENCE)))
        reassessed(s, reassessment, done)
        s.emit("Section47EnquiryCompleted", done, enquiry_id=enquiry, conference_needed=False)
        return after_enquiry(s, done)
    working_days = (
        15 if dice.chance(rates.ICPC_ON_TIME) else dice.between(rates.ICPC_LATE_WORKING_DAYS)
    )
    conference_day = weekday(
        add_working_days(day, dice.between((rates.ICPC_EARLIEST_WORKING_DAYS, working_days)))
    )
    done = s.at(add_days(day, dice.between((0, max(0, (conference_day - day).days - 1)))))
    reassessed(s, reassessment, done)
    s.emit("Section47EnquiryCompleted", done, enquiry_id=enquiry, conference_needed=True)
    s.at(conference_day)
    conference = s.ident("ICPC")
    plan = dice.chance(rates.ICPC_PLAN)
    category = dice.pick(rates.CP_CATEGORY) if plan else None
    s.emit(
        "InitialChildProtectionConferenceHeld",
        conference_day,
        conference_id=conference,
        enquiry_id=enquiry,
        plan_decided=plan,
        category_of_abuse=category,
    )
    if category is None:
        return after_enquiry(s, conference_day)
    if s.cin_plan is not None:
        s.stop("cin-")
        s.emit("CINPlanEnded", conference_day, plan_id=s.cin_plan)
        s.cin_plan = None
    return protection_plan(s, conference_day, conference, category)


def reassessed(s: Story, assessment_id: str | None, day: date) -> None:
    """The updated assessment of an escalated case, authorised as the enquiry concludes."""
    if assessment_id is None:
        return
    s.emit(
        "AssessmentCompleted",
        day,
        assessment_id=assessment_id,
        factors=factors_identified(s, "strategy_discussion"),
        authorised_on=day.isoformat(),
        child_seen=True,
        outcome="strategy_discussion",
    )


def after_enquiry(s: Story, day: date) -> date:
    if s.cin_plan is not None:
        return finish_child_in_need(s)
    if s.dice.chance(rates.CIN_PLAN_AFTER_ENQUIRY):
        return child_in_need(s, day)
    return close_case(s, s.at(add_days(day, s.dice.between(rates.CLOSE_AFTER_ENQUIRY_DAYS))), "RC7")


def protection_plan(s: Story, day: date, conference: str, category: str) -> date:
    dice = s.dice
    s.cp_plan = s.ident("CPP")
    s.emit(
        "ChildProtectionPlanStarted",
        day,
        plan_id=s.cp_plan,
        conference_id=conference,
        category_of_abuse=category,
    )
    months = dice.pick(rates.CP_PLAN_MONTHS)
    reviews: list[date] = []
    due = add_months(day, 3)  # the first review within 3 months, then 6 after each
    for _ in range(3, months + 1, 6):
        reviews.append(review_day(s, due))
        due = add_months(reviews[-1], 6)
    ends = reviews[-1]
    s.every("cp-review", reviews[0], lambda d: cp_review(s, d, reviews))
    plan_start = day
    s.every(
        "cp-visits",
        add_days(day, dice.between(rates.CP_VISIT_DAYS)),
        lambda d: visit(s, d, plan_start, rates.CP_VISIT_DAYS),
    )
    help_on_a_plan(s, day, "cp-")
    if s.dob is not None and s.age(day) < 2 and dice.chance(rates.CHILD_DEATH_ON_CP_PLAN):
        s.fated_to_die = True
        s.every(
            "cp-death",
            add_days(day, dice.between((20, max(21, (ends - day).days - 1)))),
            lambda d: death(s, d),
        )
    if not s.fated_to_die and dice.chance(rates.PROCEEDINGS_AT_ICPC):
        issued = weekday(add_days(day, dice.between(rates.PROCEEDINGS_AFTER_ICPC_DAYS)))
        if court_possible(s, issued):
            return proceedings(s, s.at(issued))
    if months >= 9 and dice.chance(rates.CP_TO_PRE_PROCEEDINGS):
        plo = s.at(weekday(add_days(day, dice.between((60, (ends - day).days - 30)))))
        plo_id = s.ident("PLO")
        s.emit("PreProceedingsStarted", plo, pre_proceedings_id=plo_id)
        decided = weekday(add_days(plo, dice.between(rates.PRE_PROCEEDINGS_DAYS)))
        if dice.chance(rates.PRE_PROCEEDINGS_TO_ISSUE) and court_possible(s, decided):
            pre_proceedings(s, plo_id, plo, decided)  # issuing ends them
            return proceedings(s, s.at(decided))
        decided = min(decided, ends)
        pre_proceedings(s, plo_id, plo, decided)
        s.emit(
            "PreProceedingsEnded",
            decided,
            pre_proceedings_id=plo_id,
            outcome=dice.pick(rates.PRE_PROCEEDINGS_OUTCOME),
        )
    s.at(ends)
    end_protection_plan(s, ends)
    if dice.chance(rates.CP_END_TO_CIN):
        return child_in_need(s, ends)
    return close_case(s, ends, "RC7")


def pre_proceedings(s: Story, plo_id: str, started: date, decided: date) -> None:
    """The PLO's steps before the decision on `decided`: the letter before proceedings,
    a family group decision-making meeting for most of those offered one, the first
    pre-proceedings meeting and reviews every 4-6 weeks."""
    dice = s.dice
    letter = weekday(add_days(started, dice.between(rates.LETTER_BEFORE_PROCEEDINGS_DAYS)))
    if letter >= decided:
        return
    offered = dice.chance(rates.FAMILY_GROUP_MEETING_OFFERED)
    s.emit(
        "LetterBeforeProceedingsSent",
        letter,
        pre_proceedings_id=plo_id,
        family_group_meeting_offered=offered,
    )
    if offered and dice.chance(rates.FAMILY_GROUP_MEETING_HELD):
        held = weekday(add_days(letter, dice.between(rates.FAMILY_GROUP_MEETING_DAYS)))
        if held < decided:
            s.emit("FamilyGroupDecisionMeetingHeld", held, pre_proceedings_id=plo_id)
    meeting = weekday(add_days(letter, dice.between(rates.INITIAL_PRE_PROCEEDINGS_MEETING_DAYS)))
    kind = "initial"
    while meeting < decided:
        s.emit("PreProceedingsMeetingHeld", meeting, pre_proceedings_id=plo_id, meeting=kind)
        meeting = weekday(add_days(meeting, dice.between(rates.PRE_PROCEEDINGS_REVIEW_DAYS)))
        kind = "review"


def review_day(s: Story, due: date) -> date:
    if s.dice.chance(rates.CP_REVIEW_ON_TIME):
        return weekday(add_days(due, -s.dice.between(rates.CP_REVIEW_EARLY_DAYS)))
    return weekday(add_days(due, s.dice.between(rates.CP_REVIEW_LATE_DAYS)))


def cp_review(s: Story, day: date, planned: list[date]) -> date:
    """A review conference: 3 months after the ICPC, then 6-monthly (returns.md)."""
    change = s.dice.chance(rates.CATEGORY_CHANGE_AT_REVIEW)
    s.emit(
        "ChildProtectionReviewHeld",
        day,
        plan_id=s.cp_plan,
        plan_continues=True,
        category_of_abuse=s.dice.pick(rates.CP_CATEGORY) if change else None,
    )
    later = [review for review in planned if review > day]
    return later[0] if later else review_day(s, add_months(day, 6))


def end_protection_plan(s: Story, day: date) -> None:
    if s.cp_plan is None:
        return
    s.stop("cp-")
    s.emit("ChildProtectionReviewHeld", day, plan_id=s.cp_plan, plan_continues=False)
    s.emit("ChildProtectionPlanEnded", day, plan_id=s.cp_plan)
    s.cp_plan = None


def death(s: Story, day: date) -> None:
    """Very rare: a baby on a plan dies. Everything open ends and the case closes."""
    s.stop("")
    s.emit("ChildProtectionPlanEnded", day, plan_id=s.cp_plan)
    s.cp_plan = None
    if s.care is not None:
        s.emit("PeriodOfCareEnded", day, period_id=s.care.period_id, reason="E2")
        s.care = None
    if s.proceedings is not None:
        s.emit("CareProceedingsConcluded", day, proceedings_id=s.proceedings)
        s.proceedings = None
    s.emit("ChildDied", day)
    s.emit("CaseClosed", day, reason="RC2")
    s.close_holdings(day)
    s.died = day


# --- court --------------------------------------------------------------------------------


def proceedings(s: Story, day: date) -> date:
    """Care proceedings: interim order, the child's care meanwhile, the final order."""
    dice = s.dice
    under_5 = s.age(day) < 5
    final = dice.pick(rates.FINAL_ORDER_UNDER_5 if under_5 else rates.FINAL_ORDER_5_PLUS)
    if s.care is None and dice.chance(rates.EPO_SHARE):
        epo_day = day
        s.emit(
            "CourtOrderMade", epo_day, order_id=s.ident("ORD"), order_type="emergency_protection"
        )
        start_care(s, epo_day, "L2", placement_hint(s, final))
        day = s.at(weekday(add_days(epo_day, dice.between(rates.EPO_DAYS_BEFORE_ISSUE))))
    s.proceedings = s.ident("PRC")
    court_reference = f"LE{day.year % 100:02d}C{dice.rng.randint(1, 99999):05d}"
    s.emit(
        "CareProceedingsIssued", day, proceedings_id=s.proceedings, court_reference=court_reference
    )
    interim_care = s.care is not None or final == "placement" or dice.chance(rates.INTERIM_CARE)
    s.emit(
        "CourtOrderMade",
        day,
        order_id=s.ident("ORD"),
        order_type="interim_care" if interim_care else "interim_supervision",
        proceedings_id=s.proceedings,
        court_reference=court_reference,
    )
    if interim_care:
        if s.care is None:
            start_care(s, day, "C1", placement_hint(s, final))
        elif s.care.legal_status != "C1":
            s.emit("LegalStatusChanged", day, legal_status="C1")
            s.care.legal_status = "C1"
        family_time(s, day, "court-family-time", rates.FAMILY_TIME_DAYS)
        if s.cp_plan is not None:
            ends = review_day(s, add_days(day, dice.between(rates.CP_PLAN_ENDS_AFTER_ICO_DAYS)))
            s.stop("cp-")
            s.every("cp-end", ends, lambda d: end_protection_plan(s, d))
    final_day = weekday(add_days(day, 7 * dice.between(rates.PROCEEDINGS_WEEKS)))
    assert s.dob is not None
    last_day = weekday_before(add_days(birthday(s.dob, rates.COURT_ORDER_AGE_LIMIT), -1))
    final_day = max(add_days(day, 1), min(final_day, last_day))
    if final == "placement":
        decided = s.at(
            weekday(add_days(final_day, -dice.between(rates.DECISION_BEFORE_ORDER_DAYS)))
        )
        s.adoption_decision = s.ident("ADM")
        s.emit("AdoptionDecisionMade", decided, decision_id=s.adoption_decision)
        s.emit("PermanencePlanRecorded", decided, plan="adoption")
    s.at(final_day)
    end_protection_plan(s, final_day)
    s.stop("court-")
    if final == "placement" and dice.chance(rates.PLACEMENT_ORDER_REFUSED):
        s.emit("AdoptionDecisionReversed", final_day, decision_id=s.adoption_decision, reason="RD2")
        s.adoption_decision = None
        final = "care"
    orders = ["care", "placement"] if final == "placement" else [final]
    for order in orders:
        s.emit(
            "CourtOrderMade",
            final_day,
            order_id=s.ident("ORD"),
            order_type=order,
            proceedings_id=s.proceedings,
            court_reference=court_reference,
        )
    s.emit("CareProceedingsConcluded", final_day, proceedings_id=s.proceedings)
    s.proceedings = None
    return FINAL_ORDER[final](s, final_day)


def court_possible(s: Story, day: date) -> bool:
    """Whether proceedings issued on `day` can end in an order before the child is 17
    (Children Act 1989 s31(3)), however short they are."""
    assert s.dob is not None
    shortest = add_days(day, 7 * rates.PROCEEDINGS_WEEKS[0])
    return shortest < birthday(s.dob, rates.COURT_ORDER_AGE_LIMIT)


def placement_hint(s: Story, final: str) -> str | None:
    if final in ("special_guardianship", "child_arrangements") and s.dice.chance(
        rates.KINSHIP_BEFORE_SGO
    ):
        return "kinship"
    if final == "placement" and s.dice.chance(rates.FOSTER_FOR_ADOPTION):
        return "foster_for_adoption"
    return None


def care_order(s: Story, day: date) -> date:
    """A care order with a plan of permanence: the case moves to a looked-after team."""
    dice = s.dice
    if s.care is None:
        start_care(s, day, "C2", None)
    else:
        s.emit("LegalStatusChanged", day, legal_status="C2")
        s.care.legal_status = "C2"
    assert s.care is not None
    plan = dice.pick(rates.PERMANENCE_AFTER_CARE_ORDER)
    if plan == "residential" and s.age(day) < 10:
        plan = "long_term_fostering"
    if s.care.placement is not None and s.care.placement.place == "U5":
        place(s, day, None)  # no adoption: the child leaves the foster-for-adoption carers
    s.emit("PermanencePlanRecorded", day, plan=plan)
    settle(s, s.at(add_days(day, dice.between(rates.TRANSFER_TO_LAC_DAYS))), plan)
    s.transfer(dice.choice(LAC_TEAMS), s.today)
    return looked_after(s)


def settle(s: Story, day: date, plan: str) -> None:
    """Make the placement fit the permanence plan (long-term foster care, home...)."""
    assert s.care is not None and s.care.placement is not None
    current = s.care.placement
    if (
        plan == "long_term_fostering"
        and current.place in ("U6", "U3")
        and s.dice.chance(rates.LONG_TERM_FOSTER)
    ):
        place(s, day, "long_term", household=current.household, reason="PLACE")
    elif plan == "return_home" and current.place != "P1":
        place(s, day, "home", reason="CARPL")


def placement_order(s: Story, day: date) -> date:
    s.emit("LegalStatusChanged", day, legal_status="E1")
    assert s.care is not None
    s.care.legal_status = "E1"
    return adoption(s, day)


def permanence_order(s: Story, day: date, reason_in_care: str, closure: str) -> date:
    s.permanence_orders.append(("P2" if closure == "RC4" else "P3", day))
    if s.care is not None:
        end_care(s, day, reason_in_care, closing=True)
    close_case(s, day, closure)
    post_order_support(s, day)
    return day


def special_guardianship(s: Story, day: date) -> date:
    kinship = (
        s.care is not None
        and s.care.placement is not None
        and s.care.placement.place in ("U3", "U1")
    )
    return permanence_order(s, day, "E47" if kinship else "E48", "RC4")


def child_arrangements(s: Story, day: date) -> date:
    return permanence_order(s, day, "E41", "RC3")


def supervision_order(s: Story, day: date) -> date:
    if s.care is not None:
        end_care(s, day, "E4A")
    return child_in_need(s, day, rates.SUPERVISION_CIN_DAYS)


# --- looked after -------------------------------------------------------------------------


def accommodation(s: Story, day: date) -> date:
    """Section 20 (V2) accommodation after an assessment, without proceedings."""
    dice = s.dice
    start_care(s, day, "V2", "supported" if s.uasc and s.age(day) >= 16 else None)
    if s.uasc or s.age(day) >= 16:
        # 16/17s and unaccompanied children fast-track to a LAC team (seed 001 L318).
        s.transfer(
            dice.choice(LAC_TEAMS),
            s.at(add_days(day, dice.between(rates.SOUTHWARK_FAST_TRACK_DAYS))),
        )
        if s.uasc and dice.chance(rates.AGE_ASSESSMENT_OVER_18):
            found = s.at(add_days(s.today, dice.between(rates.AGE_ASSESSMENT_DAYS)))
            end_care(s, found, "E15", closing=True)
            return close_case(s, found, "RC7")
        return looked_after(s)
    if dice.chance(rates.S20_RETURN_HOME):
        home = s.at(add_days(day, dice.between(rates.S20_RETURN_DAYS)))
        end_care(s, home, dice.pick(rates.S20_RETURN_REASON))
        if dice.chance(rates.S20_RETURN_TO_CIN_PLAN):
            return child_in_need(s, home)
        return close_case(s, home, "RC7")
    long_term = dice.chance(rates.S20_LONG_TERM / (1 - rates.S20_RETURN_HOME))
    issued = day
    if not long_term:
        issued = weekday(add_days(day, dice.between(rates.S20_TO_PROCEEDINGS_DAYS)))
        long_term = not court_possible(s, issued)  # too old for an order: stays on S20
    if long_term:
        decided = s.at(add_days(day, dice.between(rates.S20_PERMANENCE_DAYS)))
        teen = s.age(decided) >= 12
        plan = (
            "residential" if teen and dice.chance(rates.S20_RESIDENTIAL) else "long_term_fostering"
        )
        s.emit("PermanencePlanRecorded", decided, plan=plan)
        settle(s, decided, plan)
        s.transfer(
            dice.choice(LAC_TEAMS),
            s.at(add_days(decided, dice.between(rates.TRANSFER_TO_LAC_DAYS))),
        )
        return looked_after(s)
    return proceedings(s, s.at(issued))


def start_care(s: Story, day: date, legal_status: str, hint: str | None) -> None:
    """A period of care begins: placement, IRO, and the recurring statutory work."""
    dice = s.dice
    assert s.dob is not None
    s.care = Care(s.ident("POC"), day, legal_status)
    s.emit(
        "PeriodOfCareStarted",
        day,
        period_id=s.care.period_id,
        legal_status=legal_status,
        # SSDA903 CIN is N1-N8: "not stated" (N0) and N9 are not categories of need.
        category_of_need=s.need if s.need not in ("N0", "N9") else "N1",
        home_postcode=s.home_postcode,
    )
    place(s, day, hint or "emergency")
    s.allocate("iro", "iro", day)
    recorded = day
    if not dice.chance(rates.PREVIOUS_PERMANENCE_SAME_DAY):
        recorded = min(add_days(day, dice.between(rates.PREVIOUS_PERMANENCE_DAYS)), s.b.end)
    if collection_year(recorded) != collection_year(day):
        recorded = day  # in the return of the year the period began
    s.every("care-prevperm", max(day, recorded), lambda d: previous_permanence(s, d))
    s.every("care-review", first_review(s, day), lambda d: care_review(s, d))
    s.every(
        "care-health",
        statutory(s, add_working_days(day, 20), rates.HEALTH_ON_TIME, rates.HEALTH_LATE_DAYS),
        lambda d: health_assessment(s, d),
    )
    s.every(
        "care-dental",
        add_days(day, dice.between(rates.DENTAL_FIRST_DAYS)),
        lambda d: dental_check(s, d),
    )
    health_in_care(s, day)
    age = s.age(day)
    if age >= rates.MISSING_FROM_AGE:
        prone = age >= 12 and dice.chance(rates.MISSING_PRONE_TEEN)
        rate = rates.MISSING_RATE_PRONE if prone else rates.MISSING_RATE_OTHER
        s.every("care-missing", add_days(day, dice.years(rate)), lambda d: missing(s, d, rate))
    if age >= rates.CAMHS_FROM_AGE and dice.chance(rates.CAMHS_SHARE):
        sessions(
            s,
            "care-camhs",
            add_days(day, dice.between(rates.CAMHS_START_DAYS)),
            "camhs",
            rates.CAMHS_SESSIONS,
            rates.CAMHS_INTERVAL_DAYS,
        )
    if age >= rates.THERAPY_FROM_AGE and dice.chance(rates.THERAPY_SHARE):
        sessions(
            s,
            "care-therapy",
            add_days(day, dice.between(rates.THERAPY_START_DAYS)),
            "therapeutic_session",
            rates.THERAPY_SESSIONS,
            rates.THERAPY_INTERVAL_DAYS,
        )
    if s.open.get("personal_adviser") is None:
        eligible = max(birthday(s.dob, 16), add_days(day, 7 * rates.ELIGIBLE_WEEKS))
        if eligible < birthday(s.dob, 18):
            s.every("care-pa", eligible, lambda d: personal_adviser(s, d))
    moves_on = add_days(s.dob, int(365.25 * dice.uniform(rates.SUPPORTED_ACCOMMODATION_AT)))
    if moves_on > day and not s.uasc and dice.chance(rates.SUPPORTED_ACCOMMODATION_SHARE):
        s.every("care-k3", moves_on, lambda d: supported_accommodation(s, d))


def previous_permanence(s: Story, day: date) -> None:
    """Whether the child had a permanence order before this period of care (SSDA903
    PrevPerm): an order the demo made itself, or one made before the history (often
    with its date known only in part), or none (Z1)."""
    dice = s.dice
    assert s.care is not None and s.dob is not None
    start = s.care.start
    fields: dict[str, Any] = {}
    if s.permanence_orders:
        code, made = s.permanence_orders[-1]
        fields = {
            "council": s.b.own_council,
            "order_year": made.year,
            "order_month": made.month,
            "order_day": made.day,
        }
    else:
        code = dice.pick(rates.PREVIOUS_PERMANENCE)
        earliest, latest = add_days(s.dob, 60), add_days(start, -90)
        if code != "Z1" and earliest < latest:
            made = add_days(earliest, dice.between((0, (latest - earliest).days)))
            month_known = dice.chance(rates.PREVIOUS_PERMANENCE_MONTH_KNOWN)
            day_known = month_known and dice.chance(rates.PREVIOUS_PERMANENCE_DAY_KNOWN)
            fields = {
                "council": dice.pick(rates.PREVIOUS_PERMANENCE_COUNCIL),
                "order_year": made.year,
                "order_month": made.month if month_known else None,
                "order_day": made.day if day_known else None,
            }
        else:
            code = "Z1"
    s.emit("PreviousPermanenceRecorded", day, previous_permanence=code, **fields)


def health_in_care(s: Story, day: date) -> None:
    """The OC2 facts besides health assessments: a yearly SDQ for 4-16s, and now and then
    an offence (10+), a substance misuse problem (12+) or, for a girl of 15+, a baby."""
    dice = s.dice
    assert s.dob is not None
    four, seventeen = birthday(s.dob, 4), birthday(s.dob, 17)
    if day < seventeen:
        first = add_days(day, dice.between(rates.SDQ_FIRST_DAYS))
        if first < four:
            first = add_days(four, dice.between((0, 30)))
            if collection_year(first) != collection_year(four):
                first = four
        first = min(first, add_days(seventeen, -1))
        if first >= day:
            s.every("care-sdq", first, lambda d: strengths_and_difficulties(s, d))
    now_and_then(
        s,
        "care-offence",
        max(day, birthday(s.dob, rates.OFFENCE_FROM_AGE)),
        rates.OFFENCE_RATE,
        lambda d: s.emit("OffenceRecorded", d, late_ok=True),
    )
    now_and_then(
        s,
        "care-substance",
        max(day, birthday(s.dob, rates.SUBSTANCE_MISUSE_FROM_AGE)),
        rates.SUBSTANCE_MISUSE_RATE,
        lambda d: s.emit(
            "SubstanceMisuseIdentified",
            d,
            late_ok=True,
            intervention=dice.pick(rates.SUBSTANCE_INTERVENTION),
        ),
    )
    may_become_a_mother(s, "care-mother", day, rates.MOTHER_RATE_IN_CARE)


def now_and_then(
    s: Story, key: str, since: date, rate: float, happen: Callable[[date], object]
) -> None:
    """Something that happens `rate` times a year from `since`, while the activity runs."""

    def fire(day: date) -> date:
        happen(day)
        return add_days(day, s.dice.years(rate))

    s.every(key, add_days(since, s.dice.years(rate)), fire)


def may_become_a_mother(s: Story, key: str, day: date, rate: float) -> None:
    """A girl of 15+ looked after or leaving care may have a baby (SSDA903 MOTHER): the
    event is dated the baby's birth. The demo records the first child only."""
    assert s.dob is not None
    if s.sex != "2" or s.mother:
        return

    def birth(on: date) -> None:
        s.emit("ChildGaveBirth", on)
        s.mother = True
        s.stop("care-mother", "leaver-mother")

    since = max(day, birthday(s.dob, rates.MOTHER_FROM_AGE))
    s.every(key, add_days(since, s.dice.years(rate)), lambda d: birth(d))


def strengths_and_difficulties(s: Story, day: date) -> date | None:
    """A yearly SDQ score (or why there is none) for a looked-after child aged 4-16, so
    that every collection year a 4-16-year-old is looked after throughout has one."""
    dice = s.dice
    assert s.dob is not None
    if s.disabled and dice.chance(rates.SDQ_DISABLED_SEVERE):
        s.emit("StrengthsAndDifficultiesRecorded", day, late_ok=True, reason_not_completed="SDQ3")
    elif dice.chance(rates.SDQ_NOT_COMPLETED):
        s.emit(
            "StrengthsAndDifficultiesRecorded",
            day,
            late_ok=True,
            reason_not_completed=dice.pick(rates.SDQ_REASON),
        )
    else:
        score = round(dice.rng.gauss(rates.SDQ_MEAN, rates.SDQ_SD))
        s.emit("StrengthsAndDifficultiesRecorded", day, late_ok=True, score=max(0, min(40, score)))
    seventeen = birthday(s.dob, 17)
    following = in_next_collection_year(
        s, day, add_days(day, dice.between(rates.SDQ_INTERVAL_DAYS))
    )
    if following < seventeen:
        return following
    # The last: in the next collection year if the child is still 16 when it begins.
    next_year = date(collection_year(day) + 1, 4, 1)
    if next_year < seventeen:
        return max(next_year, add_days(seventeen, -dice.between((1, 20))))
    return None


def in_next_collection_year(s: Story, day: date, proposed: date) -> date:
    """`proposed`, or a day in the last weeks of the next collection year when `proposed`
    would leave that year without one (OC2 counts each year to 31 March)."""
    last = date(collection_year(day) + 2, 3, 31)
    if proposed <= last:
        return proposed
    return weekday_before(add_days(last, -s.dice.between(rates.COLLECTION_YEAR_CATCH_UP_DAYS)))


def first_review(s: Story, day: date) -> date:
    return statutory(s, add_working_days(day, 20), rates.REVIEW_ON_TIME, rates.REVIEW_LATE_DAYS)


def statutory(s: Story, due: date, on_time: float, late: tuple[int, int]) -> date:
    """When a piece of statutory work due on `due` actually happens."""
    if s.dice.chance(on_time):
        return weekday(add_days(due, -s.dice.between(rates.STATUTORY_EARLY_DAYS)))
    return weekday(add_days(due, s.dice.between(late)))


def end_care(s: Story, day: date, reason: str, closing: bool = False) -> None:
    assert s.care is not None
    if "care-prevperm" in s.activities:  # a short period: recorded on its first day
        previous_permanence(s, s.care.start)
    s.stop("care-", "court-")
    if s.care.placement is not None:
        stay_ends(s.care.placement, day)
    s.emit("PeriodOfCareEnded", day, period_id=s.care.period_id, reason=reason)
    s.care = None
    if not closing:
        s.release("iro", day)


def looked_after(s: Story) -> date:
    """Life in care after the plan is permanence: until 18, or an earlier exit."""
    dice = s.dice
    assert s.care is not None and s.dob is not None
    eighteen = birthday(s.dob, 18)
    exits: list[tuple[date, str]] = [(eighteen, "leaving_care")]
    if s.age(s.today) < 13 and dice.chance(rates.LATER_SGO_SHARE):
        exits.append((add_days(s.today, int(365 * dice.uniform(rates.LATER_SGO_YEARS))), "sgo"))
    if dice.chance(rates.DISCHARGE_HOME_SHARE):
        exits.append(
            (add_days(s.today, int(365 * dice.uniform(rates.DISCHARGE_HOME_YEARS))), "home")
        )
    if dice.chance(rates.FAMILY_TIME_IN_CARE):
        family_time(s, s.today, "care-family-time", rates.FAMILY_TIME_IN_CARE_DAYS)
    if dice.chance(rates.LIFE_STORY_FOR_LONG_TERM):
        sessions(
            s,
            "care-life-story",
            add_days(s.today, dice.between(rates.LIFE_STORY_START_DAYS)),
            "life_story_work",
            rates.LIFE_STORY_SESSIONS,
            rates.LIFE_STORY_INTERVAL_DAYS,
            completes=True,
        )
    day, how = min(exits)
    day = s.at(max(weekday(day) if how != "leaving_care" else day, add_days(s.today, 1)))
    if how == "sgo":
        s.emit("CourtOrderMade", day, order_id=s.ident("ORD"), order_type="special_guardianship")
        return permanence_order(s, day, "E45", "RC4")
    if how == "home":
        end_care(s, day, "E4A", closing=True)
        return close_case(s, day, "RC7")
    return leaving_care(s, day)


def care_review(s: Story, day: date) -> date | None:
    assert s.care is not None
    if s.dice.chance(rates.IRO_CONTACT_BEFORE_REVIEW):
        s.emit(
            "StatutoryVisitMade",
            add_days(day, -s.dice.between(rates.IRO_CONTACT_DAYS_BEFORE)),
            late_ok=True,
            needs="iro",
            cover_start=s.care.start,
            visit_id=s.ident("VIS"),
            visit_kind="iro_contact",
        )
    if not s.dice.chance(rates.REVIEW_MISSED):
        code = "PN0" if s.age(day) < 4 else s.dice.pick(rates.REVIEW_PARTICIPATION)
        s.emit(
            "LookedAfterReviewHeld", day, late_ok=True, review_id=s.ident("REV"), review_code=code
        )
    s.care.reviews += 1
    if s.care.reviews == 2 and s.adoption_decision is None:
        s.emit("PermanencePlanRecorded", day, plan=permanence_hint(s, day))
    months = 3 if s.care.reviews == 1 else 6
    return statutory(s, add_months(day, months), rates.REVIEW_ON_TIME, rates.REVIEW_LATE_DAYS)


def permanence_hint(s: Story, day: date) -> str:
    age = s.age(day)
    if age >= 16:
        return "independent_living"
    if s.proceedings is not None:
        return s.dice.pick(rates.PERMANENCE_IN_PROCEEDINGS)
    return s.dice.pick(
        {"return_home": 5, "long_term_fostering": 4, "residential": 1 if age >= 12 else 0}
    )


def health_assessment(s: Story, day: date) -> date:
    """The statutory health assessment: 6-monthly under 5 (with a development
    assessment), yearly from 5; immunisations checked once a collection year."""
    assert s.care is not None
    s.emit("HealthAssessmentCompleted", day, late_ok=True, assessment_kind="health_assessment")
    under_5 = s.age(day) < 5
    if under_5:
        s.emit(
            "HealthAssessmentCompleted", day, late_ok=True, assessment_kind="development_assessment"
        )
    if s.care.immunisations_checked != collection_year(day):
        s.care.immunisations_checked = collection_year(day)
        s.emit(
            "ImmunisationsReviewed",
            day,
            late_ok=True,
            up_to_date=s.dice.chance(rates.IMMUNISATIONS_UP_TO_DATE),
        )
    months = 6 if under_5 else 12
    due = statutory(s, add_months(day, months), rates.HEALTH_ON_TIME, rates.HEALTH_LATE_DAYS)
    return in_next_collection_year(s, day, due)


def dental_check(s: Story, day: date) -> date:
    assert s.dob is not None
    teeth = add_months(s.dob, rates.DENTAL_FROM_MONTHS)
    if day < teeth:
        return teeth
    s.emit("HealthAssessmentCompleted", day, late_ok=True, assessment_kind="dental_check")
    return in_next_collection_year(
        s, day, add_days(day, s.dice.between(rates.DENTAL_INTERVAL_DAYS))
    )


def missing(s: Story, day: date, rate: float) -> date:
    dice = s.dice
    started = datetime.combine(
        day, time(dice.between(rates.MISSING_START_HOURS), dice.between((0, 59))), LONDON
    )
    returned = started + timedelta(
        hours=dice.between(rates.MISSING_HOURS), minutes=dice.between((0, 59))
    )
    episode_id = s.ident("MIS")
    s.emit(
        "MissingEpisodeStarted",
        started,
        episode_id=episode_id,
        kind="A" if dice.chance(rates.AWAY_SHARE) else "M",
    )
    offered = dice.chance(rates.RETURN_INTERVIEW_OFFERED)
    s.emit(
        "MissingEpisodeEnded",
        returned,
        episode_id=episode_id,
        return_interview_offered=offered,
        return_interview_accepted=offered and dice.chance(rates.RETURN_INTERVIEW_ACCEPTED),
    )
    return add_days(returned.date(), dice.years(rate) + 1)


def visit(s: Story, day: date, cover_start: date, interval: tuple[int, int]) -> date:
    seen_alone = s.dob is not None and s.age(day) >= 5 and s.dice.chance(rates.SEEN_ALONE)
    s.emit(
        "StatutoryVisitMade",
        day,
        late_ok=True,
        needs="lead",
        cover_start=cover_start,
        visit_id=s.ident("VIS"),
        seen_alone=seen_alone,
    )
    gap = s.dice.between(interval)
    if not s.dice.chance(rates.VISIT_ON_TIME):
        gap += s.dice.between(rates.VISIT_LATE_DAYS)
    return add_days(day, gap)


def care_visit(s: Story, day: date) -> date:
    """Visits to a looked-after child: 6-weekly, 3-monthly once a long-term placement has
    lasted a year (returns.md)."""
    assert s.care is not None and s.care.placement is not None
    placement = s.care.placement
    settled = placement.long_term and (day - placement.start).days >= 365
    return visit(
        s, day, s.care.start, rates.VISIT_LONG_TERM_DAYS if settled else rates.VISIT_INTERVAL_DAYS
    )


# --- placements ---------------------------------------------------------------------------


def place(
    s: Story,
    day: date,
    hint: str | None,
    *,
    household: Household | None = None,
    reason: str = "CARPL",
    unplanned: bool = False,
) -> None:
    """End the current placement (if any) and start the next one."""
    dice = s.dice
    assert s.care is not None
    previous = s.care.placement
    if previous is not None:
        s.emit(
            "PlacementEnded",
            day,
            placement_id=previous.placement_id,
            reason=reason,
            unplanned=unplanned or None,
        )
        stay_ends(previous, day)
        if unplanned and dice.chance(rates.DISRUPTION_MEETING):
            disruption_meeting(s, previous, day, reason)
    # A move is to another setting (SSDA903 rule 435: a new placement differs from the
    # last in type, postcode, URN or provider): never back to the same carers or home.
    given = household
    for _ in range(PLACEMENT_CHOICES):
        chosen = choose_placement(s, day, hint, given, previous)
        place_code, provider, household, where, urn, long_term = chosen
        if previous is None or (place_code, where, urn, provider) != (
            previous.place,
            previous.postcode,
            previous.urn,
            previous.provider,
        ):
            break
    placement = Placement(
        s.ident("PLC"), day, place_code, provider, where, household, long_term, urn=urn
    )
    s.care.placement = placement
    if household is not None:
        placement.stay = Stay(day)
        household.stays.append(placement.stay)
    s.emit(
        "PlacementStarted",
        day,
        placement_id=placement.placement_id,
        place=place_code,
        provider=provider,
        postcode=where,
        urn=urn,
        carer_household_id=household.household_id if household else None,
    )
    first = add_days(day, dice.between(rates.VISIT_FIRST_DAYS))
    if not dice.chance(rates.VISIT_ON_TIME):
        first = add_days(first, dice.between(rates.VISIT_LATE_DAYS))
    s.every("care-visits", first, lambda d: care_visit(s, d))
    rate = move_rate(s, day, placement, hint)
    s.every("care-move", add_days(day, dice.years(rate)), lambda d: move(s, d))
    s.stop("care-mockingbird")
    if household is not None and household.satellite_on(day):
        hub = s.b.hubs[household.constellation]  # type: ignore[index]
        s.every(
            "care-mockingbird",
            add_days(day, dice.between(rates.MOCKINGBIRD_SLEEPOVER_DAYS)),
            lambda d: sleepover(s, d, household, hub),
        )


def stay_ends(placement: Placement, day: date) -> None:
    if placement.stay is not None:
        placement.stay.end = day


def move_rate(s: Story, day: date, placement: Placement, hint: str | None) -> float:
    if placement.place.startswith("A") or placement.place in ("U5", "P1"):
        return 0.0  # adoptive, foster-for-adoption and home placements move by plan only
    if hint == "emergency":
        return rates.MOVE_RATE_FIRST
    if s.age(day) >= 12 and not placement.long_term:
        return rates.MOVE_RATE_TEEN
    return rates.MOVE_RATE_SETTLED


def move(s: Story, day: date) -> None:
    """A placement ends before its time, planned or not."""
    dice = s.dice
    age = s.age(day)
    unplanned = dice.chance(
        rates.UNPLANNED_SHARE_TEEN if age >= 12 else rates.UNPLANNED_SHARE_CHILD
    )
    if not unplanned:
        reason = dice.pick(rates.REASON_PLANNED)
    else:
        reason = dice.pick(rates.REASON_UNPLANNED if age >= 5 else rates.REASON_UNPLANNED_YOUNG)
    place(s, day, None, reason=reason, unplanned=unplanned)


def supported_accommodation(s: Story, day: date) -> None:
    assert s.care is not None and s.care.placement is not None
    if s.care.placement.place not in ("U4", "U1", "K3"):
        place(s, day, "supported", reason="CARPL")


DISRUPTION_REASONS = {
    "CREQB": "Carers could not manage escalating behaviour",
    "CHILD": "Child asked to move after conflict in the household",
    "ALLEG": "Allegation against the household",
    "STAND": "Concerns about the standard of care",
    "APPRR": "The carers' approval was withdrawn",
    "CREQO": "Carers' own circumstances changed (health, family)",
    "OTHER": "Matching information about the child's needs was incomplete",
}


def disruption_meeting(s: Story, placement: Placement, ended: date, reason: str) -> None:
    dice = s.dice
    s.emit(
        "DisruptionMeetingHeld",
        add_days(ended, dice.between(rates.DISRUPTION_DAYS)),
        late_ok=True,
        meeting_id=s.ident("DSM"),
        placement_id=placement.placement_id,
        reasons=DISRUPTION_REASONS[reason],
        learning=dice.choice(
            [
                "Share the full history with carers before placement",
                "Earlier therapeutic support for the placement",
                "Respite for carers at the first signs of strain",
                None,
            ]
        ),
        attendees=dice.rng.sample(
            [
                "social worker",
                "supervising social worker",
                "IRO",
                "foster carers",
                "team manager",
                "CAMHS",
            ],
            4,
        ),
    )


PLACEMENT_CHOICES = 10  # settings considered for a move before giving up on a new one


def choose_placement(
    s: Story,
    day: date,
    hint: str | None,
    household: Household | None,
    previous: Placement | None = None,
) -> tuple[str, str | None, Household | None, str, str | None, bool]:
    """(place, provider, household, postcode, urn, long_term) for a new placement. Every
    placement but those with parents (P1) and the few kinds the demo does not make has
    the URN of its provider: the council's fostering service, the fostering agency, the
    children's home, the supported accommodation provider or the adoption agency."""
    dice = s.dice
    b = s.b
    own = b.providers
    age = s.age(day)
    if hint == "long_term":  # the same carers, now as the child's long-term home
        current = s.care.placement if s.care else None
        assert current is not None
        kinship = household is not None and household.kind == "kinship"
        return (
            "U1" if kinship else "U4",
            current.provider,
            household,
            current.postcode,
            current.urn,
            True,
        )
    if hint == "home":
        return "P1", "PR0", None, s.home_postcode, None, True
    if hint == "adoptive":
        assert household is not None
        current = s.care.placement if s.care else None
        same = current is not None and current.household is household
        agency = dice.pick(rates.ADOPTIVE_PROVIDER)
        return (
            "A5" if same else "A6",
            agency,
            household,
            household.postcode,
            dice.choice(own.adoption[agency]),
            True,
        )
    if hint == "foster_for_adoption":
        adopter = approve(
            b, "adopter", add_days(day, -dice.between(rates.FFA_APPROVED_BEFORE_DAYS))
        )
        adopter.fostering_for_adoption = True
        return "U5", "PR1", adopter, adopter.postcode, own.fostering_urn, False
    if hint == "kinship":
        carers = approve(b, "kinship", day, area=dice.choice(CITY_DISTRICTS))
        return "U3", "PR1", carers, carers.postcode, own.fostering_urn, False
    if hint == "supported":
        kind = "K3"
    else:
        if age < 1:
            table = rates.PLACEMENT_UNDER_1
        elif age < 11:
            table = rates.PLACEMENT_1_TO_10
        else:
            table = rates.PLACEMENT_11_TO_15 if age < 16 else rates.PLACEMENT_16_PLUS
        kind = dice.pick(table)
    if kind == "U6":
        foster = in_house_foster_carers(b, day, previous.household if previous else None)
        if foster is not None:
            return "U6", "PR1", foster, foster.postcode, own.fostering_urn, False
        kind = "IFA"
    if kind == "U3":
        carers = approve(b, "kinship", day)
        return "U3", "PR1", carers, carers.postcode, own.fostering_urn, False
    away = dice.chance(rates.OUT_OF_AREA.get(kind, 0))
    where = postcode(dice, dice.choice(OUT_OF_AREA_DISTRICTS) if away else None)
    if kind == "IFA":
        ifa = dice.choice(own.fostering_agencies)
        return "U6", ifa.provider, None, where, ifa.urn, False
    if kind == "K2":
        if not away and dice.chance(rates.OWN_HOME_SHARE):
            urn, home = dice.choice(OWN_HOMES)
            return "K2", "PR1", None, home, urn, False
        nearby = [h for h in own.private_homes if h.away == away] or own.private_homes
        chosen = dice.choice(nearby)
        return "K2", chosen.provider, None, chosen.postcode or where, chosen.urn, False
    if kind == "K3":
        supported = dice.choice(own.supported)
        return "K3", supported.provider, None, where, supported.urn, False
    if kind == "P1":
        return "P1", "PR0", None, s.home_postcode, None, False
    unit = dice.choice(own.family_centres)
    return "R3", unit.provider, None, unit.postcode or where, unit.urn, False


def in_house_foster_carers(
    b: Builder, day: date, leaving: Household | None = None
) -> Household | None:
    free = [
        h
        for h in b.households
        if h.kind == "foster" and h.approved <= day and h.free_on(day) and h is not leaving
    ]
    return b.dice.choice(free) if free else None


# --- adoption -----------------------------------------------------------------------------


def adoption(s: Story, order_day: date) -> date:
    """Placement order to adoption order, with the same CiN social worker throughout
    (seed 001 L288)."""
    dice = s.dice
    assert s.care is not None and s.adoption_decision is not None
    decided = next(p.day for p in s.events if p.payload.get("decision_id") == s.adoption_decision)
    sessions(
        s,
        "care-life-story",
        add_days(order_day, dice.between(rates.LIFE_STORY_AFTER_ORDER_DAYS)),
        "life_story_work",
        rates.LIFE_STORY_SESSIONS,
        rates.LIFE_STORY_INTERVAL_DAYS,
    )
    if dice.chance(rates.ADOPTION_REVERSED):
        reversed_on = s.at(
            weekday(
                max(add_days(decided, dice.between(rates.REVERSAL_DAYS)), add_days(order_day, 30))
            )
        )
        s.emit(
            "AdoptionDecisionReversed",
            reversed_on,
            decision_id=s.adoption_decision,
            reason=dice.pick(rates.REVERSAL_REASON),
        )
        s.adoption_decision = None
        s.emit("PermanencePlanRecorded", reversed_on, plan="long_term_fostering")
        settle(s, reversed_on, "long_term_fostering")
        s.transfer(
            dice.choice(LAC_TEAMS),
            s.at(add_days(reversed_on, dice.between(rates.TRANSFER_TO_LAC_DAYS))),
        )
        return looked_after(s)
    current = s.care.placement
    foster_for_adoption = current is not None and current.place == "U5"
    matched = s.at(
        weekday(max(add_days(decided, dice.between(rates.MATCH_DAYS)), add_days(order_day, 14)))
    )
    if foster_for_adoption:
        adopters = current.household  # type: ignore[union-attr]
    else:
        adopters = approve(
            s.b, "adopter", add_days(matched, -dice.between(rates.ADOPTER_APPROVED_BEFORE_MATCH))
        )
    assert adopters is not None
    s.emit(
        "AdopterMatched",
        matched,
        decision_id=s.adoption_decision,
        adopter_household_id=adopters.household_id,
    )
    placed = s.at(
        add_days(
            matched,
            dice.between(rates.FFA_PLACED_AFTER_MATCH_DAYS)
            if foster_for_adoption
            else dice.between(rates.INTRODUCTIONS_DAYS),
        )
    )
    s.emit(
        "PlacedForAdoption",
        placed,
        decision_id=s.adoption_decision,
        adopter_household_id=adopters.household_id,
    )
    place(s, placed, "adoptive", household=adopters, reason="CARPL")
    post_order_support(s, placed)
    adopted = s.at(weekday(add_days(placed, dice.between(rates.ADOPTION_ORDER_DAYS))))
    s.emit(
        "LifeStoryWorkCompleted",
        add_days(adopted, -dice.between(rates.LIFE_STORY_DONE_BEFORE_ORDER_DAYS)),
        late_ok=True,
    )
    s.emit("CourtOrderMade", adopted, order_id=s.ident("ORD"), order_type="adoption")
    s.permanence_orders.append(("P1", adopted))
    end_care(s, adopted, "E12" if dice.chance(rates.CONSENT_DISPENSED) else "E11", closing=True)
    s.adoption_decision = None
    close_case(s, adopted, "RC1")
    for year in range(1, 20):
        exchanged = add_days(adopted, dice.between(rates.LETTERBOX_DAYS) * year)
        if exchanged > s.b.end:
            break
        support(s, exchanged, "letterbox_exchange", minutes=rates.LETTERBOX_MINUTES)
    return adopted


# --- leaving care -------------------------------------------------------------------------


def personal_adviser(s: Story, day: date) -> None:
    """From 16 (and 13 weeks in care) a personal adviser joins the social worker."""
    s.allocate("personal_adviser", "plus16", day)
    s.every("pa-pathway", day, lambda d: pathway_review(s, d))
    s.every(
        "care-pa-contact",
        add_days(day, s.dice.between(rates.PA_CONTACT_IN_CARE_DAYS)),
        lambda d: support(
            s,
            d,
            "personal_adviser_contact",
            minutes=s.dice.between(rates.SESSION_MINUTES),
            needs="pa",
            again=rates.PA_CONTACT_IN_CARE_DAYS,
        ),
    )


def pathway_review(s: Story, day: date) -> date:
    s.emit("PathwayPlanReviewed", day, late_ok=True)
    return add_days(day, s.dice.between(rates.PATHWAY_REVIEW_DAYS))


def leaving_care(s: Story, day: date) -> date:
    """At 18: the period of care ends; the PA stays until 21 (or 25 in education)."""
    dice = s.dice
    assert s.care is not None and s.dob is not None
    placement = s.care.placement
    fostered = placement is not None and placement.place in ("U1", "U3", "U4", "U6")
    reasons = dict(rates.LEAVING_AT_18)
    if not fostered:
        reasons.pop("E17")
    reason = dice.pick(reasons)
    household = placement.household if placement is not None else None
    end_care(s, day, reason)
    s.release("social_worker", day)
    if "personal_adviser" not in s.open:
        return close_case(s, day, "RC7")
    staying_put = None
    if reason == "E17":
        if (
            household is None
            or household.kind not in ("foster", "kinship")
            or dice.chance(rates.STAYING_PUT_NEW_HOUSEHOLD)
        ):
            household = approve(s.b, "staying_put", day, area=dice.choice(CITY_DISTRICTS))
        staying_put = Stay(day)
        household.stays.append(staying_put)
        s.emit("StayingPutArranged", day, carer_household_id=household.household_id)
    status = {
        "activity": dice.pick(rates.ACTIVITY),
        "accommodation": "Z" if reason == "E17" else dice.pick(rates.ACCOMMODATION),
    }
    s.every(
        "leaver-contact",
        add_days(day, dice.between(rates.CARE_LEAVER_CONTACT_DAYS)),
        lambda d: care_leaver_contact(s, d, status),
    )
    may_become_a_mother(s, "leaver-mother", day, rates.MOTHER_RATE_CARE_LEAVER)
    closes = birthday(s.dob, 25 if dice.chance(rates.STAYS_TO_25) else rates.LEAVING_CARE_CLOSE_AGE)
    s.at(closes)
    if staying_put is not None:
        staying_put.end = closes
    return close_case(s, closes, "RC7")


def care_leaver_contact(s: Story, day: date, status: dict[str, str]) -> date:
    dice = s.dice
    in_touch = dice.pick(rates.IN_TOUCH)
    if dice.chance(rates.STATUS_CHANGE):
        status["activity"] = dice.pick(rates.ACTIVITY)
        if status["accommodation"] != "Z" or dice.chance(rates.STAYING_PUT_ENDS):
            status["accommodation"] = dice.pick(rates.ACCOMMODATION)
    known = in_touch == "YES"
    s.emit(
        "CareLeaverContactRecorded",
        day,
        late_ok=True,
        in_touch=in_touch,
        activity=status["activity"] if known else None,
        accommodation=status["accommodation"] if known else None,
        accommodation_suitable=(status["accommodation"] not in ("S", "W", "V", "X"))
        if known
        else None,
    )
    return add_days(day, dice.between(rates.CARE_LEAVER_CONTACT_DAYS))


# --- support ------------------------------------------------------------------------------


def support(
    s: Story,
    day: date,
    kind: str,
    *,
    minutes: int,
    needs: str | None = None,
    again: tuple[int, int] | None = None,
    household: Household | None = None,
    provider: str | None = None,
) -> date | None:
    s.emit(
        "SupportContactRecorded",
        day,
        late_ok=True,
        needs=needs,
        kind=kind,
        provider=provider or PROVIDERS[kind],
        carer_household_id=household.household_id if household else None,
        duration_minutes=minutes,
    )
    return add_days(day, s.dice.between(again)) if again else None


def sessions(
    s: Story,
    key: str,
    first: date,
    kind: str,
    count: tuple[int, int],
    interval: tuple[int, int],
    completes: bool = False,
) -> None:
    """A block of sessions (CAMHS, therapy, life story work)."""
    left = [s.dice.between(count)]

    def session(day: date) -> date | None:
        support(s, day, kind, minutes=s.dice.between(rates.SESSION_MINUTES))
        left[0] -= 1
        if left[0] > 0:
            return add_days(day, s.dice.between(interval))
        if completes:
            s.emit("LifeStoryWorkCompleted", add_days(day, s.dice.between((1, 14))), late_ok=True)
        return None

    s.every(key, first, session)


def family_time(s: Story, day: date, key: str, interval: tuple[int, int]) -> None:
    """Supervised family time (the Contact Service): while the court decides, and for
    most children in care after it."""
    s.every(
        key,
        add_days(day, s.dice.between((3, interval[1]))),
        lambda d: support(
            s,
            d,
            "supervised_family_time",
            minutes=s.dice.between(rates.FAMILY_TIME_MINUTES),
            again=interval,
        ),
    )


def sleepover(s: Story, day: date, household: Household, hub: Household) -> date | None:
    """Mockingbird: planned sleepovers at the hub home, and the odd crisis one."""
    if not household.satellite_on(day):
        return None
    crisis = s.dice.chance(rates.MOCKINGBIRD_CRISIS_RATE * 50 / 365)
    support(
        s,
        day,
        "mockingbird_crisis_sleepover" if crisis else "mockingbird_planned_sleepover",
        minutes=s.dice.between(rates.SLEEPOVER_HOURS) * 60,
        household=hub,
        provider=f"Mockingbird hub ({hub.constellation})",
    )
    return add_days(day, s.dice.between(rates.MOCKINGBIRD_SLEEPOVER_DAYS))


def post_order_support(s: Story, day: date) -> None:
    """A visit 6 weeks after an adoption placement or an SGO/CAO, then calls at 6-36
    months (seed 004 L244-246, L491)."""
    support(
        s,
        add_days(day, rates.POST_ORDER_VISIT_DAYS),
        "post_order_support_visit",
        minutes=rates.POST_ORDER_VISIT_MINUTES,
    )
    for months in rates.POST_ORDER_CALL_MONTHS:
        support(
            s,
            add_months(day, months),
            "post_order_support_call",
            minutes=rates.POST_ORDER_CALL_MINUTES,
        )


AFTER_ASSESSMENT: dict[str, Callable[[Story, date], date]] = {
    "no_further_action": no_further_action,
    "early_help": step_down,
    "child_in_need_plan": child_in_need,
    "other_services": other_services,
    "strategy_discussion": child_protection,
    "looked_after": lambda s, day: proceedings(s, day) if s.age(day) < 1 else accommodation(s, day),
}
FINAL_ORDER: dict[str, Callable[[Story, date], date]] = {
    "care": care_order,
    "placement": placement_order,
    "special_guardianship": special_guardianship,
    "child_arrangements": child_arrangements,
    "supervision": supervision_order,
}


# --- phase 3: allocation ------------------------------------------------------------------


@dataclass
class Segment:
    """One worker holding (part of) a holding."""

    holding: Holding
    worker: Staff
    team: str
    start: date
    reason: str | None
    via_transfer: bool = False
    exceptional: bool = False
    end: date | None = None
    ended_by_event: bool = False  # a WorkerAllocationEnded closes it


@dataclass(order=True)
class Request:
    """A case that needs a worker from `day`."""

    day: date
    seq: int
    holding: Holding = field(compare=False)
    team: str = field(compare=False)
    reason: str | None = field(compare=False)
    via_transfer: bool = field(compare=False, default=False)
    exceptional: bool = field(compare=False, default=False)
    pinned: Staff | None = field(compare=False, default=None)
    previous: Staff | None = field(compare=False, default=None)


REALLOCATION_RATIONALE = {
    "MANAGE": "Caseload above the team limit; case moved to balance the team",
    "CHCHAN": "The young person asked for a different social worker",
    "PCCHAN": "Relationship with the parents broke down; complaint upheld",
    "OTHERS": "Conflict of interest identified",
}


class Allocator:
    """Give every holding workers, in date order, to the least-loaded worker free to take
    new work, and reallocate when a worker leaves, moves, is absent or a manager decides."""

    def __init__(self, b: Builder):
        self.b = b
        self.members: dict[str, list[Staff]] = defaultdict(list)
        for worker in b.staff:
            for key in dict.fromkeys(team for _, team in worker.teams):
                self.members[key].append(worker)
        self.loads: dict[str, list[int]] = defaultdict(list)
        self.queue: list[Request] = []
        self.seq = itertools.count()
        self.segments: dict[str, list[Segment]] = defaultdict(list)
        self.care_days: dict[str, list[date]] = {}

    def care_changes(self, s: Story, first: date, last: date) -> bool:
        """Whether the child starts or stops being looked after (short breaks aside) on a
        day from `first` to `last`: the case is never unallocated then (SSDA903 rule SW12
        wants a social worker on each of those days)."""
        days = self.care_days.get(s.child_id)
        if days is None:
            breaks = {
                p.payload["period_id"]
                for p in s.events
                if p.payload["type"] == "PeriodOfCareStarted"
                and p.payload["legal_status"] in ("V3", "V4")
            }
            days = self.care_days[s.child_id] = sorted(
                p.day
                for p in s.events
                if p.payload["type"] in ("PeriodOfCareStarted", "PeriodOfCareEnded")
                and p.payload["period_id"] not in breaks
            )
        at = bisect.bisect_left(days, first)
        return at < len(days) and days[at] <= last

    def run(self, holdings: Iterable[Holding]) -> dict[str, list[Segment]]:
        for holding in holdings:
            if holding.end is None or holding.end > holding.start:
                self.request(
                    holding.start,
                    holding,
                    holding.team,
                    holding.reason,
                    via_transfer=holding.via_transfer,
                )
        while self.queue:
            self.serve(heapq.heappop(self.queue))
        return self.segments

    def request(
        self, day: date, holding: Holding, team: str, reason: str | None, **more: Any
    ) -> None:
        heapq.heappush(self.queue, Request(day, next(self.seq), holding, team, reason, **more))

    def serve(self, request: Request) -> None:
        b, holding = self.b, request.holding
        limit = (
            holding.end if holding.end is not None and holding.end <= b.end else add_days(b.end, 1)
        )
        if request.day >= limit:
            return  # the case ended (or the history did) before anyone took it on
        worker = self.choose(request)
        if worker is None:  # nobody in post: the case waits, unallocated, a day at a time
            self.request(
                add_days(request.day, 1),
                holding,
                request.team,
                request.reason,
                via_transfer=request.via_transfer,
                previous=request.previous,
            )
            return
        team = worker.team_on(request.day) or request.team
        segment = Segment(
            holding,
            worker,
            team,
            request.day,
            request.reason,
            request.via_transfer,
            request.exceptional,
        )
        self.segments[holding.story.child_id].append(segment)
        change = self.next_change(segment)
        if change is None or change[0] >= limit:
            segment.end = holding.end if holding.end is not None and holding.end <= b.end else None
            segment.ended_by_event = segment.end is not None and holding.ends == "ended"
        else:
            day, reason, kind = change
            segment.end = day
            if kind == "restructure":
                new_team = worker.team_on(day)
                moved = worker.active_on(day) and new_team is not None and new_team != team
                self.request(
                    day,
                    holding,
                    new_team if moved and new_team is not None else b.dice.choice(CIN_TEAMS),
                    reason,
                    via_transfer=True,
                    pinned=worker if moved else None,
                )
            else:
                segment.ended_by_event = True
                high = b.teams[team].high_turnover
                gap = 0
                if b.dice.chance(
                    rates.UNALLOCATED_GAP_SHARE_HIGH if high else rates.UNALLOCATED_GAP_SHARE
                ):
                    gap = b.dice.between(rates.UNALLOCATED_GAP_DAYS)
                    if self.care_changes(holding.story, day, add_days(day, gap)):
                        gap = 0
                scrutinised = (
                    kind == "discretionary"
                    and holding.role == "social_worker"
                    and b.teams[team].service == "child_in_need"
                    and b.dice.chance(rates.REALLOCATION_SCRUTINISED)
                )
                self.request(
                    add_days(day, gap),
                    holding,
                    team,
                    reason,
                    exceptional=scrutinised,
                    previous=worker,
                )
        ends = segment.end.toordinal() if segment.end is not None else date.max.toordinal()
        heapq.heappush(self.loads[worker.worker_id], ends)

    def next_change(self, segment: Segment) -> tuple[date, str, str] | None:
        """When (and why) this worker stops holding the case, unless the case ends first."""
        b, worker, start = self.b, segment.worker, segment.start
        earliest = add_days(start, 1)
        team = b.teams[segment.team]
        changes: list[tuple[date, str, str]] = []
        handover = b.dice.between(rates.LEAVER_HANDOVER_DAYS)
        if worker.left is not None:
            changes.append((max(earliest, add_days(worker.left, -handover)), "LEFTRL", "left"))
        for since, _ in worker.teams:
            if since > start and since != team.closes:
                changes.append((max(earliest, add_days(since, -handover)), "LEFTRL", "moved"))
                break
        for away, _ in worker.absences:
            if away > start:
                changes.append((max(earliest, away), "ABSENC", "absent"))
                break
        if team.closes is not None and team.closes > start:
            changes.append((team.closes, "ORGRST", "restructure"))
        rate = rates.REALLOCATION_RATE_HIGH if team.high_turnover else rates.REALLOCATION_RATE
        changes.append(
            (
                add_days(start, b.dice.years(rate)),
                b.dice.pick(rates.REALLOCATION_REASON),
                "discretionary",
            )
        )
        return min(changes) if changes else None

    def choose(self, request: Request) -> Staff | None:
        day, role = request.day, request.holding.role
        if request.pinned is not None and request.pinned.active_on(day):
            return request.pinned
        team = request.team
        closes = self.b.teams[team].closes
        if closes is not None and day >= closes:
            team = self.b.dice.choice(CIN_TEAMS)
        for strict in (True, False):
            free = [
                w
                for w in self.members[team]
                if w is not request.previous
                and w.role == role
                and w.free_for_new_work(day, team, strict)
            ]
            if free:
                return self.lightest(free, day)
        service = self.b.teams[team].service
        anyone = [
            w
            for w in self.b.staff
            if w.role == role
            and w.active_on(day)
            and not w.absent_on(day)
            and w.team_on(day) is not None
        ]
        same_service = [w for w in anyone if self.b.teams[w.team_on(day)].service == service]  # type: ignore[index]
        if not (same_service or anyone):
            return None
        return self.lightest(same_service or anyone, day)

    def lightest(self, workers: list[Staff], day: date) -> Staff:
        today = day.toordinal()

        def load(worker: Staff) -> tuple[float, float]:
            ends = self.loads[worker.worker_id]
            while ends and ends[0] <= today:
                heapq.heappop(ends)
            return len(ends) / worker.fte, self.b.dice.rng.random()

        return min(workers, key=load)


def allocation_events(b: Builder, s: Story, segments: list[Segment]) -> None:
    """The allocation events of one child, from the segments the allocator gave them."""
    lead_team: str | None = None
    for segment in sorted(segments, key=lambda seg: seg.start):
        worker, team = segment.worker, b.teams[segment.team]
        allocation = s.ident("ALC")
        scrutiny = None
        if segment.exceptional:
            scrutiny = {
                "team_manager": f"TM-{team.key}",
                "service_manager": f"SM-{team.service}",
                "rationale": REALLOCATION_RATIONALE.get(
                    segment.reason or "", "Exceptional reallocation"
                ),
            }
        if (
            segment.holding.role == "social_worker"
            and segment.via_transfer
            and lead_team is not None
        ):
            s.emit(
                "CaseTransferred",
                segment.start,
                transfer_id=s.ident("TRF"),
                from_team_id=b.teams[lead_team].team_id,
                to_team_id=team.team_id,
                allocation_id=allocation,
                worker_id=worker.worker_id,
                swe_registration=worker.swe,
                reason=segment.reason or "TSPROC",
                exceptional=segment.exceptional or None,
                scrutiny=scrutiny,
            )
        else:
            s.emit(
                "WorkerAllocated",
                segment.start,
                allocation_id=allocation,
                worker_id=worker.worker_id,
                swe_registration=worker.swe,
                role=segment.holding.role,
                team_id=team.team_id,
                reason=segment.reason
                or ("FCONTA" if segment.holding.role == "social_worker" else None),
                exceptional=segment.exceptional or None,
                scrutiny=scrutiny,
                after="PlacementStarted" if segment.holding.role == "iro" else None,
            )
        if segment.holding.role == "social_worker":
            lead_team = segment.team
        if segment.ended_by_event:
            assert segment.end is not None
            s.emit("WorkerAllocationEnded", segment.end, allocation_id=allocation)


NEEDS_ROLE = {"lead": "social_worker", "pa": "personal_adviser", "iro": "iro"}


def fill_in_workers(s: Story, segments: list[Segment]) -> None:
    """Visits and contacts name the worker who held the case that day; those that fell on
    a day the case was unallocated did not happen."""
    kept = []
    for planned in s.events:
        if planned.needs is not None:
            role = NEEDS_ROLE[planned.needs]
            holder = [
                seg
                for seg in segments
                if seg.holding.role == role
                and seg.start <= planned.day
                and (seg.end is None or planned.day <= seg.end)
            ]
            if not holder:
                continue
            planned.payload["worker_id"] = max(holder, key=lambda seg: seg.start).worker.worker_id
        kept.append(planned)
    s.events = kept


# --- phase 4: recording -------------------------------------------------------------------


def within_history(b: Builder, s: Story) -> None:
    """Keep what happened by the end of the history (and nothing after a death)."""
    last = s.died or b.end
    s.events = [p for p in s.events if p.day <= last]
    for holding in s.holdings:
        if holding.end is not None and holding.end > b.end:
            holding.end, holding.ends = None, "open"


def record_times(b: Builder, s: Story) -> None:
    """Most events are recorded the working day they happen, in the order they happened;
    routine records are sometimes entered weeks late; timed events soon after."""
    dice = b.dice
    same_day: dict[date, list[Planned]] = defaultdict(list)
    for planned in s.events:
        if isinstance(planned.at, datetime):
            planned.recorded_at = planned.at + timedelta(
                minutes=dice.between(rates.TIMED_RECORDING_MINUTES)
            )
            continue
        if planned.late_ok and s.died is None and dice.chance(rates.LATE_RECORDING_SHARE):
            late = add_days(planned.at, dice.between(rates.LATE_RECORDING_DAYS))
            if late <= b.end:
                planned.recorded_at = working_time(dice, late)
                continue
        same_day[planned.at].append(planned)
    working_seconds = range(
        rates.WORKING_DAY_START_MINUTES * 60, rates.WORKING_DAY_END_MINUTES * 60
    )
    for day, group in same_day.items():
        group.sort(key=lambda p: (p.rank, p.seq))
        midnight = datetime.combine(day, time(0), LONDON)
        for planned, second in zip(
            group, sorted(dice.rng.sample(working_seconds, len(group))), strict=True
        ):
            planned.recorded_at = midnight + timedelta(seconds=second)


def corrections(b: Builder, s: Story) -> None:
    """A few records put right later: a visit's date, a placement's postcode, and visits
    entered twice then retracted."""
    if s.died is not None:
        return
    dice = b.dice
    for planned in list(s.events):
        kind = planned.payload["type"]
        assert planned.recorded_at is not None
        on_time = planned.recorded_at.date() == planned.day
        if kind == "StatutoryVisitMade" and on_time and planned.cover_start is not None:
            if (planned.day - planned.cover_start).days >= 3 and dice.chance(
                rates.VISIT_DATE_CORRECTED
            ):
                new_day = add_days(planned.day, -dice.between(rates.VISIT_DATE_SHIFT_DAYS))
                correct(
                    b,
                    s,
                    planned,
                    "EventCorrected",
                    reason="Visit date entered wrongly: the visit took place earlier",
                    changes={"occurred_at": new_day.isoformat()},
                )
            elif dice.chance(rates.VISIT_DUPLICATED):
                twin = duplicate(b, s, planned)
                correct(
                    b,
                    s,
                    twin,
                    "EventRetracted",
                    reason="Duplicate entry: the visit was recorded twice",
                )
        elif (
            kind == "PlacementStarted"
            and "carer_household_id" not in planned.payload
            and dice.chance(rates.POSTCODE_CORRECTED)
        ):
            district = planned.payload["postcode"].split()[0]
            correct(
                b,
                s,
                planned,
                "EventCorrected",
                reason="Placement postcode mistyped",
                changes={"postcode": postcode(dice, district)},
            )


def duplicate(b: Builder, s: Story, planned: Planned) -> Planned:
    assert planned.recorded_at is not None
    payload = dict(planned.payload, event_id=b.dice.uuid(), visit_id=s.ident("VIS"))
    twin = Planned(planned.at, planned.rank, next(b.seq), payload)
    twin.recorded_at = planned.recorded_at + timedelta(
        minutes=b.dice.between(rates.DUPLICATE_MINUTES)
    )
    s.events.append(twin)
    return twin


def correct(b: Builder, s: Story, target: Planned, kind: str, **fields: Any) -> None:
    assert target.recorded_at is not None
    day = add_days(target.recorded_at.date(), b.dice.between(rates.CORRECTION_DAYS))
    if day > b.end:
        return
    payload = {
        "type": kind,
        "la_child_id": s.child_id,
        "occurred_at": day.isoformat(),
        "event_id": b.dice.uuid(),
        "target_event_id": target.payload["event_id"],
        **fields,
    }
    planned = Planned(day, RANK[kind], next(b.seq), payload)
    planned.recorded_at = working_time(b.dice, day)
    s.events.append(planned)


# --- the council --------------------------------------------------------------------------


@dataclass
class Council:
    """The generated history: (recorded_at, payload) in recording order, and its size."""

    events: list[tuple[datetime, dict[str, Any]]]
    children: int
    workers: int
    teams: int
    households: int
    start: date
    end: date

    def counts(self) -> Counter[str]:
        return Counter(payload["type"] for _, payload in self.events)


def generate(
    seed: int = 1,
    children: int = 2000,
    years: int = 5,
    end: date | None = None,
    council: str = "999",
) -> Council:
    """A synthetic council's history of `children` children over `years` years to `end`
    (yesterday by default). The same arguments give the same events."""
    end = end or date.today() - ONE_DAY
    b = Builder(seed, children, years, end, council)
    establish_teams(b)
    recruit(b)
    recruit_carers(b)
    set_up_providers(b)
    stories = [child_story(b, number) for number in range(1, children + 1)]
    for story in stories:
        within_history(b, story)
    deregister_carers(b)
    adopter_families(b)
    segments = Allocator(b).run(h for story in stories for h in story.holdings)
    for story in stories:
        allocation_events(b, story, segments[story.child_id])
        fill_in_workers(story, segments[story.child_id])
        record_times(b, story)
        corrections(b, story)
    planned = [p for p in b.reference if p.day <= end]
    planned += [p for story in stories for p in story.events]
    planned.sort(key=lambda p: (p.recorded_at, p.seq))
    households = sum(1 for h in b.households if h.approved <= end)
    return Council(
        events=[(p.recorded_at, p.payload) for p in planned],  # type: ignore[misc]
        children=len(stories),
        workers=len(b.staff),
        teams=len(b.teams),
        households=households,
        start=b.start,
        end=end,
    )
