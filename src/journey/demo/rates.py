"""Every rate, probability, duration and count the synthetic council uses, in one place.

Sources, as cited on each constant:
- "seed 001 Lnnn": the Leicester business case, by line, as extracted in
  shared/domain/notes-seed-001.md; "seed 004 Lnnn": the permanence support guide.
- "returns.md": shared/domain/returns.md, Timescales.
- "DfE CIN": Characteristics of children in need, England (2023 and 2024 releases);
  "DfE CLA": Children looked after in England including adoptions (2023, 2024);
  "DfE workforce": Children's social work workforce (2023); "MoJ": Family Court
  Statistics Quarterly (2023). National figures are rounded, quoted from memory, and
  used only for their shape.
- "assumption": no source; a plausible value chosen for the demo, usually to keep the
  event count down or to make every projection show something.

Weights are relative (they need not sum to 1). Durations are in days unless named
otherwise.
"""

from __future__ import annotations

# --- scale -----------------------------------------------------------------------------

# Posts per child registered over the whole history, and the floor (assumption). With
# DENSITY (below) caseloads at the end of a 5-year history come out near seed 001's
# figures, a little over in the busiest teams: CiN ~13-26 against ~19 (L286, L298),
# LAC ~22-24 against 18-20 and PAs ~24 against 20-25 (L346).
CHILDREN_PER_WORKER = 50
MIN_WORKERS = 12

# Share of posts by team. Seed 001: Duty & Advice 20 SWs (L274), 9 CiN teams of ~7.5
# (L296), 24 LAC SWs (L324), 10 PAs (L324, L542), 10 fostering support SWs (L380); IRO
# numbers are not given (L414-422), so "iro" is an assumption. The transitional
# Intensive Support Team (L304) is a small assumption-sized share.
STAFF_SHARE = {
    "duty": 0.08,
    "cin": 0.4,  # split over the three CiN teams
    "ist": 0.04,
    "lac": 0.19,  # split over the two LAC teams
    "plus16": 0.13,
    "fostering": 0.06,
    "iro": 0.09,
}
MIN_POSTS_PER_TEAM = 2

# Yearly turnover (leavers / headcount). DfE workforce: ~17% of children's social
# workers leave a year; one CiN team (North West, the busiest per seed 001 L296) is
# given high turnover and agency reliance so continuity varies by team (assumption).
TURNOVER = 0.17
TURNOVER_HIGH = 0.45
AGENCY_SHARE = 0.15  # DfE workforce: agency workers ~18% of FTE
AGENCY_SHARE_HIGH = 0.5
AGENCY_TENURE_FACTOR = 0.5  # agency workers stay half as long (assumption)
VACANCY_DAYS = (0, 45)  # days before a leaver's post is filled (assumption)
FTE_CHOICES = {1.0: 0.75, 0.8: 0.12, 0.6: 0.08, 0.5: 0.05}  # assumption
# Workers' names drawn from these groups (Leicester's mixed workforce; assumption).
WORKFORCE_BACKGROUND = {"white": 55, "asian": 30, "black": 15}
# Long absences (sickness, parental leave): share of workers a year, and length.
ABSENCE_RATE = 0.06  # assumption
ABSENCE_DAYS = (90, 270)
RETURN_PART_TIME = 0.5  # share returning at reduced FTE (WorkerRoleChanged) (assumption)
FTE_CHANGE_RATE = 0.06  # flexible-working changes of FTE, a year (assumption)
# Departures from a post that are moves to another team (WorkerJoinedTeam) rather than
# leaving the council. Assumption.
MOVE_SHARE_OF_DEPARTURES = 0.2
# Days before leaving, moving or an absence during which no new case is given
# (assumption: managers know of notice periods).
NOTICE_DAYS = 21

# The restructure (seed 001: Transitions renamed 16+, L29; IST disbanded, L442), as a
# fraction of the way through the history.
RESTRUCTURE_AT = 0.3

# --- carer households -------------------------------------------------------------------

FOSTER_HOUSEHOLDS_PER_CHILD = 1 / 35  # approved at the start (assumption)
FOSTER_RECRUITED_PER_CHILD_YEAR = 1 / 160  # approved each year after (assumption)
FOSTER_PLACES = {1: 0.45, 2: 0.4, 3: 0.15}  # assumption
# Mockingbird: one constellation per this many children (at least one), launched at
# this point in the history; a hub and 6-10 satellites (the Fostering Network model).
CHILDREN_PER_CONSTELLATION = 1500
MOCKINGBIRD_LAUNCH_AT = 0.25
MOCKINGBIRD_SATELLITES = (6, 10)
SATELLITE_LEAVES = 0.3  # share of satellites leaving the constellation (assumption)
SATELLITE_LEAVES_AFTER_DAYS = (120, 900)
# After a household's last child leaves: share deregistered, and when (assumption).
DEREGISTER_SHARE = {"foster": 0.15, "kinship": 0.5, "adopter": 0.3}
DEREGISTER_AFTER = (30, 200)
ADOPTER_APPROVED_BEFORE_MATCH = (30, 300)  # assumption
# Adopters' journey to approval (Ofsted Annex A List 11; the two-stage process of the
# Adoption Agencies Regulations): enquiry, stage 1 (about 2 months), stage 2 (about 4
# months, the application made as it begins), approval after the panel: about 6-9 months
# in all. Days, assumption within those statutory targets.
ADOPTER_ENQUIRY_TO_STAGE_1_DAYS = (7, 40)
ADOPTION_STAGE_1_DAYS = (45, 75)
ADOPTION_BETWEEN_STAGES_DAYS = (0, 30)
ADOPTER_APPLICATION_DAYS = (0, 10)  # into stage 2
ADOPTION_STAGE_2_DAYS = (100, 140)
ADOPTER_APPROVED_AFTER_STAGE_2_DAYS = (0, 14)
ADOPTER_APPROVED_BEFORE_HOUSEHOLD_DAYS = (0, 7)  # the household is set up within days
# Families who enquire and leave without approval, per family approved, where they leave
# (before stage 1, in stage 1, in stage 2) and why (ADOPTER_LEFT: 1 withdrew, 2 on hold,
# 3 refused). DfE/ASGLB adopter data: roughly half of those registering do not reach
# approval (assumption for the shape).
ADOPTER_LEAVERS_PER_APPROVAL = 0.7
ADOPTER_LEAVES_AT = {"enquiry": 40, "stage_1": 35, "stage_2": 25}
ADOPTER_LEFT_REASON = {
    "enquiry": {"1": 85, "2": 15},
    "stage_1": {"1": 65, "2": 25, "3": 10},
    "stage_2": {"1": 45, "2": 25, "3": 30},
}
ADOPTER_LEAVES_AFTER_DAYS = (5, 90)  # into the stage they leave in
# Who adopts (SSDA903 LS_ADOPTR). DfE CLA: about 1 in 8 children are adopted by a
# single adopter and about 1 in 7 by a same-sex couple; most by married couples.
ADOPTER_RELATIONSHIP = {"L0": 13, "L11": 56, "L3": 14, "L12": 8, "L2": 4, "L4": 5}
ADOPTER_SINGLE_SEX = {"2": 80, "1": 20}  # single adopters, mostly women (assumption)
ADOPTER_SAME_SEX_COUPLE = {"1": 55, "2": 45}  # male or female couples (assumption)
ADOPTER_SAME_ETHNICITY = 0.75  # couples sharing an ethnicity (assumption)
ADOPTER_DISABLED = 0.04  # assumption
ADOPTER_ETHNICITY = {
    "WBRI": 70,
    "WOTH": 5,
    "WIRT": 1,
    "MWBC": 3,
    "MWAS": 2,
    "MOTH": 2,
    "AIND": 8,
    "APKN": 2,
    "AOTH": 2,
    "BAFR": 2,
    "BCRB": 2,
    "OOTH": 1,
}

# --- the child at the front door ---------------------------------------------------------

# Age at first contact, by band (years, weights). DfE CIN: under 1 ~10%, 1-4 ~19%,
# 5-9 ~26%, 10-15 ~33%, 16+ ~12%.
AGE_BANDS = {(0, 1): 10, (1, 5): 19, (5, 10): 26, (10, 16): 33, (16, 18): 12}
UNBORN_SHARE = 0.05  # pre-birth referrals (assumption; DfE CIN counts unborn ~1%)
UNBORN_WEEKS_BEFORE_BIRTH = (8, 20)
BIRTH_NOTIFIED_DAYS = (0, 3)
UASC_SHARE_OF_TEENS = 0.05  # 15-17s arriving unaccompanied (DfE CLA: UASC ~7% of CLA)
# A child's UASC status ends at 18, or earlier when the Home Office grants leave to
# remain (SSDA903 UASC DUC): the share granted before 18, and how long after arriving
# (assumption; most claims take over a year to decide).
UASC_STATUS_GRANTED_BEFORE_18 = 0.3
UASC_STATUS_GRANTED_DAYS = (180, 720)
SEX = {"1": 0.52, "2": 0.48}  # DfE CIN: 52% boys
DISABLED_SHARE = 0.11  # DfE CIN: ~12% of children in need have a disability
# Ethnicity, weighted to a city with a large South Asian population (Leicester).
ETHNICITY = {
    "WBRI": 46,
    "WOTH": 6,
    "WIRT": 1,
    "WROM": 1,
    "MWBC": 6,
    "MWAS": 3,
    "MOTH": 4,
    "AIND": 10,
    "APKN": 4,
    "ABAN": 2,
    "AOTH": 4,
    "BAFR": 5,
    "BCRB": 2,
    "BOTH": 2,
    "CHNE": 1,
    "OOTH": 2,
    "NOBT": 1,
}
# A unique pupil number (UPN) is allocated when a child first joins a maintained school.
# The demo gives one from 1 September of the school year in which the child turns this
# age (the year before reception, when most attend a school nursery class), so that every
# child the CIN census counts as of school age (4 by the 31 August after the reference
# date, rule 8770Q) has one; a child registered younger gets it on that day (assumption).
UPN_SCHOOL_YEAR_OF_AGE = 4
# Its form (DfE, "Unique pupil numbers"): a check letter, the council's 3-digit number, the
# school's 4-digit number, the 2-digit year of allocation and a 3-digit serial. The demo's
# schools are numbered in these ranges (assumption: DfE numbers primary schools 2000-3999).
UPN_SCHOOL_NUMBERS = (2000, 3999)

# Contact sources (CIN codes). DfE CIN referral sources: police ~29%, schools ~20%,
# health ~14%, council services ~14%, individuals ~7%, other ~16%.
CONTACT_SOURCE = {
    "6": 29,
    "2A": 18,
    "2B": 2,
    "3A": 3,
    "3B": 3,
    "3C": 1,
    "3D": 1,
    "3E": 3,
    "3F": 3,
    "5A": 6,
    "5B": 2,
    "5C": 2,
    "5D": 4,
    "4": 2,
    "1A": 4,
    "1B": 1,
    "1C": 1,
    "1D": 1,
    "7": 3,
    "8": 5,
    "9": 2,
    "10": 1,
}
# Contacts. Seed 001 L232-234: after the Thorpe changes contacts rose and referrals fell;
# most contacts end in advice, early help or no further action. A few children are only
# ever contacted about; most registered children are referred in the end (see DENSITY),
# often after earlier contacts; some are contacted about again after their case closes.
CONTACT_ONLY_SHARE = 0.1
CONTACTS_WITHOUT_REFERRAL = {1: 60, 2: 25, 3: 15}
CONTACTS_BEFORE_REFERRAL = {0: 35, 1: 30, 2: 20, 3: 15}
CONTACT_AFTER_CLOSURE = 0.5  # chance of another contact, again and again (assumption)
CONTACT_GAP_DAYS = (7, 150)
CONTACT_OUTCOME_NOT_REFERRED = {"advice_given": 60, "early_help": 28, "no_further_action": 12}
# Early help (Ofsted Annex A List 2): the share of contacts passed to early help, and of
# cases stepped down to it (CaseSteppedDown), that lead to an early help assessment; it
# starts within days and is completed within a few weeks (assumption).
EARLY_HELP_AFTER_CONTACT = 0.6
EARLY_HELP_AFTER_STEP_DOWN = 0.8
EARLY_HELP_START_DAYS = (1, 10)
EARLY_HELP_DAYS = (14, 45)
# Who leads the assessment, for children under 5 and from 5 (assumption; Leicester's
# early help is led by its Early Help Hub with schools, health visitors and the
# children's centres).
EARLY_HELP_UNDER_5 = {
    "Early Help Hub": 35,
    "Health Visiting Team": 30,
    "Children and Family Centre": 30,
    "Nursery": 5,
}
EARLY_HELP_5_PLUS = {
    "Early Help Hub": 45,
    "School": 40,
    "Youth Service": 10,
    "School Nursing Team": 5,
}
# Who contacts about unborn babies (midwives, health visitors) and unaccompanied
# children (police, the National Transfer Scheme via another council). Assumption.
UNBORN_CONTACT_SOURCE = {"3F": 5, "3B": 2, "6": 1, "5A": 1}
UASC_CONTACT_SOURCE = {"6": 3, "5C": 2}

# Primary need at referral. DfE CIN: abuse or neglect ~57%, family dysfunction ~15%,
# disability ~9%, acute stress ~8%, absent parenting ~5%, others small.
DISABILITY_AS_NEED = 0.6  # disabled children referred for their disability (N2) (assumption)
PRIMARY_NEED = {"N1": 57, "N2": 6, "N3": 3, "N4": 8, "N5": 15, "N6": 3, "N7": 1, "N8": 4, "N0": 3}

# Most referrals go to a CiN social worker the same day (seed 001 L272, L282); some
# wait in Duty and Advice, at most 48 hours (L272).
HELD_IN_DUTY_SHARE = 0.15
HELD_IN_DUTY_DAYS = (1, 2)
ALLOCATION_DELAY_SHARE = 0.08  # allocated at the next allocation meeting (L284)
ALLOCATION_DELAY_DAYS = (1, 3)
# Referrals by CiN team: the North West has the most (seed 001 L296); the Intensive
# Support Team takes a few until it is disbanded (L304, L442). Assumption beyond that.
CIN_TEAM_SHARE = {"cin_nw": 40, "cin_bw": 30, "cin_gf": 30, "ist": 8}
NFA_AT_FRONT_DOOR = 0.06  # referral closed without assessment (assumption)
NFA_AT_FRONT_DOOR_DAYS = (1, 5)
# DfE CIN: ~22% of referrals are re-referrals within 12 months.
RE_REFERRAL_SHARE = 0.21
RE_REFERRAL_DAYS = (30, 420)
MAX_EPISODES = 3

# --- assessment ---------------------------------------------------------------------------

ASSESSMENT_START_DAYS = (0, 3)
# DfE CIN: ~83% of assessments completed within 45 working days (returns.md).
ASSESSMENT_ON_TIME = 0.83
ASSESSMENT_WORKING_DAYS = (10, 45)
ASSESSMENT_LATE_WORKING_DAYS = (46, 80)
FACTORS_PER_ASSESSMENT = (1, 4)
# "No factors identified" (CIN factor 21, always alone, rule 8869): the share of completed
# assessments ending in no further action or early help that find none (assumption; a case
# closed after assessment with no factors should close RC8 or RC9, rule 8873Q, so no other
# outcome has it).
NO_FACTORS_IDENTIFIED = {"no_further_action": 0.5, "early_help": 0.15}
# No period of care begins within this many days of the 18th birthday (SSDA903 rule 352:
# none on or after it): a young person referred so near 18 is supported otherwise
# (assumption).
LAST_CARE_START_DAYS_BEFORE_18 = 28
# A young person 18 by the time the assessment is done is an adult: the case closes, with
# no further action or after other services (advice, adult services), half each
# (assumption).
OUTCOME_AT_18 = {"no_further_action": 1, "other_services": 1}
# Outcomes of a completed assessment. DfE CIN / brief: ~20-28% not in need (NFA).
# DENSITY (assumption): the demo council is weighted toward statutory work, about three
# times the national share of children reaching a plan, court or care, so that a few
# thousand children give every projection material (and caseloads near seed 001's ~19
# with the brief's one worker per 50 children).
ASSESSMENT_OUTCOME = {
    "no_further_action": 10,
    "early_help": 6,
    "child_in_need_plan": 24,
    "other_services": 3,
    "strategy_discussion": 34,
    "looked_after": 23,
}
# How the outcome shifts for some children (multipliers, assumption): unborn babies
# are mostly conferenced or brought to court at birth; teenagers are accommodated more;
# disabled children get CIN plans.
OUTCOME_TILT_UNBORN = {
    "early_help": 0.2,
    "other_services": 0.2,
    "strategy_discussion": 2.5,
    "looked_after": 3,
}
OUTCOME_TILT_TEEN = {"looked_after": 2.5}
OUTCOME_TILT_DISABLED = {"child_in_need_plan": 3, "strategy_discussion": 0.5}
OTHER_SERVICES_DAYS = (30, 150)  # CIN services without a plan, then closed

# --- child in need -------------------------------------------------------------------------

# Length of a CIN plan (assumption); it ends by the 18th birthday at the latest, so that
# no short break (V3) begins after it (SSDA903 rule 352).
CIN_PLAN_DAYS = (150, 540)
CIN_VISIT_DAYS = (14, 28)  # local policy 2-4 weekly (assumption)
# CIN plans that become child protection (assumption). The section 47 enquiry comes with
# an updated assessment of the child, begun at the strategy discussion and authorised when
# the enquiry concludes (Working Together 2023), so the census year of the enquiry has an
# assessment on the episode (CIN rule 2991Q).
CIN_ESCALATION = 0.12
CIN_END_STEP_DOWN = 0.4  # CIN plans ending in step-down rather than closure (assumption)
SHORT_BREAKS_SHARE = 0.25  # disabled children on a CIN plan who get short breaks (V3)
SHORT_BREAKS = (2, 4)  # breaks over a plan (assumption)
SHORT_BREAK_NIGHTS = (1, 3)
RESPITE_DAYS = (25, 45)  # respite contacts for disabled children (assumption)
RESPITE_MINUTES = (180, 480)

# --- child protection ------------------------------------------------------------------------

STRATEGY_S47 = 0.9  # strategy discussions deciding on S47 (assumption)
S47_TO_ICPC = 0.65  # DfE CIN: ~200k S47s, ~80k ICPCs (0.4); DENSITY
S47_DAYS_WITHOUT_CONFERENCE = (5, 25)
CIN_PLAN_AFTER_ENQUIRY = 0.5  # enquiries without a CP plan leading to a CIN plan (assumption)
CLOSE_AFTER_ENQUIRY_DAYS = (1, 14)
ICPC_ON_TIME = 0.78  # DfE CIN: ~78% of ICPCs within 15 working days (returns.md)
ICPC_LATE_WORKING_DAYS = (16, 30)
ICPC_EARLIEST_WORKING_DAYS = 8
ICPC_PLAN = 0.87  # DfE CIN: most ICPCs decide on a plan
CP_CATEGORY = {"NEG": 52, "EMO": 38, "PHY": 5, "SAB": 3, "MUL": 2}  # DfE CIN
CATEGORY_CHANGE_AT_REVIEW = 0.05  # assumption
# Plan length in months, by weight. DfE CIN: median ~9 months; ~4% beyond 2 years.
CP_PLAN_MONTHS = {3: 12, 9: 42, 15: 28, 21: 12, 27: 6}
CP_REVIEW_ON_TIME = 0.9  # DfE CIN: ~90% of reviews on time
CP_REVIEW_LATE_DAYS = (3, 30)
CP_REVIEW_EARLY_DAYS = (0, 10)
CP_VISIT_DAYS = (10, 16)  # local policy: every 10 working days (assumption)
CP_TO_PRE_PROCEEDINGS = 0.4  # assumption (DENSITY)
PROCEEDINGS_AT_ICPC = 0.1  # ICPCs followed straight by proceedings (assumption)
PROCEEDINGS_AFTER_ICPC_DAYS = (7, 35)
PRE_PROCEEDINGS_TO_ISSUE = 0.6  # PLO diverting some (assumption)
PRE_PROCEEDINGS_DAYS = (60, 150)
# Pre-proceedings (the PLO; CIN census pre-proceedings module): the letter before
# proceedings within about two weeks of the decision; most letters offer a family group
# decision-making meeting and most offers lead to one; the first meeting shortly after
# the letter, reviews every 4-6 weeks; pre-proceedings that do not end in court are
# stepped down (B) or end otherwise (C). Assumption, shaped by the PLO guidance
# (16 weeks, reviewed at about 6 and 12 weeks).
LETTER_BEFORE_PROCEEDINGS_DAYS = (0, 14)
FAMILY_GROUP_MEETING_OFFERED = 0.75
FAMILY_GROUP_MEETING_HELD = 0.8
FAMILY_GROUP_MEETING_DAYS = (7, 35)
INITIAL_PRE_PROCEEDINGS_MEETING_DAYS = (3, 14)
PRE_PROCEEDINGS_REVIEW_DAYS = (28, 42)
PRE_PROCEEDINGS_OUTCOME = {"B": 80, "C": 20}
CP_END_TO_CIN = 0.6  # plans stepping down to a CIN plan (assumption)
CHILD_DEATH_ON_CP_PLAN = 0.0015  # babies on a plan who die (rare; assumption)

# --- court -------------------------------------------------------------------------------------

INTERIM_CARE = 0.85  # ICO at issue; the rest interim supervision (MoJ, assumption)
EPO_SHARE = 0.05  # emergency protection before issue
EPO_DAYS_BEFORE_ISSUE = (1, 7)
# A CP plan ends at a review soon after the child is removed under an ICO (assumption).
CP_PLAN_ENDS_AFTER_ICO_DAYS = (30, 90)
# MoJ: public law cases take ~45 weeks on average (26-week target, returns.md).
PROCEEDINGS_WEEKS = (20, 70)
# No care or supervision order can be made for a child of 17 (Children Act 1989 s31(3)):
# proceedings are issued only for a child whose 17th birthday is more than the shortest
# proceedings away, and the final hearing is held before it (so a special guardianship
# order too comes before 18, SSDA903 rule 407).
COURT_ORDER_AGE_LIMIT = 17
# Final orders (MoJ / DfE CLA shape), by the child's age at issue.
FINAL_ORDER_UNDER_5 = {
    "placement": 40,
    "care": 20,
    "special_guardianship": 22,
    "child_arrangements": 9,
    "supervision": 9,
}
FINAL_ORDER_5_PLUS = {
    "care": 55,
    "special_guardianship": 20,
    "child_arrangements": 13,
    "supervision": 12,
}
TRANSFER_TO_LAC_DAYS = (1, 14)  # CiN -> LAC after the final order (seed 001 L318)
SUPERVISION_CIN_DAYS = (180, 365)
KINSHIP_BEFORE_SGO = 0.8  # SGO/CAO children placed with connected persons (seed 004 L410)

# --- looked after -------------------------------------------------------------------------------

# S20 accommodation (V2) outcomes (assumption; DfE CLA: ~30% of care starts are V2).
S20_RETURN_HOME = 0.35
S20_RETURN_DAYS = (20, 180)
S20_RETURN_REASON = {"E4A": 4, "E4B": 1}  # as planned, or not
S20_RETURN_TO_CIN_PLAN = 0.5  # returned home onto a CIN plan rather than closed
S20_RESIDENTIAL = 0.3  # long-term S20 teenagers whose plan is residential care
S20_LONG_TERM = 0.35
S20_PERMANENCE_DAYS = (90, 200)
S20_TO_PROCEEDINGS_DAYS = (30, 120)
SOUTHWARK_FAST_TRACK_DAYS = (7, 21)  # 16/17s move to the LAC teams (seed 001 L318)
AGE_ASSESSMENT_OVER_18 = 0.05  # UASC found to be adults (E15) (assumption)
AGE_ASSESSMENT_DAYS = (30, 120)

# Placements. DfE CLA: ~70% in foster care (about half in-house, half agency), ~11%
# in children's homes, ~9% semi-independent/supported, ~6% placed with parents; of
# 16-17s about half are fostered and a third in supported accommodation.
PLACEMENT_UNDER_1 = {"U6": 50, "U3": 14, "IFA": 26, "R3": 10}  # R3: parent and baby unit
PLACEMENT_1_TO_10 = {"U6": 48, "U3": 14, "IFA": 32, "P1": 4, "K2": 2}
PLACEMENT_11_TO_15 = {"U6": 36, "U3": 10, "IFA": 30, "K2": 20, "P1": 4}
PLACEMENT_16_PLUS = {"U6": 25, "IFA": 27, "K2": 13, "K3": 35}
LONG_TERM_FOSTER = 0.6  # long-term placements after a care order recorded as U4/U1
FOSTER_FOR_ADOPTION = 0.2  # babies heading for adoption placed U5 (assumption)
OUT_OF_AREA = {"IFA": 0.35, "K2": 0.5, "K3": 0.3}  # placements outside the city
OWN_HOME_SHARE = 0.4  # in-city children's home places in the council's own homes (L217)
# Providers with an Ofsted URN (SSDA903 URN, required for all but P1, P3, R1, R2, R5,
# T0-T4 and Z11-Z14): how many of each the council places with, per 1,000 children
# (at least the minimum). Assumption: a city council uses a few dozen private homes,
# a handful of agencies and a few supported accommodation providers.
PRIVATE_HOMES_PER_1000 = 12
PRIVATE_HOMES_MIN = 6
INDEPENDENT_FOSTERING_AGENCIES = 6
SUPPORTED_ACCOMMODATION_PROVIDERS = 5
FAMILY_CENTRES = 3  # parent and child units (R3)
OTHER_ADOPTION_AGENCIES = 3  # other councils' (PR2) and voluntary agencies (PR5), each
ADOPTIVE_PROVIDER = {"PR1": 6, "PR2": 2, "PR5": 2}  # council, other council, voluntary
SUPPORTED_PROVIDER = {"PR4": 3, "PR5": 1}
# Placement moves a year by kind of placement (DfE CLA: ~10% of CLA have 3+
# placements in a year; ~68% one placement).
MOVE_RATE_FIRST = 1.6  # the first, often emergency, placement
MOVE_RATE_SETTLED = 0.18
MOVE_RATE_TEEN = 0.5
UNPLANNED_SHARE_TEEN = 0.5
UNPLANNED_SHARE_CHILD = 0.2
DISRUPTION_MEETING = 0.45  # unplanned endings followed by a disruption meeting
DISRUPTION_DAYS = (7, 28)
# PLACE ("change in the status of the placement only") is kept for a change with the same
# carers (a foster placement becoming long-term); a move to new carers never carries it.
REASON_PLANNED = {"CARPL": 63, "LAREQ": 11, "CREQO": 11, "CLOSE": 5, "OTHER": 10}
REASON_UNPLANNED = {
    "CREQB": 40,
    "CHILD": 18,
    "ALLEG": 6,
    "STAND": 6,
    "CREQO": 15,
    "APPRR": 3,
    "OTHER": 12,
}
# Under-5s: no endings for the child's own behaviour or request.
REASON_UNPLANNED_YOUNG = {"CREQO": 45, "ALLEG": 12, "STAND": 15, "APPRR": 10, "OTHER": 18}
SUPPORTED_ACCOMMODATION_AT = (16.5, 17.5)  # age moving to K3 (assumption)
SUPPORTED_ACCOMMODATION_SHARE = 0.3  # 16-17s moved from foster or residential care

# Reviews (returns.md): first within 20 working days, second within 3 months, then
# at most every 6 months.
REVIEW_ON_TIME = 0.9
REVIEW_LATE_DAYS = (3, 40)
REVIEW_MISSED = 0.02
STATUTORY_EARLY_DAYS = (0, 5)  # on-time work happens up to this many days early
REVIEW_PARTICIPATION = {"PN1": 55, "PN2": 8, "PN3": 5, "PN4": 6, "PN5": 6, "PN6": 14, "PN7": 6}
IRO_CONTACT_BEFORE_REVIEW = 0.5  # IRO sees the child before a review (assumption)
IRO_CONTACT_DAYS_BEFORE = (3, 10)
# Visits (returns.md): within 1 week of a placement, then 6-weekly in the first year,
# then 3-monthly when the placement is long term.
VISIT_ON_TIME = 0.9
VISIT_LATE_DAYS = (1, 21)
VISIT_FIRST_DAYS = (1, 7)
VISIT_INTERVAL_DAYS = (21, 42)  # the minimum is 6-weekly; many visit more often
VISIT_LONG_TERM_DAYS = (70, 90)
SEEN_ALONE = 0.7  # children aged 5+ seen alone (assumption)
# Health: initial assessment within 20 working days; reviews 6-monthly under 5,
# yearly from 5; dental yearly.
HEALTH_ON_TIME = 0.85  # DfE CLA: ~90% of CLA had an annual health assessment
HEALTH_LATE_DAYS = (5, 60)
DENTAL_FIRST_DAYS = (60, 180)
DENTAL_INTERVAL_DAYS = (330, 400)
DENTAL_FROM_MONTHS = 6  # the first check when the first teeth come (NHS advice)
# OC2 (SSDA903) counts a child looked after for the whole year to 31 March: the demo
# makes sure each such year has a health assessment, a dental check, an immunisations
# check and (aged 4-16) an SDQ, however late the yearly cycle runs: when the next one
# would miss the following collection year, it is held in the last weeks of March
# instead (these many days before 31 March).
COLLECTION_YEAR_CATCH_UP_DAYS = (0, 20)
# Immunisations checked at the yearly health assessment. DfE CLA: ~83% of children
# looked after for a year were up to date with their immunisations.
IMMUNISATIONS_UP_TO_DATE = 0.83
# Strengths and Difficulties Questionnaire, yearly for 4-16s looked after. DfE CLA: the
# average score is about 14 (0-40; 17+ a cause for concern, ~37%); about a fifth of
# eligible children have no score. The demo's shape: a normal score, mean 14, sd 7,
# clipped to 0-40; a reason instead of a score for a small share (assumption for the
# split): carers refused (SDQ2), other (SDQ4), the young person refused (SDQ5); the
# severity of a disability (SDQ3) for this share of disabled children.
SDQ_MEAN = 14.0
SDQ_SD = 7.0
SDQ_NOT_COMPLETED = 0.12
SDQ_REASON = {"SDQ2": 3, "SDQ4": 4, "SDQ5": 3}
SDQ_DISABLED_SEVERE = 0.25
SDQ_FIRST_DAYS = (30, 120)  # after care begins (or the 4th birthday)
SDQ_INTERVAL_DAYS = (340, 380)
# OC2 offences: DfE CLA, ~2% of children looked after for a year aged 10+ were
# convicted or had a final warning or reprimand; a yearly rate for 10+s in care.
OFFENCE_FROM_AGE = 10
OFFENCE_RATE = 0.025
# OC2 substance misuse: DfE CLA, ~3% of children looked after for a year were
# identified as having a substance misuse problem; most of those (12+ in the demo) were
# offered an intervention (the split is an assumption).
SUBSTANCE_MISUSE_FROM_AGE = 12
SUBSTANCE_MISUSE_RATE = 0.04
SUBSTANCE_INTERVENTION = {"received": 55, "offered_not_received": 30, "not_offered": 15}
# Mothers (SSDA903 MOTHER, MC_DOB): girls aged 15+ who have a baby while looked after,
# and as care leavers, a year (assumption; DfE CLA records a few hundred looked-after
# mothers a year, and care leavers are several times more likely than their peers to be
# young parents).
MOTHER_FROM_AGE = 15
MOTHER_RATE_IN_CARE = 0.02
MOTHER_RATE_CARE_LEAVER = 0.05
# Missing (DfE CLA: ~11% of CLA go missing in a year, mostly teenagers).
MISSING_PRONE_TEEN = 0.25  # teenagers in care with repeat episodes
MISSING_RATE_PRONE = 5.0  # episodes a year
MISSING_RATE_OTHER = 0.15
MISSING_HOURS = (2, 72)
MISSING_START_HOURS = (15, 23)  # mostly afternoons and evenings
MISSING_FROM_AGE = 11
AWAY_SHARE = 0.2  # "away from placement" rather than missing
RETURN_INTERVIEW_OFFERED = 0.9
RETURN_INTERVIEW_ACCEPTED = 0.55
UASC_NEED = "N8"

# Care order: permanence plans and later exits (assumption).
PERMANENCE_AFTER_CARE_ORDER = {
    "long_term_fostering": 70,
    "residential": 12,
    "return_home": 8,
    "other": 10,
}
# Previous permanence (SSDA903 PrevPerm), recorded at the start of every period of care
# that is not short-break care: mostly none (Z1); otherwise an adoption (P1), special
# guardianship (P2), child arrangements or residence (P3) or unknown (P4) order made
# before care began (assumption for the shares; DfE CLA counts a few per cent of care
# starts as previously permanently placed). A child whose order the demo itself made is
# recorded from that order instead.
PREVIOUS_PERMANENCE = {"Z1": 90, "P2": 4, "P3": 3, "P1": 1, "P4": 2}
# Days after the start of the period it is recorded: mostly the same day (assumption).
PREVIOUS_PERMANENCE_SAME_DAY = 0.7
PREVIOUS_PERMANENCE_DAYS = (1, 7)
# Who made the previous order: 3-digit DfE council numbers (856 Leicester, 855
# Leicestershire, 892 Nottingham, 831 Derby, 331 Coventry, 330 Birmingham) or Wales and
# Scotland (assumption, weighted to the city and its neighbours).
PREVIOUS_PERMANENCE_COUNCIL = {
    "856": 45,
    "855": 20,
    "892": 8,
    "831": 7,
    "331": 6,
    "330": 8,
    "WAL": 3,
    "SCO": 3,
}
# The order's date is often known only in part (PrevPerm DATE_PERM allows a partial
# date): the month is known for this share, the day too for this share of those
# (assumption).
PREVIOUS_PERMANENCE_MONTH_KNOWN = 0.7
PREVIOUS_PERMANENCE_DAY_KNOWN = 0.3
# Permanence plans recorded at the second review while the court is still deciding.
PERMANENCE_IN_PROCEEDINGS = {"return_home": 3, "long_term_fostering": 4, "special_guardianship": 3}
LATER_SGO_SHARE = 0.1  # long-term foster carers later become special guardians
LATER_SGO_YEARS = (1.5, 4)
DISCHARGE_HOME_SHARE = 0.05
DISCHARGE_HOME_YEARS = (1, 3)

# --- adoption (seed 001 L288: placed within 12 months of the decision) -----------------------

DECISION_BEFORE_ORDER_DAYS = (30, 90)
MATCH_DAYS = (90, 360)
INTRODUCTIONS_DAYS = (14, 56)
FFA_APPROVED_BEFORE_DAYS = (30, 200)  # foster-for-adoption carers approved as adopters
FFA_PLACED_AFTER_MATCH_DAYS = (1, 10)  # no introductions needed
ADOPTION_ORDER_DAYS = (180, 360)
# DfE CLA (approx.): a sizeable minority of adoption decisions, a fifth to a quarter, are
# reversed: some because the court makes no placement order (RD2), the rest later when
# needs change or no adopters are found (assumption for the split).
PLACEMENT_ORDER_REFUSED = 0.1
ADOPTION_REVERSED = 0.15
REVERSAL_DAYS = (180, 450)
REVERSAL_REASON = {"RD1": 40, "RD3": 45, "RD4": 15}
CONSENT_DISPENSED = 0.6  # E12 rather than E11 (assumption)
LIFE_STORY_SESSIONS = (3, 6)
LIFE_STORY_AFTER_ORDER_DAYS = (20, 60)
LIFE_STORY_START_DAYS = (30, 200)
LIFE_STORY_INTERVAL_DAYS = (20, 60)
LIFE_STORY_DONE_BEFORE_ORDER_DAYS = (5, 30)
LETTERBOX_DAYS = (300, 420)  # once or twice a year (seed 004 L286)
LETTERBOX_MINUTES = 30
# Post-order support (seed 004 L244-246, L491): a visit 6 weeks after an adoption
# placement or an SGO/CAO, then calls at 6, 12, 18, 24, 30 and 36 months.
POST_ORDER_VISIT_DAYS = 42
POST_ORDER_CALL_MONTHS = (6, 12, 18, 24, 30, 36)
POST_ORDER_VISIT_MINUTES = 90
POST_ORDER_CALL_MINUTES = 20

# --- leaving care -------------------------------------------------------------------------------

ELIGIBLE_WEEKS = 13  # looked after 13 weeks since 14 (returns.md)
PATHWAY_REVIEW_DAYS = (150, 182)  # at least every 6 months (returns.md)
CARE_LEAVER_CONTACT_DAYS = (21, 56)  # PA contact at least every 8 weeks (returns.md)
PA_CONTACT_IN_CARE_DAYS = (30, 56)  # PA contact with 16-17s still in care (assumption)
# Leaving care at 18 (DfE CLA: ~55% of 18-year-olds in foster care stay put).
LEAVING_AT_18 = {"E17": 45, "E5": 28, "E6": 8, "E4A": 10, "E4B": 4, "E13": 8}
STAYING_PUT_NEW_HOUSEHOLD = 0.4  # agency carers approved as staying-put carers
LEAVING_CARE_CLOSE_AGE = 21
STAYS_TO_25 = 0.1  # care leavers in education supported to 25
IN_TOUCH = {"YES": 90, "NO": 6, "REFU": 4}
# DfE CLA: ~55% of care leavers aged 19-21 in education, employment or training.
ACTIVITY = {
    "F1": 6,
    "P1": 1,
    "F2": 18,
    "P2": 3,
    "F4": 6,
    "P4": 2,
    "F5": 12,
    "P5": 7,
    "G4": 12,
    "G5": 28,
    "G6": 5,
}
ACCOMMODATION = {
    "U": 30,
    "E": 10,
    "D": 15,
    "T": 8,
    "B": 12,
    "K": 6,
    "S": 2,
    "W": 1,
    "X": 2,
    "Y": 4,
    "R": 2,
}
STATUS_CHANGE = 0.2  # a contact that finds a new activity or home (assumption)
STAYING_PUT_ENDS = 0.25  # of those changes, the share that end a staying-put arrangement

# --- support -----------------------------------------------------------------------------------

FAMILY_TIME_DAYS = (6, 14)  # supervised family time during proceedings (assumption)
FAMILY_TIME_IN_CARE = 0.6  # children in care with supervised family time (assumption)
FAMILY_TIME_IN_CARE_DAYS = (21, 42)  # about monthly (assumption)
CAMHS_SHARE = 0.3  # looked-after children seen by CAMHS (assumption)
CAMHS_ON_A_PLAN = 0.15  # children on a CIN or CP plan seen by CAMHS (assumption)
CAMHS_SESSIONS = (4, 10)
CAMHS_FROM_AGE = 5
CAMHS_START_DAYS = (30, 200)
CAMHS_INTERVAL_DAYS = (21, 42)
THERAPY_SHARE = 0.2  # CFST therapeutic sessions (seed 001 L378; share assumed)
THERAPY_ON_A_PLAN = 0.1
THERAPY_SESSIONS = (4, 8)
THERAPY_FROM_AGE = 3
THERAPY_START_DAYS = (60, 300)
THERAPY_INTERVAL_DAYS = (10, 21)
SESSION_MINUTES = (45, 90)
FAMILY_TIME_MINUTES = (60, 120)
SLEEPOVER_HOURS = (16, 40)
MOCKINGBIRD_SLEEPOVER_DAYS = (35, 70)  # planned sleepovers at the hub (assumption)
MOCKINGBIRD_CRISIS_RATE = 0.4  # crisis sleepovers a year (assumption)
LIFE_STORY_FOR_LONG_TERM = 0.1  # long-term LAC given life story work (assumption)

# --- continuity of the allocated worker -----------------------------------------------------------

# Discretionary reallocations a year of holding a case (seed 001 L284: "only in very
# exceptional circumstances"; the high-turnover team manages caseloads more often).
REALLOCATION_RATE = 0.04
REALLOCATION_RATE_HIGH = 0.15
REALLOCATION_REASON = {"MANAGE": 55, "CHCHAN": 12, "PCCHAN": 13, "OTHERS": 20}
REALLOCATION_SCRUTINISED = 0.5  # CiN reallocations with TM and SM scrutiny recorded
LEAVER_HANDOVER_DAYS = (0, 5)  # cases reallocated up to this many days before leaving
UNALLOCATED_GAP_SHARE = 0.08  # reallocations leaving the case briefly unallocated
UNALLOCATED_GAP_SHARE_HIGH = 0.3
# At most 7 days: a new social worker episode should start within 7 days of the last one
# ending (SSDA903 rule SW10a). No gap spans a day the child starts or stops being looked
# after (rule SW12: a social worker on each of those days).
UNALLOCATED_GAP_DAYS = (1, 7)

# --- recording ---------------------------------------------------------------------------------

# Share of routine records (visits, reviews, health, support, care-leaver contacts)
# entered late, and how late (assumption).
LATE_RECORDING_SHARE = 0.05
LATE_RECORDING_DAYS = (8, 90)
# Corrections (assumption): visits with a wrong date corrected, placement postcodes
# corrected, and visits entered twice then retracted.
VISIT_DATE_CORRECTED = 0.004
POSTCODE_CORRECTED = 0.02
VISIT_DUPLICATED = 0.003
CORRECTION_DAYS = (2, 60)
VISIT_DATE_SHIFT_DAYS = (1, 2)  # how far a corrected visit date moves back
DUPLICATE_MINUTES = (2, 15)  # a duplicate entry follows the original by minutes
TIMED_RECORDING_MINUTES = (20, 120)  # timed events (missing episodes) recorded soon after
WORKING_DAY_START_MINUTES = 8 * 60 + 35
WORKING_DAY_END_MINUTES = 17 * 60 + 45
