"""Every event in plain English, for the audit trail and the chronology.

`describe(event)` is one sentence naming what happened with the ids and codes a manager
or auditor needs (with the code's meaning), and nothing personal: no names, dates of
birth, postcodes, pupil numbers, court references or free text. The audit trail stores
these sentences in the clear.

`describe(event, detail=True)` is for the chronology a court reads, worked out on demand
from the decrypted stream: it adds the child's name and date of birth, court references
and what staff wrote (reasons, learning, the rationale of a reallocation). Placement
postcodes and URNs are never shown, even then: where a child lives is kept from anyone
who reads a bundle.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from journey import events as ev
from journey.codes import meaning

# Fields whose values the audit trail never shows (it says that the field changed).
PERSONAL_FIELDS = frozenset(
    {
        "given_name",
        "family_name",
        "date_of_birth",
        "expected_date_of_birth",
        "upn",
        "home_postcode",
        "postcode",
        "urn",
        "name",  # a worker's name
        "court_reference",
    }
)
FREE_TEXT_FIELDS = frozenset({"reason_detail", "reasons", "learning", "attendees", "scrutiny"})
SENSITIVE_FIELDS = PERSONAL_FIELDS | FREE_TEXT_FIELDS

SEX = {"1": "male", "2": "female", "9": "sex not stated"}
ROLES = {
    "social_worker": "Lead social worker",
    "personal_adviser": "Personal adviser",
    "iro": "Independent reviewing officer",
    "supervising_social_worker": "Supervising social worker",
    "family_support_worker": "Family support worker",
}
ORDERS = {
    "emergency_protection": "Emergency protection order",
    "interim_care": "Interim care order",
    "interim_supervision": "Interim supervision order",
    "care": "Care order",
    "supervision": "Supervision order",
    "placement": "Placement order",
    "special_guardianship": "Special guardianship order",
    "child_arrangements": "Child arrangements order",
    "adoption": "Adoption order",
}
SERVICES = {
    "front_door": "front door",
    "child_in_need": "child in need",
    "looked_after": "looked after",
    "leaving_care": "leaving care",
    "fostering": "fostering",
    "adoption": "adoption",
    "quality_assurance": "quality assurance",
}
SUPPORT = {
    "mockingbird_planned_sleepover": "Mockingbird planned sleepover",
    "mockingbird_crisis_sleepover": "Mockingbird crisis sleepover",
    "post_order_support_visit": "post-order support visit",
    "post_order_support_call": "post-order support call",
    "camhs": "CAMHS session",
}
HOUSEHOLDS = {
    "foster": "foster carer",
    "kinship": "kinship carer",
    "adopter": "adopter",
    "staying_put": "staying put carer",
}


def words(value: str) -> str:
    """A snake_case value as words: child_in_need_plan -> child in need plan."""
    return value.replace("_", " ")


def coded(list_name: str, code: str | None) -> str:
    """A code with its meaning: 'U3 (Kinship foster care - other)'."""
    if code is None:
        return "not given"
    said = meaning(list_name, code)
    return code if said == code else f"{code} ({said})"


def _yes(flag: bool, yes: str, no: str) -> str:
    return yes if flag else no


def _short(event_id: object) -> str:
    return str(event_id)[:8]


def _child_registered(e: ev.ChildRegistered, detail: bool) -> str:
    unborn = e.date_of_birth is None
    text = "Child registered before birth" if unborn else "Child registered"
    if not detail:
        return text
    parts = [" ".join(n for n in (e.given_name, e.family_name) if n)]
    if e.date_of_birth is not None:
        parts.append(f"born {e.date_of_birth.isoformat()}")
    if e.expected_date_of_birth is not None:
        parts.append(f"expected {e.expected_date_of_birth.isoformat()}")
    parts.append(SEX[e.sex])
    if e.upn:
        parts.append(f"UPN {e.upn}")
    if e.uasc:
        parts.append("unaccompanied asylum-seeking child")
    return f"{text}: " + ", ".join(p for p in parts if p)


def _child_details(e: ev.ChildDetailsUpdated, detail: bool) -> str:
    given = {k: v for k, v in e.data().items() if v is not None and k != "la_child_id"}
    if not detail:
        return "Child's details updated: " + ", ".join(words(k) for k in given)
    shown = []
    for key, value in given.items():
        if key in ("home_postcode",):
            shown.append(f"{words(key)} (not shown)")
        elif key == "sex":
            shown.append(f"sex {SEX[value]}")
        elif isinstance(value, list):
            shown.append(f"{words(key)} {', '.join(map(str, value))}")
        elif isinstance(value, bool):
            shown.append(f"{words(key)} {_yes(value, 'yes', 'no')}")
        else:
            shown.append(f"{words(key)} {value}")
    return "Child's details updated: " + "; ".join(shown)


def _assessment_completed(e: ev.AssessmentCompleted, detail: bool) -> str:
    factors = f"; factors {', '.join(e.factors)}" if e.factors else ""
    seen = _yes(e.child_seen, "child seen", "child not seen")
    return (
        f"Assessment {e.assessment_id} completed, authorised {e.authorised_on.isoformat()}; "
        f"outcome: {words(e.outcome)}; {seen}{factors}"
    )


def _icpc(e: ev.InitialChildProtectionConferenceHeld, detail: bool) -> str:
    decided = (
        f"child protection plan decided, category {coded('ABUSE_CATEGORY', e.category_of_abuse)}"
        if e.plan_decided
        else "no child protection plan"
    )
    return (
        f"Initial child protection conference {e.conference_id} held "
        f"(enquiry {e.enquiry_id}): {decided}"
    )


def _cp_review(e: ev.ChildProtectionReviewHeld, detail: bool) -> str:
    text = f"Child protection review held for plan {e.plan_id}: " + _yes(
        e.plan_continues, "plan continues", "plan to end"
    )
    if e.category_of_abuse:
        text += f"; category {coded('ABUSE_CATEGORY', e.category_of_abuse)}"
    return text


def _court_order(e: ev.CourtOrderMade, detail: bool) -> str:
    text = f"{ORDERS[e.order_type]} made (order {e.order_id}"
    if e.proceedings_id:
        text += f", proceedings {e.proceedings_id}"
    if detail and e.court_reference:
        text += f", court reference {e.court_reference}"
    return text + ")"


def _proceedings_issued(e: ev.CareProceedingsIssued, detail: bool) -> str:
    text = f"Care proceedings {e.proceedings_id} issued"
    return text + (f" (court reference {e.court_reference})" if detail else "")


def _scrutiny(scrutiny: ev.Scrutiny | None, exceptional: bool, detail: bool) -> str:
    if not exceptional:
        return ""
    if scrutiny is None:
        return "; exceptional reallocation, no scrutiny recorded"
    text = (
        f"; exceptional reallocation approved by team manager {scrutiny.team_manager} and "
        f"service manager {scrutiny.service_manager}"
    )
    return text + (f": {scrutiny.rationale}" if detail else "")


def _reason(code: str | None) -> str:
    return "" if code is None else f"; reason {code}: {meaning('SW_REASON', code)}"


def _allocated(e: ev.WorkerAllocated, detail: bool) -> str:
    return (
        f"{ROLES[e.role]} {e.worker_id} allocated ({e.team_id}{_reason(e.reason)}"
        f"{_scrutiny(e.scrutiny, e.exceptional, detail)})"
    )


def _transferred(e: ev.CaseTransferred, detail: bool) -> str:
    return (
        f"Case transferred from {e.from_team_id} to {e.to_team_id}: lead social worker "
        f"{e.worker_id} allocated ({e.to_team_id}{_reason(e.reason)}"
        f"{_scrutiny(e.scrutiny, e.exceptional, detail)})"
    )


def _period_started(e: ev.PeriodOfCareStarted, detail: bool) -> str:
    return (
        f"Period of care {e.period_id} started: legal status {coded('LS', e.legal_status)}; "
        f"category of need {coded('PRIMARY_NEED', e.category_of_need)}"
    )


def _placement_started(e: ev.PlacementStarted, detail: bool) -> str:
    text = f"Placement {e.placement_id} started: {coded('PLACE', e.place)}"
    if e.provider:
        text += f"; provider {coded('PLACE_PROVIDER', e.provider)}"
    if e.carer_household_id:
        text += f"; carer household {e.carer_household_id}"
    return text


def _placement_ended(e: ev.PlacementEnded, detail: bool) -> str:
    text = (
        f"Placement {e.placement_id} ended ({_yes(e.unplanned, 'unplanned', 'planned')}): "
        f"{coded('REASON_PLACE_CHANGE', e.reason)}"
    )
    return text + (f"; {e.reason_detail}" if detail and e.reason_detail else "")


def _visit(e: ev.StatutoryVisitMade, detail: bool) -> str:
    what = "Statutory visit" if e.visit_kind == "social_worker_visit" else "IRO contact"
    alone = _yes(e.seen_alone, "child seen alone", "child not seen alone")
    return f"{what} {e.visit_id} by {e.worker_id} ({alone})"


def _missing_ended(e: ev.MissingEpisodeEnded, detail: bool) -> str:
    if not e.return_interview_offered:
        interview = "return interview not offered"
    elif e.return_interview_accepted:
        interview = "return interview offered and accepted"
    else:
        interview = "return interview offered, not accepted"
    return f"Missing episode {e.episode_id} ended; {interview}"


def _permanence(e: ev.PermanencePlanRecorded, detail: bool) -> str:
    text = f"Permanence plan recorded: {words(e.plan)}"
    if e.previous_permanence:
        text += f"; previous permanence {coded('PREV_PERM', e.previous_permanence)}"
    return text


def _disruption(e: ev.DisruptionMeetingHeld, detail: bool) -> str:
    text = f"Disruption meeting {e.meeting_id} held about placement {e.placement_id}"
    if not detail:
        return text + f" ({len(e.attendees)} attendees)"
    text += f": reasons: {e.reasons}"
    if e.learning:
        text += f"; learning: {e.learning}"
    if e.attendees:
        text += f"; attended: {', '.join(e.attendees)}"
    return text


def _leaver_contact(e: ev.CareLeaverContactRecorded, detail: bool) -> str:
    text = f"Care leaver contact: {coded('IN_TOUCH', e.in_touch)}"
    if e.activity:
        text += f"; activity {coded('ACTIV', e.activity)}"
    if e.accommodation:
        text += f"; accommodation {coded('ACCOM', e.accommodation)}"
    if e.accommodation_suitable is not None:
        text += _yes(e.accommodation_suitable, ", suitable", ", not suitable")
    return text


def _support(e: ev.SupportContactRecorded, detail: bool) -> str:
    text = f"Support contact: {SUPPORT.get(e.kind) or words(e.kind)} by {e.provider}"
    who = [f"worker {e.worker_id}"] if e.worker_id else []
    if e.carer_household_id:
        who.append(f"carer household {e.carer_household_id}")
    who.append(f"{e.duration_minutes} minutes")
    return f"{text} ({'; '.join(who)})"


def _retracted(e: ev.EventRetracted, detail: bool) -> str:
    text = f"Event {_short(e.target_event_id)} retracted as entered in error"
    return text + (f": {e.reason}" if detail else "")


def _corrected(e: ev.EventCorrected, detail: bool) -> str:
    text = f"Event {_short(e.target_event_id)} corrected: {', '.join(words(k) for k in e.changes)}"
    return text + (f" ({e.reason})" if detail else "")


def _worker_registered(e: ev.WorkerRegistered, detail: bool) -> str:
    facts = [words(e.role), f"team {e.team_id}", f"{e.fte:g} FTE"]
    if e.swe_registration:
        facts.append(f"Social Work England {e.swe_registration}")
    if e.agency:
        facts.append("agency")
    if not e.qualified:
        facts.append("not qualified")
    return f"Worker {e.worker_id} registered: " + ", ".join(facts)


def _worker_role(e: ev.WorkerRoleChanged, detail: bool) -> str:
    changes = []
    if e.role is not None:
        changes.append(f"role {words(e.role)}")
    if e.fte is not None:
        changes.append(f"{e.fte:g} FTE")
    return f"Worker {e.worker_id} now " + ", ".join(changes)


def _household_approved(e: ev.CarerHouseholdApproved, detail: bool) -> str:
    places = f"{e.places} place" + ("" if e.places == 1 else "s")
    return f"Carer household {e.household_id} approved as {HOUSEHOLDS[e.kind]} ({places})"


def _sdq(e: ev.StrengthsAndDifficultiesRecorded, detail: bool) -> str:
    if e.score is not None:
        return f"Strengths and Difficulties Questionnaire: score {e.score}"
    return (
        "Strengths and Difficulties Questionnaire not completed: "
        f"{coded('SDQ_REASON', e.reason_not_completed)}"
    )


def _previous_permanence(e: ev.PreviousPermanenceRecorded, detail: bool) -> str:
    text = f"Previous permanence recorded: {coded('PREV_PERM', e.previous_permanence)}"
    if e.council:
        text += f"; council {e.council}"
    if e.order_year:
        text += (
            f"; order {'-'.join(str(p) for p in (e.order_year, e.order_month, e.order_day) if p)}"
        )
    return text


def _adopter_enquiry(e: ev.AdopterEnquiryReceived, detail: bool) -> str:
    people = "one adopter" if len(e.adopters) == 1 else f"{len(e.adopters)} adopters"
    ffa = "; fostering for adoption" if e.fostering_for_adoption else ""
    return (
        f"Adoption enquiry from family {e.family_id} ({people}, "
        f"{coded('LS_ADOPTR', e.relationship)}{ffa})"
    )


Describer = Callable[[Any, bool], str]

DESCRIBERS: dict[str, Describer] = {
    "ChildRegistered": _child_registered,
    "ChildDetailsUpdated": _child_details,
    "ChildDied": lambda e, d: "Child died",
    "ChildErased": lambda e, d: f"Child's personal fields erased (data key destroyed): {e.reason}",
    "ChildGaveBirth": lambda e, d: "The child gave birth",
    "EarlyHelpAssessmentStarted": lambda e, d: (
        f"Early help assessment {e.assessment_id} started by {e.organisation}"
    ),
    "EarlyHelpAssessmentCompleted": lambda e, d: (
        f"Early help assessment {e.assessment_id} completed"
    ),
    "LetterBeforeProceedingsSent": lambda e, d: (
        f"Letter before proceedings sent ({e.pre_proceedings_id}); family group "
        "decision-making meeting " + _yes(e.family_group_meeting_offered, "offered", "not offered")
    ),
    "FamilyGroupDecisionMeetingHeld": lambda e, d: (
        f"Family group decision-making meeting held ({e.pre_proceedings_id})"
    ),
    "PreProceedingsMeetingHeld": lambda e, d: (
        f"Pre-proceedings {e.meeting} meeting held ({e.pre_proceedings_id})"
    ),
    "PreProceedingsEnded": lambda e, d: (
        f"Pre-proceedings {e.pre_proceedings_id} ended: {coded('PP_OUTCOME', e.outcome)}"
    ),
    "ImmunisationsReviewed": lambda e, d: (
        "Immunisations checked: " + _yes(e.up_to_date, "up to date", "not up to date")
    ),
    "StrengthsAndDifficultiesRecorded": _sdq,
    "OffenceRecorded": lambda e, d: "Conviction, final warning or reprimand recorded",
    "SubstanceMisuseIdentified": lambda e, d: (
        f"Substance misuse identified; intervention {words(e.intervention)}"
    ),
    "PreviousPermanenceRecorded": _previous_permanence,
    "AdopterEnquiryReceived": _adopter_enquiry,
    "AdoptionStageStarted": lambda e, d: f"Adopters {e.family_id} began stage {e.stage}",
    "AdoptionStageCompleted": lambda e, d: f"Adopters {e.family_id} completed stage {e.stage}",
    "AdopterApplicationSubmitted": lambda e, d: f"Adopters {e.family_id} applied to adopt",
    "AdopterFamilyApproved": lambda e, d: (
        f"Adopters {e.family_id} approved (carer household {e.household_id})"
    ),
    "AdopterFamilyLeftProcess": lambda e, d: (
        f"Adopters {e.family_id} left the adoption process: {coded('ADOPTER_LEFT', e.reason)}"
    ),
    "ContactReceived": lambda e, d: (
        f"Contact {e.contact_id} received from {coded('REFERRAL_SOURCE', e.contact_source)}; "
        f"outcome: {words(e.outcome)}"
    ),
    "ReferralReceived": lambda e, d: (
        f"Referral {e.referral_id} received from "
        f"{coded('REFERRAL_SOURCE', e.referral_source)}; primary need "
        f"{coded('PRIMARY_NEED', e.primary_need)}"
    ),
    "ReferralClosedNoFurtherAction": lambda e, d: (
        f"Referral {e.referral_id} closed with no further action"
    ),
    "AssessmentStarted": lambda e, d: (
        f"Assessment {e.assessment_id} started (referral {e.referral_id})"
    ),
    "AssessmentCompleted": _assessment_completed,
    "CINPlanStarted": lambda e, d: f"Child in need plan {e.plan_id} started",
    "CINPlanEnded": lambda e, d: f"Child in need plan {e.plan_id} ended",
    "StrategyDiscussionHeld": lambda e, d: (
        f"Strategy discussion {e.strategy_id} held; section 47 enquiry "
        + _yes(e.section47_needed, "needed", "not needed")
    ),
    "Section47EnquiryStarted": lambda e, d: (
        f"Section 47 enquiry {e.enquiry_id} started (strategy discussion {e.strategy_id})"
    ),
    "Section47EnquiryCompleted": lambda e, d: (
        f"Section 47 enquiry {e.enquiry_id} completed; initial conference "
        + _yes(e.conference_needed, "needed", "not needed")
    ),
    "InitialChildProtectionConferenceHeld": _icpc,
    "ChildProtectionPlanStarted": lambda e, d: (
        f"Child protection plan {e.plan_id} started (conference {e.conference_id}); "
        f"category {coded('ABUSE_CATEGORY', e.category_of_abuse)}"
    ),
    "ChildProtectionReviewHeld": _cp_review,
    "ChildProtectionPlanEnded": lambda e, d: f"Child protection plan {e.plan_id} ended",
    "PreProceedingsStarted": lambda e, d: (
        f"Pre-proceedings (public law outline) {e.pre_proceedings_id} started"
    ),
    "CareProceedingsIssued": _proceedings_issued,
    "CourtOrderMade": _court_order,
    "CareProceedingsConcluded": lambda e, d: f"Care proceedings {e.proceedings_id} concluded",
    "WorkerAllocated": _allocated,
    "WorkerAllocationEnded": lambda e, d: f"Allocation {e.allocation_id} ended",
    "CaseTransferred": _transferred,
    "PeriodOfCareStarted": _period_started,
    "LegalStatusChanged": lambda e, d: f"Legal status changed to {coded('LS', e.legal_status)}",
    "PlacementStarted": _placement_started,
    "PlacementEnded": _placement_ended,
    "PeriodOfCareEnded": lambda e, d: (
        f"Period of care {e.period_id} ended: {coded('REC', e.reason)}"
    ),
    "LookedAfterReviewHeld": lambda e, d: (
        f"Looked-after review {e.review_id} held: {coded('REVIEW_CODE', e.review_code)}"
    ),
    "StatutoryVisitMade": _visit,
    "MissingEpisodeStarted": lambda e, d: (
        f"Missing episode {e.episode_id} started: {coded('MISSING', e.kind)}"
    ),
    "MissingEpisodeEnded": _missing_ended,
    "HealthAssessmentCompleted": lambda e, d: f"{words(e.assessment_kind).capitalize()} completed",
    "PermanencePlanRecorded": _permanence,
    "DisruptionMeetingHeld": _disruption,
    "AdoptionDecisionMade": lambda e, d: (
        f"Decision that the child should be placed for adoption ({e.decision_id})"
    ),
    "AdopterMatched": lambda e, d: (
        f"Matched with adopters, household {e.adopter_household_id} (decision {e.decision_id})"
    ),
    "PlacedForAdoption": lambda e, d: (
        f"Placed for adoption with household {e.adopter_household_id} (decision {e.decision_id})"
    ),
    "AdoptionDecisionReversed": lambda e, d: (
        f"Adoption decision {e.decision_id} reversed: {coded('REASON_PLACED_CEASED', e.reason)}"
    ),
    "LifeStoryWorkCompleted": lambda e, d: "Life story work completed",
    "PathwayPlanReviewed": lambda e, d: "Pathway plan reviewed",
    "CareLeaverContactRecorded": _leaver_contact,
    "StayingPutArranged": lambda e, d: (
        f"Staying put arranged with carer household {e.carer_household_id}"
    ),
    "SupportContactRecorded": _support,
    "CaseSteppedDown": lambda e, d: "Case stepped down to early help",
    "CaseClosed": lambda e, d: f"Case closed: {coded('CIN_CLOSURE', e.reason)}",
    "EventRetracted": _retracted,
    "EventCorrected": _corrected,
    "WorkerRegistered": _worker_registered,
    "WorkerJoinedTeam": lambda e, d: f"Worker {e.worker_id} joined team {e.team_id}",
    "WorkerRoleChanged": _worker_role,
    "WorkerLeft": lambda e, d: f"Worker {e.worker_id} left",
    "TeamEstablished": lambda e, d: (
        f"Team {e.team_id} established: {e.name} ({SERVICES[e.service]} service)"
    ),
    "TeamRenamed": lambda e, d: f"Team {e.team_id} renamed {e.name}",
    "TeamMovedService": lambda e, d: f"Team {e.team_id} moved to the {SERVICES[e.service]} service",
    "TeamClosed": lambda e, d: f"Team {e.team_id} closed",
    "CarerHouseholdApproved": _household_approved,
    "CarerHouseholdJoinedConstellation": lambda e, d: (
        f"Carer household {e.household_id} joined Mockingbird constellation "
        f"{e.constellation_id} as {e.constellation_role}"
    ),
    "CarerHouseholdLeftConstellation": lambda e, d: (
        f"Carer household {e.household_id} left Mockingbird constellation {e.constellation_id}"
    ),
    "CarerHouseholdDeregistered": lambda e, d: f"Carer household {e.household_id} deregistered",
}


def describe(event: ev.Event, *, detail: bool = False) -> str:
    """What happened, in one sentence. Without `detail` nothing personal is said (no
    names, dates of birth, postcodes or free text); with it, free text and the child's
    identity are included for a chronology read by a court."""
    return DESCRIBERS[event.type](event, detail)


def shown_value(value: Any) -> str:
    """A field's value as a person reads it."""
    if value is None:
        return "blank"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def field_name(name: str) -> str:
    """A field name as words ('occurred_at' is the date it happened)."""
    return "date" if name == "occurred_at" else words(name)
