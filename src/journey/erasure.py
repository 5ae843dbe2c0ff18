"""Erasing a child: destroy the child's data key, then record that it was done.

The key goes first. Once it is gone nothing personal can be sealed for the child (an
append that races the erasure is refused when it asks for the key), and a ChildErased
then closes the record for good. Were the process to stop between the two, running the
erasure again records the event. The chain is untouched: every record's hash covers its
ciphertext, not what the ciphertext said.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import structlog

from journey import events as ev
from journey.ledger import Ledger, hashed
from journey.personal_fields import personal_paths

log = structlog.get_logger("journey.erasure")


@dataclass(frozen=True)
class Erasure:
    la_child_id: str
    erased_at: datetime
    recorded_by: str
    version: int
    already: bool  # erased before this request


class ErasureError(ValueError):
    """An erasure that cannot be done, with why; nothing was changed."""

    def __init__(self, rule: str, message: str, *, missing: bool = False):
        super().__init__(message)
        self.rule = rule
        self.missing = missing  # no such child


def erase(
    ledger: Ledger, la_child_id: str, reason: str, *, principal: str | None = None
) -> Erasure:
    """Erase the child's personal fields everywhere, for `reason` (a decision's reference:
    it stays readable). Erasing an erased child says when it was done."""
    keys = ledger.child_keys
    if keys is None:
        raise ErasureError(
            "erasure_needs_cipher_key",
            "this ledger has no cipher key (JOURNEY_CIPHER_KEY): its records are stored in "
            "the clear and cannot be erased by destroying a key",
        )
    stream_id = ledger.child_id(la_child_id)
    records = ledger.stream_records(stream_id)
    if not records:
        raise ErasureError(
            "child_not_found", f"no child {la_child_id} in this ledger", missing=True
        )
    done = next((r for r in records if isinstance(r.event, ev.ChildErased)), None)
    if done is not None:
        when = done.event.occurred_at  # the moment the key was destroyed, as first answered
        erased_at = when if isinstance(when, datetime) else done.recorded_at
        keys.destroy(stream_id, erased_at)  # in case the first attempt stopped short
        return Erasure(la_child_id, erased_at, done.recorded_by, done.version, True)
    now = ledger.clock()
    event = ev.ChildErased(
        la_child_id=la_child_id, reason=reason, occurred_at=now, idempotency_key="erasure"
    )
    unkeyed = [
        r
        for r in records
        if "personal_digest" not in r.envelope and personal_paths(r.event.type, r.event.data())
    ]
    if unkeyed:
        raise ErasureError(
            "recorded_before_child_keys",
            f"{len(unkeyed)} of this child's records were stored before the ledger gave each "
            "child a data key: their personal fields are sealed with the ledger's key and "
            "cannot be erased by destroying the child's; nothing was erased",
        )
    keys.destroy(stream_id, now)
    ledger.forget(stream_id)
    result = ledger._append([event], principal=principal, erasing=True)[0]
    if result.status == "already_stored" or result.status == "conflict":
        return erase(ledger, la_child_id, reason, principal=principal)  # erased meanwhile
    if not result.ok or result.version is None:
        raise ErasureError(
            result.problems[0].rule if result.problems else "not_stored",
            "the child's key is destroyed but the erasure was not recorded "
            f"({'; '.join(p.message for p in result.problems)}): run the erasure again",
        )
    log.info("child_erased", child=hashed(la_child_id), version=result.version)
    return Erasure(la_child_id, now, principal or ledger.settings.principal, result.version, False)
