"""Personal fields in projection tables, sealed at rest.

The statutory returns need what the other projections leave out: a child's date of birth,
UPN, home and placement postcodes. Columns that hold them are marked
`Column(..., info=PERSONAL)`; the runner seals their values as it writes a stream's rows
and the returns open them as they read. Sealing is deterministic (AES-SIV, with the stream
and the column as associated data, under a key derived from the child's data key), so
that a rebuild writes the same bytes and `journey replay rebuild-check` still compares
tables exactly; the same value in another stream or column seals differently. Without a
cipher key the ledger itself is in the clear, and so are these columns.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Column, String, Table

from journey.child_keys import ChildKeys

PERSONAL = {"personal": True}
_INFO = b"journey projections: personal columns"


def personal_columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if c.info.get("personal")]


def personal(name: str, length: int = 120) -> Column[str]:
    """A text column holding a personal datum, sealed at rest."""
    return Column(name, String(length), info=PERSONAL)


class PersonalSealer:
    """Seals and opens personal column values (text) for one ledger: a child's with a key
    derived from the child's data key, so that erasing the child (destroying that key)
    leaves nothing readable behind in old row versions or free pages either; a stream
    without a data key of its own (recorded before there were any) with one derived from
    the ledger's cipher key."""

    def __init__(self, cipher_key: str | None, child_keys: ChildKeys | None = None):
        self._siv: AESSIV | None = None
        self._child_keys = child_keys if cipher_key else None
        self._sivs: dict[str, AESSIV | None] = {}  # stream id -> its key; None once erased
        if cipher_key:
            self._siv = AESSIV(_derive(base64.b64decode(cipher_key)))

    def prefetch(self, stream_ids: Iterable[str]) -> None:
        """Read the data keys of many streams at once (a return opens thousands)."""
        if self._child_keys is not None:
            wanted = {UUID(s) for s in stream_ids if s not in self._sivs}
            self._child_keys.load(wanted)

    def _key(self, stream_id: str) -> AESSIV | None:
        if self._child_keys is None:
            return self._siv
        if stream_id not in self._sivs:
            key = self._child_keys.opening_key(UUID(stream_id))
            if key is not None:
                self._sivs[stream_id] = AESSIV(_derive(key.secret))
            elif self._child_keys.is_destroyed(UUID(stream_id)):
                self._sivs[stream_id] = None
            else:
                self._sivs[stream_id] = self._siv
        return self._sivs[stream_id]

    def seal(self, stream_id: str, column: str, value: str | None) -> str | None:
        """The sealed value (None for an erased child: there is no key to seal it with)."""
        if value is None or self._siv is None:
            return value
        siv = self._key(stream_id)
        if siv is None:
            return None
        sealed = siv.encrypt(value.encode("utf-8"), [stream_id.encode(), column.encode()])
        return base64.b64encode(sealed).decode("ascii")

    def open(self, stream_id: str, column: str, value: str | None) -> str | None:
        """The value (None for an erased child's)."""
        if value is None or self._siv is None:
            return value
        siv = self._key(stream_id)
        if siv is None:
            return None
        try:
            plain = siv.decrypt(binascii.a2b_base64(value), [stream_id.encode(), column.encode()])
        except (InvalidTag, binascii.Error, ValueError) as error:
            raise PermissionError(
                f"a sealed {column} does not open with this ledger's key: rebuild the "
                "projections (journey projections rebuild) after changing the key"
            ) from error
        return plain.decode("utf-8")

    def seal_rows(self, table: Table, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """The rows with their personal columns sealed (each row names its stream_id)."""
        columns = personal_columns(table)
        if not columns or self._siv is None:
            return list(rows)
        return [
            {**row, **{c: self.seal(row["stream_id"], c, row.get(c)) for c in columns}}
            for row in rows
        ]

    def open_row(self, stream_id: str, row: dict[str, Any], columns: Iterable[str]) -> None:
        """Open the named personal columns of a row read back, in place."""
        for c in columns:
            row[c] = self.open(stream_id, c, row.get(c))

    def forget(self, stream_id: str) -> None:
        self._sivs.pop(stream_id, None)


def _derive(secret: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=64, salt=None, info=_INFO).derive(secret)
