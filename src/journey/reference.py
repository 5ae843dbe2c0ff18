"""Reference aggregates: workers, teams, carer households and adopter families.

Child events name them by id; their attributes are resolved as at an event's date,
because teams are renamed and restructured and workers move and leave.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from journey import events as ev
from journey.events import as_datetime
from journey.rules import RuleViolation, not_in_future


@dataclass
class Dated:
    since: datetime
    value: str


def _as_at(history: list[Dated], moment: datetime) -> str | None:
    """The value in force at `moment`: the latest by business date, whatever order the
    changes were recorded in (a late recording must not override a later change)."""
    current: Dated | None = None
    for entry in history:
        if entry.since <= moment and (current is None or entry.since >= current.since):
            current = entry
    return None if current is None else current.value


@dataclass
class Worker:
    worker_id: str = ""
    version: int = 0
    registered_on: datetime | None = None
    left_on: datetime | None = None
    swe_registration: str | None = None
    agency: bool = False
    qualified: bool = True
    fte: float = 1.0
    roles: list[Dated] = field(default_factory=list)
    teams: list[Dated] = field(default_factory=list)

    def active_on(self, moment: datetime) -> bool:
        return (
            self.registered_on is not None
            and self.registered_on <= moment
            and (self.left_on is None or moment < self.left_on)
        )

    def role_on(self, moment: datetime) -> str | None:
        return _as_at(self.roles, moment)

    def team_on(self, moment: datetime) -> str | None:
        return _as_at(self.teams, moment)


@dataclass
class Team:
    team_id: str = ""
    version: int = 0
    established_on: datetime | None = None
    closed_on: datetime | None = None
    names: list[Dated] = field(default_factory=list)
    services: list[Dated] = field(default_factory=list)

    def open_on(self, moment: datetime) -> bool:
        return (
            self.established_on is not None
            and self.established_on <= moment
            and (self.closed_on is None or moment < self.closed_on)
        )


@dataclass
class CarerHousehold:
    """A household may be approved for more than one kind of care: foster carers who go
    on to adopt the child they look after are approved as adopters too."""

    household_id: str = ""
    version: int = 0
    approvals: dict[str, datetime] = field(default_factory=dict)
    deregistered_on: datetime | None = None
    constellations: dict[str, str] = field(default_factory=dict)

    @property
    def approved_on(self) -> datetime | None:
        return min(self.approvals.values()) if self.approvals else None

    def approved_at(self, moment: datetime, kind: str | None = None) -> bool:
        since = self.approvals.get(kind) if kind else self.approved_on
        return (
            since is not None
            and since <= moment
            and (self.deregistered_on is None or moment < self.deregistered_on)
        )


@dataclass
class AdopterFamily:
    """Prospective adopters: enquiry, stage 1, stage 2, application, approval; or they
    leave the process at any point before approval."""

    family_id: str = ""
    version: int = 0
    enquiry_on: datetime | None = None
    stages_started: dict[int, datetime] = field(default_factory=dict)
    stages_completed: dict[int, datetime] = field(default_factory=dict)
    applied_on: datetime | None = None
    approved_on: datetime | None = None
    left_on: datetime | None = None


Reference = Worker | Team | CarerHousehold | AdopterFamily


class References(Protocol):
    """What the child aggregate may ask about other streams."""

    def worker(self, worker_id: str) -> Worker | None: ...

    def team(self, team_id: str) -> Team | None: ...

    def carer_household(self, household_id: str) -> CarerHousehold | None: ...


def new_reference(event: ev.Event) -> Reference:
    if isinstance(event, ev.WorkerEvent):
        return Worker(worker_id=event.worker_id)
    if isinstance(event, ev.TeamEvent):
        return Team(team_id=event.team_id)
    if isinstance(event, ev.AdopterFamilyEvent):
        return AdopterFamily(family_id=event.family_id)
    assert isinstance(event, ev.CarerHouseholdEvent)
    return CarerHousehold(household_id=event.household_id)


def decide_reference(state: Reference, event: ev.Event, now: datetime) -> None:
    """The hard rules of the reference streams."""
    at = as_datetime(event.occurred_at)
    not_in_future(at, now)
    if isinstance(state, Worker):
        registered = state.registered_on is not None
        if isinstance(event, ev.WorkerRegistered):
            if registered:
                raise RuleViolation("worker_already_registered", "this worker is registered")
        elif not registered:
            raise RuleViolation("worker_not_registered", "register the worker first", "worker_id")
        elif state.left_on is not None:
            raise RuleViolation("worker_has_left", "the worker has left", "worker_id")
        elif state.registered_on is not None and at < state.registered_on:
            raise RuleViolation(
                "before_registration", "occurred before the worker was registered", "occurred_at"
            )
    elif isinstance(state, Team):
        established = state.established_on is not None
        if isinstance(event, ev.TeamEstablished):
            if established:
                raise RuleViolation("team_already_established", "this team exists")
        elif not established:
            raise RuleViolation("team_not_established", "establish the team first", "team_id")
        elif state.closed_on is not None:
            raise RuleViolation("team_closed", "the team is closed", "team_id")
    elif isinstance(state, AdopterFamily):
        _decide_adopters(state, event, at)
    else:
        approved = state.approved_on is not None
        if isinstance(event, ev.CarerHouseholdApproved):
            if event.kind in state.approvals:
                raise RuleViolation(
                    "household_already_approved",
                    f"this household is already approved for {event.kind} care",
                    "kind",
                )
            if state.deregistered_on is not None:
                raise RuleViolation(
                    "household_deregistered", "the household is deregistered", "household_id"
                )
        elif not approved:
            raise RuleViolation(
                "household_not_approved", "approve the household first", "household_id"
            )
        elif state.deregistered_on is not None:
            raise RuleViolation(
                "household_deregistered", "the household is deregistered", "household_id"
            )
        elif isinstance(event, ev.CarerHouseholdLeftConstellation) and (
            event.constellation_id not in state.constellations
        ):
            raise RuleViolation(
                "not_in_constellation",
                f"the household is not in constellation {event.constellation_id}",
                "constellation_id",
            )


def _decide_adopters(state: AdopterFamily, event: ev.Event, at: datetime) -> None:
    """Enquiry first; each stage started before it is completed, stage 2 after stage 1;
    the application after stage 2 begins, approval after it; nothing after approval or
    leaving but what the agency does next elsewhere (matching is on the child's stream)."""
    if isinstance(event, ev.AdopterEnquiryReceived):
        if state.enquiry_on is not None:
            raise RuleViolation("enquiry_already_received", "this family's enquiry is recorded")
        return
    if state.enquiry_on is None:
        raise RuleViolation("adopters_unknown", "record the adopters' enquiry first", "family_id")
    if at < state.enquiry_on:
        raise RuleViolation(
            "before_enquiry", "occurred before the adopters' enquiry", "occurred_at"
        )
    if state.left_on is not None or state.approved_on is not None:
        done = "left the process" if state.left_on is not None else "been approved"
        raise RuleViolation("adopters_process_over", f"the family has {done}", "family_id")
    if isinstance(event, ev.AdoptionStageStarted):
        if event.stage in state.stages_started:
            raise RuleViolation(
                "stage_already_started", f"stage {event.stage} has started", "stage"
            )
        if event.stage == 2 and 1 not in state.stages_completed:
            raise RuleViolation("stage_out_of_order", "stage 2 follows stage 1", "stage")
    elif isinstance(event, ev.AdoptionStageCompleted):
        started = state.stages_started.get(event.stage)
        if started is None or event.stage in state.stages_completed:
            raise RuleViolation("stage_not_open", f"stage {event.stage} is not under way", "stage")
        if at < started:
            raise RuleViolation("ends_before_it_starts", "before the stage began", "occurred_at")
    elif isinstance(event, ev.AdopterApplicationSubmitted):
        if 2 not in state.stages_started or state.applied_on is not None:
            raise RuleViolation(
                "application_out_of_order",
                "the application is made once, in stage 2",
                "type",
            )
    elif isinstance(event, ev.AdopterFamilyApproved) and (
        state.applied_on is None or 2 not in state.stages_completed
    ):
        raise RuleViolation(
            "approval_out_of_order",
            "approval follows the application and the end of stage 2",
            "type",
        )


def apply_reference(state: Reference, event: ev.Event) -> None:
    at = as_datetime(event.occurred_at)
    state.version += 1
    match event:
        case ev.WorkerRegistered():
            assert isinstance(state, Worker)
            state.registered_on = at
            state.swe_registration = event.swe_registration
            state.agency, state.qualified, state.fte = event.agency, event.qualified, event.fte
            state.roles.append(Dated(at, event.role))
            state.teams.append(Dated(at, event.team_id))
        case ev.WorkerJoinedTeam():
            assert isinstance(state, Worker)
            state.teams.append(Dated(at, event.team_id))
        case ev.WorkerRoleChanged():
            assert isinstance(state, Worker)
            if event.role is not None:
                state.roles.append(Dated(at, event.role))
            state.fte = event.fte if event.fte is not None else state.fte
        case ev.WorkerLeft():
            assert isinstance(state, Worker)
            state.left_on = at
        case ev.TeamEstablished():
            assert isinstance(state, Team)
            state.established_on = at
            state.names.append(Dated(at, event.name))
            state.services.append(Dated(at, event.service))
        case ev.TeamRenamed():
            assert isinstance(state, Team)
            state.names.append(Dated(at, event.name))
        case ev.TeamMovedService():
            assert isinstance(state, Team)
            state.services.append(Dated(at, event.service))
        case ev.TeamClosed():
            assert isinstance(state, Team)
            state.closed_on = at
        case ev.CarerHouseholdApproved():
            assert isinstance(state, CarerHousehold)
            state.approvals[event.kind] = at
        case ev.CarerHouseholdJoinedConstellation():
            assert isinstance(state, CarerHousehold)
            state.constellations[event.constellation_id] = event.constellation_role
        case ev.CarerHouseholdLeftConstellation():
            assert isinstance(state, CarerHousehold)
            state.constellations.pop(event.constellation_id, None)
        case ev.CarerHouseholdDeregistered():
            assert isinstance(state, CarerHousehold)
            state.deregistered_on = at
        case ev.AdopterEnquiryReceived():
            assert isinstance(state, AdopterFamily)
            state.enquiry_on = at
        case ev.AdoptionStageStarted():
            assert isinstance(state, AdopterFamily)
            state.stages_started[event.stage] = at
        case ev.AdoptionStageCompleted():
            assert isinstance(state, AdopterFamily)
            state.stages_completed[event.stage] = at
        case ev.AdopterApplicationSubmitted():
            assert isinstance(state, AdopterFamily)
            state.applied_on = at
        case ev.AdopterFamilyApproved():
            assert isinstance(state, AdopterFamily)
            state.approved_on = at
        case ev.AdopterFamilyLeftProcess():
            assert isinstance(state, AdopterFamily)
            state.left_on = at
