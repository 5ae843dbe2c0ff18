"""The access report: who read which child's record, when, what and why.

Read from the ledger's access log (a hash chain of its own, not a projection): every
`child show`, `child events`, `replay`, `report chronology`, bundle and audit read of a
child is there, logged before anything was shown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from journey.access import AccessEntry
from journey.events import LONDON
from projections.report import Report, Section


@dataclass(frozen=True)
class AccessRead:
    seq: int
    at: datetime  # London time
    principal: str
    action: str
    la_child_id: str | None
    purpose: str | None


@dataclass(frozen=True)
class ReaderTotal:
    principal: str
    reads: int
    children: int
    without_purpose: int


def access_report(entries: Sequence[AccessEntry], parameters: dict[str, Any]) -> Report:
    reads = [
        AccessRead(e.seq, e.at.astimezone(LONDON), e.principal, e.action, e.la_child_id, e.purpose)
        for e in entries
    ]
    counts = Counter(r.principal for r in reads)
    totals = [
        ReaderTotal(
            principal,
            n,
            len({r.la_child_id for r in reads if r.principal == principal and r.la_child_id}),
            sum(1 for r in reads if r.principal == principal and not r.purpose),
        )
        for principal, n in sorted(counts.items())
    ]
    children = len({r.la_child_id for r in reads if r.la_child_id})
    return Report(
        name="access",
        title="Reads of children's records",
        headline=(
            f"{_count(len(reads), 'read')} of {_count(children, 'child', 'children')}'s "
            f"records by {_count(len(counts), 'reader')}"
        ),
        sections=[
            Section("reads", "Every read, oldest first", reads),
            Section("readers", "Reads by reader", totals),
        ],
        parameters=parameters,
        definitions=[
            "A read is one command or request that showed a child's record: child show, "
            "child events, replay, replay diff, a bundle, report chronology, report audit.",
            "The purpose is what the reader gave with --purpose; replay commands require one.",
        ],
    )


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"
