"""Checking the hash chains from the raw stored bytes.

Every stored row is read in notification order, straight from the table, and checked
without trusting the code that wrote it: the global sequence has no gaps and ends where the
ledger's head row says it does; each stream's versions run 1, 2, 3...; each record is
canonical JSON whose `hash` is the SHA-256 of the record without `hash`; each `prev_hash`
is the previous record's hash; and the columns beside the bytes (stream, version, type,
event id, recorded at) agree with the record. An altered byte, a removed, reordered or
copied row, all break at least one of these. The access log, a chain of its own, is
checked the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from journey.record import GENESIS, canonical
from journey.store import AccessQuery, LedgerRecorder, StoredRow

ACCESS_LOG = "access log"
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
    access_entries: int = 0
    access_head: tuple[int, str] = (0, GENESIS)  # (seq, hash) of the access log's last entry
    access_hash_at: str | None = None  # the access log's hash at the seq asked for

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
    access_at: int | None = None,
) -> ChainReport:
    """Check every chain; `at` (stream: version) and `access_at` (an access log seq) ask
    for the stored hashes at those positions too, to compare with an anchor."""
    report = ChainReport()
    heads: dict[str, _Head] = {}
    expected_id = 1
    for row in _rows(recorder):
        report.events += 1
        if row.notification_id != expected_id:
            report.breaks.append(
                Break(None, None, expected_id, _missing(expected_id, row.notification_id - 1))
            )
        expected_id = row.notification_id + 1
        head = heads.setdefault(row.stream_id, _Head())
        problem = _check(row, head)
        if problem:
            report.breaks.append(Break(row.stream_id, row.version, row.notification_id, problem))
        if at is not None and at.get(row.stream_id) == row.version:
            report.hashes_at[row.stream_id] = head.hash
        if progress is not None and report.events % PAGE == 0:
            progress(PAGE)
    if progress is not None:
        progress(report.events % PAGE)
    end = _end_of_log(recorder.ledger_head(), expected_id, "log")
    if end:
        report.breaks.append(Break(None, None, *end))
    report.streams = len(heads)
    report.position = expected_id - 1
    report.heads = {stream: (h.version, h.hash) for stream, h in heads.items()}
    _check_access_log(recorder, report, access_at)
    return report


def _end_of_log(numbered: int | None, expected: int, log: str) -> tuple[int | None, str] | None:
    """Where the head row (the last number the ledger gave) and the rows read disagree:
    rows removed from the end leave the head ahead; rows added outside the ledger run
    past it. The position (or None) and the problem; None when they agree."""
    if numbered is None:
        return None if expected == 1 else (None, f"the {log}'s head row is missing")
    if numbered >= expected:
        return expected, _missing(expected, numbered, "from the end of", log)
    if numbered < expected - 1:
        return numbered + 1, (
            f"the ledger numbered {numbered} but the {log} runs to {expected - 1} "
            "(rows added outside the ledger)"
        )
    return None


def _missing(first: int, last: int, where: str = "from", log: str = "log") -> str:
    one, many = ("entry", "entries") if log == ACCESS_LOG else ("notification", "notifications")
    which = f"{one} {first} is" if first == last else f"{many} {first}–{last} are"
    return f"{which} missing (rows removed {where} the {log})"


def _check(row: StoredRow, head: _Head) -> str | None:
    """What is wrong with this row, if anything. The head moves on to it either way, so
    that one removed or altered row is reported once, not again for every row after it."""
    version, follows = row.version, head.version
    head.version = version
    record, stated, problem = _hashed_record(row.state)
    if version != follows + 1:
        problem = f"version {version} follows version {follows} (removed or reordered)"
    elif problem is None:
        if record.get("stream_id") != row.stream_id or record.get("version") != version:
            problem = "the record belongs to another stream or position (copied or moved)"
        elif record.get("prev_hash") != head.hash:
            problem = "prev_hash does not match the previous event (chain broken)"
        elif record.get("type") != row.topic:
            problem = "the record's type differs from the stored topic (altered)"
        elif record.get("event_id") != row.event_id or not _same_time(
            record.get("recorded_at"), row.recorded_at
        ):
            problem = "the event id or recorded_at column differs from the record (altered)"
    head.hash = stated
    return problem


def _hashed_record(state: bytes) -> tuple[dict[str, Any], str, str | None]:
    """The record, the hash it states, and what is wrong with its bytes (None if nothing)."""
    try:
        record = orjson.loads(state)
        stated = record.pop("hash")
    except (orjson.JSONDecodeError, KeyError, AttributeError, TypeError):
        return {}, "", "the stored bytes are not a ledger record (altered)"
    body = canonical(record)
    record["hash"] = stated
    if canonical(record) != state:
        return record, str(stated), "the stored bytes are not in canonical form (altered)"
    if hashlib.sha256(body).hexdigest() != stated:
        return record, str(stated), "the hash does not match the record (altered)"
    return record, str(stated), None


def _same_time(stated: Any, column: datetime) -> bool:
    try:
        return isinstance(stated, str) and datetime.fromisoformat(stated) == column
    except ValueError:
        return False


def _rows(recorder: LedgerRecorder) -> Iterator[StoredRow]:
    start = 1
    while True:
        page = recorder.select_rows(start, PAGE)
        if not page:
            return
        yield from page
        start = page[-1].notification_id + 1


def _check_access_log(recorder: LedgerRecorder, report: ChainReport, at: int | None) -> None:
    """The access log: seq 1, 2, 3… each chained to the one before, columns as recorded."""
    expected, last_hash, after = 1, GENESIS, 0
    while page := recorder.select_access(AccessQuery(after=after, limit=PAGE)):
        for row in page:
            report.access_entries += 1
            if row.seq != expected:
                report.breaks.append(
                    Break(
                        ACCESS_LOG, expected, None, _missing(expected, row.seq - 1, log=ACCESS_LOG)
                    )
                )
            expected = row.seq + 1
            record, stated, problem = _hashed_record(row.record)
            if problem is None:
                if record.get("prev_hash") != last_hash:
                    problem = "prev_hash does not match the previous entry (chain broken)"
                elif (
                    record.get("seq") != row.seq
                    or record.get("principal") != row.principal
                    or record.get("action") != row.action
                    or record.get("child_id") != (row.child_id and str(row.child_id))
                    or not _same_time(record.get("at"), row.at)
                ):
                    problem = "the columns differ from the entry's record (altered)"
            if problem:
                report.breaks.append(Break(ACCESS_LOG, row.seq, None, problem))
            last_hash = stated
            if row.seq == at:
                report.access_hash_at = stated
        after = page[-1].seq
    end = _end_of_log(recorder.access_log_head(), expected, ACCESS_LOG)
    if end:
        report.breaks.append(Break(ACCESS_LOG, end[0], None, end[1]))
    report.access_head = (expected - 1, last_hash)
