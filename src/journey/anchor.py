"""Anchors: a digest over every chain head at a moment, to keep outside the database.

Each record's hash covers the one before, so a stream's head hash at version v vouches
for versions 1 to v, and the access log's hash at entry n for entries 1 to n. Whoever
could rewrite the whole database could recompute every chain and `journey verify` would
find nothing; an anchor kept elsewhere (printed, e-mailed, committed to another system)
still shows that what was recorded before it has not changed since.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from journey.chain import ChainReport

FORMAT = "journey-anchor-2"
EVENTS_ONLY = "journey-anchor-1"  # anchors made before the access log: event chains alone


def heads_digest(heads: dict[str, tuple[int, str]], access_log: tuple[int, str] | None) -> str:
    """SHA-256 over one line a stream, `stream_id version hash`, sorted by stream id, then
    `access_log seq hash` (not in an events-only anchor)."""
    lines = "".join(
        f"{stream} {version} {hashed}\n" for stream, (version, hashed) in sorted(heads.items())
    )
    if access_log is not None:
        lines += f"access_log {access_log[0]} {access_log[1]}\n"
    return hashlib.sha256(lines.encode("ascii")).hexdigest()


def make_anchor(report: ChainReport, now: datetime) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "created_at": now.isoformat(timespec="seconds"),
        "position": report.position,
        "events": report.events,
        "digest": heads_digest(report.heads, report.access_head),
        "heads": {stream: list(head) for stream, head in sorted(report.heads.items())},
        "access_log": list(report.access_head),
    }


@dataclass(frozen=True)
class AnchorCheck:
    anchored: int  # streams in the anchor
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def versions_of(anchor: dict[str, Any]) -> dict[str, int]:
    return {stream: int(head[0]) for stream, head in anchor["heads"].items()}


def access_seq_of(anchor: dict[str, Any]) -> int | None:
    """The access log entry the anchor covers; None for an events-only anchor."""
    if anchor.get("format") == EVENTS_ONLY:
        return None
    return int(anchor["access_log"][0])


def check_anchor(anchor: dict[str, Any], report: ChainReport) -> AnchorCheck:
    """Compare the hashes stored now at the anchored positions with the anchor's (the
    report must have been made with `at=versions_of(anchor)` and
    `access_at=access_seq_of(anchor)`)."""
    heads = {stream: (int(v), str(h)) for stream, (v, h) in anchor["heads"].items()}
    access: tuple[int, str] | None = None
    if anchor.get("format") != EVENTS_ONLY:
        access = (int(anchor["access_log"][0]), str(anchor["access_log"][1]))
    problems = []
    if anchor.get("format") not in (FORMAT, EVENTS_ONLY) or heads_digest(
        heads, access
    ) != anchor.get("digest"):
        problems.append("the anchor file does not match its own digest (the file was altered)")
    for stream, (version, hashed) in sorted(heads.items()):
        now = report.hashes_at.get(stream)
        if now is None:
            problems.append(f"stream {stream}: version {version} is no longer stored")
        elif now != hashed:
            problems.append(
                f"stream {stream}: version {version} is not what was recorded before the "
                "anchor (history rewritten)"
            )
    if access is not None and access[0] and report.access_hash_at != access[1]:
        problems.append(
            f"access log: entry {access[0]} is missing or not what was recorded before the "
            "anchor (the log of reads was rewritten)"
        )
    return AnchorCheck(len(heads), problems)
