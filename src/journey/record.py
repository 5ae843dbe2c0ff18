"""The stored form of an event: canonical bytes, the hash chain, and the cipher.

A stored record is one JSON object, serialised canonically (keys sorted, no insignificant
white space, UTF-8, non-ASCII characters written as themselves). It holds the envelope of
DESIGN §3 in the clear and the event's own fields either as `data` (an object) or, when a
cipher key is set, as `sealed` (AES-GCM ciphertext of the canonical bytes of `data`,
base64). A child's personal fields are sealed apart, in `personal`, with the child's own
data key (see `journey.personal_fields`), so that destroying that key erases them. Its
`hash` is SHA-256 over the canonical bytes of the record without `hash`;
`prev_hash` is the previous record's `hash` (64 zeros for the first). Because the hash
covers the ciphertext, destroying a key never breaks the chain. The README shows how to
recompute a chain with nothing but Python's standard library.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple
from uuid import UUID

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import Environment

from journey import events as ev
from journey.child_keys import ChildKey, ChildKeys
from journey.personal_fields import erased, join, split
from journey.upcasting import upcast

GENESIS = "0" * 64
SALT_BYTES = 16


def canonical(obj: Any) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def record_hash(record: dict[str, Any]) -> str:
    """SHA-256 of the canonical bytes of the record without its `hash`."""
    if "hash" in record:
        record = {k: v for k, v in record.items() if k != "hash"}
    return hashlib.sha256(canonical(record)).hexdigest()


@dataclass(frozen=True)
class LedgerRecord(StoredEvent):
    """A stored event with the columns the ledger indexes beside the library's own."""

    event_id: UUID
    recorded_at: datetime


class Recorded(NamedTuple):
    """An event as the ledger holds it: the validated model and its envelope. (A named
    tuple: as immutable as a frozen dataclass, and a quarter of the cost to build, which
    counts when a replay or a projection reads thousands.)"""

    event: ev.Event
    event_id: UUID
    stream_id: UUID
    version: int
    recorded_at: datetime
    recorded_by: str
    schema_version: int
    prev_hash: str
    hash: str
    envelope: dict[str, Any]


class _KeyedAESCipher(AESCipher):
    """The library's AES-GCM cipher, with its key schedule made once instead of on every
    call (a third of the cost of opening a small record)."""

    def __init__(self, environment: Environment):
        super().__init__(environment)
        self._aesgcm = AESGCM(self.key)

    def decrypt(self, ciphertext: bytes) -> bytes:
        nonce, tag, encrypted = ciphertext[:12], ciphertext[12:28], ciphertext[28:]
        if len(nonce) != 12 or len(tag) != 16:
            raise ValueError("Damaged cipher text: invalid nonce or tag length")
        try:
            return self._aesgcm.decrypt(nonce, encrypted + tag, None)
        except InvalidTag as error:
            raise ValueError("Invalid cipher tag") from error


class Opened(NamedTuple):
    """A record's content opened: the data without its personal fields and the salt its
    `sealed_digest` covers; the personal fields (by path) and their salt, or which paths
    they were when the child is erased."""

    plain: dict[str, Any]
    salt: str | None
    personal: dict[str, Any] | None
    personal_salt: str | None
    paths: list[str]

    @property
    def erased(self) -> bool:
        return bool(self.paths) and self.personal is None

    def data(self, event_type: str | None) -> dict[str, Any]:
        """The data whole (an erased child's personal fields as `erased` says). Only an
        event's record has personal fields: an access log entry's has no `event_type`."""
        if self.erased:
            assert event_type is not None
            return erased(event_type, self.plain, self.paths)
        return join(self.plain, self.personal) if self.personal else self.plain


class Sealer:
    """Encrypts and decrypts the `data` of records with the library's AES-GCM cipher
    (`eventsourcing.cryptography`, on the `cryptography` package), and a child's personal
    fields with the child's own data key (`journey.child_keys`)."""

    def __init__(self, key: str | None, child_keys: ChildKeys | None = None):
        self._cipher = _KeyedAESCipher(Environment(env={"CIPHER_KEY": key})) if key else None
        self.child_keys = child_keys if key else None

    @property
    def enabled(self) -> bool:
        return self._cipher is not None

    def seal(self, data: dict[str, Any], paths: list[str] | None = None) -> dict[str, Any]:
        """The record's `data`, or its `sealed` ciphertext and `sealed_digest`: SHA-256 of
        a random salt and the canonical bytes of `data`. The salt is sealed with the data,
        so the digest in the clear says nothing of the content; whoever is shown the data
        and the salt (an audit bundle's recipient) can check them against the chain
        without the key. `paths`: the personal fields sealed apart (see `seal_child`)."""
        if self._cipher is None:
            return {"data": data}
        salt = os.urandom(SALT_BYTES)
        inner: dict[str, Any] = {"data": data, "salt": _b64(salt)}
        if paths:
            inner["personal"] = paths
        return {
            "sealed": _b64(self._cipher.encrypt(canonical(inner))),
            "sealed_digest": hashlib.sha256(salt + canonical(data)).hexdigest(),
        }

    def seal_child(
        self, event_type: str, stream_id: UUID, data: dict[str, Any], key: ChildKey
    ) -> dict[str, Any]:
        """A child's event: the personal fields in `personal`, sealed with the child's key
        (the stream id bound in as associated data), with `personal_digest` over them and
        a salt of their own, sealed with them; the rest as `seal` does it."""
        plain, personal = split(event_type, data)
        if not personal:
            return self.seal(data)
        sealed = self.seal(plain, sorted(personal))
        salt = os.urandom(SALT_BYTES)
        inner = canonical({"fields": personal, "salt": _b64(salt)})
        sealed["personal"] = _b64(key.seal(inner, stream_id.bytes))
        sealed["personal_digest"] = hashlib.sha256(salt + canonical(personal)).hexdigest()
        return sealed

    def open(self, record: dict[str, Any]) -> dict[str, Any]:
        """A record's data, whole (an erased child's personal fields as `erased` says)."""
        return self.open_parts(record).data(record.get("type"))

    def open_parts(self, record: dict[str, Any]) -> Opened:
        if "data" in record:
            return Opened(dict(record["data"]), None, None, None, [])
        if self._cipher is None:
            raise PermissionError("this record is encrypted and no cipher key is set")
        inner = orjson.loads(self._cipher.decrypt(binascii.a2b_base64(record["sealed"])))
        if "sealed_digest" not in record:  # sealed before digests: the data alone
            return Opened(inner, None, None, None, [])
        paths = inner.get("personal", [])
        if "personal" not in record:
            return Opened(inner["data"], inner["salt"], None, None, paths)
        stream_id = _stream_uuid(record["stream_id"])
        key = self.child_keys.opening_key(stream_id) if self.child_keys else None
        if key is None:
            return Opened(inner["data"], inner["salt"], None, None, paths)
        try:
            fields = orjson.loads(
                key.open(binascii.a2b_base64(record["personal"]), stream_id.bytes)
            )
        except InvalidTag as error:
            raise PermissionError("a personal field does not open with the child's key") from error
        return Opened(inner["data"], inner["salt"], fields["fields"], fields["salt"], paths)

    def seal_bytes(self, plain: bytes, key: ChildKey | None = None) -> bytes:
        if key is not None:
            return key.seal(plain)
        return self._cipher.encrypt(plain) if self._cipher else plain

    def open_bytes(self, stored: bytes, key: ChildKey | None = None) -> bytes:
        if key is not None:
            try:
                return key.open(stored)
            except InvalidTag as error:
                raise ValueError("Invalid cipher tag") from error
        return self._cipher.decrypt(stored) if self._cipher else stored


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def build_record(
    event: ev.Event,
    *,
    event_id: UUID,
    stream_id: UUID,
    version: int,
    recorded_at: datetime,
    recorded_by: str,
    prev_hash: str,
    sealer: Sealer,
    child_key: ChildKey | None = None,
) -> tuple[dict[str, Any], bytes]:
    """The stored record and its canonical bytes, hash included. A child's event with its
    `child_key` has its personal fields sealed apart."""
    data = event.data()
    content = (
        sealer.seal_child(event.type, stream_id, data, child_key)
        if child_key is not None and sealer.enabled
        else sealer.seal(data)
    )
    record: dict[str, Any] = {
        "type": event.type,
        "stream": event.stream,
        "stream_id": str(stream_id),
        "event_id": str(event_id),
        "version": version,
        "occurred_at": event.occurred_at.isoformat(),
        "recorded_at": recorded_at.isoformat(),
        "recorded_by": recorded_by,
        "on_behalf_of": event.on_behalf_of,
        "source": event.source,
        "correlation_id": event.correlation_id,
        "causation_id": event.causation_id,
        "schema_version": event.schema_version,
        "prev_hash": prev_hash,
        **content,
    }
    record["hash"] = record_hash(record)
    return record, canonical(record)


def read_record(state: bytes, sealer: Sealer) -> Recorded:
    """Turn stored bytes back into a validated event, upcasting old schema versions."""
    record = orjson.loads(state)
    opened = sealer.open_parts(record)
    data = upcast(record["type"], record["schema_version"], opened.data(record["type"]))
    record.pop("data", None)
    record.pop("sealed", None)
    record.pop("personal", None)
    cls = ev.EVENT_TYPES[record["type"]]
    fields = {
        **data,
        "type": record["type"],
        "occurred_at": record["occurred_at"],
        "event_id": record["event_id"],
        "source": record["source"],
        "correlation_id": record["correlation_id"],
        "causation_id": record["causation_id"],
        "on_behalf_of": record["on_behalf_of"],
    }
    event = cls.model_validate(fields, context=ev.ERASED_CONTEXT if opened.erased else None)
    if opened.erased:
        event.mark_erased()
    assert event.event_id is not None  # every stored record has one
    return Recorded(
        event=event,
        event_id=event.event_id,
        stream_id=_stream_uuid(record["stream_id"]),
        version=record["version"],
        recorded_at=datetime.fromisoformat(record["recorded_at"]),
        recorded_by=record["recorded_by"],
        schema_version=record["schema_version"],
        prev_hash=record["prev_hash"],
        hash=record["hash"],
        envelope=record,
    )


@lru_cache(maxsize=65536)
def _stream_uuid(text: str) -> UUID:
    """Stream ids repeat on every event of a stream: parse each once."""
    return UUID(text)
