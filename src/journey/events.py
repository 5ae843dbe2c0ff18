"""The event catalogue (DESIGN §4): every fact the ledger records, as a pydantic model.

The JSON form of an event is flat and the same everywhere (files, HTTP, Python):
``{"type": "PlacementStarted", "la_child_id": "...", "occurred_at": "...",
"event_id": "..." or "idempotency_key": "...", ...fields}``.

The fields a caller supplies beside the domain fields (`CALLER_ENVELOPE`) are split off
when the ledger stores an event; the ledger adds the rest of the envelope (child_id,
version, recorded_at, recorded_by, schema_version, prev_hash, hash).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal, Union
from uuid import UUID
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    TypeAdapter,
    ValidationInfo,
    model_validator,
)

from journey.codes import (
    PLACEMENTS_WITHOUT_PROVIDER,
    AbuseCategory,
    Accommodation,
    Activity,
    AdopterLeftReason,
    AdopterRelationship,
    CaseClosureReason,
    Disability,
    Ethnicity,
    InTouch,
    LegalStatus,
    MissingKind,
    PlacementProvider,
    PlacementType,
    PreProceedingsOutcome,
    PreviousPermanence,
    PrimaryNeed,
    ReasonEpisodeCeased,
    ReasonPlaceChange,
    ReasonPlacedCeased,
    ReferralSource,
    ReviewCode,
    SdqReason,
    SocialWorkerReason,
    UpnUnknown,
)
from journey.rules import FieldProblem

LONDON = ZoneInfo("Europe/London")

# What an erased child's record says where a required personal field was (an optional one
# reads as null), and the validation context of a record read without its personal fields.
ERASED = "erased"
ERASED_CONTEXT = {"erased": True}
EARLIEST_YEAR = 1900  # of any business time (occurred_at)


def _reading_erased(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("erased"))


def _earliest(day: date) -> date:
    if day.year < EARLIEST_YEAR:
        raise ValueError(f"a business time is in {EARLIEST_YEAR} or later")
    return day


def _parse_business_time(value: Any) -> date | datetime:
    """A date ("2024-05-01") or a date and time; a time without an offset is London time.
    Nothing the ledger records happened before EARLIEST_YEAR (and a time in year 1 cannot
    even be turned into London's: its offset then takes it to year 0)."""
    parsed: date | datetime
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        return _earliest(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            parsed = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"'{value}' is not an ISO 8601 date (YYYY-MM-DD) or date and time"
            ) from None
    else:
        raise ValueError("expected an ISO 8601 date or date and time")
    if not isinstance(parsed, datetime):
        return _earliest(parsed)
    _earliest(parsed.date())
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=LONDON)


BusinessTime = Annotated[
    date | datetime,
    BeforeValidator(_parse_business_time),
    PlainSerializer(lambda v: v.isoformat(), return_type=str),
]
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/-]*$")]
Text = Annotated[str, Field(min_length=1, max_length=4000)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Postcode = Annotated[
    str,
    Field(pattern=r"^[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}$", description="UK postcode"),
]
SweRegistration = Annotated[
    str, Field(pattern=r"^(SW[0-9]{1,10}|XX)$", description="Social Work England number")
]
AssessmentFactor = Annotated[str, Field(pattern=r"^([1-9]|1[0-9]|2[0-4])[A-C]?$")]

Role = Literal[
    "social_worker",
    "personal_adviser",
    "iro",
    "supervising_social_worker",
    "family_support_worker",
]
OrderType = Literal[
    "emergency_protection",
    "interim_care",
    "interim_supervision",
    "care",
    "supervision",
    "placement",
    "special_guardianship",
    "child_arrangements",
    "adoption",
]
FINAL_ORDERS = frozenset(
    {"care", "supervision", "placement", "special_guardianship", "child_arrangements", "adoption"}
)
TeamService = Literal[
    "front_door",
    "child_in_need",
    "looked_after",
    "leaving_care",
    "fostering",
    "adoption",
    "quality_assurance",
]
SupportKind = Literal[
    "therapeutic_session",
    "life_story_work",
    "letterbox_exchange",
    "mockingbird_planned_sleepover",
    "mockingbird_crisis_sleepover",
    "respite",
    "personal_adviser_contact",
    "post_order_support_visit",
    "post_order_support_call",
    "camhs",
    "supervised_family_time",
]

# Fields a caller may send beside the domain fields; never part of an event's data.
CALLER_ENVELOPE = frozenset(
    {
        "type",
        "occurred_at",
        "event_id",
        "idempotency_key",
        "source",
        "correlation_id",
        "causation_id",
        "on_behalf_of",
    }
)


# Hours as a fraction of full time. At least 0.01: below 0.0001 JSON writers disagree on
# how to write a number (6e-05 or 0.00006), and canonical bytes must be one thing.
Fte = Annotated[float, Field(ge=0.01, le=1)]


class Event(BaseModel):
    """Base of every event: the caller's part of the envelope."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    stream: ClassVar[str]  # "child", "worker", "team" or "carer_household"
    schema_version: ClassVar[int] = 1

    type: str
    occurred_at: BusinessTime
    event_id: UUID | None = None
    idempotency_key: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    source: Annotated[str, Field(max_length=100)] | None = None
    correlation_id: Annotated[str, Field(max_length=200)] | None = None
    causation_id: Annotated[str, Field(max_length=200)] | None = None
    on_behalf_of: Id | None = None
    _erased: bool = PrivateAttr(default=False)

    @property
    def erased(self) -> bool:
        """Read from the record of an erased child: its personal fields are gone."""
        return self._erased

    def mark_erased(self) -> None:
        self._erased = True

    @model_validator(mode="after")
    def _needs_identity(self) -> Event:
        if self.event_id is None and self.idempotency_key is None:
            raise FieldProblem(
                "idempotency_key",
                "event_id or idempotency_key is required, so that a retried request "
                "is never recorded twice",
            )
        return self

    def data(self) -> dict[str, Any]:
        """The domain fields, as stored (JSON-ready); the stream's own id among them."""
        return self.model_dump(mode="json", exclude=set(CALLER_ENVELOPE))

    @classmethod
    def stream_key(cls) -> str:
        return STREAM_KEYS[cls.stream]

    def stream_name(self) -> str:
        return str(getattr(self, self.stream_key()))


STREAM_KEYS = {
    "child": "la_child_id",
    "worker": "worker_id",
    "team": "team_id",
    "carer_household": "household_id",
    "adopter_family": "family_id",
}


class ChildEvent(Event):
    stream: ClassVar[str] = "child"
    la_child_id: Id


# --- identity ---------------------------------------------------------------------------


class ChildRegistered(ChildEvent):
    type: Literal["ChildRegistered"] = "ChildRegistered"
    sex: Literal["1", "2", "9"] = Field(description="1 male, 2 female, 9 not stated")
    date_of_birth: date | None = None
    expected_date_of_birth: date | None = None
    upn: Annotated[str, Field(pattern=r"^[A-Z][0-9]{11}[0-9A-Z]$")] | None = None
    upn_unknown: UpnUnknown | None = None
    given_name: Name | None = None
    family_name: Name | None = None
    ethnicity: Ethnicity = "NOBT"
    disabilities: list[Disability] = Field(default_factory=lambda: ["NONE"])
    uasc: bool = False
    home_postcode: Postcode | None = None

    @model_validator(mode="after")
    def _birth(self, info: ValidationInfo) -> ChildRegistered:
        if _reading_erased(info):
            return self
        if (self.date_of_birth is None) == (self.expected_date_of_birth is None):
            raise FieldProblem(
                "date_of_birth", "give exactly one of date_of_birth or expected_date_of_birth"
            )
        return self


class ChildDetailsUpdated(ChildEvent):
    type: Literal["ChildDetailsUpdated"] = "ChildDetailsUpdated"
    sex: Literal["1", "2", "9"] | None = None
    date_of_birth: date | None = None
    upn: Annotated[str, Field(pattern=r"^[A-Z][0-9]{11}[0-9A-Z]$")] | None = None
    upn_unknown: UpnUnknown | None = None
    given_name: Name | None = None
    family_name: Name | None = None
    ethnicity: Ethnicity | None = None
    disabilities: list[Disability] | None = None
    uasc: bool | None = None
    home_postcode: Postcode | None = None

    @model_validator(mode="after")
    def _something(self, info: ValidationInfo) -> ChildDetailsUpdated:
        if _reading_erased(info):
            return self
        if not any(v is not None for v in self.data().values()):
            raise FieldProblem("type", "ChildDetailsUpdated must change at least one detail")
        return self


class ChildDied(ChildEvent):
    type: Literal["ChildDied"] = "ChildDied"


class ChildErased(ChildEvent):
    """The child's data key was destroyed (`journey erase`): every personal field of the
    record is unreadable from then on, everywhere, and nothing more can be recorded. The
    reason says why (a decision's reference, not personal data): it stays readable."""

    type: Literal["ChildErased"] = "ChildErased"
    reason: Text


class ChildGaveBirth(ChildEvent):
    """The child became a mother; occurred_at is her baby's date of birth (SSDA903 MOTHER
    and MC_DOB). The baby, if the council works with them, has a stream of their own."""

    type: Literal["ChildGaveBirth"] = "ChildGaveBirth"


# --- front door -------------------------------------------------------------------------


class ContactReceived(ChildEvent):
    type: Literal["ContactReceived"] = "ContactReceived"
    contact_id: Id
    contact_source: ReferralSource
    outcome: Literal["advice_given", "referred", "early_help", "no_further_action"]


class ReferralReceived(ChildEvent):
    type: Literal["ReferralReceived"] = "ReferralReceived"
    referral_id: Id
    referral_source: ReferralSource
    primary_need: PrimaryNeed
    contact_id: Id | None = None


class ReferralClosedNoFurtherAction(ChildEvent):
    type: Literal["ReferralClosedNoFurtherAction"] = "ReferralClosedNoFurtherAction"
    referral_id: Id


# --- early help -------------------------------------------------------------------------


class EarlyHelpAssessmentStarted(ChildEvent):
    """An early help assessment (Ofsted Annex A List 2), by the council or a partner."""

    type: Literal["EarlyHelpAssessmentStarted"] = "EarlyHelpAssessmentStarted"
    assessment_id: Id
    organisation: Name


class EarlyHelpAssessmentCompleted(ChildEvent):
    type: Literal["EarlyHelpAssessmentCompleted"] = "EarlyHelpAssessmentCompleted"
    assessment_id: Id


# --- assessment -------------------------------------------------------------------------


class AssessmentStarted(ChildEvent):
    type: Literal["AssessmentStarted"] = "AssessmentStarted"
    assessment_id: Id
    referral_id: Id


class AssessmentCompleted(ChildEvent):
    type: Literal["AssessmentCompleted"] = "AssessmentCompleted"
    assessment_id: Id
    factors: list[AssessmentFactor] = Field(default_factory=list)
    authorised_on: date
    child_seen: bool = True
    outcome: Literal[
        "no_further_action",
        "early_help",
        "child_in_need_plan",
        "strategy_discussion",
        "looked_after",
        "other_services",
    ]


# --- child in need ----------------------------------------------------------------------


class CINPlanStarted(ChildEvent):
    type: Literal["CINPlanStarted"] = "CINPlanStarted"
    plan_id: Id


class CINPlanEnded(ChildEvent):
    type: Literal["CINPlanEnded"] = "CINPlanEnded"
    plan_id: Id


# --- child protection -------------------------------------------------------------------


class StrategyDiscussionHeld(ChildEvent):
    type: Literal["StrategyDiscussionHeld"] = "StrategyDiscussionHeld"
    strategy_id: Id
    section47_needed: bool


class Section47EnquiryStarted(ChildEvent):
    type: Literal["Section47EnquiryStarted"] = "Section47EnquiryStarted"
    enquiry_id: Id
    strategy_id: Id


class Section47EnquiryCompleted(ChildEvent):
    type: Literal["Section47EnquiryCompleted"] = "Section47EnquiryCompleted"
    enquiry_id: Id
    conference_needed: bool


class InitialChildProtectionConferenceHeld(ChildEvent):
    type: Literal["InitialChildProtectionConferenceHeld"] = "InitialChildProtectionConferenceHeld"
    conference_id: Id
    enquiry_id: Id
    plan_decided: bool
    category_of_abuse: AbuseCategory | None = None

    @model_validator(mode="after")
    def _category(self) -> InitialChildProtectionConferenceHeld:
        if self.plan_decided and self.category_of_abuse is None:
            raise FieldProblem(
                "category_of_abuse",
                "category_of_abuse is required when the conference decided on a plan",
            )
        return self


class ChildProtectionPlanStarted(ChildEvent):
    type: Literal["ChildProtectionPlanStarted"] = "ChildProtectionPlanStarted"
    plan_id: Id
    conference_id: Id
    category_of_abuse: AbuseCategory


class ChildProtectionReviewHeld(ChildEvent):
    type: Literal["ChildProtectionReviewHeld"] = "ChildProtectionReviewHeld"
    plan_id: Id
    plan_continues: bool = True
    category_of_abuse: AbuseCategory | None = None


class ChildProtectionPlanEnded(ChildEvent):
    type: Literal["ChildProtectionPlanEnded"] = "ChildProtectionPlanEnded"
    plan_id: Id


# --- court ------------------------------------------------------------------------------


class PreProceedingsStarted(ChildEvent):
    type: Literal["PreProceedingsStarted"] = "PreProceedingsStarted"
    pre_proceedings_id: Id


class LetterBeforeProceedingsSent(ChildEvent):
    """The letter before proceedings (CIN census LBPSentDate), and whether it offered a
    family group decision-making meeting (FGDMMeetingOffer)."""

    type: Literal["LetterBeforeProceedingsSent"] = "LetterBeforeProceedingsSent"
    pre_proceedings_id: Id
    family_group_meeting_offered: bool


class FamilyGroupDecisionMeetingHeld(ChildEvent):
    """A family group decision-making meeting facilitated in pre-proceedings
    (FGDMMeetingFac)."""

    type: Literal["FamilyGroupDecisionMeetingHeld"] = "FamilyGroupDecisionMeetingHeld"
    pre_proceedings_id: Id


class PreProceedingsMeetingHeld(ChildEvent):
    """The first effective pre-proceedings meeting (InitialPPMeetingDate) or a review
    meeting after it (ReviewMeetingsCount)."""

    type: Literal["PreProceedingsMeetingHeld"] = "PreProceedingsMeetingHeld"
    pre_proceedings_id: Id
    meeting: Literal["initial", "review"]


class PreProceedingsEnded(ChildEvent):
    """The decision to step up to care proceedings or down (StepDecisionDate, PPOutcome);
    issuing care proceedings ends pre-proceedings too."""

    type: Literal["PreProceedingsEnded"] = "PreProceedingsEnded"
    pre_proceedings_id: Id
    outcome: PreProceedingsOutcome


class CareProceedingsIssued(ChildEvent):
    type: Literal["CareProceedingsIssued"] = "CareProceedingsIssued"
    proceedings_id: Id
    court_reference: Annotated[str, Field(min_length=1, max_length=40)]


class CourtOrderMade(ChildEvent):
    type: Literal["CourtOrderMade"] = "CourtOrderMade"
    order_id: Id
    order_type: OrderType
    proceedings_id: Id | None = None
    court_reference: Annotated[str, Field(min_length=1, max_length=40)] | None = None


class CareProceedingsConcluded(ChildEvent):
    type: Literal["CareProceedingsConcluded"] = "CareProceedingsConcluded"
    proceedings_id: Id


# --- allocation -------------------------------------------------------------------------


class Scrutiny(BaseModel):
    """Who approved an exceptional reallocation (seed 001: 'robust scrutiny by the team
    manager and service manager')."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    team_manager: Id
    service_manager: Id
    rationale: Text


class WorkerAllocated(ChildEvent):
    type: Literal["WorkerAllocated"] = "WorkerAllocated"
    allocation_id: Id
    worker_id: Id
    swe_registration: SweRegistration | None = None
    role: Role
    team_id: Id
    reason: SocialWorkerReason | None = None
    exceptional: bool = False
    scrutiny: Scrutiny | None = None

    @model_validator(mode="after")
    def _reason(self) -> WorkerAllocated:
        _check_lead_fields(self.role, self.reason, self.exceptional, self.scrutiny)
        return self


def _check_lead_fields(
    role: str, reason: str | None, exceptional: bool, scrutiny: Scrutiny | None
) -> None:
    if role == "social_worker" and reason is None:
        raise FieldProblem(
            "reason", "reason (SW_REASON) is required when a social worker is allocated"
        )
    if exceptional and scrutiny is None:
        raise FieldProblem("scrutiny", "an exceptional reallocation needs a scrutiny record")


class WorkerAllocationEnded(ChildEvent):
    type: Literal["WorkerAllocationEnded"] = "WorkerAllocationEnded"
    allocation_id: Id


class CaseTransferred(ChildEvent):
    """The case moves team: the lead social worker's allocation ends and a new one starts
    in the receiving team, in one event so the child is never left unallocated."""

    type: Literal["CaseTransferred"] = "CaseTransferred"
    transfer_id: Id
    from_team_id: Id
    to_team_id: Id
    allocation_id: Id
    worker_id: Id
    swe_registration: SweRegistration | None = None
    reason: SocialWorkerReason = "TSPROC"
    exceptional: bool = False
    scrutiny: Scrutiny | None = None

    @model_validator(mode="after")
    def _reason(self) -> CaseTransferred:
        _check_lead_fields("social_worker", self.reason, self.exceptional, self.scrutiny)
        return self


# --- looked after -----------------------------------------------------------------------


class PeriodOfCareStarted(ChildEvent):
    type: Literal["PeriodOfCareStarted"] = "PeriodOfCareStarted"
    period_id: Id
    legal_status: LegalStatus
    category_of_need: PrimaryNeed
    home_postcode: Postcode | None = None


class LegalStatusChanged(ChildEvent):
    type: Literal["LegalStatusChanged"] = "LegalStatusChanged"
    legal_status: LegalStatus


class PlacementStarted(ChildEvent):
    type: Literal["PlacementStarted"] = "PlacementStarted"
    placement_id: Id
    place: PlacementType
    provider: PlacementProvider | None = None
    postcode: Postcode | None = None
    urn: Annotated[str, Field(pattern=r"^(SC[0-9]{6}|[0-9]{6,7}|XXXXXXX)$")] | None = None
    carer_household_id: Id | None = None

    @model_validator(mode="after")
    def _provider(self) -> PlacementStarted:
        if self.place in PLACEMENTS_WITHOUT_PROVIDER and self.provider is not None:
            raise FieldProblem(
                "provider", f"provider must be blank for placement type {self.place}"
            )
        if self.place not in PLACEMENTS_WITHOUT_PROVIDER and self.provider is None:
            raise FieldProblem(
                "provider", f"provider (PLACE_PROVIDER) is required for placement {self.place}"
            )
        return self


class PlacementEnded(ChildEvent):
    """Schema version 2: the reason is a REASON_PLACE_CHANGE code with optional free text.
    Version 1 stored free text only; `upcasting` turns those into version 2 on load."""

    schema_version: ClassVar[int] = 2
    type: Literal["PlacementEnded"] = "PlacementEnded"
    placement_id: Id
    reason: ReasonPlaceChange
    reason_detail: Text | None = None
    unplanned: bool = False


class PeriodOfCareEnded(ChildEvent):
    type: Literal["PeriodOfCareEnded"] = "PeriodOfCareEnded"
    period_id: Id
    reason: ReasonEpisodeCeased

    @model_validator(mode="after")
    def _not_x1(self) -> PeriodOfCareEnded:
        if self.reason == "X1":
            raise FieldProblem(
                "reason", "X1 continues care: it ends an episode, never a period of care"
            )
        return self


class LookedAfterReviewHeld(ChildEvent):
    type: Literal["LookedAfterReviewHeld"] = "LookedAfterReviewHeld"
    review_id: Id
    review_code: ReviewCode


class StatutoryVisitMade(ChildEvent):
    type: Literal["StatutoryVisitMade"] = "StatutoryVisitMade"
    visit_id: Id
    worker_id: Id
    seen_alone: bool = False
    visit_kind: Literal["social_worker_visit", "iro_contact"] = "social_worker_visit"


class MissingEpisodeStarted(ChildEvent):
    type: Literal["MissingEpisodeStarted"] = "MissingEpisodeStarted"
    episode_id: Id
    kind: MissingKind = "M"


class MissingEpisodeEnded(ChildEvent):
    type: Literal["MissingEpisodeEnded"] = "MissingEpisodeEnded"
    episode_id: Id
    return_interview_offered: bool = False
    return_interview_accepted: bool = False


class HealthAssessmentCompleted(ChildEvent):
    """A statutory health assessment, a dental check, or (under five) a development
    assessment (SSDA903 OC2 HEALTH_ASSESSMENT, TEETH_CHECK, HEALTH_CHECK)."""

    type: Literal["HealthAssessmentCompleted"] = "HealthAssessmentCompleted"
    assessment_kind: Literal["health_assessment", "dental_check", "development_assessment"] = (
        "health_assessment"
    )


class ImmunisationsReviewed(ChildEvent):
    """Whether the child's immunisations were up to date when checked (OC2 IMMUNISATIONS)."""

    type: Literal["ImmunisationsReviewed"] = "ImmunisationsReviewed"
    up_to_date: bool


class StrengthsAndDifficultiesRecorded(ChildEvent):
    """A Strengths and Difficulties Questionnaire score (0-40), or why none was completed
    (OC2 SDQ_SCORE, SDQ_REASON)."""

    type: Literal["StrengthsAndDifficultiesRecorded"] = "StrengthsAndDifficultiesRecorded"
    score: Annotated[int, Field(ge=0, le=40)] | None = None
    reason_not_completed: SdqReason | None = None

    @model_validator(mode="after")
    def _one(self) -> StrengthsAndDifficultiesRecorded:
        if (self.score is None) == (self.reason_not_completed is None):
            raise FieldProblem(
                "score", "give exactly one of score (0-40) or reason_not_completed (SDQ1-SDQ5)"
            )
        return self


class OffenceRecorded(ChildEvent):
    """The child was convicted, or given a final warning or reprimand (OC2 CONVICTED)."""

    type: Literal["OffenceRecorded"] = "OffenceRecorded"


class SubstanceMisuseIdentified(ChildEvent):
    """A substance misuse problem identified, and whether an intervention was received or,
    if not, offered (OC2 SUBSTANCE_MISUSE, INTERVENTION_RECEIVED, INTERVENTION_OFFERED)."""

    type: Literal["SubstanceMisuseIdentified"] = "SubstanceMisuseIdentified"
    intervention: Literal["received", "offered_not_received", "not_offered"]


class PermanencePlanRecorded(ChildEvent):
    type: Literal["PermanencePlanRecorded"] = "PermanencePlanRecorded"
    plan: Literal[
        "return_home",
        "adoption",
        "special_guardianship",
        "child_arrangements",
        "long_term_fostering",
        "residential",
        "independent_living",
        "other",
    ]
    previous_permanence: PreviousPermanence | None = None


PermanenceCouncil = Annotated[
    str,
    Field(
        pattern=r"^([0-9]{3}|WAL|SCO|NUK|NIR)$",
        description="the council (3-digit DfE number) or WAL, SCO, NUK, NIR",
    ),
]


class PreviousPermanenceRecorded(ChildEvent):
    """Whether the child had a permanence order before this period of care, where and when
    (SSDA903 PrevPerm). A date not known in full keeps only the parts that are known."""

    type: Literal["PreviousPermanenceRecorded"] = "PreviousPermanenceRecorded"
    previous_permanence: PreviousPermanence
    council: PermanenceCouncil | None = None
    order_year: Annotated[int, Field(ge=1900, le=2100)] | None = None
    order_month: Annotated[int, Field(ge=1, le=12)] | None = None
    order_day: Annotated[int, Field(ge=1, le=31)] | None = None

    @model_validator(mode="after")
    def _where_and_when(self) -> PreviousPermanenceRecorded:
        parts = (self.council, self.order_year, self.order_month, self.order_day)
        if self.previous_permanence == "Z1" and any(p is not None for p in parts):
            raise FieldProblem(
                "previous_permanence",
                "Z1 (not previously permanently placed) takes no council or order date",
            )
        if self.previous_permanence != "Z1" and self.council is None:
            raise FieldProblem("council", "the council that made the previous order is required")
        if self.order_day is not None and self.order_month is None:
            raise FieldProblem("order_month", "a day of the order needs its month")
        return self


# --- disruption -------------------------------------------------------------------------


class DisruptionMeetingHeld(ChildEvent):
    type: Literal["DisruptionMeetingHeld"] = "DisruptionMeetingHeld"
    meeting_id: Id
    placement_id: Id
    reasons: Text
    learning: Text | None = None
    attendees: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list
    )


# --- adoption and permanence ------------------------------------------------------------


class AdoptionDecisionMade(ChildEvent):
    type: Literal["AdoptionDecisionMade"] = "AdoptionDecisionMade"
    decision_id: Id


class AdopterMatched(ChildEvent):
    type: Literal["AdopterMatched"] = "AdopterMatched"
    decision_id: Id
    adopter_household_id: Id


class PlacedForAdoption(ChildEvent):
    type: Literal["PlacedForAdoption"] = "PlacedForAdoption"
    decision_id: Id
    adopter_household_id: Id


class AdoptionDecisionReversed(ChildEvent):
    type: Literal["AdoptionDecisionReversed"] = "AdoptionDecisionReversed"
    decision_id: Id
    reason: ReasonPlacedCeased


class LifeStoryWorkCompleted(ChildEvent):
    type: Literal["LifeStoryWorkCompleted"] = "LifeStoryWorkCompleted"


# --- leaving care -----------------------------------------------------------------------


class PathwayPlanReviewed(ChildEvent):
    type: Literal["PathwayPlanReviewed"] = "PathwayPlanReviewed"


class CareLeaverContactRecorded(ChildEvent):
    type: Literal["CareLeaverContactRecorded"] = "CareLeaverContactRecorded"
    in_touch: InTouch
    activity: Activity | None = None
    accommodation: Accommodation | None = None
    accommodation_suitable: bool | None = None


class StayingPutArranged(ChildEvent):
    type: Literal["StayingPutArranged"] = "StayingPutArranged"
    carer_household_id: Id


# --- support ----------------------------------------------------------------------------


class SupportContactRecorded(ChildEvent):
    type: Literal["SupportContactRecorded"] = "SupportContactRecorded"
    kind: SupportKind
    provider: Annotated[str, Field(min_length=1, max_length=100)]
    worker_id: Id | None = None
    carer_household_id: Id | None = None
    duration_minutes: Annotated[int, Field(gt=0, le=7 * 24 * 60)]


# --- closure ----------------------------------------------------------------------------


class CaseSteppedDown(ChildEvent):
    """Stepped down to early help (CIN census RC9)."""

    type: Literal["CaseSteppedDown"] = "CaseSteppedDown"


class CaseClosed(ChildEvent):
    type: Literal["CaseClosed"] = "CaseClosed"
    reason: CaseClosureReason


# --- corrections ------------------------------------------------------------------------


class EventRetracted(ChildEvent):
    """The target was entered in error: every projection and replay leaves it out."""

    type: Literal["EventRetracted"] = "EventRetracted"
    target_event_id: UUID
    reason: Text


class EventCorrected(ChildEvent):
    """New values for some of the target's fields (occurred_at among them)."""

    type: Literal["EventCorrected"] = "EventCorrected"
    target_event_id: UUID
    reason: Text
    changes: dict[str, Any] = Field(min_length=1)


# --- reference streams ------------------------------------------------------------------


class WorkerEvent(Event):
    stream: ClassVar[str] = "worker"
    worker_id: Id


class WorkerRegistered(WorkerEvent):
    type: Literal["WorkerRegistered"] = "WorkerRegistered"
    name: Name
    role: Role
    team_id: Id
    swe_registration: SweRegistration | None = None
    qualified: bool = True
    agency: bool = False
    fte: Fte = 1.0


class WorkerJoinedTeam(WorkerEvent):
    type: Literal["WorkerJoinedTeam"] = "WorkerJoinedTeam"
    team_id: Id


class WorkerRoleChanged(WorkerEvent):
    """A new role, new hours (fte), or both."""

    type: Literal["WorkerRoleChanged"] = "WorkerRoleChanged"
    role: Role | None = None
    fte: Fte | None = None

    @model_validator(mode="after")
    def _something(self) -> WorkerRoleChanged:
        if self.role is None and self.fte is None:
            raise FieldProblem("role", "WorkerRoleChanged needs a new role or new hours (fte)")
        return self


class WorkerLeft(WorkerEvent):
    type: Literal["WorkerLeft"] = "WorkerLeft"


class TeamEvent(Event):
    stream: ClassVar[str] = "team"
    team_id: Id


class TeamEstablished(TeamEvent):
    type: Literal["TeamEstablished"] = "TeamEstablished"
    name: Name
    service: TeamService


class TeamRenamed(TeamEvent):
    type: Literal["TeamRenamed"] = "TeamRenamed"
    name: Name


class TeamMovedService(TeamEvent):
    type: Literal["TeamMovedService"] = "TeamMovedService"
    service: TeamService


class TeamClosed(TeamEvent):
    type: Literal["TeamClosed"] = "TeamClosed"


class CarerHouseholdEvent(Event):
    stream: ClassVar[str] = "carer_household"
    household_id: Id


class CarerHouseholdApproved(CarerHouseholdEvent):
    type: Literal["CarerHouseholdApproved"] = "CarerHouseholdApproved"
    kind: Literal["foster", "kinship", "adopter", "staying_put"]
    postcode: Postcode | None = None
    places: Annotated[int, Field(ge=1, le=10)] = 1


class CarerHouseholdJoinedConstellation(CarerHouseholdEvent):
    """A Mockingbird constellation: one hub household and its satellites."""

    type: Literal["CarerHouseholdJoinedConstellation"] = "CarerHouseholdJoinedConstellation"
    constellation_id: Id
    constellation_role: Literal["hub", "satellite"]


class CarerHouseholdLeftConstellation(CarerHouseholdEvent):
    type: Literal["CarerHouseholdLeftConstellation"] = "CarerHouseholdLeftConstellation"
    constellation_id: Id


class CarerHouseholdDeregistered(CarerHouseholdEvent):
    type: Literal["CarerHouseholdDeregistered"] = "CarerHouseholdDeregistered"


class AdopterFamilyEvent(Event):
    """Prospective adopters on their way through the council's adoption agency (Ofsted
    Annex A List 11; SSDA903 AD1's adopters). Approved, they are a carer household that
    children are matched with and placed with."""

    stream: ClassVar[str] = "adopter_family"
    family_id: Id


class Adopter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    adopter_id: Id
    sex: Literal["1", "2", "9"] = Field(description="1 male, 2 female, 9 not stated")
    ethnicity: Ethnicity = "NOBT"
    disabled: bool = False


class AdopterEnquiryReceived(AdopterFamilyEvent):
    type: Literal["AdopterEnquiryReceived"] = "AdopterEnquiryReceived"
    adopters: list[Adopter] = Field(min_length=1, max_length=2)
    relationship: AdopterRelationship = Field(description="SSDA903 LS_ADOPTR")
    fostering_for_adoption: bool = False

    @model_validator(mode="after")
    def _relationship(self) -> AdopterEnquiryReceived:
        single = self.relationship == "L0"
        if single != (len(self.adopters) == 1):
            raise FieldProblem(
                "relationship", "L0 (single adopter) is for one adopter; a couple is two"
            )
        return self


class AdoptionStageStarted(AdopterFamilyEvent):
    type: Literal["AdoptionStageStarted"] = "AdoptionStageStarted"
    stage: Literal[1, 2]


class AdoptionStageCompleted(AdopterFamilyEvent):
    type: Literal["AdoptionStageCompleted"] = "AdoptionStageCompleted"
    stage: Literal[1, 2]


class AdopterApplicationSubmitted(AdopterFamilyEvent):
    type: Literal["AdopterApplicationSubmitted"] = "AdopterApplicationSubmitted"


class AdopterFamilyApproved(AdopterFamilyEvent):
    """Approved to adopt: `household_id` is the carer household (approved for adoption)
    that children are matched and placed with."""

    type: Literal["AdopterFamilyApproved"] = "AdopterFamilyApproved"
    household_id: Id


class AdopterFamilyLeftProcess(AdopterFamilyEvent):
    type: Literal["AdopterFamilyLeftProcess"] = "AdopterFamilyLeftProcess"
    reason: AdopterLeftReason


AnyEvent = Annotated[
    Union[  # noqa: UP007 - a discriminated union needs the explicit form for mypy
        ChildRegistered,
        ChildDetailsUpdated,
        ChildDied,
        ChildErased,
        ChildGaveBirth,
        ContactReceived,
        ReferralReceived,
        ReferralClosedNoFurtherAction,
        EarlyHelpAssessmentStarted,
        EarlyHelpAssessmentCompleted,
        AssessmentStarted,
        AssessmentCompleted,
        CINPlanStarted,
        CINPlanEnded,
        StrategyDiscussionHeld,
        Section47EnquiryStarted,
        Section47EnquiryCompleted,
        InitialChildProtectionConferenceHeld,
        ChildProtectionPlanStarted,
        ChildProtectionReviewHeld,
        ChildProtectionPlanEnded,
        PreProceedingsStarted,
        LetterBeforeProceedingsSent,
        FamilyGroupDecisionMeetingHeld,
        PreProceedingsMeetingHeld,
        PreProceedingsEnded,
        CareProceedingsIssued,
        CourtOrderMade,
        CareProceedingsConcluded,
        WorkerAllocated,
        WorkerAllocationEnded,
        CaseTransferred,
        PeriodOfCareStarted,
        LegalStatusChanged,
        PlacementStarted,
        PlacementEnded,
        PeriodOfCareEnded,
        LookedAfterReviewHeld,
        StatutoryVisitMade,
        MissingEpisodeStarted,
        MissingEpisodeEnded,
        HealthAssessmentCompleted,
        ImmunisationsReviewed,
        StrengthsAndDifficultiesRecorded,
        OffenceRecorded,
        SubstanceMisuseIdentified,
        PermanencePlanRecorded,
        PreviousPermanenceRecorded,
        DisruptionMeetingHeld,
        AdoptionDecisionMade,
        AdopterMatched,
        PlacedForAdoption,
        AdoptionDecisionReversed,
        LifeStoryWorkCompleted,
        PathwayPlanReviewed,
        CareLeaverContactRecorded,
        StayingPutArranged,
        SupportContactRecorded,
        CaseSteppedDown,
        CaseClosed,
        EventRetracted,
        EventCorrected,
        WorkerRegistered,
        WorkerJoinedTeam,
        WorkerRoleChanged,
        WorkerLeft,
        TeamEstablished,
        TeamRenamed,
        TeamMovedService,
        TeamClosed,
        CarerHouseholdApproved,
        CarerHouseholdJoinedConstellation,
        CarerHouseholdLeftConstellation,
        CarerHouseholdDeregistered,
        AdopterEnquiryReceived,
        AdoptionStageStarted,
        AdoptionStageCompleted,
        AdopterApplicationSubmitted,
        AdopterFamilyApproved,
        AdopterFamilyLeftProcess,
    ],
    Field(discriminator="type"),
]

EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(AnyEvent)
EVENT_TYPES: dict[str, type[Event]] = {
    cls.model_fields["type"].default: cls
    for cls in AnyEvent.__origin__.__args__  # type: ignore[attr-defined]
}


def parse_event(payload: dict[str, Any] | str | bytes) -> Event:
    """Validate a caller's event (a dict or JSON text); raises pydantic.ValidationError."""
    if isinstance(payload, (str, bytes)):
        return EVENT_ADAPTER.validate_json(payload)
    return EVENT_ADAPTER.validate_python(payload)


def event_from_stored(type_name: str, fields: dict[str, Any]) -> Event:
    """Rebuild a stored event (already validated when it was appended) as its model."""
    return EVENT_TYPES[type_name].model_validate(fields)


def json_schema(type_name: str | None = None) -> dict[str, Any]:
    if type_name is None:
        return EVENT_ADAPTER.json_schema()
    if type_name not in EVENT_TYPES:
        raise KeyError(type_name)
    return EVENT_TYPES[type_name].model_json_schema()


def as_datetime(moment: date | datetime) -> datetime:
    """Business time as an aware datetime, a bare date meaning midnight in London."""
    if isinstance(moment, datetime):
        return moment
    return datetime(moment.year, moment.month, moment.day, tzinfo=LONDON)


def as_date(moment: date | datetime) -> date:
    if isinstance(moment, datetime):
        return moment.astimezone(LONDON).date()
    return moment
