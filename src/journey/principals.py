"""Principals: who may use the HTTP API, in which role, by which bearer token.

A token is shown once, when the principal is added, and stored only as its SHA-256 (a
token is 32 random bytes, so a plain hash cannot be reversed by guessing). A principal's
name is the `recorded_by` of every event it appends and the reader in the access log.
Revoking keeps the row (who had access, and until when, is itself part of the record).

Roles: `service` appends events (and reads what it needs to); `inspector` reads the
reports and returns, children pseudonymised; `auditor` replays, verifies and reads the
access log, giving a purpose each time; `admin` does all of these and manages principals.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Engine, MetaData, String, Table, insert, select, update

from journey.database import engine_for

ROLES = ("service", "inspector", "auditor", "admin")
TOKEN_PREFIX = "jny_"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,99}$")

metadata = MetaData()
principals = Table(
    "principals",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)


@dataclass(frozen=True)
class Principal:
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class PrincipalError(ValueError):
    """A principal that cannot be added or found, with why."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Principals:
    def __init__(
        self, database_url: str, engine: Engine | None = None, *, remember_seconds: float = 0.0
    ):
        """`remember_seconds`: how long an active principal found by its token is taken on
        trust without asking the database again (the server's: a look-up a request was a
        sixth of an append's time). A token revoked meanwhile works that much longer;
        an unknown or revoked token is never remembered."""
        self.engine = engine or engine_for(database_url)
        self.remember_seconds = remember_seconds
        self._known: dict[str, tuple[float, Principal]] = {}  # token hash: (until, who)
        self._lock = threading.Lock()
        metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def add(self, name: str, role: str, now: datetime | None = None) -> tuple[Principal, str]:
        """Add a principal; the token is returned once and never again."""
        if not NAME.match(name):
            raise PrincipalError(
                "name: letters, digits and _ . : @ - only, starting with a letter or digit, "
                "at most 100 characters"
            )
        if role not in ROLES:
            raise PrincipalError(f"role: one of {', '.join(ROLES)}, not {role!r}")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        created = now or datetime.now(UTC)
        with self.engine.begin() as conn:
            if conn.execute(select(principals.c.name).where(principals.c.name == name)).first():
                raise PrincipalError(f"name: a principal called {name!r} exists already")
            conn.execute(
                insert(principals).values(
                    name=name, role=role, token_hash=_hash(token), created_at=created
                )
            )
        return Principal(name, role, created), token

    def list(self) -> list[Principal]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(principals).order_by(principals.c.name)).mappings()
            return [_principal(row) for row in rows]

    def revoke(self, name: str, now: datetime | None = None) -> Principal:
        with self.engine.begin() as conn:
            found = conn.execute(
                update(principals)
                .where(principals.c.name == name, principals.c.revoked_at.is_(None))
                .values(revoked_at=now or datetime.now(UTC))
            )
            if found.rowcount == 0:
                raise PrincipalError(f"no active principal called {name!r}")
            row = conn.execute(select(principals).where(principals.c.name == name)).mappings()
            return _principal(row.one())

    def authenticate(self, token: str) -> Principal | None:
        """The active principal this bearer token belongs to, if any."""
        digest = _hash(token)
        now = time.monotonic()
        with self._lock:
            known = self._known.get(digest)
        if known is not None and known[0] > now:
            return known[1]
        with self.engine.connect() as conn:
            row = (
                conn.execute(select(principals).where(principals.c.token_hash == digest))
                .mappings()
                .first()
            )
        if row is None or row["revoked_at"] is not None:
            with self._lock:
                self._known.pop(digest, None)
            return None
        who = _principal(row)
        if self.remember_seconds > 0:
            with self._lock:
                if len(self._known) > 10_000:  # tokens are few; this bounds a flood
                    self._known.clear()
                self._known[digest] = (now + self.remember_seconds, who)
        return who


def _principal(row: object) -> Principal:
    values = dict(row)  # type: ignore[call-overload]
    return Principal(values["name"], values["role"], values["created_at"], values["revoked_at"])
