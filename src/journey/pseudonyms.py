"""Pseudonyms for inspectors: a child's id replaced by a keyed hash, one set per
inspection, so an inspection's lists join up while different inspections' do not, and
nobody without the council's key can go back from a pseudonym to the child. The council
can (`journey pseudonyms reveal`, or an admin over HTTP), by computing the pseudonyms of
its own children: `reveal`.

What an inspector is shown of a child is narrowed too: a date of birth to its month, a
postcode to its district (the outward code), and a pupil number not at all. The ids of
the child's records (a referral's, a placement's, a visit's) are pseudonymised as well,
as `R-…`: a council's case system often makes them from the child's id (`PLC-C00223-49`),
which would lead back to the child.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

if TYPE_CHECKING:
    from journey.ledger import Ledger

PREFIX = "P-"
RECORD_PREFIX = "R-"
# The ids of a child's records, as the reports name them.
RECORD_FIELDS = frozenset(
    {
        "item_id",
        "journey_id",
        "referral_id",
        "assessment_id",
        "period_id",
        "placement_id",
        "plan_id",
        "visit_id",
        "review_id",
        "order_id",
        "conference_id",
        "episode_id",
        "target_event_id",
    }
)
CHILD_FIELDS = frozenset({"la_child_id", "child", "CHILD", "LAchildID", "Child Unique ID"})
BIRTH_FIELDS = frozenset(
    {
        "date_of_birth",
        "DOB",
        "PersonBirthDate",
        "ExpectedPersonBirthDate",
        "Date of Birth",
        "MC_DOB",
    }
)
WITHHELD_FIELDS = frozenset({"upn", "UPN", "FormerUPN"})  # national pupil numbers
POSTCODE_FIELDS = frozenset(
    {"postcode", "home_postcode", "HOME_POST", "PL_POST", "Placement postcode"}
)
DMY = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


class Pseudonyms:
    def __init__(self, cipher_key: str, inspection: str):
        root = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"journey pseudonyms"
        ).derive(base64.b64decode(cipher_key))
        self._key = hmac.new(root, inspection.encode("utf-8"), hashlib.sha256).digest()

    def of(self, la_child_id: str) -> str:
        digest = hmac.new(self._key, la_child_id.encode("utf-8"), hashlib.sha256).digest()
        return PREFIX + base64.b32encode(digest[:10]).decode("ascii")

    def of_record(self, record_id: str) -> str:
        """A record's id as the inspection sees it (the same record, the same `R-…`)."""
        digest = hmac.new(self._key, b"record:" + record_id.encode("utf-8"), hashlib.sha256)
        return RECORD_PREFIX + base64.b32encode(digest.digest()[:10]).decode("ascii")

    def narrow(self, value: Any) -> Any:
        """A document with every child id pseudonymised, every date of birth narrowed to
        its month and every postcode to its district, whatever its nesting."""
        if isinstance(value, dict):
            return {k: self._field(k, v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.narrow(v) for v in value]
        return value

    def _field(self, key: str, value: Any) -> Any:
        if isinstance(value, str) and value:
            if key in WITHHELD_FIELDS:
                return "withheld"
            if key in CHILD_FIELDS:
                return self.of(value)
            if key in RECORD_FIELDS:
                return self.of_record(value)
            if key in BIRTH_FIELDS:
                return birth_month(value)
            if key in POSTCODE_FIELDS:
                return value.split(" ")[0] if " " in value else value[:-3]
        return self.narrow(value)


def birth_month(value: str) -> str:
    """dd/mm/yyyy as mm/yyyy; yyyy-mm-dd as yyyy-mm."""
    if found := DMY.match(value):
        return f"{found.group(2)}/{found.group(3)}"
    if found := ISO.match(value):
        return f"{found.group(1)}-{found.group(2)}"
    return value


class NoCipherKey(RuntimeError):
    """Pseudonyms are keyed with the council's cipher key, and this ledger has none."""

    def __init__(self) -> None:
        super().__init__("pseudonyms need the council's cipher key (JOURNEY_CIPHER_KEY)")


def reveal(
    ledger: Ledger,
    inspection: str,
    pseudonyms: Iterable[str],
    purpose: str | None,
    *,
    principal: str | None = None,
) -> dict[str, str | None]:
    """Each pseudonym of `inspection` with the child of this ledger it stands for (None:
    none). Each child found has had their record read, for `purpose`: the access log says
    so (`principal` reading it, else the ledger's)."""
    key = ledger.settings.cipher_key
    if not key:
        raise NoCipherKey()
    names = Pseudonyms(key, inspection)
    wanted = set(pseudonyms)
    found: dict[str, str | None] = dict.fromkeys(wanted)
    for registered in ledger.registered_children():
        la_child_id = registered.event.stream_name()
        if (pseudonym := names.of(la_child_id)) in wanted:
            found[pseudonym] = la_child_id
    for child in found.values():
        if child is not None:
            ledger.record_access("pseudonym reveal", child, purpose, principal=principal)
    return found
