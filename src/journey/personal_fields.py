"""Which fields of a child's events are personal, and how a record keeps them apart.

A child's record is kept under two keys. What the council needs to account for its work
(that a referral came in, when, from whom, what was decided) is sealed with the ledger's
key; what identifies the child or was written about them (names, dates of birth, pupil
numbers, postcodes, court references, what staff wrote) is sealed with the child's own
data key (`journey.child_keys`). Destroying that key (`journey erase`) makes the personal
fields unreadable everywhere while the rest of the record, and its hash chain, stand.

Fields are named by path: `scrutiny.rationale` is a field of a nested object, and a
correction's changes to any personal field are personal too (`changes.date_of_birth`).
"""

from __future__ import annotations

import copy
from typing import Any

from journey import events as ev

PERSONAL_FIELDS: dict[str, tuple[str, ...]] = {
    "ChildRegistered": (
        "given_name",
        "family_name",
        "date_of_birth",
        "expected_date_of_birth",
        "upn",
        "home_postcode",
    ),
    "ChildDetailsUpdated": (
        "given_name",
        "family_name",
        "date_of_birth",
        "upn",
        "home_postcode",
    ),
    "CareProceedingsIssued": ("court_reference",),
    "CourtOrderMade": ("court_reference",),
    "WorkerAllocated": ("scrutiny.rationale",),
    "CaseTransferred": ("scrutiny.rationale",),
    "PeriodOfCareStarted": ("home_postcode",),
    "PlacementStarted": ("postcode",),
    "PlacementEnded": ("reason_detail",),
    "DisruptionMeetingHeld": ("reasons", "learning", "attendees"),
    "EventRetracted": ("reason",),
    "EventCorrected": ("reason",),
}
# The fields a correction may change that are personal in the event it corrects.
CORRECTED_PERSONAL = frozenset(
    path.split(".")[0]
    for event_type, paths in PERSONAL_FIELDS.items()
    if event_type not in ("EventRetracted", "EventCorrected")
    for path in paths
)


def personal_paths(event_type: str, data: dict[str, Any]) -> list[str]:
    """The personal fields this event's data holds a value for."""
    paths = [p for p in PERSONAL_FIELDS.get(event_type, ()) if _get(data, p) is not None]
    if event_type == "EventCorrected":
        changes = data.get("changes") or {}
        paths += [f"changes.{k}" for k in sorted(changes) if k in CORRECTED_PERSONAL]
    return paths


def split(event_type: str, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The data without its personal fields, and the personal fields by path."""
    paths = personal_paths(event_type, data)
    if not paths:
        return data, {}
    plain = copy.deepcopy(data)
    personal = {p: _pop(plain, p) for p in paths}
    return plain, personal


def impersonal(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """The data with every field that could be personal taken out, set or not (to compare
    an erased child's event with what a caller sends again)."""
    plain = copy.deepcopy(data)
    for path in PERSONAL_FIELDS.get(event_type, ()):
        *parents, last = path.split(".")
        holder: Any = plain
        for part in parents:
            holder = holder.get(part) if isinstance(holder, dict) else None
        if isinstance(holder, dict):
            holder.pop(last, None)
    if isinstance(plain.get("changes"), dict):
        plain["changes"] = {
            k: v for k, v in plain["changes"].items() if k not in CORRECTED_PERSONAL
        }
    return plain


def join(plain: dict[str, Any], personal: dict[str, Any]) -> dict[str, Any]:
    """The data whole again."""
    data = copy.deepcopy(plain)
    for path, value in personal.items():
        _put(data, path, value)
    return data


def erased(event_type: str, plain: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """The data of an erased child's event: each personal field it held reads as null, or
    as ERASED where the event cannot be without it (and in a correction's changes, which
    the fold then leaves out)."""
    data = copy.deepcopy(plain)
    model = ev.EVENT_TYPES[event_type]
    for path in paths:
        head = path.split(".")[0]
        required = head in model.model_fields and model.model_fields[head].is_required()
        if head == "attendees":
            value: Any = []
        elif path.startswith("changes.") or "." in path or required:
            value = ev.ERASED
        else:
            value = None
        _put(data, path, value)
    return data


def _get(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _pop(data: dict[str, Any], path: str) -> Any:
    *parents, last = path.split(".")
    for part in parents:
        data = data[part]
    return data.pop(last)


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[last] = value
