"""The DfE's CIN census validation rules, applied to the census as its flat tables give it.

`RULES` holds the rules of the DfE's CIN census rule book that concern data this ledger
holds, by the DfE's codes and with its messages, as the open-source validator councils use
(`csc-validator-be-cin`) transcribes them. Each rule reads the tables `cin_census` writes
(dates `yyyy-mm-dd`, flags "true"/"false", blank for nothing) and names every child it
fails, with the dates or values that break it. A referral episode is a CINdetails row; the
rows of the other tables belong to it by LAchildID and CINreferralDate, and a review to its
plan by CPPstartDate as well. The ReferenceDate is 31 March at the end of the census year
(`Submission.end`); the census year runs from 1 April (`Submission.start`).

Where the validator's code and the DfE's condition (quoted in its comments) differ, the
condition is followed: 8890 compares the enquiries of one episode (the code compares other
episodes'); 8820 lets an episode start on the day the one before it closed, as the DfE's
note to the rule says; 9006, 9009 and 9012 check the date against the year whenever it is
given. "Working days" leave out weekends and England's bank holidays; an assessment or
enquiry is overdue (8670Q, 8675Q) when its 45th or 15th working day fell before the
ReferenceDate. The pre-proceedings rules (module 5) are applied from 2025-26, as the census
reports the module from then; the validator has them from 2026-27.

Not applied:
- 100 (Reference Date is incorrect): the flat tables carry no header; the XML message's
  ReferenceDate is written from the collection year, not from data.
- 1530 (UPN characters 2-4 a recognised LA code): needs the DfE's list of LA numbers,
  which the ledger does not hold. 1510 checks the check letter of permanent UPNs only
  (characters 2-13 digits): the weights the notes give are for digits, so a temporary
  UPN's check letter is not checked.
- 2883, 2886Q, 2887Q, 2888Q, 8995Q, 9000Q: checks of the return as a whole (counts and
  percentages across all children), with no child to name.
- 9013 (letter to initiate care proceedings): the ledger does not record that letter, so
  the census leaves LetterInitCPDate blank and there is nothing to check.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import date, timedelta

from journey.codes import code_lists
from journey.working_days import add_working_days, is_working_day
from projections.cin_census import PRE_PROCEEDINGS_FROM
from projections.return_checks import RuleBook, Submission, parse_date, years_after
from projections.return_files import SEX_CODES_FROM

RULES = RuleBook("cin-census")

Row = dict[str, str]
Failures = Iterator[tuple[str, str]]
Episode = tuple[str, str]  # (LAchildID, CINreferralDate): one referral episode

ISO = "%Y-%m-%d"
TRUE, FALSE = ("true", "1"), ("false", "0")  # the XSD's yesnotype, case aside
SEXES = ("M", "F", "U")
CLOSED_AFTER_ASSESSMENT = ("RC8", "RC9")
DIED = "RC2"
NO_DISABILITY = "NONE"
NO_FACTORS = "21"
# FactorsIdentifiedAtAssessment (the CIN XSD's list; 18A and 19A still valid, see 8945Q)
FACTORS = frozenset(
    [f"{n}{who}" for n in range(1, 7) for who in "ABC"]  # 1A-6C: the child, parent, other
    + ["7A", "8B", "8C", "8D", "8E", "8F", "9A", "10A", "11A", "12A", "13A", "14A", "15A"]
    + ["16A", "17A", "18A", "18B", "18C", "19A", "19B", "19C", "20", "21", "22A", "23A", "24A"]
)
UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # remainder 0-22 → letter (no I, O, S)
UPN_LAST_CHARACTERS = frozenset("0123456789" + UPN_CHECK_LETTERS)
UPN_FORM = re.compile(r"[A-Za-z][0-9]{11}[0-9A-HJ-NP-RT-Za-hj-np-rt-z]")
SCHOOL_AGE_UPN_REASONS = ("UN2", "UN3", "UN4", "UN5", "UN6", "UN7")
SOURCE_REQUIRED_FROM = date(2013, 4, 1)  # 8866: referrals from 1 April 2013
UNBORN_REFERRAL_DAYS = 280  # 8606: 40 weeks before the (expected) birth
ASSESSMENT_WORKING_DAYS = 45  # 8670Q
ENQUIRY_WORKING_DAYS = 15  # 8675Q


# --- reading the tables -----------------------------------------------------------------


def text(row: Row | None, column: str) -> str:
    return "" if row is None else (row.get(column) or "").strip()


def day(row: Row | None, column: str) -> date | None:
    return parse_date(text(row, column), ISO)


def said(row: Row, *columns: str) -> str:
    """The values a failure turns on, as "Column value" (blank shown as blank)."""
    return ", ".join(f"{c} {text(row, c) or 'blank'}" for c in columns)


def yes(row: Row | None, column: str) -> bool:
    return text(row, column).lower() in TRUE


def no(row: Row | None, column: str) -> bool:
    return text(row, column).lower() in FALSE


def listed(row: Row, column: str) -> list[str]:
    """A comma-separated list of codes (Disabilities, AssessmentFactors)."""
    return [code.strip() for code in text(row, column).split(",") if code.strip()]


def codes(name: str) -> dict[str, str]:
    return code_lists()[name]


def child_of(row: Row) -> str:
    return text(row, "LAchildID")


def episode_of(row: Row) -> Episode:
    return child_of(row), text(row, "CINreferralDate")


def in_year(s: Submission, on: date) -> bool:
    return s.start <= on <= s.end


def outside_year(s: Submission, row: Row, column: str) -> bool:
    on = day(row, column)
    return on is not None and not in_year(s, on)


def before(row: Row, column: str, other: Row, other_column: str) -> bool:
    """Both dates are given and the first is earlier."""
    first, second = day(row, column), day(other, other_column)
    return first is not None and second is not None and first < second


def weekend(on: date | None) -> bool:
    return on is not None and on.weekday() >= 5


def overdue(s: Submission, started: date, working_days: int) -> bool:
    """Its last working day (the `working_days`th after it started) fell before the
    ReferenceDate."""
    return add_working_days(started, working_days) < s.end


def working_day_before(on: date) -> date:
    on -= timedelta(days=1)
    while not is_working_day(on):
        on -= timedelta(days=1)
    return on


def people(s: Submission) -> dict[str, Row]:
    """Each child's Children row (the first, should there be more)."""
    return {child: rows[0] for child, rows in s.by_child("Children", "LAchildID").items()}


def by_child(s: Submission, file: str) -> dict[str, list[Row]]:
    return s.by_child(file, "LAchildID")


def by_episode(s: Submission, file: str) -> dict[Episode, list[Row]]:
    grouped: dict[Episode, list[Row]] = defaultdict(list)
    for row in s.rows(file):
        grouped[episode_of(row)].append(row)
    return grouped


def with_parts(s: Submission, *files: str) -> Iterator[tuple[Row, list[list[Row]]]]:
    """Each referral episode with its rows of each of `files`."""
    grouped = [by_episode(s, file) for file in files]
    for referral in s.rows("CINdetails"):
        yield referral, [parts.get(episode_of(referral), []) for parts in grouped]


def starting_inside(
    s: Submission,
    rows: list[Row],
    starts: str,
    ends: str,
    *,
    counts_open: Callable[[Row], bool] = lambda row: True,
    end_inclusive: bool = True,
) -> Iterator[tuple[Row, Row]]:
    """(row, other) for each row whose start falls on or between another's start and end
    (its end exclusive unless `end_inclusive`), or between that start and the
    ReferenceDate if the other has no end and `counts_open(other)`."""
    for i, row in enumerate(rows):
        on = day(row, starts)
        if on is None:
            continue
        for j, other in enumerate(rows):
            first, last = day(other, starts), day(other, ends)
            if i == j or first is None:
                continue
            if last is None:
                if counts_open(other) and first <= on <= s.end:
                    yield row, other
            elif first <= on <= last if end_inclusive else first <= on < last:
                yield row, other


def during(s: Submission, on: date, first: date | None, last: date | None) -> bool:
    """On or after `first` and before `last`, or up to the ReferenceDate if open."""
    if first is None:
        return False
    return first <= on < last if last is not None else first <= on <= s.end


def span(row: Row, starts: str, ends: str) -> str:
    return f"{text(row, starts) or 'blank'} to {text(row, ends) or 'open'}"


# --- child identifiers and characteristics ----------------------------------------------


@RULES.rule("8500", "Children", "LA Child ID missing")
def child_id_missing(s: Submission) -> Failures:
    for file, rows in s.made.files.items():
        for number, row in enumerate(rows, start=1):
            if not child_of(row):
                yield "", f"{file} row {number} has no LAchildID"


@RULES.rule("8510", "Children", "More than one child record with the same LA Child ID")
def child_id_repeated(s: Submission) -> Failures:
    for child, rows in by_child(s, "Children").items():
        if child and len(rows) > 1:
            yield child, f"{len(rows)} Children rows"


@RULES.rule("1570", "Children", "LA Child ID must not be longer than 20 characters", since=2024)
def child_id_too_long(s: Submission) -> Failures:
    for row in s.rows("Children"):
        if len(child := child_of(row)) > 20:
            yield child, f"LAchildID has {len(child)} characters"


@RULES.rule(
    "1580",
    "Children",
    "LA Child ID must not contain any non-alphanumeric characters",
    since=2024,
)
def child_id_not_alphanumeric(s: Submission) -> Failures:
    for row in s.rows("Children"):
        if (child := child_of(row)) and not re.fullmatch(r"[A-Za-z0-9]+", child):
            yield child, f"LAchildID {child}"


def upn_check_letter(upn: str) -> str | None:
    """The check letter a permanent UPN (a letter and 12 digits) must start with: its
    characters 2 to 13 weighted 2 to 13, summed, the remainder on division by 23 as a
    letter. None for a UPN that is not of that form."""
    if not re.fullmatch(r".[0-9]{12}", upn):
        return None
    total = sum(int(digit) * weight for weight, digit in enumerate(upn[1:], start=2))
    return UPN_CHECK_LETTERS[total % 23]


def upns(s: Submission) -> Iterator[tuple[str, str]]:
    for row in s.rows("Children"):
        if upn := text(row, "UPN"):
            yield child_of(row), upn


@RULES.rule("1510", "Children", "UPN invalid (wrong check letter at character 1)")
def upn_check_letter_wrong(s: Submission) -> Failures:
    for child, upn in upns(s):
        letter = upn_check_letter(upn)
        if letter is not None and upn[0].upper() != letter:
            yield child, f"UPN {upn} should start with {letter}"


@RULES.rule("1520", "Children", "More than one record with the same UPN.")
def upn_repeated(s: Submission) -> Failures:
    found = list(upns(s))
    counts = Counter(upn for _, upn in found)
    for child, upn in found:
        if counts[upn] > 1:
            yield child, f"UPN {upn} is given for {counts[upn]} children"


@RULES.rule("1540", "Children", "UPN invalid (characters 5-12 not all numeric)")
def upn_not_numeric(s: Submission) -> Failures:
    for child, upn in upns(s):
        if not re.fullmatch(r"[0-9]{8}", upn[4:12]):
            yield child, f"UPN {upn}"


@RULES.rule("1550", "Children", "UPN invalid (character 13 not a recognised value)")
def upn_last_character(s: Submission) -> Failures:
    for child, upn in upns(s):
        if len(upn) != 13 or upn[12].upper() not in UPN_LAST_CHARACTERS:
            yield child, f"UPN {upn}"


@RULES.rule(
    "1560Q",
    "Children",
    "Please check and either amend or provide a reason: Former UPN wrongly formatted",
    query=True,
)
def former_upn_form(s: Submission) -> Failures:
    for row in s.rows("Children"):
        if (former := text(row, "FormerUPN")) and not UPN_FORM.fullmatch(former):
            yield child_of(row), f"FormerUPN {former}"


@RULES.rule(
    "8770Q",
    "Children",
    "Please check and either amend data or provide a reason: UPN is missing or reason UPN "
    "is missing or is UN1 for a child who is of school age.",
    query=True,
    since=2024,
)
def school_age_without_upn(s: Submission) -> Failures:
    school_age_born_by = date(s.end.year - 4, 8, 31)  # 4 by the 31 August after 31 March
    referrals = by_child(s, "CINdetails")
    for row in s.rows("Children"):
        born = day(row, "PersonBirthDate")
        further_action = any(no(r, "ReferralNFA") for r in referrals.get(child_of(row), []))
        if (
            born is not None
            and born <= school_age_born_by
            and further_action
            and not text(row, "UPN")
            and text(row, "UPNunknown").upper() not in SCHOOL_AGE_UPN_REASONS
        ):
            yield child_of(row), said(row, "PersonBirthDate", "UPNunknown")


@RULES.rule(
    "8772",
    "Children",
    "UPN unknown reason is UN7 (Referral with no further action) but at least one CIN "
    "details is a referral going on to further action",
)
def un7_with_further_action(s: Submission) -> Failures:
    referrals = by_child(s, "CINdetails")
    for row in s.rows("Children"):
        if text(row, "UPNunknown").upper() == "UN7":
            for referral in referrals.get(child_of(row), []):
                if not yes(referral, "ReferralNFA"):
                    yield child_of(row), f"UN7, but {said(referral, 'CINreferralDate')} is not NFA"


@RULES.rule("4180", "Children", "Sex must be provided and equal M, F, or U", since=SEX_CODES_FROM)
def sex_code(s: Submission) -> Failures:
    for row in s.rows("Children"):
        if text(row, "Sex") not in SEXES:
            yield child_of(row), said(row, "Sex")


@RULES.rule("8750", "Children", "Sex must equal U for an unborn child", since=SEX_CODES_FROM)
def unborn_sex(s: Submission) -> Failures:
    for row in s.rows("Children"):
        unborn = text(row, "ExpectedPersonBirthDate") and not text(row, "PersonBirthDate")
        if unborn and text(row, "Sex") != "U":
            yield child_of(row), said(row, "ExpectedPersonBirthDate", "Sex")


@RULES.rule(
    "8520",
    "Children",
    "Date of Birth is after data collection period (must be on or before the end of the "
    "census period)",
)
def born_after_year(s: Submission) -> Failures:
    for row in s.rows("Children"):
        if (born := day(row, "PersonBirthDate")) is not None and born > s.end:
            yield child_of(row), f"PersonBirthDate {born} is after {s.end}"


@RULES.rule(
    "8525Q",
    "Children",
    "Either Date of Birth or Expected Date of Birth must be provided (but not both)",
    query=True,
)
def birth_or_expected(s: Submission) -> Failures:
    for row in s.rows("Children"):
        if bool(text(row, "PersonBirthDate")) == bool(text(row, "ExpectedPersonBirthDate")):
            yield child_of(row), said(row, "PersonBirthDate", "ExpectedPersonBirthDate")


@RULES.rule(
    "8530Q",
    "Children",
    "Please check and either amend data or provide a reason: Expected Date of Birth is "
    "outside the expected range for this census (March to December of the Census Year end)",
    query=True,
)
def expected_birth_range(s: Submission) -> Failures:
    earliest = s.end - timedelta(days=30)
    latest = date(s.end.year, 12, 31)  # the ReferenceDate (31 March) plus 9 months
    for row in s.rows("Children"):
        expected = day(row, "ExpectedPersonBirthDate")
        if expected is not None and not earliest <= expected <= latest:
            yield child_of(row), f"ExpectedPersonBirthDate {expected}: not {earliest} to {latest}"


@RULES.rule(
    "8535Q",
    "Children",
    "Please check and either amend data or provide a reason: Child’s date of death should "
    "not be prior to the date of birth",
    query=True,
)
def died_before_born(s: Submission) -> Failures:
    for row in s.rows("Children"):
        if before(row, "PersonDeathDate", row, "PersonBirthDate"):
            yield child_of(row), said(row, "PersonBirthDate", "PersonDeathDate")


@RULES.rule(
    "8545Q",
    "Children",
    "Please check and either amend data or provide a reason: Child's date of death should be "
    "within the census year",
    query=True,
)
def died_outside_year(s: Submission) -> Failures:
    for row in s.rows("Children"):
        if outside_year(s, row, "PersonDeathDate"):
            yield child_of(row), said(row, "PersonDeathDate")


@RULES.rule(
    "8775Q",
    "Children",
    "Please check and either amend data or provide a reason: Child is over 25 years old",
    query=True,
)
def over_25(s: Submission) -> Failures:
    referrals = by_child(s, "CINdetails")
    for row in s.rows("Children"):
        born = day(row, "PersonBirthDate")
        if born is None or years_after(born, 25) >= s.end:
            continue
        turned_25 = years_after(born, 25)
        for referral in referrals.get(child_of(row), []):
            closed = day(referral, "CINclosureDate")
            if closed is None or closed > turned_25:
                yield child_of(row), f"25 on {turned_25}; {said(referral, 'CINclosureDate')}"


@RULES.rule("4220", "Children", "Ethnicity is missing or invalid (see Ethnicity table)")
def ethnicity_code(s: Submission) -> Failures:
    for row in s.rows("Children"):
        if text(row, "Ethnicity") not in codes("ETHNICITY"):
            yield child_of(row), said(row, "Ethnicity")


@RULES.rule("8540", "Children", "Child’s disability is missing or invalid (see Disability table)")
def disability_codes(s: Submission) -> Failures:
    referrals = by_child(s, "CINdetails")
    for row in s.rows("Children"):
        given = listed(row, "Disabilities")
        invalid = [c for c in given if c not in codes("DISABILITY")]
        needed = bool(text(row, "PersonBirthDate")) and any(
            no(r, "ReferralNFA") for r in referrals.get(child_of(row), [])
        )
        if invalid or (needed and not given):
            yield child_of(row), said(row, "Disabilities")


@RULES.rule("8790", "Children", "Disability information includes both None and other values")
def no_disability_alone(s: Submission) -> Failures:
    for row in s.rows("Children"):
        given = listed(row, "Disabilities")
        if NO_DISABILITY in given and len(set(given)) > 1:
            yield child_of(row), said(row, "Disabilities")


@RULES.rule("8794", "Children", "Child has two or more disabilities with the same code")
def disability_repeated(s: Submission) -> Failures:
    for row in s.rows("Children"):
        given = listed(row, "Disabilities")
        if len(given) != len(set(given)):
            yield child_of(row), said(row, "Disabilities")


# --- CIN details (the referral episode) --------------------------------------------------


@RULES.rule("8590", "Children", "Child does not have a recorded CIN episode.")
def no_episode(s: Submission) -> Failures:
    referrals = by_child(s, "CINdetails")
    for row in s.rows("Children"):
        if not referrals.get(child_of(row)):
            yield child_of(row), "no CINdetails"


@RULES.rule("8600", "CINdetails", "Child referral date missing or after data collection period")
def referral_date(s: Submission) -> Failures:
    for row in s.rows("CINdetails"):
        referred = day(row, "CINreferralDate")
        if referred is None or referred > s.end:
            yield child_of(row), said(row, "CINreferralDate")


@RULES.rule(
    "8606", "CINdetails", "Child referral date is more than 40 weeks before DOB or expected DOB"
)
def referred_long_before_birth(s: Submission) -> Failures:
    children = people(s)
    for row in s.rows("CINdetails"):
        person = children.get(child_of(row))
        referred = day(row, "CINreferralDate")
        for column in ("PersonBirthDate", "ExpectedPersonBirthDate"):
            birth = day(person, column)
            if referred and birth and referred < birth - timedelta(days=UNBORN_REFERRAL_DAYS):
                yield child_of(row), f"CINreferralDate {referred}, {column} {birth}"


@RULES.rule(
    "8555Q", "CINdetails", "Child cannot be referred after its recorded date of death", query=True
)
def referred_after_death(s: Submission) -> Failures:
    children = people(s)
    for row in s.rows("CINdetails"):
        person = children.get(child_of(row))
        if person is not None and before(person, "PersonDeathDate", row, "CINreferralDate"):
            yield (
                child_of(row),
                f"{said(row, 'CINreferralDate')}, {said(person, 'PersonDeathDate')}",
            )


@RULES.rule("8866", "CINdetails", "Source of Referral is missing or an invalid code")
def referral_source(s: Submission) -> Failures:
    for row in s.rows("CINdetails"):
        referred = day(row, "CINreferralDate")
        required = referred is None or referred >= SOURCE_REQUIRED_FROM
        if required and text(row, "ReferralSource") not in codes("REFERRAL_SOURCE"):
            yield child_of(row), said(row, "CINreferralDate", "ReferralSource")


@RULES.rule("8568", "CINdetails", "RNFA flag is missing or invalid")
def nfa_flag(s: Submission) -> Failures:
    for row in s.rows("CINdetails"):
        if not (yes(row, "ReferralNFA") or no(row, "ReferralNFA")):
            yield child_of(row), said(row, "CINreferralDate", "ReferralNFA")


@RULES.rule(
    "8569Q",
    "CINdetails",
    "A case with referral date before one working day prior to the collection start date "
    "must not be flagged as a no further action case",
    query=True,
)
def nfa_before_year(s: Submission) -> Failures:
    cutoff = working_day_before(s.start)
    for row in s.rows("CINdetails"):
        referred = day(row, "CINreferralDate")
        if referred is not None and referred < cutoff and yes(row, "ReferralNFA"):
            yield child_of(row), f"NFA referral of {referred}, before {cutoff}"


@RULES.rule(
    "8610",
    "CINdetails",
    "Primary Need code is missing for a referral which led to further action.",
)
def primary_need_missing(s: Submission) -> Failures:
    for row in s.rows("CINdetails"):
        if no(row, "ReferralNFA") and not text(row, "PrimaryNeedCode"):
            yield child_of(row), said(row, "CINreferralDate", "PrimaryNeedCode")


@RULES.rule(
    "8650",
    "CINdetails",
    "Primary Need Code invalid (see Primary Need table in CIN census code set)",
)
def primary_need_code(s: Submission) -> Failures:
    for row in s.rows("CINdetails"):
        need = text(row, "PrimaryNeedCode")
        if need and need not in codes("PRIMARY_NEED"):
            yield child_of(row), said(row, "CINreferralDate", "PrimaryNeedCode")


@RULES.rule(
    "8640",
    "CINdetails",
    "CIN Reason for closure code invalid (see Reason for Closure table in CIN Census code set)",
)
def closure_reason_code(s: Submission) -> Failures:
    for row in s.rows("CINdetails"):
        reason = text(row, "ReasonForClosure")
        if reason and reason not in codes("CIN_CLOSURE"):
            yield child_of(row), said(row, "CINreferralDate", "ReasonForClosure")


@RULES.rule(
    "8620", "CINdetails", "CIN Closure Date present and does not fall within the Census year"
)
def closed_outside_year(s: Submission) -> Failures:
    for row in s.rows("CINdetails"):
        if outside_year(s, row, "CINclosureDate"):
            yield child_of(row), said(row, "CINreferralDate", "CINclosureDate")


@RULES.rule(
    "8630", "CINdetails", "CIN Closure Date is before CIN Referral Date for the same CIN episode"
)
def closed_before_referred(s: Submission) -> Failures:
    for row in s.rows("CINdetails"):
        if before(row, "CINclosureDate", row, "CINreferralDate"):
            yield child_of(row), said(row, "CINreferralDate", "CINclosureDate")


@RULES.rule(
    "8805",
    "CINdetails",
    "A CIN case cannot have a CIN closure date without a Reason for Closure",
)
def closed_without_reason(s: Submission) -> Failures:
    for row in s.rows("CINdetails"):
        if text(row, "CINclosureDate") and not text(row, "ReasonForClosure"):
            yield child_of(row), said(row, "CINreferralDate", "CINclosureDate")


@RULES.rule(
    "8810",
    "CINdetails",
    "A CIN case cannot have a Reason for Closure without a CIN Closure Date",
)
def reason_without_closure(s: Submission) -> Failures:
    for row in s.rows("CINdetails"):
        if text(row, "ReasonForClosure") and not text(row, "CINclosureDate"):
            yield child_of(row), said(row, "CINreferralDate", "ReasonForClosure")


@RULES.rule(
    "8585Q",
    "CINdetails",
    "Please check and either amend or provide a reason: CIN episode shows Died as the Closure "
    "Reason, however child has no recorded Date of Death",
    query=True,
)
def died_without_date(s: Submission) -> Failures:
    children = people(s)
    for row in s.rows("CINdetails"):
        person = children.get(child_of(row))
        if text(row, "ReasonForClosure") == DIED and not text(person, "PersonDeathDate"):
            yield child_of(row), said(row, "CINreferralDate", "ReasonForClosure")


# The dates of an episode's activity, by table, that its closure must not come before (8565).
ACTIVITY: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Assessments", ("AssessmentActualStartDate", "AssessmentAuthorisationDate")),
    ("Section47", ("S47ActualStartDate", "DateOfInitialCPC")),
    ("ChildProtectionPlans", ("CPPendDate",)),
    ("CINPlanDates", ("CINPlanStartDate", "CINPlanEndDate")),
)


@RULES.rule("8565", "CINdetails", "Activity shown after a case has been closed")
def activity_after_closure(s: Submission) -> Failures:
    tables = [table for table, _ in ACTIVITY]
    for referral, parts in with_parts(s, *tables):
        closed = day(referral, "CINclosureDate")
        if closed is None:
            continue
        dated = [(referral, "DateOfInitialCPC")] + [
            (row, column)
            for rows, (_, columns) in zip(parts, ACTIVITY, strict=True)
            for row in rows
            for column in columns
        ]
        for row, column in dated:
            if (on := day(row, column)) is not None and on > closed:
                yield child_of(referral), f"{column} {on} is after CINclosureDate {closed}"


@RULES.rule(
    "8815",
    "CINdetails",
    "More than one open CIN Details episode (a module with no CIN Closure Date) has been "
    "provided for this child and case is not a referral with no further action.",
)
def open_episodes(s: Submission) -> Failures:
    for child, rows in by_child(s, "CINdetails").items():
        open_ = [r for r in rows if not text(r, "CINclosureDate") and no(r, "ReferralNFA")]
        if len(open_) > 1:
            yield child, "open referrals of " + ", ".join(text(r, "CINreferralDate") for r in open_)


@RULES.rule(
    "8816",
    "CINdetails",
    "An open CIN episode is shown and case is not a referral with no further action, but it "
    "is not the latest episode.",
)
def open_episode_not_latest(s: Submission) -> Failures:
    for child, rows in by_child(s, "CINdetails").items():
        dates = [d for r in rows if (d := day(r, "CINreferralDate")) is not None]
        if not dates:
            continue
        latest = max(dates)
        for row in rows:
            referred = day(row, "CINreferralDate")
            open_ = not text(row, "CINclosureDate") and no(row, "ReferralNFA")
            if open_ and referred is not None and referred < latest:
                yield child, f"open referral of {referred}; the latest is of {latest}"


@RULES.rule("8820", "CINdetails", "The dates on the CIN episodes for this child overlap")
def episodes_overlap(s: Submission) -> Failures:
    for child, rows in by_child(s, "CINdetails").items():
        for row, other in starting_inside(
            s,
            rows,
            "CINreferralDate",
            "CINclosureDate",
            counts_open=lambda r: no(r, "ReferralNFA"),
            end_inclusive=False,
        ):
            yield (
                child,
                (
                    f"referral of {text(row, 'CINreferralDate')} is within the episode "
                    f"{span(other, 'CINreferralDate', 'CINclosureDate')}"
                ),
            )


@RULES.rule(
    "8831",
    "CINdetails",
    "Activity is recorded against a case marked as a referral with no further action",
)
def activity_on_nfa(s: Submission) -> Failures:
    for referral, (assessments, enquiries) in with_parts(s, "Assessments", "Section47"):
        if not yes(referral, "ReferralNFA"):
            continue
        found = [f"{len(assessments)} assessment(s)"] if assessments else []
        found += [f"{len(enquiries)} section 47 enquiry(ies)"] if enquiries else []
        found += ["DateOfInitialCPC"] if text(referral, "DateOfInitialCPC") else []
        if found:
            yield (
                child_of(referral),
                f"NFA referral of {text(referral, 'CINreferralDate')} has " + ", ".join(found),
            )


@RULES.rule(
    "8832",
    "ChildProtectionPlans",
    "Child Protection details provided for a referral with no further action.",
)
def plan_on_nfa(s: Submission) -> Failures:
    for referral, (plans,) in with_parts(s, "ChildProtectionPlans"):
        if yes(referral, "ReferralNFA") and plans:
            yield (
                child_of(referral),
                f"NFA referral of {text(referral, 'CINreferralDate')} has a plan",
            )


@RULES.rule(
    "4000", "CINPlanDates", "CIN Plan details provided for a referral with no further action"
)
def cin_plan_on_nfa(s: Submission) -> Failures:
    for referral, (plans,) in with_parts(s, "CINPlanDates"):
        if yes(referral, "ReferralNFA") and plans:
            yield (
                child_of(referral),
                f"NFA referral of {text(referral, 'CINreferralDate')} has a CIN plan",
            )


@RULES.rule(
    "2990",
    "CINdetails",
    "Activity is recorded against a case marked as ‘Case closed after assessment, no further "
    "action’ or 'case closed after assessment, referred to early help'.",
)
def activity_after_assessment_closure(s: Submission) -> Failures:
    tables = ("Section47", "ChildProtectionPlans", "CINPlanDates")
    for referral, parts in with_parts(s, *tables):
        if text(referral, "ReasonForClosure") not in CLOSED_AFTER_ASSESSMENT:
            continue
        found = [table for table, rows in zip(tables, parts, strict=True) if rows]
        found += ["DateOfInitialCPC"] if text(referral, "DateOfInitialCPC") else []
        if found:
            yield (
                child_of(referral),
                f"{said(referral, 'ReasonForClosure')}, but " + ", ".join(found),
            )


@RULES.rule(
    "8825Q",
    "CINdetails",
    "Please check and either amend data or provide a reason: Reason for Closure code RC8 "
    "(case closed after assessment) or RC9 (case closed after assessment, referred to early "
    "help) has been returned but there is no assessment present for the episode.",
    query=True,
)
def closed_after_no_assessment(s: Submission) -> Failures:
    for referral, (assessments,) in with_parts(s, "Assessments"):
        if text(referral, "ReasonForClosure") in CLOSED_AFTER_ASSESSMENT and not assessments:
            yield child_of(referral), said(referral, "CINreferralDate", "ReasonForClosure")


@RULES.rule(
    "2991Q",
    "CINdetails",
    "Please check and either amend data or provide a reason: A Section 47 module is recorded "
    "and there is no assessment on the episode",
    query=True,
)
def enquiry_without_assessment(s: Submission) -> Failures:
    for referral, (assessments, enquiries) in with_parts(s, "Assessments", "Section47"):
        if enquiries and not assessments:
            yield child_of(referral), f"referral of {text(referral, 'CINreferralDate')}"


@RULES.rule(
    "8867",
    "CINdetails",
    "CIN episode is shown as closed, however Assessment is not shown as completed",
)
def closed_with_open_assessment(s: Submission) -> Failures:
    for referral, (assessments,) in with_parts(s, "Assessments"):
        if not text(referral, "CINclosureDate"):
            continue
        for row in assessments:
            if not text(row, "AssessmentAuthorisationDate"):
                yield (
                    child_of(referral),
                    (
                        f"{said(referral, 'CINclosureDate')}; assessment of "
                        f"{text(row, 'AssessmentActualStartDate')} not completed"
                    ),
                )


@RULES.rule(
    "8868",
    "CINdetails",
    "CIN episode is shown as closed, however Section 47 enquiry is not shown as completed by "
    "ICPC date or ICPC not required flag",
)
def closed_with_open_enquiry(s: Submission) -> Failures:
    for referral, (enquiries,) in with_parts(s, "Section47"):
        if not text(referral, "CINclosureDate"):
            continue
        for row in enquiries:
            if not text(row, "DateOfInitialCPC") and not yes(row, "ICPCnotRequired"):
                yield (
                    child_of(referral),
                    (
                        f"{said(referral, 'CINclosureDate')}; enquiry of "
                        f"{text(row, 'S47ActualStartDate')} not completed"
                    ),
                )


# --- assessments -------------------------------------------------------------------------


@RULES.rule("1103", "Assessments", "The assessment start date cannot be before the referral date")
def assessment_before_referral(s: Submission) -> Failures:
    for row in s.rows("Assessments"):
        if before(row, "AssessmentActualStartDate", row, "CINreferralDate"):
            yield child_of(row), said(row, "CINreferralDate", "AssessmentActualStartDate")


@RULES.rule("8608", "Assessments", "Assessment Start Date cannot be later than its End Date")
def assessment_ends_before_start(s: Submission) -> Failures:
    for row in s.rows("Assessments"):
        if before(row, "AssessmentAuthorisationDate", row, "AssessmentActualStartDate"):
            yield (
                child_of(row),
                said(row, "AssessmentActualStartDate", "AssessmentAuthorisationDate"),
            )


@RULES.rule("8696", "Assessments", "Assessment end date must fall within the census year")
def assessment_ends_outside_year(s: Submission) -> Failures:
    for row in s.rows("Assessments"):
        if outside_year(s, row, "AssessmentAuthorisationDate"):
            yield child_of(row), said(row, "AssessmentAuthorisationDate")


@RULES.rule(
    "8736",
    "Assessments",
    "For an Assessment that has not been completed, the start date must fall within the "
    "census year",
)
def open_assessment_started_outside_year(s: Submission) -> Failures:
    for row in s.rows("Assessments"):
        if not text(row, "AssessmentAuthorisationDate") and outside_year(
            s, row, "AssessmentActualStartDate"
        ):
            yield (
                child_of(row),
                said(row, "AssessmentActualStartDate", "AssessmentAuthorisationDate"),
            )


@RULES.rule(
    "8670Q",
    "Assessments",
    "Please check and either amend data or provide a reason: Assessment started more than 45 "
    "working days before the end of the census year. However, there is no Assessment end "
    "date.",
    query=True,
)
def assessment_overdue(s: Submission) -> Failures:
    for row in s.rows("Assessments"):
        started = day(row, "AssessmentActualStartDate")
        if (
            started is not None
            and not text(row, "AssessmentAuthorisationDate")
            and overdue(s, started, ASSESSMENT_WORKING_DAYS)
        ):
            due = add_working_days(started, ASSESSMENT_WORKING_DAYS)
            yield child_of(row), f"started {started}, due {due}, not completed"


@RULES.rule(
    "8863Q",
    "Assessments",
    "An Assessment is shown as starting when there is another Assessment ongoing.",
    query=True,
)
def assessments_overlap(s: Submission) -> Failures:
    for (child, _), rows in by_episode(s, "Assessments").items():
        for row, other in starting_inside(
            s, rows, "AssessmentActualStartDate", "AssessmentAuthorisationDate"
        ):
            yield (
                child,
                (
                    f"assessment of {text(row, 'AssessmentActualStartDate')} starts within "
                    f"{span(other, 'AssessmentActualStartDate', 'AssessmentAuthorisationDate')}"
                ),
            )


@RULES.rule(
    "8896", "Assessments", "Within one CINDetails group there are 2 or more open Assessments groups"
)
def open_assessments(s: Submission) -> Failures:
    for (child, referred), rows in by_episode(s, "Assessments").items():
        open_ = [r for r in rows if not text(r, "AssessmentAuthorisationDate")]
        if len(open_) > 1:
            yield child, f"{len(open_)} open assessments on the referral of {referred}"


@RULES.rule(
    "8614",
    "Assessments",
    "Parental or child factors at assessment should only be present for a completed assessment.",
)
def factors_on_open_assessment(s: Submission) -> Failures:
    for row in s.rows("Assessments"):
        if text(row, "AssessmentFactors") and not text(row, "AssessmentAuthorisationDate"):
            yield child_of(row), said(row, "AssessmentActualStartDate", "AssessmentFactors")


@RULES.rule(
    "8897Q",
    "Assessments",
    "Parental or child factors at assessment information is missing from a completed assessment",
    query=True,
)
def factors_missing(s: Submission) -> Failures:
    for row in s.rows("Assessments"):
        completed = day(row, "AssessmentAuthorisationDate")
        factors = listed(row, "AssessmentFactors")
        missing = not factors or any(f not in FACTORS for f in factors)
        if completed is not None and completed >= s.start and missing:
            yield child_of(row), said(row, "AssessmentAuthorisationDate", "AssessmentFactors")


@RULES.rule(
    "8898",
    "Assessments",
    "The assessment has more than one parental or child factors with the same code",
)
def factor_repeated(s: Submission) -> Failures:
    for row in s.rows("Assessments"):
        factors = listed(row, "AssessmentFactors")
        if len(factors) != len(set(factors)):
            yield child_of(row), said(row, "AssessmentActualStartDate", "AssessmentFactors")


@RULES.rule(
    "8869",
    "Assessments",
    "The assessment factors code “21” cannot be used in conjunction with any other assessment "
    "factors.",
)
def no_factors_alone(s: Submission) -> Failures:
    for row in s.rows("Assessments"):
        factors = listed(row, "AssessmentFactors")
        if NO_FACTORS in factors and len(set(factors)) > 1:
            yield child_of(row), said(row, "AssessmentActualStartDate", "AssessmentFactors")


@RULES.rule(
    "8873Q",
    "Assessments",
    "Please check and either amend data or provide a reason: When there is only one "
    "assessment on the episode and the factors code “21 No factors identified” has been used "
    "for the completed assessment, the reason for closure ‘RC8’ or 'RC9' should be used.",
    query=True,
)
def no_factors_not_closed_after_assessment(s: Submission) -> Failures:
    for referral, (assessments,) in with_parts(s, "Assessments"):
        if (
            len(assessments) == 1
            and NO_FACTORS in listed(assessments[0], "AssessmentFactors")
            and text(referral, "ReasonForClosure") not in CLOSED_AFTER_ASSESSMENT
        ):
            yield child_of(referral), said(referral, "CINreferralDate", "ReasonForClosure")


def factor_not_to_use(code: str) -> Callable[[Submission], Failures]:
    def check(s: Submission) -> Failures:
        for row in s.rows("Assessments"):
            if code in listed(row, "AssessmentFactors"):
                yield child_of(row), said(row, "AssessmentActualStartDate", "AssessmentFactors")

    return check


RULES.rule(
    "8945Q",
    "Assessments",
    "Please check and either amend data or provide a reason: the assessment factors code "
    "'18A' should not be used ('18B' or '18C' should be used instead)",
    query=True,
    since=2024,
)(factor_not_to_use("18A"))
RULES.rule(
    "8950Q",
    "Assessments",
    "Please check and either amend data or provide a reason: the assessment factors code "
    "'19A' should not be used ('19B' or '19C' should be used instead)",
    query=True,
    since=2024,
)(factor_not_to_use("19A"))


# --- section 47 enquiries and initial conferences -----------------------------------------


def enquiry_open(row: Row) -> bool:
    """No initial conference yet, and not found to need none."""
    return not text(row, "DateOfInitialCPC") and not yes(row, "ICPCnotRequired")


def conferences(s: Submission) -> Iterator[tuple[Row, str]]:
    """Every initial conference date given, with its row: on a section 47 enquiry or on
    the CINdetails itself."""
    for file in ("Section47", "CINdetails"):
        for row in s.rows(file):
            if text(row, "DateOfInitialCPC"):
                yield row, file


@RULES.rule("2889", "Section47", "The S47 start date cannot be before the referral date.")
def enquiry_before_referral(s: Submission) -> Failures:
    for row in s.rows("Section47"):
        if before(row, "S47ActualStartDate", row, "CINreferralDate"):
            yield child_of(row), said(row, "CINreferralDate", "S47ActualStartDate")


@RULES.rule(
    "1104",
    "Section47",
    "The date of the initial child protection conference cannot be before the referral date",
)
def conference_before_referral(s: Submission) -> Failures:
    for row, file in conferences(s):
        if before(row, "DateOfInitialCPC", row, "CINreferralDate"):
            yield child_of(row), f"{file}: {said(row, 'CINreferralDate', 'DateOfInitialCPC')}"


@RULES.rule(
    "8615",
    "Section47",
    "Section 47 Enquiry Start Date must be present and cannot be later than the date of the "
    "initial Child Protection Conference",
)
def enquiry_start(s: Submission) -> Failures:
    for row in s.rows("Section47"):
        if day(row, "S47ActualStartDate") is None or before(
            row, "DateOfInitialCPC", row, "S47ActualStartDate"
        ):
            yield child_of(row), said(row, "S47ActualStartDate", "DateOfInitialCPC")


@RULES.rule(
    "8715",
    "Section47",
    "Date of Initial Child Protection Conference must fall within the census year",
)
def conference_outside_year(s: Submission) -> Failures:
    for row, file in conferences(s):
        if outside_year(s, row, "DateOfInitialCPC"):
            yield child_of(row), f"{file}: {said(row, 'DateOfInitialCPC')}"


@RULES.rule(
    "8740",
    "Section47",
    "For a Section 47 Enquiry that has not held the Initial Child Protection Conference by "
    "the end of the census year, the start date must fall within the census year",
)
def open_enquiry_started_outside_year(s: Submission) -> Failures:
    for row in s.rows("Section47"):
        if enquiry_open(row) and outside_year(s, row, "S47ActualStartDate"):
            yield child_of(row), said(row, "S47ActualStartDate", "DateOfInitialCPC")


@RULES.rule(
    "8675Q",
    "Section47",
    "Please check and either amend data or provide a reason: S47 Enquiry started more than 15 "
    "working days before the end of the census year. However, there is no date of Initial "
    "Child Protection Conference.",
    query=True,
)
def enquiry_overdue(s: Submission) -> Failures:
    for row in s.rows("Section47"):
        started = day(row, "S47ActualStartDate")
        if started is not None and enquiry_open(row) and overdue(s, started, ENQUIRY_WORKING_DAYS):
            due = add_working_days(started, ENQUIRY_WORKING_DAYS)
            yield child_of(row), f"started {started}, due {due}, no initial conference"


@RULES.rule(
    "8839", "Section47", "Within one CINDetails group there are 2 or more open S47 Assessments"
)
def open_enquiries(s: Submission) -> Failures:
    for (child, referred), rows in by_episode(s, "Section47").items():
        open_ = [r for r in rows if enquiry_open(r)]
        if len(open_) > 1:
            yield child, f"{len(open_)} open enquiries on the referral of {referred}"


@RULES.rule(
    "8890",
    "Section47",
    "A Section 47 enquiry is shown as starting when there is another Section 47 Enquiry ongoing",
)
def enquiries_overlap(s: Submission) -> Failures:
    for (child, _), rows in by_episode(s, "Section47").items():
        for row, other in starting_inside(
            s,
            rows,
            "S47ActualStartDate",
            "DateOfInitialCPC",
            counts_open=lambda r: not yes(r, "ICPCnotRequired"),
        ):
            yield (
                child,
                (
                    f"enquiry of {text(row, 'S47ActualStartDate')} starts within "
                    f"{span(other, 'S47ActualStartDate', 'DateOfInitialCPC')}"
                ),
            )


@RULES.rule(
    "8870Q",
    "Section47",
    "Please check and either amend or provide a reason: The Target Date for Initial Child "
    "Protection Conference should not be a weekend",
    query=True,
)
def conference_target_weekend(s: Submission) -> Failures:
    for row in s.rows("Section47"):
        if weekend(target := day(row, "InitialCPCtarget")):
            yield child_of(row), f"InitialCPCtarget {target} is a {target:%A}"


@RULES.rule(
    "8875", "Section47", "The Date of Initial Child Protection Conference cannot be a weekend"
)
def conference_weekend(s: Submission) -> Failures:
    for row, file in conferences(s):
        if weekend(held := day(row, "DateOfInitialCPC")):
            yield child_of(row), f"{file}: DateOfInitialCPC {held} is a {held:%A}"


@RULES.rule(
    "2884",
    "Section47",
    "An initial child protection conference is recorded at both the S47 and CIN Details "
    "level and it should only be recorded in one",
)
def conference_recorded_twice(s: Submission) -> Failures:
    for referral, (enquiries,) in with_parts(s, "Section47"):
        if text(referral, "DateOfInitialCPC") and any(
            text(r, "DateOfInitialCPC") for r in enquiries
        ):
            yield child_of(referral), said(referral, "CINreferralDate", "DateOfInitialCPC")


# --- child protection plans --------------------------------------------------------------


@RULES.rule(
    "1105",
    "ChildProtectionPlans",
    "The child protection plan start date cannot be before the referral date",
)
def plan_before_referral(s: Submission) -> Failures:
    for row in s.rows("ChildProtectionPlans"):
        if before(row, "CPPstartDate", row, "CINreferralDate"):
            yield child_of(row), said(row, "CINreferralDate", "CPPstartDate")


@RULES.rule(
    "8720",
    "ChildProtectionPlans",
    "Child Protection Plan Start Date missing or out of data collection period",
)
def plan_start(s: Submission) -> Failures:
    for row in s.rows("ChildProtectionPlans"):
        started = day(row, "CPPstartDate")
        if started is None or started > s.end:
            yield child_of(row), said(row, "CPPstartDate")


@RULES.rule(
    "8925", "ChildProtectionPlans", "Child Protection Plan End Date earlier than Start Date"
)
def plan_ends_before_start(s: Submission) -> Failures:
    for row in s.rows("ChildProtectionPlans"):
        if before(row, "CPPendDate", row, "CPPstartDate"):
            yield child_of(row), said(row, "CPPstartDate", "CPPendDate")


@RULES.rule(
    "8930",
    "ChildProtectionPlans",
    "Child Protection Plan End Date must fall within the census year",
)
def plan_ends_outside_year(s: Submission) -> Failures:
    for row in s.rows("ChildProtectionPlans"):
        if outside_year(s, row, "CPPendDate"):
            yield child_of(row), said(row, "CPPstartDate", "CPPendDate")


@RULES.rule(
    "8840", "ChildProtectionPlans", "Child Protection Plan cannot start and end on the same day"
)
def plan_of_one_day(s: Submission) -> Failures:
    for row in s.rows("ChildProtectionPlans"):
        started = day(row, "CPPstartDate")
        if started is not None and started == day(row, "CPPendDate"):
            yield child_of(row), said(row, "CPPstartDate", "CPPendDate")


@RULES.rule(
    "8935",
    "ChildProtectionPlans",
    "This child is showing more than one open Child Protection plan, i.e. with no End Date",
)
def open_plans(s: Submission) -> Failures:
    for child, rows in by_child(s, "ChildProtectionPlans").items():
        open_ = [text(r, "CPPstartDate") for r in rows if not text(r, "CPPendDate")]
        if len(open_) > 1:
            yield child, "open plans started " + ", ".join(open_)


@RULES.rule("8940", "ChildProtectionPlans", "Child Protection Plan data contains overlapping dates")
def plans_overlap(s: Submission) -> Failures:
    for child, rows in by_child(s, "ChildProtectionPlans").items():
        for row, other in starting_inside(s, rows, "CPPstartDate", "CPPendDate"):
            yield (
                child,
                (
                    f"plan of {text(row, 'CPPstartDate')} starts within "
                    f"{span(other, 'CPPstartDate', 'CPPendDate')}"
                ),
            )


@RULES.rule(
    "8730", "ChildProtectionPlans", "Total Number of previous Child Protection Plans missing"
)
def previous_plans(s: Submission) -> Failures:
    for row in s.rows("ChildProtectionPlans"):
        if not re.fullmatch(r"[0-9]+", text(row, "NumberOfPreviousCPP")):
            yield child_of(row), said(row, "CPPstartDate", "NumberOfPreviousCPP")


def category_check(column: str) -> Callable[[Submission], Failures]:
    def check(s: Submission) -> Failures:
        for row in s.rows("ChildProtectionPlans"):
            if text(row, column) not in codes("ABUSE_CATEGORY"):
                yield child_of(row), said(row, "CPPstartDate", column)

    return check


RULES.rule(
    "8905",
    "ChildProtectionPlans",
    "Initial Category of Abuse code missing or invalid (see Category of Abuse table in CIN "
    "Census code set)",
)(category_check("InitialCategoryOfAbuse"))
RULES.rule(
    "8910",
    "ChildProtectionPlans",
    "Latest Category of Abuse code missing or invalid (see Category of Abuse table in CIN "
    "Census code set)",
)(category_check("LatestCategoryOfAbuse"))


def after_death(file: str, column: str) -> Callable[[Submission], Failures]:
    """The rows of `file` whose `column` falls after the child's date of death."""

    def check(s: Submission) -> Failures:
        children = people(s)
        for row in s.rows(file):
            person = children.get(child_of(row))
            if person is not None and before(person, "PersonDeathDate", row, column):
                yield child_of(row), f"{said(row, column)}, {said(person, 'PersonDeathDate')}"

    return check


RULES.rule(
    "8915",
    "ChildProtectionPlans",
    "Child Protection Plan shown as starting after the child’s Date of Death",
)(after_death("ChildProtectionPlans", "CPPstartDate"))
RULES.rule(
    "8920",
    "ChildProtectionPlans",
    "Child Protection Plan cannot end after the child’s Date of Death",
)(after_death("ChildProtectionPlans", "CPPendDate"))


@RULES.rule(
    "8841",
    "ChildProtectionPlans",
    "The review date cannot be on the same day or before the Child protection Plan start date.",
)
def review_not_after_start(s: Submission) -> Failures:
    for row in s.rows("Reviews"):
        reviewed, started = day(row, "CPPreviewDate"), day(row, "CPPstartDate")
        if reviewed is not None and started is not None and reviewed <= started:
            yield child_of(row), said(row, "CPPstartDate", "CPPreviewDate")


@RULES.rule(
    "8842Q",
    "Reviews",
    "Please check and either amend or provide a reason: Review Record has a missing date",
    query=True,
)
def review_without_date(s: Submission) -> Failures:
    for row in s.rows("Reviews"):
        if not text(row, "CPPreviewDate"):
            yield child_of(row), f"a review of the plan of {text(row, 'CPPstartDate')}"


@RULES.rule(
    "2885",
    "ChildProtectionPlans",
    "Child protection plan shown as starting a different day to the initial child protection "
    "conference.",
)
def plan_not_on_conference_day(s: Submission) -> Failures:
    for referral, (plans, enquiries) in with_parts(s, "ChildProtectionPlans", "Section47"):
        held = {day(r, "DateOfInitialCPC") for r in [referral, *enquiries]} - {None}
        for row in plans:
            started = day(row, "CPPstartDate")
            if started is not None and in_year(s, started) and started not in held:
                shown = ", ".join(sorted(str(d) for d in held if d)) or "none"
                yield child_of(row), f"CPPstartDate {started}; initial conferences: {shown}"


# --- child in need plans -----------------------------------------------------------------


@RULES.rule(
    "4010", "CINPlanDates", "CIN Plan start date is missing or out of data collection period"
)
def cin_plan_start(s: Submission) -> Failures:
    for row in s.rows("CINPlanDates"):
        started = day(row, "CINPlanStartDate")
        if started is None or started > s.end:
            yield child_of(row), said(row, "CINPlanStartDate")


@RULES.rule("4011", "CINPlanDates", "CIN Plan End Date earlier than Start Date")
def cin_plan_ends_before_start(s: Submission) -> Failures:
    for row in s.rows("CINPlanDates"):
        if before(row, "CINPlanEndDate", row, "CINPlanStartDate"):
            yield child_of(row), said(row, "CINPlanStartDate", "CINPlanEndDate")


@RULES.rule(
    "4012Q",
    "CINPlanDates",
    "Please check and either amend or provide a reason: CIN Plan shown as starting and ending "
    "on the same day",
    query=True,
)
def cin_plan_of_one_day(s: Submission) -> Failures:
    for row in s.rows("CINPlanDates"):
        started = day(row, "CINPlanStartDate")
        if started is not None and started == day(row, "CINPlanEndDate"):
            yield child_of(row), said(row, "CINPlanStartDate", "CINPlanEndDate")


@RULES.rule("4013", "CINPlanDates", "CIN Plan end date must fall within the census year")
def cin_plan_ends_outside_year(s: Submission) -> Failures:
    for row in s.rows("CINPlanDates"):
        if outside_year(s, row, "CINPlanEndDate"):
            yield child_of(row), said(row, "CINPlanStartDate", "CINPlanEndDate")


@RULES.rule("4014", "CINPlanDates", "CIN Plan data contains overlapping dates")
def cin_plans_overlap(s: Submission) -> Failures:
    for child, rows in by_child(s, "CINPlanDates").items():
        for row, other in starting_inside(s, rows, "CINPlanStartDate", "CINPlanEndDate"):
            yield (
                child,
                (
                    f"CIN plan of {text(row, 'CINPlanStartDate')} starts within "
                    f"{span(other, 'CINPlanStartDate', 'CINPlanEndDate')}"
                ),
            )


@RULES.rule(
    "4004",
    "CINPlanDates",
    "This child is showing more than one open CIN Plan, i.e. with no End Date",
)
def open_cin_plans(s: Submission) -> Failures:
    for child, rows in by_child(s, "CINPlanDates").items():
        open_ = [text(r, "CINPlanStartDate") for r in rows if not text(r, "CINPlanEndDate")]
        if len(open_) > 1:
            yield child, "open CIN plans started " + ", ".join(open_)


@RULES.rule("4015", "CINPlanDates", "The CIN Plan start date cannot be before the referral date")
def cin_plan_before_referral(s: Submission) -> Failures:
    for row in s.rows("CINPlanDates"):
        if before(row, "CINPlanStartDate", row, "CINreferralDate"):
            yield child_of(row), said(row, "CINreferralDate", "CINPlanStartDate")


RULES.rule("4008", "CINPlanDates", "CIN Plan shown as starting after the child’s Date of Death.")(
    after_death("CINPlanDates", "CINPlanStartDate")
)
RULES.rule(
    "4009Q", "CINPlanDates", "CIN Plan cannot end after the child’s Date of Death", query=True
)(after_death("CINPlanDates", "CINPlanEndDate"))


@RULES.rule(
    "4001", "CINPlanDates", "A CIN Plan cannot run concurrently with a Child Protection Plan"
)
def open_cin_plan_and_plan(s: Submission) -> Failures:
    for referral, (cin_plans, plans) in with_parts(s, "CINPlanDates", "ChildProtectionPlans"):
        open_cin = [r for r in cin_plans if not text(r, "CINPlanEndDate")]
        open_cp = [r for r in plans if not text(r, "CPPendDate")]
        if open_cin and open_cp:
            yield (
                child_of(referral),
                (
                    f"CIN plan of {text(open_cin[0], 'CINPlanStartDate')} and child protection "
                    f"plan of {text(open_cp[0], 'CPPstartDate')} both open"
                ),
            )


@RULES.rule(
    "4016",
    "CINPlanDates",
    "A CIN Plan has been reported as open at the same time as a Child Protection Plan.",
)
def cin_plan_starts_in_plan(s: Submission) -> Failures:
    plans = by_child(s, "ChildProtectionPlans")
    for row in s.rows("CINPlanDates"):
        if (started := day(row, "CINPlanStartDate")) is None:
            continue
        for plan in plans.get(child_of(row), []):
            if during(s, started, day(plan, "CPPstartDate"), day(plan, "CPPendDate")):
                yield (
                    child_of(row),
                    (
                        f"CIN plan of {started} starts within the child protection plan "
                        f"{span(plan, 'CPPstartDate', 'CPPendDate')}"
                    ),
                )


@RULES.rule(
    "4017",
    "CINPlanDates",
    "A CIN Plan has been reported as open at the same time as a Child Protection Plan.",
)
def plan_starts_in_cin_plan(s: Submission) -> Failures:
    cin_plans = by_child(s, "CINPlanDates")
    for row in s.rows("ChildProtectionPlans"):
        if (started := day(row, "CPPstartDate")) is None:
            continue
        for cin_plan in cin_plans.get(child_of(row), []):
            if during(
                s, started, day(cin_plan, "CINPlanStartDate"), day(cin_plan, "CINPlanEndDate")
            ):
                yield (
                    child_of(row),
                    (
                        f"child protection plan of {started} starts within the CIN plan "
                        f"{span(cin_plan, 'CINPlanStartDate', 'CINPlanEndDate')}"
                    ),
                )


@RULES.rule(
    "4003",
    "Reviews",
    "A CPP review date is shown as being held at the same time as an open CIN Plan.",
)
def review_in_cin_plan(s: Submission) -> Failures:
    tables = ("Reviews", "ChildProtectionPlans", "CINPlanDates")
    for _, (reviews, plans, cin_plans) in with_parts(s, *tables):
        ends = {text(p, "CPPstartDate"): day(p, "CPPendDate") for p in plans}
        for review in reviews:
            held = day(review, "CPPreviewDate")
            if held is None or held == ends.get(text(review, "CPPstartDate")):
                continue
            for cin_plan in cin_plans:
                if during(
                    s, held, day(cin_plan, "CINPlanStartDate"), day(cin_plan, "CINPlanEndDate")
                ):
                    yield (
                        child_of(review),
                        (
                            f"review of {held} within the CIN plan "
                            f"{span(cin_plan, 'CINPlanStartDate', 'CINPlanEndDate')}"
                        ),
                    )


# --- pre-proceedings and family group decision making (module 5) ------------------------


def in_year_and_after(
    file_column: str, after_column: str | None = None
) -> Callable[[Submission], Failures]:
    """Each PreProceedings date given must fall in the year and, where `after_column` is
    given too, on or after it."""

    def check(s: Submission) -> Failures:
        for row in s.rows("PreProceedings"):
            early = after_column is not None and before(row, file_column, row, after_column)
            if outside_year(s, row, file_column) or early:
                shown = (file_column, after_column) if after_column else (file_column,)
                yield child_of(row), said(row, *shown)

    return check


RULES.rule(
    "9005",
    "PreProceedings",
    "The date of the legal planning meeting or other decision making forum where the LA made "
    "the decision to commence pre-proceedings cannot fall outside the reporting year.",
    since=PRE_PROCEEDINGS_FROM,
)(in_year_and_after("PPStartDate"))
RULES.rule(
    "9006",
    "PreProceedings",
    "The date the letter before proceedings was sent must be within the reporting year and "
    "after the date pre-proceedings began.",
    since=PRE_PROCEEDINGS_FROM,
)(in_year_and_after("LBPSentDate", "PPStartDate"))
RULES.rule(
    "9008",
    "PreProceedings",
    "The date of the first effective pre-proceedings meeting must be within the reporting year.",
    since=PRE_PROCEEDINGS_FROM,
)(in_year_and_after("InitialPPMeetingDate"))
RULES.rule(
    "9009",
    "PreProceedings",
    "The date when the decision was made to step up or down must be on or after the date of "
    "the decision to begin pre-proceedings and must fall within the reporting year",
    since=PRE_PROCEEDINGS_FROM,
)(in_year_and_after("StepDecisionDate", "PPStartDate"))
RULES.rule(
    "9012",
    "PreProceedings",
    "The date that the local authority submitted the court application to commence care "
    "proceedings must fall within the reporting year and be on or after the date of the "
    "decision to initiate care proceedings.",
    since=PRE_PROCEEDINGS_FROM,
)(in_year_and_after("CourtAppDate", "StepDecisionDate"))


@RULES.rule(
    "9007",
    "PreProceedings",
    "You have confirmed that a letter before proceedings was sent. Please confirm whether or "
    "not a FGDM meeting was offered in the letter.",
    since=PRE_PROCEEDINGS_FROM,
)
def letter_without_offer(s: Submission) -> Failures:
    for row in s.rows("PreProceedings"):
        if text(row, "LBPSentDate") and not text(row, "FGDMMeetingOffer"):
            yield child_of(row), said(row, "LBPSentDate", "FGDMMeetingOffer")


@RULES.rule(
    "9010Q",
    "PreProceedings",
    "Please check: You have reported that a FGDM meeting was offered in the letter before "
    "proceedings. Please confirm whether or not a FGDM meeting was facilitated in the "
    "pre-proceedings period following this offer.",
    query=True,
    since=PRE_PROCEEDINGS_FROM,
)
def offer_without_meeting(s: Submission) -> Failures:
    for row in s.rows("PreProceedings"):
        if yes(row, "FGDMMeetingOffer") and not text(row, "FGDMMeetingFac"):
            yield child_of(row), said(row, "PPStartDate", "FGDMMeetingOffer", "FGDMMeetingFac")


@RULES.rule(
    "9011",
    "PreProceedings",
    "The outcome of the pre-proceedings must be reported using a valid value",
    since=PRE_PROCEEDINGS_FROM,
)
def pre_proceedings_outcome(s: Submission) -> Failures:
    for row in s.rows("PreProceedings"):
        outcome = text(row, "PPOutcome")
        if outcome and outcome not in codes("PP_OUTCOME"):
            yield child_of(row), said(row, "PPStartDate", "PPOutcome")


@RULES.rule(
    "9015Q",
    "PreProceedings",
    "Please check: if review meetings were held  following the initial pre-proceedings "
    "meeting, the total number held should be reported.",
    query=True,
    since=PRE_PROCEEDINGS_FROM,
)
def review_meetings_missing(s: Submission) -> Failures:
    for row in s.rows("PreProceedings"):
        if text(row, "InitialPPMeetingDate") and not text(row, "ReviewMeetingsCount"):
            yield child_of(row), said(row, "InitialPPMeetingDate", "ReviewMeetingsCount")
