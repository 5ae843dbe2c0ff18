"""The access log: who read which child's record, when, what and why.

Every read of child-level data appends an entry before anything is shown. The entries are
a hash chain of their own (`seq` 1, 2, 3…, each record's hash covering the one before),
so `journey verify` shows that none was removed, reordered or altered, and an anchor
covers the log's head as it covers the event chains. The council's child id and the
purpose are sealed like event data (a purpose is free text and can name people); who,
when, which stream and what are in the clear, for the log's queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import orjson

from journey.record import Sealer, canonical, record_hash
from journey.store import AccessRow

PURPOSE_LIMIT = 500


class PurposeRequired(ValueError):
    """An auditor's read was asked for without saying why."""


def check_purpose(purpose: str | None, *, required: bool) -> str | None:
    """A purpose is plain text of at most 500 characters; auditor reads must give one."""
    text = (purpose or "").strip()
    if not text:
        if required:
            raise PurposeRequired(
                "purpose: required for this read; say why the record is being read "
                "(for example a complaint or court reference)"
            )
        return None
    if len(text) > PURPOSE_LIMIT:
        raise PurposeRequired(f"purpose: at most {PURPOSE_LIMIT} characters, got {len(text)}")
    return text


@dataclass(frozen=True)
class AccessEntry:
    """One read of child-level data, as the access log holds it."""

    seq: int
    at: datetime
    principal: str
    action: str
    child_id: UUID | None
    la_child_id: str | None
    purpose: str | None
    hash: str


def build_access_row(
    seq: int,
    prev_hash: str,
    *,
    at: datetime,
    principal: str,
    action: str,
    child_id: UUID | None,
    la_child_id: str | None,
    purpose: str | None,
    sealer: Sealer,
) -> AccessRow:
    record = {
        "seq": seq,
        "at": at.isoformat(),
        "principal": principal,
        "action": action,
        "child_id": None if child_id is None else str(child_id),
        "prev_hash": prev_hash,
        **sealer.seal({"la_child_id": la_child_id, "purpose": purpose}),
    }
    record["hash"] = record_hash(record)
    return AccessRow(seq, at, principal, child_id, action, canonical(record))


def read_access_row(row: AccessRow, sealer: Sealer) -> AccessEntry:
    record = orjson.loads(row.record)
    try:
        sealed = sealer.open(record)
    except PermissionError:
        sealed = {"la_child_id": None, "purpose": "(sealed: no cipher key set)"}
    return AccessEntry(
        seq=row.seq,
        at=datetime.fromisoformat(record["at"]),
        principal=row.principal,
        action=row.action,
        child_id=row.child_id,
        la_child_id=sealed.get("la_child_id"),
        purpose=sealed.get("purpose"),
        hash=record["hash"],
    )
