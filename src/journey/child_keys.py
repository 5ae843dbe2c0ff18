"""Each child's data key: made with the child's first event, destroyed to erase them.

A child's personal fields (`journey.personal_fields`), their snapshots and the personal
columns of the projections are sealed with a key of the child's own: 32 random bytes,
stored wrapped (AES-GCM under a key derived from the ledger's cipher key, the child's
stream id as associated data) in `child_keys`. Erasure overwrites the wrapped key with
nothing and notes when (`destroy`): from then on what was sealed with it cannot be opened
by anyone, with or without the ledger's key, and no new personal field can be sealed for
the child. The row stays, as the tombstone that says the child was erased.

A process keeps the keys it has opened for a few seconds, so a busy stream costs one read
of its key, not one per event; another process's erasure reaches it within that time (the
erasing process forgets at once). To seal, a key it holds serves however old: an erasure
records ChildErased on the child's stream after destroying the key, so an append that
comes after it meets that event (the stream's next version is taken, it is decided
again, and refused), and one stored before it is sealed with the key destroyed with the
rest. The old key survives in backups taken before the erasure: the README says so.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, NamedTuple
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    LargeBinary,
    MetaData,
    String,
    Table,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from journey.database import engine_for

KEY_BYTES = 32
NONCE_BYTES = 12
CACHE_SECONDS = 5.0
CHUNK = 500
_INFO = b"journey child data keys"

metadata = MetaData()
child_keys = Table(
    "child_keys",
    metadata,
    Column("stream_id", String(36), primary_key=True),
    Column("wrapped", LargeBinary),  # null once destroyed
    Column("made_at", DateTime(timezone=True), nullable=False),
    Column("destroyed_at", DateTime(timezone=True)),
)


def _seal_gcm(aead: AESGCM, plain: bytes, associated: bytes | None) -> bytes:
    """AES-GCM as the ledger stores it: a fresh nonce, then the ciphertext and tag."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + aead.encrypt(nonce, plain, associated)


def _open_gcm(aead: AESGCM, sealed: bytes, associated: bytes | None) -> bytes:
    """What `_seal_gcm` sealed (InvalidTag when the key or the associated data differ)."""
    return aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated)


class ChildKey(NamedTuple):
    secret: bytes
    aead: AESGCM  # made once: its key schedule is a third of the cost of opening a record

    def seal(self, plain: bytes, associated: bytes | None = None) -> bytes:
        return _seal_gcm(self.aead, plain, associated)

    def open(self, sealed: bytes, associated: bytes | None = None) -> bytes:
        return _open_gcm(self.aead, sealed, associated)


class ChildKeys:
    """The data keys of a ledger's children (one per process is enough: it is thread-safe
    and the server's ledgers share it)."""

    def __init__(self, database_url: str, cipher_key: str, engine: Engine | None = None):
        self.engine = engine or engine_for(database_url)
        self._postgres = self.engine.dialect.name == "postgresql"
        metadata.create_all(self.engine)
        wrapping = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
            base64.b64decode(cipher_key)
        )
        self._wrapping = AESGCM(wrapping)
        # stream id -> (when read, the key; None once destroyed)
        self._cache: dict[UUID, tuple[float, ChildKey | None]] = {}

    def close(self) -> None:
        self.engine.dispose()

    def sealing_keys(self, stream_ids: Iterable[UUID]) -> dict[UUID, ChildKey | None]:
        """The keys to seal new records with, made for children who have none yet (one
        transaction for the lot); None for a child who was erased."""
        wanted = set(stream_ids)
        found = self._cached(wanted, float("inf"))  # however old: see the module's docstring
        missing = wanted - found.keys()
        if missing:
            now = datetime.now(UTC)
            insert = postgres_insert if self._postgres else sqlite_insert
            rows = [
                {
                    "stream_id": str(s),
                    "wrapped": self._wrap(s, os.urandom(KEY_BYTES)),
                    "made_at": now,
                }
                for s in sorted(missing, key=str)
            ]
            with self.engine.begin() as conn:
                for at in range(0, len(rows), CHUNK):
                    chunk = rows[at : at + CHUNK]
                    conn.execute(insert(child_keys).values(chunk).on_conflict_do_nothing())
            found |= self._read(missing)
        return found

    def opening_key(self, stream_id: UUID) -> ChildKey | None:
        """The key a child's personal fields open with; None once destroyed (or never
        made: a stream whose records hold nothing sealed with a key of its own)."""
        found = self._cached({stream_id}, CACHE_SECONDS) or self._read({stream_id})
        return found.get(stream_id)

    def load(self, stream_ids: Iterable[UUID]) -> None:
        """Read many children's keys into the cache at once."""
        wanted = set(stream_ids)
        self._read(wanted - self._cached(wanted, CACHE_SECONDS).keys())

    def is_destroyed(self, stream_id: UUID) -> bool:
        hit = self._cache.get(stream_id)
        if hit is not None and hit[1] is None:  # read destroyed already: it stays so
            return True
        with self.engine.connect() as conn:
            row = conn.execute(
                select(child_keys.c.destroyed_at).where(child_keys.c.stream_id == str(stream_id))
            ).first()
        return row is not None and row[0] is not None

    def destroy(self, stream_id: UUID, now: datetime) -> None:
        """Destroy the child's key (leaving the tombstone); a child without a key gets the
        tombstone alone, so nothing can be sealed for them later."""
        insert = postgres_insert if self._postgres else sqlite_insert
        with self.engine.begin() as conn:
            if not self._postgres:
                # SQLite otherwise leaves the overwritten bytes in the file's free pages.
                conn.execute(text("PRAGMA secure_delete = ON"))
            conn.execute(
                insert(child_keys)
                .values(stream_id=str(stream_id), wrapped=None, made_at=now, destroyed_at=now)
                .on_conflict_do_nothing()
            )
            conn.execute(
                update(child_keys)
                .where(child_keys.c.stream_id == str(stream_id))
                .values(wrapped=None, destroyed_at=func.coalesce(child_keys.c.destroyed_at, now))
            )
        self._cache[stream_id] = (time.monotonic(), None)
        if self._postgres:
            # Old row versions keep the wrapped key until the table is vacuumed.
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM child_keys"))

    def forget(self, stream_id: UUID) -> None:
        """Read this child's key again next time (a reader that saw the child erased)."""
        self._cache.pop(stream_id, None)

    def _cached(self, stream_ids: set[UUID], seconds: float) -> dict[UUID, ChildKey | None]:
        """The keys held that were read at most `seconds` ago (a destroyed one: ever)."""
        now = time.monotonic()
        found = {}
        for s in stream_ids:
            hit = self._cache.get(s)
            if hit is not None and (hit[1] is None or now - hit[0] < seconds):
                found[s] = hit[1]
        return found

    def _read(self, stream_ids: set[UUID]) -> dict[UUID, ChildKey | None]:
        ids = [str(s) for s in stream_ids]
        if not ids:
            return {}
        rows: list[Any] = []
        with self.engine.connect() as conn:
            for at in range(0, len(ids), CHUNK):
                rows += conn.execute(
                    select(child_keys.c.stream_id, child_keys.c.wrapped).where(
                        child_keys.c.stream_id.in_(ids[at : at + CHUNK])
                    )
                ).all()
        now = time.monotonic()
        found: dict[UUID, ChildKey | None] = {}
        for stream_id, wrapped in rows:
            s = UUID(stream_id)
            key = None
            if wrapped is not None:
                secret = self._unwrap(s, bytes(wrapped))
                key = ChildKey(secret, AESGCM(secret))
            self._cache[s] = (now, key)
            found[s] = key
        return found

    def _wrap(self, stream_id: UUID, key: bytes) -> bytes:
        return _seal_gcm(self._wrapping, key, stream_id.bytes)

    def _unwrap(self, stream_id: UUID, wrapped: bytes) -> bytes:
        try:
            return _open_gcm(self._wrapping, wrapped, stream_id.bytes)
        except InvalidTag as error:
            raise PermissionError(
                "a child's data key does not open with this ledger's cipher key"
            ) from error
