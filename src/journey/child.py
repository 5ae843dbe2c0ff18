"""The Child aggregate: a child's state folded from their stream, and the hard rules.

`decide` checks one new event against the state and raises `RuleViolation`; `apply`
folds an event in without checking. Rules are evaluated in stream order (the order the
ledger recorded events), and wherever business time matters they also compare
`occurred_at` (an end after its start, a new placement after the last one ended, a worker
who had not left by the date of the allocation), so late recordings are judged against
the dates they claim.

Corrections (`EventRetracted`, `EventCorrected`) change history, so they are decided by
folding the whole effective stream again (`fold`), and rejected if that breaks a rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from journey import events as ev
from journey.events import as_date, as_datetime
from journey.reference import References
from journey.rules import RuleViolation, not_in_future

# Before the date of birth (or while only an expected date is known) the ledger takes the
# front door, assessment and the protective work practice does for an unborn baby
# (pre-birth conferences, plans and pre-proceedings); care, placements, court orders,
# visits and the rest wait for the birth.
PRE_BIRTH = frozenset(
    {
        ev.ContactReceived,
        ev.ReferralReceived,
        ev.ReferralClosedNoFurtherAction,
        ev.AssessmentStarted,
        ev.AssessmentCompleted,
        ev.WorkerAllocated,
        ev.WorkerAllocationEnded,
        ev.CaseTransferred,
        ev.ChildDetailsUpdated,
        ev.CINPlanStarted,
        ev.CINPlanEnded,
        ev.StrategyDiscussionHeld,
        ev.Section47EnquiryStarted,
        ev.Section47EnquiryCompleted,
        ev.InitialChildProtectionConferenceHeld,
        ev.ChildProtectionPlanStarted,
        ev.ChildProtectionReviewHeld,
        ev.ChildProtectionPlanEnded,
        ev.PreProceedingsStarted,
        ev.LetterBeforeProceedingsSent,
        ev.FamilyGroupDecisionMeetingHeld,
        ev.PreProceedingsMeetingHeld,
        ev.PreProceedingsEnded,
        ev.EarlyHelpAssessmentStarted,
        ev.EarlyHelpAssessmentCompleted,
        ev.CaseClosed,
        ev.CaseSteppedDown,
    }
)
# After the date of a child's death only what closes the record may follow (anything dated
# before it is a late recording of what happened in life, and is taken).
AFTER_DEATH = frozenset(
    {
        ev.ReferralClosedNoFurtherAction,
        ev.AssessmentCompleted,
        ev.CINPlanEnded,
        ev.ChildProtectionPlanEnded,
        ev.CareProceedingsConcluded,
        ev.WorkerAllocationEnded,
        ev.PlacementEnded,
        ev.PeriodOfCareEnded,
        ev.MissingEpisodeEnded,
        ev.EarlyHelpAssessmentCompleted,
        ev.PreProceedingsEnded,
        ev.CaseClosed,
        ev.ChildDetailsUpdated,
    }
)
CORRECTIONS = (ev.EventRetracted, ev.EventCorrected)


@dataclass
class Span:
    """Something that starts and may end: a referral, plan, placement, allocation..."""

    start: datetime
    end: datetime | None = None
    kind: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def open(self) -> bool:
        return self.end is None

    def covers(self, moment: datetime) -> bool:
        return self.start <= moment and (self.end is None or moment <= self.end)


@dataclass
class Child:
    child_id: str = ""
    version: int = 0
    head_hash: str = "0" * 64
    la_child_id: str | None = None
    registered: bool = False
    sex: str | None = None
    date_of_birth: date | None = None
    expected_date_of_birth: date | None = None
    ethnicity: str | None = None
    disabilities: list[str] = field(default_factory=list)
    uasc: bool = False
    upn: str | None = None
    died_on: datetime | None = None
    erased_on: datetime | None = None
    contacts: dict[str, Span] = field(default_factory=dict)
    early_help: dict[str, Span] = field(default_factory=dict)
    referrals: dict[str, Span] = field(default_factory=dict)
    assessments: dict[str, Span] = field(default_factory=dict)
    cin_plans: dict[str, Span] = field(default_factory=dict)
    strategy_discussions: dict[str, Span] = field(default_factory=dict)
    enquiries: dict[str, Span] = field(default_factory=dict)
    conferences: dict[str, Span] = field(default_factory=dict)
    cp_plans: dict[str, Span] = field(default_factory=dict)
    pre_proceedings: dict[str, Span] = field(default_factory=dict)
    proceedings: dict[str, Span] = field(default_factory=dict)
    orders: dict[str, Span] = field(default_factory=dict)
    allocations: dict[str, Span] = field(default_factory=dict)
    periods_of_care: dict[str, Span] = field(default_factory=dict)
    legal_status: str | None = None
    placements: dict[str, Span] = field(default_factory=dict)
    missing_episodes: dict[str, Span] = field(default_factory=dict)
    adoption_decisions: dict[str, Span] = field(default_factory=dict)
    disruption_meetings: dict[str, Span] = field(default_factory=dict)
    permanence_plan: str | None = None
    reviews: dict[str, Span] = field(default_factory=dict)
    visits: dict[str, Span] = field(default_factory=dict)
    case_closed: Span | None = None
    last_event_at: datetime | None = None

    # --- questions the rules and the read side ask -------------------------------------

    @staticmethod
    def open_in(spans: dict[str, Span]) -> str | None:
        for key, span in spans.items():
            if span.end is None:
                return key
        return None

    def lead_allocation(self) -> str | None:
        for key, span in self.allocations.items():
            if span.end is None and span.kind == "social_worker":
                return key
        return None

    def looked_after_on(self, moment: datetime) -> bool:
        return any(p.covers(moment) for p in self.periods_of_care.values())

    def case_open(self) -> bool:
        return (
            self.open_in(self.referrals) is not None
            or self.open_in(self.periods_of_care) is not None
            or any(a.end is None for a in self.allocations.values())
        )

    # --- deciding -----------------------------------------------------------------------

    def refuse_if_erased(self) -> None:
        if self.erased_on is not None:
            raise RuleViolation(
                "child_erased",
                f"this child's record was erased on {self.erased_on.date().isoformat()}: "
                "nothing more can be recorded for them",
            )

    def decide(self, event: ev.Event, refs: References, now: datetime) -> None:
        """Raise RuleViolation if `event` may not be appended to this stream now."""
        self.refuse_if_erased()
        if isinstance(event, ev.ChildErased):
            not_in_future(as_datetime(event.occurred_at), now)
            if not self.registered:
                raise RuleViolation(
                    "child_not_registered", "there is no such child to erase", "la_child_id"
                )
            return
        if isinstance(event, CORRECTIONS):
            raise RuleViolation(
                "correction_needs_history",
                "corrections are decided against the whole stream (Child.fold)",
            )
        at = as_datetime(event.occurred_at)
        self._decide_time(event, at, now)
        if isinstance(event, ev.ChildRegistered):
            if self.registered:
                raise RuleViolation(
                    "one_registration_per_child",
                    f"child {event.la_child_id} is already registered",
                    "la_child_id",
                )
            return
        if not self.registered:
            raise RuleViolation(
                "child_not_registered",
                "register the child (ChildRegistered) before recording anything else",
                "la_child_id",
            )
        if self.died_on is not None and at > self.died_on and type(event) not in AFTER_DEATH:
            raise RuleViolation(
                "child_has_died",
                "the child's death is recorded: only endings and closures may follow",
            )
        decide = _DECISIONS.get(type(event))
        if decide is not None:
            decide(self, event, at, refs)

    def _decide_time(self, event: ev.Event, at: datetime, now: datetime) -> None:
        not_in_future(at, now)
        if isinstance(event, ev.ChildRegistered | ev.ChildDetailsUpdated):
            birth = event.date_of_birth
            if birth is not None and birth > as_date(event.occurred_at):
                raise RuleViolation(
                    "birth_in_future",
                    "date_of_birth is after the event that records it",
                    "date_of_birth",
                )
        else:
            birth = self.date_of_birth
        unborn = birth is None and self.expected_date_of_birth is not None
        before_birth = birth is not None and as_date(event.occurred_at) < birth
        if (unborn or before_birth) and type(event) not in PRE_BIRTH | {ev.ChildRegistered}:
            raise RuleViolation(
                "before_birth",
                f"{event.type} cannot be recorded before the child is born: before birth the "
                "ledger takes contacts, referrals, assessments, allocations and protective work",
                "occurred_at",
            )

    # --- applying -----------------------------------------------------------------------

    def apply(self, event: ev.Event) -> None:
        """Fold one (already decided) event into the state."""
        at = as_datetime(event.occurred_at)
        self.version += 1
        if self.last_event_at is None or at > self.last_event_at:
            self.last_event_at = at
        mutate = _MUTATIONS.get(type(event))
        if mutate is not None:
            mutate(self, event, at)

    # --- corrections --------------------------------------------------------------------

    @classmethod
    def fold(
        cls,
        child_id: str,
        history: Sequence[tuple[UUID, ev.Event]],
        *,
        refs: References | None = None,
        now: datetime | None = None,
    ) -> Child:
        """Fold a stream from its first event, retractions and corrections applied.

        With `refs` and `now`, every effective event is decided again on the way, so a
        correction that would make the history break a rule is refused.
        """
        child = cls(child_id=child_id)
        effective = effective_events(history, refs is not None)
        for event in effective:
            if refs is not None and now is not None:
                child.decide(event, refs, now)
            child.apply(event)
        child.version = len(history)
        return child


def effective_events(
    history: Sequence[tuple[UUID, ev.Event]], strict: bool = False
) -> list[ev.Event]:
    """The stream as it now stands: retracted events left out, corrected ones replaced,
    correction markers themselves dropped. With `strict`, a correction that does not
    apply (unknown target, a correction of a correction) raises RuleViolation."""
    return [event for _, event in effective_history(history, strict)]


def effective_history(
    history: Sequence[tuple[UUID, ev.Event]], strict: bool = False
) -> list[tuple[UUID, ev.Event]]:
    """`effective_events` with each event's id (a corrected event keeps the original's)."""
    by_id: dict[UUID, ev.Event] = {}
    order: list[UUID] = []
    for event_id, event in history:
        if isinstance(event, CORRECTIONS):
            target = event.target_event_id
            original = by_id.get(target)
            if original is None:
                if strict:
                    raise RuleViolation(
                        "correction_target_unknown",
                        f"event {target} is not in this child's stream (or was retracted)",
                        "target_event_id",
                    )
                continue
            if isinstance(event, ev.EventRetracted):
                if isinstance(original, ev.ChildRegistered):
                    if strict:
                        raise RuleViolation(
                            "registration_cannot_be_retracted",
                            "a registration is corrected with ChildDetailsUpdated, not retracted",
                            "target_event_id",
                        )
                    continue
                del by_id[target]
            else:
                by_id[target] = corrected(original, event.changes, erased=event.erased)
            continue
        by_id[event_id] = event
        order.append(event_id)
    return [(i, by_id[i]) for i in order if i in by_id]


def corrected(original: ev.Event, changes: dict[str, Any], *, erased: bool = False) -> ev.Event:
    """The original event with new values, validated as the original's type. `erased`:
    the correction is an erased child's, its changes to personal fields gone."""
    forbidden = {"type", "event_id", "idempotency_key", original.stream_key()} & changes.keys()
    if forbidden:
        raise RuleViolation(
            "correction_changes_identity",
            f"a correction may not change {', '.join(sorted(forbidden))}",
            "changes",
        )
    erased = erased or original.erased
    if erased:
        changes = {k: v for k, v in changes.items() if v != ev.ERASED}
    merged = original.model_dump(mode="json") | changes
    try:
        fixed = type(original).model_validate(merged, context=ev.ERASED_CONTEXT if erased else None)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise RuleViolation(
            "correction_invalid", f"changes.{where}: {first['msg']}", f"changes.{where}"
        ) from None
    if erased:
        fixed.mark_erased()
    return fixed


# --- the rules, one function per event type --------------------------------------------


def _unique(spans: dict[str, Span], key: str, what: str, field_name: str) -> None:
    if key in spans:
        raise RuleViolation(f"{field_name}_unique", f"{what} {key} is already recorded", field_name)


def _must_be_open(spans: dict[str, Span], key: str, what: str, field_name: str) -> Span:
    span = spans.get(key)
    if span is None or span.end is not None:
        state = "unknown" if span is None else "already ended"
        raise RuleViolation(
            f"{field_name.removesuffix('_id')}_not_open",
            f"{what} {key} is not open ({state}): nothing can be ended that is not open",
            field_name,
        )
    return span


def _not_before(start: datetime, at: datetime, what: str) -> None:
    if at < start:
        raise RuleViolation(
            "ends_before_it_starts",
            f"occurred_at is before the {what} started ({as_date(start).isoformat()})",
            "occurred_at",
        )


def _needs_open_referral(child: Child, what: str) -> str:
    referral = child.open_in(child.referrals)
    if referral is None:
        raise RuleViolation("needs_open_referral", f"{what} needs an open referral", "referral_id")
    return referral


def _decide_contact(child: Child, e: ev.ContactReceived, at: datetime, refs: References) -> None:
    _unique(child.contacts, e.contact_id, "contact", "contact_id")


def _decide_referral(child: Child, e: ev.ReferralReceived, at: datetime, refs: References) -> None:
    _unique(child.referrals, e.referral_id, "referral", "referral_id")
    open_referral = child.open_in(child.referrals)
    if open_referral is not None:
        raise RuleViolation(
            "one_open_referral",
            f"referral {open_referral} is still open: a child has one open referral "
            "(child in need episode) at a time",
            "referral_id",
        )


def _decide_referral_nfa(
    child: Child, e: ev.ReferralClosedNoFurtherAction, at: datetime, refs: References
) -> None:
    span = _must_be_open(child.referrals, e.referral_id, "referral", "referral_id")
    _not_before(span.start, at, "referral")
    _nothing_left_open(child)


def _decide_assessment_started(
    child: Child, e: ev.AssessmentStarted, at: datetime, refs: References
) -> None:
    _unique(child.assessments, e.assessment_id, "assessment", "assessment_id")
    referral = child.referrals.get(e.referral_id)
    if referral is None or not referral.open:
        raise RuleViolation(
            "assessment_needs_open_referral",
            f"an assessment belongs to an open referral; {e.referral_id} is not open",
            "referral_id",
        )
    _not_before(referral.start, at, "referral")


def _decide_assessment_completed(
    child: Child, e: ev.AssessmentCompleted, at: datetime, refs: References
) -> None:
    span = _must_be_open(child.assessments, e.assessment_id, "assessment", "assessment_id")
    _not_before(span.start, at, "assessment")
    if e.authorised_on < as_date(span.start):
        raise RuleViolation(
            "completion_after_start",
            "authorised_on is before the assessment started",
            "authorised_on",
        )


def _decide_cin_plan_started(
    child: Child, e: ev.CINPlanStarted, at: datetime, refs: References
) -> None:
    _unique(child.cin_plans, e.plan_id, "child in need plan", "plan_id")
    _needs_open_referral(child, "a child in need plan")
    if child.open_in(child.cin_plans) is not None:
        raise RuleViolation("one_open_cin_plan", "a child in need plan is already open", "plan_id")


def _decide_cin_plan_ended(
    child: Child, e: ev.CINPlanEnded, at: datetime, refs: References
) -> None:
    _not_before(_must_be_open(child.cin_plans, e.plan_id, "plan", "plan_id").start, at, "plan")


def _decide_strategy(
    child: Child, e: ev.StrategyDiscussionHeld, at: datetime, refs: References
) -> None:
    _unique(child.strategy_discussions, e.strategy_id, "strategy discussion", "strategy_id")
    _needs_open_referral(child, "a strategy discussion")


def _decide_s47_started(
    child: Child, e: ev.Section47EnquiryStarted, at: datetime, refs: References
) -> None:
    _unique(child.enquiries, e.enquiry_id, "section 47 enquiry", "enquiry_id")
    strategy = child.strategy_discussions.get(e.strategy_id)
    if strategy is None or not strategy.detail.get("section47_needed"):
        raise RuleViolation(
            "s47_needs_strategy_discussion",
            f"a section 47 enquiry starts from a strategy discussion that decided on one; "
            f"{e.strategy_id} did not",
            "strategy_id",
        )
    _not_before(strategy.start, at, "strategy discussion")


def _decide_s47_completed(
    child: Child, e: ev.Section47EnquiryCompleted, at: datetime, refs: References
) -> None:
    span = _must_be_open(child.enquiries, e.enquiry_id, "section 47 enquiry", "enquiry_id")
    _not_before(span.start, at, "enquiry")


def _decide_icpc(
    child: Child, e: ev.InitialChildProtectionConferenceHeld, at: datetime, refs: References
) -> None:
    _unique(child.conferences, e.conference_id, "conference", "conference_id")
    enquiry = child.enquiries.get(e.enquiry_id)
    if enquiry is None:
        raise RuleViolation(
            "icpc_needs_enquiry",
            f"an initial conference follows a section 47 enquiry; {e.enquiry_id} is unknown",
            "enquiry_id",
        )
    _not_before(enquiry.start, at, "enquiry")


def _decide_cp_plan_started(
    child: Child, e: ev.ChildProtectionPlanStarted, at: datetime, refs: References
) -> None:
    _unique(child.cp_plans, e.plan_id, "child protection plan", "plan_id")
    conference = child.conferences.get(e.conference_id)
    if conference is None or not conference.detail.get("plan_decided"):
        raise RuleViolation(
            "cp_plan_needs_icpc",
            "a child protection plan needs an initial child protection conference that "
            "decided on a plan",
            "conference_id",
        )
    if conference.detail.get("plan_id"):
        raise RuleViolation(
            "cp_plan_needs_icpc",
            f"conference {e.conference_id} already started plan {conference.detail['plan_id']}",
            "conference_id",
        )
    if child.open_in(child.cp_plans) is not None:
        raise RuleViolation(
            "one_open_cp_plan", "a child protection plan is already open", "plan_id"
        )
    _not_before(conference.start, at, "conference")


def _decide_cp_review(
    child: Child, e: ev.ChildProtectionReviewHeld, at: datetime, refs: References
) -> None:
    """A review is held while the plan runs; it may be written up after the plan ends."""
    plan = child.cp_plans.get(e.plan_id)
    if plan is None or not plan.covers(at):
        raise RuleViolation(
            "plan_not_open",
            f"child protection plan {e.plan_id} was not open on {as_date(at).isoformat()}",
            "plan_id",
        )


def _decide_cp_plan_ended(
    child: Child, e: ev.ChildProtectionPlanEnded, at: datetime, refs: References
) -> None:
    plan = _must_be_open(child.cp_plans, e.plan_id, "child protection plan", "plan_id")
    _not_before(plan.start, at, "plan")


def _decide_pre_proceedings(
    child: Child, e: ev.PreProceedingsStarted, at: datetime, refs: References
) -> None:
    _unique(child.pre_proceedings, e.pre_proceedings_id, "pre-proceedings", "pre_proceedings_id")


def _decide_pre_proceedings_step(
    child: Child,
    e: ev.LetterBeforeProceedingsSent
    | ev.FamilyGroupDecisionMeetingHeld
    | ev.PreProceedingsMeetingHeld
    | ev.PreProceedingsEnded,
    at: datetime,
    refs: References,
) -> None:
    span = _must_be_open(
        child.pre_proceedings, e.pre_proceedings_id, "pre-proceedings", "pre_proceedings_id"
    )
    _not_before(span.start, at, "pre-proceedings")


def _decide_early_help_started(
    child: Child, e: ev.EarlyHelpAssessmentStarted, at: datetime, refs: References
) -> None:
    _unique(child.early_help, e.assessment_id, "early help assessment", "assessment_id")


def _decide_early_help_completed(
    child: Child, e: ev.EarlyHelpAssessmentCompleted, at: datetime, refs: References
) -> None:
    span = _must_be_open(
        child.early_help, e.assessment_id, "early help assessment", "assessment_id"
    )
    _not_before(span.start, at, "early help assessment")


def _decide_proceedings_issued(
    child: Child, e: ev.CareProceedingsIssued, at: datetime, refs: References
) -> None:
    _unique(child.proceedings, e.proceedings_id, "care proceedings", "proceedings_id")
    if child.open_in(child.proceedings) is not None:
        raise RuleViolation(
            "one_open_proceedings", "care proceedings are already open", "proceedings_id"
        )


def _decide_order(child: Child, e: ev.CourtOrderMade, at: datetime, refs: References) -> None:
    _unique(child.orders, e.order_id, "order", "order_id")
    if e.proceedings_id is not None and e.proceedings_id not in child.proceedings:
        raise RuleViolation(
            "order_needs_proceedings",
            f"proceedings {e.proceedings_id} are not in this child's record",
            "proceedings_id",
        )


def _decide_proceedings_concluded(
    child: Child, e: ev.CareProceedingsConcluded, at: datetime, refs: References
) -> None:
    span = _must_be_open(child.proceedings, e.proceedings_id, "proceedings", "proceedings_id")
    _not_before(span.start, at, "proceedings")


def _check_worker(
    refs: References, worker_id: str, role: str, at: datetime, field_name: str = "worker_id"
) -> None:
    worker = refs.worker(worker_id)
    if worker is None:
        raise RuleViolation("worker_unknown", f"worker {worker_id} is not registered", field_name)
    if not worker.active_on(at):
        raise RuleViolation(
            "worker_not_active",
            f"worker {worker_id} had left (or had not joined) on {at.date().isoformat()}",
            field_name,
        )
    if worker.role_on(at) != role:
        raise RuleViolation(
            "worker_role_mismatch",
            f"worker {worker_id} holds the role {worker.role_on(at)}, not {role}",
            "role",
        )


def _check_team(refs: References, team_id: str, at: datetime, field_name: str) -> None:
    team = refs.team(team_id)
    if team is None or not team.open_on(at):
        raise RuleViolation(
            "team_not_open",
            f"team {team_id} is unknown or was not open on {at.date().isoformat()}",
            field_name,
        )


def _one_lead(child: Child, role: str, worker_id: str, at: datetime) -> None:
    for key, span in child.allocations.items():
        if span.end is not None:
            continue
        if role == "social_worker" and span.kind == "social_worker":
            raise RuleViolation(
                "one_lead_social_worker",
                f"allocation {key} ({span.detail['worker_id']}) is the open lead social worker: "
                "end it or transfer the case first",
                "role",
            )
        if span.kind == role and span.detail["worker_id"] == worker_id:
            raise RuleViolation(
                "already_allocated",
                f"worker {worker_id} is already allocated as {role} ({key})",
                "worker_id",
            )


def _decide_allocated(child: Child, e: ev.WorkerAllocated, at: datetime, refs: References) -> None:
    _unique(child.allocations, e.allocation_id, "allocation", "allocation_id")
    _check_worker(refs, e.worker_id, e.role, at)
    _check_team(refs, e.team_id, at, "team_id")
    _one_lead(child, e.role, e.worker_id, at)
    _not_after_previous_lead(child, e.role, at)


def _not_after_previous_lead(child: Child, role: str, at: datetime) -> None:
    if role != "social_worker":
        return
    ends = [s.end for s in child.allocations.values() if s.kind == role and s.end is not None]
    if ends and at < max(ends):
        raise RuleViolation(
            "allocations_overlap",
            "occurred_at is before the previous lead social worker's allocation ended",
            "occurred_at",
        )


def _decide_allocation_ended(
    child: Child, e: ev.WorkerAllocationEnded, at: datetime, refs: References
) -> None:
    span = _must_be_open(child.allocations, e.allocation_id, "allocation", "allocation_id")
    _not_before(span.start, at, "allocation")


def _decide_transfer(child: Child, e: ev.CaseTransferred, at: datetime, refs: References) -> None:
    _unique(child.allocations, e.allocation_id, "allocation", "allocation_id")
    _check_team(refs, e.to_team_id, at, "to_team_id")
    _check_worker(refs, e.worker_id, "social_worker", at)
    lead = child.lead_allocation()
    if lead is not None:
        span = child.allocations[lead]
        if span.detail["team_id"] != e.from_team_id:
            raise RuleViolation(
                "transfer_from_wrong_team",
                f"the case is held by team {span.detail['team_id']}, not {e.from_team_id}",
                "from_team_id",
            )
        _not_before(span.start, at, "current allocation")
    else:
        _not_after_previous_lead(child, "social_worker", at)


def _decide_period_started(
    child: Child, e: ev.PeriodOfCareStarted, at: datetime, refs: References
) -> None:
    _unique(child.periods_of_care, e.period_id, "period of care", "period_id")
    open_period = child.open_in(child.periods_of_care)
    if open_period is not None:
        raise RuleViolation(
            "one_open_period_of_care",
            f"period of care {open_period} is still open: one period of care at a time",
            "period_id",
        )
    ends = [p.end for p in child.periods_of_care.values() if p.end is not None]
    if ends and at < max(ends):
        raise RuleViolation(
            "periods_overlap",
            "occurred_at is before the previous period of care ended",
            "occurred_at",
        )


def _open_period(child: Child, what: str) -> Span:
    key = child.open_in(child.periods_of_care)
    if key is None:
        raise RuleViolation(
            "needs_open_period_of_care",
            f"{what} needs an open period of care (PeriodOfCareStarted)",
            "occurred_at",
        )
    return child.periods_of_care[key]


def _decide_legal_status(
    child: Child, e: ev.LegalStatusChanged, at: datetime, refs: References
) -> None:
    period = _open_period(child, "a change of legal status")
    _not_before(period.start, at, "period of care")
    if e.legal_status == child.legal_status:
        raise RuleViolation(
            "legal_status_unchanged",
            f"the legal status is already {e.legal_status}",
            "legal_status",
        )


def _decide_placement_started(
    child: Child, e: ev.PlacementStarted, at: datetime, refs: References
) -> None:
    _unique(child.placements, e.placement_id, "placement", "placement_id")
    key = child.open_in(child.periods_of_care)
    if key is None:
        raise RuleViolation(
            "placement_inside_period_of_care",
            "a placement is made only inside a period of care: start the period first",
            "placement_id",
        )
    _not_before(child.periods_of_care[key].start, at, "period of care")
    open_placement = child.open_in(child.placements)
    if open_placement is not None:
        raise RuleViolation(
            "one_open_placement",
            f"placement {open_placement} is still open: end it before the next one starts",
            "placement_id",
        )
    ends = [p.end for p in child.placements.values() if p.end is not None]
    if ends and at < max(ends):
        raise RuleViolation(
            "placements_overlap",
            "occurred_at is before the previous placement ended",
            "occurred_at",
        )
    if e.carer_household_id is not None:
        household = refs.carer_household(e.carer_household_id)
        if household is None or not household.approved_at(at):
            raise RuleViolation(
                "household_not_approved",
                f"carer household {e.carer_household_id} was not approved on "
                f"{at.date().isoformat()}",
                "carer_household_id",
            )


def _decide_placement_ended(
    child: Child, e: ev.PlacementEnded, at: datetime, refs: References
) -> None:
    span = _must_be_open(child.placements, e.placement_id, "placement", "placement_id")
    _not_before(span.start, at, "placement")


def _decide_period_ended(
    child: Child, e: ev.PeriodOfCareEnded, at: datetime, refs: References
) -> None:
    span = _must_be_open(child.periods_of_care, e.period_id, "period of care", "period_id")
    _not_before(span.start, at, "period of care")
    placement = child.open_in(child.placements)
    if placement is not None:
        _not_before(child.placements[placement].start, at, "current placement")


def _needs_care_on(child: Child, at: datetime, what: str) -> None:
    if not child.looked_after_on(at):
        raise RuleViolation(
            "needs_period_of_care",
            f"{what} is for a looked-after child: no period of care covers {at.date().isoformat()}",
            "occurred_at",
        )


def _decide_review(
    child: Child, e: ev.LookedAfterReviewHeld, at: datetime, refs: References
) -> None:
    _unique(child.reviews, e.review_id, "review", "review_id")
    _needs_care_on(child, at, "a looked-after review")


def _decide_visit(child: Child, e: ev.StatutoryVisitMade, at: datetime, refs: References) -> None:
    _unique(child.visits, e.visit_id, "visit", "visit_id")
    on_plan = any(p.covers(at) for p in child.cp_plans.values()) or any(
        p.covers(at) for p in child.cin_plans.values()
    )
    if not on_plan and not child.looked_after_on(at):
        raise RuleViolation(
            "visit_needs_plan_or_care",
            "statutory visits are to looked-after children and children on a plan; "
            f"neither covers {at.date().isoformat()}",
            "occurred_at",
        )


def _decide_missing_started(
    child: Child, e: ev.MissingEpisodeStarted, at: datetime, refs: References
) -> None:
    _unique(child.missing_episodes, e.episode_id, "missing episode", "episode_id")
    if child.open_in(child.missing_episodes) is not None:
        raise RuleViolation(
            "one_open_missing_episode", "a missing episode is already open", "episode_id"
        )


def _decide_missing_ended(
    child: Child, e: ev.MissingEpisodeEnded, at: datetime, refs: References
) -> None:
    span = _must_be_open(child.missing_episodes, e.episode_id, "missing episode", "episode_id")
    _not_before(span.start, at, "missing episode")


def _decide_in_care(child: Child, e: ev.ChildEvent, at: datetime, refs: References) -> None:
    _needs_care_on(child, at, e.type)


def _decide_disruption(
    child: Child, e: ev.DisruptionMeetingHeld, at: datetime, refs: References
) -> None:
    _unique(child.disruption_meetings, e.meeting_id, "disruption meeting", "meeting_id")
    placement = child.placements.get(e.placement_id)
    if placement is None or placement.end is None or not placement.detail.get("unplanned"):
        raise RuleViolation(
            "disruption_needs_unplanned_ending",
            f"a disruption meeting follows an unplanned ending; placement {e.placement_id} "
            "has not ended unplanned",
            "placement_id",
        )
    _not_before(placement.end, at, "placement ending")


def _decide_adoption_decision(
    child: Child, e: ev.AdoptionDecisionMade, at: datetime, refs: References
) -> None:
    _unique(child.adoption_decisions, e.decision_id, "adoption decision", "decision_id")
    if child.open_in(child.adoption_decisions) is not None:
        raise RuleViolation(
            "one_adoption_decision", "an adoption decision is already active", "decision_id"
        )
    _needs_care_on(child, at, "an adoption decision")


def _adopter(refs: References, household_id: str, at: datetime) -> None:
    household = refs.carer_household(household_id)
    if household is None or not household.approved_at(at, "adopter"):
        raise RuleViolation(
            "adopter_not_approved",
            f"household {household_id} is not an approved adopter household on "
            f"{at.date().isoformat()}",
            "adopter_household_id",
        )


def _decide_matched(child: Child, e: ev.AdopterMatched, at: datetime, refs: References) -> None:
    span = _must_be_open(
        child.adoption_decisions, e.decision_id, "adoption decision", "decision_id"
    )
    _not_before(span.start, at, "adoption decision")
    _adopter(refs, e.adopter_household_id, at)


def _decide_placed_for_adoption(
    child: Child, e: ev.PlacedForAdoption, at: datetime, refs: References
) -> None:
    span = _must_be_open(
        child.adoption_decisions, e.decision_id, "adoption decision", "decision_id"
    )
    if span.detail.get("matched_with") != e.adopter_household_id:
        raise RuleViolation(
            "placed_needs_match",
            f"the child is placed for adoption only with the matched household "
            f"({span.detail.get('matched_with') or 'no match recorded'})",
            "adopter_household_id",
        )
    _not_before(datetime.fromisoformat(span.detail["matched_on"]), at, "match")


def _decide_adoption_reversed(
    child: Child, e: ev.AdoptionDecisionReversed, at: datetime, refs: References
) -> None:
    span = _must_be_open(
        child.adoption_decisions, e.decision_id, "adoption decision", "decision_id"
    )
    _not_before(span.start, at, "adoption decision")


def _decide_care_leaver(child: Child, e: ev.ChildEvent, at: datetime, refs: References) -> None:
    if not any(p.start <= at for p in child.periods_of_care.values()):
        raise RuleViolation(
            "needs_care_history",
            f"{e.type} is for a child who has been looked after",
            "occurred_at",
        )


def _decide_staying_put(
    child: Child, e: ev.StayingPutArranged, at: datetime, refs: References
) -> None:
    _decide_care_leaver(child, e, at, refs)
    household = refs.carer_household(e.carer_household_id)
    if household is None or not household.approved_at(at):
        raise RuleViolation(
            "household_not_approved",
            f"carer household {e.carer_household_id} is not approved",
            "carer_household_id",
        )


def _decide_closure(child: Child, e: ev.ChildEvent, at: datetime, refs: References) -> None:
    if not child.case_open():
        raise RuleViolation("case_not_open", "the case is not open", "occurred_at")
    _nothing_left_open(child)
    starts = [s.start for s in child.allocations.values() if s.end is None]
    referral = child.open_in(child.referrals)
    if referral is not None:
        starts.append(child.referrals[referral].start)
    if starts and at < max(starts):
        raise RuleViolation(
            "ends_before_it_starts",
            "occurred_at is before the open referral or allocation started",
            "occurred_at",
        )


def _nothing_left_open(child: Child) -> None:
    """A case closes only when its plans, care and proceedings have ended."""
    still_open = [
        what
        for what, spans in (
            ("period of care", child.periods_of_care),
            ("child protection plan", child.cp_plans),
            ("child in need plan", child.cin_plans),
            ("care proceedings", child.proceedings),
        )
        if child.open_in(spans) is not None
    ]
    if still_open:
        raise RuleViolation(
            "close_open_work_first",
            f"end the open {', '.join(still_open)} before the case closes",
            "occurred_at",
        )


_DECISIONS: dict[type[ev.Event], Any] = {
    ev.ContactReceived: _decide_contact,
    ev.ReferralReceived: _decide_referral,
    ev.ReferralClosedNoFurtherAction: _decide_referral_nfa,
    ev.AssessmentStarted: _decide_assessment_started,
    ev.AssessmentCompleted: _decide_assessment_completed,
    ev.CINPlanStarted: _decide_cin_plan_started,
    ev.CINPlanEnded: _decide_cin_plan_ended,
    ev.StrategyDiscussionHeld: _decide_strategy,
    ev.Section47EnquiryStarted: _decide_s47_started,
    ev.Section47EnquiryCompleted: _decide_s47_completed,
    ev.InitialChildProtectionConferenceHeld: _decide_icpc,
    ev.ChildProtectionPlanStarted: _decide_cp_plan_started,
    ev.ChildProtectionReviewHeld: _decide_cp_review,
    ev.ChildProtectionPlanEnded: _decide_cp_plan_ended,
    ev.PreProceedingsStarted: _decide_pre_proceedings,
    ev.LetterBeforeProceedingsSent: _decide_pre_proceedings_step,
    ev.FamilyGroupDecisionMeetingHeld: _decide_pre_proceedings_step,
    ev.PreProceedingsMeetingHeld: _decide_pre_proceedings_step,
    ev.PreProceedingsEnded: _decide_pre_proceedings_step,
    ev.EarlyHelpAssessmentStarted: _decide_early_help_started,
    ev.EarlyHelpAssessmentCompleted: _decide_early_help_completed,
    ev.CareProceedingsIssued: _decide_proceedings_issued,
    ev.CourtOrderMade: _decide_order,
    ev.CareProceedingsConcluded: _decide_proceedings_concluded,
    ev.WorkerAllocated: _decide_allocated,
    ev.WorkerAllocationEnded: _decide_allocation_ended,
    ev.CaseTransferred: _decide_transfer,
    ev.PeriodOfCareStarted: _decide_period_started,
    ev.LegalStatusChanged: _decide_legal_status,
    ev.PlacementStarted: _decide_placement_started,
    ev.PlacementEnded: _decide_placement_ended,
    ev.PeriodOfCareEnded: _decide_period_ended,
    ev.LookedAfterReviewHeld: _decide_review,
    ev.StatutoryVisitMade: _decide_visit,
    ev.MissingEpisodeStarted: _decide_missing_started,
    ev.MissingEpisodeEnded: _decide_missing_ended,
    ev.HealthAssessmentCompleted: _decide_in_care,
    ev.ImmunisationsReviewed: _decide_in_care,
    ev.StrengthsAndDifficultiesRecorded: _decide_in_care,
    ev.SubstanceMisuseIdentified: _decide_in_care,
    ev.PermanencePlanRecorded: _decide_in_care,
    ev.DisruptionMeetingHeld: _decide_disruption,
    ev.AdoptionDecisionMade: _decide_adoption_decision,
    ev.AdopterMatched: _decide_matched,
    ev.PlacedForAdoption: _decide_placed_for_adoption,
    ev.AdoptionDecisionReversed: _decide_adoption_reversed,
    ev.PathwayPlanReviewed: _decide_care_leaver,
    ev.CareLeaverContactRecorded: _decide_care_leaver,
    ev.StayingPutArranged: _decide_staying_put,
    ev.CaseSteppedDown: _decide_closure,
    ev.CaseClosed: _decide_closure,
}


# --- the mutations ----------------------------------------------------------------------


def _registered(child: Child, e: ev.ChildRegistered, at: datetime) -> None:
    child.registered = True
    child.la_child_id = e.la_child_id
    child.sex, child.ethnicity, child.uasc, child.upn = e.sex, e.ethnicity, e.uasc, e.upn
    child.date_of_birth, child.expected_date_of_birth = e.date_of_birth, e.expected_date_of_birth
    child.disabilities = list(e.disabilities)


def _details(child: Child, e: ev.ChildDetailsUpdated, at: datetime) -> None:
    for name in ("sex", "date_of_birth", "upn", "ethnicity", "uasc"):
        value = getattr(e, name)
        if value is not None:
            setattr(child, name, value)
    if e.disabilities is not None:
        child.disabilities = list(e.disabilities)


def _died(child: Child, e: ev.ChildDied, at: datetime) -> None:
    child.died_on = at


def _erased(child: Child, e: ev.ChildErased, at: datetime) -> None:
    """What the state held of the child's personal fields goes too (a reader that folded
    the record before the erasure may hold them)."""
    child.erased_on = at
    child.date_of_birth = child.expected_date_of_birth = child.upn = None


def _end(spans: dict[str, Span], key: str, at: datetime, **detail: Any) -> None:
    span = spans.get(key)
    if span is not None and span.end is None:
        span.end = at
        span.detail.update(detail)


def _end_allocations(child: Child, at: datetime) -> None:
    for span in child.allocations.values():
        if span.end is None:
            span.end = at


def _close_case(child: Child, at: datetime, reason: str) -> None:
    referral = child.open_in(child.referrals)
    if referral is not None:
        _end(child.referrals, referral, at, closure_reason=reason)
    _end_allocations(child, at)
    child.case_closed = Span(start=at, kind=reason)


def _allocation(e: ev.WorkerAllocated | ev.CaseTransferred, role: str, team: str) -> dict[str, Any]:
    return {
        "worker_id": e.worker_id,
        "team_id": team,
        "reason": e.reason,
        "swe_registration": e.swe_registration,
        "exceptional": e.exceptional,
        "scrutiny": e.scrutiny is not None,
    }


def _transferred(child: Child, e: ev.CaseTransferred, at: datetime) -> None:
    lead = child.lead_allocation()
    if lead is not None:
        child.allocations[lead].end = at
    child.allocations[e.allocation_id] = Span(
        at, kind="social_worker", detail=_allocation(e, "social_worker", e.to_team_id)
    )


def _placement_started(child: Child, e: ev.PlacementStarted, at: datetime) -> None:
    child.placements[e.placement_id] = Span(
        at,
        kind=e.place,
        detail={"provider": e.provider, "carer_household_id": e.carer_household_id},
    )


def _period_ended(child: Child, e: ev.PeriodOfCareEnded, at: datetime) -> None:
    _end(child.periods_of_care, e.period_id, at, reason=e.reason)
    placement = child.open_in(child.placements)
    if placement is not None:
        _end(child.placements, placement, at, reason=None, unplanned=False)
    child.legal_status = None


def _adoption_matched(child: Child, e: ev.AdopterMatched, at: datetime) -> None:
    detail = child.adoption_decisions[e.decision_id].detail
    detail.update(matched_with=e.adopter_household_id, matched_on=at.isoformat())


def _cp_plan_started(child: Child, e: ev.ChildProtectionPlanStarted, at: datetime) -> None:
    child.cp_plans[e.plan_id] = Span(at, kind=e.category_of_abuse)
    child.conferences[e.conference_id].detail["plan_id"] = e.plan_id


def _proceedings_issued(child: Child, e: ev.CareProceedingsIssued, at: datetime) -> None:
    child.proceedings[e.proceedings_id] = Span(at)
    for key in child.pre_proceedings:
        _end(child.pre_proceedings, key, at)


def _period_started(child: Child, e: ev.PeriodOfCareStarted, at: datetime) -> None:
    child.periods_of_care[e.period_id] = Span(at, kind=e.legal_status)
    child.legal_status = e.legal_status


def _order_made(child: Child, e: ev.CourtOrderMade, at: datetime) -> None:
    child.orders[e.order_id] = Span(at, end=at, kind=e.order_type)
    if e.order_type == "adoption":
        decision = child.open_in(child.adoption_decisions)
        if decision is not None:
            _end(child.adoption_decisions, decision, at, outcome="adopted")


_MUTATIONS: dict[type[ev.Event], Any] = {
    ev.ChildRegistered: _registered,
    ev.ChildDetailsUpdated: _details,
    ev.ChildDied: _died,
    ev.ChildErased: _erased,
    ev.ContactReceived: lambda c, e, at: c.contacts.__setitem__(
        e.contact_id, Span(at, end=at, kind=e.outcome)
    ),
    ev.ReferralReceived: lambda c, e, at: c.referrals.__setitem__(
        e.referral_id, Span(at, kind=e.primary_need)
    ),
    ev.ReferralClosedNoFurtherAction: lambda c, e, at: _close_case(c, at, "RC8"),
    ev.AssessmentStarted: lambda c, e, at: c.assessments.__setitem__(
        e.assessment_id, Span(at, detail={"referral_id": e.referral_id})
    ),
    ev.AssessmentCompleted: lambda c, e, at: _end(c.assessments, e.assessment_id, at),
    ev.CINPlanStarted: lambda c, e, at: c.cin_plans.__setitem__(e.plan_id, Span(at)),
    ev.CINPlanEnded: lambda c, e, at: _end(c.cin_plans, e.plan_id, at),
    ev.StrategyDiscussionHeld: lambda c, e, at: c.strategy_discussions.__setitem__(
        e.strategy_id, Span(at, end=at, detail={"section47_needed": e.section47_needed})
    ),
    ev.Section47EnquiryStarted: lambda c, e, at: c.enquiries.__setitem__(
        e.enquiry_id, Span(at, detail={"strategy_id": e.strategy_id})
    ),
    ev.Section47EnquiryCompleted: lambda c, e, at: _end(c.enquiries, e.enquiry_id, at),
    ev.InitialChildProtectionConferenceHeld: lambda c, e, at: c.conferences.__setitem__(
        e.conference_id, Span(at, end=at, detail={"plan_decided": e.plan_decided})
    ),
    ev.ChildProtectionPlanStarted: _cp_plan_started,
    ev.ChildProtectionPlanEnded: lambda c, e, at: _end(c.cp_plans, e.plan_id, at),
    ev.PreProceedingsStarted: lambda c, e, at: c.pre_proceedings.__setitem__(
        e.pre_proceedings_id, Span(at)
    ),
    ev.PreProceedingsEnded: lambda c, e, at: _end(
        c.pre_proceedings, e.pre_proceedings_id, at, outcome=e.outcome
    ),
    ev.EarlyHelpAssessmentStarted: lambda c, e, at: c.early_help.__setitem__(
        e.assessment_id, Span(at, detail={"organisation": e.organisation})
    ),
    ev.EarlyHelpAssessmentCompleted: lambda c, e, at: _end(c.early_help, e.assessment_id, at),
    ev.CareProceedingsIssued: _proceedings_issued,
    ev.CourtOrderMade: _order_made,
    ev.CareProceedingsConcluded: lambda c, e, at: _end(c.proceedings, e.proceedings_id, at),
    ev.WorkerAllocated: lambda c, e, at: c.allocations.__setitem__(
        e.allocation_id, Span(at, kind=e.role, detail=_allocation(e, e.role, e.team_id))
    ),
    ev.WorkerAllocationEnded: lambda c, e, at: _end(c.allocations, e.allocation_id, at),
    ev.CaseTransferred: _transferred,
    ev.PeriodOfCareStarted: _period_started,
    ev.LegalStatusChanged: lambda c, e, at: setattr(c, "legal_status", e.legal_status),
    ev.PlacementStarted: _placement_started,
    ev.PlacementEnded: lambda c, e, at: _end(
        c.placements, e.placement_id, at, reason=e.reason, unplanned=e.unplanned
    ),
    ev.PeriodOfCareEnded: _period_ended,
    ev.LookedAfterReviewHeld: lambda c, e, at: c.reviews.__setitem__(e.review_id, Span(at, end=at)),
    ev.StatutoryVisitMade: lambda c, e, at: c.visits.__setitem__(e.visit_id, Span(at, end=at)),
    ev.MissingEpisodeStarted: lambda c, e, at: c.missing_episodes.__setitem__(
        e.episode_id, Span(at, kind=e.kind)
    ),
    ev.MissingEpisodeEnded: lambda c, e, at: _end(c.missing_episodes, e.episode_id, at),
    ev.PermanencePlanRecorded: lambda c, e, at: setattr(c, "permanence_plan", e.plan),
    ev.DisruptionMeetingHeld: lambda c, e, at: c.disruption_meetings.__setitem__(
        e.meeting_id, Span(at, end=at, detail={"placement_id": e.placement_id})
    ),
    ev.AdoptionDecisionMade: lambda c, e, at: c.adoption_decisions.__setitem__(
        e.decision_id, Span(at)
    ),
    ev.AdopterMatched: _adoption_matched,
    ev.AdoptionDecisionReversed: lambda c, e, at: _end(
        c.adoption_decisions, e.decision_id, at, outcome="reversed", reason=e.reason
    ),
    ev.CaseSteppedDown: lambda c, e, at: _close_case(c, at, "RC9"),
    ev.CaseClosed: lambda c, e, at: _close_case(c, at, e.reason),
}
