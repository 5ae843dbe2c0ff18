"""Audit bundles: one child's record to hand to an authorised auditor, court or
complainant's representative, checkable without journey.

A bundle is a directory: the child's events decrypted (`events.jsonl`), the chain exactly
as stored (`chain.jsonl`), a manifest with every file's SHA-256 and the chain head
(`manifest.json`), a plain-language explanation (`README.txt`) and a stand-alone
verification script that needs only Python's standard library (`verify_bundle.py`).
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson

from journey.ledger import Ledger
from journey.record import Recorded, Sealer, read_record
from journey.views import Mark, marks

FORMAT = "journey-bundle-1"
VERIFIER = Path(__file__).with_name("verify_bundle.py")

EXPLANATION = """\
Audit bundle: the record of child {la_child_id} (council {council})
=====================================================================

Made {created_at} by {created_by}, for this purpose: {purpose}

What is here
- events.jsonl: every event in the child's record, oldest first, one per line, decrypted
  for the person this bundle was made for. Each line has the envelope (what kind of
  event, when it happened `occurred_at`, when the ledger stored it `recorded_at`, who
  recorded it `recorded_by`), the event's content under `data`, and under `marks` any
  later event that retracted or corrected it, with who did so, when and why. Retracted
  events are kept and marked, never removed: the ledger does not delete history.
- chain.jsonl: the same events exactly as the ledger stores them (the content sealed
  when the ledger encrypts). Each line carries the SHA-256 of the line before it, so a
  line changed, removed or moved breaks the chain from there on. A sealed line also
  carries `sealed_digest`, the SHA-256 of a random salt and the content; the salt is in
  events.jsonl, so the decrypted content can be checked against the chain without the
  ledger's key. The child's personal fields (names, date of birth, postcodes, what staff
  wrote) are sealed apart with the child's own key: in events.jsonl they are under
  `personal` with a salt of their own, checked against the chain's `personal_digest`. If
  the child was erased, `personal` says "erased": those fields are gone for good, and the
  rest of the content is still checked.
- manifest.json: who made the bundle, when and why; the chain's last version and hash
  (the head); and the SHA-256 of every file here.
- verify_bundle.py: a checking script that needs nothing but Python 3.

How to check it
    python3 verify_bundle.py
checks every file against the manifest, recomputes the chain, and checks that
events.jsonl says what the chain says. It prints "verifies" or every problem it found.
The head it prints can be compared with the ledger's own (`journey verify`) or with an
anchor kept outside the ledger:
    python3 verify_bundle.py --anchor ANCHOR_FILE
shows that the chain agrees with the anchor up to the version the anchor covers.

This bundle holds personal data about a child. Keep it as your data-sharing agreement
requires, and destroy it when the purpose above is served.
"""


@dataclass(frozen=True)
class Bundle:
    directory: Path
    events: int
    head_version: int
    head_hash: str


def write_bundle(
    ledger: Ledger,
    la_child_id: str,
    out: Path,
    *,
    purpose: str,
    now: datetime,
    made_by: str | None = None,
) -> Bundle | None:
    """Write the bundle for a child (None, and nothing written, if the ledger holds no
    such child). The caller logs the read first. `made_by`: who asked for it (the
    settings' principal unless a server says otherwise)."""
    made_by = made_by or ledger.settings.principal
    stream_id = ledger.child_id(la_child_id)
    stored = ledger.store.events.select_states(stream_id)
    if not stored:
        return None
    records = [read_record(state, ledger.sealer) for state in stored]
    later = marks(records)
    out.mkdir(parents=True, exist_ok=True)
    (out / "chain.jsonl").write_bytes(b"".join(state + b"\n" for state in stored))
    (out / "events.jsonl").write_bytes(
        b"".join(
            orjson.dumps(_event_line(state, r, later, ledger.sealer)) + b"\n"
            for state, r in zip(stored, records, strict=True)
        )
    )
    (out / "README.txt").write_text(
        EXPLANATION.format(
            la_child_id=la_child_id,
            council=ledger.settings.council,
            created_at=now.isoformat(timespec="seconds"),
            created_by=made_by,
            purpose=purpose,
        ),
        encoding="utf-8",
    )
    shutil.copyfile(VERIFIER, out / "verify_bundle.py")
    head = records[-1]
    manifest = {
        "format": FORMAT,
        "council": ledger.settings.council,
        "la_child_id": la_child_id,
        "stream_id": str(stream_id),
        "created_at": now.isoformat(timespec="seconds"),
        "created_by": made_by,
        "purpose": purpose,
        "events": len(records),
        "head": {"version": head.version, "hash": head.hash},
        "files": {
            name: hashlib.sha256((out / name).read_bytes()).hexdigest()
            for name in ("chain.jsonl", "events.jsonl", "README.txt", "verify_bundle.py")
        },
    }
    (out / "manifest.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    return Bundle(out, len(records), head.version, head.hash)


def _event_line(
    state: bytes, r: Recorded, later: dict[UUID, list[Mark]], sealer: Sealer
) -> dict[str, Any]:
    """The envelope, the content as it was recorded (decrypted, not upcast), the marks."""
    record = orjson.loads(state)
    opened = sealer.open_parts(record)
    personal: dict[str, Any] = {}
    if "personal_digest" in record:
        personal = (
            {"personal": "erased"}
            if opened.erased
            else {"personal": opened.personal, "personal_salt": opened.personal_salt}
        )
    return {
        **{k: v for k, v in record.items() if k not in ("data", "sealed", "personal")},
        "data": opened.plain,
        **({"salt": opened.salt} if opened.salt is not None else {}),
        **personal,
        "marks": [
            {
                "kind": m.kind,
                "by_version": m.version,
                "recorded_at": m.recorded_at.isoformat(),
                "recorded_by": m.recorded_by,
                "reason": m.reason,
            }
            for m in later.get(r.event_id, [])
        ],
    }
