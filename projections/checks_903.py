"""The DfE's SSDA903 validation rules that concern what the ledger holds.

Codes and messages are the DfE's (2025-26 ruleset, as the validator councils use
transcribes them). Each rule reads the files as exported. Not applied, and why:

- rules that compare with last year's return (202-208, 205A-D, 502, 503A-J, 559-561,
  576, 624, 626): the ledger makes every year from one history, so the years agree by
  construction; there is no separate submission to compare with;
- rules that need the Ofsted provider file or the ONS postcode directory (164, 169,
  179, 214, 218's LA part, 219, 221, 224, 227-229, 241, 243, 392c, 406, 411, 420, 454,
  1008, 1015): the ledger holds neither;
- placement location and distance (PL_LA, PL_LOCATION, PL_DISTANCE) are derived by the
  DfE from the postcodes, and are not in the files the ledger writes;
- rules about the DoLo table (700-710), which begins in 2026-27.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from datetime import date, timedelta

from journey.codes import code_lists
from journey.ssda903_files import FILES
from projections.return_checks import RuleBook, Submission, parse_date, valid_date, years_after

RULES = RuleBook("ssda903")

Failures = Iterable[tuple[str, str]]
UPN = re.compile(r"^((?![IOS])[A-Z]\d{12}|(?![IOS])[A-Z]\d{11}[A-Z]|UN[1-5])$")
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}$")
TEMPORARY = frozenset({"T0", "T1", "T2", "T3", "T4"})
NO_PROVIDER = TEMPORARY | {"Z11", "Z12", "Z13", "Z14"}
NO_URN = frozenset({"P1", "P3", "R1", "R2", "R5"}) | NO_PROVIDER
ADOPTION = frozenset({"A3", "A4", "A5", "A6"})
FOSTER = frozenset({"U1", "U2", "U3", "U4", "U5", "U6"})
SHORT_BREAKS = frozenset({"V3", "V4"})
ADOPTED = frozenset({"E11", "E12"})
CHANGES_PLACEMENT = frozenset({"P", "B", "T", "U"})


def _codes(name: str) -> frozenset[str]:
    return frozenset(code_lists()[name])


def _born(s: Submission) -> dict[str, date]:
    return {
        r["CHILD"]: born for r in s.rows("Header") if (born := parse_date(r["DOB"])) is not None
    }


def _episodes(s: Submission) -> dict[str, list[dict[str, str]]]:
    """Each child's episodes by start date (the order the file gives them)."""
    return s.by_child("Episodes")


# --- Header -------------------------------------------------------------------------------


@RULES.rule("101", "Header", "The child or young person's reported sex is not valid.")
def _sex(s: Submission) -> Failures:
    valid = {"M", "F", "U"} if s.year >= 2024 else {"1", "2"}
    for r in s.rows("Header"):
        if r["SEX"] not in valid:
            yield r["CHILD"], f"SEX {r['SEX']!r}"


@RULES.rule("232", "Header", "Sex of the child has been reported as unknown.", query=True)
def _sex_unknown(s: Submission) -> Failures:
    for r in s.rows("Header"):
        if r["SEX"] == "U":
            yield r["CHILD"], "SEX U"


@RULES.rule("102", "Header", "Date of birth is not a valid date.")
def _dob_valid(s: Submission) -> Failures:
    for r in s.rows("Header"):
        if not valid_date(r["DOB"]):
            yield r["CHILD"], f"DOB {r['DOB']!r}"


@RULES.rule("301", "Header", "Date of birth falls after the year ended.")
def _dob_after_year(s: Submission) -> Failures:
    for child, born in _born(s).items():
        if born > s.end:
            yield child, f"DOB {born}"


@RULES.rule("302", "Header", "First episode starts before child was born.")
def _before_birth(s: Submission) -> Failures:
    born = _born(s)
    for child, rows in _episodes(s).items():
        first = parse_date(rows[0]["DECOM"])
        if child in born and first is not None and first < born[child]:
            yield child, f"DECOM {first} before DOB {born[child]}"


@RULES.rule("351", "Header", "Child was over 25 years old at the start of the current year.")
def _over_25(s: Submission) -> Failures:
    for child, born in _born(s).items():
        if s.start > years_after(born, 25):
            yield child, f"DOB {born}"


@RULES.rule("352", "Episodes", "Child who started to be looked after was aged 18 or over.")
def _started_at_18(s: Submission) -> Failures:
    born = _born(s)
    for r in s.rows("Episodes"):
        started = parse_date(r["DECOM"])
        child = r["CHILD"]
        if (
            r["RNE"] == "S"
            and child in born
            and started
            and started >= years_after(born[child], 18)
        ):
            yield child, f"started {started}"


@RULES.rule("103", "Header", "The ethnicity code is either not valid or has not been entered.")
def _ethnicity(s: Submission) -> Failures:
    codes = _codes("ETHNICITY")
    for r in s.rows("Header"):
        if r["ETHNIC"] not in codes:
            yield r["CHILD"], f"ETHNIC {r['ETHNIC']!r}"


@RULES.rule(
    "168",
    "Header",
    "Unique Pupil Number (UPN) is not valid. If unknown, default codes should be UN1, UN2, "
    "UN3, UN4 or UN5.",
)
def _upn(s: Submission) -> Failures:
    for r in s.rows("Header"):
        if r["UPN"] and not UPN.match(r["UPN"]):
            yield r["CHILD"], f"UPN {r['UPN']!r}"


@RULES.rule("442", "Header", "Unique Pupil Number (UPN) field is not completed.")
def _upn_missing(s: Submission) -> Failures:
    looked_after = {r["CHILD"] for r in s.rows("Episodes") if r["LS"] not in SHORT_BREAKS}
    for r in s.rows("Header"):
        if r["CHILD"] in looked_after and not r["UPN"]:
            yield r["CHILD"], "UPN blank"


@RULES.rule("444", "Header", "Duplicate UPN has been reported.", since=2025)
def _upn_duplicate(s: Submission) -> Failures:
    seen: dict[str, str] = {}
    for r in s.rows("Header"):
        upn = r["UPN"]
        if upn and not upn.startswith("UN"):
            if upn in seen:
                yield r["CHILD"], f"UPN also reported for {seen[upn]}"
            seen.setdefault(upn, r["CHILD"])


@RULES.rule("165", "Header", "Data entry for mother status is invalid.")
def _mother(s: Submission) -> Failures:
    for r in s.rows("Header"):
        if r["MOTHER"] not in ("", "0", "1"):
            yield r["CHILD"], f"MOTHER {r['MOTHER']!r}"
        elif r["MOTHER"] and r["SEX"] in ("M", "1"):
            yield r["CHILD"], "MOTHER given for a male"


@RULES.rule("393", "Header", "Child is looked after but mother field is not completed.")
def _mother_missing(s: Submission) -> Failures:
    looked_after = {r["CHILD"] for r in s.rows("Episodes") if r["LS"] not in SHORT_BREAKS}
    for r in s.rows("Header"):
        if r["SEX"] in ("F", "2") and r["CHILD"] in looked_after and not r["MOTHER"]:
            yield r["CHILD"], "MOTHER blank"


@RULES.rule(
    "611",
    "Header",
    "Date of birth field has been completed but mother field indicates child is not a mother.",
)
def _mc_dob_not_mother(s: Submission) -> Failures:
    for r in s.rows("Header"):
        if r["MC_DOB"] and r["MOTHER"] != "1":
            yield r["CHILD"], f"MC_DOB {r['MC_DOB']} with MOTHER {r['MOTHER']!r}"


@RULES.rule(
    "612",
    "Header",
    "Date of birth field has not been completed but mother field indicates child is a mother.",
)
def _mother_without_dob(s: Submission) -> Failures:
    for r in s.rows("Header"):
        if r["MOTHER"] == "1" and not valid_date(r["MC_DOB"]):
            yield r["CHILD"], "MC_DOB blank"


@RULES.rule(
    "620",
    "Header",
    "Child has been recorded as a mother, but date of birth shows that the child is under 11 years of age.",
)
def _young_mother(s: Submission) -> Failures:
    for r in s.rows("Header"):
        born = parse_date(r["DOB"])
        if r["MOTHER"] == "1" and born and years_after(born, 11) > s.start:
            yield r["CHILD"], f"DOB {born}"


@RULES.rule(
    "621",
    "Header",
    "Mother's field has been completed but date of birth shows that the mother is younger than her child.",
)
def _mother_younger(s: Submission) -> Failures:
    for r in s.rows("Header"):
        born, child_born = parse_date(r["DOB"]), parse_date(r["MC_DOB"])
        if born and child_born and child_born <= born:
            yield r["CHILD"], f"MC_DOB {child_born} not after DOB {born}"


@RULES.rule(
    "625",
    "Header",
    "Date of birth of the first child is beyond the year ended or the date the mother ceased to be looked after.",
)
def _first_child_after(s: Submission) -> Failures:
    for r in s.rows("Header"):
        child_born = parse_date(r["MC_DOB"])
        if child_born and child_born > s.end:
            yield r["CHILD"], f"MC_DOB {child_born}"


# --- Episodes: codes and dates --------------------------------------------------------


def _code_rule(code: str, column: str, codes: Iterable[str], message: str) -> None:
    allowed = frozenset(codes)

    @RULES.rule(code, "Episodes", message)
    def check(s: Submission) -> Failures:
        for r in s.rows("Episodes"):
            if r[column] not in allowed:
                yield r["CHILD"], f"{column} {r[column]!r} (episode from {r['DECOM']})"


_code_rule(
    "143",
    "RNE",
    ("S", "L", "P", "T", "B", "U"),
    "The reason for new episode code is not a valid code.",
)
_code_rule("144", "LS", code_lists()["LS"], "The legal status code is not a valid code.")
_code_rule(
    "145", "CIN", (f"N{n}" for n in range(1, 9)), "Category of need code is not a valid code."
)
_code_rule("146", "PLACE", code_lists()["PLACE"], "Placement type code is not a valid code.")


@RULES.rule("149", "Episodes", "Reason episode ceased code is not valid.")
def _rec(s: Submission) -> Failures:
    codes = _codes("REC")
    for r in s.rows("Episodes"):
        if r["REC"] and r["REC"] not in codes:
            yield r["CHILD"], f"REC {r['REC']!r}"


@RULES.rule("1009", "Episodes", "Reason for placement change is not a valid code.")
def _reason_code(s: Submission) -> Failures:
    codes = _codes("REASON_PLACE_CHANGE")
    for r in s.rows("Episodes"):
        if r["REASON_PLACE_CHANGE"] and r["REASON_PLACE_CHANGE"] not in codes:
            yield r["CHILD"], f"REASON_PLACE_CHANGE {r['REASON_PLACE_CHANGE']!r}"


@RULES.rule("141", "Episodes", "Date episode began is not a valid date.")
def _decom_valid(s: Submission) -> Failures:
    for r in s.rows("Episodes"):
        if not valid_date(r["DECOM"]):
            yield r["CHILD"], f"DECOM {r['DECOM']!r}"


@RULES.rule("147", "Episodes", "Date episode ceased is not a valid date.")
def _dec_valid(s: Submission) -> Failures:
    for r in s.rows("Episodes"):
        if r["DEC"] and not valid_date(r["DEC"]):
            yield r["CHILD"], f"DEC {r['DEC']!r}"


@RULES.rule(
    "148",
    "Episodes",
    "Date episode ceased and reason episode ceased must both be coded, or both left blank.",
)
def _dec_and_rec(s: Submission) -> Failures:
    for r in s.rows("Episodes"):
        if bool(r["DEC"]) != bool(r["REC"]):
            yield r["CHILD"], f"DEC {r['DEC']!r}, REC {r['REC']!r}"


@RULES.rule(
    "354",
    "Episodes",
    "Date episode ceased must be on or before the end of the current collection year.",
)
def _dec_after_year(s: Submission) -> Failures:
    for r in s.rows("Episodes"):
        ended = parse_date(r["DEC"])
        if ended and ended > s.end:
            yield r["CHILD"], f"DEC {ended}"


@RULES.rule(
    "356", "Episodes", "The date the episode ceased is before the date the same episode started."
)
def _dec_before_decom(s: Submission) -> Failures:
    for r in s.rows("Episodes"):
        started, ended = parse_date(r["DECOM"]), parse_date(r["DEC"])
        if started and ended and ended < started:
            yield r["CHILD"], f"{started} to {ended}"


@RULES.rule("355", "Episodes", "Episode appears to have lasted for less than 24 hours.")
def _one_day(s: Submission) -> Failures:
    for r in s.rows("Episodes"):
        if r["DEC"] and r["DEC"] == r["DECOM"]:
            yield r["CHILD"], f"began and ended {r['DECOM']}"


# --- Episodes: one after another -------------------------------------------------------


def _pairs(s: Submission) -> Iterable[tuple[str, dict[str, str], dict[str, str]]]:
    for child, rows in _episodes(s).items():
        for before, after in itertools.pairwise(rows):
            yield child, before, after


@RULES.rule("142", "Episodes", "A new episode has started, but the previous episode has not ended.")
def _previous_open(s: Submission) -> Failures:
    for child, before, after in _pairs(s):
        if not before["DEC"] or not before["REC"]:
            yield child, f"episode from {before['DECOM']} open when {after['DECOM']} began"


@RULES.rule(
    "501", "Episodes", "A new episode has started before the end date of the previous episode."
)
def _overlap(s: Submission) -> Failures:
    for child, before, after in _pairs(s):
        ended, started = parse_date(before["DEC"]), parse_date(after["DECOM"])
        if ended and started and started < ended:
            yield child, f"{after['DECOM']} before {before['DEC']}"


@RULES.rule(
    "433",
    "Episodes",
    "The reason for new episode suggests that this is a continuation episode, but the episode does not start on the same day as the last episode finished.",
)
def _continuation_gap(s: Submission) -> Failures:
    for child, before, after in _pairs(s):
        if after["RNE"] in ("P", "L", "T", "U", "B") and after["DECOM"] != before["DEC"]:
            yield child, f"{after['RNE']} on {after['DECOM']}, previous ended {before['DEC']!r}"


@RULES.rule(
    "431",
    "Episodes",
    "The reason for new episode is started to be looked after, but the previous episode ended on the same day.",
)
def _s_same_day(s: Submission) -> Failures:
    for child, before, after in _pairs(s):
        started, ended = parse_date(after["DECOM"]), parse_date(before["DEC"])
        if after["RNE"] == "S" and started and ended and started <= ended:
            yield child, f"S on {started}, previous ended {ended}"


@RULES.rule(
    "432",
    "Episodes",
    "The child ceased to be looked after at the end of the previous episode, but the reason for the new episode is not started to be looked after.",
)
def _new_period_not_s(s: Submission) -> Failures:
    for child, before, after in _pairs(s):
        if before["REC"] and before["REC"] != "X1" and after["RNE"] != "S":
            yield child, f"{before['REC']} then {after['RNE']} on {after['DECOM']}"


@RULES.rule(
    "388",
    "Episodes",
    "Reason episode ceased is coded new episode begins, but there is no continuation episode.",
)
def _x1(s: Submission) -> Failures:
    for child, rows in _episodes(s).items():
        for i, r in enumerate(rows):
            after = rows[i + 1] if i + 1 < len(rows) else None
            if r["REC"] == "X1" and (after is None or after["DECOM"] != r["DEC"]):
                yield child, f"X1 on {r['DEC']} with no episode from that day"
            elif after is not None and r["DEC"] and after["DECOM"] == r["DEC"] and r["REC"] != "X1":
                yield child, f"{r['REC']} on {r['DEC']} but a new episode began that day"


@RULES.rule(
    "357",
    "Episodes",
    "If this is the first episode ever for this child, reason for new episode must be S. Please check that any previous episodes are included.",
)
def _first_is_s(s: Submission) -> Failures:
    for child, rows in _episodes(s).items():
        first = parse_date(rows[0]["DECOM"])
        if rows[0]["RNE"] != "S" and first is not None and first >= s.start:
            yield child, f"first episode {rows[0]['RNE']} on {first}"


def _placement(r: dict[str, str]) -> tuple[str, ...]:
    return (r["PLACE"], r["PL_POST"], r["URN"], r["PLACE_PROVIDER"])


@RULES.rule(
    "434",
    "Episodes",
    "Reason for new episode is that child's legal status has changed but not the placement, but this is not reflected in the episode data.",
)
def _l_consistent(s: Submission) -> Failures:
    for child, before, after in _pairs(s):
        if after["RNE"] == "L" and (
            after["LS"] == before["LS"] or _placement(after) != _placement(before)
        ):
            yield child, f"L on {after['DECOM']}"


@RULES.rule(
    "435",
    "Episodes",
    "Reason for new episode is that child's placement has changed but not the legal status, but this is not reflected in the episode data.",
)
def _p_consistent(s: Submission) -> Failures:
    for child, before, after in _pairs(s):
        if after["RNE"] in ("P", "T") and (
            after["LS"] != before["LS"] or _placement(after) == _placement(before)
        ):
            yield child, f"{after['RNE']} on {after['DECOM']}"


@RULES.rule(
    "436",
    "Episodes",
    "Reason for new episode is that both child's placement and legal status have changed, but this is not reflected in the episode data.",
)
def _b_consistent(s: Submission) -> Failures:
    for child, before, after in _pairs(s):
        if after["RNE"] in ("B", "U") and (
            after["LS"] == before["LS"] or _placement(after) == _placement(before)
        ):
            yield child, f"{after['RNE']} on {after['DECOM']}"


@RULES.rule(
    "437",
    "Episodes",
    "Reason episode ceased is child has died or is aged 18 or over but there are further episodes.",
)
def _after_death(s: Submission) -> Failures:
    for child, before, after in _pairs(s):
        if before["REC"] in ("E2", "E15"):
            yield child, f"{before['REC']} on {before['DEC']}, then {after['DECOM']}"


@RULES.rule(
    "504",
    "Episodes",
    "The category of need code differs from that reported at start of current period of being looked after.",
)
def _category_changes(s: Submission) -> Failures:
    for child, before, after in _pairs(s):
        if before["REC"] == "X1" and after["CIN"] != before["CIN"]:
            yield child, f"{before['CIN']} then {after['CIN']} on {after['DECOM']}"


# --- Episodes: placements -------------------------------------------------------------


@RULES.rule("178", "Episodes", "Placement provider code is not a valid code.")
def _provider_code(s: Submission) -> Failures:
    codes = _codes("PLACE_PROVIDER")
    for r in s.rows("Episodes"):
        if r["PLACE_PROVIDER"] and r["PLACE_PROVIDER"] not in codes:
            yield r["CHILD"], f"PLACE_PROVIDER {r['PLACE_PROVIDER']!r}"


@RULES.rule("213", "Episodes", "Placement provider information not required.")
def _provider_not_needed(s: Submission) -> Failures:
    for r in s.rows("Episodes"):
        if r["PLACE"] in NO_PROVIDER and r["PLACE_PROVIDER"]:
            yield r["CHILD"], f"{r['PLACE']} with provider {r['PLACE_PROVIDER']}"


@RULES.rule("526", "Episodes", "Missing placement provider for at least one episode.")
def _provider_missing(s: Submission) -> Failures:
    for r in s.rows("Episodes"):
        if r["PLACE"] not in NO_PROVIDER and not r["PLACE_PROVIDER"]:
            yield r["CHILD"], f"{r['PLACE'] or 'no placement'} from {r['DECOM']}"


@RULES.rule(
    "550", "Episodes", "A placement provider code of PR0 can only be associated with placement P1."
)
def _pr0(s: Submission) -> Failures:
    for r in s.rows("Episodes"):
        if r["PLACE_PROVIDER"] == "PR0" and r["PLACE"] != "P1":
            yield r["CHILD"], f"PR0 with {r['PLACE']}"


@RULES.rule("218", "Episodes", "Ofsted Unique Reference Number (URN) is required.")
def _urn_required(s: Submission) -> Failures:
    for r in s.rows("Episodes"):
        ended = parse_date(r["DEC"])
        if r["PLACE"] not in NO_URN and not r["URN"] and (ended is None or ended >= s.start):
            yield r["CHILD"], f"{r['PLACE']} from {r['DECOM']} without a URN"


@RULES.rule(
    "222",
    "Episodes",
    "Ofsted Unique reference number (URN) should not be recorded for this placement type.",
)
def _urn_not_needed(s: Submission) -> Failures:
    for r in s.rows("Episodes"):
        if r["PLACE"] in NO_URN and r["URN"] and r["URN"] != "XXXXXXX":
            yield r["CHILD"], f"{r['PLACE']} with URN {r['URN']}"


@RULES.rule(
    "242",
    "Episodes",
    "Ofsted Unique Reference Number (URN) XXXXXXX can only be used for regional adoption agencies.",
)
def _urn_x(s: Submission) -> Failures:
    for r in s.rows("Episodes"):
        if r["URN"] == "XXXXXXX" and r["PLACE"] not in ADOPTION | FOSTER:
            yield r["CHILD"], f"XXXXXXX with {r['PLACE']}"


@RULES.rule(
    "392d",
    "Episodes",
    "Home postcode and placement postcode should not be the same unless the child is placed with parents.",
)
def _same_postcode(s: Submission) -> Failures:
    for r in s.rows("Episodes"):
        if r["HOME_POST"] and r["HOME_POST"] == r["PL_POST"] and r["PLACE"] != "P1":
            yield r["CHILD"], f"{r['PLACE']} at the home postcode"


@RULES.rule("392c", "Episodes", "Postcode(s) provided are invalid.")
def _postcode_form(s: Submission) -> Failures:
    for r in s.rows("Episodes"):
        for column in ("HOME_POST", "PL_POST"):
            if r[column] and not POSTCODE.match(r[column]):
                yield r["CHILD"], f"{column} {r[column]!r}"


@RULES.rule("225", "Episodes", "Reason for placement change must be recorded.")
def _reason_needed(s: Submission) -> Failures:
    for child, before, after in _pairs(s):
        if (
            before["REC"] == "X1"
            and after["RNE"] in CHANGES_PLACEMENT
            and before["PLACE"] not in TEMPORARY
            and after["PLACE"] not in TEMPORARY
            and not before["REASON_PLACE_CHANGE"]
        ):
            yield child, f"placement changed on {after['DECOM']}"


@RULES.rule("226", "Episodes", "Reason for placement change is not required.")
def _reason_temporary(s: Submission) -> Failures:
    for child, before, after in _pairs(s):
        if after["PLACE"] in TEMPORARY and before["REASON_PLACE_CHANGE"]:
            yield child, f"reason given before the temporary placement of {after['DECOM']}"
    for r in s.rows("Episodes"):
        if r["PLACE"] in TEMPORARY and r["REASON_PLACE_CHANGE"]:
            yield r["CHILD"], f"reason given on temporary placement {r['PLACE']}"


@RULES.rule(
    "233", "Episodes", "Reason for placement change is not required as the episode has not ceased."
)
def _reason_open(s: Submission) -> Failures:
    for r in s.rows("Episodes"):
        if not r["DEC"] and r["REASON_PLACE_CHANGE"]:
            yield r["CHILD"], f"open episode from {r['DECOM']}"


@RULES.rule("380", "Episodes", "A period of care cannot start with a temporary placement.")
def _starts_temporary(s: Submission) -> Failures:
    for r in s.rows("Episodes"):
        if r["PLACE"] in TEMPORARY and r["RNE"] not in ("P", "B"):
            yield r["CHILD"], f"{r['PLACE']} with RNE {r['RNE']}"


@RULES.rule("381", "Episodes", "A period of care cannot end with a temporary placement.")
def _ends_temporary(s: Submission) -> Failures:
    for r in s.rows("Episodes"):
        if r["PLACE"] in TEMPORARY and r["REC"] and r["REC"] != "X1":
            yield r["CHILD"], f"{r['PLACE']} ended {r['REC']}"


def _duration_rule(code: str, place: str, days: int, message: str) -> None:
    @RULES.rule(code, "Episodes", message)
    def check(s: Submission) -> Failures:
        for r in s.rows("Episodes"):
            started, ended = parse_date(r["DECOM"]), parse_date(r["DEC"])
            if r["PLACE"] == place and started and ended and (ended - started).days > days:
                yield r["CHILD"], f"{place} for {(ended - started).days} days"


_duration_rule("375", "T1", 42, "Hospitalisation (T1) episode should not last more than 6 weeks.")
_duration_rule(
    "376",
    "T3",
    21,
    "Temporary placements coded as being due to holiday of usual foster carer(s) cannot last more than three weeks.",
)
_duration_rule(
    "379",
    "T4",
    7,
    "Temporary placements for unspecified reason (placement code T4) cannot last for more than seven days.",
)


def _legal_duration_rule(code: str, status: str, days: int, message: str) -> None:
    @RULES.rule(code, "Episodes", message)
    def check(s: Submission) -> Failures:
        for child, rows in _episodes(s).items():
            run_start: date | None = None
            for r in rows:
                started, ended = parse_date(r["DECOM"]), parse_date(r["DEC"])
                if r["LS"] != status or started is None:
                    run_start = None
                    continue
                run_start = run_start or started
                last = ended or s.end
                if (last - run_start).days > days:
                    yield child, f"{status} from {run_start} for {(last - run_start).days} days"
                    run_start = None


_legal_duration_rule(
    "361", "L1", 3, "Police Protection legal status lasted longer than maximum period allowed."
)
_legal_duration_rule(
    "362", "L2", 21, "Emergency Protection Order (EPO) lasted longer than 21 days."
)
_legal_duration_rule(
    "363",
    "L3",
    7,
    "Child Assessment Order (CAO) lasted longer than 7 days allowed in the Children Act 1989.",
)


@RULES.rule(
    "365", "Episodes", "Any individual short-term respite placement must not exceed 17 days."
)
def _short_break_length(s: Submission) -> Failures:
    for r in s.rows("Episodes"):
        started, ended = parse_date(r["DECOM"]), parse_date(r["DEC"])
        if r["LS"] == "V3" and started and ended and ended > started + timedelta(days=17):
            yield r["CHILD"], f"short break {started} to {ended}"


@RULES.rule(
    "366",
    "Episodes",
    "A child cannot change placement during the course of an individual short-term respite break.",
)
def _short_break_moves(s: Submission) -> Failures:
    for r in s.rows("Episodes"):
        if r["LS"] == "V3" and r["RNE"] != "S":
            yield r["CHILD"], f"V3 episode with RNE {r['RNE']}"


@RULES.rule("382", "Episodes", "A child receiving respite care cannot be in a temporary placement.")
def _respite_temporary(s: Submission) -> Failures:
    for r in s.rows("Episodes"):
        if r["LS"] in SHORT_BREAKS and r["PLACE"] in TEMPORARY:
            yield r["CHILD"], f"{r['LS']} in {r['PLACE']}"


@RULES.rule(
    "384", "Episodes", "A child receiving respite care cannot be in a long-term foster placement."
)
def _respite_long_term(s: Submission) -> Failures:
    for r in s.rows("Episodes"):
        if r["LS"] in SHORT_BREAKS and r["PLACE"] in ("U1", "U4"):
            yield r["CHILD"], f"{r['LS']} in {r['PLACE']}"


@RULES.rule(
    "408",
    "Episodes",
    "Child is placed for adoption with a placement order, but no placement order has been recorded.",
)
def _placement_order(s: Submission) -> Failures:
    for r in s.rows("Episodes"):
        if r["PLACE"] in ("A5", "A6") and r["LS"] != "E1":
            yield r["CHILD"], f"{r['PLACE']} under {r['LS']}"


def _age_at_start_rule(code: str, places: set[str], years: int, message: str) -> None:
    @RULES.rule(code, "Episodes", message)
    def check(s: Submission) -> Failures:
        born = _born(s)
        for r in s.rows("Episodes"):
            started = parse_date(r["DECOM"])
            child = r["CHILD"]
            if (
                r["PLACE"] in places
                and started
                and child in born
                and started < years_after(born[child], years)
            ):
                yield child, f"{r['PLACE']} from {started}"


_age_at_start_rule(
    "371",
    {"K3"},
    16,
    "Child in supported accommodation not subject to children's homes regulations should be at least 16 years old.",
)
_age_at_start_rule(
    "372", {"R5"}, 10, "Child in youth custody or prison should be at least 10 years old."
)
_age_at_start_rule("373", {"S1"}, 4, "Children placed in a school must be of school age.")
_age_at_start_rule(
    "374", {"P3"}, 14, "Child in residential employment must be at least 14 years old."
)


@RULES.rule("358", "Episodes", "Child with this legal status should not be under 10.")
def _remand_age(s: Submission) -> Failures:
    born = _born(s)
    for r in s.rows("Episodes"):
        started, child = parse_date(r["DECOM"]), r["CHILD"]
        if (
            r["LS"] in ("J1", "J2", "J3")
            and started
            and child in born
            and started <= years_after(born[child], 10)
        ):
            yield child, f"{r['LS']} from {started}"


def _leaving_age_rule(code: str, reasons: set[str], years: int, older: bool, message: str) -> None:
    @RULES.rule(code, "Episodes", message)
    def check(s: Submission) -> Failures:
        born = _born(s)
        for r in s.rows("Episodes"):
            ended, child = parse_date(r["DEC"]), r["CHILD"]
            if r["REC"] not in reasons or ended is None or child not in born:
                continue
            reached = ended >= years_after(born[child], years)
            if reached != older:
                yield child, f"{r['REC']} on {ended}"


_leaving_age_rule(
    "386",
    {"E11", "E12"},
    18,
    False,
    "Reason episode ceased is adopted but child has reached age 18.",
)
_leaving_age_rule(
    "387",
    {"E5", "E6"},
    14,
    True,
    "Reason episode ceased is child moved into independent living arrangement, but the child is aged under 14.",
)
_leaving_age_rule(
    "389",
    {"E7"},
    16,
    True,
    "Reason episode ceased is that child transferred to care of adult social care services, but child is aged under 16.",
)
_leaving_age_rule(
    "407",
    {"E45", "E46", "E47", "E48"},
    18,
    False,
    "Reason episode ceased is Special Guardianship Order, but child has reached age 18.",
)
_leaving_age_rule(
    "460",
    {"E17"},
    18,
    True,
    "Reason episode ceased is that child stayed with current carers at age 18 (or above), but child is aged under 18.",
)


@RULES.rule(
    "390",
    "Episodes",
    "Reason episode ceased is adopted but child has not been previously placed for adoption.",
)
def _adopted_not_placed(s: Submission) -> Failures:
    for r in s.rows("Episodes"):
        if r["REC"] in ADOPTED and r["PLACE"] not in ADOPTION:
            yield r["CHILD"], f"adopted from {r['PLACE']}"


# --- Reviews, UASC, Missing ------------------------------------------------------------


@RULES.rule("166", "Reviews", "Date of review is invalid or blank.")
def _review_date(s: Submission) -> Failures:
    for r in s.rows("Reviews"):
        if not valid_date(r["REVIEW"]):
            yield r["CHILD"], f"REVIEW {r['REVIEW']!r}"


@RULES.rule("167", "Reviews", "Data entry for participation is invalid or blank.")
def _review_code(s: Submission) -> Failures:
    codes = _codes("REVIEW_CODE")
    for r in s.rows("Reviews"):
        if r["REVIEW_CODE"] not in codes:
            yield r["CHILD"], f"REVIEW_CODE {r['REVIEW_CODE']!r}"


@RULES.rule(
    "440",
    "Reviews",
    "Participation code indicates child was under 4 years old at the time of the review, but date of birth and review date indicates the child was 4 years or over.",
)
def _pn0_too_old(s: Submission) -> Failures:
    for r in s.rows("Reviews"):
        born, held = parse_date(r["DOB"]), parse_date(r["REVIEW"])
        if r["REVIEW_CODE"] == "PN0" and born and held and held >= years_after(born, 4):
            yield r["CHILD"], f"PN0 on {held}"


@RULES.rule(
    "441",
    "Reviews",
    "Participation code indicates child was 4 years or over at the time of the review, but the date of birth and review date indicates the child was under 4 years old.",
)
def _pn0_needed(s: Submission) -> Failures:
    for r in s.rows("Reviews"):
        born, held = parse_date(r["DOB"]), parse_date(r["REVIEW"])
        if r["REVIEW_CODE"] != "PN0" and born and held and held < years_after(born, 4):
            yield r["CHILD"], f"{r['REVIEW_CODE']} on {held}"


@RULES.rule(
    "104",
    "UASC",
    "Date for Unaccompanied Asylum-Seeking Children (UASC) status ceased is not a valid date.",
)
def _duc_valid(s: Submission) -> Failures:
    for r in s.rows("UASC"):
        if r["DUC"] and not valid_date(r["DUC"]):
            yield r["CHILD"], f"DUC {r['DUC']!r}"


@RULES.rule(
    "304",
    "UASC",
    "Date unaccompanied asylum-seeking child (UASC) status ceased must be on or before the 18th birthday of a child.",
)
def _duc_after_18(s: Submission) -> Failures:
    for r in s.rows("UASC"):
        born, ceased = parse_date(r["DOB"]), parse_date(r["DUC"])
        if born and ceased and ceased > years_after(born, 18):
            yield r["CHILD"], f"DUC {ceased}"


@RULES.rule("1006", "Missing", "Missing type invalid.")
def _missing_kind(s: Submission) -> Failures:
    for r in s.rows("Missing"):
        if r["MISSING"] not in ("M", "A"):
            yield r["CHILD"], f"MISSING {r['MISSING']!r}"


@RULES.rule(
    "567",
    "Missing",
    "The date that the child returned from the missing episode or from being away from placement without authorisation is before the date that the child went missing or went away from placement without authorisation.",
)
def _missing_order(s: Submission) -> Failures:
    for r in s.rows("Missing"):
        started, ended = parse_date(r["MIS_START"]), parse_date(r["MIS_END"])
        if started and ended and ended < started:
            yield r["CHILD"], f"{started} to {ended}"


@RULES.rule(
    "570",
    "Missing",
    "The date that the child started to be missing or away from placement without authorisation is after the end of the collection year.",
)
def _missing_after_year(s: Submission) -> Failures:
    for r in s.rows("Missing"):
        started = parse_date(r["MIS_START"])
        if started is None or started > s.end:
            yield r["CHILD"], f"MIS_START {r['MIS_START']!r}"


@RULES.rule(
    "571",
    "Missing",
    "The date that the child ceased to be missing or away from placement without authorisation is before the start or after the end of the collection year.",
)
def _missing_end_in_year(s: Submission) -> Failures:
    for r in s.rows("Missing"):
        ended = parse_date(r["MIS_END"])
        if ended and not s.start <= ended <= s.end:
            yield r["CHILD"], f"MIS_END {ended}"


@RULES.rule(
    "574",
    "Missing",
    "A new missing/absence from placement without authorisation period cannot start when the previous missing/absence from placement without authorisation period is still open. Missing/absence from placement without authorisation periods should also not overlap.",
)
def _missing_overlap(s: Submission) -> Failures:
    for child, rows in s.by_child("Missing").items():
        ordered = sorted(rows, key=lambda r: parse_date(r["MIS_START"]) or date.min)
        for before, after in itertools.pairwise(ordered):
            ended, started = parse_date(before["MIS_END"]), parse_date(after["MIS_START"])
            if ended is None or (started and started < ended):
                yield (
                    child,
                    f"{after['MIS_START']} while the one from {before['MIS_START']} was open",
                )


@RULES.rule(
    "581",
    "Missing",
    "Child was reported as missing or away from placement without authorisation but was not looked after at the time.",
)
def _missing_in_care(s: Submission) -> Failures:
    episodes = _episodes(s)
    for r in s.rows("Missing"):
        started = parse_date(r["MIS_START"])
        spans = [
            (parse_date(e["DECOM"]), parse_date(e["DEC"]) or s.end)
            for e in episodes.get(r["CHILD"], [])
        ]
        if started and not any(a and a <= started <= b for a, b in spans):
            yield r["CHILD"], f"missing from {started}"


# --- OC2, OC3 -------------------------------------------------------------------------

OC2_FLAGS = FILES["OC2"][4:]  # CONVICTED to INTERVENTION_OFFERED: each 0 or 1


@RULES.rule(
    "181",
    "OC2",
    "Data items relating to children looked after continuously for 12 months should be completed with a 0 or 1.",
)
def _oc2_flags(s: Submission) -> Failures:
    for r in s.rows("OC2"):
        for column in OC2_FLAGS:
            if r[column] not in ("", "0", "1"):
                yield r["CHILD"], f"{column} {r[column]!r}"


@RULES.rule(
    "182",
    "OC2",
    "Data entries on immunisations, teeth checks, health assessments and substance misuse problem identified should be completed or all OC2 fields should be left blank.",
)
def _oc2_complete(s: Submission) -> Failures:
    needed = ("IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE")
    for r in s.rows("OC2"):
        if any(not r[c] for c in needed):
            yield r["CHILD"], ", ".join(c for c in needed if not r[c]) + " blank"


@RULES.rule(
    "180",
    "OC2",
    "Data entry for the strengths and difficulties questionnaire (SDQ) score is invalid.",
)
def _sdq_score(s: Submission) -> Failures:
    for r in s.rows("OC2"):
        if r["SDQ_SCORE"] and not (r["SDQ_SCORE"].isdigit() and int(r["SDQ_SCORE"]) <= 40):
            yield r["CHILD"], f"SDQ_SCORE {r['SDQ_SCORE']!r}"


@RULES.rule(
    "186",
    "OC2",
    "Children aged 4 or over at the start of the year and children aged under 17 at the end of the year and who have been looked after for at least 12 months continuously should have a Strengths and Difficulties (SDQ) score completed.",
)
def _sdq_needed(s: Submission) -> Failures:
    for r in s.rows("OC2"):
        born = parse_date(r["DOB"])
        if (
            born
            and s.start >= years_after(born, 4)
            and s.end < years_after(born, 17)
            and not r["SDQ_SCORE"]
            and not r["SDQ_REASON"]
        ):
            yield r["CHILD"], "no SDQ score or reason"


@RULES.rule(
    "188",
    "OC2",
    "Child is aged under 4 years at the end of the year, but a Strengths and Difficulties (SDQ) score or a reason for no SDQ score has been completed.",
)
def _sdq_too_young(s: Submission) -> Failures:
    for r in s.rows("OC2"):
        born = parse_date(r["DOB"])
        if born and s.end < years_after(born, 4) and (r["SDQ_SCORE"] or r["SDQ_REASON"]):
            yield r["CHILD"], "SDQ for a child under 4"


@RULES.rule(
    "189",
    "OC2",
    "Child is aged 17 years or over at the beginning of the year, but an Strengths and Difficulties (SDQ) score or a reason for no Strengths and Difficulties (SDQ) score has been completed.",
)
def _sdq_too_old(s: Submission) -> Failures:
    for r in s.rows("OC2"):
        born = parse_date(r["DOB"])
        if born and s.start >= years_after(born, 17) and (r["SDQ_SCORE"] or r["SDQ_REASON"]):
            yield r["CHILD"], "SDQ for a 17-year-old"


@RULES.rule(
    "192",
    "OC2",
    "Child has been identified as having a substance misuse problem but the additional item on whether an intervention was received has been left blank.",
)
def _intervention_received(s: Submission) -> Failures:
    for r in s.rows("OC2"):
        if r["SUBSTANCE_MISUSE"] == "1" and not r["INTERVENTION_RECEIVED"]:
            yield r["CHILD"], "INTERVENTION_RECEIVED blank"


@RULES.rule(
    "158",
    "OC2",
    "If a child has been recorded as receiving an intervention for their substance misuse problem, then the additional item on whether an intervention was offered should be left blank.",
)
def _offered_blank(s: Submission) -> Failures:
    for r in s.rows("OC2"):
        if r["INTERVENTION_RECEIVED"] == "1" and r["INTERVENTION_OFFERED"]:
            yield r["CHILD"], "INTERVENTION_OFFERED given"


@RULES.rule(
    "159",
    "OC2",
    "If a child has been recorded as not receiving an intervention for their substance misuse problem, then the additional item on whether an intervention was offered should be completed as well.",
)
def _offered_needed(s: Submission) -> Failures:
    for r in s.rows("OC2"):
        if r["INTERVENTION_RECEIVED"] == "0" and not r["INTERVENTION_OFFERED"]:
            yield r["CHILD"], "INTERVENTION_OFFERED blank"


@RULES.rule(
    "542",
    "OC2",
    "A child aged under 10 at 31 March should not have conviction information completed.",
)
def _convicted_young(s: Submission) -> Failures:
    for r in s.rows("OC2"):
        born = parse_date(r["DOB"])
        if born and s.end < years_after(born, 10) and r["CONVICTED"]:
            yield r["CHILD"], "CONVICTED for a child under 10"


@RULES.rule(
    "545",
    "OC2",
    "Child is aged under 5 at 31 March and has been looked after continuously for 12 months yet health promotion information has not been completed.",
)
def _health_check(s: Submission) -> Failures:
    for r in s.rows("OC2"):
        born = parse_date(r["DOB"])
        if born and s.end < years_after(born, 5) and not r["HEALTH_CHECK"]:
            yield r["CHILD"], "HEALTH_CHECK blank"


@RULES.rule("131", "OC3", "Data entry for being in touch after leaving care is invalid.")
def _in_touch(s: Submission) -> Failures:
    codes = _codes("IN_TOUCH") | {"RHOM"}
    for r in s.rows("OC3"):
        if r["IN_TOUCH"] not in codes:
            yield r["CHILD"], f"IN_TOUCH {r['IN_TOUCH']!r}"


@RULES.rule("132", "OC3", "Data entry for activity after leaving care is invalid.")
def _activity(s: Submission) -> Failures:
    codes = _codes("ACTIV") | {"0"}
    for r in s.rows("OC3"):
        if r["ACTIV"] and r["ACTIV"] not in codes:
            yield r["CHILD"], f"ACTIV {r['ACTIV']!r}"


@RULES.rule(
    "133",
    "OC3",
    "Data entry for accommodation after leaving care is invalid. If reporting on a childs accommodation after leaving care the data entry must be valid",
)
def _accommodation(s: Submission) -> Failures:
    letters = _codes("ACCOM")
    for r in s.rows("OC3"):
        code = r["ACCOM"]
        if not code or code == "0":
            continue
        if len(code) != 2 or code[0] not in letters or code[1] not in "12" or code in ("S1", "X1"):
            yield r["CHILD"], f"ACCOM {code!r}"


@RULES.rule(
    "153",
    "OC3",
    "All data items relating to a child's activity or accommodation after leaving care must be coded or left blank.",
)
def _oc3_all_or_none(s: Submission) -> Failures:
    for r in s.rows("OC3"):
        if bool(r["ACTIV"]) != bool(r["ACCOM"]):
            yield r["CHILD"], f"ACTIV {r['ACTIV']!r}, ACCOM {r['ACCOM']!r}"


@RULES.rule(
    "345",
    "OC3",
    "The data collection shows the young person was in touch with the local authority, but activity and/or accommodation data items are zero.",
)
def _in_touch_zero(s: Submission) -> Failures:
    for r in s.rows("OC3"):
        if r["IN_TOUCH"] == "YES" and "0" in (r["ACTIV"], r["ACCOM"]):
            yield r["CHILD"], "in touch, activity or accommodation 0"


@RULES.rule(
    "347", "OC3", "Young person is aged under 18 at the start of the year and yet is in a Foyer."
)
def _foyer(s: Submission) -> Failures:
    for r in s.rows("OC3"):
        born = parse_date(r["DOB"])
        if born and r["ACCOM"][:1] == "T" and s.start < years_after(born, 18):
            yield r["CHILD"], f"ACCOM {r['ACCOM']}"


# --- AD1, PlacedAdoption, PrevPerm -------------------------------------------------------


@RULES.rule(
    "151", "AD1", "All data items relating to a childs adoption must be coded or left blank."
)
def _ad1_complete(s: Submission) -> Failures:
    columns = ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")
    for r in s.rows("AD1"):
        given = [c for c in columns if r[c]]
        if given and len(given) != len(columns):
            yield r["CHILD"], ", ".join(c for c in columns if not r[c]) + " blank"


@RULES.rule(
    "333",
    "AD1",
    "Date should be placed for adoption must be on or prior to the date of matching child with adopter(s).",
)
def _decision_before_match(s: Submission) -> Failures:
    for r in s.rows("AD1"):
        decided, matched = parse_date(r["DATE_INT"]), parse_date(r["DATE_MATCH"])
        if decided and matched and decided > matched:
            yield r["CHILD"], f"{decided} after {matched}"


@RULES.rule(
    "511",
    "AD1",
    "If reported as having a single adopter, gender of adopter must be coded as M1 or F1; if reported as a couple, it must be MM, FF or MF.",
)
def _adopters_sex(s: Submission) -> Failures:
    for r in s.rows("AD1"):
        if r["NB_ADOPTR"] == "1" and r["SEX_ADOPTR"] not in ("M1", "F1"):
            yield r["CHILD"], f"1 adopter, {r['SEX_ADOPTR']!r}"
        if r["NB_ADOPTR"] == "2" and r["SEX_ADOPTR"] not in ("MM", "FF", "MF"):
            yield r["CHILD"], f"2 adopters, {r['SEX_ADOPTR']!r}"


@RULES.rule(
    "514",
    "AD1",
    "Data entry on the legal status of adopters shows single adopter but data entry for the numbers of adopters shows it as a couple.",
)
def _single_adopter(s: Submission) -> Failures:
    for r in s.rows("AD1"):
        if r["LS_ADOPTR"] == "L0" and (
            r["NB_ADOPTR"] != "1" or r["SEX_ADOPTR"] not in ("M1", "F1")
        ):
            yield r["CHILD"], f"L0 with {r['NB_ADOPTR']} adopters"


@RULES.rule(
    "601",
    "AD1",
    "The additional fields relating to adoption have not been completed although the episode data shows that the child was adopted during the year.",
)
def _adopted_needs_ad1(s: Submission) -> Failures:
    with_ad1 = {r["CHILD"] for r in s.rows("AD1") if r["DATE_INT"]}
    for r in s.rows("Episodes"):
        if r["REC"] in ADOPTED and r["CHILD"] not in with_ad1:
            yield r["CHILD"], f"adopted {r['DEC']}"


@RULES.rule(
    "602",
    "AD1",
    "The episode data shows that the child was not adopted during the year but there is data in the adoption fields.",
)
def _ad1_needs_adoption(s: Submission) -> Failures:
    adopted = {r["CHILD"] for r in s.rows("Episodes") if r["REC"] in ADOPTED}
    for r in s.rows("AD1"):
        if r["CHILD"] not in adopted:
            yield r["CHILD"], "AD1 row without an adoption"


@RULES.rule(
    "119",
    "PlacedAdoption",
    "If the decision is made that a child should no longer be placed for adoption, then the date of this decision and the reason why this decision was made must be completed.",
)
def _reversal_complete(s: Submission) -> Failures:
    for r in s.rows("PlacedAdoption"):
        if bool(r["DATE_PLACED_CEASED"]) != bool(r["REASON_PLACED_CEASED"]):
            yield r["CHILD"], "date and reason must both be given"


@RULES.rule(
    "184",
    "PlacedAdoption",
    "Date of decision that a child should be placed for adoption is before the child was born.",
)
def _decision_before_birth(s: Submission) -> Failures:
    for r in s.rows("PlacedAdoption"):
        born, decided = parse_date(r["DOB"]), parse_date(r["DATE_PLACED"])
        if born and decided and decided < born:
            yield r["CHILD"], f"decided {decided}"


@RULES.rule(
    "117",
    "PlacedAdoption",
    "Date of decision that a child should/should no longer be placed for adoption is beyond the current collection year.",
)
def _decision_after_year(s: Submission) -> Failures:
    for r in s.rows("PlacedAdoption"):
        for column in ("DATE_PLACED", "DATE_PLACED_CEASED"):
            when = parse_date(r[column])
            if when and when > s.end:
                yield r["CHILD"], f"{column} {when}"


@RULES.rule("630", "PrevPerm", "Information on previous permanency option is missing.")
def _previous_permanence(s: Submission) -> Failures:
    given = {r["CHILD"]: r for r in s.rows("PrevPerm")}
    for r in s.rows("Episodes"):
        started = parse_date(r["DECOM"])
        if r["RNE"] == "S" and started and started >= s.start and r["LS"] not in SHORT_BREAKS:
            row = given.get(r["CHILD"])
            if row is None or not row["PREV_PERM"]:
                yield r["CHILD"], f"period of care from {started}"
            elif row["PREV_PERM"] != "Z1" and (not row["LA_PERM"] or not row["DATE_PERM"]):
                yield r["CHILD"], f"{row['PREV_PERM']} without LA_PERM or DATE_PERM"


@RULES.rule("631", "PrevPerm", "Previous permanence option is invalid.")
def _previous_permanence_code(s: Submission) -> Failures:
    codes = _codes("PREV_PERM")
    for r in s.rows("PrevPerm"):
        if r["PREV_PERM"] and r["PREV_PERM"] not in codes:
            yield r["CHILD"], f"PREV_PERM {r['PREV_PERM']!r}"


@RULES.rule(
    "635",
    "PrevPerm",
    "There are entries for date of order and local authority code where previous permanence option was arranged but previous permanence code is Z1.",
)
def _z1_blank(s: Submission) -> Failures:
    for r in s.rows("PrevPerm"):
        if r["PREV_PERM"] == "Z1" and (r["LA_PERM"] or r["DATE_PERM"]):
            yield r["CHILD"], "Z1 with a council or date"


@RULES.rule(
    "632",
    "PrevPerm",
    "Date of previous permanence order not a valid value. NOTE: This rule may result in false negatives where the period of care started before the current collection year",
)
def _permanence_date(s: Submission) -> Failures:
    pattern = re.compile(r"^(\d{2}|ZZ)/(\d{2}|ZZ)/(\d{4}|ZZZZ)$")
    for r in s.rows("PrevPerm"):
        if r["DATE_PERM"] and not pattern.match(r["DATE_PERM"]):
            yield r["CHILD"], f"DATE_PERM {r['DATE_PERM']!r}"


# --- SWEpisodes --------------------------------------------------------------------------


def _sw(s: Submission) -> dict[str, list[dict[str, str]]]:
    return s.by_child("SWEpisodes")


@RULES.rule("SW02", "SWEpisodes", "Social worker ID does not begin with 'SW' or 'XX'.", since=2025)
def _sw_id(s: Submission) -> Failures:
    for r in s.rows("SWEpisodes"):
        if not r["SW_ID"].startswith(("SW", "XX")) or len(r["SW_ID"]) < 2:
            yield r["CHILD"], f"SW_ID {r['SW_ID']!r}"


@RULES.rule(
    "SW06",
    "SWEpisodes",
    "Social worker episode data should be within the social worker reporting year.",
    since=2023,
)
def _sw_in_year(s: Submission) -> Failures:
    for r in s.rows("SWEpisodes"):
        started = parse_date(r["SW_DECOM"])
        if started is None or started > s.end:
            yield r["CHILD"], f"SW_DECOM {r['SW_DECOM']!r}"


@RULES.rule(
    "SW07",
    "SWEpisodes",
    "Social worker episode end date must be on or after the start of the social worker reporting period and on or before the end of the collection year.",
    since=2024,
)
def _sw_end_in_window(s: Submission) -> Failures:
    window_start = date(s.year - 1, 4, 1)
    for r in s.rows("SWEpisodes"):
        ended = parse_date(r["SW_DEC"])
        if ended and not window_start <= ended <= s.end:
            yield r["CHILD"], f"SW_DEC {ended}"


@RULES.rule(
    "SW08",
    "SWEpisodes",
    "A new social worker episode has started but the previous episode has not ended.",
    since=2023,
)
def _sw_previous_open(s: Submission) -> Failures:
    for child, rows in _sw(s).items():
        for before in rows[:-1]:
            if not before["SW_DEC"]:
                yield child, f"episode from {before['SW_DECOM']} open"


@RULES.rule(
    "SW09",
    "SWEpisodes",
    "Social worker episode appears to have lasted for less than 24 hours.",
    since=2025,
)
def _sw_short(s: Submission) -> Failures:
    for r in s.rows("SWEpisodes"):
        if r["SW_DEC"] and r["SW_DEC"] == r["SW_DECOM"]:
            yield r["CHILD"], f"began and ended {r['SW_DECOM']}"


@RULES.rule(
    "SW10a",
    "SWEpisodes",
    "A new social worker episode should start within 7 days of the previous episode ending, unless the reason for the new episode is first contact.",
    since=2025,
)
def _sw_gap(s: Submission) -> Failures:
    for child, rows in _sw(s).items():
        for before, after in itertools.pairwise(rows):
            ended, started = parse_date(before["SW_DEC"]), parse_date(after["SW_DECOM"])
            if (
                after["SW_REASON"] != "FCONTA"
                and ended
                and started
                and abs((started - ended).days) > 7
            ):
                yield child, f"{started} is {(started - ended).days} days after {ended}"


@RULES.rule(
    "SW10b",
    "SWEpisodes",
    "A new social worker episode with reason first contact starts before the previous episode ended.",
    since=2025,
)
def _sw_fconta_overlap(s: Submission) -> Failures:
    for child, rows in _sw(s).items():
        for before, after in itertools.pairwise(rows):
            ended, started = parse_date(before["SW_DEC"]), parse_date(after["SW_DECOM"])
            if after["SW_REASON"] == "FCONTA" and ended and started and started < ended:
                yield child, f"FCONTA from {started}, previous ended {ended}"


@RULES.rule(
    "SW12",
    "SWEpisodes",
    "If a child is looked after on 31 March then all social worker episodes for the full previous year should be reported, even those whilst they were not looked after.",
    since=2024,
)
def _sw_cover_care(s: Submission) -> Failures:
    workers = _sw(s)
    for child, rows in _episodes(s).items():
        spans = [
            (parse_date(w["SW_DECOM"]), parse_date(w["SW_DEC"]) or s.end)
            for w in workers.get(child, [])
        ]
        for r in rows:
            if r["LS"] in SHORT_BREAKS:
                continue
            points = []
            if r["RNE"] == "S":
                points.append(parse_date(r["DECOM"]))
            if r["REC"] and r["REC"] != "X1":
                points.append(parse_date(r["DEC"]))
            for point in points:
                if point and point >= s.start and not any(a and a <= point <= b for a, b in spans):
                    yield child, f"no social worker on {point}"


@RULES.rule("SW13", "SWEpisodes", "Reason for social worker change is not valid.", since=2024)
def _sw_reason(s: Submission) -> Failures:
    codes = _codes("SW_REASON")
    for r in s.rows("SWEpisodes"):
        started = parse_date(r["SW_DECOM"])
        if (r["SW_REASON"] and r["SW_REASON"] not in codes) or (
            not r["SW_REASON"] and started and started >= date(2023, 4, 1)
        ):
            yield r["CHILD"], f"SW_REASON {r['SW_REASON']!r}"


@RULES.rule("SW17", "SWEpisodes", "There is no social worker episode open at 31 March.", since=2025)
def _sw_open_at_year_end(s: Submission) -> Failures:
    looked_after = {
        r["CHILD"] for r in s.rows("Episodes") if not r["DEC"] and r["LS"] not in SHORT_BREAKS
    }
    for child, rows in _sw(s).items():
        if child in looked_after and rows[-1]["SW_DEC"]:
            yield child, f"the latest ended {rows[-1]['SW_DEC']}"


@RULES.rule(
    "SW18", "SWEpisodes", "Social worker episode end date is before the start date.", since=2025
)
def _sw_order(s: Submission) -> Failures:
    for r in s.rows("SWEpisodes"):
        started, ended = parse_date(r["SW_DECOM"]), parse_date(r["SW_DEC"])
        if started and ended and ended < started:
            yield r["CHILD"], f"{started} to {ended}"


@RULES.rule("SW19", "SWEpisodes", "Two social worker episodes start on the same date.", since=2025)
def _sw_same_day(s: Submission) -> Failures:
    for child, rows in _sw(s).items():
        starts = [r["SW_DECOM"] for r in rows]
        for day in sorted({d for d in starts if starts.count(d) > 1}):
            yield child, f"two episodes from {day}"
