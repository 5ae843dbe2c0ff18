"""Anchors: a digest over every chain head at a moment, to keep outside the database.

Each record's hash covers the one before, so a stream's head hash at version v vouches for
versions 1 to v. Whoever could rewrite the whole database could recompute every chain and
`journey verify` would find nothing; an anchor kept elsewhere (printed, e-mailed, committed
to another system) still shows that what was recorded before it has not changed since.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from journey.chain import ChainReport

FORMAT = "journey-anchor-1"


def heads_digest(heads: dict[str, tuple[int, str]]) -> str:
    """SHA-256 over one line a stream, `stream_id version hash`, sorted by stream id."""
    lines = "".join(
        f"{stream} {version} {hashed}\n" for stream, (version, hashed) in sorted(heads.items())
    )
    return hashlib.sha256(lines.encode("ascii")).hexdigest()


def make_anchor(report: ChainReport, now: datetime) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "created_at": now.isoformat(timespec="seconds"),
        "position": report.position,
        "events": report.events,
        "digest": heads_digest(report.heads),
        "heads": {stream: list(head) for stream, head in sorted(report.heads.items())},
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


def check_anchor(anchor: dict[str, Any], report: ChainReport) -> AnchorCheck:
    """Compare the hashes stored now at the anchored positions with the anchor's (the
    report must have been made with `at=versions_of(anchor)`)."""
    heads = {stream: (int(v), str(h)) for stream, (v, h) in anchor["heads"].items()}
    problems = []
    if anchor.get("format") != FORMAT or heads_digest(heads) != anchor.get("digest"):
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
    return AnchorCheck(len(heads), problems)
