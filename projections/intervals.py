"""Business-time intervals: [valid_from, valid_to), valid_to None while still open.

Every "as at" question is one indexed query over such rows: `covering(table, day)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import Column, ColumnElement, Date, Index, Table, and_, or_

from journey.events import as_date


def day(moment: datetime | date | None) -> date | None:
    return None if moment is None else as_date(moment)


def covering(table: Table, on: date) -> ColumnElement[bool]:
    """Rows of `table` in force on `on`."""
    return and_(table.c.valid_from <= on, or_(table.c.valid_to.is_(None), table.c.valid_to > on))


def overlapping(table: Table, start: date, end: date) -> ColumnElement[bool]:
    """Rows of `table` in force at any time in [start, end]."""
    return and_(
        table.c.valid_from <= end, or_(table.c.valid_to.is_(None), table.c.valid_to > start)
    )


def interval_index(table_name: str) -> Index:
    return Index(f"{table_name}_valid", "valid_from", "valid_to")


def interval_columns() -> list[Column[date]]:
    return [Column("valid_from", Date, nullable=False), Column("valid_to", Date)]


def partition(
    boundaries: Iterable[date], label: Callable[[date], str | None]
) -> list[tuple[str, date, date | None]]:
    """Cut time at `boundaries`, label each piece by its first day, and merge neighbours
    with the same label. Pieces labelled None are dropped; the last piece is open."""
    points = sorted(set(boundaries))
    pieces: list[tuple[str, date, date | None]] = []
    for i, start in enumerate(points):
        end = points[i + 1] if i + 1 < len(points) else None
        kind = label(start)
        if kind is None:
            continue
        if pieces and pieces[-1][0] == kind and pieces[-1][2] == start:
            pieces[-1] = (kind, pieces[-1][1], end)
        else:
            pieces.append((kind, start, end))
    return pieces


def within(spans: Sequence[tuple[date, date | None]], on: date) -> bool:
    return any(start <= on and (end is None or on < end) for start, end in spans)
