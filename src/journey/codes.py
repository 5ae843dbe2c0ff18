"""Statutory code lists, loaded once from the CSV files shipped with the package.

`codes.csv` is the project's copy of `shared/domain/codes.csv` (SSDA903, CIN census and
Annex A lists). `codes_extra.csv` adds lists the returns need that the shared file does
not carry (ethnicity, disability, the OC3 care-leaver codes, SDQ reasons, adopters'
relationship and sex, unknown-UPN reasons, the pre-proceedings outcome and Annex A's
reasons for leaving the adoption process), taken from the DfE's published SSDA903 and CIN
census specifications and the validators councils use; where a meaning could not be
confirmed, the meaning says so.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from typing import Annotated

from pydantic import AfterValidator


@cache
def code_lists() -> dict[str, dict[str, str]]:
    """Every code list by name: {list: {code: meaning}}."""
    lists: dict[str, dict[str, str]] = {}
    for name in ("codes.csv", "codes_extra.csv"):
        text = files("journey").joinpath(name).read_text(encoding="utf-8")
        for row in csv.DictReader(text.splitlines()):
            lists.setdefault(row["list"], {})[row["code"]] = row["meaning"]
    return lists


def meaning(list_name: str, code: str) -> str:
    return code_lists()[list_name].get(code, code)


def _member_of(list_name: str) -> Callable[[str], str]:
    if list_name not in code_lists():
        raise KeyError(list_name)

    def check(value: str) -> str:
        codes = code_lists()[list_name]
        if value not in codes:
            shown = ", ".join(codes) if len(codes) <= 30 else f"{len(codes)} codes"
            raise ValueError(f"'{value}' is not a {list_name} code (expected one of {shown})")
        return value

    return check


LegalStatus = Annotated[str, AfterValidator(_member_of("LS"))]
PlacementType = Annotated[str, AfterValidator(_member_of("PLACE"))]
PlacementProvider = Annotated[str, AfterValidator(_member_of("PLACE_PROVIDER"))]
ReasonEpisodeCeased = Annotated[str, AfterValidator(_member_of("REC"))]
ReasonPlaceChange = Annotated[str, AfterValidator(_member_of("REASON_PLACE_CHANGE"))]
SocialWorkerReason = Annotated[str, AfterValidator(_member_of("SW_REASON"))]
ReviewCode = Annotated[str, AfterValidator(_member_of("REVIEW_CODE"))]
MissingKind = Annotated[str, AfterValidator(_member_of("MISSING"))]
PreviousPermanence = Annotated[str, AfterValidator(_member_of("PREV_PERM"))]
ReasonPlacedCeased = Annotated[str, AfterValidator(_member_of("REASON_PLACED_CEASED"))]
ReferralSource = Annotated[str, AfterValidator(_member_of("REFERRAL_SOURCE"))]
PrimaryNeed = Annotated[str, AfterValidator(_member_of("PRIMARY_NEED"))]
CaseClosureReason = Annotated[str, AfterValidator(_member_of("CIN_CLOSURE"))]
AbuseCategory = Annotated[str, AfterValidator(_member_of("ABUSE_CATEGORY"))]
Ethnicity = Annotated[str, AfterValidator(_member_of("ETHNICITY"))]
Disability = Annotated[str, AfterValidator(_member_of("DISABILITY"))]
InTouch = Annotated[str, AfterValidator(_member_of("IN_TOUCH"))]
Activity = Annotated[str, AfterValidator(_member_of("ACTIV"))]
Accommodation = Annotated[str, AfterValidator(_member_of("ACCOM"))]
SdqReason = Annotated[str, AfterValidator(_member_of("SDQ_REASON"))]
AdopterRelationship = Annotated[str, AfterValidator(_member_of("LS_ADOPTR"))]
PreProceedingsOutcome = Annotated[str, AfterValidator(_member_of("PP_OUTCOME"))]
UpnUnknown = Annotated[str, AfterValidator(_member_of("UPN_UNKNOWN"))]
AdopterLeftReason = Annotated[str, AfterValidator(_member_of("ADOPTER_LEFT"))]

# Placements reported without a provider (returns.md: "PLACE_PROVIDER is blank for
# T0–T3 and Z11–Z14").
PLACEMENTS_WITHOUT_PROVIDER = frozenset({"T0", "T1", "T2", "T3", "Z11", "Z12", "Z13", "Z14"})
TEMPORARY_PLACEMENTS = frozenset({"T0", "T1", "T2", "T3", "T4"})
ADOPTION_PLACEMENTS = frozenset({"A3", "A4", "A5", "A6"})
SHORT_BREAK_LEGAL_STATUSES = frozenset({"V3", "V4"})
