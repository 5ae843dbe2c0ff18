"""Every projection the runner keeps, in the order they are folded."""

from __future__ import annotations

from projections import (
    audit,
    cases,
    continuity,
    returns_facts,
    stability,
    support,
    timeliness,
    workforce,
)
from projections.projection import Projection

PROJECTIONS: tuple[Projection, ...] = (
    cases.PROJECTION,
    workforce.PROJECTION,
    continuity.PROJECTION,
    stability.PROJECTION,
    support.PROJECTION,
    timeliness.PROJECTION,
    audit.PROJECTION,
    returns_facts.PROJECTION,
)


def named(names: list[str] | None) -> list[Projection]:
    if not names:
        return list(PROJECTIONS)
    known = {p.name: p for p in PROJECTIONS}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(
            f"no projection named {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    return [known[n] for n in names]
