"""Statutory code lists, loaded once from the CSV files shipped with the package.

`codes.csv` is the project's copy of `shared/domain/codes.csv` (SSDA903, CIN census and
Annex A lists). `codes_extra.csv` adds lists the returns need that the shared file does
not carry (ethnicity, disability, and the OC3 care-leaver codes), taken from the DfE's
published SSDA903 and CIN census specifications.
"""

from __future__ import annotations

import csv
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


def _member_of(list_name: str):  # type: ignore[no-untyped-def]
    def check(value: str) -> str:
        codes = code_lists()[list_name]
        if value not in codes:
            shown = ", ".join(codes) if len(codes) <= 25 else f"{len(codes)} codes"
            raise ValueError(f"'{value}' is not a {list_name} code (expected one of {shown})")
        return value

    return check


def Code(list_name: str) -> type[str]:
    """A string field that must be a code of the named list."""
    if list_name not in code_lists():
        raise KeyError(list_name)
    return Annotated[str, AfterValidator(_member_of(list_name))]  # type: ignore[return-value]


LegalStatus = Code("LS")
PlacementType = Code("PLACE")
PlacementProvider = Code("PLACE_PROVIDER")
ReasonEpisodeCeased = Code("REC")
ReasonPlaceChange = Code("REASON_PLACE_CHANGE")
SocialWorkerReason = Code("SW_REASON")
ReviewCode = Code("REVIEW_CODE")
MissingKind = Code("MISSING")
PreviousPermanence = Code("PREV_PERM")
ReasonPlacedCeased = Code("REASON_PLACED_CEASED")
ReferralSource = Code("REFERRAL_SOURCE")
PrimaryNeed = Code("PRIMARY_NEED")
CaseClosureReason = Code("CIN_CLOSURE")
AbuseCategory = Code("ABUSE_CATEGORY")
Ethnicity = Code("ETHNICITY")
Disability = Code("DISABILITY")
InTouch = Code("IN_TOUCH")
Activity = Code("ACTIV")
Accommodation = Code("ACCOM")

# Placements reported without a provider (returns.md: "PLACE_PROVIDER is blank for
# T0–T3 and Z11–Z14").
PLACEMENTS_WITHOUT_PROVIDER = frozenset({"T0", "T1", "T2", "T3", "Z11", "Z12", "Z13", "Z14"})
TEMPORARY_PLACEMENTS = frozenset({"T0", "T1", "T2", "T3", "T4"})
ADOPTION_PLACEMENTS = frozenset({"A3", "A4", "A5", "A6"})
SHORT_BREAK_LEGAL_STATUSES = frozenset({"V3", "V4"})
