"""Checking the hash chains from the raw stored bytes.

Every stored row is read in notification order, straight from the recorder, and checked
without trusting the code that wrote it: the global sequence has no gaps, each stream's
versions run 1, 2, 3..., each record is canonical JSON whose `hash` is the SHA-256 of the
record without `hash`, each `prev_hash` is the previous record's hash, and the columns
beside the bytes (stream, version, type) agree with the record. An altered byte, a
removed, reordered or copied row, all break at least one of these.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import orjson
from eventsourcing.persistence import Notification

from journey.record import GENESIS, canonical
from journey.store import LedgerRecorder

PAGE = 5000


@dataclass
class Break:
    """One place where the stored log is not what was written."""

    stream_id: str | None
    version: int | None
    notification_id: int | None
    problem: str


@dataclass
class ChainReport:
    events: int = 0
    streams: int = 0
    position: int = 0  # the last notification id read
    breaks: list[Break] = field(default_factory=list)
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)  # stream: (version, hash)
    hashes_at: dict[str, str] = field(default_factory=dict)  # the hashes asked for (`at`)

    @property
    def ok(self) -> bool:
        return not self.breaks


@dataclass
class _Head:
    version: int = 0
    hash: str = GENESIS


def verify_chains(
    recorder: LedgerRecorder,
    progress: Callable[[int], None] | None = None,
    at: dict[str, int] | None = None,
) -> ChainReport:
    """Check every chain; `at` (stream: version) asks for the stored hash at those
    positions too, to compare with an anchor."""
    report = ChainReport()
    heads: dict[str, _Head] = {}
    expected_id = 1
    for notification in _notifications(recorder):
        report.events += 1
        if notification.id != expected_id:
            missing = (
                f"notification {expected_id} is"
                if notification.id - 1 == expected_id
                else f"notifications {expected_id}–{notification.id - 1} are"
            )
            report.breaks.append(
                Break(None, None, expected_id, f"{missing} missing (rows removed from the log)")
            )
        expected_id = notification.id + 1
        stream = str(notification.originator_id)
        head = heads.setdefault(stream, _Head())
        problem = _check(notification.state, stream, notification, head)
        if problem:
            report.breaks.append(
                Break(stream, notification.originator_version, notification.id, problem)
            )
        if at is not None and at.get(stream) == notification.originator_version:
            report.hashes_at[stream] = head.hash
        if progress is not None and report.events % PAGE == 0:
            progress(PAGE)
    if progress is not None:
        progress(report.events % PAGE)
    report.streams = len(heads)
    report.position = expected_id - 1
    report.heads = {stream: (h.version, h.hash) for stream, h in heads.items()}
    return report


def _check(state: bytes, stream: str, notification: Notification, head: _Head) -> str | None:
    version, topic = notification.originator_version, notification.topic
    problem: str | None
    if version != head.version + 1:
        problem = f"version {version} follows version {head.version} (removed or reordered)"
        head.version = version
        return problem
    head.version = version
    try:
        record = orjson.loads(state)
        stated = record.pop("hash")
    except (orjson.JSONDecodeError, KeyError, AttributeError, TypeError):
        head.hash = ""
        return "the stored bytes are not a ledger record (altered)"
    body = canonical(record)
    record["hash"] = stated
    if canonical(record) != state:
        problem = "the stored bytes are not in canonical form (altered)"
    elif hashlib.sha256(body).hexdigest() != stated:
        problem = "the hash does not match the record (altered)"
    elif record.get("stream_id") != stream or record.get("version") != version:
        problem = "the record belongs to another stream or position (copied or moved)"
    elif record.get("prev_hash") != head.hash:
        problem = "prev_hash does not match the previous event (chain broken)"
    elif record.get("type") != topic:
        problem = "the record's type differs from the stored topic (altered)"
    else:
        problem = None
    head.hash = stated
    return problem


def _notifications(recorder: LedgerRecorder) -> Iterator[Notification]:
    start = 1
    while True:
        page = recorder.select_notifications(start, PAGE)
        if not page:
            return
        yield from page
        start = page[-1].id + 1
