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
from projections.schema import engine_for, metadata

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


def create_tables(database_url: str) -> list[str]:
    """Create every read-side table that is missing (each projection's, having been
    imported above, and the runner's positions) and name them all: `journey init` calls
    this through the `journey.schema` entry point (pyproject.toml), so that the owner
    role holds them and the application role may replace their rows."""
    engine = engine_for(database_url)
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()
    return [table.name for table in metadata.sorted_tables]
